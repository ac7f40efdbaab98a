"""Papers as a Polars frame with one fixed schema."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from enrich._models import Paper

__all__ = ["PAPER_SCHEMA", "papers_to_frame"]

#: Column -> dtype of :func:`papers_to_frame`'s result, in column order.
PAPER_SCHEMA: Final[dict[str, pl.DataType]] = {
    "title": pl.String(),
    "abstract": pl.String(),
    "arxiv_id": pl.String(),
    "arxiv_version": pl.Int64(),
    "doi": pl.String(),
    "code_urls": pl.List(pl.String()),
    "authors": pl.List(pl.String()),
    "authors_count": pl.Int64(),
    "organization": pl.String(),
    "year": pl.Int64(),
    "listed_date": pl.Date(),
    "listed_date_text": pl.String(),
    "listed_year_inferred": pl.Boolean(),
    "upvotes": pl.Int64(),
    "origins": pl.List(pl.String()),
}


def papers_to_frame(papers: Sequence[Paper]) -> pl.DataFrame:
    """One row per paper, columns and dtypes exactly :data:`PAPER_SCHEMA`.

    Tuples become lists; an empty sequence gives an empty frame with the same schema.

    >>> papers_to_frame([Paper(title="LoRA", origins=("a.txt:1",))]).select("title", "origins").row(0)
    ('LoRA', ['a.txt:1'])
    """
    columns: dict[str, list[object]] = {name: [] for name in PAPER_SCHEMA}
    for paper in papers:
        for name, values in columns.items():
            value = getattr(paper, name)
            values.append(list(value) if isinstance(value, tuple) else value)
    return pl.DataFrame(columns, schema=PAPER_SCHEMA)
