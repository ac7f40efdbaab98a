"""Saved Hugging Face "Daily Papers" pages (the text a browser's "save as text" gives).

Two layouts occur in the wild:

* **cards**: blocks separated by blank lines: the title, the abstract, then an
  optional footer of three lines: either ``"  • 13 authors"`` or an
  organisation line (the avatar's alt text, a space, the organisation's display
  name: ``"stanfordnlp Stanford NLP"``), then ``"·"``, then the date the paper
  was listed (``"Jan 4"``, ``"Apr 6, 2024"``) optionally followed by the upvote
  count (``"Feb 1, 2024 1"``). Some cards have no footer at all.
* **flat**: title and abstract on alternate lines, no blank lines, no footer.

Page chrome ("new", "Get trending papers in your email inbox!", "Subscribe",
"Daily Papers", "byAK and the research community" and the page's own date) is
dropped; in the flat layout "Subscribe" can be glued to the first title.

Years: the site prints a date without its year when it falls in the current
year, and with it otherwise.  So on a page showing ``"Dec 30, 2025"`` the
current year is at least 2026, and a card date ``"Jan 26"`` is taken as
2026-01-26: the year inferred for yearless dates is **the latest year printed
on the same page plus one**, and ``listed_year_inferred`` is set.  (The seeds
confirm the rule: a paper listed ``"Jul 25"`` on a page whose latest printed
year is 2024 is listed ``"Jul 25, 2025"`` on a later page.)  The inference is
refused, leaving ``listed_date`` empty but ``listed_date_text`` kept, when the
page prints no year at all, when the date does not exist in that year (Feb 29)
or when it would fall after the page's own date in that year (the page cannot
list a paper from its future, so the premise is wrong).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from enrich._inputs._common import MAX_LINE_CHARS, Parsed, clean, github_links, origin
from enrich._inputs._decode import split_lines
from enrich._models import Paper

__all__ = ["looks_like_daily", "parse_daily"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE_RE = re.compile(
    rf"^(?P<month>{'|'.join(_MONTHS)}) (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?"
    r"(?: (?P<upvotes>\d+(?:\.\d+)?k?))?$"
)
_AUTHORS_RE = re.compile(r"^(?:[•·]\s*)?(?P<count>\d+) authors?$")
_DOT = "·"
_CHROME_RE = re.compile(
    r"^(?:new|subscribe|daily papers|byak and the research community"
    r"|get trending papers in your email inbox(?: once a day)?!?)$",
    re.IGNORECASE,
)
# "SubscribeExplaining How Transformers ...": the button text glued to the first title.
_GLUED_SUBSCRIBE_RE = re.compile(r"^Subscribe(?=[A-Z0-9\"'(\[])")
# An abstract is long; a title that is followed by one is short.
_ABSTRACT_MIN_CHARS = 200


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def _nonblank(text: str) -> list[_Line]:
    return [
        _Line(number, line.strip())
        for number, line in enumerate(split_lines(text), start=1)
        if line.strip()
    ]


def looks_like_daily(text: str) -> bool:
    """True when ``text`` reads like a saved Daily Papers page rather than a list.

    Either the page chrome is there, or card footers (``"· "`` lines followed
    by a date, ``"N authors"``), or the flat layout's rhythm: at least a third
    of the lines are abstract-long and they alternate with short title lines.
    """
    lines = _nonblank(text[:200_000])
    if not lines:
        return False
    head = [line.text for line in lines[:12]]
    if any(_CHROME_RE.match(t) and t.lower() != "new" for t in head):
        return True
    if any(_GLUED_SUBSCRIBE_RE.match(t) for t in head[:4]):
        return True
    texts = [line.text for line in lines]
    footers = sum(
        1
        for i, t in enumerate(texts[:-1])
        if (t == _DOT and _DATE_RE.match(texts[i + 1])) or _AUTHORS_RE.match(t)
    )
    if footers >= 2:
        return True
    long_lines = [i for i, t in enumerate(texts) if len(t) >= _ABSTRACT_MIN_CHARS]
    if len(texts) < 4 or len(long_lines) * 3 < len(texts):
        return False
    alternating = sum(1 for i in long_lines if i > 0 and len(texts[i - 1]) < _ABSTRACT_MIN_CHARS)
    return alternating * 10 >= len(long_lines) * 8


def _strip_chrome(lines: list[_Line]) -> tuple[list[_Line], tuple[int, int] | None]:
    """The card lines, and the page's own (month, day) when its header shows one."""
    header: tuple[int, int] | None = None
    seen_chrome = False
    for index, line in enumerate(lines):
        if _CHROME_RE.match(line.text):
            seen_chrome = True
            continue
        glued = _GLUED_SUBSCRIBE_RE.match(line.text)
        if glued:
            rest = _Line(line.number, line.text[glued.end() :])
            return [rest, *lines[index + 1 :]], header
        match = _DATE_RE.match(line.text)
        if seen_chrome and header is None and match and not match["year"] and not match["upvotes"]:
            header = (_MONTHS.index(match["month"]) + 1, int(match["day"]))
            continue
        return lines[index:], header
    return [], header


