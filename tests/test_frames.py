"""Framed JSON-LD (`export --frame`): each frame reads back to exactly the subgraph its README
documents, in pyoxigraph, pyld and jsonld.js; the trees say what the report says."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from casegraph.dataset import parse_graphs, select_quads
from casegraph.formats import FRAMES
from casegraph.frames import framed_jsonld

from .conftest import REPO, Run, solutions
from .external import jsonld_js

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CG = "https://w3id.org/casegraph/ontology#"
ID = "https://w3id.org/casegraph/id/"
SPAN = ID + "source/ap-2025-06-13-medicaid-data-dhs/span/"
FRAMES_DIR = REPO / "ontology" / "frames"
Node = ox.NamedNode | ox.BlankNode


@pytest.fixture(scope="module")
def report(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The graphs a frame reads by default: the report's facts and their evidence."""
    return select_quads(quads, parse_graphs("asserted,evidence"))


@cache
def _framed(name: str, report: tuple[ox.Quad, ...]) -> bytes:
    return framed_jsonld(report, name)


@pytest.fixture(scope="module")
def framed(report: list[ox.Quad]) -> Callable[[str], bytes]:
    return lambda name: _framed(name, tuple(report))


def _triples(quads: Any) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}


def _expected(triples: set[ox.Triple], name: str) -> set[ox.Triple]:
    """The subgraph ontology/frames/README.md says the frame selects, computed without framing:
    the nodes of the frame's types, the nodes its reverse relations nest under them (recursively,
    as the frame nests them), and everything reachable forward from all of these."""
    frame = json.loads((FRAMES_DIR / f"{name}.jsonld").read_text(encoding="utf-8"))
    reverse = {term: definition["@reverse"] for term, definition in frame["@context"].items()}
    prefixes = {"rdf": RDF, "oa": "http://www.w3.org/ns/oa#", "cg": CG, "org": "http://www.w3.org/ns/org#"}

    def iri(curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return prefixes[prefix] + local

    types = {ox.NamedNode(CG + t) for t in frame["@type"]}
    top = {t.subject for t in triples if t.predicate.value == RDF + "type" and t.object in types}

    def nest(nodes: set[Any], subframe: dict[str, Any]) -> set[Any]:
        found = set(nodes)
        for term, inner in subframe.items():
            if term in reverse:
                predicate = iri(reverse[term])
                pointing = {t.subject for t in triples if t.predicate.value == predicate and t.object in nodes}
                if "@type" in inner:
                    typed = {
                        t.subject
                        for t in triples
                        if t.predicate.value == RDF + "type" and t.object == ox.NamedNode(iri(inner["@type"]))
                    }
                    pointing &= typed
                found |= nest(pointing, inner)
        return found

    seen = nest(top, frame)
    by_subject: dict[Any, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    todo = list(seen)
    while todo:
        for t in by_subject.get(todo.pop(), []):
            if isinstance(t.object, ox.NamedNode | ox.BlankNode) and t.object not in seen:
                seen.add(t.object)
                todo.append(t.object)
    return {t for t in triples if t.subject in seen}


@pytest.mark.parametrize("name", FRAMES)
def test_each_frame_reads_back_to_the_subgraph_it_documents(
    name: str, report: list[ox.Quad], framed: Callable[[str], bytes]
) -> None:
    expected = _expected(_triples(report), name)
    assert _triples(ox.parse(framed(name), format=ox.RdfFormat.JSON_LD)) == expected
    assert len(expected) > 500  # the trees hold the evidence, not a few nodes


def test_pyld_reads_a_frame_back_to_the_same_graph(framed: Callable[[str], bytes]) -> None:
    from pyld import jsonld

    nquads = jsonld.to_rdf(json.loads(framed("people")), {"format": "application/n-quads"})
    by_pyld = _triples(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))
    assert by_pyld == _triples(ox.parse(framed("people"), format=ox.RdfFormat.JSON_LD))


def test_jsonld_js_reads_every_frame_to_the_same_graph(tmp_path: Path, framed: Callable[[str], bytes]) -> None:
    for name in FRAMES:
        path = tmp_path / f"{name}.jsonld"
        path.write_bytes(framed(name))
        done = subprocess.run([*jsonld_js(), str(path)], capture_output=True, check=False, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        assert _triples(ox.parse(done.stdout, format=ox.RdfFormat.N_QUADS)) == _triples(
            ox.parse(framed(name), format=ox.RdfFormat.JSON_LD)
        ), name


def test_frame_types_are_the_ontology_subclasses(store: ox.Store) -> None:
    """A class added to the ontology under cg:Event or cg:Claim reaches its frame (or this fails)."""

    def subclasses(*tops: str) -> list[str]:
        found: set[str] = set()
        for top in tops:
            rows = store.query(
                "SELECT ?c WHERE { GRAPH ?g { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                f"<{CG}{top}> }} }}"
            )
            found |= {row["c"].value.removeprefix(CG) for row in solutions(rows)}
        return sorted(found)

    frames = {name: json.loads((FRAMES_DIR / f"{name}.jsonld").read_text(encoding="utf-8")) for name in FRAMES}
    assert frames["events"]["@type"] == subclasses("Event")
    assert frames["claims"]["@type"] == subclasses("Claim", "LegalCitation")
    assert frames["people"]["@type"] == subclasses("Person")


