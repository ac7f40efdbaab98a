"""Hostile answers at the real endpoints, through the real Client and pipeline.

A small :class:`httpx.MockTransport` answers one service with a hostile body
(entity bombs, external entities, oversized or undecodable bodies, JSON of the
wrong shape) and lets the fake services answer the others.  Each must end as
a row error naming the source, or as a dropped value: never an exception out of
``enrich``, a traceback, or the pipeline's "unexpected" catch-all.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from click.testing import CliRunner, Result
from helpers import fast_settings, small_corpus
from hypothesis import example, given, settings
from hypothesis import strategies as st

import enrich
from enrich._api import enrich_result
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import InputError
from enrich._inputs import read_inputs
from enrich._inputs._decode import split_lines
from enrich._inputs._text import parse_text
from enrich._output import write_table
from enrich.cli import main
from enrich.testing import FakeServices

INPUTS = [
    "2106.09685",  # arXiv id: arXiv, then S2 batch, then the repo in the arXiv comment
    "Attention is all you need",  # title: arXiv search, then S2 batch or title match
    "10.18653/v1/N19-1423",  # DOI: S2 batch
    "https://github.com/old-owner/old-name",  # code link: GitHub only
]
HOSTS = {
    "arxiv": "export.arxiv.org",
    "s2": "api.semanticscholar.org",
    "github": "api.github.com",
}
LIMIT = 64 * 1024

Handler = Callable[[httpx.Request], httpx.Response]


def _run(source: str, hostile: Handler, *, token: str | None = None) -> pl.DataFrame:
    """Enrich INPUTS with ``source`` answered by ``hostile`` and the rest by the fakes."""
    fake = FakeServices(small_corpus(), enforce_rate_limits=False).transport()
    calls = {"hostile": 0}

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == HOSTS[source]:
            calls["hostile"] += 1
            return hostile(request)
        return fake.handle_request(request)

    settings = Settings.from_env(
        {}, use_cache=False, max_response_bytes=LIMIT, max_attempts=2, github_token=token
    )
    with Client(settings, transport=httpx.MockTransport(route), clock=FakeClock()) as client:
        frame = enrich_result(INPUTS, client=client).frame
    assert frame is not None
    assert calls["hostile"] > 0
    assert frame.height == len(INPUTS)
    for errors in frame["errors"]:
        for message in errors:
            assert message.startswith(("[arxiv]", "[s2]", "[github]")), message
            assert "unexpected" not in message, message
            assert "Traceback" not in message, message
    return frame


def _errors(frame: pl.DataFrame, source: str) -> list[str]:
    return [m for errors in frame["errors"] for m in errors if m.startswith(f"[{source}]")]


def _xml(body: bytes) -> Handler:
    return lambda request: httpx.Response(
        200, content=body, headers={"Content-Type": "application/atom+xml"}
    )


def _json_answer(body: Any) -> Handler:
    # Written by hand: json.dumps refuses the infinities that json.loads accepts.
    text = json.dumps(body).replace('"Infinity!"', "1e400").encode()
    return lambda request: httpx.Response(
        200, content=text, headers={"Content-Type": "application/json"}
    )


# -- XML ------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title></entry></feed>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry><id>http://arxiv.org/abs/2106.09685v2</id><title>&secret;</title></entry>
</feed>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<feed xmlns="http://www.w3.org/2005/Atom"/>
"""


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "parameter-entity"],
)
def test_xml_entities_are_refused_not_expanded(body: bytes) -> None:
    frame = _run("arxiv", _xml(body))
    messages = _errors(frame, "arxiv")
    assert messages
    assert all("refused XML with a DTD or entities" in m for m in messages), messages
    cells = str(frame.to_dicts())
    assert "lollol" not in cells
    assert "root:" not in cells
    # The other sources still answered.
    assert frame["s2_paper_id"].to_list()[:3] == ["a" * 40, "b" * 40, "c" * 40]
    assert frame.row(3, named=True)["repo_full_name"] == "new-owner/renamed"


def test_entity_refusal_is_not_retried() -> None:
    sent = []

    def bomb(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return _xml(BILLION_LAUGHS)(request)

    _run("arxiv", bomb)
    # One title search and one id lookup; neither asked again.
    assert len(sent) == len(set(map(str, sent)))


INVALID_UTF8_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    b"<entry><id>http://arxiv.org/abs/2106.09685v2</id><title>Lo\xff\xfeRA</title></entry></feed>"
)


