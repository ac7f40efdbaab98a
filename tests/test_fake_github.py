"""The fake GitHub API: repos, renames, ETags, budgets, secondary limits, GraphQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from enrich._clock import FakeClock
from enrich.testing import Corpus, FakeRepo, FakeServices

API = "https://api.github.com"
UA = {"User-Agent": "enrich-tests"}
TOKEN = {"Authorization": "Bearer good-token", **UA}


def make_corpus() -> Corpus:
    return Corpus(
        github=[
            FakeRepo(
                112116543,
                "padima2/protoncoin",
                former_names=["protoncoin/protoncoin"],
                stars=5,
                forks=21,
                license_spdx="MIT",
                license_name="MIT License",
                language="C++",
                created_at=dt.datetime(2017, 11, 26, 21, 4, 21),
                pushed_at=dt.datetime(2018, 3, 31, 14, 5, 44),
                description="HiggsProject main repository",
            ),
            FakeRepo(3544490, "PyGithub/PyGithub", stars=6905, forks=1762, topics=["github"]),
            FakeRepo(7, "gone/away", deleted=True),
            FakeRepo(8, "old/archive", archived=True, stars=3),
        ]
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1_700_000_000.0)


@pytest.fixture
def fake(clock: FakeClock) -> FakeServices:
    return FakeServices(make_corpus(), clock=clock, tokens={"good-token"})


def http(fake: FakeServices, headers: dict[str, str] = UA, **kw: Any) -> httpx.Client:
    return httpx.Client(transport=fake.transport(), base_url=API, headers=headers, **kw)


def test_repo_shape(fake: FakeServices) -> None:
    response = http(fake).get("/repos/padima2/protoncoin")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == 112116543
    assert body["full_name"] == "padima2/protoncoin"
    assert body["owner"]["login"] == "padima2"
    assert body["html_url"] == "https://github.com/padima2/protoncoin"
    assert body["url"] == f"{API}/repos/padima2/protoncoin"
    assert body["stargazers_count"] == body["watchers_count"] == body["watchers"] == 5
    assert body["forks_count"] == body["forks"] == 21
    assert body["license"] == {
        "key": "mit",
        "name": "MIT License",
        "spdx_id": "MIT",
        "url": f"{API}/licenses/mit",
        "node_id": "MDc6TGljZW5zZTEz",  # GitHub's real node id for MIT
    }
    assert body["pushed_at"] == "2018-03-31T14:05:44Z"
    assert body["default_branch"] == "master"
    assert body["archived"] is False
    assert "permissions" not in body  # only for authenticated callers
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["etag"].startswith('W/"')


def test_lookup_is_case_insensitive(fake: FakeServices) -> None:
    assert http(fake).get("/repos/PYGITHUB/pygithub").json()["full_name"] == "PyGithub/PyGithub"


def test_former_name_redirects_and_httpx_follows(fake: FakeServices) -> None:
    moved = http(fake).get("/repos/ProtonCoin/protoncoin")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"{API}/repositories/112116543"
    assert moved.json()["message"] == "Moved Permanently"
    assert moved.json()["url"] == f"{API}/repositories/112116543"
    followed = http(fake, follow_redirects=True).get("/repos/protoncoin/protoncoin")
    assert followed.status_code == 200
    assert followed.json()["full_name"] == "padima2/protoncoin"
    assert str(followed.url) == f"{API}/repositories/112116543"
    assert [e.endpoint for e in fake.log] == ["repos", "repos", "repositories"]


def test_deleted_and_unknown_are_404(fake: FakeServices) -> None:
    client = http(fake)
    for path in ("/repos/gone/away", "/repos/nobody/nothing", "/repositories/7"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
            "status": "404",
        }
        assert response.headers["x-ratelimit-resource"] == "core"
    assert client.get("/users/someone").json()["status"] == "404"


def test_rate_limit_headers_count_down(fake: FakeServices) -> None:
    client = http(fake)
    first = client.get("/repos/PyGithub/PyGithub").headers
    second = client.get("/repos/PyGithub/PyGithub").headers
    assert (first["x-ratelimit-limit"], first["x-ratelimit-remaining"]) == ("60", "59")
    assert (second["x-ratelimit-used"], second["x-ratelimit-remaining"]) == ("2", "58")
    assert int(first["x-ratelimit-reset"]) == 1_700_003_600
    authed = http(fake, TOKEN).get("/repos/PyGithub/PyGithub").headers
    assert (authed["x-ratelimit-limit"], authed["x-ratelimit-remaining"]) == ("5000", "4999")


def test_bad_token_is_401(fake: FakeServices) -> None:
    response = http(fake, {"Authorization": "token wrong", **UA}).get("/repos/PyGithub/PyGithub")
    assert response.status_code == 401
    assert response.json()["message"] == "Bad credentials"
    any_token = FakeServices(make_corpus(), clock=FakeClock())
    assert http(any_token, {"Authorization": "token x", **UA}).get("/rate_limit").status_code == 200


def test_etag_304(fake: FakeServices) -> None:
    client = http(fake, TOKEN)
    first = client.get("/repos/PyGithub/PyGithub")
    again = client.get("/repos/PyGithub/PyGithub", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    # An authorised 304 is free; an unauthenticated one still costs a request.
    assert again.headers["x-ratelimit-used"] == "1"
    anon = http(fake)
    tag = anon.get("/repos/PyGithub/PyGithub").headers["etag"]
    anon_304 = anon.get("/repos/PyGithub/PyGithub", headers={"If-None-Match": tag})
    assert anon_304.status_code == 304
    assert anon_304.headers["x-ratelimit-used"] == "2"
    stale = client.get("/repos/PyGithub/PyGithub", headers={"If-None-Match": 'W/"stale"'})
    assert stale.status_code == 200


def test_primary_budget_exhaustion_and_reset(clock: FakeClock) -> None:
    fake = FakeServices(make_corpus(), clock=clock, time_scale=60)  # the hour lasts 60 s
    client = http(fake)
    statuses = []
    for _ in range(61):
        statuses.append(client.get("/repos/PyGithub/PyGithub").status_code)
        clock.sleep(0.05)
    assert statuses == [200] * 60 + [403]
    refused = client.get("/repos/PyGithub/PyGithub")
    assert refused.status_code == 403
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.json()["message"].startswith("API rate limit exceeded for 127.0.0.1.")
    assert fake.log[-1].rate_violation
    assert client.get("/rate_limit").json()["resources"]["core"]["remaining"] == 0
    clock.sleep(60)
    assert client.get("/repos/PyGithub/PyGithub").status_code == 200


def test_rate_limit_endpoint_is_free(fake: FakeServices) -> None:
    client = http(fake, TOKEN)
    client.get("/repos/PyGithub/PyGithub")
    body = client.get("/rate_limit").json()
    assert body["resources"]["core"] == body["rate"]
    assert body["rate"]["used"] == 1
    assert client.get("/rate_limit").json()["rate"]["used"] == 1
    assert set(body["resources"]["graphql"]) == {"limit", "used", "remaining", "reset"}


def test_secondary_limit_has_retry_after(clock: FakeClock) -> None:
    fake = FakeServices(make_corpus(), clock=clock)
    client = http(fake, TOKEN)
    statuses = [client.get("/repos/PyGithub/PyGithub").status_code for _ in range(901)]
    assert statuses.count(200) == 900
    refused = client.get("/repos/PyGithub/PyGithub")
    assert refused.status_code == 403
    assert refused.headers["retry-after"] == "60"
    assert "secondary rate limit" in refused.json()["message"]
    assert int(refused.headers["x-ratelimit-remaining"]) > 0
    clock.sleep(61)
    assert client.get("/repos/PyGithub/PyGithub").status_code == 200
    assert sum(e.rate_violation for e in fake.log) == 2


def test_missing_user_agent_is_refused(fake: FakeServices) -> None:
    response = http(fake, {"User-Agent": ""}).get("/repos/PyGithub/PyGithub")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/octet-stream"
    assert "x-ratelimit-limit" not in response.headers
    assert "User Agent" in response.json()["message"]


def graphql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200
    assert response.headers["x-ratelimit-resource"] == "graphql"
    return response.json()


QUERY = """query {
  a0: repository(owner: "protoncoin", name: "protoncoin") {
    nameWithOwner stargazerCount forkCount isArchived isFork pushedAt databaseId
    primaryLanguage { name } licenseInfo { spdxId name } owner { login } defaultBranchRef { name }
  }
  a1: repository(owner: "gone", name: "away") { nameWithOwner }
  a2: repository(owner: $o, name: $n) { url stargazerCount }
  rateLimit { cost remaining limit used resetAt }
}"""


def test_graphql_partial_errors(fake: FakeServices) -> None:
    body = graphql(http(fake, TOKEN), QUERY, {"o": "old", "n": "ARCHIVE"})
    a0 = body["data"]["a0"]
    assert a0["nameWithOwner"] == "padima2/protoncoin"  # GraphQL follows renames
    assert a0["stargazerCount"] == 5
    assert a0["primaryLanguage"] == {"name": "C++"}
    assert a0["licenseInfo"] == {"spdxId": "MIT", "name": "MIT License"}
    assert a0["owner"] == {"login": "padima2"}
    assert a0["pushedAt"] == "2018-03-31T14:05:44Z"
    assert body["data"]["a1"] is None
    assert body["data"]["a2"] == {"url": "https://github.com/old/archive", "stargazerCount": 3}
    assert body["data"]["rateLimit"]["cost"] == 1
    assert body["data"]["rateLimit"]["remaining"] == 4999
    (error,) = body["errors"]
    assert error == {
        "type": "NOT_FOUND",
        "path": ["a1"],
        "locations": [{"line": 6, "column": 3}],
        "message": "Could not resolve to a Repository with the name 'gone/away'.",
    }
    assert fake.log[-1].ids == ("protoncoin/protoncoin", "gone/away", "old/ARCHIVE")


def test_graphql_unknown_field_is_a_validation_error(fake: FakeServices) -> None:
    body = graphql(http(fake, TOKEN), '{ r: repository(owner: "a", name: "b") { shoeSize } }')
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "Repository",
        "fieldName": "shoeSize",
    }
    assert error["message"] == "Field 'shoeSize' doesn't exist on type 'Repository'"


def test_graphql_syntax_error(fake: FakeServices) -> None:
    body = graphql(http(fake, TOKEN), "{ repository(owner: ")
    assert body["errors"][0]["message"].startswith("Parse error")


def test_graphql_requires_auth(fake: FakeServices) -> None:
    for headers in (UA, {"Authorization": "Bearer nope", **UA}):
        response = http(fake, headers).post("/graphql", json={"query": QUERY})
        assert response.status_code == 401
        assert "errors" not in response.json()
        assert response.headers["x-ratelimit-resource"] == "graphql"
    assert response.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/graphql",
    }


def test_graphql_budget_is_separate(fake: FakeServices) -> None:
    client = http(fake, TOKEN)
    graphql(client, QUERY, {"o": "a", "n": "b"})
    rate = client.get("/rate_limit").json()["resources"]
    assert rate["graphql"]["used"] == 1
    assert rate["core"]["used"] == 0


def test_graphql_budget_exhaustion_is_200_with_errors(clock: FakeClock) -> None:
    fake = FakeServices(make_corpus(), clock=clock, tokens={"good-token"})
    headers = {"authorization": "Bearer good-token", "user-agent": "t"}
    query = json.dumps({"query": "{ rateLimit { remaining } }"}).encode()
    for _ in range(5000):
        status, _, _ = fake.handle("POST", f"{API}/graphql", headers, query)
        assert status == 200
        clock.sleep(0.04)  # under 2,000 points per minute
    status, reply_headers, body = fake.handle("POST", f"{API}/graphql", headers, query)
    assert status == 200
    assert json.loads(body)["errors"][0]["type"] == "RATE_LIMITED"
    assert reply_headers["X-RateLimit-Remaining"] == "0"
    assert fake.log[-1].rate_violation
    assert not fake.log[-2].rate_violation


def test_log_authenticated_flag(fake: FakeServices) -> None:
    http(fake).get("/repos/PyGithub/PyGithub")
    http(fake, TOKEN).get("/repos/PyGithub/PyGithub")
    assert [e.authenticated for e in fake.log_for("github")] == [False, True]
    assert json.dumps([e.ids for e in fake.log]) == '[["PyGithub/PyGithub"], ["PyGithub/PyGithub"]]'
