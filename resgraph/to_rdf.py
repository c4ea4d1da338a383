"""Stage 3 — to RDF: a parsed `Resolution` becomes the triples of one named graph.

This is the only module that creates triples. It implements the public
contract in docs/mapping.md: every IRI comes from `resgraph/ids.py`, every
rg: term from `resgraph/vocab.py` (a misspelt term raises). The mapping is
pure and deterministic: the same document gives an isomorphic graph with the
same IRIs (citations and unresolved references are numbered in reading
order, never in discovery order). `document_to_graph` gives the triples as
an rdflib Dataset; `document_nquads` writes the same quads as N-Quads bytes
without rdflib, for a corpus build.

Literals: strings are plain `xsd:string` without a language tag, dates
`xsd:date`, counts and numbers `xsd:integer`, selector offsets
`xsd:nonNegativeInteger` (the range Web Annotation gives `oa:start`/`oa:end`).
Characters that XML 1.0 forbids (NUL, C0 controls other than tab, LF and CR,
lone surrogates, U+FFFE/U+FFFF) are dropped from literals, so every
serialisation (RDF/XML and TriX included) reads back.
https://www.w3.org/TR/xml/#charsets
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD, Namespace

from . import ids
from .errors import MappingError
from .ids import DEFAULT_BASE
from .model import Citation, Clause, ClauseKind, Footnote, Instrument, Resolution, Span, UntsRef
from .resources import ontology_dir, patterns_dir
from .vocab import PREFIXES, RG, RGP, RGR

__all__ = [
    "DEFAULT_BASE",
    "DocumentQuads",
    "GraphSummary",
    "document_key",
    "document_nquads",
    "document_to_graph",
    "graph_summary",
    "merge_datasets",
    "nquads_literal",
    "phrase_concept",
    "vocabulary_graph",
]

ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")

# clause kind -> class (docs/mapping.md "Clauses and footnotes")
CLAUSE_CLASS: Mapping[ClauseKind, URIRef] = {
    "preambular": RG.PreambularParagraph,
    "operative": RG.OperativeParagraph,
    "subparagraph": RG.SubParagraph,
    "annex": RG.AnnexParagraph,
}

# cited kind (model.CitedKind) -> class of a cited document node
_CITED_CLASS_TERMS: Mapping[str, URIRef] = {
    "resolution": RG.Resolution,
    "decision": RG.Decision,
    "document": RG.Document,
}

# the same, as plain strings for the mapper
_CLAUSE_CLASS: Mapping[ClauseKind, str] = {k: str(v) for k, v in CLAUSE_CLASS.items()}
_CITED_CLASS: Mapping[str, str] = {k: str(v) for k, v in _CITED_CLASS_TERMS.items()}

# the relation when the clause's phrase implies nothing more specific
DEFAULT_RELATION = "cites"

# characters outside the XML 1.0 Char production (https://www.w3.org/TR/xml/#charsets)
_ILLEGAL_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# an absolute IRI we accept from the input (AKN subject IRIs): no blanks, no delimiters
_SAFE_IRI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f]+")

# a base under which instance IRIs are minted: absolute, ending in "/" or "#"
_BASE_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f]*[/#]")

# a GA resolution symbol the AKN4UN work IRI can be formed from ("75/101A" -> "75-101A")
_AKN_GA_RE = re.compile(r"A/RES/(\d+)/(\d+[A-Z]?)")


def clean_literal(text: str) -> str:
    """Drop characters that are not legal in XML 1.0 (so every RDF syntax reads back).

    >>> clean_literal("a\\x00b\\x0cc\\td\\ud800e")
    'abc\\tde'
    """
    # every illegal character is a control, a surrogate or a non-character, none of them
    # printable: a printable text (nearly all) skips the regex
    if text.isprintable():
        return text
    return _ILLEGAL_CHARS_RE.sub("", text)


def document_key(res: Resolution) -> str:
    """The symbol a document's IRIs are minted from.

    A document without a symbol gets "unknown/<first 16 hex digits of the
    SHA-256 of its source>", so the same file always gives the same IRIs.
    """
    if res.heading.symbol:
        return ids.normalise_symbol(res.heading.symbol)
    digest = res.source.sha256.removeprefix("sha256:").lower()
    if not re.fullmatch(r"[0-9a-f]{16,}", digest):
        digest = hashlib.sha256(res.source.text.encode("utf-8", "surrogatepass")).hexdigest()
    return "unknown/" + digest[:16]


def akn4un_work(symbol: str, adopted: date | None) -> str | None:
    """The AKN4UN FRBR work IRI of a GA resolution, when its adoption date is known.

    >>> akn4un_work("A/RES/75/101A", date(2020, 12, 10))
    '/akn/un/statement/deliberation/unga/2020-12-10/75-101A/'
    >>> akn4un_work("S/RES/1325(2000)", date(2000, 10, 31)) is None
    True
    """
    m = _AKN_GA_RE.fullmatch(symbol)
    if m is None or adopted is None:
        return None
    return f"/akn/un/statement/deliberation/unga/{adopted.isoformat()}/{m[1]}-{m[2]}/"


# --- phrases -> SKOS concepts ------------------------------------------------


@dataclass(frozen=True)
class _PhraseIndex:
    adverbs: tuple[str, ...]  # longest first, so "once again" goes before "again"
    by_kind: Mapping[tuple[str, str], str]  # (kind, normalised label) -> concept id
    any_kind: Mapping[str, str]  # normalised label -> concept id
    relation: Mapping[str, str]  # concept id -> relation id


def _normalise_phrase(phrase: str, adverbs: Iterable[str]) -> str:
    """Lower case, single spaces, adverbs removed ("Also recalls" -> "recalls")."""
    s = " " + " ".join(phrase.lower().replace("’", "'").split()) + " "
    for adverb in adverbs:
        while f" {adverb} " in s:
            s = s.replace(f" {adverb} ", " ")
    return s.strip(" ,;:")


@cache
def _phrase_index() -> _PhraseIndex:
    path = patterns_dir() / "clause_phrases.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        phrases: dict[str, dict[str, Any]] = data["phrases"]
        adverbs = tuple(sorted((a.lower() for a in data.get("adverbs", [])), key=lambda a: -len(a)))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MappingError(f"{path}: cannot read the phrase list ({exc})") from exc
    by_kind: dict[tuple[str, str], str] = {}
    any_kind: dict[str, str] = {}
    relation: dict[str, str] = {}
    for cid in sorted(phrases):
        entry = phrases[cid]
        label = str(entry.get("label", ""))
        forms = [label, *entry.get("variants", [])]
        forms += [f"{label} {c}" for c in entry.get("complements", [])]
        for form in forms:
            key = _normalise_phrase(str(form), adverbs)
            if key:
                by_kind.setdefault((str(entry.get("kind")), key), cid)
                any_kind.setdefault(key, cid)
        relation[cid] = str(entry.get("relation") or DEFAULT_RELATION)
    return _PhraseIndex(adverbs, by_kind, any_kind, relation)


@lru_cache(maxsize=4096)  # pure, and the same few phrases open most clauses
def phrase_concept(phrase: str, kind: str | None = None) -> str | None:
    """The concept id of an opening phrase, variants and adverbs stripped; None if unknown.

    The longest known phrase that starts the given one wins, so "Takes note
    with deep appreciation" still finds "Takes note". A concept of the
    clause's own kind ("preambular"/"operative") is preferred.

    >>> phrase_concept("Recalling also"), phrase_concept("Also recalls", "operative")
    ('recalling', 'recalls')
    >>> phrase_concept("Zorbles the weather") is None
    True
    """
    index = _phrase_index()
    words = _normalise_phrase(phrase, index.adverbs).split()
    for n in range(len(words), 0, -1):
        key = " ".join(words[:n])
        found = index.by_kind.get((kind or "", key)) or index.any_kind.get(key)
        if found:
            return found
    return None


def _phrase_kind(kind: ClauseKind) -> str:
    return "preambular" if kind == "preambular" else "operative"


# --- the mapping ----------------------------------------------------------------

# Terms while mapping are plain values, not rdflib objects: an IRI is a `str`, a
# literal a `(lexical form, datatype IRI)` tuple ("" for a plain xsd:string). They
# hash and compare in C, so the mapping costs a list append per triple; rdflib
# terms are made only when a caller asks for a Dataset (measured: rdflib's
# Graph.add and term checks were most of the mapping's time).
_Literal = tuple[str, str]
_Object = str | _Literal
_Triple = tuple[str, str, _Object]


class _PlainTerms:
    """The IRIs of an rdflib namespace as plain `str` (a misspelt term still raises)."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        iri = str(getattr(self._namespace, name))
        setattr(self, name, iri)  # the next lookup is an instance attribute
        return iri


