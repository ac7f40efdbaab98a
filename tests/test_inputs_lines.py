"""Input lines (issue #12, point 7): a bad line costs only itself; BibTeX reads linearly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from enrich._inputs import STDIN, read_inputs
from enrich._inputs._bibtex import _LineCounter, parse_bibtex
from enrich._inputs._decode import decode_lines


def test_one_nul_byte_at_the_top_skips_only_its_line(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"2106.09685\nbad\x00line\n1706.03762\n")
    report = read_inputs(path)
    assert [p.arxiv_id for p in report.papers] == ["2106.09685", "1706.03762"]
    assert [(s.origin, s.reason) for s in report.skipped] == [(f"{path}:2", "NUL byte in line")]


def test_an_undecodable_line_is_skipped_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"Attention Is All You Need\n\xc3\x28 broken\n2106.09685\n")
    report = read_inputs(path)
    assert [(p.title, p.arxiv_id) for p in report.papers] == [
        ("Attention Is All You Need", None),
        (None, "2106.09685"),
    ]
    assert [(s.origin, s.reason) for s in report.skipped] == [
        (f"{path}:2", "line is not UTF-8 (byte 0xc3)")
    ]


def test_a_bad_csv_row_is_skipped_and_the_other_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv"
    path.write_bytes(b"title,arxiv_id\nGood One,2106.09685\nBad\xff,\nNul\x00,\nLast,1706.03762\n")
    report = read_inputs(path)
    assert [p.arxiv_id for p in report.papers] == ["2106.09685", "1706.03762"]
    assert [s.origin for s in report.skipped] == [f"{path}:3", f"{path}:4"]


def test_bad_lines_in_bibtex_keep_the_other_entries_and_their_line_numbers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(
        b"@article{a, title={First}, eprint={2106.09685}}\n"
        b"% a comment with a stray \xff byte\n"
        b"@article{b, title={Second}, eprint={1706.03762}}\n"
    )
    report = read_inputs(path)
    assert [(p.arxiv_id, p.origins) for p in report.papers] == [
        ("2106.09685", (f"{path}:1",)),
        ("1706.03762", (f"{path}:3",)),
    ]
    assert [s.origin for s in report.skipped] == [f"{path}:2"]


def test_a_binary_file_is_still_refused_whole() -> None:
    with pytest.raises(Exception, match="binary file"):
        decode_lines(b"\x89PNG\r\n\x1a\n" + bytes(200), "image.txt")


def test_crlf_files_keep_editor_line_numbers() -> None:
    decoded = decode_lines(b"a\r\nb\x00\r\nc\r\n", "x.txt")
    assert decoded.bad_lines == [(2, "NUL byte in line")]


def test_stdin_is_read_when_given_as_the_stdin_source(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(b"2106.09685\nbad\x00\n")

    monkeypatch.setattr("sys.stdin", Stdin)
    report = read_inputs([STDIN])
    assert [(p.arxiv_id, p.origins) for p in report.papers] == [("2106.09685", ("<stdin>:1",))]
    assert [s.origin for s in report.skipped] == ["<stdin>:2"]


def test_a_dash_item_in_a_library_list_is_not_stdin() -> None:
    report = read_inputs(["-", "2106.09685"])  # would block on stdin if it were
    assert [p.arxiv_id for p in report.papers] == ["2106.09685"]


def _bibtex(entries: int) -> str:
    return "".join(
        f"@article{{k{i},\n  title = {{Paper number {i}}},\n  year = {{2020}},\n}}\n\n"
        for i in range(entries)
    )


def test_bibtex_line_numbers_stay_right_across_many_entries() -> None:
    parsed = parse_bibtex(_bibtex(2_000), "big.bib")
    assert len(parsed.papers) == 2_000
    assert parsed.papers[0].origins == ("big.bib:1",)
    assert parsed.papers[1_999].origins == (f"big.bib:{1_999 * 5 + 1}",)


def test_bibtex_syntax_errors_still_name_their_line_after_resync() -> None:
    text = _bibtex(3) + "@article{broken,\n  title = {never closed\n\n" + _bibtex(2)
    parsed = parse_bibtex(text, "x.bib")
    assert len(parsed.papers) == 5
    (skip,) = parsed.skipped
    assert skip.origin == "x.bib:16"
    assert parsed.papers[3].origins == ("x.bib:19",)


def test_line_counter_counts_each_newline_once_and_handles_going_back() -> None:
    counter = _LineCounter("a\nb\nc\nd\n")
    assert [counter.line_at(offset) for offset in (0, 2, 6, 4, 7)] == [1, 2, 4, 3, 4]
