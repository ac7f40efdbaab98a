"""The run loop's windows: papers -> rows, through the decided-row store when there is one.

:class:`WindowRunner` turns one window of distinct papers into its rows.  With a
:class:`~enrich._store.RowStore`, papers whose row is stored and still valid are
joined from the store (the paper as listed now, plus its stored resolved
columns); only the rest are resolved, and their error-free rows are stored for
the next run.

Inputs are streamed (:class:`~enrich._inputs.PaperStream`), so a listing can
turn out to be a duplicate of a paper whose window was already resolved.
:meth:`WindowRunner.fold_late` settles those at the end: when the merged paper
differs only in fields that never change a decision (origins, upvotes), its
input columns are rewritten in place; otherwise the merged paper is resolved
again and its row replaced.  Either way the table equals the one a whole-input
read would give.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from enrich._client import Client
from enrich._config import Settings
from enrich._exceptions import SourceUnavailableError
from enrich._inputs import PAPER_SCHEMA, merge_late
from enrich._merge import Outcome, build_frame
from enrich._models import Paper
from enrich._pipeline import ProgressCallback, RunReport, resolve
from enrich._schema import INPUT_RENAMES, OUTPUT_SCHEMA, STATUS_SOURCES
from enrich._snapshot import LiveResolver, Snapshot, snapshot_window
from enrich._store import RESOLVED_SCHEMA, RecordingSender, RowStore, paper_key, rows_frame
from enrich.adapters.base import Sender

__all__ = ["WindowRunner", "add_reports", "input_frame", "joined_rows", "paper_from_row"]

_ROW = "__row"


def add_reports(total: RunReport, part: RunReport) -> None:
    total.papers += part.papers
    for source, count in part.resolved.items():
        total.resolved[source] = total.resolved.get(source, 0) + count
    total.not_found += part.not_found
    total.errors += part.errors
    total.github_skipped += part.github_skipped
    for source, why in part.unavailable.items():
        total.unavailable.setdefault(source, why)


def _counted(frame: pl.DataFrame) -> RunReport:
    """What :func:`resolve` would have reported for the rows of ``frame``.

    A source's status is ``ok`` exactly when the row holds its record.
    """
    has = {source: frame[f"{source}_status"] == "ok" for source in STATUS_SOURCES}
    failed = pl.Series([False] * frame.height)
    lost = pl.Series([False] * frame.height)
    for source in STATUS_SOURCES:
        failed = failed | (frame[f"{source}_status"] == "error")
        lost = lost | frame[f"{source}_status"].is_in(["error", "skipped"])
    return RunReport(
        papers=frame.height,
        resolved={source: int(column.sum()) for source, column in has.items()},
        not_found=int((~has["arxiv"] & ~has["s2"] & ~lost).sum()),
        errors=int(failed.sum()),
    )


def _status_counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    counts = frame.group_by(column).len()
    return dict(zip(counts[column].to_list(), counts["len"].to_list(), strict=True))


def _add_statuses(report: RunReport, frame: pl.DataFrame, sign: int = 1) -> None:
    """Add (``sign=-1``: take away) ``frame``'s rows per status and per source status."""
    for status, count in _status_counts(frame, "status").items():
        report.statuses[status] = report.statuses.get(status, 0) + sign * count
    for source in STATUS_SOURCES:
        counts = report.source_statuses.setdefault(source, {})
        for status, count in _status_counts(frame, f"{source}_status").items():
            counts[status] = counts.get(status, 0) + sign * count


def _subtract(report: RunReport, frame: pl.DataFrame) -> None:
    part = _counted(frame)
    report.papers -= part.papers
    for source, count in part.resolved.items():
        report.resolved[source] = report.resolved.get(source, 0) - count
    report.not_found -= part.not_found
    report.errors -= part.errors
    _add_statuses(report, frame, -1)


