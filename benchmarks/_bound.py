"""The lower bound: the least wall time any polite client needs for a workload.

The minimal request plan is counted from the workload's inputs and the corpus
the fakes serve (see ``benchmarks/README.md`` for the formula in full):

* arXiv: ``ceil(I / id_batch)`` id requests for the distinct arXiv ids known
  before any title search (the input's, plus those a DOI's S2 record names),
  and ``ceil(T / titles_per_query)`` title searches for the rows whose arXiv id
  is not known that way and that have a title;
* S2: ``ceil(K / s2_batch)`` batch requests for the distinct papers with a batch
  key (an arXiv id, the input's DOI or arXiv's DOI), plus ``ceil(M /
  titles_per_bulk)`` bulk title searches for the ``M`` distinct papers with a
  title that no batch key reaches: their S2 record is linked to none of those
  keys, or S2 has no record at all (only a title search can tell) (issue #11:
  ``/paper/search/bulk`` asks 20 titles at once where ``/paper/search/match``
  asked one);
* GitHub: ``ceil(R / graphql_batch)`` GraphQL requests for the distinct
  repositories linked in the input or in the arXiv comment (REST without a
  token: one each).

Each source spends ``count x interval``; sources run concurrently, so the bound
is the largest of the three, and of the one dependency chain that matters: the
S2 batch of the ids that arXiv's title searches found cannot start before the
last title search answered (``ceil(T / titles_per_query) x arXiv interval + S2
interval``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from benchmarks._workloads import Workload
from enrich._config import DEFAULT_ARXIV_TITLES_PER_QUERY, DEFAULT_S2_TITLE_BATCH
from enrich._ids import (
    arxiv_id_from_doi,
    find_github_urls,
    github_full_name,
    normalize_arxiv_id,
    normalize_doi,
)

__all__ = ["Intervals", "Plan", "lower_bound", "minimal_plan"]


@dataclass(frozen=True)
class Intervals:
    """Seconds between two requests per source (the real rules divided by the scale)."""

    arxiv: float
    s2: float
    github: float


@dataclass(frozen=True)
class Plan:
    """Request counts of the minimal plan, and what they were counted from."""

    arxiv_ids: int
    arxiv_titles: int
    s2_batch_keys: int
    s2_matches: int
    repos: int
    arxiv_requests: int
    arxiv_title_requests: int
    s2_requests: int
    github_requests: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _input_ids(row: dict[str, str | None]) -> tuple[str | None, str | None]:
    """(arXiv id, DOI) as enrich's readers understand the row."""
    arxiv_id = normalize_arxiv_id(row.get("arxiv_id"))
    doi = normalize_doi(row.get("doi"))
    if doi is not None and arxiv_id_from_doi(doi) is not None:
        arxiv_id, doi = arxiv_id or arxiv_id_from_doi(doi), None
    return arxiv_id, doi


def minimal_plan(
    workload: Workload,
    *,
    arxiv_batch: int = 100,
    titles_per_query: int = DEFAULT_ARXIV_TITLES_PER_QUERY,
    s2_batch: int = 500,
    titles_per_bulk: int = DEFAULT_S2_TITLE_BATCH,
    github_batch: int = 50,
    graphql: bool = True,
) -> Plan:
    """Count the requests of the minimal plan for ``workload`` (see the module docstring)."""
    corpus = workload.corpus
    arxiv = {e.arxiv_id: e for e in corpus.arxiv}
    s2_by_arxiv: dict[str, str] = {}
    s2_by_doi: dict[str, str] = {}
    s2_arxiv_of: dict[str, str] = {}
    for paper in corpus.s2:
        linked = normalize_arxiv_id(paper.external_ids.get("ArXiv"))
        if linked:
            s2_by_arxiv.setdefault(linked, paper.paper_id)
            s2_arxiv_of[paper.paper_id] = linked
        doi = normalize_doi(paper.external_ids.get("DOI"))
        if doi:
            s2_by_doi.setdefault(doi, paper.paper_id)

    known_ids: set[str] = set()
    title_rows: set[str] = set()
    batch_papers: set[str] = set()
    match_papers: set[str] = set()
    repos: set[str] = set()
    for row, truth in zip(workload.inputs, workload.truth, strict=True):
        arxiv_id, doi = _input_ids(row)
        title = (row.get("title") or "").strip()
        paper_key = truth.arxiv_id or truth.s2_paper_id or f"title:{title.lower()}"
        if arxiv_id is None and doi is not None and doi in s2_by_doi:
            arxiv_id = s2_arxiv_of.get(s2_by_doi[doi])
        if arxiv_id is not None:
            known_ids.add(arxiv_id)
        elif title:
            title_rows.add(paper_key)
        entry = arxiv.get(truth.arxiv_id or "") if truth.arxiv_id else None
        on_arxiv = entry is not None
        keys: list[str] = []
        if on_arxiv and truth.arxiv_id:
            keys.append(f"ARXIV:{truth.arxiv_id}")
        elif arxiv_id is not None:
            keys.append(f"ARXIV:{arxiv_id}")
        if doi is not None:
            keys.append(f"DOI:{doi}")
        if entry is not None and entry.doi:
            keys.append(f"DOI:{normalize_doi(entry.doi)}")
        reached = {_lookup(k, s2_by_arxiv, s2_by_doi) for k in keys} - {None}
        if keys:
            batch_papers.add(paper_key)
        has_title = bool(title) or on_arxiv
        if has_title and (truth.s2_paper_id is None or truth.s2_paper_id not in reached):
            match_papers.add(paper_key)
        link = github_full_name(row.get("code_url"))
        if link is None and entry is not None:
            found = find_github_urls(entry.comment) or find_github_urls(entry.abstract)
            link = github_full_name(found[0]) if found else None
        if link is not None:
            repos.add(link.lower())

    arxiv_id_requests = math.ceil(len(known_ids) / arxiv_batch)
    title_requests = math.ceil(len(title_rows) / titles_per_query)
    github_requests = math.ceil(len(repos) / github_batch) if graphql else len(repos)
    return Plan(
        arxiv_ids=len(known_ids),
        arxiv_titles=len(title_rows),
        s2_batch_keys=len(batch_papers),
        s2_matches=len(match_papers),
        repos=len(repos),
        arxiv_requests=arxiv_id_requests + title_requests,
        arxiv_title_requests=title_requests,
        s2_requests=math.ceil(len(batch_papers) / s2_batch)
        + math.ceil(len(match_papers) / titles_per_bulk),
        github_requests=github_requests,
    )


def _lookup(key: str, by_arxiv: dict[str, str], by_doi: dict[str, str]) -> str | None:
    kind, _, value = key.partition(":")
    return by_arxiv.get(value) if kind == "ARXIV" else by_doi.get(value)


def lower_bound(plan: Plan, intervals: Intervals) -> dict[str, float]:
    """Seconds per source, for the dependency chain, and the bound (their maximum)."""
    per_source = {
        "arxiv": plan.arxiv_requests * intervals.arxiv,
        "s2": plan.s2_requests * intervals.s2,
        "github": plan.github_requests * intervals.github,
    }
    chain = plan.arxiv_title_requests * intervals.arxiv + intervals.s2 if plan.arxiv_titles else 0.0
    return {**per_source, "chain": chain, "bound": max(*per_source.values(), chain)}
