"""Fit a model on labelled pages, with site-grouped cross-validation and the choice of its decision rule."""

from __future__ import annotations

import platform
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

import numpy as np
from linesift.model import features
from linesift.model.decode import PageDecoding
from linesift.model.errors import DataError
from linesift.model.featuriser import LineFeaturiser
from linesift.model.labels import BLANK, CHROME, CONTENT
from linesift.model.stage import PageStageClassifier, stacking_fold_of
from linesift.model.text import is_blank
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .data import LabelledPage, count_labels, data_digest
from .decoding import choose_decoding, decode_labelled
from .evaluate import EvalReport, score_labels
from .overlap import page_filter
from .recipe import Recipe

MODEL_TYPES = ("hgb", "logreg")
#: Judged lines of a page beyond which ``Recipe.page_balance`` weighs its lines less (lines).
PAGE_BALANCE_LINES = 20
#: Corpora that train the models but choose no threshold or page decoding: our own stub pages
#: (stubs.py), whose mix of chrome-only pages and briefs we chose ourselves, not a sample of any web.
TUNING_EXCLUDED = frozenset({"stubs", "stubs-shared"})
#: Candidate decision thresholds (content probability).
THRESHOLD_GRID = np.round(np.linspace(0.05, 0.95, 91), 2)
#: F-beta used for each stored threshold: beta < 1 favours precision, > 1 recall.
THRESHOLD_BETAS = {"f1": 1.0, "precision": 0.5, "recall": 2.0}
#: Line features the second stage sees beside the first stage's scores (those the groups have).
PAGE_STAGE_PASSTHROUGH = ("length.words", "length.page_share", "position.relative", "punctuation.ends_terminal",
                          "keywords.density", "lexicon.score", "echo.long_lines", "echo.wordy_lines",
                          "section.heading_lexicon", "section.mean_lexicon", "section.words")
#: Line features that mark a chrome heading for ``Recipe.page_headings``: words (first), then keyword hits.
HEADING_COLUMNS = ("length.words", "keywords.comments", "keywords.related")
#: Line features whose page means the second stage sees with ``Recipe.page_profile``: what kind of
#: page it is (prose, a listing of short titled links, a product's figures, a forum's repeats).
PAGE_PROFILE = ("punctuation.ends_terminal", "length.words", "lexicon.score", "keywords.density",
                "punctuation.digit_ratio", "punctuation.titlecase_ratio", "position.repeats", "length.is_single_word")


def _classifier(recipe: Recipe, params: dict | None = None):
    if recipe.model_type == "hgb":
        return HistGradientBoostingClassifier(early_stopping=False, random_state=recipe.seed,
                                              **(params if params is not None else recipe.classifier_params))
    if recipe.model_type == "logreg":
        return LogisticRegression(**{"C": 1.0, "max_iter": 1000, **recipe.classifier_params})
    raise ValueError(f"unknown model type {recipe.model_type!r}; choose from {', '.join(MODEL_TYPES)}")


def build_pipeline(recipe: Recipe) -> Pipeline:
    """Featuriser + classifier (one or two stages) as one Pipeline, saved and loaded together."""
    featuriser = LineFeaturiser(groups=tuple(recipe.groups), context=recipe.context, seed=recipe.seed,
                                stack_folds=recipe.stack_folds, neighbours=tuple(recipe.neighbours),
                                neighbour_features=recipe.neighbour_features, lexicon_chars=recipe.lexicon_chars,
                                lexicon_edges=recipe.lexicon_edges, lexicon_seen=recipe.lexicon_seen,
                                keywords=recipe.keywords)
    classifier = _classifier(recipe)
    if recipe.page_stage:
        if recipe.model_type != "hgb":
            raise ValueError("a page stage reads the first stage's raw features: it needs model type hgb")
        base = features.names_in_groups(tuple(recipe.groups))
        if recipe.page_headings and not set(HEADING_COLUMNS) <= set(base):
            raise ValueError("a page stage that reads chrome headings needs the feature groups length and keywords")
        classifier = PageStageClassifier(
            first=classifier, second=_classifier(recipe.but(model_type="hgb"), recipe.page_stage_params),
            layout_columns=(base.index("position.from_start"), base.index("position.from_end")),
            passthrough=tuple(base.index(n) for n in PAGE_STAGE_PASSTHROUGH if n in base), folds=recipe.stack_folds,
            chrome_columns=tuple(base.index(n) for n in features.CONVENTION_CHROME if n in base and recipe.convention),
            page_means=tuple(base.index(n) for n in PAGE_PROFILE if n in base and recipe.page_profile),
            words_column=base.index("length.words") if recipe.page_runs and "length.words" in base else None,
            heading_columns=tuple(base.index(n) for n in HEADING_COLUMNS) if recipe.page_headings else ())
    if recipe.model_type == "logreg":
        return Pipeline([("features", featuriser), ("scale", StandardScaler()), ("classifier", classifier)])
    return Pipeline([("features", featuriser), ("classifier", classifier)])


