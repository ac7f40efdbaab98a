"""Streaming readers for the two bulk snapshots, as narrow Polars frames.

Each reader yields one frame per block of lines (gzip or plain), parsed by
Polars' NDJSON reader with an explicit schema, so memory is bounded by the
block size whatever the file's size.  A block that does not parse is re-read
line by line: a bad line is reported once (file and line) and skipped, the good
lines around it are kept.

Record formats (field names as the publishers document them):

* Semantic Scholar Datasets API, ``papers`` dataset (one JSON object a line in
  gzipped shards; https://api.semanticscholar.org/api-docs/datasets and the
  dataset README: ``corpusid``, ``externalids``, ``url``, ``title``, ``authors``
  [{``authorId``, ``name``}], ``venue``, ``publicationvenueid``, ``year``,
  ``referencecount``, ``citationcount``, ``influentialcitationcount``,
  ``isopenaccess``, ``s2fieldsofstudy``, ``publicationtypes``,
  ``publicationdate``, ``journal`` {``name``, ``volume``, ``pages``}).  The
  record has no ``paperId``: it is the last path segment of ``url``.
  ``externalids`` values are strings or null; ``venue`` is "" when unknown.
* arXiv metadata snapshot ``arxiv-metadata-oai-snapshot.json`` (Kaggle,
  Cornell-University/arxiv: ``id``, ``submitter``, ``authors``, ``title``,
  ``comments``, ``journal-ref``, ``doi``, ``report-no``, ``categories``,
  ``license``, ``abstract``, ``versions`` [{``version``, ``created``}],
  ``update_date``, ``authors_parsed`` [[last, first, suffix]]).  Titles and
  journal references are hard-wrapped ("\\n  "); ``doi`` may list several DOIs;
  ``created`` is RFC 2822 ("Mon, 2 Apr 2007 19:18:42 GMT"); ids are new-style
  (``0704.0001``, ``2106.09685``) or old-style (``hep-ph/0001001``).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Final, cast

import polars as pl

from enrich._snapshot._keys import arxiv_id_expr, doi_expr, with_title_key

__all__ = [
    "ARXIV_COLUMNS",
    "ARXIV_RAW_SCHEMA",
    "S2_COLUMNS",
    "S2_RAW_SCHEMA",
    "arxiv_narrow",
    "read_arxiv",
    "read_s2",
    "s2_narrow",
]

log = logging.getLogger("enrich.snapshot")

#: Bytes decompressed per block; a block becomes one frame.
DEFAULT_BLOCK_BYTES: Final = 64 * 1024 * 1024

_S = pl.String()
_I = pl.Int64()

S2_RAW_SCHEMA: Final = pl.Schema(
    {
        "corpusid": _I,
        "externalids": pl.Struct(
            dict.fromkeys(("ArXiv", "DOI", "ACL", "DBLP", "MAG", "PubMed", "PubMedCentral"), _S)
        ),
        "url": _S,
        "title": _S,
        "authors": pl.List(pl.Struct({"authorId": _S, "name": _S})),
        "venue": _S,
        "publicationvenueid": _S,
        "year": _I,
        "referencecount": _I,
        "citationcount": _I,
        "influentialcitationcount": _I,
        "publicationtypes": pl.List(_S),
        "publicationdate": _S,
        "journal": pl.Struct({"name": _S, "volume": _S, "pages": _S}),
    }
)

ARXIV_RAW_SCHEMA: Final = pl.Schema(
    {
        "id": _S,
        "authors": _S,
        "title": _S,
        "comments": _S,
        "journal-ref": _S,
        "doi": _S,
        "categories": _S,
        "versions": pl.List(pl.Struct({"version": _S, "created": _S})),
        "update_date": _S,
        "authors_parsed": pl.List(pl.List(_S)),
    }
)


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    cleaned = expr.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def s2_narrow(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw S2 records (:data:`S2_RAW_SCHEMA`) -> the narrow columns the extracts keep."""
    ids = pl.col("externalids")
    journal = pl.col("journal")
    narrow = raw.select(
        pl.col("corpusid"),
        pl.col("url").str.extract(r"/paper/([0-9a-fA-F]{40})", 1).alias("paper_id"),
        arxiv_id_expr(ids.struct.field("ArXiv")).alias("arxiv_id"),
        doi_expr(ids.struct.field("DOI")).alias("doi"),
        _blank_to_null(pl.col("title")).alias("title"),
        pl.col("authors")
        .list.eval(pl.element().struct.field("name").str.strip_chars())
        .list.drop_nulls()
        .alias("authors"),
        _blank_to_null(pl.col("venue")).alias("venue"),
        pl.col("publicationvenueid"),
        pl.col("year"),
        pl.col("publicationdate").str.to_date("%Y-%m-%d", strict=False).alias("publication_date"),
        _blank_to_null(journal.struct.field("name")).alias("journal_name"),
        _blank_to_null(journal.struct.field("volume")).alias("journal_volume"),
        _blank_to_null(journal.struct.field("pages")).alias("journal_pages"),
        pl.col("publicationtypes").alias("publication_types"),
        pl.col("citationcount").alias("citation_count"),
        pl.col("influentialcitationcount").alias("influential_citation_count"),
        pl.col("referencecount").alias("reference_count"),
    ).filter(pl.col("corpusid").is_not_null())
    return with_title_key(narrow, "title", "title_key")


