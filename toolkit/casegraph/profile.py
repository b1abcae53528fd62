"""The OWL 2 RL profile check of the ontology, by the OWL API's own profile checker.

``check_owl2rl(path)`` runs ``ProfileCheck.java`` (beside this module, inside the package:
``OWL2RLProfile().checkOntology`` from the OWL API 5, Debian package ``libowlapi-java``) on a
Turtle file in a separate JVM and
returns its violations, one line each; an empty list means the file is inside OWL 2 RL.

What it needs:

* a Java runtime >= 11 on ``PATH`` (``default-jre-headless``; its ``jdk.compiler`` module compiles
  the checker, so no JDK is needed);
* the OWL API and its runtime dependencies as jars in ``/usr/share/java`` (``libowlapi-java``
  pulls them all in): ``OWLAPI_JARS`` lists the ones the checker loads. Setting
  ``CASEGRAPH_OWLAPI_CLASSPATH`` (entries separated by ``os.pathsep``) replaces that class path,
  e.g. on a machine without Debian's jars.

The checker is compiled once (about 1.5 s) into ``$XDG_CACHE_HOME/casegraph/owlapi/<key>/``
(default ``~/.cache``), keyed by the checker's source, the jars (paths, sizes, times) and the
``java`` binary; a cold JVM then checks ``ontology/casegraph.ttl`` in about 0.6 s. Where the cache
cannot be written, the JVM runs the source file directly (about 1.2 s a file).

Nothing is fetched: the file is parsed as Turtle only, and an ``owl:imports`` is never followed
(the checker maps every import to a document that does not exist and carries on).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import ValidationError

#: What to install on Debian, as shown in every "cannot run the checker" message.
INSTALL_HINT = "apt-get install libowlapi-java default-jre-headless"

#: Where Debian's Java packages put their jars.
JAVA_LIB = Path("/usr/share/java")

#: The jars the checker loads, by their unversioned Debian names: the OWL API in one jar and the
#: runtime dependencies that a Turtle load and a profile check reach (each one is needed; found by
#: leaving each out in turn). All come with ``libowlapi-java``; the Debian package of each is noted.
OWLAPI_JARS: tuple[str, ...] = (
    "owlapi-distribution.jar",  # libowlapi-java (5.1.20 in Debian 12)
    "guava.jar",  # libguava-java
    "caffeine.jar",  # libcaffeine-java
    "commons-rdf-api.jar",  # libcommons-rdf-java
    "rdf4j-model-api.jar",  # librdf4j-java
    "rdf4j-model.jar",  # librdf4j-java
    "rdf4j-rio-api.jar",  # librdf4j-java
    "rdf4j-util.jar",  # librdf4j-java
    "atinject-jsr330-api.jar",  # libatinject-jsr330-api-java
    "hppcrt.jar",  # libhppcrt-java
    "commons-io.jar",  # libcommons-io-java
    "xz.jar",  # libxz-java
    "jsr305.jar",  # libjsr305-java (annotations only)
    "slf4j-api.jar",  # libslf4j-java
    "slf4j-simple.jar",  # libslf4j-java: the OWL API's log, warnings only, to stderr
)

#: Replaces the class path built from ``OWLAPI_JARS`` when set.
CLASSPATH_ENV = "CASEGRAPH_OWLAPI_CLASSPATH"

#: Seconds one check (or the one-off compile) may take before it is stopped.
TIMEOUT = 120.0

#: Options for a short-lived JVM: quick start-up, the OWL API's log at warnings only.
JVM_OPTIONS: tuple[str, ...] = (
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-Dorg.slf4j.simpleLogger.logFile=System.err",
)

_MAIN_CLASS = "ProfileCheck"
_JAVAC = ("-m", "jdk.compiler/com.sun.tools.javac.Main")


def checker_source() -> Path:
    """``ProfileCheck.java``, which ships inside the package (so a wheel built from the sdist has it)."""
    return Path(__file__).resolve().parent / f"{_MAIN_CLASS}.java"


def owlapi_classpath() -> list[Path]:
    """The checker's class path; ``ValidationError`` naming what to install when a jar is missing."""
    override = os.environ.get(CLASSPATH_ENV)
    if override:
        jars = [Path(entry) for entry in override.split(os.pathsep) if entry]
        where = f"${CLASSPATH_ENV}"
    else:
        jars = [JAVA_LIB / name for name in OWLAPI_JARS]
        where = str(JAVA_LIB)
    missing = [jar.name for jar in jars if not jar.exists()]
    if missing:
        raise ValidationError(
            f"OWL 2 RL profile check: the OWL API is not installed ({', '.join(missing)} missing from {where}): "
            f"{INSTALL_HINT}"
        )
    return jars


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ValidationError(f"OWL 2 RL profile check: no Java runtime ('java' not on PATH): {INSTALL_HINT}")
    return java


