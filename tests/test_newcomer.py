"""A newcomer's first hour, run as a user runs it: the real `linesift` in a subprocess.

Each test pins one convention from the CLI issue: version, -h, short options, usage errors exit 2
naming the real command, honest errors for missing folders and files, other file kinds reported,
--encoding and byte-order marks, a hint when stdin is a terminal, and train's guard rails.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

LINESIFT = str(Path(sys.executable).with_name("linesift"))
PARAGRAPH = ("The council approved the new budget on Tuesday after a long debate, and the mayor said the "
             "money would go to schools, roads and the library.")
PAGE = f"Home | News | Sport\n\nCouncil approves budget\n\n{PARAGRAPH}\n\n{PARAGRAPH}\n\nShare this article\n"


def run(*args: str, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([LINESIFT, *args], input=stdin, capture_output=True, timeout=300, cwd=cwd)


def one_line(err: bytes) -> str:
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_version_names_package_and_bundled_model():
    for flag in ("--version", "-V"):
        done = run(flag)
        assert done.returncode == 0
        out = done.stdout.decode()
        assert out.startswith("linesift ")
        meta = json.loads((Path(__file__).parents[1] / "artifacts" / "linesift.json").read_text())
        assert meta["training_data"]["digest"][:12] in out


def test_dash_h_is_help_everywhere():
    for args in (["-h"], ["predict", "-h"], ["datasets", "build", "-h"]):
        done = run(*args)
        assert done.returncode == 0
        assert b"Usage: linesift" in done.stdout


def test_short_options_work(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    out = tmp_path / "out.txt"
    done = run("predict", "-t", "0.5", "-o", str(out), "-f", "text", str(page))
    assert done.returncode == 0, done.stderr
    assert PARAGRAPH in out.read_text()


@pytest.mark.parametrize("args, named", [
    (["predict", "--threshold", "1.5"], "linesift predict --help"),
    (["predict", "--favor", "precision", "--threshold", "0.1"], "linesift predict --help"),
    (["evaluate", "x.jsonl", "--favor", "recall", "-t", "0.2"], "linesift evaluate --help"),
    (["predict", "--encoding", "no-such-codec"], "linesift predict --help"),
    (["datasets", "build", "--corpus", "nope", "--out", "x"], "linesift datasets build --help"),
])
def test_usage_errors_exit_2_with_one_line_naming_the_real_command(args, named, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    done = run(*args, str(page)) if args[0] == "predict" else run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert named in one_line(done.stderr)


def test_missing_or_empty_corpora_folder_is_an_error(tmp_path):
    done = run("datasets", "build", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "nowhere" in one_line(done.stderr)
    done = run("datasets", "build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "no corpus folders" in one_line(done.stderr)


def test_skip_bad_skips_a_missing_file_and_processes_the_rest(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    done = run("predict", "--skip-bad", str(tmp_path / "missing.txt"), str(page))
    assert done.returncode == 1
    assert PARAGRAPH in done.stdout.decode()
    err = done.stderr.decode()
    assert "missing.txt" in err and "1 input(s) skipped, 1 page(s) processed" in err


def test_folder_reads_any_case_text_files_and_lists_other_kinds(tmp_path):
    (tmp_path / "PAGE.TXT").write_text(PAGE)
    (tmp_path / "notes.md").write_text(PAGE)
    (tmp_path / "a.HTML").write_text("<p>x</p>")
    (tmp_path / "b.csv").write_text("a,b")
    (tmp_path / "c.csv").write_text("c,d")
    done = run("predict", str(tmp_path), "--format", "text")
    assert done.returncode == 0
    out = done.stdout.decode()
    assert "PAGE.TXT <==" in out and "notes.md <==" in out and "a.HTML <==" in out
    assert "2 .csv" in one_line(done.stderr)


def test_encoding_option_and_utf16_with_bom(tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(PAGE.replace("council", "cöuncil").encode("cp1252"))
    done = run("predict", "--encoding", "cp1252", str(legacy))
    assert done.returncode == 0 and "cöuncil" in done.stdout.decode()
    for codec in ("utf-16", "utf-32"):
        wide = tmp_path / f"{codec}.txt"
        wide.write_bytes(PAGE.encode(codec))  # Python writes the byte-order mark
        done = run("predict", str(wide))
        assert done.returncode == 0, done.stderr
        assert PARAGRAPH in done.stdout.decode()


def test_predict_on_a_terminal_stdin_says_it_is_waiting():
    master, slave = pty.openpty()
    proc = subprocess.Popen([LINESIFT, "predict"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    os.write(master, b"\x04")  # Ctrl-D: end of input on a terminal
    _, err = proc.communicate(timeout=120)
    os.close(master)
    assert b"Ctrl-D" in err
    assert proc.returncode == 0


def test_train_warns_on_too_little_data_and_prints_expected_time(tmp_path):
    samples = Path(__file__).parents[1] / "datasets" / "samples"
    done = run("train", str(samples), "-o", str(tmp_path / "m.joblib"), "--no-cv", "--model-type", "logreg")
    assert done.returncode == 0, done.stderr
    err = done.stderr.decode()
    assert "expected time about" in err
    assert "warning: only 10 pages" in err


def test_datasets_build_progress_in_a_log_is_one_line_per_corpus(tmp_path):
    shared = Path(__file__).parents[2] / "shared" / "corpora"
    if not (shared / "l3s-gn1").is_dir():
        pytest.skip("needs ../shared/corpora (the real corpora) beside the checkout")
    done = run("datasets", "build", str(shared), "--corpus", "l3s-gn1", "--limit", "60", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert b"\r" not in done.stderr
    assert done.stderr.decode().splitlines() == ["l3s-gn1: 60 pages"]


def test_predict_never_writes_over_its_own_input(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    done = run("predict", str(page), "--out", str(page))
    assert done.returncode == 1
    assert "overwrite an input" in one_line(done.stderr)
    assert page.read_text() == PAGE


def test_shell_completion_completes_commands_and_options():
    env = {**os.environ, "_LINESIFT_COMPLETE": "complete_bash", "COMP_WORDS": "linesift predict --thr", "COMP_CWORD": "2"}
    done = subprocess.run([LINESIFT], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout.decode().split() == ["--threshold", "--threads"]
    script = run("--show-completion", "bash")
    assert script.returncode == 0 and b"_linesift_completion" in script.stdout
