"""The fake ``GET /graph/v1/paper/search/bulk`` (S2 Graph API docs, "Paper bulk search").

What the documentation promises, and the fake does:

* ``query`` is optional and boolean (see :mod:`enrich.testing._s2_query`); it is
  matched against the title **and the abstract**, stemmed;
* up to 1,000 papers a page, unranked: ``paperId`` order unless ``sort`` is
  ``paperId``, ``publicationDate`` or ``citationCount``, each ``:asc``
  (default) or ``:desc``; papers without the sort value come last;
* ``{"total": n, "token": t, "data": [...]}``: ``total`` counts every match,
  ``token`` (present while more remain, null on the last page) fetches the next
  page when sent back with the same query;
* filters ``year``, ``publicationDateOrYear``, ``venue``, ``minCitationCount``;
* ``fields`` as elsewhere, but nested data (``citations``, ``references``,
  ``embedding``) "is not available via this method": 400;
* errors are 400 with ``{"error": ...}``: a malformed query, sort, filter or token.

No maximum query length is documented.  :attr:`BulkSearch.max_query_chars`
(None: no limit) lets a test make the fake answer 414 as a CDN would.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Final

from enrich.testing._common import Reply, Request, stable_int
from enrich.testing._corpus import FakeS2Paper
from enrich.testing._s2_query import (
    Bool,
    Doc,
    Node,
    Not,
    QueryError,
    Term,
    matches,
    parse,
    terms,
)

if TYPE_CHECKING:
    from enrich.testing._s2 import S2Service

__all__ = ["PAGE_SIZE", "BulkSearch"]

#: "Up to 1,000 papers will be returned in each call" (API docs).
PAGE_SIZE: Final = 1000
_SORT_FIELDS: Final = ("paperId", "publicationDate", "citationCount")
_NESTED: Final = frozenset({"citations", "references", "embedding"})


class BulkSearch:
    """``/paper/search/bulk`` over an :class:`~enrich.testing._s2.S2Service`'s records."""

    def __init__(self, service: S2Service) -> None:
        self.service = service
        #: a query longer than this is answered 414 (None: no limit, as documented)
        self.max_query_chars: int | None = None
        self._docs: list[Doc] | None = None
        self._postings: dict[str, set[int]] = {}

    def _index(self) -> list[Doc]:
        if self._docs is None:
            docs = [Doc.of(p.title, p.abstract) for p in self.service.papers]
            postings: dict[str, set[int]] = defaultdict(set)
            for i, doc in enumerate(docs):
                for word in (*doc.title, *doc.abstract):
                    postings[word].add(i)
            self._docs, self._postings = docs, dict(postings)
        return self._docs

    def _holding(self, term: Term) -> set[int]:
        """The papers holding every word of ``term`` (a superset of the term's matches)."""
        postings = sorted((self._postings.get(w, set()) for w in term.words), key=len)
        found = set(postings[0])
        for more in postings[1:]:
            if not found:
                break
            found &= more
        return found

    def search(self, query: str | None) -> list[FakeS2Paper]:
        """Every paper the query matches, in corpus order.

        Raises:
            QueryError: a query S2 would refuse.
        """
        node = parse(query)
        docs = self._index()
        pool: set[int] | range = range(len(docs))
        found = list(terms(node))
        if node is not None and found and not _has_not(node) and all(map(_indexable, found)):
            # Each match holds some term, so it holds every word of that term
            # exactly (see _indexable): the union over terms of the papers holding
            # all of a term's words narrows the scan, never the answer.
            pool = set().union(*(self._holding(t) for t in found))
        papers = self.service.papers
        return [papers[i] for i in sorted(pool) if matches(node, docs[i])]

    def handle(self, req: Request) -> Reply:
        from enrich.testing._s2 import FieldError, _venue_ok, _year_ok, parse_fields

        svc = self.service
        raw_fields = req.param("fields")
        if raw_fields and any(f.split(".")[0].strip() in _NESTED for f in raw_fields.split(",")):
            return svc._error(400, "Nested paper data is not available via this method")
        try:
            fields = parse_fields(raw_fields)
        except FieldError as exc:
            return svc._error(400, str(exc))
        query = req.param("query")
        if self.max_query_chars is not None and len(query or "") > self.max_query_chars:
            return _uri_too_long(svc)
        sort = req.param("sort") or "paperId:asc"
        key, _, order = sort.partition(":")
        if key not in _SORT_FIELDS or (order or "asc") not in {"asc", "desc"}:
            return svc._error(
                400, f"Unsupported sort {sort!r}; use paperId, publicationDate or citationCount"
            )
        min_cites_raw = req.param("minCitationCount")
        if min_cites_raw is not None and not min_cites_raw.strip().isdigit():
            return svc._error(400, "minCitationCount must be a non-negative integer")
        try:
            date_filter = _date_range(req.param("publicationDateOrYear"))
        except ValueError as exc:
            return svc._error(400, str(exc))
        signature = _signature(req)
        offset = 0
        token = req.param("token")
        if token:
            decoded = _decode_token(token)
            if decoded is None or decoded[1] != signature:
                return svc._error(400, "Invalid token")
            offset = decoded[0]
        try:
            hits = self.search(query)
        except QueryError as exc:
            return svc._error(400, str(exc))
        min_cites = int(min_cites_raw) if min_cites_raw is not None else None
        hits = [
            p
            for p in hits
            if _venue_ok(p, req.param("venue"))
            and _year_ok(p, req.param("year"))
            and (min_cites is None or p.citation_count >= min_cites)
            and (date_filter is None or _in_dates(p, date_filter))
        ]
        hits = _sorted(hits, key, order == "desc")
        page = hits[offset : offset + PAGE_SIZE]
        more = offset + PAGE_SIZE < len(hits)
        body: dict[str, Any] = {
            "total": len(hits),
            "token": _encode_token(offset + PAGE_SIZE, signature) if more else None,
            "data": [svc.paper_json(p, fields) for p in page],
        }
        return svc._ok(body)


