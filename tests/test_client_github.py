"""GitHub's throttle signals, headers and conditional requests, as the Client handles them.

Shapes follow SCHEMA_NOTES (GitHub §3-4): a primary limit is 403/429 with
``x-ratelimit-remaining: 0``; a secondary limit is 403 with ``Retry-After`` or a
message; any other 403 is a real refusal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import Answer, Script
from pydantic import SecretStr

from enrich._cache import ResponseCache, response_cache_dir
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import AuthError, SourceUnavailableError
from enrich._wire import Request

API = "https://api.github.com"
REPO = {"full_name": "microsoft/LoRA", "stargazers_count": 10_000}


def reply(status: int, body: Any = REPO, **headers: str) -> Answer:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    return lambda request: httpx.Response(status, content=content, headers=hdrs)


@pytest.fixture
def make(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., tuple[Client, Script]]]:
    clients: list[Client] = []

    def build(*answers: Answer, refresh: bool = False, **overrides: Any) -> tuple[Client, Script]:
        script = Script(clock, *answers)
        overrides.setdefault("github_min_interval", 0.0)
        settings = Settings(cache_dir=tmp_path / "cache", **overrides)
        client = Client(
            settings, transport=httpx.MockTransport(script), clock=clock, refresh=refresh
        )
        clients.append(client)
        return client, script

    yield build
    for client in clients:
        client.close()


def repo(name: str = "microsoft/LoRA") -> Request:
    return Request("github", "GET", f"{API}/repos/{name}", answer_statuses=frozenset({404}))


def graphql() -> Request:
    return Request("github", "POST", f"{API}/graphql", body={"query": "{ viewer { login } }"})


def test_primary_limit_waits_for_the_reset(make: Any, clock: FakeClock) -> None:
    reset = int(clock.time()) + 100
    client, _ = make(
        reply(
            403,
            {"message": "API rate limit exceeded for 203.0.113.9."},
            x_ratelimit_remaining="0",
            x_ratelimit_reset=str(reset),
        ),
        reply(200, x_ratelimit_remaining="59", x_ratelimit_reset=str(reset + 3600)),
    )
    assert client.send(repo()).json() == REPO
    assert clock.sleeps == [101.0]
    assert clock.time() >= reset
    stats = client.stats()["github"]
    assert (stats.requests, stats.wait_seconds, dict(stats.retries)) == (2, 101.0, {"403": 1})


@pytest.mark.parametrize("status", [403, 429])
def test_primary_limit_past_the_budget_raises_at_once(
    make: Any, clock: FakeClock, status: int
) -> None:
    reset = int(clock.time()) + 3600
    client, script = make(
        reply(
            status,
            {"message": "API rate limit exceeded"},
            **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        ),
        retry_budget=600.0,
    )
    with pytest.raises(SourceUnavailableError) as caught:
        client.send(repo())
    assert caught.value.why == "throttled"
    assert "wait of 3601s" in str(caught.value)
    assert "GITHUB_TOKEN" in str(caught.value)
    assert len(script.seen) == 1
    assert clock.sleeps == []


def test_known_exhausted_budget_waits_before_sending(make: Any, clock: FakeClock) -> None:
    reset = int(clock.time()) + 50
    client, script = make(
        reply(200, x_ratelimit_remaining="0", x_ratelimit_reset=str(reset)),
        reply(200, x_ratelimit_remaining="4999", x_ratelimit_reset=str(reset + 3600)),
    )
    client.send(repo("a/one"))
    client.send(repo("a/two"))
    assert clock.sleeps == [51.0]
    assert len(script.seen) == 2
    assert script.times[1] == 51.0  # sent only after the reset


def test_known_exhausted_budget_past_the_retry_budget_sends_nothing(
    make: Any, clock: FakeClock
) -> None:
    reset = int(clock.time()) + 2000
    client, script = make(
        reply(200, x_ratelimit_remaining="0", x_ratelimit_reset=str(reset)),
        retry_budget=600.0,
    )
    client.send(repo("a/one"))
    with pytest.raises(SourceUnavailableError) as caught:
        client.send(repo("a/two"))
    assert "for 2001s more, longer than the retry budget" in str(caught.value)
    assert len(script.seen) == 1
    assert client.stats()["github"].errors == 1


def test_graphql_budget_is_tracked_apart_from_core(make: Any, clock: FakeClock) -> None:
    reset = str(int(clock.time()) + 2000)
    client, _ = make(
        reply(200, x_ratelimit_remaining="0", x_ratelimit_reset=reset, x_ratelimit_resource="core"),
        reply(200, {"data": {}}, x_ratelimit_remaining="4999", x_ratelimit_resource="graphql"),
        github_token=SecretStr("t"),
    )
    client.send(repo())
    assert client.send(graphql()).json() == {"data": {}}
    assert clock.sleeps == []


def test_secondary_limit_retry_after_is_obeyed(make: Any, clock: FakeClock) -> None:
    client, script = make(
        reply(
            403,
            {"message": "You have triggered an abuse detection mechanism. Please wait."},
            retry_after="60",
        ),
        reply(200),
    )
    assert client.send(repo()).status == 200
    assert clock.sleeps == [60.0]
    assert script.times == [0.0, 60.0]


def test_secondary_limit_message_waits_a_minute_then_doubles(make: Any, clock: FakeClock) -> None:
    secondary = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    client, script = make(
        reply(403, secondary),
        reply(403, secondary),
        reply(200),
        backoff_base=1.0,
        backoff_max=10.0,
    )
    assert client.send(repo()).status == 200
    assert clock.sleeps == [60.0, 120.0]
    assert len(script.seen) == 3


def test_permission_403_fails_fast(make: Any, clock: FakeClock) -> None:
    body = {"message": "Missing or invalid User Agent string."}
    client, script = make(reply(403, body, content_type="application/octet-stream"))
    with pytest.raises(AuthError, match="Missing or invalid User Agent") as caught:
        client.send(repo())
    assert caught.value.status == 403
    assert len(script.seen) == 1
    assert clock.sleeps == []


def test_bad_credentials_401_is_auth_error(make: Any) -> None:
    client, script = make(reply(401, {"message": "Bad credentials"}), github_token=SecretStr("x"))
    with pytest.raises(AuthError, match="Bad credentials"):
        client.send(graphql())
    assert len(script.seen) == 1


def test_headers_without_and_with_token(make: Any) -> None:
    client, script = make(reply(200))
    client.send(repo())
    sent = script.seen[0].headers
    assert sent["accept"] == "application/vnd.github+json"
    assert sent["x-github-api-version"] == "2022-11-28"
    assert sent["user-agent"].startswith("enrich/")
    assert "authorization" not in sent

    client, script = make(reply(200), github_token=SecretStr("ghp_example"), use_cache=False)
    client.send(repo())
    assert script.seen[0].headers["authorization"] == "Bearer ghp_example"


def test_renamed_repository_redirect_is_followed(make: Any) -> None:
    def moved(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/repos/old/name":
            return httpx.Response(301, headers={"location": f"{API}/repositories/42"})
        return httpx.Response(200, json={"full_name": "new/name"})

    client, _ = make(moved)
    answer = client.send(repo("old/name"))
    assert answer.json() == {"full_name": "new/name"}
    assert answer.url == f"{API}/repositories/42"


def test_refresh_with_token_revalidates_with_etag(
    make: Any, clock: FakeClock, tmp_path: Path
) -> None:
    token = SecretStr("ghp_example")
    first, _ = make(reply(200, etag='W/"abc"'), github_token=token)
    first.send(repo())

    clock.advance(600)
    again, script = make(reply(304, b""), github_token=token, refresh=True)
    answer = again.send(repo())
    assert script.seen[0].headers["if-none-match"] == 'W/"abc"'
    assert (answer.status, answer.json()) == (200, REPO)
    assert again.stats()["github"].not_modified == 1
    with ResponseCache(response_cache_dir(again.settings), clock=clock) as cache:
        entry = cache.get(again.cache_key(repo()))
    assert entry is not None
    assert entry.stored_at == clock.time()  # the 304 refreshed the stored time


def test_stale_entry_is_revalidated_with_token(make: Any, clock: FakeClock) -> None:
    token = SecretStr("ghp_example")
    client, script = make(reply(200, etag='"v1"'), reply(304, b""), github_token=token)
    client.send(repo())
    clock.advance(client.settings.github_ttl + 1)
    assert client.send(repo()).json() == REPO
    assert script.seen[1].headers["if-none-match"] == '"v1"'
    assert client.stats()["github"].not_modified == 1


def test_no_conditional_request_without_token(make: Any, clock: FakeClock) -> None:
    first, _ = make(reply(200, etag='"v1"'))
    first.send(repo())
    again, script = make(reply(200, etag='"v2"'), refresh=True)
    again.send(repo())
    assert "if-none-match" not in script.seen[0].headers
    assert again.stats()["github"].not_modified == 0
