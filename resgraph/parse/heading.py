"""Metadata of a resolution: symbol, number, title, adoption, committee, session, job number.

Read from the heading (the lines before the enacting formula), from the
closing lines (meeting and date) and from the page furniture (the ODS export
prints the first-page header after the end of the text). The patterns follow
the UN editorial layout of resolutions; see
https://www.un.org/dgacm/en/content/editorial-manual and
https://research.un.org/en/docs/symbols.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from resgraph.ids import ga_resolution_symbol, normalise_symbol, sc_resolution_symbol

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split(" "))}

DATE_PATTERN = r"(\d{1,2})\s+([A-Z][a-z]+)\s+((?:1[89]|20)\d\d)"
"""A date as UN texts print it: `20 December 2012` (the year may be glued to what follows)."""
DATE_RE = re.compile(DATE_PATTERN)

ORGAN_PATTERN = (
    r"General Assembly|Security Council|Economic and Social Council|Human Rights Council|"
    r"Trusteeship Council|Commission on [A-Z][\w ]+?|Conference of the Parties"
)

FORMULA_RE = re.compile(rf"^(?:The\s+)?({ORGAN_PATTERN})\s*(,|:|$)")
"""The enacting formula on its own line: `The General Assembly,` (the comma may be missing)."""

ADOPTION_RE = re.compile(
    rf"Resolution adopted by the ({ORGAN_PATTERN})(?:\s+(?:at its [^,]+?,\s*)?on\s+{DATE_PATTERN})?"
)
"""GA heading line, maybe split: `Resolution adopted by the General Assembly on 4 December 2023`."""

SC_ADOPTED_RE = re.compile(
    r"Adopted\s+(?:(unanimously)\s+)?(?:by the Security Council\s+)?at\s+(?:its\s+|the\s+)?"
    r"(\d+\s?(?:st|nd|rd|th|Ist|ist))\s+meeting"
    r"(?:,?\s+by\s+([^.]*?\d+\s+votes?\s+to\s+[^.]+))?"
    rf"(?:,?\s*on\s+{DATE_PATTERN})?"
)
"""SC adoption line: `Adopted by the Security Council at its 4653rd meeting, on 4 December 2002`,
`Adopted unanimously at the 1382nd meeting.`, `Adopted at the 2963rd meeting by 12 votes to 2 …`."""

SC_NUMBER_RE = re.compile(r"^Resolution\s+(\d{1,5})\s*\((\d{4})\)$")
"""SC printed-volume heading: `Resolution 242 (1967)`."""

OF_DATE_RE = re.compile(rf"^of\s+{DATE_PATTERN}\.?$")

COMMITTEE_RE = re.compile(
    r"\[\s*on the reports? of the\s+(.+?Committee[^(]*?)\s*\(\s*([A-Z][A-Za-z0-9./\-]*?)"
    r"(?:\s*(?:and|,)\s*(?:Corr|Add)\.\d+)*(?:\s*,\s*paras?\.\s*([0-9][0-9, and–-]*?))?\s*\)\s*\]"
)
"""`[on the report of the Third Committee (A/78/482, para. 29)]`, wrapped or not."""

DRAFT_RE = re.compile(
    r"\[\s*+without reference to a Main Committee\s*+\(\s*+([^)\s,]++)[^)\]]{0,300}+\)\s*+\]"
)
"""`[without reference to a Main Committee (A/75/L.20 and A/75/L.20/Add.1)]`: the first draft.

