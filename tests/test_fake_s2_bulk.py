"""Contract tests of the fake ``/paper/search/bulk``, against the S2 Graph API docs.

The docs: "Text query that will be matched against the paper title and abstract",
"All terms are stemmed in English", ``+`` AND, ``|`` OR, ``-`` negates, ``"``
phrase, ``*`` prefix, ``( )`` precedence, ``~N`` edit distance or phrase slop;
"Up to 1,000 papers will be returned in each call", a continuation ``token``,
``total``, ``sort`` by paperId, publicationDate or citationCount.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from enrich.testing import Corpus, FakeS2Paper, FakeServices
from enrich.testing._s2_bulk import PAGE_SIZE

URL = "https://api.semanticscholar.org/graph/v1/paper/search/bulk"


def paper(n: int, title: str, abstract: str | None = None, **kw: Any) -> FakeS2Paper:
    return FakeS2Paper(
        f"{n:040x}", n, title, kw.pop("year", 2020), ["A. Author"], {}, abstract=abstract, **kw
    )


CORPUS = Corpus(
    s2=[
        paper(1, "Fish ditch ecology", "We survey ponds."),
        paper(2, "Lake studies", "Fish live in the ditch and the pond.", year=2019),
        paper(3, "Pond life", "Unlike Fish ditch ecology, we look at lakes.", citation_count=50),
        paper(4, "Fishes of the fishtank", None, publication_date=dt.date(2021, 3, 5)),
        paper(5, "Cross-sectional study of fish", None, publication_date=dt.date(2018, 1, 1)),
        paper(6, "Fist fights", None, citation_count=7),
    ]
)


def ask(fake: FakeServices, **params: str) -> httpx.Response:
    with httpx.Client(transport=fake.transport()) as http:
        return http.get(URL, params=params)


def ids(resp: httpx.Response) -> list[int]:
    assert resp.status_code == 200, resp.text
    return [int(p["paperId"], 16) for p in resp.json()["data"]]


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices(CORPUS, enforce_rate_limits=False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"fish ditch"', [1, 3]),  # in a title, or quoted in an abstract only (3)
        ("fish ditch", [1, 2, 3]),  # all terms, anywhere
        ("fish | pond", [1, 2, 3, 4, 5]),
        ("fish + lake", [2, 3]),  # stemmed: "lakes" is "lake"
        ("fish -ditch", [4, 5]),
        ("(fish | fist) + fights", [6]),
        ("fish*", [1, 2, 3, 4, 5]),  # fishes, fishtank
        ("fish~1", [1, 2, 3, 4, 5, 6]),  # fist is one edit away
        ('"fish ecology"~1', [1, 3]),  # one word between them
        ('"fish ecology"', []),
        ("cross-sectional", []),  # outside quotes a hyphen negates (s2-folks #172)
        ('"cross-sectional study"', [5]),  # inside quotes it only splits words
    ],
)
def test_query_syntax(fake: FakeServices, query: str, expected: list[int]) -> None:
    assert sorted(ids(ask(fake, query=query))) == expected


def test_page_shape_total_token_and_default_fields(fake: FakeServices) -> None:
    body = ask(fake, query="fish").json()
    assert body["total"] == 5
    assert body["token"] is None
    assert set(body["data"][0]) == {"paperId", "title"}  # no fields: paperId and title


def test_sort_orders(fake: FakeServices) -> None:
    assert ids(ask(fake, query="fish | fist", sort="citationCount:desc"))[:2] == [3, 6]
    dated = ids(ask(fake, query="fish", sort="publicationDate:asc"))
    assert dated[:2] == [5, 4]  # undated papers come last
    assert ids(ask(fake, query="fish", sort="paperId:desc")) == [5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    "params",
    [
        {"query": "fish", "sort": "relevance"},
        {"query": "(fish | pond"},
        {"query": "fish", "fields": "title,citations"},
        {"query": "fish", "fields": "title,nonsense"},
        {"query": "fish", "token": "not-a-token"},
        {"query": "fish", "publicationDateOrYear": "2019-13"},
    ],
)
def test_documented_errors_are_400_with_an_error_message(
    fake: FakeServices, params: dict[str, str]
) -> None:
    resp = ask(fake, **params)
    assert resp.status_code == 400
    assert isinstance(resp.json()["error"], str)


def test_filters(fake: FakeServices) -> None:
    assert sorted(ids(ask(fake, query="fish", year="2019"))) == [2]
    assert ids(ask(fake, query="fish", publicationDateOrYear="2021-01:2021-12")) == [4]
    assert ids(ask(fake, query="fish | fist", minCitationCount="10")) == [3]


def test_thousand_a_page_and_the_token_walks_the_rest() -> None:
    many = Corpus(s2=[paper(n, f"Widget number {n}", "About widgets.") for n in range(1, 2502)])
    fake = FakeServices(many, enforce_rate_limits=False)
    seen: list[int] = []
    token: str | None = None
    pages = 0
    while True:
        params = {"query": "widget", "fields": "title"}
        if token:
            params["token"] = token
        body = ask(fake, **params).json()
        assert body["total"] == 2501
        assert len(body["data"]) <= PAGE_SIZE
        seen += [int(p["paperId"], 16) for p in body["data"]]
        pages += 1
        token = body["token"]
        if token is None:
            break
    assert pages == 3
    assert seen == list(range(1, 2502))
    # A token belongs to its query.
    first = ask(fake, query="widget", fields="title").json()["token"]
    assert ask(fake, query="widgets OR", fields="title", token=first).status_code == 400


def test_the_log_names_the_endpoint_and_the_query(fake: FakeServices) -> None:
    ask(fake, query='"fish ditch"', fields="title")
    [entry] = fake.log_for("s2")
    assert (entry.endpoint, entry.ids, entry.status) == (
        "paper/search/bulk",
        ('"fish ditch"',),
        200,
    )


def test_an_optional_length_limit_answers_414(fake: FakeServices) -> None:
    fake.services["s2"].bulk.max_query_chars = 10  # type: ignore[attr-defined]
    assert ask(fake, query='"a rather long phrase"').status_code == 414
    assert json.loads(ask(fake, query="fish").content)["total"] == 5


def test_the_postings_narrow_the_scan_but_never_the_answer() -> None:
    """Phrases are looked up by their rarest word; the answer equals a full scan's."""
    from enrich._clock import FakeClock
    from enrich.testing._generator import generate_corpus
    from enrich.testing._s2 import S2Service
    from enrich.testing._s2_bulk import BulkSearch
    from enrich.testing._s2_query import Doc, matches, parse

    corpus = generate_corpus(400, seed=2).corpus
    bulk = BulkSearch(S2Service(corpus, seed=0, clock=FakeClock()))
    titles = [p.title for p in corpus.s2[:60] if p.title]
    queries = [
        " | ".join(f'"{t.replace(chr(34), " ")}"' for t in titles[:20]),
        '"learning" | "graph neural"~2 | transformer',
        '"towards" + "learning"',
        *(f'"{t.replace(chr(34), " ")}"' for t in titles[20:40]),
    ]
    docs = [Doc.of(p.title, p.abstract) for p in corpus.s2]
    for query in queries:
        node = parse(query)
        scanned = [p.paper_id for p, d in zip(corpus.s2, docs, strict=True) if matches(node, d)]
        assert [p.paper_id for p in bulk.search(query)] == scanned, query
    assert any(bulk.search(q) for q in queries)
