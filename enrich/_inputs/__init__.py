"""Reading paper lists: every input format enrich accepts, into deduplicated :class:`Paper` s.

Formats (``format=`` names): ``daily`` (saved Hugging Face Daily Papers pages),
``text`` (one id, link or title per line), ``csv``, ``tsv``, ``json``,
``jsonl``, ``parquet`` and ``bibtex``.  A file's format comes from its
extension; ``.txt`` and unknown extensions are sniffed from the content.
Every paper remembers where it was read (``file:line``); a line, row, entry or
file that cannot be read is recorded in :attr:`ReadReport.skipped` with a
one-line reason, and only an input from which nothing at all can be read raises
:class:`~enrich.InputError`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final, Literal, Protocol, get_args

import polars as pl

from enrich._exceptions import ConfigError, InputError
from enrich._inputs._bibtex import parse_bibtex
from enrich._inputs._common import Parsed, Skipped, origin
from enrich._inputs._daily_papers import looks_like_daily, parse_daily
from enrich._inputs._decode import (
    Decoded,
    UnreadableError,
    decode_lines,
    load_bytes,
    split_lines,
)
from enrich._inputs._dedupe import Deduper, absorb
from enrich._inputs._frame import PAPER_SCHEMA, papers_to_frame
from enrich._inputs._records import map_columns
from enrich._inputs._tabular import (
    iter_csv,
    parse_frame_rows,
    parse_json,
    parse_jsonl,
    parse_parquet,
    parse_records,
)
from enrich._inputs._text import RejectedItemError, identify, iter_text, paper_from_item
from enrich._match import normalize_title
from enrich._models import Paper

__all__ = [
    "FORMATS",
    "PAPER_SCHEMA",
    "STDIN",
    "Format",
    "PaperStream",
    "ReadReport",
    "Skipped",
    "merge_late",
    "papers_to_frame",
    "read_inputs",
]

Format = Literal["daily", "text", "csv", "tsv", "json", "jsonl", "parquet", "bibtex"]
#: The valid ``format=`` names.
FORMATS: Final[tuple[str, ...]] = get_args(Format)

#: Extension -> format; ``None`` means "sniff: a Daily Papers page or a plain list".
_EXTENSIONS: Final[dict[str, Format | None]] = {
    ".txt": None,
    ".text": None,
    ".list": None,
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
}
_LIST_NAME: Final = "<list>"
_FRAME_NAME: Final = "<frame>"
_INPUT_SUFFIX_RE = re.compile(
    r"\.(?:" + "|".join(suffix[1:] for suffix in _EXTENSIONS) + r")$", re.IGNORECASE
)
_BIBTEX_RE = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)


class _PandasLike(Protocol):
    """What is used of a pandas DataFrame (pandas itself is optional)."""

    @property
    def columns(self) -> Any: ...

    def to_dict(self, *args: Any, **kwargs: Any) -> Any: ...


Sources = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pl.DataFrame | _PandasLike


@dataclass
class ReadReport:
    """The outcome of :func:`read_inputs`.

    Attributes:
        papers: distinct papers, merged across inputs, in first-seen order.
        skipped: every line, row, entry or file not read, with a one-line reason.
        read: papers read before duplicates were merged.
        duplicates_merged: ``read - len(papers)``.
        files: inputs (files, or the in-memory list or frame) that gave at least one paper.
    """

    papers: list[Paper] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    read: int = 0
    duplicates_merged: int = 0
    files: int = 0

    def summary(self) -> str:
        """A few lines for people: counts, then skips grouped by reason.

        >>> print(read_inputs(["2106.09685", "arXiv:2106.09685v2", "ftp://x"]).summary())
        read 2 papers from 1 input; merged 1 duplicate: 1 distinct paper
        skipped 1:
          1 x unrecognised link
        """
        lines = [
            f"read {_plural(self.read, 'paper')} from {_plural(self.files, 'input')}; "
            f"merged {_plural(self.duplicates_merged, 'duplicate')}: "
            f"{_plural(len(self.papers), 'distinct paper')}"
        ]
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)}:")
            reasons = Counter(_reason_kind(skip.reason) for skip in self.skipped)
            lines.extend(f"  {count} x {reason}" for reason, count in reasons.most_common())
        return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _reason_kind(reason: str) -> str:
    return reason.split(":", 1)[0].split(" (", 1)[0]


def _sniff(text: str) -> Format:
    """The format of a decoded file with an unknown extension, from its content."""
    stripped = text.lstrip()
    if stripped[:1] in {"[", "{"}:
        try:
            json.loads(text)
        except json.JSONDecodeError:
            if stripped.startswith("{"):
                return "jsonl"
        else:
            return "json"
    if _BIBTEX_RE.search(text[:100_000]):
        return "bibtex"
    if looks_like_daily(text):
        return "daily"
    first = next((line for line in split_lines(text) if line.strip()), "")
    if "\t" in first and map_columns(first.split("\t")):
        return "tsv"
    if ("," in first or ";" in first) and map_columns(re.split(r"[,;]", first)):
        return "csv"
    return "text"


def _detect(path: Path, data: bytes, name: str) -> tuple[Format, Decoded | None]:
    """The file's format from its extension, else from its content; and its text if decoded."""
    suffix = path.suffix.lower()
    known = _EXTENSIONS.get(suffix)
    if known is not None:
        return known, None
    if suffix not in _EXTENSIONS and data.startswith(b"PAR1"):
        return "parquet", None
    decoded = decode_lines(data, name)
    if suffix in _EXTENSIONS:  # .txt and friends: a saved page or a plain list
        return ("daily" if looks_like_daily(decoded.text) else "text"), decoded
    return _sniff(decoded.text), decoded


