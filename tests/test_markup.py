"""Markup-made chrome labels: unjudged lines the HTML boxes as furniture become chrome, nothing else moves."""

from __future__ import annotations

import math

import numpy as np
from linesift.training.corpora import BOXED_RULE, _label_page
from linesift.training.markup import BOXED_SHARE, CLOSE, OPEN, box_shares, label_boxed
from linesift.training.source import SourcePage

# Written for this test: a page with a navigation bar, an article, a share bar, a newsletter box,
# an author box, a sidebar holding an article-like block, and a footer.
PAGE = """<html><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="topbar"><div class="story-body"><p>Ferries will sail every hour from May, the council said.</p></div></div>
<article>
<h1>Harbour ferries to run hourly</h1>
<p>Residents of the island will catch a ferry every hour from the first of May.</p>
<p>The operator said two new boats would join the fleet. <span class="share-label">Share this story</span></p>
<div class="social-share"><button>Facebook</button> <span>Copy the link</span></div>
<p>Tickets will cost the same as before, the council added.</p>
</article>
<div id="newsletter-box"><p>Sign up for our morning newsletter and never miss a story.</p></div>
<div class="author-bio"><p>Jo Example writes about transport and the coast.</p></div>
<footer><p>All rights reserved by the Harbour Gazette.</p></footer>
</body></html>"""


def _shares() -> dict[str, float]:
    from linesift.training.convert import html_to_lines

    lines = html_to_lines(PAGE, "html-text")
    return dict(zip(lines, box_shares(PAGE, lines, "html-text")))


def test_text_in_boxes_has_share_one_article_text_zero_and_mixed_lines_between():
    shares = _shares()
    assert shares["Home News"] == 1.0
    assert shares["Sign up for our morning newsletter and never miss a story."] == 1.0
    assert shares["Jo Example writes about transport and the coast."] == 1.0
    assert shares["All rights reserved by the Harbour Gazette."] == 1.0
    assert shares["Residents of the island will catch a ferry every hour from the first of May."] == 0.0
    assert shares["Harbour ferries to run hourly"] == 0.0
    mixed = next(share for line, share in shares.items() if line.startswith("The operator said"))
    assert 0.1 < mixed < 0.6  # "Share this story" is the boxed part of the line
    # The nearest classed element decides: a story block inside a "topbar" is not boxed.
    assert shares["Ferries will sail every hour from May, the council said."] == 0.0


def test_box_tags_box_their_whole_subtree_whatever_the_classes_inside():
    html = ('<html><body><footer><div class="article-content"><p>Company address line</p></div></footer>'
            '<p>Body text here, longer than the footer.</p></body></html>')
    lines = ["Company address line", "Body text here, longer than the footer."]
    assert list(box_shares(html, lines, "html-text")) == [1.0, 0.0]


def test_lines_that_do_not_match_back_and_pages_that_do_not_parse_are_nan():
    html = "<html><body><nav>Menu</nav><p>Story text.</p></body></html>"
    shares = box_shares(html, ["Menu", "A line the converter never made", "Story text."], "html-text")
    assert shares[0] == 1.0 and math.isnan(shares[1]) and shares[2] == 0.0
    assert np.isnan(box_shares("", ["anything"], "html-text")).all()


def test_sentinel_characters_in_the_page_itself_do_not_count_as_boxes():
    html = f"<html><body><p>{OPEN}Odd private-use text{CLOSE} in a paragraph.</p><nav>Menu</nav></body></html>"
    shares = box_shares(html, ["Odd private-use text in a paragraph.", "Menu"], "html-text")
    assert list(shares) == [0.0, 1.0]


def test_only_unknown_lines_at_or_over_the_share_become_chrome():
    labels = ["unknown", "unknown", "content", "chrome", "unknown", "unknown", "blank"]
    shares = np.array([1.0, BOXED_SHARE - 0.01, BOXED_SHARE - 0.01, 1.0, np.nan, BOXED_SHARE, 1.0])
    out, made = label_boxed(labels, shares)
    assert out == ["chrome", "unknown", "content", "chrome", "unknown", "chrome", "blank"] and made == 2
    assert labels[0] == "unknown"  # the caller's list is not changed


def test_a_page_whose_markup_boxes_a_judged_content_line_gets_no_markup_labels():
    labels = ["unknown", "content", "unknown"]
    assert label_boxed(labels, np.array([1.0, BOXED_SHARE, 1.0])) == (labels, 0)
    assert label_boxed(labels, np.array([1.0, BOXED_SHARE - 0.01, 1.0])) == (["chrome", "content", "chrome"], 2)


def test_snippet_page_build_makes_boxed_unjudged_lines_chrome_and_keeps_judged_and_article_lines():
    page = SourcePage("trafilatura-eval", "ferry", "https://t.example/ferry", PAGE, "",
                      with_snippets=("catch a ferry every hour",),
                      without_snippets=("All rights reserved by the Harbour Gazette",), snippets_only=True)
    reason, records, _, relabelled = _label_page((page, ("html-text",)))
    assert reason == ""
    labels = dict(zip(records[0]["text"].split("\n"), records[0]["labels"]))
    assert labels["Home News"] == labels["Sign up for our morning newsletter and never miss a story."] == "chrome"
    assert labels["Jo Example writes about transport and the coast."] == "chrome"
    assert labels["Residents of the island will catch a ferry every hour from the first of May."] == "content"
    assert labels["All rights reserved by the Harbour Gazette."] == "chrome"
    # Article text that no snippet judged stays unjudged; so does a line only partly boxed.
    assert labels["Tickets will cost the same as before, the council added."] == "unknown"
    assert next(lab for line, lab in labels.items() if line.startswith("The operator said")) == "unknown"
    made = sum(1 for line, lab in labels.items() if lab == "chrome") - 1  # the footer was judged by a snippet
    assert relabelled == {BOXED_RULE: made} and made >= 4
    # The same page where a snippet judges the author box content: its boxes are not trusted.
    trusted = SourcePage("trafilatura-eval", "ferry", "https://t.example/ferry", PAGE, "",
                         with_snippets=("catch a ferry every hour", "writes about transport"), snippets_only=True)
    reason, records, _, relabelled = _label_page((trusted, ("html-text",)))
    labels = dict(zip(records[0]["text"].split("\n"), records[0]["labels"]))
    assert labels["Home News"] == "unknown" and labels["Jo Example writes about transport and the coast."] == "content"
    assert relabelled == {}  # and the report lists no rule that changed nothing


def test_pages_with_a_full_reference_get_no_markup_labels():
    # The reference judges every line; a boxed line it calls content (the author box) stays content.
    reference = ("Harbour ferries to run hourly\nResidents of the island will catch a ferry every hour from the first "
                 "of May.\nTickets will cost the same as before, the council added.\n"
                 "Jo Example writes about transport and the coast.")
    page = SourcePage("wcxb", "ferry", "https://t.example/ferry", PAGE, reference)
    reason, records, _, relabelled = _label_page((page, ("html-text",)))
    assert reason == "" and records and BOXED_RULE not in relabelled
    labels = dict(zip(records[0]["text"].split("\n"), records[0]["labels"]))
    assert labels["Jo Example writes about transport and the coast."] == "content"
    assert "unknown" not in records[0]["labels"]
