"""Every key of config/terminal.example.toml reaches the object that uses it.

Each key gets a value that differs from the example and from the schema default; the whole terminal is
then assembled from that one config (kiosk.assembly.assemble, no device opened, no socket) and each value
is looked for on the collaborator built from it. A key added to the example without a line here, or a key
the composition root drops on the floor (as ``enrollment_code`` and ``ui.font`` were), fails the test.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.log_plan import LogPlan
from kiosk.settings import parse_config
from kiosk.terminal.status import DeviceClass

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "terminal.example.toml"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
PIN_HASH = "pbkdf2-sha256$200000$ZGVtby10ZXJtaW5hbC0wMQ==$fy1Kd60ObtekPFdkGgRde9SjEQNYj5RfuShEpTn3fKo="

Probe = Callable[[Assembly], Any]


def ui(assembly: Assembly) -> Any:
    from screens.run_app import ui_options

    return ui_options(assembly.config)


# key → (value to set, where the built terminal carries it)
SETTINGS: dict[str, tuple[Any, Probe]] = {
    "terminal.id": ("CQ-500113-0042", lambda a: a.services.link.client.terminal_id),
    "terminal.hall": ("巴南区政务服务中心", lambda a: a.services.link.client.hall),
    "terminal.district_code": ("500113", lambda a: a.services.link.client.district_code),
    "terminal.district_name": ("巴南区", lambda a: a.services.config.terminal.district_name),
    "terminal.orientation": ("landscape", lambda a: ui(a).orientation),
    "terminal.language": ("en", lambda a: ui(a).language),
    "terminal.data_dir": (None, lambda a: a.store.path.parent),  # set per test to tmp_path
    "session.idle_timeout_s": (45.0, lambda a: a.services.config.session.idle_timeout_s),
    "session.idle_warning_s": (12.0, lambda a: a.services.config.session.idle_warning_s),
    "session.elder_timeout_factor": (3.0, lambda a: a.services.config.session.elder_timeout_factor),
    "platform.url": ("https://platform.cq.example", lambda a: a.services.link.client.transport.base_url),
    "platform.timeout_s": (7.5, lambda a: a.services.link.client.transport.http.timeout.read),
    "platform.retries": (2, lambda a: a.services.link.client.transport.retries),
    "platform.key_file": (None, lambda a: a.config.platform.key_file if Path(a.config.platform.key_file).exists() else None),
    "platform.bundle_public_key": ("MCowBQYDK2VwAyEA" + "A" * 28, lambda a: a.fleet.configs.public_key),
    "platform.bundle_url": ("https://cdn.cq.example/bundles", lambda a: a.fleet.agent.updater.client.base_url),
    "platform.heartbeat_s": (12.0, lambda a: a.fleet.agent.policy.period_s),
    "platform.enrollment_code": ("CQ-ENROLL-7Q2X", lambda a: a.services.link.client.enrollment_code),
    "maintenance.totp_secret": (SECRET, lambda a: a.fleet.auth.totp_secret),
    "maintenance.max_failures": (3, lambda a: a.fleet.auth.max_failures),
    "maintenance.lockout_s": (600.0, lambda a: a.fleet.auth.lockout_s),
    "maintenance.technicians": ({"JX500113009": PIN_HASH}, lambda a: a.fleet.auth.technicians),
    "logging.level": ("WARNING", lambda a: LogPlan.of(a.config).level),
    "logging.file": (None, lambda a: LogPlan.of(a.config).file),  # set per test
    "logging.max_mb": (5, lambda a: LogPlan.of(a.config).max_mb),
    "logging.keep_files": (3, lambda a: LogPlan.of(a.config).keep_files),
    "ui.fullscreen": (False, lambda a: __import__("screens.run_app", fromlist=["x"]).fullscreen(a.config)),
    "ui.font": (FONT, lambda a: ui(a).font),
    "ui.elder_font_scale": (2.0, lambda a: ui(a).elder_font_scale),
    "xfs.enabled": (True, lambda a: a.app.xfs is not None),
    "xfs.host": ("::1", lambda a: a.app.xfs.options.host),
    "xfs.port": (5850, lambda a: a.app.xfs.options.port),
    "xfs.token": ("t" * 32, lambda a: a.app.xfs.options.token),
}
DEVICE_KEYS = {"url", "required", "timeout_s", "options"}


def _leaves(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in SETTINGS:
            out.update(_leaves(value, path + "."))
        else:
            out[path] = value
    return out


def _set(table: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        table = table.setdefault(part, {})
    table[last] = value


def _changed_config(tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw.setdefault("maintenance", {}).setdefault("technicians", {})
    key_file = tmp_path / "keys" / "terminal.pem"
    wanted = {**{k: v for k, (v, _) in SETTINGS.items()}, "terminal.data_dir": str(tmp_path / "data"),
              "platform.key_file": str(key_file), "logging.file": str(tmp_path / "log" / "kiosk.jsonl")}
    for path, value in wanted.items():
        _set(raw, path, value)
    return raw, wanted


def _toml(raw: dict[str, Any]) -> str:
    """A tiny TOML writer for the example's shapes (tables of scalars and string maps)."""
    def scalar(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines: list[str] = []

    def table(name: str, body: dict[str, Any]) -> None:
        lines.append(f"[{name}]")
        subs = []
        for k, v in body.items():
            if isinstance(v, dict):
                subs.append((k, v))
            else:
                lines.append(f'"{k}" = {scalar(v)}')
        for k, v in subs:
            table(f'{name}."{k}"' if not k.isidentifier() else f"{name}.{k}", v)

    for name, body in raw.items():
        table(name, body)
    return "\n".join(lines) + "\n"


def test_every_example_key_has_a_probe() -> None:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw.setdefault("maintenance", {}).setdefault("technicians", {})
    devices = raw.pop("devices")
    assert sorted(_leaves(raw)) == sorted(SETTINGS), "a key of the example config has no probe here (or the reverse)"
    assert {cls.value for cls in DeviceClass} == set(devices), "the example config documents every device class"
    for name, entry in devices.items():
        assert set(entry) <= DEVICE_KEYS, (name, set(entry) - DEVICE_KEYS)


def test_every_changed_key_reaches_what_uses_it(tmp_path: Path) -> None:
    raw, wanted = _changed_config(tmp_path)
    config = parse_config(_toml(raw), "changed.toml")
    assembly = assemble(config)
    try:
        for path, (_, probe) in SETTINGS.items():
            want = wanted[path]
            got = probe(assembly)
            if path in ("terminal.data_dir",):
                want, got = Path(want), Path(got)
            if path == "logging.file":
                want = Path(want)
            assert got == want, f"{path}: set {want!r}, the built terminal has {got!r}"
        assert assembly.fleet.log_dir == Path(wanted["logging.file"]).parent
        assert assembly.services.data_dir == Path(wanted["terminal.data_dir"])
    finally:
        assembly.fleet.counters.close()
        assembly.store.close()
        assembly.services.link.outbox.close()


@pytest.mark.parametrize("cls", [c.value for c in DeviceClass])
def test_device_entries_reach_their_device(tmp_path: Path, cls: str) -> None:
    """url, required, timeout_s and every option of each [devices.X] end up on the device built for it."""
    raw, _ = _changed_config(tmp_path)
    entry = raw["devices"][cls]
    entry["required"] = not entry.get("required", True)
    entry["timeout_s"] = float(entry.get("timeout_s", 10)) + 1.5
    config = parse_config(_toml(raw), "changed.toml")
    assembly = assemble(config)
    try:
        spec = assembly.terminal.specs[DeviceClass(cls)]
        assert spec.url.raw == entry["url"]
        assert spec.required is entry["required"] and spec.timeout_s == entry["timeout_s"]
        options = spec.options if isinstance(spec.options, dict) else spec.options.model_dump()
        for key, value in entry.get("options", {}).items():
            assert options.get(key) == value, f"devices.{cls}.options.{key}"
    finally:
        assembly.fleet.counters.close()
        assembly.store.close()
        assembly.services.link.outbox.close()
