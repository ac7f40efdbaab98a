"""Title normalisation, scoring and the precision-first match decision."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich._match import (
    DEFAULT_THRESHOLD,
    Candidate,
    MatchDecision,
    TitleQuery,
    choose,
    normalize_title,
    significant_terms,
    surname_key,
    title_similarity,
)

FAST = settings(max_examples=200, deadline=None)

# Fragments that steer random text into the LaTeX, HTML and Unicode branches.
_PIECES = [
    "\\", "{", "}", "$", "\\alpha", "\\'", '\\"', "\\c", "\\v", "\\ss", "\\o", "\\i", "\\&", "&",
    "&amp;", "<i>", "</i>", "<sub>", "e", "O", " ", "-", "\u2013", "'", "\u2019", "α", "Σ", "ς",
    "ß", "İ", "ŉ", "ǰ", "\u0345", "\u0301", "Å", "ø", "ﬁ", "²", "¼", "가", "\u093f", "_", "Net",
]  # fmt: skip
messy_titles = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_PIECES), max_size=14).map("".join),
)


# --- normalize_title ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "{BERT}: Pre-training of Deep  Bidirectional Transformers",
            "bert pre training of deep bidirectional transformers",
        ),
        ("Pre\u2013training \u2014 and Pre\u2011training", "pre training and pre training"),
        ("$\\alpha$-Net: Fast Sampling", "alpha net fast sampling"),
        ("α-Net: Fast Sampling", "alpha net fast sampling"),
        ("$\\beta$-VAE", "beta vae"),
        ("$\\varepsilon$-Greedy", "epsilon greedy"),
        ("Μελέτη of αβ", "μελετη of αβ"),  # a Greek word stays a word
        ("Caf\\'e, na\\\"ive and \\c{c}a \\v s", "cafe naive and ca s"),
        ("Caf\\'{e} Caf\\' e \\'{\\i}ndice \\t{oo}", "cafe cafe indice oo"),
        ("Café, naïve", "cafe naive"),
        ("\\textbf{\\emph{Deep}} Learning", "deep learning"),
        ("{\\em Faster} R-CNN \\cite{x}", "faster r cnn x"),
        ('Gro\\ss{}e \\o{}stergaard \\AA{}ngstr\\"om', "grosse ostergaard angstrom"),
        ("Ørsted Łódź", "orsted lodz"),
        ("Alzheimer's vs Alzheimer\u2019s", "alzheimers vs alzheimers"),
        ("``Quoted'' Titles", "quoted titles"),
        ("Q\\&A and Q&A and Q&amp;A", "q and a and q and a and q and a"),
        ("<i>E. coli</i> and H<sub>2</sub>O", "e coli and h2o"),
        ("$\\mathcal{O}(n)$ Sorting", "o n sorting"),
        ("0", "0"),
        ("", ""),
        (None, ""),
        ("  \t\n ", ""),
    ],
)
def test_normalize_title_examples(title: str | None, expected: str) -> None:
    assert normalize_title(title) == expected


@FAST
@given(messy_titles)
def test_normalize_title_is_total_and_idempotent(title: str) -> None:
    key = normalize_title(title)
    assert normalize_title(key) == key
    assert key == key.strip()
    assert "  " not in key


# --- title_similarity ----------------------------------------------------------------

# Same paper, written differently: must clear the threshold.
SAME_PAPER = [
    ("The Lottery Ticket Hypothesis", "Lottery Ticket Hypothesis"),  # dropped article
    ("A Neural Algorithm of Artistic Style", "Neural Algorithm of Artistic Style"),
    ("Deep Residual Learning", "Deep Residual Leraning"),  # transposition typo
    ("Neural Networks for Speech Recognition", "Nueral Networks for Speech Recognition"),
    ("Colour Constancy with Deep Networks", "Color Constancy with Deep Networks"),
    ("Optimisation of Neural Networks for Speech", "Optimization of Neural Networks for Speech"),
    ("Modelling Long Documents", "Modeling Long Documents"),
    ("Image Segmentation in the Centre", "Image Segmentation in the Center"),
    ("Language Models are Few-Shot Learners", "Language Models are Few-Shot Learner"),
    (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "BERT: Pretraining of Deep Bidirectional Transformers for Language Understanding",
    ),
    ("A Large Data Set for Parsing", "A Large Dataset for Parsing"),
    ("Learning Catalogue Embeddings Quickly", "Learning Catalog Embeddings Quickly"),
]

# Different papers that look alike: must stay below the threshold.
DIFFERENT_PAPERS = [
    ("Attention Is All You Need", "Attention Is All You Need for Graphs"),  # prefix title
    ("Graph Networks: A Study of Oversmoothing", "Graph Networks: Towards Deeper Models"),
    ("Deep Residual Learning for Image Recognition", "Deep Residual Learning for Image Restoration"),
    ("Self-Supervised Learning of Visual Features", "Supervised Learning of Visual Features"),
    ("Unsupervised Learning of Visual Features", "Supervised Learning of Visual Features"),
    ("Explicit Neural Surfaces for Reconstruction", "Implicit Neural Surfaces for Reconstruction"),
    ("Sequence to Sequence Learning with CNNs", "Sequence to Sequence Learning with RNNs"),
    ("Pretrained Encoder Models for Retrieval", "Pretrained Decoder Models for Retrieval"),
    ("Linear Bandits with Side Information", "Nonlinear Bandits with Side Information"),
    ("Llama 2: Open Foundation and Fine-Tuned Chat Models", "Llama 3: Open Foundation and Fine-Tuned Chat Models"),
    (
        "Learning 2D object detection from point clouds in autonomous driving scenes with sparse transformers",
        "Learning 3D object detection from point clouds in autonomous driving scenes with sparse transformers",
    ),
    (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "Pre-training of Deep Bidirectional Transformers for Language Understanding",
    ),  # a dropped subtitle word is a different title, precision first
    ("Learning to Rank for Retrieval", "Retrieval for Learning to Rank"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), SAME_PAPER)
def test_variants_of_one_title_score_above_threshold(a: str, b: str) -> None:
    assert normalize_title(a) != normalize_title(b)
    assert DEFAULT_THRESHOLD <= title_similarity(a, b) < 1.0


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PAPERS)
def test_confusable_titles_score_below_threshold(a: str, b: str) -> None:
    assert title_similarity(a, b) < DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Attention is All you Need", "attention is all you need."),
        ("{BERT}: Pre-training", "BERT: Pre–training"),
        ("$\\alpha$-Net", "α-Net"),
        ("Caf\\'e Society", "Café Society"),
    ],
)
def test_normalised_equal_titles_score_exactly_one(a: str, b: str) -> None:
    assert title_similarity(a, b) == 1.0


def test_prefix_title_is_far_below_threshold() -> None:
    # Not just below: an added content word costs more than any typo could.
    assert (
        title_similarity("Attention Is All You Need", "Attention Is All You Need for Graphs") < 0.6
    )


@FAST
@given(messy_titles, messy_titles)
def test_title_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    score = title_similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == title_similarity(b, a)
    assert (score == 1.0) == (normalize_title(a) == normalize_title(b))
    assert title_similarity(a, a) == 1.0


word_lists = st.lists(
    st.sampled_from(["deep", "learning", "graph", "graphs", "pre", "training", "pretraining"]),
    min_size=1,
    max_size=8,
)


@FAST
@given(word_lists, word_lists)
def test_title_similarity_is_symmetric_on_word_shuffles(a: list[str], b: list[str]) -> None:
    assert title_similarity(" ".join(a), " ".join(b)) == title_similarity(" ".join(b), " ".join(a))


# --- significant_terms -----------------------------------------------------------


def test_significant_terms_drops_stopwords_and_orders_longest_first() -> None:
    terms = significant_terms("Attention Is All You Need: Attention for Graphs")
    assert terms == ["attention", "graphs", "need", "all"]


def test_significant_terms_respects_limit_and_normalises() -> None:
    title = "{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert significant_terms(title, limit=3) == ["bidirectional", "understanding", "transformers"]
    assert significant_terms(title, limit=0) == []


@pytest.mark.parametrize(("title", "expected"), [("0", ["0"]), ("The The", ["the"]), ("", [])])
def test_significant_terms_never_empty_for_a_nonempty_title(
    title: str, expected: list[str]
) -> None:
    assert significant_terms(title) == expected


@FAST
@given(messy_titles)
def test_significant_terms_are_distinct_normalised_words(title: str) -> None:
    terms = significant_terms(title)
    assert len(terms) == len(set(terms)) <= 8
    assert all(t in normalize_title(title).split() for t in terms)
    assert [len(t) for t in terms] == sorted((len(t) for t in terms), reverse=True)


# --- authors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Kaiming He", "he"),
        ("He, Kaiming", "he"),
        ("He K", "he"),
        ("Y. LeCun", "lecun"),
        ("LeCun Y", "lecun"),
        ("Sébastien Bubeck", "bubeck"),
        ("Bubeck, S\\'ebastien", "bubeck"),
        ("Martin Luther King Jr.", "king"),
        ("King, Jr., Martin Luther", "king"),
        ("Ludwig van Beethoven", "beethoven"),
        ("van Beethoven, Ludwig", "beethoven"),
        ("Jean-Baptiste Smith-Jones", "smithjones"),
        ("et al.", None),
        ("", None),
    ],
)
def test_surname_key(name: str, expected: str | None) -> None:
    assert surname_key(name) == expected


# --- choose ------------------------------------------------------------------------


def test_exact_title_is_accepted_as_title_exact() -> None:
    decision = choose(
        TitleQuery("Attention is all you need"),
        [Candidate("Attention Is All You Need for Graphs"), Candidate("Attention Is All You Need")],
    )
    assert decision == MatchDecision(1, 1.0, "title_exact", "Attention Is All You Need", None)
    assert decision.accepted


def test_small_difference_is_accepted_as_title_fuzzy() -> None:
    decision = choose(
        TitleQuery("The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"),
        [Candidate("Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks")],
    )
    assert decision.accepted
    assert decision.index == 0
    assert decision.method == "title_fuzzy"
    assert DEFAULT_THRESHOLD <= decision.score < 1.0
    assert decision.reason is None


def test_below_threshold_is_rejected_but_best_candidate_kept_for_review() -> None:
    decision = choose(
        TitleQuery("Attention Is All You Need"),
        [Candidate("Attention Is All You Need for Graphs"), Candidate("Graph Attention Networks")],
    )
    assert not decision.accepted
    assert decision.index is None
    assert decision.method is None
    assert decision.candidate_title == "Attention Is All You Need for Graphs"
    assert 0.0 < decision.score < DEFAULT_THRESHOLD
    assert decision.reason is not None
    assert decision.reason.startswith("below threshold")


def test_no_candidates_and_empty_query_are_rejected() -> None:
    assert choose(TitleQuery("Some Paper Title Here"), []) == MatchDecision(
        None, 0.0, None, None, "no candidates"
    )
    rejected = choose(TitleQuery("  "), [Candidate("  ")])
    assert not rejected.accepted
    assert rejected.reason == "query has no title"


def test_candidate_without_title_never_matches() -> None:
    decision = choose(TitleQuery("Deep Residual Learning"), [Candidate("")])
    assert not decision.accepted
    assert decision.reason == "candidate has no title"


@pytest.mark.parametrize(
    ("query_year", "candidate_year", "accepted"),
    [(2017, 2017, True), (2017, 2019, True), (2019, 2017, True), (2017, 2020, False), (2021, 2017, False)],
)  # fmt: skip
def test_year_window_of_two(query_year: int, candidate_year: int, accepted: bool) -> None:
    decision = choose(
        TitleQuery("Deep Residual Learning for Image Recognition", year=query_year),
        [Candidate("Deep Residual Learning for Image Recognition", year=candidate_year)],
    )
    assert decision.accepted is accepted
    if not accepted:
        assert decision.reason == f"year too far ({query_year} vs {candidate_year})"
        assert decision.candidate_title == "Deep Residual Learning for Image Recognition"


def test_year_is_checked_only_when_both_sides_know_it() -> None:
    title = "Deep Residual Learning for Image Recognition"
    assert choose(TitleQuery(title, year=2016), [Candidate(title)]).accepted
    assert choose(TitleQuery(title), [Candidate(title, year=1999)]).accepted


def test_no_author_overlap_is_rejected() -> None:
    decision = choose(
        TitleQuery("Deep Residual Learning", authors=("Kaiming He", "Jian Sun")),
        [Candidate("Deep Residual Learning", authors=("Jane Doe", "John Roe"))],
    )
    assert not decision.accepted
    assert decision.reason == "no author overlap"


@pytest.mark.parametrize(
    "candidate_authors",
    [
        ("He, Kaiming", "Zhang, Xiangyu"),  # "Last, First"
        ("K. He",),  # initials
        ("HE K", "Ren S"),  # PubMed style
        ("Xiangyu Zhang", "Kaiming He"),  # order differs
        ("Jian Sun",),  # one shared author is enough
    ],
)
def test_author_overlap_across_name_formats(candidate_authors: tuple[str, ...]) -> None:
    decision = choose(
        TitleQuery("Deep Residual Learning", authors=("Kaiming He", "Xiangyu Zhang", "Jian Sun")),
        [Candidate("Deep Residual Learning", authors=candidate_authors)],
    )
    assert decision.accepted


def test_hyphen_dropped_from_a_surname_still_overlaps() -> None:
    decision = choose(
        TitleQuery("Deep Residual Learning", authors=("Ann Smith-Jones",)),
        [Candidate("Deep Residual Learning", authors=("Ann Smith Jones",))],
    )
    assert decision.accepted


def test_east_asian_name_order_still_overlaps() -> None:
    decision = choose(
        TitleQuery("A Survey of Graph Neural Networks", authors=("Zhang Wei",)),
        [Candidate("A Survey of Graph Neural Networks", authors=("Wei Zhang",))],
    )
    assert decision.accepted


def test_author_check_skipped_when_one_side_has_none() -> None:
    title = "Deep Residual Learning"
    assert choose(TitleQuery(title, authors=("Kaiming He",)), [Candidate(title)]).accepted
    assert choose(TitleQuery(title), [Candidate(title, authors=("Jane Doe",))]).accepted


def test_sanity_checks_pick_the_right_duplicate_title() -> None:
    # Two different papers share a title; year and authors tell them apart.
    decision = choose(
        TitleQuery("Neural Ordinary Differential Equations", 2018, ("Ricky T. Q. Chen",)),
        [
            Candidate("Neural Ordinary Differential Equations", 2023, ("A. Other",)),
            Candidate("Neural ordinary differential equations", 2018, ("Chen, Ricky",)),
        ],
    )
    assert decision.index == 1
    assert decision.method == "title_exact"


def test_duplicates_prefer_closest_year_then_first() -> None:
    title = "Language Models are Few-Shot Learners"
    candidates = [Candidate(title, 2022), Candidate(title, 2020), Candidate(title, 2021)]
    assert choose(TitleQuery(title, year=2020), candidates).index == 1
    assert choose(TitleQuery(title), candidates).index == 0
    # A known year inside the window beats an unknown one.
    assert choose(TitleQuery(title, 2020), [Candidate(title), Candidate(title, 2021)]).index == 1


def test_exact_title_beats_a_close_fuzzy_one() -> None:
    decision = choose(
        TitleQuery("Colour Constancy with Deep Networks"),
        [Candidate("Color Constancy with Deep Networks"), Candidate("Colour Constancy with Deep Networks")],
    )  # fmt: skip
    assert decision.index == 1
    assert decision.method == "title_exact"


def test_two_close_fuzzy_candidates_with_different_titles_are_ambiguous() -> None:
    decision = choose(
        TitleQuery("Colour Constancy with Deep Networks"),
        [Candidate("Color Constancy with Deep Networks"), Candidate("Colour Constancy with Deep Network")],
    )  # fmt: skip
    assert not decision.accepted
    assert decision.reason is not None
    assert decision.reason.startswith("ambiguous")
    assert decision.candidate_title is not None
    assert decision.score >= DEFAULT_THRESHOLD


def test_fuzzy_duplicates_with_one_title_are_not_ambiguous() -> None:
    decision = choose(
        TitleQuery("Colour Constancy with Deep Networks", year=2019),
        [
            Candidate("Color Constancy with Deep Networks", 2017),
            Candidate("Color constancy with deep networks.", 2019),
        ],
    )
    assert decision.index == 1
    assert decision.method == "title_fuzzy"


def test_a_clearly_better_fuzzy_candidate_is_not_ambiguous() -> None:
    decision = choose(
        TitleQuery("Optimisation of Neural Networks for Speech"),
        [
            Candidate("Optimization of Neural Networks for Speech"),  # 0.976
            Candidate("Optimization of Neural Netwroks for Speech"),  # 0.952
        ],
    )
    assert decision.index == 0


@pytest.mark.parametrize(
    ("query", "candidate"),
    [("Olmo 3", "Olmo 2"), ("0", "O"), ("Deep Learning", "Deep Leaning"), ("The Pile", "Pile")],
)
def test_short_titles_only_match_exactly(query: str, candidate: str) -> None:
    decision = choose(TitleQuery(query), [Candidate(candidate)])
    assert not decision.accepted
    assert decision.reason is not None
    assert decision.reason.startswith(("title too short", "below threshold"))
    assert choose(TitleQuery(query), [Candidate(query.upper())]).method == "title_exact"


def test_short_title_typo_is_rejected_for_shortness() -> None:
    decision = choose(TitleQuery("Deep Learning"), [Candidate("Deep Learnin")])
    assert decision.reason == "title too short for a fuzzy match"


def test_threshold_is_configurable() -> None:
    query = TitleQuery("Attention Is All You Need")
    candidates = [Candidate("Attention Is All You Need for Graphs")]
    assert not choose(query, candidates).accepted
    assert choose(query, candidates, threshold=0.5).method == "title_fuzzy"


candidates_strategy = st.lists(
    st.builds(
        Candidate,
        title=messy_titles,
        year=st.one_of(st.none(), st.integers(1990, 2030)),
        authors=st.lists(st.text(max_size=20), max_size=3).map(tuple),
    ),
    max_size=6,
)


@FAST
@given(
    title=messy_titles,
    year=st.one_of(st.none(), st.integers(1990, 2030)),
    authors=st.lists(st.text(max_size=20), max_size=3).map(tuple),
    candidates=candidates_strategy,
)
def test_choose_never_raises_and_stays_in_range(
    title: str, year: int | None, authors: tuple[str, ...], candidates: list[Candidate]
) -> None:
    decision = choose(TitleQuery(title, year, authors), candidates)
    assert 0.0 <= decision.score <= 1.0
    if decision.accepted:
        assert decision.index is not None
        assert 0 <= decision.index < len(candidates)
        assert decision.method in ("title_exact", "title_fuzzy")
        assert decision.reason is None
        assert decision.candidate_title == candidates[decision.index].title
    else:
        assert decision.method is None
        assert decision.reason
