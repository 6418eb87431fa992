"""The dimensions of an entity page: every tag (substance, umbrella scope, target group, setting, law, partner)
linked by its label in the page language, with its evidence in brief (the basis, and the words quoted or the
method, law or statutory task that implies it), over a fresh build of the project's two documents; and the
evidence nodes themselves dereference. Pages are parsed with BeautifulSoup; what they should say is read
from the build with SPARQL where it can be, from the sources where it must be."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from andts.server.http.app import create_app
from andts.server.settings import Settings

B = "https://w3id.org/andts/"
A = B + "def/"
STHLM = "id/programme/stockholm-andts-2023-2026"
ESK = "id/programme/eskilstuna-andt-2019-2023"
HTML = {"Accept": "text/html"}
#: Stockholm's appendix, line 30: "Erbjuda utbildningar i Ansvarsfull alkoholservering och Krogar mot knark till
#: personal på serveringsställen." (focus area 1.3: "… minska överservering av alkohol och narkotikaanvändning …")
SERVING = f"/{STHLM}/focus-area/1.3/activity/1"
#: Stockholm's appendix: "… enkla, tillgängliga insatser kring ANDTS i samband med enskilda konsultationer …"
UMBRELLA = f"/{STHLM}/focus-area/4.2/activity/2"
#: Eskilstuna's plan, line 128: "Vid tillsynsbesök på försäljningsställen för folköl och/eller tobak kontrolleras
#: marknadsföring." (existing work under goal 2)
SUPERVISION = f"/{ESK}/goal/2/existing-work/1"
FIVE = {f"/id/substance/{s}" for s in ("alkohol", "narkotika", "dopning", "tobak", "spel")}


def page(client: httpx.Client, path: str) -> BeautifulSoup:
    r = client.get(path, headers=HTML)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return BeautifulSoup(r.text, "html.parser")


def words(node: Tag) -> str:
    """The text as a reader sees it: the page's whitespace collapsed."""
    return " ".join(node.get_text().split())


