"""Partial labels: ``unknown`` lines are context, never targets; snippets label and score pages."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from linesift.training.data import read_labelled
from linesift.training.evaluate import score_labels
from linesift.training.metrics import snippet_counts, snippet_metric
from linesift.training.snippets import label_by_snippets
from linesift.training.train import best_threshold, line_weights


def _jsonl(path, *records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_unknown_reads_from_both_formats(tmp_path):
    tsv = tmp_path / "a.tsv"
    tsv.write_text("### page https://a.example/x\nunknown\tMenu\ncontent\tA sentence.\n")
    jsonl = _jsonl(tmp_path / "b.jsonl", {"text": "Menu\nA sentence.", "labels": ["unknown", "content"],
                                          "with": ["A sentence."], "without": ["Menu"], "language": "de"})
    a, b = read_labelled([tsv, jsonl])
    assert a.labels == b.labels == ["unknown", "content"]
    assert a.judged_mask().tolist() == [False, True] and not a.fully_judged
    assert b.snippets == (["A sentence."], ["Menu"]) and b.meta["language"] == "de"


def test_snippet_fields_must_be_lists_of_strings(tmp_path):
    f = _jsonl(tmp_path / "bad.jsonl", {"text": "x", "labels": ["content"], "with": "x"})
    with pytest.raises(Exception, match=r"bad.jsonl:1: field 'with' must be a list of strings"):
        read_labelled([f])


def test_unknown_lines_weigh_nothing_and_corpus_weights_apply(tmp_path):
    f = _jsonl(tmp_path / "c.jsonl",
               {"text": "A\n\nB\nC", "labels": ["unknown", "blank", "content", "chrome"], "corpus": "x"},
               {"text": "D\nE", "labels": ["content", "unknown"], "corpus": "y"})
    pages = read_labelled([f])
    assert line_weights(pages, {"x": 0.5}).tolist() == [0.0, 0.5, 0.5, 1.0, 0.0]


def test_page_balance_weighs_long_pages_less_and_keeps_each_corpus_total(tmp_path):
    def page(judged, corpus, unknown=0):
        labels = ["content", "chrome"] * (judged // 2) + ["unknown"] * unknown
        return {"text": "\n".join(f"line {i}" for i in range(len(labels))), "labels": labels, "corpus": corpus}

    pages = read_labelled([_jsonl(tmp_path / "e.jsonl", page(10, "x"), page(80, "x", unknown=1), page(40, "y"))])
    w = line_weights(pages, {"y": 0.5}, page_balance=1.0)
    a, b, c = np.split(w, [10, 91])
    # x: factors 1 and 20/80 (the unknown line not counted), times 90 / (10 + 20) to keep x's 90.
    assert np.allclose(a, 3.0) and np.allclose(b[:80], 0.75) and b[80] == 0.0
    assert np.allclose(c, 0.5)  # y alone: 20/40, rescaled back to 1, times its corpus weight
    assert a.sum() + b.sum() == pytest.approx(90) and c.sum() == pytest.approx(20)
    assert np.array_equal(line_weights(pages, {"y": 0.5}), line_weights(pages, {"y": 0.5}, page_balance=0.0))


def test_language_balance_weighs_a_corpus_few_languages_up_and_keeps_each_corpus_total(tmp_path):
    def page(corpus, language, judged=4):
        labels = ["content", "chrome"] * (judged // 2)
        return {"text": "\n".join(f"line {i}" for i in range(len(labels))), "labels": labels, "corpus": corpus,
                "language": language}

    # x: four German pages and one Japanese; y: one language only.
    records = [page("x", "de") for _ in range(4)] + [page("x", "ja"), page("y", "en", judged=6)]
    pages = read_labelled([_jsonl(tmp_path / "l.jsonl", *records)])
    w = np.split(line_weights(pages, {"y": 0.5}, language_balance=0.5), np.cumsum([4] * 5))
    # ja: (4 / 1) ** 0.5 = 2 against de's 1, rescaled so that x keeps its 20: de 20/24 each line, ja 40/24.
    assert all(np.allclose(part, 20 / 24) for part in w[:4]) and np.allclose(w[4], 40 / 24)
    assert sum(part.sum() for part in w[:5]) == pytest.approx(20)
    assert np.allclose(w[5], 0.5)  # y alone: its one language keeps factor 1, times its corpus weight
    # Off by default; with page balance too, both keep the corpus total.
    assert np.array_equal(line_weights(pages, {"y": 0.5}), line_weights(pages, {"y": 0.5}, language_balance=0.0))
    both = line_weights(pages, None, page_balance=1.0, language_balance=1.0)
    assert both[:20].sum() == pytest.approx(20) and both[16:20].sum() / both[:4].sum() == pytest.approx(4.0)


def test_threshold_ignores_zero_weight_lines():
    y = np.array([1, 0, 0])
    scores = np.array([0.9, 0.5, 0.4])
    # With every line counted, the chrome line at 0.5 pushes the threshold above it...
    assert best_threshold(y, scores) == pytest.approx(0.51)
    # ...unjudged (weight 0), it must not.
    assert best_threshold(y, scores, weights=np.array([1, 0, 1.0])) == pytest.approx(0.41)


def test_line_metrics_skip_unknown_and_page_metric_skips_partial_pages(tmp_path):
    f = _jsonl(tmp_path / "d.jsonl",
               {"text": "Title here\nMenu item\nBody sentence one.", "labels": ["content", "unknown", "content"]},
               {"text": "Full title\nNav\nThe body of it.", "labels": ["content", "chrome", "content"]})
    pages = read_labelled([f])
    predicted = [["content", "content", "chrome"], ["content", "content", "content"]]
    report = score_labels(pages, predicted, worst=0)
    c = report.lines
    # Page 1: unknown line not counted; 1 tp, 1 fn. Page 2: 2 tp, 1 fp.
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 1, 1, 0)
    assert report.page.pages == 1  # only the fully judged page has a true content text



def test_report_shows_a_dash_not_zero_where_nothing_was_judged(tmp_path):
    """A snippet-only file has no page with known content: its page F1 is undefined, not 0.000."""
    from linesift.training.evaluate import format_report

    f = _jsonl(tmp_path / "s.jsonl", {"text": "Menu\nA sentence here.", "labels": ["unknown", "unknown"],
                                      "with": ["A sentence here."], "without": ["Menu"]})
    text = format_report(score_labels(read_labelled([f]), [["chrome", "content"]], worst=0).as_dict())
    assert "lines      -  (no judged line" in text and "page       -  (no page has every line judged" in text
    assert "snippets   precision 1.000  recall 1.000  F1 1.000" in text
    g = _jsonl(tmp_path / "j.jsonl", {"text": "Menu\nA sentence here.", "labels": ["chrome", "content"]})
    text = format_report(score_labels(read_labelled([g]), [["chrome", "content"]], worst=0).as_dict())
    assert "lines      precision 1.000  recall 1.000  F1 1.000" in text and "page       precision 1.000" in text

def test_snippet_metric_hand_computed():
    out = "Headline\nThe first sentence\nruns over two lines.\nShare this"
    assert snippet_counts(out, ["first sentence runs over", "missing text"], ["Share this", "Cookies"]) == (1, 1, 1, 1)
    # uneven counts, so that swapping "found" and "not found" shows
    out = "One two three.\nFour five six."
    assert snippet_counts(out, ["two three", "three. Four", "absent"], ["six.", "nope", "never"]) == (2, 1, 1, 2)
    m = snippet_metric([(1, 1, 1, 1), (2, 0, 0, 2)])
    assert (m.tp, m.fn, m.fp, m.tn, m.pages) == (3, 1, 1, 3, 2)
    assert m.precision == pytest.approx(0.75) and m.recall == pytest.approx(0.75) and m.f1 == pytest.approx(0.75)


def test_label_by_snippets():
    lines = ["Home", "Impressum", "", "The first long sentence of the text,", "and its end here.",
             "A paragraph that mentions the Impressum in passing among many words.", "Other line"]
    labels, found = label_by_snippets(lines, ("The first long sentence of the text, and its end here.", "absent snippet"),
                                      ("Impressum",))
    assert labels == ["unknown", "chrome", "blank", "content", "content", "unknown", "unknown"]
    assert found == pytest.approx(0.5)


def _gz(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)


def test_modern_readers_on_hand_made_corpora(tmp_path):
    from linesift.training.modern import read_fundus, read_googletrends, read_trafilatura_eval, read_wcxb

    body = "<html><body><nav>Home</nav><h1>Ferry to run hourly</h1><p>Residents will catch a ferry every hour.</p></body></html>"
    _gz(tmp_path / "wcxb" / "html" / "0001.html.gz", body)
    (tmp_path / "wcxb" / "ground-truth").mkdir(parents=True)
    (tmp_path / "wcxb" / "ground-truth" / "0001.json").write_text(json.dumps({
        "url": "https://a.example/f", "ground_truth": {"title": "Ferry to run hourly",
                                                      "main_content": "Residents will catch a ferry every hour.",
                                                      "with": ["catch a ferry"], "without": ["Home"]}}))
    (page,) = read_wcxb(tmp_path / "wcxb")
    assert page.reference.startswith("Ferry to run hourly") and page.with_snippets == ("catch a ferry",)

    _gz(tmp_path / "fundus" / "test_data" / "de" / "Pub_2025.html.gz", body)
    (tmp_path / "fundus" / "manifest.json").write_text(json.dumps([{
        "country_dir": "de", "publisher": "Pub", "version": "V1", "html": "de/Pub_2025.html.gz",
        "url": "https://p.example/a", "lang_guess": "de"}]))
    (tmp_path / "fundus" / "test_data" / "de" / "Pub.json").write_text(json.dumps({"V1": {
        "title": "Ferry to run hourly", "body": {"summary": ["Standfirst."],
                                                 "sections": [{"headline": ["Sub"], "paragraphs": ["Para one."]}]}}}))
    (page,) = read_fundus(tmp_path / "fundus")
    assert page.reference.split("\n\n") == ["Ferry to run hourly", "Standfirst.", "Sub", "Para one."]
    assert page.language == "de"

    (tmp_path / "te" / "html").mkdir(parents=True)
    _gz(tmp_path / "te" / "html" / "x.html.gz", body)
    (tmp_path / "te" / "evaldata.json").write_text(json.dumps({"https://t.example/x": {
        "file": "x.html", "with": ["every hour"], "without": ["Home"]}}))
    (page,) = read_trafilatura_eval(tmp_path / "te")
    assert page.snippets_only and page.reference == "" and page.url == "https://t.example/x"

    _gz(tmp_path / "gt" / "raw_html" / "001.html.gz",
        '<html><body><div __label="main"><h1 __label="title">Big news</h1><p>Main text here.</p></div>'
        '<p __label="author">By Someone</p><p __label="caption">A photo</p><nav>Menu</nav></body></html>')
    (page,) = read_googletrends(tmp_path / "gt")
    assert "Big news" in page.reference and "Main text here." in page.reference
    assert "Someone" not in page.reference and "photo" not in page.reference


def test_snippet_only_page_is_built_with_unknown_lines(tmp_path):
    from linesift.training.corpora import _label_page
    from linesift.training.source import SourcePage

    html = ("<html><body><nav>Home</nav><h1>Ferry to run hourly</h1>"
            "<p>Residents will catch a ferry every hour from May.</p><p>Weather today is mild.</p>"
            "<footer>Impressum</footer></body></html>")
    page = SourcePage("trafilatura-eval", "x", "https://t.example/x", html, "",
                      with_snippets=("catch a ferry every hour",), without_snippets=("Impressum",), snippets_only=True)
    reason, records, recovery, _ = _label_page((page, ("html-text",)))
    assert reason == "" and recovery == 1.0
    labels = dict(zip(records[0]["text"].split("\n"), records[0]["labels"]))
    assert labels["Residents will catch a ferry every hour from May."] == "content"
    assert labels["Impressum"] == "chrome" and labels["Weather today is mild."] == "unknown"
    assert labels["Home"] == "chrome"  # unjudged, but inside <nav> (markup.py)
    assert records[0]["with"] == ["catch a ferry every hour"]


def test_damaged_corpus_json_is_one_line_error_and_no_output(tmp_path, capsys):
    from linesift.training.cli import EXIT_INPUT, main

    root = tmp_path / "corpora" / "trafilatura-eval"
    root.mkdir(parents=True)
    (root / "evaldata.json").write_text('{"https://x.example/": {"file": ')
    out = tmp_path / "built"
    code = main(["datasets", "build", str(tmp_path / "corpora"), "--out", str(out), "--corpus", "trafilatura-eval"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT and "evaldata.json: not valid UTF-8 JSON" in err
    assert "Traceback" not in err and not (out / "trafilatura-eval.jsonl").exists()
