"""Inputs and outputs of ``linesift predict``: text pages and JSONL streams, in bounded memory.

Policy for bad input: by default the first bad file or record stops the run (exit 1, ``--out``
untouched). With ``skip_bad`` each bad one is reported, skipped and counted, and the rest is
processed. Output is never written for a record that was not processed.
"""

from __future__ import annotations

import json
import os
import sys

import orjson
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from linesift.model.errors import DataError, LinesiftError
from linesift.model.predictor import PageResult, Predictor
from linesift.model.text import decode_page, split_lines

#: Lines gathered from a JSONL stream before one prediction call; bounds memory (lines).
CHUNK_LINES = 32_768
#: Records gathered before one prediction call, whatever their size.
CHUNK_RECORDS = 4_096
TEXT_SUFFIXES = (".txt",)
STDIN = "-"


@dataclass
class RunStats:
    """What a predict run did; ``problems`` holds one line per skipped input."""

    pages: int = 0
    lines: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def expand_text_inputs(paths: Iterable[str]) -> list[str]:
    """Files as given, ``-`` as stdin, directories as their ``*.txt`` files (recursive, sorted)."""
    out: list[str] = []
    for raw in paths:
        if raw == STDIN:
            out.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            out.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix in TEXT_SUFFIXES and p.is_file())
        elif path.exists():
            out.append(raw)
        else:
            raise LinesiftError("no such file or directory", source=raw)
    return out


def is_jsonl(path: str) -> bool:
    return path.endswith(".jsonl")


def read_page(source: str) -> str:
    """A text page from a file or stdin, decoded; NotTextError for binary input."""
    try:
        data = sys.stdin.buffer.read() if source == STDIN else Path(source).read_bytes()
    except OSError as exc:
        raise LinesiftError(f"cannot read ({exc.strerror})", source=source) from None
    return decode_page(data, "<stdin>" if source == STDIN else source)


Writer = Callable[[bytes], object]


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def predict_text_files(predictor: Predictor, sources: list[str], write: Writer,
                       skip_bad: bool, stats: RunStats) -> None:
    """Write each page's cleaned text; with several inputs each gets a ``==> NAME <==`` header."""
    for n, source in enumerate(sources):
        try:
            text = read_page(source)
        except LinesiftError as exc:
            if not skip_bad:
                raise
            stats.skipped += 1
            stats.problems.append(str(exc))
            continue
        result = predictor.predict_text(text)
        stats.pages += 1
        stats.lines += len(result.lines)
        if len(sources) > 1:
            write(_encode(("\n" if n else "") + f"==> {source} <==\n"))
        cleaned = result.content_text()
        if cleaned:
            write(_encode(cleaned + "\n"))


def _open_binary(source: str) -> IO[bytes]:
    if source == STDIN:
        return sys.stdin.buffer
    try:
        return open(source, "rb")
    except OSError as exc:
        raise LinesiftError(f"cannot read ({exc.strerror})", source=source) from None


def parse_record(raw: bytes, source: str, line_no: int) -> dict | None:
    """One JSONL record with a string ``text``; None for an empty line; DataError otherwise."""
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
    except UnicodeDecodeError:
        raise DataError("record is not UTF-8", source=source, line=line_no) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON ({exc.msg} at column {exc.colno})", source=source, line=line_no) from None
    except RecursionError:
        raise DataError("record is nested too deeply", source=source, line=line_no) from None
    if not isinstance(record, dict):
        raise DataError("record is not a JSON object", source=source, line=line_no)
    if not isinstance(record.get("text"), str):
        raise DataError("record has no string field 'text'", source=source, line=line_no)
    return record


#: UTF-8 of the characters ``str.splitlines`` breaks on that JSON writers leave raw (U+2028, U+2029,
#: U+0085). They can only occur inside strings, so escaping them keeps one record per line for every reader.
_LINE_BREAKS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"), (b"\xc2\x85", b"\\u0085"))


def to_json_line(obj: dict) -> bytes:
    """One JSONL line as UTF-8 bytes, with no character any reader could split the record on."""
    try:
        data = orjson.dumps(obj)
    except (orjson.JSONEncodeError, TypeError):  # lone surrogates, huge ints: the slow, lenient encoder
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
    for raw, escaped in _LINE_BREAKS:
        if raw in data:
            data = data.replace(raw, escaped)
    return data + b"\n"


def output_record(record: dict, result: PageResult) -> dict:
    """The input object, unchanged and in order, plus ``content`` and ``lines``."""
    out = dict(record)
    out["content"] = result.content_text()
    out["lines"] = result.line_records()
    return out


def predict_jsonl(predictor: Predictor, sources: list[str], write: Writer, skip_bad: bool,
                  stats: RunStats) -> None:
    """Stream JSONL records through the model in chunks of about CHUNK_LINES lines."""
    pending: list[dict] = []
    pages: list[list[str]] = []
    size = 0

    def flush() -> None:
        nonlocal size
        for record, result in zip(pending, predictor.predict_pages(pages)):
            write(to_json_line(output_record(record, result)))
            stats.pages += 1
            stats.lines += len(result.lines)
        pending.clear()
        pages.clear()
        size = 0

    for source in sources:
        name = "<stdin>" if source == STDIN else source
        handle = _open_binary(source)
        try:
            for line_no, raw in enumerate(handle, start=1):
                try:
                    record = parse_record(raw, name, line_no)
                except DataError as exc:
                    if not skip_bad:
                        flush()
                        raise
                    stats.skipped += 1
                    stats.problems.append(str(exc))
                    continue
                if record is None:
                    continue
                lines = split_lines(record["text"])
                pending.append(record)
                pages.append(lines)
                size += len(lines)
                if size >= CHUNK_LINES or len(pending) >= CHUNK_RECORDS:
                    flush()
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()
    flush()


def stdout_writer() -> Writer:
    return sys.stdout.buffer.write


def ensure_parent(path: str) -> None:
    parent = Path(path).parent
    if str(parent) and not parent.is_dir():
        raise LinesiftError("output directory does not exist", source=str(path))
    if os.path.isdir(path):
        raise LinesiftError("output path is a directory", source=str(path))
