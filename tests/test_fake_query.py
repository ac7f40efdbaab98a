"""The arXiv search_query parser and matcher behind the fake export API."""

from __future__ import annotations

import pytest

from enrich.testing._query import BoolOp, Document, Term, matches, parse_query, render, score

DOCS = {
    "checker": Document.build(
        "cond-mat/0603029",
        title="Quantum Criticality on a Checkerboard Lattice",
        abstract="We study bosons on the checkerboard lattice.",
        authors=["Adrian Del Maestro", "Ian Affleck"],
        comment="8 pages, 3 figures",
        journal_ref="Phys. Rev. B 85, 115117 (2012)",
        categories=["cond-mat.str-el", "cond-mat.stat-mech"],
    ),
    "dl": Document.build(
        "2202.12139",
        title="Testing Deep Learning Models: A First Comparative Study",
        abstract="Deep learning has revolutionized vision. We test models thoroughly.",
        authors=["Mohit Kumar Ahuja", "Arnaud Gotlieb"],
        comment="Workshop @ ICST 2022",
        journal_ref=None,
        categories=["cs.SE", "cs.LG"],
    ),
    "learning_deep": Document.build(
        "2405.13786",
        title="Learning Deep Rankers for Test Prioritisation",
        abstract="Learning-to-rank for regression testing.",
        authors=["Aurora Ramírez"],
        comment=None,
        journal_ref="Proc. ICSTW 2023, pp. 66-69",
        categories=["cs.SE"],
    ),
}


def hits(query: str) -> set[str]:
    node = parse_query(query)
    return {name for name, doc in DOCS.items() if matches(node, doc)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ti:checkerboard", {"checker"}),
        ("au:del_maestro", {"checker"}),
        ("au:maestro", {"checker"}),
        ("abs:bosons", {"checker"}),
        ("co:figures", {"checker"}),
        ("jr:115117", {"checker"}),
        ("cat:cs.LG", {"dl"}),
        ("cat:cs.SE", {"dl", "learning_deep"}),
        ("cat:cond-mat.*", {"checker"}),
        ("id:2202.12139v1", {"dl"}),
        ("all:testing", {"dl", "learning_deep"}),
        ("testing", {"dl", "learning_deep"}),
        ("au:ramirez", {"learning_deep"}),  # accents stripped
        ("ti:TESTING", {"dl"}),  # case-insensitive
        ("ti:test*", {"dl", "learning_deep"}),
    ],
)
def test_field_prefixes(query: str, expected: set[str]) -> None:
    assert hits(query) == expected


def test_phrase_needs_contiguous_words() -> None:
    # Both titles contain "deep" and "learning"; only one has them adjacent and in order.
    assert hits('ti:"deep learning"') == {"dl"}
    assert hits("ti:deep AND ti:learning") == {"dl", "learning_deep"}
    assert hits('ti:"learning deep"') == {"learning_deep"}


def test_phrase_does_not_span_authors() -> None:
    assert hits('au:"affleck adrian"') == set()
    assert hits('au:"adrian del maestro"') == {"checker"}


def test_boolean_operators() -> None:
    assert hits("cat:cs.SE AND ti:comparative") == {"dl"}
    assert hits("ti:checkerboard OR ti:comparative") == {"checker", "dl"}
    assert hits("cat:cs.SE ANDNOT ti:comparative") == {"learning_deep"}


def test_parentheses_group() -> None:
    assert hits("cat:cs.SE AND (ti:comparative OR ti:rankers)") == {"dl", "learning_deep"}
    assert hits("(cat:cs.SE AND ti:comparative) OR ti:checkerboard") == {"dl", "checker"}
    assert hits("ti:(checkerboard OR rankers)") == {"checker", "learning_deep"}


def test_plus_signs_and_implicit_and() -> None:
    # "+" is a separator; juxtaposed terms are AND-ed like the live API does.
    assert hits("au:del_maestro+AND+ti:checkerboard") == {"checker"}
    assert hits("ti:testing ti:comparative") == {"dl"}
    assert hits("ti:testing ti:checkerboard") == set()


def test_operators_are_case_sensitive() -> None:
    # Lower-case "and" is an ordinary word, not an operator.
    node = parse_query("ti:checkerboard and")
    assert isinstance(node, BoolOp)
    assert node.right == Term("all", ("and",), False, "and")


def test_lenient_on_broken_syntax() -> None:
    assert hits("(ti:checkerboard OR ti:rankers") == {"checker", "learning_deep"}
    assert hits("ti:checkerboard)") == {"checker"}
    assert hits("ANDNOT ti:checkerboard") == set()
    assert parse_query("   ") is None
    assert hits("") == set()


def test_render_echoes_bare_terms_as_all() -> None:
    assert render(parse_query("testing")) == "all:testing"
    assert (
        render(parse_query('ti:"Deep Learning" AND (au:smith OR cat:cs.LG)'))
        == 'ti:"deep learning" AND (au:smith OR cat:cs.LG)'
    )


def test_score_prefers_more_and_title_matches() -> None:
    node = parse_query("ti:testing OR abs:testing OR ti:comparative")
    assert score(node, DOCS["dl"]) > score(node, DOCS["learning_deep"])
    assert score(node, DOCS["checker"]) == 0
