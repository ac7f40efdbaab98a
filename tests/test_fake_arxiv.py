"""The fake arXiv export API: id_list, search_query, paging, errors and throttling."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import httpx
import pytest

from enrich._clock import FakeClock
from enrich.testing import Corpus, FakeArxivEntry, FakeServices

URL = "https://export.arxiv.org/api/query"
A = "{http://www.w3.org/2005/Atom}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"
AX = "{http://arxiv.org/schemas/atom}"


def entry(arxiv_id: str, *titles: str, **kw: object) -> FakeArxivEntry:
    defaults: dict[str, object] = {
        "abstract": f"About {titles[-1].lower()}. Second sentence here. Third one.",
        "authors": ["Ada Lovelace", "Charles Babbage"],
        "published": dt.datetime(2020, 1, 1, 12, 0, 0),
        "updated": dt.datetime(2020, 6, 1, 12, 0, 0),
        "categories": ["cs.LG", "stat.ML"],
    }
    defaults.update(kw)
    return FakeArxivEntry(arxiv_id, list(titles), **defaults)  # type: ignore[arg-type]


def make_corpus() -> Corpus:
    entries = [
        entry("2104.12255", "0", categories=["cs.CR"]),
        entry(
            "astro-ph/0601001",
            "Frequency of Hot Jupiters",
            doi="10.1234/acta.56",
            journal_ref="ActaAstron.56:1-50,2006",
            comment="62 pages",
            affiliations={"Ada Lovelace": "Ohio State"},
            categories=["astro-ph"],
            published=dt.datetime(2006, 1, 2, 14, 57, 58),
            updated=dt.datetime(2006, 1, 2, 14, 57, 58),
        ),
        entry("1706.03762", "Attention Is All You Need (draft)", "Attention Is All You Need"),
        entry(
            "2005.14124", "Active Fuzzing for Testing Cyber-Physical Systems", categories=["cs.CR"]
        ),
        entry("2202.12139", "Testing Deep Learning Models", published=dt.datetime(2022, 2, 24)),
    ]
    entries += [entry(f"2301.{n:05d}", f"Filler paper number {n}") for n in range(12)]
    return Corpus(arxiv=entries)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeServices:
    return FakeServices(make_corpus(), clock=clock, seed=3)


@pytest.fixture
def client(fake: FakeServices, clock: FakeClock) -> httpx.Client:
    def space_requests(request: httpx.Request) -> None:
        clock.sleep(3.0)  # a polite client: one request every three seconds

    return httpx.Client(transport=fake.transport(), event_hooks={"request": [space_requests]})


def feed(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def ids_of(root: ET.Element) -> list[str]:
    return [e.findtext(f"{A}id") or "" for e in root.findall(f"{A}entry")]


def test_id_list_is_complete_but_unordered(client: httpx.Client) -> None:
    asked = [f"2301.{n:05d}" for n in range(8)]
    root = feed(client.get(URL, params={"id_list": ",".join(asked), "max_results": 100}))
    got = ids_of(root)
    assert sorted(got) == sorted(f"http://arxiv.org/abs/{i}v1" for i in asked)
    assert got != [f"http://arxiv.org/abs/{i}v1" for i in asked]  # shuffled (seed 3)
    assert root.findtext(f"{OS}totalResults") == "8"
    assert root.findtext(f"{OS}itemsPerPage") == "100"


def test_id_list_order_is_deterministic_per_seed(clock: FakeClock) -> None:
    asked = ",".join(f"2301.{n:05d}" for n in range(8))
    orders = []
    for seed in (1, 1, 2):
        fake = FakeServices(make_corpus(), clock=clock, seed=seed, enforce_rate_limits=False)
        status, _, body = fake.handle("GET", f"{URL}?id_list={asked}", {})
        assert status == 200
        orders.append(ids_of(ET.fromstring(body)))
    assert orders[0] == orders[1] != orders[2]


def test_unknown_and_impossible_ids_are_dropped(client: httpx.Client) -> None:
    response = client.get(URL, params={"id_list": "2104.12255,0000.0000,0808.05394"})
    assert response.status_code == 200
    root = feed(response)
    assert ids_of(root) == ["http://arxiv.org/abs/2104.12255v1"]
    assert root.find(f"{A}entry/{A}title").text == "0"  # type: ignore[union-attr]


def test_malformed_id_is_a_400_error_feed(client: httpx.Client) -> None:
    response = client.get(URL, params={"id_list": "2104.12255,abc"})
    assert response.status_code == 400
    root = feed(response)
    assert root.findtext(f"{A}id") == "https://arxiv.org/"
    assert root.findtext(f"{A}title") == "arXiv Search Results"
    assert root.findtext(f"{OS}totalResults") == "1"
    (error,) = root.findall(f"{A}entry")
    assert error.findtext(f"{A}id") == "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    assert error.findtext(f"{A}title") == "Error"
    assert error.findtext(f"{A}summary") == "incorrect id format for abc"
    assert error.findtext(f"{A}author/{A}name") == "arXiv api core"
    assert error.find(f"{A}published") is None


def test_versions(client: httpx.Client) -> None:
    latest = feed(client.get(URL, params={"id_list": "1706.03762"}))
    assert ids_of(latest) == ["http://arxiv.org/abs/1706.03762v2"]
    assert latest.findtext(f"{A}entry/{A}title") == "Attention Is All You Need"
    old = feed(client.get(URL, params={"id_list": "1706.03762v1"}))
    assert ids_of(old) == ["http://arxiv.org/abs/1706.03762v1"]
    assert old.findtext(f"{A}entry/{A}title") == "Attention Is All You Need (draft)"
    assert old.findtext(f"{A}entry/{A}updated") == "2020-01-01T12:00:00Z"
    missing = feed(client.get(URL, params={"id_list": "1706.03762v7"}))
    assert ids_of(missing) == []


def test_old_style_entry_shape(client: httpx.Client) -> None:
    root = feed(client.get(URL, params={"id_list": "astro-ph/0601001"}))
    (e,) = root.findall(f"{A}entry")
    assert e.findtext(f"{A}id") == "http://arxiv.org/abs/astro-ph/0601001v1"
    assert (e.findtext(f"{A}summary") or "").startswith("  About")  # old abstracts keep 2 spaces
    assert e.findtext(f"{AX}doi") == "10.1234/acta.56"
    assert e.findtext(f"{AX}journal_ref") == "ActaAstron.56:1-50,2006"
    assert e.findtext(f"{AX}comment") == "62 pages"
    assert e.find(f"{AX}primary_category").get("term") == "astro-ph"  # type: ignore[union-attr]
    assert e.findtext(f"{A}author/{AX}affiliation") == "Ohio State"
    links = {(link.get("title"), link.get("href")) for link in e.findall(f"{A}link")}
    assert ("doi", "https://doi.org/10.1234/acta.56") in links
    assert ("pdf", "https://arxiv.org/pdf/astro-ph/0601001v1") in links
    # The element order of a live entry (id_list_oldstyle_astro-ph_0601001_200.xml).
    tags = [child.tag.split("}")[1] for child in e]
    assert tags[:6] == ["id", "title", "updated", "link", "link", "summary"]
    assert tags.index("published") < tags.index("primary_category") < tags.index("author")


def test_wrapped_abstracts_are_deterministic(fake: FakeServices) -> None:
    asked = ",".join(f"2301.{n:05d}" for n in range(12))
    _, _, body = fake.handle("GET", f"{URL}?id_list={asked}&max_results=20", {})
    summaries = [e.findtext(f"{A}summary") or "" for e in ET.fromstring(body).iter(f"{A}entry")]
    wrapped = [s for s in summaries if "\n  " in s]
    assert 0 < len(wrapped) < len(summaries)


def test_default_max_results_truncates_id_lists(client: httpx.Client) -> None:
    asked = ",".join(f"2301.{n:05d}" for n in range(12))
    root = feed(client.get(URL, params={"id_list": asked}))
    assert len(ids_of(root)) == 10
    assert root.findtext(f"{OS}totalResults") == "12"
    rest = feed(client.get(URL, params={"id_list": asked, "start": 10}))
    assert len(ids_of(rest)) == 2
    assert set(ids_of(root)).isdisjoint(ids_of(rest))


def test_search_query_feed_header(client: httpx.Client) -> None:
    root = feed(client.get(URL, params={"search_query": "testing", "max_results": 5}))
    assert root.findtext(f"{A}title") == (
        "arXiv Query: search_query=all:testing&id_list=&start=0&max_results=5"
    )
    assert (root.findtext(f"{A}id") or "").startswith("https://arxiv.org/api/")
    assert root.findtext(f"{OS}itemsPerPage") == "5"
    assert sorted(ids_of(root)) == [
        "http://arxiv.org/abs/2005.14124v1",
        "http://arxiv.org/abs/2202.12139v1",
    ]


def test_search_relevance_and_date_sorting(client: httpx.Client) -> None:
    query = "ti:testing OR ti:fuzzing"
    ranked = ids_of(feed(client.get(URL, params={"search_query": query})))
    assert ranked[0] == "http://arxiv.org/abs/2005.14124v1"  # matches both terms
    by_date = ids_of(
        feed(client.get(URL, params={"search_query": query, "sortBy": "submittedDate"}))
    )
    assert by_date == ["http://arxiv.org/abs/2202.12139v1", "http://arxiv.org/abs/2005.14124v1"]
    ascending = ids_of(
        feed(
            client.get(
                URL,
                params={"search_query": query, "sortBy": "submittedDate", "sortOrder": "ascending"},
            )
        )
    )
    assert ascending == by_date[::-1]


def test_search_paging(client: httpx.Client) -> None:
    first = feed(client.get(URL, params={"search_query": "ti:filler", "max_results": 5}))
    second = feed(
        client.get(URL, params={"search_query": "ti:filler", "start": 5, "max_results": 5})
    )
    assert first.findtext(f"{OS}totalResults") == second.findtext(f"{OS}totalResults") == "12"
    assert second.findtext(f"{OS}startIndex") == "5"
    assert set(ids_of(first)).isdisjoint(ids_of(second))


@pytest.mark.parametrize(
    "params",
    [{"max_results": 2001}, {"start": 29_000, "max_results": 1001}, {"start": "x"}],
)
def test_paging_limits_are_400(client: httpx.Client, params: dict[str, str | int]) -> None:
    response = client.get(URL, params={"search_query": "all:testing", **params})
    assert response.status_code == 400
    assert "api/errors#" in (feed(response).findtext(f"{A}entry/{A}id") or "")


def test_query_and_id_list_filter_each_other(client: httpx.Client) -> None:
    root = feed(
        client.get(
            URL, params={"id_list": "2104.12255,2005.14124,2202.12139", "search_query": "cat:cs.CR"}
        )
    )
    assert sorted(ids_of(root)) == [
        "http://arxiv.org/abs/2005.14124v1",
        "http://arxiv.org/abs/2104.12255v1",
    ]


def test_post_form_encoded(client: httpx.Client) -> None:
    response = client.post(URL, data={"id_list": "2104.12255", "max_results": "5"})
    assert ids_of(feed(response)) == ["http://arxiv.org/abs/2104.12255v1"]


def test_utf8_bytes(clock: FakeClock) -> None:
    corpus = Corpus(arxiv=[entry("2101.00001", "Über Straße", authors=["Dirk Wübben"])])
    fake = FakeServices(corpus, clock=clock)
    _, headers, body = fake.handle("GET", f"{URL}?id_list=2101.00001", {})
    assert "Dirk Wübben".encode() in body
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert headers["Content-Length"] == str(len(body))


def test_too_fast_is_a_bare_429(fake: FakeServices, clock: FakeClock) -> None:
    client = httpx.Client(transport=fake.transport())
    assert client.get(URL, params={"id_list": "2104.12255"}).status_code == 200
    clock.sleep(2.0)
    throttled = client.get(URL, params={"id_list": "2104.12255"})
    assert throttled.status_code == 429
    assert throttled.content == b"Rate exceeded."
    assert throttled.headers["content-type"] == "text/html"
    assert "retry-after" not in throttled.headers
    clock.sleep(2.95)  # within the 2% jitter tolerance of 3 s
    assert client.get(URL, params={"id_list": "2104.12255"}).status_code == 200
    log = fake.log_for("arxiv")
    assert [e.rate_violation for e in log] == [False, True, False]
    assert [e.status for e in log] == [200, 429, 200]
    assert log[1].ids == ("2104.12255",)


def test_time_scale_shortens_the_interval(clock: FakeClock) -> None:
    fake = FakeServices(make_corpus(), clock=clock, time_scale=10)
    client = httpx.Client(transport=fake.transport())
    for _ in range(3):
        assert client.get(URL, params={"id_list": "2104.12255"}).status_code == 200
        clock.sleep(0.3)
    assert not any(e.rate_violation for e in fake.log)


def test_violations_logged_but_answered_when_not_enforced(clock: FakeClock) -> None:
    fake = FakeServices(make_corpus(), clock=clock, enforce_rate_limits=False)
    client = httpx.Client(transport=fake.transport())
    statuses = [client.get(URL, params={"id_list": "2104.12255"}).status_code for _ in range(2)]
    assert statuses == [200, 200]
    assert [e.rate_violation for e in fake.log] == [False, True]
