"""The parse stage's shortcuts change time, never output.

- parse/prefilter.py: a regex whose required literals a text lacks is not run; so
  whenever the literals say "cannot match", the regex must indeed find nothing;
- cite._name_alternation: the treaty, declaration and organ names as a prefix tree
  must match exactly what the plain ordered alternation matches (same spans, same name).

Both are checked on random texts built from the patterns' own pieces (hypothesis) and on
every clause and footnote text of the test corpus.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import SEED, TEXT_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from resgraph.model import Resolution
from resgraph.parse.cite import (
    _name_alternation,
    _name_alternatives,
    expand_parts,
    organs,
    patterns,
    regex_parts,
    register,
)
from resgraph.parse.layout import _raw_lines
from resgraph.parse.prefilter import may_match, required_literals
from resgraph.parse.segment import segment
from resgraph.read import _BINARY_CONTROLS, _BINARY_CONTROLS_RE, read_source

# the name patterns of citations.json wrap a name alternation like this
WRAP = r"(?<![\w-])(?P<name>{})(?![\w-])"


@cache
def corpus_texts() -> tuple[str, ...]:
    """Every clause and footnote text of the seed and tests/data/text."""
    out: list[str] = []
    for path in [SEED, *sorted(TEXT_DIR.glob("*.txt"))]:
        res: Resolution = segment(read_source(path))
        out += [c.text for c in res.clauses] + [f.text for f in res.footnotes]
    return tuple(out)


def _matches(rx: re.Pattern[str], text: str) -> list[tuple[int, int, str | None]]:
    return [(m.start(), m.end(), m.groupdict().get("name")) for m in rx.finditer(text)]


# --- required literals ---------------------------------------------------------------

REGEXES = [(f"{pid}[{k}]", rx) for pid, p in patterns().items() for k, rx in enumerate(p.regexes)]


@pytest.mark.parametrize(("label", "rx"), REGEXES, ids=[r[0] for r in REGEXES])
def test_required_literals_never_rule_out_a_corpus_match(label: str, rx: re.Pattern[str]) -> None:
    needs = required_literals(rx)
    for text in corpus_texts():
        if not may_match(needs, text):
            assert rx.search(text) is None, f"{label}: {needs} rule out a text it matches"


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\b[Ii]bid\.", [["bid."]]),
        (r"(?:Add|Corr)\.\d", [["Add", "Corr"], ["."]]),
        (r"x(?:ab)+y", [["ab"], ["x"], ["y"]]),
        (r"(?:of)?\d+", []),  # optional: nothing required
        (r"a|\d", []),  # one alternative needs no literal
        (r"(?i)resolution", []),  # case-insensitive: a literal says nothing
        (r"(?i:res)olution", [["olution"]]),
        (r"[Rr]esolutions?(?=\d)", [["esolution"]]),
    ],
    ids=[
        "ibid",
        "branch",
        "repeat",
        "optional",
        "free-branch",
        "ignorecase",
        "local-flag",
        "class",
    ],
)
def test_required_literals(regex: str, expected: list[list[str]]) -> None:
    got = [sorted(s) for s in required_literals(re.compile(regex))]
    assert sorted(got) == sorted(expected)


PIECES = st.sampled_from(
    ["resolution", "Resolution", "/RES/", "66/172", "Ibid.", "ibid", "United Nations", ",",
     " ", "Treaty Series", "vol. 12", "Protocol", "Convention", "(", ")", "2011", "A/", "5/",
     "Add.1", "and", "of the", "Council", "decisions", "\u00a0", "thereto", "Declaration"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_required_literals_never_rule_out_a_random_match(text: str) -> None:
    for label, rx in REGEXES:
        if not may_match(required_literals(rx), text):
            assert rx.search(text) is None, f"{label} matches {text!r}"


# --- the name tree ---------------------------------------------------------------


def _name_sets() -> list[tuple[str, list[str]]]:
    reg = register()
    return [
        ("treaty", [n for t in reg.treaties for n in (t.name, *t.aliases, *t.short_names)]),
        ("declaration", [n for d in reg.declarations for n in (d.name, *d.aliases)]),
        ("organ", [n for o in organs() for n in (o.name, *o.aliases)]),
    ]


@pytest.mark.parametrize(("kind", "names"), _name_sets(), ids=[k for k, _ in _name_sets()])
def test_name_tree_matches_the_plain_alternation_on_the_corpus(kind: str, names: list[str]) -> None:
    plain = re.compile(WRAP.format("(?:" + "|".join(_name_alternatives(names)) + ")"))
    tree = re.compile(WRAP.format(_name_alternation(names)))
    assert tree.pattern != plain.pattern  # the tree is in use (else this test proves nothing)
    # each name as printed, lower-cased, glued to the next and inside running text
    samples = [*corpus_texts(), " ".join(names), "-".join(names), " and ".join(names).lower()]
    for text in samples:
        assert _matches(tree, text) == _matches(plain, text), text[:200]


NAME_WORDS = st.sampled_from(
    ["Convention", "convention", "on", "On", "the", "Rights", "of", "Child", "Protocol",
     "Protocols", "C", "Co", "-", "Non", "A"]
)  # fmt: skip
NAMES = st.lists(st.lists(NAME_WORDS, min_size=1, max_size=5), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(NAMES, st.lists(NAME_WORDS | st.sampled_from([" ", "  ", "\u00a0", "\u2011", ","])))
def test_name_tree_matches_the_plain_alternation_on_random_names(
    words: list[list[str]], text_pieces: list[str]
) -> None:
    names = [" ".join(w).replace(" - ", "-") for w in words]
    plain = re.compile(WRAP.format("(?:" + "|".join(_name_alternatives(names)) + ")"))
    tree = re.compile(WRAP.format(_name_alternation(names)))
    text = " ".join(text_pieces)
    for sample in (text, "".join(text_pieces), " ".join(names), ", ".join(names)):
        assert _matches(tree, sample) == _matches(plain, sample), (names, sample)


def test_name_parts_are_trees() -> None:
    parts = regex_parts()
    for name in ("treaty_name", "declaration_name", "organ"):
        # a plain alternation of N names has N-1 bars at its top level; the tree far fewer
        assert parts[name].count("|") < len(parts[name]) // 40, name
    assert expand_parts("$organ", parts) == parts["organ"]


# --- what the patterns derive, kept between processes --------------------------------

DERIVED_CASES = [
    ("missing", None),
    ("written-for-other-files", '{"key": "other", "parts": {}, "needs": {}}'),
    ("corrupt", '{"key": '),
    ("wrong-types", None),  # the right key, a fragment that is not a string
]


@pytest.mark.parametrize(("case", "text"), DERIVED_CASES, ids=[c[0] for c in DERIVED_CASES])
def test_kept_derived_data_is_what_the_functions_compute(
    case: str, text: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cite.load_derived: a missing, stale or bad file is computed and written again; a
    written file gives back exactly the fragments and the required literals."""
    from resgraph.parse import cite

    path = tmp_path / "derived.json"
    if case == "wrong-types":
        monkeypatch.setattr(cite, "_derived", {})
        cite.load_derived(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["parts"]["gap"] = 1
        text = json.dumps(data)
    if text is not None:
        path.write_text(text, encoding="utf-8")
    want_parts = dict(regex_parts())
    want_needs = {
        pid: tuple(required_literals(r) for r in p.regexes) for pid, p in patterns().items()
    }
    monkeypatch.setattr(cite, "_derived", {})
    cite.load_derived(path)  # computes: the file did not vouch for these patterns
    assert "parts" not in cite._derived
    monkeypatch.setattr(cite, "_derived", {})
    cite.load_derived(path)  # reads what the first call wrote
    assert cite._derived["parts"] == want_parts
    assert cite._derived["needs"] == want_needs
    # the regexes built from the kept code are re.compile's: same code, flags and groups
    for pid, p in patterns().items():
        kept = cite._kept_regexes(pid, p.sources)
        assert kept is not None, pid
        for rx, src in zip(kept, p.sources, strict=True):
            want = re.compile(src)
            assert (rx, rx.groups, rx.groupindex) == (want, want.groups, want.groupindex), pid
    # code the engine refuses is compiled instead, never used
    monkeypatch.setitem(cite._derived, "compiled", {"ibid": json.dumps([[32, [1, 2], 0, {}, []]])})
    assert cite._kept_regexes("ibid", patterns()["ibid"].sources) is None


# --- lines and control characters ---------------------------------------------------


def _lines_by_regex(text: str) -> list[tuple[int, str]]:
    """The line rule as one regex match per line (how split_lines cut lines before)."""
    out = []
    for k, m in enumerate(re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text)):
        if m.start() == len(text) and m.end() == m.start() and k > 0:
            break
        out.append((m.start(), m.group(0).rstrip("\r\n")))
    return out


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="a \t\n\f\u00a0", max_size=40))
def test_lines_of_an_lf_text_are_those_of_the_regex_rule(text: str) -> None:
    assert list(_raw_lines(text)) == _lines_by_regex(text)
    with_cr = text.replace("\n", "\r\n")
    assert list(_raw_lines(with_cr)) == _lines_by_regex(with_cr)


def test_control_character_class_is_the_control_set() -> None:
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        assert bool(_BINARY_CONTROLS_RE.fullmatch(chr(code))) == (code in _BINARY_CONTROLS), code
