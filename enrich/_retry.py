"""Retry policy pieces: backoff, Retry-After, body checks, status meanings, GitHub's budget.

Pure functions, the :class:`Failure` value and the small :class:`GitHubBudgets`
tracker; :mod:`enrich._client` strings them together around the network call.
Also what keeps credentials out of messages: :func:`redact_url`, :func:`scrub`
and the :class:`ScrubSecrets` log filter.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import defusedxml.ElementTree as SafeET
import httpx
from defusedxml import DefusedXmlException

from enrich._exceptions import (
    AuthError,
    ClientError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    SourceError,
)
from enrich._wire import Expect

__all__ = [
    "GITHUB_SECONDARY_WAIT",
    "RETRY_SERVER_STATUSES",
    "SCRUBBED_LOGGERS",
    "Failure",
    "GitHubBudgets",
    "ScrubSecrets",
    "backoff_delay",
    "body_problem",
    "error_message",
    "github_resource",
    "parse_retry_after",
    "redact_url",
    "refusal",
    "scrub",
    "valid_unicode_json",
]

#: 5xx answers worth another try; 501/505 and friends will not change.
RETRY_SERVER_STATUSES: Final = frozenset({500, 502, 503, 504})
# GitHub, secondary limits without retry-after: "wait for at least one minute before
# retrying ... then increase the time between retries exponentially"
# (docs: rate-limits-for-the-rest-api, "Exceeding the rate limit").
GITHUB_SECONDARY_WAIT: Final = 60.0
# x-ratelimit-reset is in whole seconds: wait one more to be past it.
RESET_SLACK: Final = 1.0
# "You have exceeded a secondary rate limit" (current) and "You have triggered an
# abuse detection mechanism" (2018 recording, secondary_rate_limit_403_retry_after).
_SECONDARY_MARKERS: Final = ("secondary rate limit", "abuse detection")
# Query parameter names (split on "_", "-", ".") that mark a credential: api_key,
# access_token, client_secret, sig ...; "author" or "keywords" are left alone.
_SECRET_PARAM_WORDS: Final = frozenset(
    {"key", "apikey", "token", "secret", "password", "passwd", "sig", "signature", "auth"}
)


@dataclass(frozen=True, slots=True)
class Failure:
    """One attempt that did not give a usable answer.

    Attributes:
        reason: the retry counter key ("429", "503", "timeout", "reset", ...).
        kind: the error raised if this is the last word.
        message: what went wrong, without URL or credentials.
        status: HTTP status, or None when no answer arrived.
        cause: the foreign exception behind it, chained with ``from``.
        retryable: False ends the request at once.
        delay: a wait the service asked for (Retry-After, GitHub reset), used as is.
        floor: the least computed backoff (S2/arXiv 429: the source's interval).
        doubling_floor: the floor doubles on each repeat (GitHub secondary limit).
    """

    reason: str
    kind: type[SourceError]
    message: str
    status: int | None = None
    cause: BaseException | None = None
    retryable: bool = True
    delay: float | None = None
    floor: float = 0.0
    doubling_floor: bool = False


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    ceiling = min(cap, base * (2.0 ** max(0, attempt - 1)))
    return rng.uniform(0.0, ceiling) if ceiling > 0 else 0.0


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date.

    ``now`` is the wall clock (epoch seconds) the HTTP-date is measured from.

    >>> parse_retry_after("60", now=0.0)
    60.0
    >>> parse_retry_after("Thu, 01 Jan 1970 00:02:00 GMT", now=60.0)
    60.0
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, when.timestamp() - now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


def _looks_like_html(content: bytes, content_type: str) -> bool:
    if "html" in content_type.lower() and "xhtml" not in content_type.lower():
        return True
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return head.startswith((b"<!doctype html", b"<html"))


def body_problem(content: bytes, expect: Expect, content_type: str) -> Failure | None:
    """Why ``content`` is not a usable ``expect`` body, or None when it is.

    An HTML page (a proxy or captcha page served with status 200) gives reason
    "html"; a body that does not parse gives "truncated", by far its most common
    cause (a connection cut mid-body behind a proxy that had sent the headers).
    XML with a DTD or entities gives "refused", which is not retried.
    """
    if expect == "any":
        return None
    if _looks_like_html(content, content_type):
        return Failure("html", ResponseError, f"expected {expect.upper()}, got an HTML page")
    try:
        if expect == "json":
            json.loads(content)
        else:
            SafeET.fromstring(content, forbid_dtd=True)
    except DefusedXmlException as exc:
        # An entity bomb or an external entity is an attack or a broken proxy, not
        # a cut connection: asking again would only fetch it again.
        return Failure(
            "refused",
            ResponseError,
            f"refused XML with a DTD or entities ({type(exc).__name__})",
            cause=exc,
            retryable=False,
        )
    except Exception as exc:  # json, expat and defusedxml each raise their own
        return Failure(
            "truncated",
            ResponseError,
            f"body is not valid {expect.upper()}, truncated or corrupt ({type(exc).__name__})",
            cause=exc,
        )
    return None


# In valid JSON a backslash only starts an escape, so matching escapes left to right
# keeps their parity ("\\ud800" is text, not an escape): a whole UTF-16 pair, a
# lone half, or any other escape, in that order of preference.
_ESCAPE_RE: Final = re.compile(
    rb"(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})"
    rb"|\\.",
    re.DOTALL,
)
# The UTF-8 bytes of a surrogate (ED A0-BF xx), which json.loads lets through.
_RAW_SURROGATE_RE: Final = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
_REPLACEMENT: Final = "\ufffd".encode()


def _lone_half_replaced(match: re.Match[bytes]) -> bytes:
    return b"\\ufffd" if match.group(2) is not None else match.group(0)


def valid_unicode_json(content: bytes) -> bytes:
    r"""``content`` (valid JSON) with every lone surrogate in its strings made U+FFFD.

    JSON may escape half of a UTF-16 pair (``"\ud800"``); Python decodes it to
    a string that no UTF-8 writer (Polars, Parquet, the cache) accepts.  Works
    on the bytes, so any nesting depth is fine.

    >>> valid_unicode_json(b'{"title": "x\\ud800y", "ok": "\\ud83d\\ude00 \\\\ud800"}')
    b'{"title": "x\\ufffdy", "ok": "\\ud83d\\ude00 \\\\ud800"}'
    """
    if b"\\ud" in content or b"\\uD" in content:
        content = _ESCAPE_RE.sub(_lone_half_replaced, content)
    if b"\xed" in content:
        content = _RAW_SURROGATE_RE.sub(_REPLACEMENT, content)
    return content


def error_message(content: bytes, limit: int = 200) -> str:
    """The service's own error text from a JSON body (``message`` or ``error``), else ''."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(data, dict):
        for key in ("message", "error"):
            value = data.get(key)
            if isinstance(value, str):
                return " ".join(value.split())[:limit]
    return ""


def refusal(
    source: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    floor: float,
) -> Failure:
    """What a non-answer status means: throttled, failing, or refused for good.

    Args:
        source: the adapter name (GitHub's 403/429 have their own rules).
        status: the HTTP status, not 2xx and not an answer status.
        headers: response headers, names lower-cased.
        body: the response body (its ``message``/``error`` goes into the error).
        now: wall-clock seconds, for HTTP-date ``Retry-After`` and GitHub's reset.
        floor: the least backoff after a 429 (the source's minimum interval).

    >>> refusal("s2", 429, {}, b'{"code": "429"}', now=0.0, floor=1.0).floor
    1.0
    """
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    said = error_message(body)
    if source == "github" and status in (403, 429):
        return _github_refusal(status, headers, said, retry_after, now)
    if status == 429:
        # S2 answers 429 without Retry-After and arXiv answers "Rate exceeded."
        # in text/html (SCHEMA_NOTES): back off, never sooner than the interval.
        return Failure(
            "429", RateLimitError, _join("throttled", said), status, delay=retry_after, floor=floor
        )
    if status in RETRY_SERVER_STATUSES:
        return Failure(
            str(status), ServerError, _join("server error", said), status, delay=retry_after
        )
    kind: type[SourceError]
    if status in (401, 403):
        kind = AuthError
    elif status == 404:
        kind = NotFoundError
    elif 400 <= status < 500:
        kind = ClientError
    elif status >= 500:
        kind = ServerError
    else:
        kind = ResponseError
    return Failure(str(status), kind, _join(_status_phrase(status), said), status, retryable=False)


def _github_refusal(
    status: int, headers: Mapping[str, str], said: str, retry_after: float | None, now: float
) -> Failure:
    # GitHub docs (rate-limits-for-the-rest-api): obey retry-after; else if
    # x-ratelimit-remaining is 0 wait for x-ratelimit-reset; else (secondary)
    # wait at least a minute and back off exponentially.
    reason = str(status)
    if retry_after is not None:
        return Failure(
            reason, RateLimitError, _join("rate limited", said), status, delay=retry_after
        )
    if headers.get("x-ratelimit-remaining", "").strip() == "0":
        message = _join("primary rate limit exhausted", said)
        reset = _float_or_none(headers.get("x-ratelimit-reset"))
        if reset is None:  # 2013-era answers carry no reset
            return Failure(reason, RateLimitError, message, status, floor=GITHUB_SECONDARY_WAIT)
        wait = max(0.0, reset - now) + RESET_SLACK
        return Failure(reason, RateLimitError, message, status, delay=wait)
    if status == 429 or _is_secondary_limit_message(said):
        return Failure(
            reason,
            RateLimitError,
            _join("secondary rate limit", said),
            status,
            floor=GITHUB_SECONDARY_WAIT,
            doubling_floor=True,
        )
    # Permission denied, missing User-Agent, SSO enforcement: retrying cannot help.
    return Failure(reason, AuthError, _join("forbidden", said), status, retryable=False)


class GitHubBudgets:
    """The last ``x-ratelimit-remaining``/``-reset`` seen, per resource (core, search, graphql).

    Thread-safe.  Header names must be lower-cased (recorders vary the case,
    SCHEMA_NOTES GitHub §3).

    >>> budgets = GitHubBudgets()
    >>> budgets.note("https://api.github.com/repos/o/r",
    ...              {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "100"})
    >>> budgets.wait_before("https://api.github.com/repos/o/x", now=40.0)
    61.0
    >>> budgets.wait_before("https://api.github.com/graphql", now=40.0) is None
    True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[int, float | None]] = {}

    def note(self, url: str, headers: Mapping[str, str]) -> None:
        remaining = headers.get("x-ratelimit-remaining")
        try:
            left = int(remaining.strip()) if remaining is not None else None
        except ValueError:
            left = None
        if left is None:
            return
        resource = headers.get("x-ratelimit-resource") or github_resource(url)
        with self._lock:
            self._seen[resource] = (left, _float_or_none(headers.get("x-ratelimit-reset")))

    def wait_before(self, url: str, now: float) -> float | None:
        """Seconds to wait before a request to ``url`` may be sent; None if none."""
        with self._lock:
            seen = self._seen.get(github_resource(url))
        if seen is None or seen[0] != 0 or seen[1] is None or seen[1] <= now:
            return None
        return seen[1] - now + RESET_SLACK


def _join(first: str, second: str) -> str:
    return f"{first}: {second}" if second else first


def _status_phrase(status: int) -> str:
    try:
        return httpx.codes(status).name.lower().replace("_", " ")
    except ValueError:
        return "unexpected status"


def _float_or_none(value: str | None) -> float | None:
    try:
        return float(value.strip()) if value is not None else None
    except ValueError:
        return None


def _is_secondary_limit_message(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in _SECONDARY_MARKERS)


def github_resource(url: str) -> str:
    """The ``x-ratelimit-resource`` bucket a GitHub URL draws on."""
    path = urlsplit(url).path.rstrip("/")
    if path.endswith("/graphql"):
        return "graphql"
    if "/search/" in path + "/":
        return "search"
    return "core"


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    """``url`` without user info and secret-looking query parameters.

    >>> redact_url("https://u:p@example.org/x?q=1&api_key=abc")
    'https://example.org/x?q=1'
    """
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:  # unparseable: keep only what precedes the query
        return scrub(url.partition("?")[0].rpartition("@")[2], secrets)
    netloc = parts.netloc.rpartition("@")[2]
    query = [(k, v) for k, v in pairs if not _is_secret_param(k)]
    clean = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))
    return scrub(clean, secrets)


def _is_secret_param(name: str) -> bool:
    return not _SECRET_PARAM_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", name.lower()))


#: Loggers that print what a service sent: httpx logs each URL (after redirects) at
#: INFO, httpcore each response's headers at DEBUG; enrich's own for good measure.
SCRUBBED_LOGGERS: Final = (
    "enrich",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class ScrubSecrets(logging.Filter):
    """Replaces the client's credentials in every log record of :data:`SCRUBBED_LOGGERS`.

    A service may echo a credential in a header or redirect to a URL that holds
    it (seen with misconfigured proxies); ``enrich -vv`` must not print it.
    """

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
