"""The corpus store: an on-disk Oxigraph store, one named graph per source document.

Layout of a store folder (DESIGN.md §4):

    <store>/oxigraph/        the pyoxigraph (RocksDB) store: the triples
    <store>/manifest.sqlite  what was built from where (graph, symbol, source, sha256 …)
                             and a full-text index (SQLite FTS5) over clause and footnote texts
    <store>/lock             our lock: fcntl.flock, exclusive for a writer, shared for readers;
                             a writer writes its pid and command into it

THE DEFAULT GRAPH IS THE UNION. Oxigraph's `use_default_graph_as_union=True` is a
multiset (a triple held by three document graphs matches three times; rdflib's
union is a set) and it also adds the default graph. So the store keeps the set
union of all named graphs in its default graph, in step with every write, and
`CorpusStore.query` / `select` run on it WITHOUT that flag. Code using `.ox`
directly: query without `use_default_graph_as_union` (the default graph is the
union), use `GRAPH ?g` for per-document work, and `CorpusStore.quads()` (named
graphs only) or `dump()` to export; `ox.dump(TRIG)` would also write the union.
Oxigraph stores derived integer types as xsd:integer (`oa:start`, typed
xsd:nonNegativeInteger by the mapping, comes back as xsd:integer);
`faithful_quads`, `dataset` and `dump` restore the types the SHACL shapes declare.

pyoxigraph says opening a store read-only while another process writes it is
undefined behaviour, so nobody opens the store without taking the lock first:
a second writer, or a reader during a write, gets a one-line StoreLockedError
naming the store and the holder instead of a crash or a corrupt read.

Replacing a document is crash-safe without a transaction spanning both
databases: its manifest row is first marked pending (no hash), then its graph
is removed and the new triples loaded, then the hash is recorded. A crash in
between leaves a pending row, which the next build rebuilds; nothing else is
touched.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import json
import math
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, Self

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, XSD
from rdflib.term import BNode, Identifier, URIRef

from . import check_index, citation_index
from .errors import InputError, QueryError, StoreLockedError

__all__ = [
    "CorpusStore",
    "NewDocument",
    "SearchHit",
    "StoreLockedError",
    "StoredDocument",
    "to_oxigraph",
    "to_rdflib",
]

RG = "https://w3id.org/resgraph/ontology#"
_LANG_STRING = str(RDF.langString)
_XSD_STRING = str(XSD.string)
_SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    graph TEXT PRIMARY KEY,
    symbol TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT,               -- NULL: pending (a replacement was interrupted)
    triples INTEGER NOT NULL DEFAULT 0,
    built_at TEXT NOT NULL,
    size INTEGER,              -- the input's size and mtime when it was read (NULL: unknown)
    mtime_ns INTEGER
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE INDEX IF NOT EXISTS documents_symbol ON documents(symbol);
CREATE TABLE IF NOT EXISTS texts (
    id INTEGER PRIMARY KEY,
    graph TEXT NOT NULL,
    iri TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS texts_graph ON texts(graph);
CREATE VIRTUAL TABLE IF NOT EXISTS texts_fts USING fts5(
    body, content='texts', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS texts_ai AFTER INSERT ON texts BEGIN
    INSERT INTO texts_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER IF NOT EXISTS texts_ad AFTER DELETE ON texts BEGIN
    INSERT INTO texts_fts(texts_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
"""

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_FOOTNOTE = ox.NamedNode(RG + "Footnote")
_TEXT = ox.NamedNode(RG + "text")
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_ROW = "graph, symbol, source, sha256, triples, built_at"  # the columns of a StoredDocument
# a batch up to this many documents keeps the store's distinct-triple count exact by looking
# each new triple up (a few ms a document); a bigger one has it counted again when asked
_COUNT_INCREMENTALLY = 50
# up to this many quads a write is one transactional load, not a bulk load (see _bulk_load)
_TRANSACTION_QUADS = 20_000
_SPOOL = "spool.nq"  # new documents' quads waiting for one bulk load (deferred_load)
_Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

# -- search SQL --------------------------------------------------------------------------
_SNIPPET = "snippet(texts_fts, 0, '[', ']', '…', 16)"
# the whole ranking in one statement: every match's text row and document are read to order
# by IRI (used where SQLite is older than the statements below need: json_each built in
# since 3.38, MATERIALIZED since 3.35)
_SEARCH_SQL = (
    f"SELECT t.id, bm25(texts_fts), t.iri, t.graph, t.kind, d.symbol, {_SNIPPET}"
    " FROM texts_fts JOIN texts t ON t.id = texts_fts.rowid"
    " JOIN documents d ON d.graph = t.graph"
    " WHERE texts_fts MATCH ? ORDER BY bm25(texts_fts), t.iri LIMIT ?"
)
_SEARCH_IN_STEPS = sqlite3.sqlite_version_info >= (3, 38, 0)
# the best-scored matches, from the index alone (SQLite keeps only LIMIT rows while it
# sorts; FTS5's own ORDER BY rank sorts every match and is slower: 58 vs 39 ms)
_SEARCH_TOP_SQL = (
    "SELECT rowid, bm25(texts_fts) AS score FROM texts_fts"
    " WHERE texts_fts MATCH ? ORDER BY score LIMIT ?"
)
_SEARCH_ROWS_SQL = (
    "SELECT t.id, t.iri, t.graph, t.kind, d.symbol FROM texts t"
    " JOIN documents d ON d.graph = t.graph WHERE t.id IN (SELECT value FROM json_each(?))"
)
# the ranking in SQL for the rows scoring up to a bound (bm25 is tested before a text row
# is read); t.id orders what the one-statement ranking leaves in any order (same score
# and IRI: not seen, an IRI has one text)
_SEARCH_TIES_SQL = (
    "SELECT t.id, bm25(texts_fts), t.iri, t.graph, t.kind, d.symbol"
    " FROM texts_fts JOIN texts t ON t.id = texts_fts.rowid"
    " JOIN documents d ON d.graph = t.graph"
    " WHERE texts_fts MATCH ? AND bm25(texts_fts) <= ?"
    " ORDER BY bm25(texts_fts), t.iri, t.id LIMIT ?"
)
_SEARCH_SNIPPET_SQL = f"SELECT {_SNIPPET} FROM texts_fts WHERE texts_fts MATCH ? AND rowid = ?"
# `+rowid`: a filter on the one pass over the matches, not a lookup per rowid
_SEARCH_SNIPPETS_SQL = (
    f"SELECT rowid, {_SNIPPET} FROM texts_fts"
    " WHERE texts_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))"
)
# up to this many matches, one statement ranks them (keeping every score costs ~0.25 us a
# match, ranking the ties again ~1 us a match)
_SEARCH_ONE_PASS = 20_000
_SEARCH_COUNT_SQL = "SELECT count(*) FROM (SELECT 1 FROM texts_fts WHERE texts_fts MATCH ? LIMIT ?)"
_SEARCH_ONE_PASS_SQL = (
    "WITH hits AS MATERIALIZED ("
    "   SELECT rowid AS id, bm25(texts_fts) AS score FROM texts_fts WHERE texts_fts MATCH ?1),"
    " cut AS (SELECT score FROM hits ORDER BY score LIMIT 1 OFFSET ?2 - 1)"
    " SELECT h.id, h.score, t.iri, t.graph, t.kind FROM hits h JOIN texts t ON t.id = h.id"
    " WHERE h.score <= coalesce((SELECT score FROM cut), h.score)"  # no cut: fewer matches
    " ORDER BY h.score, t.iri, t.id LIMIT ?2"
)
_SEARCH_SLACK = 100  # rows ranked past the wanted ones, so that ties rarely need SQL
_SNIPPET_LOOKUPS = 100  # more hits than this: their snippets from one pass over the matches
# (rowid, bm25, iri, graph, kind, symbol) of a ranked match
_Ranked = tuple[int, float, str, str, str, str]


