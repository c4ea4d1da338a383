"""Outputs are old or new, never partial: failures injected mid-write, builds killed.

1. In process: every writer (export's graph files, render's page, publish) gets a
   failure halfway through writing its file; the old file must be intact and no
   temporary file left beside it.
2. A real `resgraph build` runs with a file-size limit (RLIMIT_FSIZE: a write past
   the limit fails, as on a full disk), at several limits.
3. A real `resgraph build` is killed with SIGKILL at several moments.

After 2 and 3 every output file is byte-identical to the old build's or a complete
new one (it parses and has the new build's triple count), the store opens with
every earlier document intact, and a rebuild completes.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rdflib
from conftest import PROJECT_DIR, SEED, TEXT_DIR

from resgraph.errors import OutputError

GRAPH_FILES = ("graph.ttl", "graph.jsonld", "graph.nt", "graph.trig")
PAGE = "network.html"
OUTPUTS = (*GRAPH_FILES, PAGE)
NEW_INPUTS = (str(SEED), str(TEXT_DIR))
_RDFLIB = {"graph.ttl": "turtle", "graph.jsonld": "json-ld", "graph.nt": "nt", "graph.trig": "trig"}


# -- 1. in process ------------------------------------------------------------------------


def _half_then_fail(path: Path, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with open(path, "wb") as fh:
        fh.write(data[: max(1, len(data) // 2)])
    raise OSError(errno.ENOSPC, "No space left on device (injected)")


@pytest.fixture(scope="module")
def seed_dataset() -> rdflib.Dataset:
    from resgraph.pipeline import build

    return build([SEED], validate=False).dataset


def _export(ds: rdflib.Dataset, out: Path) -> list[Path]:
    from resgraph.export import export_dataset

    return export_dataset(ds, out)


def _render(ds: rdflib.Dataset, out: Path) -> list[Path]:
    from resgraph.network import to_network
    from resgraph.render import render_network

    render_network(to_network(ds), out / PAGE, title="t")
    return [out / PAGE]


def _publish(ds: rdflib.Dataset, out: Path) -> list[Path]:
    from resgraph.export import publish_graph_file

    src = out.parent / "src.trig"
    if not src.exists():
        ds.serialize(destination=str(src), format="trig", encoding="utf-8")
    pub = publish_graph_file(src, out)
    return [p for p in out.rglob("*") if p.is_file()] if pub else []


WRITERS: dict[str, Callable[[rdflib.Dataset, Path], list[Path]]] = {
    "export": _export,
    "render": _render,
    "publish": _publish,
}


def _inject(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way the writers put bytes in a file now writes half and fails."""

    def serialize(self: Any, destination: Any = None, *args: Any, **kwargs: Any) -> Any:
        if destination is None:
            return original_serialize(self, destination, *args, **kwargs)
        out = original_serialize(self, None, *args, **{**kwargs, "encoding": "utf-8"})
        _half_then_fail(Path(str(destination)), out)
        return None

    original_serialize = rdflib.Graph.serialize
    monkeypatch.setattr(rdflib.Graph, "serialize", serialize)
    monkeypatch.setattr(Path, "write_text", lambda self, text, *a, **k: _half_then_fail(self, text))
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: _half_then_fail(self, data))
    import pyoxigraph as ox

    original_ox_serialize = ox.serialize

    def ox_serialize(input: Any, output: Any = None, *args: Any, **kwargs: Any) -> Any:
        if output is None or not isinstance(output, str | Path):
            return original_ox_serialize(input, output, *args, **kwargs)
        _half_then_fail(Path(output), original_ox_serialize(input, None, *args, **kwargs) or b"")
        return None

    monkeypatch.setattr(ox, "serialize", ox_serialize)


