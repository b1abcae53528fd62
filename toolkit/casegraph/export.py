"""Serialise quads to the RDF formats casegraph publishes, byte-identically on every run.

Order is made explicit (sorted by N-Triples form, ``rdf:type`` first within a subject), so the
output does not depend on hash seeds or store internals. pyoxigraph writes every format except
compact JSON-LD, which :class:`CompactWriter` writes against the project's published context
(embedded inline; nothing is fetched), one graph object per named graph — the same writer for the
dataset's exports and for streamed ``--data`` exports; no rdflib is involved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cache
from typing import IO, Any, cast

import pyoxigraph as ox

from .errors import ExportError
from .iris import ONTOLOGY_NS, PREFIXES, graph_order, graph_role, selector_of
from .resources import default_paths

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
        """True for the dataset formats (TriG, N-Quads, JSON-LD), which keep the named graphs apart."""
        return self in (RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.JSONLD, RdfFormat.JSONLD_EXPANDED)

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
#: The format a file's extension names (``.json`` and ``.xml`` name none: JSON-LD in either form,
#: SPARQL results or RDF/XML would all fit).
BY_EXTENSION = {
    "ttl": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSONLD,
    "trig": RdfFormat.TRIG,
    "nq": RdfFormat.NQUADS,
    "nt": RdfFormat.NTRIPLES,
    "rdf": RdfFormat.RDFXML,
    "owl": RdfFormat.RDFXML,
}


def format_for(output: str, given: str | None, *, bare: RdfFormat = RdfFormat.TURTLE) -> RdfFormat:
    """The format to write ``output`` in: ``given``, else the one its extension names (``bare``
    on standard output, or into a file without an extension, such as a FIFO or /dev/null).

    Raises:
        UsageError: the extension names no format and none is given, or ``given`` contradicts it.
    """
    from pathlib import PurePath

    from .errors import UsageError

    extension = PurePath(output).suffix.lower().lstrip(".") if output != "-" else ""
    named = BY_EXTENSION.get(extension)
    if given is not None:
        chosen = RdfFormat(given)
        if named is not None and named.extension != chosen.extension:
            raise UsageError(
                f"--format {given} contradicts --output {output}, whose .{extension} is {named.value}; "
                f"change one of them"
            )
        return chosen
    if not extension:
        return bare
    if named is None:
        known = ", ".join(f".{e}" for e in BY_EXTENSION)
        kind = "may hold several formats" if extension in ("json", "xml") else "names no RDF format"
        raise UsageError(f"--output {output}: .{extension} {kind}; give --format, or an extension of {known}")
    return named


def canonical_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """``quads`` as RDFC-1.0 canonical N-Quads: blank nodes named by the W3C algorithm, one quad a
    line, the lines sorted in code point order (the form whose SHA-256 is the dataset's hash)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = cast(bytes, ox.serialize(dataset, format=ox.RdfFormat.N_QUADS))
    lines = sorted(set(text.splitlines(keepends=True)))
    return b"".join(lines)


def graph_hash(quads: Iterable[ox.Quad]) -> str:
    """The SHA-256 of ``quads`` as RDFC-1.0 canonical N-Quads: what `casegraph export --graphs ROLE
    --canonical | sha256sum` prints for that graph, what the build records in the metadata graph
    and what `casegraph verify` recomputes."""
    import hashlib

    return hashlib.sha256(canonical_nquads(quads)).hexdigest()


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


OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: The types that make a subject a declaration of the ontology, in the order their sections come
#: (the header, classes, object, datatype and annotation properties, other properties, axioms);
#: any other subject of the ontology's namespace (concept schemes, concepts) follows them.
DECLARATIONS: dict[str, int] = {
    OWL + "Ontology": 0,
    OWL + "Class": 1,
    RDFS + "Class": 1,
    RDFS + "Datatype": 2,
    OWL + "ObjectProperty": 3,
    OWL + "DatatypeProperty": 4,
    OWL + "AnnotationProperty": 5,
    RDF + "Property": 6,
    OWL + "OntologyProperty": 6,
    **{OWL + kind + "Property": 6 for kind in ("Transitive", "Functional", "InverseFunctional", "Symmetric")},
    **{OWL + kind + "Property": 6 for kind in ("Asymmetric", "Reflexive", "Irreflexive")},
    **{OWL + axiom: 7 for axiom in ("Restriction", "AllDisjointClasses", "AllDisjointProperties", "AllDifferent")},
}
_INSTANCES, _UNTYPED, _DECLARED = 0, 1, 2


def _local(iri: str) -> str:
    return iri[max(iri.rfind("#"), iri.rfind("/")) + 1 :]


def _section(subject: ox.NamedNode | ox.BlankNode | ox.Triple, types: list[str]) -> tuple[int, int, str, str]:
    """Where a subject's block goes in readable Turtle: instances first, grouped by type (their
    own ontology's class where they have one, else the first of their types by IRI; the groups
    in the order of the types' local names), then subjects without a type, then the ontology's
    declarations (header, classes, properties, … ; ``DECLARATIONS``)."""
    ranks = [DECLARATIONS[t] for t in types if t in DECLARATIONS]
    own = isinstance(subject, ox.NamedNode) and (
        subject.value.startswith(ONTOLOGY_NS) or subject.value == ONTOLOGY_NS.rstrip("#")
    )
    if ranks or own:
        rest = sorted(t for t in types if t not in DECLARATIONS)
        kind = min(ranks) if ranks else max(DECLARATIONS.values()) + 1
        return (_DECLARED, kind, _local(rest[0]) if rest else "", rest[0] if rest else "")
    if not types:
        return (_UNTYPED, 0, "", "")
    chosen = min(types, key=lambda t: (not t.startswith(ONTOLOGY_NS), t))
    return (_INSTANCES, 0, _local(chosen), chosen)


def _sections(items: Iterable[ox.Triple | ox.Quad], graph: bool) -> dict[Any, tuple[int, int, str, str]]:
    """The section of every subject of ``items`` (per graph when ``graph``)."""
    types: dict[Any, list[str]] = {}
    for t in items:
        key = (t.graph_name, t.subject) if graph and isinstance(t, ox.Quad) else t.subject
        found = types.setdefault(key, [])
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            found.append(t.object.value)
    return {key: _section(key[1] if isinstance(key, tuple) else key, names) for key, names in types.items()}


def readable_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of ``quads`` in the order of readable Turtle: subjects grouped by type,
    the ontology's declarations last (see ``_section``), then in publication order."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    sections = _sections(triples, graph=False)
    return sorted(triples, key=lambda t: (sections[t.subject], *_triple_key(t)))


def readable_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` grouped by graph, then as ``readable_triples`` within each graph."""
    distinct = set(quads)
    sections = _sections(distinct, graph=True)
    return sorted(distinct, key=lambda q: (str(q.graph_name), sections[(q.graph_name, q.subject)], *_triple_key(q)))


@cache
def _prefix_head(fmt: ox.RdfFormat, prefixes: tuple[tuple[str, str], ...] | None = None) -> bytes:
    """The ``@prefix`` lines pyoxigraph writes first in ``fmt`` (Turtle or TriG) with ``prefixes``
    (default: ``PREFIXES``)."""
    node = ox.NamedNode("urn:casegraph:head")
    used = PREFIXES if prefixes is None else dict(prefixes)
    text = cast(bytes, ox.serialize([ox.Triple(node, node, node)], format=fmt, prefixes=used))
    return text[: text.index(b"<urn:casegraph:head>")]


class Spaced:
    """A byte sink that writes pyoxigraph's Turtle or TriG to ``out`` with a blank line between
    subjects (and between graphs, and after the prefixes), as the bytes come, in any chunks.

    pyoxigraph writes one statement per subject, its predicates on lines of their own ending in
    `` ;`` and the last in `` .``, and escapes every line break inside a literal (``\\n``, ``\\r``;
    never a long ``\"\"\"`` string): the byte ``\\n`` only ever ends a line, so a line ending in
    `` .`` ends a subject's block (or a prefix line: those come first and are passed as they are)."""

    def __init__(self, out: IO[bytes], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        self.out = out
        self.trig = fmt == ox.RdfFormat.TRIG
        declared = None if prefixes is None else tuple(prefixes.items())
        self.head = _prefix_head(fmt, declared) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else b""
        self.pending = b""
        self.started = not self.head

    def _spaced(self, text: bytes) -> bytes:
        text = text.replace(b" .\n", b" .\n\n")
        if self.trig:  # not before the brace that closes a graph; after it
            text = text.replace(b" .\n\n}", b" .\n}").replace(b"}\n", b"}\n\n")
        return text

    def write(self, data: bytes) -> int:
        buffer = self.pending + bytes(data)
        if not self.started:
            if len(buffer) < len(self.head):
                self.pending = buffer
                return len(data)
            self.started = True
            if buffer.startswith(self.head):
                self.out.write(self.head + b"\n")
                buffer = buffer[len(self.head) :]
        # Up to the first byte of the last line that has one: whether a line break gets a blank
        # line after it depends on the line before and the first byte of the next.
        cut = buffer.rfind(b"\n", 0, len(buffer) - 1)
        if cut < 0:
            self.pending = buffer
            return len(data)
        self.out.write(memoryview(self._spaced(buffer[: cut + 2]))[:-1])
        self.pending = buffer[cut + 1 :]
        return len(data)

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        """Write what is left (the last line)."""
        self.out.write(self.pending)
        self.pending = b""


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


def used_prefixes(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """The entries of :data:`PREFIXES` that the IRIs of ``quads`` use (in its order): a small
    document declares only its own prefixes."""
    writer = compact_writer()
    names: set[str] = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            iri = term.datatype.value if isinstance(term, ox.Literal) else getattr(term, "value", None)
            if isinstance(term, ox.NamedNode | ox.Literal) and iri:
                compact = writer.compact_iri(iri)
                if compact != iri:
                    names.add(compact.partition(":")[0])
    return {name: namespace for name, namespace in PREFIXES.items() if name in names}


def serialize(
    quads: Sequence[ox.Quad], fmt: RdfFormat, *, note: str = "", prefixes: dict[str, str] | None = None
) -> bytes:
    """Serialise ``quads`` in ``fmt``; triple formats merge the graphs (TriG, N-Quads and JSON-LD
    keep them apart).

    Args:
        quads: the data, with graph names.
        fmt: the output format.
        note: text of a leading comment, where the format allows comments.
        prefixes: the prefixes Turtle, TriG and RDF/XML declare (default: all of :data:`PREFIXES`).
    """
    prefixes = PREFIXES if prefixes is None else prefixes
    head = header(fmt, note) if note else b""
    if fmt is RdfFormat.JSONLD:
        return compact_jsonld(quads)
    data: list[ox.Triple] | list[ox.Quad]
    if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):  # readable: grouped by type, a blank line between subjects
        import io

        data = readable_quads(quads) if fmt is RdfFormat.TRIG else readable_triples(quads)
        buffer = io.BytesIO()
        sink = Spaced(buffer, fmt.ox_format, prefixes)
        ox.serialize(data, cast(IO[bytes], sink), format=fmt.ox_format, prefixes=prefixes)  # it writes and flushes
        sink.close()
        return head + buffer.getvalue()
    data = sorted_quads(quads) if fmt.keeps_graphs else sorted_triples(quads)
    body = cast(
        bytes, ox.serialize(data, format=_OX_FORMATS[fmt], prefixes=prefixes if fmt is RdfFormat.RDFXML else None)
    )
    return head + body


class CompactWriter:
    """Compact JSON-LD with the project's context inline, one node object per line: the one writer
    of the dataset's exports (sorted) and of streamed ``--data`` exports (in input order).

    The context (``ontology/context.jsonld``) uses simple term definitions only (an IRI, optionally
    coerced to ``@id`` or one datatype), the subset this writer implements; a value that does not
    fit its term's coercion is written under the predicate's compact IRI in expanded form, as
    JSON-LD compaction does. Triples of the default graph are top-level nodes; those of a named
    graph are nodes inside a graph object with the graph's ``@id``, so the named graphs read back
    apart (a graph met again later in a stream gets another graph object of the same ``@id``,
    which JSON-LD merges).
    """

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self.namespaces: dict[str, str] = {}  # namespace IRI -> its prefix (the first, as declared)
        for name, iri in ctx.items():
            if isinstance(iri, str) and iri.endswith(("/", "#")):
                self.namespaces.setdefault(iri, name)
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
        """``iri`` as ``prefix:local`` with the longest namespace it starts with (leaving a local
        part), else itself. Every namespace ends in ``/`` or ``#``, so only the cuts after those
        characters are tried, the rightmost (the longest namespace) first."""
        end = len(iri) - 1  # the local part is never empty
        while True:
            cut = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
            if cut < 0:
                return iri
            name = self.namespaces.get(iri[: cut + 1])
            if name is not None:
                return f"{name}:{iri[cut + 1 :]}"
            end = cut

    def _node_id(self, term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.NamedNode):
            return self.compact_iri(term.value)
        raise ExportError(
            f"<<( {term} )>>: a triple term (RDF 1.2) cannot be written as JSON-LD 1.1; export as N-Triples, N-Quads, "
            "Turtle or TriG, which keep it"
        )

    def _value(
        self, obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, coercion: str | None
    ) -> tuple[Any, bool]:
        """The compacted value, and whether it fits the term's coercion."""
        if isinstance(obj, ox.Literal):
            datatype = obj.datatype.value
            if getattr(obj, "direction", None):
                raise ExportError(
                    f"{obj}: a literal with a base direction (RDF 1.2) does not round-trip through JSON-LD 1.1; "
                    "export as N-Triples, N-Quads, Turtle or TriG, which keep it"
                )
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
        """Write the quads as they come: a node object per run of one subject's quads in one graph."""
        out.write(b'{\n  "@context": ')
        out.write(json.dumps(self.ctx, ensure_ascii=False).encode())
        out.write(b',\n  "@graph": [')
        first_top, first_inner = True, True
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None
        subject: ox.NamedNode | ox.BlankNode | ox.Triple | None = None
        pairs: list[tuple[str, Any]] = []

        def flush() -> None:
            nonlocal first_top, first_inner
            if not pairs or subject is None:
                return
            inner = not isinstance(graph, ox.DefaultGraph)
            lead = (b"\n      " if first_inner else b",\n      ") if inner else (b"\n    " if first_top else b",\n    ")
            out.write(lead + json.dumps(self.node(subject, pairs), ensure_ascii=False).encode())
            if inner:
                first_inner = False
            else:
                first_top = False
            pairs.clear()

        def close(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None) -> None:
            if name is not None and not isinstance(name, ox.DefaultGraph):
                out.write(b"\n    ]}")

        for quad in quads:
            if quad.graph_name != graph:
                flush()
                close(graph)
                graph, subject = quad.graph_name, None
                if not isinstance(graph, ox.DefaultGraph):
                    out.write(b"\n    " if first_top else b",\n    ")
                    out.write(b'{"@id": ' + json.dumps(self._node_id(graph)).encode() + b', "@graph": [')
                    first_top, first_inner = False, True
            if quad.subject != subject:
                flush()
                subject = quad.subject
            pairs.append((quad.predicate.value, quad.object))
        flush()
        close(graph)
        out.write(b"\n  ]\n}\n")


def used_context(ctx: dict[str, Any], graph: Any) -> dict[str, Any]:
    """The entries of ``ctx`` that the compacted ``graph`` uses (terms as keys or values, prefixes
    of compact IRIs), and the prefixes those entries need: each page carries a small context."""
    names: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for key, value in item.items():
                names.add(key)
                names.add(key.partition(":")[0])  # a compact IRI as a key (dcterms:source) needs its prefix
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)
        elif isinstance(item, str):
            names.add(item)
            names.add(item.partition(":")[0])

    walk(graph)
    kept = {name: definition for name, definition in ctx.items() if name in names}
    for definition in list(kept.values()):
        walk(definition)
    return {name: definition for name, definition in ctx.items() if name in names}


def compact_jsonld(quads: Iterable[ox.Quad]) -> bytes:
    """Compact JSON-LD of ``quads`` with the project's context inline: sorted by graph, subject,
    predicate and object, so the same quads always give the same bytes."""
    import io

    def key(q: ox.Quad) -> tuple[str, str, int, str, str]:  # node objects in the order of their @id
        return (
            graph_iri(q),
            str(q.subject) if isinstance(q.subject, ox.Triple) else q.subject.value,
            0 if q.predicate.value == RDF_TYPE else 1,
            q.predicate.value,
            str(q.object),
        )

    buffer = io.BytesIO()
    compact_writer().write(sorted(set(quads), key=key), buffer)
    return buffer.getvalue()


@cache
def compact_writer() -> CompactWriter:
    """The writer of the published context (it keeps no state between writes)."""
    return CompactWriter(context()["@context"])


def export_note(quads: Sequence[ox.Quad]) -> str:
    """The leading comment of an export: which graphs it holds and that it is generated."""
    from . import __version__

    names = {graph_iri(q) for q in quads}
    roles = [selector_of(name) for name in sorted(names, key=graph_order) if graph_role(name) is not None]
    return (
        f"casegraph {__version__}, graphs {','.join(roles)}; "
        "generated by `casegraph build` or `casegraph export`, do not edit"
    )
