"""Generate a synthetic workload: what the fake services know, a user's input rows, the answers.

:func:`generate_corpus` is a pure function of ``(n, seed)``.  Of the ``n`` input rows
about half name an arXiv id (bare, versioned, ``arXiv:``-prefixed or as a URL), 40 %
give only a title (some with a DOI instead of an id), and 10 % name papers that no
service knows, half of them one edit away from a real title.  About a third carry
a code link.  Around the papers the inputs name, the corpus holds the confusers
that make matching hard: a sibling paper with another subtitle, with a longer
title, or one word apart; preprints with a separate published record; records
not linked to their preprint; papers on one service only; titles that changed
between versions; renamed, transferred, archived and deleted repositories.

**Truth rule for Semantic Scholar.**  When a paper is on arXiv, the right S2 record
is the one whose ``externalIds.ArXiv`` is that id (the preprint record, also when
a separate published record shares its DOI); if no record carries the id (an
unlinked record), it is the paper's only S2 record, which a title match must find.
For a paper not on arXiv it is its only record.  Truth ``arxiv_id`` is always
version-less; ``repo_full_name`` is the repository's current ``owner/name``
(after renames and transfers), ``None`` when the row links nothing or the link is
dead, and comes from the arXiv comment when only the comment links the code.

``GeneratedWorkload.tags`` labels each row with what makes it hard (``kind_pair``,
``confuser_prefix``, ``title_variant``, ``repo_renamed``...), so accuracy can be
broken down by difficulty.

Example::

    >>> work = generate_corpus(100, seed=1)
    >>> len(work.inputs) == len(work.truth.rows) == 100
    True
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from enrich._ids import find_github_urls
from enrich.testing import _records as rec
from enrich.testing import _words as w
from enrich.testing._corpus import Corpus, FakeArxivEntry, FakeS2Paper, Truth, TruthRow
from enrich.testing._hub import HubCandidate, add_hub_pages
from enrich.testing._repos import RepoMaker
from enrich.testing._titles import TitleMaker, arxiv_form, input_variant, s2_form

__all__ = ["INPUT_COLUMNS", "TAGS", "GeneratedWorkload", "generate_corpus"]

#: Columns of ``inputs.csv``, in order.
INPUT_COLUMNS = ("title", "arxiv_id", "doi", "code_url")

#: Every label :attr:`GeneratedWorkload.tags` can carry, with its meaning.
TAGS: dict[str, str] = {
    "arxiv_id": "the row names an arXiv id",
    "title_only": "no arXiv id: a title, maybe a DOI",
    "unknown": "no service knows the paper (truth exists=False)",
    "seed": "a paper from the saved Daily Papers pages",
    "real_arxiv_id": "seed paper whose arXiv id is real",
    "kind_both": "on arXiv, one S2 record linked to it",
    "kind_pair": "on arXiv, S2 preprint record plus a published record with the DOI",
    "kind_arxiv_only": "on arXiv, not in S2",
    "kind_unlinked": "on arXiv, S2 record without the ArXiv external id",
    "kind_s2_only": "in S2 only",
    "title_variant": "the row spells the title differently (case, accents, LaTeX, dashes...)",
    "title_changed": "the arXiv title changed between versions; rows show the first",
    "confuser_subtitle": "another paper has the same main title and another subtitle",
    "confuser_prefix": "another paper's title extends this one, or the reverse",
    "confuser_oneword": "another paper's title differs by one word",
    "near_miss": "unknown title one edit away from a real one",
    "near_oneword": "near miss: one word swapped",
    "near_subtitle": "near miss: another subtitle",
    "near_prefix": "near miss: a real title plus words",
    "near_truncated": "near miss: a real title without its subtitle",
    "arxiv_versioned": "the id carries a version (2106.09685v2)",
    "arxiv_prefixed": "the id is written arXiv:2106.09685",
    "arxiv_url": "the id is an abs or pdf URL",
    "doi_given": "the row gives the published DOI",
    "arxiv_doi": "the row gives the arXiv DataCite DOI (10.48550/arXiv.<id>)",
    "repo": "the row links code",
    "repo_renamed": "the linked repository was renamed",
    "repo_transferred": "the linked repository moved to another owner",
    "repo_archived": "the linked repository is archived",
    "repo_deleted": "the linked repository is deleted (truth None)",
    "repo_missing": "the linked repository never existed (truth None)",
    "repo_from_comment": "only the arXiv comment links the code",
    "url_case": "the link's letter case differs from the repository's",
    "url_git": "the link ends in .git",
    "url_tree": "the link points inside the repository (/tree/..., /blob/...)",
    "url_punct": "the link ends in punctuation",
}

_ARXIV_ROLE_KINDS = (("both", 0.64), ("pair", 0.14), ("arxiv_only", 0.12), ("unlinked", 0.10))
_TITLE_ROLE_KINDS = (
    ("both", 0.50), ("pair", 0.10), ("arxiv_only", 0.10), ("unlinked", 0.08), ("s2_only", 0.22),
)  # fmt: skip
_DISTRACTOR_KINDS = (("both", 0.6), ("pair", 0.15), ("arxiv_only", 0.1), ("s2_only", 0.15))
_LINK_STATUSES = (
    ("ok", 0.76), ("renamed", 0.07), ("transferred", 0.05), ("archived", 0.07),
    ("deleted", 0.04), ("missing", 0.01),
)  # fmt: skip
_COMMENT_STATUSES = (("ok", 0.8), ("renamed", 0.12), ("archived", 0.08))
_VERSIONS = ((1, 0.55), (2, 0.3), (3, 0.1), (4, 0.04), (5, 0.01))
_FAMILY_RATE = 0.045  # per confuser kind, per known row
_CODE_RATE = 0.37  # of known rows: a third of all rows
_COMMENT_CODE_RATE = 0.07


@dataclass
class GeneratedWorkload:
    """A corpus for the fake services, input rows as a user's CSV holds them, and the answers.

    ``truth.rows[i]`` (and ``tags[i]``) belong to ``inputs[i]``.  Every input row has
    exactly the keys of :data:`INPUT_COLUMNS`, ``None`` where the row is empty.
    """

    corpus: Corpus
    inputs: list[dict[str, str | None]]
    truth: Truth
    #: difficulty labels per row (sorted), for per-category accuracy
    tags: list[list[str]] = field(default_factory=list)

    def write(self, directory: Path) -> dict[str, Path]:
        """Write ``inputs.csv``, ``corpus.json``, ``truth.json`` and ``tags.json``.

        Args:
            directory: created if missing.

        Returns:
            ``{"inputs": ..., "corpus": ..., "truth": ..., "tags": ...}`` paths.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            "inputs": directory / "inputs.csv",
            "corpus": directory / "corpus.json",
            "truth": directory / "truth.json",
            "tags": directory / "tags.json",
        }
        with paths["inputs"].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS)
            writer.writeheader()
            for row in self.inputs:
                writer.writerow({k: "" if row[k] is None else row[k] for k in INPUT_COLUMNS})
        self.corpus.save(paths["corpus"])
        paths["truth"].write_text(json.dumps(self.truth.to_json(), ensure_ascii=False), "utf-8")
        paths["tags"].write_text(json.dumps(self.tags), "utf-8")
        return paths

    @classmethod
    def read(cls, directory: Path) -> GeneratedWorkload:
        """Load what :meth:`write` wrote (``tags.json`` is optional)."""
        directory = Path(directory)
        with (directory / "inputs.csv").open(encoding="utf-8", newline="") as handle:
            inputs: list[dict[str, str | None]] = [
                {k: (row.get(k) or None) for k in INPUT_COLUMNS} for row in csv.DictReader(handle)
            ]
        truth = Truth.from_json(json.loads((directory / "truth.json").read_text("utf-8")))
        tags_path = directory / "tags.json"
        tags = json.loads(tags_path.read_text("utf-8")) if tags_path.exists() else []
        return cls(Corpus.load(directory / "corpus.json"), inputs, truth, tags)


