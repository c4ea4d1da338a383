"""Measure the plain-text parser against what AKN4UN XML marks up (issue 3, part 2).

Each XML file is read by the AKN4UN reader (the expected structure), rendered to the plain text
a reader would see — in several layouts, see `VARIANTS` — and that text is parsed again by the
plain-text pipeline. The two documents are compared: preambular and operative paragraph counts,
opening phrases (GOLD.md: case-insensitive, the first verb token suffices), the clause carrying
each footnote marker, Treaty Series volumes, "Ibid." chains, and the resolution symbols the XML
links to undocs.org (recall, and the symbols found that the XML does not link, listed with their
context so a human can check them). Gold files (tests/data/GOLD.md) are measured the same way.

`evaluate` is the stage function; `render_text`, `compare_documents` and `summarize` are its
steps, public so that they can be tested on small inputs.
"""

from __future__ import annotations

import json
import re
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from .model import Clause, Footnote, Resolution, TextMap

Variant = Literal["ods", "ods-spaces", "ods-crlf", "ods-wrapped", "ods-debris", "pdf"]
VARIANTS: tuple[Variant, ...] = (
    "ods",
    "ods-spaces",
    "ods-crlf",
    "ods-wrapped",
    "ods-debris",
    "pdf",
)

# a place in a document that both sides can name, whatever their clause keys:
# ("pp", 3), ("op", 6), ("op", 6, "b/ii"); anything else is ("other",)
Place = tuple[str | int, ...]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# glue markers while rendering, stripped at the end (a PDF page needs to know its markers)
_M_OPEN, _M_CLOSE = "\x02", "\x03"
_MARKER_RE = re.compile("\x02([^\x03]*)\x03")
_PDF_WIDTH = 85
_PDF_PAGE_LINES = 45
_DEBRIS_EVERY = 7  # lines between two page breaks in the "ods-debris" variant


# --- rendering ------------------------------------------------------------------------------


def _long_date(d: date | None) -> str:
    """The date as printed in resolutions.

    >>> _long_date(date(2020, 12, 7))
    '7 December 2020'
    """
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}" if d else ""


_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORD = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def _session_words(n: int | None) -> str:
    """The session line of the cover page.

    >>> _session_words(75), _session_words(3), _session_words(80)
    ('Seventy-fifth session', 'Third session', 'Eightieth session')
    """
    if n is None or not 0 < n < 100:
        return ""
    tens, unit = divmod(n, 10)
    if n < 10:
        word = _UNITS[n - 1]
        word = _ORD.get(word, word + "th")
    elif n < 20:
        word = _TEENS[n - 10]
        word = _ORD.get(word, word + "th")
    elif unit == 0:
        word = _TENS[tens - 2][:-1] + "ieth"
    else:
        last = _UNITS[unit - 1]
        word = f"{_TENS[tens - 2]}-{_ORD.get(last, last + 'th')}"
    return f"{word.capitalize()} session"


def _marker_offset(tm: TextMap, source: int) -> int:
    """Offset in a clause's text where a marker at read-text offset `source` stood.

    >>> _marker_offset(TextMap(((0, 10, 5), (5, 16, 4))), 15)   # "abcde" ^ "fghi"
    5
    """
    pos = 0
    for d0, s0, n in tm.pieces:
        if s0 >= source:
            break
        pos = d0 + min(n, source - s0)
    return pos


def _glued(item: Clause | Footnote) -> str:
    """The text with its footnote markers glued after the word they follow (placeholders)."""
    if not isinstance(item, Clause) or not item.markers:
        return item.text
    text = item.text
    for mk in sorted(item.markers, key=lambda m: m.span.start, reverse=True):
        p = _marker_offset(item.text_map, mk.span.start)
        left, right = text[:p], text[p:]
        # the space the marker stood before stays after it ("1994,1 in which")
        gap = " " if left != left.rstrip() and right[:1] not in ("", " ") else ""
        text = left.rstrip() + _M_OPEN + mk.marker + _M_CLOSE + gap + right
    return text


@dataclass(frozen=True)
class _Line:
    """A line of rendered body text; `wrap` says whether a layout may wrap it."""

    text: str
    wrap: bool = True


def _parts(res: Resolution) -> tuple[Resolution, ...]:
    return res.parts if res.parts and not res.clauses else (res,)


def _in_part(i: int, key: str | None) -> str | None:
    return f"{i}:{key}" if key is not None else None


def all_clauses(res: Resolution) -> tuple[Clause, ...]:
    """The clauses of a document; of a work in parts, every part's, keys prefixed "<part>:"."""
    parts = _parts(res)
    if len(parts) == 1:
        return parts[0].clauses
    return tuple(
        replace(c, key=f"{i}:{c.key}", parent=_in_part(i, c.parent))
        for i, p in enumerate(parts)
        for c in p.clauses
    )


def all_footnotes(res: Resolution) -> tuple[Footnote, ...]:
    """The footnotes of a document; of a work in parts, every part's, anchors as above."""
    parts = _parts(res)
    if len(parts) == 1:
        return res.footnotes if res.footnotes or not res.parts else parts[0].footnotes
    return tuple(
        replace(f, anchor=_in_part(i, f.anchor)) for i, p in enumerate(parts) for f in p.footnotes
    )


