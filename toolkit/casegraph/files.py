"""Files: output written safely (to a temporary file beside the target, then an atomic rename),
and input read with its progress reported."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from .errors import ExportError, UsageError


def sha256(path: Path) -> str:
    """The SHA-256 of the file ``path``, read in chunks.

    Raises:
        OSError: the file cannot be read.
    """
    import hashlib

    with path.open("rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def sha256sum_entry(line: str) -> tuple[str, str] | None:
    """``(digest, file name)`` of a line of ``sha256sum``'s output (text or binary mode, the name
    possibly after ``./``, a relative path in a site; the digest in lower case), or None when the
    line is not one. (A name may still climb out with ``..``: the reader checks where it leads.)"""
    import re

    match = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](?:\./)?([^\0\n]+)", line)
    return None if match is None else (match.group(1).lower(), match.group(2))


def is_special(path: Path) -> bool:
    """True for an existing target that is not a regular file (``/dev/null``, a FIFO, a
    terminal): it is written to directly, never replaced by a rename."""
    return path.exists() and not path.is_file() and not path.is_dir()


#: The errors of a write that ran out of room or failed on the device: reported as one line.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _mode(path: Path) -> int:
    """The mode a written file gets: an existing file keeps its own (a 0600 file stays private);
    a new one follows the umask, as any program's new file does."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


#: The temporary files and folders this process is writing: what a stop signal removes.
_PENDING: set[Path] = set()


def pending(path: Path) -> None:
    """Record ``path`` (a temporary file or folder) as unfinished until :func:`finished`."""
    _PENDING.add(path)


def finished(path: Path) -> None:
    """``path`` was renamed into place or removed."""
    _PENDING.discard(path)


#: What a stop signal must undo beyond files (a load's lease and staging graph), newest first.
_STOP_HOOKS: list[Callable[[], None]] = []


def on_stop(hook: Callable[[], None]) -> Callable[[], None]:
    """Run ``hook`` if the command is stopped by a signal; returns the function that unregisters it."""
    _STOP_HOOKS.append(hook)
    return lambda: _STOP_HOOKS.remove(hook) if hook in _STOP_HOOKS else None


def discard_pending() -> int:
    """On a stop signal: run the stop hooks (errors ignored: the store may be gone), then remove
    every unfinished temporary file and folder; returns how many files and folders there were."""
    import contextlib
    import shutil

    for hook in reversed(list(_STOP_HOOKS)):
        with contextlib.suppress(Exception):  # best effort while stopping: the store may be gone
            hook()
    _STOP_HOOKS.clear()
    count = 0
    for path in list(_PENDING):
        if path.is_dir():
            _remove_tree(path, shutil.rmtree)
        else:
            path.unlink(missing_ok=True)
        _PENDING.discard(path)
        count += 1
    return count


def _remove_tree(path: Path, rmtree: Callable[..., None]) -> None:
    """Remove the folder ``path`` while the command's own thread may still be writing into it (a
    stop signal does not stop that thread): a file created meanwhile makes a folder non-empty,
    and a folder made with its parents brings ``path`` back, so remove until it stays gone
    (for at most about a second)."""
    import time

    for _ in range(50):
        rmtree(path, ignore_errors=True)
        time.sleep(0.02)
        if not path.exists():
            return


def _temporary(path: Path, data: bytes) -> Path:
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{path}: {folder} is a file, not a folder; choose another path")
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {folder} does not exist; create it or choose another path")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name")
    try:
        import tempfile  # only when a file is written (not on the query-to-stdout path)

        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
        pending(Path(tmp))
    except OSError as err:
        raise ExportError(f"{path}: cannot write in {folder} ({err.strerror}); choose a writable path") from err
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).chmod(_mode(path))
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        finished(Path(tmp))
        raise ExportError(f"{path}: cannot write ({err.strerror}); choose a writable path") from err
    return Path(tmp)


#: The file of a folder of files that is written last: it vouches for the others.
MANIFEST = "SHA256SUMS"


def manifest(files: dict[str, bytes]) -> bytes:
    """The ``SHA256SUMS`` of ``files`` (name -> bytes): ``sha256sum``'s lines, sorted by name."""
    import hashlib

    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())).encode()


