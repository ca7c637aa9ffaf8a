"""Key codes → characters for keyboard-wedge scanners (no I/O: events in, lines out, a fake clock)."""

from __future__ import annotations

import struct

import pytest

from drivers.barcode.evdev import EVENT_FORMAT, EVENT_SIZE, EVIOCGNAME, EVIOCGRAB, pack_event
from drivers.barcode.keymap import (
    EV_KEY,
    EV_SYN,
    KEY_CAPSLOCK,
    KEY_ENTER,
    KEY_LEFTALT,
    KEY_LEFTCTRL,
    KEY_LEFTSHIFT,
    KEY_TAB,
    SYN_DROPPED,
    US_LAYOUT,
    KeyTranslator,
)

# linux/input-event-codes.h, written out here independently of the driver's row tables
KEY_Y, KEY_K, KEY_M, KEY_1, KEY_DOT, KEY_MINUS, KEY_A, KEY_Z = 21, 37, 50, 2, 52, 12, 30, 44
KEY_SLASH, KEY_102ND, KEY_KP7, KEY_KPENTER = 53, 86, 71, 96


class Clock:
    def __init__(self) -> None:
        self.now = 10.0

    def __call__(self) -> float:
        return self.now


def press(keys: KeyTranslator, code: int) -> list:  # type: ignore[type-arg]
    return keys.feed(EV_KEY, code, 1) + keys.feed(EV_SYN, 0, 0) + keys.feed(EV_KEY, code, 0) + keys.feed(EV_SYN, 0, 0)


def shifted(keys: KeyTranslator, code: int) -> list:  # type: ignore[type-arg]
    keys.feed(EV_KEY, KEY_LEFTSHIFT, 1)
    out = press(keys, code)
    keys.feed(EV_KEY, KEY_LEFTSHIFT, 0)
    return out


def test_the_kernel_abi_constants() -> None:
    assert EVIOCGRAB == 0x40044590  # _IOW('E', 0x90, int), as in linux/input.h
    assert EVIOCGNAME(256) == 0x81004506
    assert EVENT_SIZE == struct.calcsize("@llHHi") == (24 if struct.calcsize("l") == 8 else 16)
    assert struct.unpack(EVENT_FORMAT, pack_event(EV_KEY, KEY_A, 1, 5, 7)) == (5, 7, EV_KEY, KEY_A, 1)


def test_us_layout_map_matches_the_kernel_key_codes() -> None:
    assert US_LAYOUT[KEY_Y] == ("y", "Y") and US_LAYOUT[KEY_K] == ("k", "K") and US_LAYOUT[KEY_M] == ("m", "M")
    assert US_LAYOUT[KEY_1] == ("1", "!") and US_LAYOUT[KEY_DOT] == (".", ">") and US_LAYOUT[KEY_MINUS] == ("-", "_")
    assert US_LAYOUT[KEY_Z] == ("z", "Z") and US_LAYOUT[KEY_SLASH] == ("/", "?")
    printable = {ch for pair in US_LAYOUT.values() for ch in pair if ch.isprintable()}
    assert printable == {chr(c) for c in range(0x20, 0x7F)}  # every printable ASCII character is typeable


def test_shift_makes_upper_case_and_enter_ends_the_code() -> None:
    keys = KeyTranslator()
    for code in (KEY_Y, KEY_K, KEY_M):
        assert shifted(keys, code) == []
    press(keys, KEY_1)
    press(keys, KEY_DOT)
    shifted(keys, KEY_MINUS)
    press(keys, KEY_A)
    (line,) = press(keys, KEY_ENTER)
    assert line.text == "YKM1._a" and not line.problems


def test_caps_lock_inverts_letters_only_and_keypad_types_digits() -> None:
    keys = KeyTranslator()
    press(keys, KEY_CAPSLOCK)
    press(keys, KEY_A)
    shifted(keys, KEY_Z)
    press(keys, KEY_1)
    press(keys, KEY_KP7)
    (line,) = press(keys, KEY_KPENTER)
    assert line.text == "Az17"


def test_enter_alone_is_no_code_and_tab_is_payload_unless_it_is_the_terminator() -> None:
    keys = KeyTranslator("enter")
    assert press(keys, KEY_ENTER) == []
    press(keys, KEY_A)
    press(keys, KEY_TAB)
    assert press(keys, KEY_ENTER)[0].text == "a\t"
    tab = KeyTranslator("tab")
    press(tab, KEY_A)
    assert press(tab, KEY_TAB)[0].text == "a"


def test_what_the_layout_cannot_type_is_a_problem_not_a_guess() -> None:
    keys = KeyTranslator()
    press(keys, KEY_A)
    press(keys, KEY_102ND)  # the ISO key left of Z: no US character
    (line,) = press(keys, KEY_ENTER)
    assert any("key code 86" in p for p in line.problems)
    keys.feed(EV_KEY, KEY_LEFTCTRL, 1)
    press(keys, KEY_A)
    keys.feed(EV_KEY, KEY_LEFTCTRL, 0)
    (line,) = press(keys, KEY_ENTER)
    assert any("Ctrl" in p for p in line.problems)


def test_alt_keypad_digits_type_a_character_by_number() -> None:
    keys = KeyTranslator()
    keys.feed(EV_KEY, KEY_LEFTALT, 1)
    for code in (75, 81, 82):  # KP4 KP3 KP0: character number 430 (U+01AE)
        press(keys, code)
    keys.feed(EV_KEY, KEY_LEFTALT, 0)
    (line,) = press(keys, KEY_ENTER)
    assert line.text == chr(430) and line.problems  # not ASCII: flagged
    keys.feed(EV_KEY, KEY_LEFTALT, 1)
    for code in (79, 80):  # KP1 KP2 → 12 → form feed, a control character: flagged too
        press(keys, code)
    keys.feed(EV_KEY, KEY_LEFTALT, 0)
    assert press(keys, KEY_ENTER)[0].problems


def test_syn_dropped_marks_the_line_and_a_stale_partial_is_dropped() -> None:
    clock = Clock()
    keys = KeyTranslator(stale_s=0.5, clock=clock)
    press(keys, KEY_A)
    keys.feed(EV_SYN, SYN_DROPPED, 0)
    (line,) = press(keys, KEY_ENTER)
    assert any("SYN_DROPPED" in p for p in line.problems)
    press(keys, KEY_A)
    clock.now += 1.0
    press(keys, KEY_Z)
    assert press(keys, KEY_ENTER)[0].text == "z"
    assert keys.dropped == 1


def test_unknown_terminator_is_refused() -> None:
    with pytest.raises(ValueError, match="terminator"):
        KeyTranslator("semicolon")


def test_an_autorepeated_key_flags_the_code_instead_of_typing_more() -> None:
    keys = KeyTranslator()
    press(keys, KEY_A)
    keys.feed(EV_KEY, KEY_Z, 1)
    keys.feed(EV_KEY, KEY_Z, 2)  # held past the repeat delay
    keys.feed(EV_KEY, KEY_Z, 0)
    (line,) = press(keys, KEY_ENTER)
    assert line.text == "az" and any("autorepeat" in p for p in line.problems)
