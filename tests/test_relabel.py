"""Relabelling rules: bylines, datelines, credits and captions go; article prose stays."""

from __future__ import annotations

import pytest
from linesift.training.relabel import relabel, rule_for


@pytest.mark.parametrize("line, rule", [
    ("By Eli Fairbanks | efairbanks@example.com", "byline"),
    ("by Paulo Coelho on July 17, 2012", "byline"),
    ("July 24, 2012 12:11 AM", "dateline"),
    ("PUBLISHED: May 18, 2024 at 5:15 p.m. | UPDATED: May 19, 2024 at 9:03 a.m.", "dateline"),
    ("Monday, 3 June 2024", "dateline"),
    ("2012-07-24 16:23", "dateline"),
    ("(Reporting by Anna Kersten; Editing by Mark Holloway)", "credits"),
    ("Additional reporting by Tom Lee", "credits"),
    ("The new reading room, which reopened on Saturday. (Photo by Carla Mendes/North Valley Post)", "caption"),
    ("FILE PHOTO: NATO Secretary General holds a news conference. Francisco Seco/Pool via REUTERS", "caption"),
    ("Smoke rises from the plant. REUTERS/Pieter van Dam", "caption"),
])
def test_convention_breaking_lines_are_named(line, rule):
    assert rule_for(line) == rule


@pytest.mark.parametrize("line", [
    "By the end of the year, the council expects to have spent the whole budget on repairs.",
    "Byron Bay is a town on the coast of New South Wales.",
    "(AP) HONOLULU - A $2.2 million expedition that hoped to find wreckage is on its way back.",
    "On July 24, 2012 the expedition returned to Honolulu without the images it had hoped to bring back, "
    "and its leaders said they would study the sonar data for months.",
    "The photographer, who asked not to be named, said the image had been altered.",
    "Island ferry to run hourly from May",
])
def test_article_prose_is_untouched(line):
    assert rule_for(line) is None


def test_only_content_lines_of_other_corpora_change():
    lines = ["By Ann Lee", "Body text that is plain prose.", "By Bob Roe"]
    labels = ["content", "content", "chrome"]
    new, changed = relabel("dragnet", lines, labels)
    assert new == ["chrome", "content", "chrome"] and changed == {"byline": 1}
    assert relabel("l3s-gn1", lines, labels) == (labels, {})
