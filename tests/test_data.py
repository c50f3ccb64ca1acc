"""Reading labelled data: both formats, validation errors naming file and line, site grouping."""

from __future__ import annotations

import json

import pytest
from linesift.model.errors import DataError
from linesift.training.data import data_digest, read_labelled, registered_domain


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_tsv_pages_markers_urls_and_blanks(tmp_path):
    f = write(tmp_path / "a.tsv", "### page https://www.bbc.co.uk/news/1\ncontent\tHeadline\n\nchrome\tShare\n"
                                  "### page https://news.example.com/x\nchrome\tMenu\ncontent\tBody text.\n")
    pages = read_labelled([f])
    assert [p.lines for p in pages] == [["Headline", "", "Share"], ["Menu", "Body text."]]
    assert [p.labels for p in pages] == [["content", "blank", "chrome"], ["chrome", "content"]]
    assert [p.site for p in pages] == ["bbc.co.uk", "example.com"]
    assert pages[0].source == f"{f}:1"


def test_jsonl_pages_and_whitespace_lines_become_blank(tmp_path):
    rec = {"text": "Title\n   \nBody.", "labels": ["content", "chrome", "content"], "url": "http://x.org/a"}
    f = write(tmp_path / "d.jsonl", json.dumps(rec) + "\n\n")
    (page,) = read_labelled([f])
    assert page.labels == ["content", "blank", "content"]
    assert page.site == "x.org"
    assert page.content_text() == "Title\n\nBody."


