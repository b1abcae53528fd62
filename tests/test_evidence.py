"""Evidence per assertion: every asserted triple has the words of the report that state it (or a
curator's note), every span mentions what it supports, outside knowledge is kept apart, and the
curation's mistakes fail the build with the triple, the words and a suggestion."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from casegraph.enrichment import lower, parse_trig
from casegraph.errors import GroundingError
from casegraph.export import graph_iri
from casegraph.ground import EXEMPT, ground, sentences
from casegraph.iris import GRAPHS, ID_NS, SOURCE_IRI
from casegraph.resources import Paths

from .conftest import value

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PREFIXES = """
PREFIX cg:   <https://w3id.org/casegraph/ontology#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oa:   <http://www.w3.org/ns/oa#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def rows(store: ox.Store, query: str, *roles: str) -> list[dict[str, str]]:
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(GRAPHS[r]) for r in roles]
    solutions = store.query(PREFIXES + query, default_graph=list(named), named_graphs=named)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def test_every_asserted_triple_has_a_span_or_a_curator_note(quads: list[ox.Quad]) -> None:
    """Recomputed from the published quads: every asserted triple of a kind that needs evidence is
    the body of a grounding annotation with a span, or is flagged as a curator inference."""
    rdf, oa, cg = RDF, "http://www.w3.org/ns/oa#", "https://w3id.org/casegraph/ontology#"
    asserted = [q for q in quads if graph_iri(q) == GRAPHS["asserted"]]
    evidence = [q for q in quads if graph_iri(q) == GRAPHS["evidence"]]
    parts: dict[ox.NamedNode | ox.BlankNode | ox.Triple, dict[str, object]] = {}
    for q in evidence:
        parts.setdefault(q.subject, {})[q.predicate.value] = q.object
    with_spans = {q.subject for q in evidence if q.predicate.value == oa + "hasTarget"}  # annotations
    annotated = {q.object for q in evidence if q.predicate.value == oa + "hasBody" and q.subject in with_spans}
    supported = {
        (p[rdf + "subject"], p[rdf + "predicate"], p[rdf + "object"])
        for node, p in parts.items()
        if rdf + "subject" in p and (node in annotated or p.get(cg + "inferenceNote") is not None)
    }
    exempt = {str(e) for e in EXEMPT}
    missing = [
        q for q in asserted if q.predicate.value not in exempt and (q.subject, q.predicate, q.object) not in supported
    ]
    assert missing == []
    assert len(supported) > 300


def test_every_reified_statement_describes_an_asserted_triple(store: ox.Store) -> None:
    loose = rows(
        store,
        f"""
        SELECT ?st WHERE {{
          GRAPH <{GRAPHS["evidence"]}> {{ ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }}
          FILTER NOT EXISTS {{ GRAPH <{GRAPHS["asserted"]}> {{ ?s ?p ?o }} }}
        }}""",
        "asserted",
        "evidence",
    )
    assert loose == []


def test_no_span_is_offered_for_a_triple_it_does_not_mention(store: ox.Store, source_text: str) -> None:
    """Recomputed from the published dataset: each grounding span, unless the annotation carries a
    curator's note, has a mention of the triple's subject or object inside its sentence (or, for a
    literal object, the literal's words in the span)."""
    bounds = sentences(source_text)
    mentions: dict[str, list[tuple[int, int]]] = {}
    for r in rows(
        store,
        """SELECT ?entity ?start ?end WHERE {
             ?a oa:motivatedBy oa:identifying ; oa:hasBody ?entity ; oa:hasTarget/oa:hasSelector ?p .
             ?p oa:start ?start ; oa:end ?end . }""",
        "evidence",
    ):
        mentions.setdefault(r["entity"], []).append((int(r["start"]), int(r["end"])))
    grounded = rows(
        store,
        """SELECT ?s ?o ?exact ?start ?end WHERE {
             ?st rdf:subject ?s ; rdf:predicate ?pr ; rdf:object ?o .
             ?a oa:hasBody ?st ; oa:motivatedBy cg:grounding ; oa:hasTarget/oa:hasSelector ?q , ?p .
             ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
             FILTER NOT EXISTS { ?a skos:editorialNote ?note }
             # a statement's own words are the span of its quote: nothing to mention
             FILTER(?pr != cg:hasQuote) FILTER NOT EXISTS { ?s a cg:Quote } }""",
        "asserted",
        "evidence",
    )
    assert len(grounded) > 150

    def sentence(start: int, end: int) -> tuple[int, int]:
        inside = [(a, b) for a, b in bounds if a < end and start < b]
        return min([start, *(a for a, _ in inside)]), max([end, *(b for _, b in inside)])

    unmentioned = []
    for r in grounded:
        low, high = sentence(int(r["start"]), int(r["end"]))
        named = any(low <= a and b <= high for term in (r["s"], r["o"]) for a, b in mentions.get(term, ()))
        if not named and r["o"].casefold() not in r["exact"].casefold():
            unmentioned.append((r["s"], r["o"], r["exact"]))
    assert unmentioned == []


