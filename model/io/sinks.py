"""What ``predict`` writes: each page rendered as cleaned text, a JSONL record, a TSV page or a
Parquet row, into stdout, one file (``--out``) or one file per input (``--out-dir``), atomically.

Rendering is pure (it runs in worker processes); sinks live in the main process and are the only
writers, so output order and bytes do not depend on how many workers there were.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import AtomicFile, named
from ..errors import DataError, LinesiftError
from ..labels import BLANK, CHROME, CONTENT
from ..result import PageResult
from ..text import utf8, without_surrogates
from .extras import require
from .jsonl import to_json_line
from .sources import Page

TEXT_OUT, JSONL_OUT, TSV_OUT, PARQUET_OUT = "text", "jsonl", "tsv", "parquet"
FORMATS = (TEXT_OUT, JSONL_OUT, TSV_OUT, PARQUET_OUT)
#: What a JSONL or Parquet record carries: ``full`` (record + content + per-line text, label and
#: score), ``content`` (record without its text + content), ``labels`` (record + labels + scores).
EMITS = ("full", "content", "labels")
#: Output formats by suffix (after any compression suffix).
SUFFIX_FORMATS = {".jsonl": JSONL_OUT, ".ndjson": JSONL_OUT, ".parquet": PARQUET_OUT, ".txt": TEXT_OUT,
                  ".text": TEXT_OUT, ".md": TEXT_OUT, ".tsv": TSV_OUT}
FORMAT_SUFFIXES = {TEXT_OUT: ".txt", JSONL_OUT: ".jsonl", TSV_OUT: ".tsv", PARQUET_OUT: ".parquet"}
#: ``labels`` output codes, one per line: content, chrome, blank.
LABEL_CODES = {CONTENT: 1, CHROME: 0, BLANK: -1}
#: The TSV's page marker (datasets/README.md); what follows it is the page's URL or id.
TSV_PAGE_MARKER = "### page"
#: gzip level of .gz outputs: 6 is gzip's own default, a fair trade of size for CPU.
GZIP_LEVEL = 6
#: zstd level of .zst outputs (zstd's default).
ZSTD_LEVEL = 3


@dataclass(frozen=True)
class OutputSpec:
    """How pages are rendered: the format, what records carry, the text field records keep."""

    format: str = TEXT_OUT
    emit: str = "full"
    text_field: str = "text"


def _encode(text: str) -> bytes:
    return utf8(text)


def output_record(record: dict, result: PageResult, emit: str = "full", text_field: str = "text") -> dict:
    """The input record, unchanged and in order, plus what ``emit`` asks for."""
    if emit == "content":
        out = {k: v for k, v in record.items() if k != text_field}
        out["content"] = result.content_text()
        return out
    out = dict(record)
    if emit == "labels":
        out["labels"] = [LABEL_CODES[label] for label in result.labels]
        out["scores"] = result.scores
        return out
    out["content"] = result.content_text()
    out["lines"] = result.line_records()
    return out


def tsv_page(name: str, result: PageResult) -> bytes:
    """One page in the hand-labelling TSV: ``### page NAME``, then ``label<TAB>line`` per line (an
    empty row for a blank line), pre-filled with the model's labels for a person to correct."""
    rows = [f"{TSV_PAGE_MARKER} {name}".rstrip()]
    rows += ["" if label == BLANK else f"{label}\t{line}" for line, label in zip(result.lines, result.labels)]
    return _encode("\n".join(rows) + "\n")


def render(spec: OutputSpec, page: Page, result: PageResult, header: bool, first: bool) -> bytes | dict:
    """One page as ``spec`` says: bytes for text, JSONL and TSV, a row (dict) for Parquet.

    ``header``: text output names the page in a ``==> NAME <==`` line (several pages per output);
    ``first``: the page opens its output (no blank line before its header)."""
    if spec.format == PARQUET_OUT:
        return output_record(page.record, result, spec.emit, spec.text_field)
    if spec.format == JSONL_OUT:
        return to_json_line(output_record(page.record, result, spec.emit, spec.text_field))
    if spec.format == TSV_OUT:
        return tsv_page(page.name, result)
    out = ("" if first else "\n") + f"==> {page.name} <==\n" if header else ""
    cleaned = result.content_text()
    return _encode(out + (cleaned + "\n" if cleaned else ""))


def format_for(path: str | os.PathLike) -> str | None:
    """The output format a file name asks for (``out.jsonl.gz`` -> jsonl), or None."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst", ".zstd"):
        suffixes.pop()
    return SUFFIX_FORMATS.get(suffixes[-1]) if suffixes else None


def compression_for(path: str | os.PathLike) -> str | None:
    """"gzip", "zstd" or None, from an output file's last suffix."""
    last = Path(path).suffix.lower()
    return {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}.get(last)


class Sink:
    """Where rendered pages go; ``commit`` makes them visible, ``abort`` leaves any old file as it was."""

    def write(self, item: Any) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass


class StdoutSink(Sink):
    def write(self, item: bytes) -> None:
        sys.stdout.buffer.write(item)

    def commit(self) -> None:
        sys.stdout.buffer.flush()


