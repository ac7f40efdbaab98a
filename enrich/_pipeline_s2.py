"""The Semantic Scholar worker of a pipeline run (see :mod:`enrich._pipeline` for the plan)."""

from __future__ import annotations

import contextlib
import queue
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from enrich._exceptions import Cancelled, SourceUnavailableError
from enrich._match import normalize_title
from enrich._pipeline_state import RunState, group, log, message
from enrich.adapters._s2_bulk import bulk_phrase
from enrich.adapters.base import chunked

__all__ = ["TITLE_BATCH", "S2Steps"]

#: Rows found by arXiv's title search per S2 batch.  Smaller than S2's 500 so that
#: the misses of each batch are title-matched while arXiv is still searching: on a
#: list of titles the last batch and its misses are otherwise all tail.  It costs
#: about one S2 request in 150 more on large lists.
TITLE_BATCH = 100


@dataclass
class S2Work:
    """What the S2 worker has still to send, in the order it will be sent."""

    #: input-id rows batch #1 missed, to retry by DOI
    doi_retry: list[int] = field(default_factory=list)
    #: rows arXiv found by title, for a batch of ARXIV: ids
    by_title: list[int] = field(default_factory=list)
    #: misses of those batches with a DOI to try, sent with the next one
    title_doi: list[int] = field(default_factory=list)
    #: rows waiting for a bulk title search (sent a group at a time)
    bulk: list[int] = field(default_factory=list)
    #: rows left for a title match
    matches: deque[int] = field(default_factory=deque)


