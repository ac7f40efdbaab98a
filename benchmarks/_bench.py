"""The benchmark as a function: :class:`BenchConfig` says what to run, :func:`run` runs it.

Every workload runs against fresh fakes that enforce the real rate rules
divided by ``scale``; the clients get the real intervals divided by the same
factor.  See ``benchmarks/README.md`` for what is measured and how.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_OUT", "BenchConfig", "run"]

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


@dataclass
class BenchConfig:
    """What to run.  Defaults are the published benchmark's."""

    sizes: tuple[int, ...] = (100, 1000, 10000)
    #: time scale of the generated and seed workloads
    scale: float = 50.0
    seed_pages: bool = True
    peers: bool = False
    #: the peer loop only runs up to this N (it takes ~200x longer than enrich)
    peer_max_n: int = 1000
    #: N of the big streaming run (None: skip), and its time scale
    big: int | None = None
    big_scale: float = 1000.0
    warm: bool = True
    seed: int = 1
    out: Path = DEFAULT_OUT
    chart: bool = True
    log: Callable[[str], None] = field(default=print)
    #: sizes of the titles-only workloads (no arXiv id or DOI in the input)
    titles_only: tuple[int, ...] = ()
    #: enrich settings to compare: every workload runs once per variant (none: defaults)
    variants: tuple[dict[str, Any], ...] = ()


@contextlib.contextmanager
def _switch_interval(seconds: float) -> Iterator[None]:
    # The fake server's threads timestamp arrivals; finer GIL hand-offs keep that honest.
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _variant_name(overrides: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in overrides.items())


def run(config: BenchConfig) -> dict[str, Any]:
    """Run every workload of ``config``, write the result files, return the results."""
    from benchmarks._child import SWITCH_INTERVAL
    from benchmarks._report import machine_info, package_versions, write_results
    from benchmarks._runner import CORE_SOURCES, JITTER_ALLOWANCE, intervals_for, run_workload
    from benchmarks._workloads import generated, seed_pages, titles_only

    log = config.log
    results: dict[str, Any] = {
        "machine": machine_info(),
        "packages": package_versions(),
        "scale": config.scale,
        "big_scale": config.big_scale if config.big else None,
        "intervals_real_seconds": vars(intervals_for(1.0)),
        "jitter_allowance_seconds": JITTER_ALLOWANCE,
        # The peer loop and the lower bound cover these three; the Hub's extra
        # requests and time are measured on their own by benchmarks/hf.py.
        "sources": list(CORE_SOURCES),
        "workloads": [],
        "big": None,
    }
    started = time.perf_counter()
    variants: tuple[dict[str, Any], ...] = config.variants or ({},)

    def measure(workload: Any, peers: bool) -> None:
        for i, overrides in enumerate(variants):
            if overrides:
                log(f"  variant {_variant_name(overrides)}")
            item = run_workload(
                workload,
                config.scale,
                peers=peers and i == 0,  # the peer loop does not depend on enrich's settings
                warm=config.warm,
                log=log,
                sources=CORE_SOURCES,
                overrides=overrides,
            )
            if overrides:
                item["name"] = f"{item['name']} [{_variant_name(overrides)}]"
            results["workloads"].append(item)

    with _switch_interval(SWITCH_INTERVAL):
        for n in config.sizes:
            log(f"generated workload, N={n:,}")
            measure(generated(n, seed=config.seed), config.peers and n <= config.peer_max_n)
        for n in config.titles_only:
            log(f"titles-only workload, N={n:,}")
            measure(titles_only(n, seed=config.seed), config.peers and n <= config.peer_max_n)
        if config.seed_pages:
            seeds = seed_pages()
            if seeds is None:
                log("seed pages: ../shared/seeds not found, skipped")
            else:
                log(f"seed pages workload, N={seeds.n:,}")
                measure(seeds, config.peers)
        if config.big:
            log(f"big streaming run, N={config.big:,} at time scale {config.big_scale:g}")
            big = generated(config.big, seed=config.seed)
            results["big"] = run_workload(
                big, config.big_scale, peers=False, warm=False, log=log, sources=CORE_SOURCES
            )
    results["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    for message in write_results(results, config.out) if config.chart else []:
        log(message)
    log(f"results written to {config.out}")
    return results
