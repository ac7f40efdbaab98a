"""Keeping credentials out of everything enrich writes: messages, URLs and logs.

:func:`redact_url` drops user info and secret-looking query parameters,
:func:`scrub` replaces known secret values, and :class:`ScrubSecrets` is the
log filter the :class:`~enrich.Client` installs on :data:`SCRUBBED_LOGGERS`
while it holds a credential (``GITHUB_TOKEN``, ``S2_API_KEY``, ``HF_TOKEN``).
"""

from __future__ import annotations

import logging
import re
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["SCRUBBED_LOGGERS", "ScrubSecrets", "redact_url", "scrub"]

# Query parameter names (split on "_", "-", ".") that mark a credential: api_key,
# access_token, client_secret, sig ...; "author" or "keywords" are left alone.
_SECRET_PARAM_WORDS: Final = frozenset(
    {"key", "apikey", "token", "secret", "password", "passwd", "sig", "signature", "auth"}
)


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    """``url`` without user info and secret-looking query parameters.

    >>> redact_url("https://u:p@example.org/x?q=1&api_key=abc")
    'https://example.org/x?q=1'
    """
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:  # unparseable: keep only what precedes the query
        return scrub(url.partition("?")[0].rpartition("@")[2], secrets)
    netloc = parts.netloc.rpartition("@")[2]
    query = [(k, v) for k, v in pairs if not _is_secret_param(k)]
    clean = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))
    return scrub(clean, secrets)


def _is_secret_param(name: str) -> bool:
    return not _SECRET_PARAM_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", name.lower()))


#: Loggers that print what a service sent: httpx logs each URL (after redirects) at
#: INFO, httpcore each response's headers at DEBUG; enrich's own for good measure.
SCRUBBED_LOGGERS: Final = (
    "enrich",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class ScrubSecrets(logging.Filter):
    """Replaces the client's credentials in every log record of :data:`SCRUBBED_LOGGERS`.

    A service may echo a credential in a header or redirect to a URL that holds
    it (seen with misconfigured proxies); ``enrich -vv`` must not print it.
    """

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
