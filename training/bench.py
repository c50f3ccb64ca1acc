"""Throughput and peak memory of ``linesift predict --format jsonl``, beside jusText on the same lines.

Run ``linesift dev bench`` (or ``make bench``). Two streams: ``--lines`` lines built from our own
sample pages, and crawl pages (``--crawl-lines``): real 2019-2026 pages converted by resiliparse,
one block per line, from the built corpora (``make data``) when they are there, else our samples
with each paragraph's lines joined into one long line. Each tool runs in a child process; the
table gives lines per CPU-second (user + system time of the child, start-up and model loading
included) and the child's peak resident memory (with ``--jobs 1``: the memory of one worker).
jusText gets each line as a ``<p>`` of one HTML page per record. Then the wall time of
``--jobs`` = all cores on the crawl stream, and start-up: ``linesift --help`` and one page.

``--against REV`` compares this checkout with a git revision instead: the two run ``predict`` on
the same streams in turn, ``--pairs`` times, each with its own code and bundled model (or both
with ``--model``); the figure is the median over pairs of the CPU-time ratio, since the machine's
speed drifts between runs far more than within a pair.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Callable

from linesift.model.errors import LinesiftError
from linesift.model.text import is_blank

from .repo import ArgumentParser, UsageError, repo_root

#: Default size of the benchmark stream (lines).
DEFAULT_LINES = 3_000_000
#: jusText is much slower; by default it runs on this many lines of the same stream (lines).
DEFAULT_JUSTEXT_LINES = 200_000
#: Crawl pages in the crawl stream (lines).
DEFAULT_CRAWL_LINES = 1_000_000
#: Built corpora whose resiliparse pages make the crawl stream (datasets/built, from ``make data``).
CRAWL_CORPORA = ("wcxb", "fundus", "trafilatura-eval", "googletrends-2017")
#: The converter whose pages look like crawl text (one block per line).
CRAWL_CONVERTER = "resiliparse"
#: Runs of each measurement: the table gives their median and spread (runs on a shared machine
#: differ by up to tens of percent).
DEFAULT_REPEATS = 3
#: Pairs of runs of ``--against`` (this checkout, then the revision, on each stream).
DEFAULT_PAIRS = 5
#: Line keys in all of the synthetic shards that ``--site-repeats`` times ``linesift repeats
#: merge`` on (8 bytes each on disk and in memory).
DEFAULT_MERGE_KEYS = 10_000_000
#: A synthetic page's distinct lines, how many of them its site repeats, and the sites.
MERGE_PAGE_LINES, MERGE_SITE_LINES, MERGE_SITES = 50, 10, 100


@dataclass
class Measure:
    name: str
    lines: int
    cpu_seconds: float
    wall_seconds: float
    peak_mb: float

    @property
    def lines_per_cpu_second(self) -> float:
        return self.lines / self.cpu_seconds if self.cpu_seconds else float("inf")


@dataclass
class Summary:
    """Repeated runs of one measurement: medians, and the range of the rate."""

    name: str
    lines: int
    runs: list[Measure]

    def _median(self, values: list[float]) -> float:
        ordered = sorted(values)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

    @property
    def rate(self) -> float:
        """Median lines per CPU-second."""
        return self._median([m.lines_per_cpu_second for m in self.runs])

    @property
    def spread(self) -> tuple[float, float]:
        """Lowest and highest lines per CPU-second of the runs."""
        rates = [m.lines_per_cpu_second for m in self.runs]
        return min(rates), max(rates)

    @property
    def cpu_seconds(self) -> float:
        return self._median([m.cpu_seconds for m in self.runs])

    @property
    def wall_seconds(self) -> float:
        return self._median([m.wall_seconds for m in self.runs])

    @property
    def peak_mb(self) -> float:
        return max(m.peak_mb for m in self.runs)


def summarise(name: str, lines: int, run: Callable[[], Measure], repeats: int) -> Summary:
    """``run`` ``repeats`` times."""
    return Summary(name, lines, [run() for _ in range(repeats)])


def sample_texts() -> list[str]:
    """Our own labelled sample pages as plain text (the project ships them; nothing from ../shared)."""
    from .data import read_labelled

    root = repo_root() / "datasets"
    return ["\n".join(p.lines) for p in read_labelled([root / "samples", root / "example"])]


def write_stream(path: Path, n_lines: int, urls: bool = False) -> int:
    """A JSONL file of about ``n_lines`` lines of our sample pages; returns the exact count."""
    return write_pages(path, sample_texts(), n_lines, urls)


def crawl_texts() -> tuple[list[str], str]:
    """(crawl pages, where they come from): the built modern corpora's resiliparse pages when
    present, else our sample pages with each run of non-blank lines joined into one long line."""
    built = repo_root() / "datasets" / "built"
    texts: list[str] = []
    for corpus in CRAWL_CORPORA:
        path = built / f"{corpus}.jsonl"
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as handle:
            for raw in handle:
                record = json.loads(raw)
                if record.get("converter") == CRAWL_CONVERTER:
                    texts.append(record["text"])
    if texts:
        return texts, f"{len(texts):,} real pages of {', '.join(CRAWL_CORPORA)} (datasets/built, {CRAWL_CONVERTER})"
    joined = []
    for text in sample_texts():
        blocks = "\n".join(" ".join(l.strip() for l in block.splitlines()) for block in text.split("\n\n"))
        joined.append(blocks)
    return joined, "our sample pages with paragraphs joined into long lines (no datasets/built here)"


def write_pages(path: Path, texts: list[str], n_lines: int, urls: bool = False) -> int:
    """A JSONL file of ``texts`` repeated to about ``n_lines`` lines; returns the exact count.
    With ``urls`` each record gets a URL of a site of its own (for --site-repeats: all of the
    step's work, none of its changes, so the output stays the same)."""
    counts = [len(t.splitlines()) for t in texts]
    total = 0
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while total < n_lines:
            k = i % len(texts)
            record = {"id": i, "url": f"https://page{i}.example/"} if urls else {"id": i}
            out.write(json.dumps({**record, "text": texts[k]}, ensure_ascii=False) + "\n")
            total += counts[k]
            i += 1
    return total


#: Starts the measured command from a small process of its own and reports its CPU seconds, peak
#: resident kB and wall seconds on the file descriptor given first. Linux hands a forked child the
#: peak memory of its parent (kept through exec), so a command forked by this process, which holds
#: the streams, would report that peak instead of its own.
_LAUNCHER = """import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
os.write(int(sys.argv[1]), f"{ru.ru_utime + ru.ru_stime} {ru.ru_maxrss} {time.perf_counter() - start}".encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure_child(name: str, argv: list[str], lines: int, env: dict[str, str] | None = None,
                  quiet: bool = False) -> Measure:
    """Run ``argv`` with stdout (and with ``quiet`` stderr) to /dev/null, started by ``_LAUNCHER``;
    its CPU time and peak RSS come from wait4 there."""
    read_end, write_end = os.pipe()
    try:
        with open(os.devnull, "wb") as sink:
            proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(write_end), *argv], stdout=sink,
                                    stderr=sink if quiet else None, env=env, pass_fds=(write_end,))
            os.close(write_end)
            write_end = -1
            report = os.read(read_end, 256).decode()
            proc.wait()
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    if proc.returncode != 0 or not report:
        raise LinesiftError(f"{name} failed with exit code {proc.returncode}", source=argv[0])
    cpu, peak_kb, wall = report.split()
    return Measure(name, lines, float(cpu), float(wall), float(peak_kb) / 1024)


def run_justext(path: Path, max_lines: int) -> None:
    """Child-process body: jusText over the first ``max_lines`` lines of the stream."""
    import justext

    stoplist = justext.get_stoplist("English")
    done = 0
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            lines = json.loads(raw)["text"].splitlines()
            html = "<html><body>" + "".join(f"<p>{escape(l)}</p>" for l in lines if not is_blank(l)) + "</body></html>"
            paragraphs = justext.justext(html.encode("utf-8"), stoplist, encoding="utf-8")
            sys.stdout.write("\n".join(p.text for p in paragraphs if not p.is_boilerplate) + "\n")
            done += len(lines)
            if done >= max_lines:
                break


def count_lines(path: Path, max_lines: int) -> int:
    done = 0
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            done += len(json.loads(raw)["text"].splitlines())
            if done >= max_lines:
                break
    return done


def write_shards(folder: Path, keys: int, shards: int = 2, dry_run: bool = False) -> tuple[list[Path], int]:
    """Synthetic shards of about ``keys`` line keys in all (at least a page each), for timing a
    merge: pages of MERGE_PAGE_LINES random lines, MERGE_SITE_LINES of them the lines of one of
    MERGE_SITES sites. Returns the files and their keys (with ``dry_run``, without writing them)."""
    pages = max(1, keys // shards // MERGE_PAGE_LINES)
    paths = [folder / f"shard-{keys}-{i}.npy" for i in range(shards)]
    if dry_run:
        return paths, shards * pages * MERGE_PAGE_LINES
    import numpy as np
    from linesift.model.io.repeats import save_array
    from linesift.model.site_repeats import Shard

    rng = np.random.default_rng(0)
    site_lines = rng.integers(1, 2**63, size=(MERGE_SITES, MERGE_SITE_LINES), dtype=np.uint64)
    for i in range(shards):
        lines = rng.integers(1, 2**63, size=(pages, MERGE_PAGE_LINES), dtype=np.uint64)
        lines[:, :MERGE_SITE_LINES] = site_lines[rng.integers(0, MERGE_SITES, size=pages)]
        shard = Shard(rng.integers(1, 2**63, size=pages, dtype=np.uint64),
                      np.full(pages, MERGE_PAGE_LINES, dtype=np.int64), lines.ravel())
        save_array(paths[i], shard.to_array())
    return paths, shards * pages * MERGE_PAGE_LINES


def measure_repeats_files(streams: list[tuple[str, Path, int]], args, linesift: str, tmp: Path) -> tuple[list[Summary], Measure]:
    """``linesift repeats count`` on each stream (no model) and ``repeats merge`` on synthetic shards
    of ``args.merge_keys`` keys; and a merge of a one-page shard: the command's own start-up."""
    repeats = max(1, args.repeats)
    results = []
    for label, stream, total in streams:
        cmd = [linesift, "repeats", "count", str(stream), "--out", str(tmp / "count.npy"), "--jobs", "1"]
        name = f"linesift repeats count, {label}"
        results.append(summarise(name, total, functools.partial(measure_child, name, cmd, total, quiet=True), repeats))
    # Written by a child: a parent grown by the shards would pass its peak memory on to every child
    # it forks, since Linux carries the high-water mark of the forked copy through exec.
    subprocess.run([sys.executable, "-m", "linesift.training.bench", "--shards-child", str(tmp),
                    "--merge-keys", str(args.merge_keys)], check=True)
    shards, keys = write_shards(tmp, args.merge_keys, dry_run=True)
    cmd = [linesift, "repeats", "merge", *map(str, shards), "--out", str(tmp / "table.npy"), "-k", str(args.site_repeats)]
    name = f"linesift repeats merge, {len(shards)} shards"
    results.append(summarise(name, keys, functools.partial(measure_child, name, cmd, keys, quiet=True), repeats))
    tiny, tiny_keys = write_shards(tmp, 0, shards=1)
    base = measure_child("merge, one page", [linesift, "repeats", "merge", str(tiny[0]), "--out", str(tmp / "t0.npy")],
                         tiny_keys, quiet=True)
    return results, base


def measure_streams(streams: list[tuple[str, Path, int]], args, linesift: str) -> list[Summary]:
    """linesift (one job) and jusText on each stream."""
    repeats = max(1, args.repeats)
    results = []
    for label, stream, total in streams:
        cmd = [linesift, "predict", str(stream), "--format", "jsonl", "--jobs", "1"] + (["--model", args.model] if args.model else [])
        name = f"linesift, {label}"
        results.append(summarise(name, total, functools.partial(measure_child, name, cmd, total), repeats))
        if args.site_repeats:
            sname = f"linesift --site-repeats, {label}"
            scmd = cmd + ["--site-repeats", str(args.site_repeats)]
            results.append(summarise(sname, total, functools.partial(measure_child, sname, scmd, total), repeats))
        if args.justext_lines:
            n = count_lines(stream, args.justext_lines)
            jcmd = [sys.executable, "-m", "linesift.training.bench", "--justext-child", str(stream),
                    "--justext-lines", str(args.justext_lines)]
            jname = f"jusText 3, {label}"
            results.append(summarise(jname, n, functools.partial(measure_child, jname, jcmd, n), repeats))
    return results


@dataclass
class Comparison:
    """Paired runs of this checkout and a revision on one stream: ``ours[i]`` and ``theirs[i]`` ran back to back."""

    stream: str
    revision: str
    ours: list[Measure]
    theirs: list[Measure]

    @property
    def ratios(self) -> list[float]:
        """This checkout's CPU seconds over the revision's, per pair (below 1: this checkout is faster)."""
        return [a.cpu_seconds / b.cpu_seconds for a, b in zip(self.ours, self.theirs)]

    @property
    def change(self) -> float:
        """Median over pairs of the change in CPU time, as a fraction (-0.09: 9% less time than the revision)."""
        return statistics.median(self.ratios) - 1.0


def export_revision(root: Path, revision: str, dest: Path) -> Path:
    """The files of ``revision`` of the checkout at ``root`` as an importable ``linesift`` package
    under ``dest`` (``PYTHONPATH=dest`` runs that revision); LinesiftError if git cannot give them."""
    try:
        done = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", revision, "--"],
                              capture_output=True, check=False)
    except OSError as exc:
        raise LinesiftError(f"cannot run git to export revision {revision!r}: {exc.strerror}", source=str(root)) from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LinesiftError(f"git cannot export revision {revision!r}: {reason[-1] if reason else 'no reason given'}",
                            source=str(root))
    package = dest / "linesift"
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later: refuse links and paths out of package
            tar.extractall(package, filter="data")
        else:
            tar.extractall(package)
    return dest


