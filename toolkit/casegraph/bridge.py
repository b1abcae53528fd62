"""The one crossing between rdflib and pyoxigraph.

The build, reasoning and SHACL validation work on rdflib graphs (owlrl and pyshacl need them);
everything else — reading, querying, exporting, loading — works on pyoxigraph quads. Terms cross
through N-Triples, so every IRI, blank node, language tag and datatype is kept exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import pyoxigraph as ox
from rdflib import Graph


def to_rdflib(triples: Iterable[ox.Triple | ox.Quad]) -> Graph:
    """The triples (a quad's graph name is dropped) as one rdflib graph."""
    plain = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    data = cast(bytes, ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES))
    return Graph().parse(data=data.decode(), format="nt")


def to_oxigraph(graph: Graph, name: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
    """An rdflib graph's triples as pyoxigraph quads in the graph ``name``."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
