"""Typed device options: the URL query and the options table validated by one model per driver factory."""

from __future__ import annotations

import pytest

from drivers.idcard.options import IdCardOptions
from drivers.printer.options import PrinterOptions
from drivers.scanner.options import ScannerOptions
from drivers.speaker.options import EspeakOptions
from kiosk.errors import ConfigError
from kiosk.terminal.options import NoOptions, options_model_of, takes_options, validate_options
from sim.devices.chipcard.options import SimChipCardOptions
from sim.devices.doccam.options import SimDoccamOptions
from sim.devices.idcard.options import SimIdCardOptions
from sim.devices.speaker.options import SimSpeakerOptions


def problems(model: type, query: dict[str, str], table: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_options(model, "dev", query, table)
    return caught.value.problems


def test_query_text_is_converted_to_the_declared_types() -> None:
    opts = validate_options(SimIdCardOptions, "idcard", {"baud": "9600", "wire": "1", "card": "zhangsan"}, {"read_timeout_s": 2.5})
    assert isinstance(opts, SimIdCardOptions)
    assert (opts.baud, opts.wire, opts.card, opts.read_timeout_s) == (9600, True, "zhangsan", 2.5)


def test_a_bad_value_names_where_it_came_from_the_key_and_why() -> None:
    assert problems(SimIdCardOptions, {"baud": "fast"}, {}) == [
        "devices.dev.url ?baud=: Input should be a valid integer, unable to parse string as an integer (got 'fast')"]
    (speed,) = problems(SimSpeakerOptions, {}, {"speed": "fast"})
    assert speed.startswith("devices.dev.options.speed: ") and "'fast'" in speed


def test_an_unknown_key_is_refused_with_the_known_ones() -> None:
    (found,) = problems(IdCardOptions, {"bud": "115200"}, {})
    assert found.startswith("devices.dev.url ?bud=: unknown option (known: baud, ")


def test_a_key_given_in_the_query_and_the_table_is_refused() -> None:
    assert problems(IdCardOptions, {"baud": "9600"}, {"baud": 9600}) == [
        "devices.dev.options.baud: also given in the URL query; give it once"]


def test_every_problem_is_listed() -> None:
    assert len(problems(PrinterOptions, {"paper_mm": "70", "qr": "svg"}, {"nonsense": 1})) == 3


@pytest.mark.parametrize(("old", "new", "value", "typed"), [("paper", "paper_mm", "58mm", 58), ("speed", "rate_wpm", "150", 150)])
def test_old_key_names_still_read_into_the_unit_named_field(old: str, new: str, value: str, typed: int) -> None:
    model = PrinterOptions if new == "paper_mm" else EspeakOptions
    assert getattr(validate_options(model, "dev", {old: value}, {}), new) == typed


def test_printer_ids_are_hex_and_scanner_url_options_join_the_table() -> None:
    printer = validate_options(PrinterOptions, "printer", {"vid": "0x0416", "pid": "5011"}, {})
    assert (printer.vid, printer.pid) == (0x0416, 0x5011)
    assert "not a hex number" in problems(PrinterOptions, {"vid": "zz"}, {})[0]
    scanner = validate_options(ScannerOptions, "scanner", {"opt.resolution": "300"}, {"sane_options": {"mode": "Color"}})
    assert isinstance(scanner, ScannerOptions) and scanner.sane_options == {"mode": "Color", "resolution": "300"}


def test_sim_chipcard_slot_and_doccam_pipeline() -> None:
    chip = validate_options(SimChipCardOptions, "chipcard", {"slot": "1"}, {})
    assert isinstance(chip, SimChipCardOptions) and chip.slot == 1
    assert "slot" in problems(SimChipCardOptions, {"slot": "2"}, {})[0]
    doccam = validate_options(SimDoccamOptions, "doccam", {"scene": "a4"}, {"max_kb": 300})
    assert isinstance(doccam, SimDoccamOptions) and doccam.pipeline()["max_bytes"] == 300_000
    assert "scene" in problems(SimDoccamOptions, {"scene": "desk"}, {})[0]


def test_the_registry_reads_the_model_off_the_factory() -> None:
    @takes_options(IdCardOptions)
    def declared(spec: object, bus: object) -> None: ...

    def bare(spec: object, bus: object) -> None: ...

    assert options_model_of(declared) is IdCardOptions
    assert options_model_of(bare) is None
    assert problems(NoOptions, {"x": "1"}, {})[0].startswith("devices.dev.url ?x=: unknown option")
