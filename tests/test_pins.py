"""Pins for quiet bugs: each test fails on a plausible one-line mistake that would corrupt results
without crashing (the decision boundary, the page metric's edge cases, site grouping, CV leakage,
file modes, hashing of large model files)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace

import numpy as np
import pytest
from linesift.model.atomic import atomic_write
from linesift.model.errors import DataError
from linesift.model.labels import BLANK, CHROME, CONTENT
from linesift.model.modelfile import HASH_BLOCK, sha256_file
from linesift.model.predictor import Predictor
from linesift.training import train as train_mod
from linesift.training.data import LabelledPage
from linesift.training.evaluate import score_labels
from linesift.training.metrics import page_metric
from linesift.training.recipe import get_recipe
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.pipeline import Pipeline


class _RowIndex(TransformerMixin, BaseEstimator):
    """A featuriser stub: each line's feature is its row number in the batch."""

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True

    def transform_batch(self, batch):
        return np.arange(len(batch), dtype=np.float64).reshape(-1, 1)


class _FixedScores(ClassifierMixin, BaseEstimator):
    """A classifier stub that gives row i the score ``scores[i]``."""

    def __init__(self, scores=()):
        self.scores = scores

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True

    def predict_proba(self, X):
        p = np.asarray(self.scores, dtype=np.float64)[X[:, 0].astype(int)]
        return np.column_stack([1 - p, p])


def test_a_line_scoring_exactly_the_threshold_is_content():
    threshold = 0.43
    pipeline = Pipeline([("features", _RowIndex()), ("classifier", _FixedScores([threshold, np.nextafter(threshold, 0), 0.9]))])
    predictor = Predictor(pipeline, {"threshold": threshold})
    page = predictor.predict_pages([["at the threshold", "just below", "", "well above"]])[0]
    assert page.labels == [CONTENT, CHROME, BLANK, CONTENT]


def test_cross_validation_labels_a_score_at_the_threshold_content():
    page = LabelledPage(["a", "", "b"], [CONTENT, BLANK, CHROME], source="x", site="a.example", corpus="c")
    labels, scores = train_mod._labels_from_scores(page, np.array([0.5, np.nextafter(0.5, 0)]), 0.5)
    assert labels == [CONTENT, BLANK, CHROME] and scores[1] == 0.0


def test_page_metric_with_output_but_no_true_content_and_the_reverse():
    # (tp, fp, fn) per page. A page with output but no true content counts in precision only;
    # a page with true content but no output counts in recall only.
    only_output = page_metric([(0, 5, 0), (3, 1, 0)])
    assert only_output.precision == pytest.approx((0.0 + 0.75) / 2)
    assert only_output.recall == pytest.approx(1.0)
    assert only_output.f1 == pytest.approx(2 * 0.375 * 1.0 / 1.375)
    only_truth = page_metric([(0, 0, 4), (2, 0, 2)])
    assert only_truth.precision == pytest.approx(1.0)
    assert only_truth.recall == pytest.approx((0.0 + 0.5) / 2)
    assert page_metric([(0, 0, 0)]).f1 == 0.0  # nothing true, nothing output: no evidence either way


def test_cross_validation_never_trains_on_a_test_site_nor_picks_a_fold_threshold_on_that_fold(sample_pages, monkeypatch):
    # Two pages per site, so that grouping by page instead of by site would put a site on both sides.
    pages = list(sample_pages) + [replace(p, source=p.source + "#again") for p in sample_pages]
    site_of = {id(p.lines): p.site for p in pages}
    folds: list[tuple[set, set]] = []
    real_fit = train_mod.fit

    class Recorder:
        def __init__(self, model, trained_sites):
            self.model, self.trained_sites = model, trained_sites

        def predict_proba(self, page_lines):
            folds.append((self.trained_sites, {site_of[id(lines)] for lines in page_lines}))
            return self.model.predict_proba(page_lines)

    def recording_fit(pipeline, train_pages, corpus_weights=None, progress=None, page_balance=0.0, language_balance=0.0):
        return Recorder(real_fit(pipeline, train_pages, corpus_weights, page_balance=page_balance,
                                 language_balance=language_balance),
                        {p.site for p in train_pages})

    chosen_on: list[int] = []
    real_best = train_mod.best_threshold

    def recording_best(y, scores, beta=1.0, weights=None):
        chosen_on.append(len(y))
        return real_best(y, scores, beta, weights)

    monkeypatch.setattr(train_mod, "fit", recording_fit)
    monkeypatch.setattr(train_mod, "best_threshold", recording_best)
    cv = train_mod.cross_validate(pages, get_recipe("logreg"), folds=3)
    assert len(folds) == 3
    for trained, tested in folds:
        assert trained and tested and not trained & tested
    assert set().union(*(t for _, t in folds)) == {p.site for p in pages}  # every site is tested once
    lines_of = {site: sum(len(p.content_mask()) for p in pages if p.site == site) for site in site_of.values()}
    total = sum(lines_of.values())
    for f, (_, tested) in enumerate(folds):
        own = sum(lines_of[s] for s in tested)
        assert chosen_on[f] == total - own != own  # chosen on the other folds' lines, not its own
    assert len(cv.fold_thresholds) == 3


