"""RateLimiter on its own: spacing, connection cap, and the cross-process state file."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import enrich
from enrich._clock import FakeClock
from enrich._limiter import RateLimiter, Turn

pytestmark = pytest.mark.skipif(os.name != "posix", reason="flock state files are POSIX only")


def run_threads(limiter: RateLimiter, count: int) -> list[Turn]:
    turns: list[Turn] = []
    lock = threading.Lock()

    def one() -> None:
        with limiter.slot() as turn, lock:
            turns.append(turn)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    return turns


def shared(name: str, interval: float, clock: FakeClock, state_dir: Path) -> RateLimiter:
    return RateLimiter(
        name, min_interval=interval, max_connections=1, clock=clock, state_dir=state_dir
    )


@pytest.mark.parametrize("connections", [1, 2])
def test_starts_are_spaced_under_eight_threads(connections: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter("s2", min_interval=1.0, max_connections=connections, clock=clock)
    starts = sorted(turn.start for turn in run_threads(limiter, 8))
    assert len(starts) == 8
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(starts))
    assert starts[0] == 0.0


def test_connection_cap_holds() -> None:
    clock = FakeClock()
    limiter = RateLimiter("s2", min_interval=0.0, max_connections=2, clock=clock)
    in_flight = 0
    peak = 0
    both_in = threading.Barrier(2, timeout=5)
    lock = threading.Lock()

    def one() -> None:
        nonlocal in_flight, peak
        with limiter.slot() as turn:
            turn.on_wire()  # sent: the next request may start while this one is in flight
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            both_in.wait()  # only passes when a second request is in flight too
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert peak == 2
    assert not both_in.broken


def test_waited_time_is_reported() -> None:
    clock = FakeClock()
    limiter = RateLimiter("arxiv", min_interval=3.0, max_connections=1, clock=clock)
    waits = []
    for _ in range(3):
        with limiter.slot() as turn:
            waits.append(turn.waited)
        clock.advance(1.0)  # the request itself took a second
    assert waits == [0.0, 2.0, 2.0]


def test_two_limiters_share_a_state_dir(tmp_path: Path) -> None:
    clock = FakeClock()
    first = shared("arxiv", 3.0, clock, tmp_path)
    second = shared("arxiv", 3.0, clock, tmp_path)
    with first.slot() as a:
        pass
    with second.slot() as b:
        pass
    assert (a.waited, b.waited) == (0.0, 3.0)
    assert float((tmp_path / "arxiv").read_text()) == clock.time() + 3.0


def test_sources_have_separate_state(tmp_path: Path) -> None:
    clock = FakeClock()
    arxiv = shared("arxiv", 3.0, clock, tmp_path)
    github = shared("github", 0.5, clock, tmp_path)
    with arxiv.slot():
        pass
    with github.slot() as turn:
        pass
    assert turn.waited == 0.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arxiv", "github"]


def test_skewed_or_garbled_state_is_bounded(tmp_path: Path) -> None:
    clock = FakeClock()
    (tmp_path / "arxiv").write_text(str(clock.time() + 86_400))  # a day ahead: skewed writer
    limiter = shared("arxiv", 3.0, clock, tmp_path)
    with limiter.slot() as turn:
        pass
    assert turn.waited == 3.0

    (tmp_path / "s2").write_bytes(b"\x00garbage")
    limiter = shared("s2", 1.0, clock, tmp_path)
    with limiter.slot() as turn:
        pass
    assert turn.waited == 0.0


_CHILD = """
import json, sys
from pathlib import Path
from enrich._clock import FakeClock
from enrich._limiter import RateLimiter
clock = FakeClock(start=float(sys.argv[2]))
limiter = RateLimiter("arxiv", min_interval=3.0, max_connections=1, clock=clock,
                      state_dir=Path(sys.argv[1]))
with limiter.slot() as turn:
    pass
print(json.dumps({"waited": turn.waited, "sleeps": clock.sleeps}))
"""


def test_another_process_respects_the_interval(tmp_path: Path) -> None:
    clock = FakeClock(start=1_800_000_000.0)
    limiter = shared("arxiv", 3.0, clock, tmp_path)
    with limiter.slot():
        pass
    clock.advance(1.0)
    env = dict(os.environ, PYTHONPATH=str(Path(enrich.__file__).resolve().parents[1]))
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path), repr(clock.time())],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    assert json.loads(child.stdout) == {"waited": 2.0, "sleeps": [2.0]}
