"""Would a site's repeated lines help? A revise rule measured on cross-validation's held-out labels.

Sites repeat their chrome: the same navigation, sign-up prompt or disclaimer on every page. The
simplest use of that is a revise step after the model: a line kept as content that also appears
on at least K other pages of its site (in the same data) becomes chrome. This runs the bundled
recipe's site-grouped CV once (a site's pages share a test fold, as the pages of one site share a
crawl) and scores the rule for each K beside the model alone.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections import defaultdict
from typing import Sequence

import numpy as np
from linesift.model.labels import CHROME, CONTENT
from linesift.model.site_repeats import normalise
from linesift.model.text import is_blank

from .data import LabelledPage
from .evaluate import score_labels

#: Values of K measured by default: other pages of the site that must hold the line.
DEFAULT_MIN_PAGES = (1, 2, 3, 5)


def other_pages(pages: Sequence[LabelledPage]) -> list[np.ndarray]:
    """For every line of every page, how many *other* pages of its site hold it, shape (n_lines,)
    per page (0 for blank lines). A page is its URL (its source when it has none): the two
    conversions of one page are one page."""
    holders: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for page in pages:
        key = page.url or page.source
        for line in page.lines:
            if not is_blank(line):
                holders[(page.corpus, page.site, normalise(line))].add(key)
    out = []
    for page in pages:
        key = page.url or page.source
        counts = [0 if is_blank(line) else len(holders[(page.corpus, page.site, normalise(line))] - {key})
                  for line in page.lines]
        out.append(np.array(counts, dtype=np.int64))
    return out


def revise(labels: Sequence[str], others: np.ndarray, min_pages: int) -> list[str]:
    """``labels`` with each content line held by at least ``min_pages`` other pages made chrome."""
    return [CHROME if label == CONTENT and n >= min_pages else label for label, n in zip(labels, others)]


def table(pages: Sequence[LabelledPage], predicted: Sequence[Sequence[str]],
          min_pages: Sequence[int], excluded: frozenset[str] = frozenset()) -> list[str]:
    """One row per rule (the model alone first): lines changed, page F1 over all pages but those of
    the ``excluded`` corpora (as the CV's overall figure leaves out our stubs) and per corpus
    (snippet F1 for a corpus with snippets only)."""
    others = other_pages(pages)
    counted = [i for i, p in enumerate(pages) if p.corpus not in excluded]
    corpora = sorted({p.corpus for p in pages})
    rows = ["rule                 lines changed  page F1  " + "  ".join(f"{c[:12]:>12}" for c in corpora)]
    for k in (None, *min_pages):
        labels = predicted if k is None else [revise(lab, o, k) for lab, o in zip(predicted, others)]
        changed = sum(a != b for old, new in zip(predicted, labels) for a, b in zip(old, new))
        report = score_labels(pages, labels).as_dict()
        by_corpus = report["per_corpus"] or {pages[0].corpus: {"page_f1": report["page_metric"]["f1"],
                                                               "snippet_f1": None}}
        cells = []
        for c in corpora:
            row = by_corpus[c]
            value = row["page_f1"] if row["page_f1"] is not None else row["snippet_f1"]
            cells.append(f"{value:12.3f}" if value is not None else f"{'-':>12}")
        name = "model alone" if k is None else f"held by {k}+ others"
        page_f1 = report["page_metric"]["f1"] if len(counted) == len(pages) else score_labels(
            [pages[i] for i in counted], [labels[i] for i in counted], worst=0).as_dict()["page_metric"]["f1"]
        rows.append(f"{name:<20} {changed:>13,}  {page_f1:7.3f}  " + "  ".join(cells))
    return rows


def main(argv: list[str] | None = None) -> int:
    from .data import read_labelled
    from .recipe import get_recipe
    from .train import TUNING_EXCLUDED, cross_validate

    parser = ArgumentParser(prog="linesift dev repeats",
                            description="Score the revise rule 'a content line on K other pages of its site is chrome' "
                                        "on the bundled recipe's site-grouped CV.")
    parser.add_argument("data", nargs="+", help="built corpora (datasets/built)")
    parser.add_argument("--min-pages", type=int, nargs="+", default=list(DEFAULT_MIN_PAGES),
                        help="values of K (other pages of the site holding the line)")
    parser.add_argument("--folds", type=int, default=None, help="CV folds (default: the recipe's)")
    args = parser.parse_args(argv)
    pages = read_labelled(args.data)
    cv = cross_validate(pages, get_recipe("bundled"), args.folds,
                        progress=lambda message: print(message, file=sys.stderr, flush=True))
    for row in table(pages, cv.held_out_labels(pages), args.min_pages, TUNING_EXCLUDED):
        print(row)
    return 0
