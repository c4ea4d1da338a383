"""Latency of every named query through `resgraph serve`'s HTTP API (issue 5).

Usage:
    .venv/bin/python bench/bench_serve.py STORE [--runs 5] [--skip NAME ...]

Starts the server over a built corpus store on a free local port, then times
`GET /queries/<name>?…` for every named query (median of --runs, after one
warm-up run) with its example parameters. A generated corpus does not hold the
examples' documents, so `document` is the resolution that cites most (or, for
resolutions-citing-resolution, the most-cited one), found by a SPARQL query
through the same server first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from resgraph.serve import ServeConfig, Source, make_server
from resgraph.store import list_queries

_PREFIXES = (
    "PREFIX rg: <https://w3id.org/resgraph/ontology#> "
    "PREFIX eli: <http://data.europa.eu/eli/ontology#> "
    "PREFIX dcterms: <http://purl.org/dc/terms/> "
)
CITING = _PREFIXES + (
    "SELECT ?s (COUNT(?c) AS ?n) WHERE { ?d rg:sourceFile ?f ; dcterms:identifier ?s ; "
    "eli:cites ?c } GROUP BY ?s ORDER BY DESC(?n) LIMIT 1"
)
CITED = _PREFIXES + (
    "SELECT ?s (COUNT(?d) AS ?n) WHERE { ?d eli:cites ?x . ?x a rg:Resolution ; "
    "dcterms:identifier ?s } GROUP BY ?s ORDER BY DESC(?n) LIMIT 1"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip", nargs="*", default=[], metavar="NAME")
    args = ap.parse_args()
    config = ServeConfig(
        Source("store", args.store), port=0, quiet=True, timeout=600, max_rows=1_000_000
    )
    server = make_server(config)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def fetch(path: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=900) as r:
            body = r.read()
        return time.perf_counter() - started, body

    def first(query: str) -> str:
        _, body = fetch("/sparql?" + urllib.parse.urlencode({"query": query}))
        return str(json.loads(body)["results"]["bindings"][0]["s"]["value"])

    citing, cited = first(CITING), first(CITED)
    print(f"store {args.store}: document={citing} (cited: {cited}), {args.runs} runs")
    try:
        for q in list_queries():
            if q.name in args.skip:
                continue
            params = {p.name: p.example for p in q.params if p.example and p.type != "limit"}
            if "document" in params:
                params["document"] = cited if q.name == "resolutions-citing-resolution" else citing
            path = f"/queries/{q.name}?" + urllib.parse.urlencode(params)
            fetch(path)  # warm-up
            times = []
            for _ in range(args.runs):
                elapsed, body = fetch(path)
                times.append(elapsed)
            rows = len(json.loads(body)["results"]["bindings"])
            median = statistics.median(times) * 1000
            print(f"{q.name:50s} {median:9.1f} ms  (min {min(times) * 1000:.1f}; {rows} rows)")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