_rg = _PlainTerms(RG)
_rdf = _PlainTerms(RDF)
_rdfs = _PlainTerms(RDFS)
_dcterms = _PlainTerms(DCTERMS)
_xsd = _PlainTerms(XSD)
_eli = _PlainTerms(ELI)
_oa = _PlainTerms(OA)


@dataclass(frozen=True)
class _Mapped:
    """The distinct triples of one document, in first-added order, and its named graph."""

    graph: str
    triples: tuple[_Triple, ...]


def _map(res: Resolution, base: str) -> _Mapped:
    if not _BASE_RE.fullmatch(base):
        raise MappingError(f"base IRI {base!r}: must be an absolute IRI ending in '/' or '#'")
    key = document_key(res)
    mapper = _Mapper(base)
    mapper.document(res, key)
    return _Mapped(ids.graph_iri(key, base), tuple(dict.fromkeys(mapper.out)))


def document_to_graph(res: Resolution, *, base: str = DEFAULT_BASE) -> Dataset:
    """The triples of one document, in its own named graph `ids.graph_iri(symbol)`.

    Raises:
        MappingError: `base` is not an absolute IRI ending in "/" or "#".
    """
    mapped = _map(res, base)
    ds = Dataset(default_union=True)  # plain SPARQL (no GRAPH) sees every triple
    for prefix, ns in PREFIXES:
        ds.bind(prefix, ns)
    graph = ds.graph(URIRef(mapped.graph))
    terms: dict[_Object, URIRef | Literal] = {}  # a node recurs in many triples: make it once

    def term(value: _Object) -> URIRef | Literal:
        made = terms.get(value)
        if made is None:
            if isinstance(value, str):
                made = URIRef(value)
            elif value[1]:
                made = Literal(value[0], datatype=URIRef(value[1]))
            else:
                made = Literal(value[0])
            terms[value] = made
        return made

    graph.addN((term(s), term(p), term(o), graph) for s, p, o in mapped.triples)
    return ds