def _source() -> Path:
    source = checker_source()
    if not source.is_file():
        raise ValidationError(f"OWL 2 RL profile check: the checker {source} is missing from this installation")
    return source


def owlapi_available() -> bool:
    """Whether ``java``, the OWL API jars and the checker's source are all there (nothing is run)."""
    try:
        _java()
        owlapi_classpath()
        _source()
    except ValidationError:
        return False
    return True


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "casegraph" / "owlapi"


def _first_error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() or "exception" in line.lower()]
    return (errors or lines or ["no output"])[0]


def _compiled(java: str, classpath: str, source: Path) -> Path | None:
    """The folder holding ``ProfileCheck.class`` (compiled now if needed); ``None`` where the cache
    cannot be written. ``ValidationError`` when the checker does not compile against the jars."""
    stamp = [source.read_bytes(), classpath.encode(), os.path.realpath(java).encode()]
    for entry in classpath.split(os.pathsep):  # a jar upgraded in place gets a new build
        with contextlib.suppress(OSError):
            stat = Path(entry).stat()
            stamp.append(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    key = hashlib.sha256(b"\0".join(stamp)).hexdigest()[:20]
    try:
        root = _cache_root()
        target = root / key
        if (target / f"{_MAIN_CLASS}.class").is_file():
            return target
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home
        return None
    try:
        result = subprocess.run(
            [java, *_JAVAC, "-nowarn", "-encoding", "UTF-8", "-d", str(staging), "-cp", classpath, str(source)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise ValidationError(
                f"OWL 2 RL profile check: {source.name} does not compile against the OWL API jars "
                f"({_first_error_line(result.stderr + result.stdout)}); {INSTALL_HINT}"
            )
        try:
            staging.rename(target)
        except OSError:  # another process put it there first
            if not (target / f"{_MAIN_CLASS}.class").is_file():
                return None
        return target
    except subprocess.TimeoutExpired:
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def checker_command() -> list[str]:
    """The command that runs the checker (append the Turtle file).

    ``ValidationError`` with a one-line message saying what to install when ``java`` or a jar is
    missing.
    """
    java = _java()
    classpath = os.pathsep.join(str(jar) for jar in owlapi_classpath())
    source = _source()
    compiled = _compiled(java, classpath, source)
    if compiled is None:  # Java 11+ source-file mode: compiles in memory on every run
        return [java, *JVM_OPTIONS, "-cp", classpath, str(source)]
    return [java, *JVM_OPTIONS, "-cp", os.pathsep.join([str(compiled), classpath]), _MAIN_CLASS]


def _tagged(lines: list[str], tag: str) -> list[str]:
    prefix = f"{tag} "
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


def check_owl2rl(path: Path, *, timeout: float = TIMEOUT) -> list[str]:
    """The OWL 2 RL violations of the Turtle file ``path``, as the OWL API words them; ``[]`` when
    the file is inside the profile.

    Each line names the offending construct and the axiom it occurs in, e.g.
    ``Use of non-superclass expression in position that requires a superclass expression:
    ObjectSomeValuesFrom(<…#p> <…#B>) [SubClassOf(<…#A> ObjectSomeValuesFrom(<…#p> <…#B>)) in
    OntologyID(…)]``. Raises ``ValidationError`` with a one-line message when the check cannot be
    run (no ``java``, no OWL API: the message says what to install) or the file cannot be loaded
    (missing, or not Turtle: the parser's message with its line and column).
    """
    if not path.is_file():
        raise ValidationError(f"{path}: no such file (OWL 2 RL profile check)")
    command = [*checker_command(), str(path)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ValidationError(f"{path}: the OWL 2 RL profile check took longer than {timeout:g} s") from exc
    except OSError as exc:
        raise ValidationError(f"OWL 2 RL profile check: cannot run java ({exc.strerror}): {INSTALL_HINT}") from exc
    lines = result.stdout.splitlines()
    violations = _tagged(lines, "VIOLATION")
    if result.returncode == 0 and lines[-1:] == ["OK"]:
        return []
    if result.returncode == 1 and lines[-1:] == [f"VIOLATIONS {len(violations)}"]:
        return violations
    if result.returncode == 2 and (load_error := _tagged(lines, "LOAD-ERROR")):
        raise ValidationError(f"{path}: the OWL API cannot load it: {load_error[0]}")
    if result.returncode == 4 and (setup_error := _tagged(lines, "SETUP-ERROR")):
        raise ValidationError(
            f"OWL 2 RL profile check: incomplete OWL API class path ({setup_error[0]}): {INSTALL_HINT}"
        )
    detail = _first_error_line(result.stderr + "\n" + result.stdout)
    raise ValidationError(f"{path}: the OWL 2 RL profile check failed (exit {result.returncode}): {detail}")
