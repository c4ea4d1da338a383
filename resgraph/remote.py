"""Beyond one machine: push the store's graphs to a SPARQL 1.1 server and query them there.

Two public functions and one value type, standard library HTTP only (urllib):

    Endpoint.from_url(url, …)        where the server answers queries, updates and graphs
    push(store, endpoint, …)         the store's named graphs -> the server (idempotent)
    run_query(endpoint, name, …)     a named query on the server -> the same QueryResult

`push` writes each named graph with the SPARQL 1.1 Graph Store HTTP Protocol:
`PUT <gsp>?graph=<iri>` replaces the graph, so pushing twice leaves the server
as pushing once. A server without the protocol (HTTP 404, 405, 415 or 501 on
the first PUT) gets SPARQL 1.1 Update instead: `DROP SILENT GRAPH` then
`INSERT DATA` in batches. Connection errors, timeouts, HTTP 429 and 5xx are
retried with exponential backoff; any other refusal (401, 403, 400 …) stops
with a one-line RemoteError. What was pushed where is remembered in a small
JSON file beside the store (`<store>.push.json`: graph IRI -> its source's
hash and build time from the store's manifest, or a hash of its N-Triples),
so the next push sends only the graphs that changed and drops
from the server the graphs removed from the store since.

`run_query` sends the named query through the SPARQL 1.1 Protocol (POST,
`application/sparql-query`). A server has no equivalent of rdflib's
`initBindings`, and a `VALUES` block appended to the query joins only at the
end, after the FILTERs that test the parameter have already run with it
unbound. So each bound parameter is written into the text as a constant in
N-Triples form: a small tokenizer finds the `?_name` / `$_name` variable
tokens and never touches strings, IRIs or comments. The constant is checked
(an IRI cannot close its `<…>`, a literal is escaped), and the finished text
passes the query guard before it is sent.

The named queries read the default graph as the union of the named graphs, as
a set (a triple several documents hold counts once). For servers whose default
graph is a graph of its own (Oxigraph, Fuseki: `default_graph="push"`), push
also writes the store's union (the corpus store keeps it in its default graph)
there, and keeps it in step with a diff of the changed graphs. Servers that
answer over all their graphs by themselves (GraphDB, Virtuoso) use "union"
(docs/remote.md).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, XSD
from rdflib.term import BNode, Identifier, URIRef

from resgraph import __version__, ids
from resgraph import store as named
from resgraph.atomic import atomic_write
from resgraph.errors import QueryError, RemoteError
from resgraph.guard import guard_query

AuthScheme = Literal["basic", "digest"]
# how the server's default graph becomes the union of the documents' graphs:
# "push": push copies the store's default graph (the set union a CorpusStore keeps)
#   into the server's default graph; for servers whose default graph is its own graph.
# "union": the server reads its default graph as the union of its named graphs by itself.
DefaultGraphMode = Literal["push", "union"]
PushMethod = Literal["gsp", "update", "none"]

DEFAULT_BATCH_TRIPLES = 50_000
DEFAULT_TIMEOUT = 60.0
# a server that asks us to wait longer than this is treated as down
MAX_BACKOFF = 30.0
# "this server has no Graph Store Protocol here": switch to SPARQL Update
_NO_GSP = frozenset({404, 405, 415, 501})
# the body of an error response is cut to this many characters (one line)
_MAX_DETAIL = 200
_STATE_VERSION = 1
_USER_AGENT = f"resgraph/{__version__} (+https://w3id.org/resgraph)"
_RESULTS_JSON = "application/sparql-results+json"


# -- where the server is -----------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL 1.1 server: its query, update and Graph Store Protocol URLs, auth, timeouts.

    Build one with `Endpoint.from_url`, which derives the update and GSP URLs
    of common servers from the query URL. Secrets stay out of `repr`.
    """

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    auth: AuthScheme = "basic"
    timeout: float = DEFAULT_TIMEOUT
    retries: int = 4  # attempts after the first, for connection errors, 429 and 5xx
    backoff: float = 0.5  # seconds before the first retry; doubled each time
    default_graph: DefaultGraphMode = "push"
    # extra URL parameters of every query (Oxigraph in "union" mode: union-default-graph)
    query_params: tuple[tuple[str, str], ...] = ()
    # N-Triples is a subset of Turtle: servers that do not know the N-Triples
    # media type (Virtuoso) take the same bytes as text/turtle
    gsp_content_type: str = "application/n-triples"

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff: float = 0.5,
        default_graph: DefaultGraphMode | None = None,
    ) -> Endpoint:
        """The endpoint whose query URL is `url`; update and GSP URLs derived unless given.

        Credentials written into the URL (`http://user:pw@host/…`) are taken out of it.
        `default_graph` overrides the derived mode (see DefaultGraphMode).

        >>> e = Endpoint.from_url("http://localhost:7878/query")
        >>> e.update_url, e.gsp_url, e.default_graph, e.query_params
        ('http://localhost:7878/update', 'http://localhost:7878/store', 'push', ())
        >>> Endpoint.from_url("http://localhost:7878/query", default_graph="union").query_params
        (('union-default-graph', ''),)
        >>> Endpoint.from_url("http://u:s3cret@h:3030/ds/sparql", gsp_url="http://h:3030/ds/gsp")
        Endpoint(query_url='http://h:3030/ds/sparql', update_url='http://h:3030/ds/update', \
gsp_url='http://h:3030/ds/gsp', user='u', auth='basic', timeout=60.0, retries=4, backoff=0.5, \
default_graph='push', query_params=(), gsp_content_type='application/n-triples')
        """
        if not re.match(r"https?://[^/?#]", url):
            raise RemoteError(f"{url}: not an http(s) URL of a SPARQL endpoint")
        url, url_user, url_password = _strip_userinfo(url)
        derived = derive_urls(url)
        mode = default_graph or derived.default_graph
        return cls(
            query_url=url,
            update_url=update_url if update_url is not None else derived.update_url,
            gsp_url=gsp_url if gsp_url is not None else derived.gsp_url,
            user=user if user is not None else url_user,
            password=password if password is not None else url_password,
            token=token,
            auth=derived.auth,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            default_graph=mode,
            query_params=derived.union_params if mode == "union" else (),
            gsp_content_type=derived.gsp_content_type,
        )

    def select(
        self,
        sparql: str,
        bindings: dict[str, Identifier] | None = None,
        *,
        limit: int | None = None,
    ) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]]:
        """Run SELECT text on the server (store.SelectTarget: what `store.run_query` calls).

        Bound parameters are written into the text as constants (`bind_parameters`),
        the text passes the query guard, and at most `limit` rows come back.
        """
        return _select(self, sparql, bindings or {}, limit)


