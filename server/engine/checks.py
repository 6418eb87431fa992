"""What a query's text says before it is parsed, and what the endpoint refuses from the text alone
(updates, SERVICE, nesting that would overflow the parser's stack); `check(job)` runs before any worker
is involved. No web framework here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from andts.server.errors import BadRequest, QueryTooComplex, ServiceRefused, UpdateRefused

if TYPE_CHECKING:
    from andts.server.engine.sparql import Job

_STRING = (
    r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
)
_TOKEN = re.compile(
    rf"(?P<string>{_STRING})"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<comment>#[^\n\r]*)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<name>[\w:](?:[\w.:%\\-]*[\w:%-])?)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_KEYWORD = re.compile(r"[A-Za-z]+")

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True)
class QueryShape:
    """What the query text shows without parsing it: its form and the keywords the server cares about."""

    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK, an update keyword, or None
    uses_service: bool
    has_dataset_clause: bool  # FROM or FROM NAMED
    has_base: bool = False  # a BASE declaration
    depth: int = 0  # the deepest nesting of brackets
    operators: int = 0  # path and expression operators, UNION, OPTIONAL and MINUS
    #: One triple pattern whose subject is an IRI (`_one_subject`): its cost is bounded by that subject's triples.
    one_subject: bool = False

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS

    @property
    def kind(self) -> str | None:
        """The Result.kind the query will give, when the form is known."""
        return {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(self.form or "")


#: How deeply brackets may nest, and how many operators (path and expression operators, UNION, OPTIONAL,
#: MINUS) a query may have. pyoxigraph's parser recurses on both and overflows its stack, killing the
#: process, a little beyond: 5,000 nested groups, 1,000 path steps, 20,000 `+` terms (bench/load.py).
MAX_DEPTH = 128
MAX_OPERATORS = 400
_OPEN, _CLOSE = "({[", ")}]"
_OPERATORS = set("/|^*+!&")
_NESTING_KEYWORDS = {"UNION", "OPTIONAL", "MINUS"}


def keywords(text: str) -> list[str]:
    """The bare words of a query, upper-cased, outside strings, IRIs and comments; no variables or
    prefixed names (`ex:SERVICE`, `?service` and "SERVICE" are not the keyword SERVICE)."""
    return _scan(text)[0]


#: A query of more tokens than this is never a one-subject lookup (`_one_subject` is not asked).
_LOOKUP_TOKENS = 64


def _scan(text: str) -> tuple[list[str], int, int, list[tuple[str, str]] | None]:
    """The keywords, the deepest bracket nesting, the number of operators, and the tokens but for space and
    comments (keywords upper-cased; None past _LOOKUP_TOKENS), in one pass."""
    words: list[str] = []
    tokens: list[tuple[str, str]] | None = []
    depth = deepest = operators = 0
    for m in _TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind == "name" and _KEYWORD.fullmatch(token):
            word = token = token.upper()
            kind = "keyword"
            words.append(word)
            operators += word in _NESTING_KEYWORDS
        elif kind == "other":
            if token.isspace():
                continue
            if token in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif token in _CLOSE:
                depth -= 1
            elif token in _OPERATORS:
                operators += 1
        elif kind == "comment":
            continue
        if tokens is not None:
            tokens.append((kind or "", token))
            if len(tokens) > _LOOKUP_TOKENS:
                tokens = None
    return words, deepest, operators, tokens


def inspect(text: str) -> QueryShape:
    words, depth, operators, tokens = _scan(text)
    form = next((w for w in words if w not in ("BASE", "PREFIX")), None)
    if form not in QUERY_FORMS and form not in UPDATE_KEYWORDS:
        form = None
    return QueryShape(form=form, uses_service="SERVICE" in words, has_dataset_clause="FROM" in words,
                      has_base="BASE" in words, depth=depth, operators=operators,
                      one_subject=tokens is not None and _one_subject(tokens))


class _Cursor:
    """A position in a query's tokens, stepped over one grammar rule at a time."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.t, self.i, self.n = tokens, 0, len(tokens)

    def at(self, *wanted: str) -> bool:
        return self.i < self.n and self.t[self.i][1] in wanted

    def kind(self, *kinds: str) -> bool:
        return self.i < self.n and self.t[self.i][0] in kinds

    def text(self) -> str:
        return self.t[self.i][1] if self.i < self.n else ""

    def take(self, *wanted: str) -> bool:
        """Step over the next token if it is one of `wanted`."""
        if self.at(*wanted):
            self.i += 1
            return True
        return False

    def term(self, ok: bool) -> bool:
        """Step over the next token if `ok` (said of it)."""
        self.i += ok
        return ok

    def iri_or_prefixed(self) -> bool:
        return self.kind("iri") or (self.kind("name") and ":" in self.text() and not self.text().startswith("_:"))

    def object_term(self) -> bool:
        if not self.term(self.kind("string")):
            return self.term(self.kind("var") or self.iri_or_prefixed() or (self.kind("name") and self.text().isdigit())
                             or self.at("TRUE", "FALSE"))
        if self.term(self.kind("lang")) or not (self.at("^") and self.i + 1 < self.n and self.t[self.i + 1][1] == "^"):
            return True
        self.i += 2  # ^^
        return self.term(self.iri_or_prefixed())  # the datatype

    def group(self) -> bool:
        return (self.take("{") and self.term(self.iri_or_prefixed())  # the subject
                and self.term(self.iri_or_prefixed() or self.kind("var") or self.at("A"))  # `a`: upper-cased
                and self.object_term() and (self.take(".") or True) and self.take("}"))

    def prologue(self) -> bool:
        while self.at("PREFIX", "BASE"):
            if self.take("PREFIX"):
                if not (self.term(self.kind("name") and self.text().endswith(":")) and self.term(self.kind("iri"))):
                    return False
            elif not (self.take("BASE") and self.term(self.kind("iri"))):
                return False
        return True

    def head(self) -> bool:
        """SELECT with its variables, CONSTRUCT with its template (or the short form), or ASK."""
        if self.take("SELECT"):
            self.take("DISTINCT", "REDUCED")
            if self.take("*"):
                return True
            if not self.kind("var"):
                return False
            while self.term(self.kind("var")):
                pass
            return True
        if self.take("CONSTRUCT"):
            if not self.take("{"):
                return self.at("WHERE")  # the short form, CONSTRUCT WHERE { … }
            while (self.kind("iri", "var", "string", "lang") or (self.kind("name") and not self.text().startswith("_:"))
                   or self.at(".", ";", ",", "^", "A", "TRUE", "FALSE")):
                self.i += 1
            return self.take("}")
        return self.take("ASK")

    def modifiers(self) -> bool:
        seen: set[str] = set()
        while self.at("LIMIT", "OFFSET") and self.text() not in seen:  # each at most once, in either order
            seen.add(self.text())
            self.i += 1
            if not self.term(self.kind("name") and self.text().isdigit()):
                return False
        return self.i == self.n


