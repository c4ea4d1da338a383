"""Building a corpus into the store: skip, replace, remove, prune, stdin, globs, errors, lock."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, SEED, TEST_DATA_DIR

from bench import gen_corpus
from resgraph import pipeline, store
from resgraph.cli import main
from resgraph.corpus_store import CorpusStore
from resgraph.pipeline import BuildError, build_store, collect_inputs

GA75 = TEST_DATA_DIR / "akn4un" / "ga75"
GA75_FEW = sorted(GA75.glob("*.xml"))[:3]

# A/RES/66/172 in the ODS layout of the seed, adopted on 16 December 2011: the seed cites it
# "of 19 December 2011" (a cited date that is not the adoption date), and it cites the seed,
# adopted a year later (a citation of a later resolution). Both conflicts are between two
# documents: neither shows in one document alone.
RES_66_172 = textwrap.dedent(
    """\
    Resolution adopted by the General Assembly on 16 December 2011
    [on the report of the Third Committee (A/66/462/Add.2)]
    66/172.\tProtection of migrants


    \tThe General Assembly,
    \tRecalling its resolution 67/185 of 20 December 2012, entitled "Promoting efforts to \
eliminate violence against migrants, migrant workers and their families",
    \tReaffirming that everyone is entitled to all the rights and freedoms set forth in the \
