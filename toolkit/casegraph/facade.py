"""The library's façade: where the data comes from (a :class:`Source`) and what to do with it.

Each function here is one command's orchestration, so the CLI only parses options, makes one call
and prints: :func:`sparql` and :func:`query` run SPARQL on whatever the source is (the shipped
dataset, a built one, your own RDF files or on-disk store, or a SPARQL endpoint), and
:func:`export` writes RDF from it. The heavier stages (parsing inputs, streaming writers, the
remote client) load only when a source needs them, so the main job stays as fast as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .errors import UsageError
from .iris import EXPORT_GRAPHS, GRAPHS, QUERY_GRAPHS, GraphRole

if TYPE_CHECKING:
    from .endpoint import Endpoint

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: ``progress(total_bytes, label)`` returns ``advance(n)``: how input reading reports progress.
Progress = Callable[[int, str], Callable[[int], None]]


def _no_progress(total: int, label: str) -> Callable[[int], None]:
    return lambda done: None


@dataclass(frozen=True)
class Source:
    """Where the data comes from.

    The default is the dataset shipped with the package. ``dataset`` is a folder written by
    ``casegraph build --output``; ``data`` are your own RDF files (``-`` for stdin; formats from
    the extensions or ``input_format``), optionally kept in an on-disk ``store`` that later sources
    reuse without ``data``, and merged with the article's graphs when ``with_article``; ``endpoint``
    is a SPARQL 1.1 endpoint (which cannot be combined with your own data).
    """

    dataset: Path | None = None
    data: tuple[str, ...] = ()
    input_format: str | None = None
    store: Path | None = None
    with_article: bool = False
    endpoint: Endpoint | None = None

    @property
    def is_yours(self) -> bool:
        """True when the source is your own RDF (files or an on-disk store), not the article's."""
        return bool(self.data) or self.store is not None


def roles_of(graphs: Sequence[GraphRole | str] | None, default: Sequence[str]) -> tuple[str, ...]:
    """Graph roles in canonical order (``default`` when ``graphs`` is None).

    Raises:
        UsageError: an unknown role.
    """
    names = list(default) if graphs is None else [str(GraphRole(g)) if g in GRAPHS else str(g) for g in graphs]
    unknown = [n for n in names if n not in GRAPHS]
    if unknown:
        raise UsageError(f"unknown graph role {unknown[0]!r}; choose from " + ", ".join(GRAPHS))
    return tuple(role for role in GRAPHS if role in names)


def open_user_store(source: Source, roles: Sequence[str], *, progress: Progress = _no_progress) -> ox.Store | None:
    """The store of your own data (or of an existing on-disk store), with the article's ``roles``
    merged in when the source asks; None when the source is the article's dataset.

    Raises:
        UsageError: ``with_article`` without your own data, or an unusable store folder.
        DatasetError: a file is malformed (with file:line:column), unreadable or too large.
    """
    if not source.is_yours:
        if source.with_article:
            raise UsageError("--with-article goes with --data FILE or --store DIR")
        return None
    from .dataset import read_quads, select_quads
    from .inputs import read_inputs

    article = select_quads(read_quads(source.dataset), tuple(roles)) if source.with_article else ()
    return read_inputs(
        source.data, input_format=source.input_format, store_dir=source.store, article=article, progress=progress
    )


def sparql(
    text: str,
    source: Source | None = None,
    *,
    graphs: Sequence[GraphRole | str] | None = None,
    default: Sequence[str] = QUERY_GRAPHS,
    where: str = "<query>",
    progress: Progress = _no_progress,
) -> Result:
    """Run SPARQL ``text`` on ``source``: on an endpoint naming the graphs of ``graphs`` (or
    ``default``), on your own data (the default graph is the union of all its graphs), or on the
    article's dataset over those graphs.

    Raises:
        UsageError: an endpoint combined with your own data, or an unknown graph role.
        QueryError: the query is malformed or fails; StoreError: the endpoint failed.
    """
    source = source or Source()
    roles = roles_of(graphs, default)
    if source.endpoint is not None and source.is_yours:
        raise UsageError("--endpoint runs on the store's data: leave out --data/--store")
    store = open_user_store(source, roles, progress=progress)
    if source.endpoint is not None:
        from .remote import run_remote

        return run_remote(source.endpoint, text, graphs=[GRAPHS[r] for r in roles], where=where)
    from .queries import run_sparql

    if store is not None:
        return run_sparql(store, text, where=where, graphs=None)
    from .dataset import graph_names, open_dataset

    return run_sparql(open_dataset(source.dataset), text, where=where, graphs=graph_names(roles))


def query(
    query_id: str,
    params: Mapping[str, str] | None = None,
    source: Source | None = None,
    *,
    graphs: Sequence[GraphRole | str] | None = None,
    progress: Progress = _no_progress,
) -> Result:
    """Run the bundled query ``query_id`` on ``source`` (the shipped dataset by default), over
    ``graphs`` (by default those its header names), its parameters bound as typed terms — the
    rows ``casegraph query`` prints.

    Raises:
        UsageError: an unknown query or parameter, an ill-typed value, or an unknown graph role.
        DatasetError: the source holds no readable dataset.
    """
    from .queries import find_query, query_text

    bundled = find_query(query_id)
    text = query_text(bundled, params or {})
    return sparql(text, source, graphs=graphs, default=bundled.graphs, where=str(bundled.path), progress=progress)


def export(
    source: Source | None,
    fmt: str,
    output: str = "-",
    *,
    graphs: Sequence[GraphRole | str] | None = None,
    progress: Progress = _no_progress,
) -> None:
    """Write ``source``'s graphs (by default ontology + asserted) to ``output`` (a path, or ``-``
    for stdout) in ``fmt``: the article's dataset sorted, byte-identically on every run; your own
    files streamed from the parser (flat memory, every literal as written); an on-disk store
    streamed from the store. Files are written whole or not at all.

    Raises:
        UsageError: an unknown format or graph role; DatasetError: unreadable input;
        ExportError: the output cannot be written.
    """
    from .dataset import read_quads, select_quads
    from .export import RdfFormat, export_note, serialize
    from .files import write_bytes, writing

    source = source or Source()
    rdf, roles = RdfFormat(fmt), roles_of(graphs, EXPORT_GRAPHS)
    if source.data and source.store is None:  # stream straight from the parser
        import itertools

        from .inputs import iter_inputs
        from .stream import dump

        streamed = iter_inputs(source.data, input_format=source.input_format, progress=progress)
        article = select_quads(read_quads(source.dataset), roles) if source.with_article else []
        with writing(output) as out:
            dump(itertools.chain(article, streamed), rdf, out)
        return
    store = open_user_store(source, roles, progress=progress)
    if store is not None:
        from .stream import dump

        with writing(output) as out:
            dump(store, rdf, out)
        return
    quads = select_quads(read_quads(source.dataset), roles)
    write_bytes(output, serialize(quads, rdf, note=export_note(quads)))
