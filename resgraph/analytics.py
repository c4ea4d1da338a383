"""Analytics over the document-level citation network (networkx), for the CLI and the page.

- `most_cited`: instruments by how many documents cite them (in-degree) and by
  PageRank (a citation from a much-cited resolution counts more);
- `citation_chain`: the shortest path of citations from one resolution back
  to another;
- `clusters`: resolutions that cite alike — bibliographic coupling (two
  documents are coupled by every instrument both cite) split into
  communities (Louvain, seeded);
- `export_graph`: GraphML and GEXF files that Gephi and Cytoscape open
  (every attribute a str, int or float: no None, no lists).

The input is a view from `network.py` (`corpus_view` is the usual one); only
its "cites" edges count as citations.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_write
from .errors import ResgraphError
from .network import DOCUMENT_KINDS

if TYPE_CHECKING:
    import argparse

    import networkx as nx

DAMPING = 0.85
COUPLING_MAX_CITERS = 300  # an instrument cited by more documents couples nothing telling
CLUSTER_SEED = 7


@dataclass(frozen=True)
class Cited:
    """One row of `most_cited`."""

    iri: str
    label: str
    kind: str
    citing_documents: int
    pagerank: float


def citations(g: nx.DiGraph) -> nx.DiGraph:
    """The "cites" edges of `g` between its nodes, with the nodes' attributes."""
    import networkx as nx

    out = nx.DiGraph()
    out.add_nodes_from(g.nodes(data=True))
    out.add_edges_from((s, t, d) for s, t, d in g.edges(data=True) if d.get("kind") == "cites")
    return out


def pagerank(g: nx.DiGraph, *, damping: float = DAMPING, iterations: int = 100) -> dict[str, float]:
    """PageRank of every node over the "cites" edges (power iteration, no scipy needed).

    A document citing nothing spreads its rank evenly (the usual dangling-node rule).

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "c", kind="cites"); g.add_edge("b", "c", kind="cites")
    >>> r = pagerank(g)
    >>> max(r, key=r.get), round(sum(r.values()), 6)
    ('c', 1.0)
    """
    import numpy as np

    nodes = list(g.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    links = np.array(
        [(index[s], index[t]) for s, t, k in g.edges(data="kind") if k == "cites"], dtype=np.int64
    ).reshape(-1, 2)
    out_degree = np.bincount(links[:, 0], minlength=n).astype(np.float64)
    dangling = out_degree == 0
    share = np.divide(1.0, out_degree, out=np.zeros(n), where=~dangling)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = np.bincount(links[:, 1], weights=(rank * share)[links[:, 0]], minlength=n)
        new = damping * new + (1 - damping + damping * rank[dangling].sum()) / n
        delta = float(np.abs(new - rank).sum())
        rank = new
        if delta < 1e-12 * n:
            break
    return {v: float(rank[i]) for i, v in enumerate(nodes)}


def most_cited(g: nx.DiGraph, limit: int = 20) -> list[Cited]:
    """Instruments cited by the most documents, ties broken by PageRank then IRI."""
    ranks = pagerank(g)
    citing: dict[str, set[str]] = defaultdict(set)
    for s, t, k in g.edges(data="kind"):
        if k == "cites":
            citing[t].add(s)
    rows = [
        Cited(v, str(g.nodes[v].get("label", v)), str(g.nodes[v].get("kind", "")), len(c), ranks[v])
        for v, c in citing.items()
    ]
    rows.sort(key=lambda r: (-r.citing_documents, -r.pagerank, r.iri))
    return rows[:limit]


def citation_chain(g: nx.DiGraph, source: str, target: str) -> list[tuple[str, str]]:
    """The shortest path of citations from `source` back to `target`.

    Returns (node, relation by which the previous node cites it) pairs, the
    first with relation "". Raises ResgraphError when either is missing or no
    chain exists.
    """
    import networkx as nx

    cites = citations(g)
    for v in (source, target):
        if v not in cites:
            raise ResgraphError(f"{v}: not in the citation network")
    try:
        path = nx.shortest_path(cites, source, target)
    except nx.NetworkXNoPath:
        raise ResgraphError(f"no chain of citations from {source} to {target}") from None
    return [(path[0], "")] + [
        (b, str(cites.edges[a, b].get("relation", "cites"))) for a, b in itertools.pairwise(path)
    ]


def coupling(
    g: nx.DiGraph, *, max_citers: int = COUPLING_MAX_CITERS, min_weight: int = 1
) -> nx.Graph:
    """Bibliographic coupling: documents joined by how many instruments both cite.

    Instruments cited by more than `max_citers` documents are left out: they
    couple almost everything (and would make this quadratic).
    """
    import networkx as nx

    citers: dict[str, list[str]] = defaultdict(list)
    for s, t, k in g.edges(data="kind"):
        if k == "cites" and g.nodes[s].get("kind") in DOCUMENT_KINDS:
            citers[t].append(s)
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for docs in citers.values():
        if len(docs) > max_citers:
            continue
        docs = sorted(docs)
        for i, a in enumerate(docs):
            for b in docs[i + 1 :]:
                weights[a, b] += 1
    cg = nx.Graph()
    cg.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items() if w >= min_weight)
    return cg


