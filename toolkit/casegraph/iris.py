"""The project's permanent namespaces and graph names, as plain strings.

This module imports nothing heavy, so the query path can use it without rdflib.
"""

from __future__ import annotations

import re
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

#: The role of each named graph, in canonical order. ontology: the OWL ontology; asserted: what a
#: report says; evidence: which words of a report state each asserted triple (reification + Web
#: Annotation) and where it names each entity; enrichment: what we know from elsewhere, each triple
#: with its reference; inferred: what OWL 2 RL reasoning adds to the ontology and every report's
#: asserted graph; metadata: the dataset's own description (sources, build, counts).
ROLES: Final = ("ontology", "asserted", "evidence", "enrichment", "inferred", "metadata")
#: The roles with one graph per source report, ``{GRAPH_NS}{role}/{report id}``; the report id is
#: the name of its text in ``graph/sources/`` without ``.txt``. The other roles have one graph,
#: ``{GRAPH_NS}{role}``.
REPORT_ROLES: Final = ("asserted", "evidence")
#: What a report id may be: it names graphs and files, so letters, digits, ``_ . -`` only.
REPORT_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def role_graph(role: str, report: str | None = None) -> str:
    """The IRI of the graph of ``role`` (for ``asserted`` and ``evidence``: of ``report``)."""
    if (role in REPORT_ROLES) != (report is not None):
        raise ValueError(f"graph role {role!r} {'needs' if report is None else 'takes no'} report id")
    return GRAPH_NS + role + (f"/{report}" if report is not None else "")


def graph_role(iri: str) -> tuple[str, str | None] | None:
    """``(role, report id or None)`` of a graph IRI of the dataset's naming scheme, else None
    (another graph, or a staging graph)."""
    if not iri.startswith(GRAPH_NS):
        return None
    role, _, report = iri[len(GRAPH_NS) :].partition("/")
    if role in REPORT_ROLES:
        return (role, report) if REPORT_ID.fullmatch(report) else None
    return (role, None) if role in ROLES and not report else None


def role_of(iri: str) -> str | None:
    """The role of a graph IRI of the dataset's naming scheme, else None."""
    found = graph_role(iri)
    return found[0] if found else None


def graph_order(iri: str) -> tuple[int, str]:
    """The canonical order of graph names: by role, then report id; other graphs last, by IRI."""
    found = graph_role(iri)
    return (ROLES.index(found[0]), found[1] or "") if found else (len(ROLES), iri)


def selector_of(iri: str) -> str:
    """How ``--graphs`` names the graph ``iri``: its role, ``role:REPORT`` for a per-report
    graph, or the IRI itself for a graph of another scheme."""
    found = graph_role(iri)
    if found is None:
        return iri
    role, report = found
    return role if report is None else f"{role}:{report}"


def iri_term(value: str, where: str) -> str:
    """``value`` as a SPARQL IRI term (``<…>``), after checking it is an absolute IRI: every IRI a
    user gives that reaches SPARQL text goes through here (or is bound as a term), never pasted.

    Raises:
        UsageError: not an absolute IRI (the message starts with ``where``).
    """
    from .errors import UsageError

    problem = iri_problem(value)
    if problem is not None:
        hint = "; give one like https://example.org/graph/mine" if problem == NOT_ABSOLUTE else ""
        raise UsageError(f"{where}: {value!r} is {problem}{hint}")
    return f"<{value}>"


