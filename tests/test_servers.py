"""The real-server fixtures (tests/servers.py) and the fault-injecting proxy (tests/faultproxy.py)."""

# The fixtures are imported here, so every test parameter named like one "redefines" it:
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
import json
import os
import socket
import stat
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.auth import HTTPDigestAuth

from . import servers
from .faultproxy import FaultProxy, fault_proxy
from .servers import (
    Server,
    ServerUnavailable,
    free_port,
    running_oxigraph,
    running_virtuoso,
    unavailable,
)

NTRIPLES = "application/n-triples"
SPARQL_JSON = "application/sparql-results+json"
TIMEOUT = 10  # seconds, for every request that is not meant to time out


def new_graph() -> str:
    """A graph IRI no other test uses (the session servers are shared)."""
    return f"http://example.org/test-servers/{uuid.uuid4()}"


def tiny_graph(count: int, tag: str = "") -> bytes:
    """``count`` distinct N-Triples, with non-ASCII text to exercise the byte path."""
    lines = [f'<http://example.org/s{i}> <http://example.org/p> "Zürich {tag}{i}"@de .' for i in range(count)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def count_in_graph(query_url: str, graph: str, **kwargs: Any) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return count(query_url, query, **kwargs)


def count(query_url: str, query: str, **kwargs: Any) -> int:
    response = requests.get(
        query_url, params={"query": query}, headers={"Accept": SPARQL_JSON}, timeout=TIMEOUT, **kwargs
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def gsp_put(server: Server, graph: str, data: bytes, *, url: str | None = None, **kwargs: Any) -> requests.Response:
    return requests.put(
        url or server.graph_store,
        params={server.graph_param: graph},
        data=data,
        headers={"Content-Type": NTRIPLES},
        timeout=TIMEOUT,
        **kwargs,
    )


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --------------------------------------------------------------------------- Oxigraph


def test_oxigraph_gsp_put_then_count(oxigraph_server: Server) -> None:
    assert oxigraph_server.kind == "oxigraph"
    assert oxigraph_server.base.startswith("http://127.0.0.1:")
    graph = new_graph()
    response = gsp_put(oxigraph_server, graph, tiny_graph(3))
    assert response.status_code == 201, response.text  # a new graph
    assert count_in_graph(oxigraph_server.query, graph) == 3
    response = gsp_put(oxigraph_server, graph, tiny_graph(5, "v2"))
    assert response.status_code == 204  # replaced
    assert count_in_graph(oxigraph_server.query, graph) == 5


def test_oxigraph_update_endpoint(oxigraph_server: Server) -> None:
    graph = new_graph()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/b> "c" }} }}'
    response = requests.post(oxigraph_server.update, data={"update": update}, timeout=TIMEOUT)
    assert response.status_code == 204, response.text
    assert count_in_graph(oxigraph_server.query, graph) == 1


def test_server_is_frozen(oxigraph_server: Server) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        oxigraph_server.base = "http://example.org"  # type: ignore[misc]
    assert oxigraph_server.log.is_file()
    assert pid_alive(oxigraph_server.pid)


def test_fresh_oxigraph_is_empty_and_separate(fresh_oxigraph: Server, oxigraph_server: Server) -> None:
    assert fresh_oxigraph.base != oxigraph_server.base
    assert gsp_put(oxigraph_server, new_graph(), tiny_graph(2)).status_code == 201
    everything = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    assert count(fresh_oxigraph.query, everything) == 0
    assert count(oxigraph_server.query, everything) >= 2


