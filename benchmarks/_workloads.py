"""The workloads: generated inputs of a given size, and the saved Daily Papers pages."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from enrich.testing._corpus import Corpus, TruthRow
from enrich.testing._generator import INPUT_COLUMNS, GeneratedWorkload, generate_corpus

__all__ = ["SHARED_SEEDS", "Workload", "generated", "seed_pages", "titles_only", "write_inputs"]

#: ``../shared/seeds`` beside the repository; the seed workload is skipped without it.
SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@dataclass
class Workload:
    """Input rows, the corpus the fakes serve for them, and the right answers.

    ``truth[i]`` belongs to ``inputs[i]``; every input row has the keys of
    :data:`enrich.testing._generator.INPUT_COLUMNS`.
    """

    name: str
    corpus: Corpus
    inputs: list[dict[str, str | None]]
    truth: list[TruthRow]
    seed: int = 0

    @property
    def n(self) -> int:
        return len(self.inputs)

    @classmethod
    def from_generated(cls, name: str, work: GeneratedWorkload, seed: int) -> Workload:
        return cls(name, work.corpus, work.inputs, list(work.truth.rows), seed)


def generated(n: int, *, seed: int = 1) -> Workload:
    """``n`` rows from :func:`enrich.testing._generator.generate_corpus` (its mix)."""
    return Workload.from_generated(f"generated-{n}", generate_corpus(n, seed=seed), seed)


def titles_only(n: int, *, seed: int = 1) -> Workload:
    """``n`` rows that give a title and no arXiv id or DOI (code links kept).

    Drawn from a larger generated workload, in its order, so the mix of known,
    unknown, renamed and confusable papers is the generator's; the truth is
    unchanged (an id the row no longer gives must be found from its title).
    """
    work = generate_corpus(n * 2 + 10, seed=seed)
    rows = [
        (dict(row, arxiv_id=None, doi=None), truth)
        for row, truth in zip(work.inputs, work.truth.rows, strict=True)
        if row["title"]
    ][:n]
    return Workload(
        f"titles-only-{n}", work.corpus, [r for r, _ in rows], [t for _, t in rows], seed
    )


def seed_pages(seed_dir: Path = SHARED_SEEDS) -> Workload | None:
    """The seed corpus around the saved Daily Papers pages; None when they are absent."""
    if not seed_dir.is_dir() or not any(seed_dir.glob("*.txt")):
        return None
    from enrich.testing._seed_corpus import build_seed_corpus

    return Workload.from_generated("seed-pages", build_seed_corpus(seed_dir), 0)


def write_inputs(workload: Workload, path: Path) -> Path:
    """Write the input rows as a user's CSV (header line 1, row ``i`` on line ``i + 2``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS)
        writer.writeheader()
        for row in workload.inputs:
            writer.writerow({k: "" if row[k] is None else row[k] for k in INPUT_COLUMNS})
    return path
