"""Line-level metrics and the article-extraction benchmark's page metric.

Page metric (as in the article-extraction benchmark, scrapinghub/article-extraction-benchmark):
texts are cut into ``\\w+`` tokens, shingled into word 4-grams (a text under 4 tokens is one
shingle), and per page TP/FP/FN count shingle multiset overlaps, normalised to sum to 1.
Precision is averaged over pages that predicted something (tp + fp > 0), recall over pages
that have true content (tp + fn > 0); F1 is taken of the two means.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

SHINGLE_WORDS = 4
_TOKEN_RE = re.compile(r"\w+")


class _AsDict:
    def as_dict(self) -> dict:
        return asdict(self)


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of counts (0 where undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class LineMetrics(_AsDict):
    """Content is the positive class; blank lines are not counted."""

    precision: float
    recall: float
    f1: float
    accuracy: float
    tp: int
    fp: int
    fn: int
    tn: int


def line_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> LineMetrics:
    """Metrics of boolean arrays (True = content), each shape (n_lines,)."""
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    tp = int(np.sum(y_true & y_pred))
    fp = int(np.sum(~y_true & y_pred))
    fn = int(np.sum(y_true & ~y_pred))
    tn = int(np.sum(~y_true & ~y_pred))
    precision, recall, f1 = _prf(tp, fp, fn)
    total = tp + fp + fn + tn
    return LineMetrics(precision, recall, f1, (tp + tn) / total if total else 0.0, tp, fp, fn, tn)


def shingles(text: str, n: int = SHINGLE_WORDS) -> Counter:
    """Multiset of word n-grams of ``text``; a text shorter than n words is one shingle."""
    tokens = _TOKEN_RE.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_tp_fp_fn(true_text: str, pred_text: str) -> tuple[float, float, float]:
    """Shingle overlap of one page, normalised so long pages weigh no more than short ones."""
    true, pred = shingles(true_text), shingles(pred_text)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


@dataclass(frozen=True)
class PageMetric(_AsDict):
    precision: float
    recall: float
    f1: float
    pages: int


def _page_precision(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _page_recall(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def page_metric(counts: Sequence[tuple[float, float, float]]) -> PageMetric:
    """Mean precision and recall over pages, and F1 of the two means."""
    precisions = [_page_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_page_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = float(np.mean(precisions)) if precisions else 0.0
    r = float(np.mean(recalls)) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return PageMetric(p, r, f1, len(counts))


def page_f1(true_text: str, pred_text: str) -> float:
    """One page's shingle F1, used to rank the worst pages."""
    tp, fp, fn = page_tp_fp_fn(true_text, pred_text)
    if tp + fp + fn == 0:
        return 1.0
    p, r = _page_precision(tp, fp, fn), _page_recall(tp, fp, fn)
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class SnippetMetric(_AsDict):
    """trafilatura's evaluation metric: a "with" snippet found in the output is a true positive, one
    not found a false negative; a "without" snippet found is a false positive, one not found a true
    negative. Counts are summed over pages (micro-averaged)."""

    precision: float
    recall: float
    f1: float
    tp: int
    fn: int
    fp: int
    tn: int
    pages: int


def _flat(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(output: str, with_snippets: Sequence[str], without_snippets: Sequence[str]) -> tuple[int, int, int, int]:
    """(tp, fn, fp, tn) of one page's output text; whitespace is folded on both sides, since
    snippets may span the output's line breaks."""
    text = _flat(output)
    tp = sum(1 for s in with_snippets if _flat(s) in text)
    fp = sum(1 for s in without_snippets if _flat(s) in text)
    return tp, len(with_snippets) - tp, fp, len(without_snippets) - fp


def snippet_metric(counts: Sequence[tuple[int, int, int, int]]) -> SnippetMetric:
    """Snippet precision, recall and F1 over pages' (tp, fn, fp, tn) counts."""
    tp, fn, fp, tn = (int(sum(c[k] for c in counts)) for k in range(4))
    precision, recall, f1 = _prf(tp, fp, fn)
    return SnippetMetric(precision, recall, f1, tp, fn, fp, tn, len(counts))
