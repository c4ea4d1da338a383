"""Named queries (queries/*.rq) against hand-written fixtures, plus store safety and formats.

For `queries/X.rq`: `tests/queries/X.ttl` or `X.trig` is the input graph and
`X.expected.csv` the sorted result rows (header first); `X.params.json` holds the
parameters. Further cases of the same query: `X.<case>.params.json` with
`X.<case>.expected.csv`. Checks (`queries/checks/X-violation.rq`): the fixture
`tests/queries/checks/X-violation.ttl` is well formed (zero rows) and
`X-violation.invalid.ttl` is not (rows equal `X-violation.invalid.expected.csv`).

Write the expected CSV by hand from the fixture; `UPDATE_EXPECTED=1 pytest` rewrites
them from the current results, to be reviewed like code.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.sparql.parser import parseQuery

from resgraph import resources, store
from resgraph.errors import QueryError

FIXTURES = Path(__file__).resolve().parent / "queries"
QUERIES = resources.queries_dir()
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"


@dataclass(frozen=True)
class Case:
    query: str  # "treaties-cited-by-resolution" or "checks/…-violation"
    fixture: Path
    expected: Path
    params: dict[str, str]

    @property
    def id(self) -> str:
        return self.expected.name.removesuffix(".expected.csv")


def _fixture(stem: Path) -> Path:
    for ext in (".trig", ".ttl"):
        if stem.with_suffix(stem.suffix + ext).is_file():
            return stem.with_suffix(stem.suffix + ext)
    return stem.with_suffix(stem.suffix + ".ttl")  # missing: the test says so


def _params(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return {str(k): str(v) for k, v in data.items()}


def report_cases() -> list[Case]:
    cases = []
    for name in store.query_names():
        fixture = _fixture(FIXTURES / name)
        found = sorted(FIXTURES.glob(f"{name}.*expected.csv"))
        expected = [FIXTURES / f"{name}.expected.csv"] + [
            p for p in found if p.name != f"{name}.expected.csv"
        ]
        for exp in expected:
            case_stem = exp.name.removesuffix(".expected.csv")
            # "X.<case>" may also be a longer query name "X-more": only dotted cases belong here
            if case_stem != name and not re.fullmatch(re.escape(name) + r"\.[a-z0-9-]+", case_stem):
                continue
            cases.append(Case(name, fixture, exp, _params(FIXTURES / f"{case_stem}.params.json")))
    return cases


def load_fixture(path: Path) -> rdflib.Dataset:
    """A dataset from a TriG file, or a Turtle file loaded into one named graph."""
    ds = rdflib.Dataset()
    if path.suffix == ".trig":
        ds.parse(path, format="trig")
    else:
        ds.graph(rdflib.URIRef(f"urn:x-fixture:{path.stem}")).parse(path, format="turtle")
    return ds


def sorted_csv(text: str) -> str:
    """Header first, then the rows sorted, as CSV text."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows(sorted(rows[1:]))
    return out.getvalue()


def assert_rows(result: store.QueryResult, expected: Path) -> None:
    got = sorted_csv(store.format_result(result, "csv"))
    if UPDATE:
        expected.write_text(got, encoding="utf-8")
    assert expected.is_file(), f"missing {expected.relative_to(FIXTURES.parent)}"
    want = sorted_csv(expected.read_text(encoding="utf-8"))
    if got != want:
        diff = "\n".join(
            difflib.unified_diff(
                want.splitlines(), got.splitlines(), str(expected.name), "result", lineterm=""
            )
        )
        pytest.fail(f"{result.name}: rows differ from {expected.name}\n{diff}")


REPORTS = report_cases()


@pytest.mark.parametrize("case", REPORTS, ids=[c.id for c in REPORTS])
def test_report_query_matches_expected(case: Case) -> None:
    assert case.fixture.is_file(), f"no fixture for {case.query}: {case.fixture.name}"
    result = store.run_query(load_fixture(case.fixture), case.query, case.params)
    assert_rows(result, case.expected)


def test_every_query_has_a_fixture_case() -> None:
    covered = {c.query for c in REPORTS if c.expected.is_file()}
    assert sorted(set(store.query_names()) - covered) == []


def test_every_params_file_has_its_expected_rows() -> None:
    orphans = [
        p.name
        for p in FIXTURES.glob("*.params.json")
        if not p.with_name(p.name.replace(".params.json", ".expected.csv")).is_file()
    ]
    assert orphans == []


CHECKS = store.check_names()