def test_the_asserted_graph_holds_no_outside_knowledge(quads: list[ox.Quad]) -> None:
    asserted = [q for q in quads if graph_iri(q) == GRAPHS["asserted"]]
    outside = [
        q
        for q in asserted
        if q.predicate.value
        in ("https://schema.org/legislationIdentifier", "http://www.w3.org/2004/02/skos/core#exactMatch")
        or value(q.object).startswith(("http://www.wikidata.org/", "https://w3id.org/dpv/loc#"))
    ]
    assert outside == []
    enrichment = {
        (value(q.subject), q.predicate.value, value(q.object)) for q in quads if graph_iri(q) == GRAPHS["enrichment"]
    }
    assert (
        ID_NS + "agency/cms",
        "http://www.w3.org/2004/02/skos/core#exactMatch",
        "http://www.wikidata.org/entity/Q5060058",
    ) in enrichment
    assert (ID_NS + "agency/ice", "http://www.w3.org/ns/org#subOrganizationOf", ID_NS + "agency/dhs") in enrichment


def test_every_enrichment_triple_names_its_reference(store: ox.Store) -> None:
    unreferenced = rows(
        store,
        """SELECT ?s ?p ?o WHERE {
             ?s ?p ?o .
             FILTER NOT EXISTS { ?s a cg:Reference }
             FILTER(?p NOT IN (rdf:subject, rdf:predicate, rdf:object, dcterms:source)
                    && !(?p = rdf:type && ?o = rdf:Statement))
             FILTER NOT EXISTS {
               ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; dcterms:source ?ref .
               ?ref a cg:Reference ; skos:prefLabel ?label .
             } }""",
        "enrichment",
    )
    assert unreferenced == []


def test_quotes_are_the_reports_back_translation_not_the_speakers_words(store: ox.Store) -> None:
    quotes = rows(
        store,
        """SELECT ?quote ?rendering ?attributed WHERE {
              ?quote a cg:Quote ; cg:rendering ?rendering .
              OPTIONAL { ?quote <http://www.w3.org/ns/prov#wasAttributedTo> ?attributed } }""",
        "ontology",
        "asserted",
    )
    assert len(quotes) >= 12
    assert {(q["rendering"], q.get("attributed")) for q in quotes} == {
        ("https://w3id.org/casegraph/ontology#BackTranslation", SOURCE_IRI)
    }


def test_statement_and_annotation_iris_are_hashes_of_report_and_triple(quads: list[ox.Quad]) -> None:
    evidence = {value(q.subject) for q in quads if graph_iri(q) == GRAPHS["evidence"]}
    assertions = {iri for iri in evidence if iri.startswith(ID_NS + "assertion/")}
    assert assertions
    assert all(re.fullmatch(re.escape(ID_NS) + r"assertion/[0-9a-f]{16}(/annotation)?", iri) for iri in assertions)


# --- the curation's mistakes ------------------------------------------------------------------

