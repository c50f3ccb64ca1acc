"""Behaviour only a real process shows: closed pipes and Ctrl-C."""

from __future__ import annotations

import json
import os
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
