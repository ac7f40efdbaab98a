"""The arXiv adapter: Atom parsing quirks on our own fixtures, request building, and
id/title resolution against the fake arXiv through the real Client."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import ScriptedSender, fake_client

from enrich._config import Settings
from enrich._exceptions import ResponseError
from enrich._match import TitleQuery
from enrich._wire import Request
from enrich.adapters.arxiv import ArxivAdapter, parse_feed
from enrich.adapters.base import chunked, get_adapter_class
from enrich.testing._corpus import Corpus, FakeArxivEntry

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv"
UTC = dt.UTC


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def adapter(client: Any, **options: Any) -> ArxivAdapter:
    return ArxivAdapter(client, Settings.from_env({}).source("arxiv"), **options)


def params(request: Request) -> dict[str, str]:
    return {
        k: v[0]
        for k, v in parse_qs(urlsplit(request.full_url).query, keep_blank_values=True).items()
    }


def entry(arxiv_id: str, *titles: str, year: int = 2021, **extra: Any) -> FakeArxivEntry:
    published = dt.datetime(year, 3, 1, 12, tzinfo=UTC)
    return FakeArxivEntry(
        arxiv_id=arxiv_id,
        titles=list(titles),
        abstract=f"Abstract of {titles[-1]}.",
        authors=extra.pop("authors", ["Ada Lovelace", "Alan Turing"]),
        published=published,
        updated=published + dt.timedelta(days=30 * (len(titles) - 1)),
        categories=["cs.LG", "stat.ML"],
        **extra,
    )


def arxiv_requests(fake: Any) -> list[Any]:
    return [e for e in fake.log if e.source == "arxiv"]


# --- parsing: our own fixtures, one quirk each -------------------------------------


def test_parse_by_namespace_uri_not_prefix_or_order() -> None:
    feed = parse_feed(fixture("prefixes_and_order.xml"))
    assert feed.total_results == 1
    [record] = feed.records
    assert (record.arxiv_id, record.version) == ("2001.00001", 3)
    assert record.title == "Namespaced by URI"
    assert record.doi == "10.9999/fict.2020.001"
    assert record.journal_ref == "J. Fict. Phys. 1 (2020) 1-2"
    assert record.comment == "5 pages"
    assert record.primary_category == "hep-th"
    assert record.categories == ("hep-th", "gr-qc")
    assert record.authors == ("Zoë Example",)
    assert record.published == dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert record.updated == dt.datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_parse_34_authors_non_ascii_and_wrapped_text() -> None:
    [record] = parse_feed(fixture("many_authors_nonascii.xml")).records
    assert len(record.authors) == 34
    assert record.authors[0] == "Dirk Wübben0"
    assert record.authors[3] == "Łukasz Ørsted3"
    assert record.title == "A Large Collaboration's Measurement of Things"
    assert record.abstract == "First line of the abstract continues here."
    assert record.journal_ref == "Phys. Fict. Lett. 12 (2023) 345"
    assert record.categories == ("hep-ex", "hep-ph")  # duplicates dropped, order kept
    assert (record.arxiv_id, record.version) == ("2301.00034", 2)


def test_parse_optional_elements_and_odd_values() -> None:
    feed = parse_feed(fixture("optional_absent_and_odd_values.xml"))
    by_id = {r.arxiv_id: r for r in feed.records}
    assert list(by_id) == ["1901.00002", "1901.00003", "1901.00004", "math/0309136"]
    bare = by_id["1901.00002"]
    assert bare.title == "Bare minimum"
    assert (bare.abstract, bare.published, bare.doi, bare.primary_category) == (None,) * 4
    assert bare.authors == ()
    assert bare.categories == ()
    titled_error = by_id["1901.00003"]  # a paper titled "Error" is still a paper
    assert titled_error.title == "Error"
    assert titled_error.doi == "10.1000/one.1"  # first of two listed DOIs
    assert titled_error.published == dt.datetime(2019, 1, 1, tzinfo=UTC)  # naive -> UTC
    assert by_id["1901.00004"].title == ""  # <title> missing (arxiv.py #71)
    assert by_id["math/0309136"].title == "Old style with a subject class"
    assert feed.errors == [
        "entry without a usable arXiv id: 'https://example.org/not-an-arxiv-entry'"
    ]


def test_parse_several_error_entries() -> None:
    feed = parse_feed(fixture("two_error_entries_400.xml"))
    assert feed.records == []
    assert feed.errors == ["incorrect id format for foo", "incorrect id format for bar"]


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_parse_refuses_dtd_and_entities(name: str) -> None:
    with pytest.raises(ResponseError, match="refused XML"):
        parse_feed(fixture(name))


@pytest.mark.parametrize(
    ("name", "message"),
    [("throttled_429_body.txt", "not XML"), ("not_atom.xml", "not an Atom feed")],
)
def test_parse_rejects_non_feeds(name: str, message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        parse_feed(fixture(name))


def test_parse_empty_and_truncated_bodies() -> None:
    with pytest.raises(ResponseError):
        parse_feed(b"")
    with pytest.raises(ResponseError):
        parse_feed(fixture("many_authors_nonascii.xml")[:500])


# --- request building ----------------------------------------------------------------


def test_registered_under_its_name() -> None:
    assert get_adapter_class("arxiv") is ArxivAdapter


def test_build_id_request() -> None:
    request = adapter(None).build_id_request(["2106.09685", "astro-ph/0601001v1"])
    assert request.method == "GET"
    assert request.url == "https://export.arxiv.org/api/query"
    assert params(request) == {
        "search_query": "",
        "id_list": "2106.09685,astro-ph/0601001v1",
        "start": "0",
        "max_results": "2",
    }
    assert request.expect == "xml"
    assert request.answer_statuses == frozenset({400})


def test_build_title_request_strips_query_syntax() -> None:
    request = adapter(None).build_title_request(
        ['BERT: Pre-training of "Deep" (Bidirectional) Transformers', "ti:AND OR*?", "!!!"]
    )
    got = params(request)
    assert got["search_query"] == (
        'ti:"bert pre training of deep bidirectional transformers" OR ti:"ti and or"'
    )
    assert got["max_results"] == "20"  # two usable titles, 10 results each
    assert got["sortBy"] == "relevance"
    with pytest.raises(ValueError, match="searchable"):
        adapter(None).build_title_request(["", "  --  "])


def test_build_fallback_request_ands_significant_words() -> None:
    request = adapter(None, fallback_terms=3).build_fallback_request(
        ["Neural Color Constancy with Convolutional Networks"]
    )
    assert params(request)["search_query"] == "(ti:convolutional AND ti:constancy AND ti:networks)"


# --- id lookups against the fake ---------------------------------------------------------


def test_id_chunk_matched_by_id_unknown_and_malformed_dropped() -> None:
    corpus = Corpus(
        arxiv=[
            entry("2101.00001", "First Paper About Widgets"),
            entry("2101.00002", "Second Paper Draft", "Second Paper About Widgets"),
            entry("astro-ph/0601001", "An Old Style Paper", year=2006),
            *(entry(f"2101.{n:05d}", f"Filler Paper Number {n}") for n in range(10, 30)),
        ]
    )
    asked = [f"2101.{n:05d}" for n in range(10, 30)]
    asked += ["2101.00002v1", "astro-ph/0601001", "2101.09999", "abc", "2101.00001"]
    with fake_client(corpus) as (client, fake):
        records = adapter(client).fetch_id_chunk(asked)
        log = arxiv_requests(fake)
    # The fake shuffles entries; every record still lands under its own id.
    assert set(records) == {f"2101.{n:05d}" for n in range(10, 30)} | {
        "2101.00001",
        "2101.00002",
        "astro-ph/0601001",
    }
    for key, record in records.items():
        assert record.arxiv_id == key
    assert records["2101.00010"].title == "Filler Paper Number 10"
    assert (records["2101.00002"].version, records["2101.00002"].title) == (1, "Second Paper Draft")
    assert records["astro-ph/0601001"].version == 1
    # "abc" can never be an arXiv id: it is not sent, so one request does it all.
    assert len(log) == 1
    assert "abc" not in log[0].ids
    assert "2101.09999" in log[0].ids


def test_id_chunk_latest_version_when_unversioned() -> None:
    corpus = Corpus(arxiv=[entry("2101.00002", "Draft Title", "Middle Title", "Final Title")])
    with fake_client(corpus) as (client, _):
        record = adapter(client).fetch_id_chunk(["2101.00002"])["2101.00002"]
    assert (record.version, record.title) == (3, "Final Title")
    assert record.published is not None
    assert record.published.tzinfo is not None


def test_id_request_economy_250_ids_3_requests() -> None:
    corpus = Corpus(arxiv=[entry(f"2301.{n:05d}", f"Economy Paper {n}") for n in range(1, 251)])
    ids = [e.arxiv_id for e in corpus.arxiv]
    with fake_client(corpus) as (client, fake):
        arxiv = adapter(client)
        found: dict[str, Any] = {}
        for chunk in chunked(ids, arxiv.settings.batch_size):
            found.update(arxiv.fetch_id_chunk(chunk))
        log = arxiv_requests(fake)
    assert len(found) == 250
    assert len(log) == math.ceil(250 / 100) == 3
    assert all(e.status == 200 for e in log)


def test_id_chunk_over_batch_size_is_refused() -> None:
    with pytest.raises(ValueError, match="batch size"):
        adapter(ScriptedSender()).fetch_id_chunk([f"2301.{n:05d}" for n in range(101)])


# --- the 400 Error feed (scripted: the fake and our id parser agree on what is malformed) --

_ONE_ENTRY = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2101.00001v2</id>
<title>Kept</title></entry></feed>"""