def compare(streams: list[tuple[str, Path, int]], revision: str, pairs: int, model: str | None,
            tmp: Path) -> list[Comparison]:
    """``predict --jobs 1`` of this checkout and of ``revision`` on each stream, ``pairs`` times in turn."""
    where = export_revision(repo_root(), revision, tmp / "revision")
    env_theirs = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(where), os.environ.get("PYTHONPATH")]))}
    # Revisions from before ``--jobs`` predicted in one process: they are run without the option.
    their_jobs = ["--jobs", "1"] if _predict_has_jobs(env_theirs) else []
    results = []
    for label, stream, total in streams:
        base = [sys.executable, "-m", "linesift.training.cli", "predict", str(stream), "--format", "jsonl"]
        model_args = ["--model", model] if model else []
        cmd = base + ["--jobs", "1"] + model_args
        their_cmd = base + their_jobs + model_args
        comparison = Comparison(label, revision, [], [])
        for i in range(pairs):
            # Who runs first alternates, so that neither side always finds the stream in a warm cache.
            ours = functools.partial(measure_child, f"linesift, {label}", cmd, total)
            theirs = functools.partial(measure_child, f"linesift at {revision}, {label}", their_cmd, total,
                                       env=env_theirs)
            if i % 2 == 0:
                a = ours()
                b = theirs()
            else:
                b = theirs()
                a = ours()
            comparison.ours.append(a)
            comparison.theirs.append(b)
        results.append(comparison)
    return results


