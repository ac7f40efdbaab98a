"""The adapter contract and the name-keyed registry."""

from __future__ import annotations

import json
from abc import ABC
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from enrich._config import SourceSettings
from enrich._exceptions import ConfigError, ResponseError, SourceError
from enrich._match import MatchDecision
from enrich._wire import Request, Response

__all__ = [
    "Adapter",
    "Resolved",
    "Sender",
    "answer_context",
    "chunked",
    "decode_json",
    "get_adapter_class",
    "register",
]

_T = TypeVar("_T")


class Sender(Protocol):
    """What adapters need from the client: send one request, get one answer.

    Implementations (the :class:`enrich.Client`) own cache, rate limits and
    retries, and raise :class:`enrich.SourceError` subclasses on failure.
    """

    def send(self, request: Request) -> Response: ...


class Adapter(ABC):
    """Base class of every source adapter.

    Subclasses set ``name`` and add request builders and pure parsers; their
    fetch methods only combine ``build -> self.client.send -> parse``.
    """

    name: ClassVar[str]

    def __init__(self, client: Sender, settings: SourceSettings) -> None:
        if settings.name != self.name:
            raise ConfigError(f"{type(self).__name__} got settings for {settings.name!r}")
        self.client = client
        self.settings = settings


_REGISTRY: dict[str, type[Adapter]] = {}


_A = TypeVar("_A", bound="Adapter")


def register(cls: type[_A]) -> type[_A]:
    """Class decorator adding an adapter to the registry under its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def get_adapter_class(name: str) -> type[Adapter]:
    """The adapter registered as ``name``; the error lists the valid names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(_REGISTRY)) or "(none registered)"
        raise ConfigError(f"unknown source {name!r}; valid sources: {valid}") from None


def chunked(items: list[_T], size: int) -> list[list[_T]]:
    """``items`` in consecutive chunks of at most ``size``, order kept."""
    return [items[i : i + size] for i in range(0, len(items), size)]


_R = TypeVar("_R")


# Not slots=True: on Python 3.11 a frozen, slotted Generic dataclass raises
# TypeError when instantiated through its subscript (``Resolved[X](...)``).
@dataclass(frozen=True)
class Resolved(Generic[_R]):
    """The outcome of resolving one title against a source.

    Attributes:
        record: the accepted record, or None when nothing trustworthy was found.
        decision: how the choice was made (method, score); when nothing was
            accepted it still names the best candidate's title, for review.
    """

    record: _R | None
    decision: MatchDecision


@contextmanager
def answer_context(request: Request, status: int) -> Iterator[None]:
    """Give an error a pure parser raised the request's URL and status (parsers see neither)."""
    try:
        yield
    except SourceError as exc:
        if exc.url is not None:
            raise
        raise type(exc)(
            exc.message,
            source=request.source,
            url=request.full_url,
            status=status,
            retry_after=exc.retry_after,
        ) from exc


def decode_json(response: Response) -> Any:
    """The answer's JSON, or a ResponseError naming the request."""
    try:
        return json.loads(response.content)
    except ValueError as exc:
        request = response.request
        raise ResponseError(
            "answer is not JSON",
            source=request.source,
            url=request.full_url,
            status=response.status,
        ) from exc
