"""Reason: the OWL 2 RL closure of ontology + asserted facts, kept as a separate *inferred* graph.

owlrl is the reference engine and produces the shipped inferred graph. The closure is computed on
a copy (owlrl expands a graph in place), and only what a reader can use is kept: new triples about
our own resources. Each exclusion below is named, so a reader of the inferred graph knows what is
deliberately not there:

- ``literal-subject``: owlrl's datatype axioms put literals in subject position (``"5" a
  xsd:integer``), which RDF 1.1 cannot even serialise;
- ``reflexive-identity``: ``x owl:sameAs x``, ``C rdfs:subClassOf C``, ``P owl:equivalentProperty
  P`` and the like — true of everything, informative about nothing;
- ``top-type``: ``x a owl:Thing`` / ``rdfs:Resource``, ``C rdfs:subClassOf owl:Thing``, and typing
  a term as ``rdfs:Class`` or ``rdf:Property`` when OWL already types it;
- ``external-subject``: statements whose subject is another vocabulary's term (PROV, schema.org,
  DPV, …) or an OWL/RDFS built-in: we publish our own resources, not a copy of theirs;
- ``blank-node``: the published dataset has no blank nodes.

Claims stay claims: a legal characterisation lives on a ``cg:LegalCitation`` or a statement's
stance, attributed to whoever made it; no ontology axiom turns it into a property of the act
itself (a test checks the inferred graph for that).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import ReasoningError, one_line
from .iris import ID_NS, ONTOLOGY_NS

Triple = tuple[Node, Node, Node]
ERR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
OURS = (ONTOLOGY_NS, ID_NS, "https://w3id.org/casegraph/")
REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}
TOP_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, RDF.Property}


class Engine(StrEnum):
    """The OWL 2 RL reasoners casegraph can run."""

    OWLRL = "owlrl"  # the reference (pure Python); produces the shipped inferred graph
    FAST = "fast"  # reasonable (Rust) on the whole graph + owlrl on the ontology alone
    AUTO = "auto"  # owlrl up to AUTO_LIMIT triples, fast above (when reasonable is installed)


#: Above this many input triples, ``auto`` switches to the fast engine.
AUTO_LIMIT = 20_000


def exclusion(triple: Triple) -> str | None:
    """The name of the rule that leaves ``triple`` out of the inferred graph, or None to keep it."""
    s, p, o = triple
    if isinstance(s, Literal):
        return "literal-subject"
    if isinstance(s, BNode) or isinstance(o, BNode):
        return "blank-node"
    if p in REFLEXIVE and s == o:
        return "reflexive-identity"
    if (p == RDF.type and o in TOP_TYPES) or (p == RDFS.subClassOf and o in (OWL.Thing, RDFS.Resource)):
        return "top-type"
    if not str(s).startswith(OURS):
        return "external-subject"
    return None


@contextmanager
def rdflib_conversions_kept() -> Iterator[None]:
    """Run owlrl inside this: it swaps in its own lexical-to-Python conversions for every rdflib
    literal of the process and never takes them back, and its ``xsd:dateTimeStamp`` one rewrites
    negative offsets ("2025-06-14T00:00:00-04:00" becomes "…-05:00"), so any literal parsed
    afterwards — a second build in the same process, ``reasonable``'s output, an API user's graph —
    would change. The conversions are restored as they were, whatever happens."""
    from rdflib.term import _toPythonMapping

    saved = dict(_toPythonMapping)
    try:
        yield
    finally:
        _toPythonMapping.clear()
        _toPythonMapping.update(saved)


def _owlrl_closure(graph: Graph) -> Graph:
    """owlrl's closure of a copy of ``graph`` (rdflib's literal conversions kept as they were)."""
    import owlrl

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    with rdflib_conversions_kept():
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return closure


def _to_node(term: object) -> Node:
    """A term as ``reasonable`` returns it: an rdflib node already, or an N-Triples-like string.
    Its plain literals come back typed ``xsd:string``: the same RDF 1.1 term, written plainly."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    if isinstance(term, Node):
        return term
    text = str(term)
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text)


