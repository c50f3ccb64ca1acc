"""Label a page's lines by aligning them with a reference text of its main content.

Both sides are "squashed": lower-cased, every character that is not a letter or digit removed.
That tolerates lost spaces and different punctuation or markup in the reference. Long lines
(at least LONG_LINE_CHARS squashed characters) are matched first, in page order, anywhere after
the previous match; a short line ("Home", "Share", a list item) counts as content only when it
continues the reference right where the previous match ended (within SHORT_LINE_SLACK
characters) and fits before the next long match, so it can never match by accident elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linesift.model.text import is_blank

#: Squashed characters from which a line is matched on its own, wherever it falls (characters).
LONG_LINE_CHARS = 30
#: How far past the previous match a short line may start and still continue it (characters).
SHORT_LINE_SLACK = 12
#: A line repeats a title when it holds at least this share of the title's squashed characters (ratio).
HEADLINE_SHARE = 0.5
_NOT_ALNUM = re.compile(r"[\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def squash(text: str, ascii_only: bool = False) -> str:
    """Letters and digits only, lower-cased; ``ascii_only`` also drops non-ASCII (and '?', already punctuation)."""
    text = text.lower()
    if ascii_only:
        text = _NON_ASCII.sub("", text)
    return _NOT_ALNUM.sub("", text)


@dataclass(frozen=True)
class Alignment:
    labels: list[str]  # per line: content / chrome / blank
    recovered: float  # share of the squashed reference covered by content lines (0-1)
    reference_chars: int


def align(lines: list[str], reference: str, ascii_only: bool = False) -> Alignment:
    """Label ``lines`` content where they align with ``reference``, else chrome (blank if empty)."""
    ref = squash(reference, ascii_only)
    keys = [squash(line, ascii_only) for line in lines]
    spans: list[tuple[int, int] | None] = [None] * len(lines)
    cursor = 0
    for i, key in enumerate(keys):
        if len(key) >= LONG_LINE_CHARS:
            pos = ref.find(key, cursor)
            if pos < 0:
                pos = ref.find(key)  # out of order (a headline repeated below, a moved block)
                if pos >= 0:
                    spans[i] = (pos, pos + len(key))
                continue
            spans[i] = (pos, pos + len(key))
            cursor = pos + len(key)
    # Short lines: only as continuations of the previous match, before the next long one.
    prev_end = 0
    for i, key in enumerate(keys):
        if spans[i] is not None:
            prev_end = spans[i][1]
            continue
        if not key or len(key) >= LONG_LINE_CHARS:
            continue
        limit = next((s[0] for s in spans[i + 1 :] if s is not None and s[0] >= prev_end), len(ref))
        pos = ref.find(key, prev_end, min(limit, prev_end + SHORT_LINE_SLACK + len(key)))
        if pos >= 0 and pos + len(key) <= limit:
            spans[i] = (pos, pos + len(key))
            prev_end = pos + len(key)
    labels = []
    covered = bytearray(len(ref))
    for line, span in zip(lines, spans):
        if is_blank(line):
            labels.append("blank")
        elif span is None:
            labels.append("chrome")
        else:
            labels.append("content")
            covered[span[0] : span[1]] = b"\x01" * (span[1] - span[0])
    recovered = covered.count(1) / len(ref) if ref else 0.0
    return Alignment(labels, recovered, len(ref))


def put_back_headline(lines: list[str], labels: list[str], headline: str, ascii_only: bool = False) -> list[str]:
    """``labels`` with the headline put back: the nearest chrome line above the first content line
    whose text lies within ``headline`` and holds at least HEADLINE_SHARE of it becomes content.

    For references that leave the title out while the page shows it above the article (a title
    prepended to the reference would shift where a short first line may match)."""
    title = squash(headline, ascii_only)
    first = next((i for i, label in enumerate(labels) if label == "content"), len(labels))
    if not title or first == len(labels):
        return labels
    for i in range(first - 1, -1, -1):
        key = squash(lines[i], ascii_only)
        if labels[i] == "chrome" and key and len(key) >= HEADLINE_SHARE * len(title) and key in title:
            return labels[:i] + ["content"] + labels[i + 1 :]
    return labels
