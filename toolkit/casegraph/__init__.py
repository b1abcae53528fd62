"""casegraph: a knowledge graph of the HHS/CMS Medicaid data transfer to DHS.

The Python API (every name is loaded on first use, so ``import casegraph`` stays cheap; see the
README's "Python API" section for examples):

- :func:`query` — run a bundled query by id on the shipped (or a built) dataset, by default over
  the graphs its header names (ontology + asserted + inferred, plus evidence for the queries that
  show the report's words), exactly as ``casegraph query`` does;
- :func:`open_dataset`, :func:`find_query`, :func:`run_query` — the same in steps, on a store you keep;
- :func:`read_quads` and :func:`serialize` (with :class:`RdfFormat`) — the dataset's quads, written
  in any published RDF format;
- :func:`build` — ground, assemble, reason, validate and write a dataset;
- :class:`GraphRole` — the roles of the dataset's named graphs, with their IRIs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the public names, for type checkers and readers; loaded lazily at run time
    from .build import build
    from .dataset import open_dataset, read_quads
    from .export import RdfFormat, serialize
    from .iris import GraphRole
    from .queries import find_query, query, run_query

_API = {
    "GraphRole": "casegraph.iris",
    "RdfFormat": "casegraph.export",
    "build": "casegraph.build",
    "find_query": "casegraph.queries",
    "open_dataset": "casegraph.dataset",
    "query": "casegraph.queries",
    "read_quads": "casegraph.dataset",
    "run_query": "casegraph.queries",
    "serialize": "casegraph.export",
}

__all__ = [
    "GraphRole",
    "RdfFormat",
    "__version__",
    "build",
    "find_query",
    "open_dataset",
    "query",
    "read_quads",
    "run_query",
    "serialize",
]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'casegraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
