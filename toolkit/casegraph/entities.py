"""XML entities in RDF/XML input, checked before the parser expands them.

pyoxigraph's RDF/XML parser expands the entities a document declares in its DOCTYPE, including
entities made of other entities, so 937 bytes ("billion laughs") or one long entity referenced
many times ("quadratic blow-up") take gigabytes. Ordinary RDF/XML declares entities only as
namespace shorthands (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``, as Protégé writes),
which stay allowed. Refused, with one line: an entity whose value refers to another entity, a
parameter entity, an external entity (``SYSTEM``/``PUBLIC``: it would read a file or the
network), and references that would expand the document by more than :data:`EXPANSION_LIMIT`
bytes beyond its own size.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from .errors import DatasetError

#: How much entity expansion may add to a document, beyond its own size.
EXPANSION_LIMIT = 64 * 2**20
#: How much of the start of a document may hold its DOCTYPE.
HEAD = 2**20
_CHUNK = 2**22
_DECLARATION = re.compile(rb"<!ENTITY\b", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE\b", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ENTITY = re.compile(
    rb"<!ENTITY\s+(%\s+)?(\S+)\s+(?:(SYSTEM|PUBLIC)\b[^>]*|(\"[^\"]*\"|'[^']*'))\s*>", re.DOTALL | re.IGNORECASE
)
_REFERENCE = re.compile(rb"&(?!#)[^;\s]*;")


def check_entities(stream: BinaryIO, where: str) -> None:
    """Check the entities of the RDF/XML document ``stream`` (seekable; left at its start).

    The DOCTYPE (matched in any case, as the parser does) must lie in the first MiB, its
    comments are read past, and every entity declaration in it must be one casegraph reads.

    Raises:
        DatasetError: a refused declaration, or too much expansion.
    """
    head = _COMMENT.sub(b"", stream.read(HEAD))
    start = _DOCTYPE.search(head)
    if start is None:
        if _declarations_later(stream):
            raise DatasetError(f"{where}: a DOCTYPE after the first {HEAD // 2**20} MiB; move it to the top")
        stream.seek(0)
        return
    end = head.find(b"]>", start.end())
    if end < 0 and b"[" in head[start.end() :]:
        raise DatasetError(f"{where}: the DOCTYPE is not closed within its first {HEAD // 2**20} MiB; shorten it")
    declared = _DECLARATION.findall(head)
    if not declared:
        stream.seek(0)
        return
    found = list(_ENTITY.finditer(head, start.end(), end))
    if len(found) != len(declared):
        raise DatasetError(
            f'{where}: an <!ENTITY …> declaration casegraph cannot read; write it as <!ENTITY name "value">'
        )
    sizes: dict[bytes, int] = {}
    for entity in found:
        name = entity.group(2).decode("utf-8", "replace")
        if entity.group(1):
            raise DatasetError(f"{where}: parameter entity %{name} is not accepted in RDF/XML input; expand it")
        if entity.group(3):
            raise DatasetError(
                f"{where}: entity {name} is external ({entity.group(3).decode()}): casegraph reads no file or host a "
                "document names; put its value inline"
            )
        value = entity.group(4)[1:-1]
        if _REFERENCE.search(value):
            raise DatasetError(
                f"{where}: entity {name} is made of other entities, which can expand without bound; write its value out"
            )
        sizes[entity.group(2)] = len(value)
    stream.seek(0)
    _check_expansion(stream, sizes, where)
    stream.seek(0)


def _declarations_later(stream: BinaryIO) -> bool:
    """True when a DOCTYPE or an entity declaration appears after the first MiB (read in chunks)."""
    tail = b""
    while more := stream.read(_CHUNK):
        text = tail + more
        if _DOCTYPE.search(text) or _DECLARATION.search(text):
            return True
        tail = text[-16:]
    return False


def _check_expansion(stream: BinaryIO, sizes: dict[bytes, int], where: str) -> None:
    """Add up what the references to the declared entities would expand to, reading the document
    in chunks (a reference cut by a chunk's end is counted in the next, whole)."""
    pattern = re.compile(rb"&(" + b"|".join(re.escape(name) for name in sizes) + rb");")
    overlap = max(len(name) for name in sizes) + 2
    added = 0
    text = b""
    while True:
        more = stream.read(_CHUNK)
        cut = max(0, len(text) - overlap) if more else len(text)
        for match in pattern.finditer(text):
            if match.start() >= cut:
                break
            added += sizes[match.group(1)] - len(match.group())
        if added > EXPANSION_LIMIT:
            raise DatasetError(
                f"{where}: its entities would expand it by more than {EXPANSION_LIMIT // 2**20} MiB; write their "
                "values out or use fewer references"
            )
        if not more:
            return
        text = text[cut:] + more
