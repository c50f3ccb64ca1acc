"""The evaluation gate: committed per-corpus floors of site-grouped CV page F1, only ever raised.

``artifacts/floors.json`` holds the floors, the digest of the built corpora they were measured on,
the recipe, and the gate's own settings: ``gate.sites`` (the share of sites the gate uses, a fixed
choice by site hash) and ``gate.folds``, so that the gate fits in CI's time. A corpus with
snippets only (trafilatura-eval) is gated on its snippet F1. ``check`` re-runs the cross-validation and lists every corpus that
fell below its floor; ``raise_floors`` raises each floor the new scores allow, keeps the rest, and
refuses scores below a floor. A changed data digest, recipe or gate setting needs
``allow_new_data`` (a re-base): then only a corpus scoring below its old floor gets a lower one,
and the file names it (``lowered``) beside the previous floors.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from linesift.model.atomic import atomic_write
from linesift.model.errors import LinesiftError

from .data import LabelledPage, data_digest, sites_subset
from .recipe import Recipe, get_recipe
from .repo import ArgumentParser, repo_root
from .train import TUNING_EXCLUDED, cross_validate


def floors_file() -> Path:
    """The committed floors: ``artifacts/floors.json`` of the checkout the gate runs in."""
    return repo_root() / "artifacts" / "floors.json"



#: Floors are the measured scores minus NOISE_MARGIN, rounded down to this many decimals.
DECIMALS = 3
#: Room for changes that should not fail the gate: the CV is deterministic for fixed code and data
#: (two runs here gave identical figures), but harmless changes move the smallest corpus (138
#: records) by up to 0.009; a floor catches regressions larger than this (page F1 units).
NOISE_MARGIN = 0.01


@dataclass(frozen=True)
class GateResult:
    scores: dict[str, float]
    failures: list[str]


#: The gate's defaults: a third of the sites and 3 folds keep it near 10 minutes on 2 cores.
GATE_SITES = 0.35
GATE_FOLDS = 3


GATE_NOTE = ("Floors: per-corpus score minus 0.01 of site-grouped CV with gate.folds folds on the fixed share "
             "gate.sites of the sites (training/data.py sites_subset), a subset that keeps the gate near ten minutes "
             "in CI; page F1, or snippet F1 for a corpus with snippets only (trafilatura-eval).")


def gate_pages(pages: Sequence[LabelledPage], settings: dict) -> list[LabelledPage]:
    """The pages the gate measures on: the fixed share of sites its settings name."""
    return sites_subset(pages, settings.get("sites", 1.0))


def measure(pages: Sequence[LabelledPage], config: dict, folds: int | None = None) -> dict[str, float]:
    """Per-corpus score of site-grouped CV with the given recipe: page F1, or snippet F1 for a
    corpus that has no fully judged pages. Corpora that only train (TUNING_EXCLUDED: our stub
    pages, mostly without content, where page F1 says little) get no floor; tests check them."""
    cv = cross_validate(pages, Recipe.from_dict(config), folds=folds)
    return {name: m["page_f1"] if m["page_f1"] is not None else m["snippet_f1"]
            for name, m in cv.report.per_corpus.items() if name not in TUNING_EXCLUDED}


def check(pages: Sequence[LabelledPage], floors: dict) -> GateResult:
    digest = data_digest(pages)
    if digest != floors["data_digest"]:
        raise LinesiftError(f"built corpora digest {digest[:12]} differs from the floors' {floors['data_digest'][:12]}; "
                            "rebuild with the committed builders or re-measure the floors", source=str(floors_file()))
    settings = floors.get("gate", {})
    scores = measure(gate_pages(pages, settings), floors["config"], settings.get("folds"))
    failures = [f"{corpus}: score {scores.get(corpus, 0.0):.3f} < floor {floor:.3f}"
                for corpus, floor in floors["floors"].items() if scores.get(corpus, 0.0) < floor]
    return GateResult(scores, failures)


def raise_floors(pages: Sequence[LabelledPage], config: dict, path: Path | None = None,
                 allow_new_data: bool = False, measured: dict[str, float] | None = None,
                 settings: dict | None = None) -> dict:
    """Measure (or take ``measured``) and write floors: each the higher of the old floor and the new
    score minus NOISE_MARGIN; refuses if a score is below an old floor (the gate would fail)."""
    path = path or floors_file()
    old = json.loads(path.read_text()) if path.exists() else None
    digest = data_digest(pages)
    settings = settings if settings is not None else (old or {}).get("gate", {"sites": GATE_SITES, "folds": GATE_FOLDS})
    changed = [what for what, differs in (
        ("corpora", old and old["data_digest"] != digest),
        ("recipe", old and old.get("config") != config),
        ("gate settings", old and old.get("gate") != settings)) if differs]
    if changed and not allow_new_data:
        raise LinesiftError(f"the {' and '.join(changed)} changed since the floors were set; "
                            "pass --new-data to re-base them", source=str(path))
    scores = measured if measured is not None else measure(gate_pages(pages, settings), config, settings.get("folds"))
    floors = {c: math.floor(round((s - NOISE_MARGIN) * 10**DECIMALS, 6)) / 10**DECIMALS for c, s in scores.items()}
    if old and not changed:
        below = [c for c, f in old["floors"].items() if scores.get(c, 0.0) < f]
        if below:
            raise LinesiftError(f"the model scores below the floor of {', '.join(below)}; floors are only raised",
                                source=str(path))
    lowered: list[str] = []
    if old:
        # A corpus that scores lower (but above its floor) keeps its old, higher floor; on a re-base
        # only a corpus now below its old floor gets a lower one, and the record names it.
        lowered = sorted(c for c, f in old["floors"].items() if c in scores and scores[c] < f)
        floors = {c: f if c in lowered else max(f, old["floors"].get(c, 0.0)) for c, f in floors.items()}
    record = {"note": GATE_NOTE, "data_digest": digest, "config": config, "gate": settings, "floors": floors,
              "measured": scores, "rebased_because": changed, "previous_floors": old["floors"] if changed else None}
    if lowered:
        record["lowered"] = lowered
    with atomic_write(path, "w") as handle:
        json.dump(record, handle, indent=2, sort_keys=True)
        handle.write("\n")
    return record


def main(argv: list[str] | None = None) -> int:
    from .data import read_labelled

    parser = ArgumentParser(prog="linesift dev gate", description="Check or raise the evaluation floors.")
    parser.add_argument("data", nargs="+", help="built corpora (datasets/built)")
    parser.add_argument("--raise-floors", action="store_true")
    parser.add_argument("--new-data", action="store_true")
    args = parser.parse_args(argv)
    pages = read_labelled(args.data)
    if args.raise_floors:
        record = raise_floors(pages, get_recipe("bundled").as_dict(), allow_new_data=args.new_data)
        print(json.dumps(record["floors"], indent=2))
        return 0
    result = check(pages, json.loads(floors_file().read_text()))
    for corpus, score in result.scores.items():
        print(f"{corpus:<16} page F1 {score:.3f}")
    for failure in result.failures:
        print(f"BELOW FLOOR  {failure}")
    return 1 if result.failures else 0


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["dev", "gate", *sys.argv[1:]]))
