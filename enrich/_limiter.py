"""Per-source request pacing: a minimum interval between starts, a cap on requests in flight.

Within a process a lock and a semaphore do the work.  Across processes that
share a cache directory, the next allowed start (wall-clock seconds) is kept in
a small file, ``<cache_dir>/ratelimit/<source>``, read and written under
``fcntl.flock``; so two ``enrich`` runs side by side still respect arXiv's
"one request every three seconds ... a single connection at a time" (ToU).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from enrich._clock import Clock
from enrich._exceptions import CacheError

try:  # POSIX only; elsewhere pacing is per process.
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]

__all__ = ["RateLimiter", "Turn"]


@dataclass(frozen=True, slots=True)
class Turn:
    """A granted request start: when (monotonic seconds) and how long we slept for it."""

    start: float
    waited: float


class RateLimiter:
    """Paces the requests of one source.

    Args:
        name: the source key; names the state file.
        min_interval: least seconds between two request starts.
        max_connections: most requests in flight at once (within the process).
        clock: where time is read and slept.
        state_dir: folder of the cross-process state files, or None for
            in-process pacing only.

    Raises:
        CacheError: ``state_dir`` cannot be created or a state file used.

    >>> from enrich._clock import FakeClock
    >>> clock = FakeClock()
    >>> limiter = RateLimiter("arxiv", min_interval=3.0, max_connections=1, clock=clock)
    >>> with limiter.slot() as first: pass
    >>> with limiter.slot() as second: pass
    >>> second.start - first.start, second.waited
    (3.0, 3.0)
    """

    def __init__(
        self,
        name: str,
        *,
        min_interval: float,
        max_connections: int,
        clock: Clock,
        state_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.min_interval = max(0.0, float(min_interval))
        self.max_connections = max(1, int(max_connections))
        self._clock = clock
        self._lock = threading.Lock()
        self._connections = threading.BoundedSemaphore(self.max_connections)
        self._next_start: float | None = None
        self._state_path: Path | None = None
        if state_dir is not None and fcntl is not None:
            try:
                state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise CacheError(
                    f"cannot create rate-limit state folder {state_dir}: {exc}"
                ) from exc
            self._state_path = state_dir / name

    @contextlib.contextmanager
    def slot(self) -> Iterator[Turn]:
        """Hold one connection and wait for this source's turn.

        Yields the :class:`Turn` granted; the connection is released when the
        block ends.
        """
        with self._connections:
            yield self._wait_for_turn()

    def next_turn(self) -> Turn:
        """Wait for another start within a held :meth:`slot` (a redirect's next hop)."""
        return self._wait_for_turn()

    def _wait_for_turn(self) -> Turn:
        # Sleeping while holding the lock is deliberate: the other callers of this
        # source could not start before the interval anyway, and it keeps starts ordered.
        with self._lock:
            if self._state_path is None:
                return self._space(None)
            try:
                fd = os.open(self._state_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise CacheError(f"cannot open rate-limit state {self._state_path}: {exc}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                return self._space(fd)
            except OSError as exc:
                raise CacheError(f"cannot use rate-limit state {self._state_path}: {exc}") from exc
            finally:
                os.close(fd)  # also releases the flock

    def _space(self, fd: int | None) -> Turn:
        clock = self._clock
        wait = 0.0
        if self._next_start is not None:
            wait = self._next_start - clock.monotonic()
        if fd is not None:
            shared_next = _read_state(fd)
            if shared_next is not None:
                # Capped at one interval: a state file written under a skewed wall
                # clock must not stall us for longer than the rule itself asks.
                wait = max(wait, min(shared_next - clock.time(), self.min_interval))
        waited = 0.0
        if wait > 0:
            clock.sleep(wait)
            waited = wait
        start = clock.monotonic()
        self._next_start = start + self.min_interval
        if fd is not None:
            _write_state(fd, clock.time() + self.min_interval)
        return Turn(start, waited)

    def __repr__(self) -> str:
        return (
            f"RateLimiter({self.name!r}, min_interval={self.min_interval:g}, "
            f"max_connections={self.max_connections})"
        )


def _read_state(fd: int) -> float | None:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 64)
    try:
        return float(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None  # empty (new file) or garbled: no shared constraint


def _write_state(fd: int, next_start: float) -> None:
    data = f"{next_start:.6f}\n".encode("ascii")
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, data)
