"""Record and replay whole runs as VCR cassettes.

Recording wraps the client's transport and writes every HTTP exchange in
vcrpy's cassette format (version 1), so the files also replay under
pytest-recording / vcrpy.  The body is recorded as the client streams it, so
the client's size cap, decompression limit and deadline apply while recording
exactly as in a normal run; an answer the client abandons is not recorded.  Credentials are removed before anything is written:
the ``Authorization``, ``x-api-key`` and cookie headers are dropped, and any
occurrence of a configured secret value is replaced by ``<REDACTED>``.

Replay serves the recorded answers with no network at all.  Requests are
matched on method, full URL and body; identical requests get their recorded
answers in recorded order (a 429 then a 200 replays as a 429 then a 200).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

from enrich._exceptions import ConfigError, ReplayError

__all__ = ["RecordingTransport", "ReplayTransport"]

_SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"}
)
# The body is stored decoded, so these would describe bytes we no longer have.
_DROPPED_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
REDACTED = "<REDACTED>"
#: Top-level cassette key holding how the run was made (enrich version, request plan).
METADATA_KEY = "enrich"


def _headers(headers: httpx.Headers, drop: frozenset[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for name, value in headers.multi_items():
        if name.lower() not in drop:
            out[name.lower()].append(value)
    return dict(out)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


class _RecordedStream(httpx.SyncByteStream):
    """The inner answer's decoded body, passed through chunk by chunk and kept for the cassette."""

    def __init__(self, answer: httpx.Response, done: Callable[[bytes], None]) -> None:
        self._answer = answer
        self._done = done
        self._chunks: list[bytes] = []
        self._state = "unread"

    def __iter__(self) -> Iterator[bytes]:
        self._state = "reading"
        for chunk in self._answer.iter_bytes():
            self._chunks.append(chunk)
            yield chunk
        self._state = "complete"

    def close(self) -> None:
        self._answer.close()
        # A body never read (a redirect the client follows) is recorded empty; one
        # abandoned halfway (too large, past the deadline) is not recorded at all.
        if self._state in ("unread", "complete"):
            self._done(b"".join(self._chunks))
        self._state = "closed"
        self._chunks = []


class RecordingTransport(httpx.BaseTransport):
    """Send through ``inner`` and remember every exchange; :meth:`save` writes them."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        path: str | os.PathLike[str],
        *,
        secrets: Iterable[str] = (),
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.inner = inner
        self.path = Path(path)
        self._secrets = [s for s in secrets if s]
        self._metadata = metadata or {}
        self._interactions: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = self.inner.handle_request(request)
        answer = httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=response.stream,
            request=request,
            extensions=response.extensions,
        )

        def done(content: bytes) -> None:
            interaction = {
                "request": {
                    "body": _text(body),
                    "headers": _headers(request.headers, _SECRET_HEADERS),
                    "method": request.method,
                    "uri": str(request.url),
                },
                "response": {
                    "status": {"code": answer.status_code, "message": answer.reason_phrase},
                    "headers": _headers(
                        answer.headers, _SECRET_HEADERS | _DROPPED_RESPONSE_HEADERS
                    ),
                    "body": {"string": _text(content)},
                },
            }
            with self._lock:
                self._interactions.append(interaction)

        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in _DROPPED_RESPONSE_HEADERS
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            stream=_RecordedStream(answer, done),
            request=request,
            extensions={"reason_phrase": answer.reason_phrase.encode("ascii", "replace")},
        )

    def close(self) -> None:
        self.inner.close()

    def save(self) -> int:
        """Write the cassette atomically; returns the number of interactions."""
        with self._lock:
            data: dict[str, Any] = {"interactions": list(self._interactions), "version": 1}
        if self._metadata:
            # Not vcrpy's own "metadata" key: vcrpy 9.4 then returns a 3-tuple that
            # pytest-recording 0.14 cannot unpack.  vcrpy ignores unknown keys.
            data[METADATA_KEY] = self._metadata
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return len(data["interactions"])


def _body_key(body: str | bytes | None) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else body


class ReplayTransport(httpx.BaseTransport):
    """Answer from a cassette; a request it does not hold raises :class:`ReplayError`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: cassette not found") from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{self.path}: not a readable cassette ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
            raise ConfigError(f"{self.path}: not a VCR cassette (no 'interactions' list)")
        self.metadata: dict[str, Any] = data.get(METADATA_KEY) or {}
        self._answers: dict[tuple[str, str, bytes], deque[dict[str, Any]]] = defaultdict(deque)
        self._last: dict[tuple[str, str, bytes], dict[str, Any]] = {}
        for item in data["interactions"]:
            req = item["request"]
            key = (req["method"].upper(), req["uri"], _body_key(req.get("body")))
            self._answers[key].append(item["response"])
        self._lock = threading.Lock()
        self.played = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.method.upper(), str(request.url), request.read())
        with self._lock:
            queue = self._answers.get(key)
            if queue:
                answer = queue.popleft()
                self._last[key] = answer
            elif key in self._last:
                # Asked again after the recording ran out: the last answer stands.
                answer = self._last[key]
            else:
                raise ReplayError(
                    f"{self.path.name}: no recorded answer for {request.method} {request.url}"
                )
            self.played += 1
        headers = [(name, value) for name, values in answer["headers"].items() for value in values]
        body = answer["body"]["string"]
        message = answer["status"].get("message") or ""
        return httpx.Response(
            answer["status"]["code"],
            headers=headers,
            content=body.encode("utf-8") if isinstance(body, str) else body,
            request=request,
            extensions={"reason_phrase": message.encode("ascii", "replace")},
        )
