"""Query results in the W3C formats (SPARQL JSON, XML, CSV, TSV) and for people (table, Markdown)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
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
#: The narrowest a grid column is wrapped to before the table is shown as blocks instead.
MIN_COLUMN = 16
#: Indentation of each level of a grouped view.
INDENT = 2


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


#: The prefixes of the published context, longest namespace first: the namespaces nest
#: (``event:`` within ``id:``), and an IRI takes the most specific that fits.
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda pair: -len(pair[1]))


def prefix_of(iri: str) -> str | None:
    """The prefix that shortens ``iri``: the one of the longest namespace that it extends, or None."""
    for prefix, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix
    return None


def shorten(iri: str) -> str:
    """``iri`` as a prefixed name where a prefix of the published context fits (the longest, so
    ``event:hhs-order`` rather than ``id:event/hhs-order``), else ``<iri>``."""
    prefix = prefix_of(iri)
    return f"<{iri}>" if prefix is None else f"{prefix}:{iri[len(PREFIXES[prefix]) :]}"


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


def legend(terms: Iterable[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]) -> str:
    """The prefixes that the IRIs among ``terms`` (those shown) use, as one line (empty when none)."""
    used: set[str] = set()
    for term in terms:
        if isinstance(term, ox.NamedNode):
            prefix = prefix_of(term.value)
            if prefix is not None:
                used.add(prefix)
    return ", ".join(f"{p}: <{PREFIXES[p]}>" for p in PREFIXES if p in used)


def for_people(table: Table) -> tuple[list[str], list[list[str]], list[ox.NamedNode]]:
    """Columns and cell texts for people: a resource column with a ``…Label`` twin shows the label
    under the resource's name (machines get both from csv/tsv/json/xml), or the resource itself
    where it has none; also the IRIs shown."""
    keep = [i for i, c in enumerate(table.columns) if f"{c}Label" not in table.columns]
    twin = {  # a label column's index -> its resource column's
        i: table.columns.index(table.columns[i].removesuffix("Label"))
        for i in keep
        if table.columns[i].endswith("Label") and table.columns[i].removesuffix("Label") in table.columns
    }
    names = [table.columns[i].removesuffix("Label") if i in twin else table.columns[i] for i in keep]
    shown = [[row[i] if i not in twin or row[i] is not None else row[twin[i]] for i in keep] for row in table.rows]
    iris = [term for row in shown for term in row if isinstance(term, ox.NamedNode)]
    return names, [[display(term) for term in row] for row in shown], iris


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces only: an IRI or any
    other word longer than the line stays whole."""
    return textwrap.wrap(text, max(1, width), break_long_words=False, break_on_hyphens=False) or [""]


def _fit(names: list[str], rows: list[list[str]], width: int) -> list[int] | None:
    """Column widths for a grid of at most ``width`` characters, or None when none fit (no column
    narrower than :data:`MIN_COLUMN` or its longest word). Columns are narrowed a character at a
    time, each time the one that adds fewest lines to the grid (so one long name wraps rather than
    every row's other column); above 200 rows, simply the one with most room."""
    widths = [max([len(n)] + [len(row[i]) for row in rows]) for i, n in enumerate(names)]
    floors = [
        max([len(n), min(w, MIN_COLUMN)] + [len(word) for row in rows for word in row[i].split()])
        for i, (n, w) in enumerate(zip(names, widths, strict=True))
    ]
    budget = width - 3 * (len(names) - 1)
    words = [[[len(word) for word in row[i].split()] for row in rows] for i in range(len(names))]
    heights: dict[tuple[int, int], list[int]] = {}

    def tall(column: int, at: int) -> list[int]:  # each row's line count in ``column`` at width ``at``
        if (column, at) not in heights:
            heights[column, at] = [_line_count(cell, at) for cell in words[column]]
        return heights[column, at]

    def lines(trial: list[int]) -> int:
        return sum(max(column) for column in zip(*(tall(i, w) for i, w in enumerate(trial)), strict=True))

    while sum(widths) > budget:
        room = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not room:
            return None
        if len(rows) > 200:
            chosen = max(room, key=lambda i: (widths[i] - floors[i], widths[i]))
        else:
            chosen = min(room, key=lambda i: (lines([w - (j == i) for j, w in enumerate(widths)]), -widths[i]))
        widths[chosen] -= 1
    return widths


def _line_count(words: list[int], width: int) -> int:
    """How many lines words of these lengths take, filled greedily into ``width`` (a word longer
    than the line takes a line of its own), as :func:`_wrap` breaks them."""
    count, used = 1, -1
    for size in words:
        if used >= 0 and used + 1 + size > width:
            count, used = count + 1, size
        else:
            used += size + 1 if used >= 0 else size + 1
    return count


def _grid(names: list[str], rows: list[list[str]], widths: list[int], indent: str = "") -> list[str]:
    """A grid; a value equal to the one above it, in a row that agrees with the row above on every
    column up to it, is left blank, so leading values that repeat are printed once."""
    rule = "-+-".join("-" * w for w in widths)
    out = [indent + " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(), indent + rule]
    previous: list[str] | None = None
    for row in rows:
        same = _same_prefix(previous, row)
        shown = ["" if i < same else value for i, value in enumerate(row)]
        cells = [_wrap(v, w) for v, w in zip(shown, widths, strict=True)]
        for k in range(max(len(c) for c in cells)):
            parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)]
            out.append(indent + " | ".join(parts).rstrip())
        previous = row
    return out


def _same_prefix(previous: list[str] | None, row: list[str]) -> int:
    """How many leading values ``row`` shares with ``previous`` (never all of them)."""
    same = 0
    while previous is not None and same < len(row) - 1 and row[same] == previous[same]:
        same += 1
    return same


