"""Every check gives the same rows on the corpus store (Oxigraph) as on rdflib.

The two engines can disagree on a query that SPARQL evaluates bottom-up: a FILTER NOT
EXISTS in a group that does not bind the variable it tests sees it unbound on Oxigraph
(the whole store) and bound on rdflib (the outer row). `tests/test_queries.py` runs the
fixtures on rdflib only; here each fixture's named graphs become documents of a store.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from resgraph import store
from resgraph.corpus_store import CorpusStore, NewDocument
from tests.test_queries import FIXTURES, _fixture, assert_rows, load_fixture

CHECKS = store.check_names()


def _documents(ds: rdflib.Dataset) -> list[NewDocument]:
    """Each non-empty named graph of the fixture as a document of its own."""
    docs = []
    for i, graph in enumerate(sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g))):
        name = rdflib.URIRef(str(graph.identifier))
        lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} {name.n3()} .\n" for s, p, o in graph)
        data = "".join(lines).encode()
        docs.append(
            NewDocument(
                str(name),
                f"X/{i}",
                f"/fixture/{i}",
                hashlib.sha256(data).hexdigest(),
                data,
                len(lines),
            )
        )
    return docs


def _store_rows(fixture: Path, name: str, tmp_path: Path) -> store.QueryResult:
    with CorpusStore.open(tmp_path / "store", write=True) as cs:
        cs.put_documents(_documents(load_fixture(fixture)))
        return store.run_query(cs, name)


@pytest.mark.parametrize("name", CHECKS, ids=CHECKS)
def test_check_on_the_store_reports_a_bad_graph(name: str, tmp_path: Path) -> None:
    fixture = _fixture(FIXTURES / f"{name}.invalid")
    expected = FIXTURES / f"{name}.invalid.expected.csv"
    assert_rows(store.run_query(load_fixture(fixture), name), expected)
    assert_rows(_store_rows(fixture, name, tmp_path), expected)


@pytest.mark.parametrize("name", CHECKS, ids=CHECKS)
def test_check_on_the_store_is_silent_on_a_well_formed_graph(name: str, tmp_path: Path) -> None:
    result = _store_rows(_fixture(FIXTURES / name), name, tmp_path)
    assert result.rows == (), store.format_result(result, "table")


_FIRST_PARSE = """
import sys
from concurrent.futures import ThreadPoolExecutor
from resgraph import guard, store

texts = [store.resources.queries_dir().joinpath(n + ".rq").read_text() for n in store.check_names()]
with ThreadPoolExecutor(len(texts)) as pool:
    parsed = list(pool.map(lambda t: guard.guard_query(t, source="check"), texts))
print(len(parsed))
"""


def test_checks_parsed_on_threads() -> None:
    """A fresh process parses the checks on threads at once (a first validated build):
    rdflib's parser sets itself up on its first parse, not thread-safely ("not valid
    SPARQL" on well-formed files, and the message was cached)."""
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", _FIRST_PARSE], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [str(len(CHECKS))]
