"""Old-style arXiv ids written with a subject class (issue #15, item 9).

``math.GT/0309136`` is how many bibliographies cite Perelman's paper; arXiv and
Semantic Scholar file it as ``math/0309136``.  It must be asked in that
canonical form in both services' requests, and found.
"""

from __future__ import annotations

import datetime as dt
import json

from helpers import fast_settings

import enrich
from enrich._ids import ArxivId, parse_arxiv_id
from enrich.testing import Corpus, FakeArxivEntry, FakeS2Paper, FakeServices

UTC = dt.UTC
TITLE = "Finite extinction time for the solutions to the Ricci flow on certain three-manifolds"


def _corpus() -> Corpus:
    return Corpus(
        arxiv=[
            FakeArxivEntry(
                arxiv_id="math/0307245",
                titles=[TITLE],
                abstract="We prove that the solution to the Ricci flow becomes extinct.",
                authors=["Grisha Perelman"],
                published=dt.datetime(2003, 7, 17, tzinfo=UTC),
                updated=dt.datetime(2003, 7, 17, tzinfo=UTC),
                categories=["math.DG", "math.GT"],
            )
        ],
        s2=[
            FakeS2Paper(
                paper_id="d" * 40,
                corpus_id=16581189,
                title=TITLE,
                year=2003,
                authors=["Grisha Perelman"],
                external_ids={"ArXiv": "math/0307245"},
                venue="arXiv.org",
                citation_count=500,
                influential_citation_count=40,
                reference_count=5,
            )
        ],
    )


def test_subject_class_is_a_hint_not_part_of_the_id() -> None:
    assert parse_arxiv_id("arXiv:math.GT/0307245v1") == ArxivId("math/0307245", 1, "math.GT")


def test_old_style_id_with_subject_class_is_asked_canonically_and_found() -> None:
    fake = FakeServices(_corpus(), enforce_rate_limits=False)
    df = enrich.enrich(
        ["math.GT/0307245"],
        transport=fake.transport(),
        settings=fast_settings(),
        sources=("arxiv", "s2"),
    )
    row = df.row(0, named=True)
    assert row["arxiv_id"] == "math/0307245"
    assert row["resolved_title"] == TITLE
    assert row["s2_paper_id"] == "d" * 40
    assert row["arxiv_categories"] == ["math.DG", "math.GT"]
    arxiv_asked = [i for e in fake.log_for("arxiv") for i in e.ids]
    s2_asked = [i for e in fake.log_for("s2") for i in e.ids]
    assert arxiv_asked == ["math/0307245"]
    assert s2_asked == ["ARXIV:math/0307245"]
    assert "math.GT" not in json.dumps([arxiv_asked, s2_asked])


def test_adapters_send_the_canonical_form_whatever_they_are_given() -> None:
    from enrich.adapters.arxiv import ArxivAdapter
    from enrich.adapters.semantic_scholar import SemanticScholarAdapter

    settings = fast_settings()
    s2 = SemanticScholarAdapter(None, settings.source("s2"))  # type: ignore[arg-type]
    request = s2.build_batch_request(["ARXIV:math.GT/0307245v1", "DOI:10.1/x"])
    assert request.body == {"ids": ["ARXIV:math/0307245v1", "DOI:10.1/x"]}
    fake = FakeServices(_corpus(), enforce_rate_limits=False)
    from enrich._client import Client

    with Client(settings, transport=fake.transport()) as client:
        records = ArxivAdapter(client, settings.source("arxiv")).fetch_id_chunk(["math.GT/0307245"])
    assert list(records) == ["math/0307245"]
    assert [i for e in fake.log_for("arxiv") for i in e.ids] == ["math/0307245"]
