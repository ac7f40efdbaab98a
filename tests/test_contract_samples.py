"""The fakes answer like the real services did in ../shared/api-samples.

For each recorded exchange about an endpoint we fake, a small corpus holding the
entities the response talks about (facts copied from the recording) is served,
the same request is sent to the fake, and the answer must have the same status,
content type, the recorded header names, and the same structure: JSON key sets
and value types (recursively), or for Atom the same feed-level elements and the
same element sequence per entry.  Era differences (keys an older recording
lacks, keys only an admin sees) are listed per case, so every gap is explicit.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from enrich._clock import FakeClock
from enrich.testing import (
    Corpus,
    FakeArxivEntry,
    FakeRepo,
    FakeS2Paper,
    FakeServices,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "api-samples"
pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="../shared is not beside this checkout"
)

A = "{http://www.w3.org/2005/Atom}"
AX = "{http://arxiv.org/schemas/atom}"
TOKEN = "sample-token"
#: Headers whose presence a client relies on; compared by name when recorded.
RELEVANT_HEADERS = {
    "content-type", "location", "retry-after", "etag", "last-modified", "cache-control",
    "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used",
    "x-ratelimit-resource", "x-amzn-errortype", "x-amzn-requestid", "x-cache",
}  # fmt: skip


def load(rel: str) -> Any:
    return json.loads((SAMPLES / rel).read_text(encoding="utf-8"))


def meta(rel: str) -> dict[str, Any]:
    """The ``.meta.json`` beside a recorded body: request, status, headers."""
    recorded: dict[str, Any] = load(rel.rsplit(".", 1)[0] + ".meta.json")
    return recorded


# -- structural comparison ----------------------------------------------------


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return type(value).__name__


def compare_json(
    sample: Any,
    fake: Any,
    path: str = "$",
    *,
    extra_ok: frozenset[str] = frozenset(),
    missing_ok: frozenset[str] = frozenset(),
) -> list[str]:
    """Differences in key sets and JSON types (nulls match anything)."""
    if sample is None or fake is None:
        return []
    if json_type(sample) != json_type(fake):
        return [f"{path}: sample {json_type(sample)} vs fake {json_type(fake)}"]
    problems: list[str] = []
    if isinstance(sample, dict):
        extra = set(fake) - set(sample) - extra_ok
        missing = set(sample) - set(fake) - missing_ok
        problems += [f"{path}: fake invents {sorted(extra)}"] if extra else []
        problems += [f"{path}: fake lacks {sorted(missing)}"] if missing else []
        for key in set(sample) & set(fake):
            problems += compare_json(
                sample[key], fake[key], f"{path}.{key}", extra_ok=extra_ok, missing_ok=missing_ok
            )
    elif isinstance(sample, list) and sample and fake:
        problems += compare_json(
            sample[0], fake[0], f"{path}[0]", extra_ok=extra_ok, missing_ok=missing_ok
        )
    return problems


def entry_shape(entry: ET.Element) -> list[str]:
    """Child tags in order, runs of the same tag collapsed (authors, categories)."""
    tags: list[str] = []
    for child in entry:
        tag = child.tag
        if tag == f"{A}author":
            tag += "(" + ",".join(sorted({c.tag for c in child})) + ")"
        if tag == f"{A}link":
            tag += f"[{child.get('title') or child.get('rel')}]"
        if not tags or tags[-1] != tag:
            tags.append(tag)
    return tags


def compare_atom(sample: bytes, fake: bytes) -> None:
    s_root, f_root = ET.fromstring(sample), ET.fromstring(fake)
    assert fake.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert [c.tag for c in f_root if c.tag != f"{A}entry"] == [
        c.tag for c in s_root if c.tag != f"{A}entry"
    ]
    s_entries = {e.findtext(f"{A}id"): e for e in s_root.findall(f"{A}entry")}
    f_entries = {e.findtext(f"{A}id"): e for e in f_root.findall(f"{A}entry")}
    assert bool(f_entries) == bool(s_entries), "entries expected iff the recording has some"
    shared = f_entries.keys() & s_entries.keys()
    assert bool(shared) == bool(s_entries), "no entry of the recording came back"
    for key in shared:
        assert entry_shape(f_entries[key]) == entry_shape(s_entries[key]), key
        assert f_entries[key].findtext(f"{A}title") == s_entries[key].findtext(f"{A}title")


def check_headers(recorded: dict[str, str] | None, absent: list[str], fake: dict[str, str]) -> None:
    names = {k.lower() for k in fake}
    wanted = {k.lower() for k in (recorded or {})} & RELEVANT_HEADERS
    assert wanted <= names, f"fake lacks headers {sorted(wanted - names)}"
    for name in absent:
        assert name.lower() not in names, f"fake sends {name}, which the service does not"
    if recorded:
        by_name = {k.lower(): v for k, v in recorded.items()}
        if "content-type" in by_name:
            assert fake_header(fake, "content-type") == by_name["content-type"]


def fake_header(headers: dict[str, str], name: str) -> str:
    return next(v for k, v in headers.items() if k.lower() == name)


# -- corpus builders from recordings ---------------------------------------------


def ts(text: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat((text or "1970-01-01T00:00:00Z").replace("Z", "+00:00"))


def arxiv_corpus(*files: str) -> Corpus:
    entries = []
    for rel in files:
        root = ET.fromstring((SAMPLES / rel).read_bytes())
        for e in root.findall(f"{A}entry"):
            if "/api/errors#" in (e.findtext(f"{A}id") or ""):
                continue  # an Error entry is not a paper
            vid = (e.findtext(f"{A}id") or "").removeprefix("http://arxiv.org/abs/")
            base, version = vid.rsplit("v", 1)
            title = e.findtext(f"{A}title") or ""
            authors = [a.findtext(f"{A}name") or "" for a in e.findall(f"{A}author")]
            affiliations = {
                a.findtext(f"{A}name") or "": a.findtext(f"{AX}affiliation") or ""
                for a in e.findall(f"{A}author")
                if a.find(f"{AX}affiliation") is not None
            }
            primary = e.find(f"{AX}primary_category")
            cats = [c.get("term") or "" for c in e.findall(f"{A}category")]
            first = primary.get("term") if primary is not None else cats[0]
            entries.append(
                FakeArxivEntry(
                    base,
                    [f"{title} (earlier version)"] * (int(version) - 1) + [title],
                    (e.findtext(f"{A}summary") or "").strip(),
                    authors,
                    ts(e.findtext(f"{A}published")),
                    ts(e.findtext(f"{A}updated")),
                    [first or ""] + [c for c in cats if c != first],
                    doi=e.findtext(f"{AX}doi"),
                    journal_ref=e.findtext(f"{AX}journal_ref"),
                    comment=e.findtext(f"{AX}comment"),
                    affiliations=affiliations,
                )
            )
    return Corpus(arxiv=entries)


def s2_paper(d: dict[str, Any], n: int = 0) -> FakeS2Paper:
    ext = dict(d.get("externalIds") or {})
    corpus_id = ext.pop("CorpusId", None) or d.get("corpusId") or 10_000 + n
    date = d.get("publicationDate")
    return FakeS2Paper(
        paper_id=d["paperId"],
        corpus_id=int(corpus_id),
        title=d.get("title") or f"Untitled {n}",
        year=d.get("year"),
        authors=[a["name"] for a in d.get("authors") or []],
        external_ids={k: str(v) for k, v in ext.items()},
        venue=d.get("venue") or "",
        publication_venue=d.get("publicationVenue"),
        journal=d.get("journal"),
        publication_date=dt.date.fromisoformat(date) if date else None,
        publication_types=d.get("publicationTypes"),
        citation_count=d.get("citationCount") or 0,
        influential_citation_count=d.get("influentialCitationCount") or 0,
        reference_count=d.get("referenceCount") or 0,
        abstract=d.get("abstract"),
    )


def ranked(paper: FakeS2Paper, citations: int) -> FakeS2Paper:
    """The paper with a citation count (search ties break on it)."""
    paper.citation_count = citations
    return paper


def repo_from(d: dict[str, Any], former: list[str] | None = None) -> FakeRepo:
    lic = d.get("license")
    return FakeRepo(
        repo_id=d["id"],
        full_name=d["full_name"],
        former_names=former or [],
        stars=d["stargazers_count"],
        forks=d["forks_count"],
        archived=d["archived"],
        fork=d["fork"],
        pushed_at=ts(d["pushed_at"]),
        created_at=ts(d["created_at"]),
        license_spdx=lic["spdx_id"] if lic else None,
        license_name=lic["name"] if lic else None,
        language=d.get("language"),
        description=d.get("description"),
        topics=list(d.get("topics") or []),
    )


# -- the cases ---------------------------------------------------------------------


@dataclass
class Case:
    sample: str
    corpus: Corpus
    method: str = ""
    url: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0
    kind: str = "json"  # json | atom | text
    extra_ok: frozenset[str] = frozenset()
    missing_ok: frozenset[str] = frozenset()
    seed: int = 0
    warmup: int = 0  # identical requests sent first (to break a rate rule)
    recorded_headers: dict[str, str] | None = None
    absent_headers: list[str] = field(default_factory=list)
    expected_body: bytes | None = None
    ignore_headers: frozenset[str] = frozenset()


def from_meta(rel: str, corpus: Corpus, **kw: Any) -> Case:
    m = meta(rel)
    req = m["request"]
    body = req.get("body")
    if isinstance(body, dict):
        body = json.dumps(body)
    headers = dict(req.get("headers") or {})
    case = Case(
        sample=rel,
        corpus=corpus,
        method=req["method"],
        url=req["url"],
        body=(body or "").encode(),
        headers=headers,
        status=m["status"],
        recorded_headers=m.get("headers"),
        absent_headers=m.get("headers_absent", []),
    )
    for key, value in kw.items():
        setattr(case, key, value)
    return case


# Keys GitHub shows only to callers with admin rights on the repository, and
# objects the corpus model does not describe (a fork's parent/source).
ADMIN_ONLY = frozenset(
    {"allow_squash_merge", "allow_merge_commit", "allow_rebase_merge", "allow_auto_merge",
     "delete_branch_on_merge", "allow_update_branch", "use_squash_pr_title_as_default",
     "squash_merge_commit_message", "squash_merge_commit_title", "merge_commit_message",
     "merge_commit_title", "security_and_analysis", "custom_properties"}
)  # fmt: skip
# Keys GitHub added after older recordings were made.
MODERN_REPO_KEYS = frozenset(
    {"disabled", "allow_forking", "is_template", "web_commit_signoff_required", "topics",
     "visibility", "temp_clone_token", "has_discussions", "user_view_type", "organization",
     "status"}
)  # fmt: skip
GH = "https://api.github.com"
OTHER_BUCKETS = frozenset(
    {"source_import", "code_scanning_upload", "code_scanning_autofix", "scim", "audit_log",
     "actions_runner_registration", "dependency_snapshots", "audit_log_streaming", "code_search"}
)  # fmt: skip


def github_cases() -> list[Case]:
    popular = load("github/repo_get_popular_with_license_200.json")
    hello = load("github/repo_get_200.json")
    moved = load("github/repo_get_after_301_transferred_200.json")
    fork = load("github/repo_get_fork_2025_200.json")
    auth = {"Authorization": f"token {TOKEN}"}
    bad = Corpus(github=[repo_from(popular)])
    cases = [
        from_meta(
            "github/repo_get_popular_with_license_200.json",
            Corpus(github=[repo_from(popular)]),
            headers={"User-Agent": "PyGithub/Python", **auth},
            missing_ok=ADMIN_ONLY,
            extra_ok=frozenset({"user_view_type"}),
        ),
        from_meta(
            "github/repo_get_200.json",
            Corpus(github=[repo_from(hello)]),
            headers={"User-Agent": "octokit", **auth},
            # The corpus does not say whether an owner is an organization.
            missing_ok=ADMIN_ONLY | {"organization"},
            extra_ok=frozenset({"user_view_type", "has_discussions"}),
        ),
        from_meta(
            "github/repo_get_fork_2025_200.json",
            Corpus(github=[repo_from(fork)]),
            headers={"User-Agent": "PyGithub/Python", **auth},
            missing_ok=ADMIN_ONLY | {"parent", "source"},
        ),
        from_meta(
            "github/repo_get_after_301_transferred_200.json",
            Corpus(github=[repo_from(moved, ["protoncoin/protoncoin"])]),
            headers={"User-Agent": "PyGithub/Python", **auth},
            extra_ok=MODERN_REPO_KEYS | {"maintain", "triage"},
        ),
        from_meta(
            "github/repo_moved_301_pygithub2018.json",
            Corpus(github=[repo_from(moved, ["protoncoin/protoncoin"])]),
        ),
        from_meta("github/repo_not_found_404_2019.json", bad, extra_ok=frozenset({"status"})),
        from_meta(
            "github/repo_not_found_404_2019_librariesio.json", bad, extra_ok=frozenset({"status"})
        ),
        from_meta(
            "github/repo_not_found_404_legacy2012.json",
            bad,
            extra_ok=frozenset({"status", "documentation_url"}),
            ignore_headers=frozenset({"etag"}),  # 2012 put ETags on 404s; GitHub no longer does
        ),
        # Another route, but the same modern error envelope as GET /repos/{o}/{r}.
        from_meta("github/error_404_modern_status_string.json", bad),
        from_meta("github/missing_user_agent_403_legacy2013.json", bad),
        from_meta("github/rate_limit_endpoint_200.json", bad),
        from_meta(
            "github/rate_limit_endpoint_2019_no_used_200.json",
            bad,
            # 2019 had no "used" and four buckets.
            extra_ok=frozenset({"used"}) | OTHER_BUCKETS,
        ),
        # Any route once the hourly budget is spent: 60 requests, then the 61st.
        from_meta(
            "github/rate_limit_exceeded_unauth_403_legacy2013.json",
            bad,
            warmup=60,
            extra_ok=frozenset({"documentation_url"}),
        ),
        # More than 900 requests in a minute: a secondary limit with Retry-After.
        from_meta("github/secondary_rate_limit_403_retry_after.json", bad, warmup=900),
        from_meta(
            "github/graphql_bad_credentials_401.json",
            bad,
            headers={"User-Agent": "Ruby", "Authorization": "bearer not-the-token"},
        ),
        from_meta(
            "github/graphql_repository_url_200.json",
            bad,
            headers={"User-Agent": "PyGithub/Python", **auth},
            expected_body=b'{"data":{"repository":{"url":"https://github.com/PyGithub/PyGithub"}}}',
        ),
    ]
    # The recorded query asks for releases (a connection outside the fake's GraphQL
    # subset); the same lookup with a supported field must fail the same way.
    nf = from_meta(
        "github/graphql_repository_not_found_200.json",
        bad,
        headers={"User-Agent": "Ruby", **auth},
    )
    payload = json.loads(nf.body)
    payload["query"] = (
        "query Q($owner: String!, $repo_name: String!) {\n"
        "  repository(owner: $owner, name: $repo_name) {\n    nameWithOwner\n  }\n}"
    )
    nf.body = json.dumps(payload).encode()
    cases.append(nf)
    return cases


S2 = "https://api.semanticscholar.org/graph/v1"


def s2_cases() -> list[Case]:
    attention = load("s2/paper_search_match_attention_200.json")["data"][0]
    transformer = load("s2/paper_search_transformer_limit5_200.json")["data"]
    fillers = [
        FakeS2Paper(f"{n:040x}", 50_000 + n, f"Another transformer variant {n}", 2023, [], {})
        for n in range(10)
    ]
    oa_disclaimer = frozenset({"disclaimer"})
    return [
        from_meta(
            "s2/paper_search_match_attention_200.json",
            Corpus(s2=[s2_paper(attention)]),
            extra_ok=oa_disclaimer,
        ),
        from_meta("s2/paper_search_match_not_found_404.json", Corpus(s2=[s2_paper(attention)])),
        from_meta(
            "s2/paper_search_match_empty_data_200.json",
            Corpus(s2=[s2_paper(attention)]),
            seed=-1,  # pick a seed that answers this no-match with {"data": []}
        ),
        from_meta(
            "s2/paper_search_transformer_limit5_200.json",
            Corpus(
                s2=[ranked(s2_paper(d, n), 1000 - n) for n, d in enumerate(transformer)] + fillers
            ),
        ),
        from_meta(
            "s2/error_429_too_many_requests_OBSERVED.json",
            Corpus(),
            url=f"{S2}/paper/search?query=transformer&fields=title",
            warmup=1,
        ),
    ]


def cassette_cases() -> list[Case]:
    cases = []
    paper = json.loads((SAMPLES / "s2/semanticscholar_py__Paper.json").read_text(encoding="utf-8"))
    for path in sorted((SAMPLES / "s2").glob("semanticscholar_py__*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for n, interaction in enumerate(data["interactions"]):
            req, resp = interaction["request"], interaction["response"]
            if "/author/" in req["uri"]:
                continue  # author routes are not faked
            status, body = cassette_response(resp)
            cases.append(
                Case(
                    sample=f"{path.relative_to(SAMPLES)}#{n}",
                    corpus=cassette_corpus(req["uri"], body, paper),
                    method=req["method"],
                    url=req["uri"],
                    body=(req.get("body") or "").encode(),
                    status=status,
                    recorded_headers={k: v[0] for k, v in resp["headers"].items()},
                )
            )
    # The full paper object, asked for with every field it carries.
    author_keys = [f"authors.{k}" for k in paper["authors"][0] if k not in {"authorId", "name"}]
    fields = ",".join([k for k in paper if k != "paperId"] + author_keys)
    cases.append(
        Case(
            sample="s2/semanticscholar_py__Paper.json",
            corpus=Corpus(s2=[s2_paper(paper)]),
            method="GET",
            url=f"{S2}/paper/10.1093/mind/lix.236.433?fields={fields}",
            status=200,
        )
    )
    return cases


def cassette_response(resp: dict[str, Any]) -> tuple[int, Any]:
    """Status and JSON body of a VCR response (two cassette layouts occur)."""
    if "body" in resp:
        return resp["status"]["code"], json.loads(resp["body"]["string"])
    return resp["status_code"], json.loads(resp["content"])


def cassette_corpus(uri: str, body: Any, paper: dict[str, Any]) -> Corpus:
    items = body if isinstance(body, list) else body.get("data", [])
    papers = [s2_paper(d, n) for n, d in enumerate(items) if d]
    if "CorpusId:470667" in uri or "batch" in uri:
        papers[0].corpus_id = 470667
        papers[1].external_ids["DOI"] = "10.2139/ssrn.2250500"
    if "venue=ArXiv" in uri:
        for n, p in enumerate(papers):
            p.title = f"Turing study {n}"
    if "query=turing" in uri:
        # More hits than one page holds, so the page has a "next" like the recording.
        papers += [
            FakeS2Paper(
                f"{n:040x}", 90_000 + n, f"Turing filler {n}", 2020, [], {}, venue="arXiv.org"
            )
            for n in range(5)
        ]
    if "mind/lix" in uri:
        papers = [s2_paper(paper)]
    return Corpus(s2=papers)


ARXIV_FILES = [
    "arxiv/id_list_invalid_5digit_0808.05394_empty_200.xml",
    "arxiv/id_list_malformed_abc_400.xml",
    "arxiv/id_list_nonexistent_0000.0000_empty_200.xml",
    "arxiv/id_list_oldstyle_astro-ph_0601001_200.xml",
    "arxiv/id_list_oldstyle_versioned_quant-ph_0201082v1_200.xml",
    "arxiv/id_list_versioned_2104.12255v1_title_0_200.xml",
]


def arxiv_cases() -> list[Case]:
    both = (
        "arxiv/search_all_testing_start0_max10_200.xml",
        "arxiv/search_all_testing_start10_max10_200.xml",
    )
    cases = [from_meta(rel, arxiv_corpus(rel), kind="atom") for rel in ARXIV_FILES]
    cases += [from_meta(rel, arxiv_corpus(*both), kind="atom") for rel in both]
    cases.append(
        from_meta(
            "arxiv/rate_limited_429_OBSERVED.txt",
            Corpus(),
            url="https://export.arxiv.org/api/query?id_list=2104.12255",
            kind="text",
            warmup=1,
            expected_body=(SAMPLES / "arxiv/rate_limited_429_OBSERVED.txt").read_bytes(),
        )
    )
    return cases


def all_cases() -> list[Case]:
    if not SAMPLES.is_dir():
        return []
    return arxiv_cases() + s2_cases() + cassette_cases() + github_cases()


CASES = all_cases()


def send(case: Case, seed: int) -> tuple[int, dict[str, str], bytes]:
    clock = FakeClock()
    fake = FakeServices(case.corpus, clock=clock, seed=seed, tokens={TOKEN})
    headers = dict(case.headers)
    for _ in range(case.warmup):
        warm = {"User-Agent": "warmup", **headers}
        if "/users/" in case.url or "/search/" in case.url:
            fake.handle("GET", f"{GH}/repos/PyGithub/PyGithub", warm)
        else:
            fake.handle(case.method, case.url, warm, case.body)
    if not case.warmup:
        clock.advance(3600)
    return fake.handle(case.method, case.url, headers, case.body)


@pytest.mark.parametrize("case", CASES, ids=[c.sample for c in CASES])
def test_fake_matches_recording(case: Case) -> None:
    seeds = range(64) if case.seed < 0 else [case.seed]
    for seed in seeds:
        status, headers, body = send(case, seed)
        if status == case.status:
            break
    assert status == case.status, body[:300]
    recorded = {
        k: v
        for k, v in (case.recorded_headers or {}).items()
        if k.lower() not in case.ignore_headers
    }
    check_headers(recorded, case.absent_headers, headers)
    if case.expected_body is not None:
        assert body == case.expected_body
    sample_path = SAMPLES / case.sample.split("#")[0]
    if case.kind == "atom":
        compare_atom(sample_path.read_bytes(), body)
    elif case.kind == "json" and body:
        sample = sample_body(case)
        problems = compare_json(
            sample, json.loads(body), extra_ok=case.extra_ok, missing_ok=case.missing_ok
        )
        assert not problems, problems


def sample_body(case: Case) -> Any:
    rel, _, index = case.sample.partition("#")
    if not index:
        return load(rel)
    data = yaml.safe_load((SAMPLES / rel).read_text(encoding="utf-8"))
    return cassette_response(data["interactions"][int(index)]["response"])[1]


def test_every_sample_is_covered_or_skipped_for_a_reason() -> None:
    covered = {c.sample.split("#")[0] for c in CASES}
    skipped = {
        # Pre-2025 Atom format; the fake serves the current backend's format.
        "arxiv/legacy2016_id_list_1111.2011v2_200.xml",
        "arxiv/legacy2016_search_au_del_maestro_AND_ti_checkerboard_200.xml",
        # A hand-trimmed client fixture, not a response to a request.
        "s2/semanticscholar_py__PaperWithNullValues.json",
        # Endpoints the fake does not serve: writes, code search.
        "github/label_create_validation_failed_422.json",
        "github/repo_renamed_patch_307.json",
        "github/search_code_200_search_ratelimit_headers.json",
        # GraphQL beyond the fake's subset (node(id:), commit history connections);
        # the corpus has no notion of an empty repository.
        "github/graphql_node_not_found_partial_error_200.json",
        "github/graphql_empty_repo_default_branch_null_200.json",
        # Compared paper by paper in tests/test_hf_contract.py (its optional keys vary).
        "hf/daily_papers_limit100_200.json",
    }
    on_disk = {
        str(p.relative_to(SAMPLES))
        for sub in ("arxiv", "s2", "github", "hf")
        for p in (SAMPLES / sub).iterdir()
        if not p.name.endswith(".meta.json")
    }
    assert on_disk - covered - skipped == set()
