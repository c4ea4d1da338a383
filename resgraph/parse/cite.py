"""Stage 2b: find the citations in clause and footnote texts.

Every citation is found in a `Clause.text` or `Footnote.text` and placed in
the read text through that text's `TextMap` (never by searching the source
again). The patterns are data: `resgraph/patterns/citations.json`, built from
the named fragments of `regex_parts.json`, and the treaty register
`treaties.json`; this module only loads, compiles and applies them.

Symbol rules: https://research.un.org/en/docs/symbols (and DESIGN.md §2).
Treaty Series citation style: https://treaties.un.org (UNTS volume, page, No.).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from resgraph import ids
from resgraph.errors import PatternError
from resgraph.model import (
    Citation,
    CitedKind,
    Footnote,
    Resolution,
    TextMap,
    Unresolved,
    UntsRef,
)
from resgraph.parse import prefilter
from resgraph.parse.prefilter import Needs, may_match, required_literals
from resgraph.resources import patterns_dir

# ---------------------------------------------------------------------------
# Loading the data files

_PART_REF_RE = re.compile(r"\$\{([a-z_]+)\}|\$([a-z_]+)")
"""A reference to a named fragment: `$session`, or `${gap}` when a letter follows."""

_GAP = r"[ \t\u00a0]+"
_HYPHEN = "[-\u2010\u2011]"


def _read_json(name: str) -> Any:
    path: Path = patterns_dir() / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PatternError(f"{path}: cannot load ({exc})") from exc


def expand_parts(regex: str, parts: Mapping[str, str], *, where: str = "") -> str:
    """Replace every `$name` in `regex` by its fragment, recursively.

    >>> expand_parts("$a/$b/${b}z", {"a": "x$b", "b": "y"})
    'xy/y/yz'
    """

    def sub(text: str, depth: int) -> str:
        if depth > 10:
            raise PatternError(f"regex_parts.json: fragments nest too deep in {where or text!r}")

        def one(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(2)
            if name not in parts:
                raise PatternError(f"citations.json: {where}: unknown fragment ${name}")
            return sub(parts[name], depth + 1)

        return _PART_REF_RE.sub(one, text)

    return sub(regex, 0)


_LOWER_WORD_RE = re.compile(r"(?<![\w\\])[a-z]\w*")


def _name_alternatives(names: Iterable[str]) -> list[str]:
    """One regex alternative per name, longest first, blanks matching any gap."""
    uniq = sorted({" ".join(n.split()) for n in names if n.strip()}, key=lambda s: (-len(s), s))
    # a printed name may use a non-breaking hyphen ("Non‑Proliferation") or any blank run
    # and a lower-case word may be printed capitalised or not ("Members of Their Families")
    return [
        _LOWER_WORD_RE.sub(
            lambda m: f"[{m.group()[0]}{m.group()[0].upper()}]{m.group()[1:]}",
            re.escape(n).replace(r"\ ", _GAP).replace(r"\-", _HYPHEN),
        )
        for n in uniq
    ]


def _name_alternation(names: Iterable[str]) -> str:
    """The names' alternatives as one regex, factored into a tree of shared prefixes.

    `re` tries an alternation's branches one by one at every position, so 270 treaty
    names cost 270 tries per word; factored by first character (then second …) the
    names that cannot start here are skipped in one step. The tree matches exactly
    what the plain alternation matches, with the same name winning (see `_prefix_tree`).

    >>> _name_alternation(["Protocols", "Protocol", "Pact"])
    '(?:P(?:rotocol(?:s|)|act))'
    """
    alts = _name_alternatives(names)
    tokens = [_alt_tokens(a) for a in alts]
    if any(t is None for t in tokens):
        return "(?:" + "|".join(alts) + ")"
    return "(?:" + _prefix_tree([t for t in tokens if t is not None]) + ")"


_Token = tuple[str, ...]
"""One position of a name alternative: the characters it accepts (`_GAP`, `_HYPHEN` whole)."""

_CASE_PAIR_RE = re.compile(r"\[([a-z])([A-Z])\]")
_CLASS_CHARS = {_GAP: " \t\u00a0", _HYPHEN: "-\u2010\u2011"}


def _alt_tokens(alt: str) -> list[_Token] | None:
    r"""The positions of one alternative of `_name_alternatives`; None if not understood.

    >>> _alt_tokens(r"[cC]ode\.")
    [('c', 'C'), ('o',), ('d',), ('e',), ('.',)]
    """
    out: list[_Token] = []
    i = 0
    while i < len(alt):
        cls = next((c for c in _CLASS_CHARS if alt.startswith(c, i)), None)
        if cls is not None:
            out.append((cls,))
            i += len(cls)
        elif (m := _CASE_PAIR_RE.match(alt, i)) and m.group(2) == m.group(1).upper():
            out.append((m.group(1), m.group(2)))
            i = m.end()
        elif alt[i] == "\\" and i + 1 < len(alt) and not alt[i + 1].isalnum():
            out.append((alt[i + 1],))
            i += 2
        elif alt[i] in "\\[](){}.*+?^$|":
            return None
        else:
            out.append((alt[i],))
            i += 1
    # the tokens must spell the alternative back exactly, or they are not what it matches
    return out if "".join(map(_token_regex, out)) == alt else None


def _token_regex(tok: _Token) -> str:
    if len(tok) == 2:
        return f"[{tok[0]}{tok[1]}]"
    return tok[0] if tok[0] in _CLASS_CHARS else re.escape(tok[0])


def _prefix_tree(alts: list[list[_Token]]) -> str:
    """An ordered alternation of token sequences, factored on their first positions.

    Alternatives grouped under first positions that share no character can never match
    at the same place, so only the order *within* a group matters, and it is kept. An
    alternative that ends where a longer one goes on must come after it (longest first),
    as it does in the plain alternation; where it would not, the node is left unfactored.
    """
    if any(not a for a in alts[:-1]) and any(a for a in alts[alts.index([]) :]):
        return _plain(alts)
    ended = not alts[-1]
    groups = _group(alts)
    if groups is None:
        # "[cC]ode" beside "Code": split the case pairs here (only here: splitting every
        # pair would copy the rest of a name once per lower-case word, exponentially)
        split = [[(ch,), *a[1:]] for a in alts if a for ch in a[0]]
        groups = _group(split)
        if groups is None:
            return _plain(alts)  # a literal blank or hyphen beside the class that takes it
    if not groups:
        return ""
    pieces = ["".join(map(_token_regex, (k,))) + _prefix_tree(rest) for k, rest in groups.items()]
    if len(pieces) == 1 and not ended:
        return pieces[0]
    return "(?:" + "|".join(pieces) + ("|" if ended else "") + ")"


def _group(alts: list[list[_Token]]) -> dict[_Token, list[list[_Token]]] | None:
    """Alternatives by first token, in order; None if two first tokens share a character."""
    groups: dict[_Token, list[list[_Token]]] = {}
    for a in alts:
        if a:
            groups.setdefault(a[0], []).append(a[1:])
    seen: set[str] = set()
    for key in groups:
        chars = {c for k in key for c in _CLASS_CHARS.get(k, k)}
        if seen & chars:
            return None
        seen |= chars
    return groups


def _plain(alts: list[list[_Token]]) -> str:
    return "(?:" + "|".join("".join(map(_token_regex, a)) for a in alts) + ")"


def _norm_name(name: str) -> str:
    name = name.replace("\u2019", "'").replace("\u2011", "-").replace("\u2010", "-")
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Organ:
    """A body whose resolutions have their own series ("Human Rights Council")."""

    name: str
    aliases: tuple[str, ...]
    template: str | None  # "A/HRC/RES/{session}/{number}"; None: no known series
    refers_back: tuple[str, ...] = ()  # "Council": the last of these bodies named before it
    reports: tuple[str, ...] = ()  # regexes of its annual report's symbols ("A/\d+/53")
    roman_template: str | None = None  # "E/RES/{number}({session})" for "2008 (LX)"
    slash_numbers: bool = True  # False: a "<session>/<number>" named with it is not its own
    numbered_by_year: bool = False  # "2011/33": a session number after its name is not its own


@dataclass(frozen=True)
class RegisterEntry:
    """One treaty of the curated register (treaties.json)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    short_names: tuple[str, ...]
    unts: tuple[UntsRef, ...]
    adopted_by: str | None
    annex: str | None
    entry_into_force: str | None
    parent: str | None
    protocols: tuple[str, ...]


