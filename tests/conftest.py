"""Shared fixtures: the shipped dataset in an embedded store, the source text, a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from casegraph.cli import cli
from casegraph.dataset import open_dataset, read_quads
from casegraph.resources import Paths, default_paths

#: The real-server and fault-proxy fixtures, registered once for the whole run.
pytest_plugins = ("tests.servers", "tests.faultproxy")

REPO = Path(__file__).resolve().parent.parent

#: The ``run`` fixture: the CLI in-process, stdout and stderr apart.
Run = Callable[..., Result]
#: The ``at`` fixture of the answer tests: where the report's words start, as a string.
At = Callable[[str], str]


def solutions(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """The rows of a SELECT (a test that gets anything else fails here)."""
    assert isinstance(result, ox.QuerySolutions), result
    return result


def value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    """A term's IRI, label or lexical form (a triple term's N-Triples form)."""
    return str(term) if isinstance(term, (ox.Triple, ox.DefaultGraph)) else term.value


@pytest.fixture(scope="session")
def paths() -> Paths:
    return default_paths()


@pytest.fixture(scope="session")
def store() -> ox.Store:
    return open_dataset()


@pytest.fixture(scope="session")
def quads() -> list[ox.Quad]:
    return read_quads()


@pytest.fixture(scope="session")
def source_text(paths: Paths) -> str:
    return paths.source.read_bytes().decode("utf-8")


@pytest.fixture()
def run() -> Callable[..., Result]:
    """Run the CLI in-process; stdout and stderr are kept apart."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke
