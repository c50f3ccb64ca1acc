"""linesift over a Ray Data dataset (``pip install 'linesift[ray]'``).

    import ray
    from linesift.model.engines.ray import predict_dataset

    ds = predict_dataset(ray.data.read_parquet("s3://bucket/crawl/"), text_field="text")
    ds.write_parquet("s3://bucket/cleaned/")

Batches go through ``predict_table`` in tasks of a fraction of a CPU each (whole CPUs per task
stalled a 2-CPU machine), one thread per task; each worker process loads the model once.
"""

from __future__ import annotations

import os

#: CPUs Ray reserves per task: fractional, so that tasks never wait on each other for a whole CPU.
NUM_CPUS_PER_TASK = 0.5
#: Rows per batch handed to the model (pages).
BATCH_ROWS = 512


def predict_dataset(ds, text_field: str = "text", model: str | os.PathLike | None = None,
                    threshold: float | None = None, batch_size: int = BATCH_ROWS, num_cpus: float = NUM_CPUS_PER_TASK):
    """``ds`` with ``content``, ``labels`` and ``scores`` columns added (see ``predict_table``)."""
    from ..arrow import predict_table

    model_path = os.fspath(model) if model is not None else None

    def label(batch):
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        return predict_table(batch, text_column=text_field, model=model_path, threshold=threshold, threads=1)

    return ds.map_batches(label, batch_format="pyarrow", batch_size=batch_size, num_cpus=num_cpus)
