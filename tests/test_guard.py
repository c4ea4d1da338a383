"""The query guard: length and depth before any parser, then the network and update refusals."""

from __future__ import annotations

import time

import pytest

from resgraph.errors import QueryError
from resgraph.guard import MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, guard_query, nesting_depth

SPO = "?s ?p ?o"

# name -> (query text, a fragment the one-line message must contain)
REFUSED: dict[str, tuple[str, str]] = {
    "service": (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:9/> {{ {SPO} }} }}", "SERVICE"),
    "service-lowercase": (f"select * where {{ service <http://x.test/> {{ {SPO} }} }}", "SERVICE"),
    "service-silent": (f"SELECT * {{ SERVICE SILENT <http://x.test/> {{ {SPO} }} }}", "SERVICE"),
    "service-variable": (f"SELECT * {{ SERVICE ?endpoint {{ {SPO} }} }}", "SERVICE"),
    "service-prefixed-name": (
        f"PREFIX ep: <http://x.test/> SELECT * {{ SERVICE ep:sparql {{ {SPO} }} }}",
        "SERVICE",
    ),
    "service-nested": (
        f"SELECT * WHERE {{ {SPO} OPTIONAL {{ {{ SELECT ?x WHERE {{ ?x ?y ?z "
        f"FILTER EXISTS {{ SERVICE <http://x.test/> {{ ?x ?y ?z }} }} }} }} }} }}",
        "SERVICE",
    ),
    "service-in-union": (
        f"SELECT * {{ {{ {SPO} }} UNION {{ MINUS {{ SERVICE <http://x.test/> {{ {SPO} }} }} }} }}",
        "SERVICE",
    ),
    "service-in-construct": (
        f"CONSTRUCT {{ {SPO} }} WHERE {{ SERVICE <http://x.test/> {{ {SPO} }} }}",
        "SERVICE",
    ),
    "service-in-ask": (f"ASK {{ SERVICE <http://x.test/> {{ {SPO} }} }}", "SERVICE"),
    "load": ("LOAD <http://x.test/data.ttl>", "LOAD"),
    "load-into-graph": ("load silent <http://x.test/d.ttl> INTO GRAPH <urn:g>", "LOAD"),
    "insert-data": ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates"),
    "delete-data": ("DELETE DATA { <urn:a> <urn:b> <urn:c> }", "updates"),
    "delete-where": (f"DELETE WHERE {{ {SPO} }}", "updates"),
    "modify": (f"DELETE {{ {SPO} }} INSERT {{ ?s ?p 1 }} WHERE {{ {SPO} }}", "updates"),
    "clear": ("CLEAR ALL", "updates"),
    "drop": ("DROP GRAPH <urn:g>", "updates"),
    "create": ("CREATE GRAPH <urn:g>", "updates"),
    "copy": ("COPY DEFAULT TO <urn:g>", "updates"),
    "move": ("MOVE <urn:g> TO <urn:h>", "updates"),
    "add": ("ADD <urn:g> TO <urn:h>", "updates"),
    "update-after-prefix": ("PREFIX e: <http://e.test/> CLEAR GRAPH e:g", "updates"),
    "from": (f"SELECT * FROM <http://x.test/data.ttl> WHERE {{ {SPO} }}", "FROM"),
    "from-named": (
        f"SELECT * FROM NAMED <http://x.test/g> WHERE {{ GRAPH ?g {{ {SPO} }} }}",
        "FROM NAMED",
    ),
    "from-prefixed": (f"PREFIX e: <http://x.test/> SELECT * FROM e:g {{ {SPO} }}", "FROM"),
    "from-lowercase": (f"select * from <file:///etc/passwd> {{ {SPO} }}", "FROM"),
    "construct-from": (f"CONSTRUCT {{ {SPO} }} FROM <http://x.test/> {{ {SPO} }}", "FROM"),
    "describe-from": ("DESCRIBE <urn:a> FROM <http://x.test/>", "FROM"),
    "syntax-error": ("SELEC * WHERE { ?s ?p ?o }", "not valid SPARQL"),
    "unclosed-group": ("SELECT * WHERE { ?s ?p ?o", "not valid SPARQL"),
    "empty": ("", "not valid SPARQL"),
    "too-long": ("SELECT * WHERE { ?s ?p ?o }" + " " * MAX_QUERY_LENGTH, "characters long"),
    "too-deep-groups": ("SELECT * WHERE " + "{" * 3000 + SPO + "}" * 3000, "nests brackets"),
    "too-deep-parens": ("SELECT * { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }", "nests"),
    "too-deep-blank-nodes": (
        "SELECT * { ?s ?p " + "[ ?p " * 3000 + "1" + " ]" * 3000 + " }",
        "nests",
    ),
    "too-deep-unbalanced": ("SELECT * WHERE " + "{" * 3000, "nests brackets"),
    "deep-for-the-parser": (
        "ASK { FILTER(" + "(" * (MAX_QUERY_DEPTH - 2) + "1" + ")" * 30 + ") }",
        "nests",
    ),
}

