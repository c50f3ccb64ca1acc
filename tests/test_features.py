"""Each registered feature on hand-made lines, and properties of the featuriser as a whole."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linesift.model import features
from linesift.model.batch import LineBatch
from linesift.model.featuriser import NEIGHBOURS, LineFeaturiser
from linesift.model.keywords import default_index

# (page lines, expected value of the feature for each non-blank line)
CASES: dict[str, tuple[list[str], list[float]]] = {
    "length.chars": (["Home", "  ab  "], [math.log1p(4), math.log1p(2)]),
    "length.words": (["one two  three", "x"], [math.log1p(3), math.log1p(1)]),
    "length.mean_word_length": (["ab cdef", "abc"], [3.0, 3.0]),
    "length.is_single_word": (["Home", "Read more"], [1.0, 0.0]),
    "length.page_share": (["a b", "", "a b c d"], [0.5, 1.0]),
    # words² weights 1 and 9 put the centre at line 0.9 of 2 lines.
    "position.from_text_centre": (["a", "b c d"], [-0.45, 0.05]),
    # long lines (>= half the longest's words) are lines 1 and 3.
    "position.outside_long_lines": (["x", "a b c d", "y", "a b c", "z", "w"],
                                    [math.log1p(1), 0, 0, 0, math.log1p(1), math.log1p(2)]),
    "position.repeats": (["Home", "News", " Home ", "home"], [math.log(2), 0.0, math.log(2), 0.0]),
    # Long lines (>= half the longest's words): 0 and 1. Topic words (5+ letters): line 0 has
    # Berlin, Senate, passes, budget (2 on line 1); line 1 has Berlin, budget, housing, schools
    # (2 on line 0); line 2's only one, Schools, is on line 1 (any case); line 3's are on no
    # long line; line 4 has no topic word.
    "echo.long_lines": (["Berlin Senate passes budget now", "Berlin budget for housing and schools",
                         "Schools open", "Cookie preferences", "ok then"], [0.5, 0.5, 1.0, 0.0, 0.0]),
    # Wordy lines (15+ words): only line 1, which has no other to echo. Han text gives pairs of
    # adjacent characters: line 0's three are on line 1; line 2's three are, "forecast" is not.
    "echo.wordy_lines": (["北京天气", "北京天气晴朗 " + "a " * 14, "天气晴朗 forecast", "forecast"], [1.0, 0.0, 0.75, 0.0]),
    "position.relative": (["a", "", "b", "c"], [0.0, 0.5, 1.0]),
    "position.from_start": (["a", "b", "", "c"], [0.0, math.log1p(1), math.log1p(2)]),
    "position.from_end": (["a", "b", "c"], [math.log1p(2), math.log1p(1), 0.0]),
    "position.page_lines": (["a", "", "b"], [math.log1p(2), math.log1p(2)]),
    "position.blank_before": (["", "a", "b", "  ", "c"], [1.0, 0.0, 1.0]),
    "position.blank_after": (["a", "", "b", "c", ""], [1.0, 0.0, 1.0]),
    "punctuation.ends_terminal": (["It rained.", 'He said "no."', "Home", "Why?", "(see above)"], [1, 1, 0, 1, 0]),
    "punctuation.ends_colon": (["Tags:", "Tags"], [1.0, 0.0]),
    "punctuation.ends_alnum": (["Next page", "Done.", "Page 2"], [1.0, 0.0, 1.0]),
    "punctuation.ends_ellipsis": (["Two men were charged...", "It ended…", "Wait.", "..", "No"], [1, 1, 0, 0, 0]),
    "punctuation.starts_upper": (["Hello", "hello", "3 items", "Élan"], [1.0, 0.0, 0.0, 1.0]),
    "punctuation.starts_nonletter": (["Hello", "© 2024", "1. First"], [0.0, 1.0, 1.0]),
    "punctuation.punct_ratio": (["a.b,", "abcd"], [0.5, 0.0]),
    "punctuation.digit_ratio": (["ab12", "abcd"], [0.5, 0.0]),
    "punctuation.upper_ratio": (["ABcd", "12"], [0.5, 0.0]),
    "punctuation.titlecase_ratio": (["Most Read stories", "x"], [2 / 3, 0.0]),
    "punctuation.comma_rate": (["a, b, c d", "e"], [0.5, 0.0]),
    "punctuation.sentence_marks": (["One. Two! Three?", "none"], [math.log1p(3), 0.0]),
    "punctuation.separators": (["Home | News » World", "plain"], [math.log1p(2), 0.0]),
    "punctuation.ends_caps_word": (["Photo by Ann Lee via REUTERS", "It was a NATO", "It rained.", "plan B", "HOME"],
                                   [1.0, 1.0, 0.0, 0.0, 1.0]),
    # Agency credits open the line; a sentence about reporting does not.
    "keywords.credits_line": (["(Reporting by Ann Lee; Editing by Bo Ray)", "Additional reporting by Cy Day",
                               "Her reporting by phone was hard", "Writing by hand is slow.", "The bill passed."],
                              [1.0, 1.0, 0.0, 0.0, 0.0]),
    # A caption opens with its lead or closes with an agency photo credit; a poll named by an agency
    # mid-sentence, a photo in prose and a credit-less slash are not captions.
    "keywords.caption_line": (["FILE PHOTO: A ship leaves port", "Photo by Ann Lee", "Image: a harbour at dusk",
                               "A ship leaves port. REUTERS/Ann Lee/File Photo", "Crowds gather (AP Photo/Bo Ray)",
                               "A Reuters/Ipsos poll found support fell.", "The photo shows a ship.",
                               "Either/or questions"],
                              [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]),
    # A photo credit closing a line in any language: a copyright sign, a credit word and colon after
    # a bracket or full stop (or opening the line), an agency in brackets, also past 80 characters.
    # Not a credit: a credit word inside a sentence, an agency a sentence goes on after, a photo in
    # prose, a long line opening with a credit word but running on past 60 characters.
    "keywords.credit_tail": (["Rauch über den Dächern. © Anna Roe | Beta Agentur", "Ein Mann am Hafen. (Foto: dpa)",
                              "Bild: Archiv", "The rover at dusk. Credit: Space Agency",
                              "Crowds at dawn. (Ann Roe/Getty Images)", "x" * 90 + ". © Jo Doe",
                              "Das erste Bild: so sieht der neue Bahnhof aus",
                              "We signed with Getty Images. It runs to 2027.", "The photos show the harbour.",
                              "Foto: " + "y" * 70, "Am Hafen (Foto: Archiv). Dann sprach der Bürgermeister.",
                              "Fans at the gate (Image: Getty)", "The pier at dusk. Photograph: Ann Roe for the Paper",
                              "Look at this image: the pier at dusk", "Pictures: the pier at dusk. Then it rained."],
                             [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]),
    "keywords.density": (["Share on Facebook", "a long line with nothing to flag"], [2 / 3, 0.0]),
    # 'file photo' and 'photo' both start in the first two words; 'photo' as a third word does not lead.
    "keywords.lead": (["FILE PHOTO: a minister", "He saw the photo", "© 2024 Acme", "a b ©"],
                      [math.log1p(2), 0.0, math.log1p(1), 0.0]),
}

# One phrase per keyword group, and a line that must not hit it.
KEYWORD_HITS = {
    "share": ("Share this", "Sharpen the knife"),
    "subscribe": ("Sign up for our newsletter", "Signal the turn"),
    "account": ("Log in", "Logging trucks"),
    "cookie": ("We use cookies", "Cooking at home"),
    "photo": ("Photo: Jane Doe", "Photons are light"),
    "credit": ("FILE PHOTO: a minister", "Creditors met"),
    "advert": ("Advertisement", "Adverse weather"),
    "related": ("Related stories", "Relativity"),
    "copyright": ("© 2024 Example Ltd", "Copy the right file"),
    "navigation": ("Back to top", "Homeowners rejoice"),
    "comments": ("Leave a comment", "Commentator"),
    "byline": ("Reporting by Ann Lee", "Reportage"),
    "dateline": ("Monday", "Mondays are fine"),
    "shop": ("Add to cart", "Pricey"),
    "paywall": ("Already a subscriber?", "Premiums"),
    "tags": ("Filed under", "Tagliatelle"),
    "url": ("see example.com", "the comma"),
}


def _one(name: str, lines: list[str]) -> np.ndarray:
    batch = LineBatch.from_pages([lines])
    return features.compute(batch, [name])[:, 0]


def test_every_registered_feature_has_a_case():
    keyword_features = {f"keywords.{g}" for g in KEYWORD_HITS}
    learned = {"lexicon.score"}  # tests/test_lexicon.py
    learned |= set(SECTION_FEATURES)  # test_section_features_by_hand
    assert set(features.REGISTRY) == set(CASES) | keyword_features | learned


@pytest.mark.parametrize("name", sorted(CASES))
def test_feature_values(name):
    lines, expected = CASES[name]
    np.testing.assert_allclose(_one(name, lines), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("group", sorted(KEYWORD_HITS))
def test_keyword_group_hits_phrase_not_lookalike(group):
    hit, miss = KEYWORD_HITS[group]
    values = _one(f"keywords.{group}", [hit, miss])
    assert values[0] > 0, f"{hit!r} should hit {group}"
    assert values[1] == 0, f"{miss!r} should not hit {group}"


@pytest.mark.parametrize("name", sorted(set(CASES) | {f"keywords.{g}" for g in KEYWORD_HITS}))
def test_each_text_feature_gives_one_float_per_line_and_none_for_no_lines(name):
    """The registry's contract, called directly (``compute`` would broadcast a stray value away)."""
    fn = features.REGISTRY[name][1]
    for pages, n in (([], 0), ([[]], 0), ([["", "  "]], 0), ([["— · —", "..."]], 2),
                     ([["One line."], ["", "Two", "lines"]], 3)):
        values = fn(LineBatch.from_pages(pages))
        assert values.shape == (n,) and values.dtype == np.float64, (pages, values)


