"""Build: curated facts + ontology + source text -> the dataset's named graphs, checked and written.

``ground`` turns quotes into verified offsets; this stage assembles the graphs by role
(ontology, asserted, metadata), describes the dataset (VoID counts, source fixity, licence, build
provenance with no wall-clock time), checks the invariants every published dataset keeps (no
blank nodes, disjoint graphs, no leftover shorthand, no undeclared ``cg:`` term) and writes the
dataset and its exports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from . import __version__
from .bridge import to_oxigraph, to_rdflib
from .chronology import place_in_time
from .dataset import select_quads
from .enrichment import read_enrichment
from .errors import BuildError, OntologyError, UsageError, ValidationError
from .export import RdfFormat, export_note, graph_hash, graph_iri, serialize, sorted_triples
from .files import MANIFEST, manifest, sha256, sha256sum_entry, write_files
from .ground import ground
from .iris import (
    CURATION_NS,
    DATASET_IRI,
    EXPORT_GRAPHS,
    ID_NS,
    ONTOLOGY_IRI,
    REPORT_ID,
    SOURCE_NS,
    graph_order,
    graph_role,
    role_graph,
    role_of,
    selector_of,
)
from .ontology import CG, DCAT, DCTERMS, PROV, SKOS, SPDX, VOID, read_turtle, undeclared_terms
from .reason import Engine, reason, resolve, union
from .release import RELEASE_NS, Release, later, read_release, version_of
from .resources import Paths, default_paths, is_installed
from .validate import Report, Severity, ontology_findings, read_shapes, shacl

DATASET_FILE = "casegraph.nq"
EXPORT_STEM = "casegraph"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SOFTWARE = URIRef(ID_NS + "software/casegraph")
#: The dataset's creator (its curators and developers, as the LICENSE names them).
CREATOR = URIRef(ID_NS + "organization/casegraph-developers")
BUILD = URIRef(f"{ID_NS}build/casegraph-{__version__}")
REASONING = URIRef(f"{ID_NS}build/casegraph-{__version__}/reasoning")
ENGINE_AGENTS = {Engine.OWLRL: URIRef(ID_NS + "software/owlrl"), Engine.FAST: URIRef(ID_NS + "software/reasonable")}
ENGINE_NAMES = {Engine.OWLRL: "owlrl, the OWL 2 RL reference reasoner", Engine.FAST: "reasonable (OWL 2 RL, Rust)"}
ENGINE_DISTRIBUTIONS = {Engine.OWLRL: "owlrl", Engine.FAST: "reasonable"}
#: The libraries whose work is in the dataset besides the reasoner: what reads the curated files,
#: writes the dataset and validates it (their versions are the build's provenance; the test
#: environment pins them, scripts/constraints.txt, so that the shipped build can be rebuilt).
LIBRARIES = {
    "rdflib": "rdflib, which reads the curated Turtle and TriG",
    "pyoxigraph": "pyoxigraph, which parses, canonicalises and writes the dataset",
    "pyshacl": "pySHACL, which validates it against the shapes",
}


def library_version(distribution: str) -> str:
    """The installed version of ``distribution`` ("unknown" when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:  # pragma: no cover - every library listed is a dependency
        return "unknown"


#: The roles of the graphs a curator writes (the build adds inferred and metadata).
_CURATED_ROLES = ("ontology", "asserted", "evidence", "enrichment")
#: The roles of the graphs of data (not the ontology, not derived by reasoning) that must use
#: declared terms.
_DATA_ROLES = ("asserted", "evidence", "enrichment", "metadata")
#: Where a report's description names its facts file (a path relative to ``graph/``); curation
#: shorthand, never published.
_FACTS = URIRef(CURATION_NS + "facts")
#: What a report's description must give at least one of: whose words the dataset quotes.
_RIGHTS = (DCTERMS.rightsHolder, DCTERMS.rights, DCTERMS.license)


@dataclass(frozen=True)
class SourceReport:
    """One source report: its id (the text's file name without ``.txt``), the IRI its description
    gives it, its text, its curated description (without the shorthand) and its curated facts."""

    id: str
    iri: URIRef
    text: str
    description: Graph
    facts: Graph
    facts_path: Path
    description_path: Path


@dataclass(frozen=True)
class Sources:
    """Everything a build reads, with the SHA-256 of each file."""

    ontology: Graph
    enrichment: Graph
    retired: Graph
    #: the release the tree builds (``graph/release.ttl``), or None when it has no record
    release: Release | None
    reports: tuple[SourceReport, ...]
    #: the SHA-256 of each file read, by input name (``ontology``, ``facts/REPORT``, …; a
    #: report's text as ``text/REPORT``)
    digests: dict[str, str]
    #: each input file but the reports' texts, by input name: its path in the tree
    inputs: dict[str, str]


def _read_text(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise OntologyError(f"{path}: cannot read the source text ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise OntologyError(f"{path}: the source text is not UTF-8 ({err.reason} at byte {err.start})") from err
    if not text.strip():
        raise OntologyError(f"{path}: the source text is empty; copy the report's text into it")
    return text


def _inside(folder: Path, path: Path) -> bool:
    """True when ``path``, links resolved, lies inside ``folder``."""
    return folder.resolve() in path.resolve().parents


def _read_report(paths: Paths, text_path: Path, files: dict[str, Path]) -> SourceReport:
    """One report of ``graph/sources/``: its text, the description beside it (``ID.ttl``) and the
    facts file the description names; records each file read in ``files``."""
    report = text_path.stem
    description_path = text_path.with_suffix(".ttl")
    if not REPORT_ID.fullmatch(report):
        raise OntologyError(
            f"{text_path}: a report's id (its file name without .txt) names its graphs: an ASCII letter or "
            "digit, then letters, digits, '_', '.' or '-', at most 100; rename it"
        )
    if not _inside(paths.sources, text_path):
        raise OntologyError(f"{text_path}: links to {text_path.resolve()}, outside {paths.sources}; copy the text here")
    if not description_path.is_file():
        raise OntologyError(
            f"{description_path}: missing; each report in {paths.sources} needs its description beside its "
            "text (see the README, 'Adding a report')"
        )
    text = _read_text(text_path)
    described = read_turtle(description_path)
    subjects = {s for s in described.subjects(DCTERMS.identifier, Literal(text_path.name)) if isinstance(s, URIRef)}
    if len(subjects) != 1 or (next(iter(subjects)), RDF.type, None) not in described:
        raise OntologyError(
            f"{description_path}: describe the report once, as an IRI with rdf:type and "
            f'dcterms:identifier "{text_path.name}"'
        )
    iri = next(iter(subjects))
    slug = iri[len(SOURCE_NS) :]
    if not iri.startswith(SOURCE_NS) or not slug or "/" in slug:
        raise OntologyError(f"{description_path}: the report's IRI <{iri}> is not {SOURCE_NS}SLUG; mint it there")
    if not any((iri, term, None) in described for term in _RIGHTS):
        raise OntologyError(
            f"{description_path}: say who holds the rights to the report or under what licence it is used "
            "(dcterms:rightsHolder, dcterms:rights or dcterms:license); the dataset republishes its words"
        )
    named = [o for o in described.objects(iri, _FACTS) if isinstance(o, Literal)]
    if len(named) != 1:
        raise OntologyError(
            f"{description_path}: name the report's facts file once, as "
            f'<{iri}> cgc:facts "FILE.ttl" (a path inside graph/)'
        )
    facts_path = paths.root / "graph" / str(named[0])
    if not _inside(paths.root / "graph", facts_path):
        where = "" if facts_path.resolve() == facts_path.absolute() else f" (it resolves to {facts_path.resolve()})"
        raise OntologyError(f"{description_path}: cgc:facts {str(named[0])!r} is not a file inside graph/{where}")
    if not facts_path.is_file():
        raise OntologyError(f"{description_path}: cgc:facts names {facts_path}, which does not exist; create it")
    description = Graph()
    for triple in described:
        if triple[1] != _FACTS:
            description.add(triple)
    files[f"text/{report}"] = text_path
    files[f"description/{report}"] = description_path
    files[f"facts/{report}"] = facts_path
    return SourceReport(
        report, iri, text, description, Graph(), facts_path, description_path
    )  # facts read once all is in place


def _check_layout(paths: Paths, reports: tuple[SourceReport, ...], ontology: Graph) -> None:
    """No description without its text, no facts file of two reports or of none, no report IRI
    used twice, and descriptions that use declared terms only.

    Raises:
        OntologyError: naming the file and what to do.
    """
    for description in sorted(paths.sources.glob("*.ttl")):
        if not description.with_suffix(".txt").is_file():
            raise OntologyError(
                f"{description}: describes a report whose text {description.with_suffix('.txt').name} is not here; "
                "add the text, or remove the description"
            )
    seen: dict[object, SourceReport] = {}
    for report in reports:
        for key, what in ((report.iri, "IRI"), (report.facts_path.resolve(), "facts file")):
            other = seen.setdefault(key, report)
            if other is not report:
                shown = f"<{key}>" if what == "IRI" else report.facts_path.name
                raise OntologyError(
                    f"{paths.sources}: reports {other.id} and {report.id} both have the {what} {shown}; "
                    "give each report its own"
                )
        unknown = undeclared_terms(report.description, ontology)
        if unknown:
            names = ", ".join(f"cg:{str(t).split('#', 1)[1]}" for t in unknown)
            raise OntologyError(
                f"{report.description_path}: uses terms the ontology does not declare: {names}; fix the spelling"
            )
    facts = {report.facts_path.resolve() for report in reports}
    for path in sorted((paths.root / "graph").glob("*.ttl")):
        if path.resolve() not in facts and path not in (paths.retired, paths.release):
            raise OntologyError(
                f"{path}: no report names it as its facts file (cgc:facts in graph/sources/ID.ttl); name it in its "
                "report's description, or remove it"
            )


def read_sources(paths: Paths) -> Sources:
    """Read the ontology, every report (text, description, curated facts), the enrichment and the
    retired IRIs.

    Raises:
        OntologyError: a file is missing, unreadable or malformed, or two reports share an IRI.
    """
    files = {"ontology": paths.ontology}
    texts = paths.report_texts()
    if not texts:
        raise OntologyError(f"{paths.sources}: no report (*.txt) here; a dataset needs at least one")
    found = tuple(_read_report(paths, text, files) for text in texts)
    ontology = read_turtle(paths.ontology)
    _check_layout(paths, found, ontology)  # before the (large) facts files are parsed: mistakes fail fast
    reports = tuple(dataclasses.replace(r, facts=read_turtle(r.facts_path)) for r in found)
    for name in ("enrichment", "retired", "release"):
        if getattr(paths, name).exists():
            files[name] = getattr(paths, name)
    digests = {name: sha256(path) for name, path in files.items()}
    _check_fixity(paths, {text.name: digests[f"text/{text.stem}"] for text in texts})
    release = read_release(paths.release)
    retired = read_turtle(paths.retired) if paths.retired.exists() else Graph()
    _check_retired(paths.retired, retired, release)
    return Sources(
        ontology=ontology,
        enrichment=read_enrichment(paths.enrichment),
        retired=retired,
        release=release,
        reports=reports,
        digests=digests,
        inputs={name: path.relative_to(paths.root).as_posix() for name, path in files.items() if "text/" not in name},
    )


def _check_retired(path: Path, retired: Graph, release: Release | None) -> None:
    """Each retired IRI says which release deprecated it (``cg:deprecatedIn``, a release IRI), and
    no release later than the one the tree builds.

    Raises:
        OntologyError: naming the file and the IRI.
    """
    deprecated_in = URIRef(str(CG) + "deprecatedIn")
    for iri in sorted(set(retired.subjects(URIRef("http://www.w3.org/2002/07/owl#deprecated"), None)), key=str):
        releases = [str(r) for r in retired.objects(iri, deprecated_in)]
        version = version_of(releases[0]) if len(releases) == 1 else None
        if version is None:
            raise OntologyError(
                f"{path}: {_short(iri)}: say once which release deprecated it, as cg:deprecatedIn <{RELEASE_NS}VERSION>"
            )
        if release is not None and later(version, release.version):
            raise OntologyError(
                f"{path}: {_short(iri)} is deprecated in {version}, later than the release {release.version} this "
                "tree builds (graph/release.ttl); bump the release, or name it"
            )


def _check_fixity(paths: Paths, digests: dict[str, str]) -> None:
    """Every report's text is the one recorded in ``graph/sources/SHA256SUMS`` (``sha256sum``'s
    format), and the file records no other: a source text is evidence and is never edited.

    Raises:
        OntologyError: the file is missing or malformed, or a text is not as recorded.
    """
    listing = paths.sources / "SHA256SUMS"
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise OntologyError(
            f"{listing}: cannot read the reports' checksums ({err.strerror}); record each text with "
            "`sha256sum ID.txt >> SHA256SUMS` in that folder"
        ) from err
    recorded: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        entry = sha256sum_entry(line)
        if entry is None:
            raise OntologyError(
                f"{listing}:{number}: not a `sha256sum` line of a file in this folder (64 hex digits, two spaces, "
                "its name)"
            )
        digest, name = entry
        if recorded.setdefault(name, digest) != digest:
            raise OntologyError(f"{listing}:{number}: {name} is recorded twice, with different SHA-256s; keep one line")
    for name, digest in sorted(digests.items()):
        if name not in recorded:
            raise OntologyError(
                f"{listing}: {name} is not recorded; add it with `sha256sum {name} >> SHA256SUMS` in that folder"
            )
        if recorded[name] != digest:
            raise OntologyError(
                f"{paths.sources / name}: the text's SHA-256 is {digest}, not the {recorded[name]} {listing.name} "
                "records; a source text is never edited (restore it), or record a new report under a new name"
            )
    extra = sorted(set(recorded) - set(digests))
    if extra:
        raise OntologyError(f"{listing}: records {extra[0]}, which is not in {paths.sources}; remove its line")


#: The W3C RDF Dataset Canonicalization: a graph checksum is the SHA-256 of its canonical N-Quads.
RDF_CANON = URIRef("https://www.w3.org/TR/rdf-canon/")


def _add_graph_checksum(graph: Graph, node: URIRef, digest: str) -> None:
    checksum = URIRef(f"{node}/checksum/rdfc-1.0-sha256")
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, DCTERMS.conformsTo, RDF_CANON))
    graph.add((checksum, SPDX.checksumValue, Literal(digest)))


def _add_checksum(graph: Graph, node: URIRef, digest: str) -> None:
    checksum = URIRef(f"{node}/checksum/sha256")
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(digest)))


