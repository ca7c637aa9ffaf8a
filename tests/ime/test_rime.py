"""librime as the keyboard's engine: the catalog's words first, abbreviations, rare characters,
phrases chosen in parts, deleting, and no key lost at a citizen's fast 8 keys/s."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiosk.ime import Composer
from kiosk.ime.engine import InputMethod
from kiosk.ime.rime import Rime
from tests.ime.conftest import texts, type_all

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_ime import keys_lost_at_rate


def test_binding_reads_librime_through_the_checked_api_table() -> None:
    assert Rime.get().version.startswith("1.")  # get_version is a RimeApi slot: the layout check passed


@pytest.mark.parametrize(("pinyin", "first"), [
    ("shebaoka", "社保卡"), ("yibao", "医保"), ("shenfenzheng", "身份证"), ("zhangsan", "张三"),
    ("sfz", "身份证"), ("gjj", "公积金"), ("shapingbaqu", "沙坪坝区"), ("jiefangbei", "解放碑"),
    ("chongqing", "重庆"), ("lvse", "绿色"),
])
def test_first_candidate(composer: Composer, pinyin: str, first: str) -> None:
    type_all(composer, pinyin)
    assert texts(composer)[0] == first


def test_item_name_from_the_catalog_is_one_candidate(composer: Composer) -> None:
    type_all(composer, "shehuibaozhangka")
    assert texts(composer)[0] == "社会保障卡"


def test_rare_yan_is_reachable_by_paging(composer: Composer) -> None:
    type_all(composer, "yan")
    assert "䶮" not in [c.text for c in composer.visible()]
    for _page in range(40):
        if "䶮" in [c.text for c in composer.visible()]:
            break
        composer.next_page()
    else:
        pytest.fail("䶮 not offered under yan")
    assert composer.page > 0


def test_rare_ji_follows_its_common_form_and_commits_itself(composer: Composer) -> None:
    type_all(composer, "ji")
    offered = texts(composer, 64)
    assert offered.index("𠮷") == offered.index("吉") + 1  # 𠮷 has no reading: it inherits 吉's place
    rare = next(c for c in composer.candidates(64) if c.text == "𠮷")
    assert composer.choose(rare) == "𠮷"
    assert composer.letters == ""


def test_rare_variant_inside_a_name(composer: Composer) -> None:
    type_all(composer, "jili")
    rare = next(c for c in composer.candidates(200) if c.text == "𠮷")
    assert composer.choose(rare) == ""  # li still to choose
    assert composer.preedit.startswith("𠮷")
    assert composer.choose(next(c for c in composer.candidates(50) if c.text == "丽")) == "𠮷丽"


def test_a_phrase_chosen_in_parts_is_inserted_whole(composer: Composer) -> None:
    type_all(composer, "zhangsan")
    zhang = next(c for c in composer.candidates(20) if c.text == "张")
    assert composer.choose(zhang) == ""
    assert composer.preedit.startswith("张")
    assert texts(composer)[0] == "三"
    assert composer.choose(composer.visible()[0]) == "张三"
    assert composer.letters == "" and composer.preedit == ""


def test_backspace_and_non_letters(composer: Composer) -> None:
    type_all(composer, "zh")
    assert texts(composer)  # a partial syllable already offers characters
    assert composer.backspace() and composer.backspace()
    assert not composer.backspace()
    with pytest.raises(ValueError):
        composer.type("1")


def test_pages_do_not_overlap(composer: Composer) -> None:
    type_all(composer, "shi")
    composer.page_size = 7
    first = [c.text for c in composer.visible()]
    composer.next_page()
    second = [c.text for c in composer.visible()]
    assert len(first) == len(second) == 7 and not set(first) & set(second)
    composer.prev_page()
    assert [c.text for c in composer.visible()] == first


def test_no_key_lost_at_8_keys_per_second(rime: InputMethod) -> None:
    assert keys_lost_at_rate(rime, "chongqingshiyuzhongqujiefangbeijiedao") == 0


@pytest.mark.parametrize(("pinyin", "name"), [("lihua", "李华"), ("chenjing", "陈静"), ("zhangsan", "张三"),
                                              ("liujianhua", "刘建华")])
def test_name_hint_offers_a_name_first(composer: Composer, pinyin: str, name: str) -> None:
    type_all(composer, pinyin)
    assert texts(composer)[0] != name or name == "张三"  # as any text, a word wins (梨花, 沉静)
    composer.hint = "name"
    assert texts(composer)[0] == name
    chosen = composer.visible()[0]
    assert composer.choose(chosen) == name and composer.letters == ""


def test_name_hint_keeps_librime_words_reachable(composer: Composer) -> None:
    composer.hint = "name"
    type_all(composer, "lihua")
    offered = texts(composer)
    assert offered[0] == "李华" and "梨花" in offered  # the word is still on the first page
    composer.clear()
    type_all(composer, "shebaoka")  # no surname first: nothing guessed
    assert texts(composer)[0] == "社保卡"


def test_compiled_into_a_fresh_cache_dir_not_the_source_tree(composer: Composer, tmp_path: Path) -> None:
    """Compiling (as on a terminal's first keyboard) writes only under the cache dir given, and a
    second call reuses it; compiled while this process's engine runs, it is done in a child process
    (compiling restarts librime), so the running keyboard keeps working."""
    from kiosk.ime import rime_data

    source = Path(rime_data.__file__).parent
    before = sorted(p.name for p in source.iterdir() if p.name != "__pycache__")
    compiled = rime_data.deployed(tmp_path)
    assert (compiled / "build" / "kiosk_pinyin.table.bin").is_file() and (compiled / "rare.json").is_file()
    assert rime_data.deployed(tmp_path) == compiled
    assert sorted(p.name for p in source.iterdir() if p.name != "__pycache__") == before
    assert all(p.name.startswith(("ime-rime-", "ime-rare-")) for p in tmp_path.iterdir())
    type_all(composer, "shebaoka")
    assert texts(composer)[0] == "社保卡"  # the engine of this process was not restarted under it
