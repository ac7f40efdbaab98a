"""The fake Hugging Face Hub papers API: ``api/papers/{id}``, ``api/daily_papers``, ``api/papers/search``.

Shapes follow ``shared/api-samples/hf`` (the ``paper`` objects of a real
``/api/daily_papers`` answer; ``/api/papers/{id}`` serves that object on its
own): bare arXiv ids, ``publishedAt`` at midnight UTC with milliseconds,
optional keys (``githubRepo``, ``githubStars``, ``projectPage``, ``ai_*``)
absent rather than null.  Rate rules follow hub-docs ``rate-limits.md``: fixed
5-minute windows of 500 requests per IP, 1,000 per token, announced on every
answer by ``RateLimit`` / ``RateLimit-Policy`` and refused with 429 past them.
The body of the 404 and the 429 was not recorded anywhere we could find; the
fake answers ``{"error": ...}`` JSON, and enrich does not read either body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import threading
from dataclasses import dataclass
from typing import Any, Final

from enrich._clock import Clock
from enrich.testing._common import Reply, Request, http_date, json_body, stable_int
from enrich.testing._corpus import Corpus, FakeHFPaper

__all__ = ["HFService"]

# hub-docs docs/hub/rate-limits.md: Hub API bucket, 5-minute fixed windows.
WINDOW: Final = 300.0
ANON_QUOTA: Final = 500
TOKEN_QUOTA: Final = 1000
DAILY_LIMIT_MAX: Final = 100
SEARCH_QUERY_MAX: Final = 250
SEARCH_LIMIT_MAX: Final = 120
JSON_TYPE: Final = "application/json; charset=utf-8"


@dataclass
class _Window:
    start: float
    used: int = 0


def _iso_ms(value: dt.datetime) -> str:
    utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _object_id(*parts: object) -> str:
    return f"{stable_int('hf-oid', *parts):024x}"[-24:]


class HFService:
    """Answers the Hub paper routes from a corpus's ``hf`` list."""

    source = "hf"

    def __init__(
        self, corpus: Corpus, *, seed: int, clock: Clock, time_scale: float, enforce: bool
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.time_scale = time_scale
        self.enforce = enforce
        self.by_id: dict[str, FakeHFPaper] = {p.arxiv_id.lower(): p for p in corpus.hf}
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        # rate_check and handle run on the same thread for one request.
        self._local = threading.local()

    # -- the window budget ---------------------------------------------------------

    @staticmethod
    def identity(req: Request) -> tuple[str, int]:
        header = req.headers.get("authorization", "").strip()
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            digest = hashlib.sha256(token.strip().encode()).hexdigest()[:16]
            return f"token:{digest}", TOKEN_QUOTA
        return f"ip:{req.client}", ANON_QUOTA

    def _headers(self, quota: int, window: _Window) -> dict[str, str]:
        length = WINDOW / self.time_scale
        left = max(0.0, window.start + length - self.clock.monotonic())
        return {
            "Content-Type": JSON_TYPE,
            "Date": http_date(self.clock.time()),
            "RateLimit": f'"api";r={max(quota - window.used, 0)};t={math.ceil(left)}',
            "RateLimit-Policy": f'"fixed window";"api";q={quota};w={math.ceil(length)}',
        }

    def charge(self, req: Request) -> tuple[bool, dict[str, str]]:
        """Count one request: ``(within budget, the rate headers to send)``."""
        identity, quota = self.identity(req)
        now = self.clock.monotonic()
        with self._lock:
            window = self._windows.get(identity)
            if window is None or now >= window.start + WINDOW / self.time_scale:
                window = self._windows[identity] = _Window(now)
            allowed = window.used < quota
            if allowed:
                window.used += 1
            return allowed, self._headers(quota, window)

    def rate_check(self, req: Request) -> Reply | None:
        """The 429 if this request is past the window's quota, else None (and it is counted)."""
        allowed, headers = self.charge(req)
        if allowed:
            self._local.headers = headers
            return None
        body = {"error": "You have exceeded our rate limit. Please retry after the window resets."}
        return Reply(429, headers, json_body(body, compact=True))

    # -- routes ----------------------------------------------------------------------

    def describe(self, req: Request) -> tuple[str, tuple[str, ...]]:
        rest = req.rest.strip("/")
        if rest == "api/daily_papers":
            return "daily_papers", ()
        if rest == "api/papers/search":
            return "search", ()
        if rest.startswith("api/papers/"):
            return "papers", (rest.removeprefix("api/papers/"),)
        return "other", ()

    def handle(self, req: Request) -> Reply:
        charged: dict[str, str] | None = getattr(self._local, "headers", None)
        self._local.headers = None
        headers = dict(charged) if charged else self.charge(req)[1]
        endpoint, ids = self.describe(req)
        if req.method != "GET":
            return self._error(405, "Method not allowed", headers)
        if endpoint == "papers":
            paper = self.by_id.get(ids[0].lower())
            if paper is None:
                return self._error(404, "Paper not found", headers)
            return Reply(200, headers, json_body(self.paper_json(paper), compact=True))
        if endpoint == "daily_papers":
            return self._daily(req, headers)
        if endpoint == "search":
            return self._search(req, headers)
        return self._error(404, "Not found", headers)

    def _daily(self, req: Request, headers: dict[str, str]) -> Reply:
        limit = _int(req.param("limit"), 50)
        page = _int(req.param("p"), 0)
        if limit is None or page is None or not 1 <= limit <= DAILY_LIMIT_MAX or page < 0:
            return self._error(400, f"limit must be between 1 and {DAILY_LIMIT_MAX}", headers)
        papers = sorted(self.by_id.values(), key=lambda p: (p.published, p.arxiv_id), reverse=True)
        date = req.param("date")
        if date:
            papers = [p for p in papers if p.published.date().isoformat() == date]
        chosen = papers[page * limit : (page + 1) * limit]
        return Reply(200, headers, json_body([self.daily_json(p) for p in chosen], compact=True))

    def _search(self, req: Request, headers: dict[str, str]) -> Reply:
        query = " ".join((req.param("q") or "").split()).lower()
        limit = _int(req.param("limit"), SEARCH_LIMIT_MAX)
        if not query or len(query) > SEARCH_QUERY_MAX:
            return self._error(400, f"q must have 1 to {SEARCH_QUERY_MAX} characters", headers)
        if limit is None or not 1 <= limit <= SEARCH_LIMIT_MAX:
            return self._error(400, f"limit must be between 1 and {SEARCH_LIMIT_MAX}", headers)
        words = query.split()
        hits = [p for p in self.by_id.values() if all(w in p.title.lower() for w in words)]
        return Reply(200, headers, json_body([self.daily_json(p) for p in hits[:limit]]))

    @staticmethod
    def _error(status: int, message: str, headers: dict[str, str]) -> Reply:
        return Reply(status, headers, json_body({"error": message}, compact=True))

    # -- shapes ------------------------------------------------------------------------

    def paper_json(self, paper: FakeHFPaper) -> dict[str, Any]:
        """The paper object, keys in the recorded order, optional keys absent when unset."""
        published = paper.published.replace(hour=0, minute=0, second=0, microsecond=0)
        data: dict[str, Any] = {
            "id": paper.arxiv_id,
            "authors": [
                {"_id": _object_id(self.seed, paper.arxiv_id, n), "name": name, "hidden": False}
                for n, name in enumerate(paper.authors)
            ],
            "publishedAt": _iso_ms(published),
            "submittedOnDailyAt": _iso_ms(published + dt.timedelta(days=1)),
            "title": paper.title,
            "summary": paper.summary,
            "upvotes": paper.upvotes,
            "discussionId": _object_id(self.seed, paper.arxiv_id, "discussion"),
        }
        if paper.project_page is not None:
            data["projectPage"] = paper.project_page
        if paper.github_repo is not None:
            data["githubRepo"] = paper.github_repo
            data["githubRepoAddedBy"] = "user"
            if paper.github_stars is not None:
                data["githubStars"] = paper.github_stars
        if paper.ai_summary is not None:
            data["ai_summary"] = paper.ai_summary
        if paper.ai_keywords is not None:
            data["ai_keywords"] = list(paper.ai_keywords)
            data["ai_summary_model"] = "Qwen/Qwen2.5-Coder-32B-Instruct"
        return data

    def daily_json(self, paper: FakeHFPaper) -> dict[str, Any]:
        """A ``daily_papers`` wrapper: the paper plus the listing's own fields."""
        inner = self.paper_json(paper)
        # The wrapper's date is the US-Eastern listing day shown as UTC (4 h earlier).
        listed = paper.published.replace(hour=0, minute=0, second=0, microsecond=0)
        return {
            "paper": inner,
            "publishedAt": _iso_ms(listed - dt.timedelta(hours=4)),
            "title": paper.title,
            "summary": paper.summary,
            "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/"
            f"{paper.arxiv_id}.png",
            "numComments": paper.num_comments,
            "isAuthorParticipating": False,
        }

    # -- fault shapes --------------------------------------------------------------------

    def server_error(self, status: int) -> Reply:
        return Reply(
            status,
            {"Content-Type": JSON_TYPE, "Date": http_date(self.clock.time())},
            json_body({"error": "Internal Error"}, compact=True),
        )

    def throttled(self) -> Reply:
        # An injected 429 (a burst from other users of the IP): a window about to reset.
        length = WINDOW / self.time_scale
        start = self.clock.monotonic() - length + min(2.0, length)
        headers = self._headers(ANON_QUOTA, _Window(start, ANON_QUOTA))
        return Reply(429, headers, json_body({"error": "Too Many Requests"}, compact=True))

    def html_page(self) -> Reply:
        body = (
            b"<!DOCTYPE html><html><head><title>502</title></head><body>Bad gateway</body></html>"
        )
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body)


def _int(value: str | None, default: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return None