@dataclass(frozen=True)
class DerivedUrls:
    """What `derive_urls` guesses from a query URL."""

    server: str
    update_url: str | None
    gsp_url: str | None
    default_graph: DefaultGraphMode = "push"
    union_params: tuple[tuple[str, str], ...] = ()  # query parameters asking for the union
    auth: AuthScheme = "basic"
    gsp_content_type: str = "application/n-triples"


def derive_urls(query_url: str) -> DerivedUrls:
    """The update and Graph Store URLs of common servers, from the query URL's path.

    A wrong GSP guess costs one request: push falls back to SPARQL Update.

    >>> derive_urls("http://h:7878/query").server
    'oxigraph'
    >>> d = derive_urls("http://h:3030/corpus/query")
    >>> d.server, d.update_url, d.gsp_url
    ('fuseki', 'http://h:3030/corpus/update', 'http://h:3030/corpus/data')
    >>> d = derive_urls("http://h:7200/repositories/un")
    >>> d.server, d.update_url, d.gsp_url
    ('graphdb', 'http://h:7200/repositories/un/statements', 'http://h:7200/repositories/un/rdf-graphs/service')
    >>> d = derive_urls("http://h:8890/sparql-auth")
    >>> d.server, d.update_url, d.gsp_url, d.auth
    ('virtuoso', 'http://h:8890/sparql-auth', 'http://h:8890/sparql-graph-crud-auth', 'digest')
    >>> d = derive_urls("https://qlever.example.org/api/un?access-token=T")
    >>> d.server, d.update_url, d.gsp_url
    ('generic', 'https://qlever.example.org/api/un?access-token=T', None)
    """
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit(parts._replace(path=new_path))

    if path == "/query":  # Oxigraph server: /query, /update, /store
        # its union default graph is a multiset (a triple held by three documents
        # matches three times), so the set union is pushed into its default graph
        return DerivedUrls(
            "oxigraph", at("/update"), at("/store"), union_params=(("union-default-graph", ""),)
        )
    if path in ("/sparql", "/sparql-auth"):  # Virtuoso: updates on the query URL
        authed = path == "/sparql-auth"
        return DerivedUrls(
            "virtuoso",
            query_url,
            at("/sparql-graph-crud-auth" if authed else "/sparql-graph-crud"),
            auth="digest" if authed else "basic",
            gsp_content_type="text/turtle",
            default_graph="union",
        )
    m = re.fullmatch(r"(.*/repositories/[^/]+)", path)
    if m:  # GraphDB and RDF4J
        return DerivedUrls(
            "graphdb",
            at(m.group(1) + "/statements"),
            at(m.group(1) + "/rdf-graphs/service"),
            default_graph="union",
        )
    if "/namespace/" in path and path.endswith("/sparql"):  # Blazegraph: one URL for all
        return DerivedUrls("blazegraph", query_url, None, default_graph="union")
    m = re.fullmatch(r"(/[^/]+)/(?:query|sparql)", path)
    if m:  # Fuseki: /<dataset>/query (or /sparql), /update, /data
        return DerivedUrls("fuseki", at(m.group(1) + "/update"), at(m.group(1) + "/data"))
    # QLever, a Fuseki dataset URL, anything else: the SPARQL 1.1 Protocol tells a
    # query from an update by its media type, so one URL can take both
    return DerivedUrls("generic", query_url, None)


def _strip_userinfo(url: str) -> tuple[str, str | None, str | None]:
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    user = urllib.parse.unquote(parts.username)
    password = None if parts.password is None else urllib.parse.unquote(parts.password)
    return clean, user, password


def _with_params(url: str, params: Sequence[tuple[str, str]]) -> str:
    """`url` with more query-string parameters (the URL's own ones are kept).

    >>> _with_params("http://h/store?token=a", [("graph", "http://x/g#1")])
    'http://h/store?token=a&graph=http%3A%2F%2Fx%2Fg%231'
    >>> _with_params("http://h/query", [("union-default-graph", "")])
    'http://h/query?union-default-graph'
    """
    if not params:
        return url
    encoded = "&".join(
        urllib.parse.quote(k, safe="") + ("=" + urllib.parse.quote(v, safe="") if v else "")
        for k, v in params
    )
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + encoded


