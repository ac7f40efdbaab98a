"""Synthetic GitHub repositories and the messy links papers write to them.

A link can name the repository's current name, a former name (renamed or
transferred; GitHub redirects), an archived repository, a deleted one (kept in
the corpus with ``deleted=True`` so the fake answers 404), or a name that never
existed.  Links come with the decorations real listings carry: ``.git``,
``/tree/main``, a trailing full stop, another letter case, no scheme.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from enrich.testing import _words as w
from enrich.testing._corpus import FakeRepo
from enrich.testing._records import NOW, IdAllocator, ascii_name, weighted
from enrich.testing._titles import method_of

__all__ = ["REPO_STATUSES", "RepoLink", "RepoMaker"]

#: Link outcomes: the repository is fine, renamed, transferred to another owner,
#: archived, deleted (404), or never existed (404, not in the corpus).
REPO_STATUSES = ("ok", "renamed", "transferred", "archived", "deleted", "missing")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "in",
        "on",
        "with",
        "via",
        "to",
        "from",
        "and",
        "is",
        "all",
        "you",
        "need",
        "towards",
        "when",
        "does",
        "at",
        "by",
    ]
)
_NON_NAME_RE = re.compile(r"[^A-Za-z0-9_.-]+")
_LICENSE_OPTIONS = tuple(((spdx, name), p) for spdx, name, p in w.LICENSES)


@dataclass
class RepoLink:
    """One paper's link to a repository and what it resolves to."""

    linked_name: str  # owner/name as the paper wrote it (maybe a former name)
    status: str  # one of REPO_STATUSES
    repo: FakeRepo | None  # None when the link never existed
    truth: str | None  # canonical current owner/name; None when deleted or missing


