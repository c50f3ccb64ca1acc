"""linesift as datatrove pipeline steps (``pip install 'linesift[datatrove]'``).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from linesift.model.engines.datatrove import LinesiftFilter

    LocalPipelineExecutor(pipeline=[WarcReader("crawl/", glob_pattern="*.wet.gz"), LinesiftFilter(),
                                    JsonlWriter("cleaned/")], tasks=4, workers=2).run()

Each document's text becomes its content lines; the per-line labels and scores go into its
metadata; a document with no content line is dropped with the reason ``linesift_no_content``.

A site's repeated lines (``linesift predict --site-repeats``) need every page counted before any
is labelled, so that run is three pipelines over the same input, one after the other: count in
every task (``LinesiftRepeatCounter``, no model), merge in one (``LinesiftRepeatMerge``), then
``LinesiftFilter(site_repeats=...)`` reads the merged table.
"""

from __future__ import annotations

import os

import numpy as np
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter

from ..arrow import label_texts
from ..errors import LinesiftError
from ..site_repeats import DEFAULT_MIN_PAGES, RepeatCounter, RepeatedLines, Shard, merge_shards, page_id_of, site_of
from ..text import split_lines

#: Documents labelled per model call: enough lines to amortise a call.
BATCH_DOCUMENTS = 256
#: Each counting task's file, under the counter's folder (task rank, 5 digits).
SHARD_FILE = "{rank:05d}.linesift-shard.npy"
#: The merged table of repeated lines, under the merge step's folder.
REPEATED_FILE = "repeated.linesift.npy"


def _site(doc: Document, site_field: str) -> str | None:
    return site_of(doc.metadata.get(site_field))


def _page_id(doc: Document) -> str:
    """A document's page: its URL without fragment (WARC records carry it), else its id."""
    return page_id_of(doc.metadata.get("url"), str(doc.id))


def _load_array(folder, name: str) -> np.ndarray:
    """A saved array from ``folder``; LinesiftError naming the file when it is missing or not an array."""
    path = folder.resolve_paths(name)
    if not folder.exists(name):
        raise LinesiftError("no such file (run the step that writes it first)", source=path)
    try:
        with folder.open(name, "rb") as f:
            return np.load(f, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise LinesiftError(f"not a saved array ({exc})", source=path) from None


def _save_array(folder, name: str, array: np.ndarray) -> None:
    """Write ``array`` under ``name`` in ``folder`` whole or not at all (a temporary file, then a move),
    so that a failed task leaves an earlier file as it was."""
    part = f"{name}.part-{os.getpid()}"
    with folder.open(part, "wb") as f:
        np.save(f, array, allow_pickle=False)
    folder.mv(part, name)


class LinesiftRepeatCounter(PipelineStep):
    """First pass for a site's repeated lines: each task saves which lines each of its pages holds
    (8 bytes per distinct line of a page; no model is loaded). Documents pass through unchanged."""

    name = "🧹 linesift: count lines"
    type = "🔢 - STATS"

    def __init__(self, output_folder: DataFolderLike, site_field: str = "url"):
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.site_field = site_field

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        counter = RepeatCounter()
        for doc in data or ():
            with self.track_time():
                site = _site(doc, self.site_field)
                counter.add(site, _page_id(doc), split_lines(doc.text))
            self.stat_update("counted" if site is not None else "no_site")
            yield doc
        _save_array(self.output_folder, SHARD_FILE.format(rank=rank), counter.shard().to_array())


class LinesiftRepeatMerge(PipelineStep):
    """Second pass, in one task: every counting task's file merged into the table of lines that at
    least ``min_pages`` other pages of their site hold (a URL in two tasks' input counts once)."""

    name = "🧹 linesift: merge counts"
    type = "🔢 - STATS"

    def __init__(self, input_folder: DataFolderLike, output_folder: DataFolderLike,
                 min_pages: int = DEFAULT_MIN_PAGES):
        super().__init__()
        if min_pages < 1:
            raise ValueError(f"min_pages must be at least 1, got {min_pages}")
        self.input_folder = get_datafolder(input_folder)
        self.output_folder = get_datafolder(output_folder)
        self.min_pages = min_pages

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if world_size != 1:
            raise ValueError(f"run {type(self).__name__} with tasks=1 (got {world_size}): it merges every task's counts")
        names = self.input_folder.list_files(glob_pattern="*.linesift-shard.npy")
        if not names:
            raise LinesiftError("no counts here (run LinesiftRepeatCounter into this folder first)",
                                source=self.input_folder.path)
        shards = []
        for name in names:
            try:
                shards.append(Shard.from_array(_load_array(self.input_folder, name)))
            except ValueError as exc:
                raise LinesiftError(str(exc), source=self.input_folder.resolve_paths(name)) from None
        with self.track_time("merge"):
            repeated = merge_shards(shards, self.min_pages)
        self.stat_update("pages", value=sum(len(s.pages) for s in shards))
        self.stat_update("repeated_lines", value=len(repeated.keys))
        _save_array(self.output_folder, REPEATED_FILE, repeated.to_array())
        if data:
            yield from data


class LinesiftFilter(BaseFilter):
    """Keep each document's content lines; drop documents that have none. With ``site_repeats`` (the
    merge step's folder), content lines that the merged table holds for the page's site become chrome."""

    name = "🧹 linesift"

    def __init__(self, model: str | os.PathLike | None = None, threshold: float | None = None,
                 keep_lines: bool = True, exclusion_writer=None, batch_size: int = BATCH_DOCUMENTS,
                 site_repeats: DataFolderLike | None = None, site_field: str = "url"):
        super().__init__(exclusion_writer, batch_size=batch_size)
        self.model = os.fspath(model) if model is not None else None
        self.threshold = threshold
        self.keep_lines = keep_lines
        self.site_repeats = get_datafolder(site_repeats) if site_repeats is not None else None
        self.site_field = site_field
        self._repeated: RepeatedLines | None = None

    def repeated(self) -> RepeatedLines | None:
        """The merged table, read once per process; None without ``site_repeats``."""
        if self.site_repeats is not None and self._repeated is None:
            try:
                self._repeated = RepeatedLines.from_array(_load_array(self.site_repeats, REPEATED_FILE))
            except ValueError as exc:
                raise LinesiftError(str(exc), source=self.site_repeats.resolve_paths(REPEATED_FILE)) from None
        return self._repeated

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        """One prediction call for the batch, with one thread (datatrove runs a process per task)."""
        repeated = self.repeated()
        sites = [_site(doc, self.site_field) for doc in batch] if repeated is not None else None
        content, labels, scores = label_texts([doc.text for doc in batch], self.model, self.threshold, threads=1,
                                              repeated=repeated, sites=sites)
        results: list[bool | tuple[bool, str]] = []
        for doc, text, codes, line_scores in zip(batch, content, labels, scores):
            if self.keep_lines:
                doc.metadata["linesift_labels"] = codes
                doc.metadata["linesift_scores"] = line_scores
            if not text:
                results.append((False, "linesift_no_content"))
                continue
            doc.text = text
            results.append(True)
        return results
