"""Lines, page debris and derived texts: the layout layer under the segmenter.

The read text of a resolution is cut into `Line`s that keep their offsets.
Page furniture (running heads, job numbers, barcodes, page numbers, ODS
markers) is recognised here, and `TextBuilder` joins the lines of a clause
into one text with a `TextMap` back to the read text, leaving out whatever
the caller excludes (footnote markers).

Debris is judged by *clusters*: a page number or a repeated title alone could
be text, but next to a job number or the document's symbol it is a page head.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from resgraph.model import Span, TextMap

# characters that only lay the page out: spaces, tabs, form feeds, NBSP
_WS = " \t\f\v\u00a0\u2002\u2003\u2009\u200b\ufeff\r"


class Line(NamedTuple):
    """One line of the read text; `start`/`end` bound its content without outer blanks.

    A named tuple, immutable like a frozen dataclass: one is made per line of every
    document, and a frozen dataclass took three times as long to make.
    """

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing here calls
    start: int  # content start (after leading blanks and form feeds)
    end: int  # content end (before trailing blanks)
    line_start: int  # offset of the line's first character
    text: str  # the content: source[start:end]
    indent: str  # the leading blanks as printed
    form_feed: bool  # a form feed stood on (or just before) this line

    @property
    def blank(self) -> bool:
        """True for a line with nothing but blanks."""
        return not self.text


def split_lines(text: str) -> list[Line]:
    """Cut the read text into lines (LF, CR and CRLF all end a line).

    >>> [(ln.text, ln.start) for ln in split_lines("a\\r\\n\\t b \\n\\fc")]
    [('a', 0), ('b', 5), ('c', 9)]
    >>> split_lines("x\\n\\fy")[1].form_feed
    True
    """
    lines: list[Line] = []
    for s, raw in _raw_lines(text):
        body = raw.lstrip(_WS)
        lead = raw[: len(raw) - len(body)]
        content = body.rstrip(_WS)
        start = s + len(lead)
        # index, start, end, line_start, text, indent, form_feed (positional: faster)
        lines.append(
            Line(
                len(lines),
                start,
                start + len(content),
                s,
                content,
                lead.replace("\f", ""),
                "\f" in raw,
            )
        )
    return lines


def _raw_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line without its end) of each line; no empty line after a final line end."""
    if "\r" in text:
        for k, m in enumerate(re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text)):
            if m.start() == len(text) and m.end() == m.start() and k > 0:
                break
            yield m.start(), m.group(0).rstrip("\r\n")
        return
    # the read text has LF only (read.py): str.split instead of a regex match per line
    parts = text.split("\n")
    if len(parts) > 1 and not parts[-1]:
        parts.pop()
    s = 0
    for raw in parts:
        yield s, raw
        s += len(raw) + 1


# --- page debris -------------------------------------------------------------

ODS_MARKER_RE = re.compile(r"<<ODS\b|^\[DU\d*\]")
"""ODS export markers: `<<ODS JOB NO>>N1248970E<<ODS JOB NO>>`, `[DU1]` comments."""


def has_ods_marker(text: str) -> bool:
    """`ODS_MARKER_RE` finds a marker in the line (tried only where its literal stands).

    >>> has_ods_marker("<<ODS JOB NO>>N1248970E<<ODS JOB NO>>"), has_ods_marker("[DU1]")
    (True, True)
    >>> has_ods_marker("Recalling [DU]"), has_ods_marker("a << b")
    (False, False)
    """
    return ("<<ODS" in text or text.startswith("[DU")) and ODS_MARKER_RE.search(text) is not None


JOB_NUMBER_RE = re.compile(r"^\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?(?:\s*\*\d{7,}\*)?$")
"""A job number line at a page foot or head: `23-25987 (E)    100124`, `12-48970`."""

BARCODE_RE = re.compile(r"^\*\d{6,}\*(?:\s*Please recycle)?$|^Please recycle$")
"""The barcode of the job number, `*2325987*`, often with `Please recycle`."""