@dataclass(frozen=True)
class DocumentQuads:
    """One document as N-Quads, ready for a bulk load, and the texts of its full-text index."""

    nquads: bytes  # UTF-8, one quad per line, each quad once, all in the document's graph
    triples: int  # distinct quads: len(document_to_graph(res))
    # (subject IRI, "footnote" | "clause", text) of every rg:text; "footnote": an rg:Footnote
    texts: tuple[tuple[str, str, str], ...]


def document_nquads(res: Resolution, base: str = DEFAULT_BASE) -> DocumentQuads:
    """The quads of `document_to_graph(res, base=base)`, written as N-Quads without rdflib.

    Raises:
        MappingError: `base` is not an absolute IRI ending in "/" or "#".
    """
    mapped = _map(res, base)
    tail = f" <{mapped.graph}> .\n"
    lines = []
    footnotes: set[str] = set()
    texts: list[tuple[str, str]] = []
    rdf_type, footnote, text = _rdf.type, _rg.Footnote, _rg.text
    for s, p, o in mapped.triples:
        if isinstance(o, str):
            lines.append(f"<{s}> <{p}> <{o}>{tail}")
            if p == rdf_type and o == footnote:
                footnotes.add(s)
        else:
            lexical, datatype = o  # nquads_literal inlined: a call per literal was measurable
            if not (lexical.isprintable() and '"' not in lexical and "\\" not in lexical):
                lexical = _NT_ESCAPE_RE.sub(_nt_escape, lexical)
            if datatype:
                lines.append(f'<{s}> <{p}> "{lexical}"^^<{datatype}>{tail}')
            else:
                lines.append(f'<{s}> <{p}> "{lexical}"{tail}')
            if p == text:
                texts.append((s, o[0]))
    return DocumentQuads(
        # "replace" as rdflib's serialiser: a lone surrogate cannot be UTF-8 (literals are
        # cleaned of them; IRIs come percent-encoded from ids.py, or from XML that has none)
        nquads="".join(lines).encode("utf-8", "replace"),
        triples=len(mapped.triples),
        texts=tuple((s, "footnote" if s in footnotes else "clause", t) for s, t in texts),
    )


