"""The model file format: a joblib pickle plus a JSON metadata file beside it.

``NAME.joblib`` holds the fitted Pipeline (featuriser + classifier). ``NAME.json`` holds the
metadata: ``format_version``, the linesift and library versions it was saved with, the SHA-256 of
the joblib file, feature names and their definition versions, thresholds, the training-data digest
and metrics. Loading reads and checks the JSON first and verifies the SHA-256 *before* unpickling:
a pickle runs code when loaded, so only load model files you trust.

Compatibility rules (skops's: every incompatible change bumps the protocol, and a test reads the old):

- Bump ``FORMAT_VERSION`` when a file of the new format would be misread by a release that reads
  the old one: the pipeline's structure changes (a new stage, a renamed attribute that older code
  reads), or the metadata gains a field that older code must check to predict correctly. Keep the
  old version in ``READABLE_FORMATS`` while this release can still read it, with a fixture in
  ``tests/fixtures/`` that proves it; drop it, and the fixture test expects a clean refusal.
- A feature whose values change bumps its definition ``version`` in the registry (``features.py``);
  a model that uses a feature this release lacks, or defines at another version, is refused
  before unpickling with a message naming the linesift release that made it.
- Featuriser settings are estimator parameters, pickled with the model; a new parameter gets a
  default equal to the old behaviour in ``LineFeaturiser.__setstate__``.
- ``keywords.txt`` changes are caught by ``keywords_digest``. A model records the keyword
  vocabulary it was trained with (``keywords_vocabulary``, absent = 1: ``keywords.VOCABULARIES``);
  its digest is checked against that vocabulary's files. A release that lacks the vocabulary, or
  predates the field (it compares with vocabulary 1's digest), refuses the model cleanly.

Format history: 1 = first release (later in format 1, the optional ``keywords_digest``);
2 = ``linesift_version``, ``feature_definitions`` (feature name to definition version) and
``feature_registry_digest``, checked against this release's feature registry on load; featuriser
settings saved as parameters. Format 1 files still load: their feature names are checked against
the registry at definition version 1. 3 = optional ``decoding`` (the page decoding of
``decode.py`` and its settings), which a format-2 reader would ignore and so label pages by the
threshold instead; format 2 files still load and label by their threshold. 4 = the lexicon may
remember the terms it was trained on (``Lexicon.seen``, recipe field ``lexicon_seen``) and give
unseen ones no weight, which a format-3 reader would ignore and so score unseen words by whatever
shares their bucket; format 3 files still load (their lexicons have no such set). 5 = the page
stage may read chrome headings above a line (``PageStageClassifier.heading_columns``), which a
format-4 reader would ignore and so hand the page stage fewer columns than its trees were fitted
on; format 4 files still load (their page stages read no headings).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from . import features
from .atomic import atomic_write
from .decode import PAGE_RULE, PageDecoding
from .errors import ModelFileError
from .keywords import VOCABULARIES, vocabulary_digest

FORMAT_VERSION = 5
#: Format versions this release can load.
READABLE_FORMATS = (1, 2, 3, 4, 5)
#: Bytes read at a time when hashing a model file.
HASH_BLOCK = 1 << 20


def metadata_path(model_path: str | os.PathLike) -> Path:
    """The metadata file that belongs to a model file: same name, ``.json`` suffix."""
    return Path(model_path).with_suffix(".json")


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def linesift_version() -> str:
    """The installed linesift's version, or "unknown" when run from an uninstalled tree."""
    try:
        return importlib.metadata.version("linesift")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def base_feature_names(feature_names: list[str]) -> list[str]:
    """The registry features behind a model's columns ("prev2:length.chars" is length.chars), in order."""
    return list(dict.fromkeys(name.rpartition(":")[2] for name in feature_names))


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
    }


