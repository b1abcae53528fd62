"""`casegraph serve` as a linked-data server: each IRI of the dataset looked up at /id/… (303 to
the document Accept asks for, the very bytes `casegraph publish` writes), the VoID description,
the endpoint's service description, the offline query page; and what an attacker tries: paths out
of the site, a forged Host header, a label that is markup. One server for the whole module."""

from __future__ import annotations

import http.client
import json
import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import pyoxigraph as ox
import pytest

from casegraph.dataset import dataset_file, read_quads, select_quads
from casegraph.site import SITE_GRAPHS, site_files

from .servers import serving

ID = "https://w3id.org/casegraph/id/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
HOSTILE = '</script><script>alert(1)</script><!-- & "x"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True)
class Served:
    port: int
    quads: list[ox.Quad]
    site: dict[str, bytes]

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
        """``path`` exactly as given (no client-side normalisation), no redirect followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`casegraph serve` over the shipped dataset plus one node whose label is markup (in the
    asserted graph), and the site `casegraph publish` would write of the same quads."""
    folder = tmp_path_factory.mktemp("serve-ld")
    dataset = folder / "dataset"
    dataset.mkdir()
    shutil.copy(dataset_file(), dataset / dataset_file().name)
    asserted = next(q.graph_name for q in read_quads() if "/graph/asserted/" in str(q.graph_name))
    quoted = HOSTILE.replace('"', '\\"')
    with (dataset / dataset_file().name).open("a", encoding="utf-8") as nq:
        nq.write(f'<{ID}event/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "{quoted}" {asserted} .\n')
        nq.write(f"<{ID}event/x> <https://w3id.org/casegraph/ontology#issuedBy> <{ID}agency/hhs> {asserted} .\n")
        nq.write(f"<{ID}event/x> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(1)> {asserted} .\n")
    server, url, log = serving(folder, "--dataset", str(dataset))
    try:
        quads = read_quads(dataset)
        yield Served(int(url.split(":")[2].split("/")[0]), quads, site_files(select_quads(quads, SITE_GRAPHS)))
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(10) == 143
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize(
    ("accept", "extension", "media"),
    [
        (BROWSER, ".html", "text/html; charset=utf-8"),
        ("text/turtle", ".ttl", "text/turtle; charset=utf-8"),
        ("application/ld+json", ".jsonld", "application/ld+json"),
        ("text/html;q=0.5, application/ld+json", ".jsonld", "application/ld+json"),
        ("", ".html", "text/html; charset=utf-8"),
    ],
    ids=["browser", "turtle", "jsonld", "q-values", "no-accept"],
)
def test_an_iri_is_303_to_the_document_accept_asks_for_the_bytes_publish_writes(
    served: Served, accept: str, extension: str, media: str
) -> None:
    for node in ("event/hhs-order", "person/sara-vitolo"):
        seen = served.get(f"/id/{node}", {"Accept": accept} if accept else {})
        assert (seen.status, seen.headers["location"], seen.headers["vary"]) == (
            303,
            f"/id/{node}{extension}",
            "Accept",
        )
        document = served.get(seen.headers["location"])
        assert (document.status, document.headers["content-type"]) == (200, media)
        assert document.body == served.site[f"id/{node}{extension}"]
        assert served.get(seen.headers["location"], method="HEAD").body == b""


def test_an_unknown_node_is_404_and_an_unservable_accept_406(served: Served) -> None:
    for path in ("/id/event/no-such-event", "/id/event/no-such-event.html", "/id/event/hhs-order.exe", "/nowhere"):
        missing = served.get(path)
        assert (missing.status, missing.headers["content-type"]) == (404, "text/plain; charset=utf-8"), path
    refused = served.get("/id/event/hhs-order", {"Accept": "image/png"})
    assert refused.status == 406 and b"text/turtle" in refused.body


def test_the_index_links_the_query_page_void_and_every_node(served: Served) -> None:
    index = served.get("/")
    assert index.status == 200 and served.get("/index.html").body == index.body
    links = _Page.of(index.body).links
    assert {"query", ".well-known/void", "id/event/hhs-order.html", "ontology.html", "casegraph.trig"} <= set(links)
    assert index.body != served.site["index.html"]  # the served index says what the server has
    for link in ("ontology.html", "casegraph.trig", "casegraph.jsonld", "style.css"):
        found = served.get("/" + link)
        assert (found.status, found.body) == (200, served.site[link]), link
    page = _Page.of(served.site["id/event/hhs-order.html"])
    for link in {link.split("#")[0] for link in page.links if "//" not in link}:  # relative, as in the site
        assert served.get(urljoin("/id/event/hhs-order.html", link)).status == 200, link


