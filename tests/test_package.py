"""casegraph package: a BagIt bag whose data/ is an RO-Crate 1.2, byte-identical on every run, and
casegraph verify on it (issue #12, "Publishing for archivists")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

import casegraph
from casegraph.errors import DatasetError, UsageError
from casegraph.iris import DATASET_IRI, GRAPH_METADATA, SOURCE_IRI
from casegraph.package import write_package
from casegraph.release import read_release, release_date
from casegraph.resources import default_paths

from .conftest import Run

#: The shipped report's date (dcterms:date).
REPORT_DATE = "2025-06-13"
#: The release's date (graph/release.ttl's dcterms:issued): every date of a package without
#: SOURCE_DATE_EPOCH.
_RELEASE = read_release(default_paths().release)
assert _RELEASE is not None
RELEASE_DATE, RELEASE_VERSION = _RELEASE.issued, _RELEASE.version
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
BUILT = "graph/build/casegraph.ttl"


@dataclass(frozen=True)
class Written:
    folder: Path
    archive: Path


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Written]:
    """One package as a folder and one as a zip, written in this process (no SOURCE_DATE_EPOCH)."""
    where = tmp_path_factory.mktemp("package")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        write_package(where / "casegraph")
        write_package(where / "casegraph.zip")
    yield Written(where / "casegraph", where / "casegraph.zip")


def payload(folder: Path) -> set[str]:
    data = folder / "data"
    return {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()}


def test_the_bag_validates_with_both_manifests_dated_by_the_release(written: Written) -> None:
    import bagit

    bag = bagit.Bag(str(written.folder))
    bag.validate()
    assert bag.version_info == (1, 0)  # RFC 8493 (bagit-python itself declares 0.97)
    assert sorted(bag.algorithms) == ["sha256", "sha512"]
    assert bag.info["Bagging-Date"] == RELEASE_DATE  # no SOURCE_DATE_EPOCH: the release's date, not today
    assert bag.info["External-Identifier"] == DATASET_IRI
    assert {name.removeprefix("data/") for name in bag.payload_entries()} == payload(written.folder)
    assert {
        "ro-crate-metadata.json",
        "LICENSE",
        "graph/build/casegraph.nq",
        "graph/build/SHA256SUMS",
        "graph/sources/000_1ffa199c7bd90bb3.txt",
        "graph/sources/SHA256SUMS",
        "graph/article.ttl",
        "ontology/casegraph.ttl",
        "ontology/shapes.ttl",
        "ontology/context.jsonld",
        "queries/ordered-over-objection.rq",
    } <= payload(written.folder)


def test_the_crate_reads_back_as_ro_crate_1_2_describing_report_licence_and_build(written: Written) -> None:
    from rocrate.rocrate import ROCrate

    crate = ROCrate(written.folder / "data")
    assert crate.version == "1.2"
    assert crate.metadata.as_jsonld()["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.2"}
    root = crate.root_dataset
    assert root["name"] == "casegraph: the HHS-CMS-DHS Medicaid data transfer"
    assert (root["datePublished"], root["version"]) == (RELEASE_DATE, RELEASE_VERSION)
    assert root["license"].id == CC_BY and root["license"].type == "CreativeWork"
    assert root["creator"]["name"] == "casegraph developers"
    assert root["identifier"] == "https://w3id.org/casegraph/id/dataset/casegraph/0.2.0"  # the release, to cite
    files = {entity.id: entity for entity in crate.data_entities}
    assert set(files) == payload(written.folder) - {"ro-crate-metadata.json"}
    report = files["graph/sources/000_1ffa199c7bd90bb3.txt"]
    assert report["identifier"] == SOURCE_IRI
    assert [author["name"] for author in report["author"]] == ["Amanda Seitz", "Kimberly Kindy"]
    assert [author.type for author in report["author"]] == ["Person", "Person"]
    assert [publisher["name"] for publisher in report["publisher"]] == ["Associated Press"]
    assert [holder["name"] for holder in report["copyrightHolder"]] == ["Associated Press"]
    assert (report["datePublished"], report["encodingFormat"]) == (REPORT_DATE, "text/plain")
    # the text is the AP's: its own licence entity keeps the root's CC BY 4.0 from reaching it
    assert report["license"].id == "#rights-000_1ffa199c7bd90bb3"
    assert report["license"]["name"] == "All rights reserved by Associated Press"
    nq = files["graph/build/casegraph.nq"]
    assert nq["encodingFormat"] == "application/n-quads"
    (action,) = crate.get_by_type("CreateAction")
    assert {entity.id for entity in action["object"]} == {
        "graph/article.ttl",
        "graph/enrichment.trig",
        "graph/release.ttl",
        "graph/retired.ttl",
        "graph/sources/000_1ffa199c7bd90bb3.ttl",
        "graph/sources/000_1ffa199c7bd90bb3.txt",
        "ontology/casegraph.ttl",
    }
    assert {entity.id for entity in action["result"]} == {
        f"graph/build/casegraph.{ext}" for ext in ("jsonld", "nq", "trig", "ttl")
    }
    software = {entity["name"]: entity.get("version") for entity in action["instrument"]}
    assert software == {  # each with the version the build's provenance records (scripts/constraints.txt)
        "casegraph": casegraph.__version__,
        "owlrl, the OWL 2 RL reference reasoner": "7.6.2",
        "pySHACL, which validates it against the shapes": "0.40.1",
        "pyoxigraph, which parses, canonicalises and writes the dataset": "0.5.13",
        "rdflib, which reads the curated Turtle and TriG": "7.6.0",
    }


def test_each_file_s_recorded_sha256_is_its_own(written: Written) -> None:
    import hashlib
    import json

    data = written.folder / "data"
    graph = json.loads((data / "ro-crate-metadata.json").read_text(encoding="utf-8"))["@graph"]
    recorded = {entity["@id"]: entity["sha256"] for entity in graph if entity["@type"] == "File"}
    assert recorded == {name: hashlib.sha256((data / name).read_bytes()).hexdigest() for name in recorded}
    assert len(recorded) == len(payload(written.folder)) - 1


def test_verify_accepts_the_package_and_its_zip(run: Run, written: Written) -> None:
    for path in (written.folder, written.archive):
        done = run("verify", str(path))
        assert (done.exit_code, done.stdout) == (0, ""), done.output
        assert done.stderr == (
            "verified the bag's 25 payload files, the RO-Crate's list of them, and the dataset's 4 files and 5 "
            f"graphs' canonical hashes in {path}\n"
        )


def test_verify_names_a_tampered_payload_file_and_an_unlisted_one(
    run: Run, written: Written, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each difference once, on stdout: bagit's own log records (which Python prints on stderr
    when logging is not configured) are silenced."""
    copy = tmp_path / "copy"
    shutil.copytree(written.folder, copy)
    tampered = copy / "data" / BUILT
    original = tampered.read_bytes()
    data = bytearray(original)
    data[100] ^= 0x01  # one bit of one byte: the size (and Payload-Oxum) stays the same
    tampered.write_bytes(bytes(data))
    done = run("verify", str(copy))
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{tampered}: sha256 ") and "the bag's manifest records" in lines[0]
    assert lines[1].startswith(f"{tampered}: SHA-256 ") and "SHA256SUMS records" in lines[1]
    assert len(lines) == 2, lines
    assert done.stderr == f"casegraph: error: {copy}: 2 difference(s) from the recorded checksums (listed above)\n"
    assert [record.name for record in caplog.records if record.name.startswith("bagit")] == []
    tampered.write_bytes(original)
    (copy / "data" / "notes.txt").write_text("added\n")
    added = run("verify", str(copy))
    assert added.exit_code == 1
    assert (
        added.stdout.splitlines()[-1]
        == f"{copy / 'data' / 'notes.txt'}: a payload file the crate's metadata does not list"
    )
    assert "Payload-Oxum" in added.stdout.splitlines()[0]


