"""Golden graphs: each tests/corpus/<case>/input.txt must give expected.ttl, by isomorphism.

Text diffs of Turtle are useless (prefix order, blank-node labels), so the
graphs are compared with rdflib.compare. To accept a change of output, run
`UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review the diff like code.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from conftest import TESTS_DIR
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from resgraph.export import union_graph
from resgraph.pipeline import parse_document
from resgraph.read import read_source
from resgraph.to_rdf import document_to_graph

CORPUS = TESTS_DIR / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "input.txt").is_file())
CONTENT_HASH = URIRef("https://w3id.org/resgraph/ontology#contentHash")
SOURCE_FILE = URIRef("https://w3id.org/resgraph/ontology#sourceFile")


def graph_of(path: Path, data: bytes | None = None) -> Graph:
    doc = parse_document(path, data=data)
    g = union_graph(document_to_graph(doc))
    # the source file name depends on where the test runs; the golden keeps a stable one
    for s, _, _ in list(g.triples((None, SOURCE_FILE, None))):
        g.set((s, SOURCE_FILE, Literal("input.txt")))
    return g


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_golden(case: Path) -> None:
    got = graph_of(case / "input.txt")
    expected_path = case / "expected.ttl"
    if os.environ.get("UPDATE_GOLDEN") or not expected_path.exists():
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"{expected_path} is missing: run UPDATE_GOLDEN=1 pytest {__file__}")
        got.serialize(expected_path, format="turtle", encoding="utf-8")
    expected = Graph().parse(expected_path, format="turtle")
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        lines = (
            sorted(f"+ {t}" for t in only_got)[:20] + sorted(f"- {t}" for t in only_expected)[:20]
        )
        pytest.fail(
            f"{case.name}: graph differs from expected.ttl "
            f"({len(only_got)} new, {len(only_expected)} missing triples); "
            "if the change is right run UPDATE_GOLDEN=1 and review the diff\n" + "\n".join(lines)
        )


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_bom_and_crlf_give_the_same_graph(case: Path) -> None:
    raw = (case / "input.txt").read_bytes()
    variant = codecs.BOM_UTF8 + raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    a = graph_of(case / "input.txt")
    b = graph_of(case / "input.txt", data=variant)
    for g in (a, b):
        g.remove((None, CONTENT_HASH, None))
    assert isomorphic(a, b)
    assert read_source("x", data=variant).text == read_source("x", data=raw).text
