"""casegraph at 100k, 1M and 5M triples, against the raw libraries doing the same work in the same run.

For each size a synthetic corpus shaped like the article's asserted + evidence graphs
(``benchmarks/synthetic.py``: many news sources, their agencies, people, events with quotes,
claims, legal citations, reported times; a reified statement and grounding annotation per
asserted triple, mentions, spans) plus the shipped ontology graph (for the labels the bundled
queries join on) is written as N-Triples and as N-Quads (the ontology in its own graph, the synthetic
triples in four named graphs, a quarter each), and cached in ``--out``. Then, each as a whole
process (interpreter start, imports, work, exit) timed from this script:

- ``query ID``: ``casegraph query ID --data FILE.nt --format csv --output F`` for
  ordered-over-objection, timeline and legal-authorities, against a script doing
  ``Store().bulk_load(path=FILE.nt)`` + ``list(store.query(TEXT, use_default_graph_as_union=True))``
  with the same query text (goal ≤ 1.3), and against rdflib (``Graph().parse`` + ``g.query``, up to
  ``--skip-rdflib-above``; one process parses once and runs the three queries, each query's
  reference time is that process's wall time minus the other two queries);
- ``export nquads``: ``casegraph export --data FILE.nq --format nquads`` against
  ``pyoxigraph.serialize(pyoxigraph.parse(path=FILE.nq), OUT, format=N_QUADS)`` (goal ≤ 1.3), and
  ``rapper -i nquads -o nquads`` as the native reference;
- ``export jsonld``: ``casegraph export --data FILE.nt --format jsonld`` (compact, casegraph's
  context) against pyoxigraph's JSON-LD writer (expanded) on the same triples (goal ≤ 3), and
  casegraph's ``jsonld-expanded`` output against the same writer (goal ≤ 1.5);
- ``load`` (with ``--load``, up to ``--skip-load-above``; ``bench_load.py`` is the load benchmark
  proper): ``casegraph load --data FILE.nq --direct`` into a fresh Oxigraph server against one
  plain HTTP POST of the same bytes to ``/store`` (timed in-process; goal ≤ 1.2), and
  ``oxigraph load`` (the offline bulk loader) for context;
- ``memory``: bytes of resident memory per triple retained by casegraph's in-memory store
  (``casegraph.inputs.read_inputs``), by pyoxigraph's own ``Store().bulk_load`` and by an rdflib
  ``Graph`` (goal ≤ 400 for casegraph), each in its own process: RSS after loading (and
  ``malloc_trim``) minus RSS before.

Commands run round-robin, the order rotated each round (default 3 rounds up to 200k triples, 2
up to 1M, else 1; rdflib and load once above 200k); the table shows medians. Each command's
output is checked in the first round (query row counts agree across engines, casegraph's N-Quads
equal pyoxigraph's, its compact JSON-LD parses back to every triple), then removed.

Prints one table and the growth (log-log slope) of every operation, writes a log-log plot of time
against size (``OUT/scale.png``) and, with ``--json``, every sample. Always exits 0; progress goes
to stderr.

Usage::

    python benchmarks/bench_scale.py [--sizes 100k,1m,5m] [--skip-rdflib-above 1m] [--out benchmarks/out]
                                     [--json FILE] [--repeat N] [--load] [--skip-load-above 1m] [--seed S]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402 - the shared helpers and the generator sit next to this script
from _common import (  # noqa: E402
    exit_zero,
    find_tool,
    installed,
    machine,
    median,
    ratio,
    slope,
    tail,
    write_json,
)
from _common import oxigraph_server as _oxigraph_server  # noqa: E402
from _common import progress as _progress  # noqa: E402

HERE = Path(__file__).resolve().parent
QUERIES = ("ordered-over-objection", "timeline", "legal-authorities")
#: Named graphs the synthetic triples are spread over in the N-Quads variant (a quarter each).
PARTS = 4
PART_GRAPH = "https://w3id.org/casegraph/graph/bench/part-{}"
#: Bump when the generated files change, so cached corpora are rewritten.
GENERATOR_VERSION = 2
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

GOAL_QUERY = 1.3
GOAL_NQUADS = 1.3
GOAL_JSONLD_EXPANDED = 1.5
GOAL_JSONLD_COMPACT = 3.0
GOAL_LOAD = 1.2
GOAL_BYTES_PER_TRIPLE = 400


def progress(message: str) -> None:
    _progress(message, width=7)  # a run at 5m triples takes hours


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (write 100000, 100k or 1m)")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return round(float(match.group(1)) * scale)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000 and n % 100 == 0:
        return f"{n / 1_000:g}k"
    return str(n)


# -- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    triples: int
    nt: Path
    nq: Path

    @property
    def label(self) -> str:
        return size_label(self.triples)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _term(term: Any) -> str:
    """An rdflib URIRef or Literal in N-Triples syntax (the generator makes no blank nodes)."""
    from rdflib import Literal

    if isinstance(term, Literal):
        if term.language:
            return f'"{_escape(str(term))}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f'"{_escape(str(term))}"^^<{term.datatype}>'
        return f'"{_escape(str(term))}"'
    return f"<{term}>"


def _ontology_lines() -> list[str]:
    """The shipped ontology graph as N-Triples lines: the labels of classes, precisions and citation
    functions that the bundled queries join on."""
    from casegraph.dataset import read_quads, select_quads

    return [f"{quad.subject} {quad.predicate} {quad.object}" for quad in select_quads(read_quads(), ("ontology",))]


def _synthetic_lines(count: int, seed: int) -> Iterator[str]:
    """``count`` distinct N-Triples lines (no final ``" ."``) from ``synthetic.py``'s blocks, the
    same shapes as ``synthetic.generate`` without building an rdflib Graph, topped up to the exact
    size with aliases like ``generate`` does."""
    from rdflib import URIRef

    seen: set[int] = set()
    labelled: list[str] = []
    written = 0
    for block in synthetic._blocks(random.Random(seed)):
        lines = []
        for s, p, o in block:
            line = f"{_term(s)} {_term(p)} {_term(o)}"
            key = hash(line)
            if key not in seen:
                seen.add(key)
                lines.append(line)
                if p == synthetic.SKOS.prefLabel and isinstance(s, URIRef):
                    labelled.append(str(s))
        if written + len(lines) > count:
            break
        yield from lines
        written += len(lines)
    extra = 0
    while written < count and labelled:
        prop = ("altLabel", "note", "definition")[extra % 3]
        subject = labelled[extra * 7919 % len(labelled)]
        yield f'<{subject}> <{synthetic.SKOS[prop]}> "{prop} {extra}"@en'
        written += 1
        extra += 1


def make_corpus(n: int, out: Path, seed: int) -> Corpus:
    """Write (or reuse) ``out/synthetic-N.nt`` and ``.nq``: the ontology graph plus synthetic triples,
    ``n`` distinct triples in all."""
    stem = out / f"synthetic-{size_label(n)}-seed{seed}"
    corpus = Corpus(n, stem.with_suffix(".nt"), stem.with_suffix(".nq"))
    meta = stem.with_suffix(".json")
    wanted = {"triples": n, "seed": seed, "version": GENERATOR_VERSION}
    if corpus.nt.is_file() and corpus.nq.is_file() and meta.is_file():
        with contextlib.suppress(ValueError):
            if {k: json.loads(meta.read_text()).get(k) for k in wanted} == wanted:
                progress(f"{corpus.label}: reusing {corpus.nt.name} and {corpus.nq.name}")
                return corpus
    from casegraph.iris import GRAPHS

    progress(f"{corpus.label}: generating {n:,} triples into {corpus.nt.name} and {corpus.nq.name}")
    out.mkdir(parents=True, exist_ok=True)
    ontology = _ontology_lines()
    rest = n - len(ontology)
    tmp_nt, tmp_nq = corpus.nt.with_suffix(".nt.part"), corpus.nq.with_suffix(".nq.part")
    with tmp_nt.open("w", encoding="utf-8") as nt, tmp_nq.open("w", encoding="utf-8") as nq:
        graph = f"<{GRAPHS['ontology']}>"
        for line in ontology:
            nt.write(f"{line} .\n")
            nq.write(f"{line} {graph} .\n")
        graphs = [f"<{PART_GRAPH.format(k)}>" for k in range(PARTS)]
        written = 0
        for line in _synthetic_lines(rest, seed):
            nt.write(f"{line} .\n")
            nq.write(f"{line} {graphs[written * PARTS // rest]} .\n")
            written += 1
    tmp_nt.replace(corpus.nt)
    tmp_nq.replace(corpus.nq)
    meta.write_text(json.dumps({**wanted, "written": len(ontology) + written}) + "\n")
    progress(
        f"{corpus.label}: {len(ontology) + written:,} triples, "
        f"{corpus.nt.stat().st_size / 1e6:.0f} MB N-Triples, {corpus.nq.stat().st_size / 1e6:.0f} MB N-Quads"
    )
    return corpus


# -- the reference scripts (each run as its own process) -------------------------------------

#: ``python -c`` programs; argv: engine-specific, see each.
PYOX_QUERY = """
import sys
import pyoxigraph as ox
path, query = sys.argv[1:3]
store = ox.Store()
store.bulk_load(path=path, format=ox.RdfFormat.from_extension(path.rsplit(".", 1)[1]))
with open(query, encoding="utf-8") as text:
    rows = list(store.query(text.read(), use_default_graph_as_union=True))