# N-Triples forbids a raw '"', backslash, LF and CR in a string; other controls are
# allowed but escaped too, so that no reader (or terminal) trips on them
# https://www.w3.org/TR/n-triples/#grammar-production-STRING_LITERAL_QUOTE
_NT_ESCAPE_RE = re.compile('[\\\\"\x00-\x08\x0a-\x1f\x7f]')
_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def _nt_escape(m: re.Match[str]) -> str:
    c = m[0]
    return _NT_ESCAPES.get(c) or f"\\u{ord(c):04X}"


def nquads_literal(lexical: str, datatype: str = "", language: str = "") -> str:
    """A literal in N-Quads syntax, suffixed as rdflib's serialiser does.

    An empty datatype and language is a plain xsd:string; a language tag wins
    over a datatype (rdf:langString is implied).

    >>> print(nquads_literal('say "hi"\\n'), nquads_literal("7", str(XSD.integer)))
    "say \\"hi\\"\\n" "7"^^<http://www.w3.org/2001/XMLSchema#integer>
    >>> print(nquads_literal("a\\\\b\\x01"), nquads_literal("é", language="fr"))
    "a\\\\b\\u0001" "é"@fr
    """
    # a printable text has no control character (nor DEL): only '"' and '\\' may need escaping
    if not (lexical.isprintable() and '"' not in lexical and "\\" not in lexical):
        lexical = _NT_ESCAPE_RE.sub(_nt_escape, lexical)
    if language:
        return f'"{lexical}"@{language}'
    return f'"{lexical}"^^<{datatype}>' if datatype else f'"{lexical}"'


