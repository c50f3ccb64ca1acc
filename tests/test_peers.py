"""The peers every table compares against (keep-all, C4's line rule, jusText), by hand: a wrong peer
row would misstate how much better linesift is."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest
from linesift.training import peers
from linesift.training.peers import available_peers, c4_rule, justext_lines, keep_all


def test_keep_all_keeps_every_non_blank_line():
    assert keep_all(["a", "", "  \t", "b c"]) == ["content", "blank", "blank", "content"]


@pytest.mark.parametrize("line, label", [
    ("Three words here.", "content"),
    ("Two words.", "chrome"),  # under C4_MIN_WORDS
    ("Three words here", "chrome"),  # no terminal punctuation
    ("Is this it?", "content"),
    ("So much fun!", "content"),
    ('He said "no more."', "content"),
    ("She said \u201cnot today\u201d", "content"),  # a closing curly quote ends a sentence too
    ("   Padded line ends here.   ", "content"),  # judged on the stripped line
    ("Read more: three words:", "chrome"),
    ("", "blank"),
    ("   ", "blank"),
])
def test_c4_rule_by_hand(line, label):
    assert c4_rule([line]) == [label]


def test_c4_constants_are_c4s():
    assert peers.C4_MIN_WORDS == 3
    assert set(peers.C4_TERMINAL) == {".", "!", "?", '"', "\u201d"}


def test_justext_labels_each_line_and_keeps_blanks():
    pytest.importorskip("justext")
    prose = ("The council approved the budget on Tuesday after a debate that lasted most of the evening, "
             "and the mayor said that the schools and the roads would be the first to benefit from it. "
             "She added that the work on the bridge would start in the spring if the weather was kind to them.")
    labels = justext_lines(["Home | About | Contact", "", prose, "Share", ""])
    assert labels == ["chrome", "blank", "content", "chrome", "blank"]
    assert justext_lines(["", "  "]) == ["blank", "blank"]


def test_justext_fallback_matches_merged_paragraphs_by_text(monkeypatch):
    """When jusText returns fewer paragraphs than lines, each is matched to its line by text, in
    order; a paragraph matching no line is passed over, and unmatched lines stay chrome."""
    paragraph = SimpleNamespace
    fake = SimpleNamespace(
        get_stoplist=lambda language: set(),
        justext=lambda html, stoplist, encoding: [paragraph(text="First line", is_boilerplate=True),
                                                  paragraph(text="Second  line", is_boilerplate=False),
                                                  paragraph(text="Fourth line", is_boilerplate=False),
                                                  paragraph(text="not a line", is_boilerplate=False),
                                                  paragraph(text="nor this", is_boilerplate=False)],
    )
    monkeypatch.setitem(sys.modules, "justext", fake)
    labels = justext_lines(["First line", "Second line", "", "Third line", "Fourth line"])
    assert labels == ["chrome", "content", "blank", "chrome", "content"]
    # a boilerplate verdict on a matched line is what makes it chrome, not the default
    fake.justext = lambda html, stoplist, encoding: [paragraph(text="First line", is_boilerplate=False)]
    assert justext_lines(["First line", "Second line", "Third line"]) == ["content", "chrome", "chrome"]
    # a line matched once is passed: two paragraphs of the same text label two lines, in order
    fake.justext = lambda html, stoplist, encoding: [paragraph(text="Same", is_boilerplate=False)] * 2
    assert justext_lines(["Menu", "Same", "Same"]) == ["chrome", "content", "content"]


def test_available_peers_with_justext():
    pytest.importorskip("justext")
    assert available_peers() == peers.PEERS and available_peers() is not peers.PEERS


def test_available_peers_without_justext(monkeypatch):
    monkeypatch.setitem(sys.modules, "justext", None)
    assert list(available_peers()) == ["keep-all", "c4-rule"]
    assert available_peers()["c4-rule"] is c4_rule
