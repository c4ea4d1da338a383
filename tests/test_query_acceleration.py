"""Corpus-wide aggregates made fast: exactly the rows of the plain SPARQL, before and after.

- `most-cited-instruments` on a CorpusStore is answered from the citation counts kept
  beside the manifest (resgraph/citation_index.py); here its rows are compared with the
  same SPARQL run by Oxigraph on the same store (a user file of the same text is never
  accelerated), and with rdflib on the same documents, on generated documents and the
  seed, after a document is replaced and after one is removed.
- `documents-by-organ-and-session` was rewritten for Oxigraph's planner; the text it had
  before is kept here and must give the same rows for every combination of parameters.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph
import pytest
from conftest import SEED
from rdflib import Dataset

from bench import gen_corpus
from resgraph import citation_index, store
from resgraph.corpus_store import CorpusStore, NewDocument
from resgraph.pipeline import parse_document
from resgraph.to_rdf import document_key, document_to_graph, merge_datasets

N_GENERATED = 30

OLD_DOCUMENTS_BY_ORGAN_AND_SESSION = """\
#+ summary: The documents parsed into the corpus (the text before it was rewritten).
#+ param: organ string optional example="General Assembly" -- the adopting organ
#+ param: session integer optional example=67 -- the GA session
#+ param: adoptedFrom date optional example=2012-01-01 -- adopted on or after
#+ param: adoptedTo date optional example=2012-12-31 -- adopted on or before
PREFIX rg: <https://w3id.org/resgraph/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?document ?identifier ?date ?organLabel ?session ?title
WHERE {
  ?document rg:sourceFile ?file ;
      dcterms:identifier ?identifier .
  OPTIONAL { ?document rg:organ/rdfs:label ?organLabel }
  OPTIONAL { ?document rg:session ?session }
  OPTIONAL { ?document eli:date_document ?date }
  OPTIONAL { ?document dcterms:title ?title }
  FILTER (!BOUND(?_organ) || LCASE(STR(?organLabel)) = LCASE(STR(?_organ)))
  FILTER (!BOUND(?_session) || ?session = ?_session)
  FILTER (!BOUND(?_adoptedFrom) || ?date >= ?_adoptedFrom)
  FILTER (!BOUND(?_adoptedTo) || ?date <= ?_adoptedTo)
}
ORDER BY ?date ?identifier
"""

OLD_CLAUSES_BY_OPENING_PHRASE = """\
#+ summary: Clauses opening with a given phrase, variants included, with their text.
#+ description: Matches the printed phrase case-insensitively, as a whole or as its first words
#+ description: ("Recalling" finds "Recalling also"), or the preferred label of the phrase concept,
#+ description: which groups the variants ("Recalling" also finds "Also recalling").
#+ param: phrase string required example=Reaffirming -- the opening phrase
#+ param: document iri-of-document-symbol optional example=A/RES/67/185 -- only this document
PREFIX rg: <https://w3id.org/resgraph/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?document ?identifier ?clause ?phrase ?text
WHERE {
  # the phrase test first, on rg:phrase alone (a few thousand clauses of a large corpus), then
  # the walk up to the document: walking every clause's eli:is_part_of+ first costs ~20x more
  # on Oxigraph. The concept's labels are a second UNION branch, not an EXISTS per clause;
  # DISTINCT folds a clause both branches find (a (clause, phrase) pair is one triple).
  { SELECT DISTINCT ?clause ?phrase WHERE {
      { ?clause rg:phrase ?phrase .
        FILTER (LCASE(STR(?phrase)) = LCASE(STR(?_phrase))
                || STRSTARTS(LCASE(STR(?phrase)), CONCAT(LCASE(STR(?_phrase)), " "))) }
      UNION
      { ?concept skos:prefLabel ?label .
        FILTER (LCASE(STR(?label)) = LCASE(STR(?_phrase)))
        ?clause rg:phraseConcept ?concept ;
            rg:phrase ?phrase . } } }
  ?clause eli:is_part_of+ ?document .
  ?document dcterms:identifier ?identifier .
  FILTER (!BOUND(?_document) || ?document = ?_document)
  OPTIONAL { ?clause rg:text ?text }
}
ORDER BY ?identifier ?clause
"""

OLD_OPERATIVE_PARAGRAPHS = """\
#+ summary: Operative paragraphs with a given opening verb whose text mentions Member States.
#+ param: verb string required example=urges -- opening verb or verb group
#+ param: document iri-of-document-symbol optional example=A/RES/67/185 -- only this document
PREFIX rg: <https://w3id.org/resgraph/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?document ?identifier ?clause ?number ?phrase ?text
WHERE {
  ?clause a rg:OperativeParagraph ;
      eli:is_part_of ?document ;
      rg:phrase ?phrase ;
      rg:text ?text .
  FILTER (!BOUND(?_document) || ?document = ?_document)
  OPTIONAL { ?document dcterms:identifier ?identifier }
  OPTIONAL { ?clause rg:number ?number }
  # whole-word match on the printed phrase, or the concept's labels / local name
  FILTER (CONTAINS(CONCAT(" ", LCASE(STR(?phrase)), " "), CONCAT(" ", LCASE(STR(?_verb)), " "))
          || EXISTS { ?clause rg:phraseConcept ?concept .
                      OPTIONAL { ?concept skos:prefLabel|skos:altLabel ?label }
                      FILTER (LCASE(REPLACE(STR(?concept), "^.*[/#]", "")) = LCASE(STR(?_verb))
                              || LCASE(STR(?label)) = LCASE(STR(?_verb))) })
  FILTER (CONTAINS(LCASE(STR(?text)), "member states"))
}
ORDER BY ?identifier ?clause
"""

OLD_TREATIES_IN_UNTS_VOLUME = """\
#+ summary: Treaties in a UNTS volume (the text before the volume was repeated in the OPTIONAL).
#+ param: volume integer required example=2225 -- the UNTS volume number
PREFIX rg: <https://w3id.org/resgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?treaty ?label ?registrationNumber (COUNT(DISTINCT ?citing) AS ?citingDocuments)
WHERE {
  ?vol a rg:TreatySeriesVolume ;
      rg:volumeNumber ?_volume .
  # LNTS volumes share the class and numbers; the volume IRI is unts/vol/<n> by contract (ids.py)
  FILTER (CONTAINS(STR(?vol), "/unts/vol/"))
  ?treaty rg:inVolume ?vol .
  OPTIONAL { ?treaty rdfs:label ?label }
  OPTIONAL { ?treaty rg:untsRegistrationNumber ?registrationNumber }
  # the citations of the volume first (bound ?vol is the selective key), the class as a
  # FILTER EXISTS (one triple: the same rows): Oxigraph joined every rg:Citation otherwise
  OPTIONAL { ?citation rg:citedVolume ?vol ;
                 rg:cited ?treaty ;
                 rg:citingDocument ?citing .
             FILTER EXISTS { ?citation a rg:Citation } }
}
GROUP BY ?treaty ?label ?registrationNumber
ORDER BY ?label ?treaty
"""

RG = "https://w3id.org/resgraph/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
X = "https://example.org/x/"


def _citations(
    graph: str, doc: str, cites: list[tuple[str, str]], labels: dict[str, list[str]]
) -> NewDocument:
    """A hand-made document graph: citation nodes `<doc>/cit/<n>` citing (instrument, citing)."""
    lines = []
    for n, (instrument, citing) in enumerate(cites, 1):
        c = f"<{doc}/cit/{n}>"
        lines += [
            f"{c} <{TYPE}> <{RG}Citation> <{graph}> .",
            f"{c} <{RG}cited> <{instrument}> <{graph}> .",
            f"{c} <{RG}citingDocument> <{citing}> <{graph}> .",
        ]
    for iri, values in labels.items():
        lines += [f'<{iri}> <{LABEL}> "{v}" <{graph}> .' for v in values]
    nq = ("\n".join(lines) + "\n").encode()
    return NewDocument(graph, graph.rsplit("/", 1)[-1], graph, "f" * 64, nq, len(lines))


# ties broken by label (unbound first) and IRI, two labels of one instrument, no label
EDGE = [
    _citations(
        X + "graph/e1",
        X + "doc/e1",
        [(X + "i1", X + "doc/e1"), (X + "i2", X + "doc/e1"), (X + "i3", X + "doc/e1")],
        {X + "i1": ["B label", "A label"], X + "i3": ["A label"]},
    ),
    _citations(
        X + "graph/e2",
        X + "doc/e2",
        [(X + "i1", X + "doc/e2"), (X + "i2", X + "doc/e2"), (X + "i3", X + "doc/e2")],
        {X + "i3": ["A label"], X + "i4": ["never cited"]},
    ),
]


def _new(path: Path) -> tuple[NewDocument, Dataset]:
    doc = parse_document(path)
    ds = document_to_graph(doc)
    (graph,) = {str(c.identifier) for c in ds.graphs() if len(c)}
    nq = ds.serialize(format="nquads", encoding="utf-8")
    return NewDocument(graph, document_key(doc), str(path), "0" * 64, nq, len(ds)), ds


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[NewDocument, Dataset]]:
    folder = tmp_path_factory.mktemp("generated")
    gen_corpus.generate(N_GENERATED, folder, seed=5)
    paths = [SEED, *sorted(folder.glob("*.txt"))]
    return [_new(p) for p in paths]


def _plain(name: str, tmp: Path) -> store.NamedQuery:
    """The shipped query as a user's file: same text, never answered from the counts."""
    path = tmp / f"{name}.rq"
    path.write_text(store.load_query(name).text, encoding="utf-8")
    return store.read_query(path)


