"""The treaty register's place and date of adoption (resgraph/patterns/treaties.json).

Each check is a function returning the problems of one entry, run over every entry that
carries the facts and over deliberately wrong entries (so every check can fail). The
places an entry may name are the controlled list resgraph/patterns/places.json.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import PROJECT_DIR, TEST_DATA_DIR

from resgraph.resources import ontology_dir, patterns_dir

Entry = dict[str, Any]

REGISTER: dict[str, Any] = json.loads((patterns_dir() / "treaties.json").read_text("utf-8"))
TREATIES: list[Entry] = REGISTER["treaties"]
PLACES: list[dict[str, str]] = json.loads((patterns_dir() / "places.json").read_text("utf-8"))[
    "places"
]
PLACE_NAMES = {p["name"] for p in PLACES}
ADOPTED = [t for t in TREATIES if t.get("adoption_date")]
AKN_DIR = TEST_DATA_DIR / "akn4un" / "ga75"

# the League of Nations Treaty Series registered treaties until 1946
LNTS_LAST_YEAR = 1946
# a treaty registered late (not ex officio at entry into force) makes a volume look older
# than it is: allow this many years before calling an adoption date impossible
ERA_TOLERANCE_YEARS = 2

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_FULL_DATE = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}) (\d{{4}})\b")
_MONTH_NO = {m: i for i, m in enumerate(_MONTHS.split("|"), start=1)}
_QUOTED = re.compile(r"^corpus: (?P<path>\S+) \((?P<where>\w+(?:, \w+)*): '(?P<quote>[^']+)'\)$")


def _iso(value: str) -> date:
    return date.fromisoformat(value)


def _names(t: Entry) -> list[str]:
    return [t["name"], *t.get("aliases", []), *t.get("short_names", [])]


# ---- the checks ----------------------------------------------------------------------


def date_problems(t: Entry) -> list[str]:
    """Adoption and adopting-resolution dates are real ISO dates, not after entry into force."""
    out = []
    for key in ("adoption_date", "adopted_by_date"):
        if t.get(key):
            try:
                _iso(t[key])
            except ValueError:
                out.append(f"{key} {t[key]!r} is not a date")
    if out or not t.get("adoption_date"):
        return out
    adopted = _iso(t["adoption_date"])
    if t.get("entry_into_force") and adopted > _iso(t["entry_into_force"]):
        out.append(f"adopted {adopted} after entry into force {t['entry_into_force']}")
    if any(u["series"] == "LNTS" for u in t.get("unts", [])) and adopted.year > LNTS_LAST_YEAR:
        out.append(f"adopted {adopted.year}, after the League of Nations Treaty Series")
    return out


def name_problems(t: Entry) -> list[str]:
    """A year or date the treaty's own name carries is its adoption's, unless a note says why."""
    if not t.get("adoption_date") or t.get("adoption_note"):
        return []
    adopted = _iso(t["adoption_date"])
    out = []
    for name in _names(t):
        full = _FULL_DATE.search(name)
        year = _YEAR.search(name)
        if full:
            named = date(int(full[3]), _MONTH_NO[full[2]], int(full[1]))
            if named != adopted:
                out.append(f"{name!r} names {named}, adopted {adopted}")
        elif year and int(year[1]) != adopted.year:
            out.append(f"{name!r} names {year[1]}, adopted {adopted.year}")
    return out


def resolution_problems(t: Entry) -> list[str]:
    """A treaty adopted by a dated GA resolution is adopted on that date, unless a note says why."""
    if not (t.get("adoption_date") and t.get("adopted_by_date")) or t.get("adoption_note"):
        return []
    if t["adoption_date"] != t["adopted_by_date"]:
        return [f"adopted {t['adoption_date']}, its resolution {t['adopted_by_date']}"]
    return []


def place_problems(t: Entry, places: set[str]) -> list[str]:
    place = t.get("adoption_place")
    if t.get("adoption_date") and not place:
        return ["an adoption date without a place"]
    if place and place not in places:
        return [f"place {place!r} is not in places.json"]
    return []


def source_problems(t: Entry) -> list[str]:
    sources = t.get("sources", {})
    out = []
    for fact, key in (("adoption_date", "adoption"), ("adopted_by_date", "adopted_by_date")):
        if t.get(fact) and not sources.get(key):
            out.append(f"{fact} has no source under sources.{key}")
    return out


def era_anchors(treaties: list[Entry]) -> list[tuple[int, int]]:
    """(UNTS volume, year of entry into force): a treaty the Secretary-General registers ex officio
    is registered when it enters into force, and volume numbers grow with registration time."""
    return sorted(
        (u["volume"], _iso(t["entry_into_force"]).year)
        for t in treaties
        if t.get("entry_into_force")
        for u in t.get("unts", [])
        if u["series"] == "UNTS"
    )


def era_problems(t: Entry, anchors: list[tuple[int, int]]) -> list[str]:
    """A treaty in UNTS volume V was adopted before any treaty of a later volume was registered."""
    if not t.get("adoption_date"):
        return []
    year = _iso(t["adoption_date"]).year
    out = []
    for u in t.get("unts", []):
        later = [y for v, y in anchors if u["series"] == "UNTS" and v >= u["volume"]]
        if later and year > min(later) + ERA_TOLERANCE_YEARS:
            out.append(f"adopted {year}, but volume {u['volume']} was filled by {min(later)}")
    return out


# ---- the register --------------------------------------------------------------------


@pytest.mark.parametrize("t", ADOPTED, ids=[t["id"] for t in ADOPTED])
def test_adoption_dates_are_dates_before_entry_into_force(t: Entry) -> None:
    assert date_problems(t) == []


@pytest.mark.parametrize("t", ADOPTED, ids=[t["id"] for t in ADOPTED])
def test_adoption_agrees_with_the_year_in_the_name(t: Entry) -> None:
    assert name_problems(t) == []


@pytest.mark.parametrize("t", ADOPTED, ids=[t["id"] for t in ADOPTED])
def test_adoption_agrees_with_the_adopting_resolution(t: Entry) -> None:
    assert resolution_problems(t) == []


@pytest.mark.parametrize("t", ADOPTED, ids=[t["id"] for t in ADOPTED])
def test_adoption_place_is_a_listed_place(t: Entry) -> None:
    assert place_problems(t, PLACE_NAMES) == []


@pytest.mark.parametrize("t", TREATIES, ids=[t["id"] for t in TREATIES])
def test_adoption_facts_have_sources(t: Entry) -> None:
    assert source_problems(t) == []


@pytest.mark.parametrize("t", ADOPTED, ids=[t["id"] for t in ADOPTED])
def test_adoption_fits_the_treaty_series_volume(t: Entry) -> None:
    assert era_problems(t, era_anchors(TREATIES)) == []


def test_treaty_series_volumes_grow_with_time() -> None:
    """The anchors of the era check are themselves monotonic (within a year)."""
    anchors = era_anchors(TREATIES)
    assert len(anchors) > 1
    for (v1, y1), (v2, y2) in pairwise(anchors):
        assert y2 >= y1 - 1, f"vol. {v1} entered into force {y1}, vol. {v2} in {y2}"


def test_a_note_is_only_kept_where_a_check_needs_it() -> None:
    """adoption_note excuses a mismatch: an entry whose facts agree must not carry one."""
    idle = []
    for t in ADOPTED:
        if t.get("adoption_note"):
            bare = {k: v for k, v in t.items() if k != "adoption_note"}
            if not name_problems(bare) and not resolution_problems(bare):
                idle.append(t["id"])
    assert idle == []


# ---- sources that quote the corpus ---------------------------------------------------


def _plain(path: Path) -> str:
    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return " ".join(html.unescape(text).split())


ADOPTION_KEYS = ("adoption", "adopted_by_date")
QUOTES = [
    (t["id"], s)
    for t in TREATIES
    for key, s in ((k, s) for k, v in t["sources"].items() for s in v)
    # every corpus source of the adoption facts; elsewhere, those quoting an element by eId
    if (s.startswith("corpus:") if key in ADOPTION_KEYS else _QUOTED.match(s))
]


def quote_problems(source: str) -> list[str]:
    """A corpus source `corpus: PATH (EID[, EID]: 'QUOTE')` quotes the element it names."""
    m = _QUOTED.match(source)
    if not m:
        return ["not in the form corpus: PATH (EID: 'QUOTE')"]
    path = PROJECT_DIR / m["path"]
    if not path.is_file():
        return [f"no file {m['path']}"]
    quote = " ".join(m["quote"].split())
    if quote not in _plain(path):
        return [f"{path.name} does not say {quote!r}"]
    # the quote lies inside the cited element (the last eId, inside the ones before it)
    element = ElementTree.parse(path).getroot()
    for eid in m["where"].split(", "):
        found = [e for e in element.iter() if e.get("eId") == eid]
        if len(found) != 1:
            return [f"{len(found)} elements {eid} in {path.name}"]
        element = found[0]
    if quote not in " ".join("".join(element.itertext()).split()):
        return [f"{m['where']} does not say {quote!r}"]
    return []


@pytest.mark.parametrize(
    ("tid", "source"), QUOTES, ids=[f"{tid}-{i}" for i, (tid, _) in enumerate(QUOTES)]
)
def test_corpus_quote_occurs_in_its_file(tid: str, source: str) -> None:
    assert quote_problems(source) == []


_Q = "corpus: tests/data/akn4un/ga75/75_46_E.xml ({}: '{}')"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (_Q.format("container_4", "signed at Geneva on 17 June 1925"), ""),
        (_Q.format("container_4", "signed at Paris on 17 June 1925"), "does not say"),
        (_Q.format("container_3", "signed at Geneva on 17 June 1925"), "container_3 does not"),
        (_Q.format("container_999", "signed at Geneva on 17 June 1925"), "0 elements"),
        ("corpus: tests/data/akn4un/ga75/75_46_E.xml ('signed at Geneva')", "not in the form"),
        (_Q.format("container_4", "x").replace("75_46_E", "75_0_E"), "no file"),
    ],
    ids=["good", "misquoted", "wrong-element", "no-element", "no-element-named", "no-file"],
)
def test_quote_check_finds_what_is_wrong(source: str, expected: str) -> None:
    problems = quote_problems(source)
    if expected:
        assert any(expected in p for p in problems), problems
    else:
        assert problems == []


def _printed(symbol: str) -> str | None:
    """How resolutions print a GA symbol: A/RES/2200(XXI)A -> '2200 A (XXI)'.

    >>> _printed("A/RES/55/25"), _printed("A/RES/2222(XXI)"), _printed("S/RES/1"), _printed("A/x")
    ('55/25', '2222 (XXI)', None, None)
    """
    m = re.fullmatch(r"A/RES/(\d+)\(([IVXLC]+)\)([A-Z]?)", symbol)
    if m:
        return f"{m[1]} {m[3]} ({m[2]})" if m[3] else f"{m[1]} ({m[2]})"
    m = re.fullmatch(r"A/RES/(\d+/\d+)([A-Z]?)", symbol)
    if m:
        return f"{m[1]} {m[2]}" if m[2] else m[1]
    return None


@cache
def corpus_text() -> str:
    return "\n".join(_plain(p) for p in sorted(AKN_DIR.glob("*.xml")))


def test_adopting_resolution_dates_agree_with_the_corpus() -> None:
    """Where a GA75 resolution cites an adopting resolution with its date, the register agrees."""
    seen = 0
    text = corpus_text()
    for t in TREATIES:
        printed = _printed(t["adopted_by"] or "")
        if not printed or not t.get("adopted_by_date"):
            continue
        rx = re.compile(rf"(?<![\d/]){re.escape(printed)} of (\d{{1,2}}) ({_MONTHS}) (\d{{4}})")
        for m in rx.finditer(text):
            seen += 1
            cited = date(int(m[3]), _MONTH_NO[m[2]], int(m[1])).isoformat()
            assert cited == t["adopted_by_date"], (t["id"], m[0])
    assert seen, "no adopting resolution is cited with its date: the check checks nothing"


# ---- the places list -----------------------------------------------------------------


def test_places_are_unique_and_used() -> None:
    names = [p["name"] for p in PLACES]
    assert len(names) == len(set(names))
    used = {t["adoption_place"] for t in ADOPTED}
    assert sorted(set(names) - used) == [], "listed places no register entry uses"
    assert sorted(used - set(names)) == []


@pytest.mark.parametrize("place", PLACES, ids=[p["name"] for p in PLACES])
def test_place_is_a_city_name(place: dict[str, str]) -> None:
    name = place["name"]
    assert name == " ".join(name.split()) and name[0].isupper()
    assert not re.search(r"\d|,|;| and ", name), "one city, not a list or a date"
    assert re.fullmatch(r"[A-Z]{2}", place["country"])


# ---- the published register ----------------------------------------------------------


def test_adoption_is_published_with_its_source() -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS, RDF

    from resgraph import ids

    rg = "https://w3id.org/resgraph/ontology#"
    g = Graph().parse(ontology_dir() / "treaties.ttl")
    assert ADOPTED
    for t in ADOPTED:
        node = URIRef(ids.treaty_iri(t["id"]))
        assert str(g.value(node, URIRef(rg + "adoptionDate"))) == t["adoption_date"], t["id"]
        assert str(g.value(node, URIRef(rg + "adoptionPlace"))) == t["adoption_place"], t["id"]
        statements = [
            st
            for st in g.subjects(RDF.subject, node)
            if g.value(st, RDF.predicate) == URIRef(rg + "adoptionDate")
        ]
        assert statements and all(g.value(st, DCTERMS.source) for st in statements), t["id"]


# ---- every check can fail ------------------------------------------------------------

GOOD: Entry = {
    "id": "x",
    "name": "X Convention, 1999",
    "aliases": [],
    "short_names": [],
    "adopted_by": "A/RES/54/1",
    "adopted_by_date": "1999-12-01",
    "adoption_date": "1999-12-01",
    "adoption_place": "Geneva",
    "adoption_event": "adopted",
    "entry_into_force": "2001-01-01",
    "unts": [{"series": "UNTS", "volume": 2100, "page": 1, "number": "1"}],
    "sources": {"name": ["x"], "adoption": ["x"], "adopted_by_date": ["x"]},
}
ANCHORS = [(2000, 1998), (2200, 2001)]


def _bad(**changes: Any) -> Entry:
    return {**GOOD, **changes}


@pytest.mark.parametrize(
    ("check", "entry", "expected"),
    [
        (date_problems, GOOD, ""),
        (date_problems, _bad(adoption_date="1999-02-30"), "not a date"),
        (date_problems, _bad(entry_into_force="1999-01-01"), "after entry into force"),
        (
            date_problems,
            _bad(unts=[{"series": "LNTS", "volume": 9, "page": 1, "number": "1"}]),
            "League of Nations",
        ),
        (name_problems, GOOD, ""),
        (name_problems, _bad(name="X Convention, 1998"), "names 1998"),
        (name_problems, _bad(aliases=["X of 2 December 1999"]), "names 1999-12-02"),
        (name_problems, _bad(name="X of 1954", adoption_note="the year is its parent's"), ""),
        (resolution_problems, GOOD, ""),
        (resolution_problems, _bad(adopted_by_date="1999-11-30"), "its resolution"),
        (resolution_problems, _bad(adopted_by_date="1999-11-30", adoption_note="n"), ""),
        (source_problems, GOOD, ""),
        (source_problems, _bad(sources={"name": ["x"], "adoption": ["x"]}), "adopted_by_date"),
        (source_problems, _bad(sources={"name": ["x"]}), "sources.adoption"),
    ],
    ids=[
        "good-dates",
        "impossible-date",
        "after-entry-into-force",
        "lnts-too-late",
        "good-name",
        "name-year",
        "name-full-date",
        "name-year-noted",
        "good-resolution",
        "resolution-date",
        "resolution-date-noted",
        "good-sources",
        "no-resolution-date-source",
        "no-adoption-source",
    ],
)
def test_checks_find_what_is_wrong(check: Any, entry: Entry, expected: str) -> None:
    problems = check(entry)
    if expected:
        assert any(expected in p for p in problems), problems
    else:
        assert problems == []


@pytest.mark.parametrize(
    ("entry", "places", "anchors", "expected"),
    [
        (GOOD, {"Geneva"}, ANCHORS, ""),
        (_bad(adoption_place="Genève"), {"Geneva"}, ANCHORS, "not in places.json"),
        (_bad(adoption_place=None), {"Geneva"}, ANCHORS, "without a place"),
        (_bad(adoption_date="2005-01-01"), {"Geneva"}, ANCHORS, "was filled by 2001"),
        (_bad(adoption_date="2003-01-01"), {"Geneva"}, ANCHORS, ""),  # within the tolerance
    ],
    ids=["good", "unlisted-place", "no-place", "too-late-for-its-volume", "tolerated"],
)
def test_place_and_era_checks_find_what_is_wrong(
    entry: Entry, places: set[str], anchors: list[tuple[int, int]], expected: str
) -> None:
    problems = place_problems(entry, places) + era_problems(entry, anchors)
    if expected:
        assert any(expected in p for p in problems), problems
    else:
        assert problems == []
