"""Score predicted labels against labelled pages: line metrics, the page metric, the worst pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from linesift.model.labels import BLANK, CONTENT, UNKNOWN
from linesift.model.predictor import PageResult, Predictor, assemble
from linesift.model.site_repeats import RepeatCounter, site_of
from linesift.model.text import is_blank

from .data import LabelledPage
from .metrics import (
    LineMetrics,
    PageMetric,
    SnippetMetric,
    line_metrics,
    page_f1,
    page_metric,
    page_tp_fp_fn,
    snippet_counts,
    snippet_metric,
)

#: Pages listed in the report's "worst pages" section.
WORST_PAGES = 5
#: Wrong lines shown per worst page.
WRONG_LINES_SHOWN = 8


@dataclass(frozen=True)
class WrongLine:
    line: int  # 1-based line number in the page
    text: str
    true: str
    predicted: str
    score: float


@dataclass(frozen=True)
class PageReport:
    """One of the worst pages: where its record starts (file:line), what it is (id or URL, and the
    converter that made its text), its page F1 and its wrong lines (numbered within the page)."""

    source: str
    f1: float
    wrong: list[WrongLine]
    name: str = ""
    converter: str = ""
    index: int = -1  # position among the pages scored


@dataclass
class EvalReport:
    """What ``linesift evaluate`` reports; ``as_dict`` is its ``--json`` form."""

    lines: LineMetrics
    page: PageMetric
    pages: int
    threshold: float | None = None
    decoding: dict | None = None  # the page decoding that labelled the pages (then not the threshold)
    worst: list[PageReport] = field(default_factory=list)
    per_corpus: dict[str, dict] = field(default_factory=dict)
    snippets: SnippetMetric | None = None
    per_language: dict[str, dict] = field(default_factory=dict)
    site_repeats: dict | None = None  # the site-repeats step, when it revised the labels: {min_pages, lines}

    def to_text(self, worst: bool = True) -> str:
        return format_report(self.as_dict(), worst)

    def as_dict(self) -> dict:
        return {
            "precision": self.lines.precision,
            "recall": self.lines.recall,
            "f1": self.lines.f1,
            "accuracy": self.lines.accuracy,
            "confusion": {"tp": self.lines.tp, "fp": self.lines.fp, "fn": self.lines.fn, "tn": self.lines.tn},
            "page_metric": self.page.as_dict(),
            "snippet_metric": self.snippets.as_dict() if self.snippets else None,
            "pages": self.pages,
            "threshold": self.threshold,
            "decoding": self.decoding,
            "site_repeats": self.site_repeats,
            "per_corpus": self.per_corpus,
            "per_language": self.per_language,
            "worst_pages": [
                {"source": w.source, "name": w.name, "converter": w.converter, "f1": w.f1, "index": w.index,
                 "wrong_lines": [vars(x) for x in w.wrong]} for w in self.worst
            ],
        }


def score_labels(pages: Sequence[LabelledPage], predicted: Sequence[Sequence[str]],
                 scores: Sequence[Sequence[float]] | None = None, worst: int = WORST_PAGES) -> EvalReport:
    """Compare predicted label lists (one per page, one label per line) with the pages' labels.

    Line metrics count judged lines only (not ``unknown``); the page metric counts pages whose
    every line is judged; the snippet metric counts pages whose records carry snippets.
    """
    y_true, y_pred, counts, snips, ranked = [], [], {}, {}, []
    by_corpus: dict[str, list[int]] = {}
    by_language: dict[str, list[int]] = {}
    for i, (page, labels) in enumerate(zip(pages, predicted)):
        judged = [not is_blank(line) and true != UNKNOWN for line, true in zip(page.lines, page.labels)]
        y_true.append(np.array([lab == CONTENT for lab, k in zip(page.labels, judged) if k], dtype=bool))
        y_pred.append(np.array([lab == CONTENT for lab, k in zip(labels, judged) if k], dtype=bool))
        pred_text = assemble(page.lines, labels)
        if page.fully_judged:
            true_text = page.content_text()
            counts[i] = page_tp_fp_fn(true_text, pred_text)
            if worst:
                ranked.append((page_f1(true_text, pred_text), i))
        with_snippets, without_snippets = page.snippets
        if with_snippets or without_snippets:
            snips[i] = snippet_counts(pred_text, with_snippets, without_snippets)
        by_corpus.setdefault(page.corpus, []).append(i)
        if page.meta.get("language"):
            by_language.setdefault(f"{page.corpus}/{page.meta['language']}", []).append(i)
    report = EvalReport(
        lines=line_metrics(np.concatenate(y_true) if y_true else np.zeros(0, bool),
                           np.concatenate(y_pred) if y_pred else np.zeros(0, bool)),
        page=page_metric(list(counts.values())),
        pages=len(pages),
        snippets=snippet_metric(list(snips.values())) if snips else None,
    )

    def row(idx: list[int]) -> dict:
        lm = line_metrics(np.concatenate([y_true[i] for i in idx]), np.concatenate([y_pred[i] for i in idx]))
        judged = [counts[i] for i in idx if i in counts]
        snipped = [snips[i] for i in idx if i in snips]
        return {"pages": len(idx), "line_f1": lm.f1, "page_f1": page_metric(judged).f1 if judged else None,
                "snippet_f1": snippet_metric(snipped).f1 if snipped else None}

    if len(by_corpus) > 1:
        report.per_corpus = {corpus: row(idx) for corpus, idx in sorted(by_corpus.items())}
    report.per_language = {lang: row(idx) for lang, idx in sorted(by_language.items())}
    for f1, i in sorted(ranked)[:worst]:
        page, labels = pages[i], predicted[i]
        wrong = [
            WrongLine(n + 1, line, true, pred, float(scores[i][n]) if scores is not None else float("nan"))
            for n, (line, true, pred) in enumerate(zip(page.lines, page.labels, labels))
            if true != BLANK and true != pred
        ]
        if wrong:
            report.worst.append(PageReport(page.source, f1, wrong[:WRONG_LINES_SHOWN], page.meta.get("id") or page.url,
                                           page.meta.get("converter", ""), i))
    return report


def evaluate(predictor: Predictor, pages: Sequence[LabelledPage], worst: int = WORST_PAGES) -> EvalReport:
    """Run ``predictor`` on labelled pages and score it."""
    return evaluate_results(predictor, pages, worst)[0]


def evaluate_results(predictor: Predictor, pages: Sequence[LabelledPage], worst: int = WORST_PAGES,
                     site_repeats: int = 0) -> tuple[EvalReport, list[PageResult]]:
    """``evaluate``, also returning each page's predicted labels and scores (for the HTML report).
    With ``site_repeats`` K, the labels are revised as ``predict --site-repeats K`` would."""
    results = predictor.predict_pages([p.lines for p in pages])
    changed = 0
    if site_repeats:
        before = results
        results = revise_site_repeats(pages, results, site_repeats)
        changed = sum(x != y for a, b in zip(before, results) for x, y in zip(a.labels, b.labels))
    report = score_labels(pages, [r.labels for r in results], [r.scores for r in results], worst=worst)
    report.threshold = predictor.threshold
    report.decoding = predictor.decoding.as_dict() if predictor.decoding else None
    if site_repeats:
        report.site_repeats = {"min_pages": site_repeats, "lines": changed}
    return report, results


def page_site(page: LabelledPage) -> str:
    """A labelled page's site for the site-repeats step: its URL's host, else its record's site."""
    return site_of(page.url) or page.site


