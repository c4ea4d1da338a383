"""resgraph serve: a real server on a free port, fetched with urllib.

The seed resolution is built once per module; every result format is parsed back
(json, csv, rdflib's SPARQL result parsers, pyoxigraph), the named-query API is
compared with `store.run_query` over the same graph, IRIs dereference with 303 and
content negotiation, and the safety limits are exercised for real: a slow cross join
is stopped by the time limit, updates are refused (and accepted with the flag and the
token), and a SERVICE call never reaches the listening socket it names.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from conftest import SEED
from rdflib.query import Result

from resgraph import ids, serve
from resgraph.pipeline import build
from resgraph.serve import ServeConfig, Source, make_server, negotiate, resource_html
from resgraph.store import list_queries, run_query

ID = ids.DEFAULT_BASE
SEED_DOC = ids.document_iri("A/RES/67/185")
RG = "https://w3id.org/resgraph/ontology#"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Client:
    """urllib against one server, redirects not followed."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def request(
        self,
        path: str,
        *,
        accept: str | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> Response:
        h = dict(headers or {})
        if accept is not None:
            h["Accept"] = accept
        req = urllib.request.Request(self.url + path, data=data, headers=h, method=method)
        try:
            with _OPENER.open(req, timeout=60) as r:
                return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())

    def sparql(self, query: str, accept: str | None = None, **extra: str) -> Response:
        params = urllib.parse.urlencode({"query": query, **extra})
        return self.request(f"/sparql?{params}", accept=accept)

    def post_form(self, field: str, text: str, headers: dict[str, str] | None = None) -> Response:
        body = urllib.parse.urlencode({field: text}).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("/sparql", data=body, headers=h)


@dataclass
class Running:
    client: Client
    server: serve.Server
    graph: Path
    dataset: rdflib.Dataset
    store: ox.Store


def _start(config: ServeConfig) -> serve.Server:
    server = make_server(config)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, rdflib.Dataset]:
    result = build([SEED], validate=False)
    path = tmp_path_factory.mktemp("serve") / "graph.nq"
    result.dataset.serialize(destination=str(path), format="nquads", encoding="utf-8")
    (path.parent / "network.html").write_text("<!DOCTYPE html><title>network</title>")
    return path, result.dataset


@pytest.fixture(scope="module")
def running(seed_graph: tuple[Path, rdflib.Dataset]) -> Iterator[Running]:
    path, dataset = seed_graph
    source = Source("file", path)
    config = ServeConfig(
        source,
        port=0,
        timeout=60.0,  # generous: the machine may be busy; the time limit has its own server
        max_rows=500,
        quiet=True,
        network_page=serve.find_network_page(source),
    )
    server = _start(config)
    try:
        yield Running(Client(server.url), server, path, dataset, serve.load_file(path))
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def updatable(seed_graph: tuple[Path, rdflib.Dataset]) -> Iterator[Client]:
    config = ServeConfig(
        Source("file", seed_graph[0]),
        port=0,
        timeout=10.0,
        quiet=True,
        allow_update=True,
        token="s3cret",
        cors="https://example.org",
    )
    server = _start(config)
    try:
        yield Client(server.url)
    finally:
        server.shutdown()
        server.server_close()


def _rows(store: ox.Store, query: str) -> int:
    """Rows of a query over the default graph (the union of the documents, as served)."""
    return len(list(store.query(query)))  # type: ignore[arg-type]


# -- the SPARQL protocol ---------------------------------------------------------------------

SELECT = f"""PREFIX rg: <{RG}>
SELECT ?clause ?phrase ?n WHERE {{ ?clause rg:phrase ?phrase ; rg:position ?n }} ORDER BY ?clause"""


def _parse_json(body: bytes) -> list[dict[str, str]]:
    data = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def _parse_csv(body: bytes) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    return [{k: v for k, v in r.items() if v != ""} for r in rows]


def _parse_rdflib(fmt: str) -> Any:
    def parse(body: bytes) -> list[dict[str, str]]:
        result = Result.parse(io.BytesIO(body), format=fmt)
        return [
            {str(k): str(v) for k, v in row.asdict().items() if v is not None} for row in result
        ]

    return parse


