"""A learned lexicon: every language with training data gets its own chrome vocabulary.

Each line becomes a bag of hashed terms: its case-folded words and word bigrams (Han and kana
characters count as words of their own, so Chinese and Japanese get character unigrams and
bigrams). A linear model on those terms, trained on the labelled lines, gives each line a
score (a logit: above 0 leans content). Candidate recipes may add character n-grams of long words
(``chars``) and each line's first and last words as terms of their own (``edges``). Hashing and scoring are numpy passes over the batch;
no Python work is done per word.
"""

from __future__ import annotations

import numpy as np

from .batch import DIGIT, LETTER, UPPER, LineBatch
from .keywords import folded_word_hashes

#: Terms are hashed into 2**BUCKET_BITS buckets; collisions only blur rare terms (bits).
BUCKET_BITS = 18
#: Multipliers that mix hashes before the top bits pick a bucket (multiplicative hashing).
_MIX = np.uint32(0x9E3779B1)
_PAIR = np.uint32(0x85EBCA6B)
#: Bigram hashes are offset so that a bigram never lands where a unigram of the same hash would.
_BIGRAM_SALT = np.uint32(0x27D4EB2F)
#: Character n-grams are offset likewise, away from words and bigrams.
_CHAR_SALT = np.uint32(0x165667B1)
#: Line-initial and line-final terms are offset likewise: "Read more", "Lesen Sie auch", "Foto:"
#: and a closing "(dpa)" mean more at a line's edge than inside a sentence.
_FIRST_SALT = np.uint32(0x61C88647)
_LAST_SALT = np.uint32(0x3C6EF372)
#: With ``seen`` set, the lexicon remembers which terms its training lines held ``seen`` times or
#: more, in a bit set of 2**SEEN_BITS slots (bits; 2 MB); any other term adds nothing to a line's
#: score, so the words of a language the training data lacks give no score instead of the weight of
#: whatever term shares their bucket.
SEEN_BITS = 24
#: Words shorter than this get no character n-grams: long words are the compounds and inflected
#: forms that whole-word terms miss (characters).
CHAR_GRAM_MIN_WORD = 8


