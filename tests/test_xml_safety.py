"""XML and JSON-LD inputs: no DTD, no entity, no context fetched from anywhere.

A socket listening on 127.0.0.1 stands for "the network": every hostile input
points at it, and it must never see a connection.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_DATA_DIR

from resgraph.errors import InputError
from resgraph.pipeline import parse_document
from resgraph.validate import load_graph_file

AKN = (TEST_DATA_DIR / "akn4un" / "ga75" / "75_19_E.xml").read_text(encoding="utf-8")


class Listener:
    """A TCP socket on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.sock.close()


def _laughs(levels: int = 10) -> str:
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">'
        for i in range(1, levels)
    ]
    return f'<?xml version="1.0"?>\n<!DOCTYPE akomaNtoso [{"".join(ents)}]>\n'


def _with_prolog(prolog: str, body_entity: str = "") -> str:
    """The AKN file with a prolog before its root and an entity use inside a paragraph."""
    text = AKN.split("?>", 1)[1] if AKN.lstrip().startswith("<?xml") else AKN
    if body_entity:
        text = text.replace("<p>", f"<p>{body_entity}", 1)
    return prolog + text


def akn_cases(url: str) -> dict[str, str]:
    return {
        "billion-laughs": _with_prolog(_laughs(), "&lol9;"),
        "billion-laughs-unused": _with_prolog(_laughs()),
        "external-entity-file": _with_prolog(
            '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
            "&xxe;",
        ),
        "external-entity-url": _with_prolog(
            f'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY xxe SYSTEM "{url}x">]>\n', "&xxe;"
        ),
        "external-dtd-url": _with_prolog(
            f'<?xml version="1.0"?>\n<!DOCTYPE akomaNtoso SYSTEM "{url}akn.dtd">\n'
        ),
        "parameter-entity": _with_prolog(
            f'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY % p SYSTEM "{url}p"> %p;]>\n'
        ),
        "undeclared-entity": _with_prolog('<?xml version="1.0"?>\n', "&xxe;"),
    }


CASE_IDS = list(akn_cases("http://x/"))


@pytest.mark.parametrize("case", CASE_IDS)
def test_akn_reader_refuses_dtds_and_entities(case: str, listener: Listener) -> None:
    text = akn_cases(listener.url)[case]
    assert len(text.encode()) < len(AKN.encode()) + 2048  # ~1 KB of payload at most
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        parse_document("hostile.xml", data=text.encode("utf-8"))
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert message.startswith("hostile.xml: ") and "\n" not in message
    assert listener.connections() == 0


def test_xinclude_and_stylesheets_are_inert(listener: Listener) -> None:
    """Processing instructions and XInclude are text to us: nothing is read or fetched."""
    text = _with_prolog(
        f'<?xml version="1.0"?>\n<?xml-stylesheet href="{listener.url}s.xsl"?>\n',
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>'
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{listener.url}i"/>',
    )
    doc = parse_document("inert.xml", data=text.encode("utf-8"))
    texts = " ".join(c.text for c in doc.clauses)
    assert "root:" not in texts
    assert listener.connections() == 0


def _jsonld(context: object) -> str:
    return json.dumps(
        {"@context": context, "@id": "urn:a", "rg:p": {"@id": "urn:b"}},
    )


def jsonld_cases(url: str) -> dict[str, str]:
    return {
        "context-dev-zero": _jsonld("file:///dev/zero"),
        "context-etc-passwd": _jsonld("file:///etc/passwd"),
        "context-http": _jsonld(f"{url}context.jsonld"),
        "context-in-a-list": _jsonld([{"rg": "urn:rg#"}, f"{url}c"]),
        "scoped-context": _jsonld({"rg": "urn:rg#", "rg:p": {"@context": f"{url}c"}}),
        "nested-node-context": json.dumps(
            {"@context": {"rg": "urn:rg#"}, "@graph": [{"@context": f"{url}c", "@id": "urn:a"}]}
        ),
        "import": _jsonld({"@import": f"{url}c", "rg": "urn:rg#"}),
    }


@pytest.mark.parametrize("case", list(jsonld_cases("http://x/")))
def test_jsonld_remote_contexts_are_refused(case: str, listener: Listener, tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonld"
    path.write_text(jsonld_cases(listener.url)[case], encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError, match="refused") as info:
        load_graph_file(path)
    assert time.perf_counter() - start < 5
    assert "\n" not in str(info.value)
    assert listener.connections() == 0


def test_jsonld_with_the_package_context_or_inline_reads(tmp_path: Path) -> None:
    inline = tmp_path / "inline.jsonld"
    inline.write_text(_jsonld({"rg": "urn:rg#"}), encoding="utf-8")
    assert len(load_graph_file(inline)) == 1
    package = tmp_path / "package.jsonld"
    package.write_text(
        _jsonld("https://w3id.org/resgraph/context.jsonld").replace("rg:p", "rg:cites"),
        encoding="utf-8",
    )
    assert len(load_graph_file(package)) == 1


RDFXML_BOMB = (
    _laughs()
    + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
    + '<rdf:Description rdf:about="urn:a"><e:p>&lol9;</e:p></rdf:Description></rdf:RDF>'
)


@pytest.mark.parametrize("suffix", [".rdf", ".owl", ".xml"])
def test_rdfxml_with_a_dtd_is_refused(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"bomb{suffix}"
    path.write_text(RDFXML_BOMB, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError, match="DTD"):
        load_graph_file(path)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    "char", ["\U0010ffff", "\u00e9", "\u200b", "\t"], ids=["U+10FFFF", "e-acute", "ZWSP", "tab"]
)
def test_a_damaged_subject_iri_never_reaches_the_graph(char: str) -> None:
    """A keyword href the store would refuse is dropped by the reader (found by test_fuzz)."""
    from resgraph.corpus_store import to_oxigraph
    from resgraph.to_rdf import document_to_graph

    akn = (TEST_DATA_DIR / "akn4un" / "ga75" / "75_1_E.xml").read_text(encoding="utf-8")
    href = 'href="http://metadata.un.org/sdg/'
    assert href in akn
    text = akn.replace(href, href + char)
    ds = document_to_graph(parse_document("damaged.xml", data=text.encode("utf-8")))
    terms = [t for q in ds.quads((None, None, None, None)) for t in q[:3]]
    for term in terms:
        to_oxigraph(term)  # type: ignore[arg-type]  # raises ValueError on an IRI Oxigraph refuses
    assert not [t for t in terms if char in str(t) and str(t).startswith("http://metadata")]
