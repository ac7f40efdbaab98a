"""``python -m benchmarks``: measure enrich and the peer loop, write the results.

Example::

    python -m benchmarks --sizes 100,1000,10000 --scale 50 --peers --big 100000
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks._bench import DEFAULT_OUT, BenchConfig, run

__all__ = ["main"]


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of sizes: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def _variant(text: str) -> dict[str, str]:
    pairs = [part.partition("=") for part in text.split(",") if part.strip()]
    if not pairs or any(not key.strip() or not sep for key, sep, _ in pairs):
        raise argparse.ArgumentTypeError(f"not key=value[,key=value]: {text!r}")
    return {key.strip(): value.strip() for key, _, value in pairs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure enrich (and the peer loop) against rate-limited fake services.",
        epilog="example: python -m benchmarks --sizes 100,1000,10000 --peers --big 100000",
    )
    parser.add_argument("--sizes", type=_sizes, default=BenchConfig.sizes,
                        help="generated workload sizes (default 100,1000,10000)")  # fmt: skip
    parser.add_argument("--scale", type=float, default=BenchConfig.scale,
                        help="time scale: intervals are the real ones divided by this (default 50)")  # fmt: skip
    parser.add_argument("--seeds-pages", dest="seed_pages", action="store_true", default=True,
                        help="also run the seed-pages workload (default; needs ../shared)")  # fmt: skip
    parser.add_argument("--no-seeds-pages", dest="seed_pages", action="store_false")
    parser.add_argument("--peers", action="store_true", help="also run the peer loop")
    parser.add_argument("--peer-max-n", type=int, default=BenchConfig.peer_max_n,
                        help="largest N the peer loop runs at (default 1000)")  # fmt: skip
    parser.add_argument("--big", type=int, default=None,
                        help="also stream this many papers to Parquet (memory check)")  # fmt: skip
    parser.add_argument("--big-scale", type=float, default=BenchConfig.big_scale,
                        help="time scale of the big run (default 1000)")  # fmt: skip
    parser.add_argument("--no-warm", dest="warm", action="store_false",
                        help="skip the warm-cache reruns")  # fmt: skip
    parser.add_argument("--seed", type=int, default=BenchConfig.seed)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="results folder (default benchmarks/results)")  # fmt: skip
    parser.add_argument("--titles-only", type=_sizes, default=(),
                        help="also run workloads of N titles without ids, e.g. 1000")  # fmt: skip
    parser.add_argument("--variant", dest="variants", action="append", type=_variant, default=[],
                        help="enrich settings to compare, e.g. title_order=arxiv_first or"
                        " arxiv_titles_per_query=20,title_order=arxiv_first; repeat to"
                        " run every workload once per variant")  # fmt: skip
    args = parser.parse_args(argv)
    args.variants = tuple(args.variants)
    if args.scale <= 0 or args.big_scale <= 0:
        parser.error("time scales must be positive")
    run(BenchConfig(**vars(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
