"""The dataset as the query and export stages see it: named graphs in an embedded pyoxigraph store.

Only pyoxigraph is imported here, so reading the shipped dataset stays fast (no rdflib).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from .errors import DatasetError, UsageError, did_you_mean
from .export import graph_iri
from .iris import REPORT_ID, REPORT_ROLES, ROLES, graph_order, graph_role, role_graph, role_of
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
    merge_reports(store)
    return store


#: The in-memory merge of every report's graphs of a role (``MERGED + "asserted"``): never
#: published, never a named graph a query sees.
MERGED = "urn:casegraph:merged:"


def merge_reports(store: ox.Store) -> None:
    """Add to ``store`` the merge of the graphs of each per-report role that has several.

    SPARQL defines a default graph made of several graphs as their RDF merge, a set; pyoxigraph
    0.5 (like Virtuoso) keeps a triple once per graph instead, so with two reports stating one fact
    every join through it doubles (DISTINCT hides it in the rows, not in the time). Queries use the
    merge in place of the reports' graphs (see :func:`default_graphs`).
    """
    for role in REPORT_ROLES:
        graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and role_of(g.value) == role]
        if len(graphs) > 1:
            merged = ox.NamedNode(MERGED + role)
            for graph in graphs:
                triples = list(store.quads_for_pattern(None, None, None, graph))
                store.extend(ox.Quad(q.subject, q.predicate, q.object, merged) for q in triples)


GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def default_graphs(store: ox.Store, graphs: Sequence[ox.NamedNode]) -> list[GraphName]:
    """The graphs that make the default graph for a query over ``graphs``: where ``graphs`` hold
    every report's graph of a role and ``store`` has their merge, the merge instead."""
    chosen: list[GraphName] = list(graphs)
    for role in REPORT_ROLES:
        merged = ox.NamedNode(MERGED + role)
        if not store.contains_named_graph(merged):
            continue
        members = {g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and role_of(g.value) == role}
        if members <= set(chosen):
            chosen = [g for g in chosen if g not in members] + [merged]
    return chosen


def parse_graphs(spec: str) -> tuple[str, ...]:
    """``--graphs`` value -> graph selectors in canonical order.

    ``spec`` is a comma list of roles (``ontology``, ``asserted``, ``evidence``, ``enrichment``,
    ``inferred``, ``metadata``), one report's graph of a per-report role (``asserted:REPORT``,
    ``evidence:REPORT``), or ``all``.

    Raises:
        UsageError: an unknown role, a malformed selector, or an empty list.
    """
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        raise UsageError("--graphs: empty list; name one or more of " + ", ".join([*ROLES, "all"]))
    if "all" in names:
        if len(names) > 1:
            raise UsageError("--graphs: 'all' stands alone; drop the other names")
        return ROLES
    return ordered_roles(names, unknown="--graphs: unknown graph", choices=[*ROLES, "all"])


def ordered_roles(names: Sequence[str], *, unknown: str, choices: Sequence[str] = ROLES) -> tuple[str, ...]:
    """``names`` (roles, or ``role:REPORT`` for a per-report role) as selectors in canonical order:
    by role, a whole role before one report's graph of it, reports by id.

    Raises:
        UsageError: a name that is no role (the message starts with ``unknown`` and lists
            ``choices``), or a report selector on a role with one graph, or a malformed report id.
    """
    keys = {}
    for name in names:
        role, colon, report = name.partition(":")
        if role not in ROLES:
            hint = did_you_mean(role, choices)
            raise UsageError(
                f"{unknown} {name!r}; "
                + (f"{hint} (" if hint else "")
                + "choose from "
                + ", ".join(choices)
                + (")" if hint else "")
            )
        if colon and role not in REPORT_ROLES:
            raise UsageError(
                f"{unknown} {name!r}: only {' and '.join(REPORT_ROLES)} have a graph per report; write {role!r}"
            )
        if colon and not REPORT_ID.fullmatch(report):
            raise UsageError(f"{unknown} {name!r}: a report id is letters, digits, '_', '.' and '-'")
        keys[name] = (ROLES.index(role), bool(colon), report)
    return tuple(sorted(keys, key=keys.__getitem__))


def resolve_graphs(selectors: Sequence[str], present: Iterable[str]) -> list[str]:
    """The graph IRIs ``selectors`` pick among the graphs ``present``, in canonical order (by role,
    then report id). A role picks all its graphs (every report's, for a per-report role), or its
    one graph even when absent (a store may lack it); ``asserted:REPORT`` picks that report's.

    Raises:
        UsageError: a selected report that has no graph here (the message lists the reports).
    """
    by_role: dict[str, list[str]] = {}
    for iri in present:
        found = graph_role(iri)
        if found is not None and found[1] is not None:
            by_role.setdefault(found[0], []).append(found[1])
    chosen: set[str] = set()
    for selector in selectors:
        role, colon, report = selector.partition(":")
        reports = sorted(by_role.get(role, ()))
        if colon and report not in reports:
            known = ", ".join(reports) or "none"
            raise UsageError(f"--graphs {selector}: no report {report!r} in this dataset; its reports: {known}")
        if role not in REPORT_ROLES:
            chosen.add(role_graph(role))
        chosen.update(role_graph(role, one) for one in ([report] if colon else reports))
    return sorted(chosen, key=graph_order)


def present_graphs(quads: Iterable[ox.Quad]) -> set[str]:
    """The named graphs of ``quads``."""
    return {graph_iri(q) for q in quads}


def graph_names(selectors: Sequence[str], store: ox.Store) -> list[ox.NamedNode]:
    """The named graphs of ``store`` that ``selectors`` pick."""
    present = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    return [ox.NamedNode(iri) for iri in resolve_graphs(selectors, present)]


def select_quads(quads: list[ox.Quad], selectors: Sequence[str]) -> list[ox.Quad]:
    """The quads of the named graphs ``selectors`` pick."""
    wanted = set(resolve_graphs(selectors, present_graphs(quads)))
    return [q for q in quads if graph_iri(q) in wanted]