Possessive runs, and at most 300 characters after the first symbol (a few more symbols: the
longest seen is under 100), so an unclosed parenthesis cannot make each start rescan the rest.
"""

NUMBER_LINE_RE = re.compile(
    r"^(?P<num>(?:E?S-)?\d{1,3}/\d{1,4}(?:\s?[A-Z](?:-[A-Z])?)?|\d{1,4}\s?(?:[A-Z]\s?)?"
    r"\((?:[IVXL]+|S-[IVX]+|ES-[IVX]+)\))\.(?:\s+(?P<title>\S.*))?$"
)
"""GA resolution number line: `66/172.<TAB>Protection …`, ` 78/224. Reducing …`, `217 (III).`,
`S-32/1.` (a special session)."""

MEETING_RE = re.compile(
    r"^(\d+\s?(?:st|nd|rd|th|Ist|ist)\s+(?:\((?:resumed|continued)\)\s+)?plenary\s+meeting)\.?$"
)
"""GA closing line: `60th plenary meeting`, `50th (resumed) plenary meeting`."""

SESSION_RE = re.compile(
    r"\b([A-Z][a-z]+(?:-[a-z]+)?)\s+(special\s+|emergency special\s+)?session\b"
)

AGENDA_RE = re.compile(
    r"Agenda items?\s+(\d+(?:\s?\([a-z]{1,3}\))?(?:\s*(?:,|and)\s*\d+(?:\s?\([a-z]{1,3}\))?)*)"
)

DISTR_RE = re.compile(rf"Distr\.?:?\s*[A-Z][a-z]+\s*{DATE_PATTERN}")

JOB_RE = re.compile(r"(?<![\d/-])(\d{2}-\d{5})(?![\d/])")
ODS_JOB_RE = re.compile(r"<<ODS JOB NO>>N(\d{2})(\d{5})[A-Z]")
ODS_SYMBOL_RE = re.compile(r"<<ODS DOC SYMBOL1>>([^<]+)<<")
SYMBOL_RE = re.compile(
    r"\b([AES](?:/[A-Z][A-Z0-9.\-]*){0,3}/RES/(?:E?S-)?\d+(?:/\d+)?(?:\s?[A-Z]\b)?(?:\s?\((?:\d{4}|[IVXLS][IVXL\-]*)\))?)"
)
"""A resolution symbol in the heading (A/RES/75/1, E/CN.15/RES/27/5, A/HRC/RES/42/23); at most
three elements before RES (real ones have one), so a run of 'A/RES/A/RES/…' is not rescanned
from every start."""

_UNITS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENS = {
    "twent": 20,
    "thirt": 30,
    "fort": 40,
    "fift": 50,
    "sixt": 60,
    "sevent": 70,
    "eight": 80,
    "ninet": 90,
}


def ordinal_value(word: str) -> int | None:
    """The number an English ordinal word stands for.

    >>> ordinal_value("Sixty-seventh"), ordinal_value("Eightieth"), ordinal_value("Twelfth")
    (67, 80, 12)
    >>> ordinal_value("Plenary") is None
    True
    """
    w = word.lower()
    if w in _UNITS:
        return _UNITS.index(w) + 1
    if w == "hundredth":
        return 100
    head, _, unit = w.partition("-")
    for stem, value in _TENS.items():
        if unit and head == stem + "y" and unit in _UNITS[:9]:
            return value + _UNITS.index(unit) + 1
        if not unit and head == stem + "ieth":
            return value
    return None


def parse_date(day: str, month: str, year: str) -> date | None:
    """A date from its printed parts; None when the month is damaged.

    >>> parse_date("20", "December", "2012")
    datetime.date(2012, 12, 20)
    >>> parse_date("3", "Apri]", "1991") is None
    True
    """
    m = MONTHS.get(month.lower())
    if m is None:
        return None
    try:
        return date(int(year), m, int(day))
    except ValueError:
        return None


def first_date(text: str) -> date | None:
    """The first well-formed date in a text.

    >>> first_date("14 October 2025")
    datetime.date(2025, 10, 14)
    """
    for m in DATE_RE.finditer(text):
        d = parse_date(*m.groups())
        if d is not None:
            return d
    return None


def _ordinal_meeting(s: str) -> str:
    # OCR reads "1st" as "Ist": the gold corrects it
    s = " ".join(s.split())
    return re.sub(r"(\d)\s?[Ii]st\b", r"\g<1>1st", s)


@dataclass
class HeadingInfo:
    """What the heading lines say (mutable while it is being gathered)."""

    symbol: str | None = None
    number: str | None = None
    title: str | None = None
    title_lines: list[int] = field(default_factory=list)  # indices into the given lines
    organ: str | None = None
    adopted: date | None = None
    meeting: str | None = None
    session: int | None = None
    agenda_items: tuple[str, ...] = ()
    committee: str | None = None
    committee_report: str | None = None
    report_paragraph: str | None = None
    draft: str | None = None
    distributed: date | None = None
    job_number: str | None = None
    vote: str | None = None
    metadata_lines: set[int] = field(default_factory=set)


def read_heading(texts: list[str], trailer: str = "") -> HeadingInfo:
    """Gather the metadata printed in the heading lines `texts` (and the ODS trailer).

    >>> h = read_heading(["Resolution adopted by the General Assembly", "on 19 December 2023",
    ...     "[on the report of the Third Committee (A/78/482, para. 29)]", " 78/224. Reducing",
    ...     "reoffending"])
    >>> h.symbol, h.title, h.adopted.isoformat(), h.committee_report, h.report_paragraph
    ('A/RES/78/224', 'Reducing reoffending', '2023-12-19', 'A/78/482', '29')
    """
    h = HeadingInfo()
    joined = " ".join(t.strip() for t in texts if t.strip())
    meta = joined + " " + trailer

    m = ADOPTION_RE.search(joined)
    if m:
        h.organ = m.group(1)
        if m.group(2):
            h.adopted = parse_date(m.group(2), m.group(3), m.group(4))
    m2 = SC_ADOPTED_RE.search(joined)
    if m2:
        h.organ = h.organ or "Security Council"
        h.meeting = _ordinal_meeting(m2.group(2)) + " meeting"
        h.vote = "unanimously" if m2.group(1) else (m2.group(3) or None)
        if m2.group(4):
            h.adopted = h.adopted or parse_date(m2.group(4), m2.group(5), m2.group(6))
    m = COMMITTEE_RE.search(joined)
    if m:
        h.committee = " ".join(m.group(1).split())
        h.committee_report = normalise_symbol(m.group(2))
        if m.group(3):
            h.report_paragraph = " ".join(m.group(3).split())
    m = DRAFT_RE.search(joined)
    if m:
        h.draft = normalise_symbol(m.group(1))

    in_bracket = False
    for i, raw in enumerate(texts):
        t = raw.strip()
        if not t:
            continue
        if t.startswith("[") or in_bracket:
            # "[on the report of the Fourth … Committee" / "(A/79/458/Add.2, para. 12)]"
            h.metadata_lines.add(i)
            in_bracket = "]" not in t
            continue
        if (
            ADOPTION_RE.search(t)
            or t.startswith(("[on the report", "[without reference", "[on the reports"))
            or SC_ADOPTED_RE.search(t)
            or t.startswith("Adopted ")
        ):
            h.metadata_lines.add(i)
        sm = SC_NUMBER_RE.match(t)
        if sm and h.number is None:
            h.number = f"{sm.group(1)} ({sm.group(2)})"
            h.symbol = sc_resolution_symbol(sm.group(1), sm.group(2))
            h.organ = h.organ or "Security Council"
            h.metadata_lines.add(i)
            continue
        om = OF_DATE_RE.match(t)
        if om:
            h.adopted = h.adopted or parse_date(*om.groups())
            h.metadata_lines.add(i)
            continue
        nm = NUMBER_LINE_RE.match(t)
        if nm and h.title is None and "/RES/" not in t:
            h.number = " ".join(nm.group("num").split())
            h.metadata_lines.add(i)
            lines = [nm.group("title")] if nm.group("title") else []
            h.title_lines = [i] if lines else []
            for j in range(i + 1, len(texts)):
                nxt = texts[j].strip()
                if not nxt or FORMULA_RE.match(nxt):
                    if lines:
                        break
                    continue
                lines.append(nxt)
                h.title_lines.append(j)
            h.title = " ".join(" ".join(lines).split()) or None

    if h.title is None and (h.committee_report or h.draft or h.metadata_lines) and h.number is None:
        # the number can be missing from the title line (A/RES/79/9): the title is
        # then the first block of plain lines after the bracketed committee line
        last = max(h.metadata_lines, default=-1)
        block: list[int] = []
        for j in range(last + 1, len(texts)):
            t = texts[j].strip()
            if not t:
                if block:
                    break
                continue
            if FORMULA_RE.match(t) or is_header_furniture(t):
                if block:
                    break
                continue
            block.append(j)
        if block and not _looks_like_sc_heading(texts, block):
            h.title_lines = block
            h.title = " ".join(" ".join(texts[j] for j in block).split())

    if h.symbol is None:
        m = ODS_SYMBOL_RE.search(meta)
        if m and m.group(1).strip():
            h.symbol = normalise_symbol(m.group(1))
    if h.number and re.match(r"E?S-", h.number) and h.symbol is None:
        # special and emergency special sessions keep their series: A/RES/S-32/1
        h.symbol = normalise_symbol("A/RES/" + h.number.replace(" ", ""))
    if h.number and "/" in h.number and h.symbol is None:
        session, _, num = h.number.partition("/")
        part = re.search(r"[A-Z]$", num)
        h.symbol = ga_resolution_symbol(
            re.sub(r"\D", "", num), session, part.group(0) if part else None
        )
    elif h.number and h.symbol is None:
        om = re.match(r"(\d+)\s?(?:([A-Z])\s?)?\(([^)]+)\)", h.number)
        if om:
            h.symbol = ga_resolution_symbol(om.group(1), om.group(3), om.group(2))
    if h.symbol is None:
        m = SYMBOL_RE.search(meta)
        if m:
            h.symbol = normalise_symbol(m.group(1))
    else:
        # the header may print the part the number line leaves out ("A/RES/75/290 B")
        m = SYMBOL_RE.search(meta)
        full = normalise_symbol(m.group(1)) if m else None
        # the symbol and one capital letter (a string test: a regex made of the symbol
        # was compiled anew for every document, as re's cache never saw it twice)
        if full and full[:-1] == h.symbol and "A" <= full[-1] <= "Z":
            h.symbol = full
    if h.organ is None and h.symbol:
        h.organ = {"A": "General Assembly", "S": "Security Council"}.get(h.symbol[0])

    m = DISTR_RE.search(meta)
    if m:
        h.distributed = parse_date(m.group(1), m.group(2), m.group(3))
    for sm2 in SESSION_RE.finditer(meta):
        if sm2.group(2):
            continue
        v = ordinal_value(sm2.group(1))
        if v is not None:
            h.session = v
            break
    m = AGENDA_RE.search(meta)
    if m:
        items = re.split(r"\s*(?:,|\band\b)\s*", m.group(1))
        h.agenda_items = tuple(" ".join(x.split()) for x in items if x.strip())
    m = ODS_JOB_RE.search(meta)
    if m:
        h.job_number = f"{m.group(1)}-{m.group(2)}"
    else:
        for line in [*texts, *trailer.split("\n")]:
            jm = JOB_RE.match(line.strip())
            if jm:
                h.job_number = jm.group(1)
                break
    if h.session is None and h.symbol and h.symbol.startswith("A/RES/"):
        sm3 = re.match(r"A/RES/(\d+)/", h.symbol)
        if sm3:
            h.session = int(sm3.group(1))
    return h


def _looks_like_sc_heading(texts: list[str], block: list[int]) -> bool:
    return any(SC_NUMBER_RE.match(texts[j].strip()) for j in block)


def is_header_furniture(t: str) -> bool:
    """A first-page header line (not a title): symbol, Distr., dates, session, agenda item.

    >>> is_header_furniture("Distr.: General"), is_header_furniture("Reducing reoffending")
    (True, False)
    """
    return bool(
        t in {"United Nations", "General Assembly", "Security Council"}
        or t.startswith(("Distr.", "Agenda item", "United Nations "))
        or DATE_RE.fullmatch(t)
        or SESSION_RE.fullmatch(t)
        or JOB_RE.match(t)
        or re.match(r"^\*\d+\*", t)
        or SYMBOL_RE.fullmatch(t)
    )


def read_closing(texts: list[str]) -> tuple[str | None, date | None, str | None]:
    """Meeting, date and vote from the closing lines (`60th plenary meeting` / `20 December 2012`).

    >>> read_closing(["60th plenary meeting", "20 December 2012"])
    ('60th plenary meeting', datetime.date(2012, 12, 20), None)
    >>> read_closing(["Adopted unanimously at the", "1382nd meeting."])
    ('1382nd meeting', None, 'unanimously')
    """
    meeting: str | None = None
    when: date | None = None
    vote: str | None = None
    joined = " ".join(t.strip() for t in texts)
    for t in texts:
        m = MEETING_RE.match(t.strip())
        if m:
            meeting = _ordinal_meeting(m.group(1))
    m2 = SC_ADOPTED_RE.search(joined)
    if m2:
        meeting = _ordinal_meeting(m2.group(2)) + " meeting"
        vote = "unanimously" if m2.group(1) else (m2.group(3) or None)
        if m2.group(4):
            when = parse_date(m2.group(4), m2.group(5), m2.group(6))
    if when is None:
        for t in texts:
            dm = DATE_RE.fullmatch(t.strip().rstrip("."))
            if dm:
                when = parse_date(*dm.groups())
    return meeting, when, vote
