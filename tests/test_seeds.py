"""The five real Daily Papers pages in ../shared/seeds, checked against hand-read cards.

Every expectation below was read off the saved pages themselves (page number =
the file's three-digit prefix, line = the title's line in that file).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from enrich._inputs import ReadReport, read_inputs
from enrich._match import normalize_title

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout"),
]

CARDS = 295
DISTINCT = 231


@pytest.fixture(scope="module")
def report() -> ReadReport:
    return read_inputs(sorted(SEEDS.glob("*.txt")))


@pytest.fixture(scope="module")
def by_title(report: ReadReport) -> dict[str | None, Any]:
    return {paper.title: paper for paper in report.papers}


def _short(origin: str) -> str:
    path, line = origin.rsplit(":", 1)
    return f"{Path(path).name[:3]}:{line}"


def test_one_row_per_distinct_paper(report: ReadReport) -> None:
    assert report.read == CARDS
    assert len(report.papers) == DISTINCT
    assert report.duplicates_merged == CARDS - DISTINCT
    assert report.files == 5
    assert report.skipped == []
    keys = [normalize_title(p.title) for p in report.papers]
    assert len(set(keys)) == len(keys)
    assert sum(len(p.origins) for p in report.papers) == CARDS


def test_no_page_chrome_leaks_into_papers(report: ReadReport) -> None:
    chrome = re.compile(
        r"^(new|Subscribe.*|Daily Papers|byAK and the research community|Get trending papers.*"
        r"|·|\d+ authors|[A-Z][a-z]{2} \d{1,2}(, \d{4})?( \d+)?)$"
    )
    for paper in report.papers:
        assert paper.title is not None
        assert not chrome.match(paper.title), paper.title
        assert paper.abstract is not None
        assert len(paper.abstract) > 500, paper.title


def test_every_card_page_date_has_text_and_inferred_years_are_flagged(report: ReadReport) -> None:
    for paper in report.papers:
        if paper.listed_year_inferred:
            assert paper.listed_date_text is not None
            assert not re.search(r", \d{4}$", paper.listed_date_text)
        if paper.listed_date_text and re.search(r", \d{4}$", paper.listed_date_text):
            assert paper.listed_date is not None
            assert paper.listed_date.year == int(paper.listed_date_text[-4:])


# title -> expected fields; "origins" are "page:line"; absent keys are not checked.
EXPECTED: dict[str, dict[str, Any]] = {
    # Card layout, author-count footers, yearless dates on a page whose latest year is 2025.
    "ParkGaussian: Surround-view 3D Gaussian Splatting for Autonomous Parking": {
        "authors_count": 13, "listed_date_text": "Jan 4", "listed_date": dt.date(2026, 1, 4),
        "listed_year_inferred": True, "upvotes": None,
        "code_urls": ("https://github.com/wm-research/ParkGaussian",), "origins": ("000:21",),
    },
    "LLM-ForcedAligner: A Non-Autoregressive and Accurate LLM-Based Forced Aligner for "
    "Multilingual and Long-Form Speech": {
        "authors_count": 6, "listed_date_text": "Jan 26", "listed_date": dt.date(2026, 1, 26),
        "code_urls": (), "origins": ("000:13",),
    },
    "Transforming and Combining Rewards for Aligning Large Language Models": {
        "authors_count": 7, "listed_date_text": "Feb 1, 2024", "listed_date": dt.date(2024, 2, 1),
        "listed_year_inferred": False, "upvotes": 1, "origins": ("000:45", "003:113"),
    },
    "Reward-free Alignment for Conflicting Objectives": {
        "authors_count": 4, "listed_date_text": "Feb 2", "listed_date": dt.date(2026, 2, 2),
        "upvotes": 3, "origins": ("000:301",),
    },
    "Alignment and Safety in Large Language Models: Safety Mechanisms, Training Paradigms, "
    "and Emerging Challenges": {
        "authors_count": 50, "listed_date_text": "Jul 25, 2025",
        "listed_date": dt.date(2025, 7, 25), "listed_year_inferred": False,
        "origins": ("000:69", "001:181", "002:91", "004:185"),
    },
    "The Unlocking Spell on Base LLMs: Rethinking Alignment via In-Context Learning": {
        "authors_count": 8, "listed_date": dt.date(2023, 12, 3), "upvotes": 4,
        "origins": ("000:109", "001:165", "002:211"),
    },
    "Transfer Q Star: Principled Decoding for LLM Alignment": {
        "authors_count": 7, "listed_date": dt.date(2024, 5, 30), "upvotes": None,
        "origins": ("000:189", "001:173", "002:137", "003:77", "004:77"),
    },
    # Organisation footers: avatar alt text, then the display name.
    "Taming Preference Mode Collapse via Directional Decoupling Alignment in Diffusion "
    "Reinforcement Learning": {
        "organization": "AMAP-ML", "authors_count": None, "listed_date": dt.date(2025, 12, 30),
        "upvotes": 2, "origins": ("000:61", "003:37"),
    },
    "Multiplayer Nash Preference Optimization": {
        "organization": "Stanford NLP", "listed_date_text": "Sep 27, 2025", "upvotes": 2,
        "code_urls": ("https://github.com/smiles724/MNPO",), "origins": ("000:265", "003:53"),
    },
    "DenseGRPO: From Sparse to Dense Reward for Flow Matching Model Alignment": {
        "organization": "TongyiLab", "listed_date_text": "Jan 27",
        "listed_date": dt.date(2026, 1, 27), "listed_year_inferred": True, "upvotes": 2,
        "origins": ("003:137",),
    },
    "Extracting alignment data in open models": {
        "organization": "Google", "listed_date": dt.date(2025, 10, 21), "upvotes": 5,
        "origins": ("002:227", "004:369"),
    },
    # Cards without any footer.
    "GTAlign: Game-Theoretic Alignment of LLM Assistants for Mutual Welfare": {
        "authors_count": None, "organization": None, "listed_date_text": None,
        "listed_date": None, "upvotes": None,
        "code_urls": ("https://github.com/ulab-uiuc/GTAlign",), "origins": ("000:221", "003:85"),
    },
    "Free Lunch Alignment of Text-to-Image Diffusion Models without Preference Image Pairs": {
        "authors_count": None, "listed_date_text": None,
        "code_urls": ("https://github.com/DSL-Lab/T2I-Free-Lunch-Alignment",),
        "origins": ("000:289",),
    },
    "PETS: A Principled Framework Towards Optimal Trajectory Allocation for Efficient "
    "Test-Time Self-Consistency": {
        "authors_count": None, "listed_date_text": None,
        "code_urls": ("https://github.com/ZDCSlab/PETS",), "origins": ("003:233",),
    },
    "Large Language Models Generate Harmful Content Using a Distinct, Unified Mechanism": {
        "authors_count": None, "listed_date_text": None, "code_urls": (), "origins": ("004:165",),
    },
    # Page 001 prints 2024 at most, so its yearless dates are 2025 (page 000 confirms some).
    "Modality Alignment with Multi-scale Bilateral Attention for Multimodal Recommendation": {
        "authors_count": 3, "listed_date_text": "Sep 10", "listed_date": dt.date(2025, 9, 10),
        "listed_year_inferred": True, "upvotes": 2,
        "code_urls": ("https://github.com/rkl71/MambaRec",), "origins": ("001:21",),
    },
    "MM-RLHF: The Next Step Forward in Multimodal LLM Alignment": {
        "authors_count": 20, "listed_date": dt.date(2025, 2, 14), "upvotes": 5,
        "code_urls": (), "origins": ("001:301",),
    },
    "CM^3: Calibrating Multimodal Recommendation": {
        "authors_count": 3, "listed_date_text": "Aug 2", "listed_date": dt.date(2025, 8, 2),
        "upvotes": 2, "code_urls": ("https://github.com/enoche/CM3",), "origins": ("001:285",),
    },
    # Listed "Jun 4" (inferred) on page 001 and "Jun 4, 2025" on page 004: the shown year wins.
    "Watermarking Degrades Alignment in Language Models: Analysis and Mitigation": {
        "authors_count": 3, "listed_date_text": "Jun 4, 2025", "listed_date": dt.date(2025, 6, 4),
        "listed_year_inferred": False, "upvotes": 1, "origins": ("001:261", "004:13"),
    },
    "Magpie: Alignment Data Synthesis from Scratch by Prompting Aligned LLMs with Nothing": {
        "authors_count": 7, "listed_date": dt.date(2024, 6, 12), "upvotes": 5,
        "origins": ("001:317", "002:199"),
    },
    # Upvotes differ between pages (2, 1, 2): the maximum is kept.
    "Margin-aware Preference Optimization for Aligning Diffusion Models without Reference": {
        "authors_count": 6, "upvotes": 2, "code_urls": (),
        "origins": ("000:173", "001:221", "003:269"),
    },
    # Flat layout (page 002): title and abstract only; chrome glued to the first title.
    "Explaining How Transformers Use Context to Build Predictions": {
        "authors_count": None, "listed_date_text": None, "upvotes": None, "code_urls": (),
        "origins": ("002:3",),
    },
    "FastSpeech: Fast, Robust and Controllable Text to Speech": {
        "authors_count": None, "code_urls": (), "origins": ("002:11",),
    },
    "Rejuvenating Low-Frequency Words: Making the Most of Parallel Data in Non-Autoregressive "
    "Translation": {"code_urls": ("https://github.com/alphadl/RLFW-NAT",), "origins": ("002:9",)},
    "Linear Alignment: A Closed-form Solution for Aligning Human Preferences without Tuning and "
    "Feedback": {
        "code_urls": ("https://github.com/Wizardcoast/Linear_Alignment",), "origins": ("002:239",),
    },
    # Flat page first, card page later: the card fills what the flat layout lacks.
    "Understanding Hessian Alignment for Domain Generalization": {
        "authors_count": 4, "listed_date": dt.date(2023, 8, 22),
        "code_urls": ("https://github.com/huawei-noah/Federated-Learning",),
        "origins": ("002:45", "004:69"),
    },
    # Page 003's own date is May 7; Apr 15 is before it.
    "StoSignSGD: Unbiased Structural Stochasticity Fixes SignSGD for Training Large Language "
    "Models": {
        "authors_count": 4, "listed_date_text": "Apr 15", "listed_date": dt.date(2026, 4, 15),
        "listed_year_inferred": True, "origins": ("003:69",),
    },
    "Online Matching with Stochastic Rewards: Advanced Analyses Using Configuration Linear "
    "Programs": {
        "authors_count": 6, "listed_date": dt.date(2023, 9, 18), "origins": ("003:21",),
    },
    "The Devil in the Details: Emergent Misalignment, Format and Coherence in Open-Weights LLMs": {
        "authors_count": 1, "listed_date": dt.date(2025, 11, 25), "origins": ("004:249",),
    },
    # The repository link is glued to the previous word: "...GitHub.https://github.com/...".
    "Assessing Domain-Level Susceptibility to Emergent Misalignment from Narrow Finetuning": {
        "authors_count": 6, "listed_date_text": "Jan 30", "listed_date": dt.date(2026, 1, 30),
        "upvotes": 4,
        "code_urls": ("https://github.com/abhishek9909/assessing-domain-emergent-misalignment",),
        "origins": ("004:345",),
    },
    "VA-$π$: Variational Policy Alignment for Pixel-Aware Autoregressive Generation": {
        "authors_count": 7, "listed_date": dt.date(2025, 12, 22), "upvotes": 3,
        "code_urls": ("https://github.com/Lil-Shake/VA-Pi",), "origins": ("004:61",),
    },
    "The Art of (Mis)alignment: How Fine-Tuning Methods Effectively Misalign and Realign LLMs in "
    "Post-Training": {
        "authors_count": 9, "listed_date_text": "Apr 8", "listed_date": dt.date(2026, 4, 8),
        "code_urls": ("https://github.com/zhangrui4041/The-Art-of-Mis-alignment",),
        "origins": ("004:201",),
    },
}  # fmt: skip


def test_enough_hand_checked_papers() -> None:
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("title", list(EXPECTED))
def test_hand_checked_paper(by_title: dict[str | None, Any], title: str) -> None:
    assert title in by_title, "title not read exactly"
    paper = by_title[title]
    expected = dict(EXPECTED[title])
    origins = expected.pop("origins")
    assert tuple(_short(o) for o in paper.origins) == origins
    assert {name: getattr(paper, name) for name in expected} == expected
    assert (paper.arxiv_id, paper.doi) == (None, None)
