"""The site-repeats revise rule: which lines count as repeated, and what the rule changes."""

from __future__ import annotations

import numpy as np
from linesift.training.data import LabelledPage
from linesift.training.repeats import other_pages, revise, table


def page(lines, labels, url, site="a.example", corpus="c", source="f.jsonl:1"):
    return LabelledPage(lines=lines, labels=labels, source=source, site=site, corpus=corpus, url=url)


NAV = "Home  |  News"


def pages():
    return [
        page(["Headline one", "", NAV, "Body one."], ["content", "blank", "chrome", "content"], "u1"),
        # the same page converted twice: one page, not two
        page(["Headline one", "", "home | news", "Body one."], ["content", "blank", "chrome", "content"], "u1"),
        page(["Headline two", NAV, "Body two."], ["content", "chrome", "content"], "u2"),
        page(["Headline three", NAV, "Subscribe now"], ["content", "chrome", "chrome"], "u3"),
        page(["Other site", NAV], ["content", "chrome"], "v1", site="b.example"),
    ]


def test_other_pages_counts_distinct_pages_of_the_same_site():
    counts = other_pages(pages())
    assert counts[0].tolist() == [0, 0, 2, 0]  # u2 and u3 hold the nav; u1's second conversion does not count
    assert counts[1].tolist() == [0, 0, 2, 0]  # case and spacing do not make a line new
    assert counts[2].tolist() == [0, 2, 0]
    assert counts[4].tolist() == [0, 0]  # another site's nav is not this site's


def test_revise_turns_only_content_lines_chrome():
    labels = ["content", "blank", "content", "chrome"]
    others = np.array([0, 0, 3, 3])
    assert revise(labels, others, 3) == ["content", "blank", "chrome", "chrome"]
    assert revise(labels, others, 4) == labels


def test_table_scores_the_model_and_each_rule():
    ps = pages()
    # a model that keeps every non-blank line: the rule at K=2 drops the nav of u1, u2 and u3
    predicted = [["content" if lab != "blank" else "blank" for lab in p.labels] for p in ps]
    rows = table(ps, predicted, [2, 9])
    assert rows[1].split()[:4] == ["model", "alone", "0", rows[1].split()[3]]
    changed = {r.split("  ")[0].strip(): int(r.split()[4].replace(",", "")) for r in rows[2:]}
    assert changed == {"held by 2+ others": 4, "held by 9+ others": 0}
    f1 = {r.split("  ")[0].strip(): float(r.split()[5]) for r in rows[2:]}
    assert f1["held by 2+ others"] > float(rows[1].split()[3]) == f1["held by 9+ others"]


def test_table_leaves_excluded_corpora_out_of_the_overall_figure_only():
    body = "The council met on Tuesday and approved the new budget for the library and the roads."
    stub = "Sorry, the page you were looking for could not be found on this server today."
    ps = [page(["Budget approved by the council", body], ["content", "content"], "u1"),
          page([stub, "Return to the home page of the site"], ["chrome", "chrome"], "s1", site="s.example", corpus="stubs")]
    predicted = [["content", "content"], ["content", "content"]]  # keeps the stub page whole: page F1 0 there
    with_stub = table(ps, predicted, [2])
    without = table(ps, predicted, [2], frozenset({"stubs"}))
    assert without[0].split()[-1] == with_stub[0].split()[-1] == "stubs"  # its own column stays
    assert float(without[1].split()[3]) == float(table(ps[:1], predicted[:1], [2])[1].split()[3]) == 1.0
    assert float(with_stub[1].split()[3]) < 1.0
