"""Serialise quads to the RDF formats casegraph publishes, byte-identically on every run.

Order is made explicit (sorted by N-Triples form, ``rdf:type`` first within a subject), so the
output does not depend on hash seeds or store internals. pyoxigraph writes every format except
compact JSON-LD, which rdflib compacts against the project's published context (embedded
inline; nothing is fetched).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cache
from typing import Any, cast

import pyoxigraph as ox

from .iris import GRAPHS, PREFIXES
from .resources import default_paths

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class RdfFormat(StrEnum):
    """The export formats, by the name the CLI accepts."""

    TURTLE = "turtle"
    JSONLD = "jsonld"  # compact, with the project's context inline
    JSONLD_EXPANDED = "jsonld-expanded"  # expanded form (no context), written by pyoxigraph
    TRIG = "trig"
    NQUADS = "nquads"
    NTRIPLES = "ntriples"
    RDFXML = "rdfxml"

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]

    @property
    def keeps_graphs(self) -> bool:
        """True for the dataset formats (TriG, N-Quads), which keep the named graphs apart."""
        return self in (RdfFormat.TRIG, RdfFormat.NQUADS)

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def ox_format(self) -> ox.RdfFormat:
        """The pyoxigraph format of the same name."""
        return ox.RdfFormat.JSON_LD if self is RdfFormat.JSONLD else _OX_FORMATS[self]


_EXTENSIONS = {
    RdfFormat.TURTLE: "ttl",
    RdfFormat.JSONLD: "jsonld",
    RdfFormat.JSONLD_EXPANDED: "jsonld",
    RdfFormat.TRIG: "trig",
    RdfFormat.NQUADS: "nq",
    RdfFormat.NTRIPLES: "nt",
    RdfFormat.RDFXML: "rdf",
}
_MEDIA_TYPES = {
    RdfFormat.TURTLE: "text/turtle",
    RdfFormat.JSONLD: "application/ld+json",
    RdfFormat.JSONLD_EXPANDED: "application/ld+json",
    RdfFormat.TRIG: "application/trig",
    RdfFormat.NQUADS: "application/n-quads",
    RdfFormat.NTRIPLES: "application/n-triples",
    RdfFormat.RDFXML: "application/rdf+xml",
}
_OX_FORMATS = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.JSONLD_EXPANDED: ox.RdfFormat.JSON_LD,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.RDFXML: ox.RdfFormat.RDF_XML,
}


def _triple_key(t: ox.Triple | ox.Quad) -> tuple[str, int, str, str]:
    return (str(t.subject), 0 if t.predicate.value == RDF_TYPE else 1, str(t.predicate), str(t.object))


def graph_iri(quad: ox.Quad) -> str:
    """The IRI of the quad's named graph ("" for the default graph)."""
    name = quad.graph_name
    return "" if isinstance(name, ox.DefaultGraph) else name.value


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of ``quads`` (graph names dropped), in publication order."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(triples, key=_triple_key)


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` grouped by graph, then in publication order."""
    return sorted(set(quads), key=lambda q: (str(q.graph_name), *_triple_key(q)))


def header(fmt: RdfFormat, note: str) -> bytes:
    """A leading comment for the formats that allow one (Turtle, TriG, N-Triples, N-Quads)."""
    if fmt in (RdfFormat.JSONLD, RdfFormat.JSONLD_EXPANDED, RdfFormat.RDFXML):
        return b""
    return f"# {note}\n".encode()


@cache
def context() -> dict[str, Any]:
    """The published JSON-LD context (``ontology/context.jsonld``), as a dict."""
    document: dict[str, Any] = json.loads(default_paths().context.read_text(encoding="utf-8"))
    return document


def serialize(quads: Sequence[ox.Quad], fmt: RdfFormat, *, note: str = "") -> bytes:
    """Serialise ``quads`` in ``fmt``; triple formats merge the graphs.

    Args:
        quads: the data, with graph names.
        fmt: the output format.
        note: text of a leading comment, where the format allows comments.
    """
    head = header(fmt, note) if note else b""
    if fmt is RdfFormat.JSONLD:
        return compact_jsonld(sorted_triples(quads))
    data: list[ox.Triple] | list[ox.Quad]
    data = sorted_quads(quads) if fmt.keeps_graphs else sorted_triples(quads)
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDFXML) else None
    body = cast(bytes, ox.serialize(data, format=_OX_FORMATS[fmt], prefixes=prefixes))
    return head + body


def _sort_values(value: Any) -> Any:
    """Sort every JSON array (values of a multi-valued property) by its canonical JSON text."""
    if isinstance(value, dict):
        return {k: _sort_values(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_values(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def compact_jsonld(triples: Sequence[ox.Triple]) -> bytes:
    """Compact JSON-LD with the project's context embedded inline, nodes sorted by ``@id``."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=cast(bytes, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)).decode(), format="nt")
    ctx = context()["@context"]
    text = graph.serialize(format="json-ld", context=ctx, auto_compact=True)
    document = json.loads(text)
    nodes = document.get("@graph", [])
    if not nodes and "@id" in document:
        nodes = [{k: v for k, v in document.items() if k != "@context"}]
    nodes = sorted((_sort_values(n) for n in nodes), key=lambda n: str(n.get("@id", "")))
    out = {"@context": ctx, "@graph": nodes}
    return (json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def export_note(quads: Sequence[ox.Quad]) -> str:
    """The leading comment of an export: which graphs it holds and that it is generated."""
    from . import __version__

    present = {graph_iri(q) for q in quads}
    roles = [role for role, iri in GRAPHS.items() if iri in present]
    return (
        f"casegraph {__version__}, graphs {','.join(roles)}; "
        "generated by `casegraph build` or `casegraph export`, do not edit"
    )
