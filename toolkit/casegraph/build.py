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
from .bridge import to_oxigraph, to_rdflib
from .chronology import place_in_time
from .enrichment import read_enrichment
from .errors import BuildError, OntologyError, UsageError, ValidationError
from .export import RdfFormat, export_note, graph_iri, serialize, sorted_triples
from .files import write_files
from .ground import ground
from .iris import (
    CURATION_NS,
    DATASET_IRI,
    EXPORT_GRAPHS,
    GRAPHS,
    ID_NS,
    ONTOLOGY_IRI,
    SOURCE_IRI,
)
from .ontology import CG, DCAT, DCTERMS, PROV, SKOS, SPDX, VOID, read_turtle, undeclared_terms
from .reason import Engine, reason, resolve, union
from .resources import Paths, default_paths, is_installed
from .validate import Report, Severity, ontology_findings, read_shapes, shacl

DATASET_FILE = "casegraph.nq"
EXPORT_STEM = "casegraph"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SOFTWARE = URIRef(ID_NS + "software/casegraph")
BUILD = URIRef(f"{ID_NS}build/casegraph-{__version__}")
REASONING = URIRef(f"{ID_NS}build/casegraph-{__version__}/reasoning")
ENGINE_AGENTS = {Engine.OWLRL: URIRef(ID_NS + "software/owlrl"), Engine.FAST: URIRef(ID_NS + "software/reasonable")}
ENGINE_NAMES = {Engine.OWLRL: "owlrl, the OWL 2 RL reference reasoner", Engine.FAST: "reasonable (OWL 2 RL, Rust)"}


#: The graphs a curator writes (the build adds inferred and metadata).
_CURATED_ROLES = ("ontology", "asserted", "evidence", "enrichment")
#: The graphs of data (not the ontology, not derived by reasoning) that must use declared terms.
_DATA_ROLES = ("asserted", "evidence", "enrichment", "metadata")


@dataclass(frozen=True)
class Sources:
    """Everything a build reads, with the SHA-256 of each file."""

    ontology: Graph
    facts: Graph
    enrichment: Graph
    retired: Graph
    description: Graph
    text: str
    digests: dict[str, str]
    #: each input file but the source text, by name: its path in the tree, as the metadata gives it
    inputs: dict[str, str]
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
    files = {"ontology": paths.ontology, "facts": paths.facts, "source": paths.source, "description": paths.description}
    description = read_turtle(paths.description)
    if (URIRef(SOURCE_IRI), RDF.type, None) not in description:
        raise OntologyError(
            f"{paths.description}: does not describe <{SOURCE_IRI}> (no rdf:type); describe the report there"
        )
    for name in ("enrichment", "retired"):
        if getattr(paths, name).exists():
            files[name] = getattr(paths, name)
    return Sources(
        ontology=read_turtle(paths.ontology),
        facts=read_turtle(paths.facts),
        enrichment=read_enrichment(paths.enrichment),
        retired=read_turtle(paths.retired) if paths.retired.exists() else Graph(),
        description=description,
        text=text,
        digests={name: _sha256(path) for name, path in files.items()},
        inputs={name: path.relative_to(paths.root).as_posix() for name, path in files.items() if name != "source"},
        facts_path=paths.facts,
    )


def _add_checksum(graph: Graph, node: URIRef, digest: str) -> None:
    checksum = URIRef(f"{node}/checksum/sha256")
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(digest)))


def describe_source(sources: Sources) -> Graph:
    """The source document as its curated description gives it (title, authors, publisher, date,
    rights holder, language, a note), with what the build measures: its length and SHA-256."""
    g = Graph()
    for triple in sources.description:
        g.add(triple)
    src = URIRef(SOURCE_IRI)
    g.add((src, CG.characterCount, Literal(len(sources.text), datatype=XSD.nonNegativeInteger)))
    _add_checksum(g, src, sources.digests["source"])
    return g


