"""The Hugging Face Hub worker of a pipeline run (issue #13; see :mod:`enrich._pipeline`).

The Hub answers one ``/api/papers/{arxiv_id}`` per paper, so it can only ask
about rows whose arXiv id is known: at once for ids given in the input, and as
arXiv's title search and Semantic Scholar reveal the others.  The worker
follows the run's progress and asks for each newly known id while the other
sources are still working, so that little is left for after them.

What it learns feeds the GitHub worker: a row with no code link in the input
or on arXiv takes the repository pinned on the Hub, and GitHub is asked for it
like any other (the GitHub worker waits for :attr:`RunState.hf_done`).

A spent window budget (the run would wait longer than one window in all) or a
Hub that keeps answering 429 opens the Hub's breaker: like any unavailable
source, every row not asked yet is then marked ``skipped`` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from enrich._merge_hf import known_arxiv_id
from enrich._models import HFRecord
from enrich._pipeline_state import RunState, group

__all__ = ["HFSteps"]

#: How often (s) the worker looks for newly known ids while the run goes on.
POLL_SECONDS = 0.01


class HFSteps(RunState):
    """The Hub worker: one lookup per known arXiv id, as ids become known."""

    def run_hf(self) -> None:
        try:
            self._hf_follow()
        finally:
            self.hf_done.set()

    def _hf_follow(self) -> None:
        handled: set[int] = set()
        answers: dict[str, HFRecord | None] = {}
        seen: tuple[int, ...] | None = None
        while True:
            self._check_cancel()
            # Read "finished" before scanning, so the last scan sees every answer.
            finished = self.arxiv_final.is_set() and self.s2_done.is_set()
            progress = (self.done_count["arxiv"], self.done_count["s2"])
            if progress != seen or finished:
                seen = progress
                pending = group(
                    (arxiv_id, i)
                    for i, o in enumerate(self.outcomes)
                    if i not in handled and (arxiv_id := known_arxiv_id(o)) is not None
                )
                self._add_total("hf", sum(len(rows) for rows in pending.values()))
                for arxiv_id, rows in pending.items():
                    handled.update(rows)
                    self._hf_one(arxiv_id, rows, answers)
            if finished:
                return
            self.cancel.wait(POLL_SECONDS)

    def _hf_one(
        self, arxiv_id: str, rows: Sequence[int], answers: dict[str, HFRecord | None]
    ) -> None:
        self._check_cancel()
        for i in rows:
            self.outcomes[i].asked.add("hf")
        if arxiv_id in answers:
            for i in rows:
                self.outcomes[i].hf = answers[arxiv_id]
        else:
            try:
                self._available("hf")
                record = self.hf.fetch_paper(arxiv_id)
            except Exception as exc:  # an unavailable Hub makes the rows skipped
                self._fail("hf", rows, exc)
            else:
                answers[arxiv_id] = record
                for i in rows:
                    self.outcomes[i].hf = record
        self._advance("hf", len(rows))
