"""The one HTTP client: cache -> rate limiter -> retries -> httpx.  All network I/O is here.

Adapters describe requests (:class:`enrich._wire.Request`); :class:`Client`
answers them, politely:

1. a fresh cache entry answers at once, without touching the rate limiter;
2. each source is paced (minimum interval between starts, connections in
   flight), across threads and, through state files in the cache folder,
   across processes;
   measured from the moment the previous request went on the wire;
3. throttling (429, GitHub's 403 with ``x-ratelimit-remaining: 0`` or a
   secondary-limit message), 5xx, transport failures and corrupt bodies are
   retried by a tenacity policy (:class:`enrich._retry.RetryPolicy`):
   ``Retry-After`` first, else exponential backoff with full jitter;
4. a source that keeps refusing, or cannot be reached, trips its breaker
   (:mod:`enrich._breaker`) and is not asked again in this client's life;
5. each attempt has a total deadline, connect to last byte
   (:mod:`enrich._transport`), and a body size cap;
6. usable answers are cached with the source's TTL (not-found answers with the
   shorter one).  Answers that came through a transport other than the network
   (the fake services, a replay, any ``transport=``) are cached under keys of
   their own, so a later live run never serves them as real.

Every httpx exception is mapped here into the :mod:`enrich._exceptions` tree;
nothing httpx-typed leaves this module.  Credentials are added to the outgoing
request only, and only towards their own service's host.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import random
import threading
from collections.abc import Iterator
from typing import Final
from urllib.parse import urlsplit

import httpx

from enrich._bodies import body_problem, valid_unicode_json
from enrich._breaker import Breaker, BreakerState
from enrich._cache import CacheEntry, ResponseCache, response_cache_dir
from enrich._clock import CancellableClock, Clock, SystemClock
from enrich._config import SOURCES, Settings, SourceSettings
from enrich._exceptions import (
    RateLimitError,
    ResponseError,
    SourceError,
)
from enrich._limiter import RateLimiter, Turn
from enrich._retry import Failure, GitHubBudgets, Limits, RetryPolicy, refusal
from enrich._secrets import SCRUBBED_LOGGERS, ScrubSecrets, redact_url, scrub
from enrich._stats import SourceStats, WaitKind
from enrich._transport import (
    answer_source,
    deadline,
    network_transport,
    read_body,
    send_failure,
    wire_trace,
    with_deadline,
)
from enrich._window import WindowBudget
from enrich._wire import Request, Response

__all__ = ["Client", "SourceStats"]

_LOG: Final = logging.getLogger("enrich")

# GitHub REST: "application/vnd.github+json" and a pinned API version
# (docs: best-practices-for-using-the-rest-api, "Use the latest API version").
GITHUB_ACCEPT: Final = "application/vnd.github+json"
GITHUB_API_VERSION: Final = "2022-11-28"
#: Redirects followed per request (httpx's own default).
MAX_REDIRECTS: Final = 20


class _NotModified:
    """Marker for a 304 answer to a conditional request."""


_NOT_MODIFIED: Final = _NotModified()


class Client:
    """Sends :class:`~enrich._wire.Request` values politely and returns :class:`~enrich._wire.Response`.

    Args:
        settings: every knob; ``None`` reads :meth:`Settings.from_env`.
        transport: an httpx transport to use instead of the network (tests,
            the fake services, cassette replay).  Its answers are cached apart
            from network answers, so a live run never reads them back.  An
            ``httpx.HTTPTransport`` (e.g. one with a proxy) counts as the network.
        clock: time source for pacing, retries and cache freshness.
        refresh: skip cache reads (answers are still written).
        rate_limit: ``False`` turns off pacing, every wait and the breakers
            (retries happen at once); meant for replaying recorded exchanges.

    Raises:
        ConfigError: a request names an unknown source.
        CacheError: the cache folder cannot be used.

    Example::

        settings = Settings.from_env()
        with Client(settings) as client:
            answer = client.send(Request("arxiv", "GET", settings.arxiv_url,
                                         params=(("id_list", "2106.09685"),), expect="xml"))
            print(answer.status, client.stats()["arxiv"].requests)
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        refresh: bool = False,
        rate_limit: bool = True,
    ) -> None:
        self.settings = settings if settings is not None else Settings.from_env()
        # Every wait (pacing, backoff, GitHub's reset) goes through this wrapper,
        # so a run's cancel event (see cancel_on) cuts it short.
        self._clock = CancellableClock(clock if clock is not None else SystemClock())
        self._refresh = refresh
        self._rate_limit = rate_limit
        self._sources = {name: self.settings.source(name) for name in SOURCES}
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._stats = {name: SourceStats() for name in SOURCES}
        self._github_budgets = GitHubBudgets()
        self._breakers = {
            name: Breaker(
                name,
                src.url,
                failures=self.settings.breaker_failures,
                seconds=self.settings.breaker_seconds,
            )
            for name, src in self._sources.items()
        }
        # The Hub's 5-minute window budget, read from its RateLimit headers.
        self._hf_window = WindowBudget(self.settings.hf_budget, self.settings.hf_window_seconds)

        secrets = [self.settings.github_token, self.settings.s2_api_key, self.settings.hf_token]
        self._secrets = tuple(s.get_secret_value() for s in secrets if s is not None)
        self._log_filter: ScrubSecrets | None = None

        # Where answers come from decides where they may be read back: only
        # network answers are stored under the plain request key.
        self._answer_source = answer_source(transport)
        self._key_prefix = "" if self._answer_source == "network" else "via-transport:"
        if transport is None:
            transport = network_transport()
        elif isinstance(transport, httpx.HTTPTransport):
            with_deadline(transport)

        self._cache: ResponseCache | None = None
        if self.settings.use_cache:
            self._cache = ResponseCache(response_cache_dir(self.settings), clock=self._clock.inner)
        state_dir = self.settings.resolved_cache_dir() / "ratelimit" if self._cache else None
        self._limiters: dict[str, RateLimiter] = {}
        if rate_limit:
            self._limiters = {
                name: RateLimiter(
                    name,
                    min_interval=src.min_interval,
                    max_connections=src.max_connections,
                    clock=self._clock,
                    state_dir=state_dir,
                    margin=self.settings.pacing_margin,
                )
                for name, src in self._sources.items()
            }

        # Each credential goes to its own service's host only, also after redirects
        # (httpx strips Authorization across origins, but not x-api-key).
        self._credential_hosts = {
            "authorization": {
                urlsplit(self._sources["github"].url).hostname or "",
                urlsplit(self._sources["hf"].url).hostname or "",
            },
            "x-api-key": {urlsplit(self._sources["s2"].url).hostname or ""},
        }
        self._http = httpx.Client(
            transport=transport,
            # Followed by _send, so that every hop waits its turn on the limiter.
            follow_redirects=False,
            timeout=self.settings.timeout,
            headers={"User-Agent": self.settings.user_agent},
            event_hooks={"request": [self._guard_credentials]},
        )
        if self._secrets:
            self._log_filter = ScrubSecrets(self._secrets)
            for name in SCRUBBED_LOGGERS:
                logging.getLogger(name).addFilter(self._log_filter)

    # -- public -------------------------------------------------------------

    def send(self, request: Request) -> Response:
        """Answer ``request`` from the cache, or from its service.

        Returns a 2xx answer or one whose status is in ``request.answer_statuses``.

        Raises:
            ConfigError: ``request.source`` is not a known source.
            Cancelled: the event given to :meth:`cancel_on` was set.
            SourceUnavailableError: the source's breaker is open (it kept
                refusing, or cannot be reached); raised without a request.
            AuthError: 401, or a 403 that is not throttling (no retry).
            NotFoundError: 404 not listed in ``answer_statuses``.
            ClientError: any other 4xx not listed (no retry).
            RateLimitError: still throttled after the retries.
            ServerError: 5xx after the retries.
            TransportError: no answer (timeout, reset, deadline) after the retries.
            ResponseError: a body too large, or corrupt after the retries.
            CacheError: the cache could not be read or written.
        """
        source = self.settings.source(request.source)
        key = self.cache_key(request)
        cached: CacheEntry | None = None
        if self._cache is not None:
            cached = self._cache.get(key, allow_stale=True)
            if cached is not None and not self._refresh and cached.is_fresh(self._clock.time()):
                self._count(source.name, cache_hits=1)
                return _response_from_entry(request, cached, from_cache=True)
        breaker = self._breakers[source.name]
        if self._rate_limit and breaker.is_open:
            self._count(source.name, skipped=1)
            breaker.check()
        etag = None
        # Revalidation pays only with a token: an unauthenticated 304 still uses
        # quota (API_FACTS, GitHub conditional requests).
        if (
            cached is not None
            and cached.etag
            and source.name == "github"
            and self.settings.github_token is not None
        ):
            etag = cached.etag
        try:
            return self._fetch(request, source, key, cached if etag else None, etag)
        except SourceError:
            self._count(source.name, errors=1)
            raise

    def cache_key(self, request: Request) -> str:
        """The key this client caches ``request``'s answer under.

        Network answers use :meth:`Request.cache_key`; answers through another
        transport get keys of their own (``<source>:via-transport:...``), so
        a fake's or a replay's answers never serve a live run.
        """
        key = request.cache_key()
        if self._key_prefix:  # keeps the "<source>:" head the cache tags entries by
            key = key.replace(":", f":{self._key_prefix}", 1)
        return key

    @contextlib.contextmanager
    def cancel_on(self, event: threading.Event) -> Iterator[None]:
        """While the block runs, setting ``event`` stops this client's work.

        Every wait (the rate limiter's interval, retry backoff, GitHub's reset)
        ends at once and no new request is sent: :meth:`send` raises
        :class:`~enrich.Cancelled` instead.  A request already on the wire is
        left to finish or time out.

        >>> stop = threading.Event()
        >>> with Client(Settings(use_cache=False)) as client, client.cancel_on(stop):
        ...     stop.set()  # e.g. from a SIGINT handler
        """
        previous = self._clock.cancel
        self._clock.cancel = event
        try:
            yield
        finally:
            self._clock.cancel = previous

    @property
    def refreshing(self) -> bool:
        """Whether this client skips cache reads (``refresh=True``) and asks again."""
        return self._refresh

    @property
    def clock(self) -> Clock:
        """The clock pacing, backoff and cache ages are measured on."""
        return self._clock.inner

    @property
    def response_cache(self) -> ResponseCache | None:
        """The on-disk cache of answers, None when ``use_cache`` is off."""
        return self._cache

    @property
    def answer_source(self) -> str:
        """Where this client's answers come from: ``"network"``, or the class of
        the transport it was given (a fake or a replay)."""
        return self._answer_source

    def stats(self) -> dict[str, SourceStats]:
        """A snapshot of per-source accounting (one entry per source)."""
        with self._lock:
            return {name: s.copy() for name, s in self._stats.items()}

    def breakers(self) -> dict[str, BreakerState]:
        """Each source's breaker: open or not, why, and the one-line reason."""
        return {name: breaker.state() for name, breaker in self._breakers.items()}

    def close(self) -> None:
        """Close the connection pool and the cache."""
        self._http.close()
        if self._cache is not None:
            self._cache.close()
        if self._log_filter is not None:
            for name in SCRUBBED_LOGGERS:
                logging.getLogger(name).removeFilter(self._log_filter)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        cache = str(self._cache.directory) if self._cache is not None else None
        return (
            f"Client(cache={cache!r}, refresh={self._refresh}, rate_limit={self._rate_limit}, "
            f"network={self._answer_source == 'network'}, "
            f"github_token={'set' if self.settings.github_token else 'unset'}, "
            f"s2_api_key={'set' if self.settings.s2_api_key else 'unset'})"
        )

    # -- the retry loop (tenacity, see enrich/_retry.py) ----------------------

    def _fetch(
        self,
        request: Request,
        source: SourceSettings,
        key: str,
        cached: CacheEntry | None,
        etag: str | None,
    ) -> Response:
        settings = self.settings
        policy = RetryPolicy(
            Limits(
                max_attempts=settings.max_attempts,
                retry_budget=settings.retry_budget,
                backoff_base=settings.backoff_base,
                backoff_max=settings.backoff_max,
                unreachable_attempts=settings.unreachable_attempts,
                min_interval=source.min_interval
                + (settings.pacing_margin if source.min_interval > 0 else 0.0),
            ),
            clock=self._clock,
            rng=self._rng,
            breaker=self._breakers[source.name] if self._rate_limit else None,
            pace=self._rate_limit,
            on_wait=lambda kind, seconds: self._count_wait(source.name, kind, seconds),
            on_retry=lambda failure, attempt, delay: self._note_retry(
                source.name, failure, attempt, delay
            ),
            make_error=lambda failure, note, retry_after: self._error(
                request, failure, note, retry_after=retry_after
            ),
        )
        started = self._clock.monotonic()

        def attempt() -> Response | Failure | _NotModified:
            self._await_github_budget(request, started)
            self._await_hf_window(request)
            return self._attempt(request, source, etag)

        outcome = policy.call(attempt)
        if isinstance(outcome, Response):
            self._store(request, source, key, outcome)
            return outcome
        if isinstance(outcome, _NotModified):
            return self._revalidated(request, source, key, cached)
        raise self._error(request, outcome) from outcome.cause

    def _attempt(
        self, request: Request, source: SourceSettings, etag: str | None
    ) -> Response | Failure | _NotModified:
        began = self._clock.monotonic()
        limiter = self._limiters.get(source.name)
        slot = limiter.slot() if limiter is not None else contextlib.nullcontext(None)
        with slot as turn, deadline(self.settings.deadline):
            if turn is not None and turn.waited > 0:
                self._count_wait(source.name, "pacing", turn.waited)
            answer = self._send(request, etag, source, limiter, turn)
            if isinstance(answer, Failure):
                outcome: Response | Failure | _NotModified = answer
            else:
                try:
                    body = self._read(source, answer)
                finally:
                    answer.close()
                outcome = (
                    body
                    if isinstance(body, Failure)
                    else self._classify(request, source, answer, body, etag)
                )
        breaker = self._breakers[source.name]
        if isinstance(outcome, Failure) and outcome.retryable:
            breaker.refused(
                outcome.reason,
                scrub(outcome.message, self._secrets),
                spent=self._clock.monotonic() - began,
                unreachable=outcome.unreachable,
            )
        else:
            breaker.succeeded()
        return outcome

    def _send(
        self,
        request: Request,
        etag: str | None,
        source: SourceSettings,
        limiter: RateLimiter | None,
        turn: Turn | None,
    ) -> httpx.Response | Failure:
        """Send ``request`` and follow redirects, each hop paced like a request of its own."""
        outgoing: httpx.Request | None = None
        hops = 0
        while True:
            self._clock.check()
            self._count(source.name, requests=1)
            try:
                if outgoing is None:
                    outgoing = self._build(request, etag)
                if turn is not None:
                    # httpcore reports when the headers are written; transports that
                    # do not trace are stamped when the send returns (below).
                    outgoing.extensions["trace"] = wire_trace(turn.on_wire)
                try:
                    answer = self._http.send(outgoing, stream=True)
                finally:
                    if turn is not None:
                        turn.on_wire()  # a transport without a trace: stamp on return
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL is no HTTPError
                return send_failure(exc)
            following = answer.next_request
            if following is None:
                return answer
            answer.close()  # a redirect's body is never read
            hops += 1
            if hops > MAX_REDIRECTS:
                return Failure(
                    "redirects",
                    ResponseError,
                    f"more than {MAX_REDIRECTS} redirects",
                    answer.status_code,
                    retryable=False,
                )
            # GitHub answers a renamed repository with a 301: the hop is a request too.
            turn = limiter.next_turn() if limiter is not None else None
            if turn is not None and turn.waited > 0:
                self._count_wait(source.name, "pacing", turn.waited)
            outgoing = following

    def _read(self, source: SourceSettings, answer: httpx.Response) -> bytes | Failure:
        body, received = read_body(answer, self.settings.max_response_bytes)
        self._count(source.name, bytes_received=received)
        return body

    def _classify(
        self,
        request: Request,
        source: SourceSettings,
        answer: httpx.Response,
        body: bytes,
        etag: str | None,
    ) -> Response | Failure | _NotModified:
        status = answer.status_code
        headers = {k.lower(): v for k, v in answer.headers.items()}
        final_url = redact_url(str(answer.url), self._secrets)
        _LOG.debug("%s %s %s %s", source.name, request.method, final_url, status)
        if source.name == "github":
            self._github_budgets.note(request.url, headers)
        if source.name == "hf":  # 429s announce the window too
            self._hf_window.note(headers, self._clock.monotonic())

        if status == 304 and etag is not None:
            return _NOT_MODIFIED
        if 200 <= status < 300 or status in request.answer_statuses:
            if status != 204:
                problem = body_problem(body, request.expect, headers.get("content-type", ""))
                if problem is not None:
                    return dataclasses.replace(problem, status=status)
                if request.expect == "json":
                    body = valid_unicode_json(body)
            return Response(request, status, body, headers, url=final_url)

        return refusal(
            source.name, status, headers, body, now=self._clock.time(), floor=source.min_interval
        )

    def _await_github_budget(self, request: Request, started: float) -> None:
        if request.source != "github" or not self._rate_limit:
            return
        wait = self._github_budgets.wait_before(request.url, self._clock.time())
        if wait is None:
            return
        elapsed = self._clock.monotonic() - started
        if elapsed + wait > self.settings.retry_budget:
            raise self._breakers["github"].trip_throttled(
                f"primary rate limit exhausted (x-ratelimit-remaining 0) for {wait:.0f}s more, "
                f"longer than the retry budget of {self.settings.retry_budget:g}s",
            )
        _LOG.info("github primary rate limit exhausted; waiting %.0fs for the reset", wait)
        self._clock.sleep(wait)
        self._count_wait("github", "server", wait)

    def _await_hf_window(self, request: Request) -> None:
        # The Hub's window: wait out a spent one, never more than one window per run;
        # past that the budget is spent for the run, so the Hub's breaker opens and
        # the remaining rows are skipped with the reason.
        if request.source != "hf" or not self._rate_limit:
            return
        try:
            wait = self._hf_window.wait_before(self._clock.monotonic())
        except RateLimitError as exc:
            raise self._breakers["hf"].trip_throttled(exc.message) from exc
        if wait is not None:
            _LOG.info("hf window budget spent; waiting %.0fs for the next window", wait)
            self._clock.sleep(wait)
            self._count_wait("hf", "server", wait)

    # -- helpers ------------------------------------------------------------

    def _build(self, request: Request, etag: str | None) -> httpx.Request:
        headers: dict[str, str] = {}
        if request.source == "github":
            headers["Accept"] = GITHUB_ACCEPT
            headers["X-GitHub-Api-Version"] = GITHUB_API_VERSION
            if self.settings.github_token is not None:
                headers["Authorization"] = f"Bearer {self.settings.github_token.get_secret_value()}"
            if etag is not None:
                headers["If-None-Match"] = etag
        elif request.source == "s2" and self.settings.s2_api_key is not None:
            headers["x-api-key"] = self.settings.s2_api_key.get_secret_value()
        elif request.source == "hf" and self.settings.hf_token is not None:
            headers["Authorization"] = f"Bearer {self.settings.hf_token.get_secret_value()}"
        content = request.body_bytes()
        if content is not None:
            headers["Content-Type"] = "application/json"
        return self._http.build_request(
            request.method, request.full_url, content=content, headers=headers
        )

    def _guard_credentials(self, http_request: httpx.Request) -> None:
        for header, hosts in self._credential_hosts.items():
            if header in http_request.headers and http_request.url.host not in hosts:
                del http_request.headers[header]

    def _store(self, request: Request, source: SourceSettings, key: str, answer: Response) -> None:
        if self._cache is None:
            return
        ttl = source.not_found_ttl if answer.status in request.not_found_statuses else source.ttl
        entry = CacheEntry(
            status=answer.status,
            content=answer.content,
            headers=dict(answer.headers),
            url=answer.url,
            stored_at=self._clock.time(),
        )
        self._cache.set(key, entry, ttl)

    def _revalidated(
        self, request: Request, source: SourceSettings, key: str, cached: CacheEntry | None
    ) -> Response:
        if cached is None:  # pragma: no cover - a 304 is only accepted after If-None-Match
            raise ResponseError("304 without a cached answer", source=source.name)
        self._count(source.name, not_modified=1)
        response = _response_from_entry(request, cached, from_cache=False)
        self._store(request, source, key, response)
        return response

    def _count_wait(self, name: str, kind: WaitKind, seconds: float) -> None:
        with self._lock:
            stats = self._stats[name]
            if kind == "pacing":
                stats.pacing_seconds += seconds
            elif kind == "server":
                stats.server_wait_seconds += seconds
            else:
                stats.backoff_seconds += seconds

    def _note_retry(self, name: str, failure: Failure, attempt: int, delay: float) -> None:
        with self._lock:
            self._stats[name].retries[failure.reason] += 1
        _LOG.info(
            "%s %s: %s; attempt %d of %d in %.1fs",
            name,
            failure.reason,
            scrub(failure.message, self._secrets),
            attempt,
            self.settings.max_attempts,
            delay if self._rate_limit else 0.0,
        )

    def _count(
        self,
        name: str,
        *,
        requests: int = 0,
        cache_hits: int = 0,
        bytes_received: int = 0,
        errors: int = 0,
        not_modified: int = 0,
        skipped: int = 0,
    ) -> None:
        with self._lock:
            s = self._stats[name]
            s.requests += requests
            s.cache_hits += cache_hits
            s.bytes_received += bytes_received
            s.errors += errors
            s.not_modified += not_modified
            s.skipped += skipped

    def _error(
        self,
        request: Request,
        failure: Failure,
        note: str = "",
        *,
        retry_after: float | None = None,
    ) -> SourceError:
        message = f"{failure.message}; {note}" if note else failure.message
        if retry_after is None and issubclass(failure.kind, RateLimitError):
            retry_after = failure.delay
        return failure.kind(
            scrub(message, self._secrets),
            source=request.source,
            url=redact_url(request.full_url, self._secrets),
            status=failure.status,
            retry_after=retry_after,
        )


def _response_from_entry(request: Request, entry: CacheEntry, *, from_cache: bool) -> Response:
    return Response(
        request,
        entry.status,
        entry.content,
        dict(entry.headers),
        url=entry.url or request.full_url,
        from_cache=from_cache,
    )
