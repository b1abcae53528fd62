"""The ``casegraph`` command line: help, the bundled queries, bad input, outputs, exports, build.

Every bad invocation must end with exit code 1 (failure) or 2 (usage), one line on stderr that
starts with "casegraph: error: " (or click's own "Error:" output for its option parsing), nothing
on stdout, no traceback, and no file left behind or half-written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import Result

from casegraph.cli import cli
from casegraph.dataset import read_quads
from casegraph.export import graph_iri
from casegraph.iris import GRAPHS, ID_NS
from casegraph.queries import Parameter, with_bindings

from .conftest import REPO

Run = Callable[..., Result]

COMMANDS = sorted(cli.commands)
QUERY_IDS = [
    "dataset-contents",
    "evidence",
    "legal-authorities",
    "ordered-over-objection",
    "people-and-posts",
    "state-programs",
    "statements",
    "timeline",
]
ORDERED_OVER_OBJECTION_VARS = [
    "order", "orderLabel", "issuer", "issuerLabel", "principal", "principalLabel",
    "addressee", "addresseeLabel", "orderDate", "deadline", "objection", "objectionLabel", "objectionDate",
    "evidence", "evidenceStart", "evidenceEnd", "evidenceFor", "relation", "value", "valueLabel",
]  # fmt: skip
ORDERED_OVER_OBJECTION_ROWS = 11
VITOLO = ID_NS + "person/sara-vitolo"
SPARQL_RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
RDF_FORMATS = ["turtle", "jsonld", "trig", "nquads", "ntriples", "rdfxml"]
CHOICES = "ontology, asserted, evidence, enrichment, inferred, metadata, all"


def assert_usage_error(result: Result, message: str) -> None:
    """Exit 2, nothing on stdout, and exactly our one-line message on stderr."""
    assert_error(result, 2, message)


def assert_error(result: Result, code: int, message: str) -> None:
    """Exit ``code``, nothing on stdout, and exactly ``casegraph: error: <message>`` on stderr."""
    assert_one_line(result, code)
    assert result.stderr == f"casegraph: error: {message}\n"


def assert_one_line(result: Result, code: int) -> None:
    """Exit ``code``, nothing on stdout, one ``casegraph: error:`` line on stderr, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("casegraph: error: ")
    assert result.stderr.endswith("\n")
    assert result.stderr.count("\n") == 1, result.stderr


def listing(folder: Path) -> list[str]:
    """Every name in ``folder``, hidden ones included (temporary files start with a dot)."""
    return sorted(p.name for p in folder.iterdir())


# --- help --------------------------------------------------------------------------------------


def test_the_group_has_help(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    # the runner names the program after the function (`cli`); the console script says casegraph
    assert re.match(r"Usage: \S+ \[OPTIONS\] COMMAND \[ARGS\]\.\.\.\n", result.stdout)
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s", result.stdout, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(run: Run, name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert re.match(rf"Usage: \S+ {name} ", result.stdout)
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert any(line.startswith("Example") for line in lines), result.stdout
    assert any(line == f"casegraph {name}" or line.startswith(f"casegraph {name} ") for line in lines)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"casegraph {re.escape(name)}\b", readme), f"README.md never shows `casegraph {name}`"


def test_the_readme_command_table_is_the_clis() -> None:
    """The table omitted options the README's own examples use; it is now generated from the CLI
    (`python -m tests.refresh_golden` rewrites it) and must equal what the CLI says today."""
    from .readme import README, table, with_table

    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, "the README's command table is stale: run `python -m tests.refresh_golden`"
    assert "`casegraph load --endpoint URL [--graph-store URL] [--update URL]" in table()
    assert "jsonld-expanded" in table()


# --- the bundled queries ----------------------------------------------------------------------


def test_queries_lists_every_bundled_query(run: Run) -> None:
    result = run("queries")
    assert result.exit_code == 0
    assert result.stderr == ""
    ids = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert ids == QUERY_IDS


def test_queries_shows_the_parameter_of_evidence(run: Run) -> None:
    result = run("queries")
    blocks = re.split(r"^(?=\S)", result.stdout, flags=re.M)
    evidence = next(b for b in blocks if b.startswith("evidence\n"))
    assert "    --param resource=… (iri, required): " in evidence
    others = [b for b in blocks if b and not b.startswith("evidence\n")]
    assert not any("--param" in b for b in others)


def test_queries_id_prints_the_query_in_full_to_copy_and_run(run: Run, tmp_path: Path) -> None:
    """After a plain `pip install` the bundled .rq files were nowhere a researcher would find them."""
    text = (REPO / "queries" / "ordered-over-objection.rq").read_text(encoding="utf-8")
    shown = run("queries", "ordered-over-objection")
    assert (shown.exit_code, shown.stdout) == (0, text)
    assert shown.stderr == (
        "note: the query answers over ontology,asserted,evidence,inferred; run a copy with "
        "`casegraph sparql FILE --graphs ontology,asserted,evidence,inferred` for the same answer\n"
    )
    copy = tmp_path / "mine.rq"
    copy.write_text(shown.stdout, encoding="utf-8")
    rerun = run("sparql", str(copy), "--graphs", "ontology,asserted,evidence,inferred", "--format", "csv")
    assert rerun.stdout == run("query", "ordered-over-objection", "--format", "csv").stdout
    parameterised = run("queries", "evidence")
    assert parameterised.stderr.splitlines()[-1] == (
        "note: ?_resource_iri is the parameter resource: a copy run by `casegraph sparql` leaves it unbound (every "
        "value); bind it in the copy, or run `casegraph query evidence --param resource=…`"
    )
    plain = run("queries", "people-and-posts")  # over the default graphs, no parameter: no note
    assert (plain.stdout, plain.stderr) == ((REPO / "queries" / "people-and-posts.rq").read_text("utf-8"), "")
    assert_usage_error(run("queries", "timelin"), "unknown query 'timelin'; did you mean timeline?")


