"""Load: push the dataset's named graphs into any SPARQL 1.1 store, verified and idempotent.

Each graph is replaced as a whole, never half-done from a reader's point of view:

1. its triples go into a fresh *staging* graph — by the Graph Store Protocol (``POST``), or, where
   the store has no Graph Store endpoint, by chunked SPARQL 1.1 ``INSERT DATA`` (a target graph
   that is still empty gets one ``POST`` of its own instead: nothing to swap);
2. one SPARQL Update request, ``MOVE SILENT GRAPH <staging> TO GRAPH <target>``, swaps it in;
3. the store's count of triples in the target graph is compared with the local count.

A store whose own ``PUT`` is atomic can skip the staging graph (``direct=True``; the README lists
which stores are); a target graph that is still empty then gets a ``POST`` instead. Whether a
store's ``PUT`` is atomic is rarely documented and varies between versions (``bench_load.py``
probes it), so the default is staging everywhere: SPARQL Update requests are transactional.

A failure stops the load: graphs already swapped stay replaced, the graph in progress and those
after it keep their previous version (its staging graph is dropped), and the error says which is
which. Nothing is atomic across graphs. Loading twice leaves the store exactly as loading once.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph as ox

from .client import StatusError
from .dataset import present_graphs, resolve_graphs
from .endpoint import Endpoint
from .errors import StoreError, UsageError
from .export import graph_iri
from .files import ProgressReader, on_stop
from .iris import GRAPH_NS, graph_role, iri_term, selector_of

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
    #: How it was written, e.g. "by Graph Store POST into the empty graph".
    how: str = ""


@dataclass(frozen=True)
class LoadReport:
    """The outcome of a load, graph by graph, in load order (``method``: each way used, once)."""

    endpoint: str
    method: str
    graphs: tuple[GraphLoad, ...] = field(default_factory=tuple)


class _Client:
    """The HTTP side of a load: Graph Store uploads, updates and the verifying counts, all through
    the store's one client (``casegraph.client``: one session, one timeout rule, credentials only
    when asked, one map from failures to messages)."""

    def __init__(self, endpoint: Endpoint) -> None:
        from .client import StoreClient

        self.endpoint = endpoint
        self.client = StoreClient(endpoint)
        #: the staging graphs this load has created and not yet moved or dropped
        self.staging: set[str] = set()

    def upload(self, method: str, graph: str, body: BinaryIO, size: int, advance: Callable[[int], None]) -> None:
        """Send N-Triples to the Graph Store: PUT replaces the graph, POST adds to it."""
        store = self.endpoint.graph_store
        if store is None:
            raise UsageError("no --graph-store URL")
        body.seek(0)  # the reader counts from the start, and rewinds there when Digest asks again
        upload = ProgressReader(body, advance, size=size)
        self.client.request(method, store, params={"graph": graph}, data=upload, headers={"Content-Type": NTRIPLES})

    def update(self, text: str) -> None:
        if self.endpoint.update is None:
            raise UsageError("no --update URL: give the store's SPARQL Update endpoint")
        self.client.request(
            "POST",
            self.endpoint.update,
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )

    def count(self, graph: str) -> int:
        from .remote import run_remote

        result = run_remote(
            self.endpoint,
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_term(graph, 'graph')} {{ ?s ?p ?o }} }}",
            graphs=[],
            where=f"count of <{graph}>",
            client=self.client,
        )
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError(f"{self.endpoint.name} answered a count query with no result rows")
        rows = list(result)
        value = rows[0]["n"] if rows else None
        if not isinstance(value, ox.Literal) or not value.value.isdigit():
            raise StoreError(f"{self.endpoint.name} answered a count query with {value!r}, not a number")
        return int(value.value)


def staging_name(graph: str) -> str:
    """A fresh staging graph for ``graph``."""
    return f"{graph}/staging/{uuid.uuid4().hex}"


#: casegraph's bookkeeping graph in a store: the lease of the load that is writing, if any.
LEASE_GRAPH = GRAPH_NS + "lease"
_LEASE = "urn:casegraph:lease"
_HOLDER = "urn:casegraph:lease#holder"
_EXPIRES = "urn:casegraph:lease#expires"
#: How long a lease lasts without renewal (a load renews it before each graph): a loader that
#: died frees the store after this long.
LEASE_SECONDS = 600
_XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


class Lease:
    """An advisory lock on a store, shared by every casegraph load (writers that are not casegraph
    are not excluded): one triple pattern in casegraph's own bookkeeping graph, taken with one
    conditional SPARQL Update (inserted only where no live lease is), checked before each swap,
    renewed before each graph, deleted when the load ends, and expiring if its loader dies.
    """

    def __init__(self, client: _Client, token: str) -> None:
        import time

        self.client, self.token, self.renewed = client, token, time.monotonic()

    @staticmethod
    def _expiry() -> str:
        import datetime

        until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=LEASE_SECONDS)
        return until.isoformat(timespec="seconds").replace("+00:00", "Z")

    @classmethod
    def take(cls, client: _Client) -> Lease:
        """Take the store's lease, after removing one that has expired.

        Raises:
            StoreError: another load holds it (the message says until when).
        """
        token = uuid.uuid4().hex
        client.update(
            f"DELETE {{ GRAPH <{LEASE_GRAPH}> {{ ?lease ?p ?o }} }} WHERE {{ GRAPH <{LEASE_GRAPH}> {{ "
            f"?lease <{_EXPIRES}> ?until ; ?p ?o FILTER(?until < NOW()) }} }} ;\n"
            f'INSERT {{ GRAPH <{LEASE_GRAPH}> {{ <{_LEASE}> <{_HOLDER}> "{token}" ; '
            f'<{_EXPIRES}> "{cls._expiry()}"^^<{_XSD_DATETIME}> }} }} '
            f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{LEASE_GRAPH}> {{ ?any <{_HOLDER}> ?someone }} }} }}"
        )
        lease = cls(client, token)
        holder, until = lease.holder()
        if holder != token:
            raise StoreError(
                f"{client.endpoint.name}: another casegraph load is writing to this store (its lease runs until "
                f"{until or 'unknown'}); wait for it to end, or retry after that time if it was stopped"
            )
        return lease

    def holder(self) -> tuple[str | None, str | None]:
        """Who holds the store's lease, and until when (None, None: nobody)."""
        from .remote import run_remote

        result = run_remote(
            self.client.endpoint,
            f"SELECT ?holder ?until WHERE {{ GRAPH <{LEASE_GRAPH}> {{ <{_LEASE}> <{_HOLDER}> ?holder ; "
            f"<{_EXPIRES}> ?until }} }}",
            graphs=[],
            where="the store's lease",
            client=self.client.client,
        )
        rows = list(result) if isinstance(result, ox.QuerySolutions) else []
        if len(rows) != 1:
            return None, None
        holder, until = rows[0]["holder"], rows[0]["until"]
        return (holder.value if isinstance(holder, ox.Literal) else None), (
            until.value if isinstance(until, ox.Literal) else None
        )

    def check(self) -> None:
        """Raises StoreError unless this load still holds the lease (checked before each swap)."""
        holder, _ = self.holder()
        if holder != self.token:
            raise StoreError(
                f"{self.client.endpoint.name}: this load's lease on the store has expired and another load may be "
                "writing; stopped before replacing the next graph"
            )

    def renew(self) -> None:
        """Extend the lease, when a third of its time has passed (a request per graph otherwise)."""
        import time

        if time.monotonic() - self.renewed < LEASE_SECONDS / 3:
            return
        self.renewed = time.monotonic()
        self.client.update(
            f"DELETE {{ GRAPH <{LEASE_GRAPH}> {{ <{_LEASE}> <{_EXPIRES}> ?until }} }} "
            f'INSERT {{ GRAPH <{LEASE_GRAPH}> {{ <{_LEASE}> <{_EXPIRES}> "{self._expiry()}"^^<{_XSD_DATETIME}> }} }} '
            f'WHERE {{ GRAPH <{LEASE_GRAPH}> {{ <{_LEASE}> <{_HOLDER}> "{self.token}" ; <{_EXPIRES}> ?until }} }}'
        )

    def release(self) -> None:
        """Delete the lease (best effort: one that is left expires)."""
        with contextlib.suppress(StoreError, UsageError):
            self.client.update(
                f"DELETE {{ GRAPH <{LEASE_GRAPH}> {{ ?lease ?p ?o }} }} WHERE {{ GRAPH <{LEASE_GRAPH}> {{ "
                f'?lease <{_HOLDER}> "{self.token}" ; ?p ?o }} }}'
            )


