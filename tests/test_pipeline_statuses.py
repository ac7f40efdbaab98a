"""Per-source statuses when a source is unavailable (throttled or unreachable).

The client's breaker raises :class:`SourceUnavailableError` without a request
once a source keeps refusing; here a stand-in Client raises it for one source
(every other request goes to the fake services through the real Client), so
these tests show what the pipeline makes of it: the rows are ``skipped`` for
that source with the error's one line, the other sources carry on, no further
request is even offered to the client, and a row with any data is ``partial``.
The last test runs the real breaker end to end against an arXiv that answers
only 429.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from click.testing import CliRunner
from helpers import fast_settings, small_corpus

import enrich
import enrich._api
from enrich._api import EnrichResult, enrich_result
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import SourceUnavailableError
from enrich._schema import STATUS_SOURCES
from enrich._wire import Request, Response
from enrich.cli import main
from enrich.testing import FakeServices
from enrich.testing._generator import GeneratedWorkload, generate_corpus

THROTTLED = (
    "throttled (429 'Rate exceeded.' 6 times in 31 s); not asked again this run, try again later"
)
UNREACHABLE = "cannot reach export.arxiv.org: name not resolved; offline?"

#: Columns that only say how a row was answered, not what it holds.
_STATUS_COLUMNS = ("status", *(f"{s}_status" for s in STATUS_SOURCES), "status_notes", "errors")


class BreakerOpen(Client):
    """The real Client, except that ``down`` sources raise as an open breaker does.

    Counts the requests offered for each down source, so a test can show that
    the pipeline stops offering them after the first refusal.
    """

    def __init__(
        self, settings: Settings, *, down: Collection[str], why: str = "throttled", **kw: Any
    ) -> None:
        super().__init__(settings, **kw)
        self.down = frozenset(down)
        self.why = why
        self.offered: Counter[str] = Counter()

    def send(self, request: Request) -> Response:
        if request.source in self.down:
            self.offered[request.source] += 1
            text = THROTTLED if self.why == "throttled" else UNREACHABLE
            raise SourceUnavailableError(
                text, source=request.source, why=self.why, url=request.full_url
            )
        return super().send(request)


@pytest.fixture(scope="module")
def workload() -> GeneratedWorkload:
    return generate_corpus(80, seed=5)


def _inputs(workload: GeneratedWorkload) -> pl.DataFrame:
    return pl.DataFrame(workload.inputs)


def _run(
    workload: GeneratedWorkload, down: Collection[str], **kw: Any
) -> tuple[EnrichResult, BreakerOpen, FakeServices]:
    fake = FakeServices(workload.corpus, enforce_rate_limits=False)
    settings = fast_settings(github_token="t0ken")
    with BreakerOpen(settings, down=down, transport=fake.transport()) as client:
        result = enrich_result(_inputs(workload), client=client, **kw)
    return result, client, fake


def _without(workload: GeneratedWorkload, source: str | None) -> pl.DataFrame:
    """The table of a run that never selected ``source`` (every source with None)."""
    fake = FakeServices(workload.corpus, enforce_rate_limits=False)
    others = [s for s in STATUS_SOURCES if s != source]
    return enrich.enrich(
        _inputs(workload),
        settings=fast_settings(github_token="t0ken"),
        transport=fake.transport(),
        sources=others,
    )


def _assert_same_data(got: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert got.columns == expected.columns
    for name in got.columns:
        if name in _STATUS_COLUMNS or name == "fetched_at":
            continue
        assert got[name].to_list() == expected[name].to_list(), name


def test_arxiv_unavailable_rows_keep_every_other_answer_and_are_partial(
    workload: GeneratedWorkload, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="enrich"):
        # Four windows of 20 papers: the breaker is met once in the whole run.
        result, client, fake = _run(workload, down={"arxiv"}, window=20)
    frame = result.frame
    assert frame is not None
    # Every value is what a run without arXiv gives: S2 matched the input titles,
    # GitHub looked up the links the input gave.
    _assert_same_data(frame, _without(workload, "arxiv"))
    assert frame["s2_paper_id"].drop_nulls().len() > 40
    assert frame["repo_stars"].drop_nulls().len() > 10
    # The breaker was met once; no arXiv request was offered after it.
    assert client.offered == {"arxiv": 1}
    assert {e.source for e in fake.log} == {"s2", "github", "hf"}
    warnings = [r.getMessage() for r in caplog.records if "[arxiv]" in r.getMessage()]
    assert len(warnings) == 1
    assert THROTTLED in warnings[0]

    asked = frame.filter(pl.col("arxiv_status") != "not_asked")
    assert asked.height > 60
    assert set(asked["arxiv_status"]) == {"skipped"}
    assert set(frame["arxiv_status"]) <= {"skipped", "not_asked"}
    # A row with S2's data is partial, never error, and says arXiv did not answer.
    with_s2 = asked.filter(pl.col("s2_status") == "ok")
    assert set(with_s2["status"]) == {"partial"}
    for notes in with_s2["status_notes"]:
        assert notes[0] == f"arxiv skipped: {THROTTLED}"
    # A row no other source knew either: no data, so error (it may be found later).
    nothing = asked.filter(
        (pl.col("s2_status") != "ok")
        & (pl.col("github_status") != "ok")
        & (pl.col("hf_status") != "ok")
    )
    assert set(nothing["status"]) <= {"error"}
    report = result.report
    assert report.unavailable == {"arxiv": THROTTLED}
    for source in STATUS_SOURCES:
        assert report.source_statuses[source] == dict(Counter(frame[f"{source}_status"]))
    assert report.source_statuses["arxiv"]["skipped"] == asked.height
    assert report.statuses == dict(Counter(frame["status"]))
    assert (
        report.rows_with_data
        == frame.filter(pl.col("status") != "error").filter(pl.col("status") != "not_found").height
    )


def test_s2_unavailable_arxiv_and_github_carry_on(workload: GeneratedWorkload) -> None:
    result, client, fake = _run(workload, down={"s2"})
    frame = result.frame
    assert frame is not None
    _assert_same_data(frame, _without(workload, "s2"))
    assert client.offered == {"s2": 1}
    assert "s2" not in {e.source for e in fake.log}
    asked = frame.filter(pl.col("s2_status") != "not_asked")
    assert set(asked["s2_status"]) == {"skipped"}
    assert set(frame.filter(pl.col("arxiv_status") == "ok")["status"]) == {"partial"}
    assert all(f"s2 skipped: {THROTTLED}" in notes for notes in asked["status_notes"])


def test_github_unavailable_only_its_rows_are_skipped(workload: GeneratedWorkload) -> None:
    result, client, _ = _run(workload, down={"github"})
    frame = result.frame
    assert frame is not None
    clean = _without(workload, None)
    # The repository links are still found (input and arXiv comments); stars are not.
    for name in ("arxiv_id", "s2_paper_id", "citation_count", "repo_url", "venue"):
        assert frame[name].to_list() == clean[name].to_list(), name
    assert frame["repo_stars"].null_count() == frame.height
    linked = frame.filter(pl.col("repo_url").is_not_null())
    assert set(linked["github_status"]) == {"skipped"}
    assert set(frame.filter(pl.col("repo_url").is_null())["github_status"]) == {"not_asked"}
    # Input links first, then arXiv-comment links: the second step is not offered at all.
    assert client.offered == {"github": 1}
    assert set(linked["status"]) <= {"partial", "error"}
    assert result.report.source_statuses["github"]["skipped"] == linked.height


def test_every_source_unavailable_no_row_has_data(workload: GeneratedWorkload) -> None:
    result, client, fake = _run(workload, down=set(STATUS_SOURCES))
    frame = result.frame
    assert frame is not None
    assert fake.log.snapshot() == []
    assert client.offered == dict.fromkeys(STATUS_SOURCES, 1)
    assert set(frame["status"]) == {"error"}
    assert result.report.rows_with_data == 0
    assert set(result.report.unavailable) == set(STATUS_SOURCES)
    assert result.report.not_found == 0
    assert result.report.unavailable_lines() == [
        f"{source}: skipped for {(frame[f'{source}_status'] == 'skipped').sum()} rows"
        f" \u2014 {THROTTLED}"
        for source in STATUS_SOURCES
    ]


def test_unreachable_is_skipped_with_its_reason() -> None:
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    with BreakerOpen(
        fast_settings(), down={"arxiv"}, why="unreachable", transport=fake.transport()
    ) as client:
        frame = enrich.enrich(["2106.09685", "Attention Is All You Need"], client=client)
    assert frame["arxiv_status"].to_list() == ["skipped", "skipped"]
    assert frame["s2_paper_id"].to_list() == ["a" * 40, "b" * 40]
    assert frame["status"].to_list() == ["partial", "partial"]
    assert frame["status_notes"].to_list() == [[f"arxiv skipped: {UNREACHABLE}"]] * 2
    assert frame["errors"].to_list() == [[f"[arxiv] not looked up: {UNREACHABLE}"]] * 2


def _cli_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, down: Collection[str], *papers: str
) -> tuple[int, str, pl.DataFrame, FakeServices]:
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)

    # The CLI builds its own Client: this is the one seam to give it an open breaker.
    def build(settings: Settings, **kw: Any) -> BreakerOpen:
        return BreakerOpen(settings, down=down, **{**kw, "transport": fake.transport()})

    monkeypatch.setattr(enrich._api, "Client", build)
    out = tmp_path / "out.parquet"
    pace = dict.fromkeys(
        ("ENRICH_ARXIV_MIN_INTERVAL", "ENRICH_S2_MIN_INTERVAL", "ENRICH_GITHUB_MIN_INTERVAL"), "0"
    )
    result = CliRunner().invoke(main, ["run", *papers, "--no-cache", "-o", str(out)], env=pace)
    return result.exit_code, result.output, pl.read_parquet(out), fake


def test_cli_arxiv_throttled_exits_0_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = ("2106.09685", "Attention Is All You Need", "A Paper Nobody Wrote")
    code, output, frame, _ = _cli_run(tmp_path, monkeypatch, {"arxiv"}, *papers)
    assert code == 0, output
    expected = pl.DataFrame(
        {
            "s2_paper_id": ["a" * 40, "b" * 40, None],
            "status": ["partial", "partial", "error"],
            "arxiv_status": ["skipped"] * 3,
            "s2_status": ["ok", "ok", "not_found"],
            "github_status": ["not_asked"] * 3,
            "status_notes": [
                [f"arxiv skipped: {THROTTLED}"],
                [f"arxiv skipped: {THROTTLED}"],
                [f"arxiv skipped: {THROTTLED}", "s2 not_found"],
            ],
        }
    )
    for name in expected.columns:
        assert frame[name].to_list() == expected[name].to_list(), name
    assert "rows: 2 partial, 1 error" in output
    assert "  arxiv : 3 skipped" in output
    assert "  s2    : 2 ok, 1 not_found" in output
    assert f"arxiv: skipped for 3 rows \u2014 {THROTTLED}" in output


def test_cli_every_source_unavailable_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = ("2106.09685", "https://github.com/microsoft/LoRA")
    code, output, frame, fake = _cli_run(tmp_path, monkeypatch, STATUS_SOURCES, *links)
    assert code == 1
    assert "no row could be enriched" in output
    assert frame["status"].to_list() == ["error", "error"]
    assert frame["github_status"].to_list() == ["not_asked", "skipped"]
    for source in ("arxiv", "s2", "github"):
        assert f"{source}: skipped for " in output
    assert fake.log.snapshot() == []


def test_github_budget_running_out_is_skipped() -> None:
    """Unauthenticated GitHub: 60 lookups an hour, then the rest are skipped."""
    fake = FakeServices(small_corpus(), enforce_rate_limits=True, clock=FakeClock())
    links = [f"https://github.com/owner/repo-{n}" for n in range(62)]
    with Client(
        fast_settings(retry_budget=60.0), transport=fake.transport(), clock=FakeClock()
    ) as client:
        result = enrich_result(links, client=client, sources=("github",))
    frame = result.frame
    assert frame is not None
    statuses = frame["github_status"].to_list()
    assert statuses[:60] == ["not_found"] * 60
    assert statuses[60:] == ["skipped", "skipped"]
    assert frame["status"].to_list() == ["not_found"] * 60 + ["error", "error"]
    # The reason says what ran out and what to do about it.
    for notes in frame["status_notes"][60:]:
        (note,) = notes
        assert note.startswith("github skipped: ")
        assert "rate" in note
        assert "set GITHUB_TOKEN" in note
    assert result.report.source_statuses["github"] == {"not_found": 60, "skipped": 2}


def _arxiv_429(inner: httpx.BaseTransport) -> httpx.BaseTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "export.arxiv.org":
            return httpx.Response(429, content=b"Rate exceeded.")
        return inner.handle_request(request)

    return httpx.MockTransport(handle)


def test_end_to_end_arxiv_answering_only_429(workload: GeneratedWorkload) -> None:
    """The real Client on the fakes, arXiv throttled throughout: its breaker opens."""
    fake = FakeServices(workload.corpus, enforce_rate_limits=False, clock=FakeClock())
    arxiv_requests: list[httpx.Request] = []

    def counting(inner: httpx.BaseTransport) -> httpx.BaseTransport:
        throttled = _arxiv_429(inner)

        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.host == "export.arxiv.org":
                arxiv_requests.append(request)
            return throttled.handle_request(request)

        return httpx.MockTransport(handle)

    settings = fast_settings(github_token="t0ken", retry_budget=1e9)
    with Client(settings, transport=counting(fake.transport()), clock=FakeClock()) as client:
        result = enrich_result(_inputs(workload), client=client)
    frame = result.frame
    assert frame is not None
    assert len(arxiv_requests) <= 8
    # Every row S2 or GitHub knows still has their data.
    _assert_same_data(frame, _without(workload, "arxiv"))
    # The call that opened the breaker raised it too: every row that needed arXiv is skipped.
    asked = frame.filter(pl.col("arxiv_status") != "not_asked")
    assert asked.height > 60
    assert set(asked["arxiv_status"]) == {"skipped"}
    for notes in asked["status_notes"]:
        assert notes[0].startswith("arxiv skipped: ")
        assert "try again later" in notes[0]
    with_s2 = frame.filter(pl.col("s2_status") == "ok")
    assert with_s2.height > 40
    assert set(with_s2["status"]) == {"partial"}
    assert "arxiv" in result.report.unavailable
    assert result.report.rows_with_data > 40


def test_end_to_end_no_network_exits_1_with_every_source_skipped(tmp_path: Path) -> None:
    """Every service on a closed port: each is unreachable, skipped with its reason, exit 1."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed: connections are refused.
    base = f"http://127.0.0.1:{port}"
    env = {
        "ENRICH_ARXIV_URL": f"{base}/api/query",
        "ENRICH_S2_URL": f"{base}/graph/v1",
        "ENRICH_GITHUB_URL": base,
        "ENRICH_HF_URL": base,
        "ENRICH_ARXIV_MIN_INTERVAL": "0",
        "ENRICH_S2_MIN_INTERVAL": "0",
        "ENRICH_GITHUB_MIN_INTERVAL": "0",
    }
    out = tmp_path / "out.parquet"
    papers = ["2106.09685", "Attention Is All You Need", "https://github.com/microsoft/LoRA"]
    result = CliRunner().invoke(main, ["run", *papers, "--no-cache", "-o", str(out)], env=env)
    assert result.exit_code == 1, result.output
    assert "no row could be enriched" in result.output
    frame = pl.read_parquet(out)
    assert frame["status"].to_list() == ["error"] * 3
    assert frame["arxiv_status"].to_list() == ["skipped", "skipped", "not_asked"]
    assert frame["s2_status"].to_list() == ["skipped", "skipped", "not_asked"]
    assert frame["github_status"].to_list() == ["not_asked", "not_asked", "skipped"]
    # The id row: arXiv, S2 and the Hub; the title row: arXiv and S2; the link: GitHub.
    assert [len(notes) for notes in frame["status_notes"]] == [3, 2, 1]
    for notes in frame["status_notes"]:
        assert all(" skipped: cannot reach 127.0.0.1" in note for note in notes)
    for source in STATUS_SOURCES:
        assert f"{source}: skipped for " in result.output
    # The one retry of an unreachable host is backoff, not a rate-limit wait. Its
    # length is full jitter (it may round to 0.0s), so only where it is counted is
    # asserted.
    arxiv_line = next(line for line in result.output.splitlines() if line.startswith("arxiv :"))
    assert "0.0s pacing" in arxiv_line
    assert "s backing off after errors" in arxiv_line
    assert "0.0s as the service asked" in arxiv_line


