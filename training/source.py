"""One page of a corpus as its reader yields it: HTML, the human reference, and what the builder needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourcePage:
    corpus: str
    page_id: str
    url: str
    html: str
    reference: str  # the main content as text ("" for snippet-only corpora)
    ascii_only: bool = False  # L3S-GN1 replaced non-ASCII characters by '?' in its references
    with_snippets: tuple[str, ...] = ()  # text that must be in the main content
    without_snippets: tuple[str, ...] = ()  # boilerplate text that must not be
    snippets_only: bool = False  # no full reference: label from the snippets, other lines unknown
    language: str = ""  # ISO 639-1 code where the corpus says it
    kind: str = ""  # page type where the corpus says it (article, product, forum, ...)
    headline: str = ""  # a title the reference leaves out (align.put_back_headline)
