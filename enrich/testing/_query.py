"""A small parser and matcher for arXiv's ``search_query`` language.

Supported, as the arXiv API user manual describes it: field prefixes
``ti: au: abs: co: jr: cat: rn: id: all:`` (a bare term means ``all:``), quoted
phrases, the Boolean operators ``AND``, ``OR`` and ``ANDNOT`` (upper case only,
as arXiv requires), parentheses, and ``+`` or spaces as separators.  Terms next
to each other without an operator are AND-ed, which is what the live API does
(mims-harvard/ToolUniverse PR #286 verified it against the API).  Matching is on
tokens as arXiv's index makes them (:func:`tokens`: lower case, no folding,
``qwen2.5`` and ``don't`` one token each; author names folded); a phrase must
appear as contiguous words of one field (the behaviour since
arXiv/arxiv-search PR #364).  ``*`` at the end of a word matches any suffix.

>>> node = parse_query('ti:"deep learning" AND (au:smith OR au:del_maestro)')
>>> render(node)
'ti:"deep learning" AND (au:smith OR au:"del maestro")'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from enrich._match import normalize_title

__all__ = [
    "FIELDS",
    "BoolOp",
    "Document",
    "Node",
    "Term",
    "collect_terms",
    "matches",
    "parse_query",
    "render",
    "score",
    "tokens",
    "words",
]

FIELDS: Final = frozenset({"ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all"})
#: Fields whose terms compare whole tokens (not words of free text).
_TOKEN_FIELDS: Final = frozenset({"cat", "id"})
_OPERATORS: Final = frozenset({"AND", "OR", "ANDNOT"})
#: Fields whose words are folded like author names; the others are tokenised as
#: arXiv's standard tokenizer does (:func:`tokens`).
_FOLDED_FIELDS: Final = frozenset({"au"})

Op = Literal["AND", "OR", "ANDNOT"]


@dataclass(frozen=True)
class Term:
    """``field:value``; ``words`` is the normalised value (one word unless a phrase)."""

    field: str
    words: tuple[str, ...]
    phrase: bool
    raw: str


@dataclass(frozen=True)
class BoolOp:
    op: Op
    left: Node
    right: Node


Node = Term | BoolOp


def words(text: str | None) -> list[str]:
    """Normalised words of ``text``: case-folded, accents and punctuation gone."""
    return normalize_title(text).split() if text else []


# arXiv's title field is analysed by Elasticsearch's standard tokenizer and a
# lowercase filter, without folding (the "simple" analyzer; the abstract's
# "standard" analyzer tokenises the same way): arXiv/arxiv-search,
# mappings/DocumentMapping.json.  The standard tokenizer follows the UAX #29
# word boundaries: letters and digits joined by "." or "'" stay one token
# ("qwen2.5", "1.58", "don't", "u.s"), "_" joins too, and every other
# character splits, TeX markup included ("Schr{\\"o}dinger" is "schr", "o",
# "dinger"; "$\\pi$" is "pi"); "&" is no token at all.
_INDEX_TOKEN_RE = re.compile(r"\w+(?:['.]\w+)*")


def tokens(text: str | None) -> list[str]:
    """``text`` as arXiv's title and abstract index tokenises it (see above)."""
    if not text:
        return []
    plain = unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold()
    return _INDEX_TOKEN_RE.findall(plain)


# --- tokenizer ---------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<term>(?:(?P<field>[A-Za-z]+):\s*)?(?:"(?P<quoted>[^"]*)"?|(?P<group>(?=\())|(?P<bare>[^\s()"]+)))
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: Literal["(", ")", "op", "term", "field("]
    text: str
    field: str = "all"
    quoted: bool = False


def _tokenize(query: str) -> list[_Tok]:
    text = query.replace("+", " ")
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN_RE.match(text, pos)
        if match is None:  # a stray quote: skip it
            pos += 1
            continue
        pos = match.end()
        if match.group("lparen"):
            toks.append(_Tok("(", "("))
            continue
        if match.group("rparen"):
            toks.append(_Tok(")", ")"))
            continue
        field = (match.group("field") or "").lower()
        if field and field not in FIELDS:
            # "foo:bar" with an unknown prefix is an ordinary word pair.
            toks.append(_Tok("term", match.group("term"), "all"))
            continue
        if match.group("group") is not None:
            toks.append(_Tok("field(", "(", field or "all"))
            pos += 1  # consume the "(" the lookahead saw
            continue
        if match.group("quoted") is not None:
            toks.append(_Tok("term", match.group("quoted"), field or "all", quoted=True))
            continue
        bare = match.group("bare")
        if not field and bare in _OPERATORS:
            toks.append(_Tok("op", bare))
        else:
            toks.append(_Tok("term", bare, field or "all"))
    return toks


# --- parser ------------------------------------------------------------------


class _Parser:
    def __init__(self, toks: Sequence[_Tok]) -> None:
        self.toks = toks
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node | None:
        node = self.expr("all")
        while self.peek() is not None:  # stray ")" or operator: skip and go on
            self.take()
            rest = self.expr("all")
            if rest is not None:
                node = rest if node is None else BoolOp("AND", node, rest)
        return node

    def expr(self, field: str) -> Node | None:
        node = self.conj(field)
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text == "OR":
            self.take()
            right = self.conj(field)
            if right is not None:
                node = right if node is None else BoolOp("OR", node, right)
        return node

    def conj(self, field: str) -> Node | None:
        node = self.unary(field)
        while (tok := self.peek()) is not None:
            op: Op = "AND"
            if tok.kind == "op":
                if tok.text == "OR":
                    break
                op = "ANDNOT" if tok.text == "ANDNOT" else "AND"
                self.take()
            elif tok.kind == ")":
                break
            right = self.unary(field)
            if right is None:
                continue
            # A leading ANDNOT has nothing to subtract from: drop the term.
            if node is not None:
                node = BoolOp(op, node, right)
            elif op == "AND":
                node = right
        return node

    def unary(self, field: str) -> Node | None:
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind in {"(", "field("}:
            self.take()
            inner_field = tok.field if tok.kind == "field(" else field
            node = self.expr(inner_field)
            if (close := self.peek()) is not None and close.kind == ")":
                self.take()
            return node
        if tok.kind == "term":
            self.take()
            return _make_term(tok, field)
        return None  # an operator where a term was expected