Charter,
    \t1.\tCalls upon States to promote and protect effectively the human rights of all migrants;
    \t2.\tDecides to continue its consideration of the question at its sixty-seventh session.

    89th plenary meeting
    19 December 2011
    """
)


def _symbols(path: Path) -> list[str]:
    with CorpusStore.open(path) as s:
        return sorted(d.symbol for d in s.documents())


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    for p in GA75_FEW:
        shutil.copy(p, folder / p.name)
    return folder


def test_second_build_skips_unchanged_and_replaces_a_changed_file(
    inputs: Path, tmp_path: Path
) -> None:
    st = tmp_path / "store"
    first = build_store([inputs], st, jobs=2, validate=False)
    assert len(first.built) == 4 and not first.errors and first.documents == 4
    with CorpusStore.open(st) as s:
        before = {d.graph: set(s.quads([d.graph])) for d in s.documents()}
        seed_row = s.by_source(str((inputs / "seed.txt").resolve()))[0]
    again = build_store([inputs], st, jobs=1, validate=False)
    assert not again.built and len(again.skipped) == 4 and not again.changed

    # one clause changed in the seed: its graph only is replaced
    seed = inputs / "seed.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("Strongly condemns", "Strongly deplores"),
        encoding="utf-8",
    )
    third = build_store([inputs], st, jobs=1, validate=False)
    assert [b.name for b in third.built] == [str(seed)] and len(third.skipped) == 3
    with CorpusStore.open(st) as s:
        after = {d.graph: set(s.quads([d.graph])) for d in s.documents()}
        assert s.by_source(str(seed.resolve()))[0].sha256 != seed_row.sha256
        assert s.search("deplores") and not s.search("condemns continuing incidence")
    assert after.keys() == before.keys()
    for graph in before:
        assert (after[graph] == before[graph]) == (graph != seed_row.graph), graph


def test_remove_and_prune(inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    st = tmp_path / "store"
    build_store([inputs], st, jobs=1, validate=False)
    assert main(["remove", "--store", str(st), "A/RES/67/185"]) == 0
    assert "removed A/RES/67/185" in capsys.readouterr().out
    assert "A/RES/67/185" not in _symbols(st)
    # by source path
    assert main(["remove", "--store", str(st), "-q", str(inputs / GA75_FEW[0].name)]) == 0
    assert main(["remove", "--store", str(st), "no/such/doc"]) == 2
    assert "no such document" in capsys.readouterr().err
    assert len(_symbols(st)) == 2
    # a source file deleted: --prune removes its document, the others stay
    (inputs / GA75_FEW[1].name).unlink()
    result = build_store([inputs], st, jobs=1, validate=False, prune=True)
    assert [d.source for d in result.removed] == [str((inputs / GA75_FEW[1].name).resolve())]
    assert result.documents == 3  # the seed and the first file came back, one pruned


def test_globs_folders_and_stdin(tmp_path: Path, inputs: Path) -> None:
    errors: list[BuildError] = []
    items = collect_inputs(
        [str(inputs / "*.xml"), str(inputs), "-", str(tmp_path / "none-*.txt")],
        errors,
        stdin=io.BytesIO(b"data"),
    )
    names = [Path(i.name).name for i in items]
    assert names == [*(p.name for p in GA75_FEW), "seed.txt", "<stdin>"]  # each file once
    assert items[-1].source == "-" and items[-1].data == b"data"
    assert [e.message for e in errors] == ["no file matches this pattern"]


def test_stdin_through_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "resgraph", "build", "-", "--out", str(out), "--no-validate"],
        input=SEED.read_bytes(),
        capture_output=True,
        cwd=PROJECT_DIR,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    with CorpusStore.open(out / "store") as s:
        (doc,) = s.documents()
        assert doc.symbol == "A/RES/67/185" and doc.source == "-"
    assert (out / "graph.trig").stat().st_size > 0


def test_quoted_glob_on_the_command_line(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        ["build", str(inputs / "75_*.xml"), "--out", str(out), "--no-validate", "--jobs", "1"]
    )
    assert code == 0
    assert len(_symbols(out / "store")) == len(GA75_FEW)
    text = capsys.readouterr().out
    assert f"{len(GA75_FEW)} built, 0 unchanged, 0 removed, 0 failed" in text


def test_failing_documents_are_reported_and_the_store_survives(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["build", str(inputs), "--out", str(out), "--no-validate", "-q"]) == 0
    before = _symbols(out / "store")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "prose.txt").write_bytes(b"Minutes of the tenants' association.\n" * 5)
    (bad / "broken.xml").write_bytes(b"<akomaNtoso><act>")
    code = main(["build", str(bad), str(inputs), "--out", str(out), "--no-validate", "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 2
    err = captured.err.strip().splitlines()
    assert len(err) == 3
    for name in ("empty.txt", "prose.txt", "broken.xml"):
        assert sum(name in line for line in err) == 1, err
    assert "0 built, 4 unchanged, 0 removed, 3 failed" in captured.out
    assert _symbols(out / "store") == before


def test_conflicting_facts_across_documents_are_found(tmp_path: Path) -> None:
    other = tmp_path / "A_RES_66_172.txt"
    other.write_text(RES_66_172, encoding="utf-8")
    st = tmp_path / "store"
    only_seed = build_store([SEED], st, jobs=1)
    assert only_seed.findings is not None
    assert only_seed.findings.counts["cited-date-not-adoption-date-violation"] == 0
    assert only_seed.findings.counts["citation-of-later-resolution-violation"] == 0
    # the second document, built in a later run, conflicts with the first
    result = build_store([other], st, jobs=1)
    assert result.findings is not None
    assert result.findings.counts["cited-date-not-adoption-date-violation"] >= 1
    assert result.findings.counts["citation-of-later-resolution-violation"] >= 1
    with CorpusStore.open(st) as s:
        misdated = store.run_query(s, "checks/cited-date-not-adoption-date-violation")
        later = store.run_query(s, "checks/citation-of-later-resolution-violation")
    # one node for A/RES/66/172: cited by the seed and parsed from its own text
    cited = {str(row[1]) for row in misdated}
    assert cited == {"https://w3id.org/resgraph/id/doc/A/RES/66/172"}
    dates = {(str(row[2]), str(row[3])) for row in misdated}
    assert ("2011-12-19", "2011-12-16") in dates
    # one row per date the union records for the citing resolution: its adoption date and
    # the date the seed cites it with (the conflict above), both before the cited one
    assert {(str(r[1]).rsplit("/doc/")[1], str(r[3]).rsplit("/doc/")[1]) for r in later} == {
        ("A/RES/66/172", "A/RES/67/185")
    }
    assert ("2011-12-16", "2012-12-20") in {(str(r[2]), str(r[4])) for r in later}


def test_summary_reports_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "A_RES_66_172.txt"
    other.write_text(RES_66_172, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["build", str(SEED), str(other), "--out", str(out), "--no-network-page"])
    text = capsys.readouterr().out
    assert code == 0
    assert "citation-of-later-resolution" in text and "cited-date-not-adoption-date" in text
    assert main(["build", str(SEED), str(other), "--out", str(out), "--strict", "-q"]) == 1


def test_query_and_search_use_the_store(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        main(["build", str(inputs), "--out", str(out), "--no-validate", "-q", "--no-export"]) == 0
    )
    assert not (out / "graph.trig").exists()
    capsys.readouterr()
    code = main(
        ["query", "treaties-cited-by-resolution", "--store", str(out / "store"), "-p",
         "document=A/RES/67/185", "-f", "csv"]
    )  # fmt: skip
    assert code == 0
    assert "2225" in capsys.readouterr().out
    assert main(["search", "--store", str(out / "store"), "smuggling", "migrants"]) == 0
    table = capsys.readouterr().out
    assert "A/RES/67/185" in table and "[smuggling]" in table.lower()


def test_query_defaults_to_out_store(
    inputs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(inputs / "seed.txt"), "--no-validate", "-q", "--no-export"]) == 0
    assert (tmp_path / "out" / "store" / "manifest.sqlite").is_file()
    capsys.readouterr()
    assert main(["query", "most-cited-instruments", "-f", "csv"]) == 0
    assert "A/RES/66/172" in capsys.readouterr().out


def test_a_build_while_another_process_writes_is_refused(tmp_path: Path) -> None:
    st = tmp_path / "out" / "store"
    with CorpusStore.open(st, write=True):
        proc = subprocess.run(
            [sys.executable, "-m", "resgraph", "build", str(SEED), "--out", str(tmp_path / "out")],
            capture_output=True,
            text=True,
            cwd=PROJECT_DIR,
            timeout=300,
        )
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1
    assert "locked" in err and str(st) in err and f"pid {os.getpid()}" in err
    # and the store is usable afterwards
    assert build_store([SEED], st, jobs=1, validate=False).documents == 1


def test_progress_bar_draws_one_line_and_clears_it() -> None:
    from resgraph.cli import _ProgressBar

    buf = io.StringIO()
    bar = _ProgressBar(buf)
    for done in range(1, 4):
        bar(done, 3, f"/some/folder/file{done}.txt")
    bar.done()
    text = buf.getvalue()
    assert "\n" not in text  # redrawn in place with carriage returns
    assert "[" + "#" * 24 + "] 3/3 file3.txt" in text
    assert text.endswith("\r")


def test_build_progress_reports_every_document(inputs: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    build_store(
        [inputs],
        tmp_path / "s",
        jobs=1,
        validate=False,
        progress=lambda d, t, n: seen.append((d, t)),
    )
    assert seen == [(k, 4) for k in range(1, 5)]


def test_large_store_exports_are_written_by_oxigraph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rdflib

    import resgraph.cli

    monkeypatch.setattr(resgraph.cli, "_SMALL_STORE_TRIPLES", 0)  # every store is "large"
    out = tmp_path / "out"
    assert main(["build", str(SEED), "--out", str(out), "-q", "--no-validate"]) == 0
    with CorpusStore.open(out / "store") as s:
        triples, graphs = len(s), {d.graph for d in s.documents()}
    ds = rdflib.Dataset()
    ds.parse(out / "graph.trig", format="trig")
    assert {str(c) for _, _, _, c in ds.quads((None, None, None, None))} == graphs
    assert len(rdflib.Graph().parse(out / "graph.ttl")) == triples
    assert len(rdflib.Graph().parse(out / "graph.nt", format="nt")) == triples
    assert len(rdflib.Graph().parse(out / "graph.jsonld", format="json-ld")) == triples
    # the declared datatypes come back (Oxigraph stores xsd:nonNegativeInteger as xsd:integer)
    assert "XMLSchema#nonNegativeInteger" in (out / "graph.nt").read_text(encoding="utf-8")


def _dies_on_one_input(task: pipeline._Task) -> object:
    if task.item.name.endswith("A_RES_67_185.txt"):
        os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's out-of-memory killer does
    return _real_build_one(task)


_real_build_one = pipeline.build_one


@pytest.mark.parametrize("many", [False, True], ids=["batches", "deferred-load"])
def test_a_worker_that_dies_stops_the_build_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], many: bool
) -> None:
    """A killed worker (out of memory) must not leave the build waiting forever."""
    folder = tmp_path / "in"
    gen_corpus.generate(8, folder, seed=3)
    (folder / "manifest.json").unlink()
    shutil.copy(SEED, folder / SEED.name)
    store_dir = tmp_path / "store"
    # a small store first, so that the second build writes in batches, or a fresh one,
    # so that it spools everything into one deferred load
    if not many:
        pipeline.build_store([next(folder.glob("A_RES_*_*.txt"))], store_dir, validate=False)
    monkeypatch.setattr(pipeline, "_COMPACT_AFTER", 1)
    monkeypatch.setattr(pipeline, "build_one", _dies_on_one_input)  # forked: the workers too
    args = ["build", str(folder), "--store", str(store_dir), "--jobs", "2", "--no-export"]
    codes: list[int] = []
    # on a thread: a build that waits forever for the dead worker fails here, not hangs
    run = threading.Thread(
        target=lambda: codes.append(main([*args, "--no-network-page", "--no-validate"])),
        daemon=True,
    )
    run.start()
    run.join(timeout=120)
    assert not run.is_alive(), "the build still waits for the document the dead worker held"
    code = codes[0]
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert len(err) == 1 and "worker process died" in err[0], err
    assert not (store_dir / "spool.nq").exists()
    monkeypatch.setattr(pipeline, "build_one", _real_build_one)
    again = pipeline.build_store([folder], store_dir, validate=False, jobs=2)
    assert not again.errors
    with CorpusStore.open(store_dir) as cs:
        assert cs.count_documents() == 9
        assert not any(d.pending for d in cs.documents())


@pytest.mark.parametrize(
    ("flags", "files", "page"),
    [
        ([], False, False),
        (["--export"], True, False),
        (["--network-page"], False, True),
        (["--export", "--network-page"], True, True),
    ],
    ids=["big-store-default", "export-asked", "page-asked", "both-asked"],
)
def test_a_big_store_is_exported_and_drawn_only_when_asked(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    files: bool,
    page: bool,
) -> None:
    """Every build of a corpus of 20,000 would otherwise rewrite minutes of files."""
    from resgraph import cli

    monkeypatch.setattr(cli, "_AUTO_EXPORT_TRIPLES", 100)  # the seed alone is "big"
    out = tmp_path / "out"
    assert main(["build", str(SEED), "--out", str(out), "--no-validate", *flags]) == 0
    said = capsys.readouterr().out
    assert (out / "graph.ttl").is_file() == files
    assert (out / "graph.jsonld").is_file() == files
    assert (out / "network.html").is_file() == page
    assert ("not written:" in said) == (not (files and page))
    assert ("resgraph export" in said) == (not files)
    assert ("resgraph network" in said) == (not page)


def test_a_fresh_store_keeps_what_the_patterns_derive(tmp_path: Path) -> None:
    """The first build keeps it, so the next one (a one-change rebuild) need not derive it."""
    build_store([SEED], tmp_path / "new" / "store", validate=False, jobs=1)
    assert (tmp_path / "new" / "store" / "patterns-derived.json").is_file()
