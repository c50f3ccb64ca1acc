"""The ``linesift`` command: thin Typer commands over library functions that return results.

Exit codes: 0 success; 1 some input could not be processed (bad file, record or model);
2 usage error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Callable, List, Optional

import typer
from linesift.model import text as lines_rule
from linesift.model.atomic import atomic_write
from linesift.model.errors import LinesiftError
from linesift.model.location import MODEL_ENV

from .repo import UsageError

# Commands import scikit-learn and the model code inside their bodies: `--help` stays instant.

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

MODEL_HELP = (f"Model file (.joblib, with its .json metadata beside it). Default: ${MODEL_ENV} if set, else the "
              "bundled model. Model files are pickles, which run code when loaded: load only files you trust.")

#: -h and --help everywhere.
CONTEXT = {"help_option_names": ["-h", "--help"]}
#: Pages over ``text.PAGE_MAX_LINES`` lines named on stderr after a predict run, at most (the rest counted).
LONG_PAGES_SHOWN = 5

app = typer.Typer(
    help="Label each line of scraped web text as article content or page chrome.\n\n"
         "Exit codes: 0 success, 1 some input could not be processed, 2 usage error, 130 interrupted.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


def version_text() -> str:
    """linesift's version and the bundled model's format, date and training-data digest (from its
    metadata file: no scikit-learn import)."""
    import importlib.metadata

    from linesift.model.location import bundled_model_path

    try:
        version = importlib.metadata.version("linesift")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown (not installed)"
    meta_path = bundled_model_path().with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        model = (f"bundled model: format {meta.get('format_version')}, {meta.get('recipe', {}).get('name', meta.get('model_type'))}, "
                 f"trained {meta.get('created', '?')[:10]}, data digest {meta.get('training_data', {}).get('digest', '?')[:12]}")
    except (OSError, ValueError):
        model = f"bundled model: none readable at {meta_path}"
    return f"linesift {version}\n{model}"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", callback=_print_version, is_eager=True,
                                       help="Print linesift's version and the bundled model's, then exit.")) -> None:
    pass


def _check_threshold(threshold: Optional[float], favor: Optional["Favor"]) -> None:
    """--favor picks one of the model's thresholds, --threshold sets one: both at once is a usage error."""
    if threshold is not None and favor is not None:
        raise typer.BadParameter("give --threshold or --favor, not both", param_hint="--favor")


THRESHOLD_HELP = "Content-probability cut-off (0-1) for every page; overrides the model's own rule (its threshold, or its page decoding)."


