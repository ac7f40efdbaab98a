"""Runs with a snapshot: accuracy on generated truth, confusers, staleness labels, offline, mixed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import polars as pl
import pytest
from click.testing import CliRunner
from helpers import fast_settings

from enrich._api import enrich_result
from enrich._exceptions import ConfigError
from enrich._match import normalize_title
from enrich._models import Paper
from enrich._schema import OUTPUT_SCHEMA
from enrich._snapshot import build_snapshot, open_snapshot, resolve_from_snapshot
from enrich.cli import main
from enrich.testing import FakeServices, FaultConfig
from enrich.testing._snapshot_gen import (
    GeneratedSnapshot,
    InputRow,
    PaperFacts,
    generate_inputs,
    live_corpus,
    write_inputs_csv,
    write_snapshot,
)


@dataclass
class Built:
    gen: GeneratedSnapshot
    snap: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("snapshot")
    gen = write_snapshot(root / "download", n_arxiv=400, n_s2=800, shards=3)
    assert gen.arxiv_file is not None
    build_snapshot(root / "snap", s2=gen.s2_shards, arxiv=[gen.arxiv_file], s2_release="2026-11-03")
    return Built(gen, root / "snap")


def _no_network() -> httpx.MockTransport:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"a request was sent: {request.url}")

    return httpx.MockTransport(refuse)


def _score(frame: pl.DataFrame, rows: list[InputRow]) -> tuple[int, int, int]:
    """(right, wrong, missed) identifiers, rows mapped back through ``origins``."""
    right = wrong = missed = 0
    for origins, arxiv_id, corpus in frame.select("origins", "arxiv_id", "s2_corpus_id").rows():
        for origin in origins:
            row = rows[int(origin.rsplit(":", 1)[1]) - 2]
            for truth, got in ((row.true_arxiv_id, arxiv_id), (row.true_corpus_id, corpus)):
                if got is not None and got == truth:
                    right += 1
                elif got is not None:
                    wrong += 1
                elif truth is not None:
                    missed += 1
    return right, wrong, missed


def test_offline_run_is_precise_and_complete_on_generated_truth(
    built: Built, tmp_path: Path
) -> None:
    rows = generate_inputs(built.gen, 600, seed=5)
    path = write_inputs_csv(rows, tmp_path / "in.csv")
    result = enrich_result(
        path, snapshot=built.snap, offline=True, use_cache=False, transport=_no_network()
    )
    frame = result.frame
    assert frame is not None
    assert frame.schema == OUTPUT_SCHEMA  # the same columns as a live run
    right, wrong, missed = _score(frame, rows)
    assert wrong == 0
    assert right / (right + missed) >= 0.99
    assert sum(s.requests for s in result.stats.values()) == 0
    assert result.snapshot is not None
    assert result.snapshot["sources"]["s2"]["release"] == "2026-11-03"


def test_snapshot_rows_name_the_snapshot_and_its_release(built: Built) -> None:
    facts = built.gen.arxiv_facts(12)  # in both snapshots (index % 10 != 9)
    frame = enrich_result(
        [facts.arxiv_id or ""], snapshot=built.snap, offline=True, use_cache=False
    ).frame
    assert frame is not None
    row = frame.row(0, named=True)
    assert row["arxiv_id"] == facts.arxiv_id
    assert row["s2_corpus_id"] == facts.corpus_id
    assert row["status"] == "ok"
    assert row["provenance"]["arxiv_id"] == "arxiv-snapshot"
    assert row["provenance"]["s2_paper_id"] == "s2-snapshot"
    assert row["provenance"]["resolved_title"] == "arxiv-snapshot"
    assert row["provenance"]["citation_count"] in ("s2-snapshot", None)
    assert "s2" not in row["provenance"].values()
    assert "arxiv" not in row["provenance"].values()
    snap = open_snapshot(built.snap)
    assert row["s2_snapshot_release"] == dt.date(2026, 11, 3)
    assert row["arxiv_snapshot_release"] == snap.release("arxiv")
    assert row["match_method"] == "arxiv_id"


def test_offline_rows_the_snapshot_lacks_say_so(built: Built) -> None:
    newer = built.gen.newer_facts(0)
    frame = enrich_result(
        [newer.arxiv_id or "", newer.title],
        snapshot=built.snap,
        offline=True,
        use_cache=False,
        transport=_no_network(),
    ).frame
    assert frame is not None
    assert frame["status"].to_list() == ["not_found", "not_found"]
    for errors in frame["errors"].to_list():
        assert len(errors) == 1
        assert errors[0].startswith("offline: not in the snapshot (arxiv ")
        assert "s2 2026-11-03" in errors[0]
    assert frame["s2_snapshot_release"].to_list() == [None, None]
    # As in a live run, an id the services do not know stays as the input gave it.
    assert frame["arxiv_id"].to_list() == [newer.arxiv_id, None]
    assert frame["s2_corpus_id"].to_list() == [None, None]


def test_offline_needs_a_snapshot() -> None:
    with pytest.raises(ConfigError, match="offline needs a snapshot"):
        enrich_result(["2106.09685"], offline=True, use_cache=False)


# -- title joins: precision on confusers -----------------------------------------------------


def _paper(title: str, year: int | None = None, authors: tuple[str, ...] = ()) -> Paper:
    return Paper(title=title, year=year, authors=authors, origins=("test:1",))


def test_near_identical_titles_are_never_joined(built: Built) -> None:
    facts = built.gen.arxiv_facts(22)  # not the title an S2 namesake reuses (21)
    words = facts.title.split()
    confusers = [
        facts.title + " for Graphs",  # one word more
        " ".join(words[:-1]),  # one word less
        facts.title.replace(" in ", " on ", 1),  # a function word swapped is a different key
        facts.title.replace("for", "for 3D", 1),
    ]
    answered = resolve_from_snapshot([_paper(t) for t in confusers], built.snap)
    assert answered.outcomes == [None] * len(confusers)
    exact = resolve_from_snapshot([_paper(facts.title.upper() + ".")], built.snap)
    outcome = exact.outcomes[0]
    assert outcome is not None
    assert outcome.arxiv is not None
    assert outcome.arxiv.arxiv_id == facts.arxiv_id
    assert outcome.arxiv_match is not None
    assert outcome.arxiv_match.method == "title_exact"


def test_title_join_verifies_year_and_authors_like_a_live_match(built: Built) -> None:
    facts = built.gen.arxiv_facts(33)
    assert facts.year is not None
    far = resolve_from_snapshot([_paper(facts.title, facts.year + 5)], built.snap)
    assert far.outcomes == [None]
    assert far.rejected[0].arxiv_match is not None
    assert "year too far" in (far.rejected[0].arxiv_match.reason or "")
    strangers = resolve_from_snapshot([_paper(facts.title, None, ("Zzyzx Qwerty",))], built.snap)
    assert strangers.outcomes == [None]
    near = resolve_from_snapshot([_paper(facts.title, facts.year + 1)], built.snap)
    assert near.outcomes[0] is not None


def test_namesakes_are_told_apart_by_year_or_not_at_all(built: Built) -> None:
    twin: PaperFacts = built.gen.s2_only_facts(7)  # reuses an arXiv paper's exact title
    original = built.gen.arxiv_facts((7 * 3) % built.gen.n_arxiv)
    assert twin.title == original.title
    assert twin.year == original.year - 8
    by_year = resolve_from_snapshot([_paper(twin.title, twin.year)], built.snap).outcomes[0]
    assert by_year is not None
    assert by_year.s2 is not None
    assert by_year.s2.corpus_id == twin.corpus_id
    assert by_year.arxiv is None
    original_year = resolve_from_snapshot([_paper(original.title, original.year)], built.snap)
    chosen = original_year.outcomes[0]
    assert chosen is not None
    assert chosen.arxiv is not None
    assert chosen.arxiv.arxiv_id == original.arxiv_id
    # No year, no authors: two papers share the title, so neither is taken.
    for sources in (("arxiv", "s2"), ("s2",)):
        undecided = resolve_from_snapshot([_paper(twin.title)], built.snap, sources=sources)
        assert undecided.outcomes == [None]
        rejected = undecided.rejected[0]
        decision = rejected.arxiv_match or rejected.s2_match
        assert decision is not None
        assert (decision.reason or "").startswith("ambiguous")
    # The twin's authors tell them apart (the original's share no surname with them).
    assert not {a.split()[-1] for a in twin.authors} & {a.split()[-1] for a in original.authors}
    by_authors = resolve_from_snapshot([_paper(twin.title, None, twin.authors)], built.snap)
    found = by_authors.outcomes[0]
    assert found is not None
    assert found.s2 is not None
    assert found.s2.corpus_id == twin.corpus_id


# -- mixed run: only what the snapshot lacks goes live ------------------------------------------


def test_mixed_run_sends_only_the_newer_papers_to_the_live_services(
    built: Built, tmp_path: Path
) -> None:
    rows = generate_inputs(built.gen, 200, seed=9, newer_fraction=0.1)
    newer = [r for r in rows if r.newer]
    assert len(newer) == 20
    facts = [built.gen.newer_facts(j) for j in range(len(newer))]
    fake = FakeServices(live_corpus(facts), enforce_rate_limits=False)
    path = write_inputs_csv(rows, tmp_path / "in.csv")
    result = enrich_result(
        path,
        snapshot=built.snap,
        settings=fast_settings(),
        transport=fake.transport(),
        sources=("arxiv", "s2"),
    )
    frame = result.frame
    assert frame is not None
    unresolved = frame.filter(
        pl.col("s2_snapshot_release").is_null() & pl.col("arxiv_snapshot_release").is_null()
    )
    live_keys = set(unresolved["input_arxiv_id"].drop_nulls()) | {
        normalize_title(t) for t in unresolved["title"].drop_nulls()
    }
    newer_keys = {r.arxiv_id or normalize_title(r.title) for r in newer}
    assert newer_keys <= live_keys
    # Besides the newer papers, only the rare one the snapshot cannot match goes live
    # (here: an S2 record whose title is null in the dataset).
    assert len(live_keys - newer_keys) <= 2
    asked = {i for entry in fake.log for i in entry.ids}
    assert asked
    # arXiv ids (maybe ARXIV:-prefixed, also those arXiv revealed for titles) or titles
    allowed = live_keys | {r.true_arxiv_id for r in newer}
    live_titles = [set(k.split()) for k in allowed if k]
    for item in asked:  # a title search may send a title's words only
        words = set(normalize_title(item).split())
        assert item.removeprefix("ARXIV:") in allowed or any(words <= t for t in live_titles), item
    right, wrong, missed = _score(frame, rows)
    assert wrong == 0
    assert right / (right + missed) >= 0.99
    live = unresolved.filter(pl.col("arxiv_id").is_not_null())
    assert live.height == len(newer)
    assert set(live["provenance"].struct.field("arxiv_id").to_list()) == {"arxiv"}
    snap_rows = frame.filter(pl.col("s2_snapshot_release").is_not_null())
    assert "s2" not in snap_rows["provenance"].struct.field("s2_paper_id").to_list()


def test_a_source_that_becomes_unavailable_is_reported_in_a_snapshot_run(
    built: Built, tmp_path: Path
) -> None:
    """The rows the snapshot lacks go live; a throttled arXiv is named once, as in a live run."""
    rows = generate_inputs(built.gen, 100, seed=4, newer_fraction=0.1)
    facts = [built.gen.newer_facts(j) for j in range(sum(r.newer for r in rows))]
    fake = FakeServices(
        live_corpus(facts),
        enforce_rate_limits=False,
        faults=FaultConfig(rate=1.0, kinds=("429_burst",), sources=("arxiv",)),
    )
    settings = fast_settings(backoff_base=0.01, backoff_max=0.05, breaker_seconds=0.3)
    result = enrich_result(
        write_inputs_csv(rows, tmp_path / "in.csv"),
        snapshot=built.snap,
        settings=settings,
        transport=fake.transport(),
        sources=("arxiv", "s2"),
    )
    assert set(result.report.unavailable) == {"arxiv"}
    assert result.report.source_statuses["arxiv"].get("skipped", 0) > 0
    [line] = result.report.unavailable_lines()
    assert line.startswith("arxiv: skipped for ")


def test_the_output_file_records_the_snapshot_and_its_releases(
    built: Built, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    rows = generate_inputs(built.gen, 20, seed=6)
    out = tmp_path / "out.parquet"
    enrich_result(
        write_inputs_csv(rows, tmp_path / "in.csv"),
        snapshot=built.snap,
        offline=True,
        use_cache=False,
        transport=_no_network(),
        output=out,
    )
    footer = {k.decode(): v.decode() for k, v in pq.read_metadata(out).metadata.items()}
    recorded = json.loads(footer["enrich.snapshot"])
    assert recorded["offline"] is True
    assert recorded["path"] == str(built.snap)
    assert recorded["sources"]["s2"] == {"release": "2026-11-03", "records": 800}
    assert recorded["sources"]["arxiv"]["records"] == 400
    # A live run's file says nothing of a snapshot.
    live = tmp_path / "live.parquet"
    fake = FakeServices(live_corpus([]), enforce_rate_limits=False)
    enrich_result(["2106.09685"], settings=fast_settings(), transport=fake.transport(), output=live)
    assert "enrich.snapshot" not in {k.decode() for k in pq.read_metadata(live).metadata}


# -- CLI -------------------------------------------------------------------------------------


def test_cli_builds_a_snapshot_and_runs_offline_from_it(built: Built, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "snap"
    s2_dir = built.gen.s2_shards[0].parent
    assert built.gen.arxiv_file is not None
    made = runner.invoke(
        main,
        [
            "snapshot",
            "build",
            "--s2",
            str(s2_dir),
            "--arxiv",
            str(built.gen.arxiv_file),
            "-o",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    assert "s2: 800 records, release 2026-11-03" in made.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sources"]["arxiv"]["records"] == 400
    rows = generate_inputs(built.gen, 50, seed=3)
    source = write_inputs_csv(rows, tmp_path / "in.csv")
    target = tmp_path / "out.parquet"
    ran = runner.invoke(
        main, ["run", str(source), "--snapshot", str(out), "--offline", "-o", str(target)]
    )
    assert ran.exit_code == 0, ran.output
    assert "snapshot: " in ran.output
    assert "s2 2026-11-03" in ran.output
    written = pl.read_parquet(target)
    assert written.columns == list(OUTPUT_SCHEMA.names())
    assert written["s2_snapshot_release"].drop_nulls().unique().to_list() == [dt.date(2026, 11, 3)]
    refused = runner.invoke(main, ["run", str(source), "--offline", "-o", str(target)])
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        "enrich: error: offline needs a snapshot: pass snapshot= (--snapshot DIR)"
    )


def test_a_namesake_of_unknown_year_makes_a_title_ambiguous() -> None:
    from enrich._match import Candidate, TitleQuery
    from enrich._snapshot._resolve import _decide

    query = TitleQuery("Retrieval-Augmented Preference Optimization for Semantic Parsing", 1984)
    dated = Candidate(query.title, 1984, ("Ada Lovelace",))
    undated = Candidate(query.title, None, ("Alan Turing",))
    further = Candidate(query.title, 1986, ("Grace Hopper",))
    assert _decide(query, [dated, further], 0.9).index == 0  # the year tells them apart
    for candidates in ([dated, undated], [undated, dated], [dated, further, undated]):
        decision = _decide(query, candidates, 0.9)
        assert decision.index is None
        assert (decision.reason or "").startswith("ambiguous")
