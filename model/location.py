"""Where the default model lives; importable without scikit-learn so that ``--help`` stays fast."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: Environment variable naming a model to use instead of the bundled one.
MODEL_ENV = "LINESIFT_MODEL"


def bundled_model_path() -> Path:
    """The model shipped with linesift (``artifacts/linesift.joblib``)."""
    return Path(str(resources.files("linesift.artifacts").joinpath("linesift.joblib")))


def default_model_path() -> Path:
    """``$LINESIFT_MODEL`` when set, else the bundled model."""
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else bundled_model_path()
