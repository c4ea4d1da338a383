"""Stage 1 — read: a file (or bytes) in, a `SourceText` out.

Decoding never guesses silently (DESIGN.md §1, §6): UTF-8 with or without
a BOM, UTF-16 with a BOM, and cp1252 only when the caller asks for it.
Line endings are normalised to LF; the offsets of the characters removed are
kept so a span can be mapped back to the file as it was.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from .errors import InputError
from .model import SourceFormat, SourceText

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a long resolution with annexes is < 1 MB

# ASCII controls that never occur in a text export (tab, LF, CR and form
# feed do); a file full of them is binary even without NUL bytes.
_BINARY_CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}
# the same characters as one class: counted by the regex engine, not char by char in Python
_BINARY_CONTROLS_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(_BINARY_CONTROLS)) + "]"
)


def read_source(
    path: str | Path,
    *,
    data: bytes | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SourceText:
    """Read one input and return its decoded, line-normalised text.

    Args:
        path: the file to read, or the name to report when `data` is given.
        data: the raw bytes, when they do not come from a file (stdin).
        encoding: force a codec ("cp1252" for Windows-1252 files).
        max_bytes: refuse larger inputs (the cap is configurable).

    Raises:
        InputError: empty, too large, binary, undecodable input — the
            message names the input and the problem in one line.
    """
    name = str(path)
    if data is None:
        try:
            size = Path(path).stat().st_size
            if size > max_bytes:
                raise InputError(name, f"file too large ({size} bytes > limit {max_bytes})")
            data = Path(path).read_bytes()
        except IsADirectoryError:
            raise InputError(name, "is a directory, not a file") from None
        except FileNotFoundError:
            raise InputError(name, "no such file") from None
        except PermissionError:
            raise InputError(name, "permission denied") from None
        except OSError as exc:
            raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(name, f"input too large ({len(data)} bytes > limit {max_bytes})")
    text, used = decode_bytes(name, data, encoding)
    if not text.strip():
        raise InputError(name, "empty file")
    text, removed = normalise_newlines(text)
    return SourceText(
        name=name,
        text=text,
        format=detect_format(text),
        encoding=used,
        sha256=hashlib.sha256(data).hexdigest(),
        removed=removed,
    )


def decode_bytes(name: str, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode input bytes; return the text (BOM removed) and the codec used.

    >>> decode_bytes("x", "\\ufeffRésolution".encode("utf-8"))
    ('Résolution', 'utf-8-sig')
    >>> decode_bytes("x", "Résolution".encode("utf-16"))
    ('Résolution', 'utf-16')
    >>> decode_bytes("x", b"caf\\xe9", "cp1252")
    ('café', 'cp1252')
    """
    if not data:
        raise InputError(name, "empty file")
    if encoding is None:
        if data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            if b"\x00" in data:
                raise InputError(name, "binary file (contains NUL bytes)")
            encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(name, f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        hint = " (if it is Windows-1252, pass --encoding cp1252)" if encoding == "utf-8" else ""
        raise InputError(
            name,
            f"cannot decode as {encoding}: byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start}{hint}",
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise InputError(name, "binary file (contains NUL characters)")
    controls = len(_BINARY_CONTROLS_RE.findall(text, 0, 4096))
    if controls > 8:
        raise InputError(name, f"binary file ({controls} control characters in the first 4 KB)")
    return text, encoding


def normalise_newlines(text: str) -> tuple[str, tuple[int, ...]]:
    """CRLF and lone CR to LF; return the text and the offsets of removed CRs.

    >>> normalise_newlines("a\\r\\nb\\rc")
    ('a\\nb\\nc', (1,))
    """
    if "\r" not in text:
        return text, ()
    out: list[str] = []
    removed: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("\r", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        if j + 1 < n and text[j + 1] == "\n":
            removed.append(j)  # drop the CR, keep the LF
        else:
            out.append("\n")  # a lone CR becomes LF: same length, nothing removed
        i = j + 1
    return "".join(out), tuple(removed)


def detect_format(text: str) -> SourceFormat:
    """Tell an AKN4UN XML file from a plain-text export.

    >>> detect_format('<?xml version="1.0"?><akomaNtoso xmlns="…">')
    'akn4un'
    >>> detect_format("Resolution adopted by the General Assembly")
    'text'
    """
    head = text.lstrip()[:2048]
    if head.startswith("<") and "<akomaNtoso" in head:
        return "akn4un"
    return "text"
