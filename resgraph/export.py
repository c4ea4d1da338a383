"""Stage 5c — export: the dataset to Turtle, JSON-LD, N-Triples and TriG files.

Each file is written atomically and re-parsed before it replaces the old
one (see `atomic.py`), so a failed export never leaves a half-written file.
JSON-LD uses the context shipped in `ontology/context.jsonld`, inlined, so
a consumer never has to fetch it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal

from rdflib import Dataset, Graph

from .atomic import atomic_write
from .errors import OutputError
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
