"""What the Hugging Face Hub source costs and brings: ``python -m benchmarks.hf``.

Runs enrich twice per workload against the fakes, with ``--sources
arxiv,s2,github`` and with the Hub added, and reports side by side:
repositories found per source of the link, repository precision and recall,
requests per source, and wall time (measured and as the real-time equivalent,
measured x scale, as in ``python -m benchmarks``).  The Hub's rule is its
documented one, scaled like the others: 500 requests per 5-minute window
anonymously.  A third run spreads that budget evenly (one request every 0.6 s,
``ENRICH_HF_MIN_INTERVAL=0.6``) instead of enrich's default burst within it.

Writes ``benchmarks/results/hf.json`` and ``hf.md``.

    python -m benchmarks.hf                      # seed pages (N = 231) and N = 1,000
    python -m benchmarks.hf --sizes 100 --scale 50 --no-seed-pages
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final

from benchmarks._bench import DEFAULT_OUT, _switch_interval
from benchmarks._report import machine_info, package_versions
from enrich._config import DEFAULT_HF_WINDOW_BUDGET, DEFAULT_HF_WINDOW_SECONDS

__all__ = ["main", "run_hf"]

WITHOUT: Final = ("arxiv", "s2", "github")
WITH: Final = ("arxiv", "s2", "github", "hf")
#: Issue #13: on the seed pages the Hub adds at most this much real-time wall time.
TARGET_EXTRA_SECONDS: Final = 10.0
#: label -> (sources, the Hub's min interval at time scale 1, or None for the default)
RUNS: Final = {
    "without_hf": (WITHOUT, None),
    "with_hf": (WITH, None),
    "with_hf_paced": (WITH, DEFAULT_HF_WINDOW_SECONDS / DEFAULT_HF_WINDOW_BUDGET),
}


def _figures(run: dict[str, Any]) -> dict[str, Any]:
    enrich = run["enrich"]
    repo = enrich["accuracy"]["repo_full_name"]
    return {
        "wall_seconds": enrich["wall_seconds"],
        "real_time_equivalent_seconds": enrich["real_time_equivalent_seconds"],
        "requests": enrich["requests"]["per_source"],
        "requests_total": enrich["requests"]["total"],
        "throttled": enrich["requests"]["throttled"],
        "rate_violations": enrich["requests"]["rate_violations"],
        "repos_by_source": enrich["repos_by_source"],
        "repos_found": sum(enrich["repos_by_source"].values()),
        "repo_precision": repo["precision"],
        "repo_recall": repo["recall"],
        "hf_wait_seconds": enrich["client_stats"].get("hf", {}).get("wait_seconds", 0.0),
        "errors": enrich["report"]["errors"],
        "hf_skipped": enrich["report"].get("hf_skipped", 0),
    }


def run_hf(sizes: tuple[int, ...], scale: float, seed_pages: bool, seed: int) -> dict[str, Any]:
    """Both runs per workload; the results as one JSON-able dict."""
    from benchmarks._child import SWITCH_INTERVAL
    from benchmarks._runner import run_workload
    from benchmarks._workloads import generated
    from benchmarks._workloads import seed_pages as load_seed_pages

    workloads = []
    if seed_pages:
        pages = load_seed_pages()
        if pages is not None:
            workloads.append(pages)
    workloads += [generated(n, seed=seed) for n in sizes]
    results: dict[str, Any] = {
        "scale": scale,
        "machine": machine_info(),
        "packages": package_versions(),
        "target_extra_seconds_seed_pages": TARGET_EXTRA_SECONDS,
        "workloads": [],
    }
    with _switch_interval(SWITCH_INTERVAL):
        for workload in workloads:
            print(f"{workload.name} (N = {workload.n})", flush=True)
            pair = {}
            for label, (sources, interval) in RUNS.items():
                overrides = {} if interval is None else {"hf_min_interval": interval / scale}
                run = run_workload(
                    workload, scale, peers=False, warm=False, sources=sources, overrides=overrides
                )
                pair[label] = _figures(run)
            paced = pair["with_hf_paced"]["real_time_equivalent_seconds"]
            extra = {
                "requests": pair["with_hf"]["requests_total"]
                - pair["without_hf"]["requests_total"],
                "wall_seconds": round(
                    pair["with_hf"]["wall_seconds"] - pair["without_hf"]["wall_seconds"], 4
                ),
                "real_time_equivalent_seconds": round(
                    pair["with_hf"]["real_time_equivalent_seconds"]
                    - pair["without_hf"]["real_time_equivalent_seconds"],
                    1,
                ),
                "repos_found": pair["with_hf"]["repos_found"] - pair["without_hf"]["repos_found"],
                "paced_real_time_equivalent_seconds": round(
                    paced - pair["without_hf"]["real_time_equivalent_seconds"], 1
                ),
            }
            results["workloads"].append(
                {"name": workload.name, "n": workload.n, **pair, "hf_adds": extra}
            )
            print(f"  {json.dumps(extra)}", flush=True)
    return results


def _markdown(results: dict[str, Any]) -> str:
    scale = results["scale"]
    lines = [
        "# The Hugging Face Hub source: cost and gain",
        "",
        f"Time scale {scale:g} (real-time equivalent = measured x {scale:g}); fakes enforce the"
        " real rate rules, the Hub's as 500 requests per 5-minute window (anonymous).",
        "",
        "| workload | N | run | wall (s) | real-time eq. (s) | requests (arxiv/s2/github/hf)"
        " | repos found (input/arxiv/hf) | repo precision | repo recall |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for w in results["workloads"]:
        for label in RUNS:
            r = w[label]
            req = "/".join(str(r["requests"].get(s, 0)) for s in WITH)
            found = "/".join(str(r["repos_by_source"].get(s, 0)) for s in ("input", "arxiv", "hf"))
            lines.append(
                f"| {w['name']} | {w['n']} | {label.replace('_', ' ')} | {r['wall_seconds']:.2f}"
                f" | {r['real_time_equivalent_seconds']:.1f} | {req} | {found}"
                f" | {r['repo_precision']:.3f} | {r['repo_recall']:.3f} |"
            )
    lines += ["", "What the Hub adds:", ""]
    for w in results["workloads"]:
        a = w["hf_adds"]
        lines.append(
            f"- {w['name']} (N = {w['n']}): +{a['repos_found']} repositories,"
            f" +{a['requests']} requests, {a['real_time_equivalent_seconds']:+.1f} s real-time"
            f" equivalent ({a['wall_seconds']:+.2f} s measured); spread evenly at 0.6 s:"
            f" {a['paced_real_time_equivalent_seconds']:+.1f} s"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hf", description=__doc__)
    parser.add_argument("--sizes", default="1000", help="generated sizes, comma-separated")
    parser.add_argument("--scale", type=float, default=50.0)
    parser.add_argument("--no-seed-pages", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    results = run_hf(sizes, args.scale, not args.no_seed_pages, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "hf.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    (args.out / "hf.md").write_text(_markdown(results), "utf-8")
    print(_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
