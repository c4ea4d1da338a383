"""Stage 2c: resolve_citations (footnote binding, Ibid., treaties, register, unresolved)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Literal

import pytest
from citation_factories import document
from conftest import TEST_DATA_DIR

from resgraph.errors import ParseError
from resgraph.model import Citation, Resolution, UntsRef
from resgraph.parse.cite import find_citations, register, roman_to_int
from resgraph.parse.resolve import resolve_citations

UNTOC = "United Nations Convention against Transnational Organized Crime"
SOM = f"Protocol against the Smuggling of Migrants by Land, Sea and Air, supplementing the {UNTOC}"
TIP = (
    "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and "
    f"Children, supplementing the {UNTOC}"
)
SEED_PP15 = (
    f"Stressing the need to implement the {UNTOC},{{2}} the {SOM},{{3}} and the {TIP},{{4}} and"
)
SEED_NOTES = {
    "2": "United Nations, Treaty Series, vol. 2225, No. 39574.",
    "3": "Ibid., vol. 2241, No. 39574.",
    "4": "Ibid., vol. 2237, No. 39574.",
}


def run(clauses: list[str], notes: dict[str, str] | None = None, **kw: object) -> Resolution:
    return resolve_citations(find_citations(document(clauses, notes)), **kw)  # type: ignore[arg-type]


def in_body(res: Resolution, key: str) -> list[Citation]:
    """The citations found in the body of footnote `key` (not the names it was bound to)."""
    fn = next(f for f in res.footnotes if f.key == key)
    return [c for c in res.citations if fn.span.start <= c.span.start < fn.span.end]


def targets(res: Resolution, footnote: str | None = "any") -> list[str]:
    if footnote in (None, "any"):
        return [c.target for c in res.citations if footnote == "any" or c.footnote is None]
    return [c.target for c in in_body(res, footnote)]


def test_ibid_inherits_series_and_overrides_volume() -> None:
    res = run([SEED_PP15], SEED_NOTES)
    assert targets(res, "fn/3") == ["smuggling-of-migrants-protocol"]
    assert targets(res, "fn/4") == ["trafficking-in-persons-protocol"]
    (c,) = in_body(res, "fn/3")
    assert [(u.volume, u.number, u.series) for u in c.unts] == [(2241, "39574", "UNTS")]
    assert res.unresolved == ()


def test_names_before_markers_are_bound_to_their_footnotes() -> None:
    res = run([SEED_PP15], SEED_NOTES)
    named = [
        (c.target, [u.volume for u in c.unts], c.footnote)
        for c in res.citations
        if c.pattern == "treaty-name"
    ]
    assert named == [
        ("untoc", [2225], "fn/2"),
        ("smuggling-of-migrants-protocol", [2241], "fn/3"),
        ("trafficking-in-persons-protocol", [2237], "fn/4"),
    ]


def test_ibid_keeps_a_number_only_override() -> None:
    res = run(
        ["the Fourth Geneva Convention,{1} and the Geneva Convention{2}"],
        {"1": "United Nations, Treaty Series, vol. 75, No. 973.", "2": "Ibid., No. 970."},
    )
    (c,) = in_body(res, "fn/2")
    assert [(u.volume, u.number) for u in c.unts] == [(75, "970")]
    assert c.target == "geneva-convention-i"


def test_bare_ibid_repeats_the_previous_footnote() -> None:
    res = run(
        ["the Covenants,{1} the Declaration{2}"],
        {"1": "Resolution 2200 A (XXI), annex.", "2": "Ibid."},
    )
    assert targets(res, "fn/2") == ["A/RES/2200(XXI)A"]
    (c,) = in_body(res, "fn/2")
    assert (c.kind, c.text, c.work, c.pattern) == ("resolution", "Ibid.", "A/RES/2200(XXI)", "ibid")


def test_ibid_chain_over_several_footnotes() -> None:
    res = run(["a{1} b{2} c{3}"], {"1": "Resolution 70/1.", "2": "Ibid.", "3": "Ibid."})
    assert targets(res) == ["A/RES/70/1", "A/RES/70/1", "A/RES/70/1"]


def test_ibid_without_antecedent_is_kept_unresolved() -> None:
    res = run(["text{1}"], {"1": "Ibid., vol. 2241, No. 39574."})
    assert targets(res) == []
    assert [(u.reason, u.text, u.footnote, u.clause) for u in res.unresolved] == [
        ("ibid-without-antecedent", "Ibid., vol. 2241, No. 39574", "fn/1", "pp/1")
    ]


def test_strict_raises_on_unresolved() -> None:
    res = find_citations(document(["text{1}"], {"1": "Ibid."}))
    with pytest.raises(ParseError, match="ibid-without-antecedent"):
        resolve_citations(res, strict=True)


def test_plural_volumes_expand_to_several_instruments() -> None:
    res = run(
        [f"acceding to the {UNTOC} and the Protocols thereto,{{8}} and"],
        {"8": "United Nations, Treaty Series, vols. 2225, 2237, 2241 and 2326, No. 39574."},
    )
    assert [i.id for i in res.instruments] == [
        "untoc",
        "trafficking-in-persons-protocol",
        "smuggling-of-migrants-protocol",
        "firearms-protocol",
    ]
    thereto = [c.target for c in res.citations if c.pattern == "protocols-thereto"]
    assert thereto == [i.id for i in res.instruments]


def test_protocols_thereto_through_the_register() -> None:
    res = run([f"the {UNTOC} and the Protocols thereto"])
    assert [c.target for c in res.citations if c.pattern == "protocols-thereto"] == [
        "trafficking-in-persons-protocol",
        "smuggling-of-migrants-protocol",
        "firearms-protocol",
    ]


def test_protocols_thereto_antecedent_from_an_earlier_clause() -> None:
    res = run([f"the {UNTOC},", "the Convention and the relevant Protocols thereto"])
    in_pp2 = [c.target for c in res.citations if c.clause == "pp/2"]
    assert in_pp2 == [
        "trafficking-in-persons-protocol",
        "smuggling-of-migrants-protocol",
        "firearms-protocol",
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("the Protocols thereto", "protocols-without-antecedent"),
        (
            "the Charter of the United Nations and the Protocols thereto",
            "protocols-not-in-register",
        ),
        ("the Pretoria Agreement", "treaty-without-series-reference"),
    ],
    ids=["no-antecedent", "no-protocols", "unregistered-no-series"],
)
def test_unresolved_treaties_are_kept(text: str, reason: str) -> None:
    res = run([text])
    assert reason in [u.reason for u in res.unresolved]
    assert "thereto" not in targets(res) and "treaty-generic" not in targets(res)


def test_unregistered_treaty_with_series_reference_becomes_an_instrument() -> None:
    res = run(
        ["Recalling the Agreement between Atlantis and Lemuria Concerning Fish,{1}"],
        {"1": "United Nations, Treaty Series, vol. 3001, No. 55555."},
    )
    (inst,) = res.instruments
    assert (inst.id, inst.label, inst.in_register) == (
        "unts-3001-55555",
        "Agreement between Atlantis and Lemuria Concerning Fish",
        False,
    )
    assert [(u.volume, u.number) for u in inst.unts] == [(3001, "55555")]
    assert res.unresolved == ()


def test_league_of_nations_roman_volume() -> None:
    res = run(
        ["the Geneva Protocol of 1925{1}"],
        {"1": "League of Nations, Treaty Series, vol. XCIV, No. 2138."},
    )
    (c,) = in_body(res, "fn/1")
    assert (c.target, c.unts[0].series, c.unts[0].volume, c.unts[0].volume_as_printed) == (
        "geneva-protocol-1925",
        "LNTS",
        94,
        "XCIV",
    )


def test_shared_registration_number_is_told_apart_by_volume() -> None:
    res = run(
        ["torture{1}"], {"1": "United Nations, Treaty Series, vols. 1465 and 2375, No. 24841."}
    )
    assert [i.id for i in res.instruments] == ["cat", "opcat"]


def test_registered_instrument_carries_register_facts() -> None:
    res = run([f"the {UNTOC}"])
    (inst,) = res.instruments
    assert (inst.label, inst.short_name, inst.adopted_by, inst.annex, inst.in_register) == (
        UNTOC,
        "Organized Crime Convention",
        "A/RES/55/25",
        "annex I",
        True,
    )
    assert [(u.volume, u.page, u.number) for u in inst.unts] == [(2225, 209, "39574")]


def test_footnote_citations_are_bound_to_the_anchor_clause() -> None:
    res = find_citations(document(["first", "second{1}"], {"1": "Resolution 55/2."}))
    # pretend the finder did not know the anchor: resolve binds it
    res = replace(res, citations=tuple(replace(c, clause=None) for c in res.citations))
    (c,) = resolve_citations(res).citations
    assert (c.clause, c.footnote) == ("pp/2", "fn/1")


def test_resolving_twice_changes_nothing() -> None:
    once = run([SEED_PP15], SEED_NOTES)
    assert resolve_citations(once) == once


def test_ibid_inside_a_footnote_repeats_the_reference_before_it() -> None:
    res = run(
        ["CEDAW and its Protocol,{1}"],
        {"1": "United Nations, Treaty Series, vol. 1249, No. 20378; ibid., vol. 2131, No. 20378."},
    )
    assert targets(res, "fn/1") == ["cedaw", "cedaw-op"]


def test_collective_reference_binds_the_convention_to_the_marker_after_thereto() -> None:
    """'the Convention … and the Protocols thereto,8': footnote 8 carries the convention too."""
    res = run(
        [f"acceding to the {UNTOC} and the Protocols thereto,{{8}} and"],
        {"8": "United Nations, Treaty Series, vols. 2225, 2237, 2241 and 2326, No. 39574."},
    )
    (name,) = [c for c in res.citations if c.pattern == "treaty-name"]
    assert (name.target, name.footnote, [u.volume for u in name.unts]) == ("untoc", "fn/8", [2225])


@pytest.mark.parametrize(
    ("clause", "note", "expected"),
    [
        (
            "Recalling the Geneva Conventions of 12 August 1949{2}",
            "United Nations, Treaty Series, vol. 75, Nos. 970–973.",
            [75, 75, 75, 75],
        ),
        (
            "the Protocol for the Prohibition of the Use in War of Asphyxiating, Poisonous or "
            "Other Gases, and of Bacteriological Methods of Warfare, signed at Geneva on "
            "17 June 1925,{1}",
            "League of Nations, Treaty Series, vol. XCIV, No. 2138.",
            [94],
        ),
        (
            "the United Nations Convention on the Law of the Sea (the Convention),{1}",
            "United Nations, Treaty Series, vol. 1833, No. 31363.",
            [1833],
        ),
    ],
    ids=["date-before-marker", "signed-at-on", "short-name-in-parentheses"],
)
def test_name_is_bound_across_dates_and_short_names(
    clause: str, note: str, expected: list[int]
) -> None:
    res = run([clause], {k: note for k in ("1", "2")})
    named = [c for c in res.citations if c.footnote is not None and c.pattern != "unts-reference"]
    named = [c for c in named if c.span.start < res.footnotes[0].span.start]
    assert [u.volume for c in named for u in c.unts] == expected


def test_names_inside_footnotes_get_their_own_series_reference_or_stay_unresolved() -> None:
    res = run(
        ["Bearing in mind the agreement between them,{2}", "and the instruments{3}"],
        {
            "2": "Agreement between Atlantis and Lemuria (United Nations, Treaty Series, "
            "vol. 3001, No. 55555).",
            "3": "These include the Lemuria Fisheries Convention and the Protocols thereto.",
        },
    )
    assert {c.target for c in res.citations} == {"unts-3001-55555"}
    (inst,) = res.instruments
    assert inst.label == "Agreement between Atlantis and Lemuria"
    assert sorted(u.reason for u in res.unresolved) == [
        "protocols-without-antecedent",
        "treaty-without-series-reference",
    ]


@pytest.mark.parametrize(
    ("clause", "note", "expected"),
    [
        (
            "pursuant to article 90 of Protocol I{4}",
            "United Nations, Treaty Series, vol. 1125, No. 17512.",
            ["geneva-ap1"],
        ),
        (
            "the two Additional Protocols of 1977;{4}",
            "United Nations, Treaty Series, vol. 1125, Nos. 17512 and 17513.",
            ["geneva-ap1", "geneva-ap2"],
        ),
        ("the Additional Protocols are open", "", []),
    ],
    ids=["protocol-i-marker", "additional-protocols-marker", "descriptor-without-footnote"],
)
def test_descriptors_name_an_instrument_only_through_their_footnote(
    clause: str, note: str, expected: list[str]
) -> None:
    res = run([clause], {"4": note} if note else None)
    assert [c.target for c in res.citations if c.pattern == "treaty-name-generic"] == expected
    assert res.unresolved == ()


def test_ibid_after_a_footnote_without_identifiable_source_says_so() -> None:
    res = run(
        ["a{1} b{2}"],
        {
            "1": "Report of the World Summit for Lemuria (United Nations publication, "
            "Sales No. E.03.II.A.1), chap. I, resolution 1, annex.",
            "2": "Ibid., annex II.",
        },
    )
    assert targets(res) == []
    assert [(u.reason, u.footnote) for u in res.unresolved] == [
        ("ibid-antecedent-not-identified", "fn/2")
    ]


# Every Treaty Series (volume, registration number) pair cited in the ga75 footnotes must
# be a register entry: the register grows from these footnotes (issue 3). The pairs are
# read with plain regexes, independent of the parser, so a parser gap cannot hide one.
GA75 = TEST_DATA_DIR / "akn4un" / "ga75"
_NOTE_RE = re.compile(r"<authorialNote\b[^>]*>(.*?)</authorialNote>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")
_SERIES_RE = re.compile(r"(League of Nations, )?Treaty Series|\bibid\.", re.I)
_VOL = r"(?:\d+|[IVXLCDM]+)"
_NUM = r"\d+(?:[–-]\d+)?"
_REF_RE = re.compile(
    rf"\bvols?\. (?P<vols>(?:{_VOL}(?:, and |, | and ))*{_VOL}), "
    rf"Nos?\. (?P<nums>(?:{_NUM}(?:, and |, | and ))*{_NUM})"
)
_IBID_NO_RE = re.compile(rf"Ibid\., Nos?\. (?P<nums>(?:{_NUM}(?:, and |, | and ))*{_NUM})")
_LIST_SEP_RE = re.compile(r", and |, | and ")
Series = Literal["UNTS", "LNTS"]


def _numbers(items: str) -> list[str]:
    """'970–973' -> 970 … 973; '17512 and 17513' -> both."""
    out: list[str] = []
    for item in _LIST_SEP_RE.split(items):
        lo, _, hi = item.replace("–", "-").partition("-")
        out += [str(n) for n in range(int(lo), int(hi or lo) + 1)]
    return out


def _ga75_unts_pairs() -> dict[tuple[Series, int, str], list[str]]:
    """(series, volume, number) -> the files whose footnotes cite it."""
    pairs: dict[tuple[Series, int, str], list[str]] = defaultdict(list)
    for path in sorted(GA75.glob("*.xml")):
        series: Series | None = None  # of the last Treaty Series footnote, for "Ibid."
        volume: int | None = None
        for raw in _NOTE_RE.findall(path.read_text(encoding="utf-8")):
            note = " ".join(_TAG_RE.sub("", raw).split())
            ibid_no = _IBID_NO_RE.match(note)
            if ibid_no and series and volume:  # "Ibid., No. 973": the volume is inherited
                for n in _numbers(ibid_no["nums"]):
                    pairs[(series, volume, n)].append(path.name)
                continue
            if not note.startswith("Ibid."):
                series = volume = None
            marks = [(m.start(), m) for m in _SERIES_RE.finditer(note)]
            refs = [(m.start(), m) for m in _REF_RE.finditer(note)]
            for _, m in sorted(marks + refs, key=lambda e: e[0]):
                if m.re is _SERIES_RE:
                    if m[0].lower() != "ibid.":
                        series = "LNTS" if m[1] else "UNTS"
                elif series:
                    vols = [
                        int(v) if v.isdigit() else roman_to_int(v)
                        for v in _LIST_SEP_RE.split(m["vols"])
                    ]
                    volume = vols[-1]
                    for v in vols:
                        for n in _numbers(m["nums"]):
                            pairs[(series, v, n)].append(path.name)
    return pairs


GA75_PAIRS = _ga75_unts_pairs()


def test_ga75_footnotes_cite_treaty_series_pairs() -> None:
    assert {s for s, _, _ in GA75_PAIRS} == {"UNTS", "LNTS"}


@pytest.mark.parametrize(
    ("series", "volume", "number"),
    sorted(GA75_PAIRS),
    ids=[f"{s}-{v}-{n}" for s, v, n in sorted(GA75_PAIRS)],
)
def test_every_ga75_treaty_series_pair_is_registered(
    series: Series, volume: int, number: str
) -> None:
    entry = register().lookup(UntsRef(volume, number=number, series=series))
    files = sorted(set(GA75_PAIRS[(series, volume, number)]))
    assert entry is not None, f"{series} vol. {volume}, No. {number} (cited in {files})"
    assert any((u.series, u.volume, u.number) == (series, volume, number) for u in entry.unts)