def _parse_ox(fmt: ox.QueryResultsFormat) -> Any:
    def parse(body: bytes) -> list[dict[str, str]]:
        result = ox.parse_query_results(body, format=fmt)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in result]

    return parse


FORMATS = [
    # (Accept, media type answered, parser)
    (None, "application/sparql-results+json", _parse_json),
    ("application/sparql-results+json", "application/sparql-results+json", _parse_rdflib("json")),
    ("application/sparql-results+xml", "application/sparql-results+xml", _parse_rdflib("xml")),
    (
        "application/sparql-results+xml",
        "application/sparql-results+xml",
        _parse_ox(ox.QueryResultsFormat.XML),
    ),
    ("text/csv", "text/csv", _parse_csv),
    ("text/csv", "text/csv", _parse_rdflib("csv")),
    ("text/tab-separated-values", "text/tab-separated-values", _parse_rdflib("tsv")),
    (
        "text/tab-separated-values",
        "text/tab-separated-values",
        _parse_ox(ox.QueryResultsFormat.TSV),
    ),
    ("application/json", "application/sparql-results+json", _parse_ox(ox.QueryResultsFormat.JSON)),
    (
        "text/csv;q=0.5, application/sparql-results+xml",
        "application/sparql-results+xml",
        _parse_rdflib("xml"),
    ),
]
FORMAT_IDS = [
    "none-json",
    "json-rdflib",
    "xml-rdflib",
    "xml-oxigraph",
    "csv-stdlib",
    "csv-rdflib",
    "tsv-rdflib",
    "tsv-oxigraph",
    "application-json",
    "q-values",
]


@pytest.mark.parametrize(("accept", "media", "parse"), FORMATS, ids=FORMAT_IDS)
def test_select_in_every_result_format_parses_back(
    running: Running, accept: str | None, media: str, parse: Any
) -> None:
    r = running.client.sparql(SELECT, accept=accept)
    assert r.status == 200, r.body
    assert r.headers["content-type"].split(";")[0] == media
    rows = parse(r.body)
    expected = _rows(running.store, SELECT)
    assert expected > 10
    assert len(rows) == expected
    assert all(row["clause"].startswith(SEED_DOC + "/") for row in rows)
    phrases = {row["phrase"] for row in rows}
    assert {"Reaffirming", "Urges"} <= phrases
    assert "access-control-allow-origin" not in r.headers  # CORS off by default


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"], ids=str)
def test_format_parameter_overrides_accept(running: Running, fmt: str) -> None:
    r = running.client.sparql(SELECT, accept="text/csv", format=fmt)
    assert r.status == 200
    assert r.headers["content-type"].split(";")[0] == serve.RESULT_TYPES[fmt]


@pytest.mark.parametrize(
    ("how", "headers", "body"),
    [
        ("form", {"Content-Type": "application/x-www-form-urlencoded"}, "form"),
        ("direct", {"Content-Type": "application/sparql-query"}, "raw"),
    ],
    ids=["post-form", "post-sparql-query"],
)
def test_post_queries(running: Running, how: str, headers: dict[str, str], body: str) -> None:
    data = urllib.parse.urlencode({"query": SELECT}) if body == "form" else SELECT
    r = running.client.request("/sparql", data=data.encode(), headers=headers)
    assert r.status == 200, r.body
    assert len(_parse_json(r.body)) == _rows(running.store, SELECT)


CONSTRUCT = f"CONSTRUCT {{ ?c <{RG}phrase> ?p }} WHERE {{ ?c <{RG}phrase> ?p }}"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ],
    ids=["default-turtle", "turtle", "json-ld", "n-triples"],
)
def test_construct_in_every_rdf_format(
    running: Running, accept: str | None, rdflib_format: str
) -> None:
    r = running.client.sparql(CONSTRUCT, accept=accept)
    assert r.status == 200, r.body
    g = rdflib.Graph().parse(data=r.body.decode(), format=rdflib_format)
    expected = {
        (str(s), str(o)) for s, o in running.dataset.subject_objects(rdflib.URIRef(RG + "phrase"))
    }
    assert {(str(s), str(o)) for s, _, o in g} == expected


