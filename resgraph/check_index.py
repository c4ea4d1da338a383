"""The consistency checks' rows kept beside a corpus store, recomputed where a write can
have changed them.

The nine checks (`queries/checks/*-violation.rq`) read the whole store: 17.5 s at
20,000 documents, where a rebuild after one changed file must take under a second. So
the store keeps every check's rows in SQLite tables beside the manifest, keyed by one
variable of the check (its *key*: the citation, the footnote, the document …), and the
writer records the triples that entered or left the union default graph since the rows
were taken (`record`, called by `CorpusStore._replace_graphs`). The next run keeps the
rows of the keys no changed triple can reach and runs the check again for the others
only (`VALUES` of those keys written into the query).

How a check is scoped is data beside it, `queries/checks/X-violation.scope.json` (format
in `queries/README.md`, schema `queries/checks/scope.schema.json`): the key variable, how
to restrict the query to a set of keys, and for each changed triple (by predicate) the
SPARQL pattern from its subject or object to the keys whose rows read it. A check without
that file always runs in full. The keys are a sound over-approximation as long as every
triple pattern the check reads has a rule; `tests/test_checks_incremental.py` compares
the rows with a full run after random edits.

Everything falls back to full runs when the rows cannot vouch for the store: a write the
hook did not see (bulk loads, SPARQL updates, a repair after a crash, all of which drop
the `cache:` marks of the manifest), more than `MAX_CHANGED_DOCUMENTS` changed documents
since the rows were taken, a check or scope file that changed since.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF
from rdflib.term import BNode, Identifier, URIRef

from .errors import QueryError

if TYPE_CHECKING:
    from .corpus_store import CorpusStore
    from .store import QueryResult

__all__ = [
    "MAX_CHANGED_DOCUMENTS",
    "CheckFile",
    "Scope",
    "ScopeRule",
    "affected_keys",
    "load_scope",
    "record",
    "run_checks_incrementally",
    "watching",
]

# more changed (added, replaced or removed) documents than this since the rows were taken:
# the next run is a full one (a big change touches most keys anyway)
MAX_CHANGED_DOCUMENTS = 50
_MAX_DELTA_TRIPLES = 200_000  # and the recorded triples stay small
_MARK = "check-rows"  # the manifest's `cache:` key: the rows + the delta describe the store
_CHUNK = 2_000  # IRIs per VALUES block
_FORMAT = 1  # of the kept rows and the scope rules: another version runs every check in full

_SCHEMA = """
CREATE TABLE IF NOT EXISTS check_state (
    name TEXT PRIMARY KEY,      -- "checks/…-violation"
    fingerprint TEXT NOT NULL,  -- of the check's text and scope: another version runs in full
    vars TEXT NOT NULL          -- the columns, JSON
);
CREATE TABLE IF NOT EXISTS check_rows (
    name TEXT NOT NULL,
    key TEXT,                   -- the key variable's IRI; NULL: unbound (recomputed each run)
    row TEXT NOT NULL           -- JSON, see _encode
);
CREATE INDEX IF NOT EXISTS check_rows_key ON check_rows(name, key);
CREATE TABLE IF NOT EXISTS check_delta (
    s TEXT NOT NULL,
    p TEXT NOT NULL,
    o TEXT NOT NULL,            -- an IRI, or '' for a literal object
    PRIMARY KEY (s, p, o)
) WITHOUT ROWID;
"""

_MARKER_RE = re.compile(r"^[ \t]*#[ \t]*@scope\b.*$", re.MULTILINE)
_WHERE_RE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PREFIX_RE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE | re.M)
_VAR_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object]


class CheckFile(Protocol):
    """A check's file: `store.NamedQuery`, or the text alone (`_check_files`)."""

    @property
    def name(self) -> str: ...  # "checks/…-violation"
    @property
    def path(self) -> Path: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class _Check:
    name: str
    path: Path
    text: str


