"""Lines that linesift's labelling convention makes chrome whatever their look: agency credits and
photo captions.

A credits line ("(Reporting by ...; Editing by ...)") or a caption ("FILE PHOTO: ...",
"... REUTERS/Name") reads like prose and sits inside the article, so a model of the line's look
and place keeps it; and the corpora hold too few of them to learn otherwise (about forty credits
lines in two million). The convention (DEVELOPERS.md, ``training/relabel.py``) is explicit, so
these patterns are features (``keywords.credits_line``, ``keywords.caption_line``) and the page
stage turns their lines chrome (``stage.PageStageClassifier``'s ``chrome_columns``). The patterns
are narrow on purpose: they match at the start of a line, or an agency credit at its very end.
Today's web credits its photos in every language ("© dpa | Name", "(Foto: IMAGO/Name)", "Bild:
Archiv", "Unsplash/Name"): ``credit_tail`` finds those at a line's end (``keywords.credit_tail``).
"""

from __future__ import annotations

import re

import numpy as np

from .batch import LineBatch

#: A line opening with an agency credit ("(Reporting by", "Editing by") or a caption lead
#: ("FILE PHOTO:", "Photo by", "Image:"); tried only on lines opening with two of their letters.
HEAD = re.compile(
    r"(?:(?P<credits>\(?(?:additional\s+)?(?:reporting|editing|writing|compiled|research)\s+by\s+(?-i:[A-Z\u00c0-\u00de]))"
    r"|(?:file\s+photo\b|(?:photo|photograph|image|picture)s?\s*(?:by\b|:|credit\b)))",
    re.IGNORECASE)
#: Lower-cased first two characters a HEAD match can open with: a cheap filter before the regex
#: (on our corpora 39% of lines open with one of its first letters, 9% with one of these pairs).
_HEAD_PAIRS = np.array([ord(a) << 8 | ord(b) for a, b in (
    "(a", "(r", "(e", "(w", "(c", "ad", "re", "ed", "wr", "co", "fi", "ph", "im", "pi")], dtype=np.uint32)
#: An agency photo credit closing the line: "REUTERS/Yves Herman/File Photo", "(AP Photo/Ann Lee)",
#: "Ann Lee/AFP/Getty Images". Agency and name are capitalised, which keeps "a Reuters/Ipsos poll
#: found ..." prose out; every such credit has a slash, so only lines with one are searched.
TAIL = re.compile(
    r"(?:\bREUTERS\s*/\s*|\(\s*AP\s+Photo\s*/\s*|/\s*(?=Getty\b))"
    r"[A-Z\u00c0-\u00de][\w.'\u2019-]*(?:\s+[A-Z\u00c0-\u00de][\w.'\u2019-]*){0,3}"
    r"(?:\s*/\s*(?:File\s+Photo|Getty\s+Images|Pool))?\W{0,3}$")
#: Only this many characters at a line's end are searched for an agency credit (characters).
TAIL_CHARS = 80
#: A photo credit closing a line, in the languages of today's web: a copyright sign ("... © dpa |
#: Name"); a credit word and colon ("(Foto: dpa)", "Bild: Archiv", ". Credit: Space Agency",
#: "(Image: Getty)", ". Photograph: Name for the Guardian", "Quelle: Stadtarchiv"); or a stock agency
#: before a slash, bar or bracket ("Unsplash/Name", "(Getty Images)"). A credit word or agency opens
#: the line or follows a bracket, bar, slash or punctuation mark, and no sentence goes on after the
#: credit (no ". ", "!" or "?"): "Das erste Bild: so sieht ..." and "a deal with Getty Images. The
#: ..." stay prose. Every form but the copyright sign opens with one of a few marks, which lets the
#: regex engine skip to them (three times faster than a word boundary). On the built corpora 98% of
#: the 3,830 judged lines these match are labelled chrome; most of the rest are captions in corpora whose
#: convention keeps them (Dragnet, Readability). Of the 158 judged lines that "image", "picture" and
#: "photograph" added, 156 are chrome (Mirror-style "(Image: Getty)", Guardian-style "Photograph:").
_CREDIT_BODY = (r"(?:(?:symbol)?(?:foto|fotos|photo|photos|photograph|image|images|picture|pictures|bild|bilder|quelle"
                r"|credit|crédit|fuente|kuva|zdjęcie|bilde)"
                r"\s*:\s*\S"
                r"|(?:imago|getty\s+images|istock(?:photo)?|shutterstock|picture[- ]alliance|keystone|unsplash|pexels"
                r"|pixabay)\b\s*[/|)\]])")
_CREDIT_END = r"(?:(?!\.\s)[^!?]){0,60}$"
CREDIT_TAIL = re.compile(rf"(?:©|[(\[|/,;.):\-]\s*(?:©|{_CREDIT_BODY})){_CREDIT_END}", re.IGNORECASE)
#: The same credit opening the line itself ("Foto: Max Muster", "Bild: Archiv").
CREDIT_LINE = re.compile(rf"\s*{_CREDIT_BODY}{_CREDIT_END}", re.IGNORECASE)


def _head_hits(b: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """(credits, caption lead) flags per line, each shape (n,) bool; computed once per batch."""
    if "convention_head" not in b.cache:
        credits = np.zeros(len(b), dtype=bool)
        caption = np.zeros(len(b), dtype=bool)
        if len(b):
            # ASCII lower case (the opening "(" is unchanged); a one-character line's second is its joiner.
            first = b.codes[b.starts] | 0x20
            second = b.codes[np.minimum(b.starts + 1, len(b.codes) - 1)] | 0x20
            match, lines = HEAD.match, b.lines
            for row in np.flatnonzero(np.isin(first << 8 | second, _HEAD_PAIRS)).tolist():
                m = match(lines[row])
                if m:
                    (credits if m.group("credits") else caption)[row] = True
        b.cache["convention_head"] = (credits, caption)
    return b.cache["convention_head"]


def credits_line(b: LineBatch) -> np.ndarray:
    """1.0 for each line that opens with an agency credit ("(Reporting by ..."), else 0; shape (n,)."""
    return _head_hits(b)[0].astype(np.float64)


def caption_line(b: LineBatch) -> np.ndarray:
    """1.0 for each line that opens like a photo caption or ends in an agency photo credit; shape (n,)."""
    out = _head_hits(b)[1].copy()
    if len(b):
        tail = TAIL.search
        for row in np.flatnonzero(b.count_mask(b.codes == ord("/")) > 0).tolist():
            if not out[row] and tail(b.lines[row][-TAIL_CHARS:]):
                out[row] = True
    return out.astype(np.float64)


def credit_tail(b: LineBatch, candidates: np.ndarray) -> np.ndarray:
    """1.0 for each line that ends in a photo credit in any language ("© dpa | Name", "(Foto: IMAGO/
    Name)"), else 0; shape (n,). Only ``candidates`` (bool, shape (n,)) are searched: the caller's
    cheap filter (``features.keywords_credit_tail``)."""
    out = np.zeros(len(b), dtype=np.float64)
    search, match, lines = CREDIT_TAIL.search, CREDIT_LINE.match, b.lines
    for row in np.flatnonzero(candidates).tolist():
        line = lines[row]
        if search(line[-TAIL_CHARS:]) or match(line):
            out[row] = 1.0
    return out