def test_describe_answers_triples(running: Running) -> None:
    r = running.client.sparql(f"DESCRIBE <{SEED_DOC}>", accept="text/turtle")
    assert r.status == 200
    g = rdflib.Graph().parse(data=r.text(), format="turtle")
    assert (rdflib.URIRef(SEED_DOC), None, None) in g


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (f"ASK {{ <{SEED_DOC}> ?p ?o }}", None, True),
        (f"ASK {{ <{ID}doc/A/RES/1/1/op/999> ?p ?o }}", None, False),
        (f"ASK {{ <{SEED_DOC}> ?p ?o }}", "application/sparql-results+xml", True),
    ],
    ids=["true-json", "false-json", "true-xml"],
)
def test_ask(running: Running, query: str, accept: str | None, expected: bool) -> None:
    r = running.client.sparql(query, accept=accept)
    assert r.status == 200
    if accept is None:
        assert json.loads(r.body)["boolean"] is expected
    else:
        assert bool(ox.parse_query_results(r.body, format=ox.QueryResultsFormat.XML)) is expected


def test_results_over_the_cap_are_cut_and_the_cut_reported(running: Running) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    total = _rows(running.store, query)
    assert total > running.server.config.max_rows
    r = running.client.sparql(query, accept="text/csv")
    assert r.status == 200
    assert r.headers[serve.TRUNCATED_HEADER.lower()] == str(running.server.config.max_rows)
    assert len(_parse_csv(r.body)) == running.server.config.max_rows
    small = running.client.sparql(SELECT)
    assert serve.TRUNCATED_HEADER.lower() not in small.headers


@pytest.mark.parametrize(
    ("path", "accept", "data", "status"),
    [
        ("/sparql", None, None, 400),  # no query
        ("/sparql?query=" + urllib.parse.quote("SELECT WHERE {"), None, None, 400),
        ("/sparql?query=" + urllib.parse.quote("SELECT * {?s ?p ?o}"), "image/png", None, 406),
        (
            "/sparql?query=" + urllib.parse.quote("SELECT * {?s ?p ?o}") + "&format=pdf",
            None,
            None,
            406,
        ),
        ("/nowhere", None, None, 404),
        ("/static/../serve.py", None, None, 404),
    ],
    ids=[
        "no-query",
        "syntax",
        "accept-unknown",
        "format-unknown",
        "unknown-path",
        "static-traversal",
    ],
)
def test_errors_are_short_text(
    running: Running, path: str, accept: str | None, data: bytes | None, status: int
) -> None:
    headers = {"Content-Type": "application/sparql-query"} if data else {}
    r = running.client.request(path, accept=accept, data=data, headers=headers)
    assert r.status == status
    assert r.headers["content-type"].startswith("text/plain")
    assert 0 < len(r.body) < 500 and r.body.count(b"\n") == 1


def test_a_body_over_the_limit_is_413_and_never_read(running: Running) -> None:
    import http.client

    host, port = running.server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=30)
    conn.putrequest("POST", "/sparql")
    conn.putheader("Content-Type", "application/sparql-query")
    conn.putheader("Content-Length", str(running.server.config.max_body * 1000))
    conn.endheaders()  # and no body: the server must answer without waiting for it
    r = conn.getresponse()
    assert r.status == 413
    assert r.getheader("Connection") == "close"
    conn.close()


# -- safety ----------------------------------------------------------------------------------


