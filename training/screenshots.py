"""``linesift dev screenshots`` (``make screenshots``): the review page and the evaluate report of
our own data with the bundled model, rendered by headless Chromium into artifacts/screenshots/."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from linesift.model.atomic import atomic_write
from linesift.model.predictor import Predictor

from .browser import WINDOW, console_errors, headless_chromium
from .data import read_labelled
from .evaluate import evaluate_results
from .repo import ArgumentParser, repo_root
from .report import report_html
from .review import read_review_pages, review_html, score

#: The tallest full-page screenshot (CSS pixels): the report is cut there.
MAX_HEIGHT = 3_000


def write_pages(root: Path, folder: Path) -> dict[str, Path]:
    """The review of the example page (labelled) and our samples, and the evaluate report on the samples."""
    predictor = Predictor.load()
    here = Path.cwd()
    inputs = [Path(os.path.relpath(root / p, here)) for p in ("datasets/example/northvalley-library.labels.tsv", "datasets/samples")]
    pages = read_review_pages(inputs)
    review = folder / "review.html"
    review.write_text(review_html(pages, score(predictor, pages), predictor, "linesift review: example and samples"),
                      encoding="utf-8")
    labelled = read_labelled([inputs[1]])
    evaluation, results = evaluate_results(predictor, labelled)
    report = folder / "report.html"
    report.write_text(report_html(evaluation.as_dict(), labelled, results, predictor, "linesift evaluate: samples"),
                      encoding="utf-8")
    return {"review": review, "report": report}


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="linesift dev screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="folder for the PNG files (default: artifacts/screenshots in the checkout)")
    args = parser.parse_args(argv)
    root = repo_root()
    out = Path(args.out) if args.out else root / "artifacts" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, headless_chromium() as driver:
        for name, page in write_pages(root, Path(tmp)).items():
            driver.set_window_size(*WINDOW)
            driver.get(page.resolve().as_uri())
            if name == "report":
                height = min(MAX_HEIGHT, driver.execute_script("return document.documentElement.scrollHeight"))
                driver.set_window_size(WINDOW[0], height)
            errors = console_errors(driver)
            if errors:
                print(f"{name}: console errors: {errors}")
                return 1
            with atomic_write(out / f"{name}.png", "wb") as handle:
                handle.write(driver.get_screenshot_as_png())
            print(f"wrote {out / (name + '.png')}")
    return 0
