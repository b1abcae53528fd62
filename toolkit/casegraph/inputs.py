"""Inputs: any RDF a user supplies (``--data FILE…``), kept in a pyoxigraph store.

The store is in memory by default; ``--store DIR`` keeps it on disk, where later commands reuse it
without parsing again. A file's format comes from its extension or ``--input-format``; ``-`` reads
stdin. A malformed file is reported with its name, line and column and the parser's message, and
nothing is kept: an in-memory store is discarded, an on-disk one is built in a side folder and
only renamed into place once every file has loaded. A file that cannot fit in memory is refused
before parsing, with the advice to use ``--store DIR``.
"""

from __future__ import annotations

import shutil
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph as ox

from .entities import check_entities
from .errors import CasegraphWarning, DatasetError, UsageError
from .files import ProgressReader, finished, locked, pending
from .formats import InputFormat

#: ``--input-format`` names -> pyoxigraph formats.
FORMATS: dict[str, ox.RdfFormat] = {
    InputFormat.TURTLE: ox.RdfFormat.TURTLE,
    InputFormat.TRIG: ox.RdfFormat.TRIG,
    InputFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    InputFormat.NQUADS: ox.RdfFormat.N_QUADS,
    InputFormat.JSONLD: ox.RdfFormat.JSON_LD,
    InputFormat.RDFXML: ox.RdfFormat.RDF_XML,
}
#: File extensions -> the formats they stand for.
EXTENSIONS: dict[str, str] = {
    extension: fmt
    for fmt, extensions in {
        InputFormat.TURTLE: (".ttl", ".turtle"),
        InputFormat.TRIG: (".trig",),
        InputFormat.NTRIPLES: (".nt", ".ntriples"),
        InputFormat.NQUADS: (".nq", ".nquads"),
        InputFormat.JSONLD: (".jsonld", ".json"),
        InputFormat.RDFXML: (".rdf", ".xml", ".owl"),
    }.items()
    for extension in extensions
}
#: Bytes of memory an in-memory store needs per byte of input, by format (measured with
#: pyoxigraph: about 333 bytes per triple held, 100-200 bytes per triple in the files).
MEMORY_FACTOR: dict[str, float] = {
    InputFormat.TURTLE: 6.0,
    InputFormat.TRIG: 6.0,
    InputFormat.NTRIPLES: 3.0,
    InputFormat.NQUADS: 3.0,
    InputFormat.JSONLD: 3.0,
    InputFormat.RDFXML: 3.0,
}
#: A folder holds an Oxigraph (RocksDB) store when it has this file.
STORE_MARKER = "CURRENT"

Progress = Callable[[int, str], Callable[[int], None]]


def format_of(source: str, override: str | None) -> str:
    """The input format name of ``source``.

    Raises:
        UsageError: no ``--input-format`` for stdin, or an extension casegraph does not know.
    """
    if override is not None:
        return override
    if source == "-":
        raise UsageError(f"--data -: reading stdin needs --input-format ({', '.join(InputFormat)})")
    suffix = Path(source).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UsageError(
            f"--data {source}: cannot tell the format from {suffix or 'a missing extension'!r}; "
            f"give --input-format ({', '.join(InputFormat)})"
        )
    return EXTENSIONS[suffix]


