"""The predictor: a saved model plus its decision rule, turning pages into labelled lines."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.pipeline import Pipeline

from . import text as lines_rule
from .batch import LineBatch
from .decode import PAGE_RULE, PageDecoding, decode_pages
from .errors import LinesiftError
from .labels import BLANK, CHROME, CONTENT, LABELS  # noqa: F401 (re-exported for API users)
from .location import MODEL_ENV, bundled_model_path, default_model_path  # noqa: F401 (re-exported)
from .modelfile import load_model
from .result import PageResult, assemble  # noqa: F401 (re-exported for API users)
from .text import split_lines

#: Raw lines featurised per model call: large enough to amortise calls, small enough to stay in cache.
BATCH_LINES = 16_384
#: Decimal places kept in reported scores.
SCORE_DECIMALS = 4
FAVOR_CHOICES = ("precision", "recall")
#: Labels by code (0 chrome, 1 content, 2 blank): one gather of shared strings, five times faster
#: than building a unicode array and converting it.
_LABEL_OF = np.array([CHROME, CONTENT, BLANK], dtype=object)


class Predictor:
    """Labels pages' lines with a saved model; many pages share each ``predict_proba`` call.

    A model saved with page decoding (``metadata["decoding"]``) labels each page by it; an explicit
    ``threshold`` or ``favor`` asks for one fixed threshold instead.
    """

    def __init__(self, pipeline: Pipeline, metadata: dict[str, Any], threshold: float | None = None,
                 favor: str | None = None):
        self.pipeline = pipeline
        self.metadata = metadata
        self.threshold = resolve_threshold(metadata, threshold, favor)
        self.decoding = resolve_decoding(metadata, threshold, favor)
        self._featuriser = pipeline[0]
        self._classifier = pipeline[1:]

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, threshold: float | None = None,
             favor: str | None = None) -> "Predictor":
        pipeline, meta = load_model(Path(path) if path is not None else default_model_path())
        return cls(pipeline, meta, threshold, favor)

    def score_batch(self, batch: LineBatch) -> np.ndarray:
        """Content probability of every raw line of the batch (0 for blank lines), shape (n_raw_lines,)."""
        scores = np.zeros(len(batch.keep))
        if len(batch):
            X = self._featuriser.transform_batch(batch)
            scores[batch.keep] = self._classifier.predict_proba(X)[:, 1]
        return scores

    def score_pages(self, pages: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Content probability of every line of every page: one array of shape (len(page),) each."""
        parts, owner = _split_long(pages, lines_rule.PAGE_MAX_LINES)
        out: list[np.ndarray] = []
        for group in _batches(parts, BATCH_LINES):
            batch = LineBatch.from_pages(group)
            out.extend(np.split(self.score_batch(batch), np.cumsum(batch.page_sizes)[:-1]))
        if owner is None:
            return out
        return [np.concatenate([out[i] for i in rows]) for rows in _rows_by_owner(owner, len(pages))]

    def predict_pages(self, pages: Sequence[Sequence[str]]) -> list[PageResult]:
        """Label every line of every page (pages given as lists of lines; see ``text.PAGE_MAX_LINES``)."""
        parts, owner = _split_long(pages, lines_rule.PAGE_MAX_LINES)
        results = self._predict_parts(parts)
        if owner is None:
            return results
        merged = []
        for rows in _rows_by_owner(owner, len(pages)):
            lines = [line for i in rows for line in results[i].lines]
            labels = [label for i in rows for label in results[i].labels]
            merged.append(PageResult(lines, labels, [s for i in rows for s in results[i].scores], assemble(lines, labels)))
        return merged

    def _predict_parts(self, pages: Sequence[Sequence[str]]) -> list[PageResult]:
        """``predict_pages`` for pages no longer than ``text.PAGE_MAX_LINES``."""
        results: list[PageResult] = []
        for group in _batches(pages, BATCH_LINES):
            batch = LineBatch.from_pages(group)
            scores = self.score_batch(batch)
            is_content = self.is_content(batch, scores)
            labels = _LABEL_OF[np.where(batch.keep, is_content.astype(np.int8), 2)].tolist()
            rounded = np.round(scores, SCORE_DECIMALS).tolist()
            contents = _content_texts(group, batch, is_content)
            start = 0
            for page, content in zip(group, contents):
                end = start + len(page)
                results.append(PageResult(list(page), labels[start:end], rounded[start:end], content))
                start = end
        return results

    def is_content(self, batch: LineBatch, scores: np.ndarray) -> np.ndarray:
        """Which raw lines of the batch are content, from their scores; both of shape (n_raw_lines,)."""
        if self.decoding is None:
            return batch.keep & (scores >= self.threshold)
        out = np.zeros(len(batch.keep), dtype=bool)
        out[batch.keep] = decode_pages(scores[batch.keep], batch.n_chars, np.bincount(batch.page, minlength=len(batch.page_sizes)),
                                       self.decoding)
        return out

    def predict_text(self, text: str) -> PageResult:
        """Label the lines of one page's text."""
        return self.predict_pages([split_lines(text)])[0]


