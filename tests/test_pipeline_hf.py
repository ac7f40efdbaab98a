"""The Hugging Face Hub in a whole run, against the fake services.

Repository links come from the input first, then arXiv, then the Hub; every
link still goes to GitHub; the Hub's star snapshot is used only when GitHub
was not asked; a spent window budget skips the rows left, with a reason.
"""

from __future__ import annotations

import datetime as dt

import httpx
import polars as pl
import pytest
from helpers import fast_settings, small_corpus

import enrich
from enrich._api import enrich_result
from enrich._client import Client
from enrich._clock import FakeClock
from enrich.testing import Corpus, FakeRepo, FakeServices
from enrich.testing._corpus import FakeHFPaper
from enrich.testing._seed_corpus import build_seed_corpus, default_seed_dir

UTC = dt.UTC
T0 = dt.datetime(2021, 6, 17, tzinfo=UTC)


def corpus() -> Corpus:
    """small_corpus plus Hub pages: one pins a Hub-only repository, one disagrees."""
    base = small_corpus()
    base.github.append(FakeRepo(3, "google/transformer", stars=40_000))
    base.github.append(FakeRepo(4, "someone/lora-fork", stars=12))
    base.hf = [
        # Attention: no link anywhere but the Hub.
        FakeHFPaper(
            "1706.03762",
            "Attention Is All You Need",
            "The dominant sequence transduction models...",
            dt.datetime(2017, 6, 12, tzinfo=UTC),
            upvotes=120,
            github_repo="https://github.com/google/transformer",
            github_stars=35_000,
            project_page="https://attention.github.io/",
            ai_keywords=["transformer", "self-attention"],
            ai_summary="Attention only.",
        ),
        # LoRA: arXiv's comment links microsoft/LoRA; the Hub pins a fork.
        FakeHFPaper(
            "2106.09685",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "We propose LoRA.",
            T0,
            upvotes=9,
            github_repo="https://github.com/someone/lora-fork",
            github_stars=11,
        ),
    ]
    return base


PAPERS = ["2106.09685", "Attention is all you need", "10.18653/v1/N19-1423"]


def run(fake: FakeServices, **kwargs: object) -> pl.DataFrame:
    kwargs.setdefault("settings", fast_settings())
    return enrich.enrich(PAPERS, transport=fake.transport(), **kwargs)  # type: ignore[arg-type]


def test_hub_repository_fills_the_gap_and_still_goes_to_github() -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    df = run(fake)
    lora, attention, bert = df.iter_rows(named=True)

    assert attention["repo_url"] == "https://github.com/google/transformer"
    assert attention["provenance"]["repo_url"] == "hf"
    assert attention["repo_stars"] == 40_000  # GitHub's fresh count, not the Hub's 35,000
    assert attention["provenance"]["repo_stars"] == "github"
    assert attention["hf_upvotes"] == 120
    assert attention["hf_project_page"] == "https://attention.github.io/"
    assert attention["hf_ai_keywords"] == ["transformer", "self-attention"]
    assert attention["hf_url"] == "https://huggingface.co/papers/1706.03762"

    # arXiv's link wins over the Hub's; the disagreement is listed.
    assert lora["repo_url"] == "https://github.com/microsoft/LoRA"
    assert lora["provenance"]["repo_url"] == "arxiv"
    assert lora["conflicts"] == ["repo_url: arxiv=microsoft/LoRA hf=someone/lora-fork"]
    assert lora["repo_stars"] == 10_000

    # BERT: no arXiv id, so the Hub is not asked.
    assert bert["hf_url"] is None
    assert bert["repo_url"] is None
    papers = [e.ids for e in fake.log if e.source == "hf"]
    assert sorted(papers) == [("1706.03762",), ("2106.09685",)]
    github = {i for e in fake.log if e.source == "github" for i in e.ids}
    assert "google/transformer" in github
    assert dict(zip(df["arxiv_id"], df["status"], strict=True)) == {
        "2106.09685": "ok",
        "1706.03762": "ok",
        None: "partial",
    }


def test_without_github_the_hub_snapshot_is_marked_as_such() -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    df = run(fake, sources=("arxiv", "s2", "hf"))
    lora, attention, _ = df.iter_rows(named=True)
    assert attention["repo_url"] == "https://github.com/google/transformer"
    assert attention["repo_stars"] == 35_000
    assert attention["provenance"]["repo_stars"] == "hf_snapshot"
    # The Hub's stars are for its fork, not for the repository arXiv links.
    assert lora["repo_url"] == "https://github.com/microsoft/LoRA"
    assert lora["repo_stars"] is None
    assert not [e for e in fake.log if e.source == "github"]