def _error_feed(bad: str) -> bytes:
    return (
        b"<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"
        b"<id>https://arxiv.org/api/errors#incorrect_id_format_for_" + bad.encode() + b"</id>"
        b"<title>Error</title><summary>incorrect id format for " + bad.encode() + b"</summary>"
        b"</entry></feed>"
    )


def test_error_feed_drops_the_bad_id_and_asks_again_once() -> None:
    sender = ScriptedSender((400, _error_feed("2101.00002")), (200, _ONE_ENTRY))
    records = adapter(sender).fetch_id_chunk(["2101.00001", "2101.00002"])
    assert list(records) == ["2101.00001"]
    assert records["2101.00001"].title == "Kept"
    assert [params(r)["id_list"] for r in sender.requests] == [
        "2101.00001,2101.00002",
        "2101.00001",
    ]


def test_error_feed_naming_no_sent_id_raises() -> None:
    sender = ScriptedSender((400, _error_feed("somethingelse")))
    with pytest.raises(ResponseError, match="rejected the id list"):
        adapter(sender).fetch_id_chunk(["2101.00001"])
    assert len(sender.requests) == 1


def test_http_400_without_error_entry_raises() -> None:
    sender = ScriptedSender((400, b"<feed xmlns='http://www.w3.org/2005/Atom'/>"))
    with pytest.raises(ResponseError, match="without an Error entry"):
        adapter(sender).fetch_id_chunk(["2101.00001"])


