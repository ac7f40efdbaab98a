"""Requests and responses as plain values: what adapters build and parse.

Adapters never import httpx.  They describe a request with :class:`Request`
(which can be inspected, printed and cached on without being sent) and hand it
to :meth:`enrich.Client.send`, which returns a :class:`Response`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

__all__ = ["Expect", "Request", "Response"]

#: What a successful body must parse as; anything else is treated as a corrupt
#: answer (truncated body, HTML error page served with status 200) and retried.
Expect = Literal["json", "xml", "any"]


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request, as data.

    Attributes:
        source: adapter name; selects rate bucket, cache namespace and credentials.
        method: ``"GET"`` or ``"POST"``.
        url: absolute URL without query string.
        params: query parameters, in order.
        body: JSON-serialisable POST body, or None.
        expect: what a 2xx body must parse as.
        answer_statuses: non-2xx statuses that are answers to hand back to the
            adapter rather than errors (S2's 404 "Title match not found", arXiv's
            400 Error feed, GitHub's 404 for a deleted repository).
        not_found_statuses: statuses whose answer is a definitive "not found",
            cached with the shorter not-found TTL.
    """

    source: str
    method: Literal["GET", "POST"]
    url: str
    params: tuple[tuple[str, str], ...] = ()
    body: Any = None
    expect: Expect = "json"
    answer_statuses: frozenset[int] = frozenset()
    not_found_statuses: frozenset[int] = frozenset({404})

    @property
    def full_url(self) -> str:
        """The URL with its query string, as it would be sent."""
        if not self.params:
            return self.url
        return f"{self.url}?{urlencode(self.params)}"

    def body_bytes(self) -> bytes | None:
        """The POST body as canonical JSON bytes (sorted keys, no spaces)."""
        if self.body is None:
            return None
        return json.dumps(self.body, sort_keys=True, separators=(",", ":")).encode()

    def cache_key(self) -> str:
        """A stable key: source, method, URL, query and body.  Never credentials."""
        digest = hashlib.sha256()
        for part in (self.source, self.method, self.full_url):
            digest.update(part.encode())
            digest.update(b"\0")
        digest.update(self.body_bytes() or b"")
        return f"{self.source}:{digest.hexdigest()}"


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer the client accepted (2xx or one of ``answer_statuses``)."""

    request: Request
    status: int
    content: bytes
    #: header names lower-cased
    headers: Mapping[str, str] = field(default_factory=dict)
    #: final URL after redirects (differs from the request's when a repo moved)
    url: str = ""
    from_cache: bool = False

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")
