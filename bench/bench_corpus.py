#!/usr/bin/env python3
"""Benchmark the corpus build and the named queries on generated corpora (issue 4, part 6).

    python bench/bench_corpus.py [--sizes 1000,10000,20000] [--quick] [--jobs 2] [--seed 0]

For each size: generate the corpus (bench/gen_corpus.py) into a temporary folder, then measure

- the floor: reading the same files and scanning them with the citation regexes and nothing
  else, in the same number of processes as the build (documents/s);
- the real build, `resgraph build DIR --store S --no-export --no-network-page --jobs J`, with and
  without validation: wall time, documents/s, peak memory (parent and children, psutil);
  then the rebuild after no change and after one changed file;
- triples, documents and the store's size on disk;
- the median latency (after a warm-up) of every named query in queries/*.rq with its header's
  example parameters, on the store, beside the same query on an in-memory rdflib Dataset loaded
  from the same data (only up to --rdflib-max documents: rdflib needs minutes and many GB
  beyond that); a query with an optional document is also run over the whole corpus;
- text search latency through CorpusStore.search;
- where the build's time goes: each stage timed in-process on a sample of documents.

Every figure is marked against the issue's targets (at 20,000 resolutions on 2 cores). Prints a
table and writes JSON to bench/results/<date>-corpus.json. Before the corpus build landed
(`resgraph build --store`), the build timed is the in-memory one and the store is loaded by this
script; the JSON says which (`build.mode`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

import psutil  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import gen_corpus  # noqa: E402
from resgraph import ids  # noqa: E402
from resgraph.corpus_store import CorpusStore, NewDocument, SearchHit  # noqa: E402
from resgraph.store import NamedQuery, QueryResult, list_queries, run_query  # noqa: E402

RESULTS = ROOT / "bench" / "results"

# the targets (20,000 resolutions, 2 cores)
TARGETS = {
    "build_s": (180.0, "whole build < 3 min at 20k"),
    "per_document_ms": (10.0, "per-document query < 10 ms median"),
    "aggregate_ms": (300.0, "corpus-wide aggregate < 300 ms"),
    "search_ms": (100.0, "text search < 100 ms"),
    "rebuild_one_s": (1.0, "rebuild after one change < 1 s"),
    "peak_mb": (2048.0, "peak memory < 2 GB"),
}
SEARCHES = (
    "cooperation",
    '"humanitarian justice"',
    "Treaty Series",
    "capacity*",
    "gender-responsive accountability",
)
RDFLIB_SLOW_S = 3.0  # one rdflib run slower than this: reported, not repeated
RDFLIB_BUDGET_S = 300.0  # rdflib query time per size; the queries after it are skipped


def mark(value: float | None, target: str) -> str:
    """'ok' / 'AT RISK' against a target of TARGETS (at the size measured).

    >>> mark(5.0, "per_document_ms"), mark(12.0, "per_document_ms")
    ('ok', 'AT RISK')
    """
    if value is None:
        return "-"
    return "ok" if value < TARGETS[target][0] else "AT RISK"


# -- measuring ------------------------------------------------------------------------------


class PeakMemory:
    """Peak resident memory of a process and all its children, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            proc = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                procs = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(0.02)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def children_cpu() -> float:
    """User + system CPU seconds of every finished child (and their waited-for children).

    On a shared machine the wall time depends on the others; the CPU time does not.
    """
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed_run(cmd: Sequence[str], quiet_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; wall time, exit code, peak memory (MB) of it and its children."""
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=quiet_env
    )
    with PeakMemory(proc.pid) as mem:
        out, err = proc.communicate()
    wall = time.perf_counter() - start
    return {
        "cmd": " ".join(cmd),
        "wall_s": round(wall, 3),
        "cpu_s": round(children_cpu() - cpu0, 3),
        "load_average": round(os.getloadavg()[0], 2),
        "rc": proc.returncode,
        "peak_mb": round(mem.peak / 2**20, 1),
        "stdout_tail": out.strip().splitlines()[-6:],
        "stderr_tail": err.strip().splitlines()[-6:],
    }


T = TypeVar("T")


def median_ms(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median wall time (ms) of `runs` calls after one warm-up call, and the last result.

    A call slower than a second is repeated only twice (the median of two), one slower
    than ten seconds not at all (its one time is the figure): a slow query is slow, and a
    corpus-wide network view at 20,000 documents would take the run's hour alone.
    """
    t = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t
    if first > 10.0:
        return round(first * 1000, 3), result
    if first > 1.0:
        runs = min(runs, 2)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 3), result