# --- titles against the fake ------------------------------------------------------------------

TARGET = "Deep Residual Learning for Image Recognition"


def _title_corpus() -> Corpus:
    return Corpus(
        arxiv=[
            entry("1512.03385", TARGET, year=2015, authors=["Kaiming He", "Jian Sun"]),
            # Confusers: a title that extends the target, and a subtitle variant.
            entry("2001.00100", f"{TARGET} in the Wild", year=2020),
            entry("2001.00200", f"{TARGET}: A Survey", year=2020),
            entry("2002.00300", "Sparse Attention for Graph Networks: Extended Version"),
            # v1 title differs from the title the API serves now.
            entry(
                "2103.00400",
                "Neural Color Constancy with Convolutional Networks and Attention",
                "Neural Colour Constancy with Convolutional Networks and Attention",
            ),
            entry("2104.00500", "Zero Shot Retrieval of Molecular Structures"),
        ]
    )


def test_title_chunk_with_confusers_and_changed_title() -> None:
    queries = [
        TitleQuery("Deep residual learning for image recognition", 2016, ("K. He",)),
        TitleQuery("Sparse Attention for Graph Networks", 2021),  # only a longer title exists
        TitleQuery("Neural Color Constancy with Convolutional Networks and Attention", 2021),
        TitleQuery("Zero-Shot Retrieval of Molecular Structures", 2021),
        TitleQuery("A Paper Nobody Wrote About Quasicrystal Gardening", 2021),
        TitleQuery("", None),
    ]
    with fake_client(_title_corpus()) as (client, fake):
        results = adapter(client).resolve_title_chunk(queries)
        log = arxiv_requests(fake)
    assert len(results) == len(queries)
    found = [r.record.arxiv_id if r.record else None for r in results]
    assert found == ["1512.03385", None, "2103.00400", "2104.00500", None, None]
    assert results[0].decision.method == "title_exact"
    assert results[3].decision.method == "title_exact"  # hyphen vs space normalises away
    changed = results[2]
    assert changed.decision.method == "title_fuzzy"
    assert changed.record is not None
    assert changed.record.title.startswith("Neural Colour")
    # The rejected prefix match keeps its best candidate for review.
    assert (
        results[1].decision.candidate_title
        == "Sparse Attention for Graph Networks: Extended Version"
    )
    assert results[1].decision.reason is not None
    assert not results[4].decision.accepted
    assert results[5].decision.reason == "query has no title"
    # One phrase search for the five titles, one fallback for the three left unresolved.
    assert len(log) == 2


