"""``enrich snapshot build``: bulk snapshots -> narrow, sorted, partitioned Parquet extracts.

Layout of a built snapshot directory (plain Parquet, readable by any engine)::

    manifest.json                        sources, release dates, counts, enrich version
    arxiv/bucket=NNN/part-0.parquet      arXiv records, sorted by arxiv_id
    s2/bucket=NNN/part-0.parquet         S2 records, sorted by corpusid (bucket = corpusid % B)
    s2_by_arxiv/bucket=NNN/...           (arxiv_id, corpusid), sorted by arxiv_id
    dois/bucket=NNN/...                  (doi, source, corpusid, arxiv_id), sorted by doi
    titles/bucket=NNN/...                (title_key, source, year, corpusid, arxiv_id), sorted by title_key

Two passes, each with memory bounded whatever the snapshot's size: the readers
stream blocks of lines and every block is split by key bucket into staging
files; then each bucket (about 1/B of an extract) is sorted on its own and
written with small row groups, so a key filter reads few of them.  A bucket is
a hash of the key, used only to bound the sort's memory: readers never need
it, they filter on the key column (whose row-group statistics the sort makes
tight).  The manifest is written last: a directory without one is not a
snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import polars as pl

from enrich._exceptions import ConfigError
from enrich._snapshot._readers import DEFAULT_BLOCK_BYTES, read_arxiv, read_s2
from enrich._version import __version__

__all__ = ["EXTRACTS", "MANIFEST_NAME", "BuildReport", "build_snapshot"]

MANIFEST_NAME: Final = "manifest.json"
#: Version of the extract layout; a reader refuses a layout it does not know.
FORMAT_VERSION: Final = 1
#: Input bytes per bucket: a bucket's sort then holds ~150 MB of narrow rows.
_BYTES_PER_BUCKET: Final = 160 * 1024 * 1024
_MAX_BUCKETS: Final = 256
#: Rows per Parquet row group: small enough that key statistics prune well.
ROW_GROUP_SIZE: Final = 65_536

#: Extract name -> (sort key, source it is built from).
EXTRACTS: Final = {
    "arxiv": "arxiv_id",
    "s2": "corpusid",
    "s2_by_arxiv": "arxiv_id",
    "dois": "doi",
    "titles": "title_key",
}

_RELEASE_RE = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass
class BuildReport:
    """What a build read and wrote (the manifest holds the same figures)."""

    out: Path
    records: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def records_per_second(self) -> float:
        total = sum(self.records.values())
        return total / self.elapsed if self.elapsed > 0 else 0.0


def _release_from_paths(paths: Sequence[Path]) -> str | None:
    """The S2 release id (``YYYY-MM-DD``) named in the download path, if any."""
    for path in paths:
        for part in reversed(path.parts):
            found = _RELEASE_RE.fullmatch(part) or _RELEASE_RE.search(part)
            if found:
                return found.group(1)
    return None


def _bucket_of(key: str, buckets: int) -> pl.Expr:
    col = pl.col(key)
    if key == "corpusid":
        return (col % buckets).cast(pl.Int32)
    return (col.hash(seed=0) % buckets).cast(pl.Int32)


class _Stager:
    def __init__(self, root: Path, buckets: int) -> None:
        self.root = root
        self.buckets = buckets
        self.rows: dict[str, int] = dict.fromkeys(EXTRACTS, 0)
        self.block = 0

    def add(self, extract: str, frame: pl.DataFrame) -> None:
        if not frame.height:
            return
        key = EXTRACTS[extract]
        keep = pl.col(key).is_not_null()
        if frame.schema[key] == pl.String:
            keep &= pl.col(key) != ""
        frame = frame.filter(keep)
        self.rows[extract] += frame.height
        tagged = frame.with_columns(_bucket_of(key, self.buckets).alias("_bucket"))
        for (bucket,), part in tagged.partition_by("_bucket", as_dict=True).items():
            folder = self.root / extract / f"{bucket:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            part.drop("_bucket").write_parquet(
                folder / f"blk-{self.block:06d}.parquet", compression="lz4", statistics=False
            )
        self.block += 1


def _stage_s2(frame: pl.DataFrame, stager: _Stager) -> None:
    stager.add("s2", frame)
    stager.add("s2_by_arxiv", frame.select("arxiv_id", "corpusid"))
    stager.add(
        "dois",
        frame.select("doi", pl.lit("s2").alias("source"), "corpusid", "arxiv_id"),
    )
    stager.add(
        "titles",
        frame.select("title_key", pl.lit("s2").alias("source"), "year", "corpusid", "arxiv_id"),
    )


def _stage_arxiv(frame: pl.DataFrame, stager: _Stager) -> None:
    stager.add("arxiv", frame)
    stager.add(
        "dois",
        frame.select(
            "doi",
            pl.lit("arxiv").alias("source"),
            pl.lit(None, pl.Int64).alias("corpusid"),
            "arxiv_id",
        ),
    )
    stager.add(
        "titles",
        frame.select(
            "title_key",
            pl.lit("arxiv").alias("source"),
            pl.col("published").dt.year().cast(pl.Int64).alias("year"),
            pl.lit(None, pl.Int64).alias("corpusid"),
            "arxiv_id",
        ),
    )


def _finish(staging: Path, out: Path, extract: str) -> tuple[int, int]:
    """Sort each staged bucket into ``out/extract/bucket=NNN/part-0.parquet``."""
    key = EXTRACTS[extract]
    rows = files = 0
    folder = staging / extract
    if not folder.exists():
        return 0, 0
    for bucket_dir in sorted(folder.iterdir()):
        target = out / extract / f"bucket={bucket_dir.name}"
        target.mkdir(parents=True, exist_ok=True)
        # One bucket is a bounded share of the extract: sorted in memory, written once.
        frame = pl.read_parquet(sorted(bucket_dir.glob("*.parquet")))
        if extract in ("arxiv", "s2"):
            # A record seen twice (overlapping shards or files) is kept once.
            frame = frame.unique(subset=[key], keep="last", maintain_order=True)
        else:
            frame = frame.unique()
        frame = frame.sort(key)
        frame.write_parquet(
            target / "part-0.parquet", row_group_size=ROW_GROUP_SIZE, statistics=True
        )
        rows += frame.height
        files += 1
        shutil.rmtree(bucket_dir)
    return rows, files


def _files(paths: Iterable[str | Path], label: str) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.name[0] != "."))
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigError(f"{label} input not found: {path}")
    return found


Reader = Callable[[list[Path]], Iterator[pl.DataFrame]]


def _readers(engine: str, block_bytes: int) -> tuple[Reader, Reader, str]:
    from enrich._snapshot import _duckdb

    if engine not in ("auto", "polars", "duckdb"):
        raise ConfigError(f"unknown engine {engine!r}; valid engines: auto, polars, duckdb")
    if engine == "duckdb" and not _duckdb.available():
        raise ConfigError("engine 'duckdb' needs the optional extra: pip install 'enrich[duckdb]'")
    if engine != "polars" and _duckdb.available():
        return _duckdb.read_s2_duckdb, _duckdb.read_arxiv_duckdb, "duckdb"
    return (
        lambda paths: read_s2(paths, block_bytes=block_bytes),
        lambda paths: read_arxiv(paths, block_bytes=block_bytes),
        "polars",
    )


def build_snapshot(
    out: str | Path,
    *,
    s2: Iterable[str | Path] = (),
    arxiv: Iterable[str | Path] = (),
    s2_release: str | None = None,
    arxiv_release: str | None = None,
    buckets: int | None = None,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    overwrite: bool = False,
    engine: str = "auto",
) -> BuildReport:
    """Build snapshot extracts in ``out`` from S2 ``papers`` shards and arXiv snapshot files.

    Args:
        out: directory to create (must be empty or absent unless ``overwrite``).
        s2: S2 Datasets API ``papers`` shards (gzipped JSONL files or folders of them).
        arxiv: arXiv metadata snapshot files (``arxiv-metadata-oai-snapshot.json``,
            plain or gzipped) or folders of them.
        s2_release: the S2 release id (``YYYY-MM-DD``); default: a date in the
            shards' path (downloads are laid out by release), else unknown.
        arxiv_release: the arXiv snapshot's date; default: the latest
            ``update_date`` in the file (the snapshot is at least that recent).
        buckets: key buckets per extract (default: from the input size).
        block_bytes: decompressed bytes parsed at a time (bounds memory).
        overwrite: replace an existing snapshot in ``out``.
        engine: who parses the JSON lines: ``"polars"``, ``"duckdb"`` (the optional
            extra, faster) or ``"auto"`` (DuckDB when installed).

    Raises:
        ConfigError: no input, a missing input file, ``out`` already holds data,
            or an unknown or unavailable engine.

    >>> build_snapshot("snap", s2=["s2/2024-11-05/papers"], arxiv=["arxiv.json"])  # doctest: +SKIP
    """
    started = time.monotonic()
    readers = _readers(engine, block_bytes)
    s2_files, arxiv_files = _files(s2, "S2"), _files(arxiv, "arXiv")
    if not s2_files and not arxiv_files:
        raise ConfigError("nothing to build: give --s2 shards and/or an --arxiv snapshot")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ConfigError(
                f"{out} is not empty; pass overwrite=True (--overwrite) to replace it"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    if buckets is None:
        size = sum(p.stat().st_size for p in (*s2_files, *arxiv_files))
        buckets = max(1, min(_MAX_BUCKETS, -(-size // _BYTES_PER_BUCKET)))
    staging = out / "_staging"
    stager = _Stager(staging, buckets)
    report = BuildReport(out)
    report.records = {"s2": 0, "arxiv": 0}
    latest_update: dt.date | None = None
    timings: dict[str, float] = {}
    phase = time.monotonic()
    for frame in readers[0](s2_files):
        report.records["s2"] += frame.height
        _stage_s2(frame, stager)
    timings["read_s2"] = round(time.monotonic() - phase, 2)
    phase = time.monotonic()
    for frame in readers[1](arxiv_files):
        report.records["arxiv"] += frame.height
        newest = frame["update_date"].max()
        if isinstance(newest, dt.date) and (latest_update is None or newest > latest_update):
            latest_update = newest
        _stage_arxiv(frame, stager)
    timings["read_arxiv"] = round(time.monotonic() - phase, 2)
    phase = time.monotonic()
    extracts: dict[str, Any] = {}
    for name, key in EXTRACTS.items():
        rows, files = _finish(staging, out, name)
        report.rows[name] = rows
        extracts[name] = {"key": key, "rows": rows, "files": files}
    shutil.rmtree(staging, ignore_errors=True)
    timings["sort_and_write"] = round(time.monotonic() - phase, 2)
    sources: dict[str, Any] = {}
    if s2_files:
        release = s2_release or _release_from_paths(s2_files)
        sources["s2"] = {
            "dataset": "Semantic Scholar Datasets API, papers",
            "release": release,
            "release_from": "given" if s2_release else ("path" if release else None),
            "files": [str(p) for p in s2_files],
            "records": report.records["s2"],
        }
    if arxiv_files:
        release = arxiv_release or (latest_update.isoformat() if latest_update else None)
        sources["arxiv"] = {
            "dataset": "arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json)",
            "release": release,
            "release_from": "given"
            if arxiv_release
            else ("latest update_date" if release else None),
            "files": [str(p) for p in arxiv_files],
            "records": report.records["arxiv"],
        }
    report.elapsed = time.monotonic() - started
    report.manifest = {
        "format": FORMAT_VERSION,
        "built_by": f"enrich {__version__}",
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "buckets": buckets,
        "engine": readers[2],
        "sources": sources,
        "extracts": extracts,
        "build_seconds": round(report.elapsed, 3),
        "phase_seconds": timings,
    }
    (out / MANIFEST_NAME).write_text(json.dumps(report.manifest, indent=2) + "\n")
    return report
