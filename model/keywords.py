"""Count chrome-vocabulary hits per line for a whole batch with a few numpy passes.

Words are maximal runs of letters and digits in the batch's code-point array. Each word gets a
32-bit polynomial hash (prefix sums of ``code * P**i``, normalised by ``P**-start``; P is odd, so
it is invertible modulo 2**32), hashes are looked up in the sorted keyword vocabulary, and phrases
of up to MAX_PHRASE_WORDS words are matched as base-V codes of consecutive vocabulary ids.
Phrases that start with a symbol are either one character (``©``, ``@``: counted by code point)
or a dot and a word (``.com``: the word's hash, preceded by a '.'). No Python-level work is done
per word or per character.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources

import numpy as np

from .batch import CJK_RANGES
from .text import is_blank

#: Longest phrase in words (a Han or kana character is a word); base-V codes of this many ids must fit in int64.
MAX_PHRASE_WORDS = 6
#: A hit "leads" its line when it starts within the line's first this many words ("FILE PHOTO:",
#: "By ...", "Related: ..."): chrome announces itself up front, prose mentions the same words anywhere.
LEAD_WORDS = 2
#: Hash arithmetic is modulo 2**32: a text word collides with one of the few hundred keyword words
#: with probability about 250 / 2**32, and a collision only miscounts one keyword hit.
_HASH = np.uint32
_MOD = 2**32
_P = _HASH(0x01000193)  # odd, so invertible modulo 2**32
_P_INV = _HASH(pow(int(_P), -1, _MOD))
#: The keyword vocabularies: 1 is ``keywords.txt``; 2 adds ``keywords-2.txt``'s phrases (Nordic, Slavic,
#: Baltic, Turkish, Finnish, Hungarian, Romanian, Indonesian, Vietnamese, Arabic, Chinese, Japanese,
#: Korean) to the same groups; 3 adds ``keywords-3.txt``'s teaser-list and comment-thread headings in
#: all of them. A model keeps the vocabulary it was trained with (``LineFeaturiser.keywords``).
VOCABULARIES = {1: ("keywords.txt",), 2: ("keywords.txt", "keywords-2.txt"),
                3: ("keywords.txt", "keywords-2.txt", "keywords-3.txt")}
#: The vocabulary's direct-address table starts at this many bits (2**16 slots) and grows until
#: no two words share a slot; the multiplier mixes the hash's bits first (Knuth's golden ratio).
SLOT_BITS_MIN = 16
_SLOT_MIX = np.uint32(0x9E3779B1)
_WORD_RE = re.compile(r"[^\W_]+")


def load_groups(vocabulary: int = 1) -> dict[str, tuple[str, ...]]:
    """The named chrome-vocabulary lists of a vocabulary (``VOCABULARIES``): ``group: phrase, phrase``
    lines; a later file may only add phrases to the first file's groups, so feature names never change."""
    groups: dict[str, tuple[str, ...]] = {}
    for k, filename in enumerate(VOCABULARIES[vocabulary]):
        text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
        for raw in text.splitlines():
            if is_blank(raw) or raw.lstrip().startswith("#"):
                continue
            name, _, phrases = raw.partition(":")
            name = name.strip()
            if k and name not in groups:
                raise ValueError(f"{filename}: group {name!r} is not in {VOCABULARIES[vocabulary][0]}")
            added = tuple(p.strip().lower() for p in phrases.split(",") if not is_blank(p))
            groups[name] = groups.get(name, ()) + tuple(p for p in added if p not in groups.get(name, ()))
    return groups


def vocabulary_digest(groups: dict[str, tuple[str, ...]] | None = None, vocabulary: int = 1) -> str:
    """SHA-256 of the keyword groups (``vocabulary``'s unless given): a model's keyword features mean what it says."""
    groups = load_groups(vocabulary) if groups is None else groups
    text = "\n".join(f"{name}: {', '.join(phrases)}" for name, phrases in groups.items())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_hash(word: str) -> int:
    """The hash ``hits`` computes for a word, in Python: sum(ord(c) * P**i) mod 2**32."""
    h, power = 0, 1
    for ch in word:
        h = (h + ord(ch) * power) % _MOD
        power = power * int(_P) % _MOD
    return h


