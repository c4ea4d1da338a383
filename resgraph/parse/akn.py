"""Stage 2 for AKN4UN XML: the UN's Akoma Ntoso markup -> the same `Resolution` as `segment`.

The XML is parsed with the standard library's expat, never with a DTD, entity
declarations or network access (DESIGN.md §6): a DOCTYPE or an entity
declaration is refused outright. Offsets are kept: every clause and footnote
text is the XML character data, whitespace collapsed, with a `TextMap` to the
characters of the XML file itself (`SourceText.text`), so a citation found in
a clause points at the exact characters of the source. A character or entity
reference (`&amp;`) maps to the first character of the reference.

What the markup gives (AKN4UN, https://unsceb-hlcm.github.io/):

- metadata: the FRBR work (`FRBRuri`, `FRBRdate name="adoption"`), the
  classification keywords (UNBIS, SDG, EuroVoc), the workflow steps (draft
  with its sponsors, committee report with its paragraph, the adopting
  meeting), the voting analysis, the cover page (symbol, session, agenda
  items, issuance date, committee line), the preface (number and title) and
  the conclusions (meeting and date);
- preambular `container`s (the `name` attribute is the opening phrase),
  `crossHeading refersTo="#preamble"` in sectioned resolutions;
- operative `paragraph`s with `<num>`, sub-paragraphs as `paragraph`s whose
  number or text starts with "(a)" / "(ii)", or as `list`/`point`;
- annexes: a heading "Annex …" in the main body or an `attachment`;
- `authorialNote`s: footnotes, anchored in the clause they stand in;
- `<a href="https://undocs.org/…">`: the UN's own citation links, kept as
  `Link`s and, where the text patterns missed a linked resolution, added as
  citations by `add_link_citations` (pattern "akn-link").

A `documentCollection` (a resolution adopted in parts, "75/101 A-B") gives
the work with one `Resolution` per part in `parts`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple
from xml.parsers import expat

from resgraph.errors import InputError, ParseError
from resgraph.ids import normalise_symbol, organ_of_symbol
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
    Subject,
    TextMap,
)
from resgraph.parse.heading import first_date

__all__ = ["add_link_citations", "parse_akn"]

# --- the XML tree with offsets ------------------------------------------------


class _Chars(NamedTuple):
    """A run of character data: `data` as parsed, `start`/`length` in the source.

    For a character or entity reference `length` is that of the reference
    (`&amp;` is 5 long and gives "&"). A named tuple: one is made per run of
    character data (a frozen dataclass cost more to make than the rest of its handling).
    """

    data: str
    start: int
    length: int

    @property
    def is_reference(self) -> bool:
        return self.length != len(self.data)


@dataclass(eq=False)
class _Node:
    """An element: local name, attributes (local names), children, span in the source."""

    tag: str
    attrs: dict[str, str]
    start: int  # offset of "<"
    end: int = 0  # offset after the end tag's ">"
    children: list[_Node | _Chars] = field(default_factory=list)

    def elements(self) -> Iterator[_Node]:
        """Child elements."""
        return (c for c in self.children if isinstance(c, _Node))

    def find(self, tag: str) -> _Node | None:
        """First child element named `tag`."""
        for c in self.children:
            if isinstance(c, _Node) and c.tag == tag:
                return c
        return None

    def iter(self, tag: str | None = None) -> Iterator[_Node]:
        """This element and its descendants (document order), optionally by name."""
        # depth first with a stack of the elements still to visit, not a chain of nested
        # generators (one per level, each re-yielding everything below it)
        todo: list[_Node] = [self]
        while todo:
            n = todo.pop()
            if tag is None or n.tag == tag:
                yield n
            todo.extend(c for c in reversed(n.children) if isinstance(c, _Node))

    def plain(self) -> str:
        """The element's character data, whitespace collapsed (notes included)."""
        out: list[str] = []

        def walk(n: _Node) -> None:
            for c in n.children:
                if isinstance(c, _Chars):
                    out.append(c.data)
                else:
                    walk(c)

        walk(self)
        return " ".join("".join(out).replace("\u200e", "").split())


class _ByteToChar:
    """Converts expat's byte offsets (in the UTF-8 encoding of the text) to character offsets."""

    def __init__(self, text: str) -> None:
        self._after: list[int] = []  # byte offset after each non-ASCII char
        self._extra: list[int] = []  # extra bytes up to and including that char
        extra = 0
        for m in re.finditer(r"[^\x00-\x7f]", text):
            n = len(m.group().encode("utf-8", "surrogatepass"))
            extra += n - 1
            self._after.append(m.start() + extra + 1)
            self._extra.append(extra)

    def __call__(self, b: int) -> int:
        k = bisect.bisect_right(self._after, b) - 1
        return b - (self._extra[k] if k >= 0 else 0)

    def function(self) -> Callable[[int], int]:
        """The conversion as a plain function (called once per parser event: no method
        lookup, and none at all for an ASCII text, where bytes and characters coincide)."""
        after, extra = self._after, self._extra
        if not after:
            return _same
        right = bisect.bisect_right

        def to_char(b: int) -> int:
            k = right(after, b) - 1
            return b - (extra[k] if k >= 0 else 0)

        return to_char


def _same(b: int) -> int:
    return b


_REFUSED = "XML with a DTD or entity declarations is refused"


