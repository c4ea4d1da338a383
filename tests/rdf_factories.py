"""Small factories for hand-built documents (tests of to_rdf and the vocabulary).

They build the model directly, so the RDF tests do not depend on the
segmenter or the citation finder. `sample_resolution()` exercises every
branch of the mapping: all clause kinds, footnotes, every cited kind, a
component, registered and LNTS treaties, an unresolved reference.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from resgraph.model import (
    Citation,
    CitedKind,
    Clause,
    ClauseKind,
    Footnote,
    FootnoteMarker,
    Heading,
    Instrument,
    Resolution,
    SourceText,
    Span,
    Subject,
    TextMap,
    Unresolved,
    UntsRef,
)

SYMBOL = "A/RES/99/12"


class TextBuilder:
    """Builds a read text line by line and hands out the span of each piece."""

    def __init__(self) -> None:
        self.text = ""

    def add(self, line: str) -> Span:
        start = len(self.text)
        self.text += line + "\n"
        return Span(start, start + len(line))

    def find(self, span: Span, needle: str) -> Span:
        """The span of `needle` inside the line at `span` (test set-up only)."""
        i = self.text.index(needle, span.start, span.end)
        return Span(i, i + len(needle))


def source(text: str = "", name: str = "in/A_RES_99_12.txt", sha256: str = "ab" * 32) -> SourceText:
    return SourceText(name, text, "text", "utf-8", sha256)


def clause(
    key: str,
    text: str,
    span: Span,
    *,
    kind: ClauseKind = "preambular",
    phrase: str | None = None,
    position: int | None = None,
    number: str | None = None,
    parent: str | None = None,
    markers: tuple[FootnoteMarker, ...] = (),
    section: str | None = None,
) -> Clause:
    last = key.rsplit("/", 1)[-1]
    return Clause(
        key=key,
        kind=kind,
        number=number or last,
        position=position if position is not None else (int(last) if last.isdigit() else 1),
        parent=parent,
        phrase=phrase,
        phrase_span=Span(span.start, span.start + len(phrase)) if phrase else None,
        text=text,
        span=span,
        text_map=TextMap.identity(span.start, len(text)),
        markers=markers,
        section=section,
    )


def footnote(key: str, marker: str, text: str, span: Span, anchor: str | None) -> Footnote:
    return Footnote(key, marker, text, span, TextMap.identity(span.start, len(text)), anchor)


def citation(
    target: str,
    span: Span,
    *,
    kind: CitedKind = "resolution",
    text: str | None = None,
    clause: str | None = None,
    footnote: str | None = None,
    **kw: object,
) -> Citation:
    return Citation(
        kind=kind,
        target=target,
        text=text or target,
        span=span,
        clause=clause,
        footnote=footnote,
        **kw,  # type: ignore[arg-type]
    )


UNTOC = Instrument(
    id="untoc",
    label="United Nations Convention against Transnational Organized Crime",
    short_name="Organized Crime Convention",
    unts=(UntsRef(2225, 209, "39574"),),
    adopted_by="A/RES/55/25",
    annex="annex I",
    in_register=True,
)
SMUGGLING = Instrument(
    id="smuggling-protocol",
    label="Protocol against the Smuggling of Migrants by Land, Sea and Air",
    unts=(UntsRef(2241, 507, "39574"),),
    adopted_by="A/RES/55/25",
    annex="annex III",
    in_register=True,
)
LEAGUE = Instrument(
    id="lnts-94-2138",
    label="General Treaty for Renunciation of War",
    unts=(UntsRef(94, 57, "2137", series="LNTS", volume_as_printed="XCIV"),),
)


def sample_resolution(symbol: str | None = SYMBOL) -> Resolution:
    """A small resolution with every kind of node the mapping makes."""
    t = TextBuilder()
    t.add("Resolution adopted by the General Assembly on 1 December 2099")
    title = t.add("99/12.\tMigrants")
    t.add("The General Assembly,")
    pp1_text = (
        'Recalling its resolution 66/172 of 19 December 2011, entitled "Protection of migrants",'
    )
    pp1 = t.add(pp1_text)
    pp2_text = "Reaffirming also the Universal Declaration of Human Rights,"
    pp2 = t.add(pp2_text + "1")
    pp3_text = "Recognizing also the Convention and the Smuggling Protocol,"
    pp3 = t.add(pp3_text + "2 3")
    op1_text = "1.\tTakes note with appreciation of the report of the Secretary-General (A/99/100);"
    op1 = t.add(op1_text)
    op2_text = "2.\tWelcomes:"
    op2 = t.add(op2_text)
    op2a_text = "(a)\tSecurity Council resolution 1325 (2000) and decision 1/CP.21;"
    op2a = t.add(op2a_text)
    op3_text = "3.\tZorbles the General Treaty for Renunciation of War;4"
    op3 = t.add(op3_text)
    annex_text = "5.\tWe recall resolution 70/1."
    annex5 = t.add(annex_text)
    t.add("__________________")
    fn1_text = "Resolution 217 A (III)."
    fn1 = t.add("1 " + fn1_text)
    fn2_text = "United Nations, Treaty Series, vol. 2225, No. 39574."
    fn2 = t.add("2 " + fn2_text)
    fn3_text = "Ibid., vol. 2241, No. 39574."
    fn3 = t.add("3 " + fn3_text)
    fn4_text = "League of Nations, Treaty Series, vol. XCIV, No. 2137. Ibid."
    fn4 = t.add("4 " + fn4_text)

    def body(span: Span, prefix: str) -> Span:
        return Span(span.start + len(prefix), span.end)

    clauses = (
        clause("pp/1", pp1_text, pp1, phrase="Recalling"),
        clause(
            "pp/2",
            pp2_text,
            pp2,
            phrase="Reaffirming also",
            markers=(FootnoteMarker("1", Span(pp2.end - 1, pp2.end)),),
        ),
        clause("pp/3", pp3_text, pp3, phrase="Recognizing also"),
        clause("op/1", op1_text[3:], body(op1, "1.\t"), kind="operative", phrase="Takes note"),
        clause("op/2", op2_text[3:], body(op2, "2.\t"), kind="operative", phrase="Welcomes"),
        clause(
            "op/2/a",
            op2a_text[4:],
            body(op2a, "(a)\t"),
            kind="subparagraph",
            parent="op/2",
            number="a",
            position=1,
        ),
        clause(
            "op/3", op3_text[3:], body(op3, "3.\t"), kind="operative", phrase="Zorbles", section="A"
        ),
        clause("annex/1/5", annex_text[3:], body(annex5, "5.\t"), kind="annex", phrase="We recall"),
    )
    footnotes = (
        footnote("fn/1", "1", fn1_text, body(fn1, "1 "), "pp/2"),
        footnote("fn/2", "2", fn2_text, body(fn2, "2 "), "pp/3"),
        footnote("fn/3", "3", fn3_text, body(fn3, "3 "), "pp/3"),
        footnote("fn/4", "4", fn4_text, body(fn4, "4 "), "op/3"),
    )
    citations = (
        citation(
            "A/RES/66/172",
            t.find(pp1, "resolution 66/172 of 19 December 2011"),
            text="resolution 66/172 of 19 December 2011",
            clause="pp/1",
            date=date(2011, 12, 19),
            title="Protection of migrants",
            pattern="ga-resolution",
            organ="General Assembly",
        ),
        citation(
            "A/RES/217(III)A",
            t.find(fn1, "Resolution 217 A (III)"),
            text="Resolution 217 A (III)",
            clause="pp/2",
            footnote="fn/1",
            work="A/RES/217(III)",
            pattern="ga-resolution-roman",
        ),
        citation(
            "untoc",
            t.find(fn2, fn2_text),
            kind="treaty",
            text=fn2_text,
            clause="pp/3",
            footnote="fn/2",
            unts=(UntsRef(2225, None, "39574"),),
            pattern="unts",
        ),
        citation(
            "smuggling-protocol",
            t.find(fn3, fn3_text),
            kind="treaty",
            text=fn3_text,
            clause="pp/3",
            footnote="fn/3",
            unts=(UntsRef(2241, None, "39574"),),
            pattern="unts-ibid",
        ),
        citation(
            "A/99/100",
            t.find(op1, "A/99/100"),
            kind="document",
            clause="op/1",
            pattern="document-symbol",
        ),
        citation(
            "S/RES/1325(2000)",
            t.find(op2a, "resolution 1325 (2000)"),
            text="resolution 1325 (2000)",
            clause="op/2/a",
            organ="Security Council",
            pattern="sc-resolution",
        ),
        citation(
            "1/CP.21",
            t.find(op2a, "decision 1/CP.21"),
            kind="decision",
            text="decision 1/CP.21",
            clause="op/2/a",
            pattern="cop-decision",
        ),
        citation(
            "lnts-94-2138",
            t.find(fn4, "League of Nations, Treaty Series, vol. XCIV, No. 2137."),
            kind="treaty",
            text="League of Nations, Treaty Series, vol. XCIV, No. 2137.",
            clause="op/3",
            footnote="fn/4",
            unts=(UntsRef(94, None, "2137", series="LNTS", volume_as_printed="XCIV"),),
        ),
        citation(
            "A/RES/70/1",
            t.find(annex5, "resolution 70/1"),
            text="resolution 70/1",
            clause="annex/1/5",
        ),
    )
    unresolved = (
        Unresolved(
            "Ibid.",
            t.find(fn4, "Ibid."),
            "ibid-without-antecedent",
            clause="op/3",
            footnote="fn/4",
        ),
    )
    heading = Heading(
        symbol=symbol,
        number="99/12",
        title="Migrants",
        organ="General Assembly",
        adopted=date(2099, 12, 1),
        meeting="50th plenary meeting",
        session=99,
        agenda_items=("10", "12 (b)"),
        committee="Third Committee",
        committee_report="A/99/400",
        report_paragraph="12",
        distributed=date(2100, 1, 15),
        job_number="99-12345",
        formula="The General Assembly,",
        vote="adopted without a vote",
        title_span=title,
        sponsors=("Mexico",),
        subjects=(
            Subject("MIGRANTS", "http://metadata.un.org/thesaurus/1003500", "UNBIS Thesaurus"),
            Subject("bad", 'javascript:alert("x") <script>', "UNBIS Thesaurus"),
        ),
    )
    return Resolution(
        source=source(t.text),
        layout="ods",
        heading=heading,
        clauses=clauses,
        footnotes=footnotes,
        citations=citations,
        instruments=(UNTOC, SMUGGLING, LEAGUE),
        unresolved=unresolved,
    )


def with_citations(res: Resolution, citations: tuple[Citation, ...]) -> Resolution:
    """The same document with other citations (a copy: the model is frozen)."""
    return replace(res, citations=citations)