@pytest.mark.parametrize("name", CHECKS, ids=CHECKS)
def test_check_is_silent_on_a_well_formed_graph(name: str) -> None:
    fixture = _fixture(FIXTURES / name)
    result = store.run_query(load_fixture(fixture), name)
    assert result.rows == (), store.format_result(result, "table")


@pytest.mark.parametrize("name", CHECKS, ids=CHECKS)
def test_check_reports_a_bad_graph(name: str) -> None:
    fixture = _fixture(FIXTURES / f"{name}.invalid")
    result = store.run_query(load_fixture(fixture), name)
    assert len(result.rows) > 0
    assert_rows(result, FIXTURES / f"{name}.invalid.expected.csv")


def test_listings_agree_with_names() -> None:
    assert [q.name for q in store.list_queries()] == store.query_names()
    assert [q.name for q in store.list_checks()] == CHECKS
    assert all(q.kind == "check" for q in store.list_checks())


def test_run_checks_runs_every_check() -> None:
    ds = load_fixture(_fixture(FIXTURES / CHECKS[0]))
    assert [name for name, _ in store.run_checks(ds)] == CHECKS


# -- headers -----------------------------------------------------------------------------

ALL = store.query_names() + CHECKS


@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_query_parses_and_declares_its_params(name: str) -> None:
    query = store.load_query(name)  # raises when header and ?_ variables disagree
    parseQuery(query.text)
    assert query.summary
    assert re.fullmatch(r"(checks/)?[a-z0-9]+(-[a-z0-9]+)*", name)
    assert (query.kind == "check") == name.startswith("checks/")
    for p in query.params:
        assert p.example is not None, f"{name}: parameter {p.name} has no example"
        if p.type != "limit":
            assert f"?_{p.name}" in query.text


@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_query_runs_with_its_examples(name: str) -> None:
    query = store.load_query(name)
    params = {p.name: p.example for p in query.params if p.example is not None}
    store.run_query(rdflib.Dataset(), name, params)


BAD_HEADERS = {
    "no-summary": "SELECT * WHERE { ?s ?p ?o }",
    "undeclared-param": "#+ summary: x\nSELECT * WHERE { ?_document ?p ?o }",
    "unused-param": (
        "#+ summary: x\n#+ param: document iri-of-document-symbol required example=A/RES/1/1\n"
        "SELECT * WHERE { ?s ?p ?o }"
    ),
    "unknown-type": (
        "#+ summary: x\n#+ param: n float required example=1\nSELECT * WHERE { ?_n ?p ?o }"
    ),
    "unknown-key": "#+ summary: x\n#+ returns: ?s\nSELECT * WHERE { ?s ?p ?o }",
    "required-with-default": (
        "#+ summary: x\n#+ param: n integer required default=1 example=1\n"
        "SELECT * WHERE { ?s ?p ?_n }"
    ),
}


@pytest.mark.parametrize("text", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_bad_header_is_refused(text: str, tmp_path: Path) -> None:
    path = tmp_path / "bad-header.rq"
    path.write_text(text, encoding="utf-8")
    if "summary" not in text:
        # a user's own file may skip the summary; a shipped one may not
        with pytest.raises(QueryError, match="summary"):
            store._load(path, "bad-header")
        return
    with pytest.raises(QueryError, match=r"bad-header\.rq"):
        store.read_query(path)


# -- parameters -------------------------------------------------------------------------


def test_missing_required_param_names_the_file() -> None:
    with pytest.raises(QueryError, match=r"treaties-cited-by-resolution\.rq.*document"):
        store.run_query(rdflib.Dataset(), "treaties-cited-by-resolution", {})


def test_unknown_param_names_the_file() -> None:
    with pytest.raises(QueryError, match=r"most-cited-instruments\.rq.*'symbol'"):
        store.run_query(rdflib.Dataset(), "most-cited-instruments", {"symbol": "A/RES/1/1"})


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("treaties-in-unts-volume", {"volume": "two thousand"}),
        ("documents-by-organ-and-session", {"adoptedFrom": "20 December 2012"}),
        ("most-cited-instruments", {"limit": "-1"}),
        ("treaties-cited-by-resolution", {"document": "  "}),
    ],
    ids=["integer", "date", "negative-limit", "empty-symbol"],
)
def test_badly_typed_param_is_refused(query: str, params: dict[str, str]) -> None:
    with pytest.raises(QueryError, match=rf"{query}\.rq"):
        store.run_query(rdflib.Dataset(), query, params)


def test_unknown_query_is_refused() -> None:
    with pytest.raises(QueryError, match="no such query"):
        store.load_query("no-such-query")
    with pytest.raises(QueryError, match="not a query name"):
        store.load_query("../pyproject")


