"""The model file format: metadata checked and SHA-256 verified before anything is unpickled."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from linesift.model.errors import ModelFileError
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


def test_missing_metadata_refused(model_copy):
    metadata_path(model_copy).unlink()
    with pytest.raises(ModelFileError, match="metadata file m.json is missing"):
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
    with pytest.raises(ModelFileError, match="holds a dict"):
        load_model(path)


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


def test_metadata_claiming_another_vocabulary_is_refused(model_copy):
    """A vocabulary-1 model whose metadata is edited to say 2 (with 2's digest) is refused after unpickling."""
    from linesift.model.keywords import vocabulary_digest

    assert read_metadata(model_copy).get("keywords_vocabulary") == 1
    _edit_meta(model_copy, keywords_vocabulary=2, keywords_digest=vocabulary_digest(vocabulary=2))
    with pytest.raises(ModelFileError, match="keyword vocabulary in the model and its metadata disagree"):
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
