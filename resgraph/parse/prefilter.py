"""Cheap necessary conditions for a regex to match: the literals every match contains.

Most clause texts hold none of the things most citation patterns look for, and a
regex that starts with a look-behind or a word boundary gets no help from the
`re` engine's own prefix scan: it is tried at every position of the text. A
substring test (`"/RES/" in text`) rules such a text out a hundred times faster.

The literals are read from the pattern's own parse tree, so they follow the
pattern data (citations.json, regex_parts.json) without being written twice:
a set is only derived where every match must contain one of its strings, and
anything the analysis does not understand yields no condition (the regex then
simply runs). Output is never changed, only time.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

Needs = tuple[frozenset[str], ...]
"""Sets of literals: a match contains one string of EACH set (an AND of ORs)."""

# the parser behind `re` (private, stable within a Python version); without it
# there are no conditions and every regex runs as before
try:
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - other Pythons
    _sre = None

MAX_SETS = 3
"""At most this many sets are kept (the most selective ones): each costs a scan."""

MAX_LITERALS = 8
"""A set of more strings than this costs about as much as the regex it would spare."""


def required_literals(rx: re.Pattern[str] | str) -> Needs:
    """The literal sets every match of `rx` (a regex, or its text: not compiled) contains;
    () when nothing is known.

    >>> required_literals(re.compile(r"\\b[Ii]bid\\."))
    (frozenset({'bid.'}),)
    >>> sorted(required_literals(r"(?:Add|Corr)\\.\\d+")[0])
    ['Add', 'Corr']
    >>> required_literals(re.compile(r"(?:of)?\\d+")), required_literals("(?i)abc")
    ((), ())
    """
    pattern, flags = (rx, 0) if isinstance(rx, str) else (rx.pattern, rx.flags)
    if _sre is None or flags & re.IGNORECASE or not isinstance(pattern, str):
        return ()
    try:
        tree = _sre.parse(pattern, flags)
        # flags set inside the text ("(?i)") are the parsed tree's
        if tree.state.flags & re.IGNORECASE:
            return ()
        sets = _sequence(list(tree))
    except Exception:  # an unknown parse tree means: no condition
        return ()
    sets = [s for s in sets if len(s) <= MAX_LITERALS]
    # the most selective first: longest shortest string, then fewest strings
    sets.sort(key=lambda s: (-min(map(len, s)), len(s), sorted(s)))
    return tuple(sets[:MAX_SETS])


def may_match(needs: Needs, text: str) -> bool:
    """False when `text` lacks every literal of some set, so the regex cannot match it.

    >>> may_match((frozenset({"/RES/"}),), "resolution 66/172"), may_match((), "x")
    (False, True)
    """
    for s in needs:
        for lit in s:
            if lit in text:
                break
        else:
            return False
    return True


def _sequence(items: Sequence[tuple[Any, Any]]) -> list[frozenset[str]]:
    """The required sets of a sequence of nodes: every set of every element."""
    out: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            out.append(frozenset(["".join(run)]))
            run = []
        out += _node(op, av)
    if run:
        out.append(frozenset(["".join(run)]))
    return out


def _node(op: Any, av: Any) -> list[frozenset[str]]:
    """The required sets of one node that is not a literal ([] when none)."""
    if op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return [] if add_flags & re.IGNORECASE else _sequence(list(sub))
    if op is _sre.ATOMIC_GROUP:
        return _sequence(list(av))
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        lo, _hi, sub = av
        return _sequence(list(sub)) if lo >= 1 else []
    if op is _sre.BRANCH:
        union: set[str] = set()
        for alt in av[1]:
            sets = _sequence(list(alt))
            if not sets:
                return []  # this alternative needs no literal: the branch gives no condition
            union |= max(sets, key=lambda s: (min(map(len, s)), -len(s)))
        return [frozenset(union)]
    return []  # classes, look-arounds, anchors, back-references: no literal known
