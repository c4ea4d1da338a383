"""Citation counts kept beside a corpus store's manifest, for `most-cited-instruments`.

The named query joins every rg:Citation's `rg:cited` with its `rg:citingDocument` over
the whole corpus: about 2 s on Oxigraph at 10,000 documents, where the corpus-wide
aggregates must answer in 300 ms at 20,000. So the store keeps, per document graph,
(instrument, citing document, number of citations) in SQLite tables beside the
manifest, refreshed in step with each graph (`sync`, called by CorpusStore's writers),
and `most_cited_instruments` answers from them with exactly the rows of the SPARQL.
Corpus-wide totals per instrument are moved by each changed row (a refreshed graph
costs its own rows, ~0.5 ms a document in the writer), so a query reads a ranked index
and looks up the labels of the rows it returns only.

Exactness rests on three things, each checked rather than assumed; when one fails the
caller runs the SPARQL instead (None is returned):

- the tables describe the graphs as they are: each manifest row (sha256, built_at,
  triples) is copied beside the counts taken from that graph; a pending row, a write
  interrupted between the two databases, or a store built before the tables existed
  shows as a mismatch (a writable open refreshes the mismatched graphs);
- a citation node lives in one graph (its IRI is minted under its document's), so the
  join over the union equals the join inside each graph; a node found in two graphs,
  a citation with two citing documents or a non-IRI value marks its graphs irregular;
- labels are plain strings, ordered as Oxigraph orders them (by code point).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Identifier, URIRef

if TYPE_CHECKING:
    from .corpus_store import CorpusStore

__all__ = ["QUERY_NAME", "most_cited_instruments", "sync"]

QUERY_NAME = "most-cited-instruments"
_VARS = ("instrument", "label", "citingDocuments", "citations")

RG = "https://w3id.org/resgraph/ontology#"
_CITED = ox.NamedNode(RG + "cited")
_CITING = ox.NamedNode(RG + "citingDocument")
_TYPE = ox.NamedNode(str(RDF.type))
_CITATION = ox.NamedNode(RG + "Citation")
_LABEL = ox.NamedNode(str(RDFS.label))
_XSD_STRING = str(XSD.string)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS citation_counts (
    graph TEXT NOT NULL,
    instrument TEXT NOT NULL,
    citing TEXT NOT NULL,
    citations INTEGER NOT NULL      -- distinct rg:Citation nodes of this graph
);
CREATE INDEX IF NOT EXISTS citation_counts_graph ON citation_counts(graph);
CREATE INDEX IF NOT EXISTS citation_counts_instrument
    ON citation_counts(instrument, citing, citations);
CREATE TABLE IF NOT EXISTS citation_nodes (
    citation TEXT NOT NULL,
    graph TEXT NOT NULL,
    PRIMARY KEY (citation, graph)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS citation_nodes_graph ON citation_nodes(graph);
CREATE TABLE IF NOT EXISTS citation_graphs (
    graph TEXT PRIMARY KEY,
    sha256 TEXT,
    built_at TEXT,
    triples INTEGER,
    irregular INTEGER NOT NULL      -- 1: the per-graph counts may differ from the union's join
);
"""

# the corpus-wide totals, kept in step with citation_counts by `sync` (O(rows changed)):
# `graphs` counts the graphs holding an (instrument, citing document) pair, so a citing
# document is counted once however many graphs name it (COUNT(DISTINCT ?citing))
_TOTALS = """
CREATE TABLE citation_pairs (
    instrument TEXT NOT NULL,
    citing TEXT NOT NULL,
    graphs INTEGER NOT NULL,
    PRIMARY KEY (instrument, citing)
) WITHOUT ROWID;
CREATE TABLE citation_totals (
    instrument TEXT PRIMARY KEY,
    citing_documents INTEGER NOT NULL,
    citations INTEGER NOT NULL
);
CREATE INDEX citation_totals_rank ON citation_totals(citing_documents, citations);
"""
_TABLES = ("citation_counts", "citation_nodes", "citation_graphs", "citation_pairs",
           "citation_totals")  # fmt: skip

# a graph's counts: (instrument, citing, citations) rows, its citation nodes, irregular
_GraphCounts = tuple[list[tuple[str, str, int]], set[str], bool]
GraphCounts = _GraphCounts  # for the store's writer, which keeps them until a deferred load


