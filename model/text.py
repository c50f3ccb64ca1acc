"""Bytes to page text to lines: the one place that decides what a line is."""

from __future__ import annotations

import codecs
import re
from typing import Any

from .errors import NotTextError

#: Share of the first bytes that may be control characters before a file counts as binary (fraction).
MAX_CONTROL_SHARE = 0.10
#: Detector "chaos" difference within which cp1252 is preferred to the detector's first choice.
CHAOS_TIE = 0.01
#: How many leading bytes the binary sniffing looks at (bytes).
SNIFF_BYTES = 8192

#: A page longer than this many lines is labelled in consecutive parts of this size, each read as a
#: page of its own (``Predictor.predict_pages``): the longest page in the corpora has about 5,100
#: lines, and featurising a page holds about 4 KB a line at once, so a whole corpus fed as one text
#: file would need gigabytes.
PAGE_MAX_LINES = 50_000
#: A surrogate code point: in a Python str only a lone one (a JSON "\\ud800" escape), which no UTF-8 can hold.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


#: Byte-order marks and their codecs, longest first (the UTF-32-LE mark begins with UTF-16-LE's).
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_page(data: bytes, source: str = "<bytes>", encoding: str | None = None) -> str:
    """Decode a page's bytes: with ``encoding`` as told; else by its byte-order mark (UTF-8, -16,
    -32), else UTF-8, else the detected charset. Binary is refused."""
    if encoding:
        return _decode_as(data, encoding, source)
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _decode_as(data, codec, source)
    refuse_binary(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_detected(data, source)


def refuse_binary(data: bytes, source: str = "<bytes>") -> None:
    """NotTextError for bytes that are not text of any single-byte or UTF-8 encoding (NUL bytes,
    or mostly control bytes in the first SNIFF_BYTES)."""
    if b"\x00" in data:
        raise NotTextError("not a text file (contains NUL bytes)", source=source)
    head = data[:SNIFF_BYTES]
    if head and sum(head.count(bytes([c])) for c in _CONTROL) / len(head) > MAX_CONTROL_SHARE:
        raise NotTextError("not a text file (mostly control bytes)", source=source)


def _decode_as(data: bytes, encoding: str, source: str) -> str:
    """``data`` in ``encoding`` (a byte-order mark dropped); NotTextError naming the first bad byte."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise NotTextError(f"not valid {encoding} text (byte {exc.start})", source=source) from None
    except LookupError:
        raise NotTextError(f"unknown encoding {encoding!r}", source=source) from None
    return text[1:] if text.startswith("\ufeff") else text


def _decode_detected(data: bytes, source: str) -> str:
    """Fall back on charset detection for legacy encodings (cp1252, Shift-JIS, KOI8-R, ...)."""
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        raise NotTextError("not a text file (no text encoding fits its bytes)", source=source)
    best = results[0]
    # On short pages several single-byte encodings fit equally well; cp1252 is by far the most
    # common legacy encoding on the web, so it wins a tie.
    for result in results:
        if result.encoding == "cp1252" and result.chaos <= best.chaos + CHAOS_TIE:
            return str(result)
    if all(result.encoding != "cp1252" for result in results):
        # The detector lists only some of the encodings that fit equally ("café" as cp1006, Urdu):
        # cp1252 is measured on its own before another single-byte encoding wins.
        alone = from_bytes(data, cp_isolation=["cp1252"]).best()
        if alone is not None and alone.chaos <= best.chaos + CHAOS_TIE:
            return str(alone)
    return str(best)


def split_lines(text: str) -> list[str]:
    """A page's lines as the contract defines them: ``str.splitlines`` (CRLF, CR and LF alike)."""
    return text.splitlines()


def is_blank(line: str | bytes) -> bool:
    """Whitespace-only lines are layout, not text: they are labelled ``blank`` and never scored.

    The one definition of a blank line (text or raw bytes) that every module uses."""
    return not line or line.isspace()


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, each lone surrogate written as U+FFFD: output any reader can decode."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


def without_surrogates(value: Any) -> Any:
    """A record (nested dicts, lists, strings) with each lone surrogate in its strings as U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    return value
