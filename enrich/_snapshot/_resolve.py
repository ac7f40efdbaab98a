"""Resolve papers from built snapshot extracts, before (or instead of) the live APIs.

:func:`resolve_from_snapshot` answers what the extracts can: identifiers by
join, titles by the normalised-title key and then the same local verification
as a live match (:func:`enrich._match.choose`: years, authors).  It builds the
same :class:`~enrich._models.ArxivRecord` / :class:`~enrich._models.S2Record`
a live answer would, so the one merge (``enrich/_merge.py``) makes the rows.
:func:`label_snapshot_rows` then marks those rows: provenance ``arxiv-snapshot``
/ ``s2-snapshot`` instead of ``arxiv`` / ``s2``, and the snapshot's release
date in ``arxiv_snapshot_release`` / ``s2_snapshot_release``, so stale counts
are never mistaken for live ones.

Stricter than a live title match in one way: when several snapshot records of
one source share the queried title and the year cannot tell them apart, the
title is ambiguous and nothing is accepted (a live search returns a ranked
handful; a snapshot returns every namesake ever published).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from enrich._config import SOURCES
from enrich._exceptions import ConfigError
from enrich._match import DEFAULT_THRESHOLD, Candidate, MatchDecision, TitleQuery, choose
from enrich._merge import Outcome, build_frame
from enrich._models import ArxivRecord, Journal, Paper, PublicationVenue, S2Record
from enrich._pipeline import RunReport
from enrich._schema import PROVENANCE_FIELDS
from enrich._snapshot._build import FORMAT_VERSION, MANIFEST_NAME
from enrich._snapshot._keys import with_title_key

__all__ = [
    "LIVE_WINDOW",
    "Snapshot",
    "SnapshotPass",
    "label_snapshot_rows",
    "offline_outcome",
    "open_snapshot",
    "resolve_from_snapshot",
    "snapshot_window",
]

#: Papers handed to the live pipeline at a time (its own window size).
LIVE_WINDOW = 5_000
_LABELS = {"arxiv": "arxiv-snapshot", "s2": "s2-snapshot"}


@dataclass(frozen=True)
class Snapshot:
    """A built snapshot directory and its manifest."""

    root: Path
    manifest: dict[str, Any]

    def release(self, source: str) -> dt.date | None:
        """The release date of ``source``'s snapshot (None when unknown or absent)."""
        text = self.manifest.get("sources", {}).get(source, {}).get("release")
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError:
            return None

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources this snapshot holds, in canonical order."""
        held = self.manifest.get("sources", {})
        return tuple(s for s in SOURCES if s in held)

    def describe(self) -> str:
        """``s2 2026-11-03, arxiv 2026-11-01``: what a stale row was resolved from."""
        return ", ".join(f"{s} {self.release(s) or 'unknown release'}" for s in self.sources)

    def info(self) -> dict[str, Any]:
        """Snapshot facts for output metadata: path, releases and record counts."""
        return {
            "path": str(self.root),
            "built_by": self.manifest.get("built_by"),
            "sources": {
                name: {"release": src.get("release"), "records": src.get("records")}
                for name, src in self.manifest.get("sources", {}).items()
            },
        }

    def lookup(self, extract: str, key: str, values: Iterable[Any]) -> pl.DataFrame | None:
        """Rows of ``extract`` whose ``key`` is one of ``values`` (None: nothing to ask)."""
        wanted = list({v for v in values if v is not None})
        folder = self.root / extract
        if not wanted or not folder.is_dir():
            return None
        files = sorted(folder.glob("*/*.parquet"))
        if not files:
            return None
        scan = pl.scan_parquet(files, hive_partitioning=False)
        return scan.filter(pl.col(key).is_in(pl.Series(wanted).implode())).collect()


def open_snapshot(path: str | os.PathLike[str] | Snapshot) -> Snapshot:
    """Open a directory made by ``enrich snapshot build``.

    Raises:
        ConfigError: no manifest (not a snapshot, or a build that did not finish),
            or a layout this version of enrich does not know.
    """
    if isinstance(path, Snapshot):
        return path
    root = Path(path)
    manifest_path = root / MANIFEST_NAME
    if not manifest_path.is_file():
        raise ConfigError(
            f"{root} is not a snapshot: no {MANIFEST_NAME} (build one with `enrich snapshot build`)"
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{manifest_path}: unreadable manifest ({exc})") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise ConfigError(
            f"{root}: snapshot format {manifest.get('format')!r}; this enrich reads "
            f"format {FORMAT_VERSION} (rebuild it with `enrich snapshot build`)"
        )
    return Snapshot(root, manifest)


# -- records -------------------------------------------------------------------------


def _arxiv_record(row: dict[str, Any]) -> ArxivRecord:
    categories = tuple(row["categories"] or ())
    return ArxivRecord.model_construct(
        arxiv_id=row["arxiv_id"],
        version=row["version"],
        title=row["title"] or "",
        abstract=None,
        authors=tuple(row["authors"] or ()),
        published=row["published"],
        updated=row["updated"],
        categories=categories,
        primary_category=categories[0] if categories else None,
        doi=row["doi"],
        journal_ref=row["journal_ref"],
        comment=row["comment"],
    )


def _s2_record(row: dict[str, Any]) -> S2Record:
    corpus = row["corpusid"]
    external = {"CorpusId": str(corpus)}
    if row["arxiv_id"]:
        external["ArXiv"] = row["arxiv_id"]
    if row["doi"]:
        external["DOI"] = row["doi"]
    journal = None
    if row["journal_name"] or row["journal_volume"] or row["journal_pages"]:
        journal = Journal.model_construct(
            name=row["journal_name"], volume=row["journal_volume"], pages=row["journal_pages"]
        )
    venue_id = row["publicationvenueid"]
    return S2Record.model_construct(
        # The dataset has no paperId field: it is the last segment of the record's url.
        paper_id=row["paper_id"] or f"CorpusId:{corpus}",
        corpus_id=corpus,
        external_ids=external,
        arxiv_id=row["arxiv_id"],
        doi=row["doi"],
        title=row["title"],
        authors=tuple(row["authors"] or ()),
        venue=row["venue"],
        publication_venue=PublicationVenue.model_construct(
            id=venue_id, name=None, type=None, alternate_names=(), issn=None, url=None
        )
        if venue_id
        else None,
        journal=journal,
        year=row["year"],
        publication_date=row["publication_date"],
        publication_types=tuple(row["publication_types"] or ()),
        citation_count=row["citation_count"],
        influential_citation_count=row["influential_citation_count"],
        reference_count=row["reference_count"],
        match_score=None,
    )


@dataclass
class _Found:
    arxiv: dict[str, ArxivRecord] = field(default_factory=dict)
    s2: dict[int, S2Record] = field(default_factory=dict)
    s2_of_arxiv: dict[str, int] = field(default_factory=dict)
    dois: dict[str, list[tuple[str, int | None, str | None]]] = field(default_factory=dict)
    titles: dict[str, list[tuple[str, int | None, str | None]]] = field(default_factory=dict)


def _fetch(snapshot: Snapshot, papers: Sequence[Paper], keys: list[str | None]) -> _Found:
    found = _Found()
    input_ids = [p.arxiv_id for p in papers]
    input_dois = [p.doi for p in papers if p.arxiv_id is None]
    dois = snapshot.lookup("dois", "doi", input_dois)
    for doi, source, corpus, arxiv_id in dois.iter_rows() if dois is not None else ():
        found.dois.setdefault(doi, []).append((source, corpus, arxiv_id))
    titles = snapshot.lookup("titles", "title_key", keys)
    for key, source, _year, corpus, arxiv_id in titles.iter_rows() if titles is not None else ():
        found.titles.setdefault(key, []).append((source, corpus, arxiv_id))
    wanted = set(filter(None, input_ids))
    for entries in (*found.dois.values(), *found.titles.values()):
        wanted.update(arxiv_id for _, _, arxiv_id in entries if arxiv_id)
    arxiv = snapshot.lookup("arxiv", "arxiv_id", wanted)
    for row in arxiv.iter_rows(named=True) if arxiv is not None else ():
        found.arxiv[row["arxiv_id"]] = _arxiv_record(row)
    links = snapshot.lookup("s2_by_arxiv", "arxiv_id", wanted)
    if links is not None:
        # Two S2 records claiming one arXiv id (a merge S2 has not made yet): the oldest.
        for arxiv_id, corpus in links.sort("corpusid", descending=True).iter_rows():
            found.s2_of_arxiv[arxiv_id] = corpus
    corpora: set[int] = set(found.s2_of_arxiv.values())
    for entries in (*found.dois.values(), *found.titles.values()):
        corpora.update(c for source, c, _ in entries if source == "s2" and c is not None)
    s2 = snapshot.lookup("s2", "corpusid", corpora)
    for row in s2.iter_rows(named=True) if s2 is not None else ():
        found.s2[row["corpusid"]] = _s2_record(row)
    return found


# -- decisions ------------------------------------------------------------------------


def _decide(query: TitleQuery, candidates: list[Candidate], threshold: float) -> MatchDecision:
    decision = choose(query, candidates, threshold=threshold)
    if decision.index is None or len(candidates) < 2:
        return decision
    chosen = candidates[decision.index]
    for i, other in enumerate(candidates):
        if i == decision.index or choose(query, [other], threshold=threshold).index is None:
            continue
        # Another paper passes too.  The year tells them apart only when both years
        # are known and the other's is further from the query's (an unknown year
        # could be anything: precision first).
        if (
            query.year is not None
            and chosen.year is not None
            and other.year is not None
            and abs(other.year - query.year) > abs(chosen.year - query.year)
        ):
            continue
        return MatchDecision(
            None,
            decision.score,
            None,
            chosen.title,
            f"ambiguous: {len(candidates)} snapshot records share this title",
        )
    return decision


def _by_title(
    paper: Paper,
    key: str,
    found: _Found,
    sources: Sequence[str],
    threshold: float,
    outcome: Outcome,
) -> None:
    """One decision over the distinct papers that share the title key.

    An arXiv record and the S2 record linked to it are one paper; an S2 record
    linked to no arXiv candidate is another paper, so a namesake in either
    source makes an undecidable title ambiguous (precision first).
    """
    # The same record listed twice (a record repeated across shards) is one candidate.
    entries = list(dict.fromkeys(found.titles.get(key, [])))
    arxiv = []
    if "arxiv" in sources:
        arxiv = [found.arxiv[a] for s, _, a in entries if s == "arxiv" and a in found.arxiv]
    linked = {r.arxiv_id for r in arxiv}
    s2 = []
    if "s2" in sources:
        s2 = [
            found.s2[c]
            for s, c, _ in entries
            if s == "s2" and c in found.s2 and found.s2[c].arxiv_id not in linked
        ]
    if not arxiv and not s2:
        return
    candidates = [
        Candidate(r.title, r.published.year if r.published else None, r.authors) for r in arxiv
    ] + [Candidate(r.title or "", r.year, r.authors) for r in s2]
    decision = _decide(
        TitleQuery(paper.title or "", paper.year, paper.authors), candidates, threshold
    )
    if decision.index is None:
        if arxiv:
            outcome.arxiv_match = decision
        else:
            outcome.s2_match = decision
        return
    if decision.index < len(arxiv):
        outcome.arxiv_match = decision
        outcome.arxiv = arxiv[decision.index]
        if "s2" in sources:
            corpus = found.s2_of_arxiv.get(outcome.arxiv.arxiv_id)
            outcome.s2 = found.s2.get(corpus) if corpus is not None else None
        return
    outcome.s2_match = decision
    outcome.s2 = s2[decision.index - len(arxiv)]
    if outcome.s2.arxiv_id and "arxiv" in sources:
        outcome.arxiv = found.arxiv.get(outcome.s2.arxiv_id)


def _by_ids(paper: Paper, found: _Found, sources: Sequence[str], outcome: Outcome) -> None:
    arxiv_id = paper.arxiv_id
    if arxiv_id is None and paper.doi is not None:
        entries = found.dois.get(paper.doi, [])
        corpus = next((c for s, c, _ in entries if s == "s2" and c is not None), None)
        if corpus is not None and "s2" in sources:
            outcome.s2 = found.s2.get(corpus)
        arxiv_id = outcome.s2.arxiv_id if outcome.s2 is not None else None
        arxiv_id = arxiv_id or next((a for s, _, a in entries if s == "arxiv" and a), None)
    if arxiv_id is None:
        return
    if "arxiv" in sources:
        outcome.arxiv = found.arxiv.get(arxiv_id)
    if outcome.s2 is None and "s2" in sources:
        corpus = found.s2_of_arxiv.get(arxiv_id)
        outcome.s2 = found.s2.get(corpus) if corpus is not None else None


@dataclass
class SnapshotPass:
    """What the snapshot answered for a list of papers, aligned with it."""

    papers: Sequence[Paper]
    #: the row's outcome, or None when the snapshot does not know the paper
    outcomes: list[Outcome | None]
    #: title decisions for rows the snapshot did not resolve (kept for review)
    rejected: dict[int, Outcome] = field(default_factory=dict)

    @property
    def remaining(self) -> list[Paper]:
        """The papers the snapshot does not know: these need the live services."""
        return [p for p, o in zip(self.papers, self.outcomes, strict=True) if o is None]


def resolve_from_snapshot(
    papers: Sequence[Paper],
    snapshot: Snapshot | str | Path,
    *,
    sources: Sequence[str] = SOURCES,
    threshold: float = DEFAULT_THRESHOLD,
) -> SnapshotPass:
    """Resolve ``papers`` from the extracts; see the module docstring for the rules.

    Never touches the network.  A paper counts as resolved when any source the
    snapshot holds (and ``sources`` asks for) knows it; GitHub is never asked.
    """
    snap = open_snapshot(snapshot)
    wanted = [s for s in snap.sources if s in sources]
    keys: list[str | None] = [None] * len(papers)
    title_rows = [i for i, p in enumerate(papers) if p.arxiv_id is None and p.title]
    if title_rows:
        titles = pl.DataFrame({"t": [papers[i].title for i in title_rows]}, schema={"t": pl.String})
        for i, key in zip(title_rows, with_title_key(titles, "t", "k")["k"], strict=True):
            keys[i] = key or None
    found = _fetch(snap, papers, keys) if wanted else _Found()
    result = SnapshotPass(papers, [None] * len(papers))
    for i, paper in enumerate(papers):
        outcome = Outcome(paper=paper, asked=set(wanted))
        _by_ids(paper, found, wanted, outcome)
        key = keys[i]
        if outcome.arxiv is None and outcome.s2 is None and key:
            _by_title(paper, key, found, wanted, threshold, outcome)
        if outcome.arxiv is None and outcome.s2 is None:
            if outcome.arxiv_match is not None or outcome.s2_match is not None:
                result.rejected[i] = outcome
            continue
        if paper.code_urls:
            outcome.repo_url = paper.code_urls[0]
        result.outcomes[i] = outcome
    return result


def offline_outcome(paper: Paper, snapshot: Snapshot, rejected: Outcome | None = None) -> Outcome:
    """The row of a paper the snapshot lacks when live lookups are off (``--offline``)."""
    outcome = Outcome(paper=paper)
    if rejected is not None:
        outcome.arxiv_match, outcome.s2_match = rejected.arxiv_match, rejected.s2_match
    outcome.skipped.append(f"offline: not in the snapshot ({snapshot.describe()}); not asked live")
    return outcome


def label_snapshot_rows(
    frame: pl.DataFrame, from_snapshot: Sequence[bool], snapshot: Snapshot
) -> pl.DataFrame:
    """Mark the rows built from the snapshot: provenance names and release dates."""
    if not any(from_snapshot):
        return frame
    mask = pl.col("_from_snapshot")
    prov = pl.col("provenance")
    fields = []
    for name in PROVENANCE_FIELDS:
        value = prov.struct.field(name)
        fields.append(
            pl.when(mask & (value == "s2"))
            .then(pl.lit(_LABELS["s2"]))
            .when(mask & (value == "arxiv"))
            .then(pl.lit(_LABELS["arxiv"]))
            .otherwise(value)
            .alias(name)
        )
    s2_release, arxiv_release = snapshot.release("s2"), snapshot.release("arxiv")
    return (
        frame.with_columns(pl.Series("_from_snapshot", list(from_snapshot), dtype=pl.Boolean))
        .with_columns(
            pl.struct(fields).alias("provenance"),
            pl.when(mask & pl.col("s2_paper_id").is_not_null())
            .then(pl.lit(s2_release, pl.Date))
            .otherwise(pl.col("s2_snapshot_release"))
            .alias("s2_snapshot_release"),
            pl.when(mask & pl.col("arxiv_version").is_not_null())
            .then(pl.lit(arxiv_release, pl.Date))
            .otherwise(pl.col("arxiv_snapshot_release"))
            .alias("arxiv_snapshot_release"),
        )
        .drop("_from_snapshot")
    )


LiveResolver = Callable[[Sequence[Paper]], tuple[list[Outcome], RunReport]]


def snapshot_window(
    papers: Sequence[Paper],
    snapshot: Snapshot,
    *,
    live: LiveResolver | None,
    fetched_at: dt.datetime,
    sources: Sequence[str] = SOURCES,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[pl.DataFrame, RunReport]:
    """One window of a run with a snapshot: the snapshot first, ``live`` for the rest.

    ``live=None`` is ``--offline``: papers the snapshot lacks get a row saying so
    (status ``not_found``, the reason in ``errors``) and nothing is sent.
    """
    answered = resolve_from_snapshot(papers, snapshot, sources=sources, threshold=threshold)
    report = RunReport(papers=len(papers))
    outcomes: list[Outcome | None] = list(answered.outcomes)
    from_snapshot = [o is not None for o in outcomes]
    for outcome in answered.outcomes:
        if outcome is None:
            continue
        for name, record in (("arxiv", outcome.arxiv), ("s2", outcome.s2)):
            if record is not None:
                label = _LABELS[name]
                report.resolved[label] = report.resolved.get(label, 0) + 1
    missing = [i for i, o in enumerate(outcomes) if o is None]
    if live is None:
        for i in missing:
            outcomes[i] = offline_outcome(papers[i], snapshot, answered.rejected.get(i))
        report.not_found += len(missing)
    else:
        report.papers -= len(missing)
        for start in range(0, len(missing), LIVE_WINDOW):
            rows = missing[start : start + LIVE_WINDOW]
            found, part = live([papers[i] for i in rows])
            for i, outcome in zip(rows, found, strict=True):
                outcomes[i] = outcome
            report.papers += part.papers
            for name, count in part.resolved.items():
                report.resolved[name] = report.resolved.get(name, 0) + count
            report.not_found += part.not_found
            report.errors += part.errors
            report.github_skipped += part.github_skipped
            for name, why in part.unavailable.items():
                report.unavailable.setdefault(name, why)
    complete = [o for o in outcomes if o is not None]
    assert len(complete) == len(outcomes)
    frame = build_frame(complete, fetched_at)
    return label_snapshot_rows(frame, from_snapshot, snapshot), report
