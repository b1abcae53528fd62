"""Validate: SHACL shapes (pyshacl) and ontology checks -> one typed report.

The report lists findings (severity, focus node and its label, path, message, source); the
dataset conforms when no finding is a violation. Ontology checks are the kind ROBOT's ``report``
runs: every class and property labelled and defined, no ``cg:`` term used that the ontology does
not declare, the ontology inside OWL 2 RL (when the OWL API checker is installed; see
``casegraph.profile``), and no owlrl inconsistency in the closure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from .errors import ValidationError, one_line
from .ontology import SKOS, labelled_terms, read_turtle, undeclared_terms
from .resources import default_paths

SH = Namespace("http://www.w3.org/ns/shacl#")
CHECKS = Namespace("https://w3id.org/casegraph/checks#")


class Severity(StrEnum):
    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    TURTLE = "turtle"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: what is wrong (message), with which node and property, found by what."""

    severity: Severity
    focus: str
    message: str
    path: str = ""
    value: str = ""
    source: str = ""
    label: str = field(default="", compare=False)


@dataclass(frozen=True)
class Report:
    """Every finding of a validation run, sorted."""

    findings: tuple[Finding, ...]

    @property
    def conforms(self) -> bool:
        return not any(f.severity is Severity.VIOLATION for f in self.findings)

    def __add__(self, other: Report) -> Report:
        return Report(tuple(sorted(self.findings + other.findings)))


def read_shapes(path: Path | None = None) -> Graph:
    """The SHACL shapes (``ontology/shapes.ttl`` by default)."""
    return read_turtle(path or default_paths().shapes)


def _text(node: Node | None) -> str:
    if node is None or isinstance(node, BNode):
        return ""
    if isinstance(node, Literal):
        return str(node)
    return str(node)


def _path_text(results: Graph, path: Node | None) -> str:
    """A SHACL path as text (a sequence path is a list of IRIs)."""
    if path is None:
        return ""
    if isinstance(path, BNode) and (path, RDF.first, None) in results:
        from rdflib.collection import Collection

        return " / ".join(_path_text(results, step) for step in Collection(results, path))
    if isinstance(path, BNode) and (path, SH.inversePath, None) in results:
        return "^" + _path_text(results, results.value(path, SH.inversePath))
    return _text(path)


def _label(data: Graph, node: str) -> str:
    """The node's preferred label (the first in code-point order when there are several)."""
    labels = sorted(str(label) for label in data.objects(URIRef(node), SKOS.prefLabel))
    return labels[0] if labels else ""


