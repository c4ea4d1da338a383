"""to_rdf: the mapping of docs/mapping.md, checked by SPARQL on hand-built documents."""

from __future__ import annotations

import json
import random
import re
import socket
from dataclasses import replace
from typing import Any

import pytest
import rdflib.namespace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdf_factories import SYMBOL, clause, sample_resolution, source, with_citations
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from resgraph import ids
from resgraph.errors import MappingError
from resgraph.model import Heading, Resolution
from resgraph.resources import ontology_dir
from resgraph.to_rdf import (
    clean_literal,
    document_key,
    document_to_graph,
    graph_summary,
    merge_datasets,
    phrase_concept,
    vocabulary_graph,
)
from resgraph.vocab import RG

# rdflib warns when pytest probes a DefinedNamespace at module level, so keep it local
_XSD = rdflib.namespace.Namespace(str(rdflib.namespace.XSD))

PREFIXES = """
PREFIX rg: <https://w3id.org/resgraph/ontology#>
PREFIX rgp: <https://w3id.org/resgraph/phrase/>
PREFIX rgr: <https://w3id.org/resgraph/relation/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return document_to_graph(sample_resolution())


@pytest.fixture(scope="module")
def g(ds: Dataset) -> Graph:
    """The document's named graph."""
    return ds.graph(URIRef(ids.graph_iri(SYMBOL)))


# "id:doc/A/RES/99/12" and "doc:pp/1" (a part of the sample document) are shorthand in
# these tests: a SPARQL prefixed name cannot hold "/"
_ID_RE = re.compile(r"(?<![\w<])(id|doc):([^\s;,<>\"]+?)(?=[.;,]?(?:\s|$))")
_SHORT = {"id": ids.DEFAULT_BASE, "doc": ids.document_iri(SYMBOL) + "/"}


def expand(sparql: str) -> str:
    """Turn the id: shorthand into full IRIs.

    >>> expand("id:doc/1/CP.21 a rg:Decision .")
    '<https://w3id.org/resgraph/id/doc/1/CP.21> a rg:Decision .'
    """
    return _ID_RE.sub(lambda m: f"<{_SHORT[m[1]]}{m[2]}>", sparql)


def ask(g: Graph, body: str) -> bool:
    return bool(g.query(PREFIXES + "ASK {" + expand(body) + "}").askAnswer)


def select(g: Graph, query: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in g.query(PREFIXES + expand(query))]  # type: ignore[arg-type]


def union(ds: Dataset) -> Graph:
    out = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        out.add((s, p, o))
    return out


# --- types and structure -------------------------------------------------------

TYPES = [
    ("document", "id:doc/A/RES/99/12 a rg:Resolution"),
    ("preambular", "doc:pp/1 a rg:PreambularParagraph ; eli:is_part_of id:doc/A/RES/99/12"),
    ("operative", "doc:op/1 a rg:OperativeParagraph ; eli:is_part_of id:doc/A/RES/99/12"),
    (
        "sub-paragraph part of its paragraph",
        "doc:op/2/a a rg:SubParagraph ; eli:is_part_of doc:op/2",
    ),
    ("annex", "doc:annex/1/5 a rg:AnnexParagraph ; eli:is_part_of id:doc/A/RES/99/12"),
    ("footnote", "doc:fn/1 a rg:Footnote ; eli:is_part_of id:doc/A/RES/99/12"),
    ("citation", "doc:cit/1 a rg:Citation"),
    ("unresolved", "doc:unresolved/1 a rg:UnresolvedReference"),
    ("treaty", "id:treaty/untoc a rg:Treaty"),
    ("volume", "id:unts/vol/2225 a rg:TreatySeriesVolume ; rg:volumeNumber 2225"),
    ("organ", 'id:organ/general-assembly a rg:Organ ; rdfs:label "General Assembly"'),
    ("committee", "id:doc/A/RES/99/12 rg:committee id:organ/third-committee"),
    ("cited report is a Document", "id:doc/A/99/100 a rg:Document"),
    ("cited decision", "id:doc/1/CP.21 a rg:Decision"),
    (
        "report",
        "id:doc/A/RES/99/12 rg:adoptedOnReportOf id:doc/A/99/400 . id:doc/A/99/400 a rg:Document",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in TYPES], ids=[i for i, _ in TYPES])
