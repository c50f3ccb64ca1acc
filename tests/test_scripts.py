"""Maintainer tools (`linesift dev ...`) fail like every other command: one stderr line naming the
file, no traceback, the CLI's exit codes; and they find the checkout from the working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from linesift.training.cli import EXIT_INPUT, EXIT_USAGE, main
from linesift.training.repo import repo_root

ROOT = Path(__file__).resolve().parents[1]


def test_missing_data_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    code = main(["dev", "gate", str(missing)])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    assert err.count("\n") == 1 and str(missing) in err and "Traceback" not in err


def test_malformed_record_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "labels": ["content"], "url": "http://a.example/"}\n{"x": 1}\n')
    code = main(["dev", "select", str(bad), "--candidates", "none"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT and f"{bad}:2:" in err


def test_bad_tool_option_is_a_one_line_usage_error(capsys):
    code = main(["dev", "select", "x.jsonl", "--no-such-option"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err == "linesift: usage error: linesift dev select: unrecognized arguments: --no-such-option\n"


def test_interrupt_exits_130(monkeypatch, capsys):
    from linesift.training import gate

    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(gate, "main", interrupted)
    assert main(["dev", "gate", "x"]) == 130
    assert capsys.readouterr().err == "linesift: interrupted\n"


def test_programming_errors_still_raise(monkeypatch):
    from linesift.training import gate

    def broken(argv):
        raise ZeroDivisionError

    monkeypatch.setattr(gate, "main", broken)
    with pytest.raises(ZeroDivisionError):
        main(["dev", "gate", "x"])


def test_checkout_found_from_any_folder_inside_it_and_refused_outside(tmp_path, monkeypatch, capsys):
    assert repo_root(ROOT / "model" / "io") == ROOT
    monkeypatch.chdir(tmp_path)
    code = main(["dev", "bench", "--lines", "10"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT and "not inside a linesift checkout" in err and err.count("\n") == 1


def test_bench_summary_is_the_median_and_range_of_its_runs():
    from linesift.training.bench import Measure, Summary

    runs = [Measure("x", 1000, cpu, cpu, peak) for cpu, peak in ((1.0, 50.0), (4.0, 70.0), (2.0, 60.0))]
    s = Summary("x", 1000, runs)
    assert s.rate == 500.0  # rates 1000, 250, 500: the median
    assert s.spread == (250.0, 1000.0)
    assert s.cpu_seconds == 2.0 and s.peak_mb == 70.0
    assert Summary("x", 1000, runs[:2]).rate == 625.0  # an even count: the mean of the middle two


def test_mutate_stages_an_importable_copy_and_scores_per_module(tmp_path):
    from linesift.training import mutate

    where = tmp_path / "stage"
    mutate.stage(ROOT, where)
    assert (where / "src/linesift/__init__.py").is_file()
    assert (where / "src/linesift/model/predictor.py").is_file() and (where / "src/linesift/training/train.py").is_file()
    assert (where / "tests/test_pins.py").is_file() and (where / "datasets/samples/news.tsv").is_file()
    config = (where / "pyproject.toml").read_text(encoding="utf-8").split("[tool.mutmut]", 1)[1]
    assert '"src/linesift/model/*"' in config and '"src/linesift/training/metrics.py"' in config
    assert "tests/test_newcomer.py" not in config and "--deselect" in config
    assert '"tests/test_engines.py"' in config and '"tests/test_atomic.py"' in config
    for test in mutate.SLOW_TESTS + mutate.FORK_HANGING_TESTS:  # each deselected, and each still a test
        path, name = test.split("::")
        assert f'"--deselect", "{test}"' in config and f"def {name}(" in (ROOT / path).read_text(encoding="utf-8")
    # Every test that starts Ray is on the list (a new one would hang in mutmut's forks, unseen).
    import ast

    starts_ray = {f"tests/{f.name}::{node.name}" for f in sorted((ROOT / "tests").glob("test_*.py"))
                  for node in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
                  and any(isinstance(c, ast.Call) and ast.unparse(c.func) == "ray.init" for c in ast.walk(node))}
    assert starts_ray == set(mutate.FORK_HANGING_TESTS)
    statuses = {"linesift.training.metrics.x_page_f1__mutmut_1": "killed",
                "linesift.training.metrics.x__prf__mutmut_2": "survived",
                "linesift.training.metrics.x__prf__mutmut_3": "segfault",
                "linesift.training.metrics.x__prf__mutmut_4": "skipped",
                "linesift.model.keywords.xǁKeywordIndexǁ__init____mutmut_3": "killed",
                "linesift.model.keywords.x_default_index__mutmut_1": "no tests",
                "linesift.model.keywords.x_default_index__mutmut_2": "timeout"}
    assert mutate.module_of("linesift.model.keywords.xǁKeywordIndexǁ__init____mutmut_3") == "model/keywords.py"
    rows = mutate.table(statuses)
    assert rows[0].split() == ["module", "mutants", "killed", "survived", "no", "tests", "timeout", "segfault", "score"]
    assert rows[1].split() == ["model/keywords.py", "3", "1", "0", "1", "1", "0", "0.333"]
    # A test process killed by a signal proves nothing caught the mutant: it counts as not killed.
    assert rows[2].split() == ["training/metrics.py", "4", "1", "1", "0", "0", "1", "0.333"]
    assert rows[-1].split() == ["all", "7", "2", "1", "1", "1", "1", "0.333"]


def test_mutation_runs_every_test_file_but_the_named_exclusions():
    from linesift.training import mutate

    names = mutate.mutation_tests(ROOT / "tests")
    on_disk = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    assert set(mutate.NOT_MUTATION_TESTS) <= on_disk, "an excluded test file no longer exists: update the list"
    assert set(names) == on_disk - set(mutate.NOT_MUTATION_TESTS) and "test_text_input.py" in names


def test_bench_prints_both_streams_the_ratio_its_rows_give_and_start_up(capsys):
    """A tiny bench: each stream has a linesift and a jusText row, and the ratio line is their quotient."""
    pytest.importorskip("justext", reason="jusText (extra 'peers') is not installed")
    import re

    code = main(["dev", "bench", "--lines", "200", "--crawl-lines", "200", "--justext-lines", "100", "--repeats", "1"])
    out = capsys.readouterr().out
    assert code == 0
    rates = {m.group(1): float(m.group(2).replace(",", "")) for m in
             re.finditer(r"^(linesift, \w+ pages|jusText 3, \w+ pages) +[\d,]+ +[\d.]+ +[\d.]+ +([\d,]+) ", out, re.M)}
    assert len(rates) == 4, out
    for label in ("sample pages", "crawl pages"):
        ratio = float(re.search(rf"^{label}: linesift does ([\d.]+) times", out, re.M).group(1))
        ours, theirs = rates[f"linesift, {label}"], rates[f"jusText 3, {label}"]
        # The rows are rounded to whole lines and the ratio to one decimal: allow exactly that much.
        assert (ours - 0.5) / (theirs + 0.5) - 0.05 <= ratio <= (ours + 0.5) / (theirs - 0.5) + 0.05, out
    assert re.search(r"^start-up: linesift --help [\d.]+ s; predict one page .* [\d.]+ s$", out, re.M)


def test_bench_times_site_repeats_beside_the_plain_run(capsys):
    """With --site-repeats each stream gets a second linesift row, and the cost line is their quotient."""
    import re

    code = main(["dev", "bench", "--lines", "300", "--crawl-lines", "0", "--justext-lines", "0", "--repeats", "1",
                 "--site-repeats", "2", "--merge-keys", "20000"])
    out = capsys.readouterr().out
    assert code == 0
    # the files' commands: count on the stream, merge on synthetic shards of the keys asked for
    assert re.search(r"^linesift repeats count, sample pages +[\d,]+ ", out, re.M), out
    keys = int(re.search(r"^linesift repeats merge, 2 shards +([\d,]+) ", out, re.M).group(1).replace(",", ""))
    assert 19_000 <= keys <= 20_000
    assert re.search(rf"^repeats merge of {keys:,} line keys: [\d,]+ MB peak, [+-][\d,]+ MB over a merge of one page", out, re.M)
    cpu = {m.group(1): float(m.group(2)) for m in
           re.finditer(r"^(linesift(?: --site-repeats)?, sample pages) +[\d,]+ +([\d.]+) ", out, re.M)}
    assert len(cpu) == 2, out
    cost = float(re.search(r"^sample pages: --site-repeats 2 costs ([+-][\d.]+)% CPU time", out, re.M).group(1))
    plain, step = cpu["linesift, sample pages"], cpu["linesift --site-repeats, sample pages"]
    # rows print CPU seconds to one decimal: allow that rounding
    assert (step - 0.05) / (plain + 0.05) - 1 <= cost / 100 + 0.001 and cost / 100 - 0.001 <= (step + 0.05) / (plain - 0.05) - 1, out
    code = main(["dev", "bench", "--against", "HEAD", "--site-repeats", "2"])
    assert code == 2 and "drop --against" in capsys.readouterr().err


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def test_bench_against_exports_the_revision_that_its_child_imports(tmp_path):
    """The revision's files come out as they are in git, and a child given its PYTHONPATH imports them."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: --against needs git's history")
    from linesift.training.bench import export_revision

    where = export_revision(ROOT, "HEAD", tmp_path)
    assert (where / "linesift" / "model" / "batch.py").read_text(encoding="utf-8") == _git("show", "HEAD:model/batch.py")
    env = {**os.environ, "PYTHONPATH": str(where)}
    found = subprocess.run([sys.executable, "-c", "import linesift.model.batch as b; print(b.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout.strip()
    assert Path(found) == where / "linesift" / "model" / "batch.py"


@pytest.mark.parametrize("help_text, has_jobs", [("usage: predict FILE [--format F] [--jobs N]", True),
                                                 ("usage: predict FILE [--format F] [--model M]", False)])
def test_bench_against_runs_revisions_before_jobs_without_it(tmp_path, help_text, has_jobs):
    """A revision whose ``predict --help`` lacks --jobs (the classic model's) is run without the option."""
    from linesift.training.bench import _predict_has_jobs

    cli = tmp_path / "linesift" / "training" / "cli.py"
    cli.parent.mkdir(parents=True)
    cli.write_text(f"print({help_text!r})\n", encoding="utf-8")
    assert _predict_has_jobs({**os.environ, "PYTHONPATH": str(tmp_path)}) is has_jobs
    assert _predict_has_jobs(dict(os.environ)) is True  # this checkout's predict takes it


def test_bench_against_an_unknown_revision_is_one_line(capsys):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: --against needs git's history")
    code = main(["dev", "bench", "--lines", "10", "--crawl-lines", "0", "--against", "no-such-revision-xyz"])
    err = capsys.readouterr().err
    assert code != 0 and "no-such-revision-xyz" in err and err.count("\n") == 1, err


def test_bench_comparison_is_the_median_of_paired_ratios():
    from linesift.training.bench import Comparison, Measure

    ours = [Measure("a", 100, cpu, cpu, 1.0) for cpu in (9.0, 20.0, 8.0)]
    theirs = [Measure("b", 100, cpu, cpu, 1.0) for cpu in (10.0, 10.0, 10.0)]
    c = Comparison("s", "HEAD~1", ours, theirs)
    assert c.ratios == [0.9, 2.0, 0.8]
    assert c.change == pytest.approx(-0.1)  # the middle pair, not the mean of the times (+23%)


@pytest.mark.parametrize("args, says", [(["--pairs", "0"], "--pairs must be 1 or more"),
                                        (["--lines", "0", "--crawl-lines", "0"], "needs a stream")])
def test_bench_against_refuses_nothing_to_compare_in_one_usage_line(capsys, args, says):
    code = main(["dev", "bench", "--against", "HEAD", *args])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and says in err and err.count("\n") == 1, err


@pytest.mark.parametrize("seed_args, seed", [([], 0), (["--seed", "7"], 7)])
def test_select_fits_candidates_and_held_out_runs_with_the_seed_asked_for(tmp_path, monkeypatch, seed_args, seed):
    from linesift.training import select

    samples = str(ROOT / "datasets" / "samples")
    seen = []

    class Stop(Exception):
        pass

    def cv(pages, recipe, **kw):
        seen.append(("cv", recipe.seed))
        raise Stop

    monkeypatch.setattr(select, "leave_one_corpus_out", lambda pages, recipe, **kw: seen.append(("loco", recipe.seed)) or {})
    monkeypatch.setattr(select, "cross_validate", cv)
    out = str(tmp_path / "sel.json")
    assert select.main([samples, "--candidates", "none", "--no-peers", "--loco", "bundled", "--out", out, *seed_args]) == 0
    with pytest.raises(Stop):
        select.main([samples, "--candidates", "logreg", "--no-peers", "--out", out, *seed_args])
    assert seen == [("loco", seed), ("cv", seed)]


def test_held_out_runs_at_fixed_decodings_fit_once_and_decode_at_each(sample_pages, monkeypatch, capsys):
    from dataclasses import replace

    from linesift.model.decode import PageDecoding
    from linesift.training import select
    from linesift.training.recipe import get_recipe

    def no_cv(*args, **kw):
        raise AssertionError("a run at fixed decodings picks no settings by CV")

    monkeypatch.setattr(select, "cross_validate", no_cv)
    held = sample_pages[0].corpus
    pages = list(sample_pages) + [replace(p, corpus="other", source=p.source + "#o") for p in sample_pages]
    keep_all, keep_little = PageDecoding(50.0, -5.0), PageDecoding(0.0, 5.0)
    out = select.leave_one_corpus_out(pages, get_recipe("logreg"), held_out=[held], decodings=[keep_all, keep_little])
    rows = out[held]["fixed"]
    assert [r["decoding"] for r in rows] == [keep_all.as_dict(), keep_little.as_dict()]
    assert rows[0]["line_f1"] != rows[1]["line_f1"]  # each row is decoded at its own settings
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  leave out")]
    assert len(printed) == 2 and printed[0].endswith("decoding 50, -5") and printed[1].endswith("decoding 0, 5")


@pytest.mark.parametrize("text, says", [("0.6:0,0.8", "'0.8': not WEIGHT:SHIFT"), ("-1:0", "'-1:0': settings out of range"),
                                        ("a:0", "'a:0'")])
def test_fixed_decodings_are_parsed_or_refused_by_the_one_at_fault(capsys, text, says):
    from linesift.training.select import parse_decodings

    code = main(["dev", "select", str(ROOT / "datasets" / "samples"), "--candidates", "none", "--no-peers",
                 "--loco", "bundled", f"--loco-decodings={text}"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and says in err and err.count("\n") == 1, err
    assert [(d.recall_weight, d.logit_shift) for d in parse_decodings("0.6:0, 1:0.5")] == [(0.6, 0.0), (1.0, 0.5)]


@pytest.mark.parametrize("args, says", [(["--loco", "no-such-recipe"], "--loco: unknown recipe 'no-such-recipe'"),
                                        (["--loco", "logreg", "--held-out", "news,nosuch"],
                                         "no pages of corpus 'nosuch' in the data (corpora: blog, forum, news, shop)"),
                                        (["--sites", "2"], "--sites must be a share of the sites, above 0 and at most 1"),
                                        (["--loco", "logreg", "--loco-threshold-sites", "0"], "--loco-threshold-sites must"),
                                        (["--loco", "logreg", "--loco-folds", "1"], "--loco-folds must be 2 or more (got 1)"),
                                        (["--loco", "logreg", "--out", "/no-such-folder/sel.json"],
                                         "--out /no-such-folder/sel.json: not a file in an existing folder"),
                                        (["--loco", "logreg", "--errors", "."], "--errors .: not a file in an existing folder")])
def test_select_refuses_an_unknown_recipe_or_corpus_before_any_fit(capsys, monkeypatch, args, says):
    from linesift.training import select

    monkeypatch.setattr(select, "fit", lambda *a, **kw: pytest.fail("fitted before checking its arguments"))
    code = main(["dev", "select", str(ROOT / "datasets" / "samples"), "--candidates", "none", "--no-peers", *args])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and says in err and err.count("\n") == 1, err


def test_select_never_writes_over_its_labelled_input(tmp_path, capsys):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "datasets" / "samples", data)
    target = data / "forum.jsonl"
    before = target.read_bytes()
    code = main(["dev", "select", str(data), "--candidates", "none", "--no-peers", "--out", str(target)])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and "--out" in err and "written over" in err and err.count("\n") == 1, err
    assert target.read_bytes() == before


def test_bench_reports_a_commands_own_peak_memory_not_the_benchs():
    """A child forked by a process that once held 400 MB would report 400 MB; the launcher's does not."""
    import numpy as np
    from linesift.training.bench import measure_child

    held = np.ones(50_000_000)  # 400 MB, touched: this process's peak
    small = measure_child("python", [sys.executable, "-c", "pass"], 1)
    big = measure_child("python", [sys.executable, "-c", "import numpy; x = numpy.ones(25_000_000)"], 1)
    del held
    assert small.peak_mb < 100 and 200 < big.peak_mb < 350, (small, big)
    assert small.cpu_seconds > 0 and big.cpu_seconds > small.cpu_seconds and big.wall_seconds > 0
