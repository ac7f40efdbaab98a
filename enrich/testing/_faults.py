"""Injected misbehaviour: server errors, throttling bursts, resets, stalls, corrupt bodies.

Every decision is a pure function of ``(FaultConfig.seed, source, k)`` where
``k`` counts the requests that source received, so a run replays the same
faults at the same requests.  A fault never touches the corpus, and a faulty
answer does not consume GitHub budget.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final, Protocol

from enrich.testing._common import Reply, stable_fraction, stable_int

__all__ = [
    "ALL_FAULT_KINDS",
    "FAULT_KINDS",
    "FaultConfig",
    "FaultPlan",
    "FaultShapes",
    "needs_real_answer",
]

#: The fault kinds drawn by default, in a fixed order (the order matters for determinism).
FAULT_KINDS: Final = (
    "500",
    "502",
    "503",
    "503_retry_after",
    "429_burst",
    "reset",
    "timeout",
    "slow",
    "truncated",
    "html200",
)
#: Every kind: the defaults, plus servers that trickle a body or their headers a
#: byte at a time (asked for by name: at real pace each costs a client's deadline).
ALL_FAULT_KINDS: Final = (*FAULT_KINDS, "trickle", "slow_headers")


@dataclass(frozen=True)
class FaultConfig:
    """Which faults to inject, and how often.

    Args:
        rate: probability in [0, 1] that a request gets a fault.
        kinds: the fault kinds to draw from (see :data:`FAULT_KINDS`).
        seed: seeds the per-request draw.
        slow_seconds: delay of a ``"slow"`` answer.
        burst_length: answers in a ``"429_burst"`` (the triggering one included).
        stall_seconds: how long the standalone server stalls on ``"timeout"``
            before closing the connection (longer than the client's timeout).
        trickle_seconds: the pause between two bytes of a ``"trickle"`` answer's
            body, or of a ``"slow_headers"`` answer's status line and headers
            (each pause is shorter than any read timeout, so only a deadline on
            the whole request ends it).
        sources: the sources that get faults; None means all of them (so
            ``FaultConfig(rate=1.0, kinds=("429_burst",), sources=("arxiv",))``
            is an arXiv that throttles every request, and nothing else).

    Raises:
        ValueError: rate outside [0, 1] or an unknown kind.

    >>> FaultConfig(rate=0.1, kinds=("503", "reset"), seed=7).kinds
    ('503', 'reset')
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    slow_seconds: float = 2.0
    burst_length: int = 3
    stall_seconds: float = 35.0
    trickle_seconds: float = 1.0
    sources: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be in [0, 1], got {self.rate}")
        unknown = sorted(set(self.kinds) - set(ALL_FAULT_KINDS))
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; valid: {', '.join(ALL_FAULT_KINDS)}")
        if not self.kinds and self.rate > 0:
            raise ValueError("fault rate > 0 needs at least one kind")
        if self.burst_length < 1:
            raise ValueError("burst_length must be >= 1")


class FaultShapes(Protocol):
    """How one service words its failures."""

    def server_error(self, status: int) -> Reply: ...

    def throttled(self) -> Reply: ...

    def html_page(self) -> Reply: ...


class FaultPlan:
    """Draws the fault (if any) for each request of each source."""

    def __init__(self, config: FaultConfig | None) -> None:
        self.config = config or FaultConfig()
        self._burst_left: dict[str, int] = {}
        self._lock = threading.Lock()

    def draw(self, source: str, k: int) -> str | None:
        """The fault kind for the ``k``-th request to ``source``, or None."""
        cfg = self.config
        with self._lock:
            left = self._burst_left.get(source, 0)
            if left > 0:
                self._burst_left[source] = left - 1
                return "429_burst"
            if cfg.sources is not None and source not in cfg.sources:
                return None
            if cfg.rate <= 0 or stable_fraction("fault", cfg.seed, source, k) >= cfg.rate:
                return None
            kind = cfg.kinds[stable_int("kind", cfg.seed, source, k) % len(cfg.kinds)]
            if kind == "429_burst":
                self._burst_left[source] = cfg.burst_length - 1
            return kind

    def reply(self, kind: str, shapes: FaultShapes, good: Reply | None) -> Reply:
        """The faulty answer of ``kind``; ``good`` is the real answer (for truncation)."""
        cfg = self.config
        if kind in {"500", "502", "503"}:
            reply = shapes.server_error(int(kind))
        elif kind == "503_retry_after":
            reply = shapes.server_error(503)
            reply.headers["Retry-After"] = "1"
        elif kind == "429_burst":
            reply = shapes.throttled()
        elif kind == "html200":
            reply = shapes.html_page()
        elif kind in {"reset", "timeout"}:
            reply = Reply(0, {}, b"", action="reset" if kind == "reset" else "timeout")
        elif kind == "slow":
            assert good is not None
            reply = good
            reply.delay = cfg.slow_seconds
        elif kind == "truncated":
            assert good is not None
            reply = good
            reply.body = reply.body[: len(reply.body) // 2]
        elif kind in {"trickle", "slow_headers"}:
            assert good is not None
            reply = good
            reply.trickle = cfg.trickle_seconds
        else:  # pragma: no cover - FaultConfig validates kinds
            raise ValueError(kind)
        reply.fault = kind
        return reply


def needs_real_answer(kind: str) -> bool:
    """Whether the fault wraps the real answer (so the service must run)."""
    return kind in {"slow", "truncated", "trickle", "slow_headers"}
