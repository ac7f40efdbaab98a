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
from enrich._exceptions import Cancelled, EnrichError, SourceError, SourceUnavailableError
from enrich._match import TitleQuery
from enrich._merge import Outcome
from enrich._models import ArxivRecord, Paper
from enrich.adapters.arxiv import ArxivAdapter
from enrich.adapters.base import Sender
from enrich.adapters.github import GitHubAdapter
from enrich.adapters.huggingface import HFAdapter
from enrich.adapters.semantic_scholar import SemanticScholarAdapter

__all__ = ["ProgressCallback", "RunState", "group", "message", "short_reason"]

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


def short_reason(exc: BaseException) -> str:
    """One short line on ``exc`` for a row's ``status_notes`` (no URL: ``errors`` has it)."""
    if isinstance(exc, SourceError):
        return exc.message if exc.status is None else f"HTTP {exc.status} {exc.message}"
    if isinstance(exc, EnrichError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


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
        self.s2 = SemanticScholarAdapter(
            sender,
            settings.source("s2"),
            title_batch=settings.s2_title_batch,
            bulk_max_chars=settings.s2_bulk_max_chars,
            bulk_max_pages=settings.s2_bulk_max_pages,
        )
        #: "s2_first" or "arxiv_first": which service searches titles first
        self.title_order = settings.title_order
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
        #: rows whose title S2's bulk search has judged (never asked twice)
        self.s2_bulk_tried: set[int] = set()
        #: row -> the title (normalised) S2's bulk search answered "no such paper" for
        self.s2_bulk_final: dict[int, str] = {}
        # Only when arXiv searches the title too (its phrase and loose searches,
        # then S2 by the id it finds): a typo that defeats S2's phrase has a second
        # chance there; without arXiv, a miss goes on to /paper/search/match.
        self.s2_bulk_miss_is_final = settings.s2_bulk_miss_is_final and "arxiv" in sources
        self.done_count = dict.fromkeys(SOURCES, 0)
        self.total_count = dict.fromkeys(SOURCES, 0)
        self.github_skipped = 0
        #: sources whose breaker opened (throttled or unreachable): not asked again this run
        self.unavailable: dict[str, SourceUnavailableError] = {}
        # The Hub worker (enrich/_pipeline_hf.py)
        self.hf = HFAdapter(sender, settings.source("hf"))
        #: the Hub has answered for every row it will answer for (GitHub waits on it)
        self.hf_done = threading.Event()
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
        """Record ``exc`` on the rows a request was for; a cancellation is not a row error.

        A :class:`SourceUnavailableError` makes the rows ``skipped`` for ``source``
        (logged once per run), anything else makes them ``error``.
        """
        if isinstance(exc, Cancelled):
            raise exc
        if isinstance(exc, SourceUnavailableError):
            with self._lock:
                first = source not in self.unavailable
                self.unavailable.setdefault(source, exc)
            if first:
                log.warning("%s", message(source, exc))
            self._skip(source, indices, exc.message)
            return
        text = message(source, exc)
        log.warning("%s", text)
        reason = short_reason(exc)
        for i in indices:
            self.outcomes[i].errors.append(text)
            self.outcomes[i].reasons.setdefault(source, reason)

    def _skip(self, source: str, indices: Iterable[int], reason: str) -> None:
        """Mark ``source`` as not asked, for ``reason``, on the rows ``indices``."""
        note = f"[{source}] not looked up: {reason}"
        for i in indices:
            outcome = self.outcomes[i]
            if note not in outcome.skipped:
                outcome.skipped.append(note)
            outcome.reasons.setdefault(source, reason)

    def _available(self, source: str) -> None:
        """Raise the error that made ``source`` unavailable, so no request is even built.

        Called first in each ``try`` that sends, so the ``except`` there records the
        skip like any other failure of that request.
        """
        exc = self.unavailable.get(source)
        if exc is not None:
            raise exc

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
