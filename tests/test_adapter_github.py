"""The GitHub adapter: parsing on our own fixtures, request building, REST and GraphQL
lookups against the fake GitHub through the real Client."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from helpers import ScriptedSender, fake_client

from enrich._config import Settings
from enrich._exceptions import AuthError, RateLimitError, ResponseError
from enrich._models import GitHubRecord
from enrich.adapters.base import chunked, get_adapter_class
from enrich.adapters.github import GitHubAdapter, graphql_query, parse_graphql, parse_repo
from enrich.testing._corpus import Corpus, FakeRepo

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "github"
UTC = dt.UTC


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_bytes())


def adapter(client: Any, *, token_set: bool) -> GitHubAdapter:
    return GitHubAdapter(client, Settings.from_env({}).source("github"), token_set=token_set)


def github_requests(fake: Any, endpoint: str) -> list[Any]:
    return [e for e in fake.log if e.source == "github" and e.endpoint == endpoint]


# --- parsing: our own fixtures ---------------------------------------------------------


def test_parse_renamed_repo_with_unidentified_license() -> None:
    record = parse_repo(fixture("repo_renamed.json"), "old-owner/old-name")
    assert record.moved
    assert record.full_name == "new-owner/New-Name"
    assert record.license == "Other"  # spdx_id NOASSERTION -> the name
    assert (record.repo_id, record.stars, record.forks) == (4242, 1234, 56)
    assert record.archived is True
    assert record.pushed_at == dt.datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_parse_case_only_difference_is_not_a_move() -> None:
    record = parse_repo(fixture("repo_renamed.json"), "NEW-OWNER/new-name")
    assert not record.moved


def test_parse_repo_odd_values() -> None:
    record = parse_repo(fixture("repo_odd_values.json"), "some/repo")
    assert record.repo_id == 77
    assert (record.stars, record.forks, record.archived, record.fork) == (None, None, None, None)
    assert (record.pushed_at, record.language) == (None, None)
    assert record.license == "Custom License"  # spdx_id null -> the name


def test_parse_graphql_partial_answer() -> None:
    requested = ["octo/hello", "gone/away", "blocked/repo", "old-owner/renamed", "empty/repo"]
    records = parse_graphql(fixture("graphql_aliases_partial.json"), requested)
    assert set(records) == {"octo/hello", "gone/away", "old-owner/renamed", "empty/repo"}
    hello = records["octo/hello"]
    assert (hello.repo_id, hello.stars, hello.forks, hello.license, hello.language) == (
        1,
        10,
        2,
        "MIT",
        "Go",
    )
    assert hello.pushed_at == dt.datetime(2024, 9, 12, 10, 47, 45, tzinfo=UTC)
    assert records["gone/away"] == GitHubRecord(requested="gone/away", exists=False)
    renamed = records["old-owner/renamed"]
    assert renamed.moved
    assert renamed.full_name == "new-owner/renamed"
    assert (renamed.license, renamed.fork, renamed.archived) == ("Other", True, True)
    empty = records["empty/repo"]
    assert not empty.moved  # "Empty/Repo" differs only in case
    assert (empty.license, empty.language, empty.pushed_at) == (None, None, None)
    # "blocked/repo" failed with FORBIDDEN: absent, so the caller reports an error for it.


def test_parse_graphql_rate_limited_raises() -> None:
    with pytest.raises(RateLimitError, match="API rate limit exceeded"):
        parse_graphql(fixture("graphql_rate_limited.json"), ["a/b"])


def test_parse_graphql_query_error_raises() -> None:
    with pytest.raises(ResponseError, match="Parse error"):
        parse_graphql(fixture("graphql_parse_error.json"), ["a/b"])


def test_parse_graphql_alias_count_must_match() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        parse_graphql({"data": {}}, ["a/b"], aliases=["x", "y"])


# --- request building ----------------------------------------------------------------------


def test_registered_under_its_name() -> None:
    assert get_adapter_class("github") is GitHubAdapter


def test_build_repo_request() -> None:
    request = adapter(None, token_set=False).build_repo_request("microsoft/LoRA")
    assert (request.method, request.url) == ("GET", "https://api.github.com/repos/microsoft/LoRA")
    assert request.answer_statuses == frozenset({404})


def test_build_graphql_request_escapes_names() -> None:
    names = ["octo/hello", 'x") { id } evil: repository(owner: "y/z']
    request = adapter(None, token_set=True).build_graphql_request(names)
    assert (request.method, request.url) == ("POST", "https://api.github.com/graphql")
    query = request.body["query"]
    assert query.startswith('query {\n  a0: repository(owner: "octo", name: "hello")')
    assert 'a1: repository(owner: "x\\") { id } evil: repository(owner: \\"y", name: "z")' in query
    assert query.count("repository(") == 3  # two lookups; the third is inside a string
    assert request.not_found_statuses == frozenset()


@pytest.mark.parametrize("name", ["noslash", "a/b/c", "/b", "a/"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        graphql_query([name])


# --- REST against the fake (no token) --------------------------------------------------------

REPOS = [
    FakeRepo(1, "octo/hello", stars=5, forks=1, license_spdx="MIT", language="Python",
             pushed_at=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    FakeRepo(2, "new-owner/renamed", former_names=["old-owner/old-name"], stars=9),
    FakeRepo(3, "gone/away", deleted=True),
    FakeRepo(4, "fork/child", fork=True, archived=True, license_spdx="NOASSERTION"),
]  # fmt: skip


def test_rest_rename_delete_and_missing() -> None:
    asked = ["Octo/Hello", "old-owner/old-name", "gone/away", "nobody/nothing", "fork/child"]
    with fake_client(Corpus(github=REPOS)) as (client, fake):
        github = adapter(client, token_set=False)
        records = github.fetch_chunk(asked)
        repos_log = github_requests(fake, "repos")
    assert list(records) == ["octo/hello", "old-owner/old-name", "gone/away", "nobody/nothing",
                             "fork/child"]  # fmt: skip
    hello = records["octo/hello"]
    assert (hello.full_name, hello.moved, hello.stars, hello.license) == (
        "octo/hello",
        False,
        5,
        "MIT",
    )
    assert hello.pushed_at == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    renamed = records["old-owner/old-name"]
    assert (renamed.moved, renamed.full_name, renamed.repo_id) == (True, "new-owner/renamed", 2)
    assert records["gone/away"] == GitHubRecord(requested="gone/away", exists=False)
    assert records["nobody/nothing"].exists is False
    child = records["fork/child"]
    assert (child.fork, child.archived, child.license) == (True, True, "Other")
    assert len(repos_log) == len(asked)  # one REST request per repository


def test_rest_duplicates_differing_in_case_are_asked_once() -> None:
    with fake_client(Corpus(github=REPOS)) as (client, fake):
        records = adapter(client, token_set=False).fetch_chunk(["octo/hello", "OCTO/HELLO"])
        assert len(github_requests(fake, "repos")) == 1
    assert list(records) == ["octo/hello"]


def test_rest_non_json_answer() -> None:
    sender = ScriptedSender((200, b"<html>unicorn</html>"))
    with pytest.raises(ResponseError, match="not JSON"):
        adapter(sender, token_set=False).fetch_chunk(["a/b"])


# --- GraphQL against the fake (token) ----------------------------------------------------------


def test_graphql_partial_errors_in_one_request() -> None:
    asked = ["octo/hello", "OLD-OWNER/old-name", "gone/away", "nobody/nothing", "fork/child",
             'x") { id } evil: repository(owner: "y/z']  # fmt: skip
    with fake_client(Corpus(github=REPOS), token="t0ken") as (client, fake):
        github = adapter(client, token_set=True)
        records = github.fetch_chunk(asked)
        log = github_requests(fake, "graphql")
    assert len(log) == 1
    assert log[0].authenticated
    assert records["octo/hello"].stars == 5
    assert records["octo/hello"].license == "MIT"
    renamed = records["old-owner/old-name"]
    assert (renamed.moved, renamed.full_name) == (True, "new-owner/renamed")
    assert records["gone/away"].exists is False
    assert records["nobody/nothing"].exists is False
    assert records["fork/child"].fork is True
    assert records['x") { id } evil: repository(owner: "y/z'].exists is False


def test_graphql_economy_120_repos_3_requests() -> None:
    repos = [FakeRepo(n, f"org{n % 7}/repo-{n}", stars=n) for n in range(1, 121)]
    with fake_client(Corpus(github=repos), token="t0ken") as (client, fake):
        github = adapter(client, token_set=True)
        names = [r.full_name for r in repos]
        records: dict[str, GitHubRecord] = {}
        for chunk in chunked(names, github.settings.batch_size):
            records.update(github.fetch_chunk(chunk))
        log = github_requests(fake, "graphql")
    assert len(records) == 120
    assert [records[n.lower()].stars for n in names] == list(range(1, 121))
    assert len(log) == math.ceil(120 / 50) == 3
    assert not github_requests(fake, "repos")


def test_graphql_bad_token_is_an_auth_error() -> None:
    with (
        fake_client(Corpus(github=REPOS), token="wrong", tokens={"right"}) as (client, _),
        pytest.raises(AuthError),
    ):
        adapter(client, token_set=True).fetch_chunk(["octo/hello"])


def test_graphql_chunk_over_batch_size_is_refused() -> None:
    with pytest.raises(ValueError, match="batch size"):
        adapter(ScriptedSender(), token_set=True).fetch_chunk([f"o/r{n}" for n in range(51)])


def test_graphql_rate_limited_in_a_200_names_the_request() -> None:
    body = (FIXTURES / "graphql_rate_limited.json").read_bytes()
    sender = ScriptedSender((200, body))
    with pytest.raises(RateLimitError) as caught:
        adapter(sender, token_set=True).fetch_chunk(["a/b"])
    assert caught.value.url == "https://api.github.com/graphql"
    assert caught.value.status == 200
