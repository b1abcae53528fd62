"""Triple stores, for real: load into Oxigraph and Virtuoso servers, compare every bundled query
across engines, and break loads on purpose with a fault-injecting proxy."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from casegraph.dataset import read_quads
from casegraph.export import RdfFormat, graph_iri, serialize
from casegraph.iris import GRAPHS, SOURCE_ID, role_graph, selector_of
from casegraph.load import LEASE_GRAPH
from casegraph.queries import query_ids

from .conftest import SECOND, TwoReports
from .faultproxy import FaultProxy
from .servers import EMPTY_RESULTS, Server, answer_empty, free_port, serving

CLI = [sys.executable, "-c", "from casegraph.cli import main; main()"]
SECRET = "s3cret-Pa55word-never-printed"
ASSERTED = GRAPHS["asserted"]


def casegraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI, in-process (a subprocess costs 0.4 s and proves nothing here; the signal and
    install tests start real processes); ``env`` replaces the environment for the call."""
    from click.testing import CliRunner

    from casegraph.cli import cli

    runner = CliRunner()
    if env is None:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    else:  # the whole environment, as subprocess.run(env=...) would give it
        unset: dict[str, str | None] = {name: None for name in os.environ if name not in env}
        result = runner.invoke(cli, list(args), env={**unset, **env}, catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def load_args(server: Server, *extra: str) -> list[str]:
    return ["load", "--endpoint", server.query, "--graph-store", server.graph_store, "--update", server.update, *extra]


def proxied_load_args(proxy: FaultProxy, server: Server) -> list[str]:
    """`casegraph load` against ``server`` through the fault-injecting ``proxy``."""
    return [
        "load",
        "--endpoint",
        proxy.proxied(server.query),
        "--graph-store",
        proxy.proxied(server.graph_store),
        "--update",
        proxy.proxied(server.update),
    ]


def local_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in read_quads():
        counts[graph_iri(q)] = counts.get(graph_iri(q), 0) + 1
    return counts


def store_graphs(server: Server) -> dict[str, int]:
    """Triple counts per named graph in the store (ours only: Virtuoso has system graphs)."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = requests.post(
        server.query, data={"query": query}, headers={"Accept": "application/sparql-results+xml"}, timeout=30
    )
    response.raise_for_status()
    rows = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML)
    assert isinstance(rows, ox.QuerySolutions)
    counts = {row["g"].value: int(row["n"].value) for row in rows}
    return {g: n for g, n in counts.items() if g.startswith("https://w3id.org/casegraph/")}


def dump(server: Server, graph: str) -> set[str]:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = requests.post(
        server.query, data={"query": query}, headers={"Accept": "application/n-triples"}, timeout=30
    )
    response.raise_for_status()
    return {str(t) for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("casegraph: error: "), result.stderr
    return lines[0]


# --- loading ---------------------------------------------------------------------------------


def test_load_into_oxigraph_verifies_and_is_idempotent(fresh_oxigraph: Server) -> None:
    first = casegraph(*load_args(fresh_oxigraph))
    assert first.returncode == 0, first.stderr
    assert store_graphs(fresh_oxigraph) == local_counts()  # no staging graph is left behind
    before = {g: dump(fresh_oxigraph, g) for g in GRAPHS.values()}
    second = casegraph(*load_args(fresh_oxigraph))
    assert second.returncode == 0, second.stderr
    assert store_graphs(fresh_oxigraph) == local_counts()
    assert {g: dump(fresh_oxigraph, g) for g in GRAPHS.values()} == before
    counts = local_counts()

    def said(how: str) -> list[str]:  # each graph's line says what was done to it, in plain English
        return [
            *(f"replaced <{g}> ({selector_of(g)}): {counts[g]} triples {how}; verified" for g in GRAPHS.values()),
            f"loaded 6 graphs into {fresh_oxigraph.query}",
        ]

    assert first.stderr.splitlines() == said("by Graph Store POST into the empty graph")
    assert second.stderr.splitlines() == said("by Graph Store POST into a staging graph, then MOVE")
    one = casegraph(*load_args(fresh_oxigraph, "--graphs", "metadata"))
    assert one.stderr.splitlines()[-1] == f"loaded 1 graph into {fresh_oxigraph.query}"


def test_load_into_virtuoso_anonymously_and_with_digest(virtuoso_server: Server) -> None:
    result = casegraph(*load_args(virtuoso_server))
    assert result.returncode == 0, result.stderr
    assert store_graphs(virtuoso_server) == local_counts()
    env = {**os.environ, "CASEGRAPH_PASSWORD": virtuoso_server.password or ""}
    assert virtuoso_server.query_auth and virtuoso_server.graph_store_auth and virtuoso_server.update_auth
    again = casegraph(
        "load",
        "--endpoint",
        virtuoso_server.query_auth,
        "--graph-store",
        virtuoso_server.graph_store_auth,
        "--update",
        virtuoso_server.update_auth,
        "--auth",
        "digest",
        "--user",
        virtuoso_server.user or "",
        env=env,
    )
    assert again.returncode == 0, again.stderr
    assert store_graphs(virtuoso_server) == local_counts()


def test_load_by_sparql_update_only(fresh_oxigraph: Server) -> None:
    """Without a Graph Store endpoint the graphs go in by chunked INSERT DATA, then MOVE."""
    result = casegraph("load", "--endpoint", fresh_oxigraph.query, "--update", fresh_oxigraph.update)
    assert result.returncode == 0, result.stderr
    assert "triples by SPARQL Update INSERT DATA into a staging graph, then MOVE; verified" in result.stderr
    assert store_graphs(fresh_oxigraph) == local_counts()


def test_dry_run_sends_nothing(fresh_oxigraph: Server) -> None:
    result = casegraph(*load_args(fresh_oxigraph, "--dry-run"))
    assert result.returncode == 0
    counts = local_counts()
    assert result.stdout.splitlines() == [
        f"would replace <{iri}> ({selector_of(iri)}): {counts[iri]} triples" for iri in GRAPHS.values()
    ]
    assert store_graphs(fresh_oxigraph) == {}


# --- the same answers on every engine ---------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(oxigraph_server: Server, virtuoso_server: Server) -> dict[str, Server]:
    for server in (oxigraph_server, virtuoso_server):
        result = casegraph(*load_args(server))
        assert result.returncode == 0, result.stderr
    return {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server}


PARAMS = {"evidence": ["--param", "resource=https://w3id.org/casegraph/id/person/sara-vitolo"]}


@pytest.mark.parametrize("query_id", query_ids())
@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_every_bundled_query_gives_the_same_answer(loaded: dict[str, Server], engine: str, query_id: str) -> None:
    """Compared as SPARQL CSV (IRIs and literal values). No normalisation is needed here: the
    CSV format carries neither language tags (Oxigraph and Virtuoso lower-case them) nor
    datatypes (Virtuoso keeps explicit xsd:string apart from plain literals), and both stores
    give booleans and integers the canonical lexical forms the embedded engine gives."""
    args = ["query", query_id, *PARAMS.get(query_id, []), "--format", "csv"]
    embedded = casegraph(*args)
    remote = casegraph(*args, "--endpoint", loaded[engine].query)
    assert embedded.returncode == 0 and remote.returncode == 0, remote.stderr
    assert remote.stdout.count("\n") > 1
    assert remote.stdout == embedded.stdout


def test_remote_answers_do_not_depend_on_the_union_default_graph(loaded: dict[str, Server]) -> None:
    """Virtuoso's default graph holds its system graphs too; casegraph names the dataset's graphs."""
    ask = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for server in loaded.values():
        count = subprocess.run(
            [*CLI, "sparql", "-", "--graphs", "asserted", "--format", "csv", "--endpoint", server.query],
            input=ask,
            capture_output=True,
            text=True,
            check=False,
        )
        assert count.returncode == 0, count.stderr
        assert count.stdout.splitlines()[1] == str(local_counts()[ASSERTED])


# --- failures leave the previous data intact and say so in one line ----------------------------


def _seed_old_version(server: Server) -> set[str]:
    """A recognisable previous version of the asserted graph."""
    old = '<https://w3id.org/casegraph/id/test/old> <http://www.w3.org/2000/01/rdf-schema#label> "old" .\n'
    requests.put(
        server.graph_store,
        params={"graph": ASSERTED},
        data=old.encode(),
        headers={"Content-Type": "application/n-triples"},
        timeout=30,
    ).raise_for_status()
    return dump(server, ASSERTED)


def test_unreachable_endpoint(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    line = one_line_error(
        casegraph(
            "load",
            "--endpoint",
            f"{base}/query",
            "--graph-store",
            f"{base}/store",
            "--update",
            f"{base}/update",
            "--timeout",
            "5",
        )
    )
    assert f"{base}/update cannot be reached" in line  # the first request takes the store's lease
    assert line.endswith(
        f"graphs replaced: none; graphs unchanged: ontology, asserted:{SOURCE_ID}, evidence:{SOURCE_ID}, "
        "enrichment, inferred, metadata"
    )
    query = one_line_error(casegraph("query", "timeline", "--endpoint", f"{base}/query", "--timeout", "5"))
    assert query.startswith(f"casegraph: error: {base}/query cannot be reached")


def test_wrong_credentials_are_refused_and_never_printed(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    proxy.status_for("/", 401)
    env = {**os.environ, "CASEGRAPH_PASSWORD": SECRET}
    result = casegraph(
        *proxied_load_args(proxy, fresh_oxigraph),
        "--auth",
        "basic",
        "--user",
        "alice",
        env=env,
    )
    line = one_line_error(result)
    assert "refused the credentials (HTTP 401)" in line
    assert SECRET not in result.stderr + result.stdout
    remote = casegraph(
        "query",
        "timeline",
        "--endpoint",
        proxy.proxied(fresh_oxigraph.query),
        "--auth",
        "basic",
        "--user",
        "alice",
        env=env,
    )
    assert "refused the credentials (HTTP 401)" in one_line_error(remote)
    assert SECRET not in remote.stderr


def test_a_server_error_mid_load_keeps_the_previous_version(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    old = _seed_old_version(fresh_oxigraph)
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    # Requests: the lease (take, read it back) and the listing of stale staging graphs; then the
    # (empty) ontology graph takes count, POST, count; the (full) asserted graph takes count, POST
    # into staging, a lease check, MOVE, count. Fail the asserted POST, the 8th request.
    proxy.fail_nth(8, status=500)
    result = casegraph(
        *proxied_load_args(proxy, fresh_oxigraph),
    )
    line = one_line_error(result)
    assert "answered HTTP 500 to POST" in line
    assert line.endswith(
        f"graphs replaced: ontology; graphs unchanged: asserted:{SOURCE_ID}, evidence:{SOURCE_ID}, "
        "enrichment, inferred, metadata"
    )
    assert dump(fresh_oxigraph, ASSERTED) == old
    assert set(store_graphs(fresh_oxigraph)) == {GRAPHS["ontology"], ASSERTED}  # no staging graph left


@pytest.mark.parametrize("fault", ["cut", "garbage", "stall"])
def test_broken_answers_keep_the_previous_version(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy], fault: str
) -> None:
    old = _seed_old_version(fresh_oxigraph)
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    if fault == "cut":
        proxy.cut_nth(8)  # the asserted graph's upload: the connection closes unanswered
        expected = "closed the connection"
    elif fault == "garbage":
        proxy.garbage_nth(6)  # the ontology's verifying count gets a broken answer
        expected = "answered something that is not a SPARQL result"
    else:
        proxy.stall_nth(8, 3.0)  # the asserted graph's upload waits longer than --timeout
        expected = "did not answer within 1 s"
    result = casegraph(
        *proxied_load_args(proxy, fresh_oxigraph),
        "--timeout",
        "1",
    )
    line = one_line_error(result)
    assert expected in line, line
    assert dump(fresh_oxigraph, ASSERTED) == old


def test_a_broken_query_answer_is_one_line(
    loaded: dict[str, Server], fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy_factory(loaded["oxigraph"].base)
    proxy.garbage_nth(1)
    line = one_line_error(casegraph("query", "timeline", "--endpoint", proxy.proxied(loaded["oxigraph"].query)))
    assert "answered something that is not a SPARQL result" in line


# --- serve ---------------------------------------------------------------------------------------


def test_serve_is_a_read_only_endpoint_with_cors(tmp_path: Path) -> None:
    process, url, _ = serving(tmp_path, "--graphs", "ontology,asserted,enrichment")
    base = url.removesuffix("/query")
    try:
        # the evidence graph is not in the default graph, but a query can name it, as these two do
        for query in ("statements", "ordered-over-objection"):
            served = casegraph("query", query, "--format", "csv", "--endpoint", f"{base}/query")
            assert (served.stderr, served.stdout) == ("", casegraph("query", query, "--format", "csv").stdout)
        union = requests.get(
            f"{base}/query",
            params={"query": "SELECT (COUNT(*) AS ?n) {?s ?p ?o}"},
            headers={"Accept": "text/csv", "Origin": "http://example.org"},
            timeout=10,
        )
        counts = local_counts()
        served_graphs = (GRAPHS["ontology"], ASSERTED, GRAPHS["enrichment"])
        assert union.content.decode().splitlines()[1] == str(sum(counts[g] for g in served_graphs))
        assert union.headers.get("Access-Control-Allow-Origin") == "*"
        write = requests.post(
            f"{base}/update",
            data="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Content-Type": "application/sparql-update"},
            timeout=10,
        )
        assert write.status_code == 403
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    port = base.rsplit(":", 1)[1]  # nothing left behind: neither the server nor its worker processes
    assert subprocess.run(["pgrep", "-f", f"serve --port {port}"], capture_output=True, check=False).returncode == 1


def test_serve_refuses_a_store_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "file").write_text("x")
    result = casegraph("serve", "--store", str(tmp_path / "store"), "--port", str(free_port()))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"casegraph: error: --store {tmp_path / 'store'}: the folder is not empty; give a new folder for the store\n"
    )


def test_load_user_data_needs_a_graph_for_unnamed_triples(fresh_oxigraph: Server, tmp_path: Path) -> None:
    data = tmp_path / "mine.nt"
    data.write_text(
        '<https://example.org/a> <https://example.org/p> "x" .\n<https://example.org/a> '
        '<https://example.org/p> "y" .\n',
        encoding="utf-8",
    )
    refused = casegraph(*load_args(fresh_oxigraph), "--data", str(data))
    assert refused.returncode == 2
    assert (
        refused.stderr
        == "casegraph: error: --data: 2 triples are in no named graph; give --into IRI to name their graph\n"
    )
    graph = "https://example.org/graph/mine"
    done = casegraph(*load_args(fresh_oxigraph), "--data", str(data), "--into", graph)
    assert done.returncode == 0, done.stderr
    assert store_graphs(fresh_oxigraph) == {}  # not a casegraph graph: count it directly
    assert len(dump(fresh_oxigraph, graph)) == 2


def test_load_user_data_keeps_its_named_graphs(fresh_oxigraph: Server, tmp_path: Path) -> None:
    data = tmp_path / "all.nq"
    data.write_bytes(serialize(read_quads(), RdfFormat.NQUADS))
    done = casegraph(*load_args(fresh_oxigraph), "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert store_graphs(fresh_oxigraph) == local_counts()


def test_direct_loads_post_into_empty_graphs_and_put_over_full_ones(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    first = casegraph(*proxied_load_args(proxy, fresh_oxigraph), "--direct")
    assert first.returncode == 0, first.stderr
    methods = [method for method, _ in proxy.requests if method in ("PUT", "POST") and "/store" in _]
    assert methods == ["POST"] * len(GRAPHS)  # every graph was still empty
    before = {g: dump(fresh_oxigraph, g) for g in GRAPHS.values()}
    seen = len(proxy.requests)
    second = casegraph(*proxied_load_args(proxy, fresh_oxigraph), "--direct")
    assert second.returncode == 0, second.stderr
    assert [m for m, path in proxy.requests[seen:] if m in ("PUT", "POST") and "/store" in path] == ["PUT"] * len(
        GRAPHS
    )
    assert {g: dump(fresh_oxigraph, g) for g in GRAPHS.values()} == before
    assert store_graphs(fresh_oxigraph) == local_counts()


def test_an_empty_target_gets_one_post_and_no_staging(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    result = casegraph(*proxied_load_args(proxy, fresh_oxigraph))
    assert result.returncode == 0, result.stderr
    writes = [(method, path.split("?")[0]) for method, path in proxy.requests if method in ("PUT", "POST")]
    # the lease taken and released, and one POST per graph: no MOVE, no PUT
    assert [w for w in writes if w[1] != "/query"] == [
        ("POST", "/update"),
        *[("POST", "/store")] * len(GRAPHS),
        ("POST", "/update"),
    ]
    assert store_graphs(fresh_oxigraph) == local_counts()


def _seed_graph(server: Server, graph: str) -> None:
    """One triple in ``graph``, put there by another writer."""
    requests.post(
        server.graph_store,
        params={"graph": graph},
        data=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
        headers={"Content-Type": "application/n-triples"},
        timeout=30,
    ).raise_for_status()


def test_prune_drops_only_the_graphs_of_casegraphs_scheme_the_dataset_no_longer_has(fresh_oxigraph: Server) -> None:
    old_report = "https://w3id.org/casegraph/graph/asserted/old-report"
    foreign = "http://example.org/graph/theirs"
    for graph in (old_report, foreign):
        _seed_graph(fresh_oxigraph, graph)
    kept = casegraph(*load_args(fresh_oxigraph))
    assert kept.returncode == 0, kept.stderr
    assert f"<{old_report}>" in kept.stderr and "--prune" in kept.stderr
    assert old_report in store_graphs(fresh_oxigraph)
    pruned = casegraph(*load_args(fresh_oxigraph, "--prune"))
    assert pruned.returncode == 0, pruned.stderr
    assert f"pruning <{old_report}>: not in this dataset" in pruned.stderr
    assert store_graphs(fresh_oxigraph) == local_counts()  # exactly the dataset's graphs of our scheme
    assert dump(fresh_oxigraph, foreign)  # somebody else's graph is never touched


def test_a_second_report_loads_answers_across_both_and_is_pruned_when_removed(
    fresh_oxigraph: Server, two_reports: TwoReports
) -> None:
    two = casegraph(*load_args(fresh_oxigraph, "--dataset", str(two_reports.dataset)))
    assert two.returncode == 0, two.stderr
    second = {role_graph("asserted", SECOND), role_graph("evidence", SECOND)}
    assert set(store_graphs(fresh_oxigraph)) == set(GRAPHS.values()) | second
    people = casegraph("query", "people-and-posts", "--endpoint", fresh_oxigraph.query, "--format", "csv")
    assert people.returncode == 0, people.stderr
    assert (
        people.stdout
        == casegraph("query", "people-and-posts", "--dataset", str(two_reports.dataset), "--format", "csv").stdout
    )
    assert "post/california-state-medical-director" in people.stdout  # the second report's own fact
    pruned = casegraph(*load_args(fresh_oxigraph, "--prune"))
    assert pruned.returncode == 0, pruned.stderr
    assert [line for line in pruned.stderr.splitlines() if line.startswith("pruning")] == [
        f"pruning <{graph}>: not in this dataset" for graph in sorted(second)
    ]
    assert store_graphs(fresh_oxigraph) == local_counts()


INJECTIONS = [
    "http://ex/v> ; DROP SILENT GRAPH <http://example.org/graph/k2> ; INSERT DATA { GRAPH <http://ex/v",
    "not an iri",
    "relative/graph",
    "http://ex/a\nb",
]


@pytest.mark.parametrize("into", INJECTIONS)
def test_into_is_a_validated_iri_and_never_sql_text(fresh_oxigraph: Server, tmp_path: Path, into: str) -> None:
    """A user's --into reaches SPARQL Update only as a checked IRI term: a value that is not one is
    a usage error (exit 2, one line), dry run or not, and the store is untouched."""
    kept = "http://example.org/graph/k2"
    _seed_graph(fresh_oxigraph, kept)
    data = tmp_path / "mine.nt"
    data.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    for extra in ((), ("--dry-run",)):
        result = casegraph(*load_args(fresh_oxigraph, "--data", str(data), "--into", into, *extra))
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr.startswith(f"casegraph: error: --into: {into!r} is not ")
        assert result.stderr.count("\n") == 1
    assert store_graphs(fresh_oxigraph) == {}  # nothing of ours was written
    assert dump(fresh_oxigraph, kept)  # and the other graph is intact


def _update(server: Server, text: str) -> None:
    requests.post(
        server.update, data=text.encode(), headers={"Content-Type": "application/sparql-update"}, timeout=30
    ).raise_for_status()


def _lease(server: Server, holder: str, until: str) -> None:
    """Put a lease in the store as another loader's (its token ``holder``, ending at ``until``)."""
    _update(
        server,
        f'INSERT DATA {{ GRAPH <{LEASE_GRAPH}> {{ <urn:casegraph:lease> <urn:casegraph:lease#holder> "{holder}" ; '
        f'<urn:casegraph:lease#expires> "{until}"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}',
    )


def test_a_second_loader_is_refused_while_another_holds_the_lease(fresh_oxigraph: Server) -> None:
    """Two concurrent loads left a graph holding both versions, and both said "verified"."""
    _lease(fresh_oxigraph, "another-loader", "2999-01-01T00:00:00Z")
    line = one_line_error(casegraph(*load_args(fresh_oxigraph)))
    assert line == (
        f"casegraph: error: {fresh_oxigraph.query}: another casegraph load is writing to this store (its lease runs "
        "until 2999-01-01T00:00:00Z); wait for it to end, or retry after that time if it was stopped; "
        f"graphs replaced: none; graphs unchanged: ontology, asserted:{SOURCE_ID}, evidence:{SOURCE_ID}, enrichment, "
        "inferred, metadata"
    )
    assert store_graphs(fresh_oxigraph) == {LEASE_GRAPH: 2}  # nothing loaded, the other lease kept


def test_an_expired_lease_and_a_dead_loaders_staging_graphs_are_cleared(fresh_oxigraph: Server) -> None:
    """An interrupted load leaked its staging graphs into every later load's union."""
    _lease(fresh_oxigraph, "a-loader-that-died", "2000-01-01T00:00:00Z")
    staging = f"{ASSERTED}/staging/{'0' * 32}"
    _update(fresh_oxigraph, f"INSERT DATA {{ GRAPH <{staging}> {{ <http://e/s> <http://e/p> <http://e/o> }} }}")
    done = casegraph(*load_args(fresh_oxigraph))
    assert done.returncode == 0, done.stderr
    assert store_graphs(fresh_oxigraph) == local_counts()  # exactly the dataset: no lease, no staging


def test_a_connection_lost_while_writing_a_graph_says_its_state_is_unknown(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    """The connection dropped during the POST into an empty graph, and the load said "unchanged"
    (after a restart the graph held all its triples)."""
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    proxy.cut_nth(5)  # lease, lease read back, staging listing, the ontology's count, then its POST
    line = one_line_error(casegraph(*proxied_load_args(proxy, fresh_oxigraph)))
    assert "closed the connection" in line
    graph = GRAPHS["ontology"]
    assert line.endswith(
        "graphs replaced: none; graph ontology unknown (it may hold the old or the new version: compare "
        f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} with its {local_counts()[graph]} triples, or "
        f"load again); graphs unchanged: asserted:{SOURCE_ID}, evidence:{SOURCE_ID}, enrichment, inferred, metadata"
    )
    assert LEASE_GRAPH not in store_graphs(fresh_oxigraph)  # the lease was released all the same


@contextlib.contextmanager
def _load_until(proxy: FaultProxy, server: Server, requests_seen: int, *extra: str) -> Iterator[subprocess.Popen[str]]:
    """A `casegraph load` through ``proxy`` in a real process, once the proxy has seen
    ``requests_seen`` of its requests (stderr piped, as text)."""
    with subprocess.Popen(
        [*CLI, *proxied_load_args(proxy, server), *extra], stderr=subprocess.PIPE, text=True
    ) as process:
        deadline = time.monotonic() + 30
        while len(proxy.requests) < requests_seen:
            assert process.poll() is None and time.monotonic() < deadline, "the load did not get there"
            time.sleep(0.02)
        yield process


def test_ctrl_c_during_a_load_releases_the_lease_drops_its_staging_graph_and_says_what_was_replaced(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    """An interrupted load leaked its staging graphs; Ctrl-C should clean up and say where it stopped."""
    _seed_old_version(fresh_oxigraph)
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    # lease, read back, staging listing; ontology: count, POST, count; asserted: count, POST into
    # staging, then the lease check before the MOVE (the 9th request) stalls: stop it there
    proxy.stall_nth(9, 20.0)
    with _load_until(proxy, fresh_oxigraph, 9) as process:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 130 and process.stderr is not None
        said = process.stderr.read()
    assert said == (
        f"casegraph: the load stopped; graphs replaced: ontology; graph being written and after it, unchanged "
        f"unless its swap had begun: asserted:{SOURCE_ID}, evidence:{SOURCE_ID}, enrichment, inferred, metadata\n"
        "casegraph: stopped by SIGINT; nothing was written\n"
    )
    graphs = store_graphs(fresh_oxigraph)
    assert LEASE_GRAPH not in graphs and not any("/staging/" in g for g in graphs)
    assert set(graphs) == {GRAPHS["ontology"], ASSERTED}  # the new ontology, the old asserted graph


def test_a_server_killed_mid_load_is_one_line_naming_the_graphs(
    fresh_oxigraph: Server, fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    """A real `kill -9` of the Oxigraph server while the asserted graph is uploaded to staging."""
    proxy = fault_proxy_factory(fresh_oxigraph.base)
    proxy.stall_nth(8, 0.3)  # the asserted graph's POST into staging waits, and the server dies meanwhile
    with _load_until(proxy, fresh_oxigraph, 8, "--timeout", "10") as process:
        os.kill(fresh_oxigraph.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == 1 and process.stderr is not None
        said = process.stderr.read()
    assert said.count("\n") == 1 and "Traceback" not in said
    assert said.startswith("casegraph: error: ")
    assert said.rstrip("\n").endswith(
        f"graphs replaced: ontology; graphs unchanged: asserted:{SOURCE_ID}, evidence:{SOURCE_ID}, enrichment, "
        "inferred, metadata"
    )


# --- one HTTP policy ---------------------------------------------------------------------------


def test_credentials_are_sent_only_when_asked_and_a_bad_netrc_breaks_nothing(
    loaded: dict[str, Server], fault_proxy_factory: Callable[..., FaultProxy], tmp_path: Path
) -> None:
    """Without --auth, no request carries credentials, whatever ~/.netrc says (requests would
    send its entry for every request without an auth), and a malformed netrc is never read."""
    server = loaded["oxigraph"]
    proxy = fault_proxy_factory(server.base)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n", encoding="utf-8")
    env = {**os.environ, "NETRC": str(netrc), "HOME": str(tmp_path)}
    done = casegraph("query", "timeline", "--endpoint", proxy.proxied(server.query), env=env)
    assert done.returncode == 0, done.stderr
    load = casegraph(*proxied_load_args(proxy, server), "--graphs", "metadata", env=env)
    assert load.returncode == 0, load.stderr
    assert proxy.authorizations and set(proxy.authorizations) == {None}
    netrc.write_text("machine 127.0.0.1 login\n  this is not netrc syntax {\n", encoding="utf-8")
    again = casegraph("query", "timeline", "--endpoint", proxy.proxied(server.query), env=env)
    assert again.returncode == 0, again.stderr


def test_a_query_sent_to_the_update_endpoint_says_so(loaded: dict[str, Server]) -> None:
    server = loaded["oxigraph"]
    line = one_line_error(casegraph("query", "timeline", "--endpoint", server.update))
    assert "this looks like the update endpoint: give it to --update, and the query endpoint to --endpoint" in line
    assert "b'" not in line and "SPARQLWrapper" not in line  # our words, not a library's


def test_an_iri_no_triple_mentions_is_said_on_an_endpoint_too(loaded: dict[str, Server]) -> None:
    """(0 rows) came silently; on an endpoint one ASK finds that nothing mentions the IRI."""
    nobody = "https://w3id.org/casegraph/id/person/nobody"
    for engine in ("oxigraph", "virtuoso"):
        asked = casegraph("query", "evidence", "--param", f"resource={nobody}", "--endpoint", loaded[engine].query)
        assert asked.returncode == 0, asked.stderr
        warning = f"casegraph: warning: no triple of the graphs queried mentions <{nobody}>; the answer is empty\n"
        assert asked.stderr == warning
        vitolo = nobody.replace("nobody", "sara-vitolo")
        known = casegraph("query", "evidence", "--param", f"resource={vitolo}", "--endpoint", loaded[engine].query)
        assert (known.returncode, known.stderr) == (0, "")


def test_a_401_without_credentials_says_how_to_give_them(
    loaded: dict[str, Server], fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy_factory(loaded["oxigraph"].base)
    proxy.status_for("/query", 401)
    line = one_line_error(casegraph("query", "timeline", "--endpoint", proxy.proxied(loaded["oxigraph"].query)))
    assert "needs credentials (HTTP 401); give --auth basic|digest and --user" in line


def test_a_dripping_answer_is_bounded_in_total_not_per_read(
    loaded: dict[str, Server], fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    """A store whose answer comes a byte every 0.2 s never lets a per-read timeout fire (it hung
    past 120 s with --timeout 5); the bound on the whole request does."""
    proxy = fault_proxy_factory(loaded["oxigraph"].base)
    proxy.drip_nth(1, 0.2)
    started = time.monotonic()
    line = one_line_error(
        casegraph("query", "timeline", "--endpoint", proxy.proxied(loaded["oxigraph"].query), "--timeout", "0.8")
    )
    assert "did not finish its answer within 0.8 s" in line
    assert time.monotonic() - started < 10
    assert len(proxy.requests) == 1


def test_credentials_never_follow_a_redirect_to_another_origin(
    loaded: dict[str, Server], fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    """The store at 127.0.0.1 redirects to localhost, another origin (here a second proxy in front
    of the same Oxigraph, which records what arrives): with credentials the redirect is refused in
    one line and nothing reaches the other origin; without, it is followed and answered."""
    oxigraph = loaded["oxigraph"]
    origin, other = fault_proxy_factory(oxigraph.base), fault_proxy_factory(oxigraph.base)
    target = f"http://localhost:{other.port}/query"
    origin.redirect_for("/query", target)
    url = origin.proxied(oxigraph.query)
    env = {**os.environ, "CASEGRAPH_PASSWORD": "secret"}
    asked = casegraph("query", "timeline", "--endpoint", url, "--auth", "basic", "--user", "dba", env=env)
    line = one_line_error(asked)
    assert f"redirected to {target}, another origin; credentials are not sent there" in line
    assert "secret" not in asked.stderr + asked.stdout
    assert other.requests == []
    bare = casegraph("query", "timeline", "--endpoint", url, "--format", "csv")
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout == casegraph("query", "timeline", "--format", "csv").stdout  # Oxigraph's answer
    # the store's graph listing (which reports it holds), then the query: neither with credentials
    assert other.authorizations == [None, None]


class _Hostile:
    """A local server that misbehaves one way per path (the red team's cases, kept as tests)."""

    def __init__(self) -> None:
        import http.server
        import threading

        seen: list[tuple[str, str, str | None]] = []
        self.seen = seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self) -> None:
                seen.append((self.command, self.path, self.headers.get("Authorization")))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                mode = self.path.strip("/").split("?")[0]
                if mode == "short":  # promises more than it sends, then closes
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+xml")
                    self.send_header("Content-Length", "99999")
                    self.end_headers()
                    self.wfile.write(EMPTY_RESULTS)
                    self.close_connection = True
                    return
                if mode == "badgzip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+xml")
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", "10")
                    self.end_headers()
                    self.wfile.write(b"not gzip!!")
                    return
                if mode in ("loop", "file", "found", "ok-after"):
                    location = {
                        "loop": "/loop",
                        "file": "file:///etc/passwd",
                        "found": "/ok",
                        "ok-after": "/ok",
                    }[mode]
                    self.send_response(302 if mode == "found" else 307)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if mode == "echo":
                    import base64

                    auth = self.headers.get("Authorization", "")
                    body = b"error user " + (base64.b64decode(auth[6:]) if auth.startswith("Basic ") else b"")
                    self.send_response(500)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                answer_empty(self)

            do_GET = do_POST = answer

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("short", "closed the connection or sent a broken answer (connection closed by the server)"),
        ("badgzip", "closed the connection or sent a broken answer"),
        ("loop", "redirected more than 5 times; check the URL"),
        ("file", "redirected to an address that cannot be followed"),
        ("found", "redirected with HTTP 302, which would drop the request's body; give the URL it redirects to (/ok)"),
    ],
)
def test_a_broken_answer_or_redirect_is_one_line(path: str, expected: str) -> None:
    """No traceback from below requests: a short body, a body that is not the gzip it claims, a
    redirect loop, a redirect to file://, and a 302 that would turn the query's POST into a GET."""
    hostile = _Hostile()
    try:
        done = casegraph("query", "timeline", "--endpoint", f"{hostile.base}/{path}", "--timeout", "3")
        assert "Traceback" not in done.stderr
        assert expected in one_line_error(done)
        if path == "found":
            assert [method for method, _, _ in hostile.seen] == ["POST"]  # the GET without the query never left
    finally:
        hostile.close()


def test_a_password_echoed_by_the_server_is_not_printed_and_a_bad_netrc_is_not_read_when_unneeded(
    tmp_path: Path,
) -> None:
    hostile = _Hostile()
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login\n  this is not netrc syntax {\n", encoding="utf-8")
    env = {**os.environ, "CASEGRAPH_PASSWORD": "s3cr3t-PW", "NETRC": str(netrc), "HOME": str(tmp_path)}
    login = ("--auth", "basic", "--user", "dba")
    try:
        echoed = casegraph("query", "timeline", "--endpoint", f"{hostile.base}/echo", *login, env=env)
        line = one_line_error(echoed)
        assert "answered HTTP 500 to POST" in line and "user dba:***" in line
        assert "s3cr3t-PW" not in echoed.stderr + echoed.stdout
        fine = casegraph("query", "timeline", "--endpoint", f"{hostile.base}/ok-after", *login, env=env)
        assert fine.returncode == 0, fine.stderr
        assert hostile.seen[-1][1] == "/ok" and hostile.seen[-1][2] is not None  # same origin: credentials kept
    finally:
        hostile.close()


def test_an_endless_answer_stops_at_max_answer(
    loaded: dict[str, Server], fault_proxy_factory: Callable[..., FaultProxy]
) -> None:
    """An endless response body ended in a MemoryError traceback."""
    proxy = fault_proxy_factory(loaded["oxigraph"].base)
    proxy.endless_nth(1)
    url = proxy.proxied(loaded["oxigraph"].query)
    line = one_line_error(casegraph("query", "timeline", "--endpoint", url, "--max-answer", "2"))
    assert "answered more than 2 MB" in line
