"""Markup-made chrome labels: lines a snippet corpus left unjudged that the HTML puts in boilerplate boxes.

trafilatura's evaluation set judges a few snippets per page; the rest of the page (97% of its
lines) is ``unknown`` and teaches nothing. Its HTML says more: text inside ``<nav>``, ``<footer>``,
``<aside>``, forms, buttons and captions, or under the nearest element whose class, id or role
names navigation, comments, sharing, cookies, newsletters and the like, is chrome on almost any
site. The builder marks that text with sentinel characters, converts the marked page with the same
converter, and reads per line the share of its characters inside a box; an unjudged line at least
``BOXED_SHARE`` inside becomes chrome. Judged lines are never touched, a page whose boxes hold a
line its snippets judged content gets no markup labels (its markup misleads), and a line whose
markup cannot be matched back stays unjudged. Measured in docs/model-selection.md ("Markup-made chrome
labels for trafilatura's unjudged lines").
"""

from __future__ import annotations

import difflib
import re

import numpy as np

from .convert import html_to_lines

#: An unjudged line with at least this share of its non-space characters inside a box is chrome.
BOXED_SHARE = 0.95
#: Elements whose whole text is page furniture.
BOX_TAGS = frozenset({"nav", "footer", "aside", "form", "menu", "figcaption", "button", "select", "label"})
#: Words in a class, id or role that name a box; the nearest element that has any of the three decides.
BOX_WORDS = re.compile(
    r"nav|menu|footer|sidebar|comment|related|share|sharing|social|cookie|consent|newsletter|promo|advert"
    r"|\bads?\b|banner|breadcrumb|widget|subscri|teaser|recommend|popular|trending|signup|login|search"
    r"|\btags?\b|author|byline|caption|credit|meta|disclaimer|copyright|pagination|toolbar|modal|popup"
    r"|outbrain|taboola",
    re.IGNORECASE,
)
#: Private-use characters that open and close boxed text in the marked page.
OPEN, CLOSE = "\ue002", "\ue003"
#: Text of these elements is never page text.
_SKIPPED = frozenset({"script", "style"})


def _boxes(root) -> dict:
    """{element: inside a box?}, parents decided before their children (document order)."""
    tag_box, word_box, boxed = {}, {}, {}
    for el in root.iter():
        parent = el.getparent()
        tag = el.tag if isinstance(el.tag, str) else ""
        tag_box[el] = tag in BOX_TAGS or (parent is not None and tag_box[parent])
        attrs = " ".join(el.get(name) or "" for name in ("class", "id", "role")).strip() if tag else ""
        if attrs:
            word_box[el] = bool(BOX_WORDS.search(attrs))
        else:
            word_box[el] = parent is not None and word_box[parent]
        boxed[el] = tag_box[el] or word_box[el]
    return boxed


def marked_html(html: str) -> str:
    """``html`` re-serialised with every text node inside a box wrapped in OPEN ... CLOSE."""
    import lxml.html

    html = html.replace(OPEN, "").replace(CLOSE, "")
    root = lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    boxed = _boxes(root)
    for el, box in boxed.items():
        if box and isinstance(el.tag, str) and el.tag not in _SKIPPED and el.text:
            el.text = OPEN + el.text + CLOSE
        parent = el.getparent()
        if el.tail and parent is not None and boxed[parent]:
            el.tail = OPEN + el.tail + CLOSE
    return lxml.html.tostring(root, encoding="unicode")


def _shares(marked_lines: list[str]) -> list[float]:
    """Per marked line, the share of its non-space characters between OPEN and CLOSE (0-1)."""
    out, depth = [], 0
    for line in marked_lines:
        total = inside = 0
        for ch in line:
            if ch == OPEN:
                depth += 1
            elif ch == CLOSE:
                depth = max(0, depth - 1)
            elif not ch.isspace():
                total += 1
                inside += depth > 0
        out.append(inside / total if total else 0.0)
    return out


def box_shares(html: str, lines: list[str], converter: str) -> np.ndarray:
    """(n_lines,) float share of each of ``lines`` (``html`` converted by ``converter``) inside a
    box, NaN where the marked page's lines do not match back or the page does not parse."""
    out = np.full(len(lines), np.nan)
    try:
        marked = html_to_lines(marked_html(html), converter)
    except Exception:  # lxml or a converter failing on one odd page leaves it unjudged, as before
        return out
    shares = _shares(marked)
    clean = [" ".join(line.replace(OPEN, "").replace(CLOSE, "").split()) for line in marked]
    matcher = difflib.SequenceMatcher(None, [" ".join(line.split()) for line in lines], clean, autojunk=False)
    for block in matcher.get_matching_blocks():
        out[block.a:block.a + block.size] = shares[block.b:block.b + block.size]
    return out


def label_boxed(labels: list[str], shares: np.ndarray, min_share: float = BOXED_SHARE) -> tuple[list[str], int]:
    """``labels`` with each ``unknown`` line whose box share is at least ``min_share`` made chrome,
    and how many were; judged lines and unmatched (NaN) lines are left as they are. A page whose
    markup boxes a line the snippets judged content (its article sits in an ``<aside>``, or the
    whole page in a ``<form>``) keeps its labels: its boxes say nothing about chrome."""
    if any(label == "content" and share >= min_share for label, share in zip(labels, shares)):
        return list(labels), 0
    out = list(labels)
    made = [i for i, label in enumerate(labels) if label == "unknown" and shares[i] >= min_share]
    for i in made:
        out[i] = "chrome"
    return out, len(made)
