"""The ``enrich`` command: a thin mirror of the library, with the same names.

Each command parses its arguments, calls one library function and writes a
file.  Errors are one line on stderr, never a traceback: exit 2 for bad usage,
configuration or unreadable input, 1 when a run enriched no row, 130 on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from enrich._config import SOURCES, Settings
from enrich._exceptions import Cancelled, ConfigError, EnrichError, InputError
from enrich._inputs import FORMATS
from enrich._version import __version__

_EXIT_USAGE = 2
_EXIT_NOTHING = 1
_EXIT_INTERRUPTED = 130


def _fail(message: str, code: int = _EXIT_USAGE) -> NoReturn:
    click.echo(f"enrich: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def _errors_as_lines() -> Iterator[None]:
    try:
        yield
    except (ConfigError, InputError) as exc:
        _fail(str(exc))
    except EnrichError as exc:
        _fail(str(exc), _EXIT_NOTHING)


def _sources(value: str) -> tuple[str, ...]:
    from enrich._pipeline import validate_sources

    return validate_sources(value.split(","))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="enrich")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for every request).")
def main(verbose: int) -> None:
    """Resolve lists of papers against arXiv, Semantic Scholar and GitHub.

    \b
    Example:
        enrich run examples/papers.txt --replay cassettes/example.yaml -o enriched.parquet
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


# Options that several commands share, defined once so their names and help agree.
_output_option = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output file: .parquet, .csv, .tsv, .ndjson/.jsonl or .json.",
)
_format_option = click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    help="Force an input reader instead of sniffing.",
)
_cache_dir_option = click.option(
    "--cache-dir", type=click.Path(file_okay=False), help="Cache directory."
)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@_output_option
@_format_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def parse(inputs: tuple[str, ...], output: str, format_: str | None, quiet: bool) -> None:
    """Read paper lists into one deduplicated table (no network).

    INPUTS are files: saved Hugging Face Daily Papers pages, text lists of ids,
    URLs or titles, CSV/TSV/JSON/JSONL/Parquet tables, or BibTeX.

    \b
    Example:
        enrich parse ../shared/seeds/*.txt -o papers.parquet
    """
    from enrich._inputs import papers_to_frame, read_inputs
    from enrich._output import write_table

    with _errors_as_lines():
        report = read_inputs(list(inputs), format=format_)  # type: ignore[arg-type]
        for skipped in report.skipped:
            click.echo(f"enrich: skipped {skipped.origin}: {skipped.reason}", err=True)
        write_table(papers_to_frame(report.papers), output)
    if not quiet:
        click.echo(report.summary(), err=True)
        click.echo(f"wrote {len(report.papers)} papers to {output}", err=True)