def describe_inputs(sources: Sources) -> Graph:
    """The part of the metadata that depends only on the inputs: the source, the dataset's
    title and licence, and the build with the SHA-256 of every input file."""
    g = describe_source(sources)
    ds = URIRef(DATASET_IRI)
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("casegraph: the HHS-CMS-DHS Medicaid data transfer", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.source, URIRef(SOURCE_IRI)))
    g.add((ds, DCTERMS.hasVersion, Literal(__version__)))
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    g.add((ds, PROV.wasGeneratedBy, BUILD))
    g.add((BUILD, RDF.type, PROV.Activity))
    g.add((BUILD, PROV.wasAssociatedWith, SOFTWARE))
    g.add((SOFTWARE, RDF.type, PROV.SoftwareAgent))
    g.add((SOFTWARE, SKOS.prefLabel, Literal("casegraph", lang="en")))
    g.add((SOFTWARE, DCTERMS.hasVersion, Literal(__version__)))
    for name, file in sources.inputs.items():
        entity = URIRef(f"{ID_NS}input/{name}")
        g.add((BUILD, PROV.used, entity))
        g.add((entity, RDF.type, PROV.Entity))
        g.add((entity, DCTERMS.identifier, Literal(file)))
        _add_checksum(g, entity, sources.digests[name])
    g.add((BUILD, PROV.used, URIRef(SOURCE_IRI)))
    for triple in sources.retired:  # retired IRIs stay resolvable: deprecated, with their replacements
        g.add(triple)
    return g


def _graph_facts_subjects() -> set[URIRef]:
    """Subjects of the metadata that describe the graphs (recomputed whenever graphs change)."""
    return {URIRef(iri) for iri in GRAPHS.values()} | {REASONING, *ENGINE_AGENTS.values()}


def inputs_part(metadata: Graph) -> Graph:
    """The metadata without what describes the graphs (counts, subsets, reasoning)."""
    volatile = _graph_facts_subjects()
    kept = Graph()
    for s, p, o in metadata:
        if s in volatile or (s == URIRef(DATASET_IRI) and p == VOID.subset):
            continue
        kept.add((s, p, o))
    return kept


def describe_dataset(graphs: dict[str, Graph], inputs: Graph, engine: Engine) -> Graph:
    """The metadata graph: ``inputs`` plus VoID subsets and triple counts per graph (the metadata
    graph counts itself) and the provenance of the inferred graph."""
    g = Graph()
    for triple in inputs:
        g.add(triple)
    ds = URIRef(DATASET_IRI)
    roles = [role for role in GRAPHS if role in graphs] + ["metadata"]
    for role in roles:
        g.add((ds, VOID.subset, URIRef(GRAPHS[role])))
        g.add((URIRef(GRAPHS[role]), RDF.type, VOID.Dataset))
    if "inferred" in graphs:
        inferred = URIRef(GRAPHS["inferred"])
        g.add((inferred, PROV.wasGeneratedBy, REASONING))
        g.add((REASONING, RDF.type, PROV.Activity))
        g.add((REASONING, PROV.used, URIRef(GRAPHS["ontology"])))
        g.add((REASONING, PROV.used, URIRef(GRAPHS["asserted"])))
        agents = (Engine.OWLRL,) if engine is Engine.OWLRL else (Engine.FAST, Engine.OWLRL)
        for agent in agents:
            g.add((REASONING, PROV.wasAssociatedWith, ENGINE_AGENTS[agent]))
            g.add((ENGINE_AGENTS[agent], RDF.type, PROV.SoftwareAgent))
            g.add((ENGINE_AGENTS[agent], SKOS.prefLabel, Literal(ENGINE_NAMES[agent], lang="en")))
    for role in roles:  # the metadata's own count is a placeholder until the graph is complete
        g.add((URIRef(GRAPHS[role]), VOID.triples, Literal(len(graphs[role]) if role in graphs else 0)))
    g.set((URIRef(GRAPHS["metadata"]), VOID.triples, Literal(len(g))))
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
    for role in [r for r in _DATA_ROLES if r in graphs]:
        unknown = undeclared_terms(graphs[role], ontology)
        if unknown:
            names = ", ".join(f"cg:{str(t).split('#', 1)[1]}" for t in unknown)
            raise OntologyError(
                f"{role} graph uses terms the ontology does not declare: {names}; "
                "fix the spelling or declare them in ontology/casegraph.ttl"
            )


def conformance(graphs: dict[str, Graph], shapes: Graph | None = None) -> Report:
    """SHACL over the union of the graphs, plus the ontology checks that need no reasoner."""
    report = shacl(union(*graphs.values()), shapes if shapes is not None else read_shapes(), graphs["ontology"])
    data = [graphs[role] for role in _DATA_ROLES if role in graphs]
    return report + ontology_findings(graphs["ontology"], data)


def require_conformance(report: Report) -> None:
    """Raises ValidationError (nothing is written) when ``report`` has violations."""
    if report.conforms:
        return
    violations = [f for f in report.findings if f.severity is Severity.VIOLATION]
    first = violations[0]
    raise ValidationError(
        f"the dataset does not conform: {len(violations)} violation(s), the first: {first.focus}"
        f"{' [' + first.path + ']' if first.path else ''}: {first.message}; nothing was written "
        "(run `casegraph validate --root DIR` for the full report)"
    )


