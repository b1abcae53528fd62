"""Streaming exports of a store (``--data`` inputs of any size): memory stays flat.

Quads are written as they come — straight from the parser when the input is a file (``--data``),
or from a store (``--store DIR``) — by pyoxigraph's streaming serialisers; the triple formats
merge the graphs (TriG, N-Quads and JSON-LD keep them apart); Turtle and TriG get a blank line
between subjects, as the dataset's own exports (which are also grouped by type: a stream cannot
be). Output follows the input's (or the store's) own order, the same for the same data on every
run. Streaming from the parser also keeps every literal exactly as written (an Oxigraph store
would, for instance, store ``xsd:nonNegativeInteger`` values as ``xsd:integer``).

Compact JSON-LD is written node by node by the same writer as the dataset's own exports
(``casegraph.export.CompactWriter``), in the input's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, cast

import pyoxigraph as ox

from .export import CompactWriter, RdfFormat, Spaced, context
from .iris import PREFIXES


def _triples(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    for quad in quads:
        yield ox.Triple(quad.subject, quad.predicate, quad.object)


def dump(quads: Iterable[ox.Quad], fmt: RdfFormat, out: IO[bytes]) -> None:
    """Write ``quads`` (a store, or quads streamed from a parser) to ``out`` in ``fmt``, as they
    come; triple formats merge the graphs."""
    if fmt is RdfFormat.JSONLD:
        CompactWriter(context()["@context"]).write(quads, out)
        return
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDFXML) else None
    data: Iterable[ox.Quad] | Iterable[ox.Triple] = quads if fmt.keeps_graphs else _triples(quads)
    if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):  # a blank line between subjects, as the dataset's
        sink = Spaced(out, fmt.ox_format)
        ox.serialize(data, cast(IO[bytes], sink), format=fmt.ox_format, prefixes=prefixes)
        sink.close()
        return
    ox.serialize(data, out, format=fmt.ox_format, prefixes=prefixes)
