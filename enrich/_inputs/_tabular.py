"""Tables: CSV, TSV, JSON, JSON Lines, Parquet and in-memory DataFrames.

Rows map to papers through :mod:`enrich._inputs._records`.  A bad row (wrong
field count, broken quoting, invalid JSON line, nothing usable in it) is
skipped with its line and reason; its neighbours are kept.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from enrich._inputs._common import Parsed, Skipped, origin
from enrich._inputs._decode import UnreadableError, split_lines
from enrich._inputs._records import map_columns, paper_from_record, record_columns
from enrich._inputs._text import RejectedItemError, paper_from_item
from enrich._models import Paper

__all__ = [
    "collect",
    "iter_csv",
    "parse_csv",
    "parse_frame_rows",
    "parse_json",
    "parse_jsonl",
    "parse_parquet",
    "parse_records",
]

_PARQUET_MAGIC = b"PAR1"
_KNOWN = "title, arxiv_id, doi, url, github, abstract, authors, year, upvotes"


def _no_columns(name: str) -> UnreadableError:
    return UnreadableError(name, f"no recognised column (expected some of: {_KNOWN})")


class _Lines(Iterator[str]):
    """A line source whose position can be moved back, to re-read after a bad row."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.pos = 0

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def _record(
    result: Parsed, record: Mapping[Any, Any], columns: Mapping[str, Any], where: str
) -> None:
    try:
        result.papers.append(paper_from_record(record, columns, where))
    except RejectedItemError as exc:
        result.skip(where, str(exc))


def _skipped(where: str, reason: str) -> Skipped:
    return Skipped(where, " ".join(reason.split()))


def _item(record: Mapping[Any, Any], columns: Mapping[str, Any], where: str) -> Paper | Skipped:
    try:
        return paper_from_record(record, columns, where)
    except RejectedItemError as exc:
        return _skipped(where, str(exc))


def collect(items: Iterable[Paper | Skipped]) -> Parsed:
    """A streaming reader's papers and skips, gathered into one :class:`Parsed`."""
    result = Parsed()
    for item in items:
        if isinstance(item, Paper):
            result.papers.append(item)
        else:
            result.skipped.append(item)
    return result


def iter_csv(text: str, name: str, *, delimiter: str = ",") -> Iterator[Paper | Skipped]:
    """Read CSV (or TSV with ``delimiter="\\t"``) with a header row.

    A CSV whose header has semicolons and no commas is read with ``;`` (the
    spreadsheet export in many locales).  A row whose quoting is broken, or
    whose field count differs from the header's, is skipped as
    ``name:line: malformed CSV row: ...``; when such a row swallowed several
    lines (an unclosed quote), reading resumes at its second line so the rows
    it ate are not lost.

    Papers and skips are yielded as the rows are read (see :func:`parse_csv`).

    Raises:
        UnreadableError: no header, or no recognised column in it (before
            anything is yielded).
    """
    kind = "TSV" if delimiter == "\t" else "CSV"
    # newline="" splits on \n, \r\n and \r only, as the csv module expects.
    lines = io.StringIO(text, newline="").readlines()
    del text  # the lines hold it all; a generator would otherwise keep both alive
    first = next((line for line in lines if line.strip()), "")
    if delimiter == "," and ";" in first and "," not in first:
        delimiter = ";"
    source = _Lines(lines)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    columns: dict[str, Any] = {}
    while True:
        start = source.pos
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield _skipped(origin(name, start + 1), f"malformed {kind} row: {exc}")
            source.pos = start + 1
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            columns = map_columns(header)
            if not columns:
                raise _no_columns(name)
            continue
        where = origin(name, start + 1)
        if len(row) != len(header):
            yield _skipped(
                where, f"malformed {kind} row: expected {len(header)} fields, got {len(row)}"
            )
            source.pos = start + 1
            continue
        yield _item(dict(zip(header, row, strict=True)), columns, where)
    if header is None:
        raise UnreadableError(name, f"no header row in {kind} file")


def parse_csv(text: str, name: str, *, delimiter: str = ",") -> Parsed:
    """Read CSV (or TSV with ``delimiter="\\t"``) with a header row: :func:`iter_csv`, collected.

    Raises:
        UnreadableError: no header, or no recognised column in it.
    """
    return collect(iter_csv(text, name, delimiter=delimiter))


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _array_items(text: str, pos: int) -> list[tuple[int, Any]]:
    """(offset, value) of each element of the already-validated array at ``pos``."""
    decoder = json.JSONDecoder()
    items: list[tuple[int, Any]] = []
    pos = _skip_ws(text, pos + 1)
    while text[pos] != "]":
        value, end = decoder.raw_decode(text, pos)
        items.append((pos, value))
        pos = _skip_ws(text, end)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return items


