"""The enriched table's columns: names, Polars types and meaning, in one place.

``enrich schema`` prints this table and the README documents it; a test checks
that the frame ``enrich()`` returns has exactly these columns and types.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import polars as pl

__all__ = [
    "INPUT_RENAMES",
    "OUTPUT_COLUMNS",
    "OUTPUT_SCHEMA",
    "PROVENANCE_FIELDS",
    "ROW_STATUSES",
    "SOURCE_STATUSES",
    "STATUS_SOURCES",
    "Column",
]


class Column(NamedTuple):
    name: str
    dtype: pl.DataType
    description: str


_STR = pl.String()
_INT = pl.Int64()
_BOOL = pl.Boolean()
_FLOAT = pl.Float64()
_DATE = pl.Date()
_UTC = pl.Datetime("us", "UTC")
_STR_LIST = pl.List(pl.String())

#: Input columns that the enriched table resolves get an ``input_`` prefix there,
#: so the user's value and the resolved value sit side by side.
INPUT_RENAMES: Final = {
    "arxiv_id": "input_arxiv_id",
    "arxiv_version": "input_arxiv_version",
    "doi": "input_doi",
    "authors": "input_authors",
    "year": "input_year",
}

#: Fields whose source is recorded in the ``provenance`` struct.
PROVENANCE_FIELDS: Final = (
    "arxiv_id",
    "doi",
    "s2_paper_id",
    "resolved_title",
    "authors",
    "published",
    "year",
    "venue",
    "citation_count",
    "repo_url",
    "repo_stars",
)

#: Sources with a ``<source>_status`` column, in column order.
STATUS_SOURCES: Final = ("arxiv", "s2", "github", "hf")
#: Values of a ``<source>_status`` column (rules in :mod:`enrich._merge`).
SOURCE_STATUSES: Final = ("ok", "not_found", "error", "skipped", "not_asked")
#: Values of ``status``, derived from the per-source statuses.
ROW_STATUSES: Final = ("ok", "partial", "not_found", "error")

_NAMES: Final = {
    "arxiv": "arXiv",
    "s2": "Semantic Scholar",
    "github": "GitHub",
    "hf": "the Hugging Face Hub",
}

_INPUT: Final = (
    Column("title", _STR, "title as listed in the input"),
    Column("abstract", _STR, "abstract as listed in the input"),
    Column("input_arxiv_id", _STR, "arXiv id given in the input (no version)"),
    Column("input_arxiv_version", _INT, "arXiv version given in the input"),
    Column("input_doi", _STR, "DOI given in the input (lower-cased)"),
    Column("code_urls", _STR_LIST, "GitHub links found in the input"),
    Column("input_authors", _STR_LIST, "authors given in the input"),
    Column("authors_count", _INT, "authors count shown on a Daily Papers card"),
    Column("organization", _STR, "organisation shown on a Daily Papers card"),
    Column("input_year", _INT, "year given in the input"),
    Column("listed_date", _DATE, "date shown in the listing"),
    Column("listed_date_text", _STR, "that date exactly as shown"),
    Column("listed_year_inferred", _BOOL, "the listed date's year was inferred, not shown"),
    Column("upvotes", _INT, "Daily Papers upvotes"),
    Column("origins", _STR_LIST, "every file:line the paper was read from"),
)

_ENRICHED: Final = (
    Column("arxiv_id", _STR, "resolved arXiv id, no version"),
    Column("arxiv_version", _INT, "latest arXiv version"),
    Column(
        "doi",
        _STR,
        "DOI of the published version if known, else the input's, else arXiv's DataCite DOI",
    ),
    Column("s2_paper_id", _STR, "Semantic Scholar paperId"),
    Column("s2_corpus_id", _INT, "Semantic Scholar CorpusId"),
    Column("resolved_title", _STR, "title as the services give it (latest arXiv version first)"),
    Column("authors", _STR_LIST, "authors (arXiv first, else Semantic Scholar)"),
    Column(
        "published", _DATE, "first public date (arXiv v1, else Semantic Scholar publicationDate)"
    ),
    Column("year", _INT, "publication year (of the published version where known)"),
    Column("venue", _STR, "canonical venue name; 'arXiv' for papers known only as preprints"),
    Column("venue_raw", _STR, "the venue string the canonical name came from"),
    Column("is_published", _BOOL, "a venue beyond arXiv is known"),
    Column("arxiv_categories", _STR_LIST, "arXiv categories, primary first"),
    Column("journal_ref", _STR, "arXiv journal reference (free text)"),
    Column("citation_count", _INT, "Semantic Scholar citationCount"),
    Column("influential_citation_count", _INT, "Semantic Scholar influentialCitationCount"),
    Column("reference_count", _INT, "Semantic Scholar referenceCount"),
    Column("repo_url", _STR, "code repository link (kept even when the repository is gone)"),
    Column(
        "repo_full_name", _STR, "canonical owner/name on GitHub (empty when it no longer exists)"
    ),
    Column("repo_moved", _BOOL, "the repository was renamed or transferred since it was linked"),
    Column("repo_stars", _INT, "GitHub stars (the Hub's snapshot when GitHub was not asked)"),
    Column("repo_forks", _INT, "GitHub forks"),
    Column("repo_archived", _BOOL, "the repository is archived"),
    Column("repo_pushed_at", _UTC, "last push (UTC)"),
    Column("repo_license", _STR, "SPDX id (or name) of the repository license"),
    Column("repo_language", _STR, "primary language"),
    Column("hf_upvotes", _INT, "upvotes of the paper's page on the Hugging Face Hub"),
    Column("hf_project_page", _STR, "project page linked on the Hub (projectPage)"),
    Column("hf_ai_keywords", _STR_LIST, "keywords the Hub generated for the paper (ai_keywords)"),
    Column("hf_url", _STR, "the paper's page on the Hub (empty when the Hub has not indexed it)"),
    Column(
        "match_score",
        _FLOAT,
        "title similarity in [0, 1] of the match that identified the paper (1.0 for ids)",
    ),
    Column("match_method", _STR, "arxiv_id, doi, title_exact or title_fuzzy"),
    Column("match_candidate", _STR, "best rejected candidate title, kept for review"),
    Column(
        "status",
        _STR,
        "ok, partial (data, but a source did not know the paper), not_found or error"
        " (no data: a source failed or was skipped); from the per-source statuses",
    ),
    *(
        Column(
            f"{source}_status",
            _STR,
            f"{_NAMES[source]} for this row: ok, not_found, error, skipped or not_asked",
        )
        for source in STATUS_SOURCES
    ),
    Column(
        "status_notes",
        _STR_LIST,
        "one line per source that is not ok, e.g. 's2 not_found', 'arxiv skipped: <why>'",
    ),
    Column("errors", _STR_LIST, "what went wrong for this row, one message per problem"),
    Column("conflicts", _STR_LIST, "values the sources disagree on, e.g. 'doi: arxiv=... s2=...'"),
    Column(
        "provenance",
        pl.Struct(dict.fromkeys(PROVENANCE_FIELDS, _STR)),
        "which source gave each merged field (input, arxiv, s2, github, hf, derived);"
        " repo_stars 'hf_snapshot' is the Hub's copy of the count, used when GitHub was not asked",
    ),
    Column("fetched_at", _UTC, "when this run started (UTC)"),
    Column(
        "s2_snapshot_release",
        _DATE,
        "release of the S2 snapshot the row's S2 values come from (null: asked live)",
    ),
    Column(
        "arxiv_snapshot_release",
        _DATE,
        "date of the arXiv snapshot the row's arXiv values come from (null: asked live)",
    ),
)

OUTPUT_COLUMNS: Final = _INPUT + _ENRICHED
OUTPUT_SCHEMA: Final = pl.Schema({c.name: c.dtype for c in OUTPUT_COLUMNS})