def line_targets(pages: Sequence[LabelledPage]) -> np.ndarray:
    """1 for content, 0 for chrome or unknown, over every non-blank line of every page, shape (n_lines,)."""
    return np.concatenate([p.content_mask() for p in pages]).astype(np.int64)


def page_weights(pages: Sequence[LabelledPage], corpus_weights: dict[str, float] | None = None,
                 page_balance: float = 0.0, language_balance: float = 0.0) -> list[np.ndarray]:
    """Each page's line weights (``line_weights``, split by page), one array of shape (n_lines,) per page."""
    weights = corpus_weights or {}
    judged = [p.judged_mask().astype(np.float64) for p in pages]
    corpus = np.unique([p.corpus for p in pages], return_inverse=True)[1] if pages else np.zeros(0, dtype=np.int64)
    if page_balance:
        sizes = np.array([m.sum() for m in judged])
        factor = (PAGE_BALANCE_LINES / np.maximum(sizes, PAGE_BALANCE_LINES)) ** page_balance
        judged = [m * f for m, f in zip(judged, _keep_corpus_totals(factor, sizes, corpus).tolist())]
    if language_balance:
        sizes = np.array([m.sum() for m in judged])
        factor = _language_factors(pages, language_balance)
        judged = [m * f for m, f in zip(judged, _keep_corpus_totals(factor, sizes, corpus).tolist())]
    return [m * weights.get(p.corpus, 1.0) for p, m in zip(pages, judged)]


def _keep_corpus_totals(factor: np.ndarray, sizes: np.ndarray, corpus: np.ndarray) -> np.ndarray:
    """Per-page ``factor`` (n_pages,) rescaled so that each corpus keeps its total weight (``sizes``
    summed): only pages within a corpus trade weight."""
    return factor * (np.bincount(corpus, weights=sizes) / np.maximum(np.bincount(corpus, weights=sizes * factor),
                                                                      1e-12))[corpus]


def _language_factors(pages: Sequence[LabelledPage], power: float) -> np.ndarray:
    """(pages of the corpus's commonest language / pages of this page's language in its corpus) ** power,
    shape (n_pages,): a corpus's few Japanese or Norwegian pages are not drowned by its German ones."""
    keys = [(p.corpus, p.meta.get("language") or "") for p in pages]
    counts = Counter(keys)
    largest: dict[str, int] = {}
    for (corpus, _), n in counts.items():
        largest[corpus] = max(largest.get(corpus, 0), n)
    return np.array([(largest[c] / counts[(c, lang)]) ** power for c, lang in keys], dtype=np.float64)


def line_weights(pages: Sequence[LabelledPage], corpus_weights: dict[str, float] | None = None,
                 page_balance: float = 0.0, language_balance: float = 0.0) -> np.ndarray:
    """Each non-blank line's training weight: its corpus's weight (default 1), 0 for ``unknown``, shape (n_lines,).

    With ``page_balance`` b, the lines of a page with n > PAGE_BALANCE_LINES judged lines weigh
    (PAGE_BALANCE_LINES / n) ** b, rescaled so that each corpus keeps its total weight: the page
    metric averages over pages, and a few long pages (listings, comment threads) would otherwise
    decide what the trees learn. With ``language_balance`` l, each page then weighs (pages of its
    corpus's commonest language / pages of its own language there) ** l, rescaled likewise."""
    parts = page_weights(pages, corpus_weights, page_balance, language_balance)
    return np.concatenate(parts) if parts else np.zeros(0)