def clustered(rows: list[list[str]]) -> list[list[str]]:
    """``rows`` with those that share leading values brought together, each cluster where its first
    row was: sorted by the first appearance of each row's first value, then of its first two, and
    so on (rows already grouped keep their order)."""
    first: dict[tuple[str, ...], int] = {}
    for row in rows:
        for end in range(1, len(row) + 1):
            first.setdefault(tuple(row[:end]), len(first))
    return sorted(rows, key=lambda row: [first[tuple(row[:end])] for end in range(1, len(row) + 1)])


def levels(rows: list[list[str]]) -> list[list[int]]:
    """The columns in levels: a column joins the level before it when it splits no run of rows
    that agree on every column before it (its value follows from theirs), else it starts a level.
    Rows are taken in their order, so only neighbours are grouped."""
    if not rows:
        return []
    out: list[list[int]] = []
    runs = -1
    for column in range(len(rows[0])):
        count = 1 + sum(1 for a, b in pairwise(rows) if a[: column + 1] != b[: column + 1])
        if count == runs:
            out[-1].append(column)
        else:
            out.append([column])
            runs = count
    return out


def _fields(
    names: list[str], row: list[str], columns: list[int], width: int, indent: str, *, blanks: bool = True
) -> list[str]:
    """``name  value`` lines of ``row``'s ``columns``, values aligned and wrapped to ``width``
    (without the unbound ones unless ``blanks``)."""
    pad = max(len(names[i]) for i in columns)
    out = []
    for i in columns:
        if not row[i] and not blanks:
            continue
        lines = _wrap(row[i], width - len(indent) - pad - 2)
        out.append(f"{indent}{names[i].ljust(pad)}  {lines[0]}".rstrip())
        out.extend(f"{indent}{'':{pad}}  {line}" for line in lines[1:])
    return out


class _Leaves:
    """How the last level of a grouped view prints: one grid for all groups (its header once,
    its columns aligned throughout) when it has several columns and fits, else fields per row."""

    def __init__(self, names: list[str], rows: list[list[str]], columns: list[int], width: int) -> None:
        self.names = [names[i] for i in columns]
        self.columns = columns
        several = len(columns) > 1  # one column reads best as fields
        self.widths = _fit(self.names, [[row[i] for i in columns] for row in rows], width) if several else None
        self.headed = False

    def lines(self, rows: list[list[str]], all_names: list[str], width: int, indent: str) -> list[str]:
        rows = [row for row in rows if any(row[i] for i in self.columns)]  # nothing to show: unbound
        if not rows:
            return []
        if self.widths is None:
            out: list[str] = []
            for number, row in enumerate(rows):
                if number and len(self.columns) > 1:
                    out.append(f"{indent}·")
                out.extend(_fields(all_names, row, self.columns, width, indent, blanks=False))
            return out
        grid = _grid(self.names, [[row[i] for i in self.columns] for row in rows], self.widths, indent)
        shown, self.headed = (grid if not self.headed else grid[2:]), True
        return shown


def _group(
    names: list[str], rows: list[list[str]], tiers: list[list[int]], width: int, leaves: _Leaves, depth: int
) -> list[str]:
    indent = " " * (INDENT * depth)
    if len(tiers) == 1:
        return leaves.lines(rows, names, width, indent)
    columns = tiers[0]
    out: list[str] = []
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or [rows[end][i] for i in columns] != [rows[start][i] for i in columns]:
            if depth == 0:
                leaves.headed = False  # each top-level group shows the last level's column names
                if start:
                    out.append("")
            out.extend(_fields(names, rows[start], columns, width, indent, blanks=False))
            out.extend(_group(names, rows[start:end], tiers[1:], width, leaves, depth + 1))
            start = end
    return out


def _records(names: list[str], rows: list[list[str]], width: int) -> list[str]:
    """One block per row (like psql's expanded display)."""
    out: list[str] = []
    for number, row in enumerate(rows, start=1):
        out.append(f"-[ row {number} ]")
        out.extend(_fields(names, row, list(range(len(names))), width, ""))
    return out


def render_table(table: Table, *, width: int = 100) -> str:
    """A readable table in ``width`` columns: a grid when it fits (leading values that repeat
    printed once), else the rows grouped by the leading values they share, each printed once with
    what varies indented below (or, when no rows share any, one block per row); then the count of
    rows and the prefixes the IRIs shown use."""
    names, rows, iris = for_people(table)
    rows = clustered(rows)
    tiers = levels(rows)
    natural = [max([len(n)] + [len(row[i]) for row in rows]) for i, n in enumerate(names)]
    # grouped rows read best grouped, unless every row fits on one line of a grid
    widths = _fit(names, rows, width) if len(tiers) < 2 or sum(natural) + 3 * (len(names) - 1) <= width else None
    if widths is not None:
        lines = _grid(names, rows, widths)
    else:
        if len(tiers) > 1:
            leaves = _Leaves(names, rows, tiers[-1], width - INDENT * (len(tiers) - 1))
            lines = _group(names, rows, tiers, width, leaves, 0)
        else:
            lines = _records(names, rows, width)
    count = len(table.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    used = legend(iris)
    if used:
        lines.append(f"prefixes: {used}")
    return "\n".join(lines) + "\n"


def _md_cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    text = display(term).replace("|", "\\|").replace("\n", " ")
    return f"`{text}`" if isinstance(term, ox.NamedNode) else text


def render_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table, then the prefixes its IRIs use."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_md_cell(t) for t in row) + " |" for row in table.rows]
    used = legend(term for row in table.rows for term in row)
    if used:
        lines += ["", f"Prefixes: {used.replace('<', '`<').replace('>', '>`')}"]
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
