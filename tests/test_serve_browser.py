"""The query page in headless Chromium: type a query, run it, read the table; a named query.

Every request that does not go to the test server is aborted (and recorded): the page
must work with no network. Skipped without Chromium or playwright, unless CI is set.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED
from test_render import CHROMIUM, CHROMIUM_ARGS

from resgraph import ids, serve
from resgraph.pipeline import build
from resgraph.serve import ServeConfig, Source, make_server
from resgraph.store import run_query

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[serve.Server, Any]]:
    result = build([SEED], validate=False)
    path = tmp_path_factory.mktemp("serve-browser") / "graph.nq"
    result.dataset.serialize(destination=str(path), format="nquads", encoding="utf-8")
    srv = make_server(ServeConfig(Source("file", path), port=0, quiet=True, timeout=20))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv, result.dataset
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = None
    if not CHROMIUM.exists():
        reason = f"Debian's Chromium is not installed at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests must run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """The query page, with what it tried to fetch elsewhere and what it logged."""

    def __init__(self, page: Any, blocked: list[str], errors: list[str]) -> None:
        self.page, self.blocked, self.errors = page, blocked, errors

    def table(self) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = self.page.evaluate(
            """() => {
                const t = document.getElementById('rg-table');
                const heads = [...t.tHead.rows[0].cells].map(c => c.textContent);
                return [...t.tBodies[0].rows].map(r =>
                    Object.fromEntries([...r.cells].map((c, i) => [heads[i], c.textContent])));
            }"""
        )
        return rows


@pytest.fixture
def page(browser: Any, server: tuple[serve.Server, Any]) -> Iterator[Page]:
    srv = server[0]
    p = browser.new_page(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(srv.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    p.route("**/*", route)
    p.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.goto(srv.url)
    p.wait_for_selector("body[data-ready='1']", timeout=60_000)
    yield Page(p, blocked, errors)
    p.close()


def test_type_a_query_run_it_and_read_the_table(page: Page) -> None:
    p = page.page
    query = (
        "PREFIX rg: <https://w3id.org/resgraph/ontology#>\n"
        "SELECT ?clause ?phrase WHERE { ?clause a rg:OperativeParagraph ; rg:phrase ?phrase ;"
        " rg:position ?n } ORDER BY ?n"
    )
    p.fill("#rg-query", query)
    # the highlighting overlay follows the text
    assert p.locator("#rg-highlight .tok-kw").first.text_content() == "PREFIX"
    assert "?clause" in p.locator("#rg-highlight .tok-var").all_text_contents()
    p.click("#rg-run")
    p.wait_for_selector("#rg-table")
    rows = page.table()
    assert len(rows) >= 10
    assert rows[0]["clause"].startswith("doc/A/RES/67/185/op/")
    assert "Urges" in {r["phrase"] for r in rows}
    # a clause is a link to its dereferenceable IRI; downloads for every format
    href = p.locator("#rg-table a").first.get_attribute("href")
    assert href is not None and href.startswith("/id/doc/A/RES/67/185/op/")
    formats = {a.get_attribute("class") for a in p.locator("#rg-downloads a").all()}
    assert formats == {"download-json", "download-xml", "download-csv", "download-tsv"}
    assert "rows" in p.text_content("#rg-status")  # type: ignore[operator]
    assert page.blocked == [] and page.errors == []


def test_a_refused_query_is_reported_on_the_page(page: Page) -> None:
    p = page.page
    p.fill("#rg-query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    p.click("#rg-run")
    p.wait_for_selector("#rg-status.error")
    assert "SERVICE is refused" in (p.text_content("#rg-status") or "")
    assert page.blocked == []


def test_pick_a_named_query_fill_its_parameter_and_run(
    page: Page, server: tuple[serve.Server, Any]
) -> None:
    p = page.page
    names = p.eval_on_selector_all("#rg-named option", "os => os.map(o => o.value)")
    assert "treaties-cited-by-resolution" in names
    p.select_option("#rg-named", "treaties-cited-by-resolution")
    assert "?_document" in p.input_value("#rg-query")  # the query text is shown
    p.fill("#rg-param-document", "A/RES/67/185")
    p.click("#rg-run-named")
    p.wait_for_selector("#rg-table")
    rows = page.table()
    expected = run_query(server[1], "treaties-cited-by-resolution", {"document": "A/RES/67/185"})
    assert len(rows) == len(expected)
    labels = {str(row[1]) for row in expected.rows}
    assert {r["label"] for r in rows} == labels
    treaty = p.locator("#rg-table a").first.get_attribute("href")
    assert treaty is not None and treaty.startswith("/id/treaty/")
    assert page.blocked == [] and page.errors == []


def test_a_link_in_the_table_opens_the_resource_page(page: Page) -> None:
    p = page.page
    doc = ids.document_iri("A/RES/67/185")
    p.fill("#rg-query", f"SELECT ?d WHERE {{ BIND(<{doc}> AS ?d) }}")
    p.click("#rg-run")
    p.wait_for_selector("#rg-table a")
    p.click("#rg-table a")
    p.wait_for_selector("h1")
    assert p.url.endswith("/page/doc/A/RES/67/185")
    assert p.text_content(".identifier") == "A/RES/67/185"
    assert p.text_content("h1")  # the title
    assert p.locator("ul.cites li").count() > 0
    assert page.blocked == [] and page.errors == []


def test_the_page_has_no_inline_script(server: tuple[serve.Server, Any]) -> None:
    """The strict CSP allows 'self' scripts only: the page must not need inline ones."""
    import urllib.request

    with urllib.request.urlopen(server[0].url, timeout=30) as r:
        html = r.read().decode()
        csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in html and '<script src="/static/query.js"' in html
    assert Path(serve.__file__).with_name("templates").joinpath("query.js").is_file()
