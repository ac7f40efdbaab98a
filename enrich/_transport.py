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

Only :func:`network_transport` (a real ``httpx.HTTPTransport``) gets the
deadline backend; custom transports (the fake services in process, cassette
replay, ``MockTransport``) answer from memory and are bounded by the client's
own per-chunk check instead.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import httpcore
import httpx

__all__ = [
    "DeadlineBackend",
    "deadline",
    "network_transport",
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
    only (and ``tests/test_client_deadline.py`` fails to say so).
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
