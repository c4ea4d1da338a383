"""Stage 2a: the read text of a resolution -> heading, clauses and footnotes (no citations).

Works on the three layouts the UN publishes resolutions in as text: the ODS
plain-text export (tab-indented, page furniture after the end), text pulled
from the official PDFs (header block, running heads and footnote blocks
between pages) and OCR of the printed volumes (form feeds, narrow columns).

The steps, in order (each a function below):

1. cut the text into lines, find the enacting formula and read the heading;
2. mark page debris and pull out the footnote blocks;
3. walk the body line by line into preambular, operative, sub- and annex
   paragraphs (a small state machine: numbering decides, blank lines only hint);
4. find the footnote markers with the footnote numbers that exist and their
   order (a marker glued to a year, "202316", is 2023 + footnote 16 only
   because footnote 16 exists and comes next);
5. build each clause's text without markers, with a TextMap, and read its
   opening phrase from the vocabulary in `resgraph/patterns/clause_phrases.json`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from resgraph.errors import InputError, ParseError, PatternError
from resgraph.model import (
    Clause,
    ClauseKind,
    Footnote,
    FootnoteMarker,
    Heading,
    Layout,
    Resolution,
    SourceText,
    Span,
    TextMap,
)
from resgraph.parse.heading import (
    FORMULA_RE,
    MEETING_RE,
    NUMBER_LINE_RE,
    SC_ADOPTED_RE,
    HeadingInfo,
    is_header_furniture,
    read_closing,
    read_heading,
)
from resgraph.parse.layout import (
    FOOTNOTE_RULE_RE,
    Line,
    TextBuilder,
    has_ods_marker,
    mark_debris,
    split_lines,
)
from resgraph.resources import patterns_dir

__all__ = ["PhraseMatch", "load_clause_phrases", "match_phrase", "segment"]

# --- the phrase vocabulary -------------------------------------------------------

_TOKEN_RE = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F’'\-]*")
# how many words of a clause's opening the phrase matcher reads
_LEAD_WORDS = 14
# the first `_LEAD_WORDS` words `_TOKEN_RE` finds from the start of a text while only
# blanks stand between them (where `_tokens(..., stop_at_punct=True)` stops); possessive,
# and anchored so that a scan (the regex budget test's) does not rescan runs of blanks
_LEAD_WORDS_RE = re.compile(
    rf"\A(?:\s*+[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F’'\-]*+){{0,{_LEAD_WORDS}}}+"
)
_DETERMINERS = frozenset({"its", "their", "our", "the", "a", "an", "his", "her"})
# words that end the object of Expresses/Expressing (the noun is never one of them)
_OBJECT_STOP = frozenset(
    {"to", "for", "at", "over", "with", "about", "that", "in", "on", "of", "regarding", "by",
     "and", "or", "towards", "as", "upon", "concerning"}
)  # fmt: skip


_Tok = tuple[str, int, int, bool]  # lower-case word, start, end, printed with a capital
# after these words an adverb still belongs to the phrase ("Decides further that");
# before a content word it is an adjective of the object ("Encourages further efforts")
_FUNCTION_WORDS = frozenset(
    {"the", "that", "to", "its", "their", "his", "her", "all", "a", "an", "in", "on", "with",
     "upon", "for", "of", "by", "at", "whether", "how", "those", "these", "any", "each", "every",
     "about", "regarding", "over", "from", "into", "as", "concerning", "towards", "this"}
)  # fmt: skip
# adverbs that are never adjectives: after the verb they always belong to the phrase
_PURE_ADVERBS = frozenset({"also", "again", "once", "more", "likewise", "moreover", "furthermore"})


@dataclass(frozen=True)
class PhraseConcept:
    """One concept of clause_phrases.json, compiled for matching."""

    id: str
    kind: str
    label: str
    relation: str
    heads: tuple[tuple[str, ...], ...]  # label and variants, adverbs removed, lower case
    complements: tuple[tuple[str, ...], ...]
    objects: frozenset[str]


@dataclass(frozen=True)
class PhraseVocabulary:
    """The loaded vocabulary: adverbs and concepts indexed by their first head word."""

    adverbs: tuple[tuple[str, ...], ...]
    concepts: tuple[PhraseConcept, ...]
    by_first: dict[str, tuple[tuple[tuple[str, ...], PhraseConcept], ...]]


@dataclass(frozen=True)
class PhraseMatch:
    """An opening phrase found in a clause text: offsets into that text and its concept."""

    phrase: str
    start: int
    end: int
    concept: str
    relation: str


@cache
def load_clause_phrases() -> PhraseVocabulary:
    """Load and compile resgraph/patterns/clause_phrases.json (once)."""
    path = patterns_dir() / "clause_phrases.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        adverbs = tuple(sorted((tuple(a.split()) for a in data["adverbs"]), key=len, reverse=True))
        advset = {a for a in adverbs if len(a) == 1}
        concepts: list[PhraseConcept] = []
        for cid, entry in data["phrases"].items():
            heads: set[tuple[str, ...]] = set()
            for form in [entry["label"], *entry.get("variants", [])]:
                words = tuple(w.lower() for w in form.split())
                words = tuple(w for w in words if (w,) not in advset)
                words = _drop_multiword(words, adverbs)
                if words:
                    # with objects, the printed forms are examples of verb + object
                    heads.add(words[:1] if entry.get("objects") else words)
            concepts.append(
                PhraseConcept(
                    id=cid,
                    kind=entry["kind"],
                    label=entry["label"],
                    relation=entry["relation"],
                    heads=tuple(sorted(heads)),
                    complements=tuple(
                        tuple(c.lower().split()) for c in entry.get("complements", [])
                    ),
                    objects=frozenset(entry.get("objects", [])),
                )
            )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise PatternError(f"{path}: {e}") from e
    index: dict[str, list[tuple[tuple[str, ...], PhraseConcept]]] = {}
    for c in concepts:
        for h in c.heads:
            index.setdefault(h[0], []).append((h, c))
    return PhraseVocabulary(
        adverbs=adverbs,
        concepts=tuple(concepts),
        by_first={k: tuple(v) for k, v in index.items()},
    )


def _drop_multiword(
    words: tuple[str, ...], adverbs: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    out = list(words)
    for a in adverbs:
        if len(a) < 2:
            continue
        for i in range(len(out) - len(a) + 1):
            if tuple(out[i : i + len(a)]) == a:
                del out[i : i + len(a)]
                break
    return tuple(out)


def _lead_words(text: str) -> tuple[list[str], list[str]]:
    """The words of `_tokens(text, _LEAD_WORDS, stop_at_punct=True)`: (lower case, printed).

    Only blanks separate those words, so one regex match finds where they end and
    `str.split` cuts them (a tuple and offsets per word were most of match_phrase's time).

    >>> _lead_words("  Also notes, with")
    (['also', 'notes'], ['Also', 'notes'])
    """
    lead = text[: _LEAD_WORDS_RE.match(text).end()]  # type: ignore[union-attr]  # matches ""
    # lower() maps no character to a blank, so the words stay the same words
    return lead.lower().replace("’", "'").split(), lead.split()


def _words_end(text: str, printed: list[str], j: int) -> int:
    """The offset in `text` where printed word j - 1 of `_lead_words(text)` ends."""
    pos = 0
    for w in printed[:j]:
        pos = text.find(w, pos) + len(w)  # only blanks stand before each word
    return pos


def _tokens(text: str, limit: int, stop_at_punct: bool) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        s, e = m.span()
        # stop at punctuation: a gap that is not all blanks (an empty gap is no gap)
        if stop_at_punct and s > pos and not text[pos:s].isspace():
            break
        word = m.group()
        toks.append((word.lower().replace("’", "'"), s, e, word[0].isupper()))
        pos = e
        if len(toks) >= limit:
            break
    return toks


# id(vocabulary) -> (the vocabulary, kept so its id is not reused; its adverbs by first word)
_ADVERBS_BY_FIRST: dict[int, tuple[PhraseVocabulary, dict[str, list[tuple[str, ...]]]]] = {}


def _adverbs_by_first(voc: PhraseVocabulary) -> dict[str, list[tuple[str, ...]]]:
    """The vocabulary's adverbs grouped by first word, each group in the vocabulary's order."""
    hit = _ADVERBS_BY_FIRST.get(id(voc))
    if hit is not None and hit[0] is voc:
        return hit[1]
    index: dict[str, list[tuple[str, ...]]] = {}
    for a in voc.adverbs:
        if a:
            index.setdefault(a[0], []).append(a)
    _ADVERBS_BY_FIRST[id(voc)] = (voc, index)
    return index


def _skip_adverbs(words: list[str], i: int, voc: PhraseVocabulary) -> int:
    # only the adverbs starting with the current word can match: the first in vocabulary
    # order wins, as when every adverb was tried (a fifth of the parse time before)
    by_first = _adverbs_by_first(voc)
    moved = True
    while moved and i < len(words):
        moved = False
        for a in by_first.get(words[i], ()):
            if tuple(words[i : i + len(a)]) == a:
                i += len(a)
                moved = True
                break
    return i


# The matcher works on two parallel lists: `words`, lower case ("’" as "'"), and
# `printed`, as printed (only the capital of a word after the verb is read from it).


def _trail(words: list[str], printed: list[str], j: int, voc: PhraseVocabulary) -> int:
    """Adverbs after the verb belong to the phrase unless an object's content word follows."""
    k = _skip_adverbs(words, j, voc)
    if k == j or k >= len(words):
        return k
    if all(w in _PURE_ADVERBS for w in words[j:k]):
        return k  # "Recalling also article 3": "also" never qualifies a noun
    return k if printed[k][0].isupper() or words[k] in _FUNCTION_WORDS else j


def _match_seq(words: list[str], i: int, seq: tuple[str, ...], voc: PhraseVocabulary) -> int | None:
    for k, word in enumerate(seq):
        if k:
            i = _skip_adverbs(words, i, voc)
        if i >= len(words) or words[i] != word:
            return None
        i += 1
    return i


def _match_at(
    words: list[str], printed: list[str], i: int, kinds: tuple[str, ...], voc: PhraseVocabulary
) -> tuple[int, PhraseConcept] | None:
    """Longest phrase starting at word i: (end word index, concept)."""
    best: tuple[tuple[int, int, int], int, PhraseConcept] | None = None
    if i >= len(words):
        return None
    for head, concept in voc.by_first.get(words[i], ()):
        if concept.kind not in kinds:
            continue
        j = _match_seq(words, i, head, voc)
        if j is None:
            continue
        end = _trail(words, printed, j, voc)
        comp_end = None
        for comp in concept.complements:
            jj = _match_seq(words, end, comp, voc)
            if jj is not None and (comp_end is None or jj > comp_end):
                comp_end = jj
        found_object = False
        if comp_end is not None:
            end = _trail(words, printed, comp_end, voc)
        elif concept.objects:
            k = end
            if k < len(words) and words[k] in _DETERMINERS:
                k += 1
            for step in range(4):
                if k + step >= len(words) or words[k + step] in _OBJECT_STOP:
                    break
                if words[k + step] in concept.objects:
                    end = _trail(words, printed, k + step + 1, voc)
                    found_object = True
                    break
        exact = int(len(concept.label.split()) == len(head))
        score = (end, int(found_object or comp_end is not None), exact)
        if best is None or score > best[0]:
            best = (score, end, concept)
    if best is None:
        return None
    return best[1], best[2]


def match_phrase(
    text: str, kind: str = "operative", *, anywhere: bool = True
) -> PhraseMatch | None:
    """The opening phrase of a clause text, as printed, with its concept.

    Adverbs around the verb are kept ("Also encourages", "Reaffirming also");
    objects are not ("Reiterates its call" -> "Reiterates"), except the
    sentiment noun of Expresses/Expressing. When the verb does not open the
    paragraph, the first verb after a comma is taken, lower case as printed.

    >>> match_phrase("Strongly condemns the continuing incidence").phrase
    'Strongly condemns'
    >>> m = match_phrase("Taking note with appreciation of the work,", "preambular")
    >>> m.phrase, m.concept
    ('Taking note with appreciation', 'takingNote')
    >>> match_phrase("Expresses its deep concern over the situation").phrase
    'Expresses its deep concern'
    >>> match_phrase("In regard to DDR under the new concept, endorses also the mechanism").phrase
    'endorses also'
    """
    voc = load_clause_phrases()
    kinds = (kind,) if kind in ("preambular", "operative") else ("operative", "preambular")
    words, printed = _lead_words(text)
    # the first word starts at most two blanks in
    if words and len(text) - len(text.lstrip()) <= 2:
        start_i = _skip_adverbs(words, 0, voc)
        for ks in (kinds, ("preambular", "operative")):
            hit = _match_at(words, printed, start_i, ks, voc)
            if hit is not None:
                end_i, concept = hit
                s = len(text) - len(text.lstrip())
                e = _words_end(text, printed, end_i)
                return PhraseMatch(text[s:e], s, e, concept.id, concept.relation)
    if not anywhere:
        return None
    # the verb does not open the paragraph ("11. In regard to …, endorses also …")
    sentence = re.split(r"[;:]|\.\s", text, maxsplit=1)[0]
    toks = _tokens(sentence, 60, stop_at_punct=False)
    words = [t[0] for t in toks]
    printed = [sentence[t[1] : t[2]] for t in toks]
    for i in range(1, len(toks)):
        word, s, _, _ = toks[i]
        before = sentence[:s].rstrip()
        if not word or not text[s].islower():
            continue
        if not (before.endswith(",") or (before and toks[i - 1][0] in ("council", "assembly"))):
            continue
        hit = _match_at(words, printed, i, kinds, voc)
        if hit is not None:
            return _phrase(text, toks, i, hit[0], hit[1])
    return None


def _phrase(text: str, toks: list[_Tok], i: int, j: int, concept: PhraseConcept) -> PhraseMatch:
    s, e = toks[i][1], toks[j - 1][2]
    return PhraseMatch(text[s:e], s, e, concept.id, concept.relation)


# --- line patterns ---------------------------------------------------------------

OP_NUMBER_RE = re.compile(r"^(\d{1,3})\.(?=\s|$)")
"""An operative (or annex) paragraph number at the start of a line: `1.`, `10. Requests`."""

BARE_NUMBER_RE = re.compile(r"^(\d{1,3})\s+(?=[A-Z])")
"""A paragraph number that lost its full stop (`3 Calls upon`); taken only as the next number."""

SUB_ITEM_RE = re.compile(r"^\(([a-z]{1,4}|\d{1,2})\)(?=\s|$)")
"""A sub-item marker at the start of a line: `(a)`, `(ii)`, `(1)` (OCR for `(i)`)."""

DASH_ITEM_RE = re.compile(r"^[—–\-•]\s")
"""An unlettered bullet item (`— Calls for …`): part of its paragraph, not a sub-paragraph."""

SECTION_RE = re.compile(r"^(?:([A-Z])|([IVXL]+))\.?(?:\s+(\S.*))?$")
"""A section heading: a letter alone (`A`), or a roman number and title (`II. Implementation`)."""

ANNEX_RE = re.compile(r"^Annex(?:es)?(?:\s+([IVXL]+|\d+))?\.?$")
"""The heading of an annex after the closing lines: `Annex`, `Annex II`."""

FOOTNOTE_ITEM_RE = re.compile(r"^(\d{1,3})(?:\s+|\t)(?=\S)")
"""A footnote body at the start of a line: `1 Resolution 217 A (III).`, `7  E/CN.15/2023/13.`."""


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


_ROMANS = [
    *(
        [
            "i",
            "ii",
            "iii",
            "iv",
            "v",
            "vi",
            "vii",
            "viii",
            "ix",
            "x",
            "xi",
            "xii",
            "xiii",
            "xiv",
            "xv",
            "xvi",
            "xvii",
            "xviii",
            "xix",
            "xx",
        ]
    ),
    *(["xxi", "xxii", "xxiii", "xxiv", "xxv", "xxvi", "xxvii", "xxviii", "xxix", "xxx"]),
]
_LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
_LETTERS += [c + c for c in _LETTERS]


def _roman_index(s: str) -> int | None:
    return _ROMANS.index(s) + 1 if s in _ROMANS else None


def _letter_index(s: str) -> int | None:
    return _LETTERS.index(s) + 1 if s in _LETTERS else None


# --- drafts ------------------------------------------------------------------------


_ING_ED_RE = re.compile(r"^[A-Z][a-z]+(?:ing|ed)\b")

_MARKER_AFTER_PUNCT_RE = re.compile(r"([,;:.)\]’”\"])\s*\d{1,3}$")


@dataclass
class _Draft:
    kind: ClauseKind
    number: str
    position: int
    key: str
    parent: _Draft | None
    section: str | None
    start: int
    segs: list[tuple[int, int]] = field(default_factory=list)
    children: list[_Draft] = field(default_factory=list)
    level: int = 0  # 0 paragraph, 1 letter, 2 roman, 3 numeric

    def end(self) -> int:
        e = max((s[1] for s in self.segs), default=self.start)
        for c in self.children:
            e = max(e, c.end())
        return e

    def last_char(self, src: str) -> str:
        """The last printed character, a footnote marker after punctuation left out."""
        if not self.segs:
            return ""
        s, e = self.segs[-1]
        tail = src[s:e]
        # the marker pattern ends in a digit (at the end or before a final newline): most
        # lines end otherwise and skip the search, called for nearly every line
        if tail[-1:].isdecimal() or tail.endswith("\n"):
            m = _MARKER_AFTER_PUNCT_RE.search(tail)
            if m:
                return m.group(1)
        return tail[-1:]


@dataclass
class _FnDraft:
    marker: str
    marker_span: Span
    segs: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Cand:
    order: int  # clause order
    pos: int  # offset in the clause's raw text
    end: int
    marker: str
    score: int


# --- the stage function ----------------------------------------------------------


_FIRST_OP_RE = re.compile(r"^1\.(\s|$)")
_SECOND_OP_RE = re.compile(r"^2\.(\s|$)")


def segment(source: SourceText, *, strict: bool = False) -> Resolution:
    """Split the read text of a resolution into heading, clauses and footnotes.

    Raises InputError when the text has no recognisable resolution structure
    (no enacting formula or heading and no numbered operative paragraphs).
    With `strict`, a footnote whose marker cannot be found or a gap in the
    operative numbering raises ParseError instead of being tolerated.
    """
    text = source.text
    lines = split_lines(text)
    if not any(not ln.blank for ln in lines):
        raise InputError(source.name, "not a UN resolution: the text is empty")

    formula_i = next(
        (ln.index for ln in lines if FORMULA_RE.match(ln.text) and ln.text.startswith("The ")),
        None,
    )
    first_op = next((ln.index for ln in lines if _FIRST_OP_RE.match(ln.text)), None)
    if formula_i is None and first_op is None:
        raise InputError(
            source.name,
            "not a UN resolution: no enacting formula and no numbered operative paragraphs",
        )
    head_end = formula_i if formula_i is not None else first_op
    assert head_end is not None
    trailer_i = next((ln.index for ln in lines[head_end:] if has_ods_marker(ln.text)), len(lines))
    trailer = "\n".join(ln.text for ln in lines[trailer_i:])
    info = read_heading([ln.text for ln in lines[:head_end]], trailer)
    if formula_i is None:
        if first_op is not None and not info.metadata_lines and not info.title_lines:
            # numbered paragraphs but no heading and no formula: not a resolution
            has_two = any(_SECOND_OP_RE.match(ln.text) for ln in lines[first_op:])
            if not has_two:
                raise InputError(source.name, "not a UN resolution: no heading, no formula")
        marks = [*info.metadata_lines, *info.title_lines]
        body_start = max(marks) + 1 if marks else 0
    else:
        body_start = formula_i + 1

    titles = tuple(t for t in (info.title,) if t)
    debris = mark_debris(lines, body_start, trailer_i, titles)
    for ln in lines[body_start:trailer_i]:
        if has_ods_marker(ln.text):
            debris.add(ln.index)

    closing_i, closing_end = _find_closing(lines, body_start, trailer_i, debris)
    while closing_i is not None and closing_end is not None:
        # a resolution in parts (A, B …) closes each part: the last closing ends the text
        nxt_i, nxt_end = _find_closing(lines, closing_end, trailer_i, debris)
        if nxt_i is None or not _next_part_between(lines, closing_end, nxt_i, debris):
            break
        debris.update(range(closing_i, closing_end))
        closing_i, closing_end = nxt_i, nxt_end
    footnotes, consumed = _extract_footnotes(lines, body_start, trailer_i, debris, closing_end)

    body_end = closing_i if closing_i is not None else trailer_i
    parser = _BodyParser(text, lines, debris | consumed, strict, source.name)
    before = [ln.text for ln in lines[:body_start] if not ln.blank]
    if formula_i is not None:
        # part "A" of a resolution in parts: the letter, maybe the part's title, the formula
        part = next((t for t in before[-3:-1][::-1] if re.fullmatch(r"[A-Z]", t)), None)
        if part is not None:
            parser.section = part
    parser.parse_body(body_start, body_end, skip_furniture=formula_i is None)
    parser.unnumbered_operative()
    if closing_end is not None:
        parser.parse_annexes(closing_end, trailer_i)
    drafts = parser.flat()

    closing_texts = (
        [ln.text for ln in lines[closing_i:closing_end]]
        if closing_i is not None and closing_end is not None
        else []
    )
    meeting, closed_on, vote = read_closing(closing_texts)

    clauses, fns = _finish(text, drafts, footnotes, strict, source.name)
    heading = _make_heading(lines, info, formula_i, meeting, closed_on, vote)
    if strict and not any(c.kind in ("preambular", "operative") for c in clauses):
        raise ParseError(f"{source.name}: no clauses found")
    return Resolution(
        source=source,
        layout=_layout(lines, info, head_end),
        heading=heading,
        clauses=tuple(clauses),
        footnotes=tuple(fns),
    )


def _layout(lines: list[Line], info: HeadingInfo, head_end: int) -> Layout:
    if any(has_ods_marker(ln.text) for ln in lines) or any(
        ln.indent.startswith("\t") and re.match(r"^\d+\.\t", ln.text) for ln in lines
    ):
        return "ods"
    head = " ".join(ln.text for ln in lines[:head_end])
    if "Distr." in head:
        return "pdf"
    if (info.number and (info.symbol or "").startswith("S/")) or any(ln.form_feed for ln in lines):
        return "ocr"
    return "unknown"


def _is_closing_line(lines: list[Line], i: int, hi: int) -> bool:
    t = lines[i].text
    if MEETING_RE.match(t):
        return True
    if t.startswith("Adopted "):
        nxt = next((ln.text for ln in lines[i + 1 : hi] if not ln.blank), "")
        return bool(SC_ADOPTED_RE.search(t + " " + nxt))
    return False


def _next_part_between(lines: list[Line], lo: int, hi: int, debris: set[int]) -> bool:
    """Does an enacting formula (a new part) stand in [lo, hi), before any annex heading?"""
    for ln in lines[lo:hi]:
        if ln.index in debris or ln.blank:
            continue
        if ANNEX_RE.match(ln.text):
            return False
        if ln.text.startswith("The ") and FORMULA_RE.match(ln.text):
            return True
    return False


def _find_closing(
    lines: list[Line], lo: int, hi: int, debris: set[int]
) -> tuple[int | None, int | None]:
    """The closing lines (meeting, date or SC adoption line): [start, end)."""
    for i in range(lo, hi):
        if i in debris or lines[i].blank or not _is_closing_line(lines, i, hi):
            continue
        end = i + 1
        # the date (GA) or the rest of the adoption line (SC) follows
        for j in range(i + 1, min(hi, i + 4)):
            if lines[j].blank:
                continue
            t = lines[j].text
            if re.fullmatch(r"\d{1,2}\s+\S+\s+\d{4}\.?", t) or re.match(r"^\d+\w*\s+meeting", t):
                end = j + 1
            break
        return i, end
    return None, None


def _extract_footnotes(
    lines: list[Line], lo: int, hi: int, debris: set[int], closing_end: int | None
) -> tuple[list[_FnDraft], set[int]]:
    """Footnote bodies: blocks after a `_____` rule, or (ODS) numbered lines after the closing."""
    fns: list[_FnDraft] = []
    consumed: set[int] = set()
    last = 0
    has_rules = any(FOOTNOTE_RULE_RE.match(lines[i].text) for i in range(lo, hi))
    # the ODS export (tab-indented, ODS markers) prints its footnotes after the closing
    # lines with no rule; elsewhere such lines are taken only as an unbroken run 1, 2, 3 …
    ods = any(ln.indent.startswith("\t") or has_ods_marker(ln.text) for ln in lines)

    def item(ln: Line, ods_zone: bool = False) -> re.Match[str] | None:
        m = FOOTNOTE_ITEM_RE.match(ln.text)
        if m is None:
            return None
        n = int(m.group(1))
        if ods_zone and not ods:
            return m if n == last + 1 else None
        if last == 0 or last < n <= last + 12:
            return m
        return None

    i = lo
    while i < hi:
        ln = lines[i]
        ods_zone = not has_rules and closing_end is not None and i >= closing_end
        if i in debris or not (
            FOOTNOTE_RULE_RE.match(ln.text)
            or (ods_zone and item(ln, True) and _after_a_paragraph(lines, i, closing_end, debris))
        ):
            i += 1
            continue
        if FOOTNOTE_RULE_RE.match(ln.text):
            consumed.add(i)
            i += 1
        saw_blank = False
        current: _FnDraft | None = None
        while i < hi:
            ln = lines[i]
            if i in debris or (ln.form_feed and current is not None):
                break
            if ln.blank:
                saw_blank = True
                i += 1
                continue
            m = item(ln, ods_zone)
            num = FOOTNOTE_ITEM_RE.match(ln.text)
            wrapped = (
                num is not None
                and current is not None
                and not saw_blank
                and _wrapped_number(lines, i, hi, int(num.group(1)), last, debris)
            )
            if m and not wrapped:
                current = _FnDraft(m.group(1), Span(ln.start, ln.start + len(m.group(1))))
                current.segs.append((ln.start + m.end(), ln.end))
                fns.append(current)
                last = int(m.group(1))
                consumed.add(i)
                saw_blank = False
            elif current is not None and (
                wrapped or (not saw_blank and (not ods_zone or not _ends_a_note(lines[i - 1].text)))
            ):
                # a wrapped body line; after the ODS closing only a body cut mid-sentence
                current.segs.append((ln.start, ln.end))
                consumed.add(i)
            else:
                break
            i += 1
    return fns, consumed


def _after_a_paragraph(
    lines: list[Line], i: int, closing_end: int | None, debris: set[int]
) -> bool:
    """Does line i follow the closing lines or a finished paragraph (not a wrapped line)?

    After the closing, the ODS notes start on a numbered line, but so may a wrapped annex
    line ("… articles 15 and" / "16 (paragraph 1) of the Convention").
    """
    j = i - 1
    while j >= 0 and (lines[j].blank or j in debris):
        j -= 1
    if j < 0 or (closing_end is not None and j < closing_end):
        return True
    return lines[j].text.endswith((".", ";", ":", ")"))


_ABBREVIATION_END_RE = re.compile(
    r"\b(?:No|Nos|sect|sects|para|paras|subpara|subparas|vol|vols|chap|chaps|ch|p|pp|art|arts|"
    r"Suppl|Add|Corr|Rev)\.$"
)
"""A line cut after an abbreviation of a reference (`Supplement No.`, `sect.`): not an end."""


def _ends_a_note(text: str) -> bool:
    """Does a footnote line end its note (`annex.`, `…);`), not a wrapped reference (`No.`)?

    >>> _ends_a_note("Resolution 70/1, annex."), _ends_a_note("Session, Supplement No.")
    (True, False)
    """
    if text.endswith((")", ";")):
        return True
    return text.endswith(".") and not _ABBREVIATION_END_RE.search(text)


_DATE_START_RE = re.compile(
    r"^\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b"
)
"""A line that starts with a date (`7 February 1984.`): in a footnote block, a wrapped body."""


def _wrapped_number(
    lines: list[Line], i: int, hi: int, n: int, last: int, debris: set[int]
) -> bool:
    """Is the numbered line i of a footnote block the wrapped end of the footnote before?

    It is when it starts with a date ("… as from" / "7 February 1984."), or when it is
    not the next footnote and the next footnote's line follows ("Supplement No." /
    "18 (A/74/18); …" / "14 Official Records …").
    """
    if _DATE_START_RE.match(lines[i].text):
        return True
    if n == last + 1:
        return False
    for ln in lines[i + 1 : min(hi, i + 25)]:
        if ln.blank or ln.index in debris:
            return False
        m = FOOTNOTE_ITEM_RE.match(ln.text)
        if m and int(m.group(1)) == last + 1:
            return True
    return False


class _BodyParser:
    """The state machine that turns body lines into clause drafts."""

    def __init__(
        self, src: str, lines: list[Line], skip: set[int], strict: bool, name: str
    ) -> None:
        self.src = src
        self.lines = lines
        self.skip = skip
        self.strict = strict
        self.name = name
        self.top: list[_Draft] = []
        self.pp = 0
        self.last_op = 0
        self.section: str | None = None
        self.major: str | None = None  # the roman part the lettered sections sit in
        self.section_changed = False
        self.blank_separated = False  # paragraphs set off by blank lines (PDF text)
        self.part_start = 0  # index in `top` where the current part (A, B …) begins

    # -- helpers
    def _content(self, lo: int, hi: int) -> list[tuple[Line, bool, bool]]:
        """Content lines of [lo, hi) with (blank before, page break before) flags."""
        out: list[tuple[Line, bool, bool]] = []
        blank = False
        brk = False
        for i in range(lo, hi):
            ln = self.lines[i]
            if i in self.skip:
                brk = True
                continue
            if ln.blank:
                blank = True
                continue
            out.append((ln, blank or ln.indent.startswith("\t"), brk or ln.form_feed))
            blank = False
            brk = False
        return out

    def flat(self) -> list[_Draft]:
        """All drafts in reading order (a paragraph before its sub-items)."""
        out: list[_Draft] = []

        def walk(d: _Draft) -> None:
            out.append(d)
            for c in d.children:
                walk(c)

        ops = [d for d in self.top if d.kind == "operative"]
        if len({d.key for d in ops}) < len(ops):
            # numbering restarts per section: the section goes into the key ("op/A/1")
            for d in ops:
                if d.section:
                    _rekey(d, f"op/{d.section}/{d.number}")
        for d in self.top:
            walk(d)
        # a repeated label ("(a)" twice, two sections with one letter) still needs its own key
        seen: dict[str, int] = {}
        for d in out:
            if d.key in seen:
                seen[d.key] += 1
                _rekey(d, f"{d.key}-{seen[d.key]}")
            seen.setdefault(d.key, 1)
        return out

    # -- the body
    def parse_body(self, lo: int, hi: int, *, skip_furniture: bool) -> None:
        content = self._content(lo, hi)
        if skip_furniture:
            while content and is_header_furniture(content[0][0].text):
                content.pop(0)
        self._walk(content, annex=None)

    def unnumbered_operative(self) -> None:
        """Trailing unnumbered paragraphs with an operative verb, when nothing is numbered.

        A short resolution (or a part "A" of one) may end in one unnumbered operative
        paragraph ("Decides to …") after its preamble.
        """
        part = self.top[self.part_start :]
        if any(d.kind == "operative" for d in part):
            return
        tail: list[_Draft] = []
        for d in reversed(part):
            if d.kind != "preambular":
                break
            text = _build(self.src, d.segs, [])[0]
            pm = match_phrase(text, "operative", anywhere=False)
            if pm is None or _concept_kind(pm.concept) != "operative" or pm.start != 0:
                break
            tail.append(d)
        for k, d in enumerate(reversed(tail), start=1):
            d.kind = "operative"
            d.number = str(k)
            d.position = k
            _rekey(d, f"op/{k}")
            self.pp -= 1

    def parse_annexes(self, lo: int, hi: int) -> None:
        content = self._content(lo, hi)
        k = 0
        start: int | None = None
        groups: list[tuple[int, int, list[tuple[Line, bool, bool]]]] = []
        for idx, (ln, _, _) in enumerate(content):
            m = ANNEX_RE.match(ln.text)
            if m:
                if start is not None:
                    groups.append((k, start, content[start:idx]))
                num = m.group(1)
                k = _roman_value(num) if num and not num.isdigit() else int(num or k + 1)
                start = idx + 1
        if start is not None:
            groups.append((k, start, content[start:]))
        for k, _, part in groups:
            self.last_op = 0
            self.section = None
            self._walk(part, annex=k)

    def _walk(self, content: list[tuple[Line, bool, bool]], annex: int | None) -> None:
        mode = "annex" if annex is not None else "preamble"
        # ODS prints one line a paragraph (each after a tab or a blank line), unwrapped text
        # without blank lines has none: only wrapped, blank-separated text has both kinds
        starts = sum(1 for _, b, _ in content if b)
        self.blank_separated = 0 < starts < len(content)
        para: _Draft | None = None  # current pp/op/annex paragraph
        cur: _Draft | None = None  # deepest open clause
        skipping = annex is not None  # annex title lines before paragraph 1
        subs = [i for i, (ln, _, _) in enumerate(content) if SUB_ITEM_RE.match(ln.text)]
        for idx, (ln, blank, brk) in enumerate(content):
            t = ln.text
            m = OP_NUMBER_RE.match(t)
            if m is None and cur is not None and cur.last_char(self.src) in ".;:":
                # "3 Calls upon …": the full stop after the number was lost
                m2 = BARE_NUMBER_RE.match(t)
                if (
                    m2
                    and int(m2.group(1)) == self.last_op + 1
                    and mode != "preamble"
                    and match_phrase(t[m2.end() :], "operative", anywhere=False)
                ):
                    m = m2
            rest = t[m.end() :] if m else ""
            if not rest.strip() and idx + 1 < len(content):
                rest = content[idx + 1][0].text  # the number stands alone on its line
            if m and self._accept_number(int(m.group(1)), rest, mode):
                n = int(m.group(1))
                if mode == "preamble":
                    mode = "operative"
                if self.strict and self.last_op and n != self.last_op + 1:
                    raise ParseError(f"{self.name}: paragraph {n} follows {self.last_op}")
                self.last_op = n
                kind: ClauseKind = "operative" if annex is None else "annex"
                key = f"op/{n}" if annex is None else f"annex/{annex}/{n}"
                para = _Draft(kind, str(n), n, key, None, self.section, ln.start)
                self.top.append(para)
                cur = para
                skipping = False
                rest = t[m.end() :]
                off = len(t) - len(rest.lstrip())
                sm = SUB_ITEM_RE.match(rest.lstrip())
                if sm and para is not None:
                    cur = self._sub(para, cur, sm.group(1), ln, off, content, idx, subs, annex)
                    off += sm.end()
                    off += len(t[off:]) - len(t[off:].lstrip())
                if off < len(t):
                    cur.segs.append((ln.start + off, ln.end))
                continue
            sm = SUB_ITEM_RE.match(t)
            if (
                sm
                and para is not None
                and mode != "preamble"
                and self._sub_ok(cur, blank or brk)
                and not self._inline_item(para, sm.group(1))
            ):
                cur = self._sub(para, cur, sm.group(1), ln, 0, content, idx, subs, annex)
                skipping = False
                off = sm.end() + len(t[sm.end() :]) - len(t[sm.end() :].lstrip())
                if off < len(t):
                    cur.segs.append((ln.start + off, ln.end))
                continue
            if (
                (mode == "operative" or (mode == "preamble" and para is not None))
                and t.startswith("The ")
                and FORMULA_RE.match(t)
            ):
                # a second part (A, B …) with its own formula, preamble and numbering; the
                # part before may have ended in an unnumbered operative paragraph
                if mode == "preamble":
                    self.unnumbered_operative()
                self.part_start = len(self.top)
                if not self.section_changed:
                    last = (self.section or "A").rpartition(".")[2]
                    self.section = chr(ord(last) + 1) if len(last) == 1 else f"{last}-2"
                    self.section_changed = True
                mode, para, cur, skipping = "preamble", None, None, False
                continue
            sec = SECTION_RE.match(t)
            if sec and self._is_section(sec, blank, brk, cur, mode):
                self._set_section(sec)
                skipping = True
                continue
            if skipping and mode != "annex" and blank and t[0].isupper():
                # a section's own preamble or unnumbered paragraph after its heading (and
                # its title, skipped): "I" / "Recalling …" / "Having considered …" / "1. …"
                want = "preambular" if mode == "preamble" else "operative"
                pm = match_phrase(t, want, anywhere=False)
                if pm is not None:
                    skipping = False
                    if mode == "preamble" or _concept_kind(pm.concept) == "preambular":
                        # read as a preamble up to the section's first numbered paragraph
                        mode, para = "preamble", None
                    else:
                        n = self.last_op + 1
                        self.last_op = n
                        para = _Draft("operative", str(n), n, f"op/{n}", None, self.section,
                                      ln.start)  # fmt: skip
                        self.top.append(para)
                        cur = para
                        cur.segs.append((ln.start, ln.end))
                        continue
            if skipping:
                continue
            if mode == "operative" and self._section_preamble(ln, blank, cur):
                # a preambular paragraph between operative ones ("10. …;" / "Recalling …,"
                # / "11. …"): the preamble of a sub-section whose heading may be missing
                mode, para = "preamble", None
            if mode != "preamble" and self._is_heading(content, idx, cur):
                continue
            if mode == "preamble":
                if para is None or self._new_pp(ln, blank, brk, para):
                    self.pp += 1
                    para = _Draft("preambular", str(self.pp), self.pp, f"pp/{self.pp}", None,
                                  self.section, ln.start)  # fmt: skip
                    self.top.append(para)
                    cur = para
                assert cur is not None
                cur.segs.append((ln.start, ln.end))
                continue
            if cur is None:
                continue  # annex text before its first numbered paragraph
            cur.segs.append((ln.start, ln.end))

    def _sub_ok(self, cur: _Draft | None, after_break: bool) -> bool:
        """A "(b)" at the start of a line opens an item only where an item can begin.

        The text before it must be complete ("…:", "…;", "…; and"), empty (a number
        alone) or set off by a blank line; otherwise it is a wrapped reference
        ("paragraph 2" / "(b) of resolution …").
        """
        if cur is None or not cur.segs or after_break:
            return True
        tail = self.src[cur.segs[-1][0] : cur.segs[-1][1]].rstrip()
        return bool(re.search(r"(?:[:;,.—–]|\b(?:and|or))\s*\d{0,3}$", tail))

    def _inline_item(self, para: _Draft, label: str) -> bool:
        """Is "(b)" at a line start the next item of a list run inline in the paragraph?

        "Encourages … to (a) assist …; and" / "(b) assist …": the line was wrapped
        before "(b)", whose "(a)" stands in the paragraph's text, not on a line of its own.
        """
        if para.children:
            return False
        before: list[str] = []
        if label.isdigit():
            before.append(str(int(label) - 1))
        ri, li = _roman_index(label), _letter_index(label)
        if ri is not None and ri > 1:
            before.append(_ROMANS[ri - 2])
        if li is not None and li > 1:
            before.append(_LETTERS[li - 2])
        text = " ".join(self.src[s:e] for s, e in para.segs)
        return any(f"({b})" in text for b in before if b != "0")

    def _set_section(self, m: re.Match[str]) -> None:
        letter, roman = m.group(1), m.group(2)
        if letter and letter in "IVXL" and self._roman_section(letter, m.group(0)):
            letter, roman = None, letter
        if roman:
            self.major = roman
            self.section = roman
        else:
            self.section = f"{self.major}.{letter}" if self.major else letter
        self.section_changed = True

    def _roman_section(self, c: str, line: str) -> bool:
        """Is the single capital `c` (I, V, X, L) a roman part number rather than a letter?"""
        if line.startswith(c + "."):
            return True
        last_letter = (self.section or "").rpartition(".")[2]
        if (
            len(last_letter) == 1
            and ord(c) == ord(last_letter) + 1
            and not (self.major and self.major == last_letter)
        ):
            return False  # "H" then "I": the letters go on
        if self.major:
            return _roman_index(c.lower()) == (_roman_index(self.major.lower()) or 0) + 1
        return c == "I"

    def _accept_number(self, n: int, rest: str, mode: str) -> bool:
        if n == self.last_op + 1:
            self.section_changed = False
            return True
        if n == 1 and self.section_changed:
            # numbering starts again in a new section (omnibus resolutions)
            self.section_changed = False
            return True
        if self.last_op and self.last_op < n <= self.last_op + 2:
            # a paragraph number lost by OCR: accept a near one when a verb follows
            return bool(match_phrase(rest.strip(), "operative", anywhere=False))
        return False

    def _is_section(
        self, m: re.Match[str], blank: bool, brk: bool, cur: _Draft | None, mode: str
    ) -> bool:
        letter, roman, title = m.group(1), m.group(2), m.group(3)
        if letter and title:
            return False
        if letter and letter in "IVXL" and m.group(0).startswith(letter + "."):
            letter, roman = None, letter  # "I." heads a roman-numbered part
        complete = cur is None or cur.last_char(self.src) in ".;:,"
        if not complete:
            return False
        if roman and m.group(0).startswith(roman + "."):
            # "I." or "II. Implementation …": a numbered heading, blank line or not
            return mode != "preamble" or title is None
        if cur is not None and cur.segs and not (blank or brk or cur.last_char(self.src) in ".;:"):
            return False
        if roman:
            return mode != "preamble" or title is None
        return letter is not None

    def _is_heading(
        self, content: list[tuple[Line, bool, bool]], idx: int, cur: _Draft | None
    ) -> bool:
        """An unnumbered heading line between paragraphs ("Partnerships and support mechanisms")."""
        _, blank, brk = content[idx]
        # a number alone on its line opens an empty paragraph: its text comes next
        if cur is None or not cur.segs or cur.last_char(self.src) not in ".;:":
            return False
        if not (blank or brk):
            return False
        for j in range(idx, min(len(content), idx + 3)):
            t = content[j][0].text
            if (
                len(t) > 100
                or re.sub(r"(?<=\D)\d{1,3}$", "", t)[-1:] in ".,;:"
                or not t[0].isupper()
            ):
                return False
            if j + 1 < len(content):
                nxt, nxt_blank, _ = content[j + 1]
                m = OP_NUMBER_RE.match(nxt.text)
                if m and int(m.group(1)) == self.last_op + 1:
                    return True
                # a sub-section follows: its letter or roman number alone, or its preamble
                sec = SECTION_RE.match(nxt.text)
                if (sec and sec.group(3) is None) or self._section_preamble(nxt, nxt_blank, cur):
                    return True
        return False

    def _section_preamble(self, ln: Line, blank: bool, cur: _Draft | None) -> bool:
        """Does this unnumbered line, after a complete paragraph, open a preambular one?"""
        t = ln.text
        # a paragraph starts after a blank line or a tab, or on an indented line in text
        # that prints one line a paragraph (ODS with spaces for tabs)
        if not t[0].isupper() or not (blank or not self.blank_separated or ln.indent):
            return False
        if cur is None or not cur.segs or cur.last_char(self.src) not in ".;":
            return False
        pm = match_phrase(t, "preambular", anywhere=False)
        return pm is not None and pm.start == 0 and _concept_kind(pm.concept) == "preambular"

    def _new_pp(self, ln: Line, blank: bool, brk: bool, prev: _Draft) -> bool:
        t = ln.text
        if not t[0].isupper():
            return False
        ends = prev.last_char(self.src) in ",;:."
        if ends or (blank and not brk):
            # an unknown "-ing"/"-ed" word opens a paragraph only where a blank line (or the
            # ODS tab) could have said so: in blank-separated text it is a wrapped line
            # ("Illegal," / "Unreported and Unregulated Fishing")
            guessed = bool(_ING_ED_RE.match(t)) and (blank or not self.blank_separated)
            # the phrase is looked up only when it can decide (the cheap guess first)
            if guessed or match_phrase(t, "preambular", anywhere=False) is not None:
                return True
        return bool(blank and not brk and ends and prev.last_char(self.src) in ",;")

    def _sub(
        self,
        para: _Draft,
        cur: _Draft | None,
        label: str,
        ln: Line,
        off: int,
        content: list[tuple[Line, bool, bool]],
        idx: int,
        subs: list[int],
        annex: int | None,
    ) -> _Draft:
        """Open a sub-item `(label)` under the right parent."""
        letter_parent = next((c for c in reversed(para.children) if c.level == 1), None)
        roman_parent = (
            next((c for c in reversed(letter_parent.children) if c.level == 2), None)
            if letter_parent is not None
            else next((c for c in reversed(para.children) if c.level == 2), None)
        )
        last_letter = letter_parent.number if letter_parent else None
        # the next sub-item marker of this paragraph, to tell (i) the letter from (i) the roman
        nxt = None
        later = [j for j in subs if j > idx]
        if later:
            j = later[0]
            between = content[idx + 1 : j]
            if not any(OP_NUMBER_RE.match(x[0].text) for x in between):
                mm = SUB_ITEM_RE.match(content[j][0].text)
                nxt = mm.group(1) if mm else None
        last_roman = roman_parent.number if roman_parent else None
        level = self._level(label, last_letter, last_roman, nxt)
        if label.isdigit() and level == 2:
            label = _ROMANS[int(label) - 1] if 0 < int(label) <= len(_ROMANS) else label
        if level == 1:
            parent = para
        elif level == 2:
            parent = letter_parent or para
        else:
            parent = roman_parent or letter_parent or para
        kind: ClauseKind = "annex" if annex is not None else "subparagraph"
        d = _Draft(
            kind,
            label,
            len(parent.children) + 1,
            f"{parent.key}/{label}",
            parent,
            self.section,
            ln.start + off,
            level=level,
        )
        parent.children.append(d)
        return d

    @staticmethod
    def _level(label: str, last_letter: str | None, last_roman: str | None, nxt: str | None) -> int:
        """1 for a letter, 2 for a roman number, 3 for a digit (unless OCR's "(1)" for "(i)")."""
        if label.isdigit():
            if label == "1" and nxt == "ii":
                return 2
            if last_roman == "i" and label == "2":
                return 2
            return 3
        ri = _roman_index(label)
        li = _letter_index(label)
        expected_roman = (_roman_index(last_roman) or 0) + 1 if last_roman else 1
        expected_letter = (_letter_index(last_letter) or 0) + 1 if last_letter else 1
        if ri is not None and li is not None:
            # i, v, x, l, c …: a roman number unless it is the next letter and the
            # sequence goes on with letters
            if li == expected_letter and ri != expected_roman:
                return 1
            if li == expected_letter and ri == expected_roman:
                if nxt is not None and _roman_index(nxt) == ri + 1:
                    return 2
                return 1 if last_letter and expected_letter > 1 and nxt != "ii" else 2
            return 2
        if ri is not None:
            return 2
        return 1


def _rekey(d: _Draft, key: str) -> None:
    d.key = key
    for c in d.children:
        _rekey(c, f"{key}/{c.number}")


def _concept_kind(concept: str) -> str:
    for c in load_clause_phrases().concepts:
        if c.id == concept:
            return c.kind
    return "operative"


def _roman_value(s: str) -> int:
    return _roman_index(s.lower()) or 1


# --- markers, texts and phrases ----------------------------------------------------

_STOP_PREV = _words(
    """from to and or of on in at by between than paragraph paragraphs para paras article articles
    resolution resolutions decision decisions chapter chapters section sections annex annexes
    vol vols no nos page pages p pp rule rules item items goal goals target targets principle
    principles session sessions part parts protocol figure table about over under least some
    nearly almost approximately only all every first last next these those the a an with
    recommendation recommendations option options step steps phase level levels grade
    regulation regulations"""
)
_STOP_NEXT = _words(
    """january february march april may june july august september october november december
    per percent million millions billion billions years year days day months month weeks week
    hours per cent times members persons people states countries % to and/or or"""
)


# how much a place looks like a footnote marker (the best-scoring increasing assignment wins)
_GLUED = 6  # "Declaration7", "Rights,1", "(2023)1"
_YEAR = 4  # "202316": a year and marker 16
_SPACED_PUNCT = 4  # "Rules), 4", "Future. 16"
_SPACED_WORD = 2  # "Development 5 and"
_ACRONYM = 2  # "MONUC1" could also be a name such as "G20"
_SLASH = 2  # "74/1673": resolution 74/167 and marker 3
_DIGITS = 1  # "Agenda 216", "1/CP.1330": any number with a marker glued to it

_CLOSERS = ',.;:)]’”"»'

_DATE_END_RE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{4},$"
)
"""A date just before a spaced marker: `of 5 December 1994, 1` (the marker follows the comma)."""


