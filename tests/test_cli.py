"""The CLI mirrors the library: same names, one-line errors, exit codes, files written."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from conftest import SHARED

from enrich.cli import main
from enrich.testing import FakeServices
from enrich.testing._seed_corpus import build_seed_corpus

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "papers.txt")
CASSETTE = str(ROOT / "cassettes" / "example.yaml")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_run_replays_the_example_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "enriched.parquet"
    code, output = invoke("run", EXAMPLE, "--replay", CASSETTE, "-o", str(out))
    assert code == 0, output
    df = pl.read_parquet(out)
    assert df.height == 30
    assert df["citation_count"].null_count() == 0
    for expected in (
        "papers: 30",
        "resolved: arxiv 30, s2 30",
        "rows: 30 ok",
        "arxiv :",
        "elapsed",
    ):
        assert expected in output


def test_run_writes_csv_with_flattened_lists(tmp_path: Path) -> None:
    out = tmp_path / "enriched.csv"
    code, _ = invoke("run", EXAMPLE, "--replay", CASSETTE, "-o", str(out), "--quiet")
    assert code == 0
    df = pl.read_csv(out)
    assert df.height == 30
    assert df["authors"].dtype == pl.String  # "A; B; C"
    assert df["provenance"][0].startswith("{")


def test_run_with_unknown_source_is_a_one_line_usage_error(tmp_path: Path) -> None:
    code, output = invoke(
        "run", EXAMPLE, "--sources", "arxiv,scholar", "-o", str(tmp_path / "x.parquet")
    )
    assert code == 2
    assert output.strip().splitlines() == [
        "enrich: error: unknown source(s) scholar; valid sources: arxiv, s2, github, hf"
    ]


def test_run_on_missing_input_exits_2_without_traceback(tmp_path: Path) -> None:
    code, output = invoke("run", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "x.parquet"))
    assert code == 2
    assert "Traceback" not in output
    assert "nope.txt" in output
    assert not (tmp_path / "x.parquet").exists()


def test_run_exits_1_when_no_row_could_be_enriched(tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    # Not in the cassette: every lookup becomes a row error.
    code, output = invoke(
        "run", "Some Title Nobody Recorded", "--replay", CASSETTE, "-o", str(out), "-q"
    )
    assert code == 1
    assert "no row could be enriched" in output
    assert pl.read_parquet(out)["status"].to_list() == ["error"]


def test_parse_writes_the_input_table(tmp_path: Path) -> None:
    out = tmp_path / "papers.ndjson"
    code, output = invoke("parse", EXAMPLE, "-o", str(out))
    assert code == 0
    df = pl.read_ndjson(out)
    assert df.height == 30
    assert df["arxiv_id"].drop_nulls().len() == 10
    assert "wrote 30 papers" in output


def test_cache_stats_and_clear(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code, output = invoke("cache", "stats", "--cache-dir", str(cache))
    assert code == 0
    assert "arxiv" in output
    code, output = invoke("cache", "clear", "--source", "s2", "--cache-dir", str(cache))
    assert code == 0
    assert output.startswith("removed 0 cached answers for s2")


def test_schema_lists_every_column() -> None:
    code, output = invoke("schema")
    assert code == 0
    assert output.splitlines()[0].startswith("title ")
    assert any(line.startswith("repo_stars ") for line in output.splitlines())


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is absent")
def test_seed_pages_against_the_fake_every_row_has_a_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workload = build_seed_corpus()
    fake = FakeServices(workload.corpus, enforce_rate_limits=False)
    with fake.serve() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        for source in ("ARXIV", "S2", "GITHUB"):
            monkeypatch.setenv(f"ENRICH_{source}_MIN_INTERVAL", "0")
        monkeypatch.setenv("GITHUB_TOKEN", "fake-token")
        out = tmp_path / "seeds.parquet"
        seeds = sorted(str(p) for p in (SHARED / "seeds").glob("*.txt"))
        code, output = invoke("run", *seeds, "-o", str(out), "--no-cache")
    assert code == 0, output
    df = pl.read_parquet(out)
    assert df.height == 231
    assert df["status"].null_count() == 0
    assert set(df["status"]) <= {"ok", "partial", "not_found"}
    truth = {r["title"]: t for r, t in zip(workload.inputs, workload.truth.rows, strict=True)}
    unknown = [title for title, t in truth.items() if not t.exists]
    assert unknown
    statuses = dict(zip(df["title"], df["status"], strict=True))
    assert all(statuses[title] == "not_found" for title in unknown)