def test_types(g: Graph, body: str) -> None:
    assert ask(g, body)


METADATA = [
    ("identifier", 'dcterms:identifier "A/RES/99/12"'),
    ("number", 'rg:resolutionNumber "99/12"'),
    ("title", 'dcterms:title "Migrants"'),
    ("adopted", 'eli:date_document "2099-12-01"^^xsd:date'),
    ("session", "rg:session 99"),
    ("meeting", 'rg:meeting "50th plenary meeting"'),
    ("agenda items", 'rg:agendaItem "10" , "12 (b)"'),
    ("report paragraph", 'rg:reportParagraph "12"'),
    ("distributed", 'rg:distributionDate "2100-01-15"^^xsd:date'),
    ("job number", 'rg:jobNumber "99-12345"'),
    ("formula", 'rg:enactingFormula "The General Assembly,"'),
    ("vote", 'rg:voteOutcome "adopted without a vote"'),
    ("sponsor", 'rg:sponsor "Mexico"'),
    ("layout", 'rg:layout "ods"'),
    ("source file without folder", 'rg:sourceFile "A_RES_99_12.txt"'),
    ("hash", 'rg:contentHash "sha256:' + "ab" * 32 + '"'),
    ("akn4un", 'rg:akn4unWork "/akn/un/statement/deliberation/unga/2099-12-01/99-12/"'),
    ("undocs", "rdfs:seeAlso <https://undocs.org/A/RES/99/12>"),
    ("subject", "dcterms:subject <http://metadata.un.org/thesaurus/1003500>"),
    ("organ", "rg:organ id:organ/general-assembly"),
]


@pytest.mark.parametrize("body", [b for _, b in METADATA], ids=[i for i, _ in METADATA])
def test_document_metadata(g: Graph, body: str) -> None:
    assert ask(g, "id:doc/A/RES/99/12 " + body)


def test_unsafe_subject_iri_is_left_out(g: Graph) -> None:
    subjects = {str(o) for o in g.objects(None, URIRef("http://purl.org/dc/terms/subject"))}
    assert subjects == {"http://metadata.un.org/thesaurus/1003500"}


POSITIONS = [
    ("pp/1", 1, "1"),
    ("pp/3", 3, "3"),
    ("op/2", 2, "2"),
    ("op/2/a", 1, "a"),
    ("annex/1/5", 5, "5"),
]


@pytest.mark.parametrize(("key", "position", "number"), POSITIONS, ids=[p[0] for p in POSITIONS])
def test_position_and_number(g: Graph, key: str, position: int, number: str) -> None:
    node = URIRef(ids.clause_iri(SYMBOL, key))
    assert set(g.objects(node, URIRef("https://w3id.org/resgraph/ontology#position"))) == {
        Literal(position, datatype=_XSD.integer)
    }
    assert set(g.objects(node, URIRef("https://w3id.org/resgraph/ontology#number"))) == {
        Literal(number)
    }


def test_section(g: Graph) -> None:
    assert ask(g, 'doc:op/3 rg:section "A"')


# --- phrases, concepts, relations ------------------------------------------------

# (clause, phrase as printed, concept or None, relation of a citation made there)
PHRASES = [
    ("pp/1", "Recalling", "recalling", "recalls"),
    ("pp/2", "Reaffirming also", "reaffirming", "reaffirms"),
    ("pp/3", "Recognizing also", "recognizing", None),
    ("op/1", "Takes note", "takesNote", "takesNoteOf"),
    ("op/2", "Welcomes", "welcomes", None),
    ("op/3", "Zorbles", None, "cites"),
]


@pytest.mark.parametrize(
    ("key", "phrase", "concept", "relation"), PHRASES, ids=[p[0] for p in PHRASES]
)
def test_phrase_concept(
    g: Graph, key: str, phrase: str, concept: str | None, relation: str | None
) -> None:
    node = f"<{ids.clause_iri(SYMBOL, key)}>"
    assert ask(g, f'{node} rg:phrase "{phrase}"')
    if concept is None:
        assert not ask(g, f"{node} rg:phraseConcept ?c")
    else:
        assert ask(g, f"{node} rg:phraseConcept rgp:{concept}")


