"""Every input predict reads and every output it writes: small files we make here (gzip, zstd,
Parquet, WET/WARC, HTML), --emit, --out-dir, --jobs, and each format's bad inputs."""

from __future__ import annotations

import gzip
import io
import json
import re
import sys

import pytest
from linesift.training.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE

from .test_cli import PAGE, run

pa = pytest.importorskip("pyarrow", reason="pyarrow (extra 'parquet') is not installed")
pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow (extra 'parquet') is not installed")
zstandard = pytest.importorskip("zstandard", reason="zstandard (extra 'zstd') is not installed")
pytest.importorskip("fastwarc", reason="fastwarc (extra 'warc') is not installed")
pytest.importorskip("resiliparse", reason="resiliparse (extra 'html') is not installed")

OTHER = "Menu\nSign in\n\nThe council approved the new bridge on Monday after a long debate about its cost and design.\n"
HTML = ("<!DOCTYPE html><html><head><title>T</title><style>body { color: red }</style>"
        "<link rel=\"canonical\" href=\"https://news.example/bridge\"></head><body><nav>Home | Sport</nav>"
        "<h1>Bridge approved</h1><p>The council approved the new bridge on Monday after a long debate.</p>"
        "<script>var tracking = 1;</script><footer>Copyright</footer></body></html>")


def warc_record(rtype: str, uri: str, rid: str, body: bytes, content_type: str = "text/plain") -> bytes:
    """One WARC/1.0 record, written by hand as the format defines it."""
    head = (f"WARC/1.0\r\nWARC-Type: {rtype}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2025-01-01T00:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{rid}>\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    return head + body + b"\r\n\r\n"


WARCINFO = b"WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:0>\r\nContent-Length: 4\r\n\r\ninfo\r\n\r\n"


def wet_bytes() -> bytes:
    return (WARCINFO + warc_record("conversion", "https://a.example/storm", "1", PAGE.encode())
            + warc_record("conversion", "https://b.example/bridge", "2", OTHER.encode()))


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def model(small_model):
    return ["--model", str(small_model)]


def test_every_kind_of_input_gives_the_same_labels_for_the_same_text(tmp_path, capsys, model):
    """The same two pages as text, JSONL, gzip and zstd JSONL, Parquet and WET label alike."""
    (tmp_path / "a.txt").write_text(PAGE)
    jsonl = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate((PAGE, OTHER))).encode()
    (tmp_path / "p.jsonl").write_bytes(jsonl)
    (tmp_path / "p.jsonl.gz").write_bytes(gzip.compress(jsonl))
    (tmp_path / "p.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(jsonl))
    pq.write_table(pa.table({"id": [0, 1], "text": [PAGE, OTHER]}), tmp_path / "p.parquet")
    (tmp_path / "c.wet").write_bytes(wet_bytes())
    (tmp_path / "c.wet.gz").write_bytes(gzip.compress(wet_bytes()))
    (tmp_path / "c.wet.zst").write_bytes(zstandard.ZstdCompressor().compress(wet_bytes()))
    _, text_out, _ = run(capsys, "predict", str(tmp_path / "a.txt"), "--format", "jsonl", *model)
    expected = records(text_out)[0]["lines"]
    for name in ("p.jsonl", "p.jsonl.gz", "p.jsonl.zst", "p.parquet", "c.wet", "c.wet.gz", "c.wet.zst"):
        code, out, err = run(capsys, "predict", str(tmp_path / name), "--format", "jsonl", *model)
        assert code == EXIT_OK, (name, err)
        got = records(out)
        assert len(got) == 2, name
        assert got[0]["lines"] == expected, name
        assert got[1]["text"] == OTHER, name


def _pipe_as_stdin(monkeypatch, data: bytes) -> None:
    """stdin a real pipe holding ``data``: it cannot seek or tell, as in 'zcat x | linesift predict -'."""
    import os
    import threading

    read_end, write_end = os.pipe()

    def feed():
        with os.fdopen(write_end, "wb") as handle:
            handle.write(data)

    threading.Thread(target=feed, daemon=True).start()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(read_end, "rb"), encoding="utf-8"))


def test_a_counting_reader_tells_the_bytes_it_has_handed_out():
    from linesift.model.io.streams import CountingReader, with_tell

    seekable = io.BytesIO(b"0123456789")
    assert with_tell(seekable) is seekable  # a file that can tell is read as it is
    unseekable = CountingReader(io.BytesIO(b"0123456789"))  # as a pipe: seekable() is False
    counted = with_tell(unseekable)
    assert isinstance(counted, CountingReader) and counted.raw is unseekable
    assert counted.readable() and counted.tell() == 0
    buffer = bytearray(4)
    assert counted.readinto(buffer) == 4 and counted.tell() == 4 and bytes(buffer) == b"0123"
    assert counted.read() == b"456789" and counted.tell() == 10 and counted.read() == b"" and counted.tell() == 10


def test_every_record_kind_compressed_or_not_reads_from_a_pipe(tmp_path, capsys, model, monkeypatch):
    """JSONL and WET through stdin as gzip, zstd or plain bytes: the records a file gives (fastwarc
    asks a stream's position, which a pipe and a zstd decoder cannot give; a compressed stdin's
    decoder reads past the bytes peeked at to recognise it)."""
    jsonl = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate((PAGE, OTHER))).encode()
    _, want, _ = run(capsys, "predict", str(_write(tmp_path / "p.jsonl", jsonl)), "--emit", "labels", *model)
    _, want_wet, _ = run(capsys, "predict", str(_write(tmp_path / "c.wet", wet_bytes())), "--emit", "labels", *model)
    assert len(want.splitlines()) == len(want_wet.splitlines()) == 2
    for data, expected in ((jsonl, want), (wet_bytes(), want_wet)):
        for packed in (data, gzip.compress(data), zstandard.ZstdCompressor().compress(data)):
            _pipe_as_stdin(monkeypatch, packed)
            code, out, err = run(capsys, "predict", "-", "--emit", "labels", *model)
            assert (code, out, err) == (EXIT_OK, expected, ""), packed[:8]


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_wet_records_keep_their_url_id_and_date(tmp_path, capsys, model):
    f = tmp_path / "crawl.wet"
    f.write_bytes(wet_bytes())
    code, out, _ = run(capsys, "predict", str(f), *model)
    assert code == EXIT_OK
    got = records(out)
    assert [r["url"] for r in got] == ["https://a.example/storm", "https://b.example/bridge"]
    assert [r["id"] for r in got] == ["<urn:uuid:1>", "<urn:uuid:2>"]
    assert got[0]["date"] == "2025-01-01T00:00:00Z"
    code, out, _ = run(capsys, "predict", str(f), "--format", "text", *model)
    assert "==> https://a.example/storm <==" in out and "==> https://b.example/bridge <==" in out


