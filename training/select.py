"""Model selection on the built corpora: which model type and feature set generalise to unseen sites.

``python -m linesift.training.select datasets/built [--quick]`` runs site-grouped cross-validation
for each candidate (model type x feature groups x corpus weighting), scores the peers on the same
lines, and runs leave-one-corpus-out for the best candidate. It prints one table per experiment
and writes everything to ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from linesift.model.features import GROUPS

from .data import LabelledPage, read_labelled
from .errors import error_table, format_table
from .evaluate import EvalReport, evaluate_peers, score_labels
from .train import cross_validate, fit, build_pipeline, _labels_from_scores, best_threshold

import numpy as np


@dataclass(frozen=True)
class Candidate:
    name: str
    model_type: str
    groups: tuple[str, ...] = GROUPS
    context: bool = True
    weights: tuple[tuple[str, float], ...] = ()
    params: tuple[tuple[str, object], ...] = ()


def per_corpus_page_f1(report: EvalReport) -> dict[str, float]:
    return {name: m["page_f1"] for name, m in report.per_corpus.items()}


def leave_one_corpus_out(pages: Sequence[LabelledPage], candidate: Candidate, seed: int = 0,
                         held_out: Sequence[str] = ()) -> dict[str, dict]:
    """Train on all corpora but one, test on it; the threshold comes from the training corpora's CV."""
    results = {}
    for held in sorted(held_out or {p.corpus for p in pages}):
        train = [p for p in pages if p.corpus != held]
        test = [p for p in pages if p.corpus == held]
        cv = cross_validate(train, candidate.model_type, candidate.groups, candidate.context, folds=3, seed=seed,
                            corpus_weights=dict(candidate.weights))
        model = fit(build_pipeline(candidate.model_type, candidate.groups, candidate.context, seed), train,
                    corpus_weights=dict(candidate.weights))
        proba = model.predict_proba([p.lines for p in test])[:, 1]
        predicted, offset = [], 0
        for page in test:
            n = len(page.content_mask())
            predicted.append(_labels_from_scores(page, proba[offset : offset + n], cv.thresholds["f1"])[0])
            offset += n
        report = score_labels(test, predicted, worst=0)
        results[held] = {"pages": len(test), "line_f1": report.lines.f1, "page_f1": report.page.f1,
                         "threshold": cv.thresholds["f1"]}
        print(f"  leave out {held:<16} pages {len(test):>5}  line F1 {report.lines.f1:.3f}  page F1 {report.page.f1:.3f}",
              flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+")
    parser.add_argument("--out", default="selection.json")
    parser.add_argument("--candidates", default="all", help="comma-separated candidate names, 'none', or all")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--loco", default="", help="candidate to run leave-one-corpus-out for")
    parser.add_argument("--errors", default="", help="write the first candidate's out-of-fold errors by line kind here (JSON)")
    parser.add_argument("--held-out", default="", help="comma-separated corpora to hold out (default: each in turn)")
    args = parser.parse_args(argv)
    pages = read_labelled(args.data)
    print(f"{len(pages)} pages, {len({p.site for p in pages})} sites", flush=True)
    down = (("dragnet", 0.5), ("cleaneval", 0.3), ("cleanportaleval", 0.5), ("readability", 0.5))
    candidates = [
        Candidate("logreg", "logreg"),
        Candidate("hgb", "hgb"),
        Candidate("hgb-no-keywords", "hgb", tuple(g for g in GROUPS if g != "keywords")),
        Candidate("hgb-no-context", "hgb", context=False),
        Candidate("hgb-weighted", "hgb", weights=down),
        Candidate("hgb-weighted-15-leaves", "hgb", weights=down, params=(("max_leaf_nodes", 15),)),
        Candidate("hgb-weighted-200-trees", "hgb", weights=down, params=(("max_iter", 200), ("learning_rate", 0.1))),
    ]
    every = {c.name: c for c in candidates}
    if args.candidates != "all":
        wanted = args.candidates.split(",")
        candidates = [c for c in candidates if c.name in wanted]
    results: dict = {"pages": len(pages), "cv": {}, "peers": {}, "loco": {}}
    for c in candidates:
        start = time.perf_counter()
        cv = cross_validate(pages, c.model_type, c.groups, c.context, folds=args.folds, corpus_weights=dict(c.weights),
                            classifier_params=dict(c.params))
        r = cv.report
        results["cv"][c.name] = {"line_f1": r.lines.f1, "page_f1": r.page.f1, "per_corpus": r.per_corpus,
                                 "thresholds": cv.thresholds, "seconds": time.perf_counter() - start}
        corp = "  ".join(f"{k} {v:.3f}" for k, v in per_corpus_page_f1(r).items())
        if args.errors and c is candidates[0]:
            table = error_table(pages, cv.oof_scores, cv.thresholds["f1"]).as_dict()
            Path(args.errors).write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n")
            print(format_table(table), flush=True)
        print(f"{c.name:<18} line F1 {r.lines.f1:.3f}  page F1 {r.page.f1:.3f}  | page F1 per corpus: {corp}"
              f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    if not args.no_peers:
        for name, r in evaluate_peers(pages).items():
            by = {}
            for corpus in sorted({p.corpus for p in pages}):
                sub = [p for p in pages if p.corpus == corpus]
                by[corpus] = score_labels(sub, [_peer(name)(p.lines) for p in sub], worst=0).page.f1
            results["peers"][name] = {"line_f1": r.lines.f1, "page_f1": r.page.f1, "per_corpus_page_f1": by}
            corp = "  ".join(f"{k} {v:.3f}" for k, v in by.items())
            print(f"{name:<18} line F1 {r.lines.f1:.3f}  page F1 {r.page.f1:.3f}  | page F1 per corpus: {corp}", flush=True)
    if args.loco:
        c = every[args.loco]
        print(f"leave-one-corpus-out, {c.name}:", flush=True)
        results["loco"][c.name] = leave_one_corpus_out(pages, c, held_out=[h for h in args.held_out.split(",") if h])
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _peer(name: str):
    from .peers import PEERS

    return PEERS[name]


if __name__ == "__main__":
    from .script import run_script

    sys.exit(run_script("linesift.training.select", main))
