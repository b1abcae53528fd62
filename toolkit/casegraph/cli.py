"""The ``casegraph`` command: a thin click layer over the Python API.

Heavy libraries load only in the commands that need them (rdflib only in ``build``, ``reason`` and ``validate``).
Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import CasegraphError, QueryError, UsageError, one_line, visible
from .formats import FRAMES, InputFormat
from .iris import GraphRole

F = TypeVar("F", bound=Callable[..., Any])

# The choices of the enums whose modules load pyoxigraph or rdflib are spelt out, so that --help
# loads neither; tests/test_options.py checks each list against its enum.
RESULT_FORMATS = ["table", "csv", "tsv", "json", "xml", "md"]  # casegraph.results.ResultFormat
RDF_FORMATS = ["turtle", "jsonld", "jsonld-expanded", "trig", "nquads", "ntriples", "rdfxml"]  # export.RdfFormat
ENGINES = ["owlrl", "fast", "auto"]  # casegraph.reason.Engine
REPORT_FORMATS = ["text", "json", "turtle"]  # casegraph.validate.ReportFormat
AUTH_KINDS = ["basic", "digest"]  # casegraph.endpoint.AuthKind
INPUT_FORMATS = [fmt.value for fmt in InputFormat]


def answer_limit_option(default: int, help_text: str) -> Callable[[F], F]:
    """--max-answer MB: the largest answer read (from a store) or sent (by serve)."""
    return click.option(
        "--max-answer", type=click.IntRange(min=1), default=default, show_default=True, metavar="MB", help=help_text
    )


def timeout_option(default: float, help_text: str, *, show_default: bool = True) -> Callable[[F], F]:
    """--timeout SECONDS: a finite number of seconds, above 0 and at most a day."""
    return click.option(
        "--timeout", type=float, callback=_seconds, default=default, show_default=show_default, metavar="SECONDS",
        help=help_text,
    )  # fmt: skip


max_answer_option = answer_limit_option(
    1024, "The largest answer read from the store, in megabytes (a larger one stops with an error)."
)


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A duration in seconds: a finite number greater than zero (``nan`` and ``inf`` are not)."""
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"{value!r} is not a number of seconds greater than 0", ctx, param)
    if value > DAY:  # beyond this, waits overflow the operating system's timers
        raise click.BadParameter(f"{value:g} is over a day ({DAY} seconds); give fewer seconds", ctx, param)
    return value


#: The longest --timeout, in seconds.
DAY = 86_400


#: What people type for a format, by file extension or another tool's name, and casegraph's name.
ALIASES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json-ld": "jsonld", "rdf": "rdfxml", "owl": "rdfxml"}


