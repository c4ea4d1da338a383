"""Property-based fuzzing: mutated and random resolutions never crash, hang or break the RDF.

Inputs are real resolutions from tests/data (the seed, the text layouts, a few
AKN4UN XML files), cut to a window of lines and mutated: lines dropped,
duplicated, shuffled, truncated, paragraph markers and symbols corrupted,
hostile characters inserted (NUL, controls, lone surrogates, BOM, RTL marks,
line separators, noncharacters), then encoded as UTF-8, UTF-8 with BOM, UTF-16
or bytes that are not valid in any of them. The properties:

1. reading and parsing raise nothing but resgraph's own errors (errors.py);
2. no input takes longer than the deadline (a hang is a failure, not a wait);
3. the graph of every input that parses serialises and re-parses: N-Quads
   through pyoxigraph (the store's path) for every case; every export format
   (Turtle, JSON-LD, N-Triples, TriG, each re-parsed by export.py) for a share
   of them, as that costs ~1 s a case.

Profiles: HYPOTHESIS_PROFILE=full runs 10,000 cases of (1)-(3) and 1,000 of the
export check; the default (CI) runs 300 and 30.
"""

from __future__ import annotations

import faulthandler
import os
import random
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEED, TEST_DATA_DIR, TEXT_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset

from resgraph.corpus_store import to_oxigraph
from resgraph.errors import ResgraphError
from resgraph.export import export_dataset
from resgraph.pipeline import parse_document
from resgraph.to_rdf import document_to_graph

FULL = os.environ.get("HYPOTHESIS_PROFILE", "") == "full"
_COMMON = {
    "database": None,  # no .hypothesis/ folder in the repository
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    # a real hang is caught by the watchdog below; this catches the merely slow
    "deadline": timedelta(seconds=20),
    "derandomize": not FULL,  # CI: the same cases every run; full: new ones each run
}
PARSE_SETTINGS = settings(max_examples=10_000 if FULL else 300, **_COMMON)  # type: ignore[arg-type]
EXPORT_SETTINGS = settings(max_examples=1_000 if FULL else 30, **_COMMON)  # type: ignore[arg-type]
# seconds before a single case is declared hung: the watchdog dumps every thread's
# stack and ends the process (a regex stuck in C cannot be interrupted otherwise)
HANG_SECONDS = 120

AKN_FILES = ("75_19_E.xml", "75_148_E.xml", "75_1_E.xml")
BASES: list[tuple[str, str]] = [
    (p.name, p.read_text(encoding="utf-8"))
    for p in [SEED, *sorted(TEXT_DIR.glob("*.txt"))]
    + [TEST_DATA_DIR / "akn4un" / "ga75" / n for n in AKN_FILES]
    if p.is_file()
]

HOSTILE = [
    "\x00",
    "\x01",
    "\x07",
    "\x0b",
    "\x0c",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\ud800",
    "\udfff",
    "\ufeff",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u2028",
    "\u2029",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "e\u0301",
    "\r",
    "\r\n",
    "\t",
    " ",
    "<",
    ">",
    "&",
    '"',
    "\\",
    "\\u0000",
    "&#0;",
    "&#xD800;",
    "]]>",
    "<script>alert(1)</script>",
    "http://x y/",
    "A/RES/",
    "A/RES/67/",
    "resolution 1/1",
    "(a)",
    "1.",
    "12 ",
    "_____",
    "Annex",
]
SYMBOLS = re.compile(r"\b[AES](?:/[A-Z0-9.\-]+)+|\b\d{1,4}/\d{1,4}\b|\(\d{4}\)")
SYMBOL_NOISE = [
    "A/RES/",
    "A//RES/1",
    "A/RES/99999999999999999999/1",
    "S/RES/-1 (0000)",
    "A/RES/67/185/185/185",
    "A/RES/ 67 / 185",
    "E/RES/0/0",
    "A/RES/\u0663\u0667/1",
    "A/RES/67\u00a0/185",
    "0/0",
    "(9999)",
    "",
]


