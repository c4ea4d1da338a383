"""Validate a graph: the SHACL shapes (ontology/shapes.ttl) and the consistency checks.

Shapes say what every node must look like (docs/mapping.md); they run with
pySHACL (https://www.w3.org/TR/shacl/). Each shape has a stable id in its IRI
(`S03-clause`); a result is reported under the node shape that owns the
failing property shape, with that shape's sh:message, so the report names
the rule. On an Oxigraph store (the corpus store) `validate_store` runs the
same shapes compiled to SPARQL: one query per property shape, the failing rows
only, about 10-20x faster than pySHACL and with the same results (pySHACL stays
the reference: tests/test_shapes_fast.py). The compiler knows the part of SHACL
Core the shapes use (sh:targetClass, sh:targetSubjectsOf; predicate paths;
min/maxCount, datatype, nodeKind, class, in, pattern, minLength, minInclusive,
lessThanOrEquals, node, or, qualifiedValueShape + qualifiedMinCount) and raises
ShapesCompileError on anything else. One thing a store cannot see: Oxigraph
keeps every integer-derived datatype as xsd:integer, so sh:datatype
xsd:nonNegativeInteger checks an integer >= 0 there.
Checks (`queries/checks/*-violation.rq`, run by `store.run_checks`)
are consistency findings across nodes: a cited date that is not the adoption
date, an "Ibid." without antecedent … They are counted, never fatal, unless
the caller asks for strictness.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .errors import InputError
from .resources import ontology_dir

SHAPES_NS = "https://w3id.org/resgraph/shapes#"


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result, attributed to its resgraph shape."""

    shape: str  # "S03-clause" (or the source shape IRI when it is not one of ours)
    focus: str
    path: str | None
    value: str | None
    component: str  # "MinCountConstraintComponent"
    severity: str  # "Violation", "Warning", "Info"
    message: str  # the shape's sh:message, then pySHACL's detail


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of running the shapes over one graph."""

    conforms: bool
    results: tuple[ShapeResult, ...] = ()

    def by_shape(self) -> dict[str, int]:
        """Number of results per shape id, sorted by id."""
        return dict(sorted(Counter(r.shape for r in self.results).items()))

    def text(self) -> str:
        """The report in the layout of pySHACL's command line."""
        lines = ["Validation Report", f"Conforms: {self.conforms}"]
        if self.results:
            lines.append(f"Results ({len(self.results)}):")
        for r in self.results:
            lines.append(f"Constraint Violation in {r.component}:")
            lines.append(f"\tSeverity: sh:{r.severity}")
            lines.append(f"\tSource Shape: rgs:{r.shape}")
            lines.append(f"\tFocus Node: <{r.focus}>")
            if r.value is not None:
                lines.append(f"\tValue Node: {r.value}")
            if r.path is not None:
                lines.append(f"\tResult Path: <{r.path}>")
            lines.append(f"\tMessage: {r.message}")
        return "\n".join(lines) + "\n"


@cache
def load_shapes(path: Path | None = None) -> Graph:
    """The shapes graph (ontology/shapes.ttl), parsed once."""
    g = Graph()
    g.parse(path or ontology_dir() / "shapes.ttl", format="turtle")
    return g


def shape_ids(shapes: Graph | None = None) -> list[str]:
    """The ids of the shapes with targets ("S01-document", …), sorted.

    >>> shape_ids()[:2]
    ['S01-document', 'S02-parsed-document']
    """
    g = shapes if shapes is not None else load_shapes()
    return sorted(
        str(s)[len(SHAPES_NS) :]
        for s in set(g.subjects(RDF.type, SH.NodeShape))
        if str(s).startswith(SHAPES_NS + "S")
    )


def flatten(graph: Graph) -> Graph:
    """One graph holding every triple of a dataset (a plain graph is returned as is)."""
    if not isinstance(graph, Dataset):
        return graph
    out = Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):
        out.add((s, p, o))
    return out


def validate_graph(graph: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Run the shapes over a graph (a dataset is validated as the union of its graphs)."""
    from pyshacl import validate  # heavy import, only when validating

    sg = shapes if shapes is not None else load_shapes()
    data = flatten(graph)
    conforms, report, _ = validate(
        data,
        shacl_graph=sg,
        inference="none",
        advanced=False,
        meta_shacl=False,
        allow_warnings=True,
        # without inference pySHACL adds nothing to the data graph: skip its defensive copy
        # (a large share of the time on big graphs), unless the caller's own graph is at stake
        inplace=data is not graph,
    )
    assert isinstance(report, Graph)
    owner = _owners(sg)
    results = sorted(_results(report, sg, owner), key=lambda r: (r.shape, r.focus, r.path or ""))
    return ValidationReport(bool(conforms), tuple(results))


def _owners(shapes: Graph) -> Mapping[Node, URIRef]:
    """Each property shape -> the node shape that holds it."""
    owners: dict[Node, URIRef] = {}
    for node_shape, prop in shapes.subject_objects(SH.property):
        if isinstance(node_shape, URIRef):
            owners[prop] = node_shape
    return owners


def _results(report: Graph, shapes: Graph, owner: Mapping[Node, URIRef]) -> Iterable[ShapeResult]:
    # top-level results only: pySHACL also types the nested sh:detail results
    for res in report.objects(None, SH.result):
        source = report.value(res, SH.sourceShape)
        shape = owner.get(source, source) if source is not None else None
        shape_iri = str(shape) if shape is not None else ""
        shape_id = shape_iri.removeprefix(SHAPES_NS)
        rule = shapes.value(shape, SH.message) if shape is not None else None
        detail = report.value(res, SH.resultMessage)
        message = "; ".join(str(m) for m in (rule, detail) if m is not None)
        path = report.value(res, SH.resultPath)
        value = report.value(res, SH.value)
        component = str(report.value(res, SH.sourceConstraintComponent) or "")
        severity = str(report.value(res, SH.resultSeverity) or SH.Violation)
        yield ShapeResult(
            shape=shape_id,
            focus=str(report.value(res, SH.focusNode)),
            path=str(path) if isinstance(path, URIRef) else None,
            value=value.n3() if value is not None else None,
            component=component.removeprefix(str(SH)),
            severity=severity.removeprefix(str(SH)),
            message=message,
        )


def load_graph_file(path: str | Path) -> Dataset:
    """Read a graph file (TriG, N-Quads, Turtle, N-Triples, JSON-LD …) into a dataset.

    Raises:
        InputError: the file is missing or cannot be parsed.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "no such graph file")
    fmt = {".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld", ".nt": "nt"}.get(
        p.suffix.lower()
    )
    from rdflib.util import guess_format

    from .guard import safe_graph_data

    # read the bytes ourselves: rdflib would fetch a JSON-LD @context URL or expand XML entities
    fmt = fmt or guess_format(str(p))
    data = safe_graph_data(p.read_bytes(), fmt, str(p))
    ds = Dataset(default_union=True)
    try:
        if fmt in ("trig", "nquads", "json-ld"):
            ds.parse(data=data, format=fmt, publicID=p.resolve().as_uri())
        else:
            ds.graph(URIRef(p.resolve().as_uri())).parse(
                data=data, format=fmt, publicID=p.resolve().as_uri()
            )
    except Exception as exc:  # rdflib raises many unrelated types on bad input
        raise InputError(str(p), f"cannot parse graph: {' '.join(str(exc).split())}") from None
    return ds


