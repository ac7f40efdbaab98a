"""Credentials go to their own service and nowhere else.

Canary values for ``GITHUB_TOKEN`` and ``S2_API_KEY`` are set for whole
``enrich run`` processes (recording a cassette, filling the cache, logging at
``-vv``) against the fake services, and for in-process runs against a service
that echoes the credentials back in its error bodies and redirects.  The canary
must appear in no cassette, log line, cache file, output file, error message
or repr.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import polars as pl
import pytest
from conftest import ROOT
from helpers import small_corpus

from enrich._api import enrich_result
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import SourceError
from enrich._wire import Request
from enrich.testing import FakeServices

pytestmark = pytest.mark.slow

GITHUB_CANARY = "ghp_CANARYgithubTOKEN0123456789abcdef"
S2_CANARY = "CANARYs2KEY9876543210zyxwvu"
CANARIES = (GITHUB_CANARY, S2_CANARY)
INPUTS = "2106.09685\nAttention is all you need\n10.18653/v1/N19-1423\nhttps://github.com/old-owner/old-name\n"


def _leaks(data: bytes) -> list[str]:
    """The canaries (plain, base64 or URL-quoted) found in ``data``."""
    found = []
    for canary in CANARIES:
        forms = [canary.encode(), base64.b64encode(canary.encode())]
        forms.append(base64.b64encode(f"x-access-token:{canary}".encode()))
        if any(form in data for form in forms):
            found.append(canary)
    return found


def _every_file(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_whole_runs_leak_no_credential(tmp_path: Path) -> None:
    inputs = tmp_path / "papers.txt"
    inputs.write_text(INPUTS, encoding="utf-8")
    cache = tmp_path / "home" / "cache" / "enrich"  # no part of it exists yet
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    with fake.serve() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
        env.update(server.env())
        env.update(
            PYTHONPATH=str(ROOT),
            GITHUB_TOKEN=GITHUB_CANARY,
            S2_API_KEY=S2_CANARY,
            ENRICH_CACHE_DIR=str(cache),
            ENRICH_ARXIV_MIN_INTERVAL="0.01",
            ENRICH_S2_MIN_INTERVAL="0.01",
        )
        runs = [
            ["run", str(inputs), "-o", str(tmp_path / "recorded.parquet")],
            ["run", str(inputs), "-o", str(tmp_path / "cached.csv")],
            ["run", str(inputs), "-o", str(tmp_path / "again.json")],  # from the cache
        ]
        runs[0] += ["--record", str(tmp_path / "cassette.yaml")]
        outputs = []
        for args in runs:
            done = subprocess.run(
                [sys.executable, "-m", "enrich", "-vv", *args],
                env=env,
                capture_output=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, done.stderr.decode()
            outputs.append(done.stdout + done.stderr)

    # The credentials did go out, to their own services.
    assert {e.source for e in fake.log if e.authenticated} == {"s2", "github"}
    log = b"\n".join(outputs)
    assert b"DEBUG" in log  # -vv logs every request
    assert b"HTTP Request: POST http://127.0.0.1" in log  # httpx logs each URL
    assert _leaks(log) == []

    cassette = (tmp_path / "cassette.yaml").read_bytes()
    assert b"interactions" in cassette
    assert _leaks(cassette) == []
    for name in ("recorded.parquet", "cached.csv", "again.json"):
        assert _leaks((tmp_path / name).read_bytes()) == [], name
    files = _every_file(cache)
    assert any(path.name == "cache.db" for path in files)
    assert any("github" in data.decode("latin-1") for data in files.values())  # answers are in
    assert {str(path): _leaks(data) for path, data in files.items() if _leaks(data)} == {}

    # Created readable by the owner only, with every folder it had to make.
    for folder in (cache, cache / "http", cache / "ratelimit", cache.parent, cache.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


class _Echo(httpx.BaseTransport):
    """A service that repeats the credentials it was sent, in every way it can."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        said = request.headers.get("authorization", "") + request.headers.get("x-api-key", "")
        self.seen.append(said)
        if "redirected" not in str(request.url) and request.method == "GET":
            # A redirect that carries the credential in its query and fragment.
            target = request.url.copy_with(
                path=request.url.path + "/redirected", query=f"api_key={said}&t={said}".encode()
            )
            return httpx.Response(302, headers={"Location": str(target)})
        status = 401 if request.url.host == "api.github.com" else 503
        return httpx.Response(
            status,
            json={"message": f"bad credentials {said}", "error": said},
            headers={"WWW-Authenticate": said, "Retry-After": "1", "X-Echo": said},
        )


def test_an_echoing_service_gets_no_credential_into_errors_logs_or_reprs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.from_env(
        {"GITHUB_TOKEN": GITHUB_CANARY, "S2_API_KEY": S2_CANARY},
        cache_dir=tmp_path / "cache",
        max_attempts=2,
    )
    echo = _Echo()
    caplog.set_level(logging.DEBUG)
    with Client(settings, transport=echo, clock=FakeClock()) as client:
        result = enrich_result(INPUTS.split("\n")[:-1], client=client)
        client_repr = repr(client)
        stats_repr = repr(client.stats())
    assert any(GITHUB_CANARY in s for s in echo.seen)
    assert any(S2_CANARY in s for s in echo.seen)

    frame = result.frame
    assert frame is not None
    messages = [m for errors in frame["errors"] for m in errors]
    assert any(m.startswith("[github] HTTP 401") for m in messages)
    assert any(m.startswith("[s2] HTTP 503") for m in messages)
    assert any("bad credentials ***" in m for m in messages)
    texts = [*messages, client_repr, stats_repr, repr(settings), str(settings), caplog.text]
    texts.append(settings.model_dump_json())
    assert _leaks("\n".join(texts).encode()) == []
    assert _leaks(str(frame.to_dicts()).encode()) == []
    assert {
        str(p): _leaks(d) for p, d in _every_file(tmp_path / "cache").items() if _leaks(d)
    } == {}


def test_a_source_error_never_carries_a_credential_in_its_url_or_repr() -> None:
    settings = Settings.from_env({"GITHUB_TOKEN": GITHUB_CANARY, "S2_API_KEY": S2_CANARY})
    settings = settings.model_copy(update={"use_cache": False, "max_attempts": 1})
    echo = _Echo()
    with Client(settings, transport=echo, clock=FakeClock()) as client:
        url = f"{settings.github_url}/repos/o/r?access_token={GITHUB_CANARY}&page=1"
        with pytest.raises(SourceError) as caught:
            client.send(Request("github", "GET", url))
    error = caught.value
    assert error.url is not None
    assert "page=1" in error.url
    rendered = [str(error), repr(error), str(error.url), error.message, str(error.args)]
    assert _leaks("\n".join(rendered).encode()) == []
    assert pl.DataFrame({"e": [str(error)]}).height == 1
