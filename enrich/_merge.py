"""Merge policy: one paper and what each source said about it -> one output row.

Which source wins, field by field (first available wins):

=====================  ==========================================================
field                  order
=====================  ==========================================================
arxiv_id               input id confirmed by arXiv > arXiv title match > S2 externalIds.ArXiv > input id
doi                    input > arXiv ``<arxiv:doi>`` (author-supplied published DOI)
                       > S2 externalIds.DOI > arXiv DataCite DOI ``10.48550/arxiv.<id>`` (derived)
resolved_title         arXiv (latest version) > S2
authors                arXiv > S2
published              arXiv v1 date > S2 publicationDate
venue                  S2 publicationVenue > S2 journal > S2 venue > arXiv journal_ref,
                       skipping preprint servers; else "arXiv" when the paper is a known preprint
year                   S2 year when a published venue is known > arXiv v1 year > S2 year > input
citation counts        S2
repo_url               input code link > link in the arXiv comment > link in the arXiv abstract
                       > repository pinned on the Hugging Face Hub (``githubRepo``)
repo_*                 GitHub (after renames; a deleted repository keeps only its link)
repo_stars             GitHub; the Hub's ``githubStars`` snapshot only when GitHub was not asked
hf_*                   the Hugging Face Hub, when it files the paper under the resolved arXiv id
=====================  ==========================================================

Disagreements are never silently resolved: a DOI that arXiv and S2 give
differently, or an S2 record that points at another arXiv id, is listed in the
``conflicts`` column.  An S2 record whose arXiv id contradicts the resolved one
is dropped (precision first: it is most likely another paper).

A preprint and its published version become one row: the row's identity is the
arXiv preprint (or the input's DOI), while venue, year and DOI come from the
published version where a source knows it.

Statuses.  Each source gets one per row (``arxiv_status``, ``s2_status``,
``github_status``, ``hf_status``), first rule that applies:

=============  ===================================================================
``ok``         the source gave its record (GitHub: the repository exists)
``error``      a request for this row failed (the messages are in ``errors``)
``skipped``    the source was needed but not asked: it was unavailable for the run
               (throttled or unreachable) or GitHub's unauthenticated budget ran out
``not_found``  the source was asked and does not know the paper (or the repository)
``not_asked``  not selected, or nothing to ask it (GitHub: no repository link)
=============  ===================================================================

The row's ``status`` follows from them: ``ok`` when some source is ``ok`` and
none is ``not_found``, ``error`` or ``skipped``; ``partial`` when some source is
``ok`` and another is not; ``error`` when no source is ``ok`` and one is
``error`` or ``skipped``; else ``not_found``.  So a row with data from any
source is ``ok`` or ``partial``, never ``error``.  The Hub's ``not_found`` leaves the
row's status alone: it pages only the papers someone submitted or claimed, so
absence there is the rule, not a gap.  ``status_notes`` has one
line per source that is not ``ok`` (and not ``not_asked``), e.g.
``"arxiv skipped: <why>"`` or ``"s2 not_found"``, saying which source did not
know the paper and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from enrich._ids import arxiv_id_from_doi
from enrich._match import MatchDecision
from enrich._merge_hf import hf_columns, hf_record_for, repo_conflict
from enrich._models import ArxivRecord, GitHubRecord, HFRecord, Paper, S2Record
from enrich._schema import INPUT_RENAMES, OUTPUT_SCHEMA, PROVENANCE_FIELDS, STATUS_SOURCES
from enrich._venue import is_preprint_venue, normalize_venue, venue_from_journal_ref

__all__ = ["Outcome", "build_frame", "merge_row", "source_status"]

_ARXIV_DOI_PREFIX = "10.48550/arxiv."


@dataclass
class Outcome:
    """Everything the sources said about one input paper."""

    paper: Paper
    arxiv: ArxivRecord | None = None
    #: set when arXiv identified the paper by title (accepted or rejected)
    arxiv_match: MatchDecision | None = None
    s2: S2Record | None = None
    #: set when S2 identified the paper by title (accepted or rejected)
    s2_match: MatchDecision | None = None
    github: GitHubRecord | None = None
    repo_url: str | None = None
    #: sources that were asked about this paper
    asked: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    #: lookups deliberately not made (the source was unavailable for the run, or
    #: GitHub's unauthenticated budget ran out), each ``"[source] why"``; listed in
    #: ``errors`` too, they make the source ``skipped``, not ``error``
    skipped: list[str] = field(default_factory=list)
    #: source -> one short line on its first failure or skip, for ``status_notes``
    reasons: dict[str, str] = field(default_factory=dict)
    #: S2 records dropped because they contradicted arXiv (kept for the conflicts column)
    conflicts: list[str] = field(default_factory=list)
    #: what the Hugging Face Hub said (None: not indexed, or not asked; see ``asked``)
    hf: HFRecord | None = None
    #: where ``repo_url`` came from: "input", "arxiv" or "hf"
    repo_source: str | None = None


def _first(*pairs: tuple[Any, str]) -> tuple[Any, str | None]:
    for value, source in pairs:
        if value is not None and value != "":
            return value, source
    return None, None


def _venue(outcome: Outcome) -> tuple[str | None, str | None, bool, str | None]:
    """(venue, venue_raw, is_published, source)."""
    s2, arxiv = outcome.s2, outcome.arxiv
    raw_candidates: list[tuple[str | None, str]] = []
    if s2 is not None:
        if s2.publication_venue is not None:
            raw_candidates.append((s2.publication_venue.name, "s2"))
        if s2.journal is not None:
            raw_candidates.append((s2.journal.name, "s2"))
        raw_candidates.append((s2.venue, "s2"))
    if arxiv is not None and arxiv.journal_ref:
        raw_candidates.append((arxiv.journal_ref, "arxiv"))
    for raw, source in raw_candidates:
        if not raw or is_preprint_venue(raw):
            continue
        name = venue_from_journal_ref(raw) if source == "arxiv" else normalize_venue(raw)
        if name:
            return name, raw, True, source
    if arxiv is not None:
        return "arXiv", "arXiv", False, "arxiv"
    preprint_raw = next((raw for raw, _ in raw_candidates if raw), None)
    if preprint_raw is not None:
        return normalize_venue(preprint_raw), preprint_raw, False, "s2"
    return None, None, False, None


def _identity(outcome: Outcome) -> tuple[float | None, str | None, str | None]:
    """(match_score, match_method, match_candidate) of what identified the paper."""
    paper = outcome.paper
    if paper.arxiv_id is not None and (
        outcome.arxiv is not None or (outcome.s2 is not None and outcome.s2_match is None)
    ):
        return 1.0, "arxiv_id", None
    if paper.doi is not None and outcome.s2 is not None and outcome.s2_match is None:
        return 1.0, "doi", None
    decisions = [d for d in (outcome.arxiv_match, outcome.s2_match) if d is not None]
    for decision in decisions:
        if decision.accepted:
            return decision.score, decision.method, None
    if decisions:
        best = max(decisions, key=lambda d: d.score)
        return best.score, None, best.candidate_title
    return None, None, None


#: Per source with a status column: does the row hold that source's record?
_HAS_RECORD: dict[str, Callable[[Outcome], bool]] = {
    "arxiv": lambda o: o.arxiv is not None,
    "s2": lambda o: o.s2 is not None,
    "github": lambda o: o.github is not None and o.github.exists,
    "hf": lambda o: o.hf is not None,
}
assert set(_HAS_RECORD) == set(STATUS_SOURCES)
#: Sources whose "not_found" does not make a row ``partial``: the Hub pages only the
#: papers someone submitted or claimed, so most papers are rightly absent there.
_OPTIONAL: frozenset[str] = frozenset({"hf"})


def _mentions(messages: Iterable[str], source: str) -> str | None:
    """The first of ``messages`` about ``source`` (they start ``"[source] "``), unprefixed."""
    prefix = f"[{source}]"
    for text in messages:
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return None


def source_status(outcome: Outcome, source: str) -> tuple[str, str | None]:
    """(status, note) of one source for one row; the rules are in the module docstring.

    The note is the line ``status_notes`` shows, None for ``ok`` and ``not_asked``.
    """
    if _HAS_RECORD[source](outcome):
        return "ok", None
    failed = _mentions(outcome.errors, source)
    if failed is not None:
        return "error", f"{source} error: {outcome.reasons.get(source, failed)}"
    skipped = _mentions(outcome.skipped, source)
    if skipped is not None:
        return "skipped", f"{source} skipped: {outcome.reasons.get(source, skipped)}"
    if source in outcome.asked:
        # The Hub's absence is the rule, not a gap worth a note (see _OPTIONAL).
        return "not_found", None if source in _OPTIONAL else _not_found_note(outcome, source)
    return "not_asked", None


def _not_found_note(outcome: Outcome, source: str) -> str:
    if source == "github":
        return f"github not_found: {outcome.repo_url} no longer exists (or is private)"
    decision = outcome.arxiv_match if source == "arxiv" else outcome.s2_match
    if decision is not None and decision.candidate_title is not None:
        return f"{source} not_found: best title match scored {decision.score:.2f}, too low"
    return f"{source} not_found"


def _status(statuses: Iterable[str]) -> str:
    seen = set(statuses)
    failed = bool(seen & {"error", "skipped"})
    if "ok" in seen:
        return "partial" if failed or "not_found" in seen else "ok"
    return "error" if failed else "not_found"


def _repo_stars(outcome: Outcome) -> tuple[int | None, str | None]:
    """GitHub's live count; the Hub's snapshot only when GitHub was not asked for this row."""
    gh = outcome.github
    if gh is not None and gh.exists:
        return gh.stars, "github" if gh.stars is not None else None
    hf = hf_record_for(outcome)
    if "github" in outcome.asked or hf is None or hf.stars is None or hf.repo_url is None:
        return None, None
    if outcome.repo_url is None or outcome.repo_url.lower() != hf.repo_url.lower():
        return None, None
    return hf.stars, "hf_snapshot"


def merge_row(outcome: Outcome, fetched_at: dt.datetime) -> dict[str, Any]:
    """One output row (a dict keyed like :data:`~enrich._schema.OUTPUT_SCHEMA`)."""
    paper, arxiv, s2, gh = outcome.paper, outcome.arxiv, outcome.s2, outcome.github
    conflicts = list(outcome.conflicts)

    arxiv_id, arxiv_id_src = _first(
        (arxiv.arxiv_id if arxiv else None, "arxiv"),
        (s2.arxiv_id if s2 else None, "s2"),
        (paper.arxiv_id, "input"),
    )
    published_doi = arxiv.doi if arxiv else None
    s2_doi = s2.doi if s2 and s2.doi and not s2.doi.startswith(_ARXIV_DOI_PREFIX) else None
    if published_doi and s2_doi and published_doi != s2_doi:
        conflicts.append(f"doi: arxiv={published_doi} s2={s2_doi}")
    datacite = f"{_ARXIV_DOI_PREFIX}{arxiv_id}" if arxiv_id else None
    doi, doi_src = _first(
        (paper.doi, "input"),
        (published_doi, "arxiv"),
        (s2_doi, "s2"),
        (datacite, "derived"),
    )
    if paper.doi and arxiv_id_from_doi(paper.doi) is None and s2_doi and paper.doi != s2_doi:
        conflicts.append(f"doi: input={paper.doi} s2={s2_doi}")

    title, title_src = _first(
        (arxiv.title if arxiv else None, "arxiv"), (s2.title if s2 else None, "s2")
    )
    authors, authors_src = _first(
        (list(arxiv.authors) if arxiv and arxiv.authors else None, "arxiv"),
        (list(s2.authors) if s2 and s2.authors else None, "s2"),
    )
    published, published_src = _first(
        (arxiv.published.date() if arxiv and arxiv.published else None, "arxiv"),
        (s2.publication_date if s2 else None, "s2"),
    )
    venue, venue_raw, is_published, venue_src = _venue(outcome)
    year, year_src = _first(
        (s2.year if s2 and is_published else None, "s2"),
        (arxiv.published.year if arxiv and arxiv.published else None, "arxiv"),
        (s2.year if s2 else None, "s2"),
        (paper.year, "input"),
    )

    repo_exists = gh is not None and gh.exists
    repo_stars, stars_src = _repo_stars(outcome)
    conflict = repo_conflict(
        outcome, outcome.repo_url, gh.full_name if repo_exists and gh else None
    )
    if conflict is not None:
        conflicts.append(conflict)
    score, method, candidate = _identity(outcome)
    per_source = {source: source_status(outcome, source) for source in STATUS_SOURCES}
    provenance = {
        "arxiv_id": arxiv_id_src,
        "doi": doi_src,
        "s2_paper_id": "s2" if s2 else None,
        "resolved_title": title_src,
        "authors": authors_src,
        "published": published_src,
        "year": year_src,
        "venue": venue_src,
        "citation_count": "s2" if s2 and s2.citation_count is not None else None,
        "repo_url": outcome.repo_source
        or (
            "input"
            if outcome.repo_url and outcome.repo_url in paper.code_urls
            else ("arxiv" if outcome.repo_url else None)
        ),
        "repo_stars": stars_src,
    }
    assert set(provenance) == set(PROVENANCE_FIELDS)

    row: dict[str, Any] = {
        "title": paper.title,
        "abstract": paper.abstract,
        "code_urls": list(paper.code_urls),
        "authors_count": paper.authors_count,
        "organization": paper.organization,
        "listed_date": paper.listed_date,
        "listed_date_text": paper.listed_date_text,
        "listed_year_inferred": paper.listed_year_inferred,
        "upvotes": paper.upvotes,
        "origins": list(paper.origins),
    }
    for name, renamed in INPUT_RENAMES.items():
        value = getattr(paper, name)
        row[renamed] = list(value) if isinstance(value, tuple) else value
    row.update(
        arxiv_id=arxiv_id,
        arxiv_version=arxiv.version if arxiv else None,
        doi=doi,
        s2_paper_id=s2.paper_id if s2 else None,
        s2_corpus_id=s2.corpus_id if s2 else None,
        resolved_title=title,
        authors=authors,
        published=published,
        year=year,
        venue=venue,
        venue_raw=venue_raw,
        is_published=is_published if (arxiv or s2) else None,
        arxiv_categories=list(arxiv.categories) if arxiv else None,
        journal_ref=arxiv.journal_ref if arxiv else None,
        citation_count=s2.citation_count if s2 else None,
        influential_citation_count=s2.influential_citation_count if s2 else None,
        reference_count=s2.reference_count if s2 else None,
        repo_url=outcome.repo_url,
        repo_full_name=gh.full_name if repo_exists and gh else None,
        repo_moved=gh.moved if gh else None,
        repo_stars=repo_stars,
        repo_forks=gh.forks if repo_exists and gh else None,
        repo_archived=gh.archived if repo_exists and gh else None,
        repo_pushed_at=gh.pushed_at if repo_exists and gh else None,
        repo_license=gh.license if repo_exists and gh else None,
        repo_language=gh.language if repo_exists and gh else None,
        **hf_columns(outcome),
        match_score=score,
        match_method=method,
        match_candidate=candidate,
        status=_status(
            "not_asked" if source in _OPTIONAL and status == "not_found" else status
            for source, (status, _) in per_source.items()
        ),
        **{f"{source}_status": status for source, (status, _) in per_source.items()},
        status_notes=[note for _, note in per_source.values() if note is not None],
        errors=sorted(outcome.errors) + sorted(outcome.skipped),
        conflicts=sorted(set(conflicts)),
        provenance=provenance,
        fetched_at=fetched_at,
    )
    return row


def build_frame(outcomes: Iterable[Outcome], fetched_at: dt.datetime) -> pl.DataFrame:
    """The enriched table for ``outcomes``, in their order, with the fixed schema."""
    rows: Sequence[dict[str, Any]] = [merge_row(o, fetched_at) for o in outcomes]
    return pl.DataFrame(rows, schema=OUTPUT_SCHEMA)
