"""The dataset as the query and export stages see it: named graphs in an embedded pyoxigraph store.

Only pyoxigraph is imported here, so reading the shipped dataset stays fast (no rdflib).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from .errors import DatasetError, UsageError
from .export import graph_iri
from .iris import GRAPHS
from .resources import default_paths

DATASET_FILE = "casegraph.nq"


def dataset_file(folder: Path | None = None) -> Path:
    """The N-Quads file of a dataset folder (the shipped ``graph/build`` by default)."""
    return (folder or default_paths().build) / DATASET_FILE


def existing_file(folder: Path | None) -> Path:
    """The dataset file of ``folder``, which must exist (else a DatasetError says what to do)."""
    path = dataset_file(folder)
    if not path.is_file():
        raise DatasetError(
            f"{path}: no dataset here; run `casegraph build --output {path.parent}` first, "
            "or leave out --dataset to use the shipped one"
        )
    return path


def read_quads(folder: Path | None = None) -> list[ox.Quad]:
    """The quads of a dataset folder written by ``casegraph build``, exactly as written.

    An Oxigraph store canonicalises some literals (``xsd:nonNegativeInteger`` offsets become
    ``xsd:integer``), so exports read the file, not a store: they publish what was built.

    Raises:
        DatasetError: the folder has no dataset, or the file is not valid N-Quads.
    """
    path = existing_file(folder)
    try:
        return list(ox.parse(path=path, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as err:
        raise DatasetError(f"{path}: not valid N-Quads ({err}); rebuild it") from err


def open_dataset(folder: Path | None = None) -> ox.Store:
    """The dataset in an in-memory store, for querying (bulk-loaded straight from the file).

    The shipped dataset is parsed leniently (pyoxigraph skips re-validating IRIs and language
    tags, a third of the parse time on the main job): ``casegraph build`` wrote and checked it,
    and the test suite parses it strictly. A dataset given with ``--dataset`` is validated.

    Raises:
        DatasetError: the folder has no dataset, or the file is not valid N-Quads.
    """
    path = existing_file(folder)
    store = ox.Store()
    try:
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS, lenient=folder is None)
    except SyntaxError as err:
        raise DatasetError(f"{path}: not valid N-Quads ({err}); rebuild it") from err
    return store


def parse_graphs(spec: str) -> tuple[str, ...]:
    """``--graphs`` value -> graph roles in canonical order.

    ``spec`` is a comma list of ``ontology``, ``asserted``, ``evidence``, ``enrichment``,
    ``inferred``, ``metadata``, or ``all``.

    Raises:
        UsageError: an unknown role or an empty list.
    """
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        raise UsageError("--graphs: empty list; name one or more of " + ", ".join([*GRAPHS, "all"]))
    if "all" in names:
        if len(names) > 1:
            raise UsageError("--graphs: 'all' stands alone; drop the other names")
        return tuple(GRAPHS)
    return ordered_roles(names, unknown="--graphs: unknown graph", choices=[*GRAPHS, "all"])


def ordered_roles(names: Sequence[str], *, unknown: str, choices: Sequence[str] = tuple(GRAPHS)) -> tuple[str, ...]:
    """``names`` as graph roles in canonical order.

    Raises:
        UsageError: a name that is no role (the message starts with ``unknown`` and lists ``choices``).
    """
    bad = [n for n in names if n not in GRAPHS]
    if bad:
        raise UsageError(f"{unknown} {bad[0]!r}; choose from " + ", ".join(choices))
    return tuple(role for role in GRAPHS if role in names)


def graph_names(roles: tuple[str, ...]) -> list[ox.NamedNode]:
    """The named-graph IRIs of ``roles``."""
    return [ox.NamedNode(GRAPHS[role]) for role in roles]


def select_quads(quads: list[ox.Quad], roles: tuple[str, ...]) -> list[ox.Quad]:
    """The quads of the named graphs ``roles``."""
    wanted = {GRAPHS[role] for role in roles}
    return [q for q in quads if graph_iri(q) in wanted]