def _rdflib_child(
    conn: Connection, ds: Any, q: NamedQuery, params: dict[str, str], runs: int
) -> None:
    # runs in a forked copy of the benchmark: the Dataset is shared copy-on-write
    t = time.perf_counter()
    rows = len(run_query(ds, q, params))
    first = time.perf_counter() - t
    conn.send(("first", round(first * 1000, 1), rows))
    if first <= RDFLIB_SLOW_S:
        ms, _ = median_ms(lambda: run_query(ds, q, params), runs)
        conn.send(("median", ms, rows))
    conn.close()


def rdflib_latency(
    ds: Any, q: NamedQuery, params: dict[str, str], runs: int, timeout: float
) -> tuple[float | None, int | None, str]:
    """Median ms of a named query on an rdflib Dataset, in a forked process killed at `timeout`.

    rdflib cannot be interrupted inside a query; a child process can.
    """
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_rdflib_child, args=(send, ds, q, params, runs), daemon=True)
    child.start()
    send.close()
    deadline = time.monotonic() + timeout
    got: tuple[str, float, int] | None = None
    with contextlib.suppress(EOFError):
        while recv.poll(max(0.0, deadline - time.monotonic())):
            got = recv.recv()
            if got[0] == "median" or got[1] > RDFLIB_SLOW_S * 1000:
                break
    if child.is_alive():
        child.kill()
    child.join()
    if got is None:
        return None, None, f"skipped (too slow: no answer in {timeout:.0f} s)"
    kind, ms, rows = got
    return ms, rows, "" if kind == "median" else "one run (slow)"


