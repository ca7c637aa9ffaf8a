"""``fleet-server``: serve | migrate | keys | enrol-code | command | bundle | rollout | maintain.

Every sub-command reads the one TOML config (``--config``, default /etc/yukuaiban-fleet/fleet.toml). The
administrator's sub-commands (enrolment codes, commands, bundles, rollouts) work on the database directly until the
console (issue 18 point 3) offers them on the web.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from fleet_server.config import FleetConfig, load_config
from fleet_server.errors import EXIT_CONFIG, FleetConfigError, FleetDatabaseError

DEFAULT_CONFIG = Path("/etc/yukuaiban-fleet/fleet.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fleet-server", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the workers (systemd: yukuaiban-fleet.service)")
    migrate = sub.add_parser("migrate", help="upgrade the database schema (Alembic) to this version's head")
    migrate.add_argument("--revision", default="head")
    sub.add_parser("keys", help="create the answer-signing and operations keys when missing; print their public keys")
    code = sub.add_parser("enrol-code", help="issue an enrolment code (one terminal, single use; or a batch code)")
    code.add_argument("--terminal")
    code.add_argument("--district")
    code.add_argument("--valid-days", type=float, default=7.0)
    cmd = sub.add_parser("command", help="queue a signed remote command for a terminal")
    cmd.add_argument("terminal")
    cmd.add_argument("type")
    cmd.add_argument("--args", default="{}", help="JSON object")
    cmd.add_argument("--by", default="cli")
    bundle = sub.add_parser("bundle", help="add a signed bundle (or release) to the static directory and the catalogue")
    bundle.add_argument("path", type=Path)
    bundle.add_argument("--version", required=True)
    bundle.add_argument("--kind", choices=["config", "release"], default="config")
    rollout = sub.add_parser("rollout", help="roll a bundle out to a share of the fleet (or change the share)")
    rollout.add_argument("--bundle")
    rollout.add_argument("--percent", type=float, default=100.0)
    rollout.add_argument("--by", default="cli")
    sub.add_parser("maintain", help="one housekeeping round: partitions, retention, nonces")
    return parser


async def _admin(config: FleetConfig, args: argparse.Namespace) -> Any:
    import asyncpg  # type: ignore[import-untyped]

    from fleet_server import catalog, commands, enrol, maintenance
    from fleet_server.state import read_key

    now = time.time()
    pool = await asyncpg.create_pool(config.database.dsn, min_size=1, max_size=2)
    try:
        bundles_dir = Path(config.storage.bundles_dir)
        if args.command == "enrol-code":
            return await enrol.issue_code(pool, now, args.terminal, args.district, args.valid_days * 86400)
        if args.command == "command":
            key = read_key(config.keys.operations_key_file)
            return await commands.queue_command(pool, key, args.terminal, args.type, json.loads(args.args), by=args.by, now=now,
                                                ttl_s=config.fleet.command_ttl_s)
        if args.command == "bundle":
            return await catalog.add_bundle(pool, bundles_dir, args.path, args.version, now, args.kind)
        if args.command == "rollout":
            if args.bundle:
                return await catalog.start_rollout(pool, bundles_dir, args.bundle, args.percent, args.by, now)
            await catalog.set_percent(pool, bundles_dir, args.percent)
            return args.percent
        if args.command == "maintain":
            return await maintenance.run_once(pool, config, now)
    finally:
        await pool.close()
    raise AssertionError(args.command)


def _keys(config: FleetConfig) -> dict[str, str]:
    from fleet_server.contract import generate
    from fleet_server.state import read_key

    out = {}
    for name, path in (("platform", config.keys.platform_key_file), ("operations", config.keys.operations_key_file)):
        file = Path(path)
        if not file.exists():
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(generate(config.keys.suite).to_pem())
            file.chmod(0o600)
        out[name] = read_key(path).public_b64()
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config)
        if args.command == "serve":
            from fleet_server.serve import serve

            return serve(config)
        if args.command == "migrate":
            from fleet_server.migrate import upgrade

            upgrade(config.database.dsn, args.revision)
            return 0
        if args.command == "keys":
            print(json.dumps(_keys(config), indent=1))
            return 0
        print(asyncio.run(_admin(config, args)))
        return 0
    except FleetConfigError as exc:
        print(f"fleet-server: config: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except FleetDatabaseError as exc:
        print(f"fleet-server: database: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
