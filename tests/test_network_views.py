"""The views of the network page: corpus, one resolution's neighbourhood, a treaty's.

Input: the hand-written two-resolution fixture of the view queries
(tests/queries/network-corpus-nodes.ttl, the same file as the other network-* view
fixtures), as one named graph per document like the build makes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import rdflib

from resgraph.network import (
    MAX_CLAUSE_NODES,
    ViewError,
    build_view,
    cap_clauses,
    corpus_view,
    resolution_view,
    treaty_view,
)

FIXTURE = Path(__file__).resolve().parent / "queries" / "network-corpus-nodes.ttl"
ID = "https://w3id.org/resgraph/id/"


@pytest.fixture(scope="module")
def ds() -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.graph(rdflib.URIRef(ID + "graph/all")).parse(FIXTURE, format="turtle")
    return ds


def short(nodes: object) -> set[str]:
    return {str(n).removeprefix(ID) for n in nodes}  # type: ignore[attr-defined]


def test_corpus_view_is_document_level(ds: rdflib.Dataset) -> None:
    g = corpus_view(ds)
    assert g.graph["level"] == "document" and g.graph["view"] == "corpus"
    assert not [n for n, k in g.nodes(data="kind") if k in ("operative", "footnote")]
    edge = g.edges[ID + "doc/A/RES/91/3", ID + "doc/A/RES/90/1"]
    assert (edge["kind"], edge["relation"], edge["written"]) == (
        "cites",
        "reaffirms",
        "resolution 90/1",
    )
    assert g.nodes[ID + "doc/A/RES/90/1"]["cited_count"] == 1
    assert g.nodes[ID + "doc/A/RES/91/3"]["session"] == "91"
    assert g.nodes[ID + "doc/A/RES/91/3"]["organ"] == "General Assembly"
    assert g.nodes[ID + "doc/A/RES/91/3"]["source"] == "A_RES_91_3.txt"


@pytest.mark.parametrize(
    ("depth", "present", "absent"),
    [
        (
            1,
            {"doc/A/RES/90/1/pp/2", "doc/A/RES/90/1/fn/1", "treaty/untoc", "doc/A/RES/89/7"},
            {"doc/A/RES/91/3", "doc/A/RES/91/3/op/1"},
        ),
    ],
    ids=["depth-1"],
)
def test_resolution_view(
    ds: rdflib.Dataset, depth: int, present: set[str], absent: set[str]
) -> None:
    g = resolution_view(ds, "A/RES/90/1", depth=depth)
    assert present <= short(g.nodes)
    assert not absent & short(g.nodes)
    assert g.graph["focus"] == ID + "doc/A/RES/90/1"


def test_resolution_view_depth_2_adds_what_the_cited_cite(ds: rdflib.Dataset) -> None:
    one = resolution_view(ds, "A/RES/91/3", depth=1)
    two = resolution_view(ds, "A/RES/91/3", depth=2)
    # depth 1: 91/3's clauses and what they cite (90/1), not what 90/1 cites
    assert "doc/A/RES/91/3/op/1" in short(one.nodes)
    assert "doc/A/RES/89/7" not in short(one.nodes)
    # depth 2: 90/1 cites 89/7 (document-level: 90/1's own clauses are not drawn)
    assert "doc/A/RES/89/7" in short(two.nodes)
    assert "doc/A/RES/90/1/pp/1" not in short(two.nodes)
    assert two.edges[ID + "doc/A/RES/90/1", ID + "doc/A/RES/89/7"]["relation"] == "recalls"


def test_clause_edge_carries_the_words_as_written(ds: rdflib.Dataset) -> None:
    g = resolution_view(ds, "A/RES/91/3")
    edge = g.edges[ID + "doc/A/RES/91/3/op/1", ID + "treaty/untoc"]
    assert edge["via_footnote"] == ID + "doc/A/RES/91/3/fn/1"
    assert edge["written"] == "Treaty Series, vol. 2225"
    assert edge["relation"] == "reaffirms"


@pytest.mark.parametrize(
    "name",
    ["untoc", "Organized Crime Convention", ID + "treaty/untoc"],
    ids=["id", "short-name", "iri"],
)
def test_treaty_view_lists_every_citing_clause(ds: rdflib.Dataset, name: str) -> None:
    g = treaty_view(ds, name)
    citing = {
        s.removeprefix(ID)
        for s, _, k in g.in_edges(ID + "treaty/untoc", data="kind")
        if k == "cites"
    }
    assert citing == {
        "doc/A/RES/90/1/pp/2",
        "doc/A/RES/90/1/fn/1",
        "doc/A/RES/91/3/op/1",
        "doc/A/RES/91/3/fn/1",
    }
    assert g.edges[ID + "doc/A/RES/90/1/fn/1", ID + "doc/A/RES/90/1/pp/2"]["kind"] == "anchored-in"
    assert g.edges[ID + "treaty/untoc", ID + "unts/vol/2225"]["kind"] == "in-volume"
    assert "doc/A/RES/89/7" not in short(g.nodes)  # only what cites the treaty


ERRORS = [
    ("resolution", "A/RES/1/1", 1, "no such document"),
    ("resolution", "A/RES/90/1", 0, "depth"),
    ("treaty", "no-such-treaty", 1, "no such treaty"),
    ("treaty", None, 1, "needs --focus"),
]


@pytest.mark.parametrize(("view", "focus", "depth", "message"), ERRORS, ids=[e[3] for e in ERRORS])
def test_bad_views_say_why(
    ds: rdflib.Dataset, view: str, focus: str | None, depth: int, message: str
) -> None:
    with pytest.raises(ViewError, match=message):
        build_view(ds, view, focus=focus, depth=depth)  # type: ignore[arg-type]


def test_session_filter_keeps_that_sessions_documents(ds: rdflib.Dataset) -> None:
    g = build_view(ds, "corpus", session="91")
    assert "doc/A/RES/91/3" in short(g.nodes)
    assert "doc/A/RES/90/1" in short(g.nodes)  # cited by 91/3: kept as what it cites
    assert "doc/A/RES/89/7" not in short(g.nodes)  # cited only by 90/1 (session 90)
    assert g.graph["filter"] == "session 91"


def test_clause_views_are_capped_with_a_notice() -> None:
    g = nx.DiGraph(level="clause")
    g.add_node("d", kind="resolution", label="d", cited_count=0)
    for k in range(12):
        g.add_node(f"d/op/{k:02d}", kind="operative", label=str(k), document="d", cited_count=0)
    capped = cap_clauses(g, 5)
    assert sum(1 for _, k in capped.nodes(data="kind") if k == "operative") == 5
    assert "--session" in capped.graph["notice"] and "12 clauses" in capped.graph["notice"]
    assert cap_clauses(g, 12) is g
    assert MAX_CLAUSE_NODES >= 1000


@pytest.fixture(scope="module")
def corpus_store(ds: rdflib.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The same fixture in an on-disk corpus store (Oxigraph), opened for reading."""
    pytest.importorskip("pyoxigraph")
    from resgraph.corpus_store import CorpusStore, NewDocument

    path = tmp_path_factory.mktemp("store") / "store"
    graph = ID + "graph/all"
    nquads = ds.serialize(format="nquads").encode("utf-8")
    with CorpusStore.open(path, write=True) as s:
        s.put_documents([NewDocument(graph, "all", "fixture.ttl", "0" * 64, nquads, len(ds))])
    with CorpusStore.open(path) as s:
        yield s


