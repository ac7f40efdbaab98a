"""GitHub: repository facts by REST (one request per repo) or GraphQL (batched, token required).

GraphQL needs a token ("To communicate with the GraphQL server, you'll need an
OAuth token", GitHub docs), so without one the adapter falls back to REST,
which the client paces against the 60 requests/hour anonymous budget.
A renamed or transferred repository is followed (REST 301 by the client,
GraphQL by GitHub itself) and reported as ``moved`` with its canonical name; a
deleted one is ``exists=False``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

from enrich._config import SourceSettings
from enrich._exceptions import RateLimitError, ResponseError
from enrich._models import GitHubRecord
from enrich._wire import Request
from enrich.adapters.base import Adapter, Sender, answer_context, decode_json, register

__all__ = ["GitHubAdapter", "graphql_query", "parse_graphql", "parse_repo"]

_SOURCE: Final = "github"
# Plain fields only: with no connections, a query costs the minimum of 1 point
# however many aliases it holds (GraphQL rate-limit docs, cost formula).
_REPO_FIELDS: Final = (
    "databaseId nameWithOwner stargazerCount forkCount isArchived isFork pushedAt "
    "primaryLanguage { name } licenseInfo { spdxId name }"
)
# GitHub's license placeholder for "a license we could not identify".
_NO_ASSERTION: Final = "NOASSERTION"


@register
class GitHubAdapter(Adapter):
    """Fetch repository facts for ``owner/name`` links.

    Args:
        client: what sends requests (an :class:`enrich.Client`, which adds the token).
        settings: ``Settings.source("github")``.
        token_set: whether a token is configured; GraphQL is used only then.

    Attributes:
        uses_graphql: True when chunks go out as one GraphQL query each.
    """

    name = "github"

    def __init__(self, client: Sender, settings: SourceSettings, *, token_set: bool) -> None:
        super().__init__(client, settings)
        self.uses_graphql = token_set

    def build_repo_request(self, full_name: str) -> Request:
        """``GET {url}/repos/{owner}/{repo}``; a 404 (deleted repo) is an answer."""
        owner, repo = _split(full_name)
        return Request(
            source=self.name,
            method="GET",
            url=f"{self.settings.url}/repos/{quote(owner, safe='')}/{quote(repo, safe='')}",
            expect="json",
            answer_statuses=frozenset({404}),
        )

    def build_graphql_request(self, full_names: Sequence[str]) -> Request:
        """``POST {url}/graphql`` with one aliased ``repository`` lookup per name (a0, a1, ...)."""
        return Request(
            source=self.name,
            method="POST",
            url=f"{self.settings.url}/graphql",
            body={"query": graphql_query(full_names)},
            expect="json",
            # A GraphQL 404 would mean a wrong endpoint, never a missing repository.
            not_found_statuses=frozenset(),
        )

    def fetch_chunk(self, full_names: Sequence[str]) -> dict[str, GitHubRecord]:
        """Records keyed by the requested ``owner/name``, lower-cased.

        With GraphQL, up to ``batch_size`` names go out in one request; without,
        one REST request per name.  A repository GitHub reports as missing is
        ``GitHubRecord(exists=False)``.  A name whose lookup failed for another
        reason (a per-alias GraphQL error such as ``FORBIDDEN``) is absent from
        the result, so the caller can report it as an error for that row only.

        Raises:
            ValueError: a name that is not ``owner/name``, or more names than
                ``settings.batch_size`` with GraphQL.
            RateLimitError: GraphQL answered HTTP 200 with a ``RATE_LIMITED`` error.
            SourceError: whatever the client raises after its retries
                (a bad token is the client's ``AuthError``).
        """
        # GitHub names are case-insensitive: one lookup per distinct lower-cased name.
        first: dict[str, str] = {}
        for name in full_names:
            first.setdefault(name.lower(), name)
        unique = list(first.values())
        if not unique:
            return {}
        if not self.uses_graphql:
            return {name.lower(): self._fetch_rest(name) for name in unique}
        if len(unique) > self.settings.batch_size:
            raise ValueError(
                f"{len(unique)} repositories exceed the GitHub batch size {self.settings.batch_size}"
            )
        request = self.build_graphql_request(unique)
        response = self.client.send(request)
        with answer_context(request, response.status):
            return parse_graphql(decode_json(response), unique)

    def _fetch_rest(self, full_name: str) -> GitHubRecord:
        request = self.build_repo_request(full_name)
        response = self.client.send(request)
        if response.status == 404:
            return GitHubRecord(requested=full_name, exists=False)
        with answer_context(request, response.status):
            return parse_repo(decode_json(response), full_name)


def graphql_query(full_names: Sequence[str]) -> str:
    """The GraphQL document looking up every ``owner/name`` under aliases ``a0, a1, ...``.

    Owner and name are written as GraphQL string literals (JSON escaping is a
    valid subset of GraphQL's), so no input can break out of the string.  The
    selection is written out per alias rather than as a fragment: it is short,
    and the query stays readable in the cache and logs.

    >>> print(graphql_query(["octo/hello"]))  # doctest: +NORMALIZE_WHITESPACE
    query {
      a0: repository(owner: "octo", name: "hello") { databaseId nameWithOwner stargazerCount
        forkCount isArchived isFork pushedAt primaryLanguage { name } licenseInfo { spdxId name } }
    }
    """
    if not full_names:
        raise ValueError("graphql_query needs at least one repository")
    lines = ["query {"]
    for index, full_name in enumerate(full_names):
        owner, repo = _split(full_name)
        lines.append(
            f"  a{index}: repository(owner: {json.dumps(owner)}, name: {json.dumps(repo)})"
            f" {{ {_REPO_FIELDS} }}"
        )
    lines.append("}")
    return "\n".join(lines)


def parse_repo(payload: Mapping[str, Any], requested: str) -> GitHubRecord:
    """A REST ``GET /repos/{owner}/{repo}`` body as a record.

    The client follows a rename's 301 silently, so a move shows only as a
    ``full_name`` that differs from ``requested`` (case-insensitively; the
    owner can change too, on a transfer).

    Raises:
        ResponseError: ``payload`` is not a repository (e.g. the 301 body
            ``{"message": "Moved Permanently", "url": ...}`` of an unfollowed
            redirect, or an error body).

    >>> parse_repo({"full_name": "Octo/Hello", "id": 1}, "octo/hello").moved
    False
    """
    if not isinstance(payload, Mapping):
        raise ResponseError(f"repository is a {type(payload).__name__}", source=_SOURCE)
    full_name = _str(payload.get("full_name"))
    if full_name is None:
        message = _str(payload.get("message"))
        detail = f": {message!r}" if message is not None else ""
        raise ResponseError(f"answer is not a repository{detail}", source=_SOURCE)
    license_info = payload.get("license")
    return GitHubRecord(
        requested=requested,
        full_name=full_name,
        exists=True,
        moved=full_name.lower() != requested.lower(),
        repo_id=_int(payload.get("id")),
        stars=_int(payload.get("stargazers_count")),
        forks=_int(payload.get("forks_count")),
        archived=_bool(payload.get("archived")),
        pushed_at=_datetime(payload.get("pushed_at")),
        license=_license(license_info, "spdx_id"),
        language=_str(payload.get("language")),
        fork=_bool(payload.get("fork")),
    )


def parse_graphql(
    payload: Mapping[str, Any],
    requested: Sequence[str],
    *,
    aliases: Sequence[str] | None = None,
) -> dict[str, GitHubRecord]:
    """A GraphQL answer to :func:`graphql_query` as records keyed by lower-cased name.

    GitHub reports per-alias failures inside HTTP 200: the alias is null and an
    ``errors[]`` item names it in ``path``.  ``NOT_FOUND`` gives
    ``exists=False``; any other per-alias error leaves that name out of the
    result.  Nested nulls (``primaryLanguage: null``) are fine.

    Args:
        payload: the decoded JSON body.
        requested: the names in the order they were put in the query.
        aliases: the alias of each name; ``a0, a1, ...`` by default.

    Raises:
        RateLimitError: a ``RATE_LIMITED`` error (GitHub answers it with HTTP 200).
        ResponseError: no ``data`` at all, or a shape that is not GraphQL's.
    """
    if not isinstance(payload, Mapping):
        raise ResponseError(f"GraphQL answer is a {type(payload).__name__}", source=_SOURCE)
    names = list(aliases) if aliases is not None else [f"a{i}" for i in range(len(requested))]
    if len(names) != len(requested):
        raise ValueError("aliases and requested differ in length")
    errors = payload.get("errors")
    alias_errors: dict[str, list[Mapping[str, Any]]] = {}
    global_errors: list[Mapping[str, Any]] = []
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, Mapping):
            continue
        path = error.get("path")
        if isinstance(path, list) and path and isinstance(path[0], str):
            alias_errors.setdefault(path[0], []).append(error)
        else:
            global_errors.append(error)
    if any(error.get("type") == "RATE_LIMITED" for error in global_errors):
        raise RateLimitError(_messages(global_errors), source=_SOURCE)
    data = payload.get("data")
    if not isinstance(data, Mapping):
        every = [e for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []
        detail = _messages(every) if every else "no data"
        raise ResponseError(f"GraphQL answer without data: {detail}", source=_SOURCE)

    records: dict[str, GitHubRecord] = {}
    for alias, full_name in zip(names, requested, strict=True):
        node = data.get(alias)
        if isinstance(node, Mapping):
            records[full_name.lower()] = _parse_node(node, full_name)
        elif any(e.get("type") == "NOT_FOUND" for e in alias_errors.get(alias, [])):
            records[full_name.lower()] = GitHubRecord(requested=full_name, exists=False)
    return records


def _parse_node(node: Mapping[str, Any], requested: str) -> GitHubRecord:
    # GraphQL's repository(owner:, name:) follows renames; nameWithOwner is the
    # canonical name.  Absent (a query selecting less), the requested name stands.
    full_name = _str(node.get("nameWithOwner")) or requested
    language = node.get("primaryLanguage")
    return GitHubRecord(
        requested=requested,
        full_name=full_name,
        exists=True,
        moved=full_name.lower() != requested.lower(),
        repo_id=_int(node.get("databaseId")),
        stars=_int(node.get("stargazerCount")),
        forks=_int(node.get("forkCount")),
        archived=_bool(node.get("isArchived")),
        pushed_at=_datetime(node.get("pushedAt")),
        license=_license(node.get("licenseInfo"), "spdxId"),
        language=_str(language.get("name")) if isinstance(language, Mapping) else None,
        fork=_bool(node.get("isFork")),
    )


def _split(full_name: str) -> tuple[str, str]:
    owner, sep, repo = full_name.strip().partition("/")
    if not sep or not owner or not repo or "/" in repo:
        raise ValueError(f"not an owner/name repository: {full_name!r}")
    return owner, repo


def _messages(errors: list[Mapping[str, Any]]) -> str:
    texts = [str(error.get("message") or error.get("type") or "error") for error in errors]
    return "; ".join(texts)


def _license(value: Any, spdx_key: str) -> str | None:
    if not isinstance(value, Mapping):
        return None
    spdx = _str(value.get(spdx_key))
    if spdx is not None and spdx != _NO_ASSERTION:
        return spdx
    return _str(value.get("name"))


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text != "" else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
