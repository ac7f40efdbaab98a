"""Recording applies the same size caps and decompression limits as a normal run."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from enrich._cassette import RecordingTransport
from enrich._client import Client
from enrich._config import Settings
from enrich._exceptions import ResponseError
from enrich._wire import Request

S2 = "https://api.semanticscholar.org/graph/v1"
LIMIT = 1024 * 1024
# 64 MiB of zeros compress to about 64 KiB: a gzip bomb against a 1 MiB cap.
BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


class _CountingStream(httpx.SyncByteStream):
    """Serves the compressed bomb in 4 KiB pieces and counts how much was pulled."""

    def __init__(self) -> None:
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(BOMB), 4096):
            piece = BOMB[start : start + 4096]
            self.pulled += len(piece)
            yield piece


def test_a_gzip_bomb_is_refused_while_recording(tmp_path: Path) -> None:
    streams: list[_CountingStream] = []

    def bomb(request: httpx.Request) -> httpx.Response:
        streams.append(_CountingStream())
        return httpx.Response(
            200,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            stream=streams[-1],
        )

    recorder = RecordingTransport(httpx.MockTransport(bomb), tmp_path / "run.yaml")
    settings = Settings(use_cache=False, max_response_bytes=LIMIT)
    with (
        Client(settings, transport=recorder, rate_limit=False) as client,
        pytest.raises(ResponseError, match="larger than max_response_bytes"),
    ):
        client.send(Request("s2", "GET", f"{S2}/paper/CorpusId:1"))
    (stream,) = streams  # too large is final: not retried
    # Decompression stopped just past the cap: a few compressed pieces, not 64 KiB of them.
    assert stream.pulled < len(BOMB) // 4
    # An answer the client abandoned is not written to the cassette.
    assert recorder.save() == 0


def test_a_recorded_answer_is_the_body_the_client_read(tmp_path: Path) -> None:
    def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            content=gzip.compress(b'{"paperId": "p1"}'),
        )

    recorder = RecordingTransport(httpx.MockTransport(ok), tmp_path / "run.yaml")
    with Client(Settings(use_cache=False), transport=recorder, rate_limit=False) as client:
        answer = client.send(Request("s2", "GET", f"{S2}/paper/CorpusId:1"))
    assert answer.json() == {"paperId": "p1"}
    assert recorder.save() == 1
    text = (tmp_path / "run.yaml").read_text()
    assert '{"paperId": "p1"}' in text
    assert "content-encoding" not in text.lower()
