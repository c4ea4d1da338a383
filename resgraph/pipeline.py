"""The whole flow: read -> parse -> resolve -> to RDF, over many inputs.

One straight road (DESIGN.md §1); every stage is one call below. A file
that fails is reported with its name and the problem and the others still
build.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from rdflib import Dataset

from .errors import InputError, ResgraphError
from .ids import DEFAULT_BASE
from .model import Resolution, SourceFormat, SourceText
from .parse.akn import add_link_citations, parse_akn
from .parse.cite import find_citations
from .parse.resolve import resolve_citations
from .parse.segment import segment
from .read import DEFAULT_MAX_BYTES, read_source
from .to_rdf import document_to_graph, merge_datasets
from .validate import Findings, ValidationReport

# what a folder given as input contributes
INPUT_SUFFIXES = (".txt", ".xml")


class _Parser(Protocol):
    def __call__(self, source: SourceText, *, strict: bool = False) -> Resolution: ...


# stage 2 by input format: both give the same document model
PARSERS: dict[SourceFormat, _Parser] = {"text": segment, "akn4un": parse_akn}


@dataclass(frozen=True)
class BuildError:
    """One input that could not be built: its name and a one-line reason."""

    source: str
    message: str


@dataclass(frozen=True)
class Summary:
    """Counts printed after a build."""

    documents: int = 0
    clauses: dict[str, int] = field(default_factory=dict)
    footnotes: int = 0
    citations: dict[str, int] = field(default_factory=dict)
    unresolved: int = 0
    triples: int = 0
    errors: int = 0
    validated: bool = False  # the shapes and checks ran
    shape_violations: int = 0  # SHACL results (ontology/shapes.ttl)
    findings: dict[str, int] = field(default_factory=dict)  # rows per consistency check


@dataclass(frozen=True)
class BuildResult:
    """The dataset (one named graph per document), the parsed documents and the failures."""

    dataset: Dataset
    documents: tuple[Resolution, ...]
    errors: tuple[BuildError, ...]
    shapes: ValidationReport | None = None  # None: not validated
    findings: Findings | None = None  # rows of queries/checks/*-violation.rq

    def summary(self) -> Summary:
        """Counts of what was built."""
        clauses: Counter[str] = Counter()
        citations: Counter[str] = Counter()
        # a work in parts (AKN "A-B") keeps its clauses, footnotes and citations in its parts
        units = [d for top in self.documents for d in (top, *top.parts)]
        for doc in units:
            clauses.update(c.kind for c in doc.clauses)
            citations.update(c.kind for c in doc.citations)
        return Summary(
            documents=len(self.documents),
            clauses=dict(sorted(clauses.items())),
            footnotes=sum(len(d.footnotes) for d in units),
            citations=dict(sorted(citations.items())),
            unresolved=sum(len(d.unresolved) for d in units),
            triples=len(self.dataset),
            errors=len(self.errors),
            validated=self.shapes is not None,
            shape_violations=len(self.shapes.results) if self.shapes else 0,
            findings=dict(self.findings.counts) if self.findings else {},
        )


def parse_document(
    path: str | Path,
    *,
    data: bytes | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
) -> Resolution:
    """Read, segment, find and resolve the citations of one input."""
    source = read_source(path, data=data, encoding=encoding, max_bytes=max_bytes)
    parser = PARSERS.get(source.format)
    if parser is None:
        raise InputError(source.name, f"{source.format} input is not supported yet")
    return _cite(parser(source, strict=strict), strict)


def _cite(res: Resolution, strict: bool) -> Resolution:
    """Find and resolve citations in a document and in each of its parts."""
    res = resolve_citations(find_citations(res), strict=strict)
    if res.parts:
        res = replace(res, parts=tuple(_cite(p, strict) for p in res.parts))
    # the source's own links (AKN4UN) where the text patterns missed a resolution
    return add_link_citations(res) if res.links else res


def build(
    inputs: Iterable[str | Path],
    *,
    base: str = DEFAULT_BASE,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
    validate: bool = True,
) -> BuildResult:
    """Build the graph of every input file (folders are searched for *.txt and *.xml)."""
    documents: list[Resolution] = []
    errors: list[BuildError] = []
    built_from: dict[str, str] = {}
    graphs: list[Dataset] = []
    for path in expand_inputs(inputs, errors):
        try:
            doc = parse_document(path, encoding=encoding, max_bytes=max_bytes, strict=strict)
            key = doc.heading.symbol or doc.source.sha256
            if key in built_from:
                raise InputError(str(path), f"{key} was already built from {built_from[key]}")
            graph = document_to_graph(doc, base=base)
        except ResgraphError as exc:
            errors.append(BuildError(str(path), _one_line(exc)))
            continue
        built_from[key] = str(path)
        documents.append(doc)
        graphs.append(graph)
    dataset = merge_datasets(graphs)
    if not validate or not documents:
        return BuildResult(dataset, tuple(documents), tuple(errors))
    # shapes and checks over the union, once: every document is in it, pySHACL's fixed cost
    # is paid once, and a node shared by documents (a cited resolution) is checked whole
    from .validate import run_findings, validate_graph

    shapes, findings = validate_graph(dataset), run_findings(dataset)
    return BuildResult(dataset, tuple(documents), tuple(errors), shapes, findings)


def expand_inputs(inputs: Iterable[str | Path], errors: list[BuildError]) -> Iterator[Path]:
    """Files as given; folders searched recursively for inputs, in sorted order."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
            )
            if not found:
                errors.append(BuildError(str(path), "folder holds no input files (*.txt, *.xml)"))
            yield from found
        else:
            yield path


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
