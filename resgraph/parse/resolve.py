"""Stage 2c: give every citation its instrument.

- footnote binding: a citation found in a footnote body belongs to the clause
  that carries the footnote's marker (`Footnote.anchor`);
- "Ibid.": with "vol. N, No. M" it inherits the previous footnote's Treaty
  Series and overrides the volume; bare, it repeats the previous footnote's
  targets;
- treaties: a name right before a footnote marker is bound to the Treaty
  Series references of that footnote; "the Protocols thereto" expands to the
  instruments of its footnote, or to the protocols the register lists for the
  convention named before it;
- every cited treaty becomes an `Instrument` (registered, or minted from its
  Treaty Series volume); what cannot be tied to an instrument is kept as
  `Unresolved`, never dropped (`strict=True` raises `ParseError` instead).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from resgraph.errors import ParseError
from resgraph.model import (
    Citation,
    Clause,
    Footnote,
    FootnoteMarker,
    Instrument,
    Resolution,
    Unresolved,
    UntsRef,
)
from resgraph.parse.cite import (
    minted_treaty_id,
    patterns,
    register,
    treaty_id_of,
    unts_refs,
)

# provisional targets set by find_citations
_IBID = "ibid"
_THERETO = "thereto"
_GENERIC = "treaty-generic"
_DESCRIPTOR = "treaty-descriptor"  # "Additional Protocol I": a name only with its footnote


def _unresolved(c: Citation, reason: str) -> Unresolved:
    return Unresolved(c.text, c.span, reason, c.clause, c.footnote)


def _bind_footnotes(res: Resolution, cits: list[Citation]) -> list[Citation]:
    """A citation in a footnote body belongs to the clause carrying the marker."""
    anchor = {f.key: f.anchor for f in res.footnotes}
    return [
        replace(c, clause=anchor[c.footnote])
        if c.footnote in anchor and c.clause != anchor[c.footnote]
        else c
        for c in cits
    ]


def _ibid_refs(c: Citation, inherit: UntsRef) -> list[UntsRef]:
    """The Treaty Series references of an "Ibid., vol. N, No. M" citation's own text."""
    m = patterns()["ibid"].regexes[0].match(c.text)
    if m is None:
        return []
    refs, _ = unts_refs(c.text, m.end(), inherit.series, inherit)
    return refs


def _resolve_ibid(
    res: Resolution, cits: list[Citation], unresolved: list[Unresolved]
) -> list[Citation]:
    """Replace each "Ibid." by what the previous footnote cited."""
    by_fn: dict[str, list[Citation]] = {}
    for c in cits:
        if c.footnote is not None:
            by_fn.setdefault(c.footnote, []).append(c)
    replaced: dict[int, list[Citation]] = {}
    previous: list[Citation] = []
    for i, fn in enumerate(res.footnotes):
        resolved_here: list[Citation] = []
        for c in by_fn.get(fn.key, []):
            if c.target != _IBID:
                resolved_here.append(c)
                continue
            # "…, vol. 2131, No. 20378; ibid., vol. …": an ibid. after another reference
            # in the same footnote repeats that one, else the previous footnote
            new = _expand_ibid(c, resolved_here or previous)
            if not new:
                # a footnote before it that cites no identifiable instrument ("Report of the
                # World Summit …, Sales No. …") is an antecedent we cannot name
                reason = "ibid-antecedent-not-identified" if i else "ibid-without-antecedent"
                unresolved.append(_unresolved(c, reason))
            replaced[id(c)] = new
            resolved_here += new
        previous = resolved_here
    out: list[Citation] = []
    for c in cits:
        out += replaced.get(id(c), [c])
    return out


def _expand_ibid(c: Citation, previous: Sequence[Citation]) -> list[Citation]:
    if c.kind == "treaty":
        inherit = next((u for p in reversed(previous) for u in reversed(p.unts)), None)
        if inherit is None:
            return []
        return [
            replace(c, target=treaty_id_of(ref), unts=(ref,), pattern="ibid")
            for ref in _ibid_refs(c, inherit)
        ]
    return [
        replace(
            c,
            kind=p.kind,
            target=p.target,
            work=p.work,
            organ=p.organ,
            date=p.date,
            title=p.title,
            unts=p.unts,
            pattern="ibid",
        )
        for p in previous
    ]