_YEAR_COMMA_RE = re.compile(r"(?<![\d,.])\d{4},$")
"""Four digits and a comma before a number: not a thousands group (`Convention, 2004,105`)."""

_NOT_A_PAGE_END_RE = re.compile(r"\s+[A-Z]|\s*$")
_SESSION_SLASH_RE = re.compile(r"\b(?:\d{1,3}|[IVXL]{1,6})/$")
_YEAR_START_RE = re.compile(r"(?:1[89]|20)\d\d")


def _end_of_words(text: str, j: int) -> int:
    """The end of the last word character (`\\w`) in text[:j], 0 if none."""
    while j and not (text[j - 1].isalnum() or text[j - 1] == "_"):
        j -= 1
    return j


def _last_word_before(text: str, j: int) -> str | None:
    """`re.search(r"([A-Za-z]+)\\W*$", text[:j]).group(1)` without a scan of the prefix.

    >>> _last_word_before("the Convention), 5", 16), _last_word_before("of 1994, ", 9)
    ('Convention', None)
    """
    e = _end_of_words(text, j)
    k = e
    while k and text[k - 1] in _ASCII_LETTERS:
        k -= 1
    return text[k:e] if k < e else None


_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _split_digits(run: str, markers: set[str], max_prefix: int = 3) -> list[int]:
    """Offsets k where run[k:] is a marker glued to the number run[:k]."""
    return [
        k
        for k in range(1, min(len(run), max_prefix + 1))
        if run[k:] in markers and not run[k:].startswith("0")
    ]