def generate_corpus(n: int, *, seed: int = 0) -> GeneratedWorkload:
    """Generate ``n`` input rows and the corpus and truth behind them.

    Args:
        n: number of input rows (papers asked about); the corpus holds more papers
            (confusers and background) than that.
        seed: everything is a function of ``(n, seed)``.

    Raises:
        ValueError: ``n`` is negative.

    >>> generate_corpus(10, seed=3).inputs == generate_corpus(10, seed=3).inputs
    True
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return _Builder(random.Random(seed)).build(n)


#: Share of S2 abstracts that quote another paper's full title, as real abstracts
#: do ("Unlike Attention Is All You Need, ...").  S2's bulk search matches phrases
#: in abstracts too, so a title search must not take such a paper for the one quoted.
_QUOTE_RATE = 0.2


def _quote_titles(papers: list[FakeS2Paper], rng: random.Random) -> None:
    if len(papers) < 2:
        return
    for paper in papers:
        if paper.abstract and rng.random() < _QUOTE_RATE:
            other = rng.choice(papers)
            if other.paper_id != paper.paper_id and other.title:
                paper.abstract += f" Unlike {other.title}, our method needs no extra data."


def _links(work: _Work) -> bool:
    return work.arxiv is not None and bool(
        find_github_urls(work.arxiv.comment) or find_github_urls(work.arxiv.abstract)
    )


@dataclass
class _Work:
    title: str  # canonical latest title
    kind: str
    tags: list[str] = field(default_factory=list)
    first_title: str | None = None  # the v1 title when it changed
    arxiv: FakeArxivEntry | None = None
    s2: FakeS2Paper | None = None  # the record truth names
    doi: str | None = None  # the published version's DOI as minted
    year: int = 2020
    venue: str | None = None  # acronym of the published version's venue


@dataclass
class _Row:
    inputs: dict[str, str | None]
    truth: TruthRow
    tags: list[str]
    work: _Work | None


class _Builder:
    """Accumulates papers and repositories; shared with ``_seed_corpus``."""

    def __init__(self, rng: random.Random, *, high_arxiv_numbers: bool = False) -> None:
        self.rng = rng
        self.titles = TitleMaker(rng)
        self.ids = rec.IdAllocator(rng, high_arxiv_numbers=high_arxiv_numbers)
        self.repos = RepoMaker(rng, self.ids)
        self.arxiv: list[FakeArxivEntry] = []
        self.s2: list[FakeS2Paper] = []
        self.inputs_works: list[_Work] = []

    def build(self, n: int) -> GeneratedWorkload:
        rng = self.rng
        n_unknown = round(n * 0.10)
        n_arxiv = round(n * 0.50)
        roles = ["arxiv_id"] * n_arxiv + ["title_only"] * (n - n_unknown - n_arxiv)
        rng.shuffle(roles)
        rows = [self._known_row(role) for role in roles]
        rows += [self._unknown_row() for _ in range(n_unknown)]
        for _ in range(n // 10):  # background papers nobody asks about
            self.add_paper(self.titles.fresh(), rec.weighted(rng, _DISTRACTOR_KINDS))
        rng.shuffle(rows)
        rng.shuffle(self.arxiv)
        rng.shuffle(self.s2)
        rng.shuffle(self.repos.repos)
        # Drawn last, so every record before it is what it was without quotes.
        _quote_titles(self.s2, random.Random(rng.getrandbits(64)))
        # The Hub's pages (issue #13) come last, from their own generator: the rest
        # of the workload is what it was before the Hub was modelled.
        hub = [
            HubCandidate(r.work.arxiv, r.truth, bool(r.inputs.get("code_url")) or _links(r.work))
            for r in rows
            if r.work is not None and r.work.arxiv is not None
        ]
        pages = add_hub_pages(random.Random(rng.getrandbits(64)), self.repos, hub)
        return GeneratedWorkload(
            corpus=Corpus(arxiv=self.arxiv, s2=self.s2, github=self.repos.repos, hf=pages),
            inputs=[r.inputs for r in rows],
            truth=Truth(rows=[r.truth for r in rows]),
            tags=[sorted(set(r.tags + (r.work.tags if r.work else []))) for r in rows],
        )

    # --- titles -----------------------------------------------------------------

    def _sibling(self, family: str, title: str) -> str | None:
        if family == "subtitle":
            return self.titles.subtitle_sibling(title)
        if family == "prefix":
            return self.titles.prefix_sibling(title)
        return self.titles.oneword_sibling(title)

    def _new_title(self) -> tuple[str, list[str]]:
        """A title for an input paper, sometimes with a confusable sibling paper."""
        rng = self.rng
        roll = rng.random()
        if roll >= 3 * _FAMILY_RATE:
            return self.titles.fresh(), []
        family = ("subtitle", "prefix", "oneword")[int(roll // _FAMILY_RATE)]
        tag = f"confuser_{family}"
        if self.inputs_works and rng.random() < 0.5:  # the sibling is another input row
            for _ in range(12):
                partner = rng.choice(self.inputs_works)
                sibling = self._sibling(family, partner.title)
                if sibling is not None:
                    partner.tags.append(tag)
                    return sibling, [tag]
        for _ in range(50):  # the sibling is a corpus-only paper
            base = self.titles.fresh(with_subtitle=family == "subtitle")
            sibling = self._sibling(family, base)
            if sibling is not None:
                mine, other = (base, sibling) if rng.random() < 0.5 else (sibling, base)
                self.add_paper(other, rec.weighted(rng, _DISTRACTOR_KINDS))
                return mine, [tag]
        return self.titles.fresh(), []

    def _changed_title(self, title: str) -> str:
        roll = self.rng.random()
        changed = None
        if roll < 0.45:
            changed = self.titles.subtitle_sibling(title)
        elif roll < 0.7:
            changed = self.titles.prefix_sibling(title)
        return changed or self.titles.fresh()

    def _abstract(self, title: str) -> str:
        rng = self.rng
        task = rng.choice(w.TASKS).lower()
        return (
            f"{rng.choice(w.TASKS)} remains difficult when {rng.choice(w.OBJECTS).lower()} are "
            f"involved. We present {title.split(':')[0]}, which combines "
            f"{rng.choice(w.TECHNIQUES).lower()} with {rng.choice(w.ADJECTIVES).lower()} "
            f"{rng.choice(w.TECHNIQUES).lower()}. Experiments on {rng.randint(2, 12)} benchmarks "
            f"for {task} show gains of {rng.randint(1, 15)}.{rng.randint(0, 9)} points over strong "
            f"baselines, with {rng.randint(2, 10)}x less compute."
        )

    # --- records -------------------------------------------------------------------

    def add_paper(
        self,
        title: str,
        kind: str,
        tags: list[str] | None = None,
        *,
        listed: dt.date | None = None,
        arxiv_id: str | None = None,
        authors_count: int | None = None,
        abstract: str | None = None,
        title_may_change: bool = True,
    ) -> _Work:
        """A paper and its records on the services ``kind`` says it is on.

        ``listed`` pins the submission date, ``arxiv_id`` a known id (the seed
        corpus's real ones); by default both are drawn.
        """
        rng = self.rng
        work = _Work(title=title, kind=kind, tags=list(tags or []))
        if listed is not None:
            year, month = listed.year, listed.month
        else:
            year, month = rec.pick_month(rng, recent=kind == "arxiv_only" and rng.random() < 0.6)
        work.year = year
        names = rec.authors(rng, authors_count or rec.author_count(rng))
        abstract = abstract or self._abstract(title)
        if kind != "s2_only":
            arxiv_id = arxiv_id or self.ids.arxiv(year, month)
            day = listed.day if listed is not None else None
            work.arxiv = self._arxiv_entry(
                work, arxiv_id, (year, month, day), names, abstract, title_may_change
            )
        if kind in ("both", "pair"):
            assert arxiv_id is not None
            merged = kind == "both" and rng.random() < 0.45
            work.s2 = self._s2(work, names, abstract, arxiv_id=arxiv_id, published=merged)
            if kind == "pair":
                self._s2(work, names, abstract, arxiv_id=None, published=True, force_doi=True)
                if work.s2.external_ids.get("DOI") is None and rng.random() < 0.4 and work.doi:
                    # preprint and published records sharing a DOI (s2-folks #193)
                    work.s2.external_ids["DOI"] = work.doi
        elif kind == "unlinked":
            work.s2 = self._s2(work, names, abstract, arxiv_id=None, published=rng.random() < 0.7)
        elif kind == "s2_only":
            work.s2 = self._s2(work, names, abstract, arxiv_id=None, published=True)
        if work.arxiv is not None and work.doi and work.venue and rng.random() < 0.6:
            work.arxiv.doi = work.doi
            if rng.random() < 0.5:
                work.arxiv.journal_ref = rng.choice(
                    (
                        f"{work.venue} {year}",
                        f"Proceedings of {work.venue} {year}, pp. {rng.randint(1, 900)}",
                    )
                )
        return work

    def _arxiv_entry(
        self,
        work: _Work,
        arxiv_id: str,
        when: tuple[int, int, int | None],
        names: list[str],
        abstract: str,
        title_may_change: bool,
    ) -> FakeArxivEntry:
        rng = self.rng
        versions = rec.weighted(rng, _VERSIONS)
        latest = arxiv_form(work.title, rng) if title_may_change else work.title
        titles = [latest] * versions
        if title_may_change and rng.random() < 0.06:
            versions = max(versions, 2)
            work.first_title = self._changed_title(work.title)
            change_at = rng.randint(1, versions - 1)
            titles = [arxiv_form(work.first_title, rng)] * change_at + [latest] * (
                versions - change_at
            )
            work.tags.append("title_changed")
        year, month, day = when
        published, updated = rec.dates(rng, year, month, versions, day=day)
        affiliations = {}
        if rng.random() < 0.2:
            for name in rng.sample(names, min(len(names), rng.randint(1, 3))):
                affiliations[name] = rng.choice(w.AFFILIATIONS)
        entry = FakeArxivEntry(
            arxiv_id=arxiv_id,
            titles=titles,
            abstract=abstract,
            authors=names,
            published=published,
            updated=updated,
            categories=rec.pick_category(rng, arxiv_id),
            comment=rec.comment(rng, year, None),
            affiliations=affiliations,
        )
        self.arxiv.append(entry)
        return entry

    def _s2(
        self,
        work: _Work,
        names: list[str],
        abstract: str,
        *,
        arxiv_id: str | None,
        published: bool,
        force_doi: bool = False,
    ) -> FakeS2Paper:
        """One S2 record: linked to ``arxiv_id`` when given, a published version if asked."""
        rng = self.rng
        year = work.year
        external: dict[str, str] = {}
        if arxiv_id is not None:
            external["ArXiv"] = arxiv_id
            if "/" not in arxiv_id and rng.random() < 0.6:
                external["DBLP"] = f"journals/corr/abs-{arxiv_id.replace('.', '-')}"
        if year < 2022 and rng.random() < 0.4:
            external["MAG"] = str(rng.randint(2_000_000_000, 3_200_000_000))
        title = work.title if arxiv_id is not None else s2_form(work.title, rng)
        types: list[str] | None
        if published:
            pool = rec.DOI_VENUES if force_doi else rec.VENUES
            venue = rng.choice(pool)
            if work.kind in ("pair", "unlinked"):  # the journal version often comes a year later
                year = min(year + rng.randint(0, 1), rec.NOW.year)
            venue_name, pv, journal = rec.published_shape(rng, venue, year)
            if venue.doi and (force_doi or rng.random() < 0.8):
                work.doi = work.doi or self.ids.doi(venue, year)
                work.venue = venue.acronym
                external["DOI"] = work.doi.upper() if rng.random() < 0.3 else work.doi
                if work.doi.startswith("10.18653/v1/"):
                    external["ACL"] = work.doi.removeprefix("10.18653/v1/")
            if rng.random() < 0.5:
                group = "conf" if venue.type == "conference" else "journals"
                key = rec.ascii_name(names[0].split()[-1]) + f"{year % 100:02d}"
                external["DBLP"] = f"{group}/{venue.acronym.lower()}/{key}"
            types = ["JournalArticle"] if venue.type == "journal" else ["Conference"]
            if venue.type == "conference" and rng.random() < 0.5:
                types = ["JournalArticle", "Conference"]
        else:
            venue_name, pv, journal = rec.preprint_shape(rng, arxiv_id or "")
            if arxiv_id is None:  # an unlinked preprint record has no ArXiv volume either
                journal = None
            types = ["JournalArticle"] if rng.random() < 0.6 else None
        if rng.random() < 0.03:
            types = [*(types or []), "Review"]
        cites, influential, references = rec.citations(rng, year)
        if arxiv_id is not None and work.arxiv is not None:
            date: dt.date | None = work.arxiv.published.date()
        else:
            date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        if date is not None and (rng.random() < 0.3 or date > rec.NOW.date()):
            date = None  # publicationDate is often null while year is set
        paper = FakeS2Paper(
            paper_id=self.ids.s2_paper_id(),
            corpus_id=self.ids.number(1_000_000, 290_000_000),
            title=title,
            year=year,
            authors=names,
            external_ids=external,
            venue=venue_name,
            publication_venue=pv,
            journal=journal,
            publication_date=date,
            publication_types=types,
            citation_count=cites,
            influential_citation_count=influential,
            reference_count=references,
            abstract=abstract if rng.random() < 0.65 else None,
            aliases=[self.ids.s2_paper_id()] if rng.random() < 0.02 else [],
        )
        self.s2.append(paper)
        return paper

    # --- rows ----------------------------------------------------------------------

    def _arxiv_spelling(self, arxiv_id: str, versions: int) -> tuple[str, list[str]]:
        rng = self.rng
        roll = rng.random()
        version = f"v{rng.randint(1, versions)}"
        if roll < 0.55:
            return arxiv_id, []
        if roll < 0.75:
            return arxiv_id + version, ["arxiv_versioned"]
        if roll < 0.83:
            return f"arXiv:{arxiv_id}", ["arxiv_prefixed"]
        if roll < 0.95:
            suffix = version if rng.random() < 0.4 else ""
            return f"https://arxiv.org/abs/{arxiv_id}{suffix}", ["arxiv_url"]
        scheme = rng.choice(("https", "http"))
        return f"{scheme}://arxiv.org/pdf/{arxiv_id}{version}.pdf", ["arxiv_url", "arxiv_versioned"]

    def _doi_spelling(self, doi: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return doi.lower()
        if roll < 0.75:
            return doi
        if roll < 0.9:
            return f"https://doi.org/{doi}"
        return f"doi:{doi}"

    def _known_row(self, role: str) -> _Row:
        rng = self.rng
        kinds = _ARXIV_ROLE_KINDS if role == "arxiv_id" else _TITLE_ROLE_KINDS
        kind = rec.weighted(rng, kinds)
        title, title_tags = self._new_title()
        work = self.add_paper(title, kind, title_tags)
        self.inputs_works.append(work)
        tags = [role, f"kind_{kind}"]
        row: dict[str, str | None] = dict.fromkeys(INPUT_COLUMNS)
        if role == "title_only" or rng.random() < 0.65:
            shown = work.first_title or work.title  # listings show the title they saw first
            if rng.random() < 0.25:
                shown, _ = input_variant(shown, rng)
                tags.append("title_variant")
            row["title"] = shown
        if role == "arxiv_id":
            assert work.arxiv is not None
            row["arxiv_id"], id_tags = self._arxiv_spelling(work.arxiv.arxiv_id, work.arxiv.version)
            tags += id_tags
            if work.doi and rng.random() < 0.3:
                row["doi"] = self._doi_spelling(work.doi)
                tags.append("doi_given")
        elif work.doi and rng.random() < 0.35:
            row["doi"] = self._doi_spelling(work.doi)
            tags.append("doi_given")
        elif work.arxiv is not None and rng.random() < 0.05:
            row["doi"] = f"10.48550/arXiv.{work.arxiv.arxiv_id}"
            tags.append("arxiv_doi")
        repo_truth = self._code(work, row, tags)
        truth = TruthRow(
            arxiv_id=work.arxiv.arxiv_id if work.arxiv else None,
            s2_paper_id=work.s2.paper_id if work.s2 else None,
            repo_full_name=repo_truth,
            exists=True,
        )
        return _Row(row, truth, tags, work)

    def _code(self, work: _Work, row: dict[str, str | None], tags: list[str]) -> str | None:
        """Link code in the row or in the arXiv comment; returns the truth repo."""
        rng = self.rng
        published = work.arxiv.published if work.arxiv else None
        if rng.random() < _CODE_RATE:
            status = rec.weighted(rng, _LINK_STATUSES)
            link = self.repos.make(work.title, published, status)
            row["code_url"], url_tags = self.repos.url(link.linked_name)
            tags += ["repo", *url_tags] + ([] if status == "ok" else [f"repo_{status}"])
            if work.arxiv is not None and rng.random() < 0.1:
                url = f"https://github.com/{link.linked_name}"
                work.arxiv.comment = rec.comment(rng, work.year, url)
            return link.truth
        if work.arxiv is not None and rng.random() < _COMMENT_CODE_RATE:
            status = rec.weighted(rng, _COMMENT_STATUSES)
            link = self.repos.make(work.title, published, status)
            work.arxiv.comment = rec.comment(
                rng, work.year, f"https://github.com/{link.linked_name}"
            )
            tags += ["repo_from_comment"] + ([] if status == "ok" else [f"repo_{status}"])
            return link.truth
        return None

    def _unknown_row(self) -> _Row:
        rng = self.rng
        tags = ["unknown"]
        title = None
        if self.inputs_works and rng.random() < 0.5:
            near = rng.choice(self.inputs_works).title
            for how in rng.sample(("oneword", "subtitle", "prefix", "truncated"), 4):
                if how == "truncated":
                    title = self.titles.truncated(near)
                else:
                    title = self._sibling(how, near)
                if title is not None:
                    tags += ["near_miss", f"near_{how}"]
                    break
        if title is None:
            title = self.titles.fresh()
        if rng.random() < 0.1:
            title, _ = input_variant(title, rng)
            tags.append("title_variant")
        row: dict[str, str | None] = dict.fromkeys(INPUT_COLUMNS)
        row["title"] = title
        return _Row(row, TruthRow(None, None, None, exists=False), tags, None)
