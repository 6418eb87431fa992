"""The analyst query catalogue: `queries/<name>.rq`, each a SPARQL query with a header of `#` comment lines.

    # title: Activities per goal
    # title@sv: Aktiviteter per mål
    # description: How many activities each programme has under each of its goals …
    # question: How many activities does each municipality plan under each of its goals?
    # param: municipality municipality * — the municipality (slug such as stockholm, or its IRI); * for all
    PREFIX andts: <https://w3id.org/andts/def/>
    SELECT … WHERE {
      VALUES ?municipality { UNDEF }
      …
    }

The header is the `#` lines at the top of the file; each `# key: value` (or `# key@lang: value`) is one
field. `title` is required; `title@sv`, `description` and `question` are expected; `param` may repeat.

Parameters. `# param: NAME TYPE DEFAULT — DESCRIPTION` declares `?NAME`, of a type in TYPES, with a default
(one token; `*` for none: any value). The query holds the parameter's place as exactly one single-variable
`VALUES ?NAME { … }` block whose content is the default (`UNDEF` for `*`), so the file runs as it is in any
SPARQL client. Binding validates the value given into a pyoxigraph term (NamedNode and Literal check their
input) and writes that term's N-Triples form (correctly escaped by pyoxigraph) into the block: request text
never becomes query text, only a term serialised by pyoxigraph does, and only inside a VALUES block. The
bound query is plain text, so it runs through any endpoint and the editor can show exactly what ran.

No web framework, no store here: the CLI and the server both use this module.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from andts.errors import AndtsError
from andts.namespaces import BASE, PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"

_FIELD = re.compile(r"#\s*(?P<key>[A-Za-z][\w-]*)(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*))?\s*:\s*(?P<value>.*\S)\s*$")
_PARAM = re.compile(r"(?P<name>[A-Za-z_]\w*)\s+(?P<type>[a-z][a-z-]*)\s+(?P<default>\S+)\s+(?:—|--)\s+(?P<description>.+)$")
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ANY = "*"  # a default of "*": the parameter is unbound unless given (the query answers for every value)

#: The most characters a parameter value may have: values are names, dates and search words.
MAX_VALUE_LENGTH = 200


class QueryFileError(AndtsError):
    """A named query file without the header it needs, or whose parameters do not fit its query."""


class UnknownQuery(AndtsError):
    """No query of that name in the catalogue."""


class BadParameter(AndtsError):
    """A parameter that the query does not declare, or a value that is not of the parameter's type."""


