"""The query language of S2's ``/paper/search/bulk``, for the fake.

As the Graph API documentation ("Paper bulk search") describes it: the text is
"matched against the paper title and abstract", "all terms are stemmed in
English", and "by default all terms in the query must be present".  Syntax:

* ``+`` AND, ``|`` OR, ``-`` negates the term after it;
* ``"..."`` collects words into a phrase; ``*`` after a word matches a prefix;
* ``(`` and ``)`` set precedence;
* ``~N`` after a word matches within edit distance N, after a phrase lets its
  words stand up to N positions apart (N defaults to 2).

``|`` binds looser than AND (explicit ``+`` or juxtaposition); ``-`` binds
tightest.  Outside quotes a hyphen is negation even inside a word:
``cross-sectional`` is ``cross -sectional`` (allenai/s2-folks #172, #203).
Inside quotes the analyzer splits words at hyphens and drops punctuation.

>>> node = parse('"deep learning" | (fish -ditch)')
>>> sorted(t.words for t in terms(node))
[('deep', 'learn'), ('ditch',), ('fish',)]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Bool",
    "Doc",
    "Node",
    "Not",
    "QueryError",
    "Term",
    "analyze",
    "matches",
    "parse",
    "stem",
    "terms",
]


class QueryError(ValueError):
    """A query the fake refuses (S2 answers 400)."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # stemmed
    phrase: bool = False
    prefix: bool = False
    #: edit distance (word) or slop (phrase); None without ``~``
    fuzz: int | None = None


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class Bool:
    op: Literal["and", "or"]
    items: tuple[Node, ...]


Node = Term | Not | Bool

_WORD_RE = re.compile(r"[^\W_]+")


