"""Title normalisation and match scoring, in one place.

Precision first: a wrong identifier is worse than a missing one.  Every decision
carries a score in [0, 1] and a method; below the threshold nothing is accepted
and the best candidate is kept for review.

How a candidate is judged (:func:`choose`):

1. Both titles go through :func:`normalize_title`.  Equal keys are a
   ``"title_exact"`` match with score 1.0.
2. Otherwise :func:`title_similarity` scores them: the Indel similarity of the
   two keys (``rapidfuzz.fuzz.ratio``), minus :data:`WORD_PENALTY` for every word
   that one title has and the other lacks and that is not explained by a typo, a
   British/American spelling, a plural, a split compound ("pretraining" vs
   "pre training") or a dropped article.  One unexplained word is enough to fall
   below :data:`DEFAULT_THRESHOLD`, so "Attention Is All You Need" never matches
   "Attention Is All You Need for Graphs", nor "2D" "3D".
3. A title with at most two significant words ("Olmo 3", "0") matches only exactly.
4. Sanity checks, applied only when both sides know the value: publication
   years at most :data:`YEAR_WINDOW` apart; author lists sharing a surname.
5. Among the candidates that pass, an exact title wins; duplicates with the same
   normalised title go to the closest year, then the first.  Two passing fuzzy
   candidates with different titles within :data:`AMBIGUITY_MARGIN` of each
   other are ambiguous, and nothing is accepted.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

__all__ = [
    "AMBIGUITY_MARGIN",
    "DEFAULT_THRESHOLD",
    "STOPWORDS",
    "WORD_PENALTY",
    "YEAR_WINDOW",
    "Candidate",
    "MatchDecision",
    "MatchMethod",
    "TitleQuery",
    "authors_overlap",
    "choose",
    "normalize_title",
    "significant_terms",
    "surname_key",
    "title_similarity",
]

# Chosen on the confuser pairs in tests/test_match.py.  A dropped article in the
# shortest title still allowed a fuzzy match (three significant words, ~25
# characters: "The Lottery Ticket Hypothesis") scores 0.926, a one-letter typo
# there ~0.95; a title that is a prefix of another ("Attention Is All You Need"
# vs "... for Graphs") scores 0.82 before any word penalty.  0.90 keeps the
# former and, with WORD_PENALTY, can never be reached by a title that adds,
# drops or swaps a content word.
DEFAULT_THRESHOLD: float = 0.90
# Cost of one word present on one side only and not explained as a spelling
# variant.  Larger than 1 - DEFAULT_THRESHOLD, so a single such word rejects.
WORD_PENALTY: float = 0.15
# A preprint and its venue version are often a year or two apart (arXiv 2017,
# proceedings 2018; listings that show the submission year).
YEAR_WINDOW: int = 2
# Two different titles scoring this close are a coin toss, not a match.
AMBIGUITY_MARGIN: float = 0.02

MatchMethod = Literal["arxiv_id", "doi", "title_exact", "title_fuzzy"]

# Function words: not counted as significant, never sent in a search query.
STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "an", "the", "and", "or", "nor", "but", "of", "for", "in", "on", "at", "to", "by",
        "from", "with", "without", "into", "onto", "over", "under", "via", "as", "is", "are",
        "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those",
        "than", "then", "so", "not", "no", "do", "does", "can", "we", "our", "you", "your",
        "their", "what", "which", "who", "how", "why", "when", "where", "vs", "versus",
    }
)  # fmt: skip
_ARTICLES = frozenset({"a", "an", "the"})

_GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi",
    "psi", "omega",
)  # fmt: skip
_GREEK_NAMES: dict[str, str] = {
    **dict(zip("αβγδεζηθικλμνξοπρστυφχψω", _GREEK, strict=True)),
    **dict(zip("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ", _GREEK, strict=True)),
    "ς": "sigma",
}
_GREEK_CHARS = "".join(_GREEK_NAMES)
# A lone Greek letter is a symbol (α-Net, β-VAE) and becomes its name; a run of
# Greek letters is a Greek word and is kept.
_LONE_GREEK_RE = re.compile(rf"(?<![{_GREEK_CHARS}])[{_GREEK_CHARS}](?![{_GREEK_CHARS}])")
_GREEK_COMMANDS = frozenset(_GREEK) | {
    "varepsilon", "vartheta", "varphi", "varpi", "varrho", "varsigma", "varkappa",
}  # fmt: skip

# Symbol accents (\'e, \"{o}) and letter accents (\c{c}, \v s); a letter accent
# directly followed by letters is another command (\textbf, \cite), not an accent.
_LATEX_ACCENT_RE = re.compile(
    r"\\(?:[`'^\"~=.]|[uvHtcdbk](?=\s*\{|\s+[A-Za-z](?![A-Za-z])))"
    r"\s*(?:\{\s*\\?([A-Za-z])\s*\}|\\?([A-Za-z]))"
)
# Letters LaTeX spells as commands (\o{}, Gro\ss e, \'{\i}).
_LATEX_LETTER_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![A-Za-z])\s*(?:\{\})?")
# LaTeX commands that wrap text (\emph{x}, \textbf{x}) keep their argument; Greek
# letters become words, \& becomes "and", other commands are dropped.
_LATEX_WRAP_RE = re.compile(r"\\[A-Za-z]+\*?\s*\{([^{}]*)\}")
_LATEX_CMD_RE = re.compile(r"\\([A-Za-z]+|.)")
# Inline markup that Crossref and S2 leave in titles (<i>E. coli</i>, H<sub>2</sub>O).
_HTML_TAG_RE = re.compile(
    r"</?(?:i|b|u|em|strong|sub|sup|sc|scp|tt|span|font|small)(?:\s[^<>]*)?/?>", re.IGNORECASE
)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad"), "-")
# Apostrophes vanish rather than split words, so "Alzheimer's" == "Alzheimers".
_APOSTROPHES = dict.fromkeys(map(ord, "'`\u2018\u2019\u02bc\u2032"), None)
# Letters that do not decompose under NFKD but have a plain-Latin spelling.
_LATIN_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_NON_WORD_RE = re.compile(r"[^\w]+")
# Only non-ASCII characters can be combining marks: visiting just those keeps
# normalisation cheap enough for bulk snapshot builds (millions of titles).
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _drop_combining(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group(0)) else match.group(0)


def _latex_command(match: re.Match[str]) -> str:
    name = match.group(1)
    if name == "&":
        return " and "
    if not name.isalpha():
        return ""
    lowered = name.lower()
    if lowered in _GREEK_COMMANDS:
        return f" {lowered.removeprefix('var')} "
    return " "


def normalize_title(title: str | None) -> str:
    r"""A comparison key for a title: case, accents, LaTeX, punctuation and spacing removed.

    NFKC, then HTML entities and inline tags, LaTeX accents and wrappers
    unwrapped, Greek letters (``\alpha``, ``α``) spelled as words, ``&`` as
    "and", braces, ``$`` and apostrophes dropped, accents stripped, case folded,
    every run of non-word characters (hyphens of all kinds included) turned into
    one space.  Idempotent.

    >>> normalize_title("{BERT}: Pre-training of Deep  Bidirectional Transformers")
    'bert pre training of deep bidirectional transformers'
    >>> normalize_title("$\\alpha$-Net: Caf\\'e & Bar")
    'alpha net cafe and bar'
    """
    if not title:
        return ""
    text = unicodedata.normalize("NFKC", title)
    text = _HTML_TAG_RE.sub("", html.unescape(text)).translate(_DASHES)
    text = _LATEX_ACCENT_RE.sub(lambda m: next(g for g in m.groups() if g), text)
    text = _LATEX_LETTER_RE.sub(
        lambda m: m.group(1)[0] if m.group(1) in ("aa", "AA") else m.group(1), text
    )
    for _ in range(3):  # nested wrappers: \textbf{\emph{x}}
        text, count = _LATEX_WRAP_RE.subn(r"\1", text)
        if not count:
            break
    text = _LATEX_CMD_RE.sub(_latex_command, text)
    text = text.replace("{", "").replace("}", "").replace("$", "").replace("&", " and ")
    text = text.translate(_APOSTROPHES).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = _NON_ASCII_RE.sub(_drop_combining, text).translate(_LATIN_FOLD)
    text = _LONE_GREEK_RE.sub(lambda m: f" {_GREEK_NAMES[m.group(0)]} ", text)
    text = _NON_WORD_RE.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


# --- word-level comparison -------------------------------------------------------


def _is_spelling_variant(x: str, y: str) -> bool:
    """True for typos and spelling variants of one word, never for different words.

    Digits must agree exactly (2D/3D, GPT-3/GPT-4), short words too (CNN/RNN,
    BERT/BART).  One edit needs the same first letter (encoder/decoder,
    explicit/implicit differ by two anyway); two edits need the same first three
    letters and must not be a prefix added to the word (supervised/unsupervised).
    """
    if any(ch.isdigit() for ch in x + y):
        return False
    shorter, longer = sorted((x, y), key=len)
    if shorter + "s" == longer and len(shorter) >= 3:
        return True
    if len(shorter) < 5 or x[0] != y[0]:
        return False
    distance = OSA.distance(x, y)
    if distance <= 1:
        return True
    return distance == 2 and len(shorter) >= 7 and x[:3] == y[:3] and not longer.endswith(shorter)


def _split_parts(word: str, other_only: list[str], other_tokens: list[str]) -> list[str] | None:
    """2-3 adjacent one-sided words of the other title that spell ``word`` together."""
    pool = Counter(other_only)
    for size in (2, 3):
        for start in range(len(other_tokens) - size + 1):
            parts = other_tokens[start : start + size]
            if "".join(parts) == word and not Counter(parts) - pool:
                return parts
    return None


def _remove_compounds(only: list[str], other_only: list[str], other_tokens: list[str]) -> None:
    """Drop words of ``only`` written as separate words on the other side."""
    for word in list(only):
        parts = _split_parts(word, other_only, other_tokens)
        if parts is not None:
            only.remove(word)
            for part in parts:
                other_only.remove(part)


def _one_sided(tokens: list[str], others: Counter[str]) -> list[str]:
    remaining = Counter(tokens) - others
    result: list[str] = []
    for token in tokens:
        if remaining[token] > 0:
            remaining[token] -= 1
            result.append(token)
    return result


def _unexplained_words(a_tokens: list[str], b_tokens: list[str]) -> int:
    only_a = _one_sided(a_tokens, Counter(b_tokens))
    only_b = _one_sided(b_tokens, Counter(a_tokens))
    _remove_compounds(only_a, only_b, b_tokens)
    _remove_compounds(only_b, only_a, a_tokens)
    only_a = [w for w in only_a if w not in _ARTICLES]
    only_b = [w for w in only_b if w not in _ARTICLES]
    pairs = sorted(
        (OSA.distance(x, y), x, y) for x in set(only_a) for y in set(only_b)
        if _is_spelling_variant(x, y)
    )  # fmt: skip
    for _, x, y in pairs:
        if x in only_a and y in only_b:
            only_a.remove(x)
            only_b.remove(y)
    return len(only_a) + len(only_b)


def _similarity_of_keys(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    ratio = float(fuzz.ratio(a, b)) / 100.0
    a_tokens, b_tokens = a.split(), b.split()
    # Greedy pairing is order-dependent, so count from both sides and keep the worse.
    unexplained = max(
        _unexplained_words(a_tokens, b_tokens), _unexplained_words(b_tokens, a_tokens)
    )
    score = ratio - WORD_PENALTY * unexplained
    # Only equal keys may score 1.0, whatever float rounding does on long titles.
    return min(max(score, 0.0), 0.9999)


def title_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two titles after :func:`normalize_title`.

    1.0 exactly when the normalised titles are equal.  Otherwise the Indel
    similarity of the keys minus :data:`WORD_PENALTY` per word present on one
    side only that is not a typo, spelling variant, plural, split compound or
    article.  Symmetric.

    >>> title_similarity("Attention is all you need", "Attention Is All You Need.")
    1.0
    >>> title_similarity("Attention Is All You Need", "Attention Is All You Need for Graphs") < 0.9
    True
    """
    return _similarity_of_keys(normalize_title(a), normalize_title(b))


