"""Canonical symbols and IRIs: the one place that mints identifiers.

Symbols are normalised the way undocs.org writes them (no spaces, part
letters appended, old GA sessions and SC years in parentheses); see
DESIGN.md §2 and https://research.un.org/en/docs/symbols.
IRIs are deterministic: the same symbol always gives the same IRI, so a
resolution cited by one document and parsed from its own text is one node.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

DEFAULT_BASE = "https://w3id.org/resgraph/id/"

# characters kept as they are in an IRI path (RFC 3987 sub-delims and path chars)
_SAFE = "/()!$&'*+,;=:@.-_~"


# The IRI functions are pure and a build meets the same symbols, keys and bases over and
# over (a document's own symbol in every clause IRI, the much-cited resolutions in every
# document): bounded caches keep `quote` and the normalisation out of the mapping's loop.
_CACHE_SIZE = 8192


@lru_cache(maxsize=_CACHE_SIZE)
def _quote(path: str) -> str:
    return quote(path, safe=_SAFE)


def _iri(base: str, path: str) -> str:
    return base + _quote(path)


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_symbol(symbol: str) -> str:
    """A UN document symbol without spaces, as undocs.org writes it.

    >>> normalise_symbol(" A/RES/61/250 C ")
    'A/RES/61/250C'
    >>> normalise_symbol("S/RES/1325 (2000)")
    'S/RES/1325(2000)'
    >>> normalise_symbol("A/C.3/67/L.60/Rev.1")
    'A/C.3/67/L.60/Rev.1'
    """
    s = unicodedata.normalize("NFKC", symbol)
    s = s.replace("\u2011", "-").replace("\u2010", "-")
    return re.sub(r"\s+", "", s)


def ga_resolution_symbol(number: str, session: str, part: str | None = None) -> str:
    """Symbol of a General Assembly resolution from its printed parts.

    Sessions written in Roman numerals (before 1976) go in parentheses after
    the number; the part letter is appended without a space.

    >>> ga_resolution_symbol("172", "66")
    'A/RES/66/172'
    >>> ga_resolution_symbol("240", "66", "A")
    'A/RES/66/240A'
    >>> ga_resolution_symbol("217", "III")
    'A/RES/217(III)'
    >>> ga_resolution_symbol("1874", "S-IV")
    'A/RES/1874(S-IV)'
    """
    if session.isdigit():
        return f"A/RES/{int(session)}/{int(number)}{part or ''}"
    return f"A/RES/{int(number)}({session.upper()})"


def ga_component_symbol(number: str, session: str, part: str) -> str:
    """Symbol of a lettered part of an old GA resolution ("217 A (III)").

    The component is a node of its own, `eli:is_part_of` the work
    `A/RES/217(III)` (DESIGN.md §2).

    >>> ga_component_symbol("217", "III", "A")
    'A/RES/217(III)A'
    """
    return f"{ga_resolution_symbol(number, session)}{part.upper()}"


def sc_resolution_symbol(number: str, year: str) -> str:
    """Security Council resolution symbol.

    >>> sc_resolution_symbol("1325", "2000")
    'S/RES/1325(2000)'
    """
    return f"S/RES/{int(number)}({year})"


def ecosoc_resolution_symbol(year: str, number: str) -> str:
    """ECOSOC resolution symbol.

    >>> ecosoc_resolution_symbol("2011", "33")
    'E/RES/2011/33'
    """
    return f"E/RES/{year}/{int(number)}"


@lru_cache(maxsize=_CACHE_SIZE)
def slug(text: str) -> str:
    """A lower-case ASCII slug for names of organs and minted treaties.

    >>> slug("Commission on Crime Prevention and Criminal Justice")
    'commission-on-crime-prevention-and-criminal-justice'
    >>> slug("Côte d’Ivoire")
    'cote-d-ivoire'
    """
    # accents drop (combining marks), any other non-ASCII char separates words
    ascii_ = "".join(
        c if c.isascii() else ("" if unicodedata.combining(c) else "-")
        for c in unicodedata.normalize("NFKD", text)
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


@lru_cache(maxsize=_CACHE_SIZE)
def document_iri(symbol: str, base: str = DEFAULT_BASE) -> str:
    """IRI of a resolution or other UN document, from its normalised symbol alone.

    >>> document_iri("A/RES/70/1")
    'https://w3id.org/resgraph/id/doc/A/RES/70/1'
    >>> document_iri("A/RES/217(III)A")
    'https://w3id.org/resgraph/id/doc/A/RES/217(III)A'
    """
    return _iri(base, "doc/" + normalise_symbol(symbol))


# a resolution is a document whose IRI comes from its symbol
resolution_iri = document_iri


def clause_iri(symbol: str, key: str, base: str = DEFAULT_BASE) -> str:
    """IRI of a clause ("pp/3", "op/6", "op/6/a") or footnote ("fn/2") of a document.

    >>> clause_iri("A/RES/70/1", "op/6/a")
    'https://w3id.org/resgraph/id/doc/A/RES/70/1/op/6/a'
    """
    return document_iri(symbol, base) + "/" + _quote(key)


footnote_iri = clause_iri


def citation_iri(symbol: str, n: int, base: str = DEFAULT_BASE) -> str:
    """IRI of the n-th citation occurrence (1-based, in reading order) of a document.

    >>> citation_iri("A/RES/70/1", 3)
    'https://w3id.org/resgraph/id/doc/A/RES/70/1/cit/3'
    """
    return document_iri(symbol, base) + f"/cit/{n}"


def graph_iri(symbol: str, base: str = DEFAULT_BASE) -> str:
    """IRI of the named graph that holds one source document's triples.

    >>> graph_iri("A/RES/70/1")
    'https://w3id.org/resgraph/id/graph/A/RES/70/1'
    """
    return _iri(base, "graph/" + normalise_symbol(symbol))


def treaty_iri(treaty_id: str, base: str = DEFAULT_BASE) -> str:
    """IRI of a treaty, from its register id (or a minted "unts-<vol>-<no>" id).

    >>> treaty_iri("untoc")
    'https://w3id.org/resgraph/id/treaty/untoc'
    """
    return _iri(base, "treaty/" + treaty_id)


def unts_volume_iri(volume: int, base: str = DEFAULT_BASE, series: str = "UNTS") -> str:
    """IRI of a volume of the United Nations (or League of Nations) Treaty Series.

    >>> unts_volume_iri(1577)
    'https://w3id.org/resgraph/id/unts/vol/1577'
    >>> unts_volume_iri(94, series="LNTS")
    'https://w3id.org/resgraph/id/lnts/vol/94'
    """
    return _iri(base, f"{series.lower()}/vol/{int(volume)}")


@lru_cache(maxsize=_CACHE_SIZE)
def organ_iri(name: str, base: str = DEFAULT_BASE) -> str:
    """IRI of a UN organ or body, from its name.

    >>> organ_iri("General Assembly")
    'https://w3id.org/resgraph/id/organ/general-assembly'
    """
    return _iri(base, "organ/" + slug(name))


@lru_cache(maxsize=_CACHE_SIZE)
def undocs_url(symbol: str) -> str:
    """The undocs.org address of a symbol (rdfs:seeAlso).

    >>> undocs_url("S/RES/1325(2000)")
    'https://undocs.org/S/RES/1325(2000)'
    """
    return "https://undocs.org/" + _quote(normalise_symbol(symbol))


def organ_of_symbol(symbol: str) -> str | None:
    """The organ whose series a resolution symbol belongs to, if known.

    >>> organ_of_symbol("E/CN.15/RES/20/3")
    'Commission on Crime Prevention and Criminal Justice'
    >>> organ_of_symbol("A/67/458") is None
    True
    """
    for prefix, organ in _RESOLUTION_SERIES:
        if symbol.startswith(prefix):
            return organ
    return None


# series prefix -> body; longest prefixes first (checked in order)
_RESOLUTION_SERIES: tuple[tuple[str, str], ...] = (
    ("A/HRC/RES/", "Human Rights Council"),
    ("E/CN.15/RES/", "Commission on Crime Prevention and Criminal Justice"),
    ("E/CN.7/RES/", "Commission on Narcotic Drugs"),
    ("E/CN.6/RES/", "Commission on the Status of Women"),
    ("E/CN.4/RES/", "Commission on Human Rights"),
    ("A/RES/", "General Assembly"),
    ("S/RES/", "Security Council"),
    ("E/RES/", "Economic and Social Council"),
)