def drop_stale_staging(client: _Client) -> list[str]:
    """Drop the staging graphs (casegraph's ``…/staging/<32 hex>``) a stopped load left: called
    while holding the lease, so none is a live loader's. Returns their names.

    Raises:
        StoreError: the store failed.
    """
    from .remote import run_remote

    result = run_remote(
        client.endpoint,
        'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(REGEX(STR(?g), "/staging/[0-9a-f]{32}$")) }',
        graphs=[],
        where="the store's staging graphs",
        client=client.client,
    )
    stale = (
        sorted(r["g"].value for r in result if isinstance(r["g"], ox.NamedNode))
        if isinstance(result, ox.QuerySolutions)
        else []
    )
    if stale:
        client.update(" ;\n".join(f"DROP SILENT GRAPH {iri_term(g, 'graph')}" for g in stale))
    return stale


@dataclass(frozen=True)
class GraphSource:
    """One graph to load: its label (a role or the graph IRI), the target graph, its size, and a
    function that writes its triples as N-Triples into a binary file (called once per attempt,
    so no graph is held in memory as Python objects)."""

    label: str
    graph: str
    count: int
    write: Callable[[BinaryIO], None]


def _insert_chunks(ntriples: BinaryIO, graph: str) -> Iterator[tuple[str, int]]:
    ntriples.seek(0)
    iterator = iter(ox.parse(input=ntriples, format=ox.RdfFormat.N_TRIPLES))
    while chunk := list(itertools.islice(iterator, CHUNK)):
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in chunk)
        yield f"INSERT DATA {{ GRAPH {iri_term(graph, 'graph')} {{\n{body}\n}} }}", len(chunk)


