"""What a release carries: the sdist, the wheel built from it, typing, license, dependencies.

The builds run in process through hatchling's own builders, the same code
``python -m build`` runs; ``.ci/run`` also installs the wheel into a fresh
virtualenv and runs it (issue #12, point 1).
"""

from __future__ import annotations

import ast
import logging
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ADAPTERS = sorted(p.name for p in (ROOT / "adapters").glob("*.py"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str]]:
    """Names in the sdist, and in the wheel built from the unpacked sdist."""
    hatchling_sdist = pytest.importorskip("hatchling.builders.sdist")
    hatchling_wheel = pytest.importorskip("hatchling.builders.wheel")
    out = tmp_path_factory.mktemp("dist")
    (sdist,) = hatchling_sdist.SdistBuilder(str(ROOT)).build(
        directory=str(out), versions=["standard"]
    )
    with tarfile.open(sdist) as archive:
        sdist_names = archive.getnames()
        archive.extractall(out / "unpacked", filter="data")
    (source,) = (out / "unpacked").iterdir()
    (wheel,) = hatchling_wheel.WheelBuilder(str(source)).build(
        directory=str(out / "wheel"), versions=["standard"]
    )
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = archive.namelist()
    return [name.split("/", 1)[1] for name in sdist_names if "/" in name], wheel_names


def test_sdist_carries_the_adapters_license_and_build_hook(
    built: tuple[list[str], list[str]],
) -> None:
    sdist, _ = built
    assert {f"adapters/{name}" for name in ADAPTERS} <= set(sdist)
    assert {"LICENSE", "hatch_build.py", "enrich/py.typed", "cassettes/example.yaml"} <= set(sdist)
    assert "examples/papers.txt" in sdist


def test_wheel_from_the_sdist_has_enrich_adapters_and_no_top_level_adapters(
    built: tuple[list[str], list[str]],
) -> None:
    _, wheel = built
    assert {f"enrich/adapters/{name}" for name in ADAPTERS} <= set(wheel)
    assert not [name for name in wheel if name.startswith("adapters/")]
    assert len(wheel) == len(set(wheel)), "a file is in the wheel twice"


def test_wheel_ships_typing_marker_license_and_the_example(
    built: tuple[list[str], list[str]],
) -> None:
    _, wheel = built
    assert "enrich/py.typed" in wheel
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in wheel)
    assert {"enrich/_example_data/papers.txt", "enrich/_example_data/example.yaml"} <= set(wheel)


def test_license_file_is_the_mit_license_pyproject_declares() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert (ROOT / "enrich" / "py.typed").is_file()


def test_editable_install_exposes_no_top_level_adapters() -> None:
    code = "import importlib.util, enrich.adapters; print(importlib.util.find_spec('adapters'))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True
    )
    assert done.stdout.strip() == "None"


def test_enrich_logger_has_a_null_handler_and_stays_silent_unconfigured() -> None:
    import enrich  # noqa: F401  (the import adds the handler)

    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("enrich").handlers)
    code = "import enrich, logging; logging.getLogger('enrich._client').warning('budget low')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == ""


def _requirement_names(requirements: list[str]) -> dict[str, str]:
    pairs = (re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", r) for r in requirements)
    return {m.group(1).lower(): m.group(2) for m in pairs if m}


def test_vcrpy_is_a_test_dependency_only_and_nothing_at_run_time_imports_it() -> None:
    runtime = _requirement_names(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert "vcrpy" not in runtime
    assert "wrapt" not in runtime
    assert "vcrpy" in _requirement_names(extras["test"])
    imported: set[str] = set()
    for path in [*(ROOT / "enrich").rglob("*.py"), *(ROOT / "adapters").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    assert "vcr" not in imported


def test_pandas_extra_brings_what_to_pandas_needs() -> None:
    pandas_extra = _requirement_names(PYPROJECT["project"]["optional-dependencies"]["pandas"])
    assert set(pandas_extra) == {"pandas", "pyarrow"}
    pytest.importorskip("pandas")
    import polars as pl

    converted = pl.DataFrame({"arxiv_id": ["2106.09685"], "year": [2021]}).to_pandas()
    assert converted["arxiv_id"].tolist() == ["2106.09685"]


def test_floors_are_the_versions_ci_pins() -> None:
    """`.ci/min-versions.txt` pins every runtime floor, and CI runs the suite on them."""
    floors = {
        name: spec.split(",")[0].removeprefix(">=")
        for name, spec in _requirement_names(PYPROJECT["project"]["dependencies"]).items()
    }
    pinned = dict(
        line.split("==")
        for line in (ROOT / ".ci" / "min-versions.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert {name.lower(): version for name, version in pinned.items()} == floors
    assert "min-versions.txt" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_bibtexparser_is_a_bench_extra_only() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert "bibtexparser" in _requirement_names(extras["bench"])
    assert "bibtexparser" not in _requirement_names(PYPROJECT["project"]["dependencies"])
