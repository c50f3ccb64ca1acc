"""Corpus builders: alignment rules on hand-made cases, conversion, and a small real build."""

from __future__ import annotations

import json

import pytest
from linesift.training.align import align, put_back_headline, squash
from linesift.training.corpora import DRAGNET_COMMENTS, cleaneval_gold

from .conftest import needs_shared

REFERENCE = """Island ferry to run hourly
Residents of Gullholm will be able to catch a ferry every hour from May, councillors decided.
Home
The change ends a timetable with gaps of up to three hours."""


def test_long_lines_match_in_order_and_short_chrome_never_by_accident():
    lines = ["Home", "Island ferry to run hourly", "", "Share",
             "Residents of Gullholm will be able to catch a ferry every hour from May, councillors decided.",
             "Home", "The change ends a timetable with gaps of up to three hours.", "Home", "Related"]
    result = align(lines, REFERENCE)
    assert result.labels == ["chrome", "content", "blank", "chrome", "content", "content", "content", "chrome", "chrome"]
    assert result.recovered == pytest.approx(1.0)


def test_lost_spaces_and_punctuation_are_tolerated():
    reference = "Residentsof Gullholm willbe able to catch aferry every hour from May,councillors decided"
    lines = ["Residents of Gullholm will be able to catch a ferry every hour from May, councillors decided."]
    assert align(lines, reference).labels == ["content"]


def test_partial_recovery_is_measured():
    reference = "A first long paragraph that is in the page text. A second long paragraph the converter lost."
    result = align(["A first long paragraph that is in the page text."], reference)
    assert result.labels == ["content"]
    assert 0.4 < result.recovered < 0.6


def test_ascii_only_matches_question_marked_references():
    # L3S-GN1 replaced non-ASCII characters by '?' in its references.
    reference = "Caf? owners in Z?rich protest the new rules about outdoor seating."
    line = "Café owners in Zürich protest the new rules about outdoor seating."
    assert align([line], reference, ascii_only=True).labels == ["content"]
    assert squash("Zürich", ascii_only=True) == squash("Z?rich", ascii_only=True)


def test_headline_the_reference_leaves_out_is_put_back_above_the_article():
    lines = ["Island ferry to run hourly | Gullholm News", "Home", "Island ferry to run hourly", "By A. Writer",
             "Residents of Gullholm will be able to catch a ferry every hour from May.", "Island ferry to run hourly"]
    labels = ["chrome", "chrome", "chrome", "chrome", "content", "chrome"]
    title = "Island ferry to run hourly | Gullholm News"
    # the nearest repeat above the article, not the <title> line, not a repeat below it
    assert put_back_headline(lines, labels, title) == ["chrome", "chrome", "content", "chrome", "content", "chrome"]
    # a line holding under HEADLINE_SHARE of the title ("Home" in "Home page of X") is no headline
    assert put_back_headline(["Home", "A long article line that is content."], ["chrome", "content"],
                             "Home page of the island ferry timetable") == ["chrome", "content"]
    assert put_back_headline(lines, labels, "") == labels
    assert put_back_headline(lines, ["chrome"] * 6, title) == ["chrome"] * 6  # no article: nothing to anchor


def test_the_builder_puts_back_a_pages_headline_and_readability_reads_its_title(tmp_path):
    from linesift.model.errors import DataError
    from linesift.training.corpora import _label_page, _readability_title
    from linesift.training.source import SourcePage

    body = ("Residents of Gullholm will be able to catch a ferry every hour from May, councillors decided. " * 4).strip()
    html = f"<html><body><nav>Home</nav><h1>Island ferry to run hourly</h1><p>{body}</p></body></html>"
    page = SourcePage("readability", "p1", "", html, body, headline="Island ferry to run hourly | News")
    reason, records, _, _ = _label_page((page, ("html-text",)))
    assert reason == "" and len(records) == 1
    labelled = dict(zip(records[0]["text"].split("\n"), records[0]["labels"]))
    assert labelled["Island ferry to run hourly"] == "content" and labelled["Home"] == "chrome"
    without = _label_page((SourcePage("readability", "p1", "", html, body), ("html-text",)))[1][0]
    assert dict(zip(without["text"].split("\n"), without["labels"]))["Island ferry to run hourly"] == "chrome"

    folder = tmp_path / "readability" / "p1"
    folder.mkdir(parents=True)
    (folder / "source.html").write_text(html, encoding="utf-8")
    (folder / "expected.html").write_text(f"<div><p>{body}</p></div>", encoding="utf-8")
    (folder / "expected-metadata.json").write_text('{"title": "Island ferry to run hourly | News"}', encoding="utf-8")
    from linesift.training.corpora import read_readability
    assert [p.headline for p in read_readability(tmp_path / "readability")] == ["Island ferry to run hourly | News"]

    meta = tmp_path / "expected-metadata.json"
    assert _readability_title(meta) == ""  # no metadata file: no headline
    meta.write_text('{"title": "Island ferry to run hourly | News", "byline": null}', encoding="utf-8")
    assert _readability_title(meta) == "Island ferry to run hourly | News"
    meta.write_text('{"title": null}', encoding="utf-8")
    assert _readability_title(meta) == ""
    meta.write_text('{"title": "Island ferry', encoding="utf-8")
    with pytest.raises(DataError, match="not valid UTF-8 JSON"):
        _readability_title(meta)


