"""A small HTTP proxy on 127.0.0.1 that forwards to a real server and injects faults on request.

Stdlib only. Each request is read completely (Content-Length or chunked body), forwarded with
:mod:`http.client` to the upstream base URL with the same method, path+query, headers (including
``Authorization``) and body, and the upstream status, headers and body are sent back with a
``Content-Length`` and ``Connection: close``. Only the ``Host`` header is rewritten to the
upstream's, so the server behaves as if it were addressed directly; hop-by-hop headers
(``Connection``, ``Transfer-Encoding``, ``Keep-Alive``, ``Expect``…) are not forwarded.

Faults are armed per proxy and can be changed while it runs. ``n`` counts requests *from now*:
``fail_nth(1)`` hits the next request, ``fail_nth(2)`` the one after it::

    with fault_proxy(server.base) as proxy:
        url = proxy.proxied(server.query)        # same URL, through the proxy
        proxy.fail_nth(2, status=503)            # the 2nd request from now gets 503 (not forwarded)
        proxy.cut_nth(1)                         # the next one: connection closed, no answer
        proxy.garbage_nth(1)                     # 200, upstream Content-Type, unparseable body
        proxy.stall_nth(1, 2.0)                  # wait 2 s before forwarding
        proxy.drip_nth(1, 0.2)                   # the upstream answer, one body byte every 0.2 s
        proxy.endless_nth(1)                     # 200, upstream Content-Type, a body that never ends
        proxy.status_for("/query", 401)          # every /query… request gets 401 until cleared
        proxy.redirect_for("/query", "http://localhost:7/q")  # every /query… request: 307 there
        proxy.passthrough()                      # forget all faults
        proxy.requests                           # [(method, path), …] of every request seen

Faulted requests that are *not* forwarded: ``fail_nth``, ``cut_nth``, ``status_for``,
``redirect_for``. Forwarded (so an update takes effect): ``garbage_nth`` and ``endless_nth`` (the
upstream answer is replaced), ``stall_nth`` and ``drip_nth``. A dripping or endless answer ends
when the client hangs up, the proxy closes, or after :data:`MAX_STALL` seconds.
Every wait is bounded; :meth:`FaultProxy.close` stops the listener, ends stalls early and joins the
threads with a time limit.
"""

from __future__ import annotations

import contextlib
import http.client
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

#: Headers that describe one connection, not the message; never forwarded either way.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "expect",
    }
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_BODY = 256 * 1024 * 1024
MAX_STALL = 120.0
HEADER_FAULT = "X-Fault-Proxy"


@dataclass(frozen=True)
class Fault:
    kind: str  # "fail", "cut", "garbage", "stall", "drip", "endless", "status", "redirect"
    status: int = 500
    seconds: float = 0.0
    body: bytes | None = None
    location: str = ""


