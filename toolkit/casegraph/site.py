"""Publish: the dataset as a static linked-data site an archive can host anywhere.

One HTML page per node the report's facts describe (entity, event, document, claim, time), at the
path of its IRI (``id/event/hhs-order.html`` for ``…/id/event/hhs-order``), with its Turtle and
JSON-LD beside it (``.ttl``, ``.jsonld``) and the same triples embedded as JSON-LD. A page shows
the node's label and types, each relation the report states with the words that state it (the
quote highlighted between the selectors' own prefix and suffix: never whole sentences, per the
rights position), the curator's notes and inferences flagged as such, where the report names the
node, what refers to it, and apart, what we know from elsewhere with its reference. An index, the
ontology's documentation, the IRIs deprecated since the previous release (``deprecated.html``, with
a page at each old IRI pointing at what replaces it, so old links keep working),
content-negotiation rules for Apache and nginx and (with a base URL) a w3id redirect rule complete
the site. Every text from the graph is HTML-escaped by Jinja2; links
are relative, so the folder works from any host or from disk, and nothing loads from outside it.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import UsageError
from .iris import DATASET_IRI, GRAPH_NS, ID_NS, ONTOLOGY_NS, UNGROUNDED, role_of

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = RDF + "type"
PREF_LABEL = SKOS + "prefLabel"
#: The graphs a site is made from: the ontology (its documentation, the labels of terms), the
#: report's facts with their evidence, what we know from elsewhere, the dataset's description, and
#: (for the bundled queries' answers only: no page shows it) what reasoning adds.
SITE_GRAPHS = ("ontology", "asserted", "evidence", "enrichment", "inferred", "metadata")
#: What marks a folder as a casegraph site (in ``index.html``): only such a folder is replaced.
GENERATOR = '<meta name="generator" content="casegraph publish">'
#: The site's copy of every graph it was made from (what ``casegraph verify`` rehashes).
SITE_DATASET = "casegraph.trig"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Site:
    """What ``publish`` wrote."""

    folder: Path
    pages: int
    files: int


@dataclass
class Span:
    """Words of the report that state or name something: a quote with its context and place."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass
class Evidence:
    """The grounding of one asserted triple: its spans and the curator's notes."""

    spans: list[Span] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReleaseInfo:
    """The release the metadata describes: its IRI, version and date, and the previous release's
    IRI and version ("" when none is given)."""

    iri: str
    version: str
    issued: str
    previous: str
    previous_version: str


@dataclass(frozen=True)
class Deprecated:
    """A deprecated IRI, as the metadata says: what replaces it, the curator's notes, and the release
    that deprecated it ("" when not said)."""

    iri: ox.NamedNode
    replacements: list[ox.NamedNode]
    notes: list[str]
    release: str

    @property
    def version(self) -> str:
        """The version of the release that deprecated it ("" when not said)."""
        return self.release.rsplit("/", 1)[-1] if self.release else ""


