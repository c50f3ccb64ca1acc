"""``linesift dev mutate`` (``make mutate``): mutation testing with mutmut over the modules that decide
and measure, and the score per module.

mutmut 3 copies the code it mutates into ``mutants/`` and names each mutant after the file's path,
so the code must be importable under the path it lives at. Our checkout maps ``linesift.model`` to
``model/`` (pyproject's package-dir), so the tool stages a copy in ``build/mutate/`` laid out as
``src/linesift/{model,training,artifacts}`` with the tests and our own data, and runs mutmut there.
The checkout itself is never modified.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from linesift.model.errors import LinesiftError

from .repo import ArgumentParser, repo_root

#: What is mutated (paths in the checkout): the code that labels lines, and the code that measures it.
MUTATED = ("model/", "training/train.py", "training/metrics.py", "training/data.py", "training/peers.py")
#: Test files not run against the mutants, and why; every other ``tests/test_*.py`` is (a list of the
#: files to run went stale as tests were added: the WARC, Parquet and atomic-write tests sat outside it).
NOT_MUTATION_TESTS = {
    "test_newcomer.py": "runs linesift in child processes, which mutants never reach",
    "test_readme.py": "runs the README's commands in child processes",
    "test_process.py": "runs linesift in child processes",
    "test_browser.py": "needs headless Chromium",
    "test_gate.py": "re-runs cross-validation for minutes",
}
#: The four tests that train on all samples several times (about 130 s together), and the bench's
#: (linesift in child processes, which mutants never reach): with them a run takes hours. What the
#: first three check is also pinned by faster tests (test_pins.py's CV and threshold tests).
SLOW_TESTS = ("tests/test_cli.py::test_train_predict_evaluate_round_trip",
              "tests/test_cli.py::test_same_seed_same_predictions_and_the_seed_reaches_the_lexicon",
              "tests/test_cli.py::test_train_recipe_bundled_is_the_bundled_models_configuration",
              "tests/test_scripts.py::test_bench_prints_both_streams_the_ratio_its_rows_give_and_start_up",
              "tests/test_pins.py::test_training_reports_each_stage_within_its_fold",
              # Stages a copy of the checkout: inside mutmut's tree there is no checkout to copy.
              "tests/test_scripts.py::test_mutate_stages_an_importable_copy_and_scores_per_module")
#: Tests that start Ray: once Ray has run in mutmut's process (its first pass over the tests), a
#: forked child's ``ray.init`` hangs, and mutmut kills it. Every mutant whose tests reach one of these
#: would end "segfault" instead of "survived", which hid survivors (docs/mutation.md).
FORK_HANGING_TESTS = ("tests/test_engines.py::test_ray_data_function_in_local_mode",
                      "tests/test_engines.py::test_ray_counts_and_revises_as_predict_does")
#: A mutant is a timeout when its tests take this many times their normal duration plus the constant (s).
TIMEOUT_MULTIPLIER, TIMEOUT_CONSTANT = 3.0, 2.0
#: Files of the checkout's top level that tests read.
TOP_FILES = ("Makefile", "README.md")
#: Where the staged copy lives, below the checkout (build/ is not committed).
STAGE = Path("build") / "mutate"
#: Thread-count variables of the numeric libraries (OpenMP, OpenBLAS, MKL).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: mutmut's result names, in the order the table shows them.
STATUSES = ("killed", "survived", "no tests", "timeout", "segfault", "suspicious", "skipped")
#: The results the score counts. "segfault" is mutmut's name for a test process that died by a
#: signal (SIGKILL as well as SIGSEGV): a hang it killed, or a crash, neither of which shows that a
#: test caught the mutant, so it counts as not killed.
SCORED = STATUSES[:5]


def stage(root: Path, where: Path) -> None:
    """A fresh copy of the package as ``src/linesift/...``, the tests, our data and a mutmut config."""
    if where.exists():
        shutil.rmtree(where)
    package = where / "src" / "linesift"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Staged copy for mutation testing."""\n', encoding="utf-8")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("model", "training", "artifacts"):
        shutil.copytree(root / name, package / name, ignore=ignore)
    shutil.copytree(root / "tests", where / "tests", ignore=ignore)
    for data in ("samples", "example"):
        shutil.copytree(root / "datasets" / data, where / "datasets" / data)
    for name in TOP_FILES:
        shutil.copy2(root / name, where / name)
    only = [f"src/linesift/{p}*" if p.endswith("/") else f"src/linesift/{p}" for p in MUTATED]
    tests = [f"tests/{name}" for name in mutation_tests(root / "tests")]
    project = (root / "pyproject.toml").read_text(encoding="utf-8")
    config = ("\n[tool.mutmut]\n"
              'source_paths = ["src/linesift"]\n'
              f"only_mutate = {json.dumps(only)}\n"
              f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
              f"pytest_add_cli_args = {json.dumps([a for t in SLOW_TESTS + FORK_HANGING_TESTS for a in ('--deselect', t)])}\n"
              f"timeout_multiplier = {TIMEOUT_MULTIPLIER}\n"
              f"timeout_constant = {TIMEOUT_CONSTANT}\n"
              f"also_copy = {json.dumps(['datasets', *TOP_FILES])}\n")
    (where / "pyproject.toml").write_text(project + config, encoding="utf-8")