def test_running_oxigraph_stops_the_process(tmp_path: Path) -> None:
    with running_oxigraph(tmp_path, in_memory=True) as server:
        pid = server.pid
        assert count(server.query, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 0
    assert not pid_alive(pid)
    with pytest.raises(requests.ConnectionError):
        requests.get(server.query, params={"query": "ASK{}"}, timeout=TIMEOUT)


def test_running_oxigraph_stops_on_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"), running_oxigraph(tmp_path, in_memory=True) as server:
        pid = server.pid
        raise RuntimeError("boom")
    assert not pid_alive(pid)


def test_a_dying_server_reports_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "fake-oxigraph"
    fake.write_text("#!/bin/sh\necho 'fatal: cannot open the store' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with (
        pytest.raises(ServerUnavailable, match=r"(?s)status 3.*fatal: cannot open the store"),
        running_oxigraph(tmp_path / "work", binary=str(fake)),
    ):
        pass  # pragma: no cover


def test_missing_binary_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ServerUnavailable, match="cannot run"), running_oxigraph(tmp_path, binary=str(tmp_path / "no")):
        pass  # pragma: no cover
    monkeypatch.setattr(servers, "find_binary", lambda name: None)
    with pytest.raises(ServerUnavailable, match="virtuoso-opensource-7-bin"), running_virtuoso(tmp_path):
        pass  # pragma: no cover
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        unavailable("no server")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("no server")


# --------------------------------------------------------------------------- Virtuoso


def test_virtuoso_endpoints(virtuoso_server: Server) -> None:
    assert virtuoso_server.kind == "virtuoso"
    assert virtuoso_server.query.endswith("/sparql")
    assert virtuoso_server.graph_store.endswith("/sparql-graph-crud")
    assert virtuoso_server.graph_store_auth is not None and virtuoso_server.graph_store_auth.endswith("-auth")
    assert (virtuoso_server.user, virtuoso_server.password) == ("dba", "dba")


def test_virtuoso_anonymous_gsp_put_then_count(virtuoso_server: Server) -> None:
    graph = new_graph()
    response = gsp_put(virtuoso_server, graph, tiny_graph(3))  # needs the GRANT done by the fixture
    assert response.status_code == 201, response.text
    assert count_in_graph(virtuoso_server.query, graph) == 3


