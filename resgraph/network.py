"""Stage 5a: project the RDF graph into a networkx graph for the network page.

Every view comes from a pair of named queries (nodes and edges) run through
`store.run_query`, so it works on an rdflib Dataset (the union of its named
graphs) and on anything else `run_query` accepts (the on-disk corpus store);
this module only merges their rows:

- `to_network`: the whole graph (`network-nodes`, `network-edges`);
- `corpus_view`: the document-level citation network (`network-corpus-*`);
- `resolution_view`: one resolution, its clauses and footnotes and what they
  cite; depth 2 adds what those cite (`network-resolution-*`, once per
  document reached);
- `treaty_view`: every clause and footnote citing a treaty, through which
  footnote and Treaty Series volume (`network-treaty-*`).

Levels:

- "clause": documents, clauses, footnotes and everything they cite. A
  document's own `eli:cites` edges are dropped when its clauses are in the
  view (they repeat the clauses' edges).
- "document": documents, treaties, Treaty Series volumes and organs, with the
  documents' `eli:cites` edges (for corpora).

Node ids are IRIs. Node attributes (all str or int, never None or lists, so
the graph exports to GraphML/GEXF as it is): kind, label, text, title,
tooltip (plain text), link (undocs.org), document (IRI of the document a
clause belongs to), phrase, date, session, organ (label), source (file),
cited_count. Edge attributes: kind, relation, via_footnote (IRIs, space
separated), written (the citations' texts as written, one a line).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args
from urllib.parse import unquote

from .errors import ResgraphError
from .ids import DEFAULT_BASE

if TYPE_CHECKING:
    import networkx as nx

    from .store import QueryResult

Level = Literal["clause", "document"]
View = Literal["corpus", "resolution", "treaty"]
VIEWS: tuple[View, ...] = get_args(View)
MAX_CLAUSE_NODES = 5000  # clause-level views are cut here, with a notice naming the filters
MAX_FRONTIER = 200  # documents expanded per step of a resolution view
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
    written: set[str] = field(default_factory=set)


class ViewError(ResgraphError):
    """A network view cannot be built: unknown focus, bad depth (one line)."""


def to_network(graph: Any, *, level: Level | None = None) -> nx.DiGraph:
    """The network of documents, clauses, footnotes and what they cite.

    Args:
        graph: a Graph or a Dataset (read as the union of its named graphs), or
            any target `store.run_query` accepts.
        level: "clause" or "document"; None picks "clause" when at most one
            document has clauses in the graph (a single resolution) and
            "document" otherwise (a corpus). "document" runs the corpus queries.

    Returns:
        A DiGraph whose node ids are IRIs; `graph.graph["level"]` is the level used.
    """
    from . import store

    if level == "document":
        return corpus_view(graph)
    nodes = _rows(store.run_query(graph, "network-nodes"))
    edges = _rows(store.run_query(graph, "network-edges"))
    return _assemble(nodes, edges, level=level)


def corpus_view(target: Any, *, base: str = DEFAULT_BASE) -> nx.DiGraph:
    """The document-level citation network of everything in `target`."""
    from . import store

    nodes = _rows(store.run_query(target, "network-corpus-nodes", base=base))
    edges = _rows(store.run_query(target, "network-corpus-edges", base=base))
    g = _assemble(nodes, edges, level="document")
    g.graph["view"] = "corpus"
    return g


def resolution_view(
    target: Any,
    focus: str,
    *,
    depth: int = 1,
    base: str = DEFAULT_BASE,
    max_documents: int = MAX_FRONTIER,
) -> nx.DiGraph:
    """One resolution's neighbourhood: its clauses, footnotes and what they cite.

    Depth 1 is the resolution with its parts and everything they cite; each
    further step adds what the documents reached cite (at document level:
    their own clauses are not drawn). At most `max_documents` documents are
    expanded per step (the most cited first); `graph["notice"]` says so.

    Raises:
        ViewError: the focus is not in the graph, or depth is below 1.
    """
    from . import store

    if depth < 1:
        raise ViewError(f"--depth {depth}: the depth must be 1 or more")
    focus_iri = document_param(focus, base)
    node_rows: list[dict[str, str]] = []
    edge_rows: list[dict[str, str]] = []
    done: set[str] = set()
    frontier = [focus_iri]
    notices: list[str] = []
    for step in range(depth):
        reached: list[str] = []
        for doc in frontier:
            done.add(doc)
            rows = _rows(
                store.run_query(target, "network-resolution-nodes", {"document": doc}, base=base)
            )
            if step == 0 and not rows:
                raise ViewError(f"{focus}: no such document in the graph")
            node_rows += rows
            edges = _rows(
                store.run_query(target, "network-resolution-edges", {"document": doc}, base=base)
            )
            edge_rows += edges
            reached += [e["target"] for e in edges if e["source"] == doc and e["kind"] == "cites"]
        kinds = _kinds_of(node_rows)
        nxt = sorted(
            {d for d in reached if d not in done and kinds.get(d) in DOCUMENT_KINDS},
            key=lambda d: (-reached.count(d), d),
        )
        if len(nxt) > max_documents:
            notices.append(
                f"depth {step + 2}: {len(nxt)} documents reached, the {max_documents} most "
                "cited are expanded (use --depth 1, or the corpus view with --session)"
            )
            nxt = nxt[:max_documents]
        frontier = nxt
    g = _assemble(node_rows, edge_rows, level="clause", parts_of={focus_iri})
    g.graph.update(view="resolution", focus=focus_iri, depth=depth)
    if notices:
        g.graph["notice"] = "; ".join(notices)
    return g


def treaty_view(target: Any, treaty: str, *, base: str = DEFAULT_BASE) -> nx.DiGraph:
    """Every clause and footnote citing `treaty`, with their documents, footnotes and volumes.

    `treaty` is the treaty's IRI, the last segment of its IRI ("untoc"), its
    short name or its name (case-insensitive).

    Raises:
        ViewError: no treaty matches.
    """
    from . import store

    nodes = _rows(store.run_query(target, "network-treaty-nodes", {"treaty": treaty}, base=base))
    if not any(r["kind"] == "treaty" for r in nodes):
        raise ViewError(f"{treaty}: no such treaty in the graph (give its IRI, id or short name)")
    edges = _rows(store.run_query(target, "network-treaty-edges", {"treaty": treaty}, base=base))
    g = _assemble(nodes, edges, level="clause")
    focus = next(r["node"] for r in nodes if r["kind"] == "treaty")
    g.graph.update(view="treaty", focus=focus)
    return g


def build_view(
    target: Any,
    view: View,
    *,
    focus: str | None = None,
    depth: int = 1,
    base: str = DEFAULT_BASE,
    session: str | None = None,
    organ: str | None = None,
    max_clauses: int = MAX_CLAUSE_NODES,
) -> nx.DiGraph:
    """The named view, filtered by session/organ and capped at `max_clauses` clause nodes."""
    if view == "corpus":
        g = corpus_view(target, base=base)
    elif focus is None:
        raise ViewError(f"--view {view} needs --focus")
    elif view == "resolution":
        g = resolution_view(target, focus, depth=depth, base=base)
    elif view == "treaty":
        g = treaty_view(target, focus, base=base)
    else:
        raise ViewError(f"--view {view}: not one of corpus, resolution, treaty")
    if session is not None or organ is not None:
        g = filter_documents(g, session=session, organ=organ)
    return cap_clauses(g, max_clauses)


def filter_documents(
    g: nx.DiGraph, *, session: str | None = None, organ: str | None = None
) -> nx.DiGraph:
    """Keep the documents of that session (or year) and organ, with their parts.

    Documents the kept ones cite stay (they are what the view is about), and
    so do treaties, volumes and organs; the focus always stays.
    """

    def matches(a: dict[str, Any]) -> bool:
        if session is not None and session not in (
            str(a.get("session", "")),
            str(a.get("date", ""))[:4],
        ):
            return False
        return organ is None or organ.lower() in str(a.get("organ", "")).lower()

    focus = g.graph.get("focus")
    keep_docs = {
        n
        for n, a in g.nodes(data=True)
        if a.get("kind") in DOCUMENT_KINDS and _parsed(a) and (matches(a) or n == focus)
    }
    keep: set[str] = set(keep_docs)
    for n, a in g.nodes(data=True):
        if a.get("kind") in PART_KINDS and a.get("document") in keep_docs:
            keep.add(n)
    reach = {t for s in keep for t in g.successors(s)} | {focus}
    for n, a in g.nodes(data=True):
        if n in reach and a.get("kind") in DOCUMENT_KINDS | {"treaty", "volume", "organ"}:
            keep.add(n)
    out = g.subgraph(keep).copy()
    _count_citations(out)
    out.graph["filter"] = ", ".join(
        f"{k} {v}" for k, v in (("session", session), ("organ", organ)) if v is not None
    )
    return out


def _parsed(a: dict[str, Any]) -> bool:
    """A document read from a source (not only cited): it has a file or a session."""
    return bool(a.get("source") or a.get("session"))


def cap_clauses(g: nx.DiGraph, limit: int = MAX_CLAUSE_NODES) -> nx.DiGraph:
    """At most `limit` clause and footnote nodes, in document order; `graph["notice"]` says why.

    A page with tens of thousands of clauses cannot be read or drawn: the
    notice names the filters that make the view small enough.
    """
    parts = [n for n, k in g.nodes(data="kind") if k in PART_KINDS]
    if len(parts) <= limit:
        return g
    documents = {str(g.nodes[p].get("document", "")) for p in parts}
    drop = set(sorted(parts)[limit:])
    out = g.subgraph(n for n in g if n not in drop).copy()
    _count_citations(out)
    notice = (
        f"{len(parts)} clauses and footnotes in {len(documents)} documents: only the first "
        f"{limit} are drawn. Narrow the view with --session or --organ, or use --view corpus."
    )
    out.graph["notice"] = "; ".join(x for x in (g.graph.get("notice"), notice) if x)
    return out


def document_param(focus: str, base: str) -> str:
    """The document IRI for a symbol or an IRI (as the queries' parameter binding makes it)."""
    from . import ids

    if focus.startswith(("http://", "https://")):
        return focus
    return ids.document_iri(ids.normalise_symbol(focus), base)


def _kinds_of(rows: list[dict[str, str]]) -> dict[str, str]:
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        kinds[row["node"]].add(row["kind"] if row["kind"] in _KIND_RANK else "other")
    return {n: min(k, key=_KIND_RANK.__getitem__) for n, k in kinds.items()}


def _assemble(
    node_rows: list[dict[str, str]],
    edge_rows: list[dict[str, str]],
    *,
    level: Level | None,
    parts_of: set[str] | None = None,
) -> nx.DiGraph:
    """Merge node and edge rows into the view's DiGraph.

    `parts_of`: at clause level, draw the clauses and footnotes of these
    documents only (None: of every document).
    """
    import networkx as nx

    nodes = _merge_nodes(node_rows)
    edges = _merge_edges(edge_rows)
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
    if parts_of is not None:
        with_parts &= parts_of
    organ_labels = {
        iri: rows.first("label") or _tail(iri)
        for iri, rows in nodes.items()
        if kinds[iri] == "organ"
    }

    def keep(iri: str) -> bool:
        if kinds[iri] not in PART_KINDS:
            return True
        return level == "clause" and (parts_of is None or documents_of[iri] in with_parts)

    g = nx.DiGraph(level=level)
    for iri in sorted(nodes):
        if keep(iri):
            g.add_node(iri, **_node_attributes(iri, nodes[iri], kinds, documents_of, organ_labels))
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
        written = "\n".join(sorted(e.written)) if kind == "cites" else ""
        g.add_edge(s, t, kind=kind, relation=relation, via_footnote=via, written=written)

    # a clause is of its document's session and organ (for the page's filters)
    for iri in g.nodes:
        attrs = g.nodes[iri]
        doc = str(attrs.get("document") or "")
        if doc in g and attrs["kind"] in PART_KINDS:
            for name in ("session", "organ", "source"):
                if not attrs.get(name):
                    attrs[name] = g.nodes[doc].get(name, "")
    _count_citations(g)
    return g


def _count_citations(g: nx.DiGraph) -> None:
    for iri in g.nodes:
        attrs = g.nodes[iri]
        attrs["cited_count"] = sum(1 for _, _, k in g.in_edges(iri, data="kind") if k == "cites")
        attrs["tooltip"] = _tooltip(attrs, g)


def _organ_name(organ: str, rows: _NodeRows) -> str:
    """The organ's label from the node's own rows (one organ: its name), else its IRI's tail."""
    names = rows.values.get("organName", set())
    if len(rows.values.get("organ", ())) == 1 and len(names) == 1:
        return next(iter(names))
    return _tail(organ)


def _tail(iri: str) -> str:
    return unquote(re.split(r"[/#]", iri.rstrip("/#"))[-1]) or iri


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
        if "written" in row:
            cited.written.add(" ".join(row["written"].split()))
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
    iri: str,
    rows: _NodeRows,
    kinds: dict[str, str],
    documents_of: dict[str, str | None],
    organ_labels: dict[str, str],
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
        "session": rows.first("session") or "",
        "organ": ", ".join(
            sorted(
                organ_labels.get(o) or _organ_name(o, rows) for o in rows.values.get("organ", ())
            )
        ),
        "source": rows.first("sourceFile") or "",
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


@contextmanager
def open_target(graph: str | None = None, store: str | None = None) -> Iterator[Any]:
    """What a view is built from: a graph file (`--graph`) or a corpus store (`--store`).

    With neither, `out/store` when it holds a store, else `out/graph.trig`.
    The store is opened for reading (a shared lock) and closed on exit.
    """
    if graph is None and store is None:
        store = "out/store" if Path("out/store/manifest.sqlite").is_file() else None
        graph = None if store else "out/graph.trig"
    if store is not None:
        from .corpus_store import CorpusStore

        with CorpusStore.open(store) as s:
            yield s
        return
    from .validate import load_graph_file

    yield load_graph_file(str(graph))
