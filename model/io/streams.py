"""Opening inputs as byte streams: gzip and zstd recognised by their magic bytes, not their names."""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from typing import IO, Iterator

from ..errors import DataError, LinesiftError
from .extras import require

STDIN = "-"
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: Suffixes that only say how a file is compressed; its kind is the suffix before them.
COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd")
#: Bytes a stream is read ahead by to recognise its kind (bytes).
PEEK_BYTES = 4096


def compression_of(head: bytes) -> str | None:
    """"gzip", "zstd" or None, from a stream's first bytes."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


_STDIN: dict[int, IO[bytes]] = {}


def _stdin() -> IO[bytes]:
    """stdin's bytes as a stream that can be peeked at: the same object every time, so that bytes
    peeked at to recognise its kind are still there for its reader."""
    raw = sys.stdin.buffer
    if hasattr(raw, "peek"):
        return raw
    if id(raw) not in _STDIN:
        _STDIN.clear()
        _STDIN[id(raw)] = io.BufferedReader(raw)  # type: ignore[arg-type]
    return _STDIN[id(raw)]


def file_compression(source: str) -> str | None:
    """A file's compression from its first bytes (None for stdin or an unreadable file)."""
    if source == STDIN:
        return None
    try:
        with open(source, "rb") as handle:
            return compression_of(handle.read(4))
    except OSError:
        return None


def open_raw(source: str) -> IO[bytes]:
    """The file (or stdin) as a buffered binary stream that can be peeked at."""
    if source == STDIN:
        return _stdin()
    try:
        return open(source, "rb")
    except OSError as exc:
        raise LinesiftError(f"cannot read ({exc.strerror})", source=source) from None


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def peek(stream: IO[bytes], n: int = PEEK_BYTES) -> bytes:
    """Up to ``n`` leading bytes of a buffered stream, without consuming them."""
    if hasattr(stream, "peek"):
        return stream.peek(n)[:n]  # type: ignore[attr-defined]
    raise TypeError("stream cannot be peeked")


_STDIN_DECOMPRESSED: dict[int, tuple[IO[bytes], str | None]] = {}


def open_decompressed(source: str) -> tuple[IO[bytes], str | None]:
    """(a buffered stream of the file's bytes, decompressed when gzip or zstd; the compression).
    For stdin, the same stream every time: its decoder has read compressed bytes past what was peeked."""
    raw = open_raw(source)
    if source != STDIN:
        return _decompressed(raw, source)
    if id(raw) not in _STDIN_DECOMPRESSED:
        _STDIN_DECOMPRESSED.clear()
        _STDIN_DECOMPRESSED[id(raw)] = _decompressed(raw, source)
    return _STDIN_DECOMPRESSED[id(raw)]


def _decompressed(raw: IO[bytes], source: str) -> tuple[IO[bytes], str | None]:
    if source == STDIN and stdin_is_terminal():
        return raw, None  # typed text; peeking would swallow the Ctrl-D that ends it
    kind = compression_of(peek(raw))
    if kind == "gzip":
        return io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb")), kind  # type: ignore[arg-type]
    if kind == "zstd":
        return io.BufferedReader(ZstdReader(raw, source)), kind
    return raw, None  # type: ignore[return-value]


class CountingReader(io.RawIOBase):
    """A stream that counts the bytes it has handed out, so that ``tell`` works where the stream
    below cannot (a pipe, a zstd decoder): fastwarc asks each record's offset and panics without it."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer) or 0
        self.position += n
        return n

    def tell(self) -> int:
        return self.position


def with_tell(stream: IO[bytes]) -> IO[bytes]:
    """``stream`` itself when it can seek, else wrapped in a CountingReader."""
    return stream if stream.seekable() else CountingReader(stream)


class ZstdReader(io.RawIOBase):
    """zstd frames decompressed one after another; input that ends inside a frame is an error
    (zstandard's own stream reader returns what it has and stops without one)."""

    #: Compressed bytes read per step (bytes).
    READ_BYTES = 1 << 17

    def __init__(self, raw: IO[bytes], source: str):
        self.zstandard = require("zstandard", source)
        self.raw = raw
        self.dobj = self.zstandard.ZstdDecompressor().decompressobj()
        self.pending = b""
        self.offset = 0  # bytes of ``pending`` already handed out (slicing them off copied the rest each time)
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self.offset == len(self.pending) and not self.done:
            data = self.raw.read(self.READ_BYTES)
            if not data:
                self.done = True
                if not self.dobj.eof and self._started:
                    raise self.zstandard.ZstdError("input ends inside a zstd frame")
                break
            self._started = True
            self.pending, self.offset = self._decompress(data), 0
        n = min(len(buffer), len(self.pending) - self.offset)
        buffer[:n] = memoryview(self.pending)[self.offset:self.offset + n]
        self.offset += n
        return n

    _started = False

    def _decompress(self, data: bytes) -> bytes:
        out = []
        while data:
            if self.dobj.eof:  # the next frame of a multi-frame file
                self.dobj = self.zstandard.ZstdDecompressor().decompressobj()
            out.append(self.dobj.decompress(data))
            data = self.dobj.unused_data if self.dobj.eof else b""
        return b"".join(out)


def damaged(source: str, where: str, exc: BaseException) -> DataError:
    """The one message for compressed data that cannot be read to its end (damaged or cut short)."""
    kind = "zstd" if type(exc).__name__ == "ZstdError" else "gzip"
    return DataError(f"damaged {kind} data {where} ({exc})", source=source)


#: What a damaged gzip or zstd stream raises while it is read.
DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (gzip.BadGzipFile, EOFError, zlib.error)


def decompression_errors() -> tuple[type[BaseException], ...]:
    """DECOMPRESSION_ERRORS plus zstandard's error, when zstandard is installed."""
    try:
        import zstandard

        return DECOMPRESSION_ERRORS + (zstandard.ZstdError,)
    except ImportError:
        return DECOMPRESSION_ERRORS


def numbered_lines(stream: IO[bytes], source: str) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of a byte stream; damaged compressed data is a DataError naming the file."""
    line_no = 0
    try:
        for raw in stream:
            line_no += 1
            yield line_no, raw
    except decompression_errors() as exc:
        raise damaged(source, f"after line {line_no}" if line_no else "from its start", exc) from None
