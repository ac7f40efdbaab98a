"""The standalone server: FakeServices.serve() and ``python -m enrich.testing serve``."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from enrich.testing import Corpus, FakeArxivEntry, FakeRepo, FakeS2Paper, FakeServices, FaultConfig

ROOT = Path(__file__).resolve().parents[1]
UA = {"User-Agent": "enrich-tests"}


def corpus() -> Corpus:
    return Corpus(
        arxiv=[
            FakeArxivEntry(
                "2101.00001",
                ["A title"],
                "An abstract.",
                ["Ann Author"],
                dt.datetime(2021, 1, 1),
                dt.datetime(2021, 1, 1),
                ["cs.LG"],
            )
        ],
        s2=[FakeS2Paper("f" * 40, 1, "A title", 2021, ["Ann Author"], {"ArXiv": "2101.00001"})],
        github=[FakeRepo(42, "new/name", former_names=["old/name"], stars=9)],
    )


def test_serve_answers_all_four_services() -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    with fake.serve() as server, httpx.Client(headers=UA, follow_redirects=True) as client:
        env = server.env()
        assert env == {
            "ENRICH_ARXIV_URL": f"{server.url}/arxiv/api/query",
            "ENRICH_S2_URL": f"{server.url}/s2/graph/v1",
            "ENRICH_GITHUB_URL": f"{server.url}/github",
            "ENRICH_HF_URL": f"{server.url}/hf",
        }
        feed = client.get(env["ENRICH_ARXIV_URL"], params={"id_list": "2101.00001"})
        assert b"http://arxiv.org/abs/2101.00001v1" in feed.content
        batch = client.post(
            f"{env['ENRICH_S2_URL']}/paper/batch", json={"ids": ["ARXIV:2101.00001", "x"]}
        )
        assert [p and p["paperId"] for p in batch.json()] == ["f" * 40, None]
        repo = client.get(f"{env['ENRICH_GITHUB_URL']}/repos/old/name")
        assert repo.status_code == 200
        assert repo.json()["full_name"] == "new/name"
        assert repo.history[0].headers["location"] == f"{server.url}/github/repositories/42"
        paper = client.get(f"{env['ENRICH_HF_URL']}/api/papers/2101.00001")
        assert paper.status_code == 404  # not indexed on the Hub
        assert paper.headers["ratelimit"].startswith('"api";r=499;')
        assert client.get(f"{server.url}/elsewhere").status_code == 404
    assert [(e.source, e.endpoint) for e in fake.log] == [
        ("arxiv", "query"),
        ("s2", "paper/batch"),
        ("github", "repos"),
        ("github", "repositories"),
        ("hf", "papers"),
    ]


def test_server_reset_closes_the_connection() -> None:
    fake = FakeServices(corpus(), faults=FaultConfig(rate=1.0, kinds=("reset",)))
    reset = (httpx.ReadError, httpx.RemoteProtocolError)
    with fake.serve() as server, httpx.Client(headers=UA) as client, pytest.raises(reset):
        client.get(f"{server.url}/github/repos/new/name")
    assert fake.log[0].fault == "reset"
    assert fake.log[0].status == 0


def test_cli_serve_prints_four_lines_and_stops_on_sigint(tmp_path: Path) -> None:
    path = tmp_path / "corpus.json"
    corpus().save(path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "enrich.testing", "serve", "--port", "0", "--corpus", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(4)]
        settings = dict(line.split("=", 1) for line in lines)
        assert list(settings) == [
            "ENRICH_ARXIV_URL",
            "ENRICH_S2_URL",
            "ENRICH_GITHUB_URL",
            "ENRICH_HF_URL",
        ]
        assert settings["ENRICH_S2_URL"].startswith("http://127.0.0.1:")
        assert settings["ENRICH_S2_URL"].endswith("/s2/graph/v1")
        response = httpx.get(f"{settings['ENRICH_S2_URL']}/paper/CorpusId:1", timeout=10)
        assert response.json() == {"paperId": "f" * 40, "title": "A title"}
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_cli_serve_with_the_default_corpus(stop: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "enrich.testing", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        settings = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(3))
        github = settings["ENRICH_GITHUB_URL"]
        body = httpx.get(f"{github}/rate_limit", headers=UA, timeout=10).json()
        assert body["rate"] == {
            "limit": 60,
            "used": 0,
            "remaining": 60,
            "reset": body["rate"]["reset"],
        }
        proc.send_signal(stop)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_server_timeout_stalls_past_the_client_timeout() -> None:
    faults = FaultConfig(rate=1.0, kinds=("timeout",), stall_seconds=2.0)
    fake = FakeServices(corpus(), faults=faults)
    client = httpx.Client(headers=UA, timeout=0.2)
    with fake.serve() as server, client, pytest.raises(httpx.ReadTimeout):
        client.get(f"{server.url}/s2/graph/v1/paper/CorpusId:1")
    assert fake.log[0].fault == "timeout"
