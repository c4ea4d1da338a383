"""Stage 2b: find_citations, one line per case (input text -> expected citations)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from citation_factories import document

from resgraph.model import Citation
from resgraph.parse.cite import find_citations


def found(text: str, **kw: Any) -> list[tuple[str, str]]:
    """(target, text as written) of every citation in one clause."""
    res = find_citations(document([text], **kw))
    return [(c.target, c.text) for c in res.citations]


CCPCJ = "Commission on Crime Prevention and Criminal Justice"
UNTOC = "United Nations Convention against Transnational Organized Crime"
SOM = f"Protocol against the Smuggling of Migrants by Land, Sea and Air, supplementing the {UNTOC}"
CAT = "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment"
FIVE = (
    "Recalling its resolutions 76/217 of 17 December 2021, 77/246 of 30 December 2022, "
    "77/329 of 25 August 2023, 78/315 of 10 July 2024 and 79/279 of 11 April 2025 on"
)
OR_ECOSOC = (
    "See Official Records of the Economic and Social Council, 2011, "
    "Supplement No. 10 (E/2011/30), chap. I, sect. D."
)
MONTERREY = (
    "Report of the International Conference on Financing for Development, Monterrey, Mexico, "
    "18–22 March 2002 (United Nations publication, Sales No. E.02.II.A.7), chap. I, "
    "resolution 1, annex."
)

CLAUSE_CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    # resolutions, every form the UN prints
    (
        "ga-date-title",
        'Recalling its resolution 66/172 of 19 December 2011, entitled "Protection of migrants",',
        [
            (
                "A/RES/66/172",
                'resolution 66/172 of 19 December 2011, entitled "Protection of migrants"',
            )
        ],
    ),
    (
        "ga-parts",
        "Recalling its resolutions 34/83 A of 11 December 1979 and 35/156 J of 12 December 1980,",
        [
            ("A/RES/34/83A", "resolutions 34/83 A of 11 December 1979"),
            ("A/RES/35/156J", "35/156 J of 12 December 1980"),
        ],
    ),
    ("ga-part-no-date", "resolution 66/240 A,", [("A/RES/66/240A", "resolution 66/240 A")]),
    (
        "ga-roman-component",
        "Recalling resolution 217 A (III),",
        [("A/RES/217(III)A", "resolution 217 A (III)")],
    ),
    (
        "ga-roman-lists",
        "resolutions 23 (I), 364 B (IV) and 973 (X)",
        [
            ("A/RES/23(I)", "resolutions 23 (I)"),
            ("A/RES/364(IV)B", "364 B (IV)"),
            ("A/RES/973(X)", "973 (X)"),
        ],
    ),
    (
        "sc",
        "in accordance with Security Council resolution 1325 (2000), and",
        [("S/RES/1325(2000)", "Security Council resolution 1325 (2000)")],
    ),
    (
        "sc-line-joined",
        "in accordance with resolution 1325 (2000), as well as",
        [("S/RES/1325(2000)", "resolution 1325 (2000)")],
    ),
    (
        "sc-in-ga-text",
        "recalling resolution 2719 (2023) on financing",
        [("S/RES/2719(2023)", "resolution 2719 (2023)")],
    ),
    (
        "sc-list",
        "resolutions 1325 (2000), 1820 (2008) and 1888 (2009)",
        [
            ("S/RES/1325(2000)", "resolutions 1325 (2000)"),
            ("S/RES/1820(2008)", "1820 (2008)"),
            ("S/RES/1888(2009)", "1888 (2009)"),
        ],
    ),
    (
        "ecosoc-named",
        "Economic and Social Council resolution 2011/33 of 28 July 2011",
        [("E/RES/2011/33", "Economic and Social Council resolution 2011/33 of 28 July 2011")],
    ),
    ("ecosoc-by-shape", "resolution 2011/33", [("E/RES/2011/33", "resolution 2011/33")]),
    (
        "ccpcj",
        f"{CCPCJ} resolution 20/3 of 15 April 2011, entitled “Implementation”,",
        [
            (
                "E/CN.15/RES/20/3",
                f"{CCPCJ} resolution 20/3 of 15 April 2011, entitled “Implementation”",
            )
        ],
    ),
    (
        "hrc-list",
        "Human Rights Council resolutions 37/22 of 23 March 2018 and 42/11 of 26 September 2019",
        [
            ("A/HRC/RES/37/22", "Human Rights Council resolutions 37/22 of 23 March 2018"),
            ("A/HRC/RES/42/11", "42/11 of 26 September 2019"),
        ],
    ),
    (
        "hrc-special-session",
        "Human Rights Council resolutions S-16/1 of 29 April 2011, S-17/1 of 23 August 2011",
        [
            ("A/HRC/RES/S-16/1", "Human Rights Council resolutions S-16/1 of 29 April 2011"),
            ("A/HRC/RES/S-17/1", "S-17/1 of 23 August 2011"),
        ],
    ),
    ("ga-special-session", "resolution S-26/2", [("A/RES/S-26/2", "resolution S-26/2")]),
    (
        "two-leads",
        f"its resolution 64/293, and {CCPCJ} resolution 20/3",
        [
            ("A/RES/64/293", "resolution 64/293"),
            (
                "E/CN.15/RES/20/3",
                f"{CCPCJ} resolution 20/3",
            ),
        ],
    ),
    (
        "list-of-five",
        FIVE,
        [
            ("A/RES/76/217", "resolutions 76/217 of 17 December 2021"),
            ("A/RES/77/246", "77/246 of 30 December 2022"),
            ("A/RES/77/329", "77/329 of 25 August 2023"),
            ("A/RES/78/315", "78/315 of 10 July 2024"),
            ("A/RES/79/279", "79/279 of 11 April 2025"),
        ],
    ),
    (
        "pinpoint-section",
        "section XI, paragraph 6, of its resolution 59/276",
        [("A/RES/59/276", "resolution 59/276")],
    ),
    # lists of parts, hyphens, misprints and titles (ga75 corpus)
    (
        "parts-and",
        "resolutions 57/284 A and B of 20 December 2002, 58/286 of 8 April 2004",
        [
            ("A/RES/57/284A", "resolutions 57/284 A and B of 20 December 2002"),
            ("A/RES/57/284B", "resolutions 57/284 A and B of 20 December 2002"),
            ("A/RES/58/286", "58/286 of 8 April 2004"),
        ],
    ),
    (
        "parts-range",
        "resolutions 53/208 A to C of 18 December 1998 and 59/265",
        [
            ("A/RES/53/208A", "resolutions 53/208 A to C of 18 December 1998"),
            ("A/RES/53/208B", "resolutions 53/208 A to C of 18 December 1998"),
            ("A/RES/53/208C", "resolutions 53/208 A to C of 18 December 1998"),
            ("A/RES/59/265", "59/265"),
        ],
    ),
    (
        "part-double-letter",
        "resolutions 53/77 AA of 4 December 1998, 54/54 U of 1 December 1999",
        [
            ("A/RES/53/77AA", "resolutions 53/77 AA of 4 December 1998"),
            ("A/RES/54/54U", "54/54 U of 1 December 1999"),
        ],
    ),
    (
        "nb-hyphen-session",
        "recalling also General Assembly resolutions ES\u201110/15 of 20 July 2004 and ES-10/17",
        [
            ("A/RES/ES-10/15", "General Assembly resolutions ES\u201110/15 of 20 July 2004"),
            ("A/RES/ES-10/17", "ES-10/17"),
        ],
    ),
    (
        "misprinted-year",
        "resolutions 72/256 of 24 December 2107, 73/276 of 22 December 2018",
        [
            ("A/RES/72/256", "resolutions 72/256 of 24 December 2107"),
            ("A/RES/73/276", "73/276 of 22 December 2018"),
        ],
    ),
    (
        "inside-title",
        "its resolution 74/298, entitled “Review of General Assembly resolution 67/290 and "
        "resolution 70/299”,",
        [
            (
                "A/RES/74/298",
                "resolution 74/298, entitled “Review of General Assembly resolution 67/290 and "
                "resolution 70/299”",
            ),
            ("A/RES/67/290", "General Assembly resolution 67/290"),
            ("A/RES/70/299", "resolution 70/299"),
        ],
    ),
    (
        "ga-and-sc",
        "General Assembly and Security Council resolutions 70/262 and 2282 (2016) of 27 April 2016",
        [
            ("A/RES/70/262", "Security Council resolutions 70/262"),
            ("S/RES/2282(2016)", "2282 (2016) of 27 April 2016"),
        ],
    ),
    (
        "ecosoc-roman",
        "the annex to Economic and Social Council resolution 2008 (LX) of 14 May 1976,",
        [("E/RES/2008(LX)", "Economic and Social Council resolution 2008 (LX) of 14 May 1976")],
    ),
    (
        "body-after-list",
        "Welcoming resolution 27/5 of 18 May 2018 of the Commission on Crime Prevention and "
        "Criminal Justice, which",
        [("E/CN.15/RES/27/5", "resolution 27/5 of 18 May 2018")],
    ),
    (
        "adopted-by-other-body",
        "to implement resolution 4/6 on marine plastic litter, adopted by the United Nations "
        "Environment Assembly at its fourth session,",
        [],
    ),
    (
        "its-other-body",
        "Recalls the adoption by the Economic Commission for Latin America and the Caribbean of "
        "its resolution 574 (XXVII) of 16 May 1998,",
        [],
    ),
    (
        "its-hrc-paragraph",
        "Welcomes the request by the Human Rights Council, in paragraph 2 of its resolution 45/12,",
        [("A/HRC/RES/45/12", "resolution 45/12")],
    ),
    (
        "resolutions-of-the-body",
        "all relevant decisions and resolutions of the Human Rights Council, the most recent of "
        "which was resolution 42/24 of 27 September 2019,",
        [("A/HRC/RES/42/24", "resolution 42/24 of 27 September 2019")],
    ),
    (
        "unknown-body-before",
        "Indian Ocean Tuna Commission, resolutions 12/07 and 13/07.",
        [],
    ),
    (
        "number-inside-other-document",
        "A/56/1026-S/2002/932, annex II, resolution 14/221.",
        [("A/56/1026", "A/56/1026"), ("S/2002/932", "S/2002/932")],
    ),
    (
        "commission-refers-back",
        "the Commission on Human Rights on the right to development, in particular Commission "
        "resolution 1998/72 of 22 April 1998",
        [("E/CN.4/RES/1998/72", "Commission resolution 1998/72 of 22 April 1998")],
    ),
    (
        "other-assembly-list",
        "notes Environment Assembly resolution 2/21 of 27 May 2016, adopted during its second "
        "session, and resolution 4/10 of 15 March 2019",
        [],
    ),
    (
        "generic-resolutions-before-adopted-by",
        "Human Rights Council resolutions on the subject, including resolution 42/9, as well as "
        "all resolutions adopted by the Commission on Human Rights",
        [("A/HRC/RES/42/9", "resolution 42/9")],
    ),
    (
        "its-keeps-its-list",
        "reaffirming its resolutions 71/170 and 72/149, recalling the agreed conclusions adopted "
        "by the Commission on the Status of Women",
        [("A/RES/71/170", "resolutions 71/170"), ("A/RES/72/149", "72/149")],
    ),
    (
        "adoption-by-regional-commission",
        "Noting the adoption, by the Economic and Social Commission for Asia and the Pacific at "
        "its seventy-second session, of resolution 72/7 of 19 May 2016 on sand",
        [("E/ESCAP/RES/72/7", "resolution 72/7 of 19 May 2016")],
    ),
    (
        "adoption-by-two-organs",
        "the adoption by the General Assembly and the Security Council of substantively "
        "identical resolutions 70/262 and 2282 (2016)",
        [("A/RES/70/262", "resolutions 70/262"), ("S/RES/2282(2016)", "2282 (2016)")],
    ),
    (
        "its-as-reflected-in",
        "notes the contribution of the United Nations Environment Assembly, as reflected in its "
        "resolution 2/17 of 27 May 2016,",
        [],
    ),
    (
        "adopted-by-committee-is-no-context",
        "recommendations adopted by the Special Committee at its 2016 session, in particular "
        "as set forth in the annex to resolution 71/146;",
        [("A/RES/71/146", "resolution 71/146")],
    ),
    # other documents
    (
        "committee-report",
        "the report of the Third Committee (A/67/458)",
        [("A/67/458", "A/67/458")],
    ),
    (
        "draft-rev",
        "draft resolution A/C.3/67/L.60/Rev.1",
        [("A/C.3/67/L.60/Rev.1", "A/C.3/67/L.60/Rev.1")],
    ),
    ("prst", "statement by its President (S/PRST/2014/16)", [("S/PRST/2014/16", "S/PRST/2014/16")]),
    ("joint", "the letter (A/48/486-S/26560)", [("A/48/486", "A/48/486"), ("S/26560", "S/26560")]),
    (
        "addendum",
        "the reports (S/25704 and Add.1)",
        [("S/25704", "S/25704"), ("S/25704/Add.1", "Add.1")],
    ),
    (
        "ocr-s",
        "special report of 10 September 2002 (5/2002/1005) and",
        [("S/2002/1005", "5/2002/1005")],
    ),
    (
        "official-records",
        "Supplement No. 53A (A/74/53/Add.1), chap. III.",
        [("A/74/53/Add.1", "A/74/53/Add.1")],
    ),
    (
        "unfccc-decision",
        "FCCC/CP/2015/10/Add.1, decision 1/CP.21.",
        [("FCCC/CP/2015/10/Add.1", "FCCC/CP/2015/10/Add.1")],
    ),
    (
        "cbd-decision",
        "document CBD/COP/15/17, decision 15/4, annex.",
        [("CBD/COP/15/17", "CBD/COP/15/17")],
    ),
    (
        "document-volume-part-section",
        "(NPT/CONF.2010/50 (Vol. I)), A/CONF.157/24 (Part I), A/75/6 (Sect. 29G)/Corr.1 and "
        "ICCD/COP(14)/23/Add.1",
        [
            ("NPT/CONF.2010/50(Vol.I)", "NPT/CONF.2010/50 (Vol. I)"),
            ("A/CONF.157/24(PartI)", "A/CONF.157/24 (Part I)"),
            ("A/75/6(Sect.29G)/Corr.1", "A/75/6 (Sect. 29G)/Corr.1"),
            ("ICCD/COP(14)/23/Add.1", "ICCD/COP(14)/23/Add.1"),
        ],
    ),
    # unregistered treaty names: real names only
    (
        "generic-plural",
        "Recalling the Geneva Conventions of 12 August 1949,",
        [("treaty-generic", "Geneva Conventions")],
    ),
    (
        "generic-descriptors-only",
        "the Additional Protocol and Protocol I thereof",
        [("treaty-descriptor", "Additional Protocol"), ("treaty-descriptor", "Protocol I")],
    ),
    ("generic-keyword-then-by", "accession to the Convention by States", []),
    ("generic-assembly", "the Fifth Constitutional Convention", []),
    ("generic-collection", "the United Nations Treaty Collection", []),
    ("generic-body-of-conventions", "the Liaison Group of Biodiversity-related Conventions", []),
    (
        "generic-after-a-cut-name",
        "the Lemuria Fisheries Agreement and the Atlantis Whaling Convention",
        [
            ("treaty-generic", "Lemuria Fisheries Agreement"),
            ("treaty-generic", "Atlantis Whaling Convention"),
        ],
    ),
    (
        "generic-to-the-non-treaty",
        "the States Parties to the Convention to the Implementation Review Mechanism",
        [],
    ),
    (
        "generic-and-after-keyword",
        "the Declaration on the Lemuria Fisheries Agreement and Public Health",
        [("treaty-generic", "Lemuria Fisheries Agreement")],
    ),
    (
        "generic-between-parties",
        "the Agreement between the United Nations and the Organisation for the Prohibition of "
        "Chemical Weapons,",
        [
            (
                "treaty-generic",
                "Agreement between the United Nations and the Organisation for the Prohibition "
                "of Chemical Weapons",
            )
        ],
    ),
    # not citations
    ("page-numbers", "3/4 2/5 8/8", []),
    ("sales-number", "(United Nations publication, Sales No. E.02.II.A.7), chap. I", []),
    ("sales-number-ocr", "Sales No. E.77.XTV.2", []),
    ("job-number", "12-48970 (E) 100124", []),
    ("decision", "decision 15/4 and decision 1/CP.21", []),
    (
        "cross-reference",
        "paragraph 3 below and paragraphs 8 to 13 and annex I to the present resolution",
        [],
    ),
    ("own-symbol", "A/RES/99/1 and the present resolution", []),
    ("full-symbol-once", "see A/RES/67/185.", [("A/RES/67/185", "A/RES/67/185")]),
    (
        "generic-resolutions",
        "Recalling its previous resolutions and statements by its President",
        [],
    ),
    ("country-in-vote", "12 votes to 2 (Cuba, Yemen)", []),
    # treaties and declarations by name
    (
        "treaty-name",
        "the United Nations Convention against Transnational Organized Crime,",
        [("untoc", "United Nations Convention against Transnational Organized Crime")],
    ),
    (
        "protocol-wins",
        f"the {SOM}",
        [
            (
                "smuggling-of-migrants-protocol",
                SOM,
            )
        ],
    ),
    (
        "short-name",
        "the Convention and the Trafficking in Persons Protocol,",
        [("trafficking-in-persons-protocol", "Trafficking in Persons Protocol")],
    ),
    (
        "thereto",
        f"the {CAT} and the Optional Protocol thereto",
        [
            (
                "cat",
                CAT,
            ),
            ("thereto", "the Optional Protocol thereto"),
        ],
    ),
    (
        "declaration",
        "the Universal Declaration of Human Rights, in which",
        [("A/RES/217(III)A", "Universal Declaration of Human Rights")],
    ),
    (
        "unregistered",
        "the signature of the Pretoria Agreement on 30 July 2002",
        [("treaty-generic", "Pretoria Agreement")],
    ),
    (
        "charter",
        "the Charter of the United Nations and Article 2 of the Charter",
        [("un-charter", "Charter of the United Nations")],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CLAUSE_CASES], ids=[c[0] for c in CLAUSE_CASES]
)
def test_clause_citations(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


FOOTNOTE_CASES: list[tuple[str, str, list[str]]] = [
    ("roman", "Resolution 217 A (III).", ["A/RES/217(III)A"]),
    ("modern", "Resolution 55/2.", ["A/RES/55/2"]),
    ("see", "See resolution 78/266.", ["A/RES/78/266"]),
    ("annex", "Resolution 76/181, annex.", ["A/RES/76/181"]),
    (
        "two",
        "Resolution 79/233, annex; see also resolution 79/279.",
        ["A/RES/79/233", "A/RES/79/279"],
    ),
    ("document", "E/CN.15/2012/5.", ["E/CN.15/2012/5"]),
    (
        "official-records",
        OR_ECOSOC,
        ["E/2011/30"],
    ),
    ("unts", "United Nations, Treaty Series, vol. 2225, No. 39574.", ["untoc"]),
    (
        "unts-plural",
        "United Nations, Treaty Series, vols. 2225, 2237, 2241 and 2326, No. 39574.",
        [
            "untoc",
            "trafficking-in-persons-protocol",
            "smuggling-of-migrants-protocol",
            "firearms-protocol",
        ],
    ),
    (
        "unts-unregistered",
        "United Nations, Treaty Series, vol. 3101, No. 99999.",
        ["unts-3101-99999"],
    ),
    ("lnts", "League of Nations, Treaty Series, vol. XCIV, No. 2138.", ["geneva-protocol-1925"]),
    (
        "unts-number-range",
        "United Nations, Treaty Series, vol. 75, Nos. 970–973.",
        [
            "geneva-convention-i",
            "geneva-convention-ii",
            "geneva-convention-iii",
            "geneva-convention-iv",
        ],
    ),
    ("ibid-unts", "Ibid., vol. 2241, No. 39574.", ["ibid"]),
    ("ibid-bare", "Ibid.", ["ibid"]),
    ("ibid-official-records-volume", "Ibid., vol. III (A/75/5 (Vol. III)).", ["A/75/5(Vol.III)"]),
    (
        "ibid-official-records",
        "Ibid., Seventy-fourth Session, Supplement No. 53A (A/74/53/Add.1), chap. II.",
        ["A/74/53/Add.1"],
    ),
    (
        "sales",
        MONTERREY,
        [],
    ),
]


@pytest.mark.parametrize(
    ("body", "targets"), [c[1:] for c in FOOTNOTE_CASES], ids=[c[0] for c in FOOTNOTE_CASES]
)
def test_footnote_citations(body: str, targets: list[str]) -> None:
    res = find_citations(document(["Recalling the text,{1}"], {"1": body}))
    assert [c.target for c in res.citations] == targets
    for c in res.citations:
        assert (c.clause, c.footnote) == ("pp/1", "fn/1")
        assert res.source.text[c.span.start : c.span.end] == c.text


def _one(text: str) -> Citation:
    (c,) = find_citations(document([text])).citations
    return c


def test_date_title_organ_and_pattern() -> None:
    c = _one(
        'Recalling its resolution 66/172 of 19 December 2011, entitled "Protection of migrants",'
    )
    assert (c.kind, c.date, c.title, c.organ, c.pattern, c.work) == (
        "resolution",
        dt.date(2011, 12, 19),
        "Protection of migrants",
        "General Assembly",
        "slash-resolution-number",
        None,
    )


def test_component_names_its_work() -> None:
    c = _one("resolution 217 A (III)")
    assert (c.target, c.work) == ("A/RES/217(III)A", "A/RES/217(III)")


def test_its_means_the_citing_body() -> None:
    res = find_citations(
        document(["Recalling its resolution 16/18,"], organ="Human Rights Council")
    )
    assert [c.target for c in res.citations] == ["A/HRC/RES/16/18"]


def test_span_skips_removed_marker() -> None:
    """A citation across a removed footnote marker still maps to its exact place in the source."""
    res = find_citations(
        document(
            ["entitled “Implementation of the Plan”{5} and resolution 66/3 of 15 April{6} 2011"]
        )
    )
    (c,) = res.citations
    assert c.text == "resolution 66/3 of 15 April 2011"
    assert res.source.text[c.span.start : c.span.end] == "resolution 66/3 of 15 April6 2011"


def test_span_in_source() -> None:
    res = find_citations(document(["First clause.", "Recalling its resolution 66/172,"]))
    (c,) = res.citations
    assert res.source.text[c.span.start : c.span.end] == "resolution 66/172"
    assert c.clause == "pp/2"


def test_its_of_a_body_without_series_is_not_the_citing_body() -> None:
    """'by the Economic Commission for Latin America … of its resolution': not the GA's."""
    res = find_citations(
        document(
            [
                "Recalls the adoption by the Economic Commission for Latin America and the "
                "Caribbean of its resolution 574 (XXVII) of 16 May 1998,"
            ]
        )
    )
    assert res.citations == ()
    assert [(u.text, u.reason) for u in res.unresolved] == [
        ("resolution 574 (XXVII) of 16 May 1998", "resolution-of-body-without-series")
    ]