print(len(rows))
"""
RDFLIB_QUERY = """
import sys
from rdflib import Graph
path, query = sys.argv[1:3]
graph = Graph()
graph.parse(path, format="nt")
with open(query, encoding="utf-8") as text:
    rows = list(graph.query(text.read()))
print(len(rows))
"""
PYOX_EXPORT = """
import sys
import pyoxigraph as ox
path, out, fmt = sys.argv[1:4]
source = ox.RdfFormat.from_extension(path.rsplit(".", 1)[1])
ox.serialize(ox.parse(path=path, format=source), out, format=getattr(ox.RdfFormat, fmt))
"""
MEMORY = """
import ctypes, gc, json, os, sys
engine, path = sys.argv[1:3]
def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
def settle():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
if engine == "casegraph":
    from casegraph.inputs import read_inputs
    def load():
        return read_inputs([path])
elif engine == "pyoxigraph":
    import pyoxigraph as ox
    def load():
        store = ox.Store()
        store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
        return store
else:
    from rdflib import Graph
    def load():
        graph = Graph()
        graph.parse(path, format="nt")
        return graph
settle()
before = rss()
held = load()
settle()
after = rss()
with open("/proc/self/status") as status:  # VmHWM, not ru_maxrss, which inherits the parent's peak
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
print(json.dumps({"before": before, "after": after, "peak": peak, "triples": len(held)}))
"""


# -- running and timing processes ------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_rss: int  # bytes, of the timed process (GNU time), 0 if unknown
    stdout: str


class JobFailed(RuntimeError):
    pass


#: GNU time reports a command's own peak RSS. (``wait4``'s figure would not do: a child's maximum
#: starts at its parent's RSS, inherited through fork/exec, and this script is large after
#: generating a corpus.)
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None


def run_process(argv: list[str], *, stdout_to: Path | None = None) -> Sample:
    """Run ``argv`` to completion: wall time from spawn to exit, and its peak RSS (0 if unknown)."""
    with tempfile.TemporaryDirectory(prefix="run-") as tmp:
        err, captured, rss = Path(tmp) / "stderr", Path(tmp) / "stdout", Path(tmp) / "rss"
        command = [GNU_TIME, "-o", str(rss), "-f", "%M", *argv] if GNU_TIME else argv
        with (stdout_to or captured).open("wb") as out, err.open("wb") as errors:
            start = time.perf_counter()
            code = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=out, stderr=errors, check=False).returncode
            seconds = time.perf_counter() - start
        if code != 0:
            raise JobFailed(
                f"{Path(argv[0]).name} {' '.join(argv[1:3])} … exited {code}: {tail(err.read_text('utf-8', 'replace'))}"
            )
        peak = 0
        if rss.is_file():
            with contextlib.suppress(ValueError, IndexError):
                peak = int(rss.read_text().split()[-1]) * 1024
        text = captured.read_text("utf-8", "replace") if stdout_to is None else ""
        return Sample(seconds, peak, text)


def count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as data:
        while chunk := data.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines


def tool(name: str) -> str:
    found = find_tool(name)
    if found is None:
        raise SystemExit(f"{name}: not found next to {sys.executable} or on PATH")
    return found


@dataclass
class Job:
    """One timed command: ``name`` is ``ENGINE OPERATION``."""

    engine: str
    operation: str
    argv: list[str]
    stdout_to: Path | None = None
    output: Path | None = None  # a file the command writes (checked, then removed)
    once: bool = False  # slow references: timed in the first round only
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.engine} {self.operation}"

    def median(self) -> float | None:
        return median(s.seconds for s in self.samples)

    def peak(self) -> int | None:
        return max(s.peak_rss for s in self.samples) if self.samples else None


# -- one size --------------------------------------------------------------------------------


@dataclass
class SizeRun:
    corpus: Corpus
    jobs: list[Job] = field(default_factory=list)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def job(self, engine: str, operation: str) -> Job | None:
        return next((j for j in self.jobs if j.engine == engine and j.operation == operation), None)


def query_files(scratch: Path) -> dict[str, Path]:
    """The bundled queries' text as casegraph runs them (no parameters), one file each."""
    from casegraph.queries import find_query, query_text

    files = {}
    for query_id in QUERIES:
        files[query_id] = scratch / f"{query_id}.rq"
        files[query_id].write_text(query_text(find_query(query_id), {}), encoding="utf-8")
    return files