def dir_size(path: Path) -> int:
    """Bytes of every file under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- the floor ------------------------------------------------------------------------------


# the citation patterns that search a text; the others are fragments applied at a place the
# searching ones found (an item tail, a list separator, a marker gap: they match almost anywhere)
SCAN_ROLES = frozenset(
    {"lead", "item", "standalone", "unts-head", "ibid", "collective", "treaty-name",
     "declaration-name", "treaty-generic"}
)  # fmt: skip


def _scan(paths: list[str]) -> int:
    """Read files and search them with every citation regex; the number of matches."""
    from resgraph.parse.cite import patterns

    regexes = [r for p in patterns().values() if p.role in SCAN_ROLES for r in p.regexes]
    found = 0
    for path in paths:
        text = Path(path).read_bytes().decode("utf-8")
        for rx in regexes:
            for _ in rx.finditer(text):
                found += 1
    return found


def floor(files: list[Path], jobs: int) -> dict[str, Any]:
    """Reading and regex-scanning the texts and nothing else, in `jobs` processes."""
    chunks = [[str(p) for p in files[i::jobs]] for i in range(jobs)]
    cpu0 = children_cpu()
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        matches = sum(pool.map(_scan, chunks))
    wall = time.perf_counter() - start
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(children_cpu() - cpu0, 3),
        "docs_per_s": round(len(files) / wall, 1),
        "matches": matches,
        "load_average": round(os.getloadavg()[0], 2),
    }


# -- the build ------------------------------------------------------------------------------


def build_help() -> str:
    out = subprocess.run(
        [sys.executable, "-m", "resgraph", "build", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout


def build_command(
    corpus: Path, store: Path, jobs: int, validate: bool, help_text: str
) -> list[str]:
    """The corpus build (`--store`) when it exists, else the in-memory build into a folder."""
    cmd = [sys.executable, "-m", "resgraph", "build", str(corpus)]
    if "--store" in help_text:
        cmd += ["--store", str(store)]
        if "--no-export" in help_text:
            cmd.append("--no-export")
    else:
        cmd += ["--out", str(store.parent / (store.name + "-out"))]
    if "--jobs" in help_text:
        cmd += ["--jobs", str(jobs)]
    cmd.append("--no-network-page")
    if not validate:
        cmd.append("--no-validate")
    if "--quiet" in help_text:
        cmd.append("--quiet")
    return cmd


def _parse_one(path: str) -> tuple[str, str, str, bytes, int] | None:
    from resgraph.pipeline import parse_document
    from resgraph.to_rdf import document_to_graph

    doc = parse_document(path)
    if doc.heading.symbol is None:
        return None
    ds = document_to_graph(doc)
    data = ds.serialize(format="nquads", encoding="utf-8")
    return doc.heading.symbol, doc.source.sha256, path, data, len(ds)


def load_store_here(files: list[Path], store: Path, jobs: int) -> float:
    """Before `build --store` existed: parse in `jobs` processes and put into a CorpusStore."""
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        built = [b for b in pool.map(_parse_one, [str(p) for p in files], chunksize=16) if b]
    docs = [
        NewDocument(ids.graph_iri(sym), sym, str(Path(src).resolve()), sha, data, n)
        for sym, sha, src, data, n in built
    ]
    with CorpusStore.open(store, write=True) as s:
        for i in range(0, len(docs), 500):
            s.put_documents(docs[i : i + 500])
    return time.perf_counter() - start


def change_one_file(files: list[Path]) -> Path:
    """Edit one resolution's text (a few words at the end of its first paragraph)."""
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    start = text.index("\tThe General Assembly,\n") + len("\tThe General Assembly,\n")
    cut = text.index(",\n", start)
    path.write_text(text[:cut] + " at all levels" + text[cut:], encoding="utf-8")
    return path


# -- profile ------------------------------------------------------------------------------


def profile_stages(files: list[Path], workdir: Path) -> dict[str, Any]:
    """Per-stage CPU time (ms a document, share of the total) on `files`, in this process.

    CPU time (time.process_time), not wall time: the machine may be shared.
    """
    from resgraph.parse.cite import find_citations
    from resgraph.parse.resolve import resolve_citations
    from resgraph.parse.segment import segment
    from resgraph.read import read_source
    from resgraph.to_rdf import document_nquads

    times: dict[str, float] = {}

    def stage(name: str, fn: Callable[..., Any], *a: Any) -> Any:
        t = time.process_time()
        value = fn(*a)
        times[name] = times.get(name, 0.0) + time.process_time() - t
        return value

    docs: list[NewDocument] = []
    for path in files:
        src = stage("read", read_source, path)
        res = stage("segment", segment, src)
        res = stage("cite", find_citations, res)
        res = stage("resolve", resolve_citations, res)
        # what the build's workers do: the mapping straight to N-Quads (document_to_graph
        # gives the same quads as an rdflib Dataset, for the library's users)
        quads = stage("to N-Quads (document_nquads)", document_nquads, res)
        sym = res.heading.symbol or src.sha256
        docs.append(
            NewDocument(
                ids.graph_iri(sym),
                sym,
                str(path),
                src.sha256,
                quads.nquads,
                quads.triples,
                quads.texts,
            )
        )
    store_dir = workdir / "profile-store"
    t = time.process_time()
    with CorpusStore.open(store_dir, write=True) as s:
        s.put_documents(docs)
    times["store (put_documents)"] = time.process_time() - t
    try:
        from resgraph.validate import validate_store

        with CorpusStore.open(store_dir) as s:
            t = time.process_time()
            validate_store(s.ox)
            times["validate (validate_store)"] = time.process_time() - t
    except ImportError:
        pass
    total = sum(times.values())
    n = len(files)
    return {
        "documents": n,
        "stages": {
            k: {"ms_per_doc": round(v * 1000 / n, 2), "share": round(v / total, 3)}
            for k, v in sorted(times.items(), key=lambda kv: -kv[1])
        },
        "total_ms_per_doc": round(total * 1000 / n, 2),
    }


