"""The vocabulary: generated files in step with their sources, every term declared."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR
from rdf_factories import sample_resolution
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import resgraph
from resgraph import gen_vocab
from resgraph.errors import PatternError
from resgraph.resources import ontology_dir
from resgraph.to_rdf import document_to_graph
from resgraph.vocab import RG, RGP, RGR

REGENERATE = "python -m resgraph.gen_vocab"
RG_NS = gen_vocab.RG_NS


@cache
def ontology() -> Graph:
    """The parsed ontology (shared: tests only read it)."""
    return gen_vocab.load_ontology()


def declared(g: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef)}


GENERATED = sorted(gen_vocab.outputs().items())


@pytest.mark.parametrize(("path", "fresh"), GENERATED, ids=[p.name for p, _ in GENERATED])
def test_generated_file_is_up_to_date(path: Path, fresh: str) -> None:
    committed = path.read_text(encoding="utf-8")
    assert committed == fresh, f"{path} is stale; regenerate it with `{REGENERATE}`"


def test_generation_is_deterministic() -> None:
    assert gen_vocab.outputs() == gen_vocab.outputs()


def test_check_mode_reports_nothing_stale(capsys: pytest.CaptureFixture[str]) -> None:
    assert gen_vocab.main(["--check"]) == 0
    assert "stale" not in capsys.readouterr().out


def test_every_rg_term_used_by_to_rdf_is_declared() -> None:
    ds = document_to_graph(sample_resolution())
    used: set[URIRef] = set()
    for _s, p, o, _g in ds.quads((None, None, None, None)):
        used.add(p)  # type: ignore[arg-type]
        if p == RDF.type:
            used.add(o)  # type: ignore[arg-type]
    rg_used = {t for t in used if str(t).startswith(RG_NS)}
    assert rg_used, "the sample graph uses no rg: term"
    terms = declared(ontology())
    assert rg_used <= terms, sorted(rg_used - terms)


def test_every_rg_term_of_the_mapping_contract_is_declared() -> None:
    text = (PROJECT_DIR / "docs" / "mapping.md").read_text(encoding="utf-8")
    names = set(re.findall(r"(?<![\w/])rg:([A-Za-z]\w*)", text))
    assert names
    terms = declared(ontology())
    missing = {n for n in names if URIRef(RG_NS + n) not in terms}
    assert not missing, f"docs/mapping.md uses undeclared terms: {sorted(missing)}"


def test_every_rg_term_of_the_phrase_schemes_is_declared() -> None:
    g = Graph().parse(ontology_dir() / "phrases.ttl")
    used = {p for p in g.predicates() if str(p).startswith(RG_NS)}
    assert used <= declared(ontology())


RG_TERMS = sorted(t for t in declared(ontology()) if str(t).startswith(RG_NS))


@pytest.mark.parametrize("term", RG_TERMS, ids=[str(t)[len(RG_NS) :] for t in RG_TERMS])
def test_term_is_documented(term: URIRef) -> None:
    g = ontology()
    for p in (RDFS.label, RDFS.comment, SKOS.example):
        assert g.value(term, p) is not None, f"{term} has no {p}"
    assert g.value(term, RDFS.isDefinedBy) == URIRef(RG_NS.rstrip("#"))
    if (term, RDF.type, OWL.DatatypeProperty) in g:
        assert g.value(term, RDFS.range) is not None, f"{term} has no range"


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        ("Resolution", "Document"),
        ("Decision", "Document"),
        ("PreambularParagraph", "Clause"),
        ("OperativeParagraph", "Clause"),
        ("SubParagraph", "Clause"),
        ("AnnexParagraph", "Clause"),
    ],
)
def test_class_hierarchy(sub: str, sup: str) -> None:
    assert (URIRef(RG_NS + sub), RDFS.subClassOf, URIRef(RG_NS + sup)) in ontology()


ELI = "http://data.europa.eu/eli/ontology#"


@pytest.mark.parametrize(
    ("term", "sup"),
    [(RG.Document, ELI + "LegalResource"), (RG.Clause, ELI + "LegalResourceSubdivision")],
    ids=["document", "clause"],
)
def test_eli_alignment(term: URIRef, sup: str) -> None:
    assert (term, RDFS.subClassOf, URIRef(sup)) in ontology()


def test_ontology_header_version_matches_the_package() -> None:
    g = ontology()
    onto = URIRef(RG_NS.rstrip("#"))
    assert (onto, RDF.type, OWL.Ontology) in g
    assert str(g.value(onto, OWL.versionInfo)) == resgraph.__version__
    assert g.value(onto, URIRef("http://purl.org/dc/terms/license")) is not None
    assert g.value(onto, URIRef("http://purl.org/dc/terms/creator")) is not None


def test_misspelt_term_raises() -> None:
    assert RG.Resolution == URIRef(RG_NS + "Resolution")
    with pytest.raises(AttributeError):
        _ = RG.Resolutoin


# the concept and relation ids docs/mapping.md promises
CONTRACT = [
    RGP.recalling,
    RGP.recognizing,
    RGP.reaffirms,
    RGR.recalls,
    RGR.reaffirms,
    RGR.takesNoteOf,
    RGR.welcomes,
    RGR.callsForAccessionTo,
    RGR.cites,
]


@pytest.mark.parametrize("concept", CONTRACT, ids=[str(c).rsplit("/", 1)[1] for c in CONTRACT])
def test_contract_concepts_exist(concept: URIRef) -> None:
    g = Graph().parse(ontology_dir() / "phrases.ttl")
    assert (concept, RDF.type, SKOS.Concept) in g
    assert g.value(concept, SKOS.prefLabel) is not None


def test_every_phrase_implies_a_declared_relation() -> None:
    g = Graph().parse(ontology_dir() / "phrases.ttl")
    phrases = set(g.subjects(SKOS.inScheme, RGP.preambular)) | set(
        g.subjects(SKOS.inScheme, RGP.operative)
    )
    relations = set(g.subjects(SKOS.inScheme, RGR.scheme))
    assert phrases and relations
    for concept in phrases:
        implied = set(g.objects(concept, RG.impliesRelation))
        assert len(implied) == 1 and implied <= relations, concept


GOOD: dict[str, Any] = {
    "relations": {"recalls": {"label": "recalls"}},
    "phrases": {
        "recalling": {
            "kind": "preambular",
            "label": "Recalling",
            "relation": "recalls",
            "variants": ["Recalling also", "Recalling"],
            "complements": ["with satisfaction"],
            "examples": ["Recalling its resolution 1/1"],
        }
    },
}


def test_render_phrases() -> None:
    g = Graph().parse(data=gen_vocab.render_phrases(GOOD), format="turtle")
    assert (RGP.recalling, SKOS.altLabel, None) in g
    assert {str(o) for o in g.objects(RGP.recalling, SKOS.altLabel)} == {"Recalling also"}
    assert {str(o) for o in g.objects(RGP.recalling, SKOS.hiddenLabel)} == {
        "Recalling with satisfaction"
    }
    assert (RGP.recalling, RG.impliesRelation, RGR.recalls) in g
    assert (RGR.cites, SKOS.inScheme, RGR.scheme) in g  # the default relation is always there


BAD = [
    ("no phrases", {"relations": {}}),
    ("unknown relation", {**GOOD, "relations": {}}),
    ("bad kind", {**GOOD, "phrases": {"x": {**GOOD["phrases"]["recalling"], "kind": "annex"}}}),
    ("bad id", {**GOOD, "phrases": {"x y": GOOD["phrases"]["recalling"]}}),
    ("no label", {**GOOD, "phrases": {"x": {"kind": "operative"}}}),
]


@pytest.mark.parametrize("data", [b for _, b in BAD], ids=[i for i, _ in BAD])
def test_bad_phrase_file_is_a_pattern_error(data: dict[str, Any]) -> None:
    with pytest.raises(PatternError):
        gen_vocab.render_phrases(data)


def test_context_coerces_types() -> None:
    import json

    ctx = json.loads(gen_vocab.render_context(ontology()))["@context"]
    assert ctx["rg"] == RG_NS
    assert ctx["position"] == {"@id": "rg:position", "@type": "xsd:integer"}
    assert ctx["organ"] == {"@id": "rg:organ", "@type": "@id"}
    assert ctx["phrase"] == "rg:phrase"
    assert ctx["start"] == {"@id": "oa:start", "@type": "xsd:nonNegativeInteger"}
    assert ctx["date_document"] == {"@id": "eli:date_document", "@type": "xsd:date"}


# -- alignment ------------------------------------------------------------------------

UNDO = "https://w3id.org/un/ontology/undo/"
MATCHES = (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


def test_no_identity_claims_on_other_vocabularies() -> None:
    g = ontology()
    assert not list(g.triples((None, OWL.sameAs, None)))
    for s, o in g.subject_objects(OWL.equivalentClass):
        assert str(s).startswith(RG_NS) and str(o).startswith(RG_NS)


@pytest.mark.parametrize(
    ("term", "prop", "target"),
    [
        (RG.Document, SKOS.closeMatch, UNDO + "Document"),
        (RG.Resolution, SKOS.closeMatch, UNDO + "Resolution"),
        (RG.Treaty, SKOS.narrowMatch, UNDO + "Convention"),
        (RG.Citation, SKOS.relatedMatch, UNDO + "Relation"),
        (RG.Citation, RDFS.subClassOf, "http://www.w3.org/ns/prov#Entity"),
        (RG.Treaty, RDFS.subClassOf, ELI + "LegalResource"),
        (RG.Footnote, RDFS.subClassOf, ELI + "LegalResourceSubdivision"),
    ],
    ids=["document", "resolution", "treaty", "citation", "citation-prov", "treaty-eli", "fn-eli"],
)
def test_alignment(term: URIRef, prop: URIRef, target: str) -> None:
    assert (term, prop, URIRef(target)) in ontology()


@pytest.mark.parametrize(
    ("term", "element"),
    [
        (RG.Footnote, "authorialNote"),
        (RG.PreambularParagraph, "preamble/container"),
        (RG.OperativeParagraph, "mainBody/paragraph"),
    ],
    ids=["footnote", "preambular", "operative"],
)
def test_akoma_ntoso_element(term: URIRef, element: str) -> None:
    g = ontology()
    assert str(g.value(term, RG.aknElement)) == element
    see_also = {str(o) for o in g.objects(term, RDFS.seeAlso)}
    assert any(element.split("/")[0] in iri for iri in see_also)


def test_every_match_target_is_declared() -> None:
    g = ontology()
    for prop in MATCHES:
        for _s, o in g.subject_objects(prop):
            assert (o, RDF.type, OWL.Class) in g, o


# -- normative strength ------------------------------------------------------------------


@cache
def phrase_graph() -> Graph:
    return Graph().parse(ontology_dir() / "phrases.ttl")


def strength(concept: URIRef) -> int:
    value = phrase_graph().value(concept, RG.normativeStrength)
    assert value is not None, f"{concept} has no rg:normativeStrength"
    return int(value.toPython())


def test_strength_orders_the_operative_verbs() -> None:
    ladder = [
        RGP.decides,
        RGP.demands,
        RGP.urges,
        RGP.callsUpon,
        RGP.encourages,
        RGP.invites,
        RGP.notes,
    ]
    values = [strength(c) for c in ladder]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values), values


def test_every_phrase_has_a_strength_and_preambles_are_weakest() -> None:
    g = phrase_graph()
    pre = set(g.subjects(SKOS.inScheme, RGP.preambular))
    ops = set(g.subjects(SKOS.inScheme, RGP.operative))
    assert pre and ops
    assert max(strength(c) for c in pre) < min(strength(c) for c in ops)  # type: ignore[arg-type]


def test_bad_strength_is_a_pattern_error() -> None:
    bad = {**GOOD, "phrases": {"x": {**GOOD["phrases"]["recalling"], "strength": "high"}}}
    with pytest.raises(PatternError):
        gen_vocab.render_phrases(bad)


# -- the treaty register as linked data -------------------------------------------------


@cache
def register() -> dict[str, Any]:
    import json

    from resgraph.resources import patterns_dir

    data = json.loads((patterns_dir() / "treaties.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def treaty_graph() -> Graph:
    return Graph().parse(ontology_dir() / "treaties.ttl")


def test_every_registered_treaty_is_published() -> None:
    from resgraph import ids

    g = treaty_graph()
    treaties = register()["treaties"]
    assert treaties
    for t in treaties:
        node = URIRef(ids.treaty_iri(t["id"]))
        assert (node, RDF.type, RG.Treaty) in g, t["id"]
        assert str(g.value(node, RDFS.label)) == t["name"]
        for ref in t["unts"]:
            if ref["series"] == "UNTS":
                assert ref["volume"] in {o.toPython() for o in g.objects(node, RG.untsVolume)}
        if t["entry_into_force"]:
            assert str(g.value(node, RG.entryIntoForce)) == t["entry_into_force"]


def test_every_sourced_fact_is_asserted_and_has_a_source() -> None:
    from rdflib.namespace import DCTERMS

    g = treaty_graph()
    statements = list(g.subjects(RDF.type, RDF.Statement))
    assert len(statements) > len(register()["treaties"])
    for st in statements:
        triple = (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
        assert triple in g, triple
        assert g.value(st, DCTERMS.source) is not None


def test_register_conforms_to_the_shapes() -> None:
    from resgraph.validate import validate_graph

    report = validate_graph(treaty_graph())
    assert report.conforms, report.text()


def test_render_treaties_publishes_place_and_date_of_adoption() -> None:
    from resgraph.gen_publish import render_treaties

    entry = {
        "id": "x-convention",
        "name": "X Convention",
        "adoption_date": "2000-11-15",
        "adoption_place": "Palermo",
        "sources": {"adoption": ["treaties.un.org"], "name": ["the <treaty> text"]},
        "unts": [{"series": "LNTS", "volume": 94, "page": 57, "number": "2138"}],
    }
    g = Graph().parse(data=render_treaties({"treaties": [entry]}), format="turtle")
    node = URIRef("https://w3id.org/resgraph/id/treaty/x-convention")
    assert str(g.value(node, RG.adoptionPlace)) == "Palermo"
    assert str(g.value(node, RG.adoptionDate)) == "2000-11-15"
    assert g.value(node, RG.lntsVolume).toPython() == 94  # type: ignore[union-attr]
    sources = {
        str(o)
        for st in g.subjects(RDF.predicate, RG.adoptionPlace)
        for o in g.objects(st, URIRef("http://purl.org/dc/terms/source"))
    }
    assert sources == {"https://treaties.un.org/"}


def test_render_treaties_refuses_an_entry_without_name() -> None:
    from resgraph.gen_publish import render_treaties

    with pytest.raises(PatternError):
        render_treaties({"treaties": [{"id": "x"}]})


# -- the documentation page ------------------------------------------------------------


def test_html_page_documents_every_term_and_shape() -> None:
    from html.parser import HTMLParser

    from resgraph.validate import shape_ids

    page = (ontology_dir() / "index.html").read_text(encoding="utf-8")
    anchors: set[str] = set()

    class Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            anchors.update(v for k, v in attrs if k == "id" and v)

    Anchors().feed(page)
    for term in RG_TERMS:
        assert str(term)[len(RG_NS) :] in anchors, term
    for shape in shape_ids():
        assert f"<code>{shape}</code>" in page
    assert "rgp:decides" in page and "rgr:recalls" in page


def test_html_page_escapes_text() -> None:
    from rdflib import Literal

    from resgraph.gen_publish import render_html

    g = Graph()
    term = URIRef(RG_NS + "Evil")
    g.add((term, RDF.type, OWL.Class))
    g.add((term, RDFS.comment, Literal("<script>alert(1)</script>")))
    page = render_html(g, Graph(), Graph(), gen_vocab.PREFIXES)
    assert "<script>" not in page and "&lt;script&gt;" in page
