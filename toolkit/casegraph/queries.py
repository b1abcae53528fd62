"""Bundled queries: discover ``queries/*.rq``, parse their grlc ``#+`` headers, bind typed
parameters and run them on the embedded engine.

Parameters follow grlc's variable-name convention: ``?_name`` (required) or ``?__name``
(optional), with an optional type suffix ``_iri``, ``_integer``, ``_decimal``, ``_xsd_date`` or a
two-letter language tag (``_en``). A value is first turned into a typed RDF term (an IRI is
validated, a literal gets its datatype) and then bound with an inline SPARQL 1.1 ``VALUES`` block,
first in the query's WHERE group, written from that term by pyoxigraph's own serialiser: a value
can never change the query's structure — it is data, not query text. The same binding works on
the embedded engine and on any remote SPARQL 1.1 endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import QueryError, QueryHeaderError, UsageError, did_you_mean, one_line
from .iris import NOT_ABSOLUTE, PREFIXES, QUERY_GRAPHS, ROLES, GraphRole, expand, iri_problem
from .resources import default_paths

#: Header keys we read, plus grlc's own keys (accepted so grlc files load unchanged).
OUR_KEYS = {"summary", "description", "tags", "parameters", "expect", "graphs"}
GRLC_KEYS = {"endpoint", "method", "pagination", "enumerate", "defaults", "endpoint_in_url", "transform"}
EXPECTS = {"rows", "no-rows", "boolean", "graph"}

_PARAM = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9]*)(?:_(iri|integer|decimal|xsd_date|[a-z]{2}))?\b")
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Parameter:
    """One query parameter, read from a ``?_name_type`` variable."""

    name: str
    variable: str
    kind: str  # "iri", "literal", "integer", "decimal", "date" or "lang:xx"
    required: bool
    description: str

    def term(self, value: str, *, query_id: str) -> ox.NamedNode | ox.Literal:
        """The typed RDF term for ``value``.

        Raises:
            UsageError: the value does not fit the parameter's type.
        """
        where = f"query {query_id}: --param {self.name}={value!r}"
        if self.kind == "iri":
            value = expand(value)
            problem = iri_problem(value)
            if problem is not None:
                hint = "; give one like https://w3id.org/casegraph/id/agency/cms" if problem == NOT_ABSOLUTE else ""
                raise UsageError(f"{where}: {problem}{hint}")
            return ox.NamedNode(value)
        if self.kind in ("integer", "decimal"):
            pattern = r"^[+-]?\d+$" if self.kind == "integer" else r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
            if not re.match(pattern, value):
                raise UsageError(f"{where}: not an xsd:{self.kind}")
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + self.kind))
        if self.kind == "date":
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                raise UsageError(f"{where}: not a date; write it as YYYY-MM-DD")
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + "date"))
        if self.kind.startswith("lang:"):
            return ox.Literal(value, language=self.kind[5:])
        return ox.Literal(value)


@dataclass(frozen=True)
class BundledQuery:
    """A parsed ``queries/<id>.rq`` file."""

    id: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    expect: str
    parameters: tuple[Parameter, ...]
    text: str
    #: The graph roles the query answers over unless told otherwise (header key ``graphs``;
    #: ontology + asserted + inferred when the header does not say).
    graphs: tuple[str, ...] = QUERY_GRAPHS

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise UsageError(f"query {self.id}: unknown parameter {name!r} (parameters: {known})")


def _header_lines(text: str) -> tuple[list[tuple[int, str]], int]:
    """The ``#+`` lines at the top of a query (with their line numbers)."""
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#+"):
            lines.append((number, line[2:].removeprefix(" ")))
        elif line.strip() and not line.startswith("#"):
            break
    return lines, len(lines)


#: Beside the bundled queries: each file's header as text and as parsed, so the query path need
#: not import PyYAML (a tenth of the main job). Used only where the text still matches exactly;
#: ``python -m tests.refresh_golden`` rewrites it, and a test checks that it is current.
HEADER_CACHE = "headers.json"
_CACHES: dict[Path, dict[str, Any]] = {}


