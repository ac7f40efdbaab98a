"""``python -m benchmarks.failures``: the first live run's failure modes, measured.

The seed-page papers (``../shared/seeds``; the generated N = 231 workload when
absent) run against the fakes served over loopback while one thing goes wrong:

=================  ==========================================================
case               what the fakes (or the network) do
=================  ==========================================================
baseline           nothing: the reference for "rows with data"
arxiv-throttled    arXiv answers every request with 429 "Rate exceeded."
s2-throttled       Semantic Scholar answers every request with 429
no-network         every base URL is a closed port on loopback (refused)
no-dns             every base URL is an unresolvable host (``.invalid``)
arxiv-trickles     arXiv sends its answers one byte per (scaled) second
cpu-contention     two busy processes compete for the two cores
=================  ==========================================================

Each case reports wall time (measured, and x scale as the real-time
equivalent), requests per source, rows with data from any source, rows with
each source's data next to the baseline's, which breakers opened and why, and
rate violations (arrivals inside a rule's interval, as the fakes measure them).

Targets (issue "the first live run"): a throttled or unreachable source costs
at most about 30 s of real time and at most 8 requests before its breaker
opens; every row the other sources know keeps their data; 0 violations.

Example::

    python -m benchmarks.failures --scale 50
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Final

import polars as pl

from benchmarks._bench import DEFAULT_OUT, _switch_interval
from benchmarks._child import SWITCH_INTERVAL
from benchmarks._runner import (
    _child,
    _enrich_settings,
    _jitter_allowance,
    _log_summary,
    _take_log,
    intervals_for,
)
from benchmarks._workloads import Workload, generated, seed_pages, write_inputs
from enrich.testing import FakeServices
from enrich.testing import _server as fake_server
from enrich.testing._faults import FaultConfig, FaultPlan

__all__ = ["CASES", "main", "run_failures"]

CASES: Final = (
    "baseline",
    "arxiv-throttled",
    "s2-throttled",
    "no-network",
    "no-dns",
    "arxiv-trickles",
    "cpu-contention",
)
SOURCES: Final = ("arxiv", "s2", "github", "hf")
#: What a throttled or unreachable source may cost before its breaker opens.
TARGET_SECONDS: Final = 30.0
TARGET_REQUESTS: Final = 8


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _faults(case: str, scale: float) -> FaultConfig | None:
    if case == "arxiv-throttled":
        return FaultConfig(rate=1.0, kinds=("429_burst",), sources=("arxiv",))
    if case == "s2-throttled":
        return FaultConfig(rate=1.0, kinds=("429_burst",), sources=("s2",))
    if case == "arxiv-trickles":
        return FaultConfig(
            rate=1.0, kinds=("trickle",), sources=("arxiv",), trickle_seconds=1.0 / scale
        )
    return None


def _urls_for(case: str, served: dict[str, str]) -> dict[str, str]:
    if case == "no-network":
        base = f"http://127.0.0.1:{_closed_port()}"
    elif case == "no-dns":
        base = "http://enrich-offline.invalid"
    else:
        return served
    return {s: base + p for s, p in fake_server.SERVER_PATHS.items()}


def _rows(output: Path) -> dict[str, int]:
    frame = pl.read_parquet(output)
    status = {s: f"{s}_status" for s in SOURCES if f"{s}_status" in frame.columns}
    counts = {"rows": frame.height}
    if status:
        any_ok = pl.any_horizontal([pl.col(c) == "ok" for c in status.values()])
        counts["with_data"] = frame.filter(any_ok).height
        for source, column in status.items():
            counts[f"{source}_ok"] = frame.filter(pl.col(column) == "ok").height
    return counts


def _one_case(
    case: str, workload: Workload, scale: float, workdir: Path, timeout: float
) -> dict[str, Any]:
    intervals = intervals_for(scale)
    fake = FakeServices(workload.corpus, time_scale=scale, enforce_rate_limits=True)
    fake.faults = FaultPlan(_faults(case, scale))
    inputs = write_inputs(workload, workdir / "inputs.csv")
    burners: list[subprocess.Popen[bytes]] = []
    with ExitStack() as stack:
        stack.enter_context(_jitter_allowance(intervals))
        server = stack.enter_context(fake.serve())
        server.httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        served = {s: server.url + p for s, p in fake_server.SERVER_PATHS.items()}
        settings = _enrich_settings(_urls_for(case, served), intervals, scale, workdir / case)
        if case == "cpu-contention":
            spin = "while True: pass"
            burners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]
        try:
            job = {"mode": "enrich", "inputs": str(inputs), "settings": settings}
            output = workdir / f"{case}.parquet"
            result = _child({**job, "output": str(output)}, workdir, case, timeout)
        finally:
            for burner in burners:
                burner.kill()
                burner.wait()
        entries = _take_log(fake)
        log = _log_summary(entries)
    wall = float(result["wall_seconds"])
    stats = result["stats"]
    spans: dict[str, float] = {}
    for source in SOURCES:
        times = [e.time for e in entries if e.source == source]
        if times:  # first to last arrival: what the source cost the run, real-time equivalent
            spans[source] = round((max(times) - min(times)) * scale, 1)
    return {
        "case": case,
        "wall_seconds": round(wall, 3),
        "real_time_equivalent_seconds": round(wall * scale, 1),
        "requests": {s: stats[s]["requests"] for s in SOURCES},
        "retries": {s: stats[s]["retries"] for s in SOURCES},
        "source_seconds": spans,
        "violations": log.get("rate_violations", 0),
        "violations_per_source": {
            s: sum(1 for e in entries if e.source == s and e.rate_violation) for s in SOURCES
        },
        "unavailable": result["report"].get("unavailable", {}),
        "rows": _rows(output),
    }


def run_failures(
    workload: Workload, scale: float, *, cases: tuple[str, ...] = CASES, timeout: float = 1800.0
) -> dict[str, Any]:
    """Run each failure case on ``workload`` in a child process; return the figures."""
    results: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="enrich-failures-") as tmp,
        _switch_interval(SWITCH_INTERVAL),
    ):
        for case in cases:
            started = time.perf_counter()
            figures = _one_case(case, workload, scale, Path(tmp), timeout)
            results.append(figures)
            print(
                f"  {case}: {figures['wall_seconds']:.2f}s "
                f"({figures['real_time_equivalent_seconds']}s real), "
                f"requests {figures['requests']}, rows with data "
                f"{figures['rows'].get('with_data')}, violations {figures['violations']} "
                f"[{time.perf_counter() - started:.1f}s]",
                flush=True,
            )
    return {"workload": workload.name, "n": workload.n, "scale": scale, "cases": results}


def _check(case: dict[str, Any], baseline: dict[str, Any] | None) -> list[str]:
    """The targets this case misses (empty: all met)."""
    misses: list[str] = []
    if case["violations"]:
        misses.append(f"{case['violations']} violations")
    offline = case["case"] in ("no-network", "no-dns")
    for source in case["unavailable"]:
        sent = case["requests"][source]
        if sent > TARGET_REQUESTS:
            misses.append(f"{source}: {sent} requests before its breaker opened")
        # Offline, no request reaches the fakes: the whole run is the cost.
        spent = (
            case["real_time_equivalent_seconds"] if offline else case["source_seconds"].get(source)
        )
        if case["case"] != "arxiv-trickles" and spent is not None and spent > TARGET_SECONDS:
            misses.append(f"{source}: {spent}s before its breaker opened")
    if baseline is not None and case["case"] in ("arxiv-throttled", "s2-throttled"):
        other = "s2" if case["case"].startswith("arxiv") else "arxiv"
        kept, before = case["rows"].get(f"{other}_ok"), baseline["rows"].get(f"{other}_ok")
        if kept is not None and before is not None and kept < before:
            misses.append(f"{other} data on {kept} rows, {before} in the baseline")
    return misses


def _violations(case: dict[str, Any]) -> str:
    per = {s: n for s, n in case["violations_per_source"].items() if n}
    return str(case["violations"]) + (f" ({per})" if per else "")


def to_markdown(figures: dict[str, Any]) -> str:
    """The failure-modes table."""
    cases = figures["cases"]
    baseline = next((c for c in cases if c["case"] == "baseline"), None)
    lines = [
        f"# Failure modes: {figures['workload']} (N = {figures['n']}, time scale "
        f"{figures['scale']:g})",
        "",
        "| case | wall (real-time eq.) | requests arxiv / s2 / github / hf | rows with data "
        "| arxiv ok / s2 ok | breakers opened (source's span, real-time eq.) | violations "
        "| targets |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for case in cases:
        req = case["requests"]
        rows = case["rows"]
        opened = (
            ", ".join(
                f"{s} ({case['source_seconds'].get(s, case['real_time_equivalent_seconds'])} s)"
                for s in sorted(case["unavailable"])
            )
            or "none"
        )
        misses = _check(case, baseline)
        lines.append(
            f"| {case['case']} | {case['real_time_equivalent_seconds']} s "
            f"| {' / '.join(str(req[s]) for s in SOURCES)} "
            f"| {rows.get('with_data', '?')} of {rows['rows']} "
            f"| {rows.get('arxiv_ok', '?')} / {rows.get('s2_ok', '?')} "
            f"| {opened} | {_violations(case)} | {'; '.join(misses) or 'met'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.failures",
        description="Throttled, unreachable and trickling services, and CPU contention.",
        epilog="example: python -m benchmarks.failures --scale 50",
    )
    parser.add_argument("--scale", type=float, default=50.0,
                        help="time scale (default 50; 1 is the real pace)")  # fmt: skip
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated cases (default all: {','.join(CASES)})")  # fmt: skip
    parser.add_argument("--n", type=int, default=231,
                        help="N of the generated workload used without ../shared (default 231)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="results folder (default benchmarks/results)")  # fmt: skip
    args = parser.parse_args(argv)
    cases = tuple(c.strip() for c in args.cases.split(",") if c.strip())
    unknown = sorted(set(cases) - set(CASES))
    if unknown or args.scale <= 0:
        parser.error(f"unknown cases {unknown}" if unknown else "the time scale must be positive")
    workload = seed_pages() or generated(args.n)
    print(f"failure modes on {workload.name} (N = {workload.n}), time scale {args.scale:g}")
    figures = run_failures(workload, args.scale, cases=cases)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "failures.json").write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    table = to_markdown(figures)
    (args.out / "failures.md").write_text(table, "utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
