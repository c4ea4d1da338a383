"""to_network: the networkx projection of the RDF graph (queries/network-*.rq).

The input is written by hand after docs/mapping.md (tests/queries/network-nodes.ttl,
plus triples added here), so these tests do not depend on the parser.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
import rdflib
from rdflib.namespace import RDF

from resgraph.network import clause_label, relation_label, to_network

FIXTURE = Path(__file__).resolve().parent / "queries" / "network-nodes.ttl"
ID = "https://w3id.org/resgraph/id/"
RG = rdflib.Namespace("https://w3id.org/resgraph/ontology#")
RGR = rdflib.Namespace("https://w3id.org/resgraph/relation/")
ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


def iri(path: str) -> rdflib.URIRef:
    return rdflib.URIRef(ID + path)


def fixture_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(FIXTURE, format="turtle")


def fixture_dataset() -> rdflib.Dataset:
    """The fixture as to_rdf gives it: one named graph per document."""
    ds = rdflib.Dataset()
    ds.graph(iri("graph/A/RES/90/1")).parse(FIXTURE, format="turtle")
    return ds


@pytest.fixture(scope="module")
def clause_net() -> nx.DiGraph:
    return to_network(fixture_dataset())


# -- nodes -----------------------------------------------------------------------------

NODES = [
    # (IRI path, kind, label)
    ("doc/A/RES/90/1", "resolution", "A/RES/90/1"),
    ("doc/A/RES/90/1/pp/1", "preambular", "PP 1"),
    ("doc/A/RES/90/1/op/1", "operative", "OP 1"),
    ("doc/A/RES/90/1/op/2/a", "subparagraph", "OP 2(a)"),
    ("doc/A/RES/90/1/fn/1", "footnote", "fn 1"),
    ("doc/A/89/458", "document", "A/89/458"),
    # typed rg:Resolution and rg:Document: the most specific kind wins
    ("doc/S/RES/1325(2000)", "resolution", "S/RES/1325(2000)"),
    ("doc/A/RES/217(III)A", "resolution", "A/RES/217(III)A"),
    ("treaty/untoc", "treaty", "Organized Crime Convention"),
    ("unts/vol/2225", "volume", "UNTS vol. 2225"),
    ("organ/general-assembly", "organ", "General Assembly"),
    ("organ/third-committee", "organ", "Third Committee"),
]


@pytest.mark.parametrize(("path", "kind", "label"), NODES, ids=[n[0] for n in NODES])
def test_node_kind_and_label(clause_net: nx.DiGraph, path: str, kind: str, label: str) -> None:
    attrs = clause_net.nodes[ID + path]
    assert (attrs["kind"], attrs["label"]) == (kind, label)


CITED = [
    # (IRI path, cited_count): in-degree of cites edges in the clause view
    ("doc/A/RES/89/7", 1),  # pp 1
    ("treaty/untoc", 2),  # pp 2 (via fn 1) and fn 1
    ("unts/vol/2225", 2),
    ("doc/S/RES/1325(2000)", 1),  # op 2(a)
    ("doc/A/RES/217(III)", 0),  # only the work of a cited component
    ("doc/A/RES/90/1", 0),
    ("doc/A/RES/90/1/pp/2", 0),
]


@pytest.mark.parametrize(("path", "count"), CITED, ids=[c[0] for c in CITED])
def test_cited_count(clause_net: nx.DiGraph, path: str, count: int) -> None:
    assert clause_net.nodes[ID + path]["cited_count"] == count


def test_clause_attributes_carry_text_document_and_link(clause_net: nx.DiGraph) -> None:
    pp2 = clause_net.nodes[ID + "doc/A/RES/90/1/pp/2"]
    # the text comes back verbatim (escaping is the renderer's job, never the model's)
    assert "<script>window.__pwned = 1</script>" in pp2["text"]
    assert pp2["document"] == ID + "doc/A/RES/90/1"
    assert pp2["phrase"] == "Bearing in mind"
    doc = clause_net.nodes[ID + "doc/A/RES/90/1"]
    assert doc["link"] == "https://undocs.org/A/RES/90/1"
    assert doc["title"] == "Testing the network page"
    assert doc["date"] == "2035-12-20"


def test_tooltip_is_plain_text_with_document_and_clause_text(clause_net: nx.DiGraph) -> None:
    tip = clause_net.nodes[ID + "doc/A/RES/90/1/pp/1"]["tooltip"]
    assert tip.splitlines() == [
        "Preambular paragraph: PP 1 — A/RES/90/1",
        "Recalling its resolution 89/7 of 1 December 2034,",
    ]
    assert "cited 2 times" in clause_net.nodes[ID + "treaty/untoc"]["tooltip"]


# -- edges -----------------------------------------------------------------------------

EDGES = [
    # (source, target, kind, relation, via footnote)
    ("doc/A/RES/90/1/pp/1", "doc/A/RES/89/7", "cites", "recalls", ""),
    ("doc/A/RES/90/1/op/1", "doc/A/89/458", "cites", "takes note of", ""),
    ("doc/A/RES/90/1/op/1", "doc/A/RES/217(III)A", "cites", "reaffirms", ""),
    ("doc/A/RES/90/1/op/2/a", "doc/S/RES/1325(2000)", "cites", "welcomes", ""),
    # a citation without rg:relation: plain "cites"; its footnote is named on the clause edge
    ("doc/A/RES/90/1/pp/2", "treaty/untoc", "cites", "cites", ID + "doc/A/RES/90/1/fn/1"),
    ("doc/A/RES/90/1/pp/2", "unts/vol/2225", "cites", "cites", ID + "doc/A/RES/90/1/fn/1"),
    # ... but not on the footnote's own edge
    ("doc/A/RES/90/1/fn/1", "treaty/untoc", "cites", "cites", ""),
    ("doc/A/RES/90/1/fn/1", "doc/A/RES/90/1/pp/2", "anchored-in", "anchored in", ""),
    ("doc/A/RES/90/1/fn/1", "doc/A/RES/90/1", "part-of", "part of", ""),
    ("doc/A/RES/90/1/op/2/a", "doc/A/RES/90/1/op/2", "part-of", "part of", ""),
    ("doc/A/RES/217(III)A", "doc/A/RES/217(III)", "part-of", "part of", ""),
    ("treaty/untoc", "unts/vol/2225", "in-volume", "in volume", ""),
    ("doc/A/RES/90/1", "organ/general-assembly", "organ", "organ", ""),
    ("doc/A/RES/90/1", "organ/third-committee", "organ", "committee", ""),
]


@pytest.mark.parametrize(
    ("source", "target", "kind", "relation", "via"), EDGES, ids=[f"{e[0]}->{e[1]}" for e in EDGES]
)
def test_edge(
    clause_net: nx.DiGraph, source: str, target: str, kind: str, relation: str, via: str
) -> None:
    attrs = clause_net.edges[ID + source, ID + target]
    assert (attrs["kind"], attrs["relation"], attrs["via_footnote"]) == (kind, relation, via)


def test_clause_level_drops_the_documents_own_cites(clause_net: nx.DiGraph) -> None:
    # they repeat its clauses' edges; only organ edges leave the parsed document
    out = {d["kind"] for _, _, d in clause_net.out_edges(ID + "doc/A/RES/90/1", data=True)}
    assert out == {"organ"}
    assert clause_net.graph["level"] == "clause"


def test_document_level_keeps_documents_and_what_they_cite() -> None:
    net = to_network(fixture_dataset(), level="document")
    kinds = {d["kind"] for _, d in net.nodes(data=True)}
    assert kinds == {"resolution", "document", "treaty", "volume", "organ"}
    edge = net.edges[ID + "doc/A/RES/90/1", ID + "doc/A/RES/89/7"]
    assert (edge["kind"], edge["relation"]) == ("cites", "recalls")
    assert net.edges[ID + "doc/A/RES/90/1", ID + "treaty/untoc"]["via_footnote"] == (
        ID + "doc/A/RES/90/1/fn/1"
    )
    assert net.nodes[ID + "treaty/untoc"]["cited_count"] == 1
    assert net.graph["level"] == "document"


def test_a_graph_and_a_dataset_give_the_same_network() -> None:
    a, b = to_network(fixture_graph()), to_network(fixture_dataset())
    assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
    assert sorted(a.edges(data=True)) == sorted(b.edges(data=True))


def test_two_documents_with_clauses_default_to_document_level() -> None:
    g = fixture_graph()
    other = iri("doc/A/RES/90/2")
    g.add((other, RDF.type, RG.Resolution))
    g.add((other, DCT.identifier, rdflib.Literal("A/RES/90/2")))
    g.add((iri("doc/A/RES/90/2/op/1"), RDF.type, RG.OperativeParagraph))
    g.add((iri("doc/A/RES/90/2/op/1"), ELI.is_part_of, other))
    assert to_network(g).graph["level"] == "document"
    assert to_network(g, level="clause").has_node(ID + "doc/A/RES/90/2/op/1")


def test_two_relations_on_one_edge_are_merged() -> None:
    g = fixture_graph()
    cit = iri("doc/A/RES/90/1/cit/99")
    g.add((cit, RDF.type, RG.Citation))
    g.add((cit, RG.citingClause, iri("doc/A/RES/90/1/pp/1")))
    g.add((cit, RG.cited, iri("doc/A/RES/89/7")))
    g.add((cit, RG.relation, RGR.reaffirms))
    edge = to_network(g).edges[ID + "doc/A/RES/90/1/pp/1", ID + "doc/A/RES/89/7"]
    assert edge["relation"] == "reaffirms, recalls"


def test_an_untyped_cited_iri_still_gets_a_node() -> None:
    g = fixture_graph()
    g.add((iri("doc/A/RES/90/1/pp/1"), ELI.cites, iri("doc/X/1")))
    net = to_network(g)
    assert net.nodes[ID + "doc/X/1"]["kind"] == "other"
    assert net.nodes[ID + "doc/X/1"]["label"] == "1"
    assert net.nodes[ID + "doc/X/1"]["cited_count"] == 1


def test_an_empty_graph_gives_an_empty_network() -> None:
    net = to_network(rdflib.Dataset())
    assert net.number_of_nodes() == 0
    assert net.graph["level"] == "clause"


def test_network_is_deterministic() -> None:
    a, b = to_network(fixture_graph()), to_network(fixture_graph())
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(data=True)) == list(b.edges(data=True))


LABELS = [
    ("pp/12", "PP 12"),
    ("op/3/b", "OP 3(b)"),
    ("op/3/b/iv", "OP 3(b)(iv)"),
    ("fn/2-2", "fn 2-2"),
    ("annex/2/14", "Annex 2.14"),
]


@pytest.mark.parametrize(("key", "label"), LABELS, ids=[k for k, _ in LABELS])
def test_clause_label(key: str, label: str) -> None:
    assert clause_label(key) == label


RELATIONS = [
    (str(RGR.callsForAccessionTo), "calls for accession to"),
    (str(RGR.recalls), "recalls"),
    ("https://example.org/rel#takesNoteOf", "takes note of"),
]


@pytest.mark.parametrize(("iri_", "words"), RELATIONS, ids=[w for _, w in RELATIONS])
def test_relation_label(iri_: str, words: str) -> None:
    assert relation_label(iri_) == words
