"""Polyphones read right: every lexicon entry checked on espeak-ng's own phoneme output (``-q -x``).

The expectation is written independently of the driver: a pinyin syllable's initial and tone map
to espeak-ng's cmn mnemonics (zh → ``ts.``, ch → ``ts.h``, h → ``X`` …; tone 1 → 55, 2 → 35,
3 → 214, or 21/35 by sandhi, 4 → 51, neutral → 11..44), and its segments (tones stripped) must be
those espeak-ng gives the pinyin syllables read on their own (hai vs huan). The same check on the
raw text must fail for the polyphones the lexicon exists for, or the test proves nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin

from drivers.speaker.lexicon import Lexicon
from drivers.speaker.service import SpeakerService
from drivers.speaker.tts import DEFAULT_VOICE, phonemes, synthesize
from kiosk.errors import ConfigError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass

LEXICON = Lexicon.packaged()

INITIALS = {  # pinyin initial → espeak-ng cmn mnemonic (longest pinyin first)
    "zh": "ts.", "ch": "ts.h", "sh": "s.", "r": "z.", "z": "ts", "c": "tsh", "s": "s", "j": "tS;", "q": "tS;h", "x": "S;",
    "b": "p", "p": "ph", "m": "m", "f": "f", "d": "t", "t": "th", "n": "n", "l": "l", "g": "k", "k": "kh", "h": "X",
}
TONES = {"1": {"55"}, "2": {"35"}, "3": {"214", "21", "35"}, "4": {"51"}, "5": {"11", "22", "33", "44"}}
NOT_IN_PYPINYIN = {  # pypinyin 0.55's phrase dictionary has these wrong; 现代汉语词典 agrees with the lexicon
    "重试": "zhong4 shi4 — 重试 is chóngshì (try again)",
    "还款": "hai2 kuan3 — 还款 is huánkuǎn (repay)",
}


def syllables(espeak_phonemes: str) -> list[str]:
    """One mnemonic string per spoken syllable (espeak-ng ends each Chinese word with ``_|``)."""
    return [s for s in re.split(r"_\|?|\s+", espeak_phonemes.replace("'", "")) if s]


def mismatches(word: str, reading: str, spoken: str) -> list[str]:
    """Where espeak-ng's syllables differ from the pinyin's initials and tones (empty: read right)."""
    got = syllables(spoken)
    want = reading.split()
    segments = [re.sub(r"\d+", "", m) for m in syllables(phonemes(reading, DEFAULT_VOICE))]  # the pinyin, no lexicon
    if len(got) != len(want) or len(segments) != len(want):
        return [f"{len(got)} syllables for {len(want)}: {spoken.strip()}"]
    wrong = []
    for pinyin, mnemonic, segment in zip(want, got, segments, strict=True):
        if re.sub(r"\d+", "", mnemonic) != segment:
            wrong.append(f"{pinyin}: {mnemonic!r} is not {segment!r}")
        initial = next((i for i in sorted(INITIALS, key=len, reverse=True) if pinyin.startswith(i)), "")
        tone = re.search(r"\d+", mnemonic)
        if initial:
            expected = INITIALS[initial]
            aspirated_too = mnemonic.startswith(expected + "h") and not expected.endswith("h")
            if not mnemonic.startswith(expected) or aspirated_too:
                wrong.append(f"{pinyin}: initial of {mnemonic!r} is not {expected!r}")
        if tone is None or tone.group(0) not in TONES[pinyin[-1]]:
            wrong.append(f"{pinyin}: tone of {mnemonic!r} is not {'/'.join(sorted(TONES[pinyin[-1]]))}")
    return wrong


def test_the_lexicon_covers_the_polyphones_of_the_brief_and_about_twenty_more() -> None:
    for word in ("重庆", "重新", "重试", "银行", "长辈", "长期", "还款", "行政", "处理", "办事处"):
        assert word in LEXICON.words
    assert len(LEXICON) >= 20


@pytest.mark.parametrize("word", sorted(LEXICON.words))
def test_each_entry_is_spoken_as_its_pinyin(word: str) -> None:
    spoken = phonemes(word, DEFAULT_VOICE, LEXICON)
    assert mismatches(word, LEXICON.words[word], spoken) == []
    assert "(en)" not in spoken


@pytest.mark.parametrize("word", sorted(LEXICON.words))
def test_each_entry_agrees_with_an_independent_dictionary(word: str) -> None:
    reading = LEXICON.words[word]
    theirs = " ".join(lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True))
    if word in NOT_IN_PYPINYIN:
        assert theirs != reading, f"pypinyin now reads {word} as {theirs}: drop it from NOT_IN_PYPINYIN"
    else:
        assert theirs == reading


def test_without_the_lexicon_espeak_reads_the_polyphones_wrong() -> None:
    wrong = {word for word, reading in LEXICON.words.items() if mismatches(word, reading, phonemes(word, DEFAULT_VOICE))}
    assert {"重庆", "重新", "重试", "银行", "长辈", "还款", "处理", "地址"} <= wrong
    assert len(wrong) >= 20  # all but the few kept as guards (行政, 长期, 办事处 are right in espeak-ng 1.51)


def test_in_a_sentence_the_neighbours_keep_their_sandhi() -> None:
    spoken = syllables(phonemes("请重新扫描", DEFAULT_VOICE, LEXICON))
    assert spoken[0].endswith("21N")  # 请 qǐng before a non-third tone: half third
    assert spoken[1] == "ts.hong35"  # 重 chóng
    assert syllables(phonemes("到3号窗口办理银行卡", DEFAULT_VOICE, LEXICON))[-2] == "Xa35N"  # 行 háng next to a digit


def test_the_speak_path_uses_the_lexicon() -> None:
    service = build_device(DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse("sim:speaker"), timeout_s=10), EventBus())
    assert isinstance(service, SpeakerService) and service.lexicon is not None
    assert service.capabilities()["lexicon_words"] == len(LEXICON)
    prompt = "欢迎来到重庆，请重新扫描"
    with_lexicon = synthesize(prompt, lambda: 10.0, lexicon=LEXICON)
    assert with_lexicon == synthesize("欢迎来到 chong2 qing4 ，请 chong2 xin1 扫描", lambda: 10.0)
    assert with_lexicon != synthesize(prompt, lambda: 10.0)


async def test_spoken_prompt_is_recorded_as_given_and_synthesized_with_the_lexicon() -> None:
    service = build_device(DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse("sim:speaker"), timeout_s=10), EventBus())
    assert isinstance(service, SpeakerService)
    assert (await service.open()).ok
    try:
        assert (await service.speak("请到银行窗口")).ok
        wav = service.emulator.last_wav().read_bytes()
        assert service.emulator.spoken == ["请到银行窗口"]
        assert wav == synthesize("请到银行窗口", lambda: 10.0, lexicon=LEXICON)
        assert wav != synthesize("请到银行窗口", lambda: 10.0)
    finally:
        await service.close()


def test_a_voice_that_does_not_read_pinyin_gets_no_substitution() -> None:
    spec = DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse("sim:speaker?voice=cmn"), timeout_s=10)
    service = build_device(spec, EventBus())
    assert isinstance(service, SpeakerService) and service.lexicon is None


def test_a_site_file_adds_and_overrides_words(tmp_path: Path) -> None:
    site = tmp_path / "lexicon.toml"
    site.write_text('[words]\n"朝天门" = "chao2 tian1 men2"\n"行政" = "xing2 zheng4"\n', "utf-8")
    spec = DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse(f"sim:speaker?lexicon={site}"), timeout_s=10)
    service = build_device(spec, EventBus())
    assert isinstance(service, SpeakerService) and service.lexicon is not None
    assert service.lexicon.words["朝天门"] == "chao2 tian1 men2" and "重庆" in service.lexicon.words


@pytest.mark.parametrize("words,why", [
    ({"重庆": "chong2"}, "2 characters but 1 syllables"),
    ({"重庆": "chóng qìng"}, "not a numbered pinyin syllable"),
    ({"chongqing": "chong2 qing4"}, "Chinese characters only"),
])
def test_a_bad_entry_is_a_config_error_naming_it(words: dict[str, str], why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        Lexicon(words, "site.toml")
