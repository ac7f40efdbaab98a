"""The reader benchmark runs at a tiny size and reads every paper in every format (no timing)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.readers import FORMATS, main, measure


def test_every_format_reads_every_paper(tmp_path: Path) -> None:
    result = measure(300, tmp_path)
    assert set(result["readers"]) == set(FORMATS)
    assert {fmt: row["papers"] for fmt, row in result["readers"].items()} == dict.fromkeys(
        FORMATS, 300
    )
    assert result["bibtex_vs_bibtexparser"]["entries"] == 300


def test_main_writes_json_and_markdown(tmp_path: Path) -> None:
    assert main(["--entries", "50", "--out", str(tmp_path)]) == 0
    markdown = (tmp_path / "readers.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Input readers, 50 entries per format")
    assert "| bibtex | 50 |" in markdown
    assert (tmp_path / "readers.json").is_file()
