"""``python -m benchmarks.readers``: input reader throughput per format (issue #12, point 7).

Writes the same N synthetic papers (an arXiv id, a DOI, a title, two authors
and a year each) in every format enrich reads, times ``enrich.read_papers``'s
reader (``read_inputs``: decode, parse, dedupe) on each file, and times
enrich's BibTeX parser against bibtexparser v2's ``parse_string`` on the same
BibTeX text (both parse only; neither builds a table).  Each figure is the best
of ``--repeat`` runs.  The Daily Papers reader is not included: its input is a
saved web page, which no generator here writes.

Example::

    python -m benchmarks.readers --entries 100000
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from enrich._inputs import read_inputs
from enrich._inputs._bibtex import parse_bibtex
from enrich._version import __version__

__all__ = ["main", "measure", "write_inputs"]

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
FORMATS = ("text", "csv", "tsv", "jsonl", "json", "parquet", "bibtex")
_SUFFIX = {"text": "txt", "bibtex": "bib"}


def _rows(entries: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(entries):
        month, number = divmod(i, 90_000)
        rows.append(
            {
                "arxiv_id": f"21{month + 1:02d}.{number + 10_000:05d}",
                "doi": f"10.5555/bench.{i}",
                "title": f"A Study of Synthetic Benchmark Paper Number {i} on Reading Speed",
                "authors": f"Ada Lovelace{i % 97} and Alan Turing{i % 89}",
                "year": 2015 + i % 10,
            }
        )
    return rows


def _bibtex(rows: list[dict[str, Any]]) -> str:
    return "".join(
        f"@article{{key{i},\n"
        f"  title = {{{row['title']}}},\n"
        f"  author = {{{row['authors']}}},\n"
        f"  year = {{{row['year']}}},\n"
        f"  eprint = {{{row['arxiv_id']}}},\n"
        f"  archivePrefix = {{arXiv}},\n"
        f"  doi = {{{row['doi']}}},\n"
        f"}}\n\n"
        for i, row in enumerate(rows)
    )


def write_inputs(entries: int, folder: Path) -> dict[str, Path]:
    """One file per format holding the same ``entries`` papers."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = _rows(entries)
    frame = pl.DataFrame(rows)
    paths = {fmt: folder / f"papers.{_SUFFIX.get(fmt, fmt)}" for fmt in FORMATS}
    paths["text"].write_text(
        "".join(
            f"{row['arxiv_id']}\n" if i % 2 else f"{row['title']}\n" for i, row in enumerate(rows)
        ),
        encoding="utf-8",
    )
    frame.write_csv(paths["csv"])
    frame.write_csv(paths["tsv"], separator="\t")
    frame.write_ndjson(paths["jsonl"])
    frame.write_json(paths["json"])
    frame.write_parquet(paths["parquet"])
    paths["bibtex"].write_text(_bibtex(rows), encoding="utf-8")
    return paths


def _best(repeat: int, work: Callable[[], int]) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - started)
    return best, count


def measure(entries: int, folder: Path, repeat: int = 1) -> dict[str, Any]:
    """Seconds and entries per second for each format, and the BibTeX comparison."""
    paths = write_inputs(entries, folder)
    readers: dict[str, Any] = {}
    for fmt, path in paths.items():
        seconds, papers = _best(repeat, lambda path=path: len(read_inputs(path).papers))
        readers[fmt] = {
            "papers": papers,
            "seconds": round(seconds, 3),
            "per_second": round(entries / seconds),
            "bytes": path.stat().st_size,
        }
    text = paths["bibtex"].read_text(encoding="utf-8")
    ours, parsed = _best(repeat, lambda: len(parse_bibtex(text, "papers.bib").papers))
    comparison: dict[str, Any] = {"enrich_parse_seconds": round(ours, 3), "entries": parsed}
    try:
        import bibtexparser  # the bench extra; compared, never used by enrich
    except ImportError:
        comparison["bibtexparser"] = "not installed (pip install -e '.[bench]')"
    else:
        theirs, count = _best(repeat, lambda: len(bibtexparser.parse_string(text).entries))
        comparison.update(
            bibtexparser=bibtexparser.__version__,
            bibtexparser_seconds=round(theirs, 3),
            bibtexparser_entries=count,
            ratio=round(ours / theirs, 2),
        )
    return {
        "entries": entries,
        "repeat": repeat,
        "enrich": __version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "readers": readers,
        "bibtex_vs_bibtexparser": comparison,
    }


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Input readers, {result['entries']:,} entries per format",
        "",
        f"enrich {result['enrich']}, Python {result['python']}, {result['machine']}, "
        f"{result['date']}; best of {result['repeat']}.",
        "",
        "| format | papers read | seconds | entries/s | file size |",
        "|---|---:|---:|---:|---:|",
    ]
    for fmt, row in result["readers"].items():
        lines.append(
            f"| {fmt} | {row['papers']:,} | {row['seconds']:.2f} | {row['per_second']:,} "
            f"| {row['bytes'] / 1e6:.1f} MB |"
        )
    cmp = result["bibtex_vs_bibtexparser"]
    lines += ["", "BibTeX parsing alone, the same text:", ""]
    lines.append(f"- enrich: {cmp['enrich_parse_seconds']:.2f} s for {cmp['entries']:,} entries")
    if "bibtexparser_seconds" in cmp:
        lines.append(
            f"- bibtexparser {cmp['bibtexparser']}: {cmp['bibtexparser_seconds']:.2f} s "
            f"for {cmp['bibtexparser_entries']:,} entries"
        )
        lines.append(f"- ratio enrich / bibtexparser: {cmp['ratio']:.2f} (target: at most 2)")
    else:
        lines.append(f"- bibtexparser: {cmp['bibtexparser']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.readers",
        description="Input reader throughput per format, and BibTeX against bibtexparser v2.",
    )
    parser.add_argument("--entries", type=int, default=100_000, help="papers per file")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; best is kept")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    args = parser.parse_args(argv)
    if args.entries < 1 or args.repeat < 1:
        parser.error("--entries and --repeat must be positive")
    result = measure(args.entries, args.out / "tmp" / "readers", args.repeat)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "readers.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    markdown = to_markdown(result)
    (args.out / "readers.md").write_text(markdown, encoding="utf-8")
    print(markdown, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
