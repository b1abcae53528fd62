"""casegraph: a knowledge graph of the HHS/CMS Medicaid data transfer to DHS.

The Python API (loaded lazily, so ``import casegraph`` stays cheap):

- :func:`casegraph.build.build` — ground, assemble, check and write the dataset;
- :func:`casegraph.dataset.open_dataset` — the dataset in an embedded pyoxigraph store;
- :func:`casegraph.queries.run_query` — run a bundled query with typed parameters, by default
  over the graphs its header names (ontology + asserted + inferred, plus evidence for the queries
  that show the report's words), exactly as ``casegraph query`` does;
- :func:`casegraph.export.serialize` — write quads in any published RDF format.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "build": ("casegraph.build", "build"),
    "open_dataset": ("casegraph.dataset", "open_dataset"),
    "run_query": ("casegraph.queries", "run_query"),
    "serialize": ("casegraph.export", "serialize"),
}


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        module, attr = _API[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'casegraph' has no attribute {name!r}")
