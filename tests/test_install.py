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
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    hatchling = Path(sys.executable).parent / "hatchling"
    subprocess.run([str(hatchling), "build", "-t", "sdist", "-d", str(out)], cwd=REPO, check=True, capture_output=True)
    (built,) = out.glob("casegraph-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def wheel(sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the sdist, as a packager or `pip install casegraph-….tar.gz` would."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(sdist)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("casegraph-*.whl")
    return built


def test_the_wheel_ships_the_data_folders(wheel: Path) -> None:
    import casegraph

    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "casegraph/_data/ontology/casegraph.ttl",
        "casegraph/_data/ontology/context.jsonld",
        "casegraph/_data/graph/build/casegraph.nq",
        "casegraph/_data/graph/article.ttl",
        "casegraph/_data/graph/release.ttl",  # the release record the build reads
        "casegraph/_data/graph/sources/000_1ffa199c7bd90bb3.txt",
        "casegraph/_data/queries/ordered-over-objection.rq",
        "casegraph/_data/LICENSE",  # for casegraph package
        "casegraph/_data/ontology/frames/events.jsonld",  # for export --frame
        "casegraph/templates/page.html",  # for casegraph publish
        "casegraph/templates/style.css",
        "casegraph/py.typed",
        "casegraph/ProfileCheck.java",
        f"casegraph-{casegraph.__version__}.dist-info/licenses/LICENSE",
    ):
        assert needed in names


def test_a_fresh_non_editable_install_runs_the_main_job_from_elsewhere(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # a venv of its own, filled by this pip (`--python`): creating one with pip in it costs 3 s more
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
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
    assert "Sara Vitolo" in installed.stdout and installed.stdout.count("\n") == 12  # header + 11 rows
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import casegraph.resources as r; print(r.data_root())"],
        cwd=elsewhere,
        capture_output=True,
        check=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(venv))
    # The installed package's data is never written: a bare build or reason asks for --output.
    data = Path(where.stdout.strip())
    before = sorted(p.name for p in (data / "graph" / "build").iterdir())
    for command in ("build", "reason"):
        refused = subprocess.run(
            [str(venv / "bin" / "casegraph"), command], cwd=elsewhere, capture_output=True, text=True, check=False
        )
        assert refused.returncode == 2 and "--output DIR" in refused.stderr, refused.stderr
    api = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import casegraph; casegraph.build_dataset()"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert api.returncode == 1 and "which casegraph never writes" in api.stderr
    assert sorted(p.name for p in (data / "graph" / "build").iterdir()) == before


def test_the_readme_python_api_examples_run() -> None:
    """Every ```python block of the README's "Python API" section runs as written."""
    import contextlib
    import io
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) >= 2
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md (Python API)", "exec"), {})  # noqa: S102 - our own documentation
        assert out.getvalue() or "assert" in block


def test_the_public_api_is_typed_listed_and_runs_as_a_module() -> None:
    import casegraph

    assert set(casegraph.__all__) <= set(dir(casegraph))
    import importlib
    import pkgutil
    import types

    for module in pkgutil.iter_modules(casegraph.__path__):  # importing a stage module must not hide a name
        if module.name != "__main__":
            importlib.import_module(f"casegraph.{module.name}")
    for name in casegraph.__all__:
        assert not isinstance(getattr(casegraph, name), types.ModuleType), name
    assert [role.value for role in casegraph.GraphRole] == [
        "ontology", "asserted", "evidence", "enrichment", "inferred", "metadata"
    ]  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "casegraph", "--version"], capture_output=True, text=True, check=True)
    import hashlib
    from importlib.metadata import version

    from casegraph.resources import default_paths

    dataset = default_paths().build / "casegraph.nq"
    assert done.stdout.splitlines() == [
        f"casegraph {casegraph.__version__} (pyoxigraph {version('pyoxigraph')})",
        f"dataset {dataset} sha256:{hashlib.sha256(dataset.read_bytes()).hexdigest()}",
    ]


def test_the_readme_module_map_names_every_module() -> None:
    """Item 7 of the library issue: the layout's module map lists every module of the package."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("toolkit/casegraph/  the package") : readme.index("tests/        test_")]
    named = set(re.findall(r"[a-z_]+", block))
    modules = {p.stem for p in (REPO / "toolkit" / "casegraph").glob("*.py")}
    assert modules - named == set()
