"""Every input ``predict`` reads, as one stream of pages: text, JSONL, Parquet, WARC/WET and HTML.

A file's kind comes from its name (a compression suffix ``.gz``/``.zst`` looked through) and, for
names that say nothing, from its first bytes; compression is always read from the bytes. Each
reader yields ``Page`` objects and raises DataError naming the file and line, row or record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import DataError, LinesiftError
from ..text import BOMS, decode_page, refuse_binary
from .extras import require
from .jsonl import parse_record
from .paths import expand_paths
from .streams import (
    COMPRESSION_SUFFIXES,
    STDIN,
    damaged,
    decompression_errors,
    numbered_lines,
    open_decompressed,
    peek,
    stdin_is_terminal,
    with_tell,
)

TEXT, JSONL, PARQUET, WARC, HTML = "text", "jsonl", "parquet", "warc", "html"
#: Input kinds by suffix (any case; after any compression suffix).
SUFFIX_KINDS = {".txt": TEXT, ".text": TEXT, ".md": TEXT, ".jsonl": JSONL, ".ndjson": JSONL,
                ".parquet": PARQUET, ".warc": WARC, ".wet": WARC, ".html": HTML, ".htm": HTML, ".xhtml": HTML}
#: Kinds that hold many pages (records); the others are one page per file.
RECORD_KINDS = (JSONL, PARQUET, WARC)
#: Parquet rows read per batch (rows).
PARQUET_BATCH_ROWS = 1024
BOM_PREFIXES = tuple(bom for bom, _ in BOMS)
#: How a page's text begins when it is really markup (lower-cased, leading space dropped).
_MARKUP_STARTS = (b"<!doctype html", b"<html", b"<?xml version")


@dataclass
class Page:
    """One page to label: its input record (written back with the labels), its text, a display name."""

    record: dict[str, Any]
    text: str
    name: str
    input_index: int = 0


@dataclass(frozen=True)
class ReadOptions:
    """How records are read: the text field, the id field, the text encoding (None: detect)."""

    text_field: str = "text"
    id_field: str | None = None
    encoding: str | None = None


def kind_by_name(path: str | os.PathLike) -> str | None:
    """The kind a file's name says (``a.WET.gz`` -> warc), or None."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes.pop()
    return SUFFIX_KINDS.get(suffixes[-1]) if suffixes else None


def sniff_kind(head: bytes) -> str:
    """The kind of a stream whose name says nothing, from its first (decompressed) bytes."""
    if head.startswith(b"PAR1"):
        return PARQUET
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"WARC/"):
        return WARC
    if start.startswith(b"{"):
        return JSONL
    if looks_like_markup(start):
        return HTML
    return TEXT


def looks_like_markup(head: bytes) -> bool:
    """Whether a text page is really an HTML document (it opens with a doctype or <html>)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower().startswith(_MARKUP_STARTS)


def expand_inputs(paths: Iterable[str], ignored: list[str] | None = None,
                  missing: list[str] | None = None) -> list[tuple[str, str]]:
    """(file, root it was found under) for each input: files as given, ``-`` as stdin, directories
    searched recursively (sorted) for every known kind; unknown files go to ``ignored``, absent
    paths to ``missing`` (when given, else LinesiftError)."""
    out: list[tuple[str, str]] = []
    for raw in paths:
        raw = str(raw)
        root = raw if raw != STDIN and Path(raw).is_dir() else ""
        found = expand_paths([raw], allow_stdin=True, ignored=ignored, missing=missing,
                             accept=lambda p: bool(kind_by_name(p)))
        out.extend((f, root) for f in found)
    return out


def input_kind(source: str) -> str:
    """The kind of one input: by name, checked against its bytes for text pages (markup is HTML)."""
    by_name = kind_by_name(source) if source != STDIN else None
    if by_name in (JSONL, PARQUET, WARC, HTML):
        return by_name
    if by_name is None and source != STDIN and _is_parquet(source):
        return PARQUET
    if source == STDIN and stdin_is_terminal():
        return TEXT  # typed text; peeking would swallow the Ctrl-D that ends it
    stream, _ = open_decompressed(source)
    try:
        head = peek(stream)
    except decompression_errors() as exc:
        raise damaged("<stdin>" if source == STDIN else source, "from its start", exc) from None
    finally:
        if source != STDIN:
            stream.close()
    if by_name == TEXT:
        return HTML if looks_like_markup(head) else TEXT
    return sniff_kind(head)


def input_kinds(sources: list[str], skip_bad: bool = False) -> tuple[list[int], list[str], list[LinesiftError]]:
    """(indices of the sources whose kind was found, their kinds, the errors of the others): an
    input whose start cannot be read stops the run unless ``skip_bad``, as a bad record does."""
    kept: list[int] = []
    kinds: list[str] = []
    bad: list[LinesiftError] = []
    for index, source in enumerate(sources):
        try:
            kinds.append(input_kind(source))
        except LinesiftError as exc:
            if not skip_bad:
                raise
            bad.append(exc)
        else:
            kept.append(index)
    return kept, kinds, bad


def _is_parquet(source: str) -> bool:
    try:
        with open(source, "rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError:
        return False


def display_name(record: dict[str, Any], options: ReadOptions, where: str) -> str:
    """A record's name in headers and TSV pages: the id field, else its url or id, else its place."""
    for key in ((options.id_field,) if options.id_field else ("url", "id")):
        value = record.get(key)
        if value is not None and value != "":
            return str(value)
    return where