class _Mapper:
    """Collects the triples of one document (and its parts) in `out`, in mapping order."""

    def __init__(self, base: str) -> None:
        self.out: list[_Triple] = []
        self.base = base

    # small helpers: every triple goes through these

    def _add(self, s: str, p: str, o: _Object) -> None:
        self.out.append((s, p, o))

    def _text(self, s: str, p: str, value: str | None) -> None:
        if value is not None:
            cleaned = value if value.isprintable() else clean_literal(value)  # a call saved
            if cleaned:
                self.out.append((s, p, (cleaned, "")))

    def _int(self, s: str, p: str, value: int | None) -> None:
        if value is not None:
            self.out.append((s, p, (str(value), _xsd.integer)))

    def _date(self, s: str, p: str, value: date | None) -> None:
        if value is not None:
            self.out.append((s, p, (value.isoformat(), _xsd.date)))

    def _selector(self, node: str, span: Span | None) -> None:
        if span is None:
            return
        sel = node + "#span"
        nni = _xsd.nonNegativeInteger
        self.out += (
            (node, _rg.selector, sel),
            (sel, _rdf.type, _oa.TextPositionSelector),
            (sel, _oa.start, (str(span.start), nni)),
            (sel, _oa.end, (str(span.end), nni)),
        )

    # nodes shared between documents: organs, documents, treaties, volumes

    def organ(self, name: str) -> str:
        node = ids.organ_iri(name, self.base)
        self._add(node, _rdf.type, _rg.Organ)
        self._text(node, _rdfs.label, name)
        return node

    def document_node(self, symbol: str, cls: str | None = None) -> str:
        """A (cited) document: type, identifier, label, undocs.org link, organ of its series."""
        symbol = ids.normalise_symbol(symbol)
        node = ids.document_iri(symbol, self.base)
        if cls is None:
            cls = _rg.Resolution if "/RES/" in symbol else _rg.Document
        self._add(node, _rdf.type, cls)
        self._text(node, _dcterms.identifier, symbol)
        self._text(node, _rdfs.label, symbol)
        self._add(node, _rdfs.seeAlso, ids.undocs_url(symbol))
        organ = ids.organ_of_symbol(symbol)
        if organ:
            self._add(node, _rg.organ, self.organ(organ))
        return node

    def volume(self, ref: UntsRef) -> str:
        node = ids.unts_volume_iri(ref.volume, self.base, ref.series)
        self._add(node, _rdf.type, _rg.TreatySeriesVolume)
        self._int(node, _rg.volumeNumber, ref.volume)
        self._text(node, _rg.treatySeries, ref.series)
        self._text(node, _rdfs.label, f"{ref.series} vol. {ref.volume_as_printed or ref.volume}")
        if ref.volume_as_printed and ref.volume_as_printed != str(ref.volume):
            self._text(node, _rg.volumeAsPrinted, ref.volume_as_printed)
        return node

    def treaty(self, treaty_id: str) -> str:
        node = ids.treaty_iri(treaty_id, self.base)
        self._add(node, _rdf.type, _rg.Treaty)
        return node

    def instrument(self, ins: Instrument) -> None:
        node = self.treaty(ins.id)
        self._text(node, _rdfs.label, ins.label)
        self._text(node, _rg.shortName, ins.short_name)
        for ref in ins.unts:
            self._add(node, _rg.inVolume, self.volume(ref))
            if ref.series == "UNTS":
                self._int(node, _rg.untsVolume, ref.volume)
                self._int(node, _rg.untsPage, ref.page)
                self._text(node, _rg.untsRegistrationNumber, ref.number)
            else:
                self._int(node, _rg.lntsVolume, ref.volume)
                self._int(node, _rg.lntsPage, ref.page)
                self._text(node, _rg.lntsRegistrationNumber, ref.number)
        if ins.adopted_by:
            self._add(node, _rg.adoptedBy, self.document_node(ins.adopted_by))
        self._text(node, _rg.annex, ins.annex)
        self._add(node, _rg.inRegister, ("true" if ins.in_register else "false", _xsd.boolean))

    # the parsed document

    def document(self, res: Resolution, key: str) -> str:
        h = res.heading
        known = res.heading.symbol is not None
        doc = ids.document_iri(key, self.base)
        if known:
            self.document_node(key)
        else:
            self._add(doc, _rdf.type, _rg.Document)
            self._text(doc, _rdfs.label, h.title or Path(res.source.name).name or key)
        self._text(doc, _rg.resolutionNumber, h.number)
        self._text(doc, _dcterms.title, h.title)
        self._date(doc, _eli.date_document, h.adopted)
        if h.organ:
            self._add(doc, _rg.organ, self.organ(h.organ))
        self._int(doc, _rg.session, h.session)
        self._text(doc, _rg.meeting, h.meeting)
        for item in h.agenda_items:
            self._text(doc, _rg.agendaItem, item)
        if h.committee:
            self._add(doc, _rg.committee, self.organ(h.committee))
        if h.committee_report:
            self._add(doc, _rg.adoptedOnReportOf, self.document_node(h.committee_report))
        self._text(doc, _rg.reportParagraph, h.report_paragraph)
        if h.draft:
            self._add(doc, _rg.draft, self.document_node(h.draft))
        self._date(doc, _rg.distributionDate, h.distributed)
        self._text(doc, _rg.jobNumber, h.job_number)
        self._text(doc, _rg.enactingFormula, h.formula)
        self._text(doc, _rg.voteOutcome, h.vote)
        for sponsor in h.sponsors:
            self._text(doc, _rg.sponsor, sponsor)
        self._text(doc, _rg.layout, res.layout)
        self._text(doc, _rg.sourceFile, Path(res.source.name).name)
        if res.source.sha256:
            self._text(doc, _rg.contentHash, "sha256:" + res.source.sha256.removeprefix("sha256:"))
        self._text(
            doc, _rg.akn4unWork, h.work_iri or (akn4un_work(key, h.adopted) if known else None)
        )
        for subject in h.subjects:
            if _SAFE_IRI_RE.fullmatch(subject.iri):
                self._add(doc, _dcterms.subject, subject.iri)
                self._text(subject.iri, _rdfs.label, subject.label)

        clauses = {c.key: c for c in res.clauses}
        for clause in res.clauses:
            self.clause(doc, key, clause, clauses)
        for fn in res.footnotes:
            self.footnote(doc, key, fn)
        for ins in sorted(res.instruments, key=lambda i: i.id):
            self.instrument(ins)
        for n, cit in enumerate(sorted(res.citations, key=_reading_order), start=1):
            self.citation(doc, key, n, cit, clauses)
        unresolved = sorted(res.unresolved, key=lambda u: (u.span, u.text, u.reason))
        for n, ref in enumerate(unresolved, start=1):
            node = ids.clause_iri(key, f"unresolved/{n}", self.base)
            self._add(node, _rdf.type, _rg.UnresolvedReference)
            self._add(node, _rg.citingDocument, doc)
            self._text(node, _rg.citedText, ref.text)
            self._text(node, _rg.reason, ref.reason)
            if ref.clause:
                self._add(node, _rg.citingClause, ids.clause_iri(key, ref.clause, self.base))
            if ref.footnote:
                self._add(node, _rg.viaFootnote, ids.footnote_iri(key, ref.footnote, self.base))
            self._selector(node, ref.span)

        for i, part in enumerate(res.parts, start=1):
            part_key = document_key(part) if part.heading.symbol else f"{key}/part/{i}"
            self._add(self.document(part, part_key), _eli.is_part_of, doc)
        return doc

    def clause(self, doc: str, key: str, c: Clause, clauses: Mapping[str, Clause]) -> None:
        node = ids.clause_iri(key, c.key, self.base)
        parent = ids.clause_iri(key, c.parent, self.base) if c.parent else doc
        self.out += ((node, _rdf.type, _CLAUSE_CLASS[c.kind]), (node, _eli.is_part_of, parent))
        self._text(node, _rdfs.label, f"{key} {c.key}")
        self._int(node, _rg.position, c.position)
        self._text(node, _rg.number, c.number)
        self._text(node, _rg.section, c.section)
        self._text(node, _rg.phrase, c.phrase)
        concept = phrase_concept(c.phrase, _phrase_kind(c.kind)) if c.phrase else None
        if concept:
            self._add(node, _rg.phraseConcept, _concept_iri(concept))
        self._text(node, _rg.text, c.text)
        self._selector(node, c.span)

    def footnote(self, doc: str, key: str, fn: Footnote) -> None:
        node = ids.footnote_iri(key, fn.key, self.base)
        self._add(node, _rdf.type, _rg.Footnote)
        self._add(node, _eli.is_part_of, doc)
        self._text(node, _rdfs.label, f"{key} {fn.key}")
        self._text(node, _rg.marker, fn.marker)
        if fn.anchor:
            self._add(node, _rg.anchoredIn, ids.clause_iri(key, fn.anchor, self.base))
        self._text(node, _rg.text, fn.text)
        self._selector(node, fn.span)

    def cited_node(self, cit: Citation) -> str:
        """The node a citation points at (a component is part of its work)."""
        if cit.kind == "treaty":
            return self.treaty(cit.target)
        node = self.document_node(cit.target, _CITED_CLASS.get(cit.kind))
        if cit.organ and ids.organ_of_symbol(ids.normalise_symbol(cit.target)) is None:
            self._add(node, _rg.organ, self.organ(cit.organ))
        if cit.work:
            self._add(node, _eli.is_part_of, self.document_node(cit.work, _rg.Resolution))
        self._text(node, _dcterms.title, cit.title)
        self._date(node, _eli.date_document, cit.date)
        return node

    def citation(
        self, doc: str, key: str, n: int, cit: Citation, clauses: Mapping[str, Clause]
    ) -> None:
        node = ids.citation_iri(key, n, self.base)
        cited = self.cited_node(cit)
        volumes = [self.volume(ref) for ref in cit.unts]
        citing: list[str] = [doc]
        self._add(node, _rdf.type, _rg.Citation)
        self._add(node, _rg.citingDocument, doc)
        if cit.clause:
            clause = ids.clause_iri(key, cit.clause, self.base)
            self._add(node, _rg.citingClause, clause)
            citing.append(clause)
        if cit.footnote:
            fn = ids.footnote_iri(key, cit.footnote, self.base)
            self._add(node, _rg.viaFootnote, fn)
            citing.append(fn)
        self._add(node, _rg.cited, cited)
        self._add(node, _rg.relation, _relation_iri(_relation(cit.clause, clauses)))
        self._text(node, _rg.citedText, cit.text)
        self._date(node, _rg.citedDate, cit.date)
        self._text(node, _rg.citedTitle, cit.title)
        for vol in volumes:
            self._add(node, _rg.citedVolume, vol)
        self._text(node, _rg.pattern, cit.pattern)
        self._selector(node, cit.span)
        for source in citing:  # the simple layer: eli:cites from clause, footnote and document
            for target in (cited, *volumes):
                self._add(source, _eli.cites, target)


