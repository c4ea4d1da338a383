"""Stage 4: hold the graph, run the named SPARQL queries and the checks.

Queries live in `queries/*.rq` (reports) and `queries/checks/*-violation.rq`
(checks: zero rows on a well-formed graph). Each file opens with a header of
`#+ key: value` lines (format in `queries/README.md`) declaring a summary and
its parameters; a parameter `name` is the variable `?_name` in the query
(the grlc convention, https://github.com/CLARIAH/grlc).

Parameters are bound as initial bindings typed by the header, never pasted
into the query text. Query text passes the query guard (`guard.py`) before
anything runs: length and nesting are capped, and SERVICE, LOAD/updates and
FROM/FROM NAMED naming a graph outside the queried dataset are refused:
rdflib (and Oxigraph) would otherwise fetch them from the network
(DESIGN.md §6).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, get_args

import rdflib
from rdflib.namespace import XSD
from rdflib.term import BNode, Identifier, URIRef, Variable

from resgraph import ids, resources
from resgraph.errors import QueryError

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

# rdflib's SPARQL parser (rdflib.plugins.sparql, guard.py: 0.2 s to import) is imported
# where a query is parsed: a build whose checks all run from their kept rows never needs it

ParamType = Literal["iri-of-document-symbol", "string", "integer", "date", "limit"]
PARAM_TYPES: tuple[ParamType, ...] = get_args(ParamType)
QueryKind = Literal["report", "check", "construct"]
ResultFormat = Literal["table", "csv", "json"]

# prefixes used to shorten IRIs in the terminal table (CSV and JSON keep full IRIs)
_TABLE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("rg:", "https://w3id.org/resgraph/ontology#"),
    ("rgp:", "https://w3id.org/resgraph/phrase/"),
    ("rgr:", "https://w3id.org/resgraph/relation/"),
    ("eli:", "http://data.europa.eu/eli/ontology#"),
)

# a parameter variable: "?_name" or "$_name" (rdflib's own aggregate variables start "__")
_PARAM_VAR_RE = re.compile(r"^_[A-Za-z][A-Za-z0-9_]*$")
_HEADER_RE = re.compile(r"^#\+\s*([a-z]+)\s*:\s?(.*)$")


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter of a named query (the variable `?_<name>`)."""

    name: str
    type: ParamType
    required: bool
    default: str | None = None
    example: str | None = None
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its parsed header."""

    name: str  # "treaties-cited-by-resolution", "checks/footnote-without-anchor-violation"
    path: Path
    text: str
    summary: str
    params: tuple[QueryParam, ...] = ()
    description: str = ""
    kind: QueryKind = "report"

    def param(self, name: str) -> QueryParam | None:
        """The declared parameter with this name, if any."""
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class QueryResult:
    """The rows of a SELECT query: one tuple per row, None for an unbound value."""

    name: str
    vars: tuple[str, ...]
    rows: tuple[tuple[Identifier | None, ...], ...] = field(default=())

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Identifier | None, ...]]:
        return iter(self.rows)


# -- loading ---------------------------------------------------------------------------


def query_names() -> list[str]:
    """Names of the report queries shipped in `queries/` (checks excluded), sorted."""
    return sorted(p.stem for p in resources.queries_dir().glob("*.rq"))


def check_names() -> list[str]:
    """Names of the checks, `checks/<name>-violation`, sorted."""
    folder = resources.queries_dir() / "checks"
    return sorted(f"checks/{p.stem}" for p in folder.glob("*-violation.rq"))


def list_queries() -> list[NamedQuery]:
    """The report queries shipped in `queries/`, sorted by name (checks excluded)."""
    return [load_query(n) for n in query_names()]


def list_checks() -> list[NamedQuery]:
    """The checks in `queries/checks/`, sorted by name."""
    return [load_query(n) for n in check_names()]


def load_query(name: str) -> NamedQuery:
    """The shipped query `name` ("most-cited-instruments", "checks/…-violation").

    Raises QueryError when there is no such query or its header or text is bad.
    """
    if not re.fullmatch(r"(checks/)?[a-z0-9]+(-[a-z0-9]+)*", name):
        raise QueryError(f"{name}: not a query name (kebab-case, optionally 'checks/…')")
    path = resources.queries_dir() / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(query_names() + check_names())
        raise QueryError(f"{name}.rq: no such query (known: {known})")
    return _load(path, name)


def read_query(path: str | Path) -> NamedQuery:
    """A user's own .rq file, with the same header rules and safety checks."""
    p = Path(path)
    try:
        return _load(p, p.stem, require_summary=False)
    except OSError as exc:
        raise QueryError(f"{p}: cannot read ({exc.strerror})") from exc


