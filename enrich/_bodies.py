"""What an answer's body says: usable or not, the service's own error text, valid Unicode.

Pure functions the client applies to every body before it is cached or parsed.
"""

from __future__ import annotations

import json
import re
from typing import Final

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from enrich._exceptions import ResponseError
from enrich._retry import Failure
from enrich._wire import Expect

__all__ = ["body_problem", "valid_unicode_json"]


def _looks_like_html(content: bytes, content_type: str) -> bool:
    if "html" in content_type.lower() and "xhtml" not in content_type.lower():
        return True
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return head.startswith((b"<!doctype html", b"<html"))


def body_problem(content: bytes, expect: Expect, content_type: str) -> Failure | None:
    """Why ``content`` is not a usable ``expect`` body, or None when it is.

    An HTML page (a proxy or captcha page served with status 200) gives reason
    "html"; a body that does not parse gives "truncated", by far its most common
    cause (a connection cut mid-body behind a proxy that had sent the headers).
    XML with a DTD or entities gives "refused", which is not retried.
    """
    if expect == "any":
        return None
    if _looks_like_html(content, content_type):
        return Failure("html", ResponseError, f"expected {expect.upper()}, got an HTML page")
    try:
        if expect == "json":
            json.loads(content)
        else:
            SafeET.fromstring(content, forbid_dtd=True)
    except DefusedXmlException as exc:
        # An entity bomb or an external entity is an attack or a broken proxy, not
        # a cut connection: asking again would only fetch it again.
        return Failure(
            "refused",
            ResponseError,
            f"refused XML with a DTD or entities ({type(exc).__name__})",
            cause=exc,
            retryable=False,
        )
    except Exception as exc:  # json, expat and defusedxml each raise their own
        return Failure(
            "truncated",
            ResponseError,
            f"body is not valid {expect.upper()}, truncated or corrupt ({type(exc).__name__})",
            cause=exc,
        )
    return None


# In valid JSON a backslash only starts an escape, so matching escapes left to right
# keeps their parity ("\\ud800" is text, not an escape): a whole UTF-16 pair, a
# lone half, or any other escape, in that order of preference.
_ESCAPE_RE: Final = re.compile(
    rb"(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})"
    rb"|\\.",
    re.DOTALL,
)
# The UTF-8 bytes of a surrogate (ED A0-BF xx), which json.loads lets through.
_RAW_SURROGATE_RE: Final = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
_REPLACEMENT: Final = "\ufffd".encode()


def _lone_half_replaced(match: re.Match[bytes]) -> bytes:
    return b"\\ufffd" if match.group(2) is not None else match.group(0)


def valid_unicode_json(content: bytes) -> bytes:
    r"""``content`` (valid JSON) with every lone surrogate in its strings made U+FFFD.

    JSON may escape half of a UTF-16 pair (``"\ud800"``); Python decodes it to
    a string that no UTF-8 writer (Polars, Parquet, the cache) accepts.  Works
    on the bytes, so any nesting depth is fine.

    >>> valid_unicode_json(b'{"title": "x\\ud800y", "ok": "\\ud83d\\ude00 \\\\ud800"}')
    b'{"title": "x\\ufffdy", "ok": "\\ud83d\\ude00 \\\\ud800"}'
    """
    if b"\\ud" in content or b"\\uD" in content:
        content = _ESCAPE_RE.sub(_lone_half_replaced, content)
    if b"\xed" in content:
        content = _RAW_SURROGATE_RE.sub(_REPLACEMENT, content)
    return content
