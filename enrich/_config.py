"""Settings: one frozen object, built once and passed down.

Precedence, lowest first: the named defaults below, then environment variables
(``ENRICH_*``, ``GITHUB_TOKEN``, ``S2_API_KEY``, ``HF_TOKEN``), then explicit keyword
arguments (which is what CLI flags become).  Every default is the real
service's published figure, with its source, so a live run is polite by default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from enrich._exceptions import ConfigError
from enrich._match import DEFAULT_THRESHOLD as DEFAULT_MATCH_THRESHOLD
from enrich._version import __version__

__all__ = ["SOURCES", "Settings", "SourceSettings"]

#: The one key per source: cache namespace, rate bucket, ``--sources`` value, column prefix.
SOURCES: Final = ("arxiv", "s2", "github", "hf")

DEFAULT_ARXIV_URL: Final = "https://export.arxiv.org/api/query"
DEFAULT_S2_URL: Final = "https://api.semanticscholar.org/graph/v1"
DEFAULT_GITHUB_URL: Final = "https://api.github.com"

# arXiv ToU: "no more than one request every three seconds ... a single connection
# at a time" (https://info.arxiv.org/help/api/tou.html).
DEFAULT_ARXIV_MIN_INTERVAL: Final = 3.0
# Semantic Scholar: the introductory keyed rate is 1 RPS across all endpoints
# (https://www.semanticscholar.org/product/api); unauthenticated callers share a
# pool that throttles batch jobs almost at once, so 1 RPS is the polite floor too.
DEFAULT_S2_MIN_INTERVAL: Final = 1.0
# GitHub has no fixed spacing; its secondary limit allows 900 REST points per
# minute (docs: rate-limits-for-the-rest-api), i.e. one GET every 1/15 s.  The
# primary budget is paced from the x-ratelimit-* headers instead.
DEFAULT_GITHUB_MIN_INTERVAL: Final = 60.0 / 900.0

# arXiv: long GET id lists hit 414, about 100 ids per request is safe
# (nathangrigg/arxiv2bib PR #12).
DEFAULT_ARXIV_BATCH_SIZE: Final = 100
# arXiv title search: titles OR-ed into one search_query.  Measured in
# benchmarks/ (issue #11): 20 halves the title searches of 10 at equal
# precision and recall; the longest such URL on the seed pages is about 2,500
# characters, far under the lengths at which servers answer 414 (commonly 8 KB).
DEFAULT_ARXIV_TITLES_PER_QUERY: Final = 20
# S2 POST /paper/batch: "Can only process 500 paper ids at a time" (API docs).
DEFAULT_S2_BATCH_SIZE: Final = 500
# GitHub GraphQL: aliased repository() lookups per query; no connections, so each
# query costs the minimum 1 point (GraphQL rate-limit docs).
DEFAULT_GITHUB_BATCH_SIZE: Final = 50

#: Seconds any single socket operation (connect, a read, a write) may take.
DEFAULT_TIMEOUT: Final = 30.0
# Seconds one attempt may take in all, from connect to the last body byte.  A
# server that trickles (one byte a second) never trips the per-read timeout; this
# bounds it.  Generous next to the slowest honest answers we know of: an S2 batch
# of 500 papers or an arXiv id_list of 100 answers in seconds, and GitHub's
# GraphQL gives up itself after 10 s (GraphQL rate-limit docs).
DEFAULT_DEADLINE: Final = 60.0
# Added to every source's interval, measured between requests on the wire: it
# absorbs jitter between our stamp (headers written) and the service's arrival
# clock, so "one request every three seconds" holds as the service counts it.
DEFAULT_PACING_MARGIN: Final = 0.05
# The breaker (enrich/_breaker.py): a source that refuses this many attempts in
# a row, or keeps refusing for this long, is not asked again in the run.  Sized
# so a throttled source costs at most 6 requests and about 30 s (a throttled
# arXiv, 3 s apart with no Retry-After, opens on time after 4-6 requests), while a
# 429 burst or a blip of a few seconds on a working service never opens it.  As
# many as the attempts of one request: a request that exhausts its attempts on
# refusals opens the breaker, so its rows read "skipped", like the rest.
DEFAULT_BREAKER_FAILURES: Final = 6
DEFAULT_BREAKER_SECONDS: Final = 30.0
# A DNS failure or a refused connection is retried once (a resolver hiccup or a
# restarting proxy), then the source is unreachable for the run.
DEFAULT_UNREACHABLE_ATTEMPTS: Final = 2
DEFAULT_MAX_ATTEMPTS: Final = 6
#: Longest total time (s) spent retrying one request before giving up.
DEFAULT_RETRY_BUDGET: Final = 600.0
DEFAULT_BACKOFF_BASE: Final = 2.0
DEFAULT_BACKOFF_MAX: Final = 120.0
#: Answers larger than this are refused (S2 batches are capped at 10 MB upstream).
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024

_DAY: Final = 86_400.0
# arXiv metadata of a given version is immutable; a new version can appear, so a month.
DEFAULT_ARXIV_TTL: Final = 30 * _DAY
# Citation counts and stars move daily.
DEFAULT_S2_TTL: Final = 1 * _DAY
DEFAULT_GITHUB_TTL: Final = 1 * _DAY
# New arXiv papers reach Semantic Scholar days later (iai-group/arXivDigest #40),
# so a "not found" is worth re-asking sooner than a found record.
DEFAULT_NOT_FOUND_TTL: Final = 6 * 3600.0

# S2 GET /paper/search/bulk as a batched title lookup (issue #11).  The API docs
# give 1,000 papers a page and a continuation token, but no maximum query
# length, so the figures below are conservative choices, not published limits:
# titles OR-ed per query (0 turns the tier off, in case the live service
# disagrees with its documentation) ...
DEFAULT_S2_TITLE_BATCH: Final = 20
# ... characters of the query before URL encoding (about the longest arXiv
# query enrich sends, far under the 8 KB URLs CDNs commonly accept) ...
DEFAULT_S2_BULK_MAX_CHARS: Final = 1500
# ... and pages read per query (1,000 papers each) before the group is split in
# halves: a page that overflows means some title is quoted in many abstracts.
DEFAULT_S2_BULK_MAX_PAGES: Final = 2
# A bulk answer that held no paper with the title (nothing passed the matcher,
# pages all read) is Semantic Scholar's "not found", like a 404 from
# /paper/search/match: by default the title is not asked again one by one when
# arXiv also searches it (a title S2 knows under a typo is then found through
# arXiv's loose search and the id it finds).  False asks every miss again.
DEFAULT_S2_BULK_MISS_IS_FINAL: Final = True
#: Which service searches titles first (see enrich/_pipeline.py).  Chosen by
#: measurement in benchmarks/ (issue #11): with the bulk tier both orders send
#: about as many requests, and arXiv first is faster, because its title
#: searches (the critical path) start at once instead of after S2's bulk pass.
TITLE_ORDERS: Final = ("arxiv_first", "s2_first")
DEFAULT_TITLE_ORDER: Final = "arxiv_first"
# -- Hugging Face Hub (issue #13) ---------------------------------------------------
DEFAULT_HF_URL: Final = "https://huggingface.co"
# Hub API bucket, "All quotas are calculated over 5-minute fixed windows": anonymous
# 500 requests per IP, a free account's token 1,000 (huggingface/hub-docs,
# docs/hub/rate-limits.md, tiers of September 2025).
DEFAULT_HF_WINDOW_SECONDS: Final = 300.0
DEFAULT_HF_WINDOW_BUDGET: Final = 500
DEFAULT_HF_WINDOW_BUDGET_TOKEN: Final = 1000
# No spacing within a window: the Hub documents only the window budget, defined over
# 5 minutes "which allows for some level of burstiness" (rate-limits.md).  enrich sends
# one request at a time and reads the budget left from the RateLimit header, waiting
# for the reset when it is spent.  window / budget (0.6 s anonymous) spreads a window's
# budget evenly instead: set ENRICH_HF_MIN_INTERVAL=0.6 for that.
DEFAULT_HF_MIN_INTERVAL: Final = 0.0
# Upvotes and the pinned repository's star snapshot move daily, like GitHub's stars.
DEFAULT_HF_TTL: Final = 1 * _DAY


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """The per-source view of :class:`Settings` used by the client and adapters."""

    name: str
    url: str
    min_interval: float
    ttl: float
    not_found_ttl: float
    batch_size: int
    #: title-match acceptance threshold on the [0, 1] score (see enrich/_match.py)
    match_threshold: float
    #: at most this many requests in flight to the source at once
    max_connections: int


class Settings(BaseModel):
    """Every knob of enrich, frozen.  Build with :meth:`Settings.from_env`.

    Credentials are :class:`pydantic.SecretStr`; they print as ``**********``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    arxiv_url: str = DEFAULT_ARXIV_URL
    s2_url: str = DEFAULT_S2_URL
    github_url: str = DEFAULT_GITHUB_URL

    arxiv_min_interval: float = Field(DEFAULT_ARXIV_MIN_INTERVAL, ge=0)
    s2_min_interval: float = Field(DEFAULT_S2_MIN_INTERVAL, ge=0)
    github_min_interval: float = Field(DEFAULT_GITHUB_MIN_INTERVAL, ge=0)

    arxiv_batch_size: int = Field(DEFAULT_ARXIV_BATCH_SIZE, ge=1, le=2000)
    arxiv_titles_per_query: int = Field(DEFAULT_ARXIV_TITLES_PER_QUERY, ge=1, le=50)
    s2_batch_size: int = Field(DEFAULT_S2_BATCH_SIZE, ge=1, le=500)
    github_batch_size: int = Field(DEFAULT_GITHUB_BATCH_SIZE, ge=1, le=100)

    arxiv_ttl: float = Field(DEFAULT_ARXIV_TTL, ge=0)
    s2_ttl: float = Field(DEFAULT_S2_TTL, ge=0)
    github_ttl: float = Field(DEFAULT_GITHUB_TTL, ge=0)
    not_found_ttl: float = Field(DEFAULT_NOT_FOUND_TTL, ge=0)

    match_threshold: float = Field(DEFAULT_MATCH_THRESHOLD, gt=0, le=1)

    github_token: SecretStr | None = None
    s2_api_key: SecretStr | None = None
    mailto: str | None = None

    hf_url: str = DEFAULT_HF_URL
    #: seconds between Hub requests (0: as fast as one connection goes, within the
    #: window budget; ``hf_window_seconds / hf_budget`` spreads the budget evenly)
    hf_min_interval: float = Field(DEFAULT_HF_MIN_INTERVAL, ge=0)
    hf_ttl: float = Field(DEFAULT_HF_TTL, ge=0)
    hf_window_seconds: float = Field(DEFAULT_HF_WINDOW_SECONDS, gt=0)
    #: requests per window; None: 500 anonymous, 1,000 with ``hf_token``
    hf_window_budget: int | None = Field(None, ge=1)
    hf_token: SecretStr | None = None

    cache_dir: Path | None = None
    use_cache: bool = True

    timeout: float = Field(DEFAULT_TIMEOUT, gt=0)
    deadline: float = Field(DEFAULT_DEADLINE, gt=0)
    pacing_margin: float = Field(DEFAULT_PACING_MARGIN, ge=0)
    breaker_failures: int = Field(DEFAULT_BREAKER_FAILURES, ge=1)
    breaker_seconds: float = Field(DEFAULT_BREAKER_SECONDS, ge=0)
    unreachable_attempts: int = Field(DEFAULT_UNREACHABLE_ATTEMPTS, ge=1)
    max_attempts: int = Field(DEFAULT_MAX_ATTEMPTS, ge=1)
    retry_budget: float = Field(DEFAULT_RETRY_BUDGET, ge=0)
    backoff_base: float = Field(DEFAULT_BACKOFF_BASE, ge=0)
    backoff_max: float = Field(DEFAULT_BACKOFF_MAX, ge=0)
    max_response_bytes: int = Field(DEFAULT_MAX_RESPONSE_BYTES, ge=1024)

    s2_title_batch: int = Field(DEFAULT_S2_TITLE_BATCH, ge=0, le=100)
    s2_bulk_max_chars: int = Field(DEFAULT_S2_BULK_MAX_CHARS, ge=100, le=8000)
    s2_bulk_max_pages: int = Field(DEFAULT_S2_BULK_MAX_PAGES, ge=1, le=10)
    title_order: Literal["arxiv_first", "s2_first"] = DEFAULT_TITLE_ORDER
    s2_bulk_miss_is_final: bool = DEFAULT_S2_BULK_MISS_IS_FINAL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, /, **overrides: Any) -> Settings:
        """Defaults, then ``env`` (``os.environ`` by default), then ``overrides``.

        Overrides whose value is ``None`` are ignored, so CLI flags that were not
        given fall through to the environment.

        Raises:
            ConfigError: a value that does not parse, or an unknown setting.

        >>> Settings.from_env({"ENRICH_S2_MIN_INTERVAL": "2"}).s2_min_interval
        2.0
        """
        environ = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in cls.model_fields:
            name = _ENV_NAMES.get(field, f"ENRICH_{field.upper()}")
            raw = environ.get(name)
            if raw is not None and raw.strip() != "":
                values[field] = raw.strip()
        unknown = sorted(set(overrides) - set(cls.model_fields))
        if unknown:
            raise ConfigError(
                f"unknown setting(s) {', '.join(unknown)}; valid: {', '.join(cls.model_fields)}"
            )
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{_ENV_NAMES.get(str(e['loc'][0]), str(e['loc'][0]))}: {e['msg']}"
                for e in exc.errors()
            )
            raise ConfigError(f"invalid settings: {problems}") from None

    def source(self, name: str) -> SourceSettings:
        """The settings of one source (``"arxiv"``, ``"s2"`` or ``"github"``)."""
        if name not in SOURCES:
            raise ConfigError(f"unknown source {name!r}; valid sources: {', '.join(SOURCES)}")
        batch = {
            "arxiv": self.arxiv_batch_size,
            "s2": self.s2_batch_size,
            "github": self.github_batch_size,
            "hf": 1,  # the Hub has no lookup by a list of ids
        }[name]
        return SourceSettings(
            name=name,
            url=str(getattr(self, f"{name}_url")).rstrip("/"),
            min_interval=float(getattr(self, f"{name}_min_interval")),
            ttl=float(getattr(self, f"{name}_ttl")),
            not_found_ttl=self.not_found_ttl,
            batch_size=batch,
            match_threshold=self.match_threshold,
            # arXiv: "limit requests to a single connection at a time" (ToU).
            # GitHub: "avoid concurrent requests" (REST best practices).
            # The Hub: one at a time, so the RateLimit count read last is never stale by
            # more than the request in flight.
            max_connections=1 if name in ("arxiv", "github", "hf") else 2,
        )

    @property
    def hf_budget(self) -> int:
        """Requests allowed per Hub window: the setting, else the documented tier."""
        if self.hf_window_budget is not None:
            return self.hf_window_budget
        if self.hf_token is not None:
            return DEFAULT_HF_WINDOW_BUDGET_TOKEN
        return DEFAULT_HF_WINDOW_BUDGET

    @property
    def user_agent(self) -> str:
        """``enrich/<version>``, plus the contact address when ``mailto`` is set."""
        agent = f"enrich/{__version__} (+https://pypi.org/project/enrich-papers/"
        if self.mailto:
            agent += f"; mailto:{self.mailto}"
        return agent + ")"

    def resolved_cache_dir(self) -> Path:
        """``cache_dir`` if set, else the per-user cache directory for enrich."""
        if self.cache_dir is not None:
            return Path(self.cache_dir).expanduser()
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("enrich", appauthor=False))


_ENV_NAMES: Final = {
    "github_token": "GITHUB_TOKEN",
    "s2_api_key": "S2_API_KEY",
    # The Hub's own variable, as huggingface_hub reads it.
    "hf_token": "HF_TOKEN",
}
