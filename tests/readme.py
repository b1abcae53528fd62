"""The README's command table, generated from the CLI itself so that it cannot drift:
`python -m tests.refresh_golden` rewrites it between its markers, and a test compares."""

from __future__ import annotations

import re
from pathlib import Path

import click

from casegraph.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- the command table: generated from the CLI by `python -m tests.refresh_golden`; do not edit -->"
END = "<!-- end of the command table -->"


def _value(param: click.Option) -> str:
    if isinstance(param.type, click.Choice):
        return "|".join(map(str, param.type.choices))
    return param.metavar or param.type.name.upper()


def synopsis(name: str, command: click.Command) -> str:
    """``casegraph NAME`` with every argument and option, as ``--help`` would take them."""
    parts = [f"casegraph {name}"]
    for param in command.params:
        if isinstance(param, click.Argument):
            parts.append(param.make_metavar(click.Context(command)).rstrip("."))  # [X] when optional
        elif isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts:
            option = max(param.opts, key=len)
            more = "…" if param.multiple or param.nargs == -1 else ""
            usage = option if param.is_flag else f"{option} {_value(param)}"
            parts.append((usage if param.required else f"[{usage}]") + more)
    return " ".join(parts)


def summary(command: click.Command) -> str:
    """The help before its examples, on one line."""
    return " ".join((command.help or "").split("\b")[0].split())


def table() -> str:
    """The Markdown table of every command: its synopsis and what it does."""
    rows = ["| command | what it does |", "|---|---|"]
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        cells = (f"`{synopsis(name, command)}`", summary(command))
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def with_table(text: str) -> str:
    """``text`` (the README) with the table between its markers replaced by :func:`table`."""
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.S)
    assert pattern.search(text), f"README.md has no {BEGIN!r} … {END!r} markers"
    return pattern.sub(lambda _: f"{BEGIN}\n{table()}{END}", text)
