"""Reasoning: the OWL 2 RL closure lands in the inferred graph, filtered, and never turns a claim
into a fact."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.term import Node

from casegraph.build import graphs_of, role_union
from casegraph.errors import ReasoningError
from casegraph.iris import ID_NS, ONTOLOGY_NS, ROLES
from casegraph.ontology import read_ontology, read_turtle
from casegraph.reason import Engine, exclusion, reason, union

from .conftest import REPO, Run

ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DATA = REPO / "tests" / "data"


def i(path: str) -> URIRef:
    return URIRef(ID_NS + path)


@pytest.fixture(scope="module")
def graphs(quads: list[ox.Quad]) -> dict[str, Graph]:
    """The dataset's graphs by role (every report's asserted graph as one)."""
    named = graphs_of(quads)
    return {role: role_union(named, role) for role in ROLES}


@pytest.mark.parametrize(
    "triple",
    [
        # a sub-organisation's parent, through org:subOrganizationOf ⊑ org:transitiveSubOrganizationOf
        (i("agency/cms"), URIRef(ORG + "transitiveSubOrganizationOf"), i("agency/hhs")),
        # the inverse of a relation
        (i("agency/hhs"), URIRef(ORG + "hasSubOrganization"), i("agency/cms")),
        (i("post/cms-medicaid-deputy-director"), URIRef(ORG + "heldBy"), i("person/sara-vitolo")),
        # a role holder typed by the role property's range (cg:objector ⊑ cg:hasParticipant → prov:Agent)
        (i("person/sara-vitolo"), RDF.type, URIRef(PROV + "Agent")),
        # a role property's super-property: the issuer is associated with the order
        (i("event/hhs-order"), URIRef(PROV + "wasAssociatedWith"), i("group/kennedy-advisers")),
        # but the addressee is not responsible for it: no such triple for CMS (checked below)
    ],
    ids=["transitive-parent", "inverse-suborganization", "inverse-post", "range-type", "super-property"],
)
def test_named_inferences_are_in_the_inferred_graph_only(
    graphs: dict[str, Graph], triple: tuple[Node, Node, Node]
) -> None:
    assert triple in graphs["inferred"]
    assert triple not in graphs["asserted"]


def test_the_addressee_of_the_order_is_not_made_responsible(graphs: dict[str, Graph]) -> None:
    wrong = (i("event/hhs-order"), URIRef(PROV + "wasAssociatedWith"), i("agency/cms"))
    assert wrong not in graphs["inferred"] and wrong not in graphs["asserted"]


def test_transitivity_over_two_levels() -> None:
    ontology = read_ontology()
    asserted = Graph()
    org = URIRef(ORG + "subOrganizationOf")
    asserted.add((i("test/office"), org, i("test/agency")))
    asserted.add((i("test/agency"), org, i("test/department")))
    inferred = reason(ontology, asserted)
    assert (i("test/office"), URIRef(ORG + "transitiveSubOrganizationOf"), i("test/department")) in inferred


def test_domain_typing() -> None:
    asserted = Graph()
    asserted.add((i("test/said"), URIRef(ONTOLOGY_NS + "speakerRole"), i("test/post")))
    inferred = reason(read_ontology(), asserted)
    assert (i("test/said"), RDF.type, URIRef(ONTOLOGY_NS + "Statement")) in inferred
    assert (i("test/said"), RDF.type, URIRef(PROV + "Activity")) in inferred


def test_claims_never_become_facts(graphs: dict[str, Graph]) -> None:
    """A legal characterisation is the citer's claim, on a cg:LegalCitation; reasoning must not
    link the act itself to the authority, a lawfulness or a citation function."""
    citation = URIRef(ONTOLOGY_NS + "LegalCitation")
    regarding, authority = URIRef(ONTOLOGY_NS + "regarding"), URIRef(ONTOLOGY_NS + "citedAuthority")
    asserted, inferred = graphs["asserted"], graphs["inferred"]
    pairs = [
        (asserted.value(c, regarding), asserted.value(c, authority)) for c in asserted.subjects(RDF.type, citation)
    ]
    assert len(pairs) == 8
    for act, law in pairs:
        assert list(inferred.triples((act, None, law))) == []
        assert list(inferred.triples((law, None, act))) == []
    claim_terms = {URIRef(ONTOLOGY_NS + n) for n in ("citedAs", "stance", "AsProhibiting", "AsPermitting", "Opposes")}
    claim_terms |= {
        URIRef("https://w3id.org/dpv#" + n) for n in ("hasLawfulness", "Lawful", "Unlawful", "hasLegalBasis")
    }
    citations = set(asserted.subjects(RDF.type, citation))
    statements = set(asserted.subjects(RDF.type, URIRef(ONTOLOGY_NS + "Statement")))
    for s, p, o in inferred:
        if p in claim_terms or o in claim_terms:
            assert s in citations | statements, (s, p, o)


def test_the_inferred_graph_keeps_no_excluded_triple(graphs: dict[str, Graph]) -> None:
    assert [t for t in graphs["inferred"] if exclusion(t) is not None] == []
    assert len(graphs["inferred"]) > 500


@pytest.mark.parametrize(
    ("triple", "rule"),
    [
        ((i("a"), OWL.sameAs, i("a")), "reflexive-identity"),
        (
            (URIRef(ONTOLOGY_NS + "Event"), URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"), OWL.Thing),
            "top-type",
        ),
        ((URIRef(PROV + "Activity"), RDF.type, OWL.Class), "external-subject"),
    ],
    ids=["reflexive-sameAs", "subclass-of-thing", "external"],
)
def test_exclusions_are_named(triple: tuple[Node, Node, Node], rule: str) -> None:
    assert exclusion(triple) == rule


def test_reasoning_is_idempotent_and_deterministic(graphs: dict[str, Graph]) -> None:
    """(Determinism: `casegraph reason` reproduces the shipped inferred graph byte for byte, below.)"""
    again = reason(graphs["ontology"], union(graphs["asserted"], graphs["inferred"]))
    assert len(again) == 0


def test_the_fast_engine_equals_owlrl_on_the_article(graphs: dict[str, Graph]) -> None:
    fast = reason(graphs["ontology"], graphs["asserted"], engine=Engine.FAST)
    assert set(fast) == set(graphs["inferred"])


def test_an_inconsistency_names_the_node_and_the_classes() -> None:
    with pytest.raises(ReasoningError) as err:
        reason(read_ontology(), read_turtle(DATA / "ontology" / "disjoint-types.ttl"))
    message = str(err.value)
    assert message.startswith("the graph is inconsistent under OWL 2 RL: ")
    assert "https://w3id.org/casegraph/id/test/thing" in message
    assert "http://www.w3.org/ns/prov#Activity" in message and "http://www.w3.org/ns/prov#Entity" in message
    assert "\n" not in message


def test_reason_command_reproduces_the_shipped_dataset(tmp_path: Path, run: Run) -> None:
    """`casegraph reason --engine owlrl` over the shipped dataset changes nothing: same bytes."""
    shipped = REPO / "graph" / "build"
    result = run("reason", "--engine", "owlrl", "--output", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    for name in ("casegraph.nq", "casegraph.trig", "casegraph.ttl", "casegraph.jsonld", "SHA256SUMS"):
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name


def test_reasoning_leaves_rdflibs_literal_conversions_as_they_were() -> None:
    """owlrl installs process-wide literal conversions; its xsd:dateTimeStamp one rewrote the
    offset -04:00 as -05:00 in every literal parsed afterwards (a second build in one process)."""
    from rdflib import XSD, Literal

    from casegraph.reason import reason

    stamp = "2025-06-14T00:00:00-04:00"
    reason(Graph(), Graph())
    assert str(Literal(stamp, datatype=XSD.dateTimeStamp)) == stamp
