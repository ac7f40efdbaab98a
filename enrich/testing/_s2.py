"""The fake Semantic Scholar Graph API: ``paper/{id}``, ``paper/batch``, ``paper/search[/match|/bulk]``.

Shapes follow ``shared/api-samples/s2``: bodies printed with ``", "`` separators
and a trailing newline, errors as compact ``{"error": ...}``, ``paperId`` always
present, ``externalIds.CorpusId`` an int, ``venue`` ``""`` rather than null,
``publicationVenue`` null for some records, ``openAccessPdf`` sometimes
``{"url": "", "status": null, ...}``, two "no match" shapes for title matching,
no ``data`` key on an empty search page, and the API-gateway 429 body with
``x-amzn-ErrorType`` and no ``Retry-After``.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlparse

from enrich._clock import Clock
from enrich._ids import normalize_arxiv_id, normalize_doi
from enrich.testing._common import Reply, Request, http_date, json_body, stable_int
from enrich.testing._corpus import Corpus, FakeS2Paper
from enrich.testing._query import words
from enrich.testing._s2_bulk import BulkSearch

__all__ = ["S2Service"]

#: Paper fields in the order the live API prints them (semanticscholar_py__Paper.json).
PAPER_FIELDS: Final = (
    "paperId", "externalIds", "corpusId", "publicationVenue", "url", "title", "abstract",
    "venue", "year", "referenceCount", "citationCount", "influentialCitationCount",
    "isOpenAccess", "openAccessPdf", "fieldsOfStudy", "s2FieldsOfStudy", "tldr",
    "publicationTypes", "publicationDate", "journal", "citationStyles", "embedding",
    "authors", "citations", "references", "textAvailability",
)  # fmt: skip
_AUTHOR_SUBFIELDS: Final = frozenset(
    {"authorId", "externalIds", "url", "name", "affiliations", "homepage", "paperCount",
     "citationCount", "hIndex"}
)  # fmt: skip
_AUTHOR_ORDER: Final = (
    "authorId", "externalIds", "url", "name", "affiliations", "homepage", "paperCount",
    "citationCount", "hIndex",
)  # fmt: skip
_CITATION_SUBFIELDS: Final = frozenset(PAPER_FIELDS) - {"citations", "references"} | {
    "contexts", "intents", "isInfluential", "contextsWithIntent",
}  # fmt: skip
_EMBEDDING_SUBFIELDS: Final = frozenset({"specter_v1", "specter_v2"})

# "Can only process 500 paper ids at a time" (S2 API docs, /paper/batch).
MAX_BATCH = 500
# /paper/search: "limit" must be <= 100 and only the first 1,000 results are reachable.
MAX_SEARCH_LIMIT = 100
MAX_SEARCH_REACH = 1000

_THROTTLED_BODY: Final = (
    b'{"message": "Too Many Requests. Please wait and try again or apply for a key for higher'
    b' rate limits. https://www.semanticscholar.org/product/api#api-key-form", "code": "429"}'
)
_SHA_RE = re.compile(r"^[0-9a-fA-F]{40}$")
_EXT_PREFIXES: Final = {
    "mag": "MAG", "acl": "ACL", "pmid": "PubMed", "pmcid": "PubMedCentral", "dblp": "DBLP",
}  # fmt: skip
# Title-match acceptance: share of the query's words found in the title, and a
# blend that also rewards covering the title; tuned so a shortened or slightly
# different title still matches (the real service returns its best guess).
_MATCH_MIN_QUERY_COVER = 0.6
_MATCH_MIN_SIMILARITY = 0.5


class FieldError(ValueError):
    """Unknown names in ``fields``."""


@dataclass(frozen=True)
class Fields:
    """A parsed ``fields`` parameter."""

    #: top-level fields in the API's canonical order, ``paperId`` first
    top: tuple[str, ...]
    #: sub-fields asked for with ``authors.x`` (authorId and name always come)
    author: tuple[str, ...] = ()


def parse_fields(raw: str | None) -> Fields:
    """Parse ``fields``; without it S2 returns paperId and title.

    Raises:
        FieldError: a name the API does not know.
    """
    if raw is None or not raw.strip():
        return Fields(("paperId", "title"))
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = []
    top: set[str] = set()
    author: set[str] = set()
    for name in names:
        head, _, sub = name.partition(".")
        ok = head in PAPER_FIELDS
        if ok and sub:
            allowed = {
                "authors": _AUTHOR_SUBFIELDS,
                "citations": _CITATION_SUBFIELDS,
                "references": _CITATION_SUBFIELDS,
                "embedding": _EMBEDDING_SUBFIELDS,
            }.get(head, frozenset())
            ok = sub in allowed
            if ok and head == "authors":
                author.add(sub)
        if not ok:
            unknown.append(name)
        top.add(head)
    if unknown:
        raise FieldError(f"Unrecognized or unsupported fields: [{', '.join(unknown)}]")
    ordered = ("paperId", *(f for f in PAPER_FIELDS if f in top and f != "paperId"))
    return Fields(ordered, tuple(f for f in _AUTHOR_ORDER if f in author))


class S2Service:
    """Answers the Graph API routes the enrich client uses, from a corpus's S2 records."""

    source = "s2"

    def __init__(self, corpus: Corpus, *, seed: int, clock: Clock) -> None:
        self.seed = seed
        self.clock = clock
        self._counter = itertools.count()
        self.papers = list(corpus.s2)
        self.by_sha: dict[str, FakeS2Paper] = {}
        self.by_corpus: dict[int, FakeS2Paper] = {}
        self.by_doi: dict[str, FakeS2Paper] = {}
        self.by_arxiv: dict[str, FakeS2Paper] = {}
        self.by_ext: dict[tuple[str, str], FakeS2Paper] = {}
        self.title_words: dict[str, frozenset[str]] = {}
        self.index: dict[str, list[FakeS2Paper]] = defaultdict(list)
        for paper in self.papers:
            self.by_sha.setdefault(paper.paper_id.lower(), paper)
            self.by_corpus.setdefault(paper.corpus_id, paper)
            for key, value in paper.external_ids.items():
                if key == "DOI":
                    doi = normalize_doi(value)
                    if doi:
                        self.by_doi.setdefault(doi, paper)
                elif key == "ArXiv":
                    base = normalize_arxiv_id(value) or value
                    self.by_arxiv.setdefault(base, paper)
                else:
                    self.by_ext.setdefault((key, str(value).lower()), paper)
            tw = frozenset(words(paper.title))
            self.title_words[paper.paper_id] = tw
            for w in tw:
                self.index[w].append(paper)
        for paper in self.papers:  # merged records: old ids redirect (s2-folks #157)
            for alias in paper.aliases:
                self.by_sha.setdefault(alias.lower(), paper)
        self.bulk = BulkSearch(self)

    # -- lookup ------------------------------------------------------------------

    def resolve(self, raw: str) -> FakeS2Paper | None:
        """The record an id of any accepted form points at, or None."""
        text = raw.strip()
        if _SHA_RE.match(text):
            return self.by_sha.get(text.lower())
        prefix, sep, value = text.partition(":")
        kind = prefix.lower() if sep else ""
        if kind == "corpusid":
            return self.by_corpus.get(int(value)) if value.strip().isdigit() else None
        if kind == "doi":
            doi = normalize_doi(value)
            return self.by_doi.get(doi) if doi else None
        if kind == "arxiv":
            base = normalize_arxiv_id(value)
            return self.by_arxiv.get(base) if base else None
        if kind in _EXT_PREFIXES:
            return self.by_ext.get((_EXT_PREFIXES[kind], value.strip().lower()))
        if kind == "url":
            return self._resolve_url(value)
        doi = normalize_doi(text)  # a bare DOI is accepted (test_get_paper.yaml)
        return self.by_doi.get(doi) if doi else None

    def _resolve_url(self, url: str) -> FakeS2Paper | None:
        parsed = urlparse(url.strip())
        host = parsed.netloc.lower().removeprefix("www.")
        if host.endswith("arxiv.org"):
            base = normalize_arxiv_id(url)
            return self.by_arxiv.get(base) if base else None
        if host == "semanticscholar.org":
            last = parsed.path.rstrip("/").rsplit("/", 1)[-1]
            return self.by_sha.get(last.lower()) if _SHA_RE.match(last) else None
        return None

    # -- serialisation -------------------------------------------------------

    def paper_json(self, paper: FakeS2Paper, fields: Fields) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in fields.top:
            if name == "authors":
                out[name] = [self._author(a, fields.author) for a in paper.authors]
            else:
                out[name] = self._field(paper, name)
        return out

    def _author(self, name: str, subfields: tuple[str, ...]) -> dict[str, Any]:
        author_id = self._author_id(name)
        h = stable_int("author-stats", name)
        values: dict[str, Any] = {
            "authorId": author_id,
            "externalIds": {"DBLP": [name]},
            "url": f"https://www.semanticscholar.org/author/{author_id}" if author_id else None,
            "name": name,
            "affiliations": [],
            "homepage": None,
            "paperCount": h % 300 + 1,
            "citationCount": h % 50_000,
            "hIndex": h % 60,
        }
        keys = {"authorId", "name", *subfields}
        return {k: v for k, v in values.items() if k in keys}

    def _field(self, paper: FakeS2Paper, name: str) -> Any:
        pid = paper.paper_id
        if name == "paperId":
            return pid
        if name == "externalIds":
            ext: dict[str, Any] = {}
            for key, value in paper.external_ids.items():
                if key == "ArXiv":
                    value = normalize_arxiv_id(value) or value
                elif key == "DOI" and stable_int("doi-case", self.seed, pid) % 5 == 0:
                    value = value.upper()  # 10.1093/MIND/LIX.236.433 (Paper.json)
                ext[key] = value
            ext["CorpusId"] = paper.corpus_id
            return ext
        if name == "corpusId":
            return paper.corpus_id
        if name == "publicationVenue":
            return paper.publication_venue
        if name == "url":
            return f"https://www.semanticscholar.org/paper/{pid}"
        if name == "title":
            return paper.title
        if name == "abstract":
            return paper.abstract
        if name == "venue":
            return paper.venue or ""
        if name == "year":
            return paper.year
        if name == "referenceCount":
            return paper.reference_count
        if name == "citationCount":
            return paper.citation_count
        if name == "influentialCitationCount":
            return paper.influential_citation_count
        if name == "isOpenAccess":
            pdf = self._open_access(paper)
            return bool(pdf and pdf["url"])
        if name == "openAccessPdf":
            return self._open_access(paper)
        if name == "fieldsOfStudy":
            return None if stable_int("fos", pid) % 3 == 0 else ["Computer Science"]
        if name == "s2FieldsOfStudy":
            return [{"category": "Computer Science", "source": "s2-fos-model"}]
        if name == "publicationTypes":
            return paper.publication_types
        if name == "publicationDate":
            return paper.publication_date.isoformat() if paper.publication_date else None
        if name == "journal":
            return paper.journal
        if name == "citationStyles":
            return {"bibtex": self._bibtex(paper)}
        if name in {"citations", "references"}:
            return []
        if name == "textAvailability":
            return "abstract" if paper.abstract else "none"
        return None  # tldr, embedding: not modelled

    def _author_id(self, name: str) -> str | None:
        # Unresolved authors carry a null authorId (SCHEMA_NOTES S2 6).
        h = stable_int("author", name)
        return None if h % 23 == 0 else str(1_000_000 + h % 2_000_000_000)

    def _open_access(self, paper: FakeS2Paper) -> dict[str, Any] | None:
        arxiv = paper.external_ids.get("ArXiv")
        pick = stable_int("oa", self.seed, paper.paper_id) % 4
        if arxiv and pick != 1:
            base = normalize_arxiv_id(arxiv) or arxiv
            return {
                "url": f"https://arxiv.org/pdf/{base}",
                "status": "GREEN",
                "license": None,
                "disclaimer": f"Notice: available at https://arxiv.org/abs/{base}; "
                "check the source for the license of this content.",
            }
        if pick == 0:
            return None
        # attention sample: an open-access record with an empty url and null status.
        return {"url": "", "status": None, "license": None}

    def _bibtex(self, paper: FakeS2Paper) -> str:
        first = (paper.authors[0].split()[-1] if paper.authors else "Anon").replace(" ", "")
        key = f"{first}{paper.year or ''}{''.join(w[:1].upper() for w in words(paper.title)[:2])}"
        lines = [f"@Article{{{key},"]
        if paper.authors:
            lines.append(f" author = {{{' and '.join(paper.authors)}}},")
        lines.append(f" title = {{{paper.title}}},")
        if paper.year is not None:
            lines.append(f" year = {{{paper.year}}}")
        return "\n".join(lines) + "\n}\n"

    # -- routes --------------------------------------------------------------

    def describe(self, req: Request) -> tuple[str, tuple[str, ...]]:
        rest = req.rest
        if rest == "paper/batch":
            try:
                ids = json.loads(req.body or b"{}").get("ids", [])
                return "paper/batch", tuple(str(i) for i in ids)
            except (ValueError, AttributeError):
                return "paper/batch", ()
        if rest in {"paper/search/match", "paper/search", "paper/search/bulk"}:
            return rest, (req.param("query", "") or "",)
        if rest.startswith("paper/") and len(rest) > len("paper/"):
            return "paper/{id}", (rest.removeprefix("paper/"),)
        return "unknown", ()

    def handle(self, req: Request) -> Reply:
        rest = req.rest
        if rest == "paper/batch":
            if req.method != "POST":
                return self._error(405, "Method Not Allowed")
            return self._batch(req)
        if req.method not in {"GET", "HEAD"}:
            return self._error(405, "Method Not Allowed")
        if rest == "paper/search/match":
            return self._match(req)
        if rest == "paper/search":
            return self._search(req)
        if rest == "paper/search/bulk":
            return self.bulk.handle(req)
        if rest.startswith("paper/") and rest not in {"paper/search/bulk", "paper/autocomplete"}:
            return self._paper(req, rest.removeprefix("paper/"))
        return self._error(404, "Not Found")

    def _paper(self, req: Request, raw_id: str) -> Reply:
        paper = self.resolve(raw_id)
        # Lookup comes before field validation: an unknown id with bad fields is a
        # 404, not a 400 (semanticscholar_py__test_not_found.yaml).
        if paper is None:
            return self._error(404, f"Paper with id {raw_id} not found")
        try:
            fields = parse_fields(req.param("fields"))
        except FieldError as exc:
            return self._error(400, str(exc))
        return self._ok(self.paper_json(paper, fields))

    def _batch(self, req: Request) -> Reply:
        try:
            fields = parse_fields(req.param("fields"))
        except FieldError as exc:
            return self._error(400, str(exc))
        try:
            payload = json.loads(req.body or b"")
        except ValueError:
            return self._error(400, "Unacceptable JSON body")
        ids = payload.get("ids") if isinstance(payload, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return self._error(400, 'Body must be a JSON object with an "ids" list of strings')
        if len(ids) > MAX_BATCH:
            return self._error(400, f"Cannot process more than {MAX_BATCH} paper ids at a time")
        out = []
        for raw in ids:
            paper = self.resolve(raw)
            out.append(None if paper is None else self.paper_json(paper, fields))
        return self._ok(out)

    def _match(self, req: Request) -> Reply:
        try:
            fields = parse_fields(req.param("fields"))
        except FieldError as exc:
            return self._error(400, str(exc))
        query = req.param("query", "") or ""
        if not query.strip():
            return self._error(400, "Missing required parameter: 'query'")
        best = self.best_match(query)
        if best is None:
            # Both no-match shapes are real (paper_search_match_*): mostly 404, and
            # for a deterministic share of queries 200 {"data": []}.
            if stable_int("match-empty", self.seed, " ".join(words(query))) % 8 == 0:
                return self._ok({"data": []}, newline=False)
            return self._error(404, "Title match not found")
        paper, match_score = best
        item = self.paper_json(paper, fields)
        item["matchScore"] = match_score
        return self._ok({"data": [item]})

    def best_match(self, query: str) -> tuple[FakeS2Paper, float] | None:
        """The single closest title and its ``matchScore`` (about 100-135), or None."""
        q = set(words(query))
        if not q:
            return None
        # A record passes the cover test only if it shares at least `need` of the
        # query's words, so it holds one of the len(q) - need + 1 rarest of them
        # (pigeonhole): scoring only those records gives the same answer, faster.
        need = next(k for k in range(len(q) + 1) if not k / len(q) < _MATCH_MIN_QUERY_COVER)
        rarest = sorted(q, key=lambda w: (len(self.index.get(w, ())), w))
        pool = rarest[: len(q) - need + 1] if need > 0 else rarest
        seen: dict[str, FakeS2Paper] = {}
        for w in pool:
            for paper in self.index.get(w, ()):
                seen.setdefault(paper.paper_id, paper)
        ranked: list[tuple[float, int, str, FakeS2Paper]] = []
        for paper in seen.values():
            c = self.title_words[paper.paper_id]
            inter = len(q & c)
            q_cover, c_cover = inter / len(q), inter / max(len(c), 1)
            similarity = 0.6 * q_cover + 0.4 * c_cover
            if q_cover < _MATCH_MIN_QUERY_COVER or similarity < _MATCH_MIN_SIMILARITY:
                continue
            ranked.append((-similarity, -paper.citation_count, paper.paper_id, paper))
        if not ranked:
            return None
        neg_sim, _, _, paper = min(ranked, key=lambda r: r[:3])
        return paper, round(60.0 + 75.0 * -neg_sim, 5)

    def _search(self, req: Request) -> Reply:
        try:
            fields = parse_fields(req.param("fields"))
            offset = int(req.param("offset", "0") or 0)
            limit = int(req.param("limit", "100") or 100)
        except FieldError as exc:
            return self._error(400, str(exc))
        except ValueError:
            return self._error(400, "offset and limit must be integers")
        if limit > MAX_SEARCH_LIMIT or limit < 0 or offset < 0:
            return self._error(400, f"Limit must be <= {MAX_SEARCH_LIMIT}")
        if offset + limit > MAX_SEARCH_REACH:
            return self._error(400, "Requested data for this limit and/or offset is not available")
        query = req.param("query", "") or ""
        hits = [
            p
            for p in self.search(query)
            if _venue_ok(p, req.param("venue")) and _year_ok(p, req.param("year"))
        ]
        body: dict[str, Any] = {"total": len(hits), "offset": offset}
        if offset + limit < len(hits):
            body["next"] = offset + limit
        if hits:
            page = []
            for paper in hits[offset : offset + limit]:
                item = self.paper_json(paper, fields)
                # openAccessPdf comes back unrequested on search pages
                # (paper_search_transformer_limit5_200.json).
                if "openAccessPdf" not in item and paper.external_ids.get("ArXiv"):
                    item["openAccessPdf"] = self._open_access(paper)
                page.append(item)
            body["data"] = page
        return self._ok(body)

    def search(self, query: str) -> list[FakeS2Paper]:
        """Relevance-ranked records for ``/paper/search``."""
        # "Hyphenated query terms yield no matches (replace it with space)" (API docs).
        if not query.strip() or any("-" in tok.strip("-") for tok in query.split()):
            return []
        q = set(words(query))
        need = (len(q) + 1) // 2
        scored = []
        for paper in self.papers:
            inter = len(q & self.title_words[paper.paper_id])
            if inter >= max(need, 1):
                scored.append((-inter, -paper.citation_count, paper.paper_id, paper))
        scored.sort(key=lambda r: r[:3])
        return [r[3] for r in scored]

    # -- response helpers --------------------------------------------------------

    def _headers(self, *, error: bool, gateway: bool = False) -> dict[str, str]:
        n = next(self._counter)
        rid = uuid.UUID(int=stable_int("rid", self.seed, n) << 64 | stable_int("rid2", n))
        headers = {
            "Content-Type": "application/json",
            "Date": http_date(self.clock.time()),
            "x-amzn-RequestId": str(rid),
        }
        if gateway:  # answered by the API gateway itself, before the application
            return headers
        return headers | {
            "Access-Control-Allow-Origin": "*",
            "Via": f"1.1 {stable_int('via', n) % 16**16:016x}.cloudfront.net (CloudFront)",
            "X-Cache": "Error from cloudfront" if error else "Miss from cloudfront",
            "X-Amz-Cf-Pop": "GRU3-P4",
            "x-amzn-Remapped-Server": "gunicorn",
        }

    def _ok(self, value: Any, *, newline: bool = True) -> Reply:
        return Reply(200, self._headers(error=False), json_body(value, newline=newline))

    def _error(self, status: int, message: str) -> Reply:
        body = json_body({"error": message}, compact=True, newline=True)
        return Reply(status, self._headers(error=True), body)

    def server_error(self, status: int) -> Reply:
        names = {500: "Internal server error", 502: "Bad Gateway", 503: "Service Unavailable"}
        body = json_body({"message": names.get(status, "Error")}, compact=True)
        return Reply(status, self._headers(error=True), body)

    def throttled(self) -> Reply:
        headers = self._headers(error=True, gateway=True)
        headers["x-amzn-ErrorType"] = "TooManyRequestsException"
        return Reply(429, headers, _THROTTLED_BODY)

    def html_page(self) -> Reply:
        headers = self._headers(error=True)
        headers["Content-Type"] = "text/html"
        body = b"<html><body><h1>502 Bad Gateway</h1><p>CloudFront</p></body></html>"
        return Reply(200, headers, body)


def _venue_ok(paper: FakeS2Paper, wanted: str | None) -> bool:
    """The ``venue`` filter: any of a comma-separated list of venue names."""
    if not wanted:
        return True
    names = {paper.venue.lower()}
    if paper.publication_venue:
        names.add(str(paper.publication_venue.get("name", "")).lower())
        names.update(str(n).lower() for n in paper.publication_venue.get("alternate_names") or [])
    # Filtering by "ArXiv" returns venue "arXiv.org" (test_search_paper_venue.yaml).
    if "arxiv.org" in names:
        names.add("arxiv")
    return any(v.strip().lower() in names for v in wanted.split(","))


def _year_ok(paper: FakeS2Paper, wanted: str | None) -> bool:
    """The ``year`` filter: ``2019``, ``2016-2020``, ``2010-`` or ``-2015``."""
    if not wanted:
        return True
    if paper.year is None:
        return False
    low, sep, high = wanted.partition("-")
    try:
        if not sep:
            return paper.year == int(low)
        return (not low or paper.year >= int(low)) and (not high or paper.year <= int(high))
    except ValueError:
        return False
