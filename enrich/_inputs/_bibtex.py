"""BibTeX: a small, tolerant reader for the fields enrich needs.

Grammar accepted: ``@type{key, name = value, ...}`` (or parentheses), values
in braces (nested), in double quotes, bare numbers or ``@string`` macro names,
joined with ``#``.  ``@comment`` and ``@preamble`` are skipped; text between
entries is ignored, as BibTeX itself does.  A syntax error skips that one entry
(``file:line: BibTeX syntax error: ...``) and reading resumes at the next line
that starts with ``@``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from enrich._ids import arxiv_id_from_doi, normalize_doi, parse_arxiv_id
from enrich._inputs._common import Parsed, clean, github_links, origin
from enrich._inputs._text import identify
from enrich._models import Paper

__all__ = ["latex_to_text", "parse_bibtex", "split_authors"]

_ENTRY_START_RE = re.compile(r"@[ \t]*([A-Za-z]+)[ \t\r\n]*[{(]")
_RESYNC_RE = re.compile(r"^[ \t]*@", re.MULTILINE)
_NAME_RE = re.compile(r"[A-Za-z0-9_:.+/'-]+")
_KEY_RE = re.compile(r"[^,\s{}()]*")
_NUMBER_RE = re.compile(r"[0-9]+")
_ARXIV_IN_TEXT_RE = re.compile(r"(?:arXiv\s*[:\s]\s*|\babs/)(\S+)", re.IGNORECASE)
_YEAR_RE = re.compile(r"\b(\d{4})\b")

_COMBINING = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
_SYMBOL_ACCENT_RE = re.compile(
    r"""\\(["'`^~=.])\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij]|[A-Za-z]))"""
)
_LETTER_ACCENT_RE = re.compile(r"\\([uvHckrdb])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+([A-Za-z]))")
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "i", "j": "j",
    "alpha": "α", "beta": "β", "gamma": "γ", "Gamma": "Γ", "delta": "δ", "Delta": "Δ",
    "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ",
    "Theta": "Θ", "kappa": "κ", "lambda": "λ", "Lambda": "Λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "Pi": "Π", "rho": "ρ", "sigma": "σ", "Sigma": "Σ",
    "tau": "τ", "phi": "φ", "varphi": "φ", "Phi": "Φ", "chi": "χ", "psi": "ψ",
    "Psi": "Ψ", "omega": "ω", "Omega": "Ω", "infty": "∞", "times": "×",
    "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "LaTeX": "LaTeX",
    "TeX": "TeX",
}  # fmt: skip
_LETTER_CMD_RE = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])(?:\{\})?\s?")
_ESCAPES = {"&": "&", "%": "%", "$": "\ue000", "#": "#", "_": "_", "{": "\ue001", "}": "\ue002"}
_ESCAPE_RE = re.compile(r"\\([&%$#_{}])")
_OTHER_CMD_RE = re.compile(r"\\[A-Za-z]+\*?\s*")


def latex_to_text(value: str) -> str:
    """Plain text from a BibTeX field: accents composed, commands and braces dropped.

    ``\\emph{x}`` and other commands keep the text of their argument, accents
    like ``{\\"o}`` become ``ö``, common letters and Greek (``\\ss``, ``\\alpha``)
    become characters, ``$`` and grouping braces disappear.

    >>> latex_to_text(r"{G}{\\"o}del and \\emph{Escher}: $\\alpha$-{Nets}")
    'Gödel and Escher: α-Nets'
    """

    def accent(match: re.Match[str]) -> str:
        letter = (match.group(2) or match.group(3)).lstrip("\\")
        return letter + _COMBINING[match.group(1)]

    text = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], value)
    text = _SYMBOL_ACCENT_RE.sub(accent, text)
    text = _LETTER_ACCENT_RE.sub(accent, text)
    text = _LETTER_CMD_RE.sub(lambda m: _LETTERS.get(m.group(1), m.group(0)), text)
    text = text.replace("\\\\", " ").replace("\\ ", " ").replace("~", " ")
    text = _OTHER_CMD_RE.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("$", "").replace("\\", "")
    text = text.replace("\ue000", "$").replace("\ue001", "{").replace("\ue002", "}")
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_authors(value: str) -> tuple[str, ...]:
    """Names from a BibTeX ``author`` field, as ``First Last``; ``others`` dropped."""
    names: list[str] = []
    depth = 0
    start = 0
    lowered = value.lower()
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and lowered.startswith("and", i) and i > 0:
            before, after = value[i - 1], value[i + 3 : i + 4]
            if before.isspace() and (not after or after.isspace()):
                names.append(value[start:i])
                start = i + 3
                i += 3
                continue
        i += 1
    names.append(value[start:])
    result: list[str] = []
    for raw in names:
        parts = [latex_to_text(part) for part in _split_top_commas(raw)]
        parts = [part for part in parts if part]
        if not parts or (len(parts) == 1 and parts[0].lower() == "others"):
            continue
        if len(parts) == 1:
            result.append(parts[0])
        elif len(parts) == 2:
            result.append(f"{parts[1]} {parts[0]}")
        else:  # "von Last, Jr, First"
            result.append(f"{parts[2]} {parts[0]} {parts[1]}")
    return tuple(result)


