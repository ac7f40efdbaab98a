"""The request log: one :class:`RequestLogEntry` per request the fakes received."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["RequestLog", "RequestLogEntry"]


@dataclass(frozen=True, slots=True)
class RequestLogEntry:
    """What one request asked and how the fake answered it.

    Attributes:
        time: the fake's clock (``monotonic``) when the request arrived.
        source: ``"arxiv"``, ``"s2"`` or ``"github"``.
        method: HTTP method.
        endpoint: ``"query"``, ``"paper/batch"``, ``"paper/search/match"``,
            ``"paper/search"``, ``"paper/{id}"``, ``"repos"``, ``"repositories"``,
            ``"graphql"``, ``"rate_limit"`` or ``"unknown"``.
        ids: the ids or titles asked (arXiv ids, S2 ids, ``owner/name``, ...).
        status: HTTP status sent; 0 when the connection was reset or stalled.
        fault: the injected fault kind, or None.
        rate_violation: the request broke the service's rate rule (logged even
            when rate limits are not enforced).
        authenticated: a token or API key came with the request.
    """

    time: float
    source: str
    method: str
    endpoint: str
    ids: tuple[str, ...]
    status: int
    fault: str | None
    rate_violation: bool
    authenticated: bool


class RequestLog(list[RequestLogEntry]):
    """A list of entries whose appends and clears are serialised by a lock."""

    def __init__(self, entries: Iterable[RequestLogEntry] = ()) -> None:
        super().__init__(entries)
        self._lock = threading.Lock()

    def append(self, entry: RequestLogEntry) -> None:
        with self._lock:
            super().append(entry)

    def clear(self) -> None:
        with self._lock:
            super().clear()

    def snapshot(self) -> list[RequestLogEntry]:
        """A copy, safe to iterate while requests are still arriving."""
        with self._lock:
            return list(self)
