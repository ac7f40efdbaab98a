"""The arXiv export API: records by id (``id_list``) and by title (``search_query``).

Requests are batched: up to ``batch_size`` ids in one ``id_list`` request, and
several titles OR-ed into one ``search_query``.  Results are matched back by id
or by title, never by position, because the API returns entries in no
guaranteed order and silently drops unknown ids.

A title is resolved in up to three steps, each batched across titles: a phrase
search (:meth:`ArxivAdapter.search_titles`); for titles it missed, a looser
search on significant words or opening words
(:meth:`ArxivAdapter.search_titles_loosely`); and for a paper that may have
been renamed since it was listed (the API searches only the latest version's
title), its earlier versions fetched by versioned id, whose titles confirm it
or not (:meth:`ArxivAdapter.resolve_earlier_titles`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from enrich._config import DEFAULT_ARXIV_TITLES_PER_QUERY, SourceSettings
from enrich._exceptions import ResponseError
from enrich._ids import parse_arxiv_id
from enrich._match import (
    STOPWORDS,
    Candidate,
    TitleQuery,
    choose,
    normalize_title,
    significant_terms,
)
from enrich._models import ArxivRecord
from enrich._wire import Request
from enrich.adapters._arxiv_phrases import index_tokens, segments
from enrich.adapters._atom import ArxivFeed, parse_feed
from enrich.adapters.base import Adapter, Resolved, Sender, chunked, register

__all__ = [
    "DEFAULT_EARLIER_VERSIONS",
    "DEFAULT_FALLBACK_TERMS",
    "DEFAULT_RESULTS_PER_TITLE",
    "ArxivAdapter",
    "ArxivFeed",
    "LooseResult",
    "parse_feed",
]

#: Entries asked for per title in a combined title search.  Relevance ranking
#: puts the shortest title containing a phrase first, so the exact title is
#: near the top even when longer titles extend it ("... in speech separation").
DEFAULT_RESULTS_PER_TITLE: Final = 10
#: Words AND-ed in the fallback search for a title that found nothing: few
#: enough to survive a later version's reworded title, enough to stay specific.
DEFAULT_FALLBACK_TERMS: Final = 4
#: Earlier versions fetched per candidate when looking for a renamed paper.  The
#: export API searches only the latest version's title, while listings keep the
#: title they first showed (usually v1's), so a renamed paper is found through
#: its opening words and confirmed by an earlier version's exact title.
DEFAULT_EARLIER_VERSIONS: Final = 4
# Separators between a main title and its subtitle ("X: Y", "X - Y", "X -- Y").
_HEAD_SEPARATOR_RE = re.compile(r":|\s[-\u2013\u2014]{1,2}\s")
#: Least Indel ratio (``rapidfuzz.fuzz.ratio``, 0-1) of normalised titles for an
#: entry to be kept as the candidate for review when none was accepted.
_REVIEW_GATE: Final = 0.5
# arXiv serves at most 2,000 entries per request (user manual, paging).
_MAX_RESULTS_PER_REQUEST: Final = 2000
_WORD_RE = re.compile(r"^\w+$")
# An old-style id may carry a subject class (math.GT/0309136) that the entry
# id omits (math/0309136v1); compare without it.
_SUBJECT_CLASS_RE = re.compile(r"^([a-z-]+)\.[a-z]{2}/", re.IGNORECASE)


@dataclass(frozen=True)
class LooseResult:
    """One title's outcome in a loose search (:meth:`ArxivAdapter.search_titles_loosely`).

    Attributes:
        resolved: the accepted record, or None with the best rejected candidate.
        renamed: entries with earlier versions whose current title opens like
            the queried one: the paper may have been renamed, which only an
            earlier version's title can confirm (:meth:`ArxivAdapter.resolve_earlier_titles`).
    """

    resolved: Resolved[ArxivRecord]
    renamed: tuple[ArxivRecord, ...] = ()


@register
class ArxivAdapter(Adapter):
    """Fetch arXiv records by id and resolve titles to records.

    Args:
        client: what sends requests (an :class:`enrich.Client`).
        settings: ``Settings.source("arxiv")``.
        titles_per_query: titles OR-ed into one ``search_query``.
        results_per_title: entries asked for per title in such a query.
        fallback_terms: significant words AND-ed per title in the fallback search.
        earlier_versions: earlier versions checked per candidate for a renamed paper.

    >>> from enrich._config import Settings
    >>> adapter = ArxivAdapter(client=None, settings=Settings().source("arxiv"))  # none needed to build
    >>> adapter.build_id_request(["2106.09685"]).full_url
    'https://export.arxiv.org/api/query?search_query=&id_list=2106.09685&start=0&max_results=1'
    """

    name = "arxiv"

    def __init__(
        self,
        client: Sender,
        settings: SourceSettings,
        *,
        titles_per_query: int = DEFAULT_ARXIV_TITLES_PER_QUERY,
        results_per_title: int = DEFAULT_RESULTS_PER_TITLE,
        fallback_terms: int = DEFAULT_FALLBACK_TERMS,
        earlier_versions: int = DEFAULT_EARLIER_VERSIONS,
    ) -> None:
        super().__init__(client, settings)
        if min(titles_per_query, results_per_title, fallback_terms, earlier_versions) < 1:
            raise ValueError(
                "titles_per_query, results_per_title, fallback_terms and earlier_versions"
                " must be >= 1"
            )
        self.titles_per_query = titles_per_query
        self.results_per_title = results_per_title
        self.fallback_terms = fallback_terms
        self.earlier_versions = earlier_versions

    # -- by id ---------------------------------------------------------------

    def build_id_request(self, ids: Sequence[str]) -> Request:
        """The ``id_list`` request for ``ids`` (sent as given, comma-separated).

        ``max_results`` is set to the number of ids: the API's default of 10
        would truncate longer lists (arxiv.py #19).
        """
        if not ids:
            raise ValueError("build_id_request needs at least one id")
        return Request(
            source=self.name,
            method="GET",
            url=self.settings.url,
            params=(
                ("search_query", ""),
                ("id_list", ",".join(ids)),
                ("start", "0"),
                ("max_results", str(len(ids))),
            ),
            expect="xml",
            # A malformed id is answered with HTTP 400 and an Atom Error entry.
            answer_statuses=frozenset({400}),
        )

    def fetch_id_chunk(self, ids: Sequence[str]) -> dict[str, ArxivRecord]:
        """Records for up to ``batch_size`` ids, keyed by version-less id.

        Ids may be versioned (``2104.12255v1``: that version is returned) or not
        (the latest version).  Unknown ids are absent from the result, and so are
        ids arXiv rejects as malformed; the rest of a chunk holding a malformed
        id is asked again without it, in one more request.  Ids that cannot be
        arXiv ids at all are never sent.

        Raises:
            ValueError: more ids than ``settings.batch_size``.
            ResponseError: arXiv reported errors naming none of the ids sent.
            SourceError: whatever the client raises after its retries.
        """
        if len(ids) > self.settings.batch_size:
            raise ValueError(
                f"{len(ids)} ids exceed the arXiv batch size {self.settings.batch_size}"
            )
        wanted: dict[str, str] = {}  # id as sent -> version-less result key
        for raw in ids:
            parsed = parse_arxiv_id(raw)
            if parsed is not None:
                wanted.setdefault(str(parsed), parsed.id)
        found: dict[str, ArxivRecord] = {}
        to_send = list(wanted)
        while to_send:
            feed = self._send(self.build_id_request(to_send))
            by_key = {_match_key(wanted[sent]): wanted[sent] for sent in to_send}
            for record in feed.records:
                key = by_key.get(_match_key(record.arxiv_id))
                # Asked both with and without a version: keep the latest, whatever the order.
                if key is not None and (key not in found or _newer(record, found[key])):
                    found[key] = record
            if not feed.errors:
                break
            rejected = _rejected_ids(feed.errors, to_send)
            if not rejected:
                raise ResponseError(
                    f"arXiv rejected the id list: {'; '.join(feed.errors)}", source=self.name
                )
            to_send = [
                sent for sent in to_send if sent not in rejected and wanted[sent] not in found
            ]
        return found

    # -- by title ------------------------------------------------------------

    def build_title_request(self, titles: Sequence[str]) -> Request:
        """One ``search_query`` asking for all ``titles`` as title phrases.

        Each title becomes ``ti:"w1 w2 ..."`` built from its normalised words
        (punctuation that breaks arXiv's query syntax, such as ``:`` in titles,
        langchain #9046, is gone); the phrases are OR-ed.

        Raises:
            ValueError: no title has a searchable word.
        """
        clauses = [clause for title in titles if (clause := _phrase_clause(title)) is not None]
        if not clauses:
            raise ValueError("no title with a searchable word")
        return self._search_request(" OR ".join(clauses), len(clauses))

    def build_fallback_request(self, titles: Sequence[str]) -> Request:
        """One ``search_query`` OR-ing ``(ti:w1 AND ti:w2 ...)`` per title.

        The words are each title's most significant ones, so a paper whose later
        version reworded its title (listings often show the first title) is
        still found.

        Raises:
            ValueError: no title has a searchable word.
        """
        clauses = [
            clause
            for title in titles
            if (clause := _terms_clause(title, self.fallback_terms)) is not None
        ]
        if not clauses:
            raise ValueError("no title with a searchable word")
        return self._search_request(" OR ".join(clauses), len(clauses))

    def search_titles(self, queries: Sequence[TitleQuery]) -> list[Resolved[ArxivRecord]]:
        """Resolve up to ``titles_per_query`` titles with one phrase search.

        Every returned entry that resembles a title at all is a candidate for
        it, judged by :func:`enrich._match.choose` (title, year of first
        publication, authors).  A title without a searchable word gets no
        request and ``record=None``.

        Raises:
            ValueError: more queries than ``titles_per_query``.
            SourceError: whatever the client raises after its retries.
        """
        self._check_size(queries)
        results = [Resolved[ArxivRecord](record=None, decision=choose(q, [])) for q in queries]
        searchable = [i for i, q in enumerate(queries) if _phrase_clause(q.title) is not None]
        if searchable:
            feed = self._search(self.build_title_request([queries[i].title for i in searchable]))
            keys = _keys(feed.records)
            for i in searchable:
                results[i] = _decide(
                    queries[i], feed.records, None, self.settings.match_threshold, keys
                )
        return results

    def search_titles_loosely(
        self,
        queries: Sequence[TitleQuery],
        previous: Sequence[Resolved[ArxivRecord]] | None = None,
    ) -> list[LooseResult]:
        """One looser search for up to ``titles_per_query`` titles a phrase search missed.

        Per title, its most significant words AND-ed (a reworded later version
        still has most of them) OR its opening words as a phrase (a renamed
        paper usually keeps them).  Entries that open like the title and have
        earlier versions come back as ``renamed`` candidates.  ``previous``
        (the phrase search's results) keeps the better rejected candidate.

        Raises:
            ValueError: more queries than ``titles_per_query``.
            SourceError: whatever the client raises after its retries.
        """
        self._check_size(queries)
        before = list(previous) if previous is not None else [None] * len(queries)
        results = [
            LooseResult(resolved=p if p is not None else Resolved(None, choose(q, [])))
            for q, p in zip(queries, before, strict=True)
        ]
        clauses = {i: c for i, q in enumerate(queries) if (c := self._loose_clause(q.title))}
        if not clauses:
            return results
        query = " OR ".join(clauses.values())
        feed = self._search(self._search_request(query, len(clauses)))
        keys = _keys(feed.records)
        for i in clauses:
            resolved = _decide(
                queries[i], feed.records, before[i], self.settings.match_threshold, keys
            )
            renamed: tuple[ArxivRecord, ...] = ()
            # Index tokens ("qwen2.5") compared as comparison-key words ("qwen2 5").
            opening = _key_words(_normalize(" ".join(_opening_words(queries[i].title))))
            if resolved.record is None and opening:
                renamed = tuple(
                    entry
                    for entry, key in zip(feed.records, keys, strict=True)
                    if (entry.version or 1) > 1 and _key_words(key)[: len(opening)] == opening
                )
            results[i] = LooseResult(resolved=resolved, renamed=renamed)
        return results

    def earlier_version_ids(self, candidates: Sequence[ArxivRecord]) -> list[str]:
        """The versioned ids :meth:`resolve_earlier_titles` asks for these candidates."""
        ids: list[str] = []
        for record in candidates:
            last = min((record.version or 1) - 1, self.earlier_versions)
            ids += [f"{record.arxiv_id}v{v}" for v in range(1, last + 1)]
        return list(dict.fromkeys(ids))

    def resolve_earlier_titles(
        self,
        items: Sequence[tuple[TitleQuery, Sequence[ArxivRecord]]],
        previous: Sequence[Resolved[ArxivRecord]] | None = None,
    ) -> list[Resolved[ArxivRecord]]:
        """Confirm renamed papers by the titles of their earlier versions.

        For each ``(query, candidates)``, the earlier versions of every
        candidate (up to ``earlier_versions`` each) are fetched by versioned id,
        ``batch_size`` ids per request; a candidate whose earlier title is
        accepted by :func:`enrich._match.choose` is the paper, and its latest
        record is returned.  Otherwise ``previous`` (or a rejection) stands.

        Raises:
            ResponseError: arXiv rejected the id list.
            SourceError: whatever the client raises after its retries.
        """
        before = list(previous) if previous is not None else [None] * len(items)
        wanted = self.earlier_version_ids([c for _, cands in items for c in cands])
        earlier: dict[tuple[str, int], ArxivRecord] = {}
        for chunk in chunked(wanted, self.settings.batch_size):
            feed = self._send(self.build_id_request(chunk))
            if feed.errors:
                raise ResponseError(
                    f"arXiv rejected the id list: {'; '.join(feed.errors)}", source=self.name
                )
            for record in feed.records:
                earlier[(_match_key(record.arxiv_id), record.version or 0)] = record
        results: list[Resolved[ArxivRecord]] = []
        for (query, candidates), prior in zip(items, before, strict=True):
            pairs = [
                (candidate, old)
                for candidate in candidates
                for v in range(1, min((candidate.version or 1) - 1, self.earlier_versions) + 1)
                if (old := earlier.get((_match_key(candidate.arxiv_id), v))) is not None
            ]
            olds = [old for _, old in pairs]
            resolved = _decide(query, olds, None, self.settings.match_threshold)
            if resolved.record is not None:
                index = next(i for i, old in enumerate(olds) if old is resolved.record)
                results.append(Resolved(record=pairs[index][0], decision=resolved.decision))
            else:
                results.append(prior if prior is not None else resolved)
        return results

    def resolve_title_chunk(self, queries: Sequence[TitleQuery]) -> list[Resolved[ArxivRecord]]:
        """Resolve titles to arXiv records, one result per query, in order.

        Phrase searches of ``titles_per_query`` titles each
        (:meth:`search_titles`); titles left unresolved get one looser search
        (:meth:`search_titles_loosely`), and those with renamed candidates an
        earlier-version check (:meth:`resolve_earlier_titles`).  ``record`` is
        None when no candidate was accepted; ``decision`` then keeps the best
        candidate's title for review.

        Raises:
            SourceError: whatever the client raises after its retries.
        """
        results: list[Resolved[ArxivRecord]] = []
        for chunk in chunked(list(queries), self.titles_per_query):
            results += self.search_titles(chunk)
        retry = [
            i
            for i, q in enumerate(queries)
            if results[i].record is None and self._loose_clause(q.title) is not None
        ]
        renamed: dict[int, tuple[ArxivRecord, ...]] = {}
        for part in chunked(retry, self.titles_per_query):
            loose = self.search_titles_loosely(
                [queries[i] for i in part], [results[i] for i in part]
            )
            for i, outcome in zip(part, loose, strict=True):
                results[i] = outcome.resolved
                if outcome.resolved.record is None and outcome.renamed:
                    renamed[i] = outcome.renamed
        if renamed:
            order = list(renamed)
            confirmed = self.resolve_earlier_titles(
                [(queries[i], renamed[i]) for i in order], [results[i] for i in order]
            )
            for i, resolved in zip(order, confirmed, strict=True):
                results[i] = resolved
        return results

    def loosely_searchable(self, title: str) -> bool:
        """Whether :meth:`search_titles_loosely` has anything to ask for ``title``."""
        return self._loose_clause(title) is not None

    # -- plumbing ------------------------------------------------------------

    def _search_request(self, search_query: str, n_titles: int) -> Request:
        max_results = min(n_titles * self.results_per_title, _MAX_RESULTS_PER_REQUEST)
        return Request(
            source=self.name,
            method="GET",
            url=self.settings.url,
            params=(
                ("search_query", search_query),
                ("start", "0"),
                ("max_results", str(max_results)),
                ("sortBy", "relevance"),
            ),
            expect="xml",
            # A refused query is a 400 Error feed too; read it to report arXiv's message.
            answer_statuses=frozenset({400}),
        )

    def _check_size(self, queries: Sequence[TitleQuery]) -> None:
        if len(queries) > self.titles_per_query:
            raise ValueError(
                f"{len(queries)} titles exceed titles_per_query {self.titles_per_query}"
            )

    def _loose_clause(self, title: str) -> str | None:
        parts = []
        if _fallback_differs(title, self.fallback_terms):
            parts.append(_terms_clause(title, self.fallback_terms))
        opening = _opening_words(title)
        if opening:
            parts.append(f'ti:"{" ".join(opening)}"')
        clauses = [p for p in parts if p is not None]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"

    def _send(self, request: Request) -> ArxivFeed:
        response = self.client.send(request)
        try:
            feed = parse_feed(response.content)
        except ResponseError as exc:
            raise ResponseError(
                exc.message, source=self.name, url=request.full_url, status=response.status
            ) from exc
        if response.status >= 400 and not feed.errors:
            raise ResponseError(
                "error answer without an Error entry",
                source=self.name,
                url=request.full_url,
                status=response.status,
            )
        return feed

    def _search(self, request: Request) -> ArxivFeed:
        feed = self._send(request)
        if feed.errors:
            # A search has no ids to drop: an Error entry means the query itself was refused.
            raise ResponseError(
                f"arXiv refused the search: {'; '.join(feed.errors)}",
                source=self.name,
                url=request.full_url,
            )
        return feed


def _decide(
    query: TitleQuery,
    found: list[ArxivRecord],
    previous: Resolved[ArxivRecord] | None,
    threshold: float,
    keys: list[str] | None = None,
) -> Resolved[ArxivRecord]:
    # Entries found for the other titles of one request are candidates for every
    # title, and scoring each against each would cost more CPU than the request.
    # A fuzzy match needs a similarity of at least ``threshold``, and the
    # similarity never exceeds the Indel ratio of the normalised titles (one C
    # call), so only entries with that ratio are judged: the decision is the same
    # as judging them all.  When none is accepted, the closest entry by ratio is
    # kept as the candidate for review.
    key = _normalize(query.title)
    entry_keys = keys if keys is not None else _keys(found)
    ratios = [fuzz.ratio(key, entry_key) / 100.0 for entry_key in entry_keys]
    strong = [e for e, ratio in zip(found, ratios, strict=True) if ratio >= threshold]
    decision = choose(query, [_candidate(entry) for entry in strong], threshold=threshold)
    if decision.accepted and decision.index is not None:
        return Resolved(record=strong[decision.index], decision=decision)
    if not strong and found:
        closest = max(range(len(found)), key=lambda i: (ratios[i], -i))
        if ratios[closest] >= _REVIEW_GATE:
            decision = choose(query, [_candidate(found[closest])], threshold=threshold)
    if previous is not None and previous.decision.score >= decision.score:
        return previous
    return Resolved(record=None, decision=decision)


# Titles are normalised again and again (each entry against each title of a
# request, each query when it is built); the same strings recur, so memoise.
_normalize = functools.lru_cache(maxsize=1 << 13)(normalize_title)


def _keys(records: Sequence[ArxivRecord]) -> list[str]:
    return [_normalize(record.title) for record in records]


def _opening_words(title: str) -> list[str]:
    """The words a renamed version most likely kept: the main title before a
    subtitle, else the first half (at least three words); empty when that would
    be the whole title.  Index tokens (:mod:`enrich.adapters._arxiv_phrases`), up
    to the first uncertain one, since they are asked as one phrase."""
    runs = segments(title)
    words = runs[0] if runs else []
    split = _HEAD_SEPARATOR_RE.search(title)
    if split is not None:
        head_segments = segments(title[: split.start()])
        head = head_segments[0] if head_segments else []
        if head and len(head) < len(words) and any(w not in STOPWORDS for w in head):
            return head
    size = max(3, (len(words) + 1) // 2)
    return words[:size] if size < len(words) else []


def _newer(record: ArxivRecord, than: ArxivRecord) -> bool:
    return (record.version or 0) > (than.version or 0)


def _match_key(arxiv_id: str) -> str:
    return _SUBJECT_CLASS_RE.sub(r"\1/", arxiv_id).lower()


def _rejected_ids(errors: list[str], sent: list[str]) -> set[str]:
    # "incorrect id format for abc": the offending id is a word of the message.
    words = {word.strip(".,;:'\"") for message in errors for word in message.split()}
    return {item for item in sent if item in words}


def _key_words(key: str) -> list[str]:
    return [word for word in key.split() if _WORD_RE.match(word)]


def _phrase_clause(title: str) -> str | None:
    """``ti:"..."`` for the title, or the AND of such phrases around uncertain words."""
    clauses = [f'ti:"{" ".join(segment)}"' for segment in segments(title)]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else "(" + " AND ".join(clauses) + ")"


def _fallback_words(title: str, limit: int) -> list[str]:
    # Only words that are whole index tokens: "qwen2" is no token of "Qwen2.5".
    whole = {token for token in index_tokens(title) if token is not None}
    return [
        word
        for term in significant_terms(title, limit=limit)
        for word in _normalize(term).split()
        if _WORD_RE.match(word) and word in whole
    ][:limit]


def _terms_clause(title: str, limit: int) -> str | None:
    words = _fallback_words(title, limit)
    if not words:
        return None
    return "(" + " AND ".join(f"ti:{word}" for word in words) + ")"


def _fallback_differs(title: str, limit: int) -> bool:
    # When the significant words are all of the title's words, the fallback
    # would find what the phrase search already found.
    fallback = set(_fallback_words(title, limit))
    return bool(fallback) and fallback != {t for t in index_tokens(title) if t is not None}


def _candidate(record: ArxivRecord) -> Candidate:
    year = record.published.year if record.published is not None else None
    return Candidate(title=record.title, year=year, authors=record.authors)
