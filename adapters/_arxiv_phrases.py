"""arXiv title phrases as arXiv's title index holds them.

arXiv analyses titles with Elasticsearch's standard tokenizer and a lowercase
filter, without folding (arXiv/arxiv-search, ``mappings/DocumentMapping.json``:
the ``simple`` analyzer, which quoted title queries use).  A phrase built from
enrich's comparison key (:func:`enrich._match.normalize_title`) can hold words
that index never does; these functions give the index's tokens instead.
"""

from __future__ import annotations

import re
import unicodedata

from enrich._inputs._bibtex import latex_to_text
from enrich._match import _GREEK_NAMES

__all__ = ["index_tokens", "segments"]

# One token of the standard tokenizer (UAX #29): word characters, joined across
# "." and "'" when word characters follow.
_INDEX_TOKEN_RE = re.compile(r"\w+(?:['.]\w+)*")


def index_tokens(title: str) -> list[str | None]:
    """``title`` as arXiv's title index tokenises it; None where that is uncertain.

    arXiv analyses titles with Elasticsearch's standard tokenizer and a
    lowercase filter, without folding (arXiv/arxiv-search,
    mappings/DocumentMapping.json, the ``simple`` analyzer that quoted title
    queries use).  Its UAX #29 word boundaries keep letters and digits joined by
    ``.`` or ``'`` as one token: ``Qwen2.5``, ``1.58``, ``Don't`` and ``U.S.``
    are ``qwen2.5``, ``1.58``, ``don't`` and ``u.s``, which the comparison key's
    words (``qwen2 5``, ``dont``, ``u s``) never match.  ``&`` is no token (not
    "and").  A lone Greek letter is its name (the index holds ``$\\pi$``, read
    as ``pi``).  A word with other non-ASCII letters (``Gödel``) is None: the
    index holds the title as submitted, TeX (``G{\\"o}del``: ``g``, ``o``,
    ``del``) or Unicode (``gödel``), and a phrase cannot say both.
    """
    text = latex_to_text(title) if any(c in title for c in "\\{}$") else title
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("`", "'")
    out: list[str | None] = []
    for token in _INDEX_TOKEN_RE.findall(text.casefold()):
        if token.isascii():
            out.append(token)
        elif len(token) == 1 and token in _GREEK_NAMES:
            out.append(_GREEK_NAMES[token])
        else:
            out.append(None)
    return out


def segments(title: str) -> list[list[str]]:
    """Runs of certain tokens, split where a token is uncertain (see :func:`index_tokens`)."""
    segments: list[list[str]] = [[]]
    for token in index_tokens(title):
        if token is None:
            segments.append([])
        else:
            segments[-1].append(token)
    return [segment for segment in segments if segment]
