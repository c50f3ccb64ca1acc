"""Which kinds of lines a model still gets wrong: out-of-fold errors grouped by line kind.

Kinds are the relabelling rules (byline, dateline, caption, credits) and, for the rest, the line's
shape (short, heading, sentence, other). Errors are weighted by words, as the page metric is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from linesift.model.text import is_blank

from .data import LabelledPage
from .relabel import rule_for

#: Lines of at most this many words are "short" (menus, buttons, labels) (words).
SHORT_WORDS = 3
#: Lines without terminal punctuation up to this length are "heading"-shaped (words).
HEADING_WORDS = 15
#: Examples kept per (corpus, error, kind); shortened to this many characters.
EXAMPLES = 3
EXAMPLE_CHARS = 80

_TERMINAL = tuple(".!?\u2026\"'\u201d)")


def line_kind(line: str) -> str:
    """The kind a line is counted under: a relabelling rule's name, else its shape."""
    rule = rule_for(line)
    if rule:
        return rule
    words = len(line.split())
    if words <= SHORT_WORDS:
        return "short"
    if not line.rstrip().endswith(_TERMINAL):
        return "heading" if words <= HEADING_WORDS else "long-unpunctuated"
    return "sentence"


@dataclass
class ErrorTable:
    """Words in wrongly labelled lines, by corpus, error ('dropped' content / 'kept' chrome) and kind."""

    words: dict = field(default_factory=lambda: defaultdict(float))
    lines: dict = field(default_factory=lambda: defaultdict(int))
    examples: dict = field(default_factory=lambda: defaultdict(list))
    total_words: dict = field(default_factory=lambda: defaultdict(float))

    def as_dict(self) -> dict:
        out: dict = {}
        for (corpus, error, kind), w in sorted(self.words.items(), key=lambda kv: -kv[1]):
            out.setdefault(corpus, []).append({
                "error": error, "kind": kind, "lines": self.lines[(corpus, error, kind)],
                "word_share": w / max(self.total_words[corpus], 1.0),
                "examples": self.examples[(corpus, error, kind)],
            })
        return out


def error_table(pages: Sequence[LabelledPage], scores: Sequence[np.ndarray], threshold: float) -> ErrorTable:
    """Group the errors of out-of-fold ``scores`` (one array per page, non-blank lines) at ``threshold``."""
    table = ErrorTable()
    for page, s in zip(pages, scores):
        rows = [(line, label) for line, label in zip(page.lines, page.labels) if not is_blank(line)]
        for (line, label), score in zip(rows, s):
            n = len(line.split())
            table.total_words[page.corpus] += n
            gold, kept = label == "content", score >= threshold
            if gold == kept:
                continue
            key = (page.corpus, "dropped" if gold else "kept", line_kind(line))
            table.words[key] += n
            table.lines[key] += 1
            if len(table.examples[key]) < EXAMPLES:
                table.examples[key].append(f"{score:.2f} {line.strip()[:EXAMPLE_CHARS]}")
    return table


def format_table(table: dict, top: int = 6) -> str:
    """The ``top`` kinds of error per corpus, with their share of the corpus's words."""
    out = []
    for corpus, rows in table.items():
        out.append(f"{corpus}:")
        for r in rows[:top]:
            out.append(f"  {r['error']:<8} {r['kind']:<18} {r['lines']:>6} lines  {100 * r['word_share']:5.1f}% of words")
    return "\n".join(out)
