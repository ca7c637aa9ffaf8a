"""FAQ search: colloquial Chinese queries find the relevant answer in the top 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.content import faq_dir, items_dir
from kiosk.errors import ConfigError
from kiosk.items import load_catalog
from kiosk.knowledge import KnowledgeBase, load_content, tokens

ROOT = Path(__file__).resolve().parents[2]
FAQ = faq_dir()

# (query, acceptable FAQ ids) — written the way people talk at the hall, not copied from questions.
QUERIES = [
    ("我想把医保转到重庆来看病", {"med_05", "med_01"}),
    ("孩子刚出生要办哪些手续", {"eb_07"}),
    ("退休了养老金怎么领", {"eb_01"}),
    ("社保卡掉了咋整", {"si_04"}),
    ("出门忘记揣身份证了", {"term_01"}),
    ("帮娃儿开个社保证明读书用", {"si_03", "si_01"}),
    ("我妈八十多岁了有没有啥子补贴", {"eb_04"}),
    ("在外省住院医保能不能报", {"med_01", "med_04"}),
    ("老家在四川来重庆打工咋个办暂住证", {"hh_01"}),
    ("要去国外签证开良民证", {"hh_06", "hh_07"}),
    ("买房贷款需要公积金证明", {"hou_02", "hou_01"}),
    ("查一下我名下有几套房子", {"hou_05"}),
    ("我想开个网店要不要执照", {"emp_06"}),
    ("刚毕业没工作可以去登记不", {"emp_02", "emp_01"}),
    ("准生证在哪办", {"eb_09"}),
    ("宝宝落户需要带啥", {"eb_08"}),
    ("在机器上怎么拿号排队", {"term_03"}),
    ("公积金退休了咋个取", {"hou_03"}),
    ("和我爸不在一个户口本上怎么证明是父子", {"hh_05"}),
    ("材料拍糊了被退回来", {"term_08"}),
    ("娃儿上学要无房证明", {"hou_06"}),
    ("爷爷瘫在床上能领钱不", {"eb_05"}),
]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return KnowledgeBase.build(FAQ, tmp_path_factory.mktemp("kb") / "faq.db")


@pytest.mark.parametrize("query,expected", QUERIES, ids=[q for q, _ in QUERIES])
def test_colloquial_query_finds_answer_in_top3(kb, query, expected):
    hits = kb.search(query, limit=3)
    assert {h.id for h in hits} & expected, f"{query!r} → {[(h.id, h.question) for h in hits]}"


def test_twenty_or_more_queries_and_content_size():
    entries, groups = load_content(FAQ)
    assert len(QUERIES) >= 20
    assert len(entries) >= 60
    assert len(groups) >= 10


def test_faq_item_links_exist_in_catalog_and_cover_it():
    catalog = load_catalog(items_dir())
    entries, _ = load_content(FAQ)
    for entry in entries:
        for code in entry.items:
            assert code in catalog.items, f"{entry.id} links unknown item {code}"
    linked = {code for entry in entries for code in entry.items}
    assert set(catalog.items) <= linked, f"items without FAQ: {set(catalog.items) - linked}"


@pytest.mark.parametrize("query,expected", [("设保卡丢了", "si_04"), ("公鸡金证明怎么打", "hou_01"), ("无犯最记录怎么开", "hh_06")])
def test_homophone_typos_reach_the_entry_through_pinyin(kb, query, expected):
    assert kb.search(query, 1)[0].id == expected
    assert any(tok.isascii() for tok in kb.expand(query))  # the unknown bigram got a pinyin form


def test_known_bigrams_get_no_pinyin(kb):
    assert not any(tok.isascii() for tok in kb.expand("社保卡丢了"))


def test_synonyms_bridge_colloquial_and_official_terms(kb):
    assert {"医疗", "疗保"} <= set(kb.expand("医保怎么交"))
    assert "养老" in kb.expand("退休金")
    # A query using only the official term still finds the colloquial answer and vice versa.
    assert kb.search("医疗保险参保", 3)[0].id in {"med_06", "med_09"}
    assert kb.search("开证明", 3)


def test_tokens_are_bigrams_and_words():
    assert tokens("渝快码ABC 12") == ["渝快", "快码", "abc", "12"]
    assert tokens("房") == ["房"]
    assert tokens("！？。") == []


def test_empty_or_punctuation_query_returns_nothing(kb):
    assert kb.search("？？", 3) == []
    assert kb.search("", 3) == []


def test_open_reuses_built_database(tmp_path):
    db = tmp_path / "faq.db"
    built = KnowledgeBase.build(FAQ, db)
    reopened = KnowledgeBase.open(db)
    assert reopened.count() == built.count()
    assert [h.id for h in reopened.search("社保卡掉了", 3)] == [h.id for h in built.search("社保卡掉了", 3)]


def test_rebuild_replaces_content(tmp_path):
    content = tmp_path / "faq"
    content.mkdir()
    entry = {"id": "x_01", "question": "测试问题怎么办理", "answer": "答案", "keywords": ["测试"]}
    (content / "a.json").write_text(json.dumps({"topic": "t", "entries": [entry]}, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "faq.db"
    KnowledgeBase.build(content, db)
    entry["id"] = "x_02"
    (content / "a.json").write_text(json.dumps({"topic": "t", "entries": [entry]}, ensure_ascii=False), encoding="utf-8")
    kb = KnowledgeBase.build(content, db)
    assert [h.id for h in kb.search("测试问题", 3)] == ["x_02"]


def test_bad_content_names_file_and_path(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"topic": "t", "entries": [{"id": "a", "question": "", "answer": "x"}]}), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"topic": "t", "entries": [{"id": "a", "question": "q", "answer": "x"}, {"id": "a", "question": "q", "answer": "y"}]}), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        KnowledgeBase.build(tmp_path, tmp_path / "faq.db")
    problems = info.value.problems
    assert any("a.json" in p and "$.entries[0]" in p and "question" in p for p in problems)
    assert any("b.json" in p and "$.entries[1].id" in p and "duplicate_id" in p for p in problems)


def test_search_from_another_thread(kb):
    """The UI builds the index at start-up; flows search from worker threads."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda q: kb.search(q, 1)[0].id, ["社保卡丢了", "准生证", "无房证明"] * 4))
    assert results[:3] == ["si_04", "eb_09", "hou_06"] and results == results[:3] * 4
