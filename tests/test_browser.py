"""The published site, and `casegraph serve`'s query page, in a real headless browser (Debian
Chromium, driven by Playwright): pages render without console errors or failed requests, load
nothing from any other host, highlight exactly the words the evidence quotes, and draw their SVGs.
Screenshots of the index, an event page, the timeline and the diagram are written to
build/screenshots/ (kept out of git) to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from casegraph.facade import Source, publish

from .browser import chromium, serving_folder
from .conftest import REPO

OA = "http://www.w3.org/ns/oa#"
SCREENSHOTS = REPO / "build" / "screenshots"
PAGES = ["index.html", "id/event/hhs-order.html", "timeline.html", "diagram.html", "queries.html", "ontology.html"]
SHOT = PAGES[:4]  # (a full-page shot of the long queries and ontology pages costs 1.5 s each)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser") / "site"
    publish(Source(), folder)
    with serving_folder(folder) as url:
        yield url


@pytest.fixture(scope="module")
def visited(site_url: str) -> Iterator[dict[str, dict[str, Any]]]:
    """Each page of PAGES as the browser saw it: console errors, failed or foreign requests, the
    highlighted words, the drawings' shapes; with a screenshot of each of SHOT."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seen: dict[str, dict[str, Any]] = {}
    with chromium() as browser:
        for name in PAGES:  # a fresh page each, so each record holds that page's events only
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            record: dict[str, Any] = {"errors": [], "failed": [], "hosts": set()}
            page.on("console", lambda m, r=record: r["errors"].append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, r=record: r["errors"].append(str(e)))
            page.on("requestfailed", lambda q, r=record: r["failed"].append(q.url))
            page.on("response", lambda s, r=record: r["failed"].append(s.url) if s.status >= 400 else None)
            page.on("request", lambda q, r=record: r["hosts"].add(urlsplit(q.url).netloc))
            page.goto(site_url + name, wait_until="load")
            record["marks"] = page.eval_on_selector_all("mark", "marks => marks.map(m => m.textContent)")
            record["drawn"] = page.eval_on_selector_all(
                "svg",
                "svgs => svgs.map(s => ({cls: s.getAttribute('class'), width: s.getBoundingClientRect().width,"
                " rects: s.querySelectorAll('rect').length, circles: s.querySelectorAll('circle').length,"
                " links: s.querySelectorAll('a').length}))",
            )
            if name in SHOT:
                shot = SCREENSHOTS / (name.replace("/", "-").removesuffix(".html") + ".png")
                page.screenshot(path=str(shot), full_page=True)
            page.close()
            seen[name] = record
    yield seen


@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_without_errors_and_loads_only_from_the_site(
    name: str, visited: dict[str, dict[str, Any]], site_url: str
) -> None:
    record = visited[name]
    assert record["errors"] == []
    assert record["failed"] == []
    assert record["hosts"] == {urlsplit(site_url).netloc}


def test_the_highlighted_words_are_the_evidence_quotes(
    visited: dict[str, dict[str, Any]], quads: list[ox.Quad]
) -> None:
    exact = {q.object.value for q in quads if q.predicate.value == OA + "exact" and isinstance(q.object, ox.Literal)}
    marks = visited["id/event/hhs-order.html"]["marks"]
    assert len(marks) >= 10 and set(marks) <= exact
    assert "received only 54 minutes on Tuesday to adhere to the directive" in marks


def test_the_timeline_and_the_diagram_are_drawn(visited: dict[str, dict[str, Any]]) -> None:
    (timeline,) = [s for s in visited["timeline.html"]["drawn"] if s["cls"] == "timeline"]
    # one shape a dated thing (12 from the report's dates; the timeline query says which) and 5 legend squares
    assert timeline["width"] > 600
    assert timeline["links"] == 12 and timeline["rects"] + timeline["circles"] == 12 + 5
    assert timeline["circles"] == 1  # the 5:30 p.m. deadline is a moment
    (diagram,) = [s for s in visited["diagram.html"]["drawn"] if s["cls"] == "diagram"]
    # the order; its issuer and principal; its addressee, the transfer and the objection; the two
    # objectors and the four authorities the objection cites
    assert diagram["links"] == 1 + 2 + 3 + 2 + 4
    assert (SCREENSHOTS / "diagram.png").stat().st_size > 10_000


def test_the_query_page_of_casegraph_serve_runs_a_query_in_the_browser(tmp_path: Path) -> None:
    """`casegraph serve`'s offline query page in the same browser: a query typed and run shows
    its answer as a table; a dataset IRI looked up at /id/… lands (303) on the node's page."""
    import signal

    from .servers import serving

    server, endpoint, log = serving(tmp_path)
    base = endpoint.removesuffix("query")
    try:
        with chromium() as browser:
            page = browser.new_page()
            errors: list[str] = []
            hosts: set[str] = set()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda q: hosts.add(urlsplit(q.url).netloc))
            page.goto(endpoint, wait_until="load")
            page.fill(
                "#query",
                "SELECT ?post WHERE { <https://w3id.org/casegraph/id/person/sara-vitolo> "
                "<http://www.w3.org/ns/org#holds> ?post }",
            )
            page.click("#run")
            page.wait_for_selector("#results td")
            cells = page.eval_on_selector_all("#results td", "cells => cells.map(c => c.textContent)")
            assert cells == ["https://w3id.org/casegraph/id/post/cms-medicaid-deputy-director"]
            page.click("#results td a")  # the value links to its page, through /id/… and a 303
            page.wait_for_load_state("load")
            assert page.url == base + "id/post/cms-medicaid-deputy-director.html"
            assert page.inner_text("h1") == "Medicaid Deputy Director, Centers for Medicare & Medicaid Services"
            assert errors == [] and hosts == {urlsplit(base).netloc}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