def _parse_xml(source: SourceText) -> _Node:
    """The element tree of the source, with character offsets; safe (no DTD, no entities)."""
    text = source.text
    to_char = _ByteToChar(text).function()
    # the text is fed as UTF-8 whatever its declaration says (read.py decoded it already)
    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = False
    root = _Node("#document", {}, 0)
    stack: list[_Node] = [root]
    in_cdata = False

    def refuse(*_: object) -> int:
        raise InputError(source.name, _REFUSED)

    def start(name: str, attrs: dict[str, str]) -> None:
        node = _Node(
            name.rpartition(" ")[2],
            {k.rpartition(" ")[2]: v for k, v in attrs.items()},
            to_char(parser.CurrentByteIndex),
        )
        stack[-1].children.append(node)
        stack.append(node)

    def end(_: str) -> None:
        node = stack.pop()
        at = to_char(parser.CurrentByteIndex)
        gt = text.find(">", at)
        node.end = gt + 1 if gt >= 0 else len(text)

    def chars(data: str) -> None:
        at = to_char(parser.CurrentByteIndex)
        if in_cdata and text.startswith("<![CDATA[", at):
            at += 9
        if text.startswith(data, at):
            stack[-1].children.append(_Chars(data, at, len(data)))
        elif text.startswith("&", at):
            semi = text.find(";", at)
            stack[-1].children.append(_Chars(data, at, (semi + 1 if semi > at else at + 1) - at))
        # anything else (never seen) is kept unmapped rather than mapped wrongly
        else:
            stack[-1].children.append(_Chars(data, at, 0))

    def cdata(flag: bool) -> None:
        nonlocal in_cdata
        in_cdata = flag

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartCdataSectionHandler = lambda: cdata(True)
    parser.EndCdataSectionHandler = lambda: cdata(False)
    try:
        parser.Parse(text.encode("utf-8", "surrogatepass"), True)
    except expat.ExpatError as exc:
        raise InputError(
            source.name,
            f"not well-formed XML: line {exc.lineno}, column {exc.offset + 1}: "
            f"{expat.ErrorString(exc.code)}",
        ) from None
    return root


# --- texts with maps ------------------------------------------------------------

# characters dropped from texts: marks with no width that the UN's tools leave behind
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
# a run of words joined by single spaces is one alternative: appended in one piece, it gives
# the same text and map as word by word (each lone space merges with its words), and most
# of the text is such runs (word by word was the largest part of reading AKN); linear: the
# words' class and " " do not overlap
_RUN_RE = re.compile(rf"[{_INVISIBLE}]+|\s+|[^\s{_INVISIBLE}]+(?: [^\s{_INVISIBLE}]+)*")


