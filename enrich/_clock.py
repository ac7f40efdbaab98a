"""Time as a dependency, so that rate limits and retries can be tested without sleeping.

The client reads two clocks: a monotonic one to space requests within the
process, and the wall clock for what is shared with the outside world (GitHub's
``x-ratelimit-reset``, HTTP-date ``Retry-After``, the cache's stored-at time and
the cross-process rate-limit state files).

:class:`CancellableClock` wraps either clock so that every wait ends at once,
raising :class:`~enrich.Cancelled`, when the run's cancel event is set (Ctrl-C
must not wait out arXiv's interval or a minute of backoff).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from enrich._exceptions import Cancelled

__all__ = ["CancellableClock", "Clock", "FakeClock", "SystemClock"]


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


class CancellableClock:
    """Wraps a clock so that its sleeps stop, raising :class:`Cancelled`, once ``cancel`` is set.

    With the :class:`SystemClock` the sleep itself is a wait on the event, so it
    ends the moment the event is set; another clock (a :class:`FakeClock`)
    sleeps as usual and the event is checked before and after.  ``cancel`` may
    be swapped for another event at any time (one per run).

    >>> import threading
    >>> stop = threading.Event()
    >>> clock = CancellableClock(FakeClock(), stop)
    >>> clock.sleep(1.0)
    >>> stop.set()
    >>> clock.sleep(1.0)
    Traceback (most recent call last):
    ...
    enrich._exceptions.Cancelled: run interrupted
    """

    def __init__(self, inner: Clock, cancel: threading.Event | None = None) -> None:
        self.inner = inner
        self.cancel = cancel if cancel is not None else threading.Event()

    def monotonic(self) -> float:
        return self.inner.monotonic()

    def time(self) -> float:
        return self.inner.time()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the cancel event is set."""
        if self.cancel.is_set():
            raise Cancelled("run interrupted")

    def sleep(self, seconds: float) -> None:
        cancel = self.cancel
        self.check()
        if isinstance(self.inner, SystemClock):
            if seconds > 0 and cancel.wait(seconds):
                raise Cancelled("run interrupted")
            return
        self.inner.sleep(seconds)
        self.check()

    def __repr__(self) -> str:
        return f"CancellableClock({self.inner!r})"
