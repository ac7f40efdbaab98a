"""Offline snapshot mode: bulk snapshots of S2 and arXiv as local Parquet extracts.

``build_snapshot`` turns the Semantic Scholar Datasets API ``papers`` shards and
the arXiv metadata snapshot into narrow, sorted Parquet extracts (``_build.py``);
``resolve_from_snapshot`` answers papers from them with the live matcher's rules
(``_resolve.py``); ``snapshot_window`` is the run loop's hook.
"""

from enrich._snapshot._build import BuildReport, build_snapshot
from enrich._snapshot._resolve import (
    LiveResolver,
    Snapshot,
    SnapshotPass,
    label_snapshot_rows,
    offline_outcome,
    open_snapshot,
    resolve_from_snapshot,
    snapshot_window,
)

__all__ = [
    "BuildReport",
    "LiveResolver",
    "Snapshot",
    "SnapshotPass",
    "build_snapshot",
    "label_snapshot_rows",
    "offline_outcome",
    "open_snapshot",
    "resolve_from_snapshot",
    "snapshot_window",
]