@dataclass(frozen=True)
class StoredDocument:
    """One manifest row: a named graph and the input it was built from."""

    graph: str  # the named graph's IRI (ids.graph_iri)
    symbol: str  # the document's symbol ("unknown/<hash>" when it has none)
    source: str  # absolute path of the input, or "-" for standard input
    sha256: str | None  # hex digest of the input bytes; None while a replacement is pending
    triples: int
    built_at: str  # ISO 8601, UTC

    @property
    def pending(self) -> bool:
        """A replacement or removal of this document did not finish: rebuild it."""
        return self.sha256 is None


@dataclass(frozen=True)
class NewDocument:
    """A built document on its way into the store (what the build's workers return)."""

    graph: str
    symbol: str
    source: str
    sha256: str
    nquads: bytes  # every quad in `graph`, N-Quads, UTF-8
    triples: int
    # (subject IRI, "clause"|"footnote", text) for every rg:text: given by the worker, the
    # store need not read them back from Oxigraph (None: read back)
    texts: tuple[tuple[str, str, str], ...] | None = None
    # the input's size and modification time when it was read: a later build skips it
    # unread while both are the same (None: always compare the bytes' hash)
    size: int | None = None
    mtime_ns: int | None = None


@dataclass(frozen=True)
class SearchHit:
    """A clause or footnote whose text matches a search."""

    symbol: str  # the document's symbol
    graph: str
    iri: str  # the clause or footnote
    kind: Literal["clause", "footnote"]
    snippet: str  # the matching words in [brackets], cut with "…"
    score: float  # FTS5 bm25 rank (lower is better)


# -- terms -------------------------------------------------------------------------------


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term.

    >>> to_oxigraph(rdflib.Literal(3))
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> to_oxigraph(URIRef("https://example.org/a")).value
    'https://example.org/a'
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot bind {term!r}: not an IRI, blank node or literal")


def to_rdflib(term: object) -> Identifier | None:
    """A pyoxigraph term as the rdflib term rdflib's own SPARQL engine would give.

    A plain literal (xsd:string) has no datatype in rdflib, so results compare equal.

    >>> to_rdflib(ox.Literal("a"))
    rdflib.term.Literal('a')
    >>> to_rdflib(ox.Literal("2", datatype=ox.NamedNode(str(XSD.integer)))).toPython()
    2
    >>> to_rdflib(None) is None
    True
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt in (_XSD_STRING, _LANG_STRING):
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=URIRef(dt))
    raise QueryError(f"unsupported term in a result: {term!r}")


# -- the lock ----------------------------------------------------------------------------


class _Lock:
    """Our own lock file: flock exclusive (writer) or shared (readers); released on close."""

    def __init__(self, store: Path, write: bool, timeout: float) -> None:
        self.path = store / "lock"
        mode = "a+" if write else "r"
        try:
            self._fh: IO[str] = open(self.path, mode, encoding="utf-8")  # noqa: SIM115
        except FileNotFoundError:
            # a store written by an older resgraph or copied without its lock: readers only
            # look, so an empty lock file is created beside the data
            self._fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115
        flags = (fcntl.LOCK_EX if write else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(self._fh.fileno(), flags)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder()
                    self._fh.close()
                    raise StoreLockedError(
                        f"{store}: store is locked: {holder}; try again when it has finished"
                    ) from None
                time.sleep(0.05)
        if write:
            self._fh.seek(0)
            self._fh.truncate()
            command = " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])[:300]
            self._fh.write(f"pid {os.getpid()}: {command or 'python'}\n")
            self._fh.flush()

    def _holder(self) -> str:
        """Who holds the lock: the writer's line, or 'readers'."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                line = fh.readline().strip()
        except OSError:
            line = ""
        m = re.match(r"pid (\d+): (.*)", line)
        if m and _alive(int(m.group(1))):
            return f"{m.group(2)} (pid {m.group(1)}) is writing to it"
        return "another process is reading it"

    def release(self, write: bool) -> None:
        if self._fh.closed:
            return
        if write:  # a dead writer's line must not name it as the holder later
            with contextlib.suppress(OSError):
                self._fh.seek(0)
                self._fh.truncate()
                self._fh.flush()
        self._fh.close()  # closing the descriptor drops the flock


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the store ---------------------------------------------------------------------------


