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
from .iris import EXPORT_GRAPHS, QUERY_GRAPHS, REPORT_ROLES, ROLES, GraphRole, expand, iri_term, role_graph

if TYPE_CHECKING:
    from .build import BuildResult
    from .endpoint import Endpoint
    from .load import GraphLoad, LoadReport
    from .package import PackageResult
    from .resources import Paths
    from .site import Site
    from .validate import Report

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
    """Graph selectors (roles, or ``asserted:REPORT`` / ``evidence:REPORT`` for one report's
    graph) in canonical order (``default`` when ``graphs`` is None).

    Raises:
        UsageError: an unknown role or a malformed selector.
    """
    from .dataset import ordered_roles

    names = list(default) if graphs is None else [str(g) for g in graphs]  # a GraphRole is its string
    return ordered_roles(names, unknown="unknown graph role")


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
    allow_service: bool = False,
    mentions: Sequence[str] = (),
) -> Result:
    """Run SPARQL ``text`` on ``source``: on an endpoint naming the graphs of ``graphs`` (or
    ``default``), on your own data (the default graph is the union of all its graphs), or on the
    article's dataset over those graphs. Run here (not on an endpoint), a ``SERVICE`` clause is
    refused before any input is read, unless ``allow_service``: it would contact another host; and
    each IRI of ``mentions`` (a parameter's value) that no triple mentions is a
    :class:`~casegraph.errors.CasegraphWarning` naming the nearest IRIs, since the answer will be
    empty.

    Raises:
        UsageError: an endpoint combined with your own data, or an unknown graph role.
        QueryError: the query is malformed, fails or (here) has a SERVICE clause;
        StoreError: the endpoint failed.
    """
    from .queries import check_form, refuse_service, run_sparql

    source = source or Source()
    roles = roles_of(graphs, default)
    check_form(text, where)
    if source.endpoint is not None and source.is_yours:
        raise UsageError("--endpoint runs on the store's data: leave out --data/--store")
    if source.endpoint is None and not allow_service:
        refuse_service(text, where)
    store = open_user_store(source, roles, progress=progress)
    if source.endpoint is not None:
        from .remote import run_remote

        named = endpoint_graphs(source.endpoint, roles)
        for iri in mentions:  # one ASK each: the store's IRIs are not listed to suggest a near one
            term = iri_term(iri, "the IRI")
            ask = f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }}"
            if not bool(run_remote(source.endpoint, ask, graphs=named, where=where)):
                _warn(f"no triple of the graphs queried mentions <{iri}>; the answer is empty")
        return run_remote(source.endpoint, text, graphs=named, where=where)
    if store is not None:
        warn_unmentioned(store, mentions)
        return run_sparql(store, text, where=where, graphs=None, allow_service=allow_service)
    from .dataset import graph_names, open_dataset

    dataset = open_dataset(source.dataset)
    warn_unmentioned(dataset, mentions)
    return run_sparql(dataset, text, where=where, graphs=graph_names(roles, dataset), allow_service=allow_service)


def warn_unmentioned(store: ox.Store, iris: Sequence[str]) -> None:
    """Warn of each of ``iris`` that no triple of ``store`` mentions, naming the nearest IRIs of
    its namespace that some triple does."""
    from .errors import nearest

    def mentioned(iri: str) -> bool:
        node = ox.NamedNode(iri)
        return any(True for _ in store.quads_for_pattern(node, None, None)) or any(
            True for _ in store.quads_for_pattern(None, None, node)
        )

    for iri in iris:
        if mentioned(iri):
            continue
        # the same IRI as people mistype it: http for https, a slash more or less, its case
        found = next((v for v in _variants(iri) if mentioned(v)), None)
        if found is not None:
            _warn(f"no triple mentions <{iri}>; did you mean <{found}>?")
            continue
        namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
        known: set[str] = set()  # the local names of the namespace's IRIs that triples mention
        for quad in store.quads_for_pattern(None, None, None):
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(namespace):
                    known.add(term.value[len(namespace) :])
        near = [f"<{namespace}{name}>" for name in nearest(iri[len(namespace) :], known)]
        advice = f"did you mean {' or '.join(near)}?" if near else "the answer is empty"
        _warn(f"no triple mentions <{iri}>; {advice}")