@dataclass(frozen=True)
class Findings:
    """Rows returned by each consistency check (`queries/checks/*-violation.rq`)."""

    counts: Mapping[str, int]  # check name (without "checks/") -> rows

    @property
    def total(self) -> int:
        """All rows of all checks."""
        return sum(self.counts.values())

    def __str__(self) -> str:
        found = [f"{n} {name.removesuffix('-violation')}" for name, n in self.counts.items() if n]
        return ", ".join(found) if found else "none"


def run_findings(graph: Graph) -> Findings:
    """Run every consistency check over the graph and count its rows."""
    from .store import run_checks

    return Findings(
        {name.removeprefix("checks/"): len(result) for name, result in run_checks(graph)}
    )


# -- the compiled validator: the shapes as SPARQL over an Oxigraph store ---------------------
#
# pySHACL walks the data graph node by node in Python (~180 ms a document). The shapes
# use a small part of SHACL Core, so each constraint compiles into one SPARQL SELECT
# that returns only the failing (focus, value) rows; Oxigraph runs them natively.
# What is not supported raises ShapesCompileError when the shapes are compiled, so a new
# shape can never be skipped silently. pySHACL stays the reference (tests/test_shapes_fast.py).


class ShapesCompileError(ValueError):
    """A shape uses a SHACL feature the SPARQL compiler does not support."""


_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDFS_LITERAL = "http://www.w3.org/2000/01/rdf-schema#Literal"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

# Oxigraph stores every integer-derived XSD datatype as xsd:integer (the value survives,
# the datatype does not), so on a store sh:datatype of one of these can only check that
# the value is an integer in the type's range. Bounds are inclusive; None is unbounded.
_INTEGER_TYPES: dict[str, tuple[int | None, int | None]] = {
    _XSD + "integer": (None, None),
    _XSD + "nonNegativeInteger": (0, None),
    _XSD + "positiveInteger": (1, None),
    _XSD + "nonPositiveInteger": (None, 0),
    _XSD + "negativeInteger": (None, -1),
    _XSD + "long": (-(2**63), 2**63 - 1),
    _XSD + "int": (-(2**31), 2**31 - 1),
    _XSD + "short": (-(2**15), 2**15 - 1),
    _XSD + "byte": (-(2**7), 2**7 - 1),
    _XSD + "unsignedLong": (0, 2**64 - 1),
    _XSD + "unsignedInt": (0, 2**32 - 1),
    _XSD + "unsignedShort": (0, 2**16 - 1),
    _XSD + "unsignedByte": (0, 2**8 - 1),
}
# datatypes whose well-formedness a SPARQL cast checks (an ill-typed literal fails the cast)
_CASTABLE = {
    _XSD + t for t in ("decimal", "float", "double", "boolean", "date", "dateTime", "time")
}

