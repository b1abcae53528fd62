"""The dataset's release date: the one date every published artefact carries (a package's
Bagging-Date, its crate's ``datePublished``, its zip entries' times; later the site's), so that
they are byte-identical on every run and never show the wall clock.

The chain, first found wins:

1. ``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/), when set: a
   whole number of seconds since 1970-01-01 00:00 UTC;
2. ``dcterms:issued`` of ``id:dataset/casegraph`` in the metadata graph (the release date the
   dataset records, once it records one);
3. the newest ``dcterms:date`` among the dataset's source reports (``dcterms:source``): a
   release is never older than what it describes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

import pyoxigraph as ox

from .errors import DatasetError, UsageError
from .iris import DATASET_IRI, GRAPH_METADATA

_DCTERMS = "http://purl.org/dc/terms/"


def release_date(quads: Iterable[ox.Quad], environ: Mapping[str, str] | None = None) -> datetime:
    """The dataset's release date as an aware UTC datetime (midnight for a date), by the chain
    above; ``environ`` is ``os.environ`` by default.

    Raises:
        UsageError: SOURCE_DATE_EPOCH is set but not a whole number of seconds.
        DatasetError: the metadata gives no date (or an unreadable one).
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise UsageError(
                f"SOURCE_DATE_EPOCH={epoch!r}: not a whole number of seconds since 1970-01-01 UTC; "
                "give one (e.g. $(git log -1 --format=%ct)), or unset it to use the dataset's own date"
            )
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (OverflowError, OSError, ValueError) as err:
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch}: out of range ({err}); give a date before year 10000") from err
    issued: list[ox.Literal] = []
    sources: set[str] = set()
    dates: dict[str, list[ox.Literal]] = {}
    for quad in quads:
        if not (isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == GRAPH_METADATA):
            continue
        subject, predicate, value = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        if subject.value == DATASET_IRI and predicate == _DCTERMS + "issued" and isinstance(value, ox.Literal):
            issued.append(value)
        elif subject.value == DATASET_IRI and predicate == _DCTERMS + "source" and isinstance(value, ox.NamedNode):
            sources.add(value.value)
        elif predicate == _DCTERMS + "date" and isinstance(value, ox.Literal):
            dates.setdefault(subject.value, []).append(value)
    if issued:
        return max(_moment(literal, DATASET_IRI) for literal in issued)
    reported = [_moment(literal, source) for source in sorted(sources) for literal in dates.get(source, [])]
    if not reported:
        raise DatasetError(
            f"the metadata graph gives no release date (no dcterms:issued of <{DATASET_IRI}>, no dcterms:date of a "
            "source report); set SOURCE_DATE_EPOCH"
        )
    return max(reported)


def _moment(literal: ox.Literal, subject: str) -> datetime:
    """An ``xsd:date`` (midnight UTC) or ``xsd:dateTime`` (UTC; without an offset, taken as UTC)."""
    text = literal.value.strip()
    try:
        if "T" in text:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        day = date.fromisoformat(text[:10])  # a date with a time-zone offset: the day it names
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    except ValueError as err:
        raise DatasetError(
            f"<{subject}>: the date {text!r} in the metadata graph is not an xsd:date or xsd:dateTime; fix it, "
            "or set SOURCE_DATE_EPOCH"
        ) from err
