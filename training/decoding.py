"""Choosing the page decoding's settings (model/decode.py) on out-of-fold scores, never on test labels."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from linesift.model.decode import PageDecoding, decode_pages
from linesift.model.text import is_blank

from .data import LabelledPage

#: The grid searched: recall's weight against precision, and the logit shift of the scores.
RECALL_WEIGHTS = (0.6, 0.7, 0.8, 0.9, 1.0)
LOGIT_SHIFTS = (0.0, 0.5, 1.0, 1.5, 2.0)


def line_chars(page: LabelledPage) -> np.ndarray:
    """Characters of each non-blank line (stripped, as the predictor counts them), shape (n_nonblank,)."""
    return np.array([len(line.strip()) for line in page.lines if not is_blank(line)], dtype=np.float64)


def page_char_f1(pages: Sequence[LabelledPage], keep: Sequence[np.ndarray],
                 truth: Sequence[tuple[np.ndarray, np.ndarray]] | None = None) -> float:
    """The page metric (F1 of the mean precision and mean recall over pages) on characters of whole
    lines: a fast stand-in for the word-shingle metric, over fully judged pages only.

    ``keep`` holds each page's kept non-blank lines, shape (n_nonblank,) each; ``truth`` each
    page's (content mask, characters) when already computed.
    """
    precisions, recalls = [], []
    truth = truth or [(p.content_mask(), line_chars(p)) for p in pages]
    for page, k, (y, w) in zip(pages, keep, truth):
        if not page.fully_judged:
            continue
        tp, fp, fn = float(w[k & y].sum()), float(w[k & ~y].sum()), float(w[~k & y].sum())
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    p = float(np.mean(precisions)) if precisions else 0.0
    r = float(np.mean(recalls)) if recalls else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def decode_labelled(pages: Sequence[LabelledPage], scores: Sequence[np.ndarray], decoding: PageDecoding,
                    weights: np.ndarray | None = None) -> list[np.ndarray]:
    """Each page's kept non-blank lines under ``decoding``, from its scores (shape (n_nonblank,) each);
    ``weights`` are all pages' ``line_chars`` joined, when already computed."""
    if not pages:
        return []
    sizes = np.array([len(s) for s in scores], dtype=np.int64)
    weights = np.concatenate([line_chars(p) for p in pages]) if weights is None else weights
    keep = decode_pages(np.concatenate(scores), weights, sizes, decoding)
    return np.split(keep, np.cumsum(sizes)[:-1])


def choose_decoding(pages: Sequence[LabelledPage], scores: Sequence[np.ndarray]) -> tuple[PageDecoding, float]:
    """The grid's settings with the best ``page_char_f1`` on these pages' (out-of-fold) scores, and that F1."""
    best: tuple[float, PageDecoding] | None = None
    truth = [(p.content_mask(), line_chars(p)) for p in pages]
    weights = np.concatenate([w for _, w in truth]) if truth else np.zeros(0)
    for weight in RECALL_WEIGHTS:
        for shift in LOGIT_SHIFTS:
            decoding = PageDecoding(weight, shift)
            f1 = page_char_f1(pages, decode_labelled(pages, scores, decoding, weights), truth)
            if best is None or f1 > best[0] + 1e-12:
                best = (f1, decoding)
    assert best is not None
    return best[1], best[0]
