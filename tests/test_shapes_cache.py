"""The compiled shapes kept on disk between build processes (validate.compiled_shapes_cached):
the same as compiling them, and a stale or corrupt file is ignored and written again."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from resgraph import validate
from resgraph.corpus_store import CorpusStore
from resgraph.pipeline import build_store
from tests.conftest import SEED


@pytest.mark.parametrize("subclasses", [False, True], ids=["type", "subclasses"])
def test_cached_equals_compiled(subclasses: bool, tmp_path: Path) -> None:
    path = tmp_path / "shapes.json"
    want = validate.compile_shapes(subclasses=subclasses)
    assert validate.compiled_shapes_cached(path, subclasses=subclasses) == want
    assert path.is_file()
    assert validate.compiled_shapes_cached(path, subclasses=subclasses) == want  # read back


def _stale(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["key"] = "0" * 64
    data["shapes"]["constraints"] = data["shapes"]["constraints"][:1]
    path.write_text(json.dumps(data), encoding="utf-8")


def _bad_shape(path: Path) -> None:  # the right key, a broken body
    data = json.loads(path.read_text(encoding="utf-8"))
    data["shapes"]["targets"] = {"S01-document": ["only one pattern"]}
    path.write_text(json.dumps(data), encoding="utf-8")


SPOILERS: dict[str, Callable[[Path], object]] = {
    "stale-key": _stale,
    "bad-shape": _bad_shape,
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:1000]),
    "not-json": lambda p: p.write_bytes(b"\xff\x00garbage"),
    "a-list": lambda p: p.write_text("[1, 2]", encoding="utf-8"),
    "empty": lambda p: p.write_bytes(b""),
}


@pytest.mark.parametrize("name", sorted(SPOILERS), ids=sorted(SPOILERS))
def test_a_spoilt_cache_is_ignored_and_rewritten(name: str, tmp_path: Path) -> None:
    path = tmp_path / "shapes.json"
    want = validate.compiled_shapes_cached(path)
    good = path.read_bytes()
    SPOILERS[name](path)
    assert validate.compiled_shapes_cached(path) == want
    assert path.read_bytes() == good


def test_an_unwritable_cache_still_validates(tmp_path: Path) -> None:
    path = tmp_path / "missing-folder" / "shapes.json"
    assert validate.compiled_shapes_cached(path) == validate.compile_shapes()
    assert not path.exists()


def test_a_build_keeps_the_compiled_shapes(tmp_path: Path) -> None:
    """A validated build writes the cache beside the manifest and the report is the same
    with it as without."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SEED.name).write_bytes(SEED.read_bytes())
    store = tmp_path / "store"
    built = build_store([corpus], store, jobs=1)
    assert (store / "shapes-compiled.json").is_file()
    with CorpusStore.open(store) as cs:
        plain = validate.validate_store(cs.ox)
        cached = validate.validate_store(cs.ox, cache=store / "shapes-compiled.json")
    assert cached == plain
    assert built.shapes is not None and built.shapes.conforms == plain.conforms
