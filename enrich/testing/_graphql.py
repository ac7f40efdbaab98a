"""Just enough GraphQL for the fake GitHub: aliased ``repository(owner:, name:)`` lookups.

A tokenizer and recursive-descent parser for queries of field selections with
aliases, arguments (strings, numbers, enums, ``$variables``) and nested
selection sets; fragments and directives are not supported.  Execution follows
GitHub's habits seen in ``shared/api-samples/github``: a validation error
(unknown field, missing argument) answers ``{"errors": [...]}`` with no data; a
missing repository answers its alias as ``null`` plus a ``NOT_FOUND`` error
carrying that alias's path and location, and the other aliases still resolve.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from enrich.testing._common import iso_z
from enrich.testing._corpus import FakeRepo

__all__ = [
    "GraphQLSyntaxError",
    "Operation",
    "Selection",
    "default_branch",
    "execute",
    "parse",
    "repository_args",
]


class GraphQLSyntaxError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass
class Selection:
    name: str
    alias: str | None
    args: dict[str, Any]
    children: list[Selection] | None
    line: int
    column: int

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class Operation:
    name: str | None
    selections: list[Selection]


@dataclass(frozen=True)
class _Var:
    name: str


_TOKEN_RE = re.compile(
    r'(?P<ws>[\s,]+|#[^\n]*)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)'
    r"|(?P<name>[_A-Za-z][_0-9A-Za-z]*)|(?P<spread>\.\.\.)|(?P<punct>[{}():$!=@\[\]])"
)


@dataclass
class _Tok:
    kind: str
    text: str
    line: int
    column: int


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise GraphQLSyntaxError(
                f'Parse error on "{text[pos]}" at [{line}, {pos - line_start + 1}]',
                line,
                pos - line_start + 1,
            )
        kind = match.lastgroup or ""
        if kind != "ws":
            toks.append(_Tok(kind, match.group(), line, pos - line_start + 1))
        for i in range(pos, match.end()):
            if text[i] == "\n":
                line, line_start = line + 1, i + 1
        pos = match.end()
    return toks


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def expect(self, text: str | None = None, kind: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None:
            last = self.toks[-1] if self.toks else _Tok("", "", 1, 1)
            raise GraphQLSyntaxError(
                f"Parse error on end of input at [{last.line}, {last.column}]",
                last.line,
                last.column,
            )
        if (text is not None and tok.text != text) or (kind is not None and tok.kind != kind):
            raise GraphQLSyntaxError(
                f'Parse error on "{tok.text}" at [{tok.line}, {tok.column}]', tok.line, tok.column
            )
        self.pos += 1
        return tok

    def document(self) -> Operation:
        name = None
        tok = self.peek()
        if tok is not None and tok.kind == "name" and tok.text in {"query", "mutation"}:
            self.pos += 1
            nxt = self.peek()
            if nxt is not None and nxt.kind == "name":
                name = nxt.text
                self.pos += 1
            nxt = self.peek()
            if nxt is not None and nxt.text == "(":
                self.skip_balanced("(", ")")
        selections = self.selection_set()
        extra = self.peek()
        if extra is not None:
            raise GraphQLSyntaxError(
                f'Parse error on "{extra.text}" at [{extra.line}, {extra.column}]',
                extra.line,
                extra.column,
            )
        return Operation(name, selections)

    def skip_balanced(self, open_: str, close: str) -> None:
        depth = 0
        while True:
            tok = self.expect()
            if tok.text == open_:
                depth += 1
            elif tok.text == close:
                depth -= 1
                if depth == 0:
                    return

    def selection_set(self) -> list[Selection]:
        self.expect("{")
        out: list[Selection] = []
        while (tok := self.peek()) is not None and tok.text != "}":
            out.append(self.selection())
        self.expect("}")
        return out

    def selection(self) -> Selection:
        first = self.expect(kind="name")
        alias, name_tok = None, first
        nxt = self.peek()
        if nxt is not None and nxt.text == ":":
            self.pos += 1
            alias, name_tok = first.text, self.expect(kind="name")
        args: dict[str, Any] = {}
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            self.pos += 1
            while (tok := self.peek()) is not None and tok.text != ")":
                arg = self.expect(kind="name").text
                self.expect(":")
                args[arg] = self.value()
            self.expect(")")
        children = None
        nxt = self.peek()
        if nxt is not None and nxt.text == "{":
            children = self.selection_set()
        return Selection(name_tok.text, alias, args, children, first.line, first.column)

    def value(self) -> Any:
        tok = self.expect()
        if tok.text == "$":
            return _Var(self.expect(kind="name").text)
        if tok.kind == "str":
            return bytes(tok.text[1:-1], "utf-8").decode("unicode_escape")
        if tok.kind == "num":
            return float(tok.text) if "." in tok.text else int(tok.text)
        if tok.kind == "name":
            return {"true": True, "false": False, "null": None}.get(tok.text, tok.text)
        if tok.text in {"[", "{"}:
            self.pos -= 1
            self.skip_balanced(tok.text, "]" if tok.text == "[" else "}")
            return None
        raise GraphQLSyntaxError(
            f'Parse error on "{tok.text}" at [{tok.line}, {tok.column}]', tok.line, tok.column
        )


def parse(query: str) -> Operation:
    """Parse a query document; raises :class:`GraphQLSyntaxError`."""
    return _Parser(_tokenize(query)).document()


def _resolve(value: Any, variables: Mapping[str, Any]) -> Any:
    return variables.get(value.name) if isinstance(value, _Var) else value


def repository_args(sel: Selection, variables: Mapping[str, Any]) -> tuple[Any, Any]:
    return _resolve(sel.args.get("owner"), variables), _resolve(sel.args.get("name"), variables)


# -- schema subset -------------------------------------------------------------

_SCALARS: Final[dict[str, Callable[[FakeRepo], Any]]] = {
    "nameWithOwner": lambda r: r.full_name,
    "name": lambda r: r.full_name.split("/", 1)[1],
    "url": lambda r: f"https://github.com/{r.full_name}",
    "stargazerCount": lambda r: r.stars,
    "forkCount": lambda r: r.forks,
    "isArchived": lambda r: r.archived,
    "isFork": lambda r: r.fork,
    "isPrivate": lambda r: False,
    "isDisabled": lambda r: False,
    "pushedAt": lambda r: _iso(r.pushed_at),
    "createdAt": lambda r: _iso(r.created_at),
    "updatedAt": lambda r: _iso(r.pushed_at or r.created_at),
    "databaseId": lambda r: r.repo_id,
    "description": lambda r: r.description,
    "homepageUrl": lambda r: None,
    "__typename": lambda r: "Repository",
}
#: object fields of Repository: field -> (type name, resolver to a dict or None)
_OBJECTS: Final[dict[str, tuple[str, Callable[[FakeRepo], dict[str, Any] | None]]]] = {
    "owner": (
        "RepositoryOwner",
        lambda r: {"login": r.full_name.split("/", 1)[0], "__typename": "Organization"},
    ),
    "primaryLanguage": ("Language", lambda r: {"name": r.language} if r.language else None),
    "licenseInfo": (
        "License",
        lambda r: (
            None
            if r.license_spdx is None
            else {
                "spdxId": r.license_spdx,
                "name": r.license_name or r.license_spdx,
                "key": r.license_spdx.lower(),
            }
        ),
    ),
    "defaultBranchRef": ("Ref", lambda r: {"name": default_branch(r)}),
}
_OBJECT_FIELDS: Final = {
    "RepositoryOwner": {"login", "__typename"},
    "Language": {"name"},
    "License": {"spdxId", "name", "key"},
    "Ref": {"name"},
    "RateLimit": {"cost", "remaining", "resetAt", "limit", "used", "nodeCount"},
}


def default_branch(repo: FakeRepo) -> str:
    """``master`` for repositories created before GitHub's October 2020 switch, else ``main``."""
    created = repo.created_at
    return "master" if created is not None and created.year < 2021 else "main"


