"""The one exception tree of enrich.

Every error enrich raises on purpose derives from :class:`EnrichError`; foreign
exceptions (httpx, diskcache, XML, JSON) are mapped into this tree at a single
boundary (the :class:`~enrich.Client` for network errors, the readers for input
errors) and chained with ``raise ... from``.

::

    EnrichError
    ├── ConfigError                 bad settings, unknown source name, bad flag
    ├── InputError                  a paper list that cannot be read (file, line)
    ├── CacheError                  the on-disk cache cannot be opened or used
    ├── ReplayError                 a replayed run asked for a request the cassette lacks
    ├── Cancelled                   the run was interrupted (Ctrl-C); nothing was written
    └── SourceError                 a service did not give a usable answer (source, url, status)
        ├── TransportError          connection reset, DNS, timeout: no HTTP answer at all
        ├── ResponseError           an answer we cannot use: truncated, wrong type, too large
        ├── RateLimitError          throttled, and the retry budget ran out (retry_after)
        ├── SourceUnavailableError  the source's breaker is open: not asked again this run
        ├── ServerError             5xx that outlasted the retry budget
        └── ClientError             a 4xx that must not be retried
            ├── AuthError           401, or a 403 that is a real permission error
            └── NotFoundError       404 where the caller did not expect one

Error messages and ``repr`` never contain credentials: URLs are stored with any
secret-looking query parameter removed, and headers are never included.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "CacheError",
    "Cancelled",
    "ClientError",
    "ConfigError",
    "EnrichError",
    "InputError",
    "NotFoundError",
    "RateLimitError",
    "ReplayError",
    "ResponseError",
    "ServerError",
    "SourceError",
    "SourceUnavailableError",
    "TransportError",
]


class EnrichError(Exception):
    """Root of every error enrich raises deliberately."""


class ConfigError(EnrichError):
    """Invalid configuration: an unknown source, a malformed setting, a bad flag."""


class CacheError(EnrichError):
    """The on-disk cache could not be opened, read or written."""


class Cancelled(EnrichError):  # noqa: N818 - an interruption, not a failure
    """The run was interrupted (Ctrl-C); nothing half-formed was written."""


class ReplayError(EnrichError):
    """A replayed run needed an HTTP exchange that the cassette does not hold."""


class InputError(EnrichError):
    """A paper list (or one row of it) could not be read.

    ``str(err)`` is a single line of the form ``path:line: message`` (or
    ``path: message`` when no line applies), ready to print as is.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        if self.path is None:
            return ""
        if self.line is None:
            return f"{self.path}: "
        return f"{self.path}:{self.line}: "


class SourceError(EnrichError):
    """A service did not give a usable answer.

    Attributes:
        source: the adapter name (``"arxiv"``, ``"s2"``, ``"github"``).
        url: the request URL, with credentials removed.
        status: the HTTP status, or ``None`` when no HTTP answer arrived.
        retry_after: seconds the service asked us to wait, when it said so.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.url = url
        self.status = status
        self.retry_after = retry_after
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"[{self.source}]"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts.append(self.message)
        text = " ".join(parts)
        if self.url:
            text += f" ({self.url})"
        if self.retry_after is not None:
            text += f"; retry after {self.retry_after:g}s"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._render()!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Keep errors picklable across processes despite keyword-only init.
        return (
            _rebuild_source_error,
            (type(self), self.message, self.source, self.url, self.status, self.retry_after),
        )


def _rebuild_source_error(
    cls: type[SourceError],
    message: str,
    source: str,
    url: str | None,
    status: int | None,
    retry_after: float | None,
) -> SourceError:
    return cls(message, source=source, url=url, status=status, retry_after=retry_after)


class TransportError(SourceError):
    """No HTTP answer: connection refused or reset, DNS failure, timeout."""


class ResponseError(SourceError):
    """An HTTP answer that cannot be used: truncated, malformed, wrong type, too large."""


class RateLimitError(SourceError):
    """The service kept throttling us until the retry budget ran out."""


class SourceUnavailableError(SourceError):
    """The source is not asked again in this run: its breaker opened.

    Raised at once, without a request, for every call after the source kept
    refusing (``why == "throttled"``: 429s, 503s, a ``Retry-After`` longer than
    the retry budget) or could not be reached at all (``why == "unreachable"``:
    DNS failure, connection refused).  Rows that needed it get the per-source
    status ``skipped`` with :attr:`message` as the one-line reason; answers
    already received stay cached, so a later run resumes where this one stopped.
    """

    def __init__(self, message: str, *, source: str, why: str, url: str | None = None) -> None:
        self.why = why
        super().__init__(message, source=source, url=url)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_unavailable, (self.message, self.source, self.why, self.url))


def _rebuild_unavailable(
    message: str, source: str, why: str, url: str | None
) -> SourceUnavailableError:
    return SourceUnavailableError(message, source=source, why=why, url=url)


class ServerError(SourceError):
    """The service kept failing (5xx) until the retry budget ran out."""


class ClientError(SourceError):
    """A 4xx answer that retrying cannot fix."""


class AuthError(ClientError):
    """Bad or missing credentials (401), or a 403 that is a real permission error."""


class NotFoundError(ClientError):
    """A 404 where the caller did not expect one."""
