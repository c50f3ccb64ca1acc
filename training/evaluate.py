"""Score predicted labels against labelled pages: line metrics, the page metric, the worst pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from linesift.model.predictor import BLANK, CONTENT, Predictor, assemble
from linesift.model.text import is_blank

from .data import LabelledPage
from .metrics import LineMetrics, PageMetric, line_metrics, page_f1, page_metric, page_tp_fp_fn

#: Pages listed in the report's "worst pages" section.
WORST_PAGES = 5
#: Wrong lines shown per worst page.
WRONG_LINES_SHOWN = 8


@dataclass(frozen=True)
class WrongLine:
    line: int  # 1-based line number in the page
    text: str
    true: str
    predicted: str
    score: float


@dataclass(frozen=True)
class PageReport:
    source: str
    f1: float
    wrong: list[WrongLine]


@dataclass
class EvalReport:
    """What ``linesift evaluate`` reports; ``as_dict`` is its ``--json`` form."""

    lines: LineMetrics
    page: PageMetric
    pages: int
    threshold: float | None = None
    worst: list[PageReport] = field(default_factory=list)
    per_corpus: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "precision": self.lines.precision,
            "recall": self.lines.recall,
            "f1": self.lines.f1,
            "accuracy": self.lines.accuracy,
            "confusion": {"tp": self.lines.tp, "fp": self.lines.fp, "fn": self.lines.fn, "tn": self.lines.tn},
            "page_metric": self.page.as_dict(),
            "pages": self.pages,
            "threshold": self.threshold,
            "per_corpus": self.per_corpus,
            "worst_pages": [
                {"source": w.source, "f1": w.f1, "wrong_lines": [vars(x) for x in w.wrong]} for w in self.worst
            ],
        }


def score_labels(pages: Sequence[LabelledPage], predicted: Sequence[Sequence[str]],
                 scores: Sequence[Sequence[float]] | None = None, worst: int = WORST_PAGES) -> EvalReport:
    """Compare predicted label lists (one per page, one label per line) with the pages' labels."""
    y_true, y_pred, counts, ranked = [], [], [], []
    by_corpus: dict[str, list[int]] = {}
    for i, (page, labels) in enumerate(zip(pages, predicted)):
        keep = [not is_blank(line) for line in page.lines]
        t = np.array([lab == CONTENT for lab, k in zip(page.labels, keep) if k], dtype=bool)
        p = np.array([lab == CONTENT for lab, k in zip(labels, keep) if k], dtype=bool)
        y_true.append(t)
        y_pred.append(p)
        true_text, pred_text = page.content_text(), assemble(page.lines, labels)
        counts.append(page_tp_fp_fn(true_text, pred_text))
        by_corpus.setdefault(page.corpus, []).append(i)
        if worst:
            ranked.append((page_f1(true_text, pred_text), i))
    report = EvalReport(
        lines=line_metrics(np.concatenate(y_true) if y_true else np.zeros(0, bool),
                           np.concatenate(y_pred) if y_pred else np.zeros(0, bool)),
        page=page_metric(counts),
        pages=len(pages),
    )
    if len(by_corpus) > 1:
        for corpus, idx in sorted(by_corpus.items()):
            lm = line_metrics(np.concatenate([y_true[i] for i in idx]), np.concatenate([y_pred[i] for i in idx]))
            report.per_corpus[corpus] = {"pages": len(idx), "line_f1": lm.f1,
                                         "page_f1": page_metric([counts[i] for i in idx]).f1}
    for f1, i in sorted(ranked)[:worst]:
        page, labels = pages[i], predicted[i]
        wrong = [
            WrongLine(n + 1, line, true, pred, float(scores[i][n]) if scores is not None else float("nan"))
            for n, (line, true, pred) in enumerate(zip(page.lines, page.labels, labels))
            if true != BLANK and true != pred
        ]
        if wrong:
            report.worst.append(PageReport(page.source, f1, wrong[:WRONG_LINES_SHOWN]))
    return report


def evaluate(predictor: Predictor, pages: Sequence[LabelledPage], worst: int = WORST_PAGES) -> EvalReport:
    """Run ``predictor`` on labelled pages and score it."""
    results = predictor.predict_pages([p.lines for p in pages])
    report = score_labels(pages, [r.labels for r in results], [r.scores for r in results], worst=worst)
    report.threshold = predictor.threshold
    return report


def evaluate_peers(pages: Sequence[LabelledPage]) -> dict[str, EvalReport]:
    """Every installed peer (keep-all, C4's rule, jusText) scored on the same pages and lines."""
    from .peers import available_peers

    return {name: score_labels(pages, [peer(p.lines) for p in pages], worst=0)
            for name, peer in available_peers().items()}
