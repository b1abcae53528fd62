"""Releases: the release record a tree builds (``graph/release.ttl``), and the dataset's release
date, the one date every published artefact carries (a package's Bagging-Date, its crate's
``datePublished``, its zip entries' times), so that they are byte-identical on every run and never
show the wall clock.

A release has its own IRI, ``{RELEASE_NS}VERSION`` (``…/id/dataset/casegraph/0.2.0``), a version
of the stable dataset IRI ``id:dataset/casegraph``; its record gives its version (``dcat:version``,
the same as the IRI's last segment), the day it is issued (``dcterms:issued``, an ``xsd:date``) and,
optionally, the release it revises (``prov:wasRevisionOf``). The build publishes it in the metadata
graph (see :func:`casegraph.build.describe_release`).

The release date, first found wins:

1. ``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/), when set: a
   whole number of seconds since 1970-01-01 00:00 UTC;
2. ``dcterms:issued`` of ``id:dataset/casegraph`` in the metadata graph (the release's date, which
   the build copies from the release record);
3. the newest ``dcterms:date`` among the dataset's source reports (``dcterms:source``): a
   release is never older than what it describes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pyoxigraph as ox

from .errors import DatasetError, OntologyError, UsageError
from .iris import DATASET_IRI, GRAPH_METADATA

if TYPE_CHECKING:
    from rdflib import Graph

_DCTERMS = "http://purl.org/dc/terms/"
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
#: Where the releases of the dataset are named: ``{RELEASE_NS}VERSION``.
RELEASE_NS: Final = DATASET_IRI + "/"
#: A release's version: MAJOR.MINOR.PATCH, optionally a pre-release or build suffix (SemVer).
VERSION: Final = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]+)?")


@dataclass(frozen=True)
class Release:
    """A release as its record gives it: its IRI and version, the day it is issued (ISO), the
    release it revises (or None), and the record's triples, to publish."""

    iri: str
    version: str
    issued: str
    previous: str | None
    record: Graph


def version_of(iri: str) -> str | None:
    """The version a release IRI names (``…/dataset/casegraph/0.2.0`` -> ``0.2.0``), else None."""
    version = iri[len(RELEASE_NS) :] if iri.startswith(RELEASE_NS) else ""
    return version if VERSION.fullmatch(version) else None


def later(version: str, than: str) -> bool:
    """True when ``version`` comes after ``than``, both versions: MAJOR.MINOR.PATCH compared as
    numbers (a suffix is not compared)."""

    def order(v: str) -> tuple[int, int, int]:
        match = VERSION.fullmatch(v)
        if match is None:
            raise ValueError(f"not a version: {v!r}")
        return (int(match[1]), int(match[2]), int(match[3]))

    return order(version) > order(than)


def read_release(path: Path) -> Release | None:
    """The release record at ``path`` (None when there is none), checked.

    Raises:
        OntologyError: the file is not Turtle, or does not describe one release as the README's
            "Releases" says (naming the file and what to write).
    """
    if not path.exists():
        return None
    from rdflib import RDF, BNode, Literal, URIRef

    from .ontology import DCAT, DCTERMS, PROV, read_turtle

    record = read_turtle(path)
    releases = sorted(str(s) for s in record.subjects(RDF.type, DCAT.Dataset) if isinstance(s, URIRef))
    if len(releases) != 1 or version_of(releases[0]) is None:
        raise OntologyError(
            f"{path}: describe the release once, as <{RELEASE_NS}VERSION> a dcat:Dataset (VERSION as "
            "MAJOR.MINOR.PATCH, e.g. 0.2.0)"
        )
    iri = URIRef(releases[0])
    version = version_of(iri) or ""
    others = sorted({str(s) for s in record.subjects() if s != iri})
    if others:
        raise OntologyError(f"{path}: describes <{others[0]}>; the record describes its release <{iri}> only")
    if any(isinstance(term, BNode) for triple in record for term in triple):
        raise OntologyError(f"{path}: a blank node; give each value as a literal or an IRI")
    versions = [str(v) for v in record.objects(iri, DCAT.version)]
    if versions != [version]:
        raise OntologyError(f"{path}: give the release's version once, as dcat:version \"{version}\" (its IRI's)")
    issued = list(record.objects(iri, DCTERMS.issued))
    if len(issued) != 1 or not isinstance(issued[0], Literal) or str(issued[0].datatype) != _XSD_DATE:
        raise OntologyError(
            f'{path}: give the day the release is issued once, as dcterms:issued "YYYY-MM-DD"^^xsd:date'
        )
    revised = [str(p) for p in record.objects(iri, PROV.wasRevisionOf)]
    previous = revised[0] if revised else None
    if len(revised) > 1 or (previous is not None and version_of(previous) is None):
        raise OntologyError(
            f"{path}: prov:wasRevisionOf names the one release this one revises, as <{RELEASE_NS}VERSION>"
        )
    if previous is not None and not later(version, version_of(previous) or ""):
        raise OntologyError(
            f"{path}: release {version} revises {version_of(previous)}, which is not an earlier version; "
            "name the previous release"
        )
    return Release(str(iri), version, str(issued[0]), previous, record)


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