# -- queries ------------------------------------------------------------------------------


def _document_param(q: NamedQuery) -> str | None:
    for p in q.params:
        if p.type.startswith("iri-of-document"):
            return p.name
    return None


def query_cases(manifest: dict[str, Any]) -> list[tuple[str, NamedQuery, dict[str, str], str, str]]:
    """(label, query, params, scope, note) for every named query, from its header's examples.

    A document-valued example not in the generated corpus is replaced by its most-cited
    resolution; a query with an optional document is also run over the whole corpus.
    """
    symbols = {f["symbol"] for f in manifest["files"]}
    cited = Counter(
        c["target"] for f in manifest["files"] for c in f["citations"] if c["target"] in symbols
    )
    popular = cited.most_common(1)[0][0] if cited else manifest["files"][0]["symbol"]
    cases = []
    for q in list_queries():
        params = {p.name: p.example for p in q.params if p.example is not None}
        doc = _document_param(q)
        note = ""
        if doc and doc in params and params[doc] not in symbols:
            note = f"{doc}={popular} (example {params[doc]} is not in the corpus)"
            params[doc] = popular
        required_doc = doc is not None and any(p.name == doc and p.required for p in q.params)
        scope = "document" if doc and doc in params else "corpus"
        cases.append((q.name, q, params, scope, note))
        if doc and not required_doc:
            rest = {k: v for k, v in params.items() if k != doc}
            cases.append((f"{q.name} (whole corpus)", q, rest, "corpus", ""))
    return cases


Case = tuple[str, NamedQuery, dict[str, str], str, str]


def time_queries(
    store: CorpusStore,
    cases: list[Case],
    runs: int,
    rdflib_ds: Any | None,
    rdflib_note: str,
    log: Callable[[str], None],
    rdflib_timeout: float = 30.0,
) -> list[dict[str, Any]]:
    """Median latency of each case on the store and, when given, on the rdflib Dataset."""
    rows = []
    spent = 0.0
    for label, q, params, scope, note in cases:
        log(f"  {label} …")

        def on_store(q: NamedQuery = q, params: dict[str, str] = params) -> QueryResult:
            return run_query(store, q, params)

        ms, result = median_ms(on_store, runs)
        target = "per_document_ms" if scope == "document" else "aggregate_ms"
        row: dict[str, Any] = {
            "query": label,
            "scope": scope,
            "params": params,
            "rows": len(result),
            "store_ms": ms,
            "target": TARGETS[target][1],
            "verdict": mark(ms, target),
            "note": note,
            "rdflib_ms": None,
            "rdflib_note": rdflib_note,
        }
        if rdflib_ds is not None and spent > RDFLIB_BUDGET_S:
            row["rdflib_note"] = (
                f"skipped (too slow: rdflib budget of {RDFLIB_BUDGET_S:.0f} s used)"
            )
        elif rdflib_ds is not None:
            t = time.perf_counter()
            r_ms, r_rows, r_note = rdflib_latency(rdflib_ds, q, params, runs, rdflib_timeout)
            spent += time.perf_counter() - t
            row["rdflib_ms"], row["rdflib_note"] = r_ms, r_note
            if r_rows is not None and r_rows != len(result):
                row["rdflib_note"] += f" rows differ: {r_rows}"
        log(f"  {label}: store {ms} ms, rdflib {row['rdflib_ms']} ms, {len(result)} rows")
        rows.append(row)
    return rows


