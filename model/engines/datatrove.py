"""linesift as a datatrove pipeline step (``pip install 'linesift[datatrove]'``).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from linesift.model.engines.datatrove import LinesiftFilter

    LocalPipelineExecutor(pipeline=[WarcReader("crawl/", glob_pattern="*.wet.gz"), LinesiftFilter(),
                                    JsonlWriter("cleaned/")], tasks=4, workers=2).run()

Each document's text becomes its content lines; the per-line labels and scores go into its
metadata; a document with no content line is dropped with the reason ``linesift_no_content``.
"""

from __future__ import annotations

import os

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter

from ..arrow import label_texts

#: Documents labelled per model call: enough lines to amortise a call.
BATCH_DOCUMENTS = 256


class LinesiftFilter(BaseFilter):
    """Keep each document's content lines; drop documents that have none."""

    name = "🧹 linesift"

    def __init__(self, model: str | os.PathLike | None = None, threshold: float | None = None,
                 keep_lines: bool = True, exclusion_writer=None, batch_size: int = BATCH_DOCUMENTS):
        super().__init__(exclusion_writer, batch_size=batch_size)
        self.model = os.fspath(model) if model is not None else None
        self.threshold = threshold
        self.keep_lines = keep_lines

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        """One prediction call for the batch, with one thread (datatrove runs a process per task)."""
        content, labels, scores = label_texts([doc.text for doc in batch], self.model, self.threshold, threads=1)
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
