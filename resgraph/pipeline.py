"""The whole flow: read -> parse -> resolve -> to RDF, over many inputs.

One straight road (DESIGN.md §1); every stage is one call below. A file
that fails is reported with its name and the problem and the others still
build.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import multiprocessing
import os
import sqlite3
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Protocol

from rdflib import Dataset

from .corpus_store import CorpusStore, NewDocument, StoredDocument
from .errors import InputError, OutputError, ResgraphError, WorkerError
from .ids import DEFAULT_BASE, graph_iri, normalise_symbol
from .model import Resolution, SourceFormat, SourceText
from .parse.cite import find_citations, load_derived
from .parse.resolve import resolve_citations
from .parse.segment import segment
from .read import DEFAULT_MAX_BYTES, read_source
from .to_rdf import document_key, document_nquads, document_to_graph, merge_datasets
from .validate import Findings, ShapeResult, ValidationReport

# what a folder given as input contributes
INPUT_SUFFIXES = (".txt", ".xml")


class _Parser(Protocol):
    def __call__(self, source: SourceText, *, strict: bool = False) -> Resolution: ...


def _parse_akn(source: SourceText, *, strict: bool = False) -> Resolution:
    """parse.akn.parse_akn, imported when an XML input comes (its 1,200 lines cost a
    process that rebuilds one text document 30-70 ms)."""
    from .parse.akn import parse_akn

    return parse_akn(source, strict=strict)


# stage 2 by input format: both give the same document model
PARSERS: dict[SourceFormat, _Parser] = {"text": segment, "akn4un": _parse_akn}


@dataclass(frozen=True)
class BuildError:
    """One input that could not be built: its name and a one-line reason."""

    source: str
    message: str


@dataclass(frozen=True)
class Summary:
    """Counts printed after a build."""

    documents: int = 0
    clauses: dict[str, int] = field(default_factory=dict)
    footnotes: int = 0
    citations: dict[str, int] = field(default_factory=dict)
    unresolved: int = 0
    triples: int = 0
    errors: int = 0
    validated: bool = False  # the shapes and checks ran
    shape_violations: int = 0  # SHACL results (ontology/shapes.ttl)
    findings: dict[str, int] = field(default_factory=dict)  # rows per consistency check


@dataclass(frozen=True)
class BuildResult:
    """The dataset (one named graph per document), the parsed documents and the failures."""

    dataset: Dataset
    documents: tuple[Resolution, ...]
    errors: tuple[BuildError, ...]
    shapes: ValidationReport | None = None  # None: not validated
    findings: Findings | None = None  # rows of queries/checks/*-violation.rq

    def summary(self) -> Summary:
        """Counts of what was built."""
        clauses: Counter[str] = Counter()
        citations: Counter[str] = Counter()
        # a work in parts (AKN "A-B") keeps its clauses, footnotes and citations in its parts
        units = [d for top in self.documents for d in (top, *top.parts)]
        for doc in units:
            clauses.update(c.kind for c in doc.clauses)
            citations.update(c.kind for c in doc.citations)
        return Summary(
            documents=len(self.documents),
            clauses=dict(sorted(clauses.items())),
            footnotes=sum(len(d.footnotes) for d in units),
            citations=dict(sorted(citations.items())),
            unresolved=sum(len(d.unresolved) for d in units),
            triples=len(self.dataset),
            errors=len(self.errors),
            validated=self.shapes is not None,
            shape_violations=len(self.shapes.results) if self.shapes else 0,
            findings=dict(self.findings.counts) if self.findings else {},
        )


def parse_document(
    path: str | Path,
    *,
    data: bytes | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
) -> Resolution:
    """Read, segment, find and resolve the citations of one input."""
    source = read_source(path, data=data, encoding=encoding, max_bytes=max_bytes)
    parser = PARSERS.get(source.format)
    if parser is None:
        raise InputError(source.name, f"{source.format} input is not supported yet")
    return _cite(parser(source, strict=strict), strict)


def _cite(res: Resolution, strict: bool) -> Resolution:
    """Find and resolve citations in a document and in each of its parts."""
    res = resolve_citations(find_citations(res), strict=strict)
    if res.parts:
        res = replace(res, parts=tuple(_cite(p, strict) for p in res.parts))
    if not res.links:
        return res
    from .parse.akn import add_link_citations

    # the source's own links (AKN4UN) where the text patterns missed a resolution
    return add_link_citations(res)


def build(
    inputs: Iterable[str | Path],
    *,
    base: str = DEFAULT_BASE,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
    validate: bool = True,
) -> BuildResult:
    """Build the graph of every input file (folders are searched for *.txt and *.xml)."""
    documents: list[Resolution] = []
    errors: list[BuildError] = []
    built_from: dict[str, str] = {}
    graphs: list[Dataset] = []
    for path in expand_inputs(inputs, errors):
        try:
            doc = parse_document(path, encoding=encoding, max_bytes=max_bytes, strict=strict)
            key = doc.heading.symbol or doc.source.sha256
            if key in built_from:
                raise InputError(str(path), f"{key} was already built from {built_from[key]}")
            graph = document_to_graph(doc, base=base)
        except ResgraphError as exc:
            errors.append(BuildError(str(path), _one_line(exc)))
            continue
        built_from[key] = str(path)
        documents.append(doc)
        graphs.append(graph)
    dataset = merge_datasets(graphs)
    if not validate or not documents:
        return BuildResult(dataset, tuple(documents), tuple(errors))
    # shapes and checks over the union, once: every document is in it, pySHACL's fixed cost
    # is paid once, and a node shared by documents (a cited resolution) is checked whole
    from .validate import run_findings, validate_graph

    shapes, findings = validate_graph(dataset), run_findings(dataset)
    return BuildResult(dataset, tuple(documents), tuple(errors), shapes, findings)


def expand_inputs(inputs: Iterable[str | Path], errors: list[BuildError]) -> Iterator[Path]:
    """Files as given; folders searched recursively for inputs, in sorted order."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = [Path(p) for p, _ in _sorted_files(path)]
            if not found:
                errors.append(BuildError(str(path), "folder holds no input files (*.txt, *.xml)"))
            yield from found
        else:
            yield path


