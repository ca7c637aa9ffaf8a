"""The fallback pinyin ranking (used only without librime) against the real lexicon built from pypinyin,
Unihan and jieba."""

from __future__ import annotations

import pytest

from kiosk.ime import search, search_key, segment, toneless
from kiosk.ime.cache import load
from kiosk.ime.legacy import LegacyComposer as Composer


@pytest.fixture(scope="module")
def lexicon():
    return load()


def type_all(composer: Composer, letters: str) -> None:
    for letter in letters:
        composer.type(letter)


def find(composer: Composer, text: str, max_pages: int = 80) -> int:
    """Page through the candidate bar like a citizen would; returns the page the text was on."""
    for page in range(max_pages):
        if any(c.text == text for c in composer.visible()):
            return page
        before = composer.page
        composer.next_page()
        if composer.page == before:
            break
    raise AssertionError(f"{text} not offered for {composer.preedit}")


def test_toneless():
    assert toneless("zhāng") == "zhang"
    assert toneless("lǚ") == "lv"


def test_segmentation(lexicon):
    assert segment("zhangsan", lexicon.syllables) == ["zhang", "san"]
    assert segment("xian", lexicon.syllables) == ["xian"]
    assert segment("chongqing", lexicon.syllables) == ["chong", "qing"]
    assert segment("zh", lexicon.syllables) == ["zh"]


def test_phrase_first_then_characters_ranked_by_frequency(lexicon):
    composer = Composer(lexicon)
    type_all(composer, "chongqing")
    texts = [c.text for c in composer.candidates()]
    assert texts[0] == "重庆"
    assert texts.index("冲") < texts.index("憧")  # a common character before a rare one


def test_frequency_ranks_common_before_rare(lexicon):
    chars = lexicon.chars["yan"]
    assert chars.index("言") < chars.index("䶮")
    assert lexicon.freq.get("言", 0) > lexicon.freq.get("䶮", 0)


def test_typing_a_name_character_by_character(lexicon):
    composer = Composer(lexicon)
    type_all(composer, "zhangsan")
    assert composer.preedit == "zhang'san"
    zhang = next(c for c in composer.candidates() if c.text == "张")
    assert composer.choose(zhang) == "张"
    assert composer.preedit == "san"
    assert composer.choose(composer.candidates()[0]) == "三"
    assert composer.letters == ""


def test_rare_yan_is_reachable_by_paging(lexicon):
    composer = Composer(lexicon)
    type_all(composer, "yan")
    page = find(composer, "䶮")
    assert page > 0  # rare: not on the first page, but reachable


def test_rare_ji_is_reachable_through_unihan_variant(lexicon):
    assert "𠮷" in lexicon.chars["ji"]  # reading inherited from 吉 (Unihan kSpoofingVariant)
    composer = Composer(lexicon)
    type_all(composer, "ji")
    composer.choose(next(c for c in composer.candidates() if c.text == "吉"))
    assert "𠮷" in [c.text for c in composer.visible()]  # offered right after its common form


def test_partial_syllable_and_backspace(lexicon):
    composer = Composer(lexicon)
    type_all(composer, "zh")
    assert composer.candidates()[0].text in lexicon.chars["zhong"] + lexicon.chars["zhe"] + lexicon.chars["zhi"]
    assert composer.backspace() and composer.backspace()
    assert not composer.backspace()
    with pytest.raises(ValueError):
        composer.type("1")


def test_pinyin_initials_search():
    keys = [search_key(n) for n in ("社保缴费", "社会保障卡申领", "身份证补领", "医保异地备案")]
    assert search("sbjf", keys)[0].text == "社保缴费"
    assert search("shebao", keys)[0].text == "社保缴费"
    assert search("异地", keys)[0].text == "医保异地备案"
    assert search("xyz", keys) == []


def test_rare_variant_listed_right_after_its_base(lexicon):
    chars = lexicon.chars["ji"]
    assert chars[chars.index("吉") + 1] == "𠮷"
    composer = Composer(lexicon)
    type_all(composer, "ji")
    texts = [c.text for c in composer.candidates()]
    assert texts.index("𠮷") == texts.index("吉") + 1 < 8 * 4  # within the first four pages
