"""A site's repeated lines: a revise step for crawls, where a site's chrome recurs on its pages.

Sites repeat their chrome on every page: the same sign-up prompt, disclaimer or author box. A line
the model keeps as content that at least ``min_pages`` *other* pages of the same site also hold,
within one run, becomes chrome. Counting needs every page before any is labelled, so a run with
the rule reads its input twice: once to count (``RepeatCounter``), once to label and revise
(``RepeatedLines``). Lines are compared case-folded with whitespace collapsed; a page is its URL
(or name), so the same URL fetched twice counts once. Measured on the corpora's site-grouped CV
(docs/model-selection.md, "A site's repeated lines"): it helps only where a run holds several
pages per site, as a crawl does; one page at a time it changes nothing.

Memory while counting: 8 bytes per distinct line of each page (and a set of the pages seen), twice
that for a moment when parts are joined, and 9 while the counts are made; kept afterwards: 8 bytes
per repeated line of each site.

A run split over tasks that never meet (datatrove, Ray) counts a ``Shard`` in each task and merges
them with ``merge_shards``, which counts a page that two tasks both hold once; shards and tables of
repeated lines travel between tasks as flat uint64 arrays (``to_array`` / ``from_array``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from hashlib import blake2b
from typing import Iterable, Sequence
from urllib.parse import urlsplit

import numpy as np

from .labels import CHROME, CONTENT
from .result import PageResult, assemble
from .text import is_blank

#: Default other pages of the site that must hold a line (2: one other page is ruinous, since a
#: site's pages share real content too; docs/model-selection.md).
DEFAULT_MIN_PAGES = 2
#: The first element of a shard's or a table's array ("linesift" in ASCII), then its kind.
ARRAY_MAGIC = 0x6C696E6573696674
_SHARD, _REPEATED = 1, 2


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

    def to_array(self) -> np.ndarray:
        """A flat uint64 array to save or send: magic, kind, ``min_pages``, then the keys."""
        return np.concatenate([np.array([ARRAY_MAGIC, _REPEATED, self.min_pages], dtype=np.uint64), self.keys])

    @classmethod
    def from_array(cls, array: np.ndarray) -> "RepeatedLines":
        """The table ``to_array`` gave; ValueError for any other array."""
        array = _checked(array, _REPEATED, "a table of repeated lines")
        keys = array[3:]
        if len(array) < 3 or array[2] < 1 or (len(keys) > 1 and not (keys[1:] > keys[:-1]).all()):
            raise ValueError("not a table of repeated lines (damaged)")
        return cls(keys, int(array[2]))

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


def page_id_of(url: object, fallback: str) -> str:
    """A page's name for counting: its URL without fragment, else ``fallback`` (a record's name or id)."""
    return url.split("#", 1)[0] if isinstance(url, str) and url else fallback


def page_key(site: str, page_id: str) -> int:
    """A page's identity within its site (two records of one URL are one page)."""
    return _hash(site + "\n" + page_id)


def _checked(array: np.ndarray, kind: int, what: str) -> np.ndarray:
    """``array`` as a flat uint64 array of ``kind``; ValueError naming ``what`` otherwise."""
    array = np.asarray(array)
    if array.dtype != np.uint64 or array.ndim != 1 or len(array) < 2 or array[0] != ARRAY_MAGIC or array[1] != kind:
        raise ValueError(f"not {what} (saved by another tool or version)")
    return array