def fit(pipeline: Pipeline, pages: Sequence[LabelledPage], corpus_weights: dict[str, float] | None = None,
        progress: Progress | None = None, page_balance: float = 0.0, language_balance: float = 0.0) -> Pipeline:
    """Fit on pages; each line is weighed by its corpus (``corpus_weights``, default 1), unknown lines by 0.

    Unknown lines stay in the pages, so their neighbours still see them as context. Learned
    features and a second stage get the pages' sites, so their held-out scores come from other sites.
    ``progress`` is told each stage (featurising, each classifier stage and stacking fold).
    """
    if isinstance(pipeline[-1], PageStageClassifier):
        pages = _in_stacking_order(pages, pipeline[-1].folds)
    y = line_targets(pages)
    w = line_weights(pages, corpus_weights, page_balance, language_balance)
    if len(np.unique(y[w > 0])) < 2:
        raise DataError("training data needs both content and chrome lines")
    sites = np.unique([p.site for p in pages], return_inverse=True)[1]
    params: dict[str, Any] = {"features__groups": sites, "features__sample_weight": w,
                              "classifier__sample_weight": w}
    if isinstance(pipeline[-1], PageStageClassifier):
        params["classifier__groups"] = np.repeat(sites, [len(p.content_mask()) for p in pages])
        params["classifier__overwrite_X"] = True  # the featurised matrix is the Pipeline's own, used once
        if progress is not None:
            params["classifier__progress"] = progress
            lexicon = " and the lexicon" if "lexicon" in pipeline[0].groups else ""
            progress(f"featurising {len(y):,} lines of {len(pages):,} pages{lexicon}")
    return pipeline.fit([p.lines for p in pages], y, **params)


def _in_stacking_order(pages: Sequence[LabelledPage], folds: int) -> list[LabelledPage]:
    """``pages`` stably reordered by their site's stacking fold, so the page stage fits each fold on
    a view, not a copy; the folds are those of the unordered pages (GroupKFold sees only sizes)."""
    sites = np.unique([p.site for p in pages], return_inverse=True)[1]
    row_sites = np.repeat(sites, [len(p.content_mask()) for p in pages])
    k = min(folds, len(np.unique(row_sites)))
    if k < 2:
        return list(pages)
    site_fold = np.zeros(sites.max() + 1, dtype=np.int64)  # a site without rows goes first
    site_fold[row_sites] = stacking_fold_of(row_sites, k)
    return [pages[i] for i in np.argsort(site_fold[sites], kind="stable")]


def _within(progress: Progress, stage: str) -> Progress | None:
    """``progress`` with each message prefixed by the stage it belongs to (None when silent)."""
    if progress is _silent:
        return None
    return lambda message: progress(f"{stage}: {message}")


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
    numerator = (1 + b2) * tp
    denominator = numerator + b2 * fn + fp
    # F-beta is 0 where nothing is kept and nothing is content (denominator 0); weights may be below 1.
    fbeta = np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
    return float(THRESHOLD_GRID[int(np.argmax(fbeta))])


#: Below these, site-grouped CV and the model itself mean little: `train` says so (pages, sites).
MIN_PAGES, MIN_SITES = 50, 5
#: Fitting cost per million raw lines and per feature column of a full-data fit, on a 2-core
#: machine with the full corpora (seconds): tree fits scale with the columns they bin and split.
#: Two-stage: the bundled recipe at 101 columns, 800 s for CV and final fit on 2.76M lines (the
#: 253-column recipe before it took 39 minutes, 0.02 s more per column). A guide printed before a
#: long run, not a promise.
FIT_SECONDS_PER_MILLION_LINES_AND_COLUMN = {"two-stage": 0.95, "hgb": 0.6}
#: Logistic regression's cost per million raw lines (seconds): its solver, not the columns, dominates.
LOGREG_SECONDS_PER_MILLION_LINES = 60.0


def data_warnings(pages: int, sites: int) -> list[str]:
    """What is too little about the training data, one sentence each (empty when enough)."""
    out = []
    if pages < MIN_PAGES or sites < MIN_SITES:
        out.append(f"only {pages} pages from {sites} sites: a model needs at least {MIN_PAGES} pages from "
                   f"{MIN_SITES} sites to say anything about unseen sites (the bundled one used about 10,000)")
    return out


