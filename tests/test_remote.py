"""resgraph push / query --endpoint against a real SPARQL 1.1 server (Oxigraph server).

The server comes from tests/sparql_server.py: $RESGRAPH_TEST_ENDPOINT (.ci/run
starts one) or an `oxigraph serve` of our own. The corpus is the seed
resolution and three GA 75th-session AKN4UN files, built by the pipeline into a
CorpusStore per test.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import SEED, TEST_DATA_DIR
from rdflib.term import Identifier, URIRef
from sparql_server import ScriptedServer, clear_server, free_port

from resgraph import store as named
from resgraph.cli import EXIT_OK, EXIT_REMOTE, main
from resgraph.corpus_store import CorpusStore, NewDocument, to_rdflib
from resgraph.errors import QueryError, RemoteError
from resgraph.guard import guard_query
from resgraph.pipeline import build
from resgraph.remote import (
    DEFAULT,
    Endpoint,
    bind_parameters,
    derive_urls,
    post_select,
    push,
    run_query,
    state_path_for,
    term_to_sparql,
)

GA75 = TEST_DATA_DIR / "akn4un" / "ga75"
CORPUS = [SEED, GA75 / "75_100_E.xml", GA75 / "75_101A-B_E.xml", GA75 / "75_102_E.xml"]

Quad = tuple[str, Identifier, Identifier, Identifier]


# -- the corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents() -> list[NewDocument]:
    """The corpus built by the pipeline, one NewDocument per named graph."""
    result = build([str(p) for p in CORPUS], validate=False)
    assert not result.errors
    docs = []
    for graph in result.dataset.graphs():
        if not len(graph):
            continue
        ds = rdflib.Dataset()
        target = ds.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
        nquads = ds.serialize(format="nquads").encode("utf-8")
        docs.append(
            NewDocument(
                graph=str(graph.identifier),
                symbol=str(graph.identifier).rsplit("/graph/", 1)[-1],
                source=str(graph.identifier),
                sha256=hashlib.sha256(nquads).hexdigest(),
                nquads=nquads,
                triples=len(graph),
            )
        )
    assert len(docs) == len(CORPUS)
    return sorted(docs, key=lambda d: d.graph)


@pytest.fixture
def store_path(tmp_path: Path, documents: list[NewDocument]) -> Path:
    """A store of the corpus of this test's own (for tests that change it)."""
    path = tmp_path / "store"
    with CorpusStore.open(path, write=True) as s:
        s.put_documents(documents)
    return path


@pytest.fixture(scope="module")
def shared_store(
    tmp_path_factory: pytest.TempPathFactory, documents: list[NewDocument]
) -> Iterator[CorpusStore]:
    """One store of the corpus for the tests that only read it (opened read-only)."""
    path = tmp_path_factory.mktemp("remote") / "store"
    with CorpusStore.open(path, write=True) as s:
        s.put_documents(documents)
    with CorpusStore.open(path) as s:
        yield s


@dataclass(frozen=True)
class StoreView:
    """The shared store with a path of this test's own, so its push state starts empty."""

    corpus: CorpusStore
    path: Path

    @property
    def ox(self) -> ox.Store:
        return self.corpus.ox

    def select(
        self,
        sparql: str,
        bindings: dict[str, Identifier] | None = None,
        *,
        limit: int | None = None,
    ) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]]:
        return self.corpus.select(sparql, bindings, limit=limit)


@pytest.fixture
def store(shared_store: StoreView, tmp_path: Path) -> StoreView:
    return StoreView(shared_store, tmp_path / "store")


def local_quads(s: StoreView | CorpusStore | ox.Store) -> set[Quad]:
    """Every quad of the store as rdflib terms; the default graph is ""."""
    oxs = s if isinstance(s, ox.Store) else s.ox
    out: set[Quad] = set()
    for q in oxs:
        g = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name.value)
        terms = tuple(to_rdflib(t) for t in (q.subject, q.predicate, q.object))
        assert all(t is not None for t in terms)
        out.add((g, *terms))  # type: ignore[arg-type]
    return out


