"""The consistency checks run incrementally (resgraph/check_index.py) give the rows of a
full run, row by row, after any sequence of small changes.

The corpus: generated resolutions (bench/gen_corpus.py, a fixed seed) and real ones
(the seed, the plain-text exports, AKN4UN files with a work in parts, treaties, Ibid.).
Each step edits, removes or restores one file with a seeded random mutation, rebuilds
the store, and compares the incremental rows of every check with a full run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Set
from pathlib import Path

import jsonschema
import pytest

from resgraph import check_index
from resgraph.check_index import CheckFile, Scope, load_scope, run_checks_incrementally
from resgraph.corpus_store import CorpusStore, NewDocument
from resgraph.pipeline import build_store
from resgraph.store import QueryResult, list_checks, run_checks
from tests.conftest import SEED, TEST_DATA_DIR, TEXT_DIR

REPO = Path(__file__).resolve().parents[1]
CHECKS_DIR = REPO / "queries" / "checks"
AKN_DIR = TEST_DATA_DIR / "akn4un" / "ga75"
# a work in parts (A-B), two parts filed apart, treaties in footnotes, Ibid. chains
AKN_FILES = (
    "75_101A-B_E.xml",
    "75_290 A_E.xml",
    "75_290 B_E.xml",
    "75_109_E.xml",
    "75_117_E.xml",
    "75_124_E.xml",
    "75_125_E.xml",
    "75_126_E.xml",
    "75_144_E.xml",
)
GENERATED = 30

Rows = dict[str, list[str]]


# -- the corpus and the store ------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus folder, made once (each test copies it)."""
    corpus = tmp_path_factory.mktemp("checks") / "corpus"
    gen = [sys.executable, str(REPO / "bench" / "gen_corpus.py"), str(GENERATED), str(corpus)]
    subprocess.run([*gen, "--seed", "7"], check=True, capture_output=True)
    (corpus / "manifest.json").unlink(missing_ok=True)
    for path in [SEED, *sorted(TEXT_DIR.glob("*.txt")), *(AKN_DIR / n for n in AKN_FILES)]:
        shutil.copy(path, corpus / path.name)
    return corpus