def _list_column(name: str, values: Sequence[tuple[str, ...]]) -> pl.Series:
    """A List(String) column built from one flat column (Polars builds nested
    Python lists row by row, about ten times slower)."""
    rows = pl.Series("row", [i for i, items in enumerate(values) for _ in items], pl.UInt32)
    flat = pl.DataFrame(
        {"row": rows, name: pl.Series(name, [x for v in values for x in v], pl.String)}
    )
    grouped = flat.group_by("row", maintain_order=True).agg(pl.col(name))
    every = pl.DataFrame({"row": pl.Series("row", range(len(values)), pl.UInt32)})
    column = every.join(grouped, on="row", how="left")[name]
    return column.fill_null(pl.lit([], pl.List(pl.String())))


def input_frame(papers: Sequence[Paper]) -> pl.DataFrame:
    """:func:`~enrich._inputs.papers_to_frame`, faster: the same columns and values."""
    columns: list[pl.Series] = []
    for name, dtype in PAPER_SCHEMA.items():
        values = [getattr(paper, name) for paper in papers]
        if isinstance(dtype, pl.List):
            columns.append(_list_column(name, values))
        else:
            columns.append(pl.Series(name, values, dtype))
    return pl.DataFrame(columns)


def joined_rows(
    papers: Sequence[Paper], resolved: pl.DataFrame, fetched_at: dt.datetime
) -> pl.DataFrame:
    """Output rows from ``papers`` (input columns) and their resolved columns, aligned."""
    inputs = input_frame(papers).rename(INPUT_RENAMES)
    stamp = pl.lit(fetched_at, dtype=OUTPUT_SCHEMA["fetched_at"]).alias("fetched_at")
    return (
        pl.concat([inputs, resolved], how="horizontal")
        .with_columns(stamp)
        .select(list(OUTPUT_SCHEMA))
    )


def paper_from_row(row: Mapping[str, Any]) -> Paper:
    """The paper an output row was made for, from its input columns."""
    return Paper.model_validate(
        {name: row[INPUT_RENAMES.get(name, name)] for name in Paper.model_fields}
    )


def _in_order(parts: Sequence[tuple[Sequence[int], pl.DataFrame]]) -> pl.DataFrame:
    numbered = [frame.with_columns(pl.Series(_ROW, list(rows), pl.Int64)) for rows, frame in parts]
    return pl.concat(numbered).sort(_ROW).drop(_ROW)


