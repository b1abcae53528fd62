"""Time of ``casegraph load`` into an Oxigraph server, against the protocol's own cost.

A synthetic dataset folder (``casegraph.nq``, the four named graphs split like the real one) is
loaded, each time into a FRESH on-disk Oxigraph server (a new temporary directory, so every load
starts empty; only the load is timed, never the server's start or stop), by:

- ``plain POST /store``: the reference, one ``requests.post`` of the file's bytes to ``/store``
  as ``application/n-quads``; the protocol's own cost, the limit for any Graph Store client;
- ``oxigraph load``: the offline bulk loader into a fresh directory, no server (whole process);
- ``plain PUT per graph``: one ``requests.put`` of each graph's N-Triples, the protocol's own
  cost of replacing the graphs;
- ``casegraph load --direct``: no staging graph, verification included (whole process); the
  row the goal is about;
- ``casegraph load``: the default, each graph uploaded into a staging graph, then ``MOVE``d;
- ``reload --direct``: ``casegraph load --direct`` again into the server it filled (replaces
  every graph with the same content).

After every load into a server the per-graph counts are checked against the file. Then (unless
``--no-probe``) a probe of whether the server's Graph Store ``PUT`` is atomic, and (unless
``--no-profile``) where the time goes: the real ``load()`` in-process with each request timed,
and once under cProfile.

Goal (the issue): ``casegraph load`` within 1.2x of the plain POST, verification included, on the
atomic-PUT path; the staging + MOVE path is reported separately. casegraph has treated
Oxigraph's ``PUT`` as not atomic (a clear and a load as two store operations) and stages by
default there, so on Oxigraph the ``--direct`` row is the direct path's protocol cost; the probe
says what the running server's ``PUT`` actually does.

Usage::

    python benchmarks/bench_load.py [--triples N] [--repeat R] [--json FILE] [--keep DIR]
                                    [--seed S] [--top N] [--no-profile] [--no-probe]

This is a benchmark, not a test: it always exits 0. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402 - the shared helpers and the generator sit next to this script
    attempt,
    exit_zero,
    find_tool,
    installed,
    machine,
    median,
    progress,
    ratio,
    tail,
    timed,
    write_json,
)
from _common import oxigraph_server as _oxigraph_server  # noqa: E402
from synthetic import generate  # noqa: E402

from casegraph.iris import GRAPHS  # noqa: E402

GOAL = 1.2
NQUADS = "application/n-quads"
#: The shipped dataset: its ontology and metadata graphs are used as they are.
REAL = Path(__file__).resolve().parent.parent / "graph" / "build" / "casegraph.nq"
#: Inferred triples per asserted triple (the real dataset has 678 / 2439, about 0.28).
INFERRED_SHARE = 0.25
REFERENCE = "plain POST /store"
PLAIN_PUT = "plain PUT per graph"
METHODS = (
    "plain POST /store",
    "oxigraph load",
    PLAIN_PUT,
    "casegraph load --direct",
    "casegraph load",
    "reload --direct",
)
NOTES = {
    "plain POST /store": "reference: requests.post of the .nq bytes",
    "oxigraph load": "offline bulk loader, no server",
    PLAIN_PUT: "requests.put of each graph's N-Triples",
    "casegraph load --direct": "--direct, verify included (goal)",
    "casegraph load": "upload to staging + MOVE + verify",
    "reload --direct": "same again into the filled store",
}
NTRIPLES = "application/n-triples"
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}


# -- the dataset -----------------------------------------------------------------------------


def _real_graphs() -> dict[str, list[str]]:
    """The shipped dataset's N-Quads lines, by graph role."""
    by_iri = {f"<{iri}>": role for role, iri in GRAPHS.items()}
    lines: dict[str, list[str]] = {role: [] for role in GRAPHS}
    for line in REAL.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lines[by_iri[line.rsplit(" ", 2)[1]]].append(line)
    return lines