def time_search(store: CorpusStore, runs: int) -> list[dict[str, Any]]:
    """Median latency of CorpusStore.search for a few kinds of search."""
    out = []
    for text in SEARCHES:

        def search(text: str = text) -> list[SearchHit]:
            return store.search(text, limit=20)

        ms, hits = median_ms(search, runs)
        out.append({"search": text, "hits": len(hits), "ms": ms, "verdict": mark(ms, "search_ms")})
    return out


# -- one size -------------------------------------------------------------------------------


def bench_size(size: int, args: argparse.Namespace, help_text: str) -> dict[str, Any]:
    def log(text: str) -> None:
        if not args.json_only:
            print(text, flush=True)

    out: dict[str, Any] = {"size": size}
    tmp = Path(tempfile.mkdtemp(prefix=f"resgraph-bench-{size}-", dir=args.tmp))
    try:
        corpus = tmp / "corpus"
        t = time.perf_counter()
        manifest = gen_corpus.generate(size, corpus, seed=args.seed)
        out["generate_s"] = round(time.perf_counter() - t, 2)
        (corpus / "manifest.json").rename(tmp / "manifest.json")  # not an input of the build
        files = sorted(corpus.glob("*.txt"))
        out["corpus_mb"] = round(dir_size(corpus) / 2**20, 1)
        log(f"[{size}] generated in {out['generate_s']} s ({out['corpus_mb']} MB)")

        out["floor"] = floor(files, args.jobs)
        log(f"[{size}] floor: {out['floor']['docs_per_s']} docs/s")

        store_mode = "--store" in help_text
        store = tmp / "store"
        builds: dict[str, Any] = {"mode": "store" if store_mode else "in-memory (no --store yet)"}
        cmd = build_command(corpus, store, args.jobs, False, help_text)
        run = timed_run(cmd)
        builds["no_validate"] = run
        log(f"[{size}] build (no validation): {run['wall_s']} s rc={run['rc']}")
        if not store_mode:
            builds["store_loaded_by_bench_s"] = round(load_store_here(files, store, args.jobs), 2)
        if not args.skip_validate:
            vstore = tmp / "store-validated"
            vcmd = build_command(corpus, vstore, args.jobs, True, help_text)
            run = timed_run(vcmd)
            builds["validate"] = run
            log(f"[{size}] build (validation): {run['wall_s']} s rc={run['rc']}")
        if store_mode:
            builds["rebuild_unchanged"] = timed_run(cmd)
            changed = change_one_file(files)
            builds["rebuild_one_changed"] = timed_run(cmd)
            builds["rebuild_one_changed"]["file"] = changed.name
            log(
                f"[{size}] rebuild: unchanged {builds['rebuild_unchanged']['wall_s']} s, "
                f"one changed {builds['rebuild_one_changed']['wall_s']} s"
            )
            if not args.skip_validate:
                # the same change into the validated store (shapes over the changed
                # document, the checks where the change reaches), then two more changes:
                # the median of three
                vruns = [timed_run(vcmd)]
                for _ in range(2):
                    change_one_file(files)
                    vruns.append(timed_run(vcmd))
                vruns.sort(key=lambda r: float(r["wall_s"]))
                builds["rebuild_one_changed_validated"] = {
                    **vruns[1],
                    "runs_wall_s": [r["wall_s"] for r in vruns],
                }
                log(
                    f"[{size}] rebuild with validation, one changed (median of 3): "
                    f"{builds['rebuild_one_changed_validated']['wall_s']} s "
                    f"{builds['rebuild_one_changed_validated']['runs_wall_s']}"
                )
        shutil.rmtree(tmp / "store-validated", ignore_errors=True)
        shutil.rmtree(tmp / "store-validated-out", ignore_errors=True)
        out["build"] = builds
        whole = builds.get("validate", builds["no_validate"])["wall_s"]
        out["build_docs_per_s"] = round(size / builds["no_validate"]["wall_s"], 1)
        out["verdicts"] = {
            "build": mark(whole * 20000 / size, "build_s") + " (scaled to 20k)",
            "peak": mark(
                max(
                    b["peak_mb"] for b in builds.values() if isinstance(b, dict) and "peak_mb" in b
                ),
                "peak_mb",
            ),
        }
        if "rebuild_one_changed" in builds:
            # the default build validates: its rebuild is the one the target is about
            one = builds.get("rebuild_one_changed_validated", builds["rebuild_one_changed"])
            out["verdicts"]["rebuild_one"] = mark(one["wall_s"], "rebuild_one_s")

        with CorpusStore.open(store) as s:
            out["documents"] = len(s.documents())
            out["triples_sum"] = sum(d.triples for d in s.documents())
            out["triples_distinct"] = len(s)
            out["store_mb"] = round(dir_size(store) / 2**20, 1)
            log(f"[{size}] store: {out['triples_distinct']} triples, {out['store_mb']} MB")
            rdflib_ds = None
            note = ""
            if size <= args.rdflib_max:
                proc = psutil.Process()
                before = proc.memory_info().rss
                t = time.perf_counter()
                rdflib_ds = s.dataset()
                out["rdflib_load_s"] = round(time.perf_counter() - t, 2)
                out["rdflib_rss_mb"] = round((proc.memory_info().rss - before) / 2**20, 1)
                log(f"[{size}] rdflib dataset loaded in {out['rdflib_load_s']} s")
            else:
                note = (
                    f"skipped (too slow: {size} documents exceed --rdflib-max {args.rdflib_max};"
                    " the issue measured 119 s to load 10,000 and over 11 GB)"
                )
            cases = query_cases(manifest)
            out["queries"] = time_queries(
                s, cases, args.runs, rdflib_ds, note, log, args.rdflib_timeout
            )
            out["search"] = time_search(s, args.runs)
            del rdflib_ds
        sample = files[: min(len(files), args.profile)]
        out["profile"] = profile_stages(sample, tmp)
        log(f"[{size}] profiled {len(sample)} documents")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


