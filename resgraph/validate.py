"""Validate a graph: the SHACL shapes (ontology/shapes.ttl) and the consistency checks.

Shapes say what every node must look like (docs/mapping.md); they run with
pySHACL (https://www.w3.org/TR/shacl/). Each shape has a stable id in its IRI
(`S03-clause`); a result is reported under the node shape that owns the
failing property shape, with that shape's sh:message, so the report names
the rule. Checks (`queries/checks/*-violation.rq`, run by `store.run_checks`)
are consistency findings across nodes: a cited date that is not the adoption
date, an "Ibid." without antecedent … They are counted, never fatal, unless
the caller asks for strictness.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
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
    ds = Dataset(default_union=True)
    try:
        if fmt in ("trig", "nquads", "json-ld"):
            ds.parse(str(p), format=fmt)
        else:
            ds.graph(URIRef(p.resolve().as_uri())).parse(str(p), format=fmt)
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