def _one_subject(tokens: list[tuple[str, str]]) -> bool:
    """Whether the tokens are a query whose pattern is one triple with an IRI as subject, and nothing else:

        (PREFIX p: <iri> | BASE <iri>)*
        ( SELECT [DISTINCT | REDUCED] (?v … | *) [WHERE] P | ASK [WHERE] P
        | CONSTRUCT { template } [WHERE] P | CONSTRUCT WHERE P )
        [LIMIT n] [OFFSET n] (either order)        where P = { subject predicate object [.] }

    The subject is an IRI or a prefixed name (not a variable, nor a blank node, which would match anything);
    the predicate an IRI, a prefixed name, `a` or a variable; the object a variable, an IRI, a prefixed name
    or a literal; a template has terms and `. ; ,` only. Such a query reads one subject's triples and cannot
    run long: the server answers it itself (pool.WorkerPool) instead of sending it to a worker. A query this
    does not recognise is answered as every query is; the check must never say yes to more."""
    c = _Cursor(tokens)
    if not (c.prologue() and c.head()):
        return False
    c.take("WHERE")
    return c.group() and c.modifiers()


def check(job: Job) -> QueryShape:
    """Refuse what the endpoint never runs. Cheap: reads the text only."""
    if not job.query.strip():
        raise BadRequest("the query is empty")
    shape = inspect(job.query)
    if shape.is_update:
        raise UpdateRefused(
            f"this endpoint is read-only: SPARQL Update ({shape.form} …) is not accepted. "
            "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query."
        )
    if shape.uses_service and not job.allow_service:
        raise ServiceRefused("federated queries (SERVICE) are not allowed on this endpoint")
    if shape.depth > MAX_DEPTH:
        raise QueryTooComplex(f"the query nests brackets {shape.depth} levels deep; this endpoint allows at most "
                              f"{MAX_DEPTH}")
    if shape.operators > MAX_OPERATORS:
        raise QueryTooComplex(f"the query has {shape.operators} operators (path steps, expression operators, UNION, "
                              f"OPTIONAL, MINUS); this endpoint allows at most {MAX_OPERATORS}")
    for iri in (*job.default_graphs, *job.named_graphs):
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise BadRequest(f"graph IRI {iri!r} is not a valid IRI: {exc}") from exc
    return shape