class Graph:
    """The quads a site is made from, indexed by role and subject."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.by_role: dict[str, dict[Term, list[ox.Quad]]] = defaultdict(lambda: defaultdict(list))
        for quad in quads:
            name = quad.graph_name
            role = "asserted" if isinstance(name, ox.DefaultGraph) else (role_of(name.value) or "asserted")
            self.by_role[role][quad.subject].append(quad)
        self.facts = self.by_role["asserted"]
        self.evidence = self.by_role["evidence"]
        self.enrichment = self.by_role["enrichment"]
        self.ontology = self.by_role["ontology"]
        self.metadata = self.by_role["metadata"]
        self.incoming: dict[Term, list[ox.Quad]] = defaultdict(list)
        for quads_of in self.facts.values():
            for quad in quads_of:
                if isinstance(quad.object, ox.NamedNode):
                    self.incoming[quad.object].append(quad)

    @staticmethod
    def values(quads: list[ox.Quad], predicate: str) -> list[Term]:
        return [q.object for q in quads if q.predicate.value == predicate]

    def value(self, quads: list[ox.Quad], predicate: str) -> str:
        found = sorted(str(v.value) for v in self.values(quads, predicate) if isinstance(v, ox.Literal | ox.NamedNode))
        return found[0] if found else ""

    @cached_property
    def pages(self) -> dict[ox.NamedNode, str]:
        """Each node with a page -> the page's path in the site, without extension: every node the
        report's facts describe, and every IRI of the dataset's own that its description (the
        dataset, its releases, sources, graphs, build) or the enrichment (its references) describes,
        so none of them is a dead link; not a retired IRI (it has a page of its own, see
        :attr:`deprecated`) nor an enrichment statement (shown on the page of what it is about)."""
        out = {subject: page_path(subject.value) for subject in self.facts if isinstance(subject, ox.NamedNode)}
        statement = ox.NamedNode(RDF + "Statement")
        for index in (self.metadata, self.enrichment):
            for subject, quads in index.items():
                if not isinstance(subject, ox.NamedNode) or subject in out:
                    continue
                if not subject.value.startswith((ID_NS, GRAPH_NS)) or statement in self.values(quads, RDF_TYPE):
                    continue
                if self.is_deprecated(quads):
                    continue
                out[subject] = page_path(subject.value)
        return out

    @cached_property
    def release(self) -> ReleaseInfo | None:
        """The release the dataset's metadata names as its current version, if any."""
        for subject, quads in sorted(self.metadata.items(), key=lambda item: str(item[0])):
            for current in self.values(quads, DCAT + "hasCurrentVersion"):
                if isinstance(subject, ox.NamedNode) and isinstance(current, ox.NamedNode):
                    own = self.metadata.get(current, [])
                    previous = self.value(own, PROV + "wasRevisionOf")
                    return ReleaseInfo(
                        current.value,
                        self.value(own, DCAT + "version"),
                        self.value(own, DCTERMS + "issued"),
                        previous,
                        (
                            self.value(self.metadata.get(ox.NamedNode(previous), []), DCAT + "version")
                            if previous
                            else ""
                        )
                        or previous.rsplit("/", 1)[-1],
                    )
        return None

    @cached_property
    def deprecated_terms(self) -> dict[ox.NamedNode, Deprecated]:
        """Each ontology term the ontology says is deprecated -> its replacements, notes, release
        (documented on the ontology's page, so no page of its own)."""
        out: dict[ox.NamedNode, Deprecated] = {}
        for subject, quads in sorted(self.ontology.items(), key=lambda item: str(item[0])):
            if isinstance(subject, ox.NamedNode) and self.is_deprecated(quads):
                out[subject] = self._deprecation(subject, quads)
        return out

    @classmethod
    def is_deprecated(cls, quads: list[ox.Quad]) -> bool:
        """True when ``quads`` (a subject's) say ``owl:deprecated true``."""
        return any(v.value == "true" for v in cls.values(quads, OWL + "deprecated") if isinstance(v, ox.Literal))

    def _deprecation(self, subject: ox.NamedNode, quads: list[ox.Quad]) -> Deprecated:
        return Deprecated(
            subject,
            sorted(
                (v for v in self.values(quads, DCTERMS + "isReplacedBy") if isinstance(v, ox.NamedNode)),
                key=lambda v: v.value,
            ),
            sorted(v.value for v in self.values(quads, SKOS + "editorialNote") if isinstance(v, ox.Literal)),
            self.value(quads, ONTOLOGY_NS + "deprecatedIn"),
        )

    @cached_property
    def deprecated(self) -> dict[ox.NamedNode, Deprecated]:
        """Each IRI of the dataset's own namespace that the metadata says is deprecated (retired:
        ``owl:deprecated true``) and that has no page of its own -> what the metadata says of it."""
        out: dict[ox.NamedNode, Deprecated] = {}
        for subject, quads in sorted(self.metadata.items(), key=lambda item: str(item[0])):
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(ID_NS) or subject in self.pages:
                continue
            if not self.is_deprecated(quads):
                continue
            out[subject] = self._deprecation(subject, quads)
        return out

    @cached_property
    def labels(self) -> dict[str, str]:
        """IRI -> its label: a node's skos:prefLabel, a term's rdfs:label."""
        out: dict[str, str] = {}
        for index, predicate in (
            (self.facts, "http://www.w3.org/2006/time#inXSDDateTimeStamp"),  # an instant reads as its moment
            (self.facts, ONTOLOGY_NS + "timeValue"),  # a time without a label reads as its value
            (self.facts, RDFS + "label"),  # (your own data may label with rdfs:label)
            (self.ontology, RDFS + "label"),
            (self.metadata, PREF_LABEL),
            (self.facts, PREF_LABEL),
        ):
            for subject, quads in index.items():
                label = self.value(quads, predicate)
                if label and isinstance(subject, ox.NamedNode):
                    out[subject.value] = label
        return out

    def kinds(self, node: Term) -> list[str]:
        """The IRIs of the node's types, the ontology's own (``cg:``) first: what it is listed as."""
        quads = self.facts.get(node) or self.metadata.get(node) or self.enrichment.get(node) or []
        found = [t.value for t in self.values(quads, RDF_TYPE) if isinstance(t, ox.NamedNode)]
        return sorted(found, key=lambda iri: (not iri.startswith(ONTOLOGY_NS), iri))

    def label(self, term: Term) -> str:
        """The label of ``term`` ("" for none, or for a literal)."""
        return self.labels.get(term.value, "") if isinstance(term, ox.NamedNode) else ""

    @cached_property
    def grounding(self) -> dict[tuple[Term, str, Term], Evidence]:
        """(subject, predicate IRI, object) of each asserted triple -> its evidence."""
        statements: dict[Term, tuple[Term, str, Term]] = {}
        for node, quads in self.evidence.items():
            subject, predicate, obj = (self.values(quads, RDF + part) for part in ("subject", "predicate", "object"))
            if subject and predicate and obj:
                statements[node] = (subject[0], str(predicate[0].value), obj[0])  # type: ignore[union-attr]
        out: dict[tuple[Term, str, Term], Evidence] = {}
        for node, triple in statements.items():  # a curator's inference is noted on the statement itself
            self._fill(out.setdefault(triple, Evidence()), self.evidence[node])
        for quads in self.evidence.values():
            for body in self.values(quads, OA + "hasBody"):
                if body in statements:
                    evidence = out.setdefault(statements[body], Evidence())
                    self._fill(evidence, quads)
        return out

    @cached_property
    def mentions(self) -> dict[Term, list[Span]]:
        """Node -> the spans where the report names it."""
        out: dict[Term, list[Span]] = defaultdict(list)
        for quads in self.evidence.values():
            if ox.NamedNode(OA + "identifying") in self.values(quads, OA + "motivatedBy"):
                for body in self.values(quads, OA + "hasBody"):
                    out[body] += self.spans(quads)
        return out

    def spans(self, annotation: list[ox.Quad]) -> list[Span]:
        found = []
        for target in self.values(annotation, OA + "hasTarget"):
            text: dict[str, str] = {}
            for selector in self.values(self.evidence.get(target, []), OA + "hasSelector"):
                for quad in self.evidence.get(selector, []):
                    if isinstance(quad.object, ox.Literal):
                        text[quad.predicate.value.removeprefix(OA)] = quad.object.value
            if "exact" in text:
                found.append(
                    Span(
                        text["exact"],
                        text.get("prefix", ""),
                        text.get("suffix", ""),
                        int(text.get("start", 0)),
                        int(text.get("end", 0)),
                    )
                )
        return sorted(found, key=lambda span: (span.start, span.end))

    def _fill(self, evidence: Evidence, annotation: list[ox.Quad]) -> None:
        evidence.spans += self.spans(annotation)
        flagged = False
        for quad in annotation:
            if isinstance(quad.object, ox.Literal):
                local = quad.predicate.value
                if local == SKOS + "editorialNote":
                    evidence.notes.append(quad.object.value)
                elif local == ONTOLOGY_NS + "reading":
                    evidence.readings.append(quad.object.value)
                elif local == ONTOLOGY_NS + "inferenceNote":
                    evidence.inferred.append(quad.object.value)
                elif local == ONTOLOGY_NS + "inferred" and quad.object.value == "true":
                    flagged = True
        if flagged and not evidence.inferred:
            evidence.inferred.append("(no note)")

    @cached_property
    def pointing(self) -> dict[Term, list[Term]]:
        """Node -> the evidence and enrichment nodes that point at it (``rdf:subject``,
        ``oa:hasBody``): its statements and their annotations, the annotations naming it."""
        out: dict[Term, list[Term]] = defaultdict(list)
        for index in (self.evidence, self.enrichment):
            for subject, quads in index.items():
                for quad in quads:
                    if quad.predicate.value in (RDF + "subject", OA + "hasBody"):
                        out[quad.object].append(subject)
        return out

    def page_quads(self, node: ox.NamedNode) -> list[ox.Quad]:
        """The quads a page publishes: the node's facts; the statements about it in the evidence
        and enrichment graphs with their annotations, spans, selectors and references; and the
        annotations where the report names it."""
        nodes: set[Term] = set()
        todo: list[Term] = [node]
        while todo:
            current = todo.pop()
            if current in nodes:
                continue
            nodes.add(current)
            todo += self.pointing.get(current, [])
            for index in (self.evidence, self.enrichment):
                for quad in index.get(current, []) if current != node else []:
                    if quad.predicate.value in (OA + "hasTarget", OA + "hasSelector", DCTERMS + "source"):
                        todo.append(quad.object)
        return [
            quad for index in (self.facts, self.evidence, self.enrichment) for n in nodes for quad in index.get(n, [])
        ] + self.metadata.get(node, [])


