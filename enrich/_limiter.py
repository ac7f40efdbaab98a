"""Per-source request pacing by the wire: an interval between requests sent, a cap in flight.

The interval is measured from the moment the previous request actually went
out (the client reports it through :meth:`Turn.on_wire`, from httpcore's trace
of the request headers being written), not from the moment it was allowed to
start: under CPU load a granted request can reach the socket tens of
milliseconds late, and a grid of grants would then let the next one follow it
too closely.  So a turn holds the source's ordering lock from its grant until
it is on the wire (or given up); the next turn is then granted no sooner than
``min_interval + margin`` after that stamp.  The margin absorbs the jitter
between our stamp and the service's clock.

Within a process a lock and a semaphore do the work.  Across processes that
share a cache directory, the next allowed start (wall-clock seconds) is kept in
a small file, ``<cache_dir>/ratelimit/<source>``, locked with ``fcntl.flock``
from a grant until that request is on the wire; so two ``enrich`` runs side by
side still respect arXiv's "one request every three seconds ... a single
connection at a time" (ToU).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from enrich._clock import Clock
from enrich._exceptions import CacheError

try:  # POSIX only; elsewhere pacing is per process.
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]

__all__ = ["RateLimiter", "Turn"]


class Turn:
    """A granted request start.

    Attributes:
        start: monotonic seconds when the turn was granted.
        waited: seconds slept for it.
        sent: monotonic seconds when the request went on the wire (None until
            :meth:`on_wire`).
    """

    __slots__ = ("_release", "sent", "start", "waited")

    def __init__(self, start: float, waited: float, release: _Release | None = None) -> None:
        self.start = start
        self.waited = waited
        self.sent: float | None = None
        self._release = release

    def on_wire(self) -> None:
        """The request is on the wire: stamp it and let the next turn be computed from it.

        Idempotent; called from the trace hook and again, as a fallback, when
        the send returns or fails.
        """
        release, self._release = self._release, None
        if release is not None:
            self.sent = release()


_Release = Callable[[], float]


class RateLimiter:
    """Paces the requests of one source.

    Args:
        name: the source key; names the state file.
        min_interval: least seconds between two requests going out.
        max_connections: most requests in flight at once (within the process).
        clock: where time is read and slept.
        state_dir: folder of the cross-process state files, or None for
            in-process pacing only.
        margin: seconds added to every interval, against jitter between our
            wire stamp and the service's arrival clock.

    Raises:
        CacheError: ``state_dir`` cannot be created or a state file used.

    >>> from enrich._clock import FakeClock
    >>> clock = FakeClock()
    >>> limiter = RateLimiter("arxiv", min_interval=3.0, max_connections=1, clock=clock)
    >>> with limiter.slot() as first: clock.sleep(0.25)  # reaches the wire late
    >>> with limiter.slot() as second: pass
    >>> second.start - first.sent, second.waited
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
        margin: float = 0.0,
    ) -> None:
        self.name = name
        self.min_interval = max(0.0, float(min_interval))
        self.margin = max(0.0, float(margin)) if self.min_interval > 0 else 0.0
        self.max_connections = max(1, int(max_connections))
        self._clock = clock
        self._order = threading.Lock()
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

    @property
    def spacing(self) -> float:
        """Seconds kept between two requests on the wire (interval plus margin)."""
        return self.min_interval + self.margin

    @contextlib.contextmanager
    def slot(self) -> Iterator[Turn]:
        """Hold one connection and wait for this source's turn.

        Yields the :class:`Turn` granted.  Call :meth:`Turn.on_wire` when the
        request goes out; the block's end does it otherwise.  The connection is
        released when the block ends.
        """
        with self._connections:
            turn = self.next_turn()
            try:
                yield turn
            finally:
                turn.on_wire()

    def next_turn(self) -> Turn:
        """Wait for another start within a held :meth:`slot` (a redirect's next hop).

        The caller must call :meth:`Turn.on_wire` on the result.
        """
        # The ordering lock is held from the grant until the request is on the
        # wire: sleeping under it is deliberate, no other caller of this source
        # could start before the interval anyway, and it keeps starts ordered.
        self._order.acquire()
        fd: int | None = None
        try:
            fd = self._lock_state()
            turn = self._space(fd)
        except BaseException:
            if fd is not None:
                os.close(fd)
            self._order.release()
            raise
        turn._release = lambda: self._stamp(fd)
        return turn

    def _lock_state(self) -> int | None:
        if self._state_path is None:
            return None
        try:
            fd = os.open(self._state_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise CacheError(f"cannot open rate-limit state {self._state_path}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            os.close(fd)
            raise CacheError(f"cannot use rate-limit state {self._state_path}: {exc}") from exc
        return fd

    def _space(self, fd: int | None) -> Turn:
        clock = self._clock
        wait = 0.0
        if self._next_start is not None:
            wait = self._next_start - clock.monotonic()
        if fd is not None:
            shared_next = _read_state(fd)
            if shared_next is not None:
                # Capped at one spacing: a state file written under a skewed wall
                # clock must not stall us for longer than the rule itself asks.
                wait = max(wait, min(shared_next - clock.time(), self.spacing))
        waited = 0.0
        if wait > 0:
            clock.sleep(wait)
            waited = wait
        return Turn(clock.monotonic(), waited)

    def _stamp(self, fd: int | None) -> float:
        """Record the wire time of the granted turn and release the ordering lock."""
        clock = self._clock
        try:
            sent = clock.monotonic()
            self._next_start = sent + self.spacing
            if fd is not None:
                # A state file that cannot be written: the in-process pacing still holds.
                with contextlib.suppress(OSError):
                    _write_state(fd, clock.time() + self.spacing)
            return sent
        finally:
            if fd is not None:
                os.close(fd)  # also releases the flock
            self._order.release()

    def __repr__(self) -> str:
        return (
            f"RateLimiter({self.name!r}, min_interval={self.min_interval:g}, "
            f"margin={self.margin:g}, max_connections={self.max_connections})"
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
