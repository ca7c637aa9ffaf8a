"""Every byte the terminal wrote, scanned for 张三's personal data (issue 16.4): 0 hits.

Three data dirs, each a real journey of ``kiosk simulate`` (退休一件事, persona zhangsan) in a forked process
(tests/flows/crash_child.py): one runs to the end, one dies mid-session (``os._exit(137)`` at the form, no cleanup,
as a kill -9 or a power cut), one dies after the first enqueue and is then recovered by crash recovery. Scanned:
every file under the data dir — databases, their WAL and free pages (the raw file bytes), keys, logs, session and
spool dirs, the child's own output — for the name (UTF-8, GBK, UTF-16 LE/BE, and as the receipt font's glyph ids,
decimal as fontTools' log lines print them and 2-byte big-endian as a PDF content stream holds them), the ID number,
the phone number, and any plain JPEG (the face capture and the ID card photo).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.fonts import find_cjk_font
from tests.flows.test_crash_recovery import LIFE_EVENT, _config_file, _restart

NAME = "张三"
ID_NUMBER = "500112198703152613"
PHONE = "13800000001"
PLATFORM_FILES = "platform-emulator.db"
JPEG_HEADERS = (b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\xff\xd8\xff\xe1", b"\xff\xd8\xff\xdb")


def glyph_needles() -> dict[str, bytes]:
    choice = find_cjk_font()
    if choice is None:
        return {}
    from fontTools.ttLib import TTFont

    path = Path(str(getattr(choice, "path", choice)))
    font = TTFont(path, fontNumber=getattr(choice, "index", 0) or 0, lazy=True)
    cmap = font.getBestCmap()
    gids = [font.getGlyphID(cmap[ord(c)]) for c in NAME if ord(c) in cmap]
    if len(gids) != len(NAME):
        return {}
    return {"name as glyph ids (log)": ", ".join(map(str, gids)).encode(),
            "name as glyph ids (PDF)": b"".join(g.to_bytes(2, "big") for g in gids)}


def needles() -> dict[str, bytes]:
    found = {"name utf-8": NAME.encode(), "name gbk": NAME.encode("gbk"), "name utf-16le": NAME.encode("utf-16-le"),
             "name utf-16be": NAME.encode("utf-16-be"), "id number": ID_NUMBER.encode(), "phone": PHONE.encode(),
             **glyph_needles()}
    return found


def scan(root: Path) -> list[str]:
    hits: list[str] = []
    wanted = needles()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name == "terminal.toml" or path.name.startswith(PLATFORM_FILES):
            continue  # the test's own config, and the embedded platform emulator's database (the platform's, not the terminal's)
        blob = path.read_bytes()
        hits += [f"{path.relative_to(root)}: {what}" for what, needle in wanted.items() if needle in blob]
        hits += [f"{path.relative_to(root)}: plain JPEG" for header in JPEG_HEADERS if header in blob]
    return hits


@pytest.fixture(scope="module")
def journeys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pii")
    runs = {"completed": "never", "killed": "form", "recovered": "enqueued:1"}
    dirs = {}
    for key in runs:
        (root / key).mkdir()
        _config_file(root / key)
        dirs[key] = root / key
    cmd = [sys.executable, str(Path(__file__).parents[1] / "flows" / "crash_child.py"), LIFE_EVENT, "zhangsan",
           *(f"{dirs[k]}={p}" for k, p in runs.items())]
    done = subprocess.run(cmd, env=dict(os.environ), capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-3000:]
    codes = dict(line.rsplit(" ", 1) for line in done.stdout.splitlines())
    assert codes[str(dirs["completed"])] == "0" and codes[str(dirs["killed"])] == "137" and codes[str(dirs["recovered"])] == "137", codes
    result = asyncio.run(_restart(dirs["recovered"]))
    assert result["pending"] == 0 and not result["sessions"]
    return dirs


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """Negative control: the same scan over a file holding the data in each form reports each one."""
    (tmp_path / "leak.bin").write_bytes(b"|".join(needles().values()) + JPEG_HEADERS[0])
    assert len(scan(tmp_path)) == len(needles()) + 1


@pytest.mark.parametrize("case", ["completed", "killed", "recovered"])
def test_nothing_personal_is_left_anywhere_the_terminal_wrote(journeys: dict[str, Path], case: str) -> None:
    assert scan(journeys[case]) == []
