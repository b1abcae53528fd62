"""Shared fixtures: the shipped dataset in an embedded store, the source text, a CLI runner."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from casegraph.cli import cli
from casegraph.dataset import open_dataset, read_quads
from casegraph.iris import SOURCE_ID
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


class Tree(Paths):
    """A source tree, with the files of the shipped report named."""

    @property
    def facts(self) -> Path:
        return self.root / "graph" / "article.ttl"

    @property
    def source(self) -> Path:
        return self.sources / f"{SOURCE_ID}.txt"

    @property
    def description(self) -> Path:
        return self.sources / f"{SOURCE_ID}.ttl"


def copy_tree(tmp_path: Path, paths: Paths) -> Tree:
    """A copy of the source tree ``paths`` (ontology and curated graph files, not the build), to edit."""
    root = tmp_path / "tree"
    shutil.copytree(paths.root / "ontology", root / "ontology")
    shutil.copytree(paths.root / "graph", root / "graph", ignore=shutil.ignore_patterns("build"))
    return Tree(root)


#: A second report written for the tests (a few sentences about CMS), as a curator adds one.
SECOND_REPORT = REPO / "tests" / "data" / "second-report"
SECOND = "test-cms-brief"


def add_second_report(tree: Tree) -> None:
    """Add the second report to ``tree`` as the README's steps say: its text and description in
    ``graph/sources/``, its facts in ``graph/``, its text's SHA-256 recorded."""
    shutil.copytree(SECOND_REPORT / "graph", tree.root / "graph", dirs_exist_ok=True)
    text = (tree.sources / f"{SECOND}.txt").read_bytes()
    with (tree.sources / "SHA256SUMS").open("a", encoding="utf-8") as out:
        out.write(f"{hashlib.sha256(text).hexdigest()}  {SECOND}.txt\n")


@dataclass(frozen=True)
class TwoReports:
    """The shipped tree with the second report added, and its dataset built."""

    tree: Tree
    dataset: Path


@pytest.fixture(scope="session")
def two_reports(tmp_path_factory: pytest.TempPathFactory, paths: Tree) -> TwoReports:
    from casegraph.build import build

    tree = copy_tree(tmp_path_factory.mktemp("two-reports"), paths)
    add_second_report(tree)
    dataset = tree.root / "out"
    dataset.mkdir()
    build(tree, output=dataset)
    return TwoReports(tree, dataset)


@pytest.fixture(scope="session")
def paths() -> Tree:
    return Tree(default_paths().root)


@pytest.fixture(scope="session")
def store() -> ox.Store:
    return open_dataset()


@pytest.fixture(scope="session")
def quads() -> list[ox.Quad]:
    return read_quads()


@pytest.fixture(scope="session")
def source_text(paths: Tree) -> str:
    return paths.source.read_bytes().decode("utf-8")


@pytest.fixture()
def run() -> Callable[..., Result]:
    """Run the CLI in-process; stdout and stderr are kept apart."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="casegraph")

    return invoke
