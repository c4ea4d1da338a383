"""The consistency checks run incrementally (resgraph/check_index.py) give the rows of a
full run, row by row, after any sequence of small changes.

The corpus: generated resolutions (bench/gen_corpus.py, a fixed seed) and real ones
(the seed, the plain-text exports, AKN4UN files with a work in parts, treaties, Ibid.).
Each step edits, removes or restores one file with a seeded random mutation, rebuilds
the store, and compares the incremental rows of every check with a full run.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest

from resgraph import check_index
from resgraph.check_index import Scope, load_scope, run_checks_incrementally
from resgraph.corpus_store import CorpusStore
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
    return _replace(rng, text, re.compile(r"United Nations, Treaty Series|Official Records"), "Ibid.")


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
    found = {m.group() for p in corpus.iterdir() for m in _SYMBOL_RE.finditer(p.name.replace("_", "/"))}
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


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["seed-1", "seed-2", "seed-3"])
def test_incremental_rows_equal_a_full_run(
    seed: int, work: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each random change the kept-and-recomputed rows are the full run's rows, and
    no check ran in full after the first."""
    corpus, store = work
    full_runs: list[str] = []
    full = check_index._full

    def counted(cs: CorpusStore, query: object, scope: Scope | None) -> object:
        full_runs.append(getattr(query, "name", ""))
        return full(cs, query, scope)  # type: ignore[arg-type]

    monkeypatch.setattr(check_index, "_full", counted)
    with CorpusStore.open(store, write=True) as cs:
        run_checks_incrementally(cs)
    assert len(full_runs) == len(list_checks())
    full_runs.clear()
    rng, removed, symbols = random.Random(seed), {}, corpus_symbols(corpus)
    changed_rows = 0
    before = None
    for step in range(10):
        what = mutate(rng, corpus, removed, symbols)
        rebuild(corpus, store)
        with CorpusStore.open(store, write=True) as cs:
            expected = rows_of(run_checks(cs))
            got = rows_of(run_checks_incrementally(cs, jobs=2 if step % 2 else 1))
        assert got == expected, f"step {step}: {what}"
        changed_rows += before is not None and expected != before
        before = expected
    assert full_runs == []
    assert changed_rows, "no change moved a row: the test would prove nothing"


def test_every_scope_rule_is_needed(work: tuple[Path, Path]) -> None:
    """Mutation check of the differential test: a scope missing any one of its rules
    gives rows that differ from a full run somewhere in a seeded sequence of changes."""
    corpus, store = work
    pending = {mid: (name, scope) for mid, name, scope in mutants()}
    assert pending
    with CorpusStore.open(store, write=True) as cs:
        run_checks_incrementally(cs)
    rng, removed, symbols = random.Random(11), {}, corpus_symbols(corpus)
    for _ in range(40):
        if not pending:
            break
        mutate(rng, corpus, removed, symbols)
        rebuild(corpus, store)
        with CorpusStore.open(store, write=True) as cs:
            expected = rows_of(run_checks(cs))
            for mid, (name, scope) in list(pending.items()):
                got = rows_of(run_checks_incrementally(cs, scopes={name: scope}, keep=False))
                if got[name] != expected[name]:
                    del pending[mid]
            run_checks_incrementally(cs)
    assert not pending, f"rules no change caught: {sorted(pending)}"


def test_a_check_without_scope_runs_in_full(
    work: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, store = work
    name = "checks/cited-date-not-adoption-date-violation"
    full_runs: list[str] = []
    full = check_index._full

    def counted(cs: CorpusStore, query: object, scope: Scope | None) -> object:
        full_runs.append(getattr(query, "name", ""))
        return full(cs, query, scope)  # type: ignore[arg-type]

    monkeypatch.setattr(check_index, "_full", counted)
    with CorpusStore.open(store, write=True) as cs:
        run_checks_incrementally(cs, scopes={name: None})
    full_runs.clear()
    rng = random.Random(5)
    for _ in range(3):
        mutate(rng, corpus, {}, corpus_symbols(corpus))
        rebuild(corpus, store)
        with CorpusStore.open(store, write=True) as cs:
            got = rows_of(run_checks_incrementally(cs, scopes={name: None}))
            assert got == rows_of(run_checks(cs))
    assert full_runs == [name] * 3


@pytest.mark.parametrize(
    "change",
    ["many-documents", "scope-changed", "updated-outside"],
    ids=["many-documents", "scope-changed", "updated-outside"],
)
def test_fallback_to_a_full_run(
    change: str, work: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big change, another version of a check's scope, or a write the store did not
    follow: the next run is a full one (and right)."""
    corpus, store = work
    with CorpusStore.open(store, write=True) as cs:
        run_checks_incrementally(cs)
    full_runs: list[str] = []
    full = check_index._full

    def counted(cs: CorpusStore, query: object, scope: Scope | None) -> object:
        full_runs.append(getattr(query, "name", ""))
        return full(cs, query, scope)  # type: ignore[arg-type]

    monkeypatch.setattr(check_index, "_full", counted)
    rng = random.Random(9)
    scopes = None
    if change == "many-documents":
        monkeypatch.setattr(check_index, "MAX_CHANGED_DOCUMENTS", 2)
        for _ in range(3):
            mutate(rng, corpus, {}, corpus_symbols(corpus))
            rebuild(corpus, store)
        expected_full = [q.name for q in list_checks()]
    elif change == "scope-changed":
        name = "checks/footnote-without-anchor-violation"
        scope = load_scope(next(q for q in list_checks() if q.name == name))
        assert scope is not None
        scopes = {name: dataclasses.replace(scope, fingerprint="another version")}
        mutate(rng, corpus, {}, corpus_symbols(corpus))
        rebuild(corpus, store)
        expected_full = [name]
    else:
        with CorpusStore.open(store, write=True) as cs:
            cs.updated_outside()
        expected_full = [q.name for q in list_checks()]
    with CorpusStore.open(store, write=True) as cs:
        got = rows_of(run_checks_incrementally(cs, scopes=scopes))
        assert got == rows_of(run_checks(cs))
    assert sorted(full_runs) == sorted(expected_full)


def test_build_findings_follow_a_change(work: tuple[Path, Path]) -> None:
    """`resgraph build` (validated) reports the counts of a full run after a change."""
    corpus, store = work
    build_store([corpus], store, jobs=1)  # keeps the rows
    rng = random.Random(3)
    for _ in range(4):
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
