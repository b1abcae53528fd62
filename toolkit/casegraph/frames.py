"""Framed JSON-LD: the dataset as a few readable trees (events, people, claims) instead of 800 flat
nodes, written by pyld's JSON-LD 1.1 framing from the frames shipped in ``ontology/frames/``.

Each frame file holds the frame and a context of its own (the reverse relations it nests, such
as ``assertions``: the reified statements whose ``rdf:subject`` a node is); the published context
is put in front of it, inline, so the output describes itself and nothing is fetched. Framing
reads one graph: the graphs asked for are merged (default: asserted + evidence). Every node the
frame matches, and everything reachable from it, is written once (``@embed @once``); the report's
spans are written in full wherever they support an assertion (``@embed @always``), so each claim
carries its own words. What each frame selects is documented in ``ontology/frames/README.md`` and
tested: the framed output reads back to exactly that subgraph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from .errors import UsageError
from .formats import FRAMES
from .resources import default_paths

#: The graphs a frame reads when none are named: the report's facts and the words that state them.
FRAME_GRAPHS = ("asserted", "evidence")


def frame_document(name: str) -> dict[str, Any]:
    """The frame ``name`` with the published context in front of its own (both inline).

    Raises:
        UsageError: no frame of that name is shipped.
    """
    from .errors import did_you_mean
    from .export import context

    if name not in FRAMES:
        raise UsageError(f"no frame {name!r}{did_you_mean(name, FRAMES)}; the frames are {', '.join(FRAMES)}")
    path = default_paths().frames / f"{name}.jsonld"
    frame: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    frame["@context"] = [context()["@context"], frame.get("@context", {})]
    return frame


def framed_jsonld(quads: Iterable[ox.Quad], name: str) -> bytes:
    """``quads`` (their graphs merged) framed by the frame ``name``, as indented JSON-LD: the
    same quads give the same bytes.

    Raises:
        UsageError: no frame of that name is shipped.
    """
    from pyld import jsonld

    from .export import compact_jsonld, used_context

    frame = frame_document(name)
    merged = json.loads(compact_jsonld(ox.Quad(q.subject, q.predicate, q.object) for q in quads))
    # only the context the data and the frame use: pyld's compaction tries every term per IRI
    published, own = frame["@context"]
    frame["@context"][0] = used_context(published, [merged["@graph"], {**frame, "@context": own}])
    merged["@context"] = frame["@context"][0]
    framed = jsonld.frame(merged, frame, {"omitDefault": True, "omitGraph": False, "documentLoader": _no_loading})
    nested = [term for term, definition in own.items() if "@reverse" in definition]
    return (json.dumps(_readable(framed, nested), indent=2, ensure_ascii=False) + "\n").encode()


def _readable(value: Any, nested: list[str]) -> Any:
    """``value`` with each object's keys in reading order: ``@id`` and ``@type`` first, then the
    node's own relations, then what points at it (the frame's reverse terms, in its order). JSON
    object order carries no meaning, so the graph is the same."""
    if isinstance(value, list):
        return [_readable(item, nested) for item in value]
    if not isinstance(value, dict):
        return value
    lead = [key for key in ("@context", "@id", "@type") if key in value]
    tail = [key for key in nested if key in value]
    middle = [key for key in value if key not in lead and key not in tail]
    return {key: value[key] if key == "@context" else _readable(value[key], nested) for key in lead + middle + tail}


def _no_loading(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: frames carry their contexts inline, so nothing is ever fetched."""
    raise UsageError(f"{url}: framing fetches nothing; put the context inline")