#: A page path below ``id/`` that is the IRI's own path: segments of unreserved characters, none
#: starting with a dot (so no ``.`` or ``..``), none longer than a file name may be.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199}(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199})*")


def page_path(iri: str) -> str:
    """The site path (without extension) of the page of ``iri``: ``id/`` and its path below the
    namespace for the dataset's own IRIs (``id/event/hhs-order``), when that path is plain (no
    dot segment, no character a file name or a link would have to escape); else ``other/`` and a
    hash of the IRI, so no IRI can lead a page out of the site or onto another's."""
    import hashlib

    for namespace, folder in ((ID_NS, "id/"), (GRAPH_NS, "graph/")):
        if iri.startswith(namespace) and _PLAIN_PATH.fullmatch(iri[len(namespace) :]):
            return folder + iri[len(namespace) :]
    return "other/" + hashlib.sha256(iri.encode()).hexdigest()[:16]


def check_base(base: str | None) -> str | None:
    """``base`` (where the site will be hosted) as an absolute http(s) URL ending in ``/``.

    Raises:
        UsageError: it is not one.
    """
    if base is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    unsafe = re.search(r'[\x00-\x20"<>\\^`{|}\x7f]', base)  # (it is written into rewrite rules)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or unsafe:
        raise UsageError(
            f"--base {base!r} is not an absolute http(s) URL (such as https://example.org/casegraph/); "
            "give where the site will be hosted"
        )
    return base if base.endswith("/") else base + "/"