# predicates of a shape that are not constraints (annotations and the shape's own wiring)
_SHAPE_ANNOTATIONS = {
    str(SH.message),
    str(SH.severity),
    str(SH.deactivated),
    str(SH.name),
    str(SH.description),
    str(SH.order),
    str(SH.group),
    str(SH.defaultValue),
}
_NODE_WIRING = {str(SH.targetClass), str(SH.targetSubjectsOf), str(SH.property)}
_VALUE_PARAMS = {
    str(SH.datatype),
    str(SH.nodeKind),
    str(SH["class"]),
    str(SH["in"]),
    str(SH.pattern),
    str(SH.minLength),
    str(SH.minInclusive),
    str(SH.node),
    str(SH["or"]),
}
# value parameters tested on the value alone, without looking anything up in the data
_LOOKUP_FREE = {
    str(SH.datatype),
    str(SH.nodeKind),
    str(SH["in"]),
    str(SH.pattern),
    str(SH.minLength),
    str(SH.minInclusive),
}
_PROPERTY_PARAMS = {
    str(SH.path),
    str(SH.minCount),
    str(SH.maxCount),
    str(SH.lessThanOrEquals),
    str(SH.qualifiedValueShape),
    str(SH.qualifiedMinCount),
}


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one targeted shape, as a SPARQL query over the failing rows.

    `query` runs over the whole store; `local_query` validates only the focus nodes
    targeted in some named graphs (placeholder #GRAPHS#: VALUES ?_g { … }). Both select
    ?this and, for value-based components, ?value (and ?other for property pairs).
    """

    shape: str  # the owning node shape's id ("S03-clause")
    component: str  # "MinCountConstraintComponent"
    path: str | None
    severity: str
    query: str
    local_query: str
    detail: str  # pySHACL's message for it, the focus and value nodes still to fill in
    source: str  # the constraint's own shape (the property shape, or the node shape)
    # the constraints of one property shape share one query (one join of the focus nodes
    # with the path): each then has a boolean column, true on its failing rows
    flag: str | None = None
    # over the whole store, the same rows from a scan of the path (`scan_query`), faster
    # when most triples of the path are of focus nodes; `probe` counts the focus nodes
    # (?n, with repeats), so validate_store picks the cheaper form
    scan_query: str = ""
    probe: str = ""


@dataclass(frozen=True)
class CompiledShapes:
    """The targeted shapes compiled: the focus pattern of each shape and its constraints."""

    # shape id -> SPARQL patterns binding ?this (may repeat): over the union, in GRAPH ?_g
    targets: Mapping[str, tuple[str, str]]
    constraints: tuple[CompiledConstraint, ...]
    shape_messages: Mapping[str, str]  # shape id -> the shape's sh:message ("" if none)
    # shape id -> its sh:targetClass / sh:targetSubjectsOf IRIs (which graphs target a node)
    target_classes: Mapping[str, frozenset[str]]
    target_predicates: Mapping[str, frozenset[str]]


def _iri(term: Node) -> str:
    if not isinstance(term, URIRef):
        raise ShapesCompileError(f"expected an IRI, got {term.n3()}")
    return f"<{term}>"


def _sparql_term(term: Node) -> str:
    """An rdflib term as SPARQL text (IRIs and literals only).

    >>> from rdflib import Literal
    >>> _sparql_term(Literal("ods"))
    '"ods"'
    >>> _sparql_term(Literal(1))
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    from rdflib import Literal

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise ShapesCompileError(f"a blank node cannot be a constant in a shape: {term.n3()}")


class _Compiler:
    """Turns the shapes graph into SPARQL; one instance per compile."""

    def __init__(self, shapes: Graph, subclasses: bool) -> None:
        self.sg = shapes
        self.subclasses = subclasses  # the data has rdfs:subClassOf: follow it as SHACL says
        self.fresh = 0
        self.stack: list[Node] = []
        # shape -> its focus nodes as a plain pattern (not de-duplicated) binding ?this
        self.witnesses: dict[Node, str] = {}

    def var(self) -> str:
        self.fresh += 1
        return f"?_v{self.fresh}"

    def type_path(self) -> str:
        return f"<{_RDF_TYPE}>/<{_SUBCLASS}>*" if self.subclasses else f"<{_RDF_TYPE}>"

    def check_keys(self, shape: Node, allowed: set[str]) -> None:
        for p in set(self.sg.predicates(shape, None)):
            if str(p).startswith(str(SH)) and str(p) not in allowed:
                raise ShapesCompileError(
                    f"shape {shape.n3(self.sg.namespace_manager)} uses"
                    f" {p.n3(self.sg.namespace_manager)}, which the SPARQL validator"
                    " does not support (resgraph/validate.py)"
                )

    def one(self, shape: Node, param: URIRef) -> Node | None:
        values = list(self.sg.objects(shape, param))
        if len(values) > 1:
            raise ShapesCompileError(f"shape {shape.n3()} has {len(values)} values of {param}")
        return values[0] if values else None

    def deactivated(self, shape: Node) -> bool:
        from rdflib import Literal

        return any(
            isinstance(v, Literal) and v.value is True
            for v in self.sg.objects(shape, SH.deactivated)
        )

    # value-level conditions: a SPARQL boolean that is true when `v` VIOLATES the parameter

    def violates(self, param: str, arg: Node, v: str) -> str:
        from rdflib import Literal

        if param == str(SH.datatype):
            return f"!({self.datatype_ok(str(arg), v)})"
        if param == str(SH.nodeKind):
            kinds = {
                str(SH.IRI): f"isIRI({v})",
                str(SH.BlankNode): f"isBlank({v})",
                str(SH.Literal): f"isLiteral({v})",
                str(SH.BlankNodeOrIRI): f"!isLiteral({v})",
                str(SH.BlankNodeOrLiteral): f"!isIRI({v})",
                str(SH.IRIOrLiteral): f"!isBlank({v})",
            }
            if str(arg) not in kinds:
                raise ShapesCompileError(f"unknown sh:nodeKind {arg}")
            return f"!({kinds[str(arg)]})"
        if param == str(SH["class"]):
            return f"(isLiteral({v}) || NOT EXISTS {{ {v} {self.type_path()} {_iri(arg)} }})"
        if param == str(SH["in"]):
            members = list(self.sg.items(arg))
            same = " || ".join(f"sameTerm({v}, {_sparql_term(m)})" for m in members)
            return f"!({same or 'false'})"
        if param == str(SH.pattern):
            if not isinstance(arg, Literal):
                raise ShapesCompileError(f"sh:pattern must be a literal: {arg.n3()}")
            return f"(isBlank({v}) || !REGEX(STR({v}), {Literal(str(arg)).n3()}))"
        if param == str(SH.minLength):
            n = _count(arg)
            return "false" if n == 0 else f"(isBlank({v}) || STRLEN(STR({v})) < {n})"
        if param == str(SH.minInclusive):
            return f"!COALESCE({v} >= {_sparql_term(arg)}, false)"
        if param == str(SH.node):
            return f"!({self.conforms(arg, v)})"
        if param == str(SH["or"]):
            members = list(self.sg.items(arg))
            anyof = " || ".join(f"({self.conforms(m, v)})" for m in members)
            return f"!({anyof or 'false'})"
        raise ShapesCompileError(f"unsupported constraint parameter {param}")

    def datatype_ok(self, dt: str, v: str) -> str:
        if dt == _RDFS_LITERAL:
            return f"isLiteral({v})"
        if dt == _RDF_LANGSTRING:
            return f'(isLiteral({v}) && LANG({v}) != "")'
        if dt == _XSD + "string":
            return f"(isLiteral({v}) && sameTerm(DATATYPE({v}), <{dt}>))"
        if dt in _INTEGER_TYPES:
            lo, hi = _INTEGER_TYPES[dt]
            cast = f"<{_XSD}integer>({v})"
            conds = [f"sameTerm(DATATYPE({v}), <{_XSD}integer>)", f"sameTerm({cast}, {v})"]
            if lo is not None:
                conds.append(f"{v} >= {lo}")
            if hi is not None:
                conds.append(f"{v} <= {hi}")
            return f"(isLiteral({v}) && COALESCE({' && '.join(conds)}, false))"
        if dt in _CASTABLE:
            return (
                f"(isLiteral({v}) && sameTerm(DATATYPE({v}), <{dt}>)"
                f" && COALESCE(sameTerm(DATATYPE(<{dt}>({v})), <{dt}>), false))"
            )
        # other datatypes: pySHACL only compares the IRI (and rdflib's ill-typed flag, which
        # Oxigraph does not keep)
        return f"(isLiteral({v}) && sameTerm(DATATYPE({v}), <{dt}>))"

    def conforms(self, shape: Node, v: str) -> str:
        """A SPARQL boolean: the node in `v` conforms to `shape` (used by sh:node, sh:or)."""
        if shape in self.stack:
            raise ShapesCompileError(f"recursive shape {shape.n3()}: not supported")
        if self.deactivated(shape):
            return "true"
        self.stack.append(shape)
        try:
            self.check_keys(shape, _SHAPE_ANNOTATIONS | _VALUE_PARAMS | {str(SH.property)})
            conds: list[str] = []
            for p, o in sorted(self.sg.predicate_objects(shape)):
                if str(p) in _VALUE_PARAMS:
                    conds.append(f"!({self.violates(str(p), o, v)})")
            for prop in sorted(self.sg.objects(shape, SH.property), key=str):
                conds.append(self.property_conforms(prop, v))
            return " && ".join(conds) or "true"
        finally:
            self.stack.pop()

    def property_conforms(self, prop: Node, v: str) -> str:
        if self.deactivated(prop):
            return "true"
        self.check_keys(prop, _SHAPE_ANNOTATIONS | _VALUE_PARAMS | _PROPERTY_PARAMS)
        path = self.path(prop)
        conds: list[str] = []
        min_count = self.one(prop, SH.minCount)
        if min_count is not None and _count(min_count) > 0:
            if _count(min_count) != 1:
                raise ShapesCompileError("a nested sh:minCount above 1 is not supported")
            conds.append(f"EXISTS {{ {v} {path} {self.var()} }}")
        if self.one(prop, SH.maxCount) is not None or self.one(prop, SH.lessThanOrEquals):
            raise ShapesCompileError("nested sh:maxCount / sh:lessThanOrEquals are not supported")
        qshape = self.one(prop, SH.qualifiedValueShape)
        if qshape is not None:
            qmin = self.one(prop, SH.qualifiedMinCount)
            if qmin is None or _count(qmin) != 1:
                raise ShapesCompileError("a nested qualified shape needs sh:qualifiedMinCount 1")
            x = self.var()
            conds.append(f"EXISTS {{ {v} {path} {x} . FILTER({self.conforms(qshape, x)}) }}")
        for p, o in sorted(self.sg.predicate_objects(prop)):
            if str(p) in _VALUE_PARAMS:
                x = self.var()
                conds.append(
                    f"NOT EXISTS {{ {v} {path} {x} . FILTER({self.violates(str(p), o, x)}) }}"
                )
        return " && ".join(conds) or "true"

    def path(self, prop: Node) -> str:
        path = self.one(prop, SH.path)
        if not isinstance(path, URIRef):
            raise ShapesCompileError(
                f"property shape {prop.n3()}: only a single predicate IRI is supported as sh:path"
            )
        return f"<{path}>"

    def targets(self, shape: Node) -> tuple[str, str] | None:
        """The SPARQL pattern binding the shape's focus nodes ?this: over the whole
        union, and with the witness triple (the type, the predicate) inside GRAPH ?_g."""
        self.check_keys(shape, _SHAPE_ANNOTATIONS | _VALUE_PARAMS | _NODE_WIRING)
        from rdflib.namespace import OWL, RDFS

        if (shape, RDF.type, RDFS.Class) in self.sg or (shape, RDF.type, OWL.Class) in self.sg:
            raise ShapesCompileError(f"implicit class target on {shape.n3()}: not supported")
        whole: list[str] = []
        local: list[str] = []
        classes = sorted(self.sg.objects(shape, SH.targetClass), key=str)
        if classes:
            c = self.var()
            values = f"VALUES {c} {{ {' '.join(_iri(k) for k in classes)} }}"
            whole.append(f"{{ ?this {self.type_path()} {c} . {values} }}")
            if self.subclasses:
                t = self.var()
                witness = f"GRAPH ?_g {{ ?this <{_RDF_TYPE}> {t} }}"
                local.append(f"{{ {witness} {t} <{_SUBCLASS}>* {c} . {values} }}")
            else:
                local.append(f"{{ GRAPH ?_g {{ ?this <{_RDF_TYPE}> {c} }} {values} }}")
        for p in sorted(self.sg.objects(shape, SH.targetSubjectsOf), key=str):
            x = self.var()
            whole.append(f"{{ ?this {_iri(p)} {x} }}")
            local.append(f"{{ GRAPH ?_g {{ ?this {_iri(p)} {x} }} }}")
        if not whole:
            return None
        self.witnesses[shape] = " UNION ".join(whole)
        # each focus node once: a node is typed in every graph that mentions it, and a
        # subject of sh:targetSubjectsOf once per triple
        return (
            f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(whole)} }} }}",
            f"{{ SELECT DISTINCT ?this WHERE {{ {_GRAPHS} {' UNION '.join(local)} }} }}",
        )


