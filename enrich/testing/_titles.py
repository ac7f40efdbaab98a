"""Synthetic paper titles: fresh ones, deliberate confusers, and spelling variants.

Three kinds of text come out of here:

* distinct titles composed from the vocabularies in ``_words.py`` (uniqueness is
  judged on :func:`enrich._match.normalize_title`, so no two papers normalise alike);
* confusers, i.e. *different* papers whose titles a careless matcher mixes up:
  the same main title with another subtitle, a title extended by a few words
  (one title a prefix of the other), and titles one word apart;
* variants of *one* title as different places spell it (case, accents, LaTeX
  accents, ``{Braces}``, en-dashes, doubled spaces, colon vs dash).  Every variant
  normalises to the same key as the original, which the tests check.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

from enrich._match import normalize_title
from enrich.testing import _words as w

__all__ = ["TitleMaker", "arxiv_form", "has_accent", "input_variant", "method_of", "s2_form"]

# LaTeX spellings that normalize_title's accent rule folds back to the bare letter.
_LATEX_ACCENTS = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~",
    "\u030b": "H", "\u0327": "c", "\u030c": "v",
}  # fmt: skip
_LETTER_ACCENTS = frozenset("'`^\"~")
_ACRONYM_RE = re.compile(r"^[A-Za-z0-9$\\-]*[A-Z][A-Za-z0-9$\\-]*[A-Z][A-Za-z0-9$\\+-]*$")


def has_accent(title: str) -> bool:
    if title.isascii():
        return False
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", title))


def _latex_accents(title: str) -> str:
    out: list[str] = []
    for ch in title:
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if len(marks) == 1 and marks in _LATEX_ACCENTS and base.isalpha():
            cmd = _LATEX_ACCENTS[marks]
            # Letter accents read well as {\'e}; command accents need {\v{r}}.
            out.append(f"{{\\{cmd}{base}}}" if cmd in _LETTER_ACCENTS else f"\\{cmd}{{{base}}}")
        else:
            out.append(ch)
    return "".join(out)


def _strip_accents(title: str) -> str:
    decomposed = unicodedata.normalize("NFD", title)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _brace_acronym(title: str) -> str | None:
    words = title.split(" ")
    for i, word in enumerate(words):
        core = word.rstrip(":?,")
        if len(core) >= 3 and _ACRONYM_RE.match(core) and "{" not in core:
            words[i] = "{" + core + "}" + word[len(core) :]
            return " ".join(words)
    return None


def _sentence_case(title: str) -> str:
    # Keep words with inner capitals (acronyms, method names) as they are.
    words = title.split(" ")
    out = [words[0]]
    for word in words[1:]:
        inner_caps = sum(c.isupper() for c in word[1:])
        out.append(word if inner_caps else word.lower())
    return " ".join(out)


def _double_space(title: str, rng: random.Random) -> str | None:
    spaces = [i for i, c in enumerate(title) if c == " "]
    if not spaces:
        return None
    i = rng.choice(spaces)
    return title[:i] + "  " + title[i + 1 :]


def _hyphen_to_dash(title: str) -> str | None:
    return title.replace("-", "\u2013", 1) if "-" in title else None


def _hyphen_to_space(title: str) -> str | None:
    if "-" not in title:
        return None
    return re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", title, count=1)


_VARIANTS: tuple[tuple[str, float, Callable[[str, random.Random], str | None]], ...] = (
    ("lower", 3, lambda t, _: t.lower()),
    ("upper", 0.5, lambda t, _: t.upper()),
    ("sentence", 2, lambda t, _: _sentence_case(t)),
    ("strip_accents", 3, lambda t, _: _strip_accents(t) if has_accent(t) else None),
    ("latex_accents", 3, lambda t, _: _latex_accents(t) if has_accent(t) else None),
    ("braces", 2, lambda t, _: _brace_acronym(t)),
    ("en_dash", 2, lambda t, _: _hyphen_to_dash(t)),
    ("hyphen_space", 1.5, lambda t, _: _hyphen_to_space(t)),
    ("double_space", 2, _double_space),
    ("colon_dash", 1, lambda t, _: t.replace(": ", " - ", 1) if ": " in t else None),
    ("period", 1, lambda t, _: None if t.endswith((".", "?")) else t + "."),
    ("dash_latex", 1, lambda t, _: t.replace("\u2013", "--") if "\u2013" in t else None),
)
_VARIANT_WEIGHTS = [weight for _, weight, _ in _VARIANTS]


def input_variant(title: str, rng: random.Random) -> tuple[str, list[str]]:
    """A spelling of ``title`` that differs in text but normalises to the same key.

    Returns the variant and the names of the changes applied (one or two).
    Falls back to lower case, which always differs for our titles.
    """
    key = normalize_title(title)
    wanted = 1 if rng.random() < 0.7 else 2
    applied: list[str] = []
    current = title
    for _ in range(8):
        name, _weight, op = rng.choices(_VARIANTS, weights=_VARIANT_WEIGHTS)[0]
        if name in applied:
            continue
        candidate = op(current, rng)
        if candidate is None or candidate == current or normalize_title(candidate) != key:
            continue
        current = candidate
        applied.append(name)
        if len(applied) == wanted:
            break
    if not applied:
        current, applied = title.lower(), ["lower"]
    return current, applied


def arxiv_form(title: str, rng: random.Random) -> str:
    """How arXiv's API would show ``title``: LaTeX accents, ``{Braces}``, ``--``."""
    out = title
    if has_accent(out) and rng.random() < 0.5:
        out = _latex_accents(out)
    if "\u2013" in out and rng.random() < 0.7:
        out = out.replace("\u2013", "--")
    if rng.random() < 0.08:
        out = _brace_acronym(out) or out
    return out