def test_its_of_a_body_outside_the_organ_table_is_not_the_citing_body() -> None:
    """'by the General Assembly of the World Tourism Organization …, by its resolution'."""
    res = find_citations(
        document(
            [
                "Also takes note of the adoption, by the General Assembly of the World Tourism "
                "Organization at its twenty-third session, in September 2019, by its resolution "
                "722 (XXIII), of the Framework Convention on Tourism Ethics,"
            ],
            organ="General Assembly",
        )
    )
    assert [c.target for c in res.citations if c.kind == "resolution"] == []
    assert [u.reason for u in res.unresolved] == ["resolution-of-body-without-series"]


def test_body_without_series_is_kept_unresolved() -> None:
    res = find_citations(document(["Commission on Population and Development resolution 2006/2"]))
    assert res.citations == ()
    assert [u.reason for u in res.unresolved] == ["resolution-of-body-without-series"]


def test_reading_order_puts_footnote_citations_at_their_marker() -> None:
    res = find_citations(
        document(
            ["Recalling the Declaration,{1} and its resolution 66/172,"], {"1": "Resolution 55/2."}
        )
    )
    assert [c.target for c in res.citations] == ["A/RES/55/2", "A/RES/66/172"]


def test_importing_does_no_work() -> None:
    code = "import resgraph.parse.cite as c; print(c.patterns.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


