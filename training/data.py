"""Read and validate labelled pages (JSONL or the hand-labelling TSV format; see datasets/README.md)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence
from urllib.parse import urlsplit

import numpy as np
from linesift.model.errors import DataError
from linesift.model.io.jsonl import parse_record
from linesift.model.io.paths import expand_paths, has_suffix
from linesift.model.labels import BLANK, CHROME, CONTENT, DATA_LABELS, UNKNOWN
from linesift.model.result import assemble
from linesift.model.text import decode_page, is_blank, split_lines

JSONL_SUFFIXES = (".jsonl",)
TSV_SUFFIXES = (".tsv",)
#: A line starting with this in a TSV file starts a new page; any text after it is the page's URL.
PAGE_MARKER = "### page"
#: Second-level labels under which a registered domain sits one level deeper (bbc.co.uk).
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"}


@dataclass(frozen=True)
class LabelledPage:
    """One page: its lines, one label each (``content``/``chrome``/``blank``), and where it came from."""

    lines: list[str]
    labels: list[str]
    source: str
    site: str
    corpus: str
    url: str = ""
    meta: dict = field(default_factory=dict, compare=False)

    def judged_mask(self) -> np.ndarray:
        """True for lines with a judgement (not ``unknown``) among the non-blank ones, shape (n_nonblank,)."""
        return np.array([lab != UNKNOWN for line, lab in zip(self.lines, self.labels) if not is_blank(line)], dtype=bool)

    @property
    def fully_judged(self) -> bool:
        """Every line labelled: the page's true content text is known, so the page metric applies."""
        return UNKNOWN not in self.labels

    @property
    def snippets(self) -> tuple[list[str], list[str]]:
        """The page's "with" and "without" snippets, when its record carries them (else empty lists)."""
        return self.meta.get("with", []), self.meta.get("without", [])

    def content_mask(self) -> np.ndarray:
        """True for content lines among the non-blank ones, shape (n_nonblank,)."""
        return np.array([lab == CONTENT for line, lab in zip(self.lines, self.labels) if not is_blank(line)], dtype=bool)

    def content_text(self) -> str:
        return assemble(self.lines, self.labels)

    def without_blank_lines(self) -> "LabelledPage":
        """The page as text that has no blank lines gives it (Common Crawl WET, C4): its other lines and
        labels, in order."""
        keep = [i for i, line in enumerate(self.lines) if not is_blank(line)]
        return replace(self, lines=[self.lines[i] for i in keep], labels=[self.labels[i] for i in keep])

    def digest(self) -> str:
        h = hashlib.sha256()
        for line, label in zip(self.lines, self.labels):
            h.update(label.encode())
            h.update(b"\t")
            h.update(line.encode("utf-8", "surrogatepass"))
            h.update(b"\n")
        return h.hexdigest()


def registered_domain(url: str) -> str:
    """The site a URL belongs to (example.co.uk for news.example.co.uk): the CV grouping key."""
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().rstrip(".")
    parts = [p for p in host.split(".") if p]
    if parts and parts[0] == "www":
        parts = parts[1:]
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:]) if parts else ""


def normalise_labels(lines: list[str], labels: list[str], source: str, line_no: int) -> list[str]:
    """Check labels against lines; whitespace-only lines become ``blank`` whatever they carried."""
    if len(labels) != len(lines):
        raise DataError(f"{len(labels)} labels for {len(lines)} lines", source=source, line=line_no)
    out = []
    for i, (line, label) in enumerate(zip(lines, labels)):
        if not isinstance(label, str) or label not in DATA_LABELS:
            raise DataError(f"label {i + 1} is {label!r}; expected one of {', '.join(DATA_LABELS)}", source=source, line=line_no)
        if is_blank(line):
            out.append(BLANK)
        elif label == BLANK:
            raise DataError(f"line {i + 1} has text but is labelled blank", source=source, line=line_no)
        else:
            out.append(label)
    return out