def _predict_has_jobs(env: dict[str, str]) -> bool:
    """Whether the ``linesift predict`` that ``env`` imports takes ``--jobs`` (its ``--help`` names it)."""
    done = subprocess.run([sys.executable, "-m", "linesift.training.cli", "predict", "--help"], env=env,
                          capture_output=True, text=True, check=False)
    return "--jobs" in done.stdout


def start_up(linesift: str, tmp: Path, model: str | None) -> tuple[float, float]:
    """(wall seconds of ``linesift --help``, of ``linesift predict`` on one small page), best of three."""
    page = tmp / "one.txt"
    page.write_text("\n".join(sample_texts()[0].splitlines()[:40]) + "\n", encoding="utf-8")
    times = []
    for argv in ([linesift, "--help"], [linesift, "predict", str(page)] + (["--model", model] if model else [])):
        times.append(min(measure_child("start-up", argv, 1).wall_seconds for _ in range(3)))
    return times[0], times[1]


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="linesift dev bench", description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help="lines in the sample-page stream (0 to skip it)")
    parser.add_argument("--crawl-lines", type=int, default=DEFAULT_CRAWL_LINES, help="lines in the crawl-page stream (0 to skip it)")
    parser.add_argument("--justext-lines", type=int, default=DEFAULT_JUSTEXT_LINES,
                        help="lines of each stream given to jusText (0 to skip it)")
    parser.add_argument("--model", help="model to benchmark (default: the bundled one)")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="runs of each measurement (median and range reported)")
    parser.add_argument("--against", metavar="REV", help="compare this checkout's speed with a git revision's (paired runs; no jusText)")
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS, help="pairs of runs with --against")
    parser.add_argument("--site-repeats", type=int, default=0, metavar="K",
                        help="also time predict --site-repeats K (each page a site of its own: the step's cost, no change)")
    parser.add_argument("--merge-keys", type=int, default=DEFAULT_MERGE_KEYS, metavar="N",
                        help="with --site-repeats: also time 'linesift repeats count' on each stream and 'repeats merge' "
                             "on synthetic shards of N line keys in all")
    parser.add_argument("--justext-child", help=argparse.SUPPRESS)
    parser.add_argument("--shards-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.justext_child:
        run_justext(Path(args.justext_child), args.justext_lines)
        return 0
    if args.shards_child:
        write_shards(Path(args.shards_child), args.merge_keys)
        return 0
    if args.against:
        if args.pairs < 1:
            raise UsageError(f"linesift dev bench: --pairs must be 1 or more, got {args.pairs}")
        if args.site_repeats:
            raise UsageError("linesift dev bench: --site-repeats times this checkout alone; drop --against")
        if not (args.lines or args.crawl_lines):
            raise UsageError("linesift dev bench: --against needs a stream: --lines and --crawl-lines are both 0")
        repo_root()  # a checkout is needed (and named in the error) before any stream is written
    linesift = str(Path(sys.executable).with_name("linesift"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        streams = []
        if args.lines:
            stream = Path(tmp) / "samples.jsonl"
            total = write_stream(stream, args.lines, urls=args.site_repeats > 0)
            print(f"sample stream: {total:,} lines, {stream.stat().st_size / 2**20:,.0f} MB of JSONL")
            streams.append(("sample pages", stream, total))
        if args.crawl_lines:
            texts, origin = crawl_texts()
            stream = Path(tmp) / "crawl.jsonl"
            total = write_pages(stream, texts, args.crawl_lines, urls=args.site_repeats > 0)
            mean = sum(len(t) for t in texts) / max(1, sum(len(t.splitlines()) for t in texts))
            print(f"crawl stream: {total:,} lines, {stream.stat().st_size / 2**20:,.0f} MB of JSONL: {origin}; "
                  f"{mean:.0f} characters per line")
            streams.append(("crawl pages", stream, total))
        if args.against:
            print_comparisons(compare(streams, args.against, args.pairs, args.model, Path(tmp)))
            return 0
        results = measure_streams(streams, args, linesift)
        merge_base = None
        if args.site_repeats:
            files, merge_base = measure_repeats_files(streams, args, linesift, Path(tmp))
            results += files
        parallel = parallel_step = None
        if streams and cores > 1:
            label, stream, total = streams[-1]
            cmd = [linesift, "predict", str(stream), "--format", "jsonl", "--jobs", str(cores)]
            cmd += ["--model", args.model] if args.model else []
            parallel = min((measure_child("jobs", cmd, total) for _ in range(max(1, args.repeats))), key=lambda m: m.wall_seconds)
            if args.site_repeats:
                scmd = cmd + ["--site-repeats", str(args.site_repeats)]
                parallel_step = min((measure_child("jobs", scmd, total) for _ in range(max(1, args.repeats))),
                                    key=lambda m: m.wall_seconds)
        help_s, first_s = start_up(linesift, Path(tmp), args.model)
    width = max([28] + [len(s.name) for s in results])
    print(f"{'tool':<{width}} {'lines':>11} {'CPU s':>8} {'wall s':>8} {'lines/CPU-s':>12} {'range':>19} {'peak MB':>8}")
    for s in results:
        low, high = s.spread
        print(f"{s.name:<{width}} {s.lines:>11,} {s.cpu_seconds:>8.1f} {s.wall_seconds:>8.1f} "
              f"{s.rate:>12,.0f} {f'{low:,.0f}-{high:,.0f}':>19} {s.peak_mb:>8.0f}")
    print(f"(median of {max(1, args.repeats)} runs each, linesift with --jobs 1; range: slowest and fastest run)")
    by_name = {s.name: s for s in results}
    for label, _, _ in streams:
        ours, theirs = by_name.get(f"linesift, {label}"), by_name.get(f"jusText 3, {label}")
        if ours and theirs:
            print(f"{label}: linesift does {ours.rate / theirs.rate:.1f} times jusText's lines per CPU-second")
        step = by_name.get(f"linesift --site-repeats, {label}")
        if ours and step:
            print(f"{label}: --site-repeats {args.site_repeats} costs {step.cpu_seconds / ours.cpu_seconds - 1:+.1%} CPU time "
                  f"and {step.peak_mb - ours.peak_mb:+,.0f} MB peak memory")
    merge = next((s for s in results if s.name.startswith("linesift repeats merge")), None)
    if merge is not None and merge_base is not None:
        print(f"repeats merge of {merge.lines:,} line keys: {merge.peak_mb:,.0f} MB peak, "
              f"{merge.peak_mb - merge_base.peak_mb:+,.0f} MB over a merge of one page "
              f"({(merge.peak_mb - merge_base.peak_mb) * 2**20 / max(1, merge.lines):.1f} bytes a key)")
    if parallel is not None:
        print(f"--jobs {cores} on the {streams[-1][0]}: {parallel.wall_seconds:.1f} s wall for {parallel.lines:,} lines "
              f"({parallel.lines / parallel.wall_seconds:,.0f} lines per second), best of {max(1, args.repeats)}")
        if args.site_repeats:
            print(f"--jobs {cores} --site-repeats {args.site_repeats} on the {streams[-1][0]}: "
                  f"{parallel_step.wall_seconds:.1f} s wall ({parallel_step.wall_seconds / parallel.wall_seconds - 1:+.1%})")
    print(f"start-up: linesift --help {help_s:.2f} s; predict one page (start, load the model, label) {first_s:.2f} s")
    return 0


def print_comparisons(comparisons: list[Comparison]) -> None:
    for c in comparisons:
        ours = statistics.median(m.cpu_seconds for m in c.ours)
        theirs = statistics.median(m.cpu_seconds for m in c.theirs)
        lines = c.ours[0].lines
        print(f"{c.stream}, {lines:,} lines, {len(c.ratios)} pairs (--jobs 1): this checkout {ours:.1f} CPU s "
              f"({lines / ours:,.0f} lines per CPU-second), {c.revision} {theirs:.1f} CPU s ({lines / theirs:,.0f}) "
              f"(medians); CPU time {100 * c.change:+.1f}% against {c.revision} (median of the pairs; "
              f"range {100 * (min(c.ratios) - 1):+.1f}% to {100 * (max(c.ratios) - 1):+.1f}%)")


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["dev", "bench", *sys.argv[1:]]))