def _count(term: Node) -> int:
    from rdflib import Literal

    if not isinstance(term, Literal) or not isinstance(term.value, int) or term.value < 0:
        raise ShapesCompileError(f"expected a non-negative integer, got {term.n3()}")
    return int(term.value)


def _shape_id(shape: Node) -> str:
    return str(shape).removeprefix(SHAPES_NS)


@cache
def compile_shapes(shapes: Graph | None = None, *, subclasses: bool = False) -> CompiledShapes:
    """Compile the targeted shapes into SPARQL (cached per shapes graph).

    `subclasses`: follow rdfs:subClassOf in the data for sh:targetClass and sh:class
    (SHACL's instance test); without it a plain rdf:type match, equivalent when the data
    holds no rdfs:subClassOf triple (validate_store checks that).

    Raises:
        ShapesCompileError: a shape uses a feature the compiler does not support.
    """
    sg = shapes if shapes is not None else load_shapes()
    c = _Compiler(sg, subclasses)
    messages = _Messages(sg)

    targets: dict[str, tuple[str, str]] = {}
    shape_messages: dict[str, str] = {}
    nodes: dict[str, URIRef] = {}
    out: list[CompiledConstraint] = []
    for shape in sorted(set(sg.subjects(RDF.type, SH.NodeShape)) | _targeted(sg), key=str):
        try:
            if c.deactivated(shape):
                continue
            pattern = c.targets(shape)
            if pattern is None:
                continue  # reached only through sh:node / sh:or
            if not isinstance(shape, URIRef):
                raise ShapesCompileError(f"a targeted shape must be an IRI: {shape.n3()}")
            sid = _shape_id(shape)
            targets[sid] = pattern
            nodes[sid] = shape
            msg = sg.value(shape, SH.message)
            shape_messages[sid] = str(msg) if msg is not None else ""
            severity = _severity(sg, shape)
            for p, o in sorted(sg.predicate_objects(shape)):
                if str(p) in _VALUE_PARAMS:
                    out.append(
                        _value_constraint(c, sid, shape, str(p), o, severity, messages, pattern)
                    )
            for prop in sorted(sg.objects(shape, SH.property), key=str):
                if c.deactivated(prop):
                    continue
                c.check_keys(prop, _SHAPE_ANNOTATIONS | _VALUE_PARAMS | _PROPERTY_PARAMS)
                sev = _severity(sg, prop, severity)
                witness = c.witnesses[shape]
                out.extend(_property_constraints(c, sid, prop, sev, messages, pattern, witness))
        except ShapesCompileError as exc:  # name the shape the problem is in
            raise ShapesCompileError(f"{_shape_id(shape)}: {exc}") from None
    return CompiledShapes(
        targets,
        tuple(out),
        shape_messages,
        {sid: frozenset(map(str, sg.objects(node, SH.targetClass))) for sid, node in nodes.items()},
        {
            sid: frozenset(map(str, sg.objects(node, SH.targetSubjectsOf)))
            for sid, node in nodes.items()
        },
    )


# -- the compiled shapes kept on disk -----------------------------------------------------

_CACHE_FORMAT = 1  # of the file; the key also holds this module's text and the shapes'


