"""The main job end to end: build_graph.py / `resgraph build`, bad input, outputs."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, SEED
from rdflib import Dataset, Graph

from resgraph.cli import main
from resgraph.corpus_store import CorpusStore

OUTPUTS = ("graph.ttl", "graph.jsonld", "graph.nt", "graph.trig", "network.html")

BAD_INPUTS = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (bytes(range(256)) * 8, "binary file"),
    "nul.txt": (b"The General Assembly,\x00\x00", "binary file"),
    "prose.txt": (
        b"Minutes of the tenants' association.\nThe heating is broken again.\n" * 5,
        "not a UN resolution",
    ),
    "latin1.txt": ("Résolution adoptée".encode("cp1252"), "cannot decode"),
}


def write_bad_inputs(folder: Path) -> list[Path]:
    paths = []
    for name, (data, _) in BAD_INPUTS.items():
        p = folder / name
        p.write_bytes(data)
        paths.append(p)
    return paths


def test_build_graph_py_builds_the_bundled_example(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "build_graph.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    for word in ("documents:", "clauses:", "footnotes:", "citations:", "unresolved:", "triples:"):
        assert word in proc.stdout
    # every format holds the same triples
    ttl = Graph().parse(out / "graph.ttl")
    for name, fmt in (("graph.nt", "nt"), ("graph.jsonld", "json-ld")):
        assert len(Graph().parse(out / name, format=fmt)) == len(ttl), name
    ds = Dataset()
    ds.parse(out / "graph.trig", format="trig")
    graphs = {c for _, _, _, c in ds.quads((None, None, None, None))}
    assert len(graphs) == 1  # one named graph per document
    assert json.loads((out / "graph.jsonld").read_text())["@context"]


def test_bad_inputs_fail_alone_with_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_bad_inputs(tmp_path)
    out = tmp_path / "out"
    code = main(["build", "--out", str(out), "--quiet", str(SEED), *map(str, bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == len(BAD_INPUTS)
    for path, (name, (_, problem)) in zip(bad, BAD_INPUTS.items(), strict=True):
        line = next(x for x in err if str(path) in x)
        assert problem in line, (name, line)
    # the good file still built, and nothing half-written lies around
    for name in OUTPUTS:
        assert (out / name).is_file()
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, "store"])


def test_nothing_is_written_or_lost_when_every_input_is_bad(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--quiet", str(SEED)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = write_bad_inputs(tmp_path)
    assert main(["build", "--out", str(out), "--quiet", *map(str, bad)]) == 2
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    with CorpusStore.open(out / "store") as s:
        assert [d.symbol for d in s.documents()] == ["A/RES/67/185"]


def test_missing_input_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", "--out", str(tmp_path / "o"), str(tmp_path / "missing.txt")])
    assert code == 2
    assert "missing.txt: no such file" in capsys.readouterr().err


def test_folder_input_and_duplicate_symbol(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SEED.read_bytes())
    (folder / "b.txt").write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n"))
    code = main(["build", "--out", str(tmp_path / "o"), "--quiet", str(folder)])
    err = capsys.readouterr().err
    assert code == 2
    assert "already built from" in err and "b.txt" in err


def test_console_script_entry_point_is_declared() -> None:
    text = (PROJECT_DIR / "pyproject.toml").read_text()
    assert 'resgraph = "resgraph.cli:console_main"' in text


@pytest.mark.skipif(os.name != "posix", reason="uses a POSIX shell pipeline")
def test_help_exits_cleanly() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "resgraph", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert "build" in proc.stdout and "query" in proc.stdout


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed-out")
    assert main(["build", "--out", str(out), "--quiet", "--no-network-page", str(SEED)]) == 0
    return out / "graph.trig"


def test_query_binds_parameters_and_prints_csv(
    seed_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "query",
            "treaties-cited-by-resolution",
            "--graph",
            str(seed_graph),
            "--param",
            "document=A/RES/67/185",
            "--format",
            "csv",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    volumes = {r["volume"] for r in rows if r["volume"]}
    assert {"2225", "2237", "2241", "2326"} <= volumes
    assert all(r["treaty"].startswith("https://w3id.org/resgraph/id/treaty/") for r in rows)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "no-such-query"], "no such query"),
        (["query", "treaties-cited-by-resolution"], "document"),
        (["query", "most-cited-instruments", "--param", "limit=many"], "limit"),
        (["query", "most-cited-instruments", "--param", "nonsense"], "NAME=VALUE"),
    ],
    ids=["unknown-query", "missing-param", "bad-integer", "bad-syntax"],
)
def test_query_errors_are_one_line_with_exit_2(
    seed_graph: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main([*argv, "--graph", str(seed_graph)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1


def test_readme_query_examples_run(seed_graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The `resgraph query …` lines of the README stay true."""
    lines = [
        line.split("#")[0].split()
        for line in (PROJECT_DIR / "README.md").read_text().splitlines()
        if line.startswith("resgraph query ")
    ]
    assert lines
    for words in lines:
        assert main([*words[1:], "--graph", str(seed_graph)]) == 0, words
        assert capsys.readouterr().out.strip()
