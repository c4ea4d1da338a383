"""Stage 5a: project the RDF graph into a networkx graph for the network page.

Nodes and edges come from two named queries, `queries/network-nodes.rq` and
`queries/network-edges.rq` (run through `store.run_query`, so a Dataset is
read as the union of its named graphs); this module only merges their rows
and keeps the view's level:

- "clause": documents, clauses, footnotes and everything they cite. A
  document's own `eli:cites` edges are dropped when its clauses are in the
  view (they repeat the clauses' edges).
- "document": documents, treaties, Treaty Series volumes and organs, with the
  documents' `eli:cites` edges (for corpora).

Node ids are IRIs. Node attributes: kind, label, text, title, tooltip (plain
text), link (undocs.org), document (IRI of the document a clause belongs to),
phrase, cited_count. Edge attributes: kind, relation, via_footnote.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args
from urllib.parse import unquote

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

    from .store import QueryResult

Level = Literal["clause", "document"]
NodeKind = Literal[
    "resolution",
    "document",
    "preambular",
    "operative",
    "subparagraph",
    "annex",
    "clause",
    "footnote",
    "treaty",
    "volume",
    "organ",
    "other",
]
EdgeKind = Literal["cites", "part-of", "anchored-in", "in-volume", "procedure", "organ"]

# the most specific kind first: a node typed rg:Resolution and rg:Document is a resolution
NODE_KINDS: tuple[NodeKind, ...] = get_args(NodeKind)
_KIND_RANK = {
    k: i
    for i, k in enumerate(
        (
            "resolution",
            "preambular",
            "operative",
            "subparagraph",
            "annex",
            "footnote",
            "treaty",
            "volume",
            "organ",
            "document",
            "clause",
            "other",
        )
    )
}
DOCUMENT_KINDS: frozenset[str] = frozenset({"resolution", "document"})
PART_KINDS: frozenset[str] = frozenset(
    {"preambular", "operative", "subparagraph", "annex", "clause", "footnote"}
)
# when two kinds of edge join the same pair, the more telling one names the edge
_EDGE_RANK: dict[str, int] = {k: i for i, k in enumerate(get_args(EdgeKind))}
_EDGE_RELATION: dict[str, str] = {
    "part-of": "part of",
    "anchored-in": "anchored in",
    "in-volume": "in volume",
}
DEFAULT_RELATION = "cites"

# how clause keys read on the page: "op/6/a" -> "OP 6(a)"
_KEY_PREFIX = {"pp": "PP", "op": "OP", "fn": "fn", "annex": "Annex"}
_KIND_ABBREVIATION = {
    "preambular": "PP",
    "operative": "OP",
    "subparagraph": "",
    "annex": "Annex",
    "clause": "",
    "footnote": "fn",
}
_KIND_NAME = {
    "resolution": "Resolution",
    "document": "Document",
    "preambular": "Preambular paragraph",
    "operative": "Operative paragraph",
    "subparagraph": "Sub-paragraph",
    "annex": "Annex paragraph",
    "clause": "Clause",
    "footnote": "Footnote",
    "treaty": "Treaty",
    "volume": "Treaty Series volume",
    "organ": "Organ",
    "other": "Other",
}
_TOOLTIP_TEXT = 300  # characters of clause text shown on hover (the side panel has all)
_LABEL_MAX = 40


def kind_name(kind: str) -> str:
    """The human name of a node kind, for legends and tooltips.

    >>> kind_name("volume")
    'Treaty Series volume'
    """
    return _KIND_NAME.get(kind, kind)


def clause_label(key: str) -> str:
    """A short label for a clause or footnote key (the IRI path under its document).

    >>> [clause_label(k) for k in ("pp/3", "op/6", "op/6/a/ii", "fn/2", "annex/1/5")]
    ['PP 3', 'OP 6', 'OP 6(a)(ii)', 'fn 2', 'Annex 1.5']
    """
    head, *rest = key.split("/")
    prefix = _KEY_PREFIX.get(head, head)
    if not rest:
        return prefix
    if head == "annex":
        return f"{prefix} {'.'.join(rest)}"
    return f"{prefix} {rest[0]}" + "".join(f"({r})" for r in rest[1:])


def relation_label(relation: str) -> str:
    """Words for a relation concept IRI (its local name split at capitals).

    >>> relation_label("https://w3id.org/resgraph/relation/takesNoteOf")
    'takes note of'
    >>> relation_label("recalls")
    'recalls'
    """
    local = re.split(r"[/#]", relation.rstrip("/#"))[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", unquote(local)).lower()


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters.

    >>> shorten("Recalling  its resolution\\n66/172 of 19 December 2011", 30)
    'Recalling its resolution …'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut + " …"


@dataclass
class _NodeRows:
    """Everything the node query said about one node (several rows are merged)."""

    kinds: set[str] = field(default_factory=set)
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def first(self, name: str) -> str | None:
        vals = self.values.get(name)
        return min(vals) if vals else None


@dataclass
class _EdgeRows:
    kinds: set[str] = field(default_factory=set)
    relations: set[str] = field(default_factory=set)
    vias: set[str] = field(default_factory=set)


def to_network(graph: rdflib.Graph | rdflib.Dataset, *, level: Level | None = None) -> nx.DiGraph:
    """The network of documents, clauses, footnotes and what they cite.

    Args:
        graph: a Graph or a Dataset (read as the union of its named graphs).
        level: "clause" or "document"; None picks "clause" when at most one
            document has clauses in the graph (a single resolution) and
            "document" otherwise (a corpus).

    Returns:
        A DiGraph whose node ids are IRIs; `graph.graph["level"]` is the level used.
    """
    import networkx as nx

    from . import store

    nodes = _merge_nodes(_rows(store.run_query(graph, "network-nodes")))
    edges = _merge_edges(_rows(store.run_query(graph, "network-edges")))

    for s, t in edges:  # an edge to an untyped IRI still gets a node
        for iri in (s, t):
            if iri not in nodes:
                nodes[iri] = _NodeRows(kinds={"other"})
    kinds = {iri: min(rows.kinds, key=_KIND_RANK.__getitem__) for iri, rows in nodes.items()}
    documents_of = {iri: _document_of(iri, rows, kinds) for iri, rows in nodes.items()}
    with_parts = {
        d for iri, d in documents_of.items() if d is not None and kinds[iri] in PART_KINDS
    }
    if level is None:
        level = "clause" if len(with_parts) <= 1 else "document"

    def keep(iri: str) -> bool:
        return level == "clause" or kinds[iri] not in PART_KINDS

    g = nx.DiGraph(level=level)
    for iri in sorted(nodes):
        if keep(iri):
            g.add_node(iri, **_node_attributes(iri, nodes[iri], kinds, documents_of))
    for (s, t), e in sorted(edges.items()):
        if not (keep(s) and keep(t)):
            continue
        kind = min(e.kinds, key=_EDGE_RANK.__getitem__)
        if level == "clause" and kind == "cites" and s in with_parts:
            continue  # the document's clauses carry these citations
        if kind == "cites":
            relation = ", ".join(sorted({relation_label(r) for r in e.relations})) or (
                DEFAULT_RELATION
            )
        else:
            relation = ", ".join(sorted(e.relations)) or _EDGE_RELATION.get(kind, kind)
        via = " ".join(sorted(v for v in e.vias if v != s)) if kind == "cites" else ""
        g.add_edge(s, t, kind=kind, relation=relation, via_footnote=via)

    for iri in g.nodes:
        attrs = g.nodes[iri]
        attrs["cited_count"] = sum(1 for _, _, k in g.in_edges(iri, data="kind") if k == "cites")
        attrs["tooltip"] = _tooltip(attrs, g)
    return g


def _rows(result: QueryResult) -> list[dict[str, str]]:
    """Query rows as {variable: lexical value} with unbound variables left out."""
    return [
        {var: str(value) for var, value in zip(result.vars, row, strict=True) if value is not None}
        for row in result.rows
    ]


def _merge_nodes(rows: list[dict[str, str]]) -> dict[str, _NodeRows]:
    nodes: dict[str, _NodeRows] = defaultdict(_NodeRows)
    for row in rows:
        n = nodes[row["node"]]
        n.kinds.add(row["kind"] if row["kind"] in _KIND_RANK else "other")
        for name, value in row.items():
            if name not in ("node", "kind") and value.strip():
                n.values[name].add(value)
    return dict(nodes)


def _merge_edges(rows: list[dict[str, str]]) -> dict[tuple[str, str], _EdgeRows]:
    """One entry per (source, target); "citation" rows only annotate an eli:cites edge."""
    edges: dict[tuple[str, str], _EdgeRows] = defaultdict(_EdgeRows)
    citations: list[dict[str, str]] = []
    for row in rows:
        if row["source"] == row["target"]:
            continue
        if row["kind"] == "citation":
            citations.append(row)
        elif row["kind"] in _EDGE_RANK:
            e = edges[row["source"], row["target"]]
            e.kinds.add(row["kind"])
            if "relation" in row:
                e.relations.add(row["relation"])
    for row in citations:
        cited = edges.get((row["source"], row["target"]))
        if cited is None or "cites" not in cited.kinds:
            continue  # an rg:Citation without its eli:cites edge draws nothing
        if "relation" in row:
            cited.relations.add(row["relation"])
        if "via" in row:
            cited.vias.add(row["via"])
    return dict(edges)


def _document_of(iri: str, rows: _NodeRows, kinds: dict[str, str]) -> str | None:
    """The document a clause or footnote belongs to: the one whose IRI its own extends."""
    if kinds[iri] not in PART_KINDS:
        return None
    # the query lists everything the node is part of: its paragraph, its document and,
    # for a component, the work
    candidates = sorted(
        d for d in rows.values.get("document", ()) if kinds.get(d) in DOCUMENT_KINDS
    )
    if not candidates:
        return None
    # IRIs of clauses are minted under their document's (ids.clause_iri); a
    # document that is a component of a work also lists the work: take the nearest
    under = [d for d in candidates if iri.startswith(d + "/")]
    return max(under, key=len) if under else candidates[0]


def _node_attributes(
    iri: str, rows: _NodeRows, kinds: dict[str, str], documents_of: dict[str, str | None]
) -> dict[str, object]:
    kind = kinds[iri]
    document = documents_of[iri]
    label = _label(iri, kind, rows, document)
    text = rows.first("text") or ""
    title = rows.first("title") or ""
    if kind == "treaty":
        title = rows.first("label") or ""
    link = rows.first("link") or ""
    return {
        "kind": kind,
        "label": label,
        "text": text,
        "title": title,
        "link": link,
        "document": document or "",
        "phrase": rows.first("phrase") or "",
        "date": rows.first("date") or "",
    }


def _label(iri: str, kind: str, rows: _NodeRows, document: str | None) -> str:
    if kind in PART_KINDS:
        if document is not None and iri.startswith(document + "/"):
            return clause_label(unquote(iri[len(document) + 1 :]))
        number = rows.first("number")
        if number:
            return f"{_KIND_ABBREVIATION.get(kind, '')} {number}".strip()
    if kind in DOCUMENT_KINDS:
        symbol = rows.first("identifier") or rows.first("label")
        if symbol:
            return symbol
    if kind == "treaty":
        name = rows.first("shortName") or rows.first("label")
        if name:
            return shorten(name, _LABEL_MAX)
    if kind == "volume":
        if rows.first("label"):
            return rows.first("label") or ""
        if rows.first("volume"):
            return f"UNTS vol. {rows.first('volume')}"
    label = rows.first("label")
    if label:
        return shorten(label, _LABEL_MAX)
    return unquote(re.split(r"[/#]", iri.rstrip("/#"))[-1]) or iri


def _tooltip(attrs: dict[str, object], g: nx.DiGraph) -> str:
    """Plain text shown on hover (the page sets it with textContent, never as HTML)."""
    kind = str(attrs["kind"])
    head = f"{kind_name(kind)}: {attrs['label']}"
    document = str(attrs.get("document") or "")
    if document and document in g.nodes:
        head += f" — {g.nodes[document]['label']}"
    lines = [head]
    if attrs.get("date"):
        lines.append(f"adopted {attrs['date']}")
    for name in ("title", "text"):
        value = str(attrs.get(name) or "")
        if value and value != attrs["label"]:
            lines.append(shorten(value, _TOOLTIP_TEXT))
    count = int(str(attrs.get("cited_count", 0)))
    if count:
        lines.append(f"cited {count} time{'s' if count != 1 else ''} in this view")
    return "\n".join(lines)
