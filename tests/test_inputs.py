"""Any RDF the user supplies (--data): every input format, stdin, on-disk stores, streamed exports,
and bad input that is reported with file, line and column while nothing is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from casegraph.dataset import parse_graphs, read_quads, select_quads
from casegraph.errors import DatasetError
from casegraph.export import RdfFormat, serialize
from casegraph.inputs import check_memory

from .external import jsonld_js

CLI = [sys.executable, "-c", "from casegraph.cli import main; main()"]
EXTENSIONS = {"turtle": "ttl", "trig": "trig", "ntriples": "nt", "nquads": "nq", "jsonld": "jsonld", "rdfxml": "rdf"}


def casegraph(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, check=False, timeout=120)


@pytest.fixture(scope="module")
def article_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The ontology, asserted and evidence graphs (what the statements query reads) in every input format."""
    folder = tmp_path_factory.mktemp("inputs")
    quads = select_quads(read_quads(), parse_graphs("ontology,asserted,evidence"))
    files = {}
    for name, ext in EXTENSIONS.items():
        path = folder / f"article.{ext}"
        path.write_bytes(serialize(quads, RdfFormat(name)))
        files[name] = path
    return files


@pytest.fixture(scope="module")
def shipped_statements() -> bytes:
    return casegraph("query", "statements", "--format", "csv").stdout


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_every_input_format_answers_like_the_shipped_dataset(
    fmt: str, article_files: dict[str, Path], shipped_statements: bytes
) -> None:
    result = casegraph("query", "statements", "--format", "csv", "--data", str(article_files[fmt]))
    assert result.returncode == 0, result.stderr
    assert result.stdout == shipped_statements


def test_stdin_needs_and_takes_an_input_format(article_files: dict[str, Path], shipped_statements: bytes) -> None:
    data = article_files["ntriples"].read_bytes()
    refused = casegraph("query", "statements", "--data", "-", stdin=data)
    assert refused.returncode == 2 and b"--input-format" in refused.stderr
    done = casegraph("query", "statements", "--format", "csv", "--data", "-", "--input-format", "ntriples", stdin=data)
    assert done.returncode == 0 and done.stdout == shipped_statements


def test_an_unknown_extension_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "data.rdfx"
    path.write_text("")
    result = casegraph("query", "timeline", "--data", str(path))
    assert result.returncode == 2
    assert result.stderr.decode() == (
        f"casegraph: error: --data {path}: cannot tell the format from '.rdfx'; "
        "give --input-format (turtle, trig, ntriples, nquads, jsonld, rdfxml)\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "where", "detail"),
    [
        (
            "truncated.nt",
            '<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> "cut',
            "2:27",
            "not valid ntriples (Unexpected end of file)",
        ),
        (
            "broken.ttl",
            '@prefix e: <http://e/> .\ne:a e:b e:c ;\n  e:d [ e:x "y" .\n',
            "3:17",
            "not valid turtle (blank node property lists should end with a ']')",
        ),
    ],
    ids=["truncated-ntriples", "malformed-turtle"],
)
@pytest.mark.parametrize("command", ["export", "query"])
def test_bad_input_names_file_line_and_column_and_writes_nothing(
    tmp_path: Path, name: str, text: str, where: str, detail: str, command: str
) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "out.nq"
    args = ["export", "--format", "nquads", "--output", str(target)] if command == "export" else ["query", "timeline"]
    result = casegraph(*args, "--data", str(source))
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode() == f"casegraph: error: {source}:{where}: {detail}; nothing was written or loaded\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_an_on_disk_store_is_reused_without_the_data(
    tmp_path: Path, article_files: dict[str, Path], shipped_statements: bytes
) -> None:
    store = tmp_path / "store"
    first = casegraph(
        "query", "statements", "--format", "csv", "--data", str(article_files["nquads"]), "--store", str(store)
    )
    assert first.returncode == 0 and first.stdout == shipped_statements
    again = casegraph("query", "statements", "--format", "csv", "--store", str(store))
    assert again.returncode == 0 and again.stdout == shipped_statements
    twice = casegraph("query", "statements", "--data", str(article_files["nquads"]), "--store", str(store))
    assert twice.returncode == 2 and b"already holds a dataset" in twice.stderr
    assert not (tmp_path / "store.partial").exists()


