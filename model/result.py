"""A page's labelled lines and how its content is put together; importable without scikit-learn,
so steps that never load a model (``linesift repeats count``) do not pay for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .labels import BLANK, CONTENT


@dataclass(frozen=True)
class PageResult:
    """One page's lines with a label and a content score each (score 0 for blank lines)."""

    lines: list[str]
    labels: list[str]
    scores: list[float]
    content: str | None = None

    def content_text(self) -> str:
        """The content lines in order, one blank line where the original had blank lines between them."""
        return self.content if self.content is not None else assemble(self.lines, self.labels)

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
        elif label == BLANK:
            gap = True
    return "\n".join(out)
