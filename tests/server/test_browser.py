"""Headless Chromium (Debian's `chromium`, installed by `run.py test`) against a real uvicorn server on
loopback, the DOM parsed with BeautifulSoup. Two ways of driving it, both without npm or a driver:
`--dump-dom` (the DOM after a page loaded and ran its scripts), and the Chrome DevTools Protocol over
`--remote-debugging-pipe` (a small client below) to type a query into the editor, press Run, and click a
named query. No skip: without Chromium these tests fail."""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

CHROMIUM = os.environ.get("ANDTS_CHROMIUM", "/usr/bin/chromium")
ANDTS = "https://w3id.org/andts/"
QUERY = (f"PREFIX andts: <{ANDTS}def/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
         "SELECT ?activity ?label WHERE { ?activity a andts:Activity ; skos:prefLabel ?label } ORDER BY ?activity")
ACTIVITIES = [f"{ANDTS}id/activity/testby-andts-2024-2027/{i}" for i in (1, 2, 3)]


def flags(profile: Path) -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}"]


@pytest.fixture
def browse(tmp_path: Path):
    """`browse(url)`: the DOM Chromium has for the page after loading it and running its scripts."""
    assert Path(CHROMIUM).exists() or shutil.which(CHROMIUM), (
        f"Chromium is not installed at {CHROMIUM}: `python3 run.py test` installs Debian's chromium package")

    def run(url: str) -> BeautifulSoup:
        assert url.startswith("http://127.0.0.1:"), "the browser only visits the test server"
        done = subprocess.run([CHROMIUM, *flags(tmp_path / "profile"), "--dump-dom", url],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "<html" in done.stdout, done.stderr[-2000:]
        return BeautifulSoup(done.stdout, "html.parser")

    return run


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


# --- the editor driven like a person would: CDP over a pipe -------------------------------------------


class CDPError(RuntimeError):
    pass


def _above_4(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """A very small Chrome DevTools Protocol client over `--remote-debugging-pipe` (JSON messages ended by
    NUL, commands on the browser's fd 3, replies on its fd 4): open a page, run script, wait for loads."""

    def __init__(self, chromium: str, flags: list[str]) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child's ends above 4, so that putting them on 3 and 4 cannot overwrite one with the other
        to_browser_r, from_browser_w = (_above_4(to_browser_r), _above_4(from_browser_w))

        # Chromium reads commands on fd 3 and writes replies on fd 4; bash puts the pipes there
        # (dash takes one-digit fds only)
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}', "bash",
             chromium, *flags, "--remote-debugging-pipe", "about:blank"],
            pass_fds=(to_browser_r, from_browser_w), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5, session=False)
        except (CDPError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise CDPError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise CDPError("Chromium closed the debugging pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30,
             session: bool = True) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == event:
                    return self.events.pop(i)
            self.events.append(self._read(deadline))

    def open(self) -> None:
        """Attach to a new page and enable its load events."""
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.send("Page.enable")

    def navigate(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise CDPError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def act_and_wait_for_load(self, expression: str) -> None:
        """Run script that navigates (a click, a form submission) and wait until the new page has loaded."""
        self.events.clear()
        self.evaluate(expression)
        self.wait_for("Page.loadEventFired")

    def html(self) -> str:
        return self.evaluate("document.documentElement.outerHTML")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists() or shutil.which(CHROMIUM), (
        f"Chromium is not installed at {CHROMIUM}: `python3 run.py test` installs Debian's chromium package")
    b = Browser(CHROMIUM, flags(tmp_path / "profile"))
    try:
        b.open()
        yield b
    finally:
        b.close()


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