def _part_letter(part: Resolution) -> str:
    m = re.search(r"(?<=\d)\s*([A-Z])$", part.heading.symbol or part.heading.number or "")
    return m.group(1) if m else ""


def _committee_line(res: Resolution) -> str:
    h = res.heading
    if h.committee_report:
        para = f", para. {h.report_paragraph}" if h.report_paragraph else ""
        return (
            f"[on the report of the {h.committee or 'Main Committee'} ({h.committee_report}{para})]"
        )
    if h.draft:
        return f"[without reference to a Main Committee ({h.draft})]"
    return ""


def _agenda_line(res: Resolution) -> str:
    items = res.heading.agenda_items
    if not items:
        return ""
    if len(items) == 1:
        return f"Agenda item {items[0]}"
    return f"Agenda items {', '.join(items[:-1])} and {items[-1]}"


def _body(res: Resolution, sep: str) -> list[_Line]:
    """Formula, paragraphs and closing lines of every part, then the annexes."""
    out: list[_Line] = []
    annex: list[_Line] = []
    parts = _parts(res)
    for part in parts:
        if len(parts) > 1:
            out += [_Line(f"{sep}{_part_letter(part)}"), _Line(f"{sep}{part.heading.title or ''}")]
            out.append(_Line(""))
        out.append(
            _Line(f"{sep}{part.heading.formula or res.heading.formula or 'The General Assembly,'}")
        )
        annex_seen: set[str] = set()
        section: str | None = None
        for c in part.clauses:
            text = _glued(c)
            if c.section != section and c.kind in ("preambular", "operative"):
                # a lettered or roman section heading, alone on its line
                section = c.section
                if section:
                    out += [_Line(""), _Line(f"{sep}{section.rpartition('.')[2]}"), _Line("")]
            if c.kind == "preambular":
                out.append(_Line(f"{sep}{text}"))
            elif c.kind == "operative":
                out.append(_Line(f"{sep}{c.number}.{sep}{text}"))
            elif c.kind == "subparagraph":
                out.append(_Line(f"{sep}({c.number}){sep}{text}"))
            else:
                which = c.key.split("/")[1] if c.key.count("/") >= 2 else "1"
                if which not in annex_seen:
                    annex_seen.add(which)
                    annex += [_Line(""), _Line(f"{sep}Annex"), _Line("")]
                num = f"{c.number}.{sep}" if c.number.isdigit() else ""
                annex.append(_Line(f"{sep}{num}{text}"))
        out.append(_Line(""))
        h = part.heading
        out += [_Line(x, wrap=False) for x in (h.meeting, _long_date(h.adopted)) if x]
        out.append(_Line(""))
    return out + annex


def _footnote_lines(res: Resolution, sep: str = " ") -> list[str]:
    return [f"{f.marker}{sep}{f.text}" for f in all_footnotes(res)]


def _job(res: Resolution) -> str:
    return (res.heading.job_number or "00-00000").split()[0]


def _ods_lines(res: Resolution, sep: str) -> tuple[list[_Line], int, int]:
    """The ODS export (see tests/data/seed): lines, and where the body starts and ends."""
    h = res.heading
    head = [
        _Line("[DU1]"),
        _Line(f"Resolution adopted by the General Assembly on {_long_date(h.adopted)}"),
    ]
    if committee := _committee_line(res):
        head.append(_Line(committee))
    head += [_Line(f"{h.number or ''}{sep}{h.title or ''}"), _Line(""), _Line("")]
    body = _body(res, sep)
    job = _job(res)
    symbol = h.symbol or ""
    tail = [
        f"[DU1]<<ODS JOB NO>>N{job.replace('-', '')}E<<ODS JOB NO>>",
        f"<<ODS DOC SYMBOL1>>{symbol}<<ODS DOC SYMBOL1>>",
        "<<ODS DOC SYMBOL2>><<ODS DOC SYMBOL2>>",
        "_______________",
        "",
        "-" * 60,
        "",
        "3",
        "",
        f"United Nations{symbol}General AssemblyDistr.: General",
        f"{_long_date(h.distributed)}{_session_words(h.session)}",
        _agenda_line(res),
        "",
        job,
        f"*{job.replace('-', '')}*Please recycle ",
        "",
        f"{symbol}{h.title or ''}",
        "",
        "4/4",
    ]
    notes = [_Line(x) for x in _footnote_lines(res)]
    lines = [*head, *body, *notes, *(_Line(x, wrap=False) for x in tail)]
    return lines, len(head), len(head) + len(body)


