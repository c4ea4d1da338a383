"""The AKN4UN reader on small inline XML: metadata, clauses, footnotes, links, parts, safety."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from resgraph.errors import InputError
from resgraph.model import Citation, Resolution, SourceText, Span
from resgraph.parse.akn import add_link_citations, parse_akn
from resgraph.pipeline import parse_document

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

META = """<meta>
  <identification source="#DGACM"><FRBRWork>
    <FRBRuri value="/akn/un/statement/deliberation/unga/2020-12-16/75-185/"></FRBRuri>
    <FRBRdate date="2020-12-16" name="adoption"></FRBRdate>
  </FRBRWork></identification>
  <classification source="x">
    <keyword value="justice" href="http://metadata.un.org/thesaurus/1003500" showAs="justice"
      dictionary="UNBIS Thesaurus"></keyword>
    <keyword value="16" href="http://metadata.un.org/sdg/16" showAs="sdg_16" dictionary="SDGO"/>
  </classification>
  <workflow source="#un">
    <step date="2020-10-30" outcome="draftResolution" as="A/C.3/75/L.35/Rev.1"
      by="Albania, Bosnia and Herzegovina, Guinea (on behalf of the Group of 77 and China) and Peru"
    />
    <step date="0001-01-01" outcome="draftResolutionAdditionalSponsors" by="Chile"/>
    <step date="0001-01-01" outcome="recommendedForAdoption" as="A/75/478/Add.2" refersTo="89"/>
    <step date="2020-12-16" outcome="adopted" as="A/75/PV.46" by=""/>
  </workflow>
  <analysis source="#un"><parliamentary>{voting}</parliamentary></analysis>
  <presentation><docketNumber refersTo="#publicationJobNumber">20-17330 (E)</docketNumber>
  </presentation>
</meta>"""

COVER = """<coverPage>
  <p class="upperRight"><docNumber refersTo="#symbol">A/RES/75/185</docNumber></p>
  <p><docDate date="2020-12-28" refersTo="#dateOfIssuance">28 December 2020</docDate></p>
  <p><session refersTo="#generalAssembly" value="75">Seventy-fifth session</session></p>
  <p><inline name="agenda item">Agenda items 72 (b) and 73</inline></p>
  <p><docTitle>Resolution adopted by the General Assembly on 16 December 2020</docTitle></p>
  <p><docProponent>{proponent}</docProponent></p>
</coverPage>
<preface><p><docNumber>75/185.</docNumber>
  <docTitle refersTo="#resolutionTitle">Human rights in the administration of justice</docTitle>
</p></preface>"""

THIRD = (
    '[on the report of the Third Committee (<inline name="originating document">'
    "A/75/478/Add.2, para. 89</inline>)]"
)
PREAMBLE = """<preamble>
  <formula name="enactingFormula"><p><span class="italic">The General Assembly</span>,</p></formula>
  {containers}
</preamble>"""
CONCLUSIONS = """<conclusions><p>
  <inline name="adoptionMeeting" title="46th">46th plenary meeting</inline><eol/>
  <docDate date="2020-12-16" refersTo="#adoptionDate">16 December 2020</docDate>