def _check_files() -> list[_Check]:
    """The shipped checks' texts, without parsing them: rdflib's parser takes 0.4 s for the
    nine, in every build process. A check runs incrementally only with the text (and
    scope) a full run parsed and ran before (the fingerprint)."""
    from . import resources
    from .store import check_names

    folder = resources.queries_dir()
    return [
        _Check(n, p, p.read_text(encoding="utf-8"))
        for n in check_names()
        for p in [folder / f"{n}.rq"]
    ]


# -- the scope declarations ------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRule:
    """Changed triples with one of `predicates` (empty: any) reach the keys `keys` binds."""

    predicates: frozenset[str]  # full IRIs
    node: Literal["subject", "object"]  # which end of the changed triple is ?node
    keys: str | None  # a SPARQL group pattern from ?node to ?key; None: ?node is the key


@dataclass(frozen=True)
class Scope:
    """How a check's rows are keyed, restricted and reached by a change."""

    key: str  # a projected variable, without "?"
    restrict: str | None  # a pattern with `$keys` (the IRIs); None: `VALUES ?key { $keys }`
    rules: tuple[ScopeRule, ...]
    prologue: str  # the check's PREFIX lines, for the rules' patterns
    fingerprint: str


def _scope_path(query: CheckFile) -> Path:
    return query.path.with_name(query.path.stem + ".scope.json")


def load_scope(query: CheckFile) -> Scope | None:
    """The scope declared beside a check, or None (the check then always runs in full).

    Raises QueryError naming the file when it is malformed.
    """
    path = _scope_path(query)
    if not path.is_file():
        return None
    return _load_scope(path, query.text)


@cache
def _load_scope(path: Path, text: str) -> Scope:
    raw = path.read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
        key = data["key"]
        restrict = data.get("restrict")
        rules_data = data["changes"]
        if not isinstance(key, str) or not _VAR_RE.fullmatch(key):
            raise ValueError(f"key must be a variable name, not {key!r}")
        if restrict is not None and (not isinstance(restrict, str) or "$keys" not in restrict):
            raise ValueError("restrict must be a SPARQL pattern with $keys")
        if not isinstance(rules_data, list) or not rules_data:
            raise ValueError("changes must be a non-empty list")
        prefixes = {p or "": iri for p, iri in _PREFIX_RE.findall(text)}
        prefixes.setdefault("rdf", str(RDF))
        rules = tuple(_rule(r, prefixes) for r in rules_data)
    except (ValueError, KeyError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
        raise QueryError(f"{path}: bad scope declaration: {exc}") from exc
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prefixes.items()))
    digest = hashlib.sha256(f"{_FORMAT}\0{text}\0{raw}".encode()).hexdigest()
    return Scope(key, restrict, rules, prologue, digest)


def _rule(data: Mapping[str, object], prefixes: Mapping[str, str]) -> ScopeRule:
    predicates = data["predicates"]
    node = data.get("node", "subject")
    keys = data.get("keys")
    if not isinstance(predicates, list) or not predicates:
        raise ValueError("a change needs a non-empty list of predicates ('*': any)")
    if node not in ("subject", "object"):
        raise ValueError(f"node must be 'subject' or 'object', not {node!r}")
    if keys is not None and not (isinstance(keys, str) and "?key" in keys and "?node" in keys):
        raise ValueError("keys must be a SPARQL pattern from ?node to ?key")
    iris = frozenset(_expand(str(p), prefixes) for p in predicates if p != "*")
    return ScopeRule(frozenset() if "*" in predicates else iris, node, keys)


def _expand(name: str, prefixes: Mapping[str, str]) -> str:
    """A predicate as written in a scope file (`a`, `rg:cited`, `<iri>`) as its IRI.

    >>> _expand("a", {})
    'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
    >>> _expand("rg:cited", {"rg": "https://w3id.org/resgraph/ontology#"})
    'https://w3id.org/resgraph/ontology#cited'
    """
    if name == "a":
        return str(RDF.type)
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, colon, local = name.partition(":")
    if not colon or prefix not in prefixes:
        raise ValueError(f"unknown prefix in predicate {name!r}")
    return prefixes[prefix] + local


# -- the writer's hook -----------------------------------------------------------------------


