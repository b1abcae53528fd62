"""Package: the dataset as a BagIt bag whose payload is an RO-Crate 1.2, for an archive.

``casegraph package --output DIR`` (or ``FILE.zip``) writes::

    DIR/bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    DIR/data/ro-crate-metadata.json      the RO-Crate 1.2 metadata: every file below, described
    DIR/data/LICENSE                     the repository's LICENSE (code: MIT; data: CC BY 4.0; the report's text)
    DIR/data/graph/build/                the built dataset (casegraph.nq, .trig, .ttl, .jsonld, SHA256SUMS)
    DIR/data/graph/sources/              each report's text and description, their SHA256SUMS
    DIR/data/graph/*.ttl, *.trig         the curated facts, enrichment and retired IRIs the build read
    DIR/data/ontology/                   casegraph.ttl, shapes.ttl, context.jsonld
    DIR/data/queries/*.rq                the bundled queries

``data/`` mirrors a casegraph source tree, so ``casegraph build --root DIR/data`` rebuilds the
dataset and ``casegraph query --dataset DIR/data/graph/build`` queries it. The bag is
byte-identical on every run: every date comes from :func:`casegraph.release.release_date`, and
file order, zip entry times and permissions are fixed. ``bagit`` and ``rocrate`` are imported
here only, when a package is written or verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import __version__
from .errors import DatasetError, ExportError, UsageError, one_line
from .files import file_mode, finished, pending, put_in_place, sha256, staging
from .iris import DATASET_IRI, GRAPH_METADATA, SOURCE_NS
from .resources import Paths, default_paths
from .verify import Verification

#: The bag-info.txt line that marks a casegraph package (what may be replaced by a new one).
MARKER = f"External-Identifier: {DATASET_IRI}"
#: The RO-Crate version written (the rocrate library's default is newer).
CRATE_VERSION = "1.2"
#: BagIt manifests: SHA-256, which the dataset's own SHA256SUMS and metadata use (``sha256sum``
#: checks both), and SHA-512, which RFC 8493 recommends.
CHECKSUMS = ("sha256", "sha512")
CRATE_FILE = "ro-crate-metadata.json"
BUILD_FOLDER = "graph/build"

_DCTERMS = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"  # dcat:version; casegraph before 0.2 wrote dcterms:hasVersion
_PROV = "http://www.w3.org/ns/prov#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SPDX = "http://spdx.org/rdf/terms#"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CANON = "https://www.w3.org/TR/rdf-canon/"

_MEDIA_TYPES = {
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".rq": "application/sparql-query",
    ".txt": "text/plain",
}
#: Names of the licences a dataset may carry, by IRI (any other is shown by its IRI).
_LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
}
#: The zip format's range of dates.
_ZIP_EARLIEST, _ZIP_LATEST = (1980, 1, 1, 0, 0, 0), (2107, 12, 31, 23, 59, 58)


@dataclass(frozen=True)
class PackageResult:
    """What ``package`` wrote: where, how many payload files and bytes, and the release date used."""

    output: Path
    files: int
    size: int
    released: datetime


# --- what the metadata graph says ---------------------------------------------------------------


class _Metadata:
    """The facts of the metadata graph (plus every graph's labels), by subject."""

    def __init__(self, quads: Sequence[ox.Quad]) -> None:
        self.facts: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = {}
        self.labels: dict[str, str] = {}
        for quad in quads:
            if not isinstance(quad.subject, ox.NamedNode) or isinstance(quad.object, ox.BlankNode | ox.Triple):
                continue
            if quad.predicate.value == _SKOS + "prefLabel" and isinstance(quad.object, ox.Literal):
                self.labels.setdefault(quad.subject.value, quad.object.value)
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == GRAPH_METADATA:
                entry = self.facts.setdefault(quad.subject.value, {})
                entry.setdefault(quad.predicate.value, []).append(quad.object)
        for values in (v for entry in self.facts.values() for v in entry.values()):
            values.sort(key=str)

    def all(self, subject: str, predicate: str) -> list[str]:
        return [term.value for term in self.facts.get(subject, {}).get(predicate, [])]

    def one(self, subject: str, predicate: str) -> str | None:
        found = self.all(subject, predicate)
        return found[0] if found else None

    def sha256(self, subject: str) -> str | None:
        """The file SHA-256 the metadata records for ``subject`` (not a canonical graph hash)."""
        for checksum in self.all(subject, _SPDX + "checksum"):
            if self.one(checksum, _DCTERMS + "conformsTo") != _CANON:
                return self.one(checksum, _SPDX + "checksumValue")
        return None

    def name(self, iri: str) -> str:
        return self.labels.get(iri) or self.one(iri, _SKOS + "prefLabel") or iri


# --- the payload --------------------------------------------------------------------------------


def _payload(paths: Paths, dataset: Path, meta: _Metadata) -> tuple[dict[str, Path], list[str]]:
    """Payload path (inside ``data/``) -> the file to copy: the built files the dataset's
    SHA256SUMS lists, the inputs its metadata records (each checked against the SHA-256
    recorded), the shapes, context and queries; and the names of the inputs.

    Raises:
        DatasetError: the tree's files are not the ones the dataset was built from.
    """
    from .files import sha256sum_entry

    files: dict[str, Path] = {}
    listing = dataset / "SHA256SUMS"
    for line in listing.read_text(encoding="utf-8").splitlines():
        entry = sha256sum_entry(line)
        if entry is not None:
            files[f"{BUILD_FOLDER}/{entry[1]}"] = dataset / entry[1]
    files[f"{BUILD_FOLDER}/SHA256SUMS"] = listing
    build = meta.one(DATASET_IRI, _PROV + "wasGeneratedBy") or ""
    recorded: dict[str, str | None] = {}
    for used in meta.all(build, _PROV + "used"):
        identifier = meta.one(used, _DCTERMS + "identifier")
        if identifier is None:
            continue
        if used.startswith(SOURCE_NS):  # a report: its text, by file name
            identifier = f"graph/sources/{identifier}"
        recorded[identifier] = meta.sha256(used)
    for relative, digest in sorted(recorded.items()):
        path = paths.root / relative
        found = sha256(path) if path.is_file() else None
        if found is None or found != digest:
            what = "is missing" if found is None else f"has the SHA-256 {found}, not the {digest} the dataset records"
            raise DatasetError(
                f"{path}: {what}; the dataset {dataset} was built from another source tree: give that tree "
                "with --root TREE"
            )
        files[relative] = path
    for path in (paths.ontology, paths.shapes, paths.context, *sorted(paths.queries.glob("*.rq"))):
        files[path.relative_to(paths.root).as_posix()] = path
    if not paths.licence.is_file():
        raise DatasetError(f"{paths.licence}: missing; the package carries the licence of the code and the data")
    files["LICENSE"] = paths.licence
    return dict(sorted(files.items())), sorted(recorded)


def _sources_sums(files: dict[str, Path]) -> bytes:
    """``graph/sources/SHA256SUMS`` for the reports' texts in the package (as a curator writes it)."""
    texts = sorted(name for name in files if name.startswith("graph/sources/") and name.endswith(".txt"))
    return "".join(f"{sha256(files[name])}  {name.rsplit('/', 1)[1]}\n" for name in texts).encode()


# --- the crate ----------------------------------------------------------------------------------


def _media_type(name: str) -> str:
    if name.endswith("context.jsonld"):
        return "application/ld+json"
    return _MEDIA_TYPES.get(Path(name).suffix, "text/plain")


def _write_crate(data: Path, meta: _Metadata, released: datetime, inputs: list[str]) -> None:
    """Write ``data/ro-crate-metadata.json`` describing every file already in ``data/``."""
    from importlib.metadata import PackageNotFoundError, metadata

    from rocrate.model.contextentity import ContextEntity
    from rocrate.model.person import Person
    from rocrate.rocrate import ROCrate

    crate = ROCrate(version=CRATE_VERSION)
    ds = DATASET_IRI
    title = meta.one(ds, _DCTERMS + "title") or "casegraph"
    reports = meta.all(ds, _DCTERMS + "source")
    licence = meta.one(ds, _DCTERMS + "license")
    try:
        maker = metadata("casegraph")["Author"] or "casegraph developers"
    except PackageNotFoundError:  # pragma: no cover - run from a tree without the package installed
        maker = "casegraph developers"
    made_by = meta.one(ds, _DCTERMS + "creator")  # the dataset's creator, as its metadata names it
    creator = crate.add(
        ContextEntity(
            crate,
            made_by or "#casegraph-developers",
            {"@type": "Organization", "name": meta.name(made_by) if made_by else maker},
        )
    )
    root = crate.root_dataset
    root["name"] = title
    root["description"] = (
        f"{title}: a knowledge graph of "
        + "; ".join(f"the report \u201c{meta.one(r, _DCTERMS + 'title') or r}\u201d" for r in reports)
        + ", each asserted triple grounded in the report's words. The built dataset (graph/build/), the report's "
        "text and description, the curated facts, the ontology, SHACL shapes, JSON-LD context and the bundled "
        "SPARQL queries; `casegraph build --root .` rebuilds the dataset from them."
    )
    # the IRI to cite: this release's own (the stable dataset IRI names every release)
    root["identifier"] = meta.one(ds, _DCAT + "hasCurrentVersion") or ds
    root["version"] = meta.one(ds, _DCAT + "version") or meta.one(ds, _DCTERMS + "hasVersion") or __version__
    root["datePublished"] = released.date().isoformat()
    root["creator"] = creator
    if licence:
        root["license"] = crate.add(
            ContextEntity(crate, licence, {"@type": "CreativeWork", "name": _LICENCES.get(licence, licence)})
        )
    agents: dict[str, Any] = {}

    def agent(iri: str, kind: str) -> Any:
        if iri not in agents:
            cls = Person if kind == "Person" else ContextEntity
            agents[iri] = crate.add(cls(crate, iri, {"@type": kind, "name": meta.name(iri)}))
        return agents[iri]

    report_files = []
    for report in reports:
        text = f"graph/sources/{meta.one(report, _DCTERMS + 'identifier')}"
        properties: dict[str, Any] = {
            "name": meta.one(report, _DCTERMS + "title") or text,
            "identifier": report,
            "encodingFormat": "text/plain",
            "author": [agent(p, "Person") for p in meta.all(report, _DCTERMS + "creator")],
            "publisher": [agent(o, "Organization") for o in meta.all(report, _DCTERMS + "publisher")],
            "copyrightHolder": [agent(o, "Organization") for o in meta.all(report, _DCTERMS + "rightsHolder")],
        }
        for key, predicate in (("datePublished", "date"), ("inLanguage", "language")):
            value = meta.one(report, _DCTERMS + predicate)
            if value:
                properties[key] = value
        note = meta.one(report, _SKOS + "editorialNote")
        if note:
            properties["description"] = note
        holders = " and ".join(meta.name(o) for o in meta.all(report, _DCTERMS + "rightsHolder")) or "its rights holder"
        rights = {  # the text is not the dataset's to license: the root's licence must not reach it
            "@type": "CreativeWork",
            "name": f"All rights reserved by {holders}",
            "description": "The report's text belongs to its rights holder and is not under the dataset's licence; "
            "casegraph keeps it as the evidence of its facts, and its exports carry only the quoted spans.",
        }
        properties["license"] = crate.add(ContextEntity(crate, f"#rights-{Path(text).stem}", rights))
        report_files.append(text)
        root.append_to("isBasedOn", {"@id": text})
        _add_file(crate, data, text, properties)
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        name = path.relative_to(data).as_posix()
        if name != CRATE_FILE and name not in report_files:
            _add_file(crate, data, name, {"name": _describe(name), "encodingFormat": _media_type(name)})
    build = meta.one(ds, _PROV + "wasGeneratedBy")
    if build:
        software = [*meta.all(build, _PROV + "wasAssociatedWith")]
        for reasoning in sorted({a for g in meta.facts for a in meta.all(g, _PROV + "wasGeneratedBy")} - {build}):
            software += meta.all(reasoning, _PROV + "wasAssociatedWith")
        instruments = []
        for iri in dict.fromkeys(software):
            properties = {"@type": "SoftwareApplication", "name": meta.name(iri)}
            version = meta.one(iri, _DCAT + "version") or meta.one(iri, _DCTERMS + "hasVersion")
            if version:
                properties["version"] = version
            instruments.append(crate.add(ContextEntity(crate, iri, properties)))
        results = sorted(name for name in _built(data) if name != f"{BUILD_FOLDER}/SHA256SUMS")
        action = {
            "@type": "CreateAction",
            "name": f"casegraph build (casegraph {root['version']})",
            "description": "Grounded every curated triple in the report's words, reasoned (OWL 2 RL), validated "
            "(SHACL) and wrote the dataset; its metadata graph records each input's SHA-256.",
            "object": [{"@id": name} for name in inputs],
            "result": [{"@id": name} for name in results],
            "instrument": instruments,
        }
        crate.add(ContextEntity(crate, build, action))
    crate.metadata.write(data)


def _add_file(crate: Any, data: Path, name: str, properties: dict[str, Any]) -> None:
    path = data / name
    properties = {**properties, "contentSize": str(path.stat().st_size), "sha256": sha256(path)}
    crate.add_file(source=path, dest_path=name, properties=properties)


def _built(data: Path) -> list[str]:
    return [p.relative_to(data).as_posix() for p in sorted((data / BUILD_FOLDER).iterdir()) if p.is_file()]


def _describe(name: str) -> str:
    """A file's name in the crate: what it is."""
    known = {
        f"{BUILD_FOLDER}/casegraph.nq": "The dataset: every named graph (N-Quads)",
        f"{BUILD_FOLDER}/casegraph.trig": "The dataset: every named graph (TriG)",
        f"{BUILD_FOLDER}/casegraph.ttl": "The ontology, the report's facts and the dataset's description (Turtle)",
        f"{BUILD_FOLDER}/casegraph.jsonld": "The ontology, the report's facts and the dataset's description (JSON-LD)",
        f"{BUILD_FOLDER}/SHA256SUMS": "SHA-256 of each file of the dataset (sha256sum -c)",
        "graph/sources/SHA256SUMS": "SHA-256 of each report's text (sha256sum -c)",
        "ontology/casegraph.ttl": "The casegraph OWL 2 RL ontology",
        "ontology/shapes.ttl": "The SHACL shapes the dataset is validated against",
        "ontology/context.jsonld": "The JSON-LD context of the JSON-LD exports",
        "LICENSE": "The licences: MIT for the code, CC BY 4.0 for the data; the report's text is its rights holder's",
    }
    if name in known:
        return known[name]
    if name.startswith("queries/"):
        return f"Bundled SPARQL query {Path(name).stem}"
    if name.startswith("graph/sources/"):
        return f"Description of the report {Path(name).stem} (Turtle)"
    return f"Curated input of the build: {name}"


# --- the bag and the output ---------------------------------------------------------------------


def is_package(path: Path) -> bool:
    """True for a folder or zip written by ``casegraph package`` (what a new one may replace)."""
    if path.is_dir():
        info = path / "bag-info.txt"
        return (path / "bagit.txt").is_file() and info.is_file() and MARKER in _lines(info.read_bytes())
    if path.is_file():
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/bag-info.txt")]
                return len(names) == 1 and MARKER in _lines(archive.read(names[0]))
        except (zipfile.BadZipFile, OSError):
            return False
    return False


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines()


def _check_output(output: Path) -> None:
    """An existing ``output`` must be a previous package (or an empty folder), else nothing is written.

    Raises:
        UsageError: naming it.
    """
    zipped = output.suffix.lower() == ".zip"
    if not output.exists() and not output.is_symlink():
        return
    if output.is_symlink():
        raise UsageError(f"--output {output}: is a symbolic link; give the path of the package itself")
    if not output.is_dir() and not output.is_file():
        raise UsageError(
            f"--output {output}: exists and is neither a folder nor a regular file; nothing was written; choose "
            "another path"
        )
    if zipped and output.is_dir():
        raise UsageError(f"--output {output}: is a folder, not a zip file; nothing was written; choose another path")
    if not zipped and output.is_file():
        raise UsageError(
            f"--output {output}: is a file, not a folder; nothing was written; give a folder, or a name ending .zip"
        )
    if output.is_dir() and not any(output.iterdir()):
        return
    if not is_package(output):
        what = "zip file" if zipped else "folder"
        raise UsageError(
            f"--output {output}: an existing {what} that is not a casegraph package (no bag-info.txt with "
            f"'{MARKER}'); nothing was written; choose a new path, or remove it yourself"
        )


def write_package(output: Path, *, dataset: Path | None = None, root: Path | None = None) -> PackageResult:
    """Write the dataset (the shipped one, or ``dataset`` built from the tree ``root``) as a BagIt
    bag holding an RO-Crate 1.2, to the folder ``output`` or, when it ends in ``.zip``, to that
    zip file (the bag in a top folder named after it). A previous package there is replaced
    atomically: the new one is written beside it and renamed into place.

    Raises:
        UsageError: ``output`` exists and is not a casegraph package; a bad SOURCE_DATE_EPOCH.
        DatasetError: the dataset is unreadable, fails its checksums, or was not built from ``root``.
        ExportError: the package cannot be written.
    """
    from .dataset import read_quads
    from .release import release_date
    from .verify import verify

    paths = Paths(root) if root else default_paths()
    folder = dataset or paths.build
    _check_output(output)
    quads = read_quads(folder)
    checked = verify(folder)
    if checked.differences:
        raise DatasetError(
            f"{folder}: {len(checked.differences)} difference(s) from the recorded checksums "
            f"({checked.differences[0]}); run `casegraph verify {folder}`, and rebuild it"
        )
    released = release_date(quads)
    meta = _Metadata(quads)
    files, inputs = _payload(paths, folder, meta)
    parent = output.absolute().parent
    blocking = next((up for up in (parent, *parent.parents) if up.exists()), parent)
    if not blocking.is_dir():
        raise ExportError(f"{output}: {blocking} is a file, not a folder; nothing was written; choose another path")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"{output}: cannot create the folder {parent} ({err.strerror}); choose another") from err
    with staging(parent, output.name) as stage:
        try:
            count, size = _stage(stage, files, inputs, meta, released)
            if output.suffix.lower() == ".zip":
                with staging(parent, output.name, folder=False) as archive:
                    _zip(stage, archive, output.name[: -len(".zip")] or "casegraph", released)
                    archive.chmod(file_mode())
                    archive.replace(output)
            else:
                put_in_place(stage, output)
        except OSError as err:
            raise ExportError(f"{output}: cannot write the package ({err.strerror}); nothing was written") from err
    return PackageResult(output, count, size, released)


