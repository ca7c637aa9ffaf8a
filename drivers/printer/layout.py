"""Layout in display columns: a hanzi (any double-byte code in Chinese mode) takes two columns.

Why columns and not characters: a 58 mm head prints 32 half-width cells (12 dots each) per line, an
80 mm head 48; a hanzi, ￥ or ， prints in the 24-dot double-byte font. Padding with ``len()``
misaligns every mixed hanzi/ASCII table, so widths come from here and nowhere else.
"""

from __future__ import annotations

import unicodedata

from kiosk.terminal.receipt import Align

#: Characters that must not start a line (禁则): closing punctuation stays with the text before it.
NO_LINE_START = set("，。、；：？！）】》」』”’,.;:?!)]}%》〉…—·")


def char_width(ch: str, double_byte_mode: bool = True) -> int:
    """Columns one character takes. In Chinese (double-byte) mode every non-ASCII code is full-width."""
    if ch == "\t":
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if ord(ch) < 0x80:
        return 1
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F"):
        return 2
    # Ambiguous (“ ” · é) and others: the printer's Chinese mode draws any multi-byte code in the
    # 24-dot font; a UTF-8 firmware follows the East Asian width.
    return 2 if double_byte_mode else (2 if eaw == "A" else 1)


def text_width(text: str, double_byte_mode: bool = True) -> int:
    return sum(char_width(ch, double_byte_mode) for ch in text)


def wrap(text: str, cols: int, double_byte_mode: bool = True) -> list[str]:
    """Wrap to ``cols`` display columns; ASCII words stay whole when they fit, closing punctuation never starts a line."""
    if cols < 2:
        raise ValueError(f"cannot wrap into {cols} column(s)")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, cols, double_byte_mode))
    return lines


def _wrap_paragraph(text: str, cols: int, dbm: bool) -> list[str]:
    lines: list[str] = []
    current = ""
    width = 0
    i = 0
    while i < len(text):
        ch = text[i]
        w = char_width(ch, dbm)
        if width + w > cols:
            line, carry = _break(current, text[i], cols, dbm)
            lines.append(line.rstrip(" "))
            current = carry.lstrip(" ") if carry.strip() else ""
            width = text_width(current, dbm)
            if ch == " " and not current:
                i += 1
                continue
        current += ch
        width += w
        i += 1
    lines.append(current.rstrip(" "))
    return lines


def _break(current: str, nxt: str, cols: int, dbm: bool) -> tuple[str, str]:
    """Where to end ``current`` given the next char: keep ASCII runs and 禁则 punctuation with their text."""
    cut = len(current)
    if nxt in NO_LINE_START and len(current) > 1:
        cut -= 1  # carry the last character down with the punctuation rather than start a line with it
    if 0 < cut <= len(current) and _wordish(current[cut - 1]) and (cut < len(current) or _wordish(nxt)):
        start = cut - 1
        while start > 0 and _wordish(current[start - 1]):
            start -= 1  # the ASCII run (ID number, amount, word) that would be split
        if start > 0 and text_width(current[start:], dbm) <= cols * 3 // 4:
            cut = start
    return current[:cut], current[cut:]


def _wordish(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def pad(text: str, cols: int, align: Align = Align.LEFT, double_byte_mode: bool = True) -> str:
    """Pad (never cut) ``text`` with spaces to ``cols`` display columns."""
    gap = max(0, cols - text_width(text, double_byte_mode))
    if align is Align.RIGHT:
        return " " * gap + text
    if align is Align.CENTER:
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


def key_value(key: str, value: str, cols: int, double_byte_mode: bool = True) -> list[str]:
    """``key：    value`` right-aligned on one line if it fits, else the value wraps under a 2-column indent."""
    head = f"{key}："
    hw = text_width(head, double_byte_mode)
    vw = text_width(value, double_byte_mode)
    if hw + vw <= cols:
        return [head + " " * (cols - hw - vw) + value]
    if hw + 2 <= cols // 2:
        body = wrap(value, cols - hw, double_byte_mode)
        return [head + body[0]] + [" " * hw + line for line in body[1:]]
    return [head] + ["  " + line for line in wrap(value, cols - 2, double_byte_mode)]


def table(headers: tuple[str, ...], rows: tuple[tuple[str, ...], ...], cols: int, weights: tuple[int, ...] = (),
          aligns: tuple[Align, ...] = (), double_byte_mode: bool = True) -> list[str]:
    """Lay out a table in ``cols`` columns with one space between cells; cells wrap inside their column."""
    n = len(headers)
    widths = column_widths(n, cols, weights)
    al = aligns or tuple([Align.LEFT] * n)
    out: list[str] = []
    for row in (headers, *rows):
        cells = [wrap(cell, widths[k], double_byte_mode) for k, cell in enumerate(row)]
        height = max(len(c) for c in cells)
        for line_no in range(height):
            parts = [pad(c[line_no] if line_no < len(c) else "", widths[k], al[k], double_byte_mode) for k, c in enumerate(cells)]
            out.append(" ".join(parts).rstrip(" "))
    return out


def column_widths(n: int, cols: int, weights: tuple[int, ...] = ()) -> list[int]:
    """Share ``cols`` minus the gaps between ``n`` columns by weight; every column gets at least 2."""
    usable = cols - (n - 1)
    if usable < 2 * n:
        raise ValueError(f"{n} columns do not fit in {cols}")
    w = weights or tuple([1] * n)
    total = sum(w)
    widths = [max(2, usable * x // total) for x in w]
    widths[-1] += usable - sum(widths)
    if widths[-1] < 2:
        raise ValueError(f"weights {w} leave no room for the last column in {cols}")
    return widths