def stem(word: str) -> str:
    """A light English stemmer (plurals, -ing, -ed), the same on both sides."""
    w = word
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "ches", "shes", "xes", "zes")):
        return w[:-2]
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed"):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def analyze(text: str | None) -> list[str]:
    """Stemmed, case-folded, accent-free words; punctuation and hyphens split words."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = plain.replace("'", "").replace("\u2019", "")
    return [stem(w) for w in _WORD_RE.findall(plain)]


# --- parser ------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r'\s*(?:(?P<op>[|+()])|(?P<neg>-)|"(?P<phrase>[^"]*)"?(?P<pfuzz>~\d*)?'
    r'|(?P<word>[^\s|+()"~-]+)(?P<wfuzz>~\d*)?|(?P<stray>~\d*))'
)


def _fuzz(raw: str | None) -> int | None:
    if raw is None:
        return None
    digits = raw[1:]
    return int(digits) if digits else 2


def _tokens(query: str) -> Iterator[tuple[str, object]]:
    pos = 0
    while pos < len(query):
        m = _TOKEN_RE.match(query, pos)
        if m is None or m.end() == pos:
            if query[pos:].strip():
                raise QueryError(f"Unparseable query near {query[pos : pos + 20]!r}")
            return
        pos = m.end()
        if m.group("op"):
            yield "op", m.group("op")
        elif m.group("neg"):
            yield "neg", "-"
        elif m.group("phrase") is not None:
            words = tuple(analyze(m.group("phrase")))
            if words:
                yield "term", Term(words, phrase=len(words) > 1, fuzz=_fuzz(m.group("pfuzz")))
        elif m.group("word") is not None:
            raw = m.group("word")
            prefix = raw.endswith("*")
            words = tuple(analyze(raw.rstrip("*")))
            if not words:
                continue
            if prefix:  # a prefix is matched unstemmed against stemmed words' starts
                plain = tuple(w for w in _WORD_RE.findall(raw.rstrip("*").casefold()))
                words = plain or words
            # "U.S." or "3.5" outside quotes: the analyzer splits it into a phrase.
            yield (
                "term",
                Term(words, phrase=len(words) > 1, prefix=prefix, fuzz=_fuzz(m.group("wfuzz"))),
            )


class _Parser:
    def __init__(self, query: str) -> None:
        self.toks = list(_tokens(query))
        self.pos = 0

    def peek(self) -> tuple[str, object] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def parse(self) -> Node | None:
        node = self.disjunction()
        if self.peek() is not None:
            raise QueryError("Unbalanced parentheses in query")
        return node

    def disjunction(self) -> Node | None:
        items = [n for n in [self.conjunction()] if n is not None]
        while (tok := self.peek()) is not None and tok == ("op", "|"):
            self.pos += 1
            right = self.conjunction()
            if right is not None:
                items.append(right)
        if not items:
            return None
        return items[0] if len(items) == 1 else Bool("or", tuple(items))

    def conjunction(self) -> Node | None:
        items: list[Node] = []
        while (tok := self.peek()) is not None and tok not in {("op", "|"), ("op", ")")}:
            if tok == ("op", "+"):
                self.pos += 1
                continue
            node = self.unary()
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else Bool("and", tuple(items))

    def unary(self) -> Node | None:
        tok = self.peek()
        assert tok is not None
        self.pos += 1
        kind, value = tok
        if kind == "neg":
            inner = self.unary() if self.peek() is not None else None
            return Not(inner) if inner is not None else None
        if kind == "term":
            assert isinstance(value, Term)
            return value
        if value == "(":
            node = self.disjunction()
            if self.peek() != ("op", ")"):
                raise QueryError("Unbalanced parentheses in query")
            self.pos += 1
            return node
        raise QueryError("Unbalanced parentheses in query")


def parse(query: str | None) -> Node | None:
    """The query's tree; None for an empty query (which matches every paper).

    Raises:
        QueryError: unbalanced parentheses or an unreadable query.
    """
    if query is None or not query.strip():
        return None
    return _Parser(query).parse()


def terms(node: Node | None) -> Iterator[Term]:
    """Every term of the tree."""
    if node is None:
        return
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Not):
        yield from terms(node.node)
    else:
        for item in node.items:
            yield from terms(item)


# --- matching ----------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """A paper's searchable text: the analyzed title and abstract, apart."""

    title: tuple[str, ...]
    abstract: tuple[str, ...]

    @classmethod
    def of(cls, title: str | None, abstract: str | None) -> Doc:
        return cls(tuple(analyze(title)), tuple(analyze(abstract)))


def _edit_distance(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _word_ok(term: Term, pattern: str, word: str) -> bool:
    if term.prefix:
        return word.startswith(pattern)
    if term.fuzz is not None and not term.phrase:
        return _edit_distance(pattern, word, term.fuzz) <= term.fuzz
    return word == pattern


def _in_field(term: Term, words: tuple[str, ...]) -> bool:
    if not term.phrase:
        return any(_word_ok(term, term.words[0], w) for w in words)
    slop = term.fuzz or 0
    first = term.words[0]
    for start, w in enumerate(words):
        if w != first:
            continue
        pos, gaps, ok = start, 0, True
        for nxt in term.words[1:]:
            found = None
            for k in range(pos + 1, min(len(words), pos + 2 + slop - gaps)):
                if words[k] == nxt:
                    found = k
                    break
            if found is None:
                ok = False
                break
            gaps += found - pos - 1
            pos = found
        if ok:
            return True
    return False


def matches(node: Node | None, doc: Doc) -> bool:
    """Whether the paper satisfies the query (title or abstract, per term)."""
    if node is None:
        return True
    if isinstance(node, Term):
        return _in_field(node, doc.title) or _in_field(node, doc.abstract)
    if isinstance(node, Not):
        return not matches(node.node, doc)
    if node.op == "and":
        positive = [i for i in node.items if not isinstance(i, Not)]
        # A query of negations alone matches nothing, as a search engine's would.
        return bool(positive) and all(matches(i, doc) for i in node.items)
    return any(matches(i, doc) for i in node.items)
