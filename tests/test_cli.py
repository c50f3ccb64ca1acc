"""The CLI contract others script against: predict (text and JSONL), train, evaluate, exit codes."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest
from linesift.model.modelfile import metadata_path
from linesift.training.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from linesift.training.data import LabelledPage

from .conftest import EXAMPLE, SAMPLES

PAGE = "Big storm hits the coast\n\nShare\nTweet\n\nWaves reached six metres on Tuesday, the coastguard said, and two harbours were closed.\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stdin_bytes(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# --- predict: JSONL contract ---------------------------------------------------------------

def test_jsonl_passes_fields_through_in_order_and_adds_content_and_lines(tmp_path, capsys, small_model):
    records = [
        {"id": 7, "text": PAGE, "meta": {"src": ["a", 1]}, "empty": None},
        {"text": "", "id": "second"},
        {"zz": 1, "text": "only line"},
    ]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    code, out, err = run(capsys, "predict", str(f), "--model", str(small_model))
    assert code == EXIT_OK, err
    outs = [json.loads(line) for line in out.splitlines()]
    assert len(outs) == 3
    for rec, got in zip(records, outs):
        assert list(got)[: len(rec)] == list(rec)  # same fields, same order, first
        assert {k: got[k] for k in rec} == rec  # unchanged values
        assert list(got)[len(rec):] == ["content", "lines"]
        assert [l["text"] for l in got["lines"]] == rec["text"].splitlines()
        assert isinstance(got["content"], str)


def test_jsonl_lines_follow_splitlines_and_label_blanks(tmp_path, capsys, small_model):
    text = "Title line\r\n\r\n  \tBody one.\rBody two\u2028tail\n\n"
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"text": text}) + "\n")
    code, out, _ = run(capsys, "predict", str(f), "--model", str(small_model))
    assert code == EXIT_OK
    (got,) = [json.loads(line) for line in out.splitlines()]
    lines = got["lines"]
    assert [l["text"] for l in lines] == text.splitlines()
    for l in lines:
        assert set(l) == {"text", "label", "score"}
        if l["text"].strip():
            assert l["label"] in ("content", "chrome") and 0.0 <= l["score"] <= 1.0
        else:
            assert l["label"] == "blank" and l["score"] == 0
    kept = [l["text"] for l in lines if l["label"] == "content"]
    assert [x for x in got["content"].split("\n") if x] == kept


def test_threshold_zero_keeps_every_line_and_content_keeps_paragraph_gaps(tmp_path, capsys, small_model):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"text": PAGE}) + "\n")
    code, out, _ = run(capsys, "predict", str(f), "--model", str(small_model), "--threshold", "0")
    got = json.loads(out)
    assert all(l["label"] != "chrome" for l in got["lines"])
    assert got["content"] == PAGE.rstrip("\n")


def test_format_jsonl_reads_stdin(monkeypatch, capsys, small_model):
    stdin_bytes(monkeypatch, (json.dumps({"text": PAGE, "k": 1}) + "\n").encode())
    code, out, _ = run(capsys, "predict", "-", "--format", "jsonl", "--model", str(small_model))
    assert code == EXIT_OK
    assert json.loads(out)["k"] == 1


def test_favor_uses_the_stored_thresholds(small_model):
    from linesift.model.predictor import Predictor

    meta = json.loads(metadata_path(small_model).read_text())
    assert Predictor.load(small_model, favor="precision").threshold == meta["thresholds"]["precision"]
    assert Predictor.load(small_model, favor="recall").threshold == meta["thresholds"]["recall"]
    assert Predictor.load(small_model, threshold=0.3, favor="recall").threshold == 0.3


def test_threshold_bounds_favor_names_and_a_model_without_stored_thresholds():
    from linesift.model.errors import LinesiftError
    from linesift.model.predictor import resolve_threshold

    meta = {"threshold": 0.42, "thresholds": {"precision": 0.6}}
    assert [resolve_threshold(meta, t, None) for t in (0.0, 1.0)] == [0.0, 1.0]  # both ends allowed
    for bad in (1.5, -0.1):
        with pytest.raises(LinesiftError) as err:
            resolve_threshold(meta, bad, None)
        assert str(err.value) == f"threshold must be between 0 and 1, got {bad}"
    with pytest.raises(LinesiftError) as err:
        resolve_threshold(meta, None, "speed")
    assert str(err.value) == "--favor must be one of precision, recall, got 'speed'"
    assert resolve_threshold(meta, None, "recall") == 0.42  # not stored: the model's own threshold
    assert resolve_threshold({"threshold": 0.42}, None, "precision") == 0.42


# --- predict: text ------------------------------------------------------------------------

def test_text_prints_content_lines_with_blank_line_gaps(tmp_path, capsys, small_model):
    f = tmp_path / "page.txt"
    f.write_text(PAGE)
    code, out, _ = run(capsys, "predict", str(f), "--model", str(small_model), "--threshold", "0")
    assert code == EXIT_OK
    assert out == "Big storm hits the coast\n\nShare\nTweet\n\nWaves reached six metres on Tuesday, the coastguard said, and two harbours were closed.\n"


def test_bundled_model_cleans_the_example_page(capsys):
    code, out, _ = run(capsys, "predict", str(EXAMPLE / "northvalley-library.txt"))
    assert code == EXIT_OK
    assert out.startswith("Riverside library reopens after two-year rebuild with longer hours\n")
    assert "Related Articles" not in out and "Copyright" not in out and "Log in" not in out


def test_several_files_get_headers_and_directories_expand(tmp_path, capsys, small_model):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text(PAGE)
    (tmp_path / "d" / "b.txt").write_text(PAGE)
    (tmp_path / "d" / "skip.csv").write_text("ignored")
    code, out, err = run(capsys, "predict", str(tmp_path / "d"), "--model", str(small_model))
    assert code == EXIT_OK
    assert out.count("==> ") == 2 and f"==> {tmp_path / 'd' / 'a.txt'} <==" in out
    assert "not read: 1 .csv file(s)" in err


def test_out_writes_file_and_failed_run_leaves_it_untouched(tmp_path, capsys, small_model):
    good, bad, out_file = tmp_path / "good.jsonl", tmp_path / "bad.jsonl", tmp_path / "out.jsonl"
    good.write_text(json.dumps({"text": PAGE}) + "\n")
    bad.write_text(json.dumps({"text": PAGE}) + "\n{broken\n")
    assert run(capsys, "predict", str(good), "--out", str(out_file), "--model", str(small_model))[0] == EXIT_OK
    before = out_file.read_bytes()
    assert json.loads(before)["lines"]
    code, out, err = run(capsys, "predict", str(bad), "--out", str(out_file), "--model", str(small_model))
    assert code == EXIT_INPUT
    assert out_file.read_bytes() == before
    assert list(tmp_path.glob(".out.jsonl.*")) == []  # no temporary file left behind
    assert err.count("\n") == 1 and f"{bad}:2: not valid JSON" in err


# Each command that writes a file, and the option naming it (every one writes atomically).
WRITERS = [
    ("predict", "page.txt", "-o", "out.txt"),
    ("label", "page.txt", "-o", "queue.tsv"),
    ("review", "page.txt", "-o", "view.html"),
    ("evaluate", str(SAMPLES), "--html", "report.html"),
    ("train", str(SAMPLES), "--out", "m.joblib"),
    ("repeats count", "page.txt", "-o", "part.npy"),
    ("repeats merge", "shard.npy", "-o", "table.npy"),
]


@pytest.mark.parametrize("problem", ["missing folder", "a folder"])
@pytest.mark.parametrize("command, source, option, name", WRITERS)
def test_an_output_in_a_missing_folder_or_that_is_a_folder_is_refused_before_any_work(
        tmp_path, capsys, monkeypatch, small_model, problem, command, source, option, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.txt").write_bytes(b"\x00 not read: the output is refused first")  # read, it would fail
    (tmp_path / "shard.npy").write_bytes(b"not read either")
    target = tmp_path / "missing" / name if problem == "missing folder" else tmp_path / name
    if problem == "a folder":
        target.mkdir()
    argv = [*command.split(), source, option, str(target)]
    if command in ("predict", "label", "review", "evaluate"):
        argv += ["--model", str(small_model)]
    if command == "train":
        argv.append("--no-cv")
    code, out, err = run(capsys, *argv)
    said = "output directory does not exist" if problem == "missing folder" else "output path is a directory"
    assert (code, out, err) == (EXIT_INPUT, "", f"linesift: error: {target}: {said}\n")
    left = {"page.txt", "shard.npy"} | ({name} if problem == "a folder" else set())
    assert {p.name for p in tmp_path.iterdir()} == left  # no output, no temporary file
    assert problem == "missing folder" or list(target.iterdir()) == []


def test_train_refuses_a_folder_where_the_metadata_goes_before_training(tmp_path, capsys):
    (tmp_path / "m.json").mkdir()
    code, out, err = run(capsys, "train", str(SAMPLES), "--out", str(tmp_path / "m.joblib"), "--no-cv")
    assert (code, out, err) == (EXIT_INPUT, "", f"linesift: error: {tmp_path / 'm.json'}: output path is a directory\n")
    assert not (tmp_path / "m.joblib").exists()


@pytest.mark.parametrize("line, message", [
    (b"[1, 2]", "not a JSON object"),
    (b'{"text": 3}', "no string field 'text'"),
    (b'{"id": 1}', "no string field 'text'"),
    (b'{"text": "\xff"}', "not UTF-8"),
])
def test_bad_records_stop_with_file_and_line(tmp_path, capsys, small_model, line, message):
    f = tmp_path / "in.jsonl"
    f.write_bytes(json.dumps({"text": "fine"}).encode() + b"\n" + line + b"\n" + json.dumps({"text": "after"}).encode() + b"\n")
    code, out, err = run(capsys, "predict", str(f), "--model", str(small_model))
    assert code == EXIT_INPUT
    assert f"{f}:2: " in err and message in err and "Traceback" not in err
    assert [json.loads(l)["text"] for l in out.splitlines()] == ["fine"]  # nothing for unprocessed records


def test_skip_bad_processes_the_rest_and_counts(tmp_path, capsys, small_model):
    f = tmp_path / "in.jsonl"
    f.write_text('{"text": "one"}\nnot json\n{"text": "two"}\n')
    code, out, err = run(capsys, "predict", str(f), "--skip-bad", "--model", str(small_model))
    assert code == EXIT_INPUT
    assert [json.loads(l)["text"] for l in out.splitlines()] == ["one", "two"]
    assert f"skipped {f}:2: not valid JSON" in err and "1 input(s) skipped" in err


def test_usage_errors_exit_2_with_one_line(capsys):
    code, _, err = run(capsys, "predict", "--threshold", "abc")
    assert code == EXIT_USAGE and err.count("\n") == 1 and err.startswith("linesift: usage error:")
    code, _, err = run(capsys, "frobnicate")
    assert code == EXIT_USAGE and err.count("\n") == 1


def test_threshold_out_of_range_is_an_error(tmp_path, capsys, small_model):
    f = tmp_path / "p.txt"
    f.write_text(PAGE)
    code, _, err = run(capsys, "predict", str(f), "--threshold", "1.5", "--model", str(small_model))
    assert code == EXIT_USAGE and "--threshold" in err and "less than or equal to 1" in err


def test_missing_model_names_the_file(tmp_path, capsys):
    code, _, err = run(capsys, "predict", "--model", str(tmp_path / "none.joblib"))
    assert code == EXIT_INPUT and f"{tmp_path / 'none.joblib'}: model file not found" in err


# --- train and evaluate ------------------------------------------------------------------

def test_train_predict_evaluate_round_trip(tmp_path, capsys):
    model = tmp_path / "m.joblib"
    code, out, err = run(capsys, "train", str(SAMPLES), "--out", str(model), "--folds", "3")
    assert code == EXIT_OK, err
    assert "site-grouped 3-fold cross-validation" in out
    # Progress on stderr: each stage with its elapsed time, never on stdout.
    assert "] cv fold 3/3: fitting on" in err and "] final model: fitting on all 10 pages" in err
    assert "cv fold" not in out
    meta = json.loads(metadata_path(model).read_text())
    assert meta["training_data"]["pages"] == 10 and meta["metrics"]["folds"] == 3
    assert set(meta["thresholds"]) == {"f1", "precision", "recall"}
    assert 0 <= meta["metrics"]["f1"] <= 1

    code, out, _ = run(capsys, "predict", str(EXAMPLE / "northvalley-library.txt"), "--model", str(model))
    assert code == EXIT_OK and "Riverside Library reopened on Saturday" in out

    code, out, _ = run(capsys, "evaluate", str(SAMPLES), "--model", str(model), "--json")
    report = json.loads(out)
    assert {"precision", "recall", "f1", "accuracy", "confusion", "page_metric", "worst_pages"} <= set(report)
    # The model has seen these pages: it must fit them closely.
    assert report["f1"] > 0.9 and report["page_metric"]["f1"] > 0.9

    code, out, _ = run(capsys, "evaluate", str(EXAMPLE / "northvalley-library.labels.tsv"), "--model", str(model))
    assert code == EXIT_OK and "lines      precision" in out and "page       precision" in out


def test_train_recipe_bundled_is_the_bundled_models_configuration(tmp_path, capsys):
    from linesift.training.recipe import BUNDLED, RECIPES

    model = tmp_path / "b.joblib"
    code, _, err = run(capsys, "train", str(SAMPLES), "--out", str(model), "--recipe", "bundled", "--no-cv")
    assert code == EXIT_OK, err
    meta = json.loads(metadata_path(model).read_text())
    assert meta["recipe"] == RECIPES[BUNDLED].as_dict()
    assert meta["corpus_weights"] == RECIPES[BUNDLED].corpus_weights and meta["corpus_weights"]
    # `train` without --recipe uses the same recipe.
    code, _, err = run(capsys, "train", str(SAMPLES), "--out", str(tmp_path / "d.joblib"), "--no-cv")
    assert json.loads(metadata_path(tmp_path / "d.joblib").read_text())["recipe"] == meta["recipe"]


def test_train_help_names_the_bundled_recipe(capsys):
    """The --help text is written by hand (importing the recipes would slow `--help`): keep it true."""
    from linesift.training.recipe import BUNDLED

    code, out, _ = run(capsys, "train", "--help")
    text = re.sub(r"[\s│]+", " ", re.sub(r"-\s*\n[\s│]*", "-", out))
    assert code == EXIT_OK and f"({BUNDLED})" in text


def test_unknown_recipe_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "train", str(SAMPLES), "--out", str(tmp_path / "x.joblib"), "--recipe", "nope")
    assert code == EXIT_USAGE and "unknown recipe 'nope'" in err and err.count("\n") == 1


def test_makefile_model_target_uses_the_bundled_recipe():
    from .conftest import ROOT

    model_rule = ROOT.joinpath("Makefile").read_text().split("\nmodel:", 1)[1].split("\n\n", 1)[0]
    assert "--recipe bundled" in model_rule and "--corpus-weight" not in model_rule
    # A refit can flip short pages (docs/model-selection.md): their tests run before the gate's floors move.
    lines = model_rule.splitlines()
    checks = next(i for i, line in enumerate(lines) if "pytest" in line)
    assert all(t in lines[checks] for t in ("tests/test_decode.py", "tests/test_cli.py", "tests/test_shared_example.py"))
    assert checks < next(i for i, line in enumerate(lines) if "dev gate" in line)


def test_logreg_model_type_trains(tmp_path, capsys):
    model = tmp_path / "lr.joblib"
    code, _, err = run(capsys, "train", str(SAMPLES), "--out", str(model), "--model-type", "logreg", "--no-cv")
    assert code == EXIT_OK, err
    assert json.loads(metadata_path(model).read_text())["model_type"] == "logreg"


def test_failed_training_leaves_existing_model_untouched(tmp_path, capsys, small_model):
    model = tmp_path / "m.joblib"
    model.write_bytes(b"old model")
    metadata_path(model).write_text("old meta")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "a\nb", "labels": ["content"]}) + "\n")
    code, _, err = run(capsys, "train", str(SAMPLES), str(bad), "--out", str(model))
    assert code == EXIT_INPUT and f"{bad}:1: 1 labels for 2 lines" in err
    assert model.read_bytes() == b"old model" and metadata_path(model).read_text() == "old meta"


def test_same_seed_same_predictions_and_the_seed_reaches_the_lexicon(sample_pages):
    import numpy as np
    from linesift.training.recipe import get_recipe
    from linesift.training.train import build_pipeline, fit

    # The bundled recipe has the one random component, the lexicon's SGD (shuffled each epoch).
    pages = [p.lines for p in sample_pages]
    a = fit(build_pipeline(get_recipe("bundled").but(seed=3)), sample_pages)
    b = fit(build_pipeline(get_recipe("bundled").but(seed=3)), sample_pages)
    np.testing.assert_array_equal(a.predict_proba(pages), b.predict_proba(pages))
    assert a[0].lexicon_.seed == 3
    c = fit(build_pipeline(get_recipe("bundled").but(seed=4)), sample_pages)
    assert not np.array_equal(a[0].lexicon_.weights_, c[0].lexicon_.weights_)


TRICKY_PAGE = ("Home | News\n\nCouncil approves new budget for schools and roads\n   \n"
               "The council approved the new budget on Tuesday after a long debate,\tsaid the mayor.\n"
               "# not a comment: a line of the page\n### page inside the text\nÜber uns · Kontakt\n\n\n")


def test_predict_tsv_read_back_by_train_and_evaluate_gives_the_predicted_labels(tmp_path, capsys):
    from linesift.training.data import read_labelled

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(TRICKY_PAGE, encoding="utf-8")
    (pages / "b.txt").write_text(PAGE, encoding="utf-8")
    code, out, _ = run(capsys, "predict", "--format", "jsonl", str(pages))
    assert code == EXIT_OK
    predicted = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in predicted] == [str(pages / "a.txt"), str(pages / "b.txt")]
    tsv = tmp_path / "queue.tsv"
    assert run(capsys, "predict", "--format", "tsv", str(pages), "--out", str(tsv))[0] == EXIT_OK
    read = read_labelled([tsv])
    assert [p.url for p in read] == [str(pages / "a.txt"), str(pages / "b.txt")]
    for page, record in zip(read, predicted):
        assert page.labels == [line["label"] for line in record["lines"]]
        assert [l for l in page.lines if l.strip()] == [l["text"] for l in record["lines"] if l["label"] != "blank"]


def test_predict_tsv_from_jsonl_names_pages_by_url_then_id(tmp_path, capsys):
    crawl = tmp_path / "crawl.jsonl"
    crawl.write_text(json.dumps({"url": "https://a.example/x", "text": PAGE}) + "\n"
                     + json.dumps({"id": "r2", "text": PAGE}) + "\n" + json.dumps({"text": PAGE}) + "\n")
    code, out, _ = run(capsys, "predict", "--format", "tsv", str(crawl))
    assert code == EXIT_OK
    markers = [line for line in out.splitlines() if line.startswith("### page")]
    assert markers == ["### page https://a.example/x", "### page r2", f"### page {crawl}:3"]


def test_worst_pages_name_the_record_and_its_converter_and_number_lines_within_the_page(tmp_path, capsys):
    # A page the model gets wrong: its one content line is labelled chrome.
    lines = PAGE.splitlines()
    labels = ["chrome" if line.strip() else "blank" for line in lines]
    record = {"id": "wcxb/0001", "converter": "html-text", "url": "https://a.example/x", "text": PAGE, "labels": labels}
    data = tmp_path / "d.jsonl"
    data.write_text("\n" * 3 + json.dumps(record) + "\n")  # the record is on file line 4
    code, out, _ = run(capsys, "evaluate", str(data))
    assert code == EXIT_OK
    assert f"{data}:4  wcxb/0001 [html-text]  page F1" in out
    wrong = [line.split() for line in out.splitlines() if "->" in line]
    paragraph = len(lines)  # the paragraph is the page's last line, line 6 of the page (file line 9)
    assert ["page", "line", str(paragraph), "chrome", "->", "content"] in [w[:6] for w in wrong]


def test_evaluate_warns_when_pages_are_in_the_models_training_data(tmp_path, capsys, small_model):
    code, _, err = run(capsys, "evaluate", str(SAMPLES), "--model", str(small_model))
    assert code == EXIT_OK
    assert "warning: 10 of 10 pages are in the model's own training data" in err
    fresh = tmp_path / "fresh.tsv"
    fresh.write_text("### page https://new.example/a\nchrome\tHome\ncontent\tA page the model has never seen, about tides.\n")
    code, _, err = run(capsys, "evaluate", str(fresh), "--model", str(small_model))
    assert code == EXIT_OK and "training data" not in err


def test_evaluate_without_blank_lines_scores_the_pages_as_text_without_them(tmp_path, capsys):
    stripped = tmp_path / "stripped"
    stripped.mkdir()
    for tsv in sorted(SAMPLES.glob("*.tsv")):  # a TSV file's empty lines are its pages' blank lines
        kept = [line for line in tsv.read_text(encoding="utf-8").splitlines() if line.strip()]
        (stripped / tsv.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    reports, originals = [], [str(tsv) for tsv in sorted(SAMPLES.glob("*.tsv"))]  # in the directory's order
    for argv in ([*originals, "--no-blank-lines"], [str(stripped)], originals):
        code, out, _ = run(capsys, "evaluate", *argv, "--json", "--worst", "0")  # the bundled model
        assert code == EXIT_OK
        report = json.loads(out)
        reports.append((report["confusion"], report["page_metric"], report["per_corpus"]))
    assert reports[0] == reports[1]  # the option gives what a file without the blank lines gives
    assert reports[0][:2] != reports[2][:2]  # and the model reads the pages differently without them
    page = LabelledPage(["Title", "", "Body.", "  ", "Footer"], ["content", "blank", "content", "blank", "chrome"],
                        "s.tsv", "example.org", "c")
    assert page.without_blank_lines().lines == ["Title", "Body.", "Footer"]
    assert page.without_blank_lines().labels == ["content", "content", "chrome"]


def test_page_filter_finds_every_training_page_and_few_others(sample_pages):
    from dataclasses import replace

    from linesift.training.overlap import page_filter, trained_on

    meta = page_filter(sample_pages)
    assert all(trained_on(meta, sample_pages))
    relabelled = [replace(p, labels=["chrome" if lab == "content" else lab for lab in p.labels]) for p in sample_pages]
    assert all(trained_on(meta, relabelled))  # the text decides, not the labels
    others = [replace(sample_pages[0], lines=[f"unseen page {i}", "with a second line"]) for i in range(5000)]
    assert sum(trained_on(meta, others)) <= 25  # about 0.1% expected
    for damaged in ({}, {**meta, "data": "not base64!"}, {**meta, "bits": "x"}, {**meta, "bits": 10**9}, None):
        assert trained_on(damaged or {}, sample_pages) == [False] * len(sample_pages)


def test_gzipped_jsonl_is_read_through_gzip_and_a_damaged_one_is_one_line(tmp_path, capsys):
    import gzip

    crawl = tmp_path / "part-0001.JSONL.GZ"
    with gzip.open(crawl, "wt", encoding="utf-8") as handle:
        for i in range(3):
            handle.write(json.dumps({"id": i, "text": PAGE}) + "\n")
    code, out, _ = run(capsys, "predict", str(crawl))
    assert code == EXIT_OK
    assert [json.loads(line)["id"] for line in out.splitlines()] == [0, 1, 2]
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(crawl.read_bytes()[:-12])
    code, out, err = run(capsys, "predict", str(damaged))
    assert code == EXIT_INPUT and out == ""
    assert err.startswith(f"linesift: error: {damaged}: damaged gzip data") and err.count("\n") == 1


@pytest.mark.parametrize("model", [None, "missing.joblib"])
def test_predict_freezes_its_start_up_heap_and_leaves_the_collector_as_it_found_it(tmp_path, capsys, model):
    """The imports and the model are frozen out of the garbage collector; a failed load changes nothing else."""
    import gc

    page = tmp_path / "page.txt"
    page.write_text("A headline\n\nA paragraph of the article, long enough to read as one.\n", encoding="utf-8")
    argv = ["predict", str(page)] + (["--model", str(tmp_path / model)] if model else [])
    gc.unfreeze()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            code, _, err = run(capsys, *argv)
            assert (code == EXIT_OK) == (model is None), err
            assert gc.isenabled() is enabled
            assert gc.get_freeze_count() > 0  # the imported modules' objects, at least
            gc.unfreeze()
    finally:
        gc.enable()
        gc.unfreeze()


def test_json_lines_escape_every_line_break_and_round_trip():
    """Random records of curly quotes, accents, line-break characters and lone surrogates: each JSONL
    line is valid UTF-8, ends in its one newline, holds no raw U+2028/U+2029/U+0085, and reads back as the record."""
    import random

    from linesift.model.io.jsonl import to_json_line

    rng = random.Random(3)
    alphabet = ["a", " ", "\u2019", "\u201c", "\u2014", "\u00e9", "\u00e8", "\u00c5", "\u2026", "\u2028", "\u2029",
                "\x85", "\n", "\u65e5", "\U0001f600", "\ud800", "\"", "\\"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        record = {"id": rng.randint(-2**70, 2**70), "text": text, "lines": [{"text": text[::-1], "score": 0.5}]}
        data = to_json_line(record)
        assert data.endswith(b"\n") and data.count(b"\n") == 1
        assert not any(raw in data for raw in (b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xc2\x85"))
        assert json.loads(data.decode("utf-8")) == record  # valid UTF-8: a lone surrogate goes out as its escape


def test_predict_starts_without_importing_pandas(tmp_path):
    """scikit-learn's optional pandas import is skipped at start-up; pandas still imports afterwards."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("pandas") is None:
        pytest.skip("pandas is not installed here: nothing to skip")
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "out.txt"
    code = ("import sys\n"
            "from linesift.training.cli import main\n"
            f"code = main(['predict', {str(page)!r}, '--out', {str(out)!r}])\n"
            "import sklearn.utils.fixes as fixes\n"
            f"print(code, 'pandas' in sys.modules, fixes.pd is None, 'coastguard' in open({str(out)!r}).read())\n"
            "import pandas\n"
            "print(pandas.__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.split("\n")[:2] == ["0 False True True", "pandas"], done.stdout + done.stderr
