#!/usr/bin/env python3
"""Benchmark the network page in headless Chromium: first draw and redraw at 100/1,000/20,000.

    .venv/bin/python bench/bench_page.py                 # 100, 1000, 20000 resolutions
    .venv/bin/python bench/bench_page.py 200 --frames 10 # smaller, while developing

For each size it synthesises the corpus-level (document) view directly as networkx, the
shape `network.corpus_view` returns: resolutions spread over sessions of the General
Assembly, each citing earlier resolutions with a long-tail (Zipf-like) popularity, treaties
of a 130-entry pool (some through a Treaty Series volume) and documents outside the corpus.
It then times, in Python: the layout and the whole page (`render.network_page`); and in
Debian's Chromium (/usr/bin/chromium, driven by playwright, every non-file request
aborted): the load until vis-network's first `afterDrawing`, and the redraw — pan and zoom
frames requested with `moveTo` and timed until their `afterDrawing` (their mean gives the
frames per second). Pages of more than `render.CLUSTER_LIMIT` nodes open with their groups
(sessions) closed; for those it also times opening the largest group and the redraw with
it open. Prints a table (and --json for machines).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from resgraph import render  # noqa: E402

ID = "https://w3id.org/resgraph/id/"
CHROMIUM = "/usr/bin/chromium"
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
RELATIONS = ("recalls", "reaffirms", "takes note of", "welcomes", "cites")


def synthetic_corpus(resolutions: int, seed: int = 1) -> nx.DiGraph:
    """A document-level view of `resolutions` GA resolutions (see the module docstring)."""
    rnd = random.Random(seed)
    g = nx.DiGraph(level="document", view="corpus")
    sessions = max(1, min(80, resolutions // 50))
    docs: list[str] = []
    numbers: dict[int, int] = {}
    for i in range(resolutions):
        session = 41 + i * sessions // resolutions  # in order: citations go backwards
        numbers[session] = number = numbers.get(session, 0) + 1
        iri = f"{ID}doc/A/RES/{session}/{number}"
        docs.append(iri)
        g.add_node(
            iri,
            kind="resolution",
            label=f"A/RES/{session}/{number}",
            title=f"Resolution {number} of session {session} on topic {rnd.randint(1, 300)}",
            date=f"{session + 1945}-12-{rnd.randint(1, 28):02d}",
            session=str(session),
            organ="General Assembly",
            source=f"A_RES_{session}_{number}.txt",
            link=f"https://undocs.org/A/RES/{session}/{number}",
        )
    treaties = [f"{ID}treaty/t{k}" for k in range(130)]
    for k, t in enumerate(treaties):
        g.add_node(t, kind="treaty", label=f"Convention {k}", title=f"Convention number {k}")
        if k % 2 == 0:
            vol = f"{ID}unts/vol/{1000 + k}"
            g.add_node(vol, kind="volume", label=f"UNTS vol. {1000 + k}")
            g.add_edge(t, vol, kind="in-volume", relation="in volume", via_footnote="", written="")
    outside = [f"{ID}doc/A/{k}" for k in range(max(10, resolutions // 5))]
    for k, o in enumerate(outside):
        g.add_node(o, kind="document", label=f"A/{k}", organ="General Assembly")
    organ = f"{ID}organ/general-assembly"
    g.add_node(organ, kind="organ", label="General Assembly")
    for i, d in enumerate(docs):
        g.add_edge(d, organ, kind="organ", relation="organ", via_footnote="", written="")
        for _ in range(rnd.randint(1, 9)):
            if i and rnd.random() < 0.7:
                # long tail: the older and the more popular, the more cited
                j = int(i * rnd.random() ** 2.5)
                target = docs[j]
            elif rnd.random() < 0.6:
                target = treaties[min(int(rnd.paretovariate(1.2)) - 1, len(treaties) - 1)]
            else:
                target = rnd.choice(outside)
            if target != d:
                g.add_edge(
                    d,
                    target,
                    kind="cites",
                    relation=rnd.choice(RELATIONS),
                    via_footnote="",
                    written="resolution as written",
                )
    for n in g.nodes:
        a = g.nodes[n]
        a["cited_count"] = sum(1 for _, _, k in g.in_edges(n, data="kind") if k == "cites")
        a["tooltip"] = f"{a['kind']}: {a['label']}"
    return g


REDRAW_JS = """async (frames) => {
  const net = window.rgNetwork;
  const times = [];
  const base = net.getViewPosition();
  const scale = net.getScale();
  for (let n = 0; n < frames; n++) {
    const t = await new Promise((resolve) => {
      const t0 = performance.now();
      net.once("afterDrawing", () => resolve(performance.now() - t0));
      net.moveTo({
        position: { x: base.x + (n % 4) * 40, y: base.y + (n % 3) * 30 },
        scale: scale * (n % 2 ? 1.15 : 0.9),
      });
    });
    times.push(t);
  }
  return times;
}"""

# the drawing work of each frame (initRedraw -> afterDrawing), recorded while the mouse
# drags and wheels: what a user panning and zooming gets (big views hide edges meanwhile)
RECORD_JS = """() => {
  const net = window.rgNetwork;
  window.rgFrames = [];
  let t0 = 0;
  net.on("initRedraw", () => { t0 = performance.now(); });
  net.on("afterDrawing", () => { window.rgFrames.push(performance.now() - t0); });
}"""

OPEN_LARGEST_JS = """() => {
  const data = JSON.parse(document.getElementById('rg-data').textContent);
  let g = 0;
  data.groups.forEach((row, i) => {
    if (row.size > data.groups[g].size && !/Treat|Organ/.test(row.name)) g = i;
  });
  const t0 = performance.now();
  return new Promise((resolve) => {
    window.rgNetwork.once(
      "afterDrawing", () => resolve([performance.now() - t0, data.groups[g].size]));
    window.rgNetwork.selectNodes([]);
    window.rgNetwork.body.emitter.emit("click", { nodes: ["g" + g], edges: [] });
  });
}"""


def interact(page: Any, frames: int) -> float:
    """Mean drawing time of the frames of a mouse drag then wheel zoom (ms)."""
    page.evaluate(RECORD_JS)
    cx, cy = 700, 425
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(frames):
        page.mouse.move(cx + 8 * k, cy + 5 * k)
    page.mouse.up()
    for k in range(frames):
        page.mouse.wheel(0, -60 if k % 2 else 60)
        page.wait_for_timeout(20)
    page.wait_for_timeout(300)
    times = page.evaluate("window.rgFrames")
    return float(statistics.mean(times)) if times else float("nan")


def measure(browser: Any, path: Path, frames: int, lod: bool) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    started = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=300_000)
    load = time.perf_counter() - started
    first = float(page.evaluate("window.rgFirstDrawMs"))
    drawn = int(page.evaluate("window.rgNetwork.body.data.nodes.length"))
    times = page.evaluate(REDRAW_JS, frames)
    out = {
        "load_s": load,
        "first_draw_ms": first,
        "drawn_nodes": drawn,
        "redraw_ms": statistics.mean(times),
        "redraw_max_ms": max(times),
        "interact_ms": interact(page, frames),
    }
    if lod:
        open_ms, size = page.evaluate(OPEN_LARGEST_JS)
        times = page.evaluate(REDRAW_JS, frames)
        out.update(
            open_group_ms=float(open_ms),
            open_group_size=int(size),
            redraw_open_ms=statistics.mean(times),
            interact_open_ms=interact(page, frames),
            drawn_open_nodes=int(page.evaluate("window.rgNetwork.body.data.nodes.length")),
        )
    page.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[100, 1000, 20000])
    ap.add_argument("--frames", type=int, default=20, help="redraw frames per page")
    ap.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in args.sizes:
            g = synthetic_corpus(n)
            t = time.perf_counter()
            render.layout(g)
            layout_s = time.perf_counter() - t
            t = time.perf_counter()
            html = render.network_page(g, title=f"bench {n}")
            page_s = time.perf_counter() - t
            path = Path(tmp) / f"network-{n}.html"
            path.write_text(html, encoding="utf-8")
            lod = g.number_of_nodes() > render.CLUSTER_LIMIT
            row: dict[str, Any] = {
                "resolutions": n,
                "nodes": g.number_of_nodes(),
                "edges": g.number_of_edges(),
                "layout_s": layout_s,
                "page_s": page_s,
                "page_mb": len(html.encode()) / 1e6,
                "lod": lod,
            }
            row.update(measure(browser, path, args.frames, lod))
            rows.append(row)
        browser.close()
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(
        f"{'resolutions':>11} {'nodes':>6} {'edges':>7} {'layout':>7} {'page':>6} {'MB':>5} "
        f"{'load':>6} {'1st draw':>9} {'drawn':>6} {'redraw':>8} {'fps':>5} {'drag/zoom':>9}"
        "  open the largest group"
    )
    for r in rows:
        extra = ""
        if r["lod"]:
            extra = (
                f"{r['open_group_size']} nodes in {r['open_group_ms']:.0f} ms; then "
                f"{r['drawn_open_nodes']} drawn, redraw {r['redraw_open_ms']:.0f} ms, "
                f"drag/zoom {r['interact_open_ms']:.0f} ms"
            )
        print(
            f"{r['resolutions']:>11} {r['nodes']:>6} {r['edges']:>7} {r['layout_s']:>6.2f}s "
            f"{r['page_s']:>5.1f}s {r['page_mb']:>5.1f} {r['load_s']:>5.2f}s "
            f"{r['first_draw_ms']:>7.0f}ms {r['drawn_nodes']:>6} {r['redraw_ms']:>6.1f}ms "
            f"{1000 / max(r['redraw_ms'], 1e-3):>5.0f} {r['interact_ms']:>7.1f}ms  {extra}"
        )
    print(
        "load: navigation until the first afterDrawing; 1st draw: from the page script's "
        "start; redraw: a pan/zoom frame (moveTo, edges drawn), requested until drawn (mean); "
        "fps = 1000/redraw; drag/zoom: drawing time of the frames of a mouse drag and wheel "
        "zoom (big views hide edges meanwhile)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