def _cached_header(path: Path, header_text: str) -> Any:
    """The parsed header of ``path`` from its folder's cache, if the cache has this exact text."""
    folder = path.parent
    if folder not in _CACHES:
        import json

        try:
            _CACHES[folder] = json.loads((folder / HEADER_CACHE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _CACHES[folder] = {}
    entry = _CACHES[folder].get(path.name)
    return entry["value"] if isinstance(entry, dict) and entry.get("header") == header_text else None


def header_cache(folder: Path) -> str:
    """The header cache of the queries in ``folder``, as JSON text (sorted, stable)."""
    import json

    cache = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        lines, _ = _header_lines(text)
        cache[path.name] = {"header": "\n".join(line for _, line in lines), "value": parse_header(path, text)}
    return json.dumps(cache, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def parse_header(path: Path, text: str) -> dict[str, Any]:
    """The YAML in a query's ``#+`` header.

    Raises:
        QueryHeaderError: no header, invalid YAML, unknown keys or a missing summary.
    """
    lines, count = _header_lines(text)
    if not count:
        raise QueryHeaderError(f"{path}, line 1: no '#+' header; start the file with '#+ summary: …'")
    header_text = "\n".join(line for _, line in lines)
    header = _cached_header(path, header_text)
    if header is None:
        header = _parse_yaml(path, header_text, lines)
    if not isinstance(header, dict):
        raise QueryHeaderError(f'{path}, line {lines[0][0]}: header must be "key: value" lines')
    return _checked(path, header)


def _parse_yaml(path: Path, header_text: str, lines: list[tuple[int, str]]) -> Any:
    import yaml

    try:
        return yaml.safe_load(header_text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        number = lines[mark.line][0] if mark is not None and mark.line < len(lines) else lines[0][0]
        raise QueryHeaderError(
            f'{path}, line {number}: header is not valid YAML (expected "key: value"); '
            "fix the line or drop its '#+' prefix"
        ) from err


def _checked(path: Path, header: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(header) - OUR_KEYS - GRLC_KEYS)
    if unknown:
        raise QueryHeaderError(
            f"{path}: unknown header key {unknown[0]!r}; known keys: " + ", ".join(sorted(OUR_KEYS | GRLC_KEYS))
        )
    if not isinstance(header.get("summary"), str) or not header["summary"].strip():
        raise QueryHeaderError(f"{path}: header has no 'summary'; add '#+ summary: <one line>'")
    if header.get("expect", "rows") not in EXPECTS:
        raise QueryHeaderError(f"{path}: 'expect' must be one of " + ", ".join(sorted(EXPECTS)))
    return header


def _parameters(path: Path, text: str, docs: Mapping[str, Any]) -> tuple[Parameter, ...]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    found: dict[str, Parameter] = {}
    for match in _PARAM.finditer(body):
        underscores, name, suffix = match.groups()
        kind = {"iri": "iri", "integer": "integer", "decimal": "decimal", "xsd_date": "date", None: "literal"}.get(
            suffix, f"lang:{suffix}"
        )
        description = docs.get(name)
        if not isinstance(description, str):
            raise QueryHeaderError(
                f"{path}: parameter {name!r} (variable {match.group(0)}) is not described; "
                f"add it under '#+ parameters:' as '#+   {name}: <what it is>'"
            )
        found[name] = Parameter(name, match.group(0)[1:], kind, underscores == "_", description)
    extra = sorted(set(docs) - set(found))
    if extra:
        raise QueryHeaderError(f"{path}: header describes parameter {extra[0]!r}, which the query does not use")
    return tuple(found[n] for n in sorted(found))


def load_query(path: Path) -> BundledQuery:
    """Parse one ``.rq`` file (header and parameters).

    Raises:
        QueryHeaderError: the header is malformed.
    """
    text = path.read_text(encoding="utf-8")
    header = parse_header(path, text)
    docs = header.get("parameters") or {}
    if not isinstance(docs, dict):
        raise QueryHeaderError(f"{path}: 'parameters' must map each name to its description")
    tags = header.get("tags") or []
    graphs = header.get("graphs", list(QUERY_GRAPHS))
    if not isinstance(graphs, list) or not graphs or any(g not in ROLES for g in graphs):
        raise QueryHeaderError(
            f"{path}: 'graphs' must be a list of graph roles ({', '.join(ROLES)}), "
            "e.g. '#+ graphs: [asserted, evidence]'"
        )
    return BundledQuery(
        id=path.stem,
        path=path,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        tags=tuple(str(t) for t in tags),
        expect=str(header.get("expect", "rows")),
        parameters=_parameters(path, text, docs),
        text=text,
        graphs=tuple(role for role in ROLES if role in graphs),
    )


def query_ids(folder: Path | None = None) -> list[str]:
    """The ids of the bundled queries, sorted."""
    return sorted(p.stem for p in (folder or default_paths().queries).glob("*.rq"))


def discover(folder: Path | None = None) -> list[BundledQuery]:
    """Every bundled query, parsed, sorted by id."""
    base = folder or default_paths().queries
    return [load_query(base / f"{qid}.rq") for qid in query_ids(base)]


def find_query(query_id: str, folder: Path | None = None) -> BundledQuery:
    """The bundled query ``query_id``.

    Raises:
        UsageError: no such query (the message suggests the nearest ids).
    """
    base = folder or default_paths().queries
    path = base / f"{query_id}.rq"
    if "/" in query_id or not path.is_file():
        ids = query_ids(base)
        hint = did_you_mean(query_id, ids) or "run `casegraph queries` to list them"
        raise UsageError(f"unknown query {query_id!r}; {hint}")
    return load_query(path)


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings -> a dict.

    Raises:
        UsageError: an item without ``=`` or with an empty name, or a name given twice.
    """
    values: dict[str, str] = {}
    for item in items:
        raw, sep, value = item.partition("=")
        name = raw.strip()
        if not sep or not name:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE, e.g. --param resource=https://…")
        if name in values:
            raise UsageError(f"--param {name}: given twice; give each parameter once")
        values[name] = value
    return values


def bind(query: BundledQuery, values: Mapping[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Typed substitutions for the query's parameters.

    Raises:
        UsageError: unknown parameter, missing required one, or a value of the wrong type.
    """
    for name in values:
        query.parameter(name)
    bound: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
    for p in query.parameters:
        if p.name in values:
            bound[ox.Variable(p.variable)] = p.term(values[p.name], query_id=query.id)
        elif p.required:
            raise UsageError(f"query {query.id}: parameter {p.name!r} is required; add --param {p.name}=VALUE")
    return bound


def _shorten(detail: str, limit: int = 160) -> str:
    """The parser's detail, cut before a long list of expected characters."""
    return detail if len(detail) <= limit else detail[:limit].rstrip() + " …"


#: SPARQL's lexemes, as far as finding a keyword needs: strings (long ones first), IRIs,
#: comments, variables and prefixed names are skipped whole; words are kept; anything else is one
#: character.
_LEXEMES = re.compile(
    r"""(?P<skip>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
          |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
          |<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n\r]*|[?$]\w+)
      |(?P<pname>(?:[A-Za-z_][\w.-]*)?:[\w.:%-]*)
      |(?P<word>[A-Za-z_]\w*)
      |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def _where_brace(text: str) -> int:
    """The index of the ``{`` that opens the query's outermost WHERE group (comments, strings and
    IRIs skipped; a CONSTRUCT template is not it)."""
    depth, form, after_where = 0, None, False
    for match in _LEXEMES.finditer(text):
        kind = "word" if match.group("word") else {"{": "open", "}": "close"}.get(match.group("other") or "")
        if kind == "word" and depth == 0:
            word = match.group().upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and form is None:
                form = word
            elif word == "WHERE":
                after_where = True
        elif kind == "open":
            if depth == 0 and (after_where or form in ("SELECT", "ASK", "DESCRIBE")):
                return match.start()
            depth += 1
        elif kind == "close":
            depth -= 1
    raise QueryError("cannot bind parameters: the query has no WHERE group")


def with_bindings(text: str, bindings: Mapping[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with an inline ``VALUES`` block, first in its WHERE group, binding each variable
    to its term. (Inline rather than trailing: Virtuoso applies a trailing VALUES clause to the
    projected columns only.)"""
    if not bindings:
        return text
    variables = sorted(bindings, key=lambda v: v.value)
    names = " ".join(str(v) for v in variables)
    row = " ".join(str(bindings[v]) for v in variables)
    brace = _where_brace(text)
    return f"{text[: brace + 1]}\n  VALUES ({names}) {{ ({row}) }}{text[brace + 1 :]}"


#: For the SERVICE check: strings and comments (skipped), variables and names (kept), one character.
_SCAN = re.compile(
    r"""(?P<skip>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
          |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"|\#[^\n\r]*)
      |(?P<name>[?$]?[A-Za-z_][\w.:%-]*|:[\w.:%-]*)
      |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_IRI_SPAN = re.compile(r"""<[^<>"{}|^`\\\x00-\x20]*>""")


#: How to run a query with a SERVICE clause all the same, from the command line.
SERVICE_REMEDY = (
    "run the query on that endpoint with --endpoint, or allow it with `casegraph sparql --allow-service` (also "
    "where the word is only part of a name)"
)


def refuse_service(text: str, where: str, remedy: str = SERVICE_REMEDY) -> None:
    """Refuse a query that may hold a ``SERVICE`` clause: the embedded engine would send HTTP (and
    DNS) requests to whatever host it names.

    Whether ``<`` opens an IRI or compares depends on the grammar, so no lexical reading is sure to
    be the parser's: the scan takes the reading that hides least. It skips strings and comments
    only where they cannot start inside something that may be an IRI, reads IRIs as text, and
    flags every name that starts with SERVICE (``SERVICEex:s`` is read as ``SERVICE ex:s``). A
    name such as ``<http://…/Service>`` is flagged too: ``sparql --allow-service`` lets it through.

    Raises:
        QueryError: naming the line of the word.
    """
    spans = [m.span() for m in _IRI_SPAN.finditer(text)]
    inside = bytearray(len(text) + 1)
    for begin, finish in spans:
        inside[begin + 1 : finish] = b"\x01" * (finish - begin - 1)
    position = 0
    while position < len(text):
        match = _SCAN.match(text, position)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        if match.group("skip") and inside[position]:
            position += 1  # a quote or # within a possible IRI: read on, character by character
            continue
        name = match.group("name")
        if name and not name.startswith(("?", "$")) and name.upper().startswith("SERVICE"):
            line = text.count("\n", 0, position) + 1
            raise QueryError(
                f"{where}: line {line}: SERVICE ({name!r}) would send requests to the host it names, and casegraph "
                f"contacts no host you did not give; {remedy}"
            )
        position = match.end()


def _has_from(text: str) -> bool:
    """True when the query names its own dataset (``FROM`` or ``FROM NAMED``)."""
    return any((m.group("word") or "").upper() == "FROM" for m in _LEXEMES.finditer(text))


#: The keywords that start a SPARQL 1.1 Update operation.
_UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


def check_form(text: str, where: str) -> None:
    """Refuse, before any work, what is no query: an empty text, or a SPARQL Update.

    Raises:
        QueryError: saying which, and what to do instead.
    """
    for match in _LEXEMES.finditer(text):
        word = (match.group("word") or "").upper()
        if not word or word in ("PREFIX", "BASE"):
            continue
        if word in _UPDATES:
            raise QueryError(
                f"{where}: this is a SPARQL Update ({word}), and casegraph only reads here; "
                "to write into a store, use `casegraph load`"
            )
        return
    raise QueryError(f"{where}: the query is empty; write a SELECT, ASK, CONSTRUCT or DESCRIBE query")


def undeclared_prefixes(text: str) -> list[str]:
    """The prefixes ``text`` uses in prefixed names without a ``PREFIX`` line, in order of use."""
    declared: set[str] = set()
    used: list[str] = []
    previous = ""
    for match in _LEXEMES.finditer(text):
        if match.group("word"):
            previous = match.group("word").upper()
        elif match.group("pname"):
            prefix = match.group("pname").split(":", 1)[0]
            if previous == "PREFIX":
                declared.add(prefix)
            elif prefix not in declared and prefix not in used:
                used.append(prefix)
            previous = ""
        elif not match.group().isspace():
            previous = ""
    return [p for p in used if p not in declared]


def run_sparql(
    store: ox.Store,
    text: str,
    *,
    where: str,
    bindings: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
    graphs: Sequence[ox.NamedNode] | None = None,
    allow_service: bool = False,
    named: Sequence[ox.NamedNode] | None = None,
    nameable: Sequence[ox.NamedNode] | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run SPARQL on the embedded store, the default graph being the union of ``graphs``
    (of every named graph when ``graphs`` is None), and the graphs ``GRAPH`` can reach ``graphs``
    (or ``nameable``, when given). ``named`` gives the dataset in full instead (the SPARQL
    Protocol's graph parameters). A ``SERVICE`` clause is refused unless ``allow_service``.

    Raises:
        QueryError: the query is malformed (with line and column), fails, or has a SERVICE clause.
    """
    if not allow_service:
        refuse_service(text, where)
    query = with_bindings(text, bindings or {})
    try:
        if graphs is None:
            return store.query(query, use_default_graph_as_union=True)
        if named is not None:  # a dataset given in full (the SPARQL Protocol's graph parameters)
            return store.query(query, default_graph=list(graphs), named_graphs=list(named))
        if _has_from(text):  # the query names its own dataset (FROM, FROM NAMED): it rules, as SPARQL says
            return store.query(query)
        from .dataset import default_graphs

        reach: list[ox.NamedNode | ox.BlankNode] = list(graphs if nameable is None else nameable)
        return store.query(query, default_graph=default_graphs(store, graphs), named_graphs=reach)
    except SyntaxError as err:
        missing = undeclared_prefixes(text)
        if missing:
            known = PREFIXES.get(missing[0])
            line = f"PREFIX {missing[0]}: <{known or 'IRI'}>"
            raise QueryError(
                f"{where}: the prefix {missing[0]}: is not declared; add `{line}` at the top of the query"
            ) from err
        message = one_line(err)  # whatever the parser's layout
        match = re.match(r"error at (\d+):(\d+): (.*)", message)
        if match:
            line, column, detail = match.groups()
            message = f"line {line}, column {column}: {_shorten(detail)}"
        raise QueryError(f"{where}: SPARQL syntax error, {message}; fix the query") from err
    except OSError as err:
        raise QueryError(f"{where}: query failed ({err})") from err


def query_text(query: BundledQuery, values: Mapping[str, str] | None = None) -> str:
    """The query's text with its parameters bound (a trailing VALUES clause)."""
    return with_bindings(query.text, bind(query, values or {}))


def run_query(
    store: ox.Store,
    query: BundledQuery,
    values: Mapping[str, str] | None = None,
    *,
    graphs: Sequence[GraphRole | str] | Sequence[ox.NamedNode] | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run a bundled query with its parameters bound as typed terms, over ``graphs`` (graph IRIs,
    or selectors such as ``asserted`` or ``asserted:REPORT`` resolved against the store's graphs; by
    default the graphs of the query's header: ontology + asserted + inferred unless it says
    otherwise).

    Raises:
        UsageError: a selector naming a report the store has no graph of.
    """
    from .dataset import graph_names

    chosen = query.graphs if graphs is None else graphs
    names = [g for g in chosen if isinstance(g, ox.NamedNode)]
    selectors = [str(g) for g in chosen if not isinstance(g, ox.NamedNode)]
    names += graph_names(selectors, store) if selectors else []
    return run_sparql(store, query.text, where=str(query.path), bindings=bind(query, values or {}), graphs=names)