def write_files(folder: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write several files into ``folder`` (created, with its parents, as ``mkdir -p`` would):
    all are written to temporary files first and only then renamed into place, the checksum
    manifest last, so a failure leaves the folder as it was and a reader who finds the manifest
    finds the files it lists. The folder is locked (``flock``) meanwhile: a second writer waits,
    so two builds never mix their files.

    Raises:
        ExportError: the folder cannot be created or written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"{folder}: cannot create the folder ({err.strerror}); choose another") from err
    with locked(folder):
        done: dict[str, Path] = {}
        temps: list[tuple[Path, Path]] = []
        try:
            for name, data in sorted(files.items(), key=lambda item: item[0] == MANIFEST):
                temps.append((_temporary(folder / name, data), folder / name))
        except ExportError:
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
                finished(tmp)
            raise
        for tmp, target in temps:
            tmp.replace(target)
            finished(tmp)
            done[target.name] = target
        return done


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``folder`` (the directory itself: no lock file is left);
    a second holder waits."""
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as err:
        raise ExportError(f"{folder}: cannot open the folder ({err.strerror}); create it or choose another") from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def writing(target: str | Path) -> Iterator[IO[bytes]]:
    """A binary file to stream into: ``-`` is stdout; a path gets a temporary file beside it that
    is renamed into place when the block ends without an error, and removed otherwise.

    Raises:
        ExportError: the folder is missing or not writable.
    """
    if str(target) == "-":
        try:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        except OSError as err:
            if err.errno not in _WRITE_ERRORS:
                raise
            raise ExportError(f"standard output: cannot write ({err.strerror}); write to a file with --output") from err
        return
    path = Path(target)
    if path.is_symlink():  # write through the link, as a shell redirection does
        path = path.resolve()
    if is_special(path):
        try:
            with path.open("wb") as special:
                yield special
        except OSError as err:
            if err.errno not in _WRITE_ERRORS:
                raise
            raise ExportError(f"{path}: cannot write ({err.strerror}); choose another path") from err
        return
    tmp = _temporary(path, b"")
    try:
        with tmp.open("wb") as out:
            yield out
        tmp.replace(path)
        finished(tmp)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        finished(tmp)
        if isinstance(err, OSError) and err.errno in _WRITE_ERRORS:
            raise ExportError(f"{path}: cannot write ({err.strerror}); nothing was written, free some space") from err
        raise


def refuse_overwriting(output: str, inputs: Sequence[str]) -> None:
    """Refuse an ``--output`` that is one of the command's own input files (the same file by device
    and inode, whatever its name): writing the result there would destroy the input.

    Raises:
        UsageError: naming both.
    """
    if output == "-" or not Path(output).is_file():
        return
    target = Path(output).stat()
    for given in inputs:
        if given == "-":  # stdin redirected from the output file
            try:
                same = os.path.samestat(os.fstat(0), target)
            except OSError:
                same = False
        else:
            same = Path(given).is_file() and os.path.samestat(Path(given).stat(), target)
        if same:
            shown = "" if given == output else f" (as {'standard input' if given == '-' else given})"
            raise UsageError(f"--output {output}: is an input of this command{shown}; write the result elsewhere")


def write_bytes(target: str | Path, data: bytes) -> None:
    """Write ``data`` to ``target`` (``-`` is stdout) without ever leaving a half-written file.

    Raises:
        ExportError: the folder does not exist or cannot be written.
    """
    path = Path(target)
    renamed = str(target) != "-" and not is_special(path)  # the path ``writing`` renames into place
    try:
        with writing(target) as out:
            out.write(data)
    except OSError as err:
        if not renamed:  # stdout (a closed pipe) or a special file: as it comes
            raise
        raise ExportError(f"{path}: cannot write ({err.strerror}); choose a writable path") from err


class ProgressReader:
    """A binary reader that reports the bytes read through it: ``advance(n)`` for each chunk, for
    a progress bar. Rewinding (``seek``) reports the distance moved, negative going back: Digest
    authentication answers a first upload with a challenge (Virtuoso's nonces are single-use),
    and the HTTP client then rewinds the body and sends it again. ``size``, where given, is the
    length ``len()`` reports (an HTTP client's Content-Length)."""

    def __init__(self, raw: BinaryIO, advance: Callable[[int], None], *, size: int | None = None) -> None:
        self._raw, self._advance, self._size = raw, advance, size

    def __len__(self) -> int:
        if self._size is None:
            raise TypeError("the reader's length is not known")
        return self._size

    def tell(self) -> int:
        return self._raw.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        before = self._raw.tell()
        after = self._raw.seek(offset, whence)
        self._advance(after - before)
        return after

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._advance(len(chunk))
        return chunk

    def readinto(self, buffer: bytearray | memoryview) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._advance(count or 0)
        return int(count or 0)


def replace_folder(output: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative path -> bytes) as the folder ``output``, whole or not at all: into
    a new folder beside it (:func:`staging`), put in place of ``output`` in one step where the
    system can (:func:`put_in_place`). The caller has checked that ``output`` may be replaced.

    Raises:
        ExportError: the folder cannot be written.
    """
    parent = output.absolute().parent
    if not parent.is_dir():
        raise ExportError(f"{output}: folder {parent} does not exist; create it or choose another path")
    with staging(parent, output.name) as stage:
        try:
            folders = {up for name in files for up in Path(name).parents} - {Path()}
            for folder in sorted(folders, key=lambda f: len(f.parts)):
                (stage / folder).mkdir()  # without parents: a stage removed by a stop stays removed
            for name, data in files.items():
                (stage / name).write_bytes(data)
            stage.chmod(file_mode(folder=True))
            put_in_place(stage, output)
        except OSError as err:
            raise ExportError(f"{output}: cannot write ({err.strerror}); nothing was written") from err


def file_mode(folder: bool = False) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


@contextmanager
def staging(parent: Path, name: str, *, folder: bool = True) -> Iterator[Path]:
    """A temporary folder (or file) beside the output, removed when the block ends unless it was
    renamed into place; a stop signal removes it too."""
    import shutil
    import tempfile

    try:
        if folder:
            made = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}.", suffix=".part"))
        else:
            fd, raw = tempfile.mkstemp(dir=parent, prefix=f".{name}.", suffix=".part")
            os.close(fd)
            made = Path(raw)
    except OSError as err:
        raise ExportError(
            f"{parent / name}: cannot write in {parent} ({err.strerror}); choose a writable path"
        ) from err
    pending(made)
    try:
        yield made
    finally:
        if made.is_dir() and not made.is_symlink():
            shutil.rmtree(made, ignore_errors=True)
        else:
            made.unlink(missing_ok=True)
        finished(made)


def put_in_place(stage: Path, output: Path) -> None:
    """Rename the written package ``stage`` to ``output``; an existing one (a previous package, or
    an empty folder) is exchanged with it in one step where the system can (``renameat2``), so a
    reader sees the old package or the new one, never neither; ``stage`` then holds the old one
    and is removed."""
    import shutil

    if not output.exists():
        stage.rename(output)
        return
    if _exchange(stage, output):
        return
    old = output.with_name(f".{output.name}.old-{os.getpid()}")
    output.rename(old)
    try:
        stage.rename(output)
    except OSError:
        old.rename(output)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False when unsupported."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)