_DIGIT_RUN_RE = re.compile(r"\d+")
_ASCII_DIGIT_RUN_RE = re.compile(r"[0-9]+")


def _candidates(text: str, order: int, markers: set[str]) -> list[_Cand]:
    """Places in a clause text where a footnote marker may stand."""
    out: list[_Cand] = []
    if not markers:
        return out  # every case below needs (a tail of) the number to be a marker
    # in ASCII text \d is [0-9], which re scans for faster
    for m in (_ASCII_DIGIT_RUN_RE if text.isascii() else _DIGIT_RUN_RE).finditer(text):
        s, e = m.start(), m.end()
        run = m.group(0)
        before = text[s - 1] if s else ""
        after = text[e] if e < len(text) else ""
        if after and (
            after.isalnum() or after in "/-–%" or (after in ".," and text[e + 1 : e + 2].isdigit())
        ):
            continue
        # CASE 1: glued to a word ("Declaration7"); an all-capital short word may be a name
        if before.isalpha():
            if run in markers:
                j = s
                while j and text[j - 1].isalpha():
                    j -= 1
                word = text[j:s]
                out.append(
                    _Cand(
                        order, s, e, run, _ACRONYM if word.isupper() and len(word) <= 4 else _GLUED
                    )
                )
            continue
        # CASE 2: glued to punctuation ("Rights,1", "(2023)1"), but "8,700" and "1.5" are numbers
        if before in _CLOSERS:
            prev2 = text[s - 2] if s >= 2 else ""
            # "8,700" and "1,250,105" group thousands, but a group before a comma has at
            # most three digits: "Sediments, 2004,105" is a year and marker 105
            if (
                before == ","
                and prev2.isdigit()
                and len(run) == 3
                and not _YEAR_COMMA_RE.search(text, max(0, s - 6), s)
            ):
                continue
            if before == "." and prev2.isdigit() and not _NOT_A_PAGE_END_RE.match(text, e):
                continue
            if run in markers:
                out.append(_Cand(order, s, e, run, _GLUED))
            elif before == "." and len(run) >= 2:
                out.extend(
                    _Cand(order, s + k, e, run[k:], _DIGITS) for k in _split_digits(run, markers)
                )
            continue
        # CASE 3: separated by spaces ("Rules), 4  the", "Development 5 and"), not a quantity
        if before in " \t" and run in markers:
            j = s
            while j and text[j - 1] in " \t":
                j -= 1
            if j and (text[j - 1].isalpha() or text[j - 1] in _CLOSERS):
                # the last word and whether a number ends text[:j] (after non-word characters),
                # read backwards from j: a regex search scanned the whole prefix each time
                pw = _last_word_before(text, j)
                prev_word = pw.lower() if pw else ""
                nw = text[e:].split(maxsplit=1)  # the first word after the number, if any
                next_word = nw[0].lower().strip(",.;:") if nw else ""
                punct = text[j - 1] in _CLOSERS
                # "4, 5": a list of numbers; but "of 5 December 1994, 1" is a date and a marker
                w_end = _end_of_words(text, j)
                num_before = (
                    w_end > 0
                    and text[w_end - 1].isdecimal()
                    and not _DATE_END_RE.search(text[max(0, j - 30) : j])
                )
                if (not punct and prev_word in _STOP_PREV) or next_word in _STOP_NEXT or num_before:
                    continue
                out.append(_Cand(order, s, e, run, _SPACED_PUNCT if punct else _SPACED_WORD))
            continue
        # CASE 4: glued to a resolution number ("74/1673": numbers have one to three digits)
        if before == "/":
            # after "74/" or a roman session ("decision VII/1112": decision VII/11, marker 12)
            if len(run) >= 4 and _SESSION_SLASH_RE.search(text[max(0, s - 8) : s]):
                out.extend(
                    _Cand(order, s + k, e, run[k:], _SLASH) for k in _split_digits(run, markers)
                )
            continue
        # CASE 5: glued to a year ("202316", "2014–20243")
        if len(run) >= 5 and before not in ",." and _YEAR_START_RE.match(run):
            if run[4:] in markers and not run[4:].startswith("0"):
                out.append(_Cand(order, s + 4, e, run[4:], _YEAR))
            continue
        # CASE 6: glued to any other number ("Agenda 216"); a bare year is a year
        if len(run) >= 2 and not _YEAR_START_RE.fullmatch(run):
            out.extend(
                _Cand(order, s + k, e, run[k:], _DIGITS) for k in _split_digits(run, markers)
            )
    return out