# -- HTTP with retries -------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    status: int
    reason: str
    body: bytes
    headers: Mapping[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _retryable(status: int) -> bool:
    # 501 (not implemented) and 505 (HTTP version) will not change on a retry
    return status in (408, 429) or (500 <= status < 600 and status not in (501, 505))


def _opener(endpoint: Endpoint) -> urllib.request.OpenerDirector:
    if endpoint.auth == "digest" and endpoint.user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (endpoint.query_url, endpoint.update_url, endpoint.gsp_url):
            if url:
                manager.add_password(None, url, endpoint.user, endpoint.password or "")
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))
    return urllib.request.build_opener()


def _auth_headers(endpoint: Endpoint) -> dict[str, str]:
    if endpoint.token:
        return {"Authorization": f"Bearer {endpoint.token}"}
    if endpoint.user is not None and endpoint.auth == "basic":
        pair = f"{endpoint.user}:{endpoint.password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    return {}


# the sleep used between attempts (tests replace it to count or skip the waits)
Sleep = Callable[[float], None]


def _send(
    endpoint: Endpoint,
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str],
    *,
    sleep: Sleep = time.sleep,
) -> _Response:
    """One HTTP exchange, retried on connection errors, timeouts, 429 and 5xx.

    Returns the last response whatever its status (the caller decides what a
    4xx means); raises RemoteError when the server cannot be reached at all.
    """
    opener = _opener(endpoint)
    all_headers = {"User-Agent": _USER_AGENT, **_auth_headers(endpoint), **headers}
    attempt = 0
    while True:
        request = urllib.request.Request(url, data=body, method=method, headers=all_headers)
        problem: str
        wait: float | None = None
        try:
            with opener.open(request, timeout=endpoint.timeout) as answer:
                return _Response(answer.status, answer.reason, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as err:
            response = _Response(err.code, str(err.reason), _read_error(err), dict(err.headers))
            if not _retryable(err.code) or attempt >= endpoint.retries:
                return response
            problem = f"HTTP {err.code}"
            wait = _retry_after(response.headers.get("Retry-After"))
        except urllib.error.URLError as err:
            if isinstance(err.reason, ssl.SSLCertVerificationError):
                raise RemoteError(f"{method} {_show(url)}: {err.reason}") from None
            problem = str(err.reason)
        except (TimeoutError, ConnectionError, http.client.HTTPException) as err:
            problem = f"{type(err).__name__}: {err}".rstrip(": ")
        if attempt >= endpoint.retries:
            raise RemoteError(
                f"{method} {_show(url)}: no answer after {attempt + 1} attempts ({problem})"
            )
        delay = endpoint.backoff * 2**attempt if wait is None else wait
        sleep(min(max(delay, 0.0), MAX_BACKOFF))
        attempt += 1


def _read_error(err: urllib.error.HTTPError) -> bytes:
    try:
        return err.read()
    except (OSError, http.client.HTTPException):
        return b""


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds (an HTTP date is ignored).

    >>> _retry_after("2"), _retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), _retry_after(None)
    (2.0, None, None)
    """
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())


def _show(url: str) -> str:
    """A URL for a message: no query string (it may hold a token)."""
    return url.split("?", 1)[0]


_HINTS = {
    401: "the server wants credentials: give --user/--password or --token",
    403: "the credentials may not do this (read-only account or endpoint?)",
    404: "check the URL (Oxigraph /query, Fuseki /<dataset>/query, GraphDB "
    "/repositories/<id>, Virtuoso /sparql, QLever /)",
    413: "the request is too large: lower --batch",
}


def _refused(what: str, method: str, url: str, response: _Response) -> RemoteError:
    """One line: what failed, where, the status, a hint and the server's own words."""
    text = response.body.decode("utf-8", "replace")
    text = re.sub(r"<[^<>]*>", " ", text)  # an HTML error page: keep its words
    detail = " ".join(text.split())
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 1] + "…"
    hint = _HINTS.get(response.status)
    message = f"{what}: {method} {_show(url)}: HTTP {response.status} {response.reason}".rstrip()
    if hint:
        message += f" ({hint})"
    if detail:
        message += f": {detail}"
    return RemoteError(message)


# -- push --------------------------------------------------------------------------------


class _HasOx(Protocol):
    """A corpus store: anything with a pyoxigraph store as `.ox` (CorpusStore)."""

    @property
    def ox(self) -> ox.Store: ...


@dataclass(frozen=True)
class PushReport:
    """What one push did."""

    endpoint: str
    method: PushMethod  # how graphs were written ("none": nothing to send)
    sent: int  # graphs written
    skipped: int  # graphs unchanged since the last push to this endpoint
    removed: int  # graphs dropped on the server (gone from the store)
    triples: int
    requests: int
    seconds: float
    fallback: str | None = None  # why SPARQL Update was used instead of the GSP
    # the server's default graph (default_graph="push"): "replaced" by the store's union,
    # "patched" with the triples of the changed graphs, "unchanged", or "" (not pushed)
    default_graph: str = ""

    def summary(self) -> str:
        """One line for the terminal."""
        rate = self.triples / self.seconds if self.seconds > 0 else 0.0
        how = {"gsp": "Graph Store Protocol", "update": "SPARQL Update", "none": "nothing sent"}
        line = (
            f"pushed {self.sent} graph(s), {self.triples} triples in {self.requests} request(s) "
            f"to {_show(self.endpoint)} ({how[self.method]}; {self.seconds:.2f} s, "
            f"{rate:,.0f} triples/s); {self.skipped} unchanged, {self.removed} removed"
        )
        if self.default_graph:
            line += f"; default graph (the union) {self.default_graph}"
        if self.fallback:
            line += f"; {self.fallback}"
        return line


