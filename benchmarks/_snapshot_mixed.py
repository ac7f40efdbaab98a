"""The mixed run of ``benchmarks/snapshot.py``: 10 % of the inputs are newer than the snapshot."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.snapshot import live_lower_bound, score
from enrich._api import enrich_result
from enrich._config import Settings
from enrich._match import normalize_title
from enrich.testing import FakeServices
from enrich.testing._snapshot_gen import (
    GeneratedSnapshot,
    generate_inputs,
    live_corpus,
    write_inputs_csv,
)


def run_mixed(work: Path, gen: GeneratedSnapshot, n: int) -> dict[str, Any]:
    """Snapshot first, the fakes for the rest; what went live and was it only that."""
    rows = generate_inputs(gen, n, seed=11, newer_fraction=0.1)
    newer = [r for r in rows if r.newer]
    fake = FakeServices(
        live_corpus([gen.newer_facts(j) for j in range(len(newer))]), enforce_rate_limits=False
    )
    source = write_inputs_csv(rows, work / f"mixed-{n}.csv")
    output = work / f"mixed-{n}.parquet"
    # The fakes do not pace here: this run counts what is asked, not how long pacing takes.
    settings = Settings.from_env(
        {}, use_cache=False, arxiv_min_interval=0.0, s2_min_interval=0.0, github_min_interval=0.0
    )
    started = time.monotonic()
    result = enrich_result(
        source,
        snapshot=work / "snap",
        settings=settings,
        transport=fake.transport(),
        sources=("arxiv", "s2"),
        output=output,
    )
    seconds = time.monotonic() - started
    frame = pl.read_parquet(output)
    unresolved = frame.filter(
        pl.col("s2_snapshot_release").is_null() & pl.col("arxiv_snapshot_release").is_null()
    )
    live_keys = set(unresolved["input_arxiv_id"].drop_nulls()) | {
        normalize_title(t) for t in unresolved["title"].drop_nulls()
    }
    allowed = live_keys | {r.true_arxiv_id for r in newer if r.true_arxiv_id}
    titles = [set(k.split()) for k in allowed]
    asked = [i for entry in fake.log for i in entry.ids]
    outside = [
        i
        for i in asked
        if i.removeprefix("ARXIV:") not in allowed
        and not any(set(normalize_title(i).split()) <= t for t in titles)
    ]
    return {
        "inputs": n,
        "newer": len(newer),
        "rows_sent_live": unresolved.height,
        "requests": len(fake.log),
        "asked_items": len(asked),
        "asked_outside_live_rows": len(outside),
        "seconds": round(seconds, 2),
        "statuses": result.report.statuses,
        "accuracy": score(output, rows),
        "live_lower_bound": live_lower_bound(rows),
        "newer_lower_bound": live_lower_bound(newer),
    }
