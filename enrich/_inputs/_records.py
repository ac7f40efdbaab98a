"""One row of a table (CSV, JSON, Parquet, a DataFrame) to one :class:`Paper`.

Column names are matched case-insensitively, with spaces, dots and hyphens read
as underscores (``"Code URL"`` is ``code_url``); unknown columns are ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from enrich._ids import arxiv_id_from_doi, normalize_doi, parse_arxiv_id
from enrich._inputs._common import clean, github_links
from enrich._inputs._text import RejectedItemError, identify
from enrich._models import Paper

__all__ = ["ALIASES", "map_columns", "paper_from_record", "record_columns"]

#: Field -> the column names that feed it (after case folding and ``_`` for separators).
ALIASES: Final[dict[str, frozenset[str]]] = {
    "title": frozenset({"title", "paper_title", "paper"}),
    "arxiv": frozenset({"arxiv_id", "arxiv", "arxivid", "eprint", "arxiv_url", "arxiv_link"}),
    "doi": frozenset({"doi", "doi_url"}),
    "code": frozenset(
        {"github", "code", "code_url", "code_urls", "repo", "repository", "repo_url",
         "github_url", "github_repo"}
    ),
    "url": frozenset({"url", "urls", "link", "links", "pdf_url"}),
    "abstract": frozenset({"abstract", "summary"}),
    "authors": frozenset({"authors", "author"}),
    "year": frozenset({"year"}),
    "upvotes": frozenset({"upvotes"}),
    # The rest of Paper's own columns, so a table written from papers_to_frame reads back.
    "arxiv_version": frozenset({"arxiv_version"}),
    "authors_count": frozenset({"authors_count"}),
    "organization": frozenset({"organization", "organisation"}),
    "listed_date": frozenset({"listed_date"}),
    "listed_date_text": frozenset({"listed_date_text"}),
    "listed_year_inferred": frozenset({"listed_year_inferred"}),
}  # fmt: skip

_SEPARATORS_RE = re.compile(r"[\s.\-]+")
_MULTI_URL_RE = re.compile(r"[\s;,|]+")
_AUTHOR_AND_RE = re.compile(r"\s+and\s+")
_OWNER_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")
_LEADING_INT_RE = re.compile(r"^(\d+)\b")


def _column_key(name: object) -> str:
    return _SEPARATORS_RE.sub("_", str(name).strip().casefold())


def map_columns(columns: Iterable[object]) -> dict[str, Any]:
    """Field name -> the first column that feeds it, for the columns we recognise."""
    found: dict[str, Any] = {}
    for column in columns:
        key = _column_key(column)
        for field, aliases in ALIASES.items():
            if key in aliases and field not in found:
                found[field] = column
    return found


def _scalar(value: Any) -> Any:
    """Plain Python for NaN/NA/numpy values: ``None`` for missing, ``.item()`` for numpy."""
    if value is None or isinstance(value, bool | int | str | dt.date):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, list | tuple):
        return [_scalar(v) for v in value]
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, polars Series
    if callable(tolist):
        return _scalar(tolist())
    if type(value).__name__ in {"NAType", "NaTType"}:  # pandas missing markers
        return None
    return value


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    text = clean(str(value))
    return [text] if text else []


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, list | dict):
        return None
    return clean(str(value))


def _int(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            match = _LEADING_INT_RE.match(text)  # "2021-05-01", "12 upvotes"
            value = int(match.group(1)) if match else None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    if not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _arxiv_from_number(value: float) -> str:
    # Spreadsheets turn 2106.09680 into the float 2106.0968; the id scheme tells
    # how many digits were there (4 until 1412, 5 from 1501).
    return f"{value:.5f}" if int(value) >= 1501 else f"{value:.4f}"


def _unique(urls: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept: list[str] = []
    for url in urls:
        if url.lower() not in seen:
            seen.add(url.lower())
            kept.append(url)
    return tuple(kept)


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_strings(value))
    text = _text(value)
    if text is None:
        return ()
    parts = text.split(";") if ";" in text else _AUTHOR_AND_RE.split(text)
    return tuple(name for part in parts if (name := clean(part)))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in {"true", "1", "yes"}
    return bool(value)


def paper_from_record(record: Mapping[Any, Any], columns: Mapping[str, Any], where: str) -> Paper:
    """A :class:`Paper` from one row, given the :func:`map_columns` mapping.

    ``url``-like columns feed ``arxiv_id``/``doi`` when they hold arXiv or DOI
    links and ``code_urls`` when they hold GitHub links; code columns accept
    ``owner/repo`` shorthands too.

    Raises:
        RejectedItemError: the row has no title, arXiv id, DOI or GitHub link.
    """

    def get(field: str) -> Any:
        return _scalar(record.get(columns[field])) if field in columns else None

    fields: dict[str, Any] = {"origins": (where,)}
    problems: list[str] = []
    fields["title"] = _text(get("title"))
    fields["abstract"] = _text(get("abstract"))

    raw_arxiv = get("arxiv")
    if isinstance(raw_arxiv, float):
        raw_arxiv = _arxiv_from_number(raw_arxiv)
    arxiv_text = _text(raw_arxiv)
    if arxiv_text:
        parsed = parse_arxiv_id(arxiv_text)
        if parsed is None:
            problems.append(f"unrecognised arXiv id {arxiv_text[:40]!r}")
        else:
            fields["arxiv_id"], fields["arxiv_version"] = parsed.id, parsed.version
    doi_text = _text(get("doi"))
    if doi_text:
        doi = normalize_doi(doi_text)
        if doi is None:
            problems.append(f"unrecognised DOI {doi_text[:40]!r}")
        else:
            fields["doi"] = doi
            fields.setdefault("arxiv_id", arxiv_id_from_doi(doi))

    code: list[str] = []
    for value in _strings(get("code")):
        if _OWNER_REPO_RE.match(value):
            value = f"https://github.com/{value}"
        code.extend(github_links(value))
    for value in _strings(get("url")):
        for token in _MULTI_URL_RE.split(value):
            found = identify(token) if token else None
            if not found:
                continue
            for key in ("arxiv_id", "arxiv_version", "doi"):
                if found.get(key) is not None and fields.get(key) is None:
                    fields[key] = found[key]
            urls = found.get("code_urls")
            if isinstance(urls, tuple):
                code.extend(str(url) for url in urls)
    fields["code_urls"] = _unique(code)

    authors = _authors(get("authors"))
    fields["authors"] = authors
    # An explicit count wins: an author list is often cut short ("... and others").
    fields["authors_count"] = _int(get("authors_count"), 0, 100_000) or (len(authors) or None)
    fields["year"] = _int(get("year"), 1000, 2999)
    fields["upvotes"] = _int(get("upvotes"), 0, 10**9)
    if fields.get("arxiv_version") is None:
        fields["arxiv_version"] = _int(get("arxiv_version"), 1, 1000)
    fields["organization"] = _text(get("organization"))
    fields["listed_date"] = _date(get("listed_date"))
    fields["listed_date_text"] = _text(get("listed_date_text"))
    fields["listed_year_inferred"] = _bool(get("listed_year_inferred"))

    if not (fields["title"] or fields.get("arxiv_id") or fields.get("doi") or fields["code_urls"]):
        detail = "; ".join(problems) if problems else "no title, arXiv id, DOI or GitHub link"
        raise RejectedItemError(detail)
    return Paper.model_validate(fields)


def record_columns(records: Sequence[Mapping[Any, Any]]) -> list[object]:
    """Every key used by any record, in first-seen order."""
    seen: dict[object, None] = {}
    for record in records:
        seen.update(dict.fromkeys(record))
    return list(seen)
