#!/usr/bin/env python3
"""Time the validated rebuild after one changed file, as bench_corpus.py does, on a store
that is already built; optionally against other checkouts of the code, in turn.

    python bench/bench_rebuild.py CORPUS STORE [--runs 5] [--rounds 1] [--code DIR ...]
        [--compile]

CORPUS must be a corpus STORE was built from (`resgraph build CORPUS --store STORE`; the
manifest keys are absolute paths). Each run edits another file of CORPUS the way
`bench_corpus.change_one_file` does (words inserted at the end of its first paragraph), then
runs `python -m resgraph build CORPUS --store STORE --no-export --jobs 2 --no-network-page
--quiet` from a `--code` folder (default: this checkout). Each round gives every checkout
one untimed warm-up run (another checkout's check files make the first run after it a full
one) and then `--runs` timed runs. Prints each run's wall and CPU seconds (the process and
its children), the load average, and per checkout the medians.

Bytecode: with PYTHONDONTWRITEBYTECODE set (as on the project's machine) every run compiles
the package's modules from source (~0.3 s CPU) unless a checkout holds compiled bytecode
(`__pycache__`, as an installed package does); `--compile` writes it first (compileall).
Each checkout's line says whether it had bytecode.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "\tThe General Assembly,\n"


def children_cpu() -> float:
    """User + system CPU seconds of the finished children."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def edit(path: Path, words: str) -> None:
    """Insert `words` at the end of the first paragraph (bench_corpus.change_one_file)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(MARK) + len(MARK)
    cut = text.index(",\n", start)
    path.write_text(text[:cut] + words + text[cut:], encoding="utf-8")


def run(code: Path, corpus: Path, store: Path) -> tuple[float, float, int, str]:
    """One rebuild from the checkout `code`: (wall s, CPU s, exit code, stderr)."""
    cmd = [sys.executable, "-m", "resgraph", "build", str(corpus), "--store", str(store)]
    cmd += ["--no-export", "--jobs", "2", "--no-network-page", "--quiet"]
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=code, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, children_cpu() - cpu, proc.returncode, proc.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("store", type=Path)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per checkout and round")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--code", type=Path, action="append", help="a checkout (default: this one)")
    ap.add_argument("--compile", action="store_true", help="compile each checkout's bytecode")
    ap.add_argument("--offset", type=int, default=0, help="first file to edit (0: the middle)")
    args = ap.parse_args()
    codes = [c.resolve() for c in args.code or [ROOT]]
    if args.compile:
        for code in codes:
            subprocess.run([sys.executable, "-m", "compileall", "-q", "resgraph"], cwd=code)
    bytecode = {c: (c / "resgraph" / "__pycache__").is_dir() for c in codes}
    files = sorted(p for p in args.corpus.iterdir() if p.suffix == ".txt")
    times: dict[Path, list[tuple[float, float]]] = {c: [] for c in codes}
    n = 0
    for r in range(args.rounds):
        for code in codes:
            for i in range(1 + args.runs):
                path = files[(len(files) // 2 + args.offset + n * 7919) % len(files)]
                n += 1
                edit(path, " at all levels")
                wall, cpu, rc, err = run(code, args.corpus, args.store)
                if i:
                    times[code].append((wall, cpu))
                print(
                    f"round {r + 1} {'run ' + str(i) if i else 'warm-up'} {code}: wall"
                    f" {wall:.3f} s  cpu {cpu:.3f} s  rc {rc}  load {os.getloadavg()[0]:.2f}"
                    f"  ({path.name})",
                    flush=True,
                )
                if rc not in (0, 1):
                    print(err, file=sys.stderr)
    for code, got in times.items():
        walls, cpus = [w for w, _ in got], [c for _, c in got]
        print(
            f"{code} (bytecode: {'yes' if bytecode[code] else 'no'}):"
            f" median wall {statistics.median(walls):.3f} s"
            f" (min {min(walls):.3f}, max {max(walls):.3f}),"
            f" median cpu {statistics.median(cpus):.3f} s over {len(got)} runs"
        )


if __name__ == "__main__":
    main()
