"""Per-corpus relabelling: bring corpora with a broader idea of content to linesift's definition.

Dragnet, CleanEval, CleanPortalEval and Readability keep bylines, datelines, photo captions and
credits as content; L3S-GN1, whose convention linesift follows, does not. Lines of those kinds
that the reference marked content are relabelled chrome in those corpora. The rules are narrow
on purpose: short lines, or lines with an explicit credit pattern, so article prose is untouched.
"""

from __future__ import annotations

import re

#: Corpora whose content convention already matches linesift's: never relabelled.
OWN_CONVENTION = frozenset({"l3s-gn1"})
#: Bylines and datelines longer than this are more likely prose (words).
SHORT_LINE_WORDS = 14
#: Lines opening with "Published", "Updated" ... may carry two timestamps (words).
TIMESTAMP_MAX_WORDS = 24
#: Captions longer than this are left alone (words).
CAPTION_MAX_WORDS = 45

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
BYLINE = re.compile(r"^(?:by|written by|posted by|von|par|por)\s+[^\W\d_]", re.IGNORECASE)
CREDITS = re.compile(r"^\(?(?:additional\s+)?(?:reporting|editing|writing|compiled|research)\s+by\b", re.IGNORECASE)
DATELINE = re.compile(
    rf"^(?:(?:published|updated|posted|last\s+updated|modified|created)\s*(?:on|at)?\s*:?\s*)?"
    rf"(?:{_WEEKDAY},?\s*)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{2,4}})",
    re.IGNORECASE,
)
TIMESTAMP = re.compile(r"^(?:published|updated|posted|last\s+updated)\b\s*:?", re.IGNORECASE)
CAPTION = re.compile(
    r"(?:\(\s*(?:photo|photograph|image|picture|credit)s?\b|\b(?:photo|photograph|image|picture)s?\s*(?:by|:|credit)"
    r"|getty\s+images|\bap\s+photo\b|\bafp\b\s*(?:photo|/)|reuters\s*/|/\s*reuters|file\s+photo|associated\s+press\s+photo)",
    re.IGNORECASE,
)


def rule_for(line: str) -> str | None:
    """The name of the rule that makes ``line`` chrome under linesift's convention, or None."""
    text = line.strip()
    words = len(text.split())
    if CREDITS.search(text):
        return "credits"
    if words <= SHORT_LINE_WORDS and BYLINE.search(text):
        return "byline"
    if (words <= SHORT_LINE_WORDS and DATELINE.search(text)) or (words <= TIMESTAMP_MAX_WORDS and TIMESTAMP.search(text)):
        return "dateline"
    if words <= CAPTION_MAX_WORDS and CAPTION.search(text):
        return "caption"
    return None


def relabel(corpus: str, lines: list[str], labels: list[str]) -> tuple[list[str], dict[str, int]]:
    """Labels with convention-breaking content lines turned chrome, and how many each rule changed."""
    if corpus in OWN_CONVENTION:
        return labels, {}
    out, changed = list(labels), {}
    for i, (line, label) in enumerate(zip(lines, labels)):
        if label == "content":
            rule = rule_for(line)
            if rule:
                out[i] = "chrome"
                changed[rule] = changed.get(rule, 0) + 1
    return out, changed
