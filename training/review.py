"""Pages to look at: read text, JSONL or labelled pages, score them, and write the self-contained
HTML review (every line coloured by its score, a live threshold) or the queue of pages worth labelling."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from linesift.model.errors import DataError, LinesiftError
from linesift.model.io.jsonl import parse_record
from linesift.model.io.paths import expand_paths, has_suffix
from linesift.model.io.predict import GZIP_JSONL_SUFFIX, TEXT_SUFFIXES, is_jsonl, read_page, tsv_page
from linesift.model.labels import BLANK, CONTENT
from linesift.model.predictor import PageResult, Predictor
from linesift.model.text import decode_page, split_lines

from .data import TSV_SUFFIXES, normalise_labels, read_tsv_pages

#: What review and label read in folders: text pages, JSONL records (labelled or not), labelled TSV.
REVIEW_SUFFIXES = TEXT_SUFFIXES + (".jsonl", ".gz") + TSV_SUFFIXES
#: A line whose score is within this distance of the threshold is "unsure" (probability units).
UNSURE_MARGIN = 0.1
#: A page that page decoding kept nothing of is cut above every score (scores are at most 1).
NOTHING_KEPT_CUT = 1.0001
#: Pages a review file holds at most unless told otherwise: beyond it the browser slows down.
REVIEW_MAX_PAGES = 1_000


@dataclass(frozen=True)
class ReviewPage:
    """One page to show: a name (id, URL or path), where it starts (file or file:line), its lines,
    and its true labels when the input carried them."""

    name: str
    source: str
    lines: list[str]
    truth: list[str] | None = None


def read_review_pages(paths: Iterable[str | os.PathLike], encoding: str | None = None) -> list[ReviewPage]:
    """Pages of text files (.txt/.text/.md), JSONL (.jsonl, .jsonl.gz: records with ``text``, and
    ``labels`` when labelled) and hand-labelled TSV, given directly or found in folders; DataError
    names the file and line of a bad record."""
    pages: list[ReviewPage] = []
    paths = [str(p) for p in paths]  # read twice below: a generator would be empty the second time
    named = set(paths)
    for source in expand_paths(paths, REVIEW_SUFFIXES):
        if source.lower().endswith(".gz") and not source.lower().endswith(GZIP_JSONL_SUFFIX):
            if source in named:  # found in a folder it is skipped; named, it is an error, not silence
                raise DataError("a compressed file that is not .jsonl.gz: give the text page uncompressed",
                                source=source)
            continue
        if is_jsonl(source):
            pages.extend(_jsonl_pages(source))
        elif has_suffix(source, TSV_SUFFIXES):
            pages.extend(ReviewPage(p.url or p.source, p.source, p.lines, p.labels) for p in read_tsv_pages(Path(source)))
        else:
            pages.append(ReviewPage(source, source, split_lines(read_page(source, encoding))))
    if not pages:
        raise DataError("no pages in the given inputs (text pages, .jsonl, .jsonl.gz or .tsv)")
    return pages


def _jsonl_pages(source: str) -> Iterable[ReviewPage]:
    """Records of a JSONL file: labelled when a record has ``labels`` (one per line of its text)."""
    data = _read_bytes(source)
    text = decode_page(data, source)
    for line_no, raw in enumerate(text.split("\n"), start=1):
        record = parse_record(raw, source, line_no)
        if record is None:
            continue
        lines = split_lines(record["text"])
        truth = None
        if "labels" in record:
            if not isinstance(record["labels"], list):
                raise DataError("field 'labels' must be a list", source=source, line=line_no)
            truth = normalise_labels(lines, record["labels"], source, line_no)
        name = next((str(record[k]) for k in ("url", "id") if isinstance(record.get(k), (str, int))), f"{source}:{line_no}")
        if isinstance(record.get("converter"), str):  # built corpora hold each page once per converter
            name += f" [{record['converter']}]"
        yield ReviewPage(name, f"{source}:{line_no}", lines, truth)


def _read_bytes(source: str) -> bytes:
    try:
        if source.lower().endswith(GZIP_JSONL_SUFFIX):
            import gzip

            with gzip.open(source, "rb") as handle:
                return handle.read()
        return Path(source).read_bytes()
    except (OSError, EOFError) as exc:
        raise LinesiftError(f"cannot read ({getattr(exc, 'strerror', None) or exc})", source=source) from None


def score(predictor: Predictor, pages: Sequence[ReviewPage]) -> list[PageResult]:
    """The model's labels and scores for every line of every page."""
    return predictor.predict_pages([p.lines for p in pages])