@dataclass(frozen=True)
class Declaration:
    """A declaration adopted by a resolution: cited by name, it resolves to that resolution."""

    id: str
    name: str
    aliases: tuple[str, ...]
    resolution: str


@dataclass(frozen=True)
class Register:
    """The treaty register: lookups by id, by name and by Treaty Series reference."""

    treaties: tuple[RegisterEntry, ...]
    declarations: tuple[Declaration, ...]
    _by_id: dict[str, RegisterEntry] = field(default_factory=dict, compare=False, repr=False)
    _by_name: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _decl_by_name: dict[str, Declaration] = field(default_factory=dict, compare=False, repr=False)
    # (series, volume) -> the treaties with a reference in that volume, in register order
    _by_volume: dict[tuple[str, int], list[RegisterEntry]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for t in self.treaties:
            self._by_id[t.id] = t
            for u in t.unts:
                self._by_volume.setdefault((u.series, u.volume), []).append(t)
            for n in (t.name, *t.aliases, *t.short_names):
                self._by_name.setdefault(_norm_name(n), t.id)
        for d in self.declarations:
            for n in (d.name, *d.aliases):
                self._decl_by_name.setdefault(_norm_name(n), d)

    def get(self, treaty_id: str) -> RegisterEntry | None:
        """The entry with this id, if registered."""
        return self._by_id.get(treaty_id)

    def by_name(self, name: str) -> RegisterEntry | None:
        """The entry one of whose names is `name` (blanks and apostrophes normalised)."""
        tid = self._by_name.get(_norm_name(name))
        return self._by_id[tid] if tid else None

    def declaration(self, name: str) -> Declaration | None:
        """The declaration called `name`, if registered."""
        return self._decl_by_name.get(_norm_name(name))

    def lookup(self, ref: UntsRef, prefer: str | None = None) -> RegisterEntry | None:
        """The registered instrument of a Treaty Series reference.

        By volume + page when the page is given, else by volume + registration
        number; never by the number alone (one number covers a convention and
        its protocols). When several instruments share volume and number, the
        `prefer`red id wins, else the one that is no other's protocol.
        """
        same_vol = self._by_volume.get((ref.series, ref.volume), [])
        if ref.page is not None:
            hits = [t for t in same_vol if any(u.page == ref.page for u in t.unts)]
        elif ref.number is not None:
            hits = [
                t
                for t in same_vol
                if any(u.number == ref.number and u.volume == ref.volume for u in t.unts)
            ]
        else:
            hits = same_vol
        hits = list(dict.fromkeys(hits))
        if not hits:
            return None
        if len(hits) == 1:
            return hits[0]
        for t in hits:
            if t.id == prefer:
                return t
        roots = [t for t in hits if t.parent is None]
        return roots[0] if len(roots) == 1 else None


def minted_treaty_id(ref: UntsRef) -> str:
    """Id of an unregistered treaty: series, volume and page (or registration number).

    >>> minted_treaty_id(UntsRef(2404, number="43425"))
    'unts-2404-43425'
    >>> minted_treaty_id(UntsRef(94, number="2138", series="LNTS"))
    'lnts-94-2138'
    """
    tail = ref.page if ref.page is not None else (ref.number or "0")
    return f"{ref.series.lower()}-{ref.volume}-{tail}"


def treaty_id_of(ref: UntsRef, prefer: str | None = None) -> str:
    """The register id of a Treaty Series reference, or a minted one."""
    entry = register().lookup(ref, prefer)
    return entry.id if entry else minted_treaty_id(ref)


@cache
def register() -> Register:
    """The treaty register (treaties.json), loaded once."""
    data = _read_json("treaties.json")
    try:
        treaties = tuple(
            RegisterEntry(
                id=t["id"],
                name=t["name"],
                aliases=tuple(t.get("aliases", ())),
                short_names=tuple(t.get("short_names", ())),
                unts=tuple(
                    UntsRef(
                        volume=int(u["volume"]),
                        page=u.get("page"),
                        number=u.get("number"),
                        series=u.get("series", "UNTS"),
                        volume_as_printed=u.get("volume_as_printed"),
                    )
                    for u in t.get("unts", ())
                ),
                adopted_by=t.get("adopted_by"),
                annex=t.get("annex"),
                entry_into_force=t.get("entry_into_force"),
                parent=t.get("parent"),
                protocols=tuple(t.get("protocols", ())),
            )
            for t in data["treaties"]
        )
        declarations = tuple(
            Declaration(d["id"], d["name"], tuple(d.get("aliases", ())), d["resolution"])
            for d in data["declarations"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PatternError(f"treaties.json: bad entry ({exc!r})") from exc
    return Register(treaties, declarations)


@cache
def organs() -> tuple[Organ, ...]:
    """The bodies named before "resolution(s)" (citations.json "organs")."""
    data = _read_json("citations.json")
    return tuple(
        Organ(
            o["name"],
            tuple(o.get("aliases", ())),
            o.get("template"),
            tuple(o.get("refers_back", ())),
            tuple(o.get("reports", ())),
            o.get("roman_template"),
            o.get("slash_numbers", True),
            o.get("numbered_by_year", False),
        )
        for o in data["organs"]
    )


def _organ(name: str) -> Organ | None:
    key = " ".join(name.split())
    for o in organs():
        if key == o.name or key in o.aliases:
            return o
    return None


Role = Literal[
    "lead",
    "item",
    "tail",
    "separator",
    "standalone",
    "suffix",
    "unts-head",
    "unts-group",
    "ibid",
    "collective",
    "treaty-name",
    "declaration-name",
    "treaty-generic",
    "marker-gap",
    "topic",
    "organ-context",
]


@dataclass(frozen=True)
class Pattern:
    """A citation pattern (one entry of citations.json), compiled on first use."""

    id: str
    role: Role
    kind: CitedKind
    normalise: str
    sources: tuple[str, ...]  # its regexes, fragments expanded

    @cached_property
    def regexes(self) -> tuple[re.Pattern[str], ...]:
        """The compiled regexes (a document uses few of the patterns: compiling all of
        them cost a process that parses one document ~0.1 s)."""
        kept = _kept_regexes(self.id, self.sources)
        if kept is not None:
            return kept
        try:
            return tuple(re.compile(r) for r in self.sources)
        except re.error as exc:
            raise PatternError(f"citations.json: pattern {self.id!r}: {exc}") from exc


# the regex engine's constructor from compiled code (private, stable within a Python
# version, which the kept file's key holds); without it every regex is compiled
try:
    _sre_engine: Any = importlib.import_module("_sre")
    _sre_compiler: Any = importlib.import_module("re._compiler")
    _sre_parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - other Pythons
    _sre_engine = None


def _compiled_code(regex: str) -> list[Any] | None:
    """What re.compile gives the engine for `regex` (flags, code, groups), to keep."""
    if _sre_engine is None:
        return None
    try:
        tree = _sre_parser.parse(regex, 0)
        code = _sre_compiler._code(tree, 0)
    except Exception:  # a bad regex: reported when it is compiled
        return None
    names = dict(tree.state.groupdict)
    by_index: list[str | None] = [None] * tree.state.groups
    for name, i in names.items():
        by_index[i] = name
    return [tree.state.flags, code, tree.state.groups - 1, names, by_index]


def _kept_regexes(pattern_id: str, sources: tuple[str, ...]) -> tuple[re.Pattern[str], ...] | None:
    """A pattern's regexes built from the code `load_derived` kept (the engine checks it),
    equal to re.compile's; None when not kept: compiling the treaty names alone took
    ~50 ms of a process that parses one document."""
    text = _derived.get("compiled", {}).get(pattern_id)
    if text is None or _sre_engine is None:
        return None
    try:
        kept = json.loads(text)
        if len(kept) != len(sources):
            return None
        return tuple(
            _sre_engine.compile(src, flags, code, groups, names, tuple(by_index))
            for src, (flags, code, groups, names, by_index) in zip(sources, kept, strict=True)
        )
    except Exception:  # not what this engine takes: compile instead
        return None


# what `load_derived` read: "parts" (regex_parts), "needs" (_needs by pattern id) and
# "compiled" (each pattern's regexes as the engine's code, JSON text by pattern id)
_derived: dict[str, Any] = {}
_DERIVED_FORMAT = 2


def load_derived(path: Path) -> None:
    """Take what is derived from the pattern files (`regex_parts` with the names built
    from the register, the literals each regex needs) from the JSON file `path`, kept
    between processes: computing it cost a process that parses one document ~0.2 s.

    A file written for other pattern files, other code or another Python (its `re`
    parser) is computed and written again (atomically; a failed write only loses the
    cache). What it holds is exactly what the functions compute.
    """
    h = hashlib.sha256(f"{_DERIVED_FORMAT}\0{sys.version}\0".encode())
    for name in ("regex_parts.json", "citations.json", "treaties.json"):
        h.update(_read_bytes(patterns_dir() / name))
    for code in (__file__, prefilter.__file__):  # the code that derives it
        h.update(_read_bytes(Path(code)))
    key = h.hexdigest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["key"] == key:
            parts, needs = data["parts"], data["needs"]
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in parts.items()):
                raise TypeError("a fragment is a string")
            _derived["needs"] = {
                pid: tuple(tuple(frozenset(map(str, lits)) for lits in rx) for rx in per)
                for pid, per in needs.items()
            }
            compiled = data["compiled"]
            if not all(isinstance(v, str) for v in compiled.values()):
                raise TypeError("compiled code is kept as JSON text")
            _derived["parts"] = parts
            _derived["compiled"] = compiled
            return
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # missing, stale or corrupt: compute it again
    _derived.clear()
    computed = {
        "key": key,
        "parts": regex_parts(),
        "needs": {pid: [[sorted(lits) for lits in rx] for rx in _needs(pid)] for pid in patterns()},
        # text per pattern: a process decodes only the patterns it uses
        "compiled": {
            pid: json.dumps(engine)
            for pid, p in patterns().items()
            if None not in (engine := [_compiled_code(r) for r in p.sources])
        },
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(computed), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PatternError(f"{path}: cannot load ({exc})") from exc


@cache
def regex_parts() -> dict[str, str]:
    """Named fragments ($name -> regex), including those built from the register."""
    if "parts" in _derived:
        return dict(_derived["parts"])
    parts = {k: v["regex"] for k, v in _read_json("regex_parts.json")["parts"].items()}
    reg = register()
    parts["organ"] = _name_alternation(n for o in organs() for n in (o.name, *o.aliases))
    parts["treaty_name"] = _name_alternation(
        n for t in reg.treaties for n in (t.name, *t.aliases, *t.short_names)
    )
    parts["declaration_name"] = _name_alternation(
        n for d in reg.declarations for n in (d.name, *d.aliases)
    )
    return parts


@cache
def patterns() -> dict[str, Pattern]:
    """Every citation pattern by id, compiled (lazily, once)."""
    parts = regex_parts()
    out: dict[str, Pattern] = {}
    for p in _read_json("citations.json")["patterns"]:
        expanded = tuple(expand_parts(r, parts, where=p["id"]) for r in p["regexes"])
        out[p["id"]] = Pattern(p["id"], p["role"], p["kind"], p["normalise"], expanded)
    return out


def _re(pattern_id: str) -> re.Pattern[str]:
    return patterns()[pattern_id].regexes[0]


@cache
def _needs(pattern_id: str) -> tuple[Needs, ...]:
    """The literals each regex of a pattern needs (see prefilter.py), computed once."""
    kept: tuple[Needs, ...] | None = _derived.get("needs", {}).get(pattern_id)
    if kept is not None:
        return kept
    return tuple(required_literals(rx) for rx in patterns()[pattern_id].sources)


def _may(pattern_id: str, text: str, k: int = 0) -> bool:
    """False when regex `k` of the pattern cannot match anywhere in `text`."""
    return may_match(_needs(pattern_id)[k], text)


def _lookbehind_end(pattern: str) -> int | None:
    """Where a negative look-behind that opens `pattern` ends; None if it opens otherwise.

    >>> p = r"(?<![\\w(-])(?P<name>a|b)"
    >>> p[: _lookbehind_end(p)], _lookbehind_end(r"\\b(?<!x)a")
    ('(?<![\\\\w(-])', None)
    """
    if not pattern.startswith("(?<!"):
        return None
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            # a "]" first in a class (after an optional "^") is a member, not its end
            i += pattern.startswith("^", i + 1)
            i += pattern.startswith("]", i + 1)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


@cache
def _split_lookbehind(pattern_id: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """(the opening look-behind, the rest) of a pattern's first regex, compiled apart."""
    rx = _re(pattern_id)
    end = _lookbehind_end(rx.pattern)
    if end is None:
        return None
    behind = re.compile(rx.pattern[:end], rx.flags)
    body = re.compile(rx.pattern[end:], rx.flags)
    if behind.groups or body.groups != rx.groups or body.groupindex != rx.groupindex:
        return None  # a group in the look-behind would renumber the rest
    return behind, body


def _finditer(pattern_id: str, text: str) -> list[re.Match[str]]:
    """The matches of `_re(pattern_id).finditer(text)`, faster when it opens with a look-behind.

    re skips ahead to the possible first characters of a pattern, but not when an
    assertion opens it: then it tries the whole pattern (for the treaty names, an
    alternation of hundreds) at every position. The rest alone is searched, and the
    look-behind tried where it matches: an assertion takes no characters, so these
    are the same matches (measured: the treaty-name scan 3x faster).
    """
    split = _split_lookbehind(pattern_id)
    if split is None:
        return list(_re(pattern_id).finditer(text))
    behind, body = split
    out: list[re.Match[str]] = []
    pos = 0
    while (m := body.search(text, pos)) is not None:
        s, e = m.span()
        if s == e:  # an empty match: finditer's own rules for where to go on
            return list(_re(pattern_id).finditer(text))
        if behind.match(text, s) is None:
            pos = s + 1
            continue
        out.append(m)
        pos = e
    return out


def _by_role(role: Role) -> list[Pattern]:
    return [p for p in patterns().values() if p.role == role]


# ---------------------------------------------------------------------------
# Pure helpers

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_to_int(s: str) -> int:
    """Value of a Roman numeral (League of Nations volumes, old GA sessions).

    >>> roman_to_int("XCIV"), roman_to_int("III"), roman_to_int("XXI")
    (94, 3, 21)
    """
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        v = _ROMAN[a]
        total += -v if b in _ROMAN and _ROMAN[b] > v else v
    return total


@lru_cache(maxsize=4096)  # strptime is slow, and the same dates recur in a document
def parse_un_date(text: str) -> date | None:
    """A date as the UN prints it.

    >>> parse_un_date("19 December 2011")
    datetime.date(2011, 12, 19)
    >>> parse_un_date("31 February 2011") is None
    True
    """
    try:
        return datetime.strptime(" ".join(text.split()), "%d %B %Y").date()
    except ValueError:
        return None


def work_of(symbol: str) -> str | None:
    """The work of a component symbol (a lettered part of an old GA resolution).

    >>> work_of("A/RES/217(III)A")
    'A/RES/217(III)'
    >>> work_of("A/RES/66/240A") is None
    True
    """
    m = _COMPONENT_RE.fullmatch(symbol)
    return m.group(1) if m else None


_COMPONENT_RE = re.compile(r"(A/RES/\d+\([A-Z\-]+\))[A-Z]")


_NUMBERS_RE = re.compile(r"[0-9]+|[IVXLCDM]+")
_RANGE_RE = re.compile(r"([0-9]+)\s*[\u2013-]\s*([0-9]+)|([0-9]+)")

_MAX_RANGE = 50
"""A longer 'Nos. a–b' is not a run of registrations (keep the two ends only)."""


def _registration_numbers(text: str) -> list[str]:
    """Registration numbers as listed, ranges expanded.

    >>> _registration_numbers("970–973"), _registration_numbers("17512 and 17513")
    (['970', '971', '972', '973'], ['17512', '17513'])
    """
    out: list[str] = []
    for m in _RANGE_RE.finditer(text):
        if m.group(3):
            out.append(m.group(3))
            continue
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo < hi <= lo + _MAX_RANGE:
            out += [str(n) for n in range(lo, hi + 1)]
        else:
            out += [m.group(1), m.group(2)]
    return out


def unts_refs(
    text: str, pos: int, series: Literal["UNTS", "LNTS"], inherit: UntsRef | None = None
) -> tuple[list[UntsRef], int]:
    """The Treaty Series references written from `pos` on ("vol. 1465, No. 24841").

    `inherit` supplies the volume when a group gives only a number ("Ibid.,
    No. 973."). Returns the references and the offset after the last group.

    >>> refs, end = unts_refs(", vols. 1465 and 2375, No. 24841.", 0, "UNTS")
    >>> [(r.volume, r.number) for r in refs], end
    ([(1465, '24841'), (2375, '24841')], 32)
    >>> unts_refs(", No. 973.", 0, "UNTS", UntsRef(75, number="970"))[0]
    [UntsRef(volume=75, page=None, number='973', series='UNTS', volume_as_printed=None)]
    """
    group = _re("unts-group")
    refs: list[UntsRef] = []
    while True:
        g = group.match(text, pos)
        if not g or not (g.group("volumes") or g.group("numbers") or g.group("page")):
            return refs, pos
        pos = g.end()
        vols: list[tuple[int, str | None]] = []
        for v in _NUMBERS_RE.findall(g.group("volumes") or ""):
            vols.append((int(v), None) if v.isdigit() else (roman_to_int(v), v))
        if not vols and inherit is not None:
            vols = [(inherit.volume, inherit.volume_as_printed)]
        numbers = _registration_numbers(g.group("numbers") or "")
        page = int(g.group("page")) if g.group("page") else None
        if not vols:
            continue
        pairs: list[tuple[tuple[int, str | None], str | None]]
        if len(numbers) > 1 and len(vols) == 1:
            pairs = [(vols[0], n) for n in numbers]
        elif len(numbers) == len(vols):
            pairs = list(zip(vols, numbers, strict=True))
        else:
            pairs = [(v, numbers[0] if numbers else None) for v in vols]
        for (vol, printed), number in pairs:
            refs.append(UntsRef(vol, page, number, series, printed))


# ---------------------------------------------------------------------------
# Finding citations in one text


@dataclass(frozen=True)
class Hit:
    """A citation found in one text, with offsets into that text."""

    start: int
    end: int
    kind: CitedKind
    target: str
    pattern: str
    organ: str | None = None
    work: str | None = None
    date: date | None = None
    title: str | None = None
    unts: tuple[UntsRef, ...] = ()


@dataclass(frozen=True)
class _Context:
    own_symbol: str | None
    organ: str | None  # the citing body ("its resolution")


@dataclass(frozen=True)
class _Miss:
    start: int
    end: int
    reason: str


def _format_template(template: str, session: str, number: str, part: str | None) -> str:
    s = str(int(session)) if session.isdigit() else session
    out = template.format(session=s, number=int(number), part=part or "")
    if part and "{part}" not in template:
        out += part
    return out


_UNKNOWN_BODY = "?"
"""Organ name of a body that is not in the organ table: its resolutions have no known series."""


def _parts(gd: dict[str, str | None]) -> list[str | None]:
    """The part letters of one item: "A", "A and B", "A, B and C", "A to E".

    >>> _parts({"part": "A", "more_parts": " to D"}), _parts({"part": None})
    (['A', 'B', 'C', 'D'], [None])
    """
    first = gd.get("part")
    if not first:
        return [None]
    more = gd.get("more_parts") or ""
    letters = [first, *re.findall(r"[A-Z]{1,2}", more)]
    if re.search(r"\bto\b", more) and len(letters) == 2 and all(len(x) == 1 for x in letters):
        lo, hi = ord(letters[0]), ord(letters[1])
        if lo < hi:
            return [chr(c) for c in range(lo, hi + 1)]
    return list(dict.fromkeys(letters))


def _dehyphen(session: str) -> str:
    return session.replace("\u2011", "-").replace("\u2010", "-")


def _normalise_item(
    pattern: Pattern, m: re.Match[str], organ_name: str | None, its: bool, ctx: _Context
) -> list[tuple[str, str | None, str | None]] | str:
    """(target, work, organ) of each part of one resolution number, or why it has none."""
    gd = m.groupdict()
    if pattern.normalise == "sc":
        return [(ids.sc_resolution_symbol(gd["number"], gd["year"]), None, "Security Council")]
    organ = _organ(organ_name) if organ_name and organ_name != _UNKNOWN_BODY else None
    if organ_name is None and its and ctx.organ:
        organ = _organ(ctx.organ)  # 'its' with no other body named: the citing body
    if organ_name and organ is None:
        return "resolution-of-body-without-series"
    if organ is not None and not organ.slash_numbers:
        # "General Assembly and Security Council resolutions 70/262 and 2282 (2016)":
        # the Council's numbers carry a year, so a session number is not its own
        organ, organ_name = None, None
    session, number = _dehyphen(gd["session"]), gd["number"]
    if pattern.normalise == "ga-roman":
        if organ is None or organ.name == "General Assembly":
            work = ids.ga_resolution_symbol(number, session)
            if gd.get("part"):
                return [
                    (ids.ga_component_symbol(number, session, p), work, "General Assembly")
                    for p in _parts(gd)
                    if p
                ]
            return [(work, None, "General Assembly")]
        if organ.roman_template is None:
            return "resolution-of-body-without-series"
        return [
            (organ.roman_template.format(number=int(number), session=session), None, organ.name)
        ]
    if organ_name and (organ is None or organ.template is None):
        return "resolution-of-body-without-series"
    # the General Assembly numbers by session, never by year: "2011/33" is ECOSOC's
    is_year = len(session) == 4 and session.isdigit()
    if organ is None or organ.template is None or (is_year and organ.name == "General Assembly"):
        name = "Economic and Social Council" if is_year else "General Assembly"
        organ = _organ(name)
        if organ is None or organ.template is None:  # the data file lost a core organ
            raise PatternError(f"citations.json: organs: {name!r} needs a template")
    if (
        organ.name == "General Assembly"
        and session.isdigit()
        and int(session) < _FIRST_ARABIC_SESSION
    ):
        return "ga-session-before-arabic-numbering"
    template = organ.template
    return [(_format_template(template, session, number, p), None, organ.name) for p in _parts(gd)]


_FIRST_ARABIC_SESSION = 31
"""The General Assembly's first session numbered '<session>/<number>' (1976).

Before it the Assembly numbered its resolutions in one run with the session in Roman
numerals ("668 (VII)"), so a "7/5" can be no Assembly resolution: some other body's.
Source: UN Dag Hammarskjöld Library, "UN Documentation: General Assembly",
https://research.un.org/en/docs/ga/quick/regular (resolution symbols from the 31st session).
"""


@dataclass(frozen=True)
class _Item:
    pattern: Pattern
    match: re.Match[str]
    tail: re.Match[str] | None
    start: int
    end: int


def _find_resolution_lists(text: str, ctx: _Context, hits: list[Hit], misses: list[_Miss]) -> None:
    """CASE 1: "resolution(s)" + one number or a list of them, each with date and title."""
    if not _may("resolution-lead", text):
        return
    lead = _re("resolution-lead")
    items = [patterns()[i] for i in _ITEM_ORDER]
    tail = _re("resolution-item-tail")
    sep = _re("resolution-list-separator")
    topic = patterns()["resolution-list-topic"].regexes
    named: list[tuple[int, int, str]] | None = None  # the bodies named, found when needed
    previous: tuple[int, str] | None = None  # end and body of the last list another body owns
    pos = 0
    while (m := lead.search(text, pos)) is not None:
        organ_name = m.group("organ")
        start = m.start("organ") if organ_name else m.start("keyword")
        explicit = bool(organ_name)
        if organ_name:
            organ_name = _refer_back(text, m.start("organ"), organ_name)
        elif m.group("its"):
            organ_name = _its_organ(text, m.start("its")) or _its_act_organ(text, m.start("its"))
        else:
            organ_name = _body_before(text, m.start("keyword"))
            if not organ_name:
                if named is None:
                    named = _named_bodies(text)
                organ_name = (
                    _organ_before(text, m.start(), named)
                    or _report_before(text, m.start())
                    or _organ_mentioned_before(text, m.start())
                )
        p, first, last_end = m.end(), True, m.end()
        found_items: list[_Item] = []
        while True:
            found: tuple[Pattern, re.Match[str]] | None = None
            for pat in items:
                im = pat.regexes[0].match(text, p)
                if im:
                    found = (pat, im)
                    break
            if found is None:
                break
            pat, im = found
            tm = tail.match(text, im.end())
            end = tm.end() if tm and tm.end() > im.end() else im.end()
            found_items.append(_Item(pat, im, tm, start if first else im.start(), end))
            first, last_end = False, end
            # the list goes on if a separator, maybe after the item's subject or
            # pinpoint, is followed by another number
            starts = [end] + [tp.end() for t in topic if (tp := t.match(text, end))]
            nxt = None
            for s0 in starts:
                sm = sep.match(text, s0)
                if sm and any(pat.regexes[0].match(text, sm.end()) for pat in items):
                    nxt = sm.end()
                    break
            if nxt is None:
                break
            p = nxt
        its = bool(m.group("its"))
        if (
            found_items
            and not explicit
            and not its
            and (body := _body_after(text, last_end, later=organ_name is None))
        ):
            # "resolutions 5/3 and 6/2 of the Conference of the States Parties": the body
            # named after the list owns its numbers
            organ_name, its = body, False
        elif (
            found_items
            and not explicit
            and organ_name is None
            and previous is not None
            and ";" not in text[previous[0] : m.start()]
            and _re("list-adopted-at-its-session").match(text, last_end)
        ):
            # "…, resolution 707 (XXII) adopted at its twenty-second session": 'its' is the
            # body of the list before it in the same sentence
            organ_name, its = previous[1], False
        if found_items and organ_name is not None and organ_name != "General Assembly":
            previous = (last_end, organ_name)
        for it in found_items:
            _add_item(it, organ_name, its, ctx, hits, misses)
        # a title may cite other resolutions ("entitled “Review of … resolution 67/290 …”")
        titles = [
            it.tail.start("title") for it in found_items if it.tail and it.tail.group("title")
        ]
        pos = min(titles) if titles else max(last_end, m.end())


def _add_item(
    it: _Item,
    organ_name: str | None,
    its: bool,
    ctx: _Context,
    hits: list[Hit],
    misses: list[_Miss],
) -> None:
    norm = _normalise_item(it.pattern, it.match, organ_name, its, ctx)
    if isinstance(norm, str):
        misses.append(_Miss(it.start, it.end, norm))
        return
    tm = it.tail
    for target, work, organ in norm:
        hits.append(
            Hit(
                it.start,
                it.end,
                "resolution",
                target,
                it.pattern.id,
                organ=organ,
                work=work,
                date=parse_un_date(tm.group("date")) if tm and tm.group("date") else None,
                title=" ".join(tm.group("title").split()) if tm and tm.group("title") else None,
            )
        )


_AFTER_WINDOW = 700
"""How far (characters, same sentence) an 'adopted by <body>' after a list may stand."""

_GENERIC_RESOLUTIONS_RE = re.compile(r"\b[Rr]esolutions?\b(?![ \t\u00a0]+(?:[A-Z]{1,2}-)?\d)")
"""'resolutions' without a number: 'all resolutions adopted by the Commission'."""

_ITS_RESOLUTION_RE = re.compile(r"\bits[ \t\u00a0]+(?:\w+[ \t\u00a0]+)?resolutions?\b")
"""'its (previous) resolutions': the citing body takes the word back."""


def _body_after(text: str, list_end: int, *, later: bool) -> str | None:
    """The body named after a list: right after it ('… of the Conference of the States
    Parties'), or `later` in the sentence ('…, adopted by the United Nations Environment
    Assembly') if no other body, 'its' or resolutions without a number come between."""
    right_after, later_rx = patterns()["resolution-list-body"].regexes[:2]
    if (bm := right_after.match(text, list_end)) is not None:
        return _body(text, bm.start("organ"), bm.group("organ"))
    if not later:
        return None
    stop = text.find(";", list_end)
    hi = min(len(text) if stop < 0 else stop, list_end + _AFTER_WINDOW)
    bm = later_rx.search(text, list_end, hi)
    if bm is None:
        return None
    between = text[list_end : bm.start()]
    if (
        re.search(r"\bits\b", between)
        or _GENERIC_RESOLUTIONS_RE.search(between)
        or any(lm.group("organ") for lm in _re("resolution-lead").finditer(between))
    ):
        return None
    return _body(text, bm.start("organ"), bm.group("organ"))


def _body(text: str, at: int, name: str) -> str:
    """The organ-table name of a body named at `at`, or `_UNKNOWN_BODY`."""
    name = " ".join(name.split())
    if _organ(name) is None:
        # "the General Assembly and the Security Council": the first body with a series
        parts = re.split(r" and (?:the )?", name)
        organs_named = [o for o in map(_organ, parts) if o is not None]
        if len(parts) > 1 and len(organs_named) == len(parts):
            return next((o.name for o in organs_named if o.template), organs_named[0].name)
        return _UNKNOWN_BODY
    return _refer_back(text, at, name)


def _named_bodies(text: str) -> list[tuple[int, int, str]]:
    """(start, end, body) of every body named before decisions or resolutions, by end."""
    needs = _needs("organ-context")
    out = [
        (nm.start("organ"), nm.end(), _body(text, nm.start("organ"), nm.group("organ")))
        for k, rx in enumerate(patterns()["organ-context"].regexes)
        if may_match(needs[k], text)
        for nm in rx.finditer(text)
    ]
    return sorted(out, key=lambda t: (t[1], t[0]))


_BODY_WINDOW = 150
"""How far back (characters) a body named right before a lead is looked for."""


def _body_before(text: str, keyword_start: int) -> str | None:
    """'Indian Ocean Tuna Commission, resolutions 12/07': a body named right before the lead."""
    lo, hi = max(0, keyword_start - _BODY_WINDOW), keyword_start + len("resolutions ") + 1
    for bm in _re("body-before-lead").finditer(text, lo, hi):
        if bm.end() == keyword_start:
            return _body(text, bm.start("organ"), bm.group("organ"))
    return None


def _refer_back(text: str, at: int, name: str) -> str:
    """A short name ("Council") means the last of its bodies named before it; a short
    name after another capitalised word ("Environment Assembly") is some other body."""
    organ = _organ(name)
    if organ is None:
        return name
    if name != organ.name and re.search(r"[A-Z][\w’'-]*[ \t\u00a0]+$", text[max(0, at - 40) : at]):
        return _UNKNOWN_BODY  # an unlisted body: no series
    if not organ.refers_back:
        return name
    before = text[:at]
    found = [(before.rfind(n), n) for n in organ.refers_back]
    pos, full = max(found)
    return full if pos >= 0 else name


def _its_organ(text: str, its_at: int) -> str | None:
    """'… the Human Rights Council in its resolution': 'its' is the body just named.

    A body missing from the organ table gives `_UNKNOWN_BODY` (its numbers have no series).
    """
    lo, hi = max(0, its_at - 120), its_at + 3 + 20
    for rx in patterns()["its-organ"].regexes:
        for im in rx.finditer(text, lo, hi):
            if im.end() == its_at:
                return _body(text, im.start("organ"), im.group("organ"))
    return None


def _report_before(text: str, lead_start: int) -> str | None:
    """'… Supplement No. 53A (A/74/53/Add.1), chap. III, resolution 42/12': the number is
    a resolution of the body whose annual report the symbol just before it is."""
    symbols = list(
        _re("document-symbol").finditer(text, max(0, lead_start - _REPORT_WINDOW), lead_start)
    )
    if not symbols or ";" in text[symbols[-1].end() : lead_start]:
        return None
    symbol = ids.normalise_symbol(symbols[-1].group("symbol"))
    for o in organs():
        if any(re.fullmatch(r, symbol) for r in o.reports):
            return o.name
    # "A/56/1026-S/2002/932, annex II, resolution 14/221": a number given inside some
    # other document is that document's body's, not the General Assembly's
    return None if "/RES/" in symbol else _UNKNOWN_BODY


_REPORT_WINDOW = 80
"""How far (characters) a report symbol may stand before the resolution number it gives."""

_ORGAN_WINDOW = 200
"""How far back (characters, same sentence) a body named before a bare lead still applies."""


def _organ_before(text: str, lead_start: int, named: list[tuple[int, int, str]]) -> str | None:
    """The body named shortly before a bare lead ('… Council decision 18/120 and resolutions')."""
    for _start, end, body in reversed(named):
        if end > lead_start:
            continue
        between = text[end:lead_start]
        if lead_start - end > _ORGAN_WINDOW or ";" in between or _ITS_RESOLUTION_RE.search(between):
            return None
        organ = _organ(body)
        if organ is not None and not organ.slash_numbers:
            continue  # "resolutions of the Security Council, and resolution 70/1"
        return body
    return None


def _series_organ(body: str | None) -> str | None:
    """`body` if it is an organ with its own series of session numbers other than the
    General Assembly (the citing body's default), else None."""
    organ = _organ(body) if body and body != _UNKNOWN_BODY else None
    if organ is None or organ.template is None or not organ.slash_numbers:
        return None
    if organ.numbered_by_year:
        return None  # "the Economic and Social Council …, in line with resolution 73/341"
    return None if organ.name == "General Assembly" else organ.name


def _organ_mentioned_before(text: str, lead_start: int) -> str | None:
    """'her report to the Human Rights Council submitted pursuant to resolution 34/24': the
    organ named nearest before a bare lead in the same sentence, if it has its own series."""
    last = None
    for mm in _re("organ-mention").finditer(text, max(0, lead_start - _ORGAN_WINDOW), lead_start):
        last = mm
    if last is None:
        return None
    between = text[last.end() : lead_start]
    if ";" in between or _ITS_RESOLUTION_RE.search(between):
        return None
    return _series_organ(_body(text, last.start("organ"), last.group("organ")))


def _its_act_organ(text: str, its_at: int) -> str | None:
    """'the request of the Human Rights Council to the Working Group …, through its
    resolution 42/22': 'its' is the organ whose act the sentence names."""
    if not re.search(r"\b(?:through|in|by|under)[ \t\u00a0]+$", text[max(0, its_at - 12) : its_at]):
        return None
    last = None
    for am in _re("its-organ-act").finditer(text, max(0, its_at - _ORGAN_WINDOW), its_at):
        last = am
    if last is None:
        return None
    between = text[last.end() : its_at]
    if ";" in between or re.search(r"\b[Rr]esolutions?\b|\bAssembly\b", between):
        return None
    return _series_organ(_body(text, last.start("organ"), last.group("organ")))


_ITEM_ORDER = ("sc-resolution-number", "ga-roman-resolution-number", "slash-resolution-number")


def _overlaps(start: int, end: int, hits: Iterable[Hit]) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def _find_symbols(text: str, hits: list[Hit]) -> None:
    """CASE 2: full symbols (resolutions and other documents), joint symbols, 'and Add.1'."""
    suffix = _re("addendum-shorthand")
    for pid in ("resolution-symbol", "ocr-s-for-5", "document-symbol"):
        if not _may(pid, text):
            continue
        pat = patterns()[pid]
        for m in _finditer(pid, text):
            if _overlaps(m.start(), m.end(), hits):
                continue
            if pat.normalise == "ocr-s":
                symbol = f"S/{m.group('year')}/{int(m.group('number'))}"
            else:
                symbol = ids.normalise_symbol(m.group("symbol"))
                if not any(ch.isdigit() for ch in symbol):
                    continue
            kind: CitedKind = "resolution" if "/RES/" in symbol else "document"
            hits.append(
                Hit(
                    m.start(),
                    m.end(),
                    kind,
                    symbol,
                    pid,
                    organ=ids.organ_of_symbol(symbol),
                    work=work_of(symbol),
                )
            )
            sm = suffix.match(text, m.end())
            if sm:
                hits.append(
                    Hit(
                        sm.start("suffix"),
                        sm.end("suffix"),
                        kind,
                        f"{symbol}/{sm.group('suffix')}",
                        "addendum-shorthand",
                    )
                )


def _find_treaty_series(text: str, hits: list[Hit]) -> None:
    """CASE 3: "United Nations, Treaty Series, vol. …" and "Ibid., vol. …"."""
    for m in _re("unts-reference").finditer(text) if _may("unts-reference", text) else ():
        series: Literal["UNTS", "LNTS"] = (
            "LNTS" if m.group("series").startswith("League") else "UNTS"
        )
        refs, end = unts_refs(text, m.end(), series)
        for ref in refs:
            hits.append(
                Hit(m.start(), end, "treaty", treaty_id_of(ref), "unts-reference", unts=(ref,))
            )
    for m in _re("ibid").finditer(text) if _may("ibid", text) else ():
        if _overlaps(m.start(), m.end(), hits):
            continue
        # a group after Ibid. ("Ibid., vol. 2716, No. 48088") points to the Treaty Series;
        # parsed here only to find its end, resolve_citations supplies the series
        refs, end = unts_refs(text, m.end(), "UNTS", UntsRef(1))
        if refs and any(h.kind == "document" and 0 <= h.start - end <= 3 for h in hits):
            # "Ibid., vol. III (A/75/5 (Vol. III))": a volume of Official Records, named
            # by its own symbol, not the Treaty Series
            continue
        if refs:
            hits.append(Hit(m.start(), end, "treaty", "ibid", "ibid"))
        elif not any(h.start >= m.end() for h in hits):
            # "Ibid., Seventieth Session, Supplement No. 53 (A/70/53)" names its own
            # target; a bare "Ibid." repeats the previous footnote
            hits.append(Hit(m.start(), m.end(), "document", "ibid", "ibid"))


_LEADING_STOP = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "Its",
        "Their",
        "Such",
        "Each",
        "Both",
        "All",
        "Any",
        "Other",
        "Said",
    ]
)
_CONNECTORS = frozenset(
    [
        "on",
        "of",
        "for",
        "against",
        "relating",
        "relative",
        "to",
        "concerning",
        "regarding",
        "between",
        "the",
        "and",
        "or",
        "in",
    ]
)
# the words that may follow a treaty keyword inside a name ("Convention on …", "Agreement
# between …"); any other lower-case word ends the name ("Convention by States")
_AFTER_KEYWORD = frozenset(
    ["on", "of", "for", "against", "relating", "relative", "to", "concerning", "between"]
)
_AND_STOPS = frozenset(["the", "of", "with", "its", "their", "to", "in", "on"])
_TREATY_WORDS = frozenset(
    [
        *("Agreement", "Convention", "Treaty", "Covenant", "Protocol"),
        *("Agreements", "Conventions", "Treaties", "Covenants", "Protocols"),
    ]
)


@cache
def _descriptor_re() -> re.Pattern[str]:
    return re.compile(expand_parts("$treaty_descriptor", regex_parts(), where="treaty_descriptor"))


def _generic_name_bounds(name: str) -> tuple[int, int, bool] | None:
    """Trim a generic treaty-name match: (start, end, descriptors only), None if no name.

    Descriptors only ("Additional Protocol I") name no instrument by themselves but
    refer to one a footnote may identify.

    >>> n = "TRIPS Agreement and Public Health"
    >>> n[slice(*_generic_name_bounds(n)[:2])]
    'TRIPS Agreement'
    >>> _generic_name_bounds("Additional Protocol I")
    (0, 21, True)
    """
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", name)]
    while tokens and tokens[0][2] in _LEADING_STOP:
        tokens.pop(0)
    between = False
    for k in range(len(tokens) - 1):
        word, nxt = tokens[k][2], tokens[k + 1][2]
        # "Convention by States", "TRIPS Agreement and Public Health": a keyword followed
        # by a word that cannot go on inside a name ends it; so does "to the" unless a
        # treaty follows ("Protocol to the Treaty on …", not "Convention to the Review …")
        if word in _TREATY_WORDS and nxt[:1].islower() and nxt not in _AFTER_KEYWORD:
            tokens = tokens[: k + 1]
            break
        if (
            word in _TREATY_WORDS
            and nxt == "to"
            and k + 2 < len(tokens)
            and tokens[k + 2][2] == "the"
            and not any(t[2] in _TREATY_WORDS for t in tokens[k + 3 :])
        ):
            tokens = tokens[: k + 1]
            break
        between = between or word == "between"
        # "the Convention and the Conference …": a name does not go on past "and the",
        # except between its parties ("Agreement between the United Nations and the …")
        if word == "and" and nxt in _AND_STOPS and not (between and nxt == "the"):
            tokens = tokens[:k]
            break
    while tokens and tokens[-1][2] in _CONNECTORS:
        tokens.pop()
    words = [t[2] for t in tokens]
    if not words or not any(w in _TREATY_WORDS for w in words):
        return None
    if len(words) == 1:
        return None  # "the Convention": a bare keyword
    if words[-1] in _TREATY_WORDS and words[-1].endswith("s") and "of" in words:
        return None  # "Liaison Group of Biodiversity-related Conventions": a body
    if all(_descriptor_re().fullmatch(w) for w in words):
        # "Additional Protocol", "Protocol I": an instrument named elsewhere
        return tokens[0][0], tokens[-1][1], True
    if words[0] in _TREATY_WORDS and not any(w[:1].isupper() for w in words[1:]):
        return None  # "Convention on the rights …": no name without a capitalised word
    return tokens[0][0], tokens[-1][1], False


def _find_treaty_names(text: str, hits: list[Hit]) -> None:
    """CASE 4: registered treaty and declaration names, 'the Protocols thereto', other treaties."""
    reg = register()
    for m in _finditer("treaty-name", text) if _may("treaty-name", text) else ():
        entry = reg.by_name(m.group("name"))
        if entry and not _overlaps(m.start(), m.end(), hits):
            hits.append(Hit(m.start(), m.end(), "treaty", entry.id, "treaty-name"))
    for m in _finditer("declaration-name", text) if _may("declaration-name", text) else ():
        decl = reg.declaration(m.group("name"))
        if decl and not _overlaps(m.start(), m.end(), hits):
            kind: CitedKind = "resolution" if "/RES/" in decl.resolution else "document"
            hits.append(
                Hit(
                    m.start(),
                    m.end(),
                    kind,
                    decl.resolution,
                    "declaration-name",
                    organ=ids.organ_of_symbol(decl.resolution),
                    work=work_of(decl.resolution),
                )
            )
    for m in _re("protocols-thereto").finditer(text) if _may("protocols-thereto", text) else ():
        if not _overlaps(m.start(), m.end(), hits):
            hits.append(Hit(m.start(), m.end(), "treaty", "thereto", "protocols-thereto"))
    generic, pos = _re("treaty-name-generic"), 0
    if not _may("treaty-name-generic", text):
        return
    while (gm := generic.search(text, pos)) is not None:
        # a trimmed name leaves the rest of the match to be searched again
        # ("the TRIPS Agreement and the Paris Protocol")
        pos = max(gm.end(), gm.start() + 1)
        bounds = _generic_name_bounds(gm.group("name"))
        if bounds is None:
            continue
        s, e = gm.start("name") + bounds[0], gm.start("name") + bounds[1]
        pos = max(e, gm.start() + 1)
        target = "treaty-descriptor" if bounds[2] else "treaty-generic"
        if not _overlaps(s, e, hits):
            hits.append(Hit(s, e, "treaty", target, "treaty-name-generic"))


def find_in_text(
    text: str, *, own_symbol: str | None = None, organ: str | None = None
) -> tuple[list[Hit], list[_Miss]]:
    """Every citation in one text, in order of position (the stage's core, pure).

    >>> [h.target for h in find_in_text("Recalling its resolution 66/172 of 19 December 2011,")[0]]
    ['A/RES/66/172']
    """
    ctx = _Context(ids.normalise_symbol(own_symbol) if own_symbol else None, organ)
    hits: list[Hit] = []
    misses: list[_Miss] = []
    _find_resolution_lists(text, ctx, hits, misses)
    _find_symbols(text, hits)
    _find_treaty_series(text, hits)
    _find_treaty_names(text, hits)
    if ctx.own_symbol:
        hits = [h for h in hits if h.target != ctx.own_symbol]
        own_session = ga_session(ctx.own_symbol)
        later = [
            h
            for h in hits
            if h.pattern == "declaration-name"
            and own_session is not None
            and (session := ga_session(h.target)) is not None
            and session > own_session
        ]
        # "the Kyoto Declaration" in a text of the 75th session: the declaration is named
        # before the resolution that later endorsed it, so it is not that resolution
        misses += [_Miss(h.start, h.end, "declaration-adopted-later") for h in later]
        hits = [h for h in hits if h not in later]
    hits.sort(key=lambda h: (h.start, h.end))
    misses.sort(key=lambda x: (x.start, x.end))
    return hits, misses


_GA_SESSION_RE = re.compile(r"A/RES/(?:(\d+)/|\d+\(([IVXL]+)\))")


def ga_session(symbol: str) -> int | None:
    """The regular General Assembly session of a resolution symbol, if it is one.

    >>> ga_session("A/RES/76/181"), ga_session("A/RES/217(III)A"), ga_session("S/RES/1(1946)")
    (76, 3, None)
    """
    m = _GA_SESSION_RE.match(symbol)
    if m is None:
        return None
    return int(m.group(1)) if m.group(1) else roman_to_int(m.group(2))


# ---------------------------------------------------------------------------
# The stage


def _to_citation(
    h: Hit, text: str, text_map: TextMap, clause: str | None, footnote: str | None
) -> Citation:
    return Citation(
        kind=h.kind,
        target=h.target,
        text=text[h.start : h.end],
        span=text_map.span_to_source(h.start, h.end),
        clause=clause,
        footnote=footnote,
        work=h.work,
        organ=h.organ,
        date=h.date,
        title=h.title,
        unts=h.unts,
        pattern=h.pattern,
    )


def _reading_key(res: Resolution) -> Callable[[Citation], tuple[int, int, int]]:
    """Reading order: a footnote's citations stand at the position of its marker."""
    marker_at: dict[str, int] = {}
    for fn in res.footnotes:
        marker_at[fn.key] = _marker_position(res, fn)

    def key(c: Citation) -> tuple[int, int, int]:
        if c.footnote is not None:
            return (marker_at.get(c.footnote, c.span.start), 1, c.span.start)
        return (c.span.start, 0, c.span.start)

    return key


def _marker_position(res: Resolution, fn: Footnote) -> int:
    if fn.marker_span is not None:
        return fn.marker_span.start
    clause = res.clause(fn.anchor) if fn.anchor else None
    if clause is not None:
        for mk in clause.markers:
            if mk.marker == fn.marker:
                return mk.span.start
    return fn.span.start


def find_citations(res: Resolution) -> Resolution:
    """Stage 2b: the citations in every clause and footnote text.

    Resolutions (every form the UN prints, lists one per number), other UN
    document symbols, Treaty Series references, treaty and declaration names.
    "Ibid.", "the Protocols thereto" and unregistered treaty names get
    provisional targets ("ibid", "thereto", "treaty-generic", and "treaty-descriptor"
    for "Additional Protocol I") that
    `resolve_citations` replaces.
    """
    own = res.heading.symbol
    organ = res.heading.organ
    citations: list[Citation] = []
    unresolved: list[Unresolved] = []
    texts: list[tuple[str, TextMap, str | None, str | None]] = [
        (c.text, c.text_map, c.key, None) for c in res.clauses
    ]
    texts += [(f.text, f.text_map, f.anchor, f.key) for f in res.footnotes]
    for text, text_map, clause, footnote in texts:
        hits, misses = find_in_text(text, own_symbol=own, organ=organ)
        citations += [_to_citation(h, text, text_map, clause, footnote) for h in hits]
        unresolved += [
            Unresolved(
                text[m.start : m.end],
                text_map.span_to_source(m.start, m.end),
                m.reason,
                clause,
                footnote,
            )
            for m in misses
        ]
    citations.sort(key=_reading_key(res))
    return replace(
        res,
        citations=(*res.citations, *citations),
        unresolved=(*res.unresolved, *unresolved),
    )


__all__ = ["find_citations", "find_in_text"]
