"""``linesift evaluate --html``: the report as one self-contained page, plots drawn by matplotlib as
inline SVG, and the worst pages opening in the review view."""

from __future__ import annotations

import html
import io
import re
from typing import Sequence

import numpy as np
from linesift.model.errors import LinesiftError
from linesift.model.labels import CHROME, CONTENT
from linesift.model.predictor import PageResult, Predictor

from .data import LabelledPage
from .evaluate import rule_text
from .review import ReviewPage, page_html, review_body, review_data

#: Thresholds at which the precision/recall/F1 curves are drawn (probability units).
CURVE_THRESHOLDS = np.linspace(0.0, 1.0, 101)
#: Bins of the score histograms over [0, 1].
HISTOGRAM_BINS = 40
#: Figure size of each plot (inches at matplotlib's 72 points per inch in SVG).
FIGURE_SIZE = (8.5, 3.4)
CONTENT_COLOUR, CHROME_COLOUR = "#2166ac", "#e66101"


def judged_scores(pages: Sequence[LabelledPage], results: Sequence[PageResult]) -> tuple[np.ndarray, np.ndarray]:
    """Truth (True = content) and score of every line judged content or chrome; two arrays of shape (n_judged,)."""
    truth, scores = [], []
    for page, result in zip(pages, results):
        for label, s in zip(page.labels, result.scores):
            if label in (CONTENT, CHROME):
                truth.append(label == CONTENT)
                scores.append(s)
    return np.array(truth, dtype=bool), np.array(scores, dtype=float)


def threshold_curves(truth: np.ndarray, scores: np.ndarray, thresholds: np.ndarray = CURVE_THRESHOLDS) -> dict[str, np.ndarray]:
    """Line precision, recall and F1 when lines scoring at or above each threshold are content;
    precision is NaN where no line is kept. Arrays of shape (len(thresholds),)."""
    positives = np.sort(scores[truth])
    negatives = np.sort(scores[~truth])
    tp = len(positives) - np.searchsorted(positives, thresholds, side="left")
    fp = len(negatives) - np.searchsorted(negatives, thresholds, side="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), np.nan)
        recall = tp / max(len(positives), 1)
        f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + (len(positives) - tp), 1), 0.0)
    return {"threshold": thresholds, "precision": precision, "recall": recall, "f1": f1}


def require_matplotlib() -> None:
    """Fail before any work when the plots cannot be drawn."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise LinesiftError("evaluate --html draws its plots with matplotlib, which is not installed: "
                            "pip install 'linesift[report]'") from None


def _figure():
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=FIGURE_SIZE, layout="constrained")


def _svg(fig, plot_id: str) -> str:
    """The figure as inline SVG text (text kept as text, ids stable from run to run)."""
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "linesift"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<svg ", f'<svg id="{plot_id}" role="img" ', svg, count=1)


def curves_svg(curves: dict[str, np.ndarray], marks: dict[str, float]) -> str:
    """Precision, recall and F1 against the threshold, with the model's thresholds marked."""
    fig = _figure()
    ax = fig.subplots()
    for name, style in (("precision", "-"), ("recall", "--"), ("f1", "-")):
        ax.plot(curves["threshold"], curves[name], style, label=name if name != "f1" else "F1",
                linewidth=2.2 if name == "f1" else 1.4)
    for i, (name, value) in enumerate(marks.items()):
        ax.axvline(value, color="0.35", linewidth=0.9, linestyle=":")
        ax.annotate(f"{name} {value:.2f}", (value, 0.04 + 0.08 * i), xytext=(3, 0), textcoords="offset points",
                    fontsize=8, color="0.25")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="threshold (content probability)", ylabel="line metric")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return _svg(fig, "plot-threshold")


def histogram_svg(truth: np.ndarray, scores: np.ndarray, threshold: float) -> str:
    """How the scores of true content and true chrome lines are spread, with the threshold marked."""
    fig = _figure()
    ax = fig.subplots()
    bins = np.linspace(0, 1, HISTOGRAM_BINS + 1)
    ax.hist(scores[~truth], bins=bins, alpha=0.65, color=CHROME_COLOUR, label=f"true chrome ({(~truth).sum():,} lines)")
    ax.hist(scores[truth], bins=bins, alpha=0.65, color=CONTENT_COLOUR, label=f"true content ({truth.sum():,} lines)")
    ax.axvline(threshold, color="0.2", linewidth=1, linestyle=":")
    ax.set(xlim=(0, 1), xlabel="content score", ylabel="lines")
    if len(scores) and np.bincount(np.digitize(scores, bins)).max() > 50:
        ax.set_yscale("log")
        ax.set_ylabel("lines (log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return _svg(fig, "plot-scores")


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], table_id: str) -> str:
    def cell(v: object) -> str:
        return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else html.escape(str(v))

    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _group_table(groups: dict[str, dict], table_id: str) -> str:
    return _table(["", "pages", "line F1", "page F1", "snippet F1"],
                  [[name, m["pages"], m["line_f1"], m["page_f1"], m.get("snippet_f1")] for name, m in groups.items()],
                  table_id)


