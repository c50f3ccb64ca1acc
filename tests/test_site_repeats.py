"""``predict --site-repeats``: a site's lines repeated on its other pages in one run become chrome."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from linesift.model.predictor import PageResult
from linesift.model.site_repeats import (
    ARRAY_MAGIC,
    RepeatCounter,
    RepeatedLines,
    Shard,
    line_keys,
    merge_shards,
    normalise,
    page_id_of,
    site_of,
)
from linesift.training.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE

from .test_cli import run

#: Our own pages of an invented local paper: four articles, each followed by the same appeal.
ARTICLES = [
    ("Council approves new cycle lanes on the harbour road",
     "The city council voted on Tuesday to build two kilometres of protected cycle lanes along the harbour road, ending a debate that has run for three years.",
     "Work is due to start in the spring and should take about eight months, according to the transport department."),
    ("Library extends its opening hours over the winter",
     "The central library will stay open until nine in the evening from November to February, the director said at a meeting with residents on Monday.",
     "Staff numbers will rise by four to cover the longer days, paid for by a grant from the regional government."),
    ("Local bakery wins national bread award",
     "A family bakery in the old town has won first prize in the national sourdough competition, beating more than two hundred entries from across the country.",
     "The owners said they would use the prize money to train two apprentices next year."),
    ("Ferry timetable changes after storm damage",
     "The ferry company has cut its weekend crossings to the island while the northern pier is repaired after last week's storm.",
     "Engineers expect the repairs to be finished by the end of the month, weather permitting."),
]
APPEAL = ("The Harbour Gazette is an independent newspaper funded by its readers, and every story we "
          "publish is checked by two editors before it goes online.")


def crawl_records(n_sites=1, copies=1):
    records = []
    for site in range(n_sites):
        for i, (head, first, second) in enumerate(ARTICLES * copies):
            text = "\n".join([head, "", first, "", second, "", APPEAL, "", "Home | News | Sport | Contact"])
            records.append({"url": f"https://www.harbour{site}.example/news/{i}", "text": text})
    return records


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.parametrize("value, site", [
    ("https://www.Example.com/a/b?x=1", "example.com"),
    ("http://news.example.co.uk:8080/x", "news.example.co.uk"),
    ("example.org", "example.org"),
    ("www.example.org/path", "example.org"),
    ("site-42", "site-42"),
    ("https://news.example.com./x", "news.example.com"),  # a fully qualified host's final dot
    ("http://www.a/", "a"), ("http://www./", "www"),
    ("http://[broken/", "http://[broken/"),  # a malformed URL names its site as it is
    ("", None), ("   ", None), (None, None), (17, None),
])
def test_site_of(value, site):
    assert site_of(value) == site


@example("Sign  UP")
@example(" a\tb ")
@example("a\xa0b")
@example("Stra\u00dfe \u0130")
@given(st.text(alphabet=st.sampled_from("aB ß\t\xa0\u3000\x1f\u2028x\u0130Σ")) | st.text())
def test_normalise_collapses_every_kind_of_whitespace_and_case(line):
    assert normalise(line) == " ".join(line.split()).casefold()  # its fast path changes nothing


def counted(pages, min_pages=2):
    counter = RepeatCounter()
    for site, page_id, lines in pages:
        counter.add(site, page_id, lines)
    return counter.repeated(min_pages)


def test_a_line_counts_once_per_distinct_page_of_its_site():
    pages = [("a", "u1", ["Nav", "Body one", "", "Sign up"]),
             ("a", "u1", ["Nav", "Body one", "SIGN   up"]),  # the same URL again: not another page
             ("a", "u2", ["nav", "Body two", "Sign up"]),
             ("a", "u3", ["Nav ", "Body three"]),
             ("b", "v1", ["Sign up", "Nav"])]  # another site's lines are not this site's
    repeated = counted(pages)
    assert repeated.repeated("a", ["Nav", "Sign up", "Body one", ""]).tolist() == [True, False, False, False]
    assert repeated.repeated("b", ["Nav", "Sign up"]).tolist() == [False, False]
    assert counted(pages, min_pages=1).repeated("a", ["Sign up", "Body two"]).tolist() == [True, False]
    assert counted(pages, min_pages=3).repeated("a", ["Nav"]).tolist() == [False]
    assert not counted([]).repeated("a", ["Nav"]).any()
    assert counted([]).repeated("a", ["Nav"]).dtype == bool and counted(pages, min_pages=3).min_pages == 3
    assert counted([], min_pages=4).min_pages == 4


@pytest.mark.parametrize("n_pages", [1, 2, 3])
def test_a_line_on_every_page_is_held_by_all_the_others(n_pages):
    pages = [("a", f"u{i}", ["Menu", f"Body {i}"]) for i in range(n_pages)]
    for k in range(1, 4):
        assert counted(pages, min_pages=k).repeated("a", ["Menu", "Body 0"]).tolist() == [n_pages - 1 >= k, False]


def test_pages_without_a_site_count_for_nothing():
    pages = [(None, f"u{i}", ["Nav"]) for i in range(5)] + [("a", "u1", ["Nav"])]
    assert not counted(pages, min_pages=1).repeated("a", ["Nav"]).any()
    with pytest.raises(ValueError, match="at least 1"):
        RepeatCounter().repeated(0)


def test_keys_are_stable_and_blank_lines_have_none():
    keys = line_keys("a", ["Nav", " ", "nav"])
    assert keys.dtype == np.uint64 and keys[1] == 0 and keys[0] == keys[2] != 0
    assert line_keys("b", ["Nav"])[0] != keys[0]
    # JSON may carry a lone surrogate ("\\ud800"): it is counted like any other text, never an error
    odd = ["caf\ud800 menu", "caf\ud800  MENU"]
    assert line_keys("a", odd)[0] == line_keys("a", odd)[1] != 0
    assert counted([("a", f"u{i}", odd[:1]) for i in range(3)]).repeated("a", odd).tolist() == [True, True]


def test_every_repeated_line_is_found_whatever_its_place_in_the_table():
    lines = [f"Line number {i}" for i in range(6)]
    table = RepeatedLines(np.sort(line_keys("a", lines)), 2)
    assert table.repeated("a", lines).all()  # the smallest and the largest key too
    assert table.repeated("a", ["Line number 6", "", "line number 0 "]).tolist() == [False, False, True]


#: Pages of two sites; "u1" of site a is fetched twice, and a line of site b is also on site a.
PAGES = [("a", "u1", ["Nav", "Body one", "", "Sign up"]),
         ("a", "u2", ["nav", "Body two", "Sign up", "Shared"]),
         ("a", "u1", ["Nav", "Body one", "SIGN   up"]),
         ("a", "u3", ["Nav ", "Body three", "Shared"]),
         ("b", "v1", ["Sign up", "Nav", "Shared"]),
         ("b", "v2", ["Sign up", "Shared"]),
         ("b", "v3", ["Sign up", "Other"]),
         (None, "w", ["Nav", "Sign up"])]


def shard_of(pages):
    counter = RepeatCounter()
    for site, page_id, lines in pages:
        counter.add(site, page_id, lines)
    return counter.shard()


@pytest.mark.parametrize("split", [0, 1, 3, 5, 8])
@pytest.mark.parametrize("min_pages", [1, 2, 3])
def test_shards_merge_to_what_one_counter_counts(split, min_pages):
    # two tasks, split anywhere: a page in both tasks ("u1" when split is 1) still counts once
    shards = [Shard.from_array(shard_of(part).to_array()) for part in (PAGES[:split], PAGES[split:])]
    merged = merge_shards(shards, min_pages)
    assert merged.keys.tolist() == counted(PAGES, min_pages).keys.tolist()
    assert shard_of(PAGES).repeated(min_pages).keys.tolist() == merged.keys.tolist()  # one counter: pages distinct
    assert merged.min_pages == min_pages
    lines = ["Nav", "Sign up", "Shared", "Body one", "Other"]
    assert merged.repeated("a", lines).tolist() == [min_pages <= 2, min_pages == 1, min_pages == 1, False, False]
    assert merged.repeated("b", lines).tolist() == [False, min_pages <= 2, min_pages == 1, False, False]


@given(st.lists(st.integers(1, 6), max_size=30), st.integers(1, 5), st.randoms(use_true_random=False))
def test_the_table_holds_exactly_the_lines_on_more_than_k_pages(counts, k, rnd):
    # line i is held by counts[i] pages: its key appears that many times, in any order
    keys = [i + 1 for i, c in enumerate(counts) for _ in range(c)]
    rnd.shuffle(keys)
    shard = Shard(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.array(keys, dtype=np.uint64))
    assert shard.repeated(k).keys.tolist() == [i + 1 for i, c in enumerate(counts) if c >= k + 1]


def test_a_page_in_every_shard_counts_once():
    page = ("a", "u", ["Menu", "Body"])
    shards = [shard_of([page]) for _ in range(3)] + [shard_of([("a", "u2", ["Menu"])])]
    assert not merge_shards(shards, 2).repeated("a", ["Menu"]).any()  # two pages, not four
    assert merge_shards(shards, 1).repeated("a", ["Menu", "Body"]).tolist() == [True, False]
    assert len(merge_shards([], 1).keys) == 0
    with pytest.raises(ValueError, match="at least 1"):
        merge_shards(shards, 0)


def test_saved_tables_and_shards_come_back_and_nothing_else_is_read_as_one():
    table = counted(PAGES, 1)
    back = RepeatedLines.from_array(table.to_array())
    assert back.keys.tolist() == table.keys.tolist() and back.min_pages == 1
    shard = shard_of(PAGES)
    again = Shard.from_array(shard.to_array())
    assert [again.pages.tolist(), again.sizes.tolist(), again.keys.tolist()] == \
           [shard.pages.tolist(), shard.sizes.tolist(), shard.keys.tolist()]
    assert len(shard.pages) == 6 and shard.sizes.sum() == len(shard.keys)  # the second "u1" and the siteless page: none
    head = np.array([ARRAY_MAGIC], dtype=np.uint64)
    bad = {
        "another dtype": table.to_array().astype(np.int64),
        "another magic": np.r_[np.uint64(7), table.to_array()[1:]],
        "a shard": shard.to_array(),
        "too short": head,
        "min_pages 0": np.r_[table.to_array()[:2], np.uint64(0)],
        "unsorted keys": np.r_[table.to_array()[:3], table.keys[::-1]],
        "a 2-d array": table.to_array()[None, :],
    }
    assert len(table.keys) > 1
    for name, array in bad.items():
        with pytest.raises(ValueError, match="not a table of repeated lines"):
            RepeatedLines.from_array(array)
            pytest.fail(f"read {name} as a table")
    whole = shard.to_array()
    for array in (table.to_array(), whole[:-1], np.r_[whole, whole[-1:]], whole[:2], whole[:3 + len(shard.pages)]):
        with pytest.raises(ValueError, match="not a shard of counted lines"):
            Shard.from_array(array)


def test_edge_tables_and_shards_come_back_and_near_misses_do_not():
    for keys in ([], [5], [3, 9]):  # empty, one key, two
        table = RepeatedLines(np.array(keys, dtype=np.uint64), 3)
        assert RepeatedLines.from_array(table.to_array()).keys.tolist() == keys
    head = [ARRAY_MAGIC, 2, 1]
    for array in (np.array(head, dtype=np.int64), np.array([head], dtype=np.uint64),
                  np.array(head + [9, 9], dtype=np.uint64), np.array(head + [3, 9, 5], dtype=np.uint64),
                  np.array(head[:2], dtype=np.uint64)):
        with pytest.raises(ValueError, match="^not a table of repeated lines \\("):
            RepeatedLines.from_array(array)
    # pages with no line at all and more pages than keys: the counts, not the lengths, place the keys
    shard = shard_of([("a", "e1", [""]), ("a", "e2", []), ("a", "u", ["Menu"]), ("a", "e3", ["  "])])
    assert shard.sizes.tolist() == [0, 0, 1, 0]
    again = Shard.from_array(shard.to_array())
    assert again.sizes.tolist() == [0, 0, 1, 0] and again.keys.tolist() == shard.keys.tolist()
    assert shard.sizes.dtype == np.int64 and again.sizes.dtype == np.int64
    whole = shard.to_array()
    for array in (whole[:2], whole[:-1], whole.astype(np.int64)):
        with pytest.raises(ValueError, match="^not a shard of counted lines \\("):
            Shard.from_array(array)
    assert merge_shards([], 1).keys.dtype == np.uint64
    assert RepeatCounter().shard().sizes.dtype == np.int64 and RepeatCounter().shard().pages.dtype == np.uint64


@pytest.mark.parametrize("url, page", [
    ("https://a.example/x#comments", "https://a.example/x"), ("https://a.example/x", "https://a.example/x"),
    ("u 1#top", "u 1"), ("https://a.example/x#a#b", "https://a.example/x"), ("", "fallback"), (None, "fallback"), (17, "fallback"), (["u"], "fallback"),
])
def test_a_page_is_its_url_without_fragment_else_its_name(url, page):
    from linesift.model.io.predict import SiteRepeats
    from linesift.model.io.sources import Page

    assert page_id_of(url, "fallback") == page
    # In a run: the record's url field, whichever field names the site.
    assert SiteRepeats(2, site_field="domain").page_id(Page({"url": url, "domain": "a.example"}, "text", "fallback")) == page


def test_a_shard_is_a_copy_and_an_empty_join_is_an_empty_shard():
    counter = RepeatCounter()
    for site, page_id, lines in PAGES:
        counter.add(site, page_id, lines)
    shard = counter.shard()
    before = shard.keys.tolist()
    counter.repeated(1)  # sorts the counter's keys in place
    assert shard.keys.tolist() == before and before != sorted(before)
    empty = Shard.join([])
    assert [len(empty.pages), len(empty.sizes), len(empty.keys)] == [0, 0, 0]
    assert [empty.pages.dtype, empty.sizes.dtype, empty.keys.dtype] == [np.uint64, np.int64, np.uint64]
    joined = Shard.join([shard, empty, shard])
    assert joined.keys.tolist() == before * 2 and joined.sizes.tolist() == shard.sizes.tolist() * 2


def test_revise_turns_repeated_content_chrome_and_keeps_scores():
    repeated = RepeatedLines(np.sort(line_keys("a", ["Sign up", "Menu"])), 2)
    result = PageResult(["Head", "", "Body", "Sign up", "Menu"], ["content", "blank", "content", "content", "chrome"],
                        [0.9, 0.0, 0.8, 0.7, 0.1], "Head\n\nBody\nSign up")
    revised = repeated.revise(result, "a")
    assert revised.labels == ["content", "blank", "content", "chrome", "chrome"]
    assert revised.scores == result.scores and revised.content_text() == "Head\n\nBody"
    assert repeated.revise(result, None) is result and repeated.revise(result, "b") is result


def test_predict_drops_a_sites_repeated_appeal_and_nothing_else(tmp_path, capsys):
    records = crawl_records(n_sites=2)
    records.append({"url": "https://lonely.example/1", "text": records[0]["text"]})  # one page of its site
    src = write_jsonl(tmp_path / "crawl.jsonl", records)
    code, plain, err = run(capsys, "predict", str(src), "--emit", "content")
    assert code == EXIT_OK, err
    code, revised, err = run(capsys, "predict", str(src), "--emit", "content", "--site-repeats", "2")
    assert code == EXIT_OK, err
    plain = [json.loads(line)["content"] for line in plain.splitlines()]
    revised = [json.loads(line)["content"] for line in revised.splitlines()]
    assert all(APPEAL in text for text in plain)  # the model alone keeps it: it reads like prose
    assert [APPEAL in text for text in revised] == [False] * 8 + [True]
    assert [text.replace("\n\n" + APPEAL, "") for text in plain[:8]] == revised[:8]
    # four pages of a site: each holds the appeal with three others, so K=3 still drops it, K=4 does not
    code, k3, _ = run(capsys, "predict", str(src), "--emit", "content", "--site-repeats", "3")
    assert [json.loads(line)["content"] for line in k3.splitlines()] == revised
    code, k4, _ = run(capsys, "predict", str(src), "--emit", "content", "--site-repeats", "4")
    assert [json.loads(line)["content"] for line in k4.splitlines()] == plain


def test_site_field_names_the_site(tmp_path, capsys):
    records = [{"domain": "harbour.example", "text": r["text"]} for r in crawl_records()]
    src = write_jsonl(tmp_path / "crawl.jsonl", records)
    code, out, err = run(capsys, "predict", str(src), "--emit", "content", "--site-repeats", "2", "--site-field", "domain")
    assert code == EXIT_OK, err
    assert not any(APPEAL in json.loads(line)["content"] for line in out.splitlines())
    code, out, _ = run(capsys, "predict", str(src), "--emit", "content", "--site-repeats", "2")  # no url: no site
    assert all(APPEAL in json.loads(line)["content"] for line in out.splitlines())


def test_workers_give_the_same_output(tmp_path, capsys):
    # more than one chunk of lines, so --jobs 2 starts its workers and they revise too
    src = write_jsonl(tmp_path / "crawl.jsonl", crawl_records(n_sites=40, copies=25))
    outputs = []
    for jobs in ("1", "2"):
        code, out, err = run(capsys, "predict", str(src), "--emit", "labels", "--site-repeats", "2", "--jobs", jobs)
        assert code == EXIT_OK, err
        outputs.append(out)
    assert outputs[0] == outputs[1]
    first = json.loads(outputs[0].splitlines()[0])
    assert first["labels"][6] == 0  # the appeal, chrome


def test_stdin_is_a_one_line_usage_error(capsys):
    code, out, err = run(capsys, "predict", "--site-repeats", "2")
    assert code == EXIT_USAGE and out == "" and err.count("\n") == 1 and "stdin" in err


def test_a_site_field_without_the_step_is_a_usage_error(tmp_path, capsys):
    src = write_jsonl(tmp_path / "crawl.jsonl", crawl_records())
    code, out, err = run(capsys, "predict", str(src), "--site-field", "domain")
    assert code == EXIT_USAGE and out == "" and err.count("\n") == 1 and "--site-repeats" in err


def test_a_bad_record_is_reported_once_and_stops_the_run_without_skip_bad(tmp_path, capsys):
    records = crawl_records()
    src = tmp_path / "crawl.jsonl"
    src.write_text(json.dumps(records[0]) + "\nnot json\n" + "".join(json.dumps(r) + "\n" for r in records[1:]))
    out_file = tmp_path / "out.jsonl"
    out_file.write_text("earlier output\n")
    code, _, err = run(capsys, "predict", str(src), "--site-repeats", "2", "--out", str(out_file))
    assert code == EXIT_INPUT and err.count("\n") == 1 and f"{src}:2" in err
    assert out_file.read_text() == "earlier output\n"  # stopped in the counting pass: nothing written
    code, out, err = run(capsys, "predict", str(src), "--site-repeats", "2", "--skip-bad", "--emit", "content")
    assert code == EXIT_INPUT and err.count(f"{src}:2") == 1
    assert [APPEAL in json.loads(line)["content"] for line in out.splitlines()] == [False] * 4


def test_evaluate_scores_the_revised_labels(tmp_path, capsys):
    """Labelled pages whose appeal is chrome: the step turns the kept appeal chrome, and the report says so."""
    rows = []
    for record in crawl_records():
        lines = record["text"].split("\n")
        labels = ["blank" if not line else "chrome" if line == APPEAL or line.startswith("Home |") else "content"
                  for line in lines]
        rows.append({"url": record["url"], "text": record["text"], "labels": labels})
    data = write_jsonl(tmp_path / "labelled.jsonl", rows)
    code, plain, err = run(capsys, "evaluate", str(data), "--json")
    assert code == EXIT_OK, err
    code, revised, err = run(capsys, "evaluate", str(data), "--json", "--site-repeats", "2")
    assert code == EXIT_OK, err
    plain, revised = json.loads(plain), json.loads(revised)
    assert plain["site_repeats"] is None and revised["site_repeats"] == {"min_pages": 2, "lines": 4}
    assert plain["confusion"]["fp"] - revised["confusion"]["fp"] == 4 and revised["confusion"]["tp"] == plain["confusion"]["tp"]
    assert revised["page_metric"]["precision"] > plain["page_metric"]["precision"]
    code, text, _ = run(capsys, "evaluate", str(data), "--site-repeats", "2", "--worst", "0")
    assert "site repeats: 4 content line(s) held by 2+ other pages of their site made chrome" in text.splitlines()[1]
    pytest.importorskip("matplotlib", reason="the HTML report needs the 'report' extra")
    code, _, err = run(capsys, "evaluate", str(data), "--site-repeats", "2", "--html", str(tmp_path / "r.html"))
    assert code == EXIT_OK, err
    page = (tmp_path / "r.html").read_text()
    assert "then 4 content line(s) held by 2+ other pages of their site made chrome" in page
    assert "(scores alone: before the site-repeats step)" in page


def test_counting_in_workers_counts_what_one_process_counts(tmp_path, monkeypatch):
    """Many small chunks spread over two workers: the same table as counting in this process."""
    from linesift.model.io import predict as run_module
    from linesift.model.io.sources import ReadOptions

    records = crawl_records(n_sites=3, copies=2)
    records[5]["url"] = records[1]["url"]  # the same URL twice counts once
    src = str(write_jsonl(tmp_path / "crawl.jsonl", records))
    monkeypatch.setattr(run_module, "CHUNK_LINES", 5)  # a chunk a page: more chunks than the workers hold at once
    pools = []
    real_pool = run_module.WorkerPool
    monkeypatch.setattr(run_module, "WorkerPool", lambda context, jobs, *rest: pools.append(jobs) or real_pool(context, jobs, *rest))
    step = run_module.SiteRepeats(2)
    tables = [run_module.count_repeats([src], ["jsonl"], ReadOptions(), step, jobs=jobs) for jobs in (1, 2)]
    assert pools == [2]  # one job counts in this process; two start two workers
    assert np.array_equal(tables[0].keys, tables[1].keys) and len(tables[0].keys) > 0
    counter = RepeatCounter()
    for r in records:
        counter.add(site_of(r["url"]), r["url"], r["text"].split("\n"))
    assert np.array_equal(counter.repeated(2).keys, tables[1].keys)
    assert tables[1].repeated("harbour0.example", [APPEAL]).tolist() == [True]


def test_counting_skips_pages_without_a_site_and_counts_a_url_once_across_chunks(tmp_path, monkeypatch):
    """One page per chunk: a page without a site is passed over (the pages after it still count), and
    a URL seen in an earlier chunk is not counted again."""
    from linesift.model.io import predict as run_module
    from linesift.model.io.sources import ReadOptions

    monkeypatch.setattr(run_module, "CHUNK_LINES", 1)
    line = "Support our journalism today"

    def count(records):
        src = str(write_jsonl(tmp_path / "crawl.jsonl", records))
        table = run_module.count_repeats([src], ["jsonl"], ReadOptions(), run_module.SiteRepeats(2))
        return table.repeated("harbour.example", [line]).tolist()

    pages = [{"url": f"https://harbour.example/{i}", "text": f"Story {i}\n{line}"} for i in range(3)]
    assert count([{"text": line}] + pages) == [True]  # held by 2 other pages of its site
    assert count(pages[:2] + [pages[0]]) == [False]  # two pages, one of them twice: 1 other page


def contents(out):
    return [json.loads(line)["content"] for line in out.splitlines()]


def test_counting_parts_apart_gives_what_one_run_gives(tmp_path, capsys, monkeypatch):
    records = crawl_records(n_sites=2)
    records.append({"url": "https://lonely.example/1", "text": records[0]["text"]})
    whole = write_jsonl(tmp_path / "all.jsonl", records)
    parts = [write_jsonl(tmp_path / "p1.jsonl", records[:5]), write_jsonl(tmp_path / "p2.jsonl", records[4:])]  # one page in both
    for i, part in enumerate(parts):
        code, _, err = run(capsys, "repeats", "count", str(part), "--out", str(tmp_path / f"s{i}.npy"))
        assert code == EXIT_OK, err
        assert "5 pages with a site" in err
    shards = [str(tmp_path / f"s{i}.npy") for i in range(2)]
    code, _, err = run(capsys, "repeats", "merge", *shards, "--out", str(tmp_path / "t.npy"))
    assert code == EXIT_OK and "4 lines repeated" in err  # the appeal and the menu line of each site
    code, one_run, _ = run(capsys, "predict", str(whole), "--emit", "content", "--site-repeats", "2")
    code, with_table, err = run(capsys, "predict", str(whole), "--emit", "content", "--site-repeats-table", str(tmp_path / "t.npy"))
    assert code == EXIT_OK, err
    assert with_table == one_run
    assert [APPEAL in text for text in contents(with_table)] == [False] * 8 + [True]
    # a part on its own, from stdin: the table knows the other part's pages
    monkeypatch.setattr("sys.stdin", open(parts[1], encoding="utf-8"))
    code, part_out, err = run(capsys, "predict", "-", "--emit", "content", "--site-repeats-table", str(tmp_path / "t.npy"))
    assert code == EXIT_OK, err
    assert contents(part_out) == contents(one_run)[4:]
    # K = 4: four pages a site, so nothing is repeated and the output is the model's own
    code, _, _ = run(capsys, "repeats", "merge", *shards, "--out", str(tmp_path / "t4.npy"), "--min-pages", "4")
    code, plain, _ = run(capsys, "predict", str(whole), "--emit", "content")
    code, k4, _ = run(capsys, "predict", str(whole), "--emit", "content", "--site-repeats-table", str(tmp_path / "t4.npy"))
    assert k4 == plain != one_run


def test_repeats_files_fail_in_one_line_and_leave_old_files_as_they_were(tmp_path, capsys):
    src = write_jsonl(tmp_path / "crawl.jsonl", crawl_records())
    shard, table = tmp_path / "s.npy", tmp_path / "t.npy"
    assert run(capsys, "repeats", "count", str(src), "--out", str(shard))[0] == EXIT_OK
    assert run(capsys, "repeats", "merge", str(shard), "--out", str(table))[0] == EXIT_OK
    before = table.read_bytes()
    (tmp_path / "junk.npy").write_bytes(b"not numpy at all")
    cases = [
        (("repeats", "merge", str(shard), str(tmp_path / "nope.npy"), "--out", str(table)), EXIT_INPUT, "nope.npy: no such file"),
        (("repeats", "merge", str(shard), str(tmp_path / "junk.npy"), "--out", str(table)), EXIT_INPUT, "junk.npy: not a shard"),
        (("repeats", "merge", str(table), "--out", str(table)), EXIT_INPUT, "t.npy: output would overwrite an input"),
        (("repeats", "merge", str(shard), "--out", str(table), "--min-pages", "0"), EXIT_USAGE, "--min-pages"),
        (("repeats", "count", str(src), "--out", str(src)), EXIT_INPUT, "crawl.jsonl: output would overwrite an input"),
        (("repeats", "count", "-", "--out", str(shard)), EXIT_USAGE, "not stdin"),
        (("predict", str(src), "--site-repeats-table", str(shard)), EXIT_INPUT, "s.npy: not a table of repeated lines"),
        (("predict", str(src), "--site-repeats-table", str(tmp_path / "junk.npy")), EXIT_INPUT, "junk.npy: not a table"),
        (("predict", str(src), "--site-repeats", "2", "--site-repeats-table", str(table)), EXIT_USAGE, "not both"),
    ]
    for args, want, message in cases:
        code, out, err = run(capsys, *args)
        assert code == want, args
        assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert table.read_bytes() == before
    # a shard of a bad part is not written unless --skip-bad, and then the bad record is reported
    bad = tmp_path / "bad.jsonl"
    bad.write_text(src.read_text() + "{broken\n")
    code, _, err = run(capsys, "repeats", "count", str(bad), "--out", str(tmp_path / "b.npy"))
    assert code == EXIT_INPUT and "bad.jsonl:5" in err and not (tmp_path / "b.npy").exists()
    code, _, err = run(capsys, "repeats", "count", str(bad), "--out", str(tmp_path / "b.npy"), "--skip-bad")
    assert code == EXIT_INPUT and "skipped" in err and "bad.jsonl:5" in err and (tmp_path / "b.npy").exists()
    assert np.array_equal(np.load(tmp_path / "b.npy"), np.load(shard))
    # so is an input whose very start cannot be read (its kind is found from its first bytes)
    badstart = tmp_path / "badstart.txt.gz"
    badstart.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    code, _, err = run(capsys, "repeats", "count", str(badstart), str(src), "--out", str(tmp_path / "c.npy"), "--skip-bad")
    assert code == EXIT_INPUT and np.array_equal(np.load(tmp_path / "c.npy"), np.load(shard))
    assert err.splitlines()[0] == (f"linesift: skipped {badstart}: damaged gzip data from its start "
                                   "(Error -3 while decompressing data: invalid code lengths set)")
    # pages without a site (text files, or records without the field) count for nothing, and it says so
    (tmp_path / "page.txt").write_text("Menu\nSome article text.\n", encoding="utf-8")
    for args in ((str(tmp_path / "page.txt"),), (str(src), "--site-field", "domain")):
        code, _, err = run(capsys, "repeats", "count", *args, "--out", str(tmp_path / "n.npy"))
        assert code == EXIT_OK and "0 pages with a site" in err and "no page had a site" in err, err
    assert "no page had a site" not in run(capsys, "repeats", "count", str(src), "--out", str(tmp_path / "n.npy"))[2]


def test_counting_and_merging_load_no_model_and_import_no_scikit_learn(tmp_path):
    """Counting parts of a crawl needs no model: each task starts in a fraction of predict's memory."""
    import subprocess
    import sys

    src = write_jsonl(tmp_path / "crawl.jsonl", crawl_records())
    shard, table = tmp_path / "s.npy", tmp_path / "t.npy"
    code = ("import sys\n"
            "from linesift.training.cli import main\n"
            f"a = main(['repeats', 'count', {str(src)!r}, '--out', {str(shard)!r}, '--jobs', '2'])\n"
            f"b = main(['repeats', 'merge', {str(shard)!r}, '--out', {str(table)!r}])\n"
            "print(a, b, sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'joblib'}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "0 0 []", done.stdout + done.stderr
    assert RepeatedLines.from_array(np.load(table)).keys.size > 0