def test_keyword_groups_match_keyword_file():
    names = [n.split(".", 1)[1] for n in features.names_in_groups(("keywords",))]
    assert names[: len(default_index().names)] == default_index().names
    assert names[len(default_index().names) :] == ["density", "lead", "credits_line", "caption_line",
                                                        "credit_tail"]


def test_feature_groups_select_columns():
    names = features.names_in_groups(("length",))
    assert names and all(n.startswith("length.") for n in names)
    with pytest.raises(ValueError):
        features.names_in_groups(("colour",))


def test_neighbour_columns_copy_within_page_only():
    pages = [["first line.", "Second", "third one"], ["Other page", "last."]]
    f = LineFeaturiser().fit(pages)
    X = f.transform(pages)
    names = list(f.get_feature_names_out())
    base = names.index("length.chars")
    prev = names.index("prev1:length.chars")
    nxt = names.index("next1:length.chars")
    np.testing.assert_allclose(X[1:3, prev], X[0:2, base])
    assert X[0, prev] == 0 and X[3, prev] == 0  # page starts: nothing before
    assert X[2, nxt] == 0 and X[4, nxt] == 0  # page ends: nothing after
    assert X[3, nxt] == X[4, base]
    assert len(names) == X.shape[1] == len(set(names))
    assert all(f"{'prev' if o < 0 else 'next'}{abs(o)}:length.chars" in names for o in NEIGHBOURS)


