"""Real SPARQL servers (Oxigraph, Virtuoso) on 127.0.0.1 for tests, started and stopped by fixtures.

``tests/conftest.py`` registers this module as a pytest plugin (``pytest_plugins``), so every test
module can ask for the fixtures by name without importing them. The session servers are started
once per pytest process.

Each fixture yields a frozen :class:`Server` with the endpoint URLs. The servers listen on free
loopback ports, keep their data in temporary directories, and are stopped when the fixture ends
(also when a test fails): SIGTERM to the process group, SIGKILL after a grace period.

A server that cannot start (binary missing, process died, not ready in time) skips the tests that
use it on a developer machine and fails them under ``CI=true``, with the last lines of its log.
The context managers :func:`running_oxigraph` and :func:`running_virtuoso` do the same work
without pytest's fixture machinery.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from . import external

#: Seconds to wait for a server to answer its readiness probe.
OXIGRAPH_READY_TIMEOUT = 30.0
VIRTUOSO_READY_TIMEOUT = 60.0
#: Seconds between SIGTERM and SIGKILL when stopping a server.
STOP_GRACE = 10.0
#: Lines of the server log shown in a skip/fail message.
LOG_TAIL_LINES = 30

#: The account of a new Virtuoso database (the Digest user on the ``-auth`` endpoints).
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"

ASK_PROBE = "query=ASK%7B%7D"  # ASK{}


@dataclass(frozen=True)
class Server:
    """A running SPARQL server.

    ``query``/``update``/``graph_store`` are anonymous endpoints (they accept writes).
    ``user``/``password`` are the credentials for the ``*_auth`` endpoints (HTTP Digest), which
    only Virtuoso has; for Oxigraph they and the ``*_auth`` fields are ``None``.
    ``graph_param`` is the query parameter that names a graph on ``graph_store``
    (Oxigraph ``graph``, Virtuoso ``graph-uri``; Virtuoso also accepts ``graph``).
    """

    base: str
    query: str
    update: str
    graph_store: str
    user: str | None
    password: str | None
    kind: str  # "oxigraph" or "virtuoso"
    pid: int
    log: Path
    query_auth: str | None = None
    update_auth: str | None = None
    graph_store_auth: str | None = None
    graph_param: str = "graph"
    sql_port: int | None = None  # Virtuoso's isql port


class ServerUnavailable(Exception):
    """A server could not be started; the message says why and ends with its log."""


# --------------------------------------------------------------------------- helpers


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports on 127.0.0.1 that were free a moment ago (bound to port 0, then released)."""
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    return free_ports(1)[0]


def unavailable(message: str) -> NoReturn:
    """Fail under ``CI=true``, skip elsewhere (the rule of tests/external.py)."""
    external.unavailable(message, what="a server that does not start")


def find_binary(name: str) -> str | None:
    """``name`` next to the running interpreter (the venv's bin), else on ``$PATH``."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        return f"(no log: {exc})"
    tail = text.splitlines()[-lines:]
    return "\n".join(tail) if tail else "(log is empty)"


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True if a GET of ``url`` answers with a 2xx status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback URL)
            response.read()
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def stop_process(proc: subprocess.Popen[bytes], grace: float = STOP_GRACE) -> None:
    """SIGTERM the process group of ``proc``, SIGKILL it after ``grace`` seconds, reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # SIGKILL the group even if the leader exited, in case it left children behind.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)


def _spawn(argv: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop_process can signal the whole group
        )


