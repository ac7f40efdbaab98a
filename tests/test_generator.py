"""The synthetic workload generator: determinism, mix, confusers, consistency with the truth."""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

from enrich._ids import find_github_urls, github_full_name, normalize_doi, parse_arxiv_id
from enrich._match import normalize_title
from enrich.testing._corpus import Corpus, FakeArxivEntry, FakeS2Paper, Truth
from enrich.testing._generator import INPUT_COLUMNS, TAGS, GeneratedWorkload, generate_corpus

N = 1000


@pytest.fixture(scope="module")
def work() -> GeneratedWorkload:
    return generate_corpus(N, seed=7)


@pytest.fixture(scope="module")
def index(work: GeneratedWorkload) -> _Index:
    return _Index(work)


class _Index:
    """Lookups over one workload's corpus."""

    def __init__(self, work: GeneratedWorkload) -> None:
        self.arxiv: dict[str, FakeArxivEntry] = {e.arxiv_id: e for e in work.corpus.arxiv}
        self.s2: dict[str, FakeS2Paper] = {p.paper_id: p for p in work.corpus.s2}
        self.linked: dict[str, list[str]] = {}
        for p in work.corpus.s2:
            if "ArXiv" in p.external_ids:
                self.linked.setdefault(p.external_ids["ArXiv"], []).append(p.paper_id)
        self.dois = {normalize_doi(p.external_ids.get("DOI")) for p in work.corpus.s2}
        self.repos = {r.full_name: r for r in work.corpus.github}
        self.by_any_name = {
            name.lower(): r for r in work.corpus.github for name in (r.full_name, *r.former_names)
        }
        keys = [normalize_title(t) for e in work.corpus.arxiv for t in e.titles]
        keys += [normalize_title(p.title) for p in work.corpus.s2]
        self.keys = set(keys)
        self.masked: dict[tuple[int, str], set[str]] = {}
        for key in self.keys:
            words = key.split()
            for i in range(len(words)):
                masked = " ".join([*words[:i], "*", *words[i + 1 :]])
                self.masked.setdefault((len(words), masked), set()).add(key)
        self.heads: dict[str, set[str]] = {}
        titles = [t for e in work.corpus.arxiv for t in e.titles] + [
            p.title for p in work.corpus.s2
        ]
        for title in titles:
            head, sep, _ = title.partition(":")
            if sep:
                self.heads.setdefault(normalize_title(head), set()).add(normalize_title(title))

    def own_keys(self, work: GeneratedWorkload, i: int) -> set[str]:
        row = work.truth.rows[i]
        keys = set()
        if row.arxiv_id:
            keys |= {normalize_title(t) for t in self.arxiv[row.arxiv_id].titles}
        if row.s2_paper_id:
            keys.add(normalize_title(self.s2[row.s2_paper_id].title))
        return keys


def _rows_tagged(work: GeneratedWorkload, tag: str) -> list[int]:
    return [i for i, tags in enumerate(work.tags) if tag in tags]


def test_same_seed_gives_identical_workload() -> None:
    first, second = generate_corpus(300, seed=5), generate_corpus(300, seed=5)
    assert first.corpus.to_json() == second.corpus.to_json()
    assert first.inputs == second.inputs
    assert first.truth == second.truth
    assert first.tags == second.tags


def test_different_seed_gives_different_workload() -> None:
    first, second = generate_corpus(300, seed=5), generate_corpus(300, seed=6)
    assert first.inputs != second.inputs
    assert {p.paper_id for p in first.corpus.s2}.isdisjoint(p.paper_id for p in second.corpus.s2)


def test_edge_sizes() -> None:
    empty = generate_corpus(0)
    assert (empty.inputs, empty.truth.rows, empty.corpus.arxiv) == ([], [], [])
    assert len(generate_corpus(1, seed=2).inputs) == 1
    with pytest.raises(ValueError, match="n must be"):
        generate_corpus(-1)


def test_rows_have_exactly_the_input_columns(work: GeneratedWorkload) -> None:
    assert len(work.inputs) == len(work.truth.rows) == len(work.tags) == N
    for row in work.inputs:
        assert tuple(row) == INPUT_COLUMNS
        assert all(v is None or (isinstance(v, str) and v.strip()) for v in row.values())
        assert any(row.values())


def test_tags_are_documented(work: GeneratedWorkload) -> None:
    used = {t for tags in work.tags for t in tags}
    assert used <= set(TAGS)
    assert len(used) >= len(TAGS) - 4  # all but the seed-only and rarest labels


