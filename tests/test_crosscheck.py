"""Cross-check the exports with parsers that share no code with casegraph or pyoxigraph.

Each export is written by ``casegraph export`` into a file, parsed by an independent tool
(rapper from raptor2-utils; jsonld.js, the JSON-LD reference processor), and the result must be
the same graph as the quads in the dataset itself. pyoxigraph is used only to read the tools'
N-Triples/N-Quads output back; the expected side is the built dataset file's quads, never passed
through a serialiser.

Terms are compared as sets of N-Triples (or N-Quads) lines. Both sides are canonicalised with
RDFC-1.0 first, so blank nodes would compare by structure, not by label (the dataset has none
today). Only the differences each tool is documented to introduce are normalised away.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from casegraph.cli import cli
from casegraph.dataset import parse_graphs, read_quads, select_quads
from casegraph.iris import GRAPHS

from .external import jsonld_js, require_tool

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
DEFAULT = "ontology,asserted"
ALL = "all"
TIMEOUT_S = 120

#: casegraph export format -> (file extension, rapper input format name)
RAPPER_INPUTS = {
    "turtle": ("ttl", "turtle"),
    "ntriples": ("nt", "ntriples"),
    "trig": ("trig", "trig"),
    "nquads": ("nq", "nquads"),
    "rdfxml": ("rdf", "rdfxml"),
}

Normaliser = Callable[[ox.Quad], ox.Quad]


def _readable(graphs: str) -> str:
    return graphs.replace(",", "+")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def built() -> list[ox.Quad]:
    """The dataset's quads exactly as ``casegraph build`` wrote them.

    Not an Oxigraph store: a store canonicalises some literals (``xsd:nonNegativeInteger``
    becomes ``xsd:integer``), and the exports publish the file as built.
    """
    return read_quads()


def expected_quads(built: list[ox.Quad], graphs: str) -> list[ox.Quad]:
    """The dataset's own quads for ``--graphs graphs``, not passed through any serialiser."""
    quads = select_quads(built, parse_graphs(graphs))
    assert quads, f"the dataset has no quads in graphs {graphs!r}; nothing to cross-check"
    return quads


def export(tmp_path: Path, fmt: str, graphs: str, extension: str) -> Path:
    """Run ``casegraph export`` into a file and return its absolute path."""
    out = (tmp_path / f"export-{_readable(graphs)}.{extension}").resolve()
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--graphs", graphs, "--output", str(out)])
    assert result.exit_code == 0, f"casegraph export failed: {result.output}{result.exception!r}"
    assert out.is_file() and out.stat().st_size > 0, f"casegraph export wrote nothing to {out}"
    return out


def run_rapper(path: Path, input_fmt: str, output_fmt: str = "ntriples") -> bytes:
    """``rapper -q -i input_fmt -o output_fmt path``; asserts exit 0 and a silent stderr."""
    rapper = require_tool("rapper")
    # rapper takes a name that is not an existing file for a URL and tries to fetch it, so
    # only ever hand it the absolute path of a file that is there.
    path = path.resolve()
    assert path.is_file(), path
    proc = subprocess.run(
        [rapper, "-q", "-i", input_fmt, "-o", output_fmt, str(path)],
        capture_output=True,
        check=False,
        timeout=TIMEOUT_S,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, f"rapper rejected {path.name} (exit {proc.returncode}):\n{stderr}"
    assert not stderr.strip(), f"rapper warned about {path.name}:\n{stderr}"
    return proc.stdout


def run_jsonld_js(path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*jsonld_js(), str(path.resolve())], capture_output=True, check=False, timeout=TIMEOUT_S)


def parse(data: bytes, fmt: ox.RdfFormat) -> list[ox.Quad]:
    return list(ox.parse(data, format=fmt))


def _map_literals(quad: ox.Quad, change: Callable[[ox.Literal], ox.Literal]) -> ox.Quad:
    obj = quad.object
    if isinstance(obj, ox.Literal):
        obj = change(obj)
    return ox.Quad(quad.subject, quad.predicate, obj, quad.graph_name)


def lower_language(quad: ox.Quad) -> ox.Quad:
    """Lower-case language tags.

    BCP 47 tags are case-insensitive, and rapper's N-Triples parser and jsonld.js's toRDF both
    lower-case them (STORES.md §4.1, §5.1), so tag case is not a difference between the graphs.
    (pyoxigraph already lower-cases tags when it builds a literal; this keeps the intent
    explicit and independent of that.)
    """

    def change(lit: ox.Literal) -> ox.Literal:
        if lit.language is None:
            return lit
        return ox.Literal(lit.value, language=lit.language.lower())

    return _map_literals(quad, change)


def plain_xsd_string(quad: ox.Quad) -> ox.Quad:
    """Write ``"x"^^xsd:string`` as the simple literal ``"x"``.

    In RDF 1.1 they are the same term, and jsonld.js writes xsd:string explicitly for some
    values and leaves it out for others (STORES.md §5.1); only the spelling differs.
    """

    def change(lit: ox.Literal) -> ox.Literal:
        if lit.language is None and lit.datatype.value == XSD_STRING:
            return ox.Literal(lit.value)
        return lit

    return _map_literals(quad, change)


