"""`linesift dev proxies`: each proxy's offset from its sealed set, from the model both were measured on."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from linesift.model.errors import LinesiftError
from linesift.training import proxies
from linesift.training.cli import EXIT_USAGE, main
from linesift.training.proxies import ProxyRow, SealedSet, parse_held_out, table

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "datasets" / "samples"
SET = SealedSet("2019 news", "googletrends-2017", "page", 0.879, 0.92, 0.801)


def test_offset_is_sealed_minus_proxy_and_moves_todays_figures():
    row = ProxyRow(SET, then=0.808, then_kind="held out", now_cv=0.854, now_held_out=0.851)
    assert math.isclose(row.offset, 0.071)
    assert math.isclose(row.implied(row.now_held_out), 0.922)
    assert math.isclose(row.implied(row.now_cv), 0.925)
    assert math.isclose(row.implied_margin, 0.922 - 0.801)  # the lower of the two estimates


def test_unknown_figures_stay_unknown_in_rows_and_table():
    row = ProxyRow(SET, then=None, then_kind="held out", now_cv=0.854, now_held_out=None)
    assert row.offset is None and row.implied(0.9) is None and row.implied_margin is None
    known = ProxyRow(SET, then=0.808, then_kind="held out", now_cv=0.854, now_held_out=None)
    assert known.implied(None) is None
    lines = table([row, known], "abc1234")
    assert len(lines) == 4 and "sealed at abc1234" in lines[0]
    assert "| - (held out) | - |" in lines[2] and lines[2].endswith("| 0.801 | - |")
    assert "| 0.808 (held out) | +0.071 | 0.854 | - | 0.925 / - | 0.92 | 0.801 | +0.124 |" in lines[3]


def test_held_out_figures_are_parsed_or_refused_by_the_one_at_fault():
    assert parse_held_out(["fundus=0.922", "wcxb=0.841"]) == {"fundus": 0.922, "wcxb": 0.841}
    for bad in ("fundus", "fundus=x", "fundus=1.5", "=0.9", "wcxb=nan"):
        with pytest.raises(LinesiftError, match="--held-out wants NAME=F1"):
            parse_held_out(["fundus=0.9", bad])


def test_a_bad_held_out_figure_is_a_one_line_usage_error(capsys):
    code = main(["dev", "proxies", str(SAMPLES), "--held-out", "fundus=high"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and err.count("\n") == 1 and "'fundus=high'" in err


def test_a_failing_revision_predict_is_one_error_with_its_reason(tmp_path, sample_pages):
    cli = tmp_path / "linesift" / "training" / "cli.py"
    cli.parent.mkdir(parents=True)
    cli.write_text("import sys\nprint('linesift: error: model file is damaged', file=sys.stderr)\nsys.exit(3)\n")
    with pytest.raises(LinesiftError, match="revision's predict failed: linesift: error: model file is damaged"):
        proxies.revision_labels(tmp_path, sample_pages[:2], tmp_path)


def test_an_unseen_proxy_is_scored_by_the_revisions_model_and_a_trained_one_read_from_its_cv(monkeypatch):
    """With HEAD as the revision, its model is this checkout's: the held-out figure is this model's own
    page F1 on the proxy's pages, and a corpus it trained on gives the CV figure its metadata records."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the revision is exported from git's history")
    from linesift.model.modelfile import read_metadata
    from linesift.model.predictor import Predictor, bundled_model_path
    from linesift.training.data import read_labelled

    news = SealedSet("our news samples", "news", "page", 0.9, 0.95, 0.8)
    fundus = SealedSet("Fundus", "fundus", "page", 0.882, 0.92, 0.782)
    monkeypatch.setattr(proxies, "SEALED_SETS", (news, fundus))
    rows = proxies.proxy_rows([SAMPLES], revision="HEAD", held_out={"news": 0.5})
    pages = [p for p in read_labelled([SAMPLES]) if p.corpus == "news"]
    own = [r.labels for r in Predictor.load().predict_pages([p.lines for p in pages])]
    expected = proxies.metric_of(pages, own, "page")
    assert rows[0].then_kind == "held out" and math.isclose(rows[0].then, expected)
    assert rows[0].now_cv is None and rows[0].now_held_out == 0.5
    cv = read_metadata(bundled_model_path())["metrics"]["per_corpus"]["fundus"]["page_f1"]
    assert rows[1].then_kind == "CV" and math.isclose(rows[1].then, cv) and math.isclose(rows[1].now_cv, cv)
    assert rows[1].now_held_out is None


def test_an_unknown_revision_or_missing_data_is_one_line_naming_it(capsys, tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the revision is exported from git's history")
    code = main(["dev", "proxies", str(SAMPLES), "--revision", "no-such-revision-xyz"])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "no-such-revision-xyz" in err and "Traceback" not in err
    missing = tmp_path / "nowhere"
    code = main(["dev", "proxies", str(missing)])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and str(missing) in err


def test_a_revision_without_a_bundled_model_is_one_error_naming_it(tmp_path, monkeypatch):
    from linesift.training import bench

    def empty_export(root, revision, dest):
        (dest / "linesift").mkdir(parents=True)
        return dest

    monkeypatch.setattr(bench, "export_revision", empty_export)
    with pytest.raises(LinesiftError, match="revision old1234 has no readable bundled model metadata"):
        proxies.proxy_rows([SAMPLES], revision="old1234")


def test_an_unreadable_predict_record_is_one_error_naming_its_line(tmp_path, sample_pages):
    cli = tmp_path / "linesift" / "training" / "cli.py"
    cli.parent.mkdir(parents=True)
    cli.write_text("import sys\nout = sys.argv[sys.argv.index('--out') + 1]\n"
                   "open(out, 'w').write('{\"lines\": []}\\nnot json\\n')\n")
    with pytest.raises(LinesiftError, match="cannot read") as caught:
        proxies.revision_labels(tmp_path, sample_pages[:2], tmp_path)
    assert str(caught.value.source).endswith("labelled.jsonl") and caught.value.line == 2
    assert "labelled.jsonl:2" in str(caught.value)