def _variants(iri: str) -> list[str]:
    """``iri`` as it may have been meant: the other of http and https, without or with a trailing
    slash, in lower case."""
    swapped = iri
    if iri.startswith(("http://", "https://")):
        swapped = "https://" + iri[7:] if iri.startswith("http://") else "http://" + iri[8:]
    out = []
    for base in dict.fromkeys((iri, swapped)):
        out += [base.rstrip("/") if base.endswith("/") else base + "/", base.lower()]
    out.append(swapped)
    return [v for v in dict.fromkeys(out) if v != iri]


def _warn(message: str) -> None:
    """A :class:`~casegraph.errors.CasegraphWarning` (the CLI prints it as one line)."""
    import warnings

    from .errors import CasegraphWarning

    warnings.warn(message, CasegraphWarning, stacklevel=3)


def endpoint_graphs(endpoint: Endpoint, selectors: Sequence[str]) -> list[str]:
    """The graph IRIs ``selectors`` pick on a SPARQL endpoint: a role with one graph per report
    asks the store which reports it holds (one listing query); the others need no request.

    Raises:
        UsageError: a selected report the store has no graph of; StoreError: the store failed.
    """
    from .dataset import resolve_graphs

    present: list[str] = []
    if any(s in REPORT_ROLES for s in selectors):
        from .load import store_graphs

        present = store_graphs(endpoint)
    elif any(":" in s for s in selectors):  # one report's graph, named in full: no need to ask
        present = [role_graph(*s.split(":", 1)) for s in selectors if ":" in s]
    return resolve_graphs(selectors, present)


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
    iris = [expand(value) for name, value in (params or {}).items() if bundled.parameter(name).kind == "iri"]
    if graphs is not None:
        chosen = {selector.partition(":")[0] for selector in roles_of(graphs, bundled.graphs)}
        # (every bundled query gives the same rows with or without the inferred graph: a test says so)
        missing = [role for role in bundled.graphs if role not in chosen and role != "inferred"]
        if missing:
            _warn(
                f"{query_id} answers over {','.join(bundled.graphs)}; without {' and '.join(missing)} its answer "
                "may be empty or short"
            )
    return sparql(
        text, source, graphs=graphs, default=bundled.graphs, where=str(bundled.path), progress=progress, mentions=iris
    )


def export(
    source: Source | None,
    fmt: str | None,
    output: str = "-",
    *,
    graphs: Sequence[GraphRole | str] | None = None,
    progress: Progress = _no_progress,
    canonical: bool = False,
    frame: str | None = None,
) -> None:
    """Write ``source``'s graphs to ``output`` (a path, or ``-`` for stdout) in ``fmt`` (None: the
    one the file's extension names, Turtle on stdout). The graphs are by default ontology + asserted
    + metadata, so the file describes itself (licence, source report, checksums, provenance); your
    own data never receives the article's description unless ``graphs`` asks for it. The article's
    dataset is written sorted, byte-identically on every run; your own files streamed from the
    parser (flat memory, every literal as written); an on-disk store streamed from the store. With
    ``canonical``, RDFC-1.0 canonical N-Quads; with ``frame`` (one of ``ontology/frames/``), framed
    JSON-LD of the graphs merged (default: asserted + evidence); both hold the whole input in
    memory. Files are written whole or not at all.

    Raises:
        UsageError: an unknown format, frame or graph role, a format the file's extension
            contradicts (or none to take from it), ``canonical`` with another format than N-Quads,
            ``frame`` with another format than JSON-LD, both, or ``output`` is one of the inputs;
        DatasetError: unreadable input;
        ExportError: the output cannot be written.
    """
    from collections.abc import Iterable

    from .dataset import dataset_file, read_quads, select_quads
    from .export import RdfFormat, canonical_nquads, export_note, format_for, serialize
    from .files import refuse_overwriting, write_bytes, writing

    source = source or Source()
    whole: Callable[[Iterable[ox.Quad]], bytes] | None = None  # a writer that needs the whole input
    default: Sequence[str]
    if canonical and frame is not None:
        raise UsageError("--canonical and --frame exclude each other: canonical N-Quads are flat; choose one")
    if canonical:
        rdf = format_for(output, fmt, bare=RdfFormat.NQUADS)
        if rdf is not RdfFormat.NQUADS:
            raise UsageError(
                f"--canonical writes canonical N-Quads (RDFC-1.0), not {rdf.value}; give --format nquads, and a .nq "
                "file or standard output"
            )
        whole, default = canonical_nquads, EXPORT_GRAPHS
    elif frame is not None:
        from .frames import FRAME_GRAPHS, frame_document, framed_jsonld

        plain_json = fmt is None and output.lower().endswith(".json")  # framed JSON-LD is JSON: no doubt
        rdf = RdfFormat.JSONLD if plain_json else format_for(output, fmt, bare=RdfFormat.JSONLD)
        if rdf is not RdfFormat.JSONLD:
            raise UsageError(
                f"--frame writes framed JSON-LD, not {rdf.value}; give --format jsonld (or none), and a .jsonld "
                "file or standard output"
            )
        frame_document(frame)  # an unknown frame fails before any input is read
        whole, default = (lambda quads: framed_jsonld(quads, frame)), FRAME_GRAPHS
    else:
        rdf, default = format_for(output, fmt), EXPORT_GRAPHS
    roles = roles_of(graphs, default)
    if graphs is None and source.is_yours:  # your data never gets the article's description unasked
        roles = tuple(role for role in roles if role != "metadata")
    refuse_overwriting(output, [*source.data, str(dataset_file(source.dataset))])
    if source.data and source.store is None:  # straight from the parser (never through a store,
        # which writes xsd:nonNegativeInteger and the other integer types back as xsd:integer)
        import itertools

        from .inputs import iter_inputs
        from .stream import dump

        streamed = iter_inputs(source.data, input_format=source.input_format, progress=progress)
        article = select_quads(read_quads(source.dataset), roles) if source.with_article else []
        if whole is not None:
            write_bytes(output, whole(itertools.chain(article, streamed)))
            return
        with writing(output) as out:
            dump(itertools.chain(article, streamed), rdf, out)
        return
    store = open_user_store(source, roles, progress=progress)
    if store is not None:
        from .stream import dump

        if whole is not None:
            write_bytes(output, whole(store.quads_for_pattern(None, None, None)))
            return
        with writing(output) as out:
            dump(store, rdf, out)
        return
    quads = select_quads(read_quads(source.dataset), roles)
    write_bytes(output, whole(quads) if whole is not None else serialize(quads, rdf, note=export_note(quads)))