def test_prefix_title_never_takes_the_longer_paper() -> None:
    corpus = Corpus(arxiv=[entry("2001.00100", f"{TARGET} in the Wild", year=2020)])
    with fake_client(corpus) as (client, _):
        [result] = adapter(client).resolve_title_chunk([TitleQuery(TARGET, 2016)])
    assert result.record is None
    assert result.decision.candidate_title == f"{TARGET} in the Wild"


def test_title_request_economy() -> None:
    corpus = Corpus(
        arxiv=[
            entry(f"2201.{n:05d}", f"Economy Title Words Number{n} Kept Long") for n in range(25)
        ]
    )
    queries = [TitleQuery(e.title, 2021) for e in corpus.arxiv]
    with fake_client(corpus) as (client, fake):
        results = adapter(client, titles_per_query=10).resolve_title_chunk(queries)
        log = arxiv_requests(fake)
    assert [r.record.arxiv_id if r.record else None for r in results] == [
        e.arxiv_id for e in corpus.arxiv
    ]
    assert len(log) == 3  # ceil(25 / 10), no fallback needed


def _feed(*entries: tuple[str, str]) -> bytes:
    body = "".join(
        f"<entry><id>http://arxiv.org/abs/{i}</id><title>{t}</title></entry>" for i, t in entries
    )
    return f"<feed xmlns='http://www.w3.org/2005/Atom'>{body}</feed>".encode()


@pytest.mark.parametrize("order", [1, -1])
def test_same_id_versioned_and_not_keeps_the_latest(order: int) -> None:
    entries = [("2101.00001v1", "First"), ("2101.00001v3", "Third")][::order]
    sender = ScriptedSender((200, _feed(*entries)))
    records = adapter(sender).fetch_id_chunk(["2101.00001v1", "2101.00001"])
    assert records["2101.00001"].version == 3


def test_title_search_refused_by_arxiv_raises() -> None:
    sender = ScriptedSender((400, _error_feed("max_results_must_be_less_than_or_equal_to_2000")))
    with pytest.raises(ResponseError, match="refused the search"):
        adapter(sender).resolve_title_chunk([TitleQuery("Some Searchable Title Words")])


def test_throttle_page_is_a_response_error_with_context() -> None:
    sender = ScriptedSender((200, fixture("throttled_429_body.txt")))
    with pytest.raises(ResponseError, match="not XML") as caught:
        adapter(sender).fetch_id_chunk(["2101.00001"])
    assert caught.value.url is not None
    assert "id_list=2101.00001" in caught.value.url
