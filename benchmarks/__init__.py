"""Speed, request economy and accuracy of enrich against rate-limited fakes, beside its peers.

Run ``python -m benchmarks`` (see ``benchmarks/README.md``); results are written to
``benchmarks/results/latest.{json,md}`` and ``walltime.png``.  :func:`run` is the
same thing as a function.
"""

from benchmarks._bench import BenchConfig, run

__all__ = ["BenchConfig", "run"]