def _ensure_schema(cs: CorpusStore) -> None:
    with cs._db_lock:
        cs._db.executescript(_SCHEMA)
        cs._db.commit()


def watching(cs: CorpusStore, changed: int) -> int | None:
    """Whether a write of `changed` documents is to be recorded: the documents changed
    since the kept rows were taken, this write included, or None (no rows are kept, or
    more than MAX_CHANGED_DOCUMENTS: the next run is a full one). Asked by the writer
    before it changes anything: the change drops the mark, `record` sets it again.
    """
    kept = cs.cached(_MARK)
    if kept is None or int(kept) + changed > MAX_CHANGED_DOCUMENTS:
        return None
    return int(kept) + changed


def record(
    cs: CorpusStore, changed: int, entered: Iterable[_Triple], left: Iterable[_Triple]
) -> None:
    """Record the triples that entered or left the union default graph in a write that
    `watching` allowed (`changed`: what it returned) and mark the kept rows valid again."""
    rows = {
        (s.value, p.value, o.value if isinstance(o, ox.NamedNode) else "")
        for triples in (entered, left)
        for s, p, o in triples
    }
    _ensure_schema(cs)
    with cs._db_lock:
        cs._db.executemany("INSERT OR IGNORE INTO check_delta(s, p, o) VALUES (?, ?, ?)", rows)
        n = int(cs._db.execute("SELECT COUNT(*) FROM check_delta").fetchone()[0])
        cs._db.commit()
    if n <= _MAX_DELTA_TRIPLES:
        cs.keep(_MARK, str(changed))


# -- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    name: str
    vars: tuple[str, ...]
    rows: list[tuple[Identifier | None, ...]]  # every row of the check
    fingerprint: str  # "": not to be run incrementally next time
    key: int | None  # the key column; None: rows stored unkeyed
    replaced: set[str] | None  # incremental: the keys whose rows were recomputed; None: all
    unchanged: bool = False  # nothing changed since the rows were kept


def run_checks_incrementally(
    cs: CorpusStore,
    *,
    jobs: int = 1,
    scopes: Mapping[str, Scope | None] | None = None,
    keep: bool = True,
) -> list[tuple[str, QueryResult]]:
    """Every check's rows, as `store.run_checks` gives them, in an order of their own.

    Rows are taken from the kept ones where no recorded change reaches their key, and
    from the check run for the other keys; the first run, or one after a change the
    store did not record, runs every check in full. Needs a writable store (it keeps
    the rows). `scopes` replaces the declared scopes by check name and `keep=False`
    leaves the kept rows and the recorded changes as they were (both for tests).
    """
    from .store import QueryResult

    cs._require_write()
    _ensure_schema(cs)
    checks = _check_files()
    valid = cs.cached(_MARK) is not None
    delta = _delta(cs) if valid else []
    with cs._db_lock:
        state = {
            n: (fp, tuple(json.loads(v)))
            for n, fp, v in cs._db.execute("SELECT name, fingerprint, vars FROM check_state")
        }

    def run(query: _Check) -> _Outcome:
        scope = (
            scopes[query.name] if scopes is not None and query.name in scopes else load_scope(query)
        )
        kept = state.get(query.name)
        if valid and scope is not None and kept is not None and kept[0] == scope.fingerprint:
            if not delta:
                with cs._db_lock:
                    found = cs._db.execute(
                        "SELECT row FROM check_rows WHERE name = ?", (query.name,)
                    ).fetchall()
                rows = [_decode(r) for (r,) in found]
                return _Outcome(query.name, kept[1], rows, scope.fingerprint, None, None, True)
            return _incremental(cs, query, scope, kept[1], delta)
        return _full(cs, query, scope)

    if jobs > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(jobs) as pool:
            outcomes = list(pool.map(run, checks))
    else:
        outcomes = [run(q) for q in checks]
    if keep:
        _store(cs, outcomes, {q.name for q in checks})
        cs.keep(_MARK, "0")
    return [
        (o.name, QueryResult(o.name, o.vars, tuple(sorted(o.rows, key=_sort_key))))
        for o in outcomes
    ]


