"""Readers of the modern and multilingual corpora (2017-2026): one small generator each.

Each yields ``SourcePage`` objects like the classic readers in ``corpora.py``. Conventions are
mapped to linesift's when the reference is read: titles that a reference leaves out are put back
in front of it (the page's headline is content), and only the elements a corpus calls main text
or title become the reference (BoilerNet's author, date and caption stay chrome).
trafilatura's evaluation set has snippets, not a full reference: its pages are labelled from
the snippets alone, every other line ``unknown``.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Iterator

from linesift.model.errors import DataError
from linesift.model.text import is_blank

from .convert import decode_html, page_url
from .source import SourcePage


def _gunzip(path: Path) -> bytes:
    with gzip.open(path, "rb") as handle:
        return handle.read()


def _html(path: Path) -> str:
    """A page's HTML, gzipped or not, decoded by BOM, UTF-8, its declared charset, else cp1252."""
    return decode_html(_gunzip(path) if path.suffix == ".gz" else path.read_bytes())


#: The page's declared language: the ``lang`` attribute of its ``<html>`` tag (primary subtag).
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)
#: How far into a page the ``<html>`` tag is looked for (characters).
LANG_SEARCH_CHARS = 4096


def html_language(html: str) -> str:
    """The language a page declares in ``<html lang=...>``, lower-cased ("de" for "de-DE"), or ""."""
    match = _HTML_LANG.search(html[:LANG_SEARCH_CHARS])
    return match.group(1).lower() if match else ""


def read_json(path: Path):
    """A corpus's JSON file; a damaged one is a DataError naming it (one line, not a traceback)."""
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"not valid UTF-8 JSON ({exc})", source=str(path)) from None


def _strings(value) -> tuple[str, ...]:
    return tuple(s for s in value if isinstance(s, str) and not is_blank(s)) if isinstance(value, list) else ()


def read_wcxb(root: Path) -> Iterator[SourcePage]:
    """WCXB: ground-truth/ID.json's title + main_content for html/ID.html.gz, with its snippets."""
    for truth_file in sorted((root / "ground-truth").glob("*.json")):
        page_id = truth_file.stem
        html_file = root / "html" / f"{page_id}.html.gz"
        if not html_file.exists():
            continue
        record = read_json(truth_file)
        truth = record.get("ground_truth") or {}
        body = truth.get("main_content") or ""
        title = truth.get("title") or ""
        html = _html(html_file)
        kind = ((record.get("_internal") or {}).get("page_type") or {}).get("primary", "")
        yield SourcePage("wcxb", page_id, record.get("url") or page_url(html), html,
                         f"{title}\n\n{body}" if not is_blank(body) else "",
                         with_snippets=_strings(truth.get("with")), without_snippets=_strings(truth.get("without")),
                         language="en", kind=kind)


def read_fundus(root: Path) -> Iterator[SourcePage]:
    """Fundus fixtures: per publisher and parser version, title + summary + section headlines and paragraphs."""
    manifest = read_json(root / "manifest.json")
    cache: dict[Path, dict] = {}
    for entry in manifest:
        folder = root / "test_data" / entry["country_dir"]
        fixture = folder / f"{entry['publisher']}.json"
        html_file = root / "test_data" / entry["html"]
        if not fixture.exists() or not html_file.exists():
            continue
        if fixture not in cache:
            cache[fixture] = read_json(fixture)
        article = cache[fixture].get(entry["version"]) or {}
        body = article.get("body") or {}
        parts = [article.get("title") or ""] + list(body.get("summary") or [])
        for section in body.get("sections") or []:
            parts += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
        yield SourcePage("fundus", f"{entry['publisher']}-{entry['version']}", entry.get("url", ""),
                         _html(html_file), "\n\n".join(p for p in parts if isinstance(p, str)),
                         language=entry.get("lang_guess", ""))


def read_trafilatura_eval(root: Path) -> Iterator[SourcePage]:
    """trafilatura's evaluation set: ``with`` / ``without`` snippets only; other lines are not judged."""
    data = read_json(root / "evaldata.json")
    for url, item in data.items():
        html_file = root / "html" / f"{item['file']}.gz"
        if not html_file.exists():
            continue
        html = _html(html_file)
        yield SourcePage("trafilatura-eval", item["file"], url, html, "",
                         with_snippets=_strings(item.get("with")), without_snippets=_strings(item.get("without")),
                         snippets_only=True, language=html_language(html))


#: BoilerNet's labels that are content under linesift's convention (typos in the data included).
GOOGLETRENDS_CONTENT = ("main", "title")


def read_googletrends(root: Path) -> Iterator[SourcePage]:
    """GoogleTrends-2017 (BoilerNet): elements labelled main or title are content; author, date,
    caption and comments are chrome."""
    from lxml import html as lxml_html

    for path in sorted((root / "raw_html").glob("*.html.gz")):
        html = _html(path)
        try:
            tree = lxml_html.fromstring(html.encode("utf-8", "replace"))
        except Exception:  # an unparsable page: no reference, dropped by the builder
            tree = None
        parts: list[str] = []
        if tree is not None:
            for element in tree.xpath("//*[@__label]"):
                label = element.get("__label", "").strip().lower()
                ancestors = element.xpath("ancestor::*[@__label]")
                if label in GOOGLETRENDS_CONTENT and not any(
                        a.get("__label", "").strip().lower() in GOOGLETRENDS_CONTENT for a in ancestors):
                    parts.append(element.text_content())
        yield SourcePage("googletrends-2017", path.name.split(".")[0], page_url(html), html, "\n".join(parts),
                         language="en")


def read_chinese_wce(root: Path) -> Iterator[SourcePage]:
    """Chinese web content extraction: cleaned/UUID.txt for original/UUID.html.gz (GB2312/GBK mostly)."""
    for path in sorted((root / "original").glob("*.html.gz")):
        page_id = path.name.split(".")[0]
        gold = root / "cleaned" / f"{page_id}.txt"
        if not gold.exists():
            continue
        html = _html(path)
        yield SourcePage("chinese-wce", page_id, page_url(html), html, decode_html(gold.read_bytes()), language="zh")


def read_htmltotext(root: Path) -> Iterator[SourcePage]:
    """htmltotext-benchmark: benchmarkdata/LANG/text/NAME.txt for html/NAME.html.gz (by hand)."""
    for lang_dir in sorted(p for p in (root / "benchmarkdata").iterdir() if p.is_dir()):
        for path in sorted((lang_dir / "html").glob("*.html.gz")):
            name = path.name[: -len(".html.gz")]
            gold = lang_dir / "text" / f"{name}.txt"
            if not gold.exists():
                continue
            html = _html(path)
            yield SourcePage("htmltotext-benchmark", f"{lang_dir.name}/{name}", page_url(html), html,
                             decode_html(gold.read_bytes()), language=lang_dir.name)
