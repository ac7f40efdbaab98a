"""Semantic Scholar Graph API: papers by id (``POST /paper/batch``), titles in bulk
(``/paper/search/bulk``, see :mod:`enrich.adapters._s2_bulk`) and one by one
(``/paper/search/match``).

The parsers are pure and tolerant: S2 payloads are null-heavy and loosely
typed (``venue`` is ``""`` rather than null, ``CorpusId`` is an int among
string ids, ``journal`` is any subset of name/volume/pages, counts can be
null), so every field is coerced or dropped, and only an unusable top-level
shape raises :class:`~enrich.ResponseError`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from enrich._config import (
    DEFAULT_S2_BULK_MAX_CHARS,
    DEFAULT_S2_BULK_MAX_PAGES,
    DEFAULT_S2_TITLE_BATCH,
    SourceSettings,
)
from enrich._exceptions import ResponseError, SourceError
from enrich._ids import normalize_arxiv_id, normalize_doi, parse_arxiv_id
from enrich._match import Candidate, MatchDecision, TitleQuery, choose, normalize_title
from enrich._models import Journal, PublicationVenue, S2Record
from enrich._wire import Request
from enrich.adapters._s2_bulk import (
    BulkVerdict,
    bulk_phrase,
    bulk_query,
    parse_bulk_page,
    plan_groups,
    verify,
)
from enrich.adapters.base import (
    Adapter,
    Resolved,
    Sender,
    answer_context,
    decode_json,
    register,
)

__all__ = [
    "BulkVerdict",
    "SemanticScholarAdapter",
    "match_query_text",
    "parse_batch",
    "parse_match",
    "parse_paper",
    "parse_papers",
]

_SOURCE: Final = "s2"
# Every kind of hyphen and dash: "Hyphenated query terms yield no matches
# (replace it with space)" (S2 API docs, /paper/search).
_DASHES_RE = re.compile(r"[-\u2010-\u2015\u2212\u00ad]+")


@register
class SemanticScholarAdapter(Adapter):
    """Fetch Semantic Scholar papers by id in batches, and match titles one by one.

    >>> SemanticScholarAdapter.FIELDS[:3]
    ('paperId', 'corpusId', 'externalIds')
    """

    name = "s2"

    #: Requested from every endpoint.  All names appear in real payloads
    #: (``semanticscholar_py__Paper.json``); ``openAccessPdf`` is deliberately absent.
    FIELDS: ClassVar[tuple[str, ...]] = (
        "paperId",
        "corpusId",
        "externalIds",
        "title",
        "venue",
        "publicationVenue",
        "journal",
        "year",
        "publicationDate",
        "publicationTypes",
        "citationCount",
        "influentialCitationCount",
        "referenceCount",
        "authors",
    )

    def __init__(
        self,
        client: Sender,
        settings: SourceSettings,
        *,
        title_batch: int = DEFAULT_S2_TITLE_BATCH,
        bulk_max_chars: int = DEFAULT_S2_BULK_MAX_CHARS,
        bulk_max_pages: int = DEFAULT_S2_BULK_MAX_PAGES,
    ) -> None:
        super().__init__(client, settings)
        if title_batch < 0 or bulk_max_chars < 1 or bulk_max_pages < 1:
            raise ValueError("title_batch >= 0, bulk_max_chars >= 1, bulk_max_pages >= 1")
        #: titles per ``/paper/search/bulk`` query; 0: the bulk tier is off
        self.title_batch = title_batch
        self.bulk_max_chars = bulk_max_chars
        self.bulk_max_pages = bulk_max_pages
        #: set once S2 refused a single-title bulk query: the live service then
        #: disagrees with its documentation, and the rest of the run uses match
        self.bulk_refused = False

    def build_batch_request(self, ids: Sequence[str]) -> Request:
        """``POST {url}/paper/batch?fields=...`` with body ``{"ids": [...]}``.

        Ids are S2 ids in any documented form: ``ARXIV:2106.09685``,
        ``DOI:10.x/y``, ``CorpusId:123``, a 40-hex paperId.  An old-style arXiv
        id with a subject class is sent canonically (``ARXIV:math/0309136``).
        """
        if not ids:
            raise ValueError("build_batch_request needs at least one id")
        return Request(
            source=self.name,
            method="POST",
            url=f"{self.settings.url}/paper/batch",
            params=(("fields", ",".join(self.FIELDS)),),
            body={"ids": [_canonical_key(i) for i in ids]},
            expect="json",
        )

    def fetch_batch(self, ids: Sequence[str]) -> list[S2Record | None]:
        """Records for up to ``batch_size`` ids in one request, aligned with ``ids``.

        S2 answers a list in request order with ``null`` for unknown ids; the
        result has the same length as ``ids`` with None there.

        Raises:
            ValueError: more ids than ``settings.batch_size`` (S2 accepts 500).
            ResponseError: the answer is not a list of ``len(ids)`` items.
            SourceError: whatever the client raises after its retries.
        """
        if not ids:
            return []
        if len(ids) > self.settings.batch_size:
            raise ValueError(f"{len(ids)} ids exceed the S2 batch size {self.settings.batch_size}")
        request = self.build_batch_request(ids)
        response = self.client.send(request)
        with answer_context(request, response.status):
            return parse_batch(decode_json(response), len(ids))

    def build_match_request(self, title: str) -> Request:
        """``GET {url}/paper/search/match?query=<title>&fields=...``.

        A 404 is an answer here ("Title match not found"), not an error.
        """
        return Request(
            source=self.name,
            method="GET",
            url=f"{self.settings.url}/paper/search/match",
            params=(("query", match_query_text(title)), ("fields", ",".join(self.FIELDS))),
            expect="json",
            answer_statuses=frozenset({404}),
        )

    def match_title(self, query: TitleQuery) -> Resolved[S2Record]:
        """The S2 paper whose title matches ``query``, verified locally, in one request.

        Both no-match answers (404 ``{"error": "Title match not found"}`` and
        200 ``{"data": []}``) give ``record=None``.  The returned title is
        checked with :func:`enrich._match.choose` because the scale of
        ``matchScore`` is undocumented; the record keeps ``match_score``.

        Raises:
            ResponseError: an answer of an unknown shape.
            SourceError: whatever the client raises after its retries.
        """
        if not match_query_text(query.title):
            return Resolved(record=None, decision=choose(query, []))
        request = self.build_match_request(query.title)
        response = self.client.send(request)
        with answer_context(request, response.status):
            papers = [] if response.status == 404 else parse_match(decode_json(response))
        candidates = [
            Candidate(title=paper.title or "", year=paper.year, authors=paper.authors)
            for paper in papers
        ]
        decision = choose(query, candidates, threshold=self.settings.match_threshold)
        record = (
            papers[decision.index] if decision.accepted and decision.index is not None else None
        )
        return Resolved(record=record, decision=decision)

    # -- titles in bulk ------------------------------------------------------

    @property
    def bulk_enabled(self) -> bool:
        """Whether titles are asked in bulk (``title_batch > 0`` and S2 has not refused)."""
        return self.title_batch > 0 and not self.bulk_refused

    def build_bulk_request(self, titles: Sequence[str], token: str | None = None) -> Request:
        """``GET {url}/paper/search/bulk?query="t1" | "t2" ...&fields=...[&token=...]``.

        Titles too short to be asked in bulk are left out.  400 (a refused query,
        ``{"error": ...}``) is an answer here; so, in effect, is the CDN's 414
        (too long): the caller splits the group.

        Raises:
            ValueError: no title can be asked.
        """
        phrases = [p for t in titles if (p := bulk_phrase(t)) is not None]
        if not phrases:
            raise ValueError("no title long enough for a bulk phrase")
        params: list[tuple[str, str]] = [
            ("query", bulk_query(phrases)),
            ("fields", ",".join(self.FIELDS)),
        ]
        if token is not None:
            params.append(("token", token))
        return Request(
            source=self.name,
            method="GET",
            url=f"{self.settings.url}/paper/search/bulk",
            params=tuple(params),
            expect="json",
            answer_statuses=frozenset({400}),
        )

    def search_titles_bulk(self, queries: Sequence[TitleQuery]) -> list[BulkVerdict]:
        """Judge ``queries`` from bulk phrase searches; one verdict per query, aligned.

        Titles are grouped ``title_batch`` to a query (and at most
        ``bulk_max_chars`` characters); each group reads up to
        ``bulk_max_pages`` pages.  A group S2 refuses (400, 414) or whose pages
        overflow is split in halves and asked again; a single title that is
        still refused or overflowing gets a verdict saying so, never a record.
        Only a verdict with a record is settled; the others are for
        :meth:`match_title`.

        Raises:
            ResponseError: an answer of an unknown shape.
            SourceError: whatever the client raises after its retries.
        """
        verdicts: list[BulkVerdict | None] = [None] * len(queries)
        asked: list[int] = []
        for i, query in enumerate(queries):
            if self.bulk_enabled and bulk_phrase(query.title) is not None:
                asked.append(i)
            else:
                verdicts[i] = BulkVerdict(None, choose(query, []), "unsearchable")
        phrases = [bulk_phrase(queries[i].title) or "" for i in asked]
        for group in plan_groups(phrases, size=self.title_batch, max_chars=self.bulk_max_chars):
            self._bulk_group([asked[g] for g in group], queries, verdicts)
        return [
            v if v is not None else BulkVerdict(None, choose(q, []), "refused")
            for q, v in zip(queries, verdicts, strict=True)
        ]

    def _bulk_group(
        self,
        rows: list[int],
        queries: Sequence[TitleQuery],
        verdicts: list[BulkVerdict | None],
    ) -> None:
        if self.bulk_refused:
            return  # left None: "refused"
        titles = [queries[i].title for i in rows]
        papers: list[S2Record] = []
        token: str | None = None
        for _ in range(self.bulk_max_pages):
            request = self.build_bulk_request(titles, token)
            try:
                response = self.client.send(request)
            except SourceError as exc:
                # 414 comes from the CDN in front of S2, as an HTML page: not an
                # answer the client hands back, so it arrives as a refusal.
                if exc.status != 414:
                    raise
                status = 414
            else:
                status = response.status
            if status in {400, 414}:
                if len(rows) == 1:
                    self.bulk_refused = True
                    return
                break
            with answer_context(request, response.status):
                page = parse_bulk_page(decode_json(response))
            papers.extend(page.papers)
            token = page.token
            if token is None:
                for i in rows:
                    verdicts[i] = verify(queries[i], papers, self.settings.match_threshold)
                return
        if len(rows) == 1:  # a lone title whose pages overflow: no second candidate ruled out
            seen = verify(queries[rows[0]], papers, self.settings.match_threshold).decision
            rejected = MatchDecision(
                None, seen.score, None, seen.candidate_title, "bulk pages overflowed"
            )
            verdicts[rows[0]] = BulkVerdict(None, rejected, "truncated")
            return
        half = len(rows) // 2
        self._bulk_group(rows[:half], queries, verdicts)
        self._bulk_group(rows[half:], queries, verdicts)


def _canonical_key(key: str) -> str:
    prefix, sep, value = key.partition(":")
    if sep and prefix.upper() == "ARXIV":
        parsed = parse_arxiv_id(value)
        if parsed is not None:
            return f"{prefix}:{parsed}"
    return key


def match_query_text(title: str) -> str:
    """The title as ``/paper/search/match`` wants it: dashes as spaces, spacing collapsed.

    >>> match_query_text("BERT: Pre-training of Deep  Bidirectional Transformers")
    'BERT: Pre training of Deep Bidirectional Transformers'
    """
    if not normalize_title(title):
        return ""
    return " ".join(_DASHES_RE.sub(" ", title).split())


def parse_paper(obj: Mapping[str, Any]) -> S2Record:
    """One S2 paper object as an :class:`~enrich.S2Record`.

    Nulls, ``""`` venues, partial ``journal``/``publicationVenue`` objects and
    numbers sent as strings are all tolerated; a value of the wrong type is
    dropped rather than trusted.

    Raises:
        ResponseError: ``obj`` is not an object with a ``paperId`` string
            (e.g. a 429 body ``{"message": ..., "code": "429"}``).

    >>> parse_paper({"paperId": "abc", "venue": "", "externalIds": {"DOI": "10.1/X"}}).doi
    '10.1/x'
    """
    if not isinstance(obj, Mapping):
        raise ResponseError(f"paper is a {type(obj).__name__}, not an object", source=_SOURCE)
    paper_id = _str(obj.get("paperId"))
    if paper_id is None:
        raise ResponseError("paper object without a paperId", source=_SOURCE)
    external = _external_ids(obj.get("externalIds"))
    corpus_id = _int(obj.get("corpusId"))
    if corpus_id is None:
        corpus_id = _int(external.get("CorpusId"))
    arxiv = external.get("ArXiv")
    doi = external.get("DOI")
    return S2Record(
        paper_id=paper_id,
        corpus_id=corpus_id,
        external_ids=external,
        arxiv_id=(normalize_arxiv_id(arxiv) or arxiv) if arxiv is not None else None,
        doi=(normalize_doi(doi) or doi.lower()) if doi is not None else None,
        title=_str(obj.get("title")),
        authors=_authors(obj.get("authors")),
        venue=_str(obj.get("venue")),
        publication_venue=_publication_venue(obj.get("publicationVenue")),
        journal=_journal(obj.get("journal")),
        year=_int(obj.get("year")),
        publication_date=_date(obj.get("publicationDate")),
        publication_types=_str_tuple(obj.get("publicationTypes")),
        citation_count=_int(obj.get("citationCount")),
        influential_citation_count=_int(obj.get("influentialCitationCount")),
        reference_count=_int(obj.get("referenceCount")),
        match_score=_float(obj.get("matchScore")),
    )


def parse_batch(payload: Any, n: int) -> list[S2Record | None]:
    """A ``/paper/batch`` answer as ``n`` records aligned with the ids sent.

    ``null`` items (unknown ids) and items that are not usable papers become None.

    Raises:
        ResponseError: ``payload`` is not a list of exactly ``n`` items.
    """
    if not isinstance(payload, list):
        raise ResponseError(
            f"batch answer is a {type(payload).__name__}, not a list", source=_SOURCE
        )
    if len(payload) != n:
        raise ResponseError(f"batch answer has {len(payload)} items for {n} ids", source=_SOURCE)
    records: list[S2Record | None] = []
    for item in payload:
        try:
            records.append(None if item is None else parse_paper(item))
        except ResponseError:
            records.append(None)
    return records


def parse_match(payload: Any) -> list[S2Record]:
    """The papers of a ``/paper/search/match`` answer (at most one, in practice).

    ``{"data": []}`` and the 404 body ``{"error": "Title match not found"}``
    both give ``[]``.

    Raises:
        ResponseError: ``payload`` is neither shape (e.g. a 429 body).
    """
    if not isinstance(payload, Mapping):
        raise ResponseError(
            f"match answer is a {type(payload).__name__}, not an object", source=_SOURCE
        )
    if "data" not in payload:
        if isinstance(payload.get("error"), str):
            return []
        raise ResponseError(f"match answer without data (keys {sorted(payload)})", source=_SOURCE)
    data = payload["data"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise ResponseError("match answer data is not a list", source=_SOURCE)
    return parse_papers(data)


def parse_papers(items: Sequence[Any]) -> list[S2Record]:
    """The records of ``items`` that parse; a malformed one is dropped, not fatal."""
    papers: list[S2Record] = []
    for item in items:
        try:
            papers.append(parse_paper(item))
        except ResponseError:
            continue
    return papers


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned if cleaned != "" else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _str_tuple(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(text for item in value if (text := _str(item)) is not None)


def _external_ids(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    ids: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            continue
        # CorpusId arrives as an int, every other id as a string.
        text = str(item) if isinstance(item, int) and not isinstance(item, bool) else _str(item)
        if text is not None:
            ids[key] = text
    return ids


def _authors(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        name
        for author in value
        if isinstance(author, Mapping) and (name := _str(author.get("name"))) is not None
    )


def _publication_venue(value: Any) -> PublicationVenue | None:
    if not isinstance(value, Mapping):
        return None
    venue = PublicationVenue(
        id=_str(value.get("id")),
        name=_str(value.get("name")),
        type=_str(value.get("type")),
        alternate_names=_str_tuple(value.get("alternate_names")),
        issn=_str(value.get("issn")),
        url=_str(value.get("url")),
    )
    return None if venue == PublicationVenue() else venue


def _number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _journal(value: Any) -> Journal | None:
    if not isinstance(value, Mapping):
        return None
    # pages can carry embedded newlines ("\n          487-488\n        "); _str collapses them.
    journal = Journal(
        name=_str(value.get("name")),
        volume=_str(_number_as_text(value.get("volume"))),
        pages=_str(_number_as_text(value.get("pages"))),
    )
    return None if journal == Journal() else journal