# -- output ---------------------------------------------------------------------------------


def table(result: dict[str, Any]) -> str:
    """The human-readable summary of one size."""
    n, b, fl = result["size"], result["build"], result["floor"]
    nv = b["no_validate"]
    docs = max(1, result["documents"])
    lines = [
        f"== {n} resolutions  (build mode: {b['mode']})",
        f"  floor (read + citation regexes, same processes): {fl['docs_per_s']} docs/s"
        f"  (cpu {fl['cpu_s']} s = {fl['cpu_s'] * 1000 / n:.1f} ms/doc)",
        f"  build without validation: {nv['wall_s']} s = {result['build_docs_per_s']} docs/s"
        f" ({fl['docs_per_s'] / result['build_docs_per_s']:.1f}x slower than the floor)"
        f"  peak {nv['peak_mb']} MB  rc={nv['rc']}",
        f"    cpu {nv['cpu_s']} s = {nv['cpu_s'] * 1000 / n:.1f} ms/doc;"
        f" load average {nv['load_average']} (wall times depend on the other users)",
    ]
    if "validate" in b:
        v = b["validate"]
        lines.append(
            f"  build with validation:    {v['wall_s']} s  cpu {v['cpu_s']} s"
            f"  peak {v['peak_mb']} MB  rc={v['rc']}"
        )
    if "store_loaded_by_bench_s" in b:
        lines.append(f"  store loaded by the bench: {b['store_loaded_by_bench_s']} s")
    for key in ("rebuild_unchanged", "rebuild_one_changed", "rebuild_one_changed_validated"):
        if key in b:
            lines.append(
                f"  {key.replace('_', ' ')}: {b[key]['wall_s']} s (cpu {b[key]['cpu_s']} s)"
            )
    lines.append(
        f"  documents {result['documents']}, triples {result['triples_distinct']} distinct"
        f" ({result['triples_sum']} in graphs, {result['triples_sum'] / docs:.0f} a document),"
        f" store {result['store_mb']} MB on disk"
    )
    if "rdflib_load_s" in result:
        lines.append(
            f"  rdflib Dataset: loaded in {result['rdflib_load_s']} s,"
            f" +{result['rdflib_rss_mb']} MB"
        )
    lines.append(f"  verdicts: {result['verdicts']}")
    head = f"  {'query':<58} {'scope':<8} {'rows':>6} {'store ms':>9} {'rdflib ms':>10}  verdict"
    lines.append(head)
    for q in result["queries"]:
        r = q["rdflib_ms"]
        rd = f"{r:>10.1f}" if r is not None else f"{'-':>10}"
        lines.append(
            f"  {q['query'][:58]:<58} {q['scope']:<8} {q['rows']:>6} {q['store_ms']:>9.2f} {rd}"
            f"  {q['verdict']}"
        )
    for note in sorted({q["rdflib_note"] for q in result["queries"] if q.get("rdflib_note")}):
        lines.append(f"  rdflib: {note}")
    lines += [f"  note {q['query']}: {q['note']}" for q in result["queries"] if q["note"]]
    for s in result["search"]:
        lines.append(
            f"  search {s['search']!r:<40} {s['hits']:>4} hits {s['ms']:>8.2f} ms  {s['verdict']}"
        )
    p = result["profile"]
    lines.append(
        f"  profile ({p['documents']} documents, one process, CPU time):"
        f" {p['total_ms_per_doc']} ms/doc"
    )
    for k, v in p["stages"].items():
        lines.append(f"    {k:<28} {v['ms_per_doc']:>8.2f} ms/doc  {v['share'] * 100:5.1f}%")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    import pyoxigraph
    import rdflib

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
    }


