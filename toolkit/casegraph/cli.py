"""The ``casegraph`` command: a thin click layer over the Python API.

Heavy libraries load only in the commands that need them (rdflib in ``build`` and JSON-LD export).
Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import CasegraphError, QueryError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

RESULT_FORMATS = ["table", "csv", "tsv", "json", "xml", "md"]
RDF_FORMATS = ["turtle", "jsonld", "trig", "nquads", "ntriples", "rdfxml"]
ENGINES = ["owlrl", "fast", "auto"]  # casegraph.reason.Engine, spelt out so --help needs no rdflib


class App(click.Group):
    """Turns the package's exceptions into one line on stderr and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CasegraphError as err:
            click.echo(f"casegraph: error: {err}", err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`); nothing more to say
            ctx.exit(0)


def dataset_option(func: F) -> F:
    return click.option(
        "--dataset",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Dataset folder written by `casegraph build --output DIR` (default: the shipped dataset).",
    )(func)


def graphs_option(default: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--graphs",
            default=default,
            show_default=True,
            metavar="LIST",
            help="Comma list of ontology, asserted, inferred, metadata, or all.",
        )(func)

    return decorate


def output_option(func: F) -> F:
    return click.option(
        "--output",
        "-o",
        default="-",
        show_default=True,
        metavar="FILE|-",
        help="Where to write; '-' is stdout. Files are written whole or not at all.",
    )(func)


def result_format_option(func: F) -> F:
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(RESULT_FORMATS + RDF_FORMATS),
        default=None,
        help="SELECT/ASK: table (default), csv, tsv, json, xml, md. "
        "CONSTRUCT/DESCRIBE: turtle (default) or another RDF format.",
    )(func)


def _roles(spec: str) -> tuple[str, ...]:
    from .dataset import parse_graphs

    return parse_graphs(spec)


def _open(dataset: Path | None) -> Any:
    from .dataset import open_dataset

    return open_dataset(dataset)


@click.group(cls=App, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="casegraph")
def cli() -> None:
    """casegraph: the HHS -> CMS -> DHS Medicaid data transfer as a knowledge graph.

    \b
    Examples:
      casegraph query ordered-over-objection
      casegraph export --format jsonld --output casegraph.jsonld
    """


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the dataset and exports to (default: graph/build of the source tree).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="A casegraph source tree (ontology/, graph/) to build from (default: the shipped one).",
)
def build(output: Path | None, root: Path | None) -> None:
    """Ground the quotes, assemble and check the graphs, write the dataset and exports.

    Nothing is written unless every check passes.

    \b
    Examples:
      casegraph build --output /tmp/casegraph
      casegraph query timeline --dataset /tmp/casegraph
    """
    from .build import build as run_build
    from .resources import Paths, default_paths

    result = run_build(Paths(root) if root else default_paths(), output=output)
    for _, path in sorted(result.files.items()):
        click.echo(f"wrote {path}", err=True)
    click.echo(f"{len(result.quads)} quads in {len(result.files)} files", err=True)


@cli.command()
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="owlrl (the reference), fast (reasonable + owlrl on the ontology), or auto (fast above 20,000 triples).",
)
@dataset_option
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the dataset to (default: the dataset's own folder, replaced atomically).",
)
def reason(engine: str, dataset: Path | None, output: Path | None) -> None:
    """Materialise the OWL 2 RL closure into the dataset's inferred graph.

    Only what reasoning adds about our own resources is kept (see the README for the named
    exclusions); the metadata's counts are updated and the result is validated before it is
    written.

    \b
    Examples:
      casegraph reason --dataset /tmp/casegraph
      casegraph reason --dataset /tmp/casegraph --engine fast --output /tmp/reasoned
    """
    from .build import reason_dataset, render
    from .dataset import dataset_file, read_quads, select_quads
    from .files import write_files
    from .reason import Engine

    quads = reason_dataset(read_quads(dataset), engine=Engine(engine))
    folder = output or dataset_file(dataset).parent
    if not folder.is_dir():
        raise UsageError(f"--output {folder}: folder does not exist; create it first")
    written = write_files(folder, render(quads))
    inferred = len(select_quads(quads, ("inferred",)))
    click.echo(f"{inferred} inferred triples; wrote {len(written)} files to {folder}", err=True)


@cli.command()
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="A readable report, JSON, or a SHACL validation report in Turtle.",
)
@dataset_option
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Validate a source tree (ontology/, graph/) as it would build, instead of a built dataset.",
)
@click.option(
    "--profile/--no-profile",
    default=True,
    show_default=True,
    help="Also check that the ontology stays inside OWL 2 RL (needs the OWL API: libowlapi-java).",
)
def validate(fmt: str, dataset: Path | None, root: Path | None, profile: bool) -> None:
    """Check the dataset against the SHACL shapes and the ontology checks; exit 1 on a violation.

    \b
    Examples:
      casegraph validate
      casegraph validate --root . --format json
    """
    from .validate import ReportFormat, render

    report = _validation_report(dataset, root, profile)
    click.echo(render(report, ReportFormat(fmt)), nl=False)
    if not report.conforms:
        raise click.exceptions.Exit(1)


def _validation_report(dataset: Path | None, root: Path | None, profile: bool) -> Any:
    from .build import assemble, conformance, graphs_of, read_sources
    from .dataset import read_quads
    from .resources import Paths, default_paths
    from .validate import profile_findings

    paths = Paths(root) if root else default_paths()
    graphs = assemble(read_sources(paths)) if root else graphs_of(read_quads(dataset))
    report = conformance(graphs)
    return report + profile_findings(paths.ontology) if profile else report


@cli.command(name="queries")
def list_queries() -> None:
    """List the bundled queries with their summaries and parameters.

    \b
    Example:
      casegraph queries
    """
    from .queries import discover

    for query in discover():
        click.echo(f"{query.id}\n    {query.summary}")
        for p in query.parameters:
            need = "required" if p.required else "optional"
            click.echo(f"    --param {p.name}=… ({p.kind}, {need}): {p.description}")


def _emit(result: Any, fmt: str | None, output: str) -> None:
    """Write a SELECT/ASK/CONSTRUCT result in ``fmt``."""
    import pyoxigraph as ox

    from .files import write_bytes

    if isinstance(result, ox.QueryTriples):
        from .export import RdfFormat, serialize

        rdf = fmt or "turtle"
        if rdf not in RDF_FORMATS:
            raise UsageError(
                f"--format {rdf}: a CONSTRUCT/DESCRIBE result is RDF; use one of " + ", ".join(RDF_FORMATS)
            )
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in result]
        write_bytes(output, serialize(quads, RdfFormat(rdf)))
        return
    from .results import ResultFormat, format_boolean, format_select

    table = fmt or "table"
    if table not in RESULT_FORMATS:
        raise UsageError(f"--format {table}: a SELECT/ASK result needs one of " + ", ".join(RESULT_FORMATS))
    if isinstance(result, ox.QueryBoolean):
        write_bytes(output, format_boolean(result, ResultFormat(table)))
    else:
        import shutil

        width = shutil.get_terminal_size((100, 24)).columns if output == "-" else 100
        write_bytes(output, format_select(result, ResultFormat(table), width=width))


@cli.command()
@click.argument("query_id")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter, bound as a typed RDF term (repeatable).",
)
@result_format_option
@graphs_option("ontology,asserted")
@dataset_option
@output_option
def query(
    query_id: str, params: tuple[str, ...], fmt: str | None, graphs: str, dataset: Path | None, output: str
) -> None:
    """Run a bundled query (see `casegraph queries`) on the embedded engine.

    \b
    Examples:
      casegraph query ordered-over-objection
      casegraph query evidence --param resource=https://w3id.org/casegraph/id/person/sara-vitolo
      casegraph query timeline --format csv --output timeline.csv
    """
    from .dataset import graph_names
    from .queries import find_query, parse_assignments, run_query

    bundled = find_query(query_id)
    values = parse_assignments(params)
    roles = _roles(graphs)
    store = _open(dataset)
    _emit(run_query(store, bundled, values, graphs=graph_names(roles)), fmt, output)


@cli.command()
@click.argument("file", type=click.File("rb"))
@result_format_option
@graphs_option("ontology,asserted")
@dataset_option
@output_option
def sparql(file: Any, fmt: str | None, graphs: str, dataset: Path | None, output: str) -> None:
    """Run an ad-hoc SPARQL query from FILE ('-' for stdin) on the embedded engine.

    \b
    Examples:
      casegraph sparql my-query.rq --format json
      echo 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }' | casegraph sparql -
    """
    from .dataset import graph_names
    from .queries import run_sparql

    name = str(getattr(file, "name", "-"))
    where = "<stdin>" if name in ("<stdin>", "-") else name
    try:
        text = file.read().decode("utf-8")
    except UnicodeDecodeError as err:
        raise QueryError(
            f"{where}: the query is not UTF-8 ({err.reason} at byte {err.start}); save it as UTF-8"
        ) from err
    roles = _roles(graphs)
    store = _open(dataset)
    _emit(run_sparql(store, text, where=where, graphs=graph_names(roles)), fmt, output)


@cli.command()
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(RDF_FORMATS),
    default="turtle",
    show_default=True,
    help="Turtle and JSON-LD merge the graphs; TriG and N-Quads keep them apart.",
)
@graphs_option("ontology,asserted")
@dataset_option
@output_option
def export(fmt: str, graphs: str, dataset: Path | None, output: str) -> None:
    """Export the dataset's graphs in an RDF format, byte-identically on every run.

    \b
    Examples:
      casegraph export --format jsonld --output casegraph.jsonld
      casegraph export --format trig --graphs all > casegraph.trig
    """
    from .dataset import read_quads, select_quads
    from .export import RdfFormat, export_note, serialize
    from .files import write_bytes

    roles = _roles(graphs)
    quads = select_quads(read_quads(dataset), roles)
    write_bytes(output, serialize(quads, RdfFormat(fmt), note=export_note(quads)))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="casegraph")
