"""The ``enrich`` command: a thin mirror of the library, with the same names.

Each command parses its arguments, calls one library function and writes a
file.  Errors are one line on stderr, never a traceback: exit 2 for bad usage,
configuration or unreadable input, 1 when no row got data from any source,
130 on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import logging
import os
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
from enrich._progress import ProgressDisplay
from enrich._schema import ROW_STATUSES, SOURCE_STATUSES
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


_VERBOSE_HELP = "More log output (-vv for every request); before or after the command."
_QUIET_HELP = "No progress and no summary, only errors; before or after the command."


def _log_level(verbose: int) -> int:
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="enrich")
@click.option("-v", "--verbose", count=True, help=_VERBOSE_HELP)
@click.option("-q", "--quiet", is_flag=True, help=_QUIET_HELP)
def main(verbose: int, quiet: bool) -> None:
    """Resolve lists of papers against arXiv, Semantic Scholar, GitHub and the Hugging Face Hub.

    \b
    Examples:
        enrich example -o enriched.parquet      # the shipped example, offline
        enrich run 2106.09685 "Attention Is All You Need" -o enriched.csv
    """
    logging.basicConfig(level=_log_level(verbose), format="%(levelname)s %(name)s: %(message)s")


def _chatter(verbose: int, quiet: bool) -> bool:
    """Merge a command's ``-v``/``-q`` with the group's; returns whether to be quiet.

    ``enrich -v run ...`` and ``enrich run ... -v`` mean the same, and so do
    the two places for ``-q``.
    """
    root = click.get_current_context().find_root().params
    verbose += int(root.get("verbose") or 0)
    quiet = quiet or bool(root.get("quiet"))
    if verbose:
        logging.getLogger().setLevel(_log_level(verbose))
    return quiet


def _chatter_options(command: Any) -> Any:
    command = click.option("-q", "--quiet", is_flag=True, help=_QUIET_HELP)(command)
    return click.option("-v", "--verbose", count=True, help=_VERBOSE_HELP)(command)


def _stdin_inputs(inputs: Sequence[str]) -> list[str | os.PathLike[str]]:
    """``inputs`` with ``-`` standing for standard input (given once at most)."""
    from enrich._inputs import STDIN

    if list(inputs).count("-") > 1:
        _fail("standard input (-) can be given only once")
    return [STDIN if item == "-" else item for item in inputs]


# Options that several commands share, defined once so their names and help agree.
_output_option = click.option(
    "-o",
    "--output",
    required=True,
    # Checked by check_output (one line, exit 2), not by click's multi-line usage error.
    type=click.Path(),
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
@_chatter_options
def parse(
    inputs: tuple[str, ...], output: str, format_: str | None, verbose: int, quiet: bool
) -> None:
    """Read paper lists into one deduplicated table (no network).

    INPUTS are files (saved Hugging Face Daily Papers pages, text lists of ids,
    URLs or titles, CSV/TSV/JSON/JSONL/Parquet tables, BibTeX), ids and titles
    given inline (an argument that is not a file is one paper), or - to read
    standard input.

    \b
    Examples:
        enrich parse examples/papers.txt -o papers.parquet
        grep -h arxiv.org notes/*.md | enrich parse - -o papers.csv
    """
    import datetime as dt

    from enrich._inputs import papers_to_frame, read_inputs
    from enrich._output import check_output, write_table
    from enrich._runinfo import run_info

    quiet = _chatter(verbose, quiet)
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with _errors_as_lines():
        check_output(output)
        report = read_inputs(_stdin_inputs(inputs), format=format_)  # type: ignore[arg-type]
        for skipped in report.skipped:
            click.echo(f"enrich: skipped {skipped.origin}: {skipped.reason}", err=True)
        # No sources were asked and no settings used: the record says which enrich read it.
        frame = papers_to_frame(report.papers)
        write_table(frame, output, run_info(None, (), started, frame.columns))
    if not quiet:
        click.echo(report.summary(), err=True)
        click.echo(f"wrote {len(report.papers)} papers to {output}", err=True)


def _counts(counts: dict[str, int], order: Sequence[str]) -> str:
    """``"28 ok, 2 partial"``: non-zero counts, in the documented order of the statuses."""
    known = [s for s in order if counts.get(s)] + sorted(set(counts) - set(order))
    return ", ".join(f"{counts[s]} {s}" for s in known) or "none"


def _summary(result: Any, elapsed: float) -> str:
    report = result.report
    lines = [
        f"papers: {report.papers}  (read {result.read.read}, duplicates merged "
        f"{result.read.duplicates_merged}, skipped {len(result.read.skipped)})",
        "resolved: " + ", ".join(f"{s} {n}" for s, n in report.resolved.items()),
        "rows: " + _counts(report.statuses, ROW_STATUSES),
    ]
    for source, counts in report.source_statuses.items():
        lines.append(f"  {source:<6}: " + _counts(counts, SOURCE_STATUSES))
    lines.extend(report.unavailable_lines())
    if report.github_skipped:
        lines.append(
            f"github: rate budget ran out; {report.github_skipped} repositories not looked up"
            " (set GITHUB_TOKEN)"
        )
    for source, stats in result.stats.items():
        retries = sum(stats.retries.values())
        # Waits split by cause: pacing is the rule kept, backoff is the cost of errors.
        lines.append(
            f"{source:<6}: {stats.requests} requests, {stats.cache_hits} cache hits, "
            f"{retries} retries; waited {stats.pacing_seconds:.1f}s pacing, "
            f"{stats.backoff_seconds:.1f}s backing off after errors, "
            f"{stats.server_wait_seconds:.1f}s as the service asked"
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
    "--match-threshold",
    type=float,
    help="Title-match acceptance score in (0, 1]; higher is stricter [ENRICH_MATCH_THRESHOLD].",
)
@click.option(
    "--timeout", type=float, help="Seconds per connect or read on the wire [ENRICH_TIMEOUT]."
)
@click.option("--max-attempts", type=int, help="Tries per request [ENRICH_MAX_ATTEMPTS].")
@click.option(
    "--retry-budget", type=float, help="Seconds spent retrying one request [ENRICH_RETRY_BUDGET]."
)
@click.option("--mailto", help="Contact address sent in the User-Agent [ENRICH_MAILTO].")
@click.option(
    "--snapshot",
    type=click.Path(file_okay=False),
    help="Resolve from this snapshot (enrich snapshot build) first; live only for the rest.",
)
@click.option("--offline", is_flag=True, help="With --snapshot: send no request at all.")
@_chatter_options
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
    match_threshold: float | None,
    timeout: float | None,
    max_attempts: int | None,
    retry_budget: float | None,
    mailto: str | None,
    verbose: int,
    snapshot: str | None,
    offline: bool,
    quiet: bool,
) -> None:
    """Resolve papers and write the enriched table.

    INPUTS are files (saved Hugging Face Daily Papers pages, text lists of ids,
    URLs or titles, CSV/TSV/JSON/JSONL/Parquet tables, BibTeX), ids and titles
    given inline (an argument that is not a file is one paper), or - to read
    standard input.

    Settings come from the environment (ENRICH_*, GITHUB_TOKEN, S2_API_KEY, HF_TOKEN);
    flags override them.  Exit 0 when the run completed and some row got data
    (even with rows not found, or a source skipped), 1 when no row got data from
    any source, 2 for bad usage or input.

    \b
    Examples:
        enrich run examples/papers.txt --replay cassettes/example.yaml -o enriched.parquet
        enrich run 2106.09685 "Attention Is All You Need" -o enriched.csv
        GITHUB_TOKEN=... enrich run my-papers.csv --mailto me@example.org -o enriched.csv
        enrich run papers.csv --snapshot snap/ --offline -o enriched.parquet
    """
    from enrich._api import enrich_result
    from enrich._output import check_output

    quiet = _chatter(verbose, quiet)
    started = time.monotonic()
    cancel = threading.Event()
    with _errors_as_lines():
        # Refuse an output that cannot be written before the first request is sent.
        check_output(output)
        chosen = _sources(sources)
        settings = Settings.from_env(
            cache_dir=Path(cache_dir) if cache_dir else None,
            use_cache=False if no_cache else None,
            match_threshold=match_threshold,
            timeout=timeout,
            max_attempts=max_attempts,
            retry_budget=retry_budget,
            mailto=mailto,
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
            with ProgressDisplay(enabled=not quiet) as progress:
                result = enrich_result(
                    _stdin_inputs(inputs),
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
    if result.report.papers and not result.report.rows_with_data:
        _fail(
            "no row could be enriched: no source gave data for any row"
            " (see the status_notes and errors columns)",
            _EXIT_NOTHING,
        )


@main.command()
@_output_option
@_chatter_options
@click.pass_context
def example(ctx: click.Context, output: str, verbose: int, quiet: bool) -> None:
    """Replay the shipped example offline: 30 listed papers, a synthetic cassette.

    The list and the cassette ship with enrich, so this works in any folder,
    with no network and no credentials.  The cassette was recorded against
    enrich's fake services, not the live APIs: its ids, counts and stars are
    made up.  It is `enrich run` on the list with `--replay` on the cassette.

    \b
    Example:
        enrich example -o enriched.parquet
    """
    from enrich._api import SYNTHETIC_NOTE
    from enrich._example import example_files

    with _errors_as_lines():
        papers, cassette = example_files()
    if not _chatter(verbose, quiet):
        click.echo(
            f"example: {papers.name} replayed from {cassette.name}. {SYNTHETIC_NOTE}", err=True
        )
    ctx.invoke(
        run,
        inputs=(str(papers),),
        output=output,
        replay=str(cassette),
        verbose=verbose,
        quiet=quiet,
    )


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
