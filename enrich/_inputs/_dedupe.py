"""Merging the same paper listed several times (within one input or across inputs).

Two listings are the same paper when they share an arXiv id; else when they
share a DOI and do not name two different arXiv ids; else when their titles
normalise equal (:func:`~enrich._match.normalize_title`) and at least one of the
two carries no identifier at all, so two different ids are never merged on a
title.  A listing with nothing but a GitHub link is merged with another that
has the same single link and no title or id either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from enrich._match import normalize_title
from enrich._models import Paper

__all__ = ["Deduper", "absorb", "dedupe"]

_FIRST_WINS = (
    "title",
    "arxiv_id",
    "arxiv_version",
    "doi",
    "authors",
    "authors_count",
    "organization",
    "year",
)


def _has_ids(fields: dict[str, Any]) -> bool:
    return bool(fields["arxiv_id"] or fields["doi"])


def _truncated(text: str) -> bool:
    return text.endswith(("...", "…"))


def _absorb(kept: dict[str, Any], new: Paper) -> None:
    """Fold ``new`` into ``kept``: first non-empty value wins, with three refinements.

    Code links and origins are unioned in order; upvotes take the maximum; a
    listed date whose year was shown beats one whose year was inferred; and a
    complete abstract replaces one the page cut short with "...".
    """
    for name in _FIRST_WINS:
        value = getattr(new, name)
        if kept[name] in (None, ()) and value not in (None, ()):
            kept[name] = value
    if new.abstract:
        old = kept["abstract"]
        if not old or (
            _truncated(old) and len(new.abstract) > len(old) and not _truncated(new.abstract)
        ):
            kept["abstract"] = new.abstract
    if new.listed_date_text and (
        not kept["listed_date_text"]
        or (kept["listed_date"] is None and new.listed_date is not None)
        or (kept["listed_year_inferred"] and new.listed_date and not new.listed_year_inferred)
    ):
        kept["listed_date"] = new.listed_date
        kept["listed_date_text"] = new.listed_date_text
        kept["listed_year_inferred"] = new.listed_year_inferred
    if new.upvotes is not None:
        kept["upvotes"] = (
            new.upvotes if kept["upvotes"] is None else max(kept["upvotes"], new.upvotes)
        )
    known = {url.lower() for url in kept["code_urls"]}
    kept["code_urls"] = kept["code_urls"] + tuple(
        url for url in new.code_urls if url.lower() not in known
    )
    kept["origins"] = kept["origins"] + tuple(o for o in new.origins if o not in kept["origins"])


@dataclass(slots=True)
class _Keys:
    """What the index needs of a group: its merged ids, title key and code links.

    Kept in step with the group's merged fields by :meth:`_Index.absorb` (first
    non-empty value wins, links are unioned), so the index gives the same answers
    whether or not the merged fields themselves are still held.
    """

    arxiv_id: str | None
    doi: str | None
    title: bool
    title_key: str
    code_urls: tuple[str, ...]

    @property
    def has_ids(self) -> bool:
        return bool(self.arxiv_id or self.doi)


@dataclass
class _Index:
    """Finds the group a listing belongs to; holds only compact keys per group."""

    groups: list[_Keys] = field(default_factory=list)
    by_arxiv: dict[str, int] = field(default_factory=dict)
    by_doi: dict[str, int] = field(default_factory=dict)
    by_title: dict[str, list[int]] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)

    def find(self, paper: Paper, title_key: str) -> int | None:
        if paper.arxiv_id and paper.arxiv_id in self.by_arxiv:
            return self.by_arxiv[paper.arxiv_id]
        if paper.doi and paper.doi in self.by_doi:
            index = self.by_doi[paper.doi]
            if paper.arxiv_id is None or self.groups[index].arxiv_id is None:
                return index
        if title_key:
            paper_has_ids = bool(paper.arxiv_id or paper.doi)
            for index in self.by_title.get(title_key, ()):
                if not paper_has_ids or not self.groups[index].has_ids:
                    return index
            return None
        if not paper.arxiv_id and not paper.doi and len(paper.code_urls) == 1:
            return self.by_code.get(paper.code_urls[0].lower())
        return None

    def add(self, paper: Paper, title_key: str) -> int:
        """A new group for ``paper``; returns its index."""
        keys = _Keys(paper.arxiv_id, paper.doi, paper.title is not None, title_key, paper.code_urls)
        self.groups.append(keys)
        self._register(len(self.groups) - 1)
        return len(self.groups) - 1

    def absorb(self, index: int, paper: Paper, title_key: str) -> None:
        """Fold ``paper``'s keys into group ``index``, as :func:`_absorb` folds its fields."""
        keys = self.groups[index]
        if keys.arxiv_id is None and paper.arxiv_id is not None:
            keys.arxiv_id = paper.arxiv_id
        if keys.doi is None and paper.doi is not None:
            keys.doi = paper.doi
        if not keys.title and paper.title is not None:
            keys.title = True
            keys.title_key = title_key
        known = {url.lower() for url in keys.code_urls}
        keys.code_urls += tuple(url for url in paper.code_urls if url.lower() not in known)
        self._register(index)

    def _register(self, index: int) -> None:
        keys = self.groups[index]
        if keys.arxiv_id:
            self.by_arxiv.setdefault(keys.arxiv_id, index)
        if keys.doi:
            self.by_doi.setdefault(keys.doi, index)
        if keys.title_key:
            members = self.by_title.setdefault(keys.title_key, [])
            if index not in members:
                members.append(index)
        elif not keys.has_ids and len(keys.code_urls) == 1:
            self.by_code.setdefault(keys.code_urls[0].lower(), index)


class Deduper:
    """Streaming :func:`dedupe`: listings in, each one's group out.

    Only compact keys are kept for every group (ids, a title key, code links);
    the merged fields are the caller's to keep, for as long as it needs them.
    ``add`` returns ``(group, is_new)``: merge a listing of a known group with
    :func:`absorb`, exactly as :func:`dedupe` would have.
    """

    def __init__(self) -> None:
        self._index = _Index()

    def __len__(self) -> int:
        return len(self._index.groups)

    def add(self, paper: Paper) -> tuple[int, bool]:
        title_key = normalize_title(paper.title)
        found = self._index.find(paper, title_key)
        if found is None:
            return self._index.add(paper, title_key), True
        self._index.absorb(found, paper, title_key)
        return found, False


def absorb(kept: dict[str, Any], new: Paper) -> None:
    """Fold listing ``new`` into the merged fields ``kept`` (a ``Paper.model_dump()``)."""
    _absorb(kept, new)


def dedupe(papers: Iterable[Paper]) -> list[Paper]:
    """The distinct papers among ``papers``, each merged from all its listings, in first-seen order.

    >>> a = Paper(arxiv_id="2106.09685", origins=("a.txt:1",))
    >>> b = Paper(arxiv_id="2106.09685", title="LoRA", origins=("b.csv:2",))
    >>> [p.origins for p in dedupe([a, b])]
    [('a.txt:1', 'b.csv:2')]
    """
    deduper = Deduper()
    groups: list[dict[str, Any]] = []
    for paper in papers:
        index, new = deduper.add(paper)
        if new:
            groups.append(paper.model_dump())
        else:
            _absorb(groups[index], paper)
    return [Paper.model_validate(group) for group in groups]
