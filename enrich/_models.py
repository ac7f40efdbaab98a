"""Data models: the input :class:`Paper` and one record type per source.

Records are what adapters' pure parsers return; the merge step turns a paper
and its records into one output row (see ``enrich/_merge.py``).  All models are
frozen pydantic models so they hash, compare and print predictably.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ArxivRecord",
    "GitHubRecord",
    "HFRecord",
    "Journal",
    "Paper",
    "PublicationVenue",
    "S2Record",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Paper(_Frozen):
    """One paper as the user listed it, before any lookup.

    Every field but ``origins`` may be empty: a line of a text file may give only
    an arXiv id, a Daily Papers card only a title and abstract.
    """

    title: str | None = None
    abstract: str | None = None
    #: arXiv id without version (``2106.09685``, ``astro-ph/0601001``)
    arxiv_id: str | None = None
    #: the version the input named, if any (``2106.09685v2`` -> 2)
    arxiv_version: int | None = None
    #: lower-cased bare DOI
    doi: str | None = None
    #: GitHub repository links, normalised to ``https://github.com/owner/repo``
    code_urls: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    authors_count: int | None = None
    organization: str | None = None
    year: int | None = None
    listed_date: dt.date | None = None
    #: the date exactly as the page showed it ("Jan 26", "Apr 6, 2024")
    listed_date_text: str | None = None
    #: True when ``listed_date``'s year was inferred, not shown
    listed_year_inferred: bool = False
    upvotes: int | None = None
    #: every place this paper was read from, as ``file:line``
    origins: tuple[str, ...] = Field(default=())


class PublicationVenue(_Frozen):
    """Semantic Scholar's ``publicationVenue`` (often null even when ``venue`` is set)."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    alternate_names: tuple[str, ...] = ()
    issn: str | None = None
    url: str | None = None


class Journal(_Frozen):
    """Semantic Scholar's ``journal``: any subset of name, volume and pages."""

    name: str | None = None
    volume: str | None = None
    pages: str | None = None


class ArxivRecord(_Frozen):
    """One arXiv entry, parsed from either Atom format."""

    arxiv_id: str
    version: int | None = None
    title: str
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    #: the published version's DOI supplied by the authors (``<arxiv:doi>``), lower-cased
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None


class S2Record(_Frozen):
    """One Semantic Scholar Graph API paper."""

    paper_id: str
    corpus_id: int | None = None
    #: externalIds with every value as a string (CorpusId arrives as an int)
    external_ids: dict[str, str] = Field(default_factory=dict)
    arxiv_id: str | None = None
    #: lower-cased DOI from externalIds
    doi: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    #: ``venue`` with "" turned into None
    venue: str | None = None
    publication_venue: PublicationVenue | None = None
    journal: Journal | None = None
    year: int | None = None
    publication_date: dt.date | None = None
    publication_types: tuple[str, ...] = ()
    citation_count: int | None = None
    influential_citation_count: int | None = None
    reference_count: int | None = None
    #: ``matchScore`` when the record came from ``/paper/search/match``
    match_score: float | None = None


class GitHubRecord(_Frozen):
    """What GitHub said about one repository link."""

    #: ``owner/repo`` as the paper linked it
    requested: str
    #: canonical ``owner/repo`` after renames and transfers; None when it does not exist
    full_name: str | None = None
    exists: bool = True
    #: True when ``full_name`` differs from ``requested`` (case-insensitively)
    moved: bool = False
    repo_id: int | None = None
    stars: int | None = None
    forks: int | None = None
    archived: bool | None = None
    pushed_at: dt.datetime | None = None
    #: SPDX id where GitHub knows one, else the license name
    license: str | None = None
    language: str | None = None
    fork: bool | None = None


class HFRecord(_Frozen):
    """What the Hugging Face Hub's paper page says about one arXiv paper.

    Fields the Hub leaves out (they are absent, not null, on papers nobody
    pinned code or a project page to) stay None or empty.
    """

    #: the bare arXiv id the Hub files the paper under (no version)
    arxiv_id: str
    title: str | None = None
    #: ``githubRepo`` normalised to ``https://github.com/owner/repo``; None when
    #: absent or not a GitHub repository link
    repo_url: str | None = None
    #: ``githubStars``: the Hub's own snapshot, not GitHub's live count
    stars: int | None = None
    #: ``projectPage`` (http or https URLs only)
    project_page: str | None = None
    upvotes: int | None = None
    ai_keywords: tuple[str, ...] = ()
    ai_summary: str | None = None
    #: the paper's public page, ``https://huggingface.co/papers/{arxiv_id}``
    hf_url: str | None = None
