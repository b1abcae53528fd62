"""Build: curated facts + ontology + source text -> the dataset's named graphs, checked and written.

``ground`` turns quotes into verified offsets; this stage assembles the graphs by role
(ontology, asserted, metadata), describes the dataset (VoID counts, source fixity, licence, build
provenance with no wall-clock time), checks the invariants every published dataset keeps (no
blank nodes, disjoint graphs, no leftover shorthand, no undeclared ``cg:`` term) and writes the
dataset and its exports.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from . import __version__
from .errors import BuildError, OntologyError
from .export import RdfFormat, export_note, graph_iri, serialize
from .files import write_files
from .ground import ground
from .iris import (
    CURATION_NS,
    DATASET_IRI,
    GRAPHS,
    ID_NS,
    ONTOLOGY_IRI,
    SOURCE_ID,
    SOURCE_IRI,
)
from .ontology import CG, DCAT, DCTERMS, PROV, SCHEMA, SKOS, SPDX, VOID, read_turtle, undeclared_terms
from .resources import Paths, default_paths

DATASET_FILE = "casegraph.nq"
EXPORT_STEM = "casegraph"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SOFTWARE = URIRef(ID_NS + "software/casegraph")
AP = URIRef(ID_NS + "organization/associated-press")
FORTUNE = URIRef(ID_NS + "organization/fortune")


@dataclass(frozen=True)
class Sources:
    """Everything a build reads, with the SHA-256 of each file."""

    ontology: Graph
    facts: Graph
    text: str
    digests: dict[str, str]
    facts_path: Path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_sources(paths: Paths) -> Sources:
    """Read the ontology, the curated facts and the source text."""
    try:
        text = paths.source.read_bytes().decode("utf-8")
    except OSError as err:
        raise OntologyError(f"{paths.source}: cannot read the source text ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise OntologyError(f"{paths.source}: the source text is not UTF-8 ({err.reason} at byte {err.start})") from err
    files = {"ontology": paths.ontology, "facts": paths.facts, "source": paths.source}
    return Sources(
        ontology=read_turtle(paths.ontology),
        facts=read_turtle(paths.facts),
        text=text,
        digests={name: _sha256(path) for name, path in files.items()},
        facts_path=paths.facts,
    )


def _add_checksum(graph: Graph, node: URIRef, digest: str) -> None:
    checksum = URIRef(f"{node}/checksum/sha256")
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(digest)))


def describe_source(sources: Sources) -> Graph:
    """The source document: title, authors, publisher, date, rights holder, SHA-256."""
    g = Graph()
    src = URIRef(SOURCE_IRI)
    g.add((src, RDF.type, CG.NewsArticle))
    g.add(
        (
            src,
            DCTERMS.title,
            Literal(
                "Trump administration gives personal data of immigrant Medicaid enrollees to deportation officials",
                lang="en",
            ),
        )
    )
    g.add((src, DCTERMS.identifier, Literal(f"{SOURCE_ID}.txt")))
    g.add((src, DCTERMS.publisher, AP))
    g.add((src, DCTERMS.rightsHolder, AP))
    g.add((src, SCHEMA.publisher, FORTUNE))
    g.add((src, DCTERMS.date, Literal("2025-06-13", datatype=XSD.date)))
    g.add((src, DCTERMS.language, Literal("en")))
    g.add(
        (
            src,
            SKOS.editorialNote,
            Literal(
                "An Associated Press report as republished by Fortune, machine-translated into another "
                "language and back. The headline, authors and date are not in the supplied text: the AP "
                "published the report around Friday 13 June 2025. casegraph keeps the text as evidence; "
                "its exports carry only the quoted spans.",
                lang="en",
            ),
        )
    )
    for slug, name in (("kimberly-kindy", "Kimberly Kindy"), ("amanda-seitz", "Amanda Seitz")):
        author = URIRef(f"{ID_NS}person/{slug}")
        g.add((src, DCTERMS.creator, author))
        g.add((author, RDF.type, SCHEMA.Person))
        g.add((author, SKOS.prefLabel, Literal(name, lang="en")))
    _add_checksum(g, src, sources.digests["source"])
    return g


def describe_dataset(graphs: dict[str, Graph], sources: Sources) -> Graph:
    """The metadata graph: DCAT/VoID description, triple counts per graph, build provenance."""
    g = describe_source(sources)
    ds, build = URIRef(DATASET_IRI), URIRef(f"{ID_NS}build/casegraph-{__version__}")
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("casegraph: the HHS-CMS-DHS Medicaid data transfer", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.source, URIRef(SOURCE_IRI)))
    g.add((ds, DCTERMS.hasVersion, Literal(__version__)))
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    g.add((ds, PROV.wasGeneratedBy, build))
    g.add((build, RDF.type, PROV.Activity))
    g.add((build, PROV.wasAssociatedWith, SOFTWARE))
    g.add((SOFTWARE, RDF.type, PROV.SoftwareAgent))
    g.add((SOFTWARE, SKOS.prefLabel, Literal("casegraph", lang="en")))
    g.add((SOFTWARE, DCTERMS.hasVersion, Literal(__version__)))
    for name in ("ontology", "facts"):
        entity = URIRef(f"{ID_NS}input/{name}")
        g.add((build, PROV.used, entity))
        g.add((entity, RDF.type, PROV.Entity))
        g.add(
            (
                entity,
                DCTERMS.identifier,
                Literal("ontology/casegraph.ttl" if name == "ontology" else "graph/article.ttl"),
            )
        )
        _add_checksum(g, entity, sources.digests[name])
    g.add((build, PROV.used, URIRef(SOURCE_IRI)))
    roles = [role for role in GRAPHS if role in graphs] + ["metadata"]
    for role in roles:
        g.add((ds, VOID.subset, URIRef(GRAPHS[role])))
        g.add((URIRef(GRAPHS[role]), RDF.type, VOID.Dataset))
    # Counts: the metadata graph counts itself, so add a placeholder first (same triple count).
    counts = {role: len(graph) for role, graph in graphs.items()}
    for role in roles:
        g.add((URIRef(GRAPHS[role]), VOID.triples, Literal(counts.get(role, 0))))
    own = URIRef(GRAPHS["metadata"])
    g.set((own, VOID.triples, Literal(len(g))))
    return g


def check_graphs(graphs: dict[str, Graph], ontology: Graph) -> None:
    """The invariants every published dataset keeps.

    Raises:
        BuildError: a blank node, a triple in two graphs, or leftover curation shorthand.
        OntologyError: a ``cg:`` term the ontology does not declare.
    """
    seen: dict[tuple[object, object, object], str] = {}
    for role, graph in graphs.items():
        for triple in graph:
            if any(isinstance(term, BNode) for term in triple):
                raise BuildError(f"{role} graph: blank node in {triple}; mint an IRI instead")
            if any(isinstance(t, URIRef) and t.startswith(CURATION_NS) for t in triple):
                raise BuildError(f"{role} graph: curation shorthand left in {triple}")
            if triple in seen:
                raise BuildError(
                    f"triple {triple} is in both the {seen[triple]} and the {role} graph; named graphs must be disjoint"
                )
            seen[triple] = role
    for role in ("asserted", "metadata"):
        unknown = undeclared_terms(graphs[role], ontology)
        if unknown:
            names = ", ".join(f"cg:{str(t).split('#', 1)[1]}" for t in unknown)
            raise OntologyError(
                f"{role} graph uses terms the ontology does not declare: {names}; "
                "fix the spelling or declare them in ontology/casegraph.ttl"
            )


def assemble(sources: Sources) -> dict[str, Graph]:
    """The dataset's named graphs by role (ontology, asserted, metadata), checked."""
    graphs = {
        "ontology": sources.ontology,
        "asserted": ground(sources.facts, sources.text, SOURCE_IRI, where=str(sources.facts_path)),
    }
    graphs["metadata"] = describe_dataset(graphs, sources)
    check_graphs(graphs, sources.ontology)
    return graphs