@contextlib.contextmanager
def _quiet_bagit() -> Iterator[None]:
    """bagit logs each finding (and its own errors) as it goes; with no logging configured Python
    prints those records on stderr, which would break casegraph's one-line messages. The
    findings are reported from the exception instead."""
    import logging

    logger = logging.getLogger("bagit")
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before


def _stage(
    stage: Path, files: dict[str, Path], inputs: list[str], meta: _Metadata, released: datetime
) -> tuple[int, int]:
    """Copy the payload into ``stage``, describe it, and make ``stage`` a bag; returns the
    payload's files and bytes (its Payload-Oxum)."""
    import bagit

    folders = {up for name in files for up in Path(name).parents} - {Path()}
    for folder in sorted(folders, key=lambda f: len(f.parts)):
        (stage / folder).mkdir(exist_ok=True)  # without parents: a stage removed by a stop stays removed
    for name, source in files.items():
        shutil.copyfile(source, stage / name)
    (stage / "graph/sources/SHA256SUMS").write_bytes(_sources_sums(files))
    _write_crate(stage, meta, released, inputs)
    info = {
        "Bagging-Date": released.date().isoformat(),
        "External-Identifier": DATASET_IRI,
        "External-Description": f"casegraph {__version__} package: a BagIt bag whose data/ is an RO-Crate "
        f"{CRATE_VERSION} of the casegraph dataset, its sources, ontology and queries",
    }
    with _quiet_bagit():
        bag = bagit.make_bag(str(stage), bag_info=info, processes=1, checksums=list(CHECKSUMS))
    # bagit-python declares BagIt 0.97; the bag is RFC 8493's BagIt 1.0 (the same layout and files)
    declaration = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    (stage / "bagit.txt").write_bytes(declaration)
    for algorithm in CHECKSUMS:  # bagit lists the tag files in directory order: sort them
        tags = stage / f"tagmanifest-{algorithm}.txt"
        digest = hashlib.new(algorithm, declaration).hexdigest()
        lines = [
            f"{digest} bagit.txt" if line.endswith(" bagit.txt") else line
            for line in tags.read_text(encoding="utf-8").splitlines()
        ]
        tags.write_text("".join(f"{line}\n" for line in sorted(lines)))
    for folder in (stage, stage / "data"):
        folder.chmod(file_mode(folder=True))  # mkdtemp's 0700, which bagit copies onto data/
    size, count = str(bag.info["Payload-Oxum"]).split(".")
    return int(count), int(size)


