"""Time that sorts and filters: each time the report gives becomes OWL-Time with explicit bounds.

Curators give a time node (``cg:ReportedTime``) its value at the precision the report gives
(``cg:timeValue`` with ``cg:precision``: minute, day, month or year), or, for a time the report
only bounds ("this week", after the order), its two bounds (``cg:earliest`` and ``cg:latest``,
with ``cg:precision cg:BoundedPrecision`` and a note saying how they were read). This stage adds
what a reader needs to sort and filter:

- an instant (minute precision) is a ``time:Instant`` with ``time:inXSDDateTimeStamp``;
- a day, month, year or bounded stretch is a ``time:ProperInterval`` whose ``time:hasBeginning``
  and ``time:hasEnd`` instants carry ``time:inXSDDateTimeStamp`` (the end is the first instant
  after the interval: a day runs from its midnight to the next);
- every time node gets the shortcuts ``cg:earliest`` and ``cg:latest`` (``xsd:dateTimeStamp``),
  so ``FILTER(?earliest >= "2025-06-01T00:00:00-04:00"^^xsd:dateTime)`` finds every June event,
  whatever its precision.

Dates without a time of day are read in the report's time zone, ``America/New_York`` (Eastern
Time: offset -04:00 in June, -05:00 in February), and always written with their offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import GroundingError
from .ontology import CG, TIME

ZONE = ZoneInfo("America/New_York")
Triple = tuple[Node, Node, Node]
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def _stamp(moment: datetime) -> str:
    return moment.isoformat()


def _midnight(day: date) -> str:
    return _stamp(datetime(day.year, day.month, day.day, tzinfo=ZONE))


def _next_month(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def span_of(value: str, precision: URIRef) -> tuple[str, str]:
    """The earliest and latest instant of ``value`` at ``precision``, as ``xsd:dateTimeStamp``
    lexical forms with offsets.

    Raises:
        ValueError: the value does not fit the precision.
    """
    if precision == CG.MinutePrecision:
        if not _STAMP.match(value):
            raise ValueError("a minute needs an xsd:dateTime with its offset, e.g. 2025-06-10T17:30:00-04:00")
        return value, value
    if precision == CG.DayPrecision:
        day = date.fromisoformat(value)
        return _midnight(day), _midnight(date.fromordinal(day.toordinal() + 1))
    if precision == CG.MonthPrecision:
        year, month = (int(part) for part in value.split("-"))
        return _midnight(date(year, month, 1)), _midnight(_next_month(year, month))
    if precision == CG.YearPrecision:
        year = int(value)
        return _midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1))
    raise ValueError("give cg:earliest and cg:latest for a bounded time")


def _bounds(graph: Graph, node: URIRef, where: str) -> tuple[str, str]:
    precision = graph.value(node, CG.precision)
    value = graph.value(node, CG.timeValue)
    given = (graph.value(node, CG.earliest), graph.value(node, CG.latest))
    name = f"{where}: <{node}>"
    if precision == CG.BoundedPrecision:
        if value is not None or None in given:
            raise GroundingError(f"{name}: a bounded time has cg:earliest and cg:latest and no cg:timeValue")
        for bound in given:
            if not (isinstance(bound, Literal) and bound.datatype == XSD.dateTimeStamp and _STAMP.match(str(bound))):
                raise GroundingError(
                    f"{name}: bound {bound} is not an xsd:dateTimeStamp "
                    '("2025-06-10T00:00:00-04:00"^^xsd:dateTimeStamp)'
                )
        earliest, latest = (str(v) for v in given)
        if datetime.fromisoformat(earliest) > datetime.fromisoformat(latest):
            raise GroundingError(f"{name}: its bounds are out of order ({earliest} is after {latest})")
        return earliest, latest
    if value is None or not isinstance(precision, URIRef):
        raise GroundingError(
            f"{name}: a time without bounds; give cg:timeValue with cg:precision, "
            "or cg:earliest and cg:latest with cg:precision cg:BoundedPrecision"
        )
    if given != (None, None):
        raise GroundingError(f"{name}: give cg:timeValue or the bounds, not both")
    try:
        return span_of(str(value), precision)
    except ValueError as err:
        raise GroundingError(f"{name}: time value {str(value)!r} does not fit its precision ({err})") from err


def _instant(node: URIRef, stamp: str) -> Iterator[Triple]:
    yield node, RDF.type, TIME.Instant
    yield node, TIME.inXSDDateTimeStamp, Literal(stamp, datatype=XSD.dateTimeStamp)


def place_in_time(asserted: Graph, *, where: str) -> Graph:
    """The OWL-Time structure and the bounds of every ``cg:ReportedTime`` of ``asserted``.

    Raises:
        GroundingError: a time node without a value or bounds, bounds out of order, or a value
            that does not fit its precision; the message names the node.
    """
    derived = Graph()
    for node in sorted(n for n in asserted.subjects(RDF.type, CG.ReportedTime) if isinstance(n, URIRef)):
        earliest, latest = _bounds(asserted, node, where)
        for name, stamp in (("earliest", earliest), ("latest", latest)):
            derived.add((node, CG[name], Literal(stamp, datatype=XSD.dateTimeStamp)))
        if asserted.value(node, CG.precision) == CG.MinutePrecision:
            triples = list(_instant(node, earliest))
        else:
            beginning, end = URIRef(f"{node}/beginning"), URIRef(f"{node}/end")
            triples = [
                (node, RDF.type, TIME.ProperInterval),
                (node, TIME.hasBeginning, beginning),
                (node, TIME.hasEnd, end),
                *_instant(beginning, earliest),
                *_instant(end, latest),
            ]
        for triple in triples:
            derived.add(triple)
    return derived