def shacl(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Run the shapes over ``data`` (plus ``ontology`` for the class hierarchy).

    Raises:
        ValidationError: the shapes graph itself is malformed.
    """
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError

    if ontology is not None:  # the class hierarchy and the concepts (precisions, stances) are data too
        merged = Graph()
        for graph in (data, ontology):
            for triple in graph:
                merged.add(triple)
        data = merged
    try:
        _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    except (ShapeLoadError, ReportableRuntimeError) as err:
        raise ValidationError(f"the SHACL shapes cannot be used: {one_line(err)}") from err
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = _text(results.value(result, SH.focusNode))
        severity = results.value(result, SH.resultSeverity)
        findings.append(
            Finding(
                severity=Severity(str(severity).rsplit("#", 1)[-1]) if severity else Severity.VIOLATION,
                focus=focus,
                message=one_line(_text(results.value(result, SH.resultMessage))),
                path=_path_text(results, results.value(result, SH.resultPath)),
                value=_text(results.value(result, SH.value)),
                source=_text(results.value(result, SH.sourceShape)) or "shape",
                label=_label(data, focus),
            )
        )
    return Report(tuple(sorted(findings)))


def ontology_findings(ontology: Graph, data: Iterable[Graph]) -> Report:
    """The ontology checks that need no reasoner: labels, definitions, undeclared terms."""
    findings = [
        Finding(
            Severity.VIOLATION,
            str(term),
            f"{'label' if not has_label else 'definition'} missing: every class and property needs an "
            "rdfs:label and a skos:definition",
            source=str(CHECKS.labelled),
        )
        for term, (has_label, has_definition) in labelled_terms(ontology).items()
        if not (has_label and has_definition)
    ]
    for graph in data:
        findings += [
            Finding(
                Severity.VIOLATION,
                str(term),
                "term used in the data but not declared in the ontology (misspelt?)",
                source=str(CHECKS.declared),
            )
            for term in undeclared_terms(graph, ontology)
        ]
    return Report(tuple(sorted(set(findings))))


def closure_findings(ontology: Graph, asserted: Graph, inferred: Graph | None) -> Report:
    """Reasoning checks: the OWL 2 RL closure is consistent, and the stored inferred graph is the
    one reasoning gives today (else it is out of date)."""
    from .errors import ReasoningError
    from .reason import reason

    try:
        fresh = reason(ontology, asserted)
    except ReasoningError as err:
        return Report((Finding(Severity.VIOLATION, "closure", str(err), source=str(CHECKS.consistent)),))
    if inferred is not None and set(fresh) != set(inferred):
        return Report(
            (
                Finding(
                    Severity.WARNING,
                    "inferred graph",
                    "the stored inferred graph differs from what reasoning gives now; run `casegraph reason`",
                    source=str(CHECKS.inferred),
                ),
            )
        )
    return Report(())


def profile_findings(path: Path, *, required: bool = True) -> Report:
    """The OWL 2 RL profile check of the ontology file (OWL API), as findings. When the checker
    is not installed and not ``required``, an Info finding says the check was skipped."""
    from .profile import check_owl2rl, owlapi_available

    if not required and not owlapi_available():
        return Report(
            (
                Finding(
                    Severity.INFO,
                    str(path),
                    "OWL 2 RL profile not checked: the OWL API is not installed "
                    "(apt-get install libowlapi-java default-jre-headless)",
                    source=str(CHECKS.profile),
                ),
            )
        )
    return Report(
        tuple(
            sorted(
                Finding(Severity.VIOLATION, str(path), f"outside OWL 2 RL: {line}", source=str(CHECKS.profile))
                for line in check_owl2rl(path)
            )
        )
    )


def render(report: Report, fmt: ReportFormat) -> str:
    """The report as readable text, JSON, or a SHACL validation report in Turtle."""
    if fmt is ReportFormat.JSON:
        return (
            json.dumps(
                {"conforms": report.conforms, "findings": [asdict(f) for f in report.findings]},
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    if fmt is ReportFormat.TURTLE:
        return _shacl_report(report).serialize(format="turtle")
    if not report.findings:
        return "conforms: no violations\n"
    lines = []
    for f in report.findings:
        who = f"{f.focus} ({f.label})" if f.label else f.focus
        where = f" [{f.path}]" if f.path else ""
        value = f" (value: {f.value})" if f.value else ""
        lines.append(f"{f.severity.value}: {who}{where}: {f.message}{value}")
    count = sum(f.severity is Severity.VIOLATION for f in report.findings)
    lines.append(f"{'conforms' if report.conforms else 'does not conform'}: {count} violation(s)")
    return "\n".join(lines) + "\n"


def _shacl_report(report: Report) -> Graph:
    g = Graph()
    g.bind("sh", SH)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for f in report.findings:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.resultSeverity, SH[f.severity.value]))
        g.add(
            (node, SH.focusNode, URIRef(f.focus) if "://" in f.focus or f.focus.startswith("/") else Literal(f.focus))
        )
        g.add((node, SH.resultMessage, Literal(f.message)))
        if f.path and " / " not in f.path:
            g.add((node, SH.resultPath, URIRef(f.path)))
        if f.source:
            g.add((node, SH.sourceShape, URIRef(f.source)))
    return g
