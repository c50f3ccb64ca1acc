"""The second stage: a model that reads the first stage's scores across the whole page.

A line model sees a line and a few neighbours; whether a paragraph is the article or a teaser in a
list of other articles shows only against the page: where the strong lines are, how far this
line is from them, what the scores around it look like. ``PageStageClassifier`` fits a first
classifier on the line features, gives every training line an *out-of-fold* first-stage score
(site-grouped folds, so the second stage learns how the first behaves on unseen sites), turns
the scores into page-context features (``context_features``) and fits a second classifier on
those plus a few line features.

Rows arrive without page boundaries (a feature matrix); they are recovered from the first
stage's ``position.from_start`` and ``position.from_end`` columns: log(1 + lines before) and
log(1 + lines after), which are exact enough to invert for pages of up to millions of lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

#: Offsets (lines) whose first-stage scores each line sees; -1 marks a line outside the page.
SCORE_OFFSETS = (-8, -4, -2, -1, 1, 2, 4, 8)
#: Half-widths of the windows whose mean first-stage score each line sees (lines).
SCORE_WINDOWS = (3, 10, 25)
#: A line is "strong" at or above this first-stage score (content probability).
STRONG = 0.5
#: Rows of the page stage's input computed at a time (whole pages): bounds the temporaries
#: (about 20 arrays of this many 8-byte values) when training on millions of lines.
BLOCK_ROWS = 262_144
#: Weak lines (a subheading, a caption) that may sit inside one run of strong lines (lines).
RUN_GAP = 2
CONTEXT_NAMES = (
    ["stage1.score"] + [f"stage1.at{o:+d}" for o in SCORE_OFFSETS] + [f"stage1.mean{h}" for h in SCORE_WINDOWS]
    + ["stage1.page_max", "stage1.page_mean", "stage1.strong_before", "stage1.strong_after",
       "stage1.strong_distance", "stage1.outside_strong_span", "stage1.page_rank"]
)


@dataclass(frozen=True)
class Layout:
    """Where each row sits: its page (0..n_pages-1), its index among the page's lines, and the
    page's line count; each shape (n_rows,)."""

    page: np.ndarray
    index: np.ndarray
    count: np.ndarray

    @classmethod
    def from_columns(cls, from_start: np.ndarray, from_end: np.ndarray) -> "Layout":
        index = np.rint(np.expm1(from_start)).astype(np.int64)
        after = np.rint(np.expm1(from_end)).astype(np.int64)
        page = np.cumsum(index == 0) - 1
        return cls(page, index, index + after + 1)