def _sorted_files(folder: Path) -> list[tuple[str, str]]:
    """(path, resolved path) of every input file under a folder, in Path order."""
    return [(path, source) for path, source, _ in _listed(folder, stat=False)]


def _listed(folder: Path, *, stat: bool) -> list[tuple[str, str, tuple[int, int] | None]]:
    """(path, resolved path, (size, mtime_ns) or None) of every input file under a folder,
    in Path order; the stat (`stat=True`) is the followed link's, as os.stat gives it.

    One scandir per folder, its entries sorted by name and a subfolder listed in its
    place: the order of comparing whole paths part by part (names in one folder differ,
    so the first part that differs decides), without splitting 20,000 paths to sort.
    """
    out: list[tuple[str, str, tuple[int, int] | None]] = []
    _list_into(out, str(folder), str(folder.resolve()), stat)
    return out


def _list_into(
    out: list[tuple[str, str, tuple[int, int] | None]], here: str, resolved: str, stat: bool
) -> None:
    """The inputs of one folder and its subfolders, in order (see `_listed`).

    The folder is resolved once and a file's resolved path is the folder's plus its name,
    unless the file is a symbolic link: the same as Path.resolve() per file, without its
    per-file system calls (20,000 files: 1.4 s -> 0.1 s).
    """
    try:
        with os.scandir(here) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return  # an unreadable folder holds nothing we can build
    # os.path.join(resolved, name), without its per-call checks
    prefix = resolved if resolved.endswith(os.sep) else resolved + os.sep
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            # as Path.rglob: a linked folder is not entered (a link to a parent loops)
            if not entry.is_symlink():
                _list_into(out, entry.path, prefix + name, stat)
        elif _is_input_name(name) and entry.is_file():
            real = os.path.realpath(entry.path) if entry.is_symlink() else None
            seen: tuple[int, int] | None = None
            if stat:
                try:
                    st = entry.stat()
                    seen = (st.st_size, st.st_mtime_ns)
                except OSError:
                    pass  # gone since listed: the reader says so
            out.append((entry.path, real or prefix + name, seen))


