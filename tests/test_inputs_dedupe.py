"""Merging the same paper listed several times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from enrich._inputs import read_inputs
from enrich._inputs._dedupe import dedupe
from enrich._models import Paper


def test_same_arxiv_id_across_inputs_merges_fields(tmp_path: Path) -> None:
    listing = tmp_path / "a.txt"
    listing.write_text("2106.09685v2\n", encoding="utf-8")
    table = tmp_path / "b.csv"
    table.write_text(
        "title,arxiv,github,upvotes\n"
        "LoRA,https://arxiv.org/abs/2106.09685,https://github.com/microsoft/LoRA,3\n"
        "Different title,2106.09685,https://github.com/other/repo,9\n",
        encoding="utf-8",
    )

    report = read_inputs([listing, table])

    (paper,) = report.papers
    assert (paper.arxiv_id, paper.arxiv_version, paper.title, paper.upvotes) == (
        "2106.09685",
        2,
        "LoRA",
        9,
    )
    assert paper.code_urls == ("https://github.com/microsoft/LoRA", "https://github.com/other/repo")
    assert paper.origins == (f"{listing}:1", f"{table}:2", f"{table}:3")
    assert (report.read, report.duplicates_merged, report.files) == (3, 2, 2)


def test_doi_merges_unless_arxiv_ids_differ() -> None:
    papers = [
        Paper(doi="10.1000/x", title="One", origins=("a:1",)),
        Paper(doi="10.1000/x", arxiv_id="2106.09685", origins=("a:2",)),
        Paper(doi="10.1000/x", arxiv_id="1706.03762", origins=("a:3",)),
    ]

    merged = dedupe(papers)

    assert [(p.arxiv_id, p.doi, p.origins) for p in merged] == [
        ("2106.09685", "10.1000/x", ("a:1", "a:2")),
        ("1706.03762", "10.1000/x", ("a:3",)),
    ]


def test_title_merges_only_when_one_side_has_no_id() -> None:
    papers = [
        Paper(title="{LoRA}: Low-Rank Adaptation", origins=("a:1",)),
        Paper(title="LoRA - low rank adaptation", arxiv_id="2106.09685", origins=("a:2",)),
        Paper(title="LoRA: Low-Rank Adaptation", arxiv_id="2402.00001", origins=("a:3",)),
        Paper(title="LORA: LOW-RANK ADAPTATION", origins=("a:4",)),
    ]

    merged = dedupe(papers)

    assert [(p.arxiv_id, p.origins) for p in merged] == [
        ("2106.09685", ("a:1", "a:2", "a:4")),
        ("2402.00001", ("a:3",)),
    ]
    assert merged[0].title == "{LoRA}: Low-Rank Adaptation"


def test_code_only_listings_merge_on_their_link() -> None:
    papers = [
        Paper(code_urls=("https://github.com/a/b",), origins=("x:1",)),
        Paper(code_urls=("https://github.com/A/B",), origins=("x:2",)),
        Paper(code_urls=("https://github.com/a/c",), origins=("x:3",)),
    ]

    assert [p.origins for p in dedupe(papers)] == [("x:1", "x:2"), ("x:3",)]


def test_shown_year_beats_inferred_and_full_abstract_beats_truncated() -> None:
    papers = [
        Paper(
            title="T",
            abstract="The start of it...",
            listed_date=dt.date(2025, 6, 4),
            listed_date_text="Jun 4",
            listed_year_inferred=True,
            upvotes=1,
            origins=("p1:1",),
        ),
        Paper(
            title="T",
            abstract="The start of it and the rest.",
            listed_date=dt.date(2025, 6, 4),
            listed_date_text="Jun 4, 2025",
            upvotes=None,
            authors_count=3,
            origins=("p2:9",),
        ),
    ]

    (merged,) = dedupe(papers)

    assert merged.abstract == "The start of it and the rest."
    assert (merged.listed_date_text, merged.listed_year_inferred) == ("Jun 4, 2025", False)
    assert (merged.upvotes, merged.authors_count) == (1, 3)
    assert merged.origins == ("p1:1", "p2:9")


def test_first_seen_order_is_kept() -> None:
    papers = [Paper(title=t, origins=(f"x:{i}",)) for i, t in enumerate("CABAC", start=1)]
    assert [p.title for p in dedupe(papers)] == ["C", "A", "B"]
