"""Refresh the golden files (a reviewed change), the bundled queries' header cache and the
README's command table: `python -m tests.refresh_golden`."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from casegraph.dataset import read_quads
from casegraph.iris import ID_NS, ONTOLOGY_NS
from casegraph.queries import HEADER_CACHE, header_cache
from casegraph.resources import default_paths

GOLDEN = Path(__file__).resolve().parent / "golden"


def minted_iris(quads: list[ox.Quad] | None = None) -> list[str]:
    """Every IRI the dataset mints (hashed statement and annotation IRIs included), except the
    spans of the report and the quote nodes (minted from offsets)."""
    return sorted(
        {
            t.value
            for q in (read_quads() if quads is None else quads)
            for t in (q.subject, q.object)
            if isinstance(t, ox.NamedNode)
            and t.value.startswith((ONTOLOGY_NS, ID_NS))
            and "/span/" not in t.value
            and "/quote/" not in t.value
        }
    )


if __name__ == "__main__":
    (GOLDEN / "iris.txt").write_text("\n".join(minted_iris()) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN / 'iris.txt'}")
    folder = default_paths().queries
    (folder / HEADER_CACHE).write_text(header_cache(folder), encoding="utf-8")
    print(f"wrote {folder / HEADER_CACHE}")
    from .readme import README, with_table

    README.write_text(with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the command table of {README}")