VIEWS = [
    ("corpus", None, 1),
    ("resolution", "A/RES/90/1", 1),
    ("resolution", "A/RES/91/3", 2),
    ("treaty", "untoc", 1),
]


@pytest.mark.parametrize(
    ("view", "focus", "depth"), VIEWS, ids=[f"{v}-{f}-{d}" for v, f, d in VIEWS]
)
def test_a_store_and_a_dataset_give_the_same_view(
    ds: rdflib.Dataset, corpus_store: Any, view: str, focus: str | None, depth: int
) -> None:
    a = build_view(ds, view, focus=focus, depth=depth)  # type: ignore[arg-type]
    b = build_view(corpus_store, view, focus=focus, depth=depth)  # type: ignore[arg-type]
    assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
    assert sorted(a.edges(data=True)) == sorted(b.edges(data=True))


CLI = [
    (["network", "--view", "treaty", "--focus", "untoc"], 0, "network.html"),
    (
        ["network", "--view", "resolution", "--focus", "A/RES/91/3", "--depth", "2"],
        0,
        "network.html",
    ),
    (["network", "--view", "resolution", "--focus", "A/RES/1/1"], 2, None),
    (["analytics", "export"], 0, "corpus.graphml"),
    (["analytics", "chain", "--source", "A/RES/91/3", "--target", "A/RES/1/1"], 2, None),
]


@pytest.mark.parametrize(("argv", "code", "written"), CLI, ids=[" ".join(c[0][:3]) for c in CLI])
def test_cli(tmp_path: Path, argv: list[str], code: int, written: str | None) -> None:
    from resgraph.cli import main

    out = tmp_path / (written or "x")
    assert main([*argv, "--graph", str(FIXTURE), "--out", str(out)]) == code
    assert out.is_file() == (written is not None)