def test_sources_can_leave_the_hub_out() -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    df = run(fake, sources=("arxiv", "s2", "github"))
    assert not [e for e in fake.log if e.source == "hf"]
    assert df["hf_url"].null_count() == df.height
    assert df["repo_url"].to_list() == ["https://github.com/microsoft/LoRA", None, None]


class _Throttled(httpx.BaseTransport):
    """The Hub answers 429 with a spent window (an IP shared with a heavy user)."""

    def __init__(self, inner: httpx.BaseTransport, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock
        self.hub_times: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "huggingface.co":
            return self.inner.handle_request(request)
        self.hub_times.append(self.clock.monotonic())
        headers = {
            "RateLimit": '"api";r=0;t=250',
            "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
        }
        return httpx.Response(429, json={"error": "Too Many Requests"}, headers=headers)


def test_a_spent_window_skips_the_rows_left_with_a_reason() -> None:
    clock = FakeClock()
    fake = FakeServices(corpus(), enforce_rate_limits=False, clock=clock)
    transport = _Throttled(fake.transport(), clock)
    with Client(fast_settings(), transport=transport, clock=clock) as client:
        result = enrich_result(PAPERS, client=client)
        waited = client.stats()["hf"].wait_seconds
    frame = result.frame
    assert frame is not None
    lora, attention, _bert = frame.iter_rows(named=True)
    for row in (lora, attention):
        assert row["hf_url"] is None
        assert row["status"] == "partial"  # data, and a source skipped: not an error
        assert row["hf_status"] == "skipped"
        (note,) = [n for n in row["status_notes"] if n.startswith("hf skipped: ")]
        assert "window budget spent" in note
        assert "HF_TOKEN" in note
    assert attention["repo_url"] is None  # the Hub's repository was never learnt
    assert lora["repo_url"] == "https://github.com/microsoft/LoRA"  # the rest goes on
    assert result.report.source_statuses["hf"]["skipped"] == 2
    assert "hf" in result.report.unavailable
    # One wait for the announced reset (250 s), none past one window in all; then the
    # rows left are skipped without asking.
    assert len(transport.hub_times) == 2
    assert 250.0 <= waited <= 300.0 + 5.0


@pytest.fixture(scope="module")
def seed_frames() -> tuple[object, pl.DataFrame, pl.DataFrame]:
    if not default_seed_dir().is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    work = build_seed_corpus()
    frames = []
    for sources in (("arxiv", "s2", "github"), ("arxiv", "s2", "github", "hf")):
        fake = FakeServices(work.corpus, enforce_rate_limits=False)
        frames.append(
            enrich.enrich(
                pl.DataFrame(work.inputs),
                settings=fast_settings(github_token="t0ken"),
                transport=fake.transport(),
                sources=sources,
            )
        )
    return work, frames[0], frames[1]


def test_seed_pages_gain_every_hub_pinned_repository_with_precision_one(
    seed_frames: tuple[object, pl.DataFrame, pl.DataFrame],
) -> None:
    work, without, with_hub = seed_frames
    truth = work.truth.rows  # type: ignore[attr-defined]
    assert without.height == with_hub.height == len(truth) == 231
    hub_only = [i for i, t in enumerate(truth) if t.hub_repo_full_name is not None]
    assert len(hub_only) >= 20  # the workload does hold Hub-only repositories
    gained = 0
    for i in hub_only:
        assert without["repo_full_name"][i] is None
        if with_hub["repo_full_name"][i] == truth[i].hub_repo_full_name:
            gained += 1
    # Every Hub-pinned repository the abstracts lack, where the row's paper was found.
    findable = [i for i in hub_only if with_hub["arxiv_id"][i] == truth[i].arxiv_id]
    assert gained == len(findable) == len(hub_only)
    # Precision 1.000: every repository reported is the right one.
    for i, t in enumerate(truth):
        found = with_hub["repo_full_name"][i]
        if found is not None:
            assert found.lower() == (t.repo_full_name or t.hub_repo_full_name or "").lower(), i
    found_before = without["repo_full_name"].drop_nulls().len()
    found_after = with_hub["repo_full_name"].drop_nulls().len()
    assert found_after == found_before + len(hub_only)