# --- bad input: query ids and parameters --------------------------------------------------------


@pytest.mark.parametrize(
    ("query_id", "message"),
    [
        pytest.param(
            "ordered-over-objections",
            "unknown query 'ordered-over-objections'; did you mean ordered-over-objection?",
            id="near-miss",
        ),
        pytest.param("zzzz", "unknown query 'zzzz'; run `casegraph queries` to list them", id="far-off"),
        pytest.param(
            "../queries/timeline",
            "unknown query '../queries/timeline'; run `casegraph queries` to list them",
            id="path",
        ),
    ],
)
def test_an_unknown_query_id_is_a_usage_error(run: Run, query_id: str, message: str) -> None:
    assert_usage_error(run("query", query_id), message)


BAD_PARAMS = [
    pytest.param(
        ["resource"],
        "--param 'resource': expected NAME=VALUE, e.g. --param resource=https://…",
        id="no-equals",
    ),
    pytest.param(
        ["=https://x"],
        "--param '=https://x': expected NAME=VALUE, e.g. --param resource=https://…",
        id="no-name",
    ),
    pytest.param(
        ["resource=" + VITOLO, "resource=" + VITOLO],
        "--param resource: given twice; give each parameter once",
        id="given-twice",
    ),
    pytest.param(
        ["foo=1"],
        "query evidence: unknown parameter 'foo' (parameters: resource)",
        id="unknown-name",
    ),
    pytest.param(
        [],
        "query evidence: parameter 'resource' is required; add --param resource=VALUE",
        id="missing",
    ),
    pytest.param(
        ["resource=sara-vitolo"],
        "query evidence: --param resource='sara-vitolo': not an absolute IRI; "
        "give one like https://w3id.org/casegraph/id/agency/cms",
        id="relative-iri",
    ),
    pytest.param(
        ["resource="],
        "query evidence: --param resource='': not an absolute IRI; "
        "give one like https://w3id.org/casegraph/id/agency/cms",
        id="empty-value",
    ),
    pytest.param(
        ["resource=https://x> } UNION { ?s ?p ?o"],
        "query evidence: --param resource='https://x> } UNION { ?s ?p ?o': not an absolute IRI; "
        "give one like https://w3id.org/casegraph/id/agency/cms",
        id="iri-injection",
    ),
]


@pytest.mark.parametrize(("params", "message"), BAD_PARAMS)
def test_a_bad_parameter_is_a_usage_error(run: Run, params: list[str], message: str) -> None:
    args = [arg for value in params for arg in ("--param", value)]
    assert_usage_error(run("query", "evidence", *args), message)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("https://x>}UNION{?s?p?o}#", id="angle-bracket"),
        pytest.param('https://x/"a', id="quote"),
        pytest.param("https://x/{a}", id="braces"),
    ],
)
def test_an_iri_with_forbidden_characters_is_a_usage_error(run: Run, value: str) -> None:
    result = run("query", "evidence", "--param", f"resource={value}")
    assert_one_line(result, 2)
    assert result.stderr.startswith(f"casegraph: error: query evidence: --param resource={value!r}: not a valid IRI (")