def test_virtuoso_anonymous_update(virtuoso_server: Server) -> None:
    graph = new_graph()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/b> "c" }} }}'
    response = requests.post(virtuoso_server.update, data={"update": update}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert count_in_graph(virtuoso_server.query, graph) == 1


def test_virtuoso_digest_gsp_put_then_count(virtuoso_server: Server) -> None:
    assert virtuoso_server.graph_store_auth and virtuoso_server.query_auth
    assert virtuoso_server.user and virtuoso_server.password
    auth = HTTPDigestAuth(virtuoso_server.user, virtuoso_server.password)
    graph = new_graph()
    unauthenticated = gsp_put(virtuoso_server, graph, tiny_graph(4), url=virtuoso_server.graph_store_auth)
    assert unauthenticated.status_code == 401
    assert "digest" in unauthenticated.headers.get("WWW-Authenticate", "").lower()
    response = gsp_put(virtuoso_server, graph, tiny_graph(4), url=virtuoso_server.graph_store_auth, auth=auth)
    assert response.status_code == 201, response.text
    assert count_in_graph(virtuoso_server.query_auth, graph, auth=auth) == 4
    assert count_in_graph(virtuoso_server.query, graph) == 4


def test_virtuoso_default_graph_is_a_union(virtuoso_server: Server) -> None:
    """Virtuoso's default graph is the union of all graphs (system graphs too); `GRAPH <g>` is exact."""
    graph = new_graph()
    assert gsp_put(virtuoso_server, graph, tiny_graph(3)).status_code == 201
    assert count_in_graph(virtuoso_server.query, graph) == 3
    union = count(virtuoso_server.query, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert union > 3  # includes our 3 triples plus thousands of system triples
    mine = count(virtuoso_server.query, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
    assert mine == 3


# --------------------------------------------------------------------------- the proxy

SELECT_ORDERED = "SELECT ?s ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} ORDER BY ?s"


@pytest.fixture()
def loaded_graph(oxigraph_server: Server) -> str:
    graph = new_graph()
    assert gsp_put(oxigraph_server, graph, tiny_graph(3)).status_code == 201
    return graph


def query_via(url: str, graph: str, timeout: float = TIMEOUT) -> requests.Response:
    return requests.get(
        url, params={"query": SELECT_ORDERED.format(g=graph)}, headers={"Accept": SPARQL_JSON}, timeout=timeout
    )


def test_proxy_passes_through(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        direct = query_via(oxigraph_server.query, loaded_graph)
        proxied = query_via(proxy.proxied(oxigraph_server.query), loaded_graph)
        assert proxied.status_code == direct.status_code == 200
        assert proxied.content == direct.content
        assert proxied.headers["Content-Type"] == direct.headers["Content-Type"]
        assert len(proxied.json()["results"]["bindings"]) == 3
        # a body, through the proxy: PUT (Content-Length) and POST (chunked) both arrive intact
        graph = new_graph()
        put = gsp_put(oxigraph_server, graph, tiny_graph(2), url=proxy.proxied(oxigraph_server.graph_store))
        assert put.status_code == 201
        chunked = requests.post(
            proxy.proxied(oxigraph_server.graph_store),
            params={"graph": graph},
            data=iter([tiny_graph(1, "chunk-a"), tiny_graph(1, "chunk-b").replace(b"s0", b"s9")]),
            headers={"Content-Type": NTRIPLES},
            timeout=TIMEOUT,
        )
        assert chunked.status_code == 204, chunked.text
        assert count_in_graph(oxigraph_server.query, graph) == 4
        assert [method for method, _ in proxy.requests] == ["GET", "PUT", "POST"]
        assert proxy.errors == []


def test_proxy_keeps_digest_auth(virtuoso_server: Server) -> None:
    assert virtuoso_server.graph_store_auth and virtuoso_server.user and virtuoso_server.password
    auth = HTTPDigestAuth(virtuoso_server.user, virtuoso_server.password)
    graph = new_graph()
    with fault_proxy(virtuoso_server.base) as proxy:
        url = proxy.proxied(virtuoso_server.graph_store_auth)
        response = gsp_put(virtuoso_server, graph, tiny_graph(2), url=url, auth=auth)
        assert response.status_code == 201, response.text
        # the challenge (401) and the authenticated retry both went through the proxy
        assert [method for method, _ in proxy.requests] == ["PUT", "PUT"]
    assert count_in_graph(virtuoso_server.query, graph) == 2


def test_proxy_fail_nth_hits_exactly_that_request(oxigraph_server: Server) -> None:
    graph = new_graph()
    with fault_proxy(oxigraph_server.base) as proxy:
        url = proxy.proxied(oxigraph_server.update)
        proxy.fail_nth(2)
        statuses = []
        for i in range(3):
            update = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s{i}> <http://example.org/p> {i} }} }}"
            statuses.append(requests.post(url, data={"update": update}, timeout=TIMEOUT).status_code)
        assert statuses == [204, 500, 204]
        proxy.fail_nth(1, status=503)
        assert requests.post(url, data={"update": "INSERT DATA {}"}, timeout=TIMEOUT).status_code == 503
        assert len(proxy.requests) == 4
    # the failed request never reached the server
    assert count_in_graph(oxigraph_server.query, graph) == 2


def test_proxy_cut_nth_gives_a_connection_error(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        url = proxy.proxied(oxigraph_server.query)
        proxy.cut_nth(1)
        with pytest.raises(requests.ConnectionError):
            query_via(url, loaded_graph)
        assert query_via(url, loaded_graph).status_code == 200
        assert len(proxy.requests) == 2


def test_proxy_garbage_is_unparseable(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        url = proxy.proxied(oxigraph_server.query)
        proxy.garbage_nth(1)
        response = query_via(url, loaded_graph)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(SPARQL_JSON)
        with pytest.raises(ValueError):
            json.loads(response.content)
        assert len(query_via(url, loaded_graph).json()["results"]["bindings"]) == 3


def test_proxy_stall_trips_a_client_timeout(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        url = proxy.proxied(oxigraph_server.query)
        proxy.stall_nth(1, 1.5)
        started = time.monotonic()
        with pytest.raises(requests.Timeout):
            query_via(url, loaded_graph, timeout=0.5)
        assert time.monotonic() - started < 1.4
        # the next request is not held up by the stalled one
        started = time.monotonic()
        assert query_via(url, loaded_graph).status_code == 200
        assert time.monotonic() - started < 1.0
    assert proxy.requests[0][0] == "GET"


def test_proxy_status_for_a_path_prefix(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        proxy.status_for("/query", 401)
        query_url = proxy.proxied(oxigraph_server.query)
        assert [query_via(query_url, loaded_graph).status_code for _ in range(3)] == [401, 401, 401]
        store = requests.get(
            proxy.proxied(oxigraph_server.graph_store),
            params={"graph": loaded_graph},
            headers={"Accept": NTRIPLES},
            timeout=TIMEOUT,
        )
        assert store.status_code == 200
        assert len(store.content.decode("utf-8").splitlines()) == 3
        proxy.passthrough()
        assert query_via(query_url, loaded_graph).status_code == 200


def test_proxy_records_requests_and_stops(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        query_via(proxy.proxied(oxigraph_server.query), loaded_graph)
        requests.head(proxy.proxied(oxigraph_server.graph_store), params={"graph": loaded_graph}, timeout=TIMEOUT)
        recorded = proxy.requests
        port = proxy.port
    assert [method for method, _ in recorded] == ["GET", "HEAD"]
    assert recorded[0][1].startswith("/query?query=SELECT")
    assert recorded[1][1] == "/store?graph=" + urllib.parse.quote(loaded_graph, safe="")
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # pragma: no cover


def test_proxy_factory_fixture_and_loopback_only(
    fault_proxy_factory: object, oxigraph_server: Server, loaded_graph: str
) -> None:
    assert callable(fault_proxy_factory)
    proxy = fault_proxy_factory(oxigraph_server.base)
    assert isinstance(proxy, FaultProxy)
    assert query_via(proxy.proxied(oxigraph_server.query), loaded_graph).status_code == 200
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("http://example.org/")
    with pytest.raises(ValueError):
        proxy.proxied("http://example.org/query")


def test_proxy_answers_502_when_upstream_is_down() -> None:
    with fault_proxy(f"http://127.0.0.1:{free_port()}", upstream_timeout=2) as proxy:
        response = requests.get(proxy.url + "/query?query=ASK%7B%7D", timeout=TIMEOUT)
        assert response.status_code == 502
        assert response.headers["X-Fault-Proxy"] == "upstream error"
        assert len(proxy.errors) == 1


def test_proxy_drip_sends_the_whole_answer_slowly(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        url = proxy.proxied(oxigraph_server.query)
        direct = query_via(oxigraph_server.query, loaded_graph)
        proxy.drip_nth(1, 0.001)
        started = time.monotonic()
        dripped = query_via(url, loaded_graph)
        assert dripped.content == direct.content  # every byte, in order
        assert time.monotonic() - started >= len(direct.content) * 0.001


def test_proxy_endless_never_ends(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        proxy.endless_nth(1)
        with requests.get(
            proxy.proxied(oxigraph_server.query),
            params={"query": SELECT_ORDERED.format(g=loaded_graph)},
            headers={"Accept": SPARQL_JSON},
            stream=True,
            timeout=TIMEOUT,
        ) as answer:
            assert answer.headers["Content-Type"].startswith(SPARQL_JSON) and "Content-Length" not in answer.headers
            received = 0
            for chunk in answer.iter_content(65_536):
                assert chunk.strip() == b""
                received += len(chunk)
                if received > 8 * 2**20:
                    break
        assert received > 8 * 2**20
        assert query_via(proxy.proxied(oxigraph_server.query), loaded_graph).status_code == 200


def test_proxy_redirect_for_a_path_prefix(oxigraph_server: Server, loaded_graph: str) -> None:
    with fault_proxy(oxigraph_server.base) as proxy:
        proxy.redirect_for("/query", "http://localhost:9/elsewhere")
        url = proxy.proxied(oxigraph_server.query)
        for _ in range(2):
            sent = requests.get(url, params={"query": "ASK {}"}, allow_redirects=False, timeout=TIMEOUT)
            assert (sent.status_code, sent.headers["Location"]) == (307, "http://localhost:9/elsewhere")
        proxy.passthrough()
        assert query_via(url, loaded_graph).status_code == 200
        assert len(proxy.requests) == 3