class Choice(click.Choice):  # type: ignore[type-arg]
    """A choice whose refusal lists the choices plainly and suggests the nearest."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        from .errors import did_you_mean

        choices = [str(choice) for choice in self.choices]
        alias = ALIASES.get(str(value).lower())
        hint = f"did you mean {alias}?" if alias in choices else did_you_mean(str(value), choices)
        return f"{value!r} is not one of {', '.join(map(str, self.choices))}" + (f"; {hint}" if hint else "")


def usage_line(err: click.ClickException) -> str:
    """Click's usage error as casegraph's one line: what is wrong, then where to read more."""
    if isinstance(err, click.BadParameter) and not isinstance(err, click.MissingParameter) and err.param is not None:
        names = [name for name in err.param.opts if name.startswith("--")] or [err.param.human_readable_name]
        what = f"{names[0]}: {err.message.rstrip('.')}"
    else:  # click's "No such option '--x'. (Did you mean one of: …?)" and the like
        message = re.sub(r"\.? \(?Did you mean(.*?)\)?$", r"; did you mean\1", err.format_message()).rstrip(".")
        what = message[:1].lower() + message[1:]
    ctx = getattr(err, "ctx", None)
    where = f" (see `{ctx.command_path} --help`)" if isinstance(err, click.UsageError) and ctx is not None else ""
    return f"casegraph: error: {visible(what, breaks=True)}{where}"


class App(click.Group):
    """Turns the package's exceptions, and click's usage errors, into one line on stderr and the
    right exit code (2 for a usage error)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        run = super().main
        if not standalone_mode:
            return run(args, prog_name, complete_var, False, **extra)
        try:
            code = run(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:  # `casegraph` alone: the help, as click shows it
            err.show()
            sys.exit(err.exit_code)
        except click.ClickException as err:
            click.echo(usage_line(err), err=True)
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("casegraph: error: aborted; nothing was written", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from .errors import did_you_mean

            commands = self.list_commands(ctx)
            hint = did_you_mean(name, commands) or "choose from " + ", ".join(commands)
            raise click.UsageError(f"no command {name!r}; {hint}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        import warnings

        from .errors import CasegraphWarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if issubclass(category, CasegraphWarning):
                click.echo(f"casegraph: warning: {visible(str(message), breaks=True)}", err=True)
            else:
                shown(message, category, *args, **kwargs)

        with warnings.catch_warnings():
            shown = warnings.showwarning
            warnings.simplefilter("always", CasegraphWarning)
            warnings.showwarning = show
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CasegraphError as err:
            click.echo(f"casegraph: error: {visible(str(err), breaks=True)}", err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`); nothing more to say
            ctx.exit(0)


def option_group(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several options as one decorator; --help lists them in the order given."""

    def decorate(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return decorate


def folder_option(*decls: str, help_text: str, exists: bool = False) -> Callable[[F], F]:
    """An option that names a folder: a Path, or None when it is not given."""

    def decorate(func: F) -> F:
        return click.option(
            *decls,
            type=click.Path(file_okay=False, exists=exists, path_type=Path),
            default=None,
            metavar="DIR",
            help=help_text,
        )(func)

    return decorate


def output_folder_option(help_text: str) -> Callable[[F], F]:
    """--output DIR of the commands that write a dataset folder (build, reason)."""
    return folder_option("--output", "-o", help_text=help_text)


def written_output_option(metavar: str, help_text: str) -> Callable[[F], F]:
    """--output of the commands that write a whole site or package (publish, package): required,
    checked by the command itself (a previous one is replaced, anything else refused)."""
    return click.option(
        "--output", "-o", type=click.Path(path_type=Path), required=True, metavar=metavar, help=help_text
    )


def root_option(help_text: str) -> Callable[[F], F]:
    """--root TREE: a casegraph source tree (build, validate)."""
    return folder_option("--root", help_text=help_text, exists=True)


def dataset_option(func: F) -> F:
    return folder_option(
        "--dataset",
        help_text="Dataset folder written by `casegraph build --output DIR` (default: the shipped dataset).",
    )(func)


def _complete_graphs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Graph roles for shell completion, after the ones already typed in a comma list."""
    done, _, part = incomplete.rpartition(",")
    given = set(done.split(",")) if done else set()
    head = done + "," if done else ""
    return [head + role for role in [*GraphRole, "all"] if role.startswith(part) and role not in given]


def graphs_option(default: str | None, meaning: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--graphs",
            shell_complete=_complete_graphs,
            default=default,
            show_default=default is not None,
            metavar="LIST",
            help=f"Comma list of graph roles: {', '.join(GraphRole)}, or all; asserted:REPORT or "
            f"evidence:REPORT is one report's graph. {meaning}",
        )(func)

    return decorate


def _output(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value:
        raise click.BadParameter("an empty file name; give a file, or - for standard output", ctx, param)
    return value


def output_option(func: F) -> F:
    return click.option(
        "--output",
        "-o",
        default="-",
        show_default=True,
        callback=_output,
        metavar="FILE|-",
        help="Where to write; '-' is stdout. Files are written whole or not at all.",
    )(func)


def auth_options(func: F) -> F:
    """--auth and --user: the same spelling wherever a store is read or written."""
    return option_group(
        click.option(
            "--auth",
            type=Choice(AUTH_KINDS),
            default=None,
            help="HTTP authentication; the password comes from CASEGRAPH_PASSWORD, ~/.netrc or a prompt.",
        ),
        click.option("--user", metavar="NAME", default=None, help="User name for --auth (or the ~/.netrc login)."),
    )(func)


def data_options(func: F) -> F:
    """--data and its companions: the same spelling for query, sparql, export and load."""
    return option_group(
        click.option(
            "--data",
            "data",
            multiple=True,
            metavar="FILE",
            help="RDF to use instead of the article's dataset (repeatable; '-' is stdin).",
        ),
        click.option(
            "--input-format",
            type=Choice(INPUT_FORMATS),
            default=None,
            help="The format of --data (default: from each file's extension).",
        ),
        click.option("--with-article", is_flag=True, help="Merge the article's --graphs into the --data."),
        folder_option(
            "--store",
            "store_dir",
            help_text="Keep the --data in an on-disk store here; later commands reuse it without --data.",
        ),
    )(func)


def _bar(total: int, label: str) -> Callable[[int], None]:
    """A progress bar (percentage and ETA) on stderr; ``advance(n)`` moves it by n units."""
    bar = click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True, show_percent=True)
    bar.__enter__()

    def advance(done: int) -> None:
        bar.update(done)
        if bar.pos >= total:
            bar.__exit__(None, None, None)

    return advance


def _byte_progress(total: int, label: str) -> Callable[[int], None]:
    """A progress bar for reading an input of more than 50 MB on a terminal; silent otherwise."""
    if total < 50_000_000 or not sys.stderr.isatty():
        return lambda done: None
    return _bar(total, f"reading {label}")


def remote_options(func: F) -> F:
    """--endpoint and its companions: the same spelling for query, sparql and load."""
    return option_group(
        click.option(
            "--endpoint",
            metavar="URL",
            default=None,
            help="A SPARQL 1.1 query endpoint to run on instead of the embedded engine.",
        ),
        auth_options,
        timeout_option(
            60.0,
            "With --endpoint, how long to wait for it (default 60); run embedded, how long the query may run "
            "(no limit unless given).",
            show_default=False,
        ),
        max_answer_option,
    )(func)


def _endpoint(
    url: str, auth: str | None, user: str | None, timeout: float, max_answer: int = 1024, **urls: str | None
) -> Any:
    from .endpoint import credentials, endpoint

    interactive = sys.stdin.isatty()
    creds = credentials(
        url,
        kind=auth,
        user=user,
        interactive=interactive,
        prompt=lambda text: click.prompt(text, hide_input=True, err=True),
    )
    return endpoint(url, creds=creds, timeout=timeout, max_bytes=max_answer << 20, **urls)


def _limit_embedded(options: dict[str, Any]) -> None:
    """Bound an embedded query by ``--timeout`` when it was given (without it a large --data query
    may rightly run for minutes): a watchdog thread ends the process, cleanly, when time is up."""
    ctx = click.get_current_context()
    given = ctx.get_parameter_source("timeout") not in (None, click.core.ParameterSource.DEFAULT)
    if options.get("endpoint") or not given:
        return
    seconds = float(options["timeout"])

    def expire() -> None:
        from .files import discard_pending

        discard_pending()
        sys.stderr.write(
            f"casegraph: error: the query ran longer than --timeout {seconds:g} s and was stopped; nothing was "
            "written (give a larger --timeout, or narrow the query)\n"
        )
        sys.stderr.flush()
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def _check_output(output: str, inputs: Sequence[str], options: dict[str, Any]) -> None:
    """Refuse an --output that is one of the command's inputs: its files, the dataset it reads."""
    if output != "-":  # the query-to-stdout path imports nothing more
        from .dataset import dataset_file
        from .files import refuse_overwriting

        refuse_overwriting(output, [*inputs, *(options.get("data") or ()), str(dataset_file(options.get("dataset")))])


def _source(options: dict[str, Any], *, remote: bool = True) -> Any:
    """The :class:`casegraph.facade.Source` the shared options describe (the endpoint's
    credentials asked for here, where a terminal can prompt)."""
    from .facade import Source

    endpoint = None
    if remote and not options.get("endpoint") and (options.get("auth") or options.get("user")):
        raise UsageError("--auth and --user are for a store's endpoint; give --endpoint URL, or leave them out")
    if remote and options.get("endpoint"):
        endpoint = _endpoint(
            options["endpoint"], options["auth"], options["user"], options["timeout"], options["max_answer"]
        )
    return Source(
        dataset=options.get("dataset"),
        data=tuple(options.get("data") or ()),
        input_format=options.get("input_format"),
        store=options.get("store_dir"),
        with_article=bool(options.get("with_article")),
        endpoint=endpoint,
    )


def _graphs(options: dict[str, Any]) -> tuple[str, ...] | None:
    return None if options.get("graphs") is None else _roles(options["graphs"])


def result_format_option(func: F) -> F:
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=Choice(RESULT_FORMATS + RDF_FORMATS),
        default=None,
        help="SELECT/ASK: table (default), csv, tsv, json, xml, md. "
        "CONSTRUCT/DESCRIBE: turtle (default) or another RDF format.",
    )(func)


def _roles(spec: str) -> tuple[str, ...]:
    from .dataset import parse_graphs

    return parse_graphs(spec)


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--version: the package's version, the engine's, and the SHA-256 of the dataset answered from."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    from .dataset import dataset_file
    from .files import sha256

    dataset = dataset_file()
    try:
        digest = sha256(dataset)
    except OSError as err:
        digest = f"unreadable ({err.strerror})"
    click.echo(f"casegraph {__version__} (pyoxigraph {version('pyoxigraph')})")
    click.echo(f"dataset {dataset} sha256:{digest}")
    ctx.exit(0)


@click.group(cls=App, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Show the version, and the SHA-256 of the shipped dataset that queries answer from, and exit.",
)
def cli() -> None:
    """casegraph: the HHS -> CMS -> DHS Medicaid data transfer as a knowledge graph.

    \b
    Examples:
      casegraph query ordered-over-objection
      casegraph export --format jsonld --output casegraph.jsonld
    """


@cli.command()
@output_folder_option(
    "Folder to write the dataset and exports to (default: graph/build of the source checkout you are in; "
    "required anywhere else)."
)
@root_option("A casegraph source tree (ontology/, graph/) to build from (default: the shipped one).")
def build(output: Path | None, root: Path | None) -> None:
    """Ground the quotes, assemble and check the graphs, write the dataset and exports.

    Nothing is written unless every check passes. Without --output it rebuilds the graph/build
    folder of the source checkout it runs in; anywhere else it asks for --output, a folder it
    creates if need be (it never writes into an installed package).

    \b
    Examples:
      casegraph build --output /tmp/casegraph
      casegraph query timeline --dataset /tmp/casegraph
    """
    from .facade import build as run_build

    result = run_build(root, output)
    for _, path in sorted(result.files.items()):
        click.echo(f"wrote {path}", err=True)
    click.echo(f"{len(result.quads)} quads in {len(result.files)} files", err=True)


@cli.command()
@click.option(
    "--engine",
    type=Choice(ENGINES),
    default="auto",
    show_default=True,
    help="owlrl (the reference), fast (reasonable + owlrl on the ontology), or auto (fast above 20,000 triples).",
)
@dataset_option
@output_folder_option("Folder to write the dataset to (default: the dataset's own folder, replaced atomically).")
def reason(engine: str, dataset: Path | None, output: Path | None) -> None:
    """Materialise the OWL 2 RL closure into the dataset's inferred graph.

    In place for --dataset DIR (or the checkout it runs in), or into --output DIR. Only what
    reasoning adds about our own resources is kept (see the README for the named exclusions); the
    metadata's counts are updated and the result is validated before it is written.

    \b
    Examples:
      casegraph reason --dataset /tmp/casegraph
      casegraph reason --dataset /tmp/casegraph --engine fast --output /tmp/reasoned
    """
    from .facade import reason as run_reason

    done = run_reason(dataset, output, engine=engine)
    click.echo(f"{done.inferred} inferred triples; wrote {len(done.files)} files to {done.folder}", err=True)


@cli.command()
@click.option(
    "--format",
    "-f",
    "fmt",
    type=Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="A readable report, JSON, or a SHACL validation report in Turtle.",
)
@dataset_option
@root_option("Validate a source tree (ontology/, graph/) as it would build, instead of a built dataset.")
@click.option(
    "--profile/--no-profile",
    default=None,
    help="Check that the ontology stays inside OWL 2 RL with the OWL API (libowlapi-java); "
    "by default whenever it is installed.",
)
@data_options
def validate(fmt: str, dataset: Path | None, root: Path | None, profile: bool | None, **user: Any) -> None:
    """Check a dataset (or your own RDF) against the SHACL shapes and the ontology checks; exit 1
    on a violation.

    \b
    Examples:
      casegraph validate
      casegraph validate --root . --format json
      casegraph validate --data mine.ttl --data more.nq
    """
    from .facade import validate as run_validate
    from .validate import ReportFormat, render

    report = run_validate(
        _source({**user, "dataset": dataset}, remote=False), root=root, profile=profile, progress=_byte_progress
    )
    click.echo(render(report, ReportFormat(fmt)), nl=False)
    if not report.conforms:
        raise click.exceptions.Exit(1)


def _complete_query_id(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The bundled query ids that start with what was typed (for shell completion)."""
    from .queries import query_ids
    from .resources import default_paths

    return [name for name in query_ids(default_paths().queries) if name.startswith(incomplete)]


@cli.command(name="queries")
@click.argument("query_id", required=False, shell_complete=_complete_query_id)
def list_queries(query_id: str | None) -> None:
    """List the bundled queries with their summaries and parameters, or print one in full (its
    header: description, parameters, graphs; and its text) to read, copy and adapt.

    \b
    Examples:
      casegraph queries
      casegraph queries timeline > mine.rq && casegraph sparql mine.rq
    """
    from .iris import QUERY_GRAPHS
    from .queries import discover, find_query

    if query_id is not None:
        chosen = find_query(query_id)
        click.echo(chosen.path.read_text(encoding="utf-8"), nl=False)
        if chosen.graphs != QUERY_GRAPHS:
            click.echo(
                f"note: the query answers over {','.join(chosen.graphs)}; run a copy with "
                f"`casegraph sparql FILE --graphs {','.join(chosen.graphs)}` for the same answer",
                err=True,
            )
        for parameter in chosen.parameters:
            click.echo(
                f"note: ?{parameter.variable} is the parameter {parameter.name}: a copy run by `casegraph sparql` "
                f"leaves it unbound (every value); bind it in the copy, or run `casegraph query {chosen.id} "
                f"--param {parameter.name}=…`",
                err=True,
            )
        return
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
        with _evaluating():
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
        with _evaluating():
            rendered = format_select(result, ResultFormat(table), width=width)
        write_bytes(output, rendered)


@contextlib.contextmanager
def _evaluating() -> Any:
    """pyoxigraph evaluates a query as its results are read: an error it meets then (a service
    that fails, an unbound service variable) is one line, not a traceback."""
    try:
        yield
    except (RuntimeError, OSError, ValueError) as err:
        raise QueryError(f"the query failed while running ({one_line(err)})") from err


@cli.command()
@click.argument("query_id", shell_complete=_complete_query_id)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter, bound as a typed RDF term (repeatable).",
)
@result_format_option
@graphs_option(None, "Default: the graphs the query's header names (ontology, asserted, inferred unless it says).")
@dataset_option
@data_options
@remote_options
@output_option
def query(query_id: str, params: tuple[str, ...], fmt: str | None, output: str, **source: Any) -> None:
    """Run a bundled query (see `casegraph queries`), embedded or on a SPARQL endpoint.

    \b
    Examples:
      casegraph query ordered-over-objection
      casegraph query evidence --param resource=https://w3id.org/casegraph/id/person/sara-vitolo
      casegraph query timeline --format csv --output timeline.csv
      casegraph query timeline --endpoint http://127.0.0.1:7878/query
    """
    from .facade import query as run_query
    from .queries import parse_assignments

    values = parse_assignments(params)
    if output != "-":
        from .queries import find_query

        _check_output(output, [str(find_query(query_id).path)], source)
    _limit_embedded(source)
    _emit(run_query(query_id, values, _source(source), graphs=_graphs(source), progress=_byte_progress), fmt, output)


@cli.command()
@click.argument("file", type=click.File("rb"))
@result_format_option
@graphs_option("ontology,asserted,inferred", "The default graph is their union: the report's facts, entailed.")
@dataset_option
@data_options
@remote_options
@output_option
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let a SERVICE clause send requests to the host it names (refused by default: casegraph contacts no host "
    "you did not give).",
)
def sparql(file: Any, fmt: str | None, output: str, allow_service: bool, **source: Any) -> None:
    """Run an ad-hoc SPARQL query from FILE ('-' for stdin), embedded or on a SPARQL endpoint.

    A SELECT or ASK prints in the result formats, a CONSTRUCT or DESCRIBE in any RDF format. A
    SERVICE clause is refused unless --allow-service (it would contact the host it names).

    \b
    Examples:
      casegraph sparql my-query.rq --format json
      echo 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }' | casegraph sparql -
      casegraph sparql my-query.rq --endpoint http://127.0.0.1:8890/sparql
    """
    name = str(getattr(file, "name", "-"))
    where = "<stdin>" if name in ("<stdin>", "-") else name
    _check_output(output, [name], source)
    _limit_embedded(source)
    try:
        text = file.read().decode("utf-8")
    except UnicodeDecodeError as err:
        raise QueryError(
            f"{where}: the query is not UTF-8 ({err.reason} at byte {err.start}); save it as UTF-8"
        ) from err
    from .facade import sparql as run_sparql

    result = run_sparql(
        text, _source(source), graphs=_graphs(source), where=where, progress=_byte_progress, allow_service=allow_service
    )
    _emit(result, fmt, output)


@cli.command()
@click.option(
    "--format",
    "-f",
    "fmt",
    type=Choice(RDF_FORMATS),
    default=None,
    help="Turtle, N-Triples and RDF/XML merge the graphs; TriG, N-Quads and JSON-LD keep them apart. "
    "Default: the one --output's extension names (.ttl .jsonld .trig .nq .nt .rdf), Turtle on stdout.",
)
@graphs_option(
    None,
    "Default: ontology,asserted,metadata — the ontology, the report's facts and the dataset's description "
    "(licence, source, checksums, provenance); with --data, your data alone.",
)
@dataset_option
@data_options
@output_option
@click.option(
    "--canonical",
    is_flag=True,
    help="Write RDFC-1.0 canonical N-Quads (blank nodes named by the W3C algorithm, lines sorted): "
    "the form to hash for fixity. With --format nquads.",
)
@click.option(
    "--frame",
    type=Choice(FRAMES),
    default=None,
    help="Write framed JSON-LD, one readable tree per event, person or claim, each assertion with the "
    "report's words that state it (ontology/frames/README.md says what each frame selects). "
    "Default graphs: asserted,evidence.",
)
def export(
    fmt: str | None,
    graphs: str | None,
    dataset: Path | None,
    data: tuple[str, ...],
    input_format: str | None,
    with_article: bool,
    store_dir: Path | None,
    output: str,
    canonical: bool,
    frame: str | None,
) -> None:
    """Export the dataset's graphs (or --data) in an RDF format, byte-identically on every run.

    The article's dataset is written sorted; --data of any size is streamed from its store.

    \b
    Examples:
      casegraph export --format jsonld --output casegraph.jsonld
      casegraph export --format trig --graphs all > casegraph.trig
      casegraph export --data big.nt --output big.nq
      casegraph export --format nquads --canonical --graphs all | sha256sum
      casegraph export --frame events --output events.jsonld
    """
    from .facade import Source
    from .facade import export as run_export

    mine = Source(dataset, data, input_format, store_dir, with_article)
    chosen = None if graphs is None else _roles(graphs)
    run_export(mine, fmt, output, graphs=chosen, progress=_byte_progress, canonical=canonical, frame=frame)


@cli.command()
@click.option(
    "--endpoint", metavar="URL", required=True, help="The store's SPARQL 1.1 query endpoint (used to verify)."
)
@click.option(
    "--graph-store",
    metavar="URL",
    default=None,
    help="The store's Graph Store Protocol endpoint (else chunked SPARQL Update is used).",
)
@click.option("--update", metavar="URL", default=None, help="The store's SPARQL 1.1 Update endpoint.")
@auth_options
@graphs_option("all", "Each graph is replaced on its own.")
@timeout_option(300.0, "How long to wait for each request.")
@max_answer_option
@click.option(
    "--direct",
    is_flag=True,
    help="PUT straight into each graph, without a staging graph: only for stores whose PUT is atomic.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be loaded, and send nothing.")
@click.option(
    "--prune",
    is_flag=True,
    help="Also drop the store's graphs of casegraph's naming scheme that this dataset no longer has "
    "(a renamed role, a removed report), listing them first.",
)
@dataset_option
@data_options
@click.option(
    "--into", metavar="IRI", default=None, help="The named graph for --data triples that are in no named graph."
)
def load(
    endpoint: str,
    graph_store: str | None,
    update: str | None,
    auth: str | None,
    user: str | None,
    graphs: str,
    timeout: float,
    max_answer: int,
    direct: bool,
    dry_run: bool,
    prune: bool,
    dataset: Path | None,
    data: tuple[str, ...],
    input_format: str | None,
    with_article: bool,
    store_dir: Path | None,
    into: str | None,
) -> None:
    """Replace the dataset's named graphs (or those of --data) in a triple store, then verify the counts.

    Besides --endpoint it needs the store's write endpoints: --graph-store URL (the Graph Store
    Protocol) or --update URL (SPARQL Update), or both. Loading twice leaves the store as loading
    once; two loads never mix (a lease in the store); --prune also drops the store's graphs of
    casegraph's naming scheme that the dataset no longer has.

    \b
    Examples:
      casegraph load --endpoint http://127.0.0.1:7878/query \\
          --graph-store http://127.0.0.1:7878/store --update http://127.0.0.1:7878/update
      CASEGRAPH_PASSWORD=… casegraph load --auth digest --user dba \\
          --endpoint http://127.0.0.1:8890/sparql-auth --update http://127.0.0.1:8890/sparql-auth \\
          --graph-store http://127.0.0.1:8890/sparql-graph-crud-auth
    """
    from .facade import Source
    from .facade import load as run_load

    mine = Source(dataset, data, input_format, store_dir, with_article)
    target = (
        None
        if dry_run
        else _endpoint(endpoint, auth, user, timeout, max_answer, update=update, graph_store=graph_store)
    )

    def listing(stale: Sequence[str]) -> None:
        for graph in stale:
            click.echo(f"pruning <{graph}>: not in this dataset", err=True)

    done = run_load(
        mine,
        target,
        graphs=_roles(graphs),
        direct=direct,
        dry_run=dry_run,
        prune=prune,
        into=into,
        progress=_byte_progress,
        load_progress=_progress_bar,
        before_prune=listing,
    )
    for planned in done.planned:
        click.echo(visible(f"would replace <{planned.graph}> ({planned.role}): {planned.triples} triples"))
    if done.report is None:
        return
    for item in done.report.graphs:
        click.echo(f"replaced <{item.graph}> ({item.role}): {item.stored} triples {item.how}; verified", err=True)
    count = len(done.report.graphs)
    click.echo(f"loaded {count} graph{'' if count == 1 else 's'} into {done.report.endpoint}", err=True)
    if done.pruned:
        pruned = len(done.stale)
        click.echo(f"pruned {pruned} graph{'' if pruned == 1 else 's'}", err=True)
    elif done.stale:
        listed = ", ".join(f"<{g}>" for g in done.stale)
        click.echo(
            f"note: the store also holds graphs of casegraph's scheme that this dataset has not: {listed}; "
            "`casegraph load --prune` drops them",
            err=True,
        )


@cli.command()
@written_output_option("DIR", "The site's folder: new, empty, or a previous site (replaced whole).")
@click.option(
    "--base",
    metavar="URL",
    default=None,
    help="Where the site will be hosted (an absolute http(s) URL): writes the w3id.org redirect rule.",
)
@dataset_option
@data_options
def publish(output: Path, base: str | None, dataset: Path | None, **source: Any) -> None:
    """Write a static linked-data site: a page per node of the report's facts with the words that
    state each; an index, a timeline, a diagram of who ordered what over whose objection, the
    bundled queries' answers, the ontology's documentation, the deprecated IRIs; content-negotiation
    rules. A previous site is replaced whole; any other folder is refused.

    \b
    Examples:
      casegraph publish --output site
      casegraph publish --output site --base https://example.org/casegraph/
    """
    from .facade import Source
    from .facade import publish as run_publish

    mine = Source(dataset, source["data"], source["input_format"], source["store_dir"], source["with_article"])
    site = run_publish(mine, output, base=base, progress=_byte_progress)
    click.echo(f"wrote {site.pages} pages ({site.files} files) to {site.folder}", err=True)


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def verify(path: Path) -> None:
    """Recompute every checksum of a dataset folder written by `casegraph build`: each file's
    SHA-256 (SHA256SUMS) and each graph's canonical SHA-256 (RDFC-1.0, recorded in its metadata
    graph); exit 1 naming each difference.

    A package written by `casegraph package` (its folder or .zip) is checked whole: the bag's
    manifests, the RO-Crate metadata listing every payload file, and the dataset inside. A site
    written by `casegraph publish`: its SHA256SUMS and the graphs' canonical hashes.

    \b
    Examples:
      casegraph verify graph/build
      casegraph build --output /tmp/cg && casegraph verify /tmp/cg
      casegraph package --output casegraph.zip && casegraph verify casegraph.zip
      casegraph publish --output site && casegraph verify site
    """
    from .verify import verify as run_verify

    done = run_verify(path)
    for difference in done.differences:
        click.echo(visible(difference))
    if done.differences:
        count = len(done.differences)
        click.echo(
            f"casegraph: error: {path}: {count} difference(s) from the recorded checksums (listed above)", err=True
        )
        raise click.exceptions.Exit(1)
    what = f"{done.files} files and {done.graphs} graphs' canonical hashes"
    if done.package is not None:
        what = f"the bag's {done.package} payload files, the RO-Crate's list of them, and the dataset's {what}"
    click.echo(f"verified {what} in {path}", err=True)


@cli.command()
@written_output_option(
    "DIR|FILE.zip", "Where to write the package: a new folder (or a previous package, replaced whole), or a .zip file."
)
@dataset_option
@root_option("The source tree the --dataset was built from (default: the shipped one).")
def package(output: Path, dataset: Path | None, root: Path | None) -> None:
    """Write the dataset for an archive: a BagIt bag whose data/ is an RO-Crate 1.2 (the dataset,
    the report's text, the ontology, shapes and queries, described).

    Byte-identical on every run: its dates are SOURCE_DATE_EPOCH, else the dataset's release
    date. An existing --output that is not a casegraph package is refused; a previous package is
    replaced atomically. `casegraph verify` checks the result.

    \b
    Examples:
      casegraph package --output casegraph-package
      casegraph package --output casegraph.zip && casegraph verify casegraph.zip
      casegraph publish --output site && casegraph verify site
    """
    from .facade import package as run_package

    done = run_package(output, dataset=dataset, root=root)
    click.echo(
        f"wrote {output}: a bag of {done.files} payload files ({done.size} bytes), dated "
        f"{done.released.date().isoformat()}",
        err=True,
    )


def _progress_bar(total: int, label: str, triples: int) -> Callable[[int], None]:
    """A progress bar for loading a graph of more than 5,000 triples on a terminal; silent otherwise."""
    if triples <= 5_000 or not sys.stderr.isatty():
        return lambda done: None
    return _bar(total, label)


@cli.command()
@click.option("--port", type=int, default=7878, show_default=True, metavar="PORT", help="The TCP port to listen on.")
@click.option(
    "--bind",
    "host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="The address to listen on; anything but loopback exposes the data to the network.",
)
@graphs_option("ontology,asserted,inferred", "The default graph is the union of the served graphs.")
@folder_option("--store", help_text="Keep the prepared Oxigraph store in this new folder (default: in memory).")
@timeout_option(60.0, "How long one query may run (at most a day); a longer one is stopped and answered 503.")
@answer_limit_option(256, "The largest answer sent, in megabytes; a larger one is answered 500.")
@dataset_option
def serve(
    port: int, host: str, graphs: str, store: Path | None, timeout: float, max_answer: int, dataset: Path | None
) -> None:
    """Serve the dataset as a local read-only SPARQL 1.1 endpoint (Oxigraph; Ctrl-C stops it).

    The default graph is the union of the served graphs; CORS is on; updates and SERVICE are
    refused; each query runs in a worker process, stopped after --timeout seconds. It is also a
    linked-data server: /id/... answers 303 to the page, Turtle or JSON-LD Accept asks for, with a
    VoID description, a service description and an offline query page.

    \b
    Examples:
      casegraph serve
      casegraph serve --port 8000 --graphs ontology,asserted
    """
    from .facade import Source
    from .facade import serve as run_serve

    code = run_serve(
        Source(dataset=dataset),
        graphs=_roles(graphs),
        host=host,
        port=port,
        location=store,
        timeout=timeout,
        max_answer=max_answer,
        announce=lambda line: click.echo(line, err=True),
    )
    if code not in (0, -2, 130):
        raise click.exceptions.Exit(1)


#: Exit statuses of a command stopped by a signal: 128 + the signal's number, as shells report.
_STOPPED = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


class _Stop(BaseException):
    """A stop signal, raised in the main thread by its handler."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def main() -> None:
    """Console-script entry point.

    The command runs in a worker thread while the main thread waits on it: pyoxigraph evaluates a
    query without the GIL, but Python runs signal handlers only in the main thread, between its
    bytecodes, so a command run in the main thread ignored Ctrl-C until the query ended. Here
    Ctrl-C (exit 130), SIGTERM (143) and SIGHUP (129) stop any command at once: the temporary files
    and half-built stores of this process are removed and nothing is left half-written.
    """
    previous = {signum: signal.signal(signum, _raise_stop) for signum in _STOPPED}
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            cli.main(prog_name="casegraph")
        except SystemExit as done:
            outcome["code"] = done.code
        except BaseException as err:  # noqa: BLE001 - re-raised in the main thread
            outcome["error"] = err

    worker = threading.Thread(target=work, name="casegraph", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
    except (_Stop, KeyboardInterrupt) as stop:
        signum = stop.signum if isinstance(stop, _Stop) else signal.SIGINT
        for again in _STOPPED:  # a second signal must not interrupt the clean-up
            signal.signal(again, signal.SIG_IGN)
        from .files import discard_pending

        removed = discard_pending()
        note = f"; removed {removed} unfinished file(s)" if removed else ""
        sys.stderr.write(f"casegraph: stopped by {signal.Signals(signum).name}; nothing was written{note}\n")
        sys.stderr.flush()
        os._exit(_STOPPED[signal.Signals(signum)])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if "error" in outcome:
        raise outcome["error"]
    sys.exit(outcome.get("code", 0))


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signum)
