"""The one directory expander: files as given, folders searched recursively for given suffixes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from ..errors import LinesiftError

STDIN = "-"


def expand_paths(paths: Iterable[str | os.PathLike], suffixes: tuple[str, ...] = (), error: type[LinesiftError] = LinesiftError,
                 allow_stdin: bool = False, ignored: list[str] | None = None,
                 missing: list[str] | None = None, accept: Callable[[Path], bool] | None = None) -> list[str]:
    """Files named directly (any suffix), and the files found in directories (recursive, sorted,
    hidden files left out) that have one of ``suffixes`` (case-insensitive) or that ``accept``
    takes; ``-`` passes through when ``allow_stdin``.

    Files of other kinds found in directories are appended to ``ignored`` (when given). A path
    that does not exist raises ``error`` naming it, or is appended to ``missing`` when that is given.
    """
    wanted = accept or (lambda p: p.suffix.lower() in suffixes)
    out: list[str] = []
    for raw in paths:
        raw = str(raw)
        if raw == STDIN and allow_stdin:
            out.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if not p.is_file() or p.name.startswith("."):
                    continue
                if wanted(p):
                    out.append(str(p))
                elif ignored is not None:
                    ignored.append(str(p))
        elif path.exists():
            out.append(raw)
        elif missing is not None:
            missing.append(raw)
        else:
            raise error("no such file or directory", source=raw)
    return out


def kinds_summary(files: Iterable[str]) -> str:
    """"3 .md, 1 .html, 2 without a suffix": how many files of each kind, most common first."""
    counts: dict[str, int] = {}
    for f in files:
        kind = Path(f).suffix.lower() or "without a suffix"
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def has_suffix(path: str | os.PathLike, suffixes: tuple[str, ...]) -> bool:
    """Whether ``path`` ends in one of ``suffixes`` (case-insensitive)."""
    return Path(path).suffix.lower() in suffixes
