"""The tolerant BibTeX reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich._inputs import read_inputs
from enrich._inputs._bibtex import latex_to_text, parse_bibtex, split_authors

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"


def test_bibtex_entries_fields_and_syntax_error_keeps_neighbours() -> None:
    report = read_inputs(FIXTURES / "papers.bib")
    lora, attention, schroedinger, flash = report.papers

    assert (lora.title, lora.arxiv_id, lora.year, lora.code_urls) == (
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "2106.09685",
        2021,
        ("https://github.com/microsoft/LoRA",),
    )
    assert lora.authors == ("Edward J. Hu", "Yelong Shen", "Phillip Wallis")
    assert lora.origins == (f"{FIXTURES / 'papers.bib'}:6",)
    assert (attention.arxiv_id, attention.arxiv_version, attention.year, attention.authors) == (
        "1706.03762",
        5,
        2017,
        ("Ashish Vaswani", "Noam Shazeer"),
    )
    assert schroedinger.title == "Über die Kräfte in Quantensystemen: Étude α--β & more"
    assert (schroedinger.doi, schroedinger.authors, schroedinger.year) == (
        "10.1000/xyz.123",
        ("Erwin Schrödinger",),
        1926,
    )
    assert (flash.title, flash.arxiv_id) == ("Flash Attention", "2205.14135")
    assert [(s.origin.rsplit(":", 1)[1], s.reason.split(":")[0]) for s in report.skipped] == [
        ("22", "BibTeX syntax error"),
        ("39", "@misc entry has no title, arXiv id, DOI or GitHub link"),
    ]


def test_parenthesised_entries_concatenation_and_macros() -> None:
    text = (
        '@string{ venue = "Conference on " }\n'
        '@inproceedings(key, title = "Joined " # {Title}, booktitle = venue # "Things")\n'
        "@misc{dblp, title={CoRR paper}, journal={CoRR}, volume={abs/1810.04805}}\n"
    )

    papers = parse_bibtex(text, "x.bib").papers

    assert [(p.title, p.arxiv_id, p.origins) for p in papers] == [
        ("Joined Title", None, ("x.bib:2",)),
        ("CoRR paper", "1810.04805", ("x.bib:3",)),
    ]


def test_non_arxiv_eprint_is_ignored() -> None:
    text = "@article{k, title={PubMed thing}, eprint={1706.03762}, archivePrefix={PubMed}}"
    assert parse_bibtex(text, "x").papers[0].arxiv_id is None


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ("@article{bad, title = {Never closed\n", "unbalanced braces"),
        ('@article{bad, title = "Never closed\n', "unterminated quoted value"),
        ("@article{bad, title {No equals}}\n", "expected '=' after field name 'title'"),
        ("@article{bad, title = {A} year = {2020}}\n", "expected ',' or '}' after field 'title'"),
        ("@article{bad, = {A}}\n", "expected a field name"),
    ],
)
def test_each_syntax_error_skips_only_its_entry(broken: str, reason: str) -> None:
    text = "@misc{before, title={Before}}\n" + broken + "@misc{after, title={After}}\n"

    result = parse_bibtex(text, "x.bib")

    assert [p.title for p in result.papers] == ["Before", "After"]
    assert [s.origin for s in result.skipped] == ["x.bib:2"]
    assert result.skipped[0].reason.startswith("BibTeX syntax error: ")
    assert reason in result.skipped[0].reason


def test_latex_to_text() -> None:
    assert latex_to_text(r"{G}{\"o}del and \emph{Escher}: $\alpha$-{Nets}") == (
        "Gödel and Escher: α-Nets"
    )
    assert latex_to_text(r"\c{c}a \v{s} \'{e} {\aa}ngstr\"om 50\% \textbf{\textit{x}}") == (
        "ça š é ångström 50% x"
    )
    assert latex_to_text(r"CM$^3$ and \{braces\} \unknowncommand{kept}") == (
        "CM^3 and {braces} kept"
    )


def test_split_authors() -> None:
    assert split_authors(
        r"Hu, Edward J. and {Google DeepMind} and M{\"u}ller, J{\"o}rg and "
        r"van der Berg, Jr., Jan and Brandon {and} Sons and others"
    ) == (
        "Edward J. Hu",
        "Google DeepMind",
        "Jörg Müller",
        "Jan van der Berg Jr.",
        "Brandon and Sons",
    )