def _footnote_of(res: Resolution, clause: Clause, mk: FootnoteMarker) -> Footnote | None:
    candidates = [f for f in res.footnotes if f.marker == mk.marker]
    for f in candidates:
        if f.marker_span == mk.span:
            return f
    for f in candidates:
        if f.anchor == clause.key:
            return f
    return candidates[0] if candidates else None


def _marker_after(res: Resolution, clause: Clause, c: Citation) -> Footnote | None:
    """The footnote whose marker follows the cited name, with only punctuation between."""
    gap = patterns()["marker-gap"].regexes[0]
    text = res.source.text
    for mk in clause.markers:
        if mk.span.start >= c.span.end and gap.fullmatch(text, c.span.end, mk.span.start):
            return _footnote_of(res, clause, mk)
    return None


_PROVISIONAL = (_GENERIC, _DESCRIPTOR, _THERETO)

_NAME_SERIES_GAP_RE = re.compile(r"[\s,;:(]*")
"""Between a name in a footnote and its own Treaty Series reference: 'Agreement … (United …'."""


def _in_footnote(
    res: Resolution,
    c: Citation,
    cits: Sequence[Citation],
    unresolved: list[Unresolved],
    labels: dict[str, str],
) -> list[Citation]:
    """A generic name or 'the Protocols thereto' written inside a footnote body."""
    text = res.source.text
    here = [d for d in cits if d.footnote == c.footnote and d is not c]
    if c.target in (_GENERIC, _DESCRIPTOR):
        # "Agreement between … (United Nations, Treaty Series, vol. 1651, No. 1061)"
        after = [d for d in here if d.unts and d.span.start >= c.span.end]
        first = min((d.span.start for d in after), default=None)
        if first is not None and _NAME_SERIES_GAP_RE.fullmatch(text, c.span.end, first):
            bound = [d for d in after if d.span.start == first]
            for b in bound:
                labels.setdefault(b.target, c.text)
            return [replace(c, target=b.target, unts=b.unts) for b in bound]
        if c.target == _GENERIC:
            unresolved.append(_unresolved(c, "treaty-without-series-reference"))
        return []
    reg = register()
    named = [d for d in here if d.span.end <= c.span.start and reg.get(d.target) is not None]
    entry = reg.get(named[-1].target) if named else None
    if entry is None:
        unresolved.append(_unresolved(c, "protocols-without-antecedent"))
        return []
    if not entry.protocols:
        unresolved.append(_unresolved(c, "protocols-not-in-register"))
        return []
    return [replace(c, target=p) for p in entry.protocols]


def _collective_marker(
    res: Resolution, clause: Clause, c: Citation, cits: Sequence[Citation]
) -> Footnote | None:
    """'… Organized Crime and the Protocols thereto,8': the marker after a collective
    reference carries the convention named before it too."""
    text = res.source.text
    for d in cits:
        if d.target != _THERETO or d.clause != c.clause or d.footnote is not None:
            continue
        if d.span.start >= c.span.end and _COLLECTIVE_GAP_RE.fullmatch(
            text, c.span.end, d.span.start
        ):
            return _marker_after(res, clause, d)
    return None


_COLLECTIVE_GAP_RE = re.compile(r"(?<!\s)(?:\s*+,)?\s++and\s++")
r"""Between a convention's name and 'the Protocols thereto' of a collective reference.

Same language as `\s*,?\s+and\s+`, but possessive and starting only where a blank run starts
(the gap follows a name), so a long blank run is not rescanned from each of its positions."""