class CorpusStore:
    """An on-disk corpus: Oxigraph triples + SQLite manifest and text index + a lock.

    Open it with `CorpusStore.open(path, write=...)`, as a context manager.
    """

    def __init__(
        self, path: Path, ox_store: ox.Store, db: sqlite3.Connection, lock: _Lock, write: bool
    ) -> None:
        self.path = path
        self.ox = ox_store
        self.writable = write
        self._db = db
        self._lock = lock
        self._db_lock = threading.Lock()  # one connection, shared by a server's threads
        self._spool: IO[bytes] | None = None  # see deferred_load
        self._deferred: list[tuple[str, tuple[object, ...], citation_index.GraphCounts]] = []
        self._chunk_bytes: int | None = None  # see deferred_load
        self._chunk_ends: list[int] = []  # spool offsets where a bounded load's parts end
        self._compact_after_load = False  # see deferred_load
        self._compaction: Future[None] | None = None  # a compaction the load started
        self._closed = False

    @classmethod
    def open(cls, path: str | Path, *, write: bool = False, timeout: float = 0.0) -> CorpusStore:
        """Open (write=True: create) the store at `path`, taking its lock.

        Args:
            path: the store folder (`out/store` for `resgraph build`).
            write: take the exclusive lock and open read-write (creating the store).
            timeout: seconds to wait for the lock before StoreLockedError (default: none).

        Raises:
            StoreLockedError: another process writes (or, for a writer, reads) the store.
            InputError: reading a folder that holds no store.
        """
        root = Path(path)
        if write:
            root.mkdir(parents=True, exist_ok=True)
        elif not (root / "manifest.sqlite").is_file() or not (root / "oxigraph").is_dir():
            raise InputError(str(root), "no corpus store here (run `resgraph build` first)")
        lock = _Lock(root, write, timeout)
        try:
            if write:
                store = ox.Store(str(root / "oxigraph"))
                db = sqlite3.connect(root / "manifest.sqlite", check_same_thread=False)
                db.executescript(_SCHEMA)
                columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
                for column in ("size", "mtime_ns"):
                    if column not in columns:  # a store made before the columns existed
                        db.execute(f"ALTER TABLE documents ADD COLUMN {column} INTEGER")
                db.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)",
                    (str(_SCHEMA_VERSION),),
                )
                db.commit()
            else:
                store = ox.Store.read_only(str(root / "oxigraph"))
                uri = (root / "manifest.sqlite").resolve().as_uri() + "?mode=ro"
                db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except OSError as exc:
            lock.release(write)
            raise InputError(str(root), f"cannot open the store: {exc}") from exc
        except sqlite3.Error as exc:
            lock.release(write)
            raise InputError(str(root), f"cannot open the store's manifest: {exc}") from exc
        opened = cls(root, store, db, lock, write)
        if write:
            opened._repair()
        return opened

    # context manager ----------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Flush, close both databases, release the lock."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._compaction is not None:
                # RocksDB must not close under its own compaction; an error there leaves
                # only an uncompacted store, which the next build compacts
                wait([self._compaction])
            if self.writable:
                self.ox.flush()
            self._db.close()
        finally:
            # drop our reference so RocksDB closes before the lock goes
            del self.ox
            self._lock.release(self.writable)

    # reading ------------------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        """Every manifest row, sorted by symbol."""
        return self._rows(f"SELECT {_ROW} FROM documents ORDER BY symbol, graph", ())

    def document(self, graph: str) -> StoredDocument | None:
        """The manifest row of one graph, if any."""
        rows = self._rows(f"SELECT {_ROW} FROM documents WHERE graph = ?", (graph,))
        return rows[0] if rows else None

    def by_source(self, source: str) -> list[StoredDocument]:
        """The documents built from one input (normally one)."""
        return self._rows(
            f"SELECT {_ROW} FROM documents WHERE source = ? ORDER BY graph", (source,)
        )

    def by_symbol(self, symbol: str) -> list[StoredDocument]:
        """The documents with this symbol (normally one)."""
        return self._rows(
            f"SELECT {_ROW} FROM documents WHERE symbol = ? ORDER BY graph", (symbol,)
        )

    def _rows(self, sql: str, args: tuple[str, ...]) -> list[StoredDocument]:
        with self._db_lock:
            rows = self._db.execute(sql, args).fetchall()
        return [
            StoredDocument(graph=g, symbol=sym, source=src, sha256=sha, triples=int(n), built_at=at)
            for g, sym, src, sha, n, at in rows
        ]

    def sources(self) -> dict[str, list[tuple[str | None, int | None, int | None]]]:
        """(sha256, size, mtime_ns) of every document, by source: one read for a whole build."""
        out: dict[str, list[tuple[str | None, int | None, int | None]]] = {}
        with self._db_lock:
            rows = self._db.execute("SELECT source, sha256, size, mtime_ns FROM documents")
            for source, sha, size, mtime in rows:
                out.setdefault(source, []).append((sha, size, mtime))
        return out

    def source_stats(self) -> dict[str, tuple[int, int] | None]:
        """The (size, mtime_ns) recorded for every source, by which a build skips an
        unchanged input unread; None where that takes its rows (`source_rows`): one of
        them is pending or has no stat, or the source has several."""
        with self._db_lock:
            out: dict[str, tuple[int, int] | None] = {
                source: (size, mtime)
                for source, size, mtime in self._db.execute(
                    "SELECT source, size, mtime_ns FROM documents"
                    " WHERE sha256 != '' AND size IS NOT NULL AND mtime_ns IS NOT NULL"
                )
            }
            # few rows each: the incomplete ones (no index needed), the sources built twice
            for (source,) in self._db.execute(
                "SELECT source FROM documents"
                " WHERE sha256 IS NULL OR sha256 = '' OR size IS NULL OR mtime_ns IS NULL"
                " UNION SELECT source FROM documents GROUP BY source HAVING COUNT(*) > 1"
            ):
                out[source] = None
        return out

    def source_rows(self, source: str) -> list[tuple[str | None, int | None, int | None]]:
        """(sha256, size, mtime_ns) of the documents built from one source."""
        with self._db_lock:
            return list(
                self._db.execute(
                    "SELECT sha256, size, mtime_ns FROM documents WHERE source = ?", (source,)
                )
            )

    def graph_source(self, graph: str) -> str | None:
        """The source one graph was built from, if it is in the manifest."""
        with self._db_lock:
            row = self._db.execute(
                "SELECT source FROM documents WHERE graph = ?", (graph,)
            ).fetchone()
        return str(row[0]) if row else None

    def graph_sources(self) -> dict[str, str]:
        """The source of every graph in the manifest."""
        with self._db_lock:
            return dict(self._db.execute("SELECT graph, source FROM documents"))

    def record_stats(self, stats: Sequence[tuple[str, int, int]]) -> None:
        """Record unchanged inputs' new (source, size, mtime_ns): touched, not changed."""
        self._require_write()
        if not stats:
            return  # no commit: each costs the disk a sync
        with self._db_lock:
            self._db.executemany(
                "UPDATE documents SET size = ?, mtime_ns = ? WHERE source = ?",
                [(size, mtime, source) for source, size, mtime in stats],
            )
            self._db.commit()

    def count_documents(self) -> int:
        """How many documents the manifest holds."""
        with self._db_lock:
            return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def cached(self, key: str) -> str | None:
        """A value kept in the manifest until the store next changes (see `keep`)."""
        with self._db_lock:
            row = self._db.execute(
                "SELECT value FROM meta WHERE key = ?", ("cache:" + key,)
            ).fetchone()
        return str(row[0]) if row else None

    def keep(self, key: str, value: str) -> None:
        """Keep a value computed over the whole store (a count, the checks' findings) until
        the next change: a build that changes nothing need not compute it again."""
        self._require_write()
        self._set_meta("cache:" + key, value)

    def _forget(self, *, keep_triples: bool = False) -> None:
        # every change invalidates what was computed over the whole store
        with self._db_lock:
            self._db.execute(
                "DELETE FROM meta WHERE key LIKE 'cache:%' AND key != ?",
                ("cache:triples" if keep_triples else "",),
            )
            self._db.commit()

    def updated_outside(self) -> None:
        """The triples were changed by a SPARQL update, not by this class: what was kept
        about them (the distinct-triple count, the checks' findings, the citation counts
        of `most-cited-instruments`) is dropped, to be computed from the data again."""
        self._require_write()
        self._forget()
        citation_index.forget(self)

    def triple_count(self) -> int:
        """`len(self)`, from the manifest when a build kept it up to date (no scan)."""
        kept = self.cached("triples")
        if kept is not None:
            return int(kept)
        n = len(self)
        if self.writable:
            self.keep("triples", str(n))
        return n

    def __len__(self) -> int:
        """Distinct triples in the store (the union of the named graphs)."""
        result = self.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(result, ox.QuerySolutions)
        n = next(iter(result))[0]
        return int(n.value) if isinstance(n, ox.Literal) else 0

    def query(
        self, sparql: str, *, substitutions: Mapping[str, Identifier] | None = None
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run SPARQL over the union of the named graphs; variables bound by `substitutions`.

        A bound `?name` is written into the text as a constant (`remote.bind_parameters`:
        IRIs validated, literals escaped; strings, IRIs and comments untouched), as the
        remote endpoints get it: pyoxigraph's own `substitutions` are applied after the
        query is evaluated (measured on ga75: 515 ms vs 2.5 ms for a per-document query)
        and its optimiser decides `BOUND(?x)` before substituting. A bound variable
        projected by the top-level SELECT is left out of its columns.
        Callers pass the text through the query guard first (resgraph/guard.py).
        """
        if substitutions:
            from .remote import bind_parameters

            sparql = bind_parameters(sparql, {k.lstrip("?$"): v for k, v in substitutions.items()})
        try:
            return self.ox.query(sparql)
        except SyntaxError as exc:
            raise QueryError(f"not a valid SPARQL query: {' '.join(str(exc).split())}") from exc
        except OSError as exc:
            raise QueryError(f"{self.path}: query failed: {exc}") from exc

    def select(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        limit: int | None = None,
        values: tuple[str, Sequence[str]] | None = None,
    ) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]]:
        """A SELECT's variables and rows as rdflib terms (what `store.run_query` returns).

        The columns are those of the query as written: a projected parameter holds
        its bound value, as with rdflib's initBindings. `values` = (variable, IRIs)
        opens the query's WHERE with `VALUES ?variable { <iri> … }`: candidates the
        caller found in the text index (`text_candidates`), so Oxigraph starts from
        them instead of scanning every text.
        """
        bound = {k.lstrip("?$"): v for k, v in (bindings or {}).items()}
        names_written = tuple(_projection(sparql))
        if values is not None:
            sparql = _with_values(sparql, *values)
        result = self.query(sparql, substitutions=bound)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT queries return rows")
        got = [v.value for v in result.variables]
        names = names_written or tuple(got)
        index = {name: i for i, name in enumerate(got)}
        rows: list[tuple[Identifier | None, ...]] = []
        try:
            for solution in result:
                if limit is not None and len(rows) >= limit:
                    break
                rows.append(
                    tuple(
                        to_rdflib(solution[index[n]]) if n in index else bound.get(n) for n in names
                    )
                )
        except OSError as exc:
            raise QueryError(f"{self.path}: query failed: {exc}") from exc
        return names, rows

    def text_candidates(self, needle: str, *, cap: int = 20_000) -> list[str] | None:
        """Subjects of every indexed text that may contain `needle` (case-insensitive substring).

        A superset of the texts whose LCASE holds LCASE(needle), from the FTS index:
        None when the index cannot narrow the search (no whole word in `needle`, see
        `substring_fts_query`) or more than `cap` texts qualify (a plain scan is then
        as fast as a long VALUES list).
        """
        match = substring_fts_query(needle)
        if match is None:
            return None
        sql = (
            "SELECT DISTINCT t.iri FROM texts_fts JOIN texts t ON t.id = texts_fts.rowid"
            " WHERE texts_fts MATCH ? LIMIT ?"
        )
        with self._db_lock:
            try:
                rows = self._db.execute(sql, (match, cap + 1)).fetchall()
            except sqlite3.OperationalError:
                return None
        if len(rows) > cap or any(iri.startswith("_:") for (iri,) in rows):
            return None
        return sorted(iri for (iri,) in rows)

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Clauses and footnotes holding every word of `text` (a "quoted phrase" stays whole).

        Words are matched by the FTS5 unicode61 tokenizer (case and accents folded);
        a word ending in `*` matches as a prefix. Hits come best first (FTS5 bm25, then
        IRI), as one statement ordering every match by both would give them (its text is
        the reference in tests/test_search.py), without reading every match's text row.
        """
        match = fts_query(text)
        if not match or limit <= 0:
            return []
        with self._db_lock:
            try:
                if _SEARCH_IN_STEPS:
                    ranked = self._ranked(match, limit)
                    snippets = self._snippets(match, [row[0] for row in ranked])
                else:
                    rows = self._db.execute(_SEARCH_SQL, (match, limit)).fetchall()
                    ranked = [row[:6] for row in rows]
                    snippets = {row[0]: row[6] for row in rows}
            except sqlite3.OperationalError as exc:
                raise QueryError(f"search {text!r}: {exc}") from exc
        return [
            SearchHit(
                symbol=sym,
                graph=g,
                iri=iri,
                kind="footnote" if kind == "footnote" else "clause",
                snippet=" ".join(snippets[rowid].split()),
                score=float(score),
            )
            for rowid, score, iri, g, kind, sym in ranked
        ]

    def _ranked(self, match: str, limit: int) -> list[_Ranked]:
        """The first `limit` matches by (bm25, IRI) that have a document row; hold _db_lock.

        Ordering every match by IRI means reading every match's text row (at 20,000
        documents, 43,000 rows for "cooperation": 55 of its 115 ms). Only the rows
        scoring as well as the limit-th best need it: up to `_SEARCH_ONE_PASS` matches,
        one statement keeps every score, finds the limit-th and reads those rows alone
        (a group of equal scores, such as a templated footnote shared by thousands, is
        then read once). Beyond, keeping every score costs more than it saves: a window
        of a few more best scores than wanted is taken from the index and only its rows
        are read, since every row scoring better than the window's last is in it; when
        ties on that last score may reach the wanted rows, SQL ranks those again.
        """
        (count,) = self._db.execute(_SEARCH_COUNT_SQL, (match, _SEARCH_ONE_PASS + 1)).fetchone()
        if not count:
            return []
        if count <= _SEARCH_ONE_PASS:
            best = self._db.execute(_SEARCH_ONE_PASS_SQL, (match, limit)).fetchall()
            ids = json.dumps([r[0] for r in best])
            documented = {r[0]: r[-1] for r in self._db.execute(_SEARCH_ROWS_SQL, (ids,))}
            if len(documented) == len(best):
                return [(*r, documented[r[0]]) for r in best]
            # a text row without a document row took a place: rank with the documents
            tied: list[_Ranked] = self._db.execute(
                _SEARCH_TIES_SQL, (match, math.inf, limit)
            ).fetchall()
            return tied
        window = limit + max(limit, _SEARCH_SLACK)
        top: list[tuple[int, float]] = self._db.execute(_SEARCH_TOP_SQL, (match, window)).fetchall()
        if not top:
            return []
        scores = dict(top)
        rows = self._db.execute(_SEARCH_ROWS_SQL, (json.dumps(list(scores)),)).fetchall()
        ranked = sorted(
            ((rowid, scores[rowid], iri, g, kind, sym) for rowid, iri, g, kind, sym in rows),
            key=lambda r: (r[1], r[2], r[0]),
        )
        last = top[-1][1]
        if len(top) < window or (len(ranked) >= limit and ranked[limit - 1][1] < last):
            return ranked[:limit]
        # rows scoring `last` may be missing from the window: order them all in SQL, down
        # to the worst score the answer can have (with fewer than `limit` documented rows
        # in the window, any)
        bound = ranked[limit - 1][1] if len(ranked) >= limit else math.inf
        tied = self._db.execute(_SEARCH_TIES_SQL, (match, bound, limit)).fetchall()
        return tied

    def _snippets(self, match: str, rowids: list[int]) -> dict[int, str]:
        """snippet() of the given matching rows (as in the ranking statement); hold _db_lock.

        A row looked up by rowid costs a seek in each word's list, but a `word*` word
        must first merge the lists of every word it prefixes (~1 ms for "capacity*" at
        20,000 documents): then one pass over the matches, snippets for ours only.
        """
        if not rowids:
            return {}
        if '"*' in match or len(rowids) > _SNIPPET_LOOKUPS:
            got = self._db.execute(_SEARCH_SNIPPETS_SQL, (match, json.dumps(rowids))).fetchall()
            return dict(got)
        out: dict[int, str] = {}
        for rowid in rowids:
            row = self._db.execute(_SEARCH_SNIPPET_SQL, (match, rowid)).fetchone()
            if row is not None:
                out[rowid] = row[0]
        return out

    def quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """The quads of the given graphs (default: every named graph)."""
        if graphs is None:
            # the default graph is our union copy: not a document's
            for q in self.ox.quads_for_pattern(None, None, None, None):
                if isinstance(q.graph_name, ox.NamedNode):
                    yield q
            return
        for g in graphs:
            yield from self.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))

    def faithful_quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """`quads`, with the integer datatypes Oxigraph folds into xsd:integer restored."""
        restore = _restored_datatypes()
        for q in self.quads(graphs):
            yield _restore(q, restore)

    def dataset(self, graphs: Iterable[str] | None = None) -> rdflib.Dataset:
        """A materialised rdflib copy (default union), for small stores: export, pySHACL."""
        from .vocab import PREFIXES

        ds = rdflib.Dataset(default_union=True)
        for prefix, ns in PREFIXES:
            ds.bind(prefix, ns)
        for q in self.faithful_quads(graphs):
            g = q.graph_name
            if not isinstance(g, ox.NamedNode):
                continue  # the store only holds named graphs; the default graph stays empty
            s, p, o = to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)
            assert s is not None and p is not None and o is not None
            ds.graph(URIRef(g.value)).add((s, p, o))
        return ds

    # writing ------------------------------------------------------------------------------

    def _require_write(self) -> None:
        if not self.writable:
            raise StoreLockedError(f"{self.path}: store opened for reading; cannot change it")

    def put_document(self, doc: NewDocument) -> None:
        """Add or replace one document's graph (see `put_documents`)."""
        self.put_documents([doc])

    def put_documents(self, docs: Sequence[NewDocument]) -> None:
        """Add or replace documents: each graph replaced whole, nothing else touched.

        A graph built earlier from the same source under another IRI (the symbol
        changed) is removed. The steps are ordered so that a crash leaves pending
        rows (rebuilt next time), never a row whose hash claims data that is not there.
        """
        self._require_write()
        if not docs:
            return
        for d in docs:
            # the union copy is matched to the named graphs triple by triple: a blank node
            # gets a new identity on every load and could never be matched (the mapping mints
            # IRIs only, DESIGN.md §2)
            if b"_:" in d.nquads and any(
                isinstance(t, ox.BlankNode)
                for q in ox.parse(d.nquads, ox.RdfFormat.N_QUADS)
                for t in (q.subject, q.object)
            ):
                raise ValueError(f"{d.source}: blank nodes are not supported in the corpus store")
        graphs = [d.graph for d in docs]
        if len(set(graphs)) != len(graphs):
            raise ValueError("put_documents: a graph appears twice in one batch")
        now = _now()
        with self._db_lock:
            stale = {
                g
                for d in docs
                for (g,) in self._db.execute(
                    "SELECT graph FROM documents WHERE source = ? AND graph != ? AND source != '-'",
                    (d.source, d.graph),
                )
            } - set(graphs)
            # only a graph with a manifest row can be in the store (the row is written first)
            known = {
                g
                for g in graphs
                if self._db.execute("SELECT 1 FROM documents WHERE graph = ?", (g,)).fetchone()
            }
            # 1. pending: the hash goes first, so an interrupted write is rebuilt
            self._db.executemany(
                "UPDATE documents SET sha256 = NULL WHERE graph = ?", [(g,) for g in stale]
            )
            self._db.executemany(
                "INSERT INTO documents(graph, symbol, source, sha256, triples, built_at)"
                " VALUES (?, ?, ?, NULL, 0, ?) ON CONFLICT(graph) DO UPDATE SET"
                " symbol = excluded.symbol, source = excluded.source, sha256 = NULL",
                [(d.graph, d.symbol, d.source, now) for d in docs],
            )
            self._db.commit()
        if self._spool is not None and not known and not stale:
            self._defer(docs, now)
            return
        # 2. the triples: old graphs out, new ones in
        self._replace_graphs([g for g in graphs if g in known] + sorted(stale), docs)
        texts = [row for d in docs for row in _document_texts(d)]
        # 3. the text index and the hashes, in one SQLite transaction
        with self._db_lock:
            self._db.executemany(
                "DELETE FROM texts WHERE graph = ?", [(g,) for g in [*known, *stale]]
            )
            self._db.executemany(
                "INSERT INTO texts(graph, iri, kind, body) VALUES (?, ?, ?, ?)", texts
            )
            self._db.executemany(
                "UPDATE documents SET sha256 = ?, triples = ?, built_at = ?, size = ?,"
                " mtime_ns = ? WHERE graph = ?",
                [(d.sha256, d.triples, now, d.size, d.mtime_ns, d.graph) for d in docs],
            )
            self._db.executemany("DELETE FROM documents WHERE graph = ?", [(g,) for g in stale])
            self._db.commit()
        citation_index.sync(
            self,
            [*graphs, *stale],
            {d.graph: citation_index.nquads_counts(d.nquads) for d in docs},
        )  # counts for most-cited-instruments

    @contextlib.contextmanager
    def deferred_load(
        self, *, chunk_bytes: int | None = None, compact: bool = False
    ) -> Iterator[None]:
        """Within: new documents' triples go to a file, loaded by one bulk load at the end.

        Every bulk load into a store overlaps what is there (Oxigraph's keys are hashes),
        and RocksDB merges the overlap again and again: 20,000 generated documents took
        187 s in batches of 1,000, 87 s as one load. Their rows stay pending (and their
        texts unsearchable) until the load; an error inside loads nothing, and a crash
        leaves pending rows, rebuilt next time. Documents that replace a graph are
        written at once, as outside.

        One bulk load keeps about 2.3 GB in flight (Oxigraph sorts a million quads per
        thread). `chunk_bytes` bounds that: the file is loaded in parts of about that
        size, cut between documents. Each part overlaps what is loaded, so it costs: 20,000
        generated documents in parts of 80 MB, the build's peak 2.8 -> 1.1 GB, its time
        2.4 times as long.

        `compact`: the store is compacted right after the load, on a thread, while the
        manifest, the citation counts and the text index are written (20,000 documents:
        33 s of compaction that had waited for them); `optimize` waits for it.
        """
        self._require_write()
        self._compact_after_load = compact
        spool = self.path / _SPOOL
        self._spool = spool.open("wb")
        self._deferred = []
        self._chunk_bytes, self._chunk_ends = chunk_bytes, []
        try:
            yield
            self._spool.close()
            self._load_deferred(spool)
        finally:
            self._spool.close()
            self._spool = None
            spool.unlink(missing_ok=True)
            if self._deferred:  # not loaded: their texts must not be found
                with self._db_lock:
                    self._db.executemany(
                        "DELETE FROM texts WHERE graph = ?", [(g,) for g, *_ in self._deferred]
                    )
                    self._db.commit()
            self._deferred = []

    def _defer(self, docs: Sequence[NewDocument], now: str) -> None:
        """Spool new documents (see `deferred_load`); their texts are indexed now."""
        assert self._spool is not None
        for d in docs:
            self._spool.write(d.nquads)
            self._spool.write(_as_ntriples(d.nquads, d.graph))
            if self._chunk_bytes is not None:
                end = self._spool.tell()
                if end - (self._chunk_ends[-1] if self._chunk_ends else 0) >= self._chunk_bytes:
                    self._chunk_ends.append(end)  # a part ends between two documents
        with self._db_lock:
            self._db.executemany(
                "INSERT INTO texts(graph, iri, kind, body) VALUES (?, ?, ?, ?)",
                [row for d in docs for row in _document_texts(d)],
            )
            self._db.commit()
        self._deferred += [
            (
                d.graph,
                (d.sha256, d.triples, now, d.size, d.mtime_ns, d.graph),
                citation_index.nquads_counts(d.nquads),
            )
            for d in docs
        ]

    def _load_deferred(self, spool: Path) -> None:
        if not self._deferred:
            return
        self._set_meta("dirty", "1")
        self._forget()
        _release_freed_memory()  # the loader takes ~2 GB of its own at 20,000 documents
        # lenient: the spool holds only what the build's workers wrote from the mapping,
        # whose IRIs and literals ids.py and to_rdf.py make; checking each again costs
        # 15% of the load
        if self._chunk_bytes is None:
            self.ox.bulk_load(path=str(spool), format=ox.RdfFormat.N_QUADS, lenient=True)
        else:
            with spool.open("rb") as f:
                while part := f.read(_next_part(f.tell(), self._chunk_ends)):
                    self.ox.bulk_load(part, ox.RdfFormat.N_QUADS, lenient=True)
        if self._compact_after_load:
            # Oxigraph compacts without the GIL; the rest of the build reads and writes
            # SQLite meanwhile, and RocksDB takes writes during a compaction
            compactor = ThreadPoolExecutor(1, thread_name_prefix="compaction")
            self._compaction = compactor.submit(self.ox.optimize)
            compactor.shutdown(wait=False)
        with self._db_lock:
            self._db.executemany(
                "UPDATE documents SET sha256 = ?, triples = ?, built_at = ?, size = ?,"
                " mtime_ns = ? WHERE graph = ?",
                [row for _, row, _ in self._deferred],
            )
            self._db.commit()
        citation_index.sync(
            self, [g for g, _, _ in self._deferred], {g: c for g, _, c in self._deferred}
        )
        self._deferred = []
        self._set_meta("dirty", "0")

    def _replace_graphs(self, drop: Sequence[str], docs: Sequence[NewDocument]) -> None:
        """Drop graphs, load new ones, and keep the default graph the union of all of them.

        Oxigraph's own union default graph is a multiset (a triple held by three
        documents matches three times), where rdflib's is a set; so the store keeps the
        set union itself in its default graph and queries run on that. A triple leaves
        the union when no named graph holds it any more. The `dirty` mark makes a crash
        in the middle rebuild the union on the next writable open. A small change keeps
        the kept distinct-triple count exact; a big one forgets it.
        """
        self._set_meta("dirty", "1")
        kept = self.cached("triples")
        count = int(kept) if kept is not None and len(docs) <= _COUNT_INCREMENTALLY else None
        # the checks' kept rows follow a small change through the triples it adds and drops
        watched = check_index.watching(self, len({*drop, *(d.graph for d in docs)}))
        self._forget(keep_triples=count is not None)
        old: set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, _Object]] = set()
        for g in drop:
            node = ox.NamedNode(g)
            for q in self.ox.quads_for_pattern(None, None, None, node):
                old.add(_spo(q))
            self.ox.remove_graph(node)
        new: set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, _Object]] = set()
        if old or count is not None or watched is not None:
            # a triple the new versions still hold stays in the union: only the others are
            # checked against the remaining graphs (a small edit checks a handful)
            for q in ox.parse(b"".join(d.nquads for d in docs), ox.RdfFormat.N_QUADS):
                new.add(_spo(q, canonical=True))
            old -= new
        entered = []
        if count is not None or watched is not None:
            entered = [t for t in new if ox.Quad(*t, ox.DefaultGraph()) not in self.ox]
        if count is not None:
            count += len(entered)
        if docs:
            # bulk loading writes SST files directly: several times faster than a
            # transactional load on disk (measured: 8 vs 24 ms per ga75 document)
            self._bulk_load(docs)
        left = []
        for s, p, o in old:
            if not any(
                isinstance(q.graph_name, ox.NamedNode)
                for q in self.ox.quads_for_pattern(s, p, o, None)
            ):
                self.ox.remove(ox.Quad(s, p, o, ox.DefaultGraph()))
                left.append((s, p, o))
        if count is not None:
            self._set_meta("cache:triples", str(count - len(left)))
        if watched is not None:
            check_index.record(self, watched, entered, left)
        self._set_meta("dirty", "0")

    @contextlib.contextmanager
    def bulk_text_index(self) -> Iterator[None]:
        """Within: the text index is rebuilt once at the end instead of row by row.

        For a build that writes many documents: FTS5's rebuild from the texts table
        costs a fifth of indexing the same rows one by one (2,000 generated documents:
        2.3 s -> 0.4 s), but it reads every row, so a small change is better off without.
        A crash inside leaves the mark, and the next writable open rebuilds.
        """
        self._require_write()
        self._set_meta("text_index", "stale")
        with self._db_lock:
            self._db.execute("DROP TRIGGER IF EXISTS texts_ai")
            self._db.execute("DROP TRIGGER IF EXISTS texts_ad")
            self._db.commit()
        yield
        self._rebuild_text_index()

    def _rebuild_text_index(self) -> None:
        with self._db_lock:
            self._db.execute("INSERT INTO texts_fts(texts_fts) VALUES ('rebuild')")
            self._db.executescript(_SCHEMA)  # the triggers again
            self._db.commit()
        self._set_meta("text_index", "ok")

    def _bulk_load(self, docs: Sequence[NewDocument]) -> None:
        """Load the documents' graphs and their union copy: a few in one transaction,
        more by bulk loads on one thread per CPU.

        Each bulk load writes and ingests its own files, so loads of disjoint documents can run
        side by side, without the GIL (2,000 generated documents: 4.1 s -> 2.3 s on 2
        cores); the count of files stays small, which keeps later queries fast.
        """
        if sum(d.triples for d in docs) <= _TRANSACTION_QUADS:
            # a small change: one transaction (memtable and log) instead of new files
            # ingested into every level of a big store (one document into 20,000: ~15 ms
            # against 130-250 ms)
            blob = b"".join(
                part for d in docs for part in (d.nquads, _as_ntriples(d.nquads, d.graph))
            )
            self.ox.load(blob, ox.RdfFormat.N_QUADS)
            return
        parts = max(1, min(len(docs), os.cpu_count() or 1, 4))
        blobs = [
            b"".join(
                part for d in docs[i::parts] for part in (d.nquads, _as_ntriples(d.nquads, d.graph))
            )
            for i in range(parts)
        ]
        if parts == 1:
            self.ox.bulk_load(blobs[0], ox.RdfFormat.N_QUADS)
            return
        with ThreadPoolExecutor(parts, thread_name_prefix="bulk-load") as pool:
            loads = [pool.submit(self.ox.bulk_load, blob, ox.RdfFormat.N_QUADS) for blob in blobs]
            for load in loads:
                load.result()  # the first error, after every load has ended

    def _set_meta(self, key: str, value: str) -> None:
        with self._db_lock:
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            self._db.commit()

    def _repair(self) -> None:
        """After a crash mid-write: rebuild the union default graph from the named graphs
        (and the text index, if a bulk build was cut short)."""
        with self._db_lock:
            stale = self._db.execute("SELECT value FROM meta WHERE key = 'text_index'").fetchone()
        (self.path / _SPOOL).unlink(missing_ok=True)  # a deferred load cut short: rebuilt
        if stale and stale[0] == "stale":
            self._rebuild_text_index()
        citation_index.sync(self)  # graphs whose citation counts are stale (or never taken)
        with self._db_lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'dirty'").fetchone()
        if not row or row[0] != "1":
            return
        self._forget()
        self.ox.clear_graph(ox.DefaultGraph())
        batch: list[ox.Quad] = []
        for q in self.ox.quads_for_pattern(None, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode):
                batch.append(ox.Quad(q.subject, q.predicate, q.object))
                if len(batch) >= 100_000:
                    self.ox.bulk_extend(batch)
                    batch = []
        self.ox.bulk_extend(batch)
        self._set_meta("dirty", "0")

    def remove_document(self, graph: str) -> bool:
        """Remove a document's graph, its texts and its row; False when it was not there."""
        return bool(self.remove_documents([graph]))

    def remove_documents(self, graphs: Iterable[str]) -> list[str]:
        """Remove documents by graph IRI; return the graphs that were there."""
        self._require_write()
        wanted = list(dict.fromkeys(graphs))
        with self._db_lock:
            known = [
                g
                for g in wanted
                if self._db.execute("SELECT 1 FROM documents WHERE graph = ?", (g,)).fetchone()
            ]
            self._db.executemany(
                "UPDATE documents SET sha256 = NULL WHERE graph = ?", [(g,) for g in known]
            )
            self._db.commit()
        self._replace_graphs(known, ())
        with self._db_lock:
            self._db.executemany("DELETE FROM texts WHERE graph = ?", [(g,) for g in known])
            self._db.executemany("DELETE FROM documents WHERE graph = ?", [(g,) for g in known])
            self._db.commit()
        citation_index.sync(self, known)
        return known

    @property
    def compacting(self) -> bool:
        """A compaction started by a deferred load has not been waited for yet."""
        return self._compaction is not None

    def optimize(self) -> None:
        """Compact the store after a large build (optional); if a deferred load started a
        compaction, wait for it instead."""
        self._require_write()
        if self._compaction is not None:
            compaction, self._compaction = self._compaction, None
            compaction.result()
        else:
            self.ox.optimize()
        with self._db_lock:
            self._db.execute("INSERT INTO texts_fts(texts_fts) VALUES ('optimize')")
            self._db.commit()

    def dump(self, path: str | Path, fmt: Literal["trig", "nq", "ttl", "nt"]) -> None:
        """Serialise the store with Oxigraph itself (fast; no rdflib copy).

        TriG and N-Quads keep the named graphs; Turtle and N-Triples get the union.
        """
        formats = {
            "trig": ox.RdfFormat.TRIG,
            "nq": ox.RdfFormat.N_QUADS,
            "ttl": ox.RdfFormat.TURTLE,
            "nt": ox.RdfFormat.N_TRIPLES,
        }
        from .vocab import PREFIXES

        target = str(path)
        prefixes = {p: str(ns) for p, ns in PREFIXES} if fmt in ("trig", "ttl") else None
        if fmt in ("trig", "nq"):
            # the named graphs only: the default graph is our union copy
            ox.serialize(self.faithful_quads(), target, formats[fmt], prefixes=prefixes)
        else:
            restore = _restored_datatypes()
            union = self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())
            triples = (_restore(q, restore).triple for q in union)
            ox.serialize(triples, target, formats[fmt], prefixes=prefixes)


