"""A non-editable install from a fresh virtual environment answers the main question from any
directory: the data folders ship inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("casegraph-*.whl")
    return built


def test_the_wheel_ships_the_data_folders(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "casegraph/_data/ontology/casegraph.ttl",
        "casegraph/_data/ontology/context.jsonld",
        "casegraph/_data/graph/build/casegraph.nq",
        "casegraph/_data/graph/article.ttl",
        "casegraph/_data/graph/sources/000_1ffa199c7bd90bb3.txt",
        "casegraph/_data/queries/ordered-over-objection.rq",
        "casegraph/py.typed",
    ):
        assert needed in names


def test_a_fresh_non_editable_install_runs_the_main_job_from_elsewhere(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    installed = subprocess.run(
        [str(venv / "bin" / "casegraph"), "query", "ordered-over-objection", "--format", "csv"],
        cwd=elsewhere,
        capture_output=True,
        check=True,
        text=True,
    )
    here = subprocess.run(
        [
            sys.executable,
            "-c",
            "from casegraph.cli import main; main()",
            "query",
            "ordered-over-objection",
            "--format",
            "csv",
        ],
        capture_output=True,
        check=True,
        text=True,
    )
    assert installed.stdout == here.stdout
    assert "Sara Vitolo" in installed.stdout and installed.stdout.count("\n") == 21  # header + 20 rows
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import casegraph.resources as r; print(r.data_root())"],
        cwd=elsewhere,
        capture_output=True,
        check=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(venv))