_STDIN_NAME: Final = "<stdin>"


class _StandardInput(os.PathLike[str]):
    """The one source that stands for standard input (the CLI's ``-``), read whole.

    A dedicated object rather than the string ``"-"``, so that a library caller's
    list item ``"-"`` never blocks on a terminal.
    """

    def __fspath__(self) -> str:
        return _STDIN_NAME

    def __repr__(self) -> str:
        return "STDIN"


#: Pass this among the sources to read standard input (origins ``<stdin>:N``).
STDIN: Final = _StandardInput()


def _is_path(item: str | os.PathLike[str]) -> bool:
    """Whether one element of a list of sources names a file (else it is a paper item).

    Path objects always do; a string does when it exists on disk, or when it is
    not an identifier or link, has no whitespace and ends in an input extension
    (``papers.csv``), so that a mistyped file name is reported as missing rather
    than read as a title.
    """
    if not isinstance(item, str):
        return True
    if os.path.exists(item):
        return True
    candidate = item.strip()
    if not candidate or identify(candidate) is not None:
        return False
    return bool(_INPUT_SUFFIX_RE.search(candidate)) and not any(ch.isspace() for ch in candidate)


def _read_items(items: list[tuple[int, str]]) -> Parsed:
    result = Parsed()
    for position, item in items:
        where = f"{_LIST_NAME}:{position}"
        try:
            result.papers.append(paper_from_item(item, where))
        except RejectedItemError as exc:
            result.skip(where, str(exc))
    return result


#: One source's listings and skips, in reading order; raises UnreadableError for a
#: whole source that cannot be read (before it yields anything).
_Reader = Callable[[], Iterator[Paper | Skipped]]


def _all_of(read: Callable[[], Parsed]) -> _Reader:
    def items() -> Iterator[Paper | Skipped]:
        parsed = read()
        yield from parsed.skipped
        yield from parsed.papers

    return items


def _stream_file(
    path: Path, name: str, format: Format | None, data: bytes | None = None
) -> Iterator[Paper | Skipped]:
    """A file's listings as they are read: line by line for text lists, CSV and TSV.

    The file is loaded and decoded here, so an unreadable file raises
    :class:`UnreadableError` before anything is yielded.
    """
    if data is None:
        data = load_bytes(path, name)
    decoded: Decoded | None = None
    if format is None:
        format, decoded = _detect(path, data, name)
    if format == "parquet":
        return _all_of(partial(parse_parquet, data, name))()
    if decoded is None:
        decoded = decode_lines(data, name)
    return _decoded_listings(decoded, name, format)


def _decoded_listings(decoded: Decoded, name: str, format: Format) -> Iterator[Paper | Skipped]:
    # A NUL byte or bytes that are not UTF-8 cost only their own line.
    for number, reason in decoded.bad_lines:
        yield Skipped(origin(name, number), reason)
    text = decoded.text
    if format == "text":
        yield from iter_text(text, name)
    elif format in {"csv", "tsv"}:
        yield from iter_csv(text, name, delimiter="\t" if format == "tsv" else ",")
    elif format == "daily":
        yield from _all_of(partial(parse_daily, text, name))()
    elif format == "json":
        yield from _all_of(partial(parse_json, text, name))()
    elif format == "jsonl":
        yield from _all_of(partial(parse_jsonl, text, name))()
    else:
        yield from _all_of(partial(parse_bibtex, text, name))()