def revise_site_repeats(pages: Sequence[LabelledPage], results: Sequence[PageResult], min_pages: int) -> list[PageResult]:
    """Each page's content lines that ``min_pages`` other pages of its site hold made chrome (a page is its URL)."""
    counter = RepeatCounter()
    for page in pages:
        counter.add(page_site(page), page.url or page.source, page.lines)
    repeated = counter.repeated(min_pages)
    return [repeated.revise(result, page_site(page)) for page, result in zip(pages, results)]


def evaluate_peers(pages: Sequence[LabelledPage]) -> dict[str, EvalReport]:
    """Every installed peer (keep-all, C4's rule, jusText) scored on the same pages and lines."""
    from .peers import available_peers

    return {name: score_labels(pages, [peer(p.lines) for p in pages], worst=0)
            for name, peer in available_peers().items()}


def format_report(r: dict, worst: bool = True) -> str:
    """The human-readable report of an ``EvalReport.as_dict()`` (with optional ``peers``), as printed by the CLI."""
    c, pm = r["confusion"], r["page_metric"]
    lines = [
        f"pages {r['pages']}" + (f", {rule_text(r['decoding'])}" if r.get("decoding") else
                                 f", threshold {r['threshold']:.2f}" if r.get("threshold") is not None else ""),
        f"lines      precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}  accuracy {r['accuracy']:.3f}"
        if sum(c.values()) else "lines      -  (no judged line: every line is blank or 'unknown')",
        f"confusion  true content: {c['tp']} kept, {c['fn']} dropped;  true chrome: {c['fp']} kept, {c['tn']} dropped",
        f"page       precision {pm['precision']:.3f}  recall {pm['recall']:.3f}  F1 {pm['f1']:.3f}  "
        "(word 4-gram shingles, mean over pages)"
        if pm["pages"] else "page       -  (no page has every line judged, so no page's content is known)",
    ]
    if r.get("site_repeats"):
        sr = r["site_repeats"]
        lines.insert(1, f"site repeats: {sr['lines']} content line(s) held by {sr['min_pages']}+ other pages of their site made chrome")
    sm = r.get("snippet_metric")
    if sm:
        lines.append(f"snippets   precision {sm['precision']:.3f}  recall {sm['recall']:.3f}  F1 {sm['f1']:.3f}  "
                     f"({sm['pages']} pages with snippets; trafilatura's metric)")
    for title, key in (("per corpus:", "per_corpus"), ("per language:", "per_language")):
        if r.get(key):
            lines.append(title)
            lines += [f"  {name:<24} pages {m['pages']:>5}  line F1 {m['line_f1']:.3f}  page F1 {_opt(m['page_f1'])}"
                      f"  snippet F1 {_opt(m.get('snippet_f1'))}" for name, m in r[key].items()]
    if r.get("peers"):
        lines.append("on the same lines:")
        lines.append(f"  {'':<12} {'line P':>7} {'line R':>7} {'line F1':>7} {'page P':>7} {'page R':>7} {'page F1':>7}")
        rows = [("linesift", r)] + list(r["peers"].items())
        for name, m in rows:
            p = m["page_metric"]
            lines.append(f"  {name:<12} {m['precision']:>7.3f} {m['recall']:>7.3f} {m['f1']:>7.3f} "
                         f"{p['precision']:>7.3f} {p['recall']:>7.3f} {p['f1']:>7.3f}")
    if worst and r.get("worst_pages"):
        lines.append("worst pages:")
        for w in r["worst_pages"]:
            what = " ".join(part for part in (w.get("name"), f"[{w['converter']}]" if w.get("converter") else "") if part)
            lines.append(f"  {w['source']}{'  ' + what if what else ''}  page F1 {w['f1']:.3f}")
            for x in w["wrong_lines"]:
                text = x["text"] if len(x["text"]) <= 70 else x["text"][:67] + "..."
                lines.append(f"    page line {x['line']:>4}  {x['true']:>7} -> {x['predicted']:<7} score {x['score']:.2f}  {text}")
    return "\n".join(lines)


def rule_text(decoding: dict) -> str:
    """How a page decoding labelled the pages, for reports."""
    return f"page decoding (recall weight {decoding['recall_weight']:.1f}, logit shift {decoding['logit_shift']:.1f})"


def _opt(value: float | None) -> str:
    return "    -" if value is None else f"{value:.3f}"