@dataclass
class WindowRunner:
    """Resolves windows of papers into rows and keeps the run's report."""

    sender: Sender
    settings: Settings
    sources: tuple[str, ...]
    fetched_at: dt.datetime
    report: RunReport
    store: RowStore | None = None
    #: decide every row again (the store is written, not read)
    refresh: bool = False
    progress: ProgressCallback | None = None
    cancel: threading.Event | None = None
    #: shared by the windows: a source that became unavailable is not asked again
    unavailable: dict[str, SourceUnavailableError] = field(default_factory=dict)
    #: resolve from this snapshot first (the live sources only for what it lacks)
    snapshot: Snapshot | None = None
    #: with a snapshot: send nothing, the rows it lacks say so
    offline: bool = False
    #: called after each resolve, so progress adds up across the run's resolves
    next_window: Callable[[], None] | None = None

    def rows(self, papers: Sequence[Paper]) -> pl.DataFrame:
        """The rows of ``papers``, in order; the run's report counts them."""
        stored: list[bytes | None] = (
            self.store.lookup(papers)
            if self.store is not None and not self.refresh
            else [None] * len(papers)
        )
        todo = [i for i, line in enumerate(stored) if line is None]
        parts: list[tuple[Sequence[int], pl.DataFrame]] = []
        if todo:
            chunk = papers if len(todo) == len(papers) else [papers[i] for i in todo]
            parts.append((todo, self._decide(chunk)))
        served = [i for i, line in enumerate(stored) if line is not None]
        if served:
            lines = [line for line in stored if line is not None]
            frame = joined_rows([papers[i] for i in served], rows_frame(lines), self.fetched_at)
            add_reports(self.report, _counted(frame))
            _add_statuses(self.report, frame)
            parts.append((served, frame))
        if len(parts) == 1:
            return parts[0][1]
        if not parts:
            return build_frame([], self.fetched_at)
        return _in_order(parts)

    def _decide(self, papers: Sequence[Paper]) -> pl.DataFrame:
        if self.snapshot is not None:
            live = None if self.offline else self._live(self.sender)
            frame, part = snapshot_window(
                papers,
                self.snapshot,
                live=live,
                fetched_at=self.fetched_at,
                sources=self.sources,
                threshold=self.settings.match_threshold,
            )
            add_reports(self.report, part)
            _add_statuses(self.report, frame)
            return frame
        recorder = None
        if self.store is not None:
            key = self.sender.cache_key if isinstance(self.sender, Client) else None
            recorder = RecordingSender(self.sender, key)
        outcomes, part = self._live(recorder or self.sender)(papers)
        add_reports(self.report, part)
        frame = build_frame(outcomes, self.fetched_at)
        del outcomes
        _add_statuses(self.report, frame)
        if self.store is not None and recorder is not None:
            self.store.save(papers, frame, recorder.keys)
        return frame

    def _live(self, sender: Sender) -> LiveResolver:
        """Resolve papers through ``sender`` (the live sources, or their cache)."""

        def run(papers: Sequence[Paper]) -> tuple[list[Outcome], RunReport]:
            found = resolve(
                papers,
                sender,
                self.settings,
                sources=self.sources,
                progress=self.progress,
                cancel=self.cancel,
                unavailable=self.unavailable,
            )
            if self.next_window is not None:
                self.next_window()
            return found

        return run

    def fold_late(
        self,
        late: Mapping[int, Sequence[Paper]],
        window: int,
        load: Callable[[int], pl.DataFrame],
        save: Callable[[int, pl.DataFrame], None],
    ) -> None:
        """Fold listings found after their paper's window was resolved into its row.

        Args:
            late: paper number -> its later listings (:attr:`PaperStream.late`).
            window: papers per window (paper ``n`` is row ``n % window`` of window ``n // window``).
            load, save: read and replace a window's rows.
        """
        by_window: dict[int, list[int]] = {}
        for number in sorted(late):
            by_window.setdefault(number // window, []).append(number)
        # One window in memory at a time: the replacement rows, not the windows, are kept.
        redo: list[tuple[int, int, Paper]] = []
        patched: dict[int, list[tuple[int, pl.DataFrame]]] = {}
        for index, numbers in by_window.items():
            frame = load(index)
            for number in numbers:
                offset = number - index * window
                old = frame.slice(offset, 1)
                before = paper_from_row(old.row(0, named=True))
                merged = merge_late(before, late[number])
                if paper_key(merged) == paper_key(before):
                    resolved = old.select(list(RESOLVED_SCHEMA))
                    row = joined_rows([merged], resolved, self.fetched_at)
                    patched.setdefault(index, []).append((offset, row))
                else:
                    _subtract(self.report, old)
                    redo.append((index, offset, merged))
            del frame
        if redo:
            again = self.rows([paper for _, _, paper in redo])
            for position, (index, offset, _) in enumerate(redo):
                patched.setdefault(index, []).append((offset, again.slice(position, 1)))
        for index, rows in patched.items():
            frame = load(index)
            replaced = {offset for offset, _ in rows}
            kept = [i for i in range(frame.height) if i not in replaced]
            parts: list[tuple[Sequence[int], pl.DataFrame]] = [
                (kept, frame.with_row_index(_ROW).filter(pl.col(_ROW).is_in(kept)).drop(_ROW))
            ]
            parts += [([offset], row) for offset, row in rows]
            del frame
            save(index, _in_order(parts))
