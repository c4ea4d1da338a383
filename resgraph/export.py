"""Stage 5c — export: the dataset to Turtle, JSON-LD, N-Triples and TriG files.

`export_dataset` writes the files of `resgraph build`; `publish` (`resgraph export`)
writes a dataset ready to publish: dumps written by Oxigraph (fast on big stores),
JSON-LD streamed with the published context, a VoID + DCAT description and the
ontology with its HTML documentation.

Each file is written atomically and re-parsed before it replaces the old
one (see `atomic.py`), so a failed export never leaves a half-written file.
JSON-LD uses the context shipped in `ontology/context.jsonld`, inlined, so
a consumer never has to fetch it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import IO, Any, Literal

import pyoxigraph as ox
from rdflib import Dataset, Graph

from .atomic import atomic_write
from .errors import OutputError
from .ids import DEFAULT_BASE
from .resources import ontology_dir

ExportFormat = Literal["ttl", "jsonld", "nt", "trig"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("ttl", "jsonld", "nt", "trig")

# file suffix -> rdflib serializer/parser name; TriG keeps the named graphs
_RDFLIB_FORMAT: dict[ExportFormat, str] = {
    "ttl": "turtle",
    "jsonld": "json-ld",
    "nt": "nt",
    "trig": "trig",
}


@cache
def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context of the ontology (`ontology/context.jsonld`), loaded once."""
    path = ontology_dir() / "context.jsonld"
    data = json.loads(path.read_text(encoding="utf-8"))
    context = data.get("@context", data)
    if not isinstance(context, dict):
        raise OutputError(f"{path}: @context is not an object")
    return context


def union_graph(ds: Dataset) -> Graph:
    """All triples of every named graph, with the dataset's prefixes."""
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def export_dataset(
    ds: Dataset, out_dir: str | Path, formats: Iterable[ExportFormat] = EXPORT_FORMATS
) -> list[Path]:
    """Write `graph.<fmt>` for each format into `out_dir`; return the paths written."""
    out = Path(out_dir)
    union = union_graph(ds)
    expected = len(union)
    return [
        atomic_write(
            out / f"graph.{fmt}",
            partial(_serialise, ds, union, fmt),
            partial(_check, fmt=fmt, expected=expected),
        )
        for fmt in formats
    ]


def _serialise(ds: Dataset, union: Graph, fmt: ExportFormat, path: Path) -> None:
    if fmt == "trig":
        ds.serialize(destination=str(path), format="trig", encoding="utf-8")
    elif fmt == "jsonld":
        union.serialize(
            destination=str(path),
            format="json-ld",
            context=jsonld_context(),
            auto_compact=True,
            encoding="utf-8",
        )
    else:
        union.serialize(destination=str(path), format=_RDFLIB_FORMAT[fmt], encoding="utf-8")


def _check(path: Path, *, fmt: ExportFormat, expected: int) -> None:
    """Re-parse what was written: a file that does not read back is not published."""
    if fmt == "trig":
        back = Dataset()
        back.parse(str(path), format="trig")
        count = len({(s, p, o) for s, p, o, _ in back.quads((None, None, None, None))})
    else:
        g = Graph()
        g.parse(str(path), format=_RDFLIB_FORMAT[fmt])
        count = len(g)
    if count != expected:
        raise OutputError(f"{path.name}: re-read {count} triples, expected {expected}")


# -- publication: `resgraph export` ----------------------------------------------------------

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
UNITED_NATIONS = "https://www.un.org/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_IANA = "http://www.iana.org/assignments/media-types/"

# dump file -> (pyoxigraph format, media type, title)
DUMPS: dict[str, tuple[str, str, str]] = {
    "graph.ttl": ("ttl", "text/turtle", "Turtle (the union of the document graphs)"),
    "graph.trig": ("trig", "application/trig", "TriG (one named graph per source document)"),
    "graph.nq": ("nq", "application/n-quads", "N-Quads (one named graph per source document)"),
    "graph.jsonld": ("jsonld", "application/ld+json", "JSON-LD with the published context"),
}
# ontology files copied into the publication (the HTML documentation is ontology/index.html)
ONTOLOGY_FILES = (
    "resgraph.ttl",
    "phrases.ttl",
    "treaties.ttl",
    "shapes.ttl",
    "context.jsonld",
    "index.html",
)


@dataclass(frozen=True)
class Publication:
    """What `publish` wrote and the counts it described in void.ttl."""

    out: Path
    files: tuple[Path, ...]
    triples: int  # distinct triples of the union of the graphs
    quads: int  # triples per named graph, summed
    graphs: int


