"""Snapshot readers and build: every field's null and odd case, keys, manifest, layout."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from enrich._exceptions import ConfigError
from enrich._ids import normalize_arxiv_id, normalize_doi
from enrich._match import normalize_title
from enrich._snapshot import build_snapshot, open_snapshot
from enrich._snapshot._keys import _LETTERS, arxiv_id_expr, doi_expr, with_title_key
from enrich._snapshot._readers import ARXIV_COLUMNS, S2_COLUMNS, read_arxiv, read_s2
from enrich._version import __version__

SHA = "649def34f8be52c8b66281af98ae884c09aef38b"


def _s2(corpusid: int | None, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "corpusid": corpusid,
        "externalids": {
            "ACL": None,
            "DBLP": None,
            "ArXiv": None,
            "MAG": None,
            "CorpusId": str(corpusid),
            "PubMed": None,
            "DOI": None,
            "PubMedCentral": None,
        },
        "url": f"https://www.semanticscholar.org/paper/{SHA}",
        "title": "A Title",
        "authors": [{"authorId": "1", "name": "Ada Lovelace"}],
        "venue": "",
        "publicationvenueid": None,
        "year": 2017,
        "referencecount": 3,
        "citationcount": 10,
        "influentialcitationcount": 1,
        "isopenaccess": False,
        "s2fieldsofstudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
        "publicationtypes": None,
        "publicationdate": None,
        "journal": None,
    }
    record.update(fields)
    return record


def _arxiv(identifier: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": identifier,
        "submitter": "Ada Lovelace",
        "authors": "Ada Lovelace and Alan Turing",
        "title": "A Title",
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.LG",
        "license": None,
        "abstract": "  An abstract.\n",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        "update_date": "2008-11-13",
        "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
    }
    record.update(fields)
    return record


def _write(path: Path, lines: list[Any], *, gz: bool) -> Path:
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- keys -------------------------------------------------------------------------------

TITLES = [
    "{BERT}: Pre-training of Deep  Bidirectional\n  Transformers",
    "Attention Is All You Need",
    "Attention Is All You Need for Graphs",
    "$\\alpha$-Net: Caf\\'e & Bar",
    "Caf\u00e9 Study of H<sub>2</sub>O",
    "Alzheimer's don_t  `quote`",
    "\u03b2-VAE (2D) \u2013 Part I",
    "   ",
    "",
    "Tom &amp; Jerry",
    "CNN vs. RNN: 3D or 2D?",
]


def test_title_key_is_normalize_title_on_every_path() -> None:
    frame = with_title_key(pl.DataFrame({"t": [*TITLES, None]}), "t", "k")
    assert frame["k"].to_list() == [normalize_title(t) for t in TITLES] + [None]


def test_title_key_fast_path_agrees_for_every_mapped_character() -> None:
    titles = []
    for char in _LETTERS:
        titles += [
            f"x{char}y",
            char,
            f"A {char}. B-{char}{char}",
            f"{char.upper()}ber Caf{char}",
            f"'{char}' {{{char}}}",
            f"{char}\u0301x",  # a combining accent after it: left to normalize_title
            f"Na{char}ve\u2019s \u2013 {char}\u00e9",
        ]
    frame = with_title_key(pl.DataFrame({"t": titles}), "t", "k")
    assert frame["k"].to_list() == [normalize_title(t) for t in titles]
    assert "\u013f" not in _LETTERS  # decomposes into L and a middle dot (a separator)


def test_arxiv_id_and_doi_keys_agree_with_the_live_normalisers() -> None:
    ids = [
        "2106.09685v2",
        "hep-ph/0001001",
        "math.gt/0309136",
        "arXiv:1706.03762",
        "HEP-TH/9901001v3",
    ]
    frame = pl.DataFrame({"i": ids}).select(arxiv_id_expr("i").alias("i"))
    assert frame["i"].to_list() == [normalize_arxiv_id(i) for i in ids]
    dois = ["10.1145/ABC.1", "https://doi.org/10.1103/PhysRevD.62.014001", "doi: 10.5555/x"]
    assert pl.DataFrame({"d": dois}).select(doi_expr("d").alias("d"))["d"].to_list() == [
        normalize_doi(d) for d in dois
    ]
    # arXiv's doi field may list several DOIs: the first one is the key.
    two = pl.DataFrame({"d": ["10.1103/PhysRevD.62.014001 10.1000/other", "n/a", None]})
    assert two.select(doi_expr("d").alias("d"))["d"].to_list() == [
        "10.1103/physrevd.62.014001",
        None,
        None,
    ]


# -- S2 reader ------------------------------------------------------------------------------


def test_s2_reader_handles_every_null_and_odd_field(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records: list[Any] = [
        _s2(
            1,
            externalids={
                "ArXiv": "hep-ph/0001001",
                "DOI": "10.1103/PhysRevD.62.014001",
                "CorpusId": "1",
                "MAG": "123",
            },
            title="A  Title\nwith breaks ",
            venue="Physical Review D",
            publicationvenueid="a4f2-venue",
            publicationdate="2000-07-01",
            publicationtypes=["JournalArticle"],
            journal={"name": "Physical Review D", "volume": "62", "pages": " 014001 "},
        ),
        _s2(
            2,
            externalids=None,
            url=None,
            title=None,
            authors=[],
            year=None,
            referencecount=None,
            citationcount=None,
            influentialcitationcount=None,
            journal={"name": "", "volume": None, "pages": None},
        ),
        "{not json",
        _s2(None),  # no corpusid: not a record we can key
        _s2(3, authors=None, title="", externalids={"ArXiv": "arXiv:1706.03762v5", "DOI": None}),
        _s2(
            4,
            authors=[{"authorId": None, "name": "  Alan Turing "}, {"authorId": "9", "name": None}],
        ),
    ]
    shard = _write(tmp_path / "papers-000.jsonl.gz", records, gz=True)
    with caplog.at_level(logging.WARNING, logger="enrich.snapshot"):
        frames = list(read_s2([shard]))
    frame = pl.concat(frames)
    assert tuple(frame.columns) == S2_COLUMNS
    assert frame["corpusid"].to_list() == [1, 2, 3, 4]
    assert frame["paper_id"].to_list() == [SHA, None, SHA, SHA]
    assert frame["arxiv_id"].to_list() == ["hep-ph/0001001", None, "1706.03762", None]
    assert frame["doi"].to_list() == ["10.1103/physrevd.62.014001", None, None, None]
    assert frame["title"].to_list() == ["A Title with breaks", None, None, "A Title"]
    assert frame["title_key"].to_list() == ["a title with breaks", None, None, "a title"]
    assert frame["authors"].to_list() == [["Ada Lovelace"], [], None, ["Alan Turing"]]
    assert frame["venue"].to_list() == ["Physical Review D", None, None, None]
    assert frame["publicationvenueid"].to_list() == ["a4f2-venue", None, None, None]
    assert frame["year"].to_list() == [2017, None, 2017, 2017]
    assert frame["publication_date"].to_list() == [dt.date(2000, 7, 1), None, None, None]
    assert frame["journal_name"].to_list() == ["Physical Review D", None, None, None]
    assert frame["journal_volume"].to_list() == ["62", None, None, None]
    assert frame["journal_pages"].to_list() == ["014001", None, None, None]
    assert frame["publication_types"].to_list() == [["JournalArticle"], None, None, None]
    assert frame["citation_count"].to_list() == [10, None, 10, 10]
    assert frame["influential_citation_count"].to_list() == [1, None, 1, 1]
    assert frame["reference_count"].to_list() == [3, None, 3, 3]
    bad = [r for r in caplog.records if "skipped a bad record" in r.getMessage()]
    assert len(bad) == 1
    assert f"{shard}:3:" in bad[0].getMessage()


# -- arXiv reader -------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_arxiv_reader_handles_every_null_and_odd_field(tmp_path: Path, gz: bool) -> None:
    records = [
        _arxiv(
            "0704.0001",
            title="Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
            doi="10.1103/PhysRevD.76.013009 10.1000/second",
            **{"journal-ref": "Phys.Rev.D76:013009,2007", "comments": "37 pages,\n  15 figures"},
            categories="hep-ph  hep-ex",
            versions=[
                {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
            ],
        ),
        _arxiv("hep-ph/0001001", authors_parsed=[], authors="A. Smith, B. Jones and C. Wu"),
        _arxiv("math.GT/0309136", authors_parsed=None, authors="Ann Lee", title=None),
        _arxiv("2106.09685", versions=[], update_date=None, categories="cs.CL"),
    ]
    path = _write(
        tmp_path / ("snap.json.gz" if gz else "arxiv-metadata-oai-snapshot.json"), records, gz=gz
    )
    frame = pl.concat(list(read_arxiv([path], block_bytes=300)))
    assert tuple(frame.columns) == ARXIV_COLUMNS
    assert frame["arxiv_id"].to_list() == [
        "0704.0001",
        "hep-ph/0001001",
        "math/0309136",  # canonical: the subject class is not part of the id
        "2106.09685",
    ]
    assert frame["version"].to_list() == [2, 1, 1, None]
    assert frame["title"].to_list()[0] == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert frame["title"].to_list()[2] is None
    assert frame["authors"].to_list() == [
        ["Ada Lovelace", "Alan Turing"],
        ["A. Smith", "B. Jones", "C. Wu"],
        ["Ann Lee"],
        ["Ada Lovelace", "Alan Turing"],
    ]
    utc = dt.UTC
    assert frame["published"].to_list() == [
        dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=utc),
        dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=utc),
        dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=utc),
        None,
    ]
    assert frame["updated"].to_list()[0] == dt.datetime(2007, 7, 24, 20, 10, 27, tzinfo=utc)
    assert frame["categories"].to_list() == [["hep-ph", "hep-ex"], ["cs.LG"], ["cs.LG"], ["cs.CL"]]
    assert frame["doi"].to_list() == ["10.1103/physrevd.76.013009", None, None, None]
    assert frame["journal_ref"].to_list() == ["Phys.Rev.D76:013009,2007", None, None, None]
    assert frame["comment"].to_list() == ["37 pages, 15 figures", None, None, None]
    assert frame["update_date"].to_list() == [dt.date(2008, 11, 13)] * 3 + [None]


# -- build -----------------------------------------------------------------------------


def _small_inputs(tmp_path: Path) -> tuple[Path, Path]:
    shards = tmp_path / "dl" / "s2" / "2024-11-05" / "papers"
    _write(
        shards / "papers-000.jsonl.gz",
        [_s2(30, title="Zeta"), _s2(10, externalids={"ArXiv": "0704.0001", "DOI": "10.1000/A"})],
        gz=True,
    )
    _write(shards / "papers-001.jsonl.gz", [_s2(20, title="Alpha"), _s2(10)], gz=True)
    arxiv = _write(
        tmp_path / "dl" / "arxiv-metadata-oai-snapshot.json",
        [_arxiv("0704.0001", doi="10.1000/a"), _arxiv("hep-ph/0001001", update_date="2024-11-01")],
        gz=False,
    )
    return shards, arxiv


def test_build_writes_sorted_plain_parquet_extracts_and_a_manifest(tmp_path: Path) -> None:
    shards, arxiv = _small_inputs(tmp_path)
    out = tmp_path / "snap"
    report = build_snapshot(out, s2=[shards], arxiv=[arxiv], buckets=3)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest == report.manifest
    assert manifest["format"] == 1
    assert manifest["built_by"] == f"enrich {__version__}"
    assert manifest["buckets"] == 3
    assert manifest["sources"]["s2"]["release"] == "2024-11-05"
    assert manifest["sources"]["s2"]["release_from"] == "path"
    assert manifest["sources"]["s2"]["records"] == 4
    assert manifest["sources"]["arxiv"]["release"] == "2024-11-01"
    assert manifest["sources"]["arxiv"]["release_from"] == "latest update_date"
    assert manifest["sources"]["arxiv"]["records"] == 2
    # Corpus id 10 appears in two shards: kept once.
    assert manifest["extracts"]["s2"] == {"key": "corpusid", "rows": 3, "files": 3}
    assert manifest["extracts"]["s2_by_arxiv"]["rows"] == 1
    assert manifest["extracts"]["dois"]["rows"] == 2  # one from each source
    for name, info in manifest["extracts"].items():
        files = sorted((out / name).glob("bucket=*/part-0.parquet"))
        assert len(files) == info["files"]
        for file in files:  # plain Parquet, each file sorted by its key
            keys = pl.read_parquet(file)[info["key"]].to_list()
            assert keys == sorted(keys)
    s2 = pl.read_parquet(sorted((out / "s2").glob("*/*.parquet")))
    assert sorted(s2["corpusid"].to_list()) == [10, 20, 30]
    snap = open_snapshot(out)
    assert snap.release("s2") == dt.date(2024, 11, 5)
    assert snap.describe() == "arxiv 2024-11-01, s2 2024-11-05"


def test_build_takes_given_release_dates_and_refuses_to_clobber(tmp_path: Path) -> None:
    shards, arxiv = _small_inputs(tmp_path)
    out = tmp_path / "snap"
    build_snapshot(out, s2=[shards], arxiv=[arxiv])
    with pytest.raises(ConfigError, match="not empty"):
        build_snapshot(out, s2=[shards])
    report = build_snapshot(
        out, s2=[shards], s2_release="2024-12-01", arxiv_release="2024-12-02", overwrite=True
    )
    assert report.manifest["sources"]["s2"]["release"] == "2024-12-01"
    assert report.manifest["sources"]["s2"]["release_from"] == "given"
    assert "arxiv" not in report.manifest["sources"]
    assert not (out / "arxiv").exists()
    with pytest.raises(ConfigError, match="nothing to build"):
        build_snapshot(tmp_path / "empty")
    with pytest.raises(ConfigError, match="not found"):
        build_snapshot(tmp_path / "x", arxiv=[tmp_path / "missing.json"])


def test_open_snapshot_refuses_unfinished_or_foreign_directories(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no manifest\.json"):
        open_snapshot(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 99}))
    with pytest.raises(ConfigError, match="format 99"):
        open_snapshot(tmp_path)