def _superclasses() -> dict[str, list[str]]:
    """Class IRI -> the IRIs of its superclasses, from the shipped ontology and inferred graphs."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=REAL, format=ox.RdfFormat.N_QUADS)
    query = f"""
        SELECT DISTINCT ?c ?d WHERE {{
          GRAPH ?g {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?d }}
          FILTER(?g IN (<{GRAPHS["ontology"]}>, <{GRAPHS["inferred"]}>) && isIRI(?c) && isIRI(?d) && ?c != ?d)
        }}"""
    supers: dict[str, list[str]] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        supers.setdefault(str(row["c"]), []).append(str(row["d"]))
    return supers


def _inferred(asserted: list[str], target: int, graph: str) -> list[str]:
    """About ``target`` N-Quads lines shaped like the real inferred graph: superclass types of
    the asserted types, then ``cg:hasParticipant`` links for the asserted IRI-valued properties."""
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    participant = "<https://w3id.org/casegraph/ontology#hasParticipant>"
    supers = _superclasses()
    seen: set[str] = set()
    out: list[str] = []
    types = round(0.6 * target)  # the real inferred graph: about half rdf:type, the rest links
    for line in asserted:
        if len(out) >= types:
            break
        s, p, rest = line.split(" ", 2)
        o = rest.rsplit(" ", 2)[0]
        if p == rdf_type:
            for d in supers.get(o, ()):
                row = f"{s} {rdf_type} {d} <{graph}> ."
                if row not in seen:
                    seen.add(row)
                    out.append(row)
    for line in asserted:
        if len(out) >= target:
            break
        s, p, rest = line.split(" ", 2)
        if p != rdf_type and rest.startswith("<") and s.startswith("<"):
            row = f"{s} {participant} {rest.split(' ', 1)[0]} <{graph}> ."
            if row not in seen:
                seen.add(row)
                out.append(row)
    return out[:target]


def make_dataset(folder: Path, n: int, seed: int = 0) -> tuple[dict[str, int], int]:
    """Write ``folder/casegraph.nq`` with about ``n`` triples; return (triples per graph IRI, bytes).

    The ontology and metadata graphs are the shipped ones; the rest is split between a synthetic
    asserted graph (``benchmarks/synthetic.py``) and an inferred graph about 25 % of its size. Each
    graph's lines are sorted, graphs in the shipped file's order, as ``casegraph build`` writes.
    """
    import pyoxigraph as ox

    path = folder / "casegraph.nq"
    header = f"# casegraph benchmark dataset: {n} triples requested, synthetic (seed {seed})\n"
    reuse = False
    if path.is_file():
        with path.open(encoding="utf-8") as existing:
            reuse = existing.readline() == header
    if not reuse:
        _write_dataset(path, header, n, seed)
    else:
        progress(f"reusing {path}")
    progress(f"checking that {path} parses as N-Quads")
    counts: Counter[str] = Counter()
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
        counts[quad.graph_name.value] += 1  # type: ignore[union-attr]
    return dict(counts), path.stat().st_size


def _write_dataset(path: Path, header: str, n: int, seed: int) -> None:
    real = _real_graphs()
    fixed = sum(len(lines) for role, lines in real.items() if role not in ("asserted", "inferred"))
    n_asserted = max(1, round((n - fixed) / (1 + INFERRED_SHARE)))
    n_inferred = max(0, n - fixed - n_asserted)
    progress(f"generating {n_asserted} asserted triples (benchmarks/synthetic.py)")
    graph = generate(n_asserted, seed)
    tail = f" <{GRAPHS['asserted']}> ."
    asserted = [
        line[:-2] + tail for line in graph.serialize(format="nt", encoding="utf-8").decode().splitlines() if line
    ]
    del graph
    progress(f"deriving {n_inferred} inferred triples")
    inferred = _inferred(asserted, n_inferred, GRAPHS["inferred"])
    parts = {**real, "asserted": asserted, "inferred": inferred}  # the other graphs as shipped
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        for role in GRAPHS:
            out.write("\n".join(sorted(parts[role])) + "\n")


# -- servers and the timed methods -----------------------------------------------------------


def oxigraph_binary() -> str:
    found = find_tool("oxigraph")
    if found is None:
        raise SystemExit("no oxigraph binary next to the interpreter or on PATH (pip install oxigraph)")
    return found


def casegraph_binary() -> list[str]:
    found = find_tool("casegraph")
    return [found] if found else [sys.executable, "-c", "import sys; from casegraph.cli import main; sys.exit(main())"]


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    @property
    def query(self) -> str:
        return f"{self.base}/query"

    @property
    def update(self) -> str:
        return f"{self.base}/update"

    @property
    def store(self) -> str:
        return f"{self.base}/store"


@contextlib.contextmanager
def oxigraph_server(workdir: Path) -> Iterator[Server]:
    """``oxigraph serve`` on a new on-disk store in ``workdir`` and a free loopback port."""
    with _oxigraph_server(workdir, oxigraph_binary()) as (base, pid):
        yield Server(base, pid)


def graph_counts(server: Server) -> dict[str, int]:
    """Triples per named graph in the store (every graph, staging leftovers included)."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = requests.get(
        server.query, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=600
    )
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def casegraph_argv(folder: Path, server: Server, *, direct: bool) -> list[str]:
    argv = [*casegraph_binary(), "load", "--dataset", str(folder), "--endpoint", server.query]
    argv += ["--graph-store", server.store, "--update", server.update]
    return argv + (["--direct"] if direct else [])


