"""Writing the result table to disk, atomically, in the format its extension names."""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import polars as pl

from enrich._exceptions import ConfigError
from enrich._runinfo import sidecar_path, to_parquet_metadata

__all__ = ["OUTPUT_FORMATS", "check_output", "write_parts", "write_table"]

#: Valid output extensions (without the dot).
OUTPUT_FORMATS: Final[tuple[str, ...]] = ("parquet", "csv", "tsv", "ndjson", "jsonl", "json")

#: Cells beginning with these are formulas to a spreadsheet (OWASP "CSV injection").
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_LIST_SEPARATOR: Final = "; "


def _flat_cell(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _defuse(expr: pl.Expr) -> pl.Expr:
    risky = pl.any_horizontal(*(expr.str.starts_with(start) for start in _FORMULA_STARTS))
    return pl.when(risky).then(pl.lit("'") + expr).otherwise(expr)


def _flatten_for_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists joined with ``"; "``, structs and nested values as JSON, text defused."""
    nested_as_json = [
        pl.Series(name, [_flat_cell(v) for v in frame.get_column(name).to_list()], pl.String)
        for name, dtype in frame.schema.items()
        if dtype == pl.Object
        or (
            dtype.is_nested()
            and not (isinstance(dtype, pl.List | pl.Array) and not dtype.inner.is_nested())
        )
    ]
    frame = frame.with_columns(nested_as_json)
    columns: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.List | pl.Array):
            column = column.cast(pl.List(pl.String)).list.join(_LIST_SEPARATOR)
        elif not (dtype == pl.String or dtype == pl.Categorical or dtype == pl.Enum):
            columns.append(column)
            continue
        columns.append(_defuse(column.cast(pl.String)).alias(name))
    return frame.select(columns)


#: Output kinds whose run record goes in a sidecar file (Parquet keeps it in its footer).
_SIDECAR_KINDS: Final = frozenset({"json", "ndjson", "jsonl"})


def _write(
    frame: pl.DataFrame, kind: str, handle: io.BufferedWriter, footer: dict[str, str] | None
) -> None:
    if kind == "parquet":
        frame.write_parquet(handle, metadata=footer)
    elif kind in {"csv", "tsv"}:
        flat = _flatten_for_text(frame)
        flat.write_csv(handle, separator="\t" if kind == "tsv" else ",", date_format="%Y-%m-%d")
    elif kind in {"ndjson", "jsonl"}:
        frame.write_ndjson(handle)
    else:
        frame.write_json(handle)


def write_table(
    frame: pl.DataFrame,
    path: str | os.PathLike[str],
    info: Mapping[str, Any] | None = None,
) -> None:
    """Write ``frame`` to ``path`` in the format its extension names, atomically.

    ``info`` is the run's record (:func:`enrich._runinfo.run_info`): a Parquet
    file keeps it in its footer, a JSON/NDJSON file gets it in a
    ``<path>.meta.json`` sidecar (see :mod:`enrich._runinfo`).

    Extensions: ``.parquet``; ``.csv`` and ``.tsv``; ``.ndjson``/``.jsonl`` (one
    object per line); ``.json`` (one array of objects).  The table goes to a
    temporary file beside ``path``, is flushed and fsynced, then renamed over
    ``path`` (``os.replace``), so readers see the old file or the new one, never
    half of one; on any error the temporary file is removed.

    CSV and TSV are for people and spreadsheets, so cells are flattened: list
    columns are joined with ``"; "``, struct (and other nested) columns become
    compact JSON strings and dates are ISO ``YYYY-MM-DD``.  A text cell starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
    a single quote ``'`` so that a spreadsheet shows it instead of evaluating a
    formula (a title like ``"=HYPERLINK(...)"`` read from an untrusted page);
    numeric columns are untouched.  Parquet and JSON keep every value as is.

    Raises:
        ConfigError: unknown extension (the message lists :data:`OUTPUT_FORMATS`),
            or the file cannot be written (missing directory, permissions).

    >>> write_table(pl.DataFrame({"title": ["LoRA"]}), "papers.csv")  # doctest: +SKIP
    """
    target = Path(path)
    kind = _kind(target)
    footer = to_parquet_metadata(info) if info is not None and kind == "parquet" else None

    def write(temporary: Path) -> None:
        with _create(temporary) as handle:
            _write(frame, kind, handle, footer)
            handle.flush()
            os.fsync(handle.fileno())

    _replace_atomically(target, write)
    _write_sidecar(target, kind, info)


def _create(temporary: Path) -> io.BufferedWriter:
    # os.open with 0o666 lets the umask decide the mode, as a plain open() would.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.fdopen(os.open(temporary, flags, 0o666), "wb")


def _write_sidecar(target: Path, kind: str, info: Mapping[str, Any] | None) -> None:
    if info is None or kind not in _SIDECAR_KINDS:
        return
    data = json.dumps({"enrich": dict(info)}, indent=2, ensure_ascii=False).encode("utf-8")

    def write(temporary: Path) -> None:
        with _create(temporary) as handle:
            handle.write(data + b"\n")
            handle.flush()
            os.fsync(handle.fileno())

    _replace_atomically(sidecar_path(target), write)


def _kind(target: Path) -> str:
    kind = target.suffix.lower().lstrip(".")
    if kind not in OUTPUT_FORMATS:
        valid = ", ".join(f".{name}" for name in OUTPUT_FORMATS)
        shown = target.suffix or "(none)"
        raise ConfigError(f"cannot write {target}: unknown extension {shown} (valid: {valid})")
    return kind


def check_output(path: str | os.PathLike[str]) -> Path:
    """Refuse, before any work, an output that :func:`write_table` could not write.

    Checks the extension, that the folder exists and is a folder, that the
    path is not a folder itself, and that a file can be created in the folder
    (by creating and removing an empty probe file: permission bits do not tell
    about read-only mounts or ACLs).  A run that would only fail at its last
    step fails at once instead, before its first request.

    Raises:
        ConfigError: one line naming the output and what is wrong with it.

    >>> check_output("no-such-folder/papers.parquet")
    Traceback (most recent call last):
    ...
    enrich._exceptions.ConfigError: cannot write no-such-folder/papers.parquet: folder no-such-folder does not exist
    """
    target = Path(path)
    _kind(target)
    folder = target.parent
    if target.is_dir():
        raise ConfigError(f"cannot write {target}: it is a folder")
    if not folder.exists():
        raise ConfigError(f"cannot write {target}: folder {folder} does not exist")
    if not folder.is_dir():
        raise ConfigError(f"cannot write {target}: {folder} is not a folder")
    probe = folder / f".{target.name}.{secrets.token_hex(6)}.probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise ConfigError(
            f"cannot write {target}: folder {folder} is not writable ({exc.strerror or exc})"
        ) from exc
    with contextlib.suppress(OSError):
        probe.unlink()
    return target


def _replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """``write`` a temporary file beside ``target``, then rename it over ``target``.

    Readers see the old file or the new one, never half of one; on any error the
    temporary file is removed and OS errors become one-line ConfigErrors.
    """
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError):
            raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; directories cannot be opened on Windows.
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


#: Rows per row group when parts are concatenated.  Polars' default row group
#: is so large that the "streamed" sink held ~140 MiB per 100,000 enriched rows;
#: one window's worth keeps the final write at a few tens of MiB at any size.
SINK_ROW_GROUP = 5_000


def write_parts(
    parts: Sequence[Path],
    path: str | os.PathLike[str],
    info: Mapping[str, Any] | None = None,
) -> None:
    """Write the concatenation of Parquet ``parts`` to ``path``, atomically.

    A Parquet target is streamed (``sink_parquet``), so a run of any size is
    never held in memory at once; other formats are collected first and go
    through :func:`write_table`.  ``info`` as for :func:`write_table`.
    """
    target = Path(path)
    if target.suffix.lower() != ".parquet":
        write_table(pl.read_parquet(list(parts)), target, info)
        return
    footer = to_parquet_metadata(info) if info is not None else None
    _replace_atomically(
        target,
        lambda temporary: pl.scan_parquet(list(parts), low_memory=True).sink_parquet(
            temporary, row_group_size=SINK_ROW_GROUP, metadata=footer
        ),
    )