def _mutate(rnd: random.Random, text: str, xml: bool = False) -> str:
    lines = text.split("\n")
    if not xml and len(lines) > 8 and rnd.random() < 0.7:
        # the heading (where the formula is) and a window of the rest: cases stay small
        # and most of them are still read as a resolution
        head = rnd.randint(0, 30)
        start = rnd.randrange(len(lines))
        lines = lines[:head] + lines[max(head, start) : max(head, start) + rnd.randint(1, 80)]
    for _ in range(rnd.randint(0, 8)):
        if not lines:
            lines = [""]
        # XML: in-line damage mostly (a dropped line is almost always a well-formedness error)
        op = rnd.choice((4, 5, 6, 6, 0)) if xml else rnd.randrange(9)
        i = rnd.randrange(len(lines))
        if op == 0:  # drop a line
            del lines[i]
        elif op == 1:  # duplicate a line (or a run of lines)
            lines[i:i] = lines[i : i + rnd.randint(1, 5)] * rnd.randint(1, 3)
        elif op == 2:  # shuffle a block
            block = lines[i : i + rnd.randint(2, 12)]
            rnd.shuffle(block)
            lines[i : i + len(block)] = block
        elif op == 3:  # truncate, possibly mid-line
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: rnd.randint(0, len(lines[-1]))]
        elif op == 4:  # corrupt the markers: paragraph numbers, footnote numbers, (a)
            lines[i] = re.sub(
                r"\d+|\(([a-z])\)|\.",
                lambda m: rnd.choice(["", "0", "999", "1.", "(", ")", "a", m.group(0) * 2]),
                lines[i],
                count=rnd.randint(1, 3),
            )
        elif op == 5:  # corrupt the symbols
            lines[i] = SYMBOLS.sub(lambda m: rnd.choice(SYMBOL_NOISE), lines[i])
        elif op == 6:  # hostile characters anywhere in a line
            pos = rnd.randint(0, len(lines[i]))
            lines[i] = lines[i][:pos] + rnd.choice(HOSTILE) * rnd.randint(1, 3) + lines[i][pos:]
        elif op == 7:  # join with the next line, or split a line
            if i + 1 < len(lines) and rnd.random() < 0.5:
                lines[i : i + 2] = [lines[i] + " " + lines[i + 1]]
            else:
                pos = rnd.randint(0, len(lines[i]))
                lines[i : i + 1] = [lines[i][:pos], lines[i][pos:]]
        else:  # indent or strip
            lines[i] = rnd.choice(["    ", "\t", ""]) + lines[i].strip()
    return "\n".join(lines)


def _encode(rnd: random.Random, text: str) -> bytes:
    choice = rnd.randrange(14)
    if choice < 10:
        data = text.encode("utf-8", errors="surrogatepass")
    elif choice == 10:
        data = b"\xef\xbb\xbf" + text.encode("utf-8", errors="surrogatepass")
    elif choice == 11:
        data = text.encode("utf-16", errors="surrogatepass")
    elif choice == 12:
        data = text.encode("cp1252", errors="replace")
    else:  # flip a few bytes
        raw = bytearray(text.encode("utf-8", errors="surrogatepass"))
        for _ in range(rnd.randint(1, 4)):
            if raw:
                raw[rnd.randrange(len(raw))] = rnd.randrange(256)
        data = bytes(raw)
    return data


@st.composite
def mutated_inputs(draw: st.DrawFn) -> tuple[str, bytes]:
    """(name, bytes): a real resolution, windowed and mutated."""
    name, text = draw(st.sampled_from(BASES))
    rnd = draw(st.randoms(use_true_random=False))
    return name, _encode(rnd, _mutate(rnd, text, xml=name.endswith(".xml")))


