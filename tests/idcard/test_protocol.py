"""Frame codec: the published frames byte for byte, round trips, and resync on damaged input."""

from __future__ import annotations

import pytest

from drivers.idcard import protocol as P

PUBLISHED = {  # PROTOCOLS.md §1.3, full request frames
    P.CMD_RESET: "AA AA AA 96 69 00 03 10 FF EC",
    P.CMD_SAM_STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    P.CMD_SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    P.CMD_FIND: "AA AA AA 96 69 00 03 20 01 22",
    P.CMD_SELECT: "AA AA AA 96 69 00 03 20 02 21",
    P.CMD_READ_BASE: "AA AA AA 96 69 00 03 30 01 32",
    P.CMD_READ_EXTRA_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
    P.CMD_READ_WITH_FINGERPRINT: "AA AA AA 96 69 00 03 30 10 23",
}


@pytest.mark.parametrize("command,hexframe", PUBLISHED.items())
def test_requests_match_published_frames(command: tuple[int, int], hexframe: str) -> None:
    assert P.encode_request(command) == bytes.fromhex(hexframe)


def test_set_max_frame_with_data_byte() -> None:
    assert P.encode_request((0x61, 0xFF), b"\x50") == bytes.fromhex("AAAAAA9669 0004 61FF50 CA")


def test_read_answer_header_and_total_length() -> None:
    frame = P.encode_response(0x90, b"\x01\x00\x04\x00" + bytes(256) + bytes(1024))
    assert frame[:14] == bytes.fromhex("AAAAAA9669 0508 000090 01000400")
    assert len(frame) == 1295


@pytest.mark.parametrize("body", [b"\x00\x00\x9f\x00\x00\x00\x00", b"\x00\x00\x90" + bytes(range(256)) * 5, b"\x10\xff"])
def test_round_trip(body: bytes) -> None:
    parser = P.FrameParser()
    parser.feed(P.encode_frame(body))
    assert parser.next_frame() == body
    assert parser.next_frame() is None
    assert parser.discarded == 0


def test_byte_by_byte_feed_and_wanted() -> None:
    frame = P.encode_response(0x90, bytes(100))
    parser = P.FrameParser()
    assert parser.wanted() == 7
    for i, byte in enumerate(frame):
        assert parser.next_frame() is None
        parser.feed(bytes([byte]))
        if i == 6:
            assert parser.wanted() == len(frame) - 7
    assert parser.next_frame() == bytes([0, 0, 0x90]) + bytes(100)


def test_resync_after_garbage_including_partial_preambles() -> None:
    good = P.encode_response(0x9F, b"\0\0\0\0")
    garbage = b"\x01\x02\xaa\xaa\x13\xaa\xaa\xaa\x96\x00" + bytes(range(40))
    parser = P.FrameParser(min_len=4)
    parser.feed(garbage + good[:3])
    assert parser.next_frame() is None
    parser.feed(good[3:])
    assert parser.next_frame() == b"\x00\x00\x9f\x00\x00\x00\x00"
    assert parser.discarded == len(garbage)


def test_corrupted_frame_is_counted_and_the_next_good_one_found() -> None:
    good = P.encode_response(0x90)
    bad = bytearray(P.encode_response(0x90, b"abc"))
    bad[9] ^= 0xFF  # flip a body byte: XOR no longer matches
    parser = P.FrameParser()
    parser.feed(bytes(bad) + good)
    assert parser.next_frame() == b"\x00\x00\x90"
    assert parser.bad_checksums == 1


def test_implausible_length_slides_on() -> None:
    parser = P.FrameParser(max_len=100)
    fake = P.PREAMBLE + b"\xff\xff"  # LEN 65535: cannot be a SAM answer
    parser.feed(fake + P.encode_response(0x90))
    assert parser.next_frame() == b"\x00\x00\x90"


@pytest.mark.parametrize("cut", [1, 6, 8, 12])
def test_truncated_frame_is_not_returned(cut: int) -> None:
    parser = P.FrameParser()
    parser.feed(P.encode_response(0x90, b"xyz")[:-cut])
    assert parser.next_frame() is None


def test_response_view_and_status_text() -> None:
    response = P.Response.from_body(b"\x00\x00\x80")
    assert (response.sw3, response.data) == (0x80, b"")
    assert "no card" in P.sw3_text(0x80)
