"""segment(): one small synthetic text per layout trap (GOLD.md), plus the phrase vocabulary.

Each case is a row: an input text and what must be found in it. Only the fields a row gives
are compared; `keys` lists every clause key in reading order.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resgraph.errors import InputError, ParseError
from resgraph.model import Resolution, SourceText
from resgraph.parse.heading import read_closing, read_heading
from resgraph.parse.segment import load_clause_phrases, match_phrase, segment
from resgraph.resources import patterns_dir


def src(text: str, name: str = "case.txt") -> SourceText:
    """A SourceText as the read stage would give it (no normalisation here on purpose)."""
    return SourceText(name, text, "text", "utf-8", hashlib.sha256(text.encode()).hexdigest())


@dataclass
class Case:
    """Expected results of one row; None / empty means "not checked"."""

    keys: list[str] | None = None
    texts: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str | None] = field(default_factory=dict)
    anchors: dict[str, str | None] = field(default_factory=dict)  # footnote marker -> clause key
    footnotes: dict[str, str] = field(default_factory=dict)  # footnote marker -> text
    heading: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, str | None] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)


GA_HEAD = (
    "Resolution adopted by the General Assembly on 20 December 2012\n"
    "[on the report of the Third Committee (A/67/458, para. 12)]\n"
    "67/185.\tA title\n\n"
)

ODS_TABS = (
    "[DU1]\n" + GA_HEAD + "\tThe General Assembly,\n"
    "\tRecalling its resolution 66/172,\n"
    "\tReaffirming the Universal Declaration of Human Rights,1 in which it is stated,\n"
    "\t1.\tStrongly condemns acts;\n"
    "\t2.\tReiterates its call for the Convention8 to be ratified.\n\n"
    "60th plenary meeting\n20 December 2012\n\n"
    "1 Resolution 217 A (III).\n8 United Nations, Treaty Series, vol. 2225, No. 39574.\n"
    "[DU1]<<ODS JOB NO>>N1248970E<<ODS JOB NO>>\n"
    "United NationsA/RES/67/185General AssemblyDistr.: General\n"
    "12 March 2013Sixty-seventh session\nAgenda item 103\n\n12-48970\n*1248970*Please recycle \n"
)
ODS_EXPECT = Case(
    keys=["pp/1", "pp/2", "op/1", "op/2"],
    texts={
        "pp/2": "Reaffirming the Universal Declaration of Human Rights, in which it is stated,",
        "op/2": "Reiterates its call for the Convention to be ratified.",
    },
    phrases={"pp/1": "Recalling", "op/1": "Strongly condemns", "op/2": "Reiterates"},
    anchors={"1": "pp/2", "8": "op/2"},
    footnotes={
        "1": "Resolution 217 A (III).",
        "8": "United Nations, Treaty Series, vol. 2225, No. 39574.",
    },
    heading={
        "symbol": "A/RES/67/185",
        "title": "A title",
        "adopted": date(2012, 12, 20),
        "distributed": date(2013, 3, 12),
        "session": 67,
        "meeting": "60th plenary meeting",
        "committee": "Third Committee",
        "committee_report": "A/67/458",
        "report_paragraph": "12",
        "agenda_items": ("103",),
        "job_number": "12-48970",
        "formula": "The General Assembly,",
    },
)

PDF_HEAD = (
    "United Nations \nA/RES/78/224\n \nGeneral Assembly \nDistr.: General \n22 December 2023 \n \n"
    "23-25987 (E)    100124     \n*2325987* \n \nSeventy-eighth session \nAgenda item 107 \n"
    "Crime prevention and criminal justice  \n \n Resolution adopted by the General Assembly \n"
    "on 19 December 2023 \n \n[on the report of the Third Committee (A/78/482, para. 29)] \n \n"
    " 78/224. Reducing reoffending through rehabilitation \nand reintegration \n \n \n"
    "The General Assembly, \n \n"
)
PAGE_HEAD = (
    "\nA/RES/78/224 \nReducing reoffending through rehabilitation and reintegration\n \n"
    "23-25987\n2/3 \n \n"
)


def pdf(body: str) -> str:
    """A PDF-text resolution: the first-page header, then the body."""
    return PDF_HEAD + body


CASES: dict[str, tuple[str, Case]] = {
    "ods-tabs": (ODS_TABS, ODS_EXPECT),
    "ods-spaces": (ODS_TABS.replace("\t", "    "), ODS_EXPECT),
    "crlf": (ODS_TABS.replace("\n", "\r\n"), ODS_EXPECT),
    "pdf-header-and-wrapped-lines": (
        pdf(
            "Recalling the outcome of the Congress held in Kyoto \nfrom 7 to 12 March 2021, \n \n"
            "1. \nEncourages Member States to develop \nstrategies; \n \n"
            "10. Strongly encourages Member States to participate. \n \n"
            "50th plenary meeting \n19 December 2023 \n"
        ).replace("10. Strongly", "2. Strongly"),
        Case(
            keys=["pp/1", "op/1", "op/2"],
            texts={
                "pp/1": "Recalling the outcome of the Congress held in Kyoto "
                "from 7 to 12 March 2021,",
                "op/1": "Encourages Member States to develop strategies;",
            },
            phrases={"op/2": "Strongly encourages"},
            heading={
                "symbol": "A/RES/78/224",
                "title": "Reducing reoffending through rehabilitation and reintegration",
                "adopted": date(2023, 12, 19),
                "distributed": date(2023, 12, 22),
                "session": 78,
                "agenda_items": ("107",),
                "job_number": "23-25987",
                "committee_report": "A/78/482",
                "report_paragraph": "29",
                "meeting": "50th plenary meeting",
            },
        ),
    ),
    "footnote-block-mid-paragraph-and-running-head": (
        pdf(
            "Recalling the Kyoto Declaration,1 and the standards \nof the Nelson Mandela \n"
            "__________________ \n \n1  Resolution 76/181, annex. \n \n2  Resolution 70/175, \n"
            "annex. \n" + PAGE_HEAD + "Rules), 2  the Bangkok Rules, \n \n"
            "1. \nDecides to remain seized of the matter. \n \n"
            "50th plenary meeting \n19 December 2023 \n"
        ),
        Case(
            keys=["pp/1", "op/1"],
            texts={
                "pp/1": "Recalling the Kyoto Declaration, and the standards of the Nelson Mandela "
                "Rules), the Bangkok Rules,"
            },
            anchors={"1": "pp/1", "2": "pp/1"},
            footnotes={"1": "Resolution 76/181, annex.", "2": "Resolution 70/175, annex."},
        ),
    ),
    "markers-glued-to-years-and-numbers": (
        pdf(
            "Recalling the Decade 2014–20243 and the Pact of 20236 and resolution 74/1677 "
            "and Agenda 218 and the report (2023)9 \n \n"
            "1. \nDecides to act. \n \n50th plenary meeting \n19 December 2023 \n"
            "__________________ \n \n3  A. \n \n6  B. \n \n7  C. \n \n8  D. \n \n9  E. \n"
        ),
        Case(
            texts={
                "pp/1": "Recalling the Decade 2014–2024 and the Pact of 2023 and resolution "
                "74/167 and Agenda 21 and the report (2023)"
            },
            anchors={"3": "pp/1", "6": "pp/1", "7": "pp/1", "8": "pp/1", "9": "pp/1"},
        ),
    ),
    "numbers-that-are-not-markers": (
        pdf(
            "Noting that from 1 to 2 March 2021, 3 States met, \n \n"
            "1. \nDecides that paragraph 1 applies to 2 persons;1 \n \n"
            "50th plenary meeting \n19 December 2023 \n__________________ \n \n1  A/78/1. \n"
        ),
        Case(
            anchors={"1": "op/1"},
            texts={"pp/1": "Noting that from 1 to 2 March 2021, 3 States met,"},
        ),
    ),
    "sub-items-own-line-and-roman-nested": (
        pdf(
            "1. \nDecides: \n \n(a) \nTo act; \n \n(b) To report on: \n(i) \nOne; \n(ii) Two; \n"
            "(c) To close; \n \n2. Requests the Secretary-General to report. \n \n"
            "50th plenary meeting \n19 December 2023 \n"
        ),
        Case(
            keys=["op/1", "op/1/a", "op/1/b", "op/1/b/i", "op/1/b/ii", "op/1/c", "op/2"],
            texts={"op/1": "Decides:", "op/1/b/i": "One;", "op/1/a": "To act;"},
            parents={"op/1/b/ii": "op/1/b", "op/1/c": "op/1"},
        ),
    ),
    "ocr-sc-heading-roman-1-dash-items": (
        "Resolution 242 (1967)\nof 22 November 1967\n\nThe Security Council,\n\n"
        "Expressing its continuing concern with the grave\nsituation in the Middle East,\n\n"
        "1. Affirms the following principles:\n\n(1) Withdrawal of forces ;\n\n(ii) Termination "
        "of all claims ;\n\n2. Stresses that, in this regard:\n\n— Calls for a cessation;\n\n"
        "— Calls on all parties to cooperate;\n\nAdopted unanimously at the\n1382nd meeting.",
        Case(
            keys=["pp/1", "op/1", "op/1/i", "op/1/ii", "op/2"],
            phrases={"pp/1": "Expressing its continuing concern", "op/2": "Stresses"},
            texts={
                "op/2": "Stresses that, in this regard: — Calls for a cessation; — Calls on all "
                "parties to cooperate;"
            },
            heading={
                "symbol": "S/RES/242(1967)",
                "number": "242 (1967)",
                "organ": "Security Council",
                "adopted": date(1967, 11, 22),
                "meeting": "1382nd meeting",
                "vote": "unanimously",
                "title": None,
                "session": None,
            },
        ),
    ),
    "form-feed-running-head-mid-paragraph": (
        "United Nations S/RES/1445 (2002)\n\nSecurity Council Distr.: General\n4 December 2002\n\n"
        "Resolution 1445 (2002)\n\nAdopted by the Security Council at its 4653rd meeting,\n"
        "on 4 December 2002\n\nThe Security Council,\n\nRecalling its resolutions,\n\n"
        "1. Welcomes the decision taken by all the parties to withdraw, as well as\n\n"
        "02-72318 (E)\n\n\fS/RES/1445 (2002)\n\nprogress in withdrawals;\n\n"
        "2. In regard to DDR, endorses also the mechanism;\n",
        Case(
            keys=["pp/1", "op/1", "op/2"],
            texts={
                "op/1": "Welcomes the decision taken by all the parties to withdraw, as well as "
                "progress in withdrawals;"
            },
            phrases={"op/2": "endorses also"},
            heading={
                "symbol": "S/RES/1445(2002)",
                "adopted": date(2002, 12, 4),
                "distributed": date(2002, 12, 4),
                "meeting": "4653rd meeting",
            },
        ),
    ),
    "annex-after-closing-with-sections-and-headings": (
        pdf(
            "Recalling its resolutions, \n \n1. \nEndorses the declaration;1 \n \n"
            "2. \nExpresses its profound gratitude to the host. \n \n"
            "18th plenary meeting \n14 October 2025 \n \nAnnex \nA Declaration \n \n"
            "1. \nWe meet.2 \n"
            "I. \nGlobal context \n2. \nWe gather. \n \nPartnerships and support \n"
            "3. We invite:3 \n(a) \nStates; \n(b) Others. \n"
            "__________________ \n \n1  A/80/1. \n \n2  A/80/2. \n \n3  A/80/3. \n"
        ),
        Case(
            keys=[
                "pp/1",
                "op/1",
                "op/2",
                "annex/1/1",
                "annex/1/2",
                "annex/1/3",
                "annex/1/3/a",
                "annex/1/3/b",
            ],
            texts={"annex/1/2": "We gather.", "annex/1/1": "We meet."},
            anchors={"1": "op/1", "2": "annex/1/1", "3": "annex/1/3"},
            sections={"annex/1/2": "I", "annex/1/1": None},
            phrases={"op/2": "Expresses its profound gratitude"},
        ),
    ),
    "section-letters-alone": (
        "Resolution 687 (1991)\nof 3 April 1991\n\nThe Security Council,\n\n"
        "Recalling its resolutions,\n\nA\n\n1. Affirms all resolutions;\n\n"
        "B\n\n2. Demands that Iraq respect the boundary;\n",
        Case(keys=["pp/1", "op/1", "op/2"], sections={"op/1": "A", "op/2": "B"}),
    ),
    "formula-without-comma-no-preamble": (
        "Resolution adopted by the General Assembly on 1 March 2024\n\n78/255. A title\n\n"
        "The General Assembly\n\n1. Decides to convene a meeting;\n\n2. Requests a report.\n",
        Case(
            keys=["op/1", "op/2"], heading={"formula": "The General Assembly", "title": "A title"}
        ),
    ),
    "title-without-number": (
        "Resolution adopted by the General Assembly on 1 March 2024\n\n"
        "[without reference to a Main Committee (A/79/L.9/Rev.1)]\n\nCooperation between the "
        "United Nations\nand a regional organization\n\nThe General Assembly,\n\n"
        "Recalling its resolutions,\n\n1. Decides to continue.\n",
        Case(
            heading={
                "title": "Cooperation between the United Nations and a regional organization",
                "draft": "A/79/L.9/Rev.1",
                "number": None,
            }
        ),
    ),
    "one-word-per-line-and-spurious-blank": (
        "The General Assembly,\n\nRecalling\nits\nresolution\n\n"
        "74/1,\n\nNoting the report,\n\n1. Decides\nto\nact.\n",
        Case(
            keys=["pp/1", "pp/2", "op/1"],
            texts={"pp/1": "Recalling its resolution 74/1,", "op/1": "Decides to act."},
        ),
    ),
    "preamble-without-blank-lines": (
        "The General Assembly,\nRecalling its resolution 74/1,\nwhich it adopted,\n"
        "Noting with concern the report,\nBearing in mind the Charter,\n1. Decides to act.\n",
        Case(
            keys=["pp/1", "pp/2", "pp/3", "op/1"],
            phrases={"pp/2": "Noting with concern", "pp/3": "Bearing in mind"},
            texts={"pp/1": "Recalling its resolution 74/1, which it adopted,"},
        ),
    ),
    "own-line-and-inline-numbers-mixed-with-form-feed": (
        "The General Assembly,\n\n1.\nNotes the report;\n\n\f2. Takes note with appreciation "
        "of the work;\n\n3. \nAlso requests a report.\n",
        Case(
            keys=["op/1", "op/2", "op/3"],
            phrases={
                "op/1": "Notes",
                "op/2": "Takes note with appreciation",
                "op/3": "Also requests",
            },
        ),
    ),
    "sections-restart-numbering-with-own-preamble": (
        "The General Assembly,\n\nRecalling its resolutions,\n\n1. Takes note of the report;\n\n"
        "2. Decides to act;\n\nI\n\nStaff matters\n\nHaving considered the report,\n\n"
        "1. Approves the scale;\n\n2. Requests a study;\n\nII\n\nBudget\n\n"
        "Approves the budget for 2021;\n",
        Case(
            keys=["pp/1", "op/1", "op/2", "pp/2", "op/I/1", "op/I/2", "op/II/3"],
            sections={"pp/2": "I", "op/I/2": "I", "op/1": None},
            phrases={"pp/2": "Having considered", "op/II/3": "Approves"},
        ),
    ),
    "first-section-right-after-the-formula-keeps-its-preamble": (
        "The General Assembly,\n\nI\n\nRecalling its resolution 74/1,\n\n"
        "Having considered the report,1\n\n1. Takes note of the report;\n\n"
        "2. Endorses the conclusions;\n\nII\n\nRecalling its resolution 74/2,\n\n"
        "Having considered the note,2\n\n1. Notes the work.\n\n"
        "__________________\n\n1 A/75/1.\n\n2 A/75/2.\n",
        Case(
            keys=["pp/1", "pp/2", "op/I/1", "op/I/2", "pp/3", "pp/4", "op/II/1"],
            sections={"pp/1": "I", "pp/2": "I", "pp/3": "II", "pp/4": "II"},
            phrases={"pp/2": "Having considered", "pp/3": "Recalling", "op/II/1": "Notes"},
            texts={"pp/4": "Having considered the note,"},
            anchors={"1": "pp/2", "2": "pp/4"},
        ),
    ),
    "ods-preamble-between-operative-paragraphs-without-its-heading": (
        "\tThe General Assembly,\n\tRecalling its resolutions,\n"
        "\t1.\tInvites the Secretary-General to act;\n"
        "\tRecalling its resolution 44/198, by which it established a floor,\n"
        "\tNoting the report,\n\t2.\tApproves the scale;\n"
        "\t3.\tDecides to act;\n\t(a)\tRecalling the scale;\n",
        Case(
            keys=["pp/1", "op/1", "pp/2", "pp/3", "op/2", "op/3", "op/3/a"],
            texts={"op/1": "Invites the Secretary-General to act;", "pp/3": "Noting the report,"},
        ),
    ),
    "ods-spaces-preamble-between-operative-paragraphs": (
        "    The General Assembly,\n\n    Recalling its resolutions,\n"
        "    1.    Invites the Secretary-General to act;\n"
        "    Recalling its resolution 44/198, by which it established a floor,\n"
        "    2.    Approves the scale;\n\n    B\n\n    Noting the report,\n"
        "    1.    Decides to act.\n",
        Case(
            keys=["pp/1", "op/1", "pp/2", "op/2", "pp/3", "op/B/1"],
            texts={"op/1": "Invites the Secretary-General to act;"},
        ),
    ),
    "ods-preamble-between-operative-paragraphs-under-sub-headings": (
        "\tThe General Assembly,\n\tRecalling its resolutions,\n"
        "\t1.\tInvites the Secretary-General to act;\n"
        "\tConditions of service of staff\n\tA\n\tBase salary scale\n"
        "\tRecalling its resolution 44/198,\n\t2.\tApproves the scale;\n"
        "\tB\n\tRecalling also its resolution 51/216,\n\t1.\tReaffirms the range.\n",
        Case(
            keys=["pp/1", "op/1", "pp/2", "op/A/2", "pp/3", "op/B/1"],
            texts={"op/1": "Invites the Secretary-General to act;"},
            sections={"pp/2": "A", "op/A/2": "A", "pp/3": "B"},
        ),
    ),
    "parts-with-their-own-formula": (
        "75/101. A title\n\nA\n\nThe General Assembly,\n\nRecalling its resolutions,\n\n"
        "1. Decides to act;\n\n2. Requests a report.\n\nB\n\nThe General Assembly,\n\n"
        "Noting the report,\n\n1. Welcomes the report.\n",
        Case(
            keys=["pp/1", "op/A/1", "op/A/2", "pp/2", "op/B/1"],
            sections={"pp/2": "B", "op/B/1": "B"},
            texts={"op/A/2": "Requests a report."},
        ),
    ),
    "wrapped-reference-is-not-a-sub-item": (
        "The General Assembly,\n\n1. Recalls paragraph 2\n(b) of its resolution 74/1;\n"
        "2. Decides:\n(a) To act;\n(b) To report.\n",
        Case(
            keys=["op/1", "op/2", "op/2/a", "op/2/b"],
            texts={"op/1": "Recalls paragraph 2 (b) of its resolution 74/1;"},
        ),
    ),
    "inline-list-wrapped-before-its-second-item": (
        pdf(
            "Recalling its resolutions, \n \n1. \nEncourages the community to (a) assist "
            "Bangladesh; and \n(b) assist Myanmar; \n \n2. \nDecides: \n \n(a) To act; \n"
            "(b) To report. \n"
        ),
        Case(
            keys=["pp/1", "op/1", "op/2", "op/2/a", "op/2/b"],
            texts={
                "op/1": "Encourages the community to (a) assist Bangladesh; and (b) assist Myanmar;"
            },
        ),
    ),
    "wrapped-line-starting-with-an-ed-word-stays-in-its-paragraph": (
        pdf(
            "Recalling the Plan of Action to Prevent, Deter and Eliminate Illegal, \n"
            "Unreported and Unregulated Fishing adopted by the Organization, \n \n"
            "Noting the report, \n \n1. \nDecides to act. \n"
        ),
        Case(keys=["pp/1", "pp/2", "op/1"], phrases={"pp/2": "Noting"}),
    ),
    "number-alone-before-a-page-break-keeps-its-text": (
        pdf(
            "Recalling its resolutions, \n \n1. \n" + PAGE_HEAD + "\n"
            "Takes note of the report of the Secretary-General;1 \n \n2. \nDecides to act. \n"
            " \n__________________ \n \n1  A/75/268. \n"
        ),
        Case(
            keys=["pp/1", "op/1", "op/2"],
            phrases={"op/1": "Takes note"},
            anchors={"1": "op/1"},
        ),
    ),
    "marker-after-a-dated-comma-and-after-a-roman-session-decision": (
        "The General Assembly,\n\nRecalling the Memorandum of 5 December 1994, 1 and "
        "decision VII/1112 of the Conference,\n\n1. Decides to act.\n\n"
        "__________________\n\n1 A/49/765.\n\n12 UNEP/CBD/COP/7/21.\n",
        Case(
            anchors={"1": "pp/1", "12": "pp/1"},
            texts={
                "pp/1": "Recalling the Memorandum of "
                "5 December 1994, and decision VII/11 of the Conference,"
            },
        ),
    ),
    "marker-after-a-year-and-a-comma-is-not-a-thousands-group": (
        "The General Assembly,\n\nRecalling the Convention on Sediments, 2004,105 and a budget "
        "of 1,250,105 dollars for 2,105 persons,\n\n1. Decides to act.\n\n"
        "__________________\n\n105 A/49/765.\n",
        Case(
            anchors={"105": "pp/1"},
            texts={
                "pp/1": "Recalling the Convention on Sediments, 2004, and a budget "
                "of 1,250,105 dollars for 2,105 persons,"
            },
        ),
    ),
    "special-session-number-and-draft-with-addendum": (
        "Resolution adopted by the General Assembly on 2 June 2021\n"
        "[without reference to a Main Committee (A/S-32/L.1 and A/S-32/L.1/Add.1)]\n"
        "S-32/1.\tOur common commitment\n\n\tThe General Assembly,\n"
        "\tRecalling its resolutions,\n\t1.\tAdopts the declaration.\n",
        Case(
            heading={
                "symbol": "A/RES/S-32/1",
                "draft": "A/S-32/L.1",
                "title": "Our common commitment",
            }
        ),
    ),
    "parts-each-with-its-closing-lines-first-part-unnumbered": (
        "[DU1]\nResolution adopted by the General Assembly on 10 December 2020\n"
        "75/101.\tQuestions relating to information\n\n\tA\n\tInformation in the service\n\n"
        "\tThe General Assembly,\n\tTaking note of the report,1\n"
        "\tUrges all countries to cooperate;\n\n46th plenary meeting\n10 December 2020\n\n"
        "\tB\n\tPolicies of the Department\n\n\tThe General Assembly,\n"
        "\tRecalling its resolution 74/1,\n\t1.\tRequests the Secretary-General to act;2\n"
        "\t2.\tDecides to continue.\n\n46th plenary meeting\n10 December 2020\n\n"
        "1 A/75/21.\n2 A/75/22, wrapped in the\nexport.\n"
        "[DU1]<<ODS JOB NO>>N2035873E<<ODS JOB NO>>\n",
        Case(
            keys=["pp/1", "op/A/1", "pp/2", "op/B/1", "op/B/2"],
            phrases={"op/A/1": "Urges", "pp/2": "Recalling"},
            anchors={"1": "pp/1", "2": "op/B/1"},
            footnotes={"2": "A/75/22, wrapped in the export."},
            heading={"meeting": "46th plenary meeting", "adopted": date(2020, 12, 10)},
        ),
    ),
    "ods-wrapped-notes-with-lines-that-start-with-a-number": (
        "[DU1]\nResolution adopted by the General Assembly on 10 December 2020\n"
        "75/1.\tA title\n\n\tThe General Assembly,\n\tRecalling its resolution 74/1,1 and the "
        "Committee,2\n\t1.\tTakes note of the reports;3\n\t2.\tDecides to act.4\n\n"
        "46th plenary meeting\n10 December 2020\n\n\tAnnex\n\t1.\tWe recall articles 15 and\n"
        "16 (paragraph 1) of the Convention.\n\n"
        "1 Resolution 74/1.\n2 The Committee was redesignated as from\n7 February 1984.\n"
        "3 Official Records, Supplement No.\n18 (A/74/18); ibid., Supplement No. 38.\n"
        "4 A/75/22, sect.\nX; and resolution 74/2.\n[DU1]<<ODS JOB NO>>N2035873E<<ODS JOB NO>>\n",
        Case(
            keys=["pp/1", "op/1", "op/2", "annex/1/1"],
            anchors={"1": "pp/1", "2": "pp/1", "3": "op/1", "4": "op/2"},
            footnotes={
                "2": "The Committee was redesignated as from 7 February 1984.",
                "3": "Official Records, Supplement No. 18 (A/74/18); ibid., Supplement No. 38.",
                "4": "A/75/22, sect. X; and resolution 74/2.",
            },
            texts={"annex/1/1": "We recall articles 15 and 16 (paragraph 1) of the Convention."},
        ),
    ),
    "ods-notes-of-a-second-part-start-at-2-after-an-annex": (
        "[DU1]\nResolution adopted by the General Assembly on 10 December 2020\n"
        "75/2 B.\tA title\n\n\tThe General Assembly,\n\tRecalling its resolution 74/1,2\n"
        "\t1.\tDecides to act.3\n\n46th plenary meeting\n10 December 2020\n\n\tAnnex\n"
        "\t1.\tThe parties shall act.\n2 Resolution 74/1.\n3 A/75/22.\n"
        "[DU1]<<ODS JOB NO>>N2035873E<<ODS JOB NO>>\n",
        Case(keys=["pp/1", "op/1", "annex/1/1"], anchors={"2": "pp/1", "3": "op/1"}),
    ),
    "header-symbol-gives-the-part-letter": (
        "United Nations \nA/RES/75/290 B\n \nGeneral Assembly \nDistr.: General \n"
        "1 July 2021 \n \n Resolution adopted by the General Assembly \non 25 June 2021 \n \n"
        " 75/290. Review of the implementation \n \nThe General Assembly, \n \n"
        "Recalling its resolutions, \n \n1. Decides to act. \n",
        Case(heading={"symbol": "A/RES/75/290B", "number": "75/290"}),
    ),
    "single-unnumbered-operative-paragraph": (
        "The General Assembly,\n\nRecalling its resolution 74/1,\n\nNoting the report,\n\n"
        "Decides to include the item in the agenda of its seventy-sixth session.\n",
        Case(keys=["pp/1", "pp/2", "op/1"], phrases={"op/1": "Decides"}),
    ),
}


def _check(res: Resolution, want: Case) -> None:
    if want.keys is not None:
        assert [c.key for c in res.clauses] == want.keys
    for key, text in want.texts.items():
        clause = res.clause(key)
        assert clause is not None, key
        assert clause.text == text
    for key, phrase in want.phrases.items():
        clause = res.clause(key)
        assert clause is not None, key
        assert clause.phrase == phrase
    for key, section in want.sections.items():
        clause = res.clause(key)
        assert clause is not None, key
        assert clause.section == section
    for key, parent in want.parents.items():
        clause = res.clause(key)
        assert clause is not None, key
        assert clause.parent == parent
    anchors = {f.marker: f.anchor for f in res.footnotes}
    for marker, anchor in want.anchors.items():
        assert anchors.get(marker, "missing") == anchor, marker
    texts = {f.marker: f.text for f in res.footnotes}
    for marker, text in want.footnotes.items():
        assert texts.get(marker) == text
    for name, value in want.heading.items():
        assert getattr(res.heading, name) == value, name


def _check_spans(res: Resolution) -> None:
    """Derived texts map back to the very characters they came from."""
    text = res.source.text
    for item in [*res.clauses, *res.footnotes]:
        for d, s, n in item.text_map.pieces:
            assert item.text[d : d + n] == text[s : s + n]
    for c in res.clauses:
        assert 0 <= c.span.start <= c.span.end <= len(text)
        for m in c.markers:
            assert text[m.span.start : m.span.end] == m.marker
        if c.phrase_span is not None and c.phrase is not None:
            assert " ".join(text[c.phrase_span.start : c.phrase_span.end].split()) == c.phrase
    for f in res.footnotes:
        if f.marker_span is not None:
            assert text[f.marker_span.start : f.marker_span.end] == f.marker


@pytest.mark.parametrize(("text", "want"), list(CASES.values()), ids=list(CASES))
def test_segment_cases(text: str, want: Case) -> None:
    res = segment(src(text))
    _check(res, want)
    _check_spans(res)


def test_tabs_spaces_and_crlf_give_the_same_texts() -> None:
    texts = [
        [(c.key, c.text) for c in segment(src(t)).clauses]
        for t in (ODS_TABS, ODS_TABS.replace("\t", "    "), ODS_TABS.replace("\n", "\r\n"))
    ]
    assert texts[0] == texts[1] == texts[2]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n", "Dear colleagues,\nthe meeting is postponed.\n", "Shopping list\n- eggs\n"],
    ids=["empty", "blank", "letter", "list"],
)
def test_not_a_resolution(text: str) -> None:
    with pytest.raises(InputError, match="not a UN resolution"):
        segment(src(text))


def test_strict_raises_on_a_footnote_without_marker() -> None:
    text = "The General Assembly,\n\n1. Decides to act.\n\n1st plenary meeting\n1 May 2020\n____\n"
    text += "_____\n\n7  A/74/1.\n"
    assert segment(src(text)).footnotes[0].anchor is None
    with pytest.raises(ParseError):
        segment(src(text), strict=True)


# --- the phrase vocabulary ----------------------------------------------------------


def _phrase_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((patterns_dir() / "clause_phrases.json").read_text("utf-8"))
    return data


def test_clause_phrases_schema() -> None:
    schema = json.loads(
        (patterns_dir() / "schemas" / "clause_phrases.schema.json").read_text("utf-8")
    )
    data = _phrase_data()
    jsonschema.validate(data, schema)
    for cid, entry in data["phrases"].items():
        assert entry["relation"] in data["relations"], cid


def test_clause_phrases_canonical() -> None:
    """Sorted keys, two-space indent; FIX_DATA=1 rewrites the file."""
    path = patterns_dir() / "clause_phrases.json"
    text = path.read_text("utf-8")
    canonical = json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if text != canonical and os.environ.get("FIX_DATA") == "1":
        path.write_text(canonical, "utf-8")
        text = canonical
    assert text == canonical, "clause_phrases.json is not canonical: run with FIX_DATA=1"


def _examples() -> list[Any]:
    return [
        pytest.param(cid, entry["kind"], ex, id=f"{cid}-{i}")
        for cid, entry in sorted(_phrase_data()["phrases"].items())
        for i, ex in enumerate(entry["examples"])
    ]


@pytest.mark.parametrize(("concept", "kind", "example"), _examples())
def test_every_phrase_example_is_recognised(concept: str, kind: str, example: str) -> None:
    m = match_phrase(example, kind, anywhere=False)
    assert m is not None
    assert m.concept == concept
    assert m.start == 0 and example[m.start : m.end] == m.phrase


@pytest.mark.parametrize(
    ("text", "kind", "phrase"),
    [
        ("Reiterates its call for those Member States", "operative", "Reiterates"),
        ("Renews its previous call upon States", "operative", "Renews"),
        ("Takes note with appreciation of the report", "operative", "Takes note with appreciation"),
        ("Calls once again upon States", "operative", "Calls once again upon"),
        ("Bearing in mind the need", "preambular", "Bearing in mind"),
        ("Having considered the report", "preambular", "Having considered"),
        (
            "Expressing its continuing concern with the grave",
            "preambular",
            "Expressing its continuing concern",
        ),
        ("Expresses appreciation to Member States", "operative", "Expresses appreciation"),
        ("Deeply concerned about acts", "preambular", "Deeply concerned"),
        ("Recalling also its resolution", "preambular", "Recalling also"),
        ("Also recalling its resolution", "preambular", "Also recalling"),
        ("Acting under Chapter VII of the Charter", "preambular", "Acting under Chapter VII"),
        ("The Security Council requests the Secretary-General", "operative", "requests"),
        ("We gather at a critical juncture", "operative", None),
        ("Encourages further efforts to end violence", "operative", "Encourages"),
        ("Decides further that the Committee", "operative", "Decides further"),
        ("Requests further the Secretary-General", "operative", "Requests further"),
        ("Recalling also article 3 of the Charter", "preambular", "Recalling also"),
        ("Welcomes again the ongoing efforts", "operative", "Welcomes again"),
        ("Deeply concerned also about the situation", "preambular", "Deeply concerned also"),
        (
            "Expressing its grave concern further about the",
            "preambular",
            "Expressing its grave concern further",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v else None,
)
def test_phrase_conventions(text: str, kind: str, phrase: str | None) -> None:
    m = match_phrase(text, kind)
    assert (m.phrase if m else None) == phrase


def test_vocabulary_is_loaded_once() -> None:
    assert load_clause_phrases() is load_clause_phrases()


# --- robustness ---------------------------------------------------------------------

_PIECES = [
    "The General Assembly,\n",
    "Recalling its resolution 66/172,1\n",
    "1. Decides to act;\n",
    "(a) To report;\n",
    "(ii) Two;\n",
    "— Calls for peace;\n",
    "\f",
    "2/3\n",
    "A/RES/78/224\n",
    "23-25987 (E)\n",
    "__________\n",
    "1 Resolution 217 A (III).\n",
    "60th plenary meeting\n",
    "20 December 2012\n",
    "Annex\n",
    "I.\n",
    "A\n",
    "\n",
    " \n",
    "\t",
    "20231 ",
    "word ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_any_mix_of_layout_pieces_is_segmented_or_rejected(pieces: list[str]) -> None:
    try:
        res = segment(src("".join(pieces)))
    except InputError:
        return
    _check_spans(res)
    keys = [c.key for c in res.clauses]
    assert len(keys) == len(set(keys))


# --- heading and closing lines ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "want"),
    [
        (
            ["60th plenary meeting", "20 December 2012"],
            ("60th plenary meeting", date(2012, 12, 20), None),
        ),
        (
            ["50th (resumed) plenary meeting", "3 Apri] 1991"],
            ("50th (resumed) plenary meeting", None, None),
        ),
        (
            ["Adopted unanimously at the", "1382nd meeting."],
            ("1382nd meeting", None, "unanimously"),
        ),
        (["Adopted unanimously at the 298Ist meeting."], ("2981st meeting", None, "unanimously")),
        (
            ["Adopted by the Security Council at its 3217th meeting, on", "25 May 1993"],
            ("3217th meeting", date(1993, 5, 25), None),
        ),
        (
            [
                "Adopted at the 2963rd meeting by",
                "12 votes to 2 (Cuba, Yemen), with 1 abstention (China).",
            ],
            ("2963rd meeting", None, "12 votes to 2 (Cuba, Yemen), with 1 abstention (China)"),
        ),
    ],
    ids=["ga", "ga-resumed-damaged-date", "sc-unanimous", "sc-ocr-Ist", "sc-split-date", "sc-vote"],
)
def test_closing_lines(lines: list[str], want: tuple[Any, ...]) -> None:
    assert read_closing(lines) == want


def test_heading_wrapped_committee_line_and_missing_number() -> None:
    h = read_heading(
        [
            "United Nations",
            "A/RES/79/9",
            "General Assembly",
            "Distr.: General",
            "20 November 2024",
            "Seventy-ninth session",
            "Agenda items 20 and 72 (b)",
            "Resolution adopted by the General Assembly",
            "on 15 November 2024",
            "[on the report of the Special Political and Decolonization Committee",
            "(A/79/458/Add.2, para. 12)]",
            "Cooperation between the United Nations and",
            "the Organization",
        ]
    )
    assert (h.symbol, h.title, h.committee_report, h.report_paragraph) == (
        "A/RES/79/9",
        "Cooperation between the United Nations and the Organization",
        "A/79/458/Add.2",
        "12",
    )
    assert (h.session, h.agenda_items, h.distributed, h.adopted) == (
        79,
        ("20", "72 (b)"),
        date(2024, 11, 20),
        date(2024, 11, 15),
    )
