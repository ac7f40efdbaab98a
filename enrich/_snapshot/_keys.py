"""Join keys computed as Polars expressions, agreeing exactly with the live matcher.

The title key is :func:`enrich._match.normalize_title`, the one normalisation the
live matcher uses, so a title key in an extract equals the key of the same title
typed by a user.  Running that Python function on millions of rows is the slow
part of a build, so plain-ASCII titles without the characters its special cases
look for (``\\``, ``&``, ``<``) take a vectorised path that gives the same result
(``tests/test_snapshot_keys.py`` checks the two agree); every other title goes
through :func:`normalize_title` itself.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from enrich._match import normalize_title

__all__ = ["arxiv_id_expr", "doi_expr", "title_key_expr", "with_title_key"]

# Titles the vectorised path handles: ASCII only, and none of the characters that
# start an HTML entity or tag, a LaTeX command, or "&" -> "and".
_PLAIN_RE = r"^[\x00-\x7f]*$"
_SPECIAL_RE = r"[\\&<]"


def _letter_map() -> dict[str, str]:
    """Accented Latin letters, typographic dashes and apostrophes -> what they become.

    Each entry is what :func:`normalize_title` makes of the character on its own,
    kept only when that is plain ``[a-z]*`` (a letter) or a separator; such a
    character is changed the same way whatever plain ASCII surrounds it (it
    composes with nothing and no rule looks across it), which
    ``tests/test_snapshot_readers.py`` checks character by character.
    """
    table: dict[str, str] = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        if not unicodedata.category(char).startswith("L"):
            continue
        key = normalize_title(char)
        # In context too: a letter that decomposes into a letter and a separator
        # (U+013F, L with middle dot) is left to normalize_title.
        if re.fullmatch("[a-z]+", key) and normalize_title(f"x{char}y") == f"x{key}y":
            table[char] = key
    for char in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212":
        table[char] = "-"
    for char in "\u2018\u2019\u02bc\u2032\u00ad":
        table[char] = "" if char != "\u00ad" else "-"
    return table


_LETTERS = _letter_map()
_LETTER_CLASS = "[" + "".join(re.escape(c) for c in _LETTERS) + "]"


def _fast_key(col: pl.Expr) -> pl.Expr:
    # normalize_title on such a title: braces, "$" and apostrophes vanish, case
    # folds, every run of non-word characters (and "_") becomes one space.
    return (
        col.str.replace_all(r"[{}$'`]", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars(" ")
    )


def title_key_expr(col: str | pl.Expr) -> pl.Expr:
    """The normalised-title key of ``col`` ("" for an empty title, null for null).

    Evaluates :func:`normalize_title` on every row that needs it; for whole
    frames prefer :func:`with_title_key`, which calls Python only for the rows
    the vectorised path cannot take.
    """
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.map_elements(normalize_title, return_dtype=pl.String, skip_nulls=True)


def with_title_key(frame: pl.DataFrame, title: str, key: str) -> pl.DataFrame:
    """``frame`` with column ``key``: the normalised key of column ``title``."""
    text = pl.col(title)
    ascii_left = text.str.replace_all(_LETTER_CLASS, "")
    plain = ascii_left.str.contains(_PLAIN_RE) & ~text.str.contains(_SPECIAL_RE)
    mapped = text.str.replace_many(list(_LETTERS), list(_LETTERS.values()))
    keyed = frame.with_columns(
        pl.when(plain.fill_null(True)).then(_fast_key(mapped)).otherwise(None).alias(key),
        (~plain).fill_null(False).alias("_slow"),
    )
    slow = keyed.filter(pl.col("_slow"))
    if slow.height:
        keys = [normalize_title(t) for t in slow[title].to_list()]
        index = pl.arange(0, keyed.height, eager=True).filter(keyed["_slow"])
        keyed = keyed.with_columns(keyed[key].scatter(index, keys))
    return keyed.drop("_slow")


def arxiv_id_expr(col: str | pl.Expr) -> pl.Expr:
    """A version-less arXiv id as :func:`enrich._ids.normalize_arxiv_id` spells it.

    Snapshot ids are already bare (``2106.09685``, ``hep-ph/0001001``,
    ``math.GT/0309136``); S2 sometimes prefixes ``arXiv:``.  Archive names are lower
    case; an old-style subject class is dropped (arXiv's canonical id of
    ``math.GT/0309136`` is ``math/0309136``), and so is a version suffix.
    """
    expr = pl.col(col) if isinstance(col, str) else col
    bare = expr.str.strip_chars().str.replace(r"(?i)^arxiv:", "").str.replace(r"v[0-9]+$", "")
    archive = bare.str.extract(r"^([A-Za-z-]+)(?:\.[A-Za-z-]+)?/", 1)
    number = bare.str.extract(r"/([0-9]+)$", 1)
    old = pl.concat_str([archive.str.to_lowercase(), pl.lit("/"), number])
    cleaned = pl.when(archive.is_not_null() & number.is_not_null()).then(old).otherwise(bare)
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def doi_expr(col: str | pl.Expr) -> pl.Expr:
    """A lower-cased bare DOI; the first one when a field lists several (arXiv does)."""
    expr = pl.col(col) if isinstance(col, str) else col
    first = (
        expr.str.strip_chars()
        .str.replace(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "")
        .str.extract(r"^(10\.[0-9]{4,9}/\S+)", 1)
    )
    return first.str.to_lowercase()