def test_void_describes_the_dataset_with_the_triples_of_each_graph(served: Served) -> None:
    answer = served.get("/.well-known/void")
    assert (answer.status, answer.headers["content-type"]) == (200, "text/turtle; charset=utf-8")
    void = _triples(answer.body, ox.RdfFormat.TURTLE)
    dataset = ox.NamedNode(ID + "dataset/casegraph")
    assert _objects(void, dataset, VOID + "sparqlEndpoint") == [ox.NamedNode(f"http://127.0.0.1:{served.port}/query")]
    dump = _objects(void, dataset, VOID + "dataDump")
    assert dump == [ox.NamedNode(f"http://127.0.0.1:{served.port}/casegraph.trig")]
    assert served.get("/casegraph.trig").status == 200
    assert len(_objects(void, dataset, VOID + "exampleResource")) == 1
    assert _objects(void, dataset, VOID + "uriSpace") == [ox.Literal(ID)]
    assert _objects(void, dataset, VOID + "triples") == [_integer(len(served.quads))]
    counts = Counter(q.graph_name for q in served.quads)
    assert set(_objects(void, dataset, VOID + "subset")) == set(counts)
    for graph, count in counts.items():  # the asserted graph's count includes the two added triples
        assert _objects(void, graph, VOID + "triples") == [_integer(count)], graph
    assert _objects(void, dataset, "http://purl.org/dc/terms/license")  # reused from the metadata graph
    as_jsonld = served.get("/.well-known/void", {"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"] == "application/ld+json"
    assert _triples(as_jsonld.body, ox.RdfFormat.JSON_LD) == void


def test_the_endpoint_describes_itself_as_a_sparql_service(served: Served) -> None:
    endpoint = ox.NamedNode(f"http://127.0.0.1:{served.port}/query")
    for accept in ("text/turtle", "", "*/*"):  # RDF by default, as the SD spec asks
        answer = served.get("/query", {"Accept": accept} if accept else {})
        assert answer.headers["content-type"] == "text/turtle; charset=utf-8"
    sd = _triples(answer.body, ox.RdfFormat.TURTLE)
    assert (endpoint, ox.NamedNode(SD + "endpoint"), endpoint) in {(t.subject, t.predicate, t.object) for t in sd}
    assert _objects(sd, endpoint, SD + "supportedLanguage") == [ox.NamedNode(SD + "SPARQL11Query")]
    formats = {str(f.value).rsplit("/", 1)[1] for f in _objects(sd, endpoint, SD + "resultFormat")}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "JSON-LD"} <= formats
    names = {t.object for t in sd if t.predicate.value == SD + "name"}
    assert names == {q.graph_name for q in served.quads}
    assert ox.NamedNode(SD + "UnionDefaultGraph") not in _objects(sd, endpoint, SD + "feature")  # 3 of 6 graphs
    for claimed in formats - {"N-Quads", "TriG"}:  # every format it claims, it answers
        media = {
            "SPARQL_Results_JSON": "application/sparql-results+json",
            "SPARQL_Results_XML": "application/sparql-results+xml",
            "SPARQL_Results_CSV": "text/csv",
            "SPARQL_Results_TSV": "text/tab-separated-values",
        }.get(claimed)
        query = "ASK {}" if media else "CONSTRUCT WHERE { ?s a ?t } LIMIT 1"
        media = media or {
            "Turtle": "text/turtle",
            "N-Triples": "application/n-triples",
            "RDF_XML": "application/rdf+xml",
        }.get(claimed, "application/ld+json")
        answer = served.get("/query?" + _q(query, key="query"), {"Accept": media})
        assert (answer.status, answer.headers["content-type"].split(";")[0]) == (200, media), claimed


