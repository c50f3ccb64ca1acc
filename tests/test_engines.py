"""The batch API and the engine adapters in local mode: the same labels as the CLI's predictor."""

from __future__ import annotations

import gzip
import json

import pytest
from linesift.model.predictor import Predictor

from .test_cli import PAGE
from .test_inputs import OTHER, WARCINFO, warc_record

pa = pytest.importorskip("pyarrow", reason="pyarrow (extra 'parquet') is not installed")

TEXTS = [PAGE, OTHER, "", "Menu\nLogin"]
CODES = {"content": 1, "chrome": 0, "blank": -1}


def expected(model_path, threshold):
    predictor = Predictor.load(model_path, threshold=threshold)
    return [predictor.predict_text(t) for t in TEXTS]


def test_predict_table_adds_content_labels_and_scores(small_model):
    from linesift.model.arrow import predict_table

    table = pa.table({"id": list(range(len(TEXTS))) + [9], "body": TEXTS + [None]})
    out = predict_table(table, text_column="body", model=small_model, threshold=0.3)
    assert out.column_names == ["id", "body", "content", "labels", "scores"]
    assert out.schema.field("labels").type == pa.list_(pa.int8())
    want = expected(small_model, 0.3)
    assert out.column("content").to_pylist() == [r.content_text() for r in want] + [None]
    assert out.column("labels").to_pylist() == [[CODES[x] for x in r.labels] for r in want] + [None]
    assert out.column("scores").to_pylist() == [r.scores for r in want] + [None]
    # Columns of the same names are replaced, not duplicated; a wrong column name is one error.
    again = predict_table(out, text_column="body", model=small_model, threshold=0.9)
    assert again.column_names == out.column_names
    assert again.column("labels").to_pylist() != out.column("labels").to_pylist()
    from linesift.model.errors import LinesiftError

    with pytest.raises(LinesiftError, match="no text column 'text' \\(columns: id, body"):
        predict_table(table, model=small_model)


def test_datatrove_step_reads_wet_and_writes_jsonl(small_model, tmp_path):
    pytest.importorskip("datatrove", reason="datatrove (extra 'datatrove') is not installed")
    for module in ("warcio", "cchardet", "magic", "regex"):
        pytest.importorskip(module, reason=f"{module} (extra 'datatrove') is not installed")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from linesift.model.engines.datatrove import LinesiftFilter

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    body = WARCINFO + b"".join(warc_record("conversion", f"https://s.example/{i}", str(i + 1), t.encode())
                                  for i, t in enumerate(TEXTS) if t)
    (crawl / "part.warc.wet.gz").write_bytes(gzip.compress(body))
    threshold = 0.3
    LocalPipelineExecutor(
        pipeline=[WarcReader(str(crawl), glob_pattern="*.wet.gz"), LinesiftFilter(model=small_model, threshold=threshold),
                  JsonlWriter(str(tmp_path / "out"), compression=None)],
        tasks=1, workers=1, logging_dir=str(tmp_path / "logs"),
    ).run()
    docs = [json.loads(line) for f in sorted((tmp_path / "out").glob("*.jsonl")) for line in f.read_text().splitlines()]
    want = {f"https://s.example/{i}": r for i, r in enumerate(expected(small_model, threshold)) if TEXTS[i]}
    kept = {u: r for u, r in want.items() if r.content_text()}
    assert len(kept) < len(want)  # one page has no content line: dropped
    assert {d["metadata"]["url"] for d in docs} == set(kept)
    for doc in docs:
        result = kept[doc["metadata"]["url"]]
        assert doc["text"] == result.content_text()
        assert doc["metadata"]["linesift_labels"] == [CODES[x] for x in result.labels]
        assert doc["metadata"]["linesift_scores"] == result.scores


def test_ray_data_function_in_local_mode(small_model):
    ray = pytest.importorskip("ray", reason="ray (extra 'ray') is not installed")
    from linesift.model.engines.ray import predict_dataset

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
             runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    try:
        ds = ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(TEXTS)])
        rows = sorted(predict_dataset(ds, model=str(small_model), threshold=0.3, batch_size=2).take_all(),
                      key=lambda r: r["id"])
    finally:
        ray.shutdown()
    want = expected(small_model, 0.3)
    assert [r["content"] for r in rows] == [w.content_text() for w in want]
    assert [list(r["labels"]) for r in rows] == [[CODES[x] for x in w.labels] for w in want]
    assert [list(r["scores"]) for r in rows] == [w.scores for w in want]
