"""The HTML pages in a real headless browser (Debian's chromium and chromium-driver; skipped with the
reason where they cannot be had): they load without console errors, show every line with its label,
and the threshold slider relabels lines exactly as the scores say."""

from __future__ import annotations

import pytest
from linesift.model.predictor import Predictor
from linesift.training.data import read_labelled
from linesift.training.review import read_review_pages

from .conftest import EXAMPLE, SAMPLES
from .test_review import HOSTILE

LINES_JS = """return Array.from(document.querySelectorAll('#lines .line:not(.head)'), (e) =>
  [e.querySelector('.text').textContent, e.dataset.label, e.dataset.truth || null, e.offsetParent !== null]);"""
SUMMARY_JS = "return Number(document.getElementById('summary').dataset.contentLines);"


@pytest.fixture(scope="module")
def browser():
    from linesift.training.browser import BrowserMissing, headless_chromium

    try:
        with headless_chromium() as driver:
            yield driver
    except BrowserMissing as exc:
        pytest.skip(f"no headless browser: {exc.reason}")


def open_page(driver, path):
    from linesift.training.browser import console_errors

    driver.get(path.resolve().as_uri())
    assert console_errors(driver) == []


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """A review of the labelled example page, our samples and a page of hostile markup, with the bundled model."""
    folder = tmp_path_factory.mktemp("review")
    hostile = folder / "hostile.txt"
    hostile.write_text(f"Title\n\n{HOSTILE}\n", encoding="utf-8")
    inputs = [EXAMPLE / "northvalley-library.labels.tsv", SAMPLES, hostile]
    out = folder / "review.html"
    code = run_cli("review", *map(str, inputs), "--out", str(out))
    assert code == 0
    pages = read_review_pages(inputs)
    results = Predictor.load().predict_pages([p.lines for p in pages])
    return out, pages, results


def run_cli(*argv) -> int:
    from linesift.training.cli import main

    return main(list(argv))


def content_lines(results, threshold: float) -> int:
    return sum(s >= threshold for r in results for s, l in zip(r.scores, r.labels) if l != "blank")


def test_review_shows_every_line_with_its_label_and_truth(browser, reviewed):
    out, pages, results = reviewed
    open_page(browser, out)
    assert browser.title.startswith("linesift review")  # the hostile page's script never ran
    for i, (page, result) in enumerate(zip(pages, results)):
        browser.execute_script(f"window.linesiftReview.showPage({i})")
        shown = browser.execute_script(LINES_JS)
        assert [text for text, *_ in shown] == page.lines
        assert [label for _, label, *_ in shown] == result.labels
        assert [truth for _, _, truth, _ in shown] == (page.truth or [None] * len(page.lines))
        assert browser.find_element("id", "page-title").text == page.name
    # The summary counts the lines the bundled model's own rule keeps (the slider's start).
    assert browser.execute_script(SUMMARY_JS) == sum(r.labels.count("content") for r in results)


def test_slider_relabels_as_the_scores_say(browser, reviewed):
    from selenium.webdriver.common.keys import Keys

    out, pages, results = reviewed
    open_page(browser, out)
    threshold = Predictor.load().threshold
    assert browser.execute_script(SUMMARY_JS) == sum(r.labels.count("content") for r in results)
    slider = browser.find_element("id", "threshold")
    slider.send_keys(*[Keys.ARROW_RIGHT] * 20)  # a person stepping it by 0.01 twenty times
    moved = round(threshold + 0.20, 2)
    assert browser.find_element("id", "threshold-value").text == f"{moved:.2f}"
    assert browser.execute_script(SUMMARY_JS) == content_lines(results, moved)
    for value in (0.0, 0.05, 0.5, 0.97, 1.0):
        browser.execute_script("const s = document.getElementById('threshold'); s.value = arguments[0];"
                               "s.dispatchEvent(new Event('input'));", value)
        assert browser.execute_script(SUMMARY_JS) == content_lines(results, value), value
        page_labels = [label for _, label, *_ in browser.execute_script(LINES_JS)]
        assert page_labels.count("content") == content_lines(results[:1], value)
    assert content_lines(results, 0.05) > content_lines(results, 0.97)  # the sweep did move lines


def test_wrong_only_and_search(browser, reviewed):
    out, pages, results = reviewed
    open_page(browser, out)
    first = pages[0]
    wrong = sum(t in ("content", "chrome") and t != p for t, p in zip(first.truth, results[0].labels))
    browser.find_element("id", "wrong-only").click()
    visible = [row for row in browser.execute_script(LINES_JS) if row[3]]
    assert len(visible) == wrong
    assert all(row[1] != row[2] for row in visible)
    needle = pages[3].name
    browser.find_element("id", "search").send_keys(needle)
    expected = [p.name for p in pages if needle.lower() in "\n".join([p.name, *p.lines]).lower()]
    items = browser.find_elements("css selector", "#page-list li")
    assert [li.text.splitlines()[0] for li in items] == expected and len(expected) < len(pages)
    items[-1].click()
    assert browser.find_element("id", "page-title").text == expected[-1]


