"""Semantic Scholar's ``/paper/search/bulk`` as a batched title lookup: pure parts.

The endpoint takes a boolean ``query`` (S2 Graph API docs, "Paper bulk search"):
``"..."`` collects words into a phrase, ``|`` is OR, ``+`` AND, ``-`` negates,
``*`` is a prefix, ``(``/``)`` set precedence, ``~N`` is a word's edit distance
or a phrase's slop.  Terms are stemmed in English and matched against the
title **and the abstract**.  A page holds up to 1,000 papers, unranked
(``paperId`` order unless ``sort`` says otherwise), with ``total`` and, while
more remain, a continuation ``token``.

So several titles can be asked in one request as ``"t1" | "t2" | ...``, and
each answer is only a candidate:

* every phrase is sanitised: the operator characters never reach the query
  (inside quotes a hyphen is harmless to S2's own analyzer, which splits there
  anyway, but a stray ``"`` would end the phrase early and turn the rest of the
  title into operators; outside quotes ``-`` is negation, s2-folks #172/#203);
  they become spaces, which is also how the analyzer reads them;
* the OR is flat: grouping has been reported ignored (s2-folks #162), so the
  query never depends on parentheses;
* a paper comes back when the phrase is in its abstract only (a famous title
  quoted by another paper), and stemming lets near-phrases in too, so each
  candidate is judged by :func:`enrich._match.choose`; a title with two
  accepted candidates is ambiguous and left to ``/paper/search/match``, which
  names one best match;
* except for one work in two records: S2 sometimes keeps a preprint and its
  published version apart (s2-folks #193).  When every accepted record has the
  same title, shares authors with the others and lies within the matcher's year
  window, and exactly one of them carries an arXiv id, that one is taken: it is
  the record an arXiv id lookup would have named, so a title-only row and an
  id row for the same paper report the same ``paperId``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from enrich._exceptions import ResponseError
from enrich._inputs._bibtex import latex_to_text
from enrich._match import (
    YEAR_WINDOW,
    Candidate,
    MatchDecision,
    TitleQuery,
    authors_overlap,
    choose,
    normalize_title,
)
from enrich._models import S2Record

__all__ = [
    "MIN_PHRASE_WORDS",
    "BulkPage",
    "BulkVerdict",
    "bulk_phrase",
    "bulk_query",
    "parse_bulk_page",
    "plan_groups",
    "verify",
]

_SOURCE: Final = "s2"
#: A phrase needs this many words to be asked in bulk.  Shorter titles ("BERT",
#: "Deep Learning") are quoted in so many abstracts that their pages overflow;
#: they go to ``/paper/search/match`` directly.
MIN_PHRASE_WORDS: Final = 3
# The query operators of the bulk endpoint (docs) and the backslash that escapes
# them, plus every dash a title may use (read as "-" by some analyzers) and
# control characters.  Each becomes a space.
_OPERATOR_RE = re.compile(r'["|+\-()*~\\\u2010-\u2015\u2212\u00ad\x00-\x1f\x7f]+')
# A word of the phrase as S2's analyzer will see it: anything but spaces.
_SPACES_RE = re.compile(r"\s+")
# Page papers are judged against every title of their group: normalise each once.
_normalize = functools.lru_cache(maxsize=1 << 13)(normalize_title)
#: Share of a query's words a page paper's title must hold to be judged at all
#: (the matcher's threshold needs far more; this only saves CPU).
_PREFILTER_COVER: Final = 0.5


def bulk_phrase(title: str) -> str | None:
    """The quoted phrase(s) a title is asked as, or None when it is too short.

    LaTeX (arXiv titles, BibTeX) becomes the Unicode S2 usually prints
    (``Schr{\\"o}dinger`` is ``Schrödinger``), and is also asked as written,
    when it holds math (some S2 titles keep ``$...$``); a title with accented letters is also asked
    with them folded (``Schrodinger``), since how S2's analyzer folds is not
    documented.  The variants are OR-ed; each answer is verified anyway.  Everything else is left for S2's analyzer, which tokenises the
    phrase as it tokenised the titles (``Qwen2.5``, ``Don't``, ``U.S.``).

    >>> bulk_phrase('BERT: Pre-training of "Deep" (Bidirectional) Transformers | +more*')
    '"BERT: Pre training of Deep Bidirectional Transformers more"'
    >>> bulk_phrase(r'G{\\"o}del Machines Are All You Need')
    '"Gödel Machines Are All You Need" | "Godel Machines Are All You Need"'
    >>> bulk_phrase("Deep Learning") is None
    True
    """
    if len(normalize_title(title).split()) < MIN_PHRASE_WORDS:
        return None
    plain = latex_to_text(title) if any(c in title for c in "\\{}$") else title
    # S2 prints some titles with their LaTeX kept ("$\\beta$-Mixer"): asked as written too.
    variants = [plain, _fold(plain), *([title] if "$" in title else [])]
    phrases = []
    for variant in variants:
        text = _SPACES_RE.sub(" ", _OPERATOR_RE.sub(" ", variant)).strip()
        if text and f'"{text}"' not in phrases:
            phrases.append(f'"{text}"')
    return " | ".join(phrases) if phrases else None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def bulk_query(phrases: Sequence[str]) -> str:
    """Phrases OR-ed flat (no parentheses: grouping has been reported ignored)."""
    return " | ".join(phrases)


def plan_groups(phrases: Sequence[str], *, size: int, max_chars: int) -> list[list[int]]:
    """Indices of ``phrases`` in request groups: at most ``size`` each, and a query
    of at most ``max_chars`` characters (a longer single phrase is a group alone)."""
    groups: list[list[int]] = []
    current: list[int] = []
    length = 0
    for i, phrase in enumerate(phrases):
        extra = len(phrase) + (3 if current else 0)
        if current and (len(current) >= size or length + extra > max_chars):
            groups.append(current)
            current, length = [], 0
            extra = len(phrase)
        current.append(i)
        length += extra
    if current:
        groups.append(current)
    return groups


@dataclass(frozen=True)
class BulkPage:
    """One page of ``/paper/search/bulk``."""

    #: S2's estimate of the matching papers, over all pages
    total: int
    #: continuation token; None on the last page
    token: str | None
    papers: tuple[S2Record, ...]


def parse_bulk_page(payload: Any) -> BulkPage:
    """A bulk search answer: ``{"total": n, "token": t|null, "data": [...]}``.

    ``data`` may be absent or null on an empty answer; unusable items are dropped.

    Raises:
        ResponseError: not an object, or no ``total``/``data`` (e.g. a 429 body).
    """
    from enrich.adapters.semantic_scholar import parse_papers  # the one paper parser

    if not isinstance(payload, Mapping):
        raise ResponseError(
            f"bulk search answer is a {type(payload).__name__}, not an object", source=_SOURCE
        )
    if "total" not in payload and "data" not in payload:
        raise ResponseError(
            f"bulk search answer without total or data (keys {sorted(payload)})", source=_SOURCE
        )
    total = payload.get("total")
    data = payload.get("data") or []
    if not isinstance(data, list):
        raise ResponseError("bulk search data is not a list", source=_SOURCE)
    papers = parse_papers(data)
    token = payload.get("token")
    return BulkPage(
        total=total if isinstance(total, int) and not isinstance(total, bool) else len(papers),
        token=token if isinstance(token, str) and token else None,
        papers=tuple(papers),
    )


@dataclass(frozen=True)
class BulkVerdict:
    """What the bulk answers say about one title.

    ``record`` is set only when exactly one paper passed the matcher; then
    ``decision`` is that acceptance.  Otherwise ``decision`` is a rejection and
    ``reason`` says why: ``"missed"`` (no paper's title passed; the phrase may be
    in abstracts only), ``"ambiguous"`` (two or more passed), ``"truncated"``
    (pages left unread, so a second candidate cannot be ruled out),
    ``"unsearchable"`` (too short to ask in bulk) or ``"refused"`` (S2 refused
    even the title alone).
    """

    record: S2Record | None
    decision: MatchDecision
    reason: str | None = None

    @property
    def settled(self) -> bool:
        return self.record is not None


def verify(query: TitleQuery, papers: Sequence[S2Record], threshold: float) -> BulkVerdict:
    """Judge every page paper as a candidate for ``query`` (precision first)."""
    query_words = set(_normalize(query.title).split())
    if not query_words:
        return BulkVerdict(None, choose(query, []), "unsearchable")
    pool: list[S2Record] = []
    seen: set[str] = set()
    for paper in papers:
        if paper.paper_id in seen:
            continue
        words = set(_normalize(paper.title or "").split())
        if len(query_words & words) >= _PREFILTER_COVER * len(query_words):
            seen.add(paper.paper_id)
            pool.append(paper)
    candidates = [_candidate(p) for p in pool]
    alone = [choose(query, [c], threshold=threshold) for c in candidates]
    accepted = [pool[i] for i, d in enumerate(alone) if d.accepted]
    taken = accepted[0] if len(accepted) == 1 else _preprint_of_one_work(accepted)
    if taken is not None:
        return BulkVerdict(taken, alone[pool.index(taken)])
    decision = choose(query, candidates, threshold=threshold)
    if len(accepted) > 1:
        rivals = ", ".join(repr(p.title) for p in accepted[:3])
        reject = MatchDecision(
            None,
            decision.score,
            None,
            decision.candidate_title,
            f"ambiguous: {len(accepted)} Semantic Scholar records pass ({rivals})",
        )
        return BulkVerdict(None, reject, "ambiguous")
    return BulkVerdict(None, decision, "missed")


def _preprint_of_one_work(records: Sequence[S2Record]) -> S2Record | None:
    """The arXiv-linked record when ``records`` are one work's versions, else None."""
    if len(records) < 2:
        return None
    linked = [r for r in records if r.arxiv_id]
    if len(linked) != 1:
        return None
    if len({_normalize(r.title or "") for r in records}) != 1:
        return None
    years = [r.year for r in records if r.year is not None]
    if years and max(years) - min(years) > YEAR_WINDOW:
        return None
    preprint = linked[0]
    for other in records:
        if other is preprint:
            continue
        # Authors are required on both sides: two records with one title and no
        # authors to compare may be two papers.
        if not (preprint.authors and other.authors):
            return None
        if not authors_overlap(preprint.authors, other.authors):
            return None
    return preprint


def _candidate(paper: S2Record) -> Candidate:
    return Candidate(title=paper.title or "", year=paper.year, authors=paper.authors)