def _cache_key(subclasses: bool) -> str:
    """What the compiled shapes depend on: the shapes file, this compiler (its source) and
    pySHACL (its messages), and the instance test."""
    import hashlib
    from importlib.metadata import version

    h = hashlib.sha256(f"{_CACHE_FORMAT}\0{subclasses}\0{version('pyshacl')}\0".encode())
    h.update((ontology_dir() / "shapes.ttl").read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def compiled_shapes_cached(path: Path, *, subclasses: bool = False) -> CompiledShapes:
    """`compile_shapes()` of the shipped shapes, kept in the JSON file `path` between
    processes (a build parses and compiles them in 0.2-0.5 s, reads them in ~5 ms).

    A file written for other shapes, another compiler or another pySHACL, or unreadable,
    is ignored and written again (atomically; a failed write only loses the cache).
    """
    import json
    import os

    key = _cache_key(subclasses)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["key"] == key:
            return _shapes_from_json(data["shapes"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # missing, stale or corrupt: compile again
    compiled = compile_shapes(subclasses=subclasses)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(
            json.dumps({"key": key, "shapes": _shapes_to_json(compiled)}), encoding="utf-8"
        )
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
    return compiled


def _shapes_to_json(c: CompiledShapes) -> dict[str, object]:
    return {
        "targets": {k: list(v) for k, v in c.targets.items()},
        "constraints": [dataclasses.asdict(k) for k in c.constraints],
        "shape_messages": dict(c.shape_messages),
        "target_classes": {k: sorted(v) for k, v in c.target_classes.items()},
        "target_predicates": {k: sorted(v) for k, v in c.target_predicates.items()},
    }


def _shapes_from_json(d: dict[str, dict[str, object]]) -> CompiledShapes:
    def pair(v: object) -> tuple[str, str]:
        if not isinstance(v, list) or len(v) != 2 or not all(isinstance(x, str) for x in v):
            raise TypeError("a target is two patterns")
        return str(v[0]), str(v[1])

    def strings(v: object) -> frozenset[str]:
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise TypeError("expected a list of strings")
        return frozenset(v)

    messages = d["shape_messages"]
    if not all(isinstance(v, str) for v in messages.values()):
        raise TypeError("a message is a string")
    constraints = d["constraints"]
    if not isinstance(constraints, list):
        raise TypeError("constraints is a list")
    return CompiledShapes(
        {k: pair(v) for k, v in d["targets"].items()},
        tuple(CompiledConstraint(**k) for k in constraints),
        {k: str(v) for k, v in messages.items()},
        {k: strings(v) for k, v in d["target_classes"].items()},
        {k: strings(v) for k, v in d["target_predicates"].items()},
    )


def _targeted(sg: Graph) -> set[Node]:
    return set(sg.subjects(SH.targetClass, None)) | set(sg.subjects(SH.targetSubjectsOf, None))


def _severity(sg: Graph, shape: Node, default: str = "Violation") -> str:
    sev = sg.value(shape, SH.severity)
    return str(sev).removeprefix(str(SH)) if sev is not None else default


_FOCUS = "\x00focus\x00"
_VALUE = "\x00value\x00"


class _Messages:
    """pySHACL's generic result messages, the shape side rendered once at compile time."""

    def __init__(self, sg: Graph) -> None:
        self.sg = sg

    def node(self, term: Node) -> str:
        from pyshacl.rdfutil.stringify import stringify_node  # light: no validator import

        return str(stringify_node(self.sg, term))

    def detail(self, source: Node, param: str, arg: Node | None) -> str:
        own = self.sg.value(source, SH.message)
        if own is not None:
            return str(own)
        path = self.sg.value(source, SH.path)
        p = self.node(path) if path is not None else None
        on = f"{_FOCUS}->{p}" if p is not None else _FOCUS
        assert arg is not None
        if param == str(SH.minCount):
            return f"Less than {_count(arg)} values on {on}"
        if param == str(SH.maxCount):
            return f"More than {_count(arg)} values on {on}"
        if param == str(SH["class"]):
            return f"Value does not have class {self.node(arg)}"
        if param == str(SH.datatype):
            return f"Value is not Literal with datatype {self.node(arg)}"
        if param == str(SH.nodeKind):
            return f"Value is not of Node Kind {self.node(arg)}"
        if param == str(SH.minLength):
            return f"String length not >= {_stringify_data(arg)}"
        if param == str(SH.pattern):
            return f"Value does not match pattern '{arg}'"
        if param == str(SH["in"]):
            members = [self.node(m) for m in self.sg.items(arg)]
            return f"Value {_VALUE} not in list {members}"
        if param == str(SH.minInclusive):
            return f"Value is not >= {self.node(arg)}"
        if param == str(SH.lessThanOrEquals):
            return f"Value of {_FOCUS}->{self.node(arg)} < {_VALUE}"
        if param == str(SH.node):
            return (
                f"Value does not conform to Shape {self.node(arg)}."
                " See details for more information."
            )
        if param == str(SH["or"]):
            shapes = " , ".join(self.node(m) for m in self.sg.items(arg))
            return f"Node {_VALUE} must conform to one or more shapes in {shapes}"
        if param == str(SH.qualifiedValueShape):
            qmin = self.sg.value(source, SH.qualifiedMinCount)
            return f"Focus node does not conform to shape MinCount {qmin}: {self.node(arg)}"
        raise ShapesCompileError(f"no message for {param}")


@cache
def _data_namespaces() -> object:
    # the data graph pySHACL sees for a dataset is a fresh Graph (flatten): its prefixes
    g = Graph()
    g.namespace_manager.bind("sh", SH, override=False, replace=False)
    return g.namespace_manager


def _stringify_data(term: Node) -> str:
    """A data node as pySHACL's messages write it (a fresh graph's prefixes).

    >>> from rdflib import Literal
    >>> _stringify_data(Literal(1))
    'Literal("1", datatype=xsd:integer)'
    >>> _stringify_data(URIRef("http://www.w3.org/2001/XMLSchema#date"))
    'xsd:date'
    """
    from rdflib import Literal
    from rdflib.namespace import NamespaceManager

    nm = _data_namespaces()
    assert isinstance(nm, NamespaceManager)
    if isinstance(term, Literal):
        lex = str(term)
        val = None if term.value is None else str(term.value)
        if val is not None and " object at 0x" in val:
            val = val[: val.find(" object at 0x")]
        text = f'"{lex}" = {val}' if val is not None and val != lex else f'"{lex}"'
        if term.language:
            text += f", lang={term.language}"
        if term.datatype:
            text += f", datatype={_stringify_data(term.datatype)}"
        return f"Literal({text})"
    if isinstance(term, URIRef):
        try:
            return term.n3(namespace_manager=nm)
        except Exception:  # rdflib refuses some IRIs as prefixed names
            return str(term)
    return str(term)


_GRAPHS = "#GRAPHS#"  # where VALUES ?_g { the graphs } goes in a local query


def _value_constraint(
    c: _Compiler,
    sid: str,
    shape: Node,
    param: str,
    arg: Node,
    severity: str,
    messages: _Messages,
    targets: tuple[str, str],
) -> CompiledConstraint:
    """A value constraint on the node shape itself: the value node is the focus node."""
    viol = c.violates(param, arg, "?value")
    whole, local = (
        f"SELECT DISTINCT ?this ?value WHERE {{ {t} BIND(?this AS ?value) FILTER({viol}) }}"
        for t in targets
    )
    return CompiledConstraint(
        shape=sid,
        component=_component(param),
        path=None,
        severity=severity,
        query=whole,
        local_query=local,
        detail=messages.detail(shape, param, arg),
        source=str(shape),
    )


_COMPONENTS = {
    str(SH.datatype): "DatatypeConstraintComponent",
    str(SH.nodeKind): "NodeKindConstraintComponent",
    str(SH["class"]): "ClassConstraintComponent",
    str(SH["in"]): "InConstraintComponent",
    str(SH.pattern): "PatternConstraintComponent",
    str(SH.minLength): "MinLengthConstraintComponent",
    str(SH.minInclusive): "MinInclusiveConstraintComponent",
    str(SH.node): "NodeConstraintComponent",
    str(SH["or"]): "OrConstraintComponent",
    str(SH.minCount): "MinCountConstraintComponent",
    str(SH.maxCount): "MaxCountConstraintComponent",
    str(SH.lessThanOrEquals): "LessThanOrEqualsConstraintComponent",
    str(SH.qualifiedValueShape): "QualifiedMinCountConstraintComponent",
}


def _component(param: str) -> str:
    return _COMPONENTS[param]


def _property_constraints(
    c: _Compiler,
    sid: str,
    prop: Node,
    severity: str,
    messages: _Messages,
    targets: tuple[str, str],
    witness: str,
) -> Iterable[CompiledConstraint]:
    path = c.path(prop)
    p = path[1:-1]
    t_whole, t_local = targets

    probe = f"SELECT (COUNT(*) AS ?n) WHERE {{ {witness} }}"  # the focus nodes

    def make(
        param: URIRef, whole: str, local: str, arg: Node, scan: str = ""
    ) -> CompiledConstraint:
        detail = messages.detail(prop, str(param), arg)
        comp = _component(str(param))
        sample = probe if scan else ""
        return CompiledConstraint(
            sid, comp, p, severity, whole, local, detail, str(prop), None, scan, sample
        )

    def counted(focus: str, op: str, n: int, cond: str = "") -> str:
        return (
            f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value {cond} }} }}"
            f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {op} {n})"
        )

    # one query for the path: minCount 1, maxCount 1 and the value constraints as columns
    merged: list[tuple[URIRef | str, Node, str]] = []  # (parameter, argument, failing when)
    # The scan form (over the whole store, where most of the path's triples are of focus
    # nodes) runs the exact test on candidate focus nodes only: a superset of the failing
    # ones, from one scan of the path's triples (Oxigraph aggregates a scan for about a
    # third of what it costs to join it, or to look each focus node up). With a minCount,
    # one GROUP BY ?this over a UNION of the focus nodes and the path's triples; without,
    # a GROUP BY over the triples alone (maxCount), or no aggregate at all, and the focus
    # test only on the failing subjects. A value failing in a branch (the tests needing no
    # lookup on the scan, sh:class as a MINUS, node shapes once per distinct value) makes
    # its subject a candidate; so does an error in a test.
    having: list[str] = []  # a candidate when one holds
    cheap: list[str] = []  # value tests needing no lookup, on ?_x
    branches: list[str] = []  # more UNION branches, each binding its own variable
    arg = c.one(prop, SH.minCount)
    if arg is not None and _count(arg) == 1:
        merged.append((SH.minCount, arg, "!BOUND(?value)"))
        having.append("COUNT(?_x) = 0")
    elif arg is not None and _count(arg) > 1:
        n = _count(arg)
        yield make(SH.minCount, counted(t_whole, "<", n), counted(t_local, "<", n), arg)
    arg = c.one(prop, SH.maxCount)
    if arg is not None and _count(arg) == 0:
        merged.append((SH.maxCount, arg, "BOUND(?value)"))
        having.append("COUNT(?_x) > 0")
    elif arg is not None and _count(arg) == 1:
        other_value = f"EXISTS {{ ?this {path} ?_o . FILTER(!sameTerm(?_o, ?value)) }}"
        merged.append((SH.maxCount, arg, f"IF(BOUND(?value), {other_value}, false)"))
        having.append("COUNT(?_x) > 1")  # a triple once per graph in a union: a superset
    elif arg is not None:
        n = _count(arg)
        yield make(SH.maxCount, counted(t_whole, ">", n), counted(t_local, ">", n), arg)
    for key, value in sorted(c.sg.predicate_objects(prop)):
        if str(key) in _VALUE_PARAMS:
            viol = c.violates(str(key), value, "?value")
            # IF, not &&: Oxigraph evaluates both sides of &&, and an EXISTS with ?value
            # unbound scans every triple of its pattern (2 s a query on a disk store)
            merged.append((str(key), value, f"IF(BOUND(?value), {viol}, false)"))
            if str(key) in _LOOKUP_FREE:
                cheap.append(c.violates(str(key), value, "?_x"))
            elif str(key) == str(SH["class"]):
                # a hash anti-join: a literal is never a subject, so it stays
                k = c.var()
                branches.append(
                    f"{{ ?this {path} {k} MINUS {{ {k} {c.type_path()} {_iri(value)} }} }}"
                )
                having.append(f"COUNT({k}) > 0")
            else:  # sh:node, sh:or: once per distinct value, then back to the subjects
                k, z = c.var(), c.var()
                bad = f"COALESCE({c.violates(str(key), value, k)}, true)"
                distinct = f"{{ SELECT DISTINCT {k} WHERE {{ {z} {path} {k} }} }}"
                branches.append(
                    f"{{ {{ SELECT {k} WHERE {{ {distinct} FILTER({bad}) }} }} ?this {path} {k} }}"
                )
                having.append(f"COUNT({k}) > 0")
    if cheap:
        having.append("COUNT(?_y) > 0")
    if merged:
        flags = [f"?_f{i}" for i in range(len(merged))]
        binds = " ".join(
            f"BIND(({cond}) AS {f})" for (_, _, cond), f in zip(merged, flags, strict=True)
        )
        # the union default graph gives a triple once per graph that holds it (a treaty's
        # register facts are in every document citing it): de-duplicate the pairs first, so
        # each is checked once
        # The values of each focus node are looked up (an index seek each): this form runs
        # where the focus nodes are few beside the path's triples (validate_store picks
        # it), where the seeks cost less than hashing a scan of the path in a sub-select
        # (at 20,000 documents an organ's rdfs:label 0.89 -> 0.01 s, a footnote's rg:text
        # 1.8 -> 1.2 s)
        values = {t: f"{{ ?this {path} ?value }}" for t in (t_whole, t_local)}
        # ?_none is never bound: IF gives an error, and BIND leaves ?_y unbound
        scan_x = f"?this {path} ?_x"
        bad = f"COALESCE({' || '.join(cheap)}, true)"
        counts = any("?_x" in h for h in having)
        if cheap and counts:
            scan_x += f" BIND(IF({bad}, 1, ?_none) AS ?_y)"
        elif cheap:  # no counts: the failing triples alone
            scan_x += f" FILTER({bad})"
        paths = ([f"{{ {scan_x} }}"] if cheap or counts else []) + branches
        if "COUNT(?_x) = 0" in having:  # minCount: the focus nodes without a value too
            union = " UNION ".join([f"{{ {witness} BIND(1 AS ?_t) }}", *paths])
            candidates = (
                f"{{ SELECT ?this WHERE {{ {union} }} GROUP BY ?this"
                f" HAVING (COUNT(?_t) > 0 && ({' || '.join(having)})) }}"
            )
        else:  # only subjects of the path can fail: the focus nodes tested on them only
            inner = f"SELECT ?this WHERE {{ {' UNION '.join(paths)} }}"
            if counts:
                inner += f" GROUP BY ?this HAVING ({' || '.join(having)})"
            focus = f"FILTER EXISTS {{ {witness} }}"  # on the few failing subjects only
            candidates = f"{{ SELECT DISTINCT ?this WHERE {{ {{ {inner} }} {focus} }} }}"
        values[candidates] = values[t_local]  # few candidates
        pairs = "SELECT DISTINCT ?this ?value WHERE {{ {} OPTIONAL {} }}"
        head = f"SELECT ?this ?value {' '.join(flags)} WHERE"
        whole, local, scan = (
            f"{head} {{ {{ {pairs.format(t, values[t])} }} {binds} FILTER({' || '.join(flags)}) }}"
            for t in (t_whole, t_local, candidates)
        )
        for (param, arg, _), f in zip(merged, flags, strict=True):
            detail = messages.detail(prop, str(param), arg)
            comp = _component(str(param))
            yield CompiledConstraint(
                sid, comp, p, severity, whole, local, detail, str(prop), f[1:], scan, probe
            )
    qshape = c.one(prop, SH.qualifiedValueShape)
    if qshape is not None:
        qarg = c.one(prop, SH.qualifiedMinCount)
        if qarg is None:
            raise ShapesCompileError("sh:qualifiedValueShape without sh:qualifiedMinCount")
        cond = f". FILTER({c.conforms(qshape, '?value')})"
        qmin = _count(qarg)
        yield make(
            SH.qualifiedValueShape,
            counted(t_whole, "<", qmin, cond),
            counted(t_local, "<", qmin, cond),
            qshape,
        )
    elif c.one(prop, SH.qualifiedMinCount) is not None:
        raise ShapesCompileError("sh:qualifiedMinCount without sh:qualifiedValueShape")
    other = c.one(prop, SH.lessThanOrEquals)
    if other is not None:
        # pySHACL: IRIs and string literals compare as strings, other literals by value,
        # a string against a non-string always fails; one result per failing pair
        def stringish(x: str) -> str:
            return (
                f"(isIRI({x}) || (isLiteral({x}) && (sameTerm(DATATYPE({x}), <{_XSD}string>)"
                f' || LANG({x}) != "")))'
            )

        ok = (
            f"(({stringish('?value')} && {stringish('?other')} && STR(?value) <= STR(?other))"
            f" || (!{stringish('?value')} && !{stringish('?other')}"
            f" && COALESCE(?value <= ?other, false)))"
        )
        # driven by the focus nodes, as the merged queries: a join of the two predicates
        # over the whole store first would cost as much for one document as for all. Two
        # OPTIONALs of one pattern each are looked up per focus node by Oxigraph, where one
        # OPTIONAL of both patterns was joined over the store first (one document: 3.4 s
        # -> 1 ms at 10,000 documents); a pair needs both, so the rows are the same
        pairs = (
            "SELECT DISTINCT ?this ?value ?other WHERE {{ {} OPTIONAL {{ ?this {} ?value }}"
            " OPTIONAL {{ ?this {} ?other }} }}"
        )
        # over the whole store, the candidates: the focus nodes with a value of each and,
        # unless both are one number with start <= end, the others (SUM errs on a
        # non-number, and is the value itself when there is one)
        candidates = (
            f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this WHERE {{ {{ ?this {path} ?_s }}"
            f" UNION {{ ?this {_iri(other)} ?_e }} }} GROUP BY ?this"
            " HAVING (COUNT(?_s) > 0 && COUNT(?_e) > 0 && !(COUNT(?_s) = 1 && COUNT(?_e) = 1"
            " && COALESCE(SUM(COALESCE(?_s, 0)) <= SUM(COALESCE(?_e, 0)), false))) }"
            f" FILTER EXISTS {{ {witness} }} }} }}"
        )
        whole, local, scan = (
            f"SELECT ?this ?value ?other WHERE {{ {{ {pairs.format(t, path, _iri(other))} }}"
            f" FILTER(IF(BOUND(?value) && BOUND(?other), !{ok}, false)) }}"
            for t in (t_whole, t_local, candidates)
        )
        yield make(SH.lessThanOrEquals, whole, local, other, scan)


# the scan form when the focus nodes are at least this share of the path's triples
_PROBE_SHARE = 0.2

# Given more graphs than this, and more than a third of the store's graphs, a call validates
# the whole store and keeps the results whose focus node one of the graphs targets: the
# focus-driven queries over most of the store cost about twice the whole-store ones.
LOCAL_GRAPHS_LIMIT = 200


def validate_store(
    ox: object,
    graphs: Iterable[str] | None = None,
    shapes: Graph | None = None,
    *,
    jobs: int = 1,
    cache: Path | None = None,
) -> ValidationReport:
    """Run the shapes over a pyoxigraph Store as compiled SPARQL (see compile_shapes).

    The data is the store's default graph if it holds anything (a CorpusStore keeps the
    set union of its documents there), else the union of its named graphs: either way
    what pySHACL sees in the union of a dataset. With `graphs` (incremental validation
    of just-built documents), only the focus nodes that those named graphs target are
    validated (their rdf:type, or the sh:targetSubjectsOf triple, is in one of them),
    each still against the whole union: a resolution cited in one document and parsed
    from its own text in another is one node, with the values of both. Validating every
    graph this way finds exactly what validating the store does.

    Cost: ~65 queries a call (a fixed ~50 ms), then a few µs per focus node and
    property shape: validate many graphs per call (a build batch, or the whole store).
    Over the whole store each query runs in the cheaper of two forms (see `_scan_forms`),
    after counting the focus nodes of each shape and the triples of each path.
    `jobs` > 1 runs the queries on that many threads (Oxigraph evaluates them without
    the GIL; the results are the same). `cache`: a file that keeps the shipped shapes
    compiled between processes (see `compiled_shapes_cached`; ignored with `shapes`).
    """
    import pyoxigraph

    assert isinstance(ox, pyoxigraph.Store)
    graph_list = None if graphs is None else sorted(set(graphs))
    if graph_list is not None and not graph_list:
        return ValidationReport(True, ())
    union = not bool(ox.query("ASK { ?s ?p ?o }"))  # empty default graph: use the named ones

    def run(text: str) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean:
        res = ox.query(text, use_default_graph_as_union=union)
        assert isinstance(res, pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean)
        return res

    subclasses = bool(run(f"ASK {{ ?a <{_SUBCLASS}> ?b }}"))
    compiled = (
        compiled_shapes_cached(cache, subclasses=subclasses)
        if cache is not None and shapes is None
        else compile_shapes(shapes, subclasses=subclasses)
    )
    local = graph_list
    if graph_list is not None and len(graph_list) > LOCAL_GRAPHS_LIMIT:
        in_store = sum(1 for _ in ox.named_graphs())
        local = None if 3 * len(graph_list) > in_store else graph_list
    graph_values = "" if local is None else f"VALUES ?_g {{ {' '.join(f'<{g}>' for g in local)} }}"
    scan = set() if local is not None else _scan_forms(compiled.constraints, run, jobs)
    by_query: dict[str, list[CompiledConstraint]] = {}
    for k in compiled.constraints:
        if local is not None:
            text = k.local_query.replace(_GRAPHS, graph_values)
        else:
            text = k.scan_query if k in scan else k.query
        by_query.setdefault(text, []).append(k)
    results = _run_compiled(compiled, by_query, run, jobs)
    if graph_list is not None and local is None:
        targeted = _Targeted(ox, compiled, set(graph_list), run)
        results = [r for r in results if targeted(r.shape, r.focus)]
    results.sort(key=lambda r: (r.shape, r.focus, r.path or "", r.component, r.value or ""))
    # like pySHACL with allow_warnings: only violations make the data non-conforming
    return ValidationReport(not any(r.severity == "Violation" for r in results), tuple(results))


def _run_compiled(
    compiled: CompiledShapes,
    by_query: Mapping[str, list[CompiledConstraint]],
    run: Callable[[str], object],
    jobs: int = 1,
) -> list[ShapeResult]:
    from .corpus_store import to_rdflib

    def solutions(text: str) -> list[object]:
        rows = run(text)
        assert isinstance(rows, Iterable)
        return list(rows)  # the query is evaluated while iterating: in the worker thread

    texts = list(by_query)
    if jobs > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(jobs) as pool:
            answers = list(pool.map(solutions, texts))
    else:
        answers = [solutions(t) for t in texts]
    results: list[ShapeResult] = []
    seen: set[tuple[str, str, str]] = set()  # a count fails once per focus node
    for text, rows in zip(texts, answers, strict=True):
        checks = by_query[text]
        for row in rows:
            f = to_rdflib(_get(row, "this"))
            assert f is not None
            row_value = to_rdflib(_get(row, "value"))
            for k in checks:
                if k.flag is not None and getattr(_get(row, k.flag), "value", None) != "true":
                    continue
                value = None if k.component in _PER_FOCUS else row_value
                if value is None:
                    key = (k.component, k.source, str(f))
                    if key in seen:
                        continue
                    seen.add(key)
                results.append(_result(compiled, k, f, value))
    return results


def _scan_forms(
    constraints: Iterable[CompiledConstraint], run: Callable[[str], object], jobs: int = 1
) -> set[CompiledConstraint]:
    """The constraints whose scan form to run over the whole store: where the focus nodes
    are at least a fifth as many as the path's triples (a path counted once, up to the
    number that decides), or the path is empty. Both forms give the same rows; this only
    picks the cheaper (at 20,000 documents a clause's rg:text: 11.6 -> 5.3 s CPU as a scan,
    but a document's rdfs:label, a path mostly of other nodes, 0.6 s by focus node and
    5.2 s as a scan). The counts cost ~0.5 us a row, on `jobs` threads."""
    share = _PROBE_SHARE
    ks = [k for k in constraints if k.scan_query and k.probe and k.path is not None]
    if share <= 0:
        return set(ks)
    if share == float("inf"):
        return set()

    def count(text: str) -> int:
        rows = run(text)
        assert isinstance(rows, Iterable)
        return sum(int(getattr(_get(r, "n"), "value", 0) or 0) for r in rows)

    def counts(texts: Iterable[str]) -> dict[str, int]:
        todo = sorted(set(texts))
        if jobs > 1 and len(todo) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(jobs) as pool:
                return dict(zip(todo, pool.map(count, todo), strict=True))
        return {t: count(t) for t in todo}

    targets = counts(k.probe for k in ks)
    limits: dict[str, int] = {}  # path -> the count that decides for every focus set
    for k in ks:
        assert k.path is not None
        limits[k.path] = max(limits.get(k.path, 0), int(targets[k.probe] / share) + 1)
    texts = {
        p: f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT ?_s WHERE {{ ?_s <{p}> ?_o }} LIMIT {n} }}"
        for p, n in limits.items()
    }
    triples = counts(texts.values())
    return {k for k in ks if targets[k.probe] >= share * triples[texts[k.path or ""]]}