INJECTIONS = [
    pytest.param('" } UNION { ?s ?p ?o } #', id="double-quote"),
    pytest.param('\\" } UNION { ?s ?p ?o } #', id="escaped-quote"),
    pytest.param('""" } UNION { ?s ?p ?o } #', id="long-quote"),
    pytest.param("' } UNION { ?s ?p ?o } #", id="single-quote"),
    pytest.param('"\n} UNION { ?s ?p ?o }\n#', id="newlines"),
    pytest.param('") } ?s ?p ?o . VALUES (?_q) { ("', id="close-values"),
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_literal_value_stays_one_literal(store: ox.Store, value: str) -> None:
    param = Parameter(name="q", variable="_q", kind="literal", required=True, description="")
    term = param.term(value, query_id="ad-hoc")
    bindings = {ox.Variable("_q"): term}

    echo = store.query(with_bindings("SELECT ?_q WHERE { }", bindings))
    assert isinstance(echo, ox.QuerySolutions)
    rows = [solution["_q"] for solution in echo]
    assert rows == [ox.Literal(value)]

    matches = store.query(with_bindings("SELECT ?s ?p WHERE { ?s ?p ?_q }", bindings))
    assert isinstance(matches, ox.QuerySolutions)
    assert list(matches) == []


# --- bad input: SPARQL, formats, graphs ---------------------------------------------------------

BAD_SPARQL = [
    pytest.param("SELECT * WHERE {\n  ?s ?p ?o\n", (3, 1), id="missing-brace"),
    pytest.param("SELECT * { ?s ?p }", (1, 19), id="short-triple"),
    pytest.param("SELECT * WHERE { ?s ?p ?o", (1, 26), id="ends-in-a-name"),
    pytest.param("SELECT ?x { ?s ?p ?o } GROUP BY ?s", (1, 35), id="ungrouped-variable"),
]  # (an empty query, an update and an undeclared prefix have messages of their own: test_hardening)


@pytest.mark.parametrize(("text", "where"), BAD_SPARQL)
def test_malformed_sparql_says_line_and_column(run: Run, text: str, where: tuple[int, int]) -> None:
    result = run("sparql", "-", input=text)
    assert_one_line(result, 1)
    line, column = where
    assert result.stderr.startswith(f"casegraph: error: <stdin>: SPARQL syntax error, line {line}, column {column}: ")
    assert result.stderr.endswith("; fix the query\n")


def test_malformed_sparql_in_a_file_names_the_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("SELECT * WHERE {\n  ?s ?p ?o\n", encoding="utf-8")
    result = run("sparql", str(path))
    assert_one_line(result, 1)
    assert result.stderr.startswith(f"casegraph: error: {path}: SPARQL syntax error, line 3, column 1: ")


def test_a_query_file_that_is_not_utf8_is_one_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "latin1.rq"
    path.write_bytes("SELECT * { ?s ?p 'café' }".encode("latin-1"))
    result = run("sparql", str(path))
    assert_one_line(result, 1)
    assert str(path) in result.stderr


def test_a_missing_query_file_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    assert_usage_error(
        run("sparql", str(tmp_path / "none.rq")),
        f"FILE: '{tmp_path / 'none.rq'}': No such file or directory (see `casegraph sparql --help`)",
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["query", "timeline"], id="query"),
        pytest.param(["sparql", "-"], id="sparql"),
        pytest.param(["export"], id="export"),
    ],
)
def test_an_unknown_format_is_a_usage_error(run: Run, args: list[str]) -> None:
    result = run(*args, "--format", "bogus", input="ASK {}")
    choices = ", ".join(["table", "csv", "tsv", "json", "xml", "md"] * (args[0] != "export"))
    rdf = "turtle, jsonld, jsonld-expanded, trig, nquads, ntriples, rdfxml"
    assert_usage_error(
        result,
        f"--format: 'bogus' is not one of {choices + ', ' if choices else ''}{rdf} (see `casegraph {args[0]} --help`)",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export", "--format", "json-ld"],
            "--format: 'json-ld' is not one of turtle, jsonld, jsonld-expanded, trig, nquads, ntriples, rdfxml; "
            "did you mean jsonld? (see `casegraph export --help`)",
        ),
        (
            ["export", "--format", "ttl"],
            "--format: 'ttl' is not one of turtle, jsonld, jsonld-expanded, trig, nquads, ntriples, rdfxml; "
            "did you mean turtle? (see `casegraph export --help`)",
        ),
        (["query"], "missing argument 'QUERY_ID' (see `casegraph query --help`)"),
        (["querry", "timeline"], "no command 'querry'; did you mean query? (see `casegraph --help`)"),
        (
            ["query", "timeline", "--graph", "asserted"],
            "no such option '--graph'; did you mean one of: '--auth', '--graphs'? (see `casegraph query --help`)",
        ),
        (["serve", "--port", "http"], "--port: 'http' is not a valid integer (see `casegraph serve --help`)"),
        (
            ["query", "timeline", "--output", ""],
            "--output: an empty file name; give a file, or - for standard output (see `casegraph query --help`)",
        ),
        (
            ["query", "timeline", "--graphs", "ALL"],
            "--graphs: unknown graph 'ALL'; did you mean all? (choose from ontology, asserted, evidence, enrichment, "
            "inferred, metadata, all)",
        ),
        (
            ["query", "timeline", "--auth", "basic"],
            "--auth and --user are for a store's endpoint; give --endpoint URL, or leave them out",
        ),
        (
            ["query", "timeline", "--graphs", ""],
            "--graphs: empty list; name one or more of ontology, asserted, evidence, enrichment, inferred, metadata, "
            "all",
        ),
        (
            ["query", "timeline", "--graphs", "inferrd"],
            "--graphs: unknown graph 'inferrd'; did you mean inferred? (choose from ontology, asserted, evidence, "
            "enrichment, inferred, metadata, all)",
        ),
    ],
)
def test_usage_errors_are_one_line_with_the_nearest_choice(run: Run, args: list[str], message: str) -> None:
    """click's own usage errors were four lines in another style (usage, a hint, a blank line,
    ``Error: …``); now they are casegraph's one line, exit 2, with "did you mean" where it helps."""
    assert_usage_error(run(*args), message)


def test_casegraph_alone_shows_the_help(run: Run) -> None:
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: casegraph [OPTIONS] COMMAND [ARGS]...\n")


SELECT_NEEDS = "a SELECT/ASK result needs one of table, csv, tsv, json, xml, md"
CONSTRUCT_NEEDS = (
    "a CONSTRUCT/DESCRIBE result is RDF; use one of turtle, jsonld, jsonld-expanded, trig, nquads, ntriples, rdfxml"
)


@pytest.mark.parametrize(
    ("args", "text", "message"),
    [
        pytest.param(
            ["sparql", "-", "--format", "turtle"],
            "SELECT * { ?s ?p ?o } LIMIT 1",
            f"--format turtle: {SELECT_NEEDS}",
            id="turtle-on-select",
        ),
        pytest.param(
            ["sparql", "-", "--format", "jsonld"],
            "ASK { ?s ?p ?o }",
            f"--format jsonld: {SELECT_NEEDS}",
            id="jsonld-on-ask",
        ),
        pytest.param(
            ["query", "timeline", "--format", "trig"],
            None,
            f"--format trig: {SELECT_NEEDS}",
            id="trig-on-bundled-select",
        ),
        pytest.param(
            ["sparql", "-", "--format", "table"],
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
            f"--format table: {CONSTRUCT_NEEDS}",
            id="table-on-construct",
        ),
        pytest.param(
            ["sparql", "-", "--format", "csv"],
            "DESCRIBE <https://w3id.org/casegraph/id/person/sara-vitolo>",
            f"--format csv: {CONSTRUCT_NEEDS}",
            id="csv-on-describe",
        ),
    ],
)
def test_a_format_that_does_not_fit_the_result_is_a_usage_error(
    run: Run, args: list[str], text: str | None, message: str
) -> None:
    assert_usage_error(run(*args, input=text), message)


