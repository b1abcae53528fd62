"""Releases (issue #12, "Releases"): the release record (graph/release.ttl) gives the dataset its
release identity in the metadata graph (version, date, the release it revises), its date is the
one every package and site carries, its version is the package's, and the site lists the IRIs
deprecated since the previous release, each old IRI keeping a page that points at what replaces it."""

from __future__ import annotations

import posixpath
import tomllib
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest

import casegraph
from casegraph.build import build, describe_release, read_sources
from casegraph.dataset import select_quads
from casegraph.errors import OntologyError
from casegraph.iris import DATASET_IRI, GRAPH_METADATA, ID_NS
from casegraph.release import RELEASE_NS, Release, read_release, release_date
from casegraph.site import SITE_GRAPHS, site_files

from .conftest import REPO, Tree, copy_tree

DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")


@pytest.fixture(scope="module")
def release(paths: Tree) -> Release:
    found = read_release(paths.release)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def site(quads: list[ox.Quad]) -> dict[str, bytes]:
    """The shipped dataset's site, in memory."""
    return site_files(select_quads(quads, SITE_GRAPHS))


def retired(paths: Tree) -> dict[str, set[str]]:
    """Each IRI graph/retired.ttl deprecates -> the IRIs that replace it."""
    out: dict[str, set[str]] = {}
    for q in ox.parse(path=paths.retired):
        if q.predicate.value == DCTERMS + "isReplacedBy":
            out.setdefault(q.subject.value, set()).add(q.object.value)
    return out


def deprecated(paths: Tree) -> dict[str, set[str]]:
    """Every deprecated IRI -> the IRIs that replace it: graph/retired.ttl's, and the ontology's
    own deprecated terms (documented on its page, listed on deprecated.html too)."""
    out = retired(paths)
    triples = list(ox.parse(path=paths.ontology))
    for q in triples:
        if q.predicate.value == "http://www.w3.org/2002/07/owl#deprecated" and q.object.value == "true":
            out[q.subject.value] = {
                r.object.value
                for r in triples
                if r.subject == q.subject and r.predicate.value == DCTERMS + "isReplacedBy"
            }
    return out