def dataset_sources(quads: Sequence[ox.Quad], selectors: Sequence[str]) -> tuple[list[GraphSource], set[str]]:
    """The graphs ``selectors`` pick from quads in memory, in canonical order, and the names of
    all the dataset's graphs.

    Raises:
        UsageError: a selected report the dataset has no graph of.
    """
    present = present_graphs(quads)

    def source(graph: str) -> GraphSource:
        selected = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if graph_iri(q) == graph]

        def write(out: BinaryIO) -> None:
            ox.serialize(selected, out, format=ox.RdfFormat.N_TRIPLES)

        return GraphSource(selector_of(graph), graph, len(selected), write)

    return [source(graph) for graph in resolve_graphs(selectors, present)], present


def dataset_file_sources(
    path: Path, selectors: Sequence[str], folder: Path
) -> tuple[list[GraphSource], set[str]] | None:
    """The graphs ``selectors`` pick from a dataset file written by ``casegraph build``, and the
    names of all its graphs, split in one pass without parsing into N-Triples files in ``folder``
    (the caller removes it): that file is canonical N-Quads (one quad per line, the graph IRI
    last), so each line becomes an N-Triples line of its graph. Returns None for any other layout
    (the caller then parses); the store's counts verify the result after the load.

    Raises:
        UsageError: a selected report the dataset has no graph of.
    """
    paths: dict[bytes, Path] = {}
    counts: dict[bytes, int] = {}
    with contextlib.ExitStack() as stack:
        files: dict[bytes, BinaryIO] = {}
        for line in stack.enter_context(path.open("rb")):
            if line.startswith(b"#") or not line.strip():
                continue
            end = line.rfind(b" <")
            suffix = line[end:] if end > 0 else b""
            if suffix not in files:
                if not (suffix.startswith(b" <") and suffix.endswith(b"> .\n")):
                    return None
                if graph_role(suffix[2:-4].decode("utf-8", "replace")) is None:
                    return None
                paths[suffix] = folder / f"{len(paths)}.nt"
                files[suffix] = stack.enter_context(paths[suffix].open("wb"))
                counts[suffix] = 0
            files[suffix].write(line[:end] + b" .\n")
            counts[suffix] += 1

    def writer(split: Path) -> Callable[[BinaryIO], None]:
        def write(out: BinaryIO) -> None:
            with split.open("rb") as lines:
                shutil.copyfileobj(lines, out)

        return write

    by_graph = {suffix[2:-4].decode(): suffix for suffix in paths}
    chosen = resolve_graphs(selectors, by_graph)
    sources = [
        GraphSource(selector_of(g), g, counts.get(by_graph.get(g, b""), 0), writer(paths[by_graph[g]]))
        if g in by_graph
        else GraphSource(selector_of(g), g, 0, lambda out: None)
        for g in chosen
    ]
    return sources, set(by_graph)


