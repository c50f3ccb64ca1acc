"""The one directory expander: files as given, folders searched recursively for given suffixes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..errors import LinesiftError

STDIN = "-"


def expand_paths(paths: Iterable[str | os.PathLike], suffixes: tuple[str, ...], error: type[LinesiftError] = LinesiftError,
                 allow_stdin: bool = False) -> list[str]:
    """Files named directly (any suffix), and the files with one of ``suffixes`` found in directories
    (recursive, sorted, suffix compared case-insensitively); ``-`` passes through when ``allow_stdin``.

    Raises ``error`` naming a path that does not exist.
    """
    out: list[str] = []
    for raw in paths:
        raw = str(raw)
        if raw == STDIN and allow_stdin:
            out.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            out.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in suffixes and p.is_file())
        elif path.exists():
            out.append(raw)
        else:
            raise error("no such file or directory", source=raw)
    return out


def has_suffix(path: str | os.PathLike, suffixes: tuple[str, ...]) -> bool:
    """Whether ``path`` ends in one of ``suffixes`` (case-insensitive)."""
    return Path(path).suffix.lower() in suffixes
