"""`enrich.__all__` is exactly the public surface."""

from __future__ import annotations

import types

import enrich


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name, value in vars(enrich).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    # Order is checked by ruff (RUF022, isort-style sorting of __all__).
    assert set(enrich.__all__) == public | {"__version__"}
    assert len(enrich.__all__) == len(set(enrich.__all__))


def test_every_error_derives_from_enrich_error() -> None:
    errors = [getattr(enrich, n) for n in enrich.__all__ if n.endswith("Error") or n == "Cancelled"]
    assert errors
    assert all(issubclass(e, enrich.EnrichError) for e in errors)