def test_invalid_utf8_xml_is_a_row_error() -> None:
    frame = _run("arxiv", _xml(INVALID_UTF8_XML))
    messages = _errors(frame, "arxiv")
    assert messages
    assert all("not valid XML" in m for m in messages), messages


def test_xml_that_is_not_an_atom_feed_is_a_row_error() -> None:
    frame = _run("arxiv", _xml(b"<rss><channel><item>x</item></channel></rss>"))
    messages = _errors(frame, "arxiv")
    assert messages
    assert all("not an Atom feed" in m for m in messages), messages


# -- size -----------------------------------------------------------------------------------


def _huge_declared(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b"[" + b" " * (LIMIT * 4) + b"]")


def _huge_streamed(request: httpx.Request) -> httpx.Response:
    def chunks() -> Iterator[bytes]:
        yield b'{"data": ['
        for _ in range(10_000):  # 10 MB in all, unless the reader stops early
            yield b" " * 1024
        yield b"]}"

    # No Content-Length: only counting while reading can stop it.
    return httpx.Response(200, content=chunks())


@pytest.mark.parametrize("answer", [_huge_declared, _huge_streamed], ids=["declared", "streamed"])
@pytest.mark.parametrize("source", ["arxiv", "s2", "github"])
def test_oversized_answers_are_refused(source: str, answer: Handler) -> None:
    frame = _run(source, answer)
    messages = _errors(frame, source)
    assert messages
    assert all(f"larger than max_response_bytes ({LIMIT} bytes)" in m for m in messages)