def clusters(
    g: nx.DiGraph,
    *,
    min_size: int = 2,
    max_citers: int = COUPLING_MAX_CITERS,
    min_weight: int = 1,
) -> list[list[str]]:
    """Groups of documents that cite alike (Louvain communities of the coupling graph).

    Largest first; documents coupled with nobody are left out. `max_citers` and
    `min_weight` thin the coupling graph (see `coupling`): the page uses a
    sparser one, so that it is written in seconds.
    """
    import networkx as nx

    cg = coupling(g, max_citers=max_citers, min_weight=min_weight)
    if cg.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(cg, weight="weight", seed=CLUSTER_SEED)
    groups = [sorted(c) for c in found if len(c) >= min_size]
    groups.sort(key=lambda c: (-len(c), c[0]))
    return groups


def exportable(g: nx.DiGraph) -> nx.DiGraph:
    """A copy whose attributes GraphML and GEXF can hold: str, int, float only.

    None becomes "", lists and sets are joined with "; ", booleans stay as
    they are only in GraphML terms (written as "true"/"false" strings here,
    since Cytoscape reads GEXF booleans poorly).
    """
    import networkx as nx

    def clean(attrs: dict[str, Any]) -> dict[str, str | int | float]:
        out: dict[str, str | int | float] = {}
        for k, v in attrs.items():
            if v is None:
                out[k] = ""
            elif isinstance(v, bool):
                out[k] = "true" if v else "false"
            elif isinstance(v, int | str):
                out[k] = v
            elif isinstance(v, float):
                out[k] = v if math.isfinite(v) else ""
            elif isinstance(v, list | tuple | set | frozenset):
                out[k] = "; ".join(sorted(str(x) for x in v))
            else:
                out[k] = str(v)
        return out

    h = nx.DiGraph()
    for v, a in g.nodes(data=True):
        h.add_node(v, **clean(a))
    for s, t, a in g.edges(data=True):
        h.add_edge(s, t, **clean(a))
    # every node carries every attribute, with one type: Gephi wants declared columns
    for items in (h.nodes.values(), h.edges.values()):
        _fill_columns(list(items))
    return h


def _fill_columns(items: list[dict[str, Any]]) -> None:
    types: dict[str, type] = {}
    for a in items:
        for k, v in a.items():
            t = type(v)
            if types.get(k, t) is not t:
                types[k] = str  # mixed types: all as text
            else:
                types.setdefault(k, t)
    default: dict[type, str | int | float] = {str: "", int: 0, float: 0.0}
    for a in items:
        for k, t in types.items():
            if k not in a:
                a[k] = default[t]
            elif t is str and not isinstance(a[k], str):
                a[k] = str(a[k])


