"""resgraph.evaluate: the renderer, the metrics, and the text parser measured on the ga75 folder.

The folder (tests/data/akn4un/ga75, 339 AKN4UN resolutions) is measured once per session in a
process pool; each file is one test case (its ODS rendering parsed back gives the XML's
paragraph counts and footnote anchors), known hard files are xfail keyed by file name, and the
issue's targets are asserted on the whole folder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from resgraph.evaluate import (
    VARIANTS,
    EvalReport,
    Extra,
    FileResult,
    Variant,
    compare_documents,
    compare_gold,
    evaluate,
    phrase_matches,
    render_text,
    resolution_work,
    summarize,
    treaty_series_volumes,
)
from resgraph.model import (
    Citation,
    Clause,
    ClauseKind,
    Footnote,
    FootnoteMarker,
    Heading,
    Link,
    Resolution,
    SourceText,
    Span,
    TextMap,
    UntsRef,
)
from resgraph.pipeline import parse_document
from tests.conftest import GOLD_DIR, SEED, TEST_DATA_DIR

GA75 = TEST_DATA_DIR / "akn4un" / "ga75"

# --- small documents -------------------------------------------------------------------------

# (key, kind, number, phrase, text with markers written "^1")
ClauseSpec = tuple[str, ClauseKind, str, str | None, str]


def _doc(
    clauses: list[ClauseSpec],
    notes: Sequence[tuple[str, str, str | None]] = (),
    *,
    links: tuple[str, ...] = (),
    citations: tuple[tuple[str, str | None, str], ...] = (),  # (target, work, text)
    symbol: str = "A/RES/75/999",
) -> Resolution:
    """A document model as a reader would give it: markers and texts mapped into one source."""
    src = ""
    out: list[Clause] = []
    marker_spans: dict[str, Span] = {}
    for key, kind, number, phrase, raw in clauses:
        start = len(src)
        text, pieces, markers = "", [], []
        for i, seg in enumerate(re.split(r"\^(\w+)", raw)):
            if i % 2:
                span = Span(len(src), len(src) + len(seg))
                markers.append(FootnoteMarker(seg, span))
                marker_spans.setdefault(seg, span)
                src += seg
            elif seg:
                pieces.append((len(text), len(src), len(seg)))
                text += seg
                src += seg
        parent = key.rpartition("/")[0] if kind == "subparagraph" else None
        out.append(
            Clause(
                key,
                kind,
                number,
                len(out) + 1,
                parent,
                phrase,
                None,
                text,
                Span(start, len(src)),
                TextMap(tuple(pieces)),
                tuple(markers),
            )
        )
        src += "\n"
    footnotes = []
    for marker, body, anchor in notes:
        start = len(src)
        src += f"{marker} {body}\n"
        footnotes.append(
            Footnote(
                f"fn/{marker}",
                marker,
                body,
                Span(start + len(marker) + 1, start + len(marker) + 1 + len(body)),
                TextMap.identity(start + len(marker) + 1, len(body)),
                anchor,
                marker_spans.get(marker),
            )
        )
    cites = tuple(
        Citation("resolution", t, text, Span(0, 1), None, work=w) for t, w, text in citations
    )
    return Resolution(
        source=SourceText("x.xml", src, "akn4un", "utf-8", ""),
        layout="akn4un",
        heading=Heading(
            symbol=symbol,
            number="75/999.",
            title="Testing the renderer",
            adopted=date(2020, 12, 7),
            meeting="37th plenary meeting",
            session=75,
            agenda_items=("55",),
            committee="Third Committee",
            committee_report="A/75/478",
            report_paragraph="12",
            formula="The General Assembly,",
            distributed=date(2020, 12, 15),
            job_number="20-17000",
        ),
        clauses=tuple(out),
        footnotes=tuple(footnotes),
        citations=cites,
        links=tuple(Link(s, s, Span(0, 1), None) for s in links),
    )


SMALL: list[ClauseSpec] = [
    ("pp/1", "preambular", "1", "Recalling", "Recalling its resolution 74/1 of 1 January 2020,"),
    (
        "pp/2",
        "preambular",
        "2",
        "Reaffirming",
        "Reaffirming the Universal Declaration of Human Rights,^1 in which it is stated that "
        "everyone has the right to life, liberty and security of person, and that no one shall "
        "be held in slavery,",
    ),
    ("op/1", "operative", "1", "Decides", "Decides to remain seized of the matter;"),
    ("op/2", "operative", "2", "Requests", "Requests the Secretary-General:"),
    ("op/2/a", "subparagraph", "a", None, "To report on the Convention^2 at its next session;"),
    ("op/3", "operative", "3", "Also decides", "Also decides to include the item."),
]
SMALL_NOTES = [
    ("1", "Resolution 217 A (III).", "pp/2"),
    ("2", "United Nations, Treaty Series, vol. 2225, No. 39574.", "op/2/a"),
]


# --- the renderer ----------------------------------------------------------------------------


def test_markers_are_glued_after_the_word_they_follow() -> None:
    text = render_text(_doc(SMALL, SMALL_NOTES), "ods")
    assert "Human Rights,1 in which" in text
    assert "the Convention2 at its next session" in text


def test_footnotes_come_at_the_end_after_the_closing_lines() -> None:
    lines = render_text(_doc(SMALL, SMALL_NOTES), "ods").splitlines()
    meeting = lines.index("37th plenary meeting")
    assert lines[meeting + 1] == "7 December 2020"
    fn1 = lines.index("1 Resolution 217 A (III).")
    fn2 = lines.index("2 United Nations, Treaty Series, vol. 2225, No. 39574.")
    assert meeting < fn1 < fn2
    assert all("<<ODS" not in ln for ln in lines[:fn1])


def test_ods_layout() -> None:
    text = render_text(_doc(SMALL, SMALL_NOTES), "ods")
    assert text.startswith("[DU1]\nResolution adopted by the General Assembly on 7 December 2020\n")
    assert "[on the report of the Third Committee (A/75/478, para. 12)]\n" in text
    assert "75/999.\tTesting the renderer\n" in text
    assert "\tThe General Assembly,\n" in text
    assert "\t1.\tDecides to remain seized of the matter;\n" in text
    assert "\t(a)\tTo report" in text
    assert "<<ODS DOC SYMBOL1>>A/RES/75/999<<ODS DOC SYMBOL1>>" in text
    assert "Seventy-fifth session" in text
    assert "\x02" not in text and "\x03" not in text


@pytest.mark.parametrize(
    ("variant", "check"),
    [
        ("ods-spaces", lambda t: "\t" not in t and "    1.    Decides" in t),
        ("ods-crlf", lambda t: "\r\n" in t and "\n" not in t.replace("\r\n", "")),
        (
            "ods-wrapped",
            lambda t: (
                all(len(ln) <= 85 for ln in t.splitlines() if "<<" not in ln)
                and "everyone has the right" in t.replace("\n", " ")
            ),
        ),
        (
            "ods-debris",
            # a page foot and head cut into a long paragraph, mid-sentence
            lambda t: re.search(r"[a-z,]\n\n20-17000\n\n2/\d\n\nA/RES/75/999\nTesting", t),
        ),
        (
            "pdf",
            lambda t: (
                t.startswith("United Nations \nA/RES/75/999\n")
                and "\n1. \nDecides to remain seized of the matter; \n" in t
                and all(len(ln) <= 86 for ln in t.splitlines())
            ),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_variant_layouts(variant: Variant, check: Any) -> None:
    assert check(render_text(_doc(SMALL, SMALL_NOTES), variant))


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_parses_back_to_the_same_structure(variant: Variant) -> None:
    expected = _doc(SMALL, SMALL_NOTES)
    got = parse_document("x.txt", data=render_text(expected, variant).encode())
    r = compare_documents(expected, got)
    assert (r.pp, r.op, r.sub) == ((2, 2), (3, 3), (1, 1)), r.diffs
    assert r.anchors == (2, 2) and r.phrases == (5, 5) and r.unts == (1, 1), r.diffs


def test_pdf_footnotes_follow_the_page_of_their_marker() -> None:
    long = [
        (f"pp/{i}", "preambular", str(i), "Noting", "Noting " + "the text " * 60 + ",")
        for i in range(1, 8)
    ]
    long[5] = ("pp/6", "preambular", "6", "Noting", "Noting the Convention,^1 " + "word " * 40)
    notes = [("1", "United Nations, Treaty Series, vol. 1577, No. 27531.", "pp/6")]
    text = render_text(_doc([*long, SMALL[2]], notes), "pdf")
    rule = text.index("__________________")
    assert text.index("Convention,1") < rule < text.index("1  United Nations, Treaty Series")
    assert rule < text.index("1. \nDecides")  # the block stands between pages, not at the end


# --- the metrics -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("got", "want", "ok"),
    [
        ("Recalling also", "Recalling also", True),
        ("recalling", "Recalling", True),
        ("Strongly condemns", "Condemns", True),
        ("Takes note", "Takes note with appreciation", True),
        ("Also encourages", "Encourages", True),
        ("Notes", "Notes with concern", True),
        ("Decides", "Requests", False),
        ("Takes", "Notes", False),
        (None, "Decides", False),
        ("", "Decides", False),
    ],
    ids=lambda v: repr(v),
)
def test_phrase_matches(got: str | None, want: str, ok: bool) -> None:
    assert phrase_matches(got, want) is ok


@pytest.mark.parametrize(
    ("symbol", "work"),
    [
        ("A/RES/217(III)A", "A/RES/217(III)"),
        ("A/RES/217 A (III)", "A/RES/217(III)"),
        ("A/RES/72/262c", "A/RES/72/262"),
        ("A/RES/61/250C", "A/RES/61/250"),
        ("A/RES/74/92A-B", "A/RES/74/92"),
        ("en/A/RES/70/1", "A/RES/70/1"),
        ("S/RES/1325 (2000)", "S/RES/1325(2000)"),
        ("E/CN.15/RES/20/3", "E/CN.15/RES/20/3"),
        ("A/RES/S-32/1", "A/RES/S-32/1"),
    ],
    ids=lambda v: v,
)
def test_resolution_work(symbol: str, work: str) -> None:
    assert resolution_work(symbol) == work


def test_treaty_series_volumes() -> None:
    assert treaty_series_volumes("Ibid., vol. 2241, No. 39574.", after_treaty_series=True) == {2241}
    assert treaty_series_volumes("Ibid., vol. III (A/75/5 (Vol. III)).") == frozenset()
    assert treaty_series_volumes("United Nations, Treaty Series, vols. 1, 2 and 3.") == {1, 2, 3}
    assert treaty_series_volumes("League of Nations, Treaty Series, vol. XCIV.") == {94}
    assert treaty_series_volumes("See A/75/312, vol. 2.") == frozenset()


def test_identical_documents_score_perfectly() -> None:
    doc = _doc(SMALL, [SMALL_NOTES[0], ("2", "A/75/312.", "op/2/a")])
    r = compare_documents(doc, doc)
    assert r.counts_ok and r.anchors_ok and r.diffs == ()
    assert (r.pp, r.op, r.sub, r.phrases, r.anchors) == ((2, 2), (3, 3), (1, 1), (5, 5), (2, 2))


def test_a_lost_paragraph_is_a_count_error_and_shifts_what_follows() -> None:
    got = _doc([SMALL[0], *SMALL[2:]], [("2", SMALL_NOTES[1][1], "op/2/a")])
    r = compare_documents(_doc(SMALL, SMALL_NOTES), got)
    assert r.pp == (1, 2) and r.op == (3, 3) and not r.counts_ok
    assert r.anchors == (1, 2) and not r.anchors_ok
    assert r.phrases == (4, 5)
    assert r.diffs[0] == "pp 1 != 2"


def test_a_footnote_in_the_wrong_clause() -> None:
    wrong = [(m, t, "op/1" if m == "2" else a) for m, t, a in SMALL_NOTES]
    r = compare_documents(_doc(SMALL, SMALL_NOTES), _doc(SMALL, wrong))
    assert r.anchors == (1, 2)
    assert "fn 2 in ('op', 1) != ('op', 2, 'a')" in r.diffs


def test_a_footnote_in_an_annex_is_not_measured() -> None:
    clauses = [*SMALL, ("annex/1/1", "annex", "1", None, "The annex text^3.")]
    notes = [*SMALL_NOTES, ("3", "A/75/1.", "annex/1/1")]
    r = compare_documents(_doc(clauses, notes), _doc(SMALL, SMALL_NOTES))
    assert r.anchors == (2, 2)


def test_treaty_volumes_and_ibid_per_footnote() -> None:
    expected = _doc(SMALL, [*SMALL_NOTES, ("3", "Ibid., vol. 2237, No. 39574.", "op/3")])
    got = _doc(SMALL, [*SMALL_NOTES, ("3", "Ibid., vol. 2237, No. 39574.", "op/3")])
    fn2, fn3 = got.footnotes[1], got.footnotes[2]
    right = Citation(
        "treaty", "untoc", "vol. 2225", fn2.span, None, footnote="fn/2", unts=(UntsRef(2225),)
    )
    wrong = Citation(
        "treaty", "untoc", "Ibid.", fn3.span, None, footnote="fn/3", unts=(UntsRef(2225),)
    )
    r = compare_documents(expected, replace(got, citations=(right, wrong)))
    assert r.unts == (1, 2) and r.ibid == (1, 1)
    r = compare_documents(expected, replace(got, citations=(right,)))
    assert r.unts == (1, 2) and r.ibid == (0, 1)


def test_linked_symbols_recall_and_extras() -> None:
    expected = _doc(SMALL, links=("A/RES/217(III)", "A/RES/74/1", "A/RES/75/999", "A/75/312"))
    got = _doc(
        SMALL,
        citations=(
            ("A/RES/217(III)A", "A/RES/217(III)", "217 A (III)"),  # a component counts by work
            ("A/RES/73/1", None, "resolution 73/1"),  # not linked: an extra
            ("A/RES/75/999", None, "75/999"),  # its own symbol: neither side
        ),
    )
    r = compare_documents(expected, got, file="x.xml")
    assert r.links == (1, 2)
    assert r.missed == ("A/RES/74/1",)
    assert [(e.file, e.symbol, e.text) for e in r.extras] == [
        ("x.xml", "A/RES/73/1", "resolution 73/1")
    ]


def test_summarize_aggregates_and_orders_the_worst_files() -> None:
    good = FileResult(
        "a.xml", "ods", pp=(2, 2), op=(3, 3), anchors=(4, 4), links=(9, 10), unts=(1, 1)
    )
    bad = FileResult(
        "b.xml", "ods", pp=(1, 2), op=(3, 3), anchors=(1, 4), links=(10, 10), diffs=("pp 1 != 2",)
    )
    extra = Extra("b.xml", "A/RES/1/1", "1/1", "…")
    broken = FileResult("c.xml", "ods", error="ParseError: no", extras=(extra,))
    s = summarize([good, bad, broken])
    assert s.documents == 3 and s.errors == 1
    assert s.counts_exact == (1, 3) and s.pp_exact == (1, 3) and s.op_exact == (2, 3)
    assert s.anchors == (5, 8) and s.links == (19, 20) and s.unts == (1, 1)
    assert s.extras == ()  # a failed file contributes no figures
    assert [r.file for r in s.worst] == ["c.xml", "b.xml"]


def test_compare_gold() -> None:
    got = _doc(
        SMALL,
        SMALL_NOTES,
        citations=(("A/RES/74/1", None, "74/1"), ("A/RES/73/1", None, "73/1")),
    )
    gold = {
        "preambular_count": 2,
        "operative_count": 3,
        "subparagraph_count": 1,
        "first_preambular_phrase": "Recalling",
        "operative_phrases": ["Decides", "Requests", "Notes"],
        "footnotes": [
            {"n": 1, "text": "…", "anchored_in": "preambular 2"},
            {"n": 2, "text": "…", "anchored_in": "operative 2(b)"},
        ],
        "cited_resolutions": ["A/RES/74/1", "A/RES/217(III)A"],
    }
    r = compare_gold(got, gold)
    assert r.counts_ok and r.phrases == (3, 4) and r.anchors == (1, 2)
    assert r.symbols == (1, 2, 2) and r.wrong == ("A/RES/73/1",)
    assert r.missed == ("A/RES/217(III)A",)


def test_evaluate_reports_a_broken_file_and_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<akomaNtoso><oops", encoding="utf-8")
    good = GA75 / "75_100_E.xml"
    report = evaluate([bad, good], ("ods", "pdf"), gold=[SEED.parent])
    assert [v.variant for v in report.variants] == ["ods", "pdf"]
    assert all(v.documents == 2 and v.errors == 1 for v in report.variants)
    assert report.variants[0].worst[0].file == "bad.xml"
    assert report.gold is not None and report.gold.documents == 1
    assert "== variant pdf" in report.table() and report.to_dict()["variants"][1]["errors"] == 1


# --- the ga75 folder -------------------------------------------------------------------------

# Known gaps, keyed by file name: why the rendered text does not parse back to the XML's
# structure. "reader:" the AKN4UN reader's expected side is off; "segment:" a text-parser defect
# (a minimal text reproduces it); the others are texts a plain-text reader cannot settle.
XFAIL: dict[str, str] = {
    "75_274_F.xml": "a French resolution: the text parser reads English phrases only",
}


@pytest.fixture(scope="session")
def ga75() -> EvalReport:
    """The ODS rendering of every ga75 file parsed back and compared (once, 2 processes)."""
    return evaluate([GA75], ("ods",), workers=2)


@pytest.fixture(scope="session")
def ga75_files(ga75: EvalReport) -> dict[str, FileResult]:
    return {r.file: r for r in ga75.results}


def _files() -> list[Any]:
    names = sorted(p.name for p in GA75.glob("*.xml"))
    return [
        pytest.param(
            n, id=n, marks=[pytest.mark.xfail(reason=XFAIL[n], strict=False)] if n in XFAIL else []
        )
        for n in names
    ]


@pytest.mark.parametrize("name", _files())
def test_ga75_text_agrees_with_the_xml(name: str, ga75_files: dict[str, FileResult]) -> None:
    r = ga75_files[name]
    assert r.error is None
    assert (r.pp, r.op) == ((r.pp[1], r.pp[1]), (r.op[1], r.op[1])), r.diffs[:3]
    assert r.anchors_ok, r.diffs[:3]


def test_ga75_every_file_measured(ga75: EvalReport) -> None:
    assert ga75.variants[0].documents == len(list(GA75.glob("*.xml"))) == 339


def _share(pair: tuple[int, int]) -> float:
    return pair[0] / pair[1]


TARGETS = [
    ("documents with exact paragraph counts", "counts_exact", 0.99),
    ("footnotes anchored in the right clause", "anchors", 0.99),
    ("Treaty Series citations with the right volume", "unts", 0.995),
    ("recall of the resolution symbols the XML links", "links", 0.98),
]


# targets not met yet (by how much and which files: see XFAIL and the eval report)
BELOW_TARGET: dict[str, str] = {}


def _targets() -> list[Any]:
    return [
        pytest.param(
            *t,
            id=t[1],
            marks=[pytest.mark.xfail(reason=BELOW_TARGET[t[1]], strict=False)]
            if t[1] in BELOW_TARGET
            else [],
        )
        for t in TARGETS
    ]


@pytest.mark.parametrize(("label", "field", "target"), _targets())
def test_ga75_targets(label: str, field: str, target: float, ga75: EvalReport) -> None:
    figure = getattr(ga75.variants[0], field)
    assert _share(figure) >= target, f"{label}: {figure[0]}/{figure[1]} < {target:.1%}"


def test_gold_files() -> None:
    report = evaluate([], gold=[GOLD_DIR, SEED.parent])
    g = report.gold
    assert g is not None and g.documents == 5 and g.errors == 0
    assert _share(g.precision) >= 0.99


def test_cli_eval_prints_json_and_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from resgraph.cli import main

    path = str(GA75 / "75_100_E.xml")
    assert main(["eval", path, "--variant", "pdf", "--variant", "ods", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["variant"] for v in data["variants"]] == ["pdf", "ods"]
    assert data["variants"][0]["documents"] == 1
    assert main(["eval", path, "--variant", "all", "--worst", "0"]) == 0
    out = capsys.readouterr().out
    assert out.count("== variant") == len(VARIANTS) and "linked resolutions found" in out
    assert main(["eval", "no/such/folder"]) == 2


def test_a_work_in_parts_renders_each_part_and_keeps_their_keys_apart() -> None:
    part_a = _doc(SMALL[:3], [SMALL_NOTES[0]], symbol="A/RES/75/999A")
    part_b = _doc(
        [
            ("pp/1", "preambular", "1", "Noting", "Noting the report of the Committee,^2"),
            ("op/1", "operative", "1", "Requests", "Requests a report on the matter."),
        ],
        [("2", "A/75/312.", "pp/1")],
        symbol="A/RES/75/999B",
    )
    work = replace(
        part_a,
        heading=replace(part_a.heading, symbol="A/RES/75/999"),
        clauses=(),
        footnotes=(),
        parts=(part_a, replace(part_b, heading=replace(part_b.heading, title="Part two"))),
    )
    text = render_text(work, "ods")
    assert "\tA\n\tTesting the renderer\n\n\tThe General Assembly,\n" in text
    assert "\tB\n\tPart two\n\n\tThe General Assembly,\n" in text
    assert text.count("37th plenary meeting\n7 December 2020\n") == 2
    assert text.index("of the Committee,2") < text.index("2 A/75/312.")
    got = parse_document("x.txt", data=text.encode())
    r = compare_documents(work, got)
    assert (r.pp, r.op, r.anchors) == ((3, 3), (2, 2), (2, 2)), r.diffs
    wrong = replace(got, footnotes=tuple(replace(f, anchor="pp/2") for f in got.footnotes))
    assert compare_documents(work, wrong).anchors == (1, 2)  # part B has its own pp/1


def test_sections_are_headed_by_their_letter() -> None:
    clauses = tuple(
        replace(c, section="A" if i < 3 else "B")
        for i, c in enumerate(_doc(SMALL, SMALL_NOTES).clauses)
    )
    text = render_text(replace(_doc(SMALL, SMALL_NOTES), clauses=clauses), "ods")
    assert "The General Assembly,\n\n\tA\n\n\tRecalling" in text
    assert "seized of the matter;\n\n\tB\n\n\t2.\tRequests" in text


def test_the_table_lists_worst_files_missed_links_and_extras() -> None:
    bad = FileResult(
        "b.xml",
        "ods",
        pp=(1, 2),
        links=(1, 2),
        missed=("A/RES/74/1",),
        extras=(Extra("b.xml", "A/RES/73/1", "resolution 73/1", "Recalling resolution 73/1 …"),),
        diffs=("pp 1 != 2", "missed A/RES/74/1"),
    )
    good = FileResult("a.xml", "ods", pp=(2, 2), links=(3, 3))
    table = EvalReport(variants=(summarize([good, bad]),)).table(worst=5)
    assert "paragraph counts exact (pp+op)   50.00% (1/2)" in table
    assert "linked resolutions found         80.00% (4/5)" in table
    assert "    b.xml: pp 1 != 2; missed A/RES/74/1" in table
    assert "    b.xml: A/RES/74/1\n" in table
    assert "    b.xml: A/RES/73/1 [resolution 73/1] … Recalling resolution 73/1 …" in table
    assert "a.xml" not in table
