"""Corpus builders: real HTML pages with human references, turned into line-labelled JSONL.

One small reader per corpus yields ``SourcePage`` objects (HTML, reference text, URL); ``build``
converts each page with each converter, labels its lines by alignment with the reference,
relabels bylines, datelines, credits and captions in corpora whose convention keeps them
(``relabel.py``), labels the unjudged lines of snippet corpora that the markup boxes as chrome
(``markup.py``), drops pages whose alignment is poor, and reports what it did. See ``datasets/corpora/`` for the cards.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from linesift.model.atomic import atomic_write
from linesift.model.errors import DataError

from .align import align, put_back_headline
from .convert import CONVERTERS, decode_html, html_fragment_text, html_to_lines, page_url
from .data import registered_domain
from .markup import box_shares, label_boxed
from .modern import read_chinese_wce, read_fundus, read_googletrends, read_htmltotext, read_json, read_trafilatura_eval, read_wcxb
from .relabel import relabel
from .snippets import label_by_snippets
from .source import SourcePage

#: Pages whose content lines recover less of the reference than this are dropped (share, 0-1).
MIN_RECOVERY = 0.6
#: References shorter than this are too thin to align against (squashed characters).
MIN_REFERENCE_CHARS = 100
#: The report's name for unjudged lines made chrome by their markup (``markup.py``).
BOXED_RULE = "boxed (unjudged)"
#: Dragnet's marker before user comments, with the variants its files show (spaces, a lost '#').
DRAGNET_COMMENTS = re.compile(r"[!@#$%^&*()]{4,}\s*COMMENTS")


def _read(path: Path) -> str:
    return decode_html(path.read_bytes())


def read_l3s(root: Path) -> Iterator[SourcePage]:
    """L3S-GN1: headline (x-nc-sel1) and full text (x-nc-sel2) spans of annotated/ are content."""
    from lxml import html as lxml_html

    urls = {}
    mapping = root / "url-mapping.txt"
    if mapping.exists():
        for line in mapping.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, url = line.partition("\t")
            urls[key.strip().strip("<>").removeprefix("urn:uuid:")] = url.strip()
    for path in sorted((root / "original").glob("*.html")):
        annotated = root / "annotated" / path.name
        if not annotated.exists():
            continue
        tree = lxml_html.fromstring(annotated.read_bytes())
        # Outermost content spans only: one nested in another repeats text its parent already has.
        parts = [span.text_content() for span in tree.xpath(
            '//span[(contains(@class, "x-nc-sel1") or contains(@class, "x-nc-sel2"))'
            ' and not(ancestor::span[contains(@class, "x-nc-sel1") or contains(@class, "x-nc-sel2")])]')]
        yield SourcePage("l3s-gn1", path.stem, urls.get(path.stem, ""), path.read_bytes().decode("utf-8", "replace"),
                         "\n".join(parts), ascii_only=True)


def read_dragnet(root: Path) -> Iterator[SourcePage]:
    """Dragnet: Corrected/X.html.corrected.txt is the content; comments after the marker are not."""
    for path in sorted((root / "HTML").glob("*.html"), key=lambda p: (len(p.stem), p.stem)):
        gold = root / "Corrected" / f"{path.name}.corrected.txt"
        if not gold.exists():
            continue
        reference = DRAGNET_COMMENTS.split(decode_html(gold.read_bytes()), maxsplit=1)[0]
        html = _read(path)
        yield SourcePage("dragnet", path.stem, page_url(html), html, reference)


_CLEANEVAL_MARK = re.compile(r"^\s*<(?:p|h|l)>", re.MULTILINE)


def _cleaneval(root: Path, corpus: str) -> Iterator[SourcePage]:
    for path in sorted((root / "input").glob("*.html"), key=lambda p: (len(p.stem), p.stem)):
        gold = root / "GoldStandard" / f"{path.stem}.txt"
        if not gold.exists():
            continue
        url, reference = cleaneval_gold(decode_html(gold.read_bytes()))
        yield SourcePage(corpus, path.stem, url, _read(path), reference)


def cleaneval_gold(text: str) -> tuple[str, str]:
    """(page URL or "", reference text) of a CleanEval gold file: an optional "URL: ..." first line
    (after blank lines: every CleanPortalEval file opens with one), then blocks marked <p>, <h>, <l>."""
    text = text.lstrip()
    first, _, rest = text.partition("\n")
    url = first[4:].strip() if first.startswith("URL:") else ""
    return url, html_lib.unescape(_CLEANEVAL_MARK.sub("", rest if url else text))


def read_cleaneval(root: Path) -> Iterator[SourcePage]:
    """CleanEval dev and final: GoldStandard/N.txt, blocks marked <p>, <h>, <l>."""
    for part in ("dev", "final"):
        if (root / part).is_dir():
            yield from _cleaneval(root / part, "cleaneval")


def read_cleanportaleval(root: Path) -> Iterator[SourcePage]:
    """CleanPortalEval: the CleanEval format, on BBC, WSJ, MSNBC and Washington Post pages."""
    yield from _cleaneval(root, "cleanportaleval")


def _readability_title(path: Path) -> str:
    """The article title Readability found (expected-metadata.json), "" if none: its reference
    leaves the headline out, and our convention counts the headline as content."""
    if not path.exists():
        return ""
    record = read_json(path)
    title = record.get("title") if isinstance(record, dict) else None
    return title if isinstance(title, str) else ""


def read_readability(root: Path) -> Iterator[SourcePage]:
    """Readability test pages: expected.html is the extracted article (a reviewed machine extraction)."""
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        source, expected = folder / "source.html", folder / "expected.html"
        if source.exists() and expected.exists():
            html = _read(source)
            url = page_url(html)
            if "fakehost" in url:
                url = ""
            yield SourcePage("readability", folder.name, url, html, html_fragment_text(_read(expected)),
                             headline=_readability_title(folder / "expected-metadata.json"))


@dataclass(frozen=True)
class Corpus:
    name: str
    folder: str
    reader: Callable[[Path], Iterator[SourcePage]]
    license: str


CORPORA = {
    c.name: c
    for c in (
        Corpus("l3s-gn1", "l3s-gn1", read_l3s, "L3S research use only"),
        Corpus("dragnet", "dragnet", read_dragnet, "AGPL-3.0"),
        Corpus("cleaneval", "cleaneval", read_cleaneval, "none stated"),
        Corpus("cleanportaleval", "cleanportaleval", read_cleanportaleval, "none stated"),
        Corpus("readability", "readability", read_readability, "Apache-2.0"),
        Corpus("wcxb", "wcxb", read_wcxb, "CC-BY-4.0"),
        Corpus("fundus", "fundus", read_fundus, "MIT"),
        Corpus("trafilatura-eval", "trafilatura-eval", read_trafilatura_eval, "Apache-2.0"),
        Corpus("googletrends-2017", "googletrends-2017", read_googletrends, "GPL-3.0 (BoilerNet's first commit)"),
        Corpus("chinese-wce", "chinese-wce", read_chinese_wce, "MIT"),
        Corpus("htmltotext-benchmark", "htmltotext-benchmark", read_htmltotext, "none stated"),
    )
}
#: Corpora from 2017 on: today's chrome and languages other than English.
MODERN = ("wcxb", "fundus", "trafilatura-eval", "googletrends-2017", "chinese-wce", "htmltotext-benchmark")
#: Snippet-only corpora: a page is kept when its content lines hold at least this share of its
#: "with" snippets (0-1); below it the converter lost or split the text the snippets name.
MIN_SNIPPETS_FOUND = 0.5


def default_corpora_dir() -> Path | None:
    """``../shared/corpora`` beside the checkout the command runs in, when both are there."""
    from linesift.model.errors import LinesiftError

    from .repo import repo_root

    try:
        path = repo_root().parent / "shared" / "corpora"
    except LinesiftError:
        return None
    return path if path.is_dir() else None


@dataclass
class CorpusReport:
    """The data-quality report of one corpus."""

    corpus: str
    license: str
    pages_read: int = 0
    pages_kept: int = 0
    records: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    content_lines: int = 0
    unknown_lines: int = 0
    recovery: list[float] = field(default_factory=list)
    relabelled: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict:
        rec = sorted(self.recovery)
        return {
            "corpus": self.corpus, "license": self.license, "pages_read": self.pages_read,
            "pages_kept": self.pages_kept, "records": self.records, "dropped": self.dropped,
            "lines": self.lines,
            "content_share": self.content_lines / max(self.lines - self.unknown_lines, 1),
            "unknown_share": self.unknown_lines / max(self.lines, 1),
            "recovery_median": statistics.median(rec) if rec else 0.0,
            "recovery_p10": rec[max(0, int(0.1 * len(rec)) - 1)] if rec else 0.0,
            "relabelled_to_chrome": self.relabelled,
        }

    def table_row(self) -> str:
        """One row of the data-quality table under REPORT_HEADER."""
        s = self.summary()
        dropped = "; ".join(f"{n} {why}" for why, n in sorted(s["dropped"].items())) or "-"
        relabelled = ", ".join(f"{n} {rule}" for rule, n in sorted(s["relabelled_to_chrome"].items())) or "none"
        return (f"{s['corpus']:<20} {s['pages_read']:>5} {s['pages_kept']:>5} {s['records']:>7} {s['lines']:>8} "
                f"{s['content_share']:>7.1%} {s['unknown_share']:>8.1%} {s['recovery_median']:>9.3f} {s['recovery_p10']:>9.3f}  {dropped}; "
                f"relabelled to chrome: {relabelled}")


REPORT_HEADER = (f"{'corpus':<20} {'read':>5} {'kept':>5} {'records':>7} {'lines':>8} {'content':>7} {'unjudged':>8} "
                 f"{'recov.med':>9} {'recov.p10':>9}  dropped; relabelled")


def _label_page(args: tuple[SourcePage, tuple[str, ...]]) -> tuple[str, list[dict], float | None, dict[str, int]]:
    """Worker: (drop reason or '', records, recovery, relabelled counts) for one page under every converter."""
    page, converters = args
    if not page.snippets_only and len(page.reference.strip()) < MIN_REFERENCE_CHARS:
        return "reference too short", [], None, {}
    if page.snippets_only and not page.with_snippets:
        return "no snippets", [], None, {}
    records, recoveries, relabelled = [], [], {}
    site = registered_domain(page.url) if page.url else f"{page.corpus}:{page.page_id}"
    for converter in converters:
        try:
            lines = html_to_lines(page.html, converter)
        except Exception as exc:  # a converter failing on one odd page must not stop a build
            return f"{converter} failed: {type(exc).__name__}", [], None, {}
        if page.snippets_only:
            labels, recovered = label_by_snippets(lines, page.with_snippets, page.without_snippets)
            recoveries.append(recovered)
            if recovered < MIN_SNIPPETS_FOUND:
                return f"under {MIN_SNIPPETS_FOUND:.0%} of the snippets found", [], min(recoveries), {}
            labels, boxed = label_boxed(labels, box_shares(page.html, lines, converter))
            if boxed:
                relabelled[BOXED_RULE] = relabelled.get(BOXED_RULE, 0) + boxed
        else:
            result = align(lines, page.reference, page.ascii_only)
            recoveries.append(result.recovered)
            if result.recovered < MIN_RECOVERY:
                return f"alignment recovers under {MIN_RECOVERY:.0%} of the reference", [], min(recoveries), {}
            labels = put_back_headline(lines, result.labels, page.headline, page.ascii_only)
        labels, changed = relabel(page.corpus, lines, labels)
        for rule, n in changed.items():
            relabelled[rule] = relabelled.get(rule, 0) + n
        record = {"id": f"{page.corpus}/{page.page_id}", "url": page.url, "site": site,
                  "corpus": page.corpus, "converter": converter, "text": "\n".join(lines), "labels": labels}
        record.update({key: value for key, value in (
            ("with", list(page.with_snippets)), ("without", list(page.without_snippets)),
            ("language", page.language), ("kind", page.kind)) if value})
        records.append(record)
    return "", records, min(recoveries), relabelled


def build(corpus: str, root: Path, out: Path, converters: tuple[str, ...] = CONVERTERS, jobs: int = 2,
          limit: int | None = None, progress: Callable[[int], None] | None = None) -> CorpusReport:
    """Build one corpus into ``out`` (JSONL, written atomically); returns its quality report."""
    spec = CORPORA[corpus]
    folder = root / spec.folder
    if not folder.is_dir():
        raise DataError("corpus folder not found", source=str(folder))
    report = CorpusReport(corpus, spec.license)
    pages = spec.reader(folder)
    if limit:
        pages = (p for i, p in zip(range(limit), pages))
    with atomic_write(out, "w") as handle, ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        work = ((page, converters) for page in pages)
        for reason, records, recovery, relabelled in pool.map(_label_page, work, chunksize=4):
            report.pages_read += 1
            for rule, n in relabelled.items():
                report.relabelled[rule] = report.relabelled.get(rule, 0) + n
            if recovery is not None:
                report.recovery.append(recovery)
            if reason:
                report.dropped[reason] = report.dropped.get(reason, 0) + 1
            else:
                report.pages_kept += 1
                for record in records:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                    report.records += 1
                    report.lines += sum(1 for lab in record["labels"] if lab != "blank")
                    report.content_lines += sum(1 for lab in record["labels"] if lab == "content")
                    report.unknown_lines += sum(1 for lab in record["labels"] if lab == "unknown")
            if progress:
                progress(report.pages_read)
    return report


def build_stubs(out: Path) -> CorpusReport:
    """Write our own short pages (``stubs.py``) into ``out``; returns their quality report."""
    from .stubs import CORPUS, LICENSE, write_stubs

    records = write_stubs(out)
    report = CorpusReport(CORPUS, LICENSE, pages_read=len(records), pages_kept=len(records), records=len(records))
    for record in records:
        report.lines += sum(1 for lab in record["labels"] if lab != "blank")
        report.content_lines += record["labels"].count("content")
        report.recovery.append(1.0)
    return report


def write_report(reports: list[CorpusReport], path: Path) -> None:
    """Write the reports to ``path``, keeping the rows of corpora this build did not touch, so a
    partial build (``--corpus``) does not lose the rest of the folder's report."""
    rebuilt = {r.corpus for r in reports}
    try:
        kept = [row for row in json.loads(path.read_text(encoding="utf-8"))
                if isinstance(row, dict) and row.get("corpus") not in rebuilt]
    except (OSError, ValueError, TypeError):
        kept = []  # no report yet, or one we cannot read: this build's rows alone
    with atomic_write(path, "w") as handle:
        json.dump(kept + [r.summary() for r in reports], handle, indent=2)
        handle.write("\n")

