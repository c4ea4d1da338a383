"""Data files under resgraph/patterns: schema, canonical form, each pattern <-> its examples.

Modelled on reporters-db's tests.py (check_regexes, test_schema, test_json_format).
Set FIX_DATA=1 to rewrite the data files in canonical form.
"""

from __future__ import annotations

import difflib
import gc
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from resgraph.parse.cite import (
    expand_parts,
    find_in_text,
    patterns,
    regex_parts,
    register,
)
from resgraph.resources import patterns_dir

DATA_FILES = sorted(patterns_dir().glob("*.json"))
SCHEMA_DIR = patterns_dir() / "schemas"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


CITATIONS = _load(patterns_dir() / "citations.json")
PATTERNS: list[dict[str, Any]] = CITATIONS["patterns"]
# patterns that find nothing by themselves: their examples and counterexamples are judged
# by the citations of the pattern's kind that the whole finder gives
NON_PRODUCING = {"lead", "tail", "separator", "unts-group", "marker-gap", "topic", "organ-context"}


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.name for p in DATA_FILES])
def test_data_file_validates_against_its_schema(path: Path) -> None:
    schema_path = SCHEMA_DIR / f"{path.stem}.schema.json"
    assert schema_path.exists(), f"{path.name} has no schema {schema_path.name}"
    schema = _load(schema_path)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_load(path), schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.name for p in DATA_FILES])
def test_data_file_is_canonical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    want = _canonical(json.loads(text))
    if text == want:
        return
    if os.environ.get("FIX_DATA") == "1":
        path.write_text(want, encoding="utf-8")
        return
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True), want.splitlines(keepends=True), str(path), "canonical"
        )
    )
    pytest.fail(f"{path.name} is not in canonical form (run with FIX_DATA=1 to rewrite):\n{diff}")


def test_every_fragment_compiles_and_is_commented() -> None:
    parts = regex_parts()
    for name, part in _load(patterns_dir() / "regex_parts.json")["parts"].items():
        assert part["comment"].strip(), name
        re.compile(expand_parts(part["regex"], parts, where=name))


def test_fragment_references_are_known() -> None:
    with pytest.raises(Exception, match=r"unknown fragment \$nope"):
        expand_parts("$session/$nope", regex_parts(), where="test")


REGEX_CASES = [(p["id"], i) for p in PATTERNS for i in range(len(p["regexes"]))]


@pytest.mark.parametrize(("pid", "i"), REGEX_CASES, ids=[f"{p}#{i}" for p, i in REGEX_CASES])
def test_every_regex_matches_one_of_its_examples(pid: str, i: int) -> None:
    spec = next(p for p in PATTERNS if p["id"] == pid)
    rx = patterns()[pid].regexes[i]
    match = rx.fullmatch if spec["role"] == "marker-gap" else rx.search
    assert any(match(ex["text"]) for ex in spec["examples"]), f"{pid}: regex {i} matches no example"


EXAMPLES = [(p["id"], ex["text"], ex["targets"]) for p in PATTERNS for ex in p["examples"]]


@pytest.mark.parametrize(
    ("pid", "text", "targets"), EXAMPLES, ids=[f"{p}:{t[:40]}" for p, t, _ in EXAMPLES]
)
def test_every_example_is_found_with_its_targets(pid: str, text: str, targets: list[str]) -> None:
    hits, _ = find_in_text(text)
    assert [h.target for h in hits] == targets
    spec = next(p for p in PATTERNS if p["id"] == pid)
    if spec["role"] not in NON_PRODUCING and spec["role"] != "unts-group":
        assert any(h.pattern == pid for h in hits) or spec["role"] == "lead", (
            f"{pid} did not find its own example"
        )


COUNTER = [(p["id"], c) for p in PATTERNS for c in p["counterexamples"]]


@pytest.mark.parametrize(("pid", "text"), COUNTER, ids=[f"{p}:{t[:40]}" for p, t in COUNTER])
def test_no_counterexample_is_found(pid: str, text: str) -> None:
    spec = next(p for p in PATTERNS if p["id"] == pid)
    if spec["role"] == "marker-gap":
        assert not any(rx.fullmatch(text) for rx in patterns()[pid].regexes)
        return
    if spec["role"] in NON_PRODUCING:
        assert not any(rx.search(text) for rx in patterns()[pid].regexes)
        return
    hits, _ = find_in_text(text)
    assert not [h for h in hits if h.pattern == pid]


