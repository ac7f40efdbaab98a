"""Run one workload against fresh fakes: enrich cold, enrich warm, the peer loop.

The fakes run in this process behind a real HTTP server on loopback
(``FakeServices.serve``); each measured client runs in its own child process
(``benchmarks._child``), so its wall time and peak memory are its own.  Time
is scaled: the fakes enforce the real rate rules divided by ``scale``
(``FakeServices(time_scale=scale)``) and every client gets the real intervals
divided by ``scale``, so ``measured x scale`` is the real-time equivalent.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from benchmarks._accuracy import FIELDS, score
from benchmarks._bound import Intervals, lower_bound, minimal_plan
from benchmarks._fastfake import accelerate
from benchmarks._workloads import Workload, write_inputs
from enrich._config import (
    DEFAULT_ARXIV_MIN_INTERVAL,
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_BREAKER_SECONDS,
    DEFAULT_DEADLINE,
    DEFAULT_GITHUB_MIN_INTERVAL,
    DEFAULT_HF_MIN_INTERVAL,
    DEFAULT_HF_WINDOW_SECONDS,
    DEFAULT_PACING_MARGIN,
    DEFAULT_RETRY_BUDGET,
    DEFAULT_S2_MIN_INTERVAL,
    DEFAULT_TIMEOUT,
)
from enrich.testing import FakeServices
from enrich.testing import _server as fake_server
from enrich.testing._log import RequestLogEntry

__all__ = ["BENCH_TOKEN", "REPO", "intervals_for", "run_workload"]

REPO: Final = Path(__file__).resolve().parents[1]
#: Any non-empty token is accepted by the fake GitHub; with one, enrich uses GraphQL.
BENCH_TOKEN: Final = "bench-token"
SOURCES: Final = ("arxiv", "s2", "github", "hf")
#: What the peer loop and the lower bound cover: the main benchmark asks these.
CORE_SOURCES: Final = ("arxiv", "s2", "github")
#: Wall-clock jitter the fakes forgive between two arrivals.  They forgive 2 % of an
#: interval (20 ms of S2's live 1 s); scaled by 50 that is 0.4 ms, less than the
#: delay between a client's paced start and its request's arrival (thread hand-offs,
#: garbage collection), which does not shrink with the scale.  Capped at 25 %.
JITTER_ALLOWANCE: Final = 0.003


def intervals_for(scale: float) -> Intervals:
    """The real minimum intervals divided by ``scale``."""
    return Intervals(
        arxiv=DEFAULT_ARXIV_MIN_INTERVAL / scale,
        s2=DEFAULT_S2_MIN_INTERVAL / scale,
        github=DEFAULT_GITHUB_MIN_INTERVAL / scale,
    )


@contextlib.contextmanager
def _jitter_allowance(intervals: Intervals) -> Iterator[None]:
    shortest = min(intervals.arxiv, intervals.s2)
    before = fake_server.TOLERANCE
    # Benchmark process only: the module constant is what the fakes' dispatch reads.
    setattr(fake_server, "TOLERANCE", max(before, min(0.25, JITTER_ALLOWANCE / shortest)))  # noqa: B010
    try:
        yield
    finally:
        setattr(fake_server, "TOLERANCE", before)  # noqa: B010


def _child(job: dict[str, Any], workdir: Path, name: str, timeout: float) -> dict[str, Any]:
    job_path = workdir / f"{name}.job.json"
    job["result"] = str(workdir / f"{name}.result.json")
    job_path.write_text(json.dumps(job), "utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    for key in [k for k in env if k.startswith("ENRICH_") or k in ("GITHUB_TOKEN", "S2_API_KEY")]:
        del env[key]
    subprocess.run(
        [sys.executable, "-m", "benchmarks._child", str(job_path)],
        cwd=REPO,
        env=env,
        check=True,
        timeout=timeout,
    )
    result: dict[str, Any] = json.loads(Path(job["result"]).read_text("utf-8"))
    return result


def _log_summary(entries: list[RequestLogEntry]) -> dict[str, Any]:
    per_source = Counter(e.source for e in entries)
    return {
        "total": len(entries),
        "per_source": {s: per_source.get(s, 0) for s in SOURCES},
        "per_endpoint": dict(Counter(f"{e.source} {e.endpoint}" for e in entries)),
        "rate_violations": sum(e.rate_violation for e in entries),
        "throttled": sum(e.status in (403, 429) for e in entries),
    }


def _take_log(fake: FakeServices) -> list[RequestLogEntry]:
    entries = fake.log.snapshot()
    fake.reset_log()
    return entries


def _predictions(output: Path, inputs: Path, n: int) -> dict[str, list[str | None]]:
    """Output values per input row (rows are matched back through ``origins``)."""
    frame = pl.read_parquet(output, columns=["origins", *FIELDS])
    out: dict[str, list[str | None]] = {f: [None] * n for f in FIELDS}
    suffix = str(inputs)
    for row in frame.iter_rows(named=True):
        for origin in row["origins"] or []:
            place, _, line = origin.rpartition(":")
            if place == suffix and line.isdigit() and 0 <= int(line) - 2 < n:
                for field in FIELDS:
                    out[field][int(line) - 2] = row[field]
    return out


def _repos_by_source(output: Path) -> dict[str, int]:
    """Repositories found (GitHub knows them), per source of the link (provenance)."""
    frame = pl.read_parquet(output, columns=["provenance", "repo_full_name"])
    found = frame.filter(pl.col("repo_full_name").is_not_null())
    counts = Counter(p["repo_url"] for p in found["provenance"].to_list())
    return {str(k): v for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))}


@dataclass(frozen=True)
class _Floors:
    breaker: float
    deadline: float


#: Time scales above this measure CPU and memory, not pacing (see _enrich_settings).
CPU_BOUND_SCALE: Final = 200.0
_PACED_FLOORS: Final = _Floors(breaker=0.5, deadline=1.0)
_CPU_BOUND_FLOORS: Final = _Floors(breaker=10.0, deadline=30.0)


def _enrich_settings(
    urls: dict[str, str], intervals: Intervals, scale: float, cache: Path
) -> dict[str, Any]:
    floor = _CPU_BOUND_FLOORS if scale > CPU_BOUND_SCALE else _PACED_FLOORS
    return {
        "arxiv_url": urls["arxiv"],
        "s2_url": urls["s2"],
        "github_url": urls["github"],
        "arxiv_min_interval": intervals.arxiv,
        "s2_min_interval": intervals.s2,
        "github_min_interval": intervals.github,
        # The Hub (issue #13): anonymous, its 5-minute window scaled like the others.
        "hf_url": urls["hf"],
        "hf_window_seconds": DEFAULT_HF_WINDOW_SECONDS / scale,
        "hf_min_interval": DEFAULT_HF_MIN_INTERVAL / scale,
        "backoff_base": DEFAULT_BACKOFF_BASE / scale,
        "backoff_max": DEFAULT_BACKOFF_MAX / scale,
        "retry_budget": DEFAULT_RETRY_BUDGET / scale,
        # The breaker's clock, the per-attempt deadline, the socket timeout and the
        # pacing margin are durations of the live run too: scaled alike, the first
        # three with floors a loopback answer's CPU time never reaches.  Past
        # CPU_BOUND_SCALE (the big memory run) the fakes' own CPU time per answer
        # is longer than any scaled duration, so the floors are the real defaults'
        # order of magnitude: a 500-paper batch from a 100,000-paper corpus on a
        # busy core must not count as a stalled server.
        "breaker_seconds": max(DEFAULT_BREAKER_SECONDS / scale, floor.breaker),
        "deadline": max(DEFAULT_DEADLINE / scale, floor.deadline),
        "timeout": max(DEFAULT_TIMEOUT / scale, floor.deadline),
        "pacing_margin": DEFAULT_PACING_MARGIN / scale,
        "github_token": BENCH_TOKEN,
        "use_cache": True,
        "cache_dir": str(cache),
    }


def run_workload(
    workload: Workload,
    scale: float,
    *,
    peers: bool,
    warm: bool = True,
    timeout: float = 3600.0,
    log: Any = print,
    sources: tuple[str, ...] = SOURCES,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Measure enrich (cold, then warm) and optionally the peer loop on ``workload``.

    ``overrides`` are enrich settings for this run (``{"title_order": "arxiv_first"}``).
    ``sources`` are the ones enrich asks (all four by default; benchmarks/hf.py
    compares runs with and without the Hugging Face Hub).
    """
    intervals = intervals_for(scale)
    plan = minimal_plan(workload)
    bound = lower_bound(plan, intervals)
    started = time.perf_counter()
    fake = FakeServices(workload.corpus, time_scale=scale, enforce_rate_limits=True)
    accelerate(fake)
    log(f"  fakes ready for {workload.name} ({time.perf_counter() - started:.1f}s)")
    result: dict[str, Any] = {
        "name": workload.name,
        "n": workload.n,
        "scale": scale,
        "settings_overrides": dict(overrides or {}),
        "intervals": asdict(intervals),
        "lower_bound": {
            "plan": plan.as_dict(),
            "seconds": {k: round(v, 4) for k, v in bound.items()},
            "real_time_equivalent_seconds": round(bound["bound"] * scale, 1),
        },
    }
    with tempfile.TemporaryDirectory(prefix="enrich-bench-") as tmp, _jitter_allowance(intervals):
        workdir = Path(tmp)
        inputs = write_inputs(workload, workdir / "inputs.csv")
        with fake.serve() as server:
            # The fake server writes headers and body separately; without TCP_NODELAY,
            # Nagle's algorithm and delayed ACKs add ~40 ms to each keep-alive answer.
            server.httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
            urls = {s: server.url + p for s, p in fake_server.SERVER_PATHS.items()}
            settings = _enrich_settings(urls, intervals, scale, workdir / "cache")
            settings.update(overrides or {})
            job = {
                "mode": "enrich",
                "inputs": str(inputs),
                "settings": settings,
                "sources": list(sources),
            }
            cold = _child(
                {**job, "output": str(workdir / "cold.parquet")}, workdir, "cold", timeout
            )
            cold_log = _log_summary(_take_log(fake))
            predictions = _predictions(workdir / "cold.parquet", inputs, workload.n)
            result["enrich"] = _enrich_figures(cold, cold_log, workload.n, scale, bound["bound"])
            result["enrich"]["accuracy"] = score(predictions, workload.truth, hub="hf" in sources)
            result["enrich"]["repos_by_source"] = _repos_by_source(workdir / "cold.parquet")
            log(f"  enrich cold: {cold['wall_seconds']:.2f}s, {cold_log['total']} requests")
            if warm:
                again = _child(
                    {**job, "output": str(workdir / "warm.parquet")}, workdir, "warm", timeout
                )
                warm_log = _log_summary(_take_log(fake))
                result["warm"] = {
                    "wall_seconds": round(again["wall_seconds"], 4),
                    "requests": warm_log,
                    "client_requests": sum(s["requests"] for s in again["stats"].values()),
                    "cache_hits": sum(s["cache_hits"] for s in again["stats"].values()),
                }
                log(f"  enrich warm: {again['wall_seconds']:.2f}s, {warm_log['total']} requests")
                # The warm target is relative: reading the same input, as `enrich parse` does.
                parse = _child({"mode": "parse", "inputs": str(inputs)}, workdir, "parse", timeout)
                result["warm"]["parse_seconds"] = round(parse["wall_seconds"], 4)
                result["warm"]["over_parse"] = round(
                    again["wall_seconds"] / parse["wall_seconds"], 3
                )
                result["warm"]["rss_peak_bytes"] = again["rss_peak_bytes"]
                log(f"  parse: {parse['wall_seconds']:.2f}s ({result['warm']['over_parse']}x)")
            if peers:
                result["peers"] = _run_peers(
                    workload,
                    fake,
                    urls,
                    intervals,
                    scale,
                    workdir,
                    timeout,
                    cold_log["total"],
                )
                log(
                    f"  peer loop: {result['peers']['wall_seconds']:.2f}s,"
                    f" {result['peers']['requests']['total']} requests"
                )
    return result


