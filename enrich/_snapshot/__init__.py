"""Offline snapshot mode: bulk snapshots of S2 and arXiv as local Parquet extracts."""

from enrich._snapshot._build import BuildReport, build_snapshot

__all__ = ["BuildReport", "build_snapshot"]
