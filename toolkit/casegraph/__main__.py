"""``python -m casegraph`` and the ``casegraph`` command: stop signals are handled from the first
instant, then the command line loads and runs (``casegraph.cli.main``).

Until the CLI takes over, a Ctrl-C, SIGTERM or SIGHUP ends the process quietly with the shell's
exit status (130, 143, 129): nothing has been read or written yet. (Importing click and the
package takes tens of milliseconds, in which a Ctrl-C used to print a KeyboardInterrupt traceback.)
"""

from __future__ import annotations

import os
import signal
import sys


def _stopped_early(signum: int, frame: object) -> None:
    sys.stderr.write(f"casegraph: stopped by {signal.Signals(signum).name}; nothing was written\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def run() -> None:
    """The console script's entry point."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stopped_early)
    from .cli import main

    main()


if __name__ == "__main__":
    run()