@dataclass(frozen=True)
class _Graph:
    iri: str
    lines: tuple[bytes, ...]  # N-Triples, one triple per line
    sha256: str
    blank: bool  # holds blank nodes: never split across requests

    @property
    def triples(self) -> int:
        return len(self.lines)


def state_path_for(store_path: str | Path) -> Path:
    """Where the push state of a store at `store_path` is kept: `<store>.push.json` beside it.

    >>> state_path_for("out/store").as_posix()
    'out/store.push.json'
    """
    p = Path(store_path)
    return p.with_name(p.name + ".push.json")


def push(
    store: _HasOx | ox.Store,
    endpoint: Endpoint,
    *,
    batch_triples: int = DEFAULT_BATCH_TRIPLES,
    graphs: Sequence[str] | None = None,
    force: bool = False,
    state: str | Path | None = None,
    sleep: Sleep = time.sleep,
) -> PushReport:
    """Send the store's named graphs to the server; the server's copy of each is replaced.

    With `endpoint.default_graph == "push"` the store's default graph goes to the
    server's default graph too (a CorpusStore keeps the set union of its graphs
    there; a bare pyoxigraph Store must hold it itself, or queries see nothing).

    Args:
        store: a CorpusStore (or a pyoxigraph Store).
        endpoint: where to send them.
        batch_triples: the most triples per request (a graph with blank nodes
            always goes whole: its blank nodes would otherwise split in two).
        graphs: only these graph IRIs (default: every named graph; graphs pushed
            before and gone from the store since are then dropped on the server).
        force: send every graph even if it is unchanged since the last push.
        state: the JSON file remembering what was pushed where (default:
            `<store>.push.json` beside a CorpusStore; none for a bare pyoxigraph
            Store, which then always sends everything).
        sleep: how to wait between retries.
    """
    if batch_triples < 1:
        raise RemoteError(f"batch size must be at least 1 triple (got {batch_triples})")
    if endpoint.gsp_url is None and endpoint.update_url is None:
        raise RemoteError(
            f"{_show(endpoint.query_url)}: no Graph Store or update URL to write to "
            "(give --gsp or --update-endpoint)"
        )
    started = time.perf_counter()
    oxstore: ox.Store = store if isinstance(store, ox.Store) else store.ox
    state_file = _state_file(store, state)
    key = endpoint.query_url
    saved = _load_state(state_file)
    before: dict[str, str] = dict(saved.get(key, {}))
    present = sorted(g.value for g in oxstore.named_graphs() if isinstance(g, ox.NamedNode))
    wanted = present if graphs is None else [g for g in dict.fromkeys(graphs)]
    missing = sorted(set(wanted) - set(present))
    if missing:
        raise RemoteError(f"not in the store: {', '.join('<' + g + '>' for g in missing[:3])}")
    # graphs pushed before and removed from the store since (only on a full push)
    gone = sorted(set(before) - set(present) - {DEFAULT}) if graphs is None else []

    writer = _Writer(endpoint, batch_triples, sleep)
    after = dict(before)
    skipped = 0
    default_sent = False
    union = endpoint.default_graph == "push"
    # keep the server's default graph in step by a diff (the triples of the changed
    # graphs) when it is known to match the store; otherwise send the union whole
    diff = union and not force and before.get(DEFAULT) == _SYNCED and bool(endpoint.update_url)
    dirty = False

    def mark_dirty() -> None:
        # an interrupted push leaves the default graph unknown: the next one sends it whole
        nonlocal dirty
        if union and not dirty:
            dirty = True
            after.pop(DEFAULT, None)
            if state_file is not None:
                _save_state(state_file, {**saved, key: after})

    def flush(batch: dict[str, _Graph]) -> None:
        nonlocal diff
        if not batch:
            return
        mark_dirty()
        if diff and any(g.blank for g in batch.values()):
            diff = False  # blank nodes cannot be matched with the server's copies
        old = {iri: writer.server_graph(iri) for iri in batch} if diff else {}
        done = list(writer.write(list(batch.values())))
        if diff:
            writer.patch_default(oxstore, [(old[i], _triples(batch[i])) for i in done])
        for iri in done:
            after[iri] = batch[iri].sha256

    # what the store's manifest says about each graph spares reading the unchanged ones
    known = _fingerprints(store)
    try:
        pending: dict[str, _Graph] = {}
        held = 0
        for iri in wanted:
            if not force and iri in known and before.get(iri) == known[iri]:
                skipped += 1
                continue
            g = _read_graph(oxstore, iri, known.get(iri))
            if not force and before.get(iri) == g.sha256:
                skipped += 1
                continue
            pending[iri] = g
            held += g.triples
            # hold about one batch of triples in memory, not the whole store
            if held >= batch_triples:
                flush(pending)
                pending, held = {}, 0
        flush(pending)
        if gone:
            mark_dirty()
            old_gone = (
                [(writer.server_graph(iri), set[ox.Triple]()) for iri in gone] if diff else []
            )
            for done in writer.drop(gone):
                after.pop(done, None)
            if diff:
                writer.patch_default(oxstore, old_gone)
        if union and not (diff and before.get(DEFAULT) == _SYNCED):
            whole = _read_graph(oxstore, DEFAULT)
            for _ in writer.write([whole]):
                default_sent = True
        if union:
            after[DEFAULT] = _SYNCED
    finally:
        if state_file is not None and (after != before or dirty):
            saved[key] = after
            _save_state(state_file, saved)
    return PushReport(
        endpoint=endpoint.query_url,
        method=writer.method if writer.requests else "none",
        sent=writer.sent - default_sent,
        skipped=skipped,
        removed=len(gone),
        triples=writer.triples,
        requests=writer.requests,
        seconds=time.perf_counter() - started,
        fallback=writer.fallback,
        default_graph=(
            ""
            if not union
            else "replaced"
            if default_sent
            else "patched"
            if writer.patched
            else "unchanged"
        ),
    )


