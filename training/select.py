"""Model selection on the built corpora: which model type and feature set generalise to unseen sites.

``linesift dev select datasets/built`` runs site-grouped cross-validation
for each candidate (model type x feature groups x corpus weighting), scores the peers on the same
lines, and runs leave-one-corpus-out for the best candidate. It prints one table per experiment
and writes everything to ``--out`` (JSON).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Sequence

import numpy as np
from linesift.model.atomic import atomic_write
from linesift.model.decode import PageDecoding

from .data import LabelledPage, labelled_files, read_labelled, sites_subset
from .errors import error_table, format_table
from .evaluate import EvalReport, evaluate_peers, score_labels
from .recipe import RECIPES, Recipe, get_recipe
from .repo import ArgumentParser
from .train import _labels_from_scores, build_pipeline, cross_validate, fit, labels_by_decoding


def per_corpus_page_f1(report: EvalReport) -> dict[str, float | None]:
    """Page F1 per corpus, or snippet F1 for a corpus with snippets only."""
    return {name: m["page_f1"] if m["page_f1"] is not None else m["snippet_f1"] for name, m in report.per_corpus.items()}


def _say(message: str) -> None:
    print(f"    {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _opt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def leave_one_corpus_out(pages: Sequence[LabelledPage], recipe: Recipe, held_out: Sequence[str] = (),
                         loco_folds: int = 3, threshold_sites: float = 1.0,
                         decodings: Sequence[PageDecoding] = ()) -> dict[str, dict]:
    """Train on all corpora but one, test on it; the threshold comes from a CV on the training
    corpora (on ``threshold_sites`` of their sites, to save time): never from the held-out corpus.

    With ``decodings``, no CV: the held-out corpus is decoded at each of them in turn, one row
    each under ``"fixed"`` (a paired comparison of recipes, free of the settings a CV picks)."""
    results = {}
    for held in sorted(held_out or {p.corpus for p in pages}):
        train = [p for p in pages if p.corpus != held]
        test = [p for p in pages if p.corpus == held]
        cv = None if decodings else cross_validate(sites_subset(train, threshold_sites), recipe, folds=loco_folds,
                                                   progress=_say)
        _say(f"leave out {held}: fitting on {len(train):,} pages")
        model = fit(build_pipeline(recipe), train, corpus_weights=recipe.corpus_weights, page_balance=recipe.page_balance,
                    language_balance=recipe.language_balance)
        proba = model.predict_proba([p.lines for p in test])[:, 1]
        test_scores = np.split(proba, np.cumsum([len(p.content_mask()) for p in test])[:-1])
        if cv is None:
            results[held] = {"pages": len(test), "fixed": [
                {"decoding": d.as_dict(), **_held_out_row(held, f"decoding {d.recall_weight:g}, {d.logit_shift:g}",
                                                          test, labels_by_decoding(test, test_scores, d))}
                for d in decodings]}
            continue
        if cv.decoding is not None:
            predicted = labels_by_decoding(test, test_scores, cv.decoding)
        else:
            predicted = [_labels_from_scores(page, s, cv.thresholds["f1"])[0] for page, s in zip(test, test_scores)]
        results[held] = {"pages": len(test), **_held_out_row(held, "", test, predicted), "threshold": cv.thresholds["f1"],
                         **({"decoding": cv.decoding.as_dict()} if cv.decoding else {})}
    return results


def _held_out_row(held: str, how: str, test: Sequence[LabelledPage], predicted: list[list[str]]) -> dict:
    """The held-out corpus's figures under one set of labels, printed as they are made."""
    report = score_labels(test, predicted, worst=0)
    row = {"line_f1": report.lines.f1, "page_f1": report.page.f1 if report.page.pages else None,
           "snippet_f1": report.snippets.f1 if report.snippets else None, "per_language": report.per_language}
    print(f"  leave out {held:<20} pages {len(test):>5}  line F1 {report.lines.f1:.3f}  page F1 "
          f"{_opt(row['page_f1'])}  snippet F1 {_opt(row['snippet_f1'])}{'  ' + how if how else ''}", flush=True)
    for lang, r in report.per_language.items():
        print(f"    {lang:<26} pages {r['pages']:>4}  page F1 {_opt(r['page_f1'])}  snippet F1 "
              f"{_opt(r['snippet_f1'])}", flush=True)
    return row