def _graph_counts(store: ox.Store, graph: str) -> _GraphCounts:
    """The per-graph join of `?c a rg:Citation ; rg:cited ?i ; rg:citingDocument ?d`."""
    g = ox.NamedNode(graph)
    return _join(
        [
            *store.quads_for_pattern(None, _CITED, None, g),
            *store.quads_for_pattern(None, _CITING, None, g),
            *store.quads_for_pattern(None, _TYPE, _CITATION, g),
        ]
    )


# what the lines of a document's N-Quads that the join reads contain
_NEEDLES = tuple(f"<{t.value}>".encode() for t in (_CITED, _CITING, _CITATION))


def _lines_with(data: bytes, needle: bytes) -> Iterator[bytes]:
    """The lines of `data` holding `needle`, each once (found with bytes.find, in C)."""
    end = 0
    while (i := data.find(needle, end)) >= 0:
        start = data.rfind(b"\n", 0, i) + 1
        end = data.find(b"\n", i)
        end = len(data) if end < 0 else end
        yield data[start:end]


def nquads_counts(nquads: bytes) -> _GraphCounts:
    """`_graph_counts` of one graph given as its N-Quads (a build's worker has them).

    Only the lines naming rg:cited, rg:citingDocument or rg:Citation are parsed; the
    others cannot hold a triple of the join.
    """
    lines = b"\n".join({line for n in _NEEDLES for line in _lines_with(nquads, n)})
    quads: Iterable[ox.Quad] = ox.parse(lines, ox.RdfFormat.N_QUADS) if lines else ()
    return _join(
        [
            q
            for q in quads
            if q.predicate in (_CITED, _CITING) or (q.predicate == _TYPE and q.object == _CITATION)
        ]
    )


def _join(quads: Iterable[ox.Quad]) -> _GraphCounts:
    irregular = False
    cited: dict[str, list[str]] = {}
    citing: dict[str, list[str]] = {}
    typed: set[str] = set()
    for q in quads:
        s, o = q.subject, q.object
        if q.predicate == _TYPE:
            if isinstance(s, ox.NamedNode):
                typed.add(s.value)
            continue
        if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.NamedNode):
            irregular = True  # COUNT(DISTINCT) over mixed term kinds: leave it to SPARQL
            continue
        into = cited if q.predicate == _CITED else citing
        into.setdefault(s.value, []).append(o.value)
    counts: dict[tuple[str, str], int] = {}
    for c in typed:
        docs = citing.get(c, [])
        if len(docs) > 1:
            irregular = True  # summing per citing document would count it twice
        for i in set(cited.get(c, [])):
            for d in set(docs):
                counts[(i, d)] = counts.get((i, d), 0) + 1
    nodes = set(cited) | set(citing) | typed
    return [(i, d, n) for (i, d), n in counts.items()], nodes, irregular


def _ensure_schema(db: sqlite3.Connection) -> None:
    """Create the tables; a partial set (an older layout, a hand-made change) starts over.

    Fresh tables describe no graph, so every graph is stale and `sync` counts it.
    """
    if _has_tables(db):
        return
    for table in _TABLES:
        db.execute(f"DROP TABLE IF EXISTS {table}")
    db.executescript(_SCHEMA + _TOTALS)


def _has_tables(db: sqlite3.Connection) -> bool:
    names = ", ".join(f"'{t}'" for t in _TABLES)
    row = db.execute(
        f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ({names})"
    ).fetchone()
    return bool(row and row[0] == len(_TABLES))


