"""Many pages' non-blank lines as flat arrays, so every feature is one vectorised pass."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Sequence

import numpy as np

# Character-class bits of the code-point table (one byte per code point below 0x10000).
LETTER, UPPER, DIGIT, SPACE, PUNCT, TERMINAL, CLOSER, SEPARATOR = (1 << i for i in range(8))
#: Features read at most this many characters of a line: a 10,000-character line is already
#: "very long", and the cap bounds time and memory on pages with one huge line (characters).
MAX_LINE_CHARS = 10_000
#: ``count_mask`` counts a mask set on fewer than this share of characters by its set positions,
#: others by a sum over every character: the two cost the same near 1% (measured on WCXB pages).
SPARSE_MASK_SHARE = 0.01
#: Code points at or above this are classed as letters (CJK extensions, emoji): rare in chrome cues.
TABLE_SIZE = 0x10000

#: Code-point ranges of scripts written without spaces, counted a word per character: kana, CJK
#: ideographs (with extension A and compatibility forms), and the supplementary ideograph planes.
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_TERMINAL_CHARS = ".!?\u2026\u3002\uff01\uff1f\u061f\u0964"
_CLOSER_CHARS = "\"')]\u201d\u2019\u00bb\u300d\u300f"
_SEPARATOR_CHARS = "|\u00bb\u2022\u00b7\u203a\u25e6\u25aa\u25ba\u2013\u2014/>"


def _build_class_table() -> np.ndarray:
    """Class bits for every BMP code point; built once at import (about 30 ms)."""
    table = np.zeros(TABLE_SIZE, dtype=np.uint8)
    for cp in range(TABLE_SIZE):
        cat = unicodedata.category(chr(cp))
        bits = 0
        if cat[0] == "L":
            bits |= LETTER
            if cat == "Lu" or cat == "Lt":
                bits |= UPPER
        elif cat == "Nd":
            bits |= DIGIT
        elif cat[0] == "Z" or cat in ("Cc",):
            bits |= SPACE
        elif cat[0] in "PS":
            bits |= PUNCT
        table[cp] = bits
    for chars, bit in ((_TERMINAL_CHARS, TERMINAL), (_CLOSER_CHARS, CLOSER), (_SEPARATOR_CHARS, SEPARATOR)):
        for ch in chars:
            table[ord(ch)] |= bit
    return table


CLASS_TABLE = _build_class_table()


@dataclass
class LineBatch:
    """The non-blank lines of a batch of pages; every array has one entry per such line, shape (n,).

    Except ``keep``: True for each raw line (blank or not) that is a row, shape (n_raw_lines,);
    and ``page_sizes``: raw lines per page, shape (n_pages,).

    ``codes`` holds the code points of all stripped lines joined by ``\\n``; line ``i`` spans
    ``codes[starts[i]:ends[i]]``. Blank lines are not rows: they only set ``blank_before/after``.
    """

    lines: list[str]
    starts: np.ndarray
    ends: np.ndarray
    page: np.ndarray
    index: np.ndarray
    count: np.ndarray
    blank_before: np.ndarray
    blank_after: np.ndarray
    keep: np.ndarray
    page_sizes: np.ndarray
    cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_pages(cls, pages: Sequence[Sequence[str]]) -> "LineBatch":
        """Flatten pages (each a sequence of raw lines, blanks included) into one batch."""
        sizes = np.fromiter(map(len, pages), dtype=np.int64, count=len(pages))
        raw = list(chain.from_iterable(pages))
        stripped = list(map(str.strip, raw))
        # Lengths once, in C (map/fromiter): a Python-level check per line cost 5% of prediction.
        all_lengths = np.fromiter(map(len, stripped), dtype=np.int64, count=len(stripped))
        if len(all_lengths) and all_lengths.max() > MAX_LINE_CHARS:
            stripped = [line[:MAX_LINE_CHARS] for line in stripped]
            all_lengths = np.minimum(all_lengths, MAX_LINE_CHARS)
        keep = all_lengths > 0
        page_of = np.repeat(np.arange(len(pages), dtype=np.int64), sizes)
        first = np.zeros(len(raw), dtype=bool)  # first raw line of its page
        first[np.cumsum(sizes)[:-1][sizes[1:] > 0] if len(sizes) else []] = True
        if len(raw):
            first[0] = True
        last = np.roll(first, -1)
        if len(raw):
            last[-1] = True
        blank = ~keep
        prev_blank = np.zeros(len(raw), dtype=bool)
        prev_blank[1:] = blank[:-1]
        next_blank = np.zeros(len(raw), dtype=bool)
        next_blank[:-1] = blank[1:]
        rows = np.nonzero(keep)[0]
        lines = [line for line in stripped if line]  # the rows: a stripped line is empty exactly when blank
        page = page_of[rows]
        kept_per_page = np.bincount(page, minlength=len(pages))
        page_first_row = np.concatenate(([0], np.cumsum(kept_per_page)[:-1]))
        lengths = all_lengths[rows]
        starts = np.zeros(len(lines), dtype=np.int64)
        if len(lines) > 1:
            np.cumsum(lengths[:-1] + 1, out=starts[1:])
        return cls(
            lines=lines,
            starts=starts,
            ends=starts + lengths,
            page=page,
            index=np.arange(len(lines), dtype=np.int64) - page_first_row[page],
            count=kept_per_page[page],
            blank_before=prev_blank[rows] & ~first[rows],
            blank_after=next_blank[rows] & ~last[rows],
            keep=keep,
            page_sizes=sizes,
        )

    def __len__(self) -> int:
        return len(self.lines)

    @cached_property
    def joined(self) -> str:
        """All lines joined by newlines: the text that ``codes`` and ``starts`` index."""
        return "\n".join(self.lines)

    @cached_property
    def codes(self) -> np.ndarray:
        """Code points of ``joined``, shape (n_chars,), uint32."""
        return np.frombuffer(self.joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    @cached_property
    def classes(self) -> np.ndarray:
        """Class bits of every character of ``joined``, shape (n_chars,), uint8."""
        codes = self.codes
        if not len(codes) or codes.max() < TABLE_SIZE:
            return np.take(CLASS_TABLE, codes)  # a third faster than CLASS_TABLE[codes]
        out = np.take(CLASS_TABLE, np.minimum(codes, TABLE_SIZE - 1))
        out[codes >= TABLE_SIZE] = LETTER
        return out

    @cached_property
    def folded_prefix(self) -> np.ndarray:
        """``keywords.folded_prefix`` of the batch: word hashes for the keywords and the lexicon."""
        from .keywords import folded_prefix

        return folded_prefix(self.codes, (self.classes & UPPER) != 0)

    def count_chars(self, bit: int) -> np.ndarray:
        """How many characters of each line have class ``bit``, shape (n,)."""
        return self.count_mask((self.classes & bit) != 0)

    def count_mask(self, mask: np.ndarray) -> np.ndarray:
        """Per-line sums of a per-character boolean mask, shape (n,)."""
        if not len(self.lines):
            return np.zeros(0, dtype=np.int64)
        if np.count_nonzero(mask) < SPARSE_MASK_SHARE * len(mask):
            # Digits, commas, terminal marks: counting the few set characters by line is 3-6 times
            # faster than a segmented sum over every character.
            sums = np.bincount(self.line_of_char[mask], minlength=len(self.lines))
        else:
            # Bytes summed into int32 (lines are far shorter than 2**31): half the time of int64.
            sums = np.add.reduceat(np.asarray(mask, dtype=bool).view(np.uint8), self.starts, dtype=np.int32)
        # Either way line i's sum includes the '\n' joiner after it (its segment, its line_of_char).
        sep = np.zeros(len(self.lines), dtype=np.int64)
        sep[:-1] = mask[self.ends[:-1]]
        return sums - sep

    @cached_property
    def word_runs(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and end offsets of every maximal run of letters and digits, each shape (n_runs,):
        the words of the keywords, and of the lexicon when the batch has no Han or kana."""
        from .keywords import word_spans

        return word_spans((self.classes & (LETTER | DIGIT)) != 0)

    @cached_property
    def word_starts(self) -> np.ndarray:
        """Per-character mask of the first character of each whitespace-separated word."""
        space = (self.classes & SPACE) != 0
        prev_space = np.ones_like(space)
        prev_space[1:] = space[:-1]
        return ~space & prev_space

    @cached_property
    def n_chars(self) -> np.ndarray:
        return self.ends - self.starts

    @cached_property
    def cjk(self) -> np.ndarray | None:
        """Per-character mask of Han and kana characters, shape (n_chars,); None when the batch has
        none (most batches: then no per-range pass is made at all)."""
        codes = self.codes
        candidates = np.flatnonzero(codes >= CJK_RANGES[0][0]) if len(codes) else np.zeros(0, dtype=np.int64)
        if not len(candidates):
            return None
        sub = codes[candidates]
        hit = np.zeros(len(sub), dtype=bool)
        for low, high in CJK_RANGES:  # only over the few characters at or above the first range
            hit |= (sub >= low) & (sub <= high)
        if not hit.any():
            return None
        mask = np.zeros(len(codes), dtype=bool)
        mask[candidates[hit]] = True
        return mask

    @cached_property
    def line_of_char(self) -> np.ndarray:
        """The line of every character of ``joined`` (a joining newline belongs to the line before),
        shape (n_chars,): a gather where a binary search per word would be slower."""
        if not len(self.lines):
            return np.zeros(len(self.codes), dtype=np.int64)
        spans = np.diff(np.append(self.starts, len(self.codes)))
        return np.repeat(np.arange(len(self.lines), dtype=np.int64), spans)

    @cached_property
    def n_words(self) -> np.ndarray:
        """Words per line: whitespace-separated words, plus one per Han or kana character, since
        Chinese and Japanese write without spaces (a paragraph would otherwise be "one word")."""
        words = self.count_mask(self.word_starts)
        cjk = self.cjk
        if cjk is not None:
            # A run of CJK characters already counted as one whitespace word is counted per character.
            words = words + self.count_mask(cjk) - self.count_mask(cjk & self.word_starts)
        return words

    def char_at(self, offsets: np.ndarray) -> np.ndarray:
        """Class bits of the character at each offset, shape (n,)."""
        return self.classes[offsets] if len(offsets) else np.zeros(0, dtype=np.uint8)
