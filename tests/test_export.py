"""Exports: every format round-trips to the same graph, byte-identically on every run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from casegraph.dataset import parse_graphs, select_quads
from casegraph.export import RdfFormat, context, graph_iri, serialize
from casegraph.iris import GRAPHS

from .conftest import REPO, Run


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


# --- the format from the file name, and canonical N-Quads ----------------------------------------


def test_the_format_comes_from_the_file_name_and_never_contradicts_it(run: Run, tmp_path: Path) -> None:
    """`export --output x.jsonld` wrote Turtle into x.jsonld; `--format turtle --output x.jsonld`
    did too. The extension names the format; a contradiction or an ambiguous name is refused."""
    for name, fmt in [("x.jsonld", "jsonld"), ("x.nq", "nquads"), ("x.trig", "trig"), ("x.rdf", "rdfxml")]:
        assert run("export", "--output", str(tmp_path / name)).exit_code == 0
        assert (tmp_path / name).read_text(encoding="utf-8") == run("export", "--format", fmt).stdout, name
    assert run("export", "--format", "jsonld-expanded", "--output", str(tmp_path / "e.jsonld")).exit_code == 0
    refusals = {
        ("--format", "turtle", "--output", str(tmp_path / "t.jsonld")): (
            f"--format turtle contradicts --output {tmp_path / 't.jsonld'}, whose .jsonld is jsonld; change one of them"
        ),
        ("--output", str(tmp_path / "r.json")): (
            f"--output {tmp_path / 'r.json'}: .json may hold several formats; give --format, or an extension of "
            ".ttl, .jsonld, .trig, .nq, .nt, .rdf, .owl"
        ),
        ("--output", str(tmp_path / "r.txt")): (
            f"--output {tmp_path / 'r.txt'}: .txt names no RDF format; give --format, or an extension of .ttl, "
            ".jsonld, .trig, .nq, .nt, .rdf, .owl"
        ),
    }
    for args, message in refusals.items():
        refused = run("export", *args)
        assert (refused.exit_code, refused.stderr) == (2, f"casegraph: error: {message}\n")
    assert not any(p.name.startswith(("t.", "r.")) for p in tmp_path.iterdir())  # nothing written
    assert run("export", "--format", "jsonld", "--output", str(tmp_path / "j.json")).exit_code == 0  # said


BLANK = """\
_:a <http://example.org/knows> _:b <http://example.org/g> .
_:b <http://example.org/knows> _:a <http://example.org/g> .
_:c <http://example.org/knows> _:d .
_:d <http://example.org/knows> _:c .
_:c <http://example.org/name> "Zoë \\"quoted\\"\\nline"@en .
<http://example.org/s> <http://example.org/p> _:e _:f .
_:e <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> _:f .
"""


def test_canonical_nquads_are_rdfc_1_0_as_pyld_computes_them(run: Run, tmp_path: Path, quads: list[ox.Quad]) -> None:
    """RDFC-1.0 (pyoxigraph) and URDNA2015 (pyld, an independent implementation) give the same
    bytes, whatever the input's order and blank node labels."""
    from pyld import jsonld

    metadata = [q for q in quads if q.graph_name == ox.NamedNode(GRAPHS["metadata"])]
    data = BLANK + (ox.serialize(metadata, format=ox.RdfFormat.N_QUADS) or b"").decode()
    first = tmp_path / "first.nq"
    first.write_text(data, encoding="utf-8")
    shuffled = tmp_path / "second.nq"
    lines = data.splitlines(keepends=True)
    shuffled.write_text("".join(reversed(lines)).replace("_:a", "_:z1").replace("_:c", "_:z2"), encoding="utf-8")
    ours = [run("export", "--data", str(path), "--canonical").stdout for path in (first, shuffled)]
    theirs = jsonld.normalize(
        data, {"algorithm": "URDNA2015", "inputFormat": "application/n-quads", "format": "application/n-quads"}
    )
    assert ours == [theirs, theirs]
    assert "_:c14n0" in theirs and theirs.count("\n") == len(lines)
    refused = run("export", "--canonical", "--format", "turtle")
    assert refused.stderr == (
        "casegraph: error: --canonical writes canonical N-Quads (RDFC-1.0), not turtle; give --format nquads, and "
        "a .nq file or standard output\n"
    )