def test_a_query_over_the_time_limit_is_stopped_and_reported(
    seed_graph: tuple[Path, rdflib.Dataset],
) -> None:
    server = _start(ServeConfig(Source("file", seed_graph[0]), port=0, timeout=2.0, quiet=True))
    client = Client(server.url)
    try:
        started = time.perf_counter()
        r = client.sparql(SLOW)
        elapsed = time.perf_counter() - started
        assert r.status == 408
        assert "time limit" in r.text()
        assert elapsed < server.config.timeout + 3.0
        assert server.pool.killed == 1
        # the worker was replaced: the server keeps answering
        deadline = time.monotonic() + 60
        while True:
            ok = client.sparql(SELECT)
            if ok.status == 200 or time.monotonic() > deadline:
                break
        assert ok.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_every_worker_busy_is_503(seed_graph: tuple[Path, rdflib.Dataset]) -> None:
    # a request waits 0.5 s for a free worker; the one worker is held for the 3 s time limit
    config = ServeConfig(
        Source("file", seed_graph[0]), port=0, timeout=3.0, wait=0.5, workers=1, quiet=True
    )
    server = _start(config)
    client = Client(server.url)
    try:
        slow: list[Response] = []
        holder = threading.Thread(target=lambda: slow.append(client.sparql(SLOW)))
        holder.start()
        time.sleep(0.5)  # the one worker runs the slow query
        r = client.sparql(SELECT)
        holder.join()
        assert slow[0].status == 408
        assert r.status == 503 and "busy" in r.text()
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening socket that must never be connected to."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(1.0)
    yield sock
    sock.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <http://127.0.0.1:{port}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "PREFIX x: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ SERVICE x:s {{ ?s ?p ?o }} }}",
    ],
    ids=["service", "service-silent", "from", "from-named", "service-prefixed"],
)
def test_remote_access_is_refused_before_anything_goes_out(
    running: Running, listener: socket.socket, template: str
) -> None:
    port = listener.getsockname()[1]
    r = running.client.sparql(template.format(port=port))
    assert r.status in (400, 403)
    assert "refused" in r.text()
    with pytest.raises(TimeoutError):
        listener.accept()


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (
            "update",
            f"INSERT DATA {{ <{ID}x> <{RG}text> 'x' . GRAPH <{ID}g> {{ <{ID}x> <{RG}p> 'x' }} }}",
        ),
        ("update", "LOAD <http://127.0.0.1:9/data.ttl>"),
        ("query", f"INSERT DATA {{ <{ID}x> <{RG}text> 'x' }}"),
    ],
    ids=["insert", "load", "update-as-query"],
)
def test_updates_are_refused_by_a_read_only_server(running: Running, field: str, text: str) -> None:
    r = running.client.post_form(field, text)
    assert r.status in (400, 403)
    assert "refused" in r.text() or "update" in r.text()
    anywhere = f"ASK {{ {{ <{ID}x> ?p ?o }} UNION {{ GRAPH ?g {{ <{ID}x> ?p ?o }} }} }}"
    assert not _ask(running.client, anywhere)


def _ask(client: Client, query: str) -> bool:
    r = client.sparql(query)
    assert r.status == 200, r.body
    return bool(json.loads(r.body)["boolean"])


def test_updates_need_the_flag_and_the_token(updatable: Client) -> None:
    # the default graph is the union the queries see; the document graph keeps the quad
    triple = f"<{ID}test/1> <{RG}text> 'added'"
    insert = f"INSERT DATA {{ {triple} . GRAPH <{ID}graph/test> {{ {triple} }} }}"
    assert updatable.post_form("update", insert).status == 403  # no token
    wrong = {"Authorization": "Bearer nope"}
    assert updatable.post_form("update", insert, wrong).status == 403
    assert not _ask(updatable, f"ASK {{ <{ID}test/1> ?p ?o }}")
    good = {"Authorization": "Bearer s3cret"}
    r = updatable.post_form("update", insert, good)
    assert r.status == 200, r.body
    assert _ask(updatable, f"ASK {{ <{ID}test/1> <{RG}text> 'added' }}")
    # LOAD stays refused even then: nothing leaves the store
    assert updatable.post_form("update", "LOAD <http://127.0.0.1:9/x.ttl>", good).status in (
        400,
        403,
    )


def test_cors_only_when_asked(updatable: Client, running: Running) -> None:
    r = updatable.sparql(f"ASK {{ <{SEED_DOC}> ?p ?o }}")
    assert r.headers["access-control-allow-origin"] == "https://example.org"
    pre = updatable.request("/sparql", method="OPTIONS")
    assert pre.status == 204 and "POST" in pre.headers["access-control-allow-methods"]
    plain = running.client.request("/sparql", method="OPTIONS")
    assert "access-control-allow-origin" not in plain.headers