def test_evaluate_report_has_its_plots_and_opens_worst_pages(browser, tmp_path):
    out = tmp_path / "report.html"
    assert run_cli("evaluate", str(SAMPLES), "--html", str(out), "--worst", "3") == 0
    open_page(browser, out)
    for plot in ("plot-threshold", "plot-scores"):
        box = browser.execute_script(f"return document.getElementById('{plot}').getBoundingClientRect().toJSON()")
        assert box["width"] > 300 and box["height"] > 150
    assert len(browser.find_elements("css selector", "#plot-threshold path")) > 5
    buttons = browser.find_elements("css selector", "#worst-pages button")
    assert len(buttons) == 3
    labelled = read_labelled([SAMPLES])
    buttons[2].click()
    shown = browser.execute_script(LINES_JS)
    title = browser.find_element("id", "page-title").text
    page = next(p for p in labelled if (p.meta.get("id") or p.url or p.source) == title)
    assert [text for text, *_ in shown] == page.lines
    assert [truth for _, _, truth, _ in shown] == page.labels


def test_a_line_scoring_exactly_the_threshold_is_content(browser, tmp_path):
    from linesift.model.predictor import PageResult
    from linesift.training.review import ReviewPage, review_html

    lines = ["at", "below", "", "above"]
    result = PageResult(lines, ["content", "chrome", "blank", "content"], [0.5, 0.4999, 0.0, 0.51])
    predictor = Predictor.__new__(Predictor)
    predictor.threshold, predictor.decoding = 0.5, None
    out = tmp_path / "edge.html"
    out.write_text(review_html([ReviewPage("edge", "edge", lines)], [result], predictor, "edge"), encoding="utf-8")
    open_page(browser, out)
    assert [label for _, label, *_ in browser.execute_script(LINES_JS)] == ["content", "chrome", "blank", "content"]
    browser.execute_script("const s = document.getElementById('threshold'); s.value = 0.51; s.dispatchEvent(new Event('input'));")
    assert [label for _, label, *_ in browser.execute_script(LINES_JS)] == ["chrome", "chrome", "blank", "content"]
    assert browser.execute_script(SUMMARY_JS) == 1


def test_page_list_counts_follow_the_threshold(browser, reviewed):
    out, pages, results = reviewed
    open_page(browser, out)
    for value in (0.2, 0.43, 0.77):
        browser.execute_script("const s = document.getElementById('threshold'); s.value = arguments[0];"
                               "s.dispatchEvent(new Event('input'));", value)
        shown = browser.execute_script("return Array.from(document.querySelectorAll('#page-list li small'), (e) => e.textContent)")
        expected = []
        for page, result in zip(pages, results):
            scored = [(s, t) for s, l, t in zip(result.scores, result.labels, page.truth or [None] * len(page.lines)) if l != "blank"]
            content = sum(s >= value for s, _ in scored)
            unsure = sum(value - 0.1 < s < value + 0.1 for s, _ in scored)
            wrong = sum((t == "content" and s < value) or (t == "chrome" and s >= value) for s, t in scored)
            expected.append(f"{content} of {len(scored)} lines content, {unsure} unsure, {wrong} wrong")
        assert shown == expected, value


def test_page_decoding_cuts_each_page_until_the_slider_moves(browser, tmp_path):
    from linesift.model.decode import PageDecoding
    from linesift.model.predictor import PageResult
    from linesift.training.review import ReviewPage, review_html

    lines = ["a", "b", "c"]
    # Page decoding cut the first page at 0.35 and the second at 0.7: the same scores, other labels.
    results = [PageResult(lines, ["content", "content", "chrome"], [0.6, 0.35, 0.2]),
               PageResult(lines, ["chrome", "content", "chrome"], [0.6, 0.7, 0.2])]
    predictor = Predictor.__new__(Predictor)
    predictor.threshold, predictor.decoding = 0.5, PageDecoding(0.8, 0.5)
    out = tmp_path / "cuts.html"
    out.write_text(review_html([ReviewPage(f"p{i}", f"p{i}", lines) for i in range(2)], results, predictor, "cuts"),
                   encoding="utf-8")
    open_page(browser, out)
    for i, result in enumerate(results):
        browser.execute_script(f"window.linesiftReview.showPage({i})")
        assert [label for _, label, *_ in browser.execute_script(LINES_JS)] == result.labels
    assert browser.execute_script(SUMMARY_JS) == 3
    assert browser.find_element("id", "threshold-value").text == "per page"
    browser.execute_script("const s = document.getElementById('threshold'); s.value = 0.3; s.dispatchEvent(new Event('input'));")
    assert browser.execute_script(SUMMARY_JS) == 4  # one threshold for both pages now
    assert [label for _, label, *_ in browser.execute_script(LINES_JS)] == ["content", "content", "chrome"]
    browser.find_element("id", "reset").click()
    assert browser.find_element("id", "threshold-value").text == "per page"
    assert [label for _, label, *_ in browser.execute_script(LINES_JS)] == results[1].labels