def test_oversized_stream_is_not_read_to_the_end() -> None:
    read = {"chunks": 0}

    def counted(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(10_000):
                read["chunks"] += 1
                yield b" " * 1024

        return httpx.Response(200, content=chunks())

    _run("s2", counted)
    assert 0 < read["chunks"] <= 4 * (LIMIT // 1024 + 1)


# -- JSON -----------------------------------------------------------------------------------


def _batch(item: Callable[[str], Any]) -> Handler:
    """A ``/paper/batch`` answer of the right length, one ``item(id)`` per id asked."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/paper/batch"):
            ids = json.loads(request.content)["ids"]
            return _json_answer([item(i) for i in ids])(request)
        return httpx.Response(404, json={"error": "Title match not found"})

    return answer


def test_s2_strings_for_numbers_are_read_or_dropped() -> None:
    def item(paper: str) -> dict[str, Any]:
        return {
            "paperId": "d" * 40,
            "title": "Attention Is All You Need",
            "citationCount": "1234",
            "influentialCitationCount": "many",
            "year": "2017",
            "corpusId": "not a number",
            "referenceCount": "Infinity!",
            "externalIds": {"ArXiv": paper.removeprefix("ARXIV:"), "CorpusId": "x"},
        }

    frame = _run("s2", _batch(item))
    assert _errors(frame, "s2") == []
    lora = frame.row(0, named=True)
    assert lora["s2_paper_id"] == "d" * 40
    assert lora["citation_count"] == 1234
    assert lora["influential_citation_count"] is None
    assert lora["reference_count"] is None
    assert lora["s2_corpus_id"] is None


NULLS = {
    "paperId": None,
    "title": None,
    "externalIds": None,
    "authors": None,
    "venue": None,
    "publicationVenue": None,
    "journal": None,
    "year": None,
    "citationCount": None,
}
WRONG_CONTAINERS = {
    "paperId": "e" * 40,
    "title": ["Attention Is All You Need"],
    "externalIds": ["ArXiv", "1706.03762"],
    "authors": {"name": "Ashish Vaswani"},
    "venue": {"name": "NeurIPS"},
    "publicationVenue": "NeurIPS",
    "journal": ["Advances", 30],
    "publicationTypes": "Conference",
    "publicationDate": ["2017", "06", "12"],
    "year": [2017],
    "citationCount": {"value": 5},
    "matchScore": "high",
}


@pytest.mark.parametrize(
    "item",
    [NULLS, WRONG_CONTAINERS, [NULLS], "paper", 42, True],
    ids=["nulls", "wrong-containers", "list", "string", "number", "bool"],
)
def test_s2_batch_items_of_the_wrong_shape(item: Any) -> None:
    frame = _run("s2", _batch(lambda paper: item))
    assert _errors(frame, "s2") == []  # an unusable item reads as "unknown to S2"
    for row in frame.iter_rows(named=True):
        if row["s2_paper_id"] is not None:
            assert row["s2_paper_id"] == "e" * 40
            assert row["citation_count"] is None
            assert row["year"] in (None, 2017, 2021)  # arXiv's year may stand


@pytest.mark.parametrize(
    "payload",
    [
        {"data": [NULLS]},
        {"ids": [1, 2]},
        "a string",
        None,
        [[None, None]],
        {"data": {"paperId": "f" * 40}},
        {"data": [None, 5, "x", [1]]},
        {"error": ["not", "a", "string"]},
    ],
    ids=["dict-of-nulls", "dict", "string", "null", "nested", "data-object", "junk", "error-list"],
)
def test_s2_whole_answers_of_the_wrong_shape(payload: Any) -> None:
    frame = _run("s2", _json_answer(payload))
    assert frame["s2_paper_id"].null_count() == frame.height
    bert = frame.row(2, named=True)  # only S2 knows the DOI row's paper
    assert bert["status"] in ("error", "not_found")


def test_invalid_utf8_json_is_a_row_error() -> None:
    body = b'[{"paperId": "\xff\xfe\xfd", "title": "x"}]'
    frame = _run("s2", lambda request: httpx.Response(200, content=body))
    messages = _errors(frame, "s2")
    assert messages
    assert all("not valid JSON" in m for m in messages), messages


@pytest.mark.parametrize(
    "payload",
    [
        {
            "full_name": ["new-owner", "renamed"],
            "stargazers_count": "many",
            "license": "MIT",
            "owner": None,
            "pushed_at": 12,
            "archived": "no",
        },
        {
            "full_name": "new-owner/renamed",
            "stargazers_count": "Infinity!",
            "pushed_at": "yesterday",
        },
        [{"full_name": "new-owner/renamed"}],
        {"message": {"nested": True}},
        None,
    ],
    ids=["wrong-types", "bad-values", "list", "message-object", "null"],
)
def test_github_rest_answers_of_the_wrong_shape(payload: Any) -> None:
    frame = _run("github", _json_answer(payload))
    code = frame.row(3, named=True)
    assert code["repo_stars"] is None
    assert code["repo_pushed_at"] is None
    if code["repo_full_name"] is None:
        assert _errors(frame, "github")


@pytest.mark.parametrize(
    "payload",
    [
        {"data": {"a0": [], "a1": "x"}, "errors": [{"path": 5}, "oops", {"type": ["RATE"]}]},
        {"data": None, "errors": {"message": 1}},
        {"errors": [{"message": ["x"], "type": None}]},
        {"data": {"a0": {"nameWithOwner": 5, "stargazerCount": "5", "primaryLanguage": "Go"}}},
        {"data": [1, 2, 3]},
    ],
    ids=["junk-errors", "errors-object", "message-list", "wrong-types", "data-list"],
)
def test_github_graphql_answers_of_the_wrong_shape(payload: Any) -> None:
    frame = _run("github", _json_answer(payload), token="ghp_test")
    for row in frame.iter_rows(named=True):
        assert row["repo_stars"] in (None, 5)
        assert row["repo_language"] is None


def test_html_error_page_with_status_200_is_a_row_error() -> None:
    page = b"<!DOCTYPE html><html><body><h1>Rate exceeded.</h1></body></html>"
    frame = _run("s2", lambda request: httpx.Response(200, content=page))
    messages = _errors(frame, "s2")
    assert messages
    assert all("got an HTML page" in m for m in messages), messages


def test_library_call_never_raises_for_a_hostile_source() -> None:
    fake = FakeServices(small_corpus(), enforce_rate_limits=False).transport()

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == HOSTS["s2"]:
            return httpx.Response(200, content=b"\x00" * 100)
        if request.url.host == HOSTS["arxiv"]:
            return httpx.Response(200, content=BILLION_LAUGHS)
        return fake.handle_request(request)

    frame = enrich.enrich(
        INPUTS,
        settings=fast_settings(max_attempts=1),
        transport=httpx.MockTransport(route),
    )
    assert frame["status"].to_list()[:3] == ["error", "error", "error"]
    assert frame.row(3, named=True)["repo_full_name"] == "new-owner/renamed"


def test_lone_surrogate_escapes_become_replacement_characters(tmp_path: Path) -> None:
    # Valid JSON, yet "\ud800" decodes to a str that no UTF-8 writer accepts: it
    # once ended the whole run when the table was built.
    item = (
        b'{"paperId": "\\ud800' + b"d" * 39 + b'", "title": "Attention \\udcff Is",'
        b' "venue": "\\ud83d", "authors": [{"name": "\\udfff"}], "citationCount": 5,'
        b' "externalIds": {"ArXiv": "2106.09685", "DOI": "10.1/x\\ud800"}}'
    )

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/paper/batch"):
            count = len(json.loads(request.content)["ids"])
            return httpx.Response(200, content=b"[" + b",".join([item] * count) + b"]")
        return httpx.Response(404, json={"error": "Title match not found"})

    frame = _run("s2", answer)
    lora = frame.row(0, named=True)
    assert lora["s2_paper_id"] == "\ufffd" + "d" * 39
    assert lora["venue"] == "\ufffd"
    assert lora["citation_count"] == 5
    write_table(frame, tmp_path / "out.parquet")
    write_table(frame, tmp_path / "out.csv")
    assert pl.read_parquet(tmp_path / "out.parquet")["venue"][0] == "\ufffd"


@pytest.mark.parametrize("depth", [900, 5_000])
def test_deeply_nested_json_is_a_row_error(depth: int) -> None:
    body = b"[" * depth + b'"\\ud800"' + b"]" * depth
    frame = _run("s2", lambda request: httpx.Response(200, content=body))
    assert frame["s2_paper_id"].null_count() == frame.height
    assert _errors(frame, "s2")


# -- hostile input --------------------------------------------------------------------------
#
# Files a user might be handed: every one ends as a clean table, or as one line on
# stderr and exit 2, never as a traceback.

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"


def _cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("enrich: error: ")
    assert "Traceback" not in result.output
    return lines[0]


def _megabyte_line(tmp_path: Path) -> Path:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"A" * 1_000_000)  # one line, no newline at all
    return path


def test_a_line_in_another_encoding_is_skipped_with_its_number_and_the_rest_kept(
    tmp_path: Path,
) -> None:
    output = tmp_path / "papers.csv"
    result = _cli("parse", str(FIXTURES / "mixed_encoding.txt"), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert f"skipped {FIXTURES / 'mixed_encoding.txt'}:2: line is not UTF-8 (byte 0xdc)" in (
        result.stderr
    )
    table = pl.read_csv(output, infer_schema=False)
    assert table["title"].to_list() == ["Attention Is All You Need", None]
    assert table["arxiv_id"].to_list() == [None, "2106.09685"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_megabyte_line, "line too long (1,000,000 characters; limit 10,000)"),
        (lambda tmp: _write(tmp / "latin1.txt", "Über\nÄra\n".encode("latin-1")), "cannot decode"),
        (lambda tmp: FIXTURES / "no_papers.txt", "no papers found"),
        (lambda tmp: _write(tmp / "nul.txt", b"2106.09685\x00\x00\n"), "binary file (NUL bytes)"),
        (lambda tmp: _write(tmp / "empty.txt", b""), "file is empty"),
        (lambda tmp: _write(tmp / "surrogates.jsonl", b'{"title": "\\ud800"}\n'), "lone UTF-16"),
    ],
    ids=["megabyte-line", "mixed-encodings", "empty-list", "nul-bytes", "empty-file", "surrogate"],
)
def test_unusable_inputs_are_one_line_and_exit_2(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    output = tmp_path / "out.csv"
    line = _one_line_error(_cli("run", str(make(tmp_path)), "-o", str(output)))
    assert reason in line
    assert not output.exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_hostile_lines_are_skipped_and_the_rest_enriched(tmp_path: Path) -> None:
    # A megabyte line, NUL bytes and half a UTF-16 pair among good lines.
    lines = ["2106.09685", "x" * 1_000_000, "bad\x00line", "Attention Is All You Need"]
    read = enrich.read_papers(lines)
    assert read["arxiv_id"].to_list() == ["2106.09685", None]
    assert read["title"].to_list() == [None, "Attention Is All You Need"]
    json_papers = enrich.read_papers(str(FIXTURES / "lone_surrogates.json"))
    assert json_papers["title"].to_list() == ["Attention Is All You Need"]

    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    result = enrich_result(
        [*lines, str(FIXTURES / "lone_surrogates.json")],
        settings=fast_settings(),
        transport=fake.transport(),
    )
    assert result.frame is not None
    assert result.frame["arxiv_id"].to_list() == ["2106.09685", "1706.03762"]
    reasons = sorted(skip.reason.split(" (")[0] for skip in result.read.skipped)
    assert reasons == ["NUL byte in line", "line too long"] + ["text is not valid Unicode"] * 2


def test_formula_titles_do_not_become_spreadsheet_formulas(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    with fake.serve() as server:
        env = {**server.env(), "ENRICH_ARXIV_MIN_INTERVAL": "0", "ENRICH_S2_MIN_INTERVAL": "0"}
        result = _cli("run", str(FIXTURES / "formulas.csv"), "-o", str(output), env=env)
    assert result.exit_code == 0, result.output

    with output.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    titles = [row["title"] for row in rows]
    assert titles[0].startswith("'=HYPERLINK(")
    assert titles[1:5] == [
        "'+cmd|' /C calc'!A0",
        "'-2+3+cmd|' /C calc'!A0",
        "'@SUM(1+9)*cmd|' /C calc'!A0",
        "'=1+1 after a tab",
    ]
    assert titles[5] == "Attention Is All You Need"
    risky = [
        (column, cell)
        for row in rows
        for column, cell in row.items()
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(cell)
    ]
    assert risky == []


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_thousands_of_duplicates_are_three_rows_and_few_requests(tmp_path: Path) -> None:
    # Three papers, each spelt three ways, 5,000 times over.
    spellings = [
        ["arXiv:2106.09685v2", "https://arxiv.org/abs/2106.09685", "2106.09685"],
        ["Attention is all you need", "  ATTENTION IS ALL YOU NEED ", "Attention Is All You Need"],
        ["https://doi.org/10.18653/v1/N19-1423", "10.18653/V1/N19-1423", "10.18653/v1/n19-1423"],
    ]
    lines = [spellings[k % 3][(k // 3) % 3] for k in range(15_000)]
    path = tmp_path / "copies.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    result = enrich_result(str(path), settings=fast_settings(), transport=fake.transport())

    assert result.frame is not None
    assert result.frame.height == 3
    assert result.read.read == 15_000
    assert result.read.duplicates_merged == 14_997
    assert result.frame["arxiv_id"].to_list() == ["2106.09685", "1706.03762", None]
    assert [len(origins) for origins in result.frame["origins"]] == [5_000] * 3
    assert len(fake.log) <= 8, [(e.source, e.endpoint) for e in fake.log]


# -- properties of the text reader ----------------------------------------------------------

_LINE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=80
)
_WORDS = st.lists(st.from_regex(r"[A-Za-z][a-z]{1,9}", fullmatch=True), min_size=1, max_size=8)


def _candidate_lines(text: str) -> list[str]:
    return [line for line in split_lines(text) if line.strip() and not line.strip().startswith("#")]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_text_is_read_line_by_line_without_raising(text: str) -> None:
    parsed = parse_text(text, "list.txt")
    # Every line that is not blank or a comment is one paper or one skip, never both.
    accounted = [p.origins[0] for p in parsed.papers] + [s.origin for s in parsed.skipped]
    assert len(accounted) == len(set(accounted)) == len(_candidate_lines(text))
    for skip in parsed.skipped:
        assert "\n" not in skip.reason
    for paper in parsed.papers:
        assert paper.title is None or paper.title == " ".join(paper.title.split())


@settings(max_examples=100, deadline=None)
@given(st.lists(_LINE_TEXT, min_size=1, max_size=12))
@example([":"])  # once two rows: a symbols-only "title" was never merged (now skipped)
def test_reading_the_same_lines_twice_adds_no_paper(lines: list[str]) -> None:
    def fields(source: list[str]) -> list[dict[str, Any]] | None:
        try:
            report = read_inputs(source)
        except InputError:
            return None
        return [p.model_dump(exclude={"origins"}) for p in report.papers]

    assert fields(lines + lines) == fields(lines)


@settings(max_examples=100, deadline=None)
@given(_WORDS, st.sampled_from(["", "  ", "\t", "- ", "* "]), st.sampled_from(["", " ", "\r"]))
def test_a_title_read_back_is_the_same_title(words: list[str], lead: str, tail: str) -> None:
    title = " ".join(words)
    first = parse_text(f"{lead}{title}{tail}\n", "a.txt").papers
    if not first:  # a word list that spells an identifier is not a title
        return
    (paper,) = first
    assert paper.title is not None
    (again,) = parse_text(paper.title + "\n", "b.txt").papers
    assert again.model_dump(exclude={"origins"}) == paper.model_dump(exclude={"origins"})
