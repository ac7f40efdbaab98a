"""The on-disk response cache: diskcache (SQLite), one namespace per source.

An entry is what the client needs to answer a request again without the
network: status, body, final URL and three headers (content-type, etag,
last-modified).  Request headers, and so credentials, are never stored, and the
key is :meth:`enrich._wire.Request.cache_key`, which excludes them too.

Values are stored as bytes (a JSON header, a NUL byte, then the body) rather
than pickles, and read through :class:`PlainDisk`, which refuses to unpickle
anything: diskcache's default ``Disk`` unpickles whatever a row says is a
pickle, so an object planted in the cache folder would run code on the next
read (CVE-2025-69872).  Such a row reads as absent.  Freshness is
judged on the stored-at time taken from the client's clock (testable without
sleeping); diskcache's own expiry, on the real clock, only reclaims space.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import diskcache

from enrich._clock import Clock, SystemClock
from enrich._config import SOURCES, Settings
from enrich._exceptions import CacheError

__all__ = [
    "CacheEntry",
    "PlainDisk",
    "ResponseCache",
    "cache_stats",
    "clear_cache",
    "response_cache_dir",
]

#: SQLite memory of a cache connection.  diskcache's defaults (a 32 MiB page cache
#: and a 64 MiB memory map) put every page a long run touched into its resident
#: set; answers are read once or twice a run, and the kernel's own file cache
#: serves a warm rerun as well (benchmarks/: peak RSS at 100,000 papers).
SQLITE_MEMORY: Final[dict[str, int]] = {"sqlite_cache_size": 2**10, "sqlite_mmap_size": 0}

#: Response headers kept with a cached body; anything else is dropped.
KEPT_HEADERS: Final = ("content-type", "etag", "last-modified")
# Entries with an ETag stay on disk this long past their TTL so that a stale
# GitHub answer can be revalidated with If-None-Match (a 304 is free with a token).
REVALIDATE_GRACE: Final = 7 * 86_400.0
_FORMAT: Final = 1
_DIR_MODE: Final = 0o700


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached answer.

    Attributes:
        status: HTTP status of the answer.
        content: the body bytes.
        headers: lower-cased names; only :data:`KEPT_HEADERS`.
        url: the final URL after redirects.
        stored_at: wall-clock seconds when it was fetched or last revalidated.
        expires_at: wall-clock seconds after which it is stale (set by ``set``).
    """

    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    stored_at: float = 0.0
    expires_at: float = math.inf

    def is_fresh(self, now: float) -> bool:
        return now < self.expires_at

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")


