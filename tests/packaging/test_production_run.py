"""The production path: the wheel installed WITHOUT the simulators runs ``kiosk run --headless`` against a
platform started separately (the emulator, in its own process, from the development install), registers
with the configured enrollment code and tells systemd READY=1; a misspelled device option stops it with
one line naming the key and exit status 78, which the unit's RestartPreventExitStatus= does not restart."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CONFIG = """\
[terminal]
id = "{tid}"
hall = "渝北区政务服务中心"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data}"

[platform]
url = "http://127.0.0.1:{port}"
enrollment_code = "{code}"
heartbeat_s = 0.5
retries = 0

[logging]
file = "-"

[devices.idcard]
url = "serial:///dev/kiosk-idcard-absent?baud={baud}"
required = false

[devices.printer]
url = "tcp://127.0.0.1:9"
required = false
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The platform emulator as somebody else's server: its own process, its own database file."""
    port, db = _free_port(), tmp_path_factory.mktemp("platform") / "platform.db"
    kiosk = Path(sys.executable).with_name("kiosk")
    server = subprocess.Popen([str(kiosk), "platform", "serve", "--port", str(port), "--db", str(db)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("the platform emulator did not start")
    yield port, db
    server.terminate()
    server.wait(10)


def _config(tmp_path: Path, port: int, *, code: str = "DEMO-ENROLL", baud: str = "115200", tid: str = "CQ-500112-PROD") -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text(CONFIG.format(data=tmp_path / "data", port=port, code=code, baud=baud, tid=tid), encoding="utf-8")
    return path


def test_installed_wheel_has_no_simulator(wheel_venv: Path, tmp_path: Path) -> None:
    """Run away from the checkout: ``python -c`` puts the cwd on sys.path, where sim/ would be a namespace package."""
    probe = "import importlib.util as u; print([m for m in ('sim', 'starlette', 'uvicorn') if u.find_spec(m)])"
    done = subprocess.run([str(wheel_venv / "bin/python"), "-c", probe], capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path)
    assert done.stdout.strip() == "[]"


def test_headless_run_reaches_ready_and_registers(wheel_venv: Path, platform: tuple[int, Path], tmp_path: Path) -> None:
    port, db = platform
    notify = tmp_path / "notify"
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.bind(str(notify))
    sink.settimeout(60)
    env = {"PATH": "/usr/bin:/bin", "NOTIFY_SOCKET": str(notify), "HOME": str(tmp_path)}
    app = subprocess.Popen([str(wheel_venv / "bin/kiosk"), "--config", str(_config(tmp_path, port)), "run", "--headless"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        messages: list[bytes] = []
        while not any(m.startswith(b"READY=1") for m in messages):
            messages.append(sink.recv(4096))
        registered = None
        for _ in range(100):  # the first heartbeat registers the terminal with the configured code
            with sqlite3.connect(db) as conn:
                registered = conn.execute("SELECT terminal_id FROM terminals WHERE terminal_id = ?", ("CQ-500112-PROD",)).fetchone()
            if registered:
                break
            time.sleep(0.1)
        assert registered, "the terminal never registered with the platform"
        assert app.poll() is None
    finally:
        app.terminate()
        out = app.communicate(timeout=30)[0]
        sink.close()
    assert app.returncode == 0, out[-3000:]


def test_a_wrong_enrollment_code_is_refused_and_the_terminal_still_serves(wheel_venv: Path, platform: tuple[int, Path],
                                                                          tmp_path: Path) -> None:
    port, db = platform
    app = subprocess.Popen([str(wheel_venv / "bin/kiosk"), "--config", str(_config(tmp_path, port, code="NOT-A-CODE", tid="CQ-500112-BADC")), "run", "--headless"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    time.sleep(4)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM terminals WHERE terminal_id = 'CQ-500112-BADC'").fetchone()[0] == 0
    assert app.poll() is None, "a refused registration must not stop the terminal"
    app.terminate()
    app.communicate(timeout=30)


def test_misspelled_device_option_exits_78_naming_the_key(wheel_venv: Path, platform: tuple[int, Path], tmp_path: Path) -> None:
    port, _ = platform
    config = _config(tmp_path, port, baud="fast")
    text = config.read_text(encoding="utf-8").replace('url = "serial:///dev/kiosk-idcard-absent?baud=fast"\nrequired = false',
                                                      'url = "serial:///dev/kiosk-idcard-absent?baud=fast"\nrequired = true')
    config.write_text(text, encoding="utf-8")
    done = subprocess.run([str(wheel_venv / "bin/kiosk"), "--config", str(config), "run", "--headless"], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 78, done.stderr[-2000:]
    assert "idcard" in done.stderr and "baud" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