def _read_stdin(format: Format | None) -> Iterator[Paper | Skipped]:
    data = sys.stdin.buffer.read()
    if not data:
        raise UnreadableError(_STDIN_NAME, "nothing on standard input")
    return _stream_file(Path(""), _STDIN_NAME, format, data)


def _plan(sources: Sources, format: Format | None) -> list[tuple[str, _Reader]]:
    """Each source's name and how to read it, in the order given; nothing is read yet."""
    if isinstance(sources, pl.DataFrame):
        return [(_FRAME_NAME, _all_of(partial(parse_frame_rows, sources, _FRAME_NAME)))]
    if type(sources).__module__.split(".")[0] == "pandas" and hasattr(sources, "to_dict"):
        frame: Any = sources
        return [
            (_FRAME_NAME, _all_of(lambda: parse_records(frame.to_dict("records"), _FRAME_NAME)))
        ]
    if sources is STDIN:
        return [(_STDIN_NAME, partial(_read_stdin, format))]
    if isinstance(sources, str | os.PathLike):
        name = os.fspath(sources)
        return [(name, partial(_stream_file, Path(name), name, format))]
    if not isinstance(sources, Sequence):
        raise TypeError(
            f"sources must be a path, a list of paths or items, or a DataFrame, "
            f"not {type(sources).__name__}"
        )
    plan: list[tuple[str, _Reader]] = []
    items: list[tuple[int, str]] = []
    list_slot: int | None = None
    for position, source in enumerate(sources, start=1):
        if not isinstance(source, str | os.PathLike):
            raise TypeError(
                f"sources[{position - 1}] is a {type(source).__name__}, not a str or path"
            )
        if source is STDIN:
            plan.append((_STDIN_NAME, partial(_read_stdin, format)))
        elif _is_path(source):
            name = os.fspath(source)
            plan.append((name, partial(_stream_file, Path(name), name, format)))
        else:
            if list_slot is None:
                list_slot = len(plan)
                plan.append((_LIST_NAME, _all_of(Parsed)))
            items.append((position, str(source)))
    if list_slot is not None:
        plan[list_slot] = (_LIST_NAME, _all_of(partial(_read_items, items)))
    return plan


class PaperStream:
    """Distinct papers read lazily, handed out in windows, deduplicated across the whole input.

    Reading proceeds as windows are taken: only the compact keys of every paper
    seen (ids, a title key, code links) and the merged fields of the papers not
    yet handed out are held.  A listing that turns out to be a duplicate of a
    paper already handed out is kept in :attr:`late`; :func:`merge_late` folds
    it in afterwards, giving exactly what :func:`read_inputs` would have merged.

    Attributes:
        report: counts and skips so far (complete once :meth:`windows` is exhausted);
            ``report.papers`` stays empty.
        late: paper number (0-based, in first-seen order) -> its later listings.

    Raises (from :meth:`windows`):
        InputError: nothing at all could be read.
    """

    def __init__(self, sources: Sources, format: Format | None = None) -> None:
        if format is not None and format not in FORMATS:
            raise ConfigError(f"unknown input format {format!r} (valid: {', '.join(FORMATS)})")
        self._plan = _plan(sources, format)
        self.report = ReadReport()
        self.late: dict[int, list[Paper]] = {}
        self._deduper = Deduper()
        #: paper number -> merged fields, for the papers not handed out yet (in order)
        self._open: dict[int, dict[str, Any]] = {}

    def windows(self, size: int) -> Iterator[list[Paper]]:
        """Distinct papers, ``size`` at a time, in first-seen order."""
        for paper in self._listings():
            number, new = self._deduper.add(paper)
            if new:
                self._open[number] = paper.model_dump()
            elif number in self._open:
                absorb(self._open[number], paper)
            else:
                self.late.setdefault(number, []).append(paper)
            if len(self._open) >= size:
                yield self._take()
        if self._open:
            yield self._take()
        report = self.report
        if not len(self._deduper):
            raise _nothing_read(report.skipped)
        report.duplicates_merged = report.read - len(self._deduper)

    def _take(self) -> list[Paper]:
        papers = [Paper.model_validate(fields) for fields in self._open.values()]
        self._open = {}
        return papers

    def _listings(self) -> Iterator[Paper]:
        report = self.report
        for name, read in self._plan:
            unusable: list[Skipped] = []
            usable = 0
            skipped = 0
            try:
                for item in read():
                    if isinstance(item, Skipped):
                        report.skipped.append(item)
                        skipped += 1
                        continue
                    reason = _unusable(item)
                    if reason is not None:
                        unusable.append(
                            Skipped(item.origins[0] if item.origins else _LIST_NAME, reason)
                        )
                        continue
                    usable += 1
                    report.read += 1
                    yield item
            except UnreadableError as failure:
                if not usable:
                    report.skipped.append(Skipped(name, failure.reason))
                    continue
                unusable.append(Skipped(name, failure.reason))
            report.skipped.extend(unusable)
            if usable:
                report.files += 1
            elif not skipped:
                report.skipped.append(Skipped(name, "no papers found"))


