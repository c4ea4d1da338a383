"""Generate `resgraph/vocab.py` and the generated files of `ontology/`.

`ontology/phrases.ttl`, `context.jsonld`, `treaties.ttl` (the treaty register
as linked data) and `index.html` (the documentation page; both rendered by
`resgraph/gen_publish.py`).

Run `python -m resgraph.gen_vocab` after editing `ontology/resgraph.ttl` (the
source of truth for the rg: terms) or `resgraph/patterns/clause_phrases.json`
(the opening phrases and the relations they imply). `--check` only reports
whether the committed files are stale. The output is deterministic (sorted),
so `tests/test_vocab.py` can regenerate in memory and compare.

The vocabulary module follows rdflib's own generated namespaces
(`rdflib/namespace/_DCTERMS.py`): a `DefinedNamespace` with `_fail = True`,
so a misspelt term raises instead of minting a new IRI.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .errors import PatternError
from .resources import ontology_dir, patterns_dir

RG_NS = "https://w3id.org/resgraph/ontology#"
RGP_NS = "https://w3id.org/resgraph/phrase/"
RGR_NS = "https://w3id.org/resgraph/relation/"

# the prefixes of the public contract (DESIGN.md §2, docs/mapping.md), in this order
PREFIXES: tuple[tuple[str, str], ...] = (
    ("rg", RG_NS),
    ("rgp", RGP_NS),
    ("rgr", RGR_NS),
    ("eli", "http://data.europa.eu/eli/ontology#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("oa", "http://www.w3.org/ns/oa#"),
    ("xsd", str(XSD)),
    ("rdfs", str(RDFS)),
    ("owl", str(OWL)),
)

# the relation a citation gets when its clause's phrase implies nothing more specific
DEFAULT_RELATION = "cites"
_DEFAULT_RELATION_ENTRY = {
    "label": "cites",
    "definition": "The clause refers to the instrument without a more specific relation.",
}

# what an id in clause_phrases.json may look like: it becomes a Turtle local name
_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

# the prefixes phrases.ttl needs
_PHRASE_PREFIXES = frozenset({"rg", "rgp", "rgr", "skos"})

_KIND_ORDER = (
    (OWL.Class, "classes"),
    (OWL.ObjectProperty, "object properties"),
    (OWL.DatatypeProperty, "datatype properties"),
    (OWL.AnnotationProperty, "annotation properties"),
)

_VOCAB_HEADER = '''\
"""The resgraph vocabulary as Python names.