# the IRI standing for the default graph in the push state and in _Graph
DEFAULT = ""
# the push state's mark that the server's default graph is the store's union
_SYNCED = "union"


def _triples(g: _Graph) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(b"".join(g.lines), format=ox.RdfFormat.N_TRIPLES)}


def _read_graph(oxstore: ox.Store, iri: str, fingerprint: str | None = None) -> _Graph:
    """The graph as N-Triples lines; `sha256` is the manifest's fingerprint when given."""
    source = ox.DefaultGraph() if iri == DEFAULT else ox.NamedNode(iri)
    data = oxstore.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=source)
    assert data is not None  # dump without an output returns the bytes
    lines = tuple(line for line in data.splitlines(keepends=True) if line.strip())
    # "_:" inside a literal only costs the split, never correctness
    digest = fingerprint or hashlib.sha256(data).hexdigest()
    return _Graph(iri, lines, digest, b"_:" in data)


def _fingerprints(store: object) -> dict[str, str]:
    """graph IRI -> the source's hash, triple count and build time (CorpusStore manifest).

    A graph changes only when the build replaces it, which records a new build
    time, so this identifies its content without reading it. A document whose
    replacement did not finish (no hash) is left out: it is read and hashed.
    """
    documents = getattr(store, "documents", None)
    if not callable(documents):
        return {}
    out: dict[str, str] = {}
    for doc in documents():
        if getattr(doc, "sha256", None):
            out[str(doc.graph)] = f"{doc.sha256}:{doc.triples}:{doc.built_at}"
    return out


