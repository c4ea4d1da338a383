#!/usr/bin/env python3
"""Full-text search latency on a built corpus store, before and after, interleaved.

    python bench/bench_search.py STORE [--runs 15] [--limit 20] [--json OUT]

For each kind of search (the five of bench_corpus.py, two of the commonest words and a pair
of them), times `CorpusStore.search` ("after") and the one SQL statement it replaced
("before": every match's text row and document read to order by bm25 then IRI) on the
same open store, alternating the two run by run so that the other work on a shared machine
weighs on both alike. Prints the median wall and CPU (time.process_time) milliseconds of
each and checks that both give the same hits, snippets and scores. The store is opened
read-only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resgraph.corpus_store import CorpusStore, fts_query  # noqa: E402

SEARCHES = (
    ("word", "cooperation"),
    ("phrase", '"humanitarian justice"'),
    ("two words (templated footnotes: ties)", "Treaty Series"),
    ("prefix", "capacity*"),
    ("words", "gender-responsive accountability"),
    ("commonest pair", "United Nations"),
    ("commonest word", "of"),
)
# the search before: one statement orders every match (tests/test_search.py keeps it too)
BEFORE_SQL = (
    "SELECT d.symbol, t.graph, t.iri, t.kind,"
    " snippet(texts_fts, 0, '[', ']', '…', 16), bm25(texts_fts)"
    " FROM texts_fts JOIN texts t ON t.id = texts_fts.rowid"
    " JOIN documents d ON d.graph = t.graph"
    " WHERE texts_fts MATCH ? ORDER BY bm25(texts_fts), t.iri LIMIT ?"
)

Hit = tuple[str, str, str, str, str, float]


def before(store: CorpusStore, text: str, limit: int) -> list[Hit]:
    """The hits as the one statement gave them."""
    db = store._db  # the store's own connection: the same caches as `after`
    rows = db.execute(BEFORE_SQL, (fts_query(text), limit)).fetchall()
    return [
        (sym, g, iri, "footnote" if kind == "footnote" else "clause", " ".join(s.split()), sc)
        for sym, g, iri, kind, s, sc in rows
    ]


def after(store: CorpusStore, text: str, limit: int) -> list[Hit]:
    """The hits as CorpusStore.search gives them."""
    return [
        (h.symbol, h.graph, h.iri, h.kind, h.snippet, h.score)
        for h in store.search(text, limit=limit)
    ]


def _time(fn: Callable[[], list[Hit]]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure(store: CorpusStore, text: str, limit: int, runs: int) -> dict[str, Any]:
    """Median wall/CPU ms of before and after, run alternately after one warm-up each."""
    same = before(store, text, limit) == after(store, text, limit)
    times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for i in range(runs):
        order = ("before", "after") if i % 2 == 0 else ("after", "before")
        for name in order:
            fn = before if name == "before" else after
            times[name].append(_time(lambda fn=fn: fn(store, text, limit)))  # type: ignore[misc]
    out: dict[str, Any] = {"search": text, "same": same}
    for name, ts in times.items():
        out[f"{name}_ms"] = round(statistics.median(w for w, _ in ts), 2)
        out[f"{name}_cpu_ms"] = round(statistics.median(c for _, c in ts), 2)
    with store._db_lock:
        match = fts_query(text)
        out["matches"] = store._db.execute(
            "SELECT count(*) FROM texts_fts WHERE texts_fts MATCH ?", (match,)
        ).fetchone()[0]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("store", type=Path, help="a built corpus store (opened read-only)")
    ap.add_argument("--runs", type=int, default=15, help="timed runs of each (default 15)")
    ap.add_argument("--limit", type=int, default=20, help="hits asked for (default 20)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    results = []
    with CorpusStore.open(args.store) as store:
        docs = store.count_documents()
        print(f"{args.store}: {docs} documents, limit {args.limit}, median of {args.runs} runs")
        print(f"  {'kind':<40} {'matches':>8}  {'before ms (cpu)':>16}  {'after ms (cpu)':>16}")
        for kind, text in SEARCHES:
            r = measure(store, text, args.limit, args.runs)
            r["kind"] = kind
            results.append(r)
            label = f"{kind}: {text}"
            b = f"{r['before_ms']:.1f} ({r['before_cpu_ms']:.1f})"
            a = f"{r['after_ms']:.1f} ({r['after_cpu_ms']:.1f})"
            flag = "" if r["same"] else "  DIFFERENT HITS"
            print(f"  {label:<40.40} {r['matches']:>8}  {b:>16}  {a:>16}{flag}")
    if args.json:
        args.json.write_text(json.dumps({"store": str(args.store), "documents": docs,
                                         "limit": args.limit, "runs": args.runs,
                                         "searches": results}, indent=1) + "\n")  # fmt: skip
    return 0 if all(r["same"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
