"""The Hub's share of a row (issue #13): which record applies, where the repository link comes from.

Pure functions of an :class:`~enrich._merge.Outcome`, used by the pipeline
(to choose what GitHub is asked about) and by the merge (columns, provenance,
conflicts), so both apply one rule: the input's code link first, then arXiv's,
then the repository pinned on the Hub.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from enrich._ids import find_github_urls, github_full_name, normalize_arxiv_id
from enrich._models import HFRecord

if TYPE_CHECKING:
    from enrich._merge import Outcome

__all__ = ["hf_columns", "hf_record_for", "known_arxiv_id", "pick_repo", "repo_conflict"]


def hf_record_for(outcome: Outcome) -> HFRecord | None:
    """The Hub's record when it is filed under the row's resolved arXiv id, else None.

    The Hub is asked as soon as an id is known; should arXiv or S2 settle on
    another id afterwards, the Hub's answer was about another paper and is not used.
    """
    record = outcome.hf
    if record is None:
        return None
    resolved = known_arxiv_id(outcome)
    if resolved is None or resolved.lower() != record.arxiv_id.lower():
        return None
    return record


def known_arxiv_id(outcome: Outcome) -> str | None:
    """The row's arXiv id as the merge will report it (arXiv > S2 > input)."""
    found: str | None
    if outcome.arxiv is not None:
        found = outcome.arxiv.arxiv_id
    elif outcome.s2 is not None and outcome.s2.arxiv_id:
        found = outcome.s2.arxiv_id
    else:
        found = outcome.paper.arxiv_id
    # A service's id field can hold anything (S2 has served "DOI:..." there).
    return normalize_arxiv_id(found)


def pick_repo(outcome: Outcome) -> tuple[str, str] | None:
    """``(repo_url, source)``: the input's code link, else arXiv's, else the Hub's.

    >>> from enrich._merge import Outcome
    >>> from enrich._models import Paper
    >>> pick_repo(Outcome(paper=Paper(code_urls=("https://github.com/o/r",))))
    ('https://github.com/o/r', 'input')
    """
    if outcome.paper.code_urls:
        return outcome.paper.code_urls[0], "input"
    if outcome.arxiv is not None:
        links = find_github_urls(outcome.arxiv.comment) or find_github_urls(outcome.arxiv.abstract)
        if links:
            return links[0], "arxiv"
    hf = hf_record_for(outcome)
    if hf is not None and hf.repo_url is not None and github_full_name(hf.repo_url):
        return hf.repo_url, "hf"
    return None


def hf_columns(outcome: Outcome) -> dict[str, Any]:
    """The ``hf_*`` columns of one row (empty when the Hub did not know the paper)."""
    hf = hf_record_for(outcome)
    return {
        "hf_upvotes": hf.upvotes if hf else None,
        "hf_project_page": hf.project_page if hf else None,
        "hf_ai_keywords": list(hf.ai_keywords) if hf and hf.ai_keywords else None,
        "hf_url": hf.hf_url if hf else None,
    }


def repo_conflict(outcome: Outcome, chosen: str | None, canonical: str | None) -> str | None:
    """A ``conflicts`` entry when the Hub pins another repository than the row's link.

    ``canonical`` is GitHub's current name for the chosen link (a renamed
    repository is not a disagreement).
    """
    hf = hf_record_for(outcome)
    hub = github_full_name(hf.repo_url) if hf else None
    mine = github_full_name(chosen)
    if hub is None or mine is None or outcome.repo_source == "hf":
        return None
    if hub.lower() in {mine.lower(), (canonical or "").lower()}:
        return None
    return f"repo_url: {outcome.repo_source or 'input'}={mine} hf={hub}"
