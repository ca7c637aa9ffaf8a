"""``kiosk admin keygen | bundle | sign | verify | publish | rollout``: signed item-configuration bundles.

    kiosk admin keygen keys/bundle.pem                      → prints the public key to pin (platform.bundle_public_key)
    kiosk admin bundle kiosk/content/items --version 7 -o items-v7.unsigned.zip
    kiosk admin sign items-v7.unsigned.zip --key keys/bundle.pem -o items-v7.zip
    kiosk admin publish items-v7.zip --dir /srv/bundles --public-key keys/bundle.pub
    kiosk admin rollout 7 --percent 10 --dir /srv/bundles   (canary), then --percent 100
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.admin import bundles as B
from kiosk.errors import ConfigError
from kiosk.fleet.bundle import BundleRejected, open_bundle


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("admin", help="administrator: signed item-configuration bundles and rollout")
    admin = parser.add_subparsers(dest="admin_command", metavar="ACTION")
    p = admin.add_parser("keygen", help="create the bundle signing key (PEM, 0600) and print its public key")
    p.add_argument("key")
    p.set_defaults(func=_keygen)
    p = admin.add_parser("bundle", help="build an unsigned bundle from a validated catalog directory")
    p.add_argument("catalog")
    p.add_argument("--version", type=int, required=True, help="positive integer, higher than any version already rolled out")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_bundle)
    p = admin.add_parser("sign", help="sign a bundle's manifest with the Ed25519 key")
    p.add_argument("bundle")
    p.add_argument("--key", required=True)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_sign)
    p = admin.add_parser("verify", help="verify a bundle as a terminal would")
    p.add_argument("bundle")
    p.add_argument("--public-key", required=True, help="base64 key or a .pub file")
    p.set_defaults(func=_verify)
    p = admin.add_parser("publish", help="copy a verified bundle into the served bundle directory")
    p.add_argument("bundle")
    p.add_argument("--dir", required=True)
    p.add_argument("--public-key", required=True, help="base64 key or a .pub file")
    p.set_defaults(func=_publish)
    p = admin.add_parser("rollout", help="point the fleet at a published version (canary percentage, then 100)")
    p.add_argument("version", type=int)
    p.add_argument("--percent", type=float, default=100.0)
    p.add_argument("--dir", required=True)
    p.set_defaults(func=_rollout)


def _public_key(value: str) -> str:
    path = Path(value)
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    return value


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def _keygen(args: argparse.Namespace) -> int:
    public = B.keygen(Path(args.key))
    print(public)
    print(f"pin it in every terminal config: [platform] bundle_public_key = \"{public}\"  (also written to {Path(args.key).with_suffix('.pub')})")
    return 0


def _bundle(args: argparse.Namespace) -> int:
    data = B.build_bundle(Path(args.catalog), args.version)
    Path(args.output).write_bytes(data)
    print(f"{args.output}: version {args.version}, {len(data)} bytes (unsigned)")
    return 0


def _sign(args: argparse.Namespace) -> int:
    data = B.sign_bundle(_read(args.bundle), B.load_signing_key(Path(args.key)))
    Path(args.output).write_bytes(data)
    print(f"{args.output}: signed, {len(data)} bytes")
    return 0


def _verify(args: argparse.Namespace) -> int:
    try:
        verified = open_bundle(_read(args.bundle), _public_key(args.public_key))
    except BundleRejected as exc:
        raise ConfigError(f"{args.bundle}: rejected: {exc}") from None
    print(f"{args.bundle}: ok — version {verified.version}, {len(verified.files)} file(s), key {verified.key_id}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    name, version = B.publish(_read(args.bundle), Path(args.dir), _public_key(args.public_key))
    print(f"published {name} (version {version}) in {args.dir}; roll it out with `kiosk admin rollout {version} --percent 10 --dir {args.dir}`")
    return 0


def _rollout(args: argparse.Namespace) -> int:
    pointer = B.rollout(Path(args.dir), args.version, args.percent)
    print(json.dumps(pointer, ensure_ascii=False))
    return 0