def store_sources(store: ox.Store, *, into: str | None = None) -> list[GraphSource]:
    """Every graph of a user's store; triples outside named graphs go into the graph ``into``.

    Raises:
        UsageError: the store has triples in its default graph and ``into`` is not given.
    """

    def writer(graph: ox.NamedNode | ox.DefaultGraph) -> Callable[[BinaryIO], None]:
        def write(out: BinaryIO) -> None:
            store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)

        return write

    def count(graph: ox.NamedNode | ox.DefaultGraph) -> int:
        return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))

    sources = [
        GraphSource(g.value, g.value, count(g), writer(g))
        for g in sorted(store.named_graphs(), key=str)
        if isinstance(g, ox.NamedNode)
    ]
    for source in sources:
        _not_reserved(source.graph, "--data: graph")
    default = ox.DefaultGraph()
    outside = count(default)
    if outside:
        if into is None:
            raise UsageError(f"--data: {outside} triples are in no named graph; give --into IRI to name their graph")
        iri_term(into, "--into")
        _not_reserved(into, "--into")
        if any(source.graph == into for source in sources):
            raise UsageError(
                f"--into {into}: the data already has a graph of that name, which the load would replace twice; "
                "choose another name"
            )
        sources.insert(0, GraphSource(into, into, outside, writer(default)))
    return sources


def _not_reserved(graph: str, what: str) -> None:
    """Refuse a user's graph that is casegraph's own bookkeeping (the lease, a staging graph).

    Raises:
        UsageError: naming it.
    """
    if graph == LEASE_GRAPH or re.search(r"/staging/[0-9a-f]{32}$", graph):
        raise UsageError(f"{what} {graph}: that name is casegraph's own bookkeeping in a store; choose another name")


def plan(sources: Sequence[GraphSource]) -> list[GraphLoad]:
    """The graphs a load would replace, with their triple counts (``--dry-run``)."""
    return [GraphLoad(s.label, s.graph, s.count) for s in sources]


#: ``progress(total units, label, triples)`` -> ``advance(units)``; units are bytes on the Graph
#: Store path and triples on the Update path.
ProgressFactory = Callable[[int, str, int], Callable[[int], None]]


def _no_progress(total: int, label: str, triples: int) -> Callable[[int], None]:
    return lambda done: None


def load(
    endpoint: Endpoint,
    sources: Sequence[GraphSource],
    *,
    direct: bool = False,
    progress: ProgressFactory = _no_progress,
) -> LoadReport:
    """Replace each graph of ``sources`` in the store, and verify it.

    Raises:
        StoreError: the store failed, refused or could not be reached; the message says which
            graphs were replaced before the failure and which keep their previous version.
    """
    client = _Client(endpoint)
    done: list[GraphLoad] = []
    lease: Lease | None = None

    def stopped() -> None:  # Ctrl-C, SIGTERM or SIGHUP: say where the load stopped, and tidy up
        import sys

        replaced = ", ".join(g.role for g in done) or "none"
        rest = ", ".join(s.label for s in sources[len(done) :]) or "none"
        sys.stderr.write(
            f"casegraph: the load stopped; graphs replaced: {replaced}; graph being written and after it, "
            f"unchanged unless its swap had begun: {rest}\n"
        )
        import dataclasses

        # a fresh session (the worker may be inside a request on the load's own), and a short wait:
        # a store that no longer answers must not hold the stop up
        fresh = _Client(dataclasses.replace(endpoint, timeout=min(endpoint.timeout, 5.0)))
        for staging in list(client.staging):
            _drop_quietly(fresh, staging)
        if lease is not None:
            Lease(fresh, lease.token).release()

    forget = on_stop(stopped)
    try:
        if endpoint.update:  # the lease and the clean-up need SPARQL Update
            lease = Lease.take(client)
            drop_stale_staging(client)
        for source in sources:
            if lease is not None:
                lease.renew()
            done.append(_replace(client, source, direct=direct, progress=progress, lease=lease))
    except StoreError as err:
        replaced = ", ".join(g.role for g in done) or "none"
        rest = sources[len(done) :]
        unknown = ""
        if isinstance(err, OutcomeUnknown):
            rest = rest[1:]
            unknown = (
                f"; graph {err.source.label} unknown (it may hold the old or the new version: compare "
                f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{err.source.graph}> {{ ?s ?p ?o }} }} with its {err.source.count} "
                "triples, or load again)"
            )
        kept = ", ".join(s.label for s in rest) or "none"
        raise StoreError(f"{err}; graphs replaced: {replaced}{unknown}; graphs unchanged: {kept}") from err
    finally:
        forget()
        if lease is not None:
            lease.release()
    method = "; ".join(dict.fromkeys(g.how for g in done))
    return LoadReport(endpoint.name, method, tuple(done))