def _reasonable_new(base: set[Triple]) -> set[Triple]:
    """What ``reasonable`` adds to ``base`` (kept as sets: no rdflib graph is built)."""
    import reasonable

    engine = reasonable.PyReasoner()
    engine.from_graph(list(base))
    string = XSD.string
    added = set()
    for s, p, o in engine.reason():
        if type(o) is Literal and o.datatype == string:  # its plain literals come back typed
            o = Literal(str(o))
        triple = (s, p, o)
        if triple not in base:
            added.add(triple)
    return added


@lru_cache(maxsize=1)
def _schema_closure(ontology: frozenset[Triple]) -> frozenset[Triple]:
    """owlrl's closure of the ontology alone, filtered. The schema-level entailments that
    ``reasonable`` omits depend on the ontology only, so the last one is memoised."""
    graph = union(ontology)
    expanded = _owlrl_closure(graph)
    _check(expanded)
    return frozenset(t for t in _new_triples(expanded, graph) if exclusion(t) is None)


def resolve(engine: Engine, size: int) -> Engine:
    """The concrete engine ``engine`` stands for on a graph of ``size`` triples."""
    if engine is not Engine.AUTO:
        return engine
    if size <= AUTO_LIMIT:
        return Engine.OWLRL
    try:
        import reasonable  # noqa: F401
    except ImportError:
        return Engine.OWLRL
    return Engine.FAST


@dataclass(frozen=True, order=True)
class Inconsistency:
    """One owlrl error message (e.g. a node typed in two disjoint classes)."""

    message: str


def inconsistencies(expanded: Graph) -> list[Inconsistency]:
    """The inconsistencies owlrl recorded in an expanded graph (``err:error`` messages)."""
    error = URIRef(ERR_NS + "error")
    return sorted(Inconsistency(str(o)) for o in expanded.objects(None, error))


def filtered(new: Iterable[Triple]) -> Graph:
    """The triples of ``new`` that no exclusion rule leaves out."""
    kept = Graph()
    for triple in new:
        if exclusion(triple) is None:
            kept.add(triple)
    return kept


def union(*graphs: Iterable[Triple]) -> Graph:
    """A new graph holding every triple of ``graphs``."""
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


def _new_triples(expanded: Graph, base: Graph) -> Iterable[Triple]:
    err = URIRef(ERR_NS + "error")
    return (t for t in expanded if t not in base and t[1] != err)


def _check(expanded: Graph) -> None:
    problems = inconsistencies(expanded)
    if problems:
        raise ReasoningError(
            "the graph is inconsistent under OWL 2 RL: "
            + "; ".join(one_line(p.message) for p in problems)
            + "; fix the asserted types or the ontology's axioms"
        )


def reason(ontology: Graph, asserted: Graph, *, engine: Engine = Engine.OWLRL) -> Graph:
    """The inferred graph: what the OWL 2 RL closure of ontology + asserted adds, filtered.

    With the fast engine, ``reasonable`` computes the closure of the whole graph and owlrl adds
    the schema-level entailments (``scm-*`` rules) that ``reasonable`` leaves out, from the
    ontology alone; after the exclusions the result equals owlrl's (a test checks it on the
    article graph).

    Raises:
        ReasoningError: the closure is inconsistent; the message quotes owlrl's own words
            (for disjoint classes: the node and the two classes).
    """
    chosen = resolve(engine, len(ontology) + len(asserted))
    return union(_inferred(frozenset(ontology), frozenset(asserted), chosen))


@lru_cache(maxsize=2)
def _inferred(ontology: frozenset[Triple], asserted: frozenset[Triple], engine: Engine) -> frozenset[Triple]:
    """:func:`reason`'s triples, remembered for the last inputs: the closure of the same triples is
    the same, and a build, a validation and a reasoning run of one process reason over the same
    graphs (2 s each with owlrl)."""
    if engine is Engine.OWLRL:
        base = union(ontology, asserted)
        expanded = _owlrl_closure(base)
        _check(expanded)
        return frozenset(filtered(_new_triples(expanded, base)))
    schema = _schema_closure(ontology)
    triples: set[Triple] = set(ontology)
    triples.update(asserted)
    return frozenset(filtered(_reasonable_new(triples) | (schema - triples)))