TEXT = "\nHHS ordered CMS to hand the data to DHS. CMS objected on June 6.\nAn unrelated line."
CURATED = """
@prefix cg: <https://w3id.org/casegraph/ontology#> .
@prefix cgc: <https://w3id.org/casegraph/curation#> .
@prefix id: <https://w3id.org/casegraph/id/> .
id:hhs cgc:mention "[[HHS]] ordered" .
id:cms cgc:mention "ordered [[CMS]]" .
id:order cg:issuedBy id:hhs ; cg:addressedTo id:cms ; cgc:mention "HHS [[ordered]]" ;
"""
A, B = "https://w3id.org/casegraph/id/source/a", "https://w3id.org/casegraph/id/source/b"


def grounded(blocks: str, text: str = TEXT, source: str = A) -> Graph:
    return ground(Graph().parse(data=CURATED + blocks, format="turtle"), text, source).evidence


def test_one_block_grounds_several_triples_and_iris_depend_on_the_report() -> None:
    block = 'cgc:evidence [ cgc:supports cg:issuedBy , cg:addressedTo ; cgc:quote "HHS ordered CMS" ] .'
    in_a, in_b = grounded(block), grounded(block, source=B)
    statements = {str(s) for s in in_a.subjects() if "/assertion/" in str(s) and not str(s).endswith("/annotation")}
    assert len(statements) == 2
    assert statements.isdisjoint({str(s) for s in in_b.subjects()})
    assert set(grounded(block)) == set(in_a)  # deterministic


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        (
            'cgc:evidence [ cgc:supports cg:issuedBy , cg:addressedTo ; cgc:quote "HHS orderd CMS" ] .',
            'graph/article.ttl: id:order cg:addressedTo id:cms: quote "HHS orderd CMS" is not in the source text; '
            'the closest words are at 1-16: "HHS ordered CMS"; copy the words exactly as the source has them '
            "(including its typos)",
        ),
        (
            'cgc:evidence [ cgc:supports cg:issuedBy ; cgc:quote "CMS" ] .',
            'graph/article.ttl: id:order cg:issuedBy id:hhs: quote "CMS" occurs 2 times (at offsets 13, 42); '
            "lengthen it, or add context and mark the words with [[ ]]",
        ),
        (
            'cgc:evidence [ cgc:supports cg:issuedBy ; cgc:quote "HHS ordered" ] .',
            "graph/article.ttl: id:order cg:addressedTo id:cms has no evidence; give id:order a "
            'cgc:evidence [ cgc:supports cg:addressedTo ; cgc:quote "…" ] with the words of the report that state '
            'it, or a cgc:inferred [ … ; cgc:note "…" ] block saying how it was inferred',
        ),
        (
            'cgc:evidence [ cgc:supports cg:issuedBy , cg:addressedTo ; cgc:quote "An unrelated line" ] .',
            'graph/article.ttl: id:order cg:addressedTo id:cms: the words "An unrelated line" (66-83) mention '
            "neither its subject nor its object (no cgc:mention of either lies in that sentence); the nearest "
            'sentence that mentions one is at 1-41: "HHS ordered CMS to hand the data to DHS."; add a '
            "cgc:mention, offer other words, or give the block a cgc:note saying why they support it",
        ),
        (
            'cgc:evidence [ cgc:supports cg:issuedBy , cg:deadline ; cgc:quote "HHS ordered CMS" ] .',
            "graph/article.ttl: id:order: a block supports cg:deadline, but the subject has no cg:deadline; "
            "fix the property or add the fact",
        ),
        (
            'cgc:quote "HHS ordered CMS" .',
            "graph/article.ttl: id:order: cgc:quote is not used on a subject; put the words in a "
            'cgc:evidence [ cgc:supports … ; cgc:quote "…" ] block (see graph/CURATION.md)',
        ),
        (
            "cgc:inferred [ cgc:supports cg:issuedBy , cg:addressedTo ] .",
            "graph/article.ttl: id:order: cgc:inferred block needs a cgc:note saying how it was inferred, and no "
            "cgc:quote (words of the report go in cgc:evidence)",
        ),
    ],
    ids=["absent", "ambiguous", "uncovered", "unmentioned", "no-such-triple", "bare-quote", "inference-without-note"],
)
def test_a_curation_mistake_fails_naming_the_triple(blocks: str, message: str) -> None:
    with pytest.raises(GroundingError) as caught:
        grounded(blocks)
    assert str(caught.value) == message