class FileSink(Sink):
    """Bytes into a file, gzip- or zstd-compressed as its name says, replaced atomically."""

    def __init__(self, path: str | os.PathLike):
        self.atomic = AtomicFile(path, "wb")
        self.compression = compression_for(path)
        self.stream: Any = self.atomic.handle
        if self.compression == "gzip":
            # No name and no time in the header: the same pages give the same bytes.
            self.stream = gzip.GzipFile(filename="", fileobj=self.atomic.handle, mode="wb",
                                        compresslevel=GZIP_LEVEL, mtime=0)
        elif self.compression == "zstd":
            zstandard = require("zstandard", str(path))
            self.stream = zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(self.atomic.handle, closefd=False)

    def write(self, item: bytes) -> None:
        try:
            self.stream.write(item)
        except OSError as exc:
            raise named(exc, self.atomic.target) from None

    def commit(self) -> None:
        if self.stream is not self.atomic.handle:
            try:
                self.stream.close()
            except OSError as exc:
                self.atomic.abort()
                raise named(exc, self.atomic.target) from None
        self.atomic.commit()

    def abort(self) -> None:
        self.atomic.abort()


class ParquetSink(Sink):
    """Rows into a Parquet file; the first rows fix the schema, and a later record with other
    fields is an error naming it."""

    #: Rows gathered before one row group is written (rows).
    ROWS_PER_GROUP = 4096

    def __init__(self, path: str | os.PathLike):
        self.pa = require("pyarrow", str(path))
        self.pq = require("pyarrow.parquet", str(path))
        self.path = str(path)
        self.atomic = AtomicFile(path, "wb")
        self.rows: list[dict] = []
        self.writer: Any = None
        self.schema: Any = None
        self.written = 0

    def write(self, item: dict) -> None:
        self.rows.append(item)
        if len(self.rows) >= self.ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        if self.schema is None:
            try:
                table = self._table(None)
            except (self.pa.ArrowException, TypeError, ValueError) as exc:
                raise DataError(f"records cannot be stored as Parquet ({exc})", source=self.path) from None
            self.schema = table.schema
            self.writer = self.pq.ParquetWriter(self.atomic.handle, self.schema)
        else:
            names = set(self.schema.names)
            for n, row in enumerate(self.rows):
                extra = set(row) - names
                if extra:
                    raise DataError(f"record {self.written + n + 1} has fields the first records lacked "
                                    f"({', '.join(sorted(extra))}); Parquet needs one schema", source=self.path)
            try:
                table = self._table(self.schema)
            except (self.pa.ArrowException, TypeError, ValueError) as exc:
                raise DataError(f"records after record {self.written} do not fit the first records' "
                                f"types ({exc})", source=self.path) from None
        try:
            self.writer.write_table(table)
        except OSError as exc:
            raise named(exc, self.path) from None
        self.written += len(self.rows)
        self.rows = []

    def _table(self, schema: Any) -> Any:
        """The gathered rows as a table; a lone surrogate, which Parquet's UTF-8 cannot hold, becomes U+FFFD."""
        try:
            return self.pa.Table.from_pylist(self.rows, schema=schema)
        except UnicodeEncodeError:
            return self.pa.Table.from_pylist([without_surrogates(row) for row in self.rows], schema=schema)

    def commit(self) -> None:
        try:
            self._flush()
            if self.writer is None:  # no pages: an empty file with no columns is still valid Parquet
                self.writer = self.pq.ParquetWriter(self.atomic.handle, self.pa.schema([]))
            self.writer.close()
        except BaseException:
            self.abort()
            raise
        self.atomic.commit()

    def abort(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None and writer.is_open:  # else its finaliser writes to the removed file
            with contextlib.suppress(Exception):
                writer.close()
        self.atomic.abort()


def open_sink(path: str | None, fmt: str) -> Sink:
    """The sink for ``--out PATH`` (stdout when None) in format ``fmt``."""
    if fmt == PARQUET_OUT:
        if path is None:
            raise LinesiftError("Parquet output needs a file: give --out NAME.parquet or --out-dir")
        return ParquetSink(path)
    return FileSink(path) if path is not None else StdoutSink()


def out_dir_path(out_dir: str, source: str, root: str, fmt: str, input_compression: str | None) -> str:
    """Where ``--out-dir`` writes the output of ``source``: its path relative to the folder it was
    found in (its name when given directly), its kind's suffixes replaced by the format's (with the
    input's gzip or zstd compression kept for JSONL; text and TSV are for people, and stay plain)."""
    rel = Path(os.path.relpath(source, root)) if root else Path(Path(source).name)
    name = rel.name
    lower = name.lower()
    for suffix in (".gz", ".zst", ".zstd"):
        if lower.endswith(suffix):
            name, lower = name[: -len(suffix)], lower[: -len(suffix)]
            break
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix else name
    suffix = FORMAT_SUFFIXES[fmt]
    if fmt == JSONL_OUT and input_compression:
        suffix += ".gz" if input_compression == "gzip" else ".zst"
    return str(Path(out_dir) / rel.parent / (stem + suffix))
