"""What produced an output file: the record written into it (or beside it).

Parquet files carry it in their footer as key-value metadata, readable with
``pyarrow.parquet.read_metadata(path).metadata`` (keys ``enrich.version``,
``enrich.sources``, ``enrich.settings``, ``enrich.columns`` and
``enrich.run_started``; sources, settings and columns are JSON, the version
and the start time (ISO 8601, UTC) plain strings).  JSON and NDJSON
outputs get the same record in a sidecar file named after the output plus
``.meta.json`` (``enriched.ndjson.meta.json``), as one JSON object under the
key ``"enrich"``.  Credentials never appear: a secret setting is recorded only
as ``"set"`` or ``null``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pydantic import SecretStr

from enrich._config import Settings
from enrich._schema import OUTPUT_COLUMNS
from enrich._version import __version__

__all__ = ["METADATA_PREFIX", "SIDECAR_SUFFIX", "run_info", "sidecar_path", "to_parquet_metadata"]

#: Prefix of every key enrich writes into a Parquet footer.
METADATA_PREFIX: Final = "enrich."
#: Appended to a JSON/NDJSON output's file name for its sidecar.
SIDECAR_SUFFIX: Final = ".meta.json"


def _setting(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "set"  # whether a credential was given, never its value
    if isinstance(value, Path):
        return str(value)
    return value


def run_info(
    settings: Settings | None,
    sources: Sequence[str],
    run_started: dt.datetime,
    columns: Sequence[str] | None = None,
    snapshot: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The record of one run: version, sources, settings without secrets, columns, start.

    ``columns`` limits the column descriptions to the columns a file has
    (default: every column of the enriched table).  ``snapshot`` is the
    snapshot a run read first (its path, release dates and record counts, and
    whether the run was offline), so that a file's citation counts are never
    taken for live ones.

    >>> info = run_info(Settings.from_env({"GITHUB_TOKEN": "ghp_x"}), ["arxiv"],
    ...                 dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    >>> info["sources"], info["settings"]["github_token"], info["run_started"]
    (['arxiv'], 'set', '2026-01-02T03:04:05+00:00')
    >>> "ghp_x" in json.dumps(info)
    False
    """
    return {
        "version": __version__,
        "sources": list(sources),
        "settings": (
            {name: _setting(getattr(settings, name)) for name in type(settings).model_fields}
            if settings is not None
            else None
        ),
        "columns": {
            column.name: column.description
            for column in OUTPUT_COLUMNS
            if columns is None or column.name in columns
        },
        "run_started": run_started.isoformat(),
        **({"snapshot": dict(snapshot)} if snapshot is not None else {}),
    }


def to_parquet_metadata(info: Mapping[str, Any]) -> dict[str, str]:
    """``info`` as Parquet footer key-value pairs (strings; nested values as JSON)."""
    return {
        f"{METADATA_PREFIX}{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in info.items()
    }


def sidecar_path(output: str | Path) -> Path:
    """Where the record of a JSON/NDJSON output goes: ``<output>.meta.json``."""
    path = Path(output)
    return path.with_name(path.name + SIDECAR_SUFFIX)