def within_lines(pages: Sequence[ReviewPage], results: Sequence[PageResult],
                 max_lines: int) -> tuple[list[ReviewPage], list[PageResult], str | None]:
    """Each page cut to its first ``max_lines`` lines (scored whole: its labels are ``predict``'s), so
    a browser can draw it (50,000 rows draw in a few seconds; 200,000 did not draw at all), and a
    note naming the pages cut (None: none was)."""
    kept_pages: list[ReviewPage] = []
    kept_results: list[PageResult] = []
    cut: list[str] = []
    for page, result in zip(pages, results):
        if len(page.lines) > max_lines:
            cut.append(f"{page.name} ({len(page.lines):,})")
            page = ReviewPage(page.name, page.source, page.lines[:max_lines],
                              None if page.truth is None else page.truth[:max_lines])
            result = PageResult(result.lines[:max_lines], result.labels[:max_lines], result.scores[:max_lines])
        kept_pages.append(page)
        kept_results.append(result)
    if not cut:
        return kept_pages, kept_results, None
    more = f" and {len(cut) - 3} more" if len(cut) > 3 else ""
    return kept_pages, kept_results, (f"showing the first {max_lines:,} lines of {', '.join(cut[:3])}{more}"
                                      " (--max-lines)")


# --- the review page ---------------------------------------------------------------------------

def review_data(pages: Sequence[ReviewPage], results: Sequence[PageResult], predictor: Predictor, title: str) -> dict:
    """What the review page's script reads: pages with per-line scores (None for blank lines)."""
    return {
        "title": title,
        "threshold": predictor.threshold,
        "unsure": UNSURE_MARGIN,
        "pages": [
            {"name": p.name, "source": p.source, "lines": p.lines,
             "scores": [None if label == BLANK else s for s, label in zip(r.scores, r.labels)],
             "truth": p.truth, **({"cut": page_cut(r)} if predictor.decoding else {})}
            for p, r in zip(pages, results)
        ],
    }


def page_cut(result: PageResult) -> float:
    """The score at which page decoding cut this page: its lowest kept score (above every score when
    it kept nothing), so that the review page labels by ``score >= cut`` as ``predict`` did (up to the scores' rounding)."""
    kept = [s for s, label in zip(result.scores, result.labels) if label == CONTENT]
    return min(kept) if kept else NOTHING_KEPT_CUT


def asset(name: str) -> str:
    """An inline asset of the HTML pages (CSS or JS), read from the package."""
    return resources.files("linesift.training").joinpath("assets", name).read_text(encoding="utf-8")


