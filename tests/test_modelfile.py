"""The model file format: metadata checked and SHA-256 verified before anything is unpickled."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from linesift.model.errors import ModelFileError
from linesift.model.keywords import vocabulary_digest
from linesift.model.lexicon import BUCKET_BITS
from linesift.model.modelfile import FORMAT_VERSION, load_model, metadata_path, read_metadata
from linesift.model.predictor import Predictor

from .conftest import EXAMPLE, FIXTURES


@pytest.fixture
def model_copy(tmp_path, small_model):
    dest = tmp_path / "m.joblib"
    shutil.copy(small_model, dest)
    shutil.copy(metadata_path(small_model), metadata_path(dest))
    return dest


def _edit_meta(path, **changes):
    meta_file = metadata_path(path)
    meta = json.loads(meta_file.read_text())
    meta.update(changes)
    meta_file.write_text(json.dumps(meta))


def test_metadata_carries_what_the_card_asks(small_model):
    meta = read_metadata(small_model)
    assert meta["format_version"] == FORMAT_VERSION
    assert {"python", "scikit-learn", "numpy", "joblib"} <= set(meta["libraries"])
    assert len(meta["sha256"]) == 64
    assert meta["feature_names"][0] == "length.chars"
    assert 0 < meta["threshold"] < 1
    assert len(meta["training_data"]["digest"]) == 64


def test_old_format_fixture_still_loads_and_predicts():
    pipeline, meta = load_model(FIXTURES / "model-v1" / "linesift.joblib")
    assert meta["format_version"] == 1
    predictor = Predictor(pipeline, meta)
    result = predictor.predict_text((EXAMPLE / "northvalley-library.txt").read_text())
    assert "content" in result.labels and "chrome" in result.labels


def test_changed_bytes_are_refused_before_unpickling(model_copy, monkeypatch):
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    import joblib

    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled an unverified file"))
    with pytest.raises(ModelFileError, match="does not match the SHA-256"):
        load_model(model_copy)


def test_truncated_file_refused(model_copy):
    model_copy.write_bytes(model_copy.read_bytes()[:100])
    with pytest.raises(ModelFileError, match="SHA-256"):
        load_model(model_copy)


def test_garbled_metadata_refused(model_copy):
    metadata_path(model_copy).write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(model_copy)


def test_future_format_refused(model_copy):
    _edit_meta(model_copy, format_version=FORMAT_VERSION + 1)
    with pytest.raises(ModelFileError, match=f"format version {FORMAT_VERSION + 1} is not readable"):
        load_model(model_copy)


def test_a_format_3_file_loads(model_copy):
    """Format 4 only adds the lexicon's seen terms (a format-3 lexicon has none): format 3 still reads."""
    _edit_meta(model_copy, format_version=3)
    pipeline, meta = load_model(model_copy)
    assert meta["format_version"] == 3 and pipeline is not None


def test_a_format_4_file_loads(model_copy):
    """Format 5 only adds the page stage's chrome headings (a format-4 page stage reads none): format 4 still reads."""
    _edit_meta(model_copy, format_version=4)
    pipeline, meta = load_model(model_copy)
    assert meta["format_version"] == 4 and pipeline is not None


def test_another_patch_release_of_scikit_learn_reads(model_copy):
    """Only the minor version must match: a patch release changes no pickled estimator."""
    import sklearn

    major, minor = sklearn.__version__.split(".")[:2]
    _edit_meta(model_copy, libraries={**_meta_of(model_copy)["libraries"], "scikit-learn": f"{major}.{minor}.99"})
    pipeline, meta = load_model(model_copy)
    assert meta["libraries"]["scikit-learn"] == f"{major}.{minor}.99" and pipeline is not None


def test_other_sklearn_version_refused(model_copy):
    meta = json.loads(metadata_path(model_copy).read_text())
    _edit_meta(model_copy, libraries={**meta["libraries"], "scikit-learn": "0.24.2"})
    with pytest.raises(ModelFileError, match="saved with scikit-learn 0.24.2"):
        load_model(model_copy)


