"""Load: push the dataset's named graphs into any SPARQL 1.1 store, verified and idempotent.

Each graph is replaced as a whole, never half-done from a reader's point of view:

1. its triples go into a *staging* graph — by the Graph Store Protocol (``PUT``), or, where the
   store has no Graph Store endpoint, by chunked SPARQL 1.1 ``INSERT DATA``;
2. one SPARQL Update request, ``MOVE SILENT GRAPH <staging> TO GRAPH <target>``, swaps it in;
3. the store's count of triples in the target graph is compared with the local count.

A store whose own ``PUT`` is atomic can skip the staging graph (``direct=True``; the README lists
which stores are). Oxigraph's is not — its server clears the graph and loads the new triples in
two separate transactions — so the default is staging everywhere.

A failure stops the load: graphs already swapped stay replaced, the graph in progress and those
after it keep their previous version (its staging graph is dropped), and the error says which is
which. Nothing is atomic across graphs. Loading twice leaves the store exactly as loading once.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .endpoint import AuthKind, Endpoint
from .errors import StoreError, UsageError
from .export import graph_iri, sorted_triples
from .iris import GRAPHS

#: Triples per ``INSERT DATA`` request on the SPARQL Update path.
CHUNK = 5_000
NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class GraphLoad:
    """What was (or would be) loaded into one named graph."""

    role: str
    graph: str
    triples: int
    stored: int | None = None


@dataclass(frozen=True)
class LoadReport:
    """The outcome of a load, graph by graph, in load order."""

    endpoint: str
    method: str
    graphs: tuple[GraphLoad, ...] = field(default_factory=tuple)


class _Progress:
    """An upload body that reports bytes as they are sent, and can be rewound: Digest
    authentication answers a first attempt with a challenge (Virtuoso's nonces are single-use),
    and the HTTP client then sends the body again."""

    def __init__(self, data: bytes, advance: Callable[[int], None]) -> None:
        self._data, self._pos, self._advance = data, 0, advance

    def __len__(self) -> int:
        return len(self._data)

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        target = offset if whence == 0 else (self._pos + offset if whence == 1 else len(self._data) + offset)
        self._advance(target - self._pos)
        self._pos = target
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else min(len(self._data), self._pos + size)
        chunk = self._data[self._pos : end]
        self._pos = end
        self._advance(len(chunk))
        return chunk


class _Client:
    """The HTTP side of a load (requests for the Graph Store Protocol and Update, SPARQLWrapper
    for the verifying queries)."""

    def __init__(self, endpoint: Endpoint) -> None:
        import requests
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        self.endpoint = endpoint
        self.session = requests.Session()
        creds = endpoint.credentials
        if creds is not None:
            auth = HTTPDigestAuth if creds.kind is AuthKind.DIGEST else HTTPBasicAuth
            self.session.auth = auth(creds.user, creds.password)

    def _send(self, method: str, url: str, **kwargs: Any) -> None:
        import requests

        try:
            response = self.session.request(method, url, timeout=self.endpoint.timeout, **kwargs)
        except requests.Timeout as err:
            raise StoreError(
                f"{_short(url)} did not answer within {self.endpoint.timeout:g} s; try a larger --timeout"
            ) from err
        except (requests.ConnectionError, http.client.HTTPException) as err:
            raise StoreError(
                f"{_short(url)} cannot be reached or closed the connection ({_reason(err)}); "
                "check the URL and that the server is running"
            ) from err
        if response.status_code == 401:
            raise StoreError(f"{_short(url)} refused the credentials (HTTP 401); check --user, --auth and the password")
        if response.status_code >= 300:
            body = " ".join(response.text.split())[:160]
            raise StoreError(f"{_short(url)} answered HTTP {response.status_code} to {method}: {body}")

    def put(self, graph: str, data: bytes, advance: Callable[[int], None]) -> None:
        store = self.endpoint.graph_store
        if store is None:
            raise UsageError("no --graph-store URL")
        self._send(
            "PUT", store, params={"graph": graph}, data=_Progress(data, advance), headers={"Content-Type": NTRIPLES}
        )

    def update(self, text: str) -> None:
        if self.endpoint.update is None:
            raise UsageError("no --update URL: give the store's SPARQL Update endpoint")
        self._send(
            "POST",
            self.endpoint.update,
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )

    def count(self, graph: str) -> int:
        from .remote import run_remote

        result = run_remote(
            self.endpoint,
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            graphs=[],
            where=f"count of <{graph}>",
        )
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError(f"{self.endpoint.name} answered a count query with no result rows")
        rows = list(result)
        value = rows[0]["n"] if rows else None
        if not isinstance(value, ox.Literal) or not value.value.isdigit():
            raise StoreError(f"{self.endpoint.name} answered a count query with {value!r}, not a number")
        return int(value.value)


def _short(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}{parts.path}"


def _reason(err: BaseException) -> str:
    text = " ".join(str(err).split())
    if "Connection refused" in text:
        return "connection refused"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "connection closed by the server"
    return err.__class__.__name__


def staging_name(graph: str, data: bytes) -> str:
    """A staging graph for ``graph``, named after the content (so a retry reuses it)."""
    return f"{graph}/staging/{hashlib.sha256(data).hexdigest()[:16]}"


def _insert_chunks(triples: Sequence[ox.Triple], graph: str) -> Iterator[tuple[str, int]]:
    for start in range(0, len(triples), CHUNK):
        chunk = triples[start : start + CHUNK]
        body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in chunk)
        yield f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}", len(chunk)


def _graph_triples(quads: Sequence[ox.Quad], role: str) -> list[ox.Triple]:
    return sorted_triples(q for q in quads if graph_iri(q) == GRAPHS[role])


def plan(quads: Sequence[ox.Quad], roles: Sequence[str]) -> list[GraphLoad]:
    """The graphs a load would replace, with their triple counts (``--dry-run``)."""
    return [GraphLoad(role, GRAPHS[role], len(_graph_triples(quads, role))) for role in roles]


#: ``progress(total units, label, triples)`` -> ``advance(units)``; units are bytes on the Graph
#: Store path and triples on the Update path.
ProgressFactory = Callable[[int, str, int], Callable[[int], None]]


def _no_progress(total: int, label: str, triples: int) -> Callable[[int], None]:
    return lambda done: None


def load(
    endpoint: Endpoint,
    quads: Sequence[ox.Quad],
    roles: Sequence[str],
    *,
    direct: bool = False,
    progress: ProgressFactory = _no_progress,
) -> LoadReport:
    """Replace each graph of ``roles`` in the store with the dataset's version, and verify it.

    Raises:
        StoreError: the store failed, refused or could not be reached; the message says which
            graphs were replaced before the failure and which keep their previous version.
    """
    client = _Client(endpoint)
    method = "Graph Store PUT" if endpoint.graph_store else "SPARQL Update INSERT DATA"
    method += "" if direct and endpoint.graph_store else " into a staging graph, then MOVE"
    done: list[GraphLoad] = []
    for role in roles:
        try:
            done.append(_replace(client, quads, role, direct=direct, progress=progress))
        except StoreError as err:
            replaced = ", ".join(g.role for g in done) or "none"
            kept = ", ".join(r for r in roles if r not in {g.role for g in done})
            raise StoreError(f"{err}; graphs replaced: {replaced}; graphs unchanged: {kept}") from err
    return LoadReport(endpoint.name, method, tuple(done))


def _replace(
    client: _Client, quads: Sequence[ox.Quad], role: str, *, direct: bool, progress: ProgressFactory
) -> GraphLoad:
    graph = GRAPHS[role]
    triples = _graph_triples(quads, role)
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    use_gsp = client.endpoint.graph_store is not None
    target = graph if (direct and use_gsp) else staging_name(graph, data)
    advance = progress(len(data) if use_gsp else len(triples), f"{role} ({len(triples)} triples)", len(triples))
    try:
        if use_gsp:
            client.put(target, data, advance)
        else:
            client.update(f"DROP SILENT GRAPH <{target}>")
            sent = 0
            for text, size in _insert_chunks(triples, target):
                client.update(text)
                sent += size
                advance(size)
        if target != graph:
            client.update(f"MOVE SILENT GRAPH <{target}> TO GRAPH <{graph}>")
    except StoreError:
        if target != graph:
            _drop_quietly(client, target)
        raise
    stored = client.count(graph)
    if stored != len(triples):
        raise StoreError(
            f"{client.endpoint.name}: graph <{graph}> holds {stored} triples after the load, not {len(triples)}; "
            "the store changed the data (see the README's notes on this store)"
        )
    return GraphLoad(role, graph, len(triples), stored)


def _drop_quietly(client: _Client, staging: str) -> None:
    """Best effort: remove a staging graph after a failure (the store may be gone)."""
    with contextlib.suppress(StoreError, UsageError):
        client.update(f"DROP SILENT GRAPH <{staging}>")