def _papers_array(text: str, pos: int) -> list[tuple[int, Any]] | None:
    """The ``"papers"`` member of the already-validated object at ``pos``, with offsets."""
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, pos + 1)
    while text[pos] != "}":
        key, end = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, _skip_ws(text, end) + 1)  # past the colon
        if key == "papers" and text[pos] == "[":
            return _array_items(text, pos)
        _, end = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, end)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return None


def _add_items(result: Parsed, items: Sequence[tuple[str, Any]]) -> None:
    """Objects become records, strings become items; each mapped on its own keys."""
    for where, value in items:
        if isinstance(value, str):
            try:
                result.papers.append(paper_from_item(value, where))
            except RejectedItemError as exc:
                result.skip(where, str(exc))
        elif isinstance(value, dict):
            columns = map_columns(value)
            if not columns:
                result.skip(where, f"no recognised field (expected some of: {_KNOWN})")
                continue
            _record(result, value, columns, where)
        else:
            result.skip(where, f"expected an object or a string, got {type(value).__name__}")


def parse_json(text: str, name: str) -> Parsed:
    """Read a JSON array of objects (or of strings), or ``{"papers": [...]}``.

    Origins carry the line on which each element starts.  A file of one object
    per line (JSON Lines under a ``.json`` name) is read as JSON Lines.

    Raises:
        UnreadableError: invalid JSON, or a document of another shape.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            return parse_jsonl(text, name)  # JSON Lines saved as .json: a common slip
        raise UnreadableError(
            name, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    start = _skip_ws(text, 0)
    if isinstance(document, list):
        located = _array_items(text, start)
    elif isinstance(document, dict) and isinstance(document.get("papers"), list):
        located = _papers_array(text, start) or []
    elif isinstance(document, dict) and map_columns(document):
        located = [(start, document)]
    else:
        raise UnreadableError(name, 'expected a JSON array of objects or {"papers": [...]}')
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    items = [
        (origin(name, bisect.bisect_left(newlines, offset) + 1), value) for offset, value in located
    ]
    result = Parsed()
    _add_items(result, items)
    return result


def parse_jsonl(text: str, name: str) -> Parsed:
    """Read JSON Lines: one object (or string) per line; a bad line is skipped."""
    result = Parsed()
    items: list[tuple[str, Any]] = []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        where = origin(name, number)
        try:
            items.append((where, json.loads(line)))
        except json.JSONDecodeError as exc:
            result.skip(where, f"invalid JSON: {exc.msg} (column {exc.colno})")
    _add_items(result, items)
    return result


def parse_frame_rows(frame: pl.DataFrame, name: str) -> Parsed:
    """Read a Polars frame; origins are ``name:<1-based row number>``.

    Raises:
        UnreadableError: no recognised column.
    """
    columns = map_columns(frame.columns)
    if not columns:
        raise _no_columns(name)
    result = Parsed()
    for number, row in enumerate(frame.iter_rows(named=True), start=1):
        _record(result, row, columns, origin(name, number))
    return result


def parse_records(records: Sequence[Mapping[Any, Any]], name: str) -> Parsed:
    """Read row dictionaries (a pandas frame's ``to_dict("records")``)."""
    columns = map_columns(record_columns(records))
    if not columns:
        raise _no_columns(name)
    result = Parsed()
    for number, row in enumerate(records, start=1):
        _record(result, row, columns, origin(name, number))
    return result


def parse_parquet(data: bytes, name: str) -> Parsed:
    """Read a Parquet file's bytes with Polars; origins are ``name:<row number>``.

    Raises:
        UnreadableError: not a Parquet file (no ``PAR1`` magic) or unreadable.
    """
    if not (data.startswith(_PARQUET_MAGIC) and data.endswith(_PARQUET_MAGIC)):
        raise UnreadableError(name, "not a valid Parquet file (no PAR1 magic bytes)")
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # polars raises several unrelated types for corrupt files
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise UnreadableError(name, f"not a valid Parquet file ({first_line})") from exc
    return parse_frame_rows(frame, name)