NOT_ABSOLUTE: Final = "not an absolute IRI"


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI (``NOT_ABSOLUTE``, or ``not a valid IRI (…)``), or None."""
    import pyoxigraph as ox

    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value):
        return NOT_ABSOLUTE
    try:
        ox.NamedNode(value)
    except ValueError as err:
        return f"not a valid IRI ({err})"
    return None


#: Where the reports' IRIs are minted: ``{SOURCE_NS}{slug}``.
SOURCE_NS: Final = ID_NS + "source/"
#: The shipped report: its id, and the IRI its description gives it.
SOURCE_ID: Final = "000_1ffa199c7bd90bb3"
SOURCE_IRI: Final = SOURCE_NS + "ap-2025-06-13-medicaid-data-dhs"
DATASET_IRI: Final = ID_NS + "dataset/casegraph"

GRAPH_ONTOLOGY: Final = GRAPH_NS + "ontology"
GRAPH_ENRICHMENT: Final = GRAPH_NS + "enrichment"
GRAPH_INFERRED: Final = GRAPH_NS + "inferred"
GRAPH_METADATA: Final = GRAPH_NS + "metadata"

#: The graphs of the shipped dataset (one report), by role: for tests, benchmarks and examples. A
#: dataset of several reports has one asserted and one evidence graph per report; code that reads a
#: dataset finds its graphs with ``graph_role`` (see ``dataset.resolve_graphs``).
GRAPHS: Final[dict[str, str]] = {role: role_graph(role, SOURCE_ID if role in REPORT_ROLES else None) for role in ROLES}


class GraphRole(StrEnum):
    """The role of a named graph of the dataset (spelt as in ``--graphs``)."""

    ONTOLOGY = "ontology"
    ASSERTED = "asserted"
    EVIDENCE = "evidence"
    ENRICHMENT = "enrichment"
    INFERRED = "inferred"
    METADATA = "metadata"


#: What ``query``, ``sparql``, ``serve`` and the Python API answer over by default: the entailed
#: view of the report's facts (so plain SPARQL finds ``?e a cg:Event``).
QUERY_GRAPHS: Final = ("ontology", "asserted", "inferred")
#: What ``export`` writes by default: the ontology, the report's facts, and the dataset's own
#: description (licence, source report with its checksum, provenance), so a file describes itself.
EXPORT_GRAPHS: Final = ("ontology", "asserted", "metadata")

#: Prefixes used in every export, in a fixed order: the published context's (``ontology/context.jsonld``).
#: Each family of instance IRIs has its own (``event:hhs-order``, not ``id:event\/hhs-order``, which
#: Turtle would have to escape), named as the family except where that name is taken: ``when:`` for
#: ``id/time/`` (``time:`` is OWL-Time) and ``orgn:`` for ``id/organization/`` (``organization`` is
#: the context's term for ``org:organization``). ``id:`` stays, for any other family.
PREFIXES: Final[dict[str, str]] = {
    "cg": ONTOLOGY_NS,
    "id": ID_NS,
    "agency": ID_NS + "agency/",
    "arrangement": ID_NS + "arrangement/",
    "assertion": ID_NS + "assertion/",
    "authority": ID_NS + "authority/",
    "build": ID_NS + "build/",
    "citation": ID_NS + "citation/",
    "claim": ID_NS + "claim/",
    "dataset": ID_NS + "dataset/",
    "document": ID_NS + "document/",
    "enrichment": ID_NS + "enrichment/",
    "event": ID_NS + "event/",
    "group": ID_NS + "group/",
    "input": ID_NS + "input/",
    "jurisdiction": ID_NS + "jurisdiction/",
    "membership": ID_NS + "membership/",
    "mention": ID_NS + "mention/",
    "orgn": ID_NS + "organization/",
    "person": ID_NS + "person/",
    "place": ID_NS + "place/",
    "post": ID_NS + "post/",
    "program": ID_NS + "program/",
    "quantity": ID_NS + "quantity/",
    "reference": ID_NS + "reference/",
    "software": ID_NS + "software/",
    "source": ID_NS + "source/",
    "when": ID_NS + "time/",
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


def expand(value: str) -> str:
    """``value`` with a prefix of the published context expanded (``person:sara-vitolo``, as the
    table view prints it, and ``id:person/sara-vitolo`` are both
    ``https://w3id.org/casegraph/id/person/sara-vitolo``); any other value as it is."""
    prefix, colon, rest = value.partition(":")
    if colon and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return value


#: The predicates whose triples need no words of the report (``casegraph.ground`` exempts them from
#: evidence; the site shows them apart as the curator's): types, names, notes, the bookkeeping of
#: dates, retirements.
UNGROUNDED: Final = frozenset(
    {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2004/02/skos/core#altLabel",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://www.w3.org/2004/02/skos/core#definition",
        "http://www.w3.org/2004/02/skos/core#note",
        "http://www.w3.org/2004/02/skos/core#editorialNote",
        ONTOLOGY_NS + "inferenceNote",
        ONTOLOGY_NS + "timeValue",
        ONTOLOGY_NS + "precision",
        ONTOLOGY_NS + "inferred",
        ONTOLOGY_NS + "earliest",
        ONTOLOGY_NS + "latest",
        "http://www.w3.org/2006/time#hasBeginning",
        "http://www.w3.org/2006/time#hasEnd",
        "http://www.w3.org/2006/time#inXSDDateTimeStamp",
        ONTOLOGY_NS + "curatorGist",
        "http://www.w3.org/2002/07/owl#deprecated",
        "http://purl.org/dc/terms/isReplacedBy",
    }
)
