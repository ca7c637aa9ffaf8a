"""Chinese line breaking, as a pure function (no Kivy): Kivy's own wrapping breaks CJK text at any character
that overflows, so labels ended on one lonely character ("查询打/印", "办不成事反/映") or began a line with a
closing bracket ("）"). ``break_lines`` applies the two rules of Chinese typesetting the kiosk needs:

* 避头 — a closing punctuation mark (，。、；：？！）》」』】” …) never starts a line; it stays with the character
  before it. An opening mark (（《「『【“) never ends a line; it goes down with the character after it.
* 孤字 — the last line of a paragraph is never a single character (nor one ideograph beside a count, "资 (6)"):
  the previous line gives one unit down.

Latin words, numbers and URLs are one unit (never split between letters) unless a unit alone is wider than the
line; then it is cut after a ``/ ? & = - .`` when one fits, else at the widest prefix that fits.

``measure`` is the renderer's width of a string (Kivy's ``CoreLabel.get_extents`` in screens/widgets/wrap.py;
a per-character constant in the tests), so the lines returned are exactly what the renderer will draw.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CLOSING = set("，。、；：？！）》」』】〕〉”’…—%‰,.;:?!)]}·～")
OPENING = set("（《「『【〔〈“‘([{")
#: A run that is one unit: Latin letters, digits and the characters of numbers, codes and URLs.
_WORD = re.compile(r"[A-Za-z0-9_@#$&*+=/\\:.\-?%~']+")
_URL_BREAKS = "/?&=-."


def units(paragraph: str) -> list[str]:
    """The paragraph cut where a line may break: CJK characters one by one, Latin words and spaces whole,
    closing marks glued to the unit before, opening marks to the unit after."""
    raw: list[str] = []
    i = 0
    while i < len(paragraph):
        match = _WORD.match(paragraph, i)
        if match:
            raw.append(match.group())
            i = match.end()
        else:
            raw.append(paragraph[i])
            i += 1
    out: list[str] = []
    pending_open = ""
    for unit in raw:
        if unit in OPENING:
            pending_open += unit
        elif out and (unit[0] in CLOSING and not pending_open) and not out[-1].isspace():
            out[-1] += unit
        else:
            out.append(pending_open + unit)
            pending_open = ""
    if pending_open:
        out.append(pending_open)
    return out


def _split_long(unit: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """A unit wider than the line (a URL, a long number): cut at the last URL separator that fits, else at the
    widest prefix that fits (never fewer than one character a piece)."""
    pieces: list[str] = []
    rest = unit
    while rest and measure(rest) > width:
        fit = 1
        while fit < len(rest) and measure(rest[: fit + 1]) <= width:
            fit += 1
        cut = max((k + 1 for k in range(fit) if rest[k] in _URL_BREAKS), default=fit)
        cut = cut if cut > fit // 2 else fit  # a separator near the start would leave a short line
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or char >= "\U00020000"


def _is_orphan(line: str) -> bool:
    """One character alone, or one ideograph with only a count or marks beside it ("资 (6)")."""
    visible = [c for c in line.strip() if c not in CLOSING and c not in OPENING]
    return len(visible) == 1 or sum(map(_is_cjk, visible)) == 1


def _break_paragraph(paragraph: str, width: float, measure: Callable[[str], float]) -> list[str]:
    if not paragraph or measure(paragraph) <= width:
        return [paragraph]
    lines: list[list[str]] = [[]]
    for unit in units(paragraph):
        pieces = _split_long(unit, width, measure) if measure(unit) > width else [unit]
        for piece in pieces:
            current = lines[-1]
            if current and measure("".join(current) + piece) > width:
                if piece.isspace():
                    continue  # a space that would start the next line is dropped
                lines.append([piece])
            else:
                current.append(piece)
    for line in lines:  # no line ends on the space where it broke
        while len(line) > 1 and line[-1].isspace():
            line.pop()
    if len(lines) > 1 and _is_orphan("".join(lines[-1])) and len(lines[-2]) > 1:
        moved = lines[-2].pop()
        if measure(moved + "".join(lines[-1])) <= width:
            lines[-1].insert(0, moved)
        else:
            lines[-2].append(moved)
    return ["".join(line) for line in lines]


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` broken into lines no wider than ``width`` by the rules above; its own newlines are kept."""
    if width <= 0:
        return text.split("\n")
    return [line for paragraph in text.split("\n") for line in _break_paragraph(paragraph, width, measure)]


def break_text(text: str, width: float, measure: Callable[[str], float]) -> str:
    return "\n".join(break_lines(text, width, measure))