RES_SYMBOL_LINE_RE = re.compile(
    r"^(?:United Nations\s*)?[AESR](?:/[A-Z][A-Z0-9.\-]*)*/RES/[0-9A-Z]+(?:/\d+)?"
    r"(?:\s?[A-Z])?(?:\s?\((?:\d{4}|[IVXLS][IVXL\-]*)\))?$"
)
"""A resolution symbol standing alone on its line (a running head): `S/RES/1445 (2002)`."""

PAGE_NUMBER_RE = re.compile(r"^(\d{1,3})\s?/\s?(\d{1,3})$")
"""A page number `2/3` (page of pages)."""

BARE_PAGE_RE = re.compile(r"^-?\s?\d{1,3}\s?-?$")
"""A bare page number, `3` or `- 3 -`, as printed in old volumes and ODS footers."""

RULE_RE = re.compile(r"^[-_=*.]{5,}$")
"""A rule of dashes or underscores (footnote separator, ODS page rule)."""

FOOTNOTE_RULE_RE = re.compile(r"^_{5,}$")


def is_strong_debris(text: str) -> bool:
    """A line that can only be page furniture.

    >>> is_strong_debris("23-25987 (E)    100124"), is_strong_debris("*2325987*")
    (True, True)
    >>> is_strong_debris("S/RES/1445 (2002)"), is_strong_debris("Recalling 66/172,")
    (True, False)
    """
    return bool(
        has_ods_marker(text)
        or JOB_NUMBER_RE.match(text)
        or BARCODE_RE.match(text)
        or RES_SYMBOL_LINE_RE.match(text)
    )


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def is_weak_debris(text: str, titles: tuple[str, ...] = ()) -> bool:
    """A line that is page furniture when it stands next to other furniture.

    >>> is_weak_debris("2/3"), is_weak_debris("3"), is_weak_debris("We welcome")
    (True, True, False)
    >>> is_weak_debris("Awaza Political Declaration", ("Awaza Political Declaration",))
    True
    """
    return _is_weak(text, tuple(_norm(t) for t in titles))


def _is_weak(text: str, norm_titles: tuple[str, ...]) -> bool:
    """`is_weak_debris` with the titles normalised already (once per document, not per line)."""
    m = PAGE_NUMBER_RE.match(text)
    if m:
        return 0 < int(m.group(1)) <= int(m.group(2))
    if BARE_PAGE_RE.match(text) or text in {
        "United Nations",
        "General Assembly",
        "Security Council",
    }:
        return True
    c = text[:1]
    if c and not c.isspace() and c not in "….":
        # a title match starts with the line's first character, case folded: most lines
        # are not titles, and normalising each whole paragraph line was the cost here
        f = c.casefold()[0]
        if not any(tn[:1] == f for tn in norm_titles):
            return False
    n = _norm(text)
    for tn in norm_titles:
        if not tn:
            continue
        if n == tn or (len(n) >= 20 and tn.startswith(n.rstrip("….").rstrip())):
            return True
    return False


def mark_debris(lines: list[Line], lo: int, hi: int, titles: tuple[str, ...] = ()) -> set[int]:
    """Indices of lines in [lo, hi) that are page debris.

    A cluster is a run of candidate lines separated only by blank lines; it
    is debris when it holds a strong line, or two weak lines one of which is a
    page number. A weak line touching a form feed is debris on its own.
    """
    out: set[int] = set()
    cluster: list[int] = []
    strong = 0
    pages = 0
    norm_titles = tuple(_norm(t) for t in titles)

    def close() -> None:
        nonlocal strong, pages
        if cluster and (strong or (pages and len(cluster) >= 2)):
            out.update(cluster)
        elif len(cluster) == 1:
            ln = lines[cluster[0]]
            nxt = lines[ln.index + 1] if ln.index + 1 < len(lines) else None
            if (ln.form_feed or (nxt is not None and nxt.form_feed)) and BARE_PAGE_RE.match(
                ln.text
            ):
                out.add(ln.index)
            if RULE_RE.match(ln.text) and not FOOTNOTE_RULE_RE.match(ln.text):
                out.add(ln.index)
        cluster.clear()
        strong = 0
        pages = 0

    for i in range(lo, hi):
        ln = lines[i]
        if ln.blank:
            continue
        t = ln.text
        if is_strong_debris(t):
            cluster.append(i)
            strong += 1
        elif _is_weak(t, norm_titles):
            cluster.append(i)
            pages += bool(PAGE_NUMBER_RE.match(t) or BARE_PAGE_RE.match(t))
        elif RULE_RE.match(t) and not FOOTNOTE_RULE_RE.match(t):
            close()
            out.add(i)
        else:
            close()
    close()
    return out