class RepoMaker:
    """Creates repositories with unique names (current and former, case-insensitively)."""

    def __init__(self, rng: random.Random, ids: IdAllocator) -> None:
        self._rng = rng
        self._ids = ids
        self._taken: set[str] = set()
        self.repos: list[FakeRepo] = []

    def reserve(self, full_name: str) -> bool:
        key = full_name.lower()
        if key in self._taken:
            return False
        self._taken.add(key)
        return True

    def _user(self) -> str:
        rng = self._rng
        first = ascii_name(rng.choice(w.FIRST_NAMES)).lower() or "dev"
        last = ascii_name(rng.choice(w.LAST_NAMES)).lower() or "ml"
        shape = rng.random()
        if shape < 0.3:
            handle = f"{first}{last}"
        elif shape < 0.5:
            handle = f"{first[0]}{last}"
        elif shape < 0.7:
            handle = f"{first}-{last}"
        elif shape < 0.85:
            handle = f"{last}{first}{rng.randint(1, 99)}"
        else:
            handle = f"{first.capitalize()}{last.capitalize()}"
        return handle[:39]

    def _owner(self) -> str:
        return self._rng.choice(w.ORGS) if self._rng.random() < 0.35 else self._user()

    def _names(self, title: str) -> list[str]:
        method = method_of(title)
        words = [ascii_name(x) for x in title.replace(":", " ").split()]
        slug = "-".join(x.lower() for x in words if x and x.lower() not in _STOPWORDS)
        slug = "-".join(slug.split("-")[: self._rng.randint(2, 4)]) or "code"
        if method is None:
            return [slug, f"{slug}-code", slug.replace("-", "_"), f"{slug}-pytorch"]
        base = _NON_NAME_RE.sub("", method.replace("+", "plus")).strip(".-") or slug
        return [base, base.lower(), f"{base}-pytorch", f"{base}-official", f"{base}_code", slug]

    def _free_name(self, owner: str, names: list[str]) -> str:
        rng = self._rng
        for name in rng.sample(names, len(names)):
            if self.reserve(f"{owner}/{name}"):
                return f"{owner}/{name}"
        while True:
            name = f"{rng.choice(names)}-{rng.randint(2, 9999)}"
            if self.reserve(f"{owner}/{name}"):
                return f"{owner}/{name}"

    def make(
        self,
        title: str,
        published: dt.datetime | None,
        status: str,
        *,
        linked: str | None = None,
    ) -> RepoLink:
        """A repository for the paper titled ``title``, linked in the given ``status``.

        ``linked`` fixes the ``owner/name`` the paper wrote (a real page's link);
        by default a fresh name is made up.
        """
        rng = self._rng
        names = self._names(title)
        if linked is None:
            linked = self._free_name(self._owner(), names)
        else:
            self.reserve(linked)
        if status == "missing":
            return RepoLink(linked_name=linked, status=status, repo=None, truth=None)
        owner, name = linked.split("/")
        current, former = linked, []
        if status == "renamed":
            current = self._free_name(owner, [n for n in names if n.lower() != name.lower()])
            former.append(linked)
            if rng.random() < 0.3:  # renamed, then moved to an organisation
                former.append(current)
                current = self._free_name(rng.choice(w.ORGS), [current.split("/")[1]])
        elif status == "transferred":
            current = self._free_name(self._owner(), [name])
            former.append(linked)
        repo = self._repo(current, former, title, published, status)
        self.repos.append(repo)
        return RepoLink(
            linked_name=linked,
            status=status,
            repo=repo,
            truth=None if status == "deleted" else current,
        )

    def _repo(
        self,
        full_name: str,
        former: list[str],
        title: str,
        published: dt.datetime | None,
        status: str,
    ) -> FakeRepo:
        rng = self._rng
        anchor = published or dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
        created = min(anchor + dt.timedelta(days=rng.randint(-120, 200)), NOW)
        pushed = min(created + dt.timedelta(days=rng.randint(0, 900)), NOW)
        stars = min(int((rng.paretovariate(0.9) - 1.0) * 15), 220_000)
        spdx, license_name = weighted(rng, _LICENSE_OPTIONS)
        method = method_of(title)
        description = rng.choice(
            (
                f'Official implementation of "{title}"',
                f"PyTorch implementation of {method or 'our paper'}",
                f"Code for the paper: {title}",
                None,
            )
        )
        return FakeRepo(
            repo_id=self._ids.number(10_000_000, 990_000_000),
            full_name=full_name,
            former_names=former,
            stars=stars,
            forks=int(stars * rng.uniform(0.02, 0.25)),
            archived=status == "archived",
            deleted=status == "deleted",
            fork=rng.random() < 0.02,
            pushed_at=pushed,
            created_at=created,
            license_spdx=spdx,
            license_name=license_name,
            language=weighted(rng, w.LANGUAGES),
            description=description,
            topics=rng.sample(w.TOPICS, rng.choice((0, 0, 1, 2, 3, 5))),
        )

    def url(self, full_name: str) -> tuple[str, list[str]]:
        """A link to ``full_name`` as a listing might write it, with tags for its quirks."""
        rng = self._rng
        tags: list[str] = []
        path = full_name
        if rng.random() < 0.12:
            recased = path.lower() if path.lower() != path else path.upper()
            path = recased
            tags.append("url_case")
        roll = rng.random()
        if roll < 0.9:
            prefix = "https://github.com/"
        elif roll < 0.94:
            prefix = "http://github.com/"
        elif roll < 0.97:
            prefix = "https://www.github.com/"
        else:
            prefix = "github.com/"
        roll = rng.random()
        suffix = ""
        if roll < 0.10:
            suffix = ".git"
            tags.append("url_git")
        elif roll < 0.18:
            suffix = rng.choice(
                ("/tree/main", "/tree/master", "/blob/main/README.md", "/tree/v1.0/src")
            )
            tags.append("url_tree")
        elif roll < 0.22:
            suffix = "/"
        if rng.random() < 0.07:
            suffix += rng.choice((".", ",", ")", ";"))
            tags.append("url_punct")
        return f"{prefix}{path}{suffix}", tags
