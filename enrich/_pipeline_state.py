"""The state one pipeline run shares between its workers, and their common helpers.

Split out of :mod:`enrich._pipeline` (which describes the plan) for size: the
S2 worker (:mod:`enrich._pipeline_s2`) and the arXiv and GitHub workers
(:mod:`enrich._pipeline`) are methods of one run object built on
:class:`RunState`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from enrich._config import SOURCES, Settings
from enrich._exceptions import Cancelled, EnrichError
from enrich._match import TitleQuery
from enrich._merge import Outcome
from enrich._models import ArxivRecord, Paper
from enrich.adapters.arxiv import ArxivAdapter
from enrich.adapters.base import Sender
from enrich.adapters.github import GitHubAdapter
from enrich.adapters.huggingface import HFAdapter
from enrich.adapters.semantic_scholar import SemanticScholarAdapter

__all__ = ["ProgressCallback", "RunState", "group", "message"]

log = logging.getLogger("enrich")

#: ``callback(source, done, total)``: units are papers (arXiv, S2) or repositories (GitHub).
ProgressCallback = Callable[[str, int, int], None]

_K = TypeVar("_K")


def group(keys: Iterable[tuple[_K, int]]) -> dict[_K, list[int]]:
    """key -> paper indices, keys in first-seen order."""
    groups: dict[_K, list[int]] = {}
    for key, index in keys:
        groups.setdefault(key, []).append(index)
    return groups


def message(source: str, exc: BaseException) -> str:
    if isinstance(exc, EnrichError):
        text = str(exc)
        return text if text.startswith(f"[{source}]") else f"[{source}] {text}"
    return f"[{source}] unexpected {type(exc).__name__}: {exc}"


class RunState:
    """The state of one resolution run; one instance per ``resolve`` call."""

    def __init__(
        self,
        papers: Sequence[Paper],
        sender: Sender,
        settings: Settings,
        sources: tuple[str, ...],
        progress: ProgressCallback | None,
        cancel: threading.Event,
    ) -> None:
        self.outcomes = [Outcome(paper=p) for p in papers]
        self.sources = sources
        self.progress = progress
        self.cancel = cancel
        self.arxiv = ArxivAdapter(
            sender, settings.source("arxiv"), titles_per_query=settings.arxiv_titles_per_query
        )
        self.s2 = SemanticScholarAdapter(sender, settings.source("s2"))
        self.github = GitHubAdapter(
            sender, settings.source("github"), token_set=settings.github_token is not None
        )
        # arXiv -> S2, one producer so the order is fixed: ("id", i) arXiv answered for an
        # input id; ("found", i) / ("missed", i) the title search found row i or not.
        self.s2_inbox: queue.Queue[tuple[str, int]] = queue.Queue()
        #: S2 has answered batch #1 (the ids given in the input)
        self.s2_inputs_done = threading.Event()
        #: arXiv has answered for every input id and title
        self.arxiv_titles_done = threading.Event()
        self.s2_done = threading.Event()
        #: arXiv will learn nothing more (after the backfill of S2-only ids)
        self.arxiv_final = threading.Event()
        #: arXiv's answer per id asked (None: unknown to arXiv), so no id is asked twice
        self.arxiv_fetched: dict[str, ArxivRecord | None] = {}
        #: rows batch #1 did not find
        self.s2_missing: set[int] = set()
        #: S2 batch keys already asked per row
        self.s2_tried: dict[int, set[str]] = {}
        self.done_count = dict.fromkeys(SOURCES, 0)
        self.total_count = dict.fromkeys(SOURCES, 0)
        self.github_skipped = 0
        # hf (issue #13): the Hub worker (enrich/_pipeline_hf.py)
        self.hf = HFAdapter(sender, settings.source("hf"))
        #: the Hub has answered for every row it will answer for (GitHub waits on it)
        self.hf_done = threading.Event()
        self.hf_skipped = 0
        self._lock = threading.Lock()

    # -- helpers ---------------------------------------------------------------------------

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("run interrupted")

    def _add_total(self, source: str, n: int) -> None:
        with self._lock:
            self.total_count[source] += n
        self._report(source)

    def _advance(self, source: str, n: int) -> None:
        with self._lock:
            self.done_count[source] += n
        self._report(source)

    def _report(self, source: str) -> None:
        if self.progress is not None:
            self.progress(source, self.done_count[source], self.total_count[source])

    def _fail(self, source: str, indices: Iterable[int], exc: BaseException) -> None:
        """Record ``exc`` on the rows a request was for; a cancellation is not a row error."""
        if isinstance(exc, Cancelled):
            raise exc
        text = message(source, exc)
        log.warning("%s", text)
        for i in indices:
            self.outcomes[i].errors.append(text)

    def _title_query(self, i: int) -> TitleQuery | None:
        outcome = self.outcomes[i]
        paper = outcome.paper
        s2 = outcome.s2
        if outcome.arxiv is None and s2 is not None and outcome.s2_match is None and s2.title:
            # Found by DOI: the record's title is the paper's current one; a listing may
            # show an older title that the preprint no longer carries.
            return TitleQuery(title=s2.title, authors=s2.authors)
        title = outcome.arxiv.title if outcome.arxiv is not None else paper.title
        if title is None or not title.strip():
            return None
        authors = outcome.arxiv.authors if outcome.arxiv is not None else paper.authors
        year = paper.year
        if outcome.arxiv is not None and outcome.arxiv.published is not None:
            year = outcome.arxiv.published.year
        return TitleQuery(title=title, year=year, authors=tuple(authors))

    def _known_arxiv_id(self, i: int) -> str | None:
        outcome = self.outcomes[i]
        return outcome.arxiv.arxiv_id if outcome.arxiv is not None else outcome.paper.arxiv_id
