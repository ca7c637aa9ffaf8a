"""Token sanity and serial line framing (no I/O: the framer gets bytes and a fake clock)."""

from __future__ import annotations

import pytest

from drivers.barcode.protocol import MAX_LENGTH, LineFramer, check_token, decode_line
from kiosk.errors import InvalidDataError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_sanity_accepts_printable_ascii() -> None:
    assert check_token("YKM1.abc-DEF_123~") == "YKM1.abc-DEF_123~"


@pytest.mark.parametrize("bad", ["", "abc", "x" * (MAX_LENGTH + 1), "YKM1\x00abc", "YKM1.码abc", "YKM1\tabc"])
def test_token_sanity_rejects(bad: str) -> None:
    with pytest.raises(InvalidDataError):
        check_token(bad)


@pytest.mark.parametrize("terminator,wire", [("any", b"\r\n"), ("any", b"\r"), ("any", b"\n"), ("crlf", b"\r\n"), ("cr", b"\r"), ("lf", b"\n")])
def test_lines_split_on_the_configured_terminator(terminator: str, wire: bytes) -> None:
    framer = LineFramer(terminator)
    assert framer.feed(b"CODE-ONE" + wire + b"CODE-TWO" + wire) == [b"CODE-ONE", b"CODE-TWO"]


def test_line_arriving_in_pieces_is_joined() -> None:
    clock = Clock()
    framer = LineFramer("crlf", stale_s=0.5, clock=clock)
    assert framer.feed(b"YKM1.ab") == []
    clock.now += 0.1
    assert framer.feed(b"cdef\r") == []
    clock.now += 0.1
    assert framer.feed(b"\nnext") == [b"YKM1.abcdef"]


def test_stale_partial_line_is_dropped_not_glued_to_the_next_code() -> None:
    clock = Clock()
    framer = LineFramer("any", stale_s=0.5, clock=clock)
    framer.feed(b"CUT-OFF-SCA")
    clock.now += 1.0
    assert framer.feed(b"YKM1.fresh\r\n") == [b"YKM1.fresh"]
    assert framer.dropped == 1


def test_overlong_line_is_cut_to_one_past_the_limit_so_it_is_rejected_then_framing_resumes() -> None:
    framer = LineFramer("lf")
    assert framer.feed(b"A" * (MAX_LENGTH + 10)) == []
    head, after = framer.feed(b"AAAA\nYKM1.after\n")
    assert head == b"A" * (MAX_LENGTH + 1) and after == b"YKM1.after"
    with pytest.raises(InvalidDataError, match="longer than"):
        decode_line(head)


def test_decode_line_rejects_binary_garbage() -> None:
    with pytest.raises(InvalidDataError):
        decode_line(b"\xff\xfe\x00\x81garbage")
    assert decode_line(b"  YKM1.ok  ") == "YKM1.ok"


def test_unknown_terminator_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="terminator"):
        LineFramer("semicolon")