def _is_input_name(name: str) -> bool:
    """`os.path.splitext(name)[1].lower() in INPUT_SUFFIXES`, at a seventh of its cost (a
    folder of 20,000 inputs: 22 -> 3 ms).

    >>> [_is_input_name(n) for n in ["a.TXT", ".txt", "..xml", "a.md", "..b.x.xml", "xml"]]
    [True, False, False, False, True, False]
    """
    dot = name.rfind(".")
    # as splitext: the dots a name starts with do not begin its extension
    return dot > 0 and name[dot:].lower() in INPUT_SUFFIXES and name[:dot].lstrip(".") != ""


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# -- building into the corpus store -------------------------------------------------------

# glob characters: an input holding one that names no file is a pattern we expand ourselves
_GLOB_CHARS = frozenset("*?[")
STDIN = "-"


@dataclass(frozen=True)
class InputItem:
    """One input of a build: its name for messages, its manifest key, its bytes if from stdin."""

    name: str  # as reported ("<stdin>" for standard input)
    source: str  # the manifest key: the absolute path, or "-" for standard input
    data: bytes | None = None
    stat: tuple[int, int] | None = None  # (size, mtime_ns) when listed from a folder


def collect_inputs(
    inputs: Iterable[str | Path], errors: list[BuildError], stdin: IO[bytes] | None = None
) -> list[InputItem]:
    """Files, folders (searched for *.txt and *.xml), globs and `-` (standard input).

    Globs are expanded here, so a quoted pattern works too ("in/**/*.xml"); each file
    is taken once, in the order given (folders and globs in sorted order).
    """
    return [InputItem(*found) for found in _collect(inputs, errors, stdin)]


# an input as `_collect` finds it: InputItem's fields (name, source, data, stat), a plain
# tuple (20,000 frozen dataclasses cost a rebuild 0.1 s; only the changed inputs get one)
_Found = tuple[str, str, bytes | None, tuple[int, int] | None]


def _collect(
    inputs: Iterable[str | Path], errors: list[BuildError], stdin: IO[bytes] | None = None
) -> list[_Found]:
    """`collect_inputs`, as tuples."""
    items: list[_Found] = []
    seen: set[str] = set()

    def add(path: Path | str) -> None:
        source = str(Path(path).resolve())
        if source not in seen:
            seen.add(source)
            items.append((str(path), source, None, None))

    for item in inputs:
        text = str(item)
        path = Path(text)
        if text == STDIN:
            reader = stdin if stdin is not None else sys.stdin.buffer
            items.append(("<stdin>", STDIN, reader.read(), None))
        elif path.is_dir():
            # stat while listing: DirEntry has the path at hand (`_plan` compares the stats)
            in_folder = _listed(path, stat=True)
            if not in_folder:
                errors.append(BuildError(str(path), "folder holds no input files (*.txt, *.xml)"))
            before = len(items)
            for file, source, stat in in_folder:
                if source not in seen:
                    seen.add(source)
                    items.append((file, source, None, stat))
            if len(items) == before and in_folder:
                errors.append(BuildError(str(path), "folder holds no new input files"))
        elif not path.exists() and _GLOB_CHARS & set(text):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True))
            files = [p for p in found if p.is_file()]
            for p in found:
                if p.is_dir():
                    files += sorted(
                        q
                        for q in p.rglob("*")
                        if q.is_file() and q.suffix.lower() in INPUT_SUFFIXES
                    )
            if not files:
                errors.append(BuildError(text, "no file matches this pattern"))
            for p in files:
                add(p)
        else:
            add(path)  # a missing file is reported by the reader, with the others
    return items


@dataclass(frozen=True)
class DocCounts:
    """What one built document holds (for the build summary)."""

    clauses: Mapping[str, int]
    footnotes: int
    citations: Mapping[str, int]
    unresolved: int


