"""The feature registry: small, pure, named functions of a LineBatch, each giving shape (n_lines,).

Groups follow the design card: length, position, keywords, punctuation. Keyword features are
generated from ``keywords.txt``. Feature names are saved with every model.
"""

from __future__ import annotations

import hashlib
from typing import Callable

import numpy as np

from .batch import CLOSER, DIGIT, LETTER, PUNCT, SEPARATOR, SPACE, TERMINAL, UPPER, LineBatch
from .convention import caption_line, credit_tail, credits_line
from .keywords import default_index
from .lexicon import _PAIR, word_spans

FeatureFn = Callable[[LineBatch], np.ndarray]

#: Feature groups computed from the text alone, in column order.
GROUPS = ("length", "position", "punctuation", "keywords")
#: Text-only feature groups that candidate recipes may add (not in the default groups).
OPTIONAL_GROUPS = ("echo",)
#: Feature groups learned from the training data (the featuriser fits them; see ``lexicon.py``).
LEARNED_GROUPS = ("lexicon", "section")
ALL_GROUPS = GROUPS + OPTIONAL_GROUPS + LEARNED_GROUPS

REGISTRY: dict[str, tuple[str, FeatureFn]] = {}
#: Definition version of every registered feature: bump a feature's ``version`` whenever a change
#: alters the values it gives, so that models trained on the old values are refused, not misled.
VERSIONS: dict[str, int] = {}


def feature(group: str, name: str, version: int = 1) -> Callable[[FeatureFn], FeatureFn]:
    """Register ``fn`` as feature ``group.name`` at definition ``version``."""

    def register(fn: FeatureFn) -> FeatureFn:
        full = f"{group}.{name}"
        if group not in ALL_GROUPS or full in REGISTRY:
            raise ValueError(f"bad or duplicate feature {full}")
        REGISTRY[full] = (group, fn)
        VERSIONS[full] = version
        return fn

    return register


def definitions(names: list[str]) -> dict[str, int]:
    """Definition version of each named feature, for a model's metadata."""
    return {name: VERSIONS[name] for name in names}


