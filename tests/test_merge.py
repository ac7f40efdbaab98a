"""The merge policy, on hand-made records (no network, no fake)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from enrich._match import MatchDecision
from enrich._merge import Outcome, build_frame, merge_row
from enrich._models import ArxivRecord, GitHubRecord, Journal, Paper, PublicationVenue, S2Record
from enrich._schema import OUTPUT_SCHEMA

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
ARXIV = ArxivRecord(
    arxiv_id="2106.09685",
    version=2,
    title="LoRA: Low-Rank Adaptation of Large Language Models",
    authors=("Edward J. Hu", "Yelong Shen"),
    published=dt.datetime(2021, 6, 17, tzinfo=dt.UTC),
    categories=("cs.CL", "cs.LG"),
    journal_ref="ICLR 2022",
)
S2 = S2Record(
    paper_id="a" * 40,
    corpus_id=235458009,
    arxiv_id="2106.09685",
    title="LoRA: Low-Rank Adaptation of Large Language Models",
    venue="International Conference on Learning Representations",
    publication_venue=PublicationVenue(name="International Conference on Learning Representations"),
    year=2022,
    citation_count=9000,
    influential_citation_count=1200,
    reference_count=60,
)


def test_preprint_and_published_version_become_one_row() -> None:
    outcome = Outcome(
        paper=Paper(arxiv_id="2106.09685", origins=("in.txt:1",)),
        arxiv=ARXIV,
        s2=S2,
        asked={"arxiv", "s2"},
    )
    row = merge_row(outcome, NOW)
    assert row["arxiv_id"] == "2106.09685"
    assert row["arxiv_version"] == 2
    assert row["venue"] == "ICLR"
    assert row["venue_raw"] == "International Conference on Learning Representations"
    assert row["is_published"] is True
    assert row["year"] == 2022  # the published version's year, not the preprint's 2021
    assert row["published"] == dt.date(2021, 6, 17)
    assert row["doi"] == "10.48550/arxiv.2106.09685"
    assert row["provenance"]["doi"] == "derived"
    assert row["provenance"]["venue"] == "s2"
    assert row["provenance"]["year"] == "s2"
    assert row["match_method"] == "arxiv_id"
    assert row["match_score"] == 1.0
    assert row["status"] == "ok"


def test_preprint_only_says_so() -> None:
    arxiv = ARXIV.model_copy(update={"journal_ref": None})
    row = merge_row(Outcome(paper=Paper(arxiv_id="2106.09685"), arxiv=arxiv, asked={"arxiv"}), NOW)
    assert row["venue"] == "arXiv"
    assert row["is_published"] is False
    assert row["year"] == 2021


def test_venue_falls_back_to_journal_ref_and_skips_preprint_servers() -> None:
    s2 = S2.model_copy(update={"publication_venue": None, "venue": "arXiv.org", "journal": None})
    row = merge_row(Outcome(paper=Paper(arxiv_id="2106.09685"), arxiv=ARXIV, s2=s2), NOW)
    assert row["venue"] == "ICLR"
    assert row["venue_raw"] == "ICLR 2022"
    assert row["provenance"]["venue"] == "arxiv"


def test_doi_disagreement_is_flagged_and_arxiv_wins() -> None:
    arxiv = ARXIV.model_copy(update={"doi": "10.1000/from-arxiv"})
    s2 = S2.model_copy(update={"doi": "10.1000/from-s2"})
    row = merge_row(Outcome(paper=Paper(arxiv_id="2106.09685"), arxiv=arxiv, s2=s2), NOW)
    assert row["doi"] == "10.1000/from-arxiv"
    assert row["conflicts"] == ["doi: arxiv=10.1000/from-arxiv s2=10.1000/from-s2"]


def test_journal_only_venue_and_partial_journal() -> None:
    s2 = S2.model_copy(
        update={
            "publication_venue": None,
            "venue": "",
            "journal": Journal(name="Mind", volume="59"),
        }
    )
    row = merge_row(Outcome(paper=Paper(title="Computing Machinery and Intelligence"), s2=s2), NOW)
    assert row["venue"] == "Mind"
    assert row["is_published"] is True


GONE = GitHubRecord(requested="a/b", exists=False)
REPO = GitHubRecord(requested="a/b", full_name="a/b", stars=3)
THROTTLED = "throttled (429 'Rate exceeded.' 6 times in 31 s); try again later"


def _statuses(outcome: Outcome) -> tuple[str, str, str, str, list[str]]:
    row = merge_row(outcome, NOW)
    return (
        row["status"],
        row["arxiv_status"],
        row["s2_status"],
        row["github_status"],
        row["status_notes"],
    )


def test_per_source_statuses_and_the_row_status_they_give() -> None:
    title = Paper(title="Unknown paper")
    lora = Paper(arxiv_id="2106.09685")
    link = "https://github.com/a/b"
    cases = [
        # nobody knows it
        (
            Outcome(paper=title, asked={"arxiv", "s2"}),
            ("not_found", "not_found", "not_found", "not_asked", ["arxiv not_found", "s2 not_found"]),
        ),
        # everything found
        (
            Outcome(paper=lora, arxiv=ARXIV, s2=S2, github=REPO, repo_url=link,
                    asked={"arxiv", "s2", "github"}),
            ("ok", "ok", "ok", "ok", []),
        ),
        # S2 asked, did not know it
        (
            Outcome(paper=lora, arxiv=ARXIV, asked={"arxiv", "s2"}),
            ("partial", "ok", "not_found", "not_asked", ["s2 not_found"]),
        ),
        # a failure and no data: error
        (
            Outcome(paper=title, asked={"s2"}, errors=["[s2] HTTP 503 boom"],
                    reasons={"s2": "HTTP 503 boom"}),
            ("error", "not_asked", "error", "not_asked", ["s2 error: HTTP 503 boom"]),
        ),
        # data from S2 while arXiv failed: partial, never error
        (
            Outcome(paper=lora, s2=S2, asked={"arxiv", "s2"},
                    errors=["[arxiv] HTTP 503 server error (https://export.arxiv.org/x)"]),
            ("partial", "error", "ok", "not_asked",
             ["arxiv error: HTTP 503 server error (https://export.arxiv.org/x)"]),
        ),
        # arXiv unavailable (breaker open): skipped, with the reason
        (
            Outcome(paper=lora, s2=S2, asked={"arxiv", "s2"},
                    skipped=[f"[arxiv] not looked up: {THROTTLED}"],
                    reasons={"arxiv": THROTTLED}),
            ("partial", "skipped", "ok", "not_asked", [f"arxiv skipped: {THROTTLED}"]),
        ),
        # skipped and nothing else: no data, so error
        (
            Outcome(paper=title, skipped=[f"[arxiv] not looked up: {THROTTLED}"],
                    reasons={"arxiv": THROTTLED}),
            ("error", "skipped", "not_asked", "not_asked", [f"arxiv skipped: {THROTTLED}"]),
        ),
        # GitHub's budget ran out: skipped, the row is partial
        (
            Outcome(paper=lora, arxiv=ARXIV, s2=S2, asked={"arxiv", "s2"}, repo_url=link,
                    skipped=["[github] not looked up: budget ran out"]),
            ("partial", "ok", "ok", "skipped", ["github skipped: not looked up: budget ran out"]),
        ),
        # a deleted repository: GitHub not_found
        (
            Outcome(paper=lora, arxiv=ARXIV, s2=S2, github=GONE, repo_url=link,
                    asked={"arxiv", "s2", "github"}),
            ("partial", "ok", "ok", "not_found",
             [f"github not_found: {link} no longer exists (or is private)"]),
        ),
        # only GitHub knows it: data, so partial
        (
            Outcome(paper=title, github=REPO, repo_url=link, asked={"arxiv", "s2", "github"}),
            ("partial", "not_found", "not_found", "ok", ["arxiv not_found", "s2 not_found"]),
        ),
        # a record wins over a failed later lookup of the same source
        (
            Outcome(paper=lora, arxiv=ARXIV, s2=S2, asked={"arxiv", "s2"},
                    errors=["[s2] HTTP 500 boom"]),
            ("ok", "ok", "ok", "not_asked", []),
        ),
        # a failure wins over a skip of the same source
        (
            Outcome(paper=title, asked={"arxiv"}, errors=["[arxiv] HTTP 429 throttled"],
                    skipped=[f"[arxiv] not looked up: {THROTTLED}"],
                    reasons={"arxiv": "HTTP 429 throttled"}),
            ("error", "error", "not_asked", "not_asked", ["arxiv error: HTTP 429 throttled"]),
        ),
    ]  # fmt: skip
    for outcome, expected in cases:
        assert _statuses(outcome) == expected, outcome


def test_a_rejected_title_match_says_so_in_the_notes() -> None:
    decision = MatchDecision(
        index=None, score=0.81, method=None, candidate_title="Other", reason="below threshold"
    )
    outcome = Outcome(paper=Paper(title="X"), s2=S2, s2_match=None, arxiv_match=decision)
    outcome.asked = {"arxiv", "s2"}
    row = merge_row(outcome, NOW)
    assert row["status_notes"] == ["arxiv not_found: best title match scored 0.81, too low"]


def test_rejected_title_match_keeps_the_candidate_for_review() -> None:
    decision = MatchDecision(
        index=None,
        score=0.81,
        method=None,
        candidate_title="Attention Is All You Need for Graphs",
        reason="below threshold",
    )
    row = merge_row(
        Outcome(
            paper=Paper(title="Attention Is All You Need"), arxiv_match=decision, asked={"arxiv"}
        ),
        NOW,
    )
    assert row["arxiv_id"] is None
    assert row["match_method"] is None
    assert row["match_score"] == 0.81
    assert row["match_candidate"] == "Attention Is All You Need for Graphs"


def test_repository_fields_and_deleted_repository_keeps_its_link() -> None:
    gh = GitHubRecord(
        requested="old/name",
        full_name="new/name",
        moved=True,
        stars=5,
        forks=1,
        archived=False,
        license="MIT",
        language="Python",
    )
    row = merge_row(
        Outcome(
            paper=Paper(code_urls=("https://github.com/old/name",)),
            github=gh,
            repo_url="https://github.com/old/name",
            asked={"github"},
        ),
        NOW,
    )
    assert (row["repo_full_name"], row["repo_moved"], row["repo_stars"]) == ("new/name", True, 5)
    assert row["provenance"]["repo_url"] == "input"
    gone = GitHubRecord(requested="old/name", exists=False)
    row = merge_row(
        Outcome(
            paper=Paper(code_urls=("https://github.com/old/name",)),
            github=gone,
            repo_url="https://github.com/old/name",
            asked={"github"},
        ),
        NOW,
    )
    assert row["repo_url"] == "https://github.com/old/name"
    assert row["repo_full_name"] is None
    assert row["repo_stars"] is None


def test_frame_has_the_documented_schema_even_when_empty() -> None:
    assert build_frame([], NOW).schema == OUTPUT_SCHEMA
    frame = build_frame([Outcome(paper=Paper(arxiv_id="2106.09685"), arxiv=ARXIV, s2=S2)], NOW)
    assert frame.schema == OUTPUT_SCHEMA
    assert frame["authors"].to_list() == [["Edward J. Hu", "Yelong Shen"]]
    assert frame["provenance"].struct.field("citation_count").to_list() == ["s2"]
    assert frame["input_arxiv_id"].to_list() == ["2106.09685"]
    assert frame.select(pl.col("fetched_at").dt.year()).item() == 2026