def test_a_note_or_an_inference_stands_in_for_a_mention() -> None:
    evidence = grounded(
        'cgc:evidence [ cgc:supports cg:issuedBy ; cgc:quote "An unrelated line" ; cgc:note "because" ] ;'
        ' cgc:inferred [ cgc:supports cg:addressedTo ; cgc:note "read from the order" ] .'
    )
    notes = {str(o) for o in evidence.objects() if str(o) in ("because", "read from the order")}
    assert notes == {"because", "read from the order"}


ENRICHMENT = """
@prefix cg: <https://w3id.org/casegraph/ontology#> .
@prefix id: <https://w3id.org/casegraph/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix reference: <https://w3id.org/casegraph/id/reference/> .
reference:wikidata a cg:Reference ; skos:prefLabel "Wikidata"@en .
"""


@pytest.mark.parametrize(
    ("trig", "message"),
    [
        (
            "id:cms skos:exactMatch id:elsewhere .",
            "x.trig: id:cms <http://www.w3.org/2004/02/skos/core#exactMatch> id:elsewhere is outside every "
            "reference's graph; put it in the named graph of the reference it comes from",
        ),
        (
            "reference:nowhere { id:cms skos:exactMatch id:elsewhere . }",
            "x.trig: graph <https://w3id.org/casegraph/id/reference/nowhere> is not described as a reference; add "
            '<https://w3id.org/casegraph/id/reference/nowhere> a cg:Reference ; skos:prefLabel "…"@en to the '
            "file's default graph",
        ),
        (
            'reference:wikidata { id:cms skos:prefLabel "CMS"@en . }',
            'x.trig: id:cms <http://www.w3.org/2004/02/skos/core#prefLabel> "CMS": enrichment never adds a '
            "skos:prefLabel (the canonical name is the asserted graph's); use skos:altLabel or drop it",
        ),
    ],
    ids=["no-reference", "undescribed-reference", "second-label"],
)
def test_an_enrichment_mistake_fails_naming_the_node(trig: str, message: str) -> None:
    graphs = parse_trig((ENRICHMENT + trig).encode(), where="x.trig")
    with pytest.raises(GroundingError) as caught:
        lower(graphs, where="x.trig")
    assert str(caught.value) == message


def test_the_shipped_enrichment_file_lowers_with_a_reference_per_triple(paths: Paths) -> None:
    from casegraph.enrichment import read_enrichment

    graph = read_enrichment(paths.enrichment)
    assert len(graph) > 40
    assert len(read_enrichment(Path("/nonexistent/enrichment.trig"))) == 0
    assert RDF + "Statement" in {str(o) for o in graph.objects()}


#: Lines of the report that state nothing: its two subheadings, and the republication line (the
#: metadata graph describes the source: publisher, republisher, rights).
NOT_ASSERTIONS = (
    "A targeted review of millions of immigrants -Medicaid participants",
    "A “concerned” development",
    "This story was originally on Fortune.com",
)


def test_every_sentence_of_the_report_is_evidence(store: ox.Store, source_text: str) -> None:
    spans = [
        (int(r["start"]), int(r["end"]))
        for r in rows(
            store,
            """SELECT DISTINCT ?start ?end WHERE {
                 ?a oa:motivatedBy cg:grounding ; oa:hasTarget/oa:hasSelector ?p .
                 ?p oa:start ?start ; oa:end ?end . }""",
            "evidence",
        )
    ]
    silent = [
        source_text[a:b]
        for a, b in sentences(source_text)
        if re.search(r"[A-Za-z]", source_text[a:b])
        and source_text[a:b] not in NOT_ASSERTIONS
        and not any(start < b and a < end for start, end in spans)
    ]
    assert silent == []
