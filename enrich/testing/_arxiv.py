"""The fake arXiv export API: ``/api/query`` answering Atom feeds like the 2025+ backend.

Shapes follow the recordings in ``shared/api-samples/arxiv``: single-quoted XML
declaration, namespaces declared once on ``<feed>``, ``<id>http://arxiv.org/abs/<id>vN``,
the element order of a live entry, malformed ids answered by HTTP 400 with an
Atom "Error" entry, unknown ids silently dropped, entries of an ``id_list`` in no
particular order, and throttling as a bare ``text/html`` 429 "Rate exceeded.".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import re
from collections.abc import Sequence
from urllib.parse import parse_qs
from xml.sax.saxutils import escape, quoteattr

from enrich._clock import Clock
from enrich.testing._common import Reply, Request, http_date, iso_z, stable_int
from enrich.testing._corpus import Corpus, FakeArxivEntry
from enrich.testing._query import Document, collect_terms, matches, parse_query, render, score

__all__ = ["ArxivService"]

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
_NS = (
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom"'
)
# The live API's id syntax check is looser than "can exist": 0000.0000 and the
# five-digit pre-2015 0808.05394 both pass it and simply find nothing
# (shared/api-samples/arxiv/id_list_*_empty_200.xml); "abc" fails with a 400.
_WELL_FORMED_ID = re.compile(
    r"^(?:\d{4}\.\d{4,5}|[a-zA-Z]+(?:-[a-zA-Z]+)?(?:\.[A-Za-z]{2})?/\d{7})(?:v(\d+))?$"
)
# arXiv paging limits (user manual §3.1.1.2; API_FACTS.md).
MAX_SLICE = 2000
MAX_TOTAL = 30000
DEFAULT_MAX_RESULTS = 10


def _feed_hash(text: str) -> str:
    return base64.b64encode(hashlib.sha1(text.encode()).digest()).decode().rstrip("=")


def _lerp(a: dt.datetime, b: dt.datetime, frac: float) -> dt.datetime:
    return a + (b - a) * frac


class ArxivService:
    """Answers ``GET``/``POST {arxiv_url}`` from a corpus's arXiv entries."""

    source = "arxiv"

    def __init__(self, corpus: Corpus, *, seed: int, clock: Clock) -> None:
        self.seed = seed
        self.clock = clock
        self.entries: dict[str, FakeArxivEntry] = {}
        self.docs: list[Document] = []
        for entry in corpus.arxiv:
            self.entries[entry.arxiv_id] = entry
            self.docs.append(
                Document.build(
                    entry.arxiv_id,
                    title=entry.title,
                    abstract=entry.abstract,
                    authors=entry.authors,
                    comment=entry.comment,
                    journal_ref=entry.journal_ref,
                    categories=entry.categories,
                )
            )
        self._docs_by_id = {doc.key: doc for doc in self.docs}

    # -- request description -----------------------------------------------

    def params(self, req: Request) -> dict[str, str]:
        merged: dict[str, str] = {k: v[0] for k, v in req.query.items() if v}
        if req.method == "POST" and req.body:
            form = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
            merged.update({k: v[0] for k, v in form.items() if v})
        return merged

    def describe(self, req: Request) -> tuple[str, tuple[str, ...]]:
        if req.rest not in {"", "/"}:
            return "unknown", ()
        params = self.params(req)
        asked = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
        node = parse_query(params.get("search_query"))
        titles = [" ".join(t.words) for t in collect_terms(node) if t.field == "ti" and t.phrase]
        if not asked and not titles and node is not None:
            titles = [params.get("search_query", "")]
        return "query", (*asked, *titles)

    # -- answers -------------------------------------------------------------

    def handle(self, req: Request) -> Reply:
        if req.rest not in {"", "/"} or req.method not in {"GET", "POST", "HEAD"}:
            return self._html(404, "Not Found")
        params = self.params(req)
        raw_query = params.get("search_query", "")
        raw_ids = params.get("id_list", "")
        try:
            start = int(params.get("start", "0"))
            max_results = int(params.get("max_results", str(DEFAULT_MAX_RESULTS)))
        except ValueError:
            return self._error(
                "start_and_max_results_must_be_integers", "start and max_results must be integers"
            )
        if start < 0 or max_results < 0:
            return self._error(
                "start_and_max_results_must_be_non_negative",
                "start and max_results must be non-negative",
            )
        if max_results > MAX_SLICE:
            return self._error(
                "max_results_must_be_less_than_or_equal_to_2000",
                f"max_results must be less than or equal to {MAX_SLICE}",
            )
        if start + max_results > MAX_TOTAL:
            return self._error(
                "start_plus_max_results_must_be_less_than_or_equal_to_30000",
                f"start + max_results must be less than or equal to {MAX_TOTAL}",
            )
        asked = [i.strip() for i in raw_ids.split(",") if i.strip()]
        for item in asked:
            if not _WELL_FORMED_ID.match(item):
                return self._error(
                    f"incorrect_id_format_for_{item}", f"incorrect id format for {item}"
                )
        node = parse_query(raw_query)
        echo = render(node)

        rows: list[tuple[FakeArxivEntry, int]]
        if asked:
            rows = self._lookup(asked)
            if node is not None:
                rows = [(e, v) for e, v in rows if matches(node, self._docs_by_id[e.arxiv_id])]
            total = len(rows)
            page = rows[start : start + max_results]
            rng = random.Random(stable_int("id_list", self.seed, raw_ids))
            rng.shuffle(page)
        elif node is not None:
            hits = [doc for doc in self.docs if matches(node, doc)]
            hits = self._sort(hits, node, params.get("sortBy"), params.get("sortOrder"))
            rows = [(self.entries[d.key], self.entries[d.key].version) for d in hits]
            total = len(rows)
            page = rows[start : start + max_results]
        else:
            total, page = 0, []

        title_q = f"search_query={echo}&id_list={raw_ids}&start={start}&max_results={max_results}"
        link_q = f"search_query={echo}&start={start}&max_results={max_results}&id_list={raw_ids}"
        now = iso_z(self.clock.time())
        out = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            f"<feed {_NS}>",
            f"  <id>https://arxiv.org/api/{_feed_hash(title_q)}</id>",
            f"  <title>arXiv Query: {escape(title_q)}</title>",
            f"  <updated>{now}</updated>",
            f'  <link href={quoteattr("https://arxiv.org/api/query?" + link_q)} type="application/atom+xml"/>',
            f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
        ]
        for entry, version in page:
            out.extend(self._entry_xml(entry, version))
        out.append("</feed>")
        return self._atom(200, "\n".join(out) + "\n")

    def _lookup(self, asked: Sequence[str]) -> list[tuple[FakeArxivEntry, int]]:
        found: list[tuple[FakeArxivEntry, int]] = []
        for item in asked:
            match = _WELL_FORMED_ID.match(item)
            assert match is not None
            base = item[: match.start(1) - 1] if match.group(1) else item
            if "/" in base:
                archive, number = base.split("/")
                base = f"{archive.lower()}/{number}"
            entry = self.entries.get(base)
            if entry is None:
                continue
            version = int(match.group(1)) if match.group(1) else entry.version
            if not 1 <= version <= entry.version:
                continue
            found.append((entry, version))
        return found

    def _sort(
        self, hits: list[Document], node: object, sort_by: str | None, order: str | None
    ) -> list[Document]:
        descending = (order or "descending") != "ascending"
        if sort_by in {"submittedDate", "lastUpdatedDate"}:
            attr = "published" if sort_by == "submittedDate" else "updated"

            def when(doc: Document) -> tuple[float, str]:
                value: dt.datetime = getattr(self.entries[doc.key], attr)
                if value.tzinfo is None:
                    value = value.replace(tzinfo=dt.UTC)
                return (value.timestamp(), doc.key)

            return sorted(hits, key=when, reverse=descending)
        scored = [(score(node, doc), doc) for doc in hits]  # type: ignore[arg-type]
        scored.sort(key=lambda pair: (-pair[0], pair[1].key))
        ranked = [doc for _, doc in scored]
        return ranked if descending else ranked[::-1]

    def _entry_xml(self, entry: FakeArxivEntry, version: int) -> list[str]:
        vid = f"{entry.arxiv_id}v{version}"
        title = entry.titles[version - 1]
        if entry.version == 1 or version == 1:
            updated = entry.published if version == 1 else entry.updated
        else:
            updated = _lerp(entry.published, entry.updated, (version - 1) / (entry.version - 1))
        lines = [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{vid}</id>",
            f"    <title>{escape(title)}</title>",
            f"    <updated>{iso_z(updated)}</updated>",
            f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
            f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf" title="pdf"/>',
            f"    <summary>{escape(self._summary_text(entry))}</summary>",
        ]
        lines += [
            f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
            for c in entry.categories
        ]
        lines.append(f"    <published>{iso_z(entry.published)}</published>")
        if entry.comment is not None:
            lines.append(f"    <arxiv:comment>{escape(entry.comment)}</arxiv:comment>")
        if entry.categories:
            lines.append(f"    <arxiv:primary_category term={quoteattr(entry.categories[0])}/>")
        if entry.journal_ref is not None:
            lines.append(f"    <arxiv:journal_ref>{escape(entry.journal_ref)}</arxiv:journal_ref>")
        for name in entry.authors:
            lines += ["    <author>", f"      <name>{escape(name)}</name>"]
            if name in entry.affiliations:
                lines.append(
                    f"      <arxiv:affiliation>{escape(entry.affiliations[name])}</arxiv:affiliation>"
                )
            lines.append("    </author>")
        if entry.doi is not None:
            lines.append(f"    <arxiv:doi>{escape(entry.doi)}</arxiv:doi>")
            href = quoteattr(f"https://doi.org/{entry.doi}")
            lines.append(f'    <link rel="related" href={href} title="doi"/>')
        lines.append("  </entry>")
        return lines

    def _summary_text(self, entry: FakeArxivEntry) -> str:
        # Old-style abstracts keep two leading spaces, and some new ones keep the
        # submitter's line breaks as "\n  " (SCHEMA_NOTES arXiv 6); reproduce both.
        text = entry.abstract
        if "/" in entry.arxiv_id:
            return "  " + text
        if stable_int("wrap", self.seed, entry.arxiv_id) % 5 == 0:
            ws = text.split(". ")
            if len(ws) > 1:
                half = len(ws) // 2
                return ". ".join(ws[:half]) + ".\n  " + ". ".join(ws[half:])
        return text

    # -- error shapes --------------------------------------------------------

    def _atom(self, status: int, text: str) -> Reply:
        body = text.encode("utf-8")
        return Reply(status, self._headers(CONTENT_TYPE), body)

    def _headers(self, content_type: str) -> dict[str, str]:
        return {
            "Content-Type": content_type,
            "Date": http_date(self.clock.time()),
            "Access-Control-Allow-Origin": "*",
        }

    def _error(self, slug: str, message: str) -> Reply:
        """HTTP 400 with an Atom feed holding one "Error" entry (id_list_malformed_abc_400.xml)."""
        now = iso_z(self.clock.time())
        url = f"https://arxiv.org/api/errors#{slug}"
        text = "\n".join(
            [
                "<?xml version='1.0' encoding='UTF-8'?>",
                f"<feed {_NS}>",
                "  <id>https://arxiv.org/</id>",
                "  <title>arXiv Search Results</title>",
                f"  <updated>{now}</updated>",
                "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>",
                "  <opensearch:totalResults>1</opensearch:totalResults>",
                "  <opensearch:startIndex>0</opensearch:startIndex>",
                "  <entry>",
                f"    <id>{escape(url)}</id>",
                "    <title>Error</title>",
                f"    <updated>{now}</updated>",
                f'    <link href={quoteattr(url)} rel="alternate" type="text/html"/>',
                f"    <summary>{escape(message)}</summary>",
                "    <author>",
                "      <name>arXiv api core</name>",
                "    </author>",
                "  </entry>",
                "</feed>",
            ]
        )
        return self._atom(400, text + "\n")

    def _html(self, status: int, text: str) -> Reply:
        body = (
            f"<html><head><title>{status} {text}</title></head><body><h1>{text}</h1></body></html>"
        )
        return Reply(status, self._headers("text/html; charset=utf-8"), body.encode())

    def server_error(self, status: int) -> Reply:
        names = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        return self._html(status, names.get(status, "Error"))

    def throttled(self) -> Reply:
        # Observed live (rate_limited_429_OBSERVED.txt): Google Frontend, text/html,
        # 14-byte body, no Retry-After.
        headers = self._headers("text/html")
        headers["Server"] = "Google Frontend"
        del headers["Access-Control-Allow-Origin"]
        return Reply(429, headers, b"Rate exceeded.")

    def html_page(self) -> Reply:
        return self._html(200, "arXiv is temporarily unavailable; please try again later")
