"""Writing output safely: to a temporary file beside the target, then an atomic rename."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import ExportError


def write_bytes(target: str | Path, data: bytes) -> None:
    """Write ``data`` to ``target`` (``-`` is stdout) without ever leaving a half-written file.

    Raises:
        ExportError: the folder does not exist or cannot be written.
    """
    if str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {folder} does not exist; create it or choose another path")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as err:
        raise ExportError(
            f"{path}: cannot write in {folder} ({err.strerror}); choose a writable path"
        ) from err
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write ({err.strerror}); choose a writable path") from err