def describe_source(sources: Sources, report: SourceReport) -> Graph:
    """A source report as its curated description gives it (title, authors, publisher, date,
    rights holder, language, a note), with what the build measures: its length and SHA-256."""
    g = Graph()
    for triple in report.description:
        g.add(triple)
    g.add((report.iri, CG.characterCount, Literal(len(report.text), datatype=XSD.nonNegativeInteger)))
    _add_checksum(g, report.iri, sources.digests[f"text/{report.id}"])
    return g


def describe_inputs(sources: Sources) -> Graph:
    """The part of the metadata that depends only on the inputs: the reports, the dataset's
    title and licence, and the build with the SHA-256 of every input file."""
    g = Graph()
    ds = URIRef(DATASET_IRI)
    for report in sources.reports:
        g += describe_source(sources, report)
        g.add((ds, DCTERMS.source, report.iri))
        g.add((BUILD, PROV.used, report.iri))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("casegraph: the HHS-CMS-DHS Medicaid data transfer", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.creator, CREATOR))  # who made the dataset (the report's authors made the report)
    g.add((CREATOR, RDF.type, PROV.Organization))
    g.add((CREATOR, SKOS.prefLabel, Literal("casegraph developers", lang="en")))
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    g.add((ds, PROV.wasGeneratedBy, BUILD))
    g.add((BUILD, RDF.type, PROV.Activity))
    g.add((BUILD, PROV.wasAssociatedWith, SOFTWARE))
    g.add((SOFTWARE, RDF.type, PROV.SoftwareAgent))
    g.add((SOFTWARE, SKOS.prefLabel, Literal("casegraph", lang="en")))
    g.add((SOFTWARE, DCAT.version, Literal(__version__)))
    for name, label in LIBRARIES.items():
        library = URIRef(f"{ID_NS}software/{name}")
        g.add((BUILD, PROV.wasAssociatedWith, library))
        g.add((library, RDF.type, PROV.SoftwareAgent))
        g.add((library, SKOS.prefLabel, Literal(label, lang="en")))
        g.add((library, DCAT.version, Literal(library_version(name))))
    for name, file in sources.inputs.items():
        entity = URIRef(f"{ID_NS}input/{name}")
        g.add((BUILD, PROV.used, entity))
        g.add((entity, RDF.type, PROV.Entity))
        g.add((entity, DCTERMS.identifier, Literal(file)))
        _add_checksum(g, entity, sources.digests[name])
    for triple in sources.retired:  # retired IRIs stay resolvable: deprecated, with their replacements
        g.add(triple)
    if sources.release is not None:
        g += describe_release(sources.release)
    return g


