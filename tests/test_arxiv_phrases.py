"""arXiv title phrases as arXiv's index tokenises titles (issue #11, item 3).

arXiv analyses titles with Elasticsearch's standard tokenizer and a lowercase
filter, without folding (arXiv/arxiv-search, mappings/DocumentMapping.json).
A phrase built from the comparison key ("qwen2 5", "dont") misses; the fake
tokenises as arXiv does, so each case is also searched end to end.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import fake_client, fast_settings

from enrich._match import TitleQuery
from enrich.adapters.arxiv import ArxivAdapter
from enrich.testing import Corpus, FakeArxivEntry
from enrich.testing._query import tokens

T0 = dt.datetime(2024, 9, 1, tzinfo=dt.UTC)

CASES = [
    # (title as listed, title as arXiv stores it, the clause sent)
    ("Qwen2.5 Technical Report", "Qwen2.5 Technical Report", 'ti:"qwen2.5 technical report"'),
    (
        "Gemini 1.5: Unlocking Multimodal Understanding",
        "Gemini 1.5: Unlocking multimodal understanding",
        'ti:"gemini 1.5 unlocking multimodal understanding"',
    ),
    (
        "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits",
        "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits",
        'ti:"the era of 1 bit llms all large language models are in 1.58 bits"',
    ),
    (
        "Don't Stop Pretraining: Adapt Language Models to Domains",
        "Don't Stop Pretraining: Adapt Language Models to Domains",
        'ti:"don\'t stop pretraining adapt language models to domains"',
    ),
    (
        "Gödel Machines for Self-Improving Agents",
        'G{\\"o}del Machines for Self-Improving Agents',
        'ti:"machines for self improving agents"',
    ),
    (
        "Physics Models for Self-Driving Gödel Agents in Sparse Settings",
        "Physics Models for Self-Driving Gödel Agents in Sparse Settings",
        '(ti:"physics models for self driving" AND ti:"agents in sparse settings")',
    ),
    (
        "Retrieval & Reasoning over Tables",
        "Retrieval \\& Reasoning over Tables",
        'ti:"retrieval reasoning over tables"',
    ),
    (
        "Forecasting U.S. Elections with Language Models",
        "Forecasting U.S. Elections with Language Models",
        'ti:"forecasting u.s elections with language models"',
    ),
    (
        "π-Net: Polynomial Networks",
        "$\\pi$-Net: Polynomial Networks",
        'ti:"pi net polynomial networks"',
    ),
]


@pytest.mark.parametrize(("listed", "stored", "clause"), CASES)
def test_the_phrase_is_what_the_index_holds(listed: str, stored: str, clause: str) -> None:
    adapter = ArxivAdapter(None, fast_settings().source("arxiv"))  # type: ignore[arg-type]
    request = adapter.build_title_request([listed])
    assert dict(request.params)["search_query"] == clause
    # Every phrase word is a token of the title as stored (the fake's tokenizer).
    stored_tokens = set(tokens(stored))
    for word in clause.replace("(", " ").replace(")", " ").split():
        word = word.removeprefix('ti:"').strip('"')
        if word not in {"AND", ""}:
            assert word in stored_tokens, word


@pytest.mark.parametrize(("listed", "stored", "clause"), CASES)
def test_one_phrase_search_finds_the_paper(listed: str, stored: str, clause: str) -> None:
    entry = FakeArxivEntry(
        arxiv_id="2409.00001", titles=[stored], abstract="An abstract.", authors=["Ada Lovelace"],
        published=T0, updated=T0, categories=["cs.CL"],
    )  # fmt: skip
    with fake_client(Corpus(arxiv=[entry])) as (client, fake):
        adapter = ArxivAdapter(client, fast_settings().source("arxiv"))
        [result] = adapter.search_titles([TitleQuery(listed, 2024)])
    assert result.record is not None
    assert result.record.arxiv_id == "2409.00001"
    assert len(fake.log_for("arxiv")) == 1  # the phrase search, no looser second one


def test_the_fake_tokenises_as_the_standard_tokenizer() -> None:
    assert tokens("Qwen2.5-VL: Don't & U.S. $\\pi$ G{\\\"o}del Gödel O_O") == [
        "qwen2.5", "vl", "don't", "u.s", "pi", "g", "o", "del", "gödel", "o_o",
    ]  # fmt: skip
