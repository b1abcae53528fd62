"""The build: the shipped dataset is current, deterministic, and keeps its invariants."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from casegraph.build import build, check_graphs, read_sources
from casegraph.errors import BuildError, GroundingError, OntologyError
from casegraph.export import graph_iri
from casegraph.iris import GRAPHS, SOURCE_ID, SOURCE_IRI, role_graph

from .conftest import REPO, SECOND, Tree, TwoReports, copy_tree, solutions
from .refresh_golden import minted_iris

SOURCE_SHA256 = "c7b65e17c2cb659ae1dd8a5d19b07749035927d23cecfb09bfb6daedb043859e"  # ../shared/sources/README.md
EX = "http://example.org/"


def test_a_bare_build_in_a_checkout_rewrites_its_graph_build_with_the_shipped_bytes(
    tmp_path: Path, paths: Tree, quads: list[ox.Quad], two_reports: TwoReports
) -> None:
    """graph/build is generated: `casegraph build` run inside a checkout (a copy here) rebuilds its
    graph/build from ontology/ and graph/, byte for byte the shipped files (built under another hash
    seed), reporting each file on stderr and nothing on stdout. The copy is the tree the second
    report was added to (tests/test_reports.py), with the report removed again as the README says:
    removing a report restores the dataset byte for byte."""
    tree = copy_tree(tmp_path, two_reports.tree)
    for added in (f"graph/sources/{SECOND}.txt", f"graph/sources/{SECOND}.ttl", f"graph/{SECOND}.ttl"):
        (tree.root / added).unlink()
    shutil.copy(paths.sources / "SHA256SUMS", tree.sources / "SHA256SUMS")
    shutil.copy(REPO / "pyproject.toml", tree.root / "pyproject.toml")
    out = tree.root / "graph" / "build"
    out.mkdir()
    built = subprocess.run(
        [sys.executable, "-m", "casegraph", "build"],
        cwd=tree.root / "graph",
        env={**os.environ, "PYTHONHASHSEED": "4242"},
        capture_output=True,
        text=True,
    )
    assert (built.returncode, built.stdout) == (0, ""), built.stderr
    written = sorted(p.name for p in paths.build.iterdir())
    assert built.stderr.splitlines() == [
        *(f"wrote {out / name}" for name in written),
        f"{len(quads)} quads in {len(written)} files",
    ]
    for name in written:
        assert (out / name).read_bytes() == (paths.build / name).read_bytes(), (
            f"{paths.build / name} is out of date; run `casegraph build` and commit graph/build/"
        )
        assert (two_reports.dataset / name).read_bytes() != (paths.build / name).read_bytes(), name


def test_the_source_text_is_the_one_given(paths: Tree) -> None:
    assert hashlib.sha256(paths.source.read_bytes()).hexdigest() == SOURCE_SHA256
    shared = REPO.parent / "shared" / "sources" / paths.source.name
    if shared.exists():
        assert shared.read_bytes() == paths.source.read_bytes()


def test_named_graphs_are_disjoint_and_have_no_blank_nodes(quads: list[ox.Quad]) -> None:
    """With one report, every graph is its own role, so no two graphs share a triple."""
    graphs_of: dict[tuple[str, str, str], set[str]] = {}
    for q in quads:
        assert not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)), q
        graphs_of.setdefault((str(q.subject), str(q.predicate), str(q.object)), set()).add(graph_iri(q))
    assert {g for gs in graphs_of.values() for g in gs} == set(GRAPHS.values())
    assert [t for t, gs in graphs_of.items() if len(gs) > 1] == []


def test_every_selector_quotes_the_source_exactly(store: ox.Store, source_text: str) -> None:
    rows = list(
        solutions(
            store.query(
                """
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact ?prefix ?suffix ?start ?end ?source WHERE {
          ?span oa:hasSource ?source ; oa:hasSelector ?q , ?p .
          ?q oa:exact ?exact . OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
          ?p oa:start ?start ; oa:end ?end .
        }""",
                use_default_graph_as_union=True,
            )
        )
    )
    assert len(rows) > 150
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert row["source"].value == SOURCE_IRI
        assert source_text[start:end] == row["exact"].value
        assert source_text[:start].endswith(row["prefix"].value if row["prefix"] else "")
        assert source_text[end:].startswith(row["suffix"].value if row["suffix"] else "")


def test_every_event_and_statement_carries_evidence(store: ox.Store) -> None:
    missing = list(
        solutions(
            store.query(
                """
        PREFIX cg: <https://w3id.org/casegraph/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?event WHERE {
          ?event a ?type . ?type rdfs:subClassOf* cg:Event .
          FILTER NOT EXISTS {
            ?statement rdf:subject ?event .
            ?annotation oa:hasBody ?statement ; oa:motivatedBy cg:grounding ; oa:hasTarget ?span .
          }
        }""",
                use_default_graph_as_union=True,
            )
        )
    )
    assert missing == []


def test_no_label_is_the_garbled_wording(store: ox.Store) -> None:
    """What the translation says (a mention's exact words) is never a label, unless the text
    happens to spell the canonical name correctly (e.g. "Laura Friedman")."""
    rows = list(
        solutions(
            store.query(
                """
        PREFIX cg: <https://w3id.org/casegraph/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?label ?exact WHERE {
          ?mention oa:motivatedBy oa:identifying ; oa:hasBody ?node ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          ?node skos:prefLabel|skos:altLabel ?label .
        }""",
                use_default_graph_as_union=True,
            )
        )
    )
    garbled = {
        "Gavin Newsoma",
        "Newsoma",
        "Social Insurance Act",
        "Data Protection Act of 1974",
        "home protection indicator",
        "Vitolos",
        "bidges",
        "Executive Ordinance of Trump",
    }
    labels = {r["label"].value for r in rows}
    assert labels.isdisjoint(garbled)
    assert "Gavin Newsom" in labels and "Social Security Act" in labels


def test_metadata_counts_every_graph(store: ox.Store, quads: list[ox.Quad]) -> None:
    counts = {
        row["g"].value: int(row["n"].value)
        for row in solutions(
            store.query(
                "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?g ?n WHERE { ?g void:triples ?n }",
                use_default_graph_as_union=True,
            )
        )
    }
    actual: dict[str, int] = {}
    for q in quads:
        actual[graph_iri(q)] = actual.get(graph_iri(q), 0) + 1
    assert counts == actual


def test_metadata_records_source_fixity_and_no_wall_clock(store: ox.Store) -> None:
    rows = list(
        solutions(
            store.query(
                f"""
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?v WHERE {{ <{SOURCE_IRI}> spdx:checksum/spdx:checksumValue ?v }}""",
                use_default_graph_as_union=True,
            )
        )
    )
    assert [r["v"].value for r in rows] == [SOURCE_SHA256]
    times = list(
        solutions(
            store.query(
                "SELECT ?t WHERE { ?s ?p ?t FILTER(datatype(?t) IN (<http://www.w3.org/2001/XMLSchema#dateTime>,"
                " <http://www.w3.org/2001/XMLSchema#dateTimeStamp>)) }",
                default_graph=[ox.NamedNode(GRAPHS["metadata"])],
            )
        )
    )
    assert times == []


def test_iris_are_pinned(quads: list[ox.Quad]) -> None:
    """Every IRI the dataset mints (ontology terms and instances) is in tests/golden/iris.txt:
    an IRI must never change silently. Refresh deliberately with
    `python -m tests.refresh_golden`."""
    minted = minted_iris(quads)
    golden = (REPO / "tests" / "golden" / "iris.txt").read_text(encoding="utf-8").split()
    assert minted == golden


def test_a_quote_missing_from_the_source_fails_the_build_naming_the_claim(tmp_path: Path, paths: Tree) -> None:
    tree = copy_tree(tmp_path, paths)
    text = tree.facts.read_text(encoding="utf-8")
    tree.facts.write_text(
        text.replace('cgc:mention "Laura Friedman" ;', 'cgc:mention "Laura Friedmann" ;'), encoding="utf-8"
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(GroundingError) as err:
        build(tree, output=out)
    at = paths.source.read_text(encoding="utf-8").index("Laura Friedman,")
    assert str(err.value) == (
        f'{tree.facts}: mention of id:person/laura-friedman: quote "Laura Friedmann" is not in the source text; '
        f'the closest words are at {at}-{at + len("Laura Friedman")}: "Laura Friedman"; '
        "copy the words exactly as the source has them (including its typos)"
    )
    assert list(out.iterdir()) == []


def test_an_undeclared_term_fails_the_build(tmp_path: Path, paths: Tree) -> None:
    tree = copy_tree(tmp_path, paths)
    text = tree.facts.read_text(encoding="utf-8")
    tree.facts.write_text(text.replace("cg:careerStatus", "cg:carreerStatus"), encoding="utf-8")
    with pytest.raises(
        OntologyError, match=rf"asserted:{SOURCE_ID} graph uses terms the ontology does not declare: cg:carreerStatus;"
    ):
        build(tree, output=tmp_path)


def test_a_turtle_syntax_error_names_file_and_line(tmp_path: Path, paths: Tree) -> None:
    tree = copy_tree(tmp_path, paths)
    lines = tree.facts.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if line.startswith("agency:hhs"))
    lines[number - 1] = "agency:hhs a cg:GovernmentAgency ;;; ]"
    tree.facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == (
        f"{tree.facts}:{number}: Turtle syntax error (Bad syntax (expected directive or statement)); fix the file"
    )


def test_blank_nodes_and_shared_triples_are_refused() -> None:
    ontology = Graph()
    with_bnode = Graph()
    with_bnode.add((URIRef(EX + "a"), URIRef(EX + "p"), BNode()))
    with pytest.raises(BuildError, match="blank node"):
        check_graphs({GRAPHS["asserted"]: with_bnode, GRAPHS["metadata"]: Graph()}, ontology)
    shared = Graph()
    shared.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("x")))
    with pytest.raises(BuildError, match=f"is in both the asserted:{SOURCE_ID} and the metadata graph"):
        check_graphs({GRAPHS["asserted"]: shared, GRAPHS["metadata"]: shared}, ontology)
    # two reports may state the same fact: each report's asserted graph holds it
    check_graphs({GRAPHS["asserted"]: shared, role_graph("asserted", "second"): shared}, ontology)


def test_a_report_needs_its_text_and_its_description(tmp_path: Path, paths: Tree) -> None:
    tree = copy_tree(tmp_path, paths)
    tree.description.unlink()
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == (
        f"{tree.description}: missing; each report in {tree.sources} needs its description beside its text "
        "(see the README, 'Adding a report')"
    )
    tree.source.unlink()
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == f"{tree.sources}: no report (*.txt) here; a dataset needs at least one"


def test_the_report_is_described_by_its_curated_turtle_beside_the_text(tmp_path: Path, paths: Tree) -> None:
    """Title, authors, date and publisher are data (graph/sources/<id>.ttl), not Python: a curator
    edits the file and the metadata follows; the build adds the length and SHA-256 it measures."""
    from casegraph.build import describe_source

    tree = copy_tree(tmp_path, paths)
    text = tree.description.read_text(encoding="utf-8")
    tree.description.write_text(text.replace('"2025-06-13"^^xsd:date', '"2025-06-14"^^xsd:date'), encoding="utf-8")
    sources = read_sources(tree)
    described = describe_source(sources, sources.reports[0])
    src = URIRef(SOURCE_IRI)
    dcterms = "http://purl.org/dc/terms/"
    assert list(described.objects(src, URIRef(dcterms + "date"))) == [
        Literal("2025-06-14", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    ]
    assert {str(o) for o in described.objects(src, URIRef(dcterms + "creator"))} == {
        "https://w3id.org/casegraph/id/person/kimberly-kindy",
        "https://w3id.org/casegraph/id/person/amanda-seitz",
    }
    spdx = "http://spdx.org/rdf/terms#"
    checksums = list(described.objects(src, URIRef(spdx + "checksum")))
    assert [str(v) for c in checksums for v in described.objects(c, URIRef(spdx + "checksumValue"))] == [SOURCE_SHA256]
    tree.description.write_text(text.replace(" a cg:NewsArticle ;", "", 1), encoding="utf-8")
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == (
        f"{tree.description}: describe the report once, as an IRI with rdf:type and "
        'dcterms:identifier "000_1ffa199c7bd90bb3.txt"'
    )


def test_the_build_records_the_versions_of_the_libraries_whose_work_is_in_it(quads: list[ox.Quad]) -> None:
    """Provenance names each library with its version (the reasoner, and what reads, writes and
    validates the data); the test environment pins exactly the versions the shipped build records
    (scripts/constraints.txt), so rebuilding it gives the same bytes."""
    from casegraph.build import LIBRARIES, library_version

    dcat_version = "http://www.w3.org/ns/dcat#version"
    recorded = {
        q.subject.value.removeprefix(ID_NS_SOFTWARE): q.object.value
        for q in quads
        if q.predicate.value == dcat_version
        and isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(ID_NS_SOFTWARE)
        and isinstance(q.object, ox.Literal)
    }
    names = [*LIBRARIES, "owlrl"]
    assert {name: recorded[name] for name in names} == {name: library_version(name) for name in names}
    pinned = dict(
        line.split("==")
        for line in (REPO / "scripts" / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert pinned == {name: recorded[name] for name in names}


ID_NS_SOFTWARE = "https://w3id.org/casegraph/id/software/"