@pytest.mark.parametrize("writer", list(WRITERS), ids=list(WRITERS))
def test_a_failure_mid_write_leaves_the_old_file(
    writer: str,
    seed_dataset: rdflib.Dataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    written = WRITERS[writer](seed_dataset, out)
    assert written
    old = {p: p.read_bytes() for p in written}
    _inject(monkeypatch)
    with pytest.raises(OutputError) as info:
        WRITERS[writer](seed_dataset, out)
    assert "\n" not in str(info.value)
    monkeypatch.undo()
    for path, data in old.items():
        assert path.read_bytes() == data, f"{path.name} changed"
    leftovers = [p.name for p in out.rglob(".*") if p.is_file()]
    assert leftovers == []


# -- 2. and 3. a real build ---------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    old: Path  # an out folder after building the seed
    old_bytes: dict[str, bytes]
    old_documents: dict[str, int]  # graph -> triples
    new_counts: dict[str, int]  # graph file -> triples after building everything
    new_documents: int
    new_page: bytes
    seconds: float  # how long the new build took


def _cmd(out: Path, *inputs: str) -> list[str]:
    return [sys.executable, "-m", "resgraph", "build", *inputs, "--out", str(out), "-q"]


def _run(out: Path, *inputs: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _cmd(out, *inputs), cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600
    )


def _documents(out: Path) -> dict[str, int]:
    from resgraph.corpus_store import CorpusStore

    with CorpusStore.open(out / "store") as cs:
        return {d.graph: d.triples for d in cs.documents()}


def _triples(path: Path) -> int:
    if path.name == "graph.trig":
        ds = rdflib.Dataset()
        ds.parse(str(path), format="trig")
        return len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})
    return len(rdflib.Graph().parse(str(path), format=_RDFLIB[path.name]))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    root = tmp_path_factory.mktemp("atomic")
    old = root / "old"
    assert _run(old, str(SEED)).returncode == 0
    new = root / "new"
    shutil.copytree(old, new)
    start = time.perf_counter()
    done = _run(new, *NEW_INPUTS)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    return Reference(
        old=old,
        old_bytes={n: (old / n).read_bytes() for n in OUTPUTS},
        old_documents=_documents(old),
        new_counts={n: _triples(new / n) for n in GRAPH_FILES},
        new_documents=len(_documents(new)),
        new_page=(new / PAGE).read_bytes(),
        seconds=seconds,
    )


def _check_outputs(ref: Reference, out: Path, *, killed: bool = False) -> dict[str, str]:
    """Each output is 'old' or 'new'; anything else fails the test.

    A process killed between creating its temporary file and moving it into place
    cannot remove it: after a kill a hidden `.<name>.*.tmp` may stay beside the
    outputs (never under an output's own name), and nothing else.
    """
    states: dict[str, str] = {}
    for name in OUTPUTS:
        data = (out / name).read_bytes()
        if data == ref.old_bytes[name]:
            states[name] = "old"
        elif name == PAGE:
            # not byte-compared: the page's template may change while this runs (others
            # edit it); a partial page is cut short and cannot end with its closing tag
            assert data.rstrip().endswith(b"</html>"), f"{name}: partial"
            assert b'id="rg-data"' in data and len(data) > len(ref.new_page) // 2, name
            states[name] = "new"
        else:
            assert _triples(out / name) == ref.new_counts[name], f"{name}: partial"
            states[name] = "new"
    # the build's own mark that the files in --out may lag the store (cli._run_build)
    leftovers = [p.name for p in out.glob(".*") if p.is_file() and p.name != ".export-pending"]
    if killed:
        leftovers = [n for n in leftovers if not n.endswith(".tmp")]
    assert leftovers == [], f"temporary files left: {leftovers}"
    return states


def _check_store_and_rebuild(ref: Reference, out: Path) -> None:
    docs = _documents(out)
    for graph, triples in ref.old_documents.items():
        assert docs.get(graph) == triples, f"{graph} lost or changed"
    done = _run(out, *NEW_INPUTS)
    assert done.returncode == 0, done.stderr
    assert len(_documents(out)) == ref.new_documents
    # the rebuild refreshes every file, even when the interrupted build had already
    # committed every document (the store is unchanged; .export-pending says the files lag)
    assert _check_outputs(ref, out, killed=True) == dict.fromkeys(OUTPUTS, "new")
    assert not (out / ".export-pending").exists()


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.4, 0.6, 0.8, 0.95])
def test_a_killed_build_leaves_old_or_new_outputs(
    fraction: float, reference: Reference, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference.old, out)
    proc = subprocess.Popen(
        _cmd(out, *NEW_INPUTS),
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches its workers too
    )
    time.sleep(reference.seconds * fraction)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    _check_outputs(reference, out, killed=True)
    _check_store_and_rebuild(reference, out)


def _limit_file_size(limit: int) -> Callable[[], None]:
    def preexec() -> None:
        # past the limit a write fails with EFBIG (as on a full disk) instead of a signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


@pytest.mark.parametrize("limit", [4_096, 65_536, 400_000])
def test_a_build_on_a_full_disk_leaves_old_or_new_outputs(
    limit: int, reference: Reference, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference.old, out)
    done = subprocess.run(
        _cmd(out, *NEW_INPUTS),
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_limit_file_size(limit),
    )
    if done.returncode != 0:
        # a clear message, not a traceback or a crash
        assert done.returncode > 0, f"crashed ({done.returncode}): {done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        assert done.stderr.strip(), "failed without a word"
    _check_outputs(reference, out)
    _check_store_and_rebuild(reference, out)
