"""Synthetic bulk snapshots in the real formats, plus input lists and their truth.

Writes what a user downloads, byte for byte in the same shape (nothing here is
downloaded or copied; the field names are the documented ones):

* Semantic Scholar Datasets API, ``papers`` dataset: gzipped JSON-lines shards,
  one record a line with ``corpusid``, ``externalids`` (``ArXiv``, ``DOI``, ``MAG``,
  ``ACL``, ``DBLP``, ``PubMed``, ``PubMedCentral``, ``CorpusId``; absent ids are
  null, ids are strings), ``url``, ``title``, ``authors`` [{``authorId``, ``name``}],
  ``venue`` ("" when unknown), ``publicationvenueid``, ``year``, ``referencecount``,
  ``citationcount``, ``influentialcitationcount``, ``isopenaccess``,
  ``s2fieldsofstudy``, ``publicationtypes``, ``publicationdate``, ``journal``
  {``name``, ``volume``, ``pages``} (field list: the datasets README, e.g. as
  summarised in github.com/markus-flicke/downloading_ss_datasets; shard layout:
  https://api.semanticscholar.org/api-docs/datasets, "N records in 30 files").
* arXiv's Kaggle snapshot ``arxiv-metadata-oai-snapshot.json``: one object a line
  with ``id``, ``submitter``, ``authors`` (one string), ``title`` (hard-wrapped with
  newline + two spaces, as the OAI feed gives it), ``comments``, ``journal-ref``,
  ``doi``, ``report-no``, ``categories`` (space-separated), ``license``,
  ``abstract``, ``versions`` [{``version``, ``created``: RFC 2822}], ``update_date``,
  ``authors_parsed`` [[last, first, suffix]] (kaggle.com/datasets/Cornell-University/arxiv).

Every record is a pure function of ``(seed, index)``, so millions can be written
in constant memory and an input list's truth can be recomputed from indices.
Titles are distinct combinations of four word slots: neighbouring records
differ by one word, which makes the whole corpus a field of title confusers.
A few S2-only records reuse an arXiv paper's exact title with another year and
other authors (same key, different paper).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enrich.testing._corpus import Corpus, FakeArxivEntry, FakeS2Paper
from enrich.testing._words import ADJECTIVES, DOMAINS, FIRST_NAMES, LAST_NAMES, TASKS, TECHNIQUES

__all__ = [
    "ARXIV_SNAPSHOT_NAME",
    "GeneratedSnapshot",
    "InputRow",
    "PaperFacts",
    "generate_inputs",
    "live_corpus",
    "write_inputs_csv",
    "write_snapshot",
]

ARXIV_SNAPSHOT_NAME = "arxiv-metadata-oai-snapshot.json"
_COMBOS = len(ADJECTIVES) * len(TECHNIQUES) * len(TASKS) * len(DOMAINS)
_SCATTER = 2_654_435_761  # coprime with _COMBOS: neighbours in index are far apart in title
# Index spaces of the title combinations (all below _COMBOS = 47.5M).
_S2_ONLY_BASE = 20_000_000
_NEWER_BASE = 40_000_000
_VENUES = ("NeurIPS", "ICML", "ICLR", "CVPR", "ACL", "EMNLP", "AAAI", "Nature", "arXiv.org")
_TYPES = (["JournalArticle"], ["Conference"], ["JournalArticle", "Review"], None)
_FIELDS = ("Computer Science", "Mathematics", "Physics", "Medicine")
_OLD_ARCHIVES = ("hep-ph", "hep-th", "astro-ph", "cond-mat", "math", "quant-ph", "gr-qc")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MASK = (1 << 64) - 1


def _mix(seed: int, index: int, salt: int) -> int:
    """splitmix64 of (seed, index, salt): cheap, deterministic pseudo-random bits."""
    z = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + salt * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _title(combo: int, bits: int) -> str:
    c = (combo * _SCATTER) % _COMBOS
    adj, c = ADJECTIVES[c % len(ADJECTIVES)], c // len(ADJECTIVES)
    tech, c = TECHNIQUES[c % len(TECHNIQUES)], c // len(TECHNIQUES)
    task, c = TASKS[c % len(TASKS)], c // len(TASKS)
    domain = DOMAINS[c % len(DOMAINS)]
    if bits % 50 == 0:  # LaTeX and accents, as arXiv titles carry them
        return f"{adj} $\\beta$-{tech} for {task} in {domain} (R\\'esum\\'e)"
    if bits % 50 == 1:
        return f"{adj} {tech} for {task} in {domain}: a Café Study"
    return f"{adj} {tech} for {task} in {domain}"


def _wrap(title: str) -> str:
    """arXiv's hard wrap: a newline and two spaces near column 60."""
    if len(title) <= 60:
        return title
    cut = title.rfind(" ", 0, 60)
    return title[:cut] + "\n  " + title[cut + 1 :] if cut > 0 else title


