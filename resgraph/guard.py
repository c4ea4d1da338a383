"""The query guard: every SPARQL text passes here before any engine runs it.

Queries come from users (the CLI, serve's /query form) as well as from the
shipped `queries/*.rq`, so the text is untrusted. Two checks run on the raw
text before any SPARQL parser sees it, because the parsers themselves are
the weak point: pyoxigraph segfaults on a query nested ~3,000 groups deep and
rdflib's pyparsing grammar recurses (RecursionError at ~30 nested brackets).

1. length: at most `MAX_QUERY_LENGTH` characters;
2. nesting: at most `MAX_QUERY_DEPTH` open brackets (`{`, `(`, `[` together),
   counted by a small tokenizer that skips strings, IRIs and comments.

Then rdflib parses the text, and the parse tree is refused if it would reach
outside the store: `SERVICE` anywhere (rdflib has no switch to turn it off,
Oxigraph makes its own HTTP requests), `LOAD` (always), any other update
unless `allow_update=True` (and then no `USING`, which also fetches), and
`FROM` / `FROM NAMED` (the dataset is the store; a graph the caller lists in
`local_graphs` is allowed, nothing else). Every refusal is a one-line
QueryError that starts with `source`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import QueryError

QueryForm = Literal["SELECT", "CONSTRUCT", "ASK", "DESCRIBE", "UPDATE"]

# The longest shipped query is about 4,000 characters; 100,000 leaves room for
# generated VALUES lists while keeping pyparsing's time (~1 s per 100 KB) bounded.
MAX_QUERY_LENGTH = 100_000
# rdflib's parser overflows Python's recursion limit at ~28 nested parentheses
# and ~60 nested groups; the deepest shipped query nests 14 deep. 32 keeps every
# real query and refuses the pathological ones with a clear message before
# the parser (or pyoxigraph, which segfaults at ~3,000) is reached.
MAX_QUERY_DEPTH = 32
# parse results kept per process (serve answers the same named queries again and again)
_CACHE_SIZE = 256
# the parser's message is cut to this many characters so the error stays one line
_MAX_DETAIL = 160

_TOO_COMPLEX = "the query is too long or nests too deeply for the parser (a RecursionError)"

_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "SELECT",
    "ConstructQuery": "CONSTRUCT",
    "AskQuery": "ASK",
    "DescribeQuery": "DESCRIBE",
}

# One token of SPARQL as far as bracket counting needs: every alternative either
# always matches (strings run to their end or the end of the line/text) or starts
# with a character the others do not, so the scan is linear in the text.
_TOKEN_RE = re.compile(
    r"""
      (?P<skip>
          \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)      # long strings
        | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
        | "(?:[^"\\\n\r]|\\.)*(?:"|$)                  # short strings end at the line
        | '(?:[^'\\\n\r]|\\.)*(?:'|$)
        | <[^<>"{}|^`\\\x00-\x20]*>                    # an IRI (else '<' is less-than)
        | \#[^\n\r]*                                   # a comment
        | \\.                                          # an escape in a prefixed name
        | [^"'<#\\{}()\[\]]+                           # anything else
        | [<\\]
      )
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    """,
    re.VERBOSE | re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class GuardedQuery:
    """A query text that passed the guard, with its form.

    `parsed` is rdflib's parse tree (a query or an update request), kept so the
    rdflib backend need not parse the text a second time.
    """

    text: str
    form: QueryForm
    parsed: Any = field(default=None, repr=False, compare=False)


def nesting_depth(text: str) -> int:
    """The deepest nesting of `{`, `(` and `[` outside strings, IRIs and comments.

    >>> nesting_depth('SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) }')
    2
    >>> nesting_depth('SELECT * WHERE { ?s ?p "{{{(((" } # ((((')
    1
    >>> nesting_depth('ASK { <http://x/(a#b> ?p ?o }')
    1
    """
    depth = deepest = 0
    for m in _TOKEN_RE.finditer(text):
        if m.lastgroup == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif m.lastgroup == "close":
            # an unbalanced close is the parser's to report; never go negative
            depth = max(0, depth - 1)
    return deepest


def guard_query(
    text: str,
    *,
    allow_update: bool = False,
    max_length: int = MAX_QUERY_LENGTH,
    max_depth: int = MAX_QUERY_DEPTH,
    source: str = "query",
    local_graphs: Container[str] = frozenset(),
) -> GuardedQuery:
    """Check `text` and return it with its form, or raise a one-line QueryError.

    Args:
        text: the SPARQL query (or update, if allowed).
        allow_update: accept SPARQL Update (never LOAD, never USING).
        max_length: the most characters accepted.
        max_depth: the deepest bracket nesting accepted.
        source: names the query in messages (a file name, "query", "request").
        local_graphs: graph IRIs that FROM / FROM NAMED may name (graphs already
            in the store, so nothing is fetched); any other FROM is refused.

    >>> guard_query("SELECT ?s WHERE { ?s ?p ?o }").form
    'SELECT'
    >>> guard_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", source="q.rq")
    Traceback (most recent call last):
    ...
    resgraph.errors.QueryError: q.rq: SERVICE is refused (queries never leave the store)
    """
    if not isinstance(text, str):
        raise QueryError(f"{source}: the query is not text")
    if len(text) > max_length:
        raise QueryError(
            f"{source}: the query is {len(text):,} characters long; the limit is {max_length:,}"
        )
    depth = nesting_depth(text)
    if depth > max_depth:
        raise QueryError(
            f"{source}: the query nests brackets {depth} deep; the limit is {max_depth}"
        )
    parsed, form = _parse(text, allow_update, source)
    nodes = list(_walk(parsed))
    prefixes = {
        _field(n, "prefix"): _field(n, "iri")
        for n in nodes
        if n.name == "PrefixDecl" and "iri" in n
    }
    for node in nodes:
        _refuse_node(node, source, local_graphs, prefixes)
    return GuardedQuery(text=text, form=form, parsed=parsed)


def _parse(text: str, allow_update: bool, source: str) -> tuple[Any, QueryForm]:
    outcome = _parse_cached(text)
    if isinstance(outcome, str):
        raise QueryError(f"{source}: {outcome}")
    parsed, form = outcome
    if form == "UPDATE":
        if any(isinstance(op, CompValue) and op.name == "Load" for op in parsed.request):
            raise QueryError(f"{source}: LOAD is refused (queries never leave the store)")
        if not allow_update:
            raise QueryError(
                f"{source}: updates (INSERT, DELETE, CLEAR, DROP, CREATE, COPY, MOVE, ADD) "
                "are refused"
            )
    return parsed, form


# rdflib's SPARQL parser (pyparsing) is not thread-safe: two texts parsed at once on
# threads (the checks of a first validated build) gave "not valid SPARQL" for well-formed
# files, and the message was cached
_PARSE_LOCK = threading.Lock()


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_cached(text: str) -> tuple[Any, QueryForm] | str:
    """rdflib's parse tree and the form, or a one-line message (cached either way)."""
    with _PARSE_LOCK:
        return _parse_text(text)


def _parse_text(text: str) -> tuple[Any, QueryForm] | str:
    try:
        tree = parseQuery(text)
    except RecursionError:
        return _TOO_COMPLEX
    except Exception as query_exc:
        try:
            update = parseUpdate(text)
        except RecursionError:
            return _TOO_COMPLEX
        except Exception as update_exc:
            # report whichever reading got further into the text
            exc = query_exc
            if getattr(update_exc, "loc", -1) > getattr(query_exc, "loc", -1):
                exc = update_exc
            return f"not valid SPARQL: {_one_line(exc)}"
        if not update.request:  # an empty text or only comments is a valid empty update
            return "not valid SPARQL: the text holds no query"
        return update, "UPDATE"
    name = getattr(tree[1], "name", "")
    form = _FORMS.get(name)
    if form is None:  # pragma: no cover - the grammar has exactly four query forms
        return f"not a query form rdflib knows ({name})"
    return tree, form


def _refuse_node(
    node: CompValue, source: str, local_graphs: Container[str], prefixes: dict[str, str]
) -> None:
    if node.name == "ServiceGraphPattern":
        raise QueryError(f"{source}: SERVICE is refused (queries never leave the store)")
    if node.name == "Load":
        raise QueryError(f"{source}: LOAD is refused (queries never leave the store)")
    if node.name == "UsingClause":
        raise QueryError(f"{source}: USING is refused (the dataset is the store)")
    if node.name == "DatasetClause":
        # CompValue.get returns the key itself when it is missing: test membership
        named = "named" in node
        iri = node["named"] if named else node["default"]
        if _expand(iri, prefixes) not in local_graphs:
            keyword = "FROM NAMED" if named else "FROM"
            raise QueryError(
                f"{source}: {keyword} {_show(iri)} is refused (the dataset is the store; "
                "only a graph already in it may be named)"
            )


def _expand(iri: Any, prefixes: dict[str, str]) -> str:
    """The full IRI (the parse tree still holds prefixed names as `pname` nodes)."""
    if isinstance(iri, CompValue) and iri.name == "pname":
        ns = prefixes.get(_field(iri, "prefix"))
        # an undeclared prefix matches no graph: "" is never a graph IRI
        # PN_LOCAL escapes ("A\\/RES") stand for the character itself
        local = re.sub(r"\\(.)", r"\1", _field(iri, "localname"))
        return "" if ns is None else ns + local
    return str(iri)


def _field(node: CompValue, key: str) -> str:
    """A field as text, "" when missing (CompValue.get returns the key itself then)."""
    return str(node[key]) if key in node else ""


def _show(iri: Any) -> str:
    if isinstance(iri, CompValue) and iri.name == "pname":
        return f"{_field(iri, 'prefix')}:{_field(iri, 'localname')}"
    return f"<{iri}>"


def _walk(node: Any) -> Iterator[CompValue]:
    """Every CompValue in a parse tree (iteratively: the tree may be deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, ParseResults):
            stack.extend(list(item))


def _one_line(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 1] + "…"
    return detail


# -- graph files: JSON-LD contexts and XML ---------------------------------------------

# JSON-LD context IRIs that stand for the package's own context (ontology/context.jsonld):
# they are replaced by its content, never fetched; any other remote context is refused
PACKAGE_CONTEXT_IRIS = frozenset(
    {
        "https://w3id.org/resgraph/context.jsonld",
        "https://w3id.org/resgraph/ontology/context.jsonld",
    }
)
_DOCTYPE_RE = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def safe_graph_data(data: bytes, fmt: str | None, source: str) -> bytes:
    """Graph file bytes made safe to hand to rdflib, or an InputError (one line).

    rdflib fetches a JSON-LD `@context` given as a URL (an `http://` one reaches
    the network, `file:///dev/zero` reads until memory runs out) and expands XML
    entities. So JSON-LD contexts may only be inline objects or the package's own
    context IRI (replaced by the shipped context), `@import` is refused, and an
    XML format (RDF/XML, TriX) with a DOCTYPE or ENTITY declaration is refused.
    Other formats (Turtle, TriG, N-Triples, N-Quads) never fetch anything.

    >>> safe_graph_data(b'{"@context": {"x": "urn:x#"}, "x:a": 1}', "json-ld", "g.jsonld")
    b'{"@context": {"x": "urn:x#"}, "x:a": 1}'
    >>> safe_graph_data(b'{"@context": "file:///dev/zero"}', "json-ld", "g")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    resgraph.errors.InputError: g: JSON-LD context 'file:///dev/zero' refused (only inline ...
    """
    from .errors import InputError

    if fmt in ("json-ld", "jsonld"):
        import json

        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InputError(source, f"not valid JSON: {_one_line(exc)}") from None
        try:
            return json.dumps(_inline_contexts(doc), ensure_ascii=False).encode("utf-8")
        except ValueError as exc:
            raise InputError(source, str(exc)) from None
    if fmt in ("xml", "application/rdf+xml", "trix", "rdf/xml") and _DOCTYPE_RE.search(
        data.decode("utf-8", errors="replace")
    ):
        raise InputError(source, "XML with a DTD or entity declarations is refused")
    return data


def _inline_contexts(node: Any) -> Any:
    """The JSON-LD document with every `@context` checked (iteratively: it may be deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@import" in item:
                raise ValueError("JSON-LD @import refused (nothing is fetched)")
            if "@context" in item:
                item["@context"] = _context_value(item["@context"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return node


def _context_value(value: Any) -> Any:
    if isinstance(value, str):
        if value in PACKAGE_CONTEXT_IRIS:
            from .export import jsonld_context

            return jsonld_context()
        raise ValueError(
            f"JSON-LD context {value[:80]!r} refused (only inline contexts or the "
            "package's own; nothing is fetched)"
        )
    if isinstance(value, list):
        return [_context_value(v) for v in value]
    return value  # an inline object (checked by the walk) or null