def test_batch_equals_pages_one_by_one():
    # Blank lines at page edges beside one-line pages: a blank never counts across a page boundary.
    pages = [["Alpha beta.", "", "Share", ""], ["x"], [""], ["y"], [], ["   ", "Gamma | delta", "Read more »"]]
    f = LineFeaturiser().fit(pages)
    together = f.transform(pages)
    alone = np.vstack([f.transform([p]) for p in pages])
    np.testing.assert_allclose(together, alone)


def test_unfitted_featuriser_refuses():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LineFeaturiser().transform([["a"]])


page_strategy = st.lists(st.text(max_size=80), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(page_strategy, max_size=5))
def test_any_text_featurises_to_finite_fixed_width(pages):
    f = LineFeaturiser().fit([])
    X = f.transform(pages)
    n_rows = sum(1 for page in pages for line in page if line.strip())
    assert X.shape == (n_rows, len(f.get_feature_names_out()))
    assert np.isfinite(X).all()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_page_text_featurises(text):
    f = LineFeaturiser().fit([])
    X = f.transform([text.splitlines()])
    assert X.shape[1] == len(f.get_feature_names_out())
    assert np.isfinite(X).all()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", "  ", "Para one.", "Menu", "x"]), max_size=8), max_size=5),
       st.floats(0, 1))