def store_graphs(endpoint: Endpoint) -> list[str]:
    """The store's non-empty graphs of casegraph's naming scheme (``…/graph/…``), staging graphs
    (``…/staging/…``) left out, sorted.

    Raises:
        StoreError: the store failed or could not be reached.
    """
    from .remote import run_remote

    result = run_remote(
        endpoint,
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_NS}")) }}',
        graphs=[],
        where="the store's graphs",
    )
    if not isinstance(result, ox.QuerySolutions):
        raise StoreError(f"{endpoint.name} answered a graph listing with no result rows")
    found = {row["g"].value for row in result if isinstance(row["g"], ox.NamedNode)}
    return sorted(g for g in found if "/staging/" not in g and g != LEASE_GRAPH)


def stale_graphs(endpoint: Endpoint, keep: Iterable[str]) -> list[str]:
    """The store's graphs of casegraph's naming scheme that ``keep`` does not name: graphs of a
    renamed role or a removed report. Staging graphs are left out: they may be a running load's.

    Raises:
        StoreError: the store failed or could not be reached.
    """
    kept = set(keep)
    return [g for g in store_graphs(endpoint) if g not in kept]


def prune(endpoint: Endpoint, graphs: Sequence[str]) -> None:
    """Drop ``graphs`` from the store, in one SPARQL Update request (each IRI written as a term).

    Raises:
        StoreError: the store failed or could not be reached.
    """
    if graphs:
        _Client(endpoint).update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in graphs))


def _replace(
    client: _Client, source: GraphSource, *, direct: bool, progress: ProgressFactory, lease: Lease | None = None
) -> GraphLoad:
    graph = source.graph
    use_gsp = client.endpoint.graph_store is not None
    # An empty target needs no staging: one POST is one request, so readers see the graph appear
    # whole, and it costs a fifth of staging + MOVE on Oxigraph. (Should another writer fill the
    # graph between this check and the POST, the count verification below reports it.)
    empty = use_gsp and client.count(graph) == 0
    target = graph if (empty or (direct and use_gsp)) else staging_name(graph)
    label = f"{source.label} ({source.count} triples)"
    touching = target == graph  # whether the request in flight writes into the target itself
    if target != graph:
        client.staging.add(target)
    try:
        with tempfile.TemporaryFile() as body:
            source.write(cast(BinaryIO, body))
            size = body.tell()
            if use_gsp:
                # Into an empty graph (a fresh staging graph, or an empty target) POST (add) is a
                # replacement, and much cheaper than PUT on Oxigraph (17 s against 40 s for the
                # same 800k triples here); only --direct over a full graph PUTs.
                method = "PUT" if target == graph and not empty else "POST"
                client.upload(method, target, cast(BinaryIO, body), size, progress(size, label, source.count))
            else:
                advance = progress(source.count, label, source.count)
                client.update(f"DROP SILENT GRAPH {iri_term(target, 'graph')}")
                for text, sent in _insert_chunks(cast(BinaryIO, body), target):
                    client.update(text)
                    advance(sent)
        if target != graph:
            if lease is not None:
                lease.check()  # never swap in a graph while another load may be writing
            touching = True
            client.update(f"MOVE SILENT GRAPH {iri_term(target, 'graph')} TO GRAPH {iri_term(graph, 'graph')}")
            client.staging.discard(target)
    except StoreError as err:
        if target != graph:
            _drop_quietly(client, target)
        if touching and not isinstance(err, StatusError):  # no answer: the write may have happened
            raise OutcomeUnknown(str(err), source) from err
        raise
    stored = client.count(graph)
    if stored != source.count:
        raise StoreError(
            f"{client.endpoint.name}: graph <{graph}> holds {stored} triples after the load, not {source.count}; "
            "the store changed the data (see the README's notes on this store)"
        )
    if use_gsp:
        how = "by Graph Store " + ("PUT" if target == graph and not empty else "POST")
    else:
        how = "by SPARQL Update INSERT DATA"
    how += " into the empty graph" if empty else "" if target == graph else " into a staging graph, then MOVE"
    return GraphLoad(source.label, graph, source.count, stored, how)


class OutcomeUnknown(StoreError):
    """The connection failed while a request was writing into the target graph: it may or may not
    have been replaced."""

    def __init__(self, message: str, source: GraphSource) -> None:
        super().__init__(message)
        self.source = source


def _drop_quietly(client: _Client, staging: str) -> None:
    """Best effort: remove a staging graph after a failure (the store may be gone)."""
    with contextlib.suppress(StoreError, UsageError):
        client.update(f"DROP SILENT GRAPH {iri_term(staging, 'graph')}")
        client.staging.discard(staging)
