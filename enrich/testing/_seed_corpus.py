"""A corpus built around the saved Hugging Face Daily Papers pages in ``shared/seeds``.

The pages give real titles, abstracts, author counts, listing dates and GitHub
links, but no identifiers.  :func:`build_seed_corpus` turns them into a workload
for the fake services: most papers exist on arXiv and in Semantic Scholar, some
on arXiv only, a few nowhere; every GitHub link on the pages exists as a
repository (a few renamed or archived).  Input rows are what a user copying the
pages would have: the title and the first code link as written.

Everything but the titles, abstracts, author counts, dates and links is synthetic;
see :data:`SYNTHETIC_NOTE`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

from enrich._ids import find_github_urls, github_full_name
from enrich._match import normalize_title
from enrich.testing import _records as rec
from enrich.testing._corpus import Corpus, Truth, TruthRow
from enrich.testing._generator import INPUT_COLUMNS, GeneratedWorkload, _Builder
from enrich.testing._hub import HubCandidate, add_hub_pages

__all__ = [
    "REAL_ARXIV_IDS",
    "SYNTHETIC_NOTE",
    "SeedCard",
    "build_seed_corpus",
    "default_seed_dir",
    "extract_cards",
    "read_seed_cards",
]

SYNTHETIC_NOTE = (
    "Seed corpus: titles, abstracts, author counts, listing dates and GitHub links come "
    "from the saved Daily Papers pages. Everything else is synthetic: author names, "
    "Semantic Scholar paperIds and corpusIds, DOIs, venues, citation and star counts, "
    "repository metadata, and every arXiv id except those in REAL_ARXIV_IDS. Synthetic "
    "arXiv ids use numbers 90000-99999 (9000-9999 before 2015), above any month's real "
    "submission count so far, so they cannot name a real paper."
)

#: arXiv ids of seed papers, established from public listings and citations that
#: name them (the only real identifiers in the seed corpus).
REAL_ARXIV_IDS: dict[str, str] = {
    "FastSpeech: Fast, Robust and Controllable Text to Speech": "1905.09263",
    "Large Language Model Alignment: A Survey": "2309.15025",
    "RAFT: Reward rAnked FineTuning for Generative Foundation Model Alignment": "2304.06767",
    "Sparse Attention with Linear Units": "2104.07012",
    "Baichuan Alignment Technical Report": "2410.14940",
    "The Unlocking Spell on Base LLMs: Rethinking Alignment via In-Context Learning": "2312.01552",
    "Mask-Align: Self-Supervised Neural Word Alignment": "2012.07162",
    "Binary Classifier Optimization for Large Language Model Alignment": "2404.04656",
    "Explaining How Transformers Use Context to Build Predictions": "2305.12535",
    "Transforming and Combining Rewards for Aligning Large Language Models": "2402.00742",
    "Linear Alignment: A Closed-form Solution for Aligning Human Preferences without Tuning "
    "and Feedback": "2401.11458",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A footer date, optionally followed by the upvote count ("Feb 1, 2024 1").
_DATE_RE = re.compile(
    rf"^(?P<month>{'|'.join(_MONTHS)}) (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?"
)
_CHROME = frozenset(
    {
        "new", "subscribe", "daily papers", "byak and the research community",
        "get trending papers in your email inbox!", "get trending papers in your email inbox once a day!",
    }
)  # fmt: skip
_LINK_RE = re.compile(r"(?:https?://)?(?:www\.)?github\.com/\S+", re.IGNORECASE)
_FATES_LINKED = (("both", 0.8), ("pair", 0.08), ("arxiv_only", 0.12))
_FATES_UNLINKED = (("both", 0.74), ("pair", 0.08), ("arxiv_only", 0.11), ("unknown", 0.07))
_LINK_STATUSES = (("ok", 0.84), ("renamed", 0.08), ("archived", 0.08))


@dataclass(frozen=True)
class SeedCard:
    """One paper card from a Daily Papers page."""

    title: str
    abstract: str
    links: tuple[str, ...]  # GitHub links exactly as written in the abstract
    authors_count: int | None = None
    listed: dt.date | None = None


def default_seed_dir() -> Path:
    """``shared/seeds`` beside the repository (``<repo>/../shared/seeds``)."""
    return Path(__file__).resolve().parents[3] / "shared" / "seeds"


def _links(abstract: str) -> tuple[str, ...]:
    return tuple(m for m in _LINK_RE.findall(abstract) if github_full_name(m) is not None)


def _is_meta(line: str, following: str) -> bool:
    return (
        line.lower() in _CHROME
        or line in {"·", "•"}
        or line.startswith("•")
        or _DATE_RE.match(line) is not None
        or following == "·"  # an organisation line sits just above the dot
    )


def extract_cards(text: str) -> list[SeedCard]:
    """Cards from one saved page (a minimal reader; ``enrich._inputs`` is preferred).

    Handles both layouts (cards with footers, and flat title/abstract lines) and
    "Subscribe" glued to the first title.  A yearless date takes the latest year
    printed on the page plus one.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines:
        lines = [re.sub(r"^Subscribe(?=[A-Z0-9])", "", line) for line in lines]
    years = [int(m.group("year")) for m in map(_DATE_RE.match, lines) if m and m.group("year")]
    current_year = max(years) + 1 if years else None
    cards: list[SeedCard] = []
    i = 0
    pending: dict[str, object] | None = None
    while i < len(lines):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _is_meta(line, following):
            if pending is not None:
                _footer(line, pending, current_year)
            i += 1
            continue
        if pending is not None:
            cards.append(_card(pending))
        pending = {"title": line, "abstract": following}
        i += 2
    if pending is not None:
        cards.append(_card(pending))
    return cards


