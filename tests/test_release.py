"""Releases (issue #12, "Releases"): the release record (graph/release.ttl) gives the dataset its
release identity in the metadata graph (version, date, the release it revises), its date is the
one every package and site carries, its version is the package's, and the site lists the IRIs
deprecated since the previous release, each old IRI keeping a page that points at what replaces it."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

import casegraph
from casegraph.errors import OntologyError
from casegraph.iris import DATASET_IRI, GRAPH_METADATA, ID_NS
from casegraph.release import RELEASE_NS, Release, read_release, release_date

from .conftest import REPO, Tree

DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")


@pytest.fixture(scope="module")
def release(paths: Tree) -> Release:
    found = read_release(paths.root / "graph" / "release.ttl")
    assert found is not None
    return found


def metadata(quads: list[ox.Quad], subject: str) -> dict[str, list[ox.NamedNode | ox.Literal]]:
    """The metadata graph's facts about ``subject``, by predicate IRI, each list sorted."""
    facts: dict[str, list[ox.NamedNode | ox.Literal]] = {}
    for q in quads:
        if q.graph_name == ox.NamedNode(GRAPH_METADATA) and q.subject == ox.NamedNode(subject):
            assert isinstance(q.object, ox.NamedNode | ox.Literal)
            facts.setdefault(q.predicate.value, []).append(q.object)
    return {p: sorted(v, key=str) for p, v in facts.items()}


def test_the_release_s_version_is_the_package_s(release: Release) -> None:
    """One version names the package and the dataset it ships: a release record that drifts from
    pyproject.toml (or pyproject.toml from the code) fails here."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert release.version == project == casegraph.__version__
    assert release.iri == RELEASE_NS + release.version


def test_the_metadata_carries_the_release_identity(quads: list[ox.Quad], release: Release) -> None:
    node, build = ox.NamedNode(release.iri), ox.NamedNode(f"{ID_NS}build/casegraph-{casegraph.__version__}")
    issued = ox.Literal(release.issued, datatype=XSD_DATE)
    assert release.version == "0.2.0" and release.previous == RELEASE_NS + "0.1.0"
    previous = ox.NamedNode(release.previous)
    dataset = metadata(quads, DATASET_IRI)
    assert dataset[DCAT + "version"] == [ox.Literal(release.version)]
    assert dataset[DCTERMS + "issued"] == [issued]
    assert dataset[DCAT + "hasCurrentVersion"] == [node]
    assert dataset[DCAT + "hasVersion"] == sorted([node, previous], key=str)
    assert DCTERMS + "hasVersion" not in dataset  # its range is a resource: the version is dcat:version
    assert metadata(quads, release.iri) == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": [ox.NamedNode(DCAT + "Dataset")],
        DCAT + "version": [ox.Literal(release.version)],
        DCTERMS + "issued": [issued],
        DCTERMS + "isVersionOf": [ox.NamedNode(DATASET_IRI)],
        PROV + "wasGeneratedBy": [build],
        PROV + "wasRevisionOf": [previous],
        DCAT + "previousVersion": [previous],
    }


def test_the_release_date_is_the_release_s_issue_date(quads: list[ox.Quad], release: Release) -> None:
    day = datetime.fromisoformat(release.issued).replace(tzinfo=UTC)
    assert release_date(quads, {}) == day
    assert release_date(quads, {"SOURCE_DATE_EPOCH": "0"}) == datetime(1970, 1, 1, tzinfo=UTC)


RECORD = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<{ns}1.0> a dcat:Dataset ; dcat:version "1.0" .', "describe the release once"),
        ('<{ns}1.0.0> a dcat:Dataset ; dcat:version "1.0.1" ; dcterms:issued "2026-01-01"^^xsd:date .', "dcat:version"),
        ('<{ns}1.0.0> a dcat:Dataset ; dcat:version "1.0.0" ; dcterms:issued "2026-01-01" .', "dcterms:issued"),
        (
            '<{ns}1.0.0> a dcat:Dataset ; dcat:version "1.0.0" ; dcterms:issued "2026-01-01"^^xsd:date ; '
            "prov:wasRevisionOf <{ns}1.0.0> .",
            "revises 1.0.0, which is not an earlier version",
        ),
        (
            '<{ns}1.0.0> a dcat:Dataset ; dcat:version "1.0.0" ; dcterms:issued "2026-01-01"^^xsd:date . '
            "<{ns}> dcat:version '0' .",
            "the record describes its release",
        ),
    ],
)
def test_a_malformed_release_record_is_refused_naming_what_to_write(tmp_path: Path, body: str, message: str) -> None:
    record = tmp_path / "release.ttl"
    record.write_text(RECORD + body.replace("{ns}", RELEASE_NS), encoding="utf-8")
    with pytest.raises(OntologyError, match=message):
        read_release(record)
    assert read_release(tmp_path / "absent.ttl") is None
