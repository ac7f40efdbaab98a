"""Hugging Face Hub paper pages: the code, project page and upvotes an abstract leaves out.

The Hub files papers under their bare arXiv id and answers
``GET {url}/api/papers/{arxiv_id}`` with one paper object, or 404 when it has
not indexed the paper (yet: new papers appear within days, so the 404 is
cached with the short not-found TTL).  There is no lookup by a list of ids, so
the adapter asks one request per resolved id; the client paces them against
the Hub's 5-minute window budget.

Shapes (``shared/api-samples/hf`` and ``huggingface_hub``'s ``PaperInfo``):
``/api/papers/{id}`` returns the paper object itself; ``/api/daily_papers``
returns a list of wrappers ``{paper: {...}, publishedAt, title, numComments,
submittedBy, ...}`` whose ``paper`` is that same object.  Optional keys
(``githubRepo``, ``githubStars``, ``projectPage``, ``ai_keywords``, ...) are
*absent*, not null, when unset, and AI fields are missing on fresh papers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote, urlsplit

from enrich._exceptions import ResponseError
from enrich._ids import normalize_arxiv_id, normalize_github_url
from enrich._models import HFRecord
from enrich._wire import Request
from enrich.adapters.base import Adapter, answer_context, decode_json, register

__all__ = [
    "DAILY_LIMIT_MAX",
    "PAGE_BASE",
    "SEARCH_LIMIT_MAX",
    "SEARCH_QUERY_MAX",
    "HFAdapter",
    "paper_url",
    "parse_daily_papers",
    "parse_paper",
]

_SOURCE: Final = "hf"
#: Where ``hf_url`` points: the public paper page, whichever API base was asked
#: (a mirror or a test server answers the API; readers follow the link on the Hub).
PAGE_BASE: Final = "https://huggingface.co"
# huggingface_hub's list_daily_papers / list_papers (hf_api.py) and the issue's
# reading of the Hub API: daily_papers takes limit <= 100; papers/search takes
# q of at most 250 characters and limit <= 120.
DAILY_LIMIT_MAX: Final = 100
SEARCH_QUERY_MAX: Final = 250
SEARCH_LIMIT_MAX: Final = 120
# A hostile or broken answer cannot blow up a cell: keywords and texts are capped.
_MAX_KEYWORDS: Final = 50
_MAX_TEXT: Final = 2000


@register
class HFAdapter(Adapter):
    """Look papers up on the Hugging Face Hub by arXiv id.

    Args:
        client: what sends requests (an :class:`enrich.Client`, which adds ``HF_TOKEN``
            as ``Authorization: Bearer`` towards the Hub's host only).
        settings: ``Settings.source("hf")``.
    """

    name = "hf"

    def build_paper_request(self, arxiv_id: str) -> Request:
        """``GET {url}/api/papers/{arxiv_id}``; its 404 (not indexed) is an answer.

        >>> from enrich._config import Settings
        >>> HFAdapter(None, Settings().source("hf")).build_paper_request("2106.09685").full_url
        'https://huggingface.co/api/papers/2106.09685'
        """
        bare = normalize_arxiv_id(arxiv_id)
        if bare is None:
            raise ValueError(f"not an arXiv id: {arxiv_id!r}")
        return Request(
            source=self.name,
            method="GET",
            # Old-style ids keep their slash: the Hub's paths mirror arXiv's.
            url=f"{self.settings.url}/api/papers/{quote(bare, safe='/')}",
            expect="json",
            answer_statuses=frozenset({404}),
            not_found_statuses=frozenset({404}),
        )

    def build_daily_request(
        self,
        *,
        date: str | None = None,
        page: int | None = None,
        limit: int = DAILY_LIMIT_MAX,
        sort: str | None = None,
    ) -> Request:
        """``GET {url}/api/daily_papers`` (a listing; enrich reads listings from files)."""
        if not 1 <= limit <= DAILY_LIMIT_MAX:
            raise ValueError(f"limit must be in 1..{DAILY_LIMIT_MAX}, got {limit}")
        params: list[tuple[str, str]] = []
        if date is not None:
            params.append(("date", date))
        if page is not None:
            params.append(("p", str(page)))
        params.append(("limit", str(limit)))
        if sort is not None:
            params.append(("sort", sort))
        return Request(
            source=self.name,
            method="GET",
            url=f"{self.settings.url}/api/daily_papers",
            params=tuple(params),
            expect="json",
        )

    def build_search_request(self, query: str, *, limit: int = SEARCH_LIMIT_MAX) -> Request:
        """``GET {url}/api/papers/search?q=...`` (full-text search; not a matcher of ours)."""
        text = " ".join(query.split())
        if not text or len(text) > SEARCH_QUERY_MAX:
            raise ValueError(f"q must have 1..{SEARCH_QUERY_MAX} characters, got {len(text)}")
        if not 1 <= limit <= SEARCH_LIMIT_MAX:
            raise ValueError(f"limit must be in 1..{SEARCH_LIMIT_MAX}, got {limit}")
        return Request(
            source=self.name,
            method="GET",
            url=f"{self.settings.url}/api/papers/search",
            params=(("q", text), ("limit", str(limit))),
            expect="json",
        )

    def fetch_paper(self, arxiv_id: str) -> HFRecord | None:
        """The Hub's record of ``arxiv_id``, or None when the Hub has not indexed it.

        Raises:
            ValueError: ``arxiv_id`` is not an arXiv id.
            ResponseError: a 200 answer that is not this paper (another id, an
                error body, a list).
            SourceError: whatever the client raises after its retries
                (``RateLimitError`` when the window budget is spent).
        """
        request = self.build_paper_request(arxiv_id)
        response = self.client.send(request)
        if response.status == 404:
            return None
        with answer_context(request, response.status):
            return parse_paper(decode_json(response), arxiv_id)


def paper_url(arxiv_id: str, page_base: str = PAGE_BASE) -> str:
    """The paper's page on the Hub: ``https://huggingface.co/papers/{arxiv_id}``."""
    return f"{page_base.rstrip('/')}/papers/{arxiv_id}"


def parse_paper(payload: Any, requested: str, *, page_base: str = PAGE_BASE) -> HFRecord:
    """One ``/api/papers/{id}`` body (or one ``daily_papers`` wrapper) as a record.

    Precision first: an answer filed under another arXiv id is refused rather
    than attached to the row.

    Raises:
        ResponseError: not a paper object, no ``id``, or another paper's id.

    >>> parse_paper({"id": "2606.13392", "githubRepo": "https://github.com/MiniMax-AI/MSA",
    ...              "githubStars": 251}, "2606.13392").stars
    251
    """
    if not isinstance(payload, Mapping):
        raise ResponseError(f"paper answer is a {type(payload).__name__}", source=_SOURCE)
    inner = payload.get("paper")
    paper: Mapping[str, Any] = inner if isinstance(inner, Mapping) else payload
    paper_id = normalize_arxiv_id(_str(paper.get("id")))
    if paper_id is None:
        said = _str(payload.get("error")) or _str(payload.get("message"))
        detail = f": {said[:200]!r}" if said else ""
        raise ResponseError(f"answer is not a paper{detail}", source=_SOURCE)
    wanted = normalize_arxiv_id(requested)
    if wanted is not None and paper_id.lower() != wanted.lower():
        raise ResponseError(f"asked for {wanted}, the Hub answered for {paper_id}", source=_SOURCE)
    # In daily_papers the wrapper, not the paper, carries some fields (title too).
    return HFRecord(
        arxiv_id=paper_id,
        title=_str(paper.get("title")) or _str(payload.get("title")),
        repo_url=normalize_github_url(_str(paper.get("githubRepo"))),
        stars=_count(paper.get("githubStars")),
        project_page=_web_url(paper.get("projectPage")),
        upvotes=_count(paper.get("upvotes")),
        ai_keywords=_keywords(paper.get("ai_keywords")),
        ai_summary=_str(paper.get("ai_summary")),
        hf_url=paper_url(paper_id, page_base),
    )


def parse_daily_papers(payload: Any, *, page_base: str = PAGE_BASE) -> list[HFRecord]:
    """A ``/api/daily_papers`` list as records, in order; unusable items are left out.

    Raises:
        ResponseError: the answer is not a list.
    """
    if not isinstance(payload, Sequence) or isinstance(payload, str | bytes):
        raise ResponseError(f"daily_papers answer is a {type(payload).__name__}", source=_SOURCE)
    records: list[HFRecord] = []
    for item in payload:
        try:
            records.append(parse_paper(item, "", page_base=page_base))
        except ResponseError:
            continue
    return records


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text[:_MAX_TEXT] if text else None


def _count(value: Any) -> int | None:
    # bool is an int to Python; a negative count is nonsense, not a value.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _web_url(value: Any) -> str | None:
    text = _str(value)
    if text is None or " " in text:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def _keywords(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    seen: dict[str, None] = {}
    for item in value:
        text = _str(item)
        if text is not None:
            seen.setdefault(text[:200], None)
    return tuple(seen)[:_MAX_KEYWORDS]
