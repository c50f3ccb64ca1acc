"""The vectorised keyword matcher against the plain-Python definition of a hit."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


INDEX = KeywordIndex({"a": ("sign in", "all rights reserved", "share"), "b": ("©", ".com", "in")})


def test_phrases_on_word_boundaries_and_across_spaces():
    h = _hits(INDEX, ["Please SIGN   in now", "signing in", "All Rights\tReserved", "sharing"])
    assert h[0].tolist() == [1, 1]  # 'sign in' for a, the word 'in' for b
    assert h[1].tolist() == [0, 1]
    assert h[2].tolist() == [1, 0]
    assert h[3].tolist() == [0, 0]


def test_phrase_never_spans_two_lines():
    h = _hits(INDEX, ["sign", "in"])
    assert h[:, 0].tolist() == [0, 0]


def test_symbols_and_dotted_words():
    h = _hits(INDEX, ["© me", "example.com", "the .community", "compact"])
    assert h[:, 1].tolist() == [1, 1, 0, 0]


def test_leading_hits_are_those_in_the_first_words():
    b = LineBatch.from_pages([["Share it", "we share", "you and we share", "x ©", "a b c ©", "example.com", "see example.com"]])
    counts, leads = INDEX.hits(b.codes, (b.classes & (LETTER | DIGIT)) != 0, (b.classes & UPPER) != 0, b.starts)
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


def test_keywords_outside_latin1_refused():
    with pytest.raises(ValueError, match="Latin-1"):
        KeywordIndex({"c": ("подписаться",)})


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
