"""The Hugging Face Hub's fixed-window budget, as its answers announce it.

The Hub counts requests in 5-minute fixed windows (500 per IP anonymously,
1,000 with a free token) and announces the state on its answers with the
IETF draft headers (huggingface/hub-docs, docs/hub/rate-limits.md)::

    RateLimit: "api";r=<remaining>;t=<seconds until the window resets>
    RateLimit-Policy: "fixed window";"api";q=<allowed per window>;w=<window seconds>

:class:`WindowBudget` keeps the last state seen.  When the budget is spent the
client waits for the reset, but the run as a whole never waits longer than one
window: past that, :meth:`WindowBudget.wait_before` raises
:class:`~enrich.RateLimitError` and the pipeline marks the rows left as skipped.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from enrich._exceptions import RateLimitError

__all__ = ["WindowBudget", "WindowState", "parse_ratelimit", "parse_ratelimit_policy"]

#: The Hub API bucket's name in both headers.
API_BUCKET: Final = "api"
_PARAM_RE: Final = re.compile(r"^\s*([a-z]+)\s*=\s*(-?\d+(?:\.\d+)?)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WindowState:
    """One ``RateLimit`` reading: requests left and when (monotonic seconds) the window resets."""

    remaining: int
    resets_at: float


def _items(value: str) -> list[tuple[list[str], dict[str, float]]]:
    """A structured-field list: each member's quoted tokens and ``key=number`` parameters."""
    members = []
    for member in value.split(","):
        names: list[str] = []
        params: dict[str, float] = {}
        for part in member.split(";"):
            part = part.strip()
            if part.startswith('"') and part.endswith('"') and len(part) >= 2:
                names.append(part[1:-1].strip().lower())
                continue
            match = _PARAM_RE.match(part)
            if match:
                params[match.group(1).lower()] = float(match.group(2))
        members.append((names, params))
    return members


def _pick(value: str | None, *keys: str) -> dict[str, float] | None:
    if not value:
        return None
    usable = [(names, p) for names, p in _items(value) if all(k in p for k in keys)]
    for names, params in usable:
        if API_BUCKET in names:
            return params
    return usable[0][1] if usable else None


def parse_ratelimit(value: str | None) -> tuple[int, float] | None:
    """``(remaining, seconds to reset)`` from a ``RateLimit`` value, the ``api`` bucket first.

    >>> parse_ratelimit('"api";r=12;t=55')
    (12, 55.0)
    >>> parse_ratelimit("garbage") is None
    True
    """
    params = _pick(value, "r", "t")
    if params is None:
        return None
    return max(0, int(params["r"])), max(0.0, params["t"])


def parse_ratelimit_policy(value: str | None) -> tuple[int, float] | None:
    """``(quota, window seconds)`` from a ``RateLimit-Policy`` value.

    >>> parse_ratelimit_policy('"fixed window";"api";q=500;w=300')
    (500, 300.0)
    """
    params = _pick(value, "q", "w")
    if params is None or params["q"] < 1 or params["w"] <= 0:
        return None
    return int(params["q"]), params["w"]


class WindowBudget:
    """The Hub's window budget as last announced, and the run's allowance for waiting on it.

    Thread-safe.  Header names must be lower-cased.

    Args:
        quota: requests per window assumed until the Hub says otherwise.
        window: window length in seconds; also the most the run may wait in total.

    >>> budget = WindowBudget(quota=500, window=300.0)
    >>> budget.note({"ratelimit": '"api";r=0;t=40'}, now=100.0)
    >>> budget.wait_before(now=110.0)
    30.0
    >>> budget.note({"ratelimit": '"api";r=499;t=300'}, now=141.0)
    >>> budget.wait_before(now=142.0) is None
    True
    """

    def __init__(self, quota: int, window: float) -> None:
        self.quota = quota
        self.window = window
        self._lock = threading.Lock()
        self._state: WindowState | None = None
        self._waited = 0.0

    @property
    def state(self) -> WindowState | None:
        with self._lock:
            return self._state

    @property
    def waited(self) -> float:
        """Seconds of waiting granted so far (at most one window)."""
        with self._lock:
            return self._waited

    def note(self, headers: Mapping[str, str], now: float) -> None:
        """Record the state an answer announced (any status, 429 included)."""
        policy = parse_ratelimit_policy(headers.get("ratelimit-policy"))
        reading = parse_ratelimit(headers.get("ratelimit"))
        with self._lock:
            if policy is not None:
                self.quota, self.window = policy
            if reading is not None:
                remaining, seconds = reading
                self._state = WindowState(remaining, now + seconds)

    def wait_before(self, now: float) -> float | None:
        """Seconds to wait before the next request; None when the budget has room.

        A wait is granted (and counted) only while the run's total stays within
        one window.

        Raises:
            RateLimitError: the budget is spent and waiting for the reset would
                take the run's total wait past one window.
        """
        with self._lock:
            state = self._state
            if state is None or state.remaining > 0 or state.resets_at <= now:
                return None
            wait = state.resets_at - now
            if self._waited + wait > self.window:
                raise RateLimitError(
                    f"window budget spent: 0 of {self.quota} requests left, the window "
                    f"resets in {wait:.0f}s, and this run already waited {self._waited:.0f}s "
                    f"of the {self.window:.0f}s (one window) it may; set HF_TOKEN for "
                    "1,000 requests per window",
                    source="hf",
                    retry_after=wait,
                )
            self._waited += wait
            # The reset gives a fresh window; until an answer says otherwise, assume it.
            self._state = WindowState(self.quota, state.resets_at + self.window)
            return wait
