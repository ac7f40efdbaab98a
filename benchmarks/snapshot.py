"""Benchmark of the offline snapshot mode (issue #14): build, offline run, mixed run.

``python -m benchmarks.snapshot`` writes ``benchmarks/results/snapshot.json`` and
``snapshot.md``.  Every figure comes from generated data in the real formats
(``enrich.testing._snapshot_gen``); nothing is downloaded.

* **build**: ``enrich snapshot build`` on N S2 records (gzipped shards) and M
  arXiv records, in a child process: wall time, records/s, peak RSS.
* **offline run**: ``enrich run INPUT --snapshot DIR --offline`` on K inputs
  (about 45 % arXiv ids, 15 % DOIs, 40 % titles), in a child process: wall
  time, peak RSS, requests sent (from the run's own summary), precision and
  recall of arXiv ids and CorpusIds against the generated truth.
* **mixed run**: inputs of which 10 % are newer than the snapshot, the rest
  from it; the live services are the offline fakes.  Reports what was asked
  live and checks it is only what the snapshot lacks.

Next to each run: the live-run lower bound for the same input at the services'
real pace (arXiv one request per 3 s, 100 ids or 10 titles a request; S2 one
request per s, 500 ids a batch, one title match per title arXiv cannot
resolve), counted from the input and its truth as in ``benchmarks/_bound.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from enrich._match import normalize_title
from enrich.testing._snapshot_gen import (
    GeneratedSnapshot,
    InputRow,
    generate_inputs,
    write_inputs_csv,
    write_snapshot,
)

RESULTS = Path(__file__).parent / "results"
ARXIV_INTERVAL, ARXIV_IDS, ARXIV_TITLES = 3.0, 100, 10
S2_INTERVAL, S2_BATCH = 1.0, 500


# The child reports its own peak (VmHWM): ru_maxrss would also count the parent's
# memory copied at fork (see benchmarks/README.md, "Reading the results").
_WRAP = """
import re, sys
from enrich.cli import main
try:
    main(sys.argv[1:], prog_name="enrich")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
status = open("/proc/self/status").read()
sys.stderr.write("VMHWM_KB=" + re.search(r"VmHWM:\\s+(\\d+)", status).group(1) + "\\n")
sys.exit(code)
"""


def _measure(args: list[str]) -> dict[str, Any]:
    """Run ``enrich ARGS`` in a child: wall time, CPU time, its own peak RSS, output."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-c", _WRAP, *args], stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    peak = re.search(r"VMHWM_KB=(\d+)", stderr)
    return {
        "seconds": round(elapsed, 2),
        "peak_rss_mib": round(int(peak.group(1)) / 1024, 1) if peak else None,
        # The machine is shared: CPU time says what the run itself cost.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "exit_code": child.returncode,
        "stderr": stderr[-3000:],
        "stdout": stdout[-500:],
    }


def live_lower_bound(rows: list[InputRow]) -> dict[str, Any]:
    """Least wall time a polite live-only client needs for ``rows`` (seconds)."""
    ids = {
        r.arxiv_id.split("v")[0] if r.arxiv_id and "/" not in r.arxiv_id else r.arxiv_id
        for r in rows
        if r.arxiv_id
    }
    dois = {r.doi for r in rows if r.doi}
    titles = [r for r in rows if r.title and not r.arxiv_id and not r.doi]
    on_arxiv = {r.true_arxiv_id for r in titles if r.true_arxiv_id}
    s2_matches = len({normalize_title(r.title) for r in titles if not r.true_arxiv_id})
    arxiv_requests = math.ceil(len(ids) / ARXIV_IDS) + math.ceil(len(titles) / ARXIV_TITLES)
    s2_requests = math.ceil((len(ids) + len(dois) + len(on_arxiv)) / S2_BATCH) + s2_matches
    seconds = max(arxiv_requests * ARXIV_INTERVAL, s2_requests * S2_INTERVAL)
    return {
        "arxiv_requests": arxiv_requests,
        "s2_requests": s2_requests,
        "seconds": seconds,
        "hours": round(seconds / 3600, 1),
    }


def score(output: Path, rows: list[InputRow]) -> dict[str, Any]:
    """Precision and recall of arXiv ids and CorpusIds; rows mapped back via origins."""
    frame = pl.read_parquet(output, columns=["origins", "arxiv_id", "s2_corpus_id"])
    right = wrong = missed = 0
    for origins, arxiv_id, corpus in frame.iter_rows():
        for origin in origins:
            row = rows[int(origin.rsplit(":", 1)[1]) - 2]
            for truth, got in ((row.true_arxiv_id, arxiv_id), (row.true_corpus_id, corpus)):
                if got is not None and got == truth:
                    right += 1
                elif got is not None:
                    wrong += 1
                elif truth is not None:
                    missed += 1
    return {
        "precision": round(right / (right + wrong), 6) if right + wrong else None,
        "recall": round(right / (right + missed), 6) if right + missed else None,
        "right": right,
        "wrong": wrong,
        "missed": missed,
    }


