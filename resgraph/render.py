"""Stage 5b: draw the network as one self-contained, offline HTML page.

pyvis 0.3.2's own page links Bootstrap and tom-select from CDNs and turns a
tooltip into raw HTML when it contains "href", so we use pyvis only for what
it is good at — the vis-network node and edge dictionaries (`pyvis.node.Node`,
`pyvis.edge.Edge`, built directly: `Network.add_node`/`add_edge` check
membership in lists, which is quadratic on large graphs) and the
vis-network JS/CSS it ships — and render through our own template
(`resgraph/templates/network.*`), with no template engine.

Everything the page shows is data, never markup: nodes, edges and texts are
embedded as JSON in a `<script type="application/json">` block with `<`, `>`,
`&` and U+2028/U+2029 escaped, and the page builds its DOM with
`textContent`. A Content-Security-Policy allows only our own inline scripts
(by hash) and no network access at all.

Layout is computed here (deterministic, seeded) so the page opens in place;
vis-network physics polishes graphs up to `PHYSICS_LIMIT` nodes and is off
above it.
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

PHYSICS_LIMIT = 1000  # above this many nodes vis-network physics is off (DESIGN.md §5)
SPRING_LIMIT = 500  # networkx's spring layout without scipy is dense: n² memory
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
    from pyvis.edge import Edge
    from pyvis.node import Node

    order = list(g.nodes)
    index = {iri: i for i, iri in enumerate(order)}
    positions = layout(g)
    physics = len(order) <= PHYSICS_LIMIT
    nodes: list[dict[str, Any]] = []
    info: list[dict[str, Any]] = []
    for i, iri in enumerate(order):
        a = g.nodes[iri]
        kind = str(a.get("kind", "other"))
        color, shape, base = KIND_STYLE.get(kind, KIND_STYLE["other"])
        count = int(a.get("cited_count", 0))
        if kind in DOCUMENT_KINDS and any(
            k == "part-of" and g.nodes[p].get("kind") in PART_KINDS
            for p, _, k in g.in_edges(iri, data="kind")
        ):
            base += 14  # a document whose own clauses are drawn: the centre of its cluster
        x, y = positions[iri]
        node = Node(
            i,
            shape,
            label=str(a.get("label", iri)),
            color=color,
            # logarithmic: a treaty cited by hundreds of clauses must not cover the page
            size=round(base + min(6 * math.log2(1 + count), 30), 1),
            x=x,
            y=y,
            title=str(a.get("tooltip", "")),
        ).options
        nodes.append(node)
        document = str(a.get("document") or "")
        link = str(a.get("link") or "")
        info.append(
            {
                "iri": iri,
                "kind": kind,
                "text": str(a.get("text") or ""),
                "title": str(a.get("title") or ""),
                "phrase": str(a.get("phrase") or ""),
                "date": str(a.get("date") or ""),
                # only web links: a javascript: or data: "link" in the data is dropped
                "link": link if link.startswith(("https://", "http://")) else "",
                "document": index.get(document),
                "cited": count,
            }
        )
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
    edges: list[dict[str, Any]] = []
    edge_info: list[dict[str, Any]] = []
    for s, t, d in g.edges(data=True):
        kind = str(d.get("kind", "cites"))
        relation = str(d.get("relation") or kind)
        vias = [index[v] for v in str(d.get("via_footnote") or "").split() if v in index]
        # at document level the footnote itself is not drawn: name it by its IRI's tail
        via_labels = [
            str(g.nodes[v].get("label", v))
            if v in g
            else v.rsplit("/", 2)[-2] + " " + v.rsplit("/", 1)[-1]
            for v in str(d.get("via_footnote") or "").split()
        ]
        edge_color, dashes, width = EDGE_KIND_STYLE.get(kind, ("#c8c8c8", False, 1))
        if kind == "cites":
            edge_color = relation_colors[_primary_relation(relation)]
            dashes = _VIA_FOOTNOTE_DASHES if via_labels else False
            width = 2.0
        tip = f"{g.nodes[s].get('label', s)} {relation} {g.nodes[t].get('label', t)}"
        if via_labels:
            tip += f" (via footnote {', '.join(via_labels)})"
        edges.append(
            Edge(
                index[s],
                index[t],
                directed=True,
                color=edge_color,
                dashes=dashes,
                width=width,
                title=tip,
            ).options
        )
        edge_info.append({"kind": kind, "relation": relation, "via": vias})

    kinds_present = sorted({str(i["kind"]) for i in info}, key=list(KIND_STYLE).index)
    edge_kinds_present = sorted({str(e["kind"]) for e in edge_info} - {"cites"})
    return {
        "title": title,
        "level": str(g.graph.get("level", "")),
        "physics": physics,
        "nodes": nodes,
        "edges": edges,
        "info": info,
        "edgeInfo": edge_info,
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
                    "name": _EDGE_LEGEND.get(k, k),
                    "color": EDGE_KIND_STYLE.get(k, ("#c8c8c8", False, 1))[0],
                    "dashes": EDGE_KIND_STYLE.get(k, ("#c8c8c8", False, 1))[1],
                }
                for k in edge_kinds_present
            ],
            "viaFootnote": any(e["via"] for e in edge_info),
        },
        "options": _vis_options(len(order), physics),
    }


def layout(g: nx.DiGraph, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Deterministic positions in pixels for every node.

    Up to `SPRING_LIMIT` nodes: networkx's spring layout over the whole graph.
    Above it (a corpus at clause level): each document whose clauses are drawn
    is a hub on a sunflower spiral, spaced so its rings of clauses and
    footnotes do not overlap the next; the documents, treaties, volumes and
    organs they cite settle among their citers (spring layout with the hubs
    fixed, or the citers' centroid when they are too many).
    """
    nodes = list(g.nodes)
    if not nodes:
        return {}
    if len(nodes) <= SPRING_LIMIT:
        pos = _spring(g, nodes, seed)
        if pos is not None:
            return _scale(pos, 60 * math.sqrt(len(nodes)) + 150)
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
        return _scale(_sunflower(g, nodes), 40 * math.sqrt(len(nodes)) + 150)

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
    if others and len(others) + len(hubs) <= SPRING_LIMIT:
        settled = _spring(g, others + hubs, seed, pos=pos, fixed=hubs, k=spacing / 2, owner=owner)
        if settled is not None:
            pos.update({n: (round(x, 1), round(y, 1)) for n, (x, y) in settled.items()})
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