def test_warc_html_responses_are_converted_and_other_responses_skipped(tmp_path, capsys, model):
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + HTML.encode()
    image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\x00\x00"
    f = tmp_path / "crawl.warc.gz"
    f.write_bytes(gzip.compress(WARCINFO + warc_record("response", "https://n.example/b", "9", http, "application/http; msgtype=response")
                                + warc_record("response", "https://n.example/i.png", "10", image, "application/http; msgtype=response")))
    code, out, err = run(capsys, "predict", str(f), "--threshold", "0", *model)
    assert code == EXIT_OK, err
    got = records(out)
    assert len(got) == 1 and got[0]["url"] == "https://n.example/b"
    texts = [line["text"] for line in got[0]["lines"]]
    assert "Bridge approved" in texts and not any("color" in t or "tracking" in t for t in texts)


def test_html_is_converted_not_printed_as_markup(tmp_path, capsys, model):
    for name in ("page.html", "PAGE.HTM", "page.txt", "noext"):  # .txt and no suffix: sniffed markup
        f = tmp_path / name
        f.write_text(HTML)
        code, out, err = run(capsys, "predict", str(f), "--threshold", "0", *model)
        assert code == EXIT_OK, err
        assert "Bridge approved" in out and "<" not in out and "color: red" not in out and "tracking" not in out, name
    code, out, _ = run(capsys, "predict", str(tmp_path / "page.html"), "--format", "jsonl", *model)
    assert records(out)[0]["url"] == "https://news.example/bridge"


def test_files_not_read_are_counted_by_kind_most_common_first():
    from linesift.model.io.paths import kinds_summary

    names = ["a.MD", "b.md", "x/c.md", "d", "e", "f.html", "g.csv"]
    assert kinds_summary(names) == "3 .md, 2 without a suffix, 1 .csv, 1 .html"  # ties by name
    assert kinds_summary([]) == ""


def test_folders_are_searched_recursively_for_every_kind_and_mixed_inputs_each_use_their_reader(tmp_path, capsys, model):
    d = tmp_path / "crawl" / "2025" / "01"
    d.mkdir(parents=True)
    (d / "a.txt").write_text(PAGE)
    (d / "b.JSONL").write_text(json.dumps({"text": OTHER, "id": "j"}) + "\n")
    (d / "c.wet.gz").write_bytes(gzip.compress(wet_bytes()))
    (d / "d.html").write_text(HTML)
    (d / "notes.csv").write_text("a,b\n")
    code, out, err = run(capsys, "predict", str(tmp_path / "crawl"), *model)
    assert code == EXIT_OK, err
    got = records(out)
    assert len(got) == 5  # 1 text page, 1 JSONL record, 2 WET records, 1 HTML page
    assert "not read: 1 .csv file(s)" in err
    # A JSONL file and a text page in one call: both read, each by its own reader.
    code, out, err = run(capsys, "predict", str(d / "b.JSONL"), str(d / "a.txt"), *model)
    assert code == EXIT_OK, err
    assert [r["id"] for r in records(out)] == ["j", str(d / "a.txt")]


def test_text_and_id_fields(tmp_path, capsys, model):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"doc": "d1", "body": PAGE, "text": 5}) + "\n")
    code, out, err = run(capsys, "predict", str(f), "--text-field", "body", "--id-field", "doc", "--format", "tsv", *model)
    assert code == EXIT_OK, err
    assert out.startswith("### page d1\n") and "Waves reached six metres" in out
    pq.write_table(pa.table({"doc": ["p9"], "body": [PAGE]}), tmp_path / "p.parquet")
    code, out, err = run(capsys, "predict", str(tmp_path / "p.parquet"), "--text-field", "body", "--id-field", "doc",
                         "--format", "text", *model)
    assert code == EXIT_OK and out.startswith("==> p9 <==\n")
    code, _, err = run(capsys, "predict", str(f), *model)  # 'text' is a number here
    assert code == EXIT_INPUT and f"{f}:1: record has no string field 'text'" in err


def test_emit_content_is_no_bigger_than_its_input_and_labels_do_not_repeat_the_text(tmp_path, capsys, model):
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate([PAGE, OTHER] * 20)))
    _, full, _ = run(capsys, "predict", str(f), "--threshold", "0.5", *model)
    code, content, _ = run(capsys, "predict", str(f), "--emit", "content", "--threshold", "0.5", *model)
    assert code == EXIT_OK
    assert len(content.encode()) <= f.stat().st_size
    assert [r["content"] for r in records(content)] == [r["content"] for r in records(full)]
    assert all("text" not in r and "lines" not in r for r in records(content))
    code, labels, _ = run(capsys, "predict", str(f), "--emit", "labels", "--threshold", "0.5", *model)
    codes = {"content": 1, "chrome": 0, "blank": -1}
    for lab, ful in zip(records(labels), records(full)):
        assert lab["text"] == ful["text"] and "lines" not in lab and "content" not in lab
        assert lab["labels"] == [codes[line["label"]] for line in ful["lines"]]
        assert lab["scores"] == [line["score"] for line in ful["lines"]]
    assert len(labels) < len(full) / 2


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet", ".txt"])
def test_out_picks_the_format_by_suffix(tmp_path, capsys, model, suffix):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"id": "x", "text": PAGE}) + "\n")
    out = tmp_path / f"out{suffix}"
    code, stdout, err = run(capsys, "predict", str(f), "--out", str(out), "--threshold", "0", *model)
    assert code == EXIT_OK and stdout == "", err
    data = out.read_bytes()
    if suffix == ".parquet":
        table = pq.read_table(out)
        assert table.column("id").to_pylist() == ["x"] and "Waves reached" in table.column("content")[0].as_py()
        return
    if suffix.endswith(".gz"):
        data = gzip.decompress(data)
    elif suffix.endswith(".zst"):
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    if suffix == ".txt":
        assert data.decode().startswith("==> x <==\nBig storm hits the coast")
    else:
        assert json.loads(data)["id"] == "x"


