"""segment() against the gold files of the seed and the four test texts (see tests/data/GOLD.md).

Mapping between gold conventions and the model: gold `anchored_in` "preambular 11" is the
clause key "pp/11", "operative 6" -> "op/6", "operative 6(b)" -> "op/6/b", "annex para 2" ->
"annex/1/2" (the first annex); gold `subparagraph_count` counts sub-items of operative
paragraphs only (keys under "op/"); phrases compare case-insensitively.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from resgraph.model import Resolution, SourceText
from resgraph.parse.segment import segment
from tests.conftest import GOLD_DIR, SEED, SEED_GOLD, TEXT_DIR

CASES: dict[str, tuple[Path, Path]] = {
    "A_RES_67_185": (SEED, SEED_GOLD),
    **{p.stem: (p, GOLD_DIR / f"{p.stem}.json") for p in sorted(TEXT_DIR.glob("*.txt"))},
}

# known gaps, keyed by (case, aspect): none at present; add entries here, never drop a case
XFAIL: dict[tuple[str, str], str] = {}


def _source(path: Path) -> SourceText:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(path.name, text, "text", "utf-8", hashlib.sha256(raw).hexdigest())


@cache
def _parsed(case: str) -> tuple[Resolution, dict[str, Any]]:
    txt, gold = CASES[case]
    return segment(_source(txt)), json.loads(gold.read_text(encoding="utf-8"))


def _anchor_key(gold: str) -> str:
    m = re.fullmatch(r"preambular (\d+)", gold)
    if m:
        return f"pp/{m.group(1)}"
    m = re.fullmatch(r"operative (\d+)(?:\((\w+)\))?(?:\((\w+)\))?", gold)
    if m:
        return "/".join(x for x in ("op", *m.groups()) if x)
    m = re.fullmatch(r"annex para (\d+)", gold)
    if m:
        return f"annex/1/{m.group(1)}"
    return gold


def _check_counts(res: Resolution, gold: dict[str, Any]) -> None:
    pp = [c for c in res.clauses if c.kind == "preambular"]
    op = [c for c in res.clauses if c.kind == "operative"]
    sub = [c for c in res.clauses if c.kind == "subparagraph" and c.key.startswith("op/")]
    assert (len(pp), len(op), len(sub)) == (
        gold["preambular_count"],
        gold["operative_count"],
        gold["subparagraph_count"],
    )


def _check_first_phrase(res: Resolution, gold: dict[str, Any]) -> None:
    first = next(c for c in res.clauses if c.kind == "preambular")
    assert (first.phrase or "").casefold() == gold["first_preambular_phrase"].casefold()


def _check_operative_phrases(res: Resolution, gold: dict[str, Any]) -> None:
    got = [(c.phrase or "").casefold() for c in res.clauses if c.kind == "operative"]
    assert got == [p.casefold() for p in gold["operative_phrases"]]


def _check_footnote_anchors(res: Resolution, gold: dict[str, Any]) -> None:
    got = [(f.marker, f.anchor) for f in res.footnotes]
    want = [(str(f["n"]), _anchor_key(f["anchored_in"])) for f in gold["footnotes"]]
    assert got == want


def _check_footnote_texts(res: Resolution, gold: dict[str, Any]) -> None:
    got = [(f.marker, f.text) for f in res.footnotes]
    want = [(str(f["n"]), f["text"]) for f in gold["footnotes"]]
    assert got == want


def _check_heading(res: Resolution, gold: dict[str, Any]) -> None:
    h = res.heading
    got = {
        "symbol": h.symbol,
        "organ": h.organ,
        "title": h.title,
        "adopted": h.adopted.isoformat() if h.adopted else None,
        "meeting": h.meeting,
        "session": h.session,
        "committee_report": h.committee_report,
        "draft": h.draft,
    }
    assert got == {k: gold[k] for k in got}


def _check_offsets(res: Resolution, gold: dict[str, Any]) -> None:
    """Every mapped character of a derived text is the source character; markers are exact."""
    src = res.source.text
    for item in [*res.clauses, *res.footnotes]:
        for d, s, n in item.text_map.pieces:
            assert item.text[d : d + n] == src[s : s + n], item.key
    for c in res.clauses:
        for m in c.markers:
            assert src[m.span.start : m.span.end] == m.marker, c.key
        if c.phrase and c.phrase_span:
            printed = src[c.phrase_span.start : c.phrase_span.end]
            assert " ".join(printed.split()) == c.phrase, c.key
    for f in res.footnotes:
        if f.marker_span:
            assert src[f.marker_span.start : f.marker_span.end] == f.marker


CHECKS = {
    "counts": _check_counts,
    "first-preambular-phrase": _check_first_phrase,
    "operative-phrases": _check_operative_phrases,
    "footnote-anchors": _check_footnote_anchors,
    "footnote-texts": _check_footnote_texts,
    "heading": _check_heading,
    "offsets": _check_offsets,
}


def _params() -> list[Any]:
    out = []
    for case in CASES:
        for aspect in CHECKS:
            marks = []
            if (case, aspect) in XFAIL:
                marks.append(pytest.mark.xfail(reason=XFAIL[(case, aspect)], strict=True))
            out.append(pytest.param(case, aspect, id=f"{case}-{aspect}", marks=marks))
    return out


@pytest.mark.parametrize(("case", "aspect"), _params())
def test_against_gold(case: str, aspect: str) -> None:
    res, gold = _parsed(case)
    CHECKS[aspect](res, gold)
