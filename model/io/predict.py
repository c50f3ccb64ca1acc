"""Inputs and outputs of ``linesift predict``: text pages and JSONL streams, in bounded memory.

Policy for bad input: by default the first bad file or record stops the run (exit 1, ``--out``
untouched). With ``skip_bad`` each bad one is reported, skipped and counted, and the rest is
processed. Output is never written for a record that was not processed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable

from ..errors import DataError, LinesiftError
from ..labels import BLANK
from ..predictor import PageResult, Predictor
from ..text import decode_page, split_lines
from .jsonl import parse_record, to_json_line
from .paths import STDIN, expand_paths, has_suffix

#: Lines gathered from a JSONL stream before one prediction call; bounds memory (lines).
CHUNK_LINES = 32_768
#: Records gathered before one prediction call, whatever their size.
CHUNK_RECORDS = 4_096
#: What a folder's text pages are called; other files are listed, not read.
TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl",)
#: Gzipped JSONL, as crawl tools write it: decompressed on the fly.
GZIP_JSONL_SUFFIX = ".jsonl.gz"


@dataclass
class RunStats:
    """What a predict run did; ``problems`` holds one line per skipped input."""

    pages: int = 0
    lines: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def expand_text_inputs(paths: Iterable[str], ignored: list[str] | None = None,
                       missing: list[str] | None = None) -> list[str]:
    """Files as given, ``-`` as stdin, directories as their text files (TEXT_SUFFIXES, any case;
    recursive, sorted); other files go to ``ignored``, absent paths to ``missing`` (when given)."""
    return expand_paths(paths, TEXT_SUFFIXES, allow_stdin=True, ignored=ignored, missing=missing)


def is_jsonl(path: str) -> bool:
    """A JSONL input by its name: ``.jsonl``, or ``.jsonl.gz`` (read through gzip), any case."""
    name = str(path).lower()
    return has_suffix(path, JSONL_SUFFIXES) or name.endswith(GZIP_JSONL_SUFFIX)


def read_page(source: str, encoding: str | None = None) -> str:
    """A text page from a file or stdin, decoded (as ``encoding`` when given); NotTextError for binary input."""
    try:
        data = sys.stdin.buffer.read() if source == STDIN else Path(source).read_bytes()
    except OSError as exc:
        raise LinesiftError(f"cannot read ({exc.strerror})", source=source) from None
    return decode_page(data, "<stdin>" if source == STDIN else source, encoding)


Writer = Callable[[bytes], object]


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


#: Output formats: cleaned text, JSONL records with per-line labels, or the hand-labelling TSV.
OUTPUTS = ("text", "jsonl", "tsv")
#: The TSV's page marker (datasets/README.md); what follows it is the page's URL or id.
TSV_PAGE_MARKER = "### page"


def tsv_page(name: str, result: PageResult) -> bytes:
    """One page in the hand-labelling TSV: ``### page NAME``, then ``label<TAB>line`` per line (an
    empty row for a blank line), pre-filled with the model's labels for a person to correct."""
    rows = [f"{TSV_PAGE_MARKER} {name}".rstrip()]
    rows += ["" if label == BLANK else f"{label}\t{line}" for line, label in zip(result.lines, result.labels)]
    return _encode("\n".join(rows) + "\n")


def predict_text_files(predictor: Predictor, sources: list[str], write: Writer,
                       skip_bad: bool, stats: RunStats, encoding: str | None = None, output: str = "text") -> None:
    """Write each text page as ``output``: its cleaned text (with several inputs each under a
    ``==> NAME <==`` header), a JSONL record ``{"id": NAME, "text", "content", "lines"}``, or a TSV page."""
    for n, source in enumerate(sources):
        try:
            text = read_page(source, encoding)
        except LinesiftError as exc:
            if not skip_bad:
                raise
            stats.skipped += 1
            stats.problems.append(str(exc))
            continue
        result = predictor.predict_text(text)
        stats.pages += 1
        stats.lines += len(result.lines)
        name = "<stdin>" if source == STDIN else source
        if output == "jsonl":
            write(to_json_line(output_record({"id": name, "text": text}, result)))
            continue
        if output == "tsv":
            write(tsv_page(name, result))
            continue
        if len(sources) > 1:
            write(_encode(("\n" if n else "") + f"==> {source} <==\n"))
        cleaned = result.content_text()
        if cleaned:
            write(_encode(cleaned + "\n"))


def _open_binary(source: str) -> IO[bytes]:
    if source == STDIN:
        return sys.stdin.buffer
    try:
        if source.lower().endswith(GZIP_JSONL_SUFFIX):
            import gzip

            return gzip.open(source, "rb")  # type: ignore[return-value]
        return open(source, "rb")
    except OSError as exc:
        raise LinesiftError(f"cannot read ({exc.strerror})", source=source) from None


def output_record(record: dict, result: PageResult) -> dict:
    """The input object, unchanged and in order, plus ``content`` and ``lines``."""
    out = dict(record)
    out["content"] = result.content_text()
    out["lines"] = result.line_records()
    return out


def predict_jsonl(predictor: Predictor, sources: list[str], write: Writer, skip_bad: bool,
                  stats: RunStats, encoding: str | None = None, output: str = "jsonl") -> None:
    """Stream JSONL records through the model in chunks of about CHUNK_LINES lines; write each as
    a record with ``content`` and ``lines`` or (``output="tsv"``) as a TSV page named by its
    ``url``, else its ``id``, else its place in the input."""
    pending: list[tuple[dict, str]] = []
    pages: list[list[str]] = []
    size = 0

    def flush() -> None:
        nonlocal size
        for (record, where), result in zip(pending, predictor.predict_pages(pages)):
            if output == "tsv":
                write(tsv_page(str(record.get("url") or record.get("id") or where), result))
            else:
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
            for line_no, raw in _numbered(handle, name):
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
                pending.append((record, f"{name}:{line_no}"))
                pages.append(lines)
                size += len(lines)
                if size >= CHUNK_LINES or len(pending) >= CHUNK_RECORDS:
                    flush()
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()
    flush()


def _numbered(handle: IO[bytes], name: str) -> Iterable[tuple[int, bytes]]:
    """(line number, raw line) of a binary stream; a damaged gzip stream is a one-line error naming the file."""
    import gzip
    import zlib

    line_no = 0
    try:
        for raw in handle:
            line_no += 1
            yield line_no, raw
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        where = f"after line {line_no}" if line_no else "from its start"
        raise DataError(f"damaged gzip data {where} ({exc})", source=name) from None


def stdout_writer() -> Writer:
    return sys.stdout.buffer.write


def ensure_parent(path: str) -> None:
    parent = Path(path).parent
    if str(parent) and not parent.is_dir():
        raise LinesiftError("output directory does not exist", source=str(path))
    if os.path.isdir(path):
        raise LinesiftError("output path is a directory", source=str(path))