def page_blocks(layout: Layout, rows: int) -> list[tuple[int, int]]:
    """(start, stop) row ranges that cover the rows in order, each made of whole pages and starting
    at the first page that starts in its stretch of ``rows`` rows (a longer page is a block alone)."""
    starts = np.flatnonzero(layout.index == 0)
    if not len(starts):
        return []
    edges = starts[np.unique(starts // rows, return_index=True)[1]]
    edges[0] = 0  # every row in a block, even before a first page start (malformed columns)
    return list(zip(edges.tolist(), edges[1:].tolist() + [len(layout.index)]))


def _shift(values: np.ndarray, layout: Layout, offset: int, fill: float) -> np.ndarray:
    """values[i + offset] where that row is on row i's page, else ``fill``; shape like ``values``."""
    n = len(values)
    out = np.full(n, fill)
    if abs(offset) < n:
        if offset > 0:
            out[:-offset] = values[offset:]
        else:
            out[-offset:] = values[:offset]
    target = layout.index + offset
    out[(target < 0) | (target >= layout.count)] = fill
    return out


def _page_reduce(ufunc: np.ufunc, values: np.ndarray, layout: Layout) -> np.ndarray:
    """``ufunc`` over each page's rows, repeated onto each row; shape (n_rows,)."""
    first = np.nonzero(layout.index == 0)[0]
    return np.repeat(ufunc.reduceat(values, first), np.diff(np.append(first, len(values))))


def context_features(scores: np.ndarray, layout: Layout, out: np.ndarray | None = None) -> np.ndarray:
    """Page-context features of first-stage ``scores`` (n_rows,): shape (n_rows, len(CONTEXT_NAMES)),
    written into ``out`` when given (a column block of a bigger matrix: no copy)."""
    n = len(scores)
    if out is None:
        out = np.empty((n, len(CONTEXT_NAMES)), dtype=np.float64, order="F")
    if not n:
        return out
    out[:, 0] = scores
    col = 1
    for offset in SCORE_OFFSETS:
        out[:, col] = _shift(scores, layout, offset, -1.0)
        col += 1
    cumulative = np.concatenate(([0.0], np.cumsum(scores)))
    rows = np.arange(n)
    page_start = rows - layout.index
    page_end = page_start + layout.count
    for half in SCORE_WINDOWS:
        lo = np.maximum(rows - half, page_start)
        hi = np.minimum(rows + half + 1, page_end)
        out[:, col] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
        col += 1
    strong = (scores >= STRONG).astype(np.float64)
    strong_total = _page_reduce(np.add, strong, layout)
    strong_cum = np.concatenate(([0.0], np.cumsum(strong)))
    before = strong_cum[rows] - strong_cum[page_start]
    out[:, col] = _page_reduce(np.maximum, scores, layout)
    out[:, col + 1] = _page_reduce(np.add, scores, layout) / layout.count
    out[:, col + 2] = before / np.maximum(strong_total, 1)
    out[:, col + 3] = (strong_total - before - strong) / np.maximum(strong_total, 1)
    out[:, col + 4] = np.log1p(_strong_distance(strong > 0, layout))
    first_strong = _page_reduce(np.minimum, np.where(strong > 0, layout.index, np.iinfo(np.int64).max), layout)
    last_strong = _page_reduce(np.maximum, np.where(strong > 0, layout.index, -1), layout)
    outside = np.maximum(np.maximum(first_strong - layout.index, layout.index - last_strong), 0)
    out[:, col + 5] = np.log1p(np.where(strong_total > 0, outside, layout.count))
    out[:, col + 6] = _page_rank(scores, layout)
    return out


RUN_NAMES = ("stage1.run_share", "stage1.run_words", "stage1.run_lines", "stage1.top_run_distance")


def run_features(scores: np.ndarray, words: np.ndarray, layout: Layout, out: np.ndarray | None = None) -> np.ndarray:
    """Where a line stands against the page's runs of strong lines (gaps of up to ``RUN_GAP`` weak
    lines bridged): its run's words as a share of the page's heaviest run, the run's words and
    lines (log1p), and the lines to the heaviest run (log1p, 0 inside); shape (n_rows, 4). An
    article is one heavy run; teasers, comments and notices are light runs beside it.
    ``words``: words per line (n_rows,)."""
    n = len(scores)
    if out is None:
        out = np.empty((n, len(RUN_NAMES)), dtype=np.float64, order="F")
    if not n:
        return out
    strong = scores >= STRONG
    rows = np.arange(n)
    page_start = rows - layout.index
    page_end = page_start + layout.count
    big = np.iinfo(np.int64).max // 4
    last = np.maximum.accumulate(np.where(strong, rows, -big))
    nxt = np.minimum.accumulate(np.where(strong, rows, big)[::-1])[::-1]
    bridged = (last >= page_start) & (nxt < page_end) & (nxt - last - 1 <= RUN_GAP)
    member = strong | bridged
    starts = member & ((layout.index == 0) | ~np.concatenate(([False], member[:-1])))
    run = np.cumsum(starts) - 1  # run id of member rows (meaningless elsewhere)
    run_words = np.zeros(max(int(run[-1]) + 1, 1))  # run[-1] is -1 on a page stretch without runs
    np.add.at(run_words, run[member], np.where(strong, words, 0.0)[member])
    run_lines = np.bincount(run[member], minlength=len(run_words)).astype(np.float64)
    mine = np.where(member, run_words[np.clip(run, 0, None)], 0.0)
    page_top = _page_reduce(np.maximum, mine, layout)
    out[:, 0] = mine / np.maximum(page_top, 1.0)
    out[:, 1] = np.log1p(mine)
    out[:, 2] = np.log1p(np.where(member, run_lines[np.clip(run, 0, None)], 0.0))
    top = member & (mine >= page_top) & (page_top > 0)
    out[:, 3] = np.log1p(_strong_distance(top, layout))
    return out


HEADING_NAMES = ("stage1.below_chrome_heading", "stage1.lines_below_heading")
#: A line of at most this many words that names a comments or related-articles box heads it (words).
HEADING_WORDS = 6


def heading_features(scores: np.ndarray, words: np.ndarray, hits: np.ndarray, layout: Layout,
                     out: np.ndarray | None = None) -> np.ndarray:
    """Whether a chrome heading ("Comments", "Most read") stands above the line, below the page's
    first strong line, and the lines down from it (log1p; 0 without one); shape (n_rows, 2).
    ``words``: words per line, ``hits``: keyword hits of the heading groups per line (n_rows,)."""
    n = len(scores)
    if out is None:
        out = np.empty((n, len(HEADING_NAMES)), dtype=np.float64, order="F")
    if not n:
        return out
    rows = np.arange(n)
    page_start = rows - layout.index
    big = np.iinfo(np.int64).max // 4
    first_strong = _page_reduce(np.minimum, np.where(scores >= STRONG, layout.index, big), layout)
    heading = (words <= HEADING_WORDS) & (hits > 0) & (layout.index > first_strong)
    last = np.maximum.accumulate(np.where(heading, rows, -big))
    above = np.concatenate(([-big], last[:-1]))
    valid = above >= page_start
    out[:, 0] = valid
    out[:, 1] = np.where(valid, np.log1p(rows - above), 0.0)
    return out


def page_profile(values: np.ndarray, scores: np.ndarray, layout: Layout, out: np.ndarray | None = None) -> np.ndarray:
    """What kind of page a row is on: the page's mean of each column of ``values`` (n_rows, k) and
    its share of strong lines; shape (n_rows, k + 1), written into ``out`` when given. Listings,
    product and forum pages differ from articles in these, and what is content differs with them."""
    if out is None:
        out = np.empty((len(scores), values.shape[1] + 1), dtype=np.float64, order="F")
    if not len(scores):
        return out
    for j in range(values.shape[1]):
        out[:, j] = _page_reduce(np.add, values[:, j].astype(np.float64), layout) / layout.count
    out[:, -1] = _page_reduce(np.add, (scores >= STRONG).astype(np.float64), layout) / layout.count
    return out


def _strong_distance(strong: np.ndarray, layout: Layout) -> np.ndarray:
    """Lines to the nearest strong line of the same page (the page's line count when it has none)."""
    n = len(strong)
    rows = np.arange(n)
    big = np.iinfo(np.int64).max // 4
    last = np.where(strong, rows, -big)
    np.maximum.accumulate(last, out=last)
    nxt = np.where(strong, rows, big)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    page_start = rows - layout.index
    page_end = page_start + layout.count
    dist_before = np.where(last >= page_start, rows - last, big)
    dist_after = np.where(nxt < page_end, nxt - rows, big)
    return np.minimum(np.minimum(dist_before, dist_after), layout.count).astype(np.float64)


def _page_rank(scores: np.ndarray, layout: Layout) -> np.ndarray:
    """Each line's score rank within its page, 0 (lowest) to 1 (highest)."""
    order = np.lexsort((scores, layout.page))
    rank = np.empty(len(scores), dtype=np.float64)
    rank[order] = np.arange(len(scores)) - (np.arange(len(scores)) - layout.index)[order]
    # rank[order] above is the row position minus the page's first row: a 0-based rank in the page.
    return rank / np.maximum(layout.count - 1, 1)


def stacking_folds(groups: np.ndarray, k: int) -> list[tuple[np.ndarray | slice, np.ndarray | slice]]:
    """The page stage's site-grouped (train, test) rows for ``groups`` (n_rows,): each a ``slice``
    where the rows are one consecutive run (so ``X[rows]`` is a view, not a copy), else indices."""
    from sklearn.model_selection import GroupKFold

    return [(_as_slice(train), _as_slice(test))
            for train, test in GroupKFold(n_splits=k).split(np.zeros(len(groups)), groups=groups)]


def stacking_fold_of(groups: np.ndarray, k: int) -> np.ndarray:
    """Each row's stacking fold (0..k-1), shape (n_rows,): rows stably sorted by it make every
    fold's rows consecutive, and with two folds every training set one slice (half the memory)."""
    fold = np.empty(len(groups), dtype=np.int64)
    for f, (_, test) in enumerate(stacking_folds(groups, k)):
        fold[test] = f
    return fold


def _as_slice(rows: np.ndarray) -> np.ndarray | slice:
    """``rows`` (sorted indices) as a slice when they are consecutive."""
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


def _count(rows: np.ndarray | slice) -> int:
    return rows.stop - rows.start if isinstance(rows, slice) else len(rows)


class PageStageClassifier(ClassifierMixin, BaseEstimator):
    """First stage on line features, second stage on page-context features of its scores.

    ``layout_columns``: indices of ``position.from_start`` and ``position.from_end`` in X;
    ``passthrough``: indices of line features the second stage also sees; ``chrome_columns``:
    indices of 0/1 features whose lines are chrome by convention (``convention.py``): content
    probability 0 whatever the stages say.
    """

    chrome_columns: tuple[int, ...] = ()  # pickles made before the parameter existed
    page_means: tuple[int, ...] = ()  # likewise
    words_column: int | None = None  # likewise
    heading_columns: tuple[int, ...] = ()  # likewise

    def __init__(self, first=None, second=None, layout_columns: tuple[int, int] = (0, 1),
                 passthrough: tuple[int, ...] = (), folds: int = 3, chrome_columns: tuple[int, ...] = (),
                 page_means: tuple[int, ...] = (), words_column: int | None = None,
                 heading_columns: tuple[int, ...] = ()):
        self.first, self.second = first, second
        self.layout_columns = layout_columns
        self.passthrough = passthrough
        self.folds = folds
        self.chrome_columns = chrome_columns
        self.page_means = page_means
        self.words_column = words_column
        self.heading_columns = heading_columns

    def _second_input(self, X: np.ndarray, scores: np.ndarray, order: str = "F", overwrite_X: bool = False) -> np.ndarray:
        """The page stage's input, shape (n_rows, width): column-major for prediction (filled by
        column), row-major in training, where scikit-learn's bin sampling copies any other whole.
        With ``overwrite_X`` (training) the input is written into X's own memory when X is a
        contiguous float64 matrix at least as wide: the few columns it reads are copied out first."""
        read = sorted({*self.layout_columns, *self.passthrough, *self.page_means, *self.heading_columns,
                       *(() if self.words_column is None else (self.words_column,))})
        k, p = len(CONTEXT_NAMES), len(self.passthrough)
        m = len(self.page_means) + 1 if self.page_means else 0
        r = len(RUN_NAMES) if self.words_column is not None else 0
        width = k + p + m + r + (len(HEADING_NAMES) if self.heading_columns else 0)
        n = len(scores)
        reuse = (overwrite_X and order == "C" and X.dtype == np.float64 and X.ndim == 2 and X.shape[0] == n
                 and width <= X.shape[1] and (X.flags.c_contiguous or X.flags.f_contiguous))
        if reuse:
            source, at = X[:, read], {c: i for i, c in enumerate(read)}  # a copy: X is overwritten below
            flat = X.reshape(-1, order="C" if X.flags.c_contiguous else "F")  # X's buffer, either layout
            out = flat[: n * width].reshape(n, width)
        else:
            source, at = X, {c: c for c in read}
            # One matrix filled in place: no stacked copies of millions of rows in training.
            out = np.empty((n, width), dtype=np.float64, order=order)
        layout = Layout.from_columns(source[:, at[self.layout_columns[0]]], source[:, at[self.layout_columns[1]]])
        means = [at[c] for c in self.page_means]
        for lo, hi in page_blocks(layout, BLOCK_ROWS):  # bounds the temporaries of millions of rows
            block = Layout(layout.page[lo:hi] - layout.page[lo], layout.index[lo:hi], layout.count[lo:hi])
            context_features(scores[lo:hi], block, out[lo:hi, :k])
            if self.page_means:
                page_profile(source[lo:hi, means], scores[lo:hi], block, out[lo:hi, k + p : k + p + m])
            if self.words_column is not None:  # the column is log1p(words)
                run_features(scores[lo:hi], np.expm1(source[lo:hi, at[self.words_column]]), block,
                             out[lo:hi, k + p + m : k + p + m + r])
            if self.heading_columns:  # the first column is log1p(words), the rest keyword hits
                words_at, *kw_at = (at[c] for c in self.heading_columns)
                heading_features(scores[lo:hi], np.expm1(source[lo:hi, words_at]),
                                 source[lo:hi, kw_at].sum(axis=1), block, out[lo:hi, k + p + m + r :])
        for j, column in enumerate(self.passthrough):
            out[:, k + j] = source[:, at[column]]
        return out

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None,
            groups: np.ndarray | None = None, progress: Callable[[str], None] | None = None,
            overwrite_X: bool = False) -> "PageStageClassifier":
        """Fit both stages; ``groups`` (one per row, e.g. the site) keeps a group out of its own
        scores; ``progress`` is told each step (training runs take minutes). ``overwrite_X``
        lets the page stage's input reuse X's memory once the first stage is done with it (one
        matrix of n_rows x width fewer at the training peak): X holds garbage afterwards."""
        say = progress or (lambda message: None)
        y = np.asarray(y)
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        layout = Layout.from_columns(X[:, self.layout_columns[0]], X[:, self.layout_columns[1]])
        groups = layout.page if groups is None else np.asarray(groups)
        say(f"first stage on {len(y):,} lines x {X.shape[1]} features")
        self.first_ = clone(self.first).fit(X, y, sample_weight=weights)
        k = min(self.folds, len(np.unique(groups)))
        if k < 2:  # one group: no held-out scores to be had
            oof = self.first_.predict_proba(X)[:, 1]
        else:
            oof = np.zeros(len(y))
            for j, (train, test) in enumerate(stacking_folds(groups, k), start=1):
                say(f"stacking fold {j}/{k}: first stage on {_count(train):,} lines, scoring {_count(test):,}")
                # Rows ordered by fold (``stacking_fold_of``) come as slices, views of X; else as copies.
                model = clone(self.first).fit(X[train], y[train], sample_weight=weights[train])
                oof[test] = model.predict_proba(X[test])[:, 1]
        say("page stage on the held-out scores")
        second_input = self._second_input(X, oof, order="C", overwrite_X=overwrite_X)
        self.second_ = clone(self.second).fit(second_input, y, sample_weight=weights)
        self.classes_ = self.first_.classes_
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "second_")
        scores = self.first_.predict_proba(X)[:, 1]
        proba = self.second_.predict_proba(self._second_input(X, scores))
        if self.chrome_columns:
            chrome = (X[:, list(self.chrome_columns)] > 0).any(axis=1)
            proba[chrome] = (1.0, 0.0)
        return proba

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