def complete(graphs: dict[str, Graph], inputs: Graph, engine: Engine) -> dict[str, Graph]:
    """Add the inferred graph (the closure of ontology + asserted only) and the metadata graph to
    the curated graphs (ontology, asserted, evidence, enrichment), then check everything."""
    graphs = {role: graphs[role] if role in graphs else Graph() for role in _CURATED_ROLES}
    graphs["inferred"] = reason(graphs["ontology"], graphs["asserted"], engine=engine)
    graphs["metadata"] = describe_dataset(graphs, inputs, engine)
    check_graphs(graphs, graphs["ontology"])
    return graphs


def assemble(sources: Sources, *, engine: Engine = Engine.OWLRL) -> dict[str, Graph]:
    """The dataset's named graphs by role (ontology, asserted, evidence, enrichment, inferred,
    metadata), checked but not yet validated against the shapes."""
    grounded = ground(sources.facts, sources.text, SOURCE_IRI, where=str(sources.facts_path))
    asserted = union(grounded.asserted, place_in_time(grounded.asserted, where=str(sources.facts_path)))
    curated = {
        "ontology": sources.ontology,
        "asserted": asserted,
        "evidence": grounded.evidence,
        "enrichment": sources.enrichment,
    }
    return complete(curated, describe_inputs(sources), engine)


def graphs_of(quads: list[ox.Quad]) -> dict[str, Graph]:
    """Quads -> rdflib graphs by role (through N-Triples, so every term is kept exactly)."""
    by_role = {role: [q for q in quads if graph_iri(q) == iri] for role, iri in GRAPHS.items()}
    graphs = {}
    for role, selected in by_role.items():
        graphs[role] = to_rdflib(sorted_triples(selected))
    return graphs


def user_graphs(quads: list[ox.Quad]) -> dict[str, Graph]:
    """A user's own RDF as graphs to validate: the shipped ontology (for the class hierarchy and
    the concepts the shapes check against) and every triple of ``quads``, whatever its graph, as
    the asserted facts."""
    from .ontology import read_ontology

    return {"ontology": read_ontology(), "asserted": to_rdflib(sorted_triples(quads))}


def reason_dataset(quads: list[ox.Quad], *, engine: Engine = Engine.AUTO) -> list[ox.Quad]:
    """A dataset's quads with the inferred graph recomputed (and the metadata updated), validated.

    Raises:
        ReasoningError: the closure is inconsistent.
        ValidationError: the result does not conform.
    """
    graphs = graphs_of(quads)
    chosen = resolve(engine, len(graphs["ontology"]) + len(graphs["asserted"]))
    graphs = complete(graphs, inputs_part(graphs["metadata"]), chosen)
    require_conformance(conformance(graphs))
    return to_quads(graphs)


def to_quads(graphs: dict[str, Graph]) -> list[ox.Quad]:
    """The graphs as pyoxigraph quads, each in its named graph."""
    quads: list[ox.Quad] = []
    for role, graph in graphs.items():
        quads.extend(to_oxigraph(graph, ox.NamedNode(GRAPHS[role])))
    return quads


def render(quads: list[ox.Quad]) -> dict[str, bytes]:
    """The files of a build: the dataset (all graphs) and the default exports, with checksums."""
    default = [q for q in quads if graph_iri(q) in {GRAPHS[role] for role in EXPORT_GRAPHS}]
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
    """Ground, assemble, reason, check, validate and write the dataset and its exports.
    Nothing is written unless everything passes.

    Args:
        paths: the source tree (the shipped one by default).
        output: the folder to write to (``graph/build`` of the source tree by default).
    """
    paths = paths or default_paths()
    if output is None and is_installed(paths.root):
        raise UsageError(
            f"{paths.root} is the dataset the installed package ships, which casegraph never writes; "
            "give --output DIR, or run `casegraph build` inside a source checkout to rebuild its graph/build"
        )
    folder = output or paths.build
    if not folder.is_dir():
        raise BuildError(f"{folder}: output folder does not exist; create it first")
    graphs = assemble(read_sources(paths))
    require_conformance(conformance(graphs, read_shapes(paths.shapes)))
    quads = to_quads(graphs)
    return BuildResult(quads=quads, files=write_files(folder, render(quads)))
