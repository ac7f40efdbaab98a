"""Venue names: one canonical short name per venue, and arXiv's ``journal_ref``.

Services spell one venue many ways: Semantic Scholar says "Neural Information
Processing Systems", a BibTeX file "Advances in Neural Information Processing
Systems", arXiv's free-text ``journal_ref`` "NIPS 2017".  :func:`normalize_venue`
maps all of them to one short name through :data:`VENUES`, an ordered table of
canonical name -> regular expressions.  The expressions are searched in a *key*
of the venue: accents and case folded, ``&`` spelled "and", punctuation turned
into spaces, and leading noise ("Proc.", "Proceedings of the", "In", a year, an
ordinal such as "31st") and trailing years removed.  So "Proc. Natl. Acad. Sci.
U.S.A." has the key "natl acad sci u s a".

Rules of the table:

* order matters: the first canonical name with a matching pattern wins, so the
  specific comes first ("Findings of EMNLP" before "EMNLP", "TACL" and "NAACL"
  before "ACL");
* a long name that is the prefix of other venues' names is guarded by
  :func:`_full`: "International Conference on Machine Learning" must not be
  followed by more words ("... and Applications" is ICMLA);
* :data:`_NOT` lists, per canonical name, patterns that veto it ("PNAS Nexus",
  "SIGIR Forum", "AAAI Spring Symposium");
* a sub-event of a venue (workshops, companions, demos, extended abstracts,
  doctoral consortia, anything "@" another venue) is never folded into the
  venue: it keeps its own cleaned name.

Unknown venues are kept as given, only cleaned: HTML entities decoded,
whitespace collapsed, a leading or trailing year removed.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

__all__ = [
    "PREPRINT_VENUES",
    "VENUES",
    "is_preprint_venue",
    "normalize_venue",
    "venue_from_journal_ref",
]

_FULL_TAIL = r"pmlr|proceedings|volume|vol|part|pp|pages"


def _full(name: str, *acronyms: str) -> str:
    """``name`` as a whole venue name: followed by nothing, a number or an acronym."""
    tail = "|".join((*acronyms, _FULL_TAIL))
    return rf"\b{name}(?=$|\s+(?:\d|(?:{tail})\b))"


VENUES: dict[str, tuple[str, ...]] = {
    # Preprint servers (DBLP files arXiv papers under "CoRR").
    "arXiv": (r"\barxiv\b", r"^corr(?: abs)?\b", r"computing research repository"),
    "bioRxiv": (r"\bbiorxiv\b",),
    "medRxiv": (r"\bmedrxiv\b",),
    "ChemRxiv": (r"\bchemrxiv\b",),
    "PsyArXiv": (r"\bpsyarxiv\b",),
    "TechRxiv": (r"\btechrxiv\b",),
    "SSRN": (r"\bssrn\b", r"\bsocial science research network\b"),
    "Research Square": (r"^research square\b",),
    "Preprints.org": (r"^preprints(?: org)?$",),
    # Natural language processing.
    "Findings of EMNLP": (r"\bfindings\b.*\bemnlp\b", r"\bemnlp\b.*\bfindings\b"),
    "Findings of NAACL": (r"\bfindings\b.*\bnaacl\b", r"\bnaacl\b.*\bfindings\b"),
    "Findings of EACL": (r"\bfindings\b.*\beacl\b", r"\beacl\b.*\bfindings\b"),
    "Findings of AACL": (r"\bfindings\b.*\baacl\b", r"\baacl\b.*\bfindings\b"),
    "Findings of ACL": (
        r"\bfindings of (?:the )?(?:acl|association for computational linguistics)\b",
        r"\bacl\b.*\bfindings\b",
    ),
    "TACL": (
        r"\btacl\b",
        r"\btransactions of the (?:acl|association for computational linguistics)\b",
        r"^trans assoc comput linguistics?$",
    ),
    "NAACL": (r"\bnaacl\b", r"\bnorth american chapter of the association for computational"),
    "EACL": (r"\beacl\b", r"\beuropean chapter of the association for computational"),
    "AACL": (r"\baacl\b", r"\basia pacific chapter of the association for computational"),
    "EMNLP": (r"\bemnlp\b", r"\bempirical methods in natural language processing\b"),
    "COLING": (r"\bcoling\b", _full("international conference on computational linguistics")),
    "CoNLL": (r"\bconll\b", r"\bcomputational natural language learning\b"),
    "ACL": (
        r"\bacl\b",
        r"\bannual meeting of the association for computational linguistics\b",
        r"^association for computational linguistics$",
    ),
    # Machine learning.
    "NeurIPS": (r"\bneurips\b", r"\bnips\b", r"\bneural information processing systems\b"),
    "ICML": (r"\bicml\b", _full("international conference on machine learning", "icml")),
    "ICLR": (r"\biclr\b", r"\binternational conference on learning representations\b"),
    "AISTATS": (
        r"\baistats\b",
        r"\binternational conference on artificial intelligence and statistics\b",
    ),
    "UAI": (r"\buai\b", r"\buncertainty in artificial intelligence\b"),
    "COLT": (
        r"\bcolt\b",
        r"\bconference on learning theory\b",
        r"\bcomputational learning theory\b",
    ),
    "CoRL": (r"\bcorl\b", r"\bconference on robot learning\b"),
    "MLSys": (r"\bmlsys\b", r"\bmachine learning and systems\b"),
    "JMLR": (r"\bjmlr\b", r"\bjournal of machine learning research\b", r"^j mach learn res$"),
    "TMLR": (
        r"\btmlr\b",
        r"\btransactions on machine learning research\b",
        r"^trans mach learn res$",
    ),
    "AAAI": (
        r"\baaai\b",
        r"^(?:aaai )?national conference on artificial intelligence$",
    ),
    "IJCAI": (r"\bijcai\b", r"\binternational joint conference on artificial intelligence\b"),
    # Computer vision.
    "CVPR": (r"\bcvpr\b", r"\bcomputer vision and pattern recognition\b"),
    "ICCV": (r"\biccv\b", _full("international conference on computer vision", "iccv")),
    "ECCV": (r"\beccv\b", r"\beuropean conference on computer vision\b"),
    "WACV": (r"\bwacv\b", r"\bwinter conference on applications of computer vision\b"),
    "BMVC": (r"\bbmvc\b", r"\bbritish machine vision conference\b"),
    "IJCV": (r"\bijcv\b", r"^international journal of computer vision$", r"^int j comput vis"),
    "IEEE TPAMI": (
        r"\btpami\b",
        r"^(?:ieee )?pami$",
        r"\btransactions on pattern analysis and machine intelligence\b",
        r"\btrans pattern anal mach intell\b",
    ),
    # Data mining, retrieval, the web.
    "KDD": (r"\bkdd\b", r"\bsigkdd\b", r"\bknowledge discovery (?:and|in) data mining\b"),
    "SIGIR": (r"\bsigir\b", r"\bresearch and development in information retrieval\b"),
    "WWW": (
        r"\bwww\b",
        r"\bworld wide web conference\b",
        r"^(?:acm )?(?:the )?web conference$",
    ),
    "WSDM": (r"\bwsdm\b", r"\bweb search and data mining\b"),
    "CIKM": (r"\bcikm\b", r"\bconference on information and knowledge management\b"),
    "RecSys": (r"\brecsys\b", r"\bconference on recommender systems\b"),
    # Human-computer interaction.
    "CHI": (
        r"\bchi\b",
        r"\bconference on human factors in computing systems\b",
        r"^human factors in computing systems$",
    ),
    "UIST": (r"\buist\b", r"\buser interface software and technology\b"),
    # Robotics, speech, software engineering.
    "ICRA": (r"\bicra\b", r"\binternational conference on robotics and automation\b"),
    "IROS": (r"\biros\b", r"\bintelligent robots and systems\b"),
    "ICASSP": (r"\bicassp\b", r"\bconference on acoustics speech and signal processing\b"),
    "Interspeech": (r"\binterspeech\b",),
    "ICSE": (r"\bicse\b", _full("international conference on software engineering", "icse")),
    "ISSTA": (r"\bissta\b", r"\binternational symposium on software testing and analysis\b"),
    # Journals.
    "Nature": (r"^nature$",),
    "Nature Machine Intelligence": (r"^nature machine intelligence$", r"^nat mach intell$"),
    "Nature Communications": (r"^nature communications$", r"^nat commun$"),
    "Science": (r"^science$",),
    "PNAS": (r"\bpnas\b", r"\bnational academy of sciences\b", r"\bnatl acad sci\b"),
}

# Per-venue vetoes: names that contain a venue's pattern but are another venue.
_NOT: dict[str, tuple[str, ...]] = {
    "ACL": (r"\bacl anthology\b",),
    "JMLR": (r"\bw and cp\b", r"\bwcp\b"),
    "AAAI": (
        r"\bsymposi",
        r"\binteractive digital entertainment\b",
        r"\bweb and social media\b",
        r"\bicwsm\b",
        r"\bhuman computation\b",
        r"\bhcomp\b",
        r"\baies\b",
        r"\bethics and society\b",
        r"\bmagazine\b",
        r"\beaai\b",
    ),
    "KDD": (r"\bpacific asia\b", r"\bpakdd\b", r"\bexplorations\b"),
    "SIGIR": (r"\bforum\b", r"\btheory of information retrieval\b", r"\bictir\b", r"\bsigir ap\b"),
    "WWW": (r"\basia pacific web\b", r"\bapweb\b"),
    "CHI": (r"\bchi play\b",),
    "PNAS": (r"\bnexus\b",),
    "NeurIPS": (r"\bml4h\b",),
}

# Parts of a venue that are not the venue itself.
_SUB_EVENT_RE = re.compile(
    r"\b(?:workshops?|companion|extended abstracts?|doctoral consortium|student research"
    r"|tutorials?|demos?|demonstrations?|adjunct|shared tasks?|posters? session)\b"
)

PREPRINT_VENUES: frozenset[str] = frozenset(
    {"arXiv", "bioRxiv", "medRxiv", "ChemRxiv", "PsyArXiv", "TechRxiv", "SSRN"}
    | {"Research Square", "Preprints.org"}
)

_COMPILED: tuple[tuple[str, tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]], ...] = tuple(
    (
        name,
        tuple(re.compile(p) for p in patterns),
        tuple(re.compile(p) for p in _NOT.get(name, ())),
    )
    for name, patterns in VENUES.items()
)

_YEAR = r"(?:19|20)\d{2}"
_LEADING_YEAR_RE = re.compile(rf"^{_YEAR}\s+")
_TRAILING_YEAR_RE = re.compile(rf"[\s,;:(\['’-]*{_YEAR}[)\]]?$")
_KEY_NOISE_RE = re.compile(
    rf"^(?:(?:in|proc|proceedings|inproceedings|of|the|published|accepted|at|to|by|for|appear"
    rf"|presented|an?|{_YEAR}|\d+(?:st|nd|rd|th))\s+)+"
)
_KEY_TRAILING_YEARS_RE = re.compile(rf"(?:\s+(?:{_YEAR}|\d{{2}}))+$")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _clean(raw: str) -> str:
    text = " ".join(html.unescape(unicodedata.normalize("NFKC", raw)).split())
    text = _LEADING_YEAR_RE.sub("", text)
    text = _TRAILING_YEAR_RE.sub("", text)
    return text.strip(" ,;:-–")


def _key(text: str) -> str:
    key = _fold(text).replace("&", " and ")
    key = " ".join(re.sub(r"[\W_]+", " ", key).split())
    key = _KEY_NOISE_RE.sub("", key + " ").strip()
    return _KEY_TRAILING_YEARS_RE.sub("", key)


def _is_sub_event(text: str) -> bool:
    return "@" in text or bool(_SUB_EVENT_RE.search(_key(text)))


def _lookup(text: str) -> str | None:
    """The canonical name for ``text``, or ``None`` (sub-events are never folded)."""
    if _is_sub_event(text):
        return None
    key = _key(text)
    if not key:
        return None
    for name, patterns, vetoes in _COMPILED:
        if any(p.search(key) for p in patterns) and not any(v.search(key) for v in vetoes):
            return name
    return None


# Pure and called once per row with few distinct values: memoised.
@functools.lru_cache(maxsize=4096)
def normalize_venue(raw: str | None) -> str | None:
    """One canonical short name per venue; unknown venues cleaned but kept.

    Args:
        raw: a venue as any service or file spells it.

    Returns:
        The canonical name from :data:`VENUES` ("NeurIPS", "Findings of EMNLP",
        "IEEE TPAMI", "arXiv"), or, for a venue not in the table, ``raw`` with
        HTML entities decoded, whitespace collapsed and a leading or trailing
        year removed.  ``None`` for ``None`` and blank strings.

    >>> normalize_venue("Advances in Neural Information Processing Systems")
    'NeurIPS'
    >>> normalize_venue("Proc. NeurIPS 2023"), normalize_venue("  Minds and  Machines 2021 ")
    ('NeurIPS', 'Minds and Machines')
    """
    if raw is None:
        return None
    cleaned = _clean(raw)
    if not cleaned:
        return None
    return _lookup(cleaned) or cleaned


# Pure and called once per row with few distinct values: memoised.
@functools.lru_cache(maxsize=4096)
def is_preprint_venue(raw: str | None) -> bool:
    """True for preprint servers: arXiv (also "arXiv.org", "CoRR"), bioRxiv, medRxiv, SSRN...

    >>> is_preprint_venue("arXiv.org"), is_preprint_venue("CoRR"), is_preprint_venue("ICLR")
    (True, True, False)
    """
    return normalize_venue(raw) in PREPRINT_VENUES


_REF_PREFIX_RE = re.compile(
    r"^(?:in\s*proceedings\s+of\s+(?:the\s+)?|in\s*:\s*|in\s+|proc(?:eedings)?\.?\s+(?:of\s+)?"
    r"|published\s+(?:in|at|as|by)\s+|accepted\s+(?:at|to|by|in|for)\s+(?:publication\s+in\s+)?"
    r"|to\s+appear\s+(?:in|at)\s+|presented\s+at\s+|the\s+|\d+(?:st|nd|rd|th)\s+)",
    re.IGNORECASE,
)
# Volume, issue, pages and dates start at the first number after a space or a
# punctuation mark ("Phys. Rev. B 74, 024520", "ActaAstron.56:1-50").
_REF_NUMBER_RE = re.compile(r"(?<=[\s.,;:(\[])\d")
_REF_YEAR_RE = re.compile(rf"(?<!\d){_YEAR}(?!\d)")
_REF_TAIL_RE = re.compile(
    r"(?:[\s,;:(\[@–-]+|\b(?:vol|volume|no|nr|issue|pp|pages?|p|art|article|number|n"
    r"|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?)$",
    re.IGNORECASE,
)


def _leading_name(ref: str) -> str:
    text = ref
    while True:
        stripped = _REF_PREFIX_RE.sub("", _LEADING_YEAR_RE.sub("", text), count=1)
        if stripped == text:
            break
        text = stripped
    text = " ".join(_REF_YEAR_RE.sub(" ", text).split())
    cut = _REF_NUMBER_RE.search(text)
    if cut is not None:
        text = text[: cut.start()]
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))
    text = re.sub(r"\s*\([^)]*$", "", text)  # a parenthesis the cut left open
    while True:
        stripped = _REF_TAIL_RE.sub("", text).rstrip()
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()) if any(ch.isalpha() for ch in text) else ""


# Pure and called once per row with few distinct values: memoised.
@functools.lru_cache(maxsize=4096)
def venue_from_journal_ref(journal_ref: str | None) -> str | None:
    """The venue named in arXiv's free-text ``journal_ref``.

    The canonical name when the table recognises one anywhere in the text;
    otherwise the leading name with "In Proc.", years, volume, issue, pages and
    months removed; ``None`` when nothing name-like is left.

    >>> venue_from_journal_ref("Advances in Neural Information Processing Systems 30 (NIPS 2017)")
    'NeurIPS'
    >>> venue_from_journal_ref("ActaAstron.56:1-50,2006")
    'ActaAstron.'
    """
    if journal_ref is None:
        return None
    cleaned = " ".join(html.unescape(unicodedata.normalize("NFKC", journal_ref)).split())
    if not cleaned:
        return None
    canonical = _lookup(cleaned)
    if canonical is not None:
        return canonical
    lead = _leading_name(cleaned)
    if not lead:
        return None
    if _is_sub_event(cleaned):
        return lead
    return _lookup(lead) or lead
