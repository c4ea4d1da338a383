"""Published forms of the vocabulary: the treaty register as RDF and the HTML documentation.

`python -m resgraph.gen_vocab` writes them with the other generated files
(`ontology/treaties.ttl`, `ontology/index.html`); `tests/test_vocab.py` keeps
them in step with their sources (`resgraph/patterns/treaties.json`,
`ontology/resgraph.ttl`, `ontology/phrases.ttl`, `ontology/shapes.ttl`).

Provenance of the register (ontology/README.md, "The treaty register"): every
fact is a plain triple, so queries stay simple, and each fact that the register
sources is also described by an `rdf:Statement` (RDF reification, the one
statement-level mechanism every RDF 1.1 store and SPARQL engine understands)
carrying `dcterms:source` — an IRI where the source is a web site, the
register's own wording otherwise.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from . import ids
from .errors import PatternError

RG_NS = "https://w3id.org/resgraph/ontology#"
REGISTER_IRI = "https://w3id.org/resgraph/treaties"
SHAPES_NS = "https://w3id.org/resgraph/shapes#"

# register sources that name a web site: published as an IRI
_SITE_SOURCES = {"treaties.un.org": "https://treaties.un.org/"}

_TREATIES_HEADER = """\
# GENERATED — do not edit. From resgraph/patterns/treaties.json by
# `python -m resgraph.gen_vocab`: the curated treaty register as linked data.
# Every fact is a plain triple; a fact the register sources is also an
# rdf:Statement with dcterms:source (see ontology/README.md).

@prefix rg: <https://w3id.org/resgraph/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

Fact = tuple[str, str]  # predicate (Turtle), object (Turtle)


def _lit(value: str | int) -> str:
    """A Turtle literal: integers bare (xsd:integer), strings quoted and escaped."""
    return str(value) if isinstance(value, int) else Literal(value).n3()


def _date(value: str) -> str:
    return Literal(value, datatype=XSD.date).n3()


def _iri(value: str) -> str:
    return f"<{value}>"


def _source(text: str) -> str:
    site = _SITE_SOURCES.get(text.strip())
    return _iri(site) if site else _lit(text)


def _strings(entry: Mapping[str, Any], key: str) -> list[str]:
    value = entry.get(key)
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def _document(symbol: str, base: str) -> str:
    return _iri(ids.document_iri(ids.normalise_symbol(symbol), base))


def _treaty_facts(t: Mapping[str, Any], base: str) -> list[tuple[str, list[Fact]]]:
    """The facts of one treaty, grouped by the register's source key."""
    name = [("rdfs:label", _lit(t["name"])), ("skos:prefLabel", _lit(t["name"]))]
    name += [("skos:altLabel", _lit(a)) for a in _strings(t, "aliases")]
    name += [("rg:shortName", _lit(a)) for a in _strings(t, "short_names")]
    groups: list[tuple[str, list[Fact]]] = [("name", name)]
    if t.get("adopted_by"):
        adopted = [("rg:adoptedBy", _document(t["adopted_by"], base))]
        if t.get("annex"):
            adopted.append(("rg:annex", _lit(t["annex"])))
        groups.append(("adopted_by", adopted))
    adoption: list[Fact] = []
    if t.get("adoption_date"):
        adoption.append(("rg:adoptionDate", _date(t["adoption_date"])))
    if t.get("adoption_place"):
        adoption.append(("rg:adoptionPlace", _lit(t["adoption_place"])))
    if t.get("adoption_event"):
        adoption.append(("rg:adoptionEvent", _lit(str(t["adoption_event"]).replace("-", " "))))
    groups.append(("adoption", adoption))
    unts: list[Fact] = []
    for ref in t.get("unts", []):
        series = str(ref.get("series", "UNTS"))
        prefix = "unts" if series == "UNTS" else "lnts"
        vol = int(ref["volume"])
        unts.append(("rg:inVolume", _iri(ids.unts_volume_iri(vol, base, series))))
        unts.append((f"rg:{prefix}Volume", _lit(vol)))
        if ref.get("page") is not None:
            unts.append((f"rg:{prefix}Page", _lit(int(ref["page"]))))
        if ref.get("number"):
            unts.append((f"rg:{prefix}RegistrationNumber", _lit(str(ref["number"]))))
    groups.append(("unts", unts))
    if t.get("entry_into_force"):
        groups.append(("entry_into_force", [("rg:entryIntoForce", _date(t["entry_into_force"]))]))
    return [(key, facts) for key, facts in groups if facts]


