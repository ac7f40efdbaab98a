"""FakeServices: routing, rate rules, fault injection, logging; an httpx transport and a server.

One :class:`FakeServices` object owns the three fake services and their state.
Both front ends go through the same dispatch, :meth:`FakeServices.handle`:

* :meth:`FakeServices.transport` is an ``httpx.BaseTransport`` for in-process
  use; injected resets and timeouts raise the real ``httpx.ReadError`` and
  ``httpx.ReadTimeout``.
* :meth:`FakeServices.serve` starts a stdlib ``ThreadingHTTPServer`` on a local
  port, for clients in another process; resets close the socket with RST and
  timeouts stall the connection.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Final, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from enrich._clock import Clock, SystemClock
from enrich.testing._arxiv import ArxivService
from enrich.testing._common import Reply, Request
from enrich.testing._corpus import Corpus
from enrich.testing._faults import FaultConfig, FaultPlan, needs_real_answer
from enrich.testing._github import GitHubService
from enrich.testing._hf import HFService
from enrich.testing._log import RequestLog, RequestLogEntry
from enrich.testing._s2 import S2Service

__all__ = ["ConnectionFault", "FakeServer", "FakeServices"]

DEFAULT_ARXIV_URL: Final = "https://export.arxiv.org/api/query"
DEFAULT_S2_URL: Final = "https://api.semanticscholar.org/graph/v1"
DEFAULT_GITHUB_URL: Final = "https://api.github.com"
DEFAULT_HF_URL: Final = "https://huggingface.co"
#: Path prefixes of the standalone server.
SERVER_PATHS: Final = {
    "arxiv": "/arxiv/api/query",
    "s2": "/s2/graph/v1",
    "github": "/github",
    "hf": "/hf",
}
# Minimum spacing of requests at time_scale 1: arXiv asks for one request every
# 3 s (ToU); Semantic Scholar's keyed rate is 1 request per second.
MIN_INTERVAL: Final = {"arxiv": 3.0, "s2": 1.0}
#: Share of the interval forgiven for clock jitter between client and fake.
TOLERANCE: Final = 0.02


_REASONS: Final = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}


class ConnectionFault(Exception):  # noqa: N818 - a simulated event, not an error of ours
    """Raised by :meth:`FakeServices.handle` for an injected ``reset`` or ``timeout``."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"injected {kind}")
        self.kind = kind


class _Service(Protocol):
    source: str

    def describe(self, req: Request) -> tuple[str, tuple[str, ...]]: ...

    def handle(self, req: Request) -> Reply: ...

    def server_error(self, status: int) -> Reply: ...

    def throttled(self) -> Reply: ...

    def html_page(self) -> Reply: ...