def test_out_dir_mirrors_relative_paths_and_keeps_compression(tmp_path, capsys, model):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    jsonl = (json.dumps({"text": PAGE}) + "\n").encode()
    (src / "sub" / "part-0.jsonl.gz").write_bytes(gzip.compress(jsonl))
    (src / "part-1.jsonl").write_bytes(jsonl)
    (src / "empty.jsonl").write_bytes(b"")
    (src / "sub" / "c.wet").write_bytes(wet_bytes())
    pq.write_table(pa.table({"text": [PAGE]}), src / "t.parquet")
    out = tmp_path / "runs" / "out"  # made with its parents
    code, stdout, err = run(capsys, "predict", str(src), "--out-dir", str(out), "--format", "jsonl", "-t", "0", *model)
    assert code == EXIT_OK and stdout == "", err
    made = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert made == ["empty.jsonl", "part-1.jsonl", "sub/c.jsonl", "sub/part-0.jsonl.gz", "t.jsonl"]
    assert json.loads(gzip.decompress((out / "sub" / "part-0.jsonl.gz").read_bytes()))["content"]
    assert len((out / "sub" / "c.jsonl").read_text().splitlines()) == 2
    assert (out / "empty.jsonl").read_bytes() == b""
    # Run again into the input folder itself: it would overwrite part-1.jsonl, so nothing is written.
    before = (src / "part-1.jsonl").read_bytes()
    code, _, err = run(capsys, "predict", str(src), "--out-dir", str(src), "--format", "jsonl", *model)
    assert code == EXIT_INPUT and "would overwrite an input file" in err
    assert (src / "part-1.jsonl").read_bytes() == before


def test_out_dir_keeps_the_outputs_of_inputs_read_before_a_bad_one_and_drops_the_bad_ones(tmp_path, capsys, model):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.jsonl").write_text(json.dumps({"text": PAGE}) + "\n")
    (src / "b.jsonl").write_text(json.dumps({"text": PAGE}) + "\n{broken\n")
    (src / "c.jsonl").write_text(json.dumps({"text": PAGE}) + "\n")
    code, _, err = run(capsys, "predict", str(src), "--out-dir", str(out), "-t", "0", *model)
    assert code == EXIT_INPUT and err == f"linesift: error: {src / 'b.jsonl'}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)\n"
    # a.jsonl was done before b.jsonl went bad; b.jsonl's half-written output is dropped; c.jsonl was never read.
    assert sorted(p.name for p in out.iterdir()) == ["a.jsonl"]
    assert json.loads((out / "a.jsonl").read_text())["content"]


def test_jobs_2_writes_the_same_bytes_as_jobs_1(tmp_path, capsys, model, monkeypatch):
    from linesift.model.io import predict as runner

    monkeypatch.setattr(runner, "CHUNK_LINES", 40)  # many chunks from a small input: workers really run
    pools = []
    real_pool = runner.WorkerPool
    monkeypatch.setattr(runner, "WorkerPool", lambda context, jobs, *rest: pools.append(jobs) or real_pool(context, jobs, *rest))
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"id": i, "text": (PAGE, OTHER)[i % 2] * (1 + i % 4)}) + "\n" for i in range(120)))
    outputs = {}
    for jobs in ("1", "2"):
        for fmt in ("jsonl.gz", "parquet", "txt"):
            out = tmp_path / f"out-{jobs}.{fmt}"
            code, _, err = run(capsys, "predict", str(f), "--jobs", jobs, "--out", str(out), *model)
            assert code == EXIT_OK, err
            outputs[(jobs, fmt)] = out.read_bytes()
        assert pools == ([] if jobs == "1" else [2, 2, 2])  # one job labels in this process; two start two workers
    for fmt in ("jsonl.gz", "parquet", "txt"):
        assert outputs[("1", fmt)] == outputs[("2", fmt)], fmt
    assert len(gzip.decompress(outputs[("1", "jsonl.gz")]).splitlines()) == 120


def test_jobs_2_writes_what_was_read_before_a_bad_record_in_order(tmp_path, capsys, model, monkeypatch):
    """Workers busy with earlier chunks when a record goes bad: their pages are still written, in input order."""
    from linesift.model.io import predict as runner

    monkeypatch.setattr(runner, "CHUNK_LINES", 40)
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"id": i, "text": (PAGE, OTHER)[i % 2]}) + "\n" for i in range(60)) + "{broken\n")
    for jobs in ("1", "2"):
        code, out, err = run(capsys, "predict", str(f), "--jobs", jobs, "--emit", "labels", *model)
        assert code == EXIT_INPUT
        assert err == f"linesift: error: {f}:61: not valid JSON (Expecting property name enclosed in double quotes at column 2)\n"
        assert [r["id"] for r in records(out)] == list(range(60)), jobs


def test_workers_label_with_the_predictor_the_run_was_given(tmp_path, monkeypatch, small_model):
    """Forked workers share the caller's loaded predictor (its memory, its settings); they load
    the model spec themselves only where they cannot inherit it."""
    from linesift.model.io import predict as runner
    from linesift.model.io.sinks import OutputSpec
    from linesift.model.io.sources import ReadOptions
    from linesift.model.predictor import Predictor

    monkeypatch.setattr(runner, "CHUNK_LINES", 40)
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"id": i, "text": (PAGE, OTHER)[i % 2]}) + "\n" for i in range(60)))
    keep_all = Predictor.load(str(small_model), threshold=0.0)
    texts = {}
    for jobs, predictor in ((1, keep_all), (2, keep_all), (2, None)):
        out = tmp_path / f"out-{jobs}-{predictor is None}.jsonl"
        stats = runner.predict_inputs([str(f)], [""], runner.ModelSpec(str(small_model)), OutputSpec("jsonl", "full"),
                                      ReadOptions(), out=str(out), jobs=jobs, predictor=predictor)
        assert (stats.pages, stats.skipped) == (60, 0)
        texts[(jobs, predictor is None)] = [json.loads(line)["content"] for line in out.read_text().splitlines()]
    assert texts[(2, False)] == texts[(1, False)] == [(PAGE, OTHER)[i % 2].rstrip("\n") for i in range(60)]
    assert texts[(2, True)] != texts[(2, False)]  # the model file's own threshold drops lines