@pytest.mark.parametrize("lead", ["", "\n", "\r\n \n"])
def test_cleaneval_gold_url_line_is_the_pages_url_not_its_text(lead):
    url, reference = cleaneval_gold(f"{lead}URL: http://news.example.co.uk/business-1\n<h>Ferry to run hourly\n<p>Residents &amp; staff.")
    assert url == "http://news.example.co.uk/business-1"
    assert "example" not in reference and "URL" not in reference  # no "UK" or "Business" to align menus with
    assert reference.split() == ["Ferry", "to", "run", "hourly", "Residents", "&", "staff."]
    assert cleaneval_gold("\n<p>No URL here.") == ("", "No URL here.")


@pytest.mark.parametrize("marker", ["!@#$%^&*()  COMMENTS", "!@#$%^&*() COMMENTS", "@#$%^&*() COMMENTS", "!@#$%^&**()  COMMENTS"])
def test_dragnet_comment_marker_variants(marker):
    assert DRAGNET_COMMENTS.split(f"Body text.\n\n{marker}\nA comment.", maxsplit=1)[0].strip() == "Body text."


@pytest.mark.parametrize("corpus", ["l3s-gn1", "dragnet", "cleaneval", "cleanportaleval", "readability", "wcxb",
                                    "fundus", "googletrends-2017", "chinese-wce", "htmltotext-benchmark"])
def test_small_real_build_has_good_alignment(tmp_path, corpus):
    from linesift.training.corpora import build
    from linesift.training.data import read_labelled

    root = needs_shared("corpora")
    report = build(corpus, root, tmp_path / f"{corpus}.jsonl", jobs=1, limit=25).summary()
    assert report["pages_read"] == 25
    assert report["pages_kept"] >= 20
    assert report["recovery_median"] > 0.9
    assert 0.02 < report["content_share"] < 0.8
    pages = read_labelled([tmp_path / f"{corpus}.jsonl"])  # the output is valid labelled data
    assert {p.corpus for p in pages} == {corpus}
    assert all(json.loads(line)["converter"] in ("html-text", "resiliparse")
               for line in (tmp_path / f"{corpus}.jsonl").read_text().splitlines())


def test_small_real_snippet_build_judges_few_lines(tmp_path):
    from linesift.training.corpora import build
    from linesift.training.data import read_labelled

    root = needs_shared("corpora")
    from linesift.training.corpora import BOXED_RULE

    report = build("trafilatura-eval", root, tmp_path / "t.jsonl", jobs=1, limit=25).summary()
    assert report["pages_kept"] >= 20
    # Snippets judge a few lines a page, the markup boxes a share of the rest as chrome; many stay unjudged.
    assert report["unknown_share"] > 0.2 and report["relabelled_to_chrome"][BOXED_RULE] > 0.2 * report["lines"]
    pages = read_labelled([tmp_path / "t.jsonl"])
    assert all(p.snippets[0] and not p.fully_judged for p in pages)


def test_html_language_is_the_html_tags_primary_subtag():
    from linesift.training.modern import html_language

    assert html_language('<!DOCTYPE html><html\nlang=de-DE><head>') == "de"
    assert html_language('<html class="x" lang="pt-BR" dir="ltr">') == "pt"
    assert html_language("<HTML LANG='EN'>") == "en"
    assert html_language('<html class="no-js"><body lang="fr">') == ""  # only the <html> tag counts
    assert html_language("<p>no html tag</p>") == ""
