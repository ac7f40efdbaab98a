"""What each source cost a client: requests, cache hits, retries, bytes and waits."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["SourceStats", "WaitKind"]

#: The kinds of wait a run spends: keeping the interval, backing off after an
#: error, and waits the service asked for (``Retry-After``, a rate-limit reset).
WaitKind = Literal["pacing", "backoff", "server"]


@dataclass
class SourceStats:
    """What one source cost.

    Attributes:
        requests: HTTP requests sent (each attempt counts).
        cache_hits: answers served from the cache without a request.
        retries: retried attempts by reason ("429", "503", "timeout", "reset",
            "truncated", "html", "corrupt" (undecodable compression), "403" for
            GitHub throttling).
        bytes_received: body bytes on the wire.
        pacing_seconds: time slept keeping the source's interval (the rate limit).
        backoff_seconds: time slept backing off after errors.
        server_wait_seconds: time slept because the service asked
            (``Retry-After``, GitHub's rate-limit reset).
        errors: requests that ended in an error.
        not_modified: GitHub 304 answers (a revalidated cache entry).
        skipped: requests not sent because the source's breaker was open.
    """

    requests: int = 0
    cache_hits: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    bytes_received: int = 0
    pacing_seconds: float = 0.0
    backoff_seconds: float = 0.0
    server_wait_seconds: float = 0.0
    errors: int = 0
    not_modified: int = 0
    skipped: int = 0

    @property
    def wait_seconds(self) -> float:
        """All time slept for this source: pacing, backoff and server-asked waits."""
        return self.pacing_seconds + self.backoff_seconds + self.server_wait_seconds

    def copy(self) -> SourceStats:
        return dataclasses.replace(self, retries=Counter(self.retries))