BAD_GRAPHS = [
    pytest.param("asserted,bogus", f"--graphs: unknown graph 'bogus'; choose from {CHOICES}", id="unknown"),
    pytest.param("all,asserted", "--graphs: 'all' stands alone; drop the other names", id="all-and"),
    pytest.param(",", f"--graphs: empty list; name one or more of {CHOICES}", id="empty"),
]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["query", "timeline"], id="query"),
        pytest.param(["sparql", "-"], id="sparql"),
        pytest.param(["export"], id="export"),
    ],
)
@pytest.mark.parametrize(("graphs", "message"), BAD_GRAPHS)
def test_a_bad_graphs_list_is_a_usage_error(run: Run, args: list[str], graphs: str, message: str) -> None:
    assert_usage_error(run(*args, "--graphs", graphs, input="ASK {}"), message)


# --- bad input: datasets and output paths -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["query", "timeline"], id="query"),
        pytest.param(["sparql", "-"], id="sparql"),
        pytest.param(["export"], id="export"),
    ],
)
def test_an_empty_dataset_folder_says_to_build(run: Run, tmp_path: Path, args: list[str]) -> None:
    result = run(*args, "--dataset", str(tmp_path), input="ASK {}")
    assert_error(
        result,
        1,
        f"{tmp_path}/casegraph.nq: no dataset here; run `casegraph build --output {tmp_path}` "
        "first, or leave out --dataset to use the shipped one",
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["query", "timeline"], id="query"),
        pytest.param(["export"], id="export"),
    ],
)
def test_a_broken_dataset_file_is_one_line(run: Run, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "casegraph.nq").write_text('<http://a> <http://b> "x\n', encoding="utf-8")
    result = run(*args, "--dataset", str(tmp_path))
    assert_one_line(result, 1)
    assert result.stderr.startswith(f"casegraph: error: {tmp_path}/casegraph.nq: not valid N-Quads (")
    assert result.stderr.endswith("); rebuild it\n")