def export_graph(g: nx.DiGraph, path: str | Path) -> Path:
    """Write `g` as GraphML (.graphml) or GEXF (.gexf), atomically."""
    import networkx as nx

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".graphml", ".gexf"):
        raise ResgraphError(f"{target}: export writes .graphml or .gexf files")
    h = exportable(g)
    ranks = pagerank(h)
    for v in h.nodes:
        h.nodes[v]["pagerank"] = round(ranks.get(v, 0.0), 8)

    def write(tmp: Path) -> None:
        if suffix == ".graphml":
            nx.write_graphml(h, tmp)
        else:
            nx.write_gexf(h, tmp)

    atomic_write(target, write)
    return target


def most_cited_csv(rows: list[Cited]) -> str:
    """`most_cited` rows as CSV (header first)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["rank", "iri", "label", "kind", "citing_documents", "pagerank"])
    for i, r in enumerate(rows, 1):
        w.writerow([i, r.iri, r.label, r.kind, r.citing_documents, f"{r.pagerank:.6f}"])
    return buf.getvalue()


def chain_csv(g: nx.DiGraph, chain: list[tuple[str, str]]) -> str:
    """A citation chain as CSV: step, document, label, relation to the previous step."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["step", "iri", "label", "relation"])
    for i, (v, rel) in enumerate(chain):
        w.writerow([i, v, g.nodes[v].get("label", v), rel])
    return buf.getvalue()


def clusters_csv(g: nx.DiGraph, groups: list[list[str]]) -> str:
    """Clusters as CSV: one row per member, clusters numbered from 1 (largest first)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["cluster", "size", "iri", "label"])
    for i, group in enumerate(groups, 1):
        for v in group:
            w.writerow([i, len(group), v, g.nodes[v].get("label", v)])
    return buf.getvalue()


def page_summary(g: nx.DiGraph, index: dict[str, int], *, top: int = 15) -> dict[str, Any]:
    """What the page's analytics panel lists, by node index: most cited and clusters."""
    cited = [
        {"node": index[r.iri], "documents": r.citing_documents, "pagerank": round(r.pagerank, 5)}
        for r in most_cited(g, top)
        if r.iri in index
    ]
    docs = sum(1 for _, k in g.nodes(data="kind") if k in DOCUMENT_KINDS)
    # the page's clusters: only instruments cited by at most 100 documents, pairs sharing two
    # or more (Louvain over the full coupling graph takes seconds past 1,000 documents)
    groups = clusters(g, max_citers=100, min_weight=2) if 2 < docs <= 5000 else []
    return {
        "mostCited": cited,
        "clusters": [[index[v] for v in c if v in index] for c in groups[:top]],
    }


def run_report(target: Any, args: argparse.Namespace) -> str:
    """`resgraph analytics REPORT`: the CSV text, or a line naming the file written."""
    from .network import corpus_view, document_param

    g = corpus_view(target, base=args.base)
    if args.report == "export":
        if not args.out:
            raise ResgraphError("analytics export needs --out FILE.graphml or FILE.gexf")
        path = export_graph(g, args.out)
        return f"{path}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges\n"
    if args.report == "most-cited":
        text = most_cited_csv(most_cited(g, args.limit))
    elif args.report == "chain":
        if not (args.source and args.target):
            raise ResgraphError("analytics chain needs --source and --target")
        chain = citation_chain(
            g, document_param(args.source, args.base), document_param(args.target, args.base)
        )
        text = chain_csv(g, chain)
    else:
        text = clusters_csv(g, clusters(g))
    if args.out:

        def write(tmp: Path) -> None:
            tmp.write_text(text, encoding="utf-8")

        atomic_write(Path(args.out), write)
        return f"{args.out}: {text.count(chr(10)) - 1} rows\n"
    return text
