"""Linked data on ``casegraph serve``: the dataset's IRIs looked up, its VoID description, the
endpoint's SPARQL 1.1 Service Description, and a query page that works offline.

Every IRI ``https://w3id.org/casegraph/id/{path}`` is looked up at ``/id/{path}`` on the server.
An IRI names a thing (an agency, an event), not a page, so ``/id/{path}`` answers **303 See
Other** to the document that describes it, chosen by ``Accept`` (httpRange-14; w3id.org sends
the IRIs on with 303 too): ``/id/{path}.html``, ``.ttl`` or ``.jsonld``. Each document URL has
one representation, the exact bytes ``casegraph publish`` writes at that path (one renderer,
:class:`casegraph.site.Renderer`), so a cache needs no ``Vary`` for it and a served page's relative
links resolve as they do in the static site. The site's other files (the index, the ontology's
documentation, the whole dataset, the stylesheet) are served at their site paths too.

:class:`Linked` is made once, before the server forks the process its query workers come from;
the workers render the pages (a page never runs in the server's own threads), and the server keeps
the bytes of what was rendered (:class:`Cache`). Nothing here reads a file after startup: a request
path is looked up among the site's paths, never joined to a folder.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, unquote

import pyoxigraph as ox

from .iris import DATASET_IRI, ID_NS

VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
#: The documents of a node, by the media type that asks for each (first: the default).
DOCUMENTS = {
    "text/html": ".html",
    "application/ld+json": ".jsonld",
    "text/turtle": ".ttl",
    "application/xhtml+xml": ".html",
    "application/json": ".jsonld",
}
#: The media type each document is sent with.
MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".trig": "application/trig",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".js": "text/javascript; charset=utf-8",
}
#: The RDF formats of the VoID and service descriptions (first: the default, as the SD spec asks).
DESCRIPTIONS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: What a page of the site may load: its stylesheet, nothing else (its JSON-LD is data, not run).
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: The query page: its own script and stylesheet, and requests to this server only.
QUERY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: The result formats the endpoint answers, as the W3C's format IRIs (see serve's tables).
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "N-Quads",
    "TriG",
    "RDF_XML",
    "JSON-LD",
)
#: The ontology's documents, as the site writes them.
ONTOLOGY_FILES = ("ontology.html", "ontology.ttl", "ontology.jsonld")
#: Bytes of rendered documents the server keeps.
CACHE_BYTES = 64 << 20


class BadPath(Exception):
    """A request path that tries to leave the site (``..``, a NUL, a backslash): answered 400."""


class Linked:
    """The site of the quads the server holds, and what the server says about itself."""

    def __init__(self, quads: Sequence[ox.Quad]) -> None:
        from .dataset import select_quads
        from .site import SITE_GRAPHS, Graph, Renderer, page_path

        self.quads = select_quads(list(quads), SITE_GRAPHS)
        self.graph = Graph(self.quads)
        self.renderer = Renderer(self.graph, None)
        self.renderer.env.auto_reload = False  # templates are read now, never again (see serve's workers)
        #: site path without extension (``id/event/hhs-order``) -> its node
        self.stems = {path: node for node, path in self.graph.pages.items()}
        #: the pages kept at deprecated IRIs, by site path without extension
        self.retired = {page_path(node.value): node for node in self.graph.deprecated}
        self.stems.update(self.retired)
        self.counts = Counter(q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode))
        from .site import STATIC, drawn_pages

        templates = Path(__file__).parent / "templates"
        self.static = {name: (templates / name).read_bytes() for name in (*STATIC, "query.js")}
        self.static.update(drawn_pages(self.renderer, self.quads))  # the queries' answers, drawn once
        self.static["deprecated.html"] = self.renderer.deprecations()
        self.query_page = self.renderer.env.get_template("query.html").render(
            title="Query the dataset", root="/", footer=self.renderer.footer()
        )
        self._warm()

    def _warm(self) -> None:
        """Compute the graph's indexes, load the templates and import what rendering needs, so a
        worker forked after this reads nothing from disk and starts each page from them."""
        graph = self.graph
        for name in ("pages", "labels", "grounding", "mentions", "pointing"):
            getattr(graph, name)
        for name in ("node.html", "page.html", "retired.html", "index.html", "ontology.html"):
            self.renderer.env.get_template(name)
        if self.stems:
            self.renderer.page(next(iter(self.graph.pages)))
        from . import export  # noqa: F401  (the whole dataset's writers)

    def file(self, path: str) -> tuple[int, bytes, str]:
        """The site's file at ``path`` (relative, as :meth:`resolve` gives it): status, bytes,
        media type. Run in a worker: it renders."""
        from .site import WHOLE, whole_dataset

        stem, dot, extension = path.rpartition(".")
        media = MEDIA.get("." + extension, "application/octet-stream")
        if path == "index.html":
            return 200, self.renderer.index(served=True), media
        if path in ONTOLOGY_FILES:
            return 200, self.renderer.ontology()[path], media
        if path in WHOLE:
            return 200, whole_dataset(self.quads, path), media
        node = self.stems.get(stem) if dot else None
        if node is None or "." + extension not in (".html", ".ttl", ".jsonld"):
            return 404, f"no {path} here\n".encode(), "text/plain; charset=utf-8"
        if node in self.graph.deprecated and stem in self.retired:
            return 200, self.renderer.retired(node)[path], media
        return 200, self.renderer.page(node)[path], media

    def resolve(self, raw: str) -> tuple[str, str]:
        """What the request path ``raw`` (as sent, percent-encoded) asks for: ``("node", stem)``
        for a node's IRI (to be answered 303), ``("static", name)``, ``("file", path)`` for a
        file a worker renders, or ``("none", path)``.

        Raises:
            BadPath: the path has a ``.`` or ``..`` segment, a NUL or a backslash, encoded or not.
        """
        decoded = unquote(raw, errors="strict") if "%" in raw else raw
        if "\x00" in decoded or "\\" in decoded or any(s in (".", "..") for s in decoded.split("/")):
            raise BadPath(raw)
        path = quote(decoded.lstrip("/"), safe="/-._~")  # the site's spelling (page_path's)
        if path in ("", "index.html"):
            return "file", "index.html"
        if path in self.static:
            return "static", path
        if path in self.stems:
            return "node", path
        stem, dot, extension = path.rpartition(".")
        if path == "ontology":  # the ontology's IRI (w3id.org/casegraph/ontology): 303 to its documents
            return "node", path
        if path in (*ONTOLOGY_FILES, "casegraph.trig", "casegraph.jsonld") or (
            dot and stem in self.stems and extension in ("html", "ttl", "jsonld")
        ):
            return "file", path
        return "none", path

    def void(self, endpoint: str) -> list[ox.Triple]:
        """The VoID description of the dataset (VoID §6.2, ``/.well-known/void``): the metadata
        graph's description of the dataset, with this endpoint, the triples of each graph served
        and the IRI space of the dataset's own resources."""
        dataset = ox.NamedNode(DATASET_IRI)
        described = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.graph.metadata.get(dataset, [])
            if q.predicate.value not in (VOID + "triples", VOID + "subset", VOID + "sparqlEndpoint")
        ]
        out = described or [ox.Triple(dataset, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset"))]
        out += [
            ox.Triple(dataset, ox.NamedNode(VOID + "sparqlEndpoint"), ox.NamedNode(endpoint)),
            ox.Triple(dataset, ox.NamedNode(VOID + "uriSpace"), ox.Literal(ID_NS)),
            ox.Triple(dataset, ox.NamedNode(VOID + "triples"), _count(sum(self.counts.values()))),
            # the whole dataset, every graph apart, as this server serves it beside the endpoint
            ox.Triple(
                dataset, ox.NamedNode(VOID + "dataDump"), ox.NamedNode(endpoint.rsplit("/", 1)[0] + "/casegraph.trig")
            ),
        ]
        example = next(
            (node for node in sorted(self.graph.pages, key=lambda n: n.value) if node in self.graph.facts), None
        )
        if example is not None:  # one of the report's nodes, to look at first
            out.append(ox.Triple(dataset, ox.NamedNode(VOID + "exampleResource"), example))
        for graph, count in sorted(self.counts.items(), key=lambda item: item[0].value):
            out += [
                ox.Triple(dataset, ox.NamedNode(VOID + "subset"), graph),
                ox.Triple(graph, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset")),
                ox.Triple(graph, ox.NamedNode(VOID + "triples"), _count(count)),
            ]
        return out

    def service(self, endpoint: str, default: Sequence[ox.NamedNode]) -> list[ox.Triple]:
        """The SPARQL 1.1 Service Description of the endpoint: its languages, result formats, and
        its dataset (the default graph, the union of ``default``; every graph by name)."""
        service, dataset, union = ox.NamedNode(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
        a = ox.NamedNode(RDF_TYPE)
        out = [
            ox.Triple(service, a, ox.NamedNode(SD + "Service")),
            ox.Triple(service, ox.NamedNode(SD + "endpoint"), service),
            ox.Triple(service, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Query")),
            ox.Triple(service, ox.NamedNode(SD + "defaultDataset"), dataset),
            ox.Triple(dataset, a, ox.NamedNode(SD + "Dataset")),
            ox.Triple(dataset, ox.NamedNode(SD + "defaultGraph"), union),
            ox.Triple(union, a, ox.NamedNode(SD + "Graph")),
        ]
        out += [
            ox.Triple(service, ox.NamedNode(SD + "resultFormat"), ox.NamedNode(FORMATS + f)) for f in RESULT_FORMATS
        ]
        nameable = sorted(self.counts, key=lambda g: g.value)
        if set(default) == set(nameable):
            out.append(ox.Triple(service, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")))
        for index, graph in enumerate(nameable):
            named, described = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
            out += [
                ox.Triple(dataset, ox.NamedNode(SD + "namedGraph"), named),
                ox.Triple(named, a, ox.NamedNode(SD + "NamedGraph")),
                ox.Triple(named, ox.NamedNode(SD + "name"), graph),
                ox.Triple(named, ox.NamedNode(SD + "graph"), described),
                ox.Triple(described, a, ox.NamedNode(SD + "Graph")),
                ox.Triple(described, ox.NamedNode(VOID + "triples"), _count(self.counts[graph])),
            ]
        served = ", ".join(g.value for g in sorted(default, key=lambda g: g.value))
        out.append(ox.Triple(union, ox.NamedNode(RDFS_COMMENT), ox.Literal(f"the union of the graphs {served}")))
        return out


def _count(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def describe(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """``triples`` in ``fmt``, with the prefixes of the vocabularies they use."""
    prefixes = {
        "void": VOID,
        "sd": SD,
        "formats": FORMATS,
        "dcterms": "http://purl.org/dc/terms/",
        "dcat": "http://www.w3.org/ns/dcat#",
        "prov": "http://www.w3.org/ns/prov#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
    data = sorted(triples, key=str)
    return bytes(ox.serialize(data, format=fmt, prefixes=prefixes if fmt is ox.RdfFormat.TURTLE else None) or b"")


class Cache:
    """The bytes of rendered documents by path, at most :data:`CACHE_BYTES`, the least recently
    used dropped first; shared by the server's threads."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit, self.size = limit, 0
        self._items: OrderedDict[str, tuple[int, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str) -> tuple[int, bytes, str] | None:
        with self._lock:
            found = self._items.get(path)
            if found is not None:
                self._items.move_to_end(path)
            return found

    def put(self, path: str, answer: tuple[int, bytes, str]) -> None:
        if answer[0] != 200 or len(answer[1]) > self.limit // 4:
            return
        with self._lock:
            if path in self._items:
                return
            self._items[path] = answer
            self.size += len(answer[1])
            while self.size > self.limit:
                _, (_, body, _) = self._items.popitem(last=False)
                self.size -= len(body)
