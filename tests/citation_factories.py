"""Small factories for citation tests: build a Resolution by hand, without the segmenter.

Clause texts mark footnote markers as `{2}`: the marker is removed from the
clause text (as the segmenter does) but kept in the source text, so spans and
text maps are realistic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from resgraph.model import (
    Clause,
    Footnote,
    FootnoteMarker,
    Heading,
    Resolution,
    SourceText,
    Span,
    TextMap,
)

_MARK_RE = re.compile(r"\{(\w+)\}")


def document(
    clauses: Sequence[str],
    footnotes: dict[str, str] | None = None,
    *,
    symbol: str | None = "A/RES/99/1",
    organ: str | None = "General Assembly",
) -> Resolution:
    """A resolution whose preambular paragraphs are `clauses` and footnotes `footnotes`."""
    source = ""
    built: list[Clause] = []
    for i, raw in enumerate(clauses, start=1):
        start = len(source)
        text, pieces, markers = "", [], []
        pos = 0
        for m in _MARK_RE.finditer(raw):
            chunk = raw[pos : m.start()]
            if chunk:
                pieces.append((len(text), len(source), len(chunk)))
            text += chunk
            source += chunk
            markers.append(
                FootnoteMarker(m.group(1), Span(len(source), len(source) + len(m.group(1))))
            )
            source += m.group(1)
            pos = m.end()
        chunk = raw[pos:]
        if chunk:
            pieces.append((len(text), len(source), len(chunk)))
        text += chunk
        source += chunk
        key = f"pp/{i}"
        built.append(
            Clause(
                key=key,
                kind="preambular",
                number=str(i),
                position=i,
                parent=None,
                phrase=None,
                phrase_span=None,
                text=text,
                span=Span(start, len(source)),
                text_map=TextMap(tuple(pieces)),
                markers=tuple(markers),
            )
        )
        source += "\n"
    notes: list[Footnote] = []
    for marker, body in (footnotes or {}).items():
        source += f"{marker} "
        start = len(source)
        source += body + "\n"
        anchor = next((c for c in built for mk in c.markers if mk.marker == marker), None)
        notes.append(
            Footnote(
                key=f"fn/{marker}",
                marker=marker,
                text=body,
                span=Span(start, start + len(body)),
                text_map=TextMap.identity(start, len(body)),
                anchor=anchor.key if anchor else None,
                marker_span=next(
                    (mk.span for mk in (anchor.markers if anchor else ()) if mk.marker == marker),
                    None,
                ),
            )
        )
    src = SourceText("<test>", source, "text", "utf-8", "")
    return Resolution(
        source=src,
        layout="unknown",
        heading=Heading(symbol=symbol, organ=organ),
        clauses=tuple(built),
        footnotes=tuple(notes),
    )