@pytest.fixture()
def read_only_target(tmp_path: Path) -> Iterator[Path]:
    """A file path in a folder nobody may write in. Root ignores permission bits, so under root
    (the usual container) the folder is /proc, where no file can be created."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.geteuid() != 0 and not os.access(folder, os.W_OK):
            yield folder / "x.ttl"
        else:
            yield Path("/proc/casegraph-test-output.ttl")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["export"], id="export"),
        pytest.param(["query", "timeline"], id="query"),
    ],
)
def test_an_unwritable_folder_fails_and_creates_nothing(run: Run, read_only_target: Path, args: list[str]) -> None:
    result = run(*args, "--output", str(read_only_target))
    assert_one_line(result, 1)
    folder = read_only_target.parent
    assert result.stderr.startswith(f"casegraph: error: {read_only_target}: cannot write in {folder} (")
    assert result.stderr.endswith("); choose a writable path\n")
    assert not read_only_target.exists()
    if folder != Path("/proc"):
        assert listing(folder) == []


def test_an_output_in_a_missing_folder_fails(run: Run) -> None:
    target = Path("/nonexistent-dir/x.ttl")
    assert_error(
        run("export", "--output", str(target)),
        1,
        f"{target}: folder {target.parent} does not exist; create it or choose another path",
    )
    assert not target.parent.exists()


def test_an_output_under_a_regular_file_fails(run: Run, tmp_path: Path) -> None:
    parent = tmp_path / "afile"
    parent.write_text("not a folder\n", encoding="utf-8")
    target = parent / "x.ttl"
    result = run("export", "--output", str(target))
    assert_one_line(result, 1)
    assert result.stderr.startswith(f"casegraph: error: {target}: ")
    assert parent.read_text(encoding="utf-8") == "not a folder\n"
    assert listing(tmp_path) == ["afile"]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["export"], id="export"),
        pytest.param(["query", "timeline"], id="query"),
    ],
)
def test_an_output_that_is_a_folder_fails(run: Run, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "inside").mkdir()
    result = run(*args, "--output", str(tmp_path))
    assert_error(result, 1, f"{tmp_path}: is a folder; give a file name")
    assert listing(tmp_path) == ["inside"]


OLD = "old content, must survive a failed export\n"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(["export", "--graphs", "asserted,bogus"], 2, id="export-bad-graphs"),
        pytest.param(["export", "--dataset", "{empty}"], 1, id="export-no-dataset"),
        pytest.param(["query", "evidence"], 2, id="query-missing-param"),
        pytest.param(["query", "timeline", "--format", "turtle"], 2, id="query-wrong-format"),
        pytest.param(["sparql", "-"], 1, id="sparql-syntax-error"),
    ],
)
def test_a_failed_command_leaves_an_existing_output_untouched(
    run: Run, tmp_path: Path, args: list[str], code: int
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out.ttl"
    out.write_text(OLD, encoding="utf-8")
    args = [a.replace("{empty}", str(empty)) for a in args]
    result = run(*args, "--output", str(out), input="SELECT * WHERE {\n  ?s ?p ?o\n")
    assert_one_line(result, code)
    assert out.read_text(encoding="utf-8") == OLD
    assert listing(tmp_path) == ["empty", "out.ttl"]


# --- outputs of a bundled query ----------------------------------------------------------------


def run_ordered(run: Run, fmt: str) -> Result:
    result = run("query", "ordered-over-objection", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result


def test_csv_header_is_the_projection(run: Run) -> None:
    result = run_ordered(run, "csv")
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode(), newline="")))
    assert rows[0] == ORDERED_OVER_OBJECTION_VARS
    assert len(rows) == 1 + ORDERED_OVER_OBJECTION_ROWS


def test_tsv_header_is_the_projection(run: Run) -> None:
    result = run_ordered(run, "tsv")
    lines = result.stdout_bytes.decode().split("\n")[:-1]
    assert lines[0].split("\t") == ["?" + v for v in ORDERED_OVER_OBJECTION_VARS]
    assert len(lines) == 1 + ORDERED_OVER_OBJECTION_ROWS


def test_json_is_sparql_json(run: Run) -> None:
    document = json.loads(run_ordered(run, "json").stdout)
    assert document["head"]["vars"] == ORDERED_OVER_OBJECTION_VARS
    bindings = document["results"]["bindings"]
    assert len(bindings) == ORDERED_OVER_OBJECTION_ROWS
    assert {b["issuer"]["type"] for b in bindings} == {"uri"}


def test_xml_is_sparql_xml(run: Run) -> None:
    root = ET.fromstring(run_ordered(run, "xml").stdout_bytes)
    assert root.tag == f"{SPARQL_RESULTS_NS}sparql"
    head = root.find(f"{SPARQL_RESULTS_NS}head")
    assert head is not None
    names = [v.get("name") for v in head.findall(f"{SPARQL_RESULTS_NS}variable")]
    assert names == ORDERED_OVER_OBJECTION_VARS
    results = root.findall(f"{SPARQL_RESULTS_NS}results/{SPARQL_RESULTS_NS}result")
    assert len(results) == ORDERED_OVER_OBJECTION_ROWS


def test_markdown_is_a_table(run: Run) -> None:
    lines = run_ordered(run, "md").stdout.splitlines()
    assert lines[0] == "| " + " | ".join(ORDERED_OVER_OBJECTION_VARS) + " |"
    assert lines[1] == "|" + "---|" * len(ORDERED_OVER_OBJECTION_VARS)
    data = lines[2 : 2 + ORDERED_OVER_OBJECTION_ROWS]
    assert all(line.startswith("| ") and line.endswith(" |") for line in data)
    assert lines[2 + ORDERED_OVER_OBJECTION_ROWS :] == [
        "",
        "Prefixes: agency: `<https://w3id.org/casegraph/id/agency/>`, event: `<https://w3id.org/casegraph/id/event/>`, "
        "group: `<https://w3id.org/casegraph/id/group/>`, person: `<https://w3id.org/casegraph/id/person/>`, "
        "when: `<https://w3id.org/casegraph/id/time/>`",
    ]  # the IRIs' prefixes (one per family of names: the longest that fits), declared


@pytest.mark.parametrize("columns", ["60", "100", "240", "400"])
def test_the_main_answer_is_one_answer_with_each_span_once(
    run: Run, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    """`casegraph query ordered-over-objection` printed 12 blocks for one fact, each repeating
    the order, the objectors and the quotes. Now the order and its objection are printed once,
    then each distinct span of the report once, with the relations it states and their values."""
    monkeypatch.setenv("COLUMNS", columns)
    text = run_ordered(run, "table").stdout
    lines = text.splitlines()
    flat = list(csv.DictReader(io.StringIO(run_ordered(run, "csv").stdout)))
    spans = list(dict.fromkeys(row["evidence"] for row in flat))
    assert len(spans) == 10 and len(flat) == ORDERED_OVER_OBJECTION_ROWS
    shown = []
    for number, line in enumerate(lines):  # each span's field, with the lines it wraps onto
        if line.startswith("  evidence "):
            value = [line.removeprefix("  evidence").strip()]
            for more in lines[number + 1 :]:
                if not more.startswith(" " * 17) or not more.strip():
                    break
                value.append(more.strip())
            shown.append(" ".join(value))
    assert shown == spans  # each span once, in the report's order
    assert [sum(line.startswith(f"{name} ") for line in lines) for name in ("order", "objection")] == [1, 1]
    objectors = [row["valueLabel"] for row in flat if row["relation"] == "objector"]
    assert objectors == ["CMS Medicaid officials who opposed the transfer", "Sara Vitolo"]
    assert all(any(o.split()[0] in line and "objector" in line for line in lines) for o in objectors)
    assert text.endswith(f"({ORDERED_OVER_OBJECTION_ROWS} rows)\n")


def test_the_table_shows_a_value_without_a_label_and_each_group_once(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table showed an empty `object` where the value is a literal (no label to show), and
    printed a statement's block twice when its quotes were not next to each other in the rows."""
    monkeypatch.setenv("COLUMNS", "100")
    evidence = [line.strip() for line in run("query", "evidence", "--param", f"resource={VITOLO}").stdout.splitlines()]
    assert evidence[evidence.index("predicate  career status") + 1] == "object     career employee"
    statements = run("query", "statements").stdout
    assert statements.count("statement  Sara Vitolo's memo: sharing the data would break federal law") == 1
    rows = list(csv.DictReader(io.StringIO(run("query", "statements", "--format", "csv").stdout)))
    memo = [row["quoteStart"] for row in rows if row["statementLabel"].startswith("Sara Vitolo's memo")]
    assert len(memo) == 3 and statements.count("| back-translation |") == sum(1 for row in rows if row["quote"])
    assert statements.count("quote ") == len({row["statement"] for row in rows if row["quote"]})  # names per group


