"""Venue normalisation: one canonical short name per venue, and arXiv journal_ref."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich._venue import (
    PREPRINT_VENUES,
    VENUES,
    is_preprint_venue,
    normalize_venue,
    venue_from_journal_ref,
)

FAST = settings(max_examples=200, deadline=None)

# Spellings seen in Semantic Scholar, DBLP, BibTeX files and arXiv listings.
SPELLINGS: dict[str, list[str]] = {
    "NeurIPS": [
        "Neural Information Processing Systems",
        "NIPS",
        "Advances in Neural Information Processing Systems",
        "NeurIPS 2023",
        "Proc. NeurIPS",
        "Conference on Neural Information Processing Systems (NeurIPS)",
        "Advances in Neural Information Processing Systems 33: Annual Conference on Neural Information Processing Systems 2020",
        "NeurIPS Datasets and Benchmarks",
    ],
    "ICML": [
        "International Conference on Machine Learning",
        "ICML",
        "Proceedings of the 37th International Conference on Machine Learning",
        "International Conference on Machine Learning, PMLR",
        "ICML 2021",
    ],
    "ICLR": ["International Conference on Learning Representations", "ICLR 2021", "The Eleventh International Conference on Learning Representations"],
    "ACL": [
        "Annual Meeting of the Association for Computational Linguistics",
        "Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics",
        "ACL",
        "ACL 2020",
        "ACL-IJCNLP",
        "Association for Computational Linguistics",
    ],
    "EMNLP": ["Conference on Empirical Methods in Natural Language Processing", "EMNLP 2022", "EMNLP-IJCNLP"],
    "NAACL": ["North American Chapter of the Association for Computational Linguistics", "NAACL-HLT", "NAACL 2019"],
    "EACL": ["Conference of the European Chapter of the Association for Computational Linguistics", "EACL"],
    "COLING": ["International Conference on Computational Linguistics", "COLING 2020"],
    "CoNLL": ["Conference on Computational Natural Language Learning", "CoNLL"],
    "TACL": ["Transactions of the Association for Computational Linguistics", "TACL", "Trans. Assoc. Comput. Linguistics"],
    "Findings of ACL": [
        "Findings of ACL",
        "Findings of the Association for Computational Linguistics: ACL-IJCNLP 2021",
        "Findings of the Association for Computational Linguistics: ACL 2023",
        "Findings of the Association for Computational Linguistics",
        "ACL Findings",
    ],
    "Findings of EMNLP": [
        "Findings of EMNLP",
        "Findings of the Association for Computational Linguistics: EMNLP 2021",
        "EMNLP Findings",
    ],
    "Findings of NAACL": ["Findings of the Association for Computational Linguistics: NAACL 2022"],
    "CVPR": [
        "Computer Vision and Pattern Recognition",
        "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
        "2021 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
        "CVPR",
    ],
    "ICCV": ["IEEE International Conference on Computer Vision", "International Conference on Computer Vision", "ICCV 2019"],
    "ECCV": ["European Conference on Computer Vision", "ECCV"],
    "WACV": ["IEEE Winter Conference on Applications of Computer Vision", "WACV"],
    "BMVC": ["British Machine Vision Conference", "BMVC"],
    "IJCV": ["International Journal of Computer Vision", "Int. J. Comput. Vis."],
    "IEEE TPAMI": [
        "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        "IEEE Trans. Pattern Anal. Mach. Intell.",
        "TPAMI",
    ],
    "AAAI": ["AAAI Conference on Artificial Intelligence", "Proceedings of the AAAI Conference on Artificial Intelligence", "AAAI", "AAAI-20"],
    "IJCAI": ["International Joint Conference on Artificial Intelligence", "IJCAI", "IJCAI-ECAI"],
    "AISTATS": ["International Conference on Artificial Intelligence and Statistics", "AISTATS"],
    "UAI": ["Conference on Uncertainty in Artificial Intelligence", "UAI"],
    "COLT": ["Annual Conference Computational Learning Theory", "Conference on Learning Theory", "COLT"],
    "CoRL": ["Conference on Robot Learning", "CoRL"],
    "MLSys": ["Conference on Machine Learning and Systems", "Proceedings of Machine Learning and Systems"],
    "KDD": [
        "Knowledge Discovery and Data Mining",
        "ACM SIGKDD International Conference on Knowledge Discovery & Data Mining",
        "KDD '20",
        "Proceedings of the 26th ACM SIGKDD",
    ],
    "SIGIR": [
        "Annual International ACM SIGIR Conference on Research and Development in Information Retrieval",
        "SIGIR",
    ],
    "WWW": ["The Web Conference", "Proceedings of the ACM Web Conference 2023", "WWW '20", "International World Wide Web Conference"],
    "WSDM": ["Web Search and Data Mining", "WSDM"],
    "CIKM": ["International Conference on Information and Knowledge Management", "CIKM"],
    "RecSys": ["ACM Conference on Recommender Systems", "RecSys"],
    "CHI": ["International Conference on Human Factors in Computing Systems", "CHI Conference on Human Factors in Computing Systems", "CHI '21"],
    "UIST": ["ACM Symposium on User Interface Software and Technology", "UIST"],
    "ICRA": ["IEEE International Conference on Robotics and Automation", "ICRA"],
    "IROS": ["IEEE/RJS International Conference on Intelligent RObots and Systems", "IROS"],
    "ICASSP": ["IEEE International Conference on Acoustics, Speech, and Signal Processing", "ICASSP 2023"],
    "Interspeech": ["Interspeech", "INTERSPEECH 2020"],
    "ICSE": ["International Conference on Software Engineering", "ICSE"],
    "ISSTA": ["International Symposium on Software Testing and Analysis", "ISSTA"],
    "JMLR": ["Journal of Machine Learning Research", "J. Mach. Learn. Res.", "JMLR"],
    "TMLR": ["Transactions on Machine Learning Research", "Trans. Mach. Learn. Res.", "TMLR"],
    "Nature": ["Nature", "nature", "Nature 2015"],
    "Nature Machine Intelligence": ["Nature Machine Intelligence", "Nat. Mach. Intell."],
    "Nature Communications": ["Nature Communications", "Nat. Commun."],
    "Science": ["Science", "SCIENCE"],
    "PNAS": [
        "Proceedings of the National Academy of Sciences of the United States of America",
        "Proceedings of the National Academy of Sciences",
        "Proc. Natl. Acad. Sci. U.S.A.",
        "PNAS",
    ],
    "arXiv": ["arXiv", "arXiv.org", "ArXiv", "CoRR", "CoRR abs/1706.03762", "arXiv (Cornell University)"],
    "bioRxiv": ["bioRxiv", "BioRxiv"],
    "medRxiv": ["medRxiv"],
    "SSRN": ["SSRN", "Social Science Research Network", "SSRN Electronic Journal"],
}  # fmt: skip

CASES = [
    (spelling, canonical) for canonical, spellings in SPELLINGS.items() for spelling in spellings
]


@pytest.mark.parametrize(("raw", "canonical"), CASES)
def test_spellings_map_to_one_canonical_name(raw: str, canonical: str) -> None:
    assert normalize_venue(raw) == canonical


@pytest.mark.parametrize("canonical", list(VENUES))
def test_canonical_names_map_to_themselves(canonical: str) -> None:
    assert normalize_venue(canonical) == canonical


def test_table_is_large_enough_to_matter() -> None:
    assert len(VENUES) >= 40
    assert set(VENUES) >= PREPRINT_VENUES


# Names that contain a known venue's words but are another venue.
@pytest.mark.parametrize(
    "raw",
    [
        "International Conference on Machine Learning and Applications",
        "International Conference on Computer Vision Theory and Applications",
        "IEEE International Joint Conference on Neural Network",
        "Pacific-Asia Conference on Knowledge Discovery and Data Mining",
        "SIGKDD Explorations",
        "SIGIR Forum",
        "PNAS Nexus",
        "Science Advances",
        "Nature Methods",
        "Computational Linguistics",
        "AAAI Spring Symposium",
        "International AAAI Conference on Web and Social Media",
        "Asia-Pacific Web Conference",
        "Neural Networks",
        "CHI PLAY",
        "International Conference on Software Engineering and Knowledge Engineering",
    ],
)
def test_lookalike_venues_are_kept_as_given(raw: str) -> None:
    assert normalize_venue(raw) == raw


# A workshop, demo track or companion is not the main venue.
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "2023 IEEE/CVF International Conference on Computer Vision Workshops (ICCVW)",
            "IEEE/CVF International Conference on Computer Vision Workshops (ICCVW)",
        ),
        ("NeurIPS 2020 Workshop on ML4H", "NeurIPS 2020 Workshop on ML4H"),
        ("ML4H@NeurIPS", "ML4H@NeurIPS"),
        (
            "Companion Proceedings of the Web Conference 2020",
            "Companion Proceedings of the Web Conference",
        ),
        ("ACL 2020 System Demonstrations", "ACL 2020 System Demonstrations"),
        (
            "Extended Abstracts of the 2020 CHI Conference on Human Factors in Computing Systems",
            "Extended Abstracts of the 2020 CHI Conference on Human Factors in Computing Systems",
        ),
    ],
)
def test_sub_events_are_not_folded_into_their_venue(raw: str, expected: str) -> None:
    assert normalize_venue(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Minds and   Machines ", "Minds and Machines"),
        ("IEEE Access 2021", "IEEE Access"),
        ("Entropy (2020)", "Entropy"),
        ("2022 IEEE Information Technologies & Smart Industrial Systems (ITSIS)", "IEEE Information Technologies & Smart Industrial Systems (ITSIS)"),
        ("Organizações &amp; Sociedade", "Organizações & Sociedade"),
        ("Minds Mach.", "Minds Mach."),
        ("Industry 4.0", "Industry 4.0"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)  # fmt: skip
def test_unknown_venues_are_cleaned_but_kept(raw: str | None, expected: str | None) -> None:
    assert normalize_venue(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("arXiv", True),
        ("arXiv.org", True),
        ("ArXiv", True),
        ("CoRR", True),
        ("bioRxiv", True),
        ("medRxiv", True),
        ("SSRN", True),
        ("Social Science Research Network", True),
        ("ChemRxiv", True),
        ("Research Square", True),
        ("ICLR", False),
        ("Nature", False),
        ("Corrosion Science", False),
        ("", False),
        (None, False),
    ],
)
def test_is_preprint_venue(raw: str | None, expected: bool) -> None:
    assert is_preprint_venue(raw) is expected


@pytest.mark.parametrize(
    ("journal_ref", "expected"),
    [
        # The two real examples from arXiv listings.
        ("ActaAstron.56:1-50,2006", "ActaAstron."),
        (
            "In Proc. ACM SIGSOFT International Symposium on Software Testing and Analysis "
            "(ISSTA 2020), pages 14-26. ACM, 2020",
            "ISSTA",
        ),
        ("Advances in Neural Information Processing Systems 30 (NIPS 2017)", "NeurIPS"),
        ("ICLR 2021", "ICLR"),
        ("Accepted at ICML 2020", "ICML"),
        ("Published in Transactions on Machine Learning Research (05/2023)", "TMLR"),
        ("Nature 521, 436-444 (2015)", "Nature"),
        ("Phys. Rev. B 74, 024520 (2006)", "Phys. Rev. B"),
        ("J. Phys. A: Math. Gen. 39 (2006) 1234", "J. Phys. A: Math. Gen."),
        ("Mon. Not. R. Astron. Soc. 000, 1-12 (2020)", "Mon. Not. R. Astron. Soc."),
        (
            "InProceedings of the 31st ACM SIGSOFT International Symposium on Software Testing "
            "and Analysis 2022 Jul 18 (pp. 289-301)",
            "ISSTA",
        ),
        (
            "International Journal of Software Engineering &amp; Applications (IJSEA), Vol.3, "
            "No.1, January 2012",
            "International Journal of Software Engineering & Applications (IJSEA)",
        ),
        (
            "Proc. 2023 IEEE International Conference on Software Testing, Verification and "
            "Validation Workshops (ICSTW), pp. 66-69",
            "IEEE International Conference on Software Testing, Verification and Validation "
            "Workshops (ICSTW)",
        ),
        ("Accepted at the ICML 2020 Workshop on Uncertainty", "ICML Workshop on Uncertainty"),
        ("12345", None),
        ("pp. 1-10, 2020", None),
        ("", None),
        (None, None),
    ],
)
def test_venue_from_journal_ref(journal_ref: str | None, expected: str | None) -> None:
    assert venue_from_journal_ref(journal_ref) == expected


@FAST
@given(st.text(max_size=80))
def test_venue_functions_are_total_and_normalize_is_idempotent(raw: str) -> None:
    venue = normalize_venue(raw)
    if venue is not None:
        assert venue == venue.strip()
        assert normalize_venue(venue) == venue
    assert isinstance(is_preprint_venue(raw), bool)
    ref = venue_from_journal_ref(raw)
    assert ref is None or (ref and ref == ref.strip())