class Listing(HTMLParser):
    """A deprecated page's entries (the old IRI -> the IRIs its links name) and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, set[str]] = {}
        self.links: list[str] = []
        self.text = ""
        self._old = ""
        self._in = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("dt", "dd"):
            self._in = tag
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
            title = found.get("title") or ""
            if self._in == "dt" and title:
                self._old = title
                self.entries[title] = set()
            elif self._in == "dd" and title:
                self.entries[self._old].add(title)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = ""

    def handle_data(self, data: str) -> None:
        self.text += data


def listing(site: dict[str, bytes], name: str) -> Listing:
    parser = Listing()
    parser.feed(site[name].decode())
    return parser


def resolves(site: dict[str, bytes], page: str, link: str) -> bool:
    target = link.split("#", 1)[0]
    return (
        link.startswith(("http://", "https://"))
        or posixpath.normpath(posixpath.join(posixpath.dirname(page), target)) in site
    )


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
    assert release.version == "0.2.0" and release.previous is None  # the first release: 0.1.0 was never released
    dataset = metadata(quads, DATASET_IRI)
    assert dataset[DCAT + "version"] == [ox.Literal(release.version)]
    assert dataset[DCTERMS + "issued"] == [issued]
    assert dataset[DCAT + "hasCurrentVersion"] == [node]
    assert dataset[DCAT + "hasVersion"] == [node]
    assert DCTERMS + "hasVersion" not in dataset  # its range is a resource: the version is dcat:version
    assert metadata(quads, release.iri) == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": [ox.NamedNode(DCAT + "Dataset")],
        DCAT + "version": [ox.Literal(release.version)],
        DCTERMS + "issued": [issued],
        DCTERMS + "isVersionOf": [ox.NamedNode(DATASET_IRI)],
        PROV + "wasGeneratedBy": [build],
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


def test_the_deprecated_page_lists_each_retired_iri_with_its_replacements_and_note(
    site: dict[str, bytes], paths: Tree
) -> None:
    page = listing(site, "deprecated.html")
    assert page.entries == deprecated(paths)  # exactly the deprecated IRIs, each with exactly its replacements
    assert "Deprecated in 0.2.0" in page.text and "since" not in page.text and "earlier releases" not in page.text
    notes = [q.object.value for q in ox.parse(path=paths.retired) if q.predicate.value.endswith("editorialNote")]
    assert notes and all(note in page.text for note in notes)
    assert all(resolves(site, "deprecated.html", link) for link in page.links)
    index = listing(site, "index.html")
    assert "deprecated.html" in index.links and "Release 0.2.0, issued" in index.text
    assert f"Deprecated IRIs ({len(page.entries)}), with what replaces them." in index.text  # the page's own count


def test_each_retired_iri_keeps_a_page_pointing_at_its_replacements(site: dict[str, bytes], paths: Tree) -> None:
    for old, replacements in retired(paths).items():
        path = "id/" + old[len(ID_NS) :]
        for extension in (".html", ".ttl", ".jsonld"):
            assert path + extension in site, path + extension
        page = listing(site, path + ".html")
        assert "casegraph no longer uses this IRI (deprecated in release 0.2.0)" in page.text
        assert all(resolves(site, path + ".html", link) for link in page.links)
        linked = {posixpath.normpath(posixpath.join(posixpath.dirname(path), link)) for link in page.links}
        assert {"id/" + r[len(ID_NS) :] + ".html" for r in replacements} <= linked
        said = {(q.predicate.value, q.object.value) for q in ox.parse(site[path + ".ttl"], format=ox.RdfFormat.TURTLE)}
        assert {(DCTERMS + "isReplacedBy", r) for r in replacements} <= said


def test_a_first_release_revises_nothing(tmp_path: Path) -> None:
    record = tmp_path / "release.ttl"
    body = f'<{RELEASE_NS}1.0.0> a dcat:Dataset ; dcat:version "1.0.0" ; dcterms:issued "2027-01-04"^^xsd:date .'
    record.write_text(RECORD + body, encoding="utf-8")
    first = read_release(record)
    assert first is not None and first.previous is None
    described = {(str(s), str(p)) for s, p, _ in describe_release(first)}
    assert (DATASET_IRI, DCAT + "hasCurrentVersion") in described
    assert not {p for _, p in described} & {PROV + "wasRevisionOf", DCAT + "previousVersion"}


def test_the_next_release_revises_this_one_and_lists_no_older_deprecation_as_new(tmp_path: Path, paths: Tree) -> None:
    """A build of a tree whose record is the next release (0.3.0, revising 0.2.0): the metadata
    says it revises 0.2.0, the package date follows it, and the site lists the IRIs retired in 0.2.0
    as deprecated in an earlier release, not since the previous one."""
    tree = copy_tree(tmp_path, paths)
    record = tree.release.read_text(encoding="utf-8")
    record = record.replace('"0.2.0"', '"0.3.0"').replace("casegraph/0.2.0>", "casegraph/0.3.0>")
    record = record.replace(
        '"2026-11-30"^^xsd:date .', f'"2027-03-01"^^xsd:date ; prov:wasRevisionOf <{RELEASE_NS}0.2.0> .'
    )
    tree.release.write_text(record, encoding="utf-8")
    quads = build(tree, output=tmp_path / "built").quads
    facts = metadata(quads, RELEASE_NS + "0.3.0")
    assert facts[PROV + "wasRevisionOf"] == facts[DCAT + "previousVersion"] == [ox.NamedNode(RELEASE_NS + "0.2.0")]
    assert release_date(quads, {}) == datetime(2027, 3, 1, tzinfo=UTC)
    page = listing(site_files(select_quads(quads, SITE_GRAPHS)), "deprecated.html")
    assert page.entries == deprecated(paths)
    assert "Deprecated in earlier releases" in page.text and "since 0.2.0" not in page.text


def test_a_retirement_later_than_the_release_is_refused(tmp_path: Path, paths: Tree) -> None:
    tree = copy_tree(tmp_path, paths)
    tree.release.write_text(tree.release.read_text(encoding="utf-8").replace("0.2.0", "0.1.9"), encoding="utf-8")
    with pytest.raises(OntologyError, match=r"is deprecated in 0\.2\.0, later than the release 0\.1\.9"):
        read_sources(tree)
