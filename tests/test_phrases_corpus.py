"""Every opening phrase of the AKN4UN resolutions in tests/data is in the phrase vocabulary.

The AKN4UN markup of GA session 75 marks each preambular paragraph as a
`<container name="…">` in `<preamble>` and each operative paragraph as a
`<paragraph>` in `<mainBody>` whose text opens with the phrase in italics.
For every distinct phrase seen (English documents only), the phrase matcher
(`resgraph.parse.segment.match_phrase`) must recognise the paragraph's opening
and name a concept whose head word is the phrase's own — "Recalling also"
under rgp:recalling, "Further requests" under rgp:requests.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from conftest import TEST_DATA_DIR

from resgraph.parse.segment import load_clause_phrases, match_phrase

AKN_DIR = TEST_DATA_DIR / "akn4un" / "ga75"
AKN = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"


@dataclass(frozen=True)
class Seen:
    kind: str  # "preambular" | "operative"
    phrase: str  # the italic opening as marked up
    text: str  # the first paragraph that opens with it
    source: str  # its file


def _text(e: ET.Element) -> str:
    return " ".join("".join(e.itertext()).split())


def _opening(p: ET.Element) -> str | None:
    """The italic span that opens a paragraph, if it opens it."""
    first = p.find(f"{AKN}span")
    if first is None or first.get("class") != "italic" or (p.text or "").strip():
        return None
    return " ".join("".join(first.itertext()).split()) or None


def _english(root: ET.Element) -> bool:
    lang = root.find(f".//{AKN}FRBRExpression/{AKN}FRBRlanguage")
    return lang is None or lang.get("language") == "eng"


def _paragraphs(root: ET.Element) -> Iterator[tuple[str, ET.Element]]:
    preamble = root.find(f".//{AKN}preamble")
    if preamble is not None:
        for c in preamble.iter(f"{AKN}container"):
            p = c.find(f"{AKN}p")
            if p is not None and c.get("name"):
                yield "preambular", p
    body = root.find(f".//{AKN}mainBody")
    if body is not None:
        for para in body.iter(f"{AKN}paragraph"):
            content = para.find(f"{AKN}content")
            p = content.find(f"{AKN}p") if content is not None else None
            # table notes ("Abbreviations: …") are marked up as paragraphs too
            if p is not None and para.get("class") != "FootnoteText":
                yield "operative", p


@cache
def seen_phrases() -> tuple[Seen, ...]:
    """Each distinct (kind, phrase) of the corpus with its first paragraph."""
    seen: dict[tuple[str, str], Seen] = {}
    for path in sorted(AKN_DIR.glob("*.xml")):
        root = ET.parse(path).getroot()  # local test data: no entities, no DTD
        if not _english(root):
            continue
        for kind, p in _paragraphs(root):
            phrase = _opening(p)
            if phrase:
                seen.setdefault((kind, phrase), Seen(kind, phrase, _text(p), path.name))
    return tuple(seen[k] for k in sorted(seen))


def _head(phrase: str) -> str:
    """The first word that is not an adverb ("Also recalls" -> "recalls")."""
    adverbs = {w for a in load_clause_phrases().adverbs for w in a}
    words = [w.strip(",;:").casefold() for w in phrase.replace("’", "'").split()]
    return next((w for w in words if w and w not in adverbs), "")


SEEN = seen_phrases() if AKN_DIR.is_dir() else ()


def test_the_corpus_has_phrases() -> None:
    assert len(SEEN) > 300
    assert {s.kind for s in SEEN} == {"preambular", "operative"}


@pytest.mark.parametrize("seen", SEEN, ids=[f"{s.kind}:{s.phrase}" for s in SEEN])
def test_phrase_is_recognised(seen: Seen) -> None:
    match = match_phrase(seen.text, seen.kind, anywhere=False)
    assert match is not None, f"{seen.source}: no concept for {seen.phrase!r}: {seen.text[:80]}"
    assert _head(match.phrase) == _head(seen.phrase), (seen.source, match.phrase, seen.phrase)
    concept = next(c for c in load_clause_phrases().concepts if c.id == match.concept)
    assert concept.relation