def test_bound_to_localhost_by_default(running: Running) -> None:
    assert ServeConfig(Source("file", Path("x"))).host == "127.0.0.1"
    assert running.server.server_address[0] == "127.0.0.1"


def test_update_without_a_token_is_a_configuration_error() -> None:
    with pytest.raises(serve.ResgraphError, match="token"):
        ServeConfig(Source("file", Path("x")), allow_update=True)


# -- named queries -----------------------------------------------------------------------------


def test_queries_lists_every_named_query_with_its_parameters(running: Running) -> None:
    r = running.client.request("/queries")
    assert r.status == 200 and r.headers["content-type"] == "application/json"
    listing = json.loads(r.body)
    shipped = list_queries()
    assert [q["name"] for q in listing] == [q.name for q in shipped]
    for item, q in zip(listing, shipped, strict=True):
        assert item["summary"] == q.summary and item["summary"]
        assert item["url"] == f"/queries/{q.name}"
        assert [p["name"] for p in item["parameters"]] == [p.name for p in q.params]
        for p, declared in zip(item["parameters"], q.params, strict=True):
            assert set(p) >= {"name", "type", "required", "default", "example"}
            assert (p["type"], p["required"], p["default"], p["example"]) == (
                declared.type,
                declared.required,
                declared.default,
                declared.example,
            )


def _example_params(q: Any) -> dict[str, str]:
    return {p.name: p.example for p in q.params if p.example is not None and p.type != "limit"}


def _values(rows: Any) -> list[tuple[str, ...]]:
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


@pytest.mark.parametrize("name", [q.name for q in list_queries()], ids=str)
def test_every_named_query_over_http_matches_run_query(running: Running, name: str) -> None:
    query = next(q for q in list_queries() if q.name == name)
    params = _example_params(query)
    expected = run_query(running.dataset, name, params)
    r = running.client.request(f"/queries/{name}?" + urllib.parse.urlencode(params))
    assert r.status == 200, r.body
    data = json.loads(r.body)
    assert data["head"]["vars"] == list(expected.vars)
    rows = [
        tuple(b.get(v, {}).get("value") for v in data["head"]["vars"])
        for b in data["results"]["bindings"]
    ]
    assert _values(rows) == _values(expected.rows)


def test_named_query_parameters_are_typed_values(running: Running) -> None:
    base = "/queries/treaties-cited-by-resolution"
    r = running.client.request(base + "?document=A/RES/67/185", accept="text/csv")
    assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
    rows = _parse_csv(r.body)
    assert rows and all(row["treaty"].startswith(ID + "treaty/") for row in rows)
    assert any(row.get("volume") == "2225" for row in rows)
    # the same by full IRI, and a document that cites nothing gives no rows
    same = running.client.request(base + "?" + urllib.parse.urlencode({"document": SEED_DOC}))
    assert len(_parse_json(same.body)) == len(rows)
    none = running.client.request(base + "?document=A/RES/1/1")
    assert none.status == 200 and _parse_json(none.body) == []
    # a typed integer: the volume
    vol = running.client.request("/queries/treaties-in-unts-volume?volume=2225")
    assert vol.status == 200 and _parse_json(vol.body)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/queries/treaties-cited-by-resolution", 400),  # missing required parameter
        ("/queries/treaties-cited-by-resolution?document=A/RES/67/185&bogus=1", 400),
        ("/queries/treaties-in-unts-volume?volume=many", 400),
        ("/queries/no-such-query", 404),
        ("/queries/..%2Fsecrets", 404),
    ],
    ids=["missing", "unknown-param", "not-an-integer", "unknown-query", "bad-name"],
)
def test_named_query_errors(running: Running, path: str, status: int) -> None:
    r = running.client.request(path)
    assert r.status == status
    assert r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("fmt", ["xml", "tsv"], ids=str)
def test_named_query_content_negotiation(running: Running, fmt: str) -> None:
    r = running.client.request(
        "/queries/most-cited-instruments?limit=5", accept=serve.RESULT_TYPES[fmt]
    )
    assert r.status == 200
    rows = _parse_rdflib(fmt)(r.body)
    assert len(rows) == 5


# -- dereferenceable IRIs ------------------------------------------------------------------------

