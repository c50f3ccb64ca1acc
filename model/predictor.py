"""The predictor: a saved model plus its threshold, turning pages into labelled lines."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.pipeline import Pipeline

from .errors import LinesiftError
from .modelfile import load_model
from .text import is_blank, split_lines

CONTENT, CHROME, BLANK = "content", "chrome", "blank"
LABELS = (CONTENT, CHROME, BLANK)
#: Raw lines featurised per model call: large enough to amortise calls, small enough to stay in cache.
BATCH_LINES = 16_384
#: Decimal places kept in reported scores.
SCORE_DECIMALS = 4
#: Environment variable naming a model to use instead of the bundled one.
MODEL_ENV = "LINESIFT_MODEL"
FAVOR_CHOICES = ("precision", "recall")


def bundled_model_path() -> Path:
    """The model shipped with linesift (``artifacts/linesift.joblib``)."""
    return Path(str(resources.files("linesift.artifacts").joinpath("linesift.joblib")))


def default_model_path() -> Path:
    """``$LINESIFT_MODEL`` when set, else the bundled model."""
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else bundled_model_path()


@dataclass(frozen=True)
class PageResult:
    """One page's lines with a label and a content score each (score 0 for blank lines)."""

    lines: list[str]
    labels: list[str]
    scores: list[float]

    def content_text(self) -> str:
        """The content lines in order, one blank line where the original had blank lines between them."""
        return assemble(self.lines, self.labels)

    def line_records(self) -> list[dict[str, Any]]:
        return [{"text": t, "label": l, "score": s} for t, l, s in zip(self.lines, self.labels, self.scores)]


def assemble(lines: Sequence[str], labels: Sequence[str]) -> str:
    """Join the lines labelled content; a blank line marks where blank lines separated them."""
    out: list[str] = []
    gap = False
    for line, label in zip(lines, labels):
        if label == CONTENT:
            if gap and out:
                out.append("")
            out.append(line)
            gap = False
        elif label == BLANK or is_blank(line):
            gap = True
    return "\n".join(out)


class Predictor:
    """Labels pages' lines with a saved model; many pages share each ``predict_proba`` call."""

    def __init__(self, pipeline: Pipeline, metadata: dict[str, Any], threshold: float | None = None,
                 favor: str | None = None):
        self.pipeline = pipeline
        self.metadata = metadata
        self.threshold = resolve_threshold(metadata, threshold, favor)

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, threshold: float | None = None,
             favor: str | None = None) -> "Predictor":
        pipeline, meta = load_model(Path(path) if path is not None else default_model_path())
        return cls(pipeline, meta, threshold, favor)

    def score_pages(self, pages: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Content probability of every line of every page: one array of shape (len(page),) each."""
        scores = [np.zeros(len(page)) for page in pages]
        for group in _batches(pages, BATCH_LINES):
            members = [pages[i] for i in group]
            keep = [np.fromiter((not is_blank(l) for l in page), dtype=bool, count=len(page)) for page in members]
            if not any(k.any() for k in keep):
                continue
            proba = self.pipeline.predict_proba(members)[:, 1]
            offset = 0
            for i, mask in zip(group, keep):
                n = int(mask.sum())
                scores[i][mask] = proba[offset : offset + n]
                offset += n
        return scores

    def predict_pages(self, pages: Sequence[Sequence[str]]) -> list[PageResult]:
        """Label every line of every page (pages given as lists of lines)."""
        results = []
        for page, score in zip(pages, self.score_pages(pages)):
            labels = np.where(score >= self.threshold, CONTENT, CHROME).astype(object)
            blank = np.fromiter((is_blank(l) for l in page), dtype=bool, count=len(page))
            labels[blank] = BLANK
            results.append(PageResult(list(page), labels.tolist(), np.round(score, SCORE_DECIMALS).tolist()))
        return results

    def predict_text(self, text: str) -> PageResult:
        """Label the lines of one page's text."""
        return self.predict_pages([split_lines(text)])[0]


def resolve_threshold(metadata: dict[str, Any], threshold: float | None, favor: str | None) -> float:
    """An explicit threshold wins, then the model's threshold for ``favor``, then its default."""
    if threshold is not None:
        if not 0.0 <= threshold <= 1.0:
            raise LinesiftError(f"threshold must be between 0 and 1, got {threshold}")
        return float(threshold)
    if favor is not None:
        if favor not in FAVOR_CHOICES:
            raise LinesiftError(f"--favor must be one of {', '.join(FAVOR_CHOICES)}, got {favor!r}")
        return float(metadata.get("thresholds", {}).get(favor, metadata["threshold"]))
    return float(metadata["threshold"])


def _batches(pages: Sequence[Sequence[str]], max_lines: int) -> Iterable[list[int]]:
    """Indices of consecutive pages grouped to about ``max_lines`` lines (a bigger page goes alone)."""
    group: list[int] = []
    size = 0
    for i, page in enumerate(pages):
        if group and size + len(page) > max_lines:
            yield group
            group, size = [], 0
        group.append(i)
        size += len(page)
    if group:
        yield group