@dataclass(frozen=True)
class _Base:
    source: str
    scheme: str
    netloc: str
    path: str
    url: str

    @classmethod
    def parse(cls, source: str, url: str) -> _Base:
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        return cls(source, parts.scheme.lower(), parts.netloc.lower(), path, url.rstrip("/"))

    def rest_of(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme.lower() != self.scheme or parts.netloc.lower() != self.netloc:
            return None
        if parts.path.rstrip("/") == self.path:
            return ""
        if parts.path.startswith(self.path + "/"):
            return unquote(parts.path[len(self.path) + 1 :])
        return None


class FakeServices:
    """Offline twins of arXiv, Semantic Scholar and GitHub, driven by a :class:`Corpus`.

    Args:
        corpus: what the services know.
        time_scale: speeds every rate rule up by this factor (3 s between arXiv
            requests becomes ``3 / time_scale``; GitHub's hour too).
        enforce_rate_limits: answer rule-breaking requests with the service's
            throttling signal.  Violations are logged either way.
        faults: injected misbehaviour; None for none.
        seed: fixes every "random" choice (id_list order, wrapped abstracts,
            upper-cased DOIs, which title misses answer ``{"data": []}``).
        clock: an ``enrich._clock.Clock``; its ``sleep`` delays slow answers in
            transport mode.  The system clock by default.
        arxiv_url, s2_url, github_url: base URLs the transport answers for.
        tokens: GitHub tokens accepted; None accepts any non-empty token.
        hf_url: the Hugging Face Hub's base URL (issue #13).

    Example:
        >>> fake = FakeServices(Corpus())
        >>> with httpx.Client(transport=fake.transport()) as client:
        ...     client.get("https://api.github.com/repos/a/b").status_code
        404
    """

    def __init__(
        self,
        corpus: Corpus,
        *,
        time_scale: float = 1.0,
        enforce_rate_limits: bool = True,
        faults: FaultConfig | None = None,
        seed: int = 0,
        clock: Clock | None = None,
        arxiv_url: str = DEFAULT_ARXIV_URL,
        s2_url: str = DEFAULT_S2_URL,
        github_url: str = DEFAULT_GITHUB_URL,
        tokens: Collection[str] | None = None,
        hf_url: str = DEFAULT_HF_URL,
    ) -> None:
        if time_scale <= 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale}")
        self.corpus = corpus
        self.time_scale = time_scale
        self.enforce_rate_limits = enforce_rate_limits
        self.seed = seed
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.faults = FaultPlan(faults)
        self.log: RequestLog = RequestLog()
        self.services: dict[str, _Service] = {
            "arxiv": ArxivService(corpus, seed=seed, clock=self.clock),
            "s2": S2Service(corpus, seed=seed, clock=self.clock),
            "github": GitHubService(
                corpus,
                seed=seed,
                clock=self.clock,
                time_scale=time_scale,
                tokens=tokens,
                enforce=enforce_rate_limits,
            ),
            "hf": HFService(
                corpus,
                seed=seed,
                clock=self.clock,
                time_scale=time_scale,
                enforce=enforce_rate_limits,
            ),
        }
        self.bases = [
            _Base.parse("arxiv", arxiv_url),
            _Base.parse("s2", s2_url),
            _Base.parse("github", github_url),
            _Base.parse("hf", hf_url),
        ]
        self._lock = threading.Lock()
        self._count = dict.fromkeys(self.services, 0)
        self._inflight = dict.fromkeys(self.services, 0)
        self._last: dict[str, float | None] = dict.fromkeys(self.services)

    # -- public API ------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """A sync httpx transport answering for the four base URLs."""
        return _FakeTransport(self)

    def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        """Dispatch one request; the same path the transport and the server take.

        Raises:
            ConnectionFault: an injected ``reset`` or ``timeout``.
            LookupError: ``url`` is under none of the base URLs.
        """
        reply = self.dispatch(method, url, headers, body, bases=self.bases)
        if reply is None:
            raise LookupError(f"no fake service answers {url}")
        if reply.action is not None:
            raise ConnectionFault(reply.action)
        return reply.status, reply.headers, reply.body

    def log_for(self, source: str) -> list[RequestLogEntry]:
        """Entries of one source (``"arxiv"``, ``"s2"`` or ``"github"``), in arrival order."""
        return [entry for entry in self.log.snapshot() if entry.source == source]

    def reset_log(self) -> None:
        """Forget every logged request (rate and budget state is kept)."""
        self.log.clear()

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> FakeServer:
        """Start a local HTTP server (in a daemon thread); use it as a context manager.

        >>> with FakeServices(Corpus()).serve() as server:  # doctest: +SKIP
        ...     server.env()["ENRICH_S2_URL"]
        'http://127.0.0.1:54321/s2/graph/v1'
        """
        server = FakeServer(self, host, port)
        server.start()
        return server

    # -- dispatch --------------------------------------------------------------

    def dispatch(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        bases: list[_Base],
        client: str = "127.0.0.1",
        sleep: Callable[[float], object] | None = None,
        stall: Callable[[float], object] | None = None,
    ) -> Reply | None:
        """Route, rate-check, inject faults, answer and log; None when unrouted."""
        for base in bases:
            rest = base.rest_of(url)
            if rest is not None:
                break
        else:
            return None
        req = Request(
            method=method.upper(),
            rest=rest,
            query=parse_qs(urlsplit(url).query, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            base_url=base.url,
            client=client,
        )
        source = base.source
        service = self.services[source]
        endpoint, ids = service.describe(req)
        arrived = self.clock.monotonic()
        with self._lock:
            k = self._count[source]
            self._count[source] += 1
            self._inflight[source] += 1
            inflight = self._inflight[source]
            violating = False
            if source in MIN_INTERVAL:
                last, self._last[source] = self._last[source], arrived
                interval = MIN_INTERVAL[source] / self.time_scale
                violating = last is not None and arrived - last < interval * (1 - TOLERANCE)
                # arXiv: "limit requests to a single connection at a time" (ToU).
                violating = violating or (source == "arxiv" and inflight > 1)
        try:
            if isinstance(service, GitHubService):
                throttle = service.rate_check(req, inflight)
            elif isinstance(service, HFService):
                throttle = service.rate_check(req)
            else:
                throttle = service.throttled() if violating else None
            reply = self._answer(source, k, service, req, throttle)
            if reply.status != 304:
                reply.headers["Content-Length"] = str(len(reply.body))
            if reply.delay > 0:
                (sleep or self._sleep)(reply.delay)
            if reply.action == "timeout" and stall is not None:
                stall(self.faults.config.stall_seconds)
        finally:
            with self._lock:
                self._inflight[source] -= 1
        self.log.append(
            RequestLogEntry(
                time=arrived,
                source=source,
                method=req.method,
                endpoint=endpoint,
                ids=ids,
                status=0 if reply.action else reply.status,
                fault=reply.fault,
                rate_violation=reply.rate_violation,
                authenticated=_authenticated(source, req),
            )
        )
        return reply

    def _answer(
        self, source: str, k: int, service: _Service, req: Request, throttle: Reply | None
    ) -> Reply:
        if throttle is not None and self.enforce_rate_limits:
            throttle.rate_violation = True
            return throttle
        kind = self.faults.draw(source, k)
        if kind is not None and not needs_real_answer(kind):
            reply = self.faults.reply(kind, service, None)
        else:
            reply = service.handle(req)
            if kind is not None:
                reply = self.faults.reply(kind, service, reply)
        reply.rate_violation = throttle is not None
        return reply

    def _sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)


