"""The request plan of the pipeline: what is asked of whom, for which rows, and that it is fixed.

Runs against the fake services through the real Client; no pacing, no sleeping.
"""

from __future__ import annotations

import collections
import datetime as dt
import random
import threading
import time

import httpx
import polars as pl
from helpers import fast_settings

import enrich
from enrich.testing import Corpus, FakeArxivEntry, FakeS2Paper, FakeServices
from enrich.testing._generator import generate_corpus

UTC = dt.UTC
T0 = dt.datetime(2022, 3, 1, tzinfo=UTC)


def _arxiv(arxiv_id: str, *titles: str, **extra: object) -> FakeArxivEntry:
    return FakeArxivEntry(
        arxiv_id=arxiv_id,
        titles=list(titles),
        abstract="An abstract.",
        authors=["Ada Lovelace", "Alan Turing"],
        published=T0,
        updated=T0 + dt.timedelta(days=30 * len(titles)),
        categories=["cs.LG"],
        **extra,  # type: ignore[arg-type]
    )


def _s2(paper_id: str, title: str, **external: str) -> FakeS2Paper:
    return FakeS2Paper(
        paper_id=paper_id * 40,
        corpus_id=int(paper_id, 16) + 1000,
        title=title,
        year=2022,
        authors=["Ada Lovelace", "Alan Turing"],
        external_ids=dict(external),
    )


def _requests(fake: FakeServices, source: str, endpoint: str) -> list[tuple[str, ...]]:
    return [e.ids for e in fake.log if e.source == source and e.endpoint == endpoint]


def test_a_doi_row_gets_the_preprint_record_not_the_published_one() -> None:
    title = "Gradient Surgery for Multilingual Speech Separation"
    corpus = Corpus(
        arxiv=[_arxiv("2203.01001", title)],
        s2=[
            _s2("1", title, ArXiv="2203.01001"),  # the preprint's record
            _s2("2", title, DOI="10.1000/pub.2022.7"),  # the published version's record
        ],
    )
    fake = FakeServices(corpus, enforce_rate_limits=False)
    frame = enrich.enrich(
        pl.DataFrame({"title": [title], "doi": ["10.1000/pub.2022.7"]}),
        settings=fast_settings(),
        transport=fake.transport(),
    )
    row = frame.row(0, named=True)
    assert row["arxiv_id"] == "2203.01001"
    assert row["s2_paper_id"] == "1" * 40
    # One batch by DOI, one title search, one batch by the found arXiv id; no title match.
    assert _requests(fake, "s2", "paper/batch") == [
        ("DOI:10.1000/pub.2022.7",),
        ("ARXIV:2203.01001",),
    ]
    assert _requests(fake, "s2", "paper/search/match") == []


def test_a_renamed_paper_is_confirmed_by_its_earlier_title() -> None:
    first = "Sparse Routing Transformers for Multilingual Speech Separation at Scale"
    corpus = Corpus(
        arxiv=[
            # v1 had the listed title; v2 dropped the last words.
            _arxiv("2203.02002", first, "Sparse Routing Transformers for Multilingual Speech"),
            # Opens like the second listed title, but never had it: a different paper.
            _arxiv(
                "2203.03003",
                "Sparse Routing Transformers for Vision",
                "Sparse Routing Transformers for Vision Tasks",
            ),
        ]
    )
    fake = FakeServices(corpus, enforce_rate_limits=False)
    frame = enrich.enrich(
        pl.DataFrame({"title": [first, "Sparse Routing Transformers for Vision Tasks Revisited"]}),
        settings=fast_settings(),
        sources=["arxiv"],
        transport=fake.transport(),
    )
    renamed, other = frame.iter_rows(named=True)
    assert renamed["arxiv_id"] == "2203.02002"
    assert renamed["match_method"] == "title_exact"
    assert other["arxiv_id"] is None
    # phrase search, loose search, then one id_list of earlier versions
    queries = _requests(fake, "arxiv", "query")
    assert len(queries) == 3
    assert set(queries[-1]) == {"2203.02002v1", "2203.03003v1"}


def test_arxivs_doi_saves_a_title_match_for_an_unlinked_record() -> None:
    title = "Calibrated Speculative Decoding for Tabular Data"
    corpus = Corpus(
        arxiv=[_arxiv("2203.04004", title, doi="10.1000/venue.2022.4")],
        s2=[_s2("4", title, DOI="10.1000/venue.2022.4")],  # not linked to the preprint
    )
    fake = FakeServices(corpus, enforce_rate_limits=False)
    frame = enrich.enrich(["2203.04004"], settings=fast_settings(), transport=fake.transport())
    assert frame["s2_paper_id"].to_list() == ["4" * 40]
    assert _requests(fake, "s2", "paper/batch") == [
        ("ARXIV:2203.04004",),
        ("DOI:10.1000/venue.2022.4",),
    ]
    assert _requests(fake, "s2", "paper/search/match") == []


def test_title_batches_hold_at_most_100_rows() -> None:
    work = generate_corpus(400, seed=11)
    titles_only = [r for r in work.inputs if r["title"] and not r["arxiv_id"] and not r["doi"]]
    fake = FakeServices(work.corpus, enforce_rate_limits=False)
    settings = fast_settings(title_order="arxiv_first")  # the batches of arXiv-found rows
    enrich.enrich(pl.DataFrame(titles_only), settings=settings, transport=fake.transport())
    batches = _requests(fake, "s2", "paper/batch")
    assert len(batches) >= 2
    assert max(len(ids) for ids in batches) <= 100


class _Jitter(httpx.BaseTransport):
    """Delays answers at random, so the workers interleave differently on every run."""

    def __init__(self, inner: httpx.BaseTransport, seed: int) -> None:
        self.inner = inner
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            delay = self.rng.random() * 0.002
        time.sleep(delay)
        return self.inner.handle_request(request)


def test_the_request_plan_does_not_depend_on_timing() -> None:
    work = generate_corpus(150, seed=5)
    papers = pl.DataFrame(work.inputs)
    plans = []
    for seed in (1, 2):
        fake = FakeServices(work.corpus, enforce_rate_limits=False)
        frame = enrich.enrich(
            papers,
            settings=fast_settings(github_token="t0ken"),
            transport=_Jitter(fake.transport(), seed),
        )
        plans.append(
            (
                collections.Counter((e.source, e.endpoint, e.ids) for e in fake.log),
                frame.drop("fetched_at"),
            )
        )
    (first_plan, first_frame), (second_plan, second_frame) = plans
    assert first_plan == second_plan
    assert first_frame.equals(second_frame)