def _make_term(tok: _Tok, default_field: str) -> Node | None:
    field = tok.field if tok.field != "all" else default_field
    if field in _TOKEN_FIELDS:
        value = tok.text.strip()
        return Term(field, (value.lower(),), False, value) if value else None
    # arXiv spells multi-word author names with underscores (au:del_maestro).
    text = tok.text.replace("_", " ") if field == "au" else tok.text
    parts = _words_keep_star(text, words if field in _FOLDED_FIELDS else tokens)
    if not parts:
        return None
    phrase = len(parts) > 1
    if phrase and not tok.quoted and field != "au":
        # An unquoted hyphenated or dotted word ("non-invasive") becomes a phrase.
        return Term(field, tuple(parts), True, tok.text)
    return Term(field, tuple(parts), phrase, tok.text)


def _words_keep_star(text: str, split: Callable[[str], list[str]]) -> list[str]:
    out = []
    for raw in text.split():
        star = raw.endswith("*")
        ws = split(raw.rstrip("*"))
        if ws and star:
            ws[-1] += "*"
        out.extend(ws)
    return out


def parse_query(query: str | None) -> Node | None:
    """The syntax tree of an arXiv ``search_query``; None for an empty query.

    The parser is lenient like the live API: a missing ``)`` is closed, a stray
    operator is dropped, unknown prefixes are read as words.
    """
    if not query or not query.strip():
        return None
    return _Parser(_tokenize(query)).parse()


def render(node: Node | None) -> str:
    """The query as arXiv echoes it in the feed title (bare terms become ``all:``)."""
    if node is None:
        return ""
    if isinstance(node, Term):
        value = " ".join(node.words) if node.field not in _TOKEN_FIELDS else node.raw
        return f'{node.field}:"{value}"' if node.phrase else f"{node.field}:{value}"
    parts = []
    for side in (node.left, node.right):
        text = render(side)
        if isinstance(side, BoolOp) and side.op != node.op:
            text = f"({text})"
        parts.append(text)
    return f"{parts[0]} {node.op} {parts[1]}"


def collect_terms(node: Node | None, *, positive: bool = True) -> Iterable[Term]:
    """Terms of the tree; with ``positive`` only those not under an ANDNOT's right side."""
    if node is None:
        return
    if isinstance(node, Term):
        yield node
        return
    yield from collect_terms(node.left, positive=positive)
    if not (positive and node.op == "ANDNOT"):
        yield from collect_terms(node.right, positive=positive)


# --- matching ----------------------------------------------------------------


@dataclass
class Document:
    """One arXiv entry's searchable text, pre-normalised per field."""

    key: str  # the arXiv id without version
    fields: dict[str, list[list[str]]]  # field -> segments of words (one per author, ...)
    tokens: dict[str, set[str]]  # cat/id -> lower-cased whole tokens

    @classmethod
    def build(
        cls,
        key: str,
        *,
        title: str,
        abstract: str,
        authors: Sequence[str],
        comment: str | None,
        journal_ref: str | None,
        categories: Sequence[str],
    ) -> Document:
        per_field = {
            "ti": [tokens(title)],
            "abs": [tokens(abstract)],
            # author names are folded (the "folding" analyzer: icu_folding, lowercase)
            "au": [words(name) for name in authors],
            "co": [tokens(comment)],
            "jr": [tokens(journal_ref)],
            "rn": [],
        }
        per_field["all"] = [seg for f in ("ti", "abs", "au", "co", "jr") for seg in per_field[f]]
        whole = {"cat": {c.lower() for c in categories}, "id": {key.lower()}}
        return cls(key, per_field, whole)


def _word_eq(pattern: str, word: str) -> bool:
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


def _term_matches(term: Term, doc: Document) -> bool:
    if term.field in _TOKEN_FIELDS:
        want = term.words[0]
        have = doc.tokens[term.field]
        if term.field == "id":
            want = re.sub(r"v\d+$", "", want)
        if want.endswith("*"):
            return any(tok.startswith(want[:-1]) for tok in have)
        return want in have
    n = len(term.words)
    for segment in doc.fields.get(term.field, []):
        if n == 1:
            if any(_word_eq(term.words[0], w) for w in segment):
                return True
            continue
        for i in range(len(segment) - n + 1):
            if all(_word_eq(p, w) for p, w in zip(term.words, segment[i : i + n], strict=True)):
                return True
    return False


def matches(node: Node | None, doc: Document) -> bool:
    """Whether ``doc`` satisfies the query tree."""
    if node is None:
        return False
    if isinstance(node, Term):
        return _term_matches(node, doc)
    if node.op == "AND":
        return matches(node.left, doc) and matches(node.right, doc)
    if node.op == "OR":
        return matches(node.left, doc) or matches(node.right, doc)
    return matches(node.left, doc) and not matches(node.right, doc)


def score(node: Node | None, doc: Document) -> float:
    """A deterministic relevance: matched positive terms, title hits counting double."""
    total = 0.0
    for term in collect_terms(node):
        if _term_matches(term, doc):
            weight = 2.0 if term.field == "ti" else 1.0
            total += weight * len(term.words)
    return total