def labelled_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Data files named directly, or found (recursively, sorted) in directories."""
    files: list[Path] = []
    suffixes = JSONL_SUFFIXES + TSV_SUFFIXES
    for raw in paths:
        found = [Path(f) for f in expand_paths([raw], suffixes, error=DataError)]
        if Path(raw).is_dir() and not found:
            raise DataError("no .jsonl or .tsv files in this directory", source=str(raw))
        if not Path(raw).is_dir() and not has_suffix(raw, suffixes):
            raise DataError("labelled data must be .jsonl or .tsv", source=str(raw))
        files.extend(found)
    return files


def read_labelled(paths: Iterable[str | os.PathLike]) -> list[LabelledPage]:
    """All pages of the given files and directories, validated; raises DataError naming file and line."""
    pages: list[LabelledPage] = []
    for path in labelled_files(paths):
        reader = read_jsonl_pages if has_suffix(path, JSONL_SUFFIXES) else read_tsv_pages
        pages.extend(reader(path))
    if not pages:
        raise DataError("no labelled pages in the given data")
    return pages


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror})", source=str(path)) from None
    return decode_page(data, str(path))


def read_jsonl_pages(path: Path) -> Iterator[LabelledPage]:
    """Pages of a JSONL file: one object per line with ``text`` and ``labels`` (and optional url, site, corpus, id)."""
    text = _read_text(path)
    for line_no, raw in enumerate(text.split("\n"), start=1):
        record = parse_record(raw, str(path), line_no, required={"text": str, "labels": list})
        if record is None:
            continue
        page_text, labels = record["text"], record["labels"]
        for key in ("url", "site", "corpus", "id", "language", "converter"):
            if key in record and not isinstance(record[key], str):
                raise DataError(f"field '{key}' must be a string", source=str(path), line=line_no)
        for key in ("with", "without"):
            if key in record and not (isinstance(record[key], list) and all(isinstance(x, str) for x in record[key])):
                raise DataError(f"field '{key}' must be a list of strings", source=str(path), line=line_no)
        lines = split_lines(page_text)
        yield _page(lines, normalise_labels(lines, labels, str(path), line_no), path, line_no, record)


def read_tsv_pages(path: Path) -> Iterator[LabelledPage]:
    """Pages of a hand-labelled TSV file: ``label<TAB>line`` rows, pages started by ``### page [URL]``."""
    text = _read_text(path)
    lines: list[str] = []
    labels: list[str] = []
    start, url = 1, ""

    def flush() -> Iterator[LabelledPage]:
        if lines:
            yield _page(list(lines), normalise_labels(lines, labels, str(path), start), path, start, {"url": url} if url else {})

    for line_no, raw in enumerate(split_lines(text), start=1):
        if raw.startswith(PAGE_MARKER):
            yield from flush()
            lines.clear()
            labels.clear()
            start, url = line_no, raw[len(PAGE_MARKER):].strip()
            continue
        if raw.startswith("#") and "\t" not in raw:
            continue
        if is_blank(raw):
            lines.append("")
            labels.append(BLANK)
            continue
        label, tab, line = raw.partition("\t")
        if not tab or label not in DATA_LABELS:
            raise DataError(f"expected 'content', 'chrome', 'unknown' or 'blank', a tab, then the line; got {raw[:40]!r}",
                            source=str(path), line=line_no)
        if label == BLANK and not is_blank(line):
            raise DataError("line has text but is labelled blank", source=str(path), line=line_no)
        lines.append(line)
        labels.append(label)
    yield from flush()


def _page(lines: list[str], labels: list[str], path: Path, line_no: int, record: dict) -> LabelledPage:
    url = record.get("url", "")
    site = record.get("site") or (registered_domain(url) if url else "") or f"{path.name}:{line_no}"
    return LabelledPage(
        lines=lines,
        labels=labels,
        source=f"{path}:{line_no}",
        site=site,
        corpus=record.get("corpus") or path.stem.split(".")[0],
        url=url,
        meta={k: record[k] for k in ("id", "converter", "language", "with", "without") if k in record},
    )


#: Salt of the site hash that picks a subset of sites (see ``sites_subset``).
SUBSET_SALT = b"linesift/sites-subset/"


def sites_subset(pages: Sequence[LabelledPage], share: float) -> list[LabelledPage]:
    """The pages of a fixed share of sites (0-1), chosen by a salted hash of the site name: the same
    sites on every machine and run, so experiments and the gate compare like with like.

    The salt matters: L3S-GN1's sites in ../shared all hash (unsalted SHA-256) above 0.39, most
    likely because its held-out sites were chosen by that very hash; an unsalted subset would
    leave the corpus out entirely."""
    if share >= 1.0:
        return list(pages)
    cut = int(share * 2**32)
    return [p for p in pages
            if int.from_bytes(hashlib.sha256(SUBSET_SALT + p.site.encode()).digest()[:4], "big") < cut]


def data_digest(pages: Iterable[LabelledPage]) -> str:
    """SHA-256 over the pages' sorted digests: names the training data independent of file order."""
    h = hashlib.sha256()
    for d in sorted(p.digest() for p in pages):
        h.update(d.encode())
    return h.hexdigest()


def count_labels(pages: Iterable[LabelledPage]) -> dict[str, int]:
    counts = {CONTENT: 0, CHROME: 0, BLANK: 0, UNKNOWN: 0}
    for page in pages:
        for label in page.labels:
            counts[label] += 1
    return counts