def to_quads(graphs: dict[str, Graph]) -> list[ox.Quad]:
    """The graphs as pyoxigraph quads, each in its named graph."""
    quads: list[ox.Quad] = []
    for role, graph in graphs.items():
        name = ox.NamedNode(GRAPHS[role])
        data = graph.serialize(format="nt", encoding="utf-8")
        parsed = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        quads.extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in parsed)
    return quads


def render(quads: list[ox.Quad]) -> dict[str, bytes]:
    """The files of a build: the dataset (all graphs) and the default exports, with checksums."""
    default = [q for q in quads if graph_iri(q) in (GRAPHS["ontology"], GRAPHS["asserted"])]
    whole, usual = export_note(quads), export_note(default)
    files = {
        DATASET_FILE: serialize(quads, RdfFormat.NQUADS, note=whole),
        f"{EXPORT_STEM}.trig": serialize(quads, RdfFormat.TRIG, note=whole),
        f"{EXPORT_STEM}.ttl": serialize(default, RdfFormat.TURTLE, note=usual),
        f"{EXPORT_STEM}.jsonld": serialize(default, RdfFormat.JSONLD),
    }
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()))
    files["SHA256SUMS"] = sums.encode()
    return files


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the quads and the files written (name -> path)."""

    quads: list[ox.Quad]
    files: dict[str, Path]


def build(paths: Paths | None = None, *, output: Path | None = None) -> BuildResult:
    """Ground, assemble, check and write the dataset and its exports.

    Args:
        paths: the source tree (the shipped one by default).
        output: the folder to write to (``graph/build`` of the source tree by default).
    """
    paths = paths or default_paths()
    folder = output or paths.build
    if not folder.is_dir():
        raise BuildError(f"{folder}: output folder does not exist; create it first")
    quads = to_quads(assemble(read_sources(paths)))
    return BuildResult(quads=quads, files=write_files(folder, render(quads)))