def test_the_default_export_describes_itself(run: Run, tmp_path: Path) -> None:
    """`export` (and the shipped casegraph.ttl/.jsonld) carried no licence, no description of the
    source and no checksum: every oa:hasSource pointed at a node the file never described."""
    dcterms, spdx = "http://purl.org/dc/terms/", "http://spdx.org/rdf/terms#"
    source = ox.NamedNode("https://w3id.org/casegraph/id/source/ap-2025-06-13-medicaid-data-dhs")
    shipped = REPO / "graph" / "build"
    for fmt, name in ((ox.RdfFormat.TURTLE, "casegraph.ttl"), (ox.RdfFormat.JSON_LD, "casegraph.jsonld")):
        exported = run("export", "--format", "turtle" if name.endswith("ttl") else "jsonld").stdout.encode()
        assert exported == (shipped / name).read_bytes()
        triples = list(ox.parse(exported, format=fmt))
        about = {t.predicate.value for t in triples if t.subject == source}
        assert {dcterms + "title", dcterms + "rightsHolder", dcterms + "publisher", spdx + "checksum"} <= about
        assert any(t.predicate.value == dcterms + "license" for t in triples)  # the dataset's licence, an IRI
    only = run("export", "--graphs", "asserted", "--format", "nquads").stdout  # asked for: exactly that
    assert {line.rsplit(" ", 2)[1] for line in only.splitlines() if line and not line.startswith("#")} == {
        f"<{GRAPHS['asserted']}>"
    }
    mine = tmp_path / "mine.nt"
    mine.write_text("<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n", encoding="utf-8")
    for extra in ((), ("--with-article",)):  # your data never gets the article's description unasked
        theirs = run("export", "--data", str(mine), *extra, "--format", "nquads").stdout_bytes
        names = {graph_iri(q) for q in ox.parse(theirs, format=ox.RdfFormat.N_QUADS)}
        assert GRAPHS["metadata"] not in names and len(names) == (3 if extra else 1)  # default (+ ontology, asserted)


def test_verify_recomputes_every_checksum_and_names_each_difference(run: Run, tmp_path: Path) -> None:
    """Fixity an archive can check: each file's SHA-256, and each graph's canonical SHA-256, which
    the metadata records and `export --graphs ROLE --canonical | sha256sum` reproduces."""
    import hashlib
    import shutil

    shipped = REPO / "graph" / "build"
    fine = run("verify", str(shipped))
    assert (fine.exit_code, fine.stdout) == (0, "")
    assert fine.stderr == f"verified 4 files and 5 graphs' canonical hashes in {shipped}\n"
    canonical = run("export", "--graphs", "asserted", "--canonical").stdout_bytes
    recorded = f'"{hashlib.sha256(canonical).hexdigest()}"'
    assert any(
        recorded in line and "rdfc-1.0-sha256" in line for line in (shipped / "casegraph.nq").read_text().splitlines()
    )
    copy = tmp_path / "copy"
    shutil.copytree(shipped, copy)
    (copy / "casegraph.ttl").write_bytes((copy / "casegraph.ttl").read_bytes().replace(b"Sara Vitolo", b"Sara Vitola"))
    nq = copy / "casegraph.nq"  # a fact changed, its file's checksum updated to match: only the graph's hash tells
    nq.write_bytes(
        nq.read_bytes().replace(
            b'"Kim Brandt"@en <https://w3id.org/casegraph/graph/asserted/',
            b'"Kim Brand"@en <https://w3id.org/casegraph/graph/asserted/',
        )
    )
    sums = (copy / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    digest = hashlib.sha256(nq.read_bytes()).hexdigest()
    (copy / "SHA256SUMS").write_text(
        "\n".join(f"{digest}  casegraph.nq" if line.endswith("casegraph.nq") else line for line in sums) + "\n",
        encoding="utf-8",
    )
    tampered = run("verify", str(copy))
    assert tampered.exit_code == 1
    lines = tampered.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [str(copy / "casegraph.ttl"), "graph <https"]
    assert lines[1].startswith(f"graph <{GRAPHS['asserted']}>: canonical SHA-256 ")
    assert tampered.stderr == f"casegraph: error: {copy}: 2 checksum(s) differ (listed above)\n"
    nothing = run("verify", str(tmp_path))
    assert (nothing.exit_code, nothing.stderr) == (
        1,
        f"casegraph: error: {tmp_path}: not a dataset written by `casegraph build` (no SHA256SUMS or casegraph.nq)\n",
    )
