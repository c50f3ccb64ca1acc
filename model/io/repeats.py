"""Files of the site-repeats step for runs split over machines: a shard of one part's counted
pages (``linesift repeats count``) and a table of repeated lines merged from every part's shard
(``linesift repeats merge``), each one numpy ``.npy`` array of uint64 in the layout of
``site_repeats.Shard`` / ``RepeatedLines`` (``to_array``), written whole or not at all."""

from __future__ import annotations

import os

import numpy as np

from ..atomic import atomic_write
from ..errors import LinesiftError
from ..site_repeats import RepeatedLines, Shard

#: What each file holds, for messages.
SHARD_WHAT = "a shard of counted lines (from 'linesift repeats count')"
TABLE_WHAT = "a table of repeated lines (from 'linesift repeats merge')"


def save_array(path: str | os.PathLike, array: np.ndarray) -> None:
    """``array`` written to ``path`` atomically (a failed write leaves an old file as it was)."""
    with atomic_write(path, "wb", None) as f:
        np.save(f, array, allow_pickle=False)


def _load(path: str | os.PathLike, what: str) -> np.ndarray:
    try:
        with open(path, "rb") as f:
            return np.load(f, allow_pickle=False)
    except FileNotFoundError:
        raise LinesiftError("no such file", source=os.fspath(path)) from None
    except IsADirectoryError:
        raise LinesiftError("is a directory, not a file", source=os.fspath(path)) from None
    except (OSError, ValueError, EOFError):
        raise LinesiftError(f"not {what}", source=os.fspath(path)) from None


def load_shard(path: str | os.PathLike) -> Shard:
    """The shard saved at ``path``; LinesiftError naming the file for anything else."""
    try:
        return Shard.from_array(_load(path, SHARD_WHAT))
    except ValueError:
        raise LinesiftError(f"not {SHARD_WHAT}", source=os.fspath(path)) from None


def load_table(path: str | os.PathLike) -> RepeatedLines:
    """The table saved at ``path``; LinesiftError naming the file for anything else."""
    try:
        return RepeatedLines.from_array(_load(path, TABLE_WHAT))
    except ValueError:
        raise LinesiftError(f"not {TABLE_WHAT}", source=os.fspath(path)) from None
