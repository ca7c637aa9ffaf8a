"""Chinese-aware tokens for SQLite FTS5: CJK runs become character bigrams, Latin/digit runs words.

Why bigrams and not a word segmenter: FAQ text is short and colloquial; bigrams need no
dictionary, never miss an out-of-vocabulary term (事项 names, 渝快码), and behave the same on every
terminal. FTS5's unicode61 tokenizer then only has to split on the spaces we insert. A parallel
pinyin form of each bigram (社保 → shebao) lets homophone typos from handwriting/pinyin input
(设保卡) still meet the right entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pypinyin import lazy_pinyin

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Query-side filler bigrams: in every colloquial question, they carry no topic.
STOP_BIGRAMS = frozenset(
    ["怎么", "么办", "怎样", "我想", "想要", "什么", "哪些", "哪里", "可以", "能不", "不能", "需要", "还能", "一下", "请问", "如何", "要办", "办哪",
     "了怎", "了还", "么弄", "的时", "时候", "我的", "我们", "他们", "要去", "去哪", "了吗", "吗我", "到底", "应该", "是不", "不是", "有没", "没有"]
)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> list[str]:
    """Bigrams of each CJK run (a lone character stays a unigram) and whole Latin/digit words."""
    out: list[str] = []
    for run in _RUN.findall(normalize(text)):
        if _CJK.match(run):
            out.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
        else:
            out.append(run)
    return out


def index_text(parts: Iterable[str]) -> str:
    """The space-joined token string stored in an FTS5 column."""
    return " ".join(tok for part in parts for tok in tokens(part))


def pinyin_tokens(char_tokens: Iterable[str]) -> list[str]:
    """Toneless pinyin of each CJK token: 社保 → shebao. Latin/digit tokens are skipped."""
    return ["".join(lazy_pinyin(tok)) for tok in char_tokens if _CJK.match(tok)]