@pytest.mark.parametrize(
    ("key", "relation"),
    [(p[0], p[3]) for p in PHRASES if p[3]] + [("op/2/a", "welcomes")],
    ids=[p[0] for p in PHRASES if p[3]] + ["sub-paragraph inherits its paragraph's phrase"],
)
def test_citation_relation_comes_from_the_phrase(g: Graph, key: str, relation: str) -> None:
    node = f"<{ids.clause_iri(SYMBOL, key)}>"
    rows = select(g, f"SELECT DISTINCT ?r WHERE {{ ?c rg:citingClause {node} ; rg:relation ?r }}")
    assert rows == [(URIRef("https://w3id.org/resgraph/relation/" + relation),)]


def test_concepts_imply_the_relations_used() -> None:
    """phrase concept -> rg:impliesRelation in phrases.ttl agrees with the citation relation."""
    vocab = vocabulary_graph()
    ds = document_to_graph(sample_resolution())
    both = union(ds) + vocab
    rows = select(
        both,
        """SELECT ?cit ?rel ?implied WHERE {
             ?cit rg:citingClause ?clause ; rg:relation ?rel .
             ?clause rg:phraseConcept ?concept .
             ?concept rg:impliesRelation ?implied }""",
    )
    assert rows
    assert all(rel == implied for _, rel, implied in rows)


@pytest.mark.parametrize(
    ("phrase", "kind", "concept"),
    [
        ("Recalling", "preambular", "recalling"),
        ("Recalling further", "preambular", "recalling"),
        ("RECALLING ALSO", "preambular", "recalling"),
        ("Also recalls", "operative", "recalls"),
        ("recalls also", "operative", "recalls"),
        ("Takes note with deep appreciation", "operative", "takesNote"),
        ("Zorbles", "operative", None),
        ("", "operative", None),
    ],
    ids=[
        "plain",
        "variant",
        "upper case",
        "adverb first",
        "adverb after",
        "longest prefix",
        "unknown",
        "empty",
    ],
)
def test_phrase_lookup(phrase: str, kind: str, concept: str | None) -> None:
    assert phrase_concept(phrase, kind) == concept


# --- selectors, footnotes ---------------------------------------------------------


def test_every_clause_footnote_citation_has_its_span(g: Graph) -> None:
    res = sample_resolution()
    expected = {ids.clause_iri(SYMBOL, c.key): c.span for c in res.clauses}
    expected |= {ids.footnote_iri(SYMBOL, f.key): f.span for f in res.footnotes}
    rows = select(
        g,
        """SELECT ?n ?s ?e WHERE { ?n rg:selector ?sel . ?sel a oa:TextPositionSelector ;
             oa:start ?s ; oa:end ?e }""",
    )
    found = {str(n): (s, e) for n, s, e in rows}
    for iri, span in expected.items():
        start, end = found[iri]
        assert (start.toPython(), end.toPython()) == (span.start, span.end)
        assert start.datatype == end.datatype == _XSD.nonNegativeInteger
    assert all(iri + "#span" in {str(o) for o in g.objects()} for iri in expected)
    n_citations = len(res.citations) + len(res.unresolved)
    assert len(rows) == len(expected) + n_citations


def test_citation_selector_points_at_the_cited_text(g: Graph) -> None:
    text = sample_resolution().source.text
    rows = select(
        g,
        """SELECT ?t ?s ?e WHERE { ?c a rg:Citation ; rg:citedText ?t ; rg:selector ?sel .
             ?sel oa:start ?s ; oa:end ?e }""",
    )
    assert len(rows) == len(sample_resolution().citations)
    for t, s, e in rows:
        assert text[s.toPython() : e.toPython()] == str(t)


FOOTNOTES = [
    ("fn/1", "pp/2", "1"),
    ("fn/2", "pp/3", "2"),
    ("fn/3", "pp/3", "3"),
    ("fn/4", "op/3", "4"),
]


@pytest.mark.parametrize(("fn", "anchor", "marker"), FOOTNOTES, ids=[f[0] for f in FOOTNOTES])
def test_footnote_anchored_in_its_clause(g: Graph, fn: str, anchor: str, marker: str) -> None:
    node = f"<{ids.footnote_iri(SYMBOL, fn)}>"
    assert ask(g, f'{node} rg:marker "{marker}" ; rg:anchoredIn <{ids.clause_iri(SYMBOL, anchor)}>')
    assert ask(g, f"{node} rg:text ?t")


