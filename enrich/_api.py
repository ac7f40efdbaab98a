"""The library calls: :func:`read_papers` and :func:`enrich`.

The CLI (``enrich/cli.py``) is a thin mirror of these, with the same names.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import itertools
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl
from pydantic import SecretStr

from enrich._cassette import RecordingTransport, ReplayTransport
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import SOURCES, Settings
from enrich._exceptions import Cancelled, ConfigError, SourceUnavailableError
from enrich._inputs import Format, PaperStream, ReadReport, papers_to_frame, read_inputs
from enrich._merge import build_frame
from enrich._output import check_output, write_parts, write_table
from enrich._pipeline import ProgressCallback, RunReport, validate_sources
from enrich._progress import ProgressDisplay, in_jupyter
from enrich._runinfo import run_info
from enrich._snapshot import open_snapshot
from enrich._stats import SourceStats
from enrich._store import RowStore, namespace
from enrich._transport import network_transport
from enrich._version import __version__
from enrich._windows import WindowRunner

__all__ = ["EnrichResult", "enrich", "enrich_result", "read_papers"]

SYNTHETIC_NOTE = (
    "SYNTHETIC: recorded against enrich.testing.FakeServices, not the live APIs. "
    "Identifiers, counts and stars are invented by the fake's corpus."
)


def read_papers(papers: Any, *, format: Format | None = None) -> pl.DataFrame:
    """Read paper lists into one deduplicated table, one row per distinct paper.

    Args:
        papers: a path, a list of paths, a list of strings (arXiv ids, DOIs, URLs or
            titles), or a Polars/pandas DataFrame with recognised columns.
        format: force a reader (``daily``, ``text``, ``csv``, ``tsv``, ``json``,
            ``jsonl``, ``parquet``, ``bibtex``) instead of sniffing.

    Raises:
        InputError: nothing at all could be read (bad rows and files are skipped).

    >>> read_papers(["2106.09685", "Attention Is All You Need"]).select("arxiv_id", "title").rows()
    [('2106.09685', None), (None, 'Attention Is All You Need')]
    """
    return papers_to_frame(read_inputs(papers, format=format).papers)


@dataclass
class EnrichResult:
    """The enriched table plus what happened while making it.

    Its repr is a short summary (rows per status, requests per source, time);
    in Jupyter the same summary shows as a small HTML table.  The table itself
    is ``result.frame``.
    """

    #: the table; None when it was streamed to ``output``
    frame: pl.DataFrame | None
    report: RunReport
    #: counts and skips of the input; its ``papers`` stay empty (the input is streamed)
    read: ReadReport
    stats: dict[str, SourceStats] = field(default_factory=dict)
    recorded: int | None = None
    #: the snapshot used (path, releases, record counts), None for a live-only run
    snapshot: dict[str, Any] | None = None

    def summary(self) -> list[tuple[str, str]]:
        """``(label, text)`` pairs that both reprs show, a handful of short lines."""
        report, read = self.report, self.read
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(report.statuses.items())) or "none"
        lines = [
            ("rows", f"{report.papers} ({statuses})"),
            ("resolved", ", ".join(f"{s} {n}" for s, n in report.resolved.items()) or "none"),
        ]
        for source, stats in self.stats.items():
            retries = sum(stats.retries.values())
            lines.append(
                (source, f"{stats.requests} requests, {stats.cache_hits} cache hits, "
                 f"{retries} retries")
            )  # fmt: skip
        lines.append(
            ("read", f"{read.read} papers, {read.duplicates_merged} duplicates merged, "
             f"{len(read.skipped)} skipped")
        )  # fmt: skip
        if report.github_skipped:
            lines.append(("github", f"{report.github_skipped} repositories not looked up"))
        if self.recorded is not None:
            lines.append(("recorded", f"{self.recorded} HTTP exchanges"))
        table = (
            f"result.frame: {self.frame.height} rows x {self.frame.width} columns"
            if self.frame is not None
            else "written to the output file"
        )
        lines.append(("table", table))
        lines.append(("time", f"{report.elapsed:.1f} s"))
        return lines

    def __repr__(self) -> str:
        width = max(len(label) for label, _ in self.summary())
        body = "\n".join(f"  {label:<{width}}  {text}" for label, text in self.summary())
        return f"EnrichResult\n{body}"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:left'>{html.escape(text)}</td></tr>"
            for label, text in self.summary()
        )
        return f"<table><caption>EnrichResult</caption>{rows}</table>"


def _secrets(settings: Settings) -> list[str]:
    tokens = (settings.github_token, settings.s2_api_key, settings.hf_token)
    return [s.get_secret_value() for s in tokens if s]


@contextmanager
def _client_for(
    settings: Settings,
    *,
    client: Client | None,
    refresh: bool,
    record: str | os.PathLike[str] | None,
    replay: str | os.PathLike[str] | ReplayTransport | None,
    transport: httpx.BaseTransport | None,
    window: int,
) -> Iterator[tuple[Client, RecordingTransport | None]]:
    if replay is not None and (record is not None or transport is not None):
        raise ConfigError(
            "replay answers from the cassette; it cannot be combined with record/transport"
        )
    if client is not None:
        if record is not None or replay is not None or transport is not None:
            raise ConfigError("record/replay/transport build their own Client; do not pass client=")
        yield client, None
        return
    recorder: RecordingTransport | None = None
    if replay is not None:
        # No network, no cache, no pacing, and backoff on recorded 429s costs no time.
        owned = Client(
            settings.model_copy(update={"use_cache": False}),
            transport=replay if isinstance(replay, ReplayTransport) else ReplayTransport(replay),
            clock=FakeClock(),
            rate_limit=False,
        )
    elif record is not None:
        recorder = RecordingTransport(
            transport or network_transport(),
            record,
            secrets=_secrets(settings),
            metadata={
                "recorded_by": f"enrich {__version__}",
                "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "plan": _plan(settings, window),
            },
        )
        owned = Client(
            settings.model_copy(update={"use_cache": False}), transport=recorder, refresh=refresh
        )
    else:
        owned = Client(settings, transport=transport, refresh=refresh)
    with owned:
        yield owned, recorder


#: Papers resolved per pipeline run.  Batches divide it evenly (100, 500, 50), and
#: a window's records are dropped once its rows are built, so memory stays flat.
DEFAULT_WINDOW = 5_000


class _CumulativeProgress:
    """Turns per-window progress into progress over the whole run."""

    def __init__(self, inner: ProgressCallback | None) -> None:
        self.inner = inner
        self.base: dict[str, tuple[int, int]] = {}
        self.current: dict[str, tuple[int, int]] = {}

    def __call__(self, source: str, done: int, total: int) -> None:
        self.current[source] = (done, total)
        if self.inner is not None:
            base_done, base_total = self.base.get(source, (0, 0))
            self.inner(source, base_done + done, base_total + total)

    def next_window(self) -> None:
        for source, (done, total) in self.current.items():
            base_done, base_total = self.base.get(source, (0, 0))
            self.base[source] = (base_done + done, base_total + total)
        self.current.clear()


#: Settings that shape the request plan; a recording stores them so a replay asks
#: exactly the recorded requests, whatever the replaying machine's environment says.
_PLAN_FIELDS = (
    "arxiv_url",
    "s2_url",
    "github_url",
    "arxiv_batch_size",
    "arxiv_titles_per_query",
    "s2_batch_size",
    "github_batch_size",
    "s2_title_batch",
    "s2_bulk_max_chars",
    "s2_bulk_max_pages",
    "s2_bulk_miss_is_final",
    "title_order",
    # Decisions pick which earlier arXiv versions are fetched, so the threshold shapes requests.
    "match_threshold",
    "hf_url",  # issue #13
)


def _plan(settings: Settings, window: int) -> dict[str, Any]:
    plan: dict[str, Any] = {name: getattr(settings, name) for name in _PLAN_FIELDS}
    plan["github_authenticated"] = settings.github_token is not None
    plan["window"] = window
    return plan


def _replay_plan(
    settings: Settings, window: int, plan: dict[str, Any] | None
) -> tuple[Settings, int]:
    if not plan:
        return settings, window
    update = {name: plan[name] for name in _PLAN_FIELDS if name in plan}
    if "github_authenticated" in plan:
        # Only whether a token was set matters (GraphQL vs REST); no request is sent.
        update["github_token"] = SecretStr("replay") if plan["github_authenticated"] else None
    return settings.model_copy(update=update), int(plan.get("window", window))


def _interrupted(client: Client, report: RunReport) -> str:
    """What an interrupted run had done, for the one line the CLI prints."""
    stats = client.stats()
    sent = sum(s.requests for s in stats.values())
    per_source = ", ".join(f"{name} {s.requests}" for name, s in stats.items() if s.requests)
    hits = sum(s.cache_hits for s in stats.values())
    text = f"interrupted after {sent} requests" + (f" ({per_source})" if per_source else "")
    text += f" and {hits} cache hits"
    if report.papers:
        text += f"; {report.papers} papers were done"
    text += "; nothing was written"
    if client.settings.use_cache:
        text += " (answers so far are cached: a rerun resumes from them)"
    return text


def _progress_display(progress: ProgressCallback | bool | None) -> ProgressDisplay | None:
    """The display to show, if any: ``None`` means on in Jupyter and off elsewhere."""
    if progress is None:
        progress = in_jupyter()
    return ProgressDisplay() if progress is True else None


#: Papers per window when a snapshot answers first: each window costs one scan of
#: the extracts, so windows are larger (the live remainder still goes 5,000 at a time).
SNAPSHOT_WINDOW = 25_000


def enrich_result(
    papers: Any,
    *,
    sources: Sequence[str] = SOURCES,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool | None = None,
    refresh: bool = False,
    client: Client | None = None,
    settings: Settings | None = None,
    record: str | os.PathLike[str] | None = None,
    replay: str | os.PathLike[str] | None = None,
    transport: httpx.BaseTransport | None = None,
    format: Format | None = None,
    progress: ProgressCallback | bool | None = None,
    cancel: threading.Event | None = None,
    output: str | os.PathLike[str] | None = None,
    window: int = DEFAULT_WINDOW,
    snapshot: str | os.PathLike[str] | None = None,
    offline: bool = False,
) -> EnrichResult:
    """Like :func:`enrich`, but also returns the run report and per-source stats.

    With ``output``, the table is streamed window by window to that file (written
    atomically at the end) instead of being returned: ``result.frame`` is then
    ``None``.  This keeps memory flat for inputs of any size.  The output is
    checked (extension, folder, write access) before anything is read or asked.

    With ``snapshot`` (a directory made by ``enrich snapshot build``), rows are
    resolved from it first and only the rest go to the live services; with
    ``offline=True`` nothing is sent at all (see ``enrich/_snapshot``).

    >>> from enrich._example import example_files
    >>> papers, cassette = example_files()
    >>> result = enrich_result(papers, replay=cassette)
    >>> result.report.statuses, result.stats["arxiv"].requests
    ({'ok': 30}, 2)
    """
    chosen = validate_sources(sources)
    snap = open_snapshot(snapshot) if snapshot is not None else None
    if offline and snap is None:
        raise ConfigError("offline needs a snapshot: pass snapshot= (--snapshot DIR)")
    if snap is not None and window == DEFAULT_WINDOW:
        window = SNAPSHOT_WINDOW
    if window < 1:
        raise ConfigError(f"window must be at least 1, got {window}")
    if output is not None:
        check_output(output)  # a bad output fails now, not after every request
    player = ReplayTransport(replay) if replay is not None else None
    stream = PaperStream(papers, format)
    if settings is None:
        settings = client.settings if client is not None else Settings.from_env()
    overrides: dict[str, Any] = {}
    if cache_dir is not None:
        overrides["cache_dir"] = Path(cache_dir)
    if use_cache is not None:
        overrides["use_cache"] = use_cache
    if overrides:
        if client is not None:
            raise ConfigError("cache_dir/use_cache configure a new Client; do not pass client=")
        settings = settings.model_copy(update=overrides)
    if player is not None:
        settings, window = _replay_plan(settings, window, player.metadata.get("plan"))
    windows = stream.windows(window)
    # The first window is read before anything else is set up: an input from which
    # nothing can be read raises InputError here, and no cache folder is made.
    first = next(windows)
    fetched_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    report = RunReport()
    started = time.monotonic()
    display = _progress_display(progress)
    callback = display if display is not None else progress
    cumulative = _CumulativeProgress(None if isinstance(callback, bool) else callback)
    frames: list[pl.DataFrame] = []
    # Shared by the windows: a source that became unavailable is not asked (or logged) again.
    unavailable: dict[str, SourceUnavailableError] = {}
    with contextlib.ExitStack() as stack:
        if display is not None:
            stack.enter_context(display)
        # Made at the first finished window only: a run killed before then (SIGKILL
        # cleans nothing up) leaves no empty folder behind.
        parts: Path | None = None
        active, recorder = stack.enter_context(
            _client_for(
                settings,
                client=client,
                refresh=refresh,
                record=record,
                replay=player,
                transport=transport,
                window=window,
            )
        )
        if cancel is not None:
            stack.enter_context(active.cancel_on(cancel))
        # A snapshot run reads its rows from the snapshot: no decided-row store.
        store, reread = _row_store(active, chosen) if snap is None else (None, False)
        if store is not None:
            stack.enter_context(store)
        runner = WindowRunner(
            active,
            active.settings,
            chosen,
            fetched_at,
            report,
            store=store,
            refresh=refresh or reread,
            progress=cumulative,
            cancel=cancel,
            unavailable=unavailable,
            snapshot=snap,
            offline=offline,
            next_window=cumulative.next_window,
        )
        completed = False
        try:
            chunks = itertools.chain([first], windows)
            del first  # each window is let go once its rows are built
            for number, chunk in enumerate(chunks):
                frame = runner.rows(chunk)
                del chunk
                if output is None:
                    frames.append(frame)
                else:
                    if parts is None:
                        parts = Path(
                            stack.enter_context(tempfile.TemporaryDirectory(prefix="enrich-"))
                        )
                    frame.write_parquet(_part(parts, number))
                del frame
            if stream.late:
                runner.fold_late(stream.late, window, *_window_access(frames, parts))
            completed = True
        except Cancelled as exc:
            raise Cancelled(_interrupted(active, report)) from exc
        finally:
            # A cassette of half a run would fail its replay: save whole runs only.
            recorded = recorder.save() if recorder is not None and completed else None
        stats = active.stats()
        report.elapsed = time.monotonic() - started
        if output is not None:
            files = sorted(parts.glob("part-*.parquet")) if parts is not None else []
            info = run_info(
                active.settings,
                chosen,
                fetched_at,
                snapshot={**snap.info(), "offline": offline} if snap is not None else None,
            )
            if files:
                write_parts(files, output, info)
            else:
                write_table(build_frame([], fetched_at), output, info)
            result_frame = None
        else:
            result_frame = pl.concat(frames) if frames else build_frame([], fetched_at)
    return EnrichResult(
        frame=result_frame,
        report=report,
        read=stream.report,
        stats=stats,
        recorded=recorded,
        snapshot=snap.info() if snap is not None else None,
    )


def _part(parts: Path, number: int) -> Path:
    return parts / f"part-{number:06d}.parquet"


def _window_access(
    frames: list[pl.DataFrame], parts: Path | None
) -> tuple[Callable[[int], pl.DataFrame], Callable[[int, pl.DataFrame], None]]:
    """How to read and replace a finished window's rows: in memory, or its Parquet part."""
    if parts is None:

        def save_frame(number: int, frame: pl.DataFrame) -> None:
            frames[number] = frame

        return frames.__getitem__, save_frame
    folder = parts

    def save_part(number: int, frame: pl.DataFrame) -> None:
        frame.write_parquet(_part(folder, number))

    return lambda number: pl.read_parquet(_part(folder, number)), save_part


