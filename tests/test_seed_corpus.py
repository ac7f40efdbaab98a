"""The seed corpus built from the saved Daily Papers pages in ../shared/seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich._ids import github_full_name, parse_arxiv_id
from enrich._match import normalize_title
from enrich.testing._generator import TAGS, GeneratedWorkload
from enrich.testing._seed_corpus import (
    REAL_ARXIV_IDS,
    SYNTHETIC_NOTE,
    build_seed_corpus,
    default_seed_dir,
    extract_cards,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout"
)

# Authored for this test: both page layouts, "Subscribe" glued to a title, upvote counts.
CARDS_PAGE = """new

Daily Papers

byAK and the research community

Apr 14

Sparse Mixers: A Study of Routing

We study routing in sparse mixers across many settings and report what matters most for quality, at length, with code at https://github.com/example-lab/sparse-mixers.

  • 34 authors
·
Jan 26

Caf\u00e9 Reviews at Scale

A long abstract about reviews of cafes written in many languages, long enough to look like an abstract on the page, and then some more words to be sure of it.

example-org Example Org
·
Dec 30, 2025 2

Old Results Revisited

Another long abstract that mentions nothing in particular but has to be long enough, so it keeps going for a while longer than the title line does.

  • 2 authors
·
Apr 13, 2025 58
"""

FLAT_PAGE = (
    "Get trending papers in your email inbox!\n"
    "SubscribeFirst Flat Title: With a Colon\n"
    + "An abstract on one line that is long enough to count as an abstract for the reader. " * 3
    + "\nSecond Flat Title\n"
    + "Another abstract on one line, again long enough to count, see github.com/a-b/c_d. " * 3
    + "\n"
)


def test_extract_cards_reads_the_card_layout() -> None:
    cards = extract_cards(CARDS_PAGE)
    assert [c.title for c in cards] == [
        "Sparse Mixers: A Study of Routing",
        "Caf\u00e9 Reviews at Scale",
        "Old Results Revisited",
    ]
    assert cards[0].links == ("https://github.com/example-lab/sparse-mixers.",)
    assert cards[0].authors_count == 34
    assert str(cards[0].listed) == "2026-01-26"  # yearless: latest printed year + 1
    assert cards[1].authors_count is None
    assert str(cards[1].listed) == "2025-12-30"
    assert str(cards[2].listed) == "2025-04-13"


def test_extract_cards_reads_the_flat_layout() -> None:
    cards = extract_cards(FLAT_PAGE)
    assert [c.title for c in cards] == ["First Flat Title: With a Colon", "Second Flat Title"]
    assert cards[1].links[0].startswith("github.com/a-b/c_d")
    assert cards[0].listed is None


def test_missing_or_empty_seed_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="seed_dir="):
        build_seed_corpus(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"no \*\.txt"):
        build_seed_corpus(tmp_path)


def test_seed_corpus_from_an_authored_page(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(CARDS_PAGE, encoding="utf-8")
    work = build_seed_corpus(tmp_path, seed=1)
    assert [normalize_title(r["title"]) for r in work.inputs] == [
        normalize_title(c.title) for c in extract_cards(CARDS_PAGE)
    ]
    assert work.inputs[0]["code_url"] == "https://github.com/example-lab/sparse-mixers."
    truth = work.truth.rows[0]
    assert truth.exists
    assert truth.repo_full_name is not None
    repo = next(r for r in work.corpus.github if r.full_name == truth.repo_full_name)
    assert "example-lab/sparse-mixers" in [repo.full_name, *repo.former_names]


def test_default_seed_dir_is_beside_the_repository() -> None:
    assert default_seed_dir() == SEEDS


@pytest.fixture(scope="module")
def seed_work() -> GeneratedWorkload:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    return build_seed_corpus()


@needs_seeds
def test_seed_corpus_contains_every_seed_title(seed_work: GeneratedWorkload) -> None:
    expected = {
        normalize_title(card.title)
        for page in sorted(SEEDS.glob("*.txt"))
        for card in extract_cards(page.read_text(encoding="utf-8"))
    }
    assert len(expected) > 150
    inputs = [normalize_title(r["title"]) for r in seed_work.inputs]
    assert set(inputs) == expected
    assert len(inputs) == len(expected)
    corpus_titles = {normalize_title(t) for e in seed_work.corpus.arxiv for t in e.titles}
    corpus_titles |= {normalize_title(p.title) for p in seed_work.corpus.s2}
    for key, truth in zip(inputs, seed_work.truth.rows, strict=True):
        assert (key in corpus_titles) == truth.exists


@needs_seeds
def test_seed_corpus_mix_and_ids(seed_work: GeneratedWorkload) -> None:
    rows = seed_work.truth.rows
    known = [t for t in rows if t.exists]
    assert len(known) >= 0.85 * len(rows)
    assert any(t.arxiv_id and not t.s2_paper_id for t in known)  # arXiv only
    assert 1 <= sum(not t.exists for t in rows) <= 0.1 * len(rows)
    real = {normalize_title(k): v for k, v in REAL_ARXIV_IDS.items()}
    matched = 0
    for row, truth in zip(seed_work.inputs, rows, strict=True):
        real_id = real.get(normalize_title(row["title"]))
        if real_id:
            assert truth.arxiv_id == real_id
            matched += 1
        elif truth.arxiv_id:
            number = truth.arxiv_id.split(".")[1]
            assert int(number) >= (90000 if len(number) == 5 else 9000), SYNTHETIC_NOTE
    assert matched == len(REAL_ARXIV_IDS)
    for entry in seed_work.corpus.arxiv:
        parsed = parse_arxiv_id(entry.arxiv_id)
        assert parsed is not None
        assert parsed.id == entry.arxiv_id
        assert entry.arxiv_id[:4] == entry.published.strftime("%y%m")


@needs_seeds
def test_every_page_link_exists_as_a_repository(seed_work: GeneratedWorkload) -> None:
    names = {n.lower(): r for r in seed_work.corpus.github for n in (r.full_name, *r.former_names)}
    links = [r["code_url"] for r in seed_work.inputs if r["code_url"]]
    assert len(links) >= 20
    for row, truth in zip(seed_work.inputs, seed_work.truth.rows, strict=True):
        if row["code_url"]:
            full_name = github_full_name(row["code_url"])
            assert full_name is not None
            repo = names[full_name.lower()]
            assert not repo.deleted
            assert truth.repo_full_name == repo.full_name


@needs_seeds
def test_seed_tags_are_documented(seed_work: GeneratedWorkload) -> None:
    used = {t for tags in seed_work.tags for t in tags}
    assert {"seed", "real_arxiv_id", "unknown", "repo"} <= used <= set(TAGS)


@needs_seeds
def test_seed_corpus_is_deterministic(seed_work: GeneratedWorkload) -> None:
    again = build_seed_corpus(SEEDS)
    assert again.inputs == seed_work.inputs
    assert again.truth == seed_work.truth
    assert again.corpus.to_json() == seed_work.corpus.to_json()
    other = build_seed_corpus(SEEDS, seed=1)
    assert other.truth != seed_work.truth
