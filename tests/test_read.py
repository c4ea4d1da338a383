"""Stage 1, read: decoding, newline normalisation, refusals."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from resgraph.errors import InputError
from resgraph.read import read_source

TEXT = "Resolution adopted by the General Assembly\n\tThe General Assembly,\n"


@pytest.mark.parametrize(
    ("raw", "encoding", "text", "used"),
    [
        (TEXT.encode(), None, TEXT, "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode(), None, TEXT, "utf-8-sig"),
        (TEXT.encode("utf-16"), None, TEXT, "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), None, TEXT, "utf-16"),
        (TEXT.replace("\n", "\r\n").encode(), None, TEXT, "utf-8"),
        (TEXT.replace("\n", "\r").encode(), None, TEXT, "utf-8"),
        ("Côte d’Ivoire\n".encode("cp1252"), "cp1252", "Côte d’Ivoire\n", "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "crlf", "cr", "cp1252-asked"],
)
def test_decodes(raw: bytes, encoding: str | None, text: str, used: str) -> None:
    src = read_source("in.txt", data=raw, encoding=encoding)
    assert src.text == text
    assert src.encoding == used
    assert src.format == "text"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"abc\x00def", "binary file"),
        (bytes(range(256)) * 4, "binary file"),
        ("Côte d’Ivoire".encode("cp1252"), "cannot decode as utf-8"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 2, "binary file"),
    ],
    ids=["empty", "blank", "nul", "random-bytes", "cp1252-not-asked", "controls"],
)
def test_refuses_with_one_line_naming_the_input(raw: bytes, problem: str) -> None:
    with pytest.raises(InputError) as info:
        read_source("bad/input.txt", data=raw)
    message = str(info.value)
    assert message.startswith("bad/input.txt: ")
    assert problem in message
    assert "\n" not in message


def test_size_cap_is_configurable(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text(TEXT * 10)
    assert read_source(f).text == TEXT * 10
    with pytest.raises(InputError, match="too large"):
        read_source(f, max_bytes=100)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="directory"):
        read_source(tmp_path)


def test_crlf_offsets_map_back_to_the_file() -> None:
    raw = b"ab\r\ncd\r\nef"
    src = read_source("x", data=raw)
    original = raw.decode()
    for i, ch in enumerate(src.text):
        assert original[src.original_offset(i)] == ch


def test_content_hash_is_of_the_raw_bytes() -> None:
    a = read_source("a", data=TEXT.encode())
    b = read_source("b", data=TEXT.replace("\n", "\r\n").encode())
    assert a.text == b.text
    assert a.sha256 != b.sha256


def test_detects_akn4un_xml() -> None:
    xml = b'<?xml version="1.0"?>\n<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"/>'
    assert read_source("x.xml", data=xml).format == "akn4un"