def _indexable(term: Term) -> bool:
    # A phrase's slop still needs its first word exactly; a prefix or a fuzzy
    # word does not name one.
    return not term.prefix and (term.fuzz is None or term.phrase)


def _has_not(node: Node | None) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, Bool):
        return any(_has_not(i) for i in node.items)
    return False


def _sorted(papers: list[FakeS2Paper], key: str, desc: bool) -> list[FakeS2Paper]:
    if key == "paperId":
        return sorted(papers, key=lambda p: p.paper_id, reverse=desc)
    if key == "citationCount":
        return sorted(papers, key=lambda p: (p.citation_count, p.paper_id), reverse=desc)
    dated = [p for p in papers if p.publication_date is not None]
    undated = [p for p in papers if p.publication_date is None]
    dated.sort(key=lambda p: (p.publication_date, p.paper_id), reverse=desc)
    return dated + sorted(undated, key=lambda p: p.paper_id)


def _signature(req: Request) -> int:
    names = (
        "query",
        "fields",
        "sort",
        "year",
        "publicationDateOrYear",
        "venue",
        "minCitationCount",
    )
    return stable_int("bulk", *(req.param(n) or "" for n in names)) % 10**12


def _encode_token(offset: int, signature: int) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{signature}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[int, int] | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset, signature = text.split(":")
        return int(offset), int(signature)
    except (ValueError, UnicodeDecodeError):
        return None


def _parse_date(text: str, *, end: bool) -> dt.date:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)
    if len(parts) == 2:
        if not end:
            return dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(parts[0], parts[1], parts[2])


def _date_range(raw: str | None) -> tuple[dt.date | None, dt.date | None] | None:
    """``publicationDateOrYear``: ``2019-03-05``, ``2019-03``, ``2019``, ranges with ``:``
    and open ends (``2016-03-05:``, ``:2020-06-06``)."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        if ":" not in text:
            return _parse_date(text, end=False), _parse_date(text, end=True)
        low, high = text.split(":", 1)
        return (
            _parse_date(low, end=False) if low else None,
            _parse_date(high, end=True) if high else None,
        )
    except ValueError:
        raise ValueError(f"Invalid publicationDateOrYear {raw!r}") from None


def _in_dates(paper: FakeS2Paper, dates: tuple[dt.date | None, dt.date | None]) -> bool:
    # A paper without a publication date is judged by its year ("DateOrYear").
    low, high = dates
    if paper.publication_date is not None:
        day = paper.publication_date
        return (low is None or day >= low) and (high is None or day <= high)
    if paper.year is None:
        return False
    return (low is None or paper.year >= low.year) and (high is None or paper.year <= high.year)


def _uri_too_long(svc: S2Service) -> Reply:
    headers = svc._headers(error=True, gateway=True)
    headers["Content-Type"] = "text/html"
    return Reply(414, headers, b"<html><body><h1>414 Request-URI Too Large</h1></body></html>")
