"""Query results in the W3C formats (SPARQL JSON, XML, CSV, TSV) and for people (table, Markdown)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

import pyoxigraph as ox

from .errors import visible
from .iris import PREFIXES


class ResultFormat(StrEnum):
    """Output formats for SELECT and ASK results."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"
    MD = "md"


_W3C = {
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
}
#: Longest cell text in a table before it wraps onto more lines.
CELL_WIDTH = 48


@dataclass(frozen=True)
class Table:
    """A SELECT result held in memory: column names and rows of terms (None = unbound)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...], ...]


def to_table(solutions: ox.QuerySolutions) -> Table:
    """Materialise a SELECT result."""
    columns = tuple(v.value for v in solutions.variables)
    rows = tuple(tuple(solution[c] for c in columns) for solution in solutions)
    return Table(columns, rows)


def shorten(iri: str) -> str:
    """``iri`` as a prefixed name where a project prefix fits, else ``<iri>``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def display(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A term as people read it: prefixed IRIs, plain literal values, empty when unbound; control
    characters escaped (``\\x1b``), so data cannot drive the reader's terminal."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return visible(shorten(term.value))
    if isinstance(term, ox.Literal):
        return visible(term.value)
    return visible(str(term))


def for_people(table: Table) -> tuple[list[str], list[list[str]]]:
    """Columns and cell texts for people: a resource column with a ``…Label`` twin shows the label
    under the resource's name (machines get both from csv/tsv/json/xml)."""
    keep = [i for i, c in enumerate(table.columns) if f"{c}Label" not in table.columns]
    names = [
        table.columns[i].removesuffix("Label")
        if table.columns[i].endswith("Label") and table.columns[i].removesuffix("Label") in table.columns
        else table.columns[i]
        for i in keep
    ]
    return names, [[display(row[i]) for i in keep] for row in table.rows]


def _grid(names: list[str], rows: list[list[str]]) -> list[str]:
    cells = [[textwrap.wrap(v, CELL_WIDTH) or [""] for v in row] for row in rows]
    widths = [max([len(n)] + [len(line) for row in cells for line in row[i]]) for i, n in enumerate(names)]
    rule = "-+-".join("-" * w for w in widths)
    out = [" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(), rule]
    for row in cells:
        for k in range(max(len(c) for c in row)):
            parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(row, widths, strict=True)]
            out.append(" | ".join(parts).rstrip())
    return out


def _records(names: list[str], rows: list[list[str]], width: int) -> list[str]:
    """One block per row (like psql's expanded display). Leading fields that equal the row above
    (every field before them equal too) are left out, and the block's heading says so."""
    pad = max(len(n) for n in names)
    wrap = max(20, width - pad - 2)
    out: list[str] = []
    previous: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        same = previous is not None
        unchanged = 0
        while same and previous is not None and unchanged < len(row) and row[unchanged] == previous[unchanged]:
            unchanged += 1
        note = f" (first {unchanged} fields as in row {number - 1})" if unchanged else ""
        out.append(f"-[ row {number} ]{note}")
        for name, value in list(zip(names, row, strict=True))[unchanged:]:
            lines = textwrap.wrap(value, wrap) or [""]
            out.append(f"{name.ljust(pad)}  {lines[0]}".rstrip())
            out.extend(f"{'':{pad}}  {line}" for line in lines[1:])
        previous = row
    return out


def render_table(table: Table, *, width: int = 100) -> str:
    """A readable table: a grid when it fits in ``width`` columns, else one block per row."""
    names, rows = for_people(table)
    lines = _grid(names, rows)
    if rows and max(len(line) for line in lines) > width:
        lines = _records(names, rows, width)
    count = len(table.rows)
    return "\n".join([*lines, f"({count} row{'' if count == 1 else 's'})"]) + "\n"


def _md_cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    text = display(term).replace("|", "\\|").replace("\n", " ")
    return f"`{text}`" if isinstance(term, ox.NamedNode) else text


def render_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_md_cell(t) for t in row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"


def format_select(solutions: ox.QuerySolutions, fmt: ResultFormat, *, width: int = 100) -> bytes:
    """Serialise a SELECT result in ``fmt`` (``width``: the reader's terminal, for tables)."""
    if fmt in _W3C:
        return cast(bytes, solutions.serialize(format=_W3C[fmt]))
    table = to_table(solutions)
    text = render_table(table, width=width) if fmt is ResultFormat.TABLE else render_markdown(table)
    return text.encode()


def format_boolean(answer: ox.QueryBoolean, fmt: ResultFormat) -> bytes:
    """Serialise an ASK result in ``fmt`` (CSV/TSV/table/Markdown print ``true`` or ``false``)."""
    if fmt in (ResultFormat.JSON, ResultFormat.XML):
        return cast(bytes, answer.serialize(format=_W3C[fmt]))
    return f"{'true' if bool(answer) else 'false'}\n".encode()


def rows_as_text(table: Table) -> list[tuple[str, ...]]:
    """Rows as plain strings (IRIs in full, literals by value): what tests compare."""

    def text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
        if term is None:
            return ""
        return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)

    return [tuple(text(t) for t in row) for row in table.rows]