def test_library_runs_stop_at_a_bad_input_unless_told_to_skip_it(tmp_path, small_model):
    """``predict_inputs`` and ``count_repeats`` called as a library: the first bad record stops them,
    as it stops the CLI without ``--skip-bad``; the output named is left as it was."""
    from linesift.model.errors import LinesiftError
    from linesift.model.io import predict as runner
    from linesift.model.io.sinks import OutputSpec
    from linesift.model.io.sources import ReadOptions

    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"url": "https://a.example/1", "text": PAGE}) + "\n{broken\n")
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    model, spec = runner.ModelSpec(str(small_model)), OutputSpec("jsonl", "full")
    with pytest.raises(LinesiftError, match=f"^{re.escape(str(f))}:2: not valid JSON"):
        runner.predict_inputs([str(f)], [""], model, spec, ReadOptions(), out=str(out))
    assert out.read_text() == "previous\n"
    for count in (runner.count_repeats, runner.count_shard):
        with pytest.raises(LinesiftError, match=f"^{re.escape(str(f))}:2: not valid JSON"):
            count([str(f)], ["jsonl"], ReadOptions(), runner.SiteRepeats(2))
    stats = runner.predict_inputs([str(f)], [""], model, spec, ReadOptions(), out=str(out), skip_bad=True)
    assert (stats.pages, stats.skipped) == (1, 1) and len(out.read_text().splitlines()) == 1
    # The kinds a caller gives are used as given: read as one text page, the file has no bad record.
    stats = runner.predict_inputs([str(f)], [""], model, spec, ReadOptions(), out=str(out), kinds=["text"])
    assert (stats.pages, stats.skipped) == (1, 0) and json.loads(out.read_text())["text"].endswith("\n{broken\n")
    with pytest.raises(LinesiftError) as refused:
        runner.predict_inputs(["-"], [""], model, spec, ReadOptions(), site_repeats=runner.SiteRepeats(2))
    assert str(refused.value) == "--site-repeats reads its input twice: give files, not stdin"


def test_library_runs_take_one_job_unless_told(tmp_path, small_model, monkeypatch):
    from linesift.model.io import predict as runner
    from linesift.model.io.sinks import OutputSpec
    from linesift.model.io.sources import ReadOptions

    monkeypatch.setattr(runner, "CHUNK_LINES", 5)  # many chunks: more jobs would start workers
    pools = []
    monkeypatch.setattr(runner, "WorkerPool", lambda *args: pools.append(args))
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"url": f"https://a.example/{i}", "text": PAGE}) + "\n" for i in range(8)))
    step = runner.SiteRepeats(2)
    runner.predict_inputs([str(f)], [""], runner.ModelSpec(str(small_model)), OutputSpec("jsonl", "labels"),
                          ReadOptions(), out=str(tmp_path / "o.jsonl"), site_repeats=step)
    runner.count_repeats([str(f)], ["jsonl"], ReadOptions(), step)
    runner.count_shard([str(f)], ["jsonl"], ReadOptions(), step)
    assert pools == [] and len((tmp_path / "o.jsonl").read_text().splitlines()) == 8


def _bad_inputs(tmp_path):
    good = gzip.compress((json.dumps({"text": PAGE}) + "\n").encode() * 50)
    wet = wet_bytes()
    cut_record = wet[: wet.index(b"The council") + 10]  # the second record's body ends early
    pq.write_table(pa.table({"body": [PAGE], "title": ["t"]}), tmp_path / "notext.parquet")
    (tmp_path / "badstart.txt.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")  # a text page: its start is peeked
    long_text = gzip.compress(("A line of a long page that goes on.\n" * 20000).encode())
    (tmp_path / "cutshort.txt.gz").write_bytes(long_text[: len(long_text) // 2])
    (tmp_path / "trunc.jsonl.gz").write_bytes(good[: len(good) // 2])
    many = gzip.compress((json.dumps({"text": PAGE}) + "\n").encode() * 5000)
    (tmp_path / "cutlater.jsonl.gz").write_bytes(many[: len(many) // 2])  # past the first read: lines before it
    (tmp_path / "trunc.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(gzip.decompress(good))[:-8])
    (tmp_path / "cut.wet").write_bytes(cut_record)
    (tmp_path / "fake.parquet").write_bytes(b"PAR1 this is not parquet")
    (tmp_path / "fake.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    return {
        "notext.parquet": "no text column 'text' (columns: body, title; choose one with --text-field)",
        "badstart.txt.gz": "damaged gzip data from its start (Error -3 while decompressing data: invalid code lengths set)",
        "cutshort.txt.gz": "damaged gzip data before its end (Compressed file ended before the end-of-stream marker was reached)",
        "trunc.jsonl.gz": "damaged gzip data from its start",
        "cutlater.jsonl.gz": "damaged gzip data after line ",
        "trunc.jsonl.zst": "damaged zstd data",
        "cut.wet": "is cut short",
        "fake.parquet": "not a readable Parquet file",
        "fake.jsonl.gz": "damaged gzip data from its start (Error -3 while decompressing data: invalid code lengths set)",
    }


def test_bad_inputs_of_each_format_are_one_line_and_write_nothing(tmp_path, capsys, model):
    out = tmp_path / "out.jsonl"
    for name, message in _bad_inputs(tmp_path).items():
        out.write_text("previous\n")
        code, stdout, err = run(capsys, "predict", str(tmp_path / name), "--out", str(out), *model)
        assert code == EXIT_INPUT, name
        assert err.count("\n") == 1 and err.startswith(f"linesift: error: {tmp_path / name}") and message in err, (name, err)
        assert "Traceback" not in err
        assert out.read_text() == "previous\n", name
        assert sorted(p.name for p in tmp_path.glob(".out.jsonl.*")) == []


def test_skip_bad_goes_past_each_bad_format(tmp_path, capsys, model):
    bad = _bad_inputs(tmp_path)
    (tmp_path / "good.jsonl").write_text(json.dumps({"text": PAGE}) + "\n")
    code, out, err = run(capsys, "predict", *(str(tmp_path / n) for n in bad), str(tmp_path / "good.jsonl"),
                         "--skip-bad", *model)
    assert code == EXIT_INPUT
    assert f"{len(bad)} input(s) skipped" in err
    for name, message in bad.items():  # each skip on a line of its own, naming the file and why
        assert any(line.startswith(f"linesift: skipped {tmp_path / name}") and message in line
                   for line in err.splitlines()), (name, err)
    # The WET file's good first record and the good file are written; the cut record is not.
    assert any(r.get("url") == "https://a.example/storm" for r in records(out))
    assert not any(r.get("url") == "https://b.example/bridge" for r in records(out))
    code, _, err = run(capsys, "predict", *(str(tmp_path / n) for n in bad), str(tmp_path / "good.jsonl"),
                       "--skip-bad", "--out-dir", str(tmp_path / "out"), *model)
    assert code == EXIT_INPUT
    # Per input: outputs for what was read (the WET file up to its cut record, the JSONL file up to
    # its damage); none for the inputs that could not be read, not even an empty one.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cut.jsonl", "cutlater.jsonl.gz", "good.jsonl"]


def test_parquet_output_needs_a_file_and_parquet_from_stdin_is_refused(tmp_path, capsys, model):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"text": PAGE}) + "\n")
    code, _, err = run(capsys, "predict", str(f), "--format", "parquet", *model)
    assert code == EXIT_INPUT and err == "linesift: error: Parquet output needs a file: give --out NAME.parquet or --out-dir\n"
    code, _, err = run(capsys, "predict", str(f), "--out", str(tmp_path / "a.jsonl"), "--out-dir", str(tmp_path), *model)
    assert code == EXIT_USAGE


def test_a_missing_extra_is_one_line_naming_it(tmp_path, capsys, model, monkeypatch):
    import sys

    pq.write_table(pa.table({"text": [PAGE]}), tmp_path / "p.parquet")
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # what an absent package looks like to import
    code, _, err = run(capsys, "predict", str(tmp_path / "p.parquet"), *model)
    assert code == EXIT_INPUT and err.count("\n") == 1
    assert f"{tmp_path / 'p.parquet'}: Parquet input and output needs pyarrow: pip install 'linesift[parquet]'" in err


def test_progress_only_when_asked_or_on_a_terminal(tmp_path, capsys, model, monkeypatch):
    from linesift.model.io import predict as runner

    monkeypatch.setattr(runner, "CHUNK_RECORDS", 2)  # two chunks: the counts add up over them
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"text": PAGE}) + "\n" for _ in range(3)))
    code, _, err = run(capsys, "predict", str(f), "-o", str(tmp_path / "o.jsonl"), *model)
    assert code == EXIT_OK and err == ""  # stderr is not a terminal here: silent
    code, _, err = run(capsys, "predict", str(f), "-o", str(tmp_path / "o.jsonl"), "--progress", *model)
    assert code == EXIT_OK
    assert "3 pages, 18 lines" in err and "pages/s" in err and "elapsed" in err