def significant_terms(title: str, *, limit: int = 8) -> list[str]:
    """The most telling words of a title, for a keyword search such as arXiv's ``ti:``.

    Normalised words minus :data:`STOPWORDS` and one-letter words, without
    duplicates, longest first (a cheap stand-in for rarest), ties in title order.
    A title made only of stopwords gives its distinct words, so a non-empty
    title never gives an empty list.

    >>> significant_terms("Attention Is All You Need for Graphs", limit=3)
    ['attention', 'graphs', 'need']
    """
    words = list(dict.fromkeys(normalize_title(title).split()))
    kept = [w for w in words if w not in STOPWORDS and len(w) > 1] or words
    return sorted(kept, key=len, reverse=True)[: max(limit, 0)]


def _significant_count(key: str) -> int:
    return sum(1 for w in key.split() if w not in STOPWORDS)


# --- authors ---------------------------------------------------------------------

_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
_NOT_NAMES = frozenset({"et", "al", "others", "and"})


def _name_tokens(name: str) -> list[str]:
    return [
        t for t in normalize_title(name.replace("-", "")).split()
        if t not in _NAME_SUFFIXES and t not in _NOT_NAMES
    ]  # fmt: skip


def surname_key(name: str) -> str | None:
    """The folded surname of an author name, or ``None`` when there is none.

    Handles "First Last", "Last, First", initials ("Y. LeCun", "LeCun Y"),
    suffixes ("Jr.") and accents ("Sébastien Bubeck" -> "bubeck").

    >>> surname_key("Kaiming He"), surname_key("He, Kaiming"), surname_key("He K")
    ('he', 'he', 'he')
    """
    if "," in name:
        head, _, rest = name.partition(",")
        tokens = _name_tokens(head)
        if not tokens:  # "Smith, Jr., John" or ", John"
            tokens = _name_tokens(rest)
        return tokens[-1] if tokens else None
    raw = name.split()
    tokens = _name_tokens(name)
    if not tokens:
        return None
    # PubMed style "LeCun Y" / "Smith JA": trailing capitalised initials.
    if len(tokens) >= 2 and raw and raw[-1].rstrip(".").isupper() and len(raw[-1].rstrip(".")) <= 3:
        return tokens[0]
    return tokens[-1]


