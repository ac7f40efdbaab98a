"""Small builders shared by the pipeline, API and CLI tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._wire import Request, Response
from enrich.testing import Corpus, FakeArxivEntry, FakeRepo, FakeS2Paper, FakeServices

UTC = dt.UTC


def fast_settings(**overrides: object) -> Settings:
    """Real defaults except pacing (the fake does not enforce it here) and the cache."""
    values: dict[str, object] = {
        "use_cache": False,
        "arxiv_min_interval": 0.0,
        "s2_min_interval": 0.0,
        "github_min_interval": 0.0,
        "hf_min_interval": 0.0,
    }
    values.update(overrides)
    return Settings.from_env({}, **values)


def small_corpus() -> Corpus:
    """Four papers covering the merge cases, and three repositories."""
    t0 = dt.datetime(2021, 6, 17, tzinfo=UTC)
    return Corpus(
        arxiv=[
            FakeArxivEntry(
                arxiv_id="2106.09685",
                titles=["LoRA: Low-Rank Adaptation of Large Language Models"] * 2,
                abstract="We propose LoRA.",
                authors=["Edward J. Hu", "Yelong Shen"],
                published=t0,
                updated=t0 + dt.timedelta(days=100),
                categories=["cs.CL", "cs.LG"],
                comment="Code: https://github.com/microsoft/LoRA",
                journal_ref="ICLR 2022",
            ),
            FakeArxivEntry(
                arxiv_id="1706.03762",
                titles=["Attention Is All You Need"],
                abstract="The dominant sequence transduction models...",
                authors=["Ashish Vaswani", "Noam Shazeer"],
                published=dt.datetime(2017, 6, 12, tzinfo=UTC),
                updated=dt.datetime(2017, 12, 6, tzinfo=UTC),
                categories=["cs.CL"],
            ),
            FakeArxivEntry(
                arxiv_id="1706.03999",
                titles=["Attention Is All You Need for Graphs"],
                abstract="A confuser.",
                authors=["Someone Else"],
                published=dt.datetime(2017, 6, 13, tzinfo=UTC),
                updated=dt.datetime(2017, 6, 13, tzinfo=UTC),
                categories=["cs.LG"],
            ),
        ],
        s2=[
            FakeS2Paper(
                paper_id="a" * 40,
                corpus_id=235458009,
                title="LoRA: Low-Rank Adaptation of Large Language Models",
                year=2021,
                authors=["Edward J. Hu", "Yelong Shen"],
                external_ids={"ArXiv": "2106.09685", "DBLP": "conf/iclr/HuSWALWWC22"},
                venue="International Conference on Learning Representations",
                publication_venue={
                    "id": "939c6e1d-0d17-4d6e-8a82-66d960df0e40",
                    "name": "International Conference on Learning Representations",
                    "type": "conference",
                },
                citation_count=9000,
                influential_citation_count=1200,
                reference_count=60,
            ),
            FakeS2Paper(
                paper_id="b" * 40,
                corpus_id=13756489,
                title="Attention is All you Need",
                year=2017,
                authors=["Ashish Vaswani", "Noam Shazeer"],
                external_ids={"ArXiv": "1706.03762", "DBLP": "conf/nips/VaswaniSPUJGKP17"},
                venue="Neural Information Processing Systems",
                journal={"pages": "5998-6008"},
                citation_count=100000,
                influential_citation_count=9000,
                reference_count=40,
            ),
            FakeS2Paper(
                paper_id="c" * 40,
                corpus_id=52967399,
                title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
                year=2019,
                authors=["Jacob Devlin", "Ming-Wei Chang"],
                external_ids={"DOI": "10.18653/V1/N19-1423"},
                venue="North American Chapter of the Association for Computational Linguistics",
                citation_count=80000,
                influential_citation_count=15000,
                reference_count=50,
            ),
        ],
        github=[
            FakeRepo(
                1,
                "microsoft/LoRA",
                stars=10000,
                forks=700,
                language="Python",
                license_spdx="MIT",
                license_name="MIT License",
                pushed_at=dt.datetime(2024, 1, 2, tzinfo=UTC),
            ),
            FakeRepo(2, "new-owner/renamed", former_names=["old-owner/old-name"], stars=5),
        ],
    )


class ScriptedSender:
    """Answers from a script of (status, body), recording requests: for answers the
    fake services cannot be made to give on purpose."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []

    def send(self, request: Request) -> Response:
        self.requests.append(request)
        status, body = self.answers.pop(0)
        return Response(request=request, status=status, content=body)


@contextmanager
def fake_client(
    corpus: Corpus, *, token: str | None = None, tokens: set[str] | None = None
) -> Iterator[tuple[Client, FakeServices]]:
    """The real Client on the fake services; no pacing, no cache, rate rules only logged."""
    fake = FakeServices(corpus, enforce_rate_limits=False, tokens=tokens)
    with Client(fast_settings(github_token=token), transport=fake.transport()) as client:
        yield client, fake


#: A scripted answer to one request (or an exception it raises).
Answer = Callable[[httpx.Request], httpx.Response]


class Script:
    """MockTransport handler: answers in order (the last one repeats), records requests."""

    def __init__(self, clock: FakeClock, *answers: Answer) -> None:
        self.clock = clock
        self.answers = list(answers)
        self.seen: list[httpx.Request] = []
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        self.times.append(self.clock.monotonic())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request)