LIMITS = ["0", "1", "2", "3", "5", "20", "100000"]


def _assert_most_cited_exact(s: CorpusStore, tmp: Path, *, accelerated: bool = True) -> None:
    plain = _plain("most-cited-instruments", tmp)
    for limit in LIMITS:
        got = store.run_query(s, "most-cited-instruments", {"limit": limit})
        want = store.run_query(s, plain, {"limit": limit})
        assert got.vars == want.vars
        assert got.rows == want.rows, f"limit={limit}"
    used = citation_index.most_cited_instruments(s, 5)
    assert (used is not None) == accelerated
    if accelerated:  # the totals kept step by step equal the totals counted afresh
        db = sqlite3.connect(s.path / "manifest.sqlite")
        kept = db.execute("SELECT * FROM citation_totals ORDER BY instrument").fetchall()
        counted = db.execute(
            "SELECT instrument, COUNT(DISTINCT citing), SUM(citations) FROM citation_counts"
            " GROUP BY instrument ORDER BY instrument"
        ).fetchall()
        pairs = db.execute("SELECT COUNT(*), SUM(graphs) FROM citation_pairs").fetchone()
        rows = db.execute(
            "SELECT COUNT(DISTINCT instrument || ' ' || citing), COUNT(*) FROM citation_counts"
        ).fetchone()
        db.close()
        assert kept == counted
        assert pairs == rows or (pairs[0] == 0 and rows[0] == 0)