class _Targeted:
    """Whether some of the given graphs target a focus node for a shape (its type, or the
    sh:targetSubjectsOf triple, is in one of them); looked up per failing node only."""

    def __init__(
        self, ox: object, compiled: CompiledShapes, graphs: set[str], run: Callable[[str], object]
    ) -> None:
        self.ox, self.compiled, self.graphs, self.run = ox, compiled, graphs, run

    def __call__(self, shape: str, focus: str) -> bool:
        import pyoxigraph

        assert isinstance(self.ox, pyoxigraph.Store)
        node: pyoxigraph.NamedNode | pyoxigraph.BlankNode
        node = pyoxigraph.NamedNode(focus) if ":" in focus else pyoxigraph.BlankNode(focus)
        classes = self.compiled.target_classes[shape]
        for q in self.ox.quads_for_pattern(node, pyoxigraph.NamedNode(_RDF_TYPE), None, None):
            g = q.graph_name
            if not isinstance(g, pyoxigraph.NamedNode) or g.value not in self.graphs:
                continue
            t = q.object
            if isinstance(t, pyoxigraph.NamedNode) and (
                t.value in classes or any(self._subclass(t.value, c) for c in classes)
            ):
                return True
        for p in self.compiled.target_predicates[shape]:
            for q in self.ox.quads_for_pattern(node, pyoxigraph.NamedNode(p), None, None):
                g = q.graph_name
                if isinstance(g, pyoxigraph.NamedNode) and g.value in self.graphs:
                    return True
        return False

    def _subclass(self, t: str, c: str) -> bool:
        return bool(self.run(f"ASK {{ <{t}> <{_SUBCLASS}>* <{c}> }}"))


