"""The names of the RDF formats casegraph reads (``--input-format``), in one place.

This module imports nothing heavy, so the CLI can offer the names before any parser loads;
``casegraph.inputs`` maps each to its pyoxigraph parser.
"""

from __future__ import annotations

from enum import StrEnum


class InputFormat(StrEnum):
    """An input format, by the name ``--input-format`` accepts (in the order the CLI lists them)."""

    TURTLE = "turtle"
    TRIG = "trig"
    NTRIPLES = "ntriples"
    NQUADS = "nquads"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"


#: The frames shipped in ``ontology/frames/`` (``export --frame NAME``); a test keeps the list
#: equal to the folder.
FRAMES = ("claims", "events", "people")