def test_the_table_uses_the_terminal_width_and_never_splits_an_iri(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cells wrapped at 48 characters even with COLUMNS=400; IRIs were split mid-string."""
    monkeypatch.setenv("COLUMNS", "400")
    wide = run("query", "timeline").stdout
    item = "Governor Newsom announces a freeze on enrolment in California's state-funded program"
    assert any(item in line and "| year " in line for line in wide.splitlines())  # a grid, one line per row
    monkeypatch.setenv("COLUMNS", "30")
    query = "SELECT ?s { BIND(<https://w3id.org/casegraph/id/group/illinois-health-officials> AS ?s) }"
    narrow = run("sparql", "-", input=query).stdout
    assert "s  group:illinois-health-officials" in narrow.splitlines()  # longer than the line: whole
    assert narrow.endswith("(1 row)\nprefixes: group: <https://w3id.org/casegraph/id/group/>\n")


def test_the_prefixes_shown_are_declared_from_the_published_context(run: Run) -> None:
    """The `id:` and `cg:` prefixes in table and Markdown output were never declared."""
    from casegraph.export import context
    from casegraph.iris import PREFIXES

    published = {k: v for k, v in context()["@context"].items() if isinstance(v, str) and v.endswith(("/", "#"))}
    assert published == PREFIXES  # one prefix map: the table, Markdown, Turtle and JSON-LD
    query = (
        "SELECT ?s ?t { ?s a ?t FILTER(STRSTARTS(STR(?s), 'https://w3id.org/casegraph/id/') "
        "&& STRSTARTS(STR(?t), 'https://w3id.org/casegraph/ontology#')) } ORDER BY ?s LIMIT 1"
    )
    table = run("sparql", "-", input=query).stdout
    assert table.splitlines()[-3:] == [
        "agency:cms | cg:Organization",
        "(1 row)",
        "prefixes: cg: <https://w3id.org/casegraph/ontology#>, agency: <https://w3id.org/casegraph/id/agency/>",
    ]  # the longest namespace that fits: agency:cms, not id:agency/cms (nor both in the legend)
    markdown = run("sparql", "-", "--format", "md", input=query).stdout
    assert markdown.endswith(
        "\nPrefixes: cg: `<https://w3id.org/casegraph/ontology#>`, agency: `<https://w3id.org/casegraph/id/agency/>`\n"
    )
    assert "prefixes" not in run("sparql", "-", "--format", "csv", input=query).stdout.lower()


def test_query_output_file_holds_what_stdout_shows(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "result.csv"
    to_file = run("query", "ordered-over-objection", "--format", "csv", "--output", str(out))
    assert to_file.exit_code == 0, to_file.stderr
    assert to_file.stdout == ""
    assert out.read_bytes() == run_ordered(run, "csv").stdout_bytes
    assert listing(tmp_path) == ["result.csv"]


def test_evidence_for_a_resource(run: Run) -> None:
    result = run("query", "evidence", "--param", f"resource={VITOLO}", "--format", "json")
    assert result.exit_code == 0, result.stderr
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert bindings
    assert all(VITOLO in (b["subject"]["value"], b["object"]["value"]) for b in bindings)


def test_evidence_for_an_unknown_resource_is_empty_and_says_why(run: Run) -> None:
    """A valid IRI that nothing mentions answered (0 rows) silently."""
    result = run("query", "evidence", "--param", "resource=https://example.org/nobody", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == (
        b"subject,subjectLabel,predicate,predicateLabel,object,objectLabel,exact,start,end,source\r\n"
    )
    assert result.stderr == "casegraph: warning: no triple mentions <https://example.org/nobody>; the answer is empty\n"
    typo = run("query", "evidence", "--param", f"resource={VITOLO}l")
    assert typo.stdout.endswith("(0 rows)\n")
    assert typo.stderr == f"casegraph: warning: no triple mentions <{VITOLO}l>; did you mean <{VITOLO}>?\n"
    assert run("query", "evidence", "--param", f"resource={VITOLO}").stderr == ""  # mentioned: no warning


def test_a_bundled_query_without_a_graph_it_needs_says_so(run: Run) -> None:
    """`query ordered-over-objection --graphs ontology,asserted` (the README's own example, with
    --data) printed (0 rows) and nothing else: the query quotes the report, from the evidence graph."""
    short = run("query", "ordered-over-objection", "--graphs", "ontology,asserted")
    assert short.stdout.endswith("(0 rows)\n")
    assert short.stderr == (
        "casegraph: warning: ordered-over-objection answers over ontology,asserted,evidence,inferred; without "
        "evidence its answer may be empty or short\n"
    )
    same = run("query", "people-and-posts", "--graphs", "ontology,asserted")  # inferred changes no bundled answer
    assert (same.stderr, same.stdout) == ("", run("query", "people-and-posts").stdout)


def test_an_iri_as_the_table_prints_it_or_as_people_mistype_it(run: Run) -> None:
    """`id:person/sara-vitolo`, as the table shows it, was taken as an IRI of the scheme `id:`;
    http for https and a trailing slash got no suggestion."""
    full = run("query", "evidence", "--param", f"resource={VITOLO}", "--format", "csv")
    for prefixed in ("person:sara-vitolo", "id:person/sara-vitolo"):  # as the table prints it; the family's own
        shown = run("query", "evidence", "--param", f"resource={prefixed}", "--format", "csv")
        assert (shown.stderr, shown.stdout) == ("", full.stdout)
    for typed, meant in [
        (VITOLO.replace("https:", "http:"), VITOLO),
        (ID_NS + "agency/cms/", ID_NS + "agency/cms"),
        (ID_NS + "person/Sara-Vitolo", VITOLO),
    ]:
        result = run("query", "evidence", "--param", f"resource={typed}")
        assert result.stderr == f"casegraph: warning: no triple mentions <{typed}>; did you mean <{meant}>?\n"


def test_an_empty_data_file_warns(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.nt"
    empty.write_bytes(b"")
    for args in (["sparql", "-", "--format", "csv"], ["export", "--format", "nquads"]):
        result = run(*args, "--data", str(empty), input="SELECT * { ?s ?p ?o }")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == f"casegraph: warning: --data {empty}: the input is empty; it adds no triples\n"


# --- ad-hoc SPARQL -----------------------------------------------------------------------------


def test_ask_prints_true(run: Run) -> None:
    result = run("sparql", "-", input="ASK { ?s ?p ?o }")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "true\n"


def test_ask_on_an_empty_graph_prints_false(run: Run) -> None:
    result = run("sparql", "-", "--graphs", "inferred", input="ASK { ?s <urn:nothing> ?o }")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "false\n"


def test_construct_prints_turtle(run: Run, quads: list[ox.Quad]) -> None:
    text = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }"
    result = run("sparql", "-", "--graphs", "metadata", input=text)
    assert result.exit_code == 0, result.stderr
    parsed = {
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(result.stdout_bytes, format=ox.RdfFormat.TURTLE)
    }
    expected = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in quads
        if graph_iri(q) == GRAPHS["metadata"] and q.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    }
    assert expected
    assert parsed == expected


@pytest.mark.parametrize("role", ["metadata", "ontology", "asserted"])
def test_graphs_selects_the_named_graph(run: Run, role: str) -> None:
    result = run(
        "sparql", "-", "--graphs", role, "--format", "csv",
        input="SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    in_graph = {q for q in read_quads() if graph_iri(q) == GRAPHS[role]}
    assert in_graph
    assert result.stdout_bytes == f"n\r\n{len(in_graph)}\r\n".encode()


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_export_to_a_file_writes_what_stdout_shows(run: Run, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"casegraph.{fmt}"
    to_file = run("export", "--format", fmt, "--output", str(out))
    assert to_file.exit_code == 0, to_file.stderr
    assert to_file.stdout == ""
    to_stdout = run("export", "--format", fmt)
    assert to_stdout.exit_code == 0, to_stdout.stderr
    assert to_stdout.stdout_bytes
    assert out.read_bytes() == to_stdout.stdout_bytes
    assert listing(tmp_path) == [out.name]


def test_export_replaces_an_existing_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "casegraph.ttl"
    out.write_text(OLD, encoding="utf-8")
    result = run("export", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == run("export").stdout_bytes
    assert listing(tmp_path) == ["casegraph.ttl"]


# --- build -------------------------------------------------------------------------------------


def test_build_into_a_file_fails_before_any_work(run: Run, tmp_path: Path) -> None:
    """(A missing folder is created, as `mkdir -p` would: test_hardening's folder-writing test.)"""
    from casegraph.build import build
    from casegraph.errors import BuildError

    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    assert run("build", "--output", str(target)).exit_code == 2  # the option itself wants a folder
    with pytest.raises(BuildError, match=r"a-file: is a file, not a folder; give a folder for the dataset$"):
        build(output=target)  # and so does the library
    assert listing(tmp_path) == ["a-file"]


HEAVY = ["rdflib", "owlrl", "pyshacl", "casegraph.reason", "casegraph.build", "bagit", "rocrate", "casegraph.package"]


def test_the_query_path_imports_nothing_heavy() -> None:
    """`casegraph query` answers from the shipped dataset with pyoxigraph: the reasoner, the SHACL
    engine and rdflib (with its SPARQL engine), and the packaging libraries, stay off the path
    (one process checks them all)."""
    import subprocess
    import sys

    code = (
        "import sys; from casegraph.cli import main; sys.argv = ['casegraph', 'query', 'ordered-over-objection', "
        "'--format', 'csv']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        f"sys.stderr.write(str(['loaded', *(m for m in {HEAVY!r} if m in sys.modules)]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "['loaded']", done.stderr


def test_output_to_a_fifo_writes_into_it_and_keeps_it_a_fifo(tmp_path: Path) -> None:
    """A special file (a FIFO here; /dev/null likewise) is written to directly, never replaced by
    the temporary-file-and-rename that protects regular files."""
    import stat
    import subprocess
    import sys
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = subprocess.run(
        [sys.executable, "-c", "from casegraph.cli import main; main()", "export", "--output", str(fifo)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    reader.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0] == (REPO / "graph" / "build" / "casegraph.ttl").read_bytes()


def test_a_bare_build_or_reason_is_refused_outside_a_checkout(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Inside a checkout a bare build rewrites its graph/build: test_build's currency test.)"""
    monkeypatch.chdir(tmp_path)  # not a source checkout
    for command in ("build", "reason"):
        refused = run(command)
        assert refused.exit_code == 2 and "--output DIR" in refused.stderr


# --- shell completion ----------------------------------------------------------------------------


def _console_script() -> str:
    import shutil
    import sys

    found = shutil.which("casegraph", path=str(Path(sys.executable).parent))
    assert found, "the casegraph console script is installed next to the interpreter"
    return found


def test_bash_completion_completes_a_query_id_and_a_format() -> None:
    """The README's bash line: the script click writes, sourced in a real bash, completes."""
    import subprocess

    script = _console_script()
    asked = [
        "casegraph query time", "casegraph export --format nq", "casegraph que", "casegraph serve --graphs ontology,as"
    ]  # fmt: skip
    program = f'eval "$(_CASEGRAPH_COMPLETE=bash_source {script})"\ncomplete -p casegraph >/dev/null\n' + "".join(
        f"COMPREPLY=(); COMP_WORDS=({words}); COMP_CWORD={len(words.split()) - 1}; "
        '_casegraph_completion casegraph; echo "${COMPREPLY[*]}"\n'
        for words in asked
    )
    env = {**os.environ, "PATH": f"{Path(script).parent}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True, env=env, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["timeline", "nquads", "queries query", "ontology,asserted"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion_scripts_are_written_and_answer(shell: str) -> None:
    """zsh and fish need not be installed: their scripts are produced, and the completion
    protocol they call answers a query id."""
    import subprocess

    script = _console_script()
    source = subprocess.run(
        [script], env={**os.environ, "_CASEGRAPH_COMPLETE": f"{shell}_source"}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert "_casegraph_completion" in source.stdout
    env = {**os.environ, "_CASEGRAPH_COMPLETE": f"{shell}_complete", "COMP_WORDS": "casegraph query people-"}
    env["COMP_CWORD"] = "people-" if shell == "fish" else "2"
    answer = subprocess.run([script], env=env, capture_output=True, text=True, check=True)
    assert "people-and-posts" in answer.stdout


# --- the README, as written ----------------------------------------------------------------------


def _readme_block(after: str) -> list[str]:
    """The command lines of the first ```sh block after the heading or text ``after``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split(after, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def _shell_line(run: Run, line: str, folder: Path) -> None:
    """Run one README line in-process: `A && B`, `echo '…' | casegraph …`, `cat FILE | casegraph …`
    and `> FILE` as a shell would (a subprocess per command would cost 0.4 s each)."""
    import shlex

    for command in line.split(" && "):
        words = shlex.split(command)
        given = None
        if "|" in words:
            feeder, words = words[: words.index("|")], words[words.index("|") + 1 :]
            given = feeder[1] + "\n" if feeder[0] == "echo" else (folder / feeder[1]).read_text(encoding="utf-8")
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        assert words[0] == "casegraph", line
        result = run(*words[1:], input=given)
        assert result.exit_code == 0, (line, result.stderr)
        assert "warning" not in result.stderr, (line, result.stderr)
        if target is not None:
            (folder / target).write_text(result.stdout, encoding="utf-8")


def test_the_readme_command_lines_run_as_written(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's own example (`build --output /tmp/casegraph && query … --dataset …`) failed on
    a fresh machine. Every `casegraph` line of the README that needs no server now runs, in a fresh
    folder; only the absolute folders are moved into it (/tmp/casegraph, /data/cg-store)."""
    monkeypatch.chdir(tmp_path)
    triple = "<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n"
    for name in ("more.nq", "big.nt", "huge.nt"):
        (tmp_path / name).write_text(triple, encoding="utf-8")
    for name in ("reports.ttl", "mine.ttl"):
        (tmp_path / name).write_text(triple, encoding="utf-8")
    (tmp_path / "q.rq").write_text("SELECT * { ?s ?p ?o }\n", encoding="utf-8")
    lines = _readme_block("\n<!-- end of the command table -->") + _readme_block("## Your own data")
    assert len(lines) == 13
    for line in lines:
        moved = line.replace("/tmp/casegraph", str(tmp_path / "built")).replace("/data/", f"{tmp_path}/data-")
        _shell_line(run, moved, tmp_path)
    assert (tmp_path / "timeline.csv").read_text(encoding="utf-8").startswith("when,")
    assert sorted(p.name for p in (tmp_path / "built").iterdir()) == [
        "SHA256SUMS", "casegraph.jsonld", "casegraph.nq", "casegraph.trig", "casegraph.ttl"
    ]  # fmt: skip


def test_a_grid_wraps_the_one_long_value_rather_than_every_row() -> None:
    """The widest column was narrowed first: one long name in one column made every row of the
    other column wrap. The column narrowed is the one that adds fewest lines."""
    from casegraph.results import Table, render_table

    long_name = "an unnamed state official who reviewed CMS requests"  # 51 characters, in one row only
    posts = [f"Deputy Administrator and Chief Operating Officer, Agency {n:02d}" for n in range(10)]  # 61 each
    rows = [(ox.Literal(long_name if n == 0 else f"person {n}"), ox.Literal(post)) for n, post in enumerate(posts)]
    lines = render_table(Table(("person", "post"), tuple(rows)), width=100).splitlines()
    assert len(lines) == 2 + 10 + 1 + 1  # header, rule, ten rows, the long name's second line, the count
    assert sum(post in "".join(lines) for post in posts) == 10  # every post on one line