def plan(corpus: Corpus, scratch: Path, queries: dict[str, Path], with_rdflib: bool) -> list[Job]:
    py, cg = sys.executable, tool("casegraph")
    jobs: list[Job] = []
    for query_id, text in queries.items():
        op = f"query {query_id}"
        csv = scratch / f"{query_id}.csv"
        argv = [cg, "query", query_id, "--data", str(corpus.nt), "--format", "csv", "--output", str(csv)]
        jobs.append(Job("casegraph", op, argv, output=csv))
        jobs.append(Job("pyoxigraph", op, [py, "-c", PYOX_QUERY, str(corpus.nt), str(text)]))
        if with_rdflib:
            argv = [py, "-c", RDFLIB_QUERY, str(corpus.nt), str(text)]
            jobs.append(Job("rdflib", op, argv, once=corpus.triples > 200_000))
    nq_out = {e: scratch / f"{e}.nq" for e in ("casegraph", "pyoxigraph", "rapper")}
    argv = [cg, "export", "--data", str(corpus.nq), "--format", "nquads", "--output", str(nq_out["casegraph"])]
    jobs.append(Job("casegraph", "export nquads", argv, output=nq_out["casegraph"]))
    argv = [py, "-c", PYOX_EXPORT, str(corpus.nq), str(nq_out["pyoxigraph"]), "N_QUADS"]
    jobs.append(Job("pyoxigraph", "export nquads", argv, output=nq_out["pyoxigraph"]))
    argv = [tool("rapper"), "-q", "-i", "nquads", "-o", "nquads", str(corpus.nq)]
    jobs.append(Job("rapper", "export nquads", argv, stdout_to=nq_out["rapper"], output=nq_out["rapper"]))
    js_out = {e: scratch / f"{e}.jsonld" for e in ("casegraph", "pyoxigraph")}
    argv = [cg, "export", "--data", str(corpus.nt), "--format", "jsonld", "--output", str(js_out["casegraph"])]
    jobs.append(Job("casegraph", "export jsonld", argv, output=js_out["casegraph"]))
    argv = [py, "-c", PYOX_EXPORT, str(corpus.nt), str(js_out["pyoxigraph"]), "JSON_LD"]
    jobs.append(Job("pyoxigraph", "export jsonld", argv, output=js_out["pyoxigraph"]))
    expanded = scratch / "casegraph-expanded.jsonld"
    argv = [cg, "export", "--data", str(corpus.nt), "--format", "jsonld-expanded", "--output", str(expanded)]
    jobs.append(Job("casegraph", "export jsonld expanded", argv, output=expanded))
    return jobs


