"""Resolve papers against the sources: one worker thread per source.

Sources proceed concurrently (arXiv's three-second pace never delays GitHub),
and each asks for what it can in as few requests as its API allows.  The plan
is deterministic: the same input and the same answers produce the same
requests (their order may vary with timing, their set never does), which is
what lets a warm cache, a resumed run and a cassette replay send nothing new.

::

    s2      batch #1: input ARXIV:/DOI: ids, 500 per request (at once)
    arxiv   id_list chunks of 100: input ids, plus ids batch #1 revealed for DOI rows
       │      └── each chunk ──> s2: batch-#1 misses: DOI retry (input's or arXiv's DOI),
       │                              else title match with arXiv's title
    arxiv   titles (after batch #1): phrase search, 20 titles per request
       │      ├── unresolved ──> loose search (significant words OR opening words)
       │      │     └── renamed candidates ──> earlier versions by id (title they had)
       │      ├──found──> s2 batch of ARXIV: ids (100 per request) ──miss──> DOI, title lookup
       │      └──not found──> s2 title lookup (unless a DOI already gave the record)
            (S2 sends a batch as soon as it is due, ahead of waiting title lookups)
    s2      title lookup: /paper/search/bulk, 20 titles OR-ed per request, each
       │      answer verified locally ──settled──> done
       │      ├── clean miss (no paper has the title) ──> not found
       │      └── ambiguous, overflowing, refused, too short ──> /paper/search/match
    arxiv   backfill: ids that only S2 knew (after S2)
    hf      one /api/papers/{id} per arXiv id, as ids become known (input ids at once)
    github  repos linked in the input (at once), then repos linked on arXiv or pinned on
            the Hugging Face Hub (after the backfill and the Hub's last answer)

``title_order="s2_first"`` (a setting; arXiv first is the measured default)
moves S2's bulk lookup of every title row ahead of arXiv's title searches:
arXiv then fetches by id the papers S2 named and searches by title only the
rest, whose S2 outcome comes back through the stream as above.

Title rows with a DOI are searched on arXiv too when batch #1 gave no record
linked to arXiv: when a paper has a preprint, the S2 record tied to that
preprint is the one reported, not a separate published-version record.

Every failure is caught per request and recorded on the rows that request was
for; the run itself never stops for a source error.  Once a source is unavailable
(its breaker opened: :class:`~enrich.SourceUnavailableError`), no further request
is sent to it; its remaining rows are ``skipped`` and the other steps go on
without its answers (S2 matches the input's title, GitHub looks up the links the
input gave).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from enrich._config import SOURCES, Settings
from enrich._exceptions import Cancelled, ConfigError, RateLimitError, SourceUnavailableError
from enrich._ids import github_full_name
from enrich._match import TitleQuery, choose
from enrich._merge import Outcome
from enrich._merge_hf import pick_repo
from enrich._models import ArxivRecord, Paper
from enrich._pipeline_hf import HFSteps
from enrich._pipeline_s2 import S2Steps
from enrich._pipeline_state import ProgressCallback, group, log, message
from enrich.adapters.base import Resolved, Sender, chunked

__all__ = ["Cancelled", "ProgressCallback", "RunReport", "resolve", "validate_sources"]


@dataclass
class RunReport:
    """What happened in a run, beyond the table itself."""

    papers: int = 0
    #: source -> rows it gave a record for
    resolved: dict[str, int] = field(default_factory=dict)
    #: rows neither arXiv nor S2 knows, with no failed or skipped lookup
    not_found: int = 0
    #: rows with at least one failed request
    errors: int = 0
    #: GitHub repositories not looked up because the unauthenticated budget ran out
    github_skipped: int = 0
    #: rows per status (filled by the caller that builds the rows)
    statuses: dict[str, int] = field(default_factory=dict)
    #: source -> rows per ``<source>_status`` (filled by the caller that builds the rows)
    source_statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    #: source -> why it stopped being asked (its breaker opened: throttled or unreachable)
    unavailable: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def rows_with_data(self) -> int:
        """Rows some source gave data for: status ``ok`` or ``partial`` (never ``error``)."""
        return self.statuses.get("ok", 0) + self.statuses.get("partial", 0)

    def unavailable_lines(self) -> list[str]:
        """One line per source that became unavailable: what happened, and to how many rows.

        >>> RunReport(unavailable={"s2": "throttled; try later"}).unavailable_lines()
        ['s2: skipped for 0 rows \u2014 throttled; try later']
        """
        counts = {s: self.source_statuses.get(s, {}).get("skipped", 0) for s in self.unavailable}
        return [
            f"{source}: skipped for {counts[source]} row{'s' * (counts[source] != 1)} \u2014 {why}"
            for source, why in sorted(self.unavailable.items(), key=lambda kv: _order(kv[0]))
        ]


def _order(source: str) -> int:
    return SOURCES.index(source) if source in SOURCES else len(SOURCES)


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


class _Run(S2Steps, HFSteps):
    """One resolution run: the arXiv and GitHub workers (S2's and the Hub's are mixed in)."""

    # -- arXiv ---------------------------------------------------------------------------

    def run_arxiv(self) -> None:
        try:
            self._arxiv_input_ids()
            self._arxiv_titles()
        finally:
            self.arxiv_titles_done.set()
            if "s2" not in self.sources:
                self.arxiv_final.set()

    def _arxiv_input_ids(self) -> None:
        groups = group(
            (o.paper.arxiv_id, i) for i, o in enumerate(self.outcomes) if o.paper.arxiv_id
        )
        self._add_total("arxiv", sum(len(v) for v in groups.values()))
        keys = list(groups)
        size = self.arxiv.settings.batch_size
        full = len(keys) - len(keys) % size
        for chunk in chunked(keys[:full], size):
            self._arxiv_id_chunk(chunk, groups)
        # The last, partial chunk also carries the ids batch #1 revealed for DOI rows.
        self.s2_inputs_done.wait()
        revealed = group(
            (o.s2.arxiv_id, i)
            for i, o in enumerate(self.outcomes)
            if o.arxiv is None and not o.paper.arxiv_id and o.s2 is not None and o.s2.arxiv_id
        )
        tail = keys[full:]
        for arxiv_id, rows in revealed.items():
            self._add_total("arxiv", len(rows))
            if arxiv_id in self.arxiv_fetched:
                for i in rows:
                    self.outcomes[i].arxiv = self.arxiv_fetched[arxiv_id]
                self._advance("arxiv", len(rows))
            elif arxiv_id in groups:
                groups[arxiv_id].extend(rows)
            else:
                groups[arxiv_id] = rows
                tail.append(arxiv_id)
        for chunk in chunked(tail, size):
            self._arxiv_id_chunk(chunk, groups)

    def _arxiv_id_chunk(self, chunk: list[str], groups: dict[str, list[int]]) -> None:
        self._check_cancel()
        indices = [i for arxiv_id in chunk for i in groups[arxiv_id]]
        for i in indices:
            self.outcomes[i].asked.add("arxiv")
        try:
            self._available("arxiv")
            records = self.arxiv.fetch_id_chunk(chunk)
        except Exception as exc:
            self._fail("arxiv", indices, exc)
        else:
            for arxiv_id in chunk:
                self.arxiv_fetched[arxiv_id] = records.get(arxiv_id)
                for i in groups[arxiv_id]:
                    self.outcomes[i].arxiv = records.get(arxiv_id)
        self._advance("arxiv", len(indices))
        for i in indices:
            if self.outcomes[i].paper.arxiv_id:
                self.s2_inbox.put(("id", i))

    def _needs_title_search(self, outcome: Outcome) -> bool:
        if outcome.arxiv is not None or outcome.paper.arxiv_id:
            return False
        if outcome.s2 is not None and outcome.s2.arxiv_id:
            return False  # S2 named the preprint: arXiv is asked by id instead
        if outcome.paper.doi is None or "s2" not in self.sources:
            return True
        # A DOI whose S2 record names no arXiv id: the paper may still have a preprint.
        return outcome.s2 is None or outcome.s2.arxiv_id is None

    def _arxiv_titles(self) -> None:
        self.s2_inputs_done.wait()
        wanted = [
            i
            for i, o in enumerate(self.outcomes)
            if self._needs_title_search(o) and self._title_query(i) is not None
        ]
        self._add_total("arxiv", len(wanted))
        per_query = self.arxiv.titles_per_query
        loose: list[int] = []
        renamed: list[tuple[int, tuple[ArxivRecord, ...]]] = []
        for chunk in chunked(wanted, per_query):
            self._check_cancel()
            queries = self._queries(chunk)
            for i in chunk:
                self.outcomes[i].asked.add("arxiv")
            try:
                self._available("arxiv")
                results = self.arxiv.search_titles(queries)
            except Exception as exc:
                self._fail("arxiv", chunk, exc)
                self._titles_done(chunk)
                continue
            for i, query, resolved in zip(chunk, queries, results, strict=True):
                self._set_arxiv(i, resolved)
                if resolved.record is None and self.arxiv.loosely_searchable(query.title):
                    loose.append(i)
                else:
                    self._titles_done([i])
            while len(loose) >= per_query:
                renamed += self._arxiv_loose(loose[:per_query])
                del loose[:per_query]
            candidates = [c for _, cands in renamed for c in cands]
            if len(self.arxiv.earlier_version_ids(candidates)) >= self.arxiv.settings.batch_size:
                self._arxiv_earlier(renamed)
                renamed = []
        for chunk in chunked(loose, per_query):
            renamed += self._arxiv_loose(chunk)
        if renamed:
            self._arxiv_earlier(renamed)

    def _queries(self, rows: Sequence[int]) -> list[TitleQuery]:
        # One per row, aligned; a row without a title (none reach here) asks for nothing.
        return [self._title_query(i) or TitleQuery(title="") for i in rows]

    def _set_arxiv(self, i: int, resolved: Resolved[ArxivRecord]) -> None:
        self.outcomes[i].arxiv_match = resolved.decision
        self.outcomes[i].arxiv = resolved.record

    def _previous(self, rows: Sequence[int]) -> list[Resolved[ArxivRecord]]:
        """What the earlier searches decided for ``rows``, aligned with them."""
        return [
            Resolved(
                record=self.outcomes[i].arxiv,
                decision=self.outcomes[i].arxiv_match or choose(query, []),
            )
            for i, query in zip(rows, self._queries(rows), strict=True)
        ]

    def _titles_done(self, rows: Sequence[int]) -> None:
        for i in rows:
            self.s2_inbox.put(("found" if self.outcomes[i].arxiv is not None else "missed", i))
        self._advance("arxiv", len(rows))

    def _arxiv_loose(self, rows: list[int]) -> list[tuple[int, tuple[ArxivRecord, ...]]]:
        """One loose search; returns the rows left waiting for an earlier-version check."""
        self._check_cancel()
        try:
            self._available("arxiv")
            results = self.arxiv.search_titles_loosely(self._queries(rows), self._previous(rows))
        except Exception as exc:
            self._fail("arxiv", rows, exc)
            self._titles_done(rows)
            return []
        waiting: list[tuple[int, tuple[ArxivRecord, ...]]] = []
        for i, result in zip(rows, results, strict=True):
            self._set_arxiv(i, result.resolved)
            if result.resolved.record is None and result.renamed:
                waiting.append((i, result.renamed))
            else:
                self._titles_done([i])
        return waiting

    def _arxiv_earlier(self, items: list[tuple[int, tuple[ArxivRecord, ...]]]) -> None:
        self._check_cancel()
        rows = [i for i, _ in items]
        queries = self._queries(rows)
        try:
            self._available("arxiv")
            results = self.arxiv.resolve_earlier_titles(
                [(q, cands) for q, (_, cands) in zip(queries, items, strict=True)],
                self._previous(rows),
            )
        except Exception as exc:
            self._fail("arxiv", rows, exc)
        else:
            for i, resolved in zip(rows, results, strict=True):
                self._set_arxiv(i, resolved)
        self._titles_done(rows)

    def run_arxiv_backfill(self) -> None:
        """Fetch arXiv metadata for ids that only Semantic Scholar revealed."""
        try:
            self.s2_done.wait()
            groups = group(
                (o.s2.arxiv_id, i)
                for i, o in enumerate(self.outcomes)
                if o.arxiv is None
                and o.s2 is not None
                and o.s2.arxiv_id
                and not any(e.startswith("[arxiv]") for e in o.errors)
            )
            for arxiv_id in [k for k in groups if k in self.arxiv_fetched]:
                for i in groups.pop(arxiv_id):
                    self.outcomes[i].arxiv = self.arxiv_fetched[arxiv_id]
            self._add_total("arxiv", sum(len(v) for v in groups.values()))
            for chunk in chunked(list(groups), self.arxiv.settings.batch_size):
                self._arxiv_id_chunk(chunk, groups)
        finally:
            self.arxiv_final.set()

    # -- GitHub ----------------------------------------------------------------------------

    def run_github(self) -> None:
        for o in self.outcomes:
            if o.paper.code_urls:
                o.repo_url, o.repo_source = o.paper.code_urls[0], "input"
        first = [i for i, o in enumerate(self.outcomes) if o.repo_url]
        budget_left = self._github_fetch(first)
        self.arxiv_final.wait()
        self.hf_done.wait()
        later = self.pick_repos()
        if budget_left:
            self._github_fetch(later)
        else:
            self._github_skip(later)

    def pick_repos(self) -> list[int]:
        """Give rows without a repository link arXiv's, else the Hub's; the rows that got one."""
        chosen: list[int] = []
        for i, o in enumerate(self.outcomes):
            if o.repo_url is None and (pick := pick_repo(o)) is not None:
                o.repo_url, o.repo_source = pick
                chosen.append(i)
        return chosen

    def _github_fetch(self, indices: Sequence[int]) -> bool:
        """Fetch the repositories of ``indices``; False once the rate budget ran out."""
        groups = group(
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
                self._available("github")
                records = self.github.fetch_chunk(
                    [github_full_name(self.outcomes[groups[n][0]].repo_url) or n for n in chunk]
                )
            except RateLimitError as exc:
                if not self.github.uses_graphql:
                    log.warning("%s", message("github", exc))
                    self._github_skip([i for name in names[start:] for i in groups[name]])
                    return False
                self._fail("github", rows, exc)
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
        reason = (
            "the unauthenticated rate budget (60 requests/hour) ran out;"
            " set GITHUB_TOKEN for 5,000/hour and batched GraphQL lookups"
        )
        self._skip("github", indices, reason)
        self.github_skipped += len(indices)


def resolve(
    papers: Sequence[Paper],
    sender: Sender,
    settings: Settings,
    *,
    sources: Sequence[str] = SOURCES,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    unavailable: dict[str, SourceUnavailableError] | None = None,
) -> tuple[list[Outcome], RunReport]:
    """Resolve ``papers`` against ``sources``; one :class:`Outcome` per paper, in order.

    ``unavailable`` carries the sources found unavailable across the calls of one
    run (its windows): they are not offered a request again, nor logged again.

    Raises:
        Cancelled: ``cancel`` was set (by the caller's Ctrl-C handler).
        ConfigError: an unknown source name.
    """
    chosen = validate_sources(sources)
    started = time.monotonic()
    run = _Run(papers, sender, settings, chosen, progress, cancel or threading.Event())
    if unavailable is not None:
        run.unavailable = unavailable
    workers: list[Callable[[], None]] = []
    if "arxiv" in chosen:
        workers.append(run.run_arxiv)
        if "s2" in chosen:
            workers.append(run.run_arxiv_backfill)
    else:
        for event in (run.arxiv_titles_done, run.arxiv_final):
            event.set()
    if "s2" in chosen:
        workers.append(run.run_s2)
    else:
        run.s2_inputs_done.set()
        run.s2_done.set()
    if "github" in chosen:
        workers.append(run.run_github)
    if "hf" in chosen:
        workers.append(run.run_hf)
    else:
        run.hf_done.set()
    failures: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def target() -> None:
            try:
                work()
            except BaseException as exc:  # surfaced in the calling thread below
                failures.append(exc)
                run.cancel.set()
                for event in (
                    run.s2_inputs_done,
                    run.arxiv_titles_done,
                    run.arxiv_final,
                    run.s2_done,
                    run.hf_done,
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
    if "github" not in chosen and "hf" in chosen:
        # Without GitHub the links are still reported, with the Hub's star snapshot.
        run.pick_repos()
    report = RunReport(
        papers=len(outcomes),
        resolved={
            "arxiv": sum(o.arxiv is not None for o in outcomes),
            "s2": sum(o.s2 is not None for o in outcomes),
            "github": sum(o.github is not None and o.github.exists for o in outcomes),
            "hf": sum(o.hf is not None for o in outcomes),
        },
        not_found=sum(
            o.arxiv is None and o.s2 is None and not o.errors and not o.skipped for o in outcomes
        ),
        errors=sum(bool(o.errors) for o in outcomes),
        github_skipped=run.github_skipped,
        unavailable={source: exc.message for source, exc in run.unavailable.items()},
        elapsed=time.monotonic() - started,
    )
    return outcomes, report
