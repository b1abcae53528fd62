"""Time of `casegraph publish`: the article's site, and the site of a synthetic --data graph.

Each run is the CLI in a fresh process (``python -m casegraph publish``), as a user runs it, timed
against ``python -c "import rdflib"`` in the same run (the reference of the project's budgets):

- ``article``: the shipped dataset's site (the issue's budget: under 5 s here);
- ``data-N``: the site of ``benchmarks/synthetic.py``'s N-triple graph shaped like the article's
  asserted and evidence graphs (written as TriG, the evidence nodes — assertions, annotations,
  mentions, spans — in an evidence graph of casegraph's naming scheme, the rest asserted), with
  the time and the size per page.

Usage::

    python benchmarks/bench_publish.py [--sizes 100000] [--repeat N] [--json FILE]

This is a benchmark, not a test: it always exits 0. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import exit_zero, machine, median, progress, write_json  # noqa: E402

GRAPHS = "https://w3id.org/casegraph/graph/"
EVIDENCE_NODES = ("/id/assertion/", "/id/mention/", "/span/")


def run(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def synthetic_trig(n: int, out: Path) -> None:
    """``n`` synthetic triples as TriG: evidence nodes in an evidence graph, the rest asserted."""
    from synthetic import generate

    graph = generate(n, seed=0)
    lines = []
    for s, p, o in graph:
        role = "evidence" if any(part in str(s) for part in EVIDENCE_NODES) else "asserted"
        lines.append(f"{s.n3()} {p.n3()} {o.n3()} <{GRAPHS}{role}/synthetic> .\n")
    out.write_text("".join(sorted(lines)), encoding="utf-8")


def site_sizes(folder: Path) -> tuple[int, int, int]:
    """(pages, their total bytes, the largest page's bytes) of a site."""
    pages = [p.stat().st_size for p in folder.rglob("*.html")]
    return len(pages), sum(pages), max(pages, default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma list of synthetic sizes (triples)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    python = sys.executable
    results: dict[str, object] = {"machine": machine()}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        reference = median(run([python, "-c", "import rdflib"]) for _ in range(args.repeat)) or 1.0
        results["import rdflib"] = reference
        inputs: list[tuple[str, list[str]]] = [("article", [])]
        for size in (int(s) for s in args.sizes.split(",") if s):
            data = work / f"data-{size}.nq"
            progress(f"generating {size} triples")
            synthetic_trig(size, data)
            inputs.append((f"data-{size}", ["--data", str(data)]))
        for name, extra in inputs:
            site = work / f"site-{name}"
            times = []
            for _ in range(args.repeat):
                shutil.rmtree(site, ignore_errors=True)
                times.append(run([python, "-m", "casegraph", "publish", "--output", str(site), *extra]))
            seconds = median(times) or 0.0
            pages, total, largest = site_sizes(site)
            row = {
                "seconds": round(seconds, 3),
                "ratio to import rdflib": round(seconds / reference, 2),
                "pages": pages,
                "ms per page": round(1000 * seconds / max(pages, 1), 2),
                "KB per page": round(total / max(pages, 1) / 1024, 1),
                "largest page KB": round(largest / 1024, 1),
            }
            results[name] = row
            progress(f"{name}: {row}")
    if args.json:
        write_json(args.json, results)
    for name, row in results.items():
        print(f"{name}: {row}")


if __name__ == "__main__":
    exit_zero(main, name="bench_publish")