def describe_release(release: Release) -> Graph:
    """The release identity (DCAT 3 versioning, PROV): the record's triples about the release
    ``…/dataset/casegraph/VERSION``; the stable dataset IRI with the current release's version and
    issue date and its versions (the release, and the one it revises); the release a version of the
    dataset, generated by this build, and its previous version (``dcat:previousVersion``, DCAT's
    sub-property of the record's ``prov:wasRevisionOf``)."""
    g = Graph()
    for triple in release.record:
        g.add(triple)
    ds, iri = URIRef(DATASET_IRI), URIRef(release.iri)
    g.add((ds, DCAT.version, Literal(release.version)))
    g.add((ds, DCTERMS.issued, Literal(release.issued, datatype=XSD.date)))
    g.add((ds, DCAT.hasCurrentVersion, iri))
    g.add((ds, DCAT.hasVersion, iri))
    g.add((iri, DCTERMS.isVersionOf, ds))
    g.add((iri, PROV.wasGeneratedBy, BUILD))
    if release.previous is not None:
        g.add((ds, DCAT.hasVersion, URIRef(release.previous)))
        g.add((iri, DCAT.previousVersion, URIRef(release.previous)))
    return g


def _is_graph_fact(subject: object) -> bool:
    """True for subjects of the metadata that describe the graphs (recomputed whenever graphs
    change): the graphs themselves, the reasoning and its engines."""
    return (isinstance(subject, URIRef) and graph_role(str(subject)) is not None) or subject in {
        REASONING,
        *ENGINE_AGENTS.values(),
    }