def read_text_page(source: str, options: ReadOptions) -> Iterator[Page]:
    """A text page (decompressed when gzip or zstd)."""
    name = "<stdin>" if source == STDIN else source
    data = _read_all(source)
    text = decode_page(data, name, options.encoding)
    yield Page({"id": name, options.text_field: text}, text, name)


def read_html_page(source: str, options: ReadOptions) -> Iterator[Page]:
    """An HTML page, converted to lines by PREDICT_CONVERTER; its declared URL kept as ``url``."""
    from .html import html_page

    name = "<stdin>" if source == STDIN else source
    data = _read_all(source)
    if not data.startswith(BOM_PREFIXES):  # UTF-16/32 pages hold NUL bytes and are still text
        refuse_binary(data, name)
    text, url = html_page(data)
    record: dict[str, Any] = {"id": name}
    if url:
        record["url"] = url
    record[options.text_field] = text
    yield Page(record, text, name)


def _read_all(source: str) -> bytes:
    stream, _ = open_decompressed(source)
    try:
        return stream.read()
    except decompression_errors() as exc:
        raise damaged(source, "before its end", exc) from None
    except OSError as exc:
        raise LinesiftError(f"cannot read ({exc.strerror})", source=source) from None
    finally:
        if source != STDIN:
            stream.close()


def read_jsonl(source: str, options: ReadOptions, on_bad: Callable[[DataError], None]) -> Iterator[Page]:
    """One page per JSONL record (its ``text_field``); bad records go to ``on_bad``."""
    name = "<stdin>" if source == STDIN else source
    stream, _ = open_decompressed(source)
    try:
        for line_no, raw in numbered_lines(stream, name):
            try:
                record = parse_record(raw, name, line_no, {options.text_field: str})
            except DataError as exc:
                on_bad(exc)
                continue
            if record is not None:
                yield Page(record, record[options.text_field], display_name(record, options, f"{name}:{line_no}"))
    finally:
        if source != STDIN:
            stream.close()


def read_parquet(source: str, options: ReadOptions, on_bad: Callable[[DataError], None]) -> Iterator[Page]:
    """One page per Parquet row (its ``text_field`` column); a row without text goes to ``on_bad``."""
    if source == STDIN:
        raise LinesiftError("Parquet cannot be read from stdin (it is read from its end): give the file", source="<stdin>")
    pa = require("pyarrow", source)
    pq = require("pyarrow.parquet", source)
    try:
        parquet = pq.ParquetFile(source)
        schema = parquet.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"not a readable Parquet file ({_first_line(exc)})", source=source) from None
    if options.text_field not in schema.names:
        raise DataError(f"no text column {options.text_field!r} (columns: {', '.join(schema.names)}; "
                        "choose one with --text-field)", source=source)
    if not (pa.types.is_string(schema.field(options.text_field).type)
            or pa.types.is_large_string(schema.field(options.text_field).type)):
        raise DataError(f"column {options.text_field!r} is {schema.field(options.text_field).type}, not text",
                        source=source)
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for record in batch.to_pylist():
                row += 1
                text = record.get(options.text_field)
                if not isinstance(text, str):
                    on_bad(DataError(f"row has no text in column {options.text_field!r}", source=source, line=row))
                    continue
                yield Page(record, text, display_name(record, options, f"{source}:row {row}"))
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"damaged Parquet data after row {row} ({_first_line(exc)})", source=source) from None


