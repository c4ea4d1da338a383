"""The document model: frozen dataclasses shared by every stage.

Every clause, footnote and citation keeps a `Span` into the *read text*
(`SourceText.text`: decoded, BOM removed, line endings normalised to LF).
Texts shown to people (`Clause.text`, `Footnote.text`) are derived from it —
lines joined, page debris and footnote markers removed — and carry a
`TextMap` back to the read text, so a citation found in a clause's text gets
its exact place in the source without searching for it a second time.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import Literal


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Half-open character range [start, end) in the read text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")


@dataclass(frozen=True, slots=True)
class TextMap:
    """Maps offsets of a derived text back to the read text.

    `pieces` are (derived_start, source_start, length) runs, sorted and
    contiguous in the derived text: derived_start of run k+1 equals
    derived_start + length of run k. Characters the derivation inserted
    (a space joining two lines) belong to no run and map to the next run.

    >>> m = TextMap(((0, 10, 5), (6, 20, 4)))   # "abcde" + " " + "fghi"
    >>> m.to_source(0), m.to_source(4), m.to_source(6), m.to_source(9)
    (10, 14, 20, 23)
    >>> m.span_to_source(2, 8)
    Span(start=12, end=22)
    """

    pieces: tuple[tuple[int, int, int], ...]

    def to_source(self, i: int) -> int:
        """Source offset of derived offset `i` (an inserted char maps to the next run)."""
        if not self.pieces:
            return 0
        starts = [p[0] for p in self.pieces]
        k = bisect.bisect_right(starts, i) - 1
        if k < 0:
            return self.pieces[0][1]
        d0, s0, n = self.pieces[k]
        if i < d0 + n:
            return s0 + (i - d0)
        if k + 1 < len(self.pieces):
            return self.pieces[k + 1][1]
        return s0 + n

    def span_to_source(self, start: int, end: int) -> Span:
        """Source span of the derived range [start, end)."""
        if end <= start:
            s = self.to_source(start)
            return Span(s, s)
        return Span(self.to_source(start), self.to_source(end - 1) + 1)

    @staticmethod
    def identity(source_start: int, length: int) -> TextMap:
        """A map for a derived text that is a plain slice of the source."""
        return TextMap(((0, source_start, length),))


SourceFormat = Literal["text", "akn4un"]


@dataclass(frozen=True)
class SourceText:
    """What the read stage gives: the decoded text and where it came from."""

    name: str  # the path as given by the user, or "<stdin>"
    text: str  # decoded, BOM removed, CRLF/CR -> LF; every Span indexes into this
    format: SourceFormat
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252"
    sha256: str  # of the raw bytes, for change detection
    # offsets (in the decoded original) of characters the normalisation
    # removed, so a span can be mapped back to the file as it was
    removed: tuple[int, ...] = ()

    def original_offset(self, i: int) -> int:
        """Offset in the decoded original of read-text offset `i`.

        >>> SourceText("x", "a\\nb\\nc", "text", "utf-8", "", removed=(1, 4)).original_offset(4)
        6
        """
        # each removed char before the target shifts it one to the right
        shift = 0
        for r in self.removed:
            if r <= i + shift:
                shift += 1
            else:
                break
        return i + shift


Layout = Literal["ods", "pdf", "ocr", "akn4un", "unknown"]
# "annex": a numbered paragraph of an annex (not an operative paragraph of the resolution)
ClauseKind = Literal["preambular", "operative", "subparagraph", "annex"]


@dataclass(frozen=True)
class FootnoteMarker:
    """A footnote marker as it stands in a clause ("Rights,1" -> "1")."""

    marker: str
    span: Span


@dataclass(frozen=True)
class Clause:
    """A preambular paragraph, a numbered operative paragraph or a sub-paragraph."""

    key: str  # path under the document IRI: "pp/3", "op/6", "op/6/a", "op/6/a/ii", "annex/1/5"
    kind: ClauseKind
    number: str  # printed number or letter: "3" (pp: its position), "6", "a", "ii"
    position: int  # pp: 1-based order; op: printed number; sub: 1-based order in parent
    parent: str | None  # key of the enclosing clause (sub-paragraphs only)
    phrase: str | None  # opening phrase as printed: "Recalling also", "Reiterates"
    phrase_span: Span | None
    text: str  # lines joined, debris and footnote markers removed
    span: Span  # the whole clause in the read text
    text_map: TextMap  # offsets of `text` -> read text
    markers: tuple[FootnoteMarker, ...] = ()
    section: str | None = None  # lettered operative section ("A" … "I") if any


@dataclass(frozen=True)
class Footnote:
    """A footnote body and the clause that carries its marker."""

    key: str  # "fn/2"; a repeated marker gets "fn/2-2"
    marker: str  # as printed: "2", "16", "a"
    text: str  # whitespace-normalised body
    span: Span
    text_map: TextMap
    anchor: str | None  # key of the clause carrying the marker; None when not found
    marker_span: Span | None = None


@dataclass(frozen=True)
class Heading:
    """Metadata read from the heading, adoption line and page debris."""

    symbol: str | None = None  # normalised: "A/RES/70/1", "S/RES/242(1967)"
    number: str | None = None  # as printed: "70/1", "242 (1967)"
    title: str | None = None
    organ: str | None = None  # "General Assembly", "Security Council"
    adopted: date | None = None
    meeting: str | None = None  # "60th plenary meeting", "1382nd meeting"
    session: int | None = None
    agenda_items: tuple[str, ...] = ()  # ("103",), ("72 (b)",)
    committee: str | None = None  # "Third Committee"
    committee_report: str | None = None  # "A/67/458"
    report_paragraph: str | None = None  # "89"
    draft: str | None = None  # "A/80/L.4"
    distributed: date | None = None  # the "Distr." date, not the adoption date
    job_number: str | None = None  # "12-48970"
    formula: str | None = None  # "The General Assembly,"
    formula_span: Span | None = None
    vote: str | None = None  # "unanimously", "adopted without a vote", "12 votes to 2 …"
    title_span: Span | None = None
    sponsors: tuple[str, ...] = ()
    subjects: tuple[Subject, ...] = ()
    work_iri: str | None = None  # AKN4UN FRBR work, "/akn/un/statement/…/75-185/"


@dataclass(frozen=True)
class Subject:
    """A subject keyword (UNBIS, SDG, EuroVoc) with its IRI."""

    label: str
    iri: str
    scheme: str  # "UNBIS Thesaurus", "SDGO", "EuroVoc"


CitedKind = Literal["resolution", "document", "treaty", "decision"]


@dataclass(frozen=True)
class UntsRef:
    """A Treaty Series reference: "United Nations, Treaty Series, vol. 1577, No. 27531"."""

    volume: int
    page: int | None = None
    number: str | None = None  # registration number; NOT unique across instruments
    series: Literal["UNTS", "LNTS"] = "UNTS"
    volume_as_printed: str | None = None  # "XCIV" for a League of Nations roman volume


@dataclass(frozen=True)
class Instrument:
    """A treaty the document cites, as resolved through the register (or minted)."""

    id: str  # slug, e.g. "untoc"; minted ones: "unts-1577-27531"
    label: str
    short_name: str | None = None
    unts: tuple[UntsRef, ...] = ()
    adopted_by: str | None = None  # adopting resolution symbol, "A/RES/55/25"
    annex: str | None = None  # "annex I"
    in_register: bool = False


@dataclass(frozen=True)
class Citation:
    """One occurrence of a cited instrument in the text."""

    kind: CitedKind
    target: str  # normalised symbol ("A/RES/66/172", "A/RES/217(III)A", "A/67/458") or treaty id
    text: str  # as written ("resolution 66/172 of 19 December 2011")
    span: Span  # in the read text
    clause: str | None  # key of the citing clause (for a footnote: its anchor clause)
    footnote: str | None = None  # key of the footnote that carried it
    work: str | None = None  # for a component ("217 A (III)"): "A/RES/217(III)"
    organ: str | None = None  # body named with it or implied by the series
    date: date | None = None  # "of 19 December 2011"
    title: str | None = None  # "entitled …"
    unts: tuple[UntsRef, ...] = ()  # treaty citations: the series references that bound it
    pattern: str | None = None  # id of the pattern that found it (provenance)


@dataclass(frozen=True)
class Link:
    """A link the source itself marks up (AKN4UN `<a href="https://undocs.org/…">`)."""

    symbol: str  # normalised from the link's address: "A/RES/73/177"
    text: str  # the linked text as printed: "73/177"
    span: Span  # in the read text
    clause: str | None  # key of the clause it stands in (for a footnote: its anchor clause)
    footnote: str | None = None  # key of the footnote it stands in


@dataclass(frozen=True)
class Unresolved:
    """A reference that could not be tied to an instrument; kept and counted."""

    text: str
    span: Span
    reason: str  # "ibid-without-antecedent", "treaty-not-in-register", …
    clause: str | None = None
    footnote: str | None = None


@dataclass(frozen=True)
class Resolution:
    """A parsed resolution (or other UN document with clauses)."""

    source: SourceText
    layout: Layout
    heading: Heading
    clauses: tuple[Clause, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    citations: tuple[Citation, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    parts: tuple[Resolution, ...] = field(default=())  # multi-part works (AKN "A-B")
    links: tuple[Link, ...] = ()  # links marked up in the source (AKN4UN), for evaluation

    def clause(self, key: str) -> Clause | None:
        """The clause with this key, if any."""
        for c in self.clauses:
            if c.key == key:
                return c
        return None
