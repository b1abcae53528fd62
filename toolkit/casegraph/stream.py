"""Streaming exports of a store (``--data`` inputs of any size): memory stays flat.

Quads are written as they come — straight from the parser when the input is a file (``--data``),
or from a store (``--store DIR``) — by pyoxigraph's streaming serialisers; the triple formats
merge the graphs. Output follows the input's (or the store's) own order, the same for the same
data on every run. Streaming from the parser also keeps every literal exactly as written (an
Oxigraph store would, for instance, store ``xsd:nonNegativeInteger`` values as ``xsd:integer``).

Compact JSON-LD is written node by node against
the project's context (``ontology/context.jsonld``), which uses simple term definitions only
(an IRI, optionally coerced to ``@id`` or one datatype) — the subset this writer implements; a
value that does not fit its term's coercion is written under the predicate's compact IRI in
expanded form, as JSON-LD compaction does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

import pyoxigraph as ox

from .export import RDF_TYPE, RdfFormat, context
from .iris import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _triples(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    for quad in quads:
        yield ox.Triple(quad.subject, quad.predicate, quad.object)


def dump(quads: Iterable[ox.Quad], fmt: RdfFormat, out: IO[bytes]) -> None:
    """Write ``quads`` (a store, or quads streamed from a parser) to ``out`` in ``fmt``, as they
    come; triple formats merge the graphs."""
    if fmt is RdfFormat.JSONLD:
        CompactWriter(context()["@context"]).write(quads, out)
        return
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDFXML) else None
    data: Iterable[ox.Quad] | Iterable[ox.Triple] = quads if fmt.keeps_graphs else _triples(quads)
    ox.serialize(data, out, format=fmt.ox_format, prefixes=prefixes)


class CompactWriter:
    """Compact JSON-LD, one node object per run of a subject's triples, for a simple context."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self.prefixes = sorted(
            ((name, iri) for name, iri in ctx.items() if isinstance(iri, str) and iri.endswith(("/", "#"))),
            key=lambda pair: -len(pair[1]),
        )
        self.terms: dict[str, tuple[str, str | None]] = {}  # predicate IRI -> (term, coercion IRI)
        self.vocab: dict[str, str] = {}  # class or concept IRI -> term
        for term, definition in ctx.items():
            if isinstance(definition, str):
                iri = self.expand(definition)
                if not definition.endswith(("/", "#")):
                    self.vocab.setdefault(iri, term)
                    self.terms.setdefault(iri, (term, None))
            elif isinstance(definition, dict):
                coercion = definition.get("@type")
                self.terms[self.expand(definition["@id"])] = (
                    term,
                    "@id" if coercion == "@id" else (self.expand(coercion) if coercion else None),
                )

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.ctx and isinstance(self.ctx[prefix], str) and not rest.startswith("//"):
            return str(self.ctx[prefix]) + rest
        return value

    def compact_iri(self, iri: str) -> str:
        for name, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{name}:{iri[len(namespace) :]}"
        return iri

    def _node_id(self, term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.NamedNode):
            return self.compact_iri(term.value)
        raise ValueError("RDF-star triple terms cannot be written as JSON-LD 1.1")

    def _value(
        self, obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, coercion: str | None
    ) -> tuple[Any, bool]:
        """The compacted value, and whether it fits the term's coercion."""
        if isinstance(obj, ox.Literal):
            datatype = obj.datatype.value
            if obj.language:
                return {"@value": obj.value, "@language": obj.language}, coercion is None
            if coercion is not None and coercion != "@id" and datatype == coercion:
                return obj.value, True
            if datatype == XSD_STRING:
                return obj.value, coercion is None
            return {"@value": obj.value, "@type": self.compact_iri(datatype)}, coercion is None
        node = self._node_id(obj)
        if coercion == "@id":
            return node, True
        return {"@id": node}, coercion is None

    def node(self, subject: ox.NamedNode | ox.BlankNode | ox.Triple, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        """One node object from the subject's (predicate IRI, object) pairs."""
        out: dict[str, Any] = {"@id": self._node_id(subject)}
        for predicate, obj in pairs:
            if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
                key, value = "@type", self.vocab.get(obj.value) or self.compact_iri(obj.value)
            else:
                term, coercion = self.terms.get(predicate, (None, None))
                value, fits = self._value(obj, coercion)
                if term is None or not fits:
                    key = self.compact_iri(predicate)
                    value, _ = self._value(obj, None)
                else:
                    key = term
            if key in out:
                existing = out[key]
                out[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                out[key] = value
        return out

    def write(self, quads: Iterable[ox.Quad], out: IO[bytes]) -> None:
        out.write(b'{\n  "@context": ')
        out.write(json.dumps(self.ctx, ensure_ascii=False).encode())
        out.write(b',\n  "@graph": [')
        first, subject, pairs = True, None, []  # type: ignore[var-annotated]
        for quad in quads:
            if quad.subject != subject and pairs:
                out.write(b"\n    " if first else b",\n    ")
                out.write(json.dumps(self.node(subject, pairs), ensure_ascii=False).encode())  # type: ignore[arg-type]
                first, pairs = False, []
            subject = quad.subject
            pairs.append((quad.predicate.value, quad.object))
        if pairs:
            out.write(b"\n    " if first else b",\n    ")
            out.write(json.dumps(self.node(subject, pairs), ensure_ascii=False).encode())  # type: ignore[arg-type]
        out.write(b"\n  ]\n}\n")
