"""Fit a model on labelled pages, with site-grouped cross-validation and threshold choice."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from linesift.model import features
from linesift.model.errors import DataError
from linesift.model.featuriser import LineFeaturiser
from linesift.model.labels import BLANK, CHROME, CONTENT
from linesift.model.text import is_blank

from .data import LabelledPage, count_labels, data_digest
from .evaluate import EvalReport, score_labels

MODEL_TYPES = ("hgb", "logreg")
#: Folds of the site-grouped cross-validation (fewer when there are fewer sites).
CV_FOLDS = 5
#: Candidate decision thresholds (content probability).
THRESHOLD_GRID = np.round(np.linspace(0.05, 0.95, 91), 2)
#: F-beta used for each stored threshold: beta < 1 favours precision, > 1 recall.
THRESHOLD_BETAS = {"f1": 1.0, "precision": 0.5, "recall": 2.0}


def build_pipeline(model_type: str = "hgb", groups: tuple[str, ...] = features.GROUPS, context: bool = True,
                   seed: int = 0, classifier_params: dict | None = None) -> Pipeline:
    """Featuriser + classifier as one Pipeline, so both are saved and loaded together.

    ``classifier_params`` override the classifier's defaults (model selection experiments).
    """
    featuriser = LineFeaturiser(groups=tuple(groups), context=context)
    if model_type == "hgb":
        # 100 trees and 63 bins keep training on ~800k corpus lines near a minute per fit and
        # predict cost near 2 microseconds per line; larger ensembles were not compared yet.
        classifier = HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.15, max_leaf_nodes=31, max_bins=63, l2_regularization=1.0,
            early_stopping=False, random_state=seed,
        )
        classifier.set_params(**(classifier_params or {}))
        return Pipeline([("features", featuriser), ("classifier", classifier)])
    if model_type == "logreg":
        classifier = LogisticRegression(C=1.0, max_iter=1000, random_state=seed)
        classifier.set_params(**(classifier_params or {}))
        return Pipeline([("features", featuriser), ("scale", StandardScaler()), ("classifier", classifier)])
    raise ValueError(f"unknown model type {model_type!r}; choose from {', '.join(MODEL_TYPES)}")


def line_targets(pages: Sequence[LabelledPage]) -> np.ndarray:
    """1 for content, 0 for chrome or unknown, over every non-blank line of every page, shape (n_lines,)."""
    return np.concatenate([p.content_mask() for p in pages]).astype(np.int64)


def line_weights(pages: Sequence[LabelledPage], corpus_weights: dict[str, float] | None = None) -> np.ndarray:
    """Each non-blank line's training weight: its corpus's weight (default 1), 0 for ``unknown``, shape (n_lines,)."""
    weights = corpus_weights or {}
    return np.concatenate([p.judged_mask() * weights.get(p.corpus, 1.0) for p in pages]).astype(np.float64)


def fit(pipeline: Pipeline, pages: Sequence[LabelledPage], corpus_weights: dict[str, float] | None = None) -> Pipeline:
    """Fit on pages; each line is weighed by its corpus (``corpus_weights``, default 1), unknown lines by 0.

    Unknown lines stay in the pages, so their neighbours still see them as context.
    """
    y = line_targets(pages)
    w = line_weights(pages, corpus_weights)
    if len(np.unique(y[w > 0])) < 2:
        raise DataError("training data needs both content and chrome lines")
    if np.all(w == 1.0):
        return pipeline.fit([p.lines for p in pages], y)
    return pipeline.fit([p.lines for p in pages], y, classifier__sample_weight=w)


def best_threshold(y: np.ndarray, scores: np.ndarray, beta: float = 1.0, weights: np.ndarray | None = None) -> float:
    """The grid threshold maximising line-level F-beta of ``scores`` against ``y`` (all (n,)).

    ``weights`` weigh each line (the corpus weights of training), so the threshold serves the same
    objective as the model rather than the corpus with the most lines.
    """
    y = y.astype(bool)
    w = np.ones(len(y)) if weights is None else weights
    tp = np.empty(len(THRESHOLD_GRID))
    fp = np.empty(len(THRESHOLD_GRID))
    fn = np.empty(len(THRESHOLD_GRID))
    for k, t in enumerate(THRESHOLD_GRID):
        pred = scores >= t
        tp[k] = w[pred & y].sum()
        fp[k] = w[pred & ~y].sum()
        fn[k] = w[~pred & y].sum()
    b2 = beta * beta
    fbeta = (1 + b2) * tp / np.maximum((1 + b2) * tp + b2 * fn + fp, 1)
    return float(THRESHOLD_GRID[int(np.argmax(fbeta))])


@dataclass
class CVResult:
    report: EvalReport
    folds: int
    thresholds: dict[str, float]
    fold_thresholds: list[float]
    oof_scores: list[np.ndarray]


def cross_validate(pages: Sequence[LabelledPage], model_type: str = "hgb",
                   groups: tuple[str, ...] = features.GROUPS, context: bool = True,
                   folds: int = CV_FOLDS, seed: int = 0, corpus_weights: dict[str, float] | None = None,
                   classifier_params: dict | None = None) -> CVResult:
    """Site-grouped CV: no site is in both a training and a test fold.

    Each test fold is scored at a threshold chosen on the other folds' out-of-fold scores, so no
    test label picks its own threshold. The stored thresholds use all out-of-fold scores.
    """
    sites = np.array([p.site for p in pages])
    k = min(folds, len(set(sites)))
    if k < 2:
        raise DataError("cross-validation needs pages from at least two sites")
    fold_of = np.empty(len(pages), dtype=np.int64)
    for f, (_, test) in enumerate(GroupKFold(n_splits=k).split(np.zeros(len(pages)), groups=sites)):
        fold_of[test] = f
    oof: list[np.ndarray] = [np.zeros(0)] * len(pages)
    for f in range(k):
        train = [pages[i] for i in np.nonzero(fold_of != f)[0]]
        test_idx = np.nonzero(fold_of == f)[0]
        model = fit(build_pipeline(model_type, groups, context, seed, classifier_params), train, corpus_weights)
        test = [pages[i] for i in test_idx]
        proba = model.predict_proba([p.lines for p in test])[:, 1] if any(len(p.content_mask()) for p in test) else np.zeros(0)
        offset = 0
        for i, page in zip(test_idx, test):
            n = len(page.content_mask())
            oof[i] = proba[offset : offset + n]
            offset += n
    y_all = [p.content_mask() for p in pages]
    weights = corpus_weights or {}
    w_all = [p.judged_mask() * weights.get(p.corpus, 1.0) for p in pages]
    fold_thresholds = []
    predicted: list[list[str]] = [[]] * len(pages)
    scores: list[list[float]] = [[]] * len(pages)
    for f in range(k):
        others = np.nonzero(fold_of != f)[0]
        t = best_threshold(np.concatenate([y_all[i] for i in others]), np.concatenate([oof[i] for i in others]),
                           weights=np.concatenate([w_all[i] for i in others]))
        fold_thresholds.append(t)
        for i in np.nonzero(fold_of == f)[0]:
            predicted[i], scores[i] = _labels_from_scores(pages[i], oof[i], t)
    y_cat, s_cat, w_cat = np.concatenate(y_all), np.concatenate(oof), np.concatenate(w_all)
    thresholds = {name: best_threshold(y_cat, s_cat, beta, w_cat) for name, beta in THRESHOLD_BETAS.items()}
    report = score_labels(pages, predicted, scores)
    return CVResult(report, k, thresholds, fold_thresholds, oof)


def _labels_from_scores(page: LabelledPage, scores: np.ndarray, threshold: float) -> tuple[list[str], list[float]]:
    labels, full = [], []
    it = iter(scores)
    for line in page.lines:
        if not is_blank(line):
            s = float(next(it))
            labels.append(CONTENT if s >= threshold else CHROME)
            full.append(s)
        else:
            labels.append(BLANK)
            full.append(0.0)
    return labels, full


@dataclass
class TrainResult:
    pipeline: Pipeline
    metadata: dict[str, Any]
    cv: CVResult | None


def train(pages: Sequence[LabelledPage], model_type: str = "hgb", groups: tuple[str, ...] = features.GROUPS,
          context: bool = True, folds: int = CV_FOLDS, seed: int = 0, data_files: Sequence[str] = (),
          cross_validation: bool = True, corpus_weights: dict[str, float] | None = None) -> TrainResult:
    """Cross-validate (for metrics and thresholds), then fit the final model on all pages."""
    cv = cross_validate(pages, model_type, groups, context, folds, seed, corpus_weights) if cross_validation else None
    pipeline = fit(build_pipeline(model_type, groups, context, seed), pages, corpus_weights)
    thresholds = cv.thresholds if cv else {name: 0.5 for name in THRESHOLD_BETAS}
    from .corpora import CORPORA

    corpora: dict[str, dict] = {}
    for p in pages:
        entry = corpora.setdefault(p.corpus, {"records": 0, "license": CORPORA[p.corpus].license
                                              if p.corpus in CORPORA else "see the data's own card"})
        entry["records"] += 1
    metadata = {
        "model_type": model_type,
        "feature_groups": list(groups),
        "context": context,
        "feature_names": [str(n) for n in pipeline[0].get_feature_names_out()],
        "threshold": thresholds["f1"],
        "thresholds": thresholds,
        "seed": seed,
        "corpus_weights": dict(corpus_weights or {}),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "training_data": {
            "digest": data_digest(pages),
            "files": [str(f) for f in data_files],
            "pages": len(pages),
            "sites": len({p.site for p in pages}),
            "lines": count_labels(pages),
            "corpora": corpora,
        },
        "metrics": {
            "cross_validation": "site-grouped" if cv else "none",
            "folds": cv.folds if cv else 0,
            "fold_thresholds": cv.fold_thresholds if cv else [],
            **(cv.report.as_dict() if cv else {}),
        },
    }
    metadata["metrics"].pop("worst_pages", None)
    return TrainResult(pipeline, metadata, cv)
