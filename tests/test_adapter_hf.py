"""The Hugging Face Hub adapter, its window budget and how the client sends to the Hub.

Pure parse tests on hand-made payloads shaped like the recording (the recording
itself is checked in test_hf_contract.py), and client policy tests on a
scripted MockTransport with a FakeClock, so waiting for a window costs nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import Script, ScriptedSender

from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import RateLimitError, ResponseError, ServerError, SourceUnavailableError
from enrich._window import WindowBudget, parse_ratelimit, parse_ratelimit_policy
from enrich._wire import Request
from enrich.adapters.huggingface import HFAdapter, parse_daily_papers, parse_paper

HF = "https://huggingface.co"
TOKEN = "hf_secretsecretsecret"
POLICY = '"fixed window";"api";q=500;w=300'


def adapter(sender: Any = None, **settings: Any) -> HFAdapter:
    return HFAdapter(sender, Settings(**settings).source("hf"))


def paper(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "2606.13392",
        "authors": [{"_id": "a" * 24, "name": "Ada Lovelace", "hidden": False}],
        "publishedAt": "2026-06-11T00:00:00.000Z",
        "title": "MSA",
        "summary": "We study MSA.",
        "upvotes": 7,
        "discussionId": "b" * 24,
    }
    base.update(fields)
    return base


# -- requests ---------------------------------------------------------------------


def test_one_get_per_paper_with_its_404_an_answer() -> None:
    request = adapter().build_paper_request("2106.09685v2")
    assert (request.method, request.full_url) == ("GET", f"{HF}/api/papers/2106.09685")
    assert request.answer_statuses == frozenset({404})
    assert request.not_found_statuses == frozenset({404})  # cached with the short TTL
    old = adapter().build_paper_request("astro-ph/0601001")
    assert old.full_url == f"{HF}/api/papers/astro-ph/0601001"
    with pytest.raises(ValueError, match="not an arXiv id"):
        adapter().build_paper_request("10.1000/xyz")


def test_base_url_is_a_setting() -> None:
    request = adapter(hf_url="http://127.0.0.1:9/hf/").build_paper_request("2106.09685")
    assert request.full_url == "http://127.0.0.1:9/hf/api/papers/2106.09685"


def test_listing_and_search_builders_keep_the_documented_limits() -> None:
    daily = adapter().build_daily_request(date="2026-06-12", page=2, limit=100)
    assert daily.full_url == f"{HF}/api/daily_papers?date=2026-06-12&p=2&limit=100"
    with pytest.raises(ValueError, match="limit"):
        adapter().build_daily_request(limit=101)
    search = adapter().build_search_request("  low rank   adaptation ", limit=120)
    assert search.params == (("q", "low rank adaptation"), ("limit", "120"))
    with pytest.raises(ValueError, match="250"):
        adapter().build_search_request("x" * 251)
    with pytest.raises(ValueError, match="limit"):
        adapter().build_search_request("lora", limit=121)


# -- parsing ---------------------------------------------------------------------


def test_404_is_none_not_an_error() -> None:
    sender = ScriptedSender((404, b'{"error":"Paper not found"}'))
    assert adapter(sender).fetch_paper("2601.00001") is None
    assert sender.requests[0].url == f"{HF}/api/papers/2601.00001"


def test_paper_without_a_repository() -> None:
    record = parse_paper(paper(projectPage="https://msa.github.io/"), "2606.13392")
    assert record.repo_url is None
    assert record.stars is None
    assert record.project_page == "https://msa.github.io/"
    assert record.ai_keywords == ()
    assert record.ai_summary is None
    assert record.upvotes == 7
    assert record.hf_url == "https://huggingface.co/papers/2606.13392"


def test_paper_with_a_repository_and_keywords() -> None:
    body = paper(
        githubRepo="https://github.com/MiniMax-AI/MSA/tree/main/",
        githubStars=251,
        ai_keywords=["sparse attention", "sparse attention", " long context "],
        ai_summary="  MSA   scales attention. ",
    )
    record = parse_paper(body, "2606.13392")
    assert record.repo_url == "https://github.com/MiniMax-AI/MSA"
    assert record.stars == 251
    assert record.ai_keywords == ("sparse attention", "long context")
    assert record.ai_summary == "MSA scales attention."


def test_daily_wrapper_and_flat_object_give_the_same_record() -> None:
    inner = paper(githubRepo="https://github.com/o/r", githubStars=3)
    wrapper = {"paper": inner, "title": "MSA", "numComments": 2, "publishedAt": "x"}
    assert parse_paper(wrapper, "2606.13392") == parse_paper(inner, "2606.13392")
    assert parse_daily_papers([wrapper, "junk", {"paper": {}}]) == [
        parse_paper(inner, "2606.13392")
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("githubStars", "251"),
        ("githubStars", -4),
        ("githubStars", True),
        ("githubStars", 2.5),
        ("upvotes", None),
        ("upvotes", {"n": 1}),
    ],
)
def test_hostile_counts_become_none(field: str, value: Any) -> None:
    record = parse_paper(paper(**{field: value}), "2606.13392")
    assert getattr(record, "stars" if field == "githubStars" else "upvotes") is None


@pytest.mark.parametrize(
    "page",
    ["javascript:alert(1)", "ftp://x.org/p", "not a url", "https://", 42, ["https://a.b"]],
)
def test_hostile_project_pages_are_dropped(page: Any) -> None:
    assert parse_paper(paper(projectPage=page), "2606.13392").project_page is None


def test_hostile_repositories_and_keywords() -> None:
    record = parse_paper(
        paper(
            githubRepo="https://gitlab.com/o/r",
            ai_keywords=["ok", 3, None, {"k": "v"}, "x" * 5000] + [f"k{i}" for i in range(100)],
            title=["not", "a", "string"],
        ),
        "2606.13392",
    )
    assert record.repo_url is None  # only GitHub repositories are linked and looked up
    assert record.ai_keywords[0] == "ok"
    assert len(record.ai_keywords[1]) == 200
    assert len(record.ai_keywords) == 50
    assert record.title is None
    assert parse_paper(paper(ai_keywords={"a": 1}), "2606.13392").ai_keywords == ()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "paper answer is a list"),
        ("2606.13392", "paper answer is a str"),
        ({"error": "Invalid credentials in Authorization header"}, "not a paper: 'Invalid"),
        ({"id": 2606.13392}, "not a paper"),
        ({"id": "2606.99999"}, "asked for 2606.13392, the Hub answered for 2606.99999"),
    ],
)
def test_bodies_that_are_not_this_paper_raise(body: Any, problem: str) -> None:
    with pytest.raises(ResponseError, match=problem):
        parse_paper(body, "2606.13392")


def test_a_bad_body_names_the_request_and_status() -> None:
    sender = ScriptedSender((200, json.dumps({"id": "1234.5678"}).encode()))
    with pytest.raises(ResponseError) as caught:
        adapter(sender).fetch_paper("2606.13392")
    assert caught.value.url == f"{HF}/api/papers/2606.13392"
    assert caught.value.status == 200
    assert caught.value.source == "hf"


# -- the window budget ----------------------------------------------------------------


def test_ratelimit_headers_parse() -> None:
    assert parse_ratelimit('"api";r=12;t=55') == (12, 55.0)
    assert parse_ratelimit('"pages";r=1;t=9, "api";r=7;t=20') == (7, 20.0)
    assert parse_ratelimit('"resolvers";r=3;t=4') == (3, 4.0)
    assert parse_ratelimit('"api";r=-2;t=-1') == (0, 0.0)
    for junk in (None, "", "api", '"api";r=x;t=1', '"api";t=5'):
        assert parse_ratelimit(junk) is None
    assert parse_ratelimit_policy(POLICY) == (500, 300.0)
    assert parse_ratelimit_policy('"fixed window";"api";q=0;w=300') is None


def test_window_budget_waits_at_most_one_window_per_run() -> None:
    budget = WindowBudget(quota=500, window=300.0)
    assert budget.wait_before(now=0.0) is None  # nothing announced yet
    budget.note({"ratelimit": '"api";r=0;t=200', "ratelimit-policy": POLICY}, now=0.0)
    assert budget.wait_before(now=0.0) == 200.0
    assert budget.wait_before(now=200.0) is None  # the new window is assumed full
    budget.note({"ratelimit": '"api";r=0;t=150'}, now=210.0)
    with pytest.raises(RateLimitError, match="window budget spent") as caught:
        budget.wait_before(now=210.0)
    assert caught.value.retry_after == 150.0
    assert budget.waited == 200.0


def test_policy_header_updates_the_quota() -> None:
    budget = WindowBudget(quota=500, window=300.0)
    budget.note({"ratelimit-policy": '"fixed window";"api";q=1000;w=300'}, now=0.0)
    assert budget.quota == 1000


# -- the client and the Hub ------------------------------------------------------------


def reply(
    status: int, body: Any = None, **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    content = json.dumps(body if body is not None else paper()).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        hdrs = {"content-type": "application/json; charset=utf-8"}
        hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
        return httpx.Response(status, content=content, headers=hdrs)

    return answer


@pytest.fixture
def make(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., tuple[Client, Script]]]:
    clients: list[Client] = []

    def build(*answers: Any, **overrides: Any) -> tuple[Client, Script]:
        script = Script(clock, *answers)
        settings = Settings(cache_dir=tmp_path / "cache", **overrides)
        client = Client(settings, transport=httpx.MockTransport(script), clock=clock)
        clients.append(client)
        return client, script

    yield build
    for client in clients:
        client.close()


def test_429_with_ratelimit_headers_waits_for_the_window_then_answers(
    make: Any, clock: FakeClock
) -> None:
    client, script = make(
        reply(429, {"error": "rate limited"}, RateLimit='"api";r=0;t=40', RateLimit_Policy=POLICY),
        reply(200, RateLimit='"api";r=499;t=300', RateLimit_Policy=POLICY),
    )
    record = HFAdapter(client, client.settings.source("hf")).fetch_paper("2606.13392")
    assert record is not None
    assert record.upvotes == 7
    assert len(script.seen) == 2
    assert script.times[1] - script.times[0] >= 40.0  # waited for the reset, not a guess
    stats = client.stats()["hf"]
    assert stats.retries["429"] == 1
    assert stats.wait_seconds >= 40.0


def test_a_window_that_stays_spent_raises_instead_of_blocking(make: Any, clock: FakeClock) -> None:
    spent = reply(429, {"error": "rate limited"}, RateLimit='"api";r=0;t=280')
    client, script = make(spent)
    hf = HFAdapter(client, client.settings.source("hf"))
    started = clock.monotonic()
    with pytest.raises(SourceUnavailableError, match="window budget spent") as caught:
        hf.fetch_paper("2606.13392")
    # One wait of a window at most (280 s here), never a second one; then the Hub's
    # breaker is open for the run and the rows left are skipped.
    assert clock.monotonic() - started < 300.0 + 60.0
    assert caught.value.why == "throttled"
    assert "HF_TOKEN" in str(caught.value)
    assert len(script.seen) == 2
    with pytest.raises(SourceUnavailableError):
        hf.fetch_paper("2606.13393")
    assert len(script.seen) == 2


def test_a_404_is_cached_as_not_found(make: Any) -> None:
    client, script = make(reply(404, {"error": "Paper not found"}))
    hf = HFAdapter(client, client.settings.source("hf"))
    assert hf.fetch_paper("2601.00001") is None
    assert hf.fetch_paper("2601.00001") is None
    assert len(script.seen) == 1
    assert client.stats()["hf"].cache_hits == 1


def test_hub_settings_default_to_the_documented_window() -> None:
    hub = Settings().source("hf")
    assert (hub.min_interval, hub.max_connections) == (0.0, 1)  # a burst, one at a time
    assert Settings().hf_budget == 500
    assert (Settings().hf_window_seconds, Settings().hf_ttl) == (300.0, 86_400.0)
    with_token = Settings(hf_token=TOKEN)
    assert with_token.hf_budget == 1000
    assert Settings(hf_window_budget=50).hf_budget == 50
    assert Settings(hf_min_interval=0.6).source("hf").min_interval == 0.6
    env = Settings.from_env({"HF_TOKEN": TOKEN, "ENRICH_HF_URL": "http://x"})
    assert env.hf_token is not None
    assert env.hf_token.get_secret_value() == TOKEN
    assert env.hf_url == "http://x"
    assert TOKEN not in repr(env)


def test_hf_token_goes_to_the_hub_only_and_never_into_errors_or_logs(
    make: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        if request.url.host == "huggingface.co":
            return httpx.Response(500, json={"error": f"bad {request.headers['authorization']}"})
        return httpx.Response(200, json={"full_name": "o/r", "id": 1})

    client, script = make(echo, hf_token=TOKEN, max_attempts=2, backoff_base=0)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ServerError) as caught:
        HFAdapter(client, client.settings.source("hf")).fetch_paper("2606.13392")
    assert script.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(caught.value)
    assert TOKEN not in caplog.text
    client.send(Request("github", "GET", "https://api.github.com/repos/o/r"))
    assert "authorization" not in script.seen[-1].headers