class S2Steps(RunState):
    """The S2 worker: batch #1, then arXiv's answers as they stream in."""

    def run_s2(self) -> None:
        try:
            try:
                self._s2_inputs()
                if self.title_order == "s2_first" and "arxiv" in self.sources:
                    self._s2_titles_first()
            finally:
                self.s2_inputs_done.set()
            if "arxiv" in self.sources:
                self._s2_stream()
            else:
                self._s2_without_arxiv()
        finally:
            self.s2_done.set()

    def _s2_inputs(self) -> None:
        keys: list[tuple[str, int]] = []
        for i, o in enumerate(self.outcomes):
            if o.paper.arxiv_id:
                keys.append((f"ARXIV:{o.paper.arxiv_id}", i))
            elif o.paper.doi:
                keys.append((f"DOI:{o.paper.doi}", i))
        self.s2_missing = set(self._s2_batch(group(keys)))

    def _s2_stream(self) -> None:
        """Follow arXiv's answers as they come.

        A batch goes out as soon as it is due, ahead of waiting title matches:
        its misses are more matches, so S2 does not run dry while arXiv searches.
        """
        work = S2Work()
        while True:
            self._check_cancel()
            with contextlib.suppress(queue.Empty):
                while True:
                    self._s2_take(*self.s2_inbox.get_nowait(), work)
            # arXiv puts its last message before it sets the event: checked in this order.
            if self.arxiv_titles_done.is_set() and self.s2_inbox.empty():
                break
            if work.bulk and len(work.bulk) >= self.s2.title_batch:
                self._s2_flush_bulk(work)
                continue
            if work.matches:
                self._s2_match([work.matches.popleft()])
                continue
            with contextlib.suppress(queue.Empty):
                self._s2_take(*self.s2_inbox.get(timeout=0.05), work)
        while work.doi_retry or work.by_title or work.title_doi:
            if work.doi_retry:
                self._s2_flush_doi(work)
            else:
                self._s2_flush_found(work)
        while work.bulk:
            self._s2_flush_bulk(work)
        self._s2_match(list(work.matches))

    def _s2_take(self, kind: str, i: int, work: S2Work) -> None:
        size = self.s2.settings.batch_size
        if kind == "id":
            if i in self.s2_missing:
                if self._doi_key(i) is not None:
                    work.doi_retry.append(i)
                else:
                    self._queue_title(i, work)
            if len(work.doi_retry) >= size:
                self._s2_flush_doi(work)
            return
        # Every "id" message precedes the title messages: the DOI retries are all known.
        if work.doi_retry:
            self._s2_flush_doi(work)
        if kind == "found":
            work.by_title.append(i)
            if len(work.by_title) >= min(TITLE_BATCH, size):
                self._s2_flush_found(work)
        elif self.outcomes[i].s2 is None:
            self._queue_title(i, work)

    def _s2_flush_doi(self, work: S2Work) -> None:
        rows, work.doi_retry = work.doi_retry, []
        keys = [(key, i) for i in rows if (key := self._doi_key(i)) is not None]
        self._s2_route(self._s2_batch(group(keys)), work)

    def _s2_flush_found(self, work: S2Work) -> None:
        """One batch: rows found by title (ARXIV: ids), plus DOI retries of earlier misses."""
        size = self.s2.settings.batch_size
        found = work.by_title[: min(TITLE_BATCH, size)]
        retry = work.title_doi[: size - len(found)]
        del work.by_title[: len(found)]
        del work.title_doi[: len(retry)]
        keys = [(f"ARXIV:{self.outcomes[i].arxiv.arxiv_id}", i) for i in found]  # type: ignore[union-attr]
        keys += [(key, i) for i in retry if (key := self._doi_key(i)) is not None]
        self._s2_route(self._s2_batch(group(keys)), work)

    def _s2_route(self, missing: Sequence[int], work: S2Work) -> None:
        """Batch misses: another DOI to try goes in a later batch, else a title match."""
        for i in missing:
            if self.outcomes[i].s2 is not None:
                continue  # a DOI row keeps the record its DOI gave
            if self._doi_key(i) is not None:
                work.title_doi.append(i)
            else:
                self._queue_title(i, work)

    def _s2_without_arxiv(self) -> None:
        work = S2Work(doi_retry=[i for i in sorted(self.s2_missing) if self._doi_key(i)])
        work.matches.extend(i for i in sorted(self.s2_missing) if i not in set(work.doi_retry))
        while work.doi_retry or work.title_doi:
            if work.doi_retry:
                self._s2_flush_doi(work)
            else:
                work.doi_retry, work.title_doi = work.title_doi, []
        titles_only = [
            i for i, o in enumerate(self.outcomes) if not o.paper.arxiv_id and not o.paper.doi
        ]
        rows = [*work.matches, *titles_only]
        work.matches = deque()
        for i in rows:
            self._queue_title(i, work)
        while work.bulk:
            self._s2_flush_bulk(work)
        self._s2_match(list(work.matches))

    # -- titles in bulk --------------------------------------------------------------

    def _s2_titles_first(self) -> None:
        """S2-first order: every title row batch #1 did not place, in bulk, before arXiv.

        What S2 settles names its arXiv id (when it has one), which arXiv then
        answers by id; the rest are searched on arXiv by title and come back
        through the stream like any other row.
        """
        rows = [
            i
            for i, o in enumerate(self.outcomes)
            if not o.paper.arxiv_id and o.s2 is None and self._bulkable(i)
        ]
        self._s2_bulk(rows)

    def _bulkable(self, i: int) -> bool:
        if not self.s2.bulk_enabled or i in self.s2_bulk_tried:
            return False
        query = self._title_query(i)
        return query is not None and bulk_phrase(query.title) is not None

    def _queue_title(self, i: int, work: S2Work) -> None:
        """A row left for a title lookup: bulk when it can be, else a match, unless
        bulk search already said S2 has no paper with the title it would be asked."""
        final = self.s2_bulk_final.get(i)
        if final is not None:
            query = self._title_query(i)
            if query is not None and normalize_title(query.title) == final:
                return
        (work.bulk if self._bulkable(i) else work.matches).append(i)

    def _s2_flush_bulk(self, work: S2Work) -> None:
        rows = work.bulk[: self.s2.title_batch]
        del work.bulk[: len(rows)]
        work.matches.extend(self._s2_bulk(rows))

    def _s2_bulk(self, rows: Sequence[int]) -> list[int]:
        """Judge ``rows`` by bulk title search; returns the rows it left unsettled.

        A failed request (after the client's retries) is not a row error here:
        its rows are left for the title match, which reports its own failure.
        """
        todo = [(i, q) for i in rows if (q := self._title_query(i)) is not None]
        self._add_total("s2", len(todo))
        left: list[int] = []
        # Several groups per call, so the adapter can pack them by query length.
        for chunk in chunked(todo, max(self.s2.title_batch, 1) * 10):
            self._check_cancel()
            for i, _ in chunk:
                self.s2_bulk_tried.add(i)
                self.outcomes[i].asked.add("s2")
            try:
                self._available("s2")
                verdicts = self.s2.search_titles_bulk([q for _, q in chunk])
            except Cancelled:
                raise
            except SourceUnavailableError as exc:
                self._fail("s2", [i for i, _ in chunk], exc)  # skipped, not matched one by one
                self._advance("s2", len(chunk))
                continue
            except Exception as exc:
                log.warning("%s; those titles are matched one by one", message("s2", exc))
                left.extend(i for i, _ in chunk)
                self._advance("s2", len(chunk))
                continue
            for (i, query), verdict in zip(chunk, verdicts, strict=True):
                record = verdict.record
                known = self._known_arxiv_id(i)
                if record is not None and record.arxiv_id and known and record.arxiv_id != known:
                    self.outcomes[i].conflicts.append(
                        f"s2_paper_id: bulk title search gave {record.paper_id}, which is"
                        f" arXiv {record.arxiv_id}, not {known}; dropped"
                    )
                    record = None
                if (
                    record is None
                    and verdict.reason == "missed"
                    and self.s2_bulk_miss_is_final
                    and self._arxiv_searched(i)
                ):
                    self.outcomes[i].s2_match = verdict.decision  # its candidate, for review
                    self.s2_bulk_final[i] = normalize_title(query.title)
                elif record is None:
                    left.append(i)
                else:
                    self.outcomes[i].s2 = record
                    self.outcomes[i].s2_match = verdict.decision
            self._advance("s2", len(chunk))
        return left

    def _arxiv_searched(self, i: int) -> bool:
        """Whether arXiv searches row ``i``'s title (a bulk miss is final only then).

        A row whose arXiv lookup failed or was skipped (arXiv throttled) has no
        loose arXiv search to catch a typo, so S2's one-title match still gets it.
        S2 first, arXiv's search is still to come: it counts while arXiv is available.
        """
        outcome = self.outcomes[i]
        if "arxiv" in outcome.reasons or "arxiv" in self.unavailable:
            return False
        return self.title_order == "s2_first" or "arxiv" in outcome.asked

    def _doi_key(self, i: int) -> str | None:
        """A DOI batch key not asked yet for row ``i``: the input's, then arXiv's."""
        outcome = self.outcomes[i]
        arxiv_doi = outcome.arxiv.doi if outcome.arxiv is not None else None
        tried = self.s2_tried.get(i, set())
        for doi in (outcome.paper.doi, arxiv_doi):
            if doi and f"DOI:{doi}" not in tried:
                return f"DOI:{doi}"
        return None

    def _s2_batch(self, groups: dict[str, list[int]]) -> list[int]:
        """Look ``groups`` up in batches; returns the indices S2 did not know."""
        self._add_total("s2", sum(len(v) for v in groups.values()))
        missing: list[int] = []
        for chunk in chunked(list(groups), self.s2.settings.batch_size):
            self._check_cancel()
            indices = [i for key in chunk for i in groups[key]]
            for key in chunk:
                for i in groups[key]:
                    self.outcomes[i].asked.add("s2")
                    self.s2_tried.setdefault(i, set()).add(key)
            try:
                self._available("s2")
                records = self.s2.fetch_batch(chunk)
            except Exception as exc:
                self._drop_stand_ins(chunk, groups)
                self._fail("s2", indices, exc)
                self._advance("s2", len(indices))
                continue
            for key, record in zip(chunk, records, strict=True):
                for i in groups[key]:
                    known = self._known_arxiv_id(i)
                    if (
                        record is not None
                        and record.arxiv_id
                        and known
                        and record.arxiv_id != known
                    ):
                        self.outcomes[i].conflicts.append(
                            f"s2_paper_id: {key} gave {record.paper_id}, which is arXiv"
                            f" {record.arxiv_id}, not {known}; dropped"
                        )
                        record = None
                    if record is not None:
                        # Preferred over a record found earlier by DOI: batches by ARXIV:
                        # come after, and the preprint's own record is the one reported.
                        self.outcomes[i].s2 = record
                    else:
                        missing.append(i)
            self._advance("s2", len(indices))
        return missing

    def _drop_stand_ins(self, chunk: Sequence[str], groups: dict[str, list[int]]) -> None:
        """Forget records that an unanswered ``ARXIV:`` lookup would have replaced.

        A record found by DOI stands in for the preprint's own S2 record until
        the lookup by arXiv id answers (see :meth:`_s2_batch`).  When that lookup
        fails or is skipped, the row reports no S2 record, with the failure as its
        reason, rather than one that a complete run would not report.
        """
        for key in chunk:
            if not key.startswith("ARXIV:"):
                continue
            for i in groups[key]:
                record = self.outcomes[i].s2
                if record is not None and record.arxiv_id != key.removeprefix("ARXIV:"):
                    self.outcomes[i].s2 = None

    def _s2_match(self, indices: Sequence[int]) -> None:
        todo = [(i, q) for i in indices if (q := self._title_query(i)) is not None]
        self._add_total("s2", len(todo))
        for i, query in todo:
            self._check_cancel()
            outcome = self.outcomes[i]
            outcome.asked.add("s2")
            try:
                self._available("s2")
                resolved = self.s2.match_title(query)
            except Exception as exc:
                self._fail("s2", [i], exc)
            else:
                record = resolved.record
                known = self._known_arxiv_id(i)
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