random_texts = st.tuples(
    st.sampled_from(["random.txt", "random.xml"]),
    st.text(
        alphabet=st.characters(codec=None, exclude_categories=()),
        min_size=1,
        max_size=400,
    ).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
)


def _build(name: str, data: bytes) -> Dataset | None:
    """The document's graph, or None when resgraph refused the input with its own error."""
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        doc = parse_document(name, data=data)
        return document_to_graph(doc)
    except ResgraphError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip(), f"not a one-line message: {message!r}"
        return None
    finally:
        faulthandler.cancel_dump_traceback_later()


def _check_store_round_trip(ds: Dataset) -> None:
    """Every quad converts to Oxigraph terms, and N-Quads written by pyoxigraph read back."""
    quads = [
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g))  # type: ignore[arg-type]
        for s, p, o, g in ds.quads((None, None, None, None))
    ]
    assert quads, "a document graph is never empty"
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    back = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert len(set(back)) == len(set(quads))
    # and rdflib's own N-Quads are read by pyoxigraph (what `resgraph export` hands it)
    text = ds.serialize(format="nquads", encoding="utf-8")
    assert len(set(ox.parse(text, format=ox.RdfFormat.N_QUADS))) == len(set(quads))


@PARSE_SETTINGS
@given(mutated_inputs())
def test_mutated_resolutions_never_crash(case: tuple[str, bytes]) -> None:
    ds = _build(*case)
    if ds is not None:
        _check_store_round_trip(ds)


@PARSE_SETTINGS
@given(random_texts)
def test_random_unicode_never_crashes(case: tuple[str, bytes]) -> None:
    ds = _build(*case)
    if ds is not None:
        _check_store_round_trip(ds)


@EXPORT_SETTINGS
@given(mutated_inputs())
def test_every_export_format_reads_back(case: tuple[str, bytes]) -> None:
    ds = _build(*case)
    if ds is None:
        return
    with tempfile.TemporaryDirectory() as out:
        # export.py re-parses each file and counts the triples before publishing it
        written = export_dataset(ds, out)
        assert sorted(p.name for p in written) == sorted(
            f"graph.{f}" for f in ("ttl", "jsonld", "nt", "trig")
        )
        assert not [p for p in Path(out).iterdir() if p.name.startswith(".")]


HOSTILE_CASES = {
    "nul-inside": "Resolution adopted by the General Assembly\n1. Decides\x00 that",
    "lone-surrogate": "Resolution adopted by the General Assembly\n1. Decides \ud800 that",
    "bom-in-the-middle": "The General Assembly,\n\ufeffRecalling its resolution 1/1,\n1. Decides",
    "rtl-override": "The General Assembly,\n\u202eRecalling its resolution 67/185,\n1. Decides",
    "controls": "The General Assembly,\nRecalling \x01\x02\x03 resolution 1/1,\n1. Decides",
    "line-separator": "The General Assembly,\u2028Recalling resolution 1/1,\u20291. Decides",
    "noncharacters": "The General Assembly,\nRecalling \ufffe\uffff resolution 1/1,",
    "space-in-symbol": "A/RES/67 /185\nThe General Assembly,\n1. Decides",
    "huge-number": "A/RES/99999999999999999999999/1\nThe General Assembly,\n1. Decides",
    "only-markers": "1.\n2.\n(a)\n(b)\n1\n2\n_____\n1 \n2 ",
}


@pytest.mark.parametrize("text", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_hostile_characters(text: str) -> None:
    """Named cases of the failure modes the issue lists, in each encoding."""
    for data in (
        text.encode("utf-8", errors="surrogatepass"),
        b"\xef\xbb\xbf" + text.encode("utf-8", errors="surrogatepass"),
        text.encode("utf-16", errors="surrogatepass"),
    ):
        ds = _build("hostile.txt", data)
        if ds is not None:
            _check_store_round_trip(ds)
            with tempfile.TemporaryDirectory() as out:
                export_dataset(ds, out)