def _zip(stage: Path, archive: Path, top: str, released: datetime) -> None:
    """Write the bag ``stage`` to ``archive`` under the folder ``top``: entries sorted, every
    time the release date, permissions 0644 (folders 0755)."""
    import zipfile

    when = max(_ZIP_EARLIEST, min(_ZIP_LATEST, released.timetuple()[:6]))
    entries = sorted(stage.rglob("*"), key=lambda p: p.relative_to(stage).as_posix())
    with zipfile.ZipFile(archive, "w") as out:
        for entry in [stage, *entries]:
            relative = entry.relative_to(stage).as_posix()
            name = top + "/" if relative == "." else f"{top}/{relative}" + ("/" if entry.is_dir() else "")
            info = zipfile.ZipInfo(name, date_time=when)
            info.create_system = 3  # Unix, so the permissions below are read
            if entry.is_dir():
                info.external_attr = (0o40755 << 16) | 0x10
                out.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, entry.read_bytes(), compresslevel=9)


# --- verification -------------------------------------------------------------------------------


def verify_package(path: Path) -> Verification:
    """Check a package (a folder, or a zip file): the bag's manifests (bagit), the crate's
    metadata (it reads, with rocrate, and lists every payload file and no other), and the
    dataset's own checksums (:func:`casegraph.verify.verify`) inside.

    Raises:
        DatasetError: ``path`` is no bag, or a zip that cannot be read.
    """
    if path.is_file():
        return _verify_zip(path)
    import bagit

    from .verify import verify

    differences: list[str] = []
    with _quiet_bagit():
        try:
            bag = bagit.Bag(str(path))
        except bagit.BagError as err:
            raise DatasetError(f"{path}: not a readable BagIt bag ({one_line(err)})") from err
        try:
            bag.validate(processes=1)
        except bagit.BagValidationError as err:
            differences += _bag_differences(path, err)
    data = path / "data"
    differences += _crate_differences(data)
    dataset = data / BUILD_FOLDER
    try:
        inside = verify(dataset)
    except DatasetError as err:
        differences.append(str(err))
        inside = Verification(0, 0)
    differences += inside.differences
    return Verification(inside.files, inside.graphs, differences, package=len(bag.payload_entries()))


