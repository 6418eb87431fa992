"""The catalogue's header reader and parameter binding (andts.catalogue), on made-up queries: every field,
every type, every way a value can be wrong, and attempts to change a query's structure through a value."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from andts import catalogue, paths
from andts.catalogue import BadParameter, QueryFileError

ID = "https://w3id.org/andts/id/"

TEXT = """# title: T
# title@sv: S
# description: D: with a colon
# question: Q?
# param: municipality municipality * — the municipality
# param: day date 2024-06-30 -- a day
# param: text string hej — words
PREFIX ex: <http://example.org/>
SELECT * WHERE {
  VALUES ?municipality { UNDEF }
  VALUES ?day { "2024-06-30"^^<http://www.w3.org/2001/XMLSchema#date> }
  # VALUES ?text { "in a comment" } is not a block
  ?s ex:says "VALUES ?text { 1 }" .
  VALUES ?text { "hej" }
}
"""


def named(text: str = TEXT) -> catalogue.NamedQuery:
    return catalogue.parse("x", text)


def solutions(text: str, data: str = "") -> list[dict[str, str]]:
    store = ox.Store()
    if data:
        store.load(data.encode(), format=ox.RdfFormat.TURTLE)
    results = store.query(text)
    return [{v.value: s[v].value for v in results.variables if s[v] is not None} for s in results]


def test_header_fields_params_and_languages() -> None:
    q = named()
    assert (q.title, q.title_in("sv"), q.title_in("de"), q.description, q.question) == ("T", "S", "T", "D: with a colon", "Q?")
    assert [(p.name, p.type.name, p.default, p.description) for p in q.params] == [
        ("municipality", "municipality", "*", "the municipality"), ("day", "date", "2024-06-30", "a day"),
        ("text", "string", "hej", "words")]


def test_defaults_render_the_file_unchanged() -> None:
    assert named().bind({}) == TEXT


def test_binding_writes_only_the_values_blocks() -> None:
    bound = named().bind({"municipality": "Stockholm", "text": "då"})
    assert f"VALUES ?municipality {{ <{ID}municipality/stockholm> }}" in bound
    assert 'VALUES ?text { "då" }' in bound
    # the block-like text in a comment and in a string literal is left alone
    assert '# VALUES ?text { "in a comment" }' in bound and '"VALUES ?text { 1 }"' in bound
    assert bound.replace(f"<{ID}municipality/stockholm>", "UNDEF").replace('"då"', '"hej"') == TEXT


@pytest.mark.parametrize(("type_name", "given", "term"), [
    ("municipality", "eskilstuna", ox.NamedNode(f"{ID}municipality/eskilstuna")),
    ("municipality", "Eskilstuna", ox.NamedNode(f"{ID}municipality/eskilstuna")),
    ("municipality", f"<{ID}municipality/stockholm>", ox.NamedNode(f"{ID}municipality/stockholm")),
    ("actor", "Stockholm/Äldrenämnden", ox.NamedNode(f"{ID}actor/stockholm/aldrenamnden")),
    ("programme", "stockholm-andts-2023-2026", ox.NamedNode(f"{ID}programme/stockholm-andts-2023-2026")),
    ("substance", "spel", ox.NamedNode(f"{ID}substance/spel")),
    ("iri", "andts:Activity", ox.NamedNode("https://w3id.org/andts/def/Activity")),
    ("iri", "http://example.org/a", ox.NamedNode("http://example.org/a")),
    ("integer", " 71 ", ox.Literal(71)),
    ("date", "2024-02-29", ox.Literal("2024-02-29", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
    ("language", "EN", ox.Literal("en")),
    ("string", 'a "b"\nc', ox.Literal('a "b"\nc')),
])
def test_values_become_terms(type_name: str, given: str, term: object) -> None:
    assert catalogue.TYPES[type_name].convert(given) == term


@pytest.mark.parametrize(("type_name", "given", "says"), [
    ("municipality", "x> } ; DROP ALL ; <y", "give the name as in the IRI"),
    ("municipality", "http://example.org/stockholm", "does not start with"),
    ("municipality", "../programme/x", "give the name as in the IRI"),
    ("iri", "x> } ; DROP ALL ; <y", "not an absolute IRI"),
    ("iri", "http://example.org/a> } ; DROP ALL ; <y", "not an IRI"),
    ("integer", "71 } ; DROP ALL", "not a whole number"),
    ("integer", "1.5", "not a whole number"),
    ("date", "2024-02-30", "out of range"),
    ("date", '2024-01-01"^^<x> } DROP ALL', "YYYY-MM-DD"),
    ("language", 'en") } DROP ALL #', "language tag"),
    ("string", "", "empty"),
    ("string", "x" * 201, "longer than 200"),
])
def test_bad_values_are_refused(type_name: str, given: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        catalogue.TYPES[type_name].convert(given)


def test_bad_parameters_name_the_parameter() -> None:
    q = named()
    with pytest.raises(BadParameter, match=r"parameter 'day' \(date\): '2024-13-01' is not valid"):
        q.bind({"day": "2024-13-01"})
    with pytest.raises(BadParameter, match=r"has no parameter 'nope' \(its parameters: municipality, day, text\)"):
        q.bind({"nope": "1"})


@pytest.mark.parametrize("attack", [
    'x" } ; DROP ALL ; SELECT * { ?s ?p ?o FILTER("',
    "x' } UNION { ?s ?p ?o } #",
    'a"""b\n} ?s ?p ?o {\\',
    "x> } ; DROP ALL ; <y",
])
def test_a_string_cannot_change_the_query(attack: str) -> None:
    """An injection attempt stays one literal: the bound query parses to the same shape and the value
    comes back exactly as given."""
    q = named("# title: T\n# param: text string x — t\nSELECT ?text ?n WHERE {\n  VALUES ?text { \"x\" }\n"
              "  BIND(STRLEN(?text) AS ?n)\n}\n")
    rows = solutions(q.bind({"text": attack}))
    assert rows == [{"text": attack, "n": str(len(attack))}]


