"""The network page of a hostile resolution: nothing in the texts ever runs.

A real resolution (the seed) is given script payloads in its title, its
preambular and operative clauses, its footnotes and next to its citations, built
with `resgraph build` into network.html, and opened in headless Chromium
(offline: every request that is not file: or data: is aborted). Every node is
hovered and clicked so tooltips and the side panel are drawn, and then:
no payload set its window flag, no dialog opened, no element a payload
carries (img, iframe, svg, object) exists, and nothing was fetched.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR, SEED
from test_render import CHROMIUM, CHROMIUM_ARGS, _browser_unavailable, open_page

PAYLOADS = {
    "title": "<script>window.__pwned='title'</script>",
    "preamble": "<img src=x onerror=\"window.__pwned='img'\">",
    "operative": '</script><script>window.__pwned="close"</script>',
    "footnote": '<a href="javascript:window.__pwned=1">href</a> see "href"',
    "citation": "<svg onload=\"window.__pwned='svg'\"></svg>",
    "attribute": '" onmouseover="window.__pwned=\'attr\'" x="',
    "template": "${window.__pwned='template'}{{constructor.constructor('window.__pwned=1')()}}",
    "dialog": "<iframe src=\"javascript:alert('pwned')\"></iframe><script>alert(1)</script>",
}


def hostile_text() -> str:
    """The seed with a payload in each kind of text the page shows."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    for line in lines:
        if line.startswith("67/185.\t"):
            line += " " + PAYLOADS["title"]
        elif line.startswith("\tRecalling its resolution 66/172"):
            line = line.replace("66/172", "66/172 " + PAYLOADS["citation"]) + PAYLOADS["preamble"]
        elif line.startswith("\t1.\t"):
            line = line.replace(";", " " + PAYLOADS["operative"] + PAYLOADS["attribute"] + ";")
        elif line.startswith("\t2.\t"):
            line = line.replace(";", " " + PAYLOADS["template"] + PAYLOADS["dialog"] + ";")
        elif line.startswith("1 Resolution 217"):
            line += " " + PAYLOADS["footnote"]
        out.append(line)
    text = "\n".join(out)
    assert all(p in text for p in PAYLOADS.values())
    return text


@pytest.fixture(scope="module")
def page_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    source = root / "A_RES_67_185.txt"
    source.write_text(hostile_text(), encoding="utf-8")
    out = root / "out"
    done = subprocess.run(
        [sys.executable, "-m", "resgraph", "build", str(source), "--out", str(out), "-q"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: findings, still built
    page = out / "network.html"
    assert page.is_file()
    return page


def test_payloads_reach_the_page_only_as_text(page_path: Path) -> None:
    """Checked without a browser: no payload's markup is in the HTML as markup."""
    html = page_path.read_text(encoding="utf-8")
    for payload in PAYLOADS.values():
        if "<" in payload or '"' in payload:  # the others are plain text, shown as text
            assert payload not in html
    assert "<img" not in html and "<iframe" not in html and "<svg onload" not in html
    # the texts are there (escaped): the test is not passing on an empty page
    assert "Promoting efforts to eliminate violence against migrants" in html


@pytest.fixture(scope="module")
def loaded(page_path: Path) -> Iterator[Any]:
    reason = _browser_unavailable()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        dialogs: list[str] = []
        browser.on("disconnected", lambda *_: None)
        page = open_page(browser, page_path)

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.page.on("dialog", on_dialog)
        yield page, dialogs
        page.page.close()
        browser.close()


@pytest.mark.browser
def test_nothing_executes_in_the_browser(loaded: Any) -> None:
    page, dialogs = loaded
    p = page.page
    n = p.evaluate("window.rgNetwork.body.data.nodes.length")
    assert n > 10
    # the texts carrying payloads are in the page's data, so they are drawn somewhere
    texts = p.evaluate("JSON.stringify(window.rgData)")
    assert "window.__pwned" in texts
    ids = p.evaluate("window.rgNetwork.body.data.nodes.getIds()")
    for i in ids:
        try:
            x, y = page.node_point(int(i)) if isinstance(i, int) else (None, None)
        except Exception:  # a node inside a closed group has no position
            continue
        if x is None:
            continue
        p.mouse.move(x, y)
        p.wait_for_timeout(30)
        p.mouse.click(x, y)
        p.wait_for_timeout(30)
    p.wait_for_timeout(300)
    assert p.evaluate("window.__pwned") is None
    assert dialogs == []
    # the page's own icons are inline SVG: look for what the payloads would have made
    made = (
        "iframe, object, embed, img[src='x'], [onerror], [onload], [onmouseover],"
        " a[href^='javascript']"
    )
    assert p.evaluate(f"document.querySelectorAll({made!r}).length") == 0
    assert page.blocked == []
    assert not [e for e in page.errors if "pwned" in e or "Content Security Policy" in e]