def test_footnote_without_anchor_has_none() -> None:
    res = sample_resolution()
    res = replace(res, footnotes=(replace(res.footnotes[0], anchor=None),))
    g = union(document_to_graph(res))
    assert not ask(g, "?fn rg:anchoredIn ?c")


# --- citations: both layers --------------------------------------------------------

CITES = [
    ("clause -> resolution", "doc:pp/1 eli:cites id:doc/A/RES/66/172"),
    ("document -> resolution", "id:doc/A/RES/99/12 eli:cites id:doc/A/RES/66/172"),
    (
        "footnote -> component",
        "doc:fn/1 eli:cites <https://w3id.org/resgraph/id/doc/A/RES/217(III)A>",
    ),
    (
        "clause -> component",
        "doc:pp/2 eli:cites <https://w3id.org/resgraph/id/doc/A/RES/217(III)A>",
    ),
    ("footnote -> treaty", "doc:fn/2 eli:cites id:treaty/untoc"),
    ("footnote -> volume", "doc:fn/2 eli:cites id:unts/vol/2225"),
    ("document -> volume", "id:doc/A/RES/99/12 eli:cites id:unts/vol/2225 , id:unts/vol/2241"),
    (
        "sub-paragraph -> SC resolution",
        "doc:op/2/a eli:cites <https://w3id.org/resgraph/id/doc/S/RES/1325(2000)>",
    ),
    ("document -> decision", "id:doc/A/RES/99/12 eli:cites id:doc/1/CP.21"),
    ("annex -> resolution", "doc:annex/1/5 eli:cites id:doc/A/RES/70/1"),
    ("document -> LNTS volume", "id:doc/A/RES/99/12 eli:cites id:lnts/vol/94"),
]


@pytest.mark.parametrize("body", [c for _, c in CITES], ids=[i for i, _ in CITES])
def test_simple_cites_edges(g: Graph, body: str) -> None:
    assert ask(g, body)


def test_citation_nodes_numbered_in_reading_order(g: Graph) -> None:
    rows = select(
        g,
        "SELECT ?c ?s WHERE { ?c a rg:Citation ; rg:selector ?sel . ?sel oa:start ?s }",
    )
    numbered = sorted((int(str(c).rsplit("/", 1)[1]), s.toPython()) for c, s in rows)
    assert [n for n, _ in numbered] == list(range(1, len(sample_resolution().citations) + 1))
    starts = [s for _, s in numbered]
    assert starts == sorted(starts)


def test_citation_node_carries_everything(g: Graph) -> None:
    assert ask(
        g,
        """?c rg:citingClause doc:pp/1 ; rg:citingDocument id:doc/A/RES/99/12 ;
           rg:cited id:doc/A/RES/66/172 ; rg:relation rgr:recalls ;
           rg:citedText "resolution 66/172 of 19 December 2011" ;
           rg:citedDate "2011-12-19"^^xsd:date ; rg:citedTitle "Protection of migrants" ;
           rg:pattern "ga-resolution" .
           FILTER NOT EXISTS { ?c rg:viaFootnote ?fn }""",
    )


def test_footnote_citation_is_via_footnote_and_bound_to_volume(g: Graph) -> None:
    assert ask(
        g,
        """?c rg:citingClause doc:pp/3 ; rg:viaFootnote doc:fn/2 ; rg:cited id:treaty/untoc ;
           rg:citedVolume id:unts/vol/2225 ; rg:relation ?r""",
    )


def test_cited_document_node(g: Graph) -> None:
    assert ask(
        g,
        """id:doc/A/RES/66/172 a rg:Resolution ; dcterms:identifier "A/RES/66/172" ;
           rdfs:label "A/RES/66/172" ; rdfs:seeAlso <https://undocs.org/A/RES/66/172> ;
           rg:organ id:organ/general-assembly ; dcterms:title "Protection of migrants" ;
           eli:date_document "2011-12-19"^^xsd:date""",
    )
    assert ask(
        g, "<https://w3id.org/resgraph/id/doc/S/RES/1325(2000)> rg:organ id:organ/security-council"
    )


def test_component_is_part_of_its_work(g: Graph) -> None:
    assert ask(
        g,
        """?c rg:cited ?component .
           ?component a rg:Resolution ; eli:is_part_of ?work .
           ?work a rg:Resolution ; dcterms:identifier "A/RES/217(III)" .
           FILTER(?component = <https://w3id.org/resgraph/id/doc/A/RES/217(III)A>)""",
    )