def sparql(client: httpx.Client, query: str) -> list[dict[str, str]]:
    r = client.post("/sparql", data={"query": f"PREFIX andts: <{A}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> {query}"},
                    headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def dimensions(soup: BeautifulSoup) -> dict[str, Tag]:
    """The rows of the dimensions table by their heading."""
    section = soup.select_one("section.dimensions")
    assert section is not None, "the page has a dimensions section"
    return {words(row.th): row for row in section.select("tbody tr")}


def tags(row: Tag) -> dict[str, Tag]:
    """A dimension's tags by their concept's label."""
    return {words(li.select_one(".concept")): li for li in row.select("li.tag")}


def evidence(tag: Tag) -> dict[str, Tag]:
    """A tag's evidence by the basis label."""
    return {words(li.select_one(".basis")): li for li in tag.select("ul.evidence > li")}


def path_of(iri: str) -> str:
    return iri.removeprefix(B[:-1])


# --- an activity that names substances and methods ---------------------------------------------------------


def test_named_substances_are_quoted_and_implied_ones_name_the_method(project_client: httpx.Client) -> None:
    soup = page(project_client, SERVING)
    assert words(soup.select_one("#h-dimensions")) == "Dimensioner"
    rows = dimensions(soup)
    assert {"Substans", "Målgrupp", "Arena"} <= set(rows)
    assert "Samlingsbegrepp" not in rows, "the text uses no umbrella word"
    substances = tags(rows["Substans"])
    assert set(substances) == {"Alkohol", "Narkotika"}
    assert substances["Alkohol"].select_one(".concept a")["href"] == "/id/substance/alkohol"
    assert substances["Narkotika"].select_one(".concept a")["href"] == "/id/substance/narkotika"

    alcohol = evidence(substances["Alkohol"])
    named = alcohol["Nämnd i texten"]
    quoted = {words(a): a["href"] for a in named.select("a.words")}
    assert "”alkoholservering”" in quoted
    assert quoted["”alkoholservering”"].startswith(f"{SERVING}/tag/substance/alkohol/")
    assert named.select_one("a[href='/id/tag-basis/named']") is not None, "the basis links to its concept"
    # "överservering" is in the focus area's title, not in the activity's own text
    [over] = [item for item in named.select(".item") if "överservering" in words(item)]
    assert "(i insatsområdets rubrik)" in words(over)
    assert over.select_one(".where a")["href"] == f"/{STHLM}/focus-area/1.3"
    [own] = [item for item in named.select(".item") if "alkoholservering" in words(item)]
    assert "insatsområdets" not in words(own)

    drugs = evidence(substances["Narkotika"])
    assert "”knark”" in {words(a) for a in drugs["Nämnd i texten"].select("a.words")}
    methods = {words(a): a["href"] for a in drugs["Följer av metoden"].select("a")}
    assert methods["Krogar mot knark"] == "/id/method/krogar-mot-knark"
    assert methods["Följer av metoden"] == "/id/tag-basis/implied-by-method"


def test_every_tag_and_quote_of_the_build_is_on_the_page(project_client: httpx.Client) -> None:
    """What the page shows is what the graph says: each (dimension, concept) of the entity, and each quote with
    whether it is in the entity's own text, once."""
    iri = B[:-1] + SERVING
    rows = sparql(project_client, f"""
SELECT ?property ?value ?words ?text WHERE {{
  <{iri}> andts:evidence ?x . ?x andts:tagProperty ?property ; andts:tagValue ?value .
  OPTIONAL {{ ?x andts:words ?words }} OPTIONAL {{ ?x andts:inTextOf ?text }}
}}""")
    assert rows, "the activity has evidence"
    soup = page(project_client, SERVING)
    section = soup.select_one("section.dimensions")
    shown_tags = {(row["class"][1].removeprefix("dimension-"), a["href"])
                  for row in section.select("tbody tr") for a in row.select(".concept a")}
    assert shown_tags == {(r["property"].removeprefix(A), path_of(r["value"])) for r in rows}
    shown_quotes = set()
    for row in section.select("tbody tr"):
        for li in row.select("li.tag"):
            concept = li.select_one(".concept a")["href"]
            for item in li.select(".item"):
                quote = item.select_one("a.words")
                if quote is not None:
                    shown_quotes.add((concept, words(quote).strip("”"), item.select_one(".where") is not None))
    assert shown_quotes == {(path_of(r["value"]), r["words"], r.get("text", iri) != iri) for r in rows if "words" in r}


def test_the_property_table_leaves_the_evidence_to_the_dimensions(project_client: httpx.Client) -> None:
    soup = page(project_client, SERVING)
    evidence_links = [a for a in soup.select("table.properties:not(.dimensions) a") if "/tag/" in a["href"]]
    assert evidence_links == [], "no andts:evidence row in the property table"
    assert not [a for a in soup.select(".incoming a") if "/tag/" in a["href"]], "nor evidence among incoming links"
    # the entity's own triples still have them
    turtle = Graph().parse(data=project_client.get(SERVING + ".ttl").text, format="turtle")
    assert len(list(turtle.objects(URIRef(B[:-1] + SERVING), URIRef(A + "evidence")))) > 0


# --- umbrella words ----------------------------------------------------------------------------------------


def test_an_umbrella_word_gives_the_scope_and_no_substance(project_client: httpx.Client) -> None:
    soup = page(project_client, UMBRELLA)
    assert "ANDTS" in words(soup.select_one("p.lead"))
    rows = dimensions(soup)
    assert "Substans" not in rows
    scope = rows["Samlingsbegrepp"]
    assert "dimension-substanceScope" in scope["class"]
    [(label, tag)] = tags(scope).items()
    assert tag.select_one(".concept a")["href"] == "/id/substance-scope/andts"
    assert label == sparql(project_client, """SELECT ?l WHERE { <https://w3id.org/andts/id/substance-scope/andts>
        skos:prefLabel ?l FILTER(lang(?l) = "sv") }""")[0]["l"]
    assert "”ANDTS”" in {words(a) for a in tag.select("a.words")}
    assert scope.select_one(".scope-note") is not None, "the row says an umbrella word names no substance"
    hrefs = {a["href"] for a in soup.select("section.dimensions a")}
    assert not hrefs & FIVE, "ANDTS is not split into the five substances"


def test_named_substances_and_the_umbrella_scope_are_told_apart(project_client: httpx.Client) -> None:
    """Both kinds on one page: separate rows with their own names and classes (the stylesheet draws them apart)."""
    [row] = sparql(project_client, """SELECT ?e WHERE { ?e a andts:Activity ; andts:substance ?s ;
        andts:substanceScope ?scope } ORDER BY ?e LIMIT 1""")
    rows = dimensions(page(project_client, path_of(row["e"])))
    assert "dimension-substance" in rows["Substans"]["class"]
    assert "dimension-substanceScope" in rows["Samlingsbegrepp"]["class"]
    assert {a["href"] for a in rows["Samlingsbegrepp"].select(".concept a")} == {"/id/substance-scope/andts"}
    assert {a["href"] for a in rows["Substans"].select(".concept a")} <= FIVE
    css = project_client.get("/static/andts.css").text
    assert "tr.dimension-substanceScope .concept a" in css


# --- laws, statutory tasks and partners ----------------------------------------------------------------------


def test_laws_show_the_statutory_task_and_its_words(project_client: httpx.Client) -> None:
    rows = dimensions(page(project_client, SUPERVISION))
    laws = tags(rows["Lag"])
    alcohol_act = laws["Alkohollag (2010:1622)"]
    assert alcohol_act.select_one(".concept a")["href"] == "/id/law/sfs-2010-1622"
    task = evidence(alcohol_act)["Lagstadgad uppgift"]
    assert "”tillsynsbesök på försäljningsställen för folköl”" in {words(a) for a in task.select("a.words")}
    [row] = sparql(project_client, f"""SELECT ?task WHERE {{ <{B[:-1] + SUPERVISION}> andts:evidence ?x .
        ?x andts:tagValue <{B}id/law/sfs-2010-1622> ; andts:impliedBy ?task }}""")
    assert path_of(row["task"]) in {a["href"] for a in task.select("a")}
    # the substance the law implies
    implied = evidence(tags(rows["Substans"])["Alkohol"])["Följer av lagen"]
    assert {a["href"] for a in implied.select("a")} >= {"/id/law/sfs-2010-1622"}


def test_partners_are_listed_by_name(project_client: httpx.Client) -> None:
    found = sparql(project_client, """SELECT ?e ?partner WHERE { ?e andts:partner ?partner ; andts:evidence ?x }
        ORDER BY ?e ?partner""")
    assert found, "some entity with evidence names a partner"
    entity = found[0]["e"]
    partners = {path_of(r["partner"]) for r in found if r["e"] == entity}
    rows = dimensions(page(project_client, path_of(entity)))
    assert {a["href"] for a in rows["Samverkanspart"].select(".concept a")} == partners


# --- English -----------------------------------------------------------------------------------------------


def test_the_english_page_has_english_names_labels_and_bases(project_client: httpx.Client) -> None:
    soup = page(project_client, SERVING + "?lang=en")
    assert words(soup.select_one("#h-dimensions")) == "Dimensions"
    rows = dimensions(soup)
    assert {"Substance", "Target group", "Setting"} <= set(rows)
    substances = tags(rows["Substance"])
    assert "Alcohol" in substances
    assert substances["Alcohol"].select_one(".concept a")["href"] == "/id/substance/alkohol?lang=en"
    drugs_label = sparql(project_client, """SELECT ?l WHERE { <https://w3id.org/andts/id/substance/narkotika>
        skos:prefLabel ?l FILTER(lang(?l) = "en") }""")[0]["l"]
    drugs = evidence(substances[drugs_label])
    method = sparql(project_client, """SELECT ?l WHERE { <https://w3id.org/andts/id/method/krogar-mot-knark>
        skos:prefLabel ?l FILTER(lang(?l) = "en") }""")[0]["l"]
    assert method in {words(a) for a in drugs["Implied by a method"].select("a")}
    named = evidence(substances["Alcohol"])["Named in the text"]
    quote = next(a for a in named.select("a.words") if "alkoholservering" in words(a))
    assert words(quote) == "“alkoholservering”" and quote["lang"] == "sv", "Swedish words, marked as such"
    assert "(in the focus area's title)" in words(named)
    target = tags(rows["Target group"])
    assert all(a["href"].endswith("?lang=en") for t in target.values() for a in t.select("a"))


# --- the evidence nodes --------------------------------------------------------------------------------------


def test_an_evidence_node_dereferences_as_html_and_turtle(project_client: httpx.Client) -> None:
    soup = page(project_client, SERVING)
    quote = next(a for a in soup.select("section.dimensions a.words") if words(a) == "”alkoholservering”")
    node = quote["href"]
    iri = URIRef(B[:-1] + node)

    html = page(project_client, node)
    assert html.select_one(".iri code").get_text() == str(iri)
    crumbs = [a["href"] for a in html.select("nav.breadcrumbs a")]
    assert crumbs[-1] == SERVING, "the crumbs lead to the entity the evidence is for"
    cells = {words(row.th): words(row.td) for row in html.select("table.properties tbody tr")}
    assert "alkoholservering" in cells.values()

    for r in (project_client.get(node, headers={"Accept": "text/turtle"}), project_client.get(node + ".ttl")):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
        g = Graph().parse(data=r.text, format="turtle")
        assert (iri, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(A + "TagEvidence")) in g
        assert (iri, URIRef(A + "tagValue"), URIRef(B + "id/substance/alkohol")) in g
        assert str(g.value(iri, URIRef(A + "words"))) == "alkoholservering"


# --- escaping ------------------------------------------------------------------------------------------------

HOSTILE = """
@prefix andts: <https://w3id.org/andts/def/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@base <https://w3id.org/andts/id/> .

<https://w3id.org/andts/graph/hostile-tags> {
    <activity/h/1> a andts:Activity ; skos:prefLabel "h"@sv ;
        dcterms:description "<script>alert('text')</script> alkohol"@sv ;
        andts:substance <substance/alkohol> ; andts:partner <javascript:alert(3)> ;
        andts:evidence <activity/h/1/tag/substance/alkohol/1> , <activity/h/1/tag/substance/alkohol/2> .
    <activity/h/1/tag/substance/alkohol/1> a andts:TagEvidence ; andts:tagProperty andts:substance ;
        andts:tagValue <substance/alkohol> ; andts:basis <tag-basis/named> ;
        andts:words "</a><script>alert('words')</script>" ; andts:inTextOf <activity/h/1> .
    <activity/h/1/tag/substance/alkohol/2> a andts:TagEvidence ; andts:tagProperty andts:substance ;
        andts:tagValue <substance/alkohol> ; andts:basis <tag-basis/implied-by-method> ;
        andts:impliedBy <javascript:alert(1)> .
    <substance/alkohol> skos:prefLabel "<b>Alkohol</b>"@sv .
    <tag-basis/named> skos:prefLabel "<img src=x onerror=alert(2)>"@sv .
}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, publish_store) -> Iterator[httpx.Client]:
    folder: Path = tmp_path_factory.mktemp("hostile-tags")
    trig = folder / "hostile-tags.trig"
    trig.write_text(HOSTILE, encoding="utf-8")
    with TestClient(create_app(Settings(store=publish_store(folder / "store", trig), workers=1))) as client:
        yield client


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_evidence_from_the_data_stays_text(hostile: httpx.Client, lang: str) -> None:
    r = hostile.get(f"/id/activity/h/1?lang={lang}", headers=HTML)
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    assert all(s.get("type") == "application/ld+json" for s in soup.find_all("script"))
    assert soup.find("img") is None and soup.find("b") is None
    assert not soup.select("a[href^='javascript:']")
    section = soup.select_one("section.dimensions")
    assert "<b>Alkohol</b>" in words(section)
    assert "</a><script>alert('words')</script>" in words(section.select_one("a.words"))
    assert "<img src=x onerror=alert(2)>" in words(section)
    assert "javascript:alert(1)" in words(section), "an IRI that is not a web link is shown, not linked"
