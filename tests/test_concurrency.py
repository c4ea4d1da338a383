"""Two builds into one store, a build while a reader holds it: a clear message or a correct result.

Never a traceback, never a corrupt store: after the race the store opens, every
document in it is whole (its triple count is the one a clean build gives), and a
rebuild completes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, SEED, TEXT_DIR

from resgraph.corpus_store import CorpusStore, StoreLockedError
from resgraph.errors import InputError

INPUTS = (str(SEED), str(TEXT_DIR))


def _cmd(out: Path, *inputs: str) -> list[str]:
    return [sys.executable, "-m", "resgraph", "build", *inputs, "--out", str(out), "-q"]


def _documents(store: Path) -> dict[str, int]:
    with CorpusStore.open(store) as cs:
        return {d.graph: d.triples for d in cs.documents() if not d.pending}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """graph -> triples after one clean build of every input."""
    out = tmp_path_factory.mktemp("clean") / "out"
    done = subprocess.run(_cmd(out, *INPUTS), cwd=PROJECT_DIR, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return _documents(out / "store")


def _assert_clear(done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert done.stderr.strip(), "failed without a message"


def _assert_whole(store: Path, clean: dict[str, int]) -> None:
    docs = _documents(store)
    for graph, triples in docs.items():
        assert clean.get(graph) == triples, (
            f"{graph}: {triples} triples, clean build {clean.get(graph)}"
        )


@pytest.mark.parametrize("stagger", [0.0, 0.5, 2.0])
def test_two_builds_into_one_store(stagger: float, clean: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.Popen(_cmd(out, *INPUTS), cwd=PROJECT_DIR, stderr=subprocess.PIPE, text=True)
    time.sleep(stagger)
    second = subprocess.Popen(
        _cmd(out, *INPUTS), cwd=PROJECT_DIR, stderr=subprocess.PIPE, text=True
    )
    results = []
    for proc in (first, second):
        _, err = proc.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, "", err))
    for done in results:
        _assert_clear(done)
    assert any(done.returncode == 0 for done in results), [r.stderr for r in results]
    locked = [r for r in results if r.returncode != 0]
    for r in locked:
        assert "lock" in r.stderr.lower() or "store" in r.stderr.lower(), r.stderr
    _assert_whole(out / "store", clean)
    assert _documents(out / "store") == clean
    again = subprocess.run(_cmd(out, *INPUTS), cwd=PROJECT_DIR, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


def test_a_build_while_a_reader_holds_the_store(clean: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.run(_cmd(out, str(SEED)), cwd=PROJECT_DIR, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = _documents(out / "store")
    with CorpusStore.open(out / "store") as reader:
        seen = {d.graph for d in reader.documents()}
        done = subprocess.run(
            _cmd(out, *INPUTS), cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600
        )
        _assert_clear(done)
        if done.returncode != 0:
            assert "lock" in done.stderr.lower(), done.stderr
        # the reader still reads what it saw, whole
        assert {d.graph for d in reader.documents()} >= seen
    _assert_whole(out / "store", clean)
    assert set(before) <= set(_documents(out / "store"))
    again = subprocess.run(_cmd(out, *INPUTS), cwd=PROJECT_DIR, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert _documents(out / "store") == clean


def test_a_reader_during_a_build_gets_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(_cmd(out, *INPUTS), cwd=PROJECT_DIR, stderr=subprocess.PIPE, text=True)
    outcomes: set[str] = set()
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if (out / "store").exists():
                try:
                    with CorpusStore.open(out / "store") as cs:
                        cs.documents()
                    outcomes.add("read")
                except StoreLockedError as exc:
                    assert "\n" not in str(exc)
                    outcomes.add("locked")
                except InputError as exc:  # the folder exists, the store is not made yet
                    assert "\n" not in str(exc)
                    outcomes.add("not yet")
            time.sleep(0.2)
    finally:
        _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert outcomes  # the loop ran while the build did