def check_outputs(run: SizeRun, round_jobs: list[Job], first_round: bool, deep: bool) -> None:
    """Compare what the engines wrote (first round only), then remove the outputs."""
    n = run.corpus.triples
    if first_round:
        for query_id in QUERIES:
            op = f"query {query_id}"
            rows: dict[str, int] = {}
            for job in round_jobs:
                if job.operation != op or not job.samples:
                    continue
                if job.output is not None and job.output.is_file():
                    rows[job.engine] = count_lines(job.output) - 1  # the CSV header
                else:
                    with contextlib.suppress(ValueError):
                        rows[job.engine] = int(job.samples[0].stdout.split()[-1])
            for job in round_jobs:
                if job.operation == op and job.engine in rows:
                    job.note = f"{rows[job.engine]} rows"
            same = len(set(rows.values())) == 1
            text = ", ".join(f"{engine} {count}" for engine, count in rows.items())
            if not rows or not any(rows.values()):
                run.checks.append(f"{op}: NO ROWS ({text or 'nothing ran'}): the corpus does not exercise the query")
            else:
                run.checks.append(f"{op}: rows {'agree' if same else 'DIFFER'} ({text})")
        outs = {j.engine: j.output for j in round_jobs if j.operation == "export nquads" and j.samples and j.output}
        if "casegraph" in outs and "pyoxigraph" in outs and outs["casegraph"].is_file():
            a, b = outs["casegraph"], outs["pyoxigraph"]
            if deep:
                import filecmp

                same = filecmp.cmp(a, b, shallow=False)
                run.checks.append(f"export nquads: casegraph's output {'=' if same else 'DIFFERS from'} pyoxigraph's")
            else:
                lines = count_lines(a)
                ok = lines == n
                run.checks.append(f"export nquads: casegraph wrote {lines:,} lines{'' if ok else f' (EXPECTED {n:,})'}")
        if "rapper" in outs and outs["rapper"].is_file():
            lines = count_lines(outs["rapper"])
            run.checks.append(
                f"export nquads: rapper wrote {lines:,} lines{'' if lines == n else f' (EXPECTED {n:,})'}"
            )
        out = next((j.output for j in round_jobs if j.name == "casegraph export jsonld" and j.samples), None)
        if deep and out is not None and out.is_file():
            import pyoxigraph as ox

            triples = sum(1 for _ in ox.parse(path=out, format=ox.RdfFormat.JSON_LD))
            ok = triples == n
            run.checks.append(
                f"export jsonld: casegraph's compact output parses back (pyoxigraph) to {triples:,} triples"
                + ("" if ok else f" (EXPECTED {n:,})")
            )
    for job in round_jobs:
        if job.output is not None:
            job.output.unlink(missing_ok=True)