def run_timed(argv: list[str]) -> float:
    seconds, done = timed(lambda: subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=False))
    if done.returncode != 0:
        text = (done.stderr or done.stdout).decode("utf-8", "replace").split("Stack backtrace")[0]
        raise RuntimeError(f"{' '.join(argv[:3])} … exited {done.returncode}: {tail(text)}")
    return seconds


def post_timed(server: Server, data: bytes) -> float:
    seconds, response = timed(
        lambda: requests.post(server.store, data=data, headers={"Content-Type": NQUADS}, timeout=3600)
    )
    if response.status_code >= 300:
        raise RuntimeError(f"POST /store answered HTTP {response.status_code}: {response.text[:300]}")
    return seconds


class Run:
    """Samples and checks of every method."""

    def __init__(self, folder: Path, expected: dict[str, int], data: bytes, scratch: Path) -> None:
        self.folder, self.expected, self.data, self.scratch = folder, expected, data, scratch
        self.samples: dict[str, list[float]] = {m: [] for m in METHODS}
        self.errors: dict[str, str] = {}
        self.checks: list[str] = []
        self._n = 0

    def _dir(self, name: str) -> Path:
        self._n += 1
        return self.scratch / f"{self._n:02d}-{name}"

    def _verify(self, method: str, server: Server) -> None:
        stored = graph_counts(server)
        ok = stored == self.expected
        self.checks.append(f"{method}: per-graph counts {'= file' if ok else f'DIFFER: {stored}'}")
        if not ok:
            progress(f"  {method}: store holds {stored}, file has {self.expected}")

    def _record(self, method: str, fn: Callable[[], float]) -> None:
        if method in self.errors:
            return
        try:
            seconds = fn()
        except Exception as err:  # a benchmark reports failures, it does not stop on them
            self.errors[method] = f"{type(err).__name__}: {err}"
            progress(f"  {method} failed: {self.errors[method]}")
            traceback.print_exc(file=sys.stderr)
            return
        self.samples[method].append(seconds)
        progress(f"  {method}: {seconds:.2f} s")

    def post(self) -> None:
        with oxigraph_server(self._dir("post")) as server:
            self._record(REFERENCE, lambda: post_timed(server, self.data))
            self._verify(REFERENCE, server)

    def put_graphs(self) -> None:
        bodies = split_by_graph(self.data)  # not timed: the bytes each PUT sends, in memory

        def put_all() -> float:
            session = requests.Session()

            def put() -> None:
                for graph, body in bodies.items():
                    response = session.put(
                        server.store,
                        params={"graph": graph},
                        data=body,
                        headers={"Content-Type": NTRIPLES},
                        timeout=3600,
                    )
                    if response.status_code >= 300:
                        raise RuntimeError(f"PUT {graph} answered HTTP {response.status_code}: {response.text[:300]}")

            return timed(put)[0]

        with oxigraph_server(self._dir("put")) as server:
            self._record(PLAIN_PUT, put_all)
            self._verify(PLAIN_PUT, server)

    def bulk(self) -> None:
        where = self._dir("bulk")
        where.mkdir(parents=True)
        argv = [
            oxigraph_binary(),
            "load",
            "--location",
            str(where / "data"),
            "--file",
            str(self.folder / "casegraph.nq"),
        ]
        self._record("oxigraph load", lambda: run_timed(argv))
        shutil.rmtree(where, ignore_errors=True)

    def direct(self) -> None:
        with oxigraph_server(self._dir("direct")) as server:
            self._record("casegraph load --direct", lambda: run_timed(casegraph_argv(self.folder, server, direct=True)))
            self._verify("casegraph load --direct", server)
            self._record("reload --direct", lambda: run_timed(casegraph_argv(self.folder, server, direct=True)))
            self._verify("reload --direct", server)

    def staging(self) -> None:
        with oxigraph_server(self._dir("staging")) as server:
            self._record("casegraph load", lambda: run_timed(casegraph_argv(self.folder, server, direct=False)))
            self._verify("casegraph load", server)

    def repeat(self, rounds: int) -> None:
        steps = [self.post, self.bulk, self.put_graphs, self.direct, self.staging]
        for r in range(rounds):
            order = steps[r % len(steps) :] + steps[: r % len(steps)]  # rotated, so drift hits all alike
            progress(f"round {r + 1}/{rounds}")
            for step in order:
                step()

    def median(self, method: str) -> float | None:
        return median(self.samples[method])


