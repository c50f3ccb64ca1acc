"""linesift over a Ray Data dataset (``pip install 'linesift[ray]'``).

    import ray
    from linesift.model.engines.ray import predict_dataset

    ds = predict_dataset(ray.data.read_parquet("s3://bucket/crawl/"), text_field="text")
    ds.write_parquet("s3://bucket/cleaned/")

Batches go through ``predict_table`` in tasks of a fraction of a CPU each (whole CPUs per task
stalled a 2-CPU machine), one thread per task; each worker process loads the model once.

A site's repeated lines (``linesift predict --site-repeats``): ``count_site_repeats(ds)`` counts
every page first (no model; each batch's counts come back to the driver, 8 bytes per distinct line
of a page), and ``predict_dataset(ds, repeated=...)`` revises with the table it returns.
"""

from __future__ import annotations

import os
import uuid

#: CPUs Ray reserves per task: fractional, so that tasks never wait on each other for a whole CPU.
NUM_CPUS_PER_TASK = 0.5
#: Rows per batch handed to the model (pages).
BATCH_ROWS = 512


def predict_dataset(ds, text_field: str = "text", model: str | os.PathLike | None = None,
                    threshold: float | None = None, batch_size: int = BATCH_ROWS, num_cpus: float = NUM_CPUS_PER_TASK,
                    repeated=None, site_field: str = "url"):
    """``ds`` with ``content``, ``labels`` and ``scores`` columns added (see ``predict_table``); with
    ``repeated`` (from ``count_site_repeats``), a row's site is read from ``site_field``."""
    from ..arrow import predict_table

    model_path = os.fspath(model) if model is not None else None

    def label(batch):
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        return predict_table(batch, text_column=text_field, model=model_path, threshold=threshold, threads=1,
                             repeated=repeated, site_column=site_field)

    return ds.map_batches(label, batch_format="pyarrow", batch_size=batch_size, num_cpus=num_cpus)


def count_site_repeats(ds, text_field: str = "text", site_field: str = "url", id_field: str | None = None,
                       min_pages: int | None = None, batch_size: int = BATCH_ROWS, num_cpus: float = NUM_CPUS_PER_TASK):
    """The lines that at least ``min_pages`` (default 2) other pages of their site hold, over all of
    ``ds`` (a ``site_repeats.RepeatedLines``). A page is its ``url`` without fragment, else its
    ``id_field``, else its row; a page twice in the dataset counts once."""
    import numpy as np

    from ..errors import LinesiftError
    from ..io.extras import require
    from ..site_repeats import DEFAULT_MIN_PAGES, RepeatCounter, Shard, merge_shards, page_id_of, site_of
    from ..text import split_lines

    pa = require("pyarrow")
    min_pages = DEFAULT_MIN_PAGES if min_pages is None else min_pages
    if min_pages < 1:
        raise ValueError(f"min_pages must be at least 1, got {min_pages}")

    def column(batch, name):
        return batch.column(name).to_pylist() if name in batch.column_names else [None] * batch.num_rows

    def count(batch):
        for name in (text_field, site_field):
            if name not in batch.column_names:
                raise LinesiftError(f"no column {name!r} (columns: {', '.join(batch.column_names)})")
        counter = RepeatCounter()
        row = uuid.uuid4().hex  # rows without a URL or id: each a page of its own
        urls, ids = column(batch, "url"), column(batch, id_field) if id_field else [None] * batch.num_rows
        for i, (text, site, url, page) in enumerate(zip(column(batch, text_field), column(batch, site_field), urls, ids)):
            if isinstance(text, str):
                page_id = page_id_of(url, str(page) if page is not None else f"{row}:{i}")
                counter.add(site_of(site), page_id, split_lines(text))
        return pa.table({"shard": pa.array([counter.shard().to_array().tobytes()], type=pa.large_binary())})

    counted = ds.map_batches(count, batch_format="pyarrow", batch_size=batch_size, num_cpus=num_cpus)
    shards = [Shard.from_array(np.frombuffer(blob, dtype=np.uint64))
              for batch in counted.iter_batches(batch_format="pyarrow")
              for blob in batch.column("shard").to_pylist()]
    return merge_shards(shards, min_pages)
