"""A site's repeated lines: a revise step for crawls, where a site's chrome recurs on its pages.

Sites repeat their chrome on every page: the same sign-up prompt, disclaimer or author box. A line
the model keeps as content that at least ``min_pages`` *other* pages of the same site also hold,
within one run, becomes chrome. Counting needs every page before any is labelled, so a run with
the rule reads its input twice: once to count (``RepeatCounter``), once to label and revise
(``RepeatedLines``). Lines are compared case-folded with whitespace collapsed; a page is its URL
(or name), so the same URL fetched twice counts once. Measured on the corpora's site-grouped CV
(docs/model-selection.md, "A site's repeated lines"): it helps only where a run holds several
pages per site, as a crawl does; one page at a time it changes nothing.

Memory while counting: 8 bytes per distinct line of each page (and a set of the pages seen), up to
about 32 while the counts are made; kept afterwards: 8 bytes per repeated line of each site.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from hashlib import blake2b
from typing import Sequence
from urllib.parse import urlsplit

import numpy as np

from .labels import CHROME, CONTENT
from .predictor import PageResult, assemble
from .text import is_blank

#: Default other pages of the site that must hold a line (2: one other page is ruinous, since a
#: site's pages share real content too; docs/model-selection.md).
DEFAULT_MIN_PAGES = 2


def normalise(line: str) -> str:
    """The form two lines must share to count as the same: case-folded, whitespace collapsed."""
    line = line.strip()
    if line.isprintable() and "  " not in line:  # no whitespace but single spaces: nothing to collapse
        return line.casefold()
    return " ".join(line.split()).casefold()


def site_of(value: object) -> str | None:
    """The site of a page from its URL (host, lower case, without ``www.``) or from a site name as
    given (a domain column); None when there is none."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        host = urlsplit(value if "//" in value else "//" + value).hostname
    except ValueError:  # a malformed URL (bad port, bracket): the value names the site as it is
        host = None
    if not host:
        return value
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


def _hash(text: str) -> int:
    """A stable 64-bit hash (the same in every process and run, unlike ``hash``): workers revise too."""
    return int.from_bytes(blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def line_keys(site: str, lines: Sequence[str]) -> np.ndarray:
    """The key of each line of a page of ``site``, shape (n_lines,) uint64; 0 for blank lines."""
    keys = np.array([0 if is_blank(line) else _hash(normalise(line)) for line in lines], dtype=np.uint64)
    keys[keys != 0] ^= np.uint64(_hash(site))  # each site its own keys (a key may turn 0, blank: odds 2 ** -64)
    return keys


@dataclass(frozen=True)
class RepeatedLines:
    """The lines that at least ``min_pages`` + 1 pages of their site hold (keys sorted, uint64)."""

    keys: np.ndarray
    min_pages: int

    def repeated(self, site: str, lines: Sequence[str]) -> np.ndarray:
        """Which lines of a page of ``site`` are repeated, shape (n_lines,) bool."""
        keys = line_keys(site, lines)
        if not len(self.keys):
            return np.zeros(len(lines), dtype=bool)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return (self.keys[at] == keys) & (keys != 0)

    def revise(self, result: PageResult, site: str | None) -> PageResult:
        """``result`` with its repeated content lines made chrome (scores kept); as it was without a site."""
        if site is None:
            return result
        kept = [i for i, label in enumerate(result.labels) if label == CONTENT]
        hit = self.repeated(site, [result.lines[i] for i in kept])  # only kept lines can change
        if not hit.any():
            return result
        labels = list(result.labels)
        for i in np.asarray(kept)[hit]:
            labels[i] = CHROME
        return replace(result, labels=labels, content=assemble(result.lines, labels))


def page_key(site: str, page_id: str) -> int:
    """A page's identity within its site (two records of one URL are one page)."""
    return _hash(site + "\n" + page_id)


class RepeatCounter:
    """Counts, for every line of every page added, how many distinct pages of its site hold it."""

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._pages: set[int] = set()

    def add(self, site: str | None, page_id: str, lines: Sequence[str]) -> None:
        """Count one page's lines; a page without a site, or one already added, counts for nothing."""
        if site is None:
            return
        page = page_key(site, page_id)
        if page in self._pages:
            return
        self._pages.add(page)
        keys = np.unique(line_keys(site, lines))
        self._keys.append(keys[keys != 0])

    def keys(self) -> np.ndarray:
        """Every page's distinct line keys so far, one after another, shape (n,) uint64."""
        if not self._keys:
            return np.zeros(0, dtype=np.uint64)
        if len(self._keys) > 1:
            self._keys = [np.concatenate(self._keys)]
        return self._keys[0]

    def extend(self, keys: np.ndarray) -> None:
        """Add the ``keys()`` of a counter elsewhere (a worker's share of pages not added here)."""
        self._keys.append(np.asarray(keys, dtype=np.uint64))

    def repeated(self, min_pages: int = DEFAULT_MIN_PAGES) -> RepeatedLines:
        """The lines held by at least ``min_pages`` other pages of their site."""
        if min_pages < 1:
            raise ValueError(f"min_pages must be at least 1, got {min_pages}")
        keys = self.keys()
        keys.sort()  # in place: memory stays at 8 bytes a key, plus the run starts
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
        pages = np.diff(np.r_[starts, len(keys)])  # each key is once per page, so its run is its page count
        return RepeatedLines(keys[starts[pages >= min_pages + 1]], min_pages)