def _bind_treaties(
    res: Resolution,
    cits: list[Citation],
    unresolved: list[Unresolved],
    labels: dict[str, str],
) -> list[Citation]:
    """Bind treaty names to their footnotes' Treaty Series references; expand collectives."""
    reg = register()
    fn_treaties: dict[str, list[Citation]] = {}
    for c in cits:
        if c.footnote is not None and c.kind == "treaty" and c.unts:
            fn_treaties.setdefault(c.footnote, []).append(c)
    out: list[Citation] = []
    last_treaty: dict[str | None, str] = {}  # clause -> last registered treaty named in it
    last_anywhere: str | None = None
    for c in cits:
        if c.kind == "treaty" and c.footnote is not None and c.target in _PROVISIONAL:
            out += _in_footnote(res, c, cits, unresolved, labels)
            continue
        if c.kind != "treaty" or c.footnote is not None or c.target == _IBID:
            out.append(c)
            continue
        clause = res.clause(c.clause) if c.clause else None
        fn = _marker_after(res, clause, c) if clause is not None else None
        if fn is None and clause is not None and c.target not in _PROVISIONAL:
            fn = _collective_marker(res, clause, c, cits)
        # a name bound to its footnote's Treaty Series references was carried by that
        # footnote (rg:viaFootnote): its citation records the footnote and the volumes
        fn_key = fn.key if fn is not None else None
        bound = fn_treaties.get(fn_key, []) if fn_key is not None else []
        if c.target == _THERETO:
            if bound:
                out += [replace(c, target=b.target, unts=b.unts, footnote=fn_key) for b in bound]
                continue
            antecedent = last_treaty.get(c.clause, last_anywhere)
            entry = reg.get(antecedent) if antecedent else None
            if entry is None:
                unresolved.append(_unresolved(c, "protocols-without-antecedent"))
            elif not entry.protocols:
                unresolved.append(_unresolved(c, "protocols-not-in-register"))
            else:
                out += [replace(c, target=p) for p in entry.protocols]
            continue
        if c.target in (_GENERIC, _DESCRIPTOR):
            if not bound:
                # descriptors alone ("the Additional Protocols") are no name: like "the
                # Convention", they are not a reference left unresolved
                if c.target == _GENERIC:
                    unresolved.append(_unresolved(c, "treaty-without-series-reference"))
                continue
            for b in bound:
                labels.setdefault(b.target, c.text)
                out.append(replace(c, target=b.target, unts=b.unts, footnote=fn_key))
            continue
        # a registered name: keep its target, record the references that bound it
        refs = tuple(u for b in bound if b.target == c.target for u in b.unts)
        if bound and not refs and all(reg.get(b.target) is None for b in bound):
            # the footnote's volume is not in the register: trust the footnote
            refs = tuple(u for b in bound for u in b.unts)
        out.append(replace(c, unts=refs, footnote=fn_key) if refs else c)
        if reg.get(c.target) is not None:
            last_treaty[c.clause] = c.target
            last_anywhere = c.target
    return out


def _instruments(cits: Sequence[Citation], labels: dict[str, str]) -> tuple[Instrument, ...]:
    reg = register()
    seen: dict[str, Instrument] = {}
    for c in cits:
        if c.kind != "treaty" or c.target in seen:
            continue
        entry = reg.get(c.target)
        if entry is not None:
            seen[c.target] = Instrument(
                id=entry.id,
                label=entry.name,
                short_name=entry.short_names[0] if entry.short_names else None,
                unts=entry.unts,
                adopted_by=entry.adopted_by,
                annex=entry.annex,
                in_register=True,
            )
        else:
            refs = tuple(dict.fromkeys(u for d in cits if d.target == c.target for u in d.unts))
            label = labels.get(c.target) or (
                c.text if c.pattern != "unts-reference" else _series_label(refs)
            )
            seen[c.target] = Instrument(id=c.target, label=label, unts=refs)
    return tuple(seen.values())


def _series_label(refs: Sequence[UntsRef]) -> str:
    if not refs:
        return "treaty"
    r = refs[0]
    vol = r.volume_as_printed or str(r.volume)
    no = f", No. {r.number}" if r.number else ""
    page = f", p. {r.page}" if r.page is not None else ""
    return f"{r.series} vol. {vol}{page}{no}"


def resolve_citations(res: Resolution, *, strict: bool = False) -> Resolution:
    """Stage 2c: footnote binding, "Ibid." chains, treaties and the instruments cited.

    Lenient by default: what cannot be resolved goes to `res.unresolved`
    (kept and counted). `strict=True` raises `ParseError` naming the first one.
    """
    unresolved = list(res.unresolved)
    labels: dict[str, str] = {}
    cits = _bind_footnotes(res, list(res.citations))
    cits = _resolve_ibid(res, cits, unresolved)
    cits = _bind_treaties(res, cits, unresolved, labels)
    if strict and unresolved:
        u = unresolved[0]
        raise ParseError(
            f"{res.source.name}: {len(unresolved)} unresolved reference(s); first: "
            f"{u.text!r} at {u.span.start}..{u.span.end} ({u.reason})"
        )
    return replace(
        res,
        citations=tuple(cits),
        instruments=_instruments(cits, labels),
        unresolved=tuple(unresolved),
    )


__all__ = ["minted_treaty_id", "resolve_citations"]
