"""The vectorised keyword matcher against the plain-Python definition of a hit."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linesift.model import features
from linesift.model.batch import DIGIT, LETTER, UPPER, LineBatch
from linesift.model.keywords import KeywordIndex, word_hash


def _hits(index: KeywordIndex, lines: list[str]) -> np.ndarray:
    """Hits found alone, checked equal (counts and leads) to those found with the batch's shared arrays."""
    b = LineBatch.from_pages([lines])
    args = (b.codes, (b.classes & (LETTER | DIGIT)) != 0, (b.classes & UPPER) != 0, b.starts)
    counts, leads = index.hits(*args)
    shared = index.hits(*args, prefix=b.folded_prefix, spans=b.word_runs, line_of_char=b.line_of_char)
    assert np.array_equal(counts, shared[0]) and np.array_equal(leads, shared[1])
    return counts


def _index() -> KeywordIndex:
    """Built in each test, not at import: mutation testing sees only code a test runs."""
    return KeywordIndex({"a": ("sign in", "all rights reserved", "share"), "b": ("©", ".com", "in")})


def test_phrases_on_word_boundaries_and_across_spaces():
    h = _hits(_index(), ["Please SIGN   in now", "signing in", "All Rights\tReserved", "sharing"])
    assert h[0].tolist() == [1, 1]  # 'sign in' for a, the word 'in' for b
    assert h[1].tolist() == [0, 1]
    assert h[2].tolist() == [1, 0]
    assert h[3].tolist() == [0, 0]
    # Word ids follow the order words are first seen: a phrase's later word may be the first id.
    lines = ["Please sign in now", "in", "sign"]
    assert _hits(KeywordIndex({"a": ("in", "sign in")}), lines).tolist() == [[2], [1], [0]]
    assert _hits(KeywordIndex({"a": ("sign in", "in")}), lines).tolist() == [[2], [1], [0]]


def test_phrase_never_spans_two_lines():
    h = _hits(_index(), ["sign", "in"])
    assert h[:, 0].tolist() == [0, 0]


def test_symbols_and_dotted_words():
    h = _hits(_index(), ["© me", "example.com", "the .community", "compact"])
    assert h[:, 1].tolist() == [1, 1, 0, 0]
    assert _hits(_index(), [".com at the batch's first character"])[:, 1].tolist() == [1]


def test_leading_hits_are_those_in_the_first_words():
    b = LineBatch.from_pages([["Share it", "we share", "you and we share", "x ©", "a b c ©", "example.com", "see example.com"]])
    counts, leads = _index().hits(b.codes, (b.classes & (LETTER | DIGIT)) != 0, (b.classes & UPPER) != 0, b.starts)
    assert counts[:, 0].tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert leads[:, 0].tolist() == [1, 1, 0, 0, 0, 0, 0]  # third word does not lead (LEAD_WORDS = 2)
    # '©' after one word leads, after three not; '.com' leads as the second word, not as the third.
    assert counts[:, 1].tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert leads[:, 1].tolist() == [0, 0, 0, 1, 0, 1, 0]


def test_word_hash_matches_vectorised_hash():
    idx = KeywordIndex({"g": ("zebra",)})
    assert idx.vocab_hashes.tolist() == [word_hash("zebra")]


def _reference(phrases: tuple[str, ...], line: str) -> int:
    words = [w.lower() for w in re.findall(r"[^\W_]+", line)]
    count = 0
    for phrase in phrases:
        p = re.findall(r"[^\W_]+", phrase)
        count += sum(words[i : i + len(p)] == p for i in range(len(words) - len(p) + 1))
    return count


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["sign", "in", "out", "Sign", "IN", "share", "x", ",", "-"]), max_size=8), max_size=6))
def test_word_phrases_agree_with_reference(token_lines):
    phrases = ("sign in", "share", "in out")
    idx = KeywordIndex({"g": phrases})
    lines = [" ".join(t) for t in token_lines]
    got = _hits(idx, lines)[:, 0].tolist()
    expected = [_reference(phrases, line) for line in lines if line.strip()]
    assert got == expected


def test_latin1_capitals_fold_to_keywords():
    idx = KeywordIndex({"c": ("tous droits réservés", "märz")})
    assert _hits(idx, ["TOUS DROITS RÉSERVÉS", "Im MÄRZ", "Tous droits reserves"])[:, 0].tolist() == [1, 1, 0]


def test_keywords_with_capitals_refused():
    with pytest.raises(ValueError, match="small letters"):
        KeywordIndex({"c": ("Подписаться",)})


def test_cyrillic_capitals_fold_to_keywords():
    idx = KeywordIndex({"c": ("читайте также",)})
    assert _hits(idx, ["ЧИТАЙТЕ ТАКЖЕ", "Читайте также: другое", "читайте"])[:, 0].tolist() == [1, 1, 0]


