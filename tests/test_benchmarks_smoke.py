"""The benchmark end to end at N=50 (no timing assertions), and its building blocks.

The run spawns two child processes (cold and warm enrich runs) against fakes
served on loopback, at a time scale so large that nothing waits on pacing.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks import BenchConfig, run
from benchmarks._accuracy import FIELDS, score
from benchmarks._bound import Intervals, lower_bound, minimal_plan
from benchmarks._fastfake import accelerate
from benchmarks._workloads import generated
from enrich._config import Settings
from enrich.adapters.arxiv import ArxivAdapter
from enrich.testing import FakeServices
from enrich.testing._corpus import TruthRow

SOURCES = ("arxiv", "s2", "github", "hf")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    config = BenchConfig(
        sizes=(50,),
        scale=10_000.0,
        seed_pages=False,
        peers=False,
        out=out,
        chart=True,
        log=lambda _message: None,
    )
    run(config)
    loaded: dict[str, Any] = json.loads((out / "latest.json").read_text("utf-8"))
    loaded["_out"] = str(out)
    return loaded


def test_result_files_are_written(results: dict[str, Any]) -> None:
    out = Path(results["_out"])
    markdown = (out / "latest.md").read_text("utf-8")
    assert "| generated-50 | 50 |" in markdown
    assert "## Targets" in markdown
    if importlib.util.find_spec("matplotlib") is None:  # the chart is optional
        assert not (out / "walltime.png").exists()
    else:
        assert (out / "walltime.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_result_json_has_every_key_with_sane_values(results: dict[str, Any]) -> None:
    assert {"machine", "packages", "scale", "workloads", "big", "targets", "generated_at"} <= set(
        results
    )
    assert results["packages"]["enrich"]
    assert results["scale"] == 10_000.0
    [item] = results["workloads"]
    assert item["name"] == "generated-50"
    assert item["n"] == 50
    enrich_run = item["enrich"]
    for key in (
        "wall_seconds",
        "real_time_equivalent_seconds",
        "papers_per_second",
        "ratio_to_lower_bound",
        "rss_peak_bytes",
        "client_stats",
    ):
        assert enrich_run[key] is not None, key
    requests = enrich_run["requests"]
    assert requests["total"] > 0
    assert set(requests["per_source"]) == set(SOURCES)
    assert requests["per_source"]["arxiv"] > 0
    assert requests["per_source"]["s2"] > 0
    # The client counts what the fakes logged.
    assert enrich_run["client_requests"] == requests["total"]
    assert enrich_run["rss_peak_bytes"] >= enrich_run["rss_baseline_bytes"] > 0
    bound = item["lower_bound"]
    assert bound["seconds"]["bound"] > 0
    # one bulk title search per 20 papers only a title search can place
    assert bound["plan"]["s2_requests"] >= math.ceil(bound["plan"]["s2_matches"] / 20)
    assert enrich_run["ratio_to_lower_bound"] > 0
    for field in FIELDS:
        acc = enrich_run["accuracy"][field]
        assert 0.0 <= acc["precision"] <= 1.0
        assert 0.0 <= acc["recall"] <= 1.0
        assert acc["tp"] > 0
    warm = item["warm"]
    assert warm["requests"]["total"] == 0
    assert warm["client_requests"] == 0
    # Every row is joined from the decided-row store: no cached answer is even read.
    assert warm["cache_hits"] == 0
    assert {check["target"] for check in results["targets"]} >= {
        "generated-50 arxiv_id precision/recall"
    }


def test_accelerated_fakes_answer_exactly_like_the_plain_ones() -> None:
    work = generated(300, seed=7)
    plain = FakeServices(work.corpus, enforce_rate_limits=False)
    fast = FakeServices(work.corpus, enforce_rate_limits=False)
    accelerate(fast)
    titles = [row["title"] for row in work.inputs if row["title"]][:60]
    adapter = ArxivAdapter(None, Settings().source("arxiv"))  # type: ignore[arg-type]
    urls = [adapter.build_title_request(titles[i : i + 10]).full_url for i in range(0, 60, 10)]
    urls += [
        adapter._search_request(
            " OR ".join(filter(None, map(adapter._loose_clause, titles))), 60
        ).full_url,
        adapter._search_request('au:smith OR ti:learn* OR abs:"reward model"', 40).full_url,
    ]
    s2 = "https://api.semanticscholar.org/graph/v1/paper/search/match"

    def answers(fake: FakeServices) -> list[str]:
        out = []
        with httpx.Client(transport=fake.transport()) as client:
            for url in urls:
                feed = client.get(url).text
                out.append(feed[feed.index("<opensearch:totalResults>") :])
            for title in titles:
                for query in (title, f"{title} revisited", title.split(":")[0]):
                    out.append(client.get(s2, params={"query": query, "fields": "title"}).text)
        return out

    assert answers(fast) == answers(plain)


def test_lower_bound_counts_the_minimal_plan() -> None:
    work = generated(200, seed=3)
    plan = minimal_plan(work, titles_per_query=10)
    assert plan.arxiv_requests == math.ceil(plan.arxiv_ids / 100) + math.ceil(
        plan.arxiv_titles / 10
    )
    assert plan.s2_requests == math.ceil(plan.s2_batch_keys / 500) + math.ceil(plan.s2_matches / 20)
    assert plan.github_requests == math.ceil(plan.repos / 50)
    bound = lower_bound(plan, Intervals(arxiv=3.0, s2=1.0, github=1 / 15))
    assert bound["s2"] == plan.s2_requests * 1.0
    assert bound["chain"] == plan.arxiv_title_requests * 3.0 + 1.0
    assert bound["bound"] == max(bound["arxiv"], bound["s2"], bound["github"], bound["chain"])


def test_accuracy_counts_wrong_ids_on_missing_papers_as_false_positives() -> None:
    truth = [
        TruthRow("2101.00001", "a" * 40, "octo/hello", exists=True),
        TruthRow(None, None, None, exists=False),
        TruthRow("2101.00003", None, None, exists=True),
    ]
    got = score(
        {
            "arxiv_id": ["2101.00001", "2101.00002", None],
            "s2_paper_id": ["A" * 40, None, None],
            "repo_full_name": ["Octo/Hello", None, None],
        },
        truth,
    )
    assert got["arxiv_id"] == {
        "tp": 1,
        "fp": 1,
        "fn": 1,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }
    assert got["s2_paper_id"]["precision"] == 1.0
    assert got["repo_full_name"]["recall"] == 1.0