def mutation_tests(tests: Path) -> list[str]:
    """The test files run against the mutants: every ``test_*.py`` in ``tests`` but NOT_MUTATION_TESTS."""
    return sorted(p.name for p in tests.glob("test_*.py") if p.name not in NOT_MUTATION_TESTS)


def mutmut(where: Path, *args: str, log: Path | None = None) -> str:
    """Run mutmut in the staged copy; its output (a progress display) goes to ``log`` when given."""
    exe = Path(sys.executable).with_name("mutmut")
    if not exe.exists():
        raise LinesiftError("mutmut is not installed: pip install -e '.[dev]'")
    # mutmut forks a child per mutant after the tests have run once: an OpenMP pool (scikit-learn's
    # trees) started in the parent hangs in a forked child, so every library gets one thread.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **{v: "1" for v in THREAD_VARIABLES}}
    if log is not None:
        with open(log, "w", encoding="utf-8") as handle:
            done = subprocess.run([str(exe), *args], cwd=where, stdout=handle, stderr=subprocess.STDOUT, env=env)
        if done.returncode:
            raise LinesiftError(f"mutmut {args[0]} failed (exit {done.returncode}); its output is in {log}")
        return ""
    done = subprocess.run([str(exe), *args], cwd=where, capture_output=True, text=True, env=env)
    if done.returncode:
        raise LinesiftError(f"mutmut {args[0]} failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    return done.stdout


_RESULT = re.compile(r"^\s*(\S+__mutmut_\d+): (.+?)\s*$")


def results(where: Path) -> dict[str, str]:
    """Every mutant's name and status."""
    return {m.group(1): m.group(2) for line in mutmut(where, "results", "--all", "true").splitlines()
            if (m := _RESULT.match(line))}


def module_of(name: str) -> str:
    """``linesift.training.metrics.x_page_f1__mutmut_3`` -> ``training/metrics.py``."""
    dotted = name.split("__mutmut_")[0].rsplit(".", 1)[0]
    return dotted.removeprefix("linesift.").replace(".", "/") + ".py"


def table(statuses: dict[str, str]) -> list[str]:
    """Counts per module and in all, and the score: killed / (killed + survived + no tests + timeout + segfault)."""
    by_module: dict[str, Counter] = defaultdict(Counter)
    for name, status in statuses.items():
        by_module[module_of(name)][status] += 1
    total = sum(by_module.values(), Counter())
    head = f"{'module':<26} {'mutants':>7} " + " ".join(f"{s:>9}" for s in SCORED) + f" {'score':>6}"
    rows = [head]
    for module, c in sorted(by_module.items()) + [("all", total)]:
        counted = sum(c[s] for s in SCORED)
        score = c["killed"] / counted if counted else float("nan")
        rows.append(f"{module:<26} {sum(c.values()):>7} " + " ".join(f"{c[s]:>9}" for s in SCORED) + f" {score:>6.3f}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="linesift dev mutate", description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    parser.add_argument("--survivors", action="store_true", help="also print the diff of every surviving mutant")
    parser.add_argument("--json", dest="json_out", help="write every mutant's status to this JSON file")
    parser.add_argument("--only", action="append", metavar="PATTERN",
                        help="test only the mutants whose names match (fnmatch; repeatable), e.g. 'linesift.training.metrics.*'")
    args = parser.parse_args(argv)
    root = repo_root()
    where = root / STAGE
    started = time.monotonic()
    stage(root, where)
    print(f"staged {where}; mutating {', '.join(MUTATED)}", flush=True)
    mutmut(where, "run", "--max-children", str(args.max_children), *(args.only or []), log=where / "mutmut-run.log")
    statuses = results(where)
    if args.only:
        statuses = {n: s for n, s in statuses.items() if any(fnmatch.fnmatch(n, p) for p in args.only)}
    print(f"{len(statuses):,} mutants in {(time.monotonic() - started) / 60:.1f} min")
    print("\n".join(table(statuses)))
    survivors = sorted(n for n, s in statuses.items() if s != "killed")
    print(f"not killed ({len(survivors)}): {os.path.relpath(where / 'mutmut-run.log', Path.cwd())} has the run's output; "
          f"`cd {STAGE} && mutmut show NAME` shows a mutant")
    for name in survivors:
        print(f"  {statuses[name]:<9} {name}")
        if args.survivors and statuses[name] == "survived":
            print("    " + mutmut(where, "show", name).strip().replace("\n", "\n    "))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(statuses, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0
