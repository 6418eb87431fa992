"""The pages for people, over a fresh build of the project's two documents: facts on them are read off the
sources (data/sources/*.txt, line numbers included), and pages are parsed with BeautifulSoup."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from andts.server.views import i18n, search
from andts.server.views.vocabulary import LABELS_FILE

B = "https://w3id.org/andts/"
STHLM = "id/programme/stockholm-andts-2023-2026"
ESK = "id/programme/eskilstuna-andt-2019-2023"
HTML = {"Accept": "text/html"}


def page(client: httpx.Client, path: str, status: int = 200) -> BeautifulSoup:
    r = client.get(path, headers=HTML)
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return BeautifulSoup(r.text, "html.parser")


def texts(nodes) -> list[str]:
    return [" ".join(n.get_text(" ", strip=True).split()) for n in nodes]


def sparql(client: httpx.Client, query: str) -> list[dict[str, str]]:
    r = client.post("/sparql", data={"query": f"PREFIX andts: <{B}def/> {query}"},
                    headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


# --- entity pages ------------------------------------------------------------------------------------------


def test_activity_page_has_title_type_breadcrumbs_and_provenance(project_client: httpx.Client) -> None:
    # Stockholm's appendix, line 23: focus area 1.1 (goal 1), its first activity, performed by "Verksamhetsutövare
    # som omfattas av lagen, MHN har tillsynsansvar"
    soup = page(project_client, f"/{STHLM}/focus-area/1.1/activity/1")
    assert soup.html["lang"] == "sv"
    assert soup.h1.get_text() == "Tobaksfria miljöer enligt lagen 2018:2088 inklusive skolgårdar skyltas och kontrolleras."
    assert texts(soup.select(".entity-head .kind a")) == ["Aktivitet"]
    crumbs = soup.select("nav.breadcrumbs li a")
    assert [a["href"] for a in crumbs] == ["/id/municipality/stockholm", f"/{STHLM}", f"/{STHLM}/goal/1",
                                           f"/{STHLM}/focus-area/1.1"]
    assert texts(crumbs)[:3] == ["Stockholms stad", "Stockholms stads ANDTS-program 2023–2026", "Mål 1"]
    provenance = dict(zip(texts(soup.select(".provenance dt")), texts(soup.select(".provenance dd"))))
    assert provenance["Rad"] == "23"
    assert provenance["Källdokument"].startswith("Aktiviteter inom ANDTS-programmets insatsområden")
    assert "Tobaksfria miljöer enligt lagen 2018:2088" in provenance["Texten i källan"]
    properties = dict(zip(texts(soup.select("table.properties th[scope=row]")), texts(soup.select("table.properties td"))))
    assert properties["ansvarig (ordagrant)"] == "Verksamhetsutövare som omfattas av lagen, MHN har tillsynsansvar"
    # cited by number, and alkohollagen by the supervision of restaurants its focus area (1.1) describes
    assert "Lag (2018:2088) om tobak och liknande produkter" in properties["lag"]
    assert "Alkohollag (2010:1622)" in properties["lag"]
    assert "Miljö- och hälsoskyddsnämnden" in properties["ansvarig"]
    # values link to this server's paths, never to the canonical IRIs
    assert soup.select_one("table.properties a[href='/id/law/sfs-2018-2088']") is not None
    assert not soup.select("main a[href^='https://w3id.org/']")


def test_the_verbatim_text_is_shown_where_the_published_text_was_cleaned(project_client: httpx.Client) -> None:
    [row] = sparql(project_client, """SELECT ?e ?raw WHERE { ?e andts:sourceText ?raw ; a andts:Activity }
                                     ORDER BY ?e LIMIT 1""")
    soup = page(project_client, row["e"].removeprefix(B[:-1]))
    assert soup.select_one(".provenance blockquote.verbatim").get_text() == row["raw"]
    assert "rensad" in soup.select_one(".provenance .hint").get_text()


def test_language_switch_gives_english_labels_and_words(project_client: httpx.Client) -> None:
    sv = page(project_client, "/id/municipality/stockholm")
    assert sv.h1.get_text() == "Stockholms stad"
    switch = sv.select_one("header.site .language a")
    assert switch["href"] == "/id/municipality/stockholm?lang=en" and switch["lang"] == "en"
    en = page(project_client, switch["href"])
    assert en.html["lang"] == "en" and en.h1.get_text() == "City of Stockholm"
    assert en.select_one("#h-properties").get_text() == "Properties"
    # links keep the language; the way back is offered
    assert all("lang=en" in a["href"] for a in en.select("table.properties a") if a["href"].startswith("/id/"))
    assert en.select_one("header.site .language a")["href"] == "/id/municipality/stockholm"
    # no English label: the Swedish one, marked as Swedish
    target = page(project_client, f"/{STHLM}/focus-area/1.1/activity/1?lang=en")
    assert target.h1["lang"] == "sv"


def test_method_page_lists_activities_of_both_municipalities(project_client: httpx.Client) -> None:
    # "100% ren hårdträning": Stockholm line 32 (activity 1.4/2), Eskilstuna line 223 (activity 3.2/2)
    soup = page(project_client, "/id/method/100-procent-ren-hardtraning")
    groups = {g.h3.get_text(" ", strip=True).split(" via")[0]: g for g in soup.select(".incoming-group")}
    activities = groups["Aktivitet"]
    hrefs = [a["href"] for a in activities.select("li > a")]
    assert f"/{STHLM}/focus-area/1.4/activity/2" in hrefs and f"/{ESK}/focus-area/3.2/activity/2" in hrefs
    municipalities = set(texts(activities.select(".municipality")))
    assert municipalities == {"– Eskilstuna kommun", "– Stockholms stad"}


def test_programme_page_outlines_goals_parts_and_focus_areas(project_client: httpx.Client) -> None:
    soup = page(project_client, f"/{STHLM}")
    sections = soup.select(".outline-section")
    notations = [s.select_one("h3 .notation").get_text() for s in sections if s.select_one("h3 .notation")]
    # the appendix: goals 1–6, then the parts Organisation, Samverkan, Kunskap, Uppföljning (O, S, K, U)
    assert notations[:6] == ["1", "2", "3", "4", "5", "6"]
    assert len(sections) == 10
    counts = [int(re.search(r"\d+", c.get_text()).group()) for c in soup.select(".outline .areas .count")]
    assert len(counts) == 41 and sum(counts) == 102  # every focus area, every activity once
    goal1 = sections[0]
    assert "Tillgången till alkohol" in goal1.select_one(".national").get_text()


def test_finding_page_leads_to_what_it_is_about(project_client: httpx.Client) -> None:
    [row] = sparql(project_client, f"""SELECT ?f ?about WHERE {{ ?f andts:about ?about . ?about a andts:Activity ;
                                     andts:programme <{B}{STHLM}> }} ORDER BY ?f LIMIT 1""")
    soup = page(project_client, row["f"].removeprefix(B[:-1]))
    crumbs = [a["href"] for a in soup.select("nav.breadcrumbs li a")]
    assert crumbs[-1] == row["about"].removeprefix(B[:-1]) and crumbs[0] == "/id/municipality/stockholm"
    about = page(project_client, row["about"].removeprefix(B[:-1]))
    assert row["f"].removeprefix(B[:-1]) in [a["href"] for a in about.select(".findings a")]


def test_embedded_json_ld_is_the_entitys_own_triples(project_client: httpx.Client) -> None:
    path = "/id/municipality/eskilstuna"
    soup = page(project_client, path)
    [script] = soup.select("script[type='application/ld+json']")
    data = json.loads(script.string)
    assert "@context" in data and data["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    embedded = Graph().parse(data=script.string, format="json-ld")
    turtle = Graph().parse(data=project_client.get(path + ".ttl").text, format="turtle")
    own = Graph()
    for t in turtle.triples((URIRef(B + path[1:]), None, None)):
        own.add(t)
    assert isomorphic(embedded, own)
    assert (URIRef(B + path[1:]), URIRef("http://purl.org/dc/terms/identifier"), Literal("0484")) in embedded


def test_every_property_and_class_in_the_build_has_a_name_in_both_languages(project_client: httpx.Client) -> None:
    used = {r["t"] for r in sparql(project_client, "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }")}
    labels = Graph().parse(LABELS_FILE, format="turtle")
    terms = Graph().parse(data=project_client.get("/def.ttl").text, format="turtle")
    missing = []
    for t in sorted(used):
        names = {o.language for g in (labels, terms) for o in g.objects(URIRef(t), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
        if not {"sv", "en"} <= names:
            missing.append(t)
    assert missing == []


# --- the ontology and class pages -------------------------------------------------------------------------


def test_ontology_page_documents_every_term_with_its_use(project_client: httpx.Client) -> None:
    soup = page(project_client, "/def")
    terms = Graph().parse(data=project_client.get("/def.ttl").text, format="turtle")
    owl = "http://www.w3.org/2002/07/owl#"
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    classes = {str(s) for s in terms.subjects(rdf_type, URIRef(owl + "Class")) if str(s).startswith(B + "def/")}
    listed = {a["href"] for a in soup.select("#classes ~ div table a, section table a") if a["href"].startswith("/def/")}
    assert {"/" + c.removeprefix(B) for c in classes} <= listed
    rows = {r.select_one("code").get_text(): r for r in soup.select("table.terms tbody tr")}
    assert int(rows["andts:Activity"].select_one("td.num").get_text()) == 130  # 102 Stockholm + 28 Eskilstuna
    used = sparql(project_client, "SELECT (COUNT(*) AS ?n) WHERE { ?s andts:focusArea ?o }")[0]["n"]
    assert rows["andts:focusArea"].select_one("td.num").get_text() == used
    assert "Aktivitet" in rows["andts:focusArea"].get_text()  # its domain, by name


def test_class_page_lists_instances_paged_and_sorted(project_client: httpx.Client) -> None:
    soup = page(project_client, "/def/Activity")
    assert soup.h1.get_text() == "Aktivitet"
    assert "130" in soup.select_one("#h-instances .count").get_text()
    rows = soup.select("table.listing tbody tr")
    assert len(rows) == 50
    # document order: programme by programme (Eskilstuna's IRI sorts first: its 28, then Stockholm's), by line
    order = [(r.select("td")[2].get_text(strip=True), int(r.select_one("td.line").get_text())) for r in rows]
    assert [m for m, _ in order] == ["Eskilstuna kommun"] * 28 + ["Stockholms stad"] * 22
    assert order == sorted(order) and order[28] == ("Stockholms stad", 23)
    last = page(project_client, "/def/Activity?page=3")
    assert len(last.select("table.listing tbody tr")) == 30
    assert last.select_one(".pager a[rel=prev]")["href"] == "/def/Activity?sort=document&page=2"
    by_label = page(project_client, "/def/Activity?sort=label")
    labels = [r.select("td")[1].get_text(strip=True).casefold() for r in by_label.select("table.listing tbody tr")]
    assert labels == sorted(labels)
    header = by_label.select_one("th[aria-sort]")
    assert header["aria-sort"] == "ascending" and "sort=label&order=desc" in header.a["href"]
    down = page(project_client, "/def/Activity?sort=label&order=desc")
    assert [r.select("td")[1].get_text(strip=True).casefold() for r in down.select("table.listing tbody tr")][0] >= labels[-1]
    municipality = page(project_client, "/def/Activity?sort=municipality&order=desc")
    assert [r.select("td")[2].get_text(strip=True) for r in municipality.select("table.listing tbody tr")] == \
        ["Stockholms stad"] * 50
    # subclasses count: Goal includes the overarching goal (Stockholm 6 goals, Eskilstuna 5 + 1)
    assert "12" in page(project_client, "/def/Goal").select_one("#h-instances .count").get_text()


@pytest.mark.parametrize("sort", ["document", "label", "municipality"])
def test_class_pages_list_every_instance_once_and_descending_reverses(project_client: httpx.Client, sort: str) -> None:
    """Walking every page lists each activity once (pages cut the kept order of the instances, not rows of a
    query, so an entity with two names in one language neither repeats nor pushes another off the end)."""
    def walk(order: str) -> list[str]:
        hrefs: list[str] = []
        for n in (1, 2, 3):
            rows = page(project_client, f"/def/Activity?sort={sort}&order={order}&page={n}").select("table.listing tbody tr")
            hrefs += [r.select_one("a")["href"] for r in rows]
        return hrefs

    up, down = walk("asc"), walk("desc")
    assert len(up) == len(set(up)) == 130
    assert down == up[::-1]


# page=² and a 5000-digit page passed str.isdigit() and then failed in int(): 500s before
@pytest.mark.parametrize("query", ["sort=colour", "order=sideways", "page=x", "sort=label;DROP", "page=%C2%B2",
                                   "page=%D9%A3", "page=-1", "page=" + "9" * 5000])
def test_class_page_refuses_unknown_parameters(project_client: httpx.Client, query: str) -> None:
    assert project_client.get(f"/def/Activity?{query}", headers=HTML).status_code == 400


def test_property_page_shows_domain_range_and_use(project_client: httpx.Client) -> None:
    soup = page(project_client, "/def/method?lang=en")
    facts = dict(zip(texts(soup.select("dl.term-facts dt")), texts(soup.select("dl.term-facts dd"))))
    assert facts["Range"] == "Method"
    assert facts["Used"] == f"{sparql(project_client, 'SELECT (COUNT(*) AS ?n) WHERE { ?s andts:method ?o }')[0]['n']} triples"
    assert soup.select_one("table.listing") is None  # properties have no instance list


# --- home, search, comparison --------------------------------------------------------------------------------


def test_home_lists_municipalities_programmes_and_counts(project_client: httpx.Client) -> None:
    soup = page(project_client, "/")
    cards = {c.h3.a.get_text(): c for c in soup.select("ul.cards > li")}
    assert set(cards) == {"Stockholms stad", "Eskilstuna kommun"}
    assert cards["Stockholms stad"].select_one(".code").get_text() == "0180"
    assert cards["Eskilstuna kommun"].select_one(".code").get_text() == "0484"

    def counts(card) -> dict[str, int]:
        return {li.get_text(" ", strip=True).split(" ", 1)[1]: int(li.select_one(".n").get_text())
                for li in card.select("ul.counts li")}

    assert counts(cards["Stockholms stad"]) == {"mål": 6, "insatsområden": 41, "aktiviteter": 102, "anmärkningar": 68}
    assert counts(cards["Eskilstuna kommun"]) == {"mål": 6, "insatsområden": 12, "aktiviteter": 28, "anmärkningar": 61}
    assert cards["Stockholms stad"].select_one(".valid").get_text() == "Giltighet: 2023–2026"
    links = {a["href"] for a in soup.select("main a")}
    assert {"/compare", "/sparql", "/queries", "/def", "/dumps/dataset.trig", "/.well-known/void"} <= links
    form = soup.select_one("form.search")
    assert form["action"] == "/search" and form["method"] == "get" and form.select_one("input[name=q]")


@pytest.mark.parametrize("typed, found", [
    ("forebyggande", "förebyggande"),
    ("FÖREBYGGANDE", "förebyggande"),
    ("hardtraning", "hårdträning"),
])
def test_search_ignores_case_and_diacritics(project_client: httpx.Client, typed: str, found: str) -> None:
    soup = page(project_client, f"/search?q={typed}")
    marks = {m.get_text().casefold() for m in soup.select("ol.hits mark")}
    assert found in marks
    assert int(soup.select_one("p.count").get_text().split()[0]) >= 1


def test_search_ranks_names_first_and_needs_every_word(project_client: httpx.Client) -> None:
    soup = page(project_client, "/search?q=smadit")
    first = soup.select_one("ol.hits li .hit-title a")
    assert first["href"] == "/id/method/smadit"
    def hits(q: str) -> list[str]:
        return [a["href"] for a in page(project_client, f"/search?q={q}").select("ol.hits .hit-title a")]

    # every word must occur: two words find fewer than either alone, and only what both find
    both, one, other = hits("ren+hardtraning"), hits("hardtraning"), hits("ren")
    assert both[0] == "/id/method/100-procent-ren-hardtraning"
    assert set(both) <= set(one) & set(other) and len(both) < len(other)
    none = page(project_client, "/search?q=xyzzy+plugh")
    assert none.select("ol.hits li") == [] and "Inga träffar" in none.get_text()


@given(st.text(max_size=40))
def test_fold_is_lower_case_without_combining_marks(text: str) -> None:
    folded = search.fold(text)
    assert folded == search.fold(folded)
    assert search.fold(text.upper()) == search.fold(text.lower()) or any(c in text for c in "ßİıſ")


@given(st.text(alphabet="aåäöeéüoAÅÄÖ -", min_size=1, max_size=30), st.integers(0, 29))
def test_snippet_marks_the_text_as_written(text: str, start: int) -> None:
    word = search.fold(text[start % len(text):][:3]).strip()
    if not word:
        return
    s = search.snippet(text, [word], width=200)
    assert search.fold(s.match) == word
    assert (s.before + s.match + s.after).strip("…") in text


def test_comparison_counts_activities_per_national_goal(project_client: httpx.Client) -> None:
    soup = page(project_client, "/compare")
    table = soup.select_one("table#goals-by-municipality")
    heads = texts(table.select("thead th"))[1:]
    assert heads == ["Eskilstuna kommun", "Stockholms stad"]
    totals = [int(x) for x in texts(table.select("tfoot td"))]
    assert totals == [28, 102]
    rows = {}
    for tr in table.select("tbody tr"):
        notation = tr.select_one(".notation").get_text()
        rows[notation or tr.th.get_text(" ", strip=True)[:20]] = [int(td.get_text(" ", strip=True).split()[0]) for td in tr.select("td")]
    # independently: activities whose goal follows a national goal, mapped onto the 2022–2025 goals
    expected = {}
    for r in sparql(project_client, f"""
        SELECT ?n ?m (COUNT(DISTINCT ?a) AS ?count) WHERE {{
          ?a a andts:Activity ; andts:focusArea/andts:goal/andts:nationalGoal ?g ; andts:programme/andts:municipality ?m .
          {{ ?g andts:strategy <{B}id/national-strategy/2022-2025> BIND(?g AS ?row) }}
          UNION {{ ?g andts:correspondsTo ?row . ?row andts:strategy <{B}id/national-strategy/2022-2025> }}
          ?row <http://www.w3.org/2004/02/skos/core#notation> ?n }} GROUP BY ?n ?m"""):
        expected.setdefault(r["n"], {})[r["m"].rsplit("/", 1)[1]] = int(r["count"])
    for notation in "1234567":
        assert rows[notation] == [expected.get(notation, {}).get("eskilstuna", 0), expected.get(notation, {}).get("stockholm", 0)]
    # Eskilstuna follows 2016–2020; its goal 2 (debut) is the 2022–2025 goal 3, so goal 2 is uncovered there
    assert rows["2"][0] == 0 and "uncovered" in table.select("tbody tr")[2].select("td")[0]["class"]
    # Stockholm's parts (Organisation, Samverkan, Kunskap, Uppföljning) follow no national goal
    unlinked = [v for k, v in rows.items() if k.startswith("Inte kopplade")]
    assert unlinked and unlinked[0][1] == 102 - sum(rows[n][1] for n in "1234567")


def test_comparison_cells_link_to_their_activities(project_client: httpx.Client) -> None:
    soup = page(project_client, "/compare")
    link = soup.select_one("table#goals-by-municipality tbody td a")
    n = int(link.get_text())
    cell = page(project_client, link["href"])
    assert len(cell.select("table.listing tbody tr")) == n
    assert project_client.get("/compare/activities?goal=99&municipality=stockholm", headers=HTML).status_code == 400
    assert project_client.get("/compare/activities?goal=1&municipality=<x>", headers=HTML).status_code == 400


def test_comparison_draws_actors_responsibilities(project_client: httpx.Client) -> None:
    soup = page(project_client, "/compare")
    tables = soup.select("table.actors")
    assert [t.caption.get_text(strip=True) for t in tables] == ["Eskilstuna kommun", "Stockholms stad"]
    for t in tables:
        totals = [int(r.select("td")[-1].get_text()) for r in t.select("tbody tr")]
        assert totals == sorted(totals, reverse=True)
        for r in t.select("tbody tr"):
            cells = r.select("td")[:-1]
            assert sum(int(c.get_text() or 0) for c in cells) == int(r.select("td")[-1].get_text())
            assert all(("heat-0" in c["class"]) == (c.get_text() == "") for c in cells)


# --- accessibility -----------------------------------------------------------------------------------------

A11Y_PAGES = ["/", "/compare", "/compare/activities?goal=1&municipality=stockholm", "/id/municipality/stockholm",
              f"/{STHLM}", f"/{STHLM}/focus-area/1.1/activity/1", "/id/method/smadit", "/def", "/def/Activity",
              "/def/method", "/search?q=alkohol", "/graph/reference/laws", "/id/nothing/here"]


@pytest.mark.parametrize("path", A11Y_PAGES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pages_have_landmarks_headings_and_labels(project_client: httpx.Client, path: str, lang: str) -> None:
    r = project_client.get(path + ("&" if "?" in path else "?") + f"lang={lang}", headers=HTML)
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.html["lang"] == lang
    assert len(soup.find_all("h1")) == 1
    assert soup.select_one("header.site") and soup.select_one("main#content") and soup.select_one("footer.site")
    assert all(nav.get("aria-label") for nav in soup.find_all("nav")), "every nav is named"
    assert soup.select_one("a.skip[href='#content']")
    # headings do not skip a level
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    for table in soup.find_all("table"):
        assert table.find("th"), "tables have header cells"
    for field in soup.select("input:not([type=hidden]), select, textarea"):
        assert field.get("id") and soup.select_one(f"label[for='{field['id']}']"), "every field has a label"
    assert all(img.get("alt") is not None for img in soup.find_all("img"))


# --- headers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/compare", "/id/municipality/stockholm", "/def/Activity", "/search?q=mumin",
                                  "/id/municipality/stockholm.ttl", "/def.jsonld"])
def test_pages_and_descriptions_answer_if_none_match_with_304(project_client: httpx.Client, path: str) -> None:
    first = project_client.get(path, headers=HTML)
    assert first.status_code == 200 and first.headers["etag"]
    again = project_client.get(path, headers={**HTML, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = project_client.get(path + ("&" if "?" in path else "?") + "lang=en", headers=HTML)
    if not path.endswith((".ttl", ".jsonld")):
        assert other.headers["etag"] != first.headers["etag"]


@pytest.mark.parametrize("path", ["/", "/id/municipality/stockholm", "/sparql", "/compare"])
def test_security_headers(project_client: httpx.Client, path: str) -> None:
    r = project_client.get(path, headers=HTML)
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_every_ui_string_is_in_both_languages() -> None:
    for key, (sv, en) in i18n.STRINGS.items():
        assert sv.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", sv)) == set(re.findall(r"{(\w+)}", en)), key


def test_recent_values_keep_the_last_few() -> None:
    from andts.server.engine.cache import Recent

    made: list[tuple] = []
    orders = Recent(size=2)

    def order(key: tuple) -> list[str]:
        return orders.get(key, lambda: made.append(key) or [str(key)])

    assert order(("a",)) == ["('a',)"] and order(("b",)) and order(("a",))  # a kept
    order(("c",))  # b, the least recently used, goes
    order(("a",))
    order(("b",))
    assert made == [("a",), ("b",), ("c",), ("b",)]


def test_the_comparison_is_rendered_once_per_language(project_client: httpx.Client) -> None:
    first, again = project_client.get("/compare?lang=en"), project_client.get("/compare?lang=en")
    swedish = project_client.get("/compare")
    assert first.status_code == again.status_code == swedish.status_code == 200
    assert first.content == again.content and first.content != swedish.content
    assert 'lang="en"' in first.text and 'lang="sv"' in swedish.text