def _content_texts(pages: Sequence[Sequence[str]], batch: LineBatch, is_content: np.ndarray) -> list[str]:
    """``assemble`` for every page of a batch, with Python work only per content line."""
    where = np.nonzero(is_content)[0]
    blanks_before = np.cumsum(~batch.keep)[where] - (~batch.keep)[where]
    gap = np.zeros(len(where), dtype=bool)
    gap[1:] = blanks_before[1:] > blanks_before[:-1]
    page_ends = np.cumsum(batch.page_sizes)
    page_of = np.searchsorted(page_ends, where, side="right")
    first_of_page = np.ones(len(where), dtype=bool)
    first_of_page[1:] = page_of[1:] != page_of[:-1]
    flat = [line for page in pages for line in page]
    pieces = [
        (line if first else ("\n\n" if g else "\n") + line)
        for line, first, g in zip([flat[i] for i in where.tolist()], first_of_page.tolist(), gap.tolist())
    ]
    counts = np.bincount(page_of, minlength=len(pages)).tolist()
    texts, start = [], 0
    for n in counts:
        texts.append("".join(pieces[start : start + n]))
        start += n
    return texts


def resolve_threshold(metadata: dict[str, Any], threshold: float | None, favor: str | None) -> float:
    """An explicit threshold wins, then the model's threshold for ``favor``, then its default."""
    if threshold is not None:
        if not 0.0 <= threshold <= 1.0:
            raise LinesiftError(f"threshold must be between 0 and 1, got {threshold}")
        return float(threshold)
    if favor is not None:
        if favor not in FAVOR_CHOICES:
            raise LinesiftError(f"--favor must be one of {', '.join(FAVOR_CHOICES)}, got {favor!r}")
        return float(metadata.get("thresholds", {}).get(favor, metadata["threshold"]))
    return float(metadata["threshold"])


def resolve_decoding(metadata: dict[str, Any], threshold: float | None, favor: str | None) -> PageDecoding | None:
    """The model's page decoding, unless a fixed threshold was asked for (or the model has none)."""
    decoding = metadata.get("decoding")
    if threshold is not None or favor is not None or not decoding or decoding.get("rule") != PAGE_RULE:
        return None
    return PageDecoding.from_dict(decoding)


def _split_long(pages: Sequence[Sequence[str]], max_lines: int) -> tuple[Sequence[Sequence[str]], list[int] | None]:
    """Pages longer than ``max_lines`` cut into consecutive parts of that many lines, and each part's
    page index (None when no page is that long, the common case: nothing is copied)."""
    if all(len(page) <= max_lines for page in pages):
        return pages, None
    parts: list[Sequence[str]] = []
    owner: list[int] = []
    for i, page in enumerate(pages):
        for start in range(0, max(len(page), 1), max_lines):
            parts.append(page[start : start + max_lines])
            owner.append(i)
    return parts, owner


def _rows_by_owner(owner: list[int], n_pages: int) -> list[list[int]]:
    """The part indices of each page, in order: one list per page."""
    rows: list[list[int]] = [[] for _ in range(n_pages)]
    for part, page in enumerate(owner):
        rows[page].append(part)
    return rows


def _batches(pages: Sequence[Sequence[str]], max_lines: int) -> Iterable[Sequence[Sequence[str]]]:
    """Consecutive pages grouped to about ``max_lines`` raw lines (a bigger page goes alone)."""
    first, size = 0, 0
    for i, page in enumerate(pages):
        if i > first and size + len(page) > max_lines:
            yield pages[first:i]
            first, size = i, 0
        size += len(page)
    if first < len(pages):
        yield pages[first:]
