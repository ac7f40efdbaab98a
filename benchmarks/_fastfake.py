"""Exact speed-ups for the fake services, installed in the benchmark process only.

The fake arXiv answers correctly but searches by linear scan: its
``search_query`` tests every entry.  At 10,000 papers and beyond, the fake's
own CPU time would then dominate the time scale the benchmark runs at, and the
wall times would measure the fake rather than the clients.  :func:`accelerate` puts an inverted index in front of arXiv:

* arXiv: an entry can only satisfy a query if it has every word of some
  positive ``ti:`` term in its title, so the index yields a superset of the
  matches, which the fake's own matcher then filters (same hits, same order);
* S2's title match prunes by itself (``S2Service.best_match``).

The accelerated fake answers exactly what the unaccelerated fakes answer;
``tests/test_benchmarks_smoke.py`` checks that on sample queries.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from enrich.testing import FakeServices
from enrich.testing._arxiv import ArxivService
from enrich.testing._common import Request
from enrich.testing._query import BoolOp, Document, Node, Term, parse_query

__all__ = ["accelerate"]


def accelerate(fake: FakeServices) -> None:
    """Index ``fake``'s arXiv titles (idempotent).

    The S2 title match needs nothing here: the fake itself scores only the
    records that can pass its threshold.
    """
    arxiv = fake.services["arxiv"]
    if isinstance(arxiv, ArxivService) and not isinstance(arxiv.docs, _CandidateDocs):
        _accelerate_arxiv(arxiv)


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
