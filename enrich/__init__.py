"""enrich: resolve lists of papers against arXiv, Semantic Scholar, GitHub and the Hugging Face Hub.

>>> import enrich
>>> table = enrich.enrich("examples/papers.txt", replay="cassettes/example.yaml")  # doctest: +SKIP
"""

import logging

from enrich._api import EnrichResult, enrich, enrich_result, read_papers
from enrich._client import Client
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
    SourceUnavailableError,
    TransportError,
)
from enrich._models import ArxivRecord, GitHubRecord, HFRecord, Paper, S2Record
from enrich._schema import OUTPUT_SCHEMA
from enrich._snapshot import build_snapshot
from enrich._stats import SourceStats
from enrich._version import __version__

# A library leaves logging to the application: without this, Python's last-resort
# handler would print enrich's warnings to stderr in scripts that configure none.
logging.getLogger("enrich").addHandler(logging.NullHandler())

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
    "HFRecord",
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
    "SourceUnavailableError",
    "TransportError",
    "__version__",
    "build_snapshot",
    "enrich",
    "enrich_result",
    "read_papers",
]
