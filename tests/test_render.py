"""render_network: an offline page that escapes everything, checked as text and in Chromium.

The browser tests (marker `browser`) drive Debian's Chromium (/usr/bin/chromium)
through playwright with every request that is not file: or data: aborted. They
are skipped when Chromium or playwright is missing, unless CI is set, in which
case they fail. `SCREENSHOT_DIR=docs pytest -m browser -k screenshot` saves the
sample page as network.png there.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import rdflib

from resgraph import render
from resgraph.errors import OutputError
from resgraph.network import to_network
from resgraph.render import PHYSICS_LIMIT, embed_json, network_data, network_page, render_network

FIXTURE = Path(__file__).resolve().parent / "queries" / "network-nodes.ttl"
ID = "https://w3id.org/resgraph/id/"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# untrusted texts: each must reach the page only as text
PAYLOADS = {
    "script": "<script>window.__pwned = 'script'</script>",
    "img-onerror": "<img src=x onerror=\"window.__pwned = 'img'\">",
    "href": '<a href="javascript:window.__pwned=1">href</a> see href',
    "close-json": "</script><script>window.__pwned = 'close'</script>",
    "line-separator": "line\u2028separator\u2029paragraph",
    "svg": "<svg onload=\"window.__pwned = 'svg'\"></svg>",
}
PP2 = ID + "doc/A/RES/90/1/pp/2"  # the fixture clause whose text is a script/img payload


def sample_network() -> nx.DiGraph:
    """The hand-written fixture resolution, as to_network gives it."""
    return to_network(rdflib.Graph().parse(FIXTURE, format="turtle"))


def hostile_network() -> nx.DiGraph:
    """The sample plus one clause per payload, in its label, text, tooltip and title."""
    g = sample_network()
    for name, payload in PAYLOADS.items():
        node = f"{ID}doc/A/RES/90/1/op/9{name}"
        g.add_node(
            node,
            kind="operative",
            label=f"OP {name} {payload}",
            text=payload,
            title=payload,
            tooltip=payload,
            link="javascript:window.__pwned='link'",
            document=ID + "doc/A/RES/90/1",
            phrase=payload,
            date="",
            cited_count=0,
        )
        g.add_edge(node, ID + "doc/A/RES/90/1", kind="part-of", relation="part of", via_footnote="")
        g.add_edge(node, ID + "doc/A/RES/89/7", kind="cites", relation=payload, via_footnote="")
    return g


def synthetic_network(documents: int, clauses: int, cited: int) -> nx.DiGraph:
    """A corpus-shaped graph: documents with clauses citing a pool of documents."""
    g = nx.DiGraph(level="clause")
    pool = [f"{ID}doc/A/RES/70/{k}" for k in range(1, cited + 1)]
    for p in pool:
        g.add_node(
            p, kind="resolution", label=p.removeprefix(ID + "doc/"), tooltip=p, cited_count=0
        )
    for d in range(1, documents + 1):
        doc = f"{ID}doc/A/RES/80/{d}"
        g.add_node(doc, kind="resolution", label=f"A/RES/80/{d}", tooltip=doc, cited_count=0)
        for c in range(1, clauses + 1):
            clause = f"{doc}/op/{c}"
            g.add_node(
                clause,
                kind="operative",
                label=f"OP {c}",
                text=f"Clause {c} of document {d}",
                tooltip=f"OP {c}",
                document=doc,
                cited_count=0,
            )
            g.add_edge(clause, doc, kind="part-of", relation="part of", via_footnote="")
            target = pool[(d * 7 + c * 13) % len(pool)]
            g.add_edge(clause, target, kind="cites", relation="recalls", via_footnote="")
    for n in g.nodes:
        g.nodes[n]["cited_count"] = sum(1 for _, _, k in g.in_edges(n, data="kind") if k == "cites")
    return g


class _Tags(html.parser.HTMLParser):
    """Every start tag with its attributes (text inside <script> is not parsed as tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


@pytest.fixture(scope="module")
def hostile_page() -> str:
    return network_page(hostile_network(), title="<script>window.__pwned='title'</script> & co")


# -- the page as text ----------------------------------------------------------------------


def test_no_remote_resource_is_referenced(hostile_page: str) -> None:
    for tag, attrs in tags(hostile_page):
        for name in ("src", "href", "srcset", "data", "action"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), f"<{tag} {name}={value!r}>"
    # everything is inline: no external script, stylesheet or image at all
    assert not [t for t, a in tags(hostile_page) if t in ("link", "img", "iframe")]
    assert all(not a.get("src") for t, a in tags(hostile_page) if t == "script")


def test_only_our_own_elements_are_in_the_page(hostile_page: str) -> None:
    # a payload that broke out of the JSON block would add a tag here
    assert [t for t, _ in tags(hostile_page) if t in ("script", "img", "svg", "a")] == [
        "script",
        "script",
        "script",
    ]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_payload_appears_only_escaped(hostile_page: str, payload: str) -> None:
    assert payload not in hostile_page
    assert embed_json(payload)[1:-1] in hostile_page


def test_raw_markup_never_reaches_the_page(hostile_page: str) -> None:
    data_block = hostile_page.split('id="rg-data">', 1)[1].split("</script>", 1)[0]
    assert not set("<>&\u2028\u2029") & set(data_block)
    assert "window.__pwned" in data_block  # the payloads are there, as data


def test_title_is_escaped(hostile_page: str) -> None:
    assert "&lt;script&gt;window.__pwned=&#x27;title&#x27;&lt;/script&gt; &amp; co" in hostile_page


def test_the_data_block_round_trips(hostile_page: str) -> None:
    data_block = hostile_page.split('id="rg-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(data_block)
    texts = {i.get("text", "") for i in data["info"]}
    assert set(PAYLOADS.values()) <= texts


def test_only_web_links_are_kept() -> None:
    data = network_data(hostile_network(), title="t")
    links = {i.get("link", "") for i in data["info"]}
    assert "https://undocs.org/A/RES/90/1" in links
    assert not [k for k in links if k and not k.startswith("https://")]


def test_content_security_policy_allows_exactly_our_scripts(hostile_page: str) -> None:
    import base64
    import hashlib

    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', hostile_page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    scripts = re.findall(r"<script>(.*?)</script>", hostile_page, re.DOTALL)
    assert len(scripts) == 2
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


EMBED = {
    "tags": "</script><!--<script>",
    "amp": "a && b",
    "separators": "\u2028\u2029",
    "quotes": "\"'`",
    "unicode": "Côte d’Ivoire — 条約",
}


@pytest.mark.parametrize("value", EMBED.values(), ids=EMBED.keys())
def test_embed_json_round_trips_without_markup(value: str) -> None:
    text = embed_json({"v": value, "list": [value]})
    assert json.loads(text) == {"v": value, "list": [value]}
    assert not set("<>&\u2028\u2029") & set(text)


def test_render_writes_the_page_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "network.html"
    render_network(sample_network(), target, title="A/RES/90/1")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["network.html"]


def test_a_failed_render_leaves_the_old_page(tmp_path: Path) -> None:
    target = tmp_path / "network.html"
    target.write_text("old", encoding="utf-8")
    g = sample_network()
    g.nodes[PP2]["cited_count"] = float("nan")  # not JSON: rendering fails
    with pytest.raises(OutputError, match=r"network\.html"):
        render_network(g, target, title="x")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["network.html"]


def test_render_is_deterministic() -> None:
    assert network_page(sample_network(), title="t") == network_page(sample_network(), title="t")


def test_every_node_gets_a_style_size_and_position() -> None:
    data = network_data(sample_network(), title="t")
    assert len(data["nodes"]) == len(data["info"]) == 17
    by_label = {n["label"]: n for n in data["nodes"]}
    # size grows with cited_count: the treaty cited twice is bigger than a resolution cited once
    assert by_label["Organized Crime Convention"]["size"] > by_label["A/RES/89/7"]["size"]
    # the parsed resolution, centre of its clauses, outgrows the documents it cites once
    assert by_label["A/RES/90/1"]["size"] > by_label["A/RES/89/7"]["size"]
    assert by_label["PP 2"]["size"] == by_label["PP 1"]["size"]
    assert {n["shape"] for n in data["nodes"]} >= {"dot", "diamond", "star", "triangle"}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert [k["kind"] for k in data["legend"]["kinds"]] == [
        "resolution",
        "document",
        "preambular",
        "operative",
        "subparagraph",
        "footnote",
        "treaty",
        "volume",
        "organ",
    ]
    assert [r["name"] for r in data["legend"]["relations"]] == [
        "cites",
        "reaffirms",
        "recalls",
        "takes note of",
        "welcomes",
    ]
    assert data["legend"]["viaFootnote"] is True


def test_via_footnote_edges_are_dashed() -> None:
    data = network_data(sample_network(), title="t")
    styles = [data["edgeStyles"][s] for s in data["edges"]["style"]]
    dashed = [bool(s["dashes"]) for s in styles if s["kind"] == "cites"]
    assert sorted(dashed) == [False] * 6 + [True] * 2
    # the dashed ones are exactly the edges that name their footnote
    via = {int(k) for k in data["via"]}
    assert {k for k, s in enumerate(styles) if s["kind"] == "cites" and s["dashes"]} == via


@pytest.mark.parametrize(
    ("size", "physics"),
    [(PHYSICS_LIMIT, True), (PHYSICS_LIMIT + 1, False)],
    ids=["at-limit", "above-limit"],
)
def test_physics_is_off_past_the_limit(size: int, physics: bool) -> None:
    g = nx.DiGraph(level="document")
    for k in range(size):
        g.add_node(f"n{k}", kind="document", label=f"n{k}", cited_count=0)
    data = network_data(g, title="t")
    assert data["physics"] is physics
    assert data["options"]["physics"]["enabled"] is physics


def test_big_graph_layout_rings_clauses_around_their_document() -> None:
    g = synthetic_network(documents=30, clauses=40, cited=100)
    assert g.number_of_nodes() > render.SPRING_LIMIT
    pos = render.layout(g)
    doc = f"{ID}doc/A/RES/80/1"
    dx, dy = pos[doc]
    for c in range(1, 41):
        x, y = pos[f"{doc}/op/{c}"]
        assert 50 < ((x - dx) ** 2 + (y - dy) ** 2) ** 0.5 < 120
    assert render.layout(g) == pos  # deterministic


# -- in a real browser ---------------------------------------------------------------------


def _browser_unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _browser_unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests must run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Loaded:
    """A page opened offline, with what it tried to fetch and what it logged."""

    def __init__(self, page: Any, blocked: list[str], errors: list[str], seconds: float) -> None:
        self.page = page
        self.blocked = blocked
        self.errors = errors
        self.seconds = seconds

    def node_index(self, iri: str) -> int:
        return int(
            self.page.evaluate("(iri) => window.rgData.info.findIndex(i => i.iri === iri)", iri)
        )

    def node_point(self, index: int) -> tuple[float, float]:
        point = self.page.evaluate(
            """(i) => {
                const net = window.rgNetwork;
                const p = net.canvasToDOM(net.getPositions([i])[i]);
                const r = document.getElementById('rg-network').getBoundingClientRect();
                return [p.x + r.left, p.y + r.top];
            }""",
            index,
        )
        return float(point[0]), float(point[1])


def open_page(browser: Any, path: Path, viewport: tuple[int, int] = (1400, 850)) -> Loaded:
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    blocked: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    started = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    seconds = time.perf_counter() - started
    # the page keeps its data private; expose it for the assertions
    page.evaluate("window.rgData = JSON.parse(document.getElementById('rg-data').textContent)")
    return Loaded(page, blocked, errors, seconds)


@pytest.fixture(scope="module")
def hostile(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    path = tmp_path_factory.mktemp("page") / "network.html"
    render_network(hostile_network(), path, title="<script>window.__pwned='title'</script>")
    loaded = open_page(browser, path)
    yield loaded
    loaded.page.close()


@pytest.mark.browser
def test_page_draws_every_node_offline(hostile: Loaded) -> None:
    count = hostile.page.evaluate("window.rgNetwork.body.data.nodes.length")
    assert count == hostile_network().number_of_nodes()
    drawn = hostile.page.evaluate("Object.keys(window.rgNetwork.getPositions()).length")
    assert drawn == count
    assert hostile.blocked == []
    assert hostile.errors == []  # no script error, no CSP violation
    assert hostile.page.title().startswith("<script>")  # the title, as text


@pytest.mark.browser
def test_no_injected_script_ran(hostile: Loaded) -> None:
    page = hostile.page
    # hover every payload node, so tooltips are built too
    for name in PAYLOADS:
        page.mouse.move(*hostile.node_point(hostile.node_index(f"{ID}doc/A/RES/90/1/op/9{name}")))
        page.wait_for_timeout(250)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, iframe, svg > script').length") == 0


@pytest.mark.browser
def test_clicking_a_clause_shows_its_text_as_text(hostile: Loaded) -> None:
    page = hostile.page
    page.mouse.click(*hostile.node_point(hostile.node_index(PP2)))
    text = page.locator("#rg-details .rg-text").text_content()
    assert text == sample_network().nodes[PP2]["text"]
    assert page.locator("#rg-details h2").text_content() == "PP 2"
    assert page.locator("#rg-details img, #rg-details script").count() == 0
    # its footnote and citations are listed; the document's undocs.org link is a real link
    assert "fn 1" in (page.locator("#rg-details").text_content() or "")
    page.locator("#rg-details .rg-of button").click()
    assert page.locator("#rg-details a").get_attribute("href") == "https://undocs.org/A/RES/90/1"
    assert page.evaluate("window.__pwned") is None


@pytest.mark.browser
def test_hover_tooltip_is_plain_text(hostile: Loaded) -> None:
    page = hostile.page
    page.mouse.move(0, 0)
    page.mouse.move(*hostile.node_point(hostile.node_index(f"{ID}doc/A/RES/90/1/op/9img-onerror")))
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    # kind, label and document, then the text: all as text
    text = tip.text_content() or ""
    assert text.startswith("Operative paragraph: OP img-onerror " + PAYLOADS["img-onerror"])
    assert PAYLOADS["img-onerror"] in text.splitlines()[1:]
    assert tip.locator("img, script").count() == 0


SEARCHES = [
    # (query, label shown, text shown)
    ("organized crime", "Organized Crime Convention", None),
    ("window.__pwned = 1", "PP 2", "<script>window.__pwned = 1</script>"),
    ("S/RES/1325", "S/RES/1325(2000)", None),
]


@pytest.mark.browser
@pytest.mark.parametrize(("query", "label", "text"), SEARCHES, ids=[s[0] for s in SEARCHES])
def test_search_selects_and_shows_a_node(
    hostile: Loaded, query: str, label: str, text: str | None
) -> None:
    page = hostile.page
    page.fill("#rg-search", query)
    page.press("#rg-search", "Enter")
    assert page.locator("#rg-details h2").text_content() == label
    assert page.evaluate("window.rgNetwork.getSelectedNodes().length") == 1
    if text is not None:
        assert text in (page.locator("#rg-details .rg-text").text_content() or "")
    assert page.locator("#rg-results li").count() >= 1
    assert page.evaluate("window.__pwned") is None


@pytest.mark.browser
def test_search_without_match_says_so(hostile: Loaded) -> None:
    hostile.page.fill("#rg-search", "no such thing anywhere")
    assert hostile.page.locator("#rg-results").text_content() == "0 matches"


@pytest.mark.browser
def test_legend_lists_the_kinds_drawn(hostile: Loaded) -> None:
    legend = hostile.page.locator("#rg-legend").text_content() or ""
    for name in ("Resolution", "Preambular paragraph", "Footnote", "Treaty", "via footnote"):
        assert name in legend


@pytest.mark.browser
@pytest.mark.parametrize(
    ("documents", "clauses", "cited"),
    [(1, 0, 0), (20, 39, 200)],
    ids=["sample", "synthetic-1000"],
)
def test_first_draw_time(
    browser: Any, tmp_path: Path, documents: int, clauses: int, cited: int
) -> None:
    g = sample_network() if documents == 1 else synthetic_network(documents, clauses, cited)
    path = tmp_path / "network.html"
    started = time.perf_counter()
    render_network(g, path, title="timing")
    rendered = time.perf_counter() - started
    loaded = open_page(browser, path)
    first_draw = loaded.page.evaluate("window.rgFirstDrawMs")
    count = loaded.page.evaluate("window.rgNetwork.body.data.nodes.length")
    loaded.page.close()
    print(
        f"\n{g.number_of_nodes()} nodes, {g.number_of_edges()} edges: render_network "
        f"{rendered:.2f} s, load to first draw {loaded.seconds:.2f} s "
        f"(vis-network {first_draw:.0f} ms)"
    )
    assert count == g.number_of_nodes()
    assert loaded.blocked == [] and loaded.errors == []
    assert loaded.seconds < 60


def seed_network() -> nx.DiGraph:
    """The seed resolution's clause-level network, as `resgraph build` draws it."""
    from conftest import SEED

    from resgraph.pipeline import build

    return to_network(build([SEED], validate=False).dataset, level="clause")


@pytest.mark.browser
def test_screenshot(browser: Any, tmp_path: Path) -> None:
    """Saves the seed's page as SCREENSHOT_DIR/network.png when SCREENSHOT_DIR is set."""
    g = seed_network()
    path = tmp_path / "network.html"
    render_network(g, path, title="A/RES/67/185 — clause-level network")
    loaded = open_page(browser, path)
    print(f"\nseed: {g.number_of_nodes()} nodes, load to first draw {loaded.seconds:.2f} s")
    assert loaded.errors == [] and loaded.blocked == []
    # a clause with a footnote: its text, with the citing words marked, fills the panel
    clause = next(
        n for n, d in g.nodes(data=True) if d["kind"] == "preambular" and "Convention" in d["text"]
    )
    loaded.page.mouse.click(*loaded.node_point(loaded.node_index(clause)))
    assert loaded.page.locator("#rg-details mark").count() >= 1
    box = loaded.page.locator("#rg-network").bounding_box()
    assert box is not None
    loaded.page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)  # no tooltip shown
    loaded.page.wait_for_timeout(400)
    png = loaded.page.screenshot()
    loaded.page.close()
    assert png.startswith(b"\x89PNG")
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder, "network.png").write_bytes(png)


# -- the views, filters, groups and #focus in the browser -----------------------------------

VIEWS_FIXTURE = Path(__file__).resolve().parent / "queries" / "network-corpus-nodes.ttl"


def views_dataset() -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.graph(rdflib.URIRef(ID + "graph/all")).parse(VIEWS_FIXTURE, format="turtle")
    return ds


@pytest.fixture(scope="module")
def resolution_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    from resgraph.network import resolution_view

    path = tmp_path_factory.mktemp("resolution") / "network.html"
    render_network(resolution_view(views_dataset(), "A/RES/90/1"), path, title="A/RES/90/1")
    loaded = open_page(browser, path)
    yield loaded
    loaded.page.close()


@pytest.mark.browser
def test_clicking_a_clause_marks_the_citing_words(resolution_page: Loaded) -> None:
    page = resolution_page.page
    page.mouse.click(
        *resolution_page.node_point(resolution_page.node_index(ID + "doc/A/RES/90/1/pp/1"))
    )
    assert page.locator("#rg-details h2").text_content() == "PP 1"
    marks = page.locator("#rg-details .rg-text mark").all_text_contents()
    assert marks == ["resolution 89/7 of 1 December 2034"]
    text = page.locator("#rg-details .rg-text").text_content()
    assert text == "Recalling its resolution 89/7 of 1 December 2034,"
    # the document's link and source file are shown for its clause
    assert page.locator("#rg-details a").get_attribute("href") == "https://undocs.org/A/RES/90/1"
    assert "A_RES_90_1.txt" in (page.locator("#rg-details .rg-source").text_content() or "")


@pytest.mark.browser
def test_the_focus_of_a_view_is_shown_first(browser: Any, tmp_path: Path) -> None:
    from resgraph.network import treaty_view

    path = tmp_path / "network.html"
    render_network(treaty_view(views_dataset(), "untoc"), path, title="untoc")
    loaded = open_page(browser, path)
    # before any click: the treaty of the view is selected and described
    assert loaded.page.locator("#rg-details h2").text_content() == "Organized Crime Convention"
    index = loaded.node_index(ID + "treaty/untoc")
    assert loaded.page.evaluate("window.rgNetwork.getSelectedNodes()") == [index]
    loaded.page.close()


@pytest.mark.browser
def test_unticking_a_kind_hides_its_nodes(resolution_page: Loaded) -> None:
    page = resolution_page.page
    count = "window.rgNetwork.body.data.nodes.length"
    before = page.evaluate(count)
    page.locator("#rg-legend input[data-filter=kind][data-value=preambular]").uncheck()
    assert page.evaluate(count) == before - 2
    pp1 = resolution_page.node_index(ID + "doc/A/RES/90/1/pp/1")
    assert page.evaluate(f"window.rgNetwork.body.data.nodes.get({pp1})") is None
    page.locator("#rg-legend input[data-filter=kind][data-value=preambular]").check()
    assert page.evaluate(count) == before


@pytest.mark.browser
def test_unticking_a_relation_hides_its_edges(resolution_page: Loaded) -> None:
    page = resolution_page.page
    count = "window.rgNetwork.body.data.edges.length"
    before = page.evaluate(count)
    page.locator("#rg-legend input[data-filter=relation][data-value=recalls]").uncheck()
    assert page.evaluate(count) == before - 1
    page.locator("#rg-legend input[data-filter=relation][data-value=recalls]").check()
    assert page.evaluate(count) == before


@pytest.mark.browser
@pytest.mark.parametrize(
    ("select", "value", "shown", "hidden"),
    [
        ("#rg-session", "2034", ["doc/A/RES/89/7", "treaty/untoc"], ["doc/A/RES/90/1/pp/1"]),
        ("#rg-session", "90", ["doc/A/RES/90/1/pp/1"], ["doc/A/RES/89/7"]),
        ("#rg-organ", "Security Council", ["doc/S/RES/1325(2000)"], ["doc/A/RES/90/1"]),
    ],
    ids=["year", "session", "organ"],
)
def test_organ_and_session_filters(
    resolution_page: Loaded, select: str, value: str, shown: list[str], hidden: list[str]
) -> None:
    page = resolution_page.page
    page.select_option(select, value)
    drawn = "(i) => window.rgNetwork.body.data.nodes.get(i) !== null"
    for path in shown:
        assert page.evaluate(drawn, resolution_page.node_index(ID + path)), path
    for path in hidden:
        assert not page.evaluate(drawn, resolution_page.node_index(ID + path)), path
    page.select_option(select, "")
    assert page.evaluate(drawn, resolution_page.node_index(ID + hidden[0]))


@pytest.mark.browser
def test_focus_fragment_selects_and_centres_a_node(browser: Any, tmp_path: Path) -> None:
    from resgraph.network import resolution_view

    path = tmp_path / "network.html"
    render_network(resolution_view(views_dataset(), "A/RES/90/1"), path, title="t")
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    target = ID + "treaty/untoc"
    from urllib.parse import quote

    page.goto(path.as_uri() + "#focus=" + quote(target, safe=""))
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#rg-details h2").text_content() == "Organized Crime Convention"
    index = page.evaluate(
        "(iri) => JSON.parse(document.getElementById('rg-data').textContent)"
        ".info.findIndex(i => i.iri === iri)",
        target,
    )
    assert page.evaluate("window.rgNetwork.getSelectedNodes()") == [index]
    # centred: the node is at the middle of the canvas
    x, y = page.evaluate(
        """(i) => { const n = window.rgNetwork; const p = n.canvasToDOM(n.getPositions([i])[i]);
                    const c = document.getElementById('rg-network');
                    return [p.x - c.clientWidth / 2, p.y - c.clientHeight / 2]; }""",
        index,
    )
    assert abs(x) < 5 and abs(y) < 5
    # a later hash change moves the selection
    page.evaluate(f"window.location.hash = '#focus=' + encodeURIComponent('{ID}doc/A/RES/89/7')")
    page.wait_for_function("document.querySelector('#rg-details h2').textContent === 'A/RES/89/7'")
    page.close()


def corpus_network(resolutions: int, sessions: int) -> nx.DiGraph:
    """A document-level view large enough for the page to open with its groups closed."""
    g = nx.DiGraph(level="document", view="corpus")
    docs = []
    for k in range(resolutions):
        session = 60 + k * sessions // resolutions
        iri = f"{ID}doc/A/RES/{session}/{k}"
        docs.append(iri)
        g.add_node(
            iri,
            kind="resolution",
            label=f"A/RES/{session}/{k}",
            session=str(session),
            organ="General Assembly",
            title=f"Topic {k % 37}",
            cited_count=0,
        )
        if k:
            g.add_edge(iri, docs[(k * 7919) % k], kind="cites", relation="recalls", via_footnote="")
    for n in g.nodes:
        g.nodes[n]["cited_count"] = g.in_degree(n)
    return g


@pytest.fixture(scope="module")
def grouped(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    g = corpus_network(render.CLUSTER_LIMIT + 500, 10)
    path = tmp_path_factory.mktemp("grouped") / "network.html"
    render_network(g, path, title="grouped")
    loaded = open_page(browser, path)
    yield loaded
    loaded.page.close()


@pytest.mark.browser
def test_a_large_view_opens_with_its_groups_closed(grouped: Loaded) -> None:
    page = grouped.page
    ids = page.evaluate("window.rgNetwork.body.data.nodes.getIds()")
    assert len(ids) == 10 and all(str(i).startswith("g") for i in ids)
    assert "groups" in (page.locator("#rg-notice").text_content() or "")
    assert grouped.errors == [] and grouped.blocked == []


@pytest.mark.browser
def test_clicking_a_group_opens_it(grouped: Loaded) -> None:
    page = grouped.page
    point = page.evaluate(
        """() => { const n = window.rgNetwork;
                   const p = n.canvasToDOM(n.getPositions(['g0'])['g0']);
                   const r = document.getElementById('rg-network').getBoundingClientRect();
                   return [p.x + r.left, p.y + r.top]; }"""
    )
    page.mouse.click(point[0], point[1])
    ids = page.evaluate("window.rgNetwork.body.data.nodes.getIds()")
    opened = [i for i in ids if isinstance(i, int)]
    assert len(opened) == (render.CLUSTER_LIMIT + 500) // 10
    assert "g0" not in ids and len(ids) == len(opened) + 9


@pytest.mark.browser
def test_search_finds_a_node_inside_a_closed_group(grouped: Loaded) -> None:
    page = grouped.page
    label = f"A/RES/69/{render.CLUSTER_LIMIT + 499}"
    page.fill("#rg-search", label)
    page.press("#rg-search", "Enter")
    assert page.locator("#rg-details h2").text_content() == label
    index = grouped.node_index(f"{ID}doc/A/RES/69/{render.CLUSTER_LIMIT + 499}")
    assert page.evaluate(f"window.rgNetwork.body.data.nodes.get({index}) !== null")
    assert page.evaluate("window.rgNetwork.getSelectedNodes()") == [index]


@pytest.mark.browser
def test_open_all_groups_then_close_them(grouped: Loaded) -> None:
    page = grouped.page
    page.locator("#rg-expand").click()
    count = "window.rgNetwork.body.data.nodes.length"
    assert page.evaluate(count) == render.CLUSTER_LIMIT + 500
    assert page.locator("#rg-expand").is_hidden()
    page.locator("#rg-collapse").click()
    assert page.evaluate(count) == 10


@pytest.mark.browser
def test_document_level_page_has_an_analytics_panel(browser: Any, tmp_path: Path) -> None:
    from resgraph.network import corpus_view

    path = tmp_path / "network.html"
    render_network(corpus_view(views_dataset()), path, title="corpus")
    loaded = open_page(browser, path)
    panel = loaded.page.locator("#rg-legend details.rg-analytics")
    assert "Most cited" in (panel.text_content() or "")
    first = panel.locator("ol li button").first
    name = first.text_content()
    first.click()
    assert loaded.page.locator("#rg-details h2").text_content() == name
    assert loaded.errors == []
    loaded.page.close()