def read_warc(source: str, options: ReadOptions, on_bad: Callable[[DataError], None]) -> Iterator[Page]:
    """One page per WARC ``conversion`` record (WET text) or HTML ``response`` record (converted
    like HTML input), with ``WARC-Target-URI`` as ``url`` and ``WARC-Record-ID`` as ``id``; a
    record whose block is shorter than its Content-Length, is not text, or holds HTML in a coding
    that cannot be undone goes to ``on_bad`` (named by its number and id) and the next is read."""
    warc = require("fastwarc.warc", source)
    name = "<stdin>" if source == STDIN else source
    stream, _ = open_decompressed(source)
    number = 0
    try:
        for rec in warc.ArchiveIterator(with_tell(stream), record_types=warc.WarcRecordType.any_type, parse_http=False):
            number += 1
            if rec.record_type == warc.WarcRecordType.no_type and not rec.record_id and not rec.headers:
                # fastwarc's reading of a "WARC/1.x" line followed by no header at all: not a record
                if number == 1:
                    raise DataError("no WARC record found (not a WARC or WET file?)", source=name)
                raise DataError(f"damaged WARC data after record {number - 1} (a WARC line without headers)", source=name)
            if rec.record_type not in (warc.WarcRecordType.conversion, warc.WarcRecordType.response):
                continue
            body = rec.reader.read()
            record_id = rec.record_id or ""
            where = f"record {number} ({record_id})" if record_id else f"record {number}"
            if len(body) < rec.content_length:
                on_bad(DataError(f"WARC {where} is cut short ({len(body)} of {rec.content_length} bytes)", source=name))
                continue
            if rec.record_type == warc.WarcRecordType.conversion:
                try:
                    text = decode_page(body, f"{name}: {where}")
                except LinesiftError as exc:
                    on_bad(DataError(f"WARC {where}: {exc.reason}", source=name))
                    continue
            else:
                try:
                    payload = _html_payload(body)
                except ValueError as exc:
                    on_bad(DataError(f"WARC {where}: {exc}", source=name))
                    continue
                if payload is None:
                    continue
                from .html import html_page

                text, _ = html_page(payload)
            url = rec.headers.get("WARC-Target-URI", "") or ""
            record = {"id": record_id, "url": url, "date": rec.headers.get("WARC-Date", "") or "",
                      options.text_field: text}
            yield Page(record, text, url or record_id or f"{name}: {where}")
    except decompression_errors() as exc:
        raise damaged(name, f"after WARC record {number}" if number else "from its start", exc) from None
    except OSError as exc:  # fastwarc: "Invalid WARC header"
        if number == 0:
            raise DataError(f"no WARC record found (not a WARC or WET file? {exc})", source=name) from None
        raise DataError(f"damaged WARC data after record {number} ({exc})", source=name) from None
    except BaseException as exc:  # a panic in fastwarc's Rust code (pyo3's PanicException is a BaseException)
        if type(exc).__name__ != "PanicException":
            raise
        raise DataError(f"the WARC reader failed after record {number} ({_first_line(exc)})", source=name) from None
    finally:
        if source != STDIN:
            stream.close()
    if number == 0 and not _is_empty(source):
        raise DataError("no WARC record found (not a WARC or WET file?)", source=name)


def _html_payload(block: bytes) -> bytes | None:
    """The body of an HTTP response block when it is HTML (a gzip or deflate coding undone), else
    None; ValueError when its coding cannot be undone (brotli, zstd) or its compressed body is damaged."""
    head, sep, payload = block.partition(b"\r\n\r\n")
    if not sep:
        return None
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        headers[key.strip().lower()] = value.strip().lower()
    if b"html" not in headers.get(b"content-type", b""):
        return None
    coding = headers.get(b"content-encoding", b"identity")
    if coding in (b"", b"identity"):
        return payload
    if coding not in (b"gzip", b"x-gzip", b"deflate"):
        raise ValueError(f"its HTML is {coding.decode('latin-1')}-coded, which linesift cannot undo")
    import zlib

    # gzip, or deflate as zlib data or (as some servers send it) raw.
    for wbits in ((16 + zlib.MAX_WBITS,) if coding != b"deflate" else (zlib.MAX_WBITS, -zlib.MAX_WBITS)):
        try:
            decoder = zlib.decompressobj(wbits)
            body = decoder.decompress(payload) + decoder.flush()
        except zlib.error:
            continue
        if decoder.eof:
            return body
    raise ValueError(f"its {coding.decode('latin-1')}-coded HTML is damaged")


def _is_empty(source: str) -> bool:
    return source != STDIN and os.path.getsize(source) == 0


READERS = {TEXT: read_text_page, HTML: read_html_page}
STREAM_READERS = {JSONL: read_jsonl, PARQUET: read_parquet, WARC: read_warc}


def read_pages(sources: list[str], kinds: list[str], options: ReadOptions,
               on_bad: Callable[[DataError], None], on_unreadable: Callable[[int, LinesiftError], None]) -> Iterator[Page]:
    """Every page of every input in order, each tagged with its input's index.

    A bad record goes to ``on_bad`` (which raises to stop); an input that cannot be read at all
    goes to ``on_unreadable`` with its index (which raises to stop)."""
    for index, (source, kind) in enumerate(zip(sources, kinds)):
        try:
            if kind in STREAM_READERS:
                pages = STREAM_READERS[kind](source, options, on_bad)
            else:
                pages = READERS[kind](source, options)
            for page in pages:
                page.input_index = index
                yield page
        except LinesiftError as exc:
            on_unreadable(index, exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