def inputs_part(metadata: Graph) -> Graph:
    """The metadata without what describes the graphs (counts, subsets, reasoning)."""
    kept = Graph()
    for s, p, o in metadata:
        if _is_graph_fact(s) or (s == URIRef(DATASET_IRI) and p == VOID.subset):
            continue
        kept.add((s, p, o))
    return kept


def of_role(graphs: Mapping[str, Graph], role: str) -> list[str]:
    """The names of the graphs of ``role`` among ``graphs``, in canonical order."""
    return [g for g in sorted(graphs, key=graph_order) if role_of(g) == role]


def role_union(graphs: Mapping[str, Graph], role: str) -> Graph:
    """All the triples of the graphs of ``role`` (every report's, for a per-report role)."""
    names = of_role(graphs, role)
    return graphs[names[0]] if len(names) == 1 else union(*(graphs[g] for g in names))


def describe_dataset(graphs: dict[str, Graph], inputs: Graph, engine: Engine) -> Graph:
    """The metadata graph: ``inputs`` plus VoID subsets and triple counts per graph (the metadata
    graph counts itself) and the provenance of the inferred graph."""
    g = Graph()
    for triple in inputs:
        g.add(triple)
    ds = URIRef(DATASET_IRI)
    metadata = role_graph("metadata")
    names = [name for name in sorted(graphs, key=graph_order) if name != metadata] + [metadata]
    for name in names:
        g.add((ds, VOID.subset, URIRef(name)))
        g.add((URIRef(name), RDF.type, VOID.Dataset))
        report = (graph_role(name) or ("", None))[1]
        for source in inputs.subjects(DCTERMS.identifier, Literal(f"{report}.txt")) if report else ():
            g.add((URIRef(name), DCTERMS.source, source))  # the report whose graph it is
    inferred = role_graph("inferred")
    if inferred in graphs:
        g.add((URIRef(inferred), PROV.wasGeneratedBy, REASONING))
        g.add((REASONING, RDF.type, PROV.Activity))
        for used in [role_graph("ontology"), *of_role(graphs, "asserted")]:
            g.add((REASONING, PROV.used, URIRef(used)))
        agents = (Engine.OWLRL,) if engine is Engine.OWLRL else (Engine.FAST, Engine.OWLRL)
        for agent in agents:
            g.add((REASONING, PROV.wasAssociatedWith, ENGINE_AGENTS[agent]))
            g.add((ENGINE_AGENTS[agent], RDF.type, PROV.SoftwareAgent))
            g.add((ENGINE_AGENTS[agent], SKOS.prefLabel, Literal(ENGINE_NAMES[agent], lang="en")))
            g.add((ENGINE_AGENTS[agent], DCAT.version, Literal(library_version(ENGINE_DISTRIBUTIONS[agent]))))
    for name in names:  # the metadata's own count is a placeholder until the graph is complete
        g.add((URIRef(name), VOID.triples, Literal(len(graphs[name]) if name in graphs else 0)))
        if name != metadata and name in graphs:  # fixity of the content, whatever the serialisation
            _add_graph_checksum(g, URIRef(name), graph_hash(to_oxigraph(graphs[name], ox.NamedNode(name))))
    g.set((URIRef(metadata), VOID.triples, Literal(len(g))))
    return g


