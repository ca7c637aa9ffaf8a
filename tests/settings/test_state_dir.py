"""The data dir: the config decides it, and what the example config names the unit can write.

Why: kiosk.service runs under ``ProtectSystem=strict``, where all of / is read-only except the
directories the unit declares. A data dir, key or log file outside them starts fine on a developer's
machine and fails on the terminal at the first write; an environment variable that moved the data dir
(KIOSK_DATA_DIR, XDG_STATE_HOME) made the unit and the config disagree about where the store is.
"""

from __future__ import annotations

import configparser
from pathlib import Path, PurePosixPath

import pytest

from kiosk.admin.install import TEMPLATES
from kiosk.log_plan import LogPlan
from kiosk.settings import load_config, parse_config
from kiosk.settings.model import STATE_DIR

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "terminal.example.toml"
UNIT = TEMPLATES / "kiosk.service"
BASE = """
[terminal]
id = "T"
hall = "H"
district_code = "500112"
district_name = "渝北区"
{data_dir}
[platform]
url = "https://platform.example"
enrollment_code = "E"
"""
# ProtectSystem=strict leaves these writable when the unit declares them (systemd.exec(5)).
MANAGED = {"StateDirectory": "/var/lib", "LogsDirectory": "/var/log", "RuntimeDirectory": "/run", "CacheDirectory": "/var/cache"}


def _service_section() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)  # units repeat keys (Environment=)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser["Service"]


def writable_paths() -> list[PurePosixPath]:
    service = _service_section()
    assert service.get("ProtectSystem") == "strict", "the test reads the strict sandbox's writable list"
    paths = [PurePosixPath(base, name) for key, base in MANAGED.items() for name in service.get(key, "").split()]
    paths += [PurePosixPath(p.lstrip("-+")) for p in service.get("ReadWritePaths", "").split()]
    if service.get("PrivateTmp") == "yes":
        paths += [PurePosixPath("/tmp"), PurePosixPath("/var/tmp")]
    return paths


def is_writable(path: Path) -> bool:
    return any(PurePosixPath(path).is_relative_to(allowed) for allowed in writable_paths())


def test_the_unit_sets_no_data_dir_variable() -> None:
    environment = [line for line in UNIT.read_text(encoding="utf-8").splitlines() if line.startswith("Environment=")]
    assert environment and not [line for line in environment if "DATA_DIR" in line or "XDG_STATE" in line]


def test_empty_data_dir_is_the_units_state_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", "/tmp/elsewhere")  # read by nothing any more
    monkeypatch.setenv("XDG_STATE_HOME", "/tmp/elsewhere-too")
    config = parse_config(BASE.format(data_dir=""))
    assert config.terminal.data_path() == STATE_DIR
    assert [PurePosixPath(STATE_DIR)] == [p for p in writable_paths() if p.is_relative_to("/var/lib")]
    assert parse_config(BASE.format(data_dir='data_dir = "/srv/kiosk"')).terminal.data_path() == Path("/srv/kiosk")


def test_example_config_writes_only_where_the_unit_may() -> None:
    config = load_config(EXAMPLE)
    data_dir = config.terminal.data_path()
    written = {
        "terminal.data_dir": data_dir,
        "platform.key_file": Path(config.platform.key_file) if config.platform.key_file else data_dir / "terminal.key",
    }
    log_file = LogPlan.of(config).file
    if log_file is not None:
        written["logging.file"] = log_file
    outside = {key: str(path) for key, path in written.items() if not is_writable(path)}
    assert not outside, f"not writable under kiosk.service's ProtectSystem=strict: {outside} (writable: {writable_paths()})"


def test_the_check_would_catch_a_path_the_unit_cannot_write() -> None:
    assert is_writable(STATE_DIR / "kiosk.db")
    assert not is_writable(Path("/etc/yukuaiban-kiosk/data"))  # ConfigurationDirectory= stays read-only
    assert not is_writable(Path("/home/kiosk/.local/state/yukuaiban-kiosk"))  # ProtectHome=yes
    assert not is_writable(Path("/var/lib/yukuaiban-kiosk-other"))


def test_the_demo_chooses_its_own_data_dir_in_the_sim(tmp_path: Path) -> None:
    from sim.config import DEMO_CONFIG, demo_config, demo_data_dir, write_demo_config

    assert load_config(DEMO_CONFIG).terminal.data_dir == ""  # the file leaves it to sim.config …
    assert demo_config().terminal.data_path() == demo_data_dir() == Path.home() / ".local/state/yukuaiban-kiosk-demo"  # … per user
    assert demo_config(data_dir=tmp_path).terminal.data_path() == tmp_path
    written = write_demo_config(tmp_path / "t.toml", tmp_path / "data")
    assert load_config(written).terminal.data_path() == tmp_path / "data"  # what a `kiosk --config FILE` process reads
    assert demo_config(written).terminal.data_path() == tmp_path / "data"
