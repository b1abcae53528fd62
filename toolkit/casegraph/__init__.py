"""casegraph: a knowledge graph of the HHS/CMS Medicaid data transfer to DHS.

The Python API (every name is loaded on first use, so ``import casegraph`` stays cheap; see the
README's "Python API" section for examples):

- :func:`query` and :func:`sparql` — run a bundled query by id, or any SPARQL, on a
  :class:`Source` (the shipped dataset by default; a built one, your own RDF files or on-disk
  store, or a SPARQL endpoint), by default over the graphs the query's header names (ontology +
  asserted + inferred, plus evidence for the queries that show the report's words), exactly as
  ``casegraph query`` and ``casegraph sparql`` do;
- :func:`export_graphs` — write a source's graphs in any RDF format, as ``casegraph export`` does;
- :func:`open_dataset`, :func:`find_query`, :func:`run_query` — the same in steps, on a store you keep;
- :func:`read_quads`, :func:`select_quads` and :func:`serialize` (with :class:`RdfFormat`) — the
  dataset's quads, those of some graphs (by role, or one report's), written in any published RDF
  format;
- :func:`build_dataset` — ground, assemble, reason, validate and write a dataset, as ``casegraph
  build`` does.

(The stage modules own the short names — ``casegraph.build``, ``casegraph.export`` are modules —
so the functions that share a command's name carry a longer one here.)
- :class:`GraphRole` — the roles of the dataset's named graphs (asserted and evidence have one
  graph per report: select one with ``"asserted:REPORT"``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:  # the public names, for type checkers and readers; loaded lazily at run time
    from .build import build as build_dataset
    from .dataset import open_dataset, read_quads, select_quads
    from .export import RdfFormat, serialize
    from .facade import Source, query, sparql
    from .facade import export as export_graphs
    from .iris import GraphRole
    from .queries import find_query, run_query

_API = {  # public name -> (module, name there)
    "GraphRole": ("casegraph.iris", "GraphRole"),
    "RdfFormat": ("casegraph.export", "RdfFormat"),
    "Source": ("casegraph.facade", "Source"),
    "build_dataset": ("casegraph.build", "build"),
    "export_graphs": ("casegraph.facade", "export"),
    "find_query": ("casegraph.queries", "find_query"),
    "open_dataset": ("casegraph.dataset", "open_dataset"),
    "query": ("casegraph.facade", "query"),
    "read_quads": ("casegraph.dataset", "read_quads"),
    "run_query": ("casegraph.queries", "run_query"),
    "select_quads": ("casegraph.dataset", "select_quads"),
    "serialize": ("casegraph.export", "serialize"),
    "sparql": ("casegraph.facade", "sparql"),
}

__all__ = [
    "GraphRole",
    "RdfFormat",
    "Source",
    "__version__",
    "build_dataset",
    "export_graphs",
    "find_query",
    "open_dataset",
    "query",
    "read_quads",
    "run_query",
    "select_quads",
    "serialize",
    "sparql",
]


def __getattr__(name: str) -> Any:
    if name in _API:
        module, attribute = _API[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'casegraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