def test_workload_mix(work: GeneratedWorkload) -> None:
    with_id = [r for r in work.inputs if r["arxiv_id"]]
    unknown = [t for t in work.truth.rows if not t.exists]
    title_only = [r for r in work.inputs if not r["arxiv_id"]]
    assert len(with_id) == 500
    assert len(unknown) == 100
    assert len(title_only) == 500  # 400 known + 100 unknown
    assert all(r["title"] for r in title_only)
    assert 280 <= sum(1 for r in work.inputs if r["code_url"]) <= 390
    spellings = Counter(
        "url" if "arxiv.org" in v else "versioned" if re.search(r"v\d+$", v) else
        "prefixed" if v.startswith("arXiv:") else "bare"
        for v in (r["arxiv_id"] for r in with_id) if v
    )  # fmt: skip
    assert spellings["bare"] > 200
    assert min(spellings["url"], spellings["versioned"], spellings["prefixed"]) >= 10
    doi_rows = [r for r in work.inputs if r["doi"]]
    assert sum(1 for r in doi_rows if r["arxiv_id"]) >= 20  # DOI besides an id
    assert sum(1 for r in doi_rows if not r["arxiv_id"]) >= 20  # DOI instead of an id
    assert any(r["doi"].lower().startswith("10.48550/arxiv.") for r in doi_rows if r["doi"])


def test_identifiers_are_valid_and_unique(work: GeneratedWorkload) -> None:
    ids = [e.arxiv_id for e in work.corpus.arxiv]
    assert len(ids) == len(set(ids))
    for entry in work.corpus.arxiv:
        parsed = parse_arxiv_id(entry.arxiv_id)
        assert parsed is not None
        assert parsed.id == entry.arxiv_id
        assert parsed.version is None
        digits = entry.arxiv_id.split("/")[-1]
        assert digits[:4] == entry.published.strftime("%y%m")
        assert entry.published <= entry.updated
        assert len(entry.titles) >= 1
    lengths = Counter(len(i.split(".")[1]) if "." in i else 0 for i in ids)
    assert lengths[4] > 10
    assert lengths[5] > 500
    assert lengths[0] >= 3
    paper_ids = [p.paper_id for p in work.corpus.s2]
    assert all(re.fullmatch(r"[0-9a-f]{40}", p) for p in paper_ids)
    assert len(set(paper_ids)) == len(paper_ids)
    corpus_ids = [p.corpus_id for p in work.corpus.s2]
    assert all(isinstance(c, int) for c in corpus_ids)
    assert len(set(corpus_ids)) == len(corpus_ids)
    linked = [p.external_ids["ArXiv"] for p in work.corpus.s2 if "ArXiv" in p.external_ids]
    assert len(linked) == len(set(linked))
    assert set(linked) <= set(ids)
    assert len({r.repo_id for r in work.corpus.github}) == len(work.corpus.github)
    names = [n.lower() for r in work.corpus.github for n in (r.full_name, *r.former_names)]
    assert len(names) == len(set(names))


def test_truth_is_consistent_with_the_corpus(work: GeneratedWorkload, index: _Index) -> None:
    for row, truth in zip(work.inputs, work.truth.rows, strict=True):
        if not truth.exists:
            assert (truth.arxiv_id, truth.s2_paper_id, truth.repo_full_name) == (None, None, None)
            assert row["arxiv_id"] is None
            continue
        assert truth.arxiv_id or truth.s2_paper_id
        if row["arxiv_id"]:
            parsed = parse_arxiv_id(row["arxiv_id"])
            assert parsed is not None
            assert parsed.id == truth.arxiv_id
        if truth.arxiv_id:
            assert truth.arxiv_id in index.arxiv
        if truth.s2_paper_id:
            record = index.s2[truth.s2_paper_id]
            assert record.external_ids.get("ArXiv") in (None, truth.arxiv_id)
        if truth.arxiv_id:  # the documented rule: the record linked to the arXiv id wins
            linked = index.linked.get(truth.arxiv_id, [])
            assert linked in ([], [truth.s2_paper_id])
        if truth.repo_full_name:
            repo = index.repos[truth.repo_full_name]
            assert not repo.deleted
        if row["code_url"]:
            linked_name = github_full_name(row["code_url"])
            assert linked_name is not None
            target = index.by_any_name.get(linked_name.lower())
            if target is None or target.deleted:
                assert truth.repo_full_name is None
            else:
                assert truth.repo_full_name == target.full_name
        doi = normalize_doi(row["doi"])
        if doi and not doi.startswith("10.48550/"):
            assert doi in index.dois, f"no S2 record carries the row's DOI {doi}"


