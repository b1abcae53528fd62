"""Whole-process wall time of the casegraph CLI, as ratios against ``python -c "import rdflib"``.

Every figure is the wall time of a fresh process (interpreter start-up, imports, work, exit),
measured with ``subprocess`` and ``time.perf_counter`` and with the output discarded. The
reference is measured in the same run, interleaved round-robin with the commands, so the ratios
hold on any machine even though the seconds do not.

Goal (the main job, ``casegraph query ordered-over-objection``): at most 1.0x the reference, also
on the first run after install (cold bytecode cache).

Usage::

    python benchmarks/bench_cli.py [--repeat N] [--python PATH] [--casegraph PATH]
                                   [--json FILE] [--profile]

Standard library only. This is a benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import exit_zero, median, ratio, write_json  # noqa: E402 - the shared helpers sit next to this script

GOAL = 1.0  # the project's budget: the main job at most as slow as importing rdflib
MAIN_ARGS = ["query", "ordered-over-objection"]
HEAVY = ("rdflib", "owlrl", "pyshacl", "rdflib.plugins.sparql")


@dataclass
class Bench:
    """One command to time; ``setup`` returns (extra argv, extra env) for each run."""

    name: str
    label: str
    argv: list[str]
    repeat: int
    setup: Callable[[], tuple[list[str], dict[str, str]]] | None = None
    warm_up: bool = True
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return median(self.samples)

    @property
    def minimum(self) -> float | None:
        return min(self.samples) if self.samples else None


def resolve_casegraph(python: str, given: str | None) -> list[str]:
    """The argv prefix that runs the ``casegraph`` command."""
    if given:
        return [given]
    script = Path(python).parent / ("casegraph.exe" if os.name == "nt" else "casegraph")
    if script.is_file():
        return [str(script)]
    found = shutil.which("casegraph")
    if found and Path(found).parent == Path(python).parent:
        return [found]
    # No console script: there is no casegraph.__main__, so call the entry point directly.
    return [
        python,
        "-c",
        "import sys; from casegraph.cli import main; sys.argv[0] = 'casegraph'; main()",
    ]


def run_once(bench: Bench, base_env: dict[str, str]) -> None:
    extra_argv: list[str] = []
    extra_env: dict[str, str] = {}
    if bench.setup is not None:
        extra_argv, extra_env = bench.setup()
    env = {**base_env, **extra_env}
    argv = bench.argv + extra_argv
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
    except OSError as err:
        bench.errors.append(f"{type(err).__name__}: {err}")
        return
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        bench.errors.append(f"exit {proc.returncode}: {tail[0]}")
        return
    bench.samples.append(elapsed)


def run_rounds(benches: Sequence[Bench], warmup: int, base_env: dict[str, str]) -> None:
    """Warm up, then interleave: round r runs every bench that still wants samples, in a rotated
    order so no command always follows the same neighbour."""
    for _ in range(warmup):
        for bench in benches:
            if bench.warm_up:
                saved = list(bench.samples), list(bench.errors)
                run_once(bench, base_env)
                bench.samples, bench.errors = saved
    rounds = max(b.repeat for b in benches)
    for r in range(rounds):
        active = [b for b in benches if len(b.samples) + len(b.errors) < b.repeat]
        shift = r % len(active) if active else 0
        for bench in active[shift:] + active[:shift]:
            run_once(bench, base_env)
        print(f"\r  round {r + 1}/{rounds}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def fresh_dir(root: Path, prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=root))


def ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:.1f}"


def fmt_ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def verdict(what: str, x: float | None, reference: str) -> str:
    if x is None:
        return f"{what}: n/a (no successful runs) × {reference} (goal ≤ {GOAL})"
    return f"{what}: {x:.2f} × {reference} (goal ≤ {GOAL})  " + ("ok" if x <= GOAL else "OVER GOAL")


def table(benches: Sequence[Bench], reference: dict[str, Bench]) -> tuple[str, list[dict[str, object]]]:
    rows: list[dict[str, object]] = []
    lines = []
    header = ("command", "n", "median ms", "min ms", "ratio", "vs")
    cells: list[tuple[str, ...]] = [header]
    for bench in benches:
        ref = reference.get(bench.name)
        r = None if ref is None or ref is bench else ratio(bench.median, ref.median)
        n = f"{len(bench.samples)}" + (f" ({len(bench.errors)} failed)" if bench.errors else "")
        cells.append(
            (
                bench.label,
                n,
                ms(bench.median),
                ms(bench.minimum),
                "ref" if ref is bench else fmt_ratio(r),
                "" if ref is None or ref is bench else ref.name,
            )
        )
        rows.append(
            {
                "name": bench.name,
                "command": bench.label,
                "samples_s": bench.samples,
                "median_s": bench.median,
                "min_s": bench.minimum,
                "errors": bench.errors,
                "reference": None if ref is None else ref.name,
                "ratio_median": r,
            }
        )
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    right = {1, 2, 3, 4}
    for k, row in enumerate(cells):
        text = "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        lines.append(text.rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines), rows


@dataclass
class Import:
    module: str
    depth: int
    self_us: int
    cumulative_us: int


def parse_importtime(stderr: str) -> list[Import]:
    """Rows of ``-X importtime`` output: ``import time: self [us] | cumulative | name``."""
    entries = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:") :].split("|", 2)
        if len(parts) != 3:
            continue
        self_us, cum_us, name = parts
        stripped = name.lstrip()
        depth = (len(name) - len(stripped) - 1) // 2
        entries.append(Import(stripped.strip(), depth, int(self_us), int(cum_us)))
    return entries


def profile(python: str, base_env: dict[str, str], top: int) -> tuple[str, dict[str, object]]:
    """``python -X importtime`` on the main job; the ``top`` most expensive cumulative imports."""
    code = f"import sys; from casegraph.cli import main; sys.argv = ['casegraph', *{MAIN_ARGS!r}]; main()"
    proc = subprocess.run(
        [python, "-X", "importtime", "-c", code],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=base_env,
        check=False,
    )
    entries = parse_importtime(proc.stderr.decode("utf-8", "replace"))
    total = sum(e.self_us for e in entries)
    names = {e.module for e in entries}
    heavy = [h for h in HEAVY if h in names or any(n.startswith(h + ".") for n in names)]
    ranked = sorted(entries, key=lambda e: -e.cumulative_us)[:top]
    width = max([len(e.module) for e in ranked] + [6])
    lines = [
        f"python -X importtime (warm cache): casegraph {' '.join(MAIN_ARGS)}",
        f"{len(entries)} modules imported, {total / 1000:.1f} ms in imports"
        + (f", exit {proc.returncode}" if proc.returncode else ""),
        f"{'cum ms':>8}  {'self ms':>8}  {'module':<{width}}  depth",
    ]
    for e in ranked:
        cum, own = e.cumulative_us / 1000, e.self_us / 1000
        lines.append(f"{cum:8.1f}  {own:8.1f}  {e.module:<{width}}  {e.depth}")
    lines.append(
        "heavy imports on the query path: "
        + (", ".join(heavy) if heavy else "none")
        + f" (checked: {', '.join(HEAVY)})"
    )
    figures: dict[str, object] = {
        "modules": len(entries),
        "import_us": total,
        "heavy": heavy,
        "top": [vars(e) for e in ranked],
    }
    return "\n".join(lines), figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument("--build-repeat", type=int, default=5, help="timed runs of build (default 5)")
    parser.add_argument(
        "--cold-repeat",
        type=int,
        default=5,
        help="cold-cache runs, each with its own empty bytecode cache (default 5)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first (default 2)")
    parser.add_argument("--python", default=sys.executable, help="interpreter (default: this one)")
    parser.add_argument("--casegraph", default=None, help="casegraph executable (default: the one next to --python)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also show the most expensive imports of the main job",
    )
    parser.add_argument("--top", type=int, default=15, help="imports to show with --profile")
    args = parser.parse_args(argv)

    python = str(Path(args.python))
    casegraph = resolve_casegraph(python, args.casegraph)
    base_env = dict(os.environ)
    base_env.pop("PYTHONPYCACHEPREFIX", None)
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    base_env["COLUMNS"] = "100"  # the table format asks for the terminal width

    with tempfile.TemporaryDirectory(prefix="casegraph-bench-") as tmp:
        root = Path(tmp)

        def build_out() -> tuple[list[str], dict[str, str]]:
            return [str(fresh_dir(root, "build-"))], {}

        def cold() -> tuple[list[str], dict[str, str]]:
            return [], {"PYTHONPYCACHEPREFIX": str(fresh_dir(root, "pycache-"))}

        n, cold_n = max(args.repeat, 1), max(args.cold_repeat, 1)
        ref = Bench("reference", 'python -c "import rdflib"', [python, "-c", "import rdflib"], n)
        floor = Bench("floor", 'python -c "pass"', [python, "-c", "pass"], n)
        main_job = Bench("query", "casegraph " + " ".join(MAIN_ARGS), casegraph + MAIN_ARGS, n)
        csv = Bench(
            "query-csv",
            "casegraph " + " ".join(MAIN_ARGS) + " --format csv",
            casegraph + MAIN_ARGS + ["--format", "csv"],
            n,
        )
        build = Bench(
            "build",
            "casegraph build --output DIR",
            casegraph + ["build", "--output"],
            max(args.build_repeat, 1),
            setup=build_out,
        )
        ref_cold = Bench(
            "reference-cold",
            'python -c "import rdflib"  [cold .pyc]',
            ref.argv,
            cold_n,
            setup=cold,
            warm_up=False,
        )
        main_cold = Bench(
            "query-cold",
            main_job.label + "  [cold .pyc]",
            main_job.argv,
            cold_n,
            setup=cold,
            warm_up=False,
        )
        benches = [ref, floor, main_job, csv, build, ref_cold, main_cold]
        reference = {b.name: ref for b in benches}
        reference["reference-cold"] = ref_cold
        reference["query-cold"] = ref_cold

        print(f"python:    {python} ({platform.python_version()})", file=sys.stderr)
        print(f"casegraph: {' '.join(casegraph)}", file=sys.stderr)
        print(
            f"timing: {args.warmup} warm-up rounds, then {n} rounds (build {build.repeat}, cold {cold_n}), interleaved",
            file=sys.stderr,
        )
        run_rounds(benches, max(args.warmup, 0), base_env)

    text, rows = table(benches, reference)
    warm_r = ratio(main_job.median, ref.median)
    cold_r = ratio(main_cold.median, ref_cold.median)
    print(text)
    for bench in benches:
        for error in sorted(set(bench.errors)):
            print(f"  failed: {bench.label}: {error}")
    print()
    print(verdict("main job", warm_r, "import rdflib"))
    print(verdict("first run after install (cold .pyc)", cold_r, "cold import rdflib"))

    prof_rows: dict[str, object] | None = None
    if args.profile:
        print()
        prof_text, prof_rows = profile(python, base_env, args.top)
        print(prof_text)

    if args.json is not None:
        figures = {
            "python": python,
            "python_version": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "casegraph": casegraph,
            "warmup": args.warmup,
            "goal": GOAL,
            "commands": rows,
            "main_job_ratio": warm_r,
            "main_job_cold_ratio": cold_r,
            "profile": prof_rows,
        }
        write_json(args.json, figures)
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    exit_zero(main, name="bench_cli", trace=False)
