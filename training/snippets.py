"""Labels from snippets: lines holding (or held by) a "with" snippet are content, lines that are
mostly a "without" snippet are chrome, every other line is ``unknown`` (not judged).

Text is compared squashed (``align.squash``: lower-case letters and digits), so spacing,
punctuation and markup differences do not matter.
"""

from __future__ import annotations

from linesift.model.labels import BLANK, CHROME, CONTENT, UNKNOWN
from linesift.model.text import is_blank

from .align import squash

#: A line inside a "with" snippet counts only from this many squashed characters, so that a
#: "Home" or a date never matches part of a sentence (characters).
MIN_PART_CHARS = 12
#: A line holding a "without" snippet is chrome only when the snippet is at least this share of
#: it: boilerplate words inside a paragraph ("Impressum" in a sentence) do not make it chrome.
MIN_WITHOUT_SHARE = 0.5


def label_by_snippets(lines: list[str], with_snippets: tuple[str, ...],
                      without_snippets: tuple[str, ...]) -> tuple[list[str], float]:
    """One label per line, and the share of "with" snippets that some content line covers (0-1)."""
    keys = [squash(line) for line in lines]
    wanted = [k for k in (squash(s) for s in with_snippets) if k]
    unwanted = [k for k in (squash(s) for s in without_snippets) if k]
    labels, found = [], set()
    for line, key in zip(lines, keys):
        if is_blank(line):
            labels.append(BLANK)
            continue
        label = UNKNOWN
        for n, snippet in enumerate(wanted):
            if snippet in key or (len(key) >= MIN_PART_CHARS and key in snippet):
                label = CONTENT
                found.add(n)
        if label == UNKNOWN and key and any(s in key and len(s) >= MIN_WITHOUT_SHARE * len(key) for s in unwanted):
            label = CHROME
        labels.append(label)
    return labels, (len(found) / len(wanted) if wanted else 0.0)
