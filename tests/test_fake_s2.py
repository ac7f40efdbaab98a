"""The fake Semantic Scholar Graph API: ids, batch, fields, title match, search, throttling."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from enrich._clock import FakeClock
from enrich.testing import Corpus, FakeS2Paper, FakeServices

BASE = "https://api.semanticscholar.org/graph/v1"
ATTENTION = "204e3073870fae3d05bcbc2f6a8e263d9b72e776"
TURING = "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
CONFUSER = "c" * 40


def make_corpus() -> Corpus:
    return Corpus(
        s2=[
            FakeS2Paper(
                ATTENTION,
                13756489,
                "Attention is All you Need",
                2017,
                ["Ashish Vaswani", "Noam M. Shazeer"],
                {"DBLP": "journals/corr/VaswaniSPUJGKP17", "ArXiv": "1706.03762"},
                venue="Neural Information Processing Systems",
                journal={"pages": "5998-6008"},
                citation_count=136941,
                publication_date=dt.date(2017, 6, 12),
                publication_types=["JournalArticle", "Conference"],
                aliases=["a" * 40],
            ),
            FakeS2Paper(
                TURING,
                14636783,
                "Computing Machinery and Intelligence",
                1950,
                ["A. Turing"],
                {"DOI": "10.1093/mind/lix.236.433", "MAG": "2145482038"},
                venue="The Philosophy of Artificial Intelligence",
                journal={"name": "Mind", "pages": "433-460", "volume": "LIX"},
            ),
            FakeS2Paper(
                CONFUSER,
                999,
                "Attention is Not All you Need",
                2021,
                ["Someone Else"],
                {"ArXiv": "2103.03404"},
                citation_count=10,
            ),
        ]
        + [
            FakeS2Paper(f"{n:040x}", 1000 + n, f"Transformer study number {n}", 2020, [], {})
            for n in range(30)
        ]
    )


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices(make_corpus(), clock=FakeClock(), enforce_rate_limits=False)


@pytest.fixture
def client(fake: FakeServices) -> httpx.Client:
    return httpx.Client(transport=fake.transport(), base_url=BASE)


@pytest.mark.parametrize(
    "paper_id",
    [
        ATTENTION,
        ATTENTION.upper(),
        "a" * 40,  # merged record's old id
        "CorpusId:13756489",
        "ARXIV:1706.03762",
        "arXiv:1706.03762v5",
        "URL:https://arxiv.org/abs/1706.03762",
        f"URL:https://www.semanticscholar.org/paper/Attention-is-All-you-Need/{ATTENTION}",
        "DBLP:journals/corr/VaswaniSPUJGKP17",
    ],
)
def test_id_forms(client: httpx.Client, paper_id: str) -> None:
    response = client.get(f"/paper/{paper_id}")
    assert response.status_code == 200
    assert response.json() == {"paperId": ATTENTION, "title": "Attention is All you Need"}


@pytest.mark.parametrize(
    "paper_id", ["DOI:10.1093/MIND/LIX.236.433", "10.1093/mind/lix.236.433", "MAG:2145482038"]
)
def test_doi_forms(client: httpx.Client, paper_id: str) -> None:
    assert client.get(f"/paper/{paper_id}").json()["paperId"] == TURING


def test_unknown_paper_is_404_even_with_bad_fields(client: httpx.Client) -> None:
    response = client.get("/paper/0", params={"fields": "t,i,t,l,e"})
    assert response.status_code == 404
    assert response.content == b'{"error":"Paper with id 0 not found"}\n'
    assert response.headers["x-cache"] == "Error from cloudfront"


def test_unknown_field_is_400(client: httpx.Client) -> None:
    response = client.get(f"/paper/{TURING}", params={"fields": "title,unknown"})
    assert response.status_code == 400
    assert response.json() == {"error": "Unrecognized or unsupported fields: [unknown]"}


def test_fields_selection_and_shapes(client: httpx.Client) -> None:
    fields = "title,externalIds,venue,publicationVenue,journal,authors,year,publicationDate,url"
    body = client.get(f"/paper/{TURING}", params={"fields": fields}).json()
    assert list(body) == [
        "paperId", "externalIds", "publicationVenue", "url", "title", "venue", "year",
        "publicationDate", "journal", "authors",
    ]  # fmt: skip
    assert body["externalIds"]["CorpusId"] == 14636783
    assert isinstance(body["externalIds"]["MAG"], str)
    assert body["publicationVenue"] is None
    assert body["journal"] == {"name": "Mind", "pages": "433-460", "volume": "LIX"}
    assert body["authors"][0]["name"] == "A. Turing"
    assert set(body["authors"][0]) == {"authorId", "name"}
    assert body["publicationDate"] is None


def test_nested_fields_are_validated(client: httpx.Client) -> None:
    ok = client.get(f"/paper/{TURING}", params={"fields": "authors.name,citations.title"})
    assert ok.status_code == 200
    assert ok.json()["citations"] == []
    bad = client.get(f"/paper/{TURING}", params={"fields": "authors.shoeSize"})
    assert bad.json() == {"error": "Unrecognized or unsupported fields: [authors.shoeSize]"}


def test_venue_empty_string_and_open_access_shapes(client: httpx.Client) -> None:
    fields = "venue,openAccessPdf,isOpenAccess"
    bodies = client.post(
        "/paper/batch",
        params={"fields": fields},
        json={"ids": [f"{n:040x}" for n in range(30)] + [ATTENTION]},
    ).json()
    assert {b["venue"] for b in bodies[:30]} == {""}
    shapes = {json.dumps(b["openAccessPdf"]) for b in bodies}
    assert "null" in shapes
    assert '{"url": "", "status": null, "license": null}' in shapes
    for b in bodies:
        assert b["isOpenAccess"] == bool(b["openAccessPdf"] and b["openAccessPdf"]["url"])


def test_batch_is_aligned_with_nulls(client: httpx.Client) -> None:
    response = client.post(
        "/paper/batch",
        params={"fields": "title,externalIds"},
        json={"ids": ["CorpusId:14636783", "nope", "ARXIV:1706.03762", "10.1093/mind/lix.236.433"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert [b and b["paperId"] for b in body] == [TURING, None, ATTENTION, TURING]
    assert "ArXiv" in body[2]["externalIds"]


def test_batch_limit_is_500(client: httpx.Client) -> None:
    assert client.post("/paper/batch", json={"ids": ["x"] * 500}).status_code == 200
    response = client.post("/paper/batch", json={"ids": ["x"] * 501})
    assert response.status_code == 400
    assert "error" in response.json()


def test_batch_bad_body_and_bad_fields(client: httpx.Client) -> None:
    assert client.post("/paper/batch", content=b"not json").status_code == 400
    assert client.post("/paper/batch", json={"ids": "x"}).status_code == 400
    bad = client.post("/paper/batch", params={"fields": "nope"}, json={"ids": []})
    assert bad.json() == {"error": "Unrecognized or unsupported fields: [nope]"}


def match(client: httpx.Client, query: str, fields: str = "title") -> httpx.Response:
    return client.get("/paper/search/match", params={"query": query, "fields": fields})


def test_match_exact_title(client: httpx.Client) -> None:
    body = match(client, "Attention Is All You Need").json()
    (item,) = body["data"]
    assert list(item) == ["paperId", "title", "matchScore"]
    assert item["paperId"] == ATTENTION
    assert isinstance(item["matchScore"], float)
    assert 100 <= item["matchScore"] <= 140


def test_match_partial_title_scores_lower(client: httpx.Client) -> None:
    exact = match(client, "Computing Machinery and Intelligence").json()["data"][0]
    partial = match(client, "computing machinery").json()["data"][0]
    assert partial["paperId"] == TURING
    assert partial["matchScore"] < exact["matchScore"]


def test_match_returns_a_confuser_when_it_is_the_best_guess(clock: FakeClock) -> None:
    corpus = make_corpus()
    corpus.s2 = [p for p in corpus.s2 if p.paper_id != ATTENTION]
    fake = FakeServices(corpus, clock=clock, enforce_rate_limits=False)
    client = httpx.Client(transport=fake.transport(), base_url=BASE)
    assert match(client, "Attention is All you Need").json()["data"][0]["paperId"] == CONFUSER


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_match_no_match_has_both_real_shapes(client: httpx.Client) -> None:
    shapes = set()
    for n in range(40):
        response = match(client, f"askldjrq{n}w938h zzqx")
        shapes.add((response.status_code, response.content))
    assert (404, b'{"error":"Title match not found"}\n') in shapes
    assert (200, b'{"data": []}') in shapes
    assert len(shapes) == 2


def test_search_pages(client: httpx.Client) -> None:
    first = client.get("/paper/search", params={"query": "transformer study", "limit": 20}).json()
    assert first["total"] == 30
    assert first["offset"] == 0
    assert first["next"] == 20
    assert len(first["data"]) == 20
    last = client.get(
        "/paper/search", params={"query": "transformer study", "offset": 20, "limit": 20}
    ).json()
    assert "next" not in last
    assert len(last["data"]) == 10


def test_search_empty_has_no_data_key(client: httpx.Client) -> None:
    assert client.get("/paper/search", params={"query": "n0 r3sult"}).json() == {
        "total": 0,
        "offset": 0,
    }
    # "Hyphenated query terms yield no matches" (S2 API docs).
    assert client.get("/paper/search", params={"query": "transformer-study"}).json()["total"] == 0


@pytest.mark.parametrize("params", [{"limit": 101}, {"offset": 950, "limit": 100}])
def test_search_limits(client: httpx.Client, params: dict[str, Any]) -> None:
    response = client.get("/paper/search", params={"query": "transformer", **params})
    assert response.status_code == 400
    assert "error" in response.json()


def test_too_fast_is_the_gateway_429(clock: FakeClock) -> None:
    fake = FakeServices(make_corpus(), clock=clock)
    client = httpx.Client(transport=fake.transport(), base_url=BASE)
    assert client.get(f"/paper/{TURING}").status_code == 200
    clock.sleep(0.5)
    throttled = client.get(f"/paper/{TURING}", headers={"x-api-key": "k"})
    assert throttled.status_code == 429
    assert throttled.json() == {
        "message": "Too Many Requests. Please wait and try again or apply for a key for higher "
        "rate limits. https://www.semanticscholar.org/product/api#api-key-form",
        "code": "429",
    }
    assert len(throttled.content) == 174
    assert throttled.headers["x-amzn-errortype"] == "TooManyRequestsException"
    assert "retry-after" not in throttled.headers
    clock.sleep(1.0)
    assert client.get(f"/paper/{TURING}").status_code == 200
    log = fake.log_for("s2")
    assert [(e.endpoint, e.status, e.rate_violation, e.authenticated) for e in log] == [
        ("paper/{id}", 200, False, False),
        ("paper/{id}", 429, True, True),
        ("paper/{id}", 200, False, False),
    ]


def test_log_records_batch_ids(client: httpx.Client, fake: FakeServices) -> None:
    client.post("/paper/batch", json={"ids": ["CorpusId:1", "ARXIV:1706.03762"]})
    (entry,) = fake.log_for("s2")
    assert entry.endpoint == "paper/batch"
    assert entry.ids == ("CorpusId:1", "ARXIV:1706.03762")