@dataclass(frozen=True)
class Value:
    """A term as a page shows it: its text, and a link (relative, or to an outside IRI)."""

    text: str
    href: str = ""
    iri: str = ""
    note: str = ""


class Renderer:
    """Writes the site's files from a :class:`Graph`."""

    def __init__(self, graph: Graph, base: str | None) -> None:
        import jinja2

        self.graph = graph
        self.base = base
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
            autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=False),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

        self.documented = {
            s.value for s, quads in graph.ontology.items() if isinstance(s, ox.NamedNode) and s.value in graph.labels
        }

    def curie(self, iri: str) -> str:
        """``iri`` with the published context's longest prefix, as the JSON-LD writes it."""
        from .export import compact_writer

        return compact_writer().compact_iri(iri)

    def anchor(self, iri: str) -> str:
        return self.curie(iri).replace(":", "-").replace("/", "-")

    def value(self, term: Term, here: str) -> Value:
        """``term`` as shown on the page at ``here`` (a site path)."""
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            note = (
                f"@{term.language}"
                if term.language
                else ""
                if datatype == "http://www.w3.org/2001/XMLSchema#string"
                else self.curie(datatype)
            )
            return Value(term.value, note=note)
        if not isinstance(term, ox.NamedNode):
            return Value(str(term))
        iri = term.value
        label = self.graph.labels.get(iri, "")
        page = self.graph.pages.get(term)
        if page is not None:
            return Value(label or self.curie(iri), self.link(here, page + ".html"), iri)
        if term in self.graph.deprecated:
            return Value(label or self.curie(iri), self.link(here, page_path(iri) + ".html"), iri, "deprecated")
        if iri in self.documented:
            return Value(label or self.curie(iri), self.link(here, "ontology.html") + "#" + self.anchor(iri), iri)
        # a link out only to the web: a javascript:, data: or file: IRI is shown, never followed
        return Value(label or self.curie(iri), iri if iri.startswith(("http://", "https://")) else "", iri)

    def row(self, quad: ox.Quad, here: str) -> dict[str, Value]:
        """A relation as a page lists it: its property and its value."""
        return {"property": self.value(quad.predicate, here), "value": self.value(quad.object, here)}

    @staticmethod
    def link(here: str, target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(here) or ".")

    def root(self, here: str) -> str:
        depth = here.count("/")
        return "../" * depth

    def footer(self) -> str:
        from . import __version__

        return f"casegraph {__version__}"

    def jsonld(self, quads: list[ox.Quad]) -> str:
        """Compact JSON-LD of ``quads`` (named graphs kept) with only the context it uses."""
        from .export import compact_jsonld, used_context

        document = json.loads(compact_jsonld(quads))
        document["@context"] = used_context(document["@context"], document["@graph"])
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"

    def page(self, node: ox.NamedNode) -> dict[str, bytes]:
        """The page of ``node``: its HTML, Turtle and JSON-LD."""
        graph = self.graph
        path = graph.pages[node]
        here = path + ".html"
        own = graph.facts.get(node, [])
        described = [
            self.row(q, here)
            for q in sorted(graph.metadata.get(node, []), key=lambda q: (q.predicate.value, str(q.object)))
            if q.predicate.value not in (RDF_TYPE, PREF_LABEL)
        ]
        quads = sorted(graph.page_quads(node), key=str)
        jsonld = self.jsonld(quads)
        facts, recorded = [], []
        for quad in sorted(own, key=lambda q: (q.predicate.value, str(q.object))):
            if quad.predicate.value in (RDF_TYPE, PREF_LABEL):
                continue
            evidence = graph.grounding.get((node, quad.predicate.value, quad.object))
            if quad.predicate.value in UNGROUNDED and evidence is None:  # names, notes, the bookkeeping of dates
                recorded.append(self.row(quad, here))
                continue
            facts.append(
                {
                    **self.row(quad, here),
                    "evidence": evidence,
                    # a value the curator worked out (a date read from "on Tuesday"), with the reading
                    "reading": graph.value(graph.facts.get(quad.object, []), ONTOLOGY_NS + "inferenceNote"),
                }
            )
        incoming = [
            {"subject": self.value(q.subject, here), "property": self.value(q.predicate, here)}
            for q in sorted(graph.incoming.get(node, []), key=lambda q: (str(q.subject), q.predicate.value))
        ]
        elsewhere = []
        for quad in sorted(graph.enrichment.get(node, []), key=lambda q: (q.predicate.value, str(q.object))):
            references = [
                self.value(reference, here)
                for statement in graph.pointing.get(node, [])
                if statement in graph.enrichment
                and quad.object in graph.values(graph.enrichment[statement], RDF + "object")
                and quad.predicate in graph.values(graph.enrichment[statement], RDF + "predicate")
                for reference in graph.values(graph.enrichment[statement], DCTERMS + "source")
            ]
            elsewhere.append({**self.row(quad, here), "references": references})
        html = self.env.get_template("page.html").render(
            title=graph.labels.get(node.value) or self.curie(node.value),
            iri=node.value,
            name=posixpath.basename(path),
            types=[self.value(ox.NamedNode(t), here) for t in graph.kinds(node)],
            facts=facts,
            recorded=recorded,
            described=described,
            mentions=graph.mentions.get(node, []),
            incoming=incoming,
            elsewhere=elsewhere,
            jsonld=script_json(jsonld),
            root=self.root(here),
            footer=self.footer(),
        )
        return documents(path, html, quads, jsonld, f"{node.value}: generated by casegraph publish")

    def index(self, *, served: bool = False) -> bytes:
        """The index page; ``served`` (by ``casegraph serve``) adds links to the server's query
        page, VoID description and SPARQL service description."""
        graph = self.graph
        groups: dict[str, list[Value]] = defaultdict(list)
        about: dict[str, list[Value]] = defaultdict(list)  # the dataset's description, the references
        for node in graph.pages:
            types = graph.kinds(node)
            kind = graph.labels.get(types[0], self.curie(types[0])) if types else "other"
            (groups if node in graph.facts else about)[kind].append(self.value(node, "index.html"))
        dataset = graph.metadata.get(ox.NamedNode(DATASET_IRI), [])  # (each release has a node of its own too)
        licence = graph.values(dataset, DCTERMS + "license")
        source = None
        for reference in graph.values(dataset, DCTERMS + "source")[:1]:
            described = graph.metadata.get(reference, [])
            by = " and ".join(sorted(graph.label(c) for c in graph.values(described, DCTERMS + "creator")))
            source = {
                "title": graph.value(described, DCTERMS + "title"),
                "by": by,
                "publisher": ", ".join(graph.label(p) for p in graph.values(described, DCTERMS + "publisher")),
                "date": graph.value(described, DCTERMS + "date"),
            }
        return self.render(
            "index.html",
            title=graph.value(dataset, DCTERMS + "title") or "casegraph",
            release=graph.release,
            deprecated=len(graph.deprecated) + len(graph.deprecated_terms),  # as deprecated.html lists them
            source=source,
            licence=self.value(licence[0], "index.html") if licence else None,
            nodes=sum(1 for node in graph.pages if node in graph.facts),
            groups=_groups(groups),
            described=_groups(about),
            served=served,
        )

    def ontology(self) -> dict[str, bytes]:
        """The ontology's documentation (``ontology.html``), and the ontology itself as Turtle and
        JSON-LD beside it (``ontology.ttl``, ``ontology.jsonld``; the page embeds the JSON-LD)."""
        graph = self.graph
        kinds = [
            ("Classes", OWL + "Class"),
            ("Object properties", OWL + "ObjectProperty"),
            ("Data properties", OWL + "DatatypeProperty"),
            ("Annotation properties", OWL + "AnnotationProperty"),
            ("Concepts", SKOS + "Concept"),
            ("Individuals", ""),  # every other term the ontology labels: the values of its enumerations
        ]
        relations = [
            ("subclass of", RDFS + "subClassOf"),
            ("subproperty of", RDFS + "subPropertyOf"),
            ("domain", RDFS + "domain"),
            ("range", RDFS + "range"),
            ("inverse of", OWL + "inverseOf"),
            ("in scheme", SKOS + "inScheme"),
            ("broader", SKOS + "broader"),
            ("exact match", SKOS + "exactMatch"),
            ("close match", SKOS + "closeMatch"),
            ("equivalent class", OWL + "equivalentClass"),
        ]
        sections: list[dict[str, Any]] = []
        placed: set[str] = set()
        for label, kind in kinds:
            terms: list[dict[str, Any]] = []
            for subject, quads in sorted(graph.ontology.items(), key=lambda item: str(item[0])):
                if not isinstance(subject, ox.NamedNode) or subject.value not in self.documented:
                    continue
                if subject.value in placed or kind and ox.NamedNode(kind) not in graph.values(quads, RDF_TYPE):
                    continue  # (a term is documented once, in the first section it fits)
                placed.add(subject.value)
                terms.append(
                    {
                        "anchor": self.anchor(subject.value),
                        "label": graph.labels[subject.value],
                        "curie": self.curie(subject.value),
                        "definition": graph.value(quads, SKOS + "definition"),
                        "relations": [
                            {"label": name, "terms": [self.value(v, "ontology.html") for v in sorted(found, key=str)]}
                            for name, predicate in relations
                            if (found := [v for v in graph.values(quads, predicate) if isinstance(v, ox.NamedNode)])
                        ],
                    }
                )
            if terms:
                sections.append({"label": label, "terms": terms})
        header = graph.ontology.get(ox.NamedNode(ONTOLOGY_NS.rstrip("#")), [])
        quads = sorted((q for index in (graph.ontology,) for qs in index.values() for q in qs), key=str)
        jsonld = self.jsonld(quads)
        html = self.env.get_template("ontology.html").render(
            title=graph.value(header, RDFS + "label") or "The casegraph ontology",
            iri=ONTOLOGY_NS.rstrip("#"),
            definition=graph.value(header, DCTERMS + "description") or graph.value(header, RDFS + "comment"),
            sections=sections,
            name="ontology",
            jsonld=script_json(jsonld),
            root="",
            footer=self.footer(),
        )
        return documents("ontology", html, quads, jsonld, f"{ONTOLOGY_NS.rstrip('#')}: generated by casegraph publish")

    def render(self, template: str, **values: Any) -> bytes:
        """A page at the site's top level from ``template``."""
        return self.env.get_template(template).render(root="", footer=self.footer(), **values).encode()

    def queries(self, store: ox.Store) -> tuple[bytes, list[Any]]:
        """The bundled queries with their answers (and the timeline query's rows)."""
        from .errors import CasegraphError
        from .queries import discover, run_query

        shown, timeline_rows = [], []
        for query in discover():
            entry: dict[str, Any] = {
                "id": query.id,
                "summary": query.summary,
                "description": query.description,
                "text": query.text,
                "columns": [],
                "rows": [],
                "error": "",
            }
            try:
                answer = run_query(store, query)
            except CasegraphError as err:
                entry["error"] = str(err)
            else:
                if isinstance(answer, ox.QuerySolutions):
                    names = [v.value for v in answer.variables]
                    rows = [[row[name] for name in names] for row in answer]
                    entry["columns"] = names
                    entry["rows"] = [
                        [self.value(t, "queries.html") if t is not None else None for t in r] for r in rows
                    ]
                    if query.id == "timeline":
                        timeline_rows = [dict(zip(names, r, strict=True)) for r in rows]
                else:
                    entry["error"] = "not a SELECT query"
            shown.append(entry)
        return self.render("queries.html", title="Bundled queries and their answers", queries=shown), timeline_rows

    def timeline(self, rows: list[dict[str, Any]]) -> bytes:
        """The timeline page from the rows of the bundled timeline query."""
        from datetime import datetime

        from .svg import Dated, timeline

        items: dict[tuple[str, ...], Dated] = {}
        for row in rows:
            item, earliest, latest = row.get("item"), row.get("earliest"), row.get("latest")
            if not isinstance(item, ox.NamedNode) or earliest is None or latest is None:
                continue

            def text(name: str, row: dict[str, Any] = row) -> str:
                return str(row[name].value) if row.get(name) is not None else ""

            shown = self.value(item, "timeline.html")
            dated = Dated(
                label=text("itemLabel") or shown.text,
                href=shown.href,
                when=text("when"),
                precision=text("precisionLabel"),
                role=text("dateRole"),
                earliest=datetime.fromisoformat(earliest.value),
                latest=datetime.fromisoformat(latest.value),
            )
            items[(item.value, dated.role, earliest.value, latest.value)] = dated
        from markupsafe import Markup

        title = "Timeline"
        return self.render("timeline.html", title=title, svg=Markup(timeline(list(items.values()), title=title)))

    def diagram(self) -> bytes:
        """Who ordered what, on whose behalf, over whose objection, citing which law."""
        from markupsafe import Markup

        from .svg import Arrow, Box, diagram

        graph, cg = self.graph, ONTOLOGY_NS
        here = "diagram.html"

        def box(node: Term) -> Box:
            shown = self.value(node, here)
            types = graph.kinds(node)
            kind = graph.labels.get(types[0], "") if types else ""
            return Box(shown.text, shown.href, kind)

        def objects(node: Term, predicate: str) -> list[Term]:
            return sorted(graph.values(graph.facts.get(node, []), cg + predicate), key=str)

        def label(predicate: str) -> str:
            return graph.labels.get(cg + predicate, predicate)

        drawings = []
        for order in sorted(graph.facts, key=str):
            objections = objects(order, "overObjection")
            if not objections or not objects(order, "issuedBy"):
                continue  # (what was carried out over an objection is drawn with the order it fulfils)
            columns: list[list[Box]] = [[], [box(order)], [], []]
            arrows: list[Arrow] = []
            for predicate, column in (("issuedBy", 0), ("onBehalfOf", 0), ("addressedTo", 2)):
                for node in objects(order, predicate):
                    b = box(node)
                    if b not in columns[column]:
                        columns[column].append(b)
                    arrows.append(Arrow(box(order), b, label(predicate)))
            for fulfilling in sorted(graph.incoming.get(order, []), key=str):
                if fulfilling.predicate.value == cg + "fulfils":
                    columns[2].append(box(fulfilling.subject))
                    arrows.append(Arrow(box(fulfilling.subject), box(order), label("fulfils")))
            for objection in objections:
                columns[2].append(box(objection))
                arrows.append(Arrow(box(order), box(objection), label("overObjection")))
                for objector in objects(objection, "objector"):
                    columns[3].append(box(objector))
                    arrows.append(Arrow(box(objector), box(objection), label("objector")))
                for citing in sorted(graph.incoming.get(objection, []), key=str):
                    if citing.predicate.value != cg + "citedIn":
                        continue
                    for authority in objects(citing.subject, "citedAuthority"):
                        if box(authority) not in columns[3]:
                            columns[3].append(box(authority))
                        how = [graph.label(a) for a in objects(citing.subject, "citedAs")]
                        arrows.append(Arrow(box(objection), box(authority), "cites " + ", ".join(how)))
            title = f"{box(order).label}: who ordered it, over whose objection, citing which law"
            drawings.append(Markup(diagram([c for c in columns if c], arrows, title=title)))
        return self.render("diagram.html", title="Who ordered what over whose objection", drawings=drawings)

    def deprecations(self) -> bytes:
        """``deprecated.html``: the IRIs deprecated since the previous release (by the current
        release), each with its replacements and the curator's note; then any deprecated earlier."""
        graph, here = self.graph, "deprecated.html"
        release = graph.release
        groups: list[dict[str, Any]] = []
        for since in (True, False):
            entries = [
                {
                    "iri": node.value,
                    "old": self.value(node, here),
                    "replacements": [self.value(r, here) for r in deprecated.replacements],
                    "notes": deprecated.notes,
                    "release": deprecated.version,
                }
                for node, deprecated in (*graph.deprecated.items(), *graph.deprecated_terms.items())
                if (release is None or deprecated.release == release.iri) == since
            ]
            if entries:
                groups.append({"since": since, "entries": entries})
        return self.render("deprecated.html", title="Deprecated IRIs", release=release, groups=groups)

    def retired(self, node: ox.NamedNode) -> dict[str, bytes]:
        """The page kept at a deprecated IRI: what replaces it and why, with what the metadata says
        of it as Turtle and JSON-LD beside it (so content negotiation finds them too)."""
        path = page_path(node.value)
        here = path + ".html"
        deprecated = self.graph.deprecated[node]
        quads = sorted(self.graph.metadata.get(node, []), key=str)
        jsonld = self.jsonld(quads)
        html = self.env.get_template("retired.html").render(
            title=self.curie(node.value),
            iri=node.value,
            name=posixpath.basename(path),
            replacements=[self.value(r, here) for r in deprecated.replacements],
            notes=deprecated.notes,
            release=deprecated.version,
            jsonld=script_json(jsonld),
            root=self.root(here),
            footer=self.footer(),
        )
        return documents(path, html, quads, jsonld, f"{node.value}: deprecated; casegraph publish")

    def negotiation(self) -> dict[str, bytes]:
        """Content negotiation for ``id/…`` (Apache ``.htaccess``, an nginx snippet) and, with a
        base URL, the w3id.org redirect rule that sends the IRIs to the site."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base).path if self.base else "/"
        files = {
            ".htaccess": self.env.get_template("htaccess").render().encode(),
            "nginx.conf": self.env.get_template("nginx.conf").render(path=path, path_re=re.escape(path)).encode(),
        }
        if self.base:
            files["w3id.htaccess"] = self.env.get_template("w3id.htaccess").render(base=self.base).encode()
        return files


def documents(path: str, html: str, quads: list[ox.Quad], jsonld: str, note: str) -> dict[str, bytes]:
    """The three documents of one IRI at ``path`` (without extension): its page, and its quads as
    Turtle (declaring the prefixes it uses) and as the JSON-LD the page embeds."""
    from .export import RdfFormat, serialize, used_prefixes

    return {
        path + ".html": html.encode(),
        path + ".ttl": serialize(quads, RdfFormat.TURTLE, prefixes=used_prefixes(quads), note=note),
        path + ".jsonld": jsonld.encode(),
    }


def _groups(groups: dict[str, list[Value]]) -> list[dict[str, Any]]:
    """The index's groups, by label, each sorted."""
    return [
        {"label": label[:1].upper() + label[1:], "members": sorted(members, key=lambda v: (v.text.lower(), v.href))}
        for label, members in sorted(groups.items())
    ]