def publish(
    store: ox.Store,
    out_dir: str | Path,
    *,
    base: str = DEFAULT_BASE,
    endpoint: str | None = None,
    url: str | None = None,
    license: str = DEFAULT_LICENSE,
    title: str = "resgraph: legal cross-references of United Nations resolutions",
    created: str | None = None,
    modified: str | None = None,
) -> Publication:
    """Write a dataset ready to publish into `out_dir`.

    Dumps (Turtle, TriG, N-Quads, JSON-LD with the published context) written by
    Oxigraph and re-read before they replace an old file; `void.ttl` (VoID + DCAT:
    counts, partitions, vocabularies, dumps with media types and byte sizes, the
    endpoint, licence, the United Nations as source); `ontology/` with its HTML page.

    Args:
        store: the graph (one named graph per document; queries see their union).
        endpoint: the public SPARQL endpoint, if there is one.
        url: where the folder will be published (else void.ttl uses relative IRIs).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # the default graph is the set union of the document graphs (as in a CorpusStore)
    triples = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    quads = len(store) - triples
    graphs = sum(1 for _ in store.named_graphs())
    written: list[Path] = []
    for name, (fmt, _, _) in DUMPS.items():
        expected = quads if fmt in ("trig", "nq") else triples
        written.append(
            atomic_write(
                out / name,
                partial(_dump, store, fmt),
                partial(_check_dump, fmt=fmt, expected=expected),
            )
        )
    written += _copy_ontology(out / "ontology")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    void = void_description(
        store,
        out,
        base=base,
        endpoint=endpoint,
        url=url,
        license=license,
        title=title,
        created=created or now,
        modified=modified or now,
        triples=triples,
        graphs=graphs,
    )
    written.append(atomic_write(out / "void.ttl", partial(_write_text, void), _check_void))
    return Publication(out, tuple(written), triples, quads, graphs)


def _write_text(text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8")


def _write_bytes(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def _count(store: ox.Store, query: str) -> int:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        value = row[0]
        return int(value.value) if value is not None else 0
    return 0


def _prefixes() -> dict[str, str]:
    from .vocab import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES}


def _named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """The quads of the document graphs (the default graph is their union: not dumped)."""
    for graph in sorted(store.named_graphs(), key=str):
        yield from store.quads_for_pattern(None, None, None, graph)


def _dump(store: ox.Store, fmt: str, path: Path) -> None:
    if fmt == "trig":
        ox.serialize(_named_quads(store), str(path), ox.RdfFormat.TRIG, prefixes=_prefixes())
    elif fmt == "nq":
        ox.serialize(_named_quads(store), str(path), ox.RdfFormat.N_QUADS)
    elif fmt == "ttl":
        store.dump(str(path), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
                   prefixes=_prefixes())  # fmt: skip
    else:
        with open(path, "w", encoding="utf-8") as fh:
            write_jsonld(store, fh)


def _check_dump(path: Path, *, fmt: str, expected: int) -> None:
    """Re-read a dump with Oxigraph: one that does not read back is not published."""
    formats = {
        "trig": ox.RdfFormat.TRIG,
        "nq": ox.RdfFormat.N_QUADS,
        "ttl": ox.RdfFormat.TURTLE,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    try:
        parsed = ox.parse(path=str(path), format=formats[fmt])
        count = sum(1 for _ in parsed)
    except (SyntaxError, ValueError) as exc:
        raise OutputError(f"{path.name}: does not read back: {exc}") from exc
    if count != expected:
        raise OutputError(f"{path.name}: re-read {count} triples, expected {expected}")


def write_jsonld(store: ox.Store, out: IO[str]) -> None:
    """Stream the union of the graphs as JSON-LD compacted with ontology/context.jsonld.

    Node objects come subject by subject from the default graph (the union; Oxigraph's
    index order), so nothing is held in memory. Properties with a plain term in the
    context use it; others are written as compact IRIs with explicit value objects.
    """
    context = jsonld_context()
    terms = _context_terms(context)
    prefixes = [
        (p, ns) for p, ns in context.items() if isinstance(ns, str) and ns.endswith(("#", "/"))
    ]
    out.write('{\n"@context": ')
    out.write(json.dumps(context, ensure_ascii=False, sort_keys=True))
    out.write(',\n"@graph": [')
    first = True
    for graph in (ox.DefaultGraph(),):
        subject: Any = None
        node: dict[str, Any] = {}
        for q in store.quads_for_pattern(None, None, None, graph):
            if q.subject != subject:
                if node:
                    out.write(("\n" if first else ",\n") + json.dumps(node, ensure_ascii=False))
                    first = False
                subject = q.subject
                node = {"@id": _node_id(q.subject)}
            _add_value(node, q.predicate.value, q.object, terms, prefixes)
        if node:
            out.write(("\n" if first else ",\n") + json.dumps(node, ensure_ascii=False))
            first = False
    out.write("\n]\n}\n")


def _context_terms(context: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """Property or class IRI -> (term, its @type coercion) for the simple terms of the context."""

    def expand(value: str) -> str:
        prefix, sep, local = value.partition(":")
        ns = context.get(prefix)
        return ns + local if sep and isinstance(ns, str) and not local.startswith("//") else value

    out: dict[str, tuple[str, str | None]] = {}
    for term, definition in context.items():
        if term.startswith("@") or ":" in term:
            continue
        if isinstance(definition, str):
            if not definition.endswith(("#", "/")):
                out.setdefault(expand(definition), (term, None))
        elif isinstance(definition, dict) and set(definition) <= {"@id", "@type"}:
            kind = definition.get("@type")
            out.setdefault(expand(str(definition["@id"])), (term, expand(kind) if kind else None))
    return out


def _node_id(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else str(term.value)


def _compact(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, ns in prefixes:
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _add_value(
    node: dict[str, Any],
    predicate: str,
    obj: Any,
    terms: dict[str, tuple[str, str | None]],
    prefixes: list[tuple[str, str]],
) -> None:
    if predicate == _RDF_TYPE and isinstance(obj, ox.NamedNode):
        kind = terms.get(obj.value)
        node.setdefault("@type", []).append(kind[0] if kind else _compact(obj.value, prefixes))
        return
    term, coerced = terms.get(predicate, (None, None))
    value: Any
    if isinstance(obj, ox.NamedNode | ox.BlankNode):
        if term is not None and coerced == "@id":
            value = _node_id(obj)
        else:
            value, term = {"@id": _node_id(obj)}, None
    elif isinstance(obj, ox.Literal):
        datatype = obj.datatype.value
        if obj.language:
            value, term = {"@value": obj.value, "@language": obj.language}, None
        elif term is not None and (
            (coerced is None and datatype == _XSD + "string") or coerced == datatype
        ):
            value = obj.value
        else:
            value, term = {"@value": obj.value}, None
            if datatype != _XSD + "string":
                value["@type"] = datatype
    else:  # RDF-star triples are not written (resgraph makes none)
        return
    key = term if term is not None else _compact(predicate, prefixes)
    node.setdefault(key, []).append(value)


def _copy_ontology(folder: Path) -> list[Path]:
    source = ontology_dir()
    written = []
    for name in ONTOLOGY_FILES:
        src = source / name
        if src.is_file():
            data = src.read_bytes()
            written.append(atomic_write(folder / name, partial(_write_bytes, data)))
    return written


def void_description(
    store: ox.Store,
    out: Path,
    *,
    base: str,
    endpoint: str | None,
    url: str | None,
    license: str,
    title: str,
    created: str,
    modified: str,
    triples: int,
    graphs: int,
) -> str:
    """void.ttl: a VoID dataset that is also a DCAT dataset, with its distributions."""
    classes = _rows(
        store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
    )
    properties = _rows(
        store,
        "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } } "
        "GROUP BY ?p ORDER BY ?p",
    )
    entities = _count(
        store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"
    )
    subjects = _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    objects = _count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    example = _rows(
        store,
        "SELECT ?d (1 AS ?n) WHERE { ?d a <https://w3id.org/resgraph/ontology#Resolution> ;"
        " <https://w3id.org/resgraph/ontology#sourceFile> ?f } ORDER BY ?d LIMIT 1",
    )
    used = [c for c, _ in classes] + [p for p, _ in properties]
    vocabularies = sorted(
        {ns for _, ns in _prefixes().items() if any(i.startswith(ns) for i in used)}
    )

    def iri(value: str) -> str:
        return "<" + value.replace(">", "%3E").replace(" ", "%20") + ">"

    def lit(value: str | int, datatype: str | None = None) -> str:
        text = json.dumps(str(value), ensure_ascii=False)
        return text + (f"^^xsd:{datatype}" if datatype else "")

    lines = [
        "# VoID (https://www.w3.org/TR/void/) and DCAT (https://www.w3.org/TR/vocab-dcat-3/)",
        "# description of this dataset, written by `resgraph export`.",
    ]
    if url:
        # the base is where void.ttl itself will be: <#dataset> and <graph.ttl> resolve as
        # they do when the file is read from its published place without a base
        lines.append(f"@base {iri(url.rstrip('/') + '/void.ttl')} .")
    lines += [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        "<#dataset> a void:Dataset, dcat:Dataset ;",
        f"    dcterms:title {lit(title)}@en ;",
        "    dcterms:description "
        + lit(
            "Resolutions of the United Nations as linked data: documents, preambular and "
            "operative paragraphs, footnotes and the instruments they cite (resolutions, "
            "documents, treaties, volumes of the United Nations Treaty Series), one named "
            "graph per source document."
        )
        + "@en ;",
        f"    dcterms:source {iri(UNITED_NATIONS)} ;",
        f"    dcterms:license {iri(license)} ;",
        f"    dcterms:created {lit(created, 'dateTime')} ;",
        f"    dcterms:modified {lit(modified, 'dateTime')} ;",
        "    dcterms:conformsTo <ontology/resgraph.ttl> ;",
        "    rdfs:seeAlso <ontology/index.html> ;",
        f"    void:uriSpace {lit(base)} ;",
        f"    void:triples {triples} ;",
        f"    void:entities {entities} ;",
        f"    void:distinctSubjects {subjects} ;",
        f"    void:distinctObjects {objects} ;",
        f"    void:classes {len(classes)} ;",
        f"    void:properties {len(properties)} ;",
        f"    void:documents {graphs} ;",
    ]
    lines += [f"    void:vocabulary {iri(v)} ;" for v in vocabularies]
    if example:
        lines.append(f"    void:exampleResource {iri(example[0][0])} ;")
    if endpoint:
        lines.append(f"    void:sparqlEndpoint {iri(endpoint)} ;")
        lines.append("    dcat:accessService <#sparql> ;")
    for name in DUMPS:
        lines.append(f"    void:dataDump <{name}> ;")
    lines.append("    dcat:distribution " + ", ".join(f"<#{_dist(n)}>" for n in DUMPS) + " ;")
    parts = [f"[ void:class {iri(c)} ; void:entities {n} ]" for c, n in classes]
    parts += [f"[ void:property {iri(p)} ; void:triples {n} ]" for p, n in properties]
    for i, part in enumerate(parts):
        key = "void:classPartition" if i < len(classes) else "void:propertyPartition"
        lines.append(f"    {key} {part} ;")
    lines[-1] = lines[-1][:-2] + " ."
    lines += [
        "",
        f'{iri(UNITED_NATIONS)} a foaf:Organization ; foaf:name "United Nations"@en .',
    ]
    for name, (_, media, dtitle) in DUMPS.items():
        size = (out / name).stat().st_size if (out / name).is_file() else 0
        lines += [
            "",
            f"<#{_dist(name)}> a dcat:Distribution ;",
            f"    dcterms:title {lit(dtitle)}@en ;",
            f"    dcat:downloadURL <{name}> ;",
            f"    dcat:accessURL <{name}> ;",
            f"    dcat:mediaType {iri(_IANA + media)} ;",
            f"    dcterms:format {lit(media)} ;",
            f"    dcat:byteSize {lit(size, 'nonNegativeInteger')} ;",
            f"    dcterms:license {iri(license)} .",
        ]
    if endpoint:
        lines += [
            "",
            "<#sparql> a dcat:DataService ;",
            '    dcterms:title "SPARQL endpoint"@en ;',
            f"    dcat:endpointURL {iri(endpoint)} ;",
            "    dcterms:conformsTo <https://www.w3.org/TR/sparql11-protocol/> ;",
            "    dcat:servesDataset <#dataset> .",
        ]
    return "\n".join(lines) + "\n"


def _dist(name: str) -> str:
    return "dump-" + name.rsplit(".", 1)[-1]


def _rows(store: ox.Store, query: str) -> list[tuple[str, int]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        key, n = row[0], row[1]
        if key is not None and n is not None and isinstance(key, ox.NamedNode):
            out.append((key.value, int(n.value)))
    return out


def _check_void(path: Path) -> None:
    try:
        sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri="http://x/"))
    except SyntaxError as exc:
        raise OutputError(f"{path.name}: not valid Turtle: {exc}") from exc


def publish_store(path: str | Path, out_dir: str | Path, **options: Any) -> Publication:
    """`publish` an on-disk corpus store, holding its shared lock meanwhile."""
    from .corpus_store import CorpusStore

    with CorpusStore.open(path) as cs:
        built = sorted(d.built_at for d in cs.documents() if d.built_at)
        if built:
            options.setdefault("created", built[0])
            options.setdefault("modified", built[-1])
        return publish(cs.ox, out_dir, **options)


def publish_graph_file(path: str | Path, out_dir: str | Path, **options: Any) -> Publication:
    """`publish` an RDF file (TriG, N-Quads …), loaded in memory first."""
    from .serve import load_file

    return publish(load_file(Path(path)), out_dir, **options)
