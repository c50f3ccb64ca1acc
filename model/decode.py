"""Page decoding: each page keeps the lines that maximise its expected precision plus weighted recall.

A fixed threshold treats every page alike, but the page metric averages precision and recall over
pages, and the threshold that maximises one page's F1 is about half the F1 the page can reach
(Lipton et al., 2014, "Thresholding classifiers to maximize F1 score"): a page whose content the
model is sure of wants a higher threshold than a page of short, uncertain lines (listings,
products, forums), where a fixed threshold drops real content. So each page ranks its lines by
score, treats the (shifted) scores as probabilities, and keeps the top k lines that maximise

    E[precision] + recall_weight * E[recall]  ~  A_k / W_k + recall_weight * A_k / A_all

where W_k is the characters of the top k lines and A_k their expected content characters. Keeping
nothing is also a choice: it is right when the page holds no content at all (a sign-in wall, an error
page, a cookie notice alone), with chance prod(1 - p) over its lines, and then scores 1 + recall_weight
(nothing to find, nothing kept); a page keeps nothing when that beats its best top k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The decision rule's name stored in a model's metadata.
PAGE_RULE = "page"
#: Scores are clipped to this distance from 0 and 1 before their logit is taken.
LOGIT_EPS = 1e-6


@dataclass(frozen=True)
class PageDecoding:
    """The page rule's two settings, chosen on out-of-fold scores at training time."""

    #: How much a page's expected recall counts against its expected precision (1 = equally).
    recall_weight: float
    #: Subtracted from each score's logit before it is read as a probability (scores run high).
    logit_shift: float

    def as_dict(self) -> dict[str, Any]:
        return {"rule": PAGE_RULE, "recall_weight": self.recall_weight, "logit_shift": self.logit_shift}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PageDecoding":
        """Settings from a model's metadata; ValueError unless both are finite and the weight is not negative."""
        weight, shift = float(d["recall_weight"]), float(d["logit_shift"])
        if not (math.isfinite(weight) and math.isfinite(shift) and weight >= 0 and abs(shift) <= 50):
            raise ValueError(f"settings out of range: recall weight {weight}, logit shift {shift}")
        return cls(weight, shift)


def decode_pages(scores: np.ndarray, weights: np.ndarray, page_sizes: np.ndarray, decoding: PageDecoding) -> np.ndarray:
    """Which lines each page keeps under ``decoding``.

    ``scores`` and ``weights`` (characters, 0 for lines never kept: blank ones) have shape
    (n_lines,), pages are consecutive runs of ``page_sizes`` lines; returns a bool array (n_lines,).
    Ties at a page's cut are kept together, so the result depends on scores, not on line order. A
    score of exactly 0 (a line the convention turns chrome) is never kept: on a page with nothing
    better, the top of the ranking would otherwise be those lines. A page whose lines are all
    unlikely content keeps none of them (see the module's docstring).
    """
    keep = np.zeros(len(scores), dtype=bool)
    idx = np.flatnonzero((weights > 0) & (scores > 0))
    if len(idx) == 0:
        return keep
    page_of = np.repeat(np.arange(len(page_sizes)), page_sizes)[idx]
    s = np.clip(scores[idx].astype(np.float64), LOGIT_EPS, 1 - LOGIT_EPS)
    p = s / (s + (1 - s) * math.exp(decoding.logit_shift))  # sigmoid(logit(s) - shift)
    order = np.argsort(page_of - 0.5 * p)  # by page, then by falling probability
    po, po_p = page_of[order], p[order]
    no_content = np.exp(np.bincount(page_of, weights=np.log1p(-p), minlength=len(page_sizes)))  # prod(1 - p)
    wo = weights[idx][order].astype(np.float64)
    mass = wo * po_p
    page_mass = np.bincount(po, weights=mass, minlength=len(page_sizes))
    page_chars = np.bincount(po, weights=wo, minlength=len(page_sizes))
    a = np.cumsum(mass) - (np.cumsum(page_mass) - page_mass)[po]  # expected content chars of the top k
    w = np.cumsum(wo) - (np.cumsum(page_chars) - page_chars)[po]  # chars of the top k
    objective = a / w + decoding.recall_weight * a / np.maximum(page_mass[po], np.finfo(float).tiny)
    starts = np.flatnonzero(np.r_[True, po[1:] != po[:-1]])
    best = np.maximum.reduceat(objective, starts)
    seg = np.cumsum(np.r_[True, po[1:] != po[:-1]]) - 1
    # The best objective's highest-probability position is the page's cut (probabilities fall within a page).
    cut = np.full(len(page_sizes), np.inf)
    cut[po[starts]] = np.maximum.reduceat(np.where(objective >= best[seg], po_p, -1.0), starts)
    pages = po[starts]
    cut[pages[no_content[pages] * (1 + decoding.recall_weight) > best]] = np.inf  # keeping nothing is the better bet
    keep[idx] = p >= cut[page_of]
    return keep