GENERATED — do not edit. Regenerate with `python -m resgraph.gen_vocab`
from ontology/resgraph.ttl (the source of truth).
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef
'''


@dataclass(frozen=True)
class Term:
    """One rg: term of the ontology."""

    name: str
    kind: URIRef  # owl:Class, owl:ObjectProperty, …
    label: str
    range: URIRef | None


def load_ontology(path: Path | None = None) -> Graph:
    """Parse `ontology/resgraph.ttl`."""
    g = Graph()
    g.parse(path or ontology_dir() / "resgraph.ttl", format="turtle")
    return g


def load_phrases(path: Path | None = None) -> dict[str, Any]:
    """Read `resgraph/patterns/clause_phrases.json` as it is."""
    p = path or patterns_dir() / "clause_phrases.json"
    data = json.loads(p.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise PatternError(f"{p}: the top level is not an object")
    return data


def rg_terms(g: Graph) -> list[Term]:
    """Every rg: term the ontology declares, grouped by kind and sorted by name."""
    terms: list[Term] = []
    for kind, _ in _KIND_ORDER:
        for s in sorted({x for x in g.subjects(RDF.type, kind) if isinstance(x, URIRef)}):
            if not isinstance(s, URIRef) or not str(s).startswith(RG_NS):
                continue
            name = str(s)[len(RG_NS) :]
            if not name.isidentifier():
                raise PatternError(f"ontology/resgraph.ttl: rg:{name} is not a Python name")
            label = g.value(s, RDFS.label)
            rng = g.value(s, RDFS.range)
            terms.append(
                Term(
                    name,
                    kind,
                    str(label) if label is not None else name,
                    rng if isinstance(rng, URIRef) else None,
                )
            )
    return terms


def render_vocab(g: Graph) -> str:
    """Source of `resgraph/vocab.py` for the ontology `g`."""
    version = g.value(URIRef(RG_NS.rstrip("#")), OWL.versionInfo)
    lines = [_VOCAB_HEADER]
    lines.append(f'RGP = Namespace("{RGP_NS}")')
    lines.append(f'RGR = Namespace("{RGR_NS}")')
    lines.append("")
    lines.append("# prefixes of the public contract, bound on every graph resgraph makes")
    lines.append("PREFIXES: tuple[tuple[str, str], ...] = (")
    lines.extend(f'    ("{p}", "{ns}"),' for p, ns in PREFIXES)
    lines.append(")")
    lines.append("")
    lines.append("")
    lines.append("class RG(DefinedNamespace):")
    lines.append(f'    """resgraph ontology <{RG_NS}>, version {version}."""')
    lines.append("")
    lines.append("    _fail = True")
    lines.append(f'    _NS = Namespace("{RG_NS}")')
    terms = rg_terms(g)
    for kind, heading in _KIND_ORDER:
        group = [t for t in terms if t.kind == kind]
        if not group:
            continue
        lines.append("")
        lines.append(f"    # {heading}")
        lines.extend(f"    {t.name}: URIRef  # {t.label}" for t in group)
    return "\n".join(lines) + "\n"


def _check_phrases(data: Mapping[str, Any], where: str) -> None:
    relations = data.get("relations")
    phrases = data.get("phrases")
    if not isinstance(relations, dict) or not isinstance(phrases, dict):
        raise PatternError(f"{where}: needs objects 'relations' and 'phrases'")
    for rid, rel in relations.items():
        if not _ID_RE.fullmatch(rid) or not isinstance(rel, dict) or "label" not in rel:
            raise PatternError(f"{where}: relations.{rid}: bad id or no label")
    for cid, ph in phrases.items():
        if not _ID_RE.fullmatch(cid) or not isinstance(ph, dict):
            raise PatternError(f"{where}: phrases.{cid}: bad id")
        if ph.get("kind") not in ("preambular", "operative"):
            raise PatternError(f"{where}: phrases.{cid}: kind must be preambular or operative")
        if not isinstance(ph.get("label"), str):
            raise PatternError(f"{where}: phrases.{cid}: no label")
        strength = ph.get("strength", 0)
        if not isinstance(strength, int) or isinstance(strength, bool) or strength < 0:
            raise PatternError(f"{where}: phrases.{cid}: strength must be a non-negative integer")
        rel_id = ph.get("relation", DEFAULT_RELATION)
        if rel_id not in relations and rel_id != DEFAULT_RELATION:
            raise PatternError(f"{where}: phrases.{cid}: unknown relation {rel_id!r}")


def _lit(text: str) -> str:
    return Literal(text).n3()


def _strings(value: object) -> list[str]:
    """Sorted, de-duplicated strings of a JSON list (anything else: none)."""
    if not isinstance(value, list):
        return []
    return sorted({v for v in value if isinstance(v, str) and v})


def render_phrases(data: Mapping[str, Any], where: str = "clause_phrases.json") -> str:
    """Turtle of the SKOS schemes of opening phrases (rgp:) and relations (rgr:)."""
    _check_phrases(data, where)
    relations: dict[str, Any] = dict(data["relations"])
    relations.setdefault(DEFAULT_RELATION, _DEFAULT_RELATION_ENTRY)
    phrases: dict[str, Any] = data["phrases"]
    out = [
        "# GENERATED — do not edit. From resgraph/patterns/clause_phrases.json by",
        "# `python -m resgraph.gen_vocab`: the opening phrases of preambular and",
        "# operative paragraphs, and the citation relation each implies.",
        "",
    ]
    out.extend(f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES if p in _PHRASE_PREFIXES)
    out.append("")
    schemes = (
        ("rgp:preambular", "Preambular opening phrases", "a preambular paragraph"),
        ("rgp:operative", "Operative opening phrases", "an operative paragraph"),
    )
    scale = data.get("strengths")
    note = (
        "rg:normativeStrength levels: "
        + "; ".join(f"{k} {v['label']}" for k, v in sorted(scale.items(), reverse=True))
        if isinstance(scale, dict) and all(isinstance(v, dict) for v in scale.values())
        else None
    )
    for iri, label, what in schemes:
        out.append(f"{iri} a skos:ConceptScheme ;")
        out.append(f"    skos:prefLabel {_lit(label)} ;")
        if note:
            out.append(f"    skos:note {_lit(note)} ;")
        out.append(
            "    skos:definition "
            + _lit(f"The phrases that open {what} of a UN resolution, variants grouped.")
            + " ."
        )
        out.append("")
    out.append("rgr:scheme a skos:ConceptScheme ;")
    out.append(f"    skos:prefLabel {_lit('Citation relations')} ;")
    out.append(
        "    skos:definition "
        + _lit("What a citing clause does with the instrument it cites.")
        + " ."
    )
    out.append("")
    for rid in sorted(relations):
        rel = relations[rid]
        out.append(f"rgr:{rid} a skos:Concept ;")
        out.append("    skos:inScheme rgr:scheme ;")
        if isinstance(rel.get("definition"), str):
            out.append(f"    skos:definition {_lit(rel['definition'])} ;")
        out.append(f"    skos:prefLabel {_lit(str(rel['label']))} .")
        out.append("")
    for cid in sorted(phrases):
        ph = phrases[cid]
        label = ph["label"]
        out.append(f"rgp:{cid} a skos:Concept ;")
        out.append(f"    skos:inScheme rgp:{ph['kind']} ;")
        out.append(f"    skos:prefLabel {_lit(label)} ;")
        alt = [v for v in _strings(ph.get("variants")) if v != label]
        if alt:
            out.append("    skos:altLabel " + " , ".join(_lit(v) for v in alt) + " ;")
        # "Takes note" + "with appreciation", "Expresses" + "concern": matched, not labels
        extras = _strings(ph.get("complements")) + _strings(ph.get("objects"))
        hidden = sorted({f"{label} {c}" for c in extras})
        if hidden:
            out.append("    skos:hiddenLabel " + " , ".join(_lit(v) for v in hidden) + " ;")
        for ex in _strings(ph.get("examples")):
            out.append(f"    skos:example {_lit(ex)} ;")
        strength = ph.get("strength")
        if isinstance(strength, int) and not isinstance(strength, bool):
            out.append(f"    rg:normativeStrength {strength} ;")
        out.append(f"    rg:impliesRelation rgr:{ph.get('relation', DEFAULT_RELATION)} .")
        out.append("")
    return "\n".join(out)


def render_context(g: Graph) -> str:
    """The JSON-LD context: prefixes, classes, and properties with their coercion.

    Object properties get `"@type": "@id"`; datatype properties with a range
    other than xsd:string get that datatype, so typed literals round-trip.
    """
    ctx: dict[str, Any] = {p: ns for p, ns in PREFIXES}
    prefix_of = {ns: p for p, ns in PREFIXES}
    names: dict[str, str] = {}
    for kind, _ in _KIND_ORDER[:3]:
        for s in sorted({x for x in g.subjects(RDF.type, kind) if isinstance(x, URIRef)}):
            if not isinstance(s, URIRef):
                continue
            iri = str(s)
            ns, local = _split(iri)
            if ns not in prefix_of or (ns != RG_NS and kind == OWL.Class):
                continue
            if local in ctx or local in names:
                raise PatternError(f"ontology/resgraph.ttl: two terms named {local!r}")
            names[local] = iri
            curie = f"{prefix_of[ns]}:{local}"
            if kind == OWL.Class:
                ctx[local] = curie
            elif kind == OWL.ObjectProperty:
                ctx[local] = {"@id": curie, "@type": "@id"}
            else:
                rng = g.value(s, RDFS.range)
                if isinstance(rng, URIRef) and rng != XSD.string:
                    rns, rlocal = _split(str(rng))
                    ctx[local] = {"@id": curie, "@type": f"{prefix_of.get(rns, rns)}:{rlocal}"}
                else:
                    ctx[local] = curie
    return json.dumps({"@context": ctx}, indent=2, ensure_ascii=False) + "\n"


def _split(iri: str) -> tuple[str, str]:
    """Namespace and local name of an IRI (after the last '#' or '/').

    >>> _split("http://www.w3.org/ns/oa#start")
    ('http://www.w3.org/ns/oa#', 'start')
    """
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    return iri[:cut], iri[cut:]


def outputs() -> dict[Path, str]:
    """Every generated file and its fresh content."""
    from .gen_publish import render_html, render_treaties

    g = load_ontology()
    phrases_path = patterns_dir() / "clause_phrases.json"
    phrases = render_phrases(load_phrases(phrases_path), str(phrases_path))
    register = json.loads((patterns_dir() / "treaties.json").read_text(encoding="utf-8"))
    shapes = Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    page = render_html(g, Graph().parse(data=phrases, format="turtle"), shapes, PREFIXES)
    return {
        Path(__file__).resolve().parent / "vocab.py": render_vocab(g),
        ontology_dir() / "phrases.ttl": phrases,
        ontology_dir() / "context.jsonld": render_context(g),
        ontology_dir() / "treaties.ttl": render_treaties(register),
        ontology_dir() / "index.html": page,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated files (or, with --check, report the stale ones)."""
    parser = argparse.ArgumentParser(prog="python -m resgraph.gen_vocab", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    stale = 0
    for path, text in outputs().items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        stale += 1
        if args.check:
            print(f"stale: {path}")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
