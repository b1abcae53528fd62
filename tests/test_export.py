"""Exports: every format round-trips to the same graph, byte-identically on every run."""

from __future__ import annotations

import io
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
from casegraph.export import (
    RdfFormat,
    Spaced,
    _prefix_head,
    context,
    graph_iri,
    readable_quads,
    readable_triples,
    serialize,
)
from casegraph.iris import GRAPHS, ID_NS, PREFIXES

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


def test_exports_are_byte_identical_across_hash_seeds(run: Run, tmp_path: Path) -> None:
    """One process under a fixed hash seed writes every export kind whose order casegraph makes
    (Turtle, compact JSON-LD, RDF/XML, N-Triples, a frame); this process, under its own random
    seed, writes the same bytes."""
    exports = {
        "turtle": ["--format", "turtle", "--graphs", "all"],
        "jsonld": ["--format", "jsonld", "--graphs", "all"],
        "rdfxml": ["--format", "rdfxml", "--graphs", "all"],
        "ntriples": ["--format", "ntriples", "--graphs", "all"],
        "frame": ["--frame", "people"],
    }
    script = (
        "import sys\nfrom casegraph.cli import cli\n"
        "for name, args in eval(sys.argv[1]).items():\n"
        "    cli(['export', *args, '--output', sys.argv[2] + '/' + name], standalone_mode=False)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run([sys.executable, "-c", script, repr(exports), str(tmp_path)], env=env, check=True)
    for name, args in exports.items():
        here = run("export", *args)
        assert here.exit_code == 0, here.stderr
        assert (tmp_path / name).read_text(encoding="utf-8") == here.stdout, name


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
    assert tampered.stderr == f"casegraph: error: {copy}: 2 difference(s) from the recorded checksums (listed above)\n"
    nothing = run("verify", str(tmp_path))
    assert (nothing.exit_code, nothing.stderr) == (
        1,
        f"casegraph: error: {tmp_path}: not a dataset written by `casegraph build` (no SHA256SUMS or casegraph.nq), "
        "a package or a site written by `casegraph publish`\n",
    )


# --- readable Turtle and TriG ---------------------------------------------------------------------


def _subject_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line and not line.startswith(("@prefix", "#", "\t", "}"))]


def test_the_built_turtle_is_greppable_spaced_and_grouped_by_type() -> None:
    """Every name was written `id:event\\/hhs-order` (grep for `id:event/hhs-order` found nothing)
    and 800 subjects followed one another without a break, in IRI order."""
    text = (REPO / "graph" / "build" / "casegraph.ttl").read_text(encoding="utf-8")
    lines = text.split("\n")
    start = lines.index("event:hhs-order a cg:Directive ;")  # grep 'event:hhs-order' finds the block
    assert lines[start - 1] == ""
    assert lines[start : lines.index("", start)] == [
        "event:hhs-order a cg:Directive ;",
        '\tskos:prefLabel "HHS order to hand the Medicaid data to DHS"@en ;',
        "\tcg:addressedTo agency:cms ;",
        "\tcg:deadline when:hhs-order-deadline ;",
        "\tcg:documentedIn document:hhs-emails ;",
        "\tcg:issuedBy group:kennedy-advisers ;",
        "\tcg:occurredAt when:hhs-order ;",
        "\tcg:onBehalfOf agency:hhs ;",
        "\tcg:overObjection event:cms-objection ;",
        "\tcg:timeToComply when:hhs-order-time-to-comply .",
    ]
    assert " id:" not in text.replace("@prefix id:", "") and not text.startswith("id:")  # every family has its prefix
    for before, line in zip(lines, lines[1:], strict=False):  # a blank line before each subject, and one only
        if line and not line.startswith(("@prefix", "\t", "#")):
            assert before == "", line
        assert before or line, "two blank lines"
    assert text.endswith(" .\n")
    subjects = _subject_lines(text)
    header = subjects.index("<https://w3id.org/casegraph/ontology> a owl:Ontology ;")
    families = tuple(f"{p}:" for p, ns in PREFIXES.items() if ns.startswith(ID_NS))
    assert all(not s.startswith(families) for s in subjects[header:])  # the ontology's declarations last
    assert all(" a owl:" not in s for s in subjects[:header])
    types = [s.split(" a ")[1].split(" ")[0] for s in subjects[:header] if " a " in s]
    assert types.index("cg:Directive") < types.index("cg:Person") < types.index("cg:Statute")  # by type


def test_rdflib_reads_the_built_turtle_to_the_same_triples() -> None:
    path = REPO / "graph" / "build" / "casegraph.ttl"
    by_rdflib = Graph().parse(path, format="turtle").serialize(format="nt", encoding="utf-8")
    assert _set(list(ox.parse(by_rdflib, format=ox.RdfFormat.N_TRIPLES)), False) == _set(
        list(ox.parse(path=path, format=ox.RdfFormat.TURTLE)), False
    )