def _footer(line: str, card: dict[str, object], current_year: int | None) -> None:
    authors = re.match(r"^•\s*(\d+) authors?$", line)
    if authors:
        card["authors_count"] = int(authors.group(1))
        return
    date = _DATE_RE.match(line)
    if date is None or "listed" in card:
        return
    year = int(date.group("year")) if date.group("year") else current_year
    if year is None:
        return
    try:
        card["listed"] = dt.date(
            year, _MONTHS.index(date.group("month")) + 1, int(date.group("day"))
        )
    except ValueError:
        return


def _card(raw: dict[str, object]) -> SeedCard:
    abstract = str(raw["abstract"])
    count = raw.get("authors_count")
    listed = raw.get("listed")
    return SeedCard(
        title=str(raw["title"]),
        abstract=abstract,
        links=_links(abstract),
        authors_count=count if isinstance(count, int) else None,
        listed=listed if isinstance(listed, dt.date) else None,
    )


def read_seed_cards(path: Path) -> list[SeedCard]:
    """Cards from one page, read with ``enrich._inputs.read_inputs`` when it is available."""
    try:
        inputs = importlib.import_module("enrich._inputs")
    except ModuleNotFoundError as exc:
        if exc.name != "enrich._inputs":
            raise
        return extract_cards(path.read_text(encoding="utf-8"))
    report = inputs.read_inputs(path)
    return [
        SeedCard(
            title=paper.title,
            abstract=paper.abstract or "",
            links=_links(paper.abstract or ""),
            authors_count=paper.authors_count,
            listed=paper.listed_date,
        )
        for paper in report.papers
        if paper.title
    ]