def _split_top_commas(value: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


class _SyntaxError(Exception):
    pass


@dataclass
class _Entry:
    kind: str
    line: int
    fields: dict[str, str]


class _LineCounter:
    """Line numbers of increasing offsets, counting only the newlines since the last one.

    Counting from the top of the file for every entry made reading quadratic
    (32,000 entries took 46 s); entries are met in order, so each newline is
    counted once.  An offset before the last one asked for counts from the top.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._offset = 0
        self._line = 1

    def line_at(self, offset: int) -> int:
        if offset < self._offset:
            self._offset, self._line = 0, 1
        self._line += self.text.count("\n", self._offset, offset)
        self._offset = offset
        return self._line


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.macros: dict[str, str] = {}
        self.lines = _LineCounter(text)

    def fail(self, message: str) -> _SyntaxError:
        return _SyntaxError(f"{message} (line {self.lines.line_at(self.pos)})")

    def skip_space(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
            elif text[self.pos] == "%":  # biber-style comment to end of line
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            else:
                return

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def name(self, what: str) -> str:
        match = _NAME_RE.match(self.text, self.pos)
        if not match:
            found = self.peek() or "end of file"
            raise self.fail(f"expected {what}, found {found!r}")
        self.pos = match.end()
        return match.group(0)

    def _scan_to(self, closer: str, start: int) -> int:
        """Index of ``closer`` at brace depth 0 from ``start``; backslash escapes one char."""
        text = self.text
        depth = 0
        i = start
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == closer and depth == 0:
                return i
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    break
            i += 1
        return -1

    def braced(self) -> str:
        """The text inside the ``{...}`` group at the current position."""
        end = self._scan_to("}", self.pos + 1)
        if end < 0:
            raise self.fail("unbalanced braces: '{' never closed")
        start, self.pos = self.pos + 1, end + 1
        return self.text[start:end]

    def quoted(self) -> str:
        end = self._scan_to('"', self.pos + 1)
        if end < 0:
            raise self.fail("unterminated quoted value: '\"' never closed")
        start, self.pos = self.pos + 1, end + 1
        return self.text[start:end]

    def skip_group(self, closer: str) -> None:
        """Skip an ``@comment``/``@preamble`` body up to and including ``closer``."""
        end = self._scan_to(closer, self.pos)
        if end < 0:
            raise self.fail(f"unbalanced group: {closer!r} never found")
        self.pos = end + 1

    def value(self) -> str:
        pieces: list[str] = []
        while True:
            self.skip_space()
            ch = self.peek()
            if ch == "{":
                pieces.append(self.braced())
            elif ch == '"':
                pieces.append(self.quoted())
            elif number := _NUMBER_RE.match(self.text, self.pos):
                self.pos = number.end()
                pieces.append(number.group(0))
            elif ch and (ch.isalpha() or ch == "_"):
                pieces.append(self.macros.get(self.name("a value").lower(), ""))
            else:
                raise self.fail(f"expected a value, found {ch or 'end of file'!r}")
            self.skip_space()
            if self.peek() != "#":
                return "".join(pieces)
            self.pos += 1

    def entry(self, kind: str, closer: str) -> dict[str, str]:
        fields: dict[str, str] = {}
        self.skip_space()
        if kind != "string":
            match = _KEY_RE.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            self.skip_space()
            if self.peek() == closer:
                self.pos += 1
                return fields
            if self.peek() != ",":
                raise self.fail(f"expected ',' after the entry key, found {self.peek()!r}")
            self.pos += 1
        while True:
            self.skip_space()
            if self.peek() == closer:
                self.pos += 1
                return fields
            field = self.name("a field name").lower()
            self.skip_space()
            if self.peek() != "=":
                raise self.fail(f"expected '=' after field name {field!r}")
            self.pos += 1
            fields.setdefault(field, self.value())
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != closer:
                found = self.peek() or "end of file"
                raise self.fail(
                    f"expected ',' or {closer!r} after field {field!r}, found {found!r}"
                )


def _entries(text: str, name: str, result: Parsed) -> list[_Entry]:
    scanner = _Scanner(text)
    entries: list[_Entry] = []
    while True:
        match = _ENTRY_START_RE.search(text, scanner.pos)
        if match is None:
            return entries
        kind = match.group(1).lower()
        line = scanner.lines.line_at(match.start())
        opener = text[match.end() - 1]
        scanner.pos = match.end()
        try:
            closer = "}" if opener == "{" else ")"
            if kind in {"comment", "preamble"}:
                scanner.skip_group(closer)
                continue
            fields = scanner.entry(kind, closer)
        except _SyntaxError as exc:
            result.skip(origin(name, line), f"BibTeX syntax error: {exc}")
            resume = _RESYNC_RE.search(text, match.start() + 1)
            next_at = text.find("@", match.start() + 1) if resume is None else resume.end() - 1
            scanner.pos = len(text) if next_at < 0 else next_at
            continue
        if kind == "string":
            scanner.macros.update(fields)
        else:
            entries.append(_Entry(kind, line, fields))


def _paper(entry: _Entry, where: str) -> Paper | None:
    fields = entry.fields
    arxiv_id: str | None = None
    version: int | None = None
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").strip().lower()
    if "eprint" in fields and archive == "arxiv":
        parsed = parse_arxiv_id(latex_to_text(fields["eprint"]))
        if parsed:
            arxiv_id, version = parsed.id, parsed.version
    doi = normalize_doi(latex_to_text(fields.get("doi", "")))
    if arxiv_id is None and doi:
        arxiv_id = arxiv_id_from_doi(doi)
    code: list[str] = []
    for key in ("url", "code", "github", "howpublished", "note"):
        raw = fields.get(key)
        if not raw:
            continue
        plain = raw.replace("\\url{", "{").replace("\\_", "_")
        code.extend(url for url in github_links(plain) if url not in code)
        found = identify(latex_to_text(plain)) or {}
        if arxiv_id is None and found.get("arxiv_id"):
            arxiv_id = str(found["arxiv_id"])
        if doi is None and found.get("doi"):
            doi = str(found["doi"])
    if arxiv_id is None:
        for key in ("journal", "volume", "note", "howpublished", "booktitle"):
            for candidate in _ARXIV_IN_TEXT_RE.findall(latex_to_text(fields.get(key, ""))):
                parsed = parse_arxiv_id(candidate.rstrip(".,;)"))
                if parsed:
                    arxiv_id, version = parsed.id, parsed.version
                    break
            if arxiv_id:
                break
    title = clean(latex_to_text(fields.get("title", "")))
    if not (title or arxiv_id or doi or code):
        return None
    authors = split_authors(fields.get("author", ""))
    year_match = _YEAR_RE.search(fields.get("year", "") or fields.get("date", ""))
    return Paper(
        title=title,
        abstract=clean(latex_to_text(fields.get("abstract", ""))),
        arxiv_id=arxiv_id,
        arxiv_version=version,
        doi=doi,
        code_urls=tuple(code),
        authors=authors,
        authors_count=len(authors) or None,
        year=int(year_match.group(1)) if year_match else None,
        origins=(where,),
    )


def parse_bibtex(text: str, name: str) -> Parsed:
    """Read a BibTeX file: one paper per entry, origin ``name:<line of its @>``.

    Uses title, author, year, abstract, doi, eprint + archivePrefix (or
    eprinttype), url (GitHub, arXiv or DOI link) and arXiv ids mentioned in
    journal/volume/note (``arXiv preprint arXiv:2106.09685``, DBLP's
    ``abs/2106.09685``).
    """
    result = Parsed()
    for entry in _entries(text, name, result):
        where = origin(name, entry.line)
        paper = _paper(entry, where)
        if paper is None:
            result.skip(where, f"@{entry.kind} entry has no title, arXiv id, DOI or GitHub link")
        else:
            result.papers.append(paper)
    return result
