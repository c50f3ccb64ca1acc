"""A batch API for data engines: a ``pyarrow.Table`` in, the same table with linesift's columns out.

    from linesift.model.arrow import predict_table
    table = predict_table(table, text_column="text")   # adds content, labels, scores

Prediction runs with one thread (engines run one worker per core), and the model is loaded once
per process and kept (``cached_predictor``), so a worker pays for loading it once. With a table of
a site's repeated lines (``site_repeats.RepeatedLines``, counted over the whole run first), the
content lines it holds become chrome, as ``linesift predict --site-repeats`` does.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Sequence

from .io.extras import require
from .io.sinks import LABEL_CODES
from .site_repeats import RepeatedLines, site_of
from .text import split_lines

if TYPE_CHECKING:  # the predictor imports scikit-learn: loaded only where a model is
    from .predictor import Predictor

#: Columns ``predict_table`` adds (or replaces): the cleaned text, a label code per line
#: (1 content, 0 chrome, -1 blank), a content score per line (0 for blank lines).
OUTPUT_COLUMNS = ("content", "labels", "scores")
_CACHE: dict[tuple, Predictor] = {}


def cached_predictor(model: str | os.PathLike | None = None, threshold: float | None = None) -> Predictor:
    """The predictor for ``model`` (None: the default model) and ``threshold``, loaded once per process."""
    key = (os.fspath(model) if model is not None else None, threshold, os.getpid())
    if key not in _CACHE:
        from .predictor import Predictor

        _CACHE[key] = Predictor.load(model, threshold=threshold)
    return _CACHE[key]


def label_texts(texts: list[str | None], model: str | os.PathLike | None = None, threshold: float | None = None,
                threads: int = 1, repeated: RepeatedLines | None = None, sites: Sequence[str | None] | None = None,
                ) -> tuple[list[str | None], list[list[int] | None], list[list[float] | None]]:
    """(content, label codes, scores) for each text; a missing text (None) gives None in all three.
    With ``repeated``, each text's content lines that it holds for the text's site (``sites``, one
    per text; None: no site) become chrome."""
    from threadpoolctl import threadpool_limits

    predictor = cached_predictor(model, threshold)
    present = [i for i, t in enumerate(texts) if t is not None]
    with threadpool_limits(limits=threads):
        results = predictor.predict_pages([split_lines(texts[i]) for i in present])  # type: ignore[arg-type]
    content: list[Any] = [None] * len(texts)
    labels: list[Any] = [None] * len(texts)
    scores: list[Any] = [None] * len(texts)
    for i, result in zip(present, results):
        if repeated is not None and sites is not None:
            result = repeated.revise(result, sites[i])
        content[i] = result.content_text()
        labels[i] = [LABEL_CODES[label] for label in result.labels]
        scores[i] = result.scores
    return content, labels, scores


def predict_table(table, text_column: str = "text", model: str | os.PathLike | None = None,
                  threshold: float | None = None, threads: int = 1, repeated: RepeatedLines | None = None,
                  site_column: str = "url"):
    """``table`` with ``content`` (string), ``labels`` (list<int8>) and ``scores`` (list<double>)
    added, one row per page of ``text_column``; columns of those names already there are replaced.
    With ``repeated``, a row's site is the host of its ``site_column`` (a URL or a site name)."""
    pa = require("pyarrow")
    for name in [text_column] + ([site_column] if repeated is not None else []):
        if name not in table.column_names:
            from .errors import LinesiftError

            what = "text" if name == text_column else "site"
            raise LinesiftError(f"no {what} column {name!r} (columns: {', '.join(table.column_names)})")
    sites = [site_of(v) for v in table.column(site_column).to_pylist()] if repeated is not None else None
    content, labels, scores = label_texts(table.column(text_column).to_pylist(), model, threshold, threads,
                                          repeated, sites)
    columns = {
        "content": pa.array(content, type=pa.string()),
        "labels": pa.array(labels, type=pa.list_(pa.int8())),
        "scores": pa.array(scores, type=pa.list_(pa.float64())),
    }
    for name, values in columns.items():
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, values)
        else:
            table = table.append_column(name, values)
    return table
