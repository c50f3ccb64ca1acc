"""Maintainer scripts fail like the CLI does: one stderr line naming the file, no traceback."""

from __future__ import annotations

import pytest
from linesift.training import gate, select
from linesift.training.script import run_script


def test_missing_data_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    code = run_script("linesift.training.gate", lambda: gate.main([str(missing)]))
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and str(missing) in err and "Traceback" not in err


def test_malformed_record_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "labels": ["content"], "url": "http://a.example/"}\n{"x": 1}\n')
    code = run_script("linesift.training.select", lambda: select.main([str(bad), "--candidates", "none"]))
    err = capsys.readouterr().err
    assert code == 1 and f"{bad}:2:" in err


def test_interrupt_exits_130(capsys):
    def interrupted() -> int:
        raise KeyboardInterrupt

    assert run_script("x", interrupted) == 130
    assert capsys.readouterr().err == "x: interrupted\n"


def test_programming_errors_still_raise():
    def broken() -> int:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        run_script("x", broken)
