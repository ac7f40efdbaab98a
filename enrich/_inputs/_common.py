"""Small pieces shared by every reader: the skip record, a reader's result, text cleanup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from enrich._ids import find_github_urls, normalize_github_url
from enrich._models import Paper

__all__ = ["MAX_LINE_CHARS", "Parsed", "Skipped", "clean", "github_links", "origin"]

_SCHEMED_GITHUB_RE = re.compile(r"https?://(?:www\.)?github\.com/\S+", re.IGNORECASE)

#: Longer lines are refused by the line-based readers: no title or identifier is
#: anywhere near this long, so such a line is a pasted blob or a binary fragment.
MAX_LINE_CHARS = 10_000


@dataclass(frozen=True)
class Skipped:
    """One input line, row, entry or whole file that was not read.

    Attributes:
        origin: ``"file:line"`` for a line or row, ``"file"`` for a whole file.
        reason: one line saying why, e.g. ``"malformed CSV row: expected 3 fields, got 2"``.
    """

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class Parsed:
    """What one reader got out of one source."""

    papers: list[Paper] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(Skipped(where, " ".join(reason.split())))


def origin(name: str, line: int) -> str:
    return f"{name}:{line}"


def clean(text: str | None) -> str | None:
    """Whitespace runs collapsed to one space; ``None`` for empty text."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed or None


def github_links(text: str | None) -> tuple[str, ...]:
    """Every distinct GitHub repository link in ``text``, in order of appearance.

    :func:`~enrich._ids.find_github_urls` ignores a link glued to a preceding
    word ("...on GitHub.https://github.com/a/b", seen in a Daily Papers
    abstract) because it guards against ``user.github.com``; a link that spells
    out its scheme cannot be a subdomain, so those are added back here.
    """
    if not text:
        return ()
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    for url in find_github_urls(text):
        seen.add(url.lower())
        found.append((text.lower().find(url.lower().removeprefix("https://")), url))
    for match in _SCHEMED_GITHUB_RE.finditer(text):
        link = normalize_github_url(match.group(0))
        if link is not None and link.lower() not in seen:
            seen.add(link.lower())
            found.append((match.start(), link))
    return tuple(url for _, url in sorted(found, key=lambda item: item[0]))