def _choose(cands: list[_Cand], order_of: dict[str, list[int]]) -> list[tuple[_Cand, int]]:
    """The assignment of candidates to footnotes, increasing in both, with the best total score.

    A longest-increasing-subsequence style dynamic programme over (place, footnote) pairs,
    with a Fenwick tree for the best chain ending before a footnote: O(n log n).
    """
    items: list[tuple[_Cand, int]] = [(c, k) for c in cands for k in order_of.get(c.marker, [])]
    if not items:
        return []
    items.sort(key=lambda x: (x[0].order, x[0].pos, x[1]))
    size = max(k for _, k in items) + 1
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)  # prefix max of (score, item)

    def query(k: int) -> tuple[int, int]:  # best chain over footnotes 0..k-1
        best = (0, -1)
        while k > 0:
            best = max(best, tree[k])
            k -= k & -k
        return best

    def update(k: int, value: tuple[int, int]) -> None:  # footnote k (0-based)
        k += 1
        while k <= size:
            tree[k] = max(tree[k], value)
            k += k & -k

    score = [0] * len(items)
    back = [-1] * len(items)
    a = 0
    while a < len(items):
        b = a
        place = (items[a][0].order, items[a][0].pos)
        while b < len(items) and (items[b][0].order, items[b][0].pos) == place:
            b += 1
        for i in range(a, b):  # one place is one marker: chains never use it twice
            c, k = items[i]
            prev_score, prev = query(k)
            score[i], back[i] = prev_score + c.score, prev
        for i in range(a, b):
            update(items[i][1], (score[i], i))
        a = b
    i = max(range(len(items)), key=lambda x: (score[x], -x))
    chosen: list[tuple[_Cand, int]] = []
    while i >= 0:
        chosen.append(items[i])
        i = back[i]
    return chosen[::-1]


