"""The notebook-first experience (issue #12, points 4 and 5)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import enrich
import enrich._progress
from enrich._api import EnrichResult, enrich_result
from enrich._example import example_files
from enrich._inputs import ReadReport
from enrich._pipeline import RunReport
from enrich._progress import ProgressDisplay, in_jupyter
from enrich.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example_result() -> EnrichResult:
    papers, cassette = example_files()
    return enrich_result(papers, replay=cassette, progress=False)


# --- enrich example: the shipped example, from package data ---------------------------


def test_enrich_example_works_in_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["example", "-o", "enriched.parquet"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.stderr
    df = pl.read_parquet(tmp_path / "enriched.parquet")
    assert df.height == 30
    assert set(df["status"]) == {"ok"}
    assert df.filter(pl.col("arxiv_id") == "2601.93909")["repo_stars"].to_list() == [3]


def test_example_files_prefer_package_data_and_fall_back_to_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers, cassette = example_files()
    assert (papers, cassette) == (
        ROOT / "examples" / "papers.txt",
        ROOT / "cassettes" / "example.yaml",
    )
    # A wheel install has the package data instead; make a fake package to look at.
    package = tmp_path / "enrich"
    (package / "_example_data").mkdir(parents=True)
    (package / "_example_data" / "papers.txt").write_text("2106.09685\n", encoding="utf-8")
    (package / "_example_data" / "example.yaml").write_text("interactions: []\n", encoding="utf-8")
    monkeypatch.setattr(
        "enrich._example.resources.files", lambda name: package if name == "enrich" else None
    )
    assert example_files() == (
        package / "_example_data" / "papers.txt",
        package / "_example_data" / "example.yaml",
    )


# --- EnrichResult's reprs ------------------------------------------------------------


def test_repr_is_a_short_summary(example_result: EnrichResult) -> None:
    text = repr(example_result)
    lines = text.splitlines()
    assert len(lines) < 20
    assert len(text) < 1_000
    assert lines[0] == "EnrichResult"
    assert "rows      30 (30 ok)" in text
    assert "arxiv     2 requests, 0 cache hits, 0 retries" in text
    assert f"result.frame: 30 rows x {len(enrich.OUTPUT_SCHEMA)} columns" in text
    assert any(line.strip().startswith("time") for line in lines)


def test_html_repr_has_the_same_summary_escaped(example_result: EnrichResult) -> None:
    page = example_result._repr_html_()
    assert page.startswith("<table>")
    for label, text in example_result.summary():
        assert f">{label}</th><td style='text-align:left'>{text}</td>" in page


def test_html_repr_escapes_markup() -> None:
    result = EnrichResult(frame=None, report=RunReport(), read=ReadReport())
    result.report.statuses = {"<b>x</b>": 1}
    assert "<b>" not in result._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in result._repr_html_()


# --- progress ----------------------------------------------------------------------


def _fake_ipython(monkeypatch: pytest.MonkeyPatch, shell_name: str) -> None:
    shell_class = type(shell_name, (), {})
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell_class()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_jupyter_is_detected_from_the_kernel_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not in_jupyter()
    _fake_ipython(monkeypatch, "TerminalInteractiveShell")
    assert not in_jupyter()
    _fake_ipython(monkeypatch, "ZMQInteractiveShell")
    assert in_jupyter()


def test_progress_shows_by_default_in_jupyter_and_never_with_false(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    papers, cassette = example_files()
    _fake_ipython(monkeypatch, "ZMQInteractiveShell")
    monkeypatch.setattr(enrich._progress, "_widgets_available", lambda: False)
    enrich.enrich(papers, replay=cassette)
    shown = capsys.readouterr().err
    assert "progress: arxiv 30/30" in shown
    assert "s2 30/30" in shown
    enrich.enrich(papers, replay=cassette, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_is_off_by_default_outside_jupyter(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    papers, cassette = example_files()
    enrich.enrich(papers, replay=cassette)
    assert capsys.readouterr().err == ""


def test_progress_bars_render_with_rich_where_they_can() -> None:
    stream = io.StringIO()
    with ProgressDisplay(stream=stream, bars=True) as display:
        display("arxiv", 3, 10)
        display("arxiv", 10, 10)
    assert display.state == {"arxiv": (10, 10)}
    assert "10/10" in stream.getvalue()


def test_a_callback_still_gets_every_update() -> None:
    papers, cassette = example_files()
    seen: list[tuple[str, int, int]] = []
    enrich.enrich(papers, replay=cassette, progress=lambda *update: seen.append(update))
    assert ("arxiv", 30, 30) in seen
    assert {source for source, _, _ in seen} == {"arxiv", "s2", "github", "hf"}


# --- the public corpus generator and serve --write-inputs ------------------------------


def test_generate_corpus_is_public_api() -> None:
    from enrich.testing import GeneratedWorkload, generate_corpus

    work = generate_corpus(5, seed=1)
    assert isinstance(work, GeneratedWorkload)
    assert "generate_corpus" in enrich.testing.__all__


def test_serve_write_inputs_writes_what_the_recipe_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "enrich.testing", "serve", "--port", "0", "--generate", "30",
            "--seed", "4", "--no-rate-limits", "--write-inputs", str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        # All four lines: a URL left unset would send its source to the real service.
        urls = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(4))
        assert set(urls) == {f"ENRICH_{s}_URL" for s in ("ARXIV", "S2", "GITHUB", "HF")}
        for name, value in urls.items():
            monkeypatch.setenv(name, value)
        for source in ("ARXIV", "S2", "GITHUB", "HF"):
            monkeypatch.setenv(f"ENRICH_{source}_MIN_INTERVAL", "0")
        assert {p.name for p in tmp_path.iterdir()} >= {"inputs.csv", "truth.json"}
        out = tmp_path / "enriched.parquet"
        result = CliRunner().invoke(
            main, ["run", str(tmp_path / "inputs.csv"), "--no-cache", "-q", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    df = pl.read_parquet(out)
    assert df.height == len(truth) == 30
    expected = [row["arxiv_id"] for row in truth]
    hits = sum(got == want for got, want in zip(df["arxiv_id"], expected, strict=True))
    assert hits >= 27  # the generator's confusers make a few papers hard on purpose


def test_write_inputs_refuses_a_corpus_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.json"
    enrich.testing.Corpus().save(corpus)
    done = subprocess.run(
        [sys.executable, "-m", "enrich.testing", "serve", "--corpus", str(corpus),
         "--write-inputs", str(tmp_path)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 2
    assert "--write-inputs needs a generated workload" in done.stderr