def authors_overlap(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two author lists share a surname (True when either has none to compare).

    >>> authors_overlap(["Kaiming He", "Jian Sun"], ["He, K.", "Zhang, X."])
    True
    >>> authors_overlap(["Kaiming He"], ["Ross Girshick"])
    False
    """

    # A surname on one side may stand anywhere in a name on the other: name order
    # differs between services for East Asian names ("Zhang Wei" / "Wei Zhang").
    # Hyphenated names count both joined and split ("Smith-Jones" / "Smith Jones").
    def keys(names: Sequence[str]) -> tuple[set[str], set[str]]:
        surnames = {k for n in names if (k := surname_key(n))}
        tokens = {
            t
            for n in names
            for t in (*_name_tokens(n), *_name_tokens(n.replace("-", " ")))
            if len(t) > 1
        }
        return surnames, tokens

    surnames_a, tokens_a = keys(a)
    surnames_b, tokens_b = keys(b)
    if not surnames_a or not surnames_b:
        return True  # nothing to compare
    return bool(surnames_a & tokens_b or surnames_b & tokens_a)


# --- decisions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TitleQuery:
    """What we know about the paper we are looking for."""

    title: str
    year: int | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One record a service returned for a title search."""

    title: str
    year: int | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """The outcome of :func:`choose`, kept whole for review.

    ``index`` points into the candidates (``None`` when rejected); ``score`` and
    ``candidate_title`` describe the accepted or, on rejection, the best-scoring
    candidate; ``reason`` says why nothing was accepted.
    """

    index: int | None
    score: float
    method: MatchMethod | None
    candidate_title: str | None
    reason: str | None

    @property
    def accepted(self) -> bool:
        """True when a candidate was accepted."""
        return self.index is not None


@dataclass(frozen=True, slots=True)
class _Scored:
    index: int
    key: str
    score: float
    failure: str | None
    year_gap: int


def _evaluate(
    query: TitleQuery, query_key: str, index: int, candidate: Candidate, threshold: float
) -> _Scored:
    key = normalize_title(candidate.title)
    score = _similarity_of_keys(query_key, key)
    exact = bool(key) and key == query_key
    both_years = query.year is not None and candidate.year is not None
    gap = YEAR_WINDOW + 1  # unknown ranks after any year inside the window
    if query.year is not None and candidate.year is not None:
        gap = abs(query.year - candidate.year)
    failure: str | None = None
    if not key:
        failure = "candidate has no title"
    elif not exact and score < threshold:
        failure = f"below threshold ({score:.3f} < {threshold:.2f})"
    elif not exact and min(_significant_count(query_key), _significant_count(key)) <= 2:
        failure = "title too short for a fuzzy match"
    elif both_years and gap > YEAR_WINDOW:
        failure = f"year too far ({query.year} vs {candidate.year})"
    elif (
        query.authors
        and candidate.authors
        and not authors_overlap(query.authors, candidate.authors)
    ):
        failure = "no author overlap"
    return _Scored(index, key, score, failure, gap)


def _reject(best: _Scored | None, candidates: Sequence[Candidate], reason: str) -> MatchDecision:
    if best is None:
        return MatchDecision(None, 0.0, None, None, reason)
    return MatchDecision(None, best.score, None, candidates[best.index].title, reason)


def choose(
    query: TitleQuery, candidates: Sequence[Candidate], *, threshold: float = DEFAULT_THRESHOLD
) -> MatchDecision:
    """Pick the candidate that is the queried paper, or none.

    Args:
        query: the title (and, when known, year and authors) we look for.
        candidates: what a title search returned, in the service's order.
        threshold: minimum :func:`title_similarity` for a fuzzy match.

    Never raises.  See the module docstring for the rules.

    >>> q = TitleQuery("Attention is all you need", 2017, ("Ashish Vaswani",))
    >>> choose(q, [Candidate("Attention Is All You Need for Graphs", 2021),
    ...            Candidate("Attention is All you Need", 2017, ("Vaswani, A.",))])
    MatchDecision(index=1, score=1.0, method='title_exact', candidate_title='Attention is All you Need', reason=None)
    """
    query_key = normalize_title(query.title)
    if not query_key:
        return _reject(None, candidates, "query has no title")
    if not candidates:
        return _reject(None, candidates, "no candidates")
    scored = [_evaluate(query, query_key, i, c, threshold) for i, c in enumerate(candidates)]
    best = max(scored, key=lambda s: (s.score, -s.index))
    passing = [s for s in scored if s.failure is None]
    if not passing:
        exact = [s for s in scored if s.key == query_key]
        shown = min(exact, key=lambda s: (s.year_gap, s.index)) if exact else best
        assert shown.failure is not None
        return _reject(shown, candidates, shown.failure)

    exact = [s for s in passing if s.key == query_key]
    if exact:
        chosen = min(exact, key=lambda s: (s.year_gap, s.index))
        title = candidates[chosen.index].title
        return MatchDecision(chosen.index, 1.0, "title_exact", title, None)

    top = max(passing, key=lambda s: (s.score, -s.year_gap, -s.index))
    rivals = [s for s in passing if s.key != top.key and top.score - s.score <= AMBIGUITY_MARGIN]
    if rivals:
        rival = candidates[rivals[0].index].title
        return _reject(
            top, candidates, f"ambiguous ({top.score:.3f} vs {rivals[0].score:.3f}: {rival!r})"
        )
    title = candidates[top.index].title
    return MatchDecision(top.index, top.score, "title_fuzzy", title, None)
