"""Plumbing shared by the three fake services: requests, replies, hashing, dates."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Action",
    "Reply",
    "Request",
    "http_date",
    "iso_z",
    "json_body",
    "stable_fraction",
    "stable_int",
]

#: What the transport or server must do instead of (or before) answering.
Action = Literal["reset", "timeout"]


@dataclass(frozen=True)
class Request:
    """One request as a service sees it, after routing.

    ``rest`` is the path below the service's base URL without leading slash
    (``"paper/batch"``, ``"repos/o/n"``; ``""`` for arXiv); ``headers`` keys are
    lower-cased; ``query`` keeps every value of repeated parameters.
    """

    method: str
    rest: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    client: str = "127.0.0.1"

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Reply:
    """One answer: status, headers (real capitalisation), body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    #: a transport-level failure to simulate instead of answering
    action: Action | None = None
    #: seconds to stall before answering (the "slow" fault)
    delay: float = 0.0
    #: seconds between two bytes sent (the "trickle" and "slow_headers" faults)
    trickle: float = 0.0
    #: injected fault kind, for the request log
    fault: str | None = None
    rate_violation: bool = False


def json_body(value: Any, *, compact: bool = False, newline: bool = False) -> bytes:
    """JSON bytes as the services print them (S2 uses ``", "``; errors are compact)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":") if compact else None)
    return (text + ("\n" if newline else "")).encode("utf-8")


def _digest(*parts: object) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\0")
    return h.digest()


def stable_int(*parts: object) -> int:
    """A deterministic 64-bit integer from ``parts`` (stable across processes)."""
    return int.from_bytes(_digest(*parts)[:8], "big")


def stable_fraction(*parts: object) -> float:
    """A deterministic float in [0, 1) from ``parts``."""
    return stable_int(*parts) / 2.0**64


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def iso_z(value: dt.datetime | float) -> str:
    """``2024-05-22T16:11:45Z`` from a datetime (naive = UTC) or an epoch."""
    if isinstance(value, int | float):
        value = dt.datetime.fromtimestamp(value, dt.UTC)
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(epoch: float) -> str:
    """An RFC 7231 ``Date`` header value."""
    return email.utils.formatdate(epoch, usegmt=True)
