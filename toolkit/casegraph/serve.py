"""Serve: a local, read-only SPARQL 1.1 endpoint over the dataset.

casegraph prepares an Oxigraph store from the dataset (``oxigraph load``) and runs the Oxigraph
server on it in read-only mode (``oxigraph serve-read-only``): the default graph is the union of
the served graphs, CORS is on (so YASGUI in a browser can query it), and every write — SPARQL
Update or a Graph Store ``PUT`` — is refused with HTTP 403. It binds to 127.0.0.1 unless told
otherwise.
"""

from __future__ import annotations

import ipaddress
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from .errors import StoreError, UsageError


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary (PyPI package ``oxigraph``), next to this Python first.

    Raises:
        StoreError: it is not installed.
    """
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError("the Oxigraph server is not installed; run `pip install oxigraph`")
    return found


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prepare(quads: Sequence[ox.Quad], location: Path) -> None:
    """Write ``quads`` into a fresh Oxigraph store at ``location`` with the server's own loader.

    Raises:
        StoreError: the loader failed.
    """
    location.mkdir(parents=True, exist_ok=True)
    dump = location.parent / f"{location.name}.nq"
    dump.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    try:
        done = subprocess.run(
            [oxigraph_binary(), "load", "--location", str(location), "--file", str(dump)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        dump.unlink(missing_ok=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise StoreError(f"oxigraph load into {location} failed: {last}")


def command(location: Path, host: str, port: int) -> list[str]:
    """The server's command line."""
    return [
        oxigraph_binary(),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"{host}:{port}",
        "--cors",
        "--union-default-graph",
    ]


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


def serve(quads: Sequence[ox.Quad], *, host: str, port: int, location: Path | None = None) -> int:
    """Prepare the store and run the read-only server in the foreground until it stops
    (Ctrl-C). Returns the server's exit status.

    Raises:
        UsageError: the port is out of range.
        StoreError: the store cannot be prepared or the server is missing.
    """
    check(port=port, location=location, host=host)
    owned = location is None
    folder = location if location is not None else Path(tempfile.mkdtemp(prefix="casegraph-serve-")) / "store"
    try:
        prepare(quads, folder)
        process = subprocess.Popen(command(folder, host, port))
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.terminate())
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            return process.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        if owned:
            shutil.rmtree(folder.parent, ignore_errors=True)
