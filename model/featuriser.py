"""The featuriser as a scikit-learn transformer, so featuriser and classifier save as one Pipeline."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from . import features
from .batch import LineBatch
from .keywords import VOCABULARIES
from .lexicon import BUCKET_BITS, Lexicon, term_matrix
from .text import is_blank

#: Default neighbour offsets whose features are copied onto each line: chrome and content come in runs.
NEIGHBOURS = (-2, -1, 1, 2)
#: Default half-width of the window that WINDOW_FEATURES are averaged over (lines).
WINDOW = 3
WINDOW_FEATURES = ("punctuation.ends_terminal", "length.words", "keywords.density")
#: Folds of the site-grouped split that gives training lines out-of-fold lexicon scores.
STACK_FOLDS = 3


class LineFeaturiser(TransformerMixin, BaseEstimator):
    """Pages in, one feature row per non-blank line out.

    ``transform(pages)`` takes a sequence of pages, each a sequence of raw lines (blank lines
    included), and returns shape (total non-blank lines, n_features), rows in page and line order.
    Every setting that shapes the output is a parameter, so a saved model keeps its own.

    With the learned ``lexicon`` group in ``groups``, ``fit`` needs the line targets; ``fit_transform``
    (what a Pipeline calls in training) gives the training lines *out-of-fold* lexicon scores from
    ``stack_folds`` site-grouped folds, so the classifier learns how far to trust the lexicon on
    text it has not seen, as at prediction time.
    """

    def __init__(self, groups: tuple[str, ...] = features.GROUPS, context: bool = True,
                 neighbours: tuple[int, ...] = NEIGHBOURS, window: int = WINDOW,
                 window_features: tuple[str, ...] = WINDOW_FEATURES, lexicon_bits: int = BUCKET_BITS,
                 stack_folds: int = STACK_FOLDS, seed: int = 0, neighbour_features: tuple[str, ...] | None = None,
                 lexicon_chars: int = 0, lexicon_edges: bool = False, lexicon_seen: int = 0, keywords: int = 1):
        self.groups = groups
        self.context = context
        self.neighbours = neighbours
        self.neighbour_features = neighbour_features
        self.window = window
        self.window_features = window_features
        self.lexicon_bits = lexicon_bits
        self.lexicon_chars = lexicon_chars
        self.lexicon_edges = lexicon_edges
        self.lexicon_seen = lexicon_seen
        self.keywords = keywords
        self.stack_folds = stack_folds
        self.seed = seed

    def __setstate__(self, state: dict) -> None:
        # Featurisers pickled in model format 1 predate these parameters; they used these values.
        for name, value in (("neighbours", NEIGHBOURS), ("window", WINDOW), ("window_features", WINDOW_FEATURES),
                            ("lexicon_bits", BUCKET_BITS), ("stack_folds", STACK_FOLDS), ("seed", 0),
                            ("neighbour_features", None), ("lexicon_chars", 0),
                            ("lexicon_edges", False), ("lexicon_seen", 0), ("keywords", 1)):
            state.setdefault(name, value)
        super().__setstate__(state)

    def fit(self, pages: Sequence[Sequence[str]], y=None, groups=None, sample_weight=None) -> "LineFeaturiser":
        """Fix the output columns; learn the lexicon from ``y`` (one target per non-blank line) if asked."""
        self._fit(_chunks(pages), y, sample_weight)
        return self

    def fit_transform(self, pages: Sequence[Sequence[str]], y=None, groups=None, sample_weight=None) -> np.ndarray:
        """``fit``, then the training lines' features with out-of-fold lexicon scores.

        ``groups``: one group (site) per page, so no site's lexicon scores come from its own lines.
        """
        chunks = _chunks(pages)
        terms = self._fit(chunks, y, sample_weight)
        scores = None
        if terms is not None:
            line_groups = np.repeat(np.asarray(groups) if groups is not None else np.arange(len(pages)),
                                    [sum(1 for line in page if not is_blank(line)) for page in pages])
            scores = self._out_of_fold_lexicon(terms, np.asarray(y), line_groups, sample_weight)
            del terms  # about 12 bytes per term of every line: gone before the feature matrix is built
        return self._transform_chunks(chunks, scores)

    def _fit(self, chunks: list[Sequence[Sequence[str]]], y, sample_weight):
        """Set the output columns and fit the lexicon; returns the lexicon's term matrix (or None)."""
        if any(offset == 0 for offset in self.neighbours) or self.window < 1:
            raise ValueError("neighbour offsets must be non-zero and the window at least 1 line")
        if self.keywords not in VOCABULARIES:
            raise ValueError(f"keyword vocabulary {self.keywords!r} unknown; choose from {sorted(VOCABULARIES)}")
        if "section" in self.groups and "lexicon" not in self.groups:
            raise ValueError("the section feature group reads the lexicon's scores: add the 'lexicon' group")
        self.lexicon_, terms = None, None
        if "lexicon" in self.groups:
            if y is None:
                raise ValueError("the lexicon feature group is learned: fit needs the line targets")
            from scipy.sparse import vstack

            lexicon = self._new_lexicon()
            terms = vstack([term_matrix(LineBatch.from_pages(chunk), lexicon.matrix_bits, self.lexicon_chars,
                                        self.lexicon_edges)
                            for chunk in chunks],
                           format="csr")
            self.lexicon_ = lexicon.fit_matrix(terms, np.asarray(y), sample_weight)
        self.base_names_ = features.names_in_groups(tuple(self.groups))
        names = self.output_names()
        self.feature_names_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return terms

    def output_names(self) -> list[str]:
        """The output columns' names that these parameters give (known before fitting)."""
        base = features.names_in_groups(tuple(self.groups))
        names = list(base)
        if self.context:
            for offset in self.neighbours:
                names += [f"{_offset_tag(offset)}:{n}" for n in self._neighbour_names(base)]
            names += [f"window{self.window}:{n}" for n in self.window_features if n in base]
        return names

    def _neighbour_names(self, base: list[str] | None = None) -> list[str]:
        """The line features that get neighbour copies: ``neighbour_features`` (those of them that
        are computed), or every one."""
        base = list(self.base_names_) if base is None else base
        if getattr(self, "neighbour_features", None) is None:
            return base
        return [n for n in base if n in self.neighbour_features]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.feature_names_

    def transform(self, pages: Sequence[Sequence[str]]) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self._transform_chunks(_chunks(pages))

    def _transform_chunks(self, chunks: list[Sequence[Sequence[str]]], lexicon_scores: np.ndarray | None = None) -> np.ndarray:
        """Features of many pages, featurised a chunk at a time so that per-character arrays stay small."""
        if len(chunks) == 1:
            batch = LineBatch.from_pages(chunks[0])
            if lexicon_scores is not None:
                batch.cache["lexicon_scores"] = lexicon_scores
            return self.transform_batch(batch)
        sizes = [sum(1 for page in chunk for line in page if not is_blank(line)) for chunk in chunks]
        # Row-major here (training-sized data): scikit-learn's binning samples rows with np.take, which
        # first copies a column-major matrix whole; the trees it grows are the same either way.
        out = np.empty((sum(sizes), self.n_features_out_), dtype=np.float64, order="C")
        start = 0
        for chunk, size in zip(chunks, sizes):
            batch = LineBatch.from_pages(chunk)
            if lexicon_scores is not None:
                batch.cache["lexicon_scores"] = lexicon_scores[start : start + size]
            out[start : start + size] = self.transform_batch(batch)
            start += size
        return out

    def transform_batch(self, batch: LineBatch) -> np.ndarray:
        """Features of an already flattened batch, shape (len(batch), n_features_out_).

        Column-major (Fortran order): tree ensembles read a few columns for every row, which is
        several times faster on this layout than on rows.
        """
        check_is_fitted(self, "feature_names_")
        batch.cache["keyword_vocabulary"] = self.keywords
        if getattr(self, "lexicon_", None) is not None and "lexicon_scores" not in batch.cache:
            batch.cache["lexicon_scores"] = self.lexicon_.score(batch)
        n, width = len(batch), len(self.base_names_)
        out = np.empty((n, self.n_features_out_), dtype=np.float64, order="F")
        base = features.compute(batch, self.base_names_, out[:, :width])
        if not self.context:
            return out
        shifted = self._neighbour_names()
        copied = base if len(shifted) == width else base[:, [self.base_names_.index(n) for n in shifted]]
        k_width = len(shifted)
        for k, offset in enumerate(self.neighbours):
            _shift_into(copied, batch, offset, out[:, width + k * k_width : width + (k + 1) * k_width])
        cols = [self.base_names_.index(name) for name in self.window_features if name in self.base_names_]
        if cols:
            start = width + len(self.neighbours) * k_width
            out[:, start : start + len(cols)] = _window_mean(base[:, cols], batch, self.window)
        return out

    def _new_lexicon(self) -> Lexicon:
        return Lexicon(self.lexicon_bits, seed=self.seed, chars=self.lexicon_chars, edges=self.lexicon_edges,
                       seen=getattr(self, "lexicon_seen", 0))

    def _out_of_fold_lexicon(self, terms, y: np.ndarray, line_groups: np.ndarray, sample_weight) -> np.ndarray:
        """Each line's lexicon score from a lexicon fitted on the other folds' lines, shape (n_lines,)."""
        from sklearn.model_selection import GroupKFold

        k = min(self.stack_folds, len(np.unique(line_groups)))
        if k < 2:
            return self.lexicon_.score_matrix(terms)
        scores = np.zeros(terms.shape[0])
        weights = np.ones(len(scores)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        for train, test in GroupKFold(n_splits=k).split(scores, groups=line_groups):
            fold = self._new_lexicon().fit_matrix(terms[train], y[train], weights[train])
            scores[test] = fold.score_matrix(terms[test])
        return scores


#: Lines featurised at a time in training (bounds the per-character arrays, about 1 GB at most).
FIT_CHUNK_LINES = 200_000


def _chunks(pages: Sequence[Sequence[str]], max_lines: int | None = None) -> list[Sequence[Sequence[str]]]:
    """Consecutive runs of pages of about ``max_lines`` (FIT_CHUNK_LINES) raw lines each (a bigger page goes alone)."""
    max_lines = max_lines or FIT_CHUNK_LINES
    out, first, size = [], 0, 0
    for i, page in enumerate(pages):
        if i > first and size + len(page) > max_lines:
            out.append(pages[first:i])
            first, size = i, 0
        size += len(page)
    out.append(pages[first:])
    return out


def _offset_tag(offset: int) -> str:
    return f"prev{-offset}" if offset < 0 else f"next{offset}"


def _outside_page(batch: LineBatch, offset: int) -> np.ndarray:
    """True where line i+offset falls outside line i's page, shape (n,)."""
    target = batch.index + offset
    return (target < 0) | (target >= batch.count)


def _shift_into(values: np.ndarray, batch: LineBatch, offset: int, out: np.ndarray) -> np.ndarray:
    """Row i of ``out`` gets row i+offset of ``values`` when it is on the same page, else zeros."""
    n = len(values)
    if abs(offset) >= n:
        out[:] = 0.0
        return out
    # Pages are contiguous in a batch, so a shift is a slice copy plus zeroing at page edges.
    if offset < 0:
        out[-offset:] = values[:offset]
        out[:-offset] = 0.0
    else:
        out[:-offset] = values[offset:]
        out[n - offset:] = 0.0
    out[_outside_page(batch, offset)] = 0.0
    return out


def _window_mean(values: np.ndarray, batch: LineBatch, half: int) -> np.ndarray:
    """Mean of each column over lines i-half..i+half of the same page, shape like ``values``."""
    total = values.copy()
    count = np.ones(len(values))
    shifted = np.empty_like(values)
    for offset in range(-half, half + 1):
        if offset == 0:
            continue
        total += _shift_into(values, batch, offset, shifted)
        count += ~_outside_page(batch, offset)
    return total / count[:, None]