def available_memory() -> int | None:
    """Bytes of memory available now (Linux), or None where it cannot be told."""
    try:
        with Path("/proc/meminfo").open(encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_memory(sources: Sequence[str], formats: Sequence[str], *, limit: int | None = None) -> None:
    """Refuse, before parsing, inputs an in-memory store could not hold.

    Raises:
        DatasetError: the estimate exceeds 80 % of the available memory.
    """
    budget = limit if limit is not None else available_memory()
    if budget is None:
        return
    need = sum(
        int(Path(source).stat().st_size * MEMORY_FACTOR[fmt])
        for source, fmt in zip(sources, formats, strict=True)
        if source != "-"
    )
    if need > 0.8 * budget:
        raise DatasetError(
            f"--data: about {need / 2**30:.1f} GiB would be needed to hold the input in memory and "
            f"{budget / 2**30:.1f} GiB is available; add --store DIR to keep it on disk"
        )


def _open(source: str, fmt: str) -> BinaryIO:
    """The input to parse (stdin for ``-``); RDF/XML is checked for entity bombs first, after
    spooling stdin to a temporary file (the check reads the document twice).

    Raises:
        DatasetError: refused entities (see :mod:`casegraph.entities`).
    """
    if fmt != InputFormat.RDFXML:
        return sys.stdin.buffer if source == "-" else Path(source).open("rb")  # noqa: SIM115 - the caller closes it
    if source == "-":
        import tempfile

        stream: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
        shutil.copyfileobj(sys.stdin.buffer, stream)
        stream.seek(0)
    else:
        stream = Path(source).open("rb")  # noqa: SIM115 - the caller closes it
    try:
        check_entities(stream, "<stdin>" if source == "-" else source)
    except BaseException:
        stream.close()
        raise
    return stream


class _Counted:
    """A progress callback that also counts the bytes read, to warn of an empty input."""

    def __init__(self, source: str, advance: Callable[[int], None]) -> None:
        self.source, self.advance, self.read = source, advance, 0

    def __call__(self, size: int) -> None:
        self.read += size
        self.advance(size)

    def check(self) -> None:
        if self.read == 0:
            import warnings

            where = "standard input" if self.source == "-" else self.source
            warnings.warn(f"--data {where}: the input is empty; it adds no triples", CasegraphWarning, stacklevel=3)


def _load_one(store: ox.Store, source: str, fmt: str, progress: Progress) -> None:
    total = 0 if source == "-" else Path(source).stat().st_size
    advance = _Counted(source, progress(total, source))
    stream = _open(source, fmt)
    try:
        store.bulk_load(input=cast(BinaryIO, ProgressReader(stream, advance)), format=FORMATS[fmt])
        advance.check()
    except SyntaxError as err:
        raise _syntax(source, fmt, err) from err
    except MemoryError as err:
        raise _too_big(source, err) from err
    except OSError as err:
        raise DatasetError(f"{source}: cannot read ({err.strerror or err})") from err
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _check_sources(sources: Sequence[str]) -> None:
    """Every ``--data`` source is ``-``, a file, or a pipe (a FIFO, or a process substitution such
    as ``<(zcat big.nt.gz)``: read as a stream).

    Raises:
        UsageError: a missing path or a folder.
    """
    for source in sources:
        if source == "-":
            continue
        if not source:
            raise UsageError("--data '': an empty file name; give a file, or - for standard input")
        path = Path(source)
        if path.is_dir():
            raise UsageError(f"--data {source}: is a folder; give the files in it (--data {source}/*.ttl)")
        try:
            mode = path.stat().st_mode
        except OSError:
            raise UsageError(f"--data {source}: no such file") from None
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            raise UsageError(f"--data {source}: not a file or a pipe")


def iter_inputs(
    sources: Sequence[str], *, input_format: str | None = None, progress: Progress | None = None
) -> Iterator[ox.Quad]:
    """The quads of ``sources``, streamed from the parser (nothing is held in memory).

    Raises:
        UsageError: a missing file or an unknown format (before anything is read).
        DatasetError: a malformed file (file:line:column), while streaming.
    """
    _check_sources(sources)
    formats = [format_of(source, input_format) for source in sources]
    return _stream(sources, formats, progress or _no_progress)


#: The formats with anonymous blank nodes (``[ … ]``, lists, nodes without an id), which the parser
#: names at random; N-Triples and N-Quads label every blank node, and the parser keeps the labels.
_ANONYMOUS = frozenset({InputFormat.TURTLE, InputFormat.TRIG, InputFormat.JSONLD, InputFormat.RDFXML})


def _stream(sources: Sequence[str], formats: Sequence[str], progress: Progress) -> Iterator[ox.Quad]:
    for source, fmt in zip(sources, formats, strict=True):
        quads = _parsed(source, fmt, progress)
        yield from _stable_blank_nodes(quads) if fmt in _ANONYMOUS else quads


def _stable_blank_nodes(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """``quads`` with their blank nodes named ``b0``, ``b1``, … in order of first appearance: the
    parser names anonymous nodes at random, so a streamed export would differ on every run.
    (Memory grows with the number of distinct blank nodes, about 100 bytes each; the renaming costs
    about 0.7 s per million quads, so it is done only for the formats that need it.)"""
    names: dict[str, ox.BlankNode] = {}
    blank = ox.BlankNode

    def rename(node: ox.BlankNode) -> ox.BlankNode:
        found = names.get(node.value)
        if found is None:
            found = names[node.value] = blank(f"b{len(names)}")
        return found

    for quad in quads:
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if type(subject) is blank or type(obj) is blank or type(graph) is blank:
            yield ox.Quad(
                rename(subject) if type(subject) is blank else subject,
                quad.predicate,
                rename(obj) if type(obj) is blank else obj,
                rename(graph) if type(graph) is blank else graph,
            )
        else:
            yield quad


def _parsed(source: str, fmt: str, progress: Progress) -> Iterator[ox.Quad]:
    total = 0 if source == "-" else Path(source).stat().st_size
    advance = _Counted(source, progress(total, source))
    stream = _open(source, fmt)
    try:
        yield from ox.parse(input=cast(BinaryIO, ProgressReader(stream, advance)), format=FORMATS[fmt])
        advance.check()
    except SyntaxError as err:
        raise _syntax(source, fmt, err) from err
    except MemoryError as err:
        raise _too_big(source, err) from err
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _too_big(source: str, err: MemoryError) -> DatasetError:
    if "buffer maximal size" in str(err):  # pyoxigraph's parser holds one token in at most 16 MiB
        return DatasetError(
            f"{source}: a literal or IRI is longer than the parser's limit of 16 MiB; nothing was written or loaded"
        )
    return DatasetError(f"{source}: not enough memory to read it; add --store DIR to keep it on disk")


def _syntax(source: str, fmt: str, err: SyntaxError) -> DatasetError:
    where = f"{source}:{err.lineno}:{err.offset}" if err.lineno else source
    detail = str(err.msg).split(": ", 1)[-1]
    if "LoadDocumentCallback" in detail:
        return DatasetError(
            f"{where}: its @context is a URL, and casegraph fetches no remote context (it contacts no host you did "
            "not give); put the context object itself in the document; nothing was written or loaded"
        )
    return DatasetError(f"{where}: not valid {fmt} ({detail}); nothing was written or loaded")


def _no_progress(total: int, label: str) -> Callable[[int], None]:
    return lambda done: None


def add_article(store: ox.Store, article: Sequence[ox.Quad]) -> None:
    """Add the article's quads to ``store``, except a triple that some graph of it already holds
    (your data restating the article's facts): pyoxigraph 0.5 keeps a triple once per graph in the
    union default graph, so each triple held twice doubled every join through it, and a query
    over data that restates the article ran out of memory. The union is the same set either way."""
    for quad in article:
        if next(store.quads_for_pattern(quad.subject, quad.predicate, quad.object), None) is None:
            store.add(quad)


def read_inputs(
    sources: Sequence[str],
    *,
    input_format: str | None = None,
    store_dir: Path | None = None,
    article: Sequence[ox.Quad] = (),
    progress: Progress = _no_progress,
) -> ox.Store:
    """A store holding ``sources`` (and the article's quads, when given).

    With ``store_dir``: an existing casegraph store there is reused as it is (``sources`` must then
    be empty); otherwise the store is built in ``DIR.partial`` and renamed to ``DIR`` at the end.

    Raises:
        UsageError: unknown format, or --data given for a store that already exists.
        DatasetError: a file is malformed (with file:line:column), unreadable or too large.
    """
    _check_sources(sources)
    formats = [format_of(source, input_format) for source in sources]
    if store_dir is not None and not sources and not article and not (store_dir / STORE_MARKER).exists():
        raise UsageError(f"--store {store_dir}: no casegraph store here; give --data FILE… to build one there")
    if store_dir is not None and (store_dir / STORE_MARKER).exists():
        if sources or article:
            raise UsageError(
                f"--store {store_dir}: already holds a dataset; leave out --data to reuse it, or give a new folder"
            )
        return ox.Store(str(store_dir))
    if store_dir is None:
        check_memory(sources, formats)
        store = ox.Store()
        for source, fmt in zip(sources, formats, strict=True):
            _load_one(store, source, fmt, progress)
        add_article(store, article)
        return store
    return _build_on_disk(store_dir, sources, formats, article, progress)


def _build_on_disk(
    store_dir: Path, sources: Sequence[str], formats: Sequence[str], article: Sequence[ox.Quad], progress: Progress
) -> ox.Store:
    """Build the store in ``DIR.partial`` and rename it to ``DIR``, holding a lock on the parent
    folder: a second command building the same store waits, then finds it built."""
    parent = store_dir.parent
    if not parent.is_dir():
        raise UsageError(f"--store {store_dir}: folder {parent} does not exist; create it first")
    with locked(parent):
        return _build_locked(store_dir, sources, formats, article, progress)


def _build_locked(
    store_dir: Path, sources: Sequence[str], formats: Sequence[str], article: Sequence[ox.Quad], progress: Progress
) -> ox.Store:
    if (store_dir / STORE_MARKER).exists():
        raise UsageError(
            f"--store {store_dir}: another command has just built a store here; leave out --data to reuse it"
        )
    if store_dir.exists() and any(store_dir.iterdir()):
        raise UsageError(
            f"--store {store_dir}: the folder is not empty and holds no casegraph store; give a new folder"
        )
    partial = store_dir.with_name(store_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    pending(partial)
    store = ox.Store(str(partial))
    try:
        for source, fmt in zip(sources, formats, strict=True):
            _load_one(store, source, fmt, progress)
        add_article(store, article)
        store.flush()
    except BaseException:
        del store
        shutil.rmtree(partial, ignore_errors=True)
        finished(partial)
        raise
    del store
    if store_dir.exists():
        store_dir.rmdir()
    partial.rename(store_dir)
    finished(partial)
    return ox.Store(str(store_dir))
