"""Serve: a local, read-only SPARQL 1.1 endpoint over the dataset — casegraph's own small HTTP front.

The dataset's chosen graphs go into an embedded pyoxigraph store (in memory, or on disk with
``--store DIR``), and a standard-library HTTP server answers the SPARQL 1.1 Protocol on
``/query``: ``GET ?query=…`` and ``POST`` (form-encoded or ``application/sparql-query``), with
``default-graph-uri`` / ``named-graph-uri`` (checked IRIs); by default the default graph is the
union of the served graphs (through their merge, so a fact two reports state counts once). Results
come in the format the ``Accept`` header asks for (SPARQL JSON by default; XML, CSV, TSV; Turtle,
N-Triples, N-Quads, TriG, RDF/XML or JSON-LD for CONSTRUCT and DESCRIBE). Every query goes through
casegraph's own checks: a ``SERVICE`` clause, which would make the server contact any host a web
page asks for, is refused (400), as are updates and any write (403). CORS is on, so YASGUI in a
browser can query it. It binds to 127.0.0.1 unless told otherwise. This is also where the
publishing issue adds content negotiation for the dataset's own IRIs.
"""

from __future__ import annotations

import http.server
import ipaddress
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import CasegraphError, QueryError, UsageError, one_line

#: Result formats by media type, for SELECT/ASK and for CONSTRUCT/DESCRIBE (first: the default).
_SOLUTIONS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPHS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
#: Largest query body read, in bytes.
MAX_QUERY = 1 << 20


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it goes in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def check(*, port: int, location: Path | None, host: str = "127.0.0.1") -> None:
    """Refuse, before anything is announced or prepared, a port out of range, an address that does
    not resolve, a port already in use there, or a store folder that already holds something.

    Raises:
        UsageError: with what to do instead.
    """
    import socket

    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: choose a port between 1 and 65535")
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as err:
        raise UsageError(f"--bind {host}: not an address here ({err}); give one such as 127.0.0.1") from err
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise UsageError(
                f"--port {port}: cannot listen on {url_host(host)}:{port} ({err.strerror}); choose another port"
            ) from err
    if location is not None and location.exists() and any(location.iterdir()):
        raise UsageError(f"--store {location}: the folder is not empty; give a new folder for the store")


def _choose(accept: str, formats: dict[str, Any]) -> tuple[str, Any] | None:
    """The first media type of ``formats`` the ``Accept`` header allows (its default when it
    allows anything), or None."""
    wanted = [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()] or ["*/*"]
    for media in wanted:
        if media in formats:
            return media, formats[media]
        if media in ("*/*", "application/*", "text/*"):
            family = media.split("/")[0]
            for known, fmt in formats.items():
                if family == "*" or known.startswith(family):
                    return known, fmt
    return None


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass

    def _send(self, status: int, body: bytes, media: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, status: int, message: str) -> None:
        self._send(status, (one_line(message) + "\n").encode(), "text/plain; charset=utf-8")

    def do_OPTIONS(self) -> None:
        self._send(
            204,
            b"",
            "text/plain",
            {
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type, Accept",
            },
        )

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        self._answer(url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            self._fail(400, "Content-Length must be a number of bytes")
            return
        size = int(length)
        if size > MAX_QUERY:
            self._fail(413, f"the request body is over {MAX_QUERY} bytes")
            return
        body = self.rfile.read(size).decode("utf-8", "replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            for name, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
        elif media == "application/sparql-query":
            params["query"] = [body]
        elif media == "application/sparql-update":
            params["update"] = [body]
        self._answer(url.path, params)

    do_PUT = do_DELETE = do_PATCH = lambda self: self._fail(403, "this endpoint is read-only")  # noqa: E731

    def _answer(self, path: str, params: dict[str, list[str]]) -> None:
        if "update" in params or path.rstrip("/").endswith(("/update", "/store")):
            self._fail(403, "this endpoint is read-only: no SPARQL Update, no Graph Store writes")
            return
        if path.rstrip("/") not in ("/query", "/sparql", ""):
            self._fail(404, f"no {path} here; the SPARQL endpoint is /query")
            return
        texts = params.get("query", [])
        if len(texts) != 1:
            self._fail(400, "give exactly one query (the SPARQL 1.1 Protocol's 'query' parameter)")
            return
        try:
            status, body, media = self.server.run(
                texts[0],
                params.get("default-graph-uri", []),
                params.get("named-graph-uri", []),
                self.headers.get("Accept") or "*/*",
            )
        except CasegraphError as err:
            self._fail(400, str(err))
            return
        self._send(status, body, media)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: ox.Store, graphs: Sequence[ox.NamedNode]) -> None:
        import socket

        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.store, self.graphs = store, list(graphs)

    def run(self, text: str, default: list[str], named: list[str], accept: str) -> tuple[int, bytes, str]:
        """One query: its status, body and media type.

        Raises:
            CasegraphError: a refused or malformed query, or a graph IRI that is not one.
        """
        from .iris import iri_term
        from .queries import check_form, run_sparql

        check_form(text, "the query")
        for iri in (*default, *named):
            iri_term(iri, "default-graph-uri/named-graph-uri")
        if default or named:  # the protocol's dataset: exactly the graphs named
            result = run_sparql(
                self.store,
                text,
                where="the query",
                graphs=[ox.NamedNode(iri) for iri in default],
                named=[ox.NamedNode(iri) for iri in named],
            )
        else:
            result = run_sparql(self.store, text, where="the query", graphs=self.graphs)
        formats: dict[str, Any] = _GRAPHS if isinstance(result, ox.QueryTriples) else _SOLUTIONS
        chosen = _choose(accept, formats)
        if chosen is None:
            return 406, ("ask for one of: " + ", ".join(formats) + "\n").encode(), "text/plain; charset=utf-8"
        media, fmt = chosen
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        try:  # pyoxigraph evaluates as it serialises
            body = result.serialize(format=fmt) or b""
        except (RuntimeError, OSError, ValueError) as err:
            raise QueryError(f"the query failed while running ({one_line(err)})") from err
        return 200, body, media + charset


def serve(
    quads: Sequence[ox.Quad],
    *,
    host: str,
    port: int,
    location: Path | None = None,
    ready: Any = None,
) -> int:
    """Load ``quads`` into a store (in memory, or at ``location``) and answer SPARQL on
    ``host:port`` until stopped (Ctrl-C, SIGTERM); ``ready(server)`` is called once it listens.
    Returns 0.

    Raises:
        UsageError: the port is out of range or busy, or the store folder is not empty.
    """
    from .dataset import merge_reports

    check(port=port, location=location, host=host)
    store = ox.Store(str(location)) if location is not None else ox.Store()
    store.extend(quads)
    merge_reports(store)
    graphs = sorted({q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}, key=str)
    server = _Server((host, port), store, graphs)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
