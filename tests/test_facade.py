"""The façade: one function per command, on any source; the CLI is a thin layer over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from casegraph.dataset import dataset_file, read_quads, select_quads
from casegraph.endpoint import endpoint
from casegraph.errors import UsageError
from casegraph.export import RdfFormat, serialize
from casegraph.facade import Source, export, query, sparql

from .conftest import Run, solutions, value

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


def test_a_query_on_the_default_source_is_the_clis(run: Run) -> None:
    rows = solutions(query("people-and-posts"))
    csv = rows.serialize(format=ox.QueryResultsFormat.CSV) or b""
    cli = run("query", "people-and-posts", "--format", "csv")
    assert cli.stdout_bytes.replace(b"\r\n", b"\n") == csv.replace(b"\r\n", b"\n")


def test_sparql_runs_on_your_own_files_over_the_union_of_their_graphs(tmp_path: Path) -> None:
    mine = tmp_path / "mine.nq"
    mine.write_bytes(serialize(select_quads(read_quads(), ("ontology", "asserted")), RdfFormat.NQUADS))
    (row,) = solutions(sparql(COUNT, Source(data=(str(mine),))))
    assert int(value(row["n"])) == len(select_quads(read_quads(), ("ontology", "asserted")))


def test_export_writes_a_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "facts.nt"
    export(None, "ntriples", str(target), graphs=["asserted"])
    assert {str(t) for t in ox.parse(path=target, format=ox.RdfFormat.N_TRIPLES)} == {
        str(ox.Triple(q.subject, q.predicate, q.object)) for q in select_quads(read_quads(), ("asserted",))
    }


def test_a_built_dataset_answers_like_the_shipped_one(tmp_path: Path) -> None:
    folder = tmp_path / "built"
    folder.mkdir()
    (folder / "casegraph.nq").write_bytes(dataset_file().read_bytes())
    assert [str(r) for r in solutions(query("timeline", source=Source(dataset=folder)))] == [
        str(r) for r in solutions(query("timeline"))
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sparql(COUNT, Source(data=("x.nt",), endpoint=endpoint("http://127.0.0.1:9/q"))), "leave out --data"),
        (lambda: sparql(COUNT, graphs=["asserted", "bogus"]), "unknown graph role 'bogus'"),
        (lambda: sparql(COUNT, Source(with_article=True)), "--with-article goes with --data"),
    ],
    ids=["endpoint-and-data", "unknown-role", "article-without-data"],
)
def test_a_source_that_makes_no_sense_is_a_usage_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call()
