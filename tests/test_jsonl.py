"""The one JSONL record parser and writer, in process: each refusal's whole message, and records
that every reader splits back into the same lines."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linesift.model.errors import DataError
from linesift.model.io.jsonl import parse_record, to_json_line

LABELLED = {"text": str, "labels": list}


@pytest.mark.parametrize("raw, required, message", [
    (b'{"text": "caf\xe9"}', None, "record is not UTF-8"),
    ("[1, 2]", None, "record is not a JSON object"),
    ('"text"', None, "record is not a JSON object"),
    ('{"text": 3}', None, "record has no string field 'text'"),
    ('{"body": "a"}', None, "record has no string field 'text'"),
    ('{"text": "a", "labels": "content"}', LABELLED, "record has no list field 'labels'"),
    ('{"text": "a", "n": 1}', {"n": float}, "record has no float field 'n'"),
    ('{"text" "a"}', None, "not valid JSON (Expecting ':' delimiter at column 9)"),
    ('{"text": "a"} x', None, "not valid JSON (Extra data at column 15)"),
    ("[" * 100_000, None, "record is nested too deeply"),
])
def test_each_bad_record_is_named_by_file_and_line(raw, required, message):
    with pytest.raises(DataError) as refused:
        parse_record(raw, "part.jsonl", 12, required)
    assert str(refused.value) == f"part.jsonl:12: {message}"
    assert (refused.value.source, refused.value.line) == ("part.jsonl", 12)


@pytest.mark.parametrize("raw", ["", "   ", "\t\r\n", b"", b" \n"])
def test_a_blank_line_is_no_record(raw):
    assert parse_record(raw, "part.jsonl", 1) is None


def test_a_good_record_comes_back_whole_with_the_fields_asked_for():
    raw = '{"id": 7, "text": "a\\nb", "labels": ["content", "chrome"], "meta": {"k": [1]}}'
    assert parse_record(raw, "x", 1, LABELLED) == json.loads(raw)
    assert parse_record(raw.encode(), "x", 1) == json.loads(raw)


def test_line_breaks_that_json_leaves_raw_are_escaped_and_the_rest_kept():
    line = to_json_line({"text": "a\u2028b\u2029c\x85d \u201cquoted\u201d \u00e9"})
    assert line == '{"text":"a\\u2028b\\u2029c\\u0085d \u201cquoted\u201d \u00e9"}\n'.encode()
    assert line.count(b"\n") == 1 and len(line.decode().splitlines()) == 1
    assert to_json_line({"text": "plain \u00e9"}) == '{"text":"plain \u00e9"}\n'.encode()


def test_what_the_fast_encoder_refuses_goes_out_through_the_lenient_one():
    assert to_json_line({"text": "\ud800x"}) == b'{"text": "\\ud800x"}\n'  # a lone surrogate, as its escape
    assert to_json_line({"text": "\ud800 \u00e9"}) == '{"text": "\\ud800 \u00e9"}\n'.encode()  # the rest stays UTF-8
    assert to_json_line({"n": 2 ** 70}) == b'{"n": 1180591620717411303424}\n'
    assert to_json_line({"text": "\ud800\u2028"}) == b'{"text": "\\ud800\\u2028"}\n'


@given(st.text(), st.dictionaries(st.text(max_size=5), st.one_of(st.text(), st.integers(), st.lists(st.text(max_size=3))),
                                  max_size=4))
def test_any_record_is_one_line_that_parses_back_to_itself(text, fields):
    record = {**fields, "text": text}
    line = to_json_line(record)
    assert line.endswith(b"\n") and len(line.decode("utf-8", "surrogatepass").splitlines()) == 1
    assert parse_record(line, "x", 1) == record
