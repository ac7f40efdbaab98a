"""Retry policy of the Client: what is retried, how long it waits, what it raises.

Every test runs on a FakeClock and an httpx.MockTransport: nothing sleeps, nothing
leaves the process.  ``clock.sleeps`` is the exact list of waits the client asked for.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import Answer, Script

from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import (
    AuthError,
    ClientError,
    NotFoundError,
    ResponseError,
    ServerError,
    SourceUnavailableError,
    TransportError,
)
from enrich._retry import parse_retry_after
from enrich._secrets import redact_url
from enrich._wire import Request

S2 = "https://api.semanticscholar.org/graph/v1"
ARXIV = "https://export.arxiv.org/api/query"


ATOM_OK = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>arXiv Query: id_list=2106.09685</title>'
    b"<entry><id>http://arxiv.org/abs/2106.09685v2</id><title>LoRA</title></entry></feed>"
)
ATOM_ERROR = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    b"<id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>"
    b"<summary>incorrect id format for abc</summary></entry></feed>"
)
S2_429 = (
    b'{"message": "Too Many Requests. Please wait and try again or apply for a key for higher '
    b'rate limits. https://www.semanticscholar.org/product/api#api-key-form", "code": "429"}'
)


def reply(status: int, body: Any = b"{}", **headers: str) -> Answer:
    """A fresh httpx.Response per call (``content_type="..."`` -> ``content-type``)."""
    content = body if isinstance(body, bytes | str) else json.dumps(body).encode()
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=hdrs)

    return answer


def fail(exc_type: type[httpx.TransportError], message: str = "boom") -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return answer


@pytest.fixture
def make(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., tuple[Client, Script]]]:
    clients: list[Client] = []

    def build(*answers: Answer, rate_limit: bool = True, **overrides: Any) -> tuple[Client, Script]:
        script = Script(clock, *answers)
        # The retry policy on its own: no jitter margin on the pacing, and a
        # breaker that never opens (both have tests of their own).
        overrides = {
            "pacing_margin": 0.0,
            "breaker_failures": 100,
            "breaker_seconds": 1e9,
            **overrides,
        }
        settings = Settings(cache_dir=tmp_path / "cache", **overrides)
        client = Client(
            settings, transport=httpx.MockTransport(script), clock=clock, rate_limit=rate_limit
        )
        clients.append(client)
        return client, script

    yield build
    for client in clients:
        client.close()


def s2_get(path: str = "/paper/ARXIV:2106.09685", **kw: Any) -> Request:
    return Request("s2", "GET", S2 + path, params=(("fields", "title,year"),), **kw)


def arxiv_get(ids: str = "2106.09685", **kw: Any) -> Request:
    return Request("arxiv", "GET", ARXIV, params=(("id_list", ids),), expect="xml", **kw)


def test_retry_after_seconds_is_obeyed(make: Any, clock: FakeClock) -> None:
    client, script = make(reply(503, b"busy", retry_after="7"), reply(200, {"title": "LoRA"}))
    answer = client.send(s2_get())
    assert answer.json() == {"title": "LoRA"}
    assert clock.sleeps == [7.0]
    assert script.times == [0.0, 7.0]
    stats = client.stats()["s2"]
    assert (stats.requests, dict(stats.retries), stats.wait_seconds) == (2, {"503": 1}, 7.0)
    # the service asked for the wait: not pacing, not backoff after an error
    assert (stats.server_wait_seconds, stats.backoff_seconds) == (7.0, 0.0)


def test_a_bare_503_is_counted_as_backoff_not_as_a_server_wait(make: Any) -> None:
    client, _ = make(reply(503, b"busy"), reply(200, {"title": "LoRA"}), backoff_base=0.5)
    assert client.send(s2_get()).status == 200
    stats = client.stats()["s2"]
    assert stats.server_wait_seconds == 0.0
    assert stats.backoff_seconds > 0.0


def test_retry_after_http_date_is_obeyed(make: Any, clock: FakeClock) -> None:
    when = email.utils.formatdate(clock.time() + 30, usegmt=True)
    client, _ = make(reply(429, S2_429, retry_after=when), reply(200, {"title": "LoRA"}))
    assert client.send(s2_get()).status == 200
    assert clock.sleeps == [30.0]


def test_s2_bare_429_backs_off_at_least_the_interval(make: Any, clock: FakeClock) -> None:
    client, script = make(
        reply(429, S2_429, content_type="application/json"),
        reply(429, S2_429, content_type="application/json"),
        reply(200, {"title": "LoRA"}),
        s2_min_interval=1.0,
        backoff_base=0.1,
        backoff_max=0.5,
    )
    assert client.send(s2_get()).json() == {"title": "LoRA"}
    # Full-jitter backoff of at most 0.5 s, floored at S2's 1 s interval.
    assert clock.sleeps == [1.0, 1.0]
    assert len(script.seen) == 3
    assert client.stats()["s2"].retries == {"429": 2}


def test_arxiv_plain_text_429_is_retried(make: Any, clock: FakeClock) -> None:
    client, script = make(
        reply(429, b"Rate exceeded.", content_type="text/html"),
        reply(200, ATOM_OK, content_type="application/atom+xml"),
        backoff_base=1.0,
        backoff_max=2.0,
    )
    answer = client.send(arxiv_get())
    assert answer.status == 200
    assert b"LoRA" in answer.content
    assert clock.sleeps == [3.0]  # at least arXiv's 3 s, the limiter adds nothing more
    assert script.times == [0.0, 3.0]


def test_arxiv_400_error_feed_is_an_answer(make: Any, clock: FakeClock) -> None:
    client, script = make(reply(400, ATOM_ERROR, content_type="application/atom+xml"))
    answer = client.send(arxiv_get("abc", answer_statuses=frozenset({400})))
    assert answer.status == 400
    assert b"incorrect_id_format_for_abc" in answer.content
    assert len(script.seen) == 1
    assert clock.sleeps == []


def test_server_errors_give_up_after_max_attempts(make: Any, clock: FakeClock) -> None:
    client, script = make(reply(502, b"<html>Bad gateway</html>"), max_attempts=3)
    with pytest.raises(ServerError) as caught:
        client.send(s2_get())
    err = caught.value
    assert len(script.seen) == 3
    assert (err.source, err.status) == ("s2", 502)
    assert err.url == f"{S2}/paper/ARXIV:2106.09685?fields=title%2Cyear"
    assert "gave up after 3 attempts" in str(err)
    assert str(err).startswith("[s2] HTTP 502 server error")
    stats = client.stats()["s2"]
    assert (stats.requests, stats.errors, dict(stats.retries)) == (3, 1, {"502": 2})


def test_backoff_is_exponential_with_full_jitter(make: Any, clock: FakeClock) -> None:
    client, _ = make(
        reply(500),
        max_attempts=6,
        backoff_base=2.0,
        backoff_max=10.0,
        s2_min_interval=0.0,
    )
    with pytest.raises(ServerError):
        client.send(s2_get())
    caps = [2.0, 4.0, 8.0, 10.0, 10.0]
    assert len(clock.sleeps) == len(caps)
    assert all(0.0 <= slept <= cap for slept, cap in zip(clock.sleeps, caps, strict=True))


def test_a_retry_after_past_the_budget_opens_the_breaker_at_once(
    make: Any, clock: FakeClock
) -> None:
    client, script = make(reply(429, S2_429, retry_after="900"), retry_budget=600.0)
    with pytest.raises(SourceUnavailableError) as caught:
        client.send(s2_get())
    assert caught.value.why == "throttled"
    assert "wait of 900s, longer than the retry budget of 600s" in str(caught.value)
    assert "S2_API_KEY" in str(caught.value)
    assert len(script.seen) == 1
    assert clock.sleeps == []
    with pytest.raises(SourceUnavailableError):  # not asked again this run
        client.send(s2_get("/paper/CorpusId:1"))
    assert len(script.seen) == 1
    assert client.stats()["s2"].skipped == 1


def test_timeouts_and_resets_are_retried(make: Any, clock: FakeClock) -> None:
    client, script = make(
        fail(httpx.ReadTimeout),
        fail(httpx.ConnectError, "connection refused"),
        fail(httpx.RemoteProtocolError, "server disconnected"),
        reply(200, {"title": "LoRA"}),
    )
    assert client.send(s2_get()).json() == {"title": "LoRA"}
    assert client.stats()["s2"].retries == {"timeout": 1, "unreachable": 1, "reset": 1}
    assert len(script.seen) == 4


def test_persistent_timeouts_raise_transport_error_from_cause(make: Any) -> None:
    client, script = make(fail(httpx.ConnectTimeout), max_attempts=2)
    with pytest.raises(TransportError) as caught:
        client.send(s2_get())
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)
    assert caught.value.status is None
    assert len(script.seen) == 2


def test_truncated_json_is_retried(make: Any) -> None:
    client, script = make(
        reply(200, b'{"data": [{"paperId": "ab'),  # cut short, no length to tell
        reply(200, b'{"data": []}', content_length="400"),  # shorter than announced
        reply(200, {"data": [{"paperId": "abc"}]}),
    )
    assert client.send(s2_get()).json() == {"data": [{"paperId": "abc"}]}
    assert client.stats()["s2"].retries == {"truncated": 2}
    assert len(script.seen) == 3


def test_body_broken_mid_stream_is_truncated(make: Any) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            yield b'{"data": ['
            raise httpx.ReadError("peer closed connection without sending complete body")

        return httpx.Response(200, content=chunks())

    client, _ = make(broken, reply(200, {"data": []}))
    assert client.send(s2_get()).json() == {"data": []}
    assert client.stats()["s2"].retries == {"truncated": 1}


def test_html_served_with_200_is_retried_then_refused(make: Any) -> None:
    page = b"<!DOCTYPE html><html><body>Just a moment...</body></html>"
    client, script = make(reply(200, page, content_type="text/html"), max_attempts=2)
    with pytest.raises(ResponseError) as caught:
        client.send(arxiv_get())
    assert "HTML" in str(caught.value)
    assert client.stats()["arxiv"].retries == {"html": 1}
    assert len(script.seen) == 2


def test_malformed_xml_is_retried(make: Any) -> None:
    client, _ = make(reply(200, ATOM_OK[:-20]), reply(200, ATOM_OK))
    assert client.send(arxiv_get()).content == ATOM_OK
    assert client.stats()["arxiv"].retries == {"truncated": 1}


def test_oversized_body_is_refused_without_retry(make: Any) -> None:
    big = json.dumps({"data": ["x" * 3000]}).encode()
    client, script = make(reply(200, big), max_response_bytes=1024)
    with pytest.raises(ResponseError, match="max_response_bytes"):
        client.send(s2_get())
    assert len(script.seen) == 1


def test_oversized_stream_without_length_is_refused(make: Any) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([b"[" + b"1," * 400] * 10))

    client, script = make(endless, max_response_bytes=2048)
    with pytest.raises(ResponseError, match="max_response_bytes"):
        client.send(s2_get())
    assert len(script.seen) == 1


@pytest.mark.parametrize(
    ("status", "error", "body"),
    [
        (400, ClientError, {"error": "Unrecognized or unsupported fields: [unknown]"}),
        (401, AuthError, {"message": "Bad credentials"}),
        (403, AuthError, {"message": "Forbidden"}),
        (404, NotFoundError, {"error": "Paper with id 0 not found"}),
    ],
)
def test_other_4xx_fail_fast(
    make: Any, clock: FakeClock, status: int, error: type[Exception], body: dict[str, str]
) -> None:
    client, script = make(reply(status, body))
    with pytest.raises(error) as caught:
        client.send(s2_get())
    assert len(script.seen) == 1
    assert clock.sleeps == []
    assert next(iter(body.values())) in str(caught.value)
    assert client.stats()["s2"].errors == 1


def test_answer_status_404_is_returned(make: Any) -> None:
    client, _ = make(reply(404, {"error": "Title match not found"}))
    request = s2_get("/paper/search/match", answer_statuses=frozenset({404}))
    answer = client.send(request)
    assert (answer.status, answer.json()) == (404, {"error": "Title match not found"})


def test_post_sends_canonical_json(make: Any) -> None:
    client, script = make(reply(200, [None, {"paperId": "abc"}]))
    request = Request("s2", "POST", S2 + "/paper/batch", body={"ids": ["ARXIV:1", "ARXIV:2"]})
    assert client.send(request).json() == [None, {"paperId": "abc"}]
    sent = script.seen[0]
    assert sent.method == "POST"
    assert sent.content == b'{"ids":["ARXIV:1","ARXIV:2"]}'
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["user-agent"].startswith("enrich/")
    assert "x-api-key" not in sent.headers


def test_no_rate_limit_means_no_waiting(make: Any, clock: FakeClock) -> None:
    client, script = make(
        reply(503, retry_after="30"),
        reply(200, {"title": "LoRA"}),
        rate_limit=False,
    )
    assert client.send(s2_get()).status == 200
    assert client.send(s2_get("/paper/other")).status == 200
    assert clock.sleeps == []
    assert len(script.seen) == 3


def test_invalid_url_is_not_retried(make: Any) -> None:
    client, script = make(reply(200))
    with pytest.raises(TransportError, match="InvalidURL"):
        client.send(Request("s2", "GET", "https://[::1/graph/v1/paper/x"))
    assert script.seen == []
    assert client.stats()["s2"].retries == {}


def test_retries_are_logged_without_secrets(make: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="enrich")
    client, _ = make(
        reply(503, {"message": "maintenance"}, retry_after="2"),
        reply(200, {"title": "LoRA"}),
    )
    client.send(s2_get())
    infos = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert infos == ["s2 503: server error: maintenance; attempt 2 of 6 in 2.0s"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 1.5 ", 1.5),
        ("-4", 0.0),
        ("Fri, 15 Jan 2027 08:00:30 GMT", 30.0),
        ("Fri, 15 Jan 2027 07:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = 1_800_000_000.0  # Fri, 15 Jan 2027 08:00:00 GMT
    assert parse_retry_after(value, now) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.example.org/x?q=1&api_key=k&access_token=t", "https://api.example.org/x?q=1"),
        ("https://user:pw@api.example.org/x", "https://api.example.org/x"),
        ("https://api.example.org/x?fields=a%2Cb", "https://api.example.org/x?fields=a%2Cb"),
        ("https://[::1/x?token=t", "https://[::1/x"),
        (
            "https://a.org/q?author=Hu&keywords=lora&sig=s",
            "https://a.org/q?author=Hu&keywords=lora",
        ),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_after_a_timeout_the_retry_waits_at_least_the_interval(make: Any, clock: FakeClock) -> None:
    def slow_timeout(request: httpx.Request) -> httpx.Response:
        clock.advance(30.0)  # the request hung until the client's timeout
        raise httpx.ReadTimeout("timed out", request=request)

    client, script = make(slow_timeout, reply(200, ATOM_OK), backoff_base=0.1, backoff_max=0.2)
    assert client.send(arxiv_get()).status == 200
    # The hung request may still hold arXiv's one connection: 3 s more, not 0.1 s.
    assert clock.sleeps == [3.0]
    assert script.times == [0.0, 33.0]
