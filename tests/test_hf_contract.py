"""The fake Hub answers like the recorded ``/api/daily_papers`` (../shared/api-samples/hf).

The corpus is built from the recording's own facts (ids, titles, repositories,
stars, project pages, keywords); the fake's answer must carry, paper by paper,
the same keys with the same JSON types.  Keys the fake does not model (who
submitted the paper, the organisation card, media) are listed, so every gap
is explicit.  The same paper objects are what ``/api/papers/{id}`` serves.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from test_contract_samples import compare_json

from enrich._clock import FakeClock
from enrich._ids import find_github_urls, github_full_name
from enrich.adapters.huggingface import parse_daily_papers, parse_paper
from enrich.testing import Corpus, FakeServices
from enrich.testing._corpus import FakeHFPaper

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "api-samples" / "hf"
DAILY = SAMPLE / "daily_papers_limit100_200.json"
pytestmark = pytest.mark.skipif(not DAILY.is_file(), reason="../shared is not beside this checkout")

#: Recorded keys the fake leaves out: submitter and organisation cards, media.
PAPER_NOT_MODELLED = frozenset({"submittedOnDailyBy", "organization", "mediaUrls"})
WRAPPER_NOT_MODELLED = frozenset({"submittedBy", "organization"})
#: Claimed authors carry a user card; the fake's authors are unclaimed.
AUTHOR_NOT_MODELLED = frozenset({"user", "status", "statusLastChangedAt"})


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(DAILY.read_text(encoding="utf-8"))
    return data


def corpus_from(sample: list[dict[str, Any]]) -> Corpus:
    papers = []
    for item in sample:
        p = item["paper"]
        papers.append(
            FakeHFPaper(
                arxiv_id=p["id"],
                title=p["title"],
                summary=p["summary"],
                published=dt.datetime.fromisoformat(p["publishedAt"].replace("Z", "+00:00")),
                upvotes=p["upvotes"],
                github_repo=p.get("githubRepo"),
                github_stars=p.get("githubStars"),
                project_page=p.get("projectPage"),
                ai_keywords=p.get("ai_keywords"),
                ai_summary=p.get("ai_summary"),
                authors=[a["name"] for a in p["authors"]],
                num_comments=item["numComments"],
            )
        )
    return Corpus(hf=papers)


def test_fake_daily_papers_has_the_recorded_shape_paper_by_paper(
    sample: list[dict[str, Any]],
) -> None:
    fake = FakeServices(corpus_from(sample), clock=FakeClock())
    status, headers, body = fake.handle(
        "GET", "https://huggingface.co/api/daily_papers?limit=100", {"User-Agent": "t"}
    )
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    served = {item["paper"]["id"]: item for item in json.loads(body)}
    assert set(served) == {item["paper"]["id"] for item in sample}
    for item in sample:
        mine = served[item["paper"]["id"]]
        problems = compare_json(
            item,
            mine,
            missing_ok=PAPER_NOT_MODELLED | WRAPPER_NOT_MODELLED | AUTHOR_NOT_MODELLED,
        )
        assert not problems, (item["paper"]["id"], problems)
        # Optional keys are absent exactly where the recording has them absent.
        for key in ("githubRepo", "githubStars", "projectPage", "ai_keywords"):
            assert (key in mine["paper"]) == (key in item["paper"]), key


def test_fake_paper_endpoint_serves_the_inner_object(sample: list[dict[str, Any]]) -> None:
    fake = FakeServices(corpus_from(sample), clock=FakeClock())
    for item in sample[:5]:
        arxiv_id = item["paper"]["id"]
        status, headers, body = fake.handle(
            "GET", f"https://huggingface.co/api/papers/{arxiv_id}", {"User-Agent": "t"}
        )
        assert status == 200
        assert headers["RateLimit"].startswith('"api";r=')
        mine = json.loads(body)
        assert not compare_json(
            item["paper"], mine, missing_ok=PAPER_NOT_MODELLED | AUTHOR_NOT_MODELLED
        )
        assert parse_paper(mine, arxiv_id) == parse_paper(item, arxiv_id)


def test_recorded_sample_parses_to_the_facts_of_issue_13(sample: list[dict[str, Any]]) -> None:
    records = parse_daily_papers(sample)
    assert len(records) == 30
    with_repo = [r for r in records if r.repo_url is not None]
    assert len(with_repo) == 16
    assert all(r.stars is not None and r.stars >= 1 for r in with_repo)
    assert sum(r.project_page is not None for r in records) == 13
    abstracts = {item["paper"]["id"]: item["paper"]["summary"] for item in sample}
    hub_only = [
        r
        for r in with_repo
        if github_full_name(r.repo_url)
        not in {github_full_name(u) for u in find_github_urls(abstracts[r.arxiv_id])}
    ]
    assert len(hub_only) == 10
    msa = next(r for r in records if r.arxiv_id == "2606.13392")
    assert (msa.repo_url, msa.stars) == ("https://github.com/MiniMax-AI/MSA", 251)
    assert msa.hf_url == "https://huggingface.co/papers/2606.13392"
    # Bare ids, no version; keywords are kept in order.
    first = records[0]
    assert first.arxiv_id == "2606.00467"
    assert first.ai_keywords[0] == "zero-shot annotation"
    assert first.repo_url is None