def word_spans(b: LineBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The batch's words, each array shape (n_words,): start and end offsets in ``b.codes``, line,
    case-folded hash (uint32), and whether the word is one Han or kana character; computed once per batch."""
    if "word_spans" in b.cache:
        return b.cache["word_spans"]
    codes = b.codes
    w_start, w_end = b.word_runs
    if b.cjk is not None:
        w_start, w_end = _split_cjk(b)
    cjk = b.cjk if b.cjk is not None else np.zeros(len(codes), dtype=bool)
    if len(w_start):
        hashes = folded_word_hashes(codes, (b.classes & UPPER) != 0, w_start, w_end, b.folded_prefix)
    else:
        hashes = np.zeros(0, dtype=np.uint32)
    line_of = b.line_of_char[w_start]
    result = (w_start, w_end, line_of, hashes, cjk[w_start])
    b.cache["word_spans"] = result
    return result


def _split_cjk(b: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """The batch's runs of word characters cut so that every Han or kana character is a word of
    its own, and a word starts after one: (start, end) offsets, each shape (n_words,)."""
    run_start, run_end = b.word_runs
    at = np.flatnonzero(b.cjk)
    # A cut is a word character inside a run (its predecessor a word character too) that is Han or
    # kana or follows one: only offsets at or just after such characters need a look.
    cand = np.union1d(at, at + 1)
    cand = cand[(cand > 0) & (cand < len(b.codes))]
    word = (b.classes[cand] & (LETTER | DIGIT)) != 0
    cuts = cand[word & ((b.classes[cand - 1] & (LETTER | DIGIT)) != 0)]
    if not len(cuts):
        return run_start, run_end
    run = np.searchsorted(run_start, cuts) - 1  # the run each cut falls in
    start = np.insert(run_start, run + 1, cuts)
    # Each word ends at the next word's start when that is inside its run, else at its run's end.
    end = np.insert(run_end, run + 1, run_end[run])
    return start, np.minimum(end, np.append(start[1:], len(b.codes)))


def line_terms(b: LineBatch, bits: int = BUCKET_BITS, chars: int = 0,
               edges: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(line of each term, bucket of each term), both shape (n_terms,): the words first, then the
    pairs, then (``chars`` > 0) the character ``chars``-grams of words of CHAR_GRAM_MIN_WORD or more,
    then (``edges``) each line's first word, first word pair and last word as terms of their own."""
    if "lexicon_terms" in b.cache and b.cache["lexicon_terms"][0] == (bits, chars, edges):
        return b.cache["lexicon_terms"][1]
    w_start, w_end, line_of, hashes, _ = word_spans(b)
    if not len(w_start):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    codes = b.codes
    same_line = line_of[1:] == line_of[:-1]
    with np.errstate(over="ignore"):
        pairs = (hashes[:-1] * _PAIR + hashes[1:] + _BIGRAM_SALT)[same_line]
        parts, line_parts = [hashes, pairs], [line_of, line_of[:-1][same_line]]
        if chars:
            long_word = (w_end - w_start) >= max(CHAR_GRAM_MIN_WORD, chars)
            per_word = (w_end - w_start - chars + 1)[long_word]
            first = np.repeat(w_start[long_word], per_word)
            offset = np.arange(len(first)) - np.repeat(np.cumsum(per_word) - per_word, per_word)
            grams = first + offset
            parts.append(folded_word_hashes(codes, (b.classes & UPPER) != 0, grams, grams + chars, b.folded_prefix)
                         + _CHAR_SALT)
            line_parts.append(np.repeat(line_of[long_word], per_word))
        if edges:
            first_word = np.ones(len(line_of), dtype=bool)
            first_word[1:] = ~same_line
            last_word = np.ones(len(line_of), dtype=bool)
            last_word[:-1] = ~same_line
            first_pair = first_word[:-1] & same_line  # the pair that starts at a line's first word
            parts += [hashes[first_word] + _FIRST_SALT, pairs[first_pair[same_line]] + _FIRST_SALT,
                      hashes[last_word] + _LAST_SALT]
            line_parts += [line_of[first_word], line_of[:-1][first_pair], line_of[last_word]]
        terms = np.concatenate(parts) * _MIX
    lines = np.concatenate(line_parts)
    buckets = (terms >> np.uint32(32 - bits)).astype(np.int64)
    result = (lines, buckets)
    b.cache["lexicon_terms"] = ((bits, chars, edges), result)
    return result


def term_norms(lines: np.ndarray, n_lines: int) -> np.ndarray:
    """1 / sqrt(terms on the line) for each line (0 for a line without terms), shape (n_lines,)."""
    counts = np.bincount(lines, minlength=n_lines).astype(np.float64)
    return np.divide(1.0, np.sqrt(counts), out=np.zeros(n_lines), where=counts > 0)


def term_matrix(b: LineBatch, bits: int = BUCKET_BITS, chars: int = 0, edges: bool = False):
    """Sparse (n_lines, 2**bits) matrix of term counts, each row scaled by ``term_norms``."""
    from scipy.sparse import csr_matrix

    lines, buckets = line_terms(b, bits, chars, edges)
    values = term_norms(lines, len(b))[lines]
    return csr_matrix((values, (lines, buckets)), shape=(len(b), 2**bits), dtype=np.float64)


class Lexicon:
    """Per-bucket weights of a linear model over hashed terms; ``score`` gives each line's logit."""

    chars: int = 0  # lexicons pickled before character n-grams had none
    edges: bool = False  # likewise for line-edge terms
    seen: int = 0  # likewise for seen terms
    seen_: np.ndarray | None = None

    def __init__(self, bits: int = BUCKET_BITS, alpha: float = 2e-6, epochs: int = 8, seed: int = 0, chars: int = 0,
                 edges: bool = False, seen: int = 0):
        self.bits = bits
        self.seen = seen
        self.chars = chars
        self.edges = edges
        self.alpha = alpha
        self.epochs = epochs
        self.seed = seed

    @property
    def matrix_bits(self) -> int:
        """Columns of the ``term_matrix`` this lexicon fits and scores: 2**matrix_bits."""
        return SEEN_BITS if self.seen else self.bits

    def fit(self, b: LineBatch, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "Lexicon":
        """Learn term weights from the batch's lines and their targets ``y`` (n_lines,), 1 = content."""
        return self.fit_matrix(term_matrix(b, self.matrix_bits, self.chars, self.edges), y, sample_weight)

    def fit_matrix(self, terms, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "Lexicon":
        """Learn term weights from a ``term_matrix`` (n_lines, 2**matrix_bits) and targets ``y`` (n_lines,)."""
        from sklearn.linear_model import SGDClassifier

        if self.seen:
            counts = np.bincount(terms.indices, minlength=2**SEEN_BITS)
            self.seen_ = np.packbits(counts >= self.seen)
            terms = _coarse(terms, self.bits)
        model = SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=self.epochs, tol=None,
                              random_state=self.seed, average=True)
        model.fit(terms, y, sample_weight=sample_weight)
        self.weights_ = model.coef_[0].astype(np.float32)
        self.intercept_ = float(model.intercept_[0])
        return self

    def _term_weights(self, keys: np.ndarray) -> np.ndarray:
        """Each term's weight, shape (n_terms,), from its bucket (``keys`` at matrix_bits); 0 if unseen."""
        if not self.seen:
            return self.weights_[keys]
        known = (self.seen_[keys >> 3] >> (7 - (keys & 7)).astype(np.uint8)) & 1
        return self.weights_[keys >> (SEEN_BITS - self.bits)] * known

    def score_matrix(self, terms) -> np.ndarray:
        """``score`` of the lines of a ``term_matrix``, shape (n_lines,)."""
        if not self.seen:
            return terms @ self.weights_.astype(np.float64) + self.intercept_
        rows = np.repeat(np.arange(terms.shape[0]), np.diff(terms.indptr))
        values = terms.data * self._term_weights(terms.indices.astype(np.int64))
        return np.bincount(rows, weights=values, minlength=terms.shape[0]) + self.intercept_

    def score(self, b: LineBatch) -> np.ndarray:
        """Each line's logit, shape (n_lines,), float64."""
        lines, keys = line_terms(b, self.matrix_bits, self.chars, self.edges)
        total = np.bincount(lines, weights=self._term_weights(keys), minlength=len(b))
        return total * term_norms(lines, len(b)) + self.intercept_


def _coarse(terms, bits: int):
    """A ``term_matrix`` at SEEN_BITS folded to 2**bits columns (a bucket is its terms' top bits)."""
    from scipy.sparse import csr_matrix

    folded = csr_matrix((terms.data, terms.indices >> (SEEN_BITS - bits), terms.indptr), shape=(terms.shape[0], 2**bits))
    folded.sum_duplicates()
    return folded