def _node(subject: str, types: str, facts: Iterable[Fact]) -> list[str]:
    lines = [f"{subject} a {types} ;"]
    body = sorted(set(facts))
    for i, (p, o) in enumerate(body):
        lines.append(f"    {p} {o}" + (" ." if i == len(body) - 1 else " ;"))
    if not body:
        lines[0] = lines[0][:-2] + " ."
    return [*lines, ""]


def _statements(subject: str, facts: Sequence[Fact], sources: Sequence[str]) -> list[str]:
    if not sources:
        return []
    src = " , ".join(_source(s) for s in sorted(set(sources)))
    out = []
    for p, o in sorted(set(facts)):
        out.append(
            f"[] a rdf:Statement ; rdf:subject {subject} ; rdf:predicate {p} ; rdf:object {o} ;"
        )
        out.append(f"    dcterms:source {src} .")
    return out


def render_treaties(data: Mapping[str, Any], base: str = ids.DEFAULT_BASE) -> str:
    """Turtle of the treaty register: treaties, their volumes and adopting documents.

    Raises:
        PatternError: an entry lacks its id or name.
    """
    treaties = data.get("treaties")
    declarations = data.get("declarations", [])
    if not isinstance(treaties, list) or not isinstance(declarations, list):
        raise PatternError("treaties.json: needs lists 'treaties' and 'declarations'")
    out = [_TREATIES_HEADER]
    out += _node(
        _iri(REGISTER_IRI),
        "prov:Entity",
        [
            ("dcterms:title", _lit("resgraph treaty register")),
            (
                "dcterms:description",
                _lit(
                    "Treaties and declarations cited by UN resolutions: names, adopting "
                    "resolution and annex, place and date of adoption, Treaty Series "
                    "references and entry into force, each fact with its source."
                ),
            ),
            ("dcterms:license", _iri("https://opensource.org/licenses/MIT")),
            ("dcterms:source", _lit("resgraph/patterns/treaties.json")),
        ],
    )
    volumes: dict[str, list[Fact]] = {}
    documents: set[str] = set()
    dated: dict[str, set[Fact]] = {}  # adopting resolution -> its date (from the register)
    statements: list[str] = []
    for t in sorted(treaties, key=lambda e: str(e.get("id"))):
        if not isinstance(t, dict) or not t.get("id") or not t.get("name"):
            raise PatternError(f"treaties.json: treaty without id or name: {t!r}")
        subject = _iri(ids.treaty_iri(t["id"], base))
        groups = _treaty_facts(t, base)
        facts = [f for _, fs in groups for f in fs]
        facts.append(("rg:inRegister", "true"))
        facts.append(("dcterms:isPartOf", _iri(REGISTER_IRI)))
        if t.get("parent"):
            facts.append(("rg:parentTreaty", _iri(ids.treaty_iri(t["parent"], base))))
        out += _node(subject, "rg:Treaty", facts)
        sources = t.get("sources", {})
        for key, fs in groups:
            statements += _statements(subject, fs, _strings(sources, key))
        for ref in t.get("unts", []):
            series = str(ref.get("series", "UNTS"))
            vol = int(ref["volume"])
            printed = ref.get("volume_as_printed") or str(vol)
            vfacts = [
                ("rg:volumeNumber", _lit(vol)),
                ("rg:treatySeries", _lit(series)),
                ("rdfs:label", _lit(f"{series} vol. {printed}")),
            ]
            if printed != str(vol):
                vfacts.append(("rg:volumeAsPrinted", _lit(printed)))
            volumes[_iri(ids.unts_volume_iri(vol, base, series))] = vfacts
        if t.get("adopted_by"):
            adopting = ids.normalise_symbol(t["adopted_by"])
            documents.add(adopting)
            if t.get("adopted_by_date"):
                fact = ("eli:date_document", _date(t["adopted_by_date"]))
                dated.setdefault(adopting, set()).add(fact)
                statements += _statements(
                    _document(adopting, base), [fact], _strings(sources, "adopted_by_date")
                )
    for d in sorted(declarations, key=lambda e: str(e.get("id"))):
        if not isinstance(d, dict) or not d.get("resolution") or not d.get("name"):
            raise PatternError(f"treaties.json: declaration without resolution or name: {d!r}")
        symbol = ids.normalise_symbol(d["resolution"])
        documents.add(symbol)
        subject = _document(symbol, base)
        facts = [("skos:prefLabel", _lit(d["name"]))]
        facts += [("skos:altLabel", _lit(a)) for a in _strings(d, "aliases")]
        out += _node(subject, "rg:Resolution", [*facts, ("dcterms:isPartOf", _iri(REGISTER_IRI))])
        statements += _statements(subject, facts, _strings(d.get("sources", {}), "resolution"))
    for vol_iri in sorted(volumes):
        out += _node(vol_iri, "rg:TreatySeriesVolume", volumes[vol_iri])
    for symbol in sorted(documents):
        cls = "rg:Resolution" if "/RES/" in symbol else "rg:Document"
        out += _node(
            _document(symbol, base),
            cls,
            [
                ("dcterms:identifier", _lit(symbol)),
                ("rdfs:label", _lit(symbol)),
                ("rdfs:seeAlso", _iri(ids.undocs_url(symbol))),
                *sorted(dated.get(symbol, ())),
            ],
        )
    out += statements
    return "\n".join(out).rstrip("\n") + "\n"


