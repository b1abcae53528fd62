"""Exports: every format round-trips to the same graph, byte-identically on every run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from casegraph.dataset import parse_graphs, select_quads
from casegraph.export import RdfFormat, context, graph_iri, serialize
from casegraph.iris import GRAPHS


def _set(quads: list[ox.Quad], keep_graphs: bool) -> set[str]:
    return {str(q if keep_graphs else ox.Triple(q.subject, q.predicate, q.object)) for q in quads}


@pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.value)
@pytest.mark.parametrize("graphs", ["ontology,asserted", "all", "metadata"])
def test_every_format_round_trips(fmt: RdfFormat, graphs: str, quads: list[ox.Quad]) -> None:
    selected = select_quads(quads, parse_graphs(graphs))
    data = serialize(selected, fmt)
    parsed = list(ox.parse(data, format=fmt.ox_format))
    assert _set(parsed, fmt.keeps_graphs) == _set(selected, fmt.keeps_graphs)


# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph and Dataset API internally (rdflib 7.6).
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_jsonld_round_trips_through_rdflib_too(quads: list[ox.Quad]) -> None:
    """rdflib's JSON-LD parser (a second implementation) reads the compact export to the same graph."""
    selected = select_quads(quads, parse_graphs("ontology,asserted"))
    parsed = Dataset().parse(data=serialize(selected, RdfFormat.JSONLD).decode(), format="json-ld")
    for role in ("ontology", "asserted"):
        graph = parse_graphs(role)
        expected = Graph().parse(data=serialize(select_quads(quads, graph), RdfFormat.NTRIPLES).decode(), format="nt")
        named = parsed.graph(URIRef(GRAPHS[role]))
        assert isomorphic(named, expected), role


def test_trig_and_nquads_keep_the_named_graphs(quads: list[ox.Quad]) -> None:
    for fmt in (RdfFormat.TRIG, RdfFormat.NQUADS):
        data = serialize(select_quads(quads, parse_graphs("all")), fmt)
        names = {graph_iri(q) for q in ox.parse(data, format=fmt.ox_format)}
        assert names == set(GRAPHS.values())


def test_jsonld_embeds_the_published_context_inline(quads: list[ox.Quad]) -> None:
    document = json.loads(serialize(select_quads(quads, parse_graphs("asserted")), RdfFormat.JSONLD))
    assert document["@context"] == context()["@context"]
    assert isinstance(document["@context"], dict)
    (asserted,) = document["@graph"]  # one named graph: one graph object, with its nodes
    assert asserted["@id"] == GRAPHS["asserted"]
    ids = [node["@id"] for node in asserted["@graph"]]
    assert ids == sorted(ids) and len(ids) > 100


def test_exports_carry_quotes_not_the_article(quads: list[ox.Quad], source_text: str) -> None:
    data = serialize(select_quads(quads, parse_graphs("all")), RdfFormat.NTRIPLES).decode()
    paragraphs = [p for p in source_text.split("\n") if len(p) > 400]
    assert paragraphs and not any(p in data for p in paragraphs)


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "rdfxml", "ntriples"])
def test_exports_are_byte_identical_across_hash_seeds(fmt: str) -> None:
    outputs = set()
    for seed in ("0", "7", "123"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from casegraph.cli import main; main()",
                "export",
                "--format",
                fmt,
                "--graphs",
                "all",
            ],
            capture_output=True,
            check=True,
            env=env,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