def _apply_totals(
    db: sqlite3.Connection,
    removed: Iterable[tuple[str, str, int]],
    added: Iterable[tuple[str, str, int]],
) -> None:
    """Move the totals by the (instrument, citing, citations) rows leaving and arriving."""
    pair_delta: dict[tuple[str, str], int] = {}
    citations: dict[str, int] = {}
    for sign, rows in ((-1, removed), (1, added)):
        for i, d, n in rows:
            pair_delta[(i, d)] = pair_delta.get((i, d), 0) + sign
            citations[i] = citations.get(i, 0) + sign * n
    documents: dict[str, int] = {}
    for (i, d), delta in pair_delta.items():
        if not delta:
            continue
        row = db.execute(
            "SELECT graphs FROM citation_pairs WHERE instrument = ? AND citing = ?", (i, d)
        ).fetchone()
        before = row[0] if row else 0
        after = before + delta
        if after > 0:
            db.execute(
                "INSERT INTO citation_pairs(instrument, citing, graphs) VALUES (?, ?, ?)"
                " ON CONFLICT(instrument, citing) DO UPDATE SET graphs = excluded.graphs",
                (i, d, after),
            )
        else:
            db.execute("DELETE FROM citation_pairs WHERE instrument = ? AND citing = ?", (i, d))
        documents[i] = documents.get(i, 0) + (after > 0) - (before > 0)
    for i in sorted(set(citations) | set(documents)):
        dd, dc = documents.get(i, 0), citations.get(i, 0)
        if not dd and not dc:
            continue
        db.execute(
            "INSERT INTO citation_totals(instrument, citing_documents, citations)"
            " VALUES (?, ?, ?) ON CONFLICT(instrument) DO UPDATE SET"
            " citing_documents = citing_documents + excluded.citing_documents,"
            " citations = citations + excluded.citations",
            (i, dd, dc),
        )
        db.execute(
            "DELETE FROM citation_totals WHERE instrument = ? AND citing_documents <= 0", (i,)
        )


def _stale_graphs(db: sqlite3.Connection) -> list[str]:
    """Graphs whose counts do not describe the manifest row (or have no row any more)."""
    rows = db.execute(
        "SELECT d.graph FROM documents d LEFT JOIN citation_graphs c ON c.graph = d.graph"
        " WHERE c.graph IS NULL OR c.sha256 IS NOT d.sha256 OR c.built_at IS NOT d.built_at"
        " OR c.triples IS NOT d.triples"
        " UNION SELECT c.graph FROM citation_graphs c LEFT JOIN documents d ON d.graph = c.graph"
        " WHERE d.graph IS NULL"
    ).fetchall()
    return sorted(g for (g,) in rows)


def sync(
    cs: CorpusStore,
    graphs: Iterable[str] | None = None,
    known: Mapping[str, _GraphCounts] | None = None,
) -> None:
    """Refresh the counts of `graphs` (None: every graph whose counts are stale).

    Called by the store's writers after the triples and the manifest rows are written: a
    graph that is no longer in the manifest loses its counts. `known`: counts already
    taken from a graph's N-Quads (`nquads_counts`), so that graph is not read back.
    """
    db = cs._db
    with cs._db_lock:
        _ensure_schema(db)
        wanted = _stale_graphs(db) if graphs is None else sorted(set(graphs))
        if not wanted:
            db.commit()
            return
        manifest = {
            g: (sha, at, n)
            for g in wanted
            for sha, at, n in db.execute(
                "SELECT sha256, built_at, triples FROM documents WHERE graph = ?", (g,)
            )
        }
    known = known or {}
    computed = {
        g: known[g] if g in known else _graph_counts(cs.ox, g) for g in wanted if g in manifest
    }
    with cs._db_lock:
        removed = [
            row
            for g in wanted
            for row in db.execute(
                "SELECT instrument, citing, citations FROM citation_counts WHERE graph = ?", (g,)
            )
        ]
        _apply_totals(db, removed, [row for rows, _, _ in computed.values() for row in rows])
        for table in ("citation_counts", "citation_nodes", "citation_graphs"):
            db.executemany(f"DELETE FROM {table} WHERE graph = ?", [(g,) for g in wanted])
        for g, (rows, nodes, irregular) in computed.items():
            db.executemany(
                "INSERT INTO citation_counts(graph, instrument, citing, citations)"
                " VALUES (?, ?, ?, ?)",
                [(g, i, d, n) for i, d, n in rows],
            )
            db.executemany(
                "INSERT INTO citation_nodes(citation, graph) VALUES (?, ?)",
                [(c, g) for c in sorted(nodes)],
            )
            sha, at, n = manifest[g]
            db.execute(
                "INSERT INTO citation_graphs(graph, sha256, built_at, triples, irregular)"
                " VALUES (?, ?, ?, ?, ?)",
                (g, sha, at, n, int(irregular)),
            )
        # a citation node in two graphs: the union joins across them; mark both sides
        shared: set[str] = set()
        for g in computed:
            for (other,) in db.execute(
                "SELECT DISTINCT m.graph FROM citation_nodes n JOIN citation_nodes m"
                " ON m.citation = n.citation AND m.graph != n.graph WHERE n.graph = ?",
                (g,),
            ):
                shared.update((g, other))
        db.executemany(
            "UPDATE citation_graphs SET irregular = 1 WHERE graph = ?", [(g,) for g in shared]
        )
        db.commit()


