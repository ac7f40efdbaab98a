"""The pure parsers against every relevant real payload in ../shared/api-samples.

The samples are recordings of the live services collected from public test
suites (see shared/api-samples/PROVENANCE.md); they stay outside the repository,
so these tests skip when the folder is absent.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from enrich._exceptions import ResponseError
from enrich._models import Journal
from enrich.adapters.arxiv import parse_feed
from enrich.adapters.github import parse_graphql, parse_repo
from enrich.adapters.semantic_scholar import parse_batch, parse_match, parse_paper

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "api-samples"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/api-samples is absent"),
]

UTC = dt.UTC


def arxiv(name: str) -> bytes:
    return (SAMPLES / "arxiv" / name).read_bytes()


def sample_json(source: str, name: str) -> Any:
    return json.loads((SAMPLES / source / name).read_bytes())


def cassette_bodies(name: str) -> list[tuple[int, Any]]:
    """(status, decoded JSON body) of each interaction of a VCR cassette (both layouts)."""
    data = yaml.safe_load((SAMPLES / "s2" / name).read_text(encoding="utf-8"))
    out = []
    for interaction in data["interactions"]:
        response = interaction["response"]
        if "body" in response:  # vcrpy layout
            body, status = response["body"]["string"], response["status"]["code"]
        else:  # older httpx-VCR layout: content + status_code
            body, status = response["content"], response["status_code"]
        out.append((status, json.loads(body)))
    return out


# --- arXiv -----------------------------------------------------------------------


def test_arxiv_title_zero_is_a_title() -> None:
    feed = parse_feed(arxiv("id_list_versioned_2104.12255v1_title_0_200.xml"))
    assert feed.errors == []
    assert feed.total_results == 1
    [record] = feed.records
    assert record.arxiv_id == "2104.12255"
    assert record.version == 1
    assert record.title == "0"
    assert record.authors == ("Quan Thoi Minh Nguyen",)
    assert record.categories == ("cs.CR",)
    assert record.primary_category == "cs.CR"
    assert (record.doi, record.journal_ref, record.comment) == (None, None, None)
    assert record.published == dt.datetime(2021, 4, 20, 16, 7, 14, tzinfo=UTC)
    assert record.abstract is not None
    assert record.abstract.startswith("What is the funniest number in cryptography? 0.")


def test_arxiv_malformed_id_400_is_one_error_and_no_record() -> None:
    feed = parse_feed(arxiv("id_list_malformed_abc_400.xml"))
    assert feed.records == []
    assert feed.errors == ["incorrect id format for abc"]
    assert feed.total_results == 1


@pytest.mark.parametrize(
    "name",
    [
        "id_list_nonexistent_0000.0000_empty_200.xml",
        "id_list_invalid_5digit_0808.05394_empty_200.xml",
    ],
)
def test_arxiv_unknown_ids_give_an_empty_feed(name: str) -> None:
    feed = parse_feed(arxiv(name))
    assert (feed.records, feed.errors, feed.total_results) == ([], [], 0)


def test_arxiv_old_style_id_keeps_archive_and_journal_ref() -> None:
    [record] = parse_feed(arxiv("id_list_oldstyle_astro-ph_0601001_200.xml")).records
    assert (record.arxiv_id, record.version) == ("astro-ph/0601001", 1)
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.comment is not None
    assert record.comment.startswith("62 pages including 16 figures")
    assert record.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert record.abstract is not None
    assert record.abstract.startswith("We derive the frequencies")


def test_arxiv_old_style_versioned_id() -> None:
    [record] = parse_feed(arxiv("id_list_oldstyle_versioned_quant-ph_0201082v1_200.xml")).records
    assert (record.arxiv_id, record.version) == ("quant-ph/0201082", 1)
    assert len(record.categories) == 2
    assert record.title.startswith("Quantum Computers and Quantum Computer Languages")


def test_arxiv_legacy_2016_feed() -> None:
    feed = parse_feed(arxiv("legacy2016_id_list_1111.2011v2_200.xml"))
    assert feed.total_results == 1
    [record] = feed.records
    assert (record.arxiv_id, record.version) == ("1111.2011", 2)
    # Hard-wrapped with "\n  " in the legacy format.
    assert record.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert record.abstract is not None
    assert "\n" not in record.abstract
    assert record.abstract.startswith("Theoretical description of anisotropic systems")
    assert record.doi == "10.1103/physrevb.85.115117"
    assert record.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert record.comment == "8 pages, 3 figures. Published version"
    assert record.primary_category == "cond-mat.str-el"
    assert record.categories == ("cond-mat.str-el", "cond-mat.stat-mech")
    assert record.authors == ("James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic")
    assert record.published == dt.datetime(2011, 11, 8, 18, 48, 36, tzinfo=UTC)
    assert record.updated == dt.datetime(2012, 4, 2, 12, 38, 54, tzinfo=UTC)


def test_arxiv_legacy_2016_title_search() -> None:
    [record] = parse_feed(
        arxiv("legacy2016_search_au_del_maestro_AND_ti_checkerboard_200.xml")
    ).records
    assert (record.arxiv_id, record.version) == ("cond-mat/0603029", 1)
    assert record.title == (
        "From stripe to checkerboard order on the square lattice in the presence of quenched disorder"
    )
    assert record.doi == "10.1103/physrevb.74.024520"


def test_arxiv_search_page_one() -> None:
    feed = parse_feed(arxiv("search_all_testing_start0_max10_200.xml"))
    assert feed.total_results == 214881
    assert feed.errors == []
    assert [r.arxiv_id for r in feed.records][:3] == ["2202.12139", "2405.13786", "2005.14124"]
    assert [r.version for r in feed.records] == [1, 1, 2, 3, 3, 1, 2, 1, 2, 1]
    first = feed.records[0]
    assert first.doi == "10.1109/icstw55395.2022.00035"
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    # Non-ASCII names arrive intact from the UTF-8 bytes.
    assert feed.records[1].authors[0] == "Aurora Ramírez"
    assert feed.records[1].authors[2] == "José Raúl Romero"
    assert feed.records[4].title == "ChatGPT and Software Testing Education: Promises & Perils"
    assert sum(r.doi is None for r in feed.records) == 4
    for record in feed.records:
        assert record.published is not None
        assert record.published.tzinfo is not None


def test_arxiv_search_page_two() -> None:
    feed = parse_feed(arxiv("search_all_testing_start10_max10_200.xml"))
    assert feed.total_results == 214881
    assert len(feed.records) == 10
    assert feed.records[0].arxiv_id == "2403.16981"
    assert feed.records[0].primary_category == "math.ST"
    assert feed.records[8].doi == "10.1145/3679006.3685071"


def test_arxiv_throttle_body_is_not_a_feed() -> None:
    with pytest.raises(ResponseError, match="not XML"):
        parse_feed(arxiv("rate_limited_429_OBSERVED.txt"))


# --- Semantic Scholar ------------------------------------------------------------


def test_s2_match_attention() -> None:
    [record] = parse_match(sample_json("s2", "paper_search_match_attention_200.json"))
    assert record.paper_id == "204e3073870fae3d05bcbc2f6a8e263d9b72e776"
    assert record.title == "Attention is All you Need"
    assert record.arxiv_id == "1706.03762"
    assert record.doi is None  # ArXiv, DBLP and MAG, but no DOI
    assert record.corpus_id == 13756489
    assert record.external_ids["CorpusId"] == "13756489"
    assert record.venue == "Neural Information Processing Systems"
    assert record.journal == Journal(pages="5998-6008")
    assert record.publication_venue is None
    assert record.year == 2017
    assert record.publication_date == dt.date(2017, 6, 12)
    assert record.publication_types == ("JournalArticle", "Conference")
    assert (record.citation_count, record.influential_citation_count) == (136941, 17456)
    assert record.match_score == pytest.approx(133.32033)
    assert len(record.authors) == 8
    assert record.authors[0] == "Ashish Vaswani"


def test_s2_match_no_match_shapes() -> None:
    assert parse_match(sample_json("s2", "paper_search_match_empty_data_200.json")) == []
    assert parse_match(sample_json("s2", "paper_search_match_not_found_404.json")) == []


def test_s2_throttle_body_is_not_a_paper() -> None:
    body = sample_json("s2", "error_429_too_many_requests_OBSERVED.json")
    assert body["code"] == "429"
    with pytest.raises(ResponseError):
        parse_paper(body)
    with pytest.raises(ResponseError):
        parse_match(body)


def test_s2_full_paper_turing() -> None:
    paper = sample_json("s2", "semanticscholar_py__Paper.json")
    record = parse_paper(paper)
    assert record.paper_id == "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
    assert record.title == "Computing Machinery and Intelligence"
    assert record.venue == "The Philosophy of Artificial Intelligence"
    assert record.publication_venue is None
    assert record.journal == Journal(name="Mind", volume="LIX", pages="433-460")
    assert record.doi == "10.1093/mind/lix.236.433"  # upper-cased upstream
    assert record.corpus_id == 14636783
    assert record.year == 1950
    assert record.publication_date == dt.date(1950, 10, 1)
    assert record.publication_types == ("JournalArticle", "Review")
    assert (record.citation_count, record.influential_citation_count) == (10059, 530)
    assert record.reference_count == 14
    assert record.authors == ("A. Turing",)
    assert record.arxiv_id is None


def test_s2_embedded_citations_all_parse() -> None:
    citations = sample_json("s2", "semanticscholar_py__Paper.json")["citations"]
    records = parse_batch(citations, len(citations))
    assert len(records) == 1000
    assert all(r is not None for r in records)
    parsed = [r for r in records if r is not None]
    assert sum(r.publication_venue is not None for r in parsed) == 807
    assert sum(r.venue is None for r in parsed) >= 30  # "" becomes None
    annals = [r for r in parsed if r.journal and r.journal.name == "Annals of plastic surgery"]
    assert annals
    assert annals[0].journal == Journal(
        name="Annals of plastic surgery", volume="92 5", pages="487-488"
    )
    # publicationVenue without "type" parses with type None.
    assert any(r.publication_venue and r.publication_venue.type is None for r in parsed)
    assert sum(r.journal is not None and r.journal.name is None for r in parsed) == 33


def test_s2_unresolved_references_are_not_papers() -> None:
    references = sample_json("s2", "semanticscholar_py__Paper.json")["references"]
    records = parse_batch(references, len(references))
    assert sum(r is None for r in records) == 6  # paperId null: Turing's footnotes
    assert records[0] is not None


def test_s2_paper_with_null_values() -> None:
    record = parse_paper(sample_json("s2", "semanticscholar_py__PaperWithNullValues.json"))
    assert record.paper_id == "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
    assert record.authors == ()
    assert (record.title, record.year, record.venue, record.citation_count) == (
        None,
        None,
        None,
        None,
    )


def test_s2_search_page_publication_date_null_with_year() -> None:
    page = sample_json("s2", "paper_search_transformer_limit5_200.json")
    records = [parse_paper(item) for item in page["data"]]
    swin = records[0]
    assert swin.title == "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
    assert (swin.year, swin.publication_date) == (2021, None)
    assert swin.arxiv_id == "2103.14030"
    assert swin.doi == "10.1109/iccv48922.2021.00986"
    assert len(records) == 5


def test_s2_batch_cassette_is_aligned() -> None:
    [(status, body)] = cassette_bodies("semanticscholar_py__test_get_papers.yaml")
    assert status == 200
    records = parse_batch(body, 3)
    assert [r.paper_id if r else None for r in records] == [
        "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce",
        "cb1ebd913c3724c599f6b276b14b5c6253da68f3",
        "0f40b1f08821e22e859c6050916cec3667778613",
    ]
    assert records[1] is not None
    assert records[1].authors[1] == "A. Banerjee"
    with pytest.raises(ResponseError, match="3 items for 4 ids"):
        parse_batch(body, 4)


def test_s2_get_paper_cassette() -> None:
    [(status, body)] = cassette_bodies("semanticscholar_py__test_get_paper.yaml")
    record = parse_paper(body)
    assert (status, record.title) == (200, "Computing Machinery and Intelligence")


def test_s2_match_title_cassette() -> None:
    [(_, body)] = cassette_bodies("semanticscholar_py__test_search_paper_match_title.yaml")
    [record] = parse_match(body)
    assert record.title == "Mining association rules between sets of items in large databases"
    assert record.match_score == pytest.approx(109.55098)


@pytest.mark.parametrize(
    "name",
    [
        "semanticscholar_py__test_not_found.yaml",
        "semanticscholar_py__test_bad_query_parameters.yaml",
    ],
)
def test_s2_error_bodies_are_not_papers(name: str) -> None:
    for status, body in cassette_bodies(name):
        assert status in {400, 404}
        assert "error" in body
        with pytest.raises(ResponseError, match="without a paperId"):
            parse_paper(body)


def test_s2_empty_search_has_no_data_key() -> None:
    [(_, body)] = cassette_bodies("semanticscholar_py__test_empty_paginated_results.yaml")
    assert body == {"total": 0, "offset": 0}
    with pytest.raises(ResponseError, match="without data"):
        parse_match(body)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("semanticscholar_py__test_search_paper.yaml", 100),
        ("semanticscholar_py__test_search_paper_traversing_results.yaml", 89),
        ("semanticscholar_py__test_search_paper_venue.yaml", 100),
    ],
)
def test_s2_search_pages_parse(name: str, count: int) -> None:
    [(_, body)] = cassette_bodies(name)
    records = [parse_paper(item) for item in body["data"]]
    assert len(records) == count
    assert all(len(r.paper_id) == 40 for r in records)
    if name.endswith("venue.yaml"):
        assert {r.venue for r in records} == {"arXiv.org"}
    else:
        assert all(r.title for r in records)


# --- GitHub ----------------------------------------------------------------------


def test_github_repo_without_license() -> None:
    record = parse_repo(
        sample_json("github", "repo_get_200.json"), "octokit-fixture-org/hello-world"
    )
    assert record.exists
    assert not record.moved
    assert record.full_name == "octokit-fixture-org/hello-world"
    assert (record.repo_id, record.stars, record.forks) == (103703892, 0, 0)
    assert (record.license, record.language, record.archived, record.fork) == (
        None,
        None,
        False,
        False,
    )
    assert record.pushed_at == dt.datetime(2017, 11, 3, 20, 11, 46, tzinfo=UTC)


def test_github_repo_with_license_case_insensitive_name() -> None:
    record = parse_repo(
        sample_json("github", "repo_get_popular_with_license_200.json"), "pygithub/pygithub"
    )
    assert not record.moved
    assert record.full_name == "PyGithub/PyGithub"
    assert (record.stars, record.forks) == (6905, 1762)
    assert record.license == "LGPL-3.0"
    assert record.language == "Python"
    assert record.pushed_at == dt.datetime(2024, 9, 12, 10, 47, 45, tzinfo=UTC)


def test_github_transferred_repo_is_moved() -> None:
    record = parse_repo(
        sample_json("github", "repo_get_after_301_transferred_200.json"), "protoncoin/protoncoin"
    )
    assert record.moved
    assert record.exists
    assert record.requested == "protoncoin/protoncoin"
    assert record.full_name == "padima2/protoncoin"
    assert (record.repo_id, record.stars, record.forks) == (112116543, 5, 21)
    assert (record.license, record.language) == ("MIT", "C++")


def test_github_fork() -> None:
    record = parse_repo(sample_json("github", "repo_get_fork_2025_200.json"), "Felixoid/PyGithub")
    assert record.fork is True
    assert record.stars == 0  # the parent's stars are not the fork's
    assert record.license == "LGPL-3.0"
    assert not record.moved


@pytest.mark.parametrize(
    "name",
    [
        "repo_moved_301_pygithub2018.json",
        "repo_renamed_patch_307.json",
        "repo_not_found_404_2019.json",
        "repo_not_found_404_2019_librariesio.json",
        "repo_not_found_404_legacy2012.json",
        "error_404_modern_status_string.json",
        "label_create_validation_failed_422.json",
        "missing_user_agent_403_legacy2013.json",
        "rate_limit_exceeded_unauth_403_legacy2013.json",
        "secondary_rate_limit_403_retry_after.json",
    ],
)
def test_github_error_and_redirect_bodies_are_not_repos(name: str) -> None:
    with pytest.raises(ResponseError, match="not a repository"):
        parse_repo(sample_json("github", name), "owner/repo")


def test_github_301_body_names_the_redirect() -> None:
    body = sample_json("github", "repo_moved_301_pygithub2018.json")
    with pytest.raises(ResponseError, match="Moved Permanently"):
        parse_repo(body, "protoncoin/protoncoin")


def test_github_graphql_repository_not_found() -> None:
    records = parse_graphql(
        sample_json("github", "graphql_repository_not_found_200.json"),
        ["bad/example-for-testing"],
        aliases=["repository"],
    )
    record = records["bad/example-for-testing"]
    assert record.exists is False
    assert (record.full_name, record.stars, record.license) == (None, None, None)


def test_github_graphql_node_not_found_partial_error() -> None:
    records = parse_graphql(
        sample_json("github", "graphql_node_not_found_partial_error_200.json"),
        ["some/repo"],
        aliases=["node"],
    )
    assert records["some/repo"].exists is False


def test_github_graphql_empty_repo_nested_null() -> None:
    records = parse_graphql(
        sample_json("github", "graphql_empty_repo_default_branch_null_200.json"),
        ["buddhamagnet/heidigoodchild"],
        aliases=["repository"],
    )
    record = records["buddhamagnet/heidigoodchild"]
    assert record.exists
    assert not record.moved
    assert record.full_name == "buddhamagnet/heidigoodchild"
    assert (record.stars, record.pushed_at, record.language) == (None, None, None)


def test_github_graphql_repository_found() -> None:
    records = parse_graphql(
        sample_json("github", "graphql_repository_url_200.json"),
        ["PyGithub/PyGithub"],
        aliases=["repository"],
    )
    assert records["pygithub/pygithub"].exists is True


def test_github_graphql_bad_credentials_body_has_no_data() -> None:
    with pytest.raises(ResponseError, match="without data"):
        parse_graphql(sample_json("github", "graphql_bad_credentials_401.json"), ["a/b"])
