"""Atomic file writes: a failed or interrupted run leaves the previous file byte for byte."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


class AtomicFile:
    """A temporary file beside ``path`` that replaces it on ``commit`` and vanishes on ``abort``."""

    def __init__(self, path: str | os.PathLike, mode: str = "wb", encoding: str | None = "utf-8"):
        self.target = Path(path)
        directory = self.target.parent if str(self.target.parent) else Path(".")
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
        # Opened by path so that ``handle.name`` is the temporary file's path.
        self.handle: IO = open(self.tmp, mode, encoding=None if "b" in mode else encoding)

    def commit(self) -> None:
        """Flush to disk and rename into place."""
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.chmod(self.tmp, _mode_for(self.target))
            os.replace(self.tmp, self.target)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop what was written; the target is untouched."""
        self.handle.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    atomic = AtomicFile(path, mode, encoding)
    try:
        yield atomic.handle
    except BaseException:
        atomic.abort()
        raise
    atomic.commit()


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the umask default (like ``open``)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