def script_json(text: str) -> Any:
    """JSON text made safe inside ``<script>``: ``<``, ``>`` and ``&`` as JSON escapes (the same
    JSON), so no label can close the script or open a comment."""
    from markupsafe import Markup

    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


#: The site's files of the whole dataset, every graph apart.
WHOLE = ("casegraph.trig", "casegraph.jsonld")
#: The site's files copied from ``templates/`` as they are.
STATIC = ("style.css", "favicon.svg")
#: The site's pages drawn from answers over the whole dataset (:func:`drawn_pages`).
DRAWN = ("queries.html", "timeline.html", "diagram.html")


def drawn_pages(renderer: Renderer, quads: list[ox.Quad]) -> dict[str, bytes]:
    """The bundled queries with their answers, the timeline (from the timeline query's rows) and
    the diagram: the pages of :data:`DRAWN`."""
    store = ox.Store()
    store.bulk_extend(quads)
    queries, timeline_rows = renderer.queries(store)
    return {
        "queries.html": queries,
        "timeline.html": renderer.timeline(timeline_rows),
        "diagram.html": renderer.diagram(),
    }


def whole_dataset(quads: list[ox.Quad], name: str) -> bytes:
    """The site's file ``name`` (one of :data:`WHOLE`): every quad of the site."""
    from .export import RdfFormat, compact_jsonld, serialize

    if name == SITE_DATASET:
        return serialize(quads, RdfFormat.TRIG, note="casegraph publish: every graph of the site")
    return compact_jsonld(quads)


