"""Optional parse engine: DuckDB's JSON reader instead of Polars' (``pip install enrich[duckdb]``).

Only the parsing of the raw lines changes: DuckDB reads the gzipped or plain
JSON lines with the same explicit column types (:data:`S2_RAW_SCHEMA`,
:data:`ARXIV_RAW_SCHEMA`, in DuckDB's spelling), streams them out as Arrow
record batches, and each batch goes through the very same narrowing as the
Polars reader.  On this project's benchmark machine DuckDB parses the S2
records about three times faster (``benchmarks/results/snapshot.md``).

A file DuckDB cannot parse cleanly (a malformed line) is read again by the
Polars reader, which reports the bad lines by file and line and keeps the rest;
rows already staged from it are dropped by the build's de-duplication.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from enrich._snapshot._readers import (
    ARXIV_RAW_SCHEMA,
    S2_RAW_SCHEMA,
    arxiv_narrow,
    read_arxiv,
    read_s2,
    s2_narrow,
)

__all__ = ["available", "read_arxiv_duckdb", "read_s2_duckdb"]

log = logging.getLogger("enrich.snapshot")

#: Rows per Arrow batch handed to the narrowing step.
BATCH_ROWS = 100_000


def available() -> bool:
    """True when duckdb and pyarrow are importable."""
    try:
        import duckdb  # noqa: F401
        import pyarrow  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def _sql_type(dtype: Any) -> str:
    if isinstance(dtype, pl.Struct):
        fields = ", ".join(f'"{f.name}" {_sql_type(f.dtype)}' for f in dtype.fields)
        return f"STRUCT({fields})"
    if isinstance(dtype, pl.List):
        return f"{_sql_type(dtype.inner)}[]"
    if dtype == pl.Int64:
        return "BIGINT"
    return "VARCHAR"


def _columns(schema: pl.Schema) -> str:
    return "{" + ", ".join(f"'{name}': '{_sql_type(t)}'" for name, t in schema.items()) + "}"


def _read(
    paths: list[Path],
    schema: pl.Schema,
    narrow: Callable[[pl.DataFrame], pl.DataFrame],
    fallback: Callable[[list[Path]], Iterator[pl.DataFrame]],
) -> Iterator[pl.DataFrame]:
    import duckdb

    con: Any = duckdb.connect()
    # Bounded memory whatever the file size; both cores (the machine has two).
    con.execute("SET memory_limit = '768MB'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    names = ", ".join(f'"{name}"' for name in schema.names())
    for path in paths:
        query = (
            f"SELECT {names} FROM read_json(?, format = 'newline_delimited', "
            f"columns = {_columns(schema)}, maximum_object_size = 67108864)"
        )
        try:
            reader = con.sql(query, params=[str(path)]).to_arrow_reader(BATCH_ROWS)
            for batch in reader:
                raw = pl.from_arrow(batch)
                assert isinstance(raw, pl.DataFrame)
                frame = narrow(raw.cast(schema, strict=False))
                if frame.height:
                    yield frame
        except duckdb.Error as exc:
            log.warning("%s: DuckDB could not parse it (%s); reading it line by line", path, exc)
            yield from fallback([path])
    con.close()


def read_s2_duckdb(paths: list[Path]) -> Iterator[pl.DataFrame]:
    """:func:`read_s2`, parsed by DuckDB."""
    return _read(paths, S2_RAW_SCHEMA, s2_narrow, read_s2)


def read_arxiv_duckdb(paths: list[Path]) -> Iterator[pl.DataFrame]:
    """:func:`read_arxiv`, parsed by DuckDB."""
    return _read(paths, ARXIV_RAW_SCHEMA, arxiv_narrow, read_arxiv)