def forget(cs: CorpusStore) -> None:
    """Make every graph's counts stale (the data changed behind the manifest's back): the
    query falls back to SPARQL until the next writable open counts the graphs again."""
    with cs._db_lock:
        if _has_tables(cs._db):
            cs._db.execute("DELETE FROM citation_graphs")
            cs._db.commit()


def _usable(db: sqlite3.Connection) -> bool:
    """The tables exist, describe every graph as it is, and no graph is irregular."""
    if not _has_tables(db):
        return False
    if db.execute("SELECT 1 FROM documents WHERE sha256 IS NULL LIMIT 1").fetchone():
        return False
    if db.execute("SELECT 1 FROM citation_graphs WHERE irregular != 0 LIMIT 1").fetchone():
        return False
    return not _stale_graphs(db)


def _ranked(db: sqlite3.Connection, limit: int | None) -> list[tuple[str, int, int]]:
    """(instrument, citing documents, citations) by rank: enough for `limit` rows.

    Every instrument gives at least one row, so the first `limit` rows come from the
    first `limit` instruments and any that tie with the last of them.
    """
    order = " ORDER BY citing_documents DESC, citations DESC, instrument"
    select = "SELECT instrument, citing_documents, citations FROM citation_totals"
    if limit is None:
        return list(db.execute(select + order))
    if limit <= 0:
        return []
    last = db.execute(
        "SELECT citing_documents, citations FROM citation_totals"
        " ORDER BY citing_documents DESC, citations DESC LIMIT 1 OFFSET ?",
        (limit - 1,),
    ).fetchone()
    if last is None:
        return list(db.execute(select + order))
    where = " WHERE citing_documents > ? OR (citing_documents = ? AND citations >= ?)"
    return list(db.execute(select + where + order, (last[0], last[0], last[1])))


def _integer(n: int) -> rdflib.Literal:
    # as corpus_store.to_rdflib gives Oxigraph's COUNT: lexical form and xsd:integer
    return rdflib.Literal(str(n), datatype=XSD.integer)


def most_cited_instruments(
    cs: CorpusStore, limit: int | None
) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]] | None:
    """The rows of `queries/most-cited-instruments.rq` from the counts; None: run the SPARQL.

    Rows are (instrument, label, citingDocuments, citations), one per label of the
    instrument (no label: one row with None), ordered by DESC(citingDocuments)
    DESC(citations), label (unbound first), instrument, cut after `limit` rows.
    """
    db = cs._db
    with cs._db_lock:
        if not _usable(db):
            return None
        totals = _ranked(db, limit)
    if limit is not None and limit <= 0:
        return _VARS, []
    rows: list[tuple[tuple[int, int, bool, str, str], tuple[Identifier | None, ...]]] = []
    for iri, docs, citations in totals:
        labels: set[str] = set()
        for q in cs.ox.quads_for_pattern(ox.NamedNode(iri), _LABEL, None, ox.DefaultGraph()):
            o = q.object
            if not isinstance(o, ox.Literal) or o.language or o.datatype.value != _XSD_STRING:
                return None  # ordering of other terms: leave it to SPARQL
            labels.add(o.value)
        ordered: list[str | None] = [*sorted(labels)] if labels else [None]
        for label in ordered:
            key = (-docs, -citations, label is not None, label or "", iri)
            term = None if label is None else rdflib.Literal(label)
            rows.append((key, (URIRef(iri), term, _integer(docs), _integer(citations))))
    rows.sort(key=lambda r: r[0])
    out = [r[1] for r in rows]
    return _VARS, out if limit is None else out[:limit]


def accelerated(
    cs: CorpusStore, name: str, limit: int | None
) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]] | None:
    """The rows of shipped query `name` from the store's own tables, or None (run SPARQL)."""
    if name == QUERY_NAME:
        return most_cited_instruments(cs, limit)
    return None


def names() -> Sequence[str]:
    """The shipped queries a CorpusStore answers from its tables."""
    return (QUERY_NAME,)