# -- where casegraph's time goes -------------------------------------------------------------


def graph_sources(folder: Path, scratch: Path) -> tuple[list[Any], str]:
    """The graphs to load, as ``casegraph load --dataset folder`` prepares them: the dataset file
    split by graph without parsing where ``load.py`` can, else parsed (``read_quads``)."""
    from casegraph import load as load_module
    from casegraph.dataset import read_quads

    roles = tuple(GRAPHS)
    if hasattr(load_module, "dataset_file_sources"):
        scratch.mkdir(parents=True, exist_ok=True)
        split = load_module.dataset_file_sources(folder / "casegraph.nq", roles, scratch)
        if split:
            return split, "split"
    return load_module.dataset_sources(read_quads(folder), roles), "parse"


def write_body(source: Any, body: Any) -> None:
    """A graph source's N-Triples into ``body``, as ``load.py`` writes the upload."""
    import pyoxigraph as ox

    if hasattr(source, "write"):
        source.write(body)
    else:  # the loader before GraphSource.write
        ox.serialize(source.triples(), body, format=ox.RdfFormat.N_TRIPLES)


def _in_process_load(folder: Path, server: Server, scratch: Path) -> Any:
    """``casegraph load --dataset folder --direct`` in-process, as the CLI calls it."""
    from casegraph import load as load_module
    from casegraph.endpoint import endpoint

    remote = endpoint(server.query, update=server.update, graph_store=server.store, timeout=3600)
    return load_module.load(remote, graph_sources(folder, scratch)[0], direct=True)


def profile_direct(folder: Path, scratch: Path, top: int) -> dict[str, Any]:
    """The direct path in-process, under cProfile."""
    out: dict[str, Any] = {}
    with oxigraph_server(scratch / "profile") as server:
        profiler = cProfile.Profile()
        gc.collect()
        start = time.perf_counter()
        profiler.enable()
        _in_process_load(folder, server, scratch / "profile-split")
        profiler.disable()
        out["profiled_seconds"] = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    out["pstats"] = _trim_pstats(text.getvalue())
    return out