@lru_cache(maxsize=1024)
def _concept_iri(concept: str) -> str:
    return str(RGP[concept])


@lru_cache(maxsize=1024)
def _relation_iri(relation: str) -> str:
    return str(RGR[relation])


def _reading_order(cit: Citation) -> tuple[int, str, int, str, str, str, str]:
    return (
        cit.span.start,
        cit.target,
        cit.span.end,
        cit.kind,
        cit.clause or "",
        cit.footnote or "",
        cit.text,
    )


def _relation(clause_key: str | None, clauses: Mapping[str, Clause]) -> str:
    """The relation implied by the citing clause's phrase (a sub-paragraph's: its parent's)."""
    seen: set[str] = set()
    while clause_key and clause_key not in seen:
        seen.add(clause_key)
        clause = clauses.get(clause_key)
        if clause is None:
            break
        if clause.phrase:
            concept = phrase_concept(clause.phrase, _phrase_kind(clause.kind))
            if concept:
                return _phrase_index().relation.get(concept, DEFAULT_RELATION)
            break
        clause_key = clause.parent
    return DEFAULT_RELATION


# --- datasets -------------------------------------------------------------------


def merge_datasets(datasets: Iterable[Dataset]) -> Dataset:
    """One dataset holding every named graph of the given ones (prefixes kept)."""
    out = Dataset(default_union=True)
    for prefix, ns in PREFIXES:
        out.bind(prefix, ns)
    for ds in datasets:
        for s, p, o, name in ds.quads((None, None, None, None)):
            target = out.graph(name) if name is not None else out.default_graph
            target.add((s, p, o))
    return out