KINDS = [
    "Resolution",
    "PreambularParagraph",
    "OperativeParagraph",
    "SubParagraph",
    "Footnote",
    "Treaty",
    "TreatySeriesVolume",
    "Organ",
]


def _instance(running: Running, kind: str) -> str:
    q = f"SELECT ?x WHERE {{ ?x a <{RG}{kind}> FILTER(STRSTARTS(STR(?x), '{ID}')) }} ORDER BY ?x"
    found = list(running.store.query(q))  # type: ignore[arg-type]
    if not found:
        pytest.skip(f"the seed has no {kind}")
    return str(found[0]["x"].value)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_kind_of_iri_dereferences(running: Running, kind: str) -> None:
    iri = _instance(running, kind)
    path = "/id/" + iri.removeprefix(ID)
    # a person: HTML
    for accept in (None, "text/html,application/xhtml+xml,*/*;q=0.8"):
        r = running.client.request(path, accept=accept)
        assert r.status == 303, r.body
        assert r.headers["location"] == "/page/" + iri.removeprefix(ID)
        assert r.headers["vary"] == "Accept"
    page = running.client.request(r.headers["location"])
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["content-location"] == r.headers["location"]
    # a machine: each RDF format, through the 303
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ):
        r = running.client.request(path, accept=accept)
        assert r.status == 303 and r.headers["vary"] == "Accept"
        data = running.client.request(r.headers["location"], accept=accept)
        assert data.status == 200
        assert data.headers["content-type"].split(";")[0] == accept
        assert data.headers["content-location"] == r.headers["location"]
        g = rdflib.Graph().parse(data=data.text(), format=fmt)
        assert (rdflib.URIRef(iri), rdflib.RDF.type, rdflib.URIRef(RG + kind)) in g


def test_data_without_extension_negotiates_and_says_where(running: Running) -> None:
    r = running.client.request("/data/doc/A/RES/67/185", accept="application/n-triples")
    assert r.status == 200
    assert r.headers["content-location"] == "/data/doc/A/RES/67/185.nt"
    assert r.headers["vary"] == "Accept"
    g = rdflib.Graph().parse(data=r.text(), format="nt")
    # what it cites and what is part of it
    assert (rdflib.URIRef(SEED_DOC), rdflib.URIRef(ids.DEFAULT_BASE + "x"), None) not in g
    assert (
        len(
            list(
                g.subjects(
                    rdflib.URIRef("http://data.europa.eu/eli/ontology#is_part_of"),
                    rdflib.URIRef(SEED_DOC),
                )
            )
        )
        > 10
    )


@pytest.mark.parametrize(
    "path",
    ["/id/doc/A/RES/1/999", "/page/doc/A/RES/1/999", "/data/doc/A/RES/1/999.ttl", "/id/"],
    ids=["id", "page", "data", "empty"],
)
def test_unknown_iris_are_404(running: Running, path: str) -> None:
    assert running.client.request(path).status == 404


def test_the_page_of_a_resolution(running: Running) -> None:
    page = running.client.request("/page/doc/A/RES/67/185").text()
    assert "A/RES/67/185" in page
    # its parts, linked, in reading order
    assert page.index('href="/id/doc/A/RES/67/185/pp/1"') < page.index(
        'href="/id/doc/A/RES/67/185/op/1"'
    )
    # what it cites, linked as local IRIs
    assert 'id="cites"' in page and 'href="/id/treaty/' in page
    # the network page, focused on it
    assert 'href="/network.html#focus=' + urllib.parse.quote(SEED_DOC, safe="") + '"' in page


def test_the_page_of_a_cited_treaty_lists_what_cites_it(running: Running) -> None:
    treaty = _instance(running, "Treaty")
    page = running.client.request("/page/" + treaty.removeprefix(ID)).text()
    assert 'id="cited-by"' in page
    assert 'href="/id/doc/A/RES/67/185' in page


def test_the_page_of_a_clause_shows_its_text(running: Running) -> None:
    iri = _instance(running, "OperativeParagraph")
    text = next(running.dataset.objects(rdflib.URIRef(iri), rdflib.URIRef(RG + "text")))
    page = running.client.request("/page/" + iri.removeprefix(ID)).text()
    assert f"<blockquote class='text'>{_esc(str(text))}</blockquote>" in page