# XSD types Oxigraph stores as xsd:integer (its value encoding keeps no derived type)
_INTEGER_TYPES = frozenset(
    str(XSD) + t
    for t in [
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
)


@cache
def _restored_datatypes() -> dict[str, ox.NamedNode]:
    """Predicate -> derived integer datatype, as the SHACL shapes (the contract) declare them.

    Oxigraph returns `"5"^^xsd:nonNegativeInteger` as `"5"^^xsd:integer`; exports and
    copies of the store give the declared type back, so they validate like the rdflib build.
    """
    from rdflib.namespace import SH

    from .validate import load_shapes

    shapes = load_shapes()
    out: dict[str, ox.NamedNode] = {}
    for shape, dt in shapes.subject_objects(SH.datatype):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef) and str(dt) in _INTEGER_TYPES:
            out[str(path)] = ox.NamedNode(str(dt))
    return out


def _restore(q: ox.Quad, restore: dict[str, ox.NamedNode]) -> ox.Quad:
    o = q.object
    if (
        isinstance(o, ox.Literal)
        and q.predicate.value in restore
        and o.datatype.value == str(XSD.integer)
    ):
        dt = restore[q.predicate.value]
        if not (o.value.startswith("-") and "nonNegative" in dt.value):
            return ox.Quad(q.subject, q.predicate, ox.Literal(o.value, datatype=dt), q.graph_name)
    return q


