"""write_table: every format reads back, CSV is flattened and defused, writes are atomic."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import polars as pl
import pytest

from enrich._exceptions import ConfigError
from enrich._inputs import PAPER_SCHEMA, papers_to_frame
from enrich._models import Paper
from enrich._output import OUTPUT_FORMATS, write_table

PAPERS = [
    Paper(
        title='=HYPERLINK("http://evil")',
        abstract="-1 is negative",
        arxiv_id="2106.09685",
        arxiv_version=2,
        code_urls=("https://github.com/microsoft/LoRA", "https://github.com/a/b"),
        authors=("Edward J. Hu", "@handle"),
        authors_count=2,
        year=2021,
        listed_date=dt.date(2026, 1, 4),
        listed_date_text="Jan 4",
        listed_year_inferred=True,
        upvotes=-3,
        origins=("a.txt:1", "b.csv:2"),
    ),
    Paper(title="Plain", origins=("c.txt:7",)),
]


@pytest.fixture
def frame() -> pl.DataFrame:
    return papers_to_frame(PAPERS).with_columns(
        pl.struct(pl.col("arxiv_id").alias("source"), pl.col("listed_date").alias("when")).alias(
            "provenance"
        )
    )


def test_papers_to_frame_schema_and_values() -> None:
    table = papers_to_frame(PAPERS)

    assert table.schema == pl.Schema(PAPER_SCHEMA)
    assert list(table.columns) == [
        "title", "abstract", "arxiv_id", "arxiv_version", "doi", "code_urls", "authors",
        "authors_count", "organization", "year", "listed_date", "listed_date_text",
        "listed_year_inferred", "upvotes", "origins",
    ]  # fmt: skip
    assert table.row(1, named=True) == {
        **dict.fromkeys(PAPER_SCHEMA),
        "title": "Plain",
        "code_urls": [],
        "authors": [],
        "listed_year_inferred": False,
        "origins": ["c.txt:7"],
    }
    assert table.get_column("listed_date").to_list() == [dt.date(2026, 1, 4), None]


def test_empty_papers_give_an_empty_frame_with_the_schema() -> None:
    table = papers_to_frame([])
    assert table.height == 0
    assert table.schema == pl.Schema(PAPER_SCHEMA)


def test_parquet_round_trip(tmp_path: Path, frame: pl.DataFrame) -> None:
    path = tmp_path / "out.parquet"
    write_table(frame, path)
    back = pl.read_parquet(path)
    for name in frame.columns:
        assert back.get_column(name).to_list() == frame.get_column(name).to_list(), name
    assert back.schema == frame.schema


@pytest.mark.parametrize("suffix", [".ndjson", ".jsonl"])
def test_ndjson_round_trip(tmp_path: Path, frame: pl.DataFrame, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    write_table(frame, path)
    back = pl.read_ndjson(path, schema=frame.schema)
    for name in frame.columns:
        assert back.get_column(name).to_list() == frame.get_column(name).to_list(), name
    # Values are untouched: no formula escaping outside CSV/TSV.
    assert json.loads(path.read_text().splitlines()[0])["title"] == PAPERS[0].title


def test_json_is_one_array_of_objects(tmp_path: Path, frame: pl.DataFrame) -> None:
    path = tmp_path / "out.json"
    write_table(frame, path)
    records = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(records, list)
    assert [r["title"] for r in records] == [PAPERS[0].title, "Plain"]
    assert records[0]["code_urls"] == list(PAPERS[0].code_urls)
    assert records[0]["listed_date"] == "2026-01-04"
    assert records[0]["provenance"] == {"source": "2106.09685", "when": "2026-01-04"}
    back = pl.read_json(path, schema=frame.schema)
    for name in frame.columns:
        assert back.get_column(name).to_list() == frame.get_column(name).to_list(), name


@pytest.mark.parametrize(("suffix", "delimiter"), [(".csv", ","), (".tsv", "\t")])
def test_csv_and_tsv_are_flat_and_defused(
    tmp_path: Path, frame: pl.DataFrame, suffix: str, delimiter: str
) -> None:
    path = tmp_path / f"out{suffix}"
    write_table(frame, path)

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=delimiter))

    first, second = rows
    assert list(first) == frame.columns
    assert first["title"] == '\'=HYPERLINK("http://evil")'
    assert first["abstract"] == "'-1 is negative"
    assert first["code_urls"] == "https://github.com/microsoft/LoRA; https://github.com/a/b"
    assert first["authors"] == "Edward J. Hu; @handle"
    assert first["origins"] == "a.txt:1; b.csv:2"
    assert first["listed_date"] == "2026-01-04"
    assert first["listed_year_inferred"] == "true"
    assert first["upvotes"] == "-3"  # numbers are not text: never prefixed
    assert json.loads(first["provenance"]) == {"source": "2106.09685", "when": "2026-01-04"}
    assert second["title"] == "Plain"
    assert second["code_urls"] == ""
    back = pl.read_csv(path, separator=delimiter, infer_schema=False)
    assert back.get_column("arxiv_id").to_list() == ["2106.09685", None]
    assert back.get_column("year").to_list() == ["2021", None]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_prefixed_in_csv(tmp_path: Path, start: str) -> None:
    path = tmp_path / "out.csv"
    write_table(
        pl.DataFrame({"title": [f"{start}cmd", "safe"], "tags": [[f"{start}x"], ["y"]]}), path
    )

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert [(r["title"], r["tags"]) for r in rows] == [
        (f"'{start}cmd", f"'{start}x"),
        ("safe", "y"),
    ]


def test_unknown_extension_is_a_config_error(tmp_path: Path, frame: pl.DataFrame) -> None:
    with pytest.raises(ConfigError) as caught:
        write_table(frame, tmp_path / "out.xlsx")
    assert all(f".{name}" in str(caught.value) for name in OUTPUT_FORMATS)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_is_a_config_error(tmp_path: Path, frame: pl.DataFrame) -> None:
    with pytest.raises(ConfigError, match="cannot write"):
        write_table(frame, tmp_path / "no" / "such" / "out.csv")


def test_atomic_write_replaces_and_leaves_no_temporary_files(
    tmp_path: Path, frame: pl.DataFrame
) -> None:
    path = tmp_path / "out.parquet"
    path.write_bytes(b"old content")
    write_table(frame, path)
    assert pl.read_parquet(path).height == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]


def test_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n", encoding="utf-8")
    unwritable = pl.DataFrame({"x": [object()]}, schema={"x": pl.Object})

    with pytest.raises(pl.exceptions.PolarsError):  # Parquet has no Object type
        write_table(unwritable, tmp_path / "out.parquet")

    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_new_file_gets_the_usual_permissions(tmp_path: Path, frame: pl.DataFrame) -> None:
    path = tmp_path / "out.csv"
    reference = tmp_path / "reference"
    reference.touch()
    write_table(frame, path)
    assert os.stat(path).st_mode & 0o777 == os.stat(reference).st_mode & 0o777