def _bag_differences(path: Path, err: Any) -> list[str]:
    """bagit's findings, one line per file (a file that differs under both manifests is named once)."""
    import bagit

    details = list(getattr(err, "details", None) or [])
    if not details:
        return [f"{path}: the bag is not valid ({one_line(err.message)})"]
    lines: dict[str, str] = {}
    # a file that differs under both manifests is named once, by its SHA-256 (as SHA256SUMS has it)
    for detail in sorted(details, key=lambda d: (str(d.path), getattr(d, "algorithm", "") != "sha256")):
        shown = path / detail.path
        if isinstance(detail, bagit.ChecksumMismatch):
            lines.setdefault(str(shown), f"{shown}: {detail.algorithm} {detail.found}, not the {detail.expected} "
                             f"the bag's manifest records")  # fmt: skip
        elif isinstance(detail, bagit.FileMissing):
            lines.setdefault(str(shown), f"{shown}: listed in the bag's manifests, missing")
        elif isinstance(detail, bagit.UnexpectedFile):
            lines.setdefault(str(shown), f"{shown}: in the bag, but in none of its manifests")
        else:
            lines.setdefault(str(shown), f"{shown}: {one_line(detail)}")
    return list(lines.values())


def _crate_differences(data: Path) -> list[str]:
    """The crate metadata reads (as RO-Crate), and its data entities are exactly the payload's files."""
    import warnings

    from rocrate.rocrate import ROCrate

    metadata = data / CRATE_FILE
    if not metadata.is_file():
        return [f"{metadata}: missing; the payload is no RO-Crate"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rocrate warns about what it tolerates; we check below
            crate = ROCrate(data)
    except Exception as err:  # noqa: BLE001 - rocrate raises what its parsers raise
        return [f"{metadata}: not a readable RO-Crate ({one_line(err)})"]
    differences = []
    if crate.version != CRATE_VERSION:
        differences.append(f"{metadata}: RO-Crate {crate.version}, not {CRATE_VERSION}")
    listed = {str(entity.id) for entity in crate.data_entities if "File" in _types(entity)}
    present = {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()} - {CRATE_FILE}
    differences += [
        f"{data / name}: a payload file the crate's metadata does not list" for name in sorted(present - listed)
    ]
    differences += [f"{data / name}: listed in the crate's metadata, missing" for name in sorted(listed - present)]
    return differences


def _types(entity: Any) -> list[str]:
    kind = entity.type
    return list(kind) if isinstance(kind, list) else [str(kind)]


#: The largest package a zip may unpack to for verification.
_LARGEST = 8 << 30


def _verify_zip(archive: Path) -> Verification:
    """Unpack a zipped package into a temporary folder and verify the bag in it; differences
    name the zip's entries (``FILE.zip:TOP/data/…``)."""
    import tempfile
    import zipfile

    try:
        with zipfile.ZipFile(archive) as opened:
            entries = opened.infolist()
            tops = {info.filename.split("/", 1)[0] for info in entries}
            unsafe = [i.filename for i in entries if i.filename.startswith("/") or ".." in i.filename.split("/")]
            if unsafe or len(tops) != 1:
                raise DatasetError(
                    f"{archive}: not a zipped package (one top folder holding the bag, no absolute or '..' names)"
                )
            if sum(info.file_size for info in entries) > _LARGEST:
                raise DatasetError(f"{archive}: unpacks to more than {_LARGEST >> 30} GiB; not a casegraph package")
            with tempfile.TemporaryDirectory(prefix=".casegraph-verify.") as unpacked:
                pending(Path(unpacked))
                try:
                    opened.extractall(unpacked)
                    done = verify_package(Path(unpacked) / tops.pop())
                finally:
                    finished(Path(unpacked))
    except (zipfile.BadZipFile, OSError) as err:
        raise DatasetError(
            f"{archive}: not a readable zip file ({one_line(err)}); give a dataset folder, a package folder or a "
            "package's .zip"
        ) from err
    shown = [line.replace(unpacked + "/", f"{archive}:") for line in done.differences]
    return Verification(done.files, done.graphs, shown, package=done.package)
