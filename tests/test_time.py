"""Time that sorts and filters: OWL-Time instants and intervals with explicit offsets, bounds on
every time node, and a timeline ordered by them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from casegraph.chronology import place_in_time, span_of
from casegraph.errors import GroundingError
from casegraph.export import graph_iri
from casegraph.iris import GRAPHS, ID_NS
from casegraph.ontology import CG

from .conftest import solutions, value
from .test_facts import ask, values

ENTAILED = ("ontology", "asserted", "inferred")


@pytest.mark.parametrize(
    ("value", "precision", "bounds"),
    [
        ("2025-06-10", "DayPrecision", ("2025-06-10T00:00:00-04:00", "2025-06-11T00:00:00-04:00")),
        ("2025-02-19", "DayPrecision", ("2025-02-19T00:00:00-05:00", "2025-02-20T00:00:00-05:00")),
        ("2025-05", "MonthPrecision", ("2025-05-01T00:00:00-04:00", "2025-06-01T00:00:00-04:00")),
        ("2025-12", "MonthPrecision", ("2025-12-01T00:00:00-05:00", "2026-01-01T00:00:00-05:00")),
        ("2025", "YearPrecision", ("2025-01-01T00:00:00-05:00", "2026-01-01T00:00:00-05:00")),
        ("2025-06-10T17:30:00-04:00", "MinutePrecision", ("2025-06-10T17:30:00-04:00",) * 2),
    ],
    ids=["june-day", "february-day-est", "month", "december", "year", "minute"],
)
def test_bounds_follow_the_value_in_eastern_time(value: str, precision: str, bounds: tuple[str, str]) -> None:
    assert span_of(value, CG[precision]) == bounds


TIME = """
@prefix cg: <https://w3id.org/casegraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://w3id.org/casegraph/id/time/> .
"""


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (
            "ex:t a cg:ReportedTime ; cg:precision cg:DayPrecision .",
            "x.ttl: <https://w3id.org/casegraph/id/time/t>: a time without bounds; give cg:timeValue with "
            "cg:precision, or cg:earliest and cg:latest with cg:precision cg:BoundedPrecision",
        ),
        (
            "ex:t a cg:ReportedTime ; cg:precision cg:BoundedPrecision ; "
            'cg:earliest "2025-06-14T00:00:00-04:00"^^xsd:dateTimeStamp ; '
            'cg:latest "2025-06-10T00:00:00-04:00"^^xsd:dateTimeStamp .',
            "x.ttl: <https://w3id.org/casegraph/id/time/t>: its bounds are out of order "
            "(2025-06-14T00:00:00-04:00 is after 2025-06-10T00:00:00-04:00)",
        ),
        (
            "ex:t a cg:ReportedTime ; cg:precision cg:MinutePrecision ; "
            'cg:timeValue "2025-06-10T17:30:00"^^xsd:dateTime .',
            "x.ttl: <https://w3id.org/casegraph/id/time/t>: time value '2025-06-10T17:30:00' does not fit its "
            "precision (a minute needs an xsd:dateTime with its offset, e.g. 2025-06-10T17:30:00-04:00)",
        ),
    ],
    ids=["no-bounds", "out-of-order", "no-offset"],
)
def test_a_time_that_cannot_be_bounded_fails_naming_the_node(node: str, message: str) -> None:
    with pytest.raises(GroundingError) as caught:
        place_in_time(Graph().parse(data=TIME + node, format="turtle"), where="x.ttl")
    assert str(caught.value) == message


def test_instants_and_intervals_carry_stamps_with_offsets(store: ox.Store) -> None:
    deadline = "id:time/hhs-order-deadline"
    assert ask(
        store,
        f"""{deadline} a <http://www.w3.org/2006/time#Instant> ;
              <http://www.w3.org/2006/time#inXSDDateTimeStamp> "2025-06-10T17:30:00-04:00"^^xsd:dateTimeStamp .""",
    )
    assert ask(
        store,
        """id:time/vitolo-memo a time:ProperInterval ;
              time:hasBeginning/time:inXSDDateTimeStamp "2025-06-06T00:00:00-04:00"^^xsd:dateTimeStamp ;
              time:hasEnd/time:inXSDDateTimeStamp "2025-06-07T00:00:00-04:00"^^xsd:dateTimeStamp .""",
    )
    unbounded = values(store, "?v a cg:ReportedTime . FILTER NOT EXISTS { ?v cg:earliest ?e ; cg:latest ?l }")
    assert unbounded == set()


def test_the_deadline_is_read_as_pm_and_flagged(store: ox.Store) -> None:
    # "to today at 5:30 ET": 54 minutes after the order; the p.m. reading is the curator's.
    notes = values(store, "id:time/hhs-order-deadline cg:inferred true ; cg:inferenceNote ?v .")
    assert len(notes) == 1 and "p.m." in next(iter(notes))


def test_the_transfer_lies_between_the_order_and_the_reports_date(store: ox.Store) -> None:
    # "this week" (the report of Friday 13 June 2025), after the order of 10 June it fulfilled
    assert ask(
        store,
        """id:event/cms-transfer-to-dhs cg:occurredAt ?t .
           ?t cg:precision cg:BoundedPrecision ; cg:inferred true ; cg:inferenceNote ?note ;
              cg:earliest "2025-06-10T00:00:00-04:00"^^xsd:dateTimeStamp ;
              cg:latest "2025-06-14T00:00:00-04:00"^^xsd:dateTimeStamp .""",
    )


def test_a_date_filter_finds_every_june_event_whatever_its_precision(store: ox.Store) -> None:
    june = values(
        store,
        """?v cg:occurredAt|cg:dated|cg:deadline ?t . ?t cg:earliest ?e ; cg:latest ?l .
           FILTER(?e >= "2025-06-01T00:00:00-04:00"^^xsd:dateTime
                  && ?l <= "2025-07-01T00:00:00-04:00"^^xsd:dateTime)""",
        *ENTAILED,
    )
    assert june == {
        ID_NS + path
        for path in (
            "event/cms-transfer-to-dhs",
            "document/vitolo-memo",
            "event/cms-objection",
            "event/vitolo-memo-statement",
            "event/hhs-order",
            "event/friedman-post",
        )
    }


def test_the_timeline_sorts_by_the_earliest_instant_and_puts_the_transfer_after_its_order(store: ox.Store) -> None:
    from casegraph.queries import find_query, run_query

    timeline = list(solutions(run_query(store, find_query("timeline"))))
    rows = [(value(r["item"]).rsplit("/", 1)[1], value(r["dateRole"])) for r in timeline]
    order = list(dict.fromkeys(rows))
    assert order.index(("hhs-order", "occurred")) < order.index(("cms-transfer-to-dhs", "occurred"))
    assert order.index(("cms-objection", "occurred")) < order.index(("hhs-order", "occurred"))
    assert ("illinois-program-end", "planned") in order and ("illinois-program-end", "occurred") not in order
    assert order[-1] == ("illinois-program-end", "planned")
    earliest = [value(r["earliest"]) for r in timeline]
    assert earliest == sorted(earliest, key=lambda stamp: __import__("datetime").datetime.fromisoformat(stamp))


def test_every_time_node_is_in_the_asserted_graph_only(quads: list[ox.Quad]) -> None:
    stamps = {graph_iri(q) for q in quads if q.predicate.value.endswith("#inXSDDateTimeStamp")}
    assert stamps == {GRAPHS["asserted"]}
