"""CSV, TSV, JSON, JSON Lines, Parquet and DataFrame inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from enrich._exceptions import InputError
from enrich._inputs import read_inputs
from enrich._inputs._records import map_columns

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"


def _rows(path: Path | str | pl.DataFrame | pd.DataFrame) -> list[tuple[object, ...]]:
    report = read_inputs(path)
    return [
        (p.origins[0].rsplit(":", 1)[1], p.title, p.arxiv_id, p.doi, p.code_urls, p.year)
        for p in report.papers
    ]


def test_csv_columns_case_insensitive_and_bad_rows_skipped() -> None:
    report = read_inputs(FIXTURES / "papers.csv")
    lora, attention, flash = report.papers

    assert (lora.title, lora.arxiv_id, lora.arxiv_version, lora.code_urls) == (
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "2106.09685",
        2,
        ("https://github.com/microsoft/LoRA",),
    )
    assert (lora.authors, lora.authors_count, lora.year) == (
        ("Edward J. Hu", "Yelong Shen"),
        2,
        2021,
    )
    assert (attention.authors, attention.origins) == (
        ("Ashish Vaswani", "Noam Shazeer"),
        (f"{FIXTURES / 'papers.csv'}:3",),  # the row starts on line 3 and spans two lines
    )
    # An arXiv DOI gives the id too; owner/repo in a code column is a GitHub link.
    assert (flash.arxiv_id, flash.doi, flash.code_urls) == (
        "2205.14135",
        "10.48550/arxiv.2205.14135",
        ("https://github.com/Dao-AILab/flash-attention",),
    )
    assert [(s.origin.rsplit(":", 1)[1], s.reason) for s in report.skipped] == [
        ("5", "malformed CSV row: expected 7 fields, got 8"),
        ("6", "malformed CSV row: ',' expected after '\"'"),
    ]


def test_csv_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        'title,year\nGood one,2020\n"Unclosed quote,2021\nGood two,2022\nGood three,2023\n',
        encoding="utf-8",
    )

    report = read_inputs(path)

    assert [(p.title, p.year) for p in report.papers] == [
        ("Good one", 2020),
        ("Good two", 2022),
        ("Good three", 2023),
    ]
    assert [s.origin for s in report.skipped] == [f"{path}:3"]
    assert report.skipped[0].reason.startswith("malformed CSV row")


def test_semicolon_csv_and_row_without_anything_usable(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("Title;DOI;Year\nA paper;10.1000/ABC;2019\n;;2020\n", encoding="utf-8")

    report = read_inputs(path)

    assert [(p.title, p.doi, p.year) for p in report.papers] == [("A paper", "10.1000/abc", 2019)]
    assert [(s.origin, s.reason) for s in report.skipped] == [
        (f"{path}:3", "no title, arXiv id, DOI or GitHub link")
    ]


def test_csv_without_recognised_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,score\nfoo,1\n", encoding="utf-8")

    with pytest.raises(InputError, match=r"x\.csv: no recognised column"):
        read_inputs(path)


def test_generic_url_column_feeds_ids_and_code() -> None:
    rows = _rows(FIXTURES / "papers.tsv")

    assert rows == [
        ("2", "Deep Residual Learning for Image Recognition", "1512.03385", None, (), 2015),
        (
            "3",
            "Denoising Diffusion Probabilistic Models",
            None,
            None,
            ("https://github.com/hojonathanho/diffusion",),
            None,
        ),
    ]


def test_tsv_short_row_is_skipped() -> None:
    report = read_inputs(FIXTURES / "papers.tsv")
    assert [(s.origin.rsplit(":", 1)[1], s.reason) for s in report.skipped] == [
        ("4", "malformed TSV row: expected 4 fields, got 1")
    ]
    assert [p.upvotes for p in report.papers] == [12, 7]


def test_json_array_with_lines_strings_and_bad_elements() -> None:
    report = read_inputs(FIXTURES / "papers.json")

    assert [
        (p.origins[0].rsplit(":", 1)[1], p.title, p.arxiv_id, p.doi, p.upvotes, p.authors)
        for p in report.papers
    ] == [
        ("2", "LoRA: Low-Rank Adaptation of Large Language Models", "2106.09685", None, 42,
         ("Edward J. Hu", "Yelong Shen")),
        ("4", "Attention Is All You Need", "1706.03762", None, None, ()),
        ("5", None, "2005.14165", None, None, ()),
        ("8", None, None, "10.1145/3442188.3445922", None, ()),
    ]  # fmt: skip
    assert report.papers[3].code_urls == ("https://github.com/a/b",)
    assert report.papers[1].year == 2017
    assert [(s.origin.rsplit(":", 1)[1], s.reason.split(" (")[0]) for s in report.skipped] == [
        ("6", "no recognised field"),
        ("7", "expected an object or a string, got int"),
    ]


def test_json_papers_wrapper() -> None:
    assert _rows(FIXTURES / "papers_wrapped.json") == [
        (
            "3",
            "Deep Residual Learning for Image Recognition",
            None,
            "10.1109/cvpr.2016.90",
            (),
            None,
        ),
        ("4", None, "1810.04805", None, (), None),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"title": "x"}', "invalid JSON at line 1"),
        ('{"something": 1}', 'expected a JSON array of objects or {"papers": [...]}'),
    ],
)
def test_bad_json_documents(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_inputs(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_jsonl_bad_line_keeps_neighbours() -> None:
    report = read_inputs(FIXTURES / "papers.jsonl")

    assert [(p.origins[0].rsplit(":", 1)[1], p.arxiv_id, p.code_urls) for p in report.papers] == [
        ("1", "2106.09685", ()),
        ("3", "2302.13971", ()),
        ("5", None, ("https://github.com/huggingface/peft",)),
    ]
    assert report.papers[2].abstract == "Parameter-efficient fine-tuning."
    assert [s.origin.rsplit(":", 1)[1] for s in report.skipped] == ["2"]
    assert report.skipped[0].reason.startswith("invalid JSON")


def test_parquet_with_list_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame(
        {
            "Title": ["A parquet paper", None],
            "arxiv_id": ["2106.09685v1", "1706.03762"],
            "authors": [["Ann Author", "Bob Writer"], []],
            "github": [None, "https://github.com/x/y"],
            "year": [2021, None],
            "ignored": [1.5, 2.5],
        }
    ).write_parquet(path)

    report = read_inputs(path)

    assert [
        (p.origins, p.title, p.arxiv_id, p.arxiv_version, p.authors, p.code_urls, p.year)
        for p in report.papers
    ] == [
        ((f"{path}:1",), "A parquet paper", "2106.09685", 1, ("Ann Author", "Bob Writer"), (), 2021),
        ((f"{path}:2",), None, "1706.03762", None, (), ("https://github.com/x/y",), None),
    ]  # fmt: skip


def test_polars_frame_input() -> None:
    frame = pl.DataFrame(
        {"TITLE": ["Frame paper"], "DOI": ["https://doi.org/10.1000/Q"], "Upvotes": [3]}
    )

    report = read_inputs(frame)

    assert [(p.origins, p.title, p.doi, p.upvotes) for p in report.papers] == [
        (("<frame>:1",), "Frame paper", "10.1000/q", 3)
    ]


def test_pandas_frame_input_with_missing_values_and_numeric_ids() -> None:
    frame = pd.DataFrame(
        {
            "Paper Title": ["Pandas paper", None, "Third"],
            # A spreadsheet turned 2106.09680 into a float; the scheme restores the zero.
            "arXiv": [2106.0968, float("nan"), None],
            "year": [2021.0, float("nan"), 1999.0],
            "authors": ["A. One and B. Two", None, "C. Three; D. Four"],
        }
    )

    report = read_inputs(frame)

    assert [(p.origins, p.title, p.arxiv_id, p.year, p.authors) for p in report.papers] == [
        (("<frame>:1",), "Pandas paper", "2106.09680", 2021, ("A. One", "B. Two")),
        (("<frame>:3",), "Third", None, 1999, ("C. Three", "D. Four")),
    ]
    assert [(s.origin, s.reason) for s in report.skipped] == [
        ("<frame>:2", "no title, arXiv id, DOI or GitHub link")
    ]


def test_frame_without_recognised_columns_is_an_input_error() -> None:
    with pytest.raises(InputError, match="<frame>: no recognised column"):
        read_inputs(pl.DataFrame({"score": [1]}))


def test_papers_frame_written_by_enrich_reads_back(tmp_path: Path) -> None:
    from enrich._inputs import papers_to_frame

    original = read_inputs(FIXTURES / "daily_cards.txt").papers
    path = tmp_path / "papers.parquet"
    papers_to_frame(original).write_parquet(path)

    again = read_inputs(path).papers

    fields = ("title", "abstract", "authors_count", "organization", "listed_date", "upvotes")
    assert [[getattr(p, f) for f in fields] for p in again] == [
        [getattr(p, f) for f in fields] for p in original
    ]
    assert again[0].listed_year_inferred is True
    assert again[0].listed_date == dt.date(2026, 2, 20)


def test_map_columns_matches_case_and_separators() -> None:
    assert map_columns(["Paper Title", "ARXIV-ID", "code.url", "Abstract", "x"]) == {
        "title": "Paper Title",
        "arxiv": "ARXIV-ID",
        "code": "code.url",
        "abstract": "Abstract",
    }


def test_json_lines_saved_as_json_are_read_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "slip.json"
    path.write_text('{"title": "One"}\n{"title": "Two"}\n', encoding="utf-8")

    report = read_inputs(path)

    assert [(p.title, p.origins) for p in report.papers] == [
        ("One", (f"{path}:1",)),
        ("Two", (f"{path}:2",)),
    ]
