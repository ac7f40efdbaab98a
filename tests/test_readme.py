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


def test_the_column_count_the_readme_gives_is_the_schemas() -> None:
    from enrich._schema import OUTPUT_SCHEMA

    counts = re.findall(r"(\d+) columns", README)
    assert counts
    assert {int(c) for c in counts} == {len(OUTPUT_SCHEMA)}


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
    [["parse"], ["run"], ["example"], ["schema"], ["cache", "stats"], ["cache", "clear"]],
)
def test_every_command_help_has_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_the_fake_services_example_prints_what_the_readme_shows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = re.search(
        r"```python\n(import polars as pl\n.*?)```\n\nprints\n\n```\n(.*?)```", README, re.S
    )
    assert found is not None
    code, shown = found.groups()
    assert "enrich.testing._" not in code  # public API only
    exec(compile(code, "README.md", "exec"), {})
    captured = capsys.readouterr()
    assert captured.out == shown
    assert captured.err == ""  # no GitHub budget warnings, no progress noise


def test_readme_says_virtualenv_python_311_and_the_import_name_clash() -> None:
    assert "Python 3.11 or newer" in README
    assert "python3 -m venv .venv" in README
    assert "pycontribs" in README
    assert "overwrites the other's\n`enrich/__init__.py`" in README


def test_no_shared_folder_paths_in_readme_help_or_examples() -> None:
    root = Path(__file__).resolve().parents[1]
    texts = {"README.md": README}
    for path in (root / "examples").iterdir():
        texts[f"examples/{path.name}"] = path.read_text(encoding="utf-8")
    runner = CliRunner()
    for command in (
        [], ["run"], ["parse"], ["example"], ["schema"], ["cache"], ["cache", "stats"],
        ["cache", "clear"],
    ):  # fmt: skip
        texts[f"enrich {' '.join(command)} --help"] = runner.invoke(
            main, [*command, "--help"]
        ).output
    offenders = [name for name, text in texts.items() if "../shared" in text or "shared/" in text]
    assert offenders == []


def test_every_flag_the_readme_names_for_settings_exists() -> None:
    paragraph = README[README.index("## Configuration") : README.index("| environment variable")]
    flags = re.findall(r"`(--[a-z-]+)`", paragraph)
    assert len(flags) >= 7
    help_text = CliRunner().invoke(main, ["run", "--help"]).output
    assert [flag for flag in flags if flag not in help_text] == []


def test_the_server_recipe_writes_the_inputs_it_runs() -> None:
    recipe = README[README.index("As a server") :]
    assert "--write-inputs ." in recipe
    assert "enrich run inputs.csv" in recipe
