"""The learned lexicon and the page stage: hand-computed terms, context features, and no leakage."""

from __future__ import annotations

import re

import numpy as np
import pytest
from linesift.model.batch import LineBatch
from linesift.model.featuriser import LineFeaturiser
from linesift.model.lexicon import Lexicon, line_terms, word_spans
from linesift.model.stage import CONTEXT_NAMES, Layout, PageStageClassifier, context_features


def test_terms_are_folded_words_and_pairs_and_cjk_characters():
    b = LineBatch.from_pages([["Hello World hello", "他们开会"]])
    lines, buckets = line_terms(b)
    # Line 0: 3 words (Hello = hello) + 2 pairs; line 1: 4 characters + 3 pairs.
    assert np.bincount(lines).tolist() == [5, 7]
    first = buckets[lines == 0]
    assert first[0] == first[2] and len(set(first.tolist())) == 4


def test_word_spans_hand_computed():
    # The batch's text is "Hi, you2\n東京X\nok" (a blank line is no row; a newline joins the lines).
    b = LineBatch.from_pages([["Hi, you2", "東京X"], ["", "ok"]])
    starts, ends, lines, hashes, cjk = word_spans(b)
    words = [b.joined[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
    assert words == ["Hi", "you2", "東", "京", "X", "ok"]  # each Han character a word; X after them too
    assert lines.tolist() == [0, 0, 1, 1, 1, 2]
    assert cjk.tolist() == [False, False, True, True, False, False]
    assert hashes[0] == word_spans(LineBatch.from_pages([["hi"]]))[3][0]  # case-folded
    assert b.line_of_char.tolist() == [0] * 9 + [1] * 4 + [2] * 2
    assert LineBatch.from_pages([["plain ascii"]]).cjk is None


def _reference_words(text: str) -> list[str]:
    """Words as the lexicon defines them, one character at a time: runs of letters and digits, cut
    before and after every Han or kana character."""
    words, current, last_cjk = [], "", False
    for ch in text:
        if not ch.isalnum():
            if current:
                words.append(current)
            current = ""
            continue
        cjk = any(lo <= ord(ch) <= hi for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF)))
        if current and (cjk or last_cjk):
            words.append(current)
            current = ""
        current += ch
        last_cjk = cjk
    if current:
        words.append(current)
    return words