def script_json(obj: dict) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' that could end it or open a comment."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSONL record: JSON's \u escapes carry it
        text = json.dumps(obj, ensure_ascii=True, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def review_body(data: dict, embedded: bool = False) -> str:
    """The review component: controls, page list and page view, its data and its script."""
    per_page = any("cut" in p for p in data["pages"])
    reset = "model's rule (a cut per page)" if per_page else f"model's threshold ({data['threshold']:.2f})"
    return f"""<div class="controls" id="review-controls">
  <label>threshold <input type="range" id="threshold" min="0" max="1" step="0.01" value="{data['threshold']:.2f}"
    aria-label="content threshold"> <output id="threshold-value">{data['threshold']:.2f}</output></label>
  <button type="button" id="reset">{reset}</button>
  <label hidden><input type="checkbox" id="wrong-only"> wrong lines only</label>
  <span class="scale">chrome <i></i> content</span>
  <span class="summary" id="summary"></span>
  <span class="summary">dashed: unsure (within {data['unsure']:.2f} of the threshold); <kbd>j</kbd>/<kbd>k</kbd>: next/previous page</span>
</div>
<div class="review{' embedded' if embedded else ''}" id="review">
  <nav><input type="search" id="search" placeholder="search pages and lines" aria-label="search pages">
    <select id="order" aria-label="order pages"><option value="input">input order</option>
      <option value="unsure">most unsure lines first</option><option value="wrong">most wrong lines first</option></select>
    <ol class="page-list" id="page-list"></ol></nav>
  <main><h2 id="page-title"></h2><p class="page-stats" id="page-stats"></p><div id="lines"></div></main>
</div>
<script type="application/json" id="review-data">{script_json(data)}</script>
<script>{asset('review.js')}</script>"""


#: The pages load nothing from anywhere: only their own inline style and script run.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def page_html(title: str, body: str) -> str:
    """A whole self-contained document: inline CSS, no network."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<title>{html.escape(title)}</title><style>{asset('review.css')}</style></head>
<body>{body}</body></html>
"""


def review_html(pages: Sequence[ReviewPage], results: Sequence[PageResult], predictor: Predictor, title: str) -> str:
    """The ``linesift review`` page for scored pages."""
    data = review_data(pages, results, predictor, title)
    header = f'<header class="bar"><h1>{html.escape(title)}</h1></header>'
    return page_html(title, header + review_body(data))


# --- the labelling queue -----------------------------------------------------------------------

@dataclass(frozen=True)
class QueueEntry:
    """A page worth labelling: its expected number of wrong lines and its least sure lines first."""

    page: ReviewPage
    result: PageResult
    expected_wrong: float
    unsure_lines: list[int]  # 1-based page line numbers, least sure first


def expected_wrong(scores: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Chance each line's label is wrong if its score is a calibrated probability: 1 - s for a line
    labelled content, s for chrome, 0 for blank lines; shape (n_lines,)."""
    is_content = np.array([label == CONTENT for label in labels], dtype=bool)
    is_blank = np.array([label == BLANK for label in labels], dtype=bool)
    return np.where(is_blank, 0.0, np.where(is_content, 1.0 - scores, scores))


def label_queue(pages: Sequence[ReviewPage], results: Sequence[PageResult], n: int,
                lines_listed: int = 10) -> list[QueueEntry]:
    """The ``n`` pages with the most expected wrong lines (most informative first; ties keep input order)."""
    entries = []
    for page, result in zip(pages, results):
        risk = expected_wrong(np.asarray(result.scores, dtype=float), result.labels)
        order = np.argsort(-risk, kind="stable")
        unsure = [int(i) + 1 for i in order[:lines_listed] if risk[i] > 0]
        entries.append(QueueEntry(page, result, float(risk.sum()), unsure))
    ranked = sorted(range(len(entries)), key=lambda i: (-entries[i].expected_wrong, i))
    return [entries[i] for i in ranked[:n]]


def queue_tsv(entries: Sequence[QueueEntry]) -> bytes:
    """The queue as the hand-labelling TSV, pre-filled; a comment under each page marker names the
    lines to check first (``train`` and ``evaluate`` skip comment rows)."""
    out = []
    for e in entries:
        page = tsv_page(e.page.name, e.result)
        marker, _, rest = page.partition(b"\n")
        lines = ", ".join(map(str, e.unsure_lines)) or "none"
        note = f"# expected wrong lines {e.expected_wrong:.1f}; check page lines {lines} first".encode()
        out.append(marker + b"\n" + note + b"\n" + rest)
    return b"".join(out)
