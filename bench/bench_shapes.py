"""Time the compiled shape queries on a corpus store: this compiler against another revision's.

    python bench/bench_shapes.py STORE [--rev REV] [--runs 3] [--per-query] [--total]

STORE is opened read-only. --rev names a git revision whose resgraph/validate.py is loaded
beside this one (default HEAD~0 = only this one is timed). --per-query times every query of
both, interleaved (median of --runs, wall and CPU: time.process_time counts Oxigraph's
threads); --total times validate_store(jobs=2) of both, interleaved. Rows must match.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resgraph import validate  # noqa: E402
from resgraph.corpus_store import CorpusStore  # noqa: E402


def load_revision(rev: str) -> ModuleType:
    """resgraph/validate.py as it was at `rev`, imported as a module of the package."""
    text = subprocess.run(
        ["git", "show", f"{rev}:resgraph/validate.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "validate_at_rev.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("resgraph._validate_at_rev", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds of fn(), and its result."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def count_rows(ox: object, text: str) -> int:
    """Run a query to the end; its number of rows."""
    rows = ox.query(text)  # type: ignore[attr-defined]
    return sum(1 for _ in rows)


def groups(module: ModuleType, ox: object) -> dict[tuple[str, str, tuple[str, ...]], str]:
    """(shape, path, components) -> the whole-store query validate_store runs for them."""
    compiled = module.compile_shapes()
    chosen: set[object] = set()
    if hasattr(module, "_scan_forms"):  # the form chosen by counts on this store
        chosen = module._scan_forms(compiled.constraints, ox.query)  # type: ignore[attr-defined]
    by_query: dict[str, list[object]] = {}
    for k in compiled.constraints:
        by_query.setdefault(k.scan_query if k in chosen else k.query, []).append(k)
    out = {}
    for text, ks in by_query.items():
        first = ks[0]
        key = (first.shape, first.path or "", tuple(k.component for k in ks))  # type: ignore[attr-defined]
        out[key] = text
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("store", type=Path)
    ap.add_argument("--rev", default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--per-query", action="store_true")
    ap.add_argument("--total", action="store_true")
    args = ap.parse_args()
    modules = {"new": validate}
    if args.rev:
        modules = {"old": load_revision(args.rev), "new": validate}
    with CorpusStore.open(args.store) as cs:
        ox = cs.ox
        if args.per_query:
            texts = {name: groups(m, ox) for name, m in modules.items()}
            keys = list(texts["new"])
            rows_out = []
            for key in keys:
                times: dict[str, list[tuple[float, float]]] = {n: [] for n in modules}
                counts: dict[str, int] = {}
                for _ in range(args.runs):
                    for name in modules:
                        text = texts[name].get(key)
                        if text is None:
                            continue
                        w, c, n = timed(partial(count_rows, ox, text))
                        times[name].append((w, c))
                        counts[name] = int(n)  # type: ignore[call-overload]
                if len(set(counts.values())) > 1:
                    print("ROWS DIFFER", key, counts, flush=True)
                med = {
                    n: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
                    for n, v in times.items()
                    if v
                }
                rows_out.append((key, med, counts.get("new", -1)))
                cols = "  ".join(f"{n} {w:6.2f}s wall {c:6.2f}s cpu" for n, (w, c) in med.items())
                print(
                    f"{key[0]:<26} {key[1].rsplit('#', 1)[-1]:<16} rows {counts.get('new')}"
                    f"  {cols}  {'/'.join(k.removesuffix('ConstraintComponent') for k in key[2])}",
                    flush=True,
                )
            for name in modules:
                w = sum(m[name][0] for _, m, _ in rows_out if name in m)
                c = sum(m[name][1] for _, m, _ in rows_out if name in m)
                print(f"sum of medians {name}: {w:.1f} s wall, {c:.1f} s cpu", flush=True)
        if args.total:
            runs: dict[str, list[tuple[float, float]]] = {n: [] for n in modules}
            reports = {}
            for _ in range(args.runs):
                for name, m in modules.items():
                    w, c, rep = timed(partial(m.validate_store, ox, None, jobs=2))
                    runs[name].append((w, c))
                    reports[name] = [
                        (r.shape, r.focus, r.path, r.value, r.component, r.message)
                        for r in rep.results  # type: ignore[attr-defined]
                    ]
                    print(
                        f"validate_store jobs=2 {name}: {w:.1f} s wall {c:.1f} s cpu"
                        f" ({len(reports[name])} results)",
                        flush=True,
                    )
            for name, v in runs.items():
                print(
                    f"median {name}: {statistics.median(w for w, _ in v):.1f} s wall,"
                    f" {statistics.median(c for _, c in v):.1f} s cpu",
                    flush=True,
                )
            if len({repr(r) for r in reports.values()}) > 1:
                print("RESULTS DIFFER", flush=True)


if __name__ == "__main__":
    main()
