"""The extracts are plain Parquet: the README's DuckDB join gives what enrich gives."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from enrich._match import normalize_title
from enrich._models import Paper
from enrich._snapshot import build_snapshot, resolve_from_snapshot
from enrich._snapshot._build import EXTRACTS
from enrich.testing._snapshot_gen import write_snapshot

duckdb = pytest.importorskip("duckdb")

# The query the README shows (one glob per extract, any number of files).
JOIN = """
WITH wanted AS (SELECT * FROM (VALUES {rows}) AS t(line, arxiv_id, doi, title_key))
SELECT w.line, coalesce(l.corpusid, d.corpusid, t.corpusid) AS corpusid
FROM wanted w
LEFT JOIN read_parquet('{snap}/s2_by_arxiv/*/*.parquet') l ON l.arxiv_id = w.arxiv_id
LEFT JOIN (SELECT * FROM read_parquet('{snap}/dois/*/*.parquet') WHERE source = 's2') d
       ON d.doi = w.doi
LEFT JOIN (SELECT title_key, min(corpusid) AS corpusid, count(*) AS n
           FROM read_parquet('{snap}/titles/*/*.parquet') WHERE source = 's2'
           GROUP BY title_key HAVING count(*) = 1) t
       ON t.title_key = w.title_key
ORDER BY w.line
"""


def test_duckdb_join_over_the_extracts_agrees_with_enrich(tmp_path: Path) -> None:
    gen = write_snapshot(tmp_path / "dl", n_arxiv=300, n_s2=600, shards=2)
    assert gen.arxiv_file is not None
    snap = tmp_path / "snap"
    build_snapshot(snap, s2=gen.s2_shards, arxiv=[gen.arxiv_file], buckets=4)
    papers = [
        Paper(arxiv_id=gen.arxiv_facts(5).arxiv_id, origins=("x:1",)),
        Paper(arxiv_id=gen.arxiv_facts(66).arxiv_id, origins=("x:2",)),  # old-style id
        Paper(doi=gen.s2_only_facts(3).doi, origins=("x:3",)),
        Paper(title=gen.s2_only_facts(40).title, origins=("x:4",)),
        Paper(arxiv_id="2612.99999", origins=("x:5",)),
    ]
    ours = resolve_from_snapshot(papers, snap, sources=("s2",))
    expected = [o.s2.corpus_id if o is not None and o.s2 else None for o in ours.outcomes]
    rows = ", ".join(
        f"({i}, {_sql(p.arxiv_id)}, {_sql(p.doi)}, {_sql(normalize_title(p.title) if p.title else None)})"
        for i, p in enumerate(papers)
    )
    got = duckdb.sql(JOIN.format(rows=rows, snap=snap)).fetchall()
    assert [corpus for _, corpus in got] == expected
    assert expected[:4] == [
        gen.arxiv_facts(5).corpus_id,
        gen.arxiv_facts(66).corpus_id,
        gen.s2_only_facts(3).corpus_id,
        gen.s2_only_facts(40).corpus_id,
    ]
    assert expected[4] is None


def _sql(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def test_duckdb_and_polars_engines_build_the_same_extracts(tmp_path: Path) -> None:
    gen = write_snapshot(tmp_path / "dl", n_arxiv=200, n_s2=400, shards=2)
    assert gen.arxiv_file is not None
    # A malformed line: DuckDB gives the file to the Polars reader, which skips the line.
    with gen.arxiv_file.open("a") as handle:
        handle.write('{"id": "broken\n')
    built = {}
    for engine in ("polars", "duckdb"):
        report = build_snapshot(
            tmp_path / engine, s2=gen.s2_shards, arxiv=[gen.arxiv_file], engine=engine
        )
        assert report.manifest["engine"] == engine
        assert report.records == {"s2": 400, "arxiv": 200}
        built[engine] = report
    for name, key in EXTRACTS.items():
        frames = [pl.read_parquet(sorted((tmp_path / e / name).glob("*/*.parquet"))) for e in built]
        polars_frame, duckdb_frame = (f.sort(pl.all()) for f in frames)
        assert polars_frame.equals(duckdb_frame), name
        assert polars_frame.height == built["polars"].rows[name] > 0, key
