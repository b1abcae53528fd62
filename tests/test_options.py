"""One spelling of each list of names: every click Choice of the CLI equals its enum, --graphs names
the graph roles, and the input formats' tables and messages follow ``InputFormat``. Also the
helpers the CLI's options and outputs share: the one-line messages, the progress reader and the
safe writer."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path

import click
import pytest

from casegraph.cli import cli
from casegraph.endpoint import AuthKind
from casegraph.errors import ExportError, UsageError, one_line
from casegraph.export import RdfFormat
from casegraph.files import ProgressReader, write_bytes
from casegraph.formats import InputFormat
from casegraph.inputs import EXTENSIONS, FORMATS, MEMORY_FACTOR, format_of
from casegraph.iris import GRAPHS, GraphRole
from casegraph.reason import Engine
from casegraph.results import ResultFormat
from casegraph.validate import ReportFormat

from .conftest import REPO


def names(*enums: type[StrEnum]) -> list[str]:
    return [member.value for enum in enums for member in enum]


#: (command, parameter) -> the names its Choice must offer, in order; ``*`` is any command.
EXPECTED = {
    ("query", "fmt"): names(ResultFormat, RdfFormat),
    ("sparql", "fmt"): names(ResultFormat, RdfFormat),
    ("export", "fmt"): names(RdfFormat),
    ("export", "frame"): sorted(path.stem for path in (REPO / "ontology" / "frames").glob("*.jsonld")),
    ("validate", "fmt"): names(ReportFormat),
    ("reason", "engine"): names(Engine),
    ("*", "input_format"): names(InputFormat),
    ("*", "auth"): names(AuthKind),
}


def commands() -> dict[str, click.Command]:
    return dict(cli.commands)


def choices() -> list[tuple[str, str, list[str]]]:
    """Every Choice parameter of every command: (command, parameter, its choices)."""
    return [
        (name, param.name or "", [str(c) for c in param.type.choices])
        for name, command in sorted(commands().items())
        for param in command.params
        if isinstance(param.type, click.Choice)
    ]


@pytest.mark.parametrize(("command", "param", "offered"), choices(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_choice_equals_its_enum(command: str, param: str, offered: list[str]) -> None:
    expected = EXPECTED.get((command, param), EXPECTED.get(("*", param)))
    assert expected is not None, f"{command} --{param}: a Choice with no enum named in EXPECTED"
    assert offered == expected


def test_every_expected_choice_is_offered() -> None:
    found = {(command, param) for command, param, _ in choices()}
    for command, param in EXPECTED:
        if command == "*":
            assert any(p == param for _, p in found), param
        else:
            assert (command, param) in found, (command, param)
    assert {c for c, p in found if p == "input_format"} == {"export", "load", "publish", "query", "sparql", "validate"}
    assert {c for c, p in found if p == "auth"} == {"load", "query", "sparql"}


def test_graphs_options_name_every_role_in_order() -> None:
    assert list(GRAPHS) == names(GraphRole)
    helps = [
        param.help or ""
        for command in commands().values()
        for param in command.params
        if isinstance(param, click.Option) and param.name == "graphs"
    ]
    assert len(helps) == 5  # query, sparql, export, load, serve
    for text in helps:
        assert text.startswith(
            "Comma list of graph roles: ontology, asserted, evidence, enrichment, inferred, metadata, or all; "
            "asserted:REPORT or evidence:REPORT is one report's graph. "
        )


def test_the_input_format_tables_follow_the_enum() -> None:
    assert names(InputFormat) == ["turtle", "trig", "ntriples", "nquads", "jsonld", "rdfxml"]
    assert list(FORMATS) == list(InputFormat)
    assert set(MEMORY_FACTOR) == set(InputFormat)
    assert set(EXTENSIONS.values()) == set(InputFormat)
    assert format_of("data.owl", None) == "rdfxml"


def test_the_input_format_messages_list_every_format() -> None:
    with pytest.raises(UsageError) as stdin:
        format_of("-", None)
    assert str(stdin.value) == (
        "--data -: reading stdin needs --input-format (turtle, trig, ntriples, nquads, jsonld, rdfxml)"
    )
    with pytest.raises(UsageError) as unknown:
        format_of("data.txt", None)
    assert str(unknown.value) == (
        "--data data.txt: cannot tell the format from '.txt'; give --input-format "
        "(turtle, trig, ntriples, nquads, jsonld, rdfxml)"
    )


def test_one_line_folds_every_run_of_white_space() -> None:
    assert one_line("error at 1:2:\n  expected\t one of\r\n") == "error at 1:2: expected one of"
    assert one_line(ValueError("a\n\nb ")) == "a b"


def test_the_progress_reader_reports_bytes_read_and_rewinds() -> None:
    moved: list[int] = []
    reader = ProgressReader(io.BytesIO(b"0123456789"), moved.append, size=10)
    assert len(reader) == 10
    assert reader.read(4) == b"0123"
    buffer = bytearray(3)
    assert reader.readinto(buffer) == 3 and bytes(buffer) == b"456"
    assert reader.tell() == 7
    assert reader.seek(0) == 0  # Digest authentication sends the body again
    assert reader.read() == b"0123456789"
    assert moved == [4, 3, -7, 10]
    with pytest.raises(TypeError):
        len(ProgressReader(io.BytesIO(b""), moved.append))


def test_write_bytes_reports_a_failed_rename_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path, target: Path) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    target = tmp_path / "out.ttl"
    with pytest.raises(ExportError) as failed:
        write_bytes(target, b"data")
    assert str(failed.value) == f"{target}: cannot write (Permission denied); choose a writable path"
    assert list(tmp_path.iterdir()) == []