class _Writer:
    """Writes graphs through the GSP, or SPARQL Update once the GSP is found missing."""

    def __init__(self, endpoint: Endpoint, batch: int, sleep: Sleep) -> None:
        self.endpoint = endpoint
        self.batch = batch
        self.sleep = sleep
        self.method: PushMethod = "gsp" if endpoint.gsp_url else "update"
        self.gsp_confirmed = False  # a GSP write succeeded: a later 404 is a real error
        self.fallback: str | None = None
        self.sent = self.triples = self.requests = 0
        self.patched = 0  # triples added to or deleted from the default graph by a diff

    def _request(self, method: str, url: str, body: bytes, ctype: str | None) -> _Response:
        self.requests += 1
        headers = {"Content-Type": ctype} if ctype else {}
        return _send(self.endpoint, method, url, body, headers, sleep=self.sleep)

    def write(self, graphs: Sequence[_Graph]) -> Iterator[str]:
        """Write each graph; yield its IRI once the server holds all of it."""
        rest = list(graphs)
        while rest and self.method == "gsp":
            g = rest[0]
            if not self._gsp_put(g):
                break  # the GSP is missing: SPARQL Update takes over from this graph
            rest.pop(0)
            self.sent += 1
            self.triples += g.triples
            yield g.iri
        if rest:
            yield from self._update(rest)

    def _gsp_put(self, g: _Graph) -> bool:
        assert self.endpoint.gsp_url is not None
        url = _with_params(self.endpoint.gsp_url, [_gsp_param(g.iri)])
        size = max(1, len(g.lines)) if g.blank else self.batch
        chunks = [g.lines[i : i + size] for i in range(0, len(g.lines), size)] or [()]
        for n, chunk in enumerate(chunks):
            # PUT replaces the graph; the next parts of a big graph are added by POST
            method = "PUT" if n == 0 else "POST"
            response = self._request(method, url, b"".join(chunk), self.endpoint.gsp_content_type)
            no_gsp = response.status in _NO_GSP and not self.gsp_confirmed
            if n == 0 and no_gsp and self.endpoint.update_url:
                self.method = "update"
                self.fallback = (
                    f"no Graph Store Protocol at {_show(self.endpoint.gsp_url)} "
                    f"(HTTP {response.status}): used SPARQL Update"
                )
                return False
            if not response.ok:
                raise _refused(f"push {_name(g.iri)}", method, url, response)
            self.gsp_confirmed = True
        return True

    def _update(self, graphs: Sequence[_Graph]) -> Iterator[str]:
        """DROP SILENT GRAPH + INSERT DATA, several graphs or a part of one per request."""
        ops: list[str] = []
        size = 0
        finished: list[_Graph] = []
        for g in graphs:
            step = max(1, len(g.lines)) if g.blank else self.batch
            parts = [g.lines[i : i + step] for i in range(0, len(g.lines), step)] or [()]
            ops.append(
                "DROP SILENT DEFAULT" if g.iri == DEFAULT else f"DROP SILENT GRAPH <{g.iri}>"
            )
            for n, part in enumerate(parts):
                if part:
                    body = b"".join(part).decode("utf-8")
                    if g.iri == DEFAULT:
                        ops.append(f"INSERT DATA {{\n{body}}}")
                    else:
                        ops.append(f"INSERT DATA {{ GRAPH <{g.iri}> {{\n{body}}} }}")
                    size += len(part)
                if n == len(parts) - 1:
                    finished.append(g)
                if size >= self.batch:
                    self._post_update(ops, f"push {_name(g.iri)}")
                    yield from self._finish(finished)
                    ops, size, finished = [], 0, []
        if ops:
            self._post_update(ops, f"push {_name(graphs[-1].iri)}")
            yield from self._finish(finished)

    def _finish(self, finished: Sequence[_Graph]) -> Iterator[str]:
        for g in finished:
            self.sent += 1
            self.triples += g.triples
            yield g.iri

    def _post_update(self, ops: Sequence[str], what: str) -> None:
        url = self.endpoint.update_url
        if url is None:
            raise RemoteError(
                f"{_show(self.endpoint.query_url)}: no update URL (give --update-endpoint)"
            )
        response = self._request(
            "POST", url, " ;\n".join(ops).encode("utf-8"), "application/sparql-update"
        )
        if not response.ok:
            raise _refused(what, "POST", url, response)

    def server_graph(self, iri: str) -> set[ox.Triple]:
        """The server's copy of a graph (CONSTRUCT through the query URL: every server has it)."""
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        guard_query(text)
        url = _with_params(self.endpoint.query_url, self.endpoint.query_params)
        headers = {"Content-Type": "application/sparql-query", "Accept": "application/n-triples"}
        self.requests += 1
        response = _send(
            self.endpoint, "POST", url, text.encode("utf-8"), headers, sleep=self.sleep
        )
        if not response.ok:
            raise _refused(f"read <{iri}>", "POST", url, response)
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        fmt = {
            "text/turtle": ox.RdfFormat.TURTLE,
            "application/rdf+xml": ox.RdfFormat.RDF_XML,
        }.get(kind, ox.RdfFormat.N_TRIPLES)
        try:
            return {q.triple for q in ox.parse(response.body, format=fmt)}
        except SyntaxError as exc:
            raise RemoteError(f"read <{iri}>: {_show(url)}: not {fmt}: {exc}") from None

    def patch_default(
        self, oxstore: ox.Store, changes: Sequence[tuple[set[ox.Triple], set[ox.Triple]]]
    ) -> None:
        """Bring the server's default graph (the union) in step with graphs that changed.

        `changes` holds (the server's old copy, the new content) per graph. A triple
        of the new content is added; a triple of the old copy only is deleted unless
        some graph of the store still holds it (the store's union says).
        """
        default = ox.DefaultGraph()
        inserts: set[ox.Triple] = set()
        deletes: set[ox.Triple] = set()
        for old, new in changes:
            inserts |= new - old
            deletes |= old - new
        deletes = {
            t for t in deletes if ox.Quad(t.subject, t.predicate, t.object, default) not in oxstore
        }
        for keyword, triples in (("DELETE DATA", deletes), ("INSERT DATA", inserts)):
            lines = sorted(f"{t} ." for t in triples)
            for i in range(0, len(lines), self.batch):
                body = "\n".join(lines[i : i + self.batch])
                self._post_update([f"{keyword} {{\n{body}\n}}"], "update the default graph")
                self.patched += len(lines[i : i + self.batch])

    def drop(self, iris: Sequence[str]) -> Iterator[str]:
        """Remove these graphs from the server (a graph already gone is fine)."""
        if not iris:
            return
        if self.endpoint.update_url and not (self.method == "gsp" and self.gsp_confirmed):
            self._post_update([f"DROP SILENT GRAPH <{iri}>" for iri in iris], "drop graphs")
            yield from iris
            return
        assert self.endpoint.gsp_url is not None
        for iri in iris:
            url = _with_params(self.endpoint.gsp_url, [("graph", iri)])
            response = self._request("DELETE", url, b"", None)
            if not response.ok and response.status != 404:
                raise _refused(f"drop <{iri}>", "DELETE", url, response)
            yield iri


def _gsp_param(iri: str) -> tuple[str, str]:
    return ("default", "") if iri == DEFAULT else ("graph", iri)


def _name(iri: str) -> str:
    return "the default graph" if iri == DEFAULT else f"<{iri}>"


def _state_file(store: _HasOx | ox.Store, state: str | Path | None) -> Path | None:
    if state is not None:
        return Path(state)
    path = getattr(store, "path", None)
    return state_path_for(path) if path is not None else None


def _load_state(path: Path | None) -> dict[str, dict[str, str]]:
    """endpoint query URL -> {graph IRI: sha256 of its N-Triples when pushed}."""
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged state only costs a full push
    if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
        return {}
    out: dict[str, dict[str, str]] = {}
    for url, entry in (data.get("endpoints") or {}).items():
        graphs = entry.get("graphs") if isinstance(entry, dict) else None
        if isinstance(graphs, dict):
            out[str(url)] = {str(g): str(h) for g, h in graphs.items()}
    return out


def _save_state(path: Path, state: Mapping[str, Mapping[str, str]]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    data = {
        "version": _STATE_VERSION,
        "endpoints": {
            url: {"pushed_at": now, "graphs": dict(sorted(graphs.items()))}
            for url, graphs in sorted(state.items())
        },
    }
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)


# -- query -------------------------------------------------------------------------------


