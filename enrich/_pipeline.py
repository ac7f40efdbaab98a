"""Resolve papers against the sources: one worker thread per source.

Sources proceed concurrently (arXiv's three-second pace never delays GitHub),
and each asks for what it can in as few requests as its API allows.  The plan
is deterministic: the same input and the same answers produce the same
requests, which is what lets a warm cache, a resumed run and a cassette replay
send nothing new.

::

    arxiv   titles (OR-ed phrases) ──found──> s2 batch #2 ───null──> s2 title match
       │          └──────────────not found──> s2 title match
       └─ id_list chunks of 100
    s2      batch #1: input ARXIV:/DOI: ids, 500 per request ──null──> title match (after arXiv)
    arxiv   backfill: ids that only S2 knew (after S2)
    github  repos linked in the input (at once), then repos linked on arXiv (after backfill)

Every failure is caught per request and recorded on the rows that request was
for; the run itself never stops for a source error.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from enrich._config import SOURCES, Settings
from enrich._exceptions import Cancelled, ConfigError, EnrichError, RateLimitError
from enrich._ids import find_github_urls, github_full_name
from enrich._match import TitleQuery
from enrich._merge import Outcome
from enrich._models import Paper
from enrich.adapters.arxiv import ArxivAdapter
from enrich.adapters.base import Sender, chunked
from enrich.adapters.github import GitHubAdapter
from enrich.adapters.semantic_scholar import SemanticScholarAdapter

__all__ = ["Cancelled", "ProgressCallback", "RunReport", "resolve", "validate_sources"]

log = logging.getLogger("enrich")

#: ``callback(source, done, total)``: units are papers (arXiv, S2) or repositories (GitHub).
ProgressCallback = Callable[[str, int, int], None]

_K = TypeVar("_K")


@dataclass
class RunReport:
    """What happened in a run, beyond the table itself."""

    papers: int = 0
    resolved: dict[str, int] = field(default_factory=dict)
    not_found: int = 0
    errors: int = 0
    #: GitHub repositories not looked up because the unauthenticated budget ran out
    github_skipped: int = 0
    #: rows per status (filled by the caller that builds the rows)
    statuses: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0


def validate_sources(sources: Iterable[str]) -> tuple[str, ...]:
    """The requested sources in canonical order; unknown names raise ConfigError."""
    wanted = tuple(dict.fromkeys(s.strip().lower() for s in sources if s.strip()))
    unknown = [s for s in wanted if s not in SOURCES]
    if unknown:
        raise ConfigError(
            f"unknown source(s) {', '.join(unknown)}; valid sources: {', '.join(SOURCES)}"
        )
    if not wanted:
        raise ConfigError(f"no sources selected; valid sources: {', '.join(SOURCES)}")
    return tuple(s for s in SOURCES if s in wanted)


def _group(keys: Iterable[tuple[_K, int]]) -> dict[_K, list[int]]:
    """key -> paper indices, keys in first-seen order."""
    groups: dict[_K, list[int]] = {}
    for key, index in keys:
        groups.setdefault(key, []).append(index)
    return groups


def _message(source: str, exc: BaseException) -> str:
    if isinstance(exc, EnrichError):
        text = str(exc)
        return text if text.startswith(f"[{source}]") else f"[{source}] {text}"
    return f"[{source}] unexpected {type(exc).__name__}: {exc}"


class _Run:
    """The state of one resolution run; one instance per :func:`resolve` call."""

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
        # arXiv -> S2: ("batch", index) found by title; ("match", index) not found by title.
        self.s2_inbox: queue.Queue[tuple[str, int]] = queue.Queue()
        self.arxiv_titles_done = threading.Event()
        #: arXiv has answered for every input id and title
        self.arxiv_ids_done = threading.Event()
        self.s2_done = threading.Event()
        #: arXiv will learn nothing more (after the backfill of S2-only ids)
        self.arxiv_final = threading.Event()
        self.done_count = dict.fromkeys(SOURCES, 0)
        self.total_count = dict.fromkeys(SOURCES, 0)
        self.github_skipped = 0
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
        message = _message(source, exc)
        log.warning("%s", message)
        for i in indices:
            self.outcomes[i].errors.append(message)

    def _title_query(self, i: int) -> TitleQuery | None:
        outcome = self.outcomes[i]
        paper = outcome.paper
        title = outcome.arxiv.title if outcome.arxiv is not None else paper.title
        if title is None or not title.strip():
            return None
        authors = outcome.arxiv.authors if outcome.arxiv is not None else paper.authors
        year = paper.year
        if outcome.arxiv is not None and outcome.arxiv.published is not None:
            year = outcome.arxiv.published.year
        return TitleQuery(title=title, year=year, authors=tuple(authors))

    # -- arXiv ---------------------------------------------------------------------------

    def run_arxiv(self) -> None:
        try:
            self._arxiv_titles()
            self._arxiv_ids(
                _group(
                    (o.paper.arxiv_id, i) for i, o in enumerate(self.outcomes) if o.paper.arxiv_id
                )
            )
        finally:
            self.arxiv_titles_done.set()
            self.arxiv_ids_done.set()
            if "s2" not in self.sources:
                self.arxiv_final.set()

    def _arxiv_titles(self) -> None:
        wanted = [
            i
            for i, o in enumerate(self.outcomes)
            if o.paper.arxiv_id is None and o.paper.doi is None and self._title_query(i)
        ]
        self._add_total("arxiv", len(wanted))
        for chunk in chunked(wanted, self.arxiv.titles_per_query):
            self._check_cancel()
            queries = [q for q in (self._title_query(i) for i in chunk) if q is not None]
            for i in chunk:
                self.outcomes[i].asked.add("arxiv")
            try:
                results = self.arxiv.resolve_title_chunk(queries)
            except Exception as exc:
                self._fail("arxiv", chunk, exc)
                for i in chunk:
                    self.s2_inbox.put(("match", i))
            else:
                for i, resolved in zip(chunk, results, strict=True):
                    outcome = self.outcomes[i]
                    outcome.arxiv_match = resolved.decision
                    outcome.arxiv = resolved.record
                    self.s2_inbox.put(("batch" if resolved.record else "match", i))
            self._advance("arxiv", len(chunk))
        self.arxiv_titles_done.set()

    def _arxiv_ids(self, groups: dict[str, list[int]]) -> None:
        self._add_total("arxiv", sum(len(v) for v in groups.values()))
        for chunk in chunked(list(groups), self.arxiv.settings.batch_size):
            self._check_cancel()
            indices = [i for arxiv_id in chunk for i in groups[arxiv_id]]
            for i in indices:
                self.outcomes[i].asked.add("arxiv")
            try:
                records = self.arxiv.fetch_id_chunk(chunk)
            except Exception as exc:
                self._fail("arxiv", indices, exc)
            else:
                for arxiv_id in chunk:
                    for i in groups[arxiv_id]:
                        self.outcomes[i].arxiv = records.get(arxiv_id)
            self._advance("arxiv", len(indices))

    def run_arxiv_backfill(self) -> None:
        """Fetch arXiv metadata for ids that only Semantic Scholar revealed."""
        try:
            self.s2_done.wait()
            groups = _group(
                (o.s2.arxiv_id, i)
                for i, o in enumerate(self.outcomes)
                if o.arxiv is None
                and o.s2 is not None
                and o.s2.arxiv_id
                and not any(e.startswith("[arxiv]") for e in o.errors)
            )
            if groups:
                self._arxiv_ids(groups)
        finally:
            self.arxiv_final.set()

    # -- Semantic Scholar ------------------------------------------------------------------

    def run_s2(self) -> None:
        try:
            deferred = self._s2_batch(self._s2_input_ids())
            matches: list[int] = []
            resolved_by_title: list[int] = []
            # Stream arXiv's title results: matches go out at once, arXiv-found ids are
            # batched after arXiv is done so the batch is the same on every run.
            while True:
                self._check_cancel()
                try:
                    kind, i = self.s2_inbox.get(timeout=0.05)
                except queue.Empty:
                    if self.arxiv_titles_done.is_set() and self.s2_inbox.empty():
                        break
                    continue
                if kind == "batch":
                    resolved_by_title.append(i)
                else:
                    matches.append(i)
                    self._s2_match([i])
            found_ids = _group(
                (f"ARXIV:{self.outcomes[i].arxiv.arxiv_id}", i)  # type: ignore[union-attr]
                for i in sorted(resolved_by_title)
            )
            deferred += self._s2_batch(found_ids)
            if "arxiv" not in self.sources:
                deferred += [
                    i
                    for i, o in enumerate(self.outcomes)
                    if o.paper.arxiv_id is None and o.paper.doi is None
                ]
            # Batch misses need arXiv's title, so they wait for arXiv's id lookups.
            self.arxiv_ids_done.wait()
            self._s2_match(sorted(set(deferred) - set(matches)))
        finally:
            self.s2_done.set()

    def _s2_input_ids(self) -> dict[str, list[int]]:
        keys: list[tuple[str, int]] = []
        for i, o in enumerate(self.outcomes):
            if o.paper.arxiv_id:
                keys.append((f"ARXIV:{o.paper.arxiv_id}", i))
            elif o.paper.doi:
                keys.append((f"DOI:{o.paper.doi}", i))
        return _group(keys)

    def _s2_batch(self, groups: dict[str, list[int]]) -> list[int]:
        """Look ``groups`` up in batches; returns the indices S2 did not know."""
        self._add_total("s2", sum(len(v) for v in groups.values()))
        missing: list[int] = []
        retry_with_doi: dict[str, list[int]] = {}
        for chunk in chunked(list(groups), self.s2.settings.batch_size):
            self._check_cancel()
            indices = [i for key in chunk for i in groups[key]]
            for i in indices:
                self.outcomes[i].asked.add("s2")
            try:
                records = self.s2.fetch_batch(chunk)
            except Exception as exc:
                self._fail("s2", indices, exc)
                self._advance("s2", len(indices))
                continue
            for key, record in zip(chunk, records, strict=True):
                for i in groups[key]:
                    paper = self.outcomes[i].paper
                    if record is not None:
                        self.outcomes[i].s2 = record
                    elif key.startswith("ARXIV:") and paper.doi:
                        # Some S2 records are not linked to their arXiv preprint.
                        retry_with_doi.setdefault(f"DOI:{paper.doi}", []).append(i)
                    else:
                        missing.append(i)
            self._advance("s2", len(indices))
        if retry_with_doi:
            missing += self._s2_batch(retry_with_doi)
        return missing

    def _s2_match(self, indices: Sequence[int]) -> None:
        todo = [(i, q) for i in indices if (q := self._title_query(i)) is not None]
        self._add_total("s2", len(todo))
        for i, query in todo:
            self._check_cancel()
            outcome = self.outcomes[i]
            outcome.asked.add("s2")
            try:
                resolved = self.s2.match_title(query)
            except Exception as exc:
                self._fail("s2", [i], exc)
            else:
                record = resolved.record
                known = outcome.arxiv.arxiv_id if outcome.arxiv else outcome.paper.arxiv_id
                if record is not None and record.arxiv_id and known and record.arxiv_id != known:
                    # Precision first: a record tied to another arXiv id is another paper.
                    outcome.conflicts.append(
                        f"s2_paper_id: title match {record.paper_id} is arXiv {record.arxiv_id},"
                        f" not {known}; dropped"
                    )
                    record = None
                outcome.s2_match = resolved.decision
                outcome.s2 = record
            self._advance("s2", 1)

    # -- GitHub ----------------------------------------------------------------------------

    def run_github(self) -> None:
        for o in self.outcomes:
            if o.paper.code_urls:
                o.repo_url = o.paper.code_urls[0]
        first = [i for i, o in enumerate(self.outcomes) if o.repo_url]
        budget_left = self._github_fetch(first)
        self.arxiv_final.wait()
        later: list[int] = []
        for i, o in enumerate(self.outcomes):
            if o.repo_url is None and o.arxiv is not None:
                links = find_github_urls(o.arxiv.comment) or find_github_urls(o.arxiv.abstract)
                if links:
                    o.repo_url = links[0]
                    later.append(i)
        if budget_left:
            self._github_fetch(later)
        else:
            self._github_skip(later)

    def _github_fetch(self, indices: Sequence[int]) -> bool:
        """Fetch the repositories of ``indices``; False once the rate budget ran out."""
        groups = _group(
            (name.lower(), i)
            for i in indices
            if (name := github_full_name(self.outcomes[i].repo_url)) is not None
        )
        self._add_total("github", len(groups))
        names = list(groups)
        size = self.github.settings.batch_size if self.github.uses_graphql else 1
        for start in range(0, len(names), size):
            self._check_cancel()
            chunk = names[start : start + size]
            rows = [i for name in chunk for i in groups[name]]
            for i in rows:
                self.outcomes[i].asked.add("github")
            try:
                records = self.github.fetch_chunk(
                    [github_full_name(self.outcomes[groups[n][0]].repo_url) or n for n in chunk]
                )
            except RateLimitError as exc:
                if self.github.uses_graphql:
                    self._fail("github", rows, exc)
                    continue
                log.warning("%s", _message("github", exc))
                self._github_skip([i for name in names[start:] for i in groups[name]])
                return False
            except Exception as exc:
                self._fail("github", rows, exc)
            else:
                for name in chunk:
                    record = records.get(name)
                    for i in groups[name]:
                        if record is None:
                            self.outcomes[i].errors.append(f"[github] no answer for {name}")
                        self.outcomes[i].github = record
            self._advance("github", len(chunk))
        return True

    def _github_skip(self, indices: Sequence[int]) -> None:
        message = (
            "[github] not looked up: the unauthenticated rate budget (60 requests/hour) ran out;"
            " set GITHUB_TOKEN for 5,000/hour and batched GraphQL lookups"
        )
        for i in indices:
            self.outcomes[i].skipped.append(message)
        self.github_skipped += len(indices)


def resolve(
    papers: Sequence[Paper],
    sender: Sender,
    settings: Settings,
    *,
    sources: Sequence[str] = SOURCES,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> tuple[list[Outcome], RunReport]:
    """Resolve ``papers`` against ``sources``; one :class:`Outcome` per paper, in order.

    Raises:
        Cancelled: ``cancel`` was set (by the caller's Ctrl-C handler).
        ConfigError: an unknown source name.
    """
    chosen = validate_sources(sources)
    started = time.monotonic()
    run = _Run(papers, sender, settings, chosen, progress, cancel or threading.Event())
    workers: list[Callable[[], None]] = []
    if "arxiv" in chosen:
        workers.append(run.run_arxiv)
        if "s2" in chosen:
            workers.append(run.run_arxiv_backfill)
    else:
        for event in (run.arxiv_titles_done, run.arxiv_ids_done, run.arxiv_final):
            event.set()
    if "s2" in chosen:
        workers.append(run.run_s2)
    else:
        run.s2_done.set()
    if "github" in chosen:
        workers.append(run.run_github)
    failures: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def target() -> None:
            try:
                work()
            except BaseException as exc:  # surfaced in the calling thread below
                failures.append(exc)
                run.cancel.set()
                for event in (
                    run.arxiv_titles_done,
                    run.arxiv_ids_done,
                    run.arxiv_final,
                    run.s2_done,
                ):
                    event.set()

        return target

    threads = [
        threading.Thread(target=guarded(w), name=f"enrich-{w.__name__}", daemon=True)
        for w in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=0.1)
    if failures:
        cancelled = [f for f in failures if isinstance(f, Cancelled)]
        others = [f for f in failures if not isinstance(f, Cancelled)]
        raise (others or cancelled)[0]
    outcomes = run.outcomes
    report = RunReport(
        papers=len(outcomes),
        resolved={
            "arxiv": sum(o.arxiv is not None for o in outcomes),
            "s2": sum(o.s2 is not None for o in outcomes),
            "github": sum(o.github is not None and o.github.exists for o in outcomes),
        },
        not_found=sum(o.arxiv is None and o.s2 is None and not o.errors for o in outcomes),
        errors=sum(bool(o.errors) for o in outcomes),
        github_skipped=run.github_skipped,
        elapsed=time.monotonic() - started,
    )
    return outcomes, report