def check_graphs(graphs: dict[str, Graph], ontology: Graph) -> None:
    """The invariants every published dataset keeps.

    Raises:
        BuildError: a blank node, a triple in graphs of two roles (two reports' graphs of one role
            may share triples: each report says it), or leftover curation shorthand.
        OntologyError: a ``cg:`` term the ontology does not declare.
    """
    seen: dict[tuple[object, object, object], str] = {}  # triple -> the first graph holding it
    for name, graph in graphs.items():
        role = selector_of(name)
        for triple in graph:
            if any(isinstance(term, BNode) for term in triple):
                raise BuildError(f"{role} graph: blank node in {triple}; mint an IRI instead")
            if any(isinstance(t, URIRef) and t.startswith(CURATION_NS) for t in triple):
                raise BuildError(f"{role} graph: curation shorthand left in {triple}")
            other = seen.setdefault(triple, name)
            if role_of(other) != role_of(name):
                shown = " ".join(t.n3() for t in triple)
                raise BuildError(
                    f"the triple {shown} is in both the {selector_of(other)} and the {role} graph; graphs of "
                    "different roles must be disjoint: keep it in one file"
                )
    for name in [g for role in _DATA_ROLES for g in of_role(graphs, role)]:
        unknown = undeclared_terms(graphs[name], ontology)
        if unknown:
            names = ", ".join(f"cg:{str(t).split('#', 1)[1]}" for t in unknown)
            raise OntologyError(
                f"{selector_of(name)} graph uses terms the ontology does not declare: {names}; "
                "fix the spelling or declare them in ontology/casegraph.ttl"
            )


