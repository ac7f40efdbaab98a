"""Bad inputs: every failure is one line, skipped when others succeed, fatal when none do."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from enrich._exceptions import InputError
from enrich._inputs import read_inputs
from enrich._inputs._decode import SNIFF_BYTES

GOOD = "2106.09685\n"


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def _fail_alone(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_inputs(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


def _skip_beside(path: Path, good: Path) -> str:
    report = read_inputs([path, good])
    assert [p.arxiv_id for p in report.papers] == ["2106.09685"]
    assert report.files == 1
    (skip,) = report.skipped
    assert skip.origin == str(path)
    assert "\n" not in skip.reason
    return skip.reason


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_missing_file(tmp_path: Path, good: Path) -> None:
    missing = tmp_path / "missing.txt"
    assert _fail_alone(missing) == "no such file"
    assert _skip_beside(missing, good) == "no such file"


def test_directory(tmp_path: Path, good: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    assert _fail_alone(folder) == "is a directory, not a file"
    assert _skip_beside(folder, good) == "is a directory, not a file"


def test_empty_file(tmp_path: Path, good: Path) -> None:
    empty = _write(tmp_path / "empty.csv", b"")
    assert _fail_alone(empty) == "file is empty"
    assert _skip_beside(empty, good) == "file is empty"


def test_file_with_only_comments_has_no_papers(tmp_path: Path, good: Path) -> None:
    comments = _write(tmp_path / "c.txt", b"# nothing here\n\n")
    assert _fail_alone(comments) == "no papers found"
    assert _skip_beside(comments, good) == "no papers found"


def test_binary_file(tmp_path: Path, good: Path) -> None:
    binary = _write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    assert _fail_alone(binary) == "binary file (NUL bytes), not text"
    assert _skip_beside(binary, good) == "binary file (NUL bytes), not text"


def test_undecodable_file(tmp_path: Path, good: Path) -> None:
    latin1 = _write(tmp_path / "latin1.txt", "Über Widgets\n".encode("latin-1"))
    reason = "cannot decode as UTF-8 or UTF-16 (byte 0xdc at offset 0)"
    assert _fail_alone(latin1) == reason
    assert _skip_beside(latin1, good) == reason


def test_not_a_parquet_file(tmp_path: Path, good: Path) -> None:
    fake = _write(tmp_path / "fake.parquet", b"title\nnot parquet\n")
    truncated = _write(tmp_path / "cut.parquet", b"PAR1" + bytes(10) + b"PAR1")
    assert _fail_alone(fake) == "not a valid Parquet file (no PAR1 magic bytes)"
    assert _skip_beside(truncated, good).startswith("not a valid Parquet file (")


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
@pytest.mark.parametrize("suffix", [".txt", ".csv", ".json"])
def test_byte_order_marks_are_honoured(
    tmp_path: Path, bom: bytes, encoding: str, suffix: str
) -> None:
    content = {
        ".txt": "Über Widgets\n2106.09685\n",
        ".csv": "title,arxiv_id\nÜber Widgets,\n,2106.09685\n",
        ".json": '[{"title": "Über Widgets"}, {"arxiv_id": "2106.09685"}]',
    }[suffix]
    path = _write(tmp_path / f"bom{suffix}", bom + content.encode(encoding))

    report = read_inputs(path)

    assert [(p.title, p.arxiv_id) for p in report.papers] == [
        ("Über Widgets", None),
        (None, "2106.09685"),
    ]
    assert report.skipped == []


def test_megabyte_line_is_skipped_and_neighbours_kept(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("2106.09685\n" + "x" * 1_000_000 + "\n1706.03762\n", encoding="utf-8")

    report = read_inputs(path)

    assert [p.arxiv_id for p in report.papers] == ["2106.09685", "1706.03762"]
    assert [(s.origin, s.reason) for s in report.skipped] == [
        (f"{path}:2", "line too long (1,000,000 characters; limit 10,000)")
    ]


def test_megabyte_csv_field_is_a_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(f'title\nFirst\n"{"x" * 1_000_000}"\nLast\n', encoding="utf-8")

    report = read_inputs(path)

    assert [p.title for p in report.papers] == ["First", "Last"]
    assert [s.origin for s in report.skipped] == [f"{path}:3"]
    assert "field larger than field limit" in report.skipped[0].reason


def test_nul_byte_after_the_sniffed_prefix_skips_only_that_line(tmp_path: Path) -> None:
    padding = "".join(f"Padding title number {i}\n" for i in range(SNIFF_BYTES // 20))
    path = tmp_path / "late-nul.txt"
    path.write_text(padding + "bad\x00line\n2106.09685\n", encoding="utf-8")

    report = read_inputs(path)

    assert report.papers[-1].arxiv_id == "2106.09685"
    assert [s.reason for s in report.skipped] == ["NUL byte in line"]
    assert report.skipped[0].origin == f"{path}:{padding.count(chr(10)) + 1}"


def test_nul_byte_in_a_list_item_is_skipped() -> None:
    report = read_inputs(["bad\x00item", "2106.09685"])
    assert [(s.origin, s.reason) for s in report.skipped] == [("<list>:1", "NUL byte in line")]
    assert [p.arxiv_id for p in report.papers] == ["2106.09685"]


def test_every_source_failing_is_one_input_error_naming_them(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    empty = _write(tmp_path / "empty.txt", b"")

    with pytest.raises(InputError) as caught:
        read_inputs([missing, empty])

    assert str(caught.value) == (
        f"no papers could be read ({missing}: no such file; {empty}: file is empty)"
    )


def test_empty_source_list_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no input given"):
        read_inputs([])


def test_crlf_and_cr_line_endings_keep_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path / "crlf.txt", b"2106.09685\r\n\r\nTitle on line three\rlast\n")

    report = read_inputs(path)

    assert [p.origins for p in report.papers] == [
        (f"{path}:1",),
        (f"{path}:3",),
        (f"{path}:4",),
    ]