@dataclass(frozen=True)
class BuiltDocument:
    """A worker's result: the document ready for the store, its counts, its shape results."""

    name: str
    document: NewDocument
    counts: DocCounts
    shapes: tuple[ShapeResult, ...] | None  # None: not validated by the worker


@dataclass(frozen=True)
class _Task:
    item: InputItem
    data: bytes | None
    sha256: str
    base: str
    encoding: str | None
    max_bytes: int
    strict: bool
    validate: bool  # run pySHACL on this document in the worker
    stat: tuple[int, int] | None = None  # (size, mtime_ns) to record, when safe to trust


def _counts(res: Resolution) -> DocCounts:
    units = [res, *res.parts]
    clauses: Counter[str] = Counter()
    citations: Counter[str] = Counter()
    for doc in units:
        clauses.update(c.kind for c in doc.clauses)
        citations.update(c.kind for c in doc.citations)
    return DocCounts(
        clauses=dict(clauses),
        footnotes=sum(len(d.footnotes) for d in units),
        citations=dict(citations),
        unresolved=sum(len(d.unresolved) for d in units),
    )


def build_one(task: _Task) -> BuiltDocument | BuildError:
    """Read, parse, map and serialise one input (what a worker process does)."""
    name = task.item.name
    try:
        doc = parse_document(
            name,
            data=task.data,
            encoding=task.encoding,
            max_bytes=task.max_bytes,
            strict=task.strict,
        )
        key = document_key(doc)
        # the N-Quads straight from the mapping: no rdflib graph in between (9 -> 1.3 ms)
        quads = document_nquads(doc, base=task.base)
        shapes = None
        if task.validate:
            from .validate import validate_graph

            shapes = validate_graph(document_to_graph(doc, base=task.base)).results
        new = NewDocument(
            graph=graph_iri(key, task.base),
            symbol=key,
            source=task.item.source,
            sha256=task.sha256,
            nquads=quads.nquads,
            triples=quads.triples,
            texts=quads.texts,
            size=task.stat[0] if task.stat else None,
            mtime_ns=task.stat[1] if task.stat else None,
        )
        return BuiltDocument(name, new, _counts(doc), shapes)
    except ResgraphError as exc:
        return BuildError(name, _one_line(exc))
    except Exception as exc:  # a bug met on one file must not stop a corpus build
        return BuildError(name, f"internal error: {type(exc).__name__}: {_one_line(exc)}")


@dataclass(frozen=True)
class StoreBuild:
    """The outcome of `build_store`: what changed, what failed, and the store as it stands."""

    store: Path
    built: tuple[BuiltDocument, ...]
    skipped: tuple[str, ...]  # inputs unchanged since they were built (same source and hash)
    removed: tuple[StoredDocument, ...]
    errors: tuple[BuildError, ...]
    documents: int  # in the store after the build
    triples: int  # distinct triples in the store after the build
    shapes: ValidationReport | None = None  # of the built documents; None: not validated
    findings: Findings | None = None  # the consistency checks over the whole store

    @property
    def changed(self) -> bool:
        """Something was written to or removed from the store."""
        return bool(self.built or self.removed)

    def summary(self) -> Summary:
        """Counts of the documents built in this run (the store totals are fields)."""
        clauses: Counter[str] = Counter()
        citations: Counter[str] = Counter()
        for b in self.built:
            clauses.update(b.counts.clauses)
            citations.update(b.counts.citations)
        return Summary(
            documents=len(self.built),
            clauses=dict(sorted(clauses.items())),
            footnotes=sum(b.counts.footnotes for b in self.built),
            citations=dict(sorted(citations.items())),
            unresolved=sum(b.counts.unresolved for b in self.built),
            triples=self.triples,
            errors=len(self.errors),
            validated=self.shapes is not None,
            shape_violations=len(self.shapes.results) if self.shapes else 0,
            findings=dict(self.findings.counts) if self.findings else {},
        )


Progress = Callable[[int, int, str], None]  # (done, total, current input name)