def garbage_for(content_type: str) -> bytes:
    """A body that a parser for ``content_type`` rejects (a truncated document of that kind)."""
    ct = content_type.lower()
    if "json" in ct:
        return b'{"head": '
    if "xml" in ct or "html" in ct:
        return b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name='
    if any(kind in ct for kind in ("turtle", "n-triples", "n-quads", "trig", "n3", "text/plain")):
        return b'<http://example.org/garbage> <http://example.org/p> "unterminated'
    return b'\x00\xff{"head": <unterminated'


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: FaultProxy

    def process_request(self, request: Any, client_address: Any) -> None:
        self.proxy._thread_started()  # counted before the thread exists, so close() cannot miss it
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.proxy._thread_finished()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.proxy._thread_finished()

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.proxy._record_error(f"unhandled: {sys.exc_info()[1]!r}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds for the client to send its request
    server: _ProxyServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (BaseHTTPRequestHandler's name)
        pass

    # one handler for every method
    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _handle(self) -> None:
        proxy = self.server.proxy
        self.close_connection = True
        try:
            body = self._read_body()
        except (ValueError, OSError) as exc:
            proxy._record_error(f"bad request body: {exc!r}")
            with contextlib.suppress(OSError):
                self._reply(400, "Bad Request", [("Content-Type", "text/plain")], b"faultproxy: bad request body\n")
            return
        fault = proxy._arrive(self.command, self.path, self.headers.get("Authorization"))
        try:
            self._serve(proxy, fault, body)
        except OSError as exc:  # the client went away (e.g. it timed out during a stall)
            proxy._record_error(f"{self.command} {self.path}: {exc!r}")

    def _serve(self, proxy: FaultProxy, fault: Fault | None, body: bytes) -> None:
        if fault is None:
            self._reply(*self._forward(proxy, body))
        elif fault.kind in ("fail", "status"):
            text = fault.body if fault.body is not None else f"faultproxy: injected HTTP {fault.status}\n".encode()
            headers = [("Content-Type", "text/plain; charset=utf-8"), (HEADER_FAULT, fault.kind)]
            self._reply(fault.status, None, headers, text)
        elif fault.kind == "cut":
            pass  # the request was read; close the connection without a byte of answer
        elif fault.kind == "garbage":
            status, _reason, headers, _ = self._forward(proxy, body)
            content_type = next((v for k, v in headers if k.lower() == "content-type"), "application/octet-stream")
            text = fault.body if fault.body is not None else garbage_for(content_type)
            self._reply(
                200, "OK", [("Content-Type", content_type), (HEADER_FAULT, f"garbage (upstream {status})")], text
            )
        elif fault.kind == "stall":
            if proxy._closed.wait(fault.seconds):
                return  # the proxy is closing: drop the connection
            self._reply(*self._forward(proxy, body))
        elif fault.kind == "drip":
            self._reply(*self._forward(proxy, body), drip=fault.seconds)
        elif fault.kind == "endless":
            self._endless(proxy, body)
        elif fault.kind == "redirect":
            headers = [("Location", fault.location), (HEADER_FAULT, "redirect")]
            self._reply(fault.status, None, headers, b"")

    def _endless(self, proxy: FaultProxy, body: bytes) -> None:
        """Forward, then answer 200 with the upstream Content-Type and no length, and send
        whitespace (which every parser skips while it waits for more) until the client hangs up."""
        _status, _reason, headers, _ = self._forward(proxy, body)
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "application/octet-stream")
        self.send_response_only(200, "OK")
        for name, value in (("Content-Type", content_type), (HEADER_FAULT, "endless"), ("Connection", "close")):
            self.send_header(name, value)
        self.end_headers()
        filler = b" " * 65_536
        deadline = time.monotonic() + MAX_STALL
        while not proxy._closed.is_set() and time.monotonic() < deadline:
            self.wfile.write(filler)  # OSError once the client hangs up

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        size = int(length)
        if size < 0 or size > MAX_BODY:
            raise ValueError(f"Content-Length {size}")
        data = self.rfile.read(size)
        if len(data) != size:
            raise ValueError(f"body ended after {len(data)} of {size} bytes")
        return data

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            size = int(line.split(b";", 1)[0].strip(), 16)  # ValueError on EOF or junk
            if size == 0:
                for _ in range(100):  # trailer lines, bounded
                    if self.rfile.readline(65537) in (b"\r\n", b"\n", b""):
                        break
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise ValueError("chunked body too large")
            chunk = self.rfile.read(size)
            if len(chunk) != size:
                raise ValueError("chunked body ended early")
            chunks.append(chunk)
            self.rfile.readline(65537)  # the CRLF after the chunk

    def _forward(self, proxy: FaultProxy, body: bytes) -> tuple[int, str | None, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=proxy.upstream_timeout)
        try:
            conn.putrequest(self.command, proxy.upstream_prefix + self.path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", proxy.upstream_netloc)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP and name.lower() not in ("host", "content-length"):
                    conn.putheader(name, value)
            if body or "Content-Length" in self.headers or "Transfer-Encoding" in self.headers:
                conn.putheader("Content-Length", str(len(body)))
            conn.putheader("Connection", "close")
            conn.endheaders(body or None)
            response = conn.getresponse()
            data = response.read()
            return response.status, response.reason, response.getheaders(), data
        except (OSError, http.client.HTTPException) as exc:
            proxy._record_error(f"upstream {self.command} {self.path}: {exc!r}")
            return (
                502,
                "Bad Gateway",
                [("Content-Type", "text/plain"), (HEADER_FAULT, "upstream error")],
                (f"faultproxy: upstream error {exc!r}\n".encode()),
            )
        finally:
            conn.close()

    def _reply(
        self, status: int, reason: str | None, headers: list[tuple[str, str]], body: bytes, drip: float = 0.0
    ) -> None:
        """Send the answer; with ``drip``, its body one byte every ``drip`` seconds."""
        self.send_response_only(status, reason)
        is_head = self.command == "HEAD"
        for name, value in headers:
            lower = name.lower()
            if lower in HOP_BY_HOP or (lower == "content-length" and not is_head):
                continue
            self.send_header(name, value)
        if not is_head and status not in (204, 304) and status >= 200:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not body or is_head or status in (204, 304):
            pass
        elif drip:
            deadline = time.monotonic() + MAX_STALL
            for index in range(len(body)):
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                if self.server.proxy._closed.wait(drip) or time.monotonic() > deadline:
                    return
        else:
            self.wfile.write(body)
        self.wfile.flush()


class FaultProxy:
    """A fault-injecting HTTP proxy in front of ``upstream_base`` (see the module docstring)."""

    def __init__(self, upstream_base: str, *, upstream_timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(upstream_base)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
            raise ValueError(f"faultproxy forwards to http://127.0.0.1 (loopback) only, not {upstream_base!r}")
        self.upstream_base = upstream_base.rstrip("/")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_netloc = parts.netloc
        self.upstream_prefix = parts.path.rstrip("/")
        self.upstream_timeout = upstream_timeout
        self._lock = threading.Lock()
        self._count = 0
        self._nth: dict[int, Fault] = {}
        self._prefix_status: dict[str, Fault] = {}
        self._requests: list[tuple[str, str]] = []
        self._authorizations: list[str | None] = []
        self._errors: list[str] = []
        self._closed = threading.Event()
        self._active = 0
        self._idle = threading.Condition(self._lock)
        self._server: _ProxyServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.url = ""

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> FaultProxy:
        server = _ProxyServer(("127.0.0.1", 0), _Handler)
        server.proxy = self
        self._server = server
        self.port = server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        server.timeout = 0.05  # handle_request() returns at least this often, so the loop sees close()
        self._thread = threading.Thread(target=self._serve_loop, args=(server,), name=f"faultproxy:{self.port}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def _serve_loop(self, server: _ProxyServer) -> None:
        while not self._closed.is_set():
            server.handle_request()

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening, end stalls, wait (at most ``timeout`` s) for in-flight requests."""
        self._closed.set()
        server, self._server = self._server, None
        if server is None:
            return
        if self._thread is not None:
            self._thread.join(timeout)
        server.server_close()
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active and (left := deadline - time.monotonic()) > 0:
                self._idle.wait(left)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- faults

    def proxied(self, upstream_url: str) -> str:
        """``upstream_url`` (under the upstream base) rewritten to go through this proxy."""
        if not upstream_url.startswith(self.upstream_base):
            raise ValueError(f"{upstream_url!r} is not under {self.upstream_base!r}")
        return self.url + upstream_url[len(self.upstream_base) :]

    def passthrough(self) -> None:
        """Forward everything: forget all armed faults (the request log stays)."""
        with self._lock:
            self._nth.clear()
            self._prefix_status.clear()

    def _arm(self, n: int, fault: Fault) -> None:
        if n < 1:
            raise ValueError("n counts requests from now and starts at 1")
        with self._lock:
            self._nth[self._count + n] = fault

    def fail_nth(self, n: int, status: int = 500, body: bytes | None = None) -> None:
        """The ``n``-th request from now gets ``status`` with a short text body (not forwarded)."""
        self._arm(n, Fault("fail", status=status, body=body))

    def cut_nth(self, n: int) -> None:
        """The ``n``-th request from now is read, then its connection is closed without an answer."""
        self._arm(n, Fault("cut"))

    def garbage_nth(self, n: int, body: bytes | None = None) -> None:
        """The ``n``-th request from now is forwarded; the answer becomes 200, upstream Content-Type, broken body."""
        self._arm(n, Fault("garbage", body=body))

    def stall_nth(self, n: int, seconds: float) -> None:
        """The ``n``-th request from now waits ``seconds`` (at most 120) before it is forwarded."""
        if not 0 <= seconds <= MAX_STALL:
            raise ValueError(f"stall must be within 0..{MAX_STALL} s")
        self._arm(n, Fault("stall", seconds=seconds))

    def drip_nth(self, n: int, seconds: float) -> None:
        """The ``n``-th request from now is forwarded; its answer's body comes one byte every ``seconds``."""
        if not 0 < seconds <= MAX_STALL:
            raise ValueError(f"a drip interval must be within 0..{MAX_STALL} s")
        self._arm(n, Fault("drip", seconds=seconds))

    def endless_nth(self, n: int) -> None:
        """The ``n``-th request from now is forwarded; the answer becomes 200 with a body that never ends."""
        self._arm(n, Fault("endless"))

    def redirect_for(self, path_prefix: str, location: str, status: int = 307) -> None:
        """Every request whose path starts with ``path_prefix`` is redirected to ``location`` with
        ``status`` (not forwarded), until cleared."""
        with self._lock:
            self._prefix_status[path_prefix] = Fault("redirect", status=status, location=location)

    def status_for(self, path_prefix: str, status: int, body: bytes | None = None) -> None:
        """Every request whose path starts with ``path_prefix`` gets ``status`` (not forwarded), until cleared."""
        with self._lock:
            self._prefix_status[path_prefix] = Fault("status", status=status, body=body)

    def clear_status_for(self, path_prefix: str | None = None) -> None:
        with self._lock:
            if path_prefix is None:
                self._prefix_status.clear()
            else:
                self._prefix_status.pop(path_prefix, None)

    # ----------------------------------------------------------------- records

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path with query) of every request received, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def authorizations(self) -> list[str | None]:
        """The ``Authorization`` header of every request received (None where there was none)."""
        with self._lock:
            return list(self._authorizations)

    @property
    def errors(self) -> list[str]:
        """Problems seen while proxying (client gone, upstream unreachable…), for debugging."""
        with self._lock:
            return list(self._errors)

    def _arrive(self, method: str, path: str, authorization: str | None = None) -> Fault | None:
        with self._lock:
            self._count += 1
            self._requests.append((method, path))
            self._authorizations.append(authorization)
            fault = self._nth.pop(self._count, None)
            if fault is not None:
                return fault
            for prefix, prefix_fault in self._prefix_status.items():
                if path.startswith(prefix):
                    return prefix_fault
            return None

    def _record_error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)

    def _thread_started(self) -> None:
        with self._lock:
            self._active += 1

    def _thread_finished(self) -> None:
        with self._idle:
            self._active -= 1
            self._idle.notify_all()


@contextlib.contextmanager
def fault_proxy(upstream_base: str, *, upstream_timeout: float = 30.0) -> Iterator[FaultProxy]:
    """A started :class:`FaultProxy` in front of ``upstream_base``; closed on exit."""
    proxy = FaultProxy(upstream_base, upstream_timeout=upstream_timeout)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture()
def fault_proxy_factory() -> Iterator[Callable[..., FaultProxy]]:
    """Call it with an upstream base URL to get a started proxy; all are closed after the test."""
    with contextlib.ExitStack() as stack:

        def make(upstream_base: str, **kwargs: Any) -> FaultProxy:
            return stack.enter_context(fault_proxy(upstream_base, **kwargs))

        yield make