def compile_bytecode() -> bool:
    """Compile the resgraph package's bytecode (as installing it does); True if it worked."""
    import compileall

    import resgraph

    return bool(compileall.compile_dir(Path(resgraph.__file__).parent, quiet=1))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,20000", help="comma-separated sizes")
    parser.add_argument("--quick", action="store_true", help="one small size (200)")
    parser.add_argument("--jobs", type=int, default=2, help="build processes (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (median)")
    parser.add_argument("--rdflib-max", type=int, default=1000,
                        help="largest size also queried in rdflib (default 1000)")  # fmt: skip
    parser.add_argument("--rdflib-timeout", type=float, default=30.0,
                        help="seconds an rdflib query may take (default 30)")  # fmt: skip
    parser.add_argument("--profile", type=int, default=200, help="documents profiled per stage")
    parser.add_argument("--skip-validate", action="store_true", help="no build with validation")
    parser.add_argument("--tmp", default=None, help="folder for the temporary corpora")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and store")
    parser.add_argument("--out", type=Path, default=None, help="JSON output path")
    parser.add_argument("--json-only", action="store_true", help="print only the final table")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not compile the package's bytecode first")  # fmt: skip
    args = parser.parse_args(list(argv) if argv is not None else None)
    sizes = [200] if args.quick else [int(x) for x in re.split(r"[,\s]+", args.sizes) if x]
    help_text = build_help()
    # the timed commands start Python: an installed package has its bytecode, but with
    # PYTHONDONTWRITEBYTECODE set (as on the project's machine) a checkout compiles every
    # module from source in every run (~0.3 s of a one-change rebuild)
    bytecode = not args.no_compile and compile_bytecode()
    results: dict[str, Any] = {
        "machine": machine(),
        "bytecode": bytecode,
        "targets": {k: v[1] for k, v in TARGETS.items()},
        "sizes": [],
    }
    for size in sizes:
        result = bench_size(size, args, help_text)
        results["sizes"].append(result)
        print(table(result), flush=True)
    out = args.out or RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-corpus.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