def _enrich_figures(
    cold: dict[str, Any], log_summary: dict[str, Any], n: int, scale: float, bound: float
) -> dict[str, Any]:
    wall = cold["wall_seconds"]
    return {
        "wall_seconds": round(wall, 4),
        "real_time_equivalent_seconds": round(wall * scale, 1),
        "papers_per_second": round(n / wall, 2) if wall else None,
        "papers_per_second_real_time": round(n / (wall * scale), 4) if wall else None,
        "ratio_to_lower_bound": round(wall / bound, 4) if bound else None,
        "requests": log_summary,
        "client_stats": cold["stats"],
        "client_requests": sum(s["requests"] for s in cold["stats"].values()),
        "rss_peak_bytes": cold["rss_peak_bytes"],
        "rss_baseline_bytes": cold["rss_baseline_bytes"],
        "report": cold["report"],
    }


def _run_peers(
    workload: Workload,
    fake: FakeServices,
    urls: dict[str, str],
    intervals: Intervals,
    scale: float,
    workdir: Path,
    timeout: float,
    enrich_total: int,
) -> dict[str, Any]:
    job = {
        "mode": "peers",
        "rows": workload.inputs,
        "urls": {
            "arxiv": urls["arxiv"],
            "s2": urls["s2"].removesuffix("/graph/v1"),
            "github": urls["github"],
        },
        "intervals": asdict(intervals),
        "github_token": BENCH_TOKEN,
    }
    out = _child(job, workdir, "peers", timeout)
    summary = _log_summary(_take_log(fake))
    wall = out["wall_seconds"]
    return {
        "wall_seconds": round(wall, 4),
        "real_time_equivalent_seconds": round(wall * scale, 1),
        "papers_per_second": round(workload.n / wall, 2) if wall else None,
        "seconds_per_package": {k: round(v, 4) for k, v in out["seconds_per_package"].items()},
        "errors": out["errors"],
        "requests": summary,
        "requests_vs_enrich": round(summary["total"] / enrich_total, 2) if enrich_total else None,
        "accuracy": score(out["predictions"], workload.truth),
    }