def _full(cs: CorpusStore, query: CheckFile, scope: Scope | None) -> _Outcome:
    from .store import load_query, run_query

    result = run_query(cs, load_query(query.name))
    rows = list(result.rows)
    if scope is None:
        return _Outcome(query.name, result.vars, rows, "", None, None)
    if scope.key not in result.vars:
        raise QueryError(f"{_scope_path(query)}: the key ?{scope.key} is not a column of the check")
    key = result.vars.index(scope.key)
    # a key that is not an IRI could never be reached by a change: not incremental then
    keyed = all(r[key] is None or isinstance(r[key], URIRef) for r in rows)
    return _Outcome(query.name, result.vars, rows, scope.fingerprint if keyed else "", key, None)


def _incremental(
    cs: CorpusStore,
    query: CheckFile,
    scope: Scope,
    names: tuple[str, ...],
    delta: Sequence[tuple[str, str, str]],
) -> _Outcome:
    from .corpus_store import to_rdflib

    if scope.key not in names:
        return _full(cs, query, scope)  # before walking the delta: its keys would be unused
    keys = affected_keys(cs, scope, delta)
    key = names.index(scope.key)
    result = cs.query(_restricted(query.text, scope, keys))
    assert isinstance(result, ox.QuerySolutions)
    got = {v.value: i for i, v in enumerate(result.variables)}
    fresh: list[tuple[Identifier | None, ...]] = []
    for solution in result:
        row = tuple(to_rdflib(solution[got[n]]) if n in got else None for n in names)
        k = row[key]
        if k is None or (isinstance(k, URIRef) and str(k) in keys):
            fresh.append(row)  # the restriction may over-cover: other keys' rows are partial
    return _Outcome(
        query.name, names, _kept(cs, query.name, keys) + fresh, scope.fingerprint, key, keys
    )


def _kept(cs: CorpusStore, name: str, replaced: set[str]) -> list[tuple[Identifier | None, ...]]:
    """The kept rows of a check whose key is bound and not in `replaced`."""
    with cs._db_lock:
        found = cs._db.execute(
            "SELECT key, row FROM check_rows WHERE name = ? AND key IS NOT NULL", (name,)
        ).fetchall()
    return [_decode(row) for key, row in found if key not in replaced]


def _store(cs: CorpusStore, outcomes: Sequence[_Outcome], names: set[str]) -> None:
    db = cs._db
    with cs._db_lock:
        for o in outcomes:
            if o.unchanged:
                continue
            if o.replaced is None:
                db.execute("DELETE FROM check_rows WHERE name = ?", (o.name,))
                rows = o.rows
            else:
                db.executemany(
                    "DELETE FROM check_rows WHERE name = ? AND key = ?",
                    [(o.name, k) for k in sorted(o.replaced)],
                )
                db.execute("DELETE FROM check_rows WHERE name = ? AND key IS NULL", (o.name,))
                rows = [
                    r
                    for r in o.rows
                    if o.key is not None and (r[o.key] is None or str(r[o.key]) in o.replaced)
                ]
            db.executemany(
                "INSERT INTO check_rows(name, key, row) VALUES (?, ?, ?)",
                [
                    (
                        o.name,
                        None if o.key is None or r[o.key] is None else str(r[o.key]),
                        _encode(r),
                    )
                    for r in rows
                ],
            )
            db.execute(
                "INSERT INTO check_state(name, fingerprint, vars) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " vars = excluded.vars",
                (o.name, o.fingerprint, json.dumps(o.vars)),
            )
        for (gone,) in db.execute("SELECT name FROM check_state").fetchall():
            if gone not in names:  # a check that is no longer shipped
                db.execute("DELETE FROM check_state WHERE name = ?", (gone,))
                db.execute("DELETE FROM check_rows WHERE name = ?", (gone,))
        db.execute("DELETE FROM check_delta")
        db.commit()


def _delta(cs: CorpusStore) -> list[tuple[str, str, str]]:
    with cs._db_lock:
        return [(s, p, o) for s, p, o in cs._db.execute("SELECT s, p, o FROM check_delta")]


