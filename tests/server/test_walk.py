"""A person's walk through the pages in headless Chromium, clicking links on a real uvicorn server over the
project's data: home → municipality → programme → goal → focus area → activity → method → the other
municipality's activity that uses the same method; then the comparison, and a page on a phone.

The method is "100% ren hårdträning": Stockholm's appendix line 32 (focus area 1.4, second activity) and
Eskilstuna's plan line 223 (focus area 3.2, second activity). Screenshots of every step are kept in
var/test-artifacts/walk/ (or $ANDTS_ARTIFACTS/walk/)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.chromium import Browser

from andts import paths

pytestmark = pytest.mark.slow  # drives headless Chromium through the pages

STHLM = "/id/programme/stockholm-andts-2023-2026"
ESK = "/id/programme/eskilstuna-andt-2019-2023"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("ANDTS_ARTIFACTS", paths.ROOT / "var" / "test-artifacts")) / "walk"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def click(browser: Browser, selector: str) -> None:
    """Click the first element matching `selector` (it must be there) and wait for the next page."""
    assert browser.evaluate(f"document.querySelector({json.dumps(selector)}) !== null"), f"no {selector} on " + \
        browser.evaluate("location.href")
    browser.act_and_wait_for_load(f"document.querySelector({json.dumps(selector)}).click()")


def here(browser: Browser) -> tuple[str, BeautifulSoup]:
    path = browser.evaluate("location.pathname + location.search")
    return path, BeautifulSoup(browser.html(), "html.parser")


def shoot(browser: Browser, folder: Path, name: str) -> None:
    data = browser.screenshot(folder / f"{name}.png")
    assert data.startswith(PNG) and len(data) > 10_000, f"{name}: not a real screenshot"


def test_walk_from_home_to_the_other_municipalitys_activity(project_live, browser: Browser, artifacts: Path) -> None:
    browser.viewport(1280, 900)
    browser.navigate(project_live.url + "/")
    shoot(browser, artifacts, "01-home")

    click(browser, "ul.cards h3 a[href='/id/municipality/stockholm']")
    path, soup = here(browser)
    assert path == "/id/municipality/stockholm" and soup.h1.get_text() == "Stockholms stad"
    shoot(browser, artifacts, "02-municipality")

    click(browser, f".incoming a[href='{STHLM}']")
    path, soup = here(browser)
    assert path == STHLM and soup.h1.get_text() == "Stockholms stads ANDTS-program 2023–2026"
    shoot(browser, artifacts, "03-programme")

    click(browser, f".outline a[href='{STHLM}/goal/1']")
    path, soup = here(browser)
    assert path == f"{STHLM}/goal/1"
    shoot(browser, artifacts, "04-goal")

    click(browser, f".incoming a[href='{STHLM}/focus-area/1.4']")
    path, soup = here(browser)
    assert path == f"{STHLM}/focus-area/1.4"
    assert [a.get_text() for a in soup.select("nav.breadcrumbs li a")][:3] == \
        ["Stockholms stad", "Stockholms stads ANDTS-program 2023–2026", "Mål 1"]
    shoot(browser, artifacts, "05-focus-area")

    click(browser, f".incoming a[href='{STHLM}/focus-area/1.4/activity/2']")
    path, soup = here(browser)
    assert "100% ren hårdträning" in soup.select_one("p.lead").get_text()  # the title is the text's first 90 characters
    assert "32" in soup.select_one(".provenance dd.line").get_text()
    shoot(browser, artifacts, "06-activity")

    click(browser, "table.properties a[href='/id/method/100-procent-ren-hardtraning']")
    path, soup = here(browser)
    assert path == "/id/method/100-procent-ren-hardtraning"
    shoot(browser, artifacts, "07-method")

    click(browser, f".incoming a[href='{ESK}/focus-area/3.2/activity/2']")
    path, soup = here(browser)
    assert path == f"{ESK}/focus-area/3.2/activity/2"
    assert soup.select("nav.breadcrumbs li a")[0].get_text() == "Eskilstuna kommun"
    assert soup.select_one(".provenance dd.line").get_text() == "223"
    shoot(browser, artifacts, "08-other-municipality-activity")

    click(browser, "header.site nav a[href='/compare']")
    path, soup = here(browser)
    assert path == "/compare" and soup.select_one("table#goals-by-municipality") is not None
    shoot(browser, artifacts, "09-comparison")

    click(browser, "header.site .language a")
    path, soup = here(browser)
    assert path == "/compare?lang=en" and soup.h1.get_text() == "Comparison of municipalities"
    shoot(browser, artifacts, "10-comparison-en")

    assert sorted(p.name for p in artifacts.glob("*.png")) == [
        "01-home.png", "02-municipality.png", "03-programme.png", "04-goal.png", "05-focus-area.png",
        "06-activity.png", "07-method.png", "08-other-municipality-activity.png", "09-comparison.png",
        "10-comparison-en.png"]


@pytest.mark.parametrize("path", ["/", f"{STHLM}/focus-area/1.1/activity/1", "/id/method/smadit", "/def/Activity",
                                  "/search?q=alkohol"])
def test_pages_fit_a_phone(project_live, browser: Browser, artifacts: Path, path: str) -> None:
    browser.viewport(390, 844, mobile=True)
    browser.navigate(project_live.url + path)
    # nothing wider than the screen, except inside the tables' own scrolling boxes
    overflow = browser.evaluate(
        "[...document.querySelectorAll('main > *, header.site, footer.site')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className)")
    assert overflow == []
    assert browser.evaluate("document.documentElement.scrollWidth") <= 391
    name = "phone-" + (path.strip("/").replace("/", "_").replace("?", "_") or "home")[:60]
    shoot(browser, artifacts, name)


def test_the_skip_link_shows_when_focused(project_live, browser: Browser) -> None:
    browser.navigate(project_live.url + "/id/municipality/eskilstuna")
    hidden = browser.evaluate("document.querySelector('a.skip').getBoundingClientRect().left")
    browser.evaluate("document.querySelector('a.skip').focus()")
    shown = browser.evaluate("document.querySelector('a.skip').getBoundingClientRect().left")
    assert hidden < 0 <= shown
    assert browser.evaluate("document.querySelector('a.skip').getAttribute('href')") == "#content"
