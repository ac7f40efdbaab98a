"""The S2 bulk title tier: sanitising, grouping, splitting, local verification."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from helpers import ScriptedSender, fake_client, fast_settings

from enrich._match import TitleQuery
from enrich.adapters._s2_bulk import bulk_phrase, plan_groups
from enrich.adapters.semantic_scholar import SemanticScholarAdapter
from enrich.testing import Corpus, FakeS2Paper

HOSTILE = [
    'He said "no" | (maybe) + -negative* ~2 back\\slash',
    "Pre-training -- the (un)reasonable effectiveness of *everything*",
    'Open "quote never closed and a pipe | here',
    "Minus-sign −1 and en–dash and em—dash in a title",
    "Tilde~3 and plus+plus+ and star* in one title",
]
_OPERATORS = set('"|+-()*~\\\u2013\u2014\u2212')


def adapter(sender: Any, **kw: Any) -> SemanticScholarAdapter:
    return SemanticScholarAdapter(sender, fast_settings().source("s2"), **kw)


def phrases_of(query: str) -> list[str]:
    parts = query.split(" | ")
    assert all(p.startswith('"') and p.endswith('"') for p in parts), query
    return [p[1:-1] for p in parts]


def test_hostile_titles_never_put_an_operator_in_the_query() -> None:
    request = adapter(None).build_bulk_request(HOSTILE)
    query = dict(request.params)["query"]
    inner = phrases_of(query)
    assert len(inner) == len(HOSTILE)  # plain ASCII: one phrase each
    for text in inner:
        assert not _OPERATORS & set(text), text
        assert text == " ".join(text.split())
    assert inner[0] == "He said no maybe negative 2 back"  # \\slash is a LaTeX command


def test_latex_becomes_unicode_and_accents_are_also_asked_folded() -> None:
    assert bulk_phrase(r"Open-Vocabulary Erd\H{o}s--R{\'e}nyi Graphs") == (
        '"Open Vocabulary Erdős Rényi Graphs" | "Open Vocabulary Erdos Renyi Graphs"'
    )
    assert bulk_phrase(r"Global Schr{\"o}dinger Bridges") == (
        '"Global Schrödinger Bridges" | "Global Schrodinger Bridges"'
    )
    # Left to S2's analyzer, which splits them as it split the indexed titles.
    assert bulk_phrase("Qwen2.5 Don't Need U.S. π") == '"Qwen2.5 Don\'t Need U.S. π"'


def test_short_titles_are_not_asked_in_bulk() -> None:
    assert bulk_phrase("BERT") is None
    assert bulk_phrase("Deep Learning") is None
    assert bulk_phrase("A B") is None
    assert bulk_phrase("Deep Residual Learning") == '"Deep Residual Learning"'


def test_groups_respect_size_and_length() -> None:
    phrases = ['"' + "w" * 40 + '"'] * 7
    groups = plan_groups(phrases, size=3, max_chars=100)
    assert groups == [[0, 1], [2, 3], [4, 5], [6]]  # two 42-char phrases + " | " fit in 100
    assert plan_groups(['"' + "x" * 500 + '"'], size=20, max_chars=100) == [[0]]


def paper(n: int, title: str, abstract: str | None = None, **kw: Any) -> FakeS2Paper:
    return FakeS2Paper(
        f"{n:040x}", n, title, kw.pop("year", 2021), kw.pop("authors", ["Ada Lovelace"]),
        kw.pop("external_ids", {}), abstract=abstract, **kw,
    )  # fmt: skip


TITLES = [f"Scaling Sparse Experts for Task {name}" for name in ("Alpha", "Beta", "Gamma")]


def corpus() -> Corpus:
    return Corpus(
        s2=[
            paper(1, TITLES[0], "We scale experts.", external_ids={"ArXiv": "2101.00001"}),
            # only quotes title 1 in its abstract: a bulk hit, never a match
            paper(2, "A Survey of Mixtures", f"We review {TITLES[0]} and {TITLES[2]}."),
            # title 2 has two records that both pass: ambiguous
            paper(3, TITLES[1]),
            paper(4, TITLES[1] + "."),
            # title 3 is only ever quoted
        ]
    )


def test_verification_accepts_one_rejects_abstract_hits_and_ambiguity() -> None:
    with fake_client(corpus()) as (client, fake):
        verdicts = adapter(client).search_titles_bulk(
            [TitleQuery(t, 2021, ("Ada Lovelace",)) for t in TITLES]
        )
    assert len(fake.log_for("s2")) == 1
    first, second, third = verdicts
    assert first.record is not None
    assert first.record.paper_id == f"{1:040x}"
    assert first.decision.accepted
    assert first.settled
    assert (second.record, second.reason) == (None, "ambiguous")
    assert "2 Semantic Scholar records" in (second.decision.reason or "")
    assert (third.record, third.reason) == (None, "missed")  # paper 2 quotes it only


PAIR_TITLE = "Global Pólya Urns for Face Recognition"
PREPRINT = {"external_ids": {"ArXiv": "2305.10824"}, "year": 2023}
PUBLISHED = {"external_ids": {"DOI": "10.1109/iccv.2024.1"}, "year": 2024, "venue": "ICCV"}


@pytest.mark.parametrize(
    ("published", "taken"),
    [
        pytest.param({}, True, id="one work: the arXiv-linked record"),
        pytest.param({"authors": ["Grace Hopper"]}, False, id="other authors"),
        pytest.param({"authors": []}, False, id="no authors to compare"),
        pytest.param({"year": 2029}, False, id="years too far apart"),
        pytest.param({"external_ids": {"ArXiv": "2401.00002"}}, False, id="two arXiv ids"),
    ],
)
def test_a_preprint_and_its_published_record_are_one_work(
    published: dict[str, Any], taken: bool
) -> None:
    # S2 keeps some preprints and their published versions apart (s2-folks #193);
    # a title-only row must then get the record an arXiv id lookup would give.
    records = [paper(7, PAIR_TITLE, **PUBLISHED | published), paper(8, PAIR_TITLE, **PREPRINT)]
    with fake_client(Corpus(s2=records)) as (client, _):
        (verdict,) = adapter(client).search_titles_bulk(
            [TitleQuery(PAIR_TITLE.replace("ó", "o"), None, ())]
        )
    if taken:
        assert verdict.record is not None
        assert (verdict.record.paper_id, verdict.record.arxiv_id) == (f"{8:040x}", "2305.10824")
        assert verdict.decision.accepted
    else:
        assert (verdict.record, verdict.reason) == (None, "ambiguous")


def test_a_refused_or_too_long_group_is_split_in_halves() -> None:
    with fake_client(corpus()) as (client, fake):
        fake.services["s2"].bulk.max_query_chars = 90  # type: ignore[attr-defined]
        verdicts = adapter(client, bulk_max_chars=1000).search_titles_bulk(
            [TitleQuery(t, 2021) for t in TITLES]
        )
    statuses = [e.status for e in fake.log_for("s2")]
    assert statuses == [414, 200, 200]  # 3 titles (120 chars) -> 1 + 2 (81 chars)
    assert verdicts[0].settled
    assert verdicts[1].reason == "ambiguous"


def test_a_single_refused_title_turns_the_tier_off_for_the_run() -> None:
    error = json.dumps({"error": "Unacceptable query"}).encode()
    sender = ScriptedSender((400, error), (400, error), (400, error))
    s2 = adapter(sender)
    verdicts = s2.search_titles_bulk([TitleQuery(TITLES[0]), TitleQuery(TITLES[1])])
    assert [v.reason for v in verdicts] == ["refused", "refused"]
    assert len(sender.requests) == 2  # the pair, then the first alone; the second never
    assert not s2.bulk_enabled
    assert s2.search_titles_bulk([TitleQuery(TITLES[2])])[0].reason == "unsearchable"
    assert len(sender.requests) == 2


def test_overflowing_pages_split_then_leave_a_lone_title_truncated() -> None:
    quoted = [paper(100 + n, f"Unrelated work {n}", f"Like {TITLES[0]}.") for n in range(1200)]
    with fake_client(Corpus(s2=[*corpus().s2, *quoted])) as (client, fake):
        verdicts = adapter(client, bulk_max_pages=1).search_titles_bulk(
            [TitleQuery(TITLES[0]), TitleQuery(TITLES[1])]
        )
    log = fake.log_for("s2")
    assert [len(phrases_of(e.ids[0])) for e in log] == [2, 1, 1]
    assert (verdicts[0].record, verdicts[0].reason) == (None, "truncated")
    assert verdicts[1].reason == "ambiguous"


def test_pages_are_followed_by_token_up_to_the_setting() -> None:
    quoted = [paper(100 + n, f"Unrelated work {n}", f"Like {TITLES[0]}.") for n in range(1200)]
    with fake_client(Corpus(s2=[*corpus().s2, *quoted])) as (client, fake):
        [verdict] = adapter(client, bulk_max_pages=2).search_titles_bulk([TitleQuery(TITLES[0])])
    log = fake.log_for("s2")
    assert len(log) == 2
    assert verdict.settled


def test_zero_turns_the_tier_off() -> None:
    sender = ScriptedSender()
    verdicts = adapter(sender, title_batch=0).search_titles_bulk([TitleQuery(TITLES[0])])
    assert verdicts[0].reason == "unsearchable"
    assert sender.requests == []


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_are_found_through_the_fake(title: str) -> None:
    with fake_client(Corpus(s2=[paper(9, title)])) as (client, _):
        [verdict] = adapter(client).search_titles_bulk([TitleQuery(title)])
    assert verdict.settled, verdict


def test_bulk_fields_are_the_adapter_fields_and_no_nested_data() -> None:
    params = dict(adapter(None).build_bulk_request(TITLES).params)
    assert params["fields"].split(",") == list(SemanticScholarAdapter.FIELDS)
    assert not re.search(r"citations|references|embedding", params["fields"])
