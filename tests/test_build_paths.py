"""The corpus build's fast paths give the same store as the plain ones.

A big build into a small store spools its documents and loads them at once, and indexes
their texts in one pass; an unchanged input is skipped by its size and mtime; the store's
distinct-triple count and the checks' findings are kept until the store changes. Each is
compared here with what the plain path gives.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEED, TEST_DATA_DIR

from bench import gen_corpus
from resgraph import corpus_store, pipeline, store
from resgraph.corpus_store import CorpusStore, NewDocument

GA75_FEW = sorted((TEST_DATA_DIR / "akn4un" / "ga75").glob("*.xml"))[:2]
AN_HOUR = 3600 * 10**9


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    gen_corpus.generate(12, folder, seed=11)
    (folder / "manifest.json").unlink()
    shutil.copy(SEED, folder / "seed.txt")
    for p in GA75_FEW:
        shutil.copy(p, folder / p.name)
    return folder


def _contents(path: Path) -> dict[str, object]:
    """Everything a store holds, built_at and row order aside."""
    with CorpusStore.open(path) as cs:
        quads = sorted(str(q) for q in cs.ox.quads_for_pattern(None, None, None, None))
        db = cs._db
        rows = sorted(db.execute("SELECT graph, symbol, source, sha256, triples FROM documents"))
        texts = sorted(db.execute("SELECT graph, iri, kind, body FROM texts"))
        hits = sorted(h.iri for h in cs.search("migrants", limit=1000))
        most_cited = store.run_query(cs, "most-cited-instruments", {"limit": "50"})
        return {
            "quads": quads,
            "rows": rows,
            "texts": texts,
            "search": hits,
            "most-cited": [tuple(map(str, r)) for r in most_cited.rows],
            "triples": cs.triple_count(),
            "len": len(cs),
        }


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "two-workers"])
def test_deferred_load_gives_the_store_a_plain_build_gives(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(pipeline, "_COMPACT_AFTER", 10**6)  # plain: batch by batch
    plain = pipeline.build_store([corpus], tmp_path / "plain", validate=False, jobs=jobs)
    monkeypatch.setattr(pipeline, "_COMPACT_AFTER", 1)  # deferred load, one FTS rebuild
    monkeypatch.setattr(pipeline, "_BATCH_DOCUMENTS", 3)  # several batches into the spool
    fast = pipeline.build_store([corpus], tmp_path / "fast", validate=False, jobs=jobs)
    assert len(fast.built) == len(plain.built) == 15
    assert fast.triples == plain.triples
    want, got = _contents(tmp_path / "plain"), _contents(tmp_path / "fast")
    assert got["search"] and got["most-cited"]
    assert got == want
    assert not (tmp_path / "fast" / "spool.nq").exists()


@pytest.mark.parametrize(
    ("low_memory", "available", "in_parts"),
    [(None, 2**20, True), (True, 2**40, True), (None, 2**40, False), (False, 2**20, False)],
    ids=["auto-little-memory", "asked", "auto-enough-memory", "refused"],
)
def test_a_low_memory_build_loads_its_spool_in_parts_and_gives_the_same_store(
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    low_memory: bool | None,
    available: int,
    in_parts: bool,
) -> None:
    monkeypatch.setattr(pipeline, "_COMPACT_AFTER", 10**6)
    pipeline.build_store([corpus], tmp_path / "plain", validate=False, jobs=1)
    monkeypatch.setattr(pipeline, "_COMPACT_AFTER", 1)
    monkeypatch.setattr(pipeline, "_LOW_MEMORY_PART", 50_000)  # a part every few documents
    monkeypatch.setattr(pipeline, "_memory_available", lambda: available)
    parts: list[int] = []
    real_next_part = corpus_store._next_part

    def next_part(start: int, ends: list[int]) -> int:
        parts.append(start)
        return real_next_part(start, ends)

    monkeypatch.setattr(corpus_store, "_next_part", next_part)
    pipeline.build_store(
        [corpus], tmp_path / "parts", validate=False, jobs=1, low_memory=low_memory
    )
    if in_parts:
        assert len(parts) > 4  # the last call reads nothing
    else:
        assert parts == []
    assert _contents(tmp_path / "parts") == _contents(tmp_path / "plain")


@pytest.mark.parametrize(
    ("files", "available"),
    [
        ({"proc/meminfo": "MemTotal: 8000 kB\nMemAvailable: 5000 kB\n"}, 5000 * 1024),
        (
            {
                "proc/meminfo": "MemAvailable: 5000 kB\n",
                "sys/fs/cgroup/memory.max": "3000000\n",
                "sys/fs/cgroup/memory.current": "1000000\n",
            },
            2_000_000,
        ),
        (
            {
                "proc/meminfo": "MemAvailable: 5000 kB\n",
                "sys/fs/cgroup/memory.max": "max\n",
                "sys/fs/cgroup/memory.current": "1000000\n",
            },
            5000 * 1024,
        ),
        (
            {
                "sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
                "sys/fs/cgroup/memory/memory.usage_in_bytes": "1000\n",
            },
            None,
        ),
        (
            {
                "sys/fs/cgroup/memory/memory.limit_in_bytes": "4096\n",
                "sys/fs/cgroup/memory/memory.usage_in_bytes": "5000\n",
            },
            0,
        ),
        ({}, None),
    ],
    ids=[
        "meminfo",
        "cgroup-v2-less",
        "cgroup-v2-max",
        "cgroup-v1-unlimited",
        "cgroup-v1-full",
        "none",
    ],
)
def test_the_memory_a_build_may_take_is_the_least_of_the_system_and_its_cgroup(
    tmp_path: Path, files: dict[str, str], available: int | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="ascii")
    assert pipeline._memory_available(str(tmp_path)) == available


def test_an_error_in_a_deferred_load_leaves_pending_rows_and_no_texts(
    corpus: Path, tmp_path: Path
) -> None:
    files = sorted(corpus.glob("A_RES_*.txt"))[:2]
    docs = [_new(p) for p in files]
    with CorpusStore.open(tmp_path / "s", write=True) as cs:
        with pytest.raises(RuntimeError), cs.deferred_load():
            cs.put_documents(docs)
            raise RuntimeError("a worker failed")
        assert all(d.pending for d in cs.documents())
        assert cs._db.execute("SELECT COUNT(*) FROM texts").fetchone()[0] == 0
        assert not list(cs.ox.quads_for_pattern(None, None, None, None))
    assert not (tmp_path / "s" / "spool.nq").exists()
    # the next build rebuilds the pending documents
    result = pipeline.build_store(files, tmp_path / "s", validate=False, jobs=1)
    assert len(result.built) == 2
    with CorpusStore.open(tmp_path / "s") as cs:
        assert not any(d.pending for d in cs.documents())
        assert cs._db.execute("SELECT COUNT(*) FROM texts").fetchone()[0] > 0


@pytest.mark.parametrize("waited", [True, False], ids=["optimize-waits", "close-waits"])
def test_a_deferred_load_compacts_on_a_thread_and_the_store_waits_for_it(
    corpus: Path, tmp_path: Path, waited: bool
) -> None:
    docs = [_new(p) for p in sorted(corpus.glob("A_RES_*.txt"))[:4]]
    with CorpusStore.open(tmp_path / "s", write=True) as cs:
        with cs.deferred_load(compact=True):
            cs.put_documents(docs)
        assert cs.compacting  # started by the load, not waited for yet
        assert len(cs) > 0  # the store is read meanwhile
        if waited:
            cs.optimize()
            assert not cs.compacting
    with CorpusStore.open(tmp_path / "s") as cs:
        got = sorted(str(q) for q in cs.ox.quads_for_pattern(None, None, None, None))
        assert not any(d.pending for d in cs.documents())
    with CorpusStore.open(tmp_path / "plain", write=True) as cs:
        cs.put_documents(docs)
        assert not cs.compacting
        want = sorted(str(q) for q in cs.ox.quads_for_pattern(None, None, None, None))
    assert got == want


def _new(path: Path) -> NewDocument:
    from resgraph.ids import graph_iri
    from resgraph.to_rdf import document_key, document_nquads

    doc = pipeline.parse_document(path)
    q = document_nquads(doc)
    key = document_key(doc)
    return NewDocument(graph_iri(key), key, str(path), "0" * 64, q.nquads, q.triples, q.texts)


def test_inputs_are_skipped_by_size_and_mtime_and_rebuilt_when_either_changes(
    corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    old = time.time_ns() - AN_HOUR
    for p in folder.iterdir():
        os.utime(p, ns=(old, old))  # old enough for its stat to be trusted
    first = pipeline.build_store([folder], tmp_path / "s", validate=False, jobs=1)
    assert len(first.built) == 15
    with CorpusStore.open(tmp_path / "s") as cs:
        stats = {src: rows for src, rows in cs.sources().items()}
    assert all(
        size is not None and mtime == old for rows in stats.values() for _, size, mtime in rows
    )
    target = sorted(folder.glob("A_RES_*.txt"))[0]
    # touched, same bytes: compared by hash, skipped, and its new stat recorded
    os.utime(target, ns=(old + 10**9, old + 10**9))
    second = pipeline.build_store([folder], tmp_path / "s", validate=False, jobs=1)
    assert not second.built and len(second.skipped) == 15
    with CorpusStore.open(tmp_path / "s") as cs:
        ((_, _, mtime),) = cs.sources()[str(target.resolve())]
    assert mtime == old + 10**9
    # same size, other bytes, other mtime: rebuilt
    data = target.read_bytes()
    i = data.index(b"Recalling") if b"Recalling" in data else data.index(b"General")
    target.write_bytes(data[:i] + data[i : i + 9].swapcase() + data[i + 9 :])
    third = pipeline.build_store([folder], tmp_path / "s", validate=False, jobs=1)
    assert [b.document.source for b in third.built] == [str(target.resolve())]


def test_findings_and_the_triple_count_are_kept_until_the_store_changes(
    corpus: Path, tmp_path: Path
) -> None:
    files = sorted(corpus.glob("*.txt"))
    first = pipeline.build_store(files, tmp_path / "s", jobs=1)
    assert first.findings is not None and first.findings.counts
    with CorpusStore.open(tmp_path / "s") as cs:
        assert cs.cached("findings") is not None and cs.cached("triples") is not None
    again = pipeline.build_store(files, tmp_path / "s", jobs=1)
    assert not again.built and again.findings == first.findings
    assert again.triples == first.triples
    # a small change: the count is moved triple by triple, the findings computed again
    docs = [_new(p) for p in files[:2]]
    with CorpusStore.open(tmp_path / "s", write=True) as cs:
        cs.put_documents(docs)  # the same graphs, built again (other hashes)
        assert cs.cached("findings") is None
        assert cs.cached("triples") is not None
        assert cs.triple_count() == len(cs)
        edited = NewDocument(
            docs[0].graph,
            docs[0].symbol,
            docs[0].source,
            "1" * 64,
            b"".join(docs[0].nquads.splitlines(keepends=True)[::2]),  # every other quad
            0,
        )
        cs.put_documents([edited])
        assert cs.triple_count() == len(cs)
        cs.remove_document(docs[1].graph)
        assert cs.triple_count() == len(cs)
        count = ox.Store.__len__(cs.ox)
        assert count > 0


def test_a_spool_left_by_a_crash_is_removed_on_the_next_writable_open(tmp_path: Path) -> None:
    with CorpusStore.open(tmp_path / "s", write=True):
        pass
    (tmp_path / "s" / "spool.nq").write_bytes(b"<a:s> <a:p> <a:o> <a:g> .\n")
    with CorpusStore.open(tmp_path / "s", write=True) as cs:
        assert not list(cs.ox.quads_for_pattern(None, None, None, None))
    assert not (tmp_path / "s" / "spool.nq").exists()


def test_folders_are_listed_as_rglob_and_resolve_would(tmp_path: Path) -> None:
    """scandir with one resolve per folder: the same inputs, sources and order as before."""
    from resgraph.pipeline import collect_inputs

    root = tmp_path / "in"
    (root / "b" / "c").mkdir(parents=True)
    for name in ["b/c/z.txt", "b/a.xml", "y.TXT", "x.txt", "notes.md"]:
        (root / name).write_text("x")
    (root / "b" / "loop").symlink_to(root)  # a linked folder is not entered
    (root / "link.txt").symlink_to(root / "b" / "a.xml")  # the same file twice: once
    errors: list[pipeline.BuildError] = []
    items = collect_inputs([root], errors)
    suffixes = pipeline.INPUT_SUFFIXES
    want: list[tuple[str, str]] = []
    for p in sorted(q for q in root.rglob("*") if q.is_file() and q.suffix.lower() in suffixes):
        if str(p.resolve()) not in {s for _, s in want}:
            want.append((str(p), str(p.resolve())))
    assert [(i.name, i.source) for i in items] == want
    assert not errors and len(items) == 4