def test_most_cited_rows_equal_the_sparql(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([n for n, _ in built])
        _assert_most_cited_exact(s, tmp_path)
        # and rdflib's evaluation of the same query on the same documents
        ds = merge_datasets(d for _, d in built)
        for limit in LIMITS:
            got = store.run_query(s, "most-cited-instruments", {"limit": limit})
            assert got.rows == store.run_query(ds, "most-cited-instruments", {"limit": limit}).rows
        assert len(store.run_query(s, "most-cited-instruments", {"limit": "100000"})) > 10


def test_most_cited_after_replace_and_remove(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([n for n, _ in built])
        before = store.run_query(s, "most-cited-instruments", {"limit": "100000"}).rows
        # a new version of the seed keeping only the first half of its quads
        a = built[0][0]
        lines = a.nquads.splitlines(keepends=True)
        half = b"".join(lines[: len(lines) // 2])
        s.put_document(NewDocument(a.graph, a.symbol, a.source, "1" * 64, half, len(lines) // 2))
        _assert_most_cited_exact(s, tmp_path)
        assert store.run_query(s, "most-cited-instruments", {"limit": "100000"}).rows != before
        # two removed, then one of them back
        b = built[1][0]
        s.remove_documents([a.graph, b.graph])
        _assert_most_cited_exact(s, tmp_path)
        s.put_document(b)
        _assert_most_cited_exact(s, tmp_path)


def test_most_cited_ties_labels_and_unlabelled(tmp_path: Path) -> None:
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents(EDGE)
        _assert_most_cited_exact(s, tmp_path)
        rows = store.run_query(s, "most-cited-instruments", {"limit": "10"}).rows
        assert [(str(r[0])[len(X) :], r[1] and str(r[1])) for r in rows] == [
            ("i2", None),
            ("i1", "A label"),
            ("i3", "A label"),
            ("i1", "B label"),
        ]


IRREGULAR = {
    # the same citation node in two graphs: the union joins across them
    "node-in-two-graphs": _citations(X + "graph/e3", X + "doc/e1", [(X + "i9", X + "doc/e3")], {}),
    # one citation, two citing documents
    "two-citing-documents": NewDocument(
        X + "graph/e4",
        "e4",
        X + "graph/e4",
        "e" * 64,
        (
            f"<{X}doc/e4/cit/1> <{TYPE}> <{RG}Citation> <{X}graph/e4> .\n"
            f"<{X}doc/e4/cit/1> <{RG}cited> <{X}i1> <{X}graph/e4> .\n"
            f"<{X}doc/e4/cit/1> <{RG}citingDocument> <{X}doc/e4> <{X}graph/e4> .\n"
            f"<{X}doc/e4/cit/1> <{RG}citingDocument> <{X}doc/e5> <{X}graph/e4> .\n"
        ).encode(),
        4,
    ),
}


@pytest.mark.parametrize("case", IRREGULAR.values(), ids=IRREGULAR.keys())
def test_irregular_graphs_fall_back_to_sparql(case: NewDocument, tmp_path: Path) -> None:
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([*EDGE, case])
        _assert_most_cited_exact(s, tmp_path, accelerated=False)
        s.remove_document(case.graph)
        if case.graph != X + "graph/e3":
            _assert_most_cited_exact(s, tmp_path)


def test_stale_or_missing_counts_are_not_used_and_are_rebuilt(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    path = tmp_path / "s"
    with CorpusStore.open(path, write=True) as s:
        s.put_documents([n for n, _ in built[:8]])
    db = sqlite3.connect(path / "manifest.sqlite")
    # a store built before the counts existed
    db.executescript(
        "DROP TABLE citation_counts; DROP TABLE citation_nodes; DROP TABLE citation_graphs;"
    )
    db.close()
    with CorpusStore.open(path) as r:
        _assert_most_cited_exact(r, tmp_path, accelerated=False)
    with CorpusStore.open(path, write=True) as s:  # a writable open takes them
        _assert_most_cited_exact(s, tmp_path)
    # a manifest row that changed after the counts were taken (a crash between the two)
    db = sqlite3.connect(path / "manifest.sqlite")
    db.execute("UPDATE documents SET sha256 = '9' || substr(sha256, 2) WHERE rowid = 1")
    db.commit()
    db.close()
    with CorpusStore.open(path) as r:
        _assert_most_cited_exact(r, tmp_path, accelerated=False)
    with CorpusStore.open(path, write=True) as s:
        _assert_most_cited_exact(s, tmp_path)


FULL = {"organ": "General Assembly", "session": "67", "adoptedFrom": "2012-01-01"}
ORGAN_CASES: list[dict[str, str]] = [
    {},
    {"session": "67"},
    {"organ": "general assembly"},
    {"organ": "Security Council"},
    {"adoptedFrom": "2012-01-01"},
    {"adoptedTo": "1990-12-31"},
    {"adoptedFrom": "2000-01-01", "adoptedTo": "2012-12-31"},
    {"session": "67", "adoptedFrom": "2012-12-01"},
    {"session": "67", "adoptedTo": "2012-06-30"},
    {**FULL, "adoptedTo": "2012-12-31"},
    {"organ": "General Assembly", "adoptedFrom": "1995-01-01"},
    {"session": "1"},
]


def test_documents_by_organ_and_session_rows_unchanged(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    old_path = tmp_path / "documents-by-organ-and-session-old.rq"
    old_path.write_text(OLD_DOCUMENTS_BY_ORGAN_AND_SESSION, encoding="utf-8")
    old = store.read_query(old_path)
    ds = merge_datasets(d for _, d in built)
    seed_only = built[0][1]
    sessions = {
        str(r[4]) for r in store.run_query(ds, "documents-by-organ-and-session").rows if r[4]
    }
    cases = [*ORGAN_CASES, *({"session": s} for s in sorted(sessions)[:3])]
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([n for n, _ in built])
        found = 0
        for params in cases:
            new_rows = store.run_query(s, "documents-by-organ-and-session", params).rows
            assert new_rows == store.run_query(s, old, params).rows, params
            assert new_rows == store.run_query(ds, old, params).rows, params
            assert (
                store.run_query(seed_only, "documents-by-organ-and-session", params).rows
                == store.run_query(seed_only, old, params).rows
            ), params
            found += len(new_rows)
        assert found > len(built)  # the cases select something


def test_most_cited_counts_a_document_cited_from_two_graphs_once(tmp_path: Path) -> None:
    # graph e5 holds citations whose citing document is e1's: COUNT(DISTINCT) over the union
    other = _citations(X + "graph/e5", X + "doc/e5", [(X + "i1", X + "doc/e1")], {})
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([*EDGE, other])
        _assert_most_cited_exact(s, tmp_path)
        top = store.run_query(s, "most-cited-instruments", {"limit": "1"}).rows[0]
        assert (str(top[0]), int(top[2]), int(top[3])) == (X + "i1", 2, 3)  # type: ignore[arg-type]


def test_treaties_in_unts_volume_rows_unchanged(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    old_path = tmp_path / "treaties-in-unts-volume-old.rq"
    old_path.write_text(OLD_TREATIES_IN_UNTS_VOLUME, encoding="utf-8")
    old = store.read_query(old_path)
    ds = merge_datasets(d for _, d in built)
    numbers = ds.query(
        "SELECT DISTINCT ?n WHERE { ?v <https://w3id.org/resgraph/ontology#volumeNumber> ?n }"
    )
    volumes = [*sorted({str(row[0]) for row in numbers}), "999999"]  # type: ignore[index]
    assert len(volumes) > 3
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([n for n, _ in built])
        found = 0
        for volume in volumes:
            params = {"volume": volume}
            rows = store.run_query(s, "treaties-in-unts-volume", params).rows
            assert rows == store.run_query(s, old, params).rows, volume
            assert rows == store.run_query(ds, old, params).rows, volume
            found += len(rows)
        assert found >= len(volumes) - 1


def test_counts_from_nquads_equal_counts_read_from_the_store(
    built: list[tuple[NewDocument, Dataset]],
) -> None:
    """The writer takes a graph's counts from its N-Quads: the same as reading the graph back."""
    docs = [d for d, _ in built] + EDGE + list(IRREGULAR.values())
    store_ = pyoxigraph.Store()
    for d in docs:
        store_.bulk_load(d.nquads, pyoxigraph.RdfFormat.N_QUADS)
    for d in docs:
        rows, nodes, irregular = citation_index.nquads_counts(d.nquads)
        want_rows, want_nodes, want_irregular = citation_index._graph_counts(store_, d.graph)
        assert (sorted(rows), nodes, irregular) == (sorted(want_rows), want_nodes, want_irregular)
    assert any(citation_index.nquads_counts(d.nquads)[0] for d, _ in built)


def test_a_sparql_update_drops_the_counts_until_the_next_writable_open(tmp_path: Path) -> None:
    """serve --allow-update changes the triples behind the manifest: the counts must not vouch."""
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents(EDGE)
        _assert_most_cited_exact(s, tmp_path)
        # one more citation of i2, straight into the store (what serve's update does)
        c = f"<{X}doc/e1/cit/99>"
        triples = (
            f"{c} <{TYPE}> <{RG}Citation> . {c} <{RG}cited> <{X}i2> ."
            f" {c} <{RG}citingDocument> <{X}doc/e1> ."
        )
        s.ox.update(f"INSERT DATA {{ {triples} GRAPH <{X}graph/e1> {{ {triples} }} }}")
        s.updated_outside()
        assert s.cached("triples") is None
        _assert_most_cited_exact(s, tmp_path, accelerated=False)
        top = store.run_query(s, "most-cited-instruments", {"limit": "1"}).rows[0]
        assert str(top[0]) == X + "i2" and int(str(top[3])) == 3
    with CorpusStore.open(tmp_path / "s", write=True) as s:  # counted again from the graphs
        _assert_most_cited_exact(s, tmp_path)


def test_clauses_by_opening_phrase_rows_unchanged(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    """The rewrite that starts from a given document gives the old text's rows."""
    old_path = tmp_path / "clauses-by-opening-phrase-old.rq"
    old_path.write_text(OLD_CLAUSES_BY_OPENING_PHRASE, encoding="utf-8")
    old = store.read_query(old_path)
    ds = merge_datasets(d for _, d in built)
    seed_only = built[0][1]
    documents = [n.symbol for n, _ in built[:4]]
    phrases = ["Recalling", "reaffirming", "Takes note", "Welcoming also", "Decides", "Urges"]
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([n for n, _ in built])
        found = 0
        for phrase in phrases:
            for params in [
                {"phrase": phrase},
                *({"phrase": phrase, "document": d} for d in documents),
            ]:
                new_rows = store.run_query(s, "clauses-by-opening-phrase", params).rows
                assert new_rows == store.run_query(s, old, params).rows, params
                assert new_rows == store.run_query(ds, old, params).rows, params
                found += len(new_rows)
            seed = {"phrase": phrase, "document": documents[0]}
            assert (
                store.run_query(seed_only, "clauses-by-opening-phrase", seed).rows
                == store.run_query(seed_only, old, seed).rows
            )
        assert found > 100  # the cases select something, per document too


def test_operative_paragraphs_addressed_to_member_states_rows_unchanged(
    built: list[tuple[NewDocument, Dataset]], tmp_path: Path
) -> None:
    """The rewrite that starts from a given document gives the old text's rows."""
    old_path = tmp_path / "operative-paragraphs-old.rq"
    old_path.write_text(OLD_OPERATIVE_PARAGRAPHS, encoding="utf-8")
    old = store.read_query(old_path)
    name = "operative-paragraphs-addressed-to-member-states"
    ds = merge_datasets(d for _, d in built)
    documents = [n.symbol for n, _ in built[:6]]
    with CorpusStore.open(tmp_path / "s", write=True) as s:
        s.put_documents([n for n, _ in built])
        found = 0
        for verb in ["urges", "calls upon", "encourages", "requests", "invites"]:
            for params in [{"verb": verb}, *({"verb": verb, "document": d} for d in documents)]:
                new_rows = store.run_query(s, name, params).rows
                assert new_rows == store.run_query(s, old, params).rows, params
                assert new_rows == store.run_query(ds, old, params).rows, params
                found += len(new_rows)
        assert found > 10  # the cases select something
