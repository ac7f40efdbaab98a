"""Adapters never touch httpx: they build Requests and parse Responses; the Client sends."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ADAPTERS = Path(__file__).resolve().parents[1] / "adapters"
SOURCES = sorted(ADAPTERS.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_adapters_folder_is_found() -> None:
    assert ADAPTERS / "base.py" in SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_adapter_does_not_import_httpx(path: Path) -> None:
    forbidden = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"httpx", "httpcore", "requests", "urllib3", "aiohttp"}
    }
    assert forbidden == set(), f"{path.name} imports {sorted(forbidden)}"


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom httpx import Client\nimport httpx as h\n")
    assert {"json", "httpx", "httpx.Client"} <= imported_modules(sample)