def test_unknown_titles_exist_nowhere(work: GeneratedWorkload, index: _Index) -> None:
    unknown = [i for i, t in enumerate(work.truth.rows) if not t.exists]
    for i in unknown:
        assert normalize_title(work.inputs[i]["title"]) not in index.keys
    near = _rows_tagged(work, "near_miss")
    assert len(near) >= 20
    near_kinds = Counter(t for i in near for t in work.tags[i] if t.startswith("near_"))
    assert len(near_kinds) >= 4  # near_miss plus at least three shapes


def test_title_confusers_are_present(work: GeneratedWorkload, index: _Index) -> None:
    def other_keys(i: int) -> tuple[set[str], set[str]]:
        own = index.own_keys(work, i)
        return own, index.keys - own

    found: Counter[str] = Counter()
    for i in _rows_tagged(work, "confuser_prefix"):
        own, others = other_keys(i)
        if any(o.startswith(k + " ") or k.startswith(o + " ") for k in own for o in others):
            found["prefix"] += 1
    for i in _rows_tagged(work, "confuser_oneword"):
        own, others = other_keys(i)
        for key in own:
            words = key.split()
            masks = [" ".join([*words[:j], "*", *words[j + 1 :]]) for j in range(len(words))]
            if any(index.masked.get((len(words), m), set()) & others for m in masks):
                found["oneword"] += 1
                break
    for i in _rows_tagged(work, "confuser_subtitle"):
        own, others = other_keys(i)
        heads = [k for h, ks in index.heads.items() if ks & own for k in ks]
        if set(heads) & others:
            found["subtitle"] += 1
    assert min(found["prefix"], found["oneword"], found["subtitle"]) >= 10, found


def test_title_variants_normalise_to_the_service_title(
    work: GeneratedWorkload, index: _Index
) -> None:
    variants = [i for i in _rows_tagged(work, "title_variant") if work.truth.rows[i].exists]
    assert len(variants) >= 50
    for i in variants:
        title = work.inputs[i]["title"]
        assert title is not None
        assert normalize_title(title) in index.own_keys(work, i)
    shown = [work.inputs[i]["title"] or "" for i in variants]
    assert any("  " in t for t in shown)
    assert any("{" in t for t in shown)
    assert any("\u2013" in t or "--" in t for t in shown)
    assert any(t.islower() for t in shown)
    services = [t for e in work.corpus.arxiv for t in e.titles]
    assert any("{\\" in t for t in services + shown)  # LaTeX accents
    assert any("$\\" in t for t in services)  # LaTeX math


def test_service_coverage_cases(work: GeneratedWorkload, index: _Index) -> None:
    rows = list(zip(work.inputs, work.truth.rows, strict=True))
    arxiv_only = [t for _, t in rows if t.arxiv_id and not t.s2_paper_id]
    s2_only = [t for _, t in rows if t.exists and not t.arxiv_id]
    unlinked = [
        t for _, t in rows
        if t.arxiv_id and t.s2_paper_id and "ArXiv" not in index.s2[t.s2_paper_id].external_ids
    ]  # fmt: skip
    assert min(len(arxiv_only), len(s2_only), len(unlinked)) >= 20
    # preprint + published version: two records sharing a DOI, truth names the preprint
    pairs = 0
    for _, t in rows:
        if not t.s2_paper_id or not t.arxiv_id:
            continue
        doi = index.arxiv[t.arxiv_id].doi
        published = [
            p for p in work.corpus.s2
            if doi and normalize_doi(p.external_ids.get("DOI")) == normalize_doi(doi)
            and p.paper_id != t.s2_paper_id and "ArXiv" not in p.external_ids
        ]  # fmt: skip
        if published:
            assert index.s2[t.s2_paper_id].external_ids["ArXiv"] == t.arxiv_id
            assert published[0].venue not in ("", "arXiv.org")
            pairs += 1
    assert pairs >= 20


def test_titles_that_changed_between_versions(work: GeneratedWorkload, index: _Index) -> None:
    changed = 0
    for row, t in zip(work.inputs, work.truth.rows, strict=True):
        if not t.arxiv_id or not row["title"]:
            continue
        titles = index.arxiv[t.arxiv_id].titles
        first, last = normalize_title(titles[0]), normalize_title(titles[-1])
        if first != last and normalize_title(row["title"]) == first:
            changed += 1
    assert changed >= 10