def conformance(graphs: dict[str, Graph], shapes: Graph | None = None) -> Report:
    """SHACL over the union of the graphs, plus the ontology checks that need no reasoner."""
    ontology = role_union(graphs, "ontology")
    report = shacl(union(*graphs.values()), shapes if shapes is not None else read_shapes(), ontology)
    data = [graphs[g] for role in _DATA_ROLES for g in of_role(graphs, role)]
    return report + ontology_findings(ontology, data)


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
    """Add the inferred graph (the closure of the ontology and every asserted graph only) and the
    metadata graph to the curated graphs (ontology, asserted and evidence per report,
    enrichment), by graph name, then check everything."""
    curated = {name: graph for name, graph in graphs.items() if role_of(name) in _CURATED_ROLES}
    for role in ("ontology", "enrichment"):
        curated.setdefault(role_graph(role), Graph())
    ontology = curated[role_graph("ontology")]
    curated[role_graph("inferred")] = reason(ontology, role_union(curated, "asserted"), engine=engine)
    curated[role_graph("metadata")] = describe_dataset(curated, inputs, engine)
    check_graphs(curated, ontology)
    return {name: curated[name] for name in sorted(curated, key=graph_order)}


def assemble(sources: Sources, *, engine: Engine = Engine.OWLRL) -> dict[str, Graph]:
    """The dataset's named graphs by name (ontology; asserted and evidence per report;
    enrichment, inferred, metadata), checked but not yet validated against the shapes."""
    curated = {role_graph("ontology"): sources.ontology, role_graph("enrichment"): sources.enrichment}
    curated.update(ground_reports(sources))
    return complete(curated, describe_inputs(sources), engine)


