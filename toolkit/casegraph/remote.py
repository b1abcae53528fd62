"""Remote engine: run SPARQL on any SPARQL 1.1 endpoint through SPARQLWrapper.

The request names the dataset's graphs explicitly (``default-graph-uri`` for each selected graph,
``named-graph-uri`` likewise), so answers do not depend on a store's union-default-graph setting or
on its system graphs (Virtuoso's default graph is the union of every graph it holds). Results come
back as SPARQL XML (SELECT/ASK) or Turtle (CONSTRUCT/DESCRIBE) and are parsed by pyoxigraph, so
the output formats are exactly those of the embedded engine.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from .endpoint import AuthKind, Endpoint
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


def _wrapper(endpoint: Endpoint, text: str, graphs: Sequence[str], form: str) -> Any:
    from SPARQLWrapper import BASIC, DIGEST, POST, TURTLE, XML, SPARQLWrapper

    sparql = SPARQLWrapper(endpoint.query)
    sparql.setMethod(POST)
    sparql.setTimeout(max(1, round(endpoint.timeout)))
    sparql.setQuery(text)
    sparql.queryType = form  # not SPARQLWrapper's guess
    for graph in graphs:
        sparql.addDefaultGraph(graph)
        sparql.addNamedGraph(graph)
    sparql.setReturnFormat(TURTLE if form == "CONSTRUCT" else XML)
    if endpoint.credentials is not None:
        sparql.setHTTPAuth(DIGEST if endpoint.credentials.kind is AuthKind.DIGEST else BASIC)
        sparql.setCredentials(endpoint.credentials.user, endpoint.credentials.password)
    return sparql


def failure(endpoint: str, err: BaseException, timeout: float) -> StoreError:
    """One clear line for anything that went wrong talking to ``endpoint``."""
    from SPARQLWrapper.SPARQLExceptions import (
        EndPointInternalError,
        EndPointNotFound,
        QueryBadFormed,
        Unauthorized,
    )

    if isinstance(err, Unauthorized):
        what = "refused the credentials (HTTP 401); check --user, --auth and the password"
    elif isinstance(err, EndPointNotFound):
        what = "has no SPARQL service at this path (HTTP 404); check the URL"
    elif isinstance(err, QueryBadFormed):
        what = f"rejected the query as malformed (HTTP 400): {_first_line(err)}"
    elif isinstance(err, EndPointInternalError):
        what = f"failed with a server error (HTTP 5xx): {_first_line(err)}"
    elif isinstance(err, TimeoutError | socket.timeout):
        what = f"did not answer within {timeout:g} s; try a larger --timeout"
    elif isinstance(err, urllib.error.HTTPError):
        what = f"answered HTTP {err.code} {err.reason}"
    elif isinstance(err, urllib.error.URLError):
        reason = err.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            what = f"did not answer within {timeout:g} s; try a larger --timeout"
        else:
            what = f"cannot be reached ({reason}); check the URL and that the server is running"
    elif isinstance(err, http.client.HTTPException | ConnectionError):
        what = f"closed the connection without a complete answer ({err.__class__.__name__})"
    else:
        what = f"failed ({err.__class__.__name__}: {_first_line(err)})"
    return StoreError(f"{endpoint} {what}")


def _first_line(err: BaseException) -> str:
    text = one_line(err)
    return text[:200] + (" …" if len(text) > 200 else "")


def run_remote(
    endpoint: Endpoint, text: str, *, graphs: Sequence[str], where: str
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run ``text`` on ``endpoint`` with ``graphs`` as its dataset.

    Raises:
        QueryError: the endpoint rejected the query as malformed.
        StoreError: the endpoint is unreachable, refused the credentials, failed, timed out, or
            answered something that is not a SPARQL result.
    """
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

    form = query_form(text, where)
    sparql = _wrapper(endpoint, text, graphs, form)
    try:
        response = sparql.query().response
        body = response.read()
        content_type = response.headers.get("Content-Type", "")
    except QueryBadFormed as err:
        raise QueryError(f"{where}: {endpoint.name} rejected the query as malformed: {_first_line(err)}") from err
    except (SPARQLWrapperException, urllib.error.URLError, OSError, http.client.HTTPException) as err:
        raise failure(endpoint.name, err, endpoint.timeout) from err
    return parse_answer(body, content_type, form, endpoint.name)


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