# --- the HTML documentation page ------------------------------------------------------

_KINDS = (
    (OWL.Class, "classes", "Classes"),
    (OWL.ObjectProperty, "object-properties", "Object properties"),
    (OWL.DatatypeProperty, "datatype-properties", "Datatype properties"),
    (OWL.AnnotationProperty, "annotation-properties", "Annotation properties"),
)

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
  line-height: 1.45; color: #222; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { background: #f5f5f5; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; }
section.term { border-top: 1px solid #ddd; padding-top: 0.5rem; }
dt { font-weight: 600; } table { border-collapse: collapse; }
td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; vertical-align: top; text-align: left; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _curie(term: object, prefixes: Mapping[str, str]) -> str:
    iri = str(term)
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w\-.]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _link(term: object, prefixes: Mapping[str, str]) -> str:
    iri = str(term)
    label = _curie(term, prefixes)
    if iri.startswith(RG_NS):
        return f'<a href="#{_e(iri[len(RG_NS) :])}"><code>{_e(label)}</code></a>'
    return f'<a href="{_e(iri)}"><code>{_e(label)}</code></a>'


def render_html(
    onto: Graph, phrases: Graph, shapes: Graph, prefixes: Sequence[tuple[str, str]]
) -> str:
    """The ontology's documentation page: every rg: term, the SKOS schemes and the shapes."""
    pfx = dict(prefixes)
    pfx.setdefault("undo", "https://w3id.org/un/ontology/undo/")
    root = URIRef(RG_NS.rstrip("#"))
    title = onto.value(root, URIRef("http://purl.org/dc/terms/title")) or "resgraph ontology"
    version = onto.value(root, OWL.versionInfo)
    description = onto.value(root, URIRef("http://purl.org/dc/terms/description")) or ""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)} {_e(version)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<!-- GENERATED by `python -m resgraph.gen_vocab` from ontology/*.ttl; do not edit. -->",
        f"<h1>{_e(title)}</h1>",
        f"<p>IRI: <code>{_e(root)}</code> · namespace <code>{_e(RG_NS)}</code> · "
        f"version {_e(version)}</p>",
        f"<p>{_e(description)}</p>",
        "<h2>Contents</h2>",
        "<ul>",
    ]
    for _, anchor, heading in _KINDS:
        out.append(f'<li><a href="#{anchor}">{heading}</a></li>')
    out += [
        '<li><a href="#relations">Citation relations</a></li>',
        '<li><a href="#phrases">Opening phrases</a></li>',
        '<li><a href="#shapes">SHACL shapes</a></li>',
        '<li><a href="#prefixes">Prefixes</a></li>',
        "</ul>",
    ]
    for kind, anchor, heading in _KINDS:
        terms = sorted(
            s
            for s in set(onto.subjects(RDF.type, kind))
            if isinstance(s, URIRef) and str(s).startswith(RG_NS)
        )
        out.append(f'<h2 id="{anchor}">{heading} ({len(terms)})</h2>')
        for term in terms:
            out += _term_section(onto, term, pfx)
    out += _relations_section(phrases, pfx)
    out += _phrases_section(phrases)
    out += _shapes_section(shapes)
    out.append('<h2 id="prefixes">Prefixes</h2>')
    out.append("<table><tr><th>prefix</th><th>namespace</th></tr>")
    for prefix, ns in sorted(pfx.items()):
        out.append(f"<tr><td><code>{_e(prefix)}:</code></td><td><code>{_e(ns)}</code></td></tr>")
    out += ["</table>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _term_section(g: Graph, term: URIRef, pfx: Mapping[str, str]) -> list[str]:
    name = str(term)[len(RG_NS) :]
    out = [f'<section class="term" id="{_e(name)}">', f"<h3><code>rg:{_e(name)}</code></h3>"]
    label = g.value(term, RDFS.label)
    out.append(f"<p><em>{_e(label)}</em> — {_e(g.value(term, RDFS.comment) or '')}</p>")
    out.append("<dl>")
    rows = (
        ("subclass of", RDFS.subClassOf),
        ("subproperty of", RDFS.subPropertyOf),
        ("domain", RDFS.domain),
        ("range", RDFS.range),
        ("close match", SKOS.closeMatch),
        ("narrow match", SKOS.narrowMatch),
        ("related match", SKOS.relatedMatch),
        ("see also", RDFS.seeAlso),
    )
    for heading, prop in rows:
        values = sorted(str(v) for v in g.objects(term, prop))
        if values:
            links = ", ".join(_link(URIRef(v), pfx) for v in values)
            out.append(f"<dt>{heading}</dt><dd>{links}</dd>")
    akn = sorted(str(v) for v in g.objects(term, URIRef(RG_NS + "aknElement")))
    if akn:
        out.append(f"<dt>AKN element</dt><dd><code>{_e(', '.join(akn))}</code></dd>")
    for ex in sorted(str(v) for v in g.objects(term, SKOS.example)):
        out.append(f"<dt>example</dt><dd><pre>{_e(ex)}</pre></dd>")
    out += ["</dl>", "</section>"]
    return out


def _relations_section(phrases: Graph, pfx: Mapping[str, str]) -> list[str]:
    scheme = URIRef("https://w3id.org/resgraph/relation/scheme")
    concepts = sorted(c for c in phrases.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef))
    out = [f'<h2 id="relations">Citation relations ({len(concepts)})</h2>', "<table>"]
    out.append("<tr><th>concept</th><th>label</th><th>definition</th></tr>")
    for c in concepts:
        out.append(
            f"<tr><td><code>{_e(_curie(c, pfx))}</code></td>"
            f"<td>{_e(phrases.value(c, SKOS.prefLabel))}</td>"
            f"<td>{_e(phrases.value(c, SKOS.definition) or '')}</td></tr>"
        )
    return [*out, "</table>"]


def _phrases_section(phrases: Graph) -> list[str]:
    out = ['<h2 id="phrases">Opening phrases</h2>']
    for kind in ("operative", "preambular"):
        scheme = URIRef(f"https://w3id.org/resgraph/phrase/{kind}")
        concepts = [c for c in phrases.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)]

        def strength(c: URIRef) -> int:
            value = phrases.value(c, URIRef(RG_NS + "normativeStrength"))
            return int(value.toPython()) if isinstance(value, Literal) else 0

        concepts.sort(key=lambda c: (-strength(c), str(c)))
        out.append(f"<h3>{kind.capitalize()} ({len(concepts)})</h3>")
        out.append(
            "<table><tr><th>concept</th><th>label</th><th>variants</th>"
            "<th>relation</th><th>strength</th></tr>"
        )
        for c in concepts:
            variants = ", ".join(sorted(str(v) for v in phrases.objects(c, SKOS.altLabel)))
            rel = phrases.value(c, URIRef(RG_NS + "impliesRelation"))
            rel_name = str(rel).rsplit("/", 1)[-1] if rel is not None else ""
            out.append(
                f"<tr><td><code>rgp:{_e(str(c).rsplit('/', 1)[-1])}</code></td>"
                f"<td>{_e(phrases.value(c, SKOS.prefLabel))}</td><td>{_e(variants)}</td>"
                f"<td><code>rgr:{_e(rel_name)}</code></td><td>{strength(c)}</td></tr>"
            )
        out.append("</table>")
    return out


def _shapes_section(shapes: Graph) -> list[str]:
    sh_message = URIRef("http://www.w3.org/ns/shacl#message")
    ids_ = sorted(
        str(s)[len(SHAPES_NS) :]
        for s in set(shapes.subjects(sh_message, None))
        if str(s).startswith(SHAPES_NS + "S")
    )
    out = [f'<h2 id="shapes">SHACL shapes ({len(ids_)})</h2>', "<table>"]
    out.append("<tr><th>shape</th><th>rule</th></tr>")
    for sid in ids_:
        message = shapes.value(URIRef(SHAPES_NS + sid), sh_message)
        out.append(f"<tr><td><code>{_e(sid)}</code></td><td>{_e(message)}</td></tr>")
    return [*out, "</table>"]
