"""Atomic file writes: a failed or interrupted run leaves the previous file byte for byte."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


class AtomicFile:
    """A temporary file beside ``path`` that replaces it on ``commit`` and vanishes on ``abort``.

    A symbolic link is written through (the file it names is replaced, the link stays). A device,
    pipe or socket (``/dev/null``, ``/dev/stdout``, a named pipe) has no file to replace: it is
    written directly, and ``abort`` cannot take back what was sent."""

    def __init__(self, path: str | os.PathLike, mode: str = "wb", encoding: str | None = "utf-8"):
        self.direct = _is_special(path)
        if self.direct:
            self.target, self.tmp = Path(path), None
            self.handle: IO = open(path, mode, encoding=None if "b" in mode else encoding)
            return
        self.target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
        try:  # a bare name's parent is "."
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        except OSError as exc:  # name the file asked for, not the temporary one
            exc.filename = str(self.target)
            raise
        os.close(fd)
        # Opened by path so that ``handle.name`` is the temporary file's path.
        self.handle = open(self.tmp, mode, encoding=None if "b" in mode else encoding)

    def commit(self) -> None:
        """Flush to disk and rename into place."""
        if self.direct:
            try:
                self.handle.close()  # flushes
            except OSError as exc:
                raise named(exc, self.target) from None
            return
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.chmod(self.tmp, _mode_for(self.target))
            os.replace(self.tmp, self.target)
        except OSError as exc:
            self.abort()
            if exc.filename == self.tmp:  # the rename's error names the temporary file, now gone
                exc.filename = exc.filename2 = None
            raise named(exc, self.target) from None
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop what was written; the target is untouched."""
        try:
            self.handle.close()
        except OSError:  # its buffer would not flush (a full disk): what was written is dropped anyway
            pass
        if self.tmp is not None:
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
    except OSError as exc:
        atomic.abort()
        raise named(exc, path) from None
    except BaseException:
        atomic.abort()
        raise
    atomic.commit()


def named(exc: OSError, path: str | os.PathLike) -> OSError:
    """``exc`` naming ``path`` when it names no file (a write's "No space left on device" does not),
    so the one-line message says which file failed."""
    if exc.filename is None:
        exc.filename = str(path)
    return exc


def _is_special(path: str | os.PathLike) -> bool:
    """Whether ``path`` (its links followed) exists and is not a regular file or a folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the umask default (like ``open``)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