def run_query(
    endpoint: Endpoint,
    name: str | named.NamedQuery,
    params: Mapping[str, str] | None = None,
    *,
    base: str = ids.DEFAULT_BASE,
) -> named.QueryResult:
    """Run a named SELECT query on the server: `store.run_query` with the endpoint as target."""
    return named.run_query(endpoint, name, params, base=base)


def _select(
    endpoint: Endpoint, sparql: str, bindings: Mapping[str, Identifier], limit: int | None
) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]]:
    text = bind_parameters(sparql, bindings)
    if limit is not None and not _has_keyword(text, ("LIMIT", "VALUES")):
        text += f"\nLIMIT {limit}\n"  # let the server stop early; rows are cut below too
    guarded = guard_query(text)
    if guarded.form != "SELECT":
        raise QueryError(f"query: only SELECT queries are run (got {guarded.form})")
    head, rows = post_select(endpoint, text)
    # the columns of the query as written: a projected parameter is a column too
    variables = _projection(guard_query(sparql).parsed) or head
    out: list[tuple[Identifier | None, ...]] = []
    for row in rows:
        if limit is not None and len(out) >= limit:
            break
        # a projected parameter (SELECT *) holds its bound value, as with initBindings
        out.append(tuple(row.get(v, bindings.get(v)) for v in variables))
    return variables, out


def post_select(
    endpoint: Endpoint, text: str, *, what: str = "query"
) -> tuple[tuple[str, ...], list[dict[str, Identifier]]]:
    """POST a SELECT query (already guarded) and read SPARQL JSON results as rdflib terms."""
    url = _with_params(endpoint.query_url, endpoint.query_params)
    body = text.encode("utf-8")
    headers = {"Content-Type": "application/sparql-query", "Accept": _RESULTS_JSON}
    response = _send(endpoint, "POST", url, body, headers)
    if response.status == 415:  # an old server: the form-encoded POST of SPARQL 1.1
        body = urllib.parse.urlencode({"query": text}).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = _send(endpoint, "POST", url, body, headers)
    if not response.ok:
        raise _refused(what, "POST", url, response)
    return parse_results(response.body, f"{what}: {_show(url)}")


def parse_results(
    body: bytes, source: str = "results"
) -> tuple[tuple[str, ...], list[dict[str, Identifier]]]:
    """SPARQL 1.1 JSON results -> (variables, rows of rdflib terms by variable).

    >>> head, rows = parse_results(b'{"head": {"vars": ["x", "n"]}, "results": {"bindings": ['
    ...     b'{"x": {"type": "uri", "value": "http://a"},'
    ...     b' "n": {"type": "literal", "value": "2",'
    ...     b' "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}')
    >>> head, rows[0]["x"], rows[0]["n"].toPython()
    (('x', 'n'), rdflib.term.URIRef('http://a'), 2)
    """
    try:
        data = json.loads(body)
        head = tuple(str(v) for v in data["head"].get("vars", []))
        bindings = data["results"]["bindings"]
        rows = [{str(k): _term(v) for k, v in b.items()} for b in bindings]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        start = " ".join(body[:80].decode("utf-8", "replace").split())
        raise RemoteError(
            f"{source}: the answer is not SPARQL JSON results ({exc}; starts {start!r})"
        ) from None
    return head, rows


def _term(value: Mapping[str, Any]) -> Identifier:
    kind, text = value["type"], str(value["value"])
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):  # "typed-literal": Virtuoso's older JSON
        lang = value.get("xml:lang")
        datatype = value.get("datatype")
        if lang:
            return rdflib.Literal(text, lang=str(lang))
        # RDF 1.1 servers name xsd:string; rdflib's own results leave it out
        if datatype in (None, str(XSD.string), str(RDF.langString)):
            return rdflib.Literal(text)
        return rdflib.Literal(text, datatype=URIRef(str(datatype)))
    raise ValueError(f"unknown term type {kind!r}")


def _projection(parsed: Any) -> tuple[str, ...]:
    """The SELECT clause's variables in order (empty for SELECT *)."""
    try:
        # CompValue.get returns the key itself when it is missing: test membership
        items = parsed[1]["projection"] if "projection" in parsed[1] else []  # noqa: SIM401
    except (IndexError, KeyError, TypeError):
        return ()
    return tuple(str(item["var"] if "var" in item else item["evar"]) for item in items)


# -- parameters as constants -------------------------------------------------------------

