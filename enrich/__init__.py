"""enrich: resolve lists of papers against arXiv, Semantic Scholar and GitHub.

>>> import enrich
>>> table = enrich.enrich("examples/papers.txt", replay="cassettes/example.yaml")  # doctest: +SKIP
"""

from enrich._api import EnrichResult, enrich, enrich_result, read_papers
from enrich._client import Client, SourceStats
from enrich._config import SOURCES, Settings
from enrich._exceptions import (
    AuthError,
    CacheError,
    Cancelled,
    ClientError,
    ConfigError,
    EnrichError,
    InputError,
    NotFoundError,
    RateLimitError,
    ReplayError,
    ResponseError,
    ServerError,
    SourceError,
    TransportError,
)
from enrich._models import ArxivRecord, GitHubRecord, Paper, S2Record
from enrich._schema import OUTPUT_SCHEMA
from enrich._snapshot import build_snapshot
from enrich._version import __version__

__all__ = [
    "OUTPUT_SCHEMA",
    "SOURCES",
    "ArxivRecord",
    "AuthError",
    "CacheError",
    "Cancelled",
    "Client",
    "ClientError",
    "ConfigError",
    "EnrichError",
    "EnrichResult",
    "GitHubRecord",
    "InputError",
    "NotFoundError",
    "Paper",
    "RateLimitError",
    "ReplayError",
    "ResponseError",
    "S2Record",
    "ServerError",
    "Settings",
    "SourceError",
    "SourceStats",
    "TransportError",
    "__version__",
    "build_snapshot",
    "enrich",
    "enrich_result",
    "read_papers",
]