def _build(src: str, segs: list[tuple[int, int]], exclude: list[Span]) -> tuple[str, TextMap]:
    b = TextBuilder(src)
    for s, e in segs:
        b.add(s, e, exclude=exclude)
    return b.build()


def _finish(
    src: str, drafts: list[_Draft], fns: list[_FnDraft], strict: bool, name: str
) -> tuple[list[Clause], list[Footnote]]:
    raw = [_build(src, d.segs, []) for d in drafts]
    order_of: dict[str, list[int]] = {}
    for k, f in enumerate(fns):
        order_of.setdefault(f.marker, []).append(k)
    cands: list[_Cand] = []
    markers = set(order_of)
    for o, (t, _) in enumerate(raw):
        cands.extend(_candidates(t, o, markers))
    chosen = _choose(cands, order_of)
    per_clause: dict[int, list[FootnoteMarker]] = {}
    anchor: dict[int, tuple[str, Span]] = {}
    for c, k in chosen:
        span = raw[c.order][1].span_to_source(c.pos, c.end)
        per_clause.setdefault(c.order, []).append(FootnoteMarker(c.marker, span))
        anchor[k] = (drafts[c.order].key, span)

    clauses: list[Clause] = []
    for o, d in enumerate(drafts):
        marks = per_clause.get(o, [])
        # without markers to leave out the text is the one built above
        text, tmap = _build(src, d.segs, [m.span for m in marks]) if marks else raw[o]
        kind = "preambular" if d.kind == "preambular" else "operative"
        pm = None
        if d.kind in ("preambular", "operative"):
            pm = match_phrase(text, kind)
        elif d.kind == "subparagraph":
            pm = match_phrase(text, "operative", anywhere=False)
        clauses.append(
            Clause(
                key=d.key,
                kind=d.kind,
                number=d.number,
                position=d.position,
                parent=d.parent.key if d.parent else None,
                phrase=pm.phrase if pm else None,
                phrase_span=tmap.span_to_source(pm.start, pm.end) if pm else None,
                text=text,
                span=Span(d.start, max(d.start, d.end())),
                text_map=tmap,
                markers=tuple(marks),
                section=d.section,
            )
        )
    footnotes: list[Footnote] = []
    seen: dict[str, int] = {}
    for k, f in enumerate(fns):
        text, tmap = _build(src, f.segs, [])
        seen[f.marker] = seen.get(f.marker, 0) + 1
        key = f"fn/{f.marker}" + (f"-{seen[f.marker]}" if seen[f.marker] > 1 else "")
        end = max((s[1] for s in f.segs), default=f.marker_span.end)
        where = anchor.get(k)
        if where is None and strict:
            raise ParseError(f"{name}: no marker found for footnote {f.marker}")
        footnotes.append(
            Footnote(
                key=key,
                marker=f.marker,
                text=text,
                span=Span(f.marker_span.start, end),
                text_map=tmap,
                anchor=where[0] if where else None,
                marker_span=where[1] if where else None,
            )
        )
    return clauses, footnotes