# --- parameter types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamType:
    """How a value given as text becomes a term. `path` types name entities under {BASE}id/{path}/:
    the value is their slug ("stockholm") or their full IRI."""

    name: str
    help: str
    path: str | None = None

    def convert(self, text: str) -> ox.NamedNode | ox.Literal:
        value = text.strip()
        if not value:
            raise ValueError("the value is empty")
        if len(value) > MAX_VALUE_LENGTH:
            raise ValueError(f"the value is longer than {MAX_VALUE_LENGTH} characters")
        if self.name == "string":
            return ox.Literal(text)  # kept verbatim: pyoxigraph escapes quotes, newlines and backslashes
        if self.name == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", value):
                raise ValueError("not a whole number")
            return ox.Literal(int(value))
        if self.name == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError("not a date written YYYY-MM-DD")
            date.fromisoformat(value)  # ValueError for 2024-02-30
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
        if self.name == "language":
            if not re.fullmatch(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*", value):
                raise ValueError("not a language tag such as sv or en")
            return ox.Literal(value.lower())
        if self.name == "iri":
            return _iri(value)
        assert self.path is not None
        base = f"{BASE}id/{self.path}/"
        if value.startswith("<") or "://" in value:
            node = _iri(value)
            if not node.value.startswith(base) or len(node.value) == len(base):
                raise ValueError(f"the IRI does not start with {base}")
            return node
        slug = _slug(value)
        if not re.fullmatch(r"[a-z0-9]+(?:[-.][a-z0-9]+)*(?:/[a-z0-9]+(?:[-.][a-z0-9]+)*)*", slug):
            raise ValueError(f"give the name as in the IRI (e.g. {self.help}) or the whole IRI")
        return ox.NamedNode(base + slug)


def _iri(value: str) -> ox.NamedNode:
    """An absolute IRI, also written <…> or as a prefixed name of the project's prefixes (andts:Activity)."""
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ValueError("not an absolute IRI")
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise ValueError(f"not an IRI ({exc})") from None


def _slug(value: str) -> str:
    """Names as IRIs spell them: lower case, no diacritics (Älvsjö → alvsjo), spaces as hyphens."""
    folded = unicodedata.normalize("NFKD", value.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"\s+", "-", folded)


#: Every parameter type a header may name.
TYPES: dict[str, ParamType] = {t.name: t for t in (
    ParamType("string", "any text"),
    ParamType("integer", "a whole number"),
    ParamType("date", "a date, YYYY-MM-DD"),
    ParamType("language", "a language tag: sv, en"),
    ParamType("iri", "an absolute IRI, <IRI>, or a prefixed name such as andts:Activity"),
    ParamType("municipality", "stockholm, eskilstuna", path="municipality"),
    ParamType("programme", "stockholm-andts-2023-2026", path="programme"),
    ParamType("source", "stockholm-andts-2023-2026", path="source"),
    ParamType("substance", "alkohol, narkotika, dopning, tobak, spel", path="substance"),
    ParamType("actor", "stockholm/socialnamnden", path="actor"),
    ParamType("finding-kind", "misspelling, markup", path="finding-kind"),
    ParamType("method-type", "survey, screening-instrument", path="method-type"),
)}


@dataclass(frozen=True)
class Parameter:
    name: str  # the query variable, without ?
    type: ParamType
    default: str  # text as a user would give it, or ANY
    description: str

    def convert(self, text: str) -> ox.NamedNode | ox.Literal:
        try:
            return self.type.convert(text)
        except ValueError as exc:
            raise BadParameter(f"parameter {self.name!r} ({self.type.name}): {text!r} is not valid: {exc}") from None

    def default_term(self) -> ox.NamedNode | ox.Literal | None:
        return None if self.default == ANY else self.type.convert(self.default)


# --- named queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedQuery:
    name: str  # the file name without .rq: the query's name in URLs and on the command line
    title: str
    text: str  # the whole file, header included (the comments are valid SPARQL)
    description: str = ""
    titles: dict[str, str] = field(default_factory=dict)  # language tag → title (the untagged one as "")
    fields: dict[str, str] = field(default_factory=dict)  # every header field, "key" or "key@lang" (last wins)
    params: tuple[Parameter, ...] = ()
    question: str = ""

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang, self.title)

    def param(self, name: str) -> Parameter:
        for p in self.params:
            if p.name == name:
                return p
        declared = ", ".join(p.name for p in self.params) or "none"
        raise BadParameter(f"the query {self.name!r} has no parameter {name!r} (its parameters: {declared})")

    def terms(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal | None]:
        """Each parameter's term: the value given (validated), else the default (None: unbound)."""
        for name in values:
            self.param(name)  # unknown names are an error, never ignored
        return {p.name: p.convert(values[p.name]) if p.name in values else p.default_term() for p in self.params}

    def bind(self, values: Mapping[str, str] | None = None) -> str:
        """The query text with every parameter's VALUES block holding its term (see the module's doc)."""
        return render(self.text, self.terms(values or {}))

    def given(self, values: Mapping[str, str]) -> list[tuple[str, str]]:
        """The values given, in declaration order (for permalinks)."""
        return [(p.name, values[p.name]) for p in self.params if p.name in values]


