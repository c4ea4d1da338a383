#!/usr/bin/env python3
"""Time the build of the bundled example, stage by stage, and print the numbers.

    python bench/bench_seed.py [--repeat N] [FILE]

Prints the median over N runs of each stage (read, segment, cite, resolve,
to RDF, export of the four RDF files, network page) and the whole pipeline
without interpreter start-up, plus the triple count. The whole command
(`python build_graph.py`, with start-up) is timed once per run as a subprocess.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from resgraph.export import export_dataset
from resgraph.network import to_network
from resgraph.parse.cite import find_citations
from resgraph.parse.resolve import resolve_citations
from resgraph.parse.segment import segment
from resgraph.read import read_source
from resgraph.render import render_network
from resgraph.resources import example_path
from resgraph.to_rdf import document_to_graph

ROOT = Path(__file__).resolve().parent.parent


def stage(
    times: dict[str, list[float]], name: str, fn: Callable[..., Any], *a: Any, **kw: Any
) -> Any:
    """Run one stage and record its time under `name`."""
    start = time.perf_counter()
    value = fn(*a, **kw)
    times.setdefault(name, []).append(time.perf_counter() - start)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", default=str(example_path()))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    times: dict[str, list[float]] = {}
    triples = 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            src = stage(times, "read", read_source, args.file)
            res = stage(times, "segment", segment, src)
            res = stage(times, "cite", find_citations, res)
            res = stage(times, "resolve", resolve_citations, res)
            ds = stage(times, "to RDF", document_to_graph, res)
            stage(times, "export (ttl, jsonld, nt, trig)", export_dataset, ds, tmp)
            net = stage(times, "network (SPARQL -> networkx)", to_network, ds)
            stage(times, "network page", render_network, net, Path(tmp) / "n.html", title="x")
            times.setdefault("pipeline total (no start-up)", []).append(time.perf_counter() - t0)
            triples = len(ds)
        whole = []
        for _ in range(max(3, args.repeat // 5)):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, str(ROOT / "build_graph.py"), args.file, "--out", tmp, "-q"],
                check=True,
            )
            whole.append(time.perf_counter() - start)
    print(f"input: {args.file}  ({args.repeat} runs, median)")
    for name, ts in times.items():
        print(f"  {name:34s} {statistics.median(ts) * 1000:8.1f} ms")
    print(f"  {'whole command (with start-up)':34s} {statistics.median(whole) * 1000:8.1f} ms")
    print(f"  triples: {triples}")


if __name__ == "__main__":
    main()
