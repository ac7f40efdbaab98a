"""``python -m enrich.testing serve``: run the fake services as a local HTTP server.

Once listening it prints exactly four lines, ``ENRICH_ARXIV_URL=...``,
``ENRICH_S2_URL=...``, ``ENRICH_GITHUB_URL=...`` and ``ENRICH_HF_URL=...``, then serves until SIGINT
or SIGTERM and exits 0.

Example::

    python -m enrich.testing serve --port 8765 --generate 500 --seed 3 --time-scale 10
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from enrich.testing._corpus import Corpus
from enrich.testing._faults import FAULT_KINDS, FaultConfig
from enrich.testing._server import FakeServices

DEFAULT_CORPUS_SIZE = 200


def _generate(size: int, seed: int) -> Corpus:
    # The generator lives in its own module, which a trimmed install may lack.
    generator = importlib.import_module("enrich.testing._generator")
    made: Any = generator.generate_corpus(size, seed=seed)
    if isinstance(made, Corpus):
        return made
    if isinstance(made, tuple) and made and isinstance(made[0], Corpus):
        return made[0]
    corpus = getattr(made, "corpus", None)
    if isinstance(corpus, Corpus):
        return corpus
    raise TypeError(f"generate_corpus returned {type(made).__name__}, not a Corpus")


def default_corpus() -> Corpus:
    """A small built-in corpus: 200 generated papers, or an empty one without the generator."""
    try:
        return _generate(DEFAULT_CORPUS_SIZE, 0)
    except (ImportError, AttributeError):
        return Corpus()


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.corpus:
        corpus = Corpus.load(args.corpus)
    elif args.generate is not None:
        corpus = _generate(args.generate, args.seed)
    else:
        corpus = default_corpus()
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