@cache
def _load(path: Path, name: str, require_summary: bool = True) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    kind: QueryKind = (
        "check"
        if path.stem.endswith("-violation")
        else "construct"
        if path.stem.startswith("construct-")
        else "report"
    )
    query = _parse_header(text, path, name, kind, require_summary)
    used = _param_variables(_prepare(text, str(path)))
    declared = {p.name for p in query.params if p.type != "limit"}
    if used != declared:
        raise QueryError(
            f"{path}: header params {sorted(declared)} do not match the query's "
            f"?_ variables {sorted(used)}"
        )
    return query


def _parse_header(
    text: str, path: Path, name: str, kind: QueryKind, require_summary: bool
) -> NamedQuery:
    summary = ""
    description: list[str] = []
    params: list[QueryParam] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break  # the header is the leading comment block
            continue
        m = _HEADER_RE.match(line)
        if m is None:
            continue  # an ordinary comment
        key, value = m.group(1), m.group(2).strip()
        if key == "summary":
            summary = value
        elif key == "description":
            description.append(value)
        elif key == "param":
            params.append(_parse_param(value, path))
        else:
            raise QueryError(f"{path}: unknown header key '#+ {key}:'")
    if not summary and require_summary:
        raise QueryError(f"{path}: header has no '#+ summary:' line")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryError(f"{path}: a parameter is declared twice")
    return NamedQuery(
        name=name,
        path=path,
        text=text,
        summary=summary,
        params=tuple(params),
        description=" ".join(description),
        kind=kind,
    )


def _parse_param(value: str, path: Path) -> QueryParam:
    """`NAME TYPE required|optional [default=V] [example=V] [-- description]`."""
    spec, _, desc = value.partition(" -- ")
    try:
        tokens = shlex.split(spec)
    except ValueError as exc:
        raise QueryError(f"{path}: bad param line {value!r}: {exc}") from exc
    if len(tokens) < 3:
        raise QueryError(f"{path}: param line needs NAME TYPE required|optional: {value!r}")
    pname, ptype, req = tokens[:3]
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", pname):
        raise QueryError(f"{path}: bad parameter name {pname!r}")
    if ptype not in PARAM_TYPES:
        raise QueryError(f"{path}: parameter {pname}: unknown type {ptype!r} ({PARAM_TYPES})")
    if req not in ("required", "optional"):
        raise QueryError(f"{path}: parameter {pname}: say 'required' or 'optional', not {req!r}")
    extra: dict[str, str] = {}
    for tok in tokens[3:]:
        k, eq, v = tok.partition("=")
        if not eq or k not in ("default", "example"):
            raise QueryError(f"{path}: parameter {pname}: unknown attribute {tok!r}")
        extra[k] = v
    if req == "required" and "default" in extra:
        raise QueryError(f"{path}: parameter {pname}: a required parameter has no default")
    if ptype == "limit" and "default" not in extra:
        raise QueryError(f"{path}: parameter {pname}: a limit needs a default")
    return QueryParam(
        name=pname,
        type=ptype,
        required=req == "required",
        default=extra.get("default"),
        example=extra.get("example"),
        description=desc.strip(),
    )


# -- safety ----------------------------------------------------------------------------


