"""The whole resolution against the fake services, through the real Client."""

from __future__ import annotations

import asyncio
import math

import polars as pl
import pytest
from helpers import fast_settings, small_corpus

import enrich
from enrich._ids import normalize_arxiv_id
from enrich.testing import FakeServices
from enrich.testing._generator import generate_corpus

INPUTS = [
    "2106.09685",  # arXiv id; repo only in the arXiv comment
    "Attention is all you need",  # title only, with a prefix confuser on arXiv
    "10.18653/v1/N19-1423",  # DOI only; S2 knows it, arXiv is not asked
    "A Paper Nobody Has Ever Written About Anything",  # unknown everywhere
    "https://github.com/old-owner/old-name",  # code only, renamed since
]


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices(small_corpus(), enforce_rate_limits=False)


def run(fake: FakeServices, papers: object = INPUTS, **kwargs: object) -> pl.DataFrame:
    kwargs.setdefault("settings", fast_settings())
    return enrich.enrich(papers, transport=fake.transport(), **kwargs)  # type: ignore[arg-type]


def test_rows_in_input_order_with_merged_values(fake: FakeServices) -> None:
    df = run(fake)
    assert df.height == len(INPUTS)
    lora, attention, bert, unknown, code_only = df.iter_rows(named=True)

    assert lora["arxiv_id"] == "2106.09685"
    assert lora["s2_paper_id"] == "a" * 40
    assert lora["venue"] == "ICLR"
    assert lora["citation_count"] == 9000
    assert lora["repo_url"] == "https://github.com/microsoft/LoRA"
    assert lora["repo_stars"] == 10000
    assert lora["provenance"]["repo_url"] == "arxiv"
    assert lora["status"] == "ok"

    assert attention["arxiv_id"] == "1706.03762"  # not the "... for Graphs" confuser
    assert attention["match_method"] in {"title_exact", "title_fuzzy"}
    assert attention["s2_paper_id"] == "b" * 40
    assert attention["venue"] == "NeurIPS"

    assert bert["input_doi"] == "10.18653/v1/n19-1423"
    assert bert["s2_paper_id"] == "c" * 40
    assert bert["match_method"] == "doi"
    assert bert["venue"] == "NAACL"

    assert unknown["status"] == "not_found"
    assert unknown["arxiv_id"] is None
    assert unknown["s2_paper_id"] is None
    assert unknown["errors"] == []

    assert code_only["repo_full_name"] == "new-owner/renamed"
    assert code_only["repo_moved"] is True
    assert code_only["repo_url"] == "https://github.com/old-owner/old-name"


def test_sources_can_be_restricted(fake: FakeServices) -> None:
    df = run(fake, sources=("s2",))
    assert df["arxiv_categories"].null_count() == df.height
    assert df["s2_paper_id"].drop_nulls().len() == 3
    assert {e.source for e in fake.log} == {"s2"}


def test_unknown_source_is_a_config_error(fake: FakeServices) -> None:
    with pytest.raises(enrich.ConfigError, match="valid sources: arxiv, s2, github"):
        run(fake, sources=("arxiv", "crossref"))


def test_same_frame_inside_a_running_event_loop(fake: FakeServices) -> None:
    plain = run(fake).drop("fetched_at")

    async def in_notebook() -> pl.DataFrame:
        return run(fake).drop("fetched_at")

    assert asyncio.run(in_notebook()).equals(plain)


def test_a_long_lived_client_and_its_cache_serve_repeated_calls(
    fake: FakeServices, tmp_path: object
) -> None:
    settings = fast_settings(use_cache=True, cache_dir=tmp_path)
    with enrich.Client(settings, transport=fake.transport()) as client:
        first = enrich.enrich(INPUTS, client=client)
        sent = len(fake.log)
        second = enrich.enrich(INPUTS, client=client)
        assert len(fake.log) == sent  # nothing new was sent
        # Every row was decided without errors, so the second call joins them from the
        # decided-row store and reads no cached answer at all.
        assert sum(s.cache_hits for s in client.stats().values()) == 0
        third = enrich.enrich(INPUTS, client=client, refresh=True)  # decided again, from the cache
    assert first.drop("fetched_at").equals(second.drop("fetched_at"))
    assert first.drop("fetched_at").equals(third.drop("fetched_at"))


def test_request_economy_on_known_ids() -> None:
    """arXiv <= ceil(N/100), S2 <= ceil(N/500) batches, GitHub <= ceil(R/50) with a token."""
    workload = generate_corpus(600, seed=3)
    fake = FakeServices(workload.corpus, enforce_rate_limits=False)
    with_ids = [row for row in workload.inputs if row["arxiv_id"]]
    n = len(with_ids)
    papers = pl.DataFrame(
        {
            "arxiv_id": [r["arxiv_id"] for r in with_ids],
            "code_url": [r["code_url"] for r in with_ids],
        }
    )
    df = enrich.enrich(
        papers, settings=fast_settings(github_token="t0ken"), transport=fake.transport()
    )
    assert df.height == n
    arxiv_ids = [e for e in fake.log if e.source == "arxiv" and e.endpoint == "query"]
    s2_batches = [e for e in fake.log if e.source == "s2" and e.endpoint == "paper/batch"]
    s2_matches = [e for e in fake.log if e.source == "s2" and e.endpoint == "paper/search/match"]
    graphql = [e for e in fake.log if e.source == "github"]
    repos = df["repo_url"].drop_nulls().str.to_lowercase().n_unique()
    # The backfill may add arXiv requests only for ids S2 alone revealed (none here).
    assert len(arxiv_ids) <= math.ceil(n / 100)
    assert len(s2_batches) <= math.ceil(n / 500) + 1  # +1: DOI retry of unlinked records
    linked = {p.external_ids.get("ArXiv") for p in workload.corpus.s2}
    batch_misses = sum(normalize_arxiv_id(r["arxiv_id"]) not in linked for r in with_ids)
    assert len(s2_matches) <= batch_misses
    assert len(graphql) <= math.ceil(repos / 50) * 2  # input links, then arXiv-comment links


def test_cancelling_is_not_recorded_as_a_row_error(fake: FakeServices) -> None:
    import threading

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(enrich.Cancelled):
        enrich.enrich_result(
            INPUTS, settings=fast_settings(), transport=fake.transport(), cancel=cancel
        )


def test_the_match_threshold_is_a_setting(fake: FakeServices) -> None:
    typo = ["Atention Is All You Need"]
    lenient = run(fake, papers=typo, sources=("s2",))
    assert lenient["match_method"].to_list() == ["title_fuzzy"]
    assert lenient["s2_paper_id"].to_list() == ["b" * 40]
    strict = run(fake, papers=typo, sources=("s2",), settings=fast_settings(match_threshold=0.999))
    assert strict["s2_paper_id"].to_list() == [None]
    assert strict["match_candidate"].to_list() == ["Attention is All you Need"]