def _nodes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in document["@graph"]}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _quotes(node: dict[str, Any], predicate: str) -> list[str]:
    """The report's words under the node's assertion of ``predicate``."""
    words = []
    for assertion in _as_list(node.get("assertions", [])):
        if assertion["predicate"] == predicate:
            for span in _as_list(assertion["annotations"]["hasTarget"]):
                words += [s["exact"] for s in _as_list(span["hasSelector"]) if "exact" in s]
    return sorted(words)


def test_the_events_tree_says_who_ordered_over_whose_objection_in_the_reports_words(
    framed: Callable[[str], bytes],
) -> None:
    order = _nodes(json.loads(framed("events")))["event:hhs-order"]
    assert list(order)[:3] == ["@id", "@type", "prefLabel"]
    assert order["@type"] == "Directive"
    assert order["issuedBy"]["@id"] == "group:kennedy-advisers"
    assert order["addressedTo"]["@id"] == "agency:cms"
    assert order["overObjection"]["@id"] == "event:cms-objection"
    assert _quotes(order, "cg:timeToComply") == ["received only 54 minutes on Tuesday to adhere to the directive"]
    assert list(order)[-2:] == ["assertions", "annotations"]


def test_the_claims_tree_says_who_cited_which_law_in_the_reports_words(framed: Callable[[str], bytes]) -> None:
    citation = _nodes(json.loads(framed("claims")))["citation:memo-privacy-act"]
    assert citation["citedBy"]["@id"] == "person:sara-vitolo"
    assert citation["citedAs"] == "cg:AsProhibiting"
    assert citation["citedAuthority"]["@id"] == "authority:privacy-act-of-1974"


def test_the_people_tree_gives_posts_and_the_words_that_state_them(framed: Callable[[str], bytes]) -> None:
    vitolo = _nodes(json.loads(framed("people")))["person:sara-vitolo"]
    assert vitolo["holds"]["@id"] == "post:cms-medicaid-deputy-director"
    assert vitolo["holds"]["postIn"]["@id"] == "agency:cms"
    assert _quotes(vitolo, "org:holds") == ["Medicaid Deputy Director Sara Vitolo"]
    assert _quotes(vitolo, "cg:careerStatus") == ["Vitolo, a career employee"]
    grant = _nodes(json.loads(framed("people")))["person:jeffrey-grant"]
    assert [m["@id"] for m in _as_list(grant["memberships"])] == ["membership:jeffrey-grant-cms"]
    assert [s["@id"] for s in _as_list(grant["statements"])] == ["event:grant-statement"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frame", "evnts"], "'evnts' is not one of claims, events, people; did you mean events?"),
        (["--frame", "events", "--format", "turtle"], "--frame writes framed JSON-LD, not turtle"),
        (["--frame", "events", "--output", "{tmp}/x.ttl"], "--frame writes framed JSON-LD, not turtle"),
        (
            ["--frame", "events", "--output", "{tmp}/x.json", "--format", "trig"],
            "--frame writes framed JSON-LD, not trig",
        ),
        (["--frame", "events", "--canonical"], "--canonical and --frame exclude each other"),
    ],
)
def test_bad_frame_requests_are_one_line_and_write_nothing(
    run: Run, tmp_path: Path, args: list[str], message: str
) -> None:
    done = run("export", *[arg.format(tmp=tmp_path) for arg in args])
    assert done.exit_code == 2
    assert message in done.stderr and done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_frame_reads_your_own_data(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "mine.ttl"
    data.write_text(
        "@prefix cg: <https://w3id.org/casegraph/ontology#> .\n"
        "@base <https://w3id.org/casegraph/id/> .\n"
        '<event/x> a cg:Directive ; cg:issuedBy <person/y> . <person/y> a cg:Person ; cg:careerStatus "Y" .\n',
        encoding="utf-8",
    )
    done = run("export", "--data", str(data), "--frame", "events")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert [node["@id"] for node in document["@graph"]] == ["event:x"]
    assert document["@graph"][0]["issuedBy"]["@id"] == "person:y"


def test_a_frame_may_go_to_a_json_file(run: Run, tmp_path: Path, framed: Callable[[str], bytes]) -> None:
    done = run("export", "--frame", "people", "--output", str(tmp_path / "people.json"))
    assert done.exit_code == 0, done.stderr
    assert (tmp_path / "people.json").read_bytes() == framed("people")