def test_atomic_write_keeps_an_existing_files_mode_and_gives_a_new_one_the_umask_default(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("x")
    os.chmod(old, 0o640)
    with atomic_write(old) as handle:
        handle.write("y")
    assert old.stat().st_mode & 0o777 == 0o640 and old.read_text() == "y"
    previous = os.umask(0o027)
    try:
        new = tmp_path / "new.txt"
        with atomic_write(new) as handle:
            handle.write("z")
    finally:
        os.umask(previous)
    assert new.stat().st_mode & 0o777 == 0o640  # 0o666 without the umask's bits


def test_model_file_hash_covers_every_block(tmp_path):
    data = os.urandom(3 * HASH_BLOCK + 12345)
    path = tmp_path / "big.joblib"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit in the last, partial block
    assert sha256_file(path) != hashlib.sha256(data).hexdigest()


# --- page edges: neighbour, window and page-context features stay inside their page ---------------

def _words_pages():
    # words per line: page A 1, 2, 3; page B 4, 1 (no blank lines, so rows are lines)
    return [["one", "two words", "three words here"], ["four four four four", "five"]]


W = np.log1p([1, 2, 3, 4, 1])  # length.words is log1p of the word count


@pytest.mark.parametrize("window, expected", [
    (1, [(W[0] + W[1]) / 2, W[:3].mean(), (W[1] + W[2]) / 2, W[3:].mean(), W[3:].mean()]),  # A2 must not see B0
    (3, [W[:3].mean()] * 3 + [W[3:].mean()] * 2),
])
def test_window_means_stop_at_page_edges(window, expected):
    from linesift.model.featuriser import LineFeaturiser

    pages = _words_pages()
    f = LineFeaturiser(window=window).fit(pages)
    X = f.transform(pages)
    names = list(f.get_feature_names_out())
    np.testing.assert_allclose(X[:, names.index("length.words")], W)
    np.testing.assert_allclose(X[:, names.index(f"window{window}:length.words")], expected)


def test_two_line_neighbours_stop_at_page_edges():
    from linesift.model.featuriser import LineFeaturiser

    pages = _words_pages()
    f = LineFeaturiser().fit(pages)
    X = f.transform(pages)
    names = list(f.get_feature_names_out())
    np.testing.assert_allclose(X[:, names.index("prev2:length.words")], [0, 0, W[0], 0, 0])
    np.testing.assert_allclose(X[:, names.index("next2:length.words")], [W[2], 0, 0, 0, 0])
    np.testing.assert_allclose(X[:, names.index("prev1:length.words")], [0, W[0], W[1], 0, W[3]])
    np.testing.assert_allclose(X[:, names.index("next1:length.words")], [W[1], W[2], 0, W[4], 0])


def test_page_context_features_by_hand():
    from linesift.model.stage import CONTEXT_NAMES, Layout, context_features

    # three pages: 3 lines, 2 lines, 1 line; strong lines (score >= 0.5) are rows 0, 2 and 4
    scores = np.array([0.9, 0.2, 0.6, 0.1, 0.7, 0.3])
    layout = Layout(page=np.array([0, 0, 0, 1, 1, 2]), index=np.array([0, 1, 2, 0, 1, 0]),
                    count=np.array([3, 3, 3, 2, 2, 1]))
    out = context_features(scores, layout)
    col = {name: out[:, CONTEXT_NAMES.index(name)].tolist() for name in CONTEXT_NAMES}
    assert col["stage1.at-1"] == [-1, 0.9, 0.2, -1, 0.1, -1]
    assert col["stage1.at+1"] == [0.2, 0.6, -1, 0.7, -1, -1]
    assert col["stage1.at+2"] == [0.6, -1, -1, -1, -1, -1]
    assert col["stage1.at-8"] == [-1] * 6
    np.testing.assert_allclose(col["stage1.mean3"], [1.7 / 3] * 3 + [0.4, 0.4, 0.3])
    np.testing.assert_allclose(col["stage1.page_max"], [0.9] * 3 + [0.7] * 2 + [0.3])
    np.testing.assert_allclose(col["stage1.page_mean"], [1.7 / 3] * 3 + [0.4, 0.4, 0.3])
    assert col["stage1.strong_before"] == [0, 0.5, 0.5, 0, 0, 0]
    assert col["stage1.strong_after"] == [0.5, 0.5, 0, 1, 0, 0]
    np.testing.assert_allclose(col["stage1.strong_distance"], np.log1p([0, 1, 0, 1, 0, 1]))  # none on page 3: its length
    np.testing.assert_allclose(col["stage1.outside_strong_span"], np.log1p([0, 0, 0, 1, 0, 1]))
    np.testing.assert_allclose(col["stage1.page_rank"], [1, 0, 0.5, 0, 1, 0])


def _pickled_without(stage, attribute: str):
    """``stage`` as unpickled from a release whose PageStageClassifier lacked ``attribute``."""
    state = stage.__getstate__()
    state.pop(attribute, None)
    old = type(stage).__new__(type(stage))
    old.__setstate__(state)
    return old


def test_page_profile_by_hand():
    from linesift.model.stage import Layout, page_profile

    # the same three pages; two line features, e.g. ends_terminal and words
    values = np.array([[1, 10], [0, 2], [1, 6], [0, 1], [0, 3], [1, 20]], dtype=np.float32)
    scores = np.array([0.9, 0.2, 0.6, 0.1, 0.7, 0.3])
    layout = Layout(page=np.array([0, 0, 0, 1, 1, 2]), index=np.array([0, 1, 2, 0, 1, 0]),
                    count=np.array([3, 3, 3, 2, 2, 1]))
    out = page_profile(values, scores, layout)
    np.testing.assert_allclose(out[:, 0], [2 / 3] * 3 + [0, 0, 1])
    np.testing.assert_allclose(out[:, 1], [6] * 3 + [2, 2, 20])
    np.testing.assert_allclose(out[:, 2], [2 / 3] * 3 + [0.5, 0.5, 0])  # share of strong lines
    assert page_profile(values[:0], scores[:0], Layout(*(np.zeros(0, int),) * 3)).shape == (0, 3)


def test_run_features_by_hand():
    from linesift.model.stage import RUN_GAP, RUN_NAMES, Layout, run_features

    assert RUN_GAP == 2
    # page 0 (9 lines): a run of rows 0-3 bridged over weak row 1 (60 words), a gap of three weak
    # lines, a one-line run of 5 words; page 1 (2 lines): one run of 8 words; page 2: no strong line
    scores = np.array([0.9, 0.1, 0.8, 0.9, 0.1, 0.1, 0.1, 0.7, 0.2, 0.6, 0.6, 0.1])
    words = np.array([10, 2, 20, 30, 1, 1, 1, 5, 1, 4, 4, 9], dtype=float)
    layout = Layout(page=np.array([0] * 9 + [1, 1, 2]), index=np.array([*range(9), 0, 1, 0]),
                    count=np.array([9] * 9 + [2, 2, 1]))
    out = run_features(scores, words, layout)
    col = {name: out[:, RUN_NAMES.index(name)] for name in RUN_NAMES}
    np.testing.assert_allclose(col["stage1.run_share"], [1] * 4 + [0] * 3 + [5 / 60, 0, 1, 1, 0])
    np.testing.assert_allclose(col["stage1.run_words"], np.log1p([60] * 4 + [0] * 3 + [5, 0, 8, 8, 0]))
    np.testing.assert_allclose(col["stage1.run_lines"], np.log1p([4] * 4 + [0] * 3 + [1, 0, 2, 2, 0]))
    np.testing.assert_allclose(col["stage1.top_run_distance"], np.log1p([0] * 4 + [1, 2, 3, 4, 5, 0, 0, 1]))
    assert run_features(scores[:0], words[:0], Layout(*(np.zeros(0, int),) * 3)).shape == (0, 4)


def test_run_features_at_their_edges():
    """A score of exactly STRONG is strong; a gap of exactly RUN_GAP weak lines is bridged; a page's
    heaviest run may hold one word or none; the last row may open a run; a batch may have no run."""
    from linesift.model.stage import RUN_GAP, RUN_NAMES, STRONG, Layout, run_features

    assert (RUN_GAP, STRONG) == (2, 0.5)
    # page 0 (rows 0-3): no strong line; page 1 (4-9): strong rows 4 (exactly STRONG, 1 word) and 7
    # (no words) bridged over two weak rows; page 2 (10-12): two wordless strong rows bridged over a
    # weak one; page 3 (13): one strong line of 4 words, a run opened by the batch's last row
    scores = np.array([0.1] * 4 + [STRONG, 0.1, 0.1, 0.9, 0.1, 0.1] + [0.9, 0.1, 0.9] + [0.6])
    words = np.array([3] * 4 + [1, 7, 7, 0, 7, 7] + [0, 5, 0] + [4], dtype=float)
    layout = Layout(page=np.repeat([0, 1, 2, 3], [4, 6, 3, 1]), index=np.array([*range(4), *range(6), *range(3), 0]),
                    count=np.repeat([4, 6, 3, 1], [4, 6, 3, 1]))
    out = run_features(scores, words, layout)
    col = {name: out[:, RUN_NAMES.index(name)] for name in RUN_NAMES}
    np.testing.assert_allclose(col["stage1.run_share"], [0] * 4 + [1] * 4 + [0, 0] + [0] * 3 + [1])
    np.testing.assert_allclose(col["stage1.run_words"], np.log1p([0] * 4 + [1] * 4 + [0, 0] + [0] * 3 + [4]))
    np.testing.assert_allclose(col["stage1.run_lines"], np.log1p([0] * 4 + [4] * 4 + [0, 0] + [3] * 3 + [1]))
    # a page without strong lines, or whose heaviest run has no words, is as far as its line count
    np.testing.assert_allclose(col["stage1.top_run_distance"], np.log1p([4] * 4 + [0] * 4 + [1, 2] + [3] * 3 + [0]))
    none = run_features(np.full(3, 0.1), np.ones(3), Layout(np.zeros(3, int), np.arange(3), np.full(3, 3)))
    np.testing.assert_allclose(none, [[0, 0, 0, np.log1p(3)]] * 3)


def test_page_profile_counts_a_score_of_exactly_strong_as_strong():
    from linesift.model.stage import STRONG, Layout, page_profile

    out = page_profile(np.zeros((4, 1)), np.array([STRONG, 0.49, 0.2, 0.1]),
                       Layout(np.zeros(4, int), np.arange(4), np.full(4, 4)))
    np.testing.assert_allclose(out[:, -1], 0.25)


def test_consecutive_rows_become_a_slice_and_others_stay_indices():
    from linesift.model.stage import _as_slice, _count

    assert _as_slice(np.array([3, 4, 5])) == slice(3, 6)
    rows = np.array([3, 5, 6])
    assert _as_slice(rows) is rows
    assert _count(slice(3, 6)) == 3 and _count(np.array([3, 5, 6, 9])) == 4


def test_page_stage_sees_the_page_profile_only_when_asked():
    from linesift.model.stage import CONTEXT_NAMES, PageStageClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier

    n = 30
    index = np.arange(n) % 10  # three pages of 10 lines
    X = np.column_stack([np.log1p(index), np.log1p(9 - index), np.arange(n) % 3, np.arange(n) // 10])
    y = (np.arange(n) % 2).astype(int)
    common = dict(first=HistGradientBoostingClassifier(max_iter=3), second=HistGradientBoostingClassifier(max_iter=3),
                  layout_columns=(0, 1), passthrough=(2,), folds=2)
    plain = PageStageClassifier(**common).fit(X, y)
    profiled = PageStageClassifier(**common, page_means=(2, 3)).fit(X, y)
    scores = plain.first_.predict_proba(X)[:, 1]
    assert plain._second_input(X, scores).shape == (n, len(CONTEXT_NAMES) + 1)
    wide = profiled._second_input(X, scores)
    assert wide.shape == (n, len(CONTEXT_NAMES) + 1 + 3)
    np.testing.assert_allclose(wide[:, -2], X[:, 3])  # column 3 is constant on each page: its own mean
    # A stage pickled before the parameter existed sees no profile.
    assert _pickled_without(plain, "page_means")._second_input(X, scores).shape == plain._second_input(X, scores).shape


def test_page_stage_sees_the_runs_only_when_asked():
    from linesift.model.stage import CONTEXT_NAMES, RUN_NAMES, Layout, PageStageClassifier, run_features
    from sklearn.ensemble import HistGradientBoostingClassifier

    n = 30
    index = np.arange(n) % 10  # three pages of 10 lines; column 2 is log1p(words)
    X = np.column_stack([np.log1p(index), np.log1p(9 - index), np.log1p(np.arange(n) % 7), np.arange(n) // 10])
    y = (np.arange(n) % 2).astype(int)
    common = dict(first=HistGradientBoostingClassifier(max_iter=3), second=HistGradientBoostingClassifier(max_iter=3),
                  layout_columns=(0, 1), passthrough=(3,), folds=2)
    plain = PageStageClassifier(**common).fit(X, y)
    runs = PageStageClassifier(**common, words_column=2).fit(X, y)
    scores = plain.first_.predict_proba(X)[:, 1]
    wide = runs._second_input(X, scores)
    assert wide.shape == (n, len(CONTEXT_NAMES) + 1 + len(RUN_NAMES))
    layout = Layout.from_columns(X[:, 0], X[:, 1])
    np.testing.assert_allclose(wide[:, -len(RUN_NAMES):], run_features(scores, np.arange(n) % 7, layout))
    np.testing.assert_allclose(wide[:, : len(CONTEXT_NAMES) + 1], plain._second_input(X, scores))
    # A stage pickled before the parameter existed sees no runs.
    assert _pickled_without(plain, "words_column")._second_input(X, scores).shape == plain._second_input(X, scores).shape


def test_heading_features_by_hand():
    from linesift.model.stage import HEADING_NAMES, HEADING_WORDS, Layout, heading_features

    assert HEADING_WORDS == 6
    # page 0 (7 lines): a short keyword line above the first strong line (a share bar: no heading),
    # the article, a long keyword line (a sentence: no heading), a heading, two lines under it;
    # page 1 (3 lines): its first line would be under page 0's heading if pages leaked
    scores = np.array([0.1, 0.9, 0.8, 0.7, 0.2, 0.6, 0.3, 0.4, 0.9, 0.2])
    words = np.array([3, 20, 25, 12, 2, 15, 9, 4, 30, 1], dtype=float)
    hits = np.array([1, 0, 0, 1, 2, 0, 0, 0, 0, 0], dtype=float)
    layout = Layout(page=np.array([0] * 7 + [1] * 3), index=np.array([*range(7), 0, 1, 2]),
                    count=np.array([7] * 7 + [3] * 3))
    out = heading_features(scores, words, hits, layout)
    col = {name: out[:, HEADING_NAMES.index(name)] for name in HEADING_NAMES}
    np.testing.assert_array_equal(col["stage1.below_chrome_heading"], [0, 0, 0, 0, 0, 1, 1, 0, 0, 0])
    np.testing.assert_allclose(col["stage1.lines_below_heading"], np.log1p([0, 0, 0, 0, 0, 1, 2, 0, 0, 0]))
    # a page without a strong line has no heading (nothing to be below)
    flat = heading_features(np.full(3, 0.2), np.ones(3), np.ones(3), Layout(np.zeros(3, int), np.arange(3), np.full(3, 3)))
    assert not flat.any()
    assert heading_features(scores[:0], words[:0], hits[:0], Layout(*(np.zeros(0, int),) * 3)).shape == (0, 2)


def test_page_stage_sees_the_headings_only_when_asked():
    from linesift.model.stage import CONTEXT_NAMES, HEADING_NAMES, Layout, PageStageClassifier, heading_features
    from sklearn.ensemble import HistGradientBoostingClassifier

    n = 30
    index = np.arange(n) % 10  # three pages of 10 lines; column 2 is log1p(words), 3 and 4 keyword hits
    X = np.column_stack([np.log1p(index), np.log1p(9 - index), np.log1p(np.arange(n) % 7), index == 6, index == 3])
    y = (np.arange(n) % 2).astype(int)
    common = dict(first=HistGradientBoostingClassifier(max_iter=3), second=HistGradientBoostingClassifier(max_iter=3),
                  layout_columns=(0, 1), passthrough=(2,), folds=2)
    plain = PageStageClassifier(**common).fit(X, y)
    heads = PageStageClassifier(**common, heading_columns=(2, 3, 4)).fit(X, y)
    scores = plain.first_.predict_proba(X)[:, 1]
    wide = heads._second_input(X, scores)
    assert wide.shape == (n, len(CONTEXT_NAMES) + 1 + len(HEADING_NAMES))
    layout = Layout.from_columns(X[:, 0], X[:, 1])
    hits = (index == 6).astype(float) + (index == 3)
    np.testing.assert_allclose(wide[:, -len(HEADING_NAMES):], heading_features(scores, np.arange(n) % 7, hits, layout))
    np.testing.assert_allclose(wide[:, : len(CONTEXT_NAMES) + 1], plain._second_input(X, scores))
    assert heads.predict_proba(X).shape == (n, 2)
    # A stage pickled before the parameter existed sees no headings.
    assert _pickled_without(plain, "heading_columns")._second_input(X, scores).shape == plain._second_input(X, scores).shape


def test_bundled_recipe_reads_headings_from_words_and_the_comments_and_related_keywords():
    from linesift.model import features

    recipe = get_recipe("bundled")
    assert recipe.page_headings
    stage = train_mod.build_pipeline(recipe).named_steps["classifier"]
    base = features.names_in_groups(tuple(recipe.groups))
    assert [base[c] for c in stage.heading_columns] == ["length.words", "keywords.comments", "keywords.related"]
    with pytest.raises(ValueError, match="length and keywords"):
        train_mod.build_pipeline(recipe.but(groups=tuple(g for g in recipe.groups if g != "keywords")))


def test_layout_reads_pages_from_the_position_columns():
    from linesift.model.stage import Layout

    # position.from_start / from_end are log1p of lines before / after the line on its page
    index, after = np.array([0, 1, 2, 0, 1, 0]), np.array([2, 1, 0, 1, 0, 0])
    layout = Layout.from_columns(np.log1p(index), np.log1p(after))
    assert layout.page.tolist() == [0, 0, 0, 1, 1, 2]
    assert layout.count.tolist() == [3, 3, 3, 2, 2, 1]


# --- cross-validation's bookkeeping and the threshold search, with a stub model ---------------------

#: The stub model's idea of content: lines of the samples labelled content (set by the test).
_CONTENT_LINES: set[str] = set()


def _stub_score(line: str) -> float:
    """The stub model's content score of a line: known in advance, different from line to line, and
    higher for content lines than for chrome (so that thresholds are chosen somewhere in between)."""
    return round((0.6 if line in _CONTENT_LINES else 0.15) + (len(line) % 10) / 40, 3)


class _StubModel:
    """Scores lines by ``_stub_score`` plus ``shift``: each fold's model gets its own shift, so the
    folds' thresholds differ and a page labelled with another fold's threshold shows."""

    def __init__(self, shift: float = 0.0):
        self.shift = shift

    def predict_proba(self, page_lines):
        p = np.array([float(np.clip(_stub_score(l) + self.shift, 0, 1)) for lines in page_lines for l in lines if l.strip()])
        return np.column_stack([1 - p, p])


#: The stub models' shift per fold (content probability).
FOLD_SHIFTS = (0.0, 0.25, -0.1)


def _cv_pages(sample_pages):
    """Our samples, one line of one page made ``unknown`` so that judged weights matter."""
    pages = list(sample_pages)
    first = pages[0]
    k = next(i for i, l in enumerate(first.labels) if l == CHROME)
    pages[0] = replace(first, labels=first.labels[:k] + ["unknown"] + first.labels[k + 1:])
    return pages


def test_cross_validation_bookkeeping_by_hand(sample_pages, monkeypatch):
    # Two languages in a corpus, so that the language balance moves a weight (as the page balance does
    # on pages of 20+ judged lines); both balances must reach every fold and the thresholds' weights.
    pages = [replace(p, meta={**p.meta, "language": "de" if i % 3 == 0 else "en"}) for i, p in enumerate(_cv_pages(sample_pages))]
    _CONTENT_LINES.clear()
    _CONTENT_LINES.update(l for p in pages for l, lab in zip(p.lines, p.labels) if lab == CONTENT)
    recipe = get_recipe("logreg").but(corpus_weights={"news": 0.5}, page_balance=0.5, language_balance=0.5)
    fits, calls, messages, balances = [], [], [], []
    real_best = train_mod.best_threshold

    def stub_fit(pipeline, train_pages, corpus_weights=None, progress=None, page_balance=0.0, language_balance=0.0):
        balances.append((page_balance, language_balance))
        fits.append((frozenset(p.source for p in train_pages), corpus_weights))
        return _StubModel(FOLD_SHIFTS[len(fits) - 1])

    def recording_best(y, scores, beta=1.0, weights=None):
        calls.append((y.copy(), scores.copy(), beta, None if weights is None else weights.copy()))
        return real_best(y, scores, beta, weights)

    monkeypatch.setattr(train_mod, "fit", stub_fit)
    monkeypatch.setattr(train_mod, "best_threshold", recording_best)
    cv = train_mod.cross_validate(pages, recipe, folds=3, progress=messages.append)

    assert cv.folds == 3 and len(fits) == 3
    assert cv.decoding is None and cv.fold_decodings == []  # a recipe without page decoding chooses none
    assert all(weights == {"news": 0.5} for _, weights in fits)  # the recipe's corpus weights reach every fold
    assert balances == [(0.5, 0.5)] * 3
    weight = train_mod.page_weights(pages, {"news": 0.5}, 0.5, 0.5)  # pinned by hand in test_page_and_language_balance_by_hand
    assert any(not np.allclose(w, p.judged_mask() * (0.5 if p.corpus == "news" else 1.0)) for w, p in zip(weight, pages))
    assert any(not np.allclose(w, v) for w, v in zip(weight, train_mod.page_weights(pages, {"news": 0.5}, 0.5)))
    fold_of = [next(f for f, (trained, _) in enumerate(fits) if p.source not in trained) for p in pages]
    expected_scores = [np.array([float(np.clip(_stub_score(l) + FOLD_SHIFTS[f], 0, 1)) for l in p.lines if l.strip()])
                       for p, f in zip(pages, fold_of)]
    for got, want in zip(cv.oof_scores, expected_scores):
        np.testing.assert_array_equal(got, want)  # each page gets its own lines' scores, in order
    sizes = [sum(1 for f in fold_of if f == g) for g in range(3)]
    assert messages == [f"cv fold {g + 1}/3: fitting on {len(pages) - sizes[g]} pages, scoring {sizes[g]}" for g in range(3)]
    for g in range(3):  # each fold's threshold: chosen on the other folds, with their lines' weights
        y, scores, beta, w = calls[g]
        others = [i for i in range(len(pages)) if fold_of[i] != g]
        np.testing.assert_array_equal(y, np.concatenate([pages[i].content_mask() for i in others]))
        np.testing.assert_array_equal(scores, np.concatenate([expected_scores[i] for i in others]))
        np.testing.assert_array_equal(w, np.concatenate([weight[i] for i in others]))
        assert beta == 1.0 and cv.fold_thresholds[g] == real_best(y, scores, 1.0, w)
    all_y = np.concatenate([p.content_mask() for p in pages])
    all_s, all_w = np.concatenate(expected_scores), np.concatenate(weight)
    assert cv.thresholds == {name: real_best(all_y, all_s, beta, all_w) for name, beta in train_mod.THRESHOLD_BETAS.items()}
    assert len(calls) == 3 + len(train_mod.THRESHOLD_BETAS)
    for (y, scores, beta, w), want_beta in zip(calls[3:], train_mod.THRESHOLD_BETAS.values()):
        np.testing.assert_array_equal(w, all_w)  # the stored thresholds weigh lines as training did
        np.testing.assert_array_equal(scores, all_s)
        np.testing.assert_array_equal(y, all_y)
        assert beta == want_beta
    assert len(set(cv.fold_thresholds)) > 1  # the folds' thresholds differ, so the labels below tell them apart
    labels = [train_mod._labels_from_scores(p, s, cv.fold_thresholds[f]) for p, s, f in zip(pages, expected_scores, fold_of)]
    want = score_labels(pages, [l for l, _ in labels], [s for _, s in labels]).as_dict()
    assert cv.report.as_dict() == want
    assert all(np.isfinite(x["score"]) for w in want["worst_pages"] for x in w["wrong_lines"])


def test_cross_validation_needs_two_sites_and_two_are_enough(sample_pages):
    two = [replace(p, site="a.example" if i % 2 else "b.example") for i, p in enumerate(sample_pages)]
    cv = train_mod.cross_validate(two, get_recipe("logreg"), folds=3)
    assert cv.folds == 2 and len(cv.fold_thresholds) == 2
    one = [replace(p, site="a.example") for p in sample_pages]
    with pytest.raises(DataError, match="^cross-validation needs pages from at least two sites$"):
        train_mod.cross_validate(one, get_recipe("logreg"), folds=3)


def test_cross_validation_survives_a_site_with_only_blank_lines(sample_pages):
    blank = LabelledPage(["", "  "], [BLANK, BLANK], source="blank:1", site="blank.example", corpus="c")
    pages = [replace(p, site="a.example" if i % 2 else "b.example") for i, p in enumerate(sample_pages)] + [blank] * 6
    cv = train_mod.cross_validate(pages, get_recipe("logreg"), folds=3)
    assert cv.folds == 3 and all(len(cv.oof_scores[i]) == 0 for i in range(len(sample_pages), len(pages)))


def _reference_threshold_scores(y, s, beta, w):
    """F-beta at every grid threshold, written from the definition (weighted precision and recall)."""
    out = []
    for t in train_mod.THRESHOLD_GRID:
        kept = s >= t
        tp, fp, fn = w[kept & y].sum(), w[kept & ~y].sum(), w[~kept & y].sum()
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out.append((1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0)
    return np.array(out)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_best_threshold_maximises_weighted_f_beta(seed, beta):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    y = rng.random(n) < 0.4
    s = np.round(np.clip(np.where(y, 0.6, 0.35) + rng.normal(0, 0.25, n), 0, 1), 2)
    w = rng.choice([0.05, 0.3, 1.0], n)  # small weights: no clamp may distort a page's few lines
    f = _reference_threshold_scores(y, s, beta, w)
    chosen = train_mod.best_threshold(y, s, beta, w)
    assert f[list(train_mod.THRESHOLD_GRID).index(chosen)] == pytest.approx(f.max(), abs=1e-12)


def test_best_threshold_defaults_to_f1_and_unit_weights():
    y = np.array([1, 1, 1, 0, 0, 1], dtype=bool)
    s = np.array([0.9, 0.8, 0.3, 0.25, 0.2, 0.1])
    # F1 peaks keeping the top three lines (6/7; any threshold in (0.25, 0.3], first grid point 0.26);
    # F2 peaks keeping every line (20/22; the grid's first point, 0.05, already keeps them all)
    assert train_mod.best_threshold(y, s) == 0.26 == train_mod.best_threshold(y, s, 1.0, np.ones(6))
    assert train_mod.best_threshold(y, s, 2.0) == 0.05


def test_best_threshold_with_few_light_lines_is_not_distorted():
    # two lines of weight 0.1: keeping only the content one is a perfect F1 of 1.0 at 0.5 < t <= 0.9,
    # which a "max(denominator, 1)" guard would turn into 0.2, below keeping both lines
    y, s, w = np.array([True, False]), np.array([0.9, 0.5]), np.array([0.1, 0.1])
    assert train_mod.best_threshold(y, s, 1.0, w) == 0.51


def test_best_threshold_with_no_content_at_all_keeps_the_first_grid_point():
    # every F-beta is 0; where nothing is kept the denominator is 0 too, and must read as 0, not NaN
    y = np.zeros(3, dtype=bool)
    assert train_mod.best_threshold(y, np.array([0.2, 0.3, 0.4])) == 0.05
    assert train_mod.best_threshold(y, np.array([0.2, 0.3, 0.4]), 2.0, np.array([0.5, 0.5, 0.5])) == 0.05


@pytest.mark.parametrize("pages, sites, warned", [(50, 5, False), (49, 5, True), (50, 4, True), (10_000, 4, True),
                                                  (49, 500, True)])
def test_data_warnings_at_their_limits(pages, sites, warned):
    warnings = train_mod.data_warnings(pages, sites)
    assert bool(warnings) == warned
    if warned:
        assert warnings == [f"only {pages} pages from {sites} sites: a model needs at least 50 pages from 5 sites "
                            "to say anything about unseen sites (the bundled one used about 10,000)"]


def test_training_reports_each_stage_within_its_fold(sample_pages):
    """A training run is minutes of silence otherwise: each stage and stacking fold is reported,
    prefixed by the CV fold or the final model it belongs to, in the order it happens."""
    from linesift.training.recipe import get_recipe
    from linesift.training.train import train

    messages: list[str] = []
    train(sample_pages, get_recipe("bundled").but(folds=2), progress=messages.append)
    n_lines = sum(len(p.content_mask()) for p in sample_pages)
    final = [m for m in messages if m.startswith("final model: ") and "fitting on all" not in m]
    assert final[0] == f"final model: featurising {n_lines:,} lines of {len(sample_pages):,} pages and the lexicon"
    assert final[1].startswith(f"final model: first stage on {n_lines:,} lines x ")
    assert [m.split(":")[1].strip() for m in final[2:4]] == ["stacking fold 1/2", "stacking fold 2/2"]
    assert final[4] == "final model: page stage on the held-out scores" and len(final) == 5
    folds = [m for m in messages if m.startswith("cv fold")]
    assert folds[0].startswith("cv fold 1/2: fitting on") and folds[1].startswith("cv fold 1/2: featurising")
    assert sum(m.startswith("cv fold 2/2: stacking fold") for m in folds) == 2
    choosing = [m for m in folds if "choosing" in m]
    assert choosing == [f"cv fold {f}/2: choosing the page decoding on the other folds' scores" for f in (1, 2)]
    assert messages.index(folds[-1]) < messages.index("final model: fitting on all "
                                                      f"{len(sample_pages):,} pages")


def test_the_final_fit_and_the_held_out_fit_get_the_recipes_weights_and_balances(sample_pages, monkeypatch):
    from linesift.training import select as select_mod

    seen = []
    real_fit = train_mod.fit

    def recording_fit(pipeline, train_pages, corpus_weights=None, progress=None, page_balance=0.0, language_balance=0.0):
        seen.append((corpus_weights, page_balance, language_balance))
        return real_fit(pipeline, train_pages, corpus_weights, page_balance=page_balance, language_balance=language_balance)

    monkeypatch.setattr(train_mod, "fit", recording_fit)
    monkeypatch.setattr(select_mod, "fit", recording_fit)
    recipe = get_recipe("logreg").but(language_balance=0.7, page_balance=0.4, corpus_weights={"news": 0.5})
    train_mod.train(list(sample_pages), recipe, cross_validation=False)
    assert seen == [({"news": 0.5}, 0.4, 0.7)]
    held = sample_pages[0].corpus
    pages = list(sample_pages) + [replace(p, corpus="other", source=p.source + "#o") for p in sample_pages]
    seen.clear()
    select_mod.leave_one_corpus_out(pages, recipe, held_out=[held], loco_folds=2)
    assert seen and {s[1:] for s in seen} == {(0.4, 0.7)}  # the threshold CV's folds and the held-out fit
    assert all(weights == {"news": 0.5} for weights, *_ in seen)


def _reference_page_features(scores, words, hits, sizes):
    """context, run and heading features of one batch, line by line from their docstrings (slow, plain Python)."""
    from linesift.model.stage import HEADING_WORDS, RUN_GAP, SCORE_OFFSETS, SCORE_WINDOWS, STRONG

    context, runs, headings = [], [], []
    start = 0
    for size in sizes:
        s, w, h = scores[start:start + size], words[start:start + size], hits[start:start + size]
        start += size
        strong = [i for i in range(size) if s[i] >= STRONG]

        def distance(i, targets, size=size):
            return min([abs(i - t) for t in targets] + [size])

        rank = {j: r for r, j in enumerate(sorted(range(size), key=lambda j: (s[j], j)))}
        # runs: strong lines, and weak ones between two strong lines at most RUN_GAP weak lines apart
        member = [i in strong or any(a < i < b and b - a - 1 <= RUN_GAP for a in strong for b in strong)
                  for i in range(size)]
        run_of, run_words, run_lines = {}, [], []
        for i in range(size):
            if member[i]:
                if not (i and member[i - 1]):
                    run_words.append(0.0)
                    run_lines.append(0)
                run_of[i] = len(run_words) - 1
                run_words[-1] += w[i] if i in strong else 0.0
                run_lines[-1] += 1
        mine = [run_words[run_of[i]] if member[i] else 0.0 for i in range(size)]
        top = max(mine)
        tops = [i for i in range(size) if member[i] and mine[i] >= top and top > 0]
        first = strong[0] if strong else None
        head_rows = [i for i in range(size) if w[i] <= HEADING_WORDS and h[i] > 0 and first is not None and i > first]
        for i in range(size):
            row = [s[i]] + [s[i + o] if 0 <= i + o < size else -1.0 for o in SCORE_OFFSETS]
            row += [np.mean(s[max(i - half, 0):min(i + half + 1, size)]) for half in SCORE_WINDOWS]
            before = sum(t < i for t in strong)
            after = sum(t > i for t in strong)
            outside = max(strong[0] - i, i - strong[-1], 0) if strong else size
            row += [max(s), np.mean(s), before / max(len(strong), 1), after / max(len(strong), 1),
                    np.log1p(distance(i, strong)), np.log1p(outside), rank[i] / max(size - 1, 1)]
            context.append(row)
            runs.append([mine[i] / max(top, 1.0), np.log1p(mine[i]),
                         np.log1p(run_lines[run_of[i]] if member[i] else 0), np.log1p(distance(i, tops))])
            above = [j for j in head_rows if j < i]
            headings.append([float(bool(above)), np.log1p(i - above[-1]) if above else 0.0])
    return np.array(context), np.array(runs), np.array(headings)


def test_page_stage_features_match_a_line_by_line_reference():
    """Random batches of pages, with scores of exactly STRONG, pages of one line, pages opening or
    closing on their only strong line, and windows wider than their page, against plain Python."""
    from linesift.model.stage import STRONG, Layout, context_features, heading_features, run_features

    rng = np.random.default_rng(11)
    for _ in range(60):
        sizes = rng.integers(1, 40, int(rng.integers(1, 5)))
        n = int(sizes.sum())
        scores = rng.choice([0.05, 0.2, 0.45, STRONG, 0.55, 0.8, 0.95], n, p=[0.2, 0.2, 0.1, 0.15, 0.1, 0.15, 0.1])
        scores = np.where(rng.random(n) < 0.5, rng.random(n), scores)  # ties and STRONG itself, and distinct scores
        if rng.random() < 0.3:  # a page whose only strong line is its first (or last) line
            scores[: sizes[0]] = 0.1
            scores[0 if rng.random() < 0.5 else sizes[0] - 1] = 0.9
        words = rng.integers(0, 12, n).astype(float)
        hits = rng.choice([0, 1, 2], n, p=[0.7, 0.2, 0.1])
        layout = Layout(np.repeat(np.arange(len(sizes)), sizes), np.concatenate([np.arange(k) for k in sizes]),
                        np.repeat(sizes, sizes))
        context, runs, headings = _reference_page_features(scores.tolist(), words.tolist(), hits.tolist(), sizes.tolist())
        np.testing.assert_allclose(context_features(scores, layout), context, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(run_features(scores, words, layout), runs, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(heading_features(scores, words, hits, layout), headings, rtol=1e-12, atol=1e-12)


def test_build_pipeline_passes_every_recipe_setting_to_its_estimators():
    from linesift.model import features
    from sklearn.ensemble import HistGradientBoostingClassifier

    groups = ("length", "position", "punctuation", "keywords", "lexicon")
    recipe = get_recipe("bundled").but(
        groups=groups, context=True, seed=7, stack_folds=4, neighbours=(-1, 1), neighbour_features=("length.words",),
        lexicon_chars=3, lexicon_edges=True, lexicon_seen=2, keywords=2, convention=True, page_profile=True,
        page_runs=True, page_headings=True, classifier_params={"max_iter": 11, "learning_rate": 0.3, "max_bins": 31},
        page_stage_params={"max_iter": 7, "max_leaf_nodes": 5})
    pipeline = train_mod.build_pipeline(recipe)
    assert [name for name, _ in pipeline.steps] == ["features", "classifier"]  # step names are in saved models
    want = {"groups": groups, "context": True, "seed": 7, "stack_folds": 4, "neighbours": (-1, 1),
            "neighbour_features": ("length.words",), "lexicon_chars": 3, "lexicon_edges": True, "lexicon_seen": 2,
            "keywords": 2}
    assert {k: pipeline[0].get_params()[k] for k in want} == want
    stage = pipeline[-1]
    for model, params in ((stage.first, recipe.classifier_params), (stage.second, recipe.page_stage_params)):
        assert isinstance(model, HistGradientBoostingClassifier)
        assert model.early_stopping is False and model.random_state == 7  # 'auto' would stop early past 10,000 lines
        assert {k: model.get_params()[k] for k in params} == params
    assert stage.second.get_params()["learning_rate"] == 0.1  # the page stage's own trees: defaults unless given
    base = features.names_in_groups(groups)
    assert stage.folds == 4
    assert stage.layout_columns == (base.index("position.from_start"), base.index("position.from_end"))
    assert stage.passthrough == tuple(base.index(n) for n in train_mod.PAGE_STAGE_PASSTHROUGH if n in base)
    assert len(stage.passthrough) == 6  # words, page share, relative, ends_terminal, keyword density, lexicon: no echo
    assert stage.page_means == tuple(base.index(n) for n in train_mod.PAGE_PROFILE)
    assert stage.words_column == base.index("length.words")
    assert stage.heading_columns == tuple(base.index(n) for n in train_mod.HEADING_COLUMNS)
    assert stage.chrome_columns == tuple(base.index(n) for n in features.CONVENTION_CHROME if n in base)
    plain = train_mod.build_pipeline(recipe.but(page_profile=False, page_runs=False, page_headings=False, convention=False,
                                                context=False))
    assert (plain[-1].page_means, plain[-1].words_column, plain[-1].heading_columns, plain[-1].chrome_columns) == ((), None, (), ())
    assert plain[0].context is False

    logreg = train_mod.build_pipeline(get_recipe("logreg"))
    assert [name for name, _ in logreg.steps] == ["features", "scale", "classifier"]
    assert (logreg[-1].C, logreg[-1].max_iter) == (1.0, 1000)
    assert train_mod.build_pipeline(get_recipe("logreg").but(classifier_params={"C": 0.25}))[-1].C == 0.25
    with pytest.raises(ValueError) as err:
        train_mod.build_pipeline(get_recipe("logreg").but(page_stage=True))
    assert str(err.value) == "a page stage reads the first stage's raw features: it needs model type hgb"
    with pytest.raises(ValueError) as err:
        train_mod.build_pipeline(recipe.but(groups=("position", "keywords", "lexicon")))
    assert str(err.value) == "a page stage that reads chrome headings needs the feature groups length and keywords"
    with pytest.raises(ValueError) as err:
        train_mod.build_pipeline(recipe.but(model_type="svm"))
    assert str(err.value) == "unknown model type 'svm'; choose from hgb, logreg"


def _weighed_page(name: str, corpus: str, language: str, lines: int, unknown: int = 0) -> LabelledPage:
    labels = ["content", "chrome"] * (lines // 2) + ["unknown"] * unknown
    return LabelledPage([f"{name} line {i}." for i in range(len(labels))], labels, name, f"{name}.example", corpus,
                        meta={"language": language})


_WEIGHED = [_weighed_page("p1", "a", "de", 80), _weighed_page("p2", "a", "de", 20, unknown=1),
            _weighed_page("p3", "a", "en", 20), _weighed_page("p4", "b", "ja", 20)]


def test_page_and_language_balance_by_hand():
    # page balance 0.5: p1's 80 judged lines weigh (20 / 80) ** 0.5 = 0.5 each against 1 for the 20-line pages,
    # then x 1.5 so that corpus a keeps its 120; language balance 1: en pages weigh twice the de ones
    # (2 de pages against 1 en), then x 0.8 to keep 120 again; corpus weights last.
    got = train_mod.page_weights(_WEIGHED, {"b": 2.0}, page_balance=0.5, language_balance=1.0)
    want = [[0.6] * 80, [1.2] * 20 + [0.0], [2.4] * 20, [2.0] * 20]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w)
    np.testing.assert_allclose(train_mod.page_weights(_WEIGHED, {"b": 2.0}, page_balance=0.5)[0], [0.75] * 80)
    plain = train_mod.page_weights(_WEIGHED)  # no balance unless asked: every judged line weighs 1
    assert [list(w) for w in plain] == [[1.0] * 80, [1.0] * 20 + [0.0], [1.0] * 20, [1.0] * 20]
    np.testing.assert_allclose(train_mod.line_weights(_WEIGHED, {"b": 2.0}, 0.5, 1.0), np.concatenate(want))
    assert train_mod.line_weights([]).shape == (0,)


def test_fit_weighs_lines_by_the_corpus_page_and_language_weights_it_is_given():
    seen = {}

    class Recording(ClassifierMixin, BaseEstimator):
        def fit(self, X, y, sample_weight=None):
            seen["X"], seen["w"] = X, sample_weight
            self.classes_ = np.array([0, 1])
            return self

    from linesift.model.featuriser import LineFeaturiser

    pipeline = Pipeline([("features", LineFeaturiser(groups=("length",), context=False)), ("classifier", Recording())])
    train_mod.fit(pipeline, _WEIGHED, {"b": 2.0}, page_balance=0.5, language_balance=1.0)
    np.testing.assert_allclose(seen["w"], train_mod.line_weights(_WEIGHED, {"b": 2.0}, 0.5, 1.0))
    assert seen["X"].shape[0] == len(seen["w"]) == 141
    train_mod.fit(pipeline, _WEIGHED)
    np.testing.assert_array_equal(seen["w"], train_mod.line_weights(_WEIGHED))  # defaults: no balance, weight 1
    with pytest.raises(DataError) as err:
        train_mod.fit(pipeline, [replace(p, labels=["chrome"] * len(p.labels)) for p in _WEIGHED])
    assert str(err.value) == "training data needs both content and chrome lines"


def _stub_cv(pages, monkeypatch, folds=2):
    """cross_validate with every fold's model the stub model, and each fold threshold's lines recorded."""
    chosen_on: list[int] = []
    real_best = train_mod.best_threshold

    def recording_best(y, scores, beta=1.0, weights=None):
        chosen_on.append(len(y))
        return real_best(y, scores, beta, weights)

    monkeypatch.setattr(train_mod, "fit", lambda *args, **kwargs: _StubModel())
    monkeypatch.setattr(train_mod, "best_threshold", recording_best)
    return train_mod.cross_validate(pages, get_recipe("logreg"), folds=folds), chosen_on[:folds]


def test_cross_validation_of_stub_pages_alone_tunes_on_them(tmp_path, monkeypatch):
    from linesift.training.data import read_labelled
    from linesift.training.stubs import write_stubs

    write_stubs(tmp_path / "stubs.jsonl")
    stubs = list(read_labelled([tmp_path / "stubs.jsonl"]))[::10]
    cv, _ = _stub_cv(stubs, monkeypatch)
    assert cv.report.pages == len(stubs) and cv.report.lines.tn > 0  # the overall rows are the stubs' own


def test_a_fold_whose_other_folds_hold_only_stub_pages_tunes_on_those(sample_pages, tmp_path, monkeypatch):
    from linesift.training.data import read_labelled
    from linesift.training.stubs import write_stubs

    write_stubs(tmp_path / "stubs.jsonl")
    real = [replace(p, site="one.example") for p in sample_pages]  # one site: one fold holds every real page
    pages = real + list(read_labelled([tmp_path / "stubs.jsonl"]))[::10]
    cv, chosen_on = _stub_cv(pages, monkeypatch)
    f = cv.page_folds[0]
    others = [p for p, g in zip(pages, cv.page_folds) if g != f]
    assert others and all(p.corpus in train_mod.TUNING_EXCLUDED for p in others)
    assert chosen_on[f] == sum(len(p.content_mask()) for p in others)  # the other fold's lines, not its own
    assert cv.report.pages == len(real)


def test_stacking_order_groups_pages_by_fold_and_keeps_their_order_within_it():
    from linesift.model.stage import stacking_fold_of

    # 60 pages of 6 sites, interleaved: a quicksort of 60 keys (past the 16 of insertion sort) reorders ties.
    pages = [_weighed_page(f"s{i % 6}", "a", "en", 2 + i % 5) for i in range(60)]
    pages = [replace(p, source=f"{p.source}#{i}") for i, p in enumerate(pages)]
    ordered = train_mod._in_stacking_order(pages, 3)
    sites = np.unique([p.site for p in pages], return_inverse=True)[1]
    rows = np.repeat(sites, [len(p.content_mask()) for p in pages])
    fold_of_site = dict(zip(rows.tolist(), stacking_fold_of(rows, 3).tolist()))
    folds = [fold_of_site[s] for s in sites]
    assert sorted(set(folds)) == [0, 1, 2]
    want = [p for f in range(3) for p, g in zip(pages, folds) if g == f]  # by fold, in the input's order within it
    assert [p.source for p in ordered] == [p.source for p in want]
    assert train_mod._in_stacking_order(pages[:1], 3) == pages[:1]  # one site: no folds to order by