def ground_reports(sources: Sources) -> dict[str, Graph]:
    """Each report's asserted graph (its facts placed in time) and evidence graph, by graph name,
    checked to stand alone and to agree with the other reports on what they share.

    Raises:
        GroundingError: a quote is missing, ambiguous or off its triple; BuildError: see
            :func:`_check_shared_entities`.
    """
    graphs: dict[str, Graph] = {}
    for report in sources.reports:
        where = str(report.facts_path)
        grounded = ground(report.facts, report.text, str(report.iri), where=where)
        graphs[role_graph("asserted", report.id)] = union(
            grounded.asserted, place_in_time(grounded.asserted, where=where)
        )
        graphs[role_graph("evidence", report.id)] = grounded.evidence
    _check_shared_entities(sources, graphs)
    return graphs


def _short(term: object) -> str:
    """A term as a message shows it: ``id:…`` or ``cg:…`` where it can, else N-Triples."""
    for prefix, space in (("id:", ID_NS), ("cg:", str(CG)), ("skos:", str(SKOS)), ("rdf:", str(RDF))):
        if isinstance(term, URIRef) and term.startswith(space):
            return prefix + term[len(space) :]
    return term.n3() if isinstance(term, (URIRef, Literal)) else str(term)


def _check_shared_entities(sources: Sources, graphs: Mapping[str, Graph]) -> None:
    """Each report's asserted graph stands alone, and reports agree on what they share: every
    entity a report's facts name has its type there (the reports themselves excepted: the metadata
    describes them), an entity named by several reports has the same types and preferred labels in
    each, and a description restates none of the facts.

    Raises:
        BuildError: naming the facts file (or description), the entity and what to do.
    """
    reports = {report.iri for report in sources.reports}
    seen: dict[URIRef, tuple[SourceReport, frozenset[str], frozenset[str]]] = {}
    for report in sources.reports:
        asserted = graphs[role_graph("asserted", report.id)]
        named = {t for triple in asserted for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
        for entity in sorted(t for t in named if t.startswith(ID_NS) and t not in reports):
            types = frozenset(_short(o) for o in asserted.objects(entity, RDF.type))
            labels = frozenset(o.n3() for o in asserted.objects(entity, SKOS.prefLabel) if isinstance(o, Literal))
            if not types:
                raise BuildError(
                    f"{report.facts_path}: {_short(entity)} has no rdf:type; give every entity the facts name its "
                    "type and canonical label, as the other facts files do"
                )
            other = seen.setdefault(entity, (report, types, labels))
            for what, mine, theirs in (("types", types, other[1]), ("preferred labels", labels, other[2])):
                if mine != theirs:
                    shown = [", ".join(sorted(x)) for x in (mine, theirs)]
                    raise BuildError(
                        f"{report.facts_path}: {_short(entity)} has the {what} {shown[0] or 'none'}, but "
                        f"{other[0].facts_path.name} gives it {shown[1] or 'none'}; an entity is the same in every "
                        "report: use the same"
                    )
        restated = sorted(triple for triple in report.description if triple in asserted)
        if restated:
            s, p, o = restated[0]
            raise BuildError(
                f"{report.description_path}: restates {_short(s)} {_short(p)} {_short(o)} of the facts; describe the "
                "report here and refer to the entities its facts name by IRI only"
            )


def graphs_of(quads: list[ox.Quad]) -> dict[str, Graph]:
    """Quads -> rdflib graphs by graph name (through N-Triples, so every term is kept exactly),
    with the ontology graph always present."""
    grouped: dict[str, list[ox.Quad]] = {role_graph("ontology"): []}
    for q in quads:
        grouped.setdefault(graph_iri(q), []).append(q)
    return {name: to_rdflib(sorted_triples(grouped[name])) for name in sorted(grouped, key=graph_order)}


def user_graphs(quads: list[ox.Quad]) -> dict[str, Graph]:
    """A user's own RDF as graphs to validate: the shipped ontology (for the class hierarchy and
    the concepts the shapes check against) and every triple of ``quads``, whatever its graph, as
    the asserted facts of one report."""
    from .ontology import read_ontology

    return {role_graph("ontology"): read_ontology(), role_graph("asserted", "data"): to_rdflib(sorted_triples(quads))}


def reason_dataset(quads: list[ox.Quad], *, engine: Engine = Engine.AUTO) -> list[ox.Quad]:
    """A dataset's quads with the inferred graph recomputed (and the metadata updated), validated.

    Raises:
        ReasoningError: the closure is inconsistent.
        ValidationError: the result does not conform.
    """
    graphs = graphs_of(quads)
    chosen = resolve(engine, len(role_union(graphs, "ontology")) + len(role_union(graphs, "asserted")))
    graphs = complete(graphs, inputs_part(graphs.get(role_graph("metadata"), Graph())), chosen)
    require_conformance(conformance(graphs))
    return to_quads(graphs)


def to_quads(graphs: dict[str, Graph]) -> list[ox.Quad]:
    """The graphs as pyoxigraph quads, each in its named graph."""
    quads: list[ox.Quad] = []
    for name, graph in graphs.items():
        quads.extend(to_oxigraph(graph, ox.NamedNode(name)))
    return quads


def render(quads: list[ox.Quad]) -> dict[str, bytes]:
    """The files of a build: the dataset (all graphs) and the default exports, with checksums."""
    default = select_quads(quads, EXPORT_GRAPHS)
    whole, usual = export_note(quads), export_note(default)
    files = {
        DATASET_FILE: serialize(quads, RdfFormat.NQUADS, note=whole),
        f"{EXPORT_STEM}.trig": serialize(quads, RdfFormat.TRIG, note=whole),
        f"{EXPORT_STEM}.ttl": serialize(default, RdfFormat.TURTLE, note=usual),
        f"{EXPORT_STEM}.jsonld": serialize(default, RdfFormat.JSONLD),
    }
    files[MANIFEST] = manifest(files)
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
    if folder.exists() and not folder.is_dir():
        raise BuildError(f"{folder}: is a file, not a folder; give a folder for the dataset")
    graphs = assemble(read_sources(paths))
    require_conformance(conformance(graphs, read_shapes(paths.shapes)))
    quads = to_quads(graphs)
    return BuildResult(quads=quads, files=write_files(folder, render(quads)))
