"""The project's permanent namespaces and graph names, as plain strings.

This module imports nothing heavy, so the query path can use it without rdflib.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

BASE: Final = "https://w3id.org/casegraph/"
#: The ontology namespace (classes, properties, concepts): ``cg:``.
ONTOLOGY_NS: Final = BASE + "ontology#"
#: The ontology document itself.
ONTOLOGY_IRI: Final = BASE + "ontology"
#: Instance data: ``{ID_NS}{type}/{kebab-case-slug}``.
ID_NS: Final = BASE + "id/"
#: The shorthand curators write in graph/article.ttl; never published.
CURATION_NS: Final = BASE + "curation#"
#: Named graphs, one per role.
GRAPH_NS: Final = BASE + "graph/"

SOURCE_ID: Final = "000_1ffa199c7bd90bb3"
SOURCE_IRI: Final = ID_NS + "source/ap-2025-06-13-medicaid-data-dhs"
DATASET_IRI: Final = ID_NS + "dataset/casegraph"

GRAPH_ONTOLOGY: Final = GRAPH_NS + "ontology"
GRAPH_ASSERTED: Final = GRAPH_NS + "asserted/" + SOURCE_ID
GRAPH_EVIDENCE: Final = GRAPH_NS + "evidence/" + SOURCE_ID
GRAPH_ENRICHMENT: Final = GRAPH_NS + "enrichment"
GRAPH_INFERRED: Final = GRAPH_NS + "inferred"
GRAPH_METADATA: Final = GRAPH_NS + "metadata"

#: Role name (as spelt in ``--graphs``) -> named graph IRI, in canonical order.
#: ontology: the OWL ontology; asserted: what the report says; evidence: which words of the report
#: state each asserted triple (reification + Web Annotation) and where it names each entity;
#: enrichment: what we know from elsewhere, each triple with its reference; inferred: what OWL 2 RL
#: reasoning adds to ontology + asserted; metadata: the dataset's own description.
GRAPHS: Final[dict[str, str]] = {
    "ontology": GRAPH_ONTOLOGY,
    "asserted": GRAPH_ASSERTED,
    "evidence": GRAPH_EVIDENCE,
    "enrichment": GRAPH_ENRICHMENT,
    "inferred": GRAPH_INFERRED,
    "metadata": GRAPH_METADATA,
}


class GraphRole(StrEnum):
    """The role of a named graph of the dataset (spelt as in ``--graphs``)."""

    ONTOLOGY = "ontology"
    ASSERTED = "asserted"
    EVIDENCE = "evidence"
    ENRICHMENT = "enrichment"
    INFERRED = "inferred"
    METADATA = "metadata"

    @property
    def iri(self) -> str:
        """The named graph's IRI."""
        return GRAPHS[self.value]


#: What ``query``, ``sparql``, ``serve`` and the Python API answer over by default: the entailed
#: view of the report's facts (so plain SPARQL finds ``?e a cg:Event``).
QUERY_GRAPHS: Final = ("ontology", "asserted", "inferred")
#: What ``export`` writes by default: the ontology and the report's facts.
EXPORT_GRAPHS: Final = ("ontology", "asserted")

#: Prefixes used in every export, in a fixed order.
PREFIXES: Final[dict[str, str]] = {
    "cg": ONTOLOGY_NS,
    "id": ID_NS,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "oa": "http://www.w3.org/ns/oa#",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
}