def _make_heading(
    lines: list[Line],
    info: HeadingInfo,
    formula_i: int | None,
    meeting: str | None,
    closed_on: object,
    vote: str | None,
) -> Heading:
    from datetime import date

    formula = lines[formula_i].text if formula_i is not None else None
    formula_span = (
        Span(lines[formula_i].start, lines[formula_i].end) if formula_i is not None else None
    )
    organ = info.organ
    if formula is not None:
        fm = FORMULA_RE.match(formula)
        if fm:
            organ = fm.group(1)
    title_span = None
    if info.title_lines:
        first = lines[info.title_lines[0]]
        nm = NUMBER_LINE_RE.match(first.text)
        s = first.start + (nm.start("title") if nm and nm.group("title") else 0)
        title_span = Span(s, lines[info.title_lines[-1]].end)
    adopted = info.adopted or (closed_on if isinstance(closed_on, date) else None)
    return Heading(
        symbol=info.symbol,
        number=info.number,
        title=info.title,
        organ=organ,
        adopted=adopted,
        meeting=info.meeting or meeting,
        session=info.session
        if (info.symbol or "").startswith("A/") or organ == "General Assembly"
        else None,
        agenda_items=info.agenda_items,
        committee=info.committee,
        committee_report=info.committee_report,
        report_paragraph=info.report_paragraph,
        draft=info.draft,
        distributed=info.distributed,
        job_number=info.job_number,
        formula=formula,
        formula_span=formula_span,
        vote=info.vote or vote,
        title_span=title_span,
    )