def build_seed_corpus(seed_dir: Path | None = None, *, seed: int = 0) -> GeneratedWorkload:
    """A workload over the real titles of the saved Daily Papers pages.

    Args:
        seed_dir: folder of saved pages (``*.txt``); default :func:`default_seed_dir`.
        seed: the synthetic values are a function of the pages and ``seed``.

    Raises:
        FileNotFoundError: the folder is missing or holds no ``*.txt`` page.

    >>> work = build_seed_corpus()  # doctest: +SKIP
    >>> sum(row.exists for row in work.truth.rows) > 0.9 * len(work.inputs)  # doctest: +SKIP
    True
    """
    directory = Path(seed_dir) if seed_dir is not None else default_seed_dir()
    if not directory.is_dir():
        raise FileNotFoundError(
            f"seed pages not found: {directory} is not a directory "
            "(pass seed_dir= the folder holding the saved Daily Papers .txt pages)"
        )
    pages = sorted(directory.glob("*.txt"))
    if not pages:
        raise FileNotFoundError(f"seed pages not found: no *.txt file in {directory}")
    cards: list[SeedCard] = []
    seen: set[str] = set()
    for page in pages:
        for card in read_seed_cards(page):
            key = normalize_title(card.title)
            if key and key not in seen:
                seen.add(key)
                cards.append(card)

    rng = random.Random(seed)
    builder = _Builder(rng, high_arxiv_numbers=True)
    real = {normalize_title(title): arxiv_id for title, arxiv_id in REAL_ARXIV_IDS.items()}
    for arxiv_id in real.values():
        builder.ids.reserve_arxiv(arxiv_id)
    for card in cards:
        builder.titles.register(card.title)
    inputs: list[dict[str, str | None]] = []
    truth: list[TruthRow] = []
    tags: list[list[str]] = []
    hub: list[HubCandidate] = []
    for card in cards:
        row: dict[str, str | None] = dict.fromkeys(INPUT_COLUMNS)
        row["title"] = card.title
        real_id = real.get(normalize_title(card.title))
        fates = _FATES_LINKED if card.links or real_id else _FATES_UNLINKED
        kind = rec.weighted(rng, fates)
        if kind == "unknown":
            inputs.append(row)
            truth.append(TruthRow(None, None, None, exists=False))
            tags.append(["seed", "unknown"])
            continue
        listed = card.listed or dt.date(
            rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
        )
        if real_id is not None:  # the id fixes the submission month
            month = (2000 + int(real_id[:2]), int(real_id[2:4]))
            if (listed.year, listed.month) != month:
                listed = dt.date(*month, rng.randint(1, 28))
        work = builder.add_paper(
            card.title,
            kind,
            listed=listed,
            arxiv_id=real_id,
            authors_count=card.authors_count,
            abstract=card.abstract,
            title_may_change=False,
        )
        row_tags = ["seed", f"kind_{kind}"] + (["real_arxiv_id"] if real_id else [])
        repo_truth = None
        published = work.arxiv.published if work.arxiv else None
        for n, link in enumerate(card.links):
            full_name = github_full_name(link)
            assert full_name is not None
            if builder.repos.reserve(full_name):
                status = rec.weighted(rng, _LINK_STATUSES)
                made = builder.repos.make(card.title, published, status, linked=full_name)
                if n == 0:
                    repo_truth = made.truth
                    row_tags += ["repo"] + ([] if status == "ok" else [f"repo_{status}"])
            elif n == 0:  # a repository linked from an earlier card
                repo_truth = _current_name(builder, full_name)
                row_tags.append("repo")
        if card.links:
            row["code_url"] = card.links[0]
        inputs.append(row)
        truth.append(
            TruthRow(
                arxiv_id=work.arxiv.arxiv_id if work.arxiv else None,
                s2_paper_id=work.s2.paper_id if work.s2 else None,
                repo_full_name=repo_truth,
                exists=True,
            )
        )
        tags.append(sorted(set(row_tags + work.tags)))
        if work.arxiv is not None:
            linked = bool(card.links) or bool(find_github_urls(work.arxiv.comment))
            hub.append(HubCandidate(work.arxiv, truth[-1], linked, card.abstract))
    # The Hub's pages come last, from their own generator: the rest stays as it was.
    hub_pages = add_hub_pages(random.Random(f"hub-{seed}"), builder.repos, hub)
    return GeneratedWorkload(
        corpus=Corpus(arxiv=builder.arxiv, s2=builder.s2, github=builder.repos.repos, hf=hub_pages),
        inputs=inputs,
        truth=Truth(rows=truth),
        tags=tags,
    )


def _current_name(builder: _Builder, linked: str) -> str | None:
    key = linked.lower()
    for repo in builder.repos.repos:
        if repo.full_name.lower() == key or key in (f.lower() for f in repo.former_names):
            return None if repo.deleted else repo.full_name
    return None