# --- derived texts -----------------------------------------------------------

_HYPHENS = "-\u2010\u2011"
# words joined by single ASCII spaces, or a run of blanks (\s includes U+00A0); linear:
# \S and " " do not overlap
_RUN_RE = re.compile(r"\S+(?: \S+)*|\s+")


class TextBuilder:
    """Joins slices of the read text into one text, whitespace collapsed, with a TextMap.

    Lines are joined with one space, except after a hyphen that ends a word
    (`action-` + `oriented`), which keeps the hyphen as printed and no space.

    >>> src = "Rights,1 in\\n  the  world"
    >>> b = TextBuilder(src)
    >>> b.add(0, 11, exclude=[Span(7, 8)]); b.add(14, 24)
    >>> text, tmap = b.build()
    >>> text
    'Rights, in the world'
    >>> src[tmap.to_source(9)], tmap.span_to_source(11, 14)
    ('n', Span(start=14, end=17))
    """

    def __init__(self, source: str) -> None:
        self._src = source
        self._out: list[str] = []
        self._pieces: list[list[int]] = []
        self._len = 0
        self._space: int | None = None  # pending space: source offset of a lone " ", or -1
        self._first: int | None = None
        self._last = 0

    def __bool__(self) -> bool:
        return self._len > 0

    def _emit(self, s: str, src_start: int | None) -> None:
        if src_start is not None:
            if (
                self._pieces
                and self._pieces[-1][0] + self._pieces[-1][2] == self._len
                and self._pieces[-1][1] + self._pieces[-1][2] == src_start
            ):
                self._pieces[-1][2] += len(s)
            else:
                self._pieces.append([self._len, src_start, len(s)])
        self._out.append(s)
        self._len += len(s)

    def _last_char(self, back: int = 1) -> str:
        joined = "".join(self._out[-3:])
        return joined[-back] if len(joined) >= back else ""

    def add(self, start: int, end: int, *, exclude: list[Span] | tuple[Span, ...] = ()) -> None:
        """Append the source slice [start, end) as a new line of the text."""
        if end <= start:
            return
        if self._len:
            last = self._last_char()
            if last in _HYPHENS and self._last_char(2).isalpha():
                self._space = None
            elif self._space is None:
                self._space = -1
        cuts = sorted(s for s in exclude if s.start < end and s.end > start)
        pos = start
        segments: list[tuple[int, int]] = []
        for c in cuts:
            if c.start > pos:
                segments.append((pos, c.start))
            pos = max(pos, c.end)
        if pos < end:
            segments.append((pos, end))
        for a, b in segments:
            # a run of words joined by single spaces is copied as one contiguous piece (the
            # same text and map as word by word, which was a third of a worker's time)
            seg = self._src[a:b]
            if seg.isprintable() and "  " not in seg and seg[0] != " " and seg[-1] != " ":
                # no blank but single spaces between words (every other blank is not
                # printable): the whole segment is the one run _RUN_RE would find
                runs = [(seg, a)]
            else:
                runs = [(m.group(0), m.start()) for m in _RUN_RE.finditer(self._src, a, b)]
            for tok, at in runs:
                if tok[0].isspace():
                    if self._len:
                        lone = len(tok) == 1 and tok == " " and self._space is None
                        self._space = at if lone else -1
                    continue
                if self._space is not None:
                    self._emit(" ", None if self._space < 0 else self._space)
                    self._space = None
                if self._first is None:
                    self._first = at
                self._emit(tok, at)
                self._last = at + len(tok)

    def build(self) -> tuple[str, TextMap]:
        """The text and its map to the read text."""
        return "".join(self._out), TextMap(tuple((p[0], p[1], p[2]) for p in self._pieces))

    def source_span(self) -> Span | None:
        """Source span from the first to the last character appended, if any."""
        if self._first is None:
            return None
        return Span(self._first, self._last)