def _authors(seed: int, index: int, salt: int) -> list[tuple[str, str]]:
    bits = _mix(seed, index, salt)
    count = 1 + bits % 5
    return [
        (FIRST_NAMES[(bits >> (8 + 6 * k)) % len(FIRST_NAMES)], LAST_NAMES[(bits >> (12 + 7 * k)) % len(LAST_NAMES)])
        for k in range(count)
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class PaperFacts:
    """The truth about one generated paper (what a correct join must find)."""

    title: str
    year: int
    authors: tuple[str, ...]
    arxiv_id: str | None
    corpus_id: int | None
    doi: str | None


def _arxiv_id(index: int) -> tuple[str, int, int]:
    """(id, year, month): old-style ids for every 33rd paper, else yymm.nnnnn."""
    if index % 33 == 0:
        j = index // 33
        archive = _OLD_ARCHIVES[j % len(_OLD_ARCHIVES)]
        rest = j // len(_OLD_ARCHIVES)
        number, months = rest % 1000, rest // 1000
        year, month = 1992 + months // 12 % 15, months % 12 + 1
        return f"{archive}/{year % 100:02d}{month:02d}{number:03d}", year, month
    months, number = index % 120, index // 120
    year, month = 2015 + months // 12, months % 12 + 1
    return f"{year % 100:02d}{month:02d}.{number:05d}", year, month


def _newer_arxiv_id(index: int) -> tuple[str, int, int]:
    return f"26{index % 3 + 10:02d}.{index // 3 + 50000:05d}", 2026, index % 3 + 10


@dataclass
class GeneratedSnapshot:
    """Sizes and files of a generated snapshot; its records are recomputable."""

    root: Path
    seed: int
    n_arxiv: int
    n_s2: int
    s2_release: str
    arxiv_release: str
    s2_shards: list[Path] = field(default_factory=list)
    arxiv_file: Path | None = None

    # -- the papers --------------------------------------------------------------

    def in_s2(self, i: int) -> bool:
        """arXiv paper ``i`` has an S2 record (nine in ten do)."""
        return i % 10 != 9

    def arxiv_facts(self, i: int) -> PaperFacts:
        bits = _mix(self.seed, i, 1)
        arxiv_id, year, _ = _arxiv_id(i)
        doi = f"10.{1000 + bits % 9000}/j.{i}" if bits % 10 < 3 else None
        corpus = self._corpus_of_arxiv(i)
        names = tuple(f"{f} {last}" for f, last in _authors(self.seed, i, 2))
        return PaperFacts(_title(i, bits >> 20), year, names, arxiv_id, corpus, doi)

    def _corpus_of_arxiv(self, i: int) -> int | None:
        if not self.in_s2(i):
            return None
        k = i - i // 10  # rank among the arXiv papers S2 has
        return 1000 + 7 * k if k < self.n_s2 else None

    def s2_only_facts(self, m: int) -> PaperFacts:
        """S2 record with no arXiv version; one in 500 reuses an arXiv paper's title."""
        bits = _mix(self.seed, m, 3)
        k = self._arxiv_in_s2() + m
        names = tuple(f"{f} {last}" for f, last in _authors(self.seed, m, 4))
        year = 1990 + bits % 35
        title = _title(_S2_ONLY_BASE + m, bits >> 20)
        if m % 500 == 7 and self.n_arxiv:
            twin = self.arxiv_facts((m * 3) % self.n_arxiv)
            title, year = twin.title, twin.year - 8
        doi = f"10.{1000 + bits % 9000}/s2.{m}" if bits % 10 < 8 else None
        return PaperFacts(title, year, names, None, 1000 + 7 * k, doi)

    def _arxiv_in_s2(self) -> int:
        return min(self.n_s2, self.n_arxiv - self.n_arxiv // 10)

    @property
    def n_s2_only(self) -> int:
        return max(0, self.n_s2 - self._arxiv_in_s2())

    def newer_facts(self, j: int) -> PaperFacts:
        """A paper published after the snapshot: in neither snapshot file."""
        bits = _mix(self.seed, j, 5)
        arxiv_id, year, _ = _newer_arxiv_id(j)
        names = tuple(f"{f} {last}" for f, last in _authors(self.seed, j, 6))
        title = _title(_NEWER_BASE + j, bits >> 20)
        return PaperFacts(title, year, names, arxiv_id, 900_000_000 + j, None)

    # -- the records -------------------------------------------------------------

    def arxiv_record(self, i: int) -> dict[str, Any]:
        facts = self.arxiv_facts(i)
        bits = _mix(self.seed, i, 7)
        _, year, month = _arxiv_id(i)
        people = _authors(self.seed, i, 2)
        created = dt.datetime(year, month, 1 + bits % 28, bits % 24, bits % 60, bits % 59)
        versions = []
        for v in range(1 + bits % 3):
            when = created + dt.timedelta(days=40 * v)
            stamp = (
                f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} "
                f"{when.year} {when:%H:%M:%S} GMT"
            )
            versions.append({"version": f"v{v + 1}", "created": stamp})
        doi = facts.doi
        if doi is not None and bits % 7 == 0:  # two DOIs, upper case: both occur
            doi = f"{doi.upper()} 10.5555/extra.{i}"
        category = ("cs.LG", "cs.CV", "cs.CL", "stat.ML", "hep-ph", "math.GT")[bits % 6]
        return {
            "id": facts.arxiv_id,
            "submitter": None if bits % 97 == 0 else f"{people[0][0]} {people[0][1]}",
            "authors": ", ".join(f"{f} {last}" for f, last in people[:-1])
            + (" and " if len(people) > 1 else "")
            + f"{people[-1][0]} {people[-1][1]}",
            "title": _wrap(
                facts.title.replace(" for ", "  for ", 1) if bits % 11 == 0 else facts.title
            ),
            "comments": None if bits % 3 else f"{8 + bits % 20} pages, {bits % 9} figures",
            "journal-ref": f"{_VENUES[bits % 8]} {year}" if facts.doi else None,
            "doi": doi,
            "report-no": None if bits % 13 else f"REP-{i}",
            "categories": category if bits % 4 == 0 else f"{category} cs.AI",
            "license": None if bits % 2 else "http://creativecommons.org/licenses/by/4.0/",
            "abstract": "  We study this problem.\nOur method works.\n",
            "versions": versions,
            "update_date": f"{(created + dt.timedelta(days=40 * (len(versions) - 1))):%Y-%m-%d}",
            "authors_parsed": [[last, first, ""] for first, last in people],
        }

    def _s2_record(self, facts: PaperFacts, bits: int) -> dict[str, Any]:
        assert facts.corpus_id is not None
        paper_id = hashlib.sha1(str(facts.corpus_id).encode()).hexdigest()
        people = facts.authors
        title: str | None = facts.title.upper() if bits % 17 == 0 else facts.title
        if bits % 1000 == 999:
            title = None
        published = bits % 5 != 0
        venue = _VENUES[bits % len(_VENUES)] if published else ""
        return {
            "corpusid": facts.corpus_id,
            "externalids": {
                "ACL": None,
                "DBLP": f"conf/x/P{facts.corpus_id}" if bits % 4 == 0 else None,
                "ArXiv": facts.arxiv_id,
                "MAG": str(3_000_000_000 + facts.corpus_id) if bits % 3 == 0 else None,
                "CorpusId": str(facts.corpus_id),
                "PubMed": None,
                "DOI": facts.doi.upper() if facts.doi and bits % 6 == 0 else facts.doi,
                "PubMedCentral": None,
            },
            "url": f"https://www.semanticscholar.org/paper/{paper_id}",
            "title": title,
            "authors": [
                {
                    "authorId": None
                    if (bits >> k) % 29 == 0
                    else str(10_000 + k * 7 + bits % 1000),
                    "name": name,
                }
                for k, name in enumerate(people)
            ],
            "venue": venue,
            "publicationvenueid": f"{paper_id[:8]}-venue" if published and bits % 2 else None,
            "year": None if bits % 211 == 0 else facts.year,
            "referencecount": bits % 80,
            "citationcount": None if bits % 499 == 0 else (bits >> 8) % 5000,
            "influentialcitationcount": (bits >> 8) % 50,
            "isopenaccess": bool(bits % 2),
            "s2fieldsofstudy": None
            if bits % 9 == 0
            else [{"category": _FIELDS[bits % 4], "source": "s2-fos-model"}],
            "publicationtypes": _TYPES[bits % len(_TYPES)],
            "publicationdate": None
            if bits % 5 == 1
            else f"{facts.year}-{1 + bits % 12:02d}-{1 + bits % 28:02d}",
            "journal": None
            if not published or bits % 3 == 0
            else {
                "name": venue,
                "volume": None if bits % 2 else str(bits % 40),
                "pages": None if bits % 4 else f"{bits % 100}-{bits % 100 + 9}",
            },
        }

    def s2_records(self) -> Iterator[dict[str, Any]]:
        """Every S2 record, in corpus-id order (arXiv papers first, then S2-only ones)."""
        done = 0
        for i in range(self.n_arxiv):
            if done >= self.n_s2:
                return
            if self.in_s2(i):
                yield self._s2_record(self.arxiv_facts(i), _mix(self.seed, i, 8))
                done += 1
        for m in range(self.n_s2_only):
            yield self._s2_record(self.s2_only_facts(m), _mix(self.seed, m, 9))


def _dump(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def write_snapshot(
    root: str | Path,
    *,
    n_arxiv: int,
    n_s2: int,
    seed: int = 1,
    shards: int = 4,
    s2_release: str = "2026-11-03",
    arxiv_release: str = "2026-11-01",
    compresslevel: int = 1,
) -> GeneratedSnapshot:
    """Write an S2 ``papers`` release and an arXiv metadata snapshot under ``root``.

    Layout as downloaded: ``root/s2/<release>/papers/papers-NNN.jsonl.gz`` and
    ``root/arxiv/arxiv-metadata-oai-snapshot.json`` (uncompressed, as unzipped
    from Kaggle).
    """
    root = Path(root)
    snap = GeneratedSnapshot(root, seed, n_arxiv, n_s2, s2_release, arxiv_release)
    s2_dir = root / "s2" / s2_release / "papers"
    s2_dir.mkdir(parents=True, exist_ok=True)
    per_shard = max(1, -(-n_s2 // max(1, shards)))
    records = snap.s2_records()
    for shard in range(max(1, shards)):
        path = s2_dir / f"papers-{shard:03d}.jsonl.gz"
        snap.s2_shards.append(path)
        with gzip.open(path, "wb", compresslevel=compresslevel) as handle:
            shard_records = itertools.islice(records, per_shard)
            while block := list(itertools.islice(shard_records, 10_000)):
                handle.write(b"".join(_dump(record) for record in block))
    arxiv_dir = root / "arxiv"
    arxiv_dir.mkdir(parents=True, exist_ok=True)
    snap.arxiv_file = arxiv_dir / ARXIV_SNAPSHOT_NAME
    with snap.arxiv_file.open("wb") as out:
        buffer: list[bytes] = []
        for i in range(n_arxiv):
            buffer.append(_dump(snap.arxiv_record(i)))
            if len(buffer) >= 10_000:
                out.write(b"".join(buffer))
                buffer.clear()
        out.write(b"".join(buffer))
    return snap


@dataclass(frozen=True, slots=True)
class InputRow:
    """One input line and what a correct run resolves it to."""

    arxiv_id: str | None
    doi: str | None
    title: str | None
    year: int | None
    #: the truth
    true_arxiv_id: str | None
    true_corpus_id: int | None
    #: published after the snapshot (only the live services know it)
    newer: bool = False


def _title_variant(title: str, bits: int) -> str:
    """How users type a known title: other case, spacing, a trailing period."""
    kind = bits % 4
    if kind == 1:
        return title.lower()
    if kind == 2:
        return title.replace(" ", "  ", 1) + "."
    if kind == 3:
        return title.title()
    return title


def generate_inputs(
    snap: GeneratedSnapshot, n: int, *, seed: int = 2, newer_fraction: float = 0.0
) -> list[InputRow]:
    """``n`` input rows: ~45 % arXiv ids, ~15 % DOIs, ~40 % titles, with their truth.

    ``newer_fraction`` of the rows name papers published after the snapshot
    (:meth:`GeneratedSnapshot.newer_facts`), by arXiv id or title.
    """
    rows: list[InputRow] = []
    newer_every = round(1 / newer_fraction) if newer_fraction > 0 else 0
    for r in range(n):
        bits = _mix(seed, r, 11)
        if newer_every and r % newer_every == 0:
            facts = snap.newer_facts(r // newer_every)
            if bits % 2:
                rows.append(
                    InputRow(
                        facts.arxiv_id, None, None, None, facts.arxiv_id, facts.corpus_id, True
                    )
                )
            else:
                rows.append(
                    InputRow(
                        None, None, facts.title, facts.year, facts.arxiv_id, facts.corpus_id, True
                    )
                )
            continue
        kind = bits % 20
        if kind < 9 or kind >= 16 or snap.n_s2_only == 0:
            facts = snap.arxiv_facts((bits >> 8) % snap.n_arxiv)
            if kind < 9:
                ident = facts.arxiv_id if bits % 3 else f"{facts.arxiv_id}v{1 + bits % 2}"
                rows.append(InputRow(ident, None, None, None, facts.arxiv_id, facts.corpus_id))
                continue
        else:
            facts = snap.s2_only_facts((bits >> 8) % snap.n_s2_only)
            if kind < 12 and facts.doi is not None:
                rows.append(InputRow(None, facts.doi, None, None, None, facts.corpus_id))
                continue
        year = facts.year if bits % 10 < 7 else None
        rows.append(
            InputRow(None, None, _title_variant(facts.title, bits >> 4), year, facts.arxiv_id, facts.corpus_id)
        )  # fmt: skip
    return rows


def write_inputs_csv(rows: list[InputRow], path: str | Path) -> Path:
    """The input rows as a CSV a user would hand over (``arxiv_id, doi, title, year``)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["arxiv_id", "doi", "title", "year"])
        for row in rows:
            writer.writerow([row.arxiv_id or "", row.doi or "", row.title or "", row.year or ""])
    return path


def live_corpus(facts: list[PaperFacts]) -> Corpus:
    """What the (fake) live services know about papers newer than the snapshot."""
    published = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    return Corpus(
        arxiv=[
            FakeArxivEntry(
                arxiv_id=f.arxiv_id or "",
                titles=[f.title],
                abstract="An abstract.",
                authors=list(f.authors),
                published=published,
                updated=published,
                categories=["cs.LG"],
            )
            for f in facts
            if f.arxiv_id
        ],
        s2=[
            FakeS2Paper(
                paper_id=f"{f.corpus_id:040x}",
                corpus_id=f.corpus_id,
                title=f.title,
                year=f.year,
                authors=list(f.authors),
                external_ids={"ArXiv": f.arxiv_id} if f.arxiv_id else {},
            )
            for f in facts
            if f.corpus_id is not None
        ],
    )
