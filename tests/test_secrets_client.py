"""Credentials reach their service and nothing else: no log, error, cache byte, repr or stat."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import AuthError, ClientError, SourceError
from enrich._wire import Request

GITHUB_CANARY = "ghp_CANARYgithubTOKEN0123456789abcdef"
S2_CANARY = "s2CANARYkey9876543210zyxwvu"
CANARIES = (GITHUB_CANARY, S2_CANARY)
S2 = "https://api.semanticscholar.org/graph/v1"
GITHUB = "https://api.github.com"


def service(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/echo"):
        # A service that quotes the credential back in its error must not leak it.
        sent = request.headers.get("x-api-key") or request.headers.get("authorization", "")
        return httpx.Response(400, json={"error": f"bad request for key {sent}"})
    if path.endswith("/denied"):
        return httpx.Response(401, json={"message": "Bad credentials"})
    if path.endswith("/elsewhere"):
        return httpx.Response(302, headers={"location": "https://mirror.example.org/paper/1"})
    if path.endswith("/repos/o/r"):
        return httpx.Response(200, json={"full_name": "o/r"}, headers={"etag": '"x"'})
    return httpx.Response(200, json={"paperId": "abc"})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        cache_dir=tmp_path / "cache",
        github_token=SecretStr(GITHUB_CANARY),
        s2_api_key=SecretStr(S2_CANARY),
        max_attempts=2,
    )


def assert_clean(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text


def test_canaries_go_out_and_nowhere_else(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return service(request)

    errors: list[SourceError] = []
    caplog.set_level(logging.DEBUG, logger="enrich")
    with Client(settings, transport=httpx.MockTransport(recording), clock=FakeClock()) as client:
        client.send(Request("s2", "GET", f"{S2}/paper/ARXIV:2106.09685"))
        client.send(Request("s2", "POST", f"{S2}/paper/batch", body={"ids": ["ARXIV:1"]}))
        client.send(Request("github", "GET", f"{GITHUB}/repos/o/r"))
        for request, expected in [
            (Request("s2", "GET", f"{S2}/echo"), ClientError),
            (Request("github", "GET", f"{GITHUB}/echo"), ClientError),
            (Request("github", "GET", f"{GITHUB}/denied"), AuthError),
        ]:
            with pytest.raises(expected) as caught:
                client.send(request)
            errors.append(caught.value)
        stats_text = repr(client.stats())
        client_text = repr(client)

    # The services did receive the credentials, each only its own.
    s2_sent = [r for r in seen if r.url.host == "api.semanticscholar.org"]
    gh_sent = [r for r in seen if r.url.host == "api.github.com"]
    assert all(r.headers["x-api-key"] == S2_CANARY for r in s2_sent)
    assert all(r.headers["authorization"] == f"Bearer {GITHUB_CANARY}" for r in gh_sent)
    assert not any("authorization" in r.headers for r in s2_sent)
    assert not any("x-api-key" in r.headers for r in gh_sent)

    assert any("api.github.com" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert_clean(record.getMessage())
    for err in errors:
        assert_clean(str(err))
        assert_clean(repr(err))
        assert_clean(err.url or "")
    assert "bad request for key ***" in str(errors[0])
    assert_clean(stats_text)
    assert_clean(client_text)
    assert "github_token=set" in client_text
    assert_clean(repr(settings))
    assert_clean(str(settings.model_dump()))

    cache_files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert any(p.name == "cache.db" for p in cache_files)
    for path in cache_files:
        data = path.read_bytes()
        for canary in CANARIES:
            assert canary.encode() not in data, path


def test_credentials_are_not_forwarded_to_another_host(settings: Settings) -> None:
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return service(request)

    with Client(settings, transport=httpx.MockTransport(recording), clock=FakeClock()) as client:
        client.send(Request("s2", "GET", f"{S2}/elsewhere"))
    assert [r.url.host for r in seen] == ["api.semanticscholar.org", "mirror.example.org"]
    assert seen[0].headers["x-api-key"] == S2_CANARY
    assert "x-api-key" not in seen[1].headers
    assert "authorization" not in seen[1].headers


def test_secret_looking_query_parameters_are_redacted(settings: Settings) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"message": "nope"})

    with Client(settings, transport=httpx.MockTransport(refuse), clock=FakeClock()) as client:
        request = Request("s2", "GET", f"{S2}/paper/x", params=(("api_key", "sekrit"), ("q", "1")))
        with pytest.raises(AuthError) as caught:
            client.send(request)
    assert caught.value.url == f"{S2}/paper/x?q=1"
    assert "sekrit" not in str(caught.value)
