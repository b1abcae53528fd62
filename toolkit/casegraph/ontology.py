"""The ontology: its namespace (closed, so a misspelt term fails at once) and its checks."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import ClosedNamespace
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import OntologyError, one_line
from .iris import CURATION_NS, ONTOLOGY_NS
from .resources import default_paths

_DECLARATION = re.compile(r"^cg:([A-Za-z][A-Za-z0-9]*) a ", re.MULTILINE)


def _declared_names(path: Path) -> list[str]:
    """The local names the ontology file declares (one ``cg:Name a …`` line each)."""
    return sorted(set(_DECLARATION.findall(path.read_text(encoding="utf-8"))))


#: The ontology namespace; only terms the ontology declares exist.
CG = ClosedNamespace(ONTOLOGY_NS, _declared_names(default_paths().ontology))
#: The curation shorthand (graph/article.ttl only; never published).
CGC = ClosedNamespace(
    CURATION_NS,
    [
        "evidence",
        "inferred",
        "supports",
        "object",
        "quote",
        "note",
        "reading",
        "unclear",
        "mention",
        "quotation",
        "gist",
    ],
)

OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
TIME = Namespace("http://www.w3.org/2006/time#")


def read_turtle(path: Path) -> Graph:
    """Parse a Turtle file, turning a syntax error into one line with the file and line.

    Raises:
        OntologyError: the file cannot be read, is not Turtle, or has a literal that is not valid
            for its datatype (``"someday"^^xsd:date``).
    """
    graph = Graph()
    quiet = logging.getLogger("rdflib.term")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # rdflib logs a traceback for each ill-typed literal: reported below
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as err:
        detail = re.sub(r"^at line \d+ of <[^>]*>: ", "", one_line(err.message).split(" at ^ in:", 1)[0])
        raise OntologyError(f"{path}:{err.lines + 1}: Turtle syntax error ({detail}); fix the file") from err
    except OSError as err:
        raise OntologyError(f"{path}: cannot read ({err.strerror})") from err
    finally:
        quiet.setLevel(level)
    bad = sorted({o for o in graph.objects() if isinstance(o, Literal) and o.ill_typed}, key=str)
    if bad:
        raise OntologyError(
            f"{path}: {bad[0].n3(graph.namespace_manager)} is not a valid value of its datatype; fix the value"
        )
    return graph


def read_ontology(path: Path | None = None) -> Graph:
    """The ontology graph (``ontology/casegraph.ttl`` by default)."""
    return read_turtle(path or default_paths().ontology)


def declared_terms(ontology: Graph) -> set[URIRef]:
    """Every ``cg:`` IRI the ontology gives a type to."""
    return {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(ONTOLOGY_NS)}


def undeclared_terms(data: Graph, ontology: Graph) -> list[URIRef]:
    """``cg:`` IRIs that ``data`` uses (anywhere) but the ontology does not declare."""
    declared = declared_terms(ontology)
    used: Iterable[object] = (term for triple in data for term in triple)
    return sorted({t for t in used if isinstance(t, URIRef) and t.startswith(ONTOLOGY_NS)} - declared)


def labelled_terms(ontology: Graph) -> dict[URIRef, tuple[bool, bool]]:
    """For each declared class and property: (has rdfs:label, has skos:definition)."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {
        term: (
            (term, RDFS.label, None) in ontology,
            (term, SKOS.definition, None) in ontology,
        )
        for kind in kinds
        for term in ontology.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and term.startswith(ONTOLOGY_NS)
    }