def test_batch_content_text_equals_assemble(pages, threshold):
    """The vectorised content text of the predictor matches the plain definition in ``assemble``."""
    from linesift.model.predictor import BLANK, CHROME, CONTENT, _content_texts, assemble

    batch = LineBatch.from_pages(pages)
    rng = np.random.default_rng(len(pages))
    is_content = batch.keep & (rng.random(len(batch.keep)) >= threshold)
    texts = _content_texts(pages, batch, is_content)
    start = 0
    for page, text in zip(pages, texts):
        labels = [BLANK if not k else CONTENT if c else CHROME
                  for k, c in zip(batch.keep[start:start + len(page)], is_content[start:start + len(page)])]
        assert text == assemble(page, labels)
        start += len(page)


@settings(max_examples=150, deadline=None)
@given(st.lists(page_strategy, min_size=1, max_size=5), st.sampled_from(["\n", ",", "a", " ", "7"]))
def test_count_mask_counts_each_lines_own_characters(pages, char):
    """Both ways of counting (by set positions for rare characters, a segmented sum otherwise) give
    each line's own count, never its joining newline's."""
    batch = LineBatch.from_pages(pages)
    assert batch.count_mask(batch.codes == ord(char)).tolist() == [line.count(char) for line in batch.lines]
    everything = np.ones(len(batch.codes), dtype=bool)
    assert batch.count_mask(everything).tolist() == [len(line) for line in batch.lines]


def test_count_mask_takes_both_paths(monkeypatch):
    """A rare character goes by its positions, a common one by the sum; same counts either way."""
    import linesift.model.batch as batch_module

    batch = LineBatch.from_pages([["a,b,c " * 20, "plain words here", "1, 2"], ["x" * 300]])
    commas, letters = batch.codes == ord(","), (batch.classes & batch_module.LETTER) != 0
    counts = {}
    for share in (0.0, 1.01):  # every mask by the sum, then every mask by its positions
        monkeypatch.setattr(batch_module, "SPARSE_MASK_SHARE", share)
        counts[share] = (batch.count_mask(commas).tolist(), batch.count_mask(letters).tolist())
    assert counts[0.0] == counts[1.01] == ([40, 0, 1, 0], [60, 14, 0, 300])


def test_chinese_and_japanese_count_a_word_per_character():
    # A Chinese sentence has no spaces: without this it would be one "word", like a menu item.
    lines = ["国务院发布了新的规定。", "東京 は 晴れ", "Home"]
    np.testing.assert_allclose(_one("length.words", lines), np.log1p([10, 5, 1]))
    assert _one("length.is_single_word", lines).tolist() == [0.0, 0.0, 1.0]


def test_echo_counts_long_lines_of_the_same_page_only():
    long = "Parliament debates the pension reform bill today " * 2
    batch = LineBatch.from_pages([[long, "Pension reform explained"], ["Pension reform explained", "short x"]])
    np.testing.assert_allclose(features.compute(batch, ["echo.long_lines"])[:, 0], [0.0, 2 / 3, 0.0, 0.0])


def _echo_reference(batch: LineBatch, source: np.ndarray) -> np.ndarray:
    """``_echo_share`` by sets, line by line: the share of a line's distinct topic terms that another
    line of its page where ``source`` holds too."""
    from linesift.model.features import ECHO_MIN_CHARS
    from linesift.model.lexicon import _PAIR, word_spans

    w_start, w_end, line_of, hashes, cjk = word_spans(batch)
    terms: list[set] = [set() for _ in range(len(batch))]
    for i in range(len(w_start)):
        if w_end[i] - w_start[i] >= ECHO_MIN_CHARS and not cjk[i]:
            terms[line_of[i]].add(int(hashes[i]))
        if i + 1 < len(w_start) and cjk[i] and cjk[i + 1] and line_of[i] == line_of[i + 1]:
            terms[line_of[i]].add(int((hashes[i] * _PAIR + hashes[i + 1]) & np.uint32(0xFFFFFFFF)))
    out = np.zeros(len(batch))
    for i in range(len(batch)):
        others = [j for j in range(len(batch)) if j != i and batch.page[j] == batch.page[i] and source[j]]
        if terms[i]:
            out[i] = sum(any(t in terms[j] for j in others) for t in terms[i]) / len(terms[i])
    return out


