"""Remote engine: run SPARQL on any SPARQL 1.1 endpoint through SPARQLWrapper (which builds the
request; casegraph's one HTTP client, ``casegraph.client``, sends it).

The request names the dataset's graphs explicitly (``default-graph-uri`` for each selected graph,
``named-graph-uri`` likewise), so answers do not depend on a store's union-default-graph setting or
on its system graphs (Virtuoso's default graph is the union of every graph it holds). Results come
back as SPARQL XML (SELECT/ASK) or Turtle (CONSTRUCT/DESCRIBE) and are parsed by pyoxigraph, so
the output formats are exactly those of the embedded engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from .client import Answer, StatusError, StoreClient
from .endpoint import Endpoint
from .errors import QueryError, StoreError, one_line


def query_form(text: str, where: str) -> str:
    """SELECT, ASK or CONSTRUCT (DESCRIBE counts as CONSTRUCT): parsed by pyoxigraph on an empty
    store, which also reports a syntax error with its line and column before anything is sent.
    (SPARQLWrapper guesses the form with a regular expression that words in comments can fool.)

    Raises:
        QueryError: the text is not valid SPARQL 1.1 Query.
    """
    from .queries import run_sparql

    result = run_sparql(ox.Store(), text, where=where)
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    return "CONSTRUCT" if isinstance(result, ox.QueryTriples) else "SELECT"


def _wrapper(client: StoreClient, text: str, graphs: Sequence[str], form: str) -> Any:
    """SPARQLWrapper, building the SPARQL Protocol request, with its sending routed through
    ``client`` (one session, casegraph's timeout and credentials; nothing installed process-wide)."""
    from SPARQLWrapper import POST, TURTLE, XML, SPARQLWrapper

    class Routed(SPARQLWrapper):
        def _query(self) -> tuple[Any, str]:
            request = self._createRequest()
            data = request.data if isinstance(request.data, bytes) else None  # a POST body, always bytes here
            answer = client.request(
                request.get_method(), request.full_url, data=data, headers=dict(request.header_items())
            )
            return _Response(answer), str(self.returnFormat)

    sparql = Routed(client.endpoint.query)
    sparql.setMethod(POST)
    sparql.setQuery(text)
    sparql.queryType = form  # not SPARQLWrapper's guess
    for graph in graphs:
        sparql.addDefaultGraph(graph)
        sparql.addNamedGraph(graph)
    sparql.setReturnFormat(TURTLE if form == "CONSTRUCT" else XML)
    return sparql


class _Response:
    """An answer in the shape SPARQLWrapper's QueryResult reads (``read``, ``info``, ``headers``)."""

    def __init__(self, answer: Answer) -> None:
        self.answer, self.headers = answer, answer.headers

    def read(self) -> bytes:
        return self.answer.body

    def info(self) -> Any:
        return self.headers


def _first_line(err: BaseException) -> str:
    text = one_line(err)
    return text[:200] + (" …" if len(text) > 200 else "")


def run_remote(
    endpoint: Endpoint,
    text: str,
    *,
    graphs: Sequence[str],
    where: str,
    client: StoreClient | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run ``text`` on ``endpoint`` with ``graphs`` as its dataset (through ``client``, or a new
    one for this endpoint).

    Raises:
        QueryError: the endpoint rejected the query as malformed.
        StoreError: the endpoint is unreachable, refused the credentials, failed, timed out, or
            answered something that is not a SPARQL result.
    """
    form = query_form(text, where)
    sparql = _wrapper(client or StoreClient(endpoint), text, graphs, form)
    try:
        response = sparql.query().response
    except StatusError as err:
        if err.status == 400 and not err.misdirected:
            raise QueryError(f"{where}: {endpoint.name} rejected the query as malformed: {err.body}") from err
        raise
    return parse_answer(response.read(), response.headers.get("Content-Type", ""), form, endpoint.name)


def parse_answer(
    body: bytes, content_type: str, form: str, name: str
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Parse an endpoint's answer with pyoxigraph.

    Raises:
        StoreError: the body is not a SPARQL result (or RDF, for CONSTRUCT/DESCRIBE).
    """
    try:
        if form == "CONSTRUCT":
            rdf = ox.RdfFormat.N_TRIPLES if "n-triples" in content_type else ox.RdfFormat.TURTLE
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=rdf)]
            store = ox.Store()
            store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
            result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples = store.query("CONSTRUCT WHERE { ?s ?p ?o }")
            return result
        fmt = ox.QueryResultsFormat.JSON if "json" in content_type else ox.QueryResultsFormat.XML
        parsed = ox.parse_query_results(body, format=fmt)
        if isinstance(parsed, ox.QuerySolutions):
            list(parsed)  # parsing is lazy: read it all once so a broken body fails here
            parsed = ox.parse_query_results(body, format=fmt)
        return parsed
    except (SyntaxError, ValueError) as err:
        raise StoreError(
            f"{name} answered something that is not a SPARQL result ({_first_line(err)}); "
            "check that the URL is the query endpoint"
        ) from err
