"""Time of the OWL 2 RL closure on the article graph and on synthetic graphs, as ratios to owlrl.

For each input (the shipped article's ontology + asserted graph, and synthetic ABoxes from
``benchmarks/synthetic.py`` of the requested sizes — asserted facts only, no evidence, as the build
reasons over ontology + asserted — each with the same ontology) one run measures:

- ``owlrl``: the reference, owlrl's plain ``DeductiveClosure(OWLRL_Semantics).expand`` on a fresh
  copy of ontology + ABox (only the ``expand`` is timed);
- ``reason/owlrl``: ``casegraph.reason.reason(..., engine=Engine.OWLRL)``, the shipped path (copy,
  closure, consistency check, exclusions);
- ``reason/fast``: ``reason(..., engine=Engine.FAST)``, ``reasonable`` on the whole graph plus
  owlrl on the ontology alone, then the same exclusions;
- ``reasonable``: the raw Rust closure alone (``PyReasoner.from_graph`` + ``reason``).

It then checks that FAST's filtered inferred graph equals OWLRL's (set equality; otherwise the
difference, by predicate, with examples) and fits how each cost grows with the input size (a
least-squares slope of log time against log triples over the synthetic sizes).

Goal (the issue): the closure of a 100k-triple graph in at most 1/20 of owlrl's time.

Usage::

    python benchmarks/bench_reason.py [--sizes 10000,100000] [--repeat N] [--seed S]
                                      [--no-article] [--json FILE]

This is a benchmark, not a test: it always exits 0. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import platform
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.term import Node

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402 - the shared helpers and the generator sit next to this script
    elapsed,
    exit_zero,
    installed,
    machine,
    median,
    progress,
    ratio,
    slope,
    timed,
    write_json,
)
from synthetic import generate  # noqa: E402

GOAL = 1 / 20
GOAL_SIZE = 100_000
ENGINES = ("owlrl", "reason/owlrl", "reason/fast", "reasonable")
FAST_ENGINES = ("reason/fast", "reasonable")
#: The fast engines run at least this many times per input (they are cheap).
FAST_MIN_REPEAT = 3
EXAMPLES = 8

Triple = tuple[Node, Node, Node]


@dataclass
class Case:
    """One input graph and what each engine did with it."""

    name: str
    abox: int
    triples_in: int
    synthetic: bool
    samples: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    equal: bool | None = None
    only_owlrl: list[str] = field(default_factory=list)
    only_fast: list[str] = field(default_factory=list)
    diff_predicates: dict[str, dict[str, int]] = field(default_factory=dict)

    def median(self, engine: str) -> float | None:
        return median(self.samples.get(engine))


def to_graph(ntriples: bytes | str) -> Graph:
    graph = Graph()
    graph.parse(data=ntriples, format="nt")
    return graph


def load_article() -> tuple[Graph, Graph]:
    """The shipped dataset's ontology and asserted graphs, as rdflib Graphs."""
    from casegraph.dataset import read_quads, select_quads
    from casegraph.export import RdfFormat, serialize

    quads = read_quads()
    ontology = to_graph(serialize(select_quads(quads, ("ontology",)), RdfFormat.NTRIPLES))
    asserted = to_graph(serialize(select_quads(quads, ("asserted",)), RdfFormat.NTRIPLES))
    return ontology, asserted


def copy_of(*graphs: Graph) -> Graph:
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


# -- the four measurements -------------------------------------------------------------------


def run_owlrl(ontology: Graph, abox: Graph) -> tuple[float, int]:
    """owlrl's plain closure: (seconds for ``expand`` alone, triples it added)."""
    import owlrl

    from casegraph.reason import rdflib_conversions_kept

    graph = copy_of(ontology, abox)
    before = len(graph)
    with rdflib_conversions_kept():  # or owlrl corrupts every later run's xsd:dateTimeStamp literals
        seconds, _ = timed(lambda: owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph))
    return seconds, len(graph) - before


def run_reason(ontology: Graph, abox: Graph, engine_name: str) -> tuple[float, set[Triple]]:
    from casegraph.reason import Engine, reason

    engine = Engine(engine_name)
    seconds, inferred = timed(lambda: reason(ontology, abox, engine=engine))
    return seconds, set(inferred)


def run_reasonable(ontology: Graph, abox: Graph) -> tuple[float, int]:
    """The raw Rust closure: (seconds for ``from_graph`` + ``reason``, triples it returned)."""
    import reasonable

    graph = copy_of(ontology, abox)

    def closure() -> list[Any]:
        engine = reasonable.PyReasoner()
        engine.from_graph(graph)
        return list(engine.reason())

    seconds, out = timed(closure)
    return seconds, len(out)