@pytest.fixture
def work(base_corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the corpus and its store."""
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    shutil.copytree(base_corpus, corpus)
    build_store([corpus], store, jobs=1, validate=False)
    return corpus, store


def rows_of(results: list[tuple[str, QueryResult]]) -> Rows:
    """Each check's rows, as sorted reprs (a multiset: duplicates count)."""
    return {name: sorted(repr(r) for r in result.rows) for name, result in results}


def rebuild(corpus: Path, store: Path) -> None:
    build_store([corpus], store, jobs=1, validate=False, prune=True)


# -- the mutations: each edits one file (or removes / restores one) ------------------------------

_YEAR_RE = re.compile(r"\b(?:19[5-9]|20[0-2])\d\b")
_SYMBOL_RE = re.compile(r"\b(?:[5-8]\d)/\d{1,3}\b")
_VOLUME_RE = re.compile(r"\bvol\. (\d+)")
_FOOTNOTE_RE = re.compile(r"^(\d{1,2}) (?=\S)", re.MULTILINE)


def _replace(rng: random.Random, text: str, pattern: re.Pattern[str], new: str) -> str | None:
    found = list(pattern.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    return text[: m.start()] + new + text[m.end() :]


def shift_year(rng: random.Random, text: str, symbols: list[str]) -> str | None:
    """A date a year or more off: an adoption date, or a date stated with a citation."""
    found = list(_YEAR_RE.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    return text[: m.start()] + str(int(m.group()) + rng.choice((-2, -1, 1, 3))) + text[m.end() :]


def cite_other(rng: random.Random, text: str, symbols: list[str]) -> str | None:
    """A cited resolution replaced by another of the corpus (perhaps a later one)."""
    return _replace(rng, text, _SYMBOL_RE, rng.choice(symbols))


def change_volume(rng: random.Random, text: str, symbols: list[str]) -> str | None:
    """A Treaty Series volume changed (two treaties may now share a volume)."""
    return _replace(rng, text, _VOLUME_RE, f"vol. {rng.choice((1577, 2225, 660, 999, 1465))}")


def drop_volume(rng: random.Random, text: str, symbols: list[str]) -> str | None:
    """A treaty's series reference without its volume."""
    return _replace(rng, text, re.compile(r"\bvol\. \d+, "), "")


def renumber_footnote(rng: random.Random, text: str, symbols: list[str]) -> str | None:
    """A footnote numbered off (a gap, a marker without its footnote)."""
    found = list(_FOOTNOTE_RE.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    return text[: m.start()] + f"{int(m.group(1)) + 2} " + text[m.end() :]


def ibid(rng: random.Random, text: str, symbols: list[str]) -> str | None:
    """A source replaced by "Ibid." (perhaps with no antecedent)."""
    return _replace(
        rng, text, re.compile(r"United Nations, Treaty Series|Official Records"), "Ibid."
    )


EDITS: tuple[Callable[[random.Random, str, list[str]], str | None], ...] = (
    shift_year,
    shift_year,
    cite_other,
    cite_other,
    change_volume,
    drop_volume,
    renumber_footnote,
    ibid,
)


def mutate(rng: random.Random, corpus: Path, removed: dict[str, str], symbols: list[str]) -> str:
    """Apply one random change to the corpus; say what it was."""
    roll = rng.random()
    if removed and roll < 0.15:
        name = rng.choice(sorted(removed))
        (corpus / name).write_text(removed.pop(name), encoding="utf-8")
        return f"restore {name}"
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".xml"))
    if roll < 0.25:
        path = rng.choice(files)
        removed[path.name] = path.read_text(encoding="utf-8")
        path.unlink()
        return f"remove {path.name}"
    for _ in range(50):
        path, edit = rng.choice(files), rng.choice(EDITS)
        text = path.read_text(encoding="utf-8")
        new = edit(rng, text, symbols)
        if new is not None and new != text:
            path.write_text(new, encoding="utf-8")
            return f"{edit.__name__} {path.name}"
    return "nothing"


def corpus_symbols(corpus: Path) -> list[str]:
    found = {
        m.group() for p in corpus.iterdir() for m in _SYMBOL_RE.finditer(p.name.replace("_", "/"))
    }
    return sorted(found) or ["70/1"]


def drop_rule(scope: Scope, i: int) -> Scope:
    return dataclasses.replace(scope, rules=scope.rules[:i] + scope.rules[i + 1 :])


def mutants() -> Iterator[tuple[str, str, Scope]]:
    """(id, check, the check's scope without one of its rules)."""
    for q in list_checks():
        scope = load_scope(q)
        if scope is None or len(scope.rules) < 2:
            continue
        for i in range(len(scope.rules)):
            yield f"{q.name.removeprefix('checks/')}-without-rule-{i}", q.name, drop_rule(scope, i)


# -- tests -----------------------------------------------------------------------------------


@pytest.fixture
def full_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the checks run in full from now on."""
    names: list[str] = []
    full = check_index._full

    def counted(cs: CorpusStore, query: CheckFile, scope: Scope | None) -> object:
        names.append(query.name)
        return full(cs, query, scope)

    monkeypatch.setattr(check_index, "_full", counted)
    return names


@pytest.mark.parametrize("seed", [1, 2], ids=["seed-1", "seed-2"])
def test_incremental_rows_equal_a_full_run(
    seed: int, work: tuple[Path, Path], full_runs: list[str]
) -> None:
    """After each random change to the corpus the kept-and-recomputed rows are the full
    run's rows, and no check ran in full after the first."""
    corpus, store = work
    with CorpusStore.open(store, write=True) as cs:
        run_checks_incrementally(cs)
    assert len(full_runs) == len(list_checks())
    full_runs.clear()
    rng, symbols = random.Random(seed), corpus_symbols(corpus)
    removed: dict[str, str] = {}
    moved, before = 0, None
    for step in range(8):
        what = mutate(rng, corpus, removed, symbols)
        rebuild(corpus, store)
        with CorpusStore.open(store, write=True) as cs:
            expected = rows_of(run_checks(cs))
            got = rows_of(run_checks_incrementally(cs, jobs=2 if step % 2 else 1))
        assert got == expected, f"step {step}: {what}"
        moved += before is not None and expected != before
        before = expected
    assert full_runs == []
    assert moved, "no change moved a row: the test would prove nothing"


def test_a_check_without_scope_runs_in_full(quick_tmp: Path, full_runs: list[str]) -> None:
    name = "checks/cited-date-not-adoption-date-violation"
    world = World(5)
    with CorpusStore.open(quick_tmp / "store", write=True) as cs:
        world.load(cs)
        run_checks_incrementally(cs, scopes={name: None})
        full_runs.clear()
        for _ in range(3):
            world.step(cs)
            got = rows_of(run_checks_incrementally(cs, scopes={name: None}))
            assert got == rows_of(run_checks(cs))
    assert full_runs == [name] * 3


@pytest.mark.parametrize(
    "change",
    ["many-documents", "scope-changed", "updated-outside"],
    ids=["many-documents", "scope-changed", "updated-outside"],
)
def test_fallback_to_a_full_run(
    change: str, quick_tmp: Path, full_runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big change, another version of a check's scope, or a write the store did not
    follow: the next run is a full one (and right)."""
    world = World(9)
    scopes = None
    with CorpusStore.open(quick_tmp / "store", write=True) as cs:
        world.load(cs)
        run_checks_incrementally(cs)
        full_runs.clear()
        if change == "many-documents":
            monkeypatch.setattr(check_index, "MAX_CHANGED_DOCUMENTS", 2)
            for _ in range(3):
                world.step(cs)
            expected_full = [q.name for q in list_checks()]
        elif change == "scope-changed":
            name = "checks/footnote-without-anchor-violation"
            scope = load_scope(next(q for q in list_checks() if q.name == name))
            assert scope is not None
            scopes = {name: dataclasses.replace(scope, fingerprint="another version")}
            world.step(cs)
            expected_full = [name]
        else:
            world.step(cs)
            cs.updated_outside()
            expected_full = [q.name for q in list_checks()]
        got = rows_of(run_checks_incrementally(cs, scopes=scopes))
        assert got == rows_of(run_checks(cs))
    assert sorted(full_runs) == sorted(expected_full)


def test_build_findings_follow_a_change(work: tuple[Path, Path]) -> None:
    """`resgraph build` (validated) reports the counts of a full run after a change."""
    corpus, store = work
    build_store([corpus], store, jobs=1)  # keeps the rows
    rng = random.Random(3)
    for _ in range(3):
        mutate(rng, corpus, {}, corpus_symbols(corpus))
        result = build_store([corpus], store, jobs=1)
        assert result.findings is not None
        with CorpusStore.open(store) as cs:
            counts = {n.removeprefix("checks/"): len(r) for n, r in run_checks(cs)}
        assert dict(result.findings.counts) == counts


SCHEMA = json.loads((CHECKS_DIR / "scope.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "path", sorted(CHECKS_DIR.glob("*.scope.json")), ids=lambda p: p.name.split(".")[0]
)
def test_scope_files(path: Path) -> None:
    """Each scope file matches the schema, belongs to a check, keys a column of it, and
    its patterns parse (the check's prefixes)."""
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), SCHEMA)
    check = path.with_name(path.name.removesuffix(".scope.json") + ".rq")
    assert check.is_file()
    query = next(q for q in list_checks() if q.path == check)
    scope = load_scope(query)
    assert scope is not None
    from resgraph.store import _prepare

    assert f"?{scope.key}" in query.text.split("WHERE")[0]
    for rule in scope.rules:
        if rule.keys is not None:
            _prepare(f"{scope.prologue}SELECT ?key WHERE {{ {rule.keys} }}", str(path))
    restricted = check_index._restricted(query.text, scope, ["https://example.org/a"])
    _prepare(restricted, str(path))


def test_every_shipped_check_is_scoped() -> None:
    assert [q.name for q in list_checks() if load_scope(q) is None] == []


# -- a random world at the level of the store ------------------------------------------------
#
# Documents written straight as N-Quads over a small set of shared nodes (resolutions with
# dates, works in parts, treaties, volumes), each document's graph a random subset of the
# triples it could hold: every check finds rows, and rows appear and go with changes to
# other documents, which the parsed corpus above seldom does. Fast (no parsing), so many
# steps, and every scope rule can be shown to be needed.

_ID = "https://w3id.org/resgraph/id/"
_P = {
    "a": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "rg": "https://w3id.org/resgraph/ontology#",
    "eli": "http://data.europa.eu/eli/ontology#",
}
WORLD_DOCS = [f"doc/A/RES/1/{i}" for i in range(7)]
WORLD_WORKS = ["doc/A/RES/1/100", "doc/A/RES/1/101"]
WORLD_TREATIES = ["treaty/t0", "treaty/t1", "treaty/t2"]
WORLD_VOLUMES = ["unts/vol/10", "unts/vol/20"]
WORLD_DATES = ["2001-01-01", "2002-02-02", "2003-03-03"]


def _term(value: str) -> str:
    if value.startswith("rg:") or value.startswith("eli:"):
        prefix, local = value.split(":", 1)
        return f"<{_P[prefix]}{local}>"
    if value == "a":
        return f"<{_P['a']}>"
    if value.startswith("date:"):
        return f'"{value[5:]}"^^<http://www.w3.org/2001/XMLSchema#date>'
    if value.startswith("int:"):
        return f'"{value[4:]}"^^<http://www.w3.org/2001/XMLSchema#integer>'
    if value.startswith('"'):
        return value
    return f"<{_ID}{value}>"


def world_pool(d: int) -> list[tuple[str, str, str]]:
    """Every triple document `d` may hold (its own nodes, and what it says of others)."""
    doc = WORLD_DOCS[d]
    other = [x for x in WORLD_DOCS if x != doc]
    pool: list[tuple[str, str, str]] = [(doc, "a", "rg:Resolution")]
    pool += [(doc, "eli:date_document", f"date:{x}") for x in WORLD_DATES]
    pool += [(doc, "eli:is_part_of", w) for w in WORLD_WORKS]
    for c in range(2):
        clause = f"{doc}/op/{c}"
        pool += [(clause, "a", "rg:OperativeParagraph"), (clause, "eli:is_part_of", doc)]
        pool += [(f"{clause}/a", "a", "rg:SubParagraph"), (f"{clause}/a", "eli:is_part_of", clause)]
    for f in (1, 2, 3):
        fn = f"{doc}/fn/{f}"
        pool += [
            (fn, "a", "rg:Footnote"),
            (fn, "rg:marker", f'"{f}"'),
            (fn, "rg:marker", f'"{f + 2}"'),
        ]
        pool += [(fn, "eli:is_part_of", doc), (fn, "eli:is_part_of", WORLD_WORKS[f % 2])]
        pool += [(fn, "rg:anchoredIn", f"{doc}/op/0"), (fn, "rg:anchoredIn", f"{doc}/op/1/a")]
        pool += [(fn, "rg:anchoredIn", f"{other[f]}/op/0")]
    for k in range(3):
        cit = f"{doc}/cit/{k}"
        pool += [
            (cit, "a", "rg:Citation"),
            (cit, "rg:citingDocument", doc),
            (cit, "rg:citedText", '"x"'),
        ]
        pool += [(cit, "rg:citingDocument", WORLD_WORKS[k % 2])]
        pool += [(cit, "rg:cited", other[k]), (cit, "rg:cited", other[k + 3])]
        pool += [(cit, "rg:cited", WORLD_TREATIES[k]), (cit, "rg:cited", f"{other[k]}/op/0")]
        pool += [(cit, "rg:citedDate", f"date:{x}") for x in WORLD_DATES[:2]]
        pool += [(cit, "rg:citedVolume", v) for v in WORLD_VOLUMES]
    for r in other[:3]:
        pool += [(r, "a", "rg:Resolution"), (r, "eli:date_document", f"date:{WORLD_DATES[d % 3]}")]
    for i, t in enumerate(WORLD_TREATIES):
        pool += [(t, "a", "rg:Treaty"), (t, "rg:inVolume", WORLD_VOLUMES[i % 2])]
        pool += [(t, "rg:untsRegistrationNumber", f'"{n}"') for n in ("1", "2")]
        pool += [(t, "rg:untsPage", f"int:{n}") for n in (5, 6)]
    for u, reason in (
        (f"{doc}/unresolved/1", "ibid-without-antecedent"),
        (f"{doc}/unresolved/2", "treaty-without-series-reference"),
    ):
        pool += [(u, "a", "rg:UnresolvedReference"), (u, "rg:reason", f'"{reason}"')]
        pool += [
            (u, "rg:citingDocument", doc),
            (u, "rg:viaFootnote", f"{doc}/fn/1"),
            (u, "rg:citedText", '"y"'),
        ]
    return pool


def world_document(d: int, facts: set[tuple[str, str, str]]) -> NewDocument:
    graph = _ID + "graph/" + WORLD_DOCS[d]
    lines = sorted(f"{_term(s)} {_term(p)} {_term(o)} <{graph}> .\n" for s, p, o in facts)
    data = "".join(lines).encode()
    digest = hashlib.sha256(data).hexdigest()
    return NewDocument(graph, WORLD_DOCS[d], f"/world/{d}", digest, data, len(lines))


class World:
    """The documents' current facts, changed one random step at a time."""

    def __init__(self, seed: int, density: float = 0.35) -> None:
        self.rng = random.Random(seed)
        self.pools = [world_pool(d) for d in range(len(WORLD_DOCS))]
        self.facts = [{t for t in pool if self.rng.random() < density} for pool in self.pools]
        self.present = set(range(len(WORLD_DOCS)))

    def load(self, cs: CorpusStore) -> None:
        cs.put_documents([world_document(d, self.facts[d]) for d in sorted(self.present)])

    def step(self, cs: CorpusStore) -> str:
        d = self.rng.randrange(len(WORLD_DOCS))
        roll = self.rng.random()
        if d in self.present and roll < 0.08:
            self.present.discard(d)
            cs.remove_documents([_ID + "graph/" + WORLD_DOCS[d]])
            return f"remove {d}"
        if d not in self.present:
            self.present.add(d)
            cs.put_documents([world_document(d, self.facts[d])])
            return f"restore {d}"
        flips = self.rng.sample(self.pools[d], self.rng.randint(1, 4))
        self.facts[d] ^= set(flips)
        cs.put_documents([world_document(d, self.facts[d])])
        return f"flip {d}: {flips}"


@pytest.fixture
def quick_tmp(tmp_path: Path) -> Iterator[Path]:
    """A folder in memory when there is one: the random worlds write the store at every
    step, and a disk's flushes would make them ten times slower."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="resgraph-test-") as folder:
        yield Path(folder)


@pytest.mark.parametrize(
    ("seed", "density"),
    [(0, 0.2), (1, 0.35), (2, 0.5), (3, 0.35)],
    ids=[f"world-{s}" for s in range(4)],
)
def test_random_world_incremental_equals_full(seed: int, density: float, quick_tmp: Path) -> None:
    """Row by row, after each of many random changes to the triples of a small world."""
    world = World(seed, density)
    with CorpusStore.open(quick_tmp / "store", write=True) as cs:
        world.load(cs)
        run_checks_incrementally(cs)
        seen: set[str] = set()
        for step in range(60):
            what = world.step(cs)
            expected = rows_of(run_checks(cs))
            got = rows_of(run_checks_incrementally(cs))
            assert got == expected, f"step {step}: {what}"
            seen |= {n for n, rows in expected.items() if rows}
    # most checks found rows at some point: the comparison was not of empty results (the
    # scenarios and test_every_scope_rule_is_needed show each rule at work)
    assert len(seen) >= 6, seen


# Scenarios a random world seldom builds: each is a store before and after one change that
# only one rule of a scope can follow (the rule's id is the scenario's id).
_C = "rg:cited"
_V = "rg:citedVolume"
_IN = "rg:citingDocument"
_PART = "eli:is_part_of"
_D1, _D2, _D3, _W = "doc/A/RES/1/1", "doc/A/RES/1/2", "doc/A/RES/1/3", "doc/A/RES/1/100"
_T0, _T1, _T2, _VOL = "treaty/t0", "treaty/t1", "treaty/t2", "unts/vol/10"
_UNTS = {
    _D1: {("c1", _C, _T0), ("c1", _V, _VOL), (_T0, "rg:untsRegistrationNumber", '"1"')},
    _D2: {("c2", _C, _T1), ("c2", _V, _VOL), (_T1, "rg:untsRegistrationNumber", '"2"')},
}
_TREATY = {
    _D1: {("c1", _IN, _D1), ("c1", _C, _T0), (_T0, "rg:inVolume", _VOL)},
    _D2: {("c2", _IN, _D2), ("c2", _C, _T0), ("c2", _V, _VOL)},
}
_F1, _F3 = _D2 + "/fn/1", _D2 + "/fn/3"
_FOOTNOTES = {
    _D1: {
        (_D2, _PART, _W),
        (_F1, "a", "rg:Footnote"),
        (_F1, "rg:marker", '"1"'),
        (_F1, _PART, _D2),
    },
    _D2: {(_F3, "a", "rg:Footnote"), (_F3, "rg:marker", '"3"'), (_F3, _PART, _D2)},
}


def _with(
    base: dict[str, set[tuple[str, str, str]]],
    doc: str,
    add: Set[tuple[str, str, str]] = frozenset(),
    drop: Set[tuple[str, str, str]] = frozenset(),
) -> dict[str, set[tuple[str, str, str]]]:
    changed = {d: set(f) for d, f in base.items()}
    changed[doc] = (changed.get(doc, set()) | set(add)) - set(drop)
    return changed


SCENARIOS = {
    # a footnote's marker changes (its part stays): the group of its part
    "footnote-marker-without-footnote-violation-without-rule-0": (
        {_D1: {(_F1, "a", "rg:Footnote"), (_F1, "rg:marker", '"1"'), (_F1, _PART, _D2)}},
        {_D1: {(_F1, "a", "rg:Footnote"), (_F1, "rg:marker", '"3"'), (_F1, _PART, _D2)}},
    ),
    # a citation's treaty changes, its volume stays: the volume it cites
    "unts-volume-with-two-registration-numbers-violation-without-rule-0": (
        _UNTS,
        _with(_UNTS, _D1, {("c1", _C, _T2)}, {("c1", _C, _T0)}),
    ),
    # a citation gone whole: the volume it cited
    "unts-volume-with-two-registration-numbers-violation-without-rule-1": (
        _UNTS,
        _with(_UNTS, _D1, set(), {("c1", _C, _T0), ("c1", _V, _VOL)}),
    ),
    # another document gives a treaty another registration number
    "unts-volume-with-two-registration-numbers-violation-without-rule-2": (
        _UNTS,
        _with(
            _UNTS,
            _D2,
            {(_T1, "rg:untsRegistrationNumber", '"1"')},
            {(_T1, "rg:untsRegistrationNumber", '"2"')},
        ),
    ),
    # a document loses its only citation of a treaty (not a part of a work)
    "treaty-without-series-reference-violation-without-rule-1": (
        _TREATY,
        _with(_TREATY, _D1, set(), {("c1", _IN, _D1), ("c1", _C, _T0)}),
    ),
    # a sibling part loses the citation that gave the volume
    "treaty-without-series-reference-violation-without-rule-2": (
        _with(_with(_TREATY, _D1, {(_D1, _PART, _W)}), _D2, {(_D2, _PART, _W)}),
        _with(
            _with(_TREATY, _D1, {(_D1, _PART, _W)}),
            _D2,
            {(_D2, _PART, _W)},
            {("c2", _IN, _D2), ("c2", _C, _T0), ("c2", _V, _VOL)},
        ),
    ),
    # a part leaves its work (and its sibling that gave the volume)
    "treaty-without-series-reference-violation-without-rule-3": (
        _with(_with(_TREATY, _D1, {(_D1, _PART, _W)}), _D2, {(_D2, _PART, _W)}),
        _with(_TREATY, _D2, {(_D2, _PART, _W)}),
    ),
    # a sibling that gives the volume joins the work
    "treaty-without-series-reference-violation-without-rule-4": (
        _with(_TREATY, _D1, {(_D1, _PART, _W)}),
        _with(_with(_TREATY, _D1, {(_D1, _PART, _W)}), _D2, {(_D2, _PART, _W)}),
    ),
    # the only document saying the treaty is in the Treaty Series stops saying it
    "treaty-without-series-reference-violation-without-rule-5": (
        _with(_TREATY, _D3, {(_T0, "rg:inVolume", _VOL)}),
        _with(_with(_TREATY, _D3, set()), _D1, set(), {(_T0, "rg:inVolume", _VOL)}),
    ),
    # the clause a footnote is anchored in leaves the footnote's document
    "clause-without-document-violation-without-rule-1": (
        {
            _D1: {
                ("f", "a", "rg:Footnote"),
                ("f", _PART, _D1),
                ("f", "rg:anchoredIn", _D1 + "/op"),
            },
            _D2: {(_D1 + "/op", _PART, _D1)},
        },
        {
            _D1: {
                ("f", "a", "rg:Footnote"),
                ("f", _PART, _D1),
                ("f", "rg:anchoredIn", _D1 + "/op"),
            },
            _D2: set(),
        },
    ),
    # a part with a gap in its footnotes leaves its work: the part is a group of its own
    "footnote-marker-without-footnote-violation-without-rule-1": (
        {
            _D1: {("f1", "a", "rg:Footnote"), ("f1", "rg:marker", '"2"'), ("f1", _PART, _D2)},
            _D2: {(_D2, _PART, _W)},
        },
        {
            _D1: {("f1", "a", "rg:Footnote"), ("f1", "rg:marker", '"2"'), ("f1", _PART, _D2)},
            _D2: set(),
        },
    ),
    # a footnote of a part gone whole: the part's work
    "footnote-marker-without-footnote-violation-without-rule-3": (
        _FOOTNOTES,
        {_D1: _FOOTNOTES[_D1]},
    ),
}


def _scenario_document(doc: str, facts: set[tuple[str, str, str]]) -> NewDocument:
    """A document of a scenario: short names ("c1", "f") are nodes of that document."""
    full = {
        tuple(
            x if "/" in x or ":" in x or x.startswith('"') or x == "a" else f"{doc}/{x}" for x in t
        )
        for t in facts
    }
    graph = _ID + "graph/" + doc
    lines = sorted(f"{_term(s)} {_term(p)} {_term(o)} <{graph}> ." + "\n" for s, p, o in full)
    data = "".join(lines).encode()
    return NewDocument(
        graph, doc, f"/scenario/{doc}", hashlib.sha256(data).hexdigest(), data, len(lines)
    )


@pytest.mark.parametrize("mid", sorted(SCENARIOS), ids=sorted(SCENARIOS))
def test_scenario_needs_its_rule(mid: str, tmp_path: Path) -> None:
    """The full scope follows the change; without the rule the rows differ."""
    before, after = SCENARIOS[mid]
    name, scope = next((n, s) for m, n, s in mutants() if m == mid)
    check = next(c for c in check_index._check_files() if c.name == name)
    with CorpusStore.open(tmp_path / "store", write=True) as cs:
        cs.put_documents([_scenario_document(d, f) for d, f in sorted(before.items())])
        run_checks_incrementally(cs)
        gone = [_ID + "graph/" + d for d in sorted(set(before) - set(after))]
        cs.remove_documents(gone)
        changed = [d for d in sorted(after) if after[d] != before.get(d)]
        cs.put_documents([_scenario_document(d, after[d]) for d in changed])
        expected = rows_of(run_checks(cs))[name]
        vars_ = tuple(
            json.loads(
                cs._db.execute("SELECT vars FROM check_state WHERE name = ?", (name,)).fetchone()[0]
            )
        )
        wrong = check_index._incremental(cs, check, scope, vars_, check_index._delta(cs))
        assert sorted(repr(r) for r in wrong.rows) != expected, "the rule is not needed here"
        assert rows_of(run_checks_incrementally(cs))[name] == expected


def test_every_scope_rule_is_needed(quick_tmp: Path) -> None:
    """Mutation check of the differential test: a scope missing any one of its rules gives
    rows that differ from a full run, in a random world's steps or in its scenario."""
    pending = {mid: (n, s) for mid, n, s in mutants() if mid not in SCENARIOS}
    assert pending
    checks = {c.name: c for c in check_index._check_files()}
    for seed, density in enumerate((0.2, 0.5, 0.2, 0.5)):
        world = World(100 + seed, density)
        with CorpusStore.open(quick_tmp / f"store-{seed}", write=True) as cs:
            world.load(cs)
            run_checks_incrementally(cs)
            for _ in range(40):
                world.step(cs)
                expected = rows_of(run_checks(cs))
                delta = check_index._delta(cs)
                for mid, (name, scope) in list(pending.items()):
                    row = cs._db.execute("SELECT vars FROM check_state WHERE name = ?", (name,))
                    names = tuple(json.loads(row.fetchone()[0]))
                    got = check_index._incremental(cs, checks[name], scope, names, delta)
                    if sorted(repr(r) for r in got.rows) != expected[name]:
                        del pending[mid]
                run_checks_incrementally(cs)
        if not pending:
            return
    assert not pending, f"rules no change caught: {sorted(pending)}"
