"""Property and example tests of enrich._ids: total, idempotent, round-tripping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich._ids import (
    ArxivId,
    arxiv_id_from_doi,
    find_github_urls,
    github_full_name,
    normalize_arxiv_id,
    normalize_doi,
    normalize_github_url,
    parse_arxiv_id,
)

FAST = settings(max_examples=200, deadline=None)

# Fragments that make random text hit the interesting branches of the parsers.
_PIECES = [
    "github.com/", "https://", "www.", "x.", "owner", "repo", "-", ".", "/", ".git", "tree/main",
    ")", "]", "'", "\"", ",", " ", "\n", "?", "#", "10.", "1234", "48550", "doi:", "doi.org/",
    "arXiv:", "arxiv.org/abs/", "arxiv.org/pdf/", "2106.09685", "v2", ".pdf", "astro-ph/0601001",
    "math.GT", "İ", "é", "\u00a0", "\t",
]  # fmt: skip
messy_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
)


# --- generated valid identifiers ---------------------------------------------------


@st.composite
def new_style_ids(draw: st.DrawFn) -> str:
    year = draw(st.integers(7, 30))
    month = draw(st.integers(4 if year == 7 else 1, 12))
    yymm = year * 100 + month
    digits = 5 if yymm >= 1501 else 4
    number = draw(st.integers(1, 10**digits - 1))
    return f"{yymm:04d}.{number:0{digits}d}"


_OLD_ARCHIVES = ["astro-ph", "hep-th", "cond-mat", "quant-ph", "math", "cs", "gr-qc", "nlin"]
_OLD_SUBJECTS = ["", ".GT", ".AI", ".CO", ".LG"]


@st.composite
def old_style_ids(draw: st.DrawFn) -> str:
    archive = draw(st.sampled_from(_OLD_ARCHIVES)) + draw(st.sampled_from(_OLD_SUBJECTS))
    year = draw(st.sampled_from([*range(91, 100), *range(8)]))
    month = draw(st.integers(1, 12))
    number = draw(st.integers(1, 999))
    return f"{archive}/{year:02d}{month:02d}{number:03d}"


_FORMS = [
    "{}",
    "arXiv:{}",
    "arxiv: {}",
    "https://arxiv.org/abs/{}",
    "http://arxiv.org/abs/{}",
    "https://arxiv.org/pdf/{}",
    "https://arxiv.org/pdf/{}.pdf",
    "arxiv.org/abs/{}",
    "https://export.arxiv.org/abs/{}",
    "https://www.arxiv.org/abs/{}?context=cs",
    "  {}  ",
]


@FAST
@given(
    base=st.one_of(new_style_ids(), old_style_ids()),
    version=st.one_of(st.none(), st.integers(1, 40)),
    form=st.sampled_from(_FORMS),
)
def test_generated_arxiv_ids_round_trip(base: str, version: int | None, form: str) -> None:
    written = base if version is None else f"{base}v{version}"
    parsed = parse_arxiv_id(form.format(written))
    # An old-style id's subject class (math.GT/...) is a hint, not part of the id.
    archive, slash, number = base.partition("/")
    canonical = f"{archive.split('.')[0]}/{number}" if slash else base
    subject = archive if slash and "." in archive else None
    assert parsed == ArxivId(canonical, version, subject)
    assert str(parsed) == (canonical if version is None else f"{canonical}v{version}")
    assert normalize_arxiv_id(form.format(written)) == canonical


@FAST
@given(base=new_style_ids(), version=st.one_of(st.none(), st.integers(1, 9)))
def test_generated_arxiv_dois_round_trip(base: str, version: int | None) -> None:
    written = base if version is None else f"{base}v{version}"
    doi = f"https://doi.org/10.48550/arXiv.{written}"
    assert parse_arxiv_id(doi) == ArxivId(base, version)
    assert arxiv_id_from_doi(doi) == base
    assert normalize_doi(doi) == f"10.48550/arxiv.{written}"


# --- totality and idempotence ------------------------------------------------------


@FAST
@given(messy_text)
def test_parse_arxiv_id_is_total_and_reparses(text: str) -> None:
    parsed = parse_arxiv_id(text)
    if parsed is not None:
        assert parse_arxiv_id(str(parsed)) == parsed._replace(subject=None)
        assert normalize_arxiv_id(parsed.id) == parsed.id


@FAST
@given(messy_text)
def test_normalize_doi_is_total_and_idempotent(text: str) -> None:
    doi = normalize_doi(text)
    if doi is not None:
        assert normalize_doi(doi) == doi
        assert doi.startswith("10.")
        assert doi == doi.strip()


@FAST
@given(messy_text)
def test_normalize_github_url_is_total_and_idempotent(text: str) -> None:
    url = normalize_github_url(text)
    if url is not None:
        assert normalize_github_url(url) == url
        assert url.startswith("https://github.com/")
        assert github_full_name(url) == url.removeprefix("https://github.com/")


@FAST
@given(messy_text)
def test_find_github_urls_is_total_and_stable(text: str) -> None:
    urls = find_github_urls(text)
    assert len({u.lower() for u in urls}) == len(urls)
    for url in urls:
        assert normalize_github_url(url) == url
    assert find_github_urls(" ".join(urls)) == urls


# --- examples ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2106.09685", ArxivId("2106.09685", None)),
        ("arXiv:2106.09685v2", ArxivId("2106.09685", 2)),
        ("https://arxiv.org/pdf/2106.09685v2.pdf", ArxivId("2106.09685", 2)),
        ("0704.0001", ArxivId("0704.0001", None)),
        ("ASTRO-PH/0601001", ArxivId("astro-ph/0601001", None)),
        ("math.gt/0309136v1", ArxivId("math/0309136", 1, "math.GT")),
        ("arXiv:math.GT/0309136", ArxivId("math/0309136", None, "math.GT")),
        ("10.48550/arXiv.2106.09685", ArxivId("2106.09685", None)),
        ("0808.05394", None),  # five digits before 2015 cannot exist
        ("1501.0001", None),  # four digits from 2015 cannot exist
        ("2113.00001", None),  # month 13
        ("hep-th/9913001", None),  # month 13, old style
        ("hep-th/0801001", None),  # old style ended in March 2007
        ("hep-th/9108001", ArxivId("hep-th/9108001", None)),
        ("\u0130/0001000", None),  # "İ" is not an archive name
        ("\uff12\uff11\uff10\uff16.\uff10\uff19\uff16\uff18\uff15", None),  # fullwidth digits
        ("2106.09685 and more", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_arxiv_id_examples(text: str | None, expected: ArxivId | None) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://doi.org/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
        ("doi:10.1038/NATURE14539", "10.1038/nature14539"),
        ("10.1000/xyz).", "10.1000/xyz"),
        ("10.1000/abc\n)", "10.1000/abc"),  # no newline survives the strip
        ("10.\u0661\u0662\u0663\u0664/x", None),  # Arabic-Indic digits
        ("not a doi", None),
        ("10.12/too-short-prefix", None),
    ],
)
def test_normalize_doi_examples(text: str, expected: str | None) -> None:
    assert normalize_doi(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://github.com/huggingface/transformers",
            "https://github.com/huggingface/transformers",
        ),
        ("github.com/owner/repo.git", "https://github.com/owner/repo"),
        ("github.com/owner/repo.git.git", "https://github.com/owner/repo"),
        ("https://github.com/owner/repo/tree/main/src).", "https://github.com/owner/repo"),
        ("https://github.com/features/copilot", None),
        ("https://user.github.com/owner/repo", None),
        ("https://notgithub.com/owner/repo", None),
        ("https://github.com/owner", None),
    ],
)
def test_normalize_github_url_examples(text: str, expected: str | None) -> None:
    assert normalize_github_url(text) == expected


def test_find_github_urls_dedupes_case_insensitively_in_order() -> None:
    text = (
        "Code: https://github.com/A/b, mirror github.com/a/B.git and "
        "https://x.github.com/c/d; docs https://github.com/e/f/issues/1"
    )
    assert find_github_urls(text) == ["https://github.com/A/b", "https://github.com/e/f"]
