"""Plain-text lists: one arXiv id, DOI, GitHub link or title per line.

Also home of :func:`paper_from_item`, which the list-of-strings input and the
tabular readers' bare-string cells use too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from enrich._ids import normalize_doi, normalize_github_url, parse_arxiv_id
from enrich._inputs._common import MAX_LINE_CHARS, Parsed, Skipped, clean, origin
from enrich._inputs._decode import split_lines
from enrich._models import Paper

__all__ = ["RejectedItemError", "identify", "iter_text", "paper_from_item", "parse_text"]

# huggingface.co/papers/<id> pages are keyed by the bare arXiv id.
_HF_PAPER_RE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/papers/"
    r"(?P<id>\d{4}\.\d{4,5}(?:v\d+)?)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_GITHUB_PREFIX_RE = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/", re.IGNORECASE)
_URL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S*$", re.IGNORECASE)
_BULLET_RE = re.compile(r"^[-*•]\s+")
_COMMENT_RE = re.compile(r"\s+#.*$")
_TITLE_SEPARATOR_RE = re.compile(r"^[\s:|,;–—-]+")


class RejectedItemError(ValueError):
    """An item that is neither an identifier nor a usable title; the message says why."""


def identify(text: str) -> dict[str, object] | None:
    """Paper fields for a string that is entirely one identifier, else ``None``.

    Recognises arXiv ids and URLs (abs/pdf/html, ``arXiv:`` prefix, old and new
    style), Hugging Face paper pages, DOIs and doi.org URLs (an arXiv DataCite
    DOI gives both ``doi`` and ``arxiv_id``) and GitHub repository links.
    """
    candidate = text.strip()
    if not candidate:
        return None
    doi = normalize_doi(candidate)
    parsed = parse_arxiv_id(candidate)
    if parsed is None:
        match = _HF_PAPER_RE.match(candidate)
        if match:
            parsed = parse_arxiv_id(match.group("id"))
    if parsed is not None:
        return {"arxiv_id": parsed.id, "arxiv_version": parsed.version, "doi": doi}
    if doi is not None:
        return {"doi": doi}
    if _GITHUB_PREFIX_RE.match(candidate):
        url = normalize_github_url(candidate)
        if url is not None:
            return {"code_urls": (url,)}
    return None


def paper_from_item(text: str, where: str) -> Paper:
    """One :class:`Paper` from one free-form item (a line of a list, a string cell).

    The whole item is tried as an identifier, then with a trailing ``# comment``
    removed, then as ``<identifier> <title>``; anything else that is not a bare
    link is a title.

    Raises:
        RejectedItemError: NUL bytes, more than :data:`MAX_LINE_CHARS` characters,
            nothing but whitespace, or a link that is not arXiv, DOI or GitHub.
    """
    if "\x00" in text:
        raise RejectedItemError("NUL byte in line")
    if len(text) > MAX_LINE_CHARS:
        raise RejectedItemError(
            f"line too long ({len(text):,} characters; limit {MAX_LINE_CHARS:,})"
        )
    stripped = _BULLET_RE.sub("", text.strip())
    if not stripped:
        raise RejectedItemError("empty item")
    fields = identify(stripped)
    if fields is None:
        without_comment = _COMMENT_RE.sub("", stripped)
        if without_comment != stripped:
            fields = identify(without_comment)
    if fields is None:
        head, _, rest = stripped.partition(" ")
        head_fields = identify(head) if rest.strip() else None
        if head_fields is not None and "code_urls" not in head_fields:
            fields = {**head_fields, "title": clean(_TITLE_SEPARATOR_RE.sub("", rest))}
    if fields is None:
        if _URL_RE.match(stripped):
            raise RejectedItemError(
                f"unrecognised link (not arXiv, DOI or GitHub): {stripped[:80]}"
            )
        fields = {"title": clean(stripped)}
    return Paper.model_validate({**fields, "origins": (where,)})


def iter_text(text: str, name: str) -> Iterator[Paper | Skipped]:
    """Read a plain-text list; ``#`` lines and blank lines are ignored.

    Every other line becomes one paper (see :func:`paper_from_item`) with origin
    ``name:line``; a line that cannot be used is yielded as a skip, in line order.
    """
    for number, line in enumerate(split_lines(text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = origin(name, number)
        try:
            yield paper_from_item(line, where)
        except RejectedItemError as exc:
            yield Skipped(where, " ".join(str(exc).split()))


def parse_text(text: str, name: str) -> Parsed:
    """:func:`iter_text`, collected into one :class:`Parsed`."""
    result = Parsed()
    for item in iter_text(text, name):
        if isinstance(item, Paper):
            result.papers.append(item)
        else:
            result.skipped.append(item)
    return result