def time_jobs(run: SizeRun, repeat: int, deep: bool) -> None:
    for r in range(repeat):
        todo = [j for j in run.jobs if not (j.once and r > 0) and j.error is None]
        shift = r % len(todo) if todo else 0
        todo = todo[shift:] + todo[:shift]  # rotated each round, so drift hits every command alike
        progress(f"{run.corpus.label}: round {r + 1}/{repeat}, {len(todo)} commands")
        for job in todo:
            try:
                sample = run_process(job.argv, stdout_to=job.stdout_to)
            except (JobFailed, OSError) as err:
                job.error = str(err)
                run.errors.append(f"{job.name}: {err}")
                progress(f"  {job.name}: FAILED {err}")
                continue
            job.samples.append(sample)
            progress(f"  {job.name}: {sample.seconds:.2f} s, peak {sample.peak_rss / 2**20:,.0f} MiB")
        check_outputs(run, todo, first_round=r == 0, deep=deep)


def measure_memory(run: SizeRun, with_rdflib: bool) -> None:
    engines = ["casegraph", "pyoxigraph"] + (["rdflib"] if with_rdflib else [])
    for engine in engines:
        try:
            sample = run_process([sys.executable, "-c", MEMORY, engine, str(run.corpus.nt)])
            figures = json.loads(sample.stdout)
        except (JobFailed, OSError, ValueError) as err:
            run.errors.append(f"memory {engine}: {err}")
            progress(f"  memory {engine}: FAILED {err}")
            continue
        figures["bytes_per_triple"] = (figures["after"] - figures["before"]) / max(1, figures["triples"])
        figures["seconds"] = sample.seconds
        run.memory[engine] = figures
        progress(f"  memory {engine}: {figures['bytes_per_triple']:.0f} bytes/triple ({figures['triples']:,} triples)")


# -- load into an Oxigraph server (with --load) ----------------------------------------------


@contextlib.contextmanager
def oxigraph_server(workdir: Path) -> Iterator[str]:
    """``oxigraph serve`` on a new on-disk store and a free loopback port; yields its base URL."""
    with _oxigraph_server(workdir, tool("oxigraph"), failure=JobFailed, log_tail=600) as (base, _):
        yield base