def test_unresolved_reference(g: Graph) -> None:
    assert ask(
        g,
        """doc:unresolved/1 a rg:UnresolvedReference ; rg:citedText "Ibid." ;
           rg:reason "ibid-without-antecedent" ; rg:citingClause doc:op/3 ;
           rg:viaFootnote doc:fn/4 ; rg:citingDocument id:doc/A/RES/99/12 ;
           rg:selector ?sel""",
    )


# --- treaties and volumes -------------------------------------------------------------


def test_registered_treaty(g: Graph) -> None:
    assert ask(
        g,
        """id:treaty/untoc a rg:Treaty ;
           rdfs:label "United Nations Convention against Transnational Organized Crime" ;
           rg:shortName "Organized Crime Convention" ;
           rg:untsVolume 2225 ; rg:untsPage 209 ; rg:untsRegistrationNumber "39574" ;
           rg:inVolume id:unts/vol/2225 ; rg:adoptedBy id:doc/A/RES/55/25 ;
           rg:annex "annex I" ; rg:inRegister true .
           id:doc/A/RES/55/25 a rg:Resolution""",
    )


def test_registration_number_is_a_string_shared_by_two_treaties(g: Graph) -> None:
    rows = select(g, 'SELECT ?t WHERE { ?t rg:untsRegistrationNumber "39574" }')
    assert len(rows) == 2


def test_league_of_nations_volume(g: Graph) -> None:
    assert ask(
        g,
        """id:treaty/lnts-94-2138 rg:inVolume id:lnts/vol/94 ; rg:lntsVolume 94 ; rg:lntsPage 57 ;
           rg:lntsRegistrationNumber "2137" ; rg:inRegister false .
           id:lnts/vol/94 a rg:TreatySeriesVolume ; rg:treatySeries "LNTS" ;
           rg:volumeAsPrinted "XCIV" ; rg:volumeNumber 94""",
    )
    assert not ask(g, "id:treaty/lnts-94-2138 rg:untsVolume ?v")


def test_volume_node(g: Graph) -> None:
    assert ask(g, 'id:unts/vol/2225 rg:treatySeries "UNTS" ; rdfs:label "UNTS vol. 2225"')


# --- graph, IRIs, determinism ------------------------------------------------------------


def test_one_named_graph_and_empty_default_graph(ds: Dataset) -> None:
    names = {q[3] for q in ds.quads((None, None, None, None))}
    assert names == {URIRef(ids.graph_iri(SYMBOL))}
    assert len(ds.default_graph) == 0


def test_custom_base() -> None:
    base = "http://example.org/un/"
    ds = document_to_graph(sample_resolution(), base=base)
    names = {str(q[3]) for q in ds.quads((None, None, None, None))}
    assert names == {base + "graph/A/RES/99/12"}
    ours = {
        str(t)
        for q in ds.quads((None, None, None, None))
        for t in q[:3]
        if "resgraph/id/" in str(t)
    }
    assert ours == set()


@pytest.mark.parametrize("base", ["", "relative/", "http://x.org/no-slash", "http://x.org/a b/"])
def test_bad_base_is_a_mapping_error(base: str) -> None:
    with pytest.raises(MappingError):
        document_to_graph(sample_resolution(), base=base)


def test_deterministic_same_iris_and_isomorphic() -> None:
    a, b = document_to_graph(sample_resolution()), document_to_graph(sample_resolution())
    assert isomorphic(union(a), union(b))
    assert set(a.quads((None, None, None, None))) == set(b.quads((None, None, None, None)))


def test_citation_order_in_the_model_does_not_change_the_graph() -> None:
    res = sample_resolution()
    shuffled = list(res.citations)
    random.Random(7).shuffle(shuffled)
    assert shuffled != list(res.citations)
    a = document_to_graph(res)
    b = document_to_graph(with_citations(res, tuple(shuffled)))
    assert set(a.quads((None, None, None, None))) == set(b.quads((None, None, None, None)))