def registry_digest(defs: dict[str, int]) -> str:
    """SHA-256 naming a set of feature definitions (names and versions; order-free, as JSON keys are)."""
    text = "\n".join(f"{name}@{version}" for name, version in sorted(defs.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unknown_definitions(defs: dict[str, int]) -> list[str]:
    """Features of ``defs`` this release lacks or defines differently ("name@version" each)."""
    return [f"{name}@{version}" for name, version in defs.items() if VERSIONS.get(name) != version]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return num / np.maximum(den, 1)


def _page_broadcast(b: LineBatch, ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
    """``ufunc`` reduced over each page's lines, repeated onto every line of the page, shape (n,)."""
    if not len(b):
        return np.zeros(0, dtype=values.dtype)
    first_rows = np.nonzero(b.index == 0)[0]
    per_page = ufunc.reduceat(values, first_rows)
    return np.repeat(per_page, np.diff(np.append(first_rows, len(b))))


# --- length -------------------------------------------------------------------------------

@feature("length", "chars")
def chars(b: LineBatch) -> np.ndarray:
    """log(1 + characters): paragraphs are long, menu items short."""
    return np.log1p(b.n_chars)


@feature("length", "words")
def words(b: LineBatch) -> np.ndarray:
    """log(1 + whitespace-separated words)."""
    return np.log1p(b.n_words)


@feature("length", "mean_word_length")
def mean_word_length(b: LineBatch) -> np.ndarray:
    """Non-space characters per word: URLs and codes run long, prose near 5."""
    return _ratio(b.n_chars - b.count_chars(SPACE), b.n_words)


@feature("length", "is_single_word")
def is_single_word(b: LineBatch) -> np.ndarray:
    """1 for one-word lines ("Home", "Share"), which are almost never article text."""
    return (b.n_words <= 1).astype(np.float64)


@feature("length", "page_share")
def page_share(b: LineBatch) -> np.ndarray:
    """Words as a share of the page's longest line, 0-1: the article holds a page's longest lines
    whatever the language or site."""
    return _ratio(b.n_words, _page_broadcast(b, np.maximum, b.n_words))


# --- position -----------------------------------------------------------------------------

@feature("position", "relative")
def relative(b: LineBatch) -> np.ndarray:
    """Position among the page's non-blank lines, 0 (first) to 1 (last)."""
    return _ratio(b.index, b.count - 1)


@feature("position", "from_start")
def from_start(b: LineBatch) -> np.ndarray:
    """log(1 + non-blank lines before this one)."""
    return np.log1p(b.index)


@feature("position", "from_end")
def from_end(b: LineBatch) -> np.ndarray:
    """log(1 + non-blank lines after this one)."""
    return np.log1p(b.count - 1 - b.index)


@feature("position", "page_lines")
def page_lines(b: LineBatch) -> np.ndarray:
    """log(1 + non-blank lines in the page): long pages carry more chrome."""
    return np.log1p(b.count)


@feature("position", "repeats")
def repeats(b: LineBatch) -> np.ndarray:
    """log(number of other lines on the page with the same text): menus, teasers and headlines
    that the page shows twice."""
    if not len(b):
        return np.zeros(0)
    # One 64-bit key per (page, text); equal keys count as equal text (collisions are vanishingly rare).
    keys = np.fromiter(map(hash, b.lines), dtype=np.int64, count=len(b))
    with np.errstate(over="ignore"):
        keys ^= b.page * np.int64(-7046029254386353131)
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return np.log(counts[inverse].astype(np.float64))


#: A line is "long" for ``outside_long_lines`` when it has at least this share of the page's
#: longest line's words (ratio).
LONG_LINE_SHARE = 0.5


@feature("position", "from_text_centre")
def from_text_centre(b: LineBatch) -> np.ndarray:
    """Signed distance from the page's centre of text mass (mean line index weighted by words²),
    as a share of the page's lines: chrome sits above and below the article."""
    w = b.n_words.astype(np.float64) ** 2
    centre = _page_broadcast(b, np.add, w * b.index) / np.maximum(_page_broadcast(b, np.add, w), 1.0)
    return (b.index - centre) / np.maximum(b.count, 1)


@feature("position", "outside_long_lines")
def outside_long_lines(b: LineBatch) -> np.ndarray:
    """log(1 + lines between this one and the span from the page's first to last long line);
    0 inside the span. Long: at least LONG_LINE_SHARE of the longest line's words."""
    longest = _page_broadcast(b, np.maximum, b.n_words)
    is_long = b.n_words >= LONG_LINE_SHARE * longest
    big = np.iinfo(np.int64).max
    first = _page_broadcast(b, np.minimum, np.where(is_long, b.index, big))
    last = _page_broadcast(b, np.maximum, np.where(is_long, b.index, -1))
    return np.log1p(np.maximum(np.maximum(first - b.index, b.index - last), 0))


@feature("position", "blank_before")
def blank_before(b: LineBatch) -> np.ndarray:
    """1 when a blank line precedes this one: paragraphs stand apart, menus run together."""
    return b.blank_before.astype(np.float64)


@feature("position", "blank_after")
def blank_after(b: LineBatch) -> np.ndarray:
    """1 when a blank line follows this one."""
    return b.blank_after.astype(np.float64)


# --- punctuation --------------------------------------------------------------------------

def _last_bits(b: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    last = b.char_at(b.ends - 1)
    before = b.char_at(np.maximum(b.ends - 2, b.starts))
    return last, before


@feature("punctuation", "ends_terminal")
def ends_terminal(b: LineBatch) -> np.ndarray:
    """1 when the line ends a sentence (. ! ? …), allowing a closing quote or bracket after it."""
    last, before = _last_bits(b)
    closed = ((last & CLOSER) != 0) & ((before & TERMINAL) != 0) & (b.n_chars > 1)
    return (((last & TERMINAL) != 0) | closed).astype(np.float64)


@feature("punctuation", "ends_colon")
def ends_colon(b: LineBatch) -> np.ndarray:
    """1 for a trailing colon: labels ("Tags:", "User Status:") and list introductions."""
    return (b.codes[b.ends - 1] == ord(":")).astype(np.float64) if len(b) else np.zeros(0)


@feature("punctuation", "ends_alnum")
def ends_alnum(b: LineBatch) -> np.ndarray:
    """1 when the last character is a letter or digit: headings, menus, headlines."""
    last, _ = _last_bits(b)
    return ((last & (LETTER | DIGIT)) != 0).astype(np.float64)


@feature("punctuation", "ends_ellipsis")
def ends_ellipsis(b: LineBatch) -> np.ndarray:
    """1 for a trailing "..." or "…": teasers cut short link to other articles."""
    if not len(b):
        return np.zeros(0)
    last = b.codes[b.ends - 1]
    dots = (b.codes[np.maximum(b.ends - 3, b.starts)] == 46) & (b.codes[np.maximum(b.ends - 2, b.starts)] == 46)
    return ((last == 0x2026) | ((last == 46) & dots & (b.n_chars >= 3))).astype(np.float64)


@feature("punctuation", "starts_upper")
def starts_upper(b: LineBatch) -> np.ndarray:
    """1 when the line opens with a capital letter, as sentences do."""
    return ((b.char_at(b.starts) & UPPER) != 0).astype(np.float64)


@feature("punctuation", "starts_nonletter")
def starts_nonletter(b: LineBatch) -> np.ndarray:
    """1 when the line opens with a digit, bullet or symbol (lists, counters, prices)."""
    return ((b.char_at(b.starts) & LETTER) == 0).astype(np.float64)


@feature("punctuation", "punct_ratio")
def punct_ratio(b: LineBatch) -> np.ndarray:
    """Punctuation and symbol characters per character."""
    return _ratio(b.count_chars(PUNCT), b.n_chars)


@feature("punctuation", "digit_ratio")
def digit_ratio(b: LineBatch) -> np.ndarray:
    """Digits per character: dates, counters, prices, tracking ids."""
    return _ratio(b.count_chars(DIGIT), b.n_chars)


@feature("punctuation", "upper_ratio")
def upper_ratio(b: LineBatch) -> np.ndarray:
    """Capitals per letter: SHOUTED menus and acronyms."""
    return _ratio(b.count_chars(UPPER), b.count_chars(LETTER))


@feature("punctuation", "titlecase_ratio")
def titlecase_ratio(b: LineBatch) -> np.ndarray:
    """Words that start with a capital, per word: headlines and link lists are Title Case."""
    return _ratio(b.count_mask(b.word_starts & ((b.classes & UPPER) != 0)), b.n_words)


@feature("punctuation", "comma_rate")
def comma_rate(b: LineBatch) -> np.ndarray:
    """Commas per word: clauses are a mark of prose."""
    return _ratio(b.count_mask(b.codes == ord(",")), b.n_words)


@feature("punctuation", "sentence_marks")
def sentence_marks(b: LineBatch) -> np.ndarray:
    """log(1 + sentence-ending marks inside the line)."""
    return np.log1p(b.count_chars(TERMINAL))


@feature("punctuation", "separators")
def separators(b: LineBatch) -> np.ndarray:
    """log(1 + separator characters: | » • · › – — / >): breadcrumbs and menus."""
    return np.log1p(b.count_chars(SEPARATOR))


@feature("punctuation", "ends_caps_word")
def ends_caps_word(b: LineBatch) -> np.ndarray:
    """1 when the last word is in capitals (two letters or more): agency credits ("via REUTERS", "AFP")."""
    if not len(b):
        return np.zeros(0)
    word_starts = np.append(np.int64(0), np.flatnonzero(b.word_starts))
    # The last word start before the line's end; a line of control characters has none of its
    # own, and the search lands on an earlier line: clamp to the line's start.
    first = np.maximum(word_starts[np.searchsorted(word_starts, b.ends) - 1], b.starts)
    # Only the last words' characters are read: gathered, then counted per line.
    lengths = b.ends - first
    line = np.repeat(np.arange(len(b)), lengths)
    classes = b.classes[np.arange(len(line)) + np.repeat(first - (np.cumsum(lengths) - lengths), lengths)]
    letters = np.bincount(line, weights=(classes & LETTER) != 0, minlength=len(b))
    small = np.bincount(line, weights=(classes & (LETTER | UPPER)) == LETTER, minlength=len(b))
    return ((letters >= 2) & (small == 0)).astype(np.float64)


# --- keywords -----------------------------------------------------------------------------

def keyword_hits(b: LineBatch) -> dict[str, np.ndarray]:
    """Hits per line of every keyword group, each shape (n,); computed once per batch.

    The vocabulary is the batch's ``cache["keyword_vocabulary"]`` (set by the featuriser from its
    model's setting), 1 when unset. One with Han or kana phrases reads the text cut as the lexicon
    cuts it, a word per such character."""
    vocabulary = b.cache.get("keyword_vocabulary", 1)
    key = ("keyword_hits", vocabulary)
    if key not in b.cache:
        index = default_index(vocabulary)
        word_mask = (b.classes & (LETTER | DIGIT)) != 0
        upper_mask = (b.classes & UPPER) != 0
        spans = word_spans(b)[:2] if index.split_cjk else b.word_runs
        counts, leads = index.hits(b.codes, word_mask, upper_mask, b.starts, b.folded_prefix, spans,
                                   b.line_of_char)
        b.cache[key] = {name: counts[:, g].astype(np.float64) for g, name in enumerate(index.names)}
        b.cache[("keyword_leads", vocabulary)] = leads.sum(axis=1).astype(np.float64)
    return b.cache[key]


def _keyword_feature(name: str) -> FeatureFn:
    def fn(b: LineBatch) -> np.ndarray:
        return np.log1p(keyword_hits(b)[name])

    fn.__name__ = f"kw_{name}"
    fn.__doc__ = f"log(1 + hits of the '{name}' chrome vocabulary)."
    return fn


for _name in default_index().names:
    feature("keywords", _name)(_keyword_feature(_name))


@feature("keywords", "density")
def keyword_density(b: LineBatch) -> np.ndarray:
    """All chrome-vocabulary hits per word: one 'share' in a paragraph is noise, in a short line a cue."""
    total = sum(keyword_hits(b).values())
    return _ratio(total, b.n_words)


@feature("keywords", "lead")
def keyword_lead(b: LineBatch) -> np.ndarray:
    """log(1 + hits among the line's first two words): "FILE PHOTO: ...", "By ...", "Related: ..."."""
    keyword_hits(b)
    return np.log1p(b.cache[("keyword_leads", b.cache.get("keyword_vocabulary", 1))])


@feature("keywords", "credits_line")
def keywords_credits_line(b: LineBatch) -> np.ndarray:
    """1 for a line opening with an agency credit ("(Reporting by ...; Editing by ...)"): chrome by
    convention, though it reads like prose (``convention.py``)."""
    return credits_line(b)


@feature("keywords", "caption_line")
def keywords_caption_line(b: LineBatch) -> np.ndarray:
    """1 for a line opening like a photo caption ("FILE PHOTO:", "Photo by") or ending in an agency
    photo credit ("REUTERS/Name"): chrome by convention (``convention.py``)."""
    return caption_line(b)


@feature("keywords", "credit_tail")
def keywords_credit_tail(b: LineBatch) -> np.ndarray:
    """1 for a line ending in a photo credit in any language ("... © dpa | Name", "(Foto: IMAGO/Name)"):
    a caption, chrome by convention (``convention.py``); models made before it never compute it.
    Only lines with a photo, credit or copyright keyword are searched (hits computed anyway; a regex
    on every line would cost a third of the prediction time): "©", "Foto:", "Credit:" and "Getty
    Images" are such keywords, "Quelle:" or "Unsplash/" count only beside one."""
    hits = keyword_hits(b)
    return credit_tail(b, (hits["photo"] + hits["credit"] + hits["copyright"]) > 0)


#: Features whose lines a page stage turns chrome whatever the scores (``stage.PageStageClassifier``).
CONVENTION_CHROME = ("keywords.credits_line", "keywords.caption_line", "keywords.credit_tail")


# --- echo (optional): does the line share its topic words with the page's long lines? ----------

#: Words of at least this many characters are topic words for ``echo`` (shorter ones are mostly
#: function words in the languages that separate words with spaces); Han and kana text uses
#: pairs of adjacent characters instead (characters).
ECHO_MIN_CHARS = 5
#: A line is "wordy" for ``echo.wordy_lines`` with at least this many words.
ECHO_WORDY_WORDS = 15


def _topic_terms(b: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """(line, term id) of each distinct topic term of each line, both shape (n_terms,); ids number
    the batch's distinct (page, term) pairs."""
    if "topic_terms" in b.cache:
        return b.cache["topic_terms"]
    w_start, w_end, line_of, hashes, cjk = word_spans(b)
    long_word = ((w_end - w_start) >= ECHO_MIN_CHARS) & ~cjk
    pair = cjk[:-1] & cjk[1:] & (line_of[:-1] == line_of[1:])
    with np.errstate(over="ignore"):
        pair_hashes = hashes[:-1][pair] * _PAIR + hashes[1:][pair]  # mixed as the lexicon mixes its pairs
    lines = np.concatenate([line_of[long_word], line_of[:-1][pair]])
    terms = np.concatenate([hashes[long_word], pair_hashes]).astype(np.int64)
    # One sort by (term, line): a term's lines, and so its pages, come in order, so each line holds
    # a term once after dropping repeats, and a (page, term) pair is a run of equal term and page.
    # Sorting and comparing neighbours: np.unique's hashing is several times slower here.
    packed = np.sort((terms << np.int64(32)) + lines)
    packed = packed[np.append(True, packed[1:] != packed[:-1])] if len(packed) else packed
    lines = packed & np.int64(0xFFFFFFFF)
    page = b.page[lines]
    new_group = np.ones(len(packed), dtype=bool)
    new_group[1:] = ((packed[1:] >> 32) != (packed[:-1] >> 32)) | (page[1:] != page[:-1])
    ids = np.cumsum(new_group) - 1
    result = (lines, ids)
    b.cache["topic_terms"] = result
    return result


def _echo_share(b: LineBatch, source: np.ndarray) -> np.ndarray:
    """Share of each line's topic terms found on another line of its page where ``source`` (n,)
    is true; 0 for a line without topic terms, shape (n,)."""
    lines, inverse = _topic_terms(b)
    if not len(lines):
        return np.zeros(len(b))
    from_source = source[lines].astype(np.float64)
    holders = np.bincount(inverse, weights=from_source)[inverse] - from_source
    found = np.bincount(lines, weights=(holders > 0).astype(np.float64), minlength=len(b))
    return _ratio(found, np.bincount(lines, minlength=len(b)))


@feature("echo", "long_lines")
def echo_long_lines(b: LineBatch) -> np.ndarray:
    """Share of the line's topic words that another long line of the page also holds, 0-1: an
    article's paragraphs share names and subjects; teasers, notices and boxes beside it do not."""
    return _echo_share(b, b.n_words >= LONG_LINE_SHARE * _page_broadcast(b, np.maximum, b.n_words))


@feature("echo", "wordy_lines")
def echo_wordy_lines(b: LineBatch) -> np.ndarray:
    """Share of the line's topic words that another line of ECHO_WORDY_WORDS or more words holds, 0-1."""
    return _echo_share(b, b.n_words >= ECHO_WORDY_WORDS)


# --- lexicon (learned) ---------------------------------------------------------------------

@feature("lexicon", "score")
def lexicon_score(b: LineBatch) -> np.ndarray:
    """The learned lexicon's logit for the line's words and word pairs (``lexicon.py``); the
    featuriser that owns the lexicon puts the scores in the batch before computing features."""
    if "lexicon_scores" not in b.cache:
        raise ValueError("lexicon.score needs a featuriser fitted with the 'lexicon' group")
    return b.cache["lexicon_scores"]


# --- section (learned, optional): the block of lines under the line's heading -----------------

#: A line of at most this many words that does not end a sentence opens a section (words).
HEADING_MAX_WORDS = 8


def _sections(b: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """(section of each line, shape (n,); first line of each section, shape (n_sections,)): a
    section runs from a heading-like line, or the page's first line, to the line before the next."""
    if "sections" in b.cache:
        return b.cache["sections"]
    opens = ((b.n_words <= HEADING_MAX_WORDS) & (ends_terminal(b) == 0)) | (b.index == 0)
    section = np.cumsum(opens) - 1
    result = (section, np.flatnonzero(opens))
    b.cache["sections"] = result
    return result


def _lexicon_scores(b: LineBatch) -> np.ndarray:
    if "lexicon_scores" not in b.cache:
        raise ValueError("section features need a featuriser fitted with the 'lexicon' group")
    return b.cache["lexicon_scores"]


@feature("section", "heading_lexicon")
def section_heading_lexicon(b: LineBatch) -> np.ndarray:
    """The lexicon logit of the line that opens the line's section: "Privacy policy", "Comments",
    "Related" govern the prose under them, which reads like an article on its own."""
    section, first = _sections(b)
    return _lexicon_scores(b)[first][section] if len(b) else np.zeros(0)


@feature("section", "mean_lexicon")
def section_mean_lexicon(b: LineBatch) -> np.ndarray:
    """Mean lexicon logit over the line's section: a block's vocabulary is surer than a line's."""
    section, first = _sections(b)
    if not len(b):
        return np.zeros(0)
    sums = np.bincount(section, weights=_lexicon_scores(b), minlength=len(first))
    return (sums / np.bincount(section, minlength=len(first)))[section]


@feature("section", "words")
def section_words(b: LineBatch) -> np.ndarray:
    """log(1 + words in the line's section): the article's sections are its heaviest blocks."""
    section, first = _sections(b)
    if not len(b):
        return np.zeros(0)
    return np.log1p(np.bincount(section, weights=b.n_words, minlength=len(first))[section])


def names_in_groups(groups: tuple[str, ...] = GROUPS) -> list[str]:
    """Registered feature names of the given groups, in registry order."""
    unknown = set(groups) - set(ALL_GROUPS)
    if unknown:
        raise ValueError(f"unknown feature groups: {sorted(unknown)}; known: {list(ALL_GROUPS)}")
    return [name for name, (group, _) in REGISTRY.items() if group in groups]


def compute(b: LineBatch, names: list[str], out: np.ndarray | None = None) -> np.ndarray:
    """The named features of every line of ``b``, shape (n_lines, len(names)), float64.

    ``out`` may be a preallocated (column-major) array or view of that shape to fill.
    """
    if out is None:
        out = np.empty((len(b), len(names)), dtype=np.float64, order="F")
    for j, name in enumerate(names):
        out[:, j] = REGISTRY[name][1](b)
    return out