def _render_ods(res: Resolution, *, sep: str = "\t", wrap: int = 0, debris: int = 0) -> str:
    lines, start, end = _ods_lines(res, sep)
    # where the page breaks fall: the first long body line, then one every `debris` lines
    breaks: list[int] = []
    for i in range(start + 2, end):
        if debris and (not breaks or i >= breaks[-1] + debris) and len(lines[i].text) > 60:
            breaks.append(i)
    pages = len(breaks) + 2
    out: list[str] = []
    for i, ln in enumerate(lines):
        text = ln.text
        cut = text.rfind(" ", 0, len(text) // 2) if i in breaks else -1
        if cut > 0:
            # a page foot and the next page's head in the middle of the paragraph
            page, h = breaks.index(i) + 2, res.heading
            out += [text[:cut], "", _job(res), "", f"{page}/{pages}", "", h.symbol or ""]
            out += [h.title or "", ""]
            text = text[cut + 1 :]
        if wrap and ln.wrap and len(text) > wrap:
            out += _wrap(text, wrap)
        else:
            out.append(text)
    return _MARKER_RE.sub(r"\1", "\n".join(out)) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    # tabs stay tabs (an ODS line keeps its "\t1.\t" when the rest wraps)
    lines = textwrap.wrap(
        text,
        width,
        break_long_words=False,
        break_on_hyphens=False,
        expand_tabs=False,
        replace_whitespace=False,
    )
    return lines or [text]


def _render_pdf(res: Resolution) -> str:
    """Text as PyMuPDF extracts it (see tests/data/text/A_RES_78_224.txt).

    A header block, lines wrapped at ~85 columns with a trailing space, paragraph numbers
    alone on their line, and every 45 lines a page break: the footnotes of the markers seen on
    that page after a rule, then the running head of the next page.
    """
    h = res.heading
    job = _job(res)

    def pdf(text: str, width: int = _PDF_WIDTH) -> list[str]:
        return [w + " " for w in _wrap(text, width)] if text else [" "]

    head = ["United Nations ", h.symbol or "", " ", " ", "General Assembly ", "Distr.: General "]
    head += [f"{_long_date(h.distributed)} ", " ", f"{job} (E)    010121     "]
    head += [f"*{job.replace('-', '')}* ", " ", " ", f"{_session_words(h.session)} "]
    head += [f"{_agenda_line(res)} ", " ", " ", " Resolution adopted by the General Assembly "]
    head += [f"on {_long_date(h.adopted)} ", " ", " "]
    if committee := _committee_line(res):
        head += [*pdf(committee), " ", " "]
    head += [" " + x for x in pdf(f"{h.number or ''} {h.title or ''}")]
    head += [" ", " ", " "]
    body: list[str] = []
    for ln in _body(res, "\t"):
        text = ln.text.strip("\t")
        if not text:
            body.append(" ")
            continue
        if not ln.wrap:
            body.append(text + " ")
            continue
        num, tab, rest = text.partition("\t")
        if tab and re.fullmatch(r"\d+\.", num):
            body += [f"{num} ", *pdf(rest)]  # the number alone on its line
        elif tab:
            body += pdf(f"{num} {rest}")
        else:
            body += pdf(text)
        body.append(" ")
    notes: dict[str, list[str]] = {}
    for f in all_footnotes(res):
        notes.setdefault(f.marker, []).append(f.text)
    used: Counter[str] = Counter()

    def block(markers: list[str]) -> list[str]:
        out = ["__________________ ", " "]
        for m in markers:
            texts = notes.get(m, [""])
            out += [f"{m}  {texts[min(used[m], len(texts) - 1)]} ", " "]
            used[m] += 1
        return out

    out = head[:]
    pending: list[str] = []
    page, count = 2, 0
    pages = len(body) // _PDF_PAGE_LINES + 2
    for line in body:
        out.append(line)
        pending += _MARKER_RE.findall(line)
        count += 1
        if count >= _PDF_PAGE_LINES and line.strip():
            if pending:
                out += block(pending)
                pending = []
            top = (
                [f"{h.symbol} ", h.title or ""]
                if page % 2 == 0
                else [f"{h.title} ", h.symbol or ""]
            )
            out += ["", *top, " ", job, f"{page}/{pages} ", " ", " "]
            page += 1
            count = 0
    if pending:
        out += [" ", *block(pending)]
    return _MARKER_RE.sub(r"\1", "\n".join(out)) + "\n"


_RENDERERS: dict[Variant, Callable[[Resolution], str]] = {
    "ods": lambda r: _render_ods(r),
    "ods-spaces": lambda r: _render_ods(r, sep="    "),
    "ods-crlf": lambda r: _render_ods(r).replace("\n", "\r\n"),
    "ods-wrapped": lambda r: _render_ods(r, wrap=_PDF_WIDTH),
    "ods-debris": lambda r: _render_ods(r, debris=_DEBRIS_EVERY),
    "pdf": _render_pdf,
}


def render_text(res: Resolution, variant: Variant = "ods") -> str:
    """The plain text a reader would see of a document, in one of the `VARIANTS` layouts.

    Heading, formula, paragraphs with their footnote markers glued after the word they follow,
    closing lines, annexes, then the footnotes; each layout adds its own debris.
    """
    return _RENDERERS[variant](res)


# --- comparison -----------------------------------------------------------------------------

# adverbs that may stand before or after the verb ("Strongly condemns", "Recalling also")
_ADVERBS = frozenset(["also", "further", "strongly", "once", "again", "deeply", "firmly", "fully"])


def phrase_matches(got: str | None, want: str | None) -> bool:
    """Whether an opening phrase is right (GOLD.md: case-insensitive, first verb token suffices).

    >>> phrase_matches("Recalling also", "recalling also")
    True
    >>> phrase_matches("Strongly condemns", "Condemns")
    True
    >>> phrase_matches("Takes note", "Takes note with appreciation")
    True
    >>> phrase_matches("Notes", "Decides")
    False
    >>> phrase_matches(None, "Decides")
    False
    """
    w = re.findall(r"[\w’'-]+", (want or "").casefold())
    if not w:
        return True
    g = re.findall(r"[\w’'-]+", (got or "").casefold())
    if g == w:
        return True
    gv = [x for x in g if x not in _ADVERBS]
    wv = [x for x in w if x not in _ADVERBS]
    return bool(gv and wv and gv[0] == wv[0])


def resolution_work(symbol: str) -> str:
    """The work a resolution symbol names: part letters dropped, upper case, no spaces.

    Links point at works, our citations of a part at a component of the work.

    >>> resolution_work("A/RES/217(III)A"), resolution_work("A/RES/72/262c")
    ('A/RES/217(III)', 'A/RES/72/262')
    >>> resolution_work("A/RES/74/92A-B"), resolution_work("A/RES/217 A (III)")
    ('A/RES/74/92', 'A/RES/217(III)')
    >>> resolution_work("S/RES/2282 (2016)"), resolution_work("en/A/RES/ES-10/19")
    ('S/RES/2282(2016)', 'A/RES/ES-10/19')
    """
    s = re.sub(r"\s+", "", symbol).upper()
    s = re.sub(r"^(?:EN|FR|ES|AR|RU|ZH)/", "", s)  # an undocs.org address with its language
    s = re.sub(r"(\d)[A-Z]{1,2}-[A-Z]{1,2}$", r"\1", s)  # 74/92A-B
    s = re.sub(r"(\d)[A-Z]\(", r"\1(", s)  # 217A(III)
    s = re.sub(r"(/\d+)[A-Z]{1,2}$", r"\1", s)  # 34/83A
    return re.sub(r"(\([A-Z0-9\-]+\))[A-Z]$", r"\1", s)  # 217(III)A


def places(res: Resolution) -> dict[str, Place]:
    """Each clause key's place: ("pp", n) / ("op", n) by order, ("op", n, "a/ii") for items."""
    out: dict[str, Place] = {}
    ordinal: Counter[str] = Counter()
    by_key: dict[str, Clause] = {}
    for c in all_clauses(res):
        by_key[c.key] = c
        if c.kind in ("preambular", "operative"):
            kind = "pp" if c.kind == "preambular" else "op"
            ordinal[kind] += 1
            out[c.key] = (kind, ordinal[kind])
        elif c.kind == "subparagraph":
            labels = [c.number]
            parent = by_key.get(c.parent or "")
            while parent is not None and parent.kind == "subparagraph":
                labels.insert(0, parent.number)
                parent = by_key.get(parent.parent or "")
            top = out.get(parent.key) if parent is not None else None
            out[c.key] = (*top, "/".join(labels)) if top and top[0] == "op" else ("other",)
        else:
            out[c.key] = ("other",)
    return out


def _is_op_item(c: Clause, where: dict[str, Place]) -> bool:
    return c.kind == "subparagraph" and where.get(c.key, ("other",))[0] == "op"


_TS_RE = re.compile(r"Treaty Series", re.IGNORECASE)
_IBID_VOL_RE = re.compile(r"\s*Ibid\.,?\s+vols?\.", re.IGNORECASE)
_VOLS_RE = re.compile(r"\bvols?\.\s*([0-9IVXLCDM]+(?:(?:,\s*|,?\s+and\s+)[0-9IVXLCDM]+)*)")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _roman(s: str) -> int:
    """
    >>> _roman("XCIV"), _roman("IV"), _roman("XL")
    (94, 4, 40)
    """
    total = 0
    for a, b in zip(s, [*s[1:], ""], strict=True):
        v = _ROMAN[a]
        total += -v if b and _ROMAN[b] > v else v
    return total


def treaty_series_volumes(text: str, *, after_treaty_series: bool = False) -> frozenset[int]:
    """The Treaty Series volumes a footnote names, read independently of the parser.

    "Ibid., vol. N" is a Treaty Series volume only after a footnote citing the Treaty Series
    (after an Official Records footnote it is a volume of that report).

    >>> sorted(treaty_series_volumes("Treaty Series, vols. 1465 and 2375, No. 24841."))
    [1465, 2375]
    >>> sorted(treaty_series_volumes("League of Nations, Treaty Series, vol. XCIV, No. 2138."))
    [94]
    >>> sorted(treaty_series_volumes("Ibid., vol. 2716, No. 48088.", after_treaty_series=True))
    [2716]
    >>> sorted(treaty_series_volumes("Ibid., vol. III (A/75/5 (Vol. III))."))
    []
    """
    if not (_TS_RE.search(text) or (after_treaty_series and _IBID_VOL_RE.match(text))):
        return frozenset()
    vols: set[int] = set()
    for m in _VOLS_RE.finditer(text):
        for v in re.findall(r"[0-9]+|[IVXLCDM]+", m.group(1)):
            vols.add(int(v) if v.isdigit() else _roman(v))
    return frozenset(vols)


@dataclass(frozen=True)
class Extra:
    """A resolution symbol the parser found that the XML does not link."""

    file: str
    symbol: str
    text: str  # as written
    context: str  # the source around it


@dataclass(frozen=True)
class FileResult:
    """One file in one variant: what matched, out of how many, and the first differences."""

    file: str
    variant: str
    error: str | None = None
    pp: tuple[int, int] = (0, 0)  # (got, expected)
    op: tuple[int, int] = (0, 0)
    sub: tuple[int, int] = (0, 0)
    phrases: tuple[int, int] = (0, 0)  # (right, total)
    anchors: tuple[int, int] = (0, 0)
    unts: tuple[int, int] = (0, 0)
    ibid: tuple[int, int] = (0, 0)
    links: tuple[int, int] = (0, 0)  # (found, linked)
    missed: tuple[str, ...] = ()  # linked symbols not found
    extras: tuple[Extra, ...] = ()
    diffs: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def counts_ok(self) -> bool:
        """Preambular and operative counts both exact."""
        return self.error is None and self.pp[0] == self.pp[1] and self.op[0] == self.op[1]

    @property
    def anchors_ok(self) -> bool:
        """Every footnote anchored in the right clause."""
        return self.error is None and self.anchors[0] == self.anchors[1]

    def badness(self) -> tuple[int, ...]:
        """Sort key of the worst files: errors, then counts, anchors, links, phrases."""
        if self.error is not None:
            return (1, 0, 0, 0, 0)
        miss = [self.anchors, self.links, self.unts, self.phrases]
        return (0, int(not self.counts_ok), *(t - r for r, t in miss[:2]), miss[3][1] - miss[3][0])


def _own_work(res: Resolution) -> str | None:
    return resolution_work(res.heading.symbol) if res.heading.symbol else None


def _linked_symbols(res: Resolution) -> set[str]:
    own = _own_work(res)
    links = [link for p in (res, *res.parts) for link in p.links]
    out = {resolution_work(link.symbol) for link in links if "/RES/" in link.symbol.upper()}
    out.discard(own or "")
    return out


def _found_symbols(res: Resolution) -> dict[str, tuple[str, int]]:
    """Resolution works our citations name: work -> (text, offset) of the first occurrence."""
    own = _own_work(res)
    out: dict[str, tuple[str, int]] = {}
    for c in res.citations:
        if c.kind != "resolution" or c.pattern == "ibid":
            continue
        work = resolution_work(c.work or c.target)
        if work != own:
            out.setdefault(work, (c.text, c.span.start))
    return out


def _occurrences(notes: Iterable[Footnote]) -> dict[tuple[str, int], Footnote]:
    """Footnotes keyed by (marker, k): the k-th footnote printed with that marker."""
    seen: Counter[str] = Counter()
    out: dict[tuple[str, int], Footnote] = {}
    for f in notes:
        out[(f.marker, seen[f.marker])] = f
        seen[f.marker] += 1
    return out


def compare_documents(
    expected: Resolution, got: Resolution, *, file: str = "", variant: str = ""
) -> FileResult:
    """Compare a parsed document with what the XML marks up."""
    diffs: list[str] = []
    ew, gw = places(expected), places(got)
    ec, gc = all_clauses(expected), all_clauses(got)
    counts: dict[str, tuple[int, int]] = {}
    for name, pick in (
        ("pp", lambda c, w: c.kind == "preambular"),
        ("op", lambda c, w: c.kind == "operative"),
        ("sub", _is_op_item),
    ):
        counts[name] = (sum(pick(c, gw) for c in gc), sum(pick(c, ew) for c in ec))
        if counts[name][0] != counts[name][1]:
            diffs.append(f"{name} {counts[name][0]} != {counts[name][1]}")
    # opening phrases, paragraph by paragraph in order
    right = total = 0
    for kind in ("preambular", "operative"):
        want = [c.phrase for c in ec if c.kind == kind]
        have = [c.phrase for c in gc if c.kind == kind]
        for i, w in enumerate(want):
            if not w:
                continue
            total += 1
            g = have[i] if i < len(have) else None
            if phrase_matches(g, w):
                right += 1
            else:
                diffs.append(f"{kind[:2]} {i + 1} phrase {g!r} != {w!r}")
    # footnote anchors, footnotes matched by marker and occurrence
    enotes, gnotes = _occurrences(all_footnotes(expected)), _occurrences(all_footnotes(got))
    a_ok = a_total = 0
    for k, f in enotes.items():
        want_place = ew.get(f.anchor or "", ("other",))
        if want_place == ("other",):
            continue  # anchored in an annex, a heading or the adoption line: not measured
        a_total += 1
        g_note = gnotes.get(k)
        have_place = gw.get(g_note.anchor or "", ("other",)) if g_note else None
        if have_place == want_place:
            a_ok += 1
        else:
            diffs.append(f"fn {f.marker} in {have_place} != {want_place}")
    # Treaty Series volumes and Ibid., footnote by footnote
    u_ok = u_total = i_ok = i_total = 0
    ibid_failed = {u.footnote for u in got.unresolved if u.reason.startswith("ibid")}
    after_ts = False
    for k, f in enotes.items():
        g_note = gnotes.get(k)
        cites = [
            c
            for c in got.citations
            if g_note is not None
            and c.footnote == g_note.key
            and g_note.span.start <= c.span.start < g_note.span.end
        ]
        vols = treaty_series_volumes(f.text, after_treaty_series=after_ts)
        after_ts = bool(vols)
        if vols:
            u_total += 1
            have_vols = {u.volume for c in cites for u in c.unts}
            if have_vols == vols:
                u_ok += 1
            else:
                diffs.append(f"fn {f.marker} volumes {sorted(have_vols)} != {sorted(vols)}")
        if re.match(r"\s*Ibid\.", f.text, re.IGNORECASE):
            i_total += 1
            # resolved: the footnote cites something identified ("Ibid., vol. 2241" through
            # the footnote before it, "Ibid., Supplement No. 53 (A/73/53)" by its own symbol)
            if cites and g_note is not None and g_note.key not in ibid_failed:
                i_ok += 1
            else:
                diffs.append(f"fn {f.marker} Ibid. not resolved")
    # resolution symbols: the XML's links against our citations, per document
    linked, found = _linked_symbols(expected), _found_symbols(got)
    missed = tuple(sorted(linked - set(found)))
    src = got.source.text
    extras = tuple(
        Extra(file, s, text, " ".join(src[max(0, at - 80) : at + len(text) + 40].split()))
        for s, (text, at) in sorted(found.items())
        if s not in linked
    )
    diffs += [f"missed {s}" for s in missed]
    return FileResult(
        file=file,
        variant=variant,
        pp=counts["pp"],
        op=counts["op"],
        sub=counts["sub"],
        phrases=(right, total),
        anchors=(a_ok, a_total),
        unts=(u_ok, u_total),
        ibid=(i_ok, i_total),
        links=(len(linked) - len(missed), len(linked)),
        missed=missed,
        extras=extras,
        diffs=tuple(diffs),
    )


# --- gold files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldResult:
    """One gold file (tests/data/GOLD.md) against the plain-text pipeline."""

    file: str
    error: str | None = None
    counts_ok: bool = False
    phrases: tuple[int, int] = (0, 0)
    anchors: tuple[int, int] = (0, 0)
    symbols: tuple[int, int, int] = (0, 0, 0)  # (right, found, in gold)
    wrong: tuple[str, ...] = ()  # found, not in the gold
    missed: tuple[str, ...] = ()
    diffs: tuple[str, ...] = ()


def _gold_anchor(text: str) -> str:
    """A gold `anchored_in` as a clause key.

    >>> _gold_anchor("preambular 11"), _gold_anchor("operative 6(b)"), _gold_anchor("annex para 2")
    ('pp/11', 'op/6/b', 'annex/1/2')
    """
    if m := re.fullmatch(r"preambular (\d+)", text):
        return f"pp/{m.group(1)}"
    if m := re.fullmatch(r"operative (\d+)(?:\((\w+)\))?(?:\((\w+)\))?", text):
        return "/".join(x for x in ("op", *m.groups()) if x)
    if m := re.fullmatch(r"annex para (\d+)", text):
        return f"annex/1/{m.group(1)}"
    return text


def compare_gold(got: Resolution, gold: dict[str, Any], *, file: str = "") -> GoldResult:
    """Compare a parsed text with its gold file."""
    diffs: list[str] = []
    gc = all_clauses(got)
    pp = [c for c in gc if c.kind == "preambular"]
    op = [c for c in gc if c.kind == "operative"]
    sub = [c for c in gc if c.kind == "subparagraph" and c.key.startswith("op/")]
    have = (len(pp), len(op), len(sub))
    want = (gold["preambular_count"], gold["operative_count"], gold["subparagraph_count"])
    if have != want:
        diffs.append(f"counts (pp, op, sub) {have} != {want}")
    pairs = [(pp[0].phrase if pp else None, gold.get("first_preambular_phrase"))]
    pairs += [
        (op[i].phrase if i < len(op) else None, w)
        for i, w in enumerate(gold.get("operative_phrases") or [])
    ]
    ph = [(g, w) for g, w in pairs if w]
    diffs += [f"phrase {g!r} != {w!r}" for g, w in ph if not phrase_matches(g, w)]
    notes = _occurrences(all_footnotes(got))
    seen: Counter[str] = Counter()
    a_ok = 0
    for f in gold.get("footnotes") or []:
        m = str(f["n"])
        note = notes.get((m, seen[m]))
        seen[m] += 1
        if note is not None and note.anchor == _gold_anchor(f["anchored_in"]):
            a_ok += 1
        else:
            diffs.append(f"fn {m} in {note.anchor if note else None} != {f['anchored_in']}")
    ours = list(
        dict.fromkeys(
            c.target for c in got.citations if c.kind == "resolution" and c.target != "ibid"
        )
    )
    theirs = list(gold.get("cited_resolutions") or [])
    wrong = tuple(s for s in ours if s not in theirs)
    missed = tuple(s for s in theirs if s not in ours)
    diffs += [f"extra {s}" for s in wrong] + [f"missed {s}" for s in missed]
    return GoldResult(
        file=file,
        counts_ok=have == want,
        phrases=(sum(phrase_matches(g, w) for g, w in ph), len(ph)),
        anchors=(a_ok, len(gold.get("footnotes") or [])),
        symbols=(len(ours) - len(wrong), len(ours), len(theirs)),
        wrong=wrong,
        missed=missed,
        diffs=tuple(diffs),
    )


# --- running and reporting ------------------------------------------------------------------


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def _sum(pairs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    a = b = 0
    for x, y in pairs:
        a, b = a + x, b + y
    return a, b


@dataclass(frozen=True)
class VariantReport:
    """The figures of one variant over a folder."""

    variant: str
    documents: int
    errors: int
    counts_exact: tuple[int, int]  # documents with pp and op counts both exact
    pp_exact: tuple[int, int]
    op_exact: tuple[int, int]
    sub_exact: tuple[int, int]
    phrases: tuple[int, int]
    anchors: tuple[int, int]
    unts: tuple[int, int]
    ibid: tuple[int, int]
    links: tuple[int, int]
    extras: tuple[Extra, ...]
    worst: tuple[FileResult, ...]  # every imperfect file, worst first
    seconds: float


def summarize(results: Sequence[FileResult], variant: str = "") -> VariantReport:
    """Aggregate the results of one variant."""
    ok = [r for r in results if r.error is None]
    n = len(results)

    def exact(pick: Callable[[FileResult], tuple[int, int]]) -> tuple[int, int]:
        return sum(pick(r)[0] == pick(r)[1] for r in ok), n

    imperfect = [r for r in results if r.error is not None or r.diffs]
    return VariantReport(
        variant=variant or (results[0].variant if results else ""),
        documents=n,
        errors=n - len(ok),
        counts_exact=(sum(r.counts_ok for r in ok), n),
        pp_exact=exact(lambda r: r.pp),
        op_exact=exact(lambda r: r.op),
        sub_exact=exact(lambda r: r.sub),
        phrases=_sum(r.phrases for r in ok),
        anchors=_sum(r.anchors for r in ok),
        unts=_sum(r.unts for r in ok),
        ibid=_sum(r.ibid for r in ok),
        links=_sum(r.links for r in ok),
        extras=tuple(e for r in ok for e in r.extras),
        worst=tuple(sorted(imperfect, key=lambda r: (r.badness(), r.file), reverse=True)),
        seconds=round(sum(r.seconds for r in results), 2),
    )


@dataclass(frozen=True)
class GoldReport:
    """The figures over the gold files."""

    documents: int
    errors: int
    counts_exact: tuple[int, int]
    phrases: tuple[int, int]
    anchors: tuple[int, int]
    precision: tuple[int, int]  # (right, found)
    recall: tuple[int, int]  # (right, in gold)
    results: tuple[GoldResult, ...]


@dataclass(frozen=True)
class EvalReport:
    """What `evaluate` measured: one report per variant, and the gold files."""

    variants: tuple[VariantReport, ...]
    gold: GoldReport | None = None
    results: tuple[FileResult, ...] = field(default=(), repr=False)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output (every file's result included)."""
        return asdict(self)

    def table(self, worst: int = 10) -> str:
        """A human-readable report: figures per variant, worst files, extras, gold."""
        out: list[str] = []
        for v in self.variants:
            out += _variant_table(v, worst)
        if self.gold is not None:
            out += _gold_table(self.gold)
        out.append(f"time: {self.seconds:.1f} s")
        return "\n".join(out) + "\n"


def _fmt(pair: tuple[int, int]) -> str:
    pct = _pct(*pair)
    return f"{pct:6.2f}% ({pair[0]}/{pair[1]})" if pct is not None else "     – (0/0)"


def _variant_table(v: VariantReport, worst: int) -> list[str]:
    out = [
        f"== variant {v.variant}: {v.documents} documents, {v.errors} failed",
        f"  paragraph counts exact (pp+op)  {_fmt(v.counts_exact)}",
        f"    preambular exact              {_fmt(v.pp_exact)}",
        f"    operative exact               {_fmt(v.op_exact)}",
        f"    sub-paragraphs exact          {_fmt(v.sub_exact)}",
        f"  opening phrases right           {_fmt(v.phrases)}",
        f"  footnotes in the right clause   {_fmt(v.anchors)}",
        f"  Treaty Series volumes right     {_fmt(v.unts)}",
        f"  Ibid. resolved                  {_fmt(v.ibid)}",
        f"  linked resolutions found        {_fmt(v.links)}",
        f"  resolutions found, not linked   {len(v.extras)}",
    ]
    if worst and v.worst:
        out.append(f"  worst files ({min(worst, len(v.worst))} of {len(v.worst)} imperfect):")
        for r in v.worst[:worst]:
            first = r.error or "; ".join(r.diffs[:2])
            out.append(f"    {r.file}: {first[:160]}")
    missed = [(r.file, m) for r in v.worst if r.error is None for m in r.missed]
    if worst and missed:
        out.append(f"  linked resolutions not found ({len(missed)}):")
        out += [f"    {f}: {m}" for f, m in sorted(missed)]
    if worst and v.extras:
        out.append(f"  resolutions found that the XML does not link ({len(v.extras)}):")
        for e in v.extras:
            out.append(f"    {e.file}: {e.symbol} [{e.text}] … {e.context[:140]}")
    return out


def _gold_table(g: GoldReport) -> list[str]:
    out = [
        f"== gold files: {g.documents} documents, {g.errors} failed",
        f"  paragraph counts exact (pp, op, sub)  {_fmt(g.counts_exact)}",
        f"  opening phrases right                 {_fmt(g.phrases)}",
        f"  footnotes in the right clause         {_fmt(g.anchors)}",
        f"  resolution symbols precision          {_fmt(g.precision)}",
        f"  resolution symbols recall             {_fmt(g.recall)}",
    ]
    for r in g.results:
        if r.error or r.diffs:
            out.append(f"    {r.file}: {(r.error or '; '.join(r.diffs))[:200]}")
    return out


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


def _evaluate_file(job: tuple[str, tuple[Variant, ...]]) -> list[FileResult]:
    """Read one XML file, render and parse each variant, compare (runs in a worker)."""
    from .parse.akn import parse_akn
    from .pipeline import parse_document
    from .read import read_source

    path, variants = job
    name = Path(path).name
    try:
        expected = parse_akn(read_source(path))
    except Exception as exc:  # a broken file is reported, the others still run
        return [FileResult(name, v, error=f"XML: {_one_line(exc)}") for v in variants]
    out = []
    for v in variants:
        started = time.perf_counter()
        try:
            text = render_text(expected, v)
            got = parse_document(Path(name).with_suffix(".txt").name, data=text.encode())
            r = compare_documents(expected, got, file=name, variant=v)
        except Exception as exc:  # the parser failing on a text is a result, not a crash
            r = FileResult(name, v, error=_one_line(exc))
        out.append(replace(r, seconds=round(time.perf_counter() - started, 3)))
    return out


def _gold_files(folder: Path) -> list[tuple[Path, Path]]:
    """(text, gold) pairs of a folder: *.gold.json or *.json naming their `source_file`."""
    pairs = []
    for g in sorted(folder.glob("*.json")):
        try:
            data = json.loads(g.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or "source_file" not in data:
            continue
        # `source_file` may be a path of the gold author's; the text sits beside the gold
        names = {Path(str(data["source_file"])).name, g.name.split(".")[0] + ".txt"}
        for cand in (d / n for d in (folder, folder.parent) for n in sorted(names)):
            if cand.is_file():
                pairs.append((cand, g))
                break
    return pairs


def _evaluate_gold(folders: Sequence[str | Path]) -> GoldReport:
    from .pipeline import parse_document

    results = []
    for folder in folders:
        for text, gold_path in _gold_files(Path(folder)):
            try:
                got = parse_document(text)
                gold = json.loads(gold_path.read_text(encoding="utf-8"))
                results.append(compare_gold(got, gold, file=text.name))
            except Exception as exc:  # reported with the file, the others still run
                results.append(GoldResult(text.name, error=_one_line(exc)))
    ok = [r for r in results if r.error is None]
    right = sum(r.symbols[0] for r in ok)
    return GoldReport(
        documents=len(results),
        errors=len(results) - len(ok),
        counts_exact=(sum(r.counts_ok for r in ok), len(results)),
        phrases=_sum(r.phrases for r in ok),
        anchors=_sum(r.anchors for r in ok),
        precision=(right, sum(r.symbols[1] for r in ok)),
        recall=(right, sum(r.symbols[2] for r in ok)),
        results=tuple(results),
    )


def xml_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders searched for *.xml, in sorted order."""
    out: list[Path] = []
    for p in map(Path, paths):
        out += sorted(x for x in p.rglob("*.xml") if x.is_file()) if p.is_dir() else [p]
    return out


def evaluate(
    paths: Iterable[str | Path],
    variants: Sequence[Variant] = ("ods",),
    *,
    gold: Sequence[str | Path] = (),
    workers: int = 1,
) -> EvalReport:
    """Measure the plain-text parser against AKN4UN XML files (and gold files).

    Args:
        paths: XML files or folders of them.
        variants: the text layouts to render (see `VARIANTS`).
        gold: folders of gold files (tests/data/GOLD.md) to measure as well.
        workers: processes to run in parallel (1: in this process).
    """
    started = time.perf_counter()
    jobs = [(str(p), tuple(variants)) for p in xml_inputs(paths)]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            per_file = list(pool.map(_evaluate_file, jobs, chunksize=4))
    else:
        per_file = [_evaluate_file(j) for j in jobs]
    results = tuple(r for rs in per_file for r in rs)
    reports = tuple(summarize([r for r in results if r.variant == v], v) for v in variants)
    return EvalReport(
        variants=reports,
        gold=_evaluate_gold(gold) if gold else None,
        results=results,
        seconds=round(time.perf_counter() - started, 2),
    )