def test_other_keyword_vocabulary_refused(model_copy):
    assert len(read_metadata(model_copy)["keywords_digest"]) == 64
    _edit_meta(model_copy, keywords_digest="0" * 64)
    with pytest.raises(ModelFileError, match="different keyword vocabulary"):
        load_model(model_copy)


def test_hash_matching_foreign_pickle_is_refused(tmp_path, small_model):
    import joblib
    from linesift.model.modelfile import sha256_file

    path = tmp_path / "foreign.joblib"
    joblib.dump({"not": "a pipeline"}, path)
    meta = json.loads(metadata_path(small_model).read_text())
    meta["sha256"] = sha256_file(path)
    metadata_path(path).write_text(json.dumps(meta))
    with pytest.raises(ModelFileError) as refused:
        load_model(path)
    assert str(refused.value) == f"{path}: model file holds a dict, not a linesift Pipeline"


def test_metadata_records_linesift_version_and_feature_definitions(small_model):
    from linesift.model import features

    meta = read_metadata(small_model)
    assert meta["linesift_version"] != ""
    assert sorted(meta["feature_definitions"]) == sorted(features.names_in_groups())
    assert set(meta["feature_definitions"].values()) == {1}
    assert meta["feature_registry_digest"] == features.registry_digest(meta["feature_definitions"])


def test_feature_this_release_lacks_is_refused_before_unpickling(model_copy, monkeypatch):
    meta = json.loads(metadata_path(model_copy).read_text())
    _edit_meta(model_copy, feature_names=meta["feature_names"] + ["prev1:length.telepathy"],
               feature_definitions={**meta["feature_definitions"], "length.telepathy": 1},
               linesift_version="9.9.0")
    import joblib

    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled a model it cannot run"))
    with pytest.raises(ModelFileError, match=r"does not have: length.telepathy@1; it was made by linesift 9.9.0"):
        load_model(model_copy)


def test_feature_defined_at_another_version_is_refused(model_copy, monkeypatch):
    from linesift.model import features

    monkeypatch.setitem(features.VERSIONS, "length.chars", 2)
    with pytest.raises(ModelFileError, match=r"length.chars@1"):
        load_model(model_copy)


def test_format_1_model_naming_an_unknown_feature_is_refused(tmp_path):
    dest = tmp_path / "old.joblib"
    shutil.copy(FIXTURES / "model-v1" / "linesift.joblib", dest)
    shutil.copy(FIXTURES / "model-v1" / "linesift.json", metadata_path(dest))
    meta = json.loads(metadata_path(dest).read_text())
    assert "feature_definitions" not in meta  # format 1 has none: names are checked at version 1
    _edit_meta(dest, feature_names=meta["feature_names"] + ["next2:position.gone"])
    with pytest.raises(ModelFileError, match=r"position.gone@1; it was made by linesift an older release"):
        load_model(dest)


def test_featuriser_settings_are_saved_with_the_model(tmp_path, sample_pages):
    from linesift.model.featuriser import LineFeaturiser
    from linesift.model.modelfile import save_model
    from linesift.training.recipe import get_recipe
    from linesift.training.train import build_pipeline, fit

    pipeline = build_pipeline(get_recipe("logreg"))
    pipeline.steps[0] = ("features", LineFeaturiser(neighbours=(-1, 3), window=2,
                                                    window_features=("length.words",)))
    fit(pipeline, sample_pages[:4])
    path = tmp_path / "wide.joblib"
    save_model(pipeline, {"threshold": 0.5}, path)
    loaded, meta = load_model(path)
    names = list(loaded[0].get_feature_names_out())
    assert "next3:length.words" in names and "prev2:length.words" not in names
    assert "window2:length.words" in names and "window3:length.words" not in names
    X = loaded[0].transform([p.lines for p in sample_pages[:1]])
    assert X.shape[1] == len(names) == len(meta["feature_names"])


