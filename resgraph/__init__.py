"""resgraph: UN resolutions in, a knowledge graph of legal cross-references out.

The pipeline, one public function per stage (see `pipeline.build`):
read -> parse -> resolve -> to RDF -> store/query -> network -> render/export.
"""

from __future__ import annotations

__version__ = "0.1.0"