class _Powers:
    """P**i and P**-i modulo 2**32 for i below a size that grows on demand."""

    def __init__(self) -> None:
        self.up = np.ones(1, dtype=_HASH)
        self.down = np.ones(1, dtype=_HASH)

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.up) < n:
            size = max(n, 2 * len(self.up))
            with np.errstate(over="ignore"):
                self.up = np.cumprod(np.full(size, _P, dtype=_HASH), dtype=_HASH) * _P_INV
                self.down = np.cumprod(np.full(size, _P_INV, dtype=_HASH), dtype=_HASH) * _P
        return self.up[:n], self.down[:n]


_POWERS = _Powers()


def word_spans(word_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of every maximal run of True in ``word_mask`` (n_chars,), each (n_words,)."""
    edges = np.diff(word_mask.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]


def folded_prefix(codes: np.ndarray, upper_mask: np.ndarray) -> np.ndarray:
    """Prefix sums of case-folded code points times P**i, shape (n_chars + 1,), uint32: any word's
    hash is then two lookups (``folded_word_hashes``). The costly pass; a batch computes it once
    for the keywords and the lexicon.

    Case folding: +32 turns ASCII and Latin-1 capitals (and Cyrillic А-Я, Greek Α-Ω) into small
    letters. Other capitals (Ł, Š, Ő) land on other code points: a keyword holding their small
    letter matches the word only where the text writes it small too.
    """
    lower = codes + (upper_mask.view(np.uint8) << np.uint8(5)).astype(_HASH)
    up, _ = _POWERS.get(len(codes))
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(codes) + 1, dtype=_HASH)
        np.multiply(lower, up, out=lower)
        np.cumsum(lower, out=prefix[1:], dtype=_HASH)
    return prefix


def folded_word_hashes(codes: np.ndarray, upper_mask: np.ndarray, w_start: np.ndarray, w_end: np.ndarray,
                       prefix: np.ndarray | None = None) -> np.ndarray:
    """``word_hash`` of every word (given by its spans) after case folding, shape (n_words,), uint32.

    ``prefix``: ``folded_prefix(codes, upper_mask)`` when the caller has it already."""
    if prefix is None:
        prefix = folded_prefix(codes, upper_mask)
    _, down = _POWERS.get(len(codes))
    with np.errstate(over="ignore"):
        return (prefix[w_end] - prefix[w_start]) * down[w_start]


def _is_cjk(word: str) -> bool:
    return len(word) == 1 and any(low <= ord(word) <= high for low, high in CJK_RANGES)


def phrase_words(phrase: str) -> list[str]:
    """A phrase's words as the text's are cut: runs of letters and digits, each Han or kana
    character a word of its own ("有料会員" is four words), as ``lexicon.word_spans`` cuts text."""
    out: list[str] = []
    for word in _WORD_RE.findall(phrase):
        run = ""
        for ch in word:
            if any(low <= ord(ch) <= high for low, high in CJK_RANGES):
                out += [run, ch] if run else [ch]
                run = ""
            else:
                run += ch
        if run:
            out.append(run)
    return out


class KeywordIndex:
    """Compiled keyword groups; ``hits`` gives per-line counts, each shape (n_lines, n_groups)."""

    def __init__(self, groups: dict[str, tuple[str, ...]]):
        self.names = list(groups)
        #: Whether a phrase holds Han or kana, so text must be cut into one word per such character.
        self.split_cjk = False
        vocab: dict[str, int] = {}
        by_length: dict[int, dict[tuple[int, ...], int]] = {}
        chars: dict[int, int] = {}
        dotted: dict[int, int] = {}
        seen: dict[str, str] = {}
        for g, (name, phrases) in enumerate(groups.items()):
            for phrase in phrases:
                if seen.setdefault(phrase, name) != name:
                    raise ValueError(f"keyword phrase {phrase!r} is in two groups: {seen[phrase]} and {name}")
                if len(phrase) == 1 and not _WORD_RE.match(phrase):
                    chars[ord(phrase)] = g
                    continue
                if phrase.startswith(".") and _WORD_RE.fullmatch(phrase[1:]):
                    dotted[word_hash(phrase[1:])] = g
                    continue
                if phrase != phrase.lower():
                    raise ValueError(f"keyword phrase must be in small letters (text is folded to them): {phrase!r}")
                if not _WORD_RE.match(phrase):
                    raise ValueError(f"keyword phrase must start with a word, be one symbol or '.word': {phrase!r}")
                words = phrase_words(phrase)
                self.split_cjk = self.split_cjk or any(_is_cjk(w) for w in words)
                if len(words) > MAX_PHRASE_WORDS:
                    raise ValueError(f"keyword phrase longer than {MAX_PHRASE_WORDS} words: {phrase!r}")
                ids = tuple(vocab.setdefault(w, len(vocab) + 1) for w in words)
                if by_length.setdefault(len(ids), {}).setdefault(ids, g) != g:
                    raise ValueError(f"keyword phrase {phrase!r} reads as words of a phrase in another group")
        hashes = np.array([word_hash(w) for w in vocab], dtype=_HASH)
        order = np.argsort(hashes)
        self.vocab_hashes = hashes[order]
        self.vocab_ids = np.array(list(vocab.values()), dtype=np.int64)[order]
        self.slot_shift, self.slots = self._slot_table(self.vocab_hashes)
        self.base = len(vocab) + 1
        #: The longest phrase's words: how far past a candidate word ``hits`` must look.
        self.max_words = max(by_length, default=1)
        if self.base**self.max_words > np.iinfo(np.int64).max:  # every phrase code is below base ** max_words
            raise ValueError("keyword vocabulary too large for int64 phrase codes")
        self.tables = {}
        for k, table in sorted(by_length.items()):
            codes = np.array([self._code(ids) for ids in table], dtype=np.int64)
            order = np.argsort(codes)
            self.tables[k] = (codes[order], np.array(list(table.values()), dtype=np.int64)[order])
        self.char_codes = np.array(list(chars), dtype=np.uint32)
        self.char_groups = np.array(list(chars.values()), dtype=np.int64)
        order = np.argsort(np.array(list(dotted), dtype=_HASH))
        self.dotted_hashes = np.array(list(dotted), dtype=_HASH)[order]
        self.dotted_groups = np.array(list(dotted.values()), dtype=np.int64)[order]

    @staticmethod
    def _slot_table(hashes: np.ndarray) -> tuple[np.uint32, np.ndarray]:
        """A direct-address table over the vocabulary's word hashes: the top bits of the mixed hash
        pick a slot holding 1 + the word's position (0: no word), with as few bits as leave no two
        words in one slot. One gather per word beats a binary search (``hits``)."""
        with np.errstate(over="ignore"):
            mixed = hashes * _SLOT_MIX
        for bits in range(SLOT_BITS_MIN, 33):
            shift = np.uint32(32 - bits)
            slot = (mixed >> shift).astype(np.int64)
            if len(np.unique(slot)) == len(slot):
                table = np.zeros(2**bits, dtype=np.int64)
                table[slot] = np.arange(1, len(hashes) + 1)
                return shift, table
        raise ValueError("keyword vocabulary has two words with the same hash")

    def word_ids(self, hashes: np.ndarray) -> np.ndarray:
        """Vocabulary id of each word hash, 0 for words not in the vocabulary; shape like ``hashes``."""
        if not len(self.vocab_hashes):
            return np.zeros(len(hashes), dtype=np.int64)
        with np.errstate(over="ignore"):
            pos = self.slots[((hashes * _SLOT_MIX) >> self.slot_shift).astype(np.int64)] - 1
        known = pos >= 0
        pos = np.where(known, pos, 0)
        return np.where(known & (self.vocab_hashes[pos] == hashes), self.vocab_ids[pos], 0)

    def _code(self, ids: tuple[int, ...]) -> int:
        code = 0
        for i in ids:
            code = code * self.base + i
        return code

    def hits(self, codes: np.ndarray, word_mask: np.ndarray, upper_mask: np.ndarray,
             starts: np.ndarray, prefix: np.ndarray | None = None, spans: tuple[np.ndarray, np.ndarray] | None = None,
             line_of_char: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per-line hits of each group, and of those the hits that lead their line (LEAD_WORDS).

        ``codes``: code points of the lines joined by newlines, (n_chars,); ``word_mask``: True on
        letters and digits; ``upper_mask``: True on capitals (both (n_chars,)); ``starts``: first
        offset of each line, (n_lines,); ``prefix``: ``folded_prefix`` of codes, ``spans``:
        ``word_spans(word_mask)``, ``line_of_char``: the line of every offset (n_chars,), if at hand.
        Returns two int64 arrays of shape (n_lines, n_groups).
        """

        def line_at(offsets: np.ndarray) -> np.ndarray:
            if line_of_char is not None:
                return line_of_char[offsets]
            return np.searchsorted(starts, offsets, side="right") - 1

        n_lines, n_groups = len(starts), len(self.names)
        counts = np.zeros(n_lines * n_groups, dtype=np.int64)
        leads = np.zeros(n_lines * n_groups, dtype=np.int64)
        w_start, w_end = word_spans(word_mask) if spans is None else spans
        # Index of each line's first word (words never span lines): ordinal = word index - this.
        first_word = np.searchsorted(w_start, starts)

        def add(word_idx: np.ndarray, line_of: np.ndarray, groups: np.ndarray) -> None:
            flat = line_of * n_groups + groups
            np.add.at(counts, flat, 1)
            lead = word_idx - first_word[line_of] < LEAD_WORDS
            np.add.at(leads, flat[lead], 1)

        if len(w_start):
            hashes = folded_word_hashes(codes, upper_mask, w_start, w_end, prefix)
            ids = self.word_ids(hashes)
            cand = np.nonzero(ids)[0]
            if len(cand):
                # Line numbers are needed only for candidate words and the few words after them.
                mark = np.zeros(len(ids), dtype=bool)
                for j in range(self.max_words):
                    mark[np.minimum(cand + j, len(ids) - 1)] = True
                near = np.nonzero(mark)[0]
                line_of = np.full(len(ids), -1, dtype=np.int64)
                line_of[near] = line_at(w_start[near])
                self._match(ids, cand, line_of, add)
            if len(self.dotted_hashes):
                after_dot = np.nonzero(codes[np.maximum(w_start - 1, 0)] == ord("."))[0]
                after_dot = after_dot[w_start[after_dot] > 0]
                dh = hashes[after_dot]
                pos = np.minimum(np.searchsorted(self.dotted_hashes, dh), len(self.dotted_hashes) - 1)
                found = after_dot[self.dotted_hashes[pos] == dh]
                line_of = line_at(w_start[found])
                groups = self.dotted_groups[np.searchsorted(self.dotted_hashes, hashes[found])]
                add(found, line_of, groups)
        for code, group in zip(self.char_codes.tolist(), self.char_groups.tolist()):
            where = np.nonzero(codes == code)[0]
            if len(where):
                line_of = line_at(where)
                # A symbol's ordinal is the number of words before it on its line.
                add(np.searchsorted(w_start, where), line_of, np.full(len(where), group, dtype=np.int64))
        return counts.reshape(n_lines, n_groups), leads.reshape(n_lines, n_groups)

    def _match(self, ids, cand, line_of, add) -> None:
        """Report phrase hits starting at candidate word positions ``cand`` (words with an id) to ``add``.

        Phrases of k words are looked for only where k vocabulary words in a row share a line, so
        each longer length costs a pass over fewer starts ("for" is a word of the vocabulary; "for
        abonnenter" rarely follows)."""
        n = len(ids)
        starts, code = cand, ids[cand]
        for k in range(1, self.max_words + 1):
            if k > 1:
                starts, code = starts[starts + k - 1 < n], code[starts + k - 1 < n]
                nxt = ids[starts + k - 1]
                ok = (nxt > 0) & (line_of[starts + k - 1] == line_of[starts])
                starts, code = starts[ok], code[ok] * self.base + nxt[ok]
            if not len(starts):
                return
            if k in self.tables:
                keys, groups = self.tables[k]
                pos = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
                found = np.nonzero(keys[pos] == code)[0]
                add(starts[found], line_of[starts[found]], groups[pos[found]])


@lru_cache(maxsize=None)
def default_index(vocabulary: int = 1) -> KeywordIndex:
    """The index of a bundled vocabulary (``VOCABULARIES``)."""
    return KeywordIndex(load_groups(vocabulary))
