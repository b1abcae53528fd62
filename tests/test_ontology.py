"""The ontology: every term labelled and defined, the context complete, the namespace closed."""

from __future__ import annotations

from rdflib import OWL, RDF, URIRef

from casegraph.export import context
from casegraph.iris import ONTOLOGY_NS
from casegraph.ontology import CG, SKOS, declared_terms, labelled_terms, read_ontology

ONTOLOGY = read_ontology()


def test_every_class_and_property_has_a_label_and_a_definition() -> None:
    terms = labelled_terms(ONTOLOGY)
    assert len(terms) > 60
    assert {str(t) for t, (label, definition) in terms.items() if not (label and definition)} == set()


def test_every_concept_has_a_label_and_a_definition() -> None:
    concepts = {s for s in declared_terms(ONTOLOGY) if (s, RDF.type, OWL.Class) not in ONTOLOGY}
    concepts -= {
        s
        for s in concepts
        if any(
            (s, RDF.type, kind) in ONTOLOGY
            for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        )
    }
    assert concepts
    assert [str(c) for c in concepts if (c, SKOS.definition, None) not in ONTOLOGY] == []


def test_the_closed_namespace_is_exactly_the_declared_terms() -> None:
    assert {URIRef(ONTOLOGY_NS + name) for name in dir(CG)} >= declared_terms(ONTOLOGY)
    assert {str(CG[name]) for name in ("Directive", "hasEvidence", "AsProhibiting")}
    try:
        CG.hasEvidense  # noqa: B018 - a misspelt term must fail at once
    except AttributeError:
        pass
    else:
        raise AssertionError("a misspelt term minted an IRI")


def test_the_jsonld_context_maps_every_term() -> None:
    ctx = context()["@context"]
    mapped = {v if isinstance(v, str) else v["@id"] for v in ctx.values()}
    missing = [t for t in declared_terms(ONTOLOGY) if f"cg:{str(t)[len(ONTOLOGY_NS) :]}" not in mapped]
    assert missing == []
    object_properties = set(ONTOLOGY.subjects(RDF.type, OWL.ObjectProperty))
    for name, value in ctx.items():
        if isinstance(value, dict) and value["@id"].startswith("cg:"):
            is_object = URIRef(ONTOLOGY_NS + value["@id"][3:]) in object_properties
            assert (value.get("@type") == "@id") == is_object, name


def test_no_imports_and_mappings_are_annotations() -> None:
    assert list(ONTOLOGY.objects(None, OWL.imports)) == []
    for mapping in (SKOS.closeMatch, SKOS.exactMatch):
        assert (mapping, RDF.type, OWL.AnnotationProperty) in ONTOLOGY