def vocabulary_graph() -> Graph:
    """The ontology and the SKOS schemes of phrases and relations, in one graph."""
    g = Graph()
    for prefix, ns in PREFIXES:
        g.bind(prefix, ns)
    for name in ("resgraph.ttl", "phrases.ttl"):
        g.parse(ontology_dir() / name, format="turtle")
    return g


@dataclass(frozen=True)
class GraphSummary:
    """Counts over a dataset, for the CLI summary."""

    documents: int  # documents parsed from their own text (they carry rg:layout)
    clauses: Mapping[str, int]  # by clause kind: preambular, operative, subparagraph, annex
    footnotes: int
    citations: Mapping[str, int]  # by what is cited: resolution, document, decision, treaty
    unresolved: int
    triples: int  # distinct triples over all named graphs
    quads: int

    def __str__(self) -> str:
        clauses = ", ".join(f"{k} {v}" for k, v in self.clauses.items())
        citations = ", ".join(f"{k} {v}" for k, v in self.citations.items())
        return (
            f"{self.documents} documents, {sum(self.clauses.values())} clauses ({clauses}), "
            f"{self.footnotes} footnotes, {sum(self.citations.values())} citations "
            f"({citations}), {self.unresolved} unresolved, {self.triples} triples"
        )


_CLASS_KIND: Mapping[URIRef, str] = {cls: kind for kind, cls in CLAUSE_CLASS.items()}
# most specific first: a component is a rg:Resolution, a resolution also a rg:Document
_CITED_KIND: tuple[tuple[URIRef, str], ...] = (
    (RG.Treaty, "treaty"),
    (RG.TreatySeriesVolume, "volume"),
    (RG.Resolution, "resolution"),
    (RG.Decision, "decision"),
    (RG.Document, "document"),
)


def graph_summary(ds: Dataset) -> GraphSummary:
    """Count documents, clauses by kind, footnotes, citations by cited kind, unresolved."""
    types: dict[object, set[object]] = {}
    cited: dict[object, object] = {}
    layouts: set[object] = set()
    triples: set[tuple[object, object, object]] = set()
    quads = 0
    for s, p, o, _ in ds.quads((None, None, None, None)):
        quads += 1
        triples.add((s, p, o))
        if p == RDF.type:
            types.setdefault(s, set()).add(o)
        elif p == RG.cited:
            cited[s] = o
        elif p == RG.layout:
            layouts.add(s)
    clauses: Counter[str] = Counter()
    citations: Counter[str] = Counter()
    footnotes = unresolved = 0
    for node, node_types in types.items():
        for t in node_types:
            if isinstance(t, URIRef) and t in _CLASS_KIND:
                clauses[_CLASS_KIND[t]] += 1
        footnotes += RG.Footnote in node_types
        unresolved += RG.UnresolvedReference in node_types
        if RG.Citation in node_types:
            target_types = types.get(cited.get(node), set())
            kind = next((k for cls, k in _CITED_KIND if cls in target_types), "other")
            citations[kind] += 1
    return GraphSummary(
        documents=len(layouts),
        clauses=dict(sorted(clauses.items())),
        footnotes=footnotes,
        citations=dict(sorted(citations.items())),
        unresolved=unresolved,
        triples=len(triples),
        quads=quads,
    )
