"""The benchmark corpus generator (bench/gen_corpus.py) against the real parser, both ways.

The generator is seeded (same seed, same bytes) and says in its manifest what it planted in
each file; the real pipeline (`resgraph.pipeline.parse_document`) must find exactly that:
clause counts by kind, footnotes and the clause carrying each marker, every citation (kind,
target, citing clause), the date printed with each resolution citation, the opening phrases,
the symbol and adoption date. A difference is a bug in one of the two. Nothing generated is
kept: the corpus lives in pytest's temporary folder.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR

from bench import gen_corpus
from resgraph.model import Resolution
from resgraph.pipeline import parse_document

N_DOCS = 40
SEED = 11


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("corpus")
    return out, gen_corpus.generate(N_DOCS, out, seed=SEED)


@cache
def _parsed(path: str) -> Resolution:
    return parse_document(path)


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    gen_corpus.generate(12, tmp_path / "a", seed=5)
    gen_corpus.generate(12, tmp_path / "b", seed=5)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert len(a) == 13  # 12 texts and the manifest
    assert a == b


def test_another_seed_gives_another_corpus(tmp_path: Path) -> None:
    gen_corpus.generate(12, tmp_path / "a", seed=5)
    gen_corpus.generate(12, tmp_path / "b", seed=6)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    differ = [name for name in a if a[name] != b.get(name)]
    assert len(differ) >= 12


def test_nothing_generated_is_in_the_repository() -> None:
    # only the generator, its statistics and the benchmark live under bench/
    stray = [p for p in (PROJECT_DIR / "bench").rglob("A_RES_*.txt")]
    stray += [p for p in (PROJECT_DIR / "tests").rglob("manifest.json")]
    assert stray == []


def test_the_corpus_has_the_planned_shape(corpus: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = corpus
    files = manifest["files"]
    assert len(files) == N_DOCS and len(list(out.glob("A_RES_*.txt"))) == N_DOCS
    assert len({f["symbol"] for f in files}) == N_DOCS
    # recall chains across sessions, long-tail citations and treaty footnotes are all planted
    kinds = Counter(c["kind"] for f in files for c in f["citations"])
    assert kinds["resolution"] > N_DOCS and kinds["treaty"] > 0 and kinds["document"] > 0
    assert len({f["session"] for f in files}) >= 5
    cited = Counter(c["target"] for f in files for c in f["citations"] if c["kind"] == "resolution")
    assert cited.most_common(1)[0][1] >= 4  # some resolutions are popular


def test_citations_only_go_backwards_in_time(corpus: tuple[Path, dict[str, Any]]) -> None:
    _, manifest = corpus
    adopted = {f["symbol"]: f["adopted"] for f in manifest["files"]}
    for f in manifest["files"]:
        for c in f["citations"]:
            if c["kind"] == "resolution":
                assert c["target"] != f["symbol"]
                if c["target"] in adopted:
                    assert adopted[c["target"]] < f["adopted"], (f["symbol"], c)
                    # the printed date is the cited resolution's adoption date
                    assert c["date"] in (None, adopted[c["target"]])


def _clauses(res: Resolution, entry: dict[str, Any]) -> tuple[object, object]:
    got = Counter(c.kind for c in res.clauses)
    return {k: got.get(k, 0) for k in entry["clauses"]}, entry["clauses"]


def _footnotes(res: Resolution, entry: dict[str, Any]) -> tuple[object, object]:
    return [f.anchor for f in res.footnotes], entry["footnote_anchors"]


def _citations(res: Resolution, entry: dict[str, Any]) -> tuple[object, object]:
    got = {(c.kind, c.target, c.clause) for c in res.citations}
    want = {(c["kind"], c["target"], c["clause"]) for c in entry["citations"]}
    return sorted(got), sorted(want)


def _dates(res: Resolution, entry: dict[str, Any]) -> tuple[object, object]:
    got = {(c.target, c.date.isoformat()) for c in res.citations if c.date}
    want = {(c["target"], c["date"]) for c in entry["citations"] if c["date"]}
    return sorted(got), sorted(want)


def _phrases(res: Resolution, entry: dict[str, Any]) -> tuple[object, object]:
    got = {c.key: c.phrase for c in res.clauses if c.kind in ("preambular", "operative")}
    return got, entry["phrases"]


def _heading(res: Resolution, entry: dict[str, Any]) -> tuple[object, object]:
    h = res.heading
    return (h.symbol, h.adopted.isoformat() if h.adopted else None, h.title), (
        entry["symbol"],
        entry["adopted"],
        entry["title"],
    )


def _unresolved(res: Resolution, entry: dict[str, Any]) -> tuple[object, object]:
    # every planted reference resolves: nothing is left over
    return [(u.text, u.reason) for u in res.unresolved], []


ASPECTS: dict[str, Callable[[Resolution, dict[str, Any]], tuple[object, object]]] = {
    "clauses": _clauses,
    "footnotes": _footnotes,
    "citations": _citations,
    "dates": _dates,
    "phrases": _phrases,
    "heading": _heading,
    "unresolved": _unresolved,
}


@pytest.mark.parametrize("aspect", list(ASPECTS), ids=list(ASPECTS))
@pytest.mark.parametrize("index", range(N_DOCS), ids=[f"doc{i:02d}" for i in range(N_DOCS)])
def test_the_parser_finds_what_was_planted(
    corpus: tuple[Path, dict[str, Any]], index: int, aspect: str
) -> None:
    out, manifest = corpus
    entry = manifest["files"][index]
    res = _parsed(str(out / entry["file"]))
    got, want = ASPECTS[aspect](res, entry)
    assert got == want, entry["file"]