def parse(name: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    titles: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header ends at the first line that is not a comment
        m = _FIELD.match(stripped)
        if m is None:
            continue
        key = m["key"].lower() + (f"@{m['lang']}" if m["lang"] else "")
        fields[key] = m["value"]
        if m["key"].lower() == "title":
            titles[m["lang"] or ""] = m["value"]
        if key == "param":
            params.append(_parse_param(name, m["value"]))
    if "" not in titles:
        raise QueryFileError(f"the named query {name!r} has no '# title: …' line in its header")
    if not any(line.strip() and not line.strip().startswith("#") for line in text.splitlines()):
        raise QueryFileError(f"the named query {name!r} has a header but no query")
    if len({p.name for p in params}) != len(params):
        raise QueryFileError(f"the named query {name!r} declares a parameter twice")
    for p in params:
        spans = values_blocks(text, p.name)
        if len(spans) != 1:
            raise QueryFileError(f"the named query {name!r} declares the parameter {p.name!r} but has "
                                 f"{len(spans)} 'VALUES ?{p.name} {{ … }}' blocks; it needs exactly one")
    return NamedQuery(name=name, title=titles[""], text=text, description=fields.get("description", ""),
                      titles=titles, fields=fields, params=tuple(params), question=fields.get("question", ""))


def _parse_param(query: str, value: str) -> Parameter:
    m = _PARAM.match(value)
    if m is None:
        raise QueryFileError(f"the named query {query!r} has a param line that is not "
                             f"'NAME TYPE DEFAULT — DESCRIPTION': {value!r}")
    if m["type"] not in TYPES:
        raise QueryFileError(f"the named query {query!r}: parameter {m['name']!r} has the unknown type "
                             f"{m['type']!r} (types: {', '.join(TYPES)})")
    p = Parameter(m["name"], TYPES[m["type"]], m["default"], m["description"].strip())
    try:
        p.default_term()
    except ValueError as exc:
        raise QueryFileError(f"the named query {query!r}: the default of {p.name!r} is not valid: {exc}") from None
    return p


def read(path: Path) -> NamedQuery:
    return parse(path.stem, path.read_text(encoding="utf-8"))


def catalogue(folder: Path) -> list[NamedQuery]:
    """Every named query in `folder`, by name; none when the folder does not exist."""
    if not folder.is_dir():
        return []
    return [read(p) for p in sorted(folder.glob("*.rq"), key=lambda p: p.stem)]


def find(queries: Sequence[NamedQuery], name: str) -> NamedQuery:
    for q in queries:
        if q.name == name:
            return q
    names = [q.name for q in queries]
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; the catalogue has: {', '.join(names)}"
    raise UnknownQuery(f"no query named {name!r}{hint}")


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """`k=v` strings (the CLI's --param) as a dict; a repeated or malformed one is an error."""
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise BadParameter(f"a parameter is written NAME=VALUE, not {item!r}")
        if key in out:
            raise BadParameter(f"the parameter {key!r} is given twice")
        out[key] = value
    return out


# --- binding into the text -------------------------------------------------------------------------

_STRING = (r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""' r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
           r'|"(?:[^"\\\n\r]|\\.)*"' r"|'(?:[^'\\\n\r]|\\.)*'")
_TOKEN = re.compile(
    rf"(?P<string>{_STRING})|(?P<iri><[^<>\"{{}}|^`\\\x00-\x20]*>)|(?P<comment>#[^\n\r]*)"
    r"|(?P<var>[?$]\w+)|(?P<space>\s+)|(?P<word>[A-Za-z_][\w-]*)|(?P<other>.)",
    re.DOTALL,
)


def values_blocks(text: str, variable: str) -> list[tuple[int, int]]:
    """The (start, end) of the `{ … }` of every `VALUES ?variable { … }` outside strings, IRIs and comments."""
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)
              if m.lastgroup not in ("space", "comment")]
    spans = []
    for i, (kind, value, _, _) in enumerate(tokens):
        if kind == "word" and value.upper() == "VALUES" and i + 2 < len(tokens):
            var, brace = tokens[i + 1], tokens[i + 2]
            if var[0] == "var" and var[1][1:] == variable and brace[1] == "{":
                end = next((t for t in tokens[i + 3:] if t[1] == "}"), None)
                if end is not None:
                    spans.append((brace[2], end[3]))
    return spans


def render(text: str, terms: Mapping[str, ox.NamedNode | ox.Literal | None]) -> str:
    """`text` with the block of each parameter replaced by `{ term }` (`{ UNDEF }` for None). Only terms made
    by pyoxigraph are written, in their N-Triples form, which escapes everything a literal may contain."""
    edits = []
    for name, term in terms.items():
        if term is not None and not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"parameter {name}: only IRIs and literals are bound")
        for start, end in values_blocks(text, name):
            edits.append((start, end, "{ " + (str(term) if term is not None else "UNDEF") + " }"))
    for start, end, block in sorted(edits, reverse=True):
        text = text[:start] + block + text[end:]
    return text


# --- checks against the data -----------------------------------------------------------------------


def existence_query(term: ox.NamedNode) -> str:
    """An ASK that is true when the graph says anything about `term` (built from the validated node)."""
    return f"ASK {{ VALUES ?x {{ {term} }} ?x ?p ?o }}"


def check_exist(query: NamedQuery, values: Mapping[str, str], ask: Callable[[str], bool]) -> None:
    """A well-formed IRI that names nothing would give an empty answer without saying why: refuse it.
    `ask` runs an ASK query over the graph (the CLI on its store, the server through its workers)."""
    terms = query.terms(values)
    for name in values:
        term = terms[name]
        if isinstance(term, ox.NamedNode) and not ask(existence_query(term)):
            p = query.param(name)
            raise BadParameter(f"parameter {name!r} ({p.type.name}): {values[name]!r} names nothing in the "
                               f"graph ({term.value})")