ALLOWED: dict[str, tuple[str, str]] = {
    "select": (f"SELECT ?s WHERE {{ {SPO} }}", "SELECT"),
    "construct": (f"CONSTRUCT {{ {SPO} }} WHERE {{ {SPO} }}", "CONSTRUCT"),
    "ask": (f"ASK {{ {SPO} }}", "ASK"),
    "describe": ("DESCRIBE <urn:a>", "DESCRIBE"),
    "service-in-a-string": (f'SELECT * {{ {SPO} FILTER(?o != "SERVICE <http://x/>") }}', "SELECT"),
    "service-in-a-comment": (f"SELECT * {{ {SPO} }} # SERVICE <http://x/> {{ }}", "SELECT"),
    "from-in-a-string": (f'SELECT * {{ {SPO} FILTER(CONTAINS(?o, "FROM <x:y>")) }}', "SELECT"),
    "brackets-in-strings": (f'SELECT * {{ {SPO} FILTER(?o != "{"{" * 500}") }}', "SELECT"),
    "brackets-in-long-string": (f'ASK {{ {SPO} FILTER(?o != """{"(" * 500}\n""") }}', "ASK"),
    "brackets-in-comment": (f"ASK {{ {SPO} }} # {'[' * 500}", "ASK"),
    "less-than-is-not-an-iri": (f"SELECT * {{ {SPO} FILTER(?o < 3 && ?o > 1) }}", "SELECT"),
    "iri-with-hash-and-paren": ("ASK { <http://x.test/a(b#c> ?p ?o }", "ASK"),
    "depth-at-the-limit-of-groups": ("ASK " + "{" * 20 + SPO + "}" * 20, "ASK"),
}


