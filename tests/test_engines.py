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


def cli_contents(tmp_path, capsys, records, *options):
    """The content the CLI's `predict --emit content` gives each record (the bundled model)."""
    from .test_cli import run
    from .test_site_repeats import write_jsonl

    code, out, err = run(capsys, "predict", str(write_jsonl(tmp_path / "cli.jsonl", records)), "--emit", "content", *options)
    assert code == 0, err
    return [json.loads(line)["content"] for line in out.splitlines()]


def repeats_crawl():
    """Two sites of four articles each and a one-page site; one article of the first site twice."""
    from .test_site_repeats import crawl_records

    records = crawl_records(n_sites=2)
    records.append({"url": "https://lonely.example/1", "text": records[0]["text"]})
    records.append(dict(records[1]))  # the same URL fetched again: still one page of its site
    return records


def test_datatrove_counts_merges_and_revises_as_predict_does(tmp_path, capsys):
    pytest.importorskip("datatrove", reason="datatrove (extra 'datatrove') is not installed")
    for module in ("warcio", "cchardet", "magic", "regex"):
        pytest.importorskip(module, reason=f"{module} (extra 'datatrove') is not installed")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from linesift.model.engines.datatrove import LinesiftFilter, LinesiftRepeatCounter, LinesiftRepeatMerge
    from linesift.model.errors import LinesiftError

    from .test_site_repeats import APPEAL

    records = repeats_crawl()
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for part in range(2):  # two files, so two tasks count; the repeated URL lands in both
        body = WARCINFO + b"".join(warc_record("conversion", r["url"], f"{part}-{i}", r["text"].encode())
                                   for i, r in enumerate(records) if i % 2 == part or i == len(records) - 1)
        (crawl / f"part{part}.warc.wet.gz").write_bytes(gzip.compress(body))

    def run(pipeline, tasks, name):
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=str(tmp_path / "logs" / name)).run()

    def cleaned(out):
        return {d["metadata"]["url"]: d["text"] for f in sorted(out.glob("*.jsonl")) for line in f.read_text().splitlines()
                for d in [json.loads(line)]}

    reader = WarcReader(str(crawl), glob_pattern="*.wet.gz")
    with pytest.raises(LinesiftError, match="repeats.*no such file"):
        LinesiftFilter(site_repeats=str(tmp_path / "repeats")).repeated()
    run([reader, LinesiftRepeatCounter(str(tmp_path / "repeats" / "counts"))], 2, "count")
    assert len(list((tmp_path / "repeats" / "counts").glob("*.linesift-shard.npy"))) == 2
    run([LinesiftRepeatMerge(str(tmp_path / "repeats" / "counts"), str(tmp_path / "repeats"), min_pages=2)], 1, "merge")
    run([WarcReader(str(crawl), glob_pattern="*.wet.gz"), LinesiftFilter(site_repeats=str(tmp_path / "repeats")),
         JsonlWriter(str(tmp_path / "out"), compression=None)], 2, "clean")
    run([WarcReader(str(crawl), glob_pattern="*.wet.gz"), LinesiftFilter(),
         JsonlWriter(str(tmp_path / "plain"), compression=None)], 2, "plain")

    revised, plain = cleaned(tmp_path / "out"), cleaned(tmp_path / "plain")
    want = dict(zip([r["url"] for r in records], cli_contents(tmp_path, capsys, records, "--site-repeats", "2")))
    assert revised == want  # the same pages, the same content as the CLI's
    assert all(APPEAL in text for text in plain.values())
    assert [url for url, text in revised.items() if APPEAL in text] == ["https://lonely.example/1"]
    # a damaged table is one error naming its file
    (tmp_path / "repeats" / "repeated.linesift.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(LinesiftError, match="repeated.linesift.npy: not a saved array"):
        LinesiftFilter(site_repeats=str(tmp_path / "repeats")).repeated()


def test_ray_counts_and_revises_as_predict_does(tmp_path, capsys):
    ray = pytest.importorskip("ray", reason="ray (extra 'ray') is not installed")
    from linesift.model.engines.ray import count_site_repeats, predict_dataset

    from .test_site_repeats import APPEAL

    records = repeats_crawl()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
             runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    try:
        ds = ray.data.from_items([dict(r, row=i) for i, r in enumerate(records)])
        repeated = count_site_repeats(ds, batch_size=3)  # batches apart: the repeated URL counted in two of them
        rows = sorted(predict_dataset(ds, repeated=repeated, batch_size=4).take_all(), key=lambda r: r["row"])
        three = count_site_repeats(ds, min_pages=3, batch_size=3)
        four = count_site_repeats(ds, min_pages=4, batch_size=3)
    finally:
        ray.shutdown()
    assert [r["content"] for r in rows] == cli_contents(tmp_path, capsys, records, "--site-repeats", "2")
    assert [APPEAL in r["content"] for r in rows] == [False] * 8 + [True, False]
    assert len(three.keys) == len(repeated.keys) > len(four.keys) == 0  # four pages a site: K = 4 finds nothing