def test_echo_matches_a_line_by_line_reference_on_random_pages():
    """Random pages sharing a small vocabulary (long words, short words, Han pairs, repeats within a
    line): the vectorised term grouping gives each line the share a set-based count gives."""
    rng = np.random.default_rng(7)
    vocab = ["Parliament", "pension", "reform", "budget", "Berlin", "the", "and", "of", "北京", "天气", "晴朗", "Mayor",
             "schools", "housing", "x"]
    pages = [[" ".join(rng.choice(vocab, size=rng.integers(1, 25))) for _ in range(rng.integers(1, 12))]
             for _ in range(60)]
    with np.errstate(over="ignore"):
        batch = LineBatch.from_pages(pages)
        got = features.compute(batch, ["echo.long_lines", "echo.wordy_lines"])
        long_source = batch.n_words >= features.LONG_LINE_SHARE * features._page_broadcast(batch, np.maximum, batch.n_words)
        np.testing.assert_allclose(got[:, 0], _echo_reference(batch, long_source))
        np.testing.assert_allclose(got[:, 1], _echo_reference(batch, batch.n_words >= features.ECHO_WORDY_WORDS))


SECTION_FEATURES = ("section.heading_lexicon", "section.mean_lexicon", "section.words")


def test_section_features_by_hand():
    """Sections open at short lines that end no sentence (and at each page's first line); the
    lexicon logits are given, as the featuriser gives them."""
    pages = [["Menu", "Home", "", "Privacy policy", "We collect your data.", "We keep it for a year.",
              "Big news today in the city", "It rained all day."], ["Para one ends here."]]
    batch = LineBatch.from_pages(pages)
    batch.cache["lexicon_scores"] = np.array([-1.0, -2.0, -3.0, -1.0, 1.0, 2.0, 3.0, 0.5])
    names = list(SECTION_FEATURES)
    got = features.compute(batch, names)
    # sections: [Menu] [Home] [Privacy policy, We collect.., We keep..] [Big news.., It rained..] [Para one..]
    np.testing.assert_allclose(got[:, 0], [-1, -2, -3, -3, -3, 2, 2, 0.5])
    np.testing.assert_allclose(got[:, 1], [-1, -2, -1, -1, -1, 2.5, 2.5, 0.5])
    np.testing.assert_allclose(got[:, 2], np.log1p([1, 1, 2 + 4 + 6, 12, 12, 6 + 4, 10, 4]))
    with pytest.raises(ValueError, match="lexicon"):
        features.compute(LineBatch.from_pages(pages), names[:1])
    with pytest.raises(ValueError, match="'lexicon' group"):
        LineFeaturiser(groups=features.GROUPS + ("section",)).fit(pages)
    empty = LineBatch.from_pages([["", "  "]])
    empty.cache["lexicon_scores"] = np.zeros(0)
    assert features.compute(empty, names).shape == (0, 3)


def test_repeats_count_within_a_page_only():
    batch = LineBatch.from_pages([["Home", "Home", "Home"], ["Home"]])
    np.testing.assert_allclose(features.compute(batch, ["position.repeats"])[:, 0], np.log([3, 3, 3, 1]))


def test_neighbour_copies_of_chosen_features_equal_those_columns_of_the_full_set(sample_pages):
    """``neighbour_features`` only leaves columns out: every column it keeps is the full set's column."""
    from linesift.model.featuriser import LineFeaturiser

    lines = [p.lines for p in sample_pages]
    full = LineFeaturiser().fit(lines)
    chosen = ("position.repeats", "punctuation.punct_ratio", "length.words", "no.such_feature")
    part = LineFeaturiser(neighbour_features=chosen).fit(lines)
    names_full, names_part = list(full.get_feature_names_out()), list(part.get_feature_names_out())
    assert len(names_part) == len(full.base_names_) + 4 * 3 + 3  # base, 4 offsets x 3 known features, windows
    assert [n for n in names_part if ":" in n and not n.startswith("window")] == [
        f"{tag}:{n}" for tag in ("prev2", "prev1", "next1", "next2") for n in full.base_names_ if n in chosen]
    X_full, X_part = full.transform(lines), part.transform(lines)
    for j, name in enumerate(names_part):
        np.testing.assert_array_equal(X_part[:, j], X_full[:, names_full.index(name)], err_msg=name)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([
    "(Reporting by", "Additional reporting by", "(additional Reporting by", "Editing by", "(Writing by",
    "Compiled by", "(Compiled by", "Research by", "(Research by", "FILE PHOTO:", "File photo",
    "Photo by", "Photos:", "Photograph credit", "Image:", "Images by", "Picture:", "Pictures by",
    "A", "(", "Photo", "Re", "reporting", "Image credit", "Imagine", "Editors", "Pi"]),
    st.sampled_from(["", " ", " Jane Doe", ": x", " jane"])), min_size=1, max_size=12))