class _RefusePreprintLookups(httpx.BaseTransport):
    """S2 answers the batches that ask by DOI, and 503s those that ask by arXiv id only."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read() if request.url.path.endswith("/paper/batch") else b""
        if b"ARXIV:" in body and b"DOI:" not in body:
            return httpx.Response(503, text="Service Unavailable")
        return self.inner.handle_request(request)


def test_a_record_found_by_doi_is_not_reported_when_the_preprints_lookup_fails() -> None:
    """S2 keeps a preprint and its published version apart; the DOI gives the published
    one, which stands in until the lookup by arXiv id answers. When that lookup fails,
    the row reports no S2 record (and why), never the stand-in."""
    from enrich._config import Settings
    from enrich.testing._generator import generate_corpus

    work = generate_corpus(600, seed=1)
    # DOI -> the S2 records that carry it (a DOI can be on more than one record)
    by_doi: dict[str, list[Any]] = {}
    for paper in work.corpus.s2:
        doi = (paper.external_ids or {}).get("DOI")
        if doi:
            by_doi.setdefault(doi.lower(), []).append(paper)
    split = [
        i
        for i, (row, truth) in enumerate(zip(work.inputs, work.truth.rows, strict=True))
        if row["doi"] and not row["arxiv_id"] and truth.arxiv_id
        and (found := by_doi.get(row["doi"].lower().removeprefix("doi:")))
        and all("ArXiv" not in p.external_ids and p.paper_id != truth.s2_paper_id for p in found)
    ]  # fmt: skip
    assert split, "the generator splits some preprints from their published records"
    fake = FakeServices(work.corpus, enforce_rate_limits=False)
    settings = Settings.from_env(
        {}, use_cache=False, arxiv_min_interval=0, s2_min_interval=0, github_min_interval=0,
        backoff_base=0.001, backoff_max=0.01, github_token="t",
    )  # fmt: skip
    result = enrich.enrich_result(
        pl.DataFrame(work.inputs),
        settings=settings,
        transport=_RefusePreprintLookups(fake.transport()),
        sources=("arxiv", "s2"),
    )
    frame = result.frame
    assert frame is not None
    rows = {
        int(o.rsplit(":", 1)[1]) - 1: r for r in frame.iter_rows(named=True) for o in r["origins"]
    }
    for i in split:
        row = rows[i]
        assert row["arxiv_id"] == work.truth.rows[i].arxiv_id
        assert row["s2_paper_id"] is None
        assert row["s2_status"] in {"error", "skipped"}
        assert any(note.startswith("s2 ") for note in row["status_notes"])
    for i, row in rows.items():
        expected = work.truth.rows[i].s2_paper_id
        assert row["s2_paper_id"] in (None, expected), i
