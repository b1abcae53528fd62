"""Verify: recompute every checksum of a built dataset folder and name each difference.

A folder written by ``casegraph build`` carries two kinds of fixity: ``SHA256SUMS``, the SHA-256
of each file, and, in the metadata graph of ``casegraph.nq``, the SHA-256 of each other graph's
RDFC-1.0 canonical N-Quads (``spdx:checksum`` with ``dcterms:conformsTo`` the W3C RDF Dataset
Canonicalization), which holds whatever the serialisation. Both are recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import DatasetError
from .files import sha256, sha256sum_entry

_SPDX = "http://spdx.org/rdf/terms#"
_CANON = "https://www.w3.org/TR/rdf-canon/"
_CONFORMS = "http://purl.org/dc/terms/conformsTo"


@dataclass(frozen=True)
class Verification:
    """What was checked in a folder, and every difference found (empty: all hold)."""

    files: int
    graphs: int
    differences: list[str] = field(default_factory=list)
    #: for a package (``casegraph package``): the number of payload files its bag lists; else None
    package: int | None = None


def verify(folder: Path) -> Verification:
    """Recompute the checksums of the dataset folder ``folder`` (or of a site written by ``casegraph
    publish``: its SHA256SUMS, and the graphs' canonical hashes in its casegraph.trig), or check a package written by
    ``casegraph package`` (a folder holding ``bagit.txt``, or a zip file: see
    :func:`casegraph.package.verify_package`).

    Raises:
        DatasetError: the folder is no built dataset (no SHA256SUMS or no casegraph.nq), nor a package.
    """
    from .dataset import DATASET_FILE, read_quads
    from .export import graph_hash

    if folder.is_file() or (folder / "bagit.txt").is_file():
        from .package import verify_package

        return verify_package(folder)

    from .site import SITE_DATASET, is_site

    listing = folder / "SHA256SUMS"
    site = is_site(folder)  # a site written by `casegraph publish`: its graphs are in one TriG file
    graphs_file = folder / (SITE_DATASET if site else DATASET_FILE)
    if not listing.is_file() or not graphs_file.is_file():
        raise DatasetError(
            f"{folder}: not a dataset written by `casegraph build` (no SHA256SUMS or {DATASET_FILE}), a package "
            "or a site written by `casegraph publish`"
        )
    differences: list[str] = []
    files = 0
    for number, line in enumerate(listing.read_text(encoding="utf-8").splitlines(), start=1):
        entry = sha256sum_entry(line)
        if entry is None:
            differences.append(f"{listing}:{number}: not a `sha256sum` line (64 hex digits, two spaces, a file name)")
            continue
        digest, name = entry
        path = folder / name
        if name.startswith("/") or ".." in Path(name).parts:
            differences.append(f"{listing}:{number}: {name!r} is outside the folder; not checked")
            continue
        if not path.resolve().is_relative_to(folder.resolve()):
            differences.append(f"{path}: leads outside the folder (a symbolic link); not checked")
            continue
        if not path.is_file():
            differences.append(f"{path}: listed in SHA256SUMS, missing")
            continue
        files += 1
        found = sha256(path)
        if found != digest:
            differences.append(f"{path}: SHA-256 {found}, not the {digest} SHA256SUMS records")
    if site:  # a site is all its SHA256SUMS lists: anything else was added
        from .site import unlisted

        differences += [f"{folder / name}: not listed in SHA256SUMS" for name in unlisted(folder)]
    quads = list(ox.parse(path=graphs_file, format=ox.RdfFormat.TRIG)) if site else read_quads(folder)
    recorded = _graph_checksums(quads)
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph.setdefault(quad.graph_name.value, []).append(quad)
    for graph, digest in sorted(recorded.items()):
        found = graph_hash(by_graph.get(graph, []))
        if found != digest:
            differences.append(f"graph <{graph}>: canonical SHA-256 {found}, not the {digest} the metadata records")
    return Verification(files, len(recorded), differences)


def _graph_checksums(quads: list[ox.Quad]) -> dict[str, str]:
    """Graph IRI -> the canonical SHA-256 the metadata records for it."""
    by_subject: dict[str, dict[str, str]] = {}
    for quad in quads:
        if isinstance(quad.object, ox.NamedNode | ox.Literal):
            by_subject.setdefault(str(quad.subject), {})[quad.predicate.value] = quad.object.value
    out: dict[str, str] = {}
    for quad in quads:
        if quad.predicate.value == _SPDX + "checksum" and isinstance(quad.subject, ox.NamedNode):
            facts = by_subject.get(str(quad.object), {})
            if facts.get(_CONFORMS) == _CANON and _SPDX + "checksumValue" in facts:
                out[quad.subject.value] = facts[_SPDX + "checksumValue"]
    return out
