"""Title normalisation and match scoring, in one place.

Precision first: a wrong identifier is worse than a missing one.  Every decision
carries a score in [0, 1] and a method; below the threshold nothing is accepted
and the best candidate is kept for review.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_title"]

# LaTeX commands that wrap text (\emph{x}, \textbf{x}) keep their argument; other
# commands (\alpha, \&) are dropped or mapped below.
_LATEX_ACCENT_RE = re.compile(r"\\[`'^\"~=.uvHtcdbk]\s*\{?\s*([A-Za-z])\s*\}?")
_LATEX_WRAP_RE = re.compile(r"\\[A-Za-z]+\*?\s*\{([^{}]*)\}")
_LATEX_CMD_RE = re.compile(r"\\([A-Za-z]+|.)")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad"), "-")
_NON_WORD_RE = re.compile(r"[^\w]+")


def normalize_title(title: str | None) -> str:
    """A comparison key for a title: case, accents, LaTeX, punctuation and spacing removed.

    NFKC, then LaTeX accents and wrappers unwrapped, braces and ``$`` dropped,
    accents stripped, case folded, every run of non-word characters (hyphens of
    all kinds included) turned into one space.  Idempotent.

    >>> normalize_title("{BERT}: Pre-training of Deep  Bidirectional Transformers")
    'bert pre training of deep bidirectional transformers'
    """
    if not title:
        return ""
    text = unicodedata.normalize("NFKC", title).translate(_DASHES)
    text = _LATEX_ACCENT_RE.sub(r"\1", text)
    for _ in range(3):  # nested wrappers: \textbf{\emph{x}}
        text, count = _LATEX_WRAP_RE.subn(r"\1", text)
        if not count:
            break
    text = _LATEX_CMD_RE.sub(lambda m: " " if m.group(1).isalpha() else "", text)
    text = text.replace("{", "").replace("}", "").replace("$", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = _NON_WORD_RE.sub(" ", text).replace("_", " ")
    return " ".join(text.split())