def parse_decodings(text: str) -> list[PageDecoding]:
    """``"0.6:0,0.8:0.5"`` as page decodings (recall weight : logit shift); ValueError naming the bad one."""
    out = []
    for item in (t.strip() for t in text.split(",")):
        weight, sep, shift = item.partition(":")
        try:
            if not sep:
                raise ValueError("not WEIGHT:SHIFT")
            out.append(PageDecoding.from_dict({"recall_weight": weight, "logit_shift": shift}))
        except ValueError as e:
            raise ValueError(f"decoding {item!r}: {e}") from None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="linesift dev select", description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+")
    parser.add_argument("--out", default="selection.json")
    parser.add_argument("--candidates", default="all", help="comma-separated candidate names, 'none', or all")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--loco", default="", help="candidate to run leave-one-corpus-out for")
    parser.add_argument("--errors", default="", help="write the first candidate's out-of-fold errors by line kind here (JSON)")
    parser.add_argument("--held-out", default="", help="comma-separated corpora to hold out (default: each in turn)")
    parser.add_argument("--sites", type=float, default=1.0,
                        help="share of sites to use (0-1, a fixed choice by site hash) for quicker comparisons")
    parser.add_argument("--loco-folds", type=int, default=3, help="folds of the CV that picks a held-out run's threshold")
    parser.add_argument("--loco-threshold-sites", type=float, default=1.0,
                        help="share of the training sites that CV runs on (0-1)")
    parser.add_argument("--loco-decodings", default="",
                        help="decode the held-out corpus at each of these page decodings (recall weight:logit "
                             "shift, comma-separated, e.g. 0.6:0,0.8:0.5) with no CV: one fit, paired figures")
    parser.add_argument("--seed", type=int, default=None,
                        help="fit every candidate and the held-out runs with this seed instead of the recipe's "
                             "(a second seed shows a figure's refit noise)")
    args = parser.parse_args(argv)
    try:
        decodings = parse_decodings(args.loco_decodings) if args.loco_decodings else []
    except ValueError as e:
        parser.error(f"--loco-decodings: {e}")
    if decodings and not args.loco:
        parser.error("--loco-decodings needs --loco (the recipe to hold corpora out for)")
    for name, share in (("--sites", args.sites), ("--loco-threshold-sites", args.loco_threshold_sites)):
        if not 0 < share <= 1:
            parser.error(f"{name} must be a share of the sites, above 0 and at most 1 (got {share:g})")
    for name, folds in (("--folds", args.folds), ("--loco-folds", args.loco_folds)):
        if folds < 2:
            parser.error(f"{name} must be 2 or more (got {folds})")
    try:
        loco = get_recipe(args.loco) if args.loco else None
    except KeyError:
        parser.error(f"--loco: unknown recipe {args.loco!r}; known: bundled, {', '.join(RECIPES)}")
    inputs = labelled_files(args.data)
    for option, out in (("--out", args.out), ("--errors", args.errors)):
        if not out:
            continue
        if os.path.isdir(out) or not os.path.isdir(os.path.dirname(os.path.abspath(out))):
            parser.error(f"{option} {out}: not a file in an existing folder (checked before the runs, not after)")
        if os.path.exists(out) and any(os.path.samefile(f, out) for f in inputs):
            parser.error(f"{option} {out} is one of the labelled input files: it would be written over")
    pages = sites_subset(read_labelled(args.data), args.sites)
    held_out = [h for h in args.held_out.split(",") if h]
    missing = sorted(set(held_out) - {p.corpus for p in pages})
    if missing:
        parser.error(f"--held-out: no pages of corpus {missing[0]!r} in the data "
                     f"(corpora: {', '.join(sorted({p.corpus for p in pages}))})")
    print(f"{len(pages)} pages, {len({p.site for p in pages})} sites", flush=True)
    if args.candidates == "all":
        candidates = list(RECIPES.values())
    elif args.candidates == "none":
        candidates = []
    else:
        unknown = [n for n in args.candidates.split(",") if n not in RECIPES]
        if unknown:
            parser.error(f"unknown candidate {unknown[0]!r}; known: {', '.join(RECIPES)}")
        candidates = [RECIPES[n] for n in args.candidates.split(",")]
    if args.seed is not None:
        candidates = [c.but(seed=args.seed) for c in candidates]
    results: dict = {"pages": len(pages), "cv": {}, "peers": {}, "loco": {}}
    for c in candidates:
        start = time.perf_counter()
        cv = cross_validate(pages, c, folds=args.folds, progress=_say)
        r = cv.report
        results["cv"][c.name] = {"line_f1": r.lines.f1, "page_f1": r.page.f1, "per_corpus": r.per_corpus,
                                 "thresholds": cv.thresholds, "seconds": time.perf_counter() - start}
        corp = "  ".join(f"{k} {_opt(v)}" for k, v in per_corpus_page_f1(r).items())
        if args.errors and c is candidates[0]:
            table = error_table(pages, cv.oof_scores, cv.thresholds["f1"]).as_dict()
            with atomic_write(args.errors) as fh:
                fh.write(json.dumps(table, indent=1, ensure_ascii=False) + "\n")
            print(format_table(table), flush=True)
        snip = f"  snippet F1 {r.snippets.f1:.3f}" if r.snippets else ""
        print(f"{c.name:<18} line F1 {r.lines.f1:.3f}  page F1 {r.page.f1:.3f}{snip}  | per corpus: {corp}"
              f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    if not args.no_peers:
        for name, r in evaluate_peers(pages).items():
            by = {}
            for corpus in sorted({p.corpus for p in pages}):
                sub = [p for p in pages if p.corpus == corpus]
                peer_report = score_labels(sub, [_peer(name)(p.lines) for p in sub], worst=0)
                by[corpus] = peer_report.page.f1 if peer_report.page.pages else peer_report.snippets.f1
            results["peers"][name] = {"line_f1": r.lines.f1, "page_f1": r.page.f1, "per_corpus_page_f1": by}
            corp = "  ".join(f"{k} {v:.3f}" for k, v in by.items())
            print(f"{name:<18} line F1 {r.lines.f1:.3f}  page F1 {r.page.f1:.3f}  | page F1 per corpus: {corp}", flush=True)
    if loco is not None:
        c = loco if args.seed is None else loco.but(seed=args.seed)
        print(f"leave-one-corpus-out, {c.name} (seed {c.seed}):", flush=True)
        results["loco"][c.name] = leave_one_corpus_out(pages, c, held_out=held_out,
                                                       loco_folds=args.loco_folds,
                                                       threshold_sites=args.loco_threshold_sites,
                                                       decodings=decodings)
    with atomic_write(args.out) as fh:
        fh.write(json.dumps(results, indent=2) + "\n")
    return 0


def _peer(name: str):
    from .peers import PEERS

    return PEERS[name]


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["dev", "select", *sys.argv[1:]]))