def _wait_ready(proc: subprocess.Popen[bytes], probe: str, timeout: float, what: str, log: Path) -> None:
    """Poll ``probe`` until it answers 2xx; raise :class:`ServerUnavailable` if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if http_ok(probe):
            return
        code = proc.poll()
        if code is not None:
            raise ServerUnavailable(
                f"{what} exited with status {code} before it was ready; log {log}:\n{log_tail(log)}"
            )
        if time.monotonic() >= deadline:
            raise ServerUnavailable(f"{what} not ready after {timeout:.0f} s ({probe}); log {log}:\n{log_tail(log)}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


# --------------------------------------------------------------------------- Oxigraph


@contextlib.contextmanager
def running_oxigraph(
    workdir: Path,
    *,
    in_memory: bool = False,
    binary: str | None = None,
    ready_timeout: float = OXIGRAPH_READY_TIMEOUT,
) -> Iterator[Server]:
    """Run ``oxigraph serve`` on a free loopback port, data in ``workdir/data`` (or in memory).

    Raises :class:`ServerUnavailable` if it cannot start; the process is always stopped on exit.
    """
    binary = binary or find_binary("oxigraph")
    if binary is None:
        raise ServerUnavailable(
            "the oxigraph server binary was not found next to the Python interpreter or on PATH (pip install oxigraph)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "oxigraph.log"
    data = workdir / "data"
    port = free_port()
    argv = [binary, "serve", "--bind", f"127.0.0.1:{port}"]
    if not in_memory:
        argv[2:2] = ["--location", str(data)]
    base = f"http://127.0.0.1:{port}"
    try:
        proc = _spawn(argv, workdir, log)
    except OSError as exc:
        raise ServerUnavailable(f"cannot run {binary}: {exc}") from exc
    try:
        _wait_ready(proc, f"{base}/query?{ASK_PROBE}", ready_timeout, f"oxigraph ({' '.join(argv)})", log)
        yield Server(
            base=base,
            query=f"{base}/query",
            update=f"{base}/update",
            graph_store=f"{base}/store",
            user=None,
            password=None,
            kind="oxigraph",
            pid=proc.pid,
            log=log,
        )
    finally:
        stop_process(proc)
        shutil.rmtree(data, ignore_errors=True)


# --------------------------------------------------------------------------- Virtuoso

VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {dir}, /tmp
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
MaxQueryMem          = 1G
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}/vsp
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""

#: Large files of a throw-away Virtuoso database, deleted after the server stops (the logs stay).
VIRTUOSO_DB_FILES = ("virtuoso.db", "virtuoso-temp.db", "virtuoso.trx", "virtuoso-temp.trx", "virtuoso.pxa")


def isql(isql_binary: str, sql_port: int, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """Run ``isql-vt 127.0.0.1:PORT dba dba ARGS…`` (bounded by ``timeout``)."""
    return subprocess.run(
        [isql_binary, f"127.0.0.1:{sql_port}", VIRTUOSO_USER, VIRTUOSO_PASSWORD, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def running_virtuoso(
    workdir: Path,
    *,
    binary: str | None = None,
    isql_binary: str | None = None,
    ready_timeout: float = VIRTUOSO_READY_TIMEOUT,
) -> Iterator[Server]:
    """Run a private ``virtuoso-t +foreground`` with its own ini and database in ``workdir``.

    Grants ``SPARQL_UPDATE`` to the anonymous ``SPARQL`` user, so ``/sparql`` updates and
    ``/sparql-graph-crud`` writes work without auth. Raises :class:`ServerUnavailable` if it
    cannot start; the process is always stopped on exit and the database files are deleted.
    """
    binary = binary or find_binary("virtuoso-t")
    isql_binary = isql_binary or find_binary("isql-vt")
    missing = [name for name, path in (("virtuoso-t", binary), ("isql-vt", isql_binary)) if path is None]
    if missing or binary is None or isql_binary is None:
        raise ServerUnavailable(
            f"{' and '.join(missing)} not found on PATH: install the Debian package virtuoso-opensource-7-bin "
            "(apt-get install --no-install-recommends virtuoso-opensource-7-bin)"
        )
    workdir = workdir.resolve()  # the ini needs absolute paths (relative ones resolve against the cwd)
    (workdir / "vsp").mkdir(parents=True, exist_ok=True)
    log = workdir / "stdout.log"
    http_port, sql_port = free_ports(2)
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=workdir, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    argv = [binary, "+foreground", "+configfile", str(ini)]
    base = f"http://127.0.0.1:{http_port}"
    try:
        proc = _spawn(argv, workdir, log)
    except OSError as exc:
        raise ServerUnavailable(f"cannot run {binary}: {exc}") from exc
    try:
        _wait_ready(proc, f"{base}/sparql?{ASK_PROBE}", ready_timeout, f"virtuoso ({' '.join(argv)})", log)
        try:
            grant = isql(isql_binary, sql_port, """exec=GRANT SPARQL_UPDATE TO "SPARQL";""")
        except subprocess.TimeoutExpired as exc:
            raise ServerUnavailable(f"isql-vt GRANT timed out; log {log}:\n{log_tail(log)}") from exc
        if grant.returncode != 0 or "Error" in grant.stdout + grant.stderr:
            raise ServerUnavailable(
                f"isql-vt GRANT SPARQL_UPDATE failed (status {grant.returncode}): {grant.stdout}{grant.stderr}\n"
                f"log {log}:\n{log_tail(log)}"
            )
        yield Server(
            base=base,
            query=f"{base}/sparql",
            update=f"{base}/sparql",
            graph_store=f"{base}/sparql-graph-crud",
            user=VIRTUOSO_USER,
            password=VIRTUOSO_PASSWORD,
            kind="virtuoso",
            pid=proc.pid,
            log=log,
            query_auth=f"{base}/sparql-auth",
            update_auth=f"{base}/sparql-auth",
            graph_store_auth=f"{base}/sparql-graph-crud-auth",
            graph_param="graph-uri",
            sql_port=sql_port,
        )
    finally:
        # SIGTERM makes a +foreground Virtuoso do a quick shutdown (no checkpoint, ~0.05 s): fine for a
        # throw-away database, and quicker than `isql-vt … -K` (checkpoint first, ~1.5 s).
        stop_process(proc)
        for name in VIRTUOSO_DB_FILES:
            (workdir / name).unlink(missing_ok=True)


# --------------------------------------------------------------------------- fixtures


@dataclass
class _Shared:
    stack: contextlib.ExitStack
    server: Server
    users: int = 0


# Session servers shared by every fixture definition: when several test modules (or a conftest and a
# module) import the fixtures, pytest makes one fixture definition per importer, and each would
# otherwise start its own server. The last user to finish stops it.
_SHARED: dict[str, _Shared] = {}
_FAILED: dict[str, str] = {}


def _shared_server(key: str, start: Callable[[], contextlib.AbstractContextManager[Server]]) -> Iterator[Server]:
    """The body of a session fixture: start the server once, skip/fail if it cannot start."""
    if key in _FAILED:
        unavailable(_FAILED[key])
    entry = _SHARED.get(key)
    if entry is None:
        stack = contextlib.ExitStack()
        try:
            server = stack.enter_context(start())
        except ServerUnavailable as exc:
            stack.close()
            _FAILED[key] = str(exc)
            unavailable(str(exc))
        entry = _SHARED[key] = _Shared(stack, server)
    entry.users += 1
    try:
        yield entry.server
    finally:
        entry.users -= 1
        if entry.users == 0:
            del _SHARED[key]
            entry.stack.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One Oxigraph server (on-disk store in a temp dir) for the whole session. Shared: use unique graph IRIs."""
    yield from _shared_server("oxigraph", lambda: running_oxigraph(tmp_path_factory.mktemp("oxigraph")))