@pytest.mark.parametrize(
    "record, message",
    [
        ({"text": "a\nb", "labels": ["content"]}, "1 labels for 2 lines"),
        ({"text": "a", "labels": ["boilerplate"]}, "label 1 is 'boilerplate'"),
        ({"text": 5, "labels": []}, "no string field 'text'"),
        ({"text": "a", "labels": "content"}, "no list field 'labels'"),
        ({"text": "a", "labels": ["blank"]}, "has text but is labelled blank"),
        ({"text": "a", "labels": ["content"], "url": 3}, "field 'url' must be a string"),
        ({"text": "a", "labels": ["content"], "site": 3}, "field 'site' must be a string"),
        ({"text": "a", "labels": ["content"], "corpus": 3}, "field 'corpus' must be a string"),
        ({"text": "a", "labels": ["content"], "id": 3}, "field 'id' must be a string"),
        ({"text": "a", "labels": ["content"], "language": 3}, "field 'language' must be a string"),
        ({"text": "a", "labels": ["content"], "converter": 3}, "field 'converter' must be a string"),
        ({"text": "a", "labels": ["content"], "with": ["ok", 3]}, "field 'with' must be a list of strings"),
        ({"text": "a", "labels": ["content"], "without": ["ok", 3]}, "field 'without' must be a list of strings"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_jsonl_errors_name_file_and_line(tmp_path, record, message):
    good = json.dumps({"text": "a", "labels": ["content"]})
    f = write(tmp_path / "bad.jsonl", good + "\n" + json.dumps(record) + "\n")
    with pytest.raises(DataError) as err:
        read_labelled([f])
    assert f"{f}:2:" in str(err.value)
    assert message in str(err.value)


def test_jsonl_broken_line(tmp_path):
    f = write(tmp_path / "bad.jsonl", '{"text": "a", "labels": ["content"]}\n{"text": "a", "lab\n')
    with pytest.raises(DataError, match=r"bad.jsonl:2: not valid JSON"):
        read_labelled([f])


def test_tsv_bad_label_names_line(tmp_path):
    f = write(tmp_path / "bad.tsv", "content\tok\nnonsense\tline\n")
    with pytest.raises(DataError, match=r"bad.tsv:2: expected 'content', 'chrome', 'unknown' or 'blank'"):
        read_labelled([f])


def test_missing_and_wrong_suffix(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_labelled([tmp_path / "nope.jsonl"])
    with pytest.raises(DataError, match="must be .jsonl or .tsv"):
        read_labelled([write(tmp_path / "x.csv", "a")])


@pytest.mark.parametrize("url, site", [
    ("https://www.example.com/a", "example.com"),
    ("http://news.bbc.co.uk/1", "bbc.co.uk"),
    ("https://a.b.example.org:8080/x", "example.org"),
    ("example.net/page", "example.net"),
    # Country-code domains, with and without a second-level label (pins for site grouping).
    ("https://www.lemonde.fr/x", "lemonde.fr"),
    ("http://www.abc.net.au/news", "abc.net.au"),
    ("http://example.com.br/a", "example.com.br"),
    ("https://blog.example.co.jp/p", "example.co.jp"),
    ("https://edition.cnn.com/2024/x", "cnn.com"),
    ("https://www.gov.uk/guidance", "gov.uk"),  # www dropped before the second-level rule
    ("", ""),  # no host, no site
    ("http:///path", ""),
])
def test_registered_domain(url, site):
    assert registered_domain(url) == site


def test_digest_ignores_order_but_not_labels(sample_pages):
    pages = list(sample_pages)
    assert data_digest(pages) == data_digest(list(reversed(pages)))
    from dataclasses import replace

    flipped = replace(pages[0], labels=["chrome" if l == "content" else l for l in pages[0].labels])
    assert data_digest([flipped] + pages[1:]) != data_digest(pages)


def test_samples_cover_four_kinds_of_site(sample_pages):
    assert {p.corpus for p in sample_pages} == {"news", "blog", "shop", "forum"}
    assert len({p.site for p in sample_pages}) == len(sample_pages)


def test_sites_subset_keeps_or_drops_whole_sites_and_is_fixed(tmp_path):
    import json as _json

    from linesift.training.data import sites_subset

    f = tmp_path / "many.jsonl"
    f.write_text("".join(_json.dumps({"text": "x", "labels": ["content"], "site": f"s{i % 200}.example"}) + "\n"
                         for i in range(1000)))
    pages = read_labelled([f])
    half = sites_subset(pages, 0.5)
    assert half == sites_subset(pages, 0.5)  # the same choice every time
    kept = {p.site for p in half}
    assert all((p.site in kept) == (p in half) for p in pages)  # a site is all in or all out
    assert 70 < len(kept) < 130  # about half of the 200 sites
    assert sites_subset(pages, 1.0) == pages and sites_subset(pages, 0.0) == []


def test_recipes_round_trip_through_their_dict_form():
    from linesift.training.recipe import RECIPES, Recipe

    for recipe in RECIPES.values():
        assert Recipe.from_dict(recipe.as_dict()) == recipe


def test_a_recipe_sets_the_neighbour_copies_and_an_old_recipe_gets_the_default():
    from linesift.model.featuriser import NEIGHBOURS
    from linesift.training.recipe import Recipe, get_recipe
    from linesift.training.train import build_pipeline

    lean = get_recipe("bundled").but(neighbours=(-1, 1))
    featuriser = build_pipeline(lean)[0]
    assert featuriser.neighbours == (-1, 1)
    old = {k: v for k, v in get_recipe("bundled").as_dict().items() if k != "neighbours"}  # saved before the field
    assert Recipe.from_dict(old).neighbours == NEIGHBOURS == build_pipeline(get_recipe("bundled"))[0].neighbours


def test_training_time_estimate_counts_the_recipes_columns(sample_pages):
    """`train` prints an estimate before a long run: it must follow the columns the recipe makes."""
    import numpy as np
    from linesift.training.recipe import get_recipe
    from linesift.training.train import build_pipeline, expected_seconds, line_targets

    bundled, full = get_recipe("bundled"), get_recipe("bundled").but(neighbour_features=None)
    lean, wide = build_pipeline(bundled)[0], build_pipeline(full)[0]
    fitted = build_pipeline(bundled)[0].fit([p.lines for p in sample_pages], line_targets(sample_pages))
    assert lean.output_names() == list(fitted.feature_names_)
    assert len(wide.output_names()) > 2 * len(lean.output_names())
    ratio = expected_seconds(full, 10**6) / expected_seconds(bundled, 10**6)
    assert np.isclose(ratio, len(wide.output_names()) / len(lean.output_names()))
    assert np.isclose(expected_seconds(bundled, 2 * 10**6, cross_validation=False) * bundled.folds,
                      expected_seconds(bundled, 2 * 10**6))
    # by hand: fits (the folds' and the final one) x million lines x columns x seconds per million lines and column
    from linesift.training.train import FIT_SECONDS_PER_MILLION_LINES_AND_COLUMN as PER
    from linesift.training.train import LOGREG_SECONDS_PER_MILLION_LINES
    assert np.isclose(expected_seconds(bundled, 2 * 10**6), bundled.folds * 2 * len(lean.output_names()) * PER["two-stage"])
    hgb = get_recipe("hgb")
    columns = len(build_pipeline(hgb)[0].output_names())
    assert np.isclose(expected_seconds(hgb, 5 * 10**5, cross_validation=False), 0.5 * columns * PER["hgb"])
    logreg = get_recipe("logreg")
    assert np.isclose(expected_seconds(logreg, 2 * 10**6), logreg.folds * 2 * LOGREG_SECONDS_PER_MILLION_LINES)


def test_pages_without_a_site_or_url_are_their_own_site_and_corpora_come_from_the_file_name(tmp_path):
    f = write(tmp_path / "wcxb.part-1.jsonl", json.dumps({"text": "a", "labels": ["content"]}) + "\n"
              + json.dumps({"text": "b", "labels": ["chrome"], "corpus": "mine", "url": "https://www.gov.uk/x"}) + "\n")
    plain, named = read_labelled([f])
    assert (plain.site, plain.url, plain.corpus, plain.meta) == ("wcxb.part-1.jsonl:1", "", "wcxb", {})
    assert (named.site, named.url, named.corpus) == ("gov.uk", "https://www.gov.uk/x", "mine")
    t = write(tmp_path / "hand.tsv", "content\tHeadline\n")
    (page,) = read_labelled([t])
    assert (page.site, page.url, page.source) == ("hand.tsv:1", "", f"{t}:1")  # no page marker: line 1


def test_label_errors_whole(tmp_path):
    f = write(tmp_path / "bad.jsonl", json.dumps({"text": "a\nb", "labels": ["content", "other"]}) + "\n"
              + json.dumps({"text": "a\nb", "labels": ["content", "blank"]}) + "\n")
    with pytest.raises(DataError) as err:
        read_labelled([f])
    assert str(err.value) == f"{f}:1: label 2 is 'other'; expected one of content, chrome, blank, unknown"
    f.write_text(f.read_text().split("\n", 1)[1], encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_labelled([f])
    assert str(err.value) == f"{f}:1: line 2 has text but is labelled blank"


def test_tsv_comments_blank_labels_and_long_bad_rows(tmp_path):
    f = write(tmp_path / "a.tsv", "# a note\ncontent\tBody.\n#x\tnot a comment: it has a tab\n")
    with pytest.raises(DataError) as err:
        read_labelled([f])
    assert str(err.value).startswith(f"{f}:3: expected 'content', 'chrome', 'unknown' or 'blank', a tab, then the line")
    write(f, "content\tBody.\nblank\tsome text\n")
    with pytest.raises(DataError) as err:
        read_labelled([f])
    assert str(err.value) == f"{f}:2: line has text but is labelled blank"
    write(f, "x" * 60 + "\n")
    with pytest.raises(DataError) as err:
        read_labelled([f])
    assert str(err.value).endswith(f"a tab, then the line; got {'x' * 40!r}")


def test_file_errors_whole(tmp_path):
    from linesift.model.errors import NotTextError
    from linesift.training.data import _read_text

    (tmp_path / "empty").mkdir()
    for path, message in [(tmp_path / "empty", "no .jsonl or .tsv files in this directory"),
                          (write(tmp_path / "x.csv", "a"), "labelled data must be .jsonl or .tsv"),
                          (write(tmp_path / "none.jsonl", "\n\n"), None)]:
        with pytest.raises(DataError) as err:
            read_labelled([path])
        assert str(err.value) == (f"{path}: {message}" if message else "no labelled pages in the given data")
    with pytest.raises(DataError) as err:
        _read_text(tmp_path / "empty")  # a folder where a file was expected
    assert str(err.value) == f"{tmp_path / 'empty'}: cannot read (Is a directory)"
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(NotTextError) as err:
        read_labelled([binary])
    assert str(err.value).startswith(f"{binary}: not a text file")


def test_count_labels_and_masks():
    from linesift.training.data import LabelledPage, count_labels

    a = LabelledPage(["A", "", "B", "C"], ["content", "blank", "chrome", "unknown"], "s", "x.org", "c")
    b = LabelledPage(["D"], ["content"], "s", "y.org", "c")
    assert count_labels([a, b]) == {"content": 2, "chrome": 1, "blank": 1, "unknown": 1}
    assert count_labels([]) == {"content": 0, "chrome": 0, "blank": 0, "unknown": 0}
    assert a.content_mask().tolist() == [True, False, False] and a.judged_mask().tolist() == [True, True, False]
    blank = LabelledPage(["", " "], ["blank", "blank"], "s", "z.org", "c")
    assert blank.content_mask().dtype == bool and blank.judged_mask().dtype == bool  # masks index arrays


def test_page_digest_is_labels_and_lines_and_takes_lone_surrogates():
    import hashlib

    from linesift.training.data import LabelledPage

    page = LabelledPage(["A", ""], ["content", "blank"], "s", "x.org", "c")
    assert page.digest() == hashlib.sha256(b"content\tA\nblank\t\n").hexdigest()  # the format data digests use
    odd = LabelledPage(["\udc80"], ["chrome"], "s", "x.org", "c")  # a lone surrogate, as surrogateescape gives
    assert odd.digest() == hashlib.sha256(b"chrome\t\xed\xb2\x80\n").hexdigest()
