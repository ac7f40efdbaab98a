"""The docstring examples in enrich/ are tests too: each must run and print what it shows.

CI runs this file with the rest of the suite (issue #12, point 5).  Examples
that need the network are marked ``# doctest: +SKIP`` where they stand.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import enrich

MODULES = [
    "enrich",
    *sorted(info.name for info in pkgutil.walk_packages(enrich.__path__, prefix="enrich.")),
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs=dict(vars(module))):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} docstring example(s) failed in {name}"


def test_the_public_functions_show_runnable_examples() -> None:
    finder = doctest.DocTestFinder()
    for function in (enrich.enrich, enrich.enrich_result, enrich.read_papers):
        (test,) = finder.find(function)
        runnable = [e for e in test.examples if not e.options.get(doctest.SKIP)]
        assert runnable, f"{function.__name__} has no example that runs"