def test_out_dir_text_and_tsv_outputs_stay_plain(tmp_path, capsys, model):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl.gz").write_bytes(gzip.compress((json.dumps({"id": "r", "text": PAGE}) + "\n").encode()))
    for fmt, name in (("tsv", "a.tsv"), ("text", "a.txt")):
        code, _, err = run(capsys, "predict", str(src), "--out-dir", str(tmp_path / fmt), "-f", fmt, *model)
        assert code == EXIT_OK, err
        assert [p.name for p in (tmp_path / fmt).iterdir()] == [name]
        assert (tmp_path / fmt / name).read_text().startswith("### page r\n" if fmt == "tsv" else "==> r <==\n")


def test_text_output_heads_each_record_and_opens_each_output_without_a_blank_line(tmp_path, capsys, model):
    """Headers follow a blank line, except the first of each output: one stream, or a file per input."""
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a", "b"):
        (src / f"{name}.jsonl").write_text("".join(json.dumps({"id": f"{name}{i}", "text": "Kept line"}) + "\n"
                                                   for i in (1, 2)))
    code, out, err = run(capsys, "predict", str(src), "-f", "text", "-t", "0", *model)
    assert code == EXIT_OK, err
    assert out == "".join(f"{'' if n == 'a1' else chr(10)}==> {n} <==\nKept line\n" for n in ("a1", "a2", "b1", "b2"))
    code, _, err = run(capsys, "predict", str(src), "--out-dir", str(tmp_path / "out"), "-f", "text", "-t", "0", *model)
    assert code == EXIT_OK, err
    for name in ("a", "b"):
        want = f"==> {name}1 <==\nKept line\n\n==> {name}2 <==\nKept line\n"
        assert (tmp_path / "out" / f"{name}.txt").read_text() == want


def test_out_dir_refusals_name_the_output_at_fault_and_write_nothing(tmp_path, capsys, model, monkeypatch):
    from .test_cli import stdin_bytes

    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.jsonl").write_text(json.dumps({"text": PAGE}) + "\n")
    out = tmp_path / "out"
    code, _, err = run(capsys, "predict", str(tmp_path / "x" / "a.jsonl"), str(tmp_path / "y" / "a.jsonl"),
                       "--out-dir", str(out), *model)
    assert code == EXIT_INPUT
    assert err == (f"linesift: error: {out / 'a.jsonl'}: two inputs would write the same output "
                   f"(one of them: {tmp_path / 'y' / 'a.jsonl'})\n")
    code, _, err = run(capsys, "predict", str(tmp_path / "x"), "--out-dir", str(tmp_path / "x"), *model)
    assert code == EXIT_INPUT and err == f"linesift: error: {tmp_path / 'x' / 'a.jsonl'}: output would overwrite an input file\n"
    stdin_bytes(monkeypatch, PAGE.encode())
    code, _, err = run(capsys, "predict", "-", "--out-dir", str(out), *model)
    assert code == EXIT_INPUT and err == "linesift: error: --out-dir needs files: stdin has no name to write under\n"
    assert not out.exists()  # a refused run leaves no folder behind
    (tmp_path / "taken").write_text("mine")
    code, _, err = run(capsys, "predict", str(tmp_path / "x"), "--out-dir", str(tmp_path / "taken"), *model)
    assert code == EXIT_INPUT and err == f"linesift: error: {tmp_path / 'taken'}: --out-dir is not a folder\n"
    assert (tmp_path / "taken").read_text() == "mine"


def _read_warc(path):
    from linesift.model.io.sources import ReadOptions, read_warc

    bad = []
    pages = list(read_warc(str(path), ReadOptions(), bad.append))
    return [p.record["id"] for p in pages], [str(e) for e in bad]


def test_warc_reader_names_each_bad_record_and_reads_on(tmp_path):
    f = tmp_path / "mixed.wet"
    request = warc_record("request", "https://a.example/r", "r", b"GET / HTTP/1.1\r\n\r\n", "application/http; msgtype=request")
    f.write_bytes(WARCINFO + warc_record("conversion", "https://a.example/1", "1", PAGE.encode())
                  + warc_record("conversion", "https://a.example/2", "2", b"GIF89a\x00\x01") + request
                  + warc_record("conversion", "https://a.example/3", "3", OTHER.encode()))
    ids, bad = _read_warc(f)
    assert ids == ["<urn:uuid:1>", "<urn:uuid:3>"]  # the binary record and the request skipped, not the rest
    assert bad == [f"{f}: WARC record 3 (<urn:uuid:2>): not a text file (contains NUL bytes)"]
    cut = wet_bytes()
    (tmp_path / "cut.wet").write_bytes(cut[: cut.index(b"The council") + 10])
    ids, bad = _read_warc(tmp_path / "cut.wet")
    assert ids == ["<urn:uuid:1>"]
    assert bad == [f"{tmp_path / 'cut.wet'}: WARC record 3 (<urn:uuid:2>) is cut short ({OTHER.index('The council') + 10} of {len(OTHER.encode())} bytes)"]