def test_caption_and_credit_prefilter_loses_no_match(parts):
    """The cheap two-letter filter before the regex keeps every line the regex alone would match."""
    from linesift.model import convention

    lines = [head + tail for head, tail in parts]
    batch = LineBatch.from_pages([lines])
    credits, caption = convention._head_hits(batch)
    matches = [convention.HEAD.match(line) for line in batch.lines]
    assert credits.tolist() == [bool(m and m.group("credits")) for m in matches]
    assert caption.tolist() == [bool(m and not m.group("credits")) for m in matches]


def test_bundled_recipe_turns_every_convention_feature_chrome():
    """The bundled page stage forces credits, captions and photo-credit tails chrome (and a recipe
    without the convention forces nothing): a credit line reads like prose, so only the rule drops it."""
    from linesift.training.recipe import BUNDLED, get_recipe
    from linesift.training.train import build_pipeline

    recipe = get_recipe(BUNDLED)
    base = features.names_in_groups(tuple(recipe.groups))
    stage = build_pipeline(recipe).named_steps["classifier"]
    assert [base[i] for i in stage.chrome_columns] == ["keywords.credits_line", "keywords.caption_line",
                                                       "keywords.credit_tail"]
    assert build_pipeline(recipe.but(convention=False)).named_steps["classifier"].chrome_columns == ()


def test_credit_tail_searches_lines_with_a_photo_credit_or_copyright_keyword_only():
    """The keyword filter before the regex: a credit word the keyword groups lack ("Quelle:") counts
    on a line that also holds one of theirs ("Foto"), and not alone."""
    values = _one("keywords.credit_tail", ["Der Hafen am Abend. (Quelle: Stadtarchiv)",
                                           "Foto vom Hafen am Abend. (Quelle: Stadtarchiv)"])
    assert values.tolist() == [0.0, 1.0]


def test_unknown_keyword_vocabulary_refused_at_fit():
    with pytest.raises(ValueError, match="keyword vocabulary 7 unknown"):
        LineFeaturiser(keywords=7).fit([["Home", "A sentence of prose."]])


def test_keyword_features_follow_the_featurisers_vocabulary():
    """The same batch of lines gets vocabulary 1's or 2's hits, as each featuriser asks."""
    lines = [["로그인", "Logg inn", "Sign in", "A sentence of prose here."]]
    col = features.names_in_groups(features.GROUPS).index("keywords.account")
    one = LineFeaturiser(context=False).fit(lines).transform(lines)[:, col]
    two = LineFeaturiser(context=False, keywords=2).fit(lines).transform(lines)[:, col]
    assert one.tolist()[:3] == [0.0, 0.0, one[2]] and one[2] > 0
    assert (two[:3] > 0).all() and two[3] == 0


def test_section_heading_may_have_exactly_the_most_words():
    """A sentence-less line of HEADING_MAX_WORDS words opens a section; one word more does not."""
    heading = " ".join(["word"] * features.HEADING_MAX_WORDS)
    pages = [["Menu", "It rained all day.", heading, "It rained again.", heading + " more", "Dry at last."]]
    batch = LineBatch.from_pages(pages)
    batch.cache["lexicon_scores"] = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    np.testing.assert_allclose(features.compute(batch, ["section.heading_lexicon"])[:, 0], [1, 1, 3, 3, 3, 3])


def test_section_and_lexicon_features_without_lexicon_scores_say_which_group_is_missing():
    batch = LineBatch.from_pages([["Menu", "It rained."]])
    for name in SECTION_FEATURES[:2]:  # section.words needs no lexicon
        with pytest.raises(ValueError) as caught:
            features.compute(batch, [name])
        assert str(caught.value) == "section features need a featuriser fitted with the 'lexicon' group"
    with pytest.raises(ValueError) as caught:
        features.compute(batch, ["lexicon.score"])
    assert str(caught.value) == "lexicon.score needs a featuriser fitted with the 'lexicon' group"


def test_unknown_group_is_refused_with_the_known_ones():
    with pytest.raises(ValueError) as caught:
        features.names_in_groups(("length", "telepathy"))
    assert str(caught.value) == f"unknown feature groups: ['telepathy']; known: {list(features.ALL_GROUPS)}"


