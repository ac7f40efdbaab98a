"""CLI consistency (issue #12, point 6) and the output check before any request (#15, item 8)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

import enrich._api
from enrich._config import Settings
from enrich._exceptions import ConfigError
from enrich.cli import main
from enrich.testing import Corpus, FakeServices

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "papers.txt"
CASSETTE = str(ROOT / "cassettes" / "example.yaml")


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    level = logging.getLogger().level
    yield
    logging.getLogger().setLevel(level)


@pytest.mark.parametrize(
    "args",
    [
        ["-q", "run", str(EXAMPLE), "--replay", CASSETTE],
        ["run", str(EXAMPLE), "--replay", CASSETTE, "-q"],
        ["--quiet", "parse", str(EXAMPLE)],
        ["parse", str(EXAMPLE), "--quiet"],
    ],
)
def test_quiet_works_before_or_after_the_command(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out.parquet"
    code, output = invoke(*args, "-o", str(out))
    assert code == 0, output
    assert output == ""
    assert pl.read_parquet(out).height == 30


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_works_before_or_after_the_command(tmp_path: Path, where: str) -> None:
    logging.getLogger().setLevel(logging.WARNING)
    command = ["parse", str(EXAMPLE), "-o", str(tmp_path / "p.csv")]
    args = ["-vv", *command] if where == "before" else [*command, "-vv"]
    code, output = invoke(*args)
    assert code == 0, output
    assert logging.getLogger().level == logging.DEBUG


def test_every_setting_flag_reaches_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Settings] = []
    real = enrich._api.enrich_result

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["settings"])
        return real(*args, **kwargs)

    monkeypatch.setattr(enrich._api, "enrich_result", spy)
    code, output = invoke(
        "run", str(EXAMPLE), "--replay", CASSETTE, "-o", str(tmp_path / "x.parquet"), "-q",
        "--match-threshold", "0.95", "--timeout", "7", "--max-attempts", "2",
        "--retry-budget", "12.5", "--mailto", "me@example.org",
    )  # fmt: skip
    assert code == 0, output
    (settings,) = seen
    assert (settings.match_threshold, settings.timeout, settings.max_attempts) == (0.95, 7.0, 2)
    assert (settings.retry_budget, settings.mailto) == (12.5, "me@example.org")


def test_a_flag_overrides_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENRICH_MATCH_THRESHOLD", "0.5")
    code, output = invoke(
        "run", str(EXAMPLE), "-o", str(tmp_path / "x.parquet"), "--match-threshold", "1.5"
    )
    assert code == 2
    assert output.strip().splitlines() == [
        "enrich: error: invalid settings: match_threshold: Input should be less than or equal to 1"
    ]


def test_dash_reads_the_inputs_from_stdin(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    text = EXAMPLE.read_text(encoding="utf-8")
    code, output = invoke("run", "-", "--replay", CASSETTE, "-o", str(out), "-q", stdin=text)
    assert code == 0, output
    df = pl.read_parquet(out)
    assert df.height == 30
    assert set(df["status"]) == {"ok"}
    assert df["origins"][0].to_list() == ["<stdin>:7"]


def test_dash_for_parse_reads_csv_from_stdin(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, output = invoke(
        "parse", "-", "-o", str(out), stdin="title,arxiv_id\nSome Paper,2106.09685\n"
    )
    assert code == 0, output
    assert pl.read_csv(out, infer_schema=False)["arxiv_id"].to_list() == ["2106.09685"]


def test_empty_stdin_is_one_line(tmp_path: Path) -> None:
    code, output = invoke("parse", "-", "-o", str(tmp_path / "x.csv"), stdin="")
    assert code == 2
    assert output.strip() == "enrich: error: <stdin>: nothing on standard input"


@pytest.mark.parametrize("command", [["run"], ["parse"]])
def test_help_says_ids_titles_and_stdin_are_accepted_inline(command: list[str]) -> None:
    code, output = invoke(*command, "--help")
    assert code == 0
    flat = " ".join(output.split())
    assert "ids and titles given inline" in flat
    assert "- to read standard input" in flat


def test_run_help_lists_every_setting_flag() -> None:
    _, output = invoke("run", "--help")
    for flag in ("--match-threshold", "--timeout", "--max-attempts", "--retry-budget", "--mailto"):
        assert flag in output


def test_inline_ids_are_papers_not_files(tmp_path: Path) -> None:
    out = tmp_path / "p.parquet"
    code, output = invoke("parse", "2106.09685", "Attention Is All You Need", "-o", str(out))
    assert code == 0, output
    df = pl.read_parquet(out)
    assert df["arxiv_id"].to_list() == ["2106.09685", None]
    assert df["title"].to_list() == [None, "Attention Is All You Need"]


# --- issue #15, item 8: the output is checked before the first request -------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    fake = FakeServices(Corpus(), enforce_rate_limits=False)
    with fake.serve() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield fake


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("out.xlsx", "unknown extension .xlsx (valid: .parquet, .csv, .tsv, .ndjson, "),
        ("missing/out.parquet", "folder {tmp}/missing does not exist"),
        ("a-file/out.csv", "{tmp}/a-file is not a folder"),
        ("a-folder.csv", "it is a folder"),
    ],
)
def test_a_bad_output_fails_in_one_line_before_any_request(
    tmp_path: Path, served: FakeServices, name: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "a-folder.csv").mkdir()
    code, output = invoke("run", "2106.09685", "--no-cache", "-o", str(tmp_path / name))
    assert code == 2
    (line,) = output.strip().splitlines()
    assert line.startswith(f"enrich: error: cannot write {tmp_path / name}: ")
    assert message.format(tmp=tmp_path) in line
    assert list(served.log) == []


def test_the_library_checks_the_output_before_reading_or_asking(tmp_path: Path) -> None:
    fake = FakeServices(Corpus(), enforce_rate_limits=False)
    with pytest.raises(ConfigError, match=r"folder .*nowhere does not exist"):
        enrich._api.enrich_result(
            ["2106.09685"],
            transport=fake.transport(),
            use_cache=False,
            output=tmp_path / "nowhere" / "x.parquet",
        )
    assert list(fake.log) == []


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="root can write into a read-only folder",
)
def test_an_unwritable_folder_fails_before_any_request(
    tmp_path: Path, served: FakeServices
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, output = invoke("run", "2106.09685", "--no-cache", "-o", str(locked / "x.parquet"))
    assert code == 2
    assert "is not writable" in output
    assert list(served.log) == []
