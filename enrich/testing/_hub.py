"""Hugging Face Hub paper pages for generated workloads (issue #13).

The Hub pins code that abstracts leave out: in the recorded ``daily_papers``
answer (``shared/api-samples/hf``) 16 of 30 papers carry a ``githubRepo``, 10
of those 16 appear nowhere in the abstract, and 13 of 30 carry a
``projectPage``.  :func:`add_hub_pages` gives a workload's arXiv papers pages
in about those proportions: a paper whose code is linked keeps that repository
pinned on the Hub too (or none), a paper without any link sometimes has a
repository pinned only on the Hub, which becomes the row's
``TruthRow.hub_repo_full_name``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Final

from enrich.testing._corpus import FakeArxivEntry, FakeHFPaper, TruthRow
from enrich.testing._repos import RepoMaker

__all__ = ["HubCandidate", "add_hub_pages"]

#: Share of arXiv papers the Hub has a page for (new ones are indexed within days).
INDEXED: Final = 0.85
#: Of papers whose code is linked elsewhere, share whose page pins that repository.
PINS_LINKED: Final = 0.6
#: Of papers with no link anywhere, share with a repository pinned only on the Hub
#: (with INDEXED, about a quarter: sample-like once the linked papers are counted).
HUB_ONLY: Final = 0.3
#: 13 of 30 pages in the sample carry a project page.
PROJECT_PAGE: Final = 0.43
#: Fresh papers have no AI summary or keywords yet (SCHEMA_NOTES hf §6).
NO_AI: Final = 0.1
_HUB_ONLY_STATUSES: Final = (("ok", 0.9), ("renamed", 0.1))
_WORD_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9-]{3,}")


@dataclass
class HubCandidate:
    """One workload paper the Hub may have a page for."""

    entry: FakeArxivEntry
    truth: TruthRow
    #: the input or the arXiv record links code (the Hub-only repository would not be used)
    linked: bool
    abstract: str | None = None


def add_hub_pages(
    rng: random.Random, repos: RepoMaker, candidates: list[HubCandidate]
) -> list[FakeHFPaper]:
    """Pages for ``candidates``; Hub-only repositories are added to ``repos``.

    Sets ``truth.hub_repo_full_name`` of the rows that gain a repository only
    through the Hub.  ``rng`` should be used for nothing else, so that adding
    pages leaves the rest of a workload unchanged.
    """
    pages: list[FakeHFPaper] = []
    seen: set[str] = set()
    for cand in candidates:
        entry = cand.entry
        if entry.arxiv_id in seen or rng.random() >= INDEXED:
            continue
        seen.add(entry.arxiv_id)
        repo: str | None = None
        stars: int | None = None
        if cand.truth.repo_full_name is not None:
            if rng.random() < PINS_LINKED:
                repo = cand.truth.repo_full_name
                stars = _snapshot(rng, repos, repo)
        elif not cand.linked and rng.random() < HUB_ONLY:
            status = _weighted(rng, _HUB_ONLY_STATUSES)
            link = repos.make(entry.title, entry.published, status)
            repo = link.linked_name  # pinned when the page was made; GitHub moved it since
            stars = link.repo.stars if link.repo is not None else None
            cand.truth.hub_repo_full_name = link.truth
        abstract = cand.abstract or entry.abstract
        words = list(dict.fromkeys(w.lower() for w in _WORD_RE.findall(entry.title)))
        ai = rng.random() >= NO_AI
        pages.append(
            FakeHFPaper(
                arxiv_id=entry.arxiv_id,
                title=entry.title,
                summary=abstract,
                published=entry.published,
                upvotes=min(int((rng.paretovariate(1.2) - 1.0) * 8), 900),
                github_repo=f"https://github.com/{repo}" if repo else None,
                github_stars=stars,
                project_page=_project_page(rng, entry, words)
                if rng.random() < PROJECT_PAGE
                else None,
                ai_keywords=words[: rng.randint(3, 12)] if ai else None,
                ai_summary=abstract.split(". ")[0].strip()[:300] if ai else None,
                authors=list(entry.authors),
                num_comments=rng.choice((0, 0, 1, 2, 3)),
            )
        )
    return pages


def _snapshot(rng: random.Random, repos: RepoMaker, full_name: str) -> int | None:
    """The Hub's copy of the star count: taken some time ago, so at most GitHub's."""
    for repo in repos.repos:
        if repo.full_name.lower() == full_name.lower():
            return int(repo.stars * rng.uniform(0.6, 1.0))
    return None


def _project_page(rng: random.Random, entry: FakeArxivEntry, words: list[str]) -> str:
    slug = "-".join(words[:3]) or entry.arxiv_id.replace("/", "-")
    owner = (entry.authors[0].split()[-1] if entry.authors else "lab").lower()
    owner = re.sub(r"[^a-z0-9-]", "", owner) or "lab"
    if rng.random() < 0.2:
        return f"https://huggingface.co/spaces/{owner}/{slug}"
    return f"https://{owner}.github.io/{slug}/"


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random() * sum(p for _, p in options)
    for value, p in options:
        roll -= p
        if roll < 0:
            return value
    return options[-1][0]