def test_format_1_featuriser_gets_the_settings_it_was_trained_with():
    from linesift.model.featuriser import NEIGHBOURS, WINDOW, WINDOW_FEATURES

    pipeline, _ = load_model(FIXTURES / "model-v1" / "linesift.joblib")
    featuriser = pipeline[0]
    assert (featuriser.neighbours, featuriser.window, featuriser.window_features) == (NEIGHBOURS, WINDOW, WINDOW_FEATURES)


def test_model_records_its_keyword_vocabulary_and_keeps_it(tmp_path, sample_pages):
    """A model trained with vocabulary 2 says so, loads, and labels with it (Japanese chrome words hit)."""
    from linesift.model.batch import LineBatch
    from linesift.model.keywords import vocabulary_digest
    from linesift.model.modelfile import save_model
    from linesift.training.recipe import get_recipe
    from linesift.training.train import build_pipeline, fit

    pipeline = fit(build_pipeline(get_recipe("logreg").but(keywords=2)), sample_pages[:4])
    path = tmp_path / "kw2.joblib"
    meta = save_model(pipeline, {"threshold": 0.5}, path)
    assert meta["keywords_vocabulary"] == 2 and meta["keywords_digest"] == vocabulary_digest(vocabulary=2)
    loaded, _ = load_model(path)
    names = list(loaded[0].get_feature_names_out())
    X = loaded[0].transform_batch(LineBatch.from_pages([["ログイン", "会員限定"]]))
    assert X[:, names.index("keywords.account")].tolist()[0] > 0
    assert X[:, names.index("keywords.paywall")].tolist()[1] > 0


@pytest.mark.parametrize("value", [99, [2], "2", None])
def test_metadata_naming_a_vocabulary_this_release_lacks_is_refused(model_copy, value):
    _edit_meta(model_copy, keywords_vocabulary=value)
    with pytest.raises(ModelFileError, match=re.escape(f"keyword vocabulary {value!r}, which this linesift lacks")):
        load_model(model_copy)


def test_models_from_before_vocabularies_use_vocabulary_1(model_copy):
    """Metadata without ``keywords_vocabulary`` (every model before it) is checked against vocabulary 1."""
    meta = json.loads(metadata_path(model_copy).read_text())
    del meta["keywords_vocabulary"]
    metadata_path(model_copy).write_text(json.dumps(meta))
    pipeline, _ = load_model(model_copy)
    del pipeline[0].__dict__["keywords"]
    pipeline[0].__setstate__(dict(pipeline[0].__dict__))
    assert pipeline[0].keywords == 1
    # A featuriser pickled before any of its later parameters (model format 1) reads as that format made it.
    old = {"neighbours": (-2, -1, 1, 2), "window": 3, "lexicon_bits": BUCKET_BITS, "stack_folds": 3, "seed": 0,
           "window_features": ("punctuation.ends_terminal", "length.words", "keywords.density"),
           "neighbour_features": None, "lexicon_chars": 0, "lexicon_edges": False, "lexicon_seen": 0, "keywords": 1}
    state = {k: v for k, v in pipeline[0].__dict__.items() if k not in old}
    pipeline[0].__setstate__(state)
    assert {k: getattr(pipeline[0], k) for k in old} == old


def _meta_of(path):
    return json.loads(metadata_path(path).read_text())


def _drop_meta(path, key):
    meta = _meta_of(path)
    del meta[key]
    metadata_path(path).write_text(json.dumps(meta))


def _unknown_features(path, n):
    _edit_meta(path, linesift_version="0.0.1", feature_definitions={
        **_meta_of(path)["feature_definitions"], **{f"length.gone{i}": 1 for i in range(n)}})