def test_repository_cases(work: GeneratedWorkload, index: _Index) -> None:
    moved = archived = deleted = from_comment = decorated = 0
    for row, t in zip(work.inputs, work.truth.rows, strict=True):
        if row["code_url"]:
            linked = github_full_name(row["code_url"]) or ""
            if t.repo_full_name and linked.lower() != t.repo_full_name.lower():
                assert linked.lower() in (
                    n.lower() for n in index.repos[t.repo_full_name].former_names
                )
                moved += 1
            if t.repo_full_name and index.repos[t.repo_full_name].archived:
                archived += 1
            if t.repo_full_name is None:
                deleted += 1
            if row["code_url"] != f"https://github.com/{linked}":
                decorated += 1
        elif t.repo_full_name:
            comment = index.arxiv[t.arxiv_id or ""].comment or ""
            names = {
                n.lower() for n in (t.repo_full_name, *index.repos[t.repo_full_name].former_names)
            }
            linked_in_comment = {
                (github_full_name(u) or "").lower() for u in find_github_urls(comment)
            }
            assert linked_in_comment & names
            from_comment += 1
    assert moved >= 10
    assert archived >= 5
    assert deleted >= 5
    assert from_comment >= 10
    assert decorated >= 50
    urls = [r["code_url"] for r in work.inputs if r["code_url"]]
    assert any(u.endswith(".git") for u in urls)
    assert any("/tree/" in u for u in urls)
    assert any(u[-1] in ".,);" for u in urls)


def test_value_spreads_look_real(work: GeneratedWorkload) -> None:
    s2 = work.corpus.s2
    cites = sorted(p.citation_count for p in s2)
    assert cites[0] == 0
    assert cites[-1] > 50 * max(1, statistics.median(cites))
    stars = sorted(r.stars for r in work.corpus.github)
    assert stars[-1] > 50 * max(1, statistics.median(stars))
    years = {e.published.year for e in work.corpus.arxiv}
    assert set(range(2015, 2027)) <= years
    assert min(years) < 2007
    venues = {p.venue for p in s2}
    assert {"", "arXiv.org"} <= venues
    assert len(venues & {"NeurIPS", "Neural Information Processing Systems", "NIPS"}) >= 2
    assert any(p.publication_venue is None and p.venue for p in s2)
    journals = [p.journal for p in s2 if p.journal]
    assert any(set(j) == {"pages"} for j in journals)
    assert any(" " in str(j.get("volume", "")) for j in journals)
    dois = [p.external_ids["DOI"] for p in s2 if "DOI" in p.external_ids]
    assert any(d == d.upper() and d != d.lower() for d in dois)
    assert any(len(p.authors) == 34 for p in s2)
    assert any(not a.isascii() for e in work.corpus.arxiv for a in e.authors)
    assert any(e.doi for e in work.corpus.arxiv)
    assert any(e.journal_ref for e in work.corpus.arxiv)
    assert any(e.comment and "github.com" not in e.comment for e in work.corpus.arxiv)


def test_write_round_trips(tmp_path: Path) -> None:
    work = generate_corpus(200, seed=11)
    paths = work.write(tmp_path / "out")
    assert set(paths) == {"inputs", "corpus", "truth", "tags"}
    assert Corpus.load(paths["corpus"]).to_json() == work.corpus.to_json()
    assert Truth.from_json(json.loads(paths["truth"].read_text("utf-8"))) == work.truth
    with paths["inputs"].open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == INPUT_COLUMNS
        rows = [{k: v or None for k, v in row.items()} for row in reader]
    assert rows == work.inputs
    again = GeneratedWorkload.read(tmp_path / "out")
    assert again.inputs == work.inputs
    assert again.truth == work.truth
    assert again.tags == work.tags
    assert again.corpus.to_json() == work.corpus.to_json()


def test_ten_thousand_papers() -> None:
    work = generate_corpus(10_000, seed=3)
    assert len(work.inputs) == 10_000
    assert sum(not t.exists for t in work.truth.rows) == 1000
    ids = [e.arxiv_id for e in work.corpus.arxiv]
    assert len(ids) == len(set(ids)) > 9000
    keys = [normalize_title(p.title) for p in work.corpus.s2 if "ArXiv" in p.external_ids]
    assert len(keys) == len(set(keys))