def site_files(quads: Iterable[ox.Quad], base: str | None = None) -> dict[str, bytes]:
    """Every file of the site of ``quads``, by path."""
    from .files import MANIFEST, manifest

    quads = list(quads)
    graph = Graph(quads)
    renderer = Renderer(graph, check_base(base))
    files: dict[str, bytes] = {}
    for node in sorted(graph.pages, key=lambda n: n.value):
        files.update(renderer.page(node))
    for node in graph.deprecated:
        files.update(renderer.retired(node))
    files["deprecated.html"] = renderer.deprecations()
    files["index.html"] = renderer.index()
    files.update(renderer.ontology())
    files.update(drawn_pages(renderer, quads))
    for name in STATIC:
        files[name] = (Path(__file__).parent / "templates" / name).read_bytes()
    files[SITE_DATASET] = whole_dataset(quads, SITE_DATASET)
    files["casegraph.jsonld"] = whole_dataset(quads, "casegraph.jsonld")
    files.update(renderer.negotiation())
    files[MANIFEST] = manifest(files)
    return files


def is_site(folder: Path) -> bool:
    """True when ``folder`` was written by ``casegraph publish`` (its index says so)."""
    index = folder / "index.html"
    try:
        return index.is_file() and GENERATOR in index.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False


def unlisted(folder: Path) -> list[str]:
    """The paths in the site ``folder`` that its ``SHA256SUMS`` does not list (nor a folder of a
    listed file): what is not the site's own, sorted. With no readable SHA256SUMS, everything."""
    from .files import MANIFEST, sha256sum_entry

    try:
        lines = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    listed = {MANIFEST}
    for line in lines:
        entry = sha256sum_entry(line)
        if entry is not None:
            listed.add(entry[1])
            listed.update(str(parent) for parent in Path(entry[1]).parents if str(parent) != ".")
    found: list[str] = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name not in listed and not any(name.startswith(other + "/") for other in found):
            found.append(name)
    return found


