"""The peer loop: one paper at a time, each package used the way its README shows.

For every input row, in order:

1. ``arxiv`` (``arxiv.Client`` + ``arxiv.Search``): by ``id_list=[id]`` when the
   row names an arXiv id, else ``query='ti:"<title>"'`` with ``max_results=1``;
   the first result is taken.
2. ``semanticscholar`` (``SemanticScholar().get_paper`` / ``search_paper(...,
   match_title=True)``): by ``ARXIV:<id>`` when an arXiv id is known (from the
   input or step 1), else ``DOI:<doi>``, else the title match.
3. ``PyGithub`` (``Github().get_repo``): the repository linked in the row, else
   the first one linked in the arXiv comment or abstract.

Pointing them at the fakes: ``semanticscholar`` and ``PyGithub`` take a base URL
(``api_url=``, ``base_url=``).  ``arxiv`` has no documented option; its URL is
the class attribute ``Client.query_url_format``, overridden on the instance
here (in this process only).  Pacing is the packages' own where they have it
(``arxiv.Client(delay_seconds=...)``, ``Github(seconds_between_requests=...)``),
set to the same scaled intervals as enrich's; ``semanticscholar`` has none, so
the loop sleeps between its calls.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from enrich._ids import arxiv_id_from_doi, find_github_urls, github_full_name, normalize_doi
from enrich._ids import normalize_arxiv_id as _arxiv_id

__all__ = ["run_peers"]


class _Pacer:
    """At most one call per ``interval`` seconds (start to start)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.next_start = 0.0

    def wait(self) -> None:
        now = time.perf_counter()
        if now < self.next_start:
            time.sleep(self.next_start - now)
        self.next_start = max(now, self.next_start) + self.interval


def _strip_version(short_id: str) -> str:
    return _arxiv_id(short_id) or short_id


def run_peers(job: dict[str, Any]) -> dict[str, Any]:
    """Run the loop over ``job["rows"]``; returns predictions and timings."""
    import arxiv  # type: ignore[import-untyped]
    import github
    from semanticscholar import SemanticScholar  # type: ignore[import-untyped]
    from semanticscholar.SemanticScholarException import (  # type: ignore[import-untyped]
        ObjectNotFoundException,
    )

    for logger in ("semanticscholar", "github", "arxiv"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    urls, intervals = job["urls"], job["intervals"]
    arxiv_client = arxiv.Client(delay_seconds=intervals["arxiv"], num_retries=3)
    arxiv_client.query_url_format = urls["arxiv"] + "?{}"
    s2 = SemanticScholar(api_url=urls["s2"], timeout=30)
    s2_pace = _Pacer(intervals["s2"])
    gh = github.Github(
        auth=github.Auth.Token(job["github_token"]),
        base_url=urls["github"],
        seconds_between_requests=intervals["github"],
    )
    predictions: dict[str, list[str | None]] = {
        "arxiv_id": [],
        "s2_paper_id": [],
        "repo_full_name": [],
    }
    errors = 0
    seconds = {"arxiv": 0.0, "s2": 0.0, "github": 0.0}
    started = time.perf_counter()
    for row in job["rows"]:
        arxiv_id = _arxiv_id(row.get("arxiv_id"))
        doi = normalize_doi(row.get("doi"))
        from_doi = arxiv_id_from_doi(doi)
        if from_doi is not None:
            arxiv_id, doi = arxiv_id or from_doi, None
        title = (row.get("title") or "").replace('"', " ").strip()

        t0 = time.perf_counter()
        result = None
        try:
            if arxiv_id:
                search = arxiv.Search(id_list=[arxiv_id])
            elif title:
                search = arxiv.Search(query=f'ti:"{title}"', max_results=1)
            else:
                search = None
            if search is not None:
                result = next(arxiv_client.results(search), None)
        except Exception:
            errors += 1
        seconds["arxiv"] += time.perf_counter() - t0
        found_id = _strip_version(result.get_short_id()) if result is not None else None
        predictions["arxiv_id"].append(found_id)

        t0 = time.perf_counter()
        paper = None
        known = arxiv_id or found_id
        try:
            s2_pace.wait()
            if known:
                paper = s2.get_paper(f"ARXIV:{known}")
            elif doi:
                paper = s2.get_paper(f"DOI:{doi}")
            elif title:
                paper = s2.search_paper(title, match_title=True)
        except ObjectNotFoundException:
            paper = None
        except Exception:
            errors += 1
        seconds["s2"] += time.perf_counter() - t0
        predictions["s2_paper_id"].append(getattr(paper, "paperId", None) if paper else None)

        t0 = time.perf_counter()
        linked = github_full_name(row.get("code_url"))
        if linked is None and result is not None:
            links = find_github_urls(result.comment) or find_github_urls(result.summary)
            linked = github_full_name(links[0]) if links else None
        repo_name = None
        if linked is not None:
            try:
                repo_name = gh.get_repo(linked).full_name
            except github.UnknownObjectException:
                repo_name = None
            except Exception:
                errors += 1
        seconds["github"] += time.perf_counter() - t0
        predictions["repo_full_name"].append(repo_name)
    return {
        "wall_seconds": time.perf_counter() - started,
        "seconds_per_package": seconds,
        "errors": errors,
        "predictions": predictions,
    }
