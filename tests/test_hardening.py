"""Hardening: no input clobbered, no file made world-readable, a full disk is one line.

Each test here failed on the main of 2026-11-30 before its fix (the red team's reproductions).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Run

CLI = [sys.executable, "-m", "casegraph"]
DATA = "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
QUERY = "SELECT * { ?s ?p ?o }"


def _one_line(result_stderr: str) -> str:
    assert result_stderr.count("\n") == 1 and "Traceback" not in result_stderr, result_stderr
    return result_stderr


@pytest.mark.parametrize("command", ["sparql", "export", "query"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(run: Run, tmp_path: Path, command: str) -> None:
    """`sparql … --data same.nt --output same.nt` turned 5,000 triples into 3 lines of CSV."""
    data = tmp_path / "same.nt"
    data.write_text(DATA, encoding="utf-8")
    alias = tmp_path / "alias.nt"
    alias.hardlink_to(data)  # the same file by inode, under another name
    args = {
        "sparql": ["sparql", "-", "--format", "csv"],
        "export": ["export", "--format", "ntriples"],
        "query": ["query", "people-and-posts"],
    }[command]
    result = run(*args, "--data", str(data), "--output", str(alias), input=QUERY)
    assert (result.exit_code, result.stdout) == (2, "")
    assert _one_line(result.stderr) == (
        f"casegraph: error: --output {alias}: is an input of this command (as {data}); write the result elsewhere\n"
    )
    assert data.read_text(encoding="utf-8") == DATA


def test_the_query_file_is_an_input_too(run: Run, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text(QUERY, encoding="utf-8")
    result = run("sparql", str(query), "--output", str(query))
    assert (result.exit_code, query.read_text(encoding="utf-8")) == (2, QUERY)


def test_an_existing_files_mode_is_kept_and_a_new_file_follows_the_umask(run: Run, tmp_path: Path) -> None:
    """Every output used to be chmod 0644: a private 0600 file became world-readable."""
    private = tmp_path / "private.ttl"
    private.write_text("", encoding="utf-8")
    private.chmod(0o600)
    assert run("export", "--output", str(private)).exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.stat().st_size > 0
    previous = os.umask(0o027)
    try:
        assert run("export", "--output", str(tmp_path / "new.ttl")).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.ttl").stat().st_mode) == 0o640


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args",
    [
        ["query", "timeline"],
        ["export", "--format", "ntriples"],
        ["export", "--format", "ntriples", "--data", "DATA"],  # streamed from the parser
    ],
    ids=["query", "export", "streamed-export"],
)
def test_a_full_disk_is_one_line_not_a_traceback(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "data.nt"
    data.write_text(DATA * 3, encoding="utf-8")
    args = [str(data) if a == "DATA" else a for a in args]
    to_file = subprocess.run([*CLI, *args, "--output", "/dev/full"], capture_output=True, text=True)
    assert to_file.returncode == 1
    assert _one_line(to_file.stderr) == (
        "casegraph: error: /dev/full: cannot write (No space left on device); choose another path\n"
    )
    with Path("/dev/full").open("wb") as full:
        to_stdout = subprocess.run([*CLI, *args], stdout=full, stderr=subprocess.PIPE, text=True)
    assert to_stdout.returncode == 1
    assert _one_line(to_stdout.stderr) == (
        "casegraph: error: standard output: cannot write (No space left on device); write to a file with --output\n"
    )