# Whose resolution: a bare number after another organ, implausible GA sessions, a list
# 'adopted at its … session' after another body, a declaration adopted after the citing text.
# (case id, clause text, citing symbol, resolution targets found, unresolved reasons)
OWNER_CASES: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "bare-after-organ",
        "confirmed by the High Commissioner in her report to the Human Rights Council submitted "
        "pursuant to resolution 34/24 and in her oral update to the Council pursuant to "
        "resolution 40/20;",
        "A/RES/99/1",
        ["A/HRC/RES/34/24", "A/HRC/RES/40/20"],
        [],
    ),
    (
        "bare-after-assembly-stays-ga",
        "the report of the Human Rights Council to the General Assembly pursuant to "
        "resolution 60/251;",
        "A/RES/99/1",
        ["A/RES/60/251"],
        [],
    ),
    (
        "bare-after-security-council-stays-ga",
        "the Security Council and the Secretary-General, pursuant to resolution 70/262;",
        "A/RES/99/1",
        ["A/RES/70/262"],
        [],
    ),
    (
        "its-after-act-of-organ",
        "Also takes note of the request of the Human Rights Council to the Working Group on "
        "Arbitrary Detention, within its mandate, to prepare a study, through its resolution "
        "42/22 of 26 September 2019;",
        "A/RES/99/1",
        ["A/HRC/RES/42/22"],
        [],
    ),
    (
        "its-after-report-of-organ-stays-ga",
        "Taking note of the report of the Human Rights Council, and recalling its resolution "
        "60/251 of 15 March 2006,",
        "A/RES/99/1",
        ["A/RES/60/251"],
        [],
    ),
    (
        "ga-session-before-31",
        "decisions of the Conference of the States Parties to the Convention, including "
        "resolutions 7/8 on corruption in sport and 8/4 on safeguarding sport from corruption, "
        "inter alia, through taking robust legislative and law enforcement measures, supporting "
        "technical assistance and promoting capacity-building initiatives, as appropriate, and "
        "promoting cooperation between law enforcement agencies and relevant sport-related "
        "organizations and stakeholders, as well as resolution 7/5 on promoting preventive "
        "measures against corruption;",
        "A/RES/99/1",
        [],
        ["resolution-of-body-without-series"] * 2 + ["ga-session-before-arabic-numbering"],
    ),
    (
        "roman-list-adopted-at-its-session",
        "Taking note of resolution 668 (XXI) adopted by the General Assembly of the World "
        "Tourism Organization at its twenty-first session, held in Medellin, Colombia, from 12 "
        "to 17 September 2015, resolution 707 (XXII) adopted at its twenty-second session, held "
        "in Chengdu, China, from 11 to 16 September 2017, and resolutions 722 (XXIII) and "
        "723 (XXIII) adopted at its twenty-third session,",
        "A/RES/99/1",
        [],
        ["resolution-of-body-without-series"] * 4,
    ),
    (
        "ga-list-adopted-at-its-session-stays-ga",
        "Recalling resolutions 2200 A (XXI) adopted at its twenty-first session,",
        "A/RES/99/1",
        ["A/RES/2200(XXI)A"],
        [],
    ),
    (
        "declaration-adopted-later",
        "welcomes the adoption of the Universal Declaration of Human Rights and of the Kyoto "
        "Declaration on Advancing Crime Prevention, Criminal Justice and the Rule of Law: "
        "Towards the Achievement of the 2030 Agenda for Sustainable Development;",
        "A/RES/75/291",
        ["A/RES/217(III)A"],
        ["declaration-adopted-later"],
    ),
    (
        "declaration-adopted-earlier",
        "the Kyoto Declaration on Advancing Crime Prevention, Criminal Justice and the Rule of "
        "Law: Towards the Achievement of the 2030 Agenda for Sustainable Development;",
        "A/RES/77/1",
        ["A/RES/76/181"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("text", "symbol", "targets", "reasons"),
    [c[1:] for c in OWNER_CASES],
    ids=[c[0] for c in OWNER_CASES],
)
def test_whose_resolution(text: str, symbol: str, targets: list[str], reasons: list[str]) -> None:
    res = find_citations(document([text], symbol=symbol))
    assert [c.target for c in res.citations if c.kind == "resolution"] == targets
    assert [u.reason for u in res.unresolved] == reasons


def test_a_session_number_after_an_organ_numbered_by_year_stays_the_citing_bodys() -> None:
    """'… the Economic and Social Council …, in line with resolution 73/341': ECOSOC numbers
    by year, so the session number is the General Assembly's."""
    text = (
        "the Economic and Social Council and the high-level political forum to promote synergies, "
        "in line with resolution 73/341,"
    )
    res = find_citations(document([text]))
    assert [c.target for c in res.citations] == ["A/RES/73/341"]
