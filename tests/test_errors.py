"""Error tables group wrong lines by kind and weight them by words."""

from __future__ import annotations

import numpy as np
from linesift.training.data import LabelledPage
from linesift.training.errors import error_table, line_kind


def test_line_kinds():
    assert line_kind("By Jane Doe") == "byline"
    assert line_kind("Home") == "short"
    assert line_kind("Storm closes the coastal road for a week") == "heading"
    assert line_kind("The road was closed on Monday after the storm.") == "sentence"


def test_errors_counted_by_kind_and_words():
    page = LabelledPage(
        lines=["Storm closes the coastal road", "", "Home", "The road was closed after the storm.", "By Jane Doe"],
        labels=["content", "blank", "chrome", "content", "chrome"],
        source="t", site="example.org", corpus="c",
    )
    # Scores for the four non-blank lines: the heading is dropped, the byline kept, the rest right.
    table = error_table([page], [np.array([0.2, 0.1, 0.9, 0.8])], threshold=0.5).as_dict()
    rows = {(r["error"], r["kind"]): r for r in table["c"]}
    assert set(rows) == {("dropped", "heading"), ("kept", "byline")}
    total = 5 + 1 + 7 + 3
    assert rows[("dropped", "heading")]["word_share"] == 5 / total
    assert rows[("kept", "byline")]["lines"] == 1
    assert rows[("kept", "byline")]["examples"] == ["0.80 By Jane Doe"]