def _upvotes(text: str | None) -> int | None:
    if text is None:
        return None
    if text.endswith("k"):
        return round(float(text[:-1]) * 1000)
    return int(float(text))


@dataclass
class _Card:
    title: _Line
    abstract: str | None = None
    authors_count: int | None = None
    organization: str | None = None
    date: re.Match[str] | None = None
    date_text: str | None = None


def _split_cards(lines: list[_Line]) -> list[_Card]:
    cards: list[_Card] = []
    texts = [line.text for line in lines]
    n = len(lines)

    def footer_starts(i: int) -> bool:
        return i < n and (
            texts[i] == _DOT
            or bool(_AUTHORS_RE.match(texts[i]))
            or (i + 1 < n and texts[i + 1] == _DOT)
        )

    i = 0
    while i < n:
        if _CHROME_RE.match(texts[i]) or footer_starts(i):
            # Stray chrome, or a footer whose card head was lost: nothing to keep.
            i += 1
            continue
        card = _Card(lines[i])
        i += 1
        next_is_title = (
            i + 1 < n
            and len(texts[i]) < _ABSTRACT_MIN_CHARS
            and len(texts[i + 1]) >= _ABSTRACT_MIN_CHARS
            and len(card.title.text) < _ABSTRACT_MIN_CHARS
        )
        if i < n and not footer_starts(i) and not next_is_title:
            card.abstract = texts[i]
            i += 1
        if i < n and (match := _AUTHORS_RE.match(texts[i])):
            card.authors_count = int(match["count"])
            i += 1
        elif i + 1 < n and texts[i] != _DOT and texts[i + 1] == _DOT:
            _, _, name = texts[i].partition(" ")
            card.organization = clean(name) or texts[i]
            i += 1
        if i < n and texts[i] == _DOT:
            i += 1
            if i < n and (match := _DATE_RE.match(texts[i])):
                card.date = match
                card.date_text = texts[i] if not match["upvotes"] else texts[i].rsplit(" ", 1)[0]
                i += 1
        cards.append(card)
    return cards


def _listed_date(
    match: re.Match[str], current_year: int | None, header: tuple[int, int] | None
) -> tuple[dt.date | None, bool]:
    month, day = _MONTHS.index(match["month"]) + 1, int(match["day"])
    try:
        if match["year"]:
            return dt.date(int(match["year"]), month, day), False
        if current_year is None:
            return None, False
        inferred = dt.date(current_year, month, day)
    except ValueError:
        return None, False
    if header is not None and (month, day) > header:
        return None, False
    return inferred, True


def parse_daily(text: str, name: str) -> Parsed:
    """Read a saved Daily Papers page (either layout) into papers.

    Each card becomes one :class:`Paper` with its title, abstract, GitHub links
    found in the abstract, author count or organisation, listed date and
    upvotes; its origin is ``name:<line of the title>``.  See the module
    docstring for the layouts and the year-inference rule.
    """
    result = Parsed()
    usable: list[_Line] = []
    for line in _nonblank(text):
        if "\x00" in line.text:
            result.skip(origin(name, line.number), "NUL byte in line")
        elif len(line.text) > MAX_LINE_CHARS:
            result.skip(
                origin(name, line.number),
                f"line too long ({len(line.text):,} characters; limit {MAX_LINE_CHARS:,})",
            )
        else:
            usable.append(line)
    lines, header = _strip_chrome(usable)
    cards = _split_cards(lines)
    years = [int(card.date["year"]) for card in cards if card.date and card.date["year"]]
    current_year = max(years) + 1 if years else None
    for card in cards:
        listed, inferred = (None, False)
        upvotes = None
        if card.date is not None:
            listed, inferred = _listed_date(card.date, current_year, header)
            upvotes = _upvotes(card.date["upvotes"])
        result.papers.append(
            Paper(
                title=clean(card.title.text),
                abstract=clean(card.abstract),
                code_urls=github_links(card.abstract),
                authors_count=card.authors_count,
                organization=card.organization,
                listed_date=listed,
                listed_date_text=card.date_text,
                listed_year_inferred=inferred,
                upvotes=upvotes,
                origins=(origin(name, card.title.number),),
            )
        )
    return result
