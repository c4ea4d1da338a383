"""The resgraph vocabulary as Python names.

GENERATED — do not edit. Regenerate with `python -m resgraph.gen_vocab`
from ontology/resgraph.ttl (the source of truth).
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

RGP = Namespace("https://w3id.org/resgraph/phrase/")
RGR = Namespace("https://w3id.org/resgraph/relation/")

# prefixes of the public contract, bound on every graph resgraph makes
PREFIXES: tuple[tuple[str, str], ...] = (
    ("rg", "https://w3id.org/resgraph/ontology#"),
    ("rgp", "https://w3id.org/resgraph/phrase/"),
    ("rgr", "https://w3id.org/resgraph/relation/"),
    ("eli", "http://data.europa.eu/eli/ontology#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("oa", "http://www.w3.org/ns/oa#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
)


class RG(DefinedNamespace):
    """resgraph ontology <https://w3id.org/resgraph/ontology#>, version 0.1.0."""

    _fail = True
    _NS = Namespace("https://w3id.org/resgraph/ontology#")

    # classes
    AnnexParagraph: URIRef  # annex paragraph
    Citation: URIRef  # citation
    Clause: URIRef  # clause
    Decision: URIRef  # decision
    Document: URIRef  # document
    Footnote: URIRef  # footnote
    OperativeParagraph: URIRef  # operative paragraph
    Organ: URIRef  # organ
    PreambularParagraph: URIRef  # preambular paragraph
    Resolution: URIRef  # resolution
    SubParagraph: URIRef  # sub-paragraph
    Treaty: URIRef  # treaty
    TreatySeriesVolume: URIRef  # Treaty Series volume
    UnresolvedReference: URIRef  # unresolved reference

    # object properties
    adoptedBy: URIRef  # adopted by
    adoptedOnReportOf: URIRef  # adopted on report of
    anchoredIn: URIRef  # anchored in
    cited: URIRef  # cited
    citedVolume: URIRef  # cited volume
    citingClause: URIRef  # citing clause
    citingDocument: URIRef  # citing document
    committee: URIRef  # committee
    draft: URIRef  # draft
    impliesRelation: URIRef  # implies relation
    inVolume: URIRef  # in volume
    organ: URIRef  # organ
    parentTreaty: URIRef  # parent treaty
    phraseConcept: URIRef  # phrase concept
    relation: URIRef  # relation
    selector: URIRef  # selector
    viaFootnote: URIRef  # via footnote

    # datatype properties
    adoptionDate: URIRef  # adoption date
    adoptionEvent: URIRef  # adoption event
    adoptionPlace: URIRef  # adoption place
    agendaItem: URIRef  # agenda item
    akn4unWork: URIRef  # AKN4UN work
    annex: URIRef  # annex
    citedDate: URIRef  # cited date
    citedText: URIRef  # cited text
    citedTitle: URIRef  # cited title
    contentHash: URIRef  # content hash
    distributionDate: URIRef  # distribution date
    enactingFormula: URIRef  # enacting formula
    entryIntoForce: URIRef  # entry into force
    inRegister: URIRef  # in register
    jobNumber: URIRef  # job number
    layout: URIRef  # layout
    lntsPage: URIRef  # LNTS page
    lntsRegistrationNumber: URIRef  # LNTS registration number
    lntsVolume: URIRef  # LNTS volume
    marker: URIRef  # marker
    meeting: URIRef  # meeting
    normativeStrength: URIRef  # normative strength
    number: URIRef  # number
    pattern: URIRef  # pattern
    phrase: URIRef  # phrase
    position: URIRef  # position
    reason: URIRef  # reason
    reportParagraph: URIRef  # report paragraph
    resolutionNumber: URIRef  # resolution number
    section: URIRef  # section
    session: URIRef  # session
    shortName: URIRef  # short name
    sourceFile: URIRef  # source file
    sponsor: URIRef  # sponsor
    text: URIRef  # text
    treatySeries: URIRef  # treaty series
    untsPage: URIRef  # UNTS page
    untsRegistrationNumber: URIRef  # UNTS registration number
    untsVolume: URIRef  # UNTS volume
    volumeAsPrinted: URIRef  # volume as printed
    volumeNumber: URIRef  # volume number
    voteOutcome: URIRef  # vote outcome

    # annotation properties
    aknElement: URIRef  # AKN element