@pytest.fixture()
def fresh_oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A new, empty, in-memory Oxigraph server for one test."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(running_oxigraph(tmp_path_factory.mktemp("oxigraph-fresh"), in_memory=True))
        except ServerUnavailable as exc:
            unavailable(str(exc))
        yield server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One private Virtuoso for the whole session (anonymous writes granted). Shared: use unique graph IRIs."""
    yield from _shared_server("virtuoso", lambda: running_virtuoso(tmp_path_factory.mktemp("virtuoso")))


EMPTY_RESULTS = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><results/></sparql>'
)


def answer_empty(handler: Any) -> None:
    """Answer the request ``handler`` (a BaseHTTPRequestHandler) with an empty SPARQL result."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+xml")
    handler.send_header("Content-Length", str(len(EMPTY_RESULTS)))
    handler.end_headers()
    handler.wfile.write(EMPTY_RESULTS)


class Listener:
    """A small HTTP server on 127.0.0.1 that records every request (its path and Authorization
    header) and answers an empty SPARQL result: for the tests that must see that no request was
    made (a SERVICE clause refused), where no store stands behind the address."""

    def __init__(self) -> None:
        import http.server
        import threading

        seen: list[tuple[str, str | None]] = []
        self.seen = seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append((self.path, self.headers.get("Authorization")))
                answer_empty(self)

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/query"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    """A :class:`Listener` for one test."""
    server = Listener()
    yield server
    server.close()


def serving(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`casegraph serve` with ``args`` on a free port, once it listens: the process, its /query
    URL and its log (stdout and stderr)."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "casegraph", "serve", "--port", str(port), *args], stdout=sink, stderr=sink
        )
    deadline = time.monotonic() + 30
    while "serving" not in log.read_text():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail("casegraph serve did not start: " + log.read_text())
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}/query", log