def test_a_failed_store_build_leaves_no_store(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://e/a> <http://e/b> "cut\n', encoding="utf-8")
    result = casegraph("query", "timeline", "--data", str(bad), "--store", str(tmp_path / "store"))
    assert result.returncode == 1
    assert not (tmp_path / "store").exists() and not (tmp_path / "store.partial").exists()


def test_too_large_for_memory_is_refused_before_parsing(article_files: dict[str, Path]) -> None:
    path = str(article_files["ntriples"])
    with pytest.raises(DatasetError, match=r"would be needed to hold the input in memory .* add --store DIR"):
        check_memory([path], ["ntriples"], limit=1000)
    check_memory([path], ["ntriples"], limit=10**12)  # plenty: no error


def test_with_article_merges_the_article(tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "x"@en .\n')
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    alone = casegraph("sparql", "-", "--format", "csv", "--data", str(extra), stdin=count.encode())
    merged = casegraph(
        "sparql",
        "-",
        "--format",
        "csv",
        "--data",
        str(extra),
        "--with-article",
        "--graphs",
        "asserted",
        stdin=count.encode(),
    )
    asserted = len(select_quads(read_quads(), ("asserted",)))
    assert alone.stdout.decode().splitlines()[1] == "1"
    assert merged.stdout.decode().splitlines()[1] == str(asserted + 1)


def test_data_that_restates_the_article_answers_as_the_article_does(tmp_path: Path) -> None:
    """The README's own use: your data (here the article's facts, exported) with --with-article.
    Each restated triple was held twice, every join through it doubled, and the main query ran out
    of memory (24 GB, killed). --timeout 20 bounds the old behaviour; the answer now takes 0.2 s."""
    mine = tmp_path / "mine.nt"
    mine.write_bytes(serialize(select_quads(read_quads(), ("asserted",)), RdfFormat.NTRIPLES))
    args = ("query", "ordered-over-objection", "--format", "csv")
    both = casegraph(*args, "--data", str(mine), "--with-article", "--timeout", "20")
    assert (both.returncode, both.stderr) == (0, b"")
    assert both.stdout == casegraph(*args).stdout
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"  # the union is the article's set: nothing twice
    union = casegraph("sparql", "-", "--format", "csv", "--data", str(mine), "--with-article", "--graphs",
                      "ontology,asserted,evidence,inferred", stdin=count.encode())  # fmt: skip
    expected = len({(q.subject, q.predicate, q.object) for q in select_quads(
        read_quads(), ("ontology", "asserted", "evidence", "inferred"))})  # fmt: skip
    assert union.stdout.decode().splitlines()[1] == str(expected)


@pytest.mark.parametrize("fmt", ["nquads", "ntriples", "turtle", "trig", "jsonld", "rdfxml"])
def test_streamed_exports_keep_every_triple_exactly(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "all.nq"
    source.write_bytes(serialize(read_quads(), RdfFormat.NQUADS))
    target = tmp_path / f"out.{EXTENSIONS[fmt]}"
    result = casegraph("export", "--data", str(source), "--format", fmt, "--output", str(target))
    assert result.returncode == 0, result.stderr
    keeps = fmt in ("nquads", "trig", "jsonld")

    def key(q: ox.Quad) -> str:
        return str(q) if keeps else str(ox.Triple(q.subject, q.predicate, q.object))

    expected = {key(q) for q in read_quads()}
    assert {key(q) for q in ox.parse(path=str(target), format=RdfFormat(fmt).ox_format)} == expected
    again = tmp_path / f"again.{EXTENSIONS[fmt]}"
    casegraph("export", "--data", str(source), "--format", fmt, "--output", str(again))
    assert again.read_bytes() == target.read_bytes()


def test_the_streamed_compact_jsonld_reads_the_same_in_jsonld_js(tmp_path: Path) -> None:
    source = tmp_path / "all.nq"
    source.write_bytes(serialize(read_quads(), RdfFormat.NQUADS))
    target = tmp_path / "out.jsonld"
    assert casegraph("export", "--data", str(source), "--format", "jsonld", "--output", str(target)).returncode == 0
    done = subprocess.run([*jsonld_js(), str(target)], capture_output=True, check=True)
    triples = {
        str(ox.Triple(q.subject, q.predicate, q.object)) for q in ox.parse(done.stdout, format=ox.RdfFormat.N_QUADS)
    }
    expected = {str(ox.Triple(q.subject, q.predicate, q.object)) for q in read_quads()}
    # jsonld.js lower-cases language tags (BCP 47 tags are case-insensitive): ours are all "en".
    assert triples == expected


def test_endpoint_and_data_do_not_mix(article_files: dict[str, Path]) -> None:
    result = casegraph(
        "query", "timeline", "--data", str(article_files["nquads"]), "--endpoint", "http://127.0.0.1:9/query"
    )
    assert result.returncode == 2 and b"leave out --data" in result.stderr


def test_streamed_and_shipped_jsonld_are_one_dialect(tmp_path: Path) -> None:
    """The same quads give the same node objects whether exported from the dataset or streamed
    from --data (one writer: same compact IRIs, same literal forms, named graphs as graph objects)."""
    selected = select_quads(read_quads(), parse_graphs("ontology,asserted"))
    source = tmp_path / "in.nq"
    source.write_bytes(serialize(selected, RdfFormat.NQUADS))
    target = tmp_path / "out.jsonld"
    assert casegraph("export", "--data", str(source), "--format", "jsonld", "--output", str(target)).returncode == 0

    def nodes(document: dict[str, object]) -> dict[str, list[str]]:
        graphs: dict[str, list[str]] = {}
        for graph in document["@graph"]:  # type: ignore[attr-defined]
            graphs.setdefault(graph["@id"], []).extend(json.dumps(n, sort_keys=True) for n in graph["@graph"])
        return {name: sorted(found) for name, found in graphs.items()}

    shipped = json.loads(serialize(selected, RdfFormat.JSONLD))
    streamed = json.loads(target.read_text(encoding="utf-8"))
    assert shipped["@context"] == streamed["@context"]
    assert nodes(streamed) == nodes(shipped)
    assert len(nodes(shipped)) == 2  # the ontology and the asserted graph, apart