def _vocab_hits(index: KeywordIndex, lines: list[str]) -> np.ndarray:
    """Hits as ``features.keyword_hits`` finds them: Han and kana cut a word per character when asked."""
    from linesift.model.lexicon import word_spans

    b = LineBatch.from_pages([lines])
    spans = word_spans(b)[:2] if index.split_cjk else b.word_runs
    args = (b.codes, (b.classes & (LETTER | DIGIT)) != 0, (b.classes & UPPER) != 0, b.starts)
    return index.hits(*args, prefix=b.folded_prefix, spans=spans, line_of_char=b.line_of_char)[0]


def test_han_and_kana_phrases_match_inside_unspaced_text():
    idx = KeywordIndex({"a": ("会員限定", "ログイン"), "b": ("share",)})
    assert idx.split_cjk
    h = _vocab_hits(idx, ["有料会員限定の記事", "ログインする", "会員の限定", "Share it"])
    assert h.tolist() == [[1, 0], [1, 0], [0, 0], [0, 1]]


def test_an_index_without_han_or_kana_phrases_keeps_whole_runs():
    assert not KeywordIndex({"a": ("share", "공유")}).split_cjk
    # So vocabulary 1 (models made before vocabulary 2) still reads "Share写真" as one word, as it
    # was trained to; vocabulary 2, which has Han phrases, cuts it and finds "share".
    for vocabulary, want in ((1, [0, 0, 1]), (2, [1, 1, 1])):
        b = LineBatch.from_pages([["Share写真", "写真Share", "Share"]])
        b.cache["keyword_vocabulary"] = vocabulary
        assert features.keyword_hits(b)["share"].tolist() == want


def test_phrase_words_cut_han_and_kana_like_the_lexicon():
    from linesift.model.keywords import phrase_words

    assert phrase_words("有料会員") == ["有", "料", "会", "員"]
    assert phrase_words("abc有def ghi") == ["abc", "有", "def", "ghi"]
    assert phrase_words("무단 전재") == ["무단", "전재"]


def test_phrases_that_read_the_same_in_two_groups_refused():
    with pytest.raises(ValueError, match="another group"):
        KeywordIndex({"a": ("sign in",), "b": ("sign-in",)})


def test_vocabulary_2_adds_phrases_to_vocabulary_1s_groups_only():
    from linesift.model.keywords import load_groups, vocabulary_digest

    one, two = load_groups(1), load_groups(2)
    assert list(one) == list(two)
    assert all(set(one[g]) < set(two[g]) for g in one if g != "url")
    assert vocabulary_digest(vocabulary=1) != vocabulary_digest(vocabulary=2)
    # Groups given are digested, not the vocabulary's (a model's own groups, checked on load).
    assert vocabulary_digest({"a": ("x", "y z")}) == hashlib.sha256(b"a: x, y z").hexdigest() != vocabulary_digest()
    KeywordIndex(two)  # no phrase in two groups, none too long


def test_vocabulary_3_adds_teaser_and_comment_headings_to_vocabulary_2():
    from linesift.model.keywords import load_groups, vocabulary_digest

    two, three = load_groups(2), load_groups(3)
    assert list(two) == list(three)
    grown = {g for g in two if set(two[g]) < set(three[g])}
    assert grown == {"related", "comments"} and all(set(two[g]) == set(three[g]) for g in two if g not in grown)
    assert vocabulary_digest(vocabulary=2) != vocabulary_digest(vocabulary=3)
    index = KeywordIndex(three)  # no phrase in two groups, none too long, codes fit int64
    assert index.base ** index.max_words > 2**62  # the bound that vocabulary 2 kept under
    lines = ["You might also like", "Könnte Sie auch interessieren", "Relaterte saker", "注目記事", "관련뉴스",
             "Join the conversation", "Diskutieren Sie mit", "The river froze early that winter."]

    def hits(vocabulary: int) -> dict[str, np.ndarray]:
        b = LineBatch.from_pages([lines])
        b.cache["keyword_vocabulary"] = vocabulary  # as the featuriser sets it (Han and kana cut per character)
        return features.keyword_hits(b)

    new, old = hits(3), hits(2)
    assert (new["related"][:5] > 0).all() and (new["comments"][5:7] > 0).all()
    assert new["related"][7] == new["comments"][7] == 0
    assert not old["related"][:5].any() and not old["comments"][5:7].any()  # vocabulary 2 knew none of them


