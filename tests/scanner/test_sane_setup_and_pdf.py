"""``sane:`` URLs, the process-wide libsane guard, a missing python-sane, and scan → PDF."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from drivers.scanner.protocol import MODE_HINTS, SOURCE_HINTS, fault_for, pick_choice, status_name
from drivers.scanner.sanelib import LIBRARY
from drivers.scanner.topdf import pages_to_pdf
from kiosk.errors import DeviceUnavailableError
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import EventBus
from kiosk.terminal.media import CapturedPage
from kiosk.terminal.registry import build_device
from sim.devices.scanner.emulator import ScannerEmulator

from .conftest import scanner_spec

ROOT = Path(__file__).resolve().parents[2]


async def test_sane_url_with_backend_options() -> None:
    config = ScannerEmulator().config_dir
    device = build_device(scanner_spec(f"sane:test:1?config_dir={config}&opt.test-picture=Solid%20white"), EventBus())
    assert (await device.open()).ok
    done = await device.scan(mode="gray", dpi=30)
    await device.close()
    assert done.ok, done.description
    pixels = Image.open(io.BytesIO(done.data[0].data)).getextrema()
    assert pixels[0] > 240  # solid white, as the option asked
    assert LIBRARY.users == 0  # sane_exit ran after the last close


async def test_missing_device_is_device_not_ready() -> None:
    device = build_device(scanner_spec(f"sane:nosuch:0?config_dir={ScannerEmulator().config_dir}"), EventBus())
    opened = await device.open()
    await device.close()
    assert opened.code is CompletionCode.DEVICE_NOT_READY
    assert "nosuch:0" in opened.description


def test_a_second_config_dir_in_one_process_is_refused(tmp_path: Path) -> None:
    LIBRARY.acquire(ScannerEmulator().config_dir)
    try:
        with pytest.raises(DeviceUnavailableError, match="already initialised"):
            LIBRARY.acquire(str(tmp_path))
    finally:
        LIBRARY.release()
    assert LIBRARY.users == 0


def test_missing_python_sane_is_an_unavailable_status_not_a_crash() -> None:
    code = (
        "import sys, asyncio; sys.modules['sane'] = None\n"
        "from kiosk.terminal.events import EventBus\n"
        "from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device\n"
        "from kiosk.terminal.status import DeviceClass\n"
        "d = build_device(DeviceSpec('scanner', DeviceClass.SCANNER, DeviceUrl.parse('sane:test:0')), EventBus())\n"
        "c = asyncio.run(d.open()); print(c.code.value, '|', c.description)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("device_not_ready |")
    assert "python-sane not installed" in done.stdout


def test_status_texts_and_choices() -> None:
    assert status_name("Document feeder jammed") == "JAMMED"
    assert fault_for("Scanner cover is open").code is CompletionCode.USER_ERROR
    assert fault_for("Something new").code is CompletionCode.HARDWARE_ERROR
    assert pick_choice("adf", ["Flatbed", "ADF Duplex"], SOURCE_HINTS) == "ADF Duplex"
    assert pick_choice("grey", ["Lineart", "Gray", "Color"], MODE_HINTS) == "Gray"
    assert pick_choice("adf", ["Flatbed"], SOURCE_HINTS) is None


async def test_adf_batch_to_a_multipage_pdf(sim_scanner) -> None:
    done = await sim_scanner.scan(source="adf", mode="color", dpi=100, max_pages=4)
    assert done.ok
    pdf = pages_to_pdf(done.data, title="材料")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert abs(width_mm - done.detail["area_mm"][0]) < 1.0
    assert len(pdf) < sum(len(p.data) for p in done.data) + 4 * 2000  # JPEGs embedded as-is


def test_pdf_pages_are_shrunk_to_the_byte_budget() -> None:
    noise = Image.effect_noise((1200, 1600), 80).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    page = CapturedPage(out.getvalue(), "image/jpeg", 1200, 1600, 300, "scanner")
    assert len(page.data) > 200_000
    pdf = pages_to_pdf([page], max_bytes_per_page=100_000)
    assert len(pdf) < 110_000
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) / 72 * 25.4 - 1200 / 300 * 25.4) < 0.5  # still the paper size
