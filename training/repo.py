"""Where a linesift checkout is: maintainer tools (gate, select, bench) read its files from there,
not from wherever the package happens to be installed."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from linesift.model.errors import LinesiftError

_NAME = re.compile(r'^name\s*=\s*"linesift"\s*$', re.MULTILINE)


def repo_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) holding linesift's
    pyproject.toml; LinesiftError when there is none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        project = folder / "pyproject.toml"
        if project.is_file() and _NAME.search(project.read_text(encoding="utf-8", errors="replace")):
            return folder
    raise LinesiftError("not inside a linesift checkout: run maintainer tools (linesift dev ...) from one",
                        source=str(here))


class UsageError(LinesiftError):
    """A maintainer tool's bad arguments: the CLI reports them as usage errors (exit 2)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one-line usage errors for the CLI's one handler, not its own exit."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")