def expected_seconds(recipe: Recipe, lines: int, cross_validation: bool = True) -> float:
    """Rough wall time of ``train`` on ``lines`` raw lines: CV folds at (k-1)/k of the data plus the final fit."""
    fits = 1.0 + ((recipe.folds - 1) if cross_validation else 0.0)
    if recipe.model_type == "logreg":
        return fits * lines / 1e6 * LOGREG_SECONDS_PER_MILLION_LINES
    per_column = FIT_SECONDS_PER_MILLION_LINES_AND_COLUMN["two-stage" if recipe.page_stage else "hgb"]
    columns = len(build_pipeline(recipe)[0].output_names())
    return fits * lines / 1e6 * columns * per_column


@dataclass
class CVResult:
    report: EvalReport
    folds: int
    thresholds: dict[str, float]
    fold_thresholds: list[float]
    oof_scores: list[np.ndarray]
    page_folds: np.ndarray | None = None  # each page's test fold, shape (n_pages,)
    decoding: PageDecoding | None = None  # chosen on all out-of-fold scores (recipes with page decoding)
    fold_decodings: list[PageDecoding] = field(default_factory=list)  # each test fold's, chosen on the others
    labels: list[list[str]] = field(default_factory=list)  # each page's held-out labels (what the report scored)

    def held_out_labels(self, pages: Sequence[LabelledPage]) -> list[list[str]]:
        """Each page's labels from its held-out scores by its fold's rule (what the report scored)."""
        return self.labels


#: Receives one line per training stage ("cv fold 2/5: fitting on 7,811 pages"); never required.
Progress = Callable[[str], None]


def _silent(message: str) -> None:
    pass


def cross_validate(pages: Sequence[LabelledPage], recipe: Recipe, folds: int | None = None,
                   progress: Progress = _silent) -> CVResult:
    """Site-grouped CV of ``recipe`` (``folds`` overrides its folds): no site is in both a training and a test fold.

    Each test fold is scored at a threshold chosen on the other folds' out-of-fold scores, so no
    test label picks its own threshold. The stored thresholds use all out-of-fold scores. Pages of
    TUNING_EXCLUDED corpora are trained on and scored (their own per-corpus row), but choose no
    threshold or decoding and stay out of the overall metrics.
    """
    folds = folds or recipe.folds
    corpus_weights = recipe.corpus_weights
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
        progress(f"cv fold {f + 1}/{k}: fitting on {len(train):,} pages, scoring {len(test_idx):,}")
        model = fit(build_pipeline(recipe), train, corpus_weights, _within(progress, f"cv fold {f + 1}/{k}"),
                    recipe.page_balance, recipe.language_balance)
        test = [pages[i] for i in test_idx]
        proba = model.predict_proba([p.lines for p in test])[:, 1] if any(len(p.content_mask()) for p in test) else np.zeros(0)
        offset = 0
        for i, page in zip(test_idx, test):
            n = len(page.content_mask())
            oof[i] = proba[offset : offset + n]
            offset += n
    y_all = [p.content_mask() for p in pages]
    w_all = page_weights(pages, corpus_weights, recipe.page_balance, recipe.language_balance)
    fold_thresholds, fold_decodings = [], []
    predicted: list[list[str]] = [[]] * len(pages)
    scores: list[list[float]] = [[]] * len(pages)
    tuning = np.array([p.corpus not in TUNING_EXCLUDED for p in pages], dtype=bool)
    if not tuning.any():
        tuning[:] = True  # nothing but such pages: they tune themselves
    for f in range(k):
        others = np.nonzero((fold_of != f) & tuning)[0]
        if not len(others):
            others = np.nonzero(fold_of != f)[0]
        t = best_threshold(np.concatenate([y_all[i] for i in others]), np.concatenate([oof[i] for i in others]),
                           weights=np.concatenate([w_all[i] for i in others]))
        fold_thresholds.append(t)
        test_idx = np.nonzero(fold_of == f)[0]
        if recipe.page_decoding:
            progress(f"cv fold {f + 1}/{k}: choosing the page decoding on the other folds' scores")
            decoding = choose_decoding([pages[i] for i in others], [oof[i] for i in others])[0]
            fold_decodings.append(decoding)
            test_labels = labels_by_decoding([pages[i] for i in test_idx], [oof[i] for i in test_idx], decoding)
        else:
            test_labels = [_labels_from_scores(pages[i], oof[i], t)[0] for i in test_idx]
        for i, labels in zip(test_idx, test_labels):
            predicted[i], scores[i] = labels, _labels_from_scores(pages[i], oof[i], t)[1]
    tuned = np.nonzero(tuning)[0]
    y_cat, s_cat, w_cat = (np.concatenate([a[i] for i in tuned]) for a in (y_all, oof, w_all))
    thresholds = {name: best_threshold(y_cat, s_cat, beta, w_cat) for name, beta in THRESHOLD_BETAS.items()}
    decoding = choose_decoding([pages[i] for i in tuned], [oof[i] for i in tuned])[0] if recipe.page_decoding else None
    report = score_labels(pages, predicted, scores)
    if not tuning.all():  # the overall rows cover the corpora that tune; every corpus keeps its own row
        overall = score_labels([pages[i] for i in tuned], [predicted[i] for i in tuned], [scores[i] for i in tuned], worst=0)
        report = replace(report, lines=overall.lines, page=overall.page, pages=overall.pages, snippets=overall.snippets)
    return CVResult(report, k, thresholds, fold_thresholds, oof, fold_of, decoding, fold_decodings, predicted)