@dataclass(frozen=True)
class Shard:
    """The pages one task counted: page keys and each page's count of distinct line keys, both shape
    (n_pages,), and the line keys, shape (sum of the counts,), page after page."""

    pages: np.ndarray
    sizes: np.ndarray
    keys: np.ndarray

    def to_array(self) -> np.ndarray:
        """A flat uint64 array to save or send: magic, kind, pages, then pages, counts and keys."""
        head = np.array([ARRAY_MAGIC, _SHARD, len(self.pages)], dtype=np.uint64)
        return np.concatenate([head, self.pages, self.sizes.astype(np.uint64), self.keys])

    @classmethod
    def join(cls, shards: Sequence["Shard"]) -> "Shard":
        """One shard of the pages of several (a page in two of them stays in both until merged)."""
        if not shards:
            return cls(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64))
        return cls(*(np.concatenate([getattr(s, name) for s in shards]) for name in ("pages", "sizes", "keys")))

    def repeated(self, min_pages: int = DEFAULT_MIN_PAGES) -> "RepeatedLines":
        """The table of this shard alone, whose pages are distinct (as one run counts them); sorts
        its keys in place, so that no copy is made."""
        return _repeated_lines(self.keys, min_pages)

    @classmethod
    def from_array(cls, array: np.ndarray) -> "Shard":
        """The shard ``to_array`` gave; ValueError for any other array."""
        array = _checked(array, _SHARD, "a shard of counted lines")
        n = int(array[2]) if len(array) > 2 else -1
        if n < 0 or len(array) < 3 + 2 * n:
            raise ValueError("not a shard of counted lines (damaged)")
        sizes = array[3 + n:3 + 2 * n].astype(np.int64)
        if (sizes < 0).any() or int(sizes.sum()) != len(array) - 3 - 2 * n:
            raise ValueError("not a shard of counted lines (damaged)")
        return cls(array[3:3 + n], sizes, array[3 + 2 * n:])


def _repeated_lines(keys: np.ndarray, min_pages: int) -> RepeatedLines:
    """The table of ``keys`` (each once per page that holds it; sorted in place) held by ``min_pages`` + 1 pages."""
    if min_pages < 1:
        raise ValueError(f"min_pages must be at least 1, got {min_pages}")
    keys.sort()  # in place: memory stays at 8 bytes a key, plus 1 for the comparison below
    # Each key is once per page, so a key on min_pages + 1 pages or more is a sorted run that long,
    # and exactly such a run has a key equal to the one min_pages places after it.
    held = keys[:-min_pages][keys[:-min_pages] == keys[min_pages:]] if len(keys) > min_pages else keys[:0]
    return RepeatedLines(np.unique(held), min_pages)


def merge_shards(shards: Iterable[Shard], min_pages: int = DEFAULT_MIN_PAGES) -> RepeatedLines:
    """The lines held by at least ``min_pages`` other pages of their site, over every task's shard;
    a page in several shards (the same URL in two tasks' input) counts once."""
    joined = Shard.join(list(shards))  # fresh arrays: the counting below sorts the keys in place
    pages, sizes, keys = joined.pages, joined.sizes, joined.keys
    first = np.zeros(len(pages), dtype=bool)
    first[np.unique(pages, return_index=True)[1]] = True
    return _repeated_lines(keys[np.repeat(first, sizes)] if not first.all() else keys, min_pages)


class RepeatCounter:
    """Counts, for every line of every page added, how many distinct pages of its site hold it."""

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._pages: set[int] = set()
        self._added: list[tuple[int, int]] = []  # (page key, distinct line keys) of each page added

    def add(self, site: str | None, page_id: str, lines: Sequence[str]) -> None:
        """Count one page's lines; a page without a site, or one already added, counts for nothing."""
        if site is None:
            return
        page = page_key(site, page_id)
        if page in self._pages:
            return
        self._pages.add(page)
        keys = np.unique(line_keys(site, lines))
        keys = keys[keys != 0]
        self._keys.append(keys)
        self._added.append((page, len(keys)))

    def keys(self) -> np.ndarray:
        """Every page's distinct line keys so far, one after another, shape (n,) uint64."""
        if not self._keys:
            return np.zeros(0, dtype=np.uint64)
        if len(self._keys) > 1:
            self._keys = [np.concatenate(self._keys)]
        return self._keys[0]

    def shard(self) -> Shard:
        """The pages added so far (a copy), to merge with other tasks' (``merge_shards``)."""
        pages = np.array([page for page, _ in self._added], dtype=np.uint64)
        sizes = np.array([size for _, size in self._added], dtype=np.int64)
        return Shard(pages, sizes, self.keys().copy())

    def repeated(self, min_pages: int = DEFAULT_MIN_PAGES) -> RepeatedLines:
        """The lines held by at least ``min_pages`` other pages of their site (sorts the keys in place:
        call it once the counting is done)."""
        return _repeated_lines(self.keys(), min_pages)