def _authenticated(source: str, req: Request) -> bool:
    if source == "s2":
        return bool(req.headers.get("x-api-key", "").strip())
    if source in ("github", "hf"):
        return bool(req.headers.get("authorization", "").strip())
    return False


class _FakeTransport(httpx.BaseTransport):
    def __init__(self, fake: FakeServices) -> None:
        self.fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        headers = dict(request.headers.items())
        reply = self.fake.dispatch(
            request.method, str(request.url), headers, body, bases=self.fake.bases
        )
        if reply is None:
            raise httpx.ConnectError(f"no fake service answers {request.url}", request=request)
        if reply.action == "reset":
            raise httpx.ReadError("connection reset by peer (injected fault)", request=request)
        if reply.action == "timeout":
            raise httpx.ReadTimeout("timed out (injected fault)", request=request)
        if reply.trickle > 0:
            # In process there are no headers on a wire: both faults trickle the body.
            return httpx.Response(
                reply.status,
                headers=list(reply.headers.items()),
                stream=_Trickle(reply.body, reply.trickle, self.fake.clock.sleep),
                request=request,
            )
        return httpx.Response(
            reply.status,
            headers=list(reply.headers.items()),
            content=reply.body,
            request=request,
        )


class _Trickle(httpx.SyncByteStream):
    """A body handed over one byte at a time, ``pause`` seconds apart."""

    def __init__(self, body: bytes, pause: float, sleep: Callable[[float], object]) -> None:
        self.body = body
        self.pause = pause
        self.sleep = sleep

    def __iter__(self) -> Iterator[bytes]:
        for i in range(len(self.body)):
            if i:
                self.sleep(self.pause)
            yield self.body[i : i + 1]


class FakeServer:
    """A running standalone server; ``url`` is its root, :meth:`env` its ``ENRICH_*`` URLs."""

    def __init__(self, fake: FakeServices, host: str, port: int) -> None:
        self.fake = fake
        self._stop = threading.Event()
        self._busy = 0
        self._idle = threading.Condition()
        handler = _make_handler(self)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        bound_host, bound_port = self.httpd.server_address[:2]
        self.host = str(bound_host)
        self.port = int(bound_port)
        self.url = f"http://{self.host}:{self.port}"
        self.bases = [_Base.parse(s, self.url + p) for s, p in SERVER_PATHS.items()]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="enrich-fake", daemon=True
        )

    def env(self) -> dict[str, str]:
        """``ENRICH_ARXIV_URL``, ``ENRICH_S2_URL``, ``ENRICH_GITHUB_URL`` and ``ENRICH_HF_URL`` here."""
        return {f"ENRICH_{s.upper()}_URL": self.url + p for s, p in SERVER_PATHS.items()}

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop serving, wake stalled connections, let answers in progress finish, release the port."""
        self._stop.set()
        self.httpd.shutdown()
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout=5)
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def _begin(self) -> None:
        with self._idle:
            self._busy += 1

    def _end(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "enrich-fake"

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server._begin()
            try:
                reply = server.fake.dispatch(
                    self.command,
                    server.url + self.path,
                    dict(self.headers.items()),
                    body,
                    bases=server.bases,
                    client=str(self.client_address[0]),
                    sleep=server._stop.wait,
                    stall=server._stop.wait,
                )
            finally:
                server._end()
            if reply is None:
                reply = Reply(
                    404, {"Content-Type": "text/plain", "Content-Length": "10"}, b"Not Found\n"
                )
            if reply.action is not None:
                if reply.action == "reset":
                    # Linger 0 makes close() send RST: the client sees a reset.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                self.close_connection = True
                return
            if reply.trickle > 0:
                self._trickle(reply)
                return
            self.send_response_only(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD" and reply.body:
                self.wfile.write(reply.body)

        def _trickle(self, reply: Reply) -> None:
            head = f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'OK')}\r\n"
            head += "".join(f"{name}: {value}\r\n" for name, value in reply.headers.items())
            head_bytes = (head + "\r\n").encode("latin-1")
            body = reply.body if self.command != "HEAD" else b""
            pieces: list[bytes]
            if reply.fault == "slow_headers":
                pieces = [head_bytes[i : i + 1] for i in range(len(head_bytes))] + [body]
            else:
                pieces = [head_bytes] + [body[i : i + 1] for i in range(len(body))]
            self.close_connection = True
            try:
                for n, piece in enumerate(pieces):
                    if n and server._stop.wait(reply.trickle):
                        return
                    self.wfile.write(piece)
                    self.wfile.flush()
            except OSError:  # the client gave up: exactly what the fault is for
                return

        do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = _dispatch  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            return  # stdout belongs to the CLI's three lines

    return Handler