def test_document_param_uses_the_configured_base() -> None:
    base = "http://example.org/un/"
    ds = rdflib.Dataset()
    g = ds.graph(rdflib.URIRef("urn:x-test"))
    text = (FIXTURES / "treaties-cited-by-resolution.trig").read_text(encoding="utf-8")
    g.parse(
        data=text.replace("@base <https://w3id.org/resgraph/id/>", f"@base <{base}>"), format="trig"
    )
    default = store.run_query(ds, "treaties-cited-by-resolution", {"document": "A/RES/67/185"})
    rebased = store.run_query(
        ds, "treaties-cited-by-resolution", {"document": "A/RES/67/185"}, base=base
    )
    assert default.rows == ()
    assert len(rebased.rows) > 0


def test_limit_cuts_the_ordered_rows() -> None:
    ds = load_fixture(_fixture(FIXTURES / "most-cited-instruments"))
    full = store.run_query(ds, "most-cited-instruments", {"limit": "1000"})
    top = store.run_query(ds, "most-cited-instruments", {"limit": "2"})
    assert len(full.rows) > 2
    assert top.rows == full.rows[:2]


# -- safety -----------------------------------------------------------------------------

REFUSED = {
    "service": "#+ summary: x\nSELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "service-variable": "#+ summary: x\nSELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "nested-service": (
        "#+ summary: x\nSELECT * WHERE { ?s ?p ?o OPTIONAL { { SELECT ?x WHERE {"
        " SERVICE SILENT <http://example.org/sparql> { ?x ?y ?z } } } } }"
    ),
    "load": "#+ summary: x\nLOAD <http://example.org/data.ttl>",
    "insert": "#+ summary: x\nINSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "remote-from": "#+ summary: x\nSELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }",
    "remote-from-named": (
        "#+ summary: x\nSELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }"
    ),
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_network_access_is_refused(text: str, tmp_path: Path) -> None:
    path = tmp_path / "user-query.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QueryError, match=r"user-query\.rq"):
        query = store.read_query(path)
        store.run_query(rdflib.Dataset(), query)


def test_from_a_local_graph_is_allowed(tmp_path: Path) -> None:
    ds = load_fixture(FIXTURES / "treaties-cited-by-resolution.trig")
    path = tmp_path / "local-from.rq"
    path.write_text(
        "#+ summary: x\nSELECT ?s FROM <https://w3id.org/resgraph/id/graph/A/RES/66/172>"
        " WHERE { ?s a <https://w3id.org/resgraph/ontology#Resolution> }",
        encoding="utf-8",
    )
    result = store.run_query(ds, store.read_query(path))
    assert len(result.rows) > 0


# -- output formats ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> store.QueryResult:
    ds = load_fixture(_fixture(FIXTURES / "treaties-cited-by-resolution"))
    return store.run_query(ds, "treaties-cited-by-resolution", {"document": "A/RES/67/185"})


def test_csv_parses_back(sample: store.QueryResult) -> None:
    rows = list(csv.reader(io.StringIO(store.format_result(sample, "csv"))))
    assert tuple(rows[0]) == sample.vars
    assert len(rows) == len(sample.rows) + 1
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in sample.rows]


def test_json_is_sparql_results_json(sample: store.QueryResult) -> None:
    data = json.loads(store.format_result(sample, "json"))
    assert data["head"]["vars"] == list(sample.vars)
    bindings = data["results"]["bindings"]
    assert len(bindings) == len(sample.rows)
    for binding, row in zip(bindings, sample.rows, strict=True):
        assert set(binding) == {v for v, t in zip(sample.vars, row, strict=True) if t is not None}
        for term in binding.values():
            assert term["type"] in ("uri", "literal", "bnode")
            assert isinstance(term["value"], str)
            assert not ("datatype" in term and "xml:lang" in term)
    # rdflib reads it back as SPARQL JSON results
    parsed = rdflib.query.Result.parse(
        io.StringIO(store.format_result(sample, "json")), format="json"
    )
    assert len(list(parsed)) == len(sample.rows)
    volumes = [b["volume"] for b in bindings if "volume" in b]
    assert volumes and all(
        v["datatype"] == "http://www.w3.org/2001/XMLSchema#integer" for v in volumes
    )


def test_table_is_aligned(sample: store.QueryResult) -> None:
    lines = store.format_result(sample, "table").splitlines()
    assert lines[0].split() == list(sample.vars)
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == f"({len(sample.rows)} rows)"
    starts = [m.start() for m in re.finditer(r"\S+", lines[0])]
    for line in lines[2:-1]:
        for s in starts[1:]:
            assert line[s - 2 : s] == "  " or line[s - 1] == " ", line  # columns line up