</p></conclusions>"""
WITHOUT_VOTE = '<voting outcome="adoptedWithoutVote"><quorum value=""/></voting>'
RECORDED = (
    '<voting outcome="adoptedRecordedVote"><count value="120" refersTo="inFavour"/>'
    '<count value="2" refersTo="against"/><count value="40" refersTo="abstaining"/></voting>'
)


def container(name: str, body: str) -> str:
    return (
        f'<container name="{name}"><p>\t<span class="italic">{name}</span> {body}</p></container>'
    )


def para(num: str, phrase: str, body: str) -> str:
    return (
        f"<paragraph><num>\t{num}</num><content><p>\t"
        f'<span class="italic">{phrase}</span> {body}</p></content></paragraph>'
    )


def content(text: str) -> str:
    return f"<paragraph><content><p>{text}</p></content></paragraph>"


def doc(
    *,
    containers: str = "",
    body: str = "",
    voting: str = WITHOUT_VOTE,
    proponent: str = THIRD,
    attachments: str = "",
) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<akomaNtoso xmlns="{AKN}">'
        f'<statement name="resolution">{META.format(voting=voting)}'
        f"{COVER.format(proponent=proponent)}{PREAMBLE.format(containers=containers)}"
        f"<mainBody>{body}</mainBody>{CONCLUSIONS}{attachments}</statement></akomaNtoso>"
    )


def source(xml: str, name: str = "t.xml") -> SourceText:
    return SourceText(name, xml, "akn4un", "utf-8", "0" * 64)


def parse(xml: str) -> Resolution:
    return parse_akn(source(xml))


PLAIN = doc(
    containers=container("Recalling", "its resolution 70/1,")
    + container("Recalling also", "the Charter,"),
    body=para("1.", "Decides", "to act;") + para("2.", "Also decides", "to continue."),
)

# -- metadata -----------------------------------------------------------------------

HEADING_CASES: list[tuple[str, str, str, object]] = [
    ("symbol", PLAIN, "symbol", "A/RES/75/185"),
    ("number", PLAIN, "number", "75/185."),
    ("title", PLAIN, "title", "Human rights in the administration of justice"),
    ("adopted", PLAIN, "adopted", date(2020, 12, 16)),
    ("meeting", PLAIN, "meeting", "46th plenary meeting"),
    ("session", PLAIN, "session", 75),
    ("agenda", PLAIN, "agenda_items", ("72 (b)", "73")),
    ("committee", PLAIN, "committee", "Third Committee"),
    ("report", PLAIN, "committee_report", "A/75/478/Add.2"),
    ("report-paragraph", PLAIN, "report_paragraph", "89"),
    ("distributed", PLAIN, "distributed", date(2020, 12, 28)),
    ("job", PLAIN, "job_number", "20-17330"),
    ("formula", PLAIN, "formula", "The General Assembly,"),
    ("vote-none", PLAIN, "vote", "adopted without a vote"),
    (
        "vote-recorded",
        doc(voting=RECORDED),
        "vote",
        "adopted by a recorded vote of 120 to 2, with 40 abstentions",
    ),
    ("work", PLAIN, "work_iri", "/akn/un/statement/deliberation/unga/2020-12-16/75-185/"),
    (
        "sponsors",
        PLAIN,
        "sponsors",
        (
            "Albania",
            "Bosnia and Herzegovina",
            "Guinea (on behalf of the Group of 77 and China)",
            "Peru",
            "Chile",
        ),
    ),
    (
        "fourth-committee",
        doc(
            proponent="[on the report of the Special Political and Decolonization Committee "
            "(Fourth Committee) (A/75/415, para. 8)]"
        ),
        "committee",
        "Fourth Committee",
    ),
    (
        "draft",
        doc(proponent="[without reference to a Main Committee (A/75/L.1 and A/75/L.1/Add.1)]"),
        "draft",
        "A/75/L.1",
    ),
    (
        "no-committee",
        doc(proponent="[without reference to a Main Committee (A/75/L.1)]"),
        "committee",
        None,
    ),
]


@pytest.mark.parametrize(
    ("xml", "field", "want"),
    [c[1:] for c in HEADING_CASES],
    ids=[c[0] for c in HEADING_CASES],
)
def test_heading(xml: str, field: str, want: object) -> None:
    assert getattr(parse(xml).heading, field) == want


def test_subjects() -> None:
    subjects = parse(PLAIN).heading.subjects
    assert [(s.iri, s.label, s.scheme) for s in subjects] == [
        ("http://metadata.un.org/thesaurus/1003500", "justice", "UNBIS Thesaurus"),
        ("http://metadata.un.org/sdg/16", "sdg 16", "SDGO"),
    ]


# -- clauses ------------------------------------------------------------------------

Clauses = list[tuple[str, str, str | None, str | None, str]]  # key, kind, parent, phrase, text

CLAUSE_CASES: list[tuple[str, str, Clauses]] = [
    (
        "containers-and-paragraphs",
        PLAIN,
        [
            ("pp/1", "preambular", None, "Recalling", "Recalling its resolution 70/1,"),
            ("pp/2", "preambular", None, "Recalling also", "Recalling also the Charter,"),
            ("op/1", "operative", None, "Decides", "Decides to act;"),
            ("op/2", "operative", None, "Also decides", "Also decides to continue."),
        ],
    ),
    (
        "sub-paragraphs-in-text",
        doc(
            body=para("1.", "Urges", "States:")
            + content("\t(a)\tTo act;")
            + content("\t(b)\tTo report, including:")
            + content("\t(i)\tOn one;")
            + content("\t(ii)\tOn two;")
            + content("\t(c)\tTo continue;")
        ),
        [
            ("op/1", "operative", None, "Urges", "Urges States:"),
            ("op/1/a", "subparagraph", "op/1", None, "To act;"),
            ("op/1/b", "subparagraph", "op/1", None, "To report, including:"),
            ("op/1/b/i", "subparagraph", "op/1/b", None, "On one;"),
            ("op/1/b/ii", "subparagraph", "op/1/b", None, "On two;"),
            ("op/1/c", "subparagraph", "op/1", None, "To continue;"),
        ],
    ),
    (
        "sub-paragraphs-as-list",
        doc(
            body="<paragraph><num>1.</num><list><intro><p>"
            '<span class="italic">Requests</span> the Secretary-General:</p></intro>'
            "<point><num>(a)</num><content><p>To act;</p></content></point>"
            "<point><num>(b)</num><content><p>To report.</p></content></point>"
            "</list></paragraph>"
        ),
        [
            ("op/1", "operative", None, "Requests", "Requests the Secretary-General:"),
            ("op/1/a", "subparagraph", "op/1", None, "To act;"),
            ("op/1/b", "subparagraph", "op/1", None, "To report."),
        ],
    ),
    (
        "unnumbered-operative",
        doc(body=content('<span class="italic">Decides</span> to include the item.')),
        [("op/1", "operative", None, "Decides", "Decides to include the item.")],
    ),
    (
        # printed without a number before the numbered list: a lead-in, not paragraph 1
        "lead-in-before-the-numbered-list",
        doc(
            body=content('\t<span class="italic">Resolves</span> that:')
            + para("1.", "Appropriations", "are approved;")
            + para("2.", "Income", "is credited.")
        ),
        [
            ("pp/1", "preambular", None, "Resolves", "Resolves that:"),
            ("op/1", "operative", None, "Appropriations", "Appropriations are approved;"),
            ("op/2", "operative", None, "Income", "Income is credited."),
        ],
    ),
    (
        "lead-in-then-a-heading",
        doc(
            body=content('<span class="italic">Adopts</span> the following declaration:')
            + "<paragraph><heading>\tDeclaration on X</heading></paragraph>"
            + "<paragraph><num>\t1.</num><content><p>\tWe gather.</p></content></paragraph>"
        ),
        [
            ("pp/1", "preambular", None, "Adopts", "Adopts the following declaration:"),
            ("op/1", "operative", None, None, "We gather."),
        ],
    ),
    (
        # a note under a table, before the next printed number: text of the paragraph
        "note-under-a-table",
        doc(
            body=para("43.", "Approves", "the posts:")
            + '<container name="table"><table><tr><td><p>GS (OL)</p></td></tr></table>'
            + "</container>"
            + content('<span class="italic">Abbreviations</span>: GS (OL), General Service.')
            + para("44.", "Recalls", "its request.")
        ),
        [
            (
                "op/43",
                "operative",
                None,
                "Approves",
                "Approves the posts: Abbreviations: GS (OL), General Service.",
            ),
            ("op/44", "operative", None, "Recalls", "Recalls its request."),
        ],
    ),
    (
        # the markup lost a <num>: the next paragraph is numbered one further on
        "unnumbered-between-numbered",
        doc(
            body=para("1.", "Decides", "this;")
            + content('<span class="italic">Urges</span> that;')
            + para("3.", "Requests", "a report.")
        ),
        [
            ("op/1", "operative", None, "Decides", "Decides this;"),
            ("op/2", "operative", None, "Urges", "Urges that;"),
            ("op/3", "operative", None, "Requests", "Requests a report."),
        ],
    ),
    (
        "number-left-in-the-text",
        doc(
            body=para("5.", "Notes", "this;")
            + content('6.\u200e <span class="italic">Reaffirms</span> that;')
        ),
        [
            ("op/5", "operative", None, "Notes", "Notes this;"),
            ("op/6", "operative", None, "Reaffirms", "Reaffirms that;"),
        ],
    ),
    (
        "annex-in-main-body",
        doc(
            body=para("1.", "Adopts", "the rules annexed;")
            + "<paragraph><subheading>Annex</subheading></paragraph>"
            + content("Rules of procedure")
            + para("1.", "Scope", "The rules apply.")
        ),
        [
            ("op/1", "operative", None, "Adopts", "Adopts the rules annexed;"),
            ("annex/1/1", "annex", None, "Scope", "Scope The rules apply."),
        ],
    ),
    (
        "annex-attachment",
        doc(
            body=para("1.", "Adopts", "the terms;"),
            attachments="<attachments><attachment><doc name='annex'><preface><p>"
            "<docTitle>Annex II</docTitle></p></preface><mainBody>"
            + para("1.", "Purpose", "of the fund.")
            + "</mainBody></doc></attachment></attachments>",
        ),
        [
            ("op/1", "operative", None, "Adopts", "Adopts the terms;"),
            ("annex/2/1", "annex", None, "Purpose", "Purpose of the fund."),
        ],
    ),
    (
        "sections-restart-numbering",
        doc(
            body="<section><subheading>I</subheading>"
            + para("1.", "Approves", "A;")
            + "</section><section><subheading>II</subheading>"
            + para("1.", "Approves", "B;")
            + "</section>"
        ),
        [
            ("op/I/1", "operative", None, "Approves", "Approves A;"),
            ("op/II/1", "operative", None, "Approves", "Approves B;"),
        ],
    ),
    (
        "entity-reference",
        doc(body=para("1.", "Notes", "R&amp;D &#8220;here&#8221;.")),
        [("op/1", "operative", None, "Notes", "Notes R&D \u201chere\u201d.")],
    ),
]


@pytest.mark.parametrize(
    ("xml", "want"), [c[1:] for c in CLAUSE_CASES], ids=[c[0] for c in CLAUSE_CASES]
)
def test_clauses(xml: str, want: Clauses) -> None:
    res = parse(xml)
    got = [(c.key, c.kind, c.parent, c.phrase, c.text) for c in res.clauses]
    assert got == want


# -- footnotes and links ------------------------------------------------------------

NOTE = (
    '<authorialNote marker="{m}" placement="bottom" eId="n{m}"><p>\t \t{body}</p></authorialNote>'
)
FOOTNOTED = doc(
    containers=container(
        "Bearing in mind",
        "the Convention,"
        + NOTE.format(m="1", body="United Nations, <span>Treaty Series</span>, vol. 1577.")
        + " and the Covenant,",
    ),
    body=para("1.", "Urges", "States:")
    + content(
        "\t(a)\tTo apply resolution "
        '<a href="https://undocs.org/en/A/RES/73/177">73/177</a>;'
        + NOTE.format(m="2", body='<a href="https://undocs.org/en/A/75/284">A/75/284</a>.')
    ),
)


def test_footnotes_anchored_where_they_stand() -> None:
    res = parse(FOOTNOTED)
    got = [(f.key, f.marker, f.anchor, f.text) for f in res.footnotes]
    assert got == [
        ("fn/1", "1", "pp/1", "United Nations, Treaty Series, vol. 1577."),
        ("fn/2", "2", "op/1/a", "A/75/284."),
    ]
    pp1 = res.clause("pp/1")
    assert pp1 is not None
    assert pp1.text == "Bearing in mind the Convention, and the Covenant,"  # no footnote body
    assert [m.marker for m in pp1.markers] == ["1"]
    src = res.source.text
    for f in res.footnotes:
        assert f.marker_span is not None
        assert src[f.marker_span.start : f.marker_span.end] == f.marker
        assert src[f.span.start : f.span.end].startswith("<authorialNote")


def test_note_at_the_top_of_an_annex_is_not_the_resolution_s() -> None:
    # an attachment without a title, "Annex" printed in its body, a note in its opening
    # text before the first numbered paragraph: one annex, the note in no clause
    res = parse(
        doc(
            body=para("1.", "Adopts", "the declaration annexed."),
            attachments="<attachments><attachment><doc name='annex'><mainBody>"
            + content('<span class="bold">Annex</span>')
            + content("\tWe, the parties to the Convention," + NOTE.format(m="1", body="Vol. 1."))
            + para("1.", "Recognize", "the need.")
            + "</mainBody></doc></attachment></attachments>",
        )
    )
    assert [c.key for c in res.clauses] == ["op/1", "annex/1/1"]
    assert [(f.marker, f.anchor) for f in res.footnotes] == [("1", None)]
    op1 = res.clause("op/1")
    assert op1 is not None and op1.markers == ()


def test_links() -> None:
    res = parse(FOOTNOTED)
    got = [(k.symbol, k.text, k.clause, k.footnote) for k in res.links]
    assert got == [
        ("A/RES/73/177", "73/177", "op/1/a", None),
        ("A/75/284", "A/75/284", "op/1/a", "fn/2"),
    ]
    src = res.source.text
    assert all(src[k.span.start : k.span.end] == k.text for k in res.links)


LINK_CASES = [
    ("missed", (), 1),
    ("found", (("A/RES/73/177", None),), 0),
    ("found-as-component", (("A/RES/73/177A", "A/RES/73/177"),), 0),
    ("found-as-part", (("A/RES/73/177B", None),), 0),
    ("other-target", (("A/RES/73/17", None),), 1),
]


@pytest.mark.parametrize(
    ("found", "added"), [c[1:] for c in LINK_CASES], ids=[c[0] for c in LINK_CASES]
)
def test_link_citations(found: tuple[tuple[str, str | None], ...], added: int) -> None:
    res = parse(FOOTNOTED)
    link = res.links[0]
    cits = tuple(
        Citation("resolution", t, link.text, link.span, link.clause, work=w) for t, w in found
    )
    out = add_link_citations(replace(res, citations=cits))
    new = [c for c in out.citations if c.pattern == "akn-link"]
    assert len(new) == added
    assert all(c.target == "A/RES/73/177" and c.span == link.span for c in new)


# -- spans ----------------------------------------------------------------------------


@pytest.mark.parametrize("xml", [PLAIN, FOOTNOTED], ids=["plain", "footnoted"])
def test_every_mapped_character_is_the_source_character(xml: str) -> None:
    res = parse(xml)
    mapped = [(c.text, c.text_map) for c in res.clauses] + [
        (f.text, f.text_map) for f in res.footnotes
    ]
    for text, tmap in mapped:
        for d0, s0, n in tmap.pieces:
            assert text[d0 : d0 + n] == xml[s0 : s0 + n]


def test_phrase_and_formula_spans() -> None:
    res = parse(FOOTNOTED)
    c = res.clause("op/1")
    assert c is not None and c.phrase_span is not None
    assert FOOTNOTED[c.phrase_span.start : c.phrase_span.end] == "Urges"
    fs = res.heading.formula_span
    assert fs is not None and FOOTNOTED[fs.start : fs.end] == "The General Assembly</span>,"


def test_non_ascii_offsets() -> None:
    xml = doc(body=para("1.", "Notes", "Côte d’Ivoire — ok"))
    c = parse(xml).clause("op/1")
    assert c is not None
    sp = c.text_map.span_to_source(c.text.index("Côte"), len(c.text))
    assert xml[sp.start : sp.end] == "Côte d’Ivoire — ok"


# -- parts ----------------------------------------------------------------------------


def _statement(letter: str, title: str, body: str) -> str:
    return (
        f'<statement name="resolution"><preface><p><docNumber>{letter}</docNumber>'
        f"<docTitle>{title}</docTitle></p></preface>"
        f"{PREAMBLE.format(containers=container('Recalling', 'its work,'))}"
        f"<mainBody>{body}</mainBody>{CONCLUSIONS}</statement>"
    )


PARTS = (
    f'<akomaNtoso xmlns="{AKN}"><documentCollection name="resolution">'
    f"{META.format(voting=WITHOUT_VOTE)}"
    + COVER.format(proponent=THIRD).replace("A/RES/75/185<", "A/RES/75/185 A-B<")
    + '<collectionBody><component><documentRef href="#c0"/></component></collectionBody>'
    "</documentCollection><components>"
    f'<component eId="c0">{_statement("A", "First", para("1.", "Decides", "one;"))}</component>'
    f'<component eId="c1">{_statement("B", "Second", para("1.", "Decides", "two;"))}</component>'
    "</components></akomaNtoso>"
)


def test_parts() -> None:
    res = parse(PARTS)
    assert res.heading.symbol == "A/RES/75/185"
    assert res.clauses == ()
    got = [
        (p.heading.symbol, p.heading.title, [(c.key, c.text) for c in p.clauses]) for p in res.parts
    ]
    assert got == [
        ("A/RES/75/185A", "First", [("pp/1", "Recalling its work,"), ("op/1", "Decides one;")]),
        ("A/RES/75/185B", "Second", [("pp/1", "Recalling its work,"), ("op/1", "Decides two;")]),
    ]
    assert all(p.heading.meeting == "46th plenary meeting" for p in res.parts)


# -- safety and errors ----------------------------------------------------------------

BAD_CASES: list[tuple[str, str, str]] = [
    (
        "doctype",
        f'<?xml version="1.0"?><!DOCTYPE akomaNtoso [<!ENTITY x "y">]><akomaNtoso xmlns="{AKN}"/>',
        "XML with a DTD or entity declarations is refused",
    ),
    (
        "external-dtd",
        '<?xml version="1.0"?><!DOCTYPE akomaNtoso SYSTEM "http://example.org/x.dtd">'
        f'<akomaNtoso xmlns="{AKN}"/>',
        "XML with a DTD or entity declarations is refused",
    ),
    (
        "billion-laughs",
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><a>&b;</a>',
        "XML with a DTD or entity declarations is refused",
    ),
    ("undefined-entity", f'<akomaNtoso xmlns="{AKN}">&x;</akomaNtoso>', "not well-formed XML"),
    ("unclosed", f'<akomaNtoso xmlns="{AKN}"><statement>', "not well-formed XML: line 1"),
    ("not-akn", "<html><body/></html>", "not an Akoma Ntoso document"),
]


@pytest.mark.parametrize(
    ("xml", "message"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_refused(xml: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_akn(source(xml, "bad.xml"))
    assert str(err.value).startswith("bad.xml: ")
    assert message in str(err.value)


# -- through the pipeline -------------------------------------------------------------

PIPELINE_CASES: list[tuple[str, Callable[[Resolution], object], object]] = [
    ("layout", lambda r: r.layout, "akn4un"),
    ("clauses", lambda r: len(r.clauses), 3),
    (
        "citations",
        lambda r: sorted({c.target for c in r.citations if c.kind == "resolution"}),
        ["A/RES/73/177"],
    ),
    (
        "footnote-citation",
        lambda r: [c.footnote for c in r.citations if c.target == "A/75/284"],
        ["fn/2"],
    ),
]


@pytest.mark.parametrize(
    ("get", "want"), [c[1:] for c in PIPELINE_CASES], ids=[c[0] for c in PIPELINE_CASES]
)
def test_pipeline(get: Callable[[Resolution], object], want: object) -> None:
    res = parse_document("t.xml", data=FOOTNOTED.encode("utf-8"))
    assert get(res) == want


def test_pipeline_citation_points_at_the_xml() -> None:
    res = parse_document("t.xml", data=FOOTNOTED.encode("utf-8"))
    cit = next(c for c in res.citations if c.target == "A/RES/73/177")
    assert FOOTNOTED[cit.span.start : cit.span.end].endswith("73/177")
    assert isinstance(cit.span, Span)