# Each way a model file is refused: (what is done to a good copy, the whole message; "{model}" and
# "{meta}" stand for the files, "{sklearn}" for this scikit-learn's version).
REFUSALS = {
    "model file missing": (lambda p: p.unlink(), "{model}: model file not found"),
    "metadata a list": (lambda p: metadata_path(p).write_text("[1, 2]"), "{meta}: metadata is not a JSON object"),
    "metadata not UTF-8": (lambda p: metadata_path(p).write_bytes(b'{"a": "\xff"}'),
                           "{meta}: metadata is not valid JSON ('utf-8' codec can't decode byte 0xff in position 7: "
                           "invalid start byte)"),
    "format as a string": (lambda p: _edit_meta(p, format_version="5"),
                           "{model}: model format version '5' is not readable by this linesift (reads [1, 2, 3, 4, 5])"),
    "no libraries": (lambda p: _edit_meta(p, libraries={}),
                     "{model}: model was saved with scikit-learn ?, this is {sklearn}; retrain it or install ?"),
    "feature names not a list": (lambda p: _edit_meta(p, feature_names="length.chars"),
                                 "{model}: metadata has no list of feature names"),
    "feature names not strings": (lambda p: _edit_meta(p, feature_names=[1, 2]),
                                  "{model}: metadata has no list of feature names"),
    "definitions a list": (lambda p: _edit_meta(p, feature_definitions=["length.chars"]),
                           "{model}: metadata's feature_definitions is not an object"),
    "five unknown features": (lambda p: _unknown_features(p, 5),
        "{model}: model uses features this linesift ({version}) does not have: length.gone0@1, length.gone1@1, "
        "length.gone2@1 and 2 more; it was made by linesift 0.0.1: install that release or retrain the model with this one"),
    "four unknown features": (lambda p: _unknown_features(p, 4),
        "{model}: model uses features this linesift ({version}) does not have: length.gone0@1, length.gone1@1, "
        "length.gone2@1 and 1 more; it was made by linesift 0.0.1: install that release or retrain the model with this one"),
    "three unknown features": (lambda p: _unknown_features(p, 3),
        "{model}: model uses features this linesift ({version}) does not have: length.gone0@1, length.gone1@1, "
        "length.gone2@1; it was made by linesift 0.0.1: install that release or retrain the model with this one"),
    "metadata missing": (lambda p: metadata_path(p).unlink(), "{model}: metadata file m.json is missing beside the model"),
    "libraries missing": (lambda p: _drop_meta(p, "libraries"),
                          "{model}: model was saved with scikit-learn ?, this is {sklearn}; retrain it or install ?"),
    "vocabulary 2 files changed": (lambda p: _edit_meta(p, keywords_vocabulary=2, keywords_digest="0" * 64),
                                   "{model}: model was trained with a different keyword vocabulary 2 than this "
                                   "linesift's (keywords.txt, keywords-2.txt); retrain it"),
    # A vocabulary-1 model whose metadata says 2 (with 2's digest): refused once unpickled.
    "metadata claims another vocabulary": (lambda p: _edit_meta(p, keywords_vocabulary=2,
                                                                keywords_digest=vocabulary_digest(vocabulary=2)),
                                           "{model}: keyword vocabulary in the model and its metadata disagree"),
    "decoding by another rule": (lambda p: _edit_meta(p, decoding={"rule": "viterbi"}),
                                 "{model}: metadata's decoding is not readable by this linesift (unknown rule 'viterbi'); "
                                 "retrain it"),
    "decoding without settings": (lambda p: _edit_meta(p, decoding={"rule": "page"}),
                                  "{model}: metadata's decoding is not readable by this linesift ('recall_weight'); retrain it"),
    "decoding not an object": (lambda p: _edit_meta(p, decoding=[1]),
                               "{model}: metadata's decoding is not readable by this linesift (list indices must be "
                               "integers or slices, not str); retrain it"),
    "vocabulary as true": (lambda p: _edit_meta(p, keywords_vocabulary=True),
                           "{model}: model uses keyword vocabulary True, which this linesift lacks (has [1, 2, 3]); "
                           "upgrade linesift or retrain it"),
    "vocabulary files changed": (lambda p: _edit_meta(p, keywords_digest="0" * 64),
                                 "{model}: model was trained with a different keyword vocabulary 1 than this linesift's "
                                 "(keywords.txt); retrain it"),
    "no SHA-256": (lambda p: _edit_meta(p, sha256=None),
                   "{model}: model file does not match the SHA-256 in its metadata (damaged, truncated or replaced); "
                   "refusing to load it"),
    "names disagree": (lambda p: _edit_meta(p, feature_names=list(reversed(_meta_of(p)["feature_names"]))),
                       "{model}: feature names in the model and its metadata disagree"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_every_refusal_is_one_message_naming_the_file(model_copy, case):
    import sklearn
    from linesift.model.modelfile import linesift_version

    damage, message = REFUSALS[case]
    damage(model_copy)
    with pytest.raises(ModelFileError) as refused:
        load_model(model_copy)
    assert str(refused.value) == message.format(model=model_copy, meta=metadata_path(model_copy),
                                                sklearn=sklearn.__version__, version=linesift_version())


def _with_pickle(path, obj=None, raw: bytes | None = None):
    """``path`` holding another pickle (or raw bytes) under the good metadata, its SHA-256 updated."""
    import joblib
    from linesift.model.modelfile import sha256_file

    if raw is not None:
        path.write_bytes(raw)
    else:
        joblib.dump(obj, path)
    _edit_meta(path, sha256=sha256_file(path))
    return path


def test_verified_files_that_are_not_fitted_linesift_pipelines_are_refused(model_copy):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    _with_pickle(model_copy, Pipeline([("model", LogisticRegression())]))
    with pytest.raises(ModelFileError) as refused:
        load_model(model_copy)
    assert str(refused.value) == f"{model_copy}: model file holds an unfitted or foreign pipeline"
    _with_pickle(model_copy, raw=b"not a pickle at all")
    with pytest.raises(ModelFileError) as refused:
        load_model(model_copy)
    # joblib reads the first byte, "n" (110), as a pickle opcode it does not know
    assert str(refused.value) == f"{model_copy}: model file could not be loaded (KeyError: 110)"


def test_saving_refuses_another_suffix_and_writes_nothing(tmp_path, small_model):
    from linesift.model.modelfile import save_model

    pipeline, meta = load_model(small_model)
    with pytest.raises(ModelFileError) as refused:
        save_model(pipeline, meta, tmp_path / "m.pkl")
    assert str(refused.value) == f"{tmp_path / 'm.pkl'}: model files must end in .joblib"
    assert list(tmp_path.iterdir()) == []


def test_saved_metadata_describes_the_file_beside_it(tmp_path, small_model):
    from linesift.model.modelfile import library_versions, linesift_version, save_model, sha256_file

    pipeline, meta = load_model(small_model)
    written = save_model(pipeline, {"threshold": 0.4, "note": "kept"}, tmp_path / "again.joblib")
    assert written == _meta_of(tmp_path / "again.joblib")
    assert (written["threshold"], written["note"]) == (0.4, "kept")
    assert written["model_file"] == "again.joblib" and written["sha256"] == sha256_file(tmp_path / "again.joblib")
    assert written["libraries"] == library_versions() and written["linesift_version"] == linesift_version()
    assert (written["keywords_vocabulary"], written["feature_names"]) == (1, meta["feature_names"])
    from linesift.model import features
    from linesift.model.modelfile import base_feature_names

    defs = features.definitions(base_feature_names(meta["feature_names"]))
    assert written["feature_definitions"] == defs and "length.chars" in defs
    assert written["feature_registry_digest"] == features.registry_digest(defs)
    # For people: indented, keys sorted (diffs between two models' metadata read line by line).
    assert metadata_path(tmp_path / "again.joblib").read_text() == json.dumps(written, indent=2, sort_keys=True) + "\n"
    assert (tmp_path / "again.joblib").read_bytes()[:1] == b"x"  # zlib-compressed (compress=3), not a raw pickle


def test_the_versions_the_metadata_records(monkeypatch):
    import importlib.metadata
    import platform

    import joblib
    import numpy as np
    import sklearn
    from linesift.model import modelfile

    assert modelfile.library_versions() == {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                                            "numpy": np.__version__, "joblib": joblib.__version__}
    assert modelfile.linesift_version() == importlib.metadata.version("linesift")

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert modelfile.linesift_version() == "unknown"


def test_a_featuriser_pickled_before_vocabularies_is_saved_as_vocabulary_1(tmp_path, small_model):
    from linesift.model.modelfile import save_model

    pipeline, _ = load_model(small_model)
    pipeline[0].keywords = 2
    assert save_model(pipeline, {}, tmp_path / "two.joblib")["keywords_vocabulary"] == 2
    del pipeline[0].keywords
    assert save_model(pipeline, {}, tmp_path / "old.joblib")["keywords_vocabulary"] == 1


def test_training_metadata_describes_the_data_and_the_run(small_model, sample_pages):
    """What ``train`` records about its data (the small model: our samples, no cross-validation)."""
    from collections import Counter

    from linesift.training.data import count_labels, data_digest
    from linesift.training.overlap import page_filter
    from linesift.training.recipe import get_recipe

    meta = read_metadata(small_model)
    recipe = get_recipe("hgb")
    data = meta["training_data"]
    assert data["digest"] == data_digest(sample_pages) and data["files"] == []
    assert (data["pages"], data["sites"]) == (10, 10)
    assert data["lines"] == count_labels(sample_pages) and data["lines"]["content"] > 0
    assert data["page_filter"] == page_filter(sample_pages)
    records = Counter(p.corpus for p in sample_pages)
    assert data["corpora"] == {name: {"records": n, "license": "see the data's own card"} for name, n in records.items()}
    assert meta["recipe"] == recipe.as_dict() and meta["model_type"] == recipe.model_type == "hgb"
    assert meta["feature_groups"] == list(recipe.groups) and meta["context"] == recipe.context
    assert meta["seed"] == recipe.seed and meta["corpus_weights"] == dict(recipe.corpus_weights)
    assert meta["feature_names"][0] == "length.chars" and len(meta["feature_names"]) == len(set(meta["feature_names"]))
    # Without cross-validation nothing chose a threshold or a decoding.
    assert meta["thresholds"] == {"f1": 0.5, "precision": 0.5, "recall": 0.5} and meta["threshold"] == 0.5
    assert meta["metrics"] == {"cross_validation": "none", "folds": 0, "fold_thresholds": []}
    assert "decoding" not in meta
    assert meta["created"].endswith("+00:00") and meta["platform"]


def test_a_corpus_the_data_knows_records_its_license(sample_pages):
    """Pages of a built corpus carry its card's license into the model (a stub corpus, ours)."""
    from dataclasses import replace

    from linesift.training.corpora import CORPORA
    from linesift.training.recipe import get_recipe
    from linesift.training.stubs import CORPUS as STUBS
    from linesift.training.stubs import LICENSE as STUBS_LICENSE
    from linesift.training.train import train

    pages = [replace(p, corpus="dragnet") for p in sample_pages[:5]] + [replace(p, corpus=STUBS) for p in sample_pages[5:]]
    meta = train(pages, get_recipe("logreg"), data_files=["a.jsonl", "b.tsv"], cross_validation=False).metadata
    assert meta["training_data"]["corpora"] == {"dragnet": {"records": 5, "license": CORPORA["dragnet"].license},
                                                STUBS: {"records": 5, "license": STUBS_LICENSE}}
    assert meta["training_data"]["files"] == ["a.jsonl", "b.tsv"]


def test_cross_validated_metadata_keeps_the_figures_and_no_training_text(sample_pages):
    """The metadata sits beside the model (and the bundled one in git): the CV's worst pages, lines of
    the training data, stay out of it; its figures go in."""
    from linesift.training.recipe import get_recipe
    from linesift.training.train import train

    result = train(sample_pages, get_recipe("logreg").but(folds=2))
    metrics = result.metadata["metrics"]
    assert result.cv is not None and result.cv.report.worst  # the report had worst pages to leave out
    assert "worst_pages" not in metrics
    assert metrics["page_metric"] == result.cv.report.as_dict()["page_metric"] and metrics["folds"] == 2
    assert metrics["cross_validation"] == "site-grouped" and len(metrics["fold_thresholds"]) == 2
    text = json.dumps(result.metadata)
    assert not any(line in text for p in sample_pages for line in p.lines if len(line) > 30)
