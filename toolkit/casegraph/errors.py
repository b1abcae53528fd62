"""The package's exceptions. The CLI turns each into one clear line and an exit code."""

from __future__ import annotations


def one_line(text: object) -> str:
    """``text`` (a message, an exception) on one line: each run of white space, line breaks
    included, becomes one space, and none is left at either end."""
    return " ".join(str(text).split())


class CasegraphError(Exception):
    """Base class: an expected failure with a message that says what, where and what to try."""

    exit_code = 1


class UsageError(CasegraphError):
    """The caller asked for something malformed (an unknown name, a bad parameter value)."""

    exit_code = 2


class OntologyError(CasegraphError):
    """The ontology or a curated file cannot be read or uses a term the ontology lacks."""


class GroundingError(CasegraphError):
    """A quote or mention is absent from the source text, or occurs more than once."""


class BuildError(CasegraphError):
    """The dataset cannot be assembled (disjointness, blank nodes, leftover shorthand)."""


class DatasetError(CasegraphError):
    """The dataset on disk is missing or unreadable."""


class QueryError(CasegraphError):
    """A bundled or ad-hoc query is malformed or fails to run."""


class QueryHeaderError(QueryError):
    """A bundled query's '#+' header is malformed."""


class ExportError(CasegraphError):
    """An export cannot be written."""


class ReasoningError(CasegraphError):
    """The OWL 2 RL closure found an inconsistency (e.g. a node in two disjoint classes)."""


class ValidationError(CasegraphError):
    """The graph does not conform to the SHACL shapes or fails an ontology check."""


class StoreError(CasegraphError):
    """A triple store could not be reached, refused the request, or answered something unusable."""
