"""The corpus store: the same query rows as rdflib, replace/remove, lock, search, crash safety."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, SEED, TEST_DATA_DIR
from rdflib import Dataset

from resgraph import store
from resgraph.corpus_store import CorpusStore, NewDocument, StoreLockedError
from resgraph.errors import InputError
from resgraph.pipeline import parse_document
from resgraph.to_rdf import document_key, document_to_graph, merge_datasets

GA75 = TEST_DATA_DIR / "akn4un" / "ga75"
# the seed plus a few real documents of another session and layout (AKN4UN XML)
INPUTS = [SEED, *sorted(GA75.glob("*.xml"))[:4]]


def new_document(path: Path) -> tuple[NewDocument, Dataset]:
    doc = parse_document(path)
    ds = document_to_graph(doc)
    (graph,) = {str(c.identifier) for c in ds.graphs() if len(c)}
    nq = ds.serialize(format="nquads", encoding="utf-8")
    new = NewDocument(graph, document_key(doc), str(path), "0" * 64, nq, len(ds))
    return new, ds


@pytest.fixture(scope="module")
def built() -> list[tuple[NewDocument, Dataset]]:
    return [new_document(p) for p in INPUTS]


@pytest.fixture(scope="module")
def corpus(
    built: list[tuple[NewDocument, Dataset]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[CorpusStore, Dataset]:
    path = tmp_path_factory.mktemp("corpus") / "store"
    with CorpusStore.open(path, write=True) as s:
        s.put_documents([new for new, _ in built])
    reader = CorpusStore.open(path)
    return reader, merge_datasets(ds for _, ds in built)


def _cases() -> list[tuple[str, dict[str, str]]]:
    cases: list[tuple[str, dict[str, str]]] = []
    for q in store.list_queries() + store.list_checks():
        params = {p.name: p.example for p in q.params if p.required and p.example}
        cases.append((q.name, params))
        if any(p.type == "iri-of-document-symbol" for p in q.params):
            # the same query started from a document of the other layout
            doc = {p.name: "A/RES/75/100" for p in q.params if p.type == "iri-of-document-symbol"}
            cases.append((q.name, {**params, **doc}))
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    ("name", "params"),
    CASES,
    ids=[f"{n}[{','.join(f'{k}={v}' for k, v in p.items())}]" for n, p in CASES],
)
def test_every_named_query_gives_the_same_rows_on_the_store(
    corpus: tuple[CorpusStore, Dataset], name: str, params: dict[str, str]
) -> None:
    s, union = corpus
    expected = store.run_query(union, name, params)
    got = store.run_query(s, name, params)
    assert got.vars == expected.vars
    assert Counter(got.rows) == Counter(expected.rows)
    assert isinstance(got, store.QueryResult)


def test_the_corpus_queries_find_rows(corpus: tuple[CorpusStore, Dataset]) -> None:
    # the comparison above would pass on two empty results: make sure it compares something
    s, _ = corpus
    assert len(store.run_query(s, "most-cited-instruments")) > 0
    chain = store.run_query(s, "citation-chain-from-resolution", {"document": "A/RES/67/185"})
    assert len(chain) > 0


def test_union_is_a_set_like_rdflib(corpus: tuple[CorpusStore, Dataset]) -> None:
    s, union = corpus
    triples = {(t[0], t[1], t[2]) for t in union.quads((None, None, None, None))}
    assert len(s) == len(triples)
    assert {str(c.identifier) for c in union.graphs() if len(c)} == {d.graph for d in s.documents()}


def test_manifest_rows(corpus: tuple[CorpusStore, Dataset]) -> None:
    s, _ = corpus
    docs = s.documents()
    assert sorted(d.source for d in docs) == sorted(str(p) for p in INPUTS)
    seed = s.by_source(str(SEED))
    assert [d.symbol for d in seed] == ["A/RES/67/185"]
    assert seed[0].graph == "https://w3id.org/resgraph/id/graph/A/RES/67/185"
    assert not seed[0].pending and seed[0].triples > 100


def test_dataset_is_a_faithful_copy(corpus: tuple[CorpusStore, Dataset]) -> None:
    s, union = corpus
    quads = set(s.dataset().quads((None, None, None, None)))
    assert quads == set(union.quads((None, None, None, None)))


@pytest.mark.parametrize("fmt", ["trig", "nq", "ttl", "nt"], ids=str)
def test_dump_reads_back(corpus: tuple[CorpusStore, Dataset], tmp_path: Path, fmt: str) -> None:
    s, union = corpus
    path = tmp_path / f"graph.{fmt}"
    s.dump(path, fmt)  # type: ignore[arg-type]
    back = Dataset()
    back.parse(path, format={"trig": "trig", "nq": "nquads", "ttl": "turtle", "nt": "nt"}[fmt])
    if fmt in ("trig", "nq"):
        assert set(back.quads((None, None, None, None))) == set(
            union.quads((None, None, None, None))
        )
    else:
        assert len(back) == len(s)


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("smuggling of migrants", "clause", ["smuggling", "migrants"]),
        ('"Treaty Series"', "footnote", ["Treaty", "Series"]),
        ("SMUGGL*", "clause", ["smuggl"]),
    ],
    ids=["words", "phrase-in-footnote", "prefix-case-folded"],
)
def test_search_finds_clauses_and_footnotes(
    corpus: tuple[CorpusStore, Dataset], text: str, kind: str, words: list[str]
) -> None:
    s, _ = corpus
    hits = s.search(text, limit=50)
    assert hits
    assert any(h.kind == kind for h in hits)
    for h in hits:
        assert h.symbol and h.iri.startswith("https://w3id.org/resgraph/id/doc/")
        assert all(w.lower() in h.snippet.lower() for w in words), h.snippet
    assert s.search("zzzqqq nonexistentword") == []
    assert isinstance(s.search('AND OR ( " * NEAR'), list)  # FTS5 syntax in user text: no error


def test_replace_touches_only_that_graph(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    (a, _), (b, _) = built[0], built[1]
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([a, b])
        b_before = set(s.quads([b.graph]))
        # a new version of a: half its quads, and a changed hash
        lines = a.nquads.splitlines(keepends=True)
        kept = b"".join(lines[: len(lines) // 2])
        s.put_document(NewDocument(a.graph, a.symbol, a.source, "1" * 64, kept, len(lines) // 2))
        assert set(s.quads([b.graph])) == b_before
        assert len(list(s.quads([a.graph]))) == len(lines) // 2
        assert s.document(a.graph) is not None and s.document(a.graph).sha256 == "1" * 64  # type: ignore[union-attr]
        # the union holds exactly the triples of the named graphs
        named = {(q.subject, q.predicate, q.object) for q in s.quads()}
        assert len(s) == len(named)
        # texts of the old version are gone from the index
        dropped = {line.split(b" ")[0] for line in lines[len(lines) // 2 :]}
        for hit in s.search("the", limit=10_000):
            if hit.graph == a.graph:
                assert f"<{hit.iri}>".encode() not in dropped - {
                    line.split(b" ")[0] for line in lines[: len(lines) // 2]
                }


def test_remove_keeps_shared_triples(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    (a, _), (b, b_ds) = built[0], built[1]
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([a, b])
        assert s.remove_document(a.graph)
        assert not s.remove_document(a.graph)  # gone already
        assert [d.graph for d in s.documents()] == [b.graph]
        assert len(s) == len({(t[0], t[1], t[2]) for t in b_ds.quads((None, None, None, None))})
        assert all(h.graph == b.graph for h in s.search("General Assembly", limit=1000))


def test_same_source_with_a_new_symbol_replaces_the_old_graph(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    (a, _), (b, _) = built[0], built[1]
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_document(a)
        # the file at a's path now holds b's document
        s.put_document(NewDocument(b.graph, b.symbol, a.source, b.sha256, b.nquads, b.triples))
        assert [(d.graph, d.source) for d in s.documents()] == [(b.graph, a.source)]
        assert not list(s.quads([a.graph]))


class _FailingLoad:
    """A pyoxigraph store whose loads die half way (a crash between the two databases)."""

    def __init__(self, real: object) -> None:
        self._real = real

    def bulk_load(self, *args: object, **kwargs: object) -> None:
        raise OSError("disk on fire")

    load = bulk_load  # a small write is one transactional load

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def test_interrupted_replace_is_pending_and_repaired(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    (a, _), (b, _) = built[0], built[1]
    path = tmp_path / "s"
    with CorpusStore.open(path, write=True) as s:
        s.put_documents([a, b])
        b_quads = set(s.quads([b.graph]))
        s.ox = _FailingLoad(s.ox)  # type: ignore[assignment]
        with pytest.raises(OSError, match="disk on fire"):
            s.put_document(NewDocument(a.graph, a.symbol, a.source, "2" * 64, a.nquads, 1))
        s.ox = s.ox._real  # type: ignore[attr-defined]
    with CorpusStore.open(path, write=True) as s:
        row = s.document(a.graph)
        assert row is not None and row.pending  # the next build rebuilds it
        assert s.document(b.graph) is not None and not s.document(b.graph).pending  # type: ignore[union-attr]
        assert set(s.quads([b.graph])) == b_quads
        # the union was rebuilt from the named graphs on opening
        assert len(s) == len({(q.subject, q.predicate, q.object) for q in s.quads()})


def test_lock_second_writer_and_reader_during_write(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with CorpusStore.open(path, write=True):
        with pytest.raises(StoreLockedError) as exc:
            CorpusStore.open(path, write=True)
        message = str(exc.value)
        assert str(path) in message and "is writing to it" in message
        assert "\n" not in message
        with pytest.raises(StoreLockedError, match="is writing to it"):
            CorpusStore.open(path)
    # readers share; a writer waits for them
    with (
        CorpusStore.open(path),
        CorpusStore.open(path),
        pytest.raises(StoreLockedError, match="reading it"),
    ):
        CorpusStore.open(path, write=True)
    with CorpusStore.open(path, write=True):
        pass


def test_reader_needs_a_store(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no corpus store"):
        CorpusStore.open(tmp_path / "nothing")


def test_lock_names_the_other_process(tmp_path: Path) -> None:
    path = tmp_path / "s"
    script = textwrap.dedent(
        f"""
        import sys
        from resgraph.corpus_store import CorpusStore
        with CorpusStore.open({str(path)!r}, write=True):
            print("ready", flush=True)
            sys.stdin.readline()
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_DIR,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError) as exc:
            CorpusStore.open(path)
        assert f"pid {child.pid}" in str(exc.value)
    finally:
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.flush()
        child.wait(timeout=60)
    with CorpusStore.open(path) as s:  # released when the writer ends
        assert s.documents() == []