def test_warc_reader_skips_a_non_html_response_and_reads_records_without_uri_or_date(tmp_path):
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + HTML.encode()
    image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\x00\x00"
    bare = (b"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:uuid:b>\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % len(OTHER.encode())) + OTHER.encode() + b"\r\n\r\n"
    f = tmp_path / "crawl.warc"
    f.write_bytes(warc_record("response", "https://n.example/i.png", "10", image, "application/http; msgtype=response")
                  + warc_record("response", "https://n.example/b", "9", http, "application/http; msgtype=response") + bare)
    from linesift.model.io.sources import ReadOptions, read_warc

    pages = list(read_warc(str(f), ReadOptions(), print))
    assert [(p.record["id"], p.record["url"], p.record["date"], p.name) for p in pages] == [
        ("<urn:uuid:9>", "https://n.example/b", "2025-01-01T00:00:00Z", "https://n.example/b"),
        ("<urn:uuid:b>", "", "", "<urn:uuid:b>")]
    assert "Bridge approved" in pages[0].text and pages[1].text == OTHER


def test_warc_html_in_each_content_coding_is_read_and_the_rest_named(tmp_path):
    import zlib

    html = HTML.replace("<p>", "\r\n\r\n<p>").encode()  # blank lines in the body, not only after the headers
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bodies = {"gzip": gzip.compress(html), "x-gzip": gzip.compress(html), "deflate": zlib.compress(html),
              "Deflate": raw.compress(html) + raw.flush(), "identity": html, "br": b"\x8b\x02\x80<p>", "gzip ": gzip.compress(html)[:-12]}
    stream = b"".join(
        warc_record("response", f"https://n.example/{i}", str(i),
                    f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {coding}\r\n\r\n".encode() + body,
                    "application/http; msgtype=response")
        for i, (coding, body) in enumerate(bodies.items(), start=1))
    untyped = warc_record("response", "https://n.example/u", "u", b"HTTP/1.1 200 OK\r\n\r\n" + html,
                          "application/http; msgtype=response")
    f = tmp_path / "codings.warc"
    f.write_bytes(stream + untyped)
    from linesift.model.io.sources import ReadOptions, read_warc

    bad = []
    pages = list(read_warc(str(f), ReadOptions(), bad.append))
    assert [p.record["id"] for p in pages] == [f"<urn:uuid:{i}>" for i in range(1, 6)]  # untyped: not HTML, skipped
    assert all("Bridge approved" in p.text and "The council approved" in p.text for p in pages)
    assert [str(e) for e in bad] == [f"{f}: WARC record 6 (<urn:uuid:6>): its HTML is br-coded, which linesift cannot undo",
                   f"{f}: WARC record 7 (<urn:uuid:7>): its gzip-coded HTML is damaged"]


@pytest.mark.parametrize("head, kind", [
    (b"PAR1\x15\x04", "parquet"), (b"par1 is a word", "text"), (b"\xef\xbb\xbf \r\n WARC/1.1\r\n", "warc"),
    (b"warc/1.1", "text"), (b"\n\t{\"text\": 1}", "jsonl"), (b"\xef\xbb\xbf<!DOCTYPE html><p>x", "html"),
    (b"  <HTML lang=en>", "html"), (b"Plain words <html> later", "text"), (b"", "text"),
])
def test_a_stream_without_a_telling_name_is_known_by_its_first_bytes(head, kind):
    from linesift.model.io.sources import looks_like_markup, sniff_kind

    assert sniff_kind(head) == kind
    assert looks_like_markup(head) == (kind == "html")
    assert looks_like_markup(b" " * 60 + b"<html>") and not looks_like_markup(b"x" * 64 + b"<html>")


def test_a_parquet_file_without_a_suffix_is_read_as_parquet(tmp_path, capsys, model):
    from linesift.model.io.sources import input_kind

    pq.write_table(pa.table({"id": ["n1"], "text": [PAGE]}), tmp_path / "part-00000")
    (tmp_path / "notes.txt").write_bytes(b"PAR1 is how this note starts, and it is text.")
    assert input_kind(str(tmp_path / "part-00000")) == "parquet"
    assert input_kind(str(tmp_path / "notes.txt")) == "text"  # a telling name wins over the bytes
    code, out, err = run(capsys, "predict", str(tmp_path / "part-00000"), "--emit", "labels", *model)
    assert code == EXIT_OK, err
    assert [r["id"] for r in records(out)] == ["n1"]


def test_stdin_is_named_stdin_by_every_reader_and_left_open(capsys, monkeypatch, model):
    from .test_cli import stdin_bytes

    cases = [(b'{"text": "A page."}\n{broken\n', "linesift: error: <stdin>:2: not valid JSON "
                                                   "(Expecting property name enclosed in double quotes at column 2)\n"),
             (WARCINFO + warc_record("conversion", "https://a.example/b", "2", b"\x00\x01 binary"),
              "linesift: error: <stdin>: WARC record 2 (<urn:uuid:2>): not a text file (contains NUL bytes)\n"),
             (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
              "linesift: error: <stdin>: not a text file (contains NUL bytes)\n"),
             (b"\x1f\x8b", "linesift: error: <stdin>: damaged gzip data from its start "
                           "(Compressed file ended before the end-of-stream marker was reached)\n")]
    for data, message in cases:
        stdin_bytes(monkeypatch, data)
        assert run(capsys, "predict", "-", *model)[2] == message
        assert not sys.stdin.buffer.closed
    for data, text in ((HTML.encode(), "Bridge approved"), (b"A page from a pipe.\n", "A page from a pipe.")):
        stdin_bytes(monkeypatch, data)
        code, out, _ = run(capsys, "predict", "-", "-f", "jsonl", "-t", "0", *model)
        assert code == EXIT_OK and records(out)[0]["id"] == "<stdin>" and text in records(out)[0]["text"], text
        assert not sys.stdin.buffer.closed  # the caller's stream: read, never closed


def test_a_panic_in_the_warc_reader_is_a_bad_input_not_a_traceback(tmp_path, monkeypatch):
    """fastwarc is Rust: its panics reach Python as pyo3's PanicException, a BaseException."""
    import fastwarc.warc
    from linesift.model.errors import DataError

    class PanicException(BaseException):
        pass

    def panics(*_, **__):
        raise PanicException("called `Result::unwrap()` on an `Err` value\nstack backtrace: ...")

    f = tmp_path / "c.wet"
    f.write_bytes(wet_bytes())
    monkeypatch.setattr(fastwarc.warc, "ArchiveIterator", panics)
    with pytest.raises(DataError) as info:
        _read_warc(f)
    assert str(info.value) == f"{f}: the WARC reader failed after record 0 (called `Result::unwrap()` on an `Err` value)"
    monkeypatch.setattr(fastwarc.warc, "ArchiveIterator", lambda *_, **__: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C stays Ctrl-C
        _read_warc(f)


def test_warc_reader_errors_say_where_the_file_stops_being_warc(tmp_path):
    from linesift.model.errors import DataError

    blank, tail = tmp_path / "blank.wet", tmp_path / "tail.wet"
    blank.write_bytes(b"\r\n\r\n")
    tail.write_bytes(wet_bytes() + b"trailing bytes that are no WARC header\r\n\r\n")
    with pytest.raises(DataError) as info:
        _read_warc(blank)
    assert str(info.value) == f"{blank}: no WARC record found (not a WARC or WET file?)"
    with pytest.raises(DataError) as info:
        _read_warc(tail)
    assert str(info.value).startswith(f"{tail}: damaged WARC data after record 3 (")
    # A "WARC/1.1" line with no header after it: fastwarc gives a record of no type, no id, no headers.
    headless, headless_tail = tmp_path / "headless.warc", tmp_path / "headless-tail.wet"
    headless.write_bytes(b"WARC/1.1\r\nnot a header at all\r\n\r\n")
    headless_tail.write_bytes(wet_bytes() + headless.read_bytes())
    with pytest.raises(DataError) as info:
        _read_warc(headless)
    assert str(info.value) == f"{headless}: no WARC record found (not a WARC or WET file?)"
    with pytest.raises(DataError) as info:
        _read_warc(headless_tail)
    assert str(info.value) == f"{headless_tail}: damaged WARC data after record 3 (a WARC line without headers)"
    many = gzip.compress(WARCINFO + b"".join(warc_record("conversion", f"https://a.example/{i}", str(i), (PAGE * 20).encode())
                                             for i in range(1, 200)))
    cut = tmp_path / "cut.wet.gz"
    cut.write_bytes(many[: len(many) * 9 // 10])
    with pytest.raises(DataError) as info:
        _read_warc(cut)
    assert re.fullmatch(rf"{re.escape(str(cut))}: damaged gzip data after WARC record [1-9][0-9]* \(.+\)", str(info.value))


def _read_parquet(path):
    from linesift.model.io.sources import ReadOptions, read_parquet

    bad = []
    pages = list(read_parquet(str(path), ReadOptions(), bad.append))
    return [p.name for p in pages], [str(e) for e in bad]


def test_parquet_rows_without_text_are_named_by_row_and_the_rest_read(tmp_path):
    f = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"text": [PAGE, None, OTHER, None, "last"]}), f)
    names, bad = _read_parquet(f)
    assert names == [f"{f}:row 1", f"{f}:row 3", f"{f}:row 5"]
    assert bad == [f"{f}:2: row has no text in column 'text'", f"{f}:4: row has no text in column 'text'"]


def test_parquet_errors_name_the_file_and_the_last_good_row(tmp_path):
    from linesift.model.errors import DataError, LinesiftError
    from linesift.model.io.sources import STDIN, ReadOptions, read_parquet

    numbers = tmp_path / "numbers.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), numbers)
    with pytest.raises(DataError) as info:
        _read_parquet(numbers)
    assert str(info.value) == f"{numbers}: column 'text' is int64, not text"
    with pytest.raises(LinesiftError) as info:
        list(read_parquet(STDIN, ReadOptions(), print))
    assert str(info.value) == "<stdin>: Parquet cannot be read from stdin (it is read from its end): give the file"
    # Two row groups of 1,024 rows; the second's strings overwritten, so reading stops after row 1,024.
    damaged = tmp_path / "damaged.parquet"
    pq.write_table(pa.table({"text": [f"page number {i:05d} of the stream" for i in range(1500)]}), damaged,
                   row_group_size=1024, compression="none", use_dictionary=False)
    data = bytearray(damaged.read_bytes())
    at = data.find(b"page number 01300")
    data[at - 20: at + 400] = b"\xab" * 420
    damaged.write_bytes(bytes(data))
    read = []
    with pytest.raises(DataError) as info:
        for page in read_parquet(str(damaged), ReadOptions(), print):
            read.append(page)
    assert len(read) == 1024 and str(info.value).startswith(f"{damaged}: damaged Parquet data after row 1024 (")


def test_a_file_named_wet_that_holds_no_warc_record_is_an_error(tmp_path, capsys, model):
    f = tmp_path / "junk.wet"
    f.write_bytes(b"this is not a web archive\n" * 10)
    code, _, err = run(capsys, "predict", str(f), *model)
    assert code == EXIT_INPUT and f"{f}: no WARC record found" in err and err.count("\n") == 1
    (tmp_path / "empty.wet").write_bytes(b"")
    code, out, err = run(capsys, "predict", str(tmp_path / "empty.wet"), *model)
    assert code == EXIT_OK and out == "" and err == ""  # an empty crawl file is an empty crawl


# --- the writers, by hand ---------------------------------------------------------------------

def test_output_format_and_compression_by_name():
    from linesift.model.io.sinks import compression_for, format_for

    cases = {"a.jsonl": ("jsonl", None), "A.JSONL.GZ": ("jsonl", "gzip"), "a.ndjson.zst": ("jsonl", "zstd"),
             "a.jsonl.zstd": ("jsonl", "zstd"), "a.parquet": ("parquet", None), "a.txt": ("text", None),
             "a.text": ("text", None), "a.md": ("text", None), "a.tsv": ("tsv", None), "a.csv": (None, None),
             "noext": (None, None), "a.gz": (None, "gzip")}
    for name, (fmt, compression) in cases.items():
        assert (format_for(name), compression_for(name)) == (fmt, compression), name


def test_out_dir_paths():
    from linesift.model.io.sinks import out_dir_path

    assert out_dir_path("o", "in/a/b.jsonl.gz", "in", "jsonl", "gzip") == "o/a/b.jsonl.gz"
    assert out_dir_path("o", "in/a/b.JSONL.ZST", "in", "jsonl", "zstd") == "o/a/b.jsonl.zst"
    assert out_dir_path("o", "in/a/b.jsonl.gz", "in", "tsv", "gzip") == "o/a/b.tsv"
    assert out_dir_path("o", "in/c.wet.gz", "in", "parquet", "gzip") == "o/c.parquet"
    assert out_dir_path("o", "x/y/page.html", "", "text", None) == "o/page.txt"  # given directly: its name
    assert out_dir_path("o", "in/noext", "in", "jsonl", None) == "o/noext.jsonl"


def test_records_by_emit_keep_field_order_and_drop_only_the_text_field():
    from linesift.model.io.sinks import output_record
    from linesift.model.predictor import PageResult

    result = PageResult(["Head", "", "Menu"], ["content", "blank", "chrome"], [0.9, 0.0, 0.1])
    record = {"z": 1, "body": "Head\n\nMenu", "a": [2]}
    assert list(output_record(record, result, "full", "body")) == ["z", "body", "a", "content", "lines"]
    assert output_record(record, result, "content", "body") == {"z": 1, "a": [2], "content": "Head"}
    assert output_record(record, result, "labels", "body") == {**record, "labels": [1, -1, 0], "scores": [0.9, 0.0, 0.1]}
    assert record == {"z": 1, "body": "Head\n\nMenu", "a": [2]}  # the input record is not changed


def test_text_rendering_headers_and_blank_line_between_pages():
    from linesift.model.io.sinks import OutputSpec, render
    from linesift.model.io.sources import Page
    from linesift.model.predictor import PageResult

    page = Page({"text": "x"}, "x", "NAME")
    kept = PageResult(["Kept"], ["content"], [0.9])
    dropped = PageResult(["Menu"], ["chrome"], [0.1])
    spec = OutputSpec("text")
    assert render(spec, page, kept, header=False, first=True) == b"Kept\n"
    assert render(spec, page, kept, header=True, first=True) == b"==> NAME <==\nKept\n"
    assert render(spec, page, kept, header=True, first=False) == b"\n==> NAME <==\nKept\n"
    assert render(spec, page, dropped, header=True, first=False) == b"\n==> NAME <==\n"
    assert render(spec, page, dropped, header=False, first=True) == b""
    assert render(OutputSpec("tsv"), page, kept, False, True) == b"### page NAME\ncontent\tKept\n"


def test_parquet_sink_one_schema_and_an_empty_file(tmp_path, monkeypatch):
    from linesift.model.errors import DataError
    from linesift.model.io.sinks import ParquetSink

    monkeypatch.setattr(ParquetSink, "ROWS_PER_GROUP", 2)
    sink = ParquetSink(tmp_path / "ok.parquet")
    for i in range(5):
        sink.write({"id": i, "content": f"c{i}"})
    sink.commit()
    table = pq.read_table(tmp_path / "ok.parquet")
    assert table.column("id").to_pylist() == [0, 1, 2, 3, 4]
    assert pq.ParquetFile(tmp_path / "ok.parquet").metadata.num_row_groups == 3

    sink = ParquetSink(tmp_path / "new-field.parquet")
    for row in ({"id": 1}, {"id": 2}, {"id": 3, "extra": "x"}):
        sink.write(row)
    with pytest.raises(DataError, match="record 3 has fields the first records lacked \\(extra\\)"):
        sink.commit()
    assert not (tmp_path / "new-field.parquet").exists() and list(tmp_path.glob(".new-field*")) == []

    sink = ParquetSink(tmp_path / "types.parquet")
    for row in ({"id": 1}, {"id": 2}, {"id": "three"}):
        sink.write(row)
    with pytest.raises(DataError, match="do not fit the first records' types"):
        sink.commit()

    sink = ParquetSink(tmp_path / "empty.parquet")
    sink.commit()
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


def test_compressed_outputs_are_the_same_bytes_every_run(tmp_path):
    from linesift.model.io.sinks import FileSink

    outputs = []
    for name in ("a.jsonl.gz", "b.jsonl.gz", "c.jsonl.zst", "d.jsonl.zst"):
        sink = FileSink(tmp_path / name)
        sink.write(b'{"id": 1}\n' * 100)
        sink.commit()
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]  # no file name or time in the header
    assert gzip.decompress(outputs[0]) == b'{"id": 1}\n' * 100
    assert zstandard.ZstdDecompressor().decompressobj().decompress(outputs[2]) == b'{"id": 1}\n' * 100


