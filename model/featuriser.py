"""The featuriser as a scikit-learn transformer, so featuriser and classifier save as one Pipeline."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from . import features
from .batch import LineBatch
from .lexicon import BUCKET_BITS, Lexicon

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
                 stack_folds: int = STACK_FOLDS, seed: int = 0):
        self.groups = groups
        self.context = context
        self.neighbours = neighbours
        self.window = window
        self.window_features = window_features
        self.lexicon_bits = lexicon_bits
        self.stack_folds = stack_folds
        self.seed = seed

    def __setstate__(self, state: dict) -> None:
        # Featurisers pickled in model format 1 predate these parameters; they used these values.
        for name, value in (("neighbours", NEIGHBOURS), ("window", WINDOW), ("window_features", WINDOW_FEATURES),
                            ("lexicon_bits", BUCKET_BITS), ("stack_folds", STACK_FOLDS), ("seed", 0)):
            state.setdefault(name, value)
        super().__setstate__(state)

    def fit(self, pages: Sequence[Sequence[str]], y=None, groups=None, sample_weight=None) -> "LineFeaturiser":
        """Fix the output columns; learn the lexicon from ``y`` (one target per non-blank line) if asked."""
        self._fit(LineBatch.from_pages(pages), y, sample_weight)
        return self

    def fit_transform(self, pages: Sequence[Sequence[str]], y=None, groups=None, sample_weight=None) -> np.ndarray:
        """``fit``, then the training lines' features with out-of-fold lexicon scores.

        ``groups``: one group (site) per page, so no site's lexicon scores come from its own lines.
        """
        batch = LineBatch.from_pages(pages)
        self._fit(batch, y, sample_weight)
        if self.lexicon_ is not None:
            batch.cache["lexicon_scores"] = self._out_of_fold_lexicon(batch, y, groups, sample_weight)
        return self.transform_batch(batch)

    def _fit(self, batch: LineBatch, y, sample_weight) -> None:
        if any(offset == 0 for offset in self.neighbours) or self.window < 1:
            raise ValueError("neighbour offsets must be non-zero and the window at least 1 line")
        self.lexicon_ = None
        if "lexicon" in self.groups:
            if y is None:
                raise ValueError("the lexicon feature group is learned: fit needs the line targets")
            self.lexicon_ = Lexicon(self.lexicon_bits, seed=self.seed).fit(batch, np.asarray(y), sample_weight)
        self.base_names_ = features.names_in_groups(tuple(self.groups))
        names = list(self.base_names_)
        if self.context:
            for offset in self.neighbours:
                names += [f"{_offset_tag(offset)}:{n}" for n in self.base_names_]
            names += [f"window{self.window}:{n}" for n in self.window_features if n in self.base_names_]
        self.feature_names_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.feature_names_

    def transform(self, pages: Sequence[Sequence[str]]) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.transform_batch(LineBatch.from_pages(pages))

    def transform_batch(self, batch: LineBatch) -> np.ndarray:
        """Features of an already flattened batch, shape (len(batch), n_features_out_).

        Column-major (Fortran order): tree ensembles read a few columns for every row, which is
        several times faster on this layout than on rows.
        """
        check_is_fitted(self, "feature_names_")
        if getattr(self, "lexicon_", None) is not None and "lexicon_scores" not in batch.cache:
            batch.cache["lexicon_scores"] = self.lexicon_.score(batch)
        n, width = len(batch), len(self.base_names_)
        out = np.empty((n, self.n_features_out_), dtype=np.float64, order="F")
        base = features.compute(batch, self.base_names_, out[:, :width])
        if not self.context:
            return out
        for k, offset in enumerate(self.neighbours, start=1):
            _shift_into(base, batch, offset, out[:, k * width : (k + 1) * width])
        cols = [self.base_names_.index(name) for name in self.window_features if name in self.base_names_]
        if cols:
            start = (len(self.neighbours) + 1) * width
            out[:, start : start + len(cols)] = _window_mean(base[:, cols], batch, self.window)
        return out


    def _out_of_fold_lexicon(self, batch: LineBatch, y, groups, sample_weight) -> np.ndarray:
        """Each line's lexicon score from a lexicon fitted on the other folds' pages, shape (n_lines,)."""
        from sklearn.model_selection import GroupKFold

        y = np.asarray(y)
        page_groups = np.asarray(groups) if groups is not None else np.arange(len(batch.page_sizes))
        line_groups = page_groups[batch.page]
        k = min(self.stack_folds, len(np.unique(line_groups)))
        if k < 2:
            return self.lexicon_.score(batch)
        scores = np.zeros(len(batch))
        weights = np.ones(len(batch)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        for _, test in GroupKFold(n_splits=k).split(scores, groups=line_groups):
            # Held-out lines stay in the fit with weight 0: no copy of the batch, no label seen.
            held_out = weights.copy()
            held_out[test] = 0.0
            fold = Lexicon(self.lexicon_bits, seed=self.seed).fit(batch, y, held_out)
            scores[test] = fold.score(batch)[test]
        return scores


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