def test_a_vocabulary_whose_phrase_codes_overflow_int64_is_refused():
    words = [f"w{i}" for i in range(2**11)]  # 2049 ** 6 > 2 ** 63
    with pytest.raises(ValueError, match="too large for int64"):
        KeywordIndex({"a": tuple(words[:-1]), "b": (" ".join(words[-6:]),)})


def test_a_later_vocabulary_file_may_not_add_groups(monkeypatch, tmp_path):
    from importlib import resources

    from linesift.model import keywords

    real = resources.files(keywords.__package__)
    (tmp_path / "keywords.txt").write_text((real / "keywords.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "extra.txt").write_text("novel: phrase\n", encoding="utf-8")
    monkeypatch.setattr(keywords.resources, "files", lambda _: tmp_path)
    monkeypatch.setitem(keywords.VOCABULARIES, 9, ("keywords.txt", "extra.txt"))
    with pytest.raises(ValueError, match="'novel' is not in keywords.txt"):
        keywords.load_groups(9)


def test_phrase_in_two_groups_refused():
    with pytest.raises(ValueError, match="two groups"):
        KeywordIndex({"a": ("share",), "b": ("share",)})


def test_word_ids_find_every_vocabulary_word_and_nothing_else():
    import numpy as np
    from linesift.model.keywords import default_index

    index = default_index()
    assert (index.word_ids(index.vocab_hashes) == index.vocab_ids).all()
    others = np.arange(1, 200_000, dtype=np.uint32) * np.uint32(2654435761)
    others = others[~np.isin(others, index.vocab_hashes)]
    assert (index.word_ids(others) == 0).all()


def test_han_and_kana_at_the_edges_of_each_range_are_words_of_their_own():
    from linesift.model.batch import CJK_RANGES
    from linesift.model.keywords import phrase_words

    def word_char(codes: range) -> str:  # some ranges start or end on unassigned code points
        return next(chr(c) for c in codes if re.match(r"[^\W_]", chr(c)))

    edges = [(word_char(range(low, high)), word_char(range(high, low, -1))) for low, high in CJK_RANGES]
    assert [ord(first) for first, _ in edges] == [0x3041, 0x3400, 0x4E00, 0xF900, 0x20000]
    for first, last in edges:
        assert phrase_words(f"ab{first}cd{last}") == ["ab", first, "cd", last]
        assert KeywordIndex({"g": (first,)}).split_cjk and KeywordIndex({"g": (last,)}).split_cjk


@pytest.mark.parametrize("phrase, message", [
    ("-share", "keyword phrase must start with a word, be one symbol or '.word': '-share'"),
    ("a b c d e f g", "keyword phrase longer than 6 words: 'a b c d e f g'"),
])
def test_malformed_phrases_refused_with_the_phrase_named(phrase, message):
    with pytest.raises(ValueError) as err:
        KeywordIndex({"g": (phrase,)})
    assert str(err.value) == message


def test_an_index_of_symbols_and_dotted_words_only():
    symbols = KeywordIndex({"g": ("©", ".de", ".x")})
    assert symbols.max_words == 1
    assert _hits(symbols, ["© 2024", "spiegel.de", "Made in Germany", "twitter.x"])[:, 0].tolist() == [1, 1, 0, 1]


def test_words_after_a_symbol_or_a_dotted_phrase_still_count():
    index = KeywordIndex({"g": ("©", "share"), "h": (".com", "login")})
    assert _hits(index, ["Share ©", "Login at x.com"]).tolist() == [[2, 0], [0, 2]]


def test_two_words_with_one_hash_are_refused():
    assert word_hash("uidxqizpag") == word_hash("pxbzazsoap")  # found by a birthday search over 10-letter words
    with pytest.raises(ValueError) as err:
        KeywordIndex({"g": ("uidxqizpag", "pxbzazsoap")})
    assert str(err.value) == "keyword vocabulary has two words with the same hash"


def test_hash_powers_grow_on_demand_and_invert_each_other():
    from linesift.model.keywords import _P, _Powers

    assert _Powers().get(2)[0].tolist() == [1, int(_P)]  # a fresh table holds P**0 only, and grows
    assert (_Powers().get(2)[1] * _P).tolist() == [_P, 1]
    powers = _Powers()
    assert powers.get(1)[0].tolist() == [1] and powers.get(1)[1].tolist() == [1]
    up, down = powers.get(5)
    assert up.tolist() == [pow(int(_P), i, 2**32) for i in range(5)]
    assert ((up * down) == 1).all() and up.dtype == down.dtype == np.uint32
    assert len(powers.up) == 5 and len(powers.get(3)[0]) == 3  # a shorter request reuses the table
    powers.get(6)
    assert len(powers.up) == 10  # grown to twice its size when that is more than asked for
    assert powers.get(10)[0].tolist() == [pow(int(_P), i, 2**32) for i in range(10)]
