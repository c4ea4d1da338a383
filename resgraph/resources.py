"""Find the data the package ships: ontology/, queries/, patterns/, examples/.

`ontology/` and `queries/` live at the top level of the repository (the
client's layout) and are copied into the wheel as `resgraph/_data/…`
(pyproject force-include). An editable install or a plain checkout has no
`_data`, so we fall back to the repository folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder `ontology` or `queries`, installed or in the checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"resgraph data folder {name!r} not found")


def ontology_dir() -> Path:
    """Where the ontology, shapes, JSON-LD context and SKOS schemes are."""
    return data_dir("ontology")


def queries_dir() -> Path:
    """Where the named queries (*.rq) are."""
    return data_dir("queries")


def patterns_dir() -> Path:
    """Where the pattern, phrase and register data files are."""
    return _PACKAGE / "patterns"


def example_path() -> Path:
    """The bundled example resolution (the ODS plain-text export of the seed)."""
    return next(iter(sorted((_PACKAGE / "examples").glob("*.txt"))))
