"""HTML to plain-text lines for the corpus builders: the converters live in the runtime
(``linesift.model.io.html``) so that ``predict`` reads HTML exactly as training data was made."""

from __future__ import annotations

from linesift.model.io.html import CONVERTERS, decode_html, html_to_lines, page_url  # noqa: F401 (re-exported)


def html_fragment_text(html: str) -> str:
    """Text of a reference given as HTML (Readability's expected.html)."""
    import html_text

    return html_text.extract_text(html, guess_layout=True)