class _Progress:
    """Per-source progress: bars on a terminal, periodic log lines otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = enabled and sys.stderr.isatty()
        self._lock = threading.Lock()
        self._last_line = 0.0
        self._state: dict[str, tuple[int, int]] = {}
        self._bars: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._bars = Progress(
                "[bold]{task.description:<7}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=False,
            )
            self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bars is not None:
            self._bars.stop()
        elif self.enabled and self._state:
            parts = [f"{s} {d}/{t}" for s, (d, t) in sorted(self._state.items())]
            click.echo("progress: " + ", ".join(parts), err=True)

    def __call__(self, source: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._state[source] = (done, total)
            if self._bars is not None:
                task = self._tasks.get(source)
                if task is None:
                    task = self._tasks[source] = self._bars.add_task(source, total=total)
                self._bars.update(task, completed=done, total=total)
                return
            now = time.monotonic()
            if now - self._last_line >= 5.0:
                self._last_line = now
                parts = [f"{s} {d}/{t}" for s, (d, t) in sorted(self._state.items())]
                click.echo("progress: " + ", ".join(parts), err=True)


def _summary(result: Any, elapsed: float) -> str:
    report = result.report
    lines = [
        f"papers: {report.papers}  (read {result.read.read}, duplicates merged "
        f"{result.read.duplicates_merged}, skipped {len(result.read.skipped)})",
        "resolved: " + ", ".join(f"{s} {n}" for s, n in report.resolved.items()),
        "rows: " + ", ".join(f"{n} {s}" for s, n in sorted(report.statuses.items())),
    ]
    if report.github_skipped:
        lines.append(
            f"github: rate budget ran out; {report.github_skipped} repositories not looked up"
            " (set GITHUB_TOKEN)"
        )
    for source, stats in result.stats.items():
        retries = sum(stats.retries.values())
        lines.append(
            f"{source:<6}: {stats.requests} requests, {stats.cache_hits} cache hits, "
            f"{retries} retries, {stats.wait_seconds:.1f}s waited on rate limits"
        )
    if result.recorded is not None:
        lines.append(f"recorded {result.recorded} HTTP exchanges")
    if getattr(result, "snapshot", None):
        releases = ", ".join(
            f"{name} {info['release'] or 'unknown release'}"
            for name, info in result.snapshot["sources"].items()
        )
        lines.append(f"snapshot: {result.snapshot['path']} ({releases})")
    lines.append(f"elapsed: {elapsed:.1f}s")
    return "\n".join(lines)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@_output_option
@click.option(
    "--sources",
    default=",".join(SOURCES),
    show_default=True,
    help="Comma-separated sources to ask.",
)
@_cache_dir_option
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--refresh", is_flag=True, help="Skip cache reads; still write answers.")
@click.option(
    "--record", type=click.Path(dir_okay=False), help="Write every HTTP exchange to this cassette."
)
@click.option(
    "--replay",
    type=click.Path(dir_okay=False),
    help="Answer every request from this cassette (no network).",
)
@_format_option
@click.option(
    "--snapshot",
    type=click.Path(file_okay=False),
    help="Resolve from this snapshot (enrich snapshot build) first; live only for the rest.",
)
@click.option("--offline", is_flag=True, help="With --snapshot: send no request at all.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def run(
    inputs: tuple[str, ...],
    output: str,
    sources: str,
    cache_dir: str | None,
    no_cache: bool,
    refresh: bool,
    record: str | None,
    replay: str | None,
    format_: str | None,
    snapshot: str | None,
    offline: bool,
    quiet: bool,
) -> None:
    """Resolve papers and write the enriched table.

    Settings come from the environment (ENRICH_*, GITHUB_TOKEN, S2_API_KEY);
    flags override them.  Exit 0 when the run completed (even with rows not
    found), 1 when no row could be enriched, 2 for bad usage or input.

    \b
    Examples:
        enrich run examples/papers.txt --replay cassettes/example.yaml -o enriched.parquet
        GITHUB_TOKEN=... enrich run ../shared/seeds/*.txt -o enriched.csv
        enrich run papers.csv --snapshot snap/ --offline -o enriched.parquet
    """
    from enrich._api import enrich_result

    started = time.monotonic()
    cancel = threading.Event()
    with _errors_as_lines():
        chosen = _sources(sources)
        settings = Settings.from_env(
            cache_dir=Path(cache_dir) if cache_dir else None,
            use_cache=False if no_cache else None,
        )
        previous = signal.getsignal(signal.SIGINT)

        def interrupted(signum: int, frame: object) -> None:
            if cancel.is_set():
                # A second Ctrl-C does not wait for requests still on the wire.
                raise KeyboardInterrupt
            cancel.set()
            # A handler may interrupt this very thread mid-write to stderr.
            with contextlib.suppress(RuntimeError, OSError):
                click.echo("enrich: interrupting (Ctrl-C again to stop at once)", err=True)

        signal.signal(signal.SIGINT, interrupted)
        try:
            with _Progress(enabled=not quiet) as progress:
                result = enrich_result(
                    list(inputs),
                    sources=chosen,
                    settings=settings,
                    refresh=refresh,
                    record=record,
                    replay=replay,
                    format=format_,  # type: ignore[arg-type]
                    progress=progress,
                    cancel=cancel,
                    output=output,
                    snapshot=snapshot,
                    offline=offline,
                )
        except Cancelled as exc:
            click.echo(f"enrich: {exc}", err=True)
            sys.exit(_EXIT_INTERRUPTED)
        except KeyboardInterrupt:
            click.echo("enrich: interrupted at once; nothing was written", err=True)
            sys.exit(_EXIT_INTERRUPTED)
        finally:
            signal.signal(signal.SIGINT, previous)
        for skipped in result.read.skipped:
            click.echo(f"enrich: skipped {skipped.origin}: {skipped.reason}", err=True)
    if not quiet:
        click.echo(_summary(result, time.monotonic() - started), err=True)
        click.echo(f"wrote {result.report.papers} rows to {output}", err=True)
    statuses = result.report.statuses
    if result.report.papers and not (statuses.get("ok", 0) + statuses.get("partial", 0)):
        _fail("no row could be enriched (see the errors column)", _EXIT_NOTHING)


@main.command()
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "markdown"]),
    default="table",
    show_default=True,
)
def schema(format_: str) -> None:
    """Print the enriched table's columns, types and meaning.

    \b
    Example:
        enrich schema --format markdown
    """
    from enrich._schema import OUTPUT_COLUMNS

    if format_ == "markdown":
        click.echo("| column | type | meaning |\n|---|---|---|")
        for column in OUTPUT_COLUMNS:
            click.echo(f"| `{column.name}` | {column.dtype} | {column.description} |")
        return
    width = max(len(c.name) for c in OUTPUT_COLUMNS)
    for column in OUTPUT_COLUMNS:
        click.echo(f"{column.name:<{width}}  {column.dtype!s:<28}  {column.description}")


@main.group()
def cache() -> None:
    """Inspect or clear the on-disk cache."""


@cache.command("stats")
@_cache_dir_option
def cache_stats_command(cache_dir: str | None) -> None:
    """Entries and bytes per source.

    \b
    Example:
        enrich cache stats
    """
    from enrich._cache import cache_stats

    with _errors_as_lines():
        settings = Settings.from_env(cache_dir=Path(cache_dir) if cache_dir else None)
        stats = cache_stats(settings)
    click.echo(f"cache: {settings.resolved_cache_dir()}")
    for source, numbers in stats.items():
        click.echo(
            f"{source:<6}  {numbers.get('entries', 0):>8} entries  "
            f"{numbers.get('bytes', 0):>12} bytes"
        )


@cache.command("clear")
@click.option("--source", type=click.Choice(SOURCES), help="Clear only this source.")
@_cache_dir_option
def cache_clear_command(source: str | None, cache_dir: str | None) -> None:
    """Remove cached answers (all, or one source's).

    \b
    Example:
        enrich cache clear --source s2
    """
    from enrich._cache import clear_cache

    with _errors_as_lines():
        settings = Settings.from_env(cache_dir=Path(cache_dir) if cache_dir else None)
        removed = clear_cache(settings, source)
    click.echo(f"removed {removed} cached answers" + (f" for {source}" if source else ""))


@main.group()
def snapshot() -> None:
    """Build local extracts of the bulk snapshots for offline runs (run --snapshot)."""


@snapshot.command("build")
@click.option(
    "--s2",
    "s2",
    multiple=True,
    type=click.Path(exists=True),
    help="S2 Datasets API papers shards (*.jsonl.gz) or their folder; repeatable.",
)
@click.option(
    "--arxiv",
    "arxiv",
    multiple=True,
    type=click.Path(exists=True),
    help="arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json[.gz]); repeatable.",
)
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False))
@click.option("--s2-release", help="S2 release id, YYYY-MM-DD (default: from the path).")
@click.option(
    "--arxiv-release", help="arXiv snapshot date, YYYY-MM-DD (default: latest update_date)."
)
@click.option("--overwrite", is_flag=True, help="Replace an existing snapshot in OUTPUT.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "polars", "duckdb"]),
    default="auto",
    show_default=True,
    help="JSON parser: duckdb (optional extra, faster) when installed, else polars.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def snapshot_build_command(
    s2: tuple[str, ...],
    arxiv: tuple[str, ...],
    output: str,
    s2_release: str | None,
    arxiv_release: str | None,
    overwrite: bool,
    engine: str,
    quiet: bool,
) -> None:
    """Turn S2 papers shards and the arXiv snapshot into Parquet extracts.

    \b
    Example:
        enrich snapshot build --s2 s2/2026-11-03/papers --arxiv arxiv-metadata-oai-snapshot.json -o snap
    """
    from enrich._snapshot import build_snapshot

    with _errors_as_lines():
        report = build_snapshot(
            output,
            s2=s2,
            arxiv=arxiv,
            s2_release=s2_release,
            arxiv_release=arxiv_release,
            overwrite=overwrite,
            engine=engine,
        )
    if not quiet:
        for name, source in report.manifest["sources"].items():
            click.echo(
                f"{name}: {source['records']} records, release {source['release'] or 'unknown'}",
                err=True,
            )
        click.echo(
            f"wrote {output} in {report.elapsed:.1f}s ({report.records_per_second:,.0f} records/s)",
            err=True,
        )


def run_cli(argv: Sequence[str] | None = None) -> None:
    """Entry point for ``python -m enrich``."""
    main.main(args=list(argv) if argv is not None else None, prog_name="enrich")