def test_check_exist_refuses_iris_naming_nothing() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{ID}municipality/stockholm"), ox.NamedNode("http://example.org/p"), ox.Literal("x")))
    ask = lambda text: bool(store.query(text))  # noqa: E731
    q = named()
    catalogue.check_exist(q, {"municipality": "stockholm"}, ask)
    with pytest.raises(BadParameter, match="names nothing in the graph"):
        catalogue.check_exist(q, {"municipality": "goteborg"}, ask)
    catalogue.check_exist(q, {"text": "goteborg"}, ask)  # literals are not looked up


@pytest.mark.parametrize(("text", "says"), [
    ("SELECT * { ?s ?p ?o }", "no '# title"),
    ("# title@sv: S\nASK {}", "no '# title"),
    ("SELECT * {}\n# title: after the query", "no '# title"),
    ("# title: T\n# description: D\n", "no query"),
    ("# title: T\n# param: x string\nASK { VALUES ?x { UNDEF } }", "not 'NAME TYPE DEFAULT"),
    ("# title: T\n# param: x colour red — c\nASK { VALUES ?x { UNDEF } }", "unknown type 'colour'"),
    ("# title: T\n# param: x date 2024-99-99 — d\nASK { VALUES ?x { UNDEF } }", "default of 'x' is not valid"),
    ("# title: T\n# param: x string a — s\nASK { ?s ?p ?x }", r"0 'VALUES \?x"),
    ("# title: T\n# param: x string a — s\nASK { VALUES ?x { 1 } VALUES ?x { 2 } }", r"2 'VALUES \?x"),
    ("# title: T\n# param: x string a — s\n# param: x string b — s\nASK { VALUES ?x { 1 } }", "twice"),
])
def test_files_that_do_not_fit_are_refused(text: str, says: str) -> None:
    with pytest.raises(QueryFileError, match=says):
        named(text)


def test_unknown_names_suggest_close_ones() -> None:
    queries = catalogue.catalogue(paths.QUERIES_DIR)
    with pytest.raises(catalogue.UnknownQuery, match="did you mean activities-per-goal"):
        catalogue.find(queries, "activities-per-goals")


@pytest.mark.parametrize(("items", "says"), [(["municipality"], "NAME=VALUE"), (["=x"], "NAME=VALUE"),
                                             (["a=1", "a=2"], "given twice")])
def test_command_line_assignments(items: list[str], says: str) -> None:
    with pytest.raises(BadParameter, match=says):
        catalogue.parse_assignments(items)
    assert catalogue.parse_assignments(["a=b=c", "d="]) == {"a": "b=c", "d": ""}


def test_no_folder_no_queries(tmp_path) -> None:
    assert catalogue.catalogue(tmp_path / "missing") == []
