"""The package's front door: lazy public API, no work at import time, data shipped."""

from __future__ import annotations

import subprocess
import sys

from conftest import PROJECT_DIR

import resgraph
from resgraph import resources


def test_public_api_names_every_stage() -> None:
    for name in resgraph.__all__:
        assert getattr(resgraph, name) is not None, name


def test_import_does_no_work() -> None:
    heavy = "('rdflib', 'pyvis', 'networkx')"
    code = f"import sys, resgraph; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_data_folders_are_found() -> None:
    assert (resources.ontology_dir() / "resgraph.ttl").is_file()
    assert any(resources.queries_dir().glob("*.rq"))
    assert resources.example_path().is_file()


def test_version_is_the_one_in_pyproject() -> None:
    text = (PROJECT_DIR / "pyproject.toml").read_text()
    assert f'version = "{resgraph.__version__}"' in text
