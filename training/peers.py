"""What users run today, scored on the same lines as linesift: keep-all, C4's line rule, jusText.

Each peer maps a page's lines to labels, so every one is scored by the same ``score_labels``.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Sequence

from linesift.model.labels import BLANK, CHROME, CONTENT
from linesift.model.text import is_blank

#: C4's rule: keep lines ending in terminal punctuation with at least this many words.
C4_MIN_WORDS = 3
C4_TERMINAL = (".", "!", "?", '"', "\u201d")

Peer = Callable[[Sequence[str]], list[str]]


def keep_all(lines: Sequence[str]) -> list[str]:
    """Everything that is not blank is content: the floor any cleaner must beat."""
    return [BLANK if is_blank(l) else CONTENT for l in lines]


def c4_rule(lines: Sequence[str]) -> list[str]:
    """C4 (Raffel et al. 2020): keep lines that end in terminal punctuation and have 3+ words."""
    out = []
    for line in lines:
        text = line.strip()
        if is_blank(text):
            out.append(BLANK)
        elif text.endswith(C4_TERMINAL) and len(text.split()) >= C4_MIN_WORDS:
            out.append(CONTENT)
        else:
            out.append(CHROME)
    return out


def justext_lines(lines: Sequence[str], language: str = "English") -> list[str]:
    """jusText with each non-blank line as one ``<p>``: its verdict is the line's label."""
    import justext

    idx = [i for i, l in enumerate(lines) if not is_blank(l)]
    out = [BLANK] * len(lines)
    if not idx:
        return out
    html = "<html><body>" + "".join(f"<p>{escape(lines[i].strip())}</p>" for i in idx) + "</body></html>"
    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist(language), encoding="utf-8")
    for i in idx:
        out[i] = CHROME
    if len(paragraphs) == len(idx):
        for i, p in zip(idx, paragraphs):
            out[i] = CHROME if p.is_boilerplate else CONTENT
    else:  # jusText merged or dropped paragraphs: fall back on matching their text in order
        texts = [" ".join(lines[i].split()) for i in idx]
        j = 0
        for p in paragraphs:
            while j < len(texts) and texts[j] != " ".join(p.text.split()):
                j += 1
            if j < len(texts):
                out[idx[j]] = CHROME if p.is_boilerplate else CONTENT
                j += 1
    return out


PEERS: dict[str, Peer] = {"keep-all": keep_all, "c4-rule": c4_rule, "justext": justext_lines}


def available_peers() -> dict[str, Peer]:
    """The peers whose dependencies are installed (jusText is an optional extra)."""
    try:
        import justext  # noqa: F401
    except ImportError:
        return {k: v for k, v in PEERS.items() if k != "justext"}
    return dict(PEERS)