def time_steps(folder: Path, scratch: Path) -> dict[str, dict[str, float]]:
    """The real ``load()`` run three times in-process without a profiler (direct into a fresh
    store, direct again into the filled one, staging into a fresh store), with each HTTP request,
    count query and upload body timed by wrapping the methods that make them (``load.py`` itself
    is not touched). Returns, per run, seconds by step."""
    import dataclasses

    from casegraph import load as load_module
    from casegraph.endpoint import endpoint

    client_class = load_module._Client
    runs: dict[str, dict[str, float]] = {}

    def instrumented(name: str, server: Server, *, direct: bool, sources: list[Any]) -> None:
        steps: dict[str, float] = {}

        def add(step: str, seconds: float) -> None:
            steps[step] = steps.get(step, 0.0) + seconds

        def clocked(step: Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                begin = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    add(step(*args, **kwargs), time.perf_counter() - begin)

            return wrapper

        def request_step(_self: Any, method: str, url: str, **kwargs: Any) -> str:
            path = url.rsplit("/", 1)[-1]
            data = kwargs.get("data")
            what = "upload" if path == "store" else (data.split(maxsplit=1)[0].decode() if data else "")
            return f"HTTP {method} /{path} ({what})"

        wrapped = [
            dataclasses.replace(s, write=clocked(lambda *_: "write each graph's upload body", s.write))
            if hasattr(s, "write")
            else s
            for s in sources
        ]
        remote = endpoint(server.query, update=server.update, graph_store=server.store, timeout=3600)
        originals = {attr: getattr(client_class, attr) for attr in ("_send", "count")}
        client_class._send = clocked(request_step, originals["_send"])  # type: ignore[method-assign]
        client_class.count = clocked(lambda *_: "count queries", originals["count"])  # type: ignore[method-assign]
        gc.collect()
        begin = time.perf_counter()
        try:
            load_module.load(remote, wrapped, direct=direct)
        finally:
            for attr, original in originals.items():
                setattr(client_class, attr, original)
        total = time.perf_counter() - begin
        steps["the rest (client side)"] = total - sum(steps.values())
        steps["total"] = total
        runs[name] = steps

    seconds, (sources, how) = timed(lambda: graph_sources(folder, scratch / "steps-split"))
    prepared = {f"prepare the graphs from the .nq ({how})": seconds}
    with oxigraph_server(scratch / "steps-direct") as server:
        instrumented("casegraph load --direct", server, direct=True, sources=sources)
        instrumented("reload --direct", server, direct=True, sources=sources)
    with oxigraph_server(scratch / "steps-staging") as server:
        instrumented("casegraph load", server, direct=False, sources=sources)
    if how == "split":  # what parsing the file instead would cost
        from casegraph.dataset import read_quads

        def parse() -> None:
            for source in load_module.dataset_sources(read_quads(folder), tuple(GRAPHS)):
                with tempfile.TemporaryFile() as body:
                    write_body(source, body)

        prepared["parse instead: read_quads + serialise each graph"] = timed(parse)[0]
    runs["prepare"] = prepared
    return runs


def probe_put_atomicity(folder: Path, scratch: Path) -> dict[str, Any]:
    """Does this Oxigraph's Graph Store PUT replace a graph atomically? Two probes on the asserted
    graph (N triples): a PUT of its first N/2 triples plus a line that does not parse (an atomic
    PUT leaves all N), and a valid PUT of the N/2 while another thread counts the graph as fast as
    it can (an atomic PUT shows only N, then N/2; a clear and a load in separate transactions
    show 0 or partial counts in between)."""
    import threading

    suffix = f" <{GRAPHS['asserted']}> .".encode()
    full = [line for line in (folder / "casegraph.nq").read_bytes().split(b"\n") if line.endswith(suffix)]
    old = b"".join(line[: -len(suffix)] + b" .\n" for line in full)
    new = b"".join(line[: -len(suffix)] + b" .\n" for line in full[: len(full) // 2])
    graph = GRAPHS["asserted"]
    headers = {"Content-Type": NTRIPLES}
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

    def count(server: Server) -> int:
        response = requests.get(
            server.query, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=600
        )
        response.raise_for_status()
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    out: dict[str, Any] = {"old": len(full), "new": len(full) // 2}
    with oxigraph_server(scratch / "atomicity") as server:
        requests.post(server.store, params={"graph": graph}, data=old, headers=headers, timeout=3600).raise_for_status()
        broken = requests.put(
            server.store, params={"graph": graph}, data=new + b"<urn:x> is not N-Triples .\n", headers=headers
        )
        out["failed_put_status"] = broken.status_code
        out["after_failed_put"] = count(server)
        seen: list[int] = []
        stop = threading.Event()

        def poll() -> None:
            while not stop.is_set():
                seen.append(count(server))

        reader = threading.Thread(target=poll)
        reader.start()
        start = time.perf_counter()
        try:
            requests.put(
                server.store, params={"graph": graph}, data=new, headers=headers, timeout=3600
            ).raise_for_status()
        finally:
            out["put_seconds"] = time.perf_counter() - start
            stop.set()
            reader.join()
        out["after_put"] = count(server)
        out["reader_saw"] = dict(sorted(Counter(seen).items()))
    intermediate = [n for n in out["reader_saw"] if n not in (out["old"], out["new"])]
    out["atomic"] = out["after_failed_put"] == out["old"] and not intermediate and out["after_put"] == out["new"]
    return out


def print_atomicity(probe: dict[str, Any]) -> None:
    old, new = probe["old"], probe["new"]
    print(f"\nOxigraph Graph Store PUT, probed on the asserted graph ({old:,} triples, replaced by {new:,}):")
    kept = "kept all" if probe["after_failed_put"] == old else "LEFT"
    print(
        f"  a PUT whose body fails to parse after {new:,} triples (HTTP {probe['failed_put_status']}): "
        f"the graph {kept} {probe['after_failed_put']:,} triples"
    )
    saw = ", ".join(f"{n:,} ×{k}" for n, k in probe["reader_saw"].items())
    print(f"  counts a concurrent reader saw during a {probe['put_seconds']:.1f} s PUT: {saw}")
    verdict = "atomic (no intermediate state seen)" if probe["atomic"] else "NOT atomic: intermediate states seen"
    print(f"  this server's PUT: {verdict}")


def split_by_graph(nquads: bytes) -> dict[str, bytes]:
    """Graph IRI -> N-Triples bytes, cut out of the N-Quads lines without parsing them (every
    line of this file ends in `` <graph> .``)."""
    lines: dict[bytes, list[bytes]] = {}
    for line in nquads.split(b"\n"):
        if line and not line.startswith(b"#"):
            head, graph, _ = line.rsplit(b" ", 2)
            lines.setdefault(graph, []).append(head)
    return {graph[1:-1].decode(): b" .\n".join(heads) + b" .\n" for graph, heads in lines.items()}


#: The casegraph modules on the load path; of cli.py only the ``load`` command counts.
LOAD_PATH_MODULES = ("load.py", "dataset.py", "endpoint.py", "remote.py", "export.py", "iris.py", "errors.py")


def toolkit_fingerprint() -> dict[str, str]:
    """A hash of each casegraph source file on the load path, to notice a change during the run."""
    import hashlib

    import casegraph

    package = Path(casegraph.__file__).parent
    texts = {name: (package / name).read_bytes() for name in LOAD_PATH_MODULES if (package / name).is_file()}
    cli = (package / "cli.py").read_text(encoding="utf-8") if (package / "cli.py").is_file() else ""
    start = cli.find("\ndef load(")
    command = cli[start : cli.find("\n@cli", start)] if start >= 0 else ""
    texts["cli.py (load command)"] = command.encode()
    return {name: hashlib.sha256(text).hexdigest()[:12] for name, text in texts.items()}


def _trim_pstats(text: str) -> str:
    """pstats output without its preamble lines, paths shortened to the package."""
    keep = []
    for line in text.splitlines():
        if not line.strip() or "function calls" in line or line.strip().startswith(("Ordered by", "List reduced")):
            if line.strip().startswith("Ordered by"):
                keep.append(line.strip())
            continue
        for marker in ("site-packages/", "toolkit/", "lib/python3"):
            if marker in line:
                head, _, tail = line.partition("/")
                line = head + tail[tail.find(marker) + len(marker) :] if marker in tail else line
        keep.append(line.rstrip())
    return "\n".join(keep)


# -- report ----------------------------------------------------------------------------------


def table(run: Run, triples: int) -> tuple[str, dict[str, Any]]:
    ref = run.median(REFERENCE)
    lines = [f"{'method':26} {'n':>2} {'median s':>9} {'min s':>7} {'triples/s':>10} {'ratio':>6}  note"]
    figures: dict[str, Any] = {}
    for method in METHODS:
        med = run.median(method)
        if med is None:
            lines.append(f"{method:26} {0:>2} {'failed':>9}")
            continue
        to_ref = ratio(med, ref)
        rate = triples / med
        ratio_text = "ref" if method == REFERENCE else (f"{to_ref:.2f}" if to_ref else "-")
        lines.append(
            f"{method:26} {len(run.samples[method]):>2} {med:9.2f} {min(run.samples[method]):7.2f} "
            f"{rate:10,.0f} {ratio_text:>6}  {NOTES[method]}"
        )
        figures[method] = {"samples": run.samples[method], "median": med, "triples_per_s": rate, "ratio": to_ref}
    return "\n".join(lines), figures


def print_steps(runs: dict[str, dict[str, float]]) -> None:
    print("\nwhere the time goes (in-process, no profiler; each request timed where load.py makes it):")
    for name, seconds in runs.get("prepare", {}).items():
        print(f"  {name:56} {seconds:7.2f} s")
    for run in ("casegraph load --direct", "reload --direct", "casegraph load"):
        steps = runs.get(run)
        if not steps:
            continue
        total = steps["total"]
        print(f"  {run}: {total:.2f} s")
        for step, seconds in sorted(steps.items(), key=lambda item: -item[1]):
            if step != "total":
                print(f"    {step:54} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")


def verdicts(figures: dict[str, Any]) -> list[str]:
    def to_ref(method: str) -> float | None:
        return figures.get(method, {}).get("ratio")

    direct, staging = to_ref("casegraph load --direct"), to_ref("casegraph load")
    lines = []
    if direct is None:
        lines.append(f"direct PUT path: failed (goal ≤ {GOAL})")
    else:
        lines.append(
            f"direct PUT path: {direct:.2f} × plain POST (goal ≤ {GOAL})  {'ok' if direct <= GOAL else 'OVER GOAL'}"
        )
    lines.append(f"staging + MOVE path: {staging:.2f} × plain POST" if staging else "staging + MOVE path: failed")
    return lines


def versions() -> str:
    return ", ".join(
        f"{dist} {version}" for dist, version in installed("casegraph", "pyoxigraph", "oxigraph", "requests").items()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time casegraph load into an Oxigraph server against a plain POST.")
    parser.add_argument("--triples", type=int, default=1_000_000, help="dataset size (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per method (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="of the synthetic data (default 0)")
    parser.add_argument("--top", type=int, default=15, help="functions shown per profile listing (default 15)")
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process step timings and profile")
    parser.add_argument("--no-probe", action="store_true", help="skip the probe of the server's PUT atomicity")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure here")
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the dataset folder here and keep it (reused if it matches)"
    )
    args = parser.parse_args(argv)
    progress(f"python {platform.python_version()}, {versions()}, {os.cpu_count()} cores")

    fingerprint = toolkit_fingerprint()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        scratch = Path(tmp)
        folder = args.keep if args.keep is not None else scratch / "dataset"
        expected, size = make_dataset(folder, args.triples, args.seed)
        total = sum(expected.values())
        data = (folder / "casegraph.nq").read_bytes()
        progress(f"dataset: {total} triples, {size / 1e6:.1f} MB: " + ", ".join(f"{n}" for n in expected.values()))
        run = Run(folder, expected, data, scratch)
        run.repeat(args.repeat)
        profile: dict[str, Any] = {}
        steps: dict[str, dict[str, float]] = {}
        if not args.no_profile:
            progress("profiling the direct path in-process")
            profile = attempt("profile", lambda: profile_direct(folder, scratch, args.top), {})
            progress("timing each step of the real load, in-process: direct, reload, staging")
            steps = attempt("step timing", lambda: time_steps(folder, scratch), {})
        atomicity: dict[str, Any] = {}
        if not args.no_probe:
            progress("probing whether the server's PUT is atomic")
            atomicity = attempt("atomicity probe", lambda: probe_put_atomicity(folder, scratch), {})
    after = toolkit_fingerprint()
    changed = sorted(name for name in after.keys() | fingerprint.keys() if after.get(name) != fingerprint.get(name))
    load_after = os.getloadavg()

    rows, figures = table(run, total)
    graphs = ", ".join(f"{role} {expected.get(iri, 0):,}" for role, iri in GRAPHS.items())
    print(f"casegraph load into Oxigraph: {total:,} triples ({graphs}), {size / 1e6:.1f} MB N-Quads")
    print(f"{args.repeat} fresh on-disk server(s) per method; whole-process wall time, plain POST and PUT in-process")
    print(f"load average before/after the run: {load_before[0]:.2f} / {load_after[0]:.2f} ({os.cpu_count()} cores)\n")
    print(rows)
    print()
    for line in verdicts(figures):
        print(line)
    for check in run.checks:
        if "DIFFER" in check:
            print(f"check failed: {check}")
    if all("DIFFER" not in c for c in run.checks) and run.checks:
        print(f"per-graph counts equal the file's after all {len(run.checks)} loads into a server")
    for method, error in run.errors.items():
        print(f"failed: {method}: {error}")
    if changed:
        print(f"WARNING: {', '.join(changed)} changed during the run; the figures may mix versions")
    if atomicity:
        print_atomicity(atomicity)
    if steps:
        print_steps(steps)
    if profile:
        seconds = profile["profiled_seconds"]
        print(f"\ncProfile of load(sources, direct=True), sources prepared as the CLI does: {seconds:.2f} s")
        print(profile["pstats"])

    if args.json is not None:
        document = {
            **machine(),
            "versions": versions(),
            "triples": total,
            "bytes": size,
            "graphs": expected,
            "repeat": args.repeat,
            "methods": figures,
            "verdicts": verdicts(figures),
            "checks": run.checks,
            "errors": run.errors,
            "toolkit_changed_during_run": changed,
            "toolkit_fingerprint": after,
            "load_average": [load_before, load_after],
            "steps": steps,
            "put_atomicity": atomicity,
            "profile": profile,
        }
        write_json(args.json, document)
        progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    exit_zero(main)