def test_verify_names_a_tampered_entry_of_a_zip(run: Run, written: Written, tmp_path: Path) -> None:
    tampered = tmp_path / "casegraph.zip"
    with zipfile.ZipFile(written.archive) as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, data.replace(b"Sara Vitolo", b"Sara Vitola") if info.filename.endswith(BUILT) else data)
    done = run("verify", str(tampered))
    assert done.exit_code == 1
    named = f"{tampered}:casegraph/data/{BUILT}: "
    assert [line[: len(named)] for line in done.stdout.splitlines()] == [named, named]
    garbage = tmp_path / "not.zip"
    garbage.write_bytes(b"PK\x03\x04 not really")
    refused = run("verify", str(garbage))
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr.startswith(f"casegraph: error: {garbage}: not a readable zip file (")


def test_an_existing_output_that_is_no_package_is_refused_untouched(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me\n")
    done = run("package", "--output", str(folder))
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr.startswith(f"casegraph: error: --output {folder}: an existing folder that is not a casegraph ")
    assert done.stderr.count("\n") == 1 and "nothing was written" in done.stderr
    archive = tmp_path / "mine.zip"
    archive.write_bytes(b"not a zip\n")
    refused = run("package", "--output", str(archive))
    assert refused.exit_code == 2 and f"--output {archive}: an existing zip file that is not" in refused.stderr
    plain = tmp_path / "plain"
    plain.write_text("a file\n")
    for given, message in (
        (plain, f"--output {plain}: is a file, not a folder; nothing was written"),
        (Path(os.devnull), f"--output {os.devnull}: exists and is neither a folder nor a regular file"),
        (plain / "inside", f"{plain / 'inside'}: {plain} is a file, not a folder; nothing was written"),
    ):
        other = run("package", "--output", str(given))
        assert other.exit_code in (1, 2) and other.stderr.startswith(f"casegraph: error: {message}"), other.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "mine.zip", "plain"]  # no temporary left
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "keep me\n" and archive.read_bytes() == b"not a zip\n"


