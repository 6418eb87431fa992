"""Headless Chromium (Debian's `chromium`, installed by `run.py test`) against a real uvicorn server on
loopback, the DOM parsed with BeautifulSoup. Two ways of driving it, both without npm or a driver:
`--dump-dom` (the DOM after a page loaded and ran its scripts), and the Chrome DevTools Protocol over
`--remote-debugging-pipe` (the small client in tests/support/chromium.py) to type a query into the editor, press Run, and click a
named query. No skip: without Chromium these tests fail."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from support.chromium import Browser

pytestmark = pytest.mark.slow  # drives headless Chromium

ANDTS = "https://w3id.org/andts/"
QUERY = (f"PREFIX andts: <{ANDTS}def/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
         "SELECT ?activity ?label WHERE { ?activity a andts:Activity ; skos:prefLabel ?label } ORDER BY ?activity")
ACTIVITIES = [f"{ANDTS}id/activity/testby-andts-2024-2027/{i}" for i in (1, 2, 3)]


def test_the_editor_highlights_the_query(live, browse) -> None:
    page = browse(live.url + "/sparql")
    editor = page.select_one("#editor")
    assert "highlighting" in editor["class"], "editor.js did not run"
    keywords = {s.get_text() for s in editor.select("#highlight span.tok-keyword")}
    assert {"PREFIX", "SELECT", "WHERE", "LIMIT"} <= keywords
    assert {s.get_text() for s in editor.select("#highlight span.tok-var")} >= {"?s", "?p", "?o"}
    # the highlighted copy is exactly the text being edited
    assert editor.select_one("#highlight").get_text().rstrip("\n") == page.select_one("textarea#query").get_text().rstrip("\n")
    assert page.select("#named-queries a.named-query")


def test_running_a_query_shows_the_results_table(live, browse) -> None:
    editor = browse(live.url + "/sparql")
    form = editor.select_one("form#query-form")
    assert form["method"] == "get"
    # what the browser sends when the form is submitted with this query: the form's fields, in the URL
    fields = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    fields.update(query=QUERY, format=form.select_one("select[name=format] option[selected]")["value"])
    page = browse(f"{form['action']}?{urlencode(fields)}")
    assert page.select_one("#error") is None
    assert [th.get_text() for th in page.select("table.results thead th")] == ["activity", "label"]
    rows = page.select("table.results tbody tr")
    assert [r.select_one("td a")["href"] for r in rows] == ACTIVITIES
    assert rows[0].select("td")[1].get_text(strip=True).startswith("Föräldrastöd i grupp")
    assert page.select_one("textarea#query").get_text() == QUERY
    assert "SELECT" in {s.get_text() for s in page.select("#highlight span.tok-keyword")}
    assert [a.get_text() for a in page.select("#downloads a.download")] == ["JSON", "XML", "CSV", "TSV"]


# --- the editor driven like a person would: CDP over a pipe (support/chromium.py) -----------------------------------


def test_typing_a_query_and_pressing_run_shows_the_table(live, browser: Browser) -> None:
    browser.navigate(live.url + "/sparql")
    assert browser.evaluate("document.getElementById('editor').classList.contains('highlighting')")
    browser.evaluate(f"const q = document.getElementById('query'); q.value = {json.dumps(QUERY)};"
                     "q.dispatchEvent(new Event('input'));")
    # the highlighted copy follows the typing
    assert browser.evaluate("document.querySelector('#highlight .tok-var').textContent") == "?activity"
    browser.act_and_wait_for_load("document.getElementById('run').click()")
    url = browser.evaluate("location.href")
    assert url.startswith(live.url + "/sparql?") and "query=" in url, "the query is kept in the URL"
    page = BeautifulSoup(browser.html(), "html.parser")
    assert [r.select_one("td a")["href"] for r in page.select("table.results tbody tr")] == ACTIVITIES
    assert page.select_one("textarea#query").get_text() == QUERY


def test_ctrl_enter_runs_the_query(live, browser: Browser) -> None:
    browser.navigate(live.url + "/sparql")
    browser.evaluate(f"document.getElementById('query').value = {json.dumps(QUERY)}")
    browser.act_and_wait_for_load(
        "document.getElementById('query').dispatchEvent(new KeyboardEvent('keydown', "
        "{key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true}))")
    page = BeautifulSoup(browser.html(), "html.parser")
    assert len(page.select("table.results tbody tr")) == 3


def test_a_named_query_is_one_click_away(live, browser: Browser) -> None:
    browser.navigate(live.url + "/sparql")
    browser.act_and_wait_for_load("document.querySelector('a.named-query[data-name=\"programmes\"]').click()")
    page = BeautifulSoup(browser.html(), "html.parser")
    assert "# title: Programmes and their size" in page.select_one("textarea#query").get_text()
    assert page.select_one("#error") is None
    assert len(page.select("table.results tbody tr")) == 1
