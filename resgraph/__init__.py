"""resgraph: UN resolutions in, a knowledge graph of legal cross-references out.

The pipeline, one public function per stage (`pipeline.build` composes them):

    read_source        file or bytes   -> SourceText          (read.py)
    segment            SourceText      -> Resolution          (parse/segment.py)
    find_citations     Resolution      -> Resolution          (parse/cite.py)
    resolve_citations  Resolution      -> Resolution          (parse/resolve.py)
    document_to_graph  Resolution      -> rdflib Dataset      (to_rdf.py)
    run_query          graph + name    -> QueryResult         (store.py, queries/*.rq)
    to_network         graph           -> networkx DiGraph    (network.py)
    render_network     DiGraph         -> network.html        (render.py)
    export_dataset     Dataset         -> graph.ttl/.jsonld/.nt/.trig (export.py)

Importing the package does no work: each name is imported from its stage
module on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the stage module that defines it
_EXPORTS = {
    "read_source": "read",
    "segment": "parse.segment",
    "find_citations": "parse.cite",
    "resolve_citations": "parse.resolve",
    "document_to_graph": "to_rdf",
    "run_query": "store",
    "to_network": "network",
    "render_network": "render",
    "export_dataset": "export",
    "parse_document": "pipeline",
    "build": "pipeline",
}

__all__ = [
    "__version__",
    "build",
    "document_to_graph",
    "export_dataset",
    "find_citations",
    "parse_document",
    "read_source",
    "render_network",
    "resolve_citations",
    "run_query",
    "segment",
    "to_network",
]

if TYPE_CHECKING:
    from .export import export_dataset
    from .network import to_network
    from .parse.cite import find_citations
    from .parse.resolve import resolve_citations
    from .parse.segment import segment
    from .pipeline import build, parse_document
    from .read import read_source
    from .render import render_network
    from .store import run_query
    from .to_rdf import document_to_graph


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'resgraph' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
