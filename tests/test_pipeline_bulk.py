"""The bulk title tier inside a run, in both orders (issue #11)."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import fast_settings

import enrich
from enrich.testing import Corpus, FakeArxivEntry, FakeS2Paper, FakeServices

UTC = dt.UTC
T0 = dt.datetime(2022, 3, 1, tzinfo=UTC)
AUTHORS = ["Ada Lovelace", "Alan Turing"]

ON_BOTH = "Gradient Surgery for Multilingual Speech Separation"
S2_ONLY = "Sparse Mixtures of Tiny Experts for Tabular Forecasting"
QUOTED = "Calibrated Confidence Sets for Protein Folding Models"  # S2 has it only quoted
NOWHERE = "A Study Nobody Ever Wrote About Invisible Things"
TWO_RECORDS = "Learning to Rank Citations with Graph Transformers"  # preprint + published


def corpus() -> Corpus:
    def arxiv(arxiv_id: str, title: str) -> FakeArxivEntry:
        return FakeArxivEntry(
            arxiv_id=arxiv_id, titles=[title], abstract="An abstract.", authors=AUTHORS,
            published=T0, updated=T0, categories=["cs.LG"],
        )  # fmt: skip

    def s2(n: int, title: str, abstract: str | None = None, **ext: str) -> FakeS2Paper:
        return FakeS2Paper(
            f"{n:040x}", 1000 + n, title, 2022, AUTHORS, dict(ext), abstract=abstract
        )

    return Corpus(
        arxiv=[arxiv("2203.01001", ON_BOTH), arxiv("2203.01002", TWO_RECORDS)],
        s2=[
            s2(1, ON_BOTH, "We separate speech.", ArXiv="2203.01001"),
            s2(2, S2_ONLY, f"Unlike {QUOTED}, we forecast tables."),
            s2(3, TWO_RECORDS, ArXiv="2203.01002"),
            s2(4, TWO_RECORDS, DOI="10.1000/pub.2022.9"),
        ],
    )


@pytest.mark.parametrize("order", ["s2_first", "arxiv_first"])
def test_titles_resolve_the_same_in_both_orders(order: str) -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    titles = [ON_BOTH, S2_ONLY, QUOTED, NOWHERE, TWO_RECORDS]
    df = enrich.enrich(
        titles, transport=fake.transport(), settings=fast_settings(title_order=order),
        sources=("arxiv", "s2"),
    )  # fmt: skip
    assert df["arxiv_id"].to_list() == ["2203.01001", None, None, None, "2203.01002"]
    # The quoted title never takes the quoting paper's id; the ambiguous title gets
    # the record tied to its preprint.
    assert df["s2_paper_id"].to_list() == [f"{1:040x}", f"{2:040x}", None, None, f"{3:040x}"]
    endpoints = [e.endpoint for e in fake.log_for("s2")]
    assert "paper/search/bulk" in endpoints
    # Misses of a clean bulk answer are not asked again one by one (arXiv searched them).
    assert endpoints.count("paper/search/match") == 0


def test_s2_first_asks_arxiv_by_the_ids_s2_named_not_by_title() -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    enrich.enrich(
        [ON_BOTH, S2_ONLY], transport=fake.transport(),
        settings=fast_settings(title_order="s2_first"), sources=("arxiv", "s2"),
    )  # fmt: skip
    arxiv = fake.log_for("arxiv")
    assert arxiv[0].ids == ("2203.01001",)  # id_list first
    s2 = [e.endpoint for e in fake.log_for("s2")]
    assert s2[0] == "paper/search/bulk"


def test_the_tier_can_be_turned_off_and_then_titles_are_matched() -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    df = enrich.enrich(
        [S2_ONLY, QUOTED], transport=fake.transport(),
        settings=fast_settings(s2_title_batch=0), sources=("s2",),
    )  # fmt: skip
    assert df["s2_paper_id"].to_list() == [f"{2:040x}", None]
    endpoints = [e.endpoint for e in fake.log_for("s2")]
    assert endpoints == ["paper/search/match", "paper/search/match"]


def test_without_arxiv_a_bulk_miss_goes_on_to_the_title_match() -> None:
    fake = FakeServices(corpus(), enforce_rate_limits=False)
    df = enrich.enrich(
        ["Sparse Mixtures of Tiny Experts for Tabular Forecastng"],  # a typo
        transport=fake.transport(), settings=fast_settings(), sources=("s2",),
    )  # fmt: skip
    assert df["s2_paper_id"].to_list() == [f"{2:040x}"]
    endpoints = [e.endpoint for e in fake.log_for("s2")]
    assert endpoints == ["paper/search/bulk", "paper/search/match"]


def test_env_var_turns_the_tier_off() -> None:
    assert enrich.Settings.from_env({"ENRICH_S2_TITLE_BATCH": "0"}).s2_title_batch == 0
    assert enrich.Settings.from_env({"ENRICH_TITLE_ORDER": "arxiv_first"}).title_order == (
        "arxiv_first"
    )
