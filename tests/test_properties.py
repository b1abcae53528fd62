"""Properties: whatever a user types as --param, --into or --graphs, the query or update text keeps
its structure (a value is one term, or a usage error; never SPARQL of its own)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casegraph.dataset import parse_graphs, resolve_graphs
from casegraph.errors import UsageError
from casegraph.iris import GRAPH_NS, GRAPHS, REPORT_ID, REPORT_ROLES, ROLES, graph_role, iri_term
from casegraph.queries import find_query, query_text

#: Text a hostile value is made of: SPARQL's punctuation and keywords, quotes, escapes, controls.
HOSTILE = st.lists(
    st.sampled_from([*"<>{}\"'\\#;.,:/?=&%$ _-\n\r\t\x00\x1baAzZ09", "DROP", "GRAPH", "INSERT", "http://e/"]),
    max_size=20,
).map("".join)
VALUES = st.one_of(HOSTILE, st.text(max_size=30), st.from_regex(r"https?://[a-z]{1,8}/[ -~]{0,20}", fullmatch=True))
SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(VALUES)
def test_an_into_value_is_one_graph_name_or_a_usage_error(value: str) -> None:
    try:
        term = iri_term(value, "--into")
    except UsageError:
        return
    store = ox.Store()
    store.update(f"INSERT DATA {{ GRAPH {term} {{ <urn:a> <urn:b> <urn:c> }} }}")
    assert list(store.named_graphs()) == [ox.NamedNode(value)]  # exactly the graph it names
    store.update(f"DROP SILENT GRAPH {term}")
    assert len(store) == 0


@SETTINGS
@given(VALUES)
def test_a_param_value_is_bound_as_one_term_or_a_usage_error(value: str) -> None:
    query = find_query("evidence")
    try:
        text = query_text(query, {"resource": value})
    except UsageError:
        return
    inserted = f"\n  VALUES (?_resource_iri) {{ ({ox.NamedNode(value)}) }}"
    assert text.count(inserted) == 1
    assert text.replace(inserted, "", 1) == query.text  # the query is untouched around its one term


@SETTINGS
@given(st.one_of(HOSTILE, st.lists(st.sampled_from([*ROLES, "all", "asserted:r1", "evidence:x.y-z"])).map(",".join)))
def test_a_graphs_value_selects_graphs_of_the_scheme_or_is_a_usage_error(spec: str) -> None:
    try:
        selectors = parse_graphs(spec)
    except UsageError:
        return
    for selector in selectors:
        role, colon, report = selector.partition(":")
        assert role in ROLES and (not colon or (role in REPORT_ROLES and REPORT_ID.fullmatch(report)))
    try:
        chosen = resolve_graphs(selectors, [*GRAPHS.values(), GRAPH_NS + "asserted/r1"])
    except UsageError:
        return
    for iri in chosen:
        assert iri.startswith(GRAPH_NS) and graph_role(iri) is not None
        ox.NamedNode(iri)  # a valid IRI


@pytest.mark.parametrize(
    "value", ["http://ex/v> ; DROP SILENT GRAPH <http://ex/k2> ; INSERT DATA { GRAPH <http://ex/v", "x:y}"]
)
def test_the_red_teams_injections_are_usage_errors(value: str) -> None:
    with pytest.raises(UsageError):
        iri_term(value, "--into")
