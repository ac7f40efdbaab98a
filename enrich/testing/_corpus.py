"""What the fake services know: three independent record lists and the truth.

The three services are modelled separately on purpose: a paper can be on arXiv
and not in Semantic Scholar, in Semantic Scholar only, or in both as two records
(preprint and journal version), and a repository can be renamed or deleted.
The fake serves each list as its service would; :class:`Truth` says what a
perfect resolver should return for each generated input.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Corpus",
    "FakeArxivEntry",
    "FakeHFPaper",
    "FakeRepo",
    "FakeS2Paper",
    "Truth",
    "TruthRow",
]


@dataclass
class FakeArxivEntry:
    """One arXiv paper with all its versions (``titles[i]`` is version i+1's title)."""

    arxiv_id: str  # without version: "2106.09685" or "astro-ph/0601001"
    titles: list[str]  # one per version, oldest first; the API serves the last
    abstract: str
    authors: list[str]
    published: dt.datetime  # v1 date, UTC
    updated: dt.datetime  # latest version date, UTC
    categories: list[str]  # first is the primary category
    doi: str | None = None  # author-supplied published DOI (<arxiv:doi>)
    journal_ref: str | None = None
    comment: str | None = None  # may carry a GitHub link
    affiliations: dict[str, str] = field(default_factory=dict)  # author -> affiliation

    @property
    def version(self) -> int:
        return len(self.titles)

    @property
    def title(self) -> str:
        return self.titles[-1]


@dataclass
class FakeS2Paper:
    """One Semantic Scholar record."""

    paper_id: str  # 40 hex chars
    corpus_id: int
    title: str
    year: int | None
    authors: list[str]
    external_ids: dict[str, str]  # "ArXiv", "DOI", "DBLP", ... (CorpusId added when served)
    venue: str = ""  # "" as S2 does, not None
    publication_venue: dict[str, Any] | None = None
    journal: dict[str, Any] | None = None
    publication_date: dt.date | None = None
    publication_types: list[str] | None = None
    citation_count: int = 0
    influential_citation_count: int = 0
    reference_count: int = 0
    abstract: str | None = None
    #: old paperIds that redirect here (merged records, s2-folks #157)
    aliases: list[str] = field(default_factory=list)


@dataclass
class FakeRepo:
    """One GitHub repository, with its former names (renames and transfers)."""

    repo_id: int
    full_name: str  # current owner/name
    former_names: list[str] = field(default_factory=list)
    stars: int = 0
    forks: int = 0
    archived: bool = False
    deleted: bool = False
    fork: bool = False
    pushed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    license_spdx: str | None = None  # e.g. "MIT"; None for no license
    license_name: str | None = None
    language: str | None = None
    description: str | None = None
    topics: list[str] = field(default_factory=list)


@dataclass
class FakeHFPaper:
    """One paper page on the Hugging Face Hub (issue #13), keyed by its bare arXiv id.

    Optional fields left None are *absent* from the served JSON, as on the Hub.
    """

    arxiv_id: str
    title: str
    summary: str
    published: dt.datetime
    upvotes: int = 0
    #: the repository the authors or submitter pinned (``https://github.com/o/r``)
    github_repo: str | None = None
    #: the Hub's snapshot of that repository's stars
    github_stars: int | None = None
    project_page: str | None = None
    ai_keywords: list[str] | None = None
    ai_summary: str | None = None
    authors: list[str] = field(default_factory=list)
    num_comments: int = 0


@dataclass
class Corpus:
    """Everything the fake services serve."""

    arxiv: list[FakeArxivEntry] = field(default_factory=list)
    s2: list[FakeS2Paper] = field(default_factory=list)
    github: list[FakeRepo] = field(default_factory=list)
    hf: list[FakeHFPaper] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Corpus:
        return cls(
            arxiv=[FakeArxivEntry(**_parse_dates(e, FakeArxivEntry)) for e in data["arxiv"]],
            s2=[FakeS2Paper(**_parse_dates(p, FakeS2Paper)) for p in data["s2"]],
            github=[FakeRepo(**_parse_dates(r, FakeRepo)) for r in data["github"]],
            hf=[FakeHFPaper(**_parse_dates(h, FakeHFPaper)) for h in data.get("hf", [])],
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Corpus:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass
class TruthRow:
    """The right answer for one generated input row (None: it must stay empty)."""

    arxiv_id: str | None
    s2_paper_id: str | None
    repo_full_name: str | None  # canonical current name; None if none or deleted
    exists: bool  # known to at least one service
    #: the repository only the Hugging Face Hub pins (no link in the input or on
    #: arXiv), canonical current name; what a run with the hf source should add
    hub_repo_full_name: str | None = None


@dataclass
class Truth:
    rows: list[TruthRow] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.rows]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Truth:
        return cls(rows=[TruthRow(**r) for r in data])


_DATETIME_FIELDS = {"published", "updated", "pushed_at", "created_at"}
_DATE_FIELDS = {"publication_date"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _parse_dates(data: dict[str, Any], cls: type) -> dict[str, Any]:
    out = dict(data)
    for key in _DATETIME_FIELDS & out.keys():
        if out[key] is not None:
            out[key] = dt.datetime.fromisoformat(out[key])
    for key in _DATE_FIELDS & out.keys():
        if out[key] is not None:
            out[key] = dt.date.fromisoformat(out[key])
    return out