def test_a_previous_package_is_replaced_whole_dated_by_source_date_epoch(
    run: Run, written: Written, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = tmp_path / "pkg"
    shutil.copytree(written.folder, previous)
    (previous / "data" / "stray.txt").write_text("from an older package\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    done = run("package", "--output", str(previous))
    assert done.exit_code == 0, done.output
    size, count = (previous / "bag-info.txt").read_text().split("Payload-Oxum: ")[1].split()[0].split(".")
    assert done.stderr == f"wrote {previous}: a bag of {count} payload files ({size} bytes), dated 2026-01-01\n"
    assert count == "25"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # the old one and the temporary are gone
    assert not (previous / "data" / "stray.txt").exists()
    assert "Bagging-Date: 2026-01-01\n" in (previous / "bag-info.txt").read_text()
    assert '"datePublished": "2026-01-01"' in (previous / "data" / "ro-crate-metadata.json").read_text()
    assert run("verify", str(previous)).exit_code == 0


def test_the_package_is_byte_identical_across_runs_and_hash_seeds(written: Written, tmp_path: Path) -> None:
    """A second process with another PYTHONHASHSEED writes the same bytes, folder and zip alike."""
    assert os.environ.get("PYTHONHASHSEED") != "4242"
    code = (
        "import sys; from pathlib import Path; from casegraph.package import write_package; "
        "write_package(Path(sys.argv[1]) / 'casegraph'); write_package(Path(sys.argv[1]) / 'casegraph.zip')"
    )
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], env={**env, "PYTHONHASHSEED": "4242"}, check=True)
    again = tmp_path / "casegraph"
    names = sorted(p.relative_to(written.folder).as_posix() for p in written.folder.rglob("*"))
    assert names == sorted(p.relative_to(again).as_posix() for p in again.rglob("*"))
    for name in names:
        first = written.folder / name
        assert first.is_dir() or first.read_bytes() == (again / name).read_bytes(), name
    assert (tmp_path / "casegraph.zip").read_bytes() == written.archive.read_bytes()
    with zipfile.ZipFile(written.archive) as opened:
        infos = opened.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(*map(int, RELEASE_DATE.split("-")), 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644, 0o40755}


# --- the release date ---------------------------------------------------------------------------


def _metadata(*triples: tuple[str, str, ox.NamedNode | ox.Literal]) -> list[ox.Quad]:
    graph = ox.NamedNode(GRAPH_METADATA)
    return [ox.Quad(ox.NamedNode(s), ox.NamedNode("http://purl.org/dc/terms/" + p), o, graph) for s, p, o in triples]


def _date(text: str, kind: str = "date") -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{kind}"))


def test_release_date_is_source_date_epoch_then_issued_then_the_newest_report() -> None:
    reports = _metadata(
        (DATASET_IRI, "source", ox.NamedNode(SOURCE_IRI)),
        (DATASET_IRI, "source", ox.NamedNode(SOURCE_IRI + "-2")),
        (SOURCE_IRI, "date", _date("2025-06-13")),
        (SOURCE_IRI + "-2", "date", _date("2025-07-01T09:30:00-04:00", "dateTime")),
        ("https://example.org/not-a-source", "date", _date("2030-01-01")),  # not one of the dataset's reports
    )
    assert release_date(reports, {}) == datetime(2025, 7, 1, 13, 30, tzinfo=UTC)
    issued = [*reports, *_metadata((DATASET_IRI, "issued", _date("2025-08-02")))]
    assert release_date(issued, {}) == datetime(2025, 8, 2, tzinfo=UTC)
    assert release_date(issued, {"SOURCE_DATE_EPOCH": "86400"}) == datetime(1970, 1, 2, tzinfo=UTC)
    with pytest.raises(UsageError, match=r"SOURCE_DATE_EPOCH='yesterday': not a whole number of seconds"):
        release_date(issued, {"SOURCE_DATE_EPOCH": "yesterday"})
    with pytest.raises(DatasetError, match="gives no release date"):
        release_date(reports[2:], {})
