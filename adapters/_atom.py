"""Pure parsing of arXiv's Atom feeds, current (2025+) and classic formats alike.

Elements are found by namespace URI, never by prefix or position: the classic
format re-declares ``xmlns:arxiv`` on every element, the current one once on
``<feed>``.  The XML parser is defusedxml's with DTDs forbidden, so entity
expansion and external entities are refused rather than resolved.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from enrich._exceptions import ResponseError
from enrich._ids import normalize_arxiv_id, normalize_doi
from enrich._models import ArxivRecord

__all__ = ["ArxivFeed", "parse_feed"]

ATOM: Final = "{http://www.w3.org/2005/Atom}"
OPENSEARCH: Final = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV: Final = "{http://arxiv.org/schemas/atom}"

# <entry><id> is always http://arxiv.org/abs/<id>v<N>; old-style ids keep their
# archive (astro-ph/0601001v1), so only a trailing vN is the version.
_ABS_RE = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?:v(?P<version>\d+))?/?$", re.IGNORECASE)
# Error entries: <id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id>
_ERROR_ID_MARK: Final = "api/errors#"


@dataclass(frozen=True, slots=True)
class ArxivFeed:
    """One parsed feed.

    Attributes:
        records: the paper entries, in feed order (which is NOT the id_list order).
        errors: the messages of arXiv's Error entries (e.g. "incorrect id format for abc").
        total_results: ``opensearch:totalResults`` (the whole result set, not the page).
    """

    records: list[ArxivRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    total_results: int | None = None


def parse_feed(content: bytes) -> ArxivFeed:
    """Parse an arXiv API answer (raw bytes, UTF-8) into records and errors.

    Error entries (arXiv's HTTP 400 answer to a malformed id is still a feed)
    go to ``errors``; unknown ids simply have no entry.

    Raises:
        ResponseError: the body is not XML, is not an Atom feed, or declares a
            DTD or entities (refused, never expanded).

    >>> feed = parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"/>')
    >>> feed.records, feed.errors
    ([], [])
    """
    try:
        root = fromstring(content, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ResponseError(
            f"refused XML with a DTD or entities ({type(exc).__name__})", source="arxiv"
        ) from exc
    except (ParseError, ValueError) as exc:
        raise ResponseError(f"answer is not XML: {exc}", source="arxiv") from exc
    if root.tag != f"{ATOM}feed":
        raise ResponseError(f"answer is not an Atom feed (root {root.tag!r})", source="arxiv")

    records: list[ArxivRecord] = []
    errors: list[str] = []
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        title = _text(entry, f"{ATOM}title")
        if _is_error(entry_id, title):
            errors.append(_error_message(entry, entry_id))
            continue
        record = _parse_entry(entry, entry_id, title)
        if record is None:
            errors.append(f"entry without a usable arXiv id: {entry_id!r}")
        else:
            records.append(record)
    return ArxivFeed(
        records=records,
        errors=errors,
        total_results=_int(_text(root, f"{OPENSEARCH}totalResults")),
    )


def _parse_entry(entry: Element, entry_id: str | None, title: str | None) -> ArxivRecord | None:
    if entry_id is None:
        return None
    match = _ABS_RE.search(entry_id)
    if match is None:
        return None
    raw_id = match.group("id")
    version = match.group("version")
    authors = tuple(
        name
        for author in entry.iter(f"{ATOM}author")
        if (name := _text(author, f"{ATOM}name")) is not None
    )
    categories: list[str] = []
    for category in entry.iter(f"{ATOM}category"):
        term = _clean(category.get("term"))
        if term is not None and term not in categories:
            categories.append(term)
    primary = entry.find(f"{ARXIV}primary_category")
    return ArxivRecord(
        arxiv_id=normalize_arxiv_id(raw_id) or raw_id,
        version=int(version) if version is not None else None,
        # The legacy API omitted <title> for the paper titled "0" (arxiv.py #71):
        # a missing title is "", never a reason to drop the entry.
        title=title if title is not None else "",
        abstract=_text(entry, f"{ATOM}summary"),
        authors=authors,
        published=_datetime(_text(entry, f"{ATOM}published")),
        updated=_datetime(_text(entry, f"{ATOM}updated")),
        categories=tuple(categories),
        primary_category=_clean(primary.get("term")) if primary is not None else None,
        doi=_doi(_text(entry, f"{ARXIV}doi")),
        journal_ref=_text(entry, f"{ARXIV}journal_ref"),
        comment=_text(entry, f"{ARXIV}comment"),
    )


def _is_error(entry_id: str | None, title: str | None) -> bool:
    # A real paper could be titled "Error"; it would still have an abs id.
    if entry_id is not None and _ERROR_ID_MARK in entry_id:
        return True
    return title == "Error" and (entry_id is None or _ABS_RE.search(entry_id) is None)


def _error_message(entry: Element, entry_id: str | None) -> str:
    summary = _text(entry, f"{ATOM}summary")
    if summary is not None:
        return summary
    if entry_id is not None and "#" in entry_id:
        return entry_id.rsplit("#", 1)[1].replace("_", " ")
    return "arXiv reported an error"


def _clean(text: str | None) -> str | None:
    """Whitespace collapsed (legacy titles are hard-wrapped); None when nothing is left."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned if cleaned != "" else None


def _text(parent: Element, tag: str) -> str | None:
    child = parent.find(tag)
    return _clean(child.text) if child is not None else None


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _datetime(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _doi(text: str | None) -> str | None:
    # Authors sometimes list several DOIs separated by spaces; keep the first valid one.
    if text is None:
        return None
    for token in text.split():
        doi = normalize_doi(token)
        if doi is not None:
            return doi
    return None