def test_registering_a_feature(monkeypatch):
    """A new name joins the registry at version 1 (or the version given); a known name or an
    unknown group is refused, leaving the registry as it was."""
    monkeypatch.setattr(features, "REGISTRY", dict(features.REGISTRY))
    monkeypatch.setattr(features, "VERSIONS", dict(features.VERSIONS))

    def fn(b):
        return np.zeros(len(b))

    assert features.feature("length", "test_only")(fn) is fn
    assert features.REGISTRY["length.test_only"] == ("length", fn)
    assert features.VERSIONS["length.test_only"] == 1
    features.feature("position", "test_only_v3", version=3)(fn)
    assert features.VERSIONS["position.test_only_v3"] == 3
    before = dict(features.REGISTRY)
    for group, name in (("length", "chars"), ("telepathy", "x"), ("length", "test_only")):
        with pytest.raises(ValueError) as caught:
            features.feature(group, name)(fn)
        assert str(caught.value) == f"bad or duplicate feature {group}.{name}"
    assert features.REGISTRY == before


def test_keyword_feature_counts_its_own_group():
    fn = features._keyword_feature("share")
    batch = LineBatch.from_pages([["Share on Facebook", "Share this and subscribe", "A plain line"]])
    np.testing.assert_allclose(fn(batch), np.log1p(features.keyword_hits(batch)["share"]))
    assert fn(batch)[2] == 0 and fn(batch)[0] > 0
    assert fn.__name__ == "kw_share" and "'share'" in fn.__doc__


def test_registry_digest_is_the_one_the_bundled_model_recorded():
    """The digest's recipe is part of the model-file format: a model written by an earlier
    release must read the same digest from its own definitions."""
    from linesift.model.location import bundled_model_path
    from linesift.model.modelfile import read_metadata

    meta = read_metadata(bundled_model_path())
    assert features.registry_digest(meta["feature_definitions"]) == meta["feature_registry_digest"]
    shuffled = dict(reversed(list(meta["feature_definitions"].items())))
    assert features.registry_digest(shuffled) == meta["feature_registry_digest"]


def test_character_classes_by_hand():
    """Each class bit from the Unicode category, and the marks added on top; the table is built
    afresh here, as at import."""
    from linesift.model import batch as bt

    table = bt._build_class_table()
    expected = {
        "A": bt.LETTER | bt.UPPER, "a": bt.LETTER, "ǅ": bt.LETTER | bt.UPPER, "中": bt.LETTER,
        "5": bt.DIGIT, "٣": bt.DIGIT, "²": 0, "\u0301": 0,
        " ": bt.SPACE, "\u00a0": bt.SPACE, "\t": bt.SPACE, "\u2028": bt.SPACE,
        ",": bt.PUNCT, "€": bt.PUNCT, "+": bt.PUNCT, "#": bt.PUNCT,
        ".": bt.PUNCT | bt.TERMINAL, "?": bt.PUNCT | bt.TERMINAL, "。": bt.PUNCT | bt.TERMINAL,
        "…": bt.PUNCT | bt.TERMINAL, "\u0964": bt.PUNCT | bt.TERMINAL,
        '"': bt.PUNCT | bt.CLOSER, ")": bt.PUNCT | bt.CLOSER, "」": bt.PUNCT | bt.CLOSER,
        "»": bt.PUNCT | bt.CLOSER | bt.SEPARATOR, "|": bt.PUNCT | bt.SEPARATOR, "•": bt.PUNCT | bt.SEPARATOR,
        "—": bt.PUNCT | bt.SEPARATOR, ">": bt.PUNCT | bt.SEPARATOR, "/": bt.PUNCT | bt.SEPARATOR,
    }
    got = {ch: int(table[ord(ch)]) for ch in expected}
    assert got == {ch: int(bits) for ch, bits in expected.items()}
    assert table.shape == (bt.TABLE_SIZE,) and table.dtype == np.uint8
    np.testing.assert_array_equal(table, bt.CLASS_TABLE)
    # Past the table, every code point reads as a letter (CJK extensions, emoji).
    far = LineBatch.from_pages([["a\U00020001\U0001F600"]])
    assert list(far.classes) == [bt.LETTER, bt.LETTER, bt.LETTER]