def _iso(value: Any) -> str | None:
    return iso_z(value) if value is not None else None


@dataclass
class _Validation:
    op_path: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    def undefined(self, sel: Selection, type_name: str, path: list[str]) -> None:
        self.errors.append(
            {
                "path": [self.op_path, *path, sel.key],
                "extensions": {
                    "code": "undefinedField",
                    "typeName": type_name,
                    "fieldName": sel.name,
                },
                "locations": [{"line": sel.line, "column": sel.column}],
                "message": f"Field '{sel.name}' doesn't exist on type '{type_name}'",
            }
        )

    def other(self, sel: Selection, path: list[str], message: str) -> None:
        self.errors.append(
            {
                "path": [self.op_path, *path, sel.key],
                "locations": [{"line": sel.line, "column": sel.column}],
                "message": message,
            }
        )


def _validate(op: Operation, variables: Mapping[str, Any]) -> list[dict[str, Any]]:
    check = _Validation("query" if op.name is None else f"query {op.name}")
    for top in op.selections:
        if top.name == "rateLimit":
            for sub in top.children or []:
                if sub.name not in _OBJECT_FIELDS["RateLimit"]:
                    check.undefined(sub, "RateLimit", [top.key])
            continue
        if top.name != "repository":
            check.undefined(top, "Query", [])
            continue
        missing = [a for a in ("owner", "name") if a not in top.args]
        if missing:
            check.other(
                top, [], f"Field 'repository' is missing required arguments: {', '.join(missing)}"
            )
        if top.children is None:
            check.other(
                top, [], "Field must have selections (field 'repository' returns Repository)"
            )
            continue
        for sub in top.children:
            if sub.name in _SCALARS:
                if sub.children is not None:
                    check.other(
                        sub, [top.key], f"Selections can't be made on scalars (field '{sub.name}')"
                    )
            elif sub.name in _OBJECTS:
                type_name = _OBJECTS[sub.name][0]
                if sub.children is None:
                    check.other(
                        sub,
                        [top.key],
                        f"Field must have selections (field '{sub.name}' returns {type_name})",
                    )
                    continue
                for leaf in sub.children:
                    if leaf.name not in _OBJECT_FIELDS[type_name]:
                        check.undefined(leaf, type_name, [top.key, sub.key])
            else:
                check.undefined(sub, "Repository", [top.key])
    return check.errors