def canonical_lines(quads: Iterable[ox.Quad], *, keep_graphs: bool, normalise: Iterable[Normaliser] = ()) -> set[str]:
    """Quads -> a set of N-Quads lines (or N-Triples lines when ``keep_graphs`` is false)."""
    steps = list(normalise)
    dataset = ox.Dataset()
    for quad in quads:
        if not keep_graphs:
            quad = ox.Quad(quad.subject, quad.predicate, quad.object)
        for step in steps:
            quad = step(quad)
        dataset.add(quad)
    # Relabel blank nodes from the graph structure, so two parsers' labels cannot differ.
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {f"{quad} ." for quad in dataset}


def differences(got: set[str], expected: set[str]) -> tuple[list[str], list[str]]:
    """(lines missing from ``got``, lines only in ``got``), sorted."""
    return sorted(expected - got), sorted(got - expected)


def assert_same(got: set[str], expected: set[str], what: str) -> None:
    missing, extra = differences(got, expected)
    if missing or extra:
        shown = [f"- {line}" for line in missing[:10]] + [f"+ {line}" for line in extra[:10]]
        pytest.fail(
            f"{what}: {len(missing)} of {len(expected)} expected lines missing, "
            f"{len(extra)} unexpected (first ten of each):\n" + "\n".join(shown),
            pytrace=False,
        )


# --------------------------------------------------------------------------- rapper

RAPPER_CASES = [
    pytest.param(fmt, graphs, id=f"{fmt}-{_readable(graphs)}")
    for fmt in ("turtle", "ntriples", "rdfxml")
    for graphs in (DEFAULT, ALL)
] + [pytest.param(fmt, ALL, id=f"{fmt}-{ALL}") for fmt in ("trig", "nquads")]


@pytest.mark.parametrize(("fmt", "graphs"), RAPPER_CASES)
def test_rapper_reads_the_same_triples(built: list[ox.Quad], tmp_path: Path, fmt: str, graphs: str) -> None:
    extension, rapper_input = RAPPER_INPUTS[fmt]
    path = export(tmp_path, fmt, graphs, extension)

    # rapper's ntriples output has no graph names, so TriG/N-Quads compare as merged triples.
    got = parse(run_rapper(path, rapper_input), ox.RdfFormat.N_TRIPLES)
    # Only language-tag case: rapper's N-Triples reader/writer lower-cases tags (STORES.md
    # §4.1). Its \u escapes of non-ASCII characters are undone by the parse above.
    normalise = [lower_language]
    assert_same(
        canonical_lines(got, keep_graphs=False, normalise=normalise),
        canonical_lines(expected_quads(built, graphs), keep_graphs=False, normalise=normalise),
        f"rapper -i {rapper_input} on the {fmt} export of {graphs}",
    )


# `rapper --help` (raptor2 2.0.15) lists nquads among the serialisers (-o), so the named
# graphs of TriG and N-Quads input can be checked, not only the merged triples.
@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_rapper_keeps_the_named_graphs(built: list[ox.Quad], tmp_path: Path, fmt: str) -> None:
    extension, rapper_input = RAPPER_INPUTS[fmt]
    path = export(tmp_path, fmt, ALL, extension)

    got = parse(run_rapper(path, rapper_input, "nquads"), ox.RdfFormat.N_QUADS)
    expected = expected_quads(built, ALL)
    assert len({q.graph_name for q in expected}) > 1, "'all' should span several named graphs"
    normalise = [lower_language]
    assert_same(
        canonical_lines(got, keep_graphs=True, normalise=normalise),
        canonical_lines(expected, keep_graphs=True, normalise=normalise),
        f"rapper -i {rapper_input} -o nquads on the {fmt} export of {ALL}",
    )


def test_rapper_rejects_broken_turtle(tmp_path: Path) -> None:
    rapper = require_tool("rapper")
    bad = tmp_path / "broken.ttl"
    bad.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b "never closed ;\n  ex:c ex:d .\n',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [rapper, "-q", "-i", "turtle", "-o", "ntriples", str(bad.resolve())],
        capture_output=True,
        check=False,
        timeout=TIMEOUT_S,
    )
    assert proc.returncode != 0, "rapper accepted a Turtle file with an unterminated string"
    assert b"Error" in proc.stderr, proc.stderr


def test_rapper_comparison_sees_a_changed_triple(built: list[ox.Quad], tmp_path: Path) -> None:
    """Drop one triple and change another in an export: the comparison must report both."""
    path = export(tmp_path, "ntriples", DEFAULT, "nt")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    triples = [line for line in lines if not line.startswith("#")]
    dropped, changed = triples[0], triples[1]
    edited = changed.replace("<http", "<urn:changed:http", 1)
    assert edited != changed
    path.write_text(
        "\n".join(edited if line == changed else line for line in lines if line != dropped) + "\n",
        encoding="utf-8",
    )

    got = parse(run_rapper(path, "ntriples"), ox.RdfFormat.N_TRIPLES)
    normalise = [lower_language]
    missing, extra = differences(
        canonical_lines(got, keep_graphs=False, normalise=normalise),
        canonical_lines(expected_quads(built, DEFAULT), keep_graphs=False, normalise=normalise),
    )
    as_lines = [f"{q} ." for text in (dropped, changed, edited) for q in parse(text.encode(), ox.RdfFormat.N_TRIPLES)]
    assert missing == sorted(as_lines[:2])
    assert extra == [as_lines[2]]