def test_the_query_page_is_strict_and_loads_nothing_from_elsewhere(served: Served) -> None:
    page = served.get("/query", {"Accept": BROWSER})
    assert (page.status, page.headers["content-type"], page.headers["vary"]) == (
        200,
        "text/html; charset=utf-8",
        "Accept",
    )
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in page.headers["content-security-policy"].split(";")
        if part.strip()
    )
    assert policy["default-src"] == ["'none'"] and policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"] and policy["base-uri"] == ["'none'"]
    assert not any(
        source.startswith(("http", "'unsafe", "data:", "*")) or "//" in source
        for values in policy.values()
        for source in values
    )
    parsed = _Page.of(page.body)
    assert (
        {"query", "run", "results"} <= parsed.ids
        and parsed.tags["query"] == "textarea"
        and parsed.tags["results"] == "table"
    )
    assert parsed.loads == ["/style.css", "/query.js"] and parsed.inline_scripts == 0
    script = served.get("/query.js")
    assert (script.status, script.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    text = script.body.decode()
    assert "application/sparql-results+json" in text and "innerHTML" not in text and "http://" not in text
    assert parsed.form_action == "/query"
    answered = served.get(  # what the page's script sends
        "/query?" + _q("SELECT (COUNT(*) AS ?n) { ?s a <https://w3id.org/casegraph/ontology#Event> }", key="query"),
        {"Accept": "application/sparql-results+json, text/turtle;q=0.5"},
    )
    assert int(json.loads(answered.body)["results"]["bindings"][0]["n"]["value"]) > 5


@pytest.mark.parametrize(
    "path",
    [
        "/id/../../etc/passwd",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/id/event/hhs-order%00.html",
        "/id/event/..%5c..%5cetc%5cpasswd",
        "/../../../../etc/passwd",
        "/%2e%2e/toolkit/casegraph/serve.py",
        "/id/event/./hhs-order.html",
        "/templates/page.html",
        "/%ff",
    ],
)
def test_no_path_leaves_the_site(served: Served, path: str) -> None:
    answer = served.get(path)
    dotted = any(part in path.lower() for part in ("..", "%2e%2e", "/./", "%00", "%5c", "%ff"))
    assert answer.status == (400 if dotted else 404), path  # refused as such, not merely not found
    assert b"root:" not in answer.body and b"import" not in answer.body
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"


def test_a_forged_host_header_is_never_written_into_a_document(served: Served) -> None:
    bound = f"http://127.0.0.1:{served.port}/query"
    for host in ("evil.example", f"evil.example:{served.port}", "127.0.0.1:1", 'x"> <script>', ""):
        for path, accept in (("/.well-known/void", "text/turtle"), ("/query", "text/turtle")):
            answer = served.get(path, {"Host": host, "Accept": accept})
            assert answer.status == 200, host
            assert b"evil" not in answer.body and b"<script" not in answer.body and b":1/" not in answer.body
            assert bound.encode() in answer.body
    named = served.get("/.well-known/void", {"Host": f"localhost:{served.port}"})  # the loopback's own name
    assert f"http://localhost:{served.port}/query".encode() in named.body


def test_a_label_that_is_markup_and_an_iri_that_is_script_are_shown_as_text(served: Served) -> None:
    answer = served.get("/id/event/x.html")
    assert answer.status == 200 and answer.body == served.site["id/event/x.html"]
    html = answer.body.decode()
    assert "<script>alert" not in html and "<!--" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    assert "javascript:alert(1)" in html and 'href="javascript:' not in html  # an IRI, but no link to click
    assert "script-src" not in answer.headers["content-security-policy"]  # and no script would run anyway
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_endpoint_still_answers_queries_and_refuses_writes(served: Served) -> None:
    for path in ("/query", "/sparql", "/"):
        answer = served.get(path + "?" + _q("ASK { ?s ?p ?o }", key="query"))
        assert (answer.status, json.loads(answer.body)["boolean"]) == (200, True), path
    assert served.get("/id/event/hhs-order", method="PUT").status == 403
    assert served.get("/query?update=" + _q("DROP ALL")).status == 403


def _q(text: str, key: str = "") -> str:
    from urllib.parse import quote, urlencode

    return urlencode({key: text}) if key else quote(text)


def _triples(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}


def _objects(triples: set[ox.Triple], subject: object, predicate: str) -> list[Any]:
    return sorted((t.object for t in triples if t.subject == subject and t.predicate.value == predicate), key=str)


def _integer(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.ids: set[str] = set()
        self.tags: dict[str, str] = {}
        self.inline_scripts = 0
        self.form_action = ""
        self._script = False

    @classmethod
    def of(cls, body: bytes) -> _Page:
        page = cls()
        page.feed(body.decode())
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.add(found["id"])
            self.tags[found["id"]] = tag
        if tag == "a" and "href" in found:
            self.links.append(found["href"])
        if tag == "link" and found.get("rel") == "stylesheet":
            self.loads.append(found["href"])
        if "src" in found:
            self.loads.append(found["src"])
        if tag == "form":
            self.form_action = found.get("action", "")
        self._script = tag == "script" and "src" not in found and found.get("type") != "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def test_the_ontology_iri_answers_303_to_its_documents(served: Served) -> None:
    for accept, document in (
        ("text/turtle", "/ontology.ttl"),
        ("application/ld+json", "/ontology.jsonld"),
        (BROWSER, "/ontology.html"),
    ):
        answer = served.get("/ontology", {"Accept": accept})
        assert (answer.status, answer.headers["location"]) == (303, document)
        body = served.get(document)
        assert body.status == 200 and body.body == served.site[document.lstrip("/")]
