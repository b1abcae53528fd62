"""What the benchmark scripts share: progress lines stamped with the time since start, timing,
medians, ratios and log-log growth, finding a tool, an Oxigraph server on a free port, the
versions installed, the JSON report, and the entry point that always exits 0.

Standard library only (``bench_cli.py`` needs nothing else); ``tail`` alone imports casegraph.
"""

from __future__ import annotations

import contextlib
import gc
import http.client
import json
import math
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import NoReturn, TypeVar

T = TypeVar("T")

#: When the script started (it imports this module first).
START = time.perf_counter()


def elapsed() -> float:
    """Seconds since the script started."""
    return time.perf_counter() - START


def progress(message: str, *, width: int = 6) -> None:
    """``message`` on stderr, after the seconds since the start (``width`` characters)."""
    print(f"[{elapsed():{width}.1f}s] {message}", file=sys.stderr, flush=True)


def attempt(what: str, fn: Callable[[], T], default: T) -> T:
    """``fn()``; should it fail, ``default`` after ``what failed: Error: message`` and the traceback
    (a benchmark reports failures, it does not stop on them)."""
    try:
        return fn()
    except Exception as err:
        progress(f"{what} failed: {type(err).__name__}: {err}")
        traceback.print_exc(file=sys.stderr)
        return default


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``fn()`` takes (after a garbage collection, so that none is left over to count), and
    its result."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median(values: Iterable[float] | None) -> float | None:
    """The median of ``values``, None for none."""
    found = list(values or ())
    return statistics.median(found) if found else None


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b``, None when either is missing or ``b`` is 0."""
    return None if a is None or b is None or b == 0 else a / b


def slope(points: Iterable[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) against log(size): 1 = linear. None for fewer than two
    points with a time."""
    pts = [(math.log(n), math.log(t)) for n, t in points if t > 0]
    if len(pts) < 2:
        return None
    mx = statistics.fmean(x for x, _ in pts)
    my = statistics.fmean(y for _, y in pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return None if var == 0 else sum((x - mx) * (y - my) for x, y in pts) / var


def tail(text: str, length: int = 600) -> str:
    """The end of a failed command's output, on one line."""
    from casegraph.errors import one_line  # here, not above: bench_cli needs only the standard library

    return one_line(text)[-length:]


def find_tool(name: str) -> str | None:
    """The executable ``name`` next to this interpreter, else on PATH, else None."""
    here = Path(sys.executable).parent / name
    return str(here) if here.is_file() else shutil.which(name)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def oxigraph_server(
    workdir: Path, binary: str, *, failure: type[Exception] = RuntimeError, log_tail: int = 800
) -> Iterator[tuple[str, int]]:
    """``oxigraph serve`` (``binary``) on a new on-disk store in ``workdir`` and a free loopback
    port; yields its base URL and process id, and removes ``workdir`` afterwards. Raises
    ``failure`` with the end of its log when it does not answer within 30 s."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [binary, "serve", "--location", str(workdir / "data"), "--bind", f"127.0.0.1:{port}"]
    with (workdir / "oxigraph.log").open("ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with (
                contextlib.suppress(OSError, http.client.HTTPException),
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2),
            ):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise failure(f"oxigraph did not start: {(workdir / 'oxigraph.log').read_text()[-log_tail:]}")
            time.sleep(0.05)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def installed(*dists: str) -> dict[str, str]:
    """The version of each of ``dists`` that is installed."""
    found = {}
    for dist in dists:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[dist] = metadata.version(dist)
    return found


def machine() -> dict[str, str]:
    """The interpreter and platform, for a JSON report."""
    return {"python": platform.python_version(), "platform": platform.platform()}


def write_json(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def exit_zero(main: Callable[[], object], *, name: str | None = None, trace: bool = True) -> NoReturn:
    """Run ``main`` and exit 0 whatever happens: a benchmark reports, it does not fail its caller.
    A failure is shown by its traceback (``trace``) and a line ``name: Error: message`` (``name``)."""
    try:
        main()
    except Exception as err:
        if trace:
            traceback.print_exc()
        if name is not None:
            print(f"{name}: {type(err).__name__}: {err}", file=sys.stderr)
    sys.exit(0)