def publish(source: Source | None, output: Path, *, base: str | None = None, progress: Progress = _no_progress) -> Site:
    """Write the static linked-data site of ``source`` into the folder ``output`` (absent, empty,
    or a previous site, which it replaces whole): a page per node of the report's facts with the
    words that state each, an index and the ontology's documentation, and content-negotiation
    rules; ``base`` is where the site will be hosted (for the w3id redirect rule).

    Raises:
        UsageError: ``base`` is not an absolute http(s) URL;
        DatasetError: unreadable input;
        ExportError: ``output`` is another folder or a file, or cannot be written.
    """
    from .dataset import read_quads, select_quads
    from .site import SITE_GRAPHS, check_base, check_output
    from .site import publish as write_site

    source = source or Source()
    base = check_base(base)
    check_output(output)  # before any input is read
    store = open_user_store(source, SITE_GRAPHS, progress=progress)
    quads = list(store) if store is not None else select_quads(read_quads(source.dataset), SITE_GRAPHS)
    return write_site(quads, output, base=base)


def tree_to_build(root: Path | None, output: Path | None, *, cwd: Path | None = None) -> Paths:
    """The source tree a build reads: ``root``, else the checkout ``cwd`` lies in, else (with
    ``output``) the shipped one.

    Raises:
        UsageError: no tree and no output (a bare build outside a checkout).
    """
    from .resources import Paths, default_paths, find_checkout

    checkout = find_checkout(cwd or Path.cwd())
    if root is None and checkout is None and output is None:
        raise UsageError(
            "casegraph build writes the dataset of a source tree: run it inside a casegraph checkout "
            "(it rebuilds that checkout's graph/build), or give --output DIR (and --root TREE)"
        )
    return Paths(root) if root else Paths(checkout) if checkout else default_paths()


def build(root: Path | None = None, output: Path | None = None) -> BuildResult:
    """``casegraph build``: ground, assemble, reason, validate and write the tree's dataset and
    exports (nothing unless every check passes); see :func:`tree_to_build` for the defaults.

    Raises:
        UsageError, GroundingError, OntologyError, ReasoningError, ValidationError, BuildError.
    """
    from .build import build as run_build

    return run_build(tree_to_build(root, output), output=output)