def report_html(report: dict, pages: Sequence[LabelledPage], results: Sequence[PageResult], predictor: Predictor,
                title: str, warnings: Sequence[str] = ()) -> str:
    """The whole evaluate report page."""
    truth, scores = judged_scores(pages, results)
    rule = rule_text(predictor.decoding.as_dict()) if predictor.decoding else f"threshold {predictor.threshold:.2f}"
    if report.get("site_repeats"):
        sr = report["site_repeats"]
        rule += f"; then {sr['lines']:,} content line(s) held by {sr['min_pages']}+ other pages of their site made chrome"
    marks = {"fixed threshold" if predictor.decoding else "in use": predictor.threshold}
    for name, value in (predictor.metadata.get("thresholds") or {}).items():
        if isinstance(value, (int, float)) and abs(value - predictor.threshold) > 1e-9:
            marks[f"best {name}" if name != "f1" else "best F1"] = float(value)
    c, pm, sm = report["confusion"], report["page_metric"], report.get("snippet_metric")
    summary = [["lines", report["precision"], report["recall"], report["f1"], report["pages"]],
               ["page (word 4-gram shingles)", pm["precision"], pm["recall"], pm["f1"], pm.get("pages", report["pages"])]]
    if sm:
        summary.append(["snippets (trafilatura's metric)", sm["precision"], sm["recall"], sm["f1"], sm["pages"]])
    parts = [f'<header class="bar"><h1>{html.escape(title)}</h1>'
             f'<span class="summary">{html.escape(rule)}</span></header><div class="report">']
    parts += [f'<p class="warning">{html.escape(w)}</p>' for w in warnings]
    parts.append("<h2>Summary</h2>" + _table(["", "precision", "recall", "F1", "pages"], summary, "summary-table"))
    parts.append(f"<p>True content lines: {c['tp']:,} kept, {c['fn']:,} dropped. True chrome lines: {c['fp']:,} kept, "
                 f"{c['tn']:,} dropped (line accuracy {report['accuracy']:.3f}).</p>")
    if report.get("per_corpus"):
        parts.append("<h2>Per corpus</h2>" + _group_table(report["per_corpus"], "corpus-table"))
    if report.get("per_language"):
        parts.append("<h2>Per language</h2>" + _group_table(report["per_language"], "language-table"))
    if len(truth):
        parts.append("<h2>Threshold</h2><figure>" + curves_svg(threshold_curves(truth, scores), marks) +
                     "<figcaption>Line precision, recall and F1 if lines scoring at or above the threshold are kept; "
                     "dotted lines mark the threshold in use and the model's tuned ones"
                     + (" (scores alone: before the site-repeats step)" if report.get("site_repeats") else "")
                     + ".</figcaption></figure>")
        parts.append("<figure>" + histogram_svg(truth, scores, predictor.threshold) +
                     "<figcaption>Scores of lines by their true label: overlap is where the model hesitates.</figcaption></figure>")
    worst = report.get("worst_pages") or []
    review_pages = [ReviewPage(w["name"] or w["source"], w["source"], pages[w["index"]].lines, pages[w["index"]].labels)
                    for w in worst]
    if worst:
        items = "".join(
            f'<li><button type="button" data-page="{n}">{html.escape(w["name"] or w["source"])}</button> '
            f'{html.escape(("[" + w["converter"] + "] ") if w.get("converter") else "")}page F1 {w["f1"]:.3f} '
            f'<small>({html.escape(w["source"])})</small></li>' for n, w in enumerate(worst))
        data = review_data(review_pages, [results[w["index"]] for w in worst], predictor, title)
        parts.append(f'<h2>Worst pages</h2><ol class="worst" id="worst-pages">{items}</ol>'
                     "<p>Open one in the review below: its lines coloured by score, true label beside the predicted one.</p>"
                     + review_body(data, embedded=True) + _WORST_SCRIPT)
    parts.append("</div>")
    return page_html(title, "".join(parts))


_WORST_SCRIPT = """<script>
document.querySelectorAll("#worst-pages button").forEach((b) => b.addEventListener("click", () => {
  window.linesiftReview.showPage(Number(b.dataset.page));
  document.getElementById("review").scrollIntoView();
}));
</script>"""