class _Text:
    """Collects character data into one whitespace-collapsed text with its TextMap."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.pieces: list[list[int]] = []
        self.len = 0
        self.space: int | None = None  # pending space: source offset of a lone " ", or -1

    def add(self, ch: _Chars) -> None:
        """Append a run of character data."""
        if ch.is_reference or ch.length == 0:
            if ch.data.isspace():
                self.space = -1
            elif ch.data:
                self._word(ch.data, ch.start if ch.length else None, ref=True)
            return
        for m in _RUN_RE.finditer(ch.data):
            run = m.group()
            if run[0] in _INVISIBLE:
                continue
            if run[0].isspace():
                self.space = ch.start + m.start() if run == " " and self.space is None else -1
            else:
                self._word(run, ch.start + m.start())

    def _word(self, s: str, src: int | None, *, ref: bool = False) -> None:
        if self.space is not None and self.len:
            self._emit(" ", self.space if self.space >= 0 else None)
        self.space = None
        if ref and src is not None:
            for c in s:  # each char of a reference maps to the reference's start
                self._emit(c, src, extend=False)
        else:
            self._emit(s, src)

    def _emit(self, s: str, src: int | None, *, extend: bool = True) -> None:
        if src is not None:
            last = self.pieces[-1] if self.pieces else None
            if extend and last and last[0] + last[2] == self.len and last[1] + last[2] == src:
                last[2] += len(s)
            else:
                self.pieces.append([self.len, src, len(s)])
        self.out.append(s)
        self.len += len(s)

    def gap(self) -> None:
        """A boundary between blocks (two <p>s): one space if more text follows."""
        if self.len:
            self.space = -1

    def build(self, skip: int = 0) -> tuple[str, TextMap]:
        """The text (its first `skip` characters and the blanks after them dropped) and map."""
        text = "".join(self.out)
        if skip:
            rest = text[skip:]
            skip += len(rest) - len(rest.lstrip())
            text = text[skip:]
        pieces: list[tuple[int, int, int]] = []
        for d, s, n in self.pieces:
            if d + n <= skip:
                continue
            cut = max(0, skip - d)
            pieces.append((d + cut - skip, s + cut, n - cut))
        return text, TextMap(tuple(pieces))


# --- the document model being built -------------------------------------------


@dataclass
class _Draft:
    key: str
    kind: ClauseKind
    number: str
    position: int
    parent: _Draft | None
    node: _Node
    text: _Text = field(default_factory=_Text)
    markers: list[FootnoteMarker] = field(default_factory=list)
    phrase: str | None = None
    phrase_span: tuple[int, int] | None = None  # in the derived text, before `skip`
    skip: int = 0  # leading label ("(a)") printed in the text
    section: str | None = None
    end: int = 0
    children: int = 0


@dataclass(frozen=True)
class _Note:
    marker: str
    node: _Node
    marker_span: Span
    anchor: _Draft | None


_SUB_LABEL_RE = re.compile(r"^\(?([a-z]{1,4}|\d{1,2})\)")
_OP_NUM_RE = re.compile(r"^(\d{1,3})\.?$")
_TEXT_NUM_RE = re.compile(r"^(\d{1,3})(?:\.\s*|\s+(?=[A-Z]))")
_ANNEX_RE = re.compile(r"^(?:Annex|Annexe)(?:es)?(?:\s+([IVXL]+|\d+))?\s*$", re.I)
_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv"}
_MARKER_ATTR_RE = re.compile(r"""\bmarker\s*=\s*(["'])([^"']*)\1""")


def _roman_value(s: str) -> int:
    """Value of a roman numeral.

    >>> _roman_value("XIV"), _roman_value("ii")
    (14, 2)
    """
    vals = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for a, b in zip(s.lower(), s.lower()[1:] + " ", strict=True):
        v = vals.get(a, 0)
        total += -v if vals.get(b, 0) > v else v
    return total


class _Statement:
    """Walks one `statement` (a resolution or one part of it) into drafts and notes."""

    def __init__(self, source: SourceText, strict: bool) -> None:
        self.src = source.text
        self.name = source.name
        self.strict = strict
        self.drafts: list[_Draft] = []
        self.notes: list[_Note] = []
        self.links: list[tuple[_Node, _Draft | None, _Note | None]] = []
        self.formula: str | None = None
        self.formula_span: Span | None = None
        self.pp = 0
        self.annex: int | None = None
        self.annexes = 0
        self.annex_open = False  # the current annex has no paragraph yet
        self.section: str | None = None
        self.op: _Draft | None = None  # current operative (or annex) paragraph
        self.sub: _Draft | None = None  # current lettered sub-paragraph
        self.last: _Draft | None = None  # last clause of any kind

    # -- text of one clause
    def fill(self, d: _Draft, node: _Node, *, skip_tags: tuple[str, ...] = ()) -> None:
        """Add the character data of `node` to draft `d` (notes become markers)."""

        def walk(n: _Node, top: bool) -> None:
            for c in n.children:
                if isinstance(c, _Chars):
                    d.text.add(c)
                    continue
                if c.tag in skip_tags or c.tag == "num":
                    continue
                if c.tag == "authorialNote":
                    self.note(c, d)
                    continue
                if c.tag == "a":
                    self.links.append((c, d, None))
                if c.tag in ("p", "eol", "br", "item", "tr", "td", "th"):
                    d.text.gap()
                italic = c.tag == "span" and "italic" in c.attrs.get("class", "")
                # the phrase opens the text (after a label "(a)" / "6." printed in it)
                lead = italic and d.phrase is None and d.phrase_span is None
                lead = lead and d.text.len <= d.skip
                begin = d.text.len
                walk(c, False)
                if lead and d.text.len > begin:
                    d.phrase_span = (begin, d.text.len)
                if c.tag in ("p", "item", "tr"):
                    d.text.gap()

        walk(node, True)
        d.end = max(d.end, node.end)

    def note(self, n: _Node, anchor: _Draft | None) -> None:
        """An authorialNote standing in a clause (or outside any: anchor None)."""
        marker = n.attrs.get("marker", "").strip() or str(len(self.notes) + 1)
        gt = self.src.find(">", n.start)
        tag_end = gt + 1 if gt >= 0 else n.end
        m = _MARKER_ATTR_RE.search(self.src, n.start, tag_end)
        span = Span(m.start(2), m.end(2)) if m and m.group(2).strip() else Span(n.start, tag_end)
        note = _Note(marker, n, span, anchor)
        self.notes.append(note)
        if anchor is not None:
            anchor.markers.append(FootnoteMarker(marker, span))
        for a in n.iter("a"):
            self.links.append((a, anchor, note))

    def stray(self, node: _Node) -> None:
        """Text outside any clause (titles, tables): keep its notes and links."""
        # in an annex, before its first paragraph, the last clause is the resolution's
        # own: a note standing in the annex's title or opening text is not anchored there
        here = self.last if self.annex is None or self.annex_open is False else None
        for n in node.elements():
            if n.tag == "authorialNote":
                self.note(n, here)
            elif n.tag == "a":
                self.links.append((n, here, None))
                self.stray(n)
            else:
                self.stray(n)

    def new(self, kind: ClauseKind, key: str, number: str, position: int, node: _Node,
            parent: _Draft | None = None) -> _Draft:  # fmt: skip
        d = _Draft(key, kind, number, position, parent, node, section=self.section)
        self.drafts.append(d)
        self.last = d
        return d

    # -- the preamble
    def preamble(self, node: _Node) -> None:
        for c in node.elements():
            if c.tag == "formula":
                d = _Draft("formula", "preambular", "", 0, None, c)
                self.fill(d, c)
                text, tmap = d.text.build()
                if text and self.formula is None:
                    self.formula = text
                    self.formula_span = tmap.span_to_source(0, len(text))
            elif c.tag == "container" and c.attrs.get("name") != "table":
                self.preambular(c)
            elif self.last is not None and self.last.kind == "preambular":
                # a list inside the preamble continues the paragraph before it
                self.fill(self.last, c)
            else:
                self.stray(c)

    def preambular(self, c: _Node, body: _Node | None = None) -> None:
        self.pp += 1
        d = self.new("preambular", f"pp/{self.pp}", str(self.pp), self.pp, c)
        self.fill(d, body if body is not None else c)
        name = " ".join(c.attrs.get("name", "").split())
        if name and c.tag == "container":
            d.phrase = name
            text = "".join(d.text.out)
            d.phrase_span = (0, len(name)) if text.startswith(name) else None

    # -- the main body
    def body(self, node: _Node) -> None:
        kids = list(node.elements())
        for i, c in enumerate(kids):
            if c.tag == "paragraph":
                self.paragraph(c, _next_number(kids[i + 1 :]))
            elif c.tag in ("section", "hcontainer", "chapter", "part", "division"):
                self.set_section(c)
                self.body(c)
            elif c.tag == "crossHeading" and c.attrs.get("refersTo") == "#preamble":
                self.preambular(c)
            elif c.tag in ("subheading", "heading", "crossHeading"):
                self.heading(c)
            else:
                self.stray(c)

    def set_section(self, c: _Node) -> None:
        num = c.find("num")
        label = num.plain() if num is not None else ""
        if not label:
            sub = c.find("subheading") or c.find("heading")
            label = sub.plain() if sub is not None else ""
        label = label.rstrip(".")
        if re.fullmatch(r"[IVXL]+|[A-Z]|\d+", label):
            self.section = label
            self.op = self.sub = None

    def heading(self, c: _Node) -> None:
        text = c.plain()
        m = _ANNEX_RE.match(text)
        if m:
            self.start_annex(m.group(1))
        else:
            self.stray(c)

    def start_annex(self, num: str | None) -> None:
        if self.annex is not None and self.annex_open:
            # "Annex" printed at the top of an attachment: the same annex, not a second one
            if num:
                self.annex = int(num) if num.isdigit() else _roman_value(num)
            return
        self.annexes += 1
        self.annex_open = True
        if num:
            self.annex = int(num) if num.isdigit() else _roman_value(num)
        else:
            self.annex = self.annexes
        self.op = self.sub = None
        self.section = None

    def paragraph(self, p: _Node, next_number: int | None = None) -> None:
        """One `paragraph`; `next_number`: the number of the next numbered one after it."""
        num_node = p.find("num")
        num = num_node.plain().replace("\u200e", "") if num_node is not None else ""
        heads = [c for c in p.elements() if c.tag in ("subheading", "heading")]
        content = p.find("content")
        lst = p.find("list")
        body = content if content is not None else lst
        for h in heads:
            self.heading(h)
        if body is None:
            return
        text = body.plain()
        if not num and _ANNEX_RE.match(text):
            self.start_annex(_ANNEX_RE.match(text).group(1))  # type: ignore[union-attr]
            return
        m = _OP_NUM_RE.match(num)
        if m:
            self.numbered(int(m.group(1)), p, content, lst)
            return
        label = _SUB_LABEL_RE.match(num) if num else None
        if label:
            self.subparagraph(label.group(1), p, body, skip=0)
            return
        if num:
            # "I." or "A.": a heading of the resolution's own sections
            if re.fullmatch(r"[IVXL]+\.?|[A-Z]\.?", num) and not text:
                self.section = num.rstrip(".")
                self.op = self.sub = None
            elif self.annex is None or text:
                self.section = num.rstrip(".") if re.fullmatch(r"[IVXL]+\.?", num) else None
                self.stray(body)
            return
        # no <num>: the label may be printed in the text
        label = _SUB_LABEL_RE.match(text)
        if label and self.op is not None and text[label.end() : label.end() + 1] in ("", " "):
            self.subparagraph(label.group(1), p, body, skip=label.end())
            return
        tm = _TEXT_NUM_RE.match(text)
        if tm and self.annex is None and _leads_italic(body, skip_digits=True):
            self.numbered(int(tm.group(1)), p, content, lst, skip=tm.end())
            return
        if _leads_italic(body) and self.annex is None:
            n = (self.op.position + 1) if self.op is not None else 1
            if next_number != n:
                # an unnumbered operative paragraph ("Urges …", alone or after numbered
                # ones, or one whose <num> the markup lost: the next is numbered n + 1)
                self.numbered(n, p, content, lst)
                return
            if self.op is None:
                # printed without a number before the numbered list ("Resolves that:",
                # "Adopts the following declaration:"): the list's lead-in takes no
                # number of its own; like the text parser, a clause before the numbered
                # ones is kept on the preamble side
                self.preambular(p, body)
                return
            # the printed numbering goes on after it ("Abbreviations: …" under a
            # table): text of the paragraph it stands in, not a paragraph of its own
        if self.last is not None and (self.annex is None or self.last.kind == "annex"):
            target = self.op if self.op is not None else self.last
            self.fill(target, body)
            return
        self.stray(body)

    def numbered(self, n: int, p: _Node, content: _Node | None, lst: _Node | None,
                 *, skip: int = 0) -> None:  # fmt: skip
        if self.annex is None:
            key = f"op/{n}"
            d = self.new("operative", key, str(n), n, p)
        else:
            d = self.new("annex", f"annex/{self.annex}/{n}", str(n), n, p)
            self.annex_open = False
        d.skip = skip
        self.op, self.sub = d, None
        if lst is not None:
            intro = lst.find("intro")
            if intro is not None:
                self.fill(d, intro)
            self.points(lst)
        elif content is not None:
            self.fill(d, content)

    def points(self, lst: _Node) -> None:
        for c in lst.elements():
            if c.tag == "point":
                num = c.find("num")
                label = _SUB_LABEL_RE.match(num.plain()) if num is not None else None
                body = c.find("content") or c
                if label:
                    self.subparagraph(label.group(1), c, body, skip=0)
                elif self.last is not None:
                    self.fill(self.last, body)
            elif c.tag in ("sublist", "list"):
                self.points(c)
            elif c.tag == "wrapUp" and self.last is not None:
                self.fill(self.last, c)

    def subparagraph(self, label: str, p: _Node, body: _Node, *, skip: int) -> None:
        parent = self.op
        if parent is None:
            # "(a)" before any paragraph: keep the text with the clause before it
            if self.last is not None:
                self.fill(self.last, body)
            else:
                self.stray(body)
            return
        letter = self.sub  # the last lettered item of this paragraph
        next_letter = (
            letter is not None
            and len(label) == len(letter.number) == 1
            and ord(label) == ord(letter.number) + 1
        )
        roman = label in _ROMAN and not next_letter
        if roman and letter is not None:
            parent = letter  # "(ii)" under "(b)"
        parent.children += 1
        kind: ClauseKind = "annex" if parent.kind == "annex" else "subparagraph"
        d = self.new(kind, f"{parent.key}/{label}", label, parent.children, p, parent)
        d.skip = skip
        if not roman:
            self.sub = d
        self.fill(d, body)

    # -- the statement as a whole
    def statement(self, st: _Node) -> None:
        for c in st.elements():
            if c.tag == "preamble":
                self.preamble(c)
            elif c.tag == "mainBody":
                self.body(c)
            elif c.tag == "attachments":
                for att in c.elements():
                    self.attachment(att)
            elif c.tag in ("conclusions", "coverPage", "preface"):
                self.stray(c)

    def attachment(self, att: _Node) -> None:
        doc = next((d for d in att.elements() if d.tag != "meta"), att)
        title = ""
        for t in doc.iter("docTitle"):
            title = t.plain()
            break
        m = _ANNEX_RE.match(title) if title else None
        self.start_annex(m.group(1) if m else None)
        for c in doc.elements():
            if c.tag == "mainBody":
                self.body(c)
            elif c.tag == "preamble":
                self.stray(c)
            elif c.tag == "attachments":
                for a in c.elements():
                    self.attachment(a)
            elif c.tag != "meta":
                self.stray(c)
        self.annex = None


def _next_number(siblings: list[_Node]) -> int | None:
    """The printed number of the first numbered paragraph among `siblings` (None: none).

    A number in `<num>` ("12.") or left at the start of the text before the
    opening phrase ("12. *Urges*").
    """
    for c in siblings:
        if c.tag != "paragraph":
            continue
        num = c.find("num")
        m = _OP_NUM_RE.match(num.plain().replace("\u200e", "")) if num is not None else None
        if m:
            return int(m.group(1))
        body = c.find("content") or c.find("list")
        if num is None and body is not None:
            tm = _TEXT_NUM_RE.match(body.plain())
            if tm and _leads_italic(body, skip_digits=True):
                return int(tm.group(1))
    return None


def _leads_italic(body: _Node, *, skip_digits: bool = False) -> bool:
    """The body's first words are an italic span (an opening phrase)."""
    for n in _leaves(body):
        if isinstance(n, _Chars):
            s = n.data.replace("\u200e", "").strip()
            if skip_digits:
                s = re.sub(r"^\d{1,3}\.?", "", s).strip()
            if s:
                return False
        elif n.tag == "span" and "italic" in n.attrs.get("class", ""):
            return bool(n.plain())
    return False


def _leaves(n: _Node) -> Iterator[_Node | _Chars]:
    for c in n.children:
        if isinstance(c, _Chars) or c.tag == "span":
            yield c
        elif c.tag != "authorialNote":
            yield from _leaves(c)


# --- metadata --------------------------------------------------------------------

# bounded and anchored at the start of a number: an unbounded \d+ retried at every
# digit of a long run of digits is quadratic (tests/test_regex_budget.py)
_MEETING_RE = re.compile(r"(?<!\d)(\d{1,5})(?:st|nd|rd|th)\s+(?:\([a-z]+\)\s+)?plenary meeting")
_PV_RE = re.compile(r"/PV\.(\d+)\b")
_JOB_RE = re.compile(r"\d{2}-\d{5}")
_AGENDA_RE = re.compile(r"\d+(?:\s?\([a-z]{1,3}\))?")
_SCHEMES = {"UNBIS Thesaurus", "SDGO", "EuroVoc"}


def _ordinal(n: int) -> str:
    """`46` -> `46th`.

    >>> _ordinal(41), _ordinal(12), _ordinal(73)
    ('41st', '12th', '73rd')
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        d = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return None if d.year < 1900 else d


def _split_names(by: str) -> tuple[str, ...]:
    """Sponsors as the workflow lists them: "A, B and C" (commas inside parentheses kept).

    Only the last item of a comma list holds the final "and"; names with an "and"
    of their own ("Bosnia and Herzegovina") are split only where the list needs it.

    >>> _split_names("Guinea (on behalf of the Group of 77 and China), Chile and Peru")
    ('Guinea (on behalf of the Group of 77 and China)', 'Chile', 'Peru')
    >>> _split_names("Albania, Bosnia and Herzegovina, Sweden and Switzerland")
    ('Albania', 'Bosnia and Herzegovina', 'Sweden', 'Switzerland')
    """
    items: list[str] = []
    depth, cur = 0, list[str]()
    for ch in by:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth <= 0:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur).strip())
    items = [i for i in items if i]
    if items:
        # the final "and" of the list: outside parentheses, in the last item
        last = items[-1]
        cuts = [
            m.start()
            for m in re.finditer(" and ", last)
            if last[: m.start()].count("(") == last[: m.start()].count(")")
        ]
        if len(cuts) == 1 or (cuts and len(items) > 1):
            k = cuts[0] if len(cuts) == 1 else cuts[-1]
            items[-1:] = [last[:k].strip(), last[k + 5 :].strip()]
    return tuple(items)


def _meta(root: _Node) -> _Node | None:
    for c in root.elements():
        if c.tag == "meta":
            return c
    return None


def _read_heading(doc: _Node, st: _Statement, *, parent: Heading | None = None) -> Heading:
    """Metadata of a statement (or collection): meta block, cover page, preface, conclusions."""
    meta = _meta(doc)
    h = parent or Heading(organ="General Assembly")
    upd: dict[str, object] = {}
    if meta is not None:
        for w in meta.iter("FRBRWork"):
            uri = w.find("FRBRuri")
            if uri is not None and uri.attrs.get("value"):
                upd["work_iri"] = uri.attrs["value"]
            for d in w.iter("FRBRdate"):
                if d.attrs.get("name") == "adoption" and _iso(d.attrs.get("date")):
                    upd["adopted"] = _iso(d.attrs.get("date"))
            break
        subjects: list[Subject] = []
        seen: set[str] = set()
        for k in meta.iter("keyword"):
            iri = k.attrs.get("href", "").strip()
            if not (iri.isascii() and iri.isprintable()):
                # subject IRIs are ASCII (metadata.un.org, EuroVoc); a damaged or hostile
                # one (a noncharacter, a control) is refused by Oxigraph and other RDF tools
                iri = ""
            scheme = k.attrs.get("dictionary", "").strip()
            label = (k.attrs.get("showAs") or k.attrs.get("value") or "").strip()
            if iri and label and iri not in seen:
                seen.add(iri)
                label = label.replace("&#39;", "’").replace("_", " ")
                subjects.append(Subject(label, iri, scheme))
        if subjects:
            upd["subjects"] = tuple(subjects)
        sponsors: list[str] = []
        for step in meta.iter("step"):
            outcome = step.attrs.get("outcome", "")
            as_ = step.attrs.get("as", "").strip()
            by = step.attrs.get("by", "").strip()
            if outcome == "draftResolution":
                if as_:
                    upd["draft"] = normalise_symbol(as_)
                sponsors += _split_names(by)
            elif outcome == "draftResolutionAdditionalSponsors":
                sponsors += _split_names(by)
            elif outcome == "recommendedForAdoption" and as_:
                upd["committee_report"] = normalise_symbol(as_)
                if step.attrs.get("refersTo", "").strip():
                    upd["report_paragraph"] = step.attrs["refersTo"].strip().lstrip("#")
            elif outcome == "adopted" or outcome.lower().startswith("adopted"):
                pv = _PV_RE.search(as_)
                mt = _MEETING_RE.search(as_ + " " + outcome)
                if mt:
                    upd.setdefault("meeting", mt.group(0))
                elif pv:
                    upd.setdefault("meeting", f"{_ordinal(int(pv.group(1)))} plenary meeting")
                if _iso(step.attrs.get("date")) and "adopted" not in upd:
                    upd["adopted"] = _iso(step.attrs.get("date"))
        if sponsors:
            upd["sponsors"] = tuple(dict.fromkeys(sponsors))
        for v in meta.iter("voting"):
            upd["vote"] = _vote(v)
            break
        for d in meta.iter("docketNumber"):
            m = _JOB_RE.search(d.plain())
            if m:
                upd["job_number"] = m.group(0)
            break
    for cover in (c for c in doc.elements() if c.tag == "coverPage"):
        _read_cover(cover, upd)
    for pref in (c for c in doc.elements() if c.tag == "preface"):
        num = next(pref.iter("docNumber"), None)
        title = next(pref.iter("docTitle"), None)
        if num is not None and num.plain():
            upd["number"] = num.plain()
        if title is not None and title.plain():
            upd["title"] = title.plain()
            tt = _Text()
            for ch in _all_chars(title):
                tt.add(ch)
            text, tmap = tt.build()
            upd["title_span"] = tmap.span_to_source(0, len(text))
    for concl in (c for c in doc.elements() if c.tag == "conclusions"):
        for inl in concl.iter("inline"):
            if inl.attrs.get("name") == "adoptionMeeting" and inl.plain():
                upd["meeting"] = inl.plain()
        for d in concl.iter("docDate"):
            if "adopted" not in upd and _iso(d.attrs.get("date")):
                upd["adopted"] = _iso(d.attrs.get("date"))
    upd["formula"] = st.formula
    upd["formula_span"] = st.formula_span
    if parent is not None:
        upd = {k: v for k, v in upd.items() if v is not None}
    return replace(h, **upd)  # type: ignore[arg-type]


def _read_cover(cover: _Node, upd: dict[str, object]) -> None:
    agenda: list[str] = []
    for n in cover.iter():
        name = n.attrs.get("name", "")
        if n.tag == "docNumber" and n.plain():
            upd["symbol"] = normalise_symbol(n.plain())
        elif n.tag == "docDate" and _iso(n.attrs.get("date")):
            upd["distributed"] = _iso(n.attrs.get("date"))
        elif n.tag == "session":
            v = n.attrs.get("value", "").strip()
            if v.isdigit():
                upd["session"] = int(v)
        elif n.tag == "inline" and name == "agenda item":
            agenda += [" ".join(m.group(0).split()) for m in _AGENDA_RE.finditer(n.plain())]
        elif n.tag == "docTitle":
            d = first_date(n.plain())
            if d is not None:
                upd.setdefault("adopted", d)
        elif n.tag == "docProponent":
            _read_proponent(n.plain(), upd)
    if agenda:
        upd["agenda_items"] = tuple(agenda)


_REPORT_RE = re.compile(
    r"\[\s*on the reports? of the\s+(.+?Committee(?:\s*\([^()]*Committee\))?)\s*\("
)
_DOC_SYMBOL_RE = re.compile(r"[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.\-]+)+")
_PARA_RE = re.compile(r"\bparas?\.\s*(\d+(?:\s*(?:,|and|to|–|-)\s*\d+)*)")
_NO_COMMITTEE_RE = re.compile(r"\[\s*without reference to a Main Committee\s*\(")


def _read_proponent(line: str, upd: dict[str, object]) -> None:
    """The committee line of the cover page.

    `[on the report of the Third Committee (A/75/478/Add.2, para. 89)]` gives the
    committee, its report and the paragraph; `[without reference to a Main
    Committee (A/75/L.1)]` the draft. "Special Political and Decolonization
    Committee (Fourth Committee)" is the Fourth Committee.
    """
    m = _REPORT_RE.search(line)
    if m:
        name = " ".join(m.group(1).split())
        short = re.search(r"\(((?:[A-Z][a-z]+ )+Committee)\)$", name)
        upd["committee"] = short.group(1) if short else name
        rest = line[m.end() :]
        sym = _DOC_SYMBOL_RE.search(rest)
        if sym:
            upd["committee_report"] = normalise_symbol(sym.group(0).rstrip("."))
        para = _PARA_RE.search(rest)
        if para:
            upd["report_paragraph"] = " ".join(para.group(1).split())
        upd.pop("draft", None)
        return
    m = _NO_COMMITTEE_RE.search(line)
    if m:
        sym = _DOC_SYMBOL_RE.search(line, m.end())
        if sym:
            upd["draft"] = normalise_symbol(sym.group(0).rstrip("."))
        upd.pop("committee_report", None)
        upd.pop("report_paragraph", None)


def _vote(v: _Node) -> str | None:
    outcome = v.attrs.get("outcome", "").strip()
    counts = {
        c.attrs.get("refersTo", "").lstrip("#"): c.attrs.get("value", "") for c in v.iter("count")
    }
    m = re.match(r"Adopted (\d+)-(\d+)-(\d+)", outcome)
    if m:
        counts = {"inFavour": m.group(1), "against": m.group(2), "abstaining": m.group(3)}
    if outcome == "adoptedWithoutVote" or outcome.lower().startswith("adopted without"):
        return "adopted without a vote"
    yes, no, abst = (counts.get(k, "").strip() for k in ("inFavour", "against", "abstaining"))
    if yes.isdigit():
        text = f"adopted by a recorded vote of {yes} to {no or 0}"
        return text + (f", with {abst} abstentions" if abst.isdigit() and abst != "0" else "")
    if outcome:
        return re.sub(r"(?<!^)(?=[A-Z])", " ", outcome).lower()
    return None


def _all_chars(n: _Node) -> Iterator[_Chars]:
    for c in n.children:
        if isinstance(c, _Chars):
            yield c
        elif c.tag != "authorialNote":
            yield from _all_chars(c)


# --- assembling the model ----------------------------------------------------------


def _finish(source: SourceText, st: _Statement, heading: Heading) -> Resolution:
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    keys: dict[int, str] = {}
    # numbering that restarts per section goes into the key ("op/II/1"), as `segment` does
    groups: dict[str, list[_Draft]] = {}
    for d in st.drafts:
        if d.parent is None and d.kind in ("operative", "annex"):
            groups.setdefault(d.key.rpartition("/")[0], []).append(d)
    for prefix, tops in groups.items():
        if len({d.key for d in tops}) < len(tops):
            for d in tops:
                if d.section:
                    d.key = f"{prefix}/{d.section}/{d.number}"
    for d in st.drafts:
        key = (keys[id(d.parent)] + "/" + d.number) if d.parent is not None else d.key
        if key in seen:
            seen[key] += 1
            key = f"{key}-{seen[key]}"
        else:
            seen[key] = 1
        keys[id(d)] = key
        text, tmap = d.text.build(d.skip)
        shift = len("".join(d.text.out)) - len(text)
        phrase = d.phrase
        pspan = None
        if d.phrase_span is not None:
            a, b = max(0, d.phrase_span[0] - shift), d.phrase_span[1] - shift
            while a < b and text[a] == " ":
                a += 1
            if a < b <= len(text):
                printed = text[a:b].strip().rstrip(",:;")
                phrase = phrase or printed or None
                pspan = tmap.span_to_source(a, a + len(printed)) if printed else None
        if st.strict and not text:
            raise ParseError(f"{source.name}: {key} has no text")
        clauses.append(
            Clause(
                key=key,
                kind=d.kind,
                number=d.number,
                position=d.position,
                parent=keys[id(d.parent)] if d.parent is not None else None,
                phrase=phrase,
                phrase_span=pspan,
                text=text,
                span=Span(d.node.start, max(d.end, d.node.end)),
                text_map=tmap,
                markers=tuple(d.markers),
                section=d.section,
            )
        )
    footnotes: list[Footnote] = []
    fn_keys: dict[int, str] = {}
    fn_seen: dict[str, int] = {}
    for note in st.notes:
        key = f"fn/{note.marker}"
        if key in fn_seen:
            fn_seen[key] += 1
            key = f"{key}-{fn_seen[key]}"
        else:
            fn_seen[key] = 1
        fn_keys[id(note)] = key
        t = _Text()
        _note_text(note.node, t)
        text, tmap = t.build()
        footnotes.append(
            Footnote(
                key=key,
                marker=note.marker,
                text=text,
                span=Span(note.node.start, note.node.end),
                text_map=tmap,
                anchor=keys[id(note.anchor)] if note.anchor is not None else None,
                marker_span=note.marker_span,
            )
        )
    links: list[Link] = []
    for anchor, where, inside in st.links:
        symbol = _link_symbol(anchor.attrs.get("href", ""))
        if symbol is None:
            continue
        t = _Text()
        for ch in _all_chars(anchor):
            t.add(ch)
        text, tmap = t.build()
        links.append(
            Link(
                symbol=symbol,
                text=text,
                span=tmap.span_to_source(0, len(text)) if text else Span(anchor.start, anchor.end),
                clause=keys[id(where)] if where is not None else None,
                footnote=fn_keys[id(inside)] if inside is not None else None,
            )
        )
    return Resolution(
        source=source,
        layout="akn4un",
        heading=heading,
        clauses=tuple(clauses),
        footnotes=tuple(footnotes),
        links=tuple(links),
    )


def _note_text(n: _Node, t: _Text) -> None:
    for c in n.children:
        if isinstance(c, _Chars):
            t.add(c)
        else:
            if c.tag in ("p", "eol", "br"):
                t.gap()
            _note_text(c, t)


_UNDOCS_RE = re.compile(r"^https?://(?:www\.)?undocs\.org/(?:(?:en|fr|es|ar|ru|zh)/)?(.+)$", re.I)


def _link_symbol(href: str) -> str | None:
    """The document symbol an undocs.org link points at, without its print suffix.

    >>> _link_symbol("https://undocs.org/en/A/RES/217(III)")
    'A/RES/217(III)'
    >>> _link_symbol("https://undocs.org/en/A/47/40(supp)"), _link_symbol("https://example.org/x")
    ('A/47/40', None)
    """
    from urllib.parse import unquote

    m = _UNDOCS_RE.match(href.strip())
    if m is None:
        return None
    path = unquote(m.group(1)).split("?")[0].split("#")[0].strip("/")
    # undocs.org addresses a volume or supplement with a lower-case suffix: "(supp)", "(vol.i)"
    path = re.sub(r"\((?:supp|vol\.?[ivx]*|part[ivx\d]*)\)$", "", path, flags=re.I)
    return normalise_symbol(path) or None


# --- the public function ------------------------------------------------------


def parse_akn(source: SourceText, *, strict: bool = False) -> Resolution:
    """Stage 2 for AKN4UN XML: heading, clauses, footnotes and links (no citations yet).

    Raises:
        InputError: not well-formed XML, a DTD or entity declaration, or no
            Akoma Ntoso document in the file (names the file).
        ParseError: in strict mode, a clause without text or a file without clauses.
    """
    root = _parse_xml(source)
    akn = next((c for c in root.elements() if c.tag == "akomaNtoso"), None)
    top = next(akn.elements(), None) if akn is not None else None
    if akn is None or top is None:
        raise InputError(source.name, "not an Akoma Ntoso document (no <akomaNtoso> element)")
    if top.tag == "documentCollection":
        return _collection(source, akn, top, strict)
    st = _Statement(source, strict)
    st.statement(top)
    res = _finish(source, st, _read_heading(top, st))
    if strict and not res.clauses:
        raise ParseError(f"{source.name}: no clauses found")
    return res


_PART_RANGE_RE = re.compile(r"(?<=\d)[A-Z](?:-[A-Z])+$")


def _collection(source: SourceText, akn: _Node, top: _Node, strict: bool) -> Resolution:
    """A resolution in parts: the work's heading, one Resolution per component.

    The parts are the `component`s of `akomaNtoso/components` (the collection
    body only refers to them).
    """
    outer = _Statement(source, strict)
    for c in top.elements():
        if c.tag in ("coverPage", "preface"):
            outer.stray(c)
    heading = _read_heading(top, outer)
    if heading.symbol:
        # the cover prints the work with its parts ("A/RES/75/101 A-B"); the work is 75/101
        heading = replace(heading, symbol=_PART_RANGE_RE.sub("", heading.symbol))
    work = _finish(source, outer, heading)
    parts: list[Resolution] = []
    for comp in (c for holder in akn.iter("components") for c in holder.elements()):
        st_node = next((c for c in comp.elements() if c.tag != "documentRef"), None)
        if st_node is None or st_node.tag not in ("statement", "doc", "act", "bill"):
            continue
        st = _Statement(source, strict)
        st.statement(st_node)
        h = _read_heading(st_node, st, parent=replace(work.heading, formula=None))
        letter = (h.number or "").strip().rstrip(".")
        if work.heading.symbol and re.fullmatch(r"[A-Z]", letter):
            h = replace(
                h,
                symbol=work.heading.symbol + letter,
                number=f"{(work.heading.number or '').rstrip('.').split(' ')[0]} {letter}".strip(),
            )
        parts.append(_finish(source, st, h))
    if strict and not any(p.clauses for p in parts):
        raise ParseError(f"{source.name}: no clauses found")
    if parts:
        # parts adopted at different meetings: the work was completed by the last one
        last = parts[-1].heading
        work = replace(
            work,
            heading=replace(
                work.heading,
                meeting=work.heading.meeting or last.meeting,
                adopted=work.heading.adopted or last.adopted,
            ),
        )
    return replace(work, parts=tuple(parts))


# --- the UN's links as citations ---------------------------------------------------


def _same_work(cit: Citation, symbol: str) -> bool:
    """The citation names the linked symbol, or a lettered part of it ("53/243 A" for 53/243)."""
    return (
        cit.target == symbol
        or cit.work == symbol
        or (
            len(cit.target) == len(symbol) + 1
            and cit.target.startswith(symbol)
            and cit.target[-1].isupper()
        )
    )


def add_link_citations(res: Resolution) -> Resolution:
    """Add a citation (pattern "akn-link") for each linked resolution the text patterns missed.

    Runs after `resolve_citations`, so the UN's own markup is never lost: a
    link to `…/RES/…` with no citation of the same target (or of a part of
    it) overlapping the link gets one. One document: the pipeline calls it on each part.
    """
    extra: list[Citation] = []
    for link in res.links:
        if "/RES/" not in link.symbol or link.symbol == res.heading.symbol:
            continue
        found = any(
            _same_work(c, link.symbol)
            and c.span.start < link.span.end
            and link.span.start < c.span.end
            for c in res.citations
        )
        if not found:
            extra.append(
                Citation(
                    kind="resolution",
                    target=link.symbol,
                    text=link.text,
                    span=link.span,
                    clause=link.clause,
                    footnote=link.footnote,
                    organ=organ_of_symbol(link.symbol),
                    pattern="akn-link",
                )
            )
    return replace(res, citations=(*res.citations, *extra)) if extra else res
