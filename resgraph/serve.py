"""`resgraph serve`: a local SPARQL endpoint, a query page, the named queries and the IRIs.

Standard library only (http.server). Routes:

    /                     the query page (offline: its script and style are served from here)
    /sparql               SPARQL 1.1 Protocol: GET ?query=, POST form or application/sparql-query
    /queries              the named queries of queries/ as JSON (grlc-style)
    /queries/<name>?p=v   one named query, parameters bound as typed values
    /id/<path>            an instance IRI <base><path>: 303 See Other to /page/… or /data/…
    /page/<path>          the HTML page of a resource; /data/<path>[.ttl|.jsonld|.nt] its triples

Every query goes through `guard.guard_query` first (no SERVICE, LOAD, FROM or update unless
allowed), then runs in a worker process: pyoxigraph cannot interrupt a query, so a query
over the time limit is stopped by killing its worker, which is replaced. Workers open the
store read-only; the server holds the store's shared lock so no writer runs meanwhile.
Results are cut at `max_rows` rows (or triples), and the cut is reported in the header
`X-Resgraph-Truncated`.

Queries see the default graph, which holds the set union of the document graphs (a
CorpusStore keeps it so; a graph file is laid out the same way when loaded); `GRAPH ?g`
reaches the document graphs. Updates (with `--allow-update` and the token) run on a single
worker that opens the store for writing; they change the graphs as written, so triples
meant for queries go into the default graph. Served from a graph file, updates live in that
worker's memory only (and are lost when it is replaced after a timeout).
"""

from __future__ import annotations

import contextlib
import csv
import hmac
import html
import io
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from . import ids
from .errors import QueryError, ResgraphError

SourceKind = Literal["store", "file"]
Term = dict[str, str]  # a term as SPARQL 1.1 JSON results write it
Row = dict[str, Term]

PREFIXES: dict[str, str] = {
    "rg": "https://w3id.org/resgraph/ontology#",
    "rgp": "https://w3id.org/resgraph/phrase/",
    "rgr": "https://w3id.org/resgraph/relation/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# result format key -> media type; the first is the default
RESULT_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
RDF_TYPES: dict[str, str] = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
# media types a client may also send for the same format
_ALIASES: dict[str, str] = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "ttl",
    "application/json+ld": "jsonld",
    "text/plain": "nt",
}
_RDF_OX: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
}

_TEMPLATES = Path(__file__).resolve().parent / "templates"
# files of templates/ served under /static/ (nothing else is)
_STATIC: dict[str, str] = {
    "query.js": "text/javascript; charset=utf-8",
    "query.css": "text/css; charset=utf-8",
    "resource.css": "text/css; charset=utf-8",
}
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
TRUNCATED_HEADER = "X-Resgraph-Truncated"


# -- configuration -----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where the workers find the graph: an on-disk store, or an RDF file loaded in memory."""

    kind: SourceKind
    path: Path


@dataclass(frozen=True)
class ServeConfig:
    """What `resgraph serve` was started with."""

    source: Source
    base: str = ids.DEFAULT_BASE
    host: str = "127.0.0.1"
    port: int = 8080
    timeout: float = 30.0  # seconds per query
    max_rows: int = 10_000  # rows of a SELECT, triples of a CONSTRUCT/DESCRIBE
    cors: str | None = None  # Access-Control-Allow-Origin, off by default
    allow_update: bool = False
    token: str | None = None  # required with allow_update (Authorization: Bearer …)
    workers: int = 2
    wait: float | None = None  # seconds a request waits for a free worker (None: the timeout)
    network_page: Path | None = None  # served at /network.html when given
    max_body: int = 1_000_000  # bytes of a POST body
    quiet: bool = False

    def __post_init__(self) -> None:
        if self.allow_update and not self.token:
            raise ResgraphError("--allow-update needs --token (updates carry it as a Bearer token)")
        if self.timeout <= 0 or self.max_rows <= 0 or self.workers <= 0:
            raise ResgraphError("--timeout, --max-rows and workers must be positive")


@dataclass(frozen=True)
class Reply:
    """What a request answers: status, media type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def _text(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


class QueryTimeout(ResgraphError):
    """A query ran over the time limit and its worker was stopped."""


class Busy(ResgraphError):
    """Every worker stayed busy for the whole time limit."""


# -- jobs run by the workers ---------------------------------------------------------------


@dataclass(frozen=True)
class SparqlJob:
    """A guarded query (or an allowed update) with the result format chosen."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE
    fmt: str
    max_rows: int


@dataclass(frozen=True)
class NamedJob:
    """One named query of queries/ with its parameter values as strings."""

    name: str
    params: tuple[tuple[str, str], ...]
    base: str
    fmt: str
    max_rows: int


@dataclass(frozen=True)
class ResourceJob:
    """The triples of one resource (fmt: ttl/jsonld/nt), or its page data (fmt: page)."""

    iri: str
    fmt: str
    max_rows: int
    base: str


Job = SparqlJob | NamedJob | ResourceJob


class _Target:
    """The graph as a worker sees it: a pyoxigraph Store (and the CorpusStore around it)."""

    def __init__(self, source: Source, *, write: bool = False) -> None:
        self.corpus: Any = None
        if source.kind == "store":
            corpus_store = _corpus_store_module()
            if corpus_store is not None:
                self.corpus = corpus_store.CorpusStore.open(source.path, write=write)
                self.ox: ox.Store = self.corpus.ox
            else:  # the corpus store module is not there: the raw Oxigraph folder
                self.ox = (
                    ox.Store(str(source.path)) if write else ox.Store.read_only(str(source.path))
                )
        else:
            self.ox = load_file(source.path)

    def close(self) -> None:
        _close(self.corpus)


