"""A page longer than ``PAGE_MAX_LINES`` is labelled in parts, so its memory stays bounded."""

from __future__ import annotations

import numpy as np
import pytest
from linesift.model import text as text_module
from linesift.model.predictor import Predictor
from linesift.model.result import assemble

LIMIT = 40


@pytest.fixture(scope="module")
def bundled():
    return Predictor.load()


@pytest.fixture()
def long_page(sample_pages):
    lines = [line for page in sample_pages[:6] for line in page.lines][: 2 * LIMIT + 7]
    assert len(lines) == 2 * LIMIT + 7
    return lines


def test_a_long_page_is_labelled_as_its_parts_and_comes_back_whole(bundled, long_page, monkeypatch):
    parts = [long_page[:LIMIT], long_page[LIMIT : 2 * LIMIT], long_page[2 * LIMIT :]]
    each = bundled.predict_pages(parts)
    whole_before = bundled.predict_pages([long_page])[0]
    monkeypatch.setattr(text_module, "PAGE_MAX_LINES", LIMIT)
    short = ["A short page.", "", "Its second line."]
    short_result, whole, also_short = bundled.predict_pages([short, long_page, short])

    assert whole.lines == long_page
    assert whole.labels == [label for r in each for label in r.labels]
    assert whole.scores == [s for r in each for s in r.scores]
    assert whole.content_text() == assemble(long_page, whole.labels)
    assert short_result == also_short == bundled.predict_pages([short])[0]
    assert whole.scores != whole_before.scores  # the parts are read as pages: their first lines' positions differ


def test_scores_of_a_long_page_are_its_parts_scores(bundled, long_page, monkeypatch):
    parts = [long_page[:LIMIT], long_page[LIMIT : 2 * LIMIT], long_page[2 * LIMIT :]]
    each = bundled.score_pages(parts)
    monkeypatch.setattr(text_module, "PAGE_MAX_LINES", LIMIT)
    [scores] = bundled.score_pages([long_page])
    assert scores.shape == (len(long_page),)
    assert np.array_equal(scores, np.concatenate(each))


def test_an_empty_page_among_long_ones(bundled, long_page, monkeypatch):
    monkeypatch.setattr(text_module, "PAGE_MAX_LINES", LIMIT)
    empty, whole = bundled.predict_pages([[], long_page])
    assert (empty.lines, empty.labels, empty.content_text()) == ([], [], "")
    assert len(whole.labels) == len(long_page)


def test_predict_names_each_page_it_labelled_in_parts(tmp_path, capsys, monkeypatch):
    """On stderr, after the run: the page, its lines and the part size; at most LONG_PAGES_SHOWN of them."""
    import json

    from linesift.training import cli

    monkeypatch.setattr(text_module, "PAGE_MAX_LINES", LIMIT)
    source = tmp_path / "pages.jsonl"
    body = "\n".join(f"Line {i} of a page that is really many pages." for i in range(LIMIT + 5))
    records = [{"id": f"long-{i}", "text": body} for i in range(cli.LONG_PAGES_SHOWN + 2)]
    records.insert(1, {"id": "short", "text": "A short page.\n\nWith a sentence of its own."})
    records.insert(2, {"id": "at-the-limit", "text": "\n".join(["Exactly as many lines as a part."] * LIMIT)})
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code = cli.main(["predict", str(source), "--emit", "labels", "-o", str(tmp_path / "out.jsonl")])
    err = capsys.readouterr().err.splitlines()
    assert code == cli.EXIT_OK
    assert err[0] == f"linesift: long-0: {LIMIT + 5:,} lines, labelled in parts of {LIMIT} (is it many pages in one?)"
    assert len(err) == cli.LONG_PAGES_SHOWN + 1 and err[-1] == f"linesift: ... and 2 more pages over {LIMIT} lines"
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [len(r["labels"]) for r in out] == [LIMIT + 5, 3, LIMIT] + [LIMIT + 5] * (cli.LONG_PAGES_SHOWN + 1)


def test_batches_group_consecutive_pages_up_to_the_line_budget():
    from linesift.model.predictor import _batches

    pages = [["a"] * 3, ["b"] * 4, ["c"] * 10, ["d"], ["e"] * 2, [], ["f"] * 4]
    sizes = [[len(p) for p in group] for group in _batches(pages, 7)]
    # exactly 7 lines fit; a page over the budget goes alone; an empty page rides along
    assert sizes == [[3, 4], [10], [1, 2, 0, 4]]
    assert [[len(p) for p in g] for g in _batches(pages, 1)] == [[3], [4], [10], [1], [2], [0], [4]]  # one page a batch
    assert [[len(p) for p in g] for g in _batches([["x"] * 2] * 4, 5)] == [[2, 2], [2, 2]]  # lines add up
    assert list(_batches([], 7)) == []
