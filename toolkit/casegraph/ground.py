"""Ground the curators' quotes in the source text: exact words -> verified code-point offsets.

Curators write three kinds of shorthand in ``graph/article.ttl`` (namespace ``cgc:``):
``cgc:quote`` (evidence of a claim), ``cgc:mention`` (a surface form of an entity) and
``cgc:quotation`` (the words of a statement). Each string must occur exactly once in the source;
context around the selected words can be given with ``[[ ]]`` marking the selection. This stage
replaces the shorthand with W3C Web Annotation resources whose IRIs are minted from the claim's
IRI and the offsets, so they are stable and no blank node is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import GroundingError
from .ontology import CG, CGC, OA, PROV, SCHEMA

CONTEXT_CHARS = 32
OPEN, CLOSE = "[[", "]]"


@dataclass(frozen=True)
class Span:
    """A verified selection of the source text: ``text[start:end] == exact``."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def parse_pattern(pattern: str) -> tuple[str, str, str]:
    """Split ``before[[exact]]after`` into its three parts (no markers: all of it is exact)."""
    if OPEN not in pattern and CLOSE not in pattern:
        return "", pattern, ""
    head, sep, rest = pattern.partition(OPEN)
    exact, sep2, tail = rest.partition(CLOSE)
    if not sep or not sep2 or OPEN in tail or CLOSE in tail or OPEN in exact or not exact:
        raise ValueError("mark the selected words with exactly one pair of [[ ]]")
    return head, exact, tail


def _occurrences(text: str, needle: str) -> list[int]:
    found, i = [], text.find(needle)
    while i != -1:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


def locate(text: str, pattern: str, *, claim: str, where: str) -> Span:
    """Find the one place in ``text`` that ``pattern`` selects.

    Raises:
        GroundingError: the pattern is malformed, absent, or occurs more than once.
    """
    try:
        before, exact, after = parse_pattern(pattern)
    except ValueError as err:
        raise GroundingError(f'{where}: <{claim}>: quote "{pattern}": {err}') from err
    hits = _occurrences(text, before + exact + after)
    if not hits:
        raise GroundingError(
            f'{where}: <{claim}>: quote "{pattern}" is not in the source text; '
            "copy the words exactly as the source has them (including its typos)"
        )
    if len(hits) > 1:
        offsets = ", ".join(str(h + len(before)) for h in hits)
        raise GroundingError(
            f'{where}: <{claim}>: quote "{pattern}" occurs {len(hits)} times '
            f"(at offsets {offsets}); lengthen it, or add context and mark the words with [[ ]]"
        )
    start = hits[0] + len(before)
    end = start + len(exact)
    return Span(
        start=start,
        end=end,
        exact=exact,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def _selector_triples(node: URIRef, span: Span, source: URIRef) -> Iterator[tuple[Node, Node, Node]]:
    quote, position = URIRef(f"{node}/quote-selector"), URIRef(f"{node}/position-selector")
    yield node, RDF.type, OA.SpecificResource
    yield node, OA.hasSource, source
    yield node, OA.hasSelector, quote
    yield node, OA.hasSelector, position
    yield quote, RDF.type, OA.TextQuoteSelector
    yield quote, OA.exact, Literal(span.exact)
    if span.prefix:
        yield quote, OA.prefix, Literal(span.prefix)
    if span.suffix:
        yield quote, OA.suffix, Literal(span.suffix)
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)
    yield position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)


def _grounded_triples(
    graph: Graph, subject: URIRef, kind: URIRef, span: Span, source: URIRef
) -> Iterator[tuple[Node, Node, Node]]:
    key = f"{span.start}-{span.end}"
    if kind == CGC.quote:
        node = URIRef(f"{subject}/evidence/{key}")
        yield subject, CG.hasEvidence, node
        yield from _selector_triples(node, span, source)
    elif kind == CGC.mention:
        node = URIRef(f"{subject}/mention/{key}")
        yield subject, CG.hasMention, node
        yield from _selector_triples(node, span, source)
    else:  # cgc:quotation: the words of a statement
        quote = URIRef(f"{subject}/quote/{key}")
        evidence = URIRef(f"{quote}/evidence")
        yield subject, CG.hasQuote, quote
        yield subject, CG.hasEvidence, evidence  # the quoted words are evidence of the statement too
        yield quote, RDF.type, CG.Quote
        yield quote, SCHEMA.text, Literal(span.exact)
        for speaker in graph.objects(subject, CG.speaker):
            yield quote, PROV.wasAttributedTo, speaker
        yield quote, CG.hasEvidence, evidence
        yield from _selector_triples(evidence, span, source)


SHORTHAND = (CGC.quote, CGC.mention, CGC.quotation)


def ground(facts: Graph, text: str, source: str, *, where: str = "graph/article.ttl") -> Graph:
    """Return a copy of ``facts`` with every shorthand quote replaced by verified evidence.

    Args:
        facts: the curated graph, with ``cgc:`` shorthand.
        text: the source text, exactly as stored.
        source: the IRI of the source document (``oa:hasSource`` of every selection).
        where: the curated file's name, for messages.

    Raises:
        GroundingError: a quote is malformed, missing or ambiguous; the message names the claim.
    """
    grounded = Graph()
    source_ref = URIRef(source)
    for s, p, o in sorted(facts):
        if p not in SHORTHAND:
            grounded.add((s, p, o))
            continue
        if not isinstance(s, URIRef) or not isinstance(p, URIRef) or not isinstance(o, Literal):
            raise GroundingError(f"{where}: {p} must link an IRI to a string, not {s} -> {o}")
        span = locate(text, str(o), claim=str(s), where=where)
        for triple in _grounded_triples(facts, s, p, span, source_ref):
            grounded.add(triple)
    return grounded