def merge_late(paper: Paper, listings: Sequence[Paper]) -> Paper:
    """``paper`` as handed out, with the later ``listings`` of it folded in."""
    fields = paper.model_dump()
    for listing in listings:
        absorb(fields, listing)
    return Paper.model_validate(fields)


def read_inputs(sources: Sources, *, format: Format | None = None) -> ReadReport:
    """Read paper lists from files, a list of items or a DataFrame; merge duplicates.

    Args:
        sources: one of

            * a path (``str`` or :class:`os.PathLike`), or a list of them;
              :data:`STDIN` is standard input (origins ``<stdin>:N``);
            * a list of strings that are not files: each string is one item
              (an arXiv id or URL, a DOI or DOI URL, a GitHub link, or a title),
              with origin ``<list>:N`` (N counts from 1 over the whole list).
              A string that exists on disk is a path; so is a non-existent
              ``name.csv``-like string, reported as missing.  Lists may mix both;
            * a Polars or pandas DataFrame, columns recognised case-insensitively
              (title, arxiv_id/arxiv/eprint, doi, url/github/code/repo, abstract,
              authors, year, upvotes), origins ``<frame>:N``.
        format: force one of :data:`FORMATS` for every file; by default each
            file's extension decides and ``.txt`` or unknown extensions are sniffed.

    Returns:
        A :class:`ReadReport`: distinct papers, skipped lines/files with reasons, counts.

    Raises:
        InputError: nothing at all could be read (one line naming the cause).
        ConfigError: ``format`` is not one of :data:`FORMATS`.

    >>> report = read_inputs(["arXiv:2106.09685v2", "https://arxiv.org/abs/2106.09685"])
    >>> [(p.arxiv_id, p.origins) for p in report.papers]
    [('2106.09685', ('<list>:1', '<list>:2'))]
    """
    stream = PaperStream(sources, format)
    papers = [paper for window in stream.windows(sys.maxsize) for paper in window]
    stream.report.papers = papers
    return stream.report


# JSON escapes ("\ud800") and Python strings can carry half a UTF-16 pair, which
# no UTF-8 writer (Polars, Parquet, a URL) accepts.
_LONE_SURROGATE_RE: Final = re.compile("[\ud800-\udfff]")


def _unusable(paper: Paper) -> str | None:
    """Why ``paper`` cannot be looked up or written, or None when it can."""
    texts = [paper.title, paper.abstract, paper.doi, paper.arxiv_id, paper.organization]
    texts += [paper.listed_date_text, *paper.authors, *paper.code_urls]
    if any(text and _LONE_SURROGATE_RE.search(text) for text in texts):
        return "text is not valid Unicode (a lone UTF-16 surrogate)"
    if paper.arxiv_id or paper.doi or paper.code_urls:
        return None
    if paper.title is not None and not normalize_title(paper.title):
        # ":" or "🙂": nothing to search for, and nothing to tell two of them apart.
        return f"no letters or digits in the title: {paper.title[:40]!r}"
    return None


def _usable(papers: list[Paper], skipped: list[Skipped]) -> list[Paper]:
    """``papers`` without the :func:`_unusable` ones, each recorded in ``skipped``."""
    kept: list[Paper] = []
    for paper in papers:
        reason = _unusable(paper)
        if reason is None:
            kept.append(paper)
        else:
            skipped.append(Skipped(paper.origins[0] if paper.origins else _LIST_NAME, reason))
    return kept


def _nothing_read(skipped: list[Skipped]) -> InputError:
    if not skipped:
        return InputError("no input given")
    if len(skipped) == 1:
        return InputError(skipped[0].reason, path=skipped[0].origin)
    shown = "; ".join(str(skip) for skip in skipped[:3])
    more = f"; and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return InputError(f"no papers could be read ({shown}{more})")
