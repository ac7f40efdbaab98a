"""The fake Hub's own rate rule: fixed 5-minute windows, 500 requests per IP and
1,000 per token, announced by ``RateLimit`` / ``RateLimit-Policy`` and refused
with 429 past the quota (hub-docs ``docs/hub/rate-limits.md``).  The client's
handling of those headers is tested in ``test_adapter_hf.py``; this checks that
the fake the benchmarks run against really enforces the rule.
"""

from __future__ import annotations

import datetime as dt
import json

from enrich._clock import FakeClock
from enrich.adapters.huggingface import parse_paper
from enrich.testing import Corpus, FakeServices
from enrich.testing._corpus import FakeHFPaper

PAPER = FakeHFPaper(
    arxiv_id="2502.01234",
    title="A Paper on the Hub",
    summary="An abstract.",
    published=dt.datetime(2025, 2, 3, tzinfo=dt.UTC),
    github_repo="https://github.com/example/hub-only",
    github_stars=12,
)
URL = f"https://huggingface.co/api/papers/{PAPER.arxiv_id}"


def ask(fake: FakeServices, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"User-Agent": "t"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return fake.handle("GET", URL, headers)


def test_the_window_refuses_past_its_quota_then_resets() -> None:
    clock = FakeClock()
    fake = FakeServices(Corpus(hf=[PAPER]), clock=clock)
    for used in range(500):
        status, headers, body = ask(fake)
        assert status == 200
        assert headers["RateLimit"].startswith(f'"api";r={499 - used};t=')
    assert headers["RateLimit-Policy"] == '"fixed window";"api";q=500;w=300'
    assert parse_paper(json.loads(body), PAPER.arxiv_id).repo_url == PAPER.github_repo

    status, headers, _ = ask(fake)
    assert status == 429
    assert headers["RateLimit"].startswith('"api";r=0;t=')

    clock.advance(300)
    status, headers, _ = ask(fake)
    assert status == 200
    assert headers["RateLimit"].startswith('"api";r=499;')


def test_a_token_has_its_own_window_of_a_thousand() -> None:
    fake = FakeServices(Corpus(hf=[PAPER]), clock=FakeClock())
    for _ in range(500):
        ask(fake)
    assert ask(fake)[0] == 429
    status, headers, _ = ask(fake, token="hf_" + "x" * 30)
    assert status == 200
    assert headers["RateLimit-Policy"] == '"fixed window";"api";q=1000;w=300'