# a write to the store every this many documents or quads (bulk loads want big batches)
_BATCH_DOCUMENTS = 1_000  # 2,000 generated documents: 48 -> 37 s, against batches of 200
_BATCH_QUADS = 1_000_000
_COMPACT_AFTER = 100  # documents built in one run
# documents given to the workers and not yet taken by the writer: a batch and some, so the
# workers go on while a batch is written
_IN_FLIGHT = _BATCH_DOCUMENTS + 256
# one bulk load of a big build keeps ~2.3 GB in flight; with less memory available, the
# spool is loaded in parts of this many bytes (~400,000 quads: one sorting batch each)
_LOADER_MEMORY = 3 * 2**30
_LOW_MEMORY_PART = 80 * 2**20


def build_store(
    inputs: Iterable[str | Path],
    store: str | Path,
    *,
    base: str = DEFAULT_BASE,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
    validate: bool = True,
    jobs: int | None = None,
    prune: bool = False,
    low_memory: bool | None = None,
    progress: Progress | None = None,
    stdin: IO[bytes] | None = None,
) -> StoreBuild:
    """Build inputs into the corpus store at `store`: only what changed, in parallel.

    An input with the same source path and content hash as its manifest row is
    skipped unread by the parser; a changed one replaces its own graph only.
    Workers (`jobs` processes, default os.cpu_count()) read, parse, map and
    serialise; this process alone writes the store. A failing input is reported
    and the others still build. `prune` removes the documents whose source file
    is gone. Shapes run over the built documents, the checks over the whole store.
    `low_memory` loads a big build in parts (`CorpusStore.deferred_load`); None: when
    less memory is available than one bulk load may take.

    Raises:
        StoreLockedError: another process is using the store.
    """
    errors: list[BuildError] = []
    items = _collect(inputs, errors, stdin)
    if low_memory is None:
        available = _memory_available()
        low_memory = available is not None and available < _LOADER_MEMORY
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    shapes_in_store = validate and _validate_store_available()
    # before the workers fork, which then have it too; kept beside the manifest, so a
    # fresh store's folder is made first (else only the next build would keep it)
    with contextlib.suppress(OSError):  # CorpusStore.open says what is wrong with it
        Path(store).mkdir(parents=True, exist_ok=True)
    load_derived(Path(store) / _PATTERNS_CACHE)
    # fork the workers before the store opens: a child must not inherit RocksDB's threads
    pool = _pool(jobs) if jobs > 1 and len(items) > 1 else None
    try:
        with CorpusStore.open(store, write=True) as cs:
            planned, skipped = _plan(cs, items, errors, base, encoding, max_bytes, strict)
            # a task holds its input's bytes: each is let go once sent (20,000 inputs held
            # 235 MB through the whole build)
            tasks = deque(replace(t, validate=validate and not shapes_in_store) for t in planned)
            del planned
            total = len(tasks)
            if pool is not None and total <= 1:
                # one input to build (a rebuild after one change): built here, as fast (a
                # worker compiles the patterns cold just the same) without the hand-offs
                pool.shutdown()
                pool = None

            def unpaced() -> Iterator[_Task]:
                while tasks:
                    yield tasks.popleft()

            results: Iterable[BuiltDocument | BuildError] = (
                _built_by(pool, tasks, _IN_FLIGHT) if pool else map(build_one, unpaced())
            )
            # many documents: index their texts in one pass at the end (see bulk_text_index);
            # at least as many as the store holds: load them all at once (deferred_load)
            stored = cs.count_documents()
            bulk = total >= max(_COMPACT_AFTER, stored // 4)
            defer = total >= max(_COMPACT_AFTER, stored)
            with (
                cs.bulk_text_index() if bulk else contextlib.nullcontext(),
                cs.deferred_load(chunk_bytes=_LOW_MEMORY_PART if low_memory else None, compact=True)
                if defer
                else contextlib.nullcontext(),
            ):
                built = _write(cs, results, total, errors, progress)
                if pool is not None:
                    # every result is in: the workers go before the deferred load, which
                    # is the build's peak of memory
                    pool.shutdown()
            removed = _prune(cs) if prune else []
            if len(built) >= _COMPACT_AFTER:
                # bulk loads leave overlapping files, even one big load (it sorts in
                # chunks): one compaction makes the queries and dumps that follow faster
                # (ga75: a dump 25 s -> 9.5 s; 20,000 generated documents: a two-pattern
                # join 75 s -> 4 s); a deferred load started it already: the store's
                # triples are counted (and kept) meanwhile
                if cs.compacting:
                    cs.triple_count()
                cs.optimize()
            shapes = None
            if validate:
                shapes = (
                    _validate(cs, built, shapes_in_store, jobs)
                    if built
                    else ValidationReport(conforms=True, results=())
                )
            findings = _findings(cs, jobs) if validate else None
            return StoreBuild(
                store=Path(store),
                built=tuple(built),
                skipped=tuple(skipped),
                removed=tuple(removed),
                errors=tuple(errors),
                documents=cs.count_documents(),
                triples=cs.triple_count(),
                shapes=shapes,
                findings=findings,
            )
    except (OSError, sqlite3.Error) as exc:
        # the store could not be written (a full disk, a read-only file): one line, not a
        # traceback; the rows left pending and the store's dirty mark repair it next time
        raise OutputError(f"{store}: cannot write the store: {_one_line(exc)}") from exc
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


# a control group's memory limit and use (a container's): cgroup v2, then v1
_CGROUP_MEMORY = (
    ("sys/fs/cgroup/memory.max", "sys/fs/cgroup/memory.current"),
    ("sys/fs/cgroup/memory/memory.limit_in_bytes", "sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def _memory_available(root: str = "/") -> int | None:
    """Bytes of memory a new process may still take: Linux's MemAvailable, or less when
    the control group it runs in (a container's limit) leaves less; None if unknown."""
    found: list[int] = []
    try:
        with open(os.path.join(root, "proc/meminfo"), encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in _CGROUP_MEMORY:
        try:
            with open(os.path.join(root, limit_file), encoding="ascii") as f:
                limit = f.read().strip()
            with open(os.path.join(root, usage_file), encoding="ascii") as f:
                usage = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:  # "max", or v1's page-rounded 2**63
            found.append(max(0, int(limit) - usage))
    return min(found) if found else None


def _built_by(
    pool: ProcessPoolExecutor, tasks: deque[_Task], window: int
) -> Iterator[BuiltDocument | BuildError]:
    """The tasks built by the pool's workers, in order.

    At most `window` tasks are out at once: workers that outrun the writer must not pile
    every document up in memory. A worker that dies (the kernel's out-of-memory killer,
    a signal) breaks the pool and stops the build with one line, instead of waiting
    forever for the document it held.
    """
    running: deque[tuple[str, Future[BuiltDocument | BuildError]]] = deque()
    while tasks or running:
        while tasks and len(running) < window:
            task = tasks.popleft()
            running.append((task.item.name, pool.submit(build_one, task)))
        name, future = running.popleft()
        try:
            result = future.result()
        except BrokenProcessPool as exc:
            raise WorkerError(
                f"a build worker process died (killed: out of memory?) while building {name}"
                f" or one of the {len(running)} documents after it; the build stopped"
            ) from exc
        yield result


def _findings(cs: CorpusStore, jobs: int) -> Findings:
    """The checks over the whole store (a conflict between documents is found whichever of
    them was built in this run); kept in the manifest until the store next changes.

    After a small change only the rows the change can reach are computed again
    (`check_index`: the rows are kept by key beside the manifest).
    """
    kept = cs.cached("findings")
    if kept is not None:
        return Findings(json.loads(kept))
    from .check_index import run_checks_incrementally

    checks = run_checks_incrementally(cs, jobs=jobs)
    counts = {n.removeprefix("checks/"): len(r) for n, r in checks}
    cs.keep("findings", json.dumps(counts))
    return Findings(counts)


def _pool(jobs: int) -> ProcessPoolExecutor:
    """`jobs` worker processes, started now: before the store opens, whose RocksDB threads
    a forked child must not inherit."""
    # fork where there is one: the children share the imported modules, no start-up cost
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(jobs, mp_context=ctx)
    pool.submit(int).result()  # forked workers all start with the first task
    return pool


def _plan(
    cs: CorpusStore,
    items: list[_Found],
    errors: list[BuildError],
    base: str,
    encoding: str | None,
    max_bytes: int,
    strict: bool,
) -> tuple[list[_Task], list[str]]:
    """Which inputs to build: those whose bytes differ from what the manifest recorded.

    An input whose size and modification time are those recorded is skipped unread (as
    git and rsync do); otherwise its bytes are hashed and compared.
    """
    tasks: list[_Task] = []
    skipped: list[str] = []
    # the recorded stats in one narrow read (20,000 rows: ~54 -> ~35 ms); a source's rows
    # are read only when its stat differs
    recorded = cs.source_stats()
    touched: list[tuple[str, int, int]] = []
    # an mtime this recent may not change on a write within the same clock tick: such a
    # file is compared by its hash next time, never by its stat
    trusted_before = time.time_ns() - 2_000_000_000
    for name, source, given, stat in items:
        data = given
        known = source != STDIN and source in recorded
        if data is None:
            try:
                # a folder's files were stat'ed as it was listed, before `trusted_before`
                # was taken: as safe as a stat here (the bytes are read after either)
                if stat is None:
                    st = os.stat(source)
                    stat = (st.st_size, st.st_mtime_ns)
                if known:
                    vouched = recorded[source]
                    if (
                        stat == vouched
                        if vouched is not None
                        else all(
                            sha and (size, mtime) == stat
                            for sha, size, mtime in cs.source_rows(source)
                        )
                    ):
                        skipped.append(name)
                        continue
                if stat[0] <= max_bytes:
                    data = Path(source).read_bytes()
            except OSError:
                data = None  # the reader says why (no such file, a folder, no permission)
        item = InputItem(name, source, given)
        if data is None:
            tasks.append(_Task(item, None, "", base, encoding, max_bytes, strict, False))
            continue
        if stat is not None and stat[1] >= trusted_before:
            stat = None
        sha = hashlib.sha256(data).hexdigest()
        rows = cs.source_rows(source) if known else []
        if rows and all(r_sha == sha for r_sha, _, _ in rows):
            skipped.append(name)
            if stat is not None:
                touched.append((source, *stat))  # touched, not changed: trust it next time
            continue
        tasks.append(_Task(item, data, sha, base, encoding, max_bytes, strict, False, stat))
    cs.record_stats(touched)
    return tasks, skipped


def _write(
    cs: CorpusStore,
    results: Iterable[BuiltDocument | BuildError],
    total: int,
    errors: list[BuildError],
    progress: Progress | None,
) -> list[BuiltDocument]:
    """Put built documents into the store in batches; refuse a symbol built twice.

    A batch is written on a second thread while the next one gathers: Oxigraph's bulk
    load runs without the GIL, and the writer, not the workers, is what a corpus build
    waits for. One batch is written at a time, in order.
    """
    built: list[BuiltDocument] = []
    batch: list[BuiltDocument] = []
    built_from: dict[str, str] = {}
    # graph -> source as before this build wrote anything: every row read once (not a
    # query per document), or one document's own row when it is the only one (20,000
    # rows: 20-30 ms)
    held: Callable[[str], str | None] = cs.graph_sources().get if total > 1 else cs.graph_source
    quads = 0
    writing: tuple[Future[None], list[BuiltDocument]] | None = None

    def wait() -> None:
        nonlocal writing
        if writing is not None:
            future, docs = writing
            writing = None
            future.result()  # its error, if any, stops the build here
            built.extend(_written(b) for b in docs)

    with ThreadPoolExecutor(1, thread_name_prefix="store-writer") as writer:
        try:
            for done, result in enumerate(results, 1):
                if progress is not None:
                    name = result.name if isinstance(result, BuiltDocument) else ""
                    progress(done, total, name)
                if isinstance(result, BuildError):
                    errors.append(result)
                    continue
                doc = result.document
                other = built_from.get(doc.graph) or _held_elsewhere(held(doc.graph), doc)
                if other is not None:
                    errors.append(
                        BuildError(
                            result.name,
                            f"{result.name}: {doc.symbol} was already built from {other}",
                        )
                    )
                    continue
                built_from[doc.graph] = result.name
                batch.append(result)
                quads += doc.triples
                if len(batch) >= _BATCH_DOCUMENTS or quads >= _BATCH_QUADS:
                    wait()
                    writing = writer.submit(cs.put_documents, [b.document for b in batch]), batch
                    batch, quads = [], 0
            wait()
            if batch:
                cs.put_documents([b.document for b in batch])
                built.extend(_written(b) for b in batch)
        finally:
            if writing is not None:
                writing[0].exception()  # an error elsewhere: let the running write finish
    return built


def _written(b: BuiltDocument) -> BuiltDocument:
    """A document once in the store: its quads and texts are let go (20,000 of them held
    1.3 GB until the build ended)."""
    return replace(b, document=replace(b.document, nquads=b"", texts=None))


def _held_elsewhere(source: str | None, doc: NewDocument) -> str | None:
    """The other, still existing source file this document's graph was built from, if any."""
    if source is None or source in (doc.source, STDIN) or doc.source == STDIN:
        return None
    # a renamed or deleted file gives its graph up; a file still there keeps it
    return source if Path(source).is_file() else None


def _prune(cs: CorpusStore) -> list[StoredDocument]:
    """Remove the documents whose source file no longer exists."""
    gone = [d for d in cs.documents() if d.source != STDIN and not Path(d.source).is_file()]
    cs.remove_documents(d.graph for d in gone)
    return gone


def remove_from_store(
    store: str | Path, names: Iterable[str]
) -> tuple[list[StoredDocument], list[str]]:
    """Remove documents named by symbol, graph IRI or source path; return (removed, unknown)."""
    removed: list[StoredDocument] = []
    unknown: list[str] = []
    with CorpusStore.open(store, write=True) as cs:
        for name in names:
            rows = (
                cs.by_symbol(normalise_symbol(name))
                or cs.by_source(str(Path(name).resolve()))
                or [d for d in [cs.document(name)] if d is not None]
            )
            if not rows:
                unknown.append(name)
                continue
            cs.remove_documents(r.graph for r in rows)
            removed += rows
    return removed, unknown


def _validate_store_available() -> bool:
    from . import validate

    return hasattr(validate, "validate_store")


# what the citation patterns derive from their files, kept beside the manifest (see
# cite.load_derived: a process that parses one document spent ~0.2 s computing it)
_PATTERNS_CACHE = "patterns-derived.json"

# the compiled shapes kept beside the manifest (validate.validate_store: 0.2-0.5 s a build
# process spent parsing and compiling them)
_SHAPES_CACHE = "shapes-compiled.json"


def _validate(
    cs: CorpusStore, built: list[BuiltDocument], in_store: bool, jobs: int = 1
) -> ValidationReport:
    """The shapes over the built documents: compiled to SPARQL on the store, else pySHACL's."""
    if in_store:
        from .validate import validate_store

        graphs = [b.document.graph for b in built]
        # one pass over the whole store is cheaper than a long VALUES list of graphs; the
        # workers are done, so the shape queries run on `jobs` threads (Oxigraph evaluates
        # without the GIL: 2,000 generated documents 15.1 s -> 7.6 s on 2 cores)
        return validate_store(
            cs.ox,
            None if 2 * len(graphs) >= cs.count_documents() else graphs,
            jobs=jobs,
            cache=cs.path / _SHAPES_CACHE,
        )
    results = tuple(r for b in built for r in (b.shapes or ()))
    return ValidationReport(
        not any(r.severity == "Violation" for r in results),
        tuple(sorted(results, key=lambda r: (r.shape, r.focus, r.path or ""))),
    )