def package(output: Path, *, dataset: Path | None = None, root: Path | None = None) -> PackageResult:
    """``casegraph package``: write the dataset (the shipped one, or ``dataset`` built from the tree
    ``root``) as a BagIt bag whose ``data/`` is an RO-Crate 1.2, to the folder ``output`` or the
    zip file ``output`` (``.zip``); a previous package there is replaced atomically.

    Raises:
        UsageError: ``output`` exists and is no casegraph package; DatasetError, ExportError.
    """
    from .package import write_package

    return write_package(output, dataset=dataset, root=root)


@dataclass(frozen=True)
class ReasonResult:
    """What ``reason`` wrote: the folder, how many triples the inferred graph holds, the files."""

    folder: Path
    inferred: int
    files: dict[str, Path]


def reason(dataset: Path | None = None, output: Path | None = None, *, engine: str = "auto") -> ReasonResult:
    """``casegraph reason``: recompute a dataset's inferred graph and write the dataset to
    ``output`` (by default back into ``dataset``, or into the checkout's ``graph/build`` when run
    inside one; never into an installed package).

    Raises:
        UsageError: nowhere to write; ReasoningError / ValidationError: the result is unsound.
    """
    from .build import reason_dataset, render
    from .dataset import dataset_file, read_quads, select_quads
    from .files import write_files
    from .reason import Engine
    from .resources import Paths, find_checkout, is_installed

    if dataset is None and output is None:  # rewrite the shipped dataset: only that of a checkout
        checkout = find_checkout(Path.cwd())
        if checkout is None:
            raise UsageError(
                "casegraph reason rewrites the shipped dataset only inside a source checkout; "
                "give --dataset DIR (a build of yours) or --output DIR"
            )
        dataset = Paths(checkout).build
    folder = output or dataset_file(dataset).parent
    if output is None and is_installed(folder.parent.parent):
        raise UsageError(
            f"{folder} is the dataset the installed package ships, which casegraph never writes; give --output DIR"
        )
    quads = reason_dataset(read_quads(dataset), engine=Engine(engine))
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {folder}: is a file, not a folder; give a folder for the dataset")
    written = write_files(folder, render(quads))
    return ReasonResult(folder, len(select_quads(quads, ("inferred",))), written)


def validate(
    source: Source | None = None,
    *,
    root: Path | None = None,
    profile: bool | None = None,
    progress: Progress = _no_progress,
) -> Report:
    """``casegraph validate``: the shapes and ontology checks of a built dataset (``source.dataset``,
    the shipped one by default), of a source tree as it would build (``root``, with that tree's own
    shapes, as ``build`` uses them), or of your own RDF (``source.data`` / ``source.store``,
    against the shipped ontology and shapes). ``profile``: run the OWL API's OWL 2 RL check
    (True: required; None: when installed; False: skip).

    Raises:
        UsageError: your own data together with a tree or a dataset.
    """
    from .build import assemble, conformance, graphs_of, read_sources, role_union, user_graphs
    from .dataset import read_quads
    from .resources import Paths, default_paths
    from .validate import closure_findings, profile_findings, read_shapes

    source = source or Source()
    if source.is_yours and (root is not None or source.dataset is not None):
        raise UsageError("validate --data checks your own RDF: leave out --root and --dataset")
    paths = Paths(root) if root else default_paths()
    if source.is_yours:
        store = open_user_store(source, ROLES, progress=progress)
        graphs = user_graphs(list(store or ()))
    else:
        graphs = assemble(read_sources(paths)) if root else graphs_of(read_quads(source.dataset))
    report = conformance(graphs, read_shapes(paths.shapes))
    if root is None:  # a tree was just assembled: its closure is fresh (an inconsistent one raised)
        inferred = graphs.get(role_graph("inferred"))
        report += closure_findings(role_union(graphs, "ontology"), role_union(graphs, "asserted"), inferred)
    if profile is False:
        return report
    return report + profile_findings(paths.ontology, required=bool(profile))


@dataclass(frozen=True)
class LoadOutcome:
    """What ``load`` did: the plan (a dry run), or the store's report, and the graphs of
    casegraph's naming scheme the store holds that the dataset has not (dropped when pruned)."""

    planned: tuple[GraphLoad, ...] = ()
    report: LoadReport | None = None
    stale: tuple[str, ...] = ()
    pruned: bool = False


