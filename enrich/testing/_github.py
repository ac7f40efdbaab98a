"""The fake GitHub API: ``repos/{owner}/{repo}``, ``repositories/{id}``, ``rate_limit``, ``graphql``.

Shapes follow ``shared/api-samples/github``: the full repository object, a 301
``Moved Permanently`` to ``/repositories/<id>`` for a former name, the modern 404
body with ``"status": "404"`` as a string, ``x-ratelimit-*`` headers on every
answer, weak ETags honoured with 304, primary budget exhaustion as 403 with
``x-ratelimit-remaining: 0``, secondary limits as 403 with ``Retry-After``, a
missing User-Agent refused like the 2013 recording, and GraphQL errors inside
HTTP 200 (except bad or missing credentials: 401).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from enrich._clock import Clock
from enrich.testing._common import (
    Reply,
    Request,
    http_date,
    iso_z,
    json_body,
    stable_int,
)
from enrich.testing._corpus import Corpus, FakeRepo
from enrich.testing._github_json import epoch, repo_json
from enrich.testing._graphql import (
    GraphQLSyntaxError,
    execute,
    parse,
    repository_args,
)

__all__ = ["GitHubService"]

# Primary limits: 60/h unauthenticated, 5,000/h with a token, 5,000 points/h for
# GraphQL (GitHub docs, rate-limits-for-the-rest-api / graphql rate limits).
UNAUTH_LIMIT: Final = 60
AUTH_LIMIT: Final = 5000
GRAPHQL_LIMIT: Final = 5000
HOUR: Final = 3600.0
# Secondary limits: at most 100 concurrent requests, 900 REST points and 2,000
# GraphQL points per minute (secondary-rate-limit-rest-graphql.md).
MAX_CONCURRENT: Final = 100
REST_PER_MINUTE: Final = 900
GRAPHQL_PER_MINUTE: Final = 2000
SECONDARY_RETRY_AFTER: Final = 60.0

_OTHER_BUCKETS: Final = (
    ("integration_manifest", 5000), ("source_import", 100), ("code_scanning_upload", 1000),
    ("code_scanning_autofix", 10), ("actions_runner_registration", 10000), ("scim", 15000),
    ("dependency_snapshots", 100), ("audit_log", 1750), ("audit_log_streaming", 15),
    ("code_search", 10),
)  # fmt: skip

DOC_REPO: Final = "https://docs.github.com/rest/repos/repos#get-a-repository"
DOC_REDIRECT: Final = (
    "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
)
DOC_RATE: Final = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
DOC_SECONDARY: Final = f"{DOC_RATE}#about-secondary-rate-limits"
JSON_TYPE: Final = "application/json; charset=utf-8"


@dataclass
class _Window:
    start: float
    used: int = 0


@dataclass(frozen=True)
class _Caller:
    identity: str
    authenticated: bool
    bad_credentials: bool


class GitHubService:
    """Answers the REST and GraphQL routes enrich uses, from a corpus's repositories."""

    source = "github"

    def __init__(
        self,
        corpus: Corpus,
        *,
        seed: int,
        clock: Clock,
        time_scale: float,
        tokens: Collection[str] | None,
        enforce: bool,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.time_scale = time_scale
        self.tokens = None if tokens is None else frozenset(tokens)
        self.enforce = enforce
        self.by_name: dict[str, FakeRepo] = {}
        self.by_former: dict[str, FakeRepo] = {}
        self.by_id: dict[int, FakeRepo] = {}
        for repo in corpus.github:
            self.by_id[repo.repo_id] = repo
            if not repo.deleted:
                self.by_name[repo.full_name.lower()] = repo
        for repo in corpus.github:
            if not repo.deleted:
                for old in repo.former_names:
                    self.by_former.setdefault(old.lower(), repo)
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}
        self._recent: dict[tuple[str, str], deque[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self._request_no = 0

    # -- identity and budgets ------------------------------------------------

    def caller(self, req: Request) -> _Caller:
        header = req.headers.get("authorization", "").strip()
        if not header:
            return _Caller(f"ip:{req.client}", False, False)
        scheme, _, token = header.partition(" ")
        token = token.strip()
        accepted = scheme.lower() in {"bearer", "token"} and bool(token)
        if accepted and self.tokens is not None:
            accepted = token in self.tokens
        if not accepted:
            return _Caller(f"ip:{req.client}", False, True)
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        return _Caller(f"token:{digest}", True, False)

    def _window(self, identity: str, resource: str, now: float) -> _Window:
        key = (identity, resource)
        window = self._windows.get(key)
        if window is None or now >= window.start + HOUR / self.time_scale:
            window = self._windows[key] = _Window(now)
        return window

    def _limit(self, caller: _Caller, resource: str) -> int:
        if resource == "graphql":
            return GRAPHQL_LIMIT if caller.authenticated else 0
        return AUTH_LIMIT if caller.authenticated else UNAUTH_LIMIT

    def _rate_headers(self, caller: _Caller, resource: str, *, charge: int = 0) -> dict[str, str]:
        with self._lock:
            now = self.clock.time()
            window = self._window(caller.identity, resource, now)
            window.used += charge
            used = window.used
            reset = window.start + HOUR / self.time_scale
        limit = self._limit(caller, resource)
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used, 0)),
            "X-RateLimit-Reset": str(math.ceil(reset)),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": resource,
        }

    def _retry_after(self) -> str:
        return str(max(1, math.ceil(SECONDARY_RETRY_AFTER / self.time_scale)))

    def rate_check(self, req: Request, inflight: int) -> Reply | None:
        """The throttling answer if this request breaks a rate rule, else None."""
        if not req.headers.get("user-agent"):
            return None
        caller = self.caller(req)
        if caller.bad_credentials or (req.rest == "graphql" and not caller.authenticated):
            return None
        graphql = req.rest == "graphql"
        mono = self.clock.monotonic()
        with self._lock:
            if mono < self._blocked_until.get(caller.identity, -math.inf):
                secondary = True
            else:
                kind = "graphql" if graphql else "rest"
                recent = self._recent.setdefault((caller.identity, kind), deque())
                horizon = mono - 60.0 / self.time_scale
                while recent and recent[0] <= horizon:
                    recent.popleft()
                recent.append(mono)
                per_minute = GRAPHQL_PER_MINUTE if graphql else REST_PER_MINUTE
                secondary = inflight > MAX_CONCURRENT or len(recent) > per_minute
                if secondary and self.enforce:
                    self._blocked_until[caller.identity] = mono + float(self._retry_after())
            if not secondary and req.rest != "rate_limit":
                resource = "graphql" if graphql else "core"
                window = self._window(caller.identity, resource, self.clock.time())
                if window.used < self._limit(caller, resource):
                    return None
                exhausted = True
            else:
                exhausted = False
        if secondary:
            return self._secondary(caller, "graphql" if graphql else "core", status=403)
        if not exhausted:
            return None
        return self._exhausted(req, caller, graphql)

    def _secondary(self, caller: _Caller | None, resource: str, *, status: int) -> Reply:
        rid = self._request_id()
        body = {
            "documentation_url": DOC_SECONDARY,
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
            "before you try again. If you reach out to GitHub Support for help, please "
            f"include the request ID {rid}.",
        }
        headers = self._headers(rid)
        if caller is not None:
            headers |= self._rate_headers(caller, resource)
        headers["Retry-After"] = self._retry_after()
        return Reply(status, headers, json_body(body, compact=True))

    def _exhausted(self, req: Request, caller: _Caller, graphql: bool) -> Reply:
        rid = self._request_id()
        headers = self._headers(rid, graphql=graphql)
        headers |= self._rate_headers(caller, "graphql" if graphql else "core")
        if graphql:
            # The GraphQL primary limit still answers HTTP 200 with an error body.
            body: dict[str, Any] = {
                "errors": [
                    {
                        "type": "RATE_LIMITED",
                        "message": "API rate limit already exceeded for user ID 1.",
                    }
                ]
            }
            return Reply(200, headers, json_body(body, compact=True))
        who = "user ID 1" if caller.authenticated else req.client
        message = f"API rate limit exceeded for {who}."
        if not caller.authenticated:
            message += (
                " (But here's the good news: Authenticated requests get a higher rate limit."
                " Check out the documentation for more details.)"
            )
        body = {"message": message, "documentation_url": DOC_RATE}
        return Reply(403, headers, json_body(body, compact=True))

    # -- helpers -----------------------------------------------------------------

    def _request_id(self) -> str:
        with self._lock:
            self._request_no += 1
            n = self._request_no
        h = stable_int("gh-rid", self.seed, n)
        return f"{h & 0xFFFF:04X}:{h >> 16 & 0xFFFFFF:06X}:{h >> 40 & 0xFFFFFF:06X}:{n:07X}"

    def _headers(self, rid: str | None = None, *, graphql: bool = False) -> dict[str, str]:
        return {
            "Server": "github.com",
            "Date": http_date(self.clock.time()),
            "Content-Type": JSON_TYPE,
            "X-GitHub-Media-Type": "github.v4; format=json"
            if graphql
            else "github.v3; format=json",
            "x-github-api-version-selected": "2022-11-28",
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
            "X-GitHub-Request-Id": rid or self._request_id(),
        }

    def lookup(self, full_name: str) -> tuple[FakeRepo, bool] | None:
        """``(repo, moved)`` for a current or former ``owner/name`` (any case)."""
        key = full_name.lower()
        if key in self.by_name:
            return self.by_name[key], False
        if key in self.by_former:
            return self.by_former[key], True
        return None

    def find_for_graphql(self, owner: str, name: str) -> FakeRepo | None:
        found = self.lookup(f"{owner}/{name}")
        return found[0] if found else None  # GraphQL follows renames

    # -- routes ----------------------------------------------------------------

    def describe(self, req: Request) -> tuple[str, tuple[str, ...]]:
        parts = req.rest.strip("/").split("/")
        if parts[0] == "repos" and len(parts) == 3:
            return "repos", (f"{parts[1]}/{parts[2]}",)
        if parts[0] == "repositories" and len(parts) == 2:
            return "repositories", (parts[1],)
        if req.rest == "rate_limit":
            return "rate_limit", ()
        if req.rest == "graphql":
            try:
                payload = json.loads(req.body or b"{}")
                op = parse(payload["query"])
                variables = payload.get("variables") or {}
                ids = []
                for sel in op.selections:
                    if sel.name == "repository":
                        owner, name = repository_args(sel, variables)
                        ids.append(f"{owner}/{name}")
                return "graphql", tuple(ids)
            except (ValueError, KeyError, TypeError, AttributeError):
                return "graphql", ()
        return "unknown", ()

    def handle(self, req: Request) -> Reply:
        if not req.headers.get("user-agent"):
            # Refused before any accounting (missing_user_agent_403_legacy2013.json).
            body = {
                "message": "Missing or invalid User Agent string. "
                "See http://developer.github.com/v3/#user-agent-required"
            }
            headers = {"Content-Type": "application/octet-stream", "Server": "GitHub.com",
                       "Date": http_date(self.clock.time())}  # fmt: skip
            return Reply(403, headers, json_body(body, compact=True))
        caller = self.caller(req)
        graphql = req.rest == "graphql"
        if caller.bad_credentials:
            return self._unauthorized(graphql, "Bad credentials")
        if graphql:
            if req.method != "POST":
                return self._not_found(caller)
            if not caller.authenticated:
                return self._unauthorized(True, "This endpoint requires you to be authenticated.")
            return self._graphql(req, caller)
        if req.rest == "rate_limit":
            return self._rate_limit(caller)
        parts = req.rest.strip("/").split("/")
        if req.method in {"GET", "HEAD"} and parts[0] == "repos" and len(parts) == 3:
            found = self.lookup(f"{parts[1]}/{parts[2]}")
            if found is None:
                return self._not_found(caller, DOC_REPO)
            repo, moved = found
            if moved:
                return self._moved(req, caller, repo)
            return self._repo(req, caller, repo)
        if req.method in {"GET", "HEAD"} and parts[0] == "repositories" and len(parts) == 2:
            repo_or_none = self.by_id.get(int(parts[1])) if parts[1].isdigit() else None
            if repo_or_none is None or repo_or_none.deleted:
                return self._not_found(caller, DOC_REPO)
            return self._repo(req, caller, repo_or_none)
        return self._not_found(caller)

    def _unauthorized(self, graphql: bool, message: str) -> Reply:
        doc = "https://docs.github.com/graphql" if graphql else "https://docs.github.com/rest"
        headers = self._headers(graphql=graphql)
        # A rejected token gets an all-zero budget (graphql_bad_credentials_401.meta.json).
        headers |= {
            "X-RateLimit-Limit": "0",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(math.ceil(self.clock.time() + HOUR / self.time_scale)),
            "X-RateLimit-Used": "0",
            "X-RateLimit-Resource": "graphql" if graphql else "core",
        }
        body = {"message": message, "documentation_url": doc}
        return Reply(401, headers, json_body(body, compact=True))

    def _not_found(self, caller: _Caller, doc: str = "https://docs.github.com/rest") -> Reply:
        headers = self._headers() | self._rate_headers(caller, "core", charge=1)
        body = {"message": "Not Found", "documentation_url": doc, "status": "404"}
        return Reply(404, headers, json_body(body, compact=True))

    def _moved(self, req: Request, caller: _Caller, repo: FakeRepo) -> Reply:
        target = f"{req.base_url}/repositories/{repo.repo_id}"
        headers = self._headers() | self._rate_headers(caller, "core", charge=1)
        headers["Location"] = target
        body = {"message": "Moved Permanently", "url": target, "documentation_url": DOC_REDIRECT}
        return Reply(301, headers, json_body(body, compact=True))

    def _repo(self, req: Request, caller: _Caller, repo: FakeRepo) -> Reply:
        body = json_body(
            repo_json(repo, req.base_url, authenticated=caller.authenticated, seed=self.seed),
            compact=True,
        )
        etag = f'W/"{hashlib.sha256(body).hexdigest()}"'
        wanted = {
            tag.strip().removeprefix("W/").strip('"')
            for tag in req.headers.get("if-none-match", "").split(",")
            if tag.strip()
        }
        not_modified = etag.removeprefix("W/").strip('"') in wanted or "*" in wanted
        # A 304 is free only for an authorised request (GitHub docs, newer wording;
        # one project measured an unauthenticated 304 consuming quota).
        charge = 0 if (not_modified and caller.authenticated) else 1
        headers = self._headers() | self._rate_headers(caller, "core", charge=charge)
        headers |= {
            "Cache-Control": f"{'private' if caller.authenticated else 'public'}, max-age=60, s-maxage=60",
            "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
            "ETag": etag,
            "Last-Modified": http_date(epoch(repo.pushed_at or repo.created_at)),
        }
        if not_modified:
            del headers["Content-Type"]
            return Reply(304, headers, b"")
        return Reply(200, headers, body)

    def _rate_limit(self, caller: _Caller) -> Reply:
        # GET /rate_limit is free against the primary budget (GitHub docs).
        core = self._rate_headers(caller, "core")
        gql = self._rate_headers(caller, "graphql")

        def entry(h: dict[str, str]) -> dict[str, int]:
            return {
                "limit": int(h["X-RateLimit-Limit"]),
                "used": int(h["X-RateLimit-Used"]),
                "remaining": int(h["X-RateLimit-Remaining"]),
                "reset": int(h["X-RateLimit-Reset"]),
            }

        reset = int(core["X-RateLimit-Reset"])
        search_limit = 30 if caller.authenticated else 10

        def static(limit: int) -> dict[str, int]:
            return {"limit": limit, "used": 0, "remaining": limit, "reset": reset}

        body = {
            "resources": {
                "core": entry(core),
                "search": static(search_limit),
                "graphql": entry(gql),
                # Buckets the fake does not meter, at full budget (rate_limit_endpoint_200.json).
                **{name: static(limit) for name, limit in _OTHER_BUCKETS},
            },
            "rate": entry(core),
        }
        headers = self._headers() | core
        headers["Cache-Control"] = "no-cache"
        return Reply(200, headers, json_body(body, compact=True))

    def _graphql(self, req: Request, caller: _Caller) -> Reply:
        headers = self._headers(graphql=True)
        try:
            payload = json.loads(req.body or b"")
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except ValueError:
            body = {
                "message": "Problems parsing JSON",
                "documentation_url": "https://docs.github.com/graphql",
            }
            return Reply(
                400, headers | self._rate_headers(caller, "graphql"), json_body(body, compact=True)
            )
        query = payload.get("query")
        rate = self._rate_headers(caller, "graphql", charge=1)
        headers |= rate
        if not isinstance(query, str):
            message = "A query attribute must be specified and must be a string."
            return Reply(200, headers, json_body({"errors": [{"message": message}]}, compact=True))
        try:
            op = parse(query)
        except GraphQLSyntaxError as exc:
            error = {"message": str(exc), "locations": [{"line": exc.line, "column": exc.column}]}
            return Reply(200, headers, json_body({"errors": [error]}, compact=True))
        variables = payload.get("variables") or {}

        def rate_limit() -> dict[str, Any]:
            return {
                "cost": 1,
                "limit": int(rate["X-RateLimit-Limit"]),
                "remaining": int(rate["X-RateLimit-Remaining"]),
                "used": int(rate["X-RateLimit-Used"]),
                "resetAt": iso_z(float(rate["X-RateLimit-Reset"])),
                "nodeCount": len(op.selections),
            }

        body = execute(op, variables, self.find_for_graphql, rate_limit)
        return Reply(200, headers, json_body(body, compact=True))

    # -- fault shapes ------------------------------------------------------------

    def server_error(self, status: int) -> Reply:
        names = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable"}
        body = {
            "message": names.get(status, "Server Error"),
            "documentation_url": "https://docs.github.com/rest",
        }
        return Reply(status, self._headers(), json_body(body, compact=True))

    def throttled(self) -> Reply:
        return self._secondary(None, "core", status=429)

    def html_page(self) -> Reply:
        headers = self._headers()
        headers["Content-Type"] = "text/html; charset=utf-8"
        body = b"<!DOCTYPE html><html><head><title>Unicorn! - GitHub</title></head><body><p>No server is currently available to service your request.</p></body></html>"
        return Reply(200, headers, body)