def measure(case: Case, ontology: Graph, abox: Graph, repeat: int) -> None:
    """Run every engine on ``abox`` (interleaved, the order rotated each round)."""
    results: dict[str, set[Triple]] = {}
    rounds = max(repeat, FAST_MIN_REPEAT)
    for r in range(rounds):
        order = ENGINES[r % len(ENGINES) :] + ENGINES[: r % len(ENGINES)]
        for engine in order:
            if r >= repeat and engine not in FAST_ENGINES:
                continue
            if engine in case.errors:
                continue
            progress(f"{case.name}: {engine} (run {r + 1})")
            try:
                if engine == "owlrl":
                    seconds, count = run_owlrl(ontology, abox)
                elif engine == "reasonable":
                    seconds, count = run_reasonable(ontology, abox)
                else:
                    seconds, kept = run_reason(ontology, abox, engine.split("/")[1])
                    results[engine] = kept
                    count = len(kept)
            except Exception as err:  # a benchmark reports failures, it does not stop on them
                case.errors[engine] = f"{type(err).__name__}: {err}"
                progress(f"{case.name}: {engine} failed: {case.errors[engine]}")
                traceback.print_exc(file=sys.stderr)
                continue
            case.samples.setdefault(engine, []).append(seconds)
            case.counts[engine] = count
            progress(f"{case.name}: {engine} {seconds:.3f} s")
    if "reason/owlrl" in results and "reason/fast" in results:
        compare(case, results["reason/owlrl"], results["reason/fast"])


def compare(case: Case, owlrl_kept: set[Triple], fast_kept: set[Triple]) -> None:
    only_owlrl = owlrl_kept - fast_kept
    only_fast = fast_kept - owlrl_kept
    case.equal = not only_owlrl and not only_fast
    case.only_owlrl = [nt(t) for t in sorted(only_owlrl, key=nt)[:EXAMPLES]]
    case.only_fast = [nt(t) for t in sorted(only_fast, key=nt)[:EXAMPLES]]
    case.counts["only owlrl"] = len(only_owlrl)
    case.counts["only fast"] = len(only_fast)
    case.diff_predicates = {
        "only owlrl": dict(Counter(str(p) for _, p, _ in only_owlrl).most_common()),
        "only fast": dict(Counter(str(p) for _, p, _ in only_fast).most_common()),
    }


def nt(triple: Triple) -> str:
    return " ".join(term.n3() for term in triple) + " ."


# -- report ----------------------------------------------------------------------------------