def test_document_without_symbol_gets_a_hash_key() -> None:
    res = sample_resolution(symbol=None)
    key = document_key(res)
    assert re.fullmatch(r"unknown/[0-9a-f]{16}", key)
    assert key == "unknown/" + res.source.sha256[:16]
    ds = document_to_graph(res)
    g = union(ds)
    doc = URIRef(ids.document_iri(key))
    assert ask(g, f"<{doc}> a rg:Document ; rdfs:label ?l")
    assert not ask(g, f"<{doc}> a rg:Resolution")
    assert not ask(g, f"<{doc}> dcterms:identifier ?i")
    assert {q[3] for q in ds.quads((None, None, None, None))} == {URIRef(ids.graph_iri(key))}
    assert set(document_to_graph(res).quads((None, None, None, None))) == set(
        ds.quads((None, None, None, None))
    )


def test_document_without_symbol_or_hash_uses_its_text() -> None:
    a = Resolution(source("one", sha256=""), "unknown", Heading())
    b = Resolution(source("two", sha256=""), "unknown", Heading())
    assert document_key(a) != document_key(b)
    assert document_key(a) == document_key(
        Resolution(source("one", sha256=""), "unknown", Heading())
    )


def test_parts_are_part_of_the_work() -> None:
    part = replace(sample_resolution("A/RES/99/12A"), parts=())
    res = replace(sample_resolution(), parts=(part,))
    g = union(document_to_graph(res))
    assert ask(
        g, "<https://w3id.org/resgraph/id/doc/A/RES/99/12A> eli:is_part_of id:doc/A/RES/99/12"
    )
    assert ask(g, "<https://w3id.org/resgraph/id/doc/A/RES/99/12A/pp/1> a rg:PreambularParagraph")


# --- literals --------------------------------------------------------------------


def test_strings_are_plain_and_dates_typed(g: Graph) -> None:
    for o in g.objects():
        if isinstance(o, Literal):
            assert o.language is None
            assert o.datatype in (
                None,
                _XSD.integer,
                _XSD.nonNegativeInteger,
                _XSD.date,
                _XSD.boolean,
            )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b", "ab"),
        ("tab\tnl\ncr\r", "tab\tnl\ncr\r"),
        ("bell\x07 esc\x1b ff\x0c", "bell esc ff"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("nonchar \ufffe\uffff", "nonchar "),
        ("<script>alert('x')</script>", "<script>alert('x')</script>"),
        ("emoji \U0001f600 ok", "emoji \U0001f600 ok"),
    ],
    ids=["nul", "allowed whitespace", "c0", "surrogate", "non-characters", "script", "astral"],
)
def test_clean_literal(raw: str, clean: str) -> None:
    assert clean_literal(raw) == clean


HOSTILE = (
    "<script>alert('x')</script> \x00 nul \ud83d lone \x07\x0b\x1f ctl"
    ' "quotes" \\ back ]]> --> &amp;'
)


def hostile_resolution() -> Resolution:
    res = sample_resolution()
    c = res.clauses[0]
    hostile = clause(c.key, HOSTILE, c.span, phrase=HOSTILE)
    return replace(
        res,
        clauses=(hostile, *res.clauses[1:]),
        heading=replace(res.heading, title=HOSTILE, meeting="\x00"),
        citations=tuple(replace(x, text=HOSTILE) for x in res.citations),
    )


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "json-ld", "trix", "trig", "nquads"])
def test_hostile_literals_serialise_and_read_back(fmt: str) -> None:
    ds = document_to_graph(hostile_resolution())
    if fmt in ("trig", "nquads", "trix"):
        data = ds.serialize(format=fmt)
        back = Dataset()
        back.parse(data=data, format=fmt)
        assert isomorphic(union(back), union(ds))
    else:
        data = union(ds).serialize(format=fmt)
        assert isomorphic(Graph().parse(data=data, format=fmt), union(ds))
    assert not ask(union(ds), "id:doc/A/RES/99/12 rg:meeting ?m")  # nothing left of "\x00"


# --- round trips ---------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def local_context() -> dict[str, Any]:
    data = json.loads((ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))
    return dict(data["@context"])


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml"])
def test_round_trip_graph(ds: Dataset, fmt: str) -> None:
    g = union(ds)
    assert isomorphic(Graph().parse(data=g.serialize(format=fmt), format=fmt), g)


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_round_trip_dataset_keeps_named_graphs(ds: Dataset, fmt: str) -> None:
    back = Dataset()
    back.parse(data=ds.serialize(format=fmt), format=fmt)
    name = URIRef(ids.graph_iri(SYMBOL))
    assert isomorphic(back.graph(name), ds.graph(name))
    assert len(back.default_graph) == 0