def s2_form(title: str, rng: random.Random) -> str:
    """How a publisher-fed Semantic Scholar record might spell ``title``."""
    roll = rng.random()
    if roll < 0.15:
        return _sentence_case(title)
    if roll < 0.18 and not title.endswith((".", "?")):
        return title + "."
    return title


def method_of(title: str) -> str | None:
    """The method name a title leads with (``"ViTAL: ..."`` -> ``"ViTAL"``), if any."""
    head, sep, _ = title.partition(":")
    if sep and " " not in head.strip() and not head.startswith("$"):
        return head.strip()
    return None


class TitleMaker:
    """Composes distinct titles and confusers; remembers every title handed out."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def register(self, title: str) -> bool:
        """Claim ``title``; False when it (normalised) is already taken."""
        key = normalize_title(title)
        if not key or key in self._used:
            return False
        self._used.add(key)
        return True

    def fresh(self, *, with_subtitle: bool = False) -> str:
        while True:
            title = self._subtitled() if with_subtitle else self._compose()
            if self.register(title):
                return title

    def method_name(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.02:
            return rng.choice(w.METHOD_SPECIAL)
        if roll < 0.22:
            letters = "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVW") for _ in range(rng.randint(3, 6)))
            return letters + (rng.choice(w.METHOD_SUFFIXES) if rng.random() < 0.2 else "")
        name = rng.choice(w.METHOD_HEADS) + rng.choice(w.METHOD_TAILS)
        if rng.random() < 0.25:
            name += rng.choice(w.METHOD_SUFFIXES)
        return name

    def subtitle(self) -> str:
        rng = self._rng
        return rng.choice(w.SUBTITLES).format(
            a=rng.choice(w.ADJECTIVES),
            t=rng.choice(w.TECHNIQUES),
            k=rng.choice(w.TASKS),
            d=rng.choice(w.DOMAINS),
            p=rng.choice(w.PROPERTIES),
            s=rng.choice(w.SOURCES),
        )

    def _subtitled(self) -> str:
        rng = self._rng
        if rng.random() < 0.7:
            main = self.method_name()
        else:
            main = f"{rng.choice(w.ADJECTIVES)} {rng.choice(w.TECHNIQUES)}"
        return f"{main}: {self.subtitle()}"

    def _compose(self) -> str:
        rng = self._rng
        a, a2 = rng.choice(w.ADJECTIVES), rng.choice(w.ADJECTIVES)
        t, k, d = rng.choice(w.TECHNIQUES), rng.choice(w.TASKS), rng.choice(w.DOMAINS)
        roll = rng.random()
        if roll < 0.30:
            return self._subtitled()
        if roll < 0.34:
            return f"{self.method_name()}: {a} {t} for {k}"
        if roll < 0.48:
            return f"{a} {t} for {k}"
        if roll < 0.56:
            return f"{a} {k} with {a2} {t}"
        if roll < 0.61:
            return f"Learning to {rng.choice(w.VERBS)} {rng.choice(w.OBJECTS)} from {rng.choice(w.SOURCES)}"
        if roll < 0.65:
            return f"Learning to {rng.choice(w.VERBS)} with {t}"
        if roll < 0.70:
            return f"On the {rng.choice(w.PROPERTIES)} of {t} in {d}"
        if roll < 0.72:
            return f"On the {rng.choice(w.PROPERTIES)} of {a} {t}"
        if roll < 0.74:
            return f"{t} Is All You Need for {k}"
        if roll < 0.75:
            return f"{self.method_name()} Is All You Need"
        if roll < 0.81:
            return f"Towards {a} {k} via {t}"
        if roll < 0.84:
            return f"Rethinking {t} for {k}"
        if roll < 0.86:
            return f"When Does {t} Help {k}?"
        if roll < 0.88:
            return f"A Survey on {t} for {k}"
        if roll < 0.93:
            return f"{self.method_name()}: Towards {a} {k} in {d}"
        return f"{a} {t} for {k} in {d}"

    # Confusers: each returns a new, registered title, or None when ``title`` has
    # no usable shape (no colon, no swappable word) or every attempt collided.

    def subtitle_sibling(self, title: str) -> str | None:
        head, sep, _ = title.partition(": ")
        if not sep:
            return None
        for _ in range(10):
            candidate = f"{head}: {self.subtitle()}"
            if self.register(candidate):
                return candidate
        return None

    def prefix_sibling(self, title: str) -> str | None:
        if title.endswith("?"):
            return None
        for _ in range(10):
            candidate = f"{title} {self._rng.choice(w.EXTENSIONS)}"
            if self.register(candidate):
                return candidate
        return None

    def oneword_sibling(self, title: str) -> str | None:
        words = title.split(" ")
        slots = [i for i, word in enumerate(words) if word.rstrip(":?") in w.SWAPS]
        self._rng.shuffle(slots)
        for i in slots:
            core = words[i].rstrip(":?")
            swapped = [*words[:i], w.SWAPS[core] + words[i][len(core) :], *words[i + 1 :]]
            candidate = " ".join(swapped)
            if self.register(candidate):
                return candidate
        return None

    def truncated(self, title: str) -> str | None:
        """The main title alone (``"X: Y"`` -> ``"X"``) when it is long enough to fool."""
        head, sep, _ = title.partition(": ")
        if not sep or len(head.split()) < 3:
            return None
        return head if self.register(head) else None
