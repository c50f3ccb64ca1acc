"""The review page, the evaluate report and the labelling queue, without a browser: what goes in
the page's data, escaping, the threshold curves and the queue's order (browser checks: test_browser.py)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from linesift.model.errors import DataError, LinesiftError
from linesift.model.predictor import PageResult, Predictor
from linesift.training.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from linesift.training.data import read_labelled
from linesift.training.report import threshold_curves
from linesift.training.review import (
    ReviewPage,
    expected_wrong,
    label_queue,
    queue_tsv,
    read_review_pages,
    review_data,
    script_json,
)

from .conftest import SAMPLES
from .test_cli import PAGE, run

HOSTILE = "</script><script>document.title='owned'</script><!-- & -->"


def embedded_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S)
    assert match, "no review data in the page"
    return json.loads(match.group(1))


def test_reads_text_jsonl_labelled_jsonl_and_tsv_in_folders(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.TXT").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"url": "https://x.example/1", "id": "r1", "text": "A\nB"}) + "\n\n"
                                      + json.dumps({"id": "r2", "text": "C\n\nD", "labels": ["content", "blank", "chrome"]}) + "\n")
    (tmp_path / "c.tsv").write_text("### page https://y.example/2\ncontent\tHeadline\n\nunknown\tMenu\n", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    pages = read_review_pages([tmp_path])
    assert [p.name for p in pages] == ["https://x.example/1", "r2", "https://y.example/2", str(tmp_path / "sub" / "a.TXT")]
    assert [p.truth for p in pages] == [None, ["content", "blank", "chrome"], ["content", "blank", "unknown"], None]
    assert pages[1].source == f"{tmp_path / 'b.jsonl'}:3"
    assert pages[3].lines == PAGE.splitlines()


def test_bad_records_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "a"}) + "\n" + json.dumps({"text": "a\nb", "labels": ["content"]}) + "\n")
    with pytest.raises(DataError, match=r"bad.jsonl:2: 1 labels for 2 lines"):
        read_review_pages([bad])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no pages"):
        read_review_pages([empty])


def test_text_pages_decode_as_told_or_detected_and_bad_ones_are_named(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes("caf\u00e9 ol\u00e9\n".encode("cp1252"))
    assert read_review_pages([page])[0].lines == ["caf\u00e9 ol\u00e9"]
    assert read_review_pages([page], "koi8-r")[0].lines == ["caf\u0418 ol\u0418"]  # 0xe9 as KOI8-R reads it
    binary = tmp_path / "page.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(LinesiftError, match=f"^{re.escape(str(binary))}: not a text file \\(contains NUL bytes\\)$"):
        read_review_pages([binary])


def test_a_compressed_text_page_is_refused_when_named_and_skipped_in_a_folder(tmp_path):
    import gzip

    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(PAGE.encode()))
    (tmp_path / "other.txt").write_text(PAGE, encoding="utf-8")
    with pytest.raises(DataError, match=f"^{re.escape(str(tmp_path / 'page.txt.gz'))}: a compressed file that is not .jsonl.gz"):
        read_review_pages([tmp_path / "page.txt.gz"])
    assert [p.name for p in read_review_pages([tmp_path])] == [str(tmp_path / "other.txt")]
    assert [p.name for p in read_review_pages(iter([tmp_path / "other.txt"]))] == [str(tmp_path / "other.txt")]


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/mem"), reason="needs Linux's /proc/self/mem (opens, then fails to read)")
def test_a_page_that_opens_but_cannot_be_read_is_named():
    with pytest.raises(LinesiftError, match=r"^/proc/self/mem: cannot read \(Input/output error\)$"):
        read_review_pages(["/proc/self/mem"])


def test_review_data_marks_blank_lines_and_keeps_truth():
    pages = [ReviewPage("p", "f:1", ["A", "", "B"], ["content", "blank", "unknown"])]
    result = PageResult(["A", "", "B"], ["content", "blank", "chrome"], [0.9, 0.0, 0.2])
    predictor = Predictor.__new__(Predictor)
    predictor.threshold, predictor.decoding = 0.4, None
    data = review_data(pages, [result], predictor, "t")
    assert data["threshold"] == 0.4
    assert data["pages"][0]["scores"] == [0.9, None, 0.2]
    assert data["pages"][0]["truth"] == ["content", "blank", "unknown"]
    assert "cut" not in data["pages"][0]  # one threshold for every page


def test_review_data_gives_each_page_its_decoded_cut():
    from linesift.model.decode import PageDecoding
    from linesift.training.review import NOTHING_KEPT_CUT

    pages = [ReviewPage("p", "f:1", ["A", "B", "C"]), ReviewPage("q", "f:2", ["D"])]
    results = [PageResult(["A", "B", "C"], ["content", "content", "chrome"], [0.9, 0.3, 0.2]),
               PageResult(["D"], ["chrome"], [0.6])]
    predictor = Predictor.__new__(Predictor)
    predictor.threshold, predictor.decoding = 0.4, PageDecoding(0.8, 0.5)
    data = review_data(pages, results, predictor, "t")
    assert [p["cut"] for p in data["pages"]] == [0.3, NOTHING_KEPT_CUT]  # the lowest kept score; above all


def test_script_json_cannot_close_its_script_element():
    text = script_json({"lines": [HOSTILE, "\ud800 lone surrogate", "ok é"]})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["lines"][0] == HOSTILE
    text.encode("utf-8")  # a lone surrogate travels as a JSON escape, not as unencodable text


def test_review_command_writes_every_line_and_escapes_page_text(tmp_path, capsys, small_model):
    page = tmp_path / "hostile.txt"
    page.write_text(f"{HOSTILE}\n\n{PAGE}", encoding="utf-8")
    out = tmp_path / "review.html"
    code, stdout, _ = run(capsys, "review", str(page), str(SAMPLES / "news.tsv"), "--out", str(out), "--model", str(small_model))
    assert code == EXIT_OK and "wrote" in stdout
    html = out.read_text(encoding="utf-8")
    assert HOSTILE not in html  # only ever as escaped JSON
    data = embedded_data(html)
    predictor = Predictor.load(small_model)
    expected = read_review_pages([page, SAMPLES / "news.tsv"])
    assert [p["lines"] for p in data["pages"]] == [p.lines for p in expected]
    results = predictor.predict_pages([p.lines for p in expected])
    assert [p["scores"] for p in data["pages"]] == [[None if l == "blank" else s for s, l in zip(r.scores, r.labels)]
                                                   for r in results]
    assert data["pages"][0]["truth"] is None and data["pages"][1]["truth"] == read_labelled([SAMPLES / "news.tsv"])[0].labels
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://cdn" not in html


def test_review_cuts_each_page_to_max_lines_after_scoring_it_whole(tmp_path, capsys, small_model):
    long = tmp_path / "long.txt"
    long.write_text("\n".join(f"Line {i} of a very long page." for i in range(300)), encoding="utf-8")
    short = tmp_path / "short.txt"
    short.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "review.html"
    code, _, err = run(capsys, "review", str(short), str(long), "--out", str(out), "--model", str(small_model),
                       "--max-lines", "120")
    assert code == EXIT_OK and err.strip() == f"linesift: showing the first 120 lines of {long} (300) (--max-lines)"
    first, second = embedded_data(out.read_text(encoding="utf-8"))["pages"]
    short_page, long_page = read_review_pages([short, long])
    whole = Predictor.load(small_model).predict_pages([long_page.lines])[0]
    assert first["lines"] == short_page.lines  # a page within the limit is whole
    assert second["lines"] == whole.lines[:120] and second["scores"] == whole.scores[:120]  # scored whole, then cut


def test_review_refuses_a_non_html_output_or_its_own_input(tmp_path, capsys, small_model):
    page = tmp_path / "p.html"
    page.write_text("x", encoding="utf-8")
    assert run(capsys, "review", str(SAMPLES), "--out", str(tmp_path / "r.txt"))[0] == EXIT_USAGE
    code, _, err = run(capsys, "review", str(page), "--out", str(page), "--model", str(small_model))
    assert code == EXIT_INPUT and "overwrite an input" in err and page.read_text() == "x"


def test_failed_review_leaves_the_old_file(tmp_path, capsys, small_model):
    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    code, _, err = run(capsys, "review", str(bad), "--out", str(out), "--model", str(small_model))
    assert code == EXIT_INPUT and "bad.jsonl:1" in err and len(err.strip().splitlines()) == 1
    assert out.read_text() == "old"


def test_threshold_curves_by_hand():
    truth = np.array([True, True, False, False])
    scores = np.array([0.9, 0.4, 0.6, 0.1])
    c = threshold_curves(truth, scores, np.array([0.0, 0.4, 0.5, 0.6, 0.95]))
    # at 0.4: kept 0.9, 0.4, 0.6 -> tp 2 fp 1; at 0.5: 0.9, 0.6 -> tp 1 fp 1; at 0.6: the same (>= 0.6)
    assert c["precision"][:4].tolist() == pytest.approx([0.5, 2 / 3, 0.5, 0.5])
    assert c["recall"].tolist() == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.0])
    assert c["f1"].tolist() == pytest.approx([2 / 3, 0.8, 0.5, 0.5, 0.0])
    assert np.isnan(c["precision"][4])  # nothing kept


def test_expected_wrong_reads_scores_as_probabilities():
    risk = expected_wrong(np.array([0.9, 0.3, 0.0, 0.5]), ["content", "chrome", "blank", "content"])
    assert risk.tolist() == pytest.approx([0.1, 0.3, 0.0, 0.5])


def test_queue_puts_most_expected_wrong_lines_first_and_lists_unsure_lines():
    sure = PageResult(["a", "b"], ["content", "chrome"], [0.99, 0.01])
    unsure = PageResult(["a", "", "b", "c"], ["content", "blank", "chrome", "chrome"], [0.6, 0.0, 0.1, 0.45])
    pages = [ReviewPage(n, n, r.lines) for n, r in (("sure", sure), ("unsure", unsure), ("tie", sure))]
    queue = label_queue(pages, [sure, unsure, sure], n=2)
    assert [e.page.name for e in queue] == ["unsure", "sure"]  # ties keep input order
    assert queue[0].expected_wrong == pytest.approx(0.4 + 0.1 + 0.45)
    assert queue[0].unsure_lines == [4, 1, 3]  # risks 0.45, 0.4, 0.1; the blank line never


def test_label_queue_round_trips_through_train_and_evaluate(tmp_path, capsys, small_model):
    queue = tmp_path / "queue.tsv"
    code, _, err = run(capsys, "label", str(SAMPLES), "--n", "3", "--out", str(queue), "--model", str(small_model))
    assert code == EXIT_OK and "3 of 10 pages" in err
    read = read_labelled([queue])
    assert len(read) == 3
    predictor = Predictor.load(small_model)
    all_pages = read_review_pages([SAMPLES])
    results = {p.name: r for p, r in zip(all_pages, predictor.predict_pages([p.lines for p in all_pages]))}
    risks = sorted((-expected_wrong(np.asarray(r.scores), r.labels).sum() for r in results.values()))
    for page in read:
        assert page.labels == results[page.url].labels
    assert [-expected_wrong(np.asarray(results[p.url].scores), results[p.url].labels).sum() for p in read] == pytest.approx(risks[:3])
    assert queue_tsv([]) == b""


def test_evaluate_html_has_tables_plots_and_the_worst_pages(tmp_path, capsys):
    out = tmp_path / "report.html"  # the bundled model: it gets some sample lines wrong, so there are worst pages
    code, text, _ = run(capsys, "evaluate", str(SAMPLES), "--html", str(out), "--worst", "3")
    assert code == EXIT_OK and text.startswith("pages 10")
    html = out.read_text(encoding="utf-8")
    for element in ('id="summary-table"', 'id="corpus-table"', '<svg id="plot-threshold"', '<svg id="plot-scores"'):
        assert element in html
    assert "threshold (content probability)" in html and "true content (" in html  # text stays text in the SVG
    data = embedded_data(html)
    sample_pages = read_labelled([SAMPLES])
    report = json.loads(run(capsys, "evaluate", str(SAMPLES), "--json", "--worst", "3")[1])
    assert len(report["worst_pages"]) == 3
    assert [p["source"] for p in data["pages"]] == [w["source"] for w in report["worst_pages"]]
    for page, worst in zip(data["pages"], report["worst_pages"]):
        assert page["truth"] == sample_pages[worst["index"]].labels


def test_evaluate_html_without_matplotlib_is_one_line(tmp_path, capsys, small_model, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out = tmp_path / "report.html"
    code, _, err = run(capsys, "evaluate", str(SAMPLES), "--model", str(small_model), "--html", str(out))
    assert code == EXIT_INPUT and err == "linesift: error: evaluate --html draws its plots with matplotlib, which is not installed: pip install 'linesift[report]'\n"
    assert not out.exists()


def test_label_never_writes_over_a_queue_it_reads_from_a_folder(tmp_path, capsys, small_model):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.txt").write_text(PAGE, encoding="utf-8")
    queue = folder / "queue.tsv"
    assert run(capsys, "label", str(folder), "--out", str(queue), "--model", str(small_model))[0] == EXIT_OK
    before = queue.read_bytes()
    code, _, err = run(capsys, "label", str(folder), "--out", str(queue), "--model", str(small_model))
    assert code == EXIT_INPUT and "overwrite an input" in err and queue.read_bytes() == before