def _close(corpus: Any) -> None:
    """Close a CorpusStore (and release its lock) whichever way it offers."""
    if corpus is None:
        return
    if hasattr(corpus, "close"):
        corpus.close()
    elif hasattr(corpus, "__exit__"):
        corpus.__exit__(None, None, None)


def _corpus_store_module() -> Any:
    try:
        from . import corpus_store  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return corpus_store


def load_file(path: Path) -> ox.Store:
    """An in-memory store with the graphs of an RDF file (TriG, N-Quads, Turtle …).

    Laid out as a CorpusStore is: one named graph per document (a triple format goes
    into one named graph), and the default graph holds their set union, which every
    query sees. (Oxigraph's `use_default_graph_as_union` is a multiset: a triple held by
    three documents would match three times, where rdflib's union matches once.)
    """
    store = ox.Store()
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".") or "nq")
    if fmt is None:
        raise ResgraphError(f"{path}: unknown RDF file extension (use .trig, .nq, .ttl, .nt)")
    try:
        if fmt.supports_datasets:
            store.bulk_load(path=str(path), format=fmt)
        else:
            graph = ox.NamedNode(path.resolve().as_uri())
            store.bulk_load(path=str(path), format=fmt, to_graph=graph)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ResgraphError(f"{path}: cannot load ({exc})") from exc
    fill_union(store)
    return store


def fill_union(store: ox.Store) -> None:
    """Put the set union of the named graphs into the default graph."""
    default = ox.DefaultGraph()
    for graph in list(store.named_graphs()):
        quads = list(store.quads_for_pattern(None, None, None, graph))
        store.extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in quads)


def execute(target: _Target, job: Job) -> Reply:
    """Run one job against the graph (in a worker process)."""
    try:
        if isinstance(job, SparqlJob):
            return _run_sparql(target, job)
        if isinstance(job, NamedJob):
            return _run_named(target, job)
        return _run_resource(target, job)
    except QueryError as exc:
        return _text(400, str(exc))
    except (SyntaxError, ValueError) as exc:
        return _text(400, f"query failed: {exc}")
    except OSError as exc:
        return _text(500, f"the store could not be read: {exc}")


def _run_sparql(target: _Target, job: SparqlJob) -> Reply:
    if job.form == "UPDATE":
        target.ox.update(job.text)
        if target.corpus is not None:
            # counts and findings kept beside the manifest no longer describe the data
            target.corpus.updated_outside()
        return _text(200, "update done")
    result = target.ox.query(job.text)
    if isinstance(result, ox.QueryBoolean):
        return _boolean_reply(bool(result), job.fmt)
    if isinstance(result, ox.QueryTriples):
        triples, cut = _take(iter(result), job.max_rows)
        return rdf_reply(triples, job.fmt, cut, job.max_rows)
    variables = [v.value for v in result.variables]
    solutions, cut = _take(iter(result), job.max_rows)
    rows = [
        {v: ox_term(t) for v in variables if (t := s[v]) is not None and not _is_triple(t)}
        for s in solutions
    ]
    return results_reply(variables, rows, job.fmt, cut, job.max_rows)


def _is_triple(term: object) -> bool:
    return isinstance(term, ox.Triple)


def _take(it: Iterator[Any], limit: int) -> tuple[list[Any], bool]:
    out: list[Any] = []
    for item in it:
        if len(out) >= limit:
            return out, True
        out.append(item)
    return out, False


