"""``python -m enrich.testing serve``: run the fake services as a local HTTP server.

Once listening it prints exactly four lines, ``ENRICH_ARXIV_URL=...``,
``ENRICH_S2_URL=...``, ``ENRICH_GITHUB_URL=...`` and ``ENRICH_HF_URL=...``, then serves until SIGINT
or SIGTERM and exits 0.

With ``--write-inputs DIR`` it first writes the generated workload there:
``inputs.csv`` (what to give ``enrich run``), ``truth.json`` (the right answer
for each input row), ``corpus.json`` and ``tags.json``.

Example::

    python -m enrich.testing serve --port 8765 --generate 500 --seed 3 --time-scale 10 \
        --write-inputs .
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from enrich.testing._corpus import Corpus
from enrich.testing._faults import FAULT_KINDS, FaultConfig
from enrich.testing._generator import GeneratedWorkload, generate_corpus
from enrich.testing._server import FakeServices

DEFAULT_CORPUS_SIZE = 200


def default_corpus() -> Corpus:
    """The built-in corpus: the one behind ``generate_corpus(200, seed=0)``."""
    return generate_corpus(DEFAULT_CORPUS_SIZE, seed=0).corpus


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m enrich.testing",
        description="Offline fakes of arXiv, Semantic Scholar and GitHub.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve the fakes over HTTP until SIGINT/SIGTERM",
        description="Serve the fakes over HTTP; prints the four ENRICH_*_URL settings.",
        epilog="example: python -m enrich.testing serve --port 8765 --generate 500 --seed 3",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default %(default)s)"
    )
    serve.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    source = serve.add_mutually_exclusive_group()
    source.add_argument("--corpus", help="corpus JSON written by Corpus.save()")
    source.add_argument("--generate", type=int, metavar="N", help="generate a corpus of N papers")
    serve.add_argument("--seed", type=int, default=0, help="seed for generation, order and faults")
    serve.add_argument("--time-scale", type=float, default=1.0, help="speed up every rate rule")
    serve.add_argument(
        "--faults", type=float, default=0.0, metavar="RATE", help="fault rate in [0, 1]"
    )
    serve.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        help="comma-separated fault kinds (default: all)",
    )
    serve.add_argument(
        "--no-rate-limits", action="store_true", help="log rate violations but answer normally"
    )
    serve.add_argument(
        "--write-inputs",
        metavar="DIR",
        help="write inputs.csv, truth.json, corpus.json and tags.json of the generated "
        "workload to DIR first (not with --corpus)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    workload: GeneratedWorkload | None = None
    if args.corpus:
        if args.write_inputs:
            parser.error("--write-inputs needs a generated workload; a --corpus file has no inputs")
        corpus = Corpus.load(args.corpus)
    else:
        size = args.generate if args.generate is not None else DEFAULT_CORPUS_SIZE
        seed = args.seed if args.generate is not None else 0
        workload = generate_corpus(size, seed=seed)
        corpus = workload.corpus
    if workload is not None and args.write_inputs:
        written = workload.write(Path(args.write_inputs))
        for kind, path in written.items():
            sys.stderr.write(f"wrote {kind}: {path}\n")
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    faults = FaultConfig(rate=args.faults, kinds=kinds, seed=args.seed) if args.faults else None
    fake = FakeServices(
        corpus,
        time_scale=args.time_scale,
        enforce_rate_limits=not args.no_rate_limits,
        faults=faults,
        seed=args.seed,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with fake.serve(args.host, args.port) as server:
        for name, value in server.env().items():
            sys.stdout.write(f"{name}={value}\n")
        sys.stdout.flush()
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
