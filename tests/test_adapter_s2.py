"""The Semantic Scholar adapter: tolerant parsing on our own fixtures, request
building, batches and title matches against the fake S2 through the real Client."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from helpers import ScriptedSender, fake_client

from enrich._config import Settings
from enrich._exceptions import ResponseError
from enrich._match import TitleQuery
from enrich._models import Journal, PublicationVenue
from enrich.adapters.base import chunked, get_adapter_class
from enrich.adapters.semantic_scholar import (
    SemanticScholarAdapter,
    match_query_text,
    parse_batch,
    parse_match,
    parse_paper,
)
from enrich.testing._corpus import Corpus, FakeS2Paper

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "s2"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_bytes())


def adapter(client: Any) -> SemanticScholarAdapter:
    return SemanticScholarAdapter(client, Settings.from_env({}).source("s2"))


def s2_requests(fake: Any, endpoint: str | None = None) -> list[Any]:
    return [e for e in fake.log if e.source == "s2" and endpoint in (None, e.endpoint)]


def paper(n: int, title: str, **extra: Any) -> FakeS2Paper:
    return FakeS2Paper(
        paper_id=f"{n:040x}",
        corpus_id=1000 + n,
        title=title,
        year=extra.pop("year", 2020),
        authors=extra.pop("authors", ["Grace Hopper", "Edsger Dijkstra"]),
        external_ids=extra.pop("external_ids", {}),
        **extra,
    )


# --- parsing: our own fixtures -------------------------------------------------------


def test_parse_paper_coerces_or_drops_wrong_types() -> None:
    record = parse_paper(fixture("paper_wrong_types.json"))
    assert record.paper_id == "0123456789abcdef0123456789abcdef01234567"
    assert record.corpus_id == 4242  # "4242" as a string
    assert record.external_ids == {
        "CorpusId": "4242",
        "DOI": "10.1000/ABC.Def",
        "ArXiv": "2106.09685",
        "DBLP": "17",
    }
    assert record.doi == "10.1000/abc.def"
    assert record.arxiv_id == "2106.09685"
    assert record.title == "A title wrapped"
    assert record.venue is None  # ""
    assert record.publication_venue == PublicationVenue(
        id="d9720b90-d60b-48bc-9df8-87a30b9a60dd", name="Some Venue"
    )
    assert record.journal == Journal(volume="92", pages="487-488")
    assert (record.year, record.publication_date, record.publication_types) == (2020, None, ())
    assert record.citation_count == 12
    assert record.influential_citation_count == 3
    assert record.reference_count is None  # true is not a count
    assert record.authors == ("Only Name",)
    assert record.match_score == pytest.approx(110.5)


def test_parse_batch_with_nulls_and_a_non_paper() -> None:
    records = parse_batch(fixture("batch_with_nulls.json"), 5)
    assert [r.paper_id[:4] if r else None for r in records] == ["1111", None, "3333", None, None]
    first, _, third, _, _ = records
    assert first is not None
    assert first.arxiv_id == "1706.03762"
    assert first.corpus_id == 13756489
    assert third is not None
    assert (third.authors, third.venue, third.year, third.citation_count) == ((), None, None, None)
    assert third.external_ids == {}


def test_parse_batch_shape_errors() -> None:
    with pytest.raises(ResponseError, match="5 items for 2 ids"):
        parse_batch(fixture("batch_with_nulls.json"), 2)
    with pytest.raises(ResponseError, match="not a list"):
        parse_batch({"data": []}, 0)


def test_parse_journal_and_venue_shapes() -> None:
    records = [parse_paper(item) for item in fixture("journal_and_venue_shapes.json")]
    journals = [r.journal for r in records]
    assert journals == [
        None,
        Journal(name="Mind"),
        Journal(name="Annals", volume="92 5", pages="487-488"),
        Journal(pages="5998-6008"),
        Journal(volume="abs/1706.03762"),
        None,
    ]
    venues = [r.publication_venue for r in records]
    assert venues[0] is None
    assert venues[4] is None
    assert venues[1] == PublicationVenue(
        id="v2",
        name="Mind",
        type="journal",
        alternate_names=("Mind (Lond)",),
        issn="0026-4423",
        url="https://example.org/mind",
    )
    assert venues[2] == PublicationVenue(id="v3", name="Annals")  # type missing
    assert records[0].venue == "The Philosophy of Artificial Intelligence"
    assert records[5].venue is None  # whitespace only


def test_error_shapes_are_not_papers() -> None:
    shapes = fixture("error_shapes.json")
    for name in ("not_found", "bad_fields", "throttled", "empty_search"):
        with pytest.raises(ResponseError):
            parse_paper(shapes[name])
    assert parse_match(shapes["not_found"]) == []  # the match endpoint's 404 body
    for name in ("throttled", "empty_search"):
        with pytest.raises(ResponseError, match="without data"):
            parse_match(shapes[name])
    with pytest.raises(ResponseError):
        parse_paper([])  # type: ignore[arg-type]


def test_parse_match_skips_unusable_items() -> None:
    payload = {
        "data": [None, {"title": "no id"}, {"paperId": "ab", "title": "ok", "matchScore": 101}]
    }
    [record] = parse_match(payload)
    assert (record.paper_id, record.match_score) == ("ab", 101.0)
    assert parse_match({"data": None}) == []


# --- request building ----------------------------------------------------------------------


def test_registered_and_fields() -> None:
    assert get_adapter_class("s2") is SemanticScholarAdapter
    assert "openAccessPdf" not in SemanticScholarAdapter.FIELDS
    assert len(set(SemanticScholarAdapter.FIELDS)) == 14


def test_build_batch_request() -> None:
    request = adapter(None).build_batch_request(["ARXIV:2106.09685", "DOI:10.1/x"])
    assert (request.method, request.url) == (
        "POST",
        "https://api.semanticscholar.org/graph/v1/paper/batch",
    )
    assert request.params == (("fields", ",".join(SemanticScholarAdapter.FIELDS)),)
    assert request.body == {"ids": ["ARXIV:2106.09685", "DOI:10.1/x"]}
    assert request.expect == "json"


def test_build_match_request_replaces_hyphens() -> None:
    request = adapter(None).build_match_request(
        "BERT: Pre-training of Deep\u2013Bidirectional  Nets"
    )
    assert request.url.endswith("/paper/search/match")
    assert dict(request.params)["query"] == "BERT: Pre training of Deep Bidirectional Nets"
    assert request.answer_statuses == frozenset({404})
    assert match_query_text("---") == ""


# --- against the fake ---------------------------------------------------------------------------


def _corpus() -> Corpus:
    return Corpus(
        s2=[
            paper(1, "Attention Is All You Need", external_ids={"ArXiv": "1706.03762"}, year=2017),
            paper(
                2,
                "Computing Machinery and Intelligence",
                external_ids={"DOI": "10.1093/MIND/LIX.236.433"},
                year=1950,
                journal={"name": "Mind", "volume": "LIX", "pages": "433-460"},
            ),
            paper(
                3,
                "Attention Is All You Need In Speech Separation",
                external_ids={"ArXiv": "2010.13154"},
                year=2020,
            ),
            paper(
                4,
                "Low Rank Adaptation of Large Language Models",
                external_ids={"ArXiv": "2106.09685"},
                year=2021,
                venue="",
                citation_count=7,
            ),
        ]
    )


def test_batch_zipped_with_request_order() -> None:
    ids = [
        "ARXIV:2106.09685",
        "ARXIV:9999.99999",
        "DOI:10.1093/mind/lix.236.433",
        f"CorpusId:{1001}",
        "DOI:10.0000/unknown",
        f"{3:040x}",
    ]
    with fake_client(_corpus()) as (client, fake):
        records = adapter(client).fetch_batch(ids)
        log = s2_requests(fake)
    assert [r.paper_id[-1] if r else None for r in records] == ["4", None, "2", "1", None, "3"]
    lora, _, turing, attention, _, _ = records
    assert lora is not None
    assert lora.venue is None
    assert lora.citation_count == 7
    assert lora.corpus_id == 1004
    assert lora.arxiv_id == "2106.09685"
    assert turing is not None
    assert turing.doi == "10.1093/mind/lix.236.433"
    assert turing.journal == Journal(name="Mind", volume="LIX", pages="433-460")
    assert attention is not None
    assert attention.title == "Attention Is All You Need"
    assert len(log) == 1
    assert log[0].endpoint == "paper/batch"


def test_batch_economy_600_ids_2_requests() -> None:
    corpus = Corpus(
        s2=[
            paper(n, f"Economy {n}", external_ids={"ArXiv": f"2301.{n:05d}"}) for n in range(1, 601)
        ]
    )
    ids = [f"ARXIV:2301.{n:05d}" for n in range(1, 601)]
    with fake_client(corpus) as (client, fake):
        s2 = adapter(client)
        records = [
            r for chunk in chunked(ids, s2.settings.batch_size) for r in s2.fetch_batch(chunk)
        ]
        log = s2_requests(fake)
    assert len(records) == 600
    assert all(r is not None for r in records)
    assert [r.corpus_id for r in records if r] == [1000 + n for n in range(1, 601)]
    assert len(log) == math.ceil(600 / 500) == 2


def test_batch_limits() -> None:
    assert adapter(ScriptedSender()).fetch_batch([]) == []
    with pytest.raises(ValueError, match="batch size"):
        adapter(ScriptedSender()).fetch_batch([f"CorpusId:{n}" for n in range(501)])


def test_match_title_found_and_verified() -> None:
    with fake_client(_corpus()) as (client, fake):
        resolved = adapter(client).match_title(
            TitleQuery("Low-Rank Adaptation of Large Language Models", 2021)
        )
        [logged] = s2_requests(fake, "paper/search/match")
    assert resolved.record is not None
    assert resolved.record.paper_id == f"{4:040x}"
    assert resolved.record.match_score is not None
    assert resolved.record.match_score > 0
    assert resolved.decision.method == "title_exact"
    assert logged.status == 200


def test_match_title_prefix_confuser_rejected() -> None:
    corpus = Corpus(s2=[paper(3, "Attention Is All You Need In Speech Separation", year=2020)])
    with fake_client(corpus) as (client, _):
        resolved = adapter(client).match_title(TitleQuery("Attention Is All You Need", 2017))
    assert resolved.record is None
    assert resolved.decision.candidate_title == "Attention Is All You Need In Speech Separation"
    assert not resolved.decision.accepted


def test_match_title_no_match_both_shapes() -> None:
    titles = [f"Qzxv{n} Plorbt{n} Wugmire{n} Snarfle{n}" for n in range(24)]
    with fake_client(_corpus()) as (client, fake):
        s2 = adapter(client)
        results = [s2.match_title(TitleQuery(t)) for t in titles]
        statuses = {e.status for e in s2_requests(fake, "paper/search/match")}
    assert all(r.record is None for r in results)
    assert all(r.decision.reason == "no candidates" for r in results)
    assert statuses == {200, 404}  # 404 "Title match not found" and 200 {"data": []}


def test_match_title_scripted_shapes() -> None:
    sender = ScriptedSender(
        (404, b'{"error":"Title match not found"}'),
        (200, b'{"data": []}'),
        (
            200,
            b'{"data": [{"paperId": "x1", "title": "Something Else Entirely", "matchScore": 99.0}]}',
        ),
    )
    s2 = adapter(sender)
    assert s2.match_title(TitleQuery("Some Title Of A Paper")).record is None
    assert s2.match_title(TitleQuery("Some Title Of A Paper")).record is None
    wrong = s2.match_title(TitleQuery("Some Title Of A Paper"))
    assert wrong.record is None
    assert wrong.decision.candidate_title == "Something Else Entirely"
    assert len(sender.requests) == 3


def test_match_title_without_words_sends_nothing() -> None:
    sender = ScriptedSender()
    resolved = adapter(sender).match_title(TitleQuery(" -- "))
    assert resolved.record is None
    assert sender.requests == []


def test_batch_non_json_answer() -> None:
    sender = ScriptedSender((200, b"<html>busy</html>"))
    with pytest.raises(ResponseError, match="not JSON"):
        adapter(sender).fetch_batch(["CorpusId:1"])


def test_dates_are_dates() -> None:
    record = parse_paper({"paperId": "p", "publicationDate": "2017-06-12", "year": 2017})
    assert record.publication_date == dt.date(2017, 6, 12)


def test_batch_of_wrong_length_names_the_request() -> None:
    sender = ScriptedSender((200, b"[null]"))
    with pytest.raises(ResponseError, match="1 items for 2 ids") as caught:
        adapter(sender).fetch_batch(["CorpusId:1", "CorpusId:2"])
    assert caught.value.url is not None
    assert caught.value.url.startswith("https://api.semanticscholar.org/graph/v1/paper/batch?")
    assert caught.value.status == 200
