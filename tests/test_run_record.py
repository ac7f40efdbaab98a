"""Outputs say what produced them (issue #12, point 8): Parquet footer, JSON/NDJSON sidecar."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from enrich._api import enrich_result
from enrich._config import SOURCES
from enrich._schema import OUTPUT_COLUMNS
from enrich._version import __version__
from enrich.cli import main

pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "papers.txt"
CASSETTE = ROOT / "cassettes" / "example.yaml"
SECRET = "ghp_notARealTokenButSecret123"


def _run(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("S2_API_KEY", SECRET)
    monkeypatch.setenv("ENRICH_MAILTO", "me@example.org")
    out = tmp_path / name
    result = CliRunner().invoke(
        main, ["run", str(EXAMPLE), "--replay", str(CASSETTE), "-o", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_parquet_footer_records_version_sources_settings_columns_and_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = _run(tmp_path, "enriched.parquet", monkeypatch)
    footer = {k.decode(): v.decode() for k, v in pq.read_metadata(out).metadata.items()}
    assert footer["enrich.version"] == __version__
    assert json.loads(footer["enrich.sources"]) == list(SOURCES)
    settings = json.loads(footer["enrich.settings"])
    assert settings["s2_api_key"] == "set"
    # The replay asks what was recorded, and the example was recorded without a token.
    assert settings["github_token"] is None
    assert settings["mailto"] == "me@example.org"
    assert settings["arxiv_batch_size"] == 100
    columns = json.loads(footer["enrich.columns"])
    assert columns == {c.name: c.description for c in OUTPUT_COLUMNS}
    started = dt.datetime.fromisoformat(footer["enrich.run_started"])
    assert before <= started <= dt.datetime.now(dt.UTC)
    assert SECRET not in out.read_bytes().decode("latin-1")
    assert pl.read_parquet(out).height == 30  # the footer does not disturb the table


@pytest.mark.parametrize("name", ["enriched.ndjson", "enriched.jsonl", "enriched.json"])
def test_json_outputs_get_the_record_in_a_sidecar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    out = _run(tmp_path, name, monkeypatch)
    sidecar = tmp_path / f"{name}.meta.json"
    record = json.loads(sidecar.read_text(encoding="utf-8"))["enrich"]
    assert record["version"] == __version__
    assert record["sources"] == list(SOURCES)
    assert record["settings"]["s2_api_key"] == "set"
    assert set(record["columns"]) == {c.name for c in OUTPUT_COLUMNS}
    assert dt.datetime.fromisoformat(record["run_started"]).tzinfo is not None
    assert SECRET not in sidecar.read_text(encoding="utf-8")
    assert SECRET not in out.read_text(encoding="utf-8")


def test_csv_gets_no_sidecar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(tmp_path, "enriched.csv", monkeypatch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enriched.csv"]


def test_library_run_with_output_writes_the_record_for_its_sources(tmp_path: Path) -> None:
    out = tmp_path / "arxiv-only.parquet"
    result = enrich_result(EXAMPLE, replay=CASSETTE, sources=("arxiv",), output=out)
    assert result.frame is None
    footer = pq.read_metadata(out).metadata
    assert json.loads(footer[b"enrich.sources"]) == ["arxiv"]


def test_parse_output_describes_only_its_own_columns(tmp_path: Path) -> None:
    out = tmp_path / "papers.parquet"
    result = CliRunner().invoke(main, ["parse", str(EXAMPLE), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    footer = pq.read_metadata(out).metadata
    columns = json.loads(footer[b"enrich.columns"])
    assert set(columns) <= set(pl.read_parquet(out).columns)
    assert "title" in columns
    assert json.loads(footer[b"enrich.sources"]) == []
