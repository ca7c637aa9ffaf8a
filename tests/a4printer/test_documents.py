"""The PDF renderer on its own: a Simplified-Chinese face, embedded, and text that extracts back."""

from __future__ import annotations

import datetime as dt
import subprocess

from kiosk.documents.certificate import material_notice, render_pdf
from kiosk.fonts import find_document_font


def test_the_chinese_face_is_simplified_chinese() -> None:
    face = find_document_font("serif")
    assert face.family.endswith(" SC") or face.family.startswith("WenQuanYi")


def test_notice_lists_every_problem_and_embeds_its_fonts(tmp_path) -> None:
    notice = material_notice(
        "居民身份证换领", "张*", [("户口簿", "缺少户主页"), ("照片回执", "回执编号无效（须为16位）")],
        "渝北区政务服务中心", dt.date(2026, 11, 26), "https://zwykb.cq.gov.cn/case/CQ2026", "CQ2026112600001",
    )
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_pdf(notice))
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    for expected in ("一次性告知书", "张*：", "居民身份证换领", "缺少户主页", "回执编号无效（须为16位）", "CQ2026112600001"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes yes yes " in line for line in fonts)  # embedded, subset, with ToUnicode
