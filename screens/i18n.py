"""Chinese first, English switchable: gettext catalogs in screens/locale, compiled with babel on demand.

Source strings are the Chinese texts themselves (the product's first language); the English catalog
translates them. The .mo files are build output: ``compile_catalogs()`` writes them next to the .po
when missing or older (CI and ``make demo`` run it at start-up), so the repo keeps only the .po.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "kiosk"


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as handle:
            catalog = read_po(handle)
        with open(mo, "wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written


class Translator:
    """``tr("轻触屏幕开始办理")`` in the current language; zh_CN returns the source string."""

    def __init__(self, language: str = "zh_CN") -> None:
        compile_catalogs()
        self.language = ""
        self._t: gettext.NullTranslations = gettext.NullTranslations()
        self.switch(language)

    def switch(self, language: str) -> None:
        self.language = language
        if language.startswith("zh"):
            self._t = gettext.NullTranslations()
        else:
            self._t = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)

    def __call__(self, text: str) -> str:
        return self._t.gettext(text) if text else text
