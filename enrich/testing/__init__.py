"""Offline twins of arXiv, Semantic Scholar and GitHub for tests, benchmarks and demos.

Like ``moto`` for AWS: a :class:`FakeServices` object serves a :class:`Corpus`
with the real services' response shapes, rate rules and failure modes, either
in-process through an httpx transport or as a local HTTP server.

>>> import httpx
>>> from enrich.testing import Corpus, FakeRepo, FakeServices
>>> fake = FakeServices(Corpus(github=[FakeRepo(1, "octo/hello", stars=5)]))
>>> with httpx.Client(transport=fake.transport(), headers={"User-Agent": "doc"}) as client:
...     client.get("https://api.github.com/repos/octo/hello").json()["stargazers_count"]
5
>>> fake.log[-1].endpoint, fake.log[-1].ids
('repos', ('octo/hello',))

:func:`generate_corpus` makes a workload to run against them: input rows, the
corpus behind them (with confusers) and the truth for each row.

>>> from enrich.testing import generate_corpus
>>> work = generate_corpus(20, seed=1)
>>> len(work.inputs), len(work.truth.rows)
(20, 20)

From a shell: ``python -m enrich.testing serve --port 8765`` prints the three
``ENRICH_*_URL`` settings that point enrich at it; ``--write-inputs DIR``
writes the generated ``inputs.csv`` and ``truth.json`` there first.
"""

from enrich.testing._corpus import Corpus, FakeArxivEntry, FakeRepo, FakeS2Paper, Truth, TruthRow
from enrich.testing._faults import FAULT_KINDS, FaultConfig
from enrich.testing._generator import GeneratedWorkload, generate_corpus
from enrich.testing._log import RequestLogEntry
from enrich.testing._server import ConnectionFault, FakeServer, FakeServices

__all__ = [
    "FAULT_KINDS",
    "ConnectionFault",
    "Corpus",
    "FakeArxivEntry",
    "FakeRepo",
    "FakeS2Paper",
    "FakeServer",
    "FakeServices",
    "FaultConfig",
    "GeneratedWorkload",
    "RequestLogEntry",
    "Truth",
    "TruthRow",
    "generate_corpus",
]