@pytest.mark.parametrize("text, fragment", REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_a_one_line_message(text: str, fragment: str) -> None:
    start = time.perf_counter()
    with pytest.raises(QueryError) as info:
        guard_query(text, source="hostile.rq")
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert message.startswith("hostile.rq: ")
    assert fragment in message
    assert "\n" not in message and len(message) < 300
    # refused before any slow work: the parser never sees an over-long or over-deep text
    assert elapsed < 2.0


@pytest.mark.parametrize("text, form", ALLOWED.values(), ids=ALLOWED.keys())
def test_allowed_with_its_form(text: str, form: str) -> None:
    guarded = guard_query(text)
    assert guarded.form == form
    assert guarded.text == text


UPDATES_WHEN_ALLOWED: dict[str, tuple[str, str | None]] = {
    "insert-data": ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", None),
    "clear": ("CLEAR ALL", None),
    "load-still-refused": ("LOAD <http://x.test/d.ttl>", "LOAD"),
    "load-after-insert": ("INSERT DATA { <urn:a> <urn:b> 1 } ; LOAD <http://x.test/>", "LOAD"),
    "using-refused": (
        f"INSERT {{ {SPO} }} USING <http://x.test/> WHERE {{ {SPO} }}",
        "USING",
    ),
    "service-in-update": (
        f"INSERT {{ {SPO} }} WHERE {{ SERVICE <http://x.test/> {{ {SPO} }} }}",
        "SERVICE",
    ),
}


@pytest.mark.parametrize(
    "text, fragment", UPDATES_WHEN_ALLOWED.values(), ids=UPDATES_WHEN_ALLOWED.keys()
)
def test_updates_when_allowed(text: str, fragment: str | None) -> None:
    if fragment is None:
        assert guard_query(text, allow_update=True).form == "UPDATE"
    else:
        with pytest.raises(QueryError, match=fragment):
            guard_query(text, allow_update=True)


LOCAL = "https://w3id.org/resgraph/id/graph/A/RES/66/172"

FROM_CASES: dict[str, tuple[str, bool]] = {
    "local-iri": (f"SELECT * FROM <{LOCAL}> {{ {SPO} }}", True),
    "local-named": (f"SELECT * FROM NAMED <{LOCAL}> {{ GRAPH ?g {{ {SPO} }} }}", True),
    "local-prefixed": (
        f"PREFIX g: <https://w3id.org/resgraph/id/graph/> SELECT * FROM g:A\\/RES\\/66\\/172 "
        f"{{ {SPO} }}",
        True,
    ),
    "local-and-remote": (f"SELECT * FROM <{LOCAL}> FROM <http://x.test/> {{ {SPO} }}", False),
    "other-graph": (f"SELECT * FROM <{LOCAL}0> {{ {SPO} }}", False),
    "undeclared-prefix": (f"SELECT * FROM g:x {{ {SPO} }}", False),
}


@pytest.mark.parametrize("text, allowed", FROM_CASES.values(), ids=FROM_CASES.keys())
def test_from_only_names_a_local_graph(text: str, allowed: bool) -> None:
    if allowed:
        assert guard_query(text, local_graphs={LOCAL}).form == "SELECT"
    else:
        with pytest.raises(QueryError, match="FROM"):
            guard_query(text, local_graphs={LOCAL})


LIMITS: dict[str, tuple[str, dict[str, int], bool]] = {
    "length-at-limit": ("ASK {}" + " " * 94, {"max_length": 100}, True),
    "length-over-limit": ("ASK {}" + " " * 95, {"max_length": 100}, False),
    "depth-at-limit": ("ASK {{{ ?s ?p ?o }}}", {"max_depth": 3}, True),
    "depth-over-limit": ("ASK {{{{ ?s ?p ?o }}}}", {"max_depth": 3}, False),
    "depth-counts-all-brackets": ("ASK { FILTER((1)) }", {"max_depth": 2}, False),
}


@pytest.mark.parametrize("text, limits, allowed", LIMITS.values(), ids=LIMITS.keys())
def test_limits_are_configurable(text: str, limits: dict[str, int], allowed: bool) -> None:
    if allowed:
        guard_query(text, **limits)  # type: ignore[arg-type]
    else:
        with pytest.raises(QueryError, match="limit is"):
            guard_query(text, **limits)  # type: ignore[arg-type]


DEPTHS: dict[str, tuple[str, int]] = {
    "flat": ("ASK { ?s ?p ?o }", 1),
    "string-quotes-escaped": ('ASK { ?s ?p "a\\"{{{" }', 1),
    "single-quoted": ("ASK { ?s ?p '((((' }", 1),
    "long-single-quoted": ("ASK { ?s ?p '''a\n((((\n''' }", 1),
    "unterminated-string": ('ASK { ?s ?p "((((\n ( }', 2),
    "comment-to-end-of-line": ("ASK { # {{{{\n { } }", 2),
    "prefixed-name-escape": ("ASK { ?s ?p e:a\\# { } }", 2),
    "iri-keeps-hash": ("ASK { <urn:a#((> ?p ( 1 ) }", 2),
    "lone-less-than": ("ASK { FILTER(1 <(2)) }", 3),
    "unbalanced-close": ("ASK } } } { ( }", 2),
}


@pytest.mark.parametrize("text, depth", DEPTHS.values(), ids=DEPTHS.keys())
def test_nesting_depth_skips_strings_iris_and_comments(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_depth_scan_is_linear() -> None:
    # the tokenizer's own regex must not backtrack on the texts it is meant to stop
    for text in ('"' + "\\" * 200_000, "<" * 200_000, "'''" + "'" * 200_000, "<a" * 100_000):
        start = time.perf_counter()
        nesting_depth(text)
        assert time.perf_counter() - start < 2.0


def test_every_shipped_query_passes_with_room_to_spare() -> None:
    from resgraph import resources

    paths = sorted(resources.queries_dir().rglob("*.rq"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert guard_query(text, source=path.name).form in ("SELECT", "CONSTRUCT", "ASK")
        assert nesting_depth(text) <= MAX_QUERY_DEPTH // 2, path.name


def test_queries_parsed_on_several_threads_at_once_all_parse() -> None:
    # rdflib's SPARQL grammar is shared state: without a lock every one of these failed,
    # with errors such as "Expected end of text, found 'SELECT'" (and the failure was cached)
    from concurrent.futures import ThreadPoolExecutor

    from resgraph import resources

    texts = [p.read_text(encoding="utf-8") for p in sorted(resources.queries_dir().rglob("*.rq"))]
    assert len(texts) > 20

    def parse(i: int) -> str | None:
        text = f"{texts[i % len(texts)]}\n# variant {i} (a text not parsed before)\n"
        try:
            guard_query(text, source=f"query {i}")
        except QueryError as exc:
            return str(exc)
        return None

    with ThreadPoolExecutor(8) as pool:
        failures = [f for f in pool.map(parse, range(48)) if f]
    assert failures == []