def _value(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.BlankNode) else str(term)


def _spo(
    q: ox.Quad, *, canonical: bool = False
) -> tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, _Object]:
    """The triple of a quad; `canonical`: an integer literal typed as Oxigraph stores it."""
    s, o = q.subject, q.object
    if not isinstance(s, ox.NamedNode | ox.BlankNode):
        raise ValueError(f"unsupported subject {s!r}")
    if canonical and isinstance(o, ox.Literal) and o.datatype.value in _INTEGER_TYPES:
        o = ox.Literal(o.value, datatype=_XSD_INTEGER)
    return s, q.predicate, o


def _next_part(start: int, ends: Sequence[int]) -> int:
    """Bytes from `start` to the next part's end (-1: to the end of the file).

    >>> _next_part(0, [10, 25]), _next_part(10, [10, 25]), _next_part(25, [10, 25])
    (10, 15, -1)
    """
    i = bisect.bisect_right(ends, start)
    return ends[i] - start if i < len(ends) else -1


def _release_freed_memory() -> None:
    """Give the C heap's freed blocks back to the system (glibc only; elsewhere nothing).

    A build frees tens of thousands of ~100 KB results that glibc keeps for reuse: at
    5,000 documents the writer held 349 MB before its bulk load, 152 MB after this.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _texts(graph: str, quads: Iterable[ox.Quad]) -> list[tuple[str, str, str, str]]:
    """(graph, subject, "clause"|"footnote", text) for every rg:text among `quads`."""
    quads = list(quads)
    footnotes = {
        _value(q.subject) for q in quads if q.predicate == _RDF_TYPE and q.object == _FOOTNOTE
    }
    return [
        (graph, s, "footnote" if s in footnotes else "clause", q.object.value)
        for q in quads
        if q.predicate == _TEXT and isinstance(q.object, ox.Literal)
        for s in [_value(q.subject)]
    ]


def _document_texts(d: NewDocument) -> list[tuple[str, str, str, str]]:
    """The text-index rows of a document: as its worker gave them, else from its N-Quads."""
    if d.texts is not None:
        return [(d.graph, *t) for t in d.texts]
    return _texts(d.graph, ox.parse(d.nquads, ox.RdfFormat.N_QUADS))


def _as_ntriples(nquads: bytes, graph: str) -> bytes:
    """The quads of one graph as N-Triples (for the union default graph).

    >>> _as_ntriples(b'<a:s> <a:p> "o" <a:g> .\\n', "a:g")
    b'<a:s> <a:p> "o" .\\n'
    """
    suffix = f" <{graph}> .\n".encode()
    # a newline ends every line and none is inside a term (N-Quads escapes it): when each
    # line ends with the graph, cutting the graph off is a byte replacement
    if nquads.endswith(b"\n") and nquads.count(suffix) == nquads.count(b"\n"):
        return nquads.replace(suffix, b" .\n")
    # another writer's layout (comments, other spacing): let Oxigraph re-serialise it
    quads = ox.parse(nquads, ox.RdfFormat.N_QUADS)
    out = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    return out or b""


def fts_query(text: str) -> str:
    """A user's search text as a safe FTS5 query: every word, "phrases" kept, `word*` prefixes.

    >>> fts_query('treaty "organized crime" transnat*')
    '"organized crime" "treaty" "transnat"*'
    >>> fts_query('AND OR ( ) "')
    '"AND" "OR"'
    """
    phrases = re.findall(r'"([^"]+)"', text)
    rest = re.sub(r'"[^"]*"?', " ", text)
    parts = []
    for ph in phrases:
        words = re.findall(r"\w+", ph)
        if words:
            parts.append('"' + " ".join(words) + '"')
    for word in re.findall(r"\w+\*?", rest):
        prefix = word.endswith("*")
        parts.append(f'"{word.rstrip("*")}"' + ("*" if prefix else ""))
    return " ".join(parts)


# an ASCII word of the search text and the characters either side of it
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
_ASCII_SEPARATOR = frozenset(chr(c) for c in range(128) if not chr(c).isalnum())


def substring_fts_query(needle: str) -> str | None:
    """An FTS5 query every text containing `needle` (case-insensitively) matches; None if none.

    A substring may cut words at its ends, so only the ASCII words the needle itself
    bounds are used: a word with a separator on both sides must be a whole token of
    the text, a last word with a separator before it a token's prefix. unicode61
    splits on every ASCII non-alphanumeric, folds case (the Kelvin sign too) and
    diacritics, so the match is a superset of the substring test; only ASCII letters
    and digits are used because only they lower-case the same in SPARQL's LCASE.

    >>> substring_fts_query("smuggling of migrants")
    '"of" "migrants"*'
    >>> substring_fts_query(" Member States, ")
    '"member" "states"'
    >>> substring_fts_query("migr") is None
    True
    """
    low = needle.lower()
    parts: list[str] = []
    for m in _ASCII_WORD_RE.finditer(low):
        start, end = m.start(), m.end()
        if start == 0 or low[start - 1] not in _ASCII_SEPARATOR:
            continue  # may be the tail of a longer word
        if end == len(low):
            parts.append(f'"{m.group()}"*')
        elif low[end] in _ASCII_SEPARATOR:
            parts.append(f'"{m.group()}"')
    return " ".join(parts) or None


_WHERE_RE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _with_values(sparql: str, variable: str, iris: Sequence[str]) -> str:
    """`sparql` with `VALUES ?variable { <iri> … }` first in its (first) WHERE group."""
    m = _WHERE_RE.search(sparql)
    if m is None or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
        raise QueryError(f"cannot restrict ?{variable}: no WHERE group in the query")
    block = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    return f"{sparql[: m.end()]}\n  VALUES ?{variable} {{ {block} }}{sparql[m.end() :]}"


def _projection(sparql: str) -> list[str]:
    """The variables of the top-level SELECT clause in order (empty for SELECT *)."""
    from .guard import guard_query

    parsed = guard_query(sparql).parsed
    try:
        # CompValue.get returns the key itself when it is missing: test membership
        items = parsed[1]["projection"] if "projection" in parsed[1] else []  # noqa: SIM401
    except (IndexError, KeyError, TypeError):
        return []
    return [str(item["var"] if "var" in item else item["evar"]) for item in items]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
