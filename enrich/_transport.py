"""The network transport: httpx's own, plus a total deadline per attempt and a wire stamp.

Two things httpx does not do, and why they are hand-written here:

* **A deadline for the whole attempt.**  httpx's timeouts bound each socket
  operation, not the request: a server that sends one byte a second (headers or
  body) never trips a 30 s read timeout and holds a run forever.  httpx has no
  total timeout for synchronous clients (encode/httpx discussion #1450), so
  :class:`DeadlineBackend` wraps httpcore's network backend and gives every
  socket operation at most the time left until the calling thread's deadline
  (:func:`deadline`); past it the read raises ``httpcore.ReadTimeout``, which
  httpx maps to ``httpx.ReadTimeout`` as usual.
* **When a request really went out.**  The rate limiter must space the moments
  requests reach the service, not the moments they were allowed to start:
  under CPU load a thread can be granted its turn and reach the socket tens of
  milliseconds later.  :func:`wire_trace` builds the httpcore ``trace``
  extension that reports the moment the request headers were written.

:func:`send_failure` and :func:`read_body` are where httpx's exceptions become
:class:`~enrich._retry.Failure` values, once for the whole client.

Only :func:`network_transport` (a real ``httpx.HTTPTransport``) gets the
deadline backend; custom transports (the fake services in process, cassette
replay, ``MockTransport``) answer from memory and are bounded by the client's
own per-chunk check instead.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import httpcore
import httpx

from enrich._exceptions import ResponseError, TransportError
from enrich._retry import Failure

__all__ = [
    "DeadlineBackend",
    "answer_source",
    "deadline",
    "network_transport",
    "read_body",
    "send_failure",
    "time_left",
    "wire_trace",
    "with_deadline",
]

_LOCAL: Final = threading.local()
#: httpcore trace events that mean "the request line and headers are on the wire".
_WIRE_EVENTS: Final = (
    "http11.send_request_headers.complete",
    "http2.send_request_headers.complete",
)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Within the block, this thread's socket operations end ``seconds`` from now."""
    previous = getattr(_LOCAL, "until", None)
    _LOCAL.until = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        _LOCAL.until = previous


def time_left() -> float | None:
    """Seconds left before this thread's deadline (never negative), or None."""
    until: float | None = getattr(_LOCAL, "until", None)
    return None if until is None else max(0.0, until - time.monotonic())


