"""Queries never leave the machine: a listening socket that must never be contacted.

A TCP socket on 127.0.0.1 stands for "the network". A corpus of hostile queries
points at it (SERVICE, FROM, FROM NAMED, LOAD, USING, a graph file whose JSON-LD
@context or XML DTD is on it) and runs through every entry point: the query guard,
store.run_query on an rdflib dataset and on the on-disk CorpusStore, the CLI
`query`, and the HTTP endpoint of `resgraph serve`. Each must be refused, and
the socket must see zero connections.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from conftest import SEED

from resgraph import cli, store
from resgraph.errors import QueryError
from resgraph.guard import guard_query


class Listener:
    """A TCP socket on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.total = 0

    def connections(self) -> int:
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return self.total
            conn.close()
            self.total += 1


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.sock.close()


def hostile_queries(url: str) -> dict[str, str]:
    spo = "?s ?p ?o"
    return {
        "service": f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ {spo} }} }}",
        "service-silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ {spo} }} }}",
        "service-lowercase-nested": (
            f"select * where {{ {spo} optional {{ {{ select * where {{ "
            f"service <{url}> {{ {spo} }} }} }} }} }}"
        ),
        "service-prefixed": f"PREFIX x: <{url}> SELECT * {{ SERVICE x:sparql {{ {spo} }} }}",
        "service-variable": f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ {spo} }} }}",
        "from": f"SELECT * FROM <{url}data.ttl> WHERE {{ {spo} }}",
        "from-named": f"SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ {spo} }} }}",
        "construct-from": f"CONSTRUCT {{ {spo} }} FROM <{url}d> WHERE {{ {spo} }}",
        "load": f"LOAD <{url}data.ttl>",
        "load-into": f"LOAD SILENT <{url}d.ttl> INTO GRAPH <urn:g>",
        "using": f"INSERT {{ {spo} }} USING <{url}d> WHERE {{ {spo} }}",
        "insert-service": f"INSERT {{ {spo} }} WHERE {{ SERVICE <{url}> {{ {spo} }} }}",
        "describe-remote": f"DESCRIBE <{url}x> FROM <{url}x>",
        "deep": "SELECT * WHERE " + "{" * 3000 + f"SERVICE <{url}> {{ }}" + "}" * 3000,
    }


QUERY_IDS = list(hostile_queries("http://x/"))


@pytest.mark.parametrize("case", QUERY_IDS)
def test_guard_refuses(case: str, listener: Listener) -> None:
    with pytest.raises(QueryError):
        guard_query(hostile_queries(listener.url)[case])
    assert listener.connections() == 0


def _rq(tmp_path: Path, text: str) -> store.NamedQuery:
    path = tmp_path / "hostile.rq"
    path.write_text("#+ summary: hostile\n" + text, encoding="utf-8")
    return store.read_query(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`resgraph build` of the seed: out/graph.trig, out/store."""
    out = tmp_path_factory.mktemp("outbound")
    code = cli.main(
        ["build", str(SEED), "--out", str(out), "--no-validate", "--no-network-page", "-q"]
    )
    assert code == 0
    return out


@pytest.mark.parametrize("case", QUERY_IDS)
def test_run_query_on_rdflib_refuses(case: str, listener: Listener, tmp_path: Path) -> None:
    ds = rdflib.Dataset()
    ds.graph(rdflib.URIRef("urn:g")).add(
        (rdflib.URIRef("urn:a"), rdflib.RDF.type, rdflib.OWL.Thing)
    )
    with pytest.raises(QueryError):
        store.run_query(ds, _rq(tmp_path, hostile_queries(listener.url)[case]))
    assert listener.connections() == 0


@pytest.mark.parametrize("case", QUERY_IDS)
def test_run_query_on_the_corpus_store_refuses(
    case: str, listener: Listener, built: Path, tmp_path: Path
) -> None:
    from resgraph.corpus_store import CorpusStore

    with CorpusStore.open(built / "store") as cs, pytest.raises(QueryError):
        store.run_query(cs, _rq(tmp_path, hostile_queries(listener.url)[case]))
    assert listener.connections() == 0


def test_parameters_are_values_not_text(listener: Listener, built: Path) -> None:
    """A parameter that looks like SPARQL or an IRI on the socket is bound as a term."""
    from resgraph.corpus_store import CorpusStore

    with CorpusStore.open(built / "store") as cs:
        for value in (
            f"{listener.url}x",
            f"A/RES/1/1> }} SERVICE <{listener.url}> {{ ?s ?p ?o",
        ):
            try:
                result = store.run_query(cs, "treaties-cited-by-resolution", {"document": value})
            except QueryError:
                continue  # refused as a bad value: fine, as long as nothing was fetched
            assert result.rows == ()
    assert listener.connections() == 0


def hostile_graph_files(url: str) -> dict[str, tuple[str, str]]:
    return {
        "jsonld-context-url": (
            "g.jsonld",
            json.dumps({"@context": f"{url}ctx", "@id": "urn:a", "p": 1}),
        ),
        "jsonld-context-dev-zero": (
            "g.jsonld",
            json.dumps({"@context": "file:///dev/zero", "@id": "urn:a"}),
        ),
        "rdfxml-external-dtd": (
            "g.rdf",
            f'<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{url}x.dtd">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        ),
        "rdfxml-external-entity": (
            "g.rdf",
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}e">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&e;</rdf:RDF>',
        ),
    }


@pytest.mark.parametrize("case", list(hostile_graph_files("http://x/")))
def test_cli_query_on_a_hostile_graph_file(
    case: str, listener: Listener, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, text = hostile_graph_files(listener.url)[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = cli.main(["query", "most-cited-instruments", "--graph", str(path)])
    assert code == 2  # an input error, named in one line
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err
    assert listener.connections() == 0


# -- serve -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    serve = pytest.importorskip("resgraph.serve")
    config = serve.ServeConfig(
        serve.Source("store", built / "store"), port=0, timeout=5.0, quiet=True
    )
    srv = serve.make_server(config)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv.url.rstrip("/")
    finally:
        srv.shutdown()
        if hasattr(srv, "close"):
            srv.close()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _post(url: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.mark.parametrize("case", QUERY_IDS)
def test_serve_refuses(case: str, listener: Listener, server: str) -> None:
    text = hostile_queries(listener.url)[case]
    status, _ = _get(f"{server}/sparql?" + urllib.parse.urlencode({"query": text}))
    assert 400 <= status < 500
    status, _ = _post(f"{server}/sparql", text.encode(), "application/sparql-query")
    assert 400 <= status < 500
    status, _ = _post(f"{server}/sparql", text.encode(), "application/sparql-update")
    assert 400 <= status < 500
    assert listener.connections() == 0


def test_serve_regex_dos_is_bounded(server: str) -> None:
    """REGEX(?o, "^(a+)+$") takes 40 s in rdflib; the served engine must answer quickly."""
    text = 'SELECT ?o WHERE { BIND("' + "a" * 40 + '!" AS ?o) FILTER(REGEX(?o, "^(a+)+$")) }'
    start = time.perf_counter()
    status, body = _get(f"{server}/sparql?" + urllib.parse.urlencode({"query": text}))
    elapsed = time.perf_counter() - start
    # either a linear-time regex engine answers (no rows) or the timeout (5 s) stops it
    assert elapsed < 15, f"{elapsed:.1f} s"
    assert status in (200, 400, 503, 504), body[:200]
