"""analytics: most cited, citation chains, clusters, and exports Gephi/Cytoscape can open.

Graphs are built by hand in the shape `network.corpus_view` returns (node kind/label,
edge kind "cites"), plus the view of the hand-written two-resolution fixture.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import networkx as nx
import pytest
import rdflib

from resgraph import analytics
from resgraph.errors import ResgraphError
from resgraph.network import corpus_view

FIXTURE = Path(__file__).resolve().parent / "queries" / "network-corpus-nodes.ttl"
ID = "https://w3id.org/resgraph/id/"


def corpus(edges: list[tuple[str, str]], extra: dict[str, str] | None = None) -> nx.DiGraph:
    g = nx.DiGraph(level="document")
    for s, t in edges:
        for v in (s, t):
            kind = (extra or {}).get(v, "resolution")
            g.add_node(v, kind=kind, label=v.upper(), cited_count=0)
        g.add_edge(s, t, kind="cites", relation="recalls", via_footnote="", written="")
    return g


# a chain d -> c -> b -> a, and the treaty t cited by three documents
CHAIN = corpus(
    [("d", "c"), ("c", "b"), ("b", "a"), ("d", "t"), ("c", "t"), ("b", "t"), ("x", "a")],
    {"t": "treaty"},
)


def test_most_cited_counts_citing_documents_then_pagerank() -> None:
    rows = analytics.most_cited(CHAIN, limit=3)
    assert [(r.iri, r.citing_documents) for r in rows] == [("t", 3), ("a", 2), ("b", 1)]
    assert rows[0].kind == "treaty" and rows[0].label == "T"


def test_pagerank_sums_to_one_and_favours_the_cited_of_the_cited() -> None:
    ranks = analytics.pagerank(CHAIN)
    assert sum(ranks.values()) == pytest.approx(1.0)
    # a is cited by b (itself cited) and x (cited by nobody); d is cited by nobody
    assert ranks["a"] > ranks["b"] > ranks["d"]
    assert ranks["d"] == pytest.approx(ranks["x"])


def test_pagerank_ignores_structural_edges() -> None:
    g = CHAIN.copy()
    g.add_node("o", kind="organ", label="O")
    for v in ("a", "b", "c", "d"):
        g.add_edge(v, "o", kind="organ")
    assert analytics.pagerank(g)["o"] == pytest.approx(analytics.pagerank(g)["d"])


CHAINS = [
    ("d", "a", ["d", "c", "b", "a"]),
    ("c", "t", ["c", "t"]),
    ("x", "a", ["x", "a"]),
]


@pytest.mark.parametrize(
    ("source", "target", "path"), CHAINS, ids=[f"{s}-{t}" for s, t, _ in CHAINS]
)
def test_citation_chain_is_the_shortest_path(source: str, target: str, path: list[str]) -> None:
    chain = analytics.citation_chain(CHAIN, source, target)
    assert [v for v, _ in chain] == path
    assert chain[0][1] == "" and all(r == "recalls" for _, r in chain[1:])


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [("a", "d", "no chain"), ("nope", "a", "not in the citation network")],
    ids=["backwards", "unknown"],
)
def test_citation_chain_errors(source: str, target: str, message: str) -> None:
    with pytest.raises(ResgraphError, match=message):
        analytics.citation_chain(CHAIN, source, target)


def test_clusters_group_documents_that_cite_alike() -> None:
    # p1..p3 cite the same two instruments; q1..q3 two others; one shared link between them
    edges = [(f"p{i}", t) for i in (1, 2, 3) for t in ("i1", "i2")]
    edges += [(f"q{i}", t) for i in (1, 2, 3) for t in ("i3", "i4")]
    edges += [("p1", "i3")]
    groups = analytics.clusters(corpus(edges))
    as_sets = [set(g) & {"p1", "p2", "p3", "q1", "q2", "q3"} for g in groups]
    assert {"p1", "p2", "p3"} in as_sets and {"q1", "q2", "q3"} in as_sets


def test_coupling_skips_instruments_everyone_cites() -> None:
    edges = [(f"d{i}", "charter") for i in range(5)] + [("d0", "x"), ("d1", "x")]
    cg = analytics.coupling(corpus(edges), max_citers=3)
    assert set(cg.edges) == {("d0", "d1")}
    assert cg.edges["d0", "d1"]["weight"] == 1


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_exports_parse_back_with_scalar_attributes(tmp_path: Path, suffix: str) -> None:
    ds = rdflib.Dataset()
    ds.graph(rdflib.URIRef(ID + "graph/all")).parse(FIXTURE, format="turtle")
    g = corpus_view(ds)
    g.nodes[ID + "doc/A/RES/90/1"]["odd"] = None  # what Gephi cannot read must be cleaned
    g.nodes[ID + "doc/A/RES/91/3"]["odd"] = ["a", "b"]
    path = analytics.export_graph(g, tmp_path / f"corpus{suffix}")
    back = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    for _, attrs in list(back.nodes(data=True)) + [(None, d) for *_, d in back.edges(data=True)]:
        for name, value in attrs.items():
            assert isinstance(value, str | int | float), (name, value)
            assert value is not None
    node = back.nodes[ID + "doc/A/RES/91/3"]
    assert node["odd"] == "a; b" and node["label"] == "A/RES/91/3"
    assert back.nodes[ID + "doc/A/RES/90/1"]["odd"] == ""
    assert float(node["pagerank"]) > 0


def test_export_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ResgraphError, match=r"graphml or \.gexf"):
        analytics.export_graph(CHAIN, tmp_path / "x.json")


def test_run_report_csv(tmp_path: Path) -> None:
    ds = rdflib.Dataset()
    ds.graph(rdflib.URIRef(ID + "graph/all")).parse(FIXTURE, format="turtle")
    args = argparse.Namespace(
        report="chain",
        source="A/RES/91/3",
        target="A/RES/89/7",
        limit=10,
        base="https://w3id.org/resgraph/id/",
        out=None,
    )
    lines = analytics.run_report(ds, args).splitlines()
    assert lines[0] == "step,iri,label,relation"
    assert [line.split(",")[2] for line in lines[1:]] == ["A/RES/91/3", "A/RES/90/1", "A/RES/89/7"]
    args.report, args.out = "most-cited", str(tmp_path / "top.csv")
    assert "rows" in analytics.run_report(ds, args)
    first = (tmp_path / "top.csv").read_text(encoding="utf-8").splitlines()[1].split(",")
    assert first[2:5] == ["Organized Crime Convention", "treaty", "2"]