def _bounded(timeout: float | None) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        return 0.0
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bounded = _bounded(timeout)
        if bounded == 0.0:
            raise httpcore.ReadTimeout("deadline passed")
        return self._inner.read(max_bytes, bounded)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        bounded = _bounded(timeout)
        if bounded == 0.0:
            raise httpcore.WriteTimeout("deadline passed")
        self._inner.write(buffer, bounded)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's backend with every socket operation bounded by the thread's :func:`deadline`."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host,
            port,
            _bounded(timeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _bounded(timeout), socket_options=socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def network_transport() -> httpx.HTTPTransport:
    """A new ``httpx.HTTPTransport`` whose socket operations honour :func:`deadline`."""
    return with_deadline(httpx.HTTPTransport())


def with_deadline(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    """Make ``transport``'s socket operations honour :func:`deadline`; returns it.

    The pool's backend is a private attribute of httpcore; should a future
    httpcore rename it, the transport still works with per-operation timeouts
    only (and ``tests/test_live_run.py`` fails to say so).
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, DeadlineBackend):
        pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
    return transport


def wire_trace(on_wire: Callable[[], None]) -> Callable[[str, dict[str, Any]], None]:
    """An httpcore ``trace`` callback that calls ``on_wire`` once the headers are sent."""

    def trace(event: str, info: dict[str, Any]) -> None:
        if event in _WIRE_EVENTS:
            on_wire()

    return trace


# -- foreign exceptions, mapped once ------------------------------------------


def send_failure(exc: httpx.HTTPError | httpx.InvalidURL) -> Failure:
    """The :class:`Failure` an httpx exception raised while sending a request stands for."""
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return Failure("url", TransportError, _describe(exc), cause=exc, retryable=False)
    if isinstance(exc, httpx.TimeoutException):
        return _timeout(exc)
    if isinstance(exc, httpx.ConnectError):
        what = _unreachable(exc)
        if what is not None:
            return Failure("unreachable", TransportError, what, cause=exc, unreachable=True)
        return Failure("reset", TransportError, _describe(exc), cause=exc)
    if isinstance(exc, httpx.TransportError):
        return Failure("reset", TransportError, _describe(exc), cause=exc)
    return Failure("other", ResponseError, _describe(exc), cause=exc, retryable=False)


def read_body(answer: httpx.Response, limit: int) -> tuple[bytes | Failure, int]:
    """``answer``'s decoded body, at most ``limit`` bytes, and the bytes received.

    Reading stops at the first chunk past ``limit`` (so a decompression bomb is
    never inflated whole) or past this thread's :func:`deadline`.
    """
    declared = _int_or_none(answer.headers.get("content-length"))
    too_large = Failure(
        "too-large",
        ResponseError,
        f"answer larger than max_response_bytes ({limit} bytes)",
        status=answer.status_code,
        retryable=False,
    )
    if declared is not None and declared > limit:
        return too_large, 0
    chunks: list[bytes] = []
    size = 0
    body: bytes | Failure
    try:
        for chunk in answer.iter_bytes():
            size += len(chunk)
            if size > limit:
                return too_large, answer.num_bytes_downloaded or size
            chunks.append(chunk)
            if time_left() == 0.0:  # a transport that trickles from memory
                return _deadline_passed(), answer.num_bytes_downloaded or size
    except httpx.TimeoutException as exc:
        body = _timeout(exc, "reading the body")
    except httpx.DecodingError as exc:
        body = Failure("corrupt", ResponseError, _describe(exc), answer.status_code, exc)
    except httpx.TransportError as exc:
        # The status line arrived, then the connection broke: a truncated body.
        body = Failure("truncated", ResponseError, _describe(exc), answer.status_code, exc)
    else:
        body = b"".join(chunks)
    # A body handed over whole (an in-memory transport) never counts as downloaded.
    received = answer.num_bytes_downloaded or size
    if (
        isinstance(body, bytes)
        and declared is not None
        and received < declared
        and answer.status_code != 304
    ):
        body = Failure(
            "truncated",
            ResponseError,
            f"body of {received} bytes, Content-Length said {declared}",
            answer.status_code,
        )
    return body, received


def _describe(exc: Exception) -> str:
    detail = str(exc).strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def _timeout(exc: httpx.TimeoutException, doing: str = "") -> Failure:
    """A timeout; ``deadline`` when the attempt's total deadline is what ran out."""
    if time_left() == 0.0:
        return _deadline_passed()
    where = f" {doing}" if doing else ""
    return Failure("timeout", TransportError, f"timed out{where} ({type(exc).__name__})", cause=exc)


def _deadline_passed() -> Failure:
    return Failure(
        "deadline",
        TransportError,
        "no complete answer within the deadline (a stalled or trickling server)",
    )


# errno values of a host that cannot be reached at all, as opposed to one that
# answered and then failed.
_UNREACHABLE_ERRNOS: Final = {
    errno.ECONNREFUSED: "connection refused",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "no route to host",
}


def _unreachable(exc: BaseException) -> str | None:
    """What makes ``exc`` (an ``httpx.ConnectError``) a host we cannot reach, or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "name not resolved"
        if isinstance(current, OSError) and current.errno in _UNREACHABLE_ERRNOS:
            return _UNREACHABLE_ERRNOS[current.errno]
        current = current.__cause__ or current.__context__
    text = str(exc).lower()
    if "name or service not known" in text or "nodename nor servname" in text:
        return "name not resolved"
    if "temporary failure in name resolution" in text:
        return "name not resolved"
    if "connection refused" in text:
        return "connection refused"
    return None


def answer_source(transport: httpx.BaseTransport | None) -> str:
    """Where answers sent through ``transport`` come from.

    ``"network"`` for the real network (no transport, or httpx's own
    :class:`~httpx.HTTPTransport`), else the transport's class name: answers
    from a fake or a replay are never cached or stored as a live run's.

    >>> answer_source(None), answer_source(httpx.MockTransport(lambda r: httpx.Response(200)))
    ('network', 'httpx.MockTransport')
    """
    if transport is None or isinstance(transport, httpx.HTTPTransport):
        return "network"
    return f"{type(transport).__module__}.{type(transport).__qualname__}"