def _requests(stderr: str) -> int:
    return sum(int(n) for n in re.findall(r":\s+(\d+) requests", stderr))


def bench_build(
    work: Path, n_s2: int, n_arxiv: int, *, build: bool = True
) -> tuple[GeneratedSnapshot, dict[str, Any]]:
    marker = work / "download" / f"generated-{n_s2}-{n_arxiv}.json"
    started = time.monotonic()
    if marker.exists():
        gen = GeneratedSnapshot(**{**json.loads(marker.read_text()), "root": work / "download"})
        gen.s2_shards = sorted((work / "download" / "s2").rglob("*.jsonl.gz"))
        gen.arxiv_file = next((work / "download" / "arxiv").glob("*.json"))
        generated = None
    else:
        shards = max(1, n_s2 // 250_000)
        gen = write_snapshot(work / "download", n_arxiv=n_arxiv, n_s2=n_s2, shards=shards)
        marker.write_text(
            json.dumps(
                {
                    "seed": gen.seed,
                    "n_arxiv": n_arxiv,
                    "n_s2": n_s2,
                    "s2_release": gen.s2_release,
                    "arxiv_release": gen.arxiv_release,
                }
            )
        )
        generated = round(time.monotonic() - started, 1)
    assert gen.arxiv_file is not None
    snap = work / "snap"
    if not build and (snap / "manifest.json").exists():
        return gen, {}
    argv = ["snapshot", "build", "--overwrite", "-o", str(snap)]
    argv += ["--s2", str(gen.s2_shards[0].parent), "--arxiv", str(gen.arxiv_file)]
    result = _measure(argv)
    records = n_s2 + n_arxiv
    result.update(
        records=records,
        records_per_second=round(records / result["seconds"]),
        generate_seconds=generated,
        input_bytes=sum(p.stat().st_size for p in (*gen.s2_shards, gen.arxiv_file)),
        manifest=json.loads((snap / "manifest.json").read_text())
        if (snap / "manifest.json").exists()
        else None,
    )
    return gen, result


def bench_offline(work: Path, gen: GeneratedSnapshot, n: int) -> dict[str, Any]:
    rows = generate_inputs(gen, n, seed=7)
    source = write_inputs_csv(rows, work / f"inputs-{n}.csv")
    output = work / f"offline-{n}.parquet"
    argv = ["run", str(source), "--snapshot", str(work / "snap")]
    argv += ["--offline", "-o", str(output)]
    result = _measure(argv)
    result["inputs"] = n
    result["requests"] = _requests(result["stderr"])
    if output.exists():
        result["accuracy"] = score(output, rows)
    result["live_lower_bound"] = live_lower_bound(rows)
    return result


def bench_mixed(work: Path, gen: GeneratedSnapshot, n: int) -> dict[str, Any]:
    from benchmarks._snapshot_mixed import run_mixed

    return run_mixed(work, gen, n)


def _markdown(results: dict[str, Any]) -> str:
    b, o, m = results.get("build"), results.get("offline"), results.get("mixed")
    lines = [
        "# Offline snapshot mode (issue #14)",
        "",
        f"{results['date']}, {results['machine']}. {results['note']}",
        "",
        "| run | size | wall time | CPU time | throughput | peak RSS | requests | precision (wrong ids) | recall | live-only lower bound |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    if b:
        lines.append(
            f"| build | {b['records']:,} records | {b['seconds']} s | {b['cpu_seconds']} s | {b['records_per_second']:,} records/s "
            f"| {b['peak_rss_mib']} MiB | 0 | | | |"
        )  # fmt: skip
    if o:
        acc = o.get("accuracy", {})
        bound = o["live_lower_bound"]
        lines.append(
            f"| run --offline | {o['inputs']:,} inputs | {o['seconds']} s | {o['cpu_seconds']} s | {round(o['inputs'] / o['seconds']):,} rows/s "
            f"| {o['peak_rss_mib']} MiB | {o['requests']} | {acc.get('precision')} ({acc.get('wrong')}) | {acc.get('recall')} "
            f"| {bound['hours']} h ({bound['arxiv_requests']:,} arXiv + {bound['s2_requests']:,} S2 requests) |"
        )  # fmt: skip
    if m:
        lines.append(
            f"| mixed (10 % newer) | {m['inputs']:,} inputs | {m['seconds']} s | | | | {m['requests']} "
            f"| {m['accuracy']['precision']} ({m['accuracy']['wrong']}) | {m['accuracy']['recall']} "
            f"| {m['live_lower_bound']['hours']} h for all; {m['newer_lower_bound']['hours']} h for the newer |"
        )  # fmt: skip
        lines += [
            "",
            f"Mixed run: {m['rows_sent_live']} rows went live for {m['newer']} newer papers; "
            f"every request named only those ({m['asked_outside_live_rows']} outside).",
        ]
    targets = results.get("targets", {})
    if targets:
        lines += ["", "Targets:", ""]
        lines += [f"* {name}: {verdict}" for name, verdict in targets.items()]
    return "\n".join(lines) + "\n"


def _targets(results: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    b, o, m = results.get("build"), results.get("offline"), results.get("mixed")
    if b:
        ok = b["records_per_second"] >= 100_000 and b["peak_rss_mib"] <= 2048
        out["build >= 100,000 records/s, <= 2 GiB"] = (
            f"{'met' if ok else 'MISSED'}: {b['records_per_second']:,} records/s, {b['peak_rss_mib']} MiB"
        )
    if o:
        acc = o.get("accuracy", {})
        ok = (
            o["seconds"] <= 60
            and o["peak_rss_mib"] <= 2048
            and o["requests"] == 0
            and acc.get("wrong") == 0
            and (acc.get("recall") or 0) >= 0.99
        )
        out["offline run <= 60 s, <= 2 GiB, 0 requests, P 1.000, R >= 0.99"] = (
            f"{'met' if ok else 'MISSED'}: {o['seconds']} s, {o['peak_rss_mib']} MiB, "
            f"{o['requests']} requests, P {acc.get('precision')}, R {acc.get('recall')}"
        )
    if m:
        ok = m["asked_outside_live_rows"] == 0 and m["rows_sent_live"] >= m["newer"]
        out["mixed: only the newer papers go live"] = (
            f"{'met' if ok else 'MISSED'}: {m['rows_sent_live']} rows live for {m['newer']} newer"
        )
    return out


def render(path: Path) -> None:
    """Rewrite ``path``'s Markdown twin from the JSON results (after a format change)."""
    results = json.loads(path.read_text())
    for run in ("offline", "mixed"):
        acc = results.get(run, {}).get("accuracy")
        if acc:  # precision and recall to 6 places, from the counts
            right, wrong, missed = acc["right"], acc["wrong"], acc["missed"]
            acc["precision"] = round(right / (right + wrong), 6)
            acc["recall"] = round(right / (right + missed), 6)
    results["targets"] = _targets(results)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    path.with_suffix(".md").write_text(_markdown(results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--s2", type=int, default=5_000_000, help="S2 records to generate")
    parser.add_argument("--arxiv", type=int, default=2_500_000, help="arXiv records")
    parser.add_argument("--inputs", type=int, default=1_000_000, help="offline run inputs")
    parser.add_argument("--mixed", type=int, default=20_000, help="mixed run inputs")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/enrich-snapshot-bench"))
    parser.add_argument("--skip", default="", help="comma list of build,offline,mixed to skip")
    parser.add_argument("--note", default="", help="free text recorded with the results")
    parser.add_argument("--out", default="snapshot", help="results file stem")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, polars {pl.__version__}",
        "note": args.note,
        "sizes": {"s2": args.s2, "arxiv": args.arxiv, "inputs": args.inputs, "mixed": args.mixed},
    }
    gen, build = bench_build(args.workdir, args.s2, args.arxiv, build="build" not in skip)
    if "build" not in skip:
        results["build"] = build
        print(
            f"build: {build['seconds']} s, {build['records_per_second']:,} records/s, {build['peak_rss_mib']} MiB",
            flush=True,
        )
    if "offline" not in skip:
        results["offline"] = bench_offline(args.workdir, gen, args.inputs)
        print(
            f"offline: {results['offline']['seconds']} s, {results['offline']['peak_rss_mib']} MiB, {results['offline'].get('accuracy')}",
            flush=True,
        )
    if "mixed" not in skip:
        results["mixed"] = bench_mixed(args.workdir, gen, args.mixed)
        print(
            f"mixed: {results['mixed']['rows_sent_live']} live rows, {results['mixed']['requests']} requests",
            flush=True,
        )
    results["targets"] = _targets(results)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (RESULTS / f"{args.out}.md").write_text(_markdown(results))
    print(_markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
