"""clauses-containing-text on a CorpusStore: the FTS index narrows, the rows stay the same."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import SEED, TEST_DATA_DIR
from rdflib import Dataset

from resgraph import store
from resgraph.corpus_store import CorpusStore, NewDocument, substring_fts_query
from resgraph.pipeline import parse_document
from resgraph.to_rdf import document_key, document_to_graph, merge_datasets

INPUTS = [SEED, *sorted((TEST_DATA_DIR / "akn4un" / "ga75").glob("*.xml"))[:3]]

# needles that narrow (inner words, a prefix last word), that cannot (one cut word), that
# cut words at both ends, with odd case and punctuation, and that match nothing
NEEDLES = {
    "phrase": "smuggling of migrants",
    "two-words": "Member States",
    "prefix-last": "Convention agai",
    "cut-word": "migr",
    "cut-both-ends": "ugglin",
    "punctuation": ", and ",
    "upper": "GENERAL ASSEMBLY",
    "nothing": "zz qq zz",
    "common": "the",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[CorpusStore, Dataset]:
    news: list[NewDocument] = []
    sets: list[Dataset] = []
    for path in INPUTS:
        doc = parse_document(path)
        ds = document_to_graph(doc)
        (graph,) = {str(c.identifier) for c in ds.graphs() if len(c)}
        nq = ds.serialize(format="nquads", encoding="utf-8")
        news.append(NewDocument(graph, document_key(doc), str(path), "0" * 64, nq, len(ds)))
        sets.append(ds)
    where: Path = tmp_path_factory.mktemp("text-index") / "store"
    with CorpusStore.open(where, write=True) as s:
        s.put_documents(news)
    return CorpusStore.open(where), merge_datasets(sets)


@pytest.mark.parametrize("needle", NEEDLES.values(), ids=NEEDLES.keys())
def test_text_index_gives_the_plain_query_rows(
    corpus: tuple[CorpusStore, Dataset], needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, union = corpus
    params = {"text": needle}
    narrowed = store.run_query(s, "clauses-containing-text", params)
    expected = store.run_query(union, "clauses-containing-text", params)
    monkeypatch.setattr(store, "_TEXT_INDEXED", {})
    plain = store.run_query(s, "clauses-containing-text", params)
    assert narrowed.vars == plain.vars == expected.vars
    assert narrowed.rows == plain.rows
    assert Counter(narrowed.rows) == Counter(expected.rows)


def test_text_index_is_used_and_is_a_superset(corpus: tuple[CorpusStore, Dataset]) -> None:
    s, _ = corpus
    found = store.run_query(s, "clauses-containing-text", {"text": "Member States"})
    assert len(found) > 0
    candidates = s.text_candidates("Member States")
    assert candidates is not None
    assert {str(row[2]) for row in found} <= set(candidates)
    assert s.text_candidates("migr") is None  # a cut word: the index cannot narrow


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("a b c", '"b" "c"*'),
        ("word", None),
        ("éb bé", None),
        ("x_y_z", '"y" "z"*'),
        ("", None),
    ],
    ids=["inner-and-last", "one-word", "non-ascii-neighbours", "underscore", "empty"],
)
def test_substring_fts_query(needle: str, expected: str | None) -> None:
    assert substring_fts_query(needle) == expected