class Format(str, Enum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"
    parquet = "parquet"
    tsv = "tsv"


class Emit(str, Enum):
    full = "full"
    content = "content"
    labels = "labels"


class Favor(str, Enum):
    precision = "precision"
    recall = "recall"


class ModelType(str, Enum):
    hgb = "hgb"
    logreg = "logreg"


def _err(message: str) -> None:
    sys.stderr.write(f"linesift: {message}\n")


def _check_encoding(name: str) -> None:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        raise typer.BadParameter(f"unknown encoding {name!r} (Python codec names: utf-8, cp1252, shift_jis, ...)",
                                 param_hint="--encoding") from None


class _Interrupted(Exception):
    """Ctrl-C inside a command (typer would turn KeyboardInterrupt into a silent exit)."""


class _PipeClosed(Exception):
    """The reader of stdout went away (typer would turn EPIPE into exit code 1)."""


def _guarded(command: Callable) -> Callable:
    """Let ``main`` decide how Ctrl-C and closed pipes end a command, not typer."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            raise _Interrupted() from None
        except BrokenPipeError:
            raise _PipeClosed() from None

    return run


@app.command()
@_guarded
def predict(
    paths: List[str] = typer.Argument(None, help="Pages: text (.txt, .md), HTML (.html, .htm), JSONL (.jsonl), Parquet (.parquet), WARC/WET (.warc, .wet), each possibly .gz or .zst; folders (searched recursively for all of these); - for stdin (the default). Files with other names are recognised by their first bytes."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    threshold: Optional[float] = typer.Option(None, "--threshold", "-t", min=0.0, max=1.0, help=THRESHOLD_HELP),
    favor: Optional[Favor] = typer.Option(None, "--favor", help="Use the model's threshold tuned for precision (F0.5) or recall (F2)."),
    fmt: Format = typer.Option(Format.auto, "--format", "-f", help="Output. text: the cleaned pages; jsonl: one record per page (see --emit); parquet: the same records as Parquet rows; tsv: the hand-labelling TSV pre-filled with the model's labels; auto: from --out's suffix (.jsonl, .jsonl.gz, .jsonl.zst, .parquet, .txt, .tsv), else jsonl when any input holds records (JSONL, Parquet, WARC), else text."),
    emit: Emit = typer.Option(Emit.full, "--emit", help="What a JSONL/Parquet record carries. full: the input record plus 'content' and 'lines' ({text, label, score} per line); content: the record without its text field, plus 'content' (no bigger than the input); labels: the record plus 'labels' (1 content, 0 chrome, -1 blank) and 'scores', one per line of text.splitlines()."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Write here instead of stdout, atomically (a failed run leaves any old file untouched); .gz or .zst compresses."),
    out_dir: Optional[str] = typer.Option(None, "--out-dir", help="Write one output per input file under this folder, at the input's path relative to the folder it was found in (its name when given directly), in the output format's suffix (JSONL keeps the input's gzip/zstd compression)."),
    text_field: str = typer.Option("text", "--text-field", help="JSONL key / Parquet column holding each page's text."),
    id_field: Optional[str] = typer.Option(None, "--id-field", help="JSONL key / Parquet column naming each page in text and TSV output and in messages (default: url, else id, else its place in the file)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", "-e", help="Decode text pages as this encoding (e.g. cp1252, shift_jis) instead of detecting it (UTF-8, a byte-order mark, else a guess)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Report and skip bad or missing files and bad records instead of stopping at the first (exit code is then 1 if any were skipped)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes, each loading the model once and using one thread; 0 (the default) is one per core. Inputs of one chunk (about 32k lines) run in this process. The output does not depend on it."),
    threads: int = typer.Option(1, "--threads", min=1, help="Threads for the model when running in this process (--jobs 1). One is the most work per CPU-second; use --jobs for throughput."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Show pages, lines, pages/s and elapsed time on stderr (default: when stderr is a terminal)."),
    site_repeats: Optional[int] = typer.Option(None, "--site-repeats", min=1, help="For crawls: a line kept as content that at least K other pages of its site hold in this run becomes chrome (2 is a good start; sites repeat their sign-up prompts, disclaimers and author boxes). Reads the input twice; pages without a site (see --site-field) are left as the model labels them."),
    site_field: str = typer.Option("url", "--site-field", help="JSONL key / Parquet column giving each page's site for --site-repeats: a URL (its host, without www.) or a site name as it is. WARC records carry their URL."),
    site_repeats_table: Optional[Path] = typer.Option(None, "--site-repeats-table", help="For a crawl split over runs or machines: the --site-repeats step with a table counted over every part beforehand ('linesift repeats count' on each part, then 'linesift repeats merge'; K is the table's) instead of this run's pages; give the --site-field the count was given. Reads the input once, so stdin is fine."),
) -> None:
    """Clean pages: keep the content lines, drop the chrome.

    Text out: each page's content lines in order, one blank line where the original had blank
    lines between them (with several pages, each under a '==> NAME <==' header). JSONL/Parquet out:
    each input record unchanged plus what --emit says. Text and HTML pages become records {"id":
    PATH, "text"}; WARC/WET records {"id": WARC-Record-ID, "url": WARC-Target-URI, "date", "text"}
    (one per 'conversion' record, and per HTML 'response' record). HTML is converted to lines by
    resiliparse (one block per line), as the training pages were.
    """
    with _settled_heap(), _without_pandas():
        from linesift.model.io.paths import kinds_summary
        from linesift.model.io.predict import ModelSpec, SiteRepeats, ensure_parent, predict_inputs
        from linesift.model.io.repeats import load_table
        from linesift.model.io.sinks import OutputSpec, compression_for, format_for
        from linesift.model.io.sources import RECORD_KINDS, ReadOptions, expand_inputs, input_kinds
        from linesift.model.predictor import Predictor
        from threadpoolctl import threadpool_limits

    _check_threshold(threshold, favor)
    if encoding:
        _check_encoding(encoding)
    if out is not None and out_dir is not None:
        raise typer.BadParameter("give --out or --out-dir, not both", param_hint="--out-dir")
    ignored: list[str] = []
    missing: list[str] | None = [] if skip_bad else None
    found = expand_inputs(paths or ["-"], ignored=ignored, missing=missing)
    if ignored:
        _err(f"not read: {kinds_summary(ignored)} file(s) in the given folders (known: text, HTML, JSONL, Parquet, WARC/WET)")
    if not found and not missing:
        raise LinesiftError("no pages found in the given folders (text, HTML, JSONL, Parquet or WARC/WET files)")
    sources = [s for s, _ in found]
    roots = [r for _, r in found]
    if site_repeats and site_repeats_table is not None:
        raise typer.BadParameter("give --site-repeats or --site-repeats-table, not both", param_hint="--site-repeats-table")
    if site_field != "url" and not site_repeats and site_repeats_table is None:
        raise typer.BadParameter("it names the site for --site-repeats, which is not given", param_hint="--site-field")
    if site_repeats and "-" in sources:
        raise typer.BadParameter("it reads the input twice: give files, not stdin (or count beforehand: "
                                 "--site-repeats-table)", param_hint="--site-repeats")
    table = load_table(site_repeats_table) if site_repeats_table is not None else None
    step = SiteRepeats(table.min_pages if table is not None else site_repeats, site_field) if (site_repeats or table) else None
    if "-" in sources and sys.stdin.isatty():
        _err("reading one page from the terminal; end it with Ctrl-D (or give files: see 'linesift predict --help')")
    with _settled_heap():
        predictor = Predictor.load(model, threshold=threshold, favor=favor.value if favor else None)
    kept, kinds, unreadable = input_kinds(sources, skip_bad)
    sources, roots = [sources[i] for i in kept], [roots[i] for i in kept]
    output = fmt.value
    if output == "auto":
        by_suffix = format_for(out) if out else None
        records_in = any(k in RECORD_KINDS for k in kinds)
        all_parquet = bool(kinds) and all(k == "parquet" for k in kinds)
        output = by_suffix or ("parquet" if out_dir and all_parquet else "jsonl" if records_in else "text")
    if out is not None:
        ensure_parent(out)
        if compression_for(out) == "zstd":
            from linesift.model.io.extras import require

            require("zstandard", out)
        if os.path.exists(out) and any(os.path.exists(s) and os.path.samefile(s, out) for s in sources if s != "-"):
            raise LinesiftError("output would overwrite an input file", source=out)
    if out_dir is not None and os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise LinesiftError("--out-dir is not a folder", source=out_dir)  # made with the first output, not before
    model_spec = ModelSpec(str(model) if model is not None else None, threshold, favor.value if favor else None)
    spec = OutputSpec(output, emit.value, text_field)
    options = ReadOptions(text_field=text_field, id_field=id_field, encoding=encoding)
    n_jobs = jobs or _cores()
    show = sys.stderr.isatty() if progress is None else progress
    with threadpool_limits(limits=threads), _progress_display(show) as on_progress:
        stats = predict_inputs(sources, roots, model_spec, spec, options, out=out, out_dir=out_dir, jobs=n_jobs,
                               skip_bad=skip_bad, predictor=predictor, on_progress=on_progress,
                               kinds=kinds, site_repeats=step, repeated=table)
    stats.skipped += len(unreadable) + len(missing or [])
    stats.problems += [str(exc) for exc in unreadable] + [f"{path}: no such file or directory" for path in missing or []]
    for name, n in stats.long_pages[:LONG_PAGES_SHOWN]:
        _err(f"{name}: {n:,} lines, labelled in parts of {lines_rule.PAGE_MAX_LINES:,} (is it many pages in one?)")
    if len(stats.long_pages) > LONG_PAGES_SHOWN:
        _err(f"... and {len(stats.long_pages) - LONG_PAGES_SHOWN} more pages over {lines_rule.PAGE_MAX_LINES:,} lines")
    for problem in stats.problems:
        _err(f"skipped {problem}")
    if stats.skipped:
        _err(f"{stats.skipped} input(s) skipped, {stats.pages} page(s) processed")
        raise typer.Exit(EXIT_INPUT)


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextlib.contextmanager
def _settled_heap():
    """No garbage collection while scikit-learn is imported or the model loaded, then what is alive
    frozen out of the collector's reach (``gc.freeze``): none of those 140,000-odd objects is ever
    garbage, yet three full collections walked them all during start-up (about 0.15 s of CPU), and
    forked workers would touch their shared pages doing it again."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _without_pandas():
    """scikit-learn imports pandas (and through it pyarrow) whenever it is installed, for output
    options ``predict`` never uses: about 0.25 s of CPU at every start-up. While scikit-learn is
    imported, pandas reads as not installed; afterwards anything may import it as usual."""
    blocked = "pandas" not in sys.modules
    if blocked:
        sys.modules["pandas"] = None  # type: ignore[assignment]  # an ImportError for `import pandas`
    try:
        yield
    finally:
        if blocked and sys.modules.get("pandas", False) is None:
            del sys.modules["pandas"]


@contextlib.contextmanager
def _progress_display(show: bool):
    """A live line on stderr (pages, lines, pages/s, elapsed) fed by the library's progress callback."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.live import Live

    start = time.monotonic()
    console = Console(stderr=True)

    def line(pages: int, lines: int) -> str:
        elapsed = time.monotonic() - start
        rate = pages / elapsed if elapsed > 0 else 0.0
        return f"linesift: {pages:,} pages, {lines:,} lines, {rate:,.1f} pages/s, {elapsed:,.0f} s elapsed"

    with Live(line(0, 0), console=console, refresh_per_second=4, transient=False) as live:
        yield lambda stats: live.update(line(stats.pages, stats.lines))


@app.command()
@_guarded
def train(
    data: List[Path] = typer.Argument(..., help="Labelled data: .jsonl / .tsv files or directories of them (format: datasets/README.md)."),
    out: Path = typer.Option(..., "--out", "-o", help="Model file to write (.joblib); its metadata goes beside it as .json."),
    recipe: str = typer.Option("bundled", "--recipe", "-r", help="How to make the model (training/recipe.py): 'bundled' is the one `make model` uses (hgb-lexicon-page-lean-convention-n12-balanced-echo-b255-decode-langs-kw2-heads); others: logreg, hgb, hgb-weighted, hgb-lexicon, hgb-page, hgb-lexicon-page, ..."),
    model_type: Optional[ModelType] = typer.Option(None, "--model-type", help="Override the recipe's classifier. hgb: gradient-boosted trees; logreg: logistic regression on scaled features (one stage: logreg drops the recipe's page stage)."),
    folds: Optional[int] = typer.Option(None, "--folds", min=2, help="Folds of the site-grouped cross-validation (default: the recipe's; 3 for bundled)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed (default: the recipe's, 0): the same data and seed give the same model."),
    no_cv: bool = typer.Option(False, "--no-cv", help="Skip cross-validation (no metrics; thresholds default to 0.5, and no page decoding: it is chosen on the CV's scores)."),
    corpus_weight: Optional[List[str]] = typer.Option(None, "--corpus-weight", help="NAME=W: weigh the lines of corpus NAME by W (the recipe's weights, plus these); repeatable. For corpora whose idea of content differs from yours."),
) -> None:
    """Train a model on labelled pages and write it with its metadata.

    Cross-validation groups pages by site (the URL's registered domain), so the metrics printed
    are for sites the model did not see; thresholds (and the page decoding's settings) are chosen on out-of-fold scores.
    """
    from linesift.model.io.predict import ensure_parent
    from linesift.model.modelfile import metadata_path, save_model

    from .data import read_labelled
    from .evaluate import format_report
    from .recipe import RECIPES, get_recipe
    from .train import data_warnings, expected_seconds
    from .train import train as train_model

    if out.suffix != ".joblib":
        raise typer.BadParameter("must end in .joblib", param_hint="--out")
    for path in (out, metadata_path(out)):  # checked now, not after minutes of training
        ensure_parent(str(path))
    try:
        chosen = get_recipe(recipe)
    except KeyError:
        raise typer.BadParameter(f"unknown recipe {recipe!r}; known: bundled, {', '.join(RECIPES)}",
                                 param_hint="--recipe") from None
    weights = dict(chosen.corpus_weights)
    for item in corpus_weight or []:
        name, _, value = item.partition("=")
        try:
            weights[name] = float(value)
        except ValueError:
            raise typer.BadParameter(f"expected NAME=WEIGHT, got {item!r}", param_hint="--corpus-weight") from None
    changes: dict = {"corpus_weights": weights}
    if model_type is not None and model_type.value != chosen.model_type:
        changes.update(model_type=model_type.value, classifier_params={})
        if model_type.value == "logreg":
            changes["page_stage"] = False  # the page stage reads raw first-stage features: trees only
    if folds is not None:
        changes["folds"] = folds
    if seed is not None:
        changes["seed"] = seed
    chosen = chosen.but(**changes)
    started = time.monotonic()

    def progress(message: str) -> None:
        elapsed = int(time.monotonic() - started)
        _err(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}")

    progress("reading labelled data")
    pages = read_labelled(data)
    n_lines = sum(len(p.lines) for p in pages)
    n_sites = len({p.site for p in pages})
    progress(f"{len(pages):,} pages, {n_sites:,} sites, {n_lines:,} lines; recipe {chosen.name}; "
             f"expected time about {_duration(expected_seconds(chosen, n_lines, not no_cv))} on 2 cores")
    for warning in data_warnings(len(pages), n_sites):
        _err(f"warning: {warning}")
    result = train_model(pages, chosen, data_files=[str(d) for d in data], cross_validation=not no_cv,
                         progress=progress)
    meta = save_model(result.pipeline, result.metadata, out)
    rule = (f"page decoding: recall weight {meta['decoding']['recall_weight']:.1f}, logit shift {meta['decoding']['logit_shift']:.1f}"
            if meta.get("decoding") else f"threshold {meta['threshold']:.2f}")
    typer.echo(f"wrote {out} ({meta['training_data']['pages']} pages, {len(meta['feature_names'])} features, {rule})")
    if result.cv:
        typer.echo(f"site-grouped {result.cv.folds}-fold cross-validation:")
        typer.echo(format_report(result.cv.report.as_dict(), worst=False))


def _duration(seconds: float) -> str:
    return f"{max(1, round(seconds / 60))} min" if seconds >= 90 else f"{max(1, round(seconds))} s"


@app.command()
@_guarded
def evaluate(
    data: List[Path] = typer.Argument(..., help="Labelled data: .jsonl / .tsv files or directories of them."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    threshold: Optional[float] = typer.Option(None, "--threshold", "-t", min=0.0, max=1.0, help=THRESHOLD_HELP),
    favor: Optional[Favor] = typer.Option(None, "--favor", help="Use the model's precision- or recall-tuned threshold."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (keys precision, recall, f1, ...)."),
    worst: int = typer.Option(5, "--worst", min=0, help="How many of the worst pages to list with their wrong lines."),
    peers: bool = typer.Option(False, "--peers", help="Also score keep-all, C4's line rule and jusText (if installed) on the same lines."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write the report as one self-contained HTML page: tables, precision/recall/F1 against the threshold, score histograms (drawn by matplotlib: the 'report' extra), the worst pages in the review view."),
    site_repeats: Optional[int] = typer.Option(None, "--site-repeats", min=1, help="Score the labels as 'predict --site-repeats K' gives them: content lines that K other pages of their site (the host of a record's url, else its site field) hold made chrome."),
    no_blank_lines: bool = typer.Option(False, "--no-blank-lines", help="Score the pages with their blank lines removed, as text from Common Crawl WET files or C4 comes: how much the model leans on the blank lines between paragraphs. The worst pages' line numbers then count the lines left."),
) -> None:
    """Score a model on labelled pages.

    Reports line-level precision, recall, F1 and accuracy (content is the positive class) with the
    confusion matrix; the article-extraction benchmark's page metric (word 4-gram shingles of the
    cleaned text against the true content, averaged over pages); and the worst pages with their wrong lines.
    """
    from linesift.model.predictor import Predictor

    from .data import read_labelled
    from .evaluate import evaluate_results, format_report
    from .overlap import trained_on

    _check_threshold(threshold, favor)
    if html_out is not None:
        from .report import require_matplotlib

        _check_html_out(html_out, data)
        require_matplotlib()
    predictor = Predictor.load(model, threshold=threshold, favor=favor.value if favor else None)
    pages = read_labelled(data)
    training_data = predictor.metadata.get("training_data")
    seen = sum(trained_on(training_data.get("page_filter") if isinstance(training_data, dict) else None, pages))
    if seen:
        _err(f"warning: {seen} of {len(pages)} pages are in the model's own training data: its figures on them "
             "are not a test on unseen pages (use the cross-validated figures in its metadata)")
    if no_blank_lines:
        pages = [p.without_blank_lines() for p in pages]
    evaluation, results = evaluate_results(predictor, pages, worst=worst, site_repeats=site_repeats or 0)
    report = evaluation.as_dict()
    if html_out is not None:
        from .report import report_html

        warnings = [f"{seen} of {len(pages)} pages are in the model's own training data."] if seen else []
        page = report_html(report, pages, results, predictor, f"linesift evaluate: {_names(data)}", warnings)
        with atomic_write(html_out, "w") as handle:
            handle.write(page)
    if peers:
        from .evaluate import evaluate_peers

        report["peers"] = {name: r.as_dict() for name, r in evaluate_peers(pages).items()}
        for r in report["peers"].values():
            r.pop("worst_pages", None)
    typer.echo(json.dumps(report, indent=2) if as_json else format_report(report))


def _check_html_out(out: Path, inputs: List) -> None:
    """An HTML output must end in .html, sit in an existing folder and not be one of the inputs."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise typer.BadParameter("must end in .html", param_hint="--html/--out")
    from linesift.model.io.predict import ensure_parent

    ensure_parent(str(out))
    if out.exists() and any(Path(p).exists() and os.path.samefile(p, out) for p in inputs):
        raise LinesiftError("output would overwrite an input file", source=str(out))


def _names(paths: List) -> str:
    names = [Path(p).name or str(p) for p in paths]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


@app.command()
@_guarded
def review(
    paths: List[Path] = typer.Argument(..., help="Pages: text files (.txt, .text, .md), .jsonl / .jsonl.gz records (with 'labels' they count as labelled), hand-labelled .tsv, or folders of them."),
    out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write (atomically)."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    threshold: Optional[float] = typer.Option(None, "--threshold", "-t", min=0.0, max=1.0, help="Starting threshold (the page's slider moves it); default the model's."),
    favor: Optional[Favor] = typer.Option(None, "--favor", help="Start at the model's precision- or recall-tuned threshold."),
    encoding: Optional[str] = typer.Option(None, "--encoding", "-e", help="Decode text pages as this encoding instead of detecting it."),
    max_pages: int = typer.Option(1000, "--max-pages", min=1, help="Keep the first N pages (a browser slows down beyond a few thousand)."),
    max_lines: int = typer.Option(50_000, "--max-lines", min=1, help="Show each page's first N lines at most (it is scored whole); a browser draws 50,000 rows in seconds."),
) -> None:
    """Write one self-contained HTML page to look at the model's decisions.

    Every line is coloured by its content score (a diverging scale around the threshold) with its
    label, and its score on hover; a slider re-labels live; lines within 0.1 of the threshold are
    marked unsure; a page list with search and ordering. With labelled input the true label shows
    beside the predicted one and a switch filters to wrong lines. No network: CSS, script and data inline.
    """
    from linesift.model.predictor import Predictor

    from .review import read_review_pages, review_html, score, within_lines

    _check_threshold(threshold, favor)
    if encoding:
        _check_encoding(encoding)
    _check_html_out(out, paths)
    pages = read_review_pages(paths, encoding)
    if len(pages) > max_pages:
        _err(f"showing the first {max_pages} of {len(pages)} pages (--max-pages)")
        pages = pages[:max_pages]
    predictor = Predictor.load(model, threshold=threshold, favor=favor.value if favor else None)
    pages, results, note = within_lines(pages, score(predictor, pages), max_lines)
    if note:
        _err(note)
    page = review_html(pages, results, predictor, f"linesift review: {_names(paths)}")
    with atomic_write(out, "w") as handle:
        handle.write(page)
    typer.echo(f"wrote {out} ({len(pages)} pages, {sum(len(p.lines) for p in pages):,} lines)")


@app.command()
@_guarded
def label(
    paths: List[Path] = typer.Argument(..., help="Pages to choose from: text files, .jsonl / .jsonl.gz records, .tsv, or folders of them."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="The queue (.tsv) to write atomically; default stdout."),
    n: int = typer.Option(50, "--n", "-n", min=1, help="How many pages to queue."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    threshold: Optional[float] = typer.Option(None, "--threshold", "-t", min=0.0, max=1.0, help=THRESHOLD_HELP),
    encoding: Optional[str] = typer.Option(None, "--encoding", "-e", help="Decode text pages as this encoding instead of detecting it."),
) -> None:
    """Queue the pages most worth a person's time, pre-labelled, as a hand-labelling TSV.

    Pages are ranked by their expected number of wrong lines (each line's score read as a
    probability: 1 - score for a line labelled content, the score for chrome), most first; under
    each page marker a comment names the least sure lines. Correct the labels, then give the file
    to 'linesift train' with the rest of your data.
    """
    from linesift.model.io.predict import ensure_parent, stdout_writer
    from linesift.model.predictor import Predictor

    from .review import label_queue, queue_tsv, read_review_pages, score

    if encoding:
        _check_encoding(encoding)
    if out is not None:
        if not out.lower().endswith(".tsv"):
            raise typer.BadParameter("must end in .tsv", param_hint="--out")
        from linesift.model.io.paths import expand_paths

        from .review import REVIEW_SUFFIXES

        ensure_parent(out)
        # A queue written into a folder it reads (pages/queue.tsv) is an input of the next run.
        if os.path.exists(out) and any(os.path.samefile(p, out) for p in expand_paths(paths, REVIEW_SUFFIXES)):
            raise LinesiftError("output would overwrite an input file", source=out)
    pages = read_review_pages(paths, encoding)
    predictor = Predictor.load(model, threshold=threshold)
    data = queue_tsv(label_queue(pages, score(predictor, pages), n))
    if out is None:
        stdout_writer()(data)
        return
    with atomic_write(out, "wb") as handle:
        handle.write(data)
    _err(f"wrote {out} ({min(n, len(pages))} of {len(pages)} pages, most expected wrong lines first)")


repeats_app = typer.Typer(help="A site's repeated lines over a crawl split into parts (runs, machines): count each "
                               "part, merge the counts, then 'linesift predict --site-repeats-table'.",
                          no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT)
app.add_typer(repeats_app, name="repeats")


@repeats_app.command("count")
@_guarded
def repeats_count(
    paths: List[str] = typer.Argument(..., help="One part's pages, as for 'linesift predict' (files or folders; not stdin)."),
    out: str = typer.Option(..., "--out", "-o", help="The part's shard (.npy), written atomically."),
    site_field: str = typer.Option("url", "--site-field", help="JSONL key / Parquet column giving each page's site: a URL (its host, without www.) or a site name. WARC records carry their URL."),
    text_field: str = typer.Option("text", "--text-field", help="JSONL key / Parquet column holding each page's text."),
    encoding: Optional[str] = typer.Option(None, "--encoding", "-e", help="Decode text pages as this encoding instead of detecting it."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Report and skip bad or missing files and bad records instead of stopping at the first (exit code 1 if any were skipped)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes; 0 (the default) is one per core."),
) -> None:
    """Count which lines each page of one part holds, per site, into a shard for 'linesift repeats merge'.

    No model is loaded. A page is its URL without fragment (else its name), counted once however
    often it appears; pages without a site count for nothing. The shard holds 8 bytes per distinct
    line of each page, and 16 per page.
    """
    from linesift.model.io.paths import kinds_summary
    from linesift.model.io.predict import SiteRepeats, count_shard, ensure_parent
    from linesift.model.io.repeats import save_array
    from linesift.model.io.sources import ReadOptions, expand_inputs, input_kinds
    from linesift.model.site_repeats import DEFAULT_MIN_PAGES

    if encoding:
        _check_encoding(encoding)
    if "-" in paths:
        raise typer.BadParameter("a part is counted from files, not stdin", param_hint="paths")
    missing: list[str] | None = [] if skip_bad else None
    ignored: list[str] = []
    found = expand_inputs(paths, ignored=ignored, missing=missing)
    if ignored:
        _err(f"not read: {kinds_summary(ignored)} file(s) in the given folders (known: text, HTML, JSONL, Parquet, WARC/WET)")
    sources = [s for s, _ in found]
    if not sources and not missing:
        raise LinesiftError("no pages found in the given folders (text, HTML, JSONL, Parquet or WARC/WET files)")
    ensure_parent(out)
    if os.path.exists(out) and any(os.path.samefile(s, out) for s in sources if os.path.exists(s)):
        raise LinesiftError("output would overwrite an input file", source=out)
    kept, kinds, unreadable = input_kinds(sources, skip_bad)
    problems: list[str] = [str(exc) for exc in unreadable] + [f"{path}: no such file or directory" for path in missing or []]
    shard = count_shard([sources[i] for i in kept], kinds, ReadOptions(text_field=text_field, encoding=encoding),
                        SiteRepeats(DEFAULT_MIN_PAGES, site_field), skip_bad, jobs or _cores(),
                        on_skipped=lambda exc: problems.append(str(exc)))
    save_array(out, shard.to_array())
    for problem in problems:
        _err(f"skipped {problem}")
    _err(f"wrote {out}: {len(shard.pages):,} pages with a site, {len(shard.keys):,} distinct lines of a page")
    if not len(shard.pages) and sources:
        _err(f"no page had a site (a URL or site name in {site_field!r}; text and HTML files have none): nothing counted")
    if problems:
        raise typer.Exit(EXIT_INPUT)


@repeats_app.command("merge")
@_guarded
def repeats_merge(
    shards: List[Path] = typer.Argument(..., help="Every part's shard ('linesift repeats count')."),
    out: Path = typer.Option(..., "--out", "-o", help="The table (.npy) for 'linesift predict --site-repeats-table', written atomically."),
    min_pages: int = typer.Option(2, "--min-pages", "-k", min=1, help="A line is repeated when at least K other pages of its site hold it (as --site-repeats K)."),
) -> None:
    """Merge every part's counts into the table of lines that K other pages of their site hold.

    A page in several parts (the same URL) counts once. Memory: 8 bytes per distinct line of
    each page over all shards, for a moment twice that; the table keeps 8 bytes per repeated line.
    """
    from linesift.model.io.predict import ensure_parent
    from linesift.model.io.repeats import load_shard, save_array
    from linesift.model.site_repeats import merge_shards

    ensure_parent(str(out))
    if out.exists() and any(s.exists() and os.path.samefile(s, out) for s in shards):
        raise LinesiftError("output would overwrite an input file", source=str(out))
    pages = []

    def read():  # a generator, so that the shards as read are freed once merge_shards has joined them
        for path in shards:
            shard = load_shard(path)
            pages.append(len(shard.pages))
            yield shard

    table = merge_shards(read(), min_pages)
    save_array(out, table.to_array())
    _err(f"wrote {out}: {len(table.keys):,} lines repeated on {min_pages}+ other pages of their site "
         f"({sum(pages):,} pages in {len(shards)} shard(s))")


datasets_app = typer.Typer(help="Build line-labelled training data from real corpora.", no_args_is_help=True,
                           rich_markup_mode=None, context_settings=CONTEXT)
app.add_typer(datasets_app, name="datasets")


@datasets_app.command("build")
@_guarded
def datasets_build(
    root: Optional[Path] = typer.Argument(None, help="Folder holding the corpus folders (default: ../shared/corpora beside the checkout)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for CORPUS.jsonl files and report.json (created if missing)."),
    corpus: Optional[List[str]] = typer.Option(None, "--corpus", help="Corpus to build (repeatable); default: every one found."),
    converter: Optional[List[str]] = typer.Option(None, "--converter", help="HTML converter (repeatable): html-text, resiliparse; default: both."),
    jobs: int = typer.Option(2, "--jobs", min=1, help="Worker processes."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Read at most this many pages per corpus (for a quick look)."),
) -> None:
    """Convert each corpus's HTML to text lines and label every line from the corpus's reference.

    Lines are aligned with the reference text on letters and digits only (tolerating lost spaces);
    short lines count as content only where they continue the aligned text, so "Home" or "Share"
    never match by accident. Pages whose content lines recover under 60% of the reference are
    dropped. A full build also writes stubs.jsonl: short pages we wrote ourselves (error, log-in,
    consent and paywall stubs, all chrome; short notices, content). Prints a data-quality report
    and writes it to OUT/report.json.
    """
    from .convert import CONVERTERS
    from .corpora import CORPORA, REPORT_HEADER, build, build_stubs, default_corpora_dir, write_report
    from .stubs import CORPUS as STUBS

    unknown = [n for n in corpus or [] if n not in CORPORA and n != STUBS]
    if unknown:
        raise typer.BadParameter(f"unknown corpus {unknown[0]!r}; known: {', '.join([*CORPORA, STUBS])}", param_hint="--corpus")
    if corpus and set(corpus) == {STUBS}:
        names = list(corpus)  # our own pages need no corpora folder
    else:
        root = root or default_corpora_dir()
        if root is None:
            raise LinesiftError("no corpora folder given and ../shared/corpora is not there")
        if not root.is_dir():
            raise LinesiftError("no such corpora folder", source=str(root))
        names = corpus or [name for name, spec in CORPORA.items() if (root / spec.folder).is_dir()]
        if not names:
            raise LinesiftError(f"no corpus folders in it (looked for: {', '.join(s.folder for s in CORPORA.values())})",
                                source=str(root))
        if not corpus:
            names.append(STUBS)  # our own short pages go with every full build
    converters = tuple(converter or CONVERTERS)
    if any(c not in CONVERTERS for c in converters):
        raise typer.BadParameter(f"choose from {', '.join(CONVERTERS)}", param_hint="--converter")
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    live = sys.stderr.isatty()  # a counter that rewrites its line on a terminal; one line per corpus in a log
    for name in names:
        def progress(n: int, name: str = name) -> None:
            if live and n % 50 == 0:
                sys.stderr.write(f"\r{name}: {n} pages")
                sys.stderr.flush()

        if name == STUBS:
            reports.append(build_stubs(out / f"{name}.jsonl"))
        else:
            reports.append(build(name, root, out / f"{name}.jsonl", converters, jobs, limit, progress))
        sys.stderr.write(f"{chr(13) if live else ''}{name}: {reports[-1].pages_read} pages\n")
    write_report(reports, out / "report.json")
    typer.echo(REPORT_HEADER)
    for r in reports:
        typer.echo(r.table_row())


dev_app = typer.Typer(help="Maintainer tools, run inside a linesift checkout: the evaluation gate, model "
                           "selection, the speed benchmark, mutation testing, screenshots, the site-repeats rule, the proxies of the sealed sets. Each takes its own options (linesift dev gate --help).",
                      no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT)
app.add_typer(dev_app, name="dev")
#: The tools parse their own options (argparse), so typer passes everything after the name through.
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@dev_app.command("gate", context_settings=PASS_THROUGH, add_help_option=False)
@_guarded
def dev_gate(ctx: typer.Context) -> int:
    """Check the committed floors (artifacts/floors.json) by site-grouped CV, or raise them: DATA... [--raise-floors] [--new-data]."""
    from . import gate

    return gate.main(ctx.args)


@dev_app.command("select", context_settings=PASS_THROUGH, add_help_option=False)
@_guarded
def dev_select(ctx: typer.Context) -> int:
    """Compare recipes (and peers) by site-grouped CV and leave-one-corpus-out: DATA... [--candidates ...]."""
    from . import select

    return select.main(ctx.args)


@dev_app.command("bench", context_settings=PASS_THROUGH, add_help_option=False)
@_guarded
def dev_bench(ctx: typer.Context) -> int:
    """Throughput and peak memory of `linesift predict`, beside jusText: [--lines N] [--model PATH]."""
    from . import bench

    return bench.main(ctx.args)


@dev_app.command("repeats", context_settings=PASS_THROUGH, add_help_option=False)
@_guarded
def dev_repeats(ctx: typer.Context) -> int:
    """Score 'a content line on K other pages of its site is chrome' on the bundled recipe's CV: DATA... [--min-pages K...]."""
    from . import repeats

    return repeats.main(ctx.args)


@dev_app.command("proxies", context_settings=PASS_THROUGH, add_help_option=False)
@_guarded
def dev_proxies(ctx: typer.Context) -> int:
    """How each proxy corpus tracks its sealed set: the model the sealed figures came from, scored on the proxies: DATA... [--held-out NAME=F1]."""
    from . import proxies

    return proxies.main(ctx.args)


@dev_app.command("mutate", context_settings=PASS_THROUGH, add_help_option=False)
@_guarded
def dev_mutate(ctx: typer.Context) -> int:
    """Mutation testing (mutmut) of the modules that decide and measure; score per module: [--survivors] [--json FILE]."""
    from . import mutate

    return mutate.main(ctx.args)


@dev_app.command("screenshots", context_settings=PASS_THROUGH, add_help_option=False)
@_guarded
def dev_screenshots(ctx: typer.Context) -> int:
    """PNGs of the review page and the evaluate report (headless Chromium) in artifacts/screenshots: [--out DIR]."""
    from . import screenshots

    return screenshots.main(ctx.args)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point: runs a command and turns every failure into one stderr line and an exit code."""
    code = EXIT_OK
    try:
        result = app(args=argv, prog_name="linesift", standalone_mode=False)
        code = result if isinstance(result, int) else EXIT_OK
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        _err("interrupted")
        code = EXIT_INTERRUPTED
    except typer.TyperException as exc:  # usage errors (exit_code 2) and other parser failures
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `linesift`: the help is the message
            sys.stderr.write(exc.format_message() + "\n")
            return EXIT_USAGE
        path = getattr(ctx, "command_path", None) or "linesift"
        hint = f" (see '{path} --help')"
        _err(f"usage error: {' '.join(exc.format_message().split())}{hint}")
        code = exc.exit_code if exc.exit_code else EXIT_USAGE
    except (KeyboardInterrupt, _Interrupted):
        _err("interrupted")
        code = EXIT_INTERRUPTED
    except (BrokenPipeError, _PipeClosed):
        _silence_stdout()
        code = EXIT_OK
    except UsageError as exc:
        _err(f"usage error: {exc}")
        code = EXIT_USAGE
    except LinesiftError as exc:
        _err(f"error: {exc}")
        code = EXIT_INPUT
    except MemoryError:
        _err("error: out of memory")
        code = EXIT_INPUT
    except OSError as exc:
        name = getattr(exc, "filename", None)
        _err(f"error: {name + ': ' if name else ''}{exc.strerror or exc}")
        code = EXIT_INPUT
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    return code


def _silence_stdout() -> None:
    """After the reader of a pipe has gone (``| head``), send what is left nowhere, quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