def _created(expr: pl.Expr) -> pl.Expr:
    # RFC 2822 without the weekday: "02 Apr 2007 19:18:42 GMT" (days may be 1 digit).
    return (
        expr.str.replace(r"^[A-Za-z]{3},\s*", "")
        .str.replace(r"^(\d) ", "0$1 ")
        .str.strptime(pl.Datetime("us"), "%d %b %Y %H:%M:%S GMT", strict=False)
        .dt.replace_time_zone("UTC")
    )


def _arxiv_authors() -> pl.Expr:
    # authors_parsed gives [last, first, suffix]; the API's spelling is "first last suffix".
    parsed = pl.col("authors_parsed").list.eval(
        pl.concat_str(
            [pl.element().list.get(1, null_on_oob=True), pl.element().list.get(0, null_on_oob=True),
             pl.element().list.get(2, null_on_oob=True)],
            separator=" ",
            ignore_nulls=True,
        ).str.replace_all(r"\s+", " ").str.strip_chars()
    ).list.eval(pl.element().filter(pl.element() != ""))  # fmt: skip
    # Without authors_parsed: the one string, "A, B and C".
    split = (
        pl.col("authors")
        .str.replace_all(r"\s+", " ")
        .str.replace_all(r",? and ", ", ")
        .str.split(", ")
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
    )
    return pl.when(pl.col("authors_parsed").list.len() > 0).then(parsed).otherwise(split)


def arxiv_narrow(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw arXiv records (:data:`ARXIV_RAW_SCHEMA`) -> the narrow columns the extracts keep."""
    versions = pl.col("versions")
    version_number = versions.list.eval(
        pl.element().struct.field("version").str.extract(r"(\d+)", 1).cast(pl.Int64)
    ).list.max()
    narrow = raw.select(
        arxiv_id_expr("id").alias("arxiv_id"),
        version_number.alias("version"),
        _blank_to_null(pl.col("title")).alias("title"),
        _arxiv_authors().alias("authors"),
        _created(versions.list.first().struct.field("created")).alias("published"),
        _created(versions.list.last().struct.field("created")).alias("updated"),
        pl.col("categories")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
        .alias("categories"),
        doi_expr("doi").alias("doi"),
        _blank_to_null(pl.col("journal-ref")).alias("journal_ref"),
        _blank_to_null(pl.col("comments")).alias("comment"),
        pl.col("update_date").str.to_date("%Y-%m-%d", strict=False).alias("update_date"),
    ).filter(pl.col("arxiv_id").is_not_null())
    return with_title_key(narrow, "title", "title_key")


#: Narrow columns each reader yields (the extracts' record columns).
S2_COLUMNS: Final = tuple(s2_narrow(pl.DataFrame(schema=S2_RAW_SCHEMA)).columns)
ARXIV_COLUMNS: Final = tuple(arxiv_narrow(pl.DataFrame(schema=ARXIV_RAW_SCHEMA)).columns)


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _blocks(path: Path, block_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(first line number, whole lines) blocks of about ``block_bytes``."""
    line = 1
    with _open(path) as handle:
        rest = b""
        while True:
            chunk = handle.read(block_bytes)
            if not chunk:
                break
            data = rest + chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            block, rest = data[: cut + 1], data[cut + 1 :]
            yield line, block
            line += block.count(b"\n")
        if rest.strip():
            yield line, rest + b"\n"


def _parse(block: bytes, schema: pl.Schema, path: Path, first_line: int) -> pl.DataFrame:
    try:
        return pl.read_ndjson(io.BytesIO(block), schema=schema, ignore_errors=False)
    except Exception:  # any parse failure falls back to line by line
        pass
    good: list[bytes] = []
    for offset, raw_line in enumerate(block.splitlines()):
        if not raw_line.strip():
            continue
        try:
            value = json.loads(raw_line)
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
            pl.read_ndjson(io.BytesIO(raw_line), schema=schema)
        except Exception as exc:  # reported, the line skipped
            log.warning("%s:%d: skipped a bad record (%s)", path, first_line + offset, exc)
            continue
        good.append(raw_line)
    if not good:
        return pl.DataFrame(schema=schema)
    return pl.read_ndjson(io.BytesIO(b"\n".join(good)), schema=schema)


def _read(
    paths: list[Path],
    schema: pl.Schema,
    narrow: Callable[[pl.DataFrame], pl.DataFrame],
    block_bytes: int,
) -> Iterator[pl.DataFrame]:
    for path in paths:
        for first_line, block in _blocks(path, block_bytes):
            frame = narrow(_parse(block, schema, path, first_line))
            if frame.height:
                yield frame


def read_s2(paths: list[Path], *, block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[pl.DataFrame]:
    """Narrow frames (:data:`S2_COLUMNS`) from S2 ``papers`` shards, block by block."""
    return _read(paths, S2_RAW_SCHEMA, s2_narrow, block_bytes)


def read_arxiv(
    paths: list[Path], *, block_bytes: int = DEFAULT_BLOCK_BYTES
) -> Iterator[pl.DataFrame]:
    """Narrow frames (:data:`ARXIV_COLUMNS`) from arXiv metadata snapshot files."""
    return _read(paths, ARXIV_RAW_SCHEMA, arxiv_narrow, block_bytes)
