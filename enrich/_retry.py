"""The retry policy: what each answer means, how long to wait, when to stop; on tenacity.

:func:`refusal` classifies a non-answer status into a :class:`Failure`
(throttled, failing, or refused for good, with each service's own signals);
:class:`RetryPolicy` turns one request's attempts into a ``tenacity.Retrying``:

* ``retry``: a :class:`Failure` marked retryable (429, 5xx, timeouts, resets,
  truncated or HTML bodies);
* ``wait``: the wait the service asked for (``Retry-After``, GitHub's reset)
  first, else exponential backoff with full jitter, never below the source's
  interval (a timed-out request may still be running on the service's side);
* ``stop``: the attempts, the retry budget, and the source's
  :class:`~enrich._breaker.Breaker` (a host that cannot be reached is retried
  once; a wait that does not fit the budget opens the breaker at once);
* ``sleep``: the client's cancellable clock, so Ctrl-C ends any wait at once.

:class:`GitHubBudgets` remembers GitHub's ``x-ratelimit-*`` budgets.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
import tenacity

from enrich._breaker import Breaker
from enrich._clock import Clock
from enrich._exceptions import (
    AuthError,
    ClientError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    SourceError,
)
from enrich._stats import WaitKind

__all__ = [
    "GITHUB_SECONDARY_WAIT",
    "RETRY_SERVER_STATUSES",
    "Failure",
    "GitHubBudgets",
    "Limits",
    "RetryPolicy",
    "backoff_delay",
    "error_message",
    "github_resource",
    "parse_retry_after",
    "refusal",
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
        unreachable: no connection could be made at all (DNS, refused, no
            route): retried once, then the source is unreachable for the run.
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
    unreachable: bool = False


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


@dataclass(frozen=True, slots=True)
class Limits:
    """The numbers :class:`RetryPolicy` stops on (from :class:`~enrich.Settings`)."""

    max_attempts: int
    retry_budget: float
    backoff_base: float
    backoff_max: float
    #: attempts at a host that cannot be reached before it counts as unreachable
    unreachable_attempts: int
    #: the source's spacing (interval plus pacing margin): the least backoff after a failure
    min_interval: float


class RetryPolicy:
    """One request's retries, as a ``tenacity.Retrying`` (see the module docstring).

    Args:
        limits: attempts, budget and backoff.
        clock: the client's cancellable clock (monotonic time, sleeping).
        rng: jitter source.
        breaker: the source's breaker, or None (a replay never trips one).
        pace: False skips every wait (a replay: recorded 429s cost no time).
        on_wait: called as ``on_wait(kind, seconds)`` before each sleep.
        on_retry: called as ``on_retry(failure, next_attempt, delay)`` before each sleep.
        make_error: builds the error raised when the request is given up.

    The attempt function passed to :meth:`call` returns an answer or a
    :class:`Failure`; exceptions it raises are never retried.
    """

    def __init__(
        self,
        limits: Limits,
        *,
        clock: Clock,
        rng: random.Random,
        breaker: Breaker | None,
        pace: bool,
        on_wait: Callable[[WaitKind, float], None],
        on_retry: Callable[[Failure, int, float], None],
        make_error: Callable[[Failure, str, float | None], SourceError],
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._rng = rng
        self._breaker = breaker
        self._pace = pace
        self._on_wait = on_wait
        self._on_retry = on_retry
        self._make_error = make_error
        self._started = clock.monotonic()
        self._doubling = 0
        self._planned: dict[int, float] = {}
        self._verdict: SourceError | None = None

    def call(self, attempt: Callable[[], Any]) -> Any:
        """Run ``attempt`` until it gives an answer, a final failure, or the policy stops.

        Returns what ``attempt`` returned last (a non-retryable :class:`Failure`
        included).  Raises the error of a request given up (a
        :class:`~enrich.SourceUnavailableError` when the breaker opened).
        """
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_result(_retryable),
            stop=self._stop,
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            retry_error_callback=self._give_up,
        )
        return retrying(attempt)

    # -- tenacity hooks -----------------------------------------------------

    def _delay(self, state: tenacity.RetryCallState) -> float:
        # tenacity 9 asks `wait` before `stop`, 8.x the other way round: plan once.
        number = state.attempt_number
        if number not in self._planned:
            failure = _failure_of(state)
            if failure.delay is not None:
                delay = failure.delay
            else:
                floor = max(failure.floor, self.limits.min_interval)
                if failure.doubling_floor:
                    floor *= 2.0**self._doubling
                    self._doubling += 1
                jitter = backoff_delay(
                    number, self.limits.backoff_base, self.limits.backoff_max, self._rng
                )
                delay = max(floor, jitter)
            self._planned[number] = delay
        return self._planned[number]

    def _wait(self, state: tenacity.RetryCallState) -> float:
        return self._delay(state) if self._pace else 0.0

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        failure = _failure_of(state)
        delay = self._delay(state)
        attempt = state.attempt_number
        now = self._clock.monotonic()
        elapsed = now - self._started
        breaker = self._breaker
        if (
            failure.unreachable
            and breaker is not None
            and breaker.unreachable_in_row >= self.limits.unreachable_attempts
        ):
            self._verdict = breaker.trip_unreachable(failure.message)
            return True
        # Before the attempts: a request that ends the source's run of refusals
        # reports the source as unavailable (its rows skipped), not as failed.
        # Waits the service prescribes (Retry-After, GitHub's secondary-limit
        # minute) are bounded by the retry budget below, not by the time rule.
        prescribed = failure.delay is not None or failure.doubling_floor
        if breaker is not None and breaker.should_open(
            next_wait=delay if self._pace else 0.0, timed=not prescribed
        ):
            self._verdict = breaker.trip_throttled()
            return True
        if attempt >= self.limits.max_attempts:
            note = f"gave up after {attempt} attempt{'s' * (attempt > 1)} in {elapsed:.0f}s"
            self._verdict = self._make_error(failure, note, None)
            return True
        if self._pace and elapsed + delay > self.limits.retry_budget:
            if breaker is not None and failure.delay is not None:
                # The service itself says it will refuse us for longer than we can wait.
                self._verdict = breaker.trip_throttled(
                    f"asked for a wait of {delay:.0f}s, longer than the retry budget "
                    f"of {self.limits.retry_budget:g}s ({failure.message})",
                )
                return True
            note = (
                f"waiting {delay:.0f}s more would exceed the retry budget "
                f"of {self.limits.retry_budget:g}s"
            )
            self._verdict = self._make_error(failure, note, delay)
            return True
        return False

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._clock.sleep(seconds)

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        failure = _failure_of(state)
        delay = self._delay(state)
        self._on_retry(failure, state.attempt_number + 1, delay)
        if self._pace and delay > 0:
            self._on_wait("server" if failure.delay is not None else "backoff", delay)
            if self._breaker is not None and failure.delay is None:
                self._breaker.waited(delay)

    def _give_up(self, state: tenacity.RetryCallState) -> Any:
        verdict = self._verdict or self._make_error(_failure_of(state), "", None)
        failure = _failure_of(state)
        raise verdict from failure.cause


def _retryable(outcome: object) -> bool:
    return isinstance(outcome, Failure) and outcome.retryable


def _failure_of(state: tenacity.RetryCallState) -> Failure:
    outcome = state.outcome
    result = outcome.result() if outcome is not None else None
    if not isinstance(
        result, Failure
    ):  # pragma: no cover - tenacity only asks after a retryable Failure
        raise TypeError(f"expected a Failure, got {type(result).__name__}")
    return result