def test_a_blank_line_never_lands_inside_a_literal_and_chunks_do_not_matter() -> None:
    """pyoxigraph escapes line breaks inside literals (never a long string), so the blank lines,
    inserted after the lines that end a subject, cannot change a value; fed a byte at a time the
    writer writes the same bytes; the named graphs are spaced too, but not before their brace."""
    tricky = 'one .\ntwo ;\n\tthree """ "four" \'\'\' .\n}\n@prefix x: <y> .\r\nend \\ .'
    event, person, label = (ox.NamedNode(ID_NS + p) for p in ("event/x", "person/y", "label"))
    graph = ox.NamedNode("https://example.org/g")
    quads = [
        ox.Quad(event, label, ox.Literal(tricky), graph),
        ox.Quad(event, label, ox.Literal("b"), graph),
        ox.Quad(person, label, ox.Literal(tricky, language="en"), graph),
        ox.Quad(person, ox.NamedNode(ID_NS + "knows"), event, ox.DefaultGraph()),
    ]
    escaped = '"one .\\ntwo ;\\n\\tthree \\"\\"\\" \\"four\\" \'\'\' .\\n}\\n@prefix x: <y> .\\r\\nend \\\\ ."'
    head = _prefix_head(ox.RdfFormat.TRIG).decode()
    trig = serialize(quads, RdfFormat.TRIG)
    assert trig.decode() == (
        f"{head}\n"
        f"<https://example.org/g> {{\n"
        f'\tevent:x id:label "b" , {escaped} .\n\n'
        f"\tperson:y id:label {escaped}@en .\n"
        f"}}\n\n"
        f"person:y id:knows event:x .\n"
    )  # the default graph last, as before
    turtle = serialize(quads, RdfFormat.TURTLE)
    for data, fmt in ((trig, RdfFormat.TRIG), (turtle, RdfFormat.TURTLE)):
        assert _set(list(ox.parse(data, format=fmt.ox_format)), fmt.keeps_graphs) == _set(quads, fmt.keeps_graphs)
        plain = ox.serialize(
            readable_quads(quads) if fmt.keeps_graphs else readable_triples(quads),
            format=fmt.ox_format,
            prefixes=PREFIXES,
        )
        assert plain is not None
        for size in (1, 2, 3, 5, 8192):
            out = io.BytesIO()
            sink = Spaced(out, fmt.ox_format)
            for at in range(0, len(plain), size):
                sink.write(plain[at : at + size])
            sink.close()
            assert out.getvalue() == data, (fmt, size)


def test_a_streamed_data_export_is_spaced_too(run: Run, tmp_path: Path) -> None:
    """`export --data` streams in the input's order (no grouping), with the same blank lines."""
    data = tmp_path / "mine.nq"
    data.write_text(
        f'<{ID_NS}event/b> <{ID_NS}p> "x\\ny" .\n'
        f"<{ID_NS}event/b> <{ID_NS}q> <{ID_NS}time/b/end> .\n"
        f'<{ID_NS}event/a> <{ID_NS}p> "z" <https://example.org/g> .\n',
        encoding="utf-8",
    )
    turtle = run("export", "--data", str(data), "--format", "turtle").stdout
    assert turtle.endswith(
        '\n\nevent:b id:p "x\\ny" ;\n\tid:q when:b\\/end .\n\nevent:a id:p "z" .\n'
    )  # a nested name keeps its escaped slash after the family's prefix
    trig = run("export", "--data", str(data), "--format", "trig").stdout
    assert trig.endswith('\n\n<https://example.org/g> {\n\tevent:a id:p "z" .\n}\n')
    assert ".\n\n<https://example.org/g> {\n" in trig


def test_every_family_of_names_has_its_own_prefix_and_none_overrides_a_term(quads: list[ox.Quad]) -> None:
    """A family prefix named as a term of the context (`organization`) or another prefix (`time`)
    would silently replace it: JSON keeps the last of two equal keys."""
    raw = (REPO / "ontology" / "context.jsonld").read_text(encoding="utf-8")
    keys = [key for key, _ in json.loads(raw, object_pairs_hook=list)[0][1]]
    assert len(keys) == len(set(keys))
    families = {
        t.value[len(ID_NS) :].split("/")[0]
        for q in quads
        for t in (q.subject, q.object, q.graph_name)
        if isinstance(t, ox.NamedNode) and t.value.startswith(ID_NS)
    }
    assert {f for f in families if ID_NS + f + "/" not in PREFIXES.values()} == set()
    assert (PREFIXES["when"], PREFIXES["orgn"]) == (ID_NS + "time/", ID_NS + "organization/")
    assert (PREFIXES["time"], context()["@context"]["organization"]["@id"]) == (
        "http://www.w3.org/2006/time#",
        "org:organization",
    )