def execute(
    op: Operation,
    variables: Mapping[str, Any],
    find_repo: Callable[[str, str], FakeRepo | None],
    rate_limit: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The response body for ``op``: ``{"data": ...}`` and possibly ``"errors"``."""
    errors = _validate(op, variables)
    if errors:
        return {"errors": errors}
    data: dict[str, Any] = {}
    errors = []
    for top in op.selections:
        if top.name == "rateLimit":
            info = rate_limit()
            data[top.key] = {sub.key: info.get(sub.name) for sub in top.children or []}
            continue
        owner, name = repository_args(top, variables)
        repo = find_repo(str(owner), str(name)) if owner and name else None
        if repo is None:
            data[top.key] = None
            errors.append(
                {
                    "type": "NOT_FOUND",
                    "path": [top.key],
                    "locations": [{"line": top.line, "column": top.column}],
                    "message": f"Could not resolve to a Repository with the name '{owner}/{name}'.",
                }
            )
            continue
        obj: dict[str, Any] = {}
        for sub in top.children or []:
            if sub.name in _SCALARS:
                obj[sub.key] = _SCALARS[sub.name](repo)
            else:
                value = _OBJECTS[sub.name][1](repo)
                obj[sub.key] = (
                    None
                    if value is None
                    else {leaf.key: value.get(leaf.name) for leaf in sub.children or []}
                )
        data[top.key] = obj
    body: dict[str, Any] = {"data": data}
    if errors:
        body["errors"] = errors
    return body
