"""Enrichment: what we know from outside the report, kept apart from what the report says.

Curators write ``graph/enrichment.trig``: each named graph of the file is one reference (a
``cg:Reference`` described in the file's default graph: its label and address); the triples in
it are facts that reference gives (Wikidata links, statute citations, agency hierarchy the report
does not state). The enrichment graph publishes every such triple with an RDF 1.1 reification that
names its reference (``dcterms:source``), and the references' descriptions. Enrichment never adds
a ``skos:prefLabel``: an entity's canonical name is the asserted graph's.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef

from .bridge import to_rdflib
from .errors import GroundingError, OntologyError, one_line
from .ground import describe, mint, reified, triple_key
from .ontology import CG, DCTERMS, SKOS

#: The graphs of a TriG file: the default graph (key None) and each named graph by its IRI.
Graphs = dict[str | None, Graph]


def parse_trig(data: bytes, *, where: str) -> Graphs:
    """The graphs of a TriG document (parsed by pyoxigraph, each graph handed to rdflib whole).

    Raises:
        OntologyError: the document is not valid TriG (with line and column).
    """
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.TRIG))
    except SyntaxError as err:
        raise OntologyError(f"{where}: not valid TriG ({one_line(err)}); fix the file") from err
    by_graph: dict[str | None, list[ox.Quad]] = {None: []}
    for q in quads:
        name = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        by_graph.setdefault(name, []).append(q)
    return {name: to_rdflib(graph) for name, graph in by_graph.items()}


def read_enrichment(path: Path) -> Graph:
    """The enrichment graph from a TriG file (empty when the file does not exist).

    Raises:
        OntologyError: the file cannot be read or is not valid TriG.
        GroundingError: a triple outside a reference's graph, a graph whose reference is not
            described, or a ``skos:prefLabel``; the message names the node.
    """
    if not path.exists():
        return Graph()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise OntologyError(f"{path}: cannot read ({err.strerror})") from err
    return lower(parse_trig(data, where=str(path)), where=str(path))


def lower(graphs: Graphs, *, where: str) -> Graph:
    """The enrichment graph of a parsed enrichment file (see the module's docstring)."""
    default = graphs[None]
    references = set(default.subjects(RDF.type, CG.Reference))
    enrichment = Graph()
    for s, p, o in sorted(default):
        if s not in references:
            raise GroundingError(
                f"{where}: {describe((s, p, o))} is outside every reference's graph; "
                "put it in the named graph of the reference it comes from"
            )
        enrichment.add((s, p, o))
    for name in sorted(n for n in graphs if n is not None):
        if URIRef(name) not in references:
            raise GroundingError(
                f"{where}: graph <{name}> is not described as a reference; "
                f'add <{name}> a cg:Reference ; skos:prefLabel "…"@en to the file\'s default graph'
            )
        for s, p, o in sorted(graphs[name]):
            if p == SKOS.prefLabel:
                raise GroundingError(
                    f"{where}: {describe((s, p, o))}: enrichment never adds a skos:prefLabel "
                    "(the canonical name is the asserted graph's); use skos:altLabel or drop it"
                )
            enrichment.add((s, p, o))
            statement = mint("enrichment", name, triple_key((s, p, o)))
            for triple in reified(statement, (s, p, o)):
                enrichment.add(triple)
            enrichment.add((statement, DCTERMS.source, URIRef(name)))
    return enrichment