def load(
    source: Source | None,
    target: Endpoint | None,
    *,
    graphs: Sequence[GraphRole | str] | None = None,
    direct: bool = False,
    dry_run: bool = False,
    prune: bool = False,
    into: str | None = None,
    progress: Progress = _no_progress,
    load_progress: Callable[[int, str, int], Callable[[int], None]] | None = None,
    before_prune: Callable[[Sequence[str]], None] = lambda graphs: None,
) -> LoadOutcome:
    """``casegraph load``: replace each named graph of ``source`` (every role of the article's
    dataset by default, or your own data's graphs) in the store ``target``, verified; with
    ``dry_run`` only plan (``target`` may be None); with ``prune`` also drop the store's graphs of
    casegraph's scheme that the dataset no longer has, after ``before_prune`` has been told them.

    Raises:
        UsageError: no write endpoint, or --prune with your own data or without an Update endpoint.
        StoreError: the store failed; the message says which graphs were replaced.
    """
    import tempfile

    from .dataset import existing_file, read_quads
    from .load import dataset_file_sources, dataset_sources, plan, stale_graphs, store_sources
    from .load import load as run_load
    from .load import prune as drop_graphs

    source = source or Source()
    roles = roles_of(graphs, ROLES)
    if into is not None:  # checked first, dry run or not: it is written into SPARQL Update text
        iri_term(into, "--into")
    store = open_user_store(source, roles, progress=progress)
    present: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="casegraph-load-") as scratch:
        if store is not None:
            sources = store_sources(store, into=into)
        else:
            split = dataset_file_sources(existing_file(source.dataset), roles, Path(scratch))
            sources, present = split or dataset_sources(read_quads(source.dataset), roles)
        if dry_run:
            return LoadOutcome(planned=tuple(plan(sources)))
        if target is None or (target.graph_store is None and target.update is None):
            raise UsageError("give --graph-store URL or --update URL (or both): the store's write endpoints")
        if prune and store is not None:
            raise UsageError("--prune drops graphs of the article's dataset that it no longer has: leave out --data")
        if prune and target.update is None:
            raise UsageError("--prune drops graphs with SPARQL Update: give --update URL")
        if load_progress is None:
            report = run_load(target, sources, direct=direct)
        else:
            report = run_load(target, sources, direct=direct, progress=load_progress)
    if store is not None:  # your own graphs: casegraph's scheme is not yours to prune
        return LoadOutcome(report=report)
    stale = tuple(stale_graphs(target, present))  # every graph of the dataset, loaded now or not
    if stale and prune:
        before_prune(stale)
        drop_graphs(target, stale)
    return LoadOutcome(report=report, stale=stale, pruned=prune and bool(stale))


def serve(
    source: Source | None = None,
    *,
    graphs: Sequence[GraphRole | str] | None = None,
    host: str = "127.0.0.1",
    port: int = 7878,
    location: Path | None = None,
    timeout: float = 60.0,
    max_answer: int = 256,
    announce: Callable[[str], None] = lambda line: None,
) -> int:
    """``casegraph serve``: the article's dataset (``source.dataset``, the shipped one by default)
    as a local read-only SPARQL 1.1 endpoint (casegraph's own front: see :mod:`casegraph.serve`),
    its default graph the union of ``graphs`` (by default ontology + asserted + inferred; every
    graph can be named, as the bundled queries that show evidence do), until
    stopped; a query running longer than ``timeout`` seconds is stopped and answered 503, one
    whose answer is over ``max_answer`` megabytes is answered 500;
    ``announce`` receives the lines to show (a warning when not on loopback, then, once it
    listens, where it serves). Returns 0.

    Raises:
        UsageError: a busy port, an unknown address or an unusable store folder.
    """
    from .dataset import read_quads, select_quads
    from .serve import is_loopback, url_host
    from .serve import serve as run_serve

    source = source or Source()
    everything = read_quads(source.dataset)  # every graph can be named (a bundled query names evidence)
    chosen = select_quads(everything, roles_of(graphs, QUERY_GRAPHS))
    default = sorted({q.graph_name for q in chosen if isinstance(q.graph_name, ox.NamedNode)}, key=str)

    def ready(server: object) -> None:  # serve checks its address first: nothing is announced before
        if not is_loopback(host):
            announce(f"casegraph: warning: serving on {host}, not loopback: others on the network can read it")
        announce(
            f"serving {len(chosen)} triples in the default graph, and every graph by name, read-only at "
            f"http://{url_host(host)}:{port}/query, the dataset's pages and IRIs at http://{url_host(host)}:{port}/ "
            "(Ctrl-C stops)"
        )

    return run_serve(
        everything,
        host=host,
        port=port,
        location=location,
        timeout=timeout,
        max_answer=max_answer,
        default=default,
        ready=ready,
    )
