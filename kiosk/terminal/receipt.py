"""A driver-agnostic receipt document: flows build it, the printer driver encodes it, the preview renders it.

Why a model and not bytes: the same 受理回执 must reach a 58 mm or an 80 mm printer, in text mode or
rasterised, and be shown on screen before printing. Blocks carry intent (a table of materials, a QR
of the progress URL); widths, wrapping and encodings are the driver's business.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PIL is only needed by callers that add images
    from PIL.Image import Image as PILImage


class Align(str, enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextLine:
    """A paragraph, wrapped by the driver. ``width``/``height`` are character magnifications 1..8;
    ``indent`` is a left margin in half-width columns for every wrapped line (sub-items of a list)."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    width: int = 1
    height: int = 1
    indent: int = 0

    def __post_init__(self) -> None:
        if not (1 <= self.width <= 8 and 1 <= self.height <= 8):
            raise ValueError(f"text size must be 1..8, got {self.width}x{self.height}")
        if not 0 <= self.indent <= 16:
            raise ValueError(f"indent must be 0..16 columns, got {self.indent}")


@dataclass(frozen=True)
class KeyValue:
    """``key：value`` on one line when it fits; the value wraps under an indent otherwise."""

    key: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Table:
    """Rows of cells; ``weights`` share the line width between columns (default: equal)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[int, ...] = ()
    aligns: tuple[Align, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.headers)
        if n == 0:
            raise ValueError("a table needs at least one column")
        for row in self.rows:
            if len(row) != n:
                raise ValueError(f"table row {row!r} has {len(row)} cells, headers have {n}")
        if self.weights and len(self.weights) != n:
            raise ValueError("weights must match the number of columns")
        if self.aligns and len(self.aligns) != n:
            raise ValueError("aligns must match the number of columns")


@dataclass(frozen=True)
class Separator:
    char: str = "-"


@dataclass(frozen=True)
class QrCode:
    """A QR code; ``size`` is the module size in printer dots (1..16)."""

    data: str
    size: int = 6
    align: Align = Align.CENTER

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 16:
            raise ValueError(f"QR module size must be 1..16, got {self.size}")
        if not self.data:
            raise ValueError("QR data is empty")


@dataclass(frozen=True)
class ImageBlock:
    """A picture (logo, signature); the driver scales it down to the paper width and dithers it."""

    image: PILImage
    align: Align = Align.CENTER


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    partial: bool = False


Block = TextLine | KeyValue | Table | Separator | QrCode | ImageBlock | Feed | Cut


@dataclass
class ReceiptDocument:
    """An ordered list of blocks with chainable builders (``doc.text(...).kv(...).cut()``)."""

    title: str = ""
    blocks: list[Block] = field(default_factory=list)

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)

    def add(self, block: Block) -> ReceiptDocument:
        self.blocks.append(block)
        return self

    def text(self, text: str, align: Align = Align.LEFT, bold: bool = False, width: int = 1, height: int = 1,
             indent: int = 0) -> ReceiptDocument:
        return self.add(TextLine(text, align, bold, width, height, indent))

    def kv(self, key: str, value: str, bold: bool = False) -> ReceiptDocument:
        return self.add(KeyValue(key, value, bold))

    def table(self, headers: tuple[str, ...], rows: Sequence[tuple[str, ...]],
              weights: tuple[int, ...] = (), aligns: tuple[Align, ...] = ()) -> ReceiptDocument:
        return self.add(Table(tuple(headers), tuple(tuple(r) for r in rows), tuple(weights), tuple(aligns)))

    def separator(self, char: str = "-") -> ReceiptDocument:
        return self.add(Separator(char))

    def qr(self, data: str, size: int = 6, align: Align = Align.CENTER) -> ReceiptDocument:
        return self.add(QrCode(data, size, align))

    def image(self, image: PILImage, align: Align = Align.CENTER) -> ReceiptDocument:
        return self.add(ImageBlock(image, align))

    def feed(self, lines: int = 1) -> ReceiptDocument:
        return self.add(Feed(lines))

    def cut(self, partial: bool = False) -> ReceiptDocument:
        return self.add(Cut(partial))

    def plain_text(self) -> str:
        """The document's words, one block per line: for logs (already masked) and screen readers."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, TextLine):
                out.append(block.text)
            elif isinstance(block, KeyValue):
                out.append(f"{block.key}：{block.value}")
            elif isinstance(block, Table):
                out.append(" ".join(block.headers))
                out.extend(" ".join(row) for row in block.rows)
            elif isinstance(block, QrCode):
                out.append(f"[QR {block.data}]")
        return "\n".join(out)
