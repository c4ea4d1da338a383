"""Every regex the parser uses, against adversarial input, within a time budget.

tests/test_patterns.py checks that the citation patterns of citations.json scale
linearly on a fixed list of inputs. This test goes wider and deeper:

- which regexes: every compiled pattern reachable from the module globals of
  read.py, ids.py and resgraph/parse/*.py, and from their cached zero-argument
  loaders (the citation patterns, the register, the clause phrases …), found by
  introspection, so a new pattern is covered without touching this file;
- which inputs: built from each pattern's own literal fragments (repeated, glued,
  with digits, spaces, dots and "A/RES/" runs between them), the shapes that make
  a backtracking regex explode when quantifiers nest over overlapping classes;
- which budget: the time of one full scan, relative to a simple baseline regex
  scanning the same input in the same run (a ratio, so a busy machine does not
  fail it; the garbage collector is paused). Inputs grow from 256 to 16,384
  characters: an exponential pattern fails at the small sizes before it can
  hang, a quadratic one fails as the ratio grows with the input.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import importlib
import inspect
import pkgutil
import re
import time
from collections.abc import Iterator
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest

import resgraph.parse

# modules whose regexes see untrusted resolution text
MODULES = (
    "resgraph.read",
    "resgraph.ids",
    *(f"resgraph.parse.{m.name}" for m in pkgutil.iter_modules(resgraph.parse.__path__)),
)
SIZES = (256, 4096)
# a scan may cost this many baseline scans of the same input: the large alternations
# (hundreds of treaty names) are legitimately slow per character, but a superlinear
# pattern's ratio grows with the input and passes any constant
BUDGET = 300.0
# a ratio may grow by at most this factor from the smallest to the largest input
# (16x longer: a quadratic pattern's ratio grows ~16x, a linear one's stays ~1x)
GROWTH = 5.0
# scans shorter than this are repeated until they take at least this long, for a stable ratio
MIN_TIMED = 0.0005
BASELINE = re.compile(r"\w+")


def _walk(
    obj: Any, label: str, out: dict[str, re.Pattern[str]], seen: set[int], depth: int
) -> None:
    """Collect the compiled patterns inside `obj` (dataclasses, dicts, sequences), by path."""
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        if isinstance(obj.pattern, str):
            out[label] = obj
        return
    if isinstance(obj, str | bytes | int | float) or obj is None:
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # fields, and what is compiled on first use (cite.Pattern.regexes)
        lazy = [n for n, v in vars(type(obj)).items() if isinstance(v, functools.cached_property)]
        for name in [f.name for f in dataclasses.fields(obj)] + lazy:
            _walk(getattr(obj, name), f"{label}.{name}", out, seen, depth + 1)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _walk(v, f"{label}[{k}]", out, seen, depth + 1)
    elif isinstance(obj, list | tuple | set | frozenset):
        for i, v in enumerate(obj):
            _walk(v, f"{label}[{i}]", out, seen, depth + 1)


def _no_required_args(fn: Any) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty for p in sig.parameters.values())


@functools.cache
def all_regexes() -> dict[str, re.Pattern[str]]:
    """Every regex of the parser, once each, keyed by where it was found."""
    found: dict[str, re.Pattern[str]] = {}
    seen: set[tuple[str, int]] = set()
    for modname in MODULES:
        module = importlib.import_module(modname)
        short = modname.removeprefix("resgraph.")
        for attr, value in sorted(vars(module).items()):
            if isinstance(value, functools._lru_cache_wrapper):
                if getattr(value, "__module__", None) != modname or not _no_required_args(value):
                    continue
                value = value()  # a loader: the compiled patterns of a data file
                attr += "()"
            elif not isinstance(value, re.Pattern | dict | list | tuple | frozenset):
                continue
            out: dict[str, re.Pattern[str]] = {}
            _walk(value, f"{short}.{attr}", out, set(), 0)
            for label, rx in out.items():
                if (rx.pattern, rx.flags) not in seen:
                    seen.add((rx.pattern, rx.flags))
                    found[label] = rx
    return found


def literal_fragments(rx: re.Pattern[str], limit: int = 6) -> list[str]:
    """Runs of literal characters in the pattern ('A/RES/', 'Convention', …).

    >>> literal_fragments(re.compile(r"A/RES/(\\d+)|Treaty of [A-Z]\\w+"))
    ['A/RES/', 'Treaty of ']
    """
    runs: list[str] = []

    def visit(tree: Any) -> None:
        current: list[str] = []
        for op, av in tree:
            if op is sre_parse.LITERAL:
                current.append(chr(av))
                continue
            if current:
                runs.append("".join(current))
                current = []
            if op is sre_parse.SUBPATTERN:
                visit(av[-1])
            elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
                visit(av[2])
            elif op is sre_parse.BRANCH:
                for branch in av[1]:
                    visit(branch)
            elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
                visit(av[1])
            elif op is sre_parse.ATOMIC_GROUP:
                visit(av)
        if current:
            runs.append("".join(current))

    visit(sre_parse.parse(rx.pattern, rx.flags))
    unique = list(dict.fromkeys(r for r in runs if r.strip()))
    # the first few (the pattern's skeleton) and the longest few (whole names)
    longest = sorted(unique, key=len, reverse=True)
    return list(dict.fromkeys(unique[: limit // 2] + longest[: limit // 2]))


GENERIC = ("1", " ", ".", "A/RES/", "A/RES/1/", "1/", "1 ", "1.", "Aa ", "(a) ", "\n", "-", ", ")


def adversarial_units(rx: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """(label, unit): a unit is repeated to the target size."""
    for g in GENERIC:
        yield f"generic {g!r}", g
    frags = literal_fragments(rx)
    for f in frags:
        yield f"{f!r}", f
        yield f"{f!r}+space", f + " "
        yield f"{f!r}+digits", f + "1/1 "
    if frags:
        yield "all fragments", " ".join(frags) + " "
        yield "all fragments glued", "".join(frags)


def _per_scan(rx: re.Pattern[str], text: str) -> float:
    """Seconds for one full scan of `text`: best of three, repeated until timeable.

    The repetition is chosen from this pattern's own first scan, so a slow pattern
    is never repeated thousands of times just because the baseline is fast.
    """
    t0 = time.perf_counter()
    for _m in rx.finditer(text):
        pass
    first = time.perf_counter() - t0
    repeat = 1 if first >= MIN_TIMED else min(4096, int(MIN_TIMED / max(first, 1e-7)) + 1)
    best = first if repeat == 1 else float("inf")
    for _ in range(2 if repeat == 1 else 3):
        t0 = time.perf_counter()
        for _ in range(repeat):
            for _m in rx.finditer(text):
                pass
        best = min(best, (time.perf_counter() - t0) / repeat)
    return best


def _ratio(rx: re.Pattern[str], text: str) -> tuple[float, float, float]:
    """(pattern time / baseline time, pattern time, baseline time) for one scan of `text`."""
    base = _per_scan(BASELINE, text)
    spent = _per_scan(rx, text)
    return spent / max(base, 1e-9), spent, base


REGEXES = all_regexes()


def test_the_collection_finds_the_known_regexes() -> None:
    """Introspection must reach module-level patterns and data-file loaders alike."""
    names = set(REGEXES)
    assert len(REGEXES) > 50
    assert any(n.startswith("parse.cite.patterns()") for n in names)  # citations.json
    assert any(n.startswith("parse.cite._descriptor_re()") for n in names)  # regex_parts.json
    assert any(n.startswith("parse.segment.") for n in names)  # module-level patterns
    assert any(n.startswith("parse.akn.") for n in names)


# known gaps, keyed by pattern name, with the input a pattern is superlinear on; empty since
# the 16 found on 2026-11-28 (growth 15-200x from 256 to 4,096 characters) were made linear
KNOWN_SUPERLINEAR: dict[str, str] = {}


def _cases() -> list[Any]:
    return [
        pytest.param(n, id=n, marks=pytest.mark.xfail(reason=KNOWN_SUPERLINEAR[n], strict=False))
        if n in KNOWN_SUPERLINEAR
        else pytest.param(n, id=n)
        for n in sorted(REGEXES)
    ]


def test_known_gaps_name_existing_patterns() -> None:
    assert sorted(set(KNOWN_SUPERLINEAR) - set(REGEXES)) == []


@pytest.mark.parametrize("name", _cases())
def test_regex_stays_within_budget(name: str) -> None:
    rx = REGEXES[name]
    gc.collect()
    gc.disable()
    try:
        for label, unit in adversarial_units(rx):
            first: float | None = None
            for size in SIZES:
                text = (unit * (size // len(unit) + 1))[:size]
                ratio, spent, base = _ratio(rx, text)
                assert ratio < BUDGET, (
                    f"{name} on {label} x{size}: {spent * 1e3:.2f} ms, "
                    f"{ratio:.0f}x the baseline ({base * 1e3:.3f} ms); budget {BUDGET:.0f}x"
                )
                # ratios of tiny scans are noise; judge growth from where timing is stable
                if first is None and spent >= 1e-4:
                    first = ratio
                if first is not None and size == SIZES[-1] and spent >= 1e-3:
                    assert ratio < GROWTH * max(first, 1.0), (
                        f"{name} on {label}: {first:.1f}x -> {ratio:.1f}x the baseline "
                        f"from {SIZES[0]} to {size} characters (superlinear)"
                    )
    finally:
        gc.enable()


CATASTROPHIC = {
    "nested-plus": (r"(a+)+$", "a" * 20 + "!"),
    "words-and-spaces": (r"(\w+\s?)+$", "ab " * 11 + "!"),
    "overlapping-alternation": (r"(?:\d+|\d/)+X", "1/" * 5 + "1" * 16 + "!"),
}


@pytest.mark.parametrize("pattern, text", CATASTROPHIC.values(), ids=CATASTROPHIC.keys())
def test_the_budget_catches_catastrophic_patterns(pattern: str, text: str) -> None:
    """The measure must fail a known-bad pattern on a short input (so it can fail at all)."""
    ratio, _spent, _base = _ratio(re.compile(pattern), text)
    assert ratio > BUDGET
