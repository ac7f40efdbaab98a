"""Time as a dependency, so that rate limits and retries can be tested without sleeping.

The client reads two clocks: a monotonic one to space requests within the
process, and the wall clock for what is shared with the outside world (GitHub's
``x-ratelimit-reset``, HTTP-date ``Retry-After``, the cache's stored-at time and
the cross-process rate-limit state files).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock"]


class Clock(Protocol):
    """What the client needs from time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back; only differences matter."""
        ...

    def time(self) -> float:
        """Wall-clock time, seconds since the epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``."""
        ...


class SystemClock:
    """The real clocks of the :mod:`time` module."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock for tests: :meth:`sleep` returns at once and moves time forward.

    Both readings advance together.  Every call of :meth:`sleep` is recorded in
    :attr:`sleeps`, in call order.  Safe to share between threads: each sleep
    advances the one shared time by its own amount.

    Args:
        start: the initial wall-clock reading (epoch seconds).

    >>> clock = FakeClock(start=1_000.0)
    >>> clock.sleep(3)
    >>> clock.time(), clock.sleeps
    (1003.0, [3.0])
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._lock = threading.Lock()
        self._wall = float(start)
        self._mono = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def time(self) -> float:
        with self._lock:
            return self._wall

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(float(seconds))
            if seconds > 0:
                self._mono += seconds
                self._wall += seconds

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep (time passing elsewhere)."""
        with self._lock:
            self._mono += seconds
            self._wall += seconds

    @property
    def total_slept(self) -> float:
        """The sum of all recorded sleeps."""
        with self._lock:
            return sum(s for s in self.sleeps if s > 0)

    def __repr__(self) -> str:
        return f"FakeClock(time={self._wall!r}, sleeps={len(self.sleeps)})"