def affected_keys(cs: CorpusStore, scope: Scope, delta: Sequence[tuple[str, str, str]]) -> set[str]:
    """The keys whose rows the changed triples `delta` ((s, p, o), o '' for a literal) can
    reach, by the scope's rules, walked over the store as it is now."""
    keys: set[str] = set()
    blocks: list[str] = []
    for rule in scope.rules:
        nodes = sorted(
            {
                s if rule.node == "subject" else o
                for s, p, o in delta
                if (not rule.predicates or p in rule.predicates) and (rule.node == "subject" or o)
            }
        )
        if not nodes:
            continue
        if rule.keys is None:
            keys.update(nodes)
            continue
        for i in range(0, len(nodes), _CHUNK):
            values = " ".join(str(ox.NamedNode(n)) for n in nodes[i : i + _CHUNK])
            blocks.append(f"{{ VALUES ?node {{ {values} }}\n{rule.keys}\n}}")
    if blocks:
        sparql = (
            scope.prologue + "SELECT DISTINCT ?key WHERE {\n" + "\nUNION\n".join(blocks) + "\n}"
        )
        result = cs.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        keys.update(s[0].value for s in result if isinstance(s[0], ox.NamedNode))
    return keys


def _restricted(text: str, scope: Scope, keys: Iterable[str]) -> str:
    """The check's text with the keys' VALUES at its `# @scope` lines, or else first in its
    WHERE group.

    >>> s = Scope("x", None, (), "", "")
    >>> print(_restricted("SELECT ?x WHERE { ?x a ?t }", s, ["https://e.org/a"]))
    SELECT ?x WHERE {
    VALUES ?x { <https://e.org/a> }
     ?x a ?t }
    """
    values = " ".join(str(ox.NamedNode(k)) for k in sorted(keys))
    pattern = scope.restrict or f"VALUES ?{scope.key} {{ $keys }}"
    block = pattern.replace("$keys", values)
    if _MARKER_RE.search(text):
        return _MARKER_RE.sub(lambda _: block, text)
    m = _WHERE_RE.search(text)
    if m is None:
        raise QueryError("cannot restrict the check: no WHERE group")
    return f"{text[: m.end()]}\n{block}\n{text[m.end() :]}"


# -- rows as JSON ------------------------------------------------------------------------------


def _encode(row: Sequence[Identifier | None]) -> str:
    """A row as JSON, every term with its kind (`_decode` gives it back).

    >>> _encode((URIRef("https://e.org/a"), rdflib.Literal(2), None))
    '[["u", "https://e.org/a"], ["l", "2", "http://www.w3.org/2001/XMLSchema#integer", null], null]'
    """
    out: list[list[str | None] | None] = []
    for t in row:
        if t is None:
            out.append(None)
        elif isinstance(t, URIRef):
            out.append(["u", str(t)])
        elif isinstance(t, BNode):
            out.append(["b", str(t)])
        elif isinstance(t, rdflib.Literal):
            dt = str(t.datatype) if t.datatype is not None else None
            out.append(["l", str(t), dt, t.language])
        else:
            raise QueryError(f"cannot keep the term {t!r}")
    return json.dumps(out)


def _decode(text: str) -> tuple[Identifier | None, ...]:
    """The row `_encode` wrote.

    >>> row = (URIRef("https://e.org/a"), rdflib.Literal("x", lang="en"), None)
    >>> _decode(_encode(row)) == row
    True
    """
    out: list[Identifier | None] = []
    for t in json.loads(text):
        if t is None:
            out.append(None)
        elif t[0] == "u":
            out.append(URIRef(t[1]))
        elif t[0] == "b":
            out.append(BNode(t[1]))
        elif t[2] is None:
            out.append(rdflib.Literal(t[1], lang=t[3]))
        else:
            out.append(rdflib.Literal(t[1], datatype=URIRef(t[2])))
    return tuple(out)


def _sort_key(row: Sequence[Identifier | None]) -> str:
    return _encode(row)
