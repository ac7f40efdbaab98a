"""Writing the result table to disk, atomically, in the format its extension names."""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import polars as pl

from enrich._exceptions import ConfigError

__all__ = ["OUTPUT_FORMATS", "write_parts", "write_table"]

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


def _write(frame: pl.DataFrame, kind: str, handle: io.BufferedWriter) -> None:
    if kind == "parquet":
        frame.write_parquet(handle)
    elif kind in {"csv", "tsv"}:
        flat = _flatten_for_text(frame)
        flat.write_csv(handle, separator="\t" if kind == "tsv" else ",", date_format="%Y-%m-%d")
    elif kind in {"ndjson", "jsonl"}:
        frame.write_ndjson(handle)
    else:
        frame.write_json(handle)


def write_table(frame: pl.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``frame`` to ``path`` in the format its extension names, atomically.

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
    kind = target.suffix.lower().lstrip(".")
    if kind not in OUTPUT_FORMATS:
        valid = ", ".join(f".{name}" for name in OUTPUT_FORMATS)
        shown = target.suffix or "(none)"
        raise ConfigError(f"cannot write {target}: unknown extension {shown} (valid: {valid})")

    def write(temporary: Path) -> None:
        # os.open with 0o666 lets the umask decide the mode, as a plain open() would.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(temporary, flags, 0o666), "wb") as handle:
            _write(frame, kind, handle)
            handle.flush()
            os.fsync(handle.fileno())

    _replace_atomically(target, write)


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


def write_parts(parts: Sequence[Path], path: str | os.PathLike[str]) -> None:
    """Write the concatenation of Parquet ``parts`` to ``path``, atomically.

    A Parquet target is streamed (``sink_parquet``), so a run of any size is
    never held in memory at once; other formats are collected first and go
    through :func:`write_table`.
    """
    target = Path(path)
    if target.suffix.lower() != ".parquet":
        write_table(pl.read_parquet(list(parts)), target)
        return
    _replace_atomically(
        target,
        lambda temporary: pl.scan_parquet(list(parts), low_memory=True).sink_parquet(
            temporary, row_group_size=SINK_ROW_GROUP
        ),
    )