def check_output(output: Path) -> None:
    """``output`` may take a site: it is absent, an empty folder, or a previous site.

    Raises:
        UsageError: naming what it is instead.
    """
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UsageError(f"--output {output}: is not a folder; nothing was written; give a new folder's path")
    if not output.is_dir() or not any(output.iterdir()):
        return  # new, or empty: nothing to lose
    if not is_site(output):
        raise UsageError(
            f"--output {output}: an existing folder that is not a casegraph site (no index.html written by "
            "casegraph publish); nothing was written; choose a new path, or remove it yourself"
        )
    foreign = unlisted(output)
    if foreign:  # a previous site, with files of someone else's that replacing it would delete
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise UsageError(
            f"--output {output}: a previous site, but {foreign[0]}{more} is not one of its files (its SHA256SUMS "
            "does not list it) and would be deleted; nothing was written; move it out, or choose a new path"
        )


def publish(quads: Iterable[ox.Quad], output: Path, *, base: str | None = None) -> Site:
    """Write the site of ``quads`` into the folder ``output``: created whole beside it, then put in
    place of ``output``, which :func:`check_output` has found may take it (the caller checks it
    before it reads any input: :func:`casegraph.facade.publish`).

    Raises:
        UsageError: ``base`` is not an absolute http(s) URL;
        ExportError: ``output`` cannot be written.
    """
    from .files import replace_folder

    files = site_files(quads, base)
    replace_folder(output, files)
    return Site(output, sum(1 for name in files if name.endswith(".html")), len(files))