def test_word_spans_match_a_character_by_character_reference():
    rng = np.random.default_rng(7)
    alphabet = list("abcXY12 ,.-") + ["東", "京", "の", "カ", "é", "Ж", " "]
    for _ in range(200):
        lines = ["".join(rng.choice(alphabet, size=rng.integers(1, 25))) for _ in range(rng.integers(1, 6))]
        lines = [line for line in lines if line.strip()] or ["x"]
        b = LineBatch.from_pages([lines])
        starts, ends, line_of, _, _ = word_spans(b)
        got = [b.joined[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
        want = [w for line in b.lines for w in _reference_words(line)]
        assert got == want, (lines, got, want)
        assert [b.joined[s:e] for s, e in zip(*b.word_runs)] == [w for line in b.lines for w in
                                                                "".join(c if c.isalnum() else " " for c in line).split()]


def test_character_grams_of_long_words_share_buckets_across_compounds():
    b = LineBatch.from_pages([["Die Datenschutzerklärung gilt", "kurz"], ["Datenschutzinformation hier"]])
    plain, _ = line_terms(b)
    assert np.bincount(plain).tolist() == [5, 1, 3]  # by default, words and pairs only
    lines, buckets = line_terms(b, chars=5)
    # 20 and 22 letters give 16 and 18 5-grams; short words ("Die", "gilt", "hier") give none.
    assert np.bincount(lines).tolist() == [5 + 16, 1, 3 + 18]
    assert np.array_equal(lines[: len(plain)], plain)  # words and pairs first, as without grams
    first, second = set(buckets[lines == 0][5:].tolist()), set(buckets[lines == 2][3:].tolist())
    assert len(first & second) == 7  # "daten" ... "chutz": the shared stem, case-folded


def test_lexicon_with_character_grams_scores_unseen_compounds():
    chrome = ["Datenschutzeinstellungen verwalten", "Cookieeinstellungen anpassen"] * 6
    content = ["Die Ministerin sagte am Montag", "Der Bauer erntete spät"] * 6
    b = LineBatch.from_pages([chrome + content])
    y = np.array([0] * 12 + [1] * 12)
    new = LineBatch.from_pages([["Datenschutzhinweise lesen"]])
    assert Lexicon(chars=5).fit(b, y).score(new)[0] < Lexicon(chars=0).fit(b, y).score(new)[0]
    old = Lexicon.__new__(Lexicon)  # a lexicon pickled before the parameter: no character grams
    old.__dict__.update({k: v for k, v in Lexicon().fit(b, y).__dict__.items() if k != "chars"})
    assert old.chars == 0 and np.isfinite(old.score(new)).all()


def test_edge_terms_are_each_lines_first_word_first_pair_and_last_word():
    b = LineBatch.from_pages([["Read more here", "", "Foto"], ["More to read"]])
    plain, plain_buckets = line_terms(b)
    lines, buckets = line_terms(b, edges=True)
    # Line 0: 3 words + 2 pairs, then "read", "read more", "here"; line 1 ("Foto"): its word twice
    # as an edge; line 2: 3 + 2, then "more", "more to", "read".
    assert np.bincount(lines).tolist() == [5 + 3, 1 + 2, 5 + 3]
    assert np.array_equal(lines[: len(plain)], plain) and np.array_equal(buckets[: len(plain)], plain_buckets)
    edge = buckets[len(plain):]  # first words (read, foto, more), first pairs, last words (here, foto, read)
    assert np.array_equal(lines[len(plain):], [0, 1, 2, 0, 2, 0, 1, 2])
    assert not set(plain_buckets.tolist()) & set(edge.tolist())  # an edge word is a term apart from inside
    assert edge[0] != edge[7] and edge[1] != edge[6]  # a first word is a term apart from a last word
    assert len(set(edge.tolist())) == 8


def test_lexicon_with_edge_terms_tells_a_leading_phrase_from_the_same_words_inside():
    chrome = ["Read more about the match", "Read more about the vote"] * 6
    content = ["She said they would read more about it", "We read more about the vote today"] * 6
    b = LineBatch.from_pages([chrome + content])
    y = np.array([0] * 12 + [1] * 12)
    new = LineBatch.from_pages([["Read more on the weather"]])
    assert Lexicon(edges=True).fit(b, y).score(new)[0] < Lexicon().fit(b, y).score(new)[0]


def test_lexicon_learns_which_words_are_chrome():
    chrome = ["Accept all cookies", "Manage cookies settings", "We use cookies to improve"]
    content = ["The minister said the budget would pass", "Farmers said the harvest was late"]
    b = LineBatch.from_pages([chrome * 5 + content * 5])
    y = np.array([0] * 15 + [1] * 10)
    lex = Lexicon().fit(b, y)
    new = LineBatch.from_pages([["Reject cookies", "The mayor said the bridge would open"]])
    low, high = lex.score(new)
    assert low < 0 < high


def test_seen_terms_lexicon_gives_unseen_words_no_score_and_seen_ones_the_same_weights():
    chrome = ["Accept all cookies", "Manage cookies settings", "We use cookies to improve"]
    content = ["The minister said the budget would pass", "Farmers said the harvest was late"]
    b = LineBatch.from_pages([chrome * 5 + content * 5])
    y = np.array([0] * 15 + [1] * 10)
    plain, seen = Lexicon().fit(b, y), Lexicon(seen=2).fit(b, y)
    # Same buckets, same SGD: the weights learnt are the same; every training term was seen 5 times.
    assert np.allclose(plain.weights_, seen.weights_) and np.isclose(plain.intercept_, seen.intercept_)
    assert np.allclose(plain.score(b), seen.score(b))
    new = LineBatch.from_pages([["Qwxz vbnm plkj", "Qwxz cookies plkj"]])
    unseen, mixed = seen.score(new)
    assert unseen == pytest.approx(seen.intercept_)  # no known term: only the intercept
    assert mixed < unseen  # "cookies" is known and chrome; its neighbours add nothing
    # A term seen once is below the bar of two.
    once = LineBatch.from_pages([["Rare unique words here"] + content * 3])
    lex = Lexicon(seen=2).fit(once, np.array([0, 1, 1, 1, 1, 1, 1]))
    assert lex.score(LineBatch.from_pages([["Rare unique words here"]]))[0] == pytest.approx(lex.intercept_)


def test_seen_terms_lexicon_scores_a_term_matrix_as_it_scores_a_batch():
    from linesift.model.lexicon import SEEN_BITS, term_matrix

    b = LineBatch.from_pages([["Accept all cookies", "The minister said the budget would pass"] * 4])
    lex = Lexicon(seen=1).fit(b, np.array([0, 1] * 4))
    new = LineBatch.from_pages([["Accept new cookies", "The budget would pass today", "Zzq"]])
    assert np.allclose(lex.score_matrix(term_matrix(new, SEEN_BITS)), lex.score(new))


def test_featuriser_gives_training_lines_out_of_fold_lexicon_scores():
    site_a = [["Alpha beta gamma delta", "Epsilon zeta eta theta"]] * 3
    site_b = [["Iota kappa lambda mu", "Nu xi omicron pi"]] * 3
    pages = site_a + site_b
    y = np.array([1, 0] * 6)
    f = LineFeaturiser(groups=("length", "lexicon"), context=False, stack_folds=2)
    X = f.fit_transform(pages, y, groups=np.array([0, 0, 0, 1, 1, 1]))
    col = list(f.get_feature_names_out()).index("lexicon.score")
    oof = X[:, col]
    # Site A's words occur nowhere in site B: held out, every line of A gets the same score.
    assert np.allclose(oof[:6], oof[0])
    # The lexicon fitted on everything does know them.
    in_sample = f.transform(pages)[:, col]
    assert in_sample[0] > in_sample[1] and not np.allclose(in_sample[:6], in_sample[0])


def test_featuriser_passes_lexicon_seen_to_its_lexicons():
    pages = [["Alpha beta gamma delta", "Epsilon zeta eta theta"]] * 3 + [["Iota kappa lambda mu", "Nu xi omicron pi"]] * 3
    y = np.array([1, 0] * 6)
    f = LineFeaturiser(groups=("length", "lexicon"), context=False, stack_folds=2, lexicon_seen=1)
    X = f.fit_transform(pages, y, groups=np.array([0, 0, 0, 1, 1, 1]))
    col = list(f.get_feature_names_out()).index("lexicon.score")
    assert f.lexicon_.seen == 1 and f.lexicon_.seen_ is not None
    # Held out, no word of the other site was seen: every line scores its fold lexicon's intercept.
    assert np.allclose(X[:6, col], X[0, col]) and np.allclose(X[6:, col], X[6, col])
    unseen = f.transform([["Rho sigma tau upsilon"]])[0, col]
    assert unseen == pytest.approx(f.lexicon_.intercept_)
    assert LineFeaturiser().lexicon_seen == 0  # off unless a recipe asks


def test_lexicon_group_needs_targets():
    with pytest.raises(ValueError, match="needs the line targets"):
        LineFeaturiser(groups=("length", "lexicon")).fit([["a"]])


def test_layout_round_trips_from_log_columns():
    index = np.array([0, 1, 2, 0, 0, 1])
    count = np.array([3, 3, 3, 1, 2, 2])
    layout = Layout.from_columns(np.log1p(index).astype(np.float64), np.log1p(count - 1 - index))
    assert layout.page.tolist() == [0, 0, 0, 1, 2, 2]
    assert layout.index.tolist() == index.tolist() and layout.count.tolist() == count.tolist()
    big = np.arange(200_000)
    again = Layout.from_columns(np.log1p(big).astype(np.float32), np.log1p(big[::-1]).astype(np.float32))
    assert again.index.tolist() == big.tolist()


def test_context_features_hand_computed():
    scores = np.array([0.9, 0.1, 0.6, 0.2])
    layout = Layout(page=np.array([0, 0, 0, 1]), index=np.array([0, 1, 2, 0]), count=np.array([3, 3, 3, 1]))
    Z = context_features(scores, layout)
    col = {name: Z[:, i] for i, name in enumerate(CONTEXT_NAMES)}
    assert col["stage1.at+1"].tolist() == [0.1, 0.6, -1.0, -1.0]  # -1: outside the page
    assert col["stage1.at-2"].tolist() == [-1.0, -1.0, 0.9, -1.0]
    np.testing.assert_allclose(col["stage1.mean3"], [1.6 / 3, 1.6 / 3, 1.6 / 3, 0.2])
    assert col["stage1.page_max"].tolist() == [0.9, 0.9, 0.9, 0.2]
    np.testing.assert_allclose(col["stage1.strong_distance"], np.log1p([0, 1, 0, 1]))  # page 2: none strong
    assert col["stage1.strong_before"].tolist() == [0.0, 0.5, 0.5, 0.0]
    assert col["stage1.page_rank"].tolist() == [1.0, 0.0, 0.5, 0.0]


class _Recorder:
    """A stub first stage that records the rows of each fit and scores rows by a column."""

    fits: list = []

    def __init__(self):
        pass

    def get_params(self, deep=False):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y, sample_weight=None):
        _Recorder.fits.append(X[:, 3].copy())  # column 3 holds each row's number
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p = X[:, 2] / (1 + X[:, 2])
        return np.column_stack([1 - p, p])


def test_page_stage_held_out_scores_never_see_their_own_site():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    rows, groups = [], []
    for page in range(12):
        n = 5
        for i in range(n):
            rows.append([np.log1p(i), np.log1p(n - 1 - i), rng.random(), len(rows)])
            groups.append(page // 2)  # two pages per site
    X = np.asarray(rows)
    y = (X[:, 2] > 0.5).astype(int)
    groups = np.asarray(groups)
    _Recorder.fits = []
    model = PageStageClassifier(first=_Recorder(), second=HistGradientBoostingClassifier(max_iter=5),
                                layout_columns=(0, 1), folds=3).fit(X, y, groups=groups)
    full, *folds = _Recorder.fits
    assert len(full) == len(X) and len(folds) == 3
    held_out_sites = []
    for seen in folds:
        trained_on = set(groups[seen.astype(int)])
        held = set(groups) - trained_on
        assert held  # each fold holds some sites out entirely...
        held_out_sites.append(held)
    assert set().union(*held_out_sites) == set(groups)  # ...and every site is held out once
    assert model.predict_proba(X).shape == (len(X), 2)


class _Weighed:
    """A stub stage that records the width, row numbers (column 3, when it has one) and weights of
    each fit, and scores every row 0.7."""

    fits: list = []

    def get_params(self, deep=False):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y, sample_weight=None):
        rows = X[:, 3].astype(int) if X.shape[1] == 4 else None
        _Weighed.fits.append((X.shape[1], rows, None if sample_weight is None else np.array(sample_weight)))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        return np.tile([0.3, 0.7], (len(X), 1))


def _pages_of_five(n_pages: int) -> np.ndarray:
    """Rows of pages of 5 lines: log-position columns, a random score, the row's number."""
    rng = np.random.default_rng(1)
    return np.asarray([[np.log1p(i), np.log1p(4 - i), rng.random(), 5 * page + i]
                       for page in range(n_pages) for i in range(5)])


def test_page_stage_weighs_every_fit_with_its_rows_weights():
    X = _pages_of_five(12)
    y = (X[:, 2] > 0.5).astype(int)
    weights = np.arange(1, len(X) + 1, dtype=float)
    _Weighed.fits = []
    PageStageClassifier(first=_Weighed(), second=_Weighed(), folds=3).fit(X, y, sample_weight=weights,
                                                                           groups=np.arange(len(X)) // 10)
    first, *folds, second = _Weighed.fits
    assert first[0] == 4 and len(folds) == 3 and second[0] == len(CONTEXT_NAMES)
    np.testing.assert_array_equal(first[2], weights)
    for _, rows, seen in folds:
        np.testing.assert_array_equal(seen, weights[rows])
    np.testing.assert_array_equal(second[2], weights)


def test_page_stage_without_groups_keeps_each_page_whole_and_reports_each_step():
    X = _pages_of_five(12)
    y = (X[:, 2] > 0.5).astype(int)
    _Weighed.fits, said = [], []
    PageStageClassifier(first=_Weighed(), second=_Weighed(), folds=3).fit(X, y, progress=said.append)
    _, *folds, _ = _Weighed.fits
    for _, rows, _ in folds:  # pages read from the layout columns: a page is wholly in or out
        assert set(np.bincount(rows // 5, minlength=12).tolist()) == {0, 5}
    assert said[0] == "first stage on 60 lines x 4 features" and said[-1] == "page stage on the held-out scores"
    steps = [re.fullmatch(r"stacking fold (\d)/3: first stage on (\d+) lines, scoring (\d+)", m) for m in said[1:-1]]
    assert [int(m[1]) for m in steps] == [1, 2, 3]
    assert all(int(m[2]) + int(m[3]) == 60 for m in steps) and sum(int(m[3]) for m in steps) == 60


def test_page_stage_predicts_the_training_labels_at_one_half():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X = _pages_of_five(12)
    y = np.where(X[:, 2] > 0.5, "content", "chrome")
    model = PageStageClassifier(first=HistGradientBoostingClassifier(max_iter=20, min_samples_leaf=2),
                                second=HistGradientBoostingClassifier(max_iter=20, min_samples_leaf=2), folds=2).fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    assert 0 < (proba >= 0.5).sum() < len(X)
    assert model.predict(X).tolist() == np.where(proba >= 0.5, "content", "chrome").tolist()

    class Even(_Weighed):
        def predict_proba(self, X):
            return np.full((len(X), 2), 0.5)

    even = PageStageClassifier(first=_Weighed(), second=Even(), folds=2).fit(X, (X[:, 2] > 0.5).astype(int))
    assert even.predict(X).tolist() == [1] * len(X)  # a line at exactly one half is kept


def test_featurising_in_chunks_equals_one_batch(monkeypatch, sample_pages):
    import linesift.model.featuriser as featuriser

    pages = [p.lines for p in sample_pages]
    y = np.concatenate([p.content_mask() for p in sample_pages]).astype(int)
    whole = LineFeaturiser(groups=("length", "position", "lexicon")).fit_transform(pages, y)
    monkeypatch.setattr(featuriser, "FIT_CHUNK_LINES", 30)  # several chunks; pages never split
    assert len(featuriser._chunks(pages)) > 3
    chunked = LineFeaturiser(groups=("length", "position", "lexicon")).fit_transform(pages, y)
    np.testing.assert_allclose(chunked, whole, rtol=1e-6)
    # Training-sized matrices are row-major: scikit-learn's bin sampling (np.take) would copy a
    # column-major one whole, which was the largest transient of a training run.
    assert chunked.flags.c_contiguous and not whole.flags.c_contiguous
    f = LineFeaturiser(groups=("length", "position", "lexicon")).fit(pages, y)
    np.testing.assert_allclose(f.transform(pages), f.transform_batch(LineBatch.from_pages(pages)), rtol=1e-9)


def test_two_stage_model_predicts_edge_pages_like_a_batch(sample_pages, tmp_path):
    from linesift.model.modelfile import load_model, save_model
    from linesift.model.predictor import Predictor
    from linesift.training.recipe import get_recipe
    from linesift.training.train import build_pipeline, fit

    recipe = get_recipe("bundled").but(classifier_params={"max_iter": 10}, page_stage_params={"max_iter": 5})
    pipeline = fit(build_pipeline(recipe), sample_pages)
    path = tmp_path / "two.joblib"
    save_model(pipeline, {"threshold": 0.5}, path)
    predictor = Predictor(*load_model(path))
    pages = [[], ["  ", ""], ["Only line."]] + [p.lines for p in sample_pages[:3]]
    together = predictor.score_pages(pages)
    alone = [predictor.score_pages([page])[0] for page in pages]
    for a, b in zip(together, alone):
        np.testing.assert_allclose(a, b, rtol=1e-12)  # a page's scores never depend on its batch
    assert [len(s) for s in together[:3]] == [0, 2, 1] and together[1].tolist() == [0.0, 0.0]


def test_page_stage_turns_convention_chrome_columns_chrome():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(1)
    n = 40
    index = np.arange(n)
    flag = (index % 7 == 3).astype(float)  # a credits-like 0/1 column
    X = np.column_stack([np.log1p(index), np.log1p(n - 1 - index), rng.random(n), flag])
    y = np.ones(n, dtype=int)
    y[:5] = 0
    common = dict(first=HistGradientBoostingClassifier(max_iter=5), second=HistGradientBoostingClassifier(max_iter=5),
                  layout_columns=(0, 1), folds=2)
    plain = PageStageClassifier(**common).fit(X, y).predict_proba(X)[:, 1]
    both = PageStageClassifier(**common, chrome_columns=(3,)).fit(X, y).predict_proba(X)
    revised = both[:, 1]
    assert (plain[flag > 0] > 0.5).all()  # the stages alone keep those content-looking lines
    assert (revised[flag > 0] == 0).all() and (both[flag > 0, 0] == 1).all()  # still probabilities
    np.testing.assert_allclose(revised[flag == 0], plain[flag == 0])


def test_stacking_folds_of_rows_in_stacking_order_are_views_with_the_same_sites():
    from linesift.model.stage import stacking_fold_of, stacking_folds

    rng = np.random.default_rng(3)
    groups = rng.integers(0, 9, size=200)  # sites scattered over the rows, as pages arrive
    before = stacking_folds(groups, 2)
    assert all(not isinstance(rows, slice) for pair in before for rows in pair)
    order = np.argsort(stacking_fold_of(groups, 2), kind="stable")
    assert sorted(order.tolist()) == list(range(len(groups)))
    after = stacking_folds(groups[order], 2)
    X = np.arange(len(groups) * 3, dtype=np.float64).reshape(-1, 3)[order]
    for (train_b, test_b), (train_a, test_a) in zip(before, after):
        assert isinstance(train_a, slice) and isinstance(test_a, slice)
        assert np.shares_memory(X[train_a], X)  # a view: no copy of the training rows
        assert set(groups[train_b]) == set(groups[order][train_a])  # the same sites in each fold
        assert set(groups[test_b]) == set(groups[order][test_a])


def test_fit_hands_the_page_stage_its_pages_in_stacking_order(sample_pages, monkeypatch):
    from linesift.model import stage
    from linesift.training.recipe import get_recipe
    from linesift.training.train import build_pipeline, fit

    seen = []
    real = stage.stacking_folds
    monkeypatch.setattr(stage, "stacking_folds", lambda groups, k: seen.append(real(groups, k)) or seen[-1])
    recipe = get_recipe("bundled").but(classifier_params={"max_iter": 5}, page_stage_params={"max_iter": 5})
    shuffled = [sample_pages[i] for i in np.random.default_rng(0).permutation(len(sample_pages))]
    fit(build_pipeline(recipe), shuffled)
    assert len(seen) == 2  # once to order the pages, once in the page stage
    assert not all(isinstance(rows, slice) for pair in seen[0] for rows in pair)  # shuffled: scattered
    assert all(isinstance(rows, slice) for pair in seen[1] for rows in pair)  # as fitted: consecutive


def test_page_stage_input_in_blocks_of_whole_pages_equals_one_block(monkeypatch):
    from linesift.model import stage
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(4)
    sizes = [1, 7, 3, 12, 2, 30, 5]
    index = np.concatenate([np.arange(n) for n in sizes])
    count = np.concatenate([np.full(n, n) for n in sizes])
    n = len(index)
    words, hits = rng.integers(0, 9, n).astype(float), rng.integers(0, 2, (n, 2)).astype(float)
    X = np.column_stack([np.log1p(index), np.log1p(count - 1 - index), rng.random(n), rng.random(n),
                         np.log1p(words), hits])
    layout = Layout.from_columns(X[:, 0], X[:, 1])
    blocks = stage.page_blocks(layout, 10)
    assert blocks == [(0, 11), (11, 23), (23, 55), (55, 60)]  # page starts 0, 1, 8, 11, 23, 25, 55
    assert all(layout.index[lo] == 0 for lo, _ in blocks)
    model = PageStageClassifier(first=HistGradientBoostingClassifier(max_iter=3),
                                second=HistGradientBoostingClassifier(max_iter=3), layout_columns=(0, 1),
                                passthrough=(3,), folds=2, page_means=(2,), words_column=4, heading_columns=(4, 5, 6))
    scores = rng.random(n)
    whole = model._second_input(X, scores)
    # Each part in its columns: context, passthrough, page profile, runs, headings.
    parts = [stage.context_features(scores, layout), X[:, [3]], stage.page_profile(X[:, [2]], scores, layout),
             stage.run_features(scores, words, layout), stage.heading_features(scores, words, hits.sum(axis=1), layout)]
    np.testing.assert_allclose(whole, np.column_stack(parts), rtol=1e-12, atol=1e-12)
    monkeypatch.setattr(stage, "BLOCK_ROWS", 10)
    blocked = model._second_input(X, scores, order="C")
    np.testing.assert_allclose(blocked, whole, rtol=1e-12, atol=1e-12)
    assert blocked.flags.c_contiguous and whole.flags.f_contiguous


def test_page_stage_overwriting_X_writes_its_input_into_X_and_fits_the_same_model():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(5)
    sizes = [3, 40, 9, 25, 60, 14]
    index = np.concatenate([np.arange(n) for n in sizes])
    count = np.concatenate([np.full(n, n) for n in sizes])
    n = len(index)
    X = np.column_stack([np.log1p(index), np.log1p(count - 1 - index), rng.random((n, 28))])
    y = (X[:, 2] + 0.3 * rng.random(n) > 0.6).astype(int)
    groups = np.repeat(np.arange(len(sizes)), sizes)

    def model():
        return PageStageClassifier(first=HistGradientBoostingClassifier(max_iter=5),
                                   second=HistGradientBoostingClassifier(max_iter=5), layout_columns=(0, 1),
                                   passthrough=(4,), folds=2, page_means=(3,))

    scores = rng.random(n)
    for layout in ("C", "F"):
        matrix = np.array(X, order=layout)
        expected = model()._second_input(matrix, scores, order="C")
        reused = model()._second_input(matrix, scores, order="C", overwrite_X=True)
        assert np.shares_memory(reused, matrix) and reused.flags.c_contiguous
        np.testing.assert_array_equal(reused, expected)
    exact = np.ascontiguousarray(X[:, : expected.shape[1]])  # exactly as wide: its memory is reused
    assert np.shares_memory(model()._second_input(exact, scores, order="C", overwrite_X=True), exact)
    narrow = X[:, :8].copy()  # narrower than the page stage's input: a matrix of its own
    assert not np.shares_memory(model()._second_input(narrow, scores, order="C", overwrite_X=True), narrow)
    kept = X.copy()
    plain = model().fit(kept, y, groups=groups)
    np.testing.assert_array_equal(kept, X)  # untouched without overwrite_X
    spent = X.copy()
    thrifty = model().fit(spent, y, groups=groups, overwrite_X=True)
    assert not np.array_equal(spent, X)  # its memory held the page stage's input
    np.testing.assert_array_equal(thrifty.predict_proba(X), plain.predict_proba(X))


def test_fit_lets_the_page_stage_reuse_the_featurised_matrix(sample_pages, monkeypatch):
    from linesift.model import stage
    from linesift.training.recipe import get_recipe
    from linesift.training.train import build_pipeline, fit

    shared = []
    real = stage.PageStageClassifier._second_input

    def spy(self, X, scores, order="F", overwrite_X=False):
        out = real(self, X, scores, order, overwrite_X)
        shared.append(np.shares_memory(out, X))
        return out

    monkeypatch.setattr(stage.PageStageClassifier, "_second_input", spy)
    recipe = get_recipe("bundled").but(classifier_params={"max_iter": 5}, page_stage_params={"max_iter": 5})
    model = fit(build_pipeline(recipe), sample_pages)
    assert shared == [True]  # training: the page stage's input lives in the feature matrix's memory
    model.predict_proba([p.lines for p in sample_pages[:2]])
    assert shared == [True, False]  # prediction never overwrites its input


def test_stacking_order_keeps_every_page_and_each_sites_pages_in_their_order():
    from linesift.training.data import LabelledPage
    from linesift.training.train import _in_stacking_order

    def page(site, n, tag):
        lines = [f"{tag} line {i}" for i in range(n)]
        return LabelledPage(lines, ["content"] * n, f"{tag}.txt", site, "c")

    pages = [page("a", 5, "a1"), page("b", 9, "b1"), page("a", 0, "a-empty"), page("c", 4, "c1"),
             page("b", 2, "b2"), page("d", 7, "d1"), page("a", 3, "a2")]
    ordered = _in_stacking_order(pages, 2)
    assert sorted(p.source for p in ordered) == sorted(p.source for p in pages)
    for site in "abcd":
        assert [p.source for p in ordered if p.site == site] == [p.source for p in pages if p.site == site]
    assert ordered != pages
    assert _in_stacking_order(pages[:1], 2) == pages[:1]  # one site: nothing to order


def test_plain_lexicon_scores_a_term_matrix_as_it_scores_a_batch():
    """Both ways of scoring agree, intercept included, and a line without terms (last, here) gets
    the intercept alone, with or without the seen-terms bit set."""
    from linesift.model.lexicon import SEEN_BITS, term_matrix

    b = LineBatch.from_pages([["Accept all cookies", "The minister said the budget would pass"] * 4])
    y = np.array([0, 1] * 4)
    new = LineBatch.from_pages([["Accept new cookies", "The budget would pass today", "— · —"]])
    plain, seen = Lexicon().fit(b, y), Lexicon(seen=1).fit(b, y)
    assert abs(plain.intercept_) > 1e-3  # so a wrong sign on it shows
    got = plain.score_matrix(term_matrix(new))
    assert got.shape == (3,) and np.allclose(got, plain.score(new))
    assert got[2] == pytest.approx(plain.intercept_)
    got = seen.score_matrix(term_matrix(new, SEEN_BITS))
    assert got.shape == (3,) and got[2] == pytest.approx(seen.intercept_)
    assert plain.weights_.dtype == np.float32  # half the model file's lexicon bytes


def test_a_term_seen_exactly_the_bar_number_of_times_is_known():
    lines = ["Twice seen words", "Twice seen words", "The minister said the budget would pass"]
    lex = Lexicon(seen=2).fit(LineBatch.from_pages([lines]), np.array([0, 0, 1]))
    score = lex.score(LineBatch.from_pages([["Twice seen words"]]))[0]
    assert score < lex.intercept_ - 1e-6  # its chrome weight counts: it is not an unseen term


def test_sample_weights_decide_between_lines_that_disagree():
    """The same line labelled both ways leans to the side that weighs more, in ``fit`` and ``fit_matrix``."""
    from linesift.model.lexicon import term_matrix

    lines = ["Subscribe to our daily briefing"] * 4 + ["The council voted on the harbour plan"] * 2
    b = LineBatch.from_pages([lines])
    y = np.array([0, 0, 1, 1, 1, 1])
    probe = LineBatch.from_pages([["Subscribe to our daily briefing"]])
    leaning = {}
    for side, weights in (("chrome", [5, 5, 1, 1, 1, 1]), ("content", [1, 1, 5, 5, 1, 1])):
        w = np.array(weights, dtype=float)
        by_batch = Lexicon().fit(b, y, sample_weight=w)
        by_matrix = Lexicon().fit_matrix(term_matrix(b), y, sample_weight=w)
        assert np.allclose(by_batch.weights_, by_matrix.weights_)
        leaning[side] = by_batch.score(probe)[0] - by_batch.intercept_
    assert leaning["chrome"] < 0 < leaning["content"]


def test_the_lexicon_is_averaged_log_loss_sgd_run_for_every_epoch():
    """Its training pinned to the solver it names: averaged SGD on the log loss, ``epochs`` full passes
    (no early stop), so a change of solver settings is a change of models, made on purpose."""
    from linesift.model.lexicon import term_matrix
    from sklearn.linear_model import SGDClassifier

    rng = np.random.default_rng(5)
    words = ["cookies", "accept", "share", "minister", "budget", "harbour", "council", "said", "the", "more"]
    lines = [" ".join(rng.choice(words, size=rng.integers(2, 7))) for _ in range(60)]
    y = np.array(["cookies" in line or "share" in line for line in lines], dtype=int)
    b = LineBatch.from_pages([lines])
    lex = Lexicon(alpha=3e-4, epochs=20, seed=2).fit(b, y)  # past where a tolerance would stop it
    ref = SGDClassifier(loss="log_loss", alpha=3e-4, max_iter=20, tol=None, random_state=2, average=True)
    ref.fit(term_matrix(b), y)
    np.testing.assert_allclose(lex.weights_, ref.coef_[0].astype(np.float32))
    assert lex.intercept_ == pytest.approx(ref.intercept_[0])


def test_a_lexicon_made_with_no_arguments_is_the_bundled_models():
    """``Lexicon()``'s defaults are the recipe the bundled model was trained with."""
    from linesift.model.predictor import Predictor

    bundled = Predictor.load().pipeline.named_steps["features"].lexicon_
    fresh = Lexicon()
    names = ("bits", "alpha", "epochs", "seed", "chars", "edges", "seen")
    assert {n: getattr(fresh, n) for n in names} == {n: getattr(bundled, n) for n in names}


def test_a_batch_without_words_has_no_terms_and_scores_the_intercept():
    from linesift.model.lexicon import term_matrix

    b = LineBatch.from_pages([["— · —", "..."], ["+++"]])
    for chars, edges in ((0, False), (5, True)):
        lines, buckets = line_terms(b, chars=chars, edges=edges)
        assert lines.shape == buckets.shape == (0,) and lines.dtype == buckets.dtype == np.int64
        assert term_matrix(b, 12, chars, edges).shape == (3, 2**12) and term_matrix(b, 12, chars, edges).nnz == 0
    lex = Lexicon().fit(LineBatch.from_pages([["Accept cookies", "The minister spoke"] * 3]), np.array([0, 1] * 3))
    np.testing.assert_allclose(lex.score(b), [lex.intercept_] * 3)


def test_term_norms_give_lines_without_terms_zero():
    from linesift.model.lexicon import term_norms

    for _ in range(20):  # fresh output memory each time: a stale value would show
        norms = term_norms(np.array([0, 0, 2, 2, 2, 2]), 5)
        np.testing.assert_array_equal(norms, [1 / np.sqrt(2), 0.0, 0.5, 0.0, 0.0])
        assert norms.dtype == np.float64


def test_a_term_matrix_at_the_seen_bits_folds_to_the_plain_one():
    """A bucket at fewer bits is its terms' top bits: folding the fine matrix gives the coarse one."""
    from linesift.model.lexicon import SEEN_BITS, _coarse, term_matrix

    b = LineBatch.from_pages([["Accept all cookies today", "Die Datenschutzerklärung gilt"], ["他们开会 now"]])
    for chars, edges in ((0, False), (5, True)):
        fine, plain = term_matrix(b, SEEN_BITS, chars, edges), term_matrix(b, 12, chars, edges)
        assert fine.shape == (3, 2**SEEN_BITS) and plain.shape == (3, 2**12)
        folded = _coarse(fine, 12)
        assert folded.shape == plain.shape
        np.testing.assert_allclose(folded.toarray(), plain.toarray())


def test_character_grams_start_at_exactly_the_shortest_long_word():
    from linesift.model.lexicon import CHAR_GRAM_MIN_WORD

    n = CHAR_GRAM_MIN_WORD
    b = LineBatch.from_pages([["a" * n, "b" * (n - 1), "c" * (n + 1)]])
    lines, _ = line_terms(b, chars=5)
    assert np.bincount(lines, minlength=3).tolist() == [1 + n - 4, 1, 1 + n - 3]
    lines, _ = line_terms(b, chars=n + 1)  # grams longer than the floor: the word must hold one
    assert np.bincount(lines, minlength=3).tolist() == [1, 1, 2]


def test_character_and_edge_terms_hash_as_documented():
    """Each is its word's (or gram's, or pair's) folded hash plus its salt, mixed, top bits: the
    buckets a saved lexicon's weights sit in, which must not move between releases."""
    from linesift.model import lexicon as lx
    from linesift.model.keywords import word_hash

    def bucket(h, bits=18):
        with np.errstate(over="ignore"):
            return int((np.uint32(h) * lx._MIX) >> np.uint32(32 - bits))

    def salted(h, salt):
        with np.errstate(over="ignore"):
            return np.uint32(h) + salt

    b = LineBatch.from_pages([["Read Datenschutz here"]])
    read, daten, here = (word_hash(w) for w in ("read", "datenschutz", "here"))
    with np.errstate(over="ignore"):
        pair = np.uint32(read) * lx._PAIR + np.uint32(daten) + lx._BIGRAM_SALT
    lines, buckets = line_terms(b, chars=10, edges=True)
    grams = [salted(word_hash(g), lx._CHAR_SALT) for g in ("datenschut", "atenschutz")]
    edge = [salted(read, lx._FIRST_SALT), salted(pair, lx._FIRST_SALT), salted(here, lx._LAST_SALT)]
    assert buckets[-5:].tolist() == [bucket(h) for h in grams + edge]


LEXICON_PAGES = [["Subscribe to newsletters everywhere", "Councillors approved the harbourside redevelopment"],
                 ["Unsubscribe from newsletters", "Residents welcomed the redevelopment plans"],
                 ["Newsletters and notifications", "The redevelopment begins in springtime"]]


def _lexicon_settings():
    return dict(lexicon_bits=16, seed=3, lexicon_chars=4, lexicon_edges=True)


def test_featuriser_fits_its_lexicons_with_the_recipes_settings_and_weights():
    """The final lexicon and each out-of-fold one: the recipe's bits, seed, character n-grams and
    edge terms, and the training lines' weights (here, equal to fitting a Lexicon by hand)."""
    pages = LEXICON_PAGES * 2
    y = np.array([0, 1] * 6)
    w = np.array([3.0, 1.0, 1.0, 2.0] * 3)
    site = np.array([0, 0, 0, 1, 1, 1])
    f = LineFeaturiser(groups=("length", "lexicon"), context=False, stack_folds=2, **_lexicon_settings())
    X = f.fit_transform(pages, y, groups=site, sample_weight=w)

    def by_hand(fit_pages, fit_y, fit_w):
        return Lexicon(16, seed=3, chars=4, edges=True).fit(LineBatch.from_pages(fit_pages), fit_y, sample_weight=fit_w)

    lex = f.lexicon_
    assert (lex.bits, lex.seed, lex.chars, lex.edges, lex.seen) == (16, 3, 4, True, 0)
    np.testing.assert_allclose(lex.weights_, by_hand(pages, y, w).weights_)
    assert not np.allclose(lex.weights_, by_hand(pages, y, None).weights_)  # the weights count
    fitted = LineFeaturiser(groups=("length", "lexicon"), context=False, **_lexicon_settings()).fit(pages, y, sample_weight=w)
    np.testing.assert_allclose(fitted.lexicon_.weights_, lex.weights_)  # fit alone weighs them too
    col = list(f.get_feature_names_out()).index("lexicon.score")
    held_out = by_hand(pages[:3], y[:6], w[:6]).score(LineBatch.from_pages(pages[3:]))
    np.testing.assert_allclose(X[6:, col], held_out)
    # One site only: no fold to hold out, so the training lines get the final lexicon's scores.
    one = LineFeaturiser(groups=("length", "lexicon"), context=False, stack_folds=2, **_lexicon_settings())
    X1 = one.fit_transform(pages[:3], y[:6], groups=np.zeros(3, dtype=int))
    np.testing.assert_allclose(X1[:, col], one.lexicon_.score(LineBatch.from_pages(pages[:3])))


def test_featuriser_refusals_say_what_to_change():
    cases = [
        (dict(neighbours=(-1, 0)), True, "neighbour offsets must be non-zero and the window at least 1 line"),
        (dict(window=0), True, "neighbour offsets must be non-zero and the window at least 1 line"),
        (dict(groups=("length", "section")), True,
         "the section feature group reads the lexicon's scores: add the 'lexicon' group"),
        (dict(groups=("length", "lexicon")), False, "the lexicon feature group is learned: fit needs the line targets"),
    ]
    for params, with_y, message in cases:
        with pytest.raises(ValueError) as caught:
            LineFeaturiser(**params).fit([["a", "b"]], np.array([0, 1]) if with_y else None)
        assert str(caught.value) == message, params


def test_training_pages_are_featurised_in_chunks_of_whole_pages():
    from linesift.model.featuriser import _chunks

    pages = [["x"] * n for n in (3, 3, 3, 5, 1)]
    assert [[len(p) for p in chunk] for chunk in _chunks(pages, 6)] == [[3, 3], [3], [5, 1]]
    big = [["x"] * n for n in (10, 2, 9)]
    assert [[len(p) for p in chunk] for chunk in _chunks(big, 6)] == [[10], [2], [9]]  # a bigger page goes alone
    assert _chunks([], 6) == [[]]


def test_featuriser_with_sections_and_a_featuriser_pickled_before_lexicon_seen():
    pages = LEXICON_PAGES
    f = LineFeaturiser(groups=("length", "lexicon", "section"), context=False).fit(pages, np.array([0, 1] * 3))
    names = f.get_feature_names_out()
    assert names.dtype == object and "section.mean_lexicon" in list(names)  # scikit-learn's convention
    del f.lexicon_seen  # as in a featuriser saved before the option: seen terms off
    assert f._new_lexicon().seen == 0
    plain = LineFeaturiser()  # candidate-recipe options are off unless a recipe asks
    assert (plain.lexicon_chars, plain.lexicon_edges, plain.seed) == (0, False, 0)
