"""``linesift predict`` as a library: read every input, label its pages in chunks (in worker
processes when asked), write the results in input order.

Policy for bad input: by default the first bad file or record stops the run (exit 1, outputs
untouched). With ``skip_bad`` each bad one is reported, skipped and counted, and the rest is
processed. Output is never written for a record that was not processed.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .. import text as lines_rule
from ..errors import DataError, LinesiftError
from ..result import PageResult
from ..site_repeats import RepeatCounter, RepeatedLines, Shard, page_id_of, page_key, site_of
from ..text import decode_page, split_lines
from .sinks import (
    PARQUET_OUT,
    TEXT_OUT,
    OutputSpec,
    Sink,
    open_sink,
    out_dir_path,
    render,
    tsv_page,  # noqa: F401 (re-exported for the review tools)
)
from .sources import RECORD_KINDS, Page, ReadOptions, input_kind, kind_by_name, read_pages
from .streams import STDIN, file_compression, open_raw
from .workers import WorkerPool

if TYPE_CHECKING:  # the predictor imports scikit-learn: loaded only where a model is
    from ..predictor import Predictor

#: Lines gathered before one prediction call; bounds memory per worker (lines).
CHUNK_LINES = 32_768
#: Pages gathered before one prediction call, whatever their size.
CHUNK_RECORDS = 4_096
#: Chunks in flight per worker: enough to keep workers busy while the main process writes.
CHUNKS_AHEAD_PER_JOB = 2
#: What a folder's text pages are called (for the review tools; predict reads every kind).
TEXT_SUFFIXES = (".txt", ".text", ".md")
GZIP_JSONL_SUFFIX = ".jsonl.gz"


@dataclass
class RunStats:
    """What a predict run did; ``problems`` holds one line per skipped input."""

    pages: int = 0
    lines: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    long_pages: list[tuple[str, int]] = field(default_factory=list)  # (name, lines) of pages labelled in parts


@dataclass(frozen=True)
class ModelSpec:
    """How a worker loads the model: path (None: the default model), threshold, favor."""

    path: str | None = None
    threshold: float | None = None
    favor: str | None = None

    def load(self) -> Predictor:
        from ..predictor import Predictor

        return Predictor.load(self.path, threshold=self.threshold, favor=self.favor)


@dataclass(frozen=True)
class SiteRepeats:
    """The site-repeats revise step of a run: a page's site is read from ``site_field`` of its
    record; content lines that ``min_pages`` other pages of the site hold become chrome."""

    min_pages: int
    site_field: str = "url"

    def site(self, page: Page) -> str | None:
        return site_of(page.record.get(self.site_field))

    def page_id(self, page: Page) -> str:
        return page_id_of(page.record.get("url"), page.name)


def is_jsonl(path: str) -> bool:
    """A JSONL input by its name: ``.jsonl``, ``.jsonl.gz`` or ``.jsonl.zst``, any case."""
    return kind_by_name(path) == "jsonl"


def read_page(source: str, encoding: str | None = None) -> str:
    """A text page from a file, decoded (as ``encoding`` when given); NotTextError for binary input."""
    stream = open_raw(source)
    try:
        data = stream.read()
    except OSError as exc:
        raise LinesiftError(f"cannot read ({exc.strerror})", source=source) from None
    finally:
        stream.close()
    return decode_page(data, source, encoding)


# ---- work done per chunk (in this process or a worker) -------------------------------------

#: One item of a chunk: the page, whether text output names it in a header, whether it opens its output.
Item = tuple[Page, bool, bool]
_WORKER: dict = {}


#: What a run revises with: the step and the lines it found repeated (None: no revise step).
Revision = tuple[SiteRepeats, RepeatedLines] | None


def label_chunk(predictor: Predictor, spec: OutputSpec, items: list[Item], revision: Revision = None) -> tuple[list, int]:
    """(each page rendered, lines labelled): the pages of a chunk share prediction calls."""
    pages = [split_lines(page.text) for page, _, _ in items]
    results: list[PageResult] = predictor.predict_pages(pages)
    if revision is not None:
        step, repeated = revision
        results = [repeated.revise(result, step.site(page)) for (page, _, _), result in zip(items, results)]
    rendered = [render(spec, page, result, header, first) for (page, header, first), result in zip(items, results)]
    return rendered, sum(len(p) for p in pages)


def _init_worker(model: ModelSpec, spec: OutputSpec, revision: Revision = None) -> None:
    """Set up a worker: one thread, Ctrl-C left to the main process, the model loaded once (or
    inherited from the main process when forked)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    os.environ["OMP_NUM_THREADS"] = "1"
    from threadpoolctl import threadpool_limits

    _WORKER["limits"] = threadpool_limits(limits=1)
    if _WORKER.get("predictor") is None or _WORKER.get("model") != model:
        import gc

        _WORKER["predictor"] = model.load()
        gc.freeze()  # as the CLI does after its own load: the model and imports are never garbage
    _WORKER["spec"] = spec
    _WORKER["revision"] = revision


