"""Precision, recall and F1 of predicted identifiers against the generator's truth.

Per field and row: a prediction equal to the truth (case-insensitively) is a
true positive; any other prediction is a false positive (also on rows naming
papers that do not exist: a wrong id there is still wrong); a truth value not
predicted exactly is a false negative.  Recall is therefore measured on the
rows whose paper exists and has that identifier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from enrich.testing._corpus import TruthRow

__all__ = ["FIELDS", "score"]

#: Output column -> truth attribute.
FIELDS = ("arxiv_id", "s2_paper_id", "repo_full_name")


def _norm(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    return text or None


def score(
    predictions: Mapping[str, Sequence[str | None]],
    truth: Sequence[TruthRow],
    *,
    hub: bool = False,
) -> dict[str, dict[str, float | int]]:
    """Per field: ``tp, fp, fn, precision, recall, f1`` (``predictions[field][i]`` is row i's).

    With ``hub`` (the run asked the Hugging Face Hub), a row's repository is the
    one linked in the input or on arXiv, else the one pinned only on the Hub.
    """
    result: dict[str, dict[str, float | int]] = {}
    for field in FIELDS:
        got = predictions[field]
        tp = fp = fn = 0
        for predicted, row in zip(got, truth, strict=True):
            expected = getattr(row, field)
            if field == "repo_full_name" and hub and expected is None:
                expected = row.hub_repo_full_name
            p, t = _norm(predicted), _norm(expected)
            if p is not None and p == t:
                tp += 1
                continue
            if p is not None:
                fp += 1
            if t is not None:
                fn += 1
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[field] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(precision, 5),
            "recall": round(recall, 5),
            "f1": round(f1, 5),
        }
    return result
