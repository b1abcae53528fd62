"""The load stage's local parts: splitting the dataset into graphs, and credentials."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from casegraph.dataset import dataset_file, parse_graphs
from casegraph.endpoint import AuthKind, Credentials, credentials, endpoint
from casegraph.errors import UsageError
from casegraph.iris import GRAPHS
from casegraph.load import GraphSource, _insert_chunks, dataset_file_sources, dataset_sources

ROLES = parse_graphs("all")


def _triples(source: GraphSource) -> set[str]:
    out = io.BytesIO()
    source.write(out)
    return {str(q) for q in ox.parse(out.getvalue(), format=ox.RdfFormat.N_TRIPLES)}


def test_splitting_the_dataset_file_equals_parsing_it(quads: list[ox.Quad], tmp_path: Path) -> None:
    split = dataset_file_sources(dataset_file(), ROLES, tmp_path)
    assert split is not None
    fast, present = split
    parsed, also = dataset_sources(quads, ROLES)
    assert present == also == set(GRAPHS.values())
    assert [(s.label, s.graph, s.count) for s in fast] == [(s.label, s.graph, s.count) for s in parsed]
    for a, b in zip(fast, parsed, strict=True):
        assert _triples(a) == _triples(b)


def test_a_file_of_another_layout_is_parsed_instead(tmp_path: Path) -> None:
    odd = tmp_path / "casegraph.nq"
    odd.write_text("<http://e/a> <http://e/b> <http://e/c> <http://e/some-other-graph> .\n", encoding="utf-8")
    assert dataset_file_sources(odd, ROLES, tmp_path) is None


def test_update_chunks_are_valid_sparql_and_cover_every_triple(quads: list[ox.Quad]) -> None:
    (source,), _ = dataset_sources(quads, ("asserted",))
    body = io.BytesIO()
    source.write(body)
    store = ox.Store()
    sizes = []
    for text, size in _insert_chunks(body, GRAPHS["asserted"]):
        store.update(text)
        sizes.append(size)
    assert sum(sizes) == source.count == len(store)
    assert len(sizes) == -(-source.count // 5000)


def test_the_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASEGRAPH_PASSWORD", "from-env")
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    creds = credentials("http://127.0.0.1:8890/sparql", kind="digest", user="dba", interactive=False)
    assert creds == Credentials(AuthKind.DIGEST, "dba", "from-env")
    assert "from-env" not in repr(creds)


def test_the_password_comes_from_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CASEGRAPH_PASSWORD", raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password from-netrc\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    creds = credentials("http://127.0.0.1:7878/query", kind="basic", user=None, interactive=False)
    assert creds == Credentials(AuthKind.BASIC, "alice", "from-netrc")


def test_no_password_is_a_clear_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CASEGRAPH_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    with pytest.raises(UsageError) as err:
        credentials("http://127.0.0.1:7878/query", kind="basic", user="alice", interactive=False)
    assert str(err.value) == (
        "no password for alice at 127.0.0.1: set CASEGRAPH_PASSWORD, add 127.0.0.1 to ~/.netrc, or run on a terminal "
        "to be asked"
    )
    prompted = credentials(
        "http://127.0.0.1:7878/query", kind="basic", user="alice", interactive=True, prompt=lambda text: "typed"
    )
    assert prompted == Credentials(AuthKind.BASIC, "alice", "typed")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/q", "--endpoint 'ftp://127.0.0.1/q': not an http(s) URL"),
        ("http://bob:pw@127.0.0.1/q", "--endpoint: do not put credentials in the URL"),
    ],
)
def test_bad_endpoint_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        endpoint(url)