def labels_by_decoding(pages: Sequence[LabelledPage], scores: Sequence[np.ndarray], decoding: PageDecoding) -> list[list[str]]:
    """Each page's labels (blank lines included) from its non-blank lines' scores under page decoding."""
    out = []
    for page, keep in zip(pages, decode_labelled(pages, scores, decoding)):
        it = iter(keep.tolist())
        out.append([BLANK if is_blank(line) else (CONTENT if next(it) else CHROME) for line in page.lines])
    return out


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


def train(pages: Sequence[LabelledPage], recipe: Recipe, data_files: Sequence[str] = (),
          cross_validation: bool = True, progress: Progress = _silent) -> TrainResult:
    """Cross-validate (for metrics and thresholds), then fit the final model on all pages."""
    cv = cross_validate(pages, recipe, progress=progress) if cross_validation else None
    progress(f"final model: fitting on all {len(pages):,} pages")
    pipeline = fit(build_pipeline(recipe), pages, recipe.corpus_weights, _within(progress, "final model"),
                   recipe.page_balance, recipe.language_balance)
    thresholds = cv.thresholds if cv else {name: 0.5 for name in THRESHOLD_BETAS}
    from .corpora import CORPORA
    from .stubs import CORPUS as STUBS
    from .stubs import LICENSE as STUBS_LICENSE
    from .stubs import SHARED_CORPUS

    licenses = {**{name: spec.license for name, spec in CORPORA.items()}, STUBS: STUBS_LICENSE,
                SHARED_CORPUS: STUBS_LICENSE}
    corpora: dict[str, dict] = {}
    for p in pages:
        entry = corpora.setdefault(p.corpus, {"records": 0, "license": licenses.get(p.corpus, "see the data's own card")})
        entry["records"] += 1
    metadata = {
        "recipe": recipe.as_dict(),
        "model_type": recipe.model_type,
        "feature_groups": list(recipe.groups),
        "context": recipe.context,
        "feature_names": [str(n) for n in pipeline[0].get_feature_names_out()],
        "threshold": thresholds["f1"],
        "thresholds": thresholds,
        "seed": recipe.seed,
        "corpus_weights": dict(recipe.corpus_weights),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "training_data": {
            "digest": data_digest(pages),
            "files": [str(f) for f in data_files],
            "pages": len(pages),
            "sites": len({p.site for p in pages}),
            "lines": count_labels(pages),
            "corpora": corpora,
            "page_filter": page_filter(pages),
        },
        "metrics": {
            "cross_validation": "site-grouped" if cv else "none",
            "folds": cv.folds if cv else 0,
            "fold_thresholds": cv.fold_thresholds if cv else [],
            **({"fold_decodings": [d.as_dict() for d in cv.fold_decodings]} if cv and cv.fold_decodings else {}),
            **(cv.report.as_dict() if cv else {}),
        },
    }
    if cv and cv.decoding:
        metadata["decoding"] = cv.decoding.as_dict()
    metadata["metrics"].pop("worst_pages", None)
    return TrainResult(pipeline, metadata, cv)