# One SPARQL token as far as parameter binding needs. Every alternative either
# always matches (a string runs to its end or the end of its line or text) or
# starts with a character the others do not, so the scan is linear.
_TOKEN_RE = re.compile(
    r"""
      (?P<string>
          \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
        | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
        | "(?:[^"\\\n\r]|\\.)*(?:"|$)
        | '(?:[^'\\\n\r]|\\.)*(?:'|$)
      )
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
    | (?P<pname>[A-Za-z0-9_\-.]*:[A-Za-z0-9_\-.%]*)  # a prefixed name is never a keyword
    | (?P<word>[A-Za-z][A-Za-z0-9_]*)
    | (?P<space>\s+)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.MULTILINE | re.DOTALL,
)

# A literal's lexical form written inside "…": the escapes SPARQL and N-Triples share
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_IRI_OK_RE = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')
_LANG_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")


def term_to_sparql(term: Identifier) -> str:
    """A bound value as a SPARQL constant in N-Triples form; refuses what could escape it.

    >>> term_to_sparql(URIRef("https://w3id.org/resgraph/id/A/RES/66/172"))
    '<https://w3id.org/resgraph/id/A/RES/66/172>'
    >>> term_to_sparql(rdflib.Literal('say "hi"\\n# not a comment'))
    '"say \\\\"hi\\\\"\\\\n# not a comment"'
    >>> term_to_sparql(rdflib.Literal(3))
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> term_to_sparql(URIRef("http://x/> } ; DROP ALL ; <http://y"))
    Traceback (most recent call last):
    ...
    resgraph.errors.QueryError: not a valid IRI for a parameter: 'http://x/> } ; DROP ALL ; <http://y'
    """
    if isinstance(term, URIRef):
        if not _IRI_OK_RE.fullmatch(str(term)):
            raise QueryError(f"not a valid IRI for a parameter: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        text = "".join(_ESCAPES.get(c, c) for c in str(term))
        if term.language:
            if not _LANG_RE.fullmatch(term.language):
                raise QueryError(f"not a valid language tag for a parameter: {term.language!r}")
            return f'"{text}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{text}"^^{term_to_sparql(URIRef(str(term.datatype)))}'
        return f'"{text}"'
    raise QueryError(f"a parameter cannot be bound to {type(term).__name__} {term!r}")


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    for m in _TOKEN_RE.finditer(text):
        yield m.lastgroup or "punct", m.group()


def _has_keyword(text: str, words: Sequence[str]) -> bool:
    """Whether one of these keywords occurs outside strings, IRIs and comments.

    >>> _has_keyword('SELECT ?x { ?x ?p "LIMIT" } # LIMIT', ["LIMIT"])
    False
    """
    upper = {w.upper() for w in words}
    return any(kind == "word" and tok.upper() in upper for kind, tok in _tokens(text))


def bind_parameters(text: str, bindings: Mapping[str, Identifier], source: str = "query") -> str:
    """The query with each bound `?_name` / `$_name` replaced by its value as a constant.

    Strings, IRIs and comments are never touched. `BOUND(?_x)` becomes `true`.
    A bound parameter in a SELECT clause is left out of the projection: every
    use of it is a constant now, and `(value AS ?_x)` would clash with the same
    variable projected by a nested sub-select (the caller puts the value back
    into the result column). A parameter the query itself assigns (`AS ?_x`,
    `VALUES ?_x`) cannot be bound and is refused. Unbound parameters stay
    variables (`!BOUND(?_x)` then holds, as with initBindings).

    >>> iri = URIRef("http://x/d")
    >>> print(bind_parameters(
    ...     'SELECT ?_doc ?c { ?c ?p ?_doc ; ?q "?_doc" FILTER(!BOUND(?_doc) || ?c != $_doc) }'
    ...     ' # ?_doc', {"_doc": iri}))
    SELECT  ?c { ?c ?p <http://x/d> ; ?q "?_doc" FILTER(!true || ?c != <http://x/d>) } # ?_doc
    >>> print(bind_parameters("SELECT DISTINCT ?_doc WHERE { ?_doc ?p ?o }", {"_doc": iri}))
    SELECT DISTINCT  * WHERE { <http://x/d> ?p ?o }
    """
    toks = list(_tokens(text))
    out: list[str] = []
    # in a SELECT clause: the bracket depth at which it started, until its WHERE or '{'
    select_depth: int | None = None
    projected = dropped = 0
    depth = 0
    in_values = False
    i = 0
    while i < len(toks):
        kind, tok = toks[i]
        word = tok.upper() if kind == "word" else ""
        if word == "SELECT":
            select_depth, projected, dropped = depth, 0, 0
        elif word == "WHERE" or (kind == "punct" and tok == "{"):
            if select_depth is not None and projected == 0 and dropped:
                out.append("* ")  # every projected variable was a parameter
            select_depth = None
            in_values = False
        elif word == "VALUES":
            in_values = True
        in_projection = select_depth is not None and depth == select_depth
        if kind == "punct" and tok in "([":
            depth += 1
        elif kind == "punct" and tok in ")]":
            depth -= 1
        if in_projection and ((kind == "punct" and tok in "(*") or kind == "var"):
            projected += 1
        if word == "BOUND":
            j, nxt = _significant(toks, i + 1, 3)
            if (
                len(nxt) == 3
                and nxt[0] == ("punct", "(")
                and nxt[1][0] == "var"
                and nxt[1][1][1:] in bindings
                and nxt[2] == ("punct", ")")
            ):
                out.append("true")
                i = j
                continue
        if kind == "var" and tok[1:] in bindings:
            value = term_to_sparql(bindings[tok[1:]])
            if _previous_word(toks, i) == "AS" or in_values:
                raise QueryError(f"{source}: the query assigns {tok}; it cannot be a parameter")
            if in_projection:
                projected -= 1
                dropped += 1
            else:
                out.append(value)
        else:
            out.append(tok)
        i += 1
    return "".join(out)


def _significant(
    toks: Sequence[tuple[str, str]], start: int, n: int
) -> tuple[int, list[tuple[str, str]]]:
    """The next `n` tokens that are not space or comments, and the index after them."""
    found: list[tuple[str, str]] = []
    i = start
    while i < len(toks) and len(found) < n:
        if toks[i][0] not in ("space", "comment"):
            found.append(toks[i])
        i += 1
    return i, found


def _previous_word(toks: Sequence[tuple[str, str]], i: int) -> str:
    for j in range(i - 1, -1, -1):
        kind, tok = toks[j]
        if kind not in ("space", "comment"):
            return tok.upper() if kind == "word" else ""
    return ""
