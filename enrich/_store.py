"""The decided-row store: warm reruns read and join instead of re-deciding.

A run that resolves a window of papers leaves, for each paper without errors,
the *resolved* part of its output row (every column the input does not give,
except ``fetched_at``) under a key made of the paper's own fields.  It also
leaves, once per window, the list of cached answers that window was decided
from: each answer's response-cache key and its ``stored_at`` time.  A later run
with the same paper reads the row back and joins it with the paper as listed
now (origins and upvotes may differ); nothing is parsed or matched again.

A stored row is served only while all of these hold, and is otherwise decided
again through the client (and so through the response cache):

* every answer of its window is still in the response cache, fresh by the
  client's clock, with the same ``stored_at`` (a ``--refresh`` run, an expired
  TTL, ``enrich cache clear`` or a newer answer all break it);
* the run is not a ``refresh`` run (which decides everything and rewrites rows);
* the store *namespace* is the same: enrich's version, the output schema, the
  selected sources, every setting that can change a decision (all settings but
  pacing, retries, TTLs, the cache location and credentials' values; whether a
  GitHub token is set does count), and the transport kind.  Rows decided through
  a fake or replayed transport live in their own namespace, so a live run never
  reads them.

The fingerprint is per window, not per row: a row's decision is taken with the
answers of its whole window (batches are shared), so one expired answer sends
the whole window back through the cache, which answers everything else at once.

Values are plain bytes (JSON); the store refuses to read or write pickles
(diskcache unpickles by default, see CVE-2025-69872).  It lives in
``<cache_dir>/rows`` and is only used when the response cache is.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import diskcache
import polars as pl

from enrich._cache import SQLITE_MEMORY, ResponseCache, make_private_dir, response_cache_dir
from enrich._clock import Clock, SystemClock
from enrich._config import Settings
from enrich._exceptions import CacheError
from enrich._models import Paper
from enrich._schema import INPUT_RENAMES, OUTPUT_SCHEMA
from enrich._version import __version__
from enrich._wire import Request, Response
from enrich.adapters.base import Sender

__all__ = [
    "RESOLVED_SCHEMA",
    "RecordingSender",
    "RowStore",
    "namespace",
    "paper_key",
    "rows_frame",
    "rows_store_dir",
]

#: Bump when the stored layout changes; old entries then simply stop matching.
STORE_FORMAT: Final = 1

#: Paper fields that never change a decision and vary between listings of one paper.
_LISTING_ONLY: Final = frozenset({"origins", "upvotes"})
_KEY_FIELDS: Final = tuple(name for name in Paper.model_fields if name not in _LISTING_ONLY)

#: Output columns that come from the paper as listed (joined at read time).
_INPUT_COLUMNS: Final = frozenset(
    {name for name in Paper.model_fields if name not in INPUT_RENAMES} | set(INPUT_RENAMES.values())
)
#: The columns a stored row holds: everything resolved, in output order.
RESOLVED_SCHEMA: Final[dict[str, pl.DataType]] = {
    name: dtype
    for name, dtype in OUTPUT_SCHEMA.items()
    if name not in _INPUT_COLUMNS and name != "fetched_at"
}

#: Settings that change how fast or how politely answers are fetched, or how
#: long they are kept, but never what a row says.  Every other setting (and any
#: added later) is part of the namespace, so a new knob invalidates by default.
_NEUTRAL_SETTINGS: Final = frozenset(
    {
        "arxiv_min_interval",
        "s2_min_interval",
        "github_min_interval",
        "arxiv_ttl",
        "s2_ttl",
        "github_ttl",
        "not_found_ttl",
        "github_token",
        "s2_api_key",
        "mailto",
        "cache_dir",
        "use_cache",
        "timeout",
        "max_attempts",
        "retry_budget",
        "backoff_base",
        "backoff_max",
        "max_response_bytes",
        "hf_min_interval",
        "hf_ttl",
        "hf_window_seconds",
        "hf_window_budget",
        "hf_token",
        "deadline",
        "pacing_margin",
        "breaker_failures",
        "breaker_seconds",
        "unreachable_attempts",
    }
)
_ROW_PREFIX: Final = "row:"
#: Stored rows outlive their earliest answer's expiry by this long on disk.
_GRACE: Final = 3600.0
_ANSWERS_PREFIX: Final = "answers:"


def rows_store_dir(settings: Settings) -> Path:
    """Where the decided-row store of ``settings`` lives (``<cache_dir>/rows``)."""
    return settings.resolved_cache_dir() / "rows"


def namespace(settings: Settings, sources: Sequence[str], transport: str) -> str:
    """The store namespace: what must be equal for a stored row to be reused.

    ``transport`` names where answers came from (``"network"`` for a live run).
    """
    decisive = {
        name: value
        for name, value in settings.model_dump(mode="json").items()
        if name not in _NEUTRAL_SETTINGS
    }
    # GraphQL (token) and REST (no token) can disagree about a repository.
    decisive["github_authenticated"] = settings.github_token is not None
    identity = {
        "format": STORE_FORMAT,
        "version": __version__,
        "schema": [[name, str(dtype)] for name, dtype in OUTPUT_SCHEMA.items()],
        "settings": decisive,
        "sources": list(sources),
        "transport": transport,
    }
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def paper_key(paper: Paper) -> str:
    """A digest of every field of ``paper`` that can change its row, ``origins`` excluded."""
    values = [getattr(paper, name) for name in _KEY_FIELDS]
    text = json.dumps(values, default=str, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class RecordingSender:
    """A :class:`~enrich.adapters.base.Sender` that notes the cache key of every answer.

    ``key`` gives the key the response cache holds an answer under: the client's
    own :meth:`~enrich.Client.cache_key` (answers through a fake or a replay are
    kept apart from network answers), else :meth:`Request.cache_key`.
    """

    def __init__(self, inner: Sender, key: Callable[[Request], str] | None = None) -> None:
        self.inner = inner
        self.keys: set[str] = set()
        self._key = key or Request.cache_key
        self._lock = threading.Lock()

    def send(self, request: Request) -> Response:
        response = self.inner.send(request)
        with self._lock:
            self.keys.add(self._key(request))
        return response


class _PlainDisk(diskcache.Disk):  # type: ignore[misc]  # diskcache is untyped
    """diskcache storage that only ever holds str keys and bytes values: no pickles."""

    def put(self, key: Any) -> Any:
        if type(key) is not str:
            raise TypeError("the row store takes str keys only")
        return super().put(key)

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            return None  # a pickled key was written by someone else: never load it
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.UNKNOWN) -> Any:
        if type(value) is not bytes:
            raise TypeError("the row store takes bytes values only")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode not in (diskcache.core.MODE_RAW, diskcache.core.MODE_BINARY):
            return None  # pickled or text: not ours, never unpickled
        return super().fetch(mode, filename, value, read)


class RowStore:
    """Decided rows, keyed by namespace and paper, validated against the response cache.

    Args:
        settings: the run's settings (cache folder; the response cache is read
            from ``<cache_dir>/http``).
        namespace: from :func:`namespace`.
        clock: the wall clock the response cache judges freshness by (the client's).

    Raises:
        CacheError: the store folder cannot be created or opened.
    """

    def __init__(
        self,
        settings: Settings,
        namespace: str,
        clock: Clock | None = None,
        *,
        answers: ResponseCache | None = None,
    ) -> None:
        self.namespace = namespace
        self.directory = rows_store_dir(settings)
        make_private_dir(self.directory)
        try:
            self._store = diskcache.Cache(str(self.directory), disk=_PlainDisk, **SQLITE_MEMORY)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot open row store at {self.directory}: {exc}") from exc
        # The client's own response cache when it is at hand: one connection, one clock.
        self._owns_answers = answers is None
        self._answers = answers or ResponseCache(
            response_cache_dir(settings), clock=clock or SystemClock()
        )
        #: answer key -> its stored_at when it is present and fresh, else None (per run)
        self._answer_state: dict[str, float | None] = {}
        #: answer-set id -> whether every answer in it is still valid (per run)
        self._set_valid: dict[str, bool] = {}

    def close(self) -> None:
        self._store.close()
        if self._owns_answers:
            self._answers.close()

    def __enter__(self) -> RowStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------

    def lookup(self, papers: Sequence[Paper]) -> list[bytes | None]:
        """Each paper's stored row (one JSON line) when it is still valid, else None."""
        found: list[bytes | None] = []
        for paper in papers:
            raw = self._get(f"{_ROW_PREFIX}{self.namespace}:{paper_key(paper)}")
            line: bytes | None = None
            if raw is not None:
                set_id, sep, row = raw.partition(b"\n")
                if sep and row and self._valid_set(set_id.decode("ascii", "replace")):
                    line = row
            found.append(line)
        return found

    def _get(self, key: str) -> bytes | None:
        try:
            value = self._store.get(key, default=None)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot read row store at {self.directory}: {exc}") from exc
        return value if isinstance(value, bytes) else None

    def _valid_set(self, set_id: str) -> bool:
        known = self._set_valid.get(set_id)
        if known is not None:
            return known
        valid = False
        raw = self._get(f"{_ANSWERS_PREFIX}{set_id}")
        if raw is not None:
            try:
                answers = json.loads(raw)
                valid = isinstance(answers, list) and all(
                    self._answer_stored_at(str(key)) == float(stored_at)
                    for key, stored_at in answers
                )
            except (ValueError, TypeError):
                valid = False
        self._set_valid[set_id] = valid
        return valid

    def _answer_stored_at(self, key: str) -> float | None:
        if key not in self._answer_state:
            entry = self._answers.get(key)  # None when absent or no longer fresh
            self._answer_state[key] = entry.stored_at if entry is not None else None
        return self._answer_state[key]

    # -- writing -----------------------------------------------------------------------

    def save(self, papers: Sequence[Paper], frame: pl.DataFrame, answer_keys: Iterable[str]) -> int:
        """Store the error-free rows of ``frame`` (aligned with ``papers``); returns how many.

        Nothing is stored when one of ``answer_keys`` is not (or no longer) in the
        response cache: such rows could never be validated later.
        """
        answers: list[tuple[str, float]] = []
        expires = math.inf
        for key in sorted(answer_keys):
            entry = self._answers.get(key)
            if entry is None:
                return 0
            answers.append((key, entry.stored_at))
            expires = min(expires, entry.expires_at)
        encoded = json.dumps(answers, separators=(",", ":")).encode()
        set_id = hashlib.sha256(encoded).hexdigest()[:32]
        # Past its first answer's expiry a row can never validate again: let diskcache
        # reclaim it then (on the real clock, which only matters for space).
        keep = None if math.isinf(expires) else max(expires - self._answers.now(), 0.0) + _GRACE
        lines = frame.select(list(RESOLVED_SCHEMA)).write_ndjson().encode().split(b"\n")
        stored = 0
        try:
            with self._store.transact():
                self._store.set(f"{_ANSWERS_PREFIX}{set_id}", encoded, expire=keep)
                for paper, line, ok in zip(papers, lines, _settled(frame), strict=False):
                    if ok:
                        key = f"{_ROW_PREFIX}{self.namespace}:{paper_key(paper)}"
                        self._store.set(key, set_id.encode() + b"\n" + line, expire=keep)
                        stored += 1
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot write row store at {self.directory}: {exc}") from exc
        # This run's answers were just checked fresh; later windows may reuse the set.
        self._set_valid[set_id] = True
        return stored


#: Per-source statuses that mean "not decided": such a row is asked again next run.
_UNSETTLED: Final = ("error", "skipped")


def _settled(frame: pl.DataFrame) -> list[bool]:
    """Rows worth storing: no error or skipped lookup recorded, in any status column."""
    settled = frame["errors"].list.len().fill_null(0) == 0
    for name in frame.columns:
        if name == "status" or name.endswith("_status"):
            settled = settled & ~frame[name].is_in(_UNSETTLED).fill_null(False)
    return settled.to_list()


def rows_frame(lines: Sequence[bytes]) -> pl.DataFrame:
    """The stored rows ``lines`` as a frame with :data:`RESOLVED_SCHEMA`."""
    if not lines:
        return pl.DataFrame(schema=RESOLVED_SCHEMA)
    return pl.read_ndjson(io.BytesIO(b"\n".join(lines)), schema=RESOLVED_SCHEMA)