def _run_named(target: _Target, job: NamedJob) -> Reply:
    from .store import load_query, run_query

    query = load_query(job.name)
    # the store's runner types the parameters from the header (one code path with the CLI)
    runner = (
        target.corpus if target.corpus is not None else OxSelect(target.ox, cap=job.max_rows + 1)
    )
    result = run_query(runner, query, dict(job.params), base=job.base)
    variables = list(result.vars)
    rows = [
        {v: rdflib_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    cut = len(rows) > job.max_rows
    return results_reply(variables, rows[: job.max_rows], job.fmt, cut, job.max_rows)


class OxSelect:
    """A pyoxigraph Store as a `store.SelectTarget`, parameters bound as a CorpusStore binds them.

    `remote.bind_parameters` writes each bound parameter into the query as a constant
    (the endpoints' code path, and the store's): Oxigraph's `substitutions` would join
    them after evaluating the whole query, where `FILTER(!BOUND(?_x) || …)` has already
    let every row by. The columns are those of the query as written.
    """

    def __init__(self, store: ox.Store, *, cap: int | None = None) -> None:
        self.ox = store
        self.cap = cap

    def select(
        self,
        sparql: str,
        bindings: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """The variables and rows (rdflib terms, None for unbound) of a SELECT."""
        from .corpus_store import to_rdflib
        from .remote import bind_parameters
        from .store import _prepare

        bound = {k.lstrip("?$"): v for k, v in (bindings or {}).items()}
        names = tuple(str(v) for v in _prepare(sparql, "query").algebra.get("PV") or [])
        text = bind_parameters(sparql, bound) if bound else sparql
        result = self.ox.query(text)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT queries return rows")
        got = {v.value for v in result.variables}
        names = names or tuple(sorted(got))
        most = min(x for x in (limit, self.cap, sys.maxsize) if x is not None)
        rows: list[tuple[Any, ...]] = []
        for solution in result:
            if len(rows) >= most:
                break
            rows.append(tuple(to_rdflib(solution[n]) if n in got else bound.get(n) for n in names))
        return names, rows


# -- resources ---------------------------------------------------------------------------

_DESCRIBE_OUT = """CONSTRUCT { ?r ?p ?o . ?o ?p2 ?o2 } WHERE {
  ?r ?p ?o OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2 } }"""
_DESCRIBE_IN = "CONSTRUCT { ?s ?p ?r } WHERE { ?s ?p ?r }"
_LABEL = """SELECT ?x (SAMPLE(?l) AS ?label) WHERE {
  VALUES ?x { %s }
  { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l } UNION
  { ?x <http://purl.org/dc/terms/identifier> ?l } UNION
  { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }
} GROUP BY ?x"""
_CITES = PREFIXES["eli"] + "cites"
_PART_OF = PREFIXES["eli"] + "is_part_of"
_TEXT = PREFIXES["rg"] + "text"
_POSITION = PREFIXES["rg"] + "position"


def _query(store: ox.Store, text: str, r: str) -> Any:
    return store.query(text, substitutions={ox.Variable("r"): ox.NamedNode(r)})


def _run_resource(target: _Target, job: ResourceJob) -> Reply:
    out, cut_out = _take(iter(_query(target.ox, _DESCRIBE_OUT, job.iri)), job.max_rows)
    incoming, cut_in = _take(iter(_query(target.ox, _DESCRIBE_IN, job.iri)), job.max_rows)
    if not out and not incoming:
        return _text(404, f"<{job.iri}> is not in the graph")
    if job.fmt != "page":
        return rdf_reply(out + incoming, job.fmt, cut_out or cut_in, job.max_rows)
    data = _page_data(target.ox, job, out, incoming, cut_out or cut_in)
    return Reply(200, "application/json", json.dumps(data).encode())


def _page_data(
    store: ox.Store, job: ResourceJob, out: list[ox.Triple], incoming: list[ox.Triple], cut: bool
) -> dict[str, Any]:
    """What the HTML page of a resource shows, as JSON-able data (terms as SPARQL JSON)."""
    own = [t for t in out if t.subject == ox.NamedNode(job.iri)]
    iris = {t.object.value for t in own if isinstance(t.object, ox.NamedNode)}
    iris |= {t.subject.value for t in incoming if isinstance(t.subject, ox.NamedNode)}
    labels = _labels(store, sorted(iris)[:2000])
    parts = [t.subject for t in incoming if t.predicate.value == _PART_OF]
    positions = _positions(store, [p.value for p in parts if isinstance(p, ox.NamedNode)])
    return {
        "iri": job.iri,
        "truncated": cut,
        "labels": labels,
        "properties": [[t.predicate.value, ox_term(t.object)] for t in own],
        "incoming": [
            [ox_term(t.subject), t.predicate.value]
            for t in incoming
            if isinstance(t.subject, ox.NamedNode)
        ],
        "positions": positions,
    }


def _labels(store: ox.Store, iris: Sequence[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for start in range(0, len(iris), 200):
        chunk = iris[start : start + 200]
        values = " ".join(f"<{i}>" for i in chunk if _safe_iri(i))
        if not values:
            continue
        for s in _solutions(store, _LABEL % values):
            x, label = s["x"], s["label"]
            if x is not None and label is not None:
                labels[x.value] = label.value
    return labels


def _positions(store: ox.Store, iris: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    values = " ".join(f"<{i}>" for i in iris[:2000] if _safe_iri(i))
    if not values:
        return out
    q = f"SELECT ?x ?n WHERE {{ VALUES ?x {{ {values} }} ?x <{_POSITION}> ?n }}"
    for s in _solutions(store, q):
        x, n = s["x"], s["n"]
        if x is not None and n is not None and n.value.lstrip("-").isdigit():
            out[x.value] = int(n.value)
    return out


def _solutions(store: ox.Store, text: str) -> ox.QuerySolutions:
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _safe_iri(iri: str) -> bool:
    """An IRI that can be written between <> in a query (no spaces, quotes or brackets)."""
    return not re.search(r"[\s<>\"{}|\\^`]", iri)


# -- terms and result formats ----------------------------------------------------------


def ox_term(term: Any) -> Term:
    """A pyoxigraph term in SPARQL JSON form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def rdflib_term(term: Any) -> Term:
    """An rdflib term in SPARQL JSON form."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, rdflib.BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, rdflib.Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
            out["datatype"] = str(term.datatype)
    return out


def _truncation(cut: bool, limit: int) -> tuple[tuple[str, str], ...]:
    return ((TRUNCATED_HEADER, str(limit)),) if cut else ()


def results_reply(
    variables: Sequence[str], rows: Sequence[Row], fmt: str, cut: bool = False, limit: int = 0
) -> Reply:
    """SELECT results in one of RESULT_TYPES."""
    body = {
        "json": results_json,
        "xml": results_xml,
        "csv": results_csv,
        "tsv": results_tsv,
    }[fmt](variables, rows)
    ctype = RESULT_TYPES[fmt] + ("; charset=utf-8" if fmt in ("csv", "tsv") else "")
    return Reply(200, ctype, body, _truncation(cut, limit))


def results_json(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    """SPARQL 1.1 Query Results JSON.

    >>> results_json(["x"], [{"x": {"type": "uri", "value": "http://e/a"}}])
    b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"http://e/a"}}]}}'
    """
    data = {"head": {"vars": list(variables)}, "results": {"bindings": list(rows)}}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def results_xml(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    """SPARQL Query Results XML Format."""
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write('<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
    for v in variables:
        out.write(f"<variable name={quoteattr(v)}/>")
    out.write("</head>\n<results>\n")
    for row in rows:
        out.write("<result>")
        for v, t in row.items():
            out.write(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.write("</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue().encode()


def _xml_term(t: Term) -> str:
    value = xml_escape(_xml_chars(t["value"]))
    if t["type"] == "uri":
        return f"<uri>{value}</uri>"
    if t["type"] == "bnode":
        return f"<bnode>{value}</bnode>"
    attrs = ""
    if "xml:lang" in t:
        attrs = f" xml:lang={quoteattr(t['xml:lang'])}"
    elif "datatype" in t:
        attrs = f" datatype={quoteattr(t['datatype'])}"
    return f"<literal{attrs}>{value}</literal>"


def _xml_chars(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters other than tab/newline)."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", text)


def results_csv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    """SPARQL 1.1 Query Results CSV (values only, CRLF lines).

    >>> results_csv(["x", "n"], [{"x": {"type": "uri", "value": "http://e/a"}}])
    b'x,n\\r\\nhttp://e/a,\\r\\n'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(row.get(v)) for v in variables])
    return out.getvalue().encode()


def _csv_value(t: Term | None) -> str:
    if t is None:
        return ""
    return "_:" + t["value"] if t["type"] == "bnode" else t["value"]


def results_tsv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    """SPARQL 1.1 Query Results TSV (terms in Turtle/N-Triples syntax).

    >>> results_tsv(["x"], [{"x": {"type": "literal", "value": 'a\\tb "c"', "xml:lang": "en"}}])
    b'?x\\n"a\\\\tb \\\\"c\\\\""@en\\n'
    """
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(_tsv_term(row.get(v)) for v in variables) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _tsv_term(t: Term | None) -> str:
    if t is None:
        return ""
    if t["type"] == "uri":
        return f"<{t['value']}>"
    if t["type"] == "bnode":
        return "_:" + t["value"]
    return nt_literal(t["value"]) + (
        "@" + t["xml:lang"]
        if "xml:lang" in t
        else f"^^<{t['datatype']}>"
        if "datatype" in t
        else ""
    )


def nt_literal(value: str) -> str:
    r"""A quoted N-Triples string.

    >>> nt_literal('say "hi"\n')
    '"say \\"hi\\"\\n"'
    """
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _boolean_reply(value: bool, fmt: str) -> Reply:
    word = "true" if value else "false"
    if fmt == "json":
        body = json.dumps({"head": {}, "boolean": value}).encode()
    elif fmt == "xml":
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{word}</boolean></sparql>\n"
        ).encode()
    elif fmt == "csv":
        body = f"_askResult\r\n{word}\r\n".encode()
    else:
        body = f"?_askResult\n{word}\n".encode()
    return Reply(200, RESULT_TYPES[fmt], body)


def rdf_reply(triples: Sequence[ox.Triple], fmt: str, cut: bool = False, limit: int = 0) -> Reply:
    """Triples as Turtle, N-Triples or JSON-LD (compacted with the published context)."""
    if fmt == "jsonld":
        body = jsonld_bytes(triples)
    else:
        used = _used_prefixes(triples) if fmt == "ttl" else None
        body = ox.serialize(triples, format=_RDF_OX[fmt], prefixes=used) or b""
    ctype = RDF_TYPES[fmt] + ("; charset=utf-8" if fmt != "jsonld" else "")
    return Reply(200, ctype, body, _truncation(cut, limit))


def _used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    seen = {t.predicate.value for t in triples}
    seen |= {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in seen)}


def jsonld_bytes(triples: Sequence[ox.Triple]) -> bytes:
    """JSON-LD compacted with ontology/context.jsonld (inlined: nothing to fetch)."""
    import rdflib

    from .export import jsonld_context

    g = rdflib.Graph()
    if triples:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        g.parse(data=data.decode(), format="nt")
    text = g.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    return text.encode()


# -- content negotiation -------------------------------------------------------------------


def negotiate(accept: str | None, offers: Mapping[str, str], default: str) -> str | None:
    """The format key whose media type the Accept header prefers; None when none is acceptable.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES, "json")
    'xml'
    >>> negotiate(None, RESULT_TYPES, "json"), negotiate("*/*", RESULT_TYPES, "json")
    ('json', 'json')
    >>> negotiate("image/png", RESULT_TYPES, "json") is None
    True
    """
    if not accept or not accept.strip():
        return default
    best: tuple[float, int, str] | None = None
    keys = [default, *(k for k in offers if k != default)]
    media = {k: offers[k] for k in keys}
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        mtype = parts[0].lower()
        q = 1.0
        for p in parts[1:]:
            name, _, value = p.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        for rank, key in enumerate(keys):
            mt = media[key]
            if (
                mtype in (mt, "*/*")
                or _ALIASES.get(mtype) == key
                or (mtype.endswith("/*") and mt.startswith(mtype[:-1]))
            ):
                pass
            else:
                continue
            # an exact match outranks a wildcard of the same q
            exact = 0 if mtype.endswith("*") else 1
            candidate = (q + exact * 1e-3, -rank, key)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None


# -- the worker pool -----------------------------------------------------------------------


def _worker_main(conn: _Duplex, source: Source, write: bool) -> None:
    """A worker process: open the graph, then answer jobs until the pipe closes."""
    try:
        target = _Target(source, write=write)
    except Exception as exc:  # report any failure to open to the server, which stops
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            conn.send(("reply", execute(target, job)))
    finally:
        target.close()


def worker_entry() -> None:
    """`python -c 'from resgraph.serve import worker_entry; worker_entry()'`.

    A plain subprocess rather than multiprocessing's spawn, which would re-run the
    caller's main module: jobs come in on stdin and replies go out on the original
    stdout; anything printed goes to stderr.
    """
    reader = Connection(os.dup(0), writable=False)
    writer = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    source, write = reader.recv()
    _worker_main(_Duplex(reader, writer), source, write)


class _Duplex:
    """Two one-way pipes as one two-way connection."""

    def __init__(self, reader: Connection, writer: Connection) -> None:
        self.reader, self.writer = reader, writer

    def send(self, obj: Any) -> None:
        self.writer.send(obj)

    def recv(self) -> Any:
        return self.reader.recv()

    def poll(self, timeout: float) -> bool:
        return self.reader.poll(timeout)

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: _Duplex
    jobs: int = 0


@dataclass
class WorkerPool:
    """Processes that each hold the graph; a job over the time limit kills its worker."""

    source: Source
    size: int = 2
    write: bool = False
    start_timeout: float = 600.0
    _idle: queue.Queue[_Worker] = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False
    killed: int = 0  # workers stopped for running over the time limit

    def start(self) -> None:
        """Start every worker and wait until each has opened the graph."""
        workers = [self._spawn() for _ in range(self.size)]
        for w in workers:
            self._await_ready(w)
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        proc = subprocess.Popen(
            [sys.executable, "-c", "from resgraph.serve import worker_entry; worker_entry()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert proc.stdin is not None and proc.stdout is not None
        conn = _Duplex(
            Connection(os.dup(proc.stdout.fileno()), writable=False),
            Connection(os.dup(proc.stdin.fileno()), readable=False),
        )
        proc.stdin.close()
        proc.stdout.close()
        conn.send((self.source, self.write))
        return _Worker(proc, conn)

    def _await_ready(self, w: _Worker) -> None:
        if not w.conn.poll(self.start_timeout):
            self._kill(w)
            raise ResgraphError(f"{self.source.path}: a worker did not open the graph in time")
        try:
            kind, message = w.conn.recv()
        except EOFError:
            kind, message = "error", "the worker exited"
        if kind != "ready":
            self._kill(w)
            raise ResgraphError(f"{self.source.path}: cannot serve ({message})")

    def _kill(self, w: _Worker) -> None:
        if w.process.poll() is None:
            w.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            w.process.wait(5)
        w.conn.close()

    def _replace(self) -> None:
        """Start a worker in place of a killed one (in the background)."""

        def run() -> None:
            if self._closed:
                return
            try:
                w = self._spawn()
                self._await_ready(w)
            except ResgraphError as exc:
                print(f"resgraph serve: {exc}", file=sys.stderr)
                return
            if self._closed:
                self._kill(w)
            else:
                self._idle.put(w)

        threading.Thread(target=run, daemon=True).start()

    def run(self, job: Job, timeout: float, wait: float | None = None) -> Reply:
        """Run a job on an idle worker; QueryTimeout when it takes longer than `timeout`.

        Busy when no worker frees up within `wait` seconds (default: `timeout`).
        """
        try:
            w = self._idle.get(timeout=timeout if wait is None else wait)
        except queue.Empty:
            raise Busy("every worker is busy; try again later") from None
        try:
            w.conn.send(job)
            ready = w.conn.poll(timeout)
        except (OSError, EOFError):
            ready = False
        if not ready:
            self._kill(w)
            self.killed += 1
            self._replace()
            raise QueryTimeout(
                f"the query ran over the time limit of {timeout:g} s and was stopped"
            )
        try:
            kind, reply = w.conn.recv()
        except (EOFError, OSError):
            self._kill(w)
            self._replace()
            return _text(500, "the worker running the query exited")
        w.jobs += 1
        self._idle.put(w)
        assert kind == "reply"
        return reply if isinstance(reply, Reply) else _text(500, "bad reply from a worker")

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            try:
                w.conn.close()
            finally:
                self._kill(w)


# -- the server ------------------------------------------------------------------------


class Server(ThreadingHTTPServer):
    """The HTTP server with its configuration, worker pool and read lock on the store."""

    daemon_threads = True

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.lock_holder: Any = None
        if config.source.kind == "store" and not config.allow_update:
            module = _corpus_store_module()
            if module is not None:
                # a shared lock for as long as we serve: no writer changes the store meanwhile
                self.lock_holder = module.CorpusStore.open(config.source.path)
        self.pool = WorkerPool(
            config.source,
            size=1 if config.allow_update else config.workers,
            write=config.allow_update,
        )
        try:
            self.pool.start()
            super().__init__((config.host, config.port), Handler)
        except BaseException:
            self.pool.close()
            self._release()
            raise

    def _release(self) -> None:
        _close(self.lock_holder)
        self.lock_holder = None

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()
        self._release()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def make_server(config: ServeConfig) -> Server:
    """A server bound to config.host:config.port (port 0: a free port), workers started."""
    return Server(config)


def serve_forever(config: ServeConfig) -> None:
    """Run the server until interrupted."""
    server = make_server(config)
    print(f"resgraph serve: {server.url} (SPARQL endpoint {server.url}sparql)", file=sys.stderr)
    sys.stderr.flush()

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as Ctrl-C does: workers and lock released

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class Handler(BaseHTTPRequestHandler):
    """Routes of the server (see the module docstring)."""

    server: Server
    server_version = "resgraph"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # -- plumbing

    def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
        if not self.server.config.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_POST(self) -> None:
        self._dispatch(head=False)

    def do_OPTIONS(self) -> None:
        cors = self.server.config.cors
        headers = [("Allow", "GET, HEAD, POST, OPTIONS")]
        if cors:
            headers += [
                ("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
                ("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization"),
                ("Access-Control-Max-Age", "600"),
            ]
        self._send(Reply(204, "text/plain", b"", tuple(headers)))

    def _dispatch(self, *, head: bool) -> None:
        try:
            reply = self._route()
        except QueryTimeout as exc:
            reply = _text(408, str(exc))
        except Busy as exc:
            reply = _text(503, str(exc))
        except QueryError as exc:
            reply = _text(400, str(exc))
        except ResgraphError as exc:
            reply = _text(400, str(exc))
        self._send(reply, head=head)

    def _send(self, reply: Reply, *, head: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if reply.content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", _CSP)
        cors = self.server.config.cors
        if cors:
            self.send_header("Access-Control-Allow-Origin", cors)
            self.send_header("Access-Control-Expose-Headers", TRUNCATED_HEADER)
            if cors != "*":
                self.send_header("Vary", "Origin")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head and self.command != "HEAD":
            self.wfile.write(reply.body)

    def _params(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.server.config.max_body:
            raise _TooLarge(f"request body over {self.server.config.max_body} bytes")
        return self.rfile.read(length) if length > 0 else b""

    # -- routes

    def _route(self) -> Reply:
        path = urlsplit(self.path).path
        try:
            if path in ("/", "/index.html"):
                return self._page("query.html")
            if path.startswith("/static/"):
                return self._static(path.removeprefix("/static/"))
            if path == "/sparql":
                return self._sparql()
            if path == "/queries":
                return self._queries()
            if path.startswith("/queries/"):
                return self._named(path.removeprefix("/queries/"))
            if path.startswith("/id/"):
                return self._see_other(path.removeprefix("/id/"))
            if path.startswith("/page/"):
                return self._resource_page(path.removeprefix("/page/"))
            if path.startswith("/data/"):
                return self._resource_data(path.removeprefix("/data/"))
            if path == "/network.html" and self.server.config.network_page is not None:
                page = self.server.config.network_page
                return Reply(200, "text/html; charset=utf-8", page.read_bytes())
        except _TooLarge as exc:
            # the body stays unread: the connection cannot carry another request
            self.close_connection = True
            reply = _text(413, str(exc))
            return Reply(reply.status, reply.content_type, reply.body, (("Connection", "close"),))
        except _Status as exc:
            return exc.reply
        return _text(404, f"{path}: not found")

    def _page(self, name: str) -> Reply:
        text = (_TEMPLATES / name).read_text(encoding="utf-8")
        body = text.replace("{{BASE}}", html.escape(self.server.config.base))
        network = "1" if self.server.config.network_page is not None else ""
        body = body.replace("{{NETWORK}}", network)
        return Reply(200, "text/html; charset=utf-8", body.encode())

    def _static(self, name: str) -> Reply:
        ctype = _STATIC.get(name)
        if ctype is None:
            return _text(404, f"/static/{name}: not found")
        return Reply(200, ctype, (_TEMPLATES / name).read_bytes(), (("Cache-Control", "no-cache"),))

    # SPARQL protocol

    def _sparql(self) -> Reply:
        config = self.server.config
        text: str | None = None
        update = False
        if self.command == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._body()
            if ctype == "application/sparql-query":
                text = body.decode("utf-8", errors="replace")
            elif ctype == "application/sparql-update":
                text, update = body.decode("utf-8", errors="replace"), True
            elif ctype in ("application/x-www-form-urlencoded", ""):
                form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
                if "update" in form:
                    text, update = form["update"][0], True
                elif "query" in form:
                    text = form["query"][0]
                params = self._params()
                if text is None and "query" in params:
                    text = params["query"][0]
            else:
                return _text(415, f"unsupported Content-Type {ctype!r}")
        else:
            params = self._params()
            if "update" in params:
                return _text(400, "an update must be sent with POST")
            if "query" not in params:
                if "text/html" in (self.headers.get("Accept") or ""):
                    return Reply(303, "text/plain", b"", (("Location", "/"),))
                return _text(400, "no query: send ?query=… or POST one")
            text = params["query"][0]
        if text is None or not text.strip():
            return _text(400, "no query: send ?query=… or POST one")
        if update:
            if not config.allow_update:
                return _text(403, "updates are refused: this server is read-only")
            if not self._token_ok():
                return _text(403, "updates need the server's token (Authorization: Bearer …)")
        guarded = guard(text, allow_update=update and config.allow_update)
        if guarded.form == "UPDATE" and not update:
            return _text(400, "an update must be sent as update=… or application/sparql-update")
        fmt = self._format(guarded.form)
        job = SparqlJob(guarded.text, guarded.form, fmt, config.max_rows)
        return self.server.pool.run(job, config.timeout, config.wait)

    def _token_ok(self) -> bool:
        token = self.server.config.token or ""
        given = self.headers.get("Authorization") or ""
        scheme, _, value = given.partition(" ")
        return (
            bool(token)
            and scheme.lower() == "bearer"
            and hmac.compare_digest(value.strip().encode(), token.encode())
        )

    def _format(self, form: str) -> str:
        """The result format: ?format= if given, else the Accept header."""
        graph = form in ("CONSTRUCT", "DESCRIBE")
        offers = RDF_TYPES if graph else RESULT_TYPES
        default = "ttl" if graph else "json"
        asked = self._params().get("format", [""])[0].strip().lower()
        if asked:
            key = _ALIASES.get(asked, asked)
            if key in ("turtle",):
                key = "ttl"
            if key not in offers:
                raise _Status(_text(406, f"format {asked!r}: use one of {', '.join(offers)}"))
            return key
        chosen = negotiate(self.headers.get("Accept"), offers, default)
        if chosen is None:
            listed = ", ".join(offers.values())
            raise _Status(_text(406, f"cannot answer in the Accept'ed types; offered: {listed}"))
        return chosen

    # named queries

    def _queries(self) -> Reply:
        from .store import list_queries

        listing = [describe_query(q) for q in list_queries()]
        return Reply(200, "application/json", json.dumps(listing, indent=1).encode())

    def _named(self, name: str) -> Reply:
        from .store import load_query

        name = unquote(name)
        try:
            load_query(name)
        except QueryError as exc:
            return _text(404, str(exc).split(" (known:")[0])
        params = {k: v[0] for k, v in self._params().items() if k != "format"}
        fmt = self._format("SELECT")
        job = NamedJob(name, tuple(sorted(params.items())), self.server.config.base, fmt,
                       self.server.config.max_rows)  # fmt: skip
        return self.server.pool.run(job, self.server.config.timeout, self.server.config.wait)

    # resources

    def _iri(self, path: str) -> str:
        rest = quote(unquote(path), safe=ids._SAFE)
        if not rest or ".." in rest.split("/"):
            raise _Status(_text(404, "not found"))
        return self.server.config.base + rest

    def _see_other(self, path: str) -> Reply:
        iri = self._iri(path)
        self._exists(iri)
        rest = iri[len(self.server.config.base) :]
        accept = self.headers.get("Accept")
        key = negotiate(accept, {"html": "text/html", **RDF_TYPES}, "html")
        if key is None:
            raise _Status(_text(406, "offered: text/html, " + ", ".join(RDF_TYPES.values())))
        if key == "html" and accept and "text/html" not in accept and "*/*" not in accept:
            key = "ttl"
        where = f"/page/{rest}" if key == "html" else f"/data/{rest}.{key}"
        return Reply(
            303,
            "text/plain; charset=utf-8",
            f"See {where}\n".encode(),
            (("Location", where), ("Vary", "Accept")),
        )

    def _exists(self, iri: str) -> None:
        reply = self.server.pool.run(
            ResourceJob(iri, "nt", 1, self.server.config.base),
            self.server.config.timeout,
            self.server.config.wait,
        )
        if reply.status != 200:
            raise _Status(reply)

    def _resource_data(self, path: str) -> Reply:
        headers: list[tuple[str, str]] = [("Vary", "Accept")]
        for key in RDF_TYPES:
            if path.endswith("." + key):
                path = path.removesuffix("." + key)
                break
        else:
            chosen = negotiate(self.headers.get("Accept"), RDF_TYPES, "ttl")
            if chosen is None:
                return _text(406, "offered: " + ", ".join(RDF_TYPES.values()))
            key = chosen
        iri = self._iri(path)
        rest = iri[len(self.server.config.base) :]
        headers.append(("Content-Location", f"/data/{rest}.{key}"))
        job = ResourceJob(iri, key, self.server.config.max_rows, self.server.config.base)
        reply = self.server.pool.run(job, self.server.config.timeout, self.server.config.wait)
        return Reply(reply.status, reply.content_type, reply.body, reply.headers + tuple(headers))

    def _resource_page(self, path: str) -> Reply:
        config = self.server.config
        iri = self._iri(path)
        reply = self.server.pool.run(
            ResourceJob(iri, "page", 2000, config.base), config.timeout, config.wait
        )
        if reply.status != 200:
            return reply
        data = json.loads(reply.body)
        body = resource_html(data, config.base, network=config.network_page is not None)
        rest = iri[len(config.base) :]
        return Reply(
            200,
            "text/html; charset=utf-8",
            body.encode(),
            (("Content-Location", f"/page/{rest}"), ("Vary", "Accept")),
        )


class _TooLarge(Exception):
    pass


class _Status(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.body.decode(errors="replace"))
        self.reply = reply


# -- the guard -------------------------------------------------------------------------


@dataclass(frozen=True)
class Guarded:
    """A query that passed the guard, and its form."""

    text: str
    form: str


def guard(text: str, *, allow_update: bool = False) -> Guarded:
    """Refuse SERVICE, LOAD, FROM and (unless allowed) updates before anything runs."""
    from .guard import guard_query

    guarded = guard_query(text, allow_update=allow_update, source="query")
    return Guarded(guarded.text, str(guarded.form))


def describe_query(q: Any) -> dict[str, Any]:
    """A named query as the /queries list shows it (grlc-style)."""
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "url": f"/queries/{q.name}",
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "example": p.example,
                "description": p.description,
            }
            for p in q.params
        ],
        "query": q.text,
    }


# -- the resource page ---------------------------------------------------------------------


def _short(iri: str, base: str) -> str:
    if iri.startswith(base):
        return iri[len(base) :]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _link(iri: str, base: str, labels: Mapping[str, str]) -> str:
    """An escaped link: local for IRIs under the base, outward only for http(s)."""
    label = labels.get(iri) or _short(iri, base)
    text = html.escape(label)
    if iri.startswith(base):
        href = "/id/" + iri[len(base) :]
    elif iri.startswith(("http://", "https://")):
        href = iri
    else:
        return text
    extra = "" if href.startswith("/") else ' rel="noopener noreferrer nofollow"'
    return f'<a href="{html.escape(href, quote=True)}"{extra}>{text}</a>'


def _value(t: Term, base: str, labels: Mapping[str, str]) -> str:
    if t["type"] == "uri":
        return _link(t["value"], base, labels)
    if t["type"] == "bnode":
        return f"<span class='bnode'>_:{html.escape(t['value'])}</span>"
    suffix = ""
    if "xml:lang" in t:
        suffix = f" <span class='dt'>@{html.escape(t['xml:lang'])}</span>"
    elif "datatype" in t:
        suffix = f" <span class='dt'>{html.escape(_short(t['datatype'], base))}</span>"
    return f"<span class='lit'>{html.escape(t['value'])}</span>{suffix}"


# the parts of a document in reading order: preamble, operative part, then the rest
_PART_ORDER = {"pp": 0, "op": 1, "fn": 3}


def _reading_order(parent: str, positions: Mapping[str, int]) -> Callable[[str], tuple[Any, ...]]:
    def key(iri: str) -> tuple[Any, ...]:
        kind = iri.removeprefix(parent + "/").split("/")[0]
        return (_PART_ORDER.get(kind, 2), positions.get(iri, 10**9), iri)

    return key


def resource_html(data: Mapping[str, Any], base: str, *, network: bool = False) -> str:
    """The HTML page of one resource, every text escaped."""
    iri: str = data["iri"]
    labels: dict[str, str] = data.get("labels", {})
    props: list[tuple[str, Term]] = [(p, o) for p, o in data["properties"]]
    incoming: list[tuple[Term, str]] = [(s, p) for s, p in data["incoming"]]
    title = next(
        (
            o["value"]
            for key in ("dcterms:title", "rdfs:label", "dcterms:identifier", "skos:prefLabel")
            for p, o in props
            if _short(p, base) == key
        ),
        _short(iri, base),
    )
    texts = [o["value"] for p, o in props if p == _TEXT]
    cites = [o["value"] for p, o in props if p == _CITES and o["type"] == "uri"]
    cited_by = sorted({s["value"] for s, p in incoming if p == _CITES})
    positions: dict[str, int] = data.get("positions", {})
    parts = sorted(
        {s["value"] for s, p in incoming if p == _PART_OF}, key=_reading_order(iri, positions)
    )
    other_in = [(s, p) for s, p in incoming if p not in (_CITES, _PART_OF)]
    esc = html.escape
    out: list[str] = []
    out.append(f"<h1>{esc(title)}</h1>")
    identifier = next((o["value"] for p, o in props if _short(p, base) == "dcterms:identifier"), "")
    if identifier and identifier != title:
        out.append(f'<p class="identifier">{esc(identifier)}</p>')
    out.append(f"<p class='iri'><code>{esc(iri)}</code></p>")
    links = [
        f'<a href="/data/{esc(iri[len(base) :])}.{k}">{n}</a>'
        for k, n in (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))
    ]
    if network:
        links.append(
            f'<a id="network-link" href="/network.html#focus={esc(quote(iri, safe=""))}">'
            "in the network</a>"
        )
    out.append("<p class='formats'>" + " · ".join(links) + "</p>")
    for text in texts:
        out.append(f"<blockquote class='text'>{esc(text)}</blockquote>")
    if data.get("truncated"):
        out.append("<p class='note'>Only the first triples are shown.</p>")
    out.append("<h2>Properties</h2><table class='props'>")
    for p, o in props:
        if p == _TEXT:
            continue
        out.append(f"<tr><th>{_link(p, base, {})}</th><td>{_value(o, base, labels)}</td></tr>")
    out.append("</table>")

    def section(heading: str, ident: str, iris: Iterable[str]) -> None:
        items = list(iris)
        if not items:
            return
        out.append(f'<h2 id="{ident}">{esc(heading)} ({len(items)})</h2><ul class="{ident}">')
        out.extend(f"<li>{_link(i, base, labels)}</li>" for i in items)
        out.append("</ul>")

    section("Cites", "cites", cites)
    section("Cited by", "cited-by", cited_by)
    section("Parts", "parts", parts)
    if other_in:
        out.append("<h2 id='referenced'>Referenced by</h2><table class='props'>")
        for s, p in other_in[:500]:
            out.append(f"<tr><td>{_value(s, base, labels)}</td><th>{_link(p, base, {})}</th></tr>")
        out.append("</table>")
    page = (_TEMPLATES / "resource.html").read_text(encoding="utf-8")
    return page.replace("{{TITLE}}", esc(title)).replace("{{BODY}}", "\n".join(out))


# -- sources for the CLI ---------------------------------------------------------------------


def build_source(inputs: Sequence[str], base: str, workdir: Path) -> Source:
    """Build INPUTS in memory and write the quads where the workers can load them."""
    from .pipeline import build

    result = build(inputs, base=base, validate=False)
    for err in result.errors:
        print(f"resgraph serve: {err.source}: {err.message}", file=sys.stderr)
    if not result.documents:
        raise ResgraphError("nothing to serve: no input could be read as a resolution")
    path = workdir / "graph.nq"
    result.dataset.serialize(destination=str(path), format="nquads", encoding="utf-8")
    return Source("file", path)


def find_network_page(source: Source) -> Path | None:
    """network.html beside the graph file or the store folder, if the build wrote one."""
    folder = source.path.parent
    page = folder / "network.html"
    return page if page.is_file() else None