def test_round_trip_json_ld_with_the_local_context(ds: Dataset, no_network: None) -> None:
    g = union(ds)
    ctx = local_context()
    data = g.serialize(format="json-ld", context=ctx, auto_compact=True)
    doc = json.loads(data)
    assert doc["@context"] == ctx  # inlined: a consumer never fetches it
    back = Graph().parse(data=data, format="json-ld")
    assert isomorphic(back, g)


def test_json_ld_context_types_literals(ds: Dataset, no_network: None) -> None:
    """A document written by hand against the context gives the graph's typed literals."""
    ctx = local_context()
    doc = {
        "@context": ctx,
        "@id": ids.clause_iri(SYMBOL, "pp/1"),
        "@type": "PreambularParagraph",
        "position": 1,
        "phrase": "Recalling",
        "phraseConcept": "rgp:recalling",
        "is_part_of": ids.document_iri(SYMBOL),
    }
    back = Graph().parse(data=json.dumps(doc), format="json-ld")
    g = union(ds)
    for triple in back:
        assert triple in g, triple


def test_round_trip_json_ld_dataset(ds: Dataset, no_network: None) -> None:
    data = ds.serialize(format="json-ld", context=local_context())
    back = Dataset()
    back.parse(data=data, format="json-ld")
    name = URIRef(ids.graph_iri(SYMBOL))
    assert isomorphic(back.graph(name), ds.graph(name))


# --- merging and summary ---------------------------------------------------------------


def test_merge_keeps_each_document_in_its_graph() -> None:
    a = document_to_graph(sample_resolution())
    b = document_to_graph(sample_resolution("A/RES/99/13"))
    merged = merge_datasets([a, b])
    names = {q[3] for q in merged.quads((None, None, None, None))}
    assert names == {URIRef(ids.graph_iri(SYMBOL)), URIRef(ids.graph_iri("A/RES/99/13"))}
    assert len(list(merged.quads((None, None, None, None)))) == len(
        list(a.quads((None, None, None, None)))
    ) + len(list(b.quads((None, None, None, None))))


def test_graph_summary_counts_what_was_mapped() -> None:
    res = sample_resolution()
    other = replace(sample_resolution("A/RES/99/13"), unresolved=())
    s = graph_summary(merge_datasets([document_to_graph(res), document_to_graph(other)]))
    assert s.documents == 2
    assert s.clauses == {
        k: 2 * sum(c.kind == k for c in res.clauses) for k in sorted({c.kind for c in res.clauses})
    }
    assert s.footnotes == 2 * len(res.footnotes)
    kinds = sorted({c.kind for c in res.citations})
    assert s.citations == {k: 2 * sum(c.kind == k for c in res.citations) for k in kinds}
    assert s.unresolved == len(res.unresolved)
    assert s.triples <= s.quads
    assert f"{s.documents} documents" in str(s)


def test_vocabulary_graph_has_ontology_and_schemes() -> None:
    v = vocabulary_graph()
    assert ask(v, "rg:Resolution rdfs:subClassOf rg:Document")
    assert ask(v, "rgp:recalling skos:inScheme rgp:preambular")
    assert ask(v, "rgr:cites skos:inScheme rgr:scheme")


def test_empty_document() -> None:
    res = Resolution(source("", name="<stdin>"), "unknown", Heading(symbol="A/RES/99/1"))
    g = union(document_to_graph(res))
    assert ask(g, "id:doc/A/RES/99/1 a rg:Resolution")
    assert not ask(g, "?c a rg:Citation")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=40))
def test_any_text_reads_back(text: str) -> None:
    """Whatever a clause holds, the graph serialises and reads back, minus illegal characters."""
    res = sample_resolution()
    c = res.clauses[0]
    res = replace(res, clauses=(clause(c.key, text, c.span, phrase=text or None),))
    g = union(document_to_graph(res))
    for fmt in ("nt", "turtle", "xml"):
        assert isomorphic(Graph().parse(data=g.serialize(format=fmt), format=fmt), g), fmt
    stored = {str(o) for o in g.objects(URIRef(ids.clause_iri(SYMBOL, c.key)), RG.text)}
    assert stored == ({clean_literal(text)} if clean_literal(text) else set())
