"""The one JSONL record parser and writer: a record per line, errors naming file and line."""

from __future__ import annotations

import json

import orjson

from ..errors import DataError
from ..text import LONE_SURROGATE, is_blank


def parse_record(raw: bytes | str, source: str, line_no: int, required: dict[str, type] | None = None) -> dict | None:
    """One JSONL record: a JSON object whose ``required`` fields (default: a string ``text``) have
    the given types. None for an empty line; DataError naming file and line otherwise."""
    if is_blank(raw):
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
    for name, kind in (required or {"text": str}).items():
        if not isinstance(record.get(name), kind):
            what = "string" if kind is str else "list" if kind is list else kind.__name__
            raise DataError(f"record has no {what} field '{name}'", source=source, line=line_no)
    return record


#: UTF-8 of the characters ``str.splitlines`` breaks on that JSON writers leave raw (U+2028, U+2029,
#: U+0085). They can only occur inside strings, so escaping them keeps one record per line for every reader.
_LINE_BREAKS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"), (b"\xc2\x85", b"\\u0085"))


def to_json_line(obj: dict) -> bytes:
    """One JSONL line as UTF-8 bytes, with no character any reader could split the record on."""
    try:
        data = orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
    except (orjson.JSONEncodeError, TypeError):  # lone surrogates, huge ints: the slow, lenient encoder
        # A lone surrogate (read from a "\ud800" escape) goes back out as that escape: valid UTF-8, the same record.
        text = LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False))
        data = text.encode("utf-8") + b"\n"
    if data.isascii():  # many records: none of the bytes below, found without a search
        return data
    # Searching the bytes is slow: text full of curly quotes and dashes (E2 80 ..) keeps the byte
    # search matching partway. Decoding and three one-character searches take a fifth of the time.
    text = data.decode("utf-8")
    if "\u2028" not in text and "\u2029" not in text and "\x85" not in text:
        return data
    for raw, escaped in _LINE_BREAKS:
        if raw in data:
            data = data.replace(raw, escaped)
    return data
