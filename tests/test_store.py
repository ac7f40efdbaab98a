"""The decided-row store: warm reruns join stored rows; every invalidation re-decides."""

from __future__ import annotations

import json
from pathlib import Path

import diskcache
import httpx
import polars as pl
import pytest
from helpers import fast_settings, small_corpus
from polars.testing import assert_series_equal

import enrich
from enrich._cache import ResponseCache, clear_cache, response_cache_dir
from enrich._clock import FakeClock
from enrich._config import SOURCES, Settings
from enrich._models import Paper
from enrich._store import (
    RESOLVED_SCHEMA,
    RowStore,
    namespace,
    paper_key,
    rows_store_dir,
)
from enrich._transport import answer_source
from enrich.testing import FakeServices
from enrich.testing._generator import generate_corpus

INPUTS = [
    "2106.09685",
    "Attention is all you need",
    "10.18653/v1/N19-1423",
    "A Paper Nobody Has Ever Written About Anything",
    "https://github.com/old-owner/old-name",
]


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices(small_corpus(), enforce_rate_limits=False)


def cached(tmp_path: Path, **overrides: object) -> Settings:
    return fast_settings(use_cache=True, cache_dir=tmp_path / "cache", **overrides)


def run(
    fake: FakeServices, settings: Settings, papers: object = INPUTS, **kwargs: object
) -> enrich.EnrichResult:
    return enrich.enrich_result(papers, settings=settings, transport=fake.transport(), **kwargs)  # type: ignore[arg-type]


def requests(result: enrich.EnrichResult) -> int:
    return sum(s.requests for s in result.stats.values())


def hits(result: enrich.EnrichResult) -> int:
    return sum(s.cache_hits for s in result.stats.values())


def assert_same_rows(a: pl.DataFrame | None, b: pl.DataFrame | None) -> None:
    assert a is not None
    assert b is not None
    assert a.schema == b.schema
    for name in a.columns:
        if name != "fetched_at":  # when each run started
            assert_series_equal(a[name], b[name], check_exact=True)


def test_warm_rerun_joins_stored_rows_identical_to_the_cold_ones(
    tmp_path: Path, fake: FakeServices
) -> None:
    settings = cached(tmp_path)
    cold = run(fake, settings)
    assert requests(cold) > 0
    warm = run(fake, settings)
    assert requests(warm) == 0
    assert hits(warm) == 0  # not even the cached answers were read
    assert_same_rows(cold.frame, warm.frame)
    assert warm.report.papers == cold.report.papers
    assert warm.report.statuses == cold.report.statuses
    assert warm.report.source_statuses == cold.report.source_statuses
    assert warm.report.resolved == cold.report.resolved
    assert warm.report.not_found == cold.report.not_found


def test_generated_workload_cold_and_warm_agree_column_by_column(tmp_path: Path) -> None:
    work = generate_corpus(120, seed=3)
    fake = FakeServices(work.corpus, enforce_rate_limits=False)
    settings = cached(tmp_path, github_token="t")
    inputs = work.write(tmp_path / "work")["inputs"]
    cold = run(fake, settings, str(inputs))
    warm = run(fake, settings, str(inputs))
    assert requests(cold) > 0
    assert requests(warm) == 0
    assert_same_rows(cold.frame, warm.frame)
    # Streamed to a file the warm rows are the same too.
    out = tmp_path / "warm.parquet"
    run(fake, settings, str(inputs), output=out)
    assert_same_rows(cold.frame, pl.read_parquet(out))


def test_listing_only_fields_are_joined_from_the_current_input(
    tmp_path: Path, fake: FakeServices
) -> None:
    settings = cached(tmp_path)
    (tmp_path / "a.txt").write_text("2106.09685\n", "utf-8")
    (tmp_path / "b.txt").write_text("# renamed list\n\n2106.09685\n", "utf-8")
    cold = run(fake, settings, str(tmp_path / "a.txt"))
    warm = run(fake, settings, str(tmp_path / "b.txt"))
    assert requests(warm) == 0
    assert cold.frame is not None
    assert warm.frame is not None
    assert warm.frame["origins"].to_list() == [[f"{tmp_path / 'b.txt'}:3"]]
    assert_same_rows(cold.frame.drop("origins"), warm.frame.drop("origins"))


def test_refresh_decides_again_from_the_network(tmp_path: Path, fake: FakeServices) -> None:
    settings = cached(tmp_path)
    cold = run(fake, settings)
    again = run(fake, settings, refresh=True)
    assert requests(again) == requests(cold)
    assert_same_rows(cold.frame, again.frame)
    assert requests(run(fake, settings)) == 0  # the refreshed rows were stored again


def test_expired_answers_send_the_rows_back_through_the_cache(
    tmp_path: Path, fake: FakeServices, clock: FakeClock
) -> None:
    settings = cached(tmp_path)
    with enrich.Client(settings, transport=fake.transport(), clock=clock) as client:
        cold = enrich.enrich_result(INPUTS, client=client)
        fake.reset_log()
        clock.advance(settings.s2_ttl + 1)  # S2 and GitHub answers are stale, arXiv's not
        warm = enrich.enrich_result(INPUTS, client=client)
    sent = {entry.source for entry in fake.log.snapshot()}
    assert "s2" in sent
    assert "arxiv" not in sent
    assert_same_rows(cold.frame, warm.frame)


