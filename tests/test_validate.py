"""Validation: the article's dataset conforms; each planted defect fails with its exact message."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from casegraph.build import build, graphs_of
from casegraph.errors import OntologyError, ValidationError
from casegraph.iris import selector_of
from casegraph.ontology import read_ontology, read_turtle
from casegraph.validate import Finding, Report, ReportFormat, Severity, ontology_findings, read_shapes, render, shacl

from .conftest import REPO, Run, Tree, copy_tree

DATA = REPO / "tests" / "data"
T = "https://w3id.org/casegraph/id/test/"
CG = "https://w3id.org/casegraph/ontology#"
OA = "http://www.w3.org/ns/oa#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
V = Severity.VIOLATION

SHAPE_CASES = {
    "event-without-evidence": [
        (
            T + "order",
            f"^{RDF}subject / ^{OA}hasBody",
            "An event has no evidence: no triple about it has a span of the report; "
            "give it a cgc:evidence block with the source's exact words.",
        ),
    ],
    "annotation-without-target": [
        (
            T + "ann",
            OA + "hasTarget",
            "An annotation needs at least one target (oa:hasTarget): a span of the report (oa:SpecificResource).",
        ),
    ],
    "grounding-body-not-statement": [
        (T + "ann2", "", "A grounding annotation's body must be an rdf:Statement."),
    ],
    "statement-not-asserted": [
        (
            RDF + "Statement",
            "",
            f"A reified statement describes a triple that is not asserted ({T}st2); "
            "evidence is only for what the graph says.",
        ),
    ],
    "enrichment-without-reference": [
        (
            T + "st",
            "",
            "A reified statement has no support: no grounding annotation targets it with a span, it is not flagged "
            "as a curator inference (cg:inferred true with a note), and it names no reference (dcterms:source).",
        ),
    ],
    "quote-without-rendering": [
        (
            T + "words",
            CG + "rendering",
            "A quote must say whose wording it is (cg:rendering, e.g. cg:BackTranslation for this report's "
            "machine translation).",
        ),
    ],
    "reference-without-label": [
        (T + "reference", SKOS_PREF, "A reference needs a label (skos:prefLabel) saying what work it is."),
    ],
    "offsets-outside-text": [
        (T + "source", "", "The selection's offsets (95-120) lie outside the source text (100 characters)."),
    ],
    "start-after-end": [
        (
            T + "ev-p",
            OA + "start",
            "A position selector needs one oa:start (xsd:nonNegativeInteger) before its oa:end.",
        ),
    ],
    "no-quote-selector": [
        (
            T + "ev",
            OA + "hasSelector",
            "A selection of the text needs exactly one oa:TextQuoteSelector (the exact words).",
        ),
    ],
    "transfer-incomplete": [
        (T + "transfer", CG + "recipient", "A data transfer needs a recipient (cg:recipient)."),
        (
            T + "transfer",
            f"{CG}transferredDataset / {CG}containsDataCategory",
            "A data transfer's dataset needs its personal-data categories (cg:containsDataCategory).",
        ),
    ],
    "statement-without-quote": [
        (
            T + "said",
            "",
            "A statement needs the words said (a cgc:quotation, which becomes cg:hasQuote), or cg:paraphrased true "
            "where the report gives no words of the speaker.",
        ),
    ],
    "directive-without-issuer": [
        (T + "order", CG + "issuedBy", "A directive needs an issuer (cg:issuedBy)."),
    ],
    "person-two-labels": [
        (T + "someone", SKOS_PREF, "A person needs exactly one preferred label (skos:prefLabel) per language."),
    ],
    "organization-without-label": [
        (T + "agency", SKOS_PREF, "An organisation needs exactly one preferred label (skos:prefLabel) per language."),
    ],
    "date-not-typed": [
        (T + "when", CG + "timeValue", "A time value must be one xsd:date, xsd:dateTime, xsd:gYearMonth or xsd:gYear."),
    ],
    "bounds-out-of-order": [
        (
            T + "when",
            "",
            "A time's bounds are out of order: its earliest instant (2025-06-14T00:00:00-04:00) is after its latest "
            "(2025-06-10T00:00:00-04:00).",
        ),
    ],
    "time-without-bounds": [
        (
            T + "when",
            CG + "earliest",
            "A time needs exactly one earliest instant (cg:earliest, an xsd:dateTimeStamp with its offset).",
        ),
        (
            T + "when",
            CG + "latest",
            "A time needs exactly one latest instant (cg:latest, an xsd:dateTimeStamp with its offset).",
        ),
    ],
    "authority-untyped": [
        (
            T + "law",
            "",
            "A cited legal authority must be typed as a legal authority (cg:Statute, cg:ExecutiveOrder, cg:Policy, …).",
        ),
        (T + "law", SKOS_PREF, "A cited legal authority needs a label (skos:prefLabel)."),
    ],
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return read_shapes()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return read_ontology()


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_each_shape_catches_its_planted_defect(case: str, shapes: Graph, ontology: Graph) -> None:
    report = shacl(read_turtle(DATA / "shapes" / f"{case}.ttl"), shapes, ontology)
    assert not report.conforms
    assert [(f.focus, f.path, f.message) for f in report.findings] == SHAPE_CASES[case]
    assert {f.severity for f in report.findings} == {V}


def test_every_shape_has_a_planted_defect(shapes: Graph) -> None:
    """Each node shape is exercised by at least one fixture above."""
    from rdflib import RDF, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    node_shapes = {str(s).rsplit("#", 1)[-1] for s in shapes.subjects(RDF.type, sh.NodeShape)}
    covered = {
        "EventShape",
        "AnnotationShape",
        "GroundingShape",
        "StatementOfTripleShape",
        "AssertedStatementShape",
        "SourceOffsetsShape",
        "QuoteShape",
        "EnrichmentReferenceShape",
        "SpanShape",
        "PositionSelectorShape",
        "DataTransferShape",
        "StatementShape",
        "DirectiveShape",
        "PersonShape",
        "OrganizationShape",
        "TimeShape",
        "CitedAuthorityShape",
    }
    assert node_shapes - covered == {"QuoteSelectorShape"}  # exercised with the span's own defects below


def test_an_empty_exact_is_refused(shapes: Graph, ontology: Graph) -> None:
    data = read_turtle(DATA / "shapes" / "start-after-end.ttl")
    text = data.serialize(format="nt").replace('"words"', '""')
    report = shacl(Graph().parse(data=text, format="nt"), shapes, ontology)
    assert ("A quote selector needs exactly one non-empty oa:exact string.") in [f.message for f in report.findings]


def test_an_undeclared_term_is_an_ontology_finding(ontology: Graph) -> None:
    report = ontology_findings(ontology, [read_turtle(DATA / "ontology" / "undefined-term.ttl")])
    assert report.findings == (
        Finding(
            V,
            CG + "issuedby",
            "term used in the data but not declared in the ontology (misspelt?)",
            source="https://w3id.org/casegraph/checks#declared",
        ),
    )


def test_an_unlabelled_or_undefined_term_is_an_ontology_finding(ontology: Graph) -> None:
    extended = Graph()
    for graph in (ontology, read_turtle(DATA / "ontology" / "unlabelled-class.ttl")):
        for triple in graph:
            extended.add(triple)
    report = ontology_findings(extended, [])
    assert [(f.focus, f.message) for f in report.findings] == [
        (CG + "Widget", "definition missing: every class and property needs an rdfs:label and a skos:definition"),
        (CG + "widgetOf", "label missing: every class and property needs an rdfs:label and a skos:definition"),
    ]


def test_build_refuses_an_inconsistent_graph(tmp_path: Path, paths: Tree) -> None:
    tree = copy_tree(tmp_path, paths)
    with tree.facts.open("a", encoding="utf-8") as out:
        out.write("\nevent:hhs-order a cg:Memo .\n")
    target = tmp_path / "out"
    target.mkdir()
    from casegraph.errors import ReasoningError

    with pytest.raises(ReasoningError, match="https://w3id.org/casegraph/id/event/hhs-order"):
        build(tree, output=target)
    assert list(target.iterdir()) == []


def test_a_malformed_shapes_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "shapes.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\nsh:x sh:y [ .\n", encoding="utf-8")
    with pytest.raises(OntologyError, match=rf"^{bad}:3: Turtle syntax error"):
        read_shapes(bad)


def test_the_article_dataset_conforms_and_the_command_says_so(run: Run) -> None:
    """The shipped dataset: shapes, ontology checks and a fresh, consistent closure."""
    ok = run("validate", "--no-profile", "--format", "json")
    assert (ok.exit_code, json.loads(ok.stdout)) == (0, {"conforms": True, "findings": []})


def test_a_conforming_report_renders_as_text_json_and_a_shacl_report() -> None:
    conforming = Report(())
    assert render(conforming, ReportFormat.TEXT) == "conforms: no violations\n"
    assert json.loads(render(conforming, ReportFormat.JSON)) == {"conforms": True, "findings": []}
    report = Graph().parse(data=render(conforming, ReportFormat.TURTLE), format="turtle")
    assert len(report) == 2  # [] a sh:ValidationReport ; sh:conforms true


def test_validate_and_build_read_the_trees_own_shapes(run: Run, tmp_path: Path, paths: Tree) -> None:
    """`--root TREE` means the same in both commands: the tree's ontology, facts *and* shapes."""
    tree = copy_tree(tmp_path, paths)
    text = tree.facts.read_text(encoding="utf-8")
    tree.facts.write_text(
        text.replace('skos:prefLabel "Sara Vitolo"@en ;', 'skos:prefLabel "Sara Vitolo"@en , "S. Vitolo"@en ;'),
        encoding="utf-8",
    )
    shapes = tree.shapes.read_text(encoding="utf-8")
    stricter = shapes + (
        "\ncgs:BrandtHasAnAlias a sh:NodeShape ;"
        " sh:targetNode <https://w3id.org/casegraph/id/person/kim-brandt> ;"
        " sh:property [ sh:path skos:altLabel ; sh:minCount 1 ;"
        ' sh:message "A test shape: give Kim Brandt an alias."@en ] .\n'
    )
    tree.shapes.write_text(stricter, encoding="utf-8")
    bad = run("validate", "--no-profile", "--root", str(tree.root))
    assert bad.exit_code == 1
    assert bad.stdout == (
        "Violation: https://w3id.org/casegraph/id/person/kim-brandt (Kim Brandt) "
        f"[http://www.w3.org/2004/02/skos/core#altLabel]: A test shape: give Kim Brandt an alias.\n"
        "Violation: https://w3id.org/casegraph/id/person/sara-vitolo (S. Vitolo) "
        f"[{SKOS_PREF}]: A person needs exactly one preferred label (skos:prefLabel) per language.\n"
        "does not conform: 2 violation(s)\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError) as err:  # build refuses what does not conform, writing nothing
        build(tree, output=out)
    assert str(err.value) == (
        "the dataset does not conform: 2 violation(s), the first: https://w3id.org/casegraph/id/person/kim-brandt "
        "[http://www.w3.org/2004/02/skos/core#altLabel]: A test shape: give Kim Brandt an alias.; nothing was "
        "written (run `casegraph validate --root DIR` for the full report)"
    )
    assert list(out.iterdir()) == []


def test_a_stale_inferred_graph_is_a_warning(quads: list[ox.Quad]) -> None:
    from casegraph.validate import closure_findings

    """(The shipped, fresh inferred graph gives no finding: the validate command's test.)"""
    graphs = {selector_of(name).partition(":")[0]: graph for name, graph in graphs_of(quads).items()}  # one report
    stale = Graph()
    for triple in list(graphs["inferred"])[1:]:
        stale.add(triple)
    report = closure_findings(graphs["ontology"], graphs["asserted"], stale)
    assert [(f.severity, f.message) for f in report.findings] == [
        (Severity.WARNING, "the stored inferred graph differs from what reasoning gives now; run `casegraph reason`")
    ]
    assert report.conforms


def test_an_inconsistent_closure_is_a_violation(ontology: Graph) -> None:
    from casegraph.validate import closure_findings

    report = closure_findings(ontology, read_turtle(DATA / "ontology" / "disjoint-types.ttl"), None)
    assert not report.conforms
    assert report.findings[0].message.startswith("the graph is inconsistent under OWL 2 RL: ")


def test_without_the_owl_api_the_profile_check_is_skipped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    import casegraph.profile
    from casegraph.validate import profile_findings

    monkeypatch.setattr(casegraph.profile, "owlapi_available", lambda: False)
    report = profile_findings(Path("ontology/casegraph.ttl"), required=False)
    assert report.conforms
    assert [f.severity for f in report.findings] == [Severity.INFO]
    assert "OWL 2 RL profile not checked" in report.findings[0].message


def test_validate_checks_your_own_data(run: Run, tmp_path: Path) -> None:
    mine = tmp_path / "mine.ttl"
    mine.write_text(
        "@prefix cg: <https://w3id.org/casegraph/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<http://example.org/p> a cg:Person ; skos:prefLabel "A"@en , "B"@en .\n',
        encoding="utf-8",
    )
    report = run("validate", "--no-profile", "--data", str(mine))
    assert report.exit_code == 1
    assert report.stdout == (
        "Violation: http://example.org/p (A) "
        f"[{SKOS_PREF}]: A person needs exactly one preferred label (skos:prefLabel) per language.\n"
        "does not conform: 1 violation(s)\n"
    )
    broken = tmp_path / "broken.nt"
    broken.write_text('<http://example.org/a> <http://example.org/b> "cut .\n', encoding="utf-8")
    bad = run("validate", "--data", str(broken))
    assert bad.exit_code == 1 and bad.stderr.startswith(f"casegraph: error: {broken}:1:")
    both = run("validate", "--data", str(mine), "--root", str(REPO))
    assert both.exit_code == 2 and "leave out --root and --dataset" in both.stderr
