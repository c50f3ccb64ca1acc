"""Shared fixtures: our own samples, a small model trained on them, and the optional ../shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "datasets" / "samples"
EXAMPLE = ROOT / "datasets" / "example"
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def sample_pages():
    from linesift.training.data import read_labelled

    return read_labelled([SAMPLES])


@pytest.fixture(scope="session")
def small_model(tmp_path_factory, sample_pages) -> Path:
    """A model trained on our samples (no CV, for speed), saved in the model file format."""
    from linesift.model.modelfile import save_model
    from linesift.training.train import train

    path = tmp_path_factory.mktemp("model") / "small.joblib"
    from linesift.training.recipe import get_recipe

    result = train(sample_pages, get_recipe("hgb"), cross_validation=False)
    save_model(result.pipeline, result.metadata, path)
    return path


def needs_shared(sub: str) -> Path:
    """Path inside ../shared, or skip the test with the reason when it is absent."""
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"../shared/{sub} is not present (it ships beside the checkout, not in the repo)")
    return path
