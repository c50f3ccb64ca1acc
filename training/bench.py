"""Throughput and peak memory of ``linesift predict --format jsonl``, beside jusText on the same lines.

Run ``linesift dev bench`` (or ``make bench``). It writes a JSONL stream of
``--lines`` lines built from our own sample pages, runs each tool in a child process, and prints
lines per CPU-second (user + system time of the child, start-up included) and the child's peak
resident memory. jusText gets each line as a ``<p>`` of one HTML page per record.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Callable

from linesift.model.errors import LinesiftError
from linesift.model.text import is_blank

from .repo import ArgumentParser, repo_root

#: Default size of the benchmark stream (lines).
DEFAULT_LINES = 3_000_000
#: jusText is much slower; by default it runs on this many lines of the same stream (lines).
DEFAULT_JUSTEXT_LINES = 200_000
#: Runs of each measurement: the table gives their median and spread (runs on a shared machine
#: differ by up to tens of percent).
DEFAULT_REPEATS = 3


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


def write_stream(path: Path, n_lines: int) -> int:
    """A JSONL file of about ``n_lines`` page lines; returns the exact count."""
    texts = sample_texts()
    counts = [len(t.splitlines()) for t in texts]
    total = 0
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while total < n_lines:
            k = i % len(texts)
            out.write(json.dumps({"id": i, "text": texts[k]}, ensure_ascii=False) + "\n")
            total += counts[k]
            i += 1
    return total


def measure_child(name: str, argv: list[str], lines: int) -> Measure:
    """Run ``argv`` with stdout to /dev/null; CPU time and peak RSS come from wait4."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(argv, stdout=sink)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise LinesiftError(f"{name} failed with exit code {proc.returncode}", source=argv[0])
    return Measure(name, lines, usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


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


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="linesift dev bench", description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help="lines in the benchmark stream")
    parser.add_argument("--justext-lines", type=int, default=DEFAULT_JUSTEXT_LINES,
                        help="lines of the same stream given to jusText (0 to skip it)")
    parser.add_argument("--model", help="model to benchmark (default: the bundled one)")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="runs of each measurement (median and range reported)")
    parser.add_argument("--justext-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.justext_child:
        run_justext(Path(args.justext_child), args.justext_lines)
        return 0
    linesift = str(Path(sys.executable).with_name("linesift"))
    with tempfile.TemporaryDirectory() as tmp:
        stream = Path(tmp) / "stream.jsonl"
        total = write_stream(stream, args.lines)
        size_mb = stream.stat().st_size / 2**20
        print(f"stream: {total:,} lines in {size_mb:,.0f} MB of JSONL ({os.cpu_count()} CPUs)")
        repeats = max(1, args.repeats)
        cmd = [linesift, "predict", str(stream), "--format", "jsonl"] + (["--model", args.model] if args.model else [])
        name = "linesift predict --format jsonl"
        results = [summarise(name, total, lambda: measure_child(name, cmd, total), repeats)]
        if args.justext_lines:
            n = count_lines(stream, args.justext_lines)
            jcmd = [sys.executable, "-m", "linesift.training.bench", "--justext-child", str(stream),
                    "--justext-lines", str(args.justext_lines)]
            jname = "jusText 3 (each line a <p>)"
            results.append(summarise(jname, n, lambda: measure_child(jname, jcmd, n), repeats))
    print(f"{'tool':<34} {'lines':>11} {'CPU s':>8} {'wall s':>8} {'lines/CPU-s':>12} {'range':>19} {'peak MB':>8}")
    for s in results:
        low, high = s.spread
        print(f"{s.name:<34} {s.lines:>11,} {s.cpu_seconds:>8.1f} {s.wall_seconds:>8.1f} "
              f"{s.rate:>12,.0f} {f'{low:,.0f}-{high:,.0f}':>19} {s.peak_mb:>8.0f}")
    print(f"(median of {repeats} runs each; range: slowest and fastest run)")
    return 0


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["dev", "bench", *sys.argv[1:]]))