def _prepare(text: str, source: str) -> Query:
    """Parse and translate query text, refusing anything that would reach the network."""
    return _prepare_cached(text, source)


@cache
def _prepare_cached(text: str, source: str) -> Query:
    from rdflib.plugins.sparql.algebra import translateQuery

    from resgraph.guard import guard_query

    # FROM is checked against the queried dataset when the query runs
    guarded = guard_query(text, source=source, local_graphs=_AnyGraph())
    try:
        return translateQuery(guarded.parsed)
    except Exception as exc:
        raise QueryError(f"{source}: cannot translate the query: {exc}") from exc


class _AnyGraph:
    """Every graph IRI: loading a query file cannot yet know the dataset it runs on."""

    def __contains__(self, iri: object) -> bool:
        return True


class _LocalGraphs:
    """The non-empty graphs of the queried dataset (FROM names one of them, nothing fetched)."""

    def __init__(self, target: rdflib.Graph) -> None:
        self._target = target

    def __contains__(self, iri: object) -> bool:
        if not isinstance(self._target, rdflib.Dataset) or not isinstance(iri, str) or not iri:
            return False
        return any(str(g.identifier) == iri and len(g) > 0 for g in self._target.graphs())


def _param_variables(query: Query) -> set[str]:
    """Parameter names (`?_name` -> "name") used anywhere in the query."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, Variable):
            if _PARAM_VAR_RE.match(str(node)):
                found.add(str(node)[1:])
        elif isinstance(node, CompValue):
            for value in node.values():
                visit(value)
        elif isinstance(node, list | tuple | set | frozenset):
            for value in node:
                visit(value)

    visit(query.algebra)
    return found


# -- running ---------------------------------------------------------------------------


def _union_view(graph: rdflib.Graph) -> rdflib.Graph:
    """Query a dataset as the union of its named graphs."""
    if isinstance(graph, rdflib.Dataset) and not graph.default_union:
        return rdflib.Dataset(store=graph.store, default_union=True)
    return graph


def _bind(query: NamedQuery, params: Mapping[str, str], base: str) -> dict[str, Identifier]:
    unknown = sorted(set(params) - {p.name for p in query.params})
    if unknown:
        declared = ", ".join(p.name for p in query.params) or "none"
        raise QueryError(f"{query.path}: unknown parameter(s) {unknown} (declared: {declared})")
    bindings: dict[str, Identifier] = {}
    for p in query.params:
        raw = params.get(p.name, p.default)
        if raw is None:
            if p.required:
                raise QueryError(
                    f"{query.path}: missing required parameter {p.name!r}"
                    + (f" (e.g. {p.example})" if p.example else "")
                )
            continue
        if p.type != "limit":
            bindings["_" + p.name] = _convert(query, p, raw, base)
    return bindings


def _convert(query: NamedQuery, p: QueryParam, raw: str, base: str) -> Identifier:
    """A parameter value as the RDF term its declared type says."""
    value = raw.strip()
    try:
        if p.type == "iri-of-document-symbol":
            if not value:
                raise ValueError("empty symbol")
            if value.startswith(("http://", "https://")):
                return URIRef(value)
            return URIRef(ids.document_iri(ids.normalise_symbol(value), base))
        if p.type in ("integer", "limit"):
            return rdflib.Literal(int(value), datatype=XSD.integer)
        if p.type == "date":
            return rdflib.Literal(date.fromisoformat(value), datatype=XSD.date)
        return rdflib.Literal(raw)
    except ValueError as exc:
        raise QueryError(
            f"{query.path}: parameter {p.name}={raw!r} is not a valid {p.type}: {exc}"
        ) from exc


def _row_limit(query: NamedQuery, params: Mapping[str, str]) -> int | None:
    for p in query.params:
        if p.type == "limit":
            raw = params.get(p.name, p.default)
            try:
                n = int(str(raw).strip())
            except ValueError as exc:
                raise QueryError(
                    f"{query.path}: parameter {p.name}={raw!r} is not an integer"
                ) from exc
            if n < 0:
                raise QueryError(f"{query.path}: parameter {p.name} must not be negative")
            return n
    return None


class SelectTarget(Protocol):
    """Anything but an rdflib graph that runs SELECT text: a CorpusStore, a remote endpoint.

    It queries the union of its named graphs, binds `bindings` (variable name without
    "?" -> rdflib term) as typed terms, never pasted into the text, and returns the
    variables and rows as rdflib terms (None for unbound), at most `limit` rows.
    """

    def select(
        self,
        sparql: str,
        bindings: dict[str, Identifier] | None = None,
        *,
        limit: int | None = None,
    ) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]]: ...


def run_query(
    graph: rdflib.Graph | SelectTarget,
    name: str | NamedQuery,
    params: Mapping[str, str] | None = None,
    *,
    base: str = ids.DEFAULT_BASE,
) -> QueryResult:
    """Run a named SELECT query over the union of the graph's named graphs.

    Args:
        graph: an rdflib Graph or Dataset (a Dataset is queried as the union of its graphs),
            or a SelectTarget (a CorpusStore, a remote endpoint): same rows, same terms.
        name: a shipped query name, or a NamedQuery from `read_query`.
        params: parameter values as strings, typed by the query header.
        base: the instance base IRI, for parameters that are document symbols.
    """
    query = load_query(name) if isinstance(name, str) else name
    params = params or {}
    bindings = _bind(query, params, base)
    limit = _row_limit(query, params)
    prepared = _prepare(query.text, str(query.path))
    if not isinstance(graph, rdflib.Graph):
        if prepared.algebra.get("datasetClause"):
            raise QueryError(
                f"{query.path}: FROM / FROM NAMED is refused (the dataset is the store)"
            )
        if prepared.algebra.name != "SelectQuery":
            raise QueryError(
                f"{query.path}: only SELECT queries are run (got {prepared.algebra.name})"
            )
        kept = _kept_rows(graph, query, limit)
        if kept is not None:
            return QueryResult(query.name, kept[0], tuple(kept[1]))
        narrowed = _text_index_values(graph, query, bindings)
        if narrowed is not None:
            variables, found = narrowed[0].select(
                query.text, bindings, limit=limit, values=narrowed[1]
            )
        else:
            variables, found = graph.select(query.text, bindings, limit=limit)
        return QueryResult(query.name, variables, tuple(found))
    target = _union_view(graph)
    _check_dataset_clauses(prepared, target, query)
    if prepared.algebra.name != "SelectQuery":
        raise QueryError(f"{query.path}: only SELECT queries are run (got {prepared.algebra.name})")
    try:
        result = target.query(prepared, initBindings=bindings)
    except Exception as exc:  # rdflib raises bare Exceptions from evaluation
        raise QueryError(f"{query.path}: query failed: {exc}") from exc
    variables = tuple(str(v) for v in (result.vars or []))
    rows: list[tuple[Identifier | None, ...]] = []
    for row in result:
        values = cast(Sequence[Identifier | None], row)
        rows.append(tuple(values))
        if limit is not None and len(rows) >= limit:
            break
    return QueryResult(query.name, variables, tuple(rows[:limit] if limit is not None else rows))


# Shipped queries that test `CONTAINS(LCASE(STR(?text)), LCASE(STR(?_param)))` on rg:text:
# name -> (the parameter, the variable holding the texts' subject). On a CorpusStore the
# FTS index beside the store names the candidate subjects first (a superset), bound as
# VALUES; the query's own FILTER still decides, so the rows are those of the plain query
# (tests/test_query_text_index.py checks it against both).
_TEXT_INDEXED: dict[str, tuple[str, str]] = {"clauses-containing-text": ("text", "part")}


def _text_index_values(
    graph: SelectTarget, query: NamedQuery, bindings: Mapping[str, Identifier]
) -> tuple[Any, tuple[str, list[str]]] | None:
    """(the CorpusStore, (variable, candidate IRIs)) when its text index can narrow `query`."""
    from resgraph.corpus_store import CorpusStore

    spec = _TEXT_INDEXED.get(query.name)
    if spec is None or not isinstance(graph, CorpusStore):
        return None
    if query.path != resources.queries_dir() / f"{query.name}.rq":
        return None  # a user's file of the same name: no promise about its shape
    needle = bindings.get("_" + spec[0])
    if not isinstance(needle, rdflib.Literal):
        return None
    candidates = graph.text_candidates(str(needle))
    if candidates is None:
        return None
    return graph, (spec[1], candidates)


def _kept_rows(
    graph: SelectTarget, query: NamedQuery, limit: int | None
) -> tuple[tuple[str, ...], list[tuple[Identifier | None, ...]]] | None:
    """The rows of a shipped corpus-wide aggregate from the counts a CorpusStore keeps.

    `resgraph/citation_index.py` keeps them in step with every graph and gives exactly
    the SPARQL's rows, or None when it cannot vouch for them (the SPARQL then runs).
    Plain rdflib graphs and remote endpoints always run the SPARQL.
    """
    from resgraph import citation_index
    from resgraph.corpus_store import CorpusStore

    if query.name not in citation_index.names() or not isinstance(graph, CorpusStore):
        return None
    if query.path != resources.queries_dir() / f"{query.name}.rq":
        return None  # a user's file of the same name: no promise about its shape
    return citation_index.accelerated(graph, query.name, limit)


def _check_dataset_clauses(prepared: Query, target: rdflib.Graph, query: NamedQuery) -> None:
    """FROM / FROM NAMED may only name a graph already in the store (else rdflib fetches it)."""
    if prepared.algebra.get("datasetClause"):
        from resgraph.guard import guard_query

        guard_query(query.text, source=str(query.path), local_graphs=_LocalGraphs(target))


def run_checks(
    graph: rdflib.Graph | SelectTarget, *, jobs: int = 1
) -> list[tuple[str, QueryResult]]:
    """Run every `checks/*-violation.rq`; each returns zero rows on a well-formed graph.

    `jobs` > 1 runs the checks on that many threads when `graph` is not an rdflib graph
    (Oxigraph evaluates without the GIL; rdflib would only contend for it).
    """
    checks = list_checks()
    if jobs > 1 and not isinstance(graph, rdflib.Graph):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(lambda q: run_query(graph, q), checks))
        return [(q.name, r) for q, r in zip(checks, results, strict=True)]
    return [(q.name, run_query(graph, q)) for q in checks]


# -- output ----------------------------------------------------------------------------


def format_result(result: QueryResult, fmt: ResultFormat = "table") -> str:
    """The result as an aligned table, CSV (with header) or SPARQL 1.1 JSON results."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.vars)
        for row in result.rows:
            writer.writerow(["" if v is None else str(v) for v in row])
        return buf.getvalue()
    if fmt == "json":
        return json.dumps(_json_results(result), ensure_ascii=False, indent=2) + "\n"
    if fmt == "table":
        return _table(result)
    raise QueryError(f"unknown result format {fmt!r} (table, csv, json)")


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, rdflib.Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}


def _json_results(result: QueryResult) -> dict[str, Any]:
    bindings = [
        {var: _json_term(v) for var, v in zip(result.vars, row, strict=True) if v is not None}
        for row in result.rows
    ]
    return {"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}}


def _short(term: Identifier | None, base: str = ids.DEFAULT_BASE) -> str:
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef):
        if text.startswith(base):
            return "id:" + text[len(base) :]
        for prefix, ns in _TABLE_PREFIXES:
            if text.startswith(ns):
                return prefix + text[len(ns) :]
    # one line per row: a clause text may hold newlines or tabs
    return " ".join(text.split())


def _table(result: QueryResult, max_width: int = 80) -> str:
    """Aligned columns for a terminal; long cells are cut with an ellipsis."""
    cells = [[_short(v) for v in row] for row in result.rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [len(v) for v in result.vars]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(result.vars, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"