class PlainDisk(diskcache.Disk):  # type: ignore[misc]  # diskcache ships no types
    """A diskcache ``Disk`` for str keys and bytes values that never unpickles.

    Writing anything else is a programming error (``TypeError``); reading a
    row stored as a pickle (a key or a value, planted by someone else) gives
    None instead of running it.
    """

    def put(self, key: object) -> Any:
        if not isinstance(key, str):
            raise TypeError(f"cache keys are str, not {type(key).__name__}")
        return super().put(key)

    def get(self, key: Any, raw: bool) -> Any:
        return super().get(key, raw) if raw else None

    def store(self, value: object, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        if not isinstance(value, bytes) or read:
            raise TypeError(f"cache values are bytes, not {type(value).__name__}")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == diskcache.core.MODE_PICKLE:
            return None
        return super().fetch(mode, filename, value, read)


def response_cache_dir(settings: Settings) -> Path:
    """Where the response cache of ``settings`` lives (``<cache_dir>/http``)."""
    return settings.resolved_cache_dir() / "http"


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by the owner only."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    try:
        path.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        for created in missing:
            created.chmod(_DIR_MODE)  # mkdir's mode is filtered by the umask
    except OSError as exc:
        raise CacheError(f"cannot create cache folder {path}: {exc}") from exc


class ResponseCache:
    """A process-safe store of HTTP answers keyed by request.

    Args:
        directory: the diskcache folder; created with mode 0o700.
        clock: supplies the wall-clock time for freshness (default: the system's).

    Raises:
        CacheError: the folder or the database cannot be opened or used.

    >>> import tempfile
    >>> cache = ResponseCache(Path(tempfile.mkdtemp()) / "http")
    >>> cache.set("s2:abc", CacheEntry(200, b"{}", stored_at=cache.now()), ttl=60)
    >>> cache.get("s2:abc").content
    b'{}'
    """

    def __init__(self, directory: Path, *, clock: Clock | None = None) -> None:
        self.directory = Path(directory)
        self._clock: Clock = clock or SystemClock()
        make_private_dir(self.directory)
        try:
            self._store = diskcache.Cache(str(self.directory), disk=PlainDisk, **SQLITE_MEMORY)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot open cache at {self.directory}: {exc}") from exc

    def now(self) -> float:
        return self._clock.time()

    def get(self, key: str, *, allow_stale: bool = False) -> CacheEntry | None:
        """The entry under ``key``; None when absent, unreadable, or stale
        (unless ``allow_stale``)."""
        try:
            raw = self._store.get(key, default=None)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot read cache at {self.directory}: {exc}") from exc
        if not isinstance(raw, bytes):
            return None
        entry = _decode(raw)
        if entry is None or (not allow_stale and not entry.is_fresh(self.now())):
            return None
        return entry

    def set(self, key: str, entry: CacheEntry, ttl: float) -> None:
        """Store ``entry`` as fresh for ``ttl`` seconds from its ``stored_at``."""
        if ttl <= 0:
            return
        entry = replace(
            entry,
            headers={k: v for k, v in entry.headers.items() if k in KEPT_HEADERS},
            expires_at=entry.stored_at + ttl,
        )
        keep = ttl + (REVALIDATE_GRACE if entry.etag else 0.0)
        try:
            self._store.set(key, _encode(entry), expire=keep, tag=_source_of(key))
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot write cache at {self.directory}: {exc}") from exc

    def stats(self) -> dict[str, dict[str, int]]:
        """Entries and stored bytes per source (every source in SOURCES listed)."""
        counts: dict[str, dict[str, int]] = {s: {"entries": 0, "bytes": 0} for s in SOURCES}
        try:
            self._store.expire()
            for key, size in self._sizes():
                row = counts.setdefault(_source_of(key), {"entries": 0, "bytes": 0})
                row["entries"] += 1
                row["bytes"] += size
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot read cache at {self.directory}: {exc}") from exc
        return counts

    def clear(self, source: str | None = None) -> int:
        """Remove every entry, or only those of ``source``; returns how many."""
        try:
            if source is None:
                return int(self._store.clear())
            return int(self._store.evict(source))
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot clear cache at {self.directory}: {exc}") from exc

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.directory)!r})"

    def _sizes(self) -> Iterator[tuple[str, int]]:
        for key in self._store.iterkeys():
            if not isinstance(key, str):  # a planted key that PlainDisk would not unpickle
                continue
            raw = self._store.get(key, default=None)
            if isinstance(key, str) and isinstance(raw, bytes):
                yield key, len(raw)


def cache_stats(settings: Settings) -> dict[str, dict[str, int]]:
    """Entries and bytes per source in the cache of ``settings`` (``enrich cache stats``).

    >>> cache_stats(Settings(cache_dir="/tmp/enrich-doctest"))["arxiv"]  # doctest: +SKIP
    {'entries': 0, 'bytes': 0}
    """
    directory = response_cache_dir(settings)
    if not directory.is_dir():
        return {s: {"entries": 0, "bytes": 0} for s in SOURCES}
    with ResponseCache(directory) as cache:
        return cache.stats()


def clear_cache(settings: Settings, source: str | None = None) -> int:
    """Remove cached answers (of one ``source``, or all); returns how many
    (``enrich cache clear [--source]``).

    Raises:
        ConfigError: ``source`` is not a known source name.
    """
    if source is not None:
        settings.source(source)  # validates the name, listing the valid ones
    directory = response_cache_dir(settings)
    if not directory.is_dir():
        return 0
    with ResponseCache(directory) as cache:
        return cache.clear(source)


def _source_of(key: str) -> str:
    return key.split(":", 1)[0]


def _encode(entry: CacheEntry) -> bytes:
    head = {
        "v": _FORMAT,
        "status": entry.status,
        "headers": dict(entry.headers),
        "url": entry.url,
        "stored_at": entry.stored_at,
        "expires_at": entry.expires_at,
    }
    # json.dumps escapes control characters, so the header never holds a raw NUL.
    return json.dumps(head, separators=(",", ":")).encode() + b"\0" + entry.content


def _decode(raw: bytes) -> CacheEntry | None:
    head_bytes, sep, content = raw.partition(b"\0")
    if not sep:
        return None
    try:
        head: dict[str, Any] = json.loads(head_bytes)
        if head.get("v") != _FORMAT:
            return None
        return CacheEntry(
            status=int(head["status"]),
            content=content,
            headers={str(k): str(v) for k, v in head["headers"].items()},
            url=str(head["url"]),
            stored_at=float(head["stored_at"]),
            expires_at=float(head["expires_at"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
