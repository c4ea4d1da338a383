"""Stage 5b: draw the network as one self-contained, offline HTML page.

pyvis 0.3.2's own page links Bootstrap and tom-select from CDNs and turns a
tooltip into raw HTML when it contains "href", and its `Network.add_node`
checks membership in lists (55 s for 20,000 nodes), so we use pyvis only for
the vis-network JS/CSS it ships: node and edge dictionaries are written
directly (0.4 s for 20,000 nodes) and rendered through our own template
(`resgraph/templates/network.*`), with no template engine.

Everything the page shows is data, never markup: nodes, edges and texts are
embedded as JSON in a `<script type="application/json">` block with `<`, `>`,
`&` and U+2028/U+2029 escaped, and the page builds its DOM with
`textContent`. A Content-Security-Policy allows only our own inline scripts
(by hash) and no network access at all.

Layout is computed here (deterministic, seeded, numpy) so the page opens in
place; vis-network physics polishes graphs up to `PHYSICS_LIMIT` nodes and is
off above it. Level of detail for large views: every node belongs to a group
(documents by organ and session or year, treaties, volumes, organs); above
`CLUSTER_LIMIT` nodes the page opens with each group drawn as one node that
opens on click, edges between groups aggregated, and labels drawn only when
zoomed in. Measured figures: bench/bench_page.py.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_write
from .errors import OutputError
from .network import DOCUMENT_KINDS, PART_KINDS, kind_name

if TYPE_CHECKING:
    import networkx as nx

PHYSICS_LIMIT = 300  # above this many nodes vis-network physics is off (DESIGN.md §5)
SPRING_LIMIT = 500  # clause-level views: a force layout over every node up to this size
FORCE_LIMIT = 1200  # document-level views: a force layout up to this size, groups above
CLUSTER_LIMIT = 1000  # above this many nodes the page opens with its groups collapsed
OPEN_ALL_LIMIT = 6000  # up to this many nodes the page offers to open every group at once
MAX_GROUP = 600  # members of a group at most: opening one draws no more than this
LABEL_DRAW_THRESHOLD = 9  # big views: labels drawn only when at least this many pixels high
LAYOUT_SEED = 7
_TEMPLATES = Path(__file__).resolve().parent / "templates"

# node kind -> (colour, vis-network shape, base size); colours from the d3 category10 set
KIND_STYLE: dict[str, tuple[str, str, float]] = {
    "resolution": ("#1f77b4", "dot", 14),
    "document": ("#6baed6", "square", 12),
    "preambular": ("#2ca02c", "diamond", 9),
    "operative": ("#ff7f0e", "diamond", 10),
    "subparagraph": ("#fdae6b", "diamond", 7),
    "annex": ("#8c564b", "diamond", 8),
    "clause": ("#bcbd22", "diamond", 8),
    "footnote": ("#9467bd", "triangle", 7),
    "treaty": ("#d62728", "star", 14),
    "volume": ("#e377c2", "triangleDown", 10),
    "organ": ("#7f7f7f", "hexagon", 11),
    "other": ("#c7c7c7", "dot", 8),
}
# citation relation -> colour; other relations take the fallback palette in sorted order
# in order of precedence: an edge with several relations takes the colour of the first;
# relations not listed come before the plain "cites"
RELATION_COLOR: dict[str, str] = {
    "recalls": "#1f77b4",
    "reaffirms": "#08306b",
    "takes note of": "#8c8c8c",
    "welcomes": "#2ca02c",
    "calls for accession to": "#d62728",
    "cites": "#555555",
}
_FALLBACK_COLORS = ("#17becf", "#bcbd22", "#8c564b", "#e377c2", "#ff7f0e", "#9467bd")
# structural edges: (colour, dashes, width)
EDGE_KIND_STYLE: dict[str, tuple[str, bool | list[int], float]] = {
    "part-of": ("#c8c8c8", False, 1),
    "anchored-in": ("#9467bd", [2, 3], 1),
    "in-volume": ("#e377c2", [4, 3], 1),
    "procedure": ("#b0b0b0", [2, 2], 1),
    "organ": ("#dddddd", False, 0.5),
}
_VIA_FOOTNOTE_DASHES = [8, 4]
_EDGE_LEGEND = {
    "part-of": "part of",
    "anchored-in": "footnote anchored in",
    "in-volume": "in Treaty Series volume",
    "procedure": "report / draft",
    "organ": "organ / committee",
}


def render_network(g: nx.DiGraph, path: str | Path, *, title: str) -> None:
    """Write the interactive page for `g` (from `network.to_network`) to `path`.

    The file is written to a temporary file beside `path` and moved into place;
    any failure raises OutputError naming `path` and leaves an old page as it was.
    """

    def write(tmp: Path) -> None:
        tmp.write_text(network_page(g, title=title), encoding="utf-8")

    atomic_write(path, write)


def network_page(g: nx.DiGraph, *, title: str) -> str:
    """The page as a string (what `render_network` writes)."""
    data = network_data(g, title=title)
    script = _template("network.js")
    data_json = embed_json(data)
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(_vis_asset('vis-network.min.js'))} {_csp_hash(script)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    values = {
        "CSP": html.escape(csp, quote=True),
        "TITLE": html.escape(title),
        "VIS_CSS": _vis_asset("vis-network.css"),
        "PAGE_CSS": _template("network.css"),
        "VIS_JS": _vis_asset("vis-network.min.js"),
        "DATA": data_json,
        "PAGE_JS": script,
    }
    # one pass: a value is never scanned for placeholders again
    return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], _template("network.html"))


def embed_json(value: Any) -> str:
    """JSON that is safe inside an HTML `<script>` element: no `<`, `>`, `&`, U+2028/9.

    >>> embed_json({"t": "</script><b>&\\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def network_data(g: nx.DiGraph, *, title: str) -> dict[str, Any]:
    """Everything the page needs, as plain JSON-able data (nodes by index, not IRI)."""
    order = list(g.nodes)
    index = {iri: i for i, iri in enumerate(order)}
    positions = layout(g)
    lod = len(order) > CLUSTER_LIMIT
    physics = len(order) <= PHYSICS_LIMIT
    names, group_of = groups(g)
    # documents drawn with their own clauses: the centre of their cluster
    hubs = {
        str(a.get("document"))
        for _, a in g.nodes(data=True)
        if a.get("kind") in PART_KINDS and a.get("document")
    }
    nodes: list[dict[str, Any]] = []
    info: list[dict[str, Any]] = []
    for i, iri in enumerate(order):
        a = g.nodes[iri]
        kind = str(a.get("kind", "other"))
        color, shape, base = KIND_STYLE.get(kind, KIND_STYLE["other"])
        count = int(a.get("cited_count", 0))
        if kind in DOCUMENT_KINDS and iri in hubs:
            base += 14
        x, y = positions[iri]
        nodes.append(
            {
                "id": i,
                "label": str(a.get("label", iri)),
                "shape": shape,
                "color": color,
                # logarithmic: a treaty cited by hundreds of clauses must not cover the page
                "size": round(base + min(6 * math.log2(1 + count), 30), 1),
                "x": x,
                "y": y,
            }
        )
        document = str(a.get("document") or "")
        link = str(a.get("link") or "")
        row: dict[str, Any] = {
            "iri": iri,
            "kind": kind,
            "document": index.get(document),
            "cited": count,
            "group": group_of[iri],
        }
        texts = {
            "text": a.get("text"),
            "title": a.get("title"),
            "phrase": a.get("phrase"),
            "date": a.get("date"),
            # only web links: a javascript: or data: "link" in the data is dropped
            "link": link if link.startswith(("https://", "http://")) else "",
            "session": a.get("session"),
            "organ": a.get("organ"),
            "source": a.get("source"),
        }
        # empty texts are left out (the page reads them as ""): a third of a big page
        row.update({k: str(v) for k, v in texts.items() if v})
        info.append(row)
    # an edge may carry several relations ("recalls, reaffirms"): the legend lists each
    relations = sorted(
        {
            r
            for _, _, d in g.edges(data=True)
            if d.get("kind") == "cites"
            for r in str(d.get("relation") or "cites").split(", ")
        }
    )
    relation_colors = _relation_colors(relations)
    # columns, not one object per edge: 100,000 edges as objects are 30 MB of page
    columns: dict[str, list[int]] = {"from": [], "to": [], "style": [], "relation": []}
    styles: dict[tuple[str, str, str, float], int] = {}
    relation_names: dict[str, int] = {}
    vias: dict[str, list[int]] = {}  # edge -> the footnotes it goes through, drawn ones
    via_names: dict[str, list[str]] = {}  # edge -> labels of its footnotes not drawn
    writtens: dict[str, list[str]] = {}  # edge -> the citations' words as written
    for k, (s, t, d) in enumerate(g.edges(data=True)):
        kind = str(d.get("kind", "cites"))
        relation = str(d.get("relation") or kind)
        via_iris = str(d.get("via_footnote") or "").split()
        edge_color, dashes, width = EDGE_KIND_STYLE.get(kind, ("#c8c8c8", False, 1))
        if kind == "cites":
            edge_color = relation_colors[_primary_relation(relation)]
            dashes = _VIA_FOOTNOTE_DASHES if via_iris else False
            width = 2.0
        style = (kind, edge_color, json.dumps(dashes), float(width))
        columns["from"].append(index[s])
        columns["to"].append(index[t])
        columns["style"].append(styles.setdefault(style, len(styles)))
        columns["relation"].append(relation_names.setdefault(relation, len(relation_names)))
        if via_iris:
            # at document level the footnote itself is not drawn: the page names it
            vias[str(k)] = [index[v] for v in via_iris if v in index]
            hidden = [_via_label(g, v) for v in via_iris if v not in index]
            if hidden:
                via_names[str(k)] = hidden
        written = [w for w in str(d.get("written") or "").split("\n") if w]
        if written:
            writtens[str(k)] = written
    edge_styles = [
        {"kind": kind, "color": color, "dashes": json.loads(dashes), "width": width}
        for (kind, color, dashes, width) in styles
    ]
    edge_kinds = [str(s["kind"]) for s in edge_styles]

    kinds_present = sorted({str(i["kind"]) for i in info}, key=list(KIND_STYLE).index)
    edge_kinds_present = sorted(set(edge_kinds) - {"cites"})
    group_rows = _group_rows(names, info, positions, order)
    focus = g.graph.get("focus")
    return {
        "title": title,
        "level": str(g.graph.get("level", "")),
        "view": str(g.graph.get("view", "")),
        "notice": str(g.graph.get("notice", "")),
        "filter": str(g.graph.get("filter", "")),
        "focus": index.get(str(focus)) if focus else None,
        "physics": physics,
        "lod": lod,
        "openAll": lod and len(order) <= OPEN_ALL_LIMIT,
        "nodes": nodes,
        "info": info,
        "edges": columns,
        "edgeStyles": edge_styles,
        "relationNames": list(relation_names),
        "via": vias,
        "viaNames": via_names,
        "written": writtens,
        "groups": group_rows,
        "filters": {
            "organs": sorted({o for i in info for o in str(i.get("organ", "")).split(", ") if o}),
            # sessions, then years of adoption (documents cited from outside have no session)
            "sessions": sorted(
                {str(i["session"]) for i in info if i.get("session")}
                | {
                    str(i["date"])[:4]
                    for i in info
                    if str(i.get("date", ""))[:4].isdigit() and i["kind"] in DOCUMENT_KINDS
                },
                key=lambda s: (len(s), s),
            ),
        },
        "analytics": _analytics(g, index),
        "legend": {
            "kinds": [
                {
                    "kind": k,
                    "name": kind_name(k),
                    "color": KIND_STYLE[k][0],
                    "shape": KIND_STYLE[k][1],
                }
                for k in kinds_present
            ],
            "relations": [{"name": r, "color": relation_colors[r]} for r in relations],
            "edges": [
                {
                    "kind": k,
                    "name": _EDGE_LEGEND.get(k, k),
                    "color": EDGE_KIND_STYLE.get(k, ("#c8c8c8", False, 1))[0],
                    "dashes": EDGE_KIND_STYLE.get(k, ("#c8c8c8", False, 1))[1],
                }
                for k in edge_kinds_present
            ],
            "viaFootnote": bool(vias),
        },
        "options": _vis_options(len(order), physics),
    }


def _via_label(g: nx.DiGraph, v: str) -> str:
    if v in g:
        return str(g.nodes[v].get("label", v))
    head, _, tail = v.rpartition("/")
    return f"{head.rpartition('/')[2]} {tail}"


def _analytics(g: nx.DiGraph, index: dict[str, int]) -> dict[str, Any]:
    """Most cited and clusters for the page's panel (document-level views only)."""
    from .analytics import page_summary

    if g.graph.get("level") != "document":
        return {"mostCited": [], "clusters": []}
    return page_summary(g, index)


def groups(g: nx.DiGraph) -> tuple[list[str], dict[str, int]]:
    """The level-of-detail groups: their names in display order, and each node's group.

    Documents (and their clauses) by organ and session, else by year of
    adoption; treaties, volumes and organs in a group each.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_node("a", kind="resolution", organ="General Assembly", session="70")
    >>> g.add_node("b", kind="resolution", organ="General Assembly", session="9")
    >>> g.add_node("t", kind="treaty")
    >>> names, group_of = groups(g)
    >>> names
    ['General Assembly, session 9', 'General Assembly, session 70', 'Treaties']
    >>> group_of
    {'a': 1, 'b': 0, 't': 2}
    """
    by_key: dict[tuple[Any, ...], list[str]] = {}
    for n, a in g.nodes(data=True):
        by_key.setdefault(_group_key(a), []).append(n)
    keys: dict[str, tuple[Any, ...]] = {}
    for key, members in by_key.items():
        # a group opens in one go: split the big ones (documents cited from outside the corpus)
        parts = math.ceil(len(members) / MAX_GROUP)
        for i, n in enumerate(sorted(members)):
            part = i * parts // len(members)
            name = f"{key[-1]} ({part + 1}/{parts})" if parts > 1 else key[-1]
            keys[n] = (*key[:-1], part, name)
    ordered = sorted(set(keys.values()))
    number = {k: i for i, k in enumerate(ordered)}
    return [k[-1] for k in ordered], {n: number[k] for n, k in keys.items()}


_GROUP_RANK = {"treaty": 1, "volume": 2, "organ": 3}
_GROUP_NAME = {"treaty": "Treaties", "volume": "Treaty Series volumes", "organ": "Organs"}


def _group_key(a: dict[str, Any]) -> tuple[Any, ...]:
    kind = str(a.get("kind", "other"))
    if kind in _GROUP_RANK:
        return (_GROUP_RANK[kind], "", 0, "", _GROUP_NAME[kind])
    if kind not in DOCUMENT_KINDS and kind not in PART_KINDS:
        return (4, "", 0, "", "Other")
    organ = str(a.get("organ") or "").split(", ")[0]
    who = organ or "Documents"
    session = str(a.get("session") or "")
    year = str(a.get("date") or "")[:4]
    if session:
        num = int(session) if session.isdigit() else 0
        return (0, organ, 0, f"{num:09d}{session}", f"{who}, session {session}")
    if year.isdigit():
        return (0, organ, 1, year, f"{who}, {year} (cited)")
    return (0, organ, 2, "", f"{who} (cited, undated)")


def _group_rows(
    names: list[str],
    info: list[dict[str, Any]],
    positions: dict[str, tuple[float, float]],
    order: list[str],
) -> list[dict[str, Any]]:
    """Per group: name, size, centre and radius of its members (where its cluster node sits)."""
    members: list[list[int]] = [[] for _ in names]
    for i, d in enumerate(info):
        members[int(d["group"])].append(i)
    rows = []
    for name, m in zip(names, members, strict=True):
        xs = [positions[order[i]][0] for i in m]
        ys = [positions[order[i]][1] for i in m]
        cx, cy = (sum(xs) / len(m), sum(ys) / len(m)) if m else (0.0, 0.0)
        radius = max((math.hypot(x - cx, y - cy) for x, y in zip(xs, ys, strict=True)), default=0)
        rows.append(
            {
                "name": name,
                "size": len(m),
                "x": round(cx, 1),
                "y": round(cy, 1),
                "radius": round(radius, 1),
            }
        )
    return rows


def layout(g: nx.DiGraph, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Deterministic positions in pixels for every node.

    Up to `SPRING_LIMIT` nodes: a force-directed layout over the whole graph.
    A document-level view up to `FORCE_LIMIT` nodes likewise; above it, the
    groups of `groups` are packed in reading order (sessions in turn), each a
    disc of its members with the most cited at its centre (linear time: 20,000
    nodes in well under a second).
    Clause-level views of several documents: each document whose clauses are
    drawn is a hub on a sunflower spiral, spaced so its rings of clauses and
    footnotes do not overlap the next; the documents, treaties, volumes and
    organs they cite settle among their citers (force layout with the hubs
    fixed, or the citers' centroid when they are too many).
    """
    nodes = list(g.nodes)
    if not nodes:
        return {}
    if len(nodes) <= SPRING_LIMIT:
        pos = _force(g, nodes, seed)
        if pos is not None:
            return pos
    parts: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for n in nodes:
        a = g.nodes[n]
        doc = str(a.get("document") or "")
        if a.get("kind") in PART_KINDS and doc in g:
            parts.setdefault(doc, []).append(n)
            owner[n] = doc
    hubs = sorted(parts)
    others = [n for n in nodes if n not in owner and n not in parts]
    if not hubs:
        if len(nodes) <= FORCE_LIMIT:
            pos = _force(g, nodes, seed)
            if pos is not None:
                return pos
        return _group_layout(g, nodes)

    # 1. hubs: Vogel's spiral has about sqrt(pi / n) between neighbours in the unit disc
    spacing = 2 * max(_ring_radius(len(m)) for m in parts.values()) + 120
    pos = _scale(_sunflower(g, hubs), spacing * math.sqrt(len(hubs) / math.pi))
    # 2. everything else among the hubs that cite it (clauses contracted onto their document)
    neighbours: dict[str, set[str]] = {n: set() for n in others}
    for u, v in g.edges:
        a, b = owner.get(u, u), owner.get(v, v)
        if a != b:
            if a in neighbours:
                neighbours[a].add(b)
            if b in neighbours:
                neighbours[b].add(a)
    pos.update(_around_centroids(others, neighbours, pos, spacing))
    if others and len(others) + len(hubs) <= FORCE_LIMIT:
        settled = _force(
            g, others + hubs, seed, pos=pos, fixed=set(hubs), k=spacing / 2, owner=owner
        )
        if settled is not None:
            pos.update(settled)
    # 3. rings of 24, 36, 48 … clauses around their document, in reading order of the IRIs
    for doc, members in parts.items():
        cx, cy = pos[doc]
        ring, start, radius = 0, 0, 60.0
        while start < len(members):
            size = 24 + 12 * ring
            chunk = members[start : start + size]
            for k, n in enumerate(chunk):
                angle = 2 * math.pi * k / len(chunk) + ring * 0.3
                pos[n] = (
                    round(cx + radius * math.cos(angle), 1),
                    round(cy + radius * math.sin(angle), 1),
                )
            start += size
            ring += 1
            radius += 35
    return pos


def _group_layout(g: nx.DiGraph, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Groups packed on shelves in their order, each a sunflower disc of its members."""
    names, group_of = groups(g)
    members: list[list[str]] = [[] for _ in names]
    for n in nodes:
        members[group_of[n]].append(n)
    step = 60.0  # pixels between neighbours in a disc: a dot is 28-90 pixels across
    radii = [step * math.sqrt(len(m)) / 1.7 + 40 for m in members]
    width = 1.3 * math.sqrt(sum((2 * r) ** 2 for r in radii))
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for m, r in zip(members, radii, strict=True):
        if not m:
            continue
        if x > 0 and x + 2 * r > width:
            x, y, row_height = 0.0, y + row_height + 60, 0.0
        cx, cy = x + r, y + r
        disc = _sunflower(g, m)
        for n, (u, v) in disc.items():
            pos[n] = (round(cx + u * (r - 40), 1), round(cy + v * (r - 40), 1))
        x += 2 * r + 60
        row_height = max(row_height, 2 * r)
    # centre the picture on the origin, where vis-network looks first
    mx = sum(p[0] for p in pos.values()) / len(pos)
    my = sum(p[1] for p in pos.values()) / len(pos)
    return {n: (round(px - mx, 1), round(py - my, 1)) for n, (px, py) in pos.items()}


def _ring_radius(members: int) -> float:
    """Radius of the outer ring `layout` draws for a document with `members` clauses.

    >>> _ring_radius(10), _ring_radius(24), _ring_radius(25)
    (60.0, 60.0, 95.0)
    """
    ring, placed = 0, 0
    while placed + 24 + 12 * ring < members:
        placed += 24 + 12 * ring
        ring += 1
    return 60.0 + 35 * ring


def _around_centroids(
    nodes: list[str],
    neighbours: dict[str, set[str]],
    pos: dict[str, tuple[float, float]],
    spacing: float,
) -> dict[str, tuple[float, float]]:
    """Each node at the centroid of its placed neighbours; nodes sharing a spot fan out."""
    spots: dict[tuple[float, float], list[str]] = {}
    outer = max((math.hypot(x, y) for x, y in pos.values()), default=0.0) + spacing
    loose = [n for n in nodes if not any(m in pos for m in neighbours[n])]
    out: dict[str, tuple[float, float]] = {}
    for k, n in enumerate(loose):  # cited by nobody drawn: a circle outside
        angle = 2 * math.pi * k / max(len(loose), 1)
        out[n] = (round(outer * math.cos(angle), 1), round(outer * math.sin(angle), 1))
    for n in nodes:
        placed = [pos[m] for m in sorted(neighbours[n]) if m in pos]
        if placed:
            x = sum(p[0] for p in placed) / len(placed)
            y = sum(p[1] for p in placed) / len(placed)
            spots.setdefault((round(x), round(y)), []).append(n)
    golden = math.pi * (3 - math.sqrt(5))
    for (x, y), group in spots.items():
        for i, n in enumerate(group):
            r = 30 * math.sqrt(i)
            out[n] = (
                round(x + r * math.cos(i * golden), 1),
                round(y + r * math.sin(i * golden), 1),
            )
    return out


def _force(
    g: nx.DiGraph,
    nodes: list[str],
    seed: int,
    *,
    pos: dict[str, tuple[float, float]] | None = None,
    fixed: set[str] | None = None,
    k: float | None = None,
    owner: dict[str, str] | None = None,
) -> dict[str, tuple[float, float]] | None:
    """A Fruchterman-Reingold layout in pixels (numpy, vectorised), or None without numpy.

    networkx's spring_layout takes 44 s for 5,000 nodes; this takes about a
    second for 1,500. With `owner`, edges of a clause count as edges of its
    document (the clauses themselves are not laid out); with `fixed`, those
    nodes keep their `pos`. A weak pull to the centre keeps unconnected nodes
    near the rest.
    """
    try:
        import numpy as np
    except ImportError:
        return None
    n = len(nodes)
    k = k or (110.0 if n <= 200 else 70.0)
    index = {v: i for i, v in enumerate(nodes)}
    pairs: set[tuple[int, int]] = set()
    for u, v in g.edges:
        a, b = (owner.get(u, u), owner.get(v, v)) if owner else (u, v)
        if a != b and a in index and b in index:
            i, j = index[a], index[b]
            pairs.add((min(i, j), max(i, j)))
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    radius = k * math.sqrt(n) / 2
    start = _sunflower(g, nodes)
    xy = np.array([start[v] for v in nodes], dtype=np.float64) * radius
    xy += rng.normal(scale=k / 10, size=xy.shape)
    if pos:
        for v, (x, y) in pos.items():
            if v in index:
                xy[index[v]] = (x, y)
    moving = np.ones(n, dtype=bool)
    for v in fixed or ():
        if v in index:
            moving[index[v]] = False
    iterations = 100 if n <= 500 else 50
    temperature = radius / 4
    k2 = np.float32(k * k)
    block = max(1, 4_000_000 // max(n, 1))  # rows per block: bounded memory (n² pairs)
    for step in range(iterations):
        xs = xy[:, 0].astype(np.float32)
        ys = xy[:, 1].astype(np.float32)
        disp = np.zeros_like(xy)
        for lo in range(0, n, block):
            dx = xs[lo : lo + block, None] - xs[None, :]
            dy = ys[lo : lo + block, None] - ys[None, :]
            d2 = dx * dx
            d2 += dy * dy
            np.maximum(d2, np.float32(1e-2), out=d2)
            np.divide(k2, d2, out=d2)  # repulsion k²/d along the unit vector: delta * k²/d²
            disp[lo : lo + block, 0] += (dx * d2).sum(axis=1)
            disp[lo : lo + block, 1] += (dy * d2).sum(axis=1)
        if len(edges):
            delta = xy[edges[:, 0]] - xy[edges[:, 1]]
            dist = np.sqrt((delta**2).sum(axis=1)) + 1e-9
            pull = delta * (dist / k)[:, None]
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(edges[:, 0], weights=pull[:, axis], minlength=n)
                disp[:, axis] += np.bincount(edges[:, 1], weights=pull[:, axis], minlength=n)
        disp -= xy * (0.02 * math.sqrt(n))  # gravity, scaled with the repulsion it balances
        length = np.sqrt((disp**2).sum(axis=1)) + 1e-9
        limit = temperature * (1 - step / iterations)
        move = disp * (np.minimum(length, limit) / length)[:, None]
        xy[moving] += move[moving]
    return {v: (round(float(xy[i, 0]), 1), round(float(xy[i, 1]), 1)) for i, v in enumerate(nodes)}


def _sunflower(g: nx.DiGraph, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Vogel's spiral in [-1, 1]², most cited first (at the centre); O(n), no numpy."""
    ranked = sorted(nodes, key=lambda n: (-int(g.nodes[n].get("cited_count", 0)), n))
    golden = math.pi * (3 - math.sqrt(5))
    count = max(len(ranked), 1)
    return {
        n: (
            math.sqrt((i + 0.5) / count) * math.cos(i * golden),
            math.sqrt((i + 0.5) / count) * math.sin(i * golden),
        )
        for i, n in enumerate(ranked)
    }


def _scale(pos: dict[str, tuple[float, float]], size: float) -> dict[str, tuple[float, float]]:
    return {n: (round(x * size, 1), round(y * size, 1)) for n, (x, y) in pos.items()}


@cache
def _primary_relation(relation: str) -> str:
    """The relation that colours an edge carrying several ("recalls, reaffirms").

    >>> _primary_relation("cites, reaffirms, recalls")
    'recalls'
    """
    order = list(RELATION_COLOR)
    return min(
        relation.split(", "),
        key=lambda r: (order.index(r) if r in order else len(order) - 1, r),
    )


def _relation_colors(relations: list[str]) -> dict[str, str]:
    colors: dict[str, str] = {}
    spare = iter(_FALLBACK_COLORS * (len(relations) // len(_FALLBACK_COLORS) + 1))
    for r in relations:
        colors[r] = RELATION_COLOR.get(r) or next(spare)
    return colors


def _vis_options(n: int, physics: bool) -> dict[str, Any]:
    """vis-network options: static, quick drawing for big graphs."""
    big = n > PHYSICS_LIMIT
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": LAYOUT_SEED},
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            # strong repulsion and overlap avoidance: a resolution is a hub of 20-80 clauses
            "barnesHut": {
                "gravitationalConstant": -9000,
                "springLength": 140,
                "centralGravity": 0.3,
                "avoidOverlap": 0.6,
            },
            # the layout is precomputed: a few iterations polish it (fewer on big graphs)
            "stabilization": {
                "enabled": physics,
                "iterations": 150 if n <= 200 else 60,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            # big views: edges are not drawn while dragging or zooming (frames stay cheap)
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {
            "font": {"size": 14, "face": "sans-serif"},
            "borderWidth": 1,
            # labels only when zoomed in far enough to read them
            "scaling": {"label": {"drawThreshold": LABEL_DRAW_THRESHOLD if big else 5}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if big else {"enabled": True, "type": "continuous"},
        },
    }


@cache
def _template(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


@cache
def _vis_asset(name: str) -> str:
    """vis-network's JS or CSS as shipped inside the pyvis package (no CDN)."""
    from importlib import resources

    lib = resources.files("pyvis") / "lib"
    folders = sorted(
        (p for p in lib.iterdir() if p.name.startswith("vis-") and (p / name).is_file()),
        key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.name)),
    )
    if not folders:
        raise OutputError(f"pyvis/lib/vis-*/{name}: not found in the pyvis install")
    text = folders[-1].joinpath(name).read_text(encoding="utf-8")
    # inlined into <script>/<style>: these would end the element early
    if re.search(r"</(script|style)|<!--", text, re.IGNORECASE):
        raise OutputError(f"pyvis {folders[-1].name}/{name}: cannot be inlined safely")
    return text


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
