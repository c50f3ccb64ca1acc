"""Behaviour only a real process shows: closed pipes and Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

LINESIFT = str(Path(sys.executable).with_name("linesift"))


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    record = {"text": "Storm hits the coast\n\nShare\nWaves reached six metres on Tuesday, officials said.\n" * 20}
    with open(path, "w") as handle:
        for i in range(6000):
            handle.write(json.dumps({"id": i, **record}) + "\n")
    return path


def test_closed_pipe_ends_quietly(big_jsonl):
    proc = subprocess.Popen([LINESIFT, "predict", str(big_jsonl)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    _, err = proc.communicate(timeout=120)
    assert json.loads(first)["id"] == 0
    assert proc.returncode == 0
    assert err == b""


def test_ctrl_c_exits_130_with_one_line_and_leaves_out_file(big_jsonl, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous output\n")
    # A terminal delivers Ctrl-C to a process whose SIGINT is at its default; a test run started in
    # the background (as some CI runners do) would otherwise hand the child an ignored SIGINT.
    proc = subprocess.Popen([LINESIFT, "predict", str(big_jsonl), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Wait until it is writing its temporary output, then interrupt as Ctrl-C would.
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.jsonl.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".out.jsonl.*")), "predict never started writing"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err == b"linesift: interrupted\n"
    assert out.read_text() == "previous output\n"
    assert list(tmp_path.glob(".out.jsonl.*")) == []


def _copy_model(src: Path, dest: Path, **meta_changes) -> Path:
    import shutil

    from linesift.model.modelfile import metadata_path

    shutil.copy(src, dest)
    meta = json.loads(metadata_path(src).read_text())
    meta.update({k: v(meta) if callable(v) else v for k, v in meta_changes.items()})
    metadata_path(dest).write_text(json.dumps(meta))
    return dest


@pytest.mark.parametrize("change, message", [
    ({"feature_names": lambda m: m["feature_names"] + ["prev1:length.telepathy"],
      "feature_definitions": lambda m: {**m["feature_definitions"], "length.telepathy": 1}},
     "does not have: length.telepathy@1"),
    ({"format_version": 99}, "model format version 99 is not readable"),
])
def test_a_model_from_another_release_is_refused_in_one_line(tmp_path, small_model, change, message):
    model = _copy_model(small_model, tmp_path / "other.joblib", **change)
    proc = subprocess.run([LINESIFT, "predict", "--model", str(model), "-"], input=b"Some text.\n",
                          capture_output=True, timeout=60)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and message in err and str(model) in err
    assert proc.stdout == b""


def test_todays_bundled_model_loads():
    from linesift.model.location import bundled_model_path
    from linesift.model.modelfile import load_model

    pipeline, meta = load_model(bundled_model_path())
    assert list(pipeline[0].get_feature_names_out()) == meta["feature_names"]