def secs(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def table(cases: Sequence[Case]) -> str:
    head = (
        f"{'input':>8} {'abox':>7} {'in':>7} | {'owlrl s':>8} {'reason/owlrl s':>14} {'reason/fast s':>13} "
        f"{'reasonable s':>12} | {'fast/ref':>8} {'rsnbl/ref':>9} | {'owlrl +':>8} {'rsnbl out':>9} "
        f"{'kept owlrl':>10} {'kept fast':>9} | fast = owlrl"
    )
    lines = [head, "-" * len(head)]
    for c in cases:
        ref = c.median("owlrl")
        if c.equal is None:
            same = "not compared"
        elif c.equal:
            same = "yes"
        else:
            same = f"NO (-{c.counts['only owlrl']} +{c.counts['only fast']})"
        lines.append(
            f"{c.name:>8} {c.abox:>7} {c.triples_in:>7} | {secs(ref):>8} {secs(c.median('reason/owlrl')):>14} "
            f"{secs(c.median('reason/fast')):>13} {secs(c.median('reasonable')):>12} | "
            f"{fmt_ratio(ratio(c.median('reason/fast'), ref)):>8} "
            f"{fmt_ratio(ratio(c.median('reasonable'), ref)):>9} | "
            f"{c.counts.get('owlrl', '—'):>8} {c.counts.get('reasonable', '—'):>9} "
            f"{c.counts.get('reason/owlrl', '—'):>10} {c.counts.get('reason/fast', '—'):>9} | {same}"
        )
    return "\n".join(lines)


def growth(cases: Sequence[Case]) -> tuple[str, dict[str, Any]]:
    synthetic = sorted((c for c in cases if c.synthetic), key=lambda c: c.triples_in)
    lines: list[str] = []
    fits: dict[str, Any] = {"exponents": {}, "steps": []}
    for engine in ENGINES:
        pts = [(c.triples_in, m) for c in synthetic if (m := c.median(engine)) is not None]
        fits["exponents"][engine] = slope(pts)
    for a, b in zip(synthetic, synthetic[1:], strict=False):
        step: dict[str, Any] = {"from": a.name, "to": b.name, "size ratio": b.triples_in / a.triples_in}
        parts = [f"{a.name} -> {b.name}: size x{b.triples_in / a.triples_in:.2f}"]
        for engine in ENGINES:
            r = ratio(b.median(engine), a.median(engine))
            step[engine] = r
            parts.append(f"{engine} x{fmt_ratio(r)}")
        fits["steps"].append(step)
        lines.append("  " + ", ".join(parts))
    exps = fits["exponents"]

    def fmt(x: float | None) -> str:
        return "?" if x is None else f"{x:.2f}"

    if len(synthetic) >= 2:
        lines.insert(
            0,
            f"growth over the synthetic sizes (log-log slope of time vs triples in): "
            f"owlrl ~ n^{fmt(exps['owlrl'])}, fast ~ n^{fmt(exps['reason/fast'])} "
            f"(reason/owlrl ~ n^{fmt(exps['reason/owlrl'])}, reasonable alone ~ n^{fmt(exps['reasonable'])})",
        )
    else:
        lines.insert(0, "growth: needs two or more synthetic sizes")
    return "\n".join(lines), fits


def verdict(cases: Sequence[Case]) -> tuple[str, float | None]:
    synthetic = [c for c in cases if c.synthetic]
    target = next((c for c in synthetic if c.abox == GOAL_SIZE), None) or (
        max(synthetic, key=lambda c: c.abox) if synthetic else None
    )
    if target is None:
        return "goal: no synthetic size measured", None
    r = ratio(target.median("reason/fast"), target.median("owlrl"))
    state = "—" if r is None else ("ok" if r <= GOAL else "OVER GOAL")
    return (
        f"closure at {target.name}: reason/fast {fmt_ratio(r)} × owlrl (goal ≤ {GOAL:.2f}, i.e. 1/20)  {state}",
        r,
    )


def differences(cases: Sequence[Case]) -> str:
    lines: list[str] = []
    for c in cases:
        if c.equal is False:
            lines.append(f"{c.name}: FAST's filtered closure differs from OWLRL's")
            for side, examples in (("only owlrl", c.only_owlrl), ("only fast", c.only_fast)):
                preds = ", ".join(f"{p} ×{n}" for p, n in list(c.diff_predicates[side].items())[:6])
                lines.append(f"  {side}: {c.counts[side]} triples; by predicate: {preds or '—'}")
                lines += [f"    {ex}" for ex in examples]
    return "\n".join(lines)


def versions() -> dict[str, str]:
    dists = ("casegraph", "rdflib", "owlrl", "reasonable")
    found = installed(*dists)
    return {dist: found.get(dist, "not installed") for dist in dists}


def sizes_arg(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        out.append(int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=sizes_arg, default=[10_000, 100_000], help="synthetic ABox sizes (10k,50k,…)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per engine and input (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic graphs")
    parser.add_argument("--no-article", action="store_true", help="skip the article graph")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure here")
    args = parser.parse_args(argv)

    progress(f"python {platform.python_version()}, {versions()}")
    ontology, asserted = load_article()
    progress(f"ontology: {len(ontology)} triples, article asserted: {len(asserted)} triples")
    onto_seconds, _ = run_owlrl(ontology, Graph())
    progress(f"owlrl on the ontology alone (part of reason/fast at every size): {onto_seconds:.3f} s")

    cases: list[Case] = []
    inputs: list[tuple[str, Callable[[], Graph], bool]] = []
    if not args.no_article:
        inputs.append(("article", lambda: asserted, False))
    for n in sorted(args.sizes):
        inputs.append((label(n), partial(generate, n, args.seed, evidence=False), True))
    for name, make, synthetic in inputs:
        progress(f"{name}: building the input")
        abox = make()
        case = Case(name, len(abox), len(copy_of(ontology, abox)), synthetic)
        measure(case, ontology, abox, max(1, args.repeat))
        cases.append(case)

    print(table(cases))
    print()
    print(
        "times are medians in seconds; fast/ref = reason/fast ÷ owlrl, rsnbl/ref = reasonable ÷ owlrl; "
        f"owlrl on the ontology alone (inside reason/fast): {onto_seconds:.3f} s"
    )
    grow_text, fits = growth(cases)
    print(grow_text)
    diff_text = differences(cases)
    if diff_text:
        print()
        print(diff_text)
    for c in cases:
        for engine, error in c.errors.items():
            print(f"  failed: {c.name} {engine}: {error}")
    print()
    text, goal_ratio = verdict(cases)
    print(text)
    progress(f"done in {elapsed():.1f} s")

    if args.json is not None:
        figures = {
            **machine(),
            "versions": versions(),
            "seed": args.seed,
            "repeat": args.repeat,
            "ontology_triples": len(ontology),
            "owlrl_ontology_alone_seconds": onto_seconds,
            "goal": {"ratio": GOAL, "size": GOAL_SIZE, "measured": goal_ratio},
            "cases": [
                {
                    "name": c.name,
                    "synthetic": c.synthetic,
                    "abox_triples": c.abox,
                    "triples_in": c.triples_in,
                    "samples": c.samples,
                    "median": {e: c.median(e) for e in ENGINES},
                    "ratio_to_owlrl": {e: ratio(c.median(e), c.median("owlrl")) for e in ENGINES},
                    "counts": c.counts,
                    "fast_equals_owlrl": c.equal,
                    "diff_predicates": c.diff_predicates,
                    "examples_only_owlrl": c.only_owlrl,
                    "examples_only_fast": c.only_fast,
                    "errors": c.errors,
                }
                for c in cases
            ],
            "growth": fits,
            "total_seconds": elapsed(),
        }
        write_json(args.json, figures)
        progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    exit_zero(main, name="bench_reason")  # the traceback says what went wrong
