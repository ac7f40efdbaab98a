"""Streaming inputs: read window by window, deduplicated across the whole input."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from helpers import fast_settings, small_corpus
from polars.testing import assert_series_equal

import enrich
from enrich._inputs import PaperStream, merge_late, read_inputs
from enrich._models import Paper
from enrich.testing import FakeServices

#: title, arxiv_id, doi, code_url: later rows repeat earlier papers in every way dedupe merges.
ROWS = [
    ("Attention is all you need", "", "", ""),
    ("", "2106.09685", "", ""),
    ("", "", "10.18653/v1/N19-1423", ""),
    ("A Paper Nobody Has Ever Written About Anything", "", "", ""),
    ("", "", "", "https://github.com/old-owner/old-name"),
    ("", "arXiv:2106.09685v2", "", ""),  # same id: only origins change
    ("Attention Is All You Need", "1706.03762", "", ""),  # adds an id to row 1's paper
    ("", "", "", "https://github.com/old-owner/old-name"),  # same lone code link
    ("BERT", "", "10.18653/V1/N19-1423", "https://github.com/google-research/bert"),
    ("A paper nobody has ever written about anything!", "", "", ""),  # same title key
]


def write_rows(path: Path, rows: list[tuple[str, str, str, str]] = ROWS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "arxiv_id", "doi", "code_url"])
        writer.writerows(rows)
    return path


def assert_same_rows(a: pl.DataFrame | None, b: pl.DataFrame | None) -> None:
    assert a is not None
    assert b is not None
    assert a.schema == b.schema
    for name in a.columns:
        if name != "fetched_at":
            assert_series_equal(a[name], b[name], check_exact=True)


def test_reading_proceeds_window_by_window(tmp_path: Path) -> None:
    listing = tmp_path / "ids.txt"
    listing.write_text("".join(f"2101.{n:05d}\n" for n in range(25)), "utf-8")
    stream = PaperStream(str(listing))
    windows = stream.windows(10)
    sizes_and_read = []
    for window in windows:
        # Only what the windows handed out so far has been read: never the whole file.
        sizes_and_read.append((len(window), stream.report.read))
    assert sizes_and_read == [(10, 10), (10, 20), (5, 25)]
    assert stream.report.files == 1
    assert stream.report.duplicates_merged == 0


def test_windows_merged_with_late_listings_equal_the_whole_input_read(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "papers.csv")
    whole = read_inputs(str(source))
    stream = PaperStream(str(source))
    handed = [paper for window in stream.windows(2) for paper in window]
    assert stream.late  # duplicates arrived after their paper's window
    merged = [merge_late(p, stream.late.get(i, [])) for i, p in enumerate(handed)]
    assert merged == whole.papers
    assert stream.report.read == whole.read
    assert stream.report.duplicates_merged == whole.duplicates_merged
    assert stream.report.skipped == whole.skipped


def test_a_duplicate_after_its_window_is_kept_as_a_late_listing() -> None:
    stream = PaperStream(["2106.09685", "arXiv:2106.09685v2"])
    first = Paper(arxiv_id="2106.09685", origins=("<list>:1",))
    assert list(stream.windows(1)) == [[first]]
    assert stream.late == {
        0: [Paper(arxiv_id="2106.09685", arxiv_version=2, origins=("<list>:2",))]
    }
    assert merge_late(first, stream.late[0]).origins == ("<list>:1", "<list>:2")


@pytest.mark.parametrize("to_file", [False, True])
def test_small_windows_give_the_table_of_one_window(tmp_path: Path, to_file: bool) -> None:
    source = str(write_rows(tmp_path / "papers.csv"))
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    settings = fast_settings()
    whole = enrich.enrich_result(source, settings=settings, transport=fake.transport())
    out = tmp_path / "small.parquet"
    small = enrich.enrich_result(
        source,
        settings=settings,
        transport=fake.transport(),
        window=2,
        output=out if to_file else None,
    )
    assert_same_rows(whole.frame, pl.read_parquet(out) if to_file else small.frame)
    assert small.report.papers == whole.report.papers
    assert small.report.statuses == whole.report.statuses
    assert small.report.resolved == whole.report.resolved
    assert small.report.not_found == whole.report.not_found
    assert small.read.duplicates_merged == whole.read.duplicates_merged


def test_late_listings_with_the_store_stay_identical_when_warm(tmp_path: Path) -> None:
    source = str(write_rows(tmp_path / "papers.csv"))
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    settings = fast_settings(use_cache=True, cache_dir=tmp_path / "cache")
    whole = enrich.enrich_result(source, settings=fast_settings(), transport=fake.transport())
    cold = enrich.enrich_result(source, settings=settings, transport=fake.transport(), window=2)
    warm = enrich.enrich_result(source, settings=settings, transport=fake.transport(), window=2)
    assert sum(s.requests for s in warm.stats.values()) == 0
    assert_same_rows(whole.frame, cold.frame)
    assert_same_rows(whole.frame, warm.frame)


def test_the_fast_input_frame_equals_papers_to_frame(tmp_path: Path) -> None:
    from enrich._inputs import papers_to_frame
    from enrich._windows import input_frame

    papers = read_inputs(str(write_rows(tmp_path / "papers.csv"))).papers
    papers.append(Paper(title="x", authors=("A. B", "C. D"), origins=("a:1", "b:2", "c:3")))
    assert_same_rows(input_frame(papers), papers_to_frame(papers))
    assert_same_rows(input_frame([]), papers_to_frame([]))
