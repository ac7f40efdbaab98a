"""One measured run in a fresh process: ``python -m benchmarks._child job.json``.

The fakes live in the parent process, so what this process measures (wall
time, peak RSS) is the client's alone.  The job file says what to run; the
result is written as JSON to ``job["result"]``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["main", "run_enrich", "run_parse"]


def _rss_bytes(field: str = "VmHWM") -> int:
    """Peak (``VmHWM``) or current (``VmRSS``) resident memory of this process.

    ``/proc/self/status`` first: its figures belong to this program image, while
    ``ru_maxrss`` survives ``exec`` and so can report the parent's memory (the
    fakes, hundreds of MiB) copied in at ``fork``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    # Linux reports ru_maxrss in KiB (macOS in bytes; the benchmark targets Linux).
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def run_enrich(job: dict[str, Any]) -> dict[str, Any]:
    """Run ``enrich_result`` on ``job["inputs"]``, streaming to ``job["output"]``."""
    import enrich
    from enrich._config import Settings

    settings = Settings.from_env({}, **job["settings"])
    baseline = _rss_bytes("VmRSS")
    started = time.perf_counter()
    sources = tuple(job.get("sources") or enrich.SOURCES)
    result = enrich.enrich_result(
        job["inputs"], settings=settings, output=job["output"], sources=sources
    )
    wall = time.perf_counter() - started
    peak = _rss_bytes()
    report = result.report
    return {
        "wall_seconds": wall,
        "rss_baseline_bytes": baseline,
        "rss_peak_bytes": peak,
        "stats": {
            name: {
                "requests": s.requests,
                "cache_hits": s.cache_hits,
                "retries": dict(s.retries),
                "wait_seconds": round(s.wait_seconds, 4),
                "errors": s.errors,
            }
            for name, s in result.stats.items()
        },
        "report": {
            "papers": report.papers,
            "resolved": report.resolved,
            "not_found": report.not_found,
            "errors": report.errors,
            "statuses": report.statuses,
            "source_statuses": report.source_statuses,
            "unavailable": report.unavailable,
        },
    }


def run_parse(job: dict[str, Any]) -> dict[str, Any]:
    """Time ``read_papers`` on ``job["inputs"]``: what ``enrich parse`` does before writing."""
    import enrich

    baseline = _rss_bytes("VmRSS")
    started = time.perf_counter()
    frame = enrich.read_papers(job["inputs"])
    wall = time.perf_counter() - started
    return {
        "wall_seconds": wall,
        "papers": frame.height,
        "rss_baseline_bytes": baseline,
        "rss_peak_bytes": _rss_bytes(),
    }


#: GIL hand-off interval in the measured process.  The default 5 ms is a quarter of
#: S2's interval at a time scale of 50; live, thread hand-offs are a rounding error
#: next to the intervals, and a finer hand-off keeps them so under the scale.
SWITCH_INTERVAL = 0.0005


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sys.setswitchinterval(SWITCH_INTERVAL)
    job = json.loads(Path(args[0]).read_text("utf-8"))
    if job["mode"] == "enrich":
        out = run_enrich(job)
    elif job["mode"] == "parse":
        out = run_parse(job)
    elif job["mode"] == "peers":
        from benchmarks._peers import run_peers

        out = run_peers(job)
    else:
        raise SystemExit(f"unknown mode {job['mode']!r}")
    Path(job["result"]).write_text(json.dumps(out), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
