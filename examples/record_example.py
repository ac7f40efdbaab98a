"""Re-record ``cassettes/example.yaml``: ``enrich run examples/papers.txt`` against the fake services.

The cassette is synthetic: the fake services serve the corpus that
``enrich.testing._seed_corpus.build_seed_corpus`` builds from the project's
saved Daily Papers pages (real titles, invented ids and counts), so this
script runs only in the project's own workspace, where those pages sit beside
the checkout.  To record the same run
against the live APIs instead (polite, and slow: arXiv allows one request every
three seconds), run::

    enrich run examples/papers.txt --record cassettes/example-live.yaml -o enriched.parquet

Usage: ``python examples/record_example.py``
"""

from __future__ import annotations

from pathlib import Path

from enrich._api import SYNTHETIC_NOTE, enrich_result
from enrich._config import Settings
from enrich.testing import FakeServices
from enrich.testing._seed_corpus import build_seed_corpus

HERE = Path(__file__).resolve().parent
CASSETTE = HERE.parent / "cassettes" / "example.yaml"


def main() -> None:
    workload = build_seed_corpus()
    fake = FakeServices(workload.corpus, enforce_rate_limits=False)
    # Real base URLs and batch sizes, no token (a replay then needs none); pacing
    # is off because the in-process fake answers at once.
    settings = Settings.from_env(
        {},
        use_cache=False,
        arxiv_min_interval=0,
        s2_min_interval=0,
        github_min_interval=0,
        hf_min_interval=0,
    )
    result = enrich_result(
        HERE / "papers.txt", settings=settings, transport=fake.transport(), record=CASSETTE
    )
    text = CASSETTE.read_text(encoding="utf-8")
    CASSETTE.write_text(
        f"# {SYNTHETIC_NOTE}\n# Re-record: python examples/record_example.py\n" + text,
        encoding="utf-8",
    )
    frame = result.frame
    assert frame is not None
    print(f"recorded {result.recorded} exchanges to {CASSETTE}")
    print(frame.select("arxiv_id", "venue", "citation_count", "repo_stars", "status"))


if __name__ == "__main__":
    main()
