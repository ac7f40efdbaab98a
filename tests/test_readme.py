"""The README is the front door: its commands, tables and examples must stay true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from enrich._config import _ENV_NAMES, Settings
from enrich.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_front_door_has_one_command_each_for_install_main_job_and_tests() -> None:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == [
        'python -m pip install -e ".[test]"',
        "enrich run examples/papers.txt --replay cassettes/example.yaml -o enriched.parquet",
        "python -m pytest",
    ]


def test_schema_table_matches_enrich_schema() -> None:
    printed = CliRunner().invoke(main, ["schema", "--format", "markdown"]).output
    assert printed.strip() in README


def test_documented_environment_variables_exist_and_all_are_documented() -> None:
    documented = set(re.findall(r"`((?:ENRICH_[A-Z0-9_]+)|GITHUB_TOKEN|S2_API_KEY)`", README))
    real = {_ENV_NAMES.get(f, f"ENRICH_{f.upper()}") for f in Settings.model_fields}
    assert documented <= real, documented - real
    must = {
        "ENRICH_ARXIV_URL", "ENRICH_S2_URL", "ENRICH_GITHUB_URL", "ENRICH_ARXIV_MIN_INTERVAL",
        "ENRICH_S2_MIN_INTERVAL", "ENRICH_GITHUB_MIN_INTERVAL", "ENRICH_CACHE_DIR",
        "GITHUB_TOKEN", "S2_API_KEY", "ENRICH_MAILTO",
    }  # fmt: skip
    assert must <= documented


@pytest.mark.parametrize(
    "command",
    [["parse"], ["run"], ["schema"], ["cache", "stats"], ["cache", "clear"]],
)
def test_every_command_help_has_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_the_fake_services_example_runs() -> None:
    block = re.search(r"```python\n(import polars as pl\n.*?)```", README, re.S)
    assert block is not None
    exec(compile(block.group(1), "README.md", "exec"), {})
