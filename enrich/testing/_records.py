"""Value makers for synthetic service records: ids, dates, authors, venues, counts.

Everything takes the caller's :class:`random.Random`, so a workload is a pure
function of its seed.  Shapes follow what the real services return (see
``shared/api-samples/SCHEMA_NOTES.md``): S2 ``venue`` is ``""`` rather than null,
``publicationVenue`` is often null while ``venue`` is set, ``journal`` comes in
partial shapes, DOIs are sometimes upper-cased, arXiv numbers are four digits
until 1412 and five from 1501.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from enrich.testing import _words as w

__all__ = [
    "ARXIV_VENUE",
    "DOI_VENUES",
    "NOW",
    "VENUES",
    "IdAllocator",
    "Venue",
    "ascii_name",
    "author_count",
    "authors",
    "citations",
    "comment",
    "dates",
    "pick_category",
    "pick_month",
    "preprint_shape",
    "published_shape",
    "weighted",
]

#: The generated world's "today": nothing is published or pushed after it.
NOW = dt.datetime(2026, 5, 31, 23, 59, tzinfo=dt.UTC)
_UTC = dt.UTC
_VENUE_NS = uuid.UUID("6f1b7a52-35b2-4c8e-9a0e-5d4c3b2a1908")  # ours: synthetic venue ids


@dataclass(frozen=True)
class Venue:
    """A publication venue as Semantic Scholar spells it."""

    name: str  # publicationVenue.name
    spellings: tuple[str, ...]  # values seen in the plain `venue` field
    type: str  # "conference" | "journal"
    acronym: str
    alternate_names: tuple[str, ...] = ()
    issn: str | None = None
    url: str | None = None
    #: DOI pattern ({year} {yy} {vol} {n2}..{n7} {c5} {c7} {d}); None: mints no DOIs
    doi: str | None = None
    #: pattern for years before 2020 (ACL Anthology switched id style in 2020)
    doi_before_2020: str | None = None

    @property
    def venue_id(self) -> str:
        return str(uuid.uuid5(_VENUE_NS, self.name))


VENUES: tuple[Venue, ...] = (
    Venue("Neural Information Processing Systems",
          ("Neural Information Processing Systems", "NeurIPS", "NIPS"), "conference", "NeurIPS",
          ("Neural Inf Process Syst", "NeurIPS", "NIPS", "Adv Neural Inf Process Syst"),
          url="http://neurips.cc/"),
    Venue("International Conference on Machine Learning",
          ("International Conference on Machine Learning", "ICML"), "conference", "ICML",
          ("ICML", "Int Conf Mach Learn"), url="https://icml.cc/"),
    Venue("International Conference on Learning Representations",
          ("International Conference on Learning Representations", "ICLR"), "conference", "ICLR",
          ("Int Conf Learn Represent", "ICLR"), url="https://iclr.cc/"),
    Venue("Annual Meeting of the Association for Computational Linguistics",
          ("Annual Meeting of the Association for Computational Linguistics", "ACL"),
          "conference", "ACL", ("Annu Meet Assoc Comput Linguistics", "ACL"),
          doi="10.18653/v1/{year}.acl-long.{n3}", doi_before_2020="10.18653/v1/P{yy}-{n4}"),
    Venue("Conference on Empirical Methods in Natural Language Processing",
          ("Conference on Empirical Methods in Natural Language Processing", "EMNLP"),
          "conference", "EMNLP", ("Empir Method Nat Lang Process", "EMNLP"),
          doi="10.18653/v1/{year}.emnlp-main.{n3}", doi_before_2020="10.18653/v1/D{yy}-{n4}"),
    Venue("North American Chapter of the Association for Computational Linguistics",
          ("North American Chapter of the Association for Computational Linguistics", "NAACL"),
          "conference", "NAACL", ("NAACL", "North Am Chapter Assoc Comput Linguistics"),
          doi="10.18653/v1/{year}.naacl-main.{n3}", doi_before_2020="10.18653/v1/N{yy}-{n4}"),
    Venue("Findings", ("Findings of the Association for Computational Linguistics", "Findings"),
          "conference", "Findings", ("Find Assoc Comput Linguistics",),
          doi="10.18653/v1/{year}.findings-acl.{n3}"),
    Venue("Computer Vision and Pattern Recognition",
          ("Computer Vision and Pattern Recognition", "CVPR",
           "2022 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"),
          "conference", "CVPR", ("CVPR", "Comput Vis Pattern Recognit"),
          doi="10.1109/CVPR{c5}.{year}.{n5}"),
    Venue("IEEE International Conference on Computer Vision",
          ("IEEE International Conference on Computer Vision", "ICCV"), "conference", "ICCV",
          ("ICCV", "IEEE Int Conf Comput Vis"), doi="10.1109/ICCV{c5}.{year}.{n5}"),
    Venue("European Conference on Computer Vision",
          ("European Conference on Computer Vision", "ECCV"), "conference", "ECCV",
          ("ECCV", "Eur Conf Comput Vis"), doi="10.1007/978-3-031-{n5}-{d}_{n2}"),
    Venue("AAAI Conference on Artificial Intelligence",
          ("AAAI Conference on Artificial Intelligence", "AAAI"), "conference", "AAAI",
          ("AAAI", "Natl Conf Artif Intell"), doi="10.1609/aaai.v{vol}i{n2}.{n5}"),
    Venue("Knowledge Discovery and Data Mining", ("Knowledge Discovery and Data Mining", "KDD"),
          "conference", "KDD", ("KDD", "Knowl Discov Data Min"), doi="10.1145/{c7}.{n7}"),
    Venue("IEEE Transactions on Pattern Analysis and Machine Intelligence",
          ("IEEE Transactions on Pattern Analysis and Machine Intelligence",
           "IEEE Trans. Pattern Anal. Mach. Intell."), "journal", "TPAMI",
          ("IEEE Trans Pattern Anal Mach Intell",), issn="0162-8828",
          doi="10.1109/TPAMI.{year}.{n7}"),
    Venue("Journal of machine learning research",
          ("Journal of machine learning research", "J. Mach. Learn. Res."), "journal", "JMLR",
          ("J Mach Learn Res",), issn="1532-4435", url="http://www.jmlr.org/"),
    Venue("Nature", ("Nature",), "journal", "Nature", (), issn="0028-0836",
          url="https://www.nature.com/", doi="10.1038/s41586-{yy}-{n5}-{d}"),
    Venue("Pattern Recognition", ("Pattern Recognition",), "journal", "PR",
          ("Pattern Recognit",), issn="0031-3203", doi="10.1016/j.patcog.{year}.{n6}"),
    Venue("International Journal of Computer Vision",
          ("International Journal of Computer Vision",), "journal", "IJCV",
          ("Int J Comput Vis",), issn="0920-5691", doi="10.1007/s11263-{yy}-{n5}-{d}"),
    Venue("Neural Networks", ("Neural Networks",), "journal", "NN", ("Neural Netw",),
          issn="0893-6080", doi="10.1016/j.neunet.{year}.{n2}.{n3}"),
    Venue("IEEE Transactions on Neural Networks and Learning Systems",
          ("IEEE Transactions on Neural Networks and Learning Systems",), "journal", "TNNLS",
          ("IEEE Trans Neural Netw Learn Syst",), issn="2162-237X",
          doi="10.1109/TNNLS.{year}.{n7}"),
    Venue("Transactions on Machine Learning Research",
          ("Transactions on Machine Learning Research", "Trans. Mach. Learn. Res."), "journal",
          "TMLR", ("Trans Mach Learn Res",), issn="2835-8856"),
)  # fmt: skip

ARXIV_VENUE = Venue(
    "arXiv.org", ("arXiv.org",), "journal", "arXiv", ("ArXiv",), issn="2331-8422",
    url="https://arxiv.org",
)  # fmt: skip
DOI_VENUES: tuple[Venue, ...] = tuple(v for v in VENUES if v.doi)


def ascii_name(text: str) -> str:
    """ASCII letters and digits of ``text``, accents dropped (``"Nguyễn"`` -> ``"Nguyen"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


_CUMULATIVE: dict[tuple[tuple[Any, float], ...], tuple[tuple[Any, ...], list[float]]] = {}


def weighted(rng: random.Random, options: tuple[tuple[Any, float], ...]) -> Any:
    """One value of ``((value, weight), ...)``, drawn by weight."""
    # The generator's most frequent call: reuse the cumulative weights.
    cached = _CUMULATIVE.get(options)
    if cached is None:
        values = tuple(o for o, _ in options)
        cached = _CUMULATIVE[options] = (values, list(itertools.accumulate(p for _, p in options)))
    return rng.choices(cached[0], cum_weights=cached[1])[0]


class IdAllocator:
    """Hands out unique arXiv ids, S2 ids, corpus ids, repo ids and DOIs."""

    def __init__(self, rng: random.Random, *, high_arxiv_numbers: bool = False) -> None:
        self._rng = rng
        # Numbers 90000-99999 (9000-9999 before 2015) lie above every month's real
        # submission count so far, so such ids cannot be mistaken for real papers.
        self._high = high_arxiv_numbers
        self._arxiv: set[str] = set()
        self._hex: set[str] = set()
        self._ints: set[int] = set()
        self._dois: set[str] = set()

    def reserve_arxiv(self, arxiv_id: str) -> None:
        self._arxiv.add(arxiv_id)

    def arxiv(self, year: int, month: int) -> str:
        """A free id valid for ``year``-``month`` (old style before April 2007)."""
        rng = self._rng
        if (year, month) < (2007, 4):
            archive = rng.choice(w.OLD_ARCHIVES)[0]
            while True:
                candidate = f"{archive}/{year % 100:02d}{month:02d}{rng.randint(1, 999):03d}"
                if candidate not in self._arxiv:
                    break
        else:
            four = (year, month) < (2015, 1)
            low, high = (1, _monthly_ceiling(year))
            if self._high:
                low, high = (9000, 9999) if four else (90000, 99999)
            while True:
                number = rng.randint(low, high)
                candidate = f"{year % 100:02d}{month:02d}.{number:0{4 if four else 5}d}"
                if candidate not in self._arxiv:
                    break
        self._arxiv.add(candidate)
        return candidate

    def s2_paper_id(self) -> str:
        while True:
            candidate = f"{self._rng.getrandbits(160):040x}"
            if candidate not in self._hex:
                self._hex.add(candidate)
                return candidate

    def number(self, low: int, high: int) -> int:
        """A unique int in [low, high] (corpus ids, repo ids share one pool)."""
        while True:
            candidate = self._rng.randint(low, high)
            if candidate not in self._ints:
                self._ints.add(candidate)
                return candidate

    def doi(self, venue: Venue, year: int) -> str:
        rng = self._rng
        pattern = venue.doi_before_2020 if year < 2020 and venue.doi_before_2020 else venue.doi
        assert pattern is not None
        while True:
            candidate = pattern.format(
                year=year, yy=f"{year % 100:02d}", vol=max(1, year - 1986),
                n2=rng.randint(1, 24), n3=rng.randint(1, 899), n4=f"{rng.randint(1, 1600):04d}",
                n5=f"{rng.randint(10000, 99999)}", n6=f"{rng.randint(100000, 112000)}",
                n7=f"{rng.randint(3000000, 3700000)}", d=rng.randint(0, 9),
                c5=f"{rng.randint(40000, 60000)}", c7=f"{rng.randint(3000000, 3700000)}",
            )  # fmt: skip
            if candidate.lower() not in self._dois:
                self._dois.add(candidate.lower())
                return candidate


def _monthly_ceiling(year: int) -> int:
    # Rough monthly submission counts, so numbers look like their month's.
    if year < 2011:
        return 6000
    if year < 2015:
        return 8500
    if year < 2018:
        return 11000
    if year < 2021:
        return 16000
    if year < 2024:
        return 20000
    return 26000


_YEAR_WEIGHTS = tuple(
    (2015 + i, wt) for i, wt in enumerate((1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 2.2))
)


def pick_month(rng: random.Random, *, recent: bool = False) -> tuple[int, int]:
    """A (year, month) for a paper: mostly 2015-2026, some 2007-2014, a few pre-2007."""
    roll = rng.random()
    if recent:
        year = 2026 if roll < 0.5 else 2025
    elif roll < 0.02:
        year = rng.randint(1996, 2006)
    elif roll < 0.12:
        year = rng.randint(2007, 2014)
    else:
        year = weighted(rng, _YEAR_WEIGHTS)
    month = rng.randint(1, 5 if year == 2026 else 12)
    if year == 2007 and roll >= 0.02:
        month = rng.randint(4, 12)
    return year, month


def dates(
    rng: random.Random, year: int, month: int, versions: int, *, day: int | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """(v1 date, latest version date) for a paper submitted in ``year``-``month``."""
    published = dt.datetime(
        year, month, day or rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
        rng.randint(0, 59), tzinfo=_UTC,
    )  # fmt: skip
    updated = published
    for _ in range(versions - 1):
        updated += dt.timedelta(days=rng.randint(1, 240), seconds=rng.randint(0, 86399))
    return published, max(published, min(updated, NOW))


def pick_category(rng: random.Random, arxiv_id: str) -> list[str]:
    if "/" in arxiv_id:
        archive = arxiv_id.split("/")[0]
        options = [cat for arch, cat in w.OLD_ARCHIVES if arch == archive]
        return [rng.choice(options)]
    primary = weighted(rng, w.CATEGORIES)
    extra = [c for c, _ in rng.sample(w.CATEGORIES, rng.randint(0, 2)) if c != primary]
    return [primary, *extra]


def author_count(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.015:
        return 34
    if roll < 0.02:
        return rng.randint(40, 120)
    if roll < 0.3:
        return rng.randint(1, 3)
    if roll < 0.85:
        return rng.randint(4, 8)
    return rng.randint(9, 20)


def authors(rng: random.Random, count: int) -> list[str]:
    return [f"{rng.choice(w.FIRST_NAMES)} {rng.choice(w.LAST_NAMES)}" for _ in range(count)]


def citations(rng: random.Random, year: int) -> tuple[int, int, int]:
    """Heavy-tailed (citationCount, influentialCitationCount, referenceCount)."""
    age = max(0, NOW.year - year)
    tail = rng.paretovariate(1.15) - 1.0
    cites = min(int(tail * (1 + age) * 4), 250_000)
    influential = int(cites * rng.uniform(0.0, 0.12))
    references = 0 if rng.random() < 0.08 else rng.randint(8, 120)
    return cites, influential, references


def _publication_venue(rng: random.Random, venue: Venue) -> dict[str, Any]:
    pv: dict[str, Any] = {"id": venue.venue_id, "name": venue.name}
    if rng.random() < 0.85:  # `type` can be missing (SCHEMA_NOTES S2 4)
        pv["type"] = venue.type
    if venue.alternate_names:
        pv["alternate_names"] = list(venue.alternate_names)
    if venue.issn:
        pv["issn"] = venue.issn
    if venue.url:
        pv["url"] = venue.url
    return pv


def preprint_shape(
    rng: random.Random, arxiv_id: str
) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    """(venue, publicationVenue, journal) of an S2 record that only knows the preprint."""
    roll = rng.random()
    if roll < 0.5:
        venue, pv = "arXiv.org", _publication_venue(rng, ARXIV_VENUE)
    elif roll < 0.85:
        venue, pv = "", None
    else:
        venue, pv = "ArXiv", None
    roll = rng.random()
    if roll < 0.5:
        journal: dict[str, Any] | None = {"name": "ArXiv", "volume": f"abs/{arxiv_id}"}
    elif roll < 0.7:
        journal = {"name": "ArXiv"}
    else:
        journal = None
    return venue, pv, journal


def published_shape(
    rng: random.Random, venue: Venue, year: int
) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    """(venue, publicationVenue, journal) of an S2 record for a published version."""
    spelling = rng.choice(venue.spellings)
    pv = None if rng.random() < 0.25 else _publication_venue(rng, venue)
    start = rng.randint(1, 9000)
    pages = f"{start}-{start + rng.randint(5, 20)}"
    roll = rng.random()
    journal: dict[str, Any] | None
    if venue.type == "conference":
        if roll < 0.25:
            journal = None
        elif roll < 0.5:
            journal = {"pages": pages}
        elif roll < 0.7:
            journal = {"name": f"Proceedings of {venue.acronym} {year}", "pages": pages}
        elif roll < 0.8:
            journal = {"volume": str(max(1, year - 1986))}
        else:
            journal = {"name": spelling}
    elif roll < 0.4:
        journal = {"name": venue.name, "volume": str(rng.randint(1, 60)), "pages": pages}
    elif roll < 0.6:
        journal = {"name": venue.name, "volume": f"{rng.randint(1, 120)} {rng.randint(1, 12)}"}
    elif roll < 0.7:
        journal = {"name": venue.name, "pages": f"\n          {pages}\n        "}
    elif roll < 0.8:
        journal = {"volume": str(rng.randint(1, 60))}
    else:
        journal = {"name": venue.name}
    return spelling, pv, journal


def comment(rng: random.Random, year: int, code_url: str | None) -> str | None:
    """An arXiv comment; with ``code_url`` it always carries the link."""
    venue = rng.choice(VENUES).acronym
    if code_url is not None:
        return rng.choice(
            (
                f"Code: {code_url}",
                f"Code is available at {code_url}.",
                f"Accepted at {venue} {min(year + 1, NOW.year)}. Code: {code_url}",
                f"{rng.randint(8, 40)} pages, {rng.randint(1, 12)} figures; code and data at {code_url}",
                f"Project page: https://{code_url.rsplit('/', 2)[-2].lower()}.github.io/; "
                f"code: {code_url}",
            )
        )
    if rng.random() < 0.5:
        return None
    return rng.choice(w.COMMENTS).format(
        n=rng.randint(4, 60), m=rng.randint(1, 15), t=rng.randint(1, 9), v=venue,
        y=min(year + rng.randint(0, 1), NOW.year), k=rng.choice(w.TASKS).lower(),
    )  # fmt: skip