_PER_FOCUS = {
    "MinCountConstraintComponent",
    "MaxCountConstraintComponent",
    "QualifiedMinCountConstraintComponent",
}


def _result(
    compiled: CompiledShapes, k: CompiledConstraint, f: Node, value: Node | None
) -> ShapeResult:
    detail = k.detail.replace(_FOCUS, _stringify_data(f))
    if value is not None:
        detail = detail.replace(_VALUE, _stringify_data(value))
    rule = compiled.shape_messages[k.shape]  # the owning node shape's rule, as pySHACL's path
    return ShapeResult(
        shape=k.shape,
        focus=str(f),
        path=k.path,
        value=value.n3() if value is not None else None,
        component=k.component,
        severity=k.severity,
        message="; ".join(m for m in (rule, detail) if m),
    )


def _get(row: object, name: str) -> object:
    try:
        return row[name]  # type: ignore[index]
    except (KeyError, IndexError):
        return None


def oxigraph_store(data: Graph) -> object:
    """A graph or dataset in a fresh in-memory pyoxigraph Store, for validate_store.

    Each graph of a dataset becomes a named graph (a plain graph, or a dataset's default
    graph, goes into one named graph `urn:resgraph:graph`); blank node ids are kept.
    """
    import pyoxigraph as ox

    from .corpus_store import to_oxigraph

    store = ox.Store()
    graphs = list(data.graphs()) if isinstance(data, Dataset) else [data]
    quads = []
    for g in graphs:
        ident = g.identifier
        default = not isinstance(ident, URIRef) or ident == DATASET_DEFAULT_GRAPH_ID
        name = ox.NamedNode("urn:resgraph:graph" if default else str(ident))
        for s, p, o in g:
            subject, predicate = to_oxigraph(s), to_oxigraph(p)  # type: ignore[arg-type]
            assert not isinstance(subject, ox.Literal) and isinstance(predicate, ox.NamedNode)
            quads.append(ox.Quad(subject, predicate, to_oxigraph(o), name))  # type: ignore[arg-type]
    store.extend(quads)
    return store