def server_quads(endpoint: Endpoint) -> set[Quad]:
    """Every quad on the server (its default graph as "")."""
    text = (
        "SELECT ?g ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
        if not endpoint.query_params
        else "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    guard_query(text)
    plain = Endpoint(endpoint.query_url)  # the server's own default graph, not a union
    _, rows = post_select(plain, text)
    return {(str(r["g"]) if "g" in r else "", r["s"], r["p"], r["o"]) for r in rows}


def graph_of(quads: set[Quad], graph: str) -> set[Quad]:
    return {q for q in quads if q[0] == graph}


# -- endpoints ---------------------------------------------------------------------------

DERIVED = [
    ("oxigraph", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store", "push"),
    (
        "fuseki-query",
        "http://h:3030/ds/query",
        "http://h:3030/ds/update",
        "http://h:3030/ds/data",
        "push",
    ),
    (
        "fuseki-sparql",
        "https://h/un/sparql",
        "https://h/un/update",
        "https://h/un/data",
        "push",
    ),
    (
        "graphdb",
        "http://h:7200/repositories/un",
        "http://h:7200/repositories/un/statements",
        "http://h:7200/repositories/un/rdf-graphs/service",
        "union",
    ),
    (
        "virtuoso",
        "http://h:8890/sparql",
        "http://h:8890/sparql",
        "http://h:8890/sparql-graph-crud",
        "union",
    ),
    (
        "virtuoso-auth",
        "http://h:8890/sparql-auth/",
        "http://h:8890/sparql-auth/",
        "http://h:8890/sparql-graph-crud-auth",
        "union",
    ),
    (
        "blazegraph",
        "http://h:9999/blazegraph/namespace/kb/sparql",
        "http://h:9999/blazegraph/namespace/kb/sparql",
        None,
        "union",
    ),
    ("qlever", "http://h:7001/", "http://h:7001/", None, "push"),
]


@pytest.mark.parametrize(
    ("url", "update", "gsp", "mode"), [c[1:] for c in DERIVED], ids=[c[0] for c in DERIVED]
)
def test_urls_of_common_servers_are_derived_from_the_query_url(
    url: str, update: str, gsp: str | None, mode: str
) -> None:
    e = Endpoint.from_url(url)
    assert (e.query_url, e.update_url, e.gsp_url, e.default_graph) == (url, update, gsp, mode)


def test_credentials_leave_the_url_and_stay_out_of_repr() -> None:
    e = Endpoint.from_url("http://ann:s%40cret@h:7878/query", token="tok")
    assert (e.query_url, e.user, e.password) == ("http://h:7878/query", "ann", "s@cret")
    assert "cret" not in repr(e) and "tok" not in repr(e)
    assert derive_urls("http://h:8890/sparql-auth").auth == "digest"


@pytest.mark.parametrize("url", ["ftp://h/query", "h:7878/query", ""], ids=["ftp", "bare", "empty"])
def test_a_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(RemoteError, match="not an http"):
        Endpoint.from_url(url)


# -- parameters as constants -------------------------------------------------------------

DOC = URIRef("https://w3id.org/resgraph/id/doc/A/RES/75/1")
BIND_CASES = [
    ("plain", "SELECT ?x { ?x ?p ?_d }", {"_d": DOC}, f"SELECT ?x {{ ?x ?p <{DOC}> }}"),
    ("dollar", "SELECT ?x { ?x ?p $_d }", {"_d": DOC}, f"SELECT ?x {{ ?x ?p <{DOC}> }}"),
    (
        "string-untouched",
        'SELECT ?x { ?x ?p "?_d" ; ?q """a ?_d\n"""; ?r \'?_d\' }',
        {"_d": DOC},
        'SELECT ?x { ?x ?p "?_d" ; ?q """a ?_d\n"""; ?r \'?_d\' }',
    ),
    (
        "iri-and-comment-untouched",
        "SELECT ?x { ?x <http://e/?_d> ?o } # ?_d\n",
        {"_d": DOC},
        "SELECT ?x { ?x <http://e/?_d> ?o } # ?_d\n",
    ),
    (
        "longer-name-untouched",
        "SELECT ?x { ?x ?p ?_dd }",
        {"_d": DOC},
        "SELECT ?x { ?x ?p ?_dd }",
    ),
    (
        "bound-becomes-true",
        "SELECT ?x { ?x ?p ?o FILTER (!BOUND( ?_d ) || ?o = ?_d) }",
        {"_d": DOC},
        f"SELECT ?x {{ ?x ?p ?o FILTER (!true || ?o = <{DOC}>) }}",
    ),
    (
        "unbound-stays-a-variable",
        "SELECT ?x { ?x ?p ?o FILTER (!BOUND(?_d) || ?o = ?_d) }",
        {},
        "SELECT ?x { ?x ?p ?o FILTER (!BOUND(?_d) || ?o = ?_d) }",
    ),
    (
        "projected-by-sub-selects",
        "SELECT ?y { { SELECT ?_d ?y WHERE { { SELECT DISTINCT ?_d ?y { ?_d ?p ?y } } } } }",
        {"_d": DOC},
        "SELECT ?y { { SELECT  ?y WHERE { { SELECT DISTINCT  ?y { "
        f"<{DOC}> ?p ?y }} }} }} }} }}",
    ),
    (
        "typed-literal",
        "SELECT ?x { ?x ?p ?n FILTER (?n >= ?_n) }",
        {"_n": rdflib.Literal(3)},
        'SELECT ?x { ?x ?p ?n FILTER (?n >= "3"^^<http://www.w3.org/2001/XMLSchema#integer>) }',
    ),
    (
        "prefixed-name-is-no-keyword",
        "SELECT ?x { ?x ex:where ?_d }",
        {"_d": DOC},
        f"SELECT ?x {{ ?x ex:where <{DOC}> }}",
    ),
]


@pytest.mark.parametrize(
    ("text", "bindings", "expected"), [c[1:] for c in BIND_CASES], ids=[c[0] for c in BIND_CASES]
)
def test_parameters_become_constants_outside_strings_iris_and_comments(
    text: str, bindings: dict[str, Identifier], expected: str
) -> None:
    assert bind_parameters(text, bindings) == expected


@pytest.mark.parametrize(
    "text",
    ["SELECT ?x { BIND (1 AS ?_d) }", "SELECT ?x { VALUES (?x ?_d) { (1 2) } }"],
    ids=["bind-as", "values"],
)
def test_a_parameter_the_query_assigns_is_refused(text: str) -> None:
    with pytest.raises(QueryError, match="assigns"):
        bind_parameters(text, {"_d": DOC})


@pytest.mark.parametrize(
    "term",
    [
        URIRef("http://x/> } ; DROP ALL ; <http://y"),
        URIRef("http://x/ space"),
        rdflib.Literal("x", datatype=URIRef("http://x/> } DROP ALL #")),
    ],
    ids=["iri-closing-bracket", "iri-space", "bad-datatype-iri"],
)
def test_a_value_that_could_escape_its_constant_is_refused(term: Identifier) -> None:
    with pytest.raises(QueryError):
        term_to_sparql(term)


@pytest.mark.parametrize(
    "value",
    ['" ) } ; DROP ALL ; #', "line\nbreak \\ back", "«unicode» ‘quotes’"],
    ids=["quote-injection", "escapes", "unicode"],
)
def test_a_string_value_stays_one_literal(value: str) -> None:
    text = bind_parameters(
        'SELECT ?x { ?x ?p ?o FILTER (?o = ?_t) } # "', {"_t": rdflib.Literal(value)}
    )
    assert guard_query(text).form == "SELECT"
    g = rdflib.Graph()
    g.add((URIRef("http://e/s"), URIRef("http://e/p"), rdflib.Literal(value)))
    g.add((URIRef("http://e/t"), URIRef("http://e/p"), rdflib.Literal("other")))
    assert [row[0] for row in g.query(text)] == [URIRef("http://e/s")]  # type: ignore[index]


def _example_params(q: named.NamedQuery) -> dict[str, str]:
    params = {p.name: p.example for p in q.params if p.example is not None}
    for p in q.params:
        if p.type == "limit":
            params[p.name] = "100000"  # every row: ties at a cut-off may fall either way
    return params


@pytest.mark.parametrize("name", named.query_names())
def test_every_named_query_binds_to_valid_sparql(name: str) -> None:
    q = named.load_query(name)
    bindings = named._bind(q, _example_params(q), named.ids.DEFAULT_BASE)
    assert guard_query(bind_parameters(q.text, bindings)).form == "SELECT"


# -- against the server ------------------------------------------------------------------


def test_push_sends_every_graph_and_the_union(store: StoreView, sparql_endpoint: Endpoint) -> None:
    report = push(store, sparql_endpoint)
    assert (report.method, report.sent, report.skipped, report.removed) == (
        "gsp",
        len(CORPUS),
        0,
        0,
    )
    assert report.default_graph == "replaced"
    assert report.triples == len(store.ox)
    assert server_quads(sparql_endpoint) == local_quads(store)


@pytest.fixture
def pushed(store: StoreView, sparql_server_url: str) -> Endpoint:
    """The test server holding the corpus (pushed again only when it holds something else)."""
    endpoint = Endpoint.from_url(sparql_server_url, backoff=0.05)
    _, rows = post_select(
        endpoint, "SELECT (COUNT(*) AS ?n) { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    )
    if rows[0]["n"].toPython() != len(store.ox):
        clear_server(endpoint)
        push(store, endpoint)
    return endpoint


@pytest.mark.parametrize("name", named.query_names())
def test_the_server_answers_every_named_query_like_the_local_store(
    name: str, store: StoreView, pushed: Endpoint
) -> None:
    q = named.load_query(name)
    params = _example_params(q)
    local = named.run_query(store, q, params)
    remote = run_query(pushed, q, params)
    assert remote.vars == local.vars
    assert sorted(map(repr, remote.rows)) == sorted(map(repr, local.rows))


def test_a_limit_parameter_cuts_the_rows(store: StoreView, pushed: Endpoint) -> None:
    assert len(run_query(pushed, "most-cited-instruments", {"limit": "3"})) == 3


def test_pushing_twice_leaves_the_server_as_pushing_once(
    store: StoreView, sparql_endpoint: Endpoint
) -> None:
    push(store, sparql_endpoint)
    once = server_quads(sparql_endpoint)
    again = push(store, sparql_endpoint)
    assert (again.sent, again.skipped, again.requests, again.method) == (0, len(CORPUS), 0, "none")
    forced = push(store, sparql_endpoint, force=True)
    assert forced.sent == len(CORPUS)
    assert server_quads(sparql_endpoint) == once == local_quads(store)
    # the state beside the store names every graph pushed there, the default graph as ""
    state = json.loads(state_path_for(store.path).read_text())
    assert set(state["endpoints"][sparql_endpoint.query_url]["graphs"]) == {q[0] for q in once}


def _changed(doc: NewDocument) -> NewDocument:
    """The document with a third of its triples gone and one added."""
    lines = doc.nquads.decode().splitlines(keepends=True)
    kept = lines[: 2 * len(lines) // 3]
    kept.append(f'<{doc.graph}#x> <https://example.org/p> "changed" <{doc.graph}> .\n')
    body = "".join(kept).encode()
    return NewDocument(
        graph=doc.graph,
        symbol=doc.symbol,
        source=doc.source,
        sha256=hashlib.sha256(body).hexdigest(),
        nquads=body,
        triples=len(kept),
    )


def test_a_changed_document_replaces_only_its_graph(
    store_path: Path, documents: list[NewDocument], sparql_endpoint: Endpoint
) -> None:
    with CorpusStore.open(store_path) as s:
        push(s, sparql_endpoint)
    before = server_quads(sparql_endpoint)
    changed = _changed(documents[1])
    with CorpusStore.open(store_path, write=True) as s:
        s.put_documents([changed])
    with CorpusStore.open(store_path) as s:
        report = push(s, sparql_endpoint)
        after = server_quads(sparql_endpoint)
        assert after == local_quads(s)
    assert (report.sent, report.skipped, report.removed) == (1, len(CORPUS) - 1, 0)
    assert report.default_graph == "patched"  # the union changed with it, by a diff
    for doc in documents:
        if doc.graph != changed.graph:
            assert graph_of(after, doc.graph) == graph_of(before, doc.graph)
    assert graph_of(after, changed.graph) != graph_of(before, changed.graph)
    assert len(graph_of(after, changed.graph)) == changed.triples


def test_an_interrupted_push_sends_the_union_whole_next_time(
    store_path: Path, documents: list[NewDocument], sparql_endpoint: Endpoint
) -> None:
    with CorpusStore.open(store_path) as s:
        push(s, sparql_endpoint)
    with CorpusStore.open(store_path, write=True) as s:
        s.put_documents([_changed(documents[2])])
    with (
        CorpusStore.open(store_path) as s,
        ScriptedServer([(400, {}, b"disk full")], repeat=True) as broken,
    ):
        half = Endpoint(
            sparql_endpoint.query_url,
            update_url=sparql_endpoint.update_url,
            gsp_url=broken.url("/store"),
        )
        with pytest.raises(RemoteError, match="disk full"):
            push(s, half)
        report = push(s, sparql_endpoint)
        assert server_quads(sparql_endpoint) == local_quads(s)
    assert (report.sent, report.default_graph) == (1, "replaced")


def test_a_removed_document_is_dropped_on_the_server(
    store_path: Path, documents: list[NewDocument], sparql_endpoint: Endpoint
) -> None:
    with CorpusStore.open(store_path) as s:
        push(s, sparql_endpoint)
    gone = documents[0].graph
    with CorpusStore.open(store_path, write=True) as s:
        assert s.remove_document(gone)
    with CorpusStore.open(store_path) as s:
        report = push(s, sparql_endpoint)
        assert server_quads(sparql_endpoint) == local_quads(s)
    assert (report.sent, report.removed, report.default_graph) == (0, 1, "patched")
    assert not graph_of(server_quads(sparql_endpoint), gone)


def test_push_restricted_to_some_graphs_sends_only_those(
    store: StoreView, documents: list[NewDocument], sparql_endpoint: Endpoint
) -> None:
    report = push(store, sparql_endpoint, graphs=[documents[2].graph])
    assert report.sent == 1
    assert {q[0] for q in server_quads(sparql_endpoint)} == {documents[2].graph, DEFAULT}
    with pytest.raises(RemoteError, match="not in the store"):
        push(store, sparql_endpoint, graphs=["https://example.org/no-such-graph"])


@pytest.mark.parametrize("batch", [7, 250, 100_000], ids=["7", "250", "whole-graphs"])
def test_batches_split_big_graphs_and_give_the_same_server(
    batch: int, store: StoreView, sparql_endpoint: Endpoint
) -> None:
    if batch < 10:  # a request per 7 triples: one graph is enough
        store_graphs = [g.value for g in store.ox.named_graphs() if isinstance(g, ox.NamedNode)]
        smallest = min(
            store_graphs,
            key=lambda g: len(list(store.ox.quads_for_pattern(None, None, None, ox.NamedNode(g)))),
        )
        report = push(store, sparql_endpoint, batch_triples=batch, graphs=[smallest])
        n = len(list(store.ox.quads_for_pattern(None, None, None, ox.NamedNode(smallest))))
        assert report.requests >= n / batch
        assert graph_of(server_quads(sparql_endpoint), smallest) == graph_of(
            local_quads(store), smallest
        )
        return
    report = push(store, sparql_endpoint, batch_triples=batch)
    assert report.requests >= math.ceil(report.triples / batch)
    assert server_quads(sparql_endpoint) == local_quads(store)


@pytest.mark.parametrize("gsp", [None, "/no-such-path"], ids=["no-gsp-url", "gsp-answers-404"])
def test_without_the_graph_store_protocol_push_falls_back_to_sparql_update(
    gsp: str | None, store: StoreView, sparql_endpoint: Endpoint
) -> None:
    base = sparql_endpoint.query_url.rsplit("/", 1)[0]
    endpoint = Endpoint(
        sparql_endpoint.query_url,
        update_url=sparql_endpoint.update_url,
        gsp_url=None if gsp is None else base + gsp,
    )
    report = push(store, endpoint, batch_triples=400)
    assert report.method == "update"
    assert (report.fallback is not None) == (gsp is not None)
    assert report.requests >= math.ceil(report.triples / 400)
    assert server_quads(sparql_endpoint) == local_quads(store)
    assert push(store, endpoint, force=True).sent == len(CORPUS)  # idempotent too
    assert server_quads(sparql_endpoint) == local_quads(store)


def test_a_graph_with_blank_nodes_is_never_split(sparql_endpoint: Endpoint) -> None:
    oxs = ox.Store()
    g = ox.NamedNode("https://example.org/graph/b")
    head = ox.BlankNode()
    for i in range(5):
        node = ox.BlankNode()
        oxs.add(ox.Quad(head, ox.NamedNode("https://example.org/item"), node, g))
        oxs.add(ox.Quad(node, ox.NamedNode("https://example.org/n"), ox.Literal(str(i)), g))
    report = push(oxs, sparql_endpoint, batch_triples=2)
    assert report.requests == 2  # the graph, and the (empty) default graph
    _, rows = post_select(
        Endpoint(sparql_endpoint.query_url),
        "SELECT (COUNT(DISTINCT ?h) AS ?heads) (COUNT(?i) AS ?items) "
        "WHERE { GRAPH ?g { ?h <https://example.org/item> ?i } }",
    )
    assert (rows[0]["heads"].toPython(), rows[0]["items"].toPython()) == (1, 5)


def test_parameters_cannot_inject_sparql_into_the_server(
    store: StoreView, pushed: Endpoint
) -> None:
    before = server_quads(pushed)
    result = run_query(pushed, "clauses-containing-text", {"text": '" ) ) } ; DROP ALL ; #'})
    assert len(result) == 0
    assert server_quads(pushed) == before


# -- failures: retries and refusals ------------------------------------------------------


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _proxy_endpoint(proxy: ScriptedServer, endpoint: Endpoint) -> Endpoint:
    """The endpoint's URLs, reached through the proxy."""
    assert endpoint.update_url and endpoint.gsp_url
    return Endpoint(
        proxy.url(_path(endpoint.query_url)),
        update_url=proxy.url(_path(endpoint.update_url)),
        gsp_url=proxy.url(_path(endpoint.gsp_url)),
        backoff=0.001,
    )


def test_server_errors_and_throttling_are_retried_with_backoff(
    store: StoreView, sparql_endpoint: Endpoint
) -> None:
    upstream = sparql_endpoint.query_url.split("/query")[0]
    script = [
        (503, {}, b"busy"),
        (429, {"Retry-After": "0"}, b"slow down"),
        (502, {}, b"bad gateway"),
    ]
    waits: list[float] = []
    with ScriptedServer(script, upstream) as proxy:
        endpoint = _proxy_endpoint(proxy, sparql_endpoint)
        report = push(store, endpoint, sleep=waits.append)
        attempts = len(proxy.requests)
    assert report.sent == len(CORPUS)
    assert attempts == report.requests + len(script)
    assert waits == [0.001, 0.0, 0.004]  # backoff doubles; Retry-After is obeyed
    assert server_quads(sparql_endpoint) == local_quads(store)


def test_a_server_that_stays_down_gives_one_line_after_the_retries(store: StoreView) -> None:
    with ScriptedServer(
        [(503, {}, b"<html><body><h1>Down</h1>\nfor maintenance</body></html>")], repeat=True
    ) as proxy:
        endpoint = Endpoint(
            proxy.url("/query"), gsp_url=proxy.url("/store"), retries=3, backoff=0.001
        )
        with pytest.raises(RemoteError) as err:
            push(store, endpoint, sleep=lambda s: None)
        assert len(proxy.requests) == 4
    message = str(err.value)
    assert "\n" not in message
    assert "HTTP 503" in message and "Down for maintenance" in message


def test_nobody_listening_gives_one_line_after_the_retries(store: StoreView) -> None:
    port = free_port()
    endpoint = Endpoint.from_url(f"http://127.0.0.1:{port}/query", retries=2, backoff=0.001)
    with pytest.raises(RemoteError, match=r"no answer after 3 attempts") as err:
        push(store, endpoint)
    assert "\n" not in str(err.value)


REFUSALS = [
    ("unauthorized", 401, "--user/--password or --token"),
    ("forbidden", 403, "may not"),
    ("bad-request", 400, "Bad Request"),
]


@pytest.mark.parametrize(
    ("status", "hint"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS]
)
def test_a_refusal_is_not_retried_and_gives_one_line(
    status: int, hint: str, store: StoreView
) -> None:
    with ScriptedServer(
        [(status, {"WWW-Authenticate": 'Basic realm="x"'}, b"no\nway")], repeat=True
    ) as proxy:
        endpoint = Endpoint(proxy.url("/query"), gsp_url=proxy.url("/store"), backoff=0.001)
        with pytest.raises(RemoteError) as err:
            push(store, endpoint)
        assert len(proxy.requests) == 1
    message = str(err.value)
    assert "\n" not in message and f"HTTP {status}" in message and hint in message
    assert "no way" in message


CREDENTIALS = [
    ("bearer-token", {"token": "t0k"}, "Bearer t0k"),
    ("basic", {"user": "ann", "password": "s3cret"}, "Basic YW5uOnMzY3JldA=="),
    ("none", {}, None),
]


@pytest.mark.parametrize(
    ("credentials", "header"), [c[1:] for c in CREDENTIALS], ids=[c[0] for c in CREDENTIALS]
)
def test_credentials_are_sent_with_every_request(
    credentials: dict[str, str], header: str | None
) -> None:
    with ScriptedServer(
        [
            (
                200,
                {"Content-Type": "application/sparql-results+json"},
                b'{"head": {"vars": []}, "results": {"bindings": []}}',
            )
        ],
        repeat=True,
    ) as proxy:
        endpoint = Endpoint(proxy.url("/query"), **credentials)  # type: ignore[arg-type]
        run_query(endpoint, "most-cited-instruments")
        sent = [h.get("Authorization") for h in proxy.headers]
    assert sent == [header]


def test_a_wrong_query_path_on_the_real_server_is_one_line(sparql_endpoint: Endpoint) -> None:
    wrong = Endpoint(sparql_endpoint.query_url.replace("/query", "/no-such-path"))
    with pytest.raises(RemoteError, match="HTTP 404") as err:
        run_query(wrong, "most-cited-instruments")
    assert "\n" not in str(err.value)


# -- the command line --------------------------------------------------------------------


def test_cli_push_then_query(
    store_path: Path, sparql_endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sparql_endpoint.query_url
    assert main(["push", "--endpoint", url, "--store", str(store_path)]) == EXIT_OK
    assert f"pushed {len(CORPUS)} graph(s)" in capsys.readouterr().out
    assert main(["push", "--endpoint", url, "--store", str(store_path)]) == EXIT_OK
    assert "pushed 0 graph(s)" in capsys.readouterr().out
    assert main(["push", "--endpoint", url, "--store", str(store_path), "--all"]) == EXIT_OK
    assert f"pushed {len(CORPUS)} graph(s)" in capsys.readouterr().out
    code = main(
        ["query", "most-cited-instruments", "--endpoint", url, "-f", "csv", "-p", "limit=5"]
    )
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert len(out.splitlines()) == 6  # the header and five rows


@pytest.mark.parametrize(
    ("status", "hint"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS]
)
def test_cli_refusal_is_one_line_and_exit_4(
    status: int, hint: str, shared_store: CorpusStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = shared_store.path  # nothing is recorded when the server refuses
    with ScriptedServer([(status, {}, b"refused")], repeat=True) as proxy:
        push_code = main(["push", "--endpoint", proxy.url("/query"), "--store", str(store_path)])
        push_err = capsys.readouterr().err
        query_code = main(["query", "most-cited-instruments", "--endpoint", proxy.url("/query")])
        query_err = capsys.readouterr().err
    for code, err in ((push_code, push_err), (query_code, query_err)):
        assert code == EXIT_REMOTE
        assert err.count("\n") == 1 and err.startswith("resgraph: error: ")
        assert f"HTTP {status}" in err and hint in err