# --------------------------------------------------------------------------- jsonld.js


@pytest.mark.parametrize("graphs", [DEFAULT, ALL], ids=_readable)
def test_jsonld_js_reads_the_same_triples(built: list[ox.Quad], tmp_path: Path, graphs: str) -> None:
    path = export(tmp_path, "jsonld", graphs, "jsonld")
    proc = run_jsonld_js(path)
    assert proc.returncode == 0, f"jsonld.js rejected the export:\n{proc.stderr.decode()}"

    got = parse(proc.stdout, ox.RdfFormat.N_QUADS)
    # The named graphs read back apart, as in TriG and N-Quads. jsonld.js lower-cases language
    # tags, and writes or omits ^^xsd:string as it likes (STORES.md §5.1): both are spelling, not
    # content. Nothing else is normalised.
    normalise = [lower_language, plain_xsd_string]
    assert_same(
        canonical_lines(got, keep_graphs=True, normalise=normalise),
        canonical_lines(expected_quads(built, graphs), keep_graphs=True, normalise=normalise),
        f"jsonld.js toRDF of the jsonld export of {graphs}",
    )


def test_jsonld_js_comparison_sees_a_missing_node(built: list[ox.Quad], tmp_path: Path) -> None:
    """Remove one node object from the export: its triples must show up as missing."""
    path = export(tmp_path, "jsonld", DEFAULT, "jsonld")
    document = json.loads(path.read_text(encoding="utf-8"))
    nodes = document["@graph"][-1]["@graph"]  # the nodes of the last named graph
    removed = nodes.pop(len(nodes) // 2)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    proc = run_jsonld_js(path)
    assert proc.returncode == 0, proc.stderr.decode()
    got = parse(proc.stdout, ox.RdfFormat.N_QUADS)
    normalise = [lower_language, plain_xsd_string]
    missing, extra = differences(
        canonical_lines(got, keep_graphs=True, normalise=normalise),
        canonical_lines(expected_quads(built, DEFAULT), keep_graphs=True, normalise=normalise),
    )
    assert not extra
    assert missing, f"removing node {removed.get('@id')} went unnoticed"


JSONLD_REJECTS = [
    pytest.param(
        {"@context": "https://w3id.org/casegraph/context.jsonld", "@id": "http://example.org/a"},
        "https://w3id.org/casegraph/context.jsonld",
        id="remote-context-not-fetched",
    ),
    pytest.param(
        {"@context": {"@import": "http://example.org/ctx.jsonld"}, "@id": "http://example.org/a"},
        "http://example.org/ctx.jsonld",
        id="imported-context-not-fetched",
    ),
    pytest.param(
        {"@id": "http://example.org/a", "unmappedTerm": "would be dropped silently"},
        "Safe mode",
        id="safe-mode-unmapped-term",
    ),
]


@pytest.mark.parametrize(("document", "needle"), JSONLD_REJECTS)
def test_jsonld_js_reports_errors(tmp_path: Path, document: dict[str, object], needle: str) -> None:
    path = tmp_path / "input.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    proc = run_jsonld_js(path)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, stderr
    assert proc.stdout == b""
    assert stderr.startswith("ERROR ") and stderr.count("\n") == 1, stderr
    assert needle in stderr


def test_pyld_and_pyoxigraph_read_several_named_graphs_back_apart(built: list[ox.Quad], tmp_path: Path) -> None:
    """JSON-LD of several named graphs writes each as a graph object with its @id: pyld (a third
    implementation, besides jsonld.js above) and pyoxigraph read the same quads back."""
    from pyld import jsonld

    graphs = "enrichment,metadata"  # two small graphs: pyld is slow on large documents
    path = export(tmp_path, "jsonld", graphs, "jsonld")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert {node.get("@id") for node in document["@graph"] if "@graph" in node} >= {
        GRAPHS["enrichment"],
        GRAPHS["metadata"],
    }
    expected = canonical_lines(expected_quads(built, graphs), keep_graphs=True, normalise=[])
    read_by_pyld = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert_same(canonical_lines(parse(read_by_pyld.encode(), ox.RdfFormat.N_QUADS), keep_graphs=True, normalise=[]),
                expected, "pyld toRDF of the jsonld export")  # fmt: skip
    read_by_oxigraph = list(ox.parse(path=path, format=ox.RdfFormat.JSON_LD))
    assert_same(canonical_lines(read_by_oxigraph, keep_graphs=True, normalise=[]), expected, "pyoxigraph")