def stored_triples(base: str) -> int:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    request = urllib.request.Request(
        f"{base}/query?query={query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=3600) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def measure_load(run: SizeRun, scratch: Path, repeat: int) -> None:
    corpus, n = run.corpus, run.corpus.triples
    data = corpus.nq.read_bytes()
    samples: dict[str, list[float]] = {"casegraph": [], "plain POST": [], "oxigraph load": []}
    for r in range(repeat):
        progress(f"{corpus.label}: load round {r + 1}/{repeat}")
        try:
            with oxigraph_server(scratch / f"post-{r}") as base:
                request = urllib.request.Request(
                    f"{base}/store", data=data, method="POST", headers={"Content-Type": "application/n-quads"}
                )
                start = time.perf_counter()
                with urllib.request.urlopen(request, timeout=3600):
                    pass
                samples["plain POST"].append(time.perf_counter() - start)
                stored = stored_triples(base)
                if r == 0:
                    run.checks.append(
                        f"load: plain POST stored {stored:,} triples{'' if stored == n else ' (DIFFERS)'}"
                    )
            with oxigraph_server(scratch / f"casegraph-{r}") as base:
                argv = [tool("casegraph"), "load", "--data", str(corpus.nq), "--direct", "--endpoint", f"{base}/query"]
                argv += ["--graph-store", f"{base}/store", "--update", f"{base}/update", "--timeout", "3600"]
                samples["casegraph"].append(run_process(argv).seconds)
                stored = stored_triples(base)
                if r == 0:
                    run.checks.append(
                        f"load: casegraph load --direct stored {stored:,} triples{'' if stored == n else ' (DIFFERS)'}"
                    )
            where = scratch / f"bulk-{r}"
            argv = [tool("oxigraph"), "load", "--location", str(where), "--file", str(corpus.nq)]
            samples["oxigraph load"].append(run_process(argv).seconds)
            shutil.rmtree(where, ignore_errors=True)
        except (JobFailed, OSError) as err:
            run.errors.append(f"load: {err}")
            progress(f"  load: FAILED {err}")
            break
        progress("  load: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in samples.items() if v))
    run.load = {k: {"samples": v, "median": median(v)} for k, v in samples.items()}


# -- report ----------------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    operation: str
    reference: str
    casegraph: float | None
    ref: float | None
    goal: str  # "≤ 1.3" (ratio), "< 1" (ratio), "≤ 400 B" (casegraph's value) or "-"
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return ratio(self.casegraph, self.ref)

    @property
    def ok(self) -> str:
        if self.goal == "-":
            return ""
        if self.casegraph is None or (self.ratio is None and not self.goal.endswith("B")):
            return "n/a"
        limit = float(self.goal.split()[1])
        value = self.casegraph if self.goal.endswith("B") else self.ratio
        assert value is not None
        passed = value < limit if self.goal.startswith("<") else value <= limit
        return "ok" if passed else "OVER"


def rows_of(run: SizeRun) -> list[Row]:
    n = run.corpus.triples
    rows: list[Row] = []

    def median(engine: str, operation: str) -> float | None:
        job = run.job(engine, operation)
        return job.median() if job is not None else None

    for query_id in QUERIES:
        op = f"query {query_id}"
        cg = median("casegraph", op)
        rows.append(Row(n, op, "pyoxigraph load+query", cg, median("pyoxigraph", op), f"≤ {GOAL_QUERY}"))
        if run.job("rdflib", op) is not None:
            rows.append(Row(n, op, "rdflib parse+query", cg, median("rdflib", op), "< 1"))
    cg = median("casegraph", "export nquads")
    rows.append(
        Row(
            n,
            "export nquads",
            "pyoxigraph parse+serialize",
            cg,
            median("pyoxigraph", "export nquads"),
            f"≤ {GOAL_NQUADS}",
        )
    )
    rows.append(Row(n, "export nquads", "rapper (native)", cg, median("rapper", "export nquads"), "-"))
    ref = median("pyoxigraph", "export jsonld")
    rows.append(
        Row(
            n,
            "export jsonld compact",
            "pyoxigraph JSON-LD expanded",
            median("casegraph", "export jsonld"),
            ref,
            f"≤ {GOAL_JSONLD_COMPACT:g}",
        )
    )
    rows.append(
        Row(
            n,
            "export jsonld expanded",
            "pyoxigraph JSON-LD expanded",
            median("casegraph", "export jsonld expanded"),
            ref,
            f"≤ {GOAL_JSONLD_EXPANDED}",
        )
    )
    if run.load:
        cg = run.load["casegraph"]["median"]
        rows.append(
            Row(n, "load --direct", "plain POST /store", cg, run.load["plain POST"]["median"], f"≤ {GOAL_LOAD}")
        )
        rows.append(Row(n, "load --direct", "oxigraph load (offline)", cg, run.load["oxigraph load"]["median"], "-"))
    mine = run.memory.get("casegraph", {}).get("bytes_per_triple")
    for engine, label, goal in (
        ("pyoxigraph", "pyoxigraph Store", f"≤ {GOAL_BYTES_PER_TRIPLE} B"),
        ("rdflib", "rdflib Graph", "-"),
    ):
        if engine in run.memory or engine == "pyoxigraph":
            theirs = run.memory.get(engine, {}).get("bytes_per_triple")
            rows.append(Row(n, "memory per triple", label, mine, theirs, goal, unit="B"))
    return rows


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} B" if unit == "B" else f"{value:.2f} s"


def table(rows: list[Row]) -> str:
    head = f"{'size':>5}  {'operation':30} {'reference':28} {'casegraph':>10} {'reference':>10} {'ratio':>6}  "
    lines = [head + f"{'goal':8} ok?", "-" * (len(head) + 12)]
    for row in rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        line = (
            f"{size_label(row.size):>5}  {row.operation:30} {row.reference:28} {_value(row.casegraph, row.unit):>10} "
            f"{_value(row.ref, row.unit):>10} {ratio:>6}  {row.goal:8} {row.ok}"
        )
        lines.append(line.rstrip() + (f"  ({row.note})" if row.note else ""))
    return "\n".join(lines)


def peaks(runs: list[SizeRun]) -> str:
    """Peak RSS of every timed command, MiB, by size and operation."""
    engines = ("casegraph", "pyoxigraph", "rdflib", "rapper")
    lines = [f"{'size':>5}  {'operation':30} " + " ".join(f"{e:>10}" for e in engines)]
    for run in runs:
        for operation in dict.fromkeys(job.operation for job in run.jobs):
            cells = []
            for engine in engines:
                job = run.job(engine, operation)
                peak = job.peak() if job is not None else None
                cells.append(f"{peak / 2**20:>10,.0f}" if peak else f"{'-':>10}")
            lines.append(f"{size_label(run.corpus.triples):>5}  {operation:30} " + " ".join(cells))
    return "\n".join(lines)


def series(runs: list[SizeRun]) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """operation -> engine -> [(triples, median seconds)], over the sizes."""
    found: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for run in runs:
        for job in run.jobs:
            if (seconds := job.median()) is not None:
                found.setdefault(job.operation, {}).setdefault(job.engine, []).append((run.corpus.triples, seconds))
        for engine, figures in run.load.items():
            if figures["median"] is not None:
                found.setdefault("load --direct", {}).setdefault(engine, []).append(
                    (run.corpus.triples, figures["median"])
                )
    return found


def growth(runs: list[SizeRun]) -> list[str]:
    lines = []
    for operation, engines in series(runs).items():
        parts = []
        for engine, points in engines.items():
            if (k := slope(points)) is not None:
                steps = " ".join(f"×{b[1] / a[1]:.1f}" for a, b in zip(points, points[1:], strict=False))
                parts.append(f"{engine} n^{k:.2f} ({steps})")
        if parts:
            lines.append(f"  {operation:30} " + ";  ".join(parts))
    return lines


STYLE = {
    "casegraph": ("C0", "-", "o"),
    "pyoxigraph": ("C1", "--", "s"),
    "rdflib": ("C2", ":", "^"),
    "rapper": ("C3", "-.", "D"),
    "plain POST": ("C1", "--", "s"),
    "oxigraph load": ("C3", "-.", "D"),
}
LABEL = {
    "pyoxigraph": "pyoxigraph (same work)",
    "casegraph export jsonld": "casegraph (compact, its context)",
    "pyoxigraph export jsonld": "pyoxigraph (expanded)",
    "rdflib": "rdflib",
    "rapper": "rapper (native)",
    "plain POST": "plain HTTP POST (reference)",
    "oxigraph load": "oxigraph load (offline)",
}


def _ratio_note(engines: dict[str, list[tuple[int, float]]]) -> str:
    """``"\n5M: casegraph 1.05 × pyoxigraph"``: the ratio at the largest size, for a panel title."""
    mine = dict(engines.get("casegraph", []))
    ref = "pyoxigraph" if "pyoxigraph" in engines else "plain POST"
    theirs = dict(engines.get(ref, []))
    common = sorted(set(mine) & set(theirs))
    if not common:
        return ""
    n = common[-1]
    return f"\n{size_label(n)}: casegraph {mine[n] / theirs[n]:.2f} × {ref}"


def plot(runs: list[SizeRun], path: Path) -> str | None:
    """Log-log time against size, one panel per operation, plus bytes per triple."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import ticker
    except ImportError:
        return "no plot: matplotlib is not installed (pip install matplotlib)"
    found = series(runs)
    panels = [*found, "memory per triple"]
    cols = 3
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.0 * rows), squeeze=False)
    sizes = [run.corpus.triples for run in runs]
    for ax, panel in zip(axes.flat, panels, strict=False):
        if panel == "memory per triple":
            for engine in ("casegraph", "pyoxigraph", "rdflib"):
                points = [(r.corpus.triples, r.memory[engine]["bytes_per_triple"]) for r in runs if engine in r.memory]
                if points:
                    color, style, marker = STYLE[engine]
                    ax.plot(
                        *zip(*points, strict=True),
                        color=color,
                        linestyle=style,
                        marker=marker,
                        label=LABEL.get(engine, engine),
                        linewidth=2.2 if engine == "casegraph" else 1.4,
                    )
            ax.axhline(GOAL_BYTES_PER_TRIPLE, color="grey", linewidth=0.8, linestyle=":", label="goal 400 B")
            ax.set_xscale("log")
            ax.set_ylim(bottom=0, top=1.25 * ax.get_ylim()[1])
            ax.set_ylabel("bytes of RSS per triple")
        else:
            for engine, points in found[panel].items():
                color, style, marker = STYLE.get(engine, ("C4", "-", "x"))
                ax.plot(
                    *zip(*points, strict=True),
                    color=color,
                    linestyle=style,
                    marker=marker,
                    label=LABEL.get(f"{engine} {panel}", LABEL.get(engine, engine)),
                    linewidth=2.2 if engine == "casegraph" else 1.4,
                )
            mine = dict(found[panel].get("casegraph", []))
            if mine and len(sizes) > 1:  # a slope-1 guide through casegraph's largest point
                top = max(mine)
                ax.plot(
                    [min(sizes), top],
                    [mine[top] * min(sizes) / top, mine[top]],
                    color="grey",
                    linewidth=0.7,
                    linestyle=(0, (1, 3)),
                    label="linear (slope 1)",
                )
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda y, _: f"{y:g}"))
            ax.set_ylabel("wall time, s")
            ax.set_title(f"{panel}{_ratio_note(found[panel])}", fontsize=11)
        if panel == "memory per triple":
            ax.set_title(panel, fontsize=11)
        ax.set_xlabel("triples")
        ax.set_xticks(sizes, [size_label(n) for n in sizes])
        ax.xaxis.set_minor_locator(ticker.NullLocator())
        ax.yaxis.set_minor_locator(ticker.NullLocator())
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="center right" if panel == "memory per triple" else "upper left")
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.suptitle("casegraph against the raw libraries, whole-process wall time (log-log)", fontsize=13)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def versions() -> str:
    dists = installed("casegraph", "pyoxigraph", "rdflib", "oxigraph", "matplotlib")
    found = [f"{dist} {version}" for dist, version in dists.items()]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        rapper = subprocess.run(["rapper", "--version"], capture_output=True, text=True, check=False).stdout.strip()
        found.append(f"rapper {rapper}")
    return ", ".join(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="casegraph against pyoxigraph, rdflib and rapper at scale.")
    parser.add_argument("--sizes", default="100k,1m,5m", help="comma list of corpus sizes (default 100k,1m,5m)")
    parser.add_argument(
        "--skip-rdflib-above",
        type=parse_size,
        default=1_000_000,
        metavar="SIZE",
        help="no rdflib reference above this size (default 1m)",
    )
    parser.add_argument(
        "--out", type=Path, default=HERE / "out", help="corpora cache and plot (default benchmarks/out)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write every figure here")
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed runs per command (default 3 up to 200k triples, 2 up to 1m, else 1; "
        "rdflib and load once above 200k)",
    )
    parser.add_argument("--load", action="store_true", help="also time loading into an Oxigraph server")
    parser.add_argument(
        "--skip-load-above",
        type=parse_size,
        default=1_000_000,
        metavar="SIZE",
        help="with --load, no load above this size (default 1m; bench_load.py is the load benchmark)",
    )
    parser.add_argument("--seed", type=int, default=0, help="of the synthetic corpora (default 0)")
    args = parser.parse_args(argv)
    sizes = sorted({parse_size(s) for s in args.sizes.split(",") if s.strip()})
    progress(f"python {platform.python_version()}, {versions()}, {os.cpu_count()} cores")
    runs: list[SizeRun] = []
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=args.out) as tmp:
        scratch = Path(tmp)
        queries = query_files(scratch)
        for n in sizes:
            try:
                corpus = make_corpus(n, args.out, args.seed)
                with_rdflib = n <= args.skip_rdflib_above
                run = SizeRun(corpus, plan(corpus, scratch, queries, with_rdflib))
                runs.append(run)
                small = n <= 200_000
                repeat = args.repeat or (3 if small else 2 if n <= 1_000_000 else 1)
                time_jobs(run, repeat, deep=n <= 1_000_000)
                progress(f"{corpus.label}: retained memory")
                measure_memory(run, with_rdflib)
                if args.load and n <= args.skip_load_above:
                    measure_load(run, scratch, repeat if small else 1)
            except Exception as err:  # a benchmark reports failures, it does not stop on them
                progress(f"{size_label(n)} failed: {type(err).__name__}: {err}")
                traceback.print_exc(file=sys.stderr)

    rows = [row for run in runs for row in rows_of(run)]
    print(
        f"casegraph at scale: {', '.join(size_label(r.corpus.triples) for r in runs)} triples "
        f"(synthetic, seed {args.seed}); whole-process wall time, medians"
    )
    print(f"{versions()}; {os.cpu_count()} cores\n")
    print(table(rows))
    print("\npeak RSS of the timed processes, MiB (GNU time %M; the largest over the runs):")
    print(peaks(runs))
    print("\ngrowth (least-squares slope of log time against log size, 1 = linear; then the time ratio per step):")
    print("\n".join(growth(runs)) or "  (one size only)")
    print()
    for run in runs:
        for check in run.checks:
            print(f"check {size_label(run.corpus.triples)}: {check}")
        for error in run.errors:
            print(f"FAILED {size_label(run.corpus.triples)}: {error}")
    png = args.out / "scale.png"
    note = plot(runs, png)
    print(note or f"plot: {png}")
    if args.json is not None:
        document = {
            **machine(),
            "cores": os.cpu_count(),
            "versions": versions(),
            "seed": args.seed,
            "sizes": [
                {
                    "triples": run.corpus.triples,
                    "nt_bytes": run.corpus.nt.stat().st_size,
                    "nq_bytes": run.corpus.nq.stat().st_size,
                    "commands": {
                        job.name: {
                            "argv": [a if len(a) < 200 else "<script>" for a in job.argv],
                            "seconds": [s.seconds for s in job.samples],
                            "median": job.median(),
                            "peak_rss": [s.peak_rss for s in job.samples],
                            "note": job.note,
                            "error": job.error,
                        }
                        for job in run.jobs
                    },
                    "memory": run.memory,
                    "load": run.load,
                    "checks": run.checks,
                    "errors": run.errors,
                }
                for run in runs
            ],
            "table": [{**row.__dict__, "ratio": row.ratio, "ok": row.ok} for row in rows],
            "growth": {op: {e: slope(p) for e, p in engines.items()} for op, engines in series(runs).items()},
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        write_json(args.json, document)
        progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    exit_zero(main)
