"""Where the data folders are: inside the wheel (``casegraph/_data``) or, in a source checkout,
at the top of the repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_root() -> Path:
    """The folder holding ``ontology/``, ``graph/`` and ``queries/``."""
    bundled = _PACKAGE / "_data"
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent.parent


@dataclass(frozen=True)
class Paths:
    """The files of one casegraph source tree (the shipped one by default)."""

    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "casegraph.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def context(self) -> Path:
        return self.root / "ontology" / "context.jsonld"

    @property
    def frames(self) -> Path:
        """The JSON-LD frames of ``export --frame``, one ``NAME.jsonld`` each."""
        return self.root / "ontology" / "frames"

    @property
    def enrichment(self) -> Path:
        return self.root / "graph" / "enrichment.trig"

    @property
    def retired(self) -> Path:
        return self.root / "graph" / "retired.ttl"

    @property
    def release(self) -> Path:
        """The release record: the version and date of the release the tree builds."""
        return self.root / "graph" / "release.ttl"

    @property
    def sources(self) -> Path:
        """The source reports: each a text ``ID.txt`` with its curated description ``ID.ttl``."""
        return self.root / "graph" / "sources"

    def report_texts(self) -> list[Path]:
        """The text of every source report, sorted by id."""
        return sorted(self.sources.glob("*.txt"))

    @property
    def licence(self) -> Path:
        """The LICENSE: the code's (MIT) and the data's (CC BY 4.0), and whose the reports' texts are."""
        return self.root / "LICENSE"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def build(self) -> Path:
        return self.root / "graph" / "build"


def default_paths() -> Paths:
    """The paths of the shipped source tree."""
    return Paths(data_root())


def is_installed(root: Path) -> bool:
    """True when ``root`` is the data an installed package ships (``casegraph/_data``), which
    casegraph never writes into."""
    return root.resolve() == (_PACKAGE / "_data").resolve()


def find_checkout(start: Path) -> Path | None:
    """The casegraph source checkout that holds ``start`` (a folder with ``pyproject.toml``,
    ``ontology/casegraph.ttl`` and ``graph/sources/``), or None."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / "graph" / "sources").is_dir() and all(
            (folder / part).is_file() for part in ("pyproject.toml", "ontology/casegraph.ttl")
        ):
            return folder
    return None
