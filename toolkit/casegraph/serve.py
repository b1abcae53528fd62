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
browser can query it. It binds to 127.0.0.1 unless told otherwise. It is also a linked-data server
(:mod:`casegraph.linked`): ``/id/…`` answers 303 to a node's page, Turtle or JSON-LD; the site's
index; VoID at ``/.well-known/void``; a ``GET`` of the endpoint without a query answers its
Service Description, or to a browser the query page.

Each query runs in a worker process, so that one running past the time limit (``--timeout``) can
be stopped — pyoxigraph cannot cancel a query, and a thread cannot be killed — and answered 503,
while the endpoint keeps answering others. The workers inherit the loaded store instead of
re-reading it: once the store is ready, and before any thread of the server starts, one process
(the *zygote*) is forked, and every worker is forked from it on demand, so each fork happens in a
single-threaded process. A store kept on disk (``--store``) is closed by the server and opened
read-only by each worker. Workers are reused; at most :data:`WORKERS` queries run at once. On
Linux every child dies with its parent, even when the server is killed (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import json
import os
import signal
import socket
import threading
import urllib.parse
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from .dataset import MERGED
from .errors import CasegraphError, QueryError, UsageError, one_line
from .iris import iri_term  # imported before the workers fork: a worker never reads code from disk
from .linked import DESCRIPTIONS, DOCUMENTS, MEDIA, PAGE_POLICY, QUERY_POLICY, BadPath, Cache, Linked, describe
from .queries import check_form, refuse_service, run_sparql

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
#: Queries run at once (each in its own worker process); more wait for a free worker.
WORKERS = max(2, min(4, os.cpu_count() or 2))
#: Pages of the site rendered at once, in worker processes besides the queries'.
PAGE_WORKERS = 2
#: Seconds a client may take to send its whole request.
REQUEST_TIMEOUT = 30
#: Connections served at once; more are closed at once (each holds a thread).
MAX_CONNECTIONS = 64
#: A worker that has grown by this many bytes (a large answer) ends after answering, so its
#: memory returns to the system; the next query forks a fresh one.
RETIRE_GROWTH = 256 << 20


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
            import errno

            if err.errno == errno.EADDRNOTAVAIL:  # the address is not this machine's
                raise UsageError(
                    f"--bind {host}: no interface of this machine has that address ({err.strerror}); give one it "
                    "has, such as 127.0.0.1"
                ) from err
            raise UsageError(
                f"--port {port}: cannot listen on {url_host(host)}:{port} ({err.strerror}); choose another port"
            ) from err
    if location is not None and location.exists() and any(location.iterdir()):
        raise UsageError(f"--store {location}: the folder is not empty; give a new folder for the store")


def _choose(accept: str, formats: dict[str, Any]) -> tuple[str, Any] | None:
    """The media type of ``formats`` the ``Accept`` header prefers (highest ``q`` first, then in
    the order given; ``q=0`` excludes), a wildcard taking the first of ``formats``; or None."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(accept.split(",")):
        media, *parameters = [piece.strip() for piece in part.split(";")]
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and 0 < weight <= 1:
            ranked.append((-weight, order, media.lower()))
    if not accept.strip():
        ranked = [(-1.0, 0, "*/*")]
    for _, _, media in sorted(ranked):
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
    timeout = REQUEST_TIMEOUT  # each read of the request; the whole request has the same bound (setup)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass

    def setup(self) -> None:
        super().setup()
        # a client that sends its request a byte at a time never lets a per-read timeout fire:
        # the connection is closed when the whole request has not arrived in time
        self._deadline = threading.Timer(REQUEST_TIMEOUT, self._too_slow)
        self._deadline.daemon = True
        self._deadline.start()

    def _too_slow(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        self._deadline.cancel()
        with contextlib.suppress(OSError):  # the client may be gone
            super().finish()

    def _send(self, status: int, body: bytes, media: str, extra: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:  # the client went away: nobody to tell
            self.close_connection = True

    def _fail(self, status: int, message: str) -> None:
        self._send(*_text(status, message))

    def do_OPTIONS(self) -> None:
        self._deadline.cancel()
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
        self._deadline.cancel()
        url = urllib.parse.urlsplit(self.path)
        self._answer(url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = self.headers.get("Content-Length") or "0"
        if not (length.isascii() and length.isdigit()):
            self._fail(400, "Content-Length must be a number of bytes")
            return
        size = int(length)
        if size > MAX_QUERY:
            self._fail(413, f"the request body is over {MAX_QUERY} bytes")
            return
        raw = self.rfile.read(size)
        self._deadline.cancel()
        if len(raw) < size:  # the client hung up (or was too slow) before its body ended
            self.close_connection = True
            return
        body = raw.decode("utf-8", "replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            for name, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
        elif media == "application/sparql-query":
            params["query"] = [body]
        elif media == "application/sparql-update":
            params["update"] = [body]
        self._answer(url.path, params)

    def _refuse_write(self) -> None:
        self._deadline.cancel()
        self._fail(403, "this endpoint is read-only")

    do_PUT = do_DELETE = do_PATCH = _refuse_write

    def _answer(self, path: str, params: dict[str, list[str]]) -> None:
        if "update" in params or path.rstrip("/").endswith(("/update", "/store")):
            self._fail(403, "this endpoint is read-only: no SPARQL Update, no Graph Store writes")
            return
        endpoint = path.rstrip("/") in ("/query", "/sparql") or (path == "/" and "query" in params)
        if not endpoint:
            if self.command == "POST":
                self._fail(404, f"no {path} here to POST to; the SPARQL endpoint is /query")
            else:
                self._linked(path)
            return
        if not params and self.command != "POST":  # the endpoint itself: described, or its query page
            self._describe_endpoint()
            return
        texts = params.get("query", [])
        if len(texts) != 1:
            self._fail(400, "give exactly one query (the SPARQL 1.1 Protocol's 'query' parameter)")
            return
        request = [
            texts[0],
            params.get("default-graph-uri", []),
            params.get("named-graph-uri", []),
            self.headers.get("Accept") or "*/*",
        ]
        answered = self.server.workers.run(request, self.connection)
        if answered is None:  # the client hung up while its query ran
            self.close_connection = True
            return
        self._send(*answered)

    def _base(self) -> str:
        """This server's URL: as the request's ``Host`` header names it only when that is the
        address and port the server listens on (a loopback name for a loopback address), else
        that address and port; never any other host a client sends."""
        host, port = str(self.server.server_address[0]), self.server.server_address[1]
        bound = f"{url_host(host)}:{port}"
        names = {bound, f"localhost:{port}"} if is_loopback(host) else {bound}
        given = (self.headers.get("Host") or "").strip().lower()
        return f"http://{given if given in names else bound}"

    def _describe_endpoint(self) -> None:
        """A GET of the endpoint without a query: its SPARQL 1.1 Service Description (Turtle by
        default, as the spec asks), or the query page for a client that prefers HTML."""
        linked = self.server.linked
        formats: dict[str, Any] = {**DESCRIPTIONS, "text/html": None, "application/xhtml+xml": None}
        chosen = _choose(self.headers.get("Accept") or "*/*", formats)
        vary = {"Vary": "Accept"}
        if chosen is None:
            self._send(
                406, ("ask for one of: " + ", ".join(formats) + "\n").encode(), "text/plain; charset=utf-8", vary
            )
        elif chosen[1] is None:
            self._send(200, linked.query_page.encode(), "text/html; charset=utf-8", {**vary, **_headers(QUERY_POLICY)})
        else:
            triples = linked.service(self._base() + "/query", self.server.default)
            body = describe(triples, chosen[1])
            self._send(200, body, chosen[0] + ("; charset=utf-8" if chosen[0].startswith("text/") else ""), vary)

    def _linked(self, path: str) -> None:
        """The site of the dataset, its IRIs looked up, the VoID description (see casegraph.linked)."""
        linked = self.server.linked
        if path == "/.well-known/void":
            chosen = _choose(self.headers.get("Accept") or "*/*", DESCRIPTIONS)
            if chosen is None:
                self._send(
                    406, ("ask for one of: " + ", ".join(DESCRIPTIONS) + "\n").encode(), "text/plain; charset=utf-8"
                )
                return
            media, fmt = chosen
            body = describe(linked.void(self._base() + "/query"), fmt)
            self._send(200, body, media + ("; charset=utf-8" if media.startswith("text/") else ""), {"Vary": "Accept"})
            return
        try:
            kind, found = linked.resolve(path) if path.startswith("/") else ("none", path)
        except (BadPath, UnicodeDecodeError):
            self._fail(400, "the path may not hold a '.' or '..' segment, a NUL or a backslash")
            return
        if kind == "none":
            self._send(
                404,
                f"no {path} here; the dataset's IRIs https://w3id.org/casegraph/id/... are at /id/..., the index "
                "at /, the SPARQL endpoint at /query\n".encode(),
                "text/plain; charset=utf-8",
                _headers(None),
            )
        elif kind == "static":
            media = MEDIA.get("." + found.rpartition(".")[2], "application/octet-stream")
            self._send(200, linked.static[found], media, _headers(PAGE_POLICY if found.endswith(".html") else None))
        elif kind == "node":
            chosen = _choose(self.headers.get("Accept") or "*/*", DOCUMENTS)
            vary = {"Vary": "Accept"}
            if chosen is None:
                self._send(
                    406, ("ask for one of: " + ", ".join(DOCUMENTS) + "\n").encode(), "text/plain; charset=utf-8", vary
                )
                return
            target = "/" + found + chosen[1]
            self._send(
                303,
                f"See {target}\n".encode(),
                "text/plain; charset=utf-8",
                {**vary, "Location": target, **_headers(None)},
            )
        else:
            answered = self.server.cache.get(found)
            if answered is None:
                answered = self.server.workers.run([found], self.connection, kind="site")
                if answered is None:
                    self.close_connection = True
                    return
                self.server.cache.put(found, answered)
            status, body, media = answered
            policy = PAGE_POLICY if media.startswith("text/html") and status == 200 else None
            self._send(status, body, media, _headers(policy))


def _headers(policy: str | None) -> dict[str, str]:
    """The headers of a document of the site: with ``policy``, its Content-Security-Policy."""
    return {"Content-Security-Policy": policy} if policy else {}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], workers: _Workers, linked: Linked, default: Sequence[ox.NamedNode] = ()
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.workers, self.linked, self.default, self.cache = workers, linked, list(default), Cache()
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._connections.acquire(blocking=False):  # too many at once: this one is closed
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connections.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # a client that went away or timed out: nothing to report
            return
        sys.stderr.write(f"casegraph: serve: answering {client_address[0]} failed: {one_line(repr(error))}\n")


def answer(
    store: ox.Store,
    graphs: Sequence[ox.NamedNode],
    text: str,
    default: list[str],
    named: list[str],
    accept: str,
    *,
    max_bytes: int = 1 << 62,
) -> tuple[int, bytes, str]:
    """One query over ``store`` (the default graph: the union of ``graphs``, unless the request
    names its dataset): its status, body (at most ``max_bytes``) and media type.

    Raises:
        CasegraphError: a refused or malformed query, or a graph IRI that is not one.
    """
    check_form(text, "the query")
    refuse_service(text, "the query", "send the query to the endpoint it names instead")
    for iri in (*default, *named):
        iri_term(iri, "default-graph-uri/named-graph-uri")
    if default or named:  # the protocol's dataset: exactly the graphs named
        result = run_sparql(
            store,
            text,
            where="the query",
            graphs=[ox.NamedNode(iri) for iri in default],
            named=[ox.NamedNode(iri) for iri in named],
        )
    else:  # the served graphs make the default graph; every graph of the store can be named
        nameable = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and not g.value.startswith(MERGED)]
        result = run_sparql(store, text, where="the query", graphs=graphs, nameable=nameable)
    formats: dict[str, Any] = _GRAPHS if isinstance(result, ox.QueryTriples) else _SOLUTIONS
    chosen = _choose(accept, formats)
    if chosen is None:
        return 406, ("ask for one of: " + ", ".join(formats) + "\n").encode(), "text/plain; charset=utf-8"
    media, fmt = chosen
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    sink = _Bounded(max_bytes)
    try:  # pyoxigraph evaluates as it serialises
        result.serialize(cast(IO[bytes], sink), format=fmt)
    except (RuntimeError, OSError, ValueError) as err:
        if sink.over:
            return _text(
                500,
                f"the answer is over {max_bytes >> 20} MB (the server's --max-answer); narrow the query (a LIMIT), "
                "or restart the server with a larger --max-answer",
            )
        raise QueryError(f"the query failed while running ({one_line(err)})") from err
    return 200, b"".join(sink.parts), media + charset


class _Bounded:
    """A binary sink that holds what is written, and refuses more than ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.over = limit, 0, False
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.over = True
            raise OSError("the answer is too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _text(status: int, message: str) -> tuple[int, bytes, str]:
    return status, (one_line(message) + "\n").encode(), "text/plain; charset=utf-8"


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this process when its parent ends (also by SIGKILL)."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent ended before the request took effect
            os._exit(0)


def _forked_child() -> None:
    """What every child does first: the default signal handling (the parent's Python handlers
    must not run here), and death with its parent."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    _die_with_parent()


def _fork() -> int:
    import warnings

    with warnings.catch_warnings():  # Python 3.12+ warns of fork in a threaded process: see _Workers
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _zygote(
    channel: socket.socket,
    store: ox.Store | None,
    graphs: list[ox.NamedNode],
    location: Path | None,
    linked: Linked | None = None,
) -> None:
    """Fork a worker for each socket received on ``channel`` and send back its process id (0 when
    the fork failed); end when the channel closes. Children are reaped by the kernel."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        message, fds, _, _ = socket.recv_fds(channel, 16, 1)
        if not message or not fds:
            return
        try:
            pid = _fork()
        except OSError:  # no process or memory to spare now: the server says so and goes on
            pid = -1
        if pid == 0:
            try:
                channel.close()
                _forked_child()
                _work(Connection(fds[0]), store, graphs, location, linked)
            finally:
                os._exit(0)
        os.close(fds[0])
        channel.sendall(max(pid, 0).to_bytes(4, "big"))


def _work(
    conn: Connection,
    store: ox.Store | None,
    graphs: list[ox.NamedNode],
    location: Path | None,
    linked: Linked | None = None,
) -> None:
    """Answer requests from ``conn`` until it closes: each a JSON list of its kind (``query``:
    :func:`answer`'s arguments follow; ``site``: the path of a file of the site, rendered from
    ``linked``) and the answer's size limit, each reply ``[status, media, retire]`` then the body;
    a worker that has grown by :data:`RETIRE_GROWTH` bytes answers, then ends (``retire``)."""
    import resource

    if store is None:
        assert location is not None
        store = ox.Store.read_only(str(location))
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    while True:
        try:
            kind, *request, max_bytes = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            if kind == "site" and linked is not None:
                status, body, media = linked.file(*request)
                if len(body) > max_bytes:
                    status, body, media = _text(
                        500, f"the document is over {max_bytes >> 20} MB (the server's --max-answer)"
                    )
            else:
                status, body, media = answer(store, graphs, *request, max_bytes=max_bytes)
        except CasegraphError as err:
            status, body, media = _text(400, str(err))
        except Exception as err:  # noqa: BLE001 - the worker answers for any query, then goes on
            status, body, media = _text(500, f"the query failed: {err!r}")
        retire = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - start > RETIRE_GROWTH
        conn.send_bytes(json.dumps([status, media, retire]).encode())
        conn.send_bytes(body)
        if retire:
            return


class _Worker:
    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid, self.conn = pid, conn


class _ZygoteGone(Exception):
    """The process that forks the workers has ended: no query can be answered any more."""


class _Workers:
    """Runs each query in a worker process and stops one that runs past ``limit`` seconds or
    whose client hangs up (see the module's docstring). Fork the zygote before the server starts
    any thread. ``lost`` is called once if the zygote ends."""

    def __init__(
        self,
        store: ox.Store | None,
        graphs: list[ox.NamedNode],
        location: Path | None,
        limit: float,
        max_bytes: int,
        lost: Any = None,
        linked: Linked | None = None,
    ) -> None:
        self.limit, self.max_bytes, self.lost = limit, max_bytes, lost
        self._channel, theirs = socket.socketpair()
        pid = _fork()
        if pid == 0:
            try:
                self._channel.close()
                _forked_child()
                _zygote(theirs, store, graphs, location, linked)
            finally:
                os._exit(0)
        theirs.close()
        self._zygote = pid
        self._lock = threading.Lock()  # one request to the zygote at a time; guards the lists
        self._idle: list[_Worker] = []
        self._busy: dict[int, _Worker] = {}
        self._slots = threading.BoundedSemaphore(WORKERS)
        self._page_slots = threading.BoundedSemaphore(PAGE_WORKERS)
        self._closed = False

    def run(
        self, request: list[Any], client: socket.socket | None = None, *, kind: str = "query"
    ) -> tuple[int, bytes, str] | None:
        """Run ``request`` (:func:`answer`'s arguments after the store; for ``kind`` ``site``, the
        path of a file of the site) in a worker: the status, body and media type to send, or None
        when ``client`` hung up meanwhile. Pages have slots of their own: they never hold up a
        query."""
        slots, count = (self._page_slots, PAGE_WORKERS) if kind == "site" else (self._slots, WORKERS)
        if not slots.acquire(timeout=self.limit):
            return _text(503, f"all {count} workers were busy for {self.limit:g} s; try again later")
        try:
            return self._run([kind, *request], client)
        finally:
            slots.release()

    def _run(self, request: list[Any], client: socket.socket | None) -> tuple[int, bytes, str] | None:
        import time
        from multiprocessing.connection import wait

        try:
            worker = self._take()
        except _ZygoteGone:
            if self.lost is not None:
                self.lost()
            return _text(503, "the server can no longer start query workers; restart casegraph serve")
        except OSError:
            return _text(503, "no process could be started for the query now (too many processes?); try again")
        deadline = time.monotonic() + self.limit
        watched: list[Any] = [worker.conn] + ([client] if client is not None else [])
        try:
            worker.conn.send_bytes(json.dumps([*request, self.max_bytes]).encode())
            while True:
                left = deadline - time.monotonic()
                ready = wait(watched, timeout=max(left, 0)) if left > 0 else []
                if worker.conn in ready:
                    break
                if not ready:
                    self._end(worker, kill=True)
                    return _text(
                        503,
                        f"the query ran longer than {self.limit:g} s (the server's --timeout) and was stopped; "
                        "narrow it (a LIMIT, fewer unbound patterns), or restart the server with a larger --timeout",
                    )
                if client is not None and client in ready:
                    if _hung_up(client):
                        self._end(worker, kill=True)
                        return None
                    watched.remove(client)  # it sent more (a next request): no need to watch it
            status, media, retire = json.loads(worker.conn.recv_bytes())
            body = worker.conn.recv_bytes()
        except (EOFError, OSError, ValueError):
            self._end(worker, kill=False)  # it ended by itself: its pid may already be another's
            return _text(
                500,
                "the worker process running the query ended before answering (a query nested too deeply, or "
                "memory ran out); simplify the query",
            )
        if retire:
            self._end(worker, kill=False)
        else:
            self._give_back(worker)
        return int(status), body, str(media)

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise OSError("the server is stopping")
            if self._idle:
                worker = self._idle.pop()
            else:
                mine, theirs = socket.socketpair()
                with theirs:
                    try:
                        socket.send_fds(self._channel, [b"w"], [theirs.fileno()])
                        reply = self._channel.recv(4, socket.MSG_WAITALL)
                    except OSError as err:
                        mine.close()
                        raise _ZygoteGone from err
                if len(reply) < 4:
                    mine.close()
                    raise _ZygoteGone
                pid = int.from_bytes(reply, "big")
                if pid <= 0:  # the zygote could not fork
                    mine.close()
                    raise OSError("fork failed")
                worker = _Worker(pid, Connection(mine.detach()))
            self._busy[worker.pid] = worker
            return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.pop(worker.pid, None)
            if self._closed:
                worker.conn.close()
            else:
                self._idle.append(worker)

    def _end(self, worker: _Worker, *, kill: bool) -> None:
        """Forget ``worker``; with ``kill``, stop it first (it is alive: it has not answered)."""
        with self._lock:
            self._busy.pop(worker.pid, None)
        if kill and worker.pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker and the zygote (idempotent; also run when a signal stops the command)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = [*self._idle, *self._busy.values()]
            self._idle.clear()
            self._busy.clear()
        for worker in workers:
            if worker.pid > 0:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
            worker.conn.close()
        self._channel.close()  # the zygote sees the end of its channel and exits
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._zygote, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._zygote, 0)


def _hung_up(client: socket.socket) -> bool:
    """Whether ``client`` (readable) has closed its side of the connection."""
    try:
        return client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def serve(
    quads: Sequence[ox.Quad],
    *,
    host: str,
    port: int,
    location: Path | None = None,
    timeout: float = 60.0,
    max_answer: int = 256,
    default: Sequence[ox.NamedNode] | None = None,
    ready: Any = None,
) -> int:
    """Load ``quads`` into a store (in memory, or at ``location``) and answer SPARQL on
    ``host:port`` until stopped (Ctrl-C, SIGTERM), each query for at most ``timeout`` seconds and
    ``max_answer`` megabytes, the default graph the union of the ``default`` graphs (all of them
    when None; every graph can be named); ``ready(server)`` is called once it listens. Returns 0.

    Raises:
        UsageError: the port is out of range or busy, or the store folder is not empty.
        CasegraphError: the server could no longer start query workers (it stopped).
    """
    from .dataset import merge_reports
    from .files import on_stop

    check(port=port, location=location, host=host)
    store: ox.Store | None = ox.Store(str(location)) if location is not None else ox.Store()
    assert store is not None
    store.extend(quads)
    merge_reports(store)
    named = {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    graphs = sorted(named if default is None else set(default), key=str)
    if location is not None:  # the workers open it read-only: no writer may hold it open
        store.flush()
        store = None
    lost, wake = threading.Event(), threading.Event()

    def on_lost() -> None:
        lost.set()
        wake.set()

    linked = Linked(quads)  # before the fork: the workers render pages from it
    workers = _Workers(store, graphs, location, timeout, max_answer << 20, lost=on_lost, linked=linked)
    forget = on_stop(workers.close)
    try:
        server = _Server((host, port), workers, linked, graphs)

        # the zygote's end is noticed by the next query; the server then stops, saying why
        def stop_when_lost() -> None:
            wake.wait()
            if lost.is_set():
                server.shutdown()

        threading.Thread(target=stop_when_lost, daemon=True).start()
        try:
            if ready is not None:
                ready(server)
            server.serve_forever(poll_interval=0.1)
        except KeyboardInterrupt:
            pass
        finally:
            wake.set()
            server.server_close()
    finally:
        workers.close()
        forget()
    if lost.is_set():
        raise CasegraphError(
            "serve: the process that starts the query workers ended (killed, or out of memory); the server "
            "stopped; start it again"
        )
    return 0
