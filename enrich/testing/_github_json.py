"""The GitHub REST repository object, built from a :class:`FakeRepo`.

Key order and value shapes follow ``repo_get_*.json`` in ``shared/api-samples/github``:
``stargazers_count == watchers_count == watchers``, ``license`` null or
``{key, name, spdx_id, url, node_id}``, legacy base64 node ids, the owner object,
``permissions`` only for an authenticated caller.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any, Final

from enrich.testing._common import iso_z, stable_int
from enrich.testing._corpus import FakeRepo
from enrich.testing._graphql import default_branch

__all__ = ["epoch", "license_json", "node_id", "owner_json", "repo_json"]

_URL_TEMPLATES: Final = (
    ("forks_url", "/forks"), ("keys_url", "/keys{/key_id}"),
    ("collaborators_url", "/collaborators{/collaborator}"), ("teams_url", "/teams"),
    ("hooks_url", "/hooks"), ("issue_events_url", "/issues/events{/number}"),
    ("events_url", "/events"), ("assignees_url", "/assignees{/user}"),
    ("branches_url", "/branches{/branch}"), ("tags_url", "/tags"),
    ("blobs_url", "/git/blobs{/sha}"), ("git_tags_url", "/git/tags{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"), ("trees_url", "/git/trees{/sha}"),
    ("statuses_url", "/statuses/{sha}"), ("languages_url", "/languages"),
    ("stargazers_url", "/stargazers"), ("contributors_url", "/contributors"),
    ("subscribers_url", "/subscribers"), ("subscription_url", "/subscription"),
    ("commits_url", "/commits{/sha}"), ("git_commits_url", "/git/commits{/sha}"),
    ("comments_url", "/comments{/number}"), ("issue_comment_url", "/issues/comments{/number}"),
    ("contents_url", "/contents/{+path}"), ("compare_url", "/compare/{base}...{head}"),
    ("merges_url", "/merges"), ("archive_url", "/{archive_format}{/ref}"),
    ("downloads_url", "/downloads"), ("issues_url", "/issues{/number}"),
    ("pulls_url", "/pulls{/number}"), ("milestones_url", "/milestones{/number}"),
    ("notifications_url", "/notifications{?since,all,participating}"),
    ("labels_url", "/labels{/name}"), ("releases_url", "/releases{/id}"),
    ("deployments_url", "/deployments"),
)  # fmt: skip
_USER_URLS: Final = (
    ("followers_url", "/followers"), ("following_url", "/following{/other_user}"),
    ("gists_url", "/gists{/gist_id}"), ("starred_url", "/starred{/owner}{/repo}"),
    ("subscriptions_url", "/subscriptions"), ("organizations_url", "/orgs"),
    ("repos_url", "/repos"), ("events_url", "/events{/privacy}"),
    ("received_events_url", "/received_events"),
)  # fmt: skip
# Licence numbers in GitHub's legacy node ids ("MDc6TGljZW5zZTEz" is "07:License13").
_LICENSE_NUMBERS: Final = {"MIT": 13, "Apache-2.0": 2, "GPL-3.0": 9, "LGPL-3.0": 12,
                           "BSD-3-Clause": 5, "BSD-2-Clause": 4, "MPL-2.0": 14}  # fmt: skip


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def repo_json(repo: FakeRepo, api: str, *, authenticated: bool, seed: int) -> dict[str, Any]:
    """The REST repository object, keys in GitHub's order (repo_get_*.json)."""
    login, name = repo.full_name.split("/", 1)
    url = f"{api}/repos/{repo.full_name}"
    html = f"https://github.com/{repo.full_name}"
    owner = owner_json(login, api)
    updated = repo.pushed_at or repo.created_at
    out: dict[str, Any] = {
        "id": repo.repo_id,
        "node_id": node_id("Repository", repo.repo_id),
        "name": name,
        "full_name": repo.full_name,
        "private": False,
        "owner": owner,
        "html_url": html,
        "description": repo.description,
        "fork": repo.fork,
        "url": url,
    }
    out.update({key: url + suffix for key, suffix in _URL_TEMPLATES})
    h = stable_int("repo", seed, repo.repo_id)
    out.update(
        {
            "created_at": _iso_or_none(repo.created_at),
            "updated_at": _iso_or_none(updated),
            "pushed_at": _iso_or_none(repo.pushed_at),
            "git_url": f"git://github.com/{repo.full_name}.git",
            "ssh_url": f"git@github.com:{repo.full_name}.git",
            "clone_url": f"{html}.git",
            "svn_url": html,
            "homepage": None,
            "size": h % 50_000,
            "stargazers_count": repo.stars,
            "watchers_count": repo.stars,
            "language": repo.language,
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": h % 2 == 0,
            "has_pages": False,
            "has_discussions": h % 3 == 0,
            "forks_count": repo.forks,
            "mirror_url": None,
            "archived": repo.archived,
            "disabled": False,
            "open_issues_count": h % (repo.stars // 50 + 2),
            "license": license_json(repo, api),
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": list(repo.topics),
            "visibility": "public",
            "forks": repo.forks,
            "open_issues": h % (repo.stars // 50 + 2),
            "watchers": repo.stars,
            "default_branch": default_branch(repo),
        }
    )
    if authenticated:
        out["permissions"] = {"admin": False, "maintain": False, "push": False,
                              "triage": False, "pull": True}  # fmt: skip
        out["temp_clone_token"] = ""
    if owner["type"] == "Organization":
        out["organization"] = owner
    out["network_count"] = repo.forks
    out["subscribers_count"] = max(1, repo.stars // 15)
    return out


def owner_json(login: str, api: str) -> dict[str, Any]:
    h = stable_int("owner", login.lower())
    owner_id = 1_000_000 + h % 200_000_000
    kind = "User" if h % 3 == 0 else "Organization"
    user_url = f"{api}/users/{login}"
    out: dict[str, Any] = {
        "login": login,
        "id": owner_id,
        "node_id": node_id(kind, owner_id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{owner_id}?v=4",
        "gravatar_id": "",
        "url": user_url,
        "html_url": f"https://github.com/{login}",
    }
    out.update({key: user_url + suffix for key, suffix in _USER_URLS})
    out.update({"type": kind, "user_view_type": "public", "site_admin": False})
    return out


def license_json(repo: FakeRepo, api: str) -> dict[str, Any] | None:
    spdx = repo.license_spdx
    if spdx is None:
        return None
    if spdx == "NOASSERTION":
        return {"key": "other", "name": "Other", "spdx_id": spdx, "url": None,
                "node_id": node_id("License", 0)}  # fmt: skip
    number = _LICENSE_NUMBERS.get(spdx, 100 + stable_int("lic", spdx) % 900)
    return {
        "key": spdx.lower(),
        "name": repo.license_name or spdx,
        "spdx_id": spdx,
        "url": f"{api}/licenses/{spdx.lower()}",
        "node_id": node_id("License", number),
    }


def _iso_or_none(value: Any) -> str | None:
    return iso_z(value) if value is not None else None


def epoch(value: dt.datetime | None) -> float:
    if value is None:
        return 0.0
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