def _esc(text: str) -> str:
    import html

    return html.escape(text)


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
]


@pytest.mark.parametrize("payload", HOSTILE, ids=["script", "img", "attr-break", "js-url"])
def test_resource_pages_escape_every_text(payload: str) -> None:
    iri = ID + "doc/A/RES/90/1/op/1"
    data = {
        "iri": iri,
        "labels": {ID + "treaty/x": payload},
        "properties": [
            [RG + "text", {"type": "literal", "value": payload}],
            ["http://purl.org/dc/terms/title", {"type": "literal", "value": payload}],
            [RG + "phrase", {"type": "literal", "value": payload, "xml:lang": "en"}],
            ["http://data.europa.eu/eli/ontology#cites", {"type": "uri", "value": ID + "treaty/x"}],
            [RG + "seeAlso", {"type": "uri", "value": "javascript:alert(1)"}],
        ],
        "incoming": [],
    }
    page = resource_html(data, ID, network=True)
    assert "<script>" not in page and "<img" not in page and "<svg" not in page
    assert 'href="javascript:' not in page
    assert _esc(payload) in page


# -- unit: negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("text/*", "csv"),
        ("text/tab-separated-values, text/csv;q=0.9", "tsv"),
        ("application/sparql-results+json;q=0.1, text/csv", "csv"),
        ("application/xml", "xml"),
        ("text/html", None),
        ("text/csv;q=0", None),
    ],
    ids=["none", "empty", "any", "text-wildcard", "order", "q", "alias", "html", "q-zero"],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, serve.RESULT_TYPES, "json") == expected


# -- on a corpus store ---------------------------------------------------------------------------


def test_serves_a_corpus_store_and_holds_its_read_lock(
    seed_graph: tuple[Path, rdflib.Dataset], tmp_path: Path
) -> None:
    corpus_store = pytest.importorskip("resgraph.corpus_store")
    path, dataset = seed_graph
    folder = tmp_path / "store"
    graph = ids.graph_iri("A/RES/67/185")
    nquads = path.read_bytes()
    with corpus_store.CorpusStore.open(folder, write=True) as cs:
        cs.put_document(
            corpus_store.NewDocument(
                graph=graph,
                symbol="A/RES/67/185",
                source=str(SEED),
                sha256="0" * 64,
                nquads=nquads,
                triples=len(dataset),
            )
        )
    server = _start(ServeConfig(Source("store", folder), port=0, timeout=10, quiet=True))
    try:
        client = Client(server.url)
        for query in list_queries():  # the store's own runner gives rdflib's rows
            params = _example_params(query)
            expected = run_query(dataset, query.name, params)
            r = client.request(f"/queries/{query.name}?" + urllib.parse.urlencode(params))
            assert r.status == 200, (query.name, r.body)
            data = json.loads(r.body)
            rows = [
                tuple(b.get(v, {}).get("value") for v in data["head"]["vars"])
                for b in data["results"]["bindings"]
            ]
            assert _values(rows) == _values(expected.rows), query.name
        assert client.request("/id/doc/A/RES/67/185", accept="text/turtle").status == 303
        with pytest.raises(corpus_store.StoreLockedError):
            corpus_store.CorpusStore.open(folder, write=True)
    finally:
        server.shutdown()
        server.server_close()
    with corpus_store.CorpusStore.open(folder, write=True):
        pass  # released when the server stops


def test_cli_serve_answers_and_stops_with_its_workers(
    seed_graph: tuple[Path, rdflib.Dataset],
) -> None:
    import os
    import signal
    import subprocess
    import sys

    psutil = pytest.importorskip("psutil")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resgraph",
            "serve",
            "--graph",
            str(seed_graph[0]),
            "--port",
            "0",
            "--quiet",
            "--workers",
            "2",
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        client = Client(url)
        assert _ask(client, f"ASK {{ <{SEED_DOC}> ?p ?o }}")
        workers = psutil.Process(proc.pid).children()
        assert len(workers) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