# inputs that make a backtracking regex explode if quantifiers nest over overlapping classes
ADVERSARIAL = [
    "A/" * 3000,
    "1" * 20000,
    "resolution " + "1/1, " * 3000,
    "Convention " * 3000,
    "United Nations, Treaty Series, vol. " + "1, " * 3000,
    "Aa " * 5000 + "x",
    "5/" * 5000,
]


def _scan_time(rx: re.Pattern[str], text: str) -> float:
    """Best of three: the time one full scan of `text` takes.

    The garbage collector is paused while timing: late in a long test session
    its full collections over a large heap land inside a scan and make a
    linear pattern look superlinear.
    """
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            t0 = time.perf_counter()
            for _match in rx.finditer(text):
                pass
            best = min(best, time.perf_counter() - t0)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("pid", sorted(patterns()), ids=sorted(patterns()))
def test_regexes_run_in_linear_time(pid: str) -> None:
    """Quadrupling an adversarial input must not much more than quadruple the scan time.

    A ratio, not a wall-clock budget, so a busy machine does not fail the test:
    linear patterns scale by ~4, quadratic ones by ~16, catastrophic ones explode.
    Scans too short to time reliably (< 20 ms at 4x) pass.
    """
    for rx in patterns()[pid].regexes:
        for text in ADVERSARIAL:
            small = _scan_time(rx, text)
            large = _scan_time(rx, text * 4)
            assert large < 0.02 or large < 10 * max(small, 1e-4), (
                f"{pid} scales badly on {text[:20]!r}…: {small:.4f}s -> {large:.4f}s at 4x"
            )


# ---- the treaty register -------------------------------------------------------------

REGISTER = _load(patterns_dir() / "treaties.json")


def test_register_ids_and_names_are_unique() -> None:
    ids = [t["id"] for t in REGISTER["treaties"]] + [d["id"] for d in REGISTER["declarations"]]
    assert len(ids) == len(set(ids))
    names = [
        " ".join(n.split()).casefold()
        for t in REGISTER["treaties"]
        for n in (t["name"], *t["aliases"], *t["short_names"])
    ]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_register_links_point_to_registered_treaties() -> None:
    ids = {t["id"] for t in REGISTER["treaties"]}
    for t in REGISTER["treaties"]:
        assert t["parent"] is None or t["parent"] in ids, t["id"]
        assert set(t["protocols"]) <= ids, t["id"]


def test_every_register_fact_has_a_source() -> None:
    for t in REGISTER["treaties"]:
        for fact in ("unts", "adopted_by", "entry_into_force"):
            if t[fact]:
                assert t["sources"].get(fact), f"{t['id']}: {fact} has no source"


def test_an_instrument_is_identified_by_volume_and_page_or_number() -> None:
    """Volume + page (else volume + number) is unique; the number alone is not required to be."""
    keys: dict[tuple[Any, ...], str] = {}
    for t in REGISTER["treaties"]:
        for u in t["unts"]:
            key = (u["series"], u["volume"], "p", u["page"]) if u["page"] else None
            key = key or (u["series"], u["volume"], "no", u["number"])
            assert key not in keys, f"{t['id']} and {keys[key]} share {key}"
            keys[key] = t["id"]


@pytest.mark.parametrize(
    ("volume", "page", "number", "expected"),
    [
        (2225, 209, None, "untoc"),
        (2225, None, "39574", "untoc"),
        (2326, 209, None, "firearms-protocol"),  # same page as UNTOC, other volume
        (1465, None, "24841", "cat"),
        (2375, None, "24841", "opcat"),  # CAT and OPCAT share No. 24841
        (999, None, "14668", "iccpr"),  # ICCPR and its first Protocol share vol. and No.
        (999, 302, None, "iccpr-op1"),
        (9999, None, "39574", None),  # a number alone identifies nothing
    ],
    ids=["untoc-page", "untoc-no", "firearms", "cat", "opcat", "iccpr", "iccpr-op1", "unknown"],
)
def test_register_lookup(
    volume: int, page: int | None, number: str | None, expected: str | None
) -> None:
    from resgraph.model import UntsRef

    entry = register().lookup(UntsRef(volume, page, number))
    assert (entry.id if entry else None) == expected
