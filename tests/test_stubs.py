"""Our own short pages (training/stubs.py): well-formed, reproducible, and built without ../shared."""

import json
import subprocess
import sys
from pathlib import Path

from linesift.training.data import read_labelled
from linesift.training.recipe import CORPUS_WEIGHTS
from linesift.training.stubs import BRIEFS, CORPUS, SHARED_CORPUS, SHARES, STUBS, stub_records, write_stubs
from linesift.training.train import TUNING_EXCLUDED

LINESIFT = str(Path(sys.executable).parent / "linesift")


def test_every_record_has_one_label_per_line_and_stub_pages_are_all_chrome():
    records = stub_records()
    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        lines = r["text"].splitlines()
        assert len(lines) == len(r["labels"]) and all(line.strip() for line in lines)
        assert set(r["labels"]) <= {"content", "chrome"}
        is_brief = r["site"].startswith(f"{CORPUS}:brief")
        assert ("content" in r["labels"]) == is_brief, r["id"]
    stub_pages = sum(len(bodies) for langs in STUBS.values() for bodies in langs.values())
    assert len(records) == 2 * (stub_pages + len(BRIEFS)) + len(BRIEFS)  # each page bare and framed, briefs shared too


def test_framed_pages_keep_the_body_and_its_labels_in_order():
    records = {r["id"]: r for r in stub_records()}
    for rid, bare in records.items():
        if rid.endswith(("-framed", "-shared")):
            continue
        framed = records[f"{rid}-framed"]
        body = bare["text"].splitlines()
        lines = framed["text"].splitlines()
        start = next(i for i in range(len(lines)) if lines[i:i + len(body)] == body)
        assert framed["labels"][start:start + len(body)] == bare["labels"]
        assert set(framed["labels"][:start] + framed["labels"][start + len(body):]) <= {"chrome"}


def test_shared_briefs_keep_their_lines_in_order_with_only_share_lines_between():
    records = {r["id"]: r for r in stub_records()}
    shared = [rid for rid in records if rid.endswith("-shared")]
    assert len(shared) == len(BRIEFS)
    for rid in shared:
        bare, page = records[rid.removesuffix("-shared")], records[rid]
        lines, labels = page["text"].splitlines(), page["labels"]
        body = bare["text"].splitlines()
        assert [line for line, label in zip(lines, labels) if label == "content"] == body
        assert lines[0] == body[0] and labels[1] == "chrome"  # a share line or date under the headline
        chrome = {line for line, label in zip(lines, labels) if label == "chrome"}
        assert chrome and chrome <= set(SHARES[page["language"]])
        assert page["corpus"] == SHARED_CORPUS and bare["corpus"] == CORPUS


def test_every_corpus_of_the_stubs_is_weighed_and_chooses_no_decoding():
    corpora = {r["corpus"] for r in stub_records()}
    assert corpora == {CORPUS, SHARED_CORPUS}
    assert corpora <= TUNING_EXCLUDED
    # The shared briefs weigh less than the other stubs (at the stubs' weight they cost WCXB's listings).
    assert 1 < CORPUS_WEIGHTS[SHARED_CORPUS] < CORPUS_WEIGHTS[CORPUS]


def test_written_stubs_read_back_as_pages_of_their_corpus_and_the_file_is_reproducible(tmp_path):
    first, second = tmp_path / "a" / "stubs.jsonl", tmp_path / "b" / "stubs.jsonl"
    first.parent.mkdir()
    second.parent.mkdir()
    write_stubs(first)
    write_stubs(second)
    assert first.read_bytes() == second.read_bytes()
    pages = list(read_labelled([first]))
    assert len(pages) == len(stub_records())
    assert {p.corpus for p in pages} == {CORPUS, SHARED_CORPUS}
    assert len({p.site for p in pages}) == len(STUBS) + 4  # a site per kind of stub, four for the briefs


def test_datasets_build_writes_the_stubs_without_a_corpora_folder(tmp_path):
    done = subprocess.run([LINESIFT, "datasets", "build", "--corpus", CORPUS, "--out", str(tmp_path)], capture_output=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len((tmp_path / "stubs.jsonl").read_text().splitlines()) == len(stub_records())
    report = json.loads((tmp_path / "report.json").read_text())
    assert [(r["corpus"], r["records"]) for r in report] == [(CORPUS, len(stub_records()))]


def test_a_partial_build_keeps_the_other_corpora_in_the_report(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps([{"corpus": "fundus", "records": 330}, {"corpus": CORPUS, "records": 1}]))
    done = subprocess.run([LINESIFT, "datasets", "build", "--corpus", CORPUS, "--out", str(tmp_path)], capture_output=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert [(r["corpus"], r["records"]) for r in report] == [("fundus", 330), (CORPUS, len(stub_records()))]