def test_a_cleared_response_cache_invalidates_the_stored_rows(
    tmp_path: Path, fake: FakeServices
) -> None:
    settings = cached(tmp_path)
    cold = run(fake, settings)
    assert clear_cache(settings, "s2") > 0
    again = run(fake, settings)
    assert again.stats["s2"].requests > 0
    assert again.stats["arxiv"].requests == 0
    assert hits(again) > 0
    assert_same_rows(cold.frame, again.frame)


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        ("threshold", {"settings_update": {"match_threshold": 0.95}}),
        ("sources", {"sources": ("arxiv", "s2")}),
    ],
)
def test_a_decision_setting_or_source_selection_change_is_a_store_miss(
    tmp_path: Path, fake: FakeServices, change: str, kwargs: dict[str, object]
) -> None:
    settings = cached(tmp_path)
    run(fake, settings)
    update = kwargs.pop("settings_update", {})
    changed = settings.model_copy(update=update)  # type: ignore[arg-type]
    again = run(fake, changed, **kwargs)
    # Decided again: the cached answers were read (the store alone reads none).
    assert hits(again) > 0, change
    assert requests(run(fake, changed, **kwargs)) == 0
    assert hits(run(fake, changed, **kwargs)) == 0


def test_pacing_and_ttl_settings_do_not_invalidate(tmp_path: Path, fake: FakeServices) -> None:
    settings = cached(tmp_path)
    run(fake, settings)
    slower = settings.model_copy(update={"s2_min_interval": 0.5, "timeout": 5.0, "s2_ttl": 10.0})
    again = run(fake, slower)
    assert requests(again) == 0
    assert hits(again) == 0


def test_a_new_enrich_version_is_a_store_miss(
    tmp_path: Path, fake: FakeServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = cached(tmp_path)
    run(fake, settings)
    monkeypatch.setattr("enrich._store.__version__", "999.0")
    again = run(fake, settings)
    assert requests(again) == 0
    assert hits(again) > 0


def test_rows_decided_through_a_fake_never_reach_a_network_run(tmp_path: Path) -> None:
    settings = cached(tmp_path)
    fake_kind = answer_source(FakeServices(small_corpus()).transport())
    assert answer_source(None) == answer_source(httpx.HTTPTransport()) == "network"
    assert fake_kind != "network"
    assert namespace(settings, SOURCES, fake_kind) != namespace(settings, SOURCES, "network")


def test_another_transport_does_not_read_the_fakes_rows(tmp_path: Path, fake: FakeServices) -> None:
    settings = cached(tmp_path)
    run(fake, settings)
    other = FakeServices(small_corpus(), enforce_rate_limits=False)

    class Relay(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = other.transport()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return self.inner.handle_request(request)

    again = enrich.enrich_result(INPUTS, settings=settings, transport=Relay())
    assert hits(again) > 0  # decided again (here from the shared response cache)


class Flaky(httpx.BaseTransport):
    """The fake services, with Semantic Scholar answering 500 while ``broken``."""

    def __init__(self, fake: FakeServices) -> None:
        self.inner = fake.transport()
        self.broken = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.broken and "/graph/v1" in str(request.url):
            return httpx.Response(500, text="down")
        return self.inner.handle_request(request)


def test_rows_with_errors_are_not_stored(tmp_path: Path, fake: FakeServices) -> None:
    settings = cached(tmp_path, max_attempts=1)
    flaky = Flaky(fake)
    cold = enrich.enrich_result(INPUTS, settings=settings, transport=flaky)
    assert cold.frame is not None
    assert (cold.frame["status"] == "error").any()
    flaky.broken = False
    warm = enrich.enrich_result(INPUTS, settings=settings, transport=flaky)
    assert warm.stats["s2"].requests > 0  # the failed rows were decided again
    assert warm.frame is not None
    assert not (warm.frame["status"] == "error").any()
    again = enrich.enrich_result(INPUTS, settings=settings, transport=flaky)
    assert requests(again) == 0
    assert hits(again) == 0


def test_the_store_never_unpickles(tmp_path: Path) -> None:
    settings = cached(tmp_path)
    paper = Paper(arxiv_id="2106.09685", origins=("x:1",))
    space = namespace(settings, SOURCES, "network")
    rows_store_dir(settings).mkdir(parents=True)
    with diskcache.Cache(str(rows_store_dir(settings))) as raw:
        raw.set(f"row:{space}:{paper_key(paper)}", {"pickled": True})  # diskcache pickles dicts
    with RowStore(settings, space) as store:
        assert store.lookup([paper]) == [None]
        with pytest.raises(TypeError):
            store._store.set("row:x", {"pickled": True})


def test_stored_rows_reference_the_answers_they_came_from(
    tmp_path: Path, fake: FakeServices
) -> None:
    settings = cached(tmp_path)
    run(fake, settings)
    with diskcache.Cache(str(rows_store_dir(settings))) as raw:
        keys = list(raw.iterkeys())
        rows = [raw[k] for k in keys if k.startswith("row:")]
        sets = [raw[k] for k in keys if k.startswith("answers:")]
    assert len(rows) == len(INPUTS)
    assert len(sets) == 1
    assert all(isinstance(value, bytes) for value in rows + sets)
    with ResponseCache(response_cache_dir(settings)) as answers:
        listed = json.loads(sets[0])
        assert listed
        assert all(answers.get(key).stored_at == at for key, at in listed)
    assert set(json.loads(rows[0].split(b"\n", 1)[1])) == set(RESOLVED_SCHEMA)


def test_only_settled_rows_are_worth_storing() -> None:
    from enrich._store import _settled

    frame = pl.DataFrame(
        {
            "errors": [[], ["[s2] down"], [], [], None],
            "status": ["ok", "error", "partial", "ok", "not_found"],
            "github_status": ["ok", "ok", "skipped", None, "not_asked"],
        }
    )
    assert _settled(frame) == [True, False, False, True, True]
