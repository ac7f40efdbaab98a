"""Exact speed-ups for the fake services, installed in the benchmark process only.

The fakes answer correctly but search by linear scan: arXiv's ``search_query``
tests every entry, and Semantic Scholar's title match scores every record that
shares one word with the query (most of them share "for" or "learning").  At
10,000 papers and beyond, the fakes' own CPU time would then dominate the time
scale the benchmark runs at, and the wall times would measure the fake rather
than the clients.  :func:`accelerate` puts an inverted index in front of both:

* arXiv: an entry can only satisfy a query if it has every word of some
  positive ``ti:`` term in its title, so the index yields a superset of the
  matches, which the fake's own matcher then filters (same hits, same order);
* S2: a record passes the fake's title-match threshold only if it shares at
  least ``k`` words with the query, so it contains one of the query's
  ``len(q) - k + 1`` rarest words (pigeonhole); only those records are scored,
  with the fake's own formula.

Both answer exactly what the unaccelerated fakes answer;
``tests/test_benchmarks_smoke.py`` checks that on sample queries.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from enrich.testing import FakeServices
from enrich.testing import _s2 as fake_s2
from enrich.testing._arxiv import ArxivService
from enrich.testing._common import Request
from enrich.testing._corpus import FakeS2Paper
from enrich.testing._query import BoolOp, Document, Node, Term, parse_query, words
from enrich.testing._s2 import S2Service

__all__ = ["accelerate"]


def accelerate(fake: FakeServices) -> None:
    """Index ``fake``'s arXiv titles and S2 title words (idempotent)."""
    arxiv = fake.services["arxiv"]
    s2 = fake.services["s2"]
    if isinstance(arxiv, ArxivService) and not isinstance(arxiv.docs, _CandidateDocs):
        _accelerate_arxiv(arxiv)
    if isinstance(s2, S2Service) and not getattr(s2, "_bench_accelerated", False):
        _accelerate_s2(s2)


# --- arXiv -----------------------------------------------------------------------


class _CandidateDocs(list[Document]):
    """The service's documents; iterating yields only the current query's candidates.

    The fake's handler scans ``self.docs``; during one request (per thread) the
    scan sees the index's candidates, in corpus order, instead of every entry.
    """

    def __init__(self, docs: list[Document]) -> None:
        super().__init__(docs)
        self.position = {id(doc): n for n, doc in enumerate(docs)}
        self.title_index: dict[str, set[int]] = defaultdict(set)
        for n, doc in enumerate(docs):
            for segment in doc.fields.get("ti", []):
                for word in segment:
                    self.title_index[word].add(n)
        self.local = threading.local()

    def __iter__(self) -> Iterator[Document]:
        wanted: list[int] | None = getattr(self.local, "candidates", None)
        if wanted is None:
            return super().__iter__()
        return (self[n] for n in wanted)

    def candidates(self, node: Node | None) -> list[int] | None:
        """Positions of the entries that may match ``node``; None means all."""
        found = self._superset(node)
        return None if found is None else sorted(found)

    def _superset(self, node: Node | None) -> set[int] | None:
        if node is None:
            return set()
        if isinstance(node, Term):
            return self._term(node)
        assert isinstance(node, BoolOp)
        left = self._superset(node.left)
        if node.op == "ANDNOT":
            return left
        right = self._superset(node.right)
        if node.op == "AND":
            if left is None:
                return right
            if right is None:
                return left
            return left & right
        if left is None or right is None:
            return None
        return left | right

    def _term(self, term: Term) -> set[int] | None:
        # Only titles are indexed; any other field (and wildcards) may match anything.
        if term.field != "ti":
            return None
        plain = [w for w in term.words if not w.endswith("*")]
        if not plain:
            return None
        sets = sorted((self.title_index.get(w, set()) for w in plain), key=len)
        found = set(sets[0])
        for other in sets[1:]:
            found &= other
        return found


def _accelerate_arxiv(service: ArxivService) -> None:
    docs = _CandidateDocs(service.docs)
    service.docs = docs
    original = service.handle

    def handle(req: Request) -> Any:
        node = parse_query(service.params(req).get("search_query"))
        docs.local.candidates = docs.candidates(node)
        try:
            return original(req)
        finally:
            docs.local.candidates = None

    service.handle = handle  # type: ignore[method-assign]


# --- Semantic Scholar ------------------------------------------------------------


def _accelerate_s2(service: S2Service) -> None:
    min_cover = fake_s2._MATCH_MIN_QUERY_COVER
    min_similarity = fake_s2._MATCH_MIN_SIMILARITY

    def best_match(query: str) -> tuple[FakeS2Paper, float] | None:
        q = set(words(query))
        if not q:
            return None
        # Smallest shared-word count that passes the fake's cover test, with its float test.
        need = next(k for k in range(len(q) + 1) if not k / len(q) < min_cover)
        rarest = sorted(q, key=lambda w: (len(service.index.get(w, ())), w))
        pool = rarest[: len(q) - need + 1] if need > 0 else rarest
        seen: dict[str, FakeS2Paper] = {}
        for word in pool:
            for paper in service.index.get(word, ()):
                seen.setdefault(paper.paper_id, paper)
        ranked: list[tuple[float, int, str, FakeS2Paper]] = []
        for paper in seen.values():
            c = service.title_words[paper.paper_id]
            inter = len(q & c)
            q_cover, c_cover = inter / len(q), inter / max(len(c), 1)
            similarity = 0.6 * q_cover + 0.4 * c_cover
            if q_cover < min_cover or similarity < min_similarity:
                continue
            ranked.append((-similarity, -paper.citation_count, paper.paper_id, paper))
        if not ranked:
            return None
        neg_sim, _, _, paper = min(ranked, key=lambda r: r[:3])
        return paper, round(60.0 + 75.0 * -neg_sim, 5)

    service.best_match = best_match  # type: ignore[method-assign]
    service._bench_accelerated = True  # type: ignore[attr-defined]