def _worker_chunk(items: list[Item]) -> tuple[list, int]:
    return label_chunk(_WORKER["predictor"], _WORKER["spec"], items, _WORKER["revision"])


def _mp_context():
    """fork on Linux (workers start at once and share the loaded model's memory; they run with
    one OpenMP thread, so a pool the main process may have started is never needed), else spawn."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _start_pool(jobs: int, model: ModelSpec, spec: OutputSpec, predictor: Predictor | None,
                revision: Revision = None) -> WorkerPool:
    """A pool whose workers are all started now, with Ctrl-C blocked while they start (the main
    process handles it and stops them)."""
    import signal

    _WORKER.update(predictor=predictor, model=model)  # what forked workers inherit
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return WorkerPool(_mp_context(), jobs, _worker_chunk, _init_worker, (model, spec, revision)).start()
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        _WORKER.clear()


# ---- the run ----------------------------------------------------------------------------------

class Outputs:
    """Routes rendered pages to one sink, or to one sink per input (``--out-dir``), in order."""

    def __init__(self, single: Sink | None = None, per_input: Callable[[int], Sink] | None = None):
        self.single = single
        self.per_input = per_input
        self.current: tuple[int, Sink] | None = None
        self.done: set[int] = set()

    def write(self, index: int, item) -> None:
        self.sink(index).write(item)

    def sink(self, index: int) -> Sink:
        if self.single is not None:
            return self.single
        if self.current is None or self.current[0] != index:
            self.close_current()
            assert self.per_input is not None
            self.current = (index, self.per_input(index))
        return self.current[1]

    def close_current(self) -> None:
        if self.current is not None:
            self.current[1].commit()
            self.done.add(self.current[0])
            self.current = None

    def finish(self, readable: Iterable[int]) -> None:
        """Commit everything; inputs that were read but held no page get an empty output."""
        if self.single is not None:
            self.single.commit()
            return
        self.close_current()
        for index in readable:
            if index not in self.done:
                self.sink(index)
                self.close_current()

    def abort(self) -> None:
        if self.single is not None:
            self.single.abort()
        elif self.current is not None:
            self.current[1].abort()
            self.current = None


def plan_outputs(sources: list[str], roots: list[str], kinds: list[str], spec: OutputSpec,
                 out: str | None, out_dir: str | None) -> tuple[Outputs, Callable[[int], bool]]:
    """(the outputs, whether a page of input i gets a ``==> NAME <==`` header in text output)."""
    if out_dir is None:
        many = len(sources) > 1 or any(k in RECORD_KINDS for k in kinds)
        return Outputs(single=open_sink(out, spec.format)), lambda i: many and spec.format == TEXT_OUT
    targets = [out_dir_path(out_dir, s, r, spec.format, file_compression(s)) for s, r in zip(sources, roots)]
    inputs = {os.path.realpath(s) for s in sources if s != STDIN}
    seen: set[str] = set()
    for source, target in zip(sources, targets):
        if source == STDIN:
            raise LinesiftError("--out-dir needs files: stdin has no name to write under")
        real = os.path.realpath(target)
        if real in inputs:
            raise LinesiftError("output would overwrite an input file", source=target)
        if real in seen:
            raise LinesiftError(f"two inputs would write the same output (one of them: {source})", source=target)
        seen.add(real)

    def open_for(index: int) -> Sink:
        Path(targets[index]).parent.mkdir(parents=True, exist_ok=True)
        return open_sink(targets[index], spec.format)

    return Outputs(per_input=open_for), lambda i: spec.format == TEXT_OUT and kinds[i] in RECORD_KINDS


def predict_inputs(sources: list[str], roots: list[str], model: ModelSpec, spec: OutputSpec,
                   options: ReadOptions, out: str | None = None, out_dir: str | None = None, jobs: int = 1,
                   skip_bad: bool = False, predictor: Predictor | None = None,
                   on_progress: Callable[[RunStats], None] | None = None, kinds: list[str] | None = None,
                   site_repeats: SiteRepeats | None = None, repeated: RepeatedLines | None = None) -> RunStats:
    """Label every page of ``sources`` and write them as ``spec`` says; returns what was done.

    ``jobs`` > 1 runs prediction in that many worker processes (each loading ``model`` once, one
    thread each) once the input is larger than one chunk; the output is the same byte for byte.
    With ``site_repeats`` the input is read twice: first to count each site's lines, then to label;
    with ``repeated`` as well (a table counted before, over this run's pages or more), only once."""
    stats = RunStats()
    unreadable: set[int] = set()
    if spec.format == PARQUET_OUT and out is None and out_dir is None:
        raise LinesiftError("Parquet output needs a file: give --out NAME.parquet or --out-dir")
    if site_repeats is not None and repeated is None and STDIN in sources:
        raise LinesiftError("--site-repeats reads its input twice: give files, not stdin")
    kinds = kinds if kinds is not None else [input_kind(s) for s in sources]  # after the refusals: stdin untouched
    outputs, header_for = plan_outputs(sources, roots, kinds, spec, out, out_dir)

    def on_bad(exc: DataError) -> None:
        if not skip_bad:
            raise exc
        stats.skipped += 1
        stats.problems.append(str(exc))

    def on_unreadable(index: int, exc: LinesiftError) -> None:
        if not skip_bad:
            raise exc
        unreadable.add(index)
        stats.skipped += 1
        stats.problems.append(str(exc))

    try:
        revision = None if site_repeats is None else (
            site_repeats, repeated if repeated is not None else count_repeats(sources, kinds, options, site_repeats,
                                                                              skip_bad, jobs))
        pages = read_pages(sources, kinds, options, on_bad, on_unreadable)
        def on_long(page: Page, n: int) -> None:
            stats.long_pages.append((page.name, n))

        for rendered, indices, n_lines in _label_chunks(_chunks(pages, header_for, out_dir is not None, on_long),
                                                        model, spec, jobs, predictor, revision):
            for index, item in zip(indices, rendered):
                outputs.write(index, item)
            stats.pages += len(rendered)
            stats.lines += n_lines
            if on_progress is not None:
                on_progress(stats)
        # Under --out-dir an input read to its end gets an output even when it held no page.
        outputs.finish(i for i in range(len(sources)) if i not in unreadable)
    except BaseException:
        outputs.abort()
        raise
    return stats


#: One page to count: its site, its id, its text.
CountItem = tuple[str, str, str]


def count_chunk(items: list[CountItem]) -> Shard:
    """The counted lines of a chunk of distinct pages: the counting done in a worker."""
    counter = RepeatCounter()
    for site, page_id, text in items:
        counter.add(site, page_id, split_lines(text))
    return counter.shard()


def _init_counter() -> None:
    """Set up a counting worker: Ctrl-C is left to the main process."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _count_chunks(pages: Iterator[Page], step: SiteRepeats) -> Iterator[list[CountItem]]:
    """The pages that have a site, each once (a URL seen before is skipped), grouped to about
    CHUNK_LINES lines or CHUNK_RECORDS pages."""
    chunk: list[CountItem] = []
    size = 0
    seen: set[int] = set()
    for page in pages:
        site = step.site(page)
        if site is None:
            continue
        page_id = step.page_id(page)
        key = page_key(site, page_id)
        if key in seen:
            continue
        seen.add(key)
        chunk.append((site, page_id, page.text))
        size += page.text.count("\n") + 1
        if size >= CHUNK_LINES or len(chunk) >= CHUNK_RECORDS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def count_shard(sources: list[str], kinds: list[str], options: ReadOptions, step: SiteRepeats,
                skip_bad: bool = False, jobs: int = 1,
                on_skipped: Callable[[LinesiftError], None] | None = None) -> Shard:
    """Every page's lines counted per site (each URL once), in ``jobs`` worker processes once the
    input is larger than one chunk; ``step.min_pages`` is not used. A bad input stops it unless
    ``skip_bad`` (then ``on_skipped`` hears of it, if given)."""
    shards: list[Shard] = []

    def on_bad(exc: LinesiftError, *_) -> None:
        if not skip_bad:
            raise exc
        if on_skipped is not None:
            on_skipped(exc)

    chunks = _count_chunks(read_pages(sources, kinds, options, on_bad, lambda index, exc: on_bad(exc)), step)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None and jobs > 1 else None
    if second is None:  # one job, or one chunk: no workers to start
        for chunk in _prepend(first, chunks) if first is not None else ():
            shards.append(count_chunk(chunk))
        return Shard.join(shards)
    with WorkerPool(_mp_context(), jobs, count_chunk, _init_counter).start() as pool:
        for chunk in _prepend(first, _prepend(second, chunks)):
            pool.submit(chunk)
            if pool.in_flight() >= jobs * CHUNKS_AHEAD_PER_JOB:
                shards.append(pool.result())
        while pool.in_flight():
            shards.append(pool.result())
    return Shard.join(shards)


def count_repeats(sources: list[str], kinds: list[str], options: ReadOptions, step: SiteRepeats,
                  skip_bad: bool = False, jobs: int = 1) -> RepeatedLines:
    """The first pass of a run with the site-repeats step: the lines that ``step.min_pages`` other
    pages of their site hold (see ``count_shard``)."""
    return count_shard(sources, kinds, options, step, skip_bad, jobs).repeated(step.min_pages)  # its pages are distinct


def _chunks(pages: Iterator[Page], header_for: Callable[[int], bool], per_input: bool,
            on_long: Callable[[Page, int], None] | None = None) -> Iterator[list[Item]]:
    """Pages grouped to about CHUNK_LINES lines or CHUNK_RECORDS pages, each with its header flags;
    ``on_long`` hears of each page longer than ``text.PAGE_MAX_LINES`` (labelled in parts)."""
    chunk: list[Item] = []
    size = 0
    last_input = -1
    try:
        for page in pages:
            if on_long is not None and len(page.text) > lines_rule.PAGE_MAX_LINES:  # each line holds a character
                n = len(split_lines(page.text))
                if n > lines_rule.PAGE_MAX_LINES:
                    on_long(page, n)
            first = page.input_index != last_input if per_input else last_input == -1
            last_input = page.input_index
            chunk.append((page, header_for(page.input_index), first))
            size += page.text.count("\n") + 1
            if size >= CHUNK_LINES or len(chunk) >= CHUNK_RECORDS:
                yield chunk
                chunk, size = [], 0
    except LinesiftError:
        # The pages read before a bad one are labelled and written (to stdout they stay written).
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def _label_chunks(chunks: Iterator[list[Item]], model: ModelSpec, spec: OutputSpec, jobs: int,
                  predictor: Predictor | None, revision: Revision = None) -> Iterator[tuple[list, list[int], int]]:
    """(rendered pages, their input indices, lines) per chunk, in input order."""
    first = next(chunks, None)
    if first is None:
        return
    try:
        second = next(chunks, None) if jobs > 1 else None
    except LinesiftError as exc:  # the input went bad within its first chunk
        second, failure = None, exc
    else:
        failure = None
    if second is None:  # one job, or all of the input in one chunk: no workers to start
        predictor = predictor or model.load()
        for chunk in _prepend(first, chunks if failure is None else iter(())):
            rendered, n = label_chunk(predictor, spec, chunk, revision)
            yield rendered, [p.input_index for p, _, _ in chunk], n
        if failure is not None:
            raise failure
        return
    with _start_pool(jobs, model, spec, predictor, revision) as pool:
        indices: deque[list[int]] = deque()
        try:
            for chunk in _prepend(first, _prepend(second, chunks)):
                pool.submit(chunk)
                indices.append([p.input_index for p, _, _ in chunk])
                if pool.in_flight() >= jobs * CHUNKS_AHEAD_PER_JOB:
                    rendered, n = pool.result()
                    yield rendered, indices.popleft(), n
        except LinesiftError:
            # As with one job: what was read before a bad input is still written, in order.
            while pool.in_flight():
                rendered, n = pool.result()
                yield rendered, indices.popleft(), n
            raise
        while pool.in_flight():
            rendered, n = pool.result()
            yield rendered, indices.popleft(), n


def _prepend(item, rest: Iterator) -> Iterator:
    yield item
    yield from rest


def ensure_parent(path: str) -> None:
    """Refuse an output whose folder is missing or that is a folder, before any work is done."""
    parent = Path(path).parent  # "." for a bare name, never empty
    if not parent.is_dir():
        raise LinesiftError("output directory does not exist", source=str(path))
    if os.path.isdir(path):
        raise LinesiftError("output path is a directory", source=str(path))


def stdout_writer() -> Callable[[bytes], object]:
    return sys.stdout.buffer.write
