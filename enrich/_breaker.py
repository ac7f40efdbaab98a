"""A breaker per source: stop asking a service that keeps refusing, for the rest of the run.

arXiv throttles whole IPs for hours ("Rate exceeded." at any pace) and the
unauthenticated Semantic Scholar pool can refuse every request; asking each of
thousands of papers six times would turn a run into hours of 429s.  So the
client counts, per source, an unbroken run of refused attempts (throttling,
retryable 5xx, timeouts, resets; any usable answer ends the run) and opens the
breaker when

* the run reaches ``failures`` refusals, or
* the run has cost ``seconds`` (time in refused attempts plus the backoff
  between them, counting the wait the next retry would need) with at least
  two refusals, or
* the service asks for a wait (``Retry-After``, a rate-limit reset) that does
  not fit in the retry budget, or
* the host cannot be reached at all (DNS failure, connection refused, no
  route) after one retry: ``why == "unreachable"``.

An open breaker makes :meth:`enrich.Client.send` raise
:class:`~enrich.SourceUnavailableError` at once, without a request; the rows
that needed the source get the per-source status ``skipped`` with the one-line
reason built here.  Answers received before it opened stay cached, so the next
run resumes.  Small enough to write by hand: the retry library (tenacity)
retries one call, and the state here spans every call of a run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from enrich._exceptions import SourceUnavailableError

__all__ = ["Breaker", "BreakerState"]

#: What each source's operators suggest when they throttle us.
_ADVICE: Final = {
    "arxiv": "arXiv throttles by IP; try again later",
    "s2": "try again later, or set S2_API_KEY for a dedicated rate",
    "github": "try again later, or set GITHUB_TOKEN for 5,000 requests an hour",
    "hf": "try again later, or set HF_TOKEN for a larger window",
}


@dataclass(frozen=True, slots=True)
class BreakerState:
    """A snapshot of one source's breaker (for summaries and tests)."""

    source: str
    open: bool
    why: str | None
    reason: str | None
    refusals: int


class Breaker:
    """Counts one source's consecutive refusals and opens when they persist.

    Thread-safe.  Times are the client's monotonic clock.

    Args:
        source: the source key.
        url: the source's base URL (its host names the service in messages).
        failures: refusals in a row that open the breaker.
        seconds: how long an unbroken run of refusals may last.
        advice: what to suggest in the message (defaults per source).

    >>> breaker = Breaker("arxiv", "https://export.arxiv.org/api/query", failures=3, seconds=30)
    >>> breaker.refused("429", "Rate exceeded.", spent=20.0)  # a 20 s stall, then 429
    >>> breaker.should_open(next_wait=3.0)  # one refusal never opens it on time alone
    False
    >>> breaker.refused("429", "Rate exceeded.", spent=0.5)
    >>> breaker.should_open(next_wait=3.0), breaker.should_open(next_wait=10.0)
    (False, True)
    """

    def __init__(
        self,
        source: str,
        url: str,
        *,
        failures: int,
        seconds: float,
        advice: str | None = None,
    ) -> None:
        self.source = source
        self.host = urlsplit(url).hostname or url
        self.failures = max(1, failures)
        self.seconds = max(0.0, seconds)
        self.advice = advice or _ADVICE.get(source, "try again later")
        self._lock = threading.Lock()
        self._refusals = 0
        self._unreachable = 0
        self._spent = 0.0
        self._last_reason = ""
        self._tripped: SourceUnavailableError | None = None

    # -- reading ------------------------------------------------------------

    def check(self) -> None:
        """Raise the open breaker's :class:`SourceUnavailableError`; nothing when closed."""
        tripped = self._tripped
        if tripped is not None:
            raise SourceUnavailableError(tripped.message, source=self.source, why=tripped.why)

    @property
    def is_open(self) -> bool:
        return self._tripped is not None

    def state(self) -> BreakerState:
        with self._lock:
            tripped = self._tripped
            return BreakerState(
                self.source,
                tripped is not None,
                tripped.why if tripped else None,
                tripped.message if tripped else None,
                self._refusals,
            )

    # -- recording ----------------------------------------------------------

    def succeeded(self) -> None:
        """A usable answer: the run of refusals is over."""
        with self._lock:
            self._refusals = 0
            self._unreachable = 0
            self._spent = 0.0

    def refused(self, reason: str, said: str, *, spent: float, unreachable: bool = False) -> None:
        """One more refused attempt (``reason`` as in the retry counters).

        ``spent`` is how long the attempt took (a stall before a 429 counts);
        ``unreachable`` marks an attempt that found no host to talk to (DNS,
        connection refused, no route).
        """
        with self._lock:
            self._refusals += 1
            self._unreachable = self._unreachable + 1 if unreachable else 0
            self._spent += max(0.0, spent)
            self._last_reason = f"{reason} {said!r}" if said else reason

    def waited(self, seconds: float) -> None:
        """Time slept backing off inside the current run of refusals."""
        with self._lock:
            if self._refusals:
                self._spent += max(0.0, seconds)

    @property
    def unreachable_in_row(self) -> int:
        """Consecutive attempts that found no host to talk to."""
        return self._unreachable

    def should_open(self, *, next_wait: float, timed: bool = True) -> bool:
        """Whether the run of refusals has cost too much to wait ``next_wait`` more.

        ``timed=False`` leaves the time rule out: for waits the service itself
        prescribes (GitHub's secondary-limit minute), the retry budget decides.
        """
        with self._lock:
            if self._refusals >= self.failures:
                return True
            if not timed or self._refusals < 2:
                return False
            return self._spent + next_wait > self.seconds

    def trip_throttled(self, detail: str = "") -> SourceUnavailableError:
        """Open for the rest of the run because the service keeps refusing."""
        with self._lock:
            n = self._refusals
            what = detail or (
                f"refused {n} request{'s' * (n != 1)} in a row over {self._spent:.0f}s "
                f"(last: {self._last_reason})"
            )
            return self._trip(
                "throttled", f"{self.host} {what}; not asked again this run: {self.advice}"
            )

    def trip_unreachable(self, what: str) -> SourceUnavailableError:
        """Open for the rest of the run because the host cannot be reached."""
        with self._lock:
            message = (
                f"cannot reach {self.host}: {what}; offline? `--replay` answers from a cassette"
            )
            return self._trip("unreachable", message)

    def _trip(self, why: str, message: str) -> SourceUnavailableError:
        if self._tripped is None:
            self._tripped = SourceUnavailableError(message, source=self.source, why=why)
        return SourceUnavailableError(
            self._tripped.message, source=self.source, why=self._tripped.why
        )

    def __repr__(self) -> str:
        state = f"open ({self._tripped.why})" if self._tripped else "closed"
        return f"Breaker({self.source!r}, {state}, refusals={self._refusals})"
