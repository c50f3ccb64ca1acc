"""The real scraped page in ../shared/examples, cleaned by the bundled model.

The corpora issue's target: exactly the 11 content lines (headline and body), in order; no
caption, credits line, tracking field or related headline.
"""

from __future__ import annotations

from linesift.training.cli import EXIT_OK, main

from .conftest import needs_shared


def _labelled(folder):
    rows = (folder / "reuters-nato.labels.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(row.split("\t", 1)) for row in rows if "\t" in row]


def test_reuters_page_prints_exactly_its_content_lines(capsys):
    folder = needs_shared("examples")
    labelled = _labelled(folder)
    content = [text for label, text in labelled if label == "content"]
    chrome = {text for label, text in labelled if label == "chrome"}
    assert len(content) == 11
    code = main(["predict", str(folder / "reuters-nato.txt")])
    out = [line for line in capsys.readouterr().out.splitlines() if line]
    assert code == EXIT_OK
    assert [line for line in out if line in chrome] == []
    assert out == content