def test_binary_named_html_is_refused_not_printed(tmp_path, capsys, model):
    f = tmp_path / "page.html"
    f.write_bytes(bytes(range(256)) * 40)
    code, out, err = run(capsys, "predict", str(f), *model)
    assert code == EXIT_INPUT and out == "" and err == f"linesift: error: {f}: not a text file (contains NUL bytes)\n"
    f.write_bytes(HTML.encode("utf-16"))  # NUL bytes, but a byte-order mark says it is text
    code, out, err = run(capsys, "predict", str(f), "-t", "0", *model)
    assert code == EXIT_OK and "Bridge approved" in out, err


def test_a_lone_surrogate_never_makes_invalid_utf8(tmp_path, capsys, model):
    """A JSONL record may carry a lone surrogate escape ("\\ud800", from a split emoji): JSONL out keeps
    the escape, so the record reads back the same; text, TSV and Parquet out hold U+FFFD instead."""
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Harbour reopens \\ud800 today\\n\\nThe harbour reopened on '
                      'Tuesday after a storm, the port said, and ferries ran again."}\n', encoding="utf-8")
    text = json.loads(source.read_text(encoding="utf-8"))["text"]
    for fmt in ("jsonl", "text", "tsv", "parquet"):
        out = tmp_path / f"out.{fmt}"
        code, _, err = run(capsys, "predict", str(source), "-f", fmt, "-o", str(out), *model)
        assert code == 0, err
        if fmt == "parquet":
            [row] = pq.read_table(out).to_pylist()
            assert row["text"] == text.replace("\ud800", "\ufffd")
            continue
        data = out.read_bytes().decode("utf-8")  # strict: no surrogate bytes
        if fmt == "jsonl":
            record = json.loads(data)
            assert record["text"] == text and [line["text"] for line in record["lines"]][0] == text.split("\n")[0]
        else:
            assert "\ud800" not in data
        if fmt == "tsv":
            assert "Harbour reopens \ufffd today" in data


def test_zstd_reader_reads_every_frame_through_buffers_of_any_size():
    import io

    from linesift.model.io.streams import ZstdReader

    first = b"".join(b"line %d of the first frame\n" % i for i in range(5000))
    second = b"the second frame (a file of two, as cat a.zst b.zst makes)\n" * 3
    data = zstandard.ZstdCompressor().compress(first) + zstandard.ZstdCompressor().compress(second)
    reader = ZstdReader(io.BytesIO(data), "two.zst")
    reader.READ_BYTES = 1000  # several reads per frame, and a frame's end inside a read
    got, buffer = bytearray(), bytearray(7)
    while n := reader.readinto(buffer):
        got += buffer[:n]
    assert bytes(got) == first + second
    cut = ZstdReader(io.BytesIO(data[:-5]), "cut.zst")
    with pytest.raises(zstandard.ZstdError, match="input ends inside a zstd frame"):
        while cut.readinto(buffer):
            pass
