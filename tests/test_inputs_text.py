"""Plain-text lists, lists of strings, path-versus-item, sniffing and format override."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from enrich._exceptions import ConfigError, InputError
from enrich._inputs import FORMATS, read_inputs
from enrich._inputs._text import parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"


def test_text_list_reads_every_kind_of_line() -> None:
    result = parse_text((FIXTURES / "papers.txt").read_text(encoding="utf-8"), "p.txt")
    rows = [
        (p.origins, p.title, p.arxiv_id, p.arxiv_version, p.doi, p.code_urls) for p in result.papers
    ]

    assert rows == [
        (("p.txt:2",), None, "2106.09685", None, None, ()),
        (("p.txt:3",), None, "1706.03762", 5, None, ()),
        (("p.txt:5",), None, "2005.14165", 4, None, ()),
        (("p.txt:6",), None, "hep-th/9711200", None, None, ()),
        (("p.txt:7",), None, "2302.13971", None, "10.48550/arxiv.2302.13971", ()),
        (("p.txt:8",), None, None, None, "10.1145/3442188.3445922", ()),
        (("p.txt:9",), None, None, None, None, ("https://github.com/huggingface/peft",)),
        (("p.txt:10",), "Deep Residual Learning for Image Recognition", None, None, None, ()),
        (("p.txt:11",), "Language Models are Few-Shot Learners", None, None, None, ()),
        (
            ("p.txt:12",),
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "1810.04805",
            None,
            None,
            (),
        ),
        (("p.txt:13",), None, "2307.09288", None, None, ()),
    ]
    assert [(s.origin, s.reason.split(":")[0]) for s in result.skipped] == [
        ("p.txt:14", "unrecognised link (not arXiv, DOI or GitHub)")
    ]


def test_hugging_face_paper_links_are_arxiv_ids() -> None:
    report = read_inputs(["https://huggingface.co/papers/2106.09685"])
    assert report.papers[0].arxiv_id == "2106.09685"


def test_list_of_strings_items_with_origins() -> None:
    report = read_inputs(
        [
            "arXiv:2106.09685v2",
            "Attention Is All You Need",
            "https://doi.org/10.1145/3442188.3445922",
            "",
            "https://github.com/huggingface/peft/tree/main",
        ]
    )

    assert [(p.origins, p.arxiv_id, p.title, p.doi, p.code_urls) for p in report.papers] == [
        (("<list>:1",), "2106.09685", None, None, ()),
        (("<list>:2",), None, "Attention Is All You Need", None, ()),
        (("<list>:3",), None, None, "10.1145/3442188.3445922", ()),
        (("<list>:5",), None, None, None, ("https://github.com/huggingface/peft",)),
    ]
    assert [(s.origin, s.reason) for s in report.skipped] == [("<list>:4", "empty item")]
    assert report.files == 1


def test_list_mixes_existing_paths_and_items(tmp_path: Path) -> None:
    listed = tmp_path / "more.txt"
    listed.write_text("1706.03762\n", encoding="utf-8")

    report = read_inputs(["2106.09685", str(listed), Path(listed)])

    assert [p.arxiv_id for p in report.papers] == ["2106.09685", "1706.03762"]
    assert report.papers[1].origins == (f"{listed}:1",)
    assert report.files == 3
    assert report.duplicates_merged == 1


def test_missing_file_name_in_a_list_is_a_missing_file_not_a_title(tmp_path: Path) -> None:
    missing = os.fspath(tmp_path / "papers.csv")

    report = read_inputs(["2106.09685", missing, "papers.csv is a title with spaces"])

    assert [p.title for p in report.papers] == [None, "papers.csv is a title with spaces"]
    assert [(s.origin, s.reason) for s in report.skipped] == [(missing, "no such file")]


def test_single_string_is_always_a_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_inputs(os.fspath(tmp_path / "Attention Is All You Need"))
    assert str(caught.value).endswith("Attention Is All You Need: no such file")


@pytest.mark.parametrize(
    ("content", "expected_title"),
    [
        ('[{"title": "Sniffed JSON"}]', "Sniffed JSON"),
        ('{"title": "Line one"}\n{"title": "Line two"}\n', "Line one"),
        ("@article{k, title={Sniffed BibTeX}}\n", "Sniffed BibTeX"),
        ("Title\tYear\nSniffed TSV\t2020\n", "Sniffed TSV"),
        ("title,year\nSniffed CSV,2020\n", "Sniffed CSV"),
        ("Just a title, with a comma\n", "Just a title, with a comma"),
    ],
)
def test_unknown_extension_is_sniffed(tmp_path: Path, content: str, expected_title: str) -> None:
    path = tmp_path / "papers.unknown"
    path.write_text(content, encoding="utf-8")

    assert read_inputs(path).papers[0].title == expected_title


def test_txt_with_csv_content_stays_text_unless_overridden(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("title,year\nOverridden,2020\n", encoding="utf-8")

    as_text = read_inputs(path)
    as_csv = read_inputs(path, format="csv")

    assert [p.title for p in as_text.papers] == ["title,year", "Overridden,2020"]
    assert [(p.title, p.year) for p in as_csv.papers] == [("Overridden", 2020)]


def test_unknown_format_is_a_config_error_listing_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        read_inputs(["x"], format="xlsx")  # type: ignore[arg-type]
    assert all(name in str(caught.value) for name in FORMATS)


def test_wrong_source_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        read_inputs(42)  # type: ignore[arg-type]


def test_summary_counts_and_groups_skips(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("2106.09685\n2106.09685v3\nftp://example.org/x\nhttp://example.org/y\n")

    report = read_inputs(path)

    assert (report.read, report.duplicates_merged, len(report.papers)) == (2, 1, 1)
    assert report.summary().splitlines() == [
        "read 2 papers from 1 input; merged 1 duplicate: 1 distinct paper",
        "skipped 2:",
        "  2 x unrecognised link",
    ]