def save_model(pipeline: Pipeline, metadata: dict[str, Any], path: str | os.PathLike) -> dict[str, Any]:
    """Write model and metadata atomically; returns the metadata as written."""
    path = Path(path)
    if path.suffix != ".joblib":
        raise ModelFileError("model files must end in .joblib", source=str(path))
    full = dict(metadata)
    names = [str(n) for n in pipeline[0].get_feature_names_out()]
    vocabulary = int(getattr(pipeline[0], "keywords", 1))
    defs = features.definitions(base_feature_names(names))
    # Both files are complete on disk before either is renamed into place.
    with atomic_write(path, "wb") as model_handle:
        joblib.dump(pipeline, model_handle, compress=3)
        model_handle.flush()
        full.update(
            format_version=FORMAT_VERSION,
            linesift_version=linesift_version(),
            libraries=library_versions(),
            feature_names=names,
            feature_definitions=defs,
            feature_registry_digest=features.registry_digest(defs),
            model_file=path.name,
            keywords_vocabulary=vocabulary,
            keywords_digest=vocabulary_digest(vocabulary=vocabulary),
            sha256=sha256_file(model_handle.name),
        )
        with atomic_write(metadata_path(path), "w") as meta_handle:
            json.dump(full, meta_handle, indent=2, sort_keys=True)
            meta_handle.write("\n")
    return full


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The checked metadata of a model file, without unpickling anything."""
    path = Path(path)
    meta_file = metadata_path(path)
    if not path.is_file():
        raise ModelFileError("model file not found", source=str(path))
    if not meta_file.is_file():
        raise ModelFileError(f"metadata file {meta_file.name} is missing beside the model", source=str(path))
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"metadata is not valid JSON ({exc})", source=str(meta_file)) from None
    if not isinstance(meta, dict):
        raise ModelFileError("metadata is not a JSON object", source=str(meta_file))
    version = meta.get("format_version")
    if version not in READABLE_FORMATS:
        raise ModelFileError(
            f"model format version {version!r} is not readable by this linesift (reads {list(READABLE_FORMATS)})",
            source=str(path),
        )
    saved = str(meta.get("libraries", {}).get("scikit-learn", "?"))
    if _minor(saved) != _minor(sklearn.__version__):
        raise ModelFileError(
            f"model was saved with scikit-learn {saved}, this is {sklearn.__version__}; retrain it or install {saved}",
            source=str(path),
        )
    _check_features(meta, path)
    _check_decoding(meta, path)
    vocabulary = meta.get("keywords_vocabulary", 1)
    if isinstance(vocabulary, bool) or not isinstance(vocabulary, int) or vocabulary not in VOCABULARIES:
        raise ModelFileError(
            f"model uses keyword vocabulary {vocabulary!r}, which this linesift lacks (has {sorted(VOCABULARIES)}); "
            "upgrade linesift or retrain it",
            source=str(path),
        )
    saved_vocabulary = meta.get("keywords_digest")
    if saved_vocabulary is not None and saved_vocabulary != vocabulary_digest(vocabulary=vocabulary):
        raise ModelFileError(
            f"model was trained with a different keyword vocabulary {vocabulary} than this linesift's "
            f"({', '.join(VOCABULARIES[vocabulary])}); retrain it",
            source=str(path),
        )
    return meta


def load_model(path: str | os.PathLike) -> tuple[Pipeline, dict[str, Any]]:
    """Check metadata and SHA-256, then unpickle; refuses anything that does not check out."""
    path = Path(path)
    meta = read_metadata(path)
    actual = sha256_file(path)
    if actual != meta.get("sha256"):
        raise ModelFileError(
            "model file does not match the SHA-256 in its metadata (damaged, truncated or replaced); refusing to load it",
            source=str(path),
        )
    try:
        pipeline = joblib.load(path)
    except Exception as exc:  # a hash-verified file that still fails to load: report, never trace
        raise ModelFileError(f"model file could not be loaded ({type(exc).__name__}: {exc})", source=str(path)) from None
    if not isinstance(pipeline, Pipeline):
        raise ModelFileError(f"model file holds a {type(pipeline).__name__}, not a linesift Pipeline", source=str(path))
    try:
        check_is_fitted(pipeline)
        names = list(pipeline[0].get_feature_names_out())
    except Exception:
        raise ModelFileError("model file holds an unfitted or foreign pipeline", source=str(path)) from None
    if names != list(meta.get("feature_names", [])):
        raise ModelFileError("feature names in the model and its metadata disagree", source=str(path))
    if getattr(pipeline[0], "keywords", 1) != meta.get("keywords_vocabulary", 1):
        raise ModelFileError("keyword vocabulary in the model and its metadata disagree", source=str(path))
    return pipeline, meta


def _check_decoding(meta: dict[str, Any], path: Path) -> None:
    """A ``decoding`` entry must name a rule this release knows, with numeric settings."""
    decoding = meta.get("decoding")
    if decoding is None:
        return
    try:
        if decoding["rule"] != PAGE_RULE:
            raise ValueError(f"unknown rule {decoding['rule']!r}")
        PageDecoding.from_dict(decoding)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"metadata's decoding is not readable by this linesift ({exc}); retrain it",
                             source=str(path)) from None


def _check_features(meta: dict[str, Any], path: Path) -> None:
    """Refuse a model whose features this release lacks or defines differently (names it, and its maker)."""
    names = meta.get("feature_names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ModelFileError("metadata has no list of feature names", source=str(path))
    defs = meta.get("feature_definitions")
    if defs is None:  # format 1: every feature at its first definition
        defs = {name: 1 for name in base_feature_names(names)}
    if not isinstance(defs, dict):
        raise ModelFileError("metadata's feature_definitions is not an object", source=str(path))
    missing = features.unknown_definitions(defs)
    if missing:
        maker = meta.get("linesift_version", "an older release")
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise ModelFileError(
            f"model uses features this linesift ({linesift_version()}) does not have: {shown}; it was made by "
            f"linesift {maker}: install that release or retrain the model with this one",
            source=str(path),
        )


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])
