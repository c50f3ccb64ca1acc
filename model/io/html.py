"""HTML to plain-text lines the way real scraped inputs look: one block element per line.

Two maintained converters, both with a blank line around paragraphs and headings and none
between list items: ``resiliparse`` (fast, and what ``linesift predict`` uses for HTML input) and
``html-text`` (which also sets lists apart from the ``div``s beside them). The bundled model is
trained on pages converted by both, so that it does not learn one converter's habits. Both are
optional dependencies (extras ``html`` and ``corpora``).
"""

from __future__ import annotations

import codecs
import re

from .extras import require

CONVERTERS = ("html-text", "resiliparse")
#: The converter ``linesift predict`` reads HTML input with.
PREDICT_CONVERTER = "resiliparse"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """HTML bytes to text: a BOM's encoding, UTF-8 when it decodes, the declared charset, else cp1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def html_to_lines(html: str, converter: str = "html-text") -> list[str]:
    """The page's visible text, one block per line, each line stripped of surrounding spaces."""
    if converter == "html-text":
        import html_text

        text = html_text.extract_text(html, guess_layout=True)
    elif converter == "resiliparse":
        html2text = require("resiliparse.extract.html2text")
        text = html2text.extract_plain_text(html, main_content=False, alt_texts=False, links=False,
                                            list_bullets=False, preserve_formatting=True)
    else:
        raise ValueError(f"unknown converter {converter!r}; choose from {', '.join(CONVERTERS)}")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    # Runs of blank lines carry no more information than one.
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out



_URL_PATTERNS = [
    re.compile(r"""<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)""", re.IGNORECASE),
    re.compile(r"""<link[^>]+href=["']([^"']+)["'][^>]*rel=["']canonical""", re.IGNORECASE),
    re.compile(r"""<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)""", re.IGNORECASE),
    re.compile(r"""<meta[^>]+content=["']([^"']+)["'][^>]*property=["']og:url""", re.IGNORECASE),
    re.compile(r"""<base[^>]+href=["'](https?://[^"']+)""", re.IGNORECASE),
]


def page_url(html: str) -> str:
    """The page's own address when the HTML declares it (canonical link, og:url, base), else ''."""
    head = html[:20000]
    for pattern in _URL_PATTERNS:
        match = pattern.search(head)
        if match and match.group(1).startswith(("http://", "https://", "//")):
            return match.group(1)
    return ""


def html_page(data: bytes) -> tuple[str, str]:
    """(the page's text as lines joined by newlines, its declared URL or ''): HTML input for ``predict``."""
    html = decode_html(data)
    return "\n".join(html_to_lines(html, PREDICT_CONVERTER)), page_url(html)