def _row_store(active: Client, sources: tuple[str, ...]) -> tuple[RowStore | None, bool]:
    """The decided-row store for this run (None without a response cache), and
    whether the client skips cache reads (then stored rows are not read either)."""
    answers = active.response_cache
    if answers is None:
        return None, False
    space = namespace(active.settings, sources, active.answer_source)
    return RowStore(active.settings, space, active.clock, answers=answers), active.refreshing


def enrich(
    papers: Any,
    *,
    sources: Sequence[str] = SOURCES,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool | None = None,
    refresh: bool = False,
    client: Client | None = None,
    settings: Settings | None = None,
    record: str | os.PathLike[str] | None = None,
    replay: str | os.PathLike[str] | None = None,
    transport: httpx.BaseTransport | None = None,
    format: Format | None = None,
    progress: ProgressCallback | bool | None = None,
    snapshot: str | os.PathLike[str] | None = None,
    offline: bool = False,
) -> pl.DataFrame:
    """Resolve papers against arXiv, Semantic Scholar, GitHub and the Hugging Face Hub into one table.

    One row per distinct input paper, in input order, with the columns of
    ``enrich schema`` (identifiers, venue, year, citation counts, repository and
    stars, each with its provenance, plus ``status``, a status per source,
    ``status_notes`` and ``errors``).  Source failures become row errors, and a
    source that is unavailable (throttled or unreachable) leaves its rows
    ``skipped``; the call itself only raises for bad
    configuration or unreadable input.  Safe to call from a notebook with a
    running event loop (the work runs on plain threads).

    Args:
        papers: a path, a list of paths, a list of strings (arXiv ids, DOIs, URLs
            or titles), or a Polars/pandas DataFrame with recognised columns.
        sources: any of ``"arxiv"``, ``"s2"``, ``"github"``, ``"hf"`` (default: all four).
        cache_dir: cache directory (default: ``ENRICH_CACHE_DIR`` or the user cache dir).
        use_cache: False to neither read nor write the cache.
        refresh: skip cache reads (answers are still written).
        client: a long-lived :class:`Client` to reuse across calls.
        settings: explicit :class:`Settings` (default: from the environment).
        record: write every HTTP exchange to this VCR cassette.
        replay: answer every request from this cassette, with no network.
        transport: an httpx transport to send through instead of the network, e.g.
            ``enrich.testing.FakeServices(corpus).transport()`` (recorded too with ``record``).
        format: force an input reader.
        progress: ``True`` shows per-source progress bars (rich; in Jupyter they
            need ``ipywidgets``, else a line every few seconds), ``False`` shows
            nothing, a callable is called as ``callback(source, done, total)``.
            By default progress shows in Jupyter only.
        snapshot: a directory built by ``enrich snapshot build``: rows are resolved
            from it first (provenance ``arxiv-snapshot``/``s2-snapshot``, release
            dates in ``*_snapshot_release``), the live services only for the rest.
        offline: with ``snapshot``, send nothing: rows it lacks say so in ``errors``.

    Raises:
        ConfigError: unknown source, conflicting options.
        InputError: nothing could be read from ``papers``.

    The shipped example, replayed offline (its cassette is synthetic):

    >>> import enrich
    >>> from enrich._example import example_files
    >>> papers, cassette = example_files()
    >>> df = enrich.enrich(papers, replay=cassette, progress=False)
    >>> df.height, df["status"].unique().to_list()
    (30, ['ok'])
    >>> df.filter(pl.col("arxiv_id") == "2601.93909").select("venue", "year", "repo_stars").row(0)
    ('AAAI', 2026, 3)
    """
    return enrich_result(
        papers,
        sources=sources,
        cache_dir=cache_dir,
        use_cache=use_cache,
        refresh=refresh,
        client=client,
        settings=settings,
        record=record,
        replay=replay,
        transport=transport,
        format=format,
        progress=progress,
        snapshot=snapshot,
        offline=offline,
    ).frame  # type: ignore[return-value]  # without output= the frame is always built
