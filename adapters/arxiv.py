"""The arXiv export API: records by id (``id_list``) and by title (``search_query``).

Requests are batched: up to ``batch_size`` ids in one ``id_list`` request, and
several titles OR-ed into one ``search_query``.  Results are matched back by id
or by title, never by position, because the API returns entries in no
guaranteed order and silently drops unknown ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from enrich._config import DEFAULT_ARXIV_TITLES_PER_QUERY, SourceSettings
from enrich._exceptions import ResponseError
from enrich._ids import parse_arxiv_id
from enrich._match import (
    Candidate,
    MatchDecision,
    TitleQuery,
    choose,
    normalize_title,
    significant_terms,
    title_similarity,
)
from enrich._models import ArxivRecord
from enrich._wire import Request
from enrich.adapters._atom import ArxivFeed, parse_feed
from enrich.adapters.base import Adapter, Resolved, Sender, chunked, register

__all__ = [
    "DEFAULT_FALLBACK_TERMS",
    "DEFAULT_RESULTS_PER_TITLE",
    "ArxivAdapter",
    "ArxivFeed",
    "parse_feed",
]

#: Entries asked for per title in a combined title search.  Relevance ranking
#: puts the shortest title containing a phrase first, so the exact title is
#: near the top even when longer titles extend it ("... in speech separation").
DEFAULT_RESULTS_PER_TITLE: Final = 10
#: Words AND-ed in the fallback search for a title that found nothing: few
#: enough to survive a later version's reworded title, enough to stay specific.
DEFAULT_FALLBACK_TERMS: Final = 4
# arXiv serves at most 2,000 entries per request (user manual, paging).
_MAX_RESULTS_PER_REQUEST: Final = 2000
_WORD_RE = re.compile(r"^\w+$")
# An old-style id may carry a subject class (math.GT/0309136) that the entry
# id omits (math/0309136v1); compare without it.
_SUBJECT_CLASS_RE = re.compile(r"^([a-z-]+)\.[a-z]{2}/", re.IGNORECASE)


@register
class ArxivAdapter(Adapter):
    """Fetch arXiv records by id and resolve titles to records.

    Args:
        client: what sends requests (an :class:`enrich.Client`).
        settings: ``Settings.source("arxiv")``.
        titles_per_query: titles OR-ed into one ``search_query``.
        results_per_title: entries asked for per title in such a query.
        fallback_terms: significant words AND-ed per title in the fallback search.

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
    ) -> None:
        super().__init__(client, settings)
        if titles_per_query < 1 or results_per_title < 1 or fallback_terms < 1:
            raise ValueError("titles_per_query, results_per_title and fallback_terms must be >= 1")
        self.titles_per_query = titles_per_query
        self.results_per_title = results_per_title
        self.fallback_terms = fallback_terms

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

    def resolve_title_chunk(self, queries: Sequence[TitleQuery]) -> list[Resolved[ArxivRecord]]:
        """Resolve titles to arXiv records, one result per query, in order.

        Titles are searched ``titles_per_query`` at a time in one request; every
        returned entry that resembles a title at all is a candidate for it,
        judged by :func:`enrich._match.choose` (title, year of first
        publication, authors).  Titles left unresolved get one more, looser search on their
        significant words.  ``record`` is None when no candidate was accepted;
        ``decision`` then keeps the best candidate's title for review.

        Raises:
            SourceError: whatever the client raises after its retries.
        """
        decisions: list[MatchDecision | None] = [None] * len(queries)
        records: list[ArxivRecord | None] = [None] * len(queries)

        def decide(index: int, found: list[ArxivRecord]) -> None:
            # Entries found for the other titles of one request are candidates for every
            # title, but one with no resemblance at all (similarity 0) can never match;
            # leaving it out keeps the candidate kept for review meaningful.
            title = queries[index].title
            entries = [e for e in found if title_similarity(title, e.title) > 0.0]
            decision = choose(queries[index], [_candidate(entry) for entry in entries])
            previous = decisions[index]
            if decision.accepted and decision.index is not None:
                decisions[index], records[index] = decision, entries[decision.index]
            elif previous is None or decision.score > previous.score:
                decisions[index] = decision

        searchable = [i for i, q in enumerate(queries) if _phrase_clause(q.title) is not None]
        for part in chunked(searchable, self.titles_per_query):
            feed = self._search(self.build_title_request([queries[i].title for i in part]))
            for index in part:
                decide(index, feed.records)

        retry = [
            i
            for i in searchable
            if records[i] is None and _fallback_differs(queries[i].title, self.fallback_terms)
        ]
        for part in chunked(retry, self.titles_per_query):
            feed = self._search(self.build_fallback_request([queries[i].title for i in part]))
            for index in part:
                decide(index, feed.records)

        results: list[Resolved[ArxivRecord]] = []
        for index, query in enumerate(queries):
            decision = decisions[index]
            if decision is None:
                decision = choose(query, [])
            results.append(Resolved(record=records[index], decision=decision))
        return results

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


def _newer(record: ArxivRecord, than: ArxivRecord) -> bool:
    return (record.version or 0) > (than.version or 0)


def _match_key(arxiv_id: str) -> str:
    return _SUBJECT_CLASS_RE.sub(r"\1/", arxiv_id).lower()


def _rejected_ids(errors: list[str], sent: list[str]) -> set[str]:
    # "incorrect id format for abc": the offending id is a word of the message.
    words = {word.strip(".,;:'\"") for message in errors for word in message.split()}
    return {item for item in sent if item in words}


def _words(title: str) -> list[str]:
    return [word for word in normalize_title(title).split() if _WORD_RE.match(word)]


def _phrase_clause(title: str) -> str | None:
    words = _words(title)
    return f'ti:"{" ".join(words)}"' if words else None


def _fallback_words(title: str, limit: int) -> list[str]:
    return [
        word
        for term in significant_terms(title, limit=limit)
        for word in normalize_title(term).split()
        if _WORD_RE.match(word)
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
    return bool(fallback) and fallback != set(_words(title))


def _candidate(record: ArxivRecord) -> Candidate:
    year = record.published.year if record.published is not None else None
    return Candidate(title=record.title, year=year, authors=record.authors)
