"""Render the static 暂停服务 screens shipped in kiosk/admin/units/ (run once when the wording changes).

kiosk-paused.service shows one of these with an image viewer under cage when kiosk.service hit its start
limit: no Python and no app involved, so they are pre-rendered PNGs rather than drawn at run time.
Usage: .venv/bin/python tools/render_paused_screen.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # fonts-noto-cjk; index 2 = SC
OUT = Path(__file__).resolve().parent.parent / "kiosk" / "admin" / "units"
TITLE = "本终端暂停服务"
BODY = "请到窗口或附近终端办理"
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def render(size: tuple[int, int]) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, "#f4f6f8")
    draw = ImageDraw.Draw(image)
    title = ImageFont.truetype(FONT, width // 9 if width < height else height // 8, index=2)
    body = ImageFont.truetype(FONT, width // 16 if width < height else height // 14, index=2)
    draw.rectangle((0, 0, width, height // 10), fill="#c0392b")  # a red band: visibly not the normal attract screen
    for text, font, y, colour in ((TITLE, title, height * 0.40, "#1f2d3d"), (BODY, body, height * 0.56, "#34495e")):
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (right - left)) / 2 - left, y - (bottom - top) / 2 - top), text, font=font, fill=colour)
    return image


def main() -> None:
    for name, size in SIZES.items():
        render(size).save(OUT / f"paused-{name}.png", optimize=True)
        print(OUT / f"paused-{name}.png")


if __name__ == "__main__":
    main()
