"""The shipped example: 30 listed papers and a synthetic cassette of their run.

A wheel carries both files as package data (``enrich/_example_data/``, put
there by ``hatch_build.py``); a checkout or an editable install reads them
where the repository keeps them (``examples/papers.txt`` and
``cassettes/example.yaml``).  ``enrich example -o OUT`` replays the cassette,
so it needs no network, no credentials and no files of the user's.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from enrich._exceptions import ConfigError

__all__ = ["example_files"]

_PACKAGE_DATA = "_example_data"


def example_files() -> tuple[Path, Path]:
    """``(papers, cassette)``: the example's input list and its synthetic recording.

    Raises:
        ConfigError: neither the package data nor a checkout's files are present
            (a trimmed install).

    >>> papers, cassette = example_files()
    >>> papers.name, cassette.suffix
    ('papers.txt', '.yaml')
    """
    packaged = resources.files("enrich").joinpath(_PACKAGE_DATA)
    candidates = [
        (Path(str(packaged)) / "papers.txt", Path(str(packaged)) / "example.yaml"),
        # A checkout (editable install): the files the README's main job names.
        (
            Path(__file__).resolve().parents[1] / "examples" / "papers.txt",
            Path(__file__).resolve().parents[1] / "cassettes" / "example.yaml",
        ),
    ]
    for papers, cassette in candidates:
        if papers.is_file() and cassette.is_file():
            return papers, cassette
    raise ConfigError(
        "the shipped example is missing from this install "
        f"(looked in {candidates[0][0].parent} and {candidates[1][0].parent})"
    )
