"""Saved Daily Papers pages: both layouts, footers, chrome, year inference, sniffing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from enrich._inputs import read_inputs
from enrich._inputs._daily_papers import looks_like_daily, parse_daily

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"
CARDS = FIXTURES / "daily_cards.txt"
FLAT = FIXTURES / "daily_flat.txt"


def test_card_layout_reads_every_card_with_its_footer() -> None:
    papers = parse_daily(CARDS.read_text(encoding="utf-8"), "page.txt").papers

    assert [p.title for p in papers] == [
        "Sparse Widgets for Efficient Gadget Alignment",
        "Gadget Scaling Laws Revisited",
        "A Footerless Card About Widgets",
        "Organised Widgets at Scale",
        "Widgets That Came From The Future",
        "Leap Day Widgets",
    ]
    assert [p.origins for p in papers] == [
        ("page.txt:13",),
        ("page.txt:21",),
        ("page.txt:29",),
        ("page.txt:33",),
        ("page.txt:41",),
        ("page.txt:49",),
    ]
    assert [p.authors_count for p in papers] == [7, 1, None, None, 3, 2]
    assert [p.organization for p in papers] == [None, None, None, "Widget Lab", None, None]
    assert [p.upvotes for p in papers] == [None, 12, None, 3, None, 1]
    assert all(p.abstract and p.abstract.startswith("We study ") for p in papers)


def test_card_layout_dates_and_year_inference() -> None:
    papers = {p.title: p for p in parse_daily(CARDS.read_text(encoding="utf-8"), "p").papers}

    # Latest printed year is 2025, so yearless dates belong to 2026.
    inferred = papers["Sparse Widgets for Efficient Gadget Alignment"]
    assert (inferred.listed_date, inferred.listed_date_text, inferred.listed_year_inferred) == (
        dt.date(2026, 2, 20),
        "Feb 20",
        True,
    )
    shown = papers["Gadget Scaling Laws Revisited"]
    assert (shown.listed_date, shown.listed_date_text, shown.listed_year_inferred) == (
        dt.date(2024, 11, 30),
        "Nov 30, 2024",
        False,
    )
    # Dec 25 would fall after the page's own date (Mar 3): refused, text kept.
    future = papers["Widgets That Came From The Future"]
    assert (future.listed_date, future.listed_date_text, future.listed_year_inferred) == (
        None,
        "Dec 25",
        False,
    )
    # Feb 29 does not exist in 2026.
    leap = papers["Leap Day Widgets"]
    assert (leap.listed_date, leap.listed_date_text, leap.upvotes) == (None, "Feb 29", 1)
    footerless = papers["A Footerless Card About Widgets"]
    assert (footerless.listed_date, footerless.listed_date_text) == (None, None)


def test_page_without_any_printed_year_infers_nothing() -> None:
    text = CARDS.read_text(encoding="utf-8").replace("Nov 30, 2024 12", "Nov 30 12")
    text = text.replace("Jan 5, 2025 3", "Jan 5 3")
    papers = parse_daily(text, "p").papers

    assert [p.listed_date for p in papers] == [None] * 6
    assert [p.listed_date_text for p in papers] == [
        "Feb 20",
        "Nov 30",
        None,
        "Jan 5",
        "Dec 25",
        "Feb 29",
    ]
    assert not any(p.listed_year_inferred for p in papers)


def test_code_links_come_from_the_abstract_only_for_repositories() -> None:
    papers = {p.title: p for p in parse_daily(CARDS.read_text(encoding="utf-8"), "p").papers}

    assert papers["Sparse Widgets for Efficient Gadget Alignment"].code_urls == (
        "https://github.com/widget-lab/sparse-widgets",
    )
    # .git dropped; the github.io project page is not a repository.
    assert papers["A Footerless Card About Widgets"].code_urls == ("https://github.com/foo/bar",)
    assert papers["Gadget Scaling Laws Revisited"].code_urls == ()


def test_flat_layout_strips_glued_chrome_and_keeps_truncated_abstract() -> None:
    papers = parse_daily(FLAT.read_text(encoding="utf-8"), "flat.txt").papers

    assert [(p.title, p.origins) for p in papers] == [
        ("Explaining Widgets With Gadgets", ("flat.txt:3",)),
        ("Gadget-Free Widget Training", ("flat.txt:5",)),
        ("A Third Widget Paper", ("flat.txt:7",)),
    ]
    assert papers[2].abstract is not None
    assert papers[2].abstract.endswith("...")
    # A link glued to the previous word ("GitHub.https://...") still counts.
    assert papers[1].code_urls == ("https://github.com/gf/widgets",)
    assert all(p.listed_date_text is None and p.authors_count is None for p in papers)


def test_flat_layout_recovers_from_a_card_without_abstract() -> None:
    long = "An abstract long enough to be recognised as one. " * 6
    text = f"Title Without Abstract\nSecond Title\n{long}\nThird Title\n{long}\n"

    papers = parse_daily(text, "f").papers

    assert [(p.title, p.abstract is None) for p in papers] == [
        ("Title Without Abstract", True),
        ("Second Title", False),
        ("Third Title", False),
    ]


@pytest.mark.parametrize("path", [CARDS, FLAT])
def test_txt_pages_are_sniffed_as_daily(path: Path) -> None:
    assert looks_like_daily(path.read_text(encoding="utf-8"))
    report = read_inputs(path)
    assert report.papers[0].title in {
        "Sparse Widgets for Efficient Gadget Alignment",
        "Explaining Widgets With Gadgets",
    }


def test_plain_lists_are_not_sniffed_as_daily() -> None:
    text = (FIXTURES / "papers.txt").read_text(encoding="utf-8")
    assert not looks_like_daily(text)


def test_format_daily_forces_the_page_reader(tmp_path: Path) -> None:
    page = tmp_path / "page.dat"
    page.write_text(CARDS.read_text(encoding="utf-8"), encoding="utf-8")

    forced = read_inputs(page, format="daily")
    as_text = read_inputs(page, format="text")

    assert len(forced.papers) == 6
    # Read as a plain list, every line (chrome, abstracts, footers) is a "title".
    assert len(as_text.papers) > 20


def test_chromeless_card_page_is_still_sniffed(tmp_path: Path) -> None:
    lines = CARDS.read_text(encoding="utf-8").splitlines()
    page = tmp_path / "cards.txt"
    page.write_text("\n".join(lines[12:]) + "\n", encoding="utf-8")

    report = read_inputs(page)

    assert [p.authors_count for p in report.papers] == [7, 1, None, None, 3, 2]
    assert report.papers[0].origins == (f"{page}:1",)


def test_junk_lines_in_a_page_are_skipped_not_fatal() -> None:
    text = CARDS.read_text(encoding="utf-8")
    text = text.replace("Gadget Scaling Laws Revisited", "x" * 1_000_000, 1)
    text = text.replace("Leap Day Widgets", "Leap\x00Day", 1)

    result = parse_daily(text, "p")

    assert [(s.origin, s.reason) for s in result.skipped] == [
        ("p:21", "line too long (1,000,000 characters; limit 10,000)"),
        ("p:49", "NUL byte in line"),
    ]
    titles = [p.title for p in result.papers]
    assert "Sparse Widgets for Efficient Gadget Alignment" in titles
    assert "Organised Widgets at Scale" in titles
