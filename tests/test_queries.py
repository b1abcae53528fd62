"""Bundled queries as data files: headers, parameters, and the rules every query keeps."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from casegraph.errors import QueryHeaderError, UsageError
from casegraph.queries import (
    BundledQuery,
    Parameter,
    discover,
    find_query,
    load_query,
    parse_assignments,
    with_bindings,
)
from casegraph.resources import Paths

from .conftest import REPO, Run, solutions

BAD = REPO / "tests" / "data" / "queries"
REQUIRED_IDS = {
    "ordered-over-objection",
    "legal-authorities",
    "dataset-contents",
    "timeline",
    "statements",
    "state-programs",
    "evidence",
    "people-and-posts",
}
QUERIES = discover()


def _projection(text: str) -> list[str]:
    head = re.search(r"SELECT\s+DISTINCT\s+(.*?)\s+WHERE", text, re.S)
    assert head, "every bundled query is SELECT DISTINCT … WHERE"
    return re.findall(r"\?(\w+)", head.group(1))


def _order_by(text: str) -> list[str]:
    clause = re.search(r"ORDER BY\s+(.*?)\s*$", text, re.S)
    assert clause, "every bundled query has an ORDER BY"
    return re.findall(r"\?(\w+)", clause.group(1))


def test_the_required_queries_exist() -> None:
    assert {q.id for q in QUERIES} >= REQUIRED_IDS


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_header_is_complete(query: BundledQuery) -> None:
    assert query.summary and query.description and query.tags
    assert query.expect == "rows"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_rows_are_distinct_and_totally_ordered(query: BundledQuery) -> None:
    """A total ORDER BY breaks every tie, so engines cannot legitimately disagree on order."""
    projected = _projection(query.text)
    assert set(projected) <= set(_order_by(query.text)), "ORDER BY must name every projected variable"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_every_resource_column_has_a_label_column(query: BundledQuery, store: ox.Store) -> None:
    from casegraph.queries import run_query

    params = {"resource": "https://w3id.org/casegraph/id/person/sara-vitolo"} if query.parameters else {}
    result = run_query(store, query, params)
    assert isinstance(result, ox.QuerySolutions)
    columns = [v.value for v in result.variables]
    rows = list(result)
    assert rows, f"{query.id} returns no rows on the article graph"
    iri_columns = {c for c in columns for row in rows if isinstance(row[c], ox.NamedNode)}
    # Codes (a precision, a status, a stance, a citation function, a type) come with labels too;
    # the evidence query's columns are the ones its users asked for (the report is its `source`).
    unlabelled = {c for c in iri_columns if f"{c}Label" not in columns}
    assert unlabelled == ({"source"} if query.id == "evidence" else set())


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_queries_never_reach_the_network(query: BundledQuery) -> None:
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"\bSERVICE\b", body, re.I)
    assert not re.search(r"\bFROM\s+(NAMED\s+)?<", body, re.I)


def test_the_evidence_query_takes_a_required_iri_parameter() -> None:
    query = find_query("evidence")
    assert query.parameters == (
        Parameter(
            name="resource",
            variable="_resource_iri",
            kind="iri",
            required=True,
            description="The resource's absolute IRI, e.g. https://w3id.org/casegraph/id/person/sara-vitolo",
        ),
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad-yaml",
            'bad-yaml.rq, line 2: header is not valid YAML (expected "key: value"); fix the line or drop its '
            "'#+' prefix",
        ),
        ("no-summary", "no-summary.rq: header has no 'summary'; add '#+ summary: <one line>'"),
        ("no-header", "no-header.rq, line 1: no '#+' header; start the file with '#+ summary: …'"),
        (
            "unknown-key",
            "unknown-key.rq: unknown header key 'colour'; known keys: defaults, description, "
            "endpoint, endpoint_in_url, enumerate, expect, graphs, method, pagination, parameters, summary, "
            "tags, transform",
        ),
        (
            "undocumented-param",
            "undocumented-param.rq: parameter 'thing' (variable ?_thing_iri) is not described; "
            "add it under '#+ parameters:' as '#+   thing: <what it is>'",
        ),
        ("unused-param", "unused-param.rq: header describes parameter 'other', which the query does not use"),
    ],
)
def test_a_malformed_header_is_an_error_naming_file_and_line(name: str, message: str) -> None:
    with pytest.raises(QueryHeaderError) as err:
        load_query(BAD / f"{name}.rq")
    assert str(err.value) == f"{BAD}/{message}"


def test_unknown_query_suggests_the_nearest() -> None:
    with pytest.raises(UsageError, match=r"^unknown query 'timelines'; did you mean timeline\?$"):
        find_query("timelines")
    with pytest.raises(UsageError, match=r"run `casegraph queries` to list them"):
        find_query("zzz")
    with pytest.raises(UsageError):
        find_query("../queries/timeline")


@pytest.mark.parametrize(
    "items",
    [["resource"], ["=x"], ["a=1", "a=2"], [" a=1", "a=2"]],
    ids=["no-equals", "no-name", "twice", "twice-with-space"],
)
def test_malformed_assignments_are_usage_errors(items: list[str]) -> None:
    with pytest.raises(UsageError):
        parse_assignments(items)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("iri", "https://w3id.org/casegraph/id/agency/cms", "<https://w3id.org/casegraph/id/agency/cms>"),
        ("integer", "42", '"42"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ("date", "2025-06-10", '"2025-06-10"^^<http://www.w3.org/2001/XMLSchema#date>'),
        ("lang:en", "Medicaid", '"Medicaid"@en'),
        ("literal", 'x" } UNION { ?s ?p ?o } #', '"x\\" } UNION { ?s ?p ?o } #"'),
    ],
)
def test_values_become_typed_terms(kind: str, value: str, expected: str) -> None:
    term = Parameter("p", "_p", kind, True, "").term(value, query_id="q")
    assert str(term) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("iri", "not an iri"),
        ("iri", "https://x> } UNION { ?s ?p ?o"),
        ("integer", "4.2"),
        ("date", "10/06/2025"),
    ],
)
def test_ill_typed_values_are_refused(kind: str, value: str) -> None:
    with pytest.raises(UsageError):
        Parameter("p", "_p", kind, True, "").term(value, query_id="q")


def test_a_bound_value_cannot_change_the_query(store: ox.Store) -> None:
    """The binding is a VALUES row written by pyoxigraph's serialiser: whatever the value, the
    query keeps its shape and the value stays one literal."""
    text = (
        "SELECT ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label . FILTER(STR(?label) = ?_q) }"
    )
    value = Parameter("q", "_q", "literal", True, "").term('Sara Vitolo" || true || "', query_id="t")
    rows = list(
        solutions(store.query(with_bindings(text, {ox.Variable("_q"): value}), use_default_graph_as_union=True))
    )
    assert rows == []
    exact = Parameter("q", "_q", "literal", True, "").term("Sara Vitolo", query_id="t")
    rows = list(
        solutions(store.query(with_bindings(text, {ox.Variable("_q"): exact}), use_default_graph_as_union=True))
    )
    assert [r["label"].value for r in rows] == ["Sara Vitolo"]


def test_query_files_are_the_package_data(paths: Paths) -> None:
    assert {q.path.parent for q in QUERIES} == {Path(paths.queries)}


# --- default graphs: the entailed view, the same rows with or without the inferred graph ---------

PARAMS = {"evidence": {"resource": "https://w3id.org/casegraph/id/person/kim-brandt"}}


def _csv(result: object) -> bytes:
    assert isinstance(result, ox.QuerySolutions)
    return result.serialize(format=ox.QueryResultsFormat.CSV) or b""


def test_queries_default_to_ontology_asserted_inferred_unless_the_header_says() -> None:
    assert find_query("people-and-posts").graphs == ("ontology", "asserted", "inferred")
    assert find_query("evidence").graphs == ("ontology", "asserted", "evidence")
    assert find_query("ordered-over-objection").graphs == ("ontology", "asserted", "evidence", "inferred")


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_a_query_returns_the_same_rows_with_or_without_the_inferred_graph(query: BundledQuery, store: ox.Store) -> None:
    """One row per most specific type, never one per superclass the closure adds."""
    from casegraph.dataset import graph_names
    from casegraph.queries import run_query

    params = PARAMS.get(query.id, {})
    roles = tuple(r for r in query.graphs if r != "inferred")
    without = _csv(run_query(store, query, params, graphs=graph_names(roles, store)))
    with_inferred = _csv(run_query(store, query, params, graphs=graph_names((*roles, "inferred"), store)))
    assert with_inferred == without
    assert without.count(b"\n") > 1


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_the_api_and_the_cli_return_the_same_rows(query: BundledQuery, store: ox.Store, run: Run) -> None:
    from casegraph.queries import run_query

    params = PARAMS.get(query.id, {})
    api = _csv(run_query(store, query, params))
    args = [f"--param={k}={v}" for k, v in params.items()]
    cli = run("query", query.id, *args, "--format", "csv")
    assert cli.exit_code == 0, cli.stderr
    assert cli.stdout_bytes.replace(b"\r\n", b"\n") == api.replace(b"\r\n", b"\n")


def test_plain_sparql_finds_events_by_default_and_no_top_types(run: Run) -> None:
    events = run(
        "sparql",
        "-",
        "--format",
        "csv",
        input="PREFIX cg: <https://w3id.org/casegraph/ontology#> SELECT DISTINCT ?e { ?e a cg:Event }",
    )
    assert events.exit_code == 0, events.stderr
    assert len(events.stdout.splitlines()) > 20
    things = run("sparql", "-", "--format", "csv", input="SELECT ?x { ?x a <http://www.w3.org/2002/07/owl#Thing> }")
    assert things.stdout.splitlines() == ["x"]
    agents = run(
        "sparql",
        "-",
        "--format",
        "csv",
        "--graphs",
        "ontology,asserted",
        input="PREFIX cg: <https://w3id.org/casegraph/ontology#> SELECT DISTINCT ?e { ?e a cg:Event }",
    )
    assert agents.stdout.splitlines() == ["e"]  # without the inferred graph, only specific types


def test_the_header_cache_is_current_and_a_changed_header_is_read_from_its_file(tmp_path: Path) -> None:
    """queries/headers.json spares the query path PyYAML; it is used only where it matches the file."""
    from casegraph.queries import HEADER_CACHE, header_cache, load_query

    folder = REPO / "queries"
    assert (folder / HEADER_CACHE).read_text(encoding="utf-8") == header_cache(folder), (
        "queries/headers.json is out of date; run `python -m tests.refresh_golden`"
    )
    copy = tmp_path / "queries"
    shutil.copytree(folder, copy)
    edited = copy / "timeline.rq"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("#+ summary: ", "#+ summary: Edited, ", 1), encoding="utf-8"
    )
    assert load_query(edited).summary.startswith("Edited, ")
    assert load_query(copy / "evidence.rq").summary == load_query(folder / "evidence.rq").summary
