"""The README's first-screen commands and its Python example run as written."""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def quick_start_block() -> str:
    """The first ```sh block of the README: the commands a newcomer copies."""
    match = re.search(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert match, "README has no ```sh block"
    return match.group(1)


def test_quick_start_commands_run_as_written():
    block = quick_start_block()
    assert "make run" in block and "activate" in block  # set-up, and how the CLI gets on PATH
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    commands = [c for c in commands if c and c != "make test"]  # this test is part of make test
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env["PYTHON"] = sys.executable  # make's venv is already there; this only names an interpreter
    script = "set -e\n" + "\n".join(commands) + "\n"
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=600, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Riverside library reopens" in done.stdout  # the example page's headline, kept
    assert "Copyright" not in done.stdout


def test_python_api_example_is_a_passing_doctest():
    failures, tried = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert tried >= 3
    assert failures == 0