def _spring(
    g: nx.DiGraph,
    nodes: list[str],
    seed: int,
    *,
    pos: dict[str, tuple[float, float]] | None = None,
    fixed: list[str] | None = None,
    k: float | None = None,
    owner: dict[str, str] | None = None,
) -> dict[str, tuple[float, float]] | None:
    """networkx's Fruchterman-Reingold layout, or None when numpy is not installed.

    With `owner`, edges of a clause count as edges of its document (the clauses
    themselves are not laid out); with `fixed`, those nodes keep their `pos`.
    """
    try:
        import networkx as nx
        import numpy  # noqa: F401  (networkx's layouts need it)
    except ImportError:
        return None
    if owner is None:
        sub = g.subgraph(nodes).to_undirected(as_view=True)
    else:
        keep = set(nodes)
        sub = nx.Graph()
        sub.add_nodes_from(nodes)
        for u, v in g.edges:
            a, b = owner.get(u, u), owner.get(v, v)
            if a != b and a in keep and b in keep:
                sub.add_edge(a, b)
    raw = nx.spring_layout(
        sub, seed=seed, iterations=100 if fixed is None else 50, pos=pos, fixed=fixed, k=k
    )
    return {n: (float(raw[n][0]), float(raw[n][1])) for n in nodes}


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
            "hideEdgesOnDrag": n > PHYSICS_LIMIT,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {"font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if n > PHYSICS_LIMIT else {"enabled": True, "type": "continuous"},
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
