"""The package's exceptions. The CLI turns each into one clear line and an exit code."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Characters a terminal would act on instead of showing: C0 and C1 controls (ESC starts colour
#: and cursor sequences, BEL rings), DEL, and the invisible format characters (bidirectional marks
#: and overrides that reorder text, zero-width spaces, line and paragraph separators, tags).
_FORMAT = "\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
_INVISIBLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT}]")
_BREAKS = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT}]")


def visible(text: str, *, breaks: bool = False) -> str:
    """``text`` with every control character written as an escape (``\\x1b``), so data and user
    input print as what they are; line feeds and tabs too when ``breaks`` (an error is one line)."""
    pattern = _BREAKS if breaks else _INVISIBLE
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def one_line(text: object) -> str:
    """``text`` (a message, an exception) on one line: each run of white space, line breaks
    included, becomes one space, and none is left at either end."""
    return " ".join(str(text).split())


def nearest(word: str, choices: Iterable[str]) -> list[str]:
    """The one or two of ``choices`` nearest to ``word`` (none when nothing is near)."""
    import difflib

    folded = {choice.lower(): choice for choice in choices}  # `ALL` is all; case is no distance
    return [folded[near] for near in difflib.get_close_matches(word.lower(), list(folded), n=2, cutoff=0.7)]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``did you mean X?`` naming the one or two of ``choices`` nearest to ``word``, or ``""``."""
    near = nearest(word, choices)
    return f"did you mean {' or '.join(near)}?" if near else ""


class CasegraphWarning(UserWarning):
    """Something worth saying that does not stop the command (an empty input, an answer with no
    rows for a resource nothing mentions); the CLI prints it as ``casegraph: warning: …``."""


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
