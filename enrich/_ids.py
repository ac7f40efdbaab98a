"""Identifier parsing shared by readers, adapters and the fake services.

Every function here is pure, total (returns ``None`` rather than raising on
garbage) and idempotent: feeding an output back in gives the same output.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = [
    "ArxivId",
    "arxiv_id_from_doi",
    "find_github_urls",
    "github_full_name",
    "normalize_arxiv_id",
    "normalize_doi",
    "normalize_github_url",
    "parse_arxiv_id",
]

# New-style ids (April 2007 on): YYMM.NNNN until 2014, YYMM.NNNNN from 2015.
_NEW_ID = r"(?P<new>\d{4}\.\d{4,5})"
# Old-style ids: archive, optional subject class, slash, YYMMNNN
# (astro-ph/0601001, math.GT/0309136, cond-mat/0603029).
_OLD_ID = r"(?P<old>[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2})?/\d{7})"
_VERSION = r"(?:v(?P<version>\d+))?"
_ID_BODY = rf"(?:{_NEW_ID}|{_OLD_ID}){_VERSION}"

# re.ASCII: without it IGNORECASE lets "İ", "K" (Kelvin) and "ſ" match [a-z], and
# \d matches any script's digits, so ids would not re-parse to themselves.
_BARE_ID_RE = re.compile(rf"^(?:arxiv:\s*)?{_ID_BODY}$", re.IGNORECASE | re.ASCII)
_URL_ID_RE = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/{_ID_BODY}"
    r"(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE | re.ASCII,
)
_ARXIV_DOI_RE = re.compile(rf"^10\.48550/arxiv\.{_ID_BODY}$", re.IGNORECASE | re.ASCII)

_DOI_PREFIX_RE = re.compile(
    r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/)", re.IGNORECASE
)
_DOI_RE = re.compile(r"10\.[0-9]{4,9}/\S+")
# Sentence punctuation and whitespace around a DOI in running text.
_DOI_TRAILING_RE = re.compile(r"[\s.,;)\]}>\"']+$")

_GITHUB_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.)?github\.com/"
    r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/"
    r"(?P<repo>[A-Za-z0-9._-]+)",
    re.IGNORECASE | re.ASCII,
)
# First path segments on github.com that are site pages, not users or orgs.
_GITHUB_RESERVED = frozenset(
    {
        "about", "apps", "blog", "collections", "contact", "customer-stories", "enterprise",
        "events", "explore", "features", "login", "marketplace", "orgs", "pricing", "pulls",
        "issues", "search", "security", "settings", "site", "sponsors", "topics", "trending",
        "users", "join", "notifications", "codespaces", "readme", "team",
    }
)  # fmt: skip


class ArxivId(NamedTuple):
    """An arXiv identifier split into its base id, optional version and subject class.

    ``id`` is always the canonical form arXiv's lookups answer to: an old-style
    id written with a subject class (``math.GT/0309136``) is ``math/0309136``,
    and the class is kept in ``subject`` (``"math.GT"``) as a category hint.
    ``str()`` gives the canonical id with its version.
    """

    id: str
    version: int | None
    #: the subject class an old-style id was written with (``math.GT``), else None
    subject: str | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def _plausible_new_id(new: str) -> bool:
    # Month 01-12; four-digit numbers until 1412, five-digit from 1501 (arXiv's
    # identifier scheme).  0808.05394 is well-formed but cannot exist.
    yymm, number = new.split(".")
    if not 1 <= int(yymm[2:]) <= 12:
        return False
    return (len(number) == 5) == (int(yymm) >= 1501)


def _plausible_old_number(number: str) -> bool:
    # YYMMNNN: August 1991 (9108) to March 2007 (0703), when new-style ids began.
    year, month = int(number[:2]), int(number[2:4])
    return 1 <= month <= 12 and (year >= 91 or year <= 7)


def _from_match(match: re.Match[str]) -> ArxivId | None:
    new = match.group("new")
    subject: str | None = None
    if new is not None:
        if not _plausible_new_id(new):
            return None
        base = new
    else:
        archive, number = match.group("old").split("/")
        if not _plausible_old_number(number):
            return None
        # arXiv files old-style papers under the archive alone: export.arxiv.org
        # answers id_list=math/0309136 but not math.GT/0309136, and S2 knows
        # ARXIV:math/0309136.  The subject class (upper case, as arXiv writes it)
        # survives as a category hint.
        name, _, subject_class = archive.partition(".")
        base = f"{name.lower()}/{number}"
        if subject_class:
            subject = f"{name.lower()}.{subject_class.upper()}"
    version = match.group("version")
    return ArxivId(base, int(version) if version else None, subject)


def parse_arxiv_id(text: str | None) -> ArxivId | None:
    """Parse any common spelling of an arXiv identifier.

    Accepts bare ids (``2106.09685``, ``2106.09685v2``, ``astro-ph/0601001``),
    ``arXiv:`` prefixes, abs/pdf/html URLs and DataCite DOIs
    (``10.48550/arXiv.2106.09685``). Returns ``None`` for anything else.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2106.09685v2.pdf")
    ArxivId(id='2106.09685', version=2, subject=None)
    """
    if text is None:
        return None
    candidate = text.strip()
    if not candidate:
        return None
    for pattern in (_BARE_ID_RE, _URL_ID_RE):
        match = pattern.match(candidate)
        if match:
            return _from_match(match)
    doi = normalize_doi(candidate)
    if doi is not None:
        match = _ARXIV_DOI_RE.match(doi)
        if match:
            return _from_match(match)
    return None


def normalize_arxiv_id(text: str | None) -> str | None:
    """The canonical version-less arXiv id in ``text``, or ``None``.

    >>> normalize_arxiv_id("arXiv:math.GT/0309136v2")
    'math/0309136'
    """
    parsed = parse_arxiv_id(text)
    return parsed.id if parsed else None


def normalize_doi(text: str | None) -> str | None:
    """A lower-cased bare DOI (``10.xxxx/...``) from a DOI, ``doi:`` or doi.org URL.

    DOIs are case-insensitive by definition, so lower-casing makes them comparable
    across services (Semantic Scholar sometimes returns them upper-cased).
    """
    if text is None:
        return None
    candidate = _DOI_PREFIX_RE.sub("", text.strip())
    candidate = _DOI_TRAILING_RE.sub("", candidate)
    # fullmatch, not match: "$" would also accept a trailing newline.
    if not _DOI_RE.fullmatch(candidate):
        return None
    return candidate.lower()


def arxiv_id_from_doi(doi: str | None) -> str | None:
    """The arXiv id behind an arXiv DataCite DOI (``10.48550/arXiv.<id>``)."""
    normalized = normalize_doi(doi)
    if normalized is None:
        return None
    match = _ARXIV_DOI_RE.match(normalized)
    parsed = _from_match(match) if match else None
    return parsed.id if parsed else None


def _clean_repo_name(repo: str) -> str | None:
    # Repeat until stable so that the output normalises to itself ("r.git.git",
    # "r.git." -> "r"); GitHub does not allow repository names ending in ".git".
    while True:
        cleaned = repo.rstrip(".,;:!?)]}>'\"")
        if cleaned.lower().endswith(".git"):
            cleaned = cleaned[:-4]
        if cleaned == repo:
            break
        repo = cleaned
    if not repo or repo in {".", ".."}:
        return None
    return repo


def _github_matches(text: str) -> list[re.Match[str]]:
    """Matches of github.com itself, not of "user.github.com" or "notgithub.com"."""
    return [
        match
        for match in _GITHUB_URL_RE.finditer(text)
        if match.start() == 0
        or not (text[match.start() - 1].isalnum() or text[match.start() - 1] in ".-")
    ]


def _url_from_match(match: re.Match[str]) -> str | None:
    owner = match.group("owner")
    if owner.lower() in _GITHUB_RESERVED:
        return None
    repo = _clean_repo_name(match.group("repo"))
    if repo is None:
        return None
    return f"https://github.com/{owner}/{repo}"


def normalize_github_url(text: str | None) -> str | None:
    """``https://github.com/owner/repo`` for any link into a GitHub repository.

    Drops ``.git``, trailing punctuation, ``/tree/...`` and other sub-paths,
    queries and fragments. Returns ``None`` for site pages and non-repo links.
    Case is kept as written (GitHub itself is case-insensitive).
    """
    if text is None:
        return None
    matches = _github_matches(text.strip())
    return _url_from_match(matches[0]) if matches else None


def github_full_name(url: str | None) -> str | None:
    """``owner/repo`` for a GitHub repository link, or ``None``."""
    normalized = normalize_github_url(url)
    if normalized is None:
        return None
    return normalized.removeprefix("https://github.com/")


def find_github_urls(text: str | None) -> list[str]:
    """Every distinct GitHub repository link in free text, in order of appearance."""
    if not text:
        return []
    found: list[str] = []
    seen: set[str] = set()
    for match in _github_matches(text):
        url = _url_from_match(match)
        if url is not None and url.lower() not in seen:
            seen.add(url.lower())
            found.append(url)
    return found
