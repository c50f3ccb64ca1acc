"""Bytes to page text to lines: the one place that decides what a line is."""

from __future__ import annotations

import codecs

from .errors import NotTextError

#: Share of the first bytes that may be control characters before a file counts as binary (fraction).
MAX_CONTROL_SHARE = 0.10
#: Detector "chaos" difference within which cp1252 is preferred to the detector's first choice.
CHAOS_TIE = 0.01
#: How many leading bytes the binary sniffing looks at (bytes).
SNIFF_BYTES = 8192

_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


def decode_page(data: bytes, source: str = "<bytes>") -> str:
    """Decode a page's bytes: UTF-8 (BOM or not), else the detected charset; binary is refused."""
    if b"\x00" in data:
        raise NotTextError("not a text file (contains NUL bytes)", source=source)
    head = data[:SNIFF_BYTES]
    if head and sum(head.count(bytes([c])) for c in _CONTROL) / len(head) > MAX_CONTROL_SHARE:
        raise NotTextError("not a text file (mostly control bytes)", source=source)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_detected(data, source)


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
    return str(best)


def split_lines(text: str) -> list[str]:
    """A page's lines as the contract defines them: ``str.splitlines`` (CRLF, CR and LF alike)."""
    return text.splitlines()


def is_blank(line: str | bytes) -> bool:
    """Whitespace-only lines are layout, not text: they are labelled ``blank`` and never scored.

    The one definition of a blank line (text or raw bytes) that every module uses."""
    return not line or line.isspace()
