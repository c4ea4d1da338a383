"""SHACL shapes (ontology/shapes.ttl): their examples, the real graphs, the report and the CLI.

Every shape `S<nn>-…` has `ontology/examples/S<nn>-valid.ttl` (conforms to all
shapes) and at least one `S<nn>-invalid-<k>.ttl` (fails that shape and no
other); the first line of each example says why.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PROJECT_DIR
from rdflib import Graph

from resgraph import validate
from resgraph.cli import main
from resgraph.resources import ontology_dir

EXAMPLES = ontology_dir() / "examples"
SHAPE_IDS = validate.shape_ids()
VALID = sorted(EXAMPLES.glob("S*-valid.ttl"))
INVALID = sorted(EXAMPLES.glob("S*-invalid-*.ttl"))
GOLDEN = sorted((PROJECT_DIR / "tests" / "corpus").glob("*/expected.ttl"))


def example_graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def test_there_are_shapes() -> None:
    assert len(SHAPE_IDS) >= 10
    assert all(re.fullmatch(r"S\d{2}-[a-z0-9]+(-[a-z0-9]+)*", s) for s in SHAPE_IDS)


def test_shape_numbers_are_unique() -> None:
    numbers = [s[:3] for s in SHAPE_IDS]
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("shape", SHAPE_IDS, ids=SHAPE_IDS)
def test_shape_has_message_and_examples(shape: str) -> None:
    from rdflib import URIRef
    from rdflib.namespace import SH

    node = URIRef(validate.SHAPES_NS + shape)
    message = validate.load_shapes().value(node, SH.message)
    assert message is not None and str(message).startswith(shape[:3] + ":")
    number = shape[:3]
    assert (EXAMPLES / f"{number}-valid.ttl").is_file()
    assert list(EXAMPLES.glob(f"{number}-invalid-*.ttl")), f"no invalid example for {shape}"


@pytest.mark.parametrize("path", VALID + INVALID, ids=[p.name for p in VALID + INVALID])
def test_example_says_why_on_its_first_line(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    expected = "# Valid: " if "-valid" in path.name else "# Invalid: "
    assert first.startswith(expected) and len(first) > len(expected) + 10


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_example_conforms(path: Path) -> None:
    report = validate.validate_graph(example_graph(path))
    assert report.conforms, report.text()


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_fails_its_shape_only(path: Path) -> None:
    number = path.name[:3]
    report = validate.validate_graph(example_graph(path))
    assert not report.conforms
    failed = {r.shape[:3] for r in report.results}
    assert failed == {number}, report.text()
    assert f"rgs:{number}-" in report.text()


@pytest.mark.parametrize("path", GOLDEN, ids=[p.parent.name for p in GOLDEN])
def test_golden_graph_conforms(path: Path) -> None:
    report = validate.validate_graph(example_graph(path))
    assert report.conforms, report.text()


def test_report_names_shape_focus_and_message() -> None:
    report = validate.validate_graph(example_graph(EXAMPLES / "S07-invalid-01.ttl"))
    (result,) = report.results
    assert result.shape == "S07-selector"
    assert result.focus.endswith("pp/1#span")
    assert result.component == "LessThanOrEqualsConstraintComponent"
    assert result.message.startswith("S07:")
    assert report.by_shape() == {"S07-selector": 1}


# -- the command -------------------------------------------------------------------


def test_cli_validate_conforming(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLES / "S12-valid.ttl")]) == 0
    assert "Conforms: True" in capsys.readouterr().out


def test_cli_validate_violations(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(EXAMPLES / "S12-valid.ttl"), str(EXAMPLES / "S13-invalid-01.ttl")])
    out = capsys.readouterr().out
    assert code == 1
    assert "Conforms: False" in out and "rgs:S13-treaty-series-volume" in out


def test_cli_validate_unreadable_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    assert "bad.ttl" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.trig")]) == 2


# -- the build --------------------------------------------------------------------------

CASE_WITH_FINDINGS = PROJECT_DIR / "tests" / "corpus" / "a-res-80-3" / "input.txt"


def test_build_validates_by_default() -> None:
    from resgraph.pipeline import build

    result = build([CASE_WITH_FINDINGS])
    assert result.shapes is not None and result.shapes.conforms
    assert result.findings is not None
    summary = result.summary()
    assert summary.validated and summary.shape_violations == 0
    assert set(summary.findings) == {n.removeprefix("checks/") for n in _check_names()}
    # the document names treaties of the Treaty Series without a footnote giving their volume
    assert summary.findings["treaty-without-series-reference-violation"] > 0
    assert build([CASE_WITH_FINDINGS], validate=False).shapes is None


def _check_names() -> list[str]:
    from resgraph.store import check_names

    return check_names()


def test_cli_build_reports_findings_and_fails_only_when_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["build", str(CASE_WITH_FINDINGS), "--out", str(tmp_path), "--no-network-page"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "shapes:      conform" in out
    assert re.search(r"findings:\s+[1-9]\d* \(.*treaty-without-series-reference", out)
    assert main([*args, "--strict"]) == 1
    capsys.readouterr()
    assert main([*args, "--no-validate"]) == 0
    assert "findings:" not in capsys.readouterr().out
