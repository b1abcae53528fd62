"""Hardening: no input clobbered, no file made world-readable, a full disk is one line.

Each test here failed on the main of 2026-11-30 before its fix (the red team's reproductions).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from . import external
from .conftest import Run
from .servers import Listener, serving

CLI = [sys.executable, "-m", "casegraph"]
DATA = "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
QUERY = "SELECT * { ?s ?p ?o }"


def _needs(path: str) -> None:
    """Skip without ``path`` (a Linux device or /proc file) on a laptop; under CI=true, fail."""
    if not Path(path).exists():
        external.unavailable(f"no {path} on this system", what="a missing system file")


def _one_line(result_stderr: str) -> str:
    assert result_stderr.count("\n") == 1 and "Traceback" not in result_stderr, result_stderr
    return result_stderr


@pytest.mark.parametrize("command", ["sparql", "export", "query"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(run: Run, tmp_path: Path, command: str) -> None:
    """`sparql … --data same.nt --output same.nt` turned 5,000 triples into 3 lines of CSV."""
    data = tmp_path / "same.nt"
    data.write_text(DATA, encoding="utf-8")
    alias = tmp_path / "alias.nt"
    alias.hardlink_to(data)  # the same file by inode, under another name
    args = {
        "sparql": ["sparql", "-", "--format", "csv"],
        "export": ["export", "--format", "ntriples"],
        "query": ["query", "people-and-posts"],
    }[command]
    result = run(*args, "--data", str(data), "--output", str(alias), input=QUERY)
    assert (result.exit_code, result.stdout) == (2, "")
    assert _one_line(result.stderr) == (
        f"casegraph: error: --output {alias}: is an input of this command (as {data}); write the result elsewhere\n"
    )
    assert data.read_text(encoding="utf-8") == DATA


def test_the_query_file_is_an_input_too(run: Run, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text(QUERY, encoding="utf-8")
    result = run("sparql", str(query), "--output", str(query))
    assert (result.exit_code, query.read_text(encoding="utf-8")) == (2, QUERY)


def test_an_existing_files_mode_is_kept_and_a_new_file_follows_the_umask(run: Run, tmp_path: Path) -> None:
    """Every output used to be chmod 0644: a private 0600 file became world-readable."""
    private = tmp_path / "private.ttl"
    private.write_text("", encoding="utf-8")
    private.chmod(0o600)
    assert run("export", "--output", str(private)).exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.stat().st_size > 0
    previous = os.umask(0o027)
    try:
        assert run("export", "--output", str(tmp_path / "new.ttl")).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.ttl").stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "args",
    [
        ["query", "timeline"],
        ["export", "--format", "ntriples"],
        ["export", "--format", "ntriples", "--data", "DATA"],  # streamed from the parser
    ],
    ids=["query", "export", "streamed-export"],
)
def test_a_full_disk_is_one_line_not_a_traceback(tmp_path: Path, args: list[str]) -> None:
    _needs("/dev/full")
    data = tmp_path / "data.nt"
    data.write_text(DATA * 3, encoding="utf-8")
    args = [str(data) if a == "DATA" else a for a in args]
    to_file = subprocess.run([*CLI, *args, "--output", "/dev/full"], capture_output=True, text=True)
    assert to_file.returncode == 1
    assert _one_line(to_file.stderr) == (
        "casegraph: error: /dev/full: cannot write (No space left on device); choose another path\n"
    )
    with Path("/dev/full").open("wb") as full:
        to_stdout = subprocess.run([*CLI, *args], stdout=full, stderr=subprocess.PIPE, text=True)
    assert to_stdout.returncode == 1
    assert _one_line(to_stdout.stderr) == (
        "casegraph: error: standard output: cannot write (No space left on device); write to a file with --output\n"
    )


SERVICE_QUERIES = [
    "SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select *\n{{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?a ?b ?c FILTER(?a<?c) }} SERVICE<{url}>{{}}",
    # the red team's: a keyword glued to a prefixed name, and a comparison read as an IRI
    "PREFIX ex: <{url}#> SELECT * {{ SERVICEex:s {{ ?x ?y ?z }} }}",
    "PREFIX : <{url}#> SELECT * {{ SERVICE:s {{ ?x ?y ?z }} }}",
    "SELECT * {{ VALUES ?s {{ <{url}> }} <http://y/#> ?p ?o FILTER(1<2)SERVICE?s#>\n{{ ?a ?b ?c }} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
@pytest.mark.parametrize("source", [[], ["--data", "DATA"]], ids=["dataset", "data"])
def test_service_is_refused_and_no_connection_is_made(
    run: Run, tmp_path: Path, listener: Listener, template: str, source: list[str]
) -> None:
    """SERVICE made the embedded engine send HTTP and DNS requests to any host."""
    data = tmp_path / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    query = template.format(url=listener.url)
    args = [str(data) if a == "DATA" else a for a in source]
    result = run("sparql", "-", *args, input=query)
    assert (result.exit_code, result.stdout) == (1, "")
    line = _one_line(result.stderr)
    assert line.startswith(
        f"casegraph: error: <stdin>: line {1 + query[: query.upper().index('SERVICE')].count(chr(10))}: SERVICE "
    )
    assert listener.seen == []


def test_service_spelt_in_a_string_a_comment_or_a_variable_is_no_clause(run: Run) -> None:
    query = 'SELECT ?service WHERE { ?service ?p "SERVICE" , """a "SERVICE" b""" }  # SERVICE <http://127.0.0.1:9/>\n'
    assert run("sparql", "-", "--format", "csv", input=query).exit_code == 0


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s <http://example.org/services> ?o }",
        "SELECT * { <http://example.org/Service> ?p ?o }",
    ],
)
def test_a_name_that_spells_service_is_refused_unless_allowed(run: Run, query: str) -> None:
    """Whether `<` opens an IRI is the grammar's call, so the scan reads IRIs and names as text:
    a name spelling SERVICE is refused, and --allow-service lets it through."""
    assert run("sparql", "-", input=query).exit_code == 1
    assert run("sparql", "-", "--allow-service", "--format", "csv", input=query).exit_code == 0


def test_allow_service_lets_the_clause_through(run: Run, listener: Listener) -> None:
    query = f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    result = run("sparql", "-", "--allow-service", "--format", "csv", input=query)
    assert (result.exit_code, result.stdout) == (0, "o,p,s\n")  # no rows: the listener has none
    assert len(listener.seen) == 1  # the listener would have seen the refused ones


@pytest.mark.parametrize(
    ("fmt", "cell"),
    [("table", "red \\x1b[31mALERT\\x07 \\u202eevil"), ("md", "| red \\x1b[31mALERT\\x07 \\u202eevil |")],
)
def test_control_characters_in_the_data_are_shown_not_obeyed(run: Run, tmp_path: Path, fmt: str, cell: str) -> None:
    """Table and Markdown printed ESC sequences and BEL from the data raw to the terminal."""
    data = tmp_path / "hostile.nt"
    data.write_text('<http://e/s> <http://e/p> "red \\u001b[31mALERT\\u0007 \\u202eevil" .\n', encoding="utf-8")
    result = run("sparql", "-", "--data", str(data), "--format", fmt, input="SELECT ?o { ?s ?p ?o }")
    assert result.exit_code == 0
    assert cell in result.stdout.splitlines()
    assert not any(c in result.stdout for c in "\x1b\x07\u202e")


def test_an_error_quoting_hostile_input_stays_one_visible_line(run: Run, tmp_path: Path) -> None:
    hostile = tmp_path / "x\x1b[31mred\nline.nt"
    result = run("sparql", "-", "--data", str(hostile), input=QUERY)
    assert result.exit_code == 2
    shown = str(tmp_path / "x\\x1b[31mred\\x0aline.nt")
    assert _one_line(result.stderr) == f"casegraph: error: --data {shown}: no such file\n"


RDF_XML_HEAD = '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{entities}]>\n'
RDF_XML_BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    '<rdf:Description rdf:about="http://example.org/s"><rdf:value>{value}</rdf:value></rdf:Description>\n'
    "</rdf:RDF>\n"
)
LAUGHS = "".join(f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">\n' for i in range(1, 10))
ENTITY_BOMBS = [
    (
        "billion laughs",
        '<!ENTITY lol0 "lol">\n' + LAUGHS,
        "&lol9;",
        "entity lol1 is made of other entities, which can expand without bound; write its value out",
    ),
    (
        "quadratic blow-up",
        f'<!ENTITY a "{"x" * 50_000}">\n',
        "&a;" * 2_000,
        "its entities would expand it by more than 64 MiB; write their values out or use fewer references",
    ),
    (
        "external entity",
        '<!ENTITY secret SYSTEM "file:///etc/passwd">\n',
        "&secret;",
        "entity secret is external (SYSTEM): casegraph reads no file or host a document names; put its value inline",
    ),
    (
        "parameter entity",
        '<!ENTITY % p "x">\n',
        "x",
        "parameter entity %p is not accepted in RDF/XML input; expand it",
    ),
]


@pytest.mark.parametrize(("name", "entities", "value", "message"), ENTITY_BOMBS, ids=[b[0] for b in ENTITY_BOMBS])
@pytest.mark.parametrize("command", ["sparql", "export"])
def test_rdf_xml_entity_bombs_are_refused_before_parsing(
    run: Run, tmp_path: Path, name: str, entities: str, value: str, message: str, command: str
) -> None:
    """Billion laughs (under 1 kB) and a quadratic blow-up (under 60 kB) took over 4 GiB."""
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(RDF_XML_HEAD.format(entities=entities) + RDF_XML_BODY.format(value=value), encoding="utf-8")
    query = tmp_path / "q.rq"
    query.write_text(QUERY, encoding="utf-8")
    args = ["sparql", str(query)] if command == "sparql" else ["export", "--format", "ntriples"]
    result = run(*args, "--data", str(bomb))
    assert (result.exit_code, result.stdout) == (1, "")
    assert _one_line(result.stderr) == f"casegraph: error: {bomb}: {message}\n"
    piped = run(*args, "--data", "-", "--input-format", "rdfxml", input=bomb.read_text(encoding="utf-8"))
    assert piped.stderr == f"casegraph: error: <stdin>: {message}\n"


def test_namespace_entities_as_protege_writes_them_still_parse(run: Run, tmp_path: Path) -> None:
    owl = tmp_path / "ontology.owl"
    owl.write_text(
        RDF_XML_HEAD.format(
            entities='<!ENTITY ex "http://example.org/" >\n<!ENTITY owl "http://www.w3.org/2002/07/owl#">\n'
        )
        + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="&ex;Thing"><rdf:type rdf:resource="&owl;Class"/></rdf:Description>\n'
        "</rdf:RDF>\n",
        encoding="utf-8",
    )
    result = run("export", "--data", str(owl), "--format", "ntriples")
    assert result.exit_code == 0, result.stderr
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert f"<http://example.org/Thing> {rdf_type} <http://www.w3.org/2002/07/owl#Class> .\n" in result.stdout


MISLEADING = [
    (
        "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
        "this is a SPARQL Update (INSERT), and casegraph only reads here; to write into a store, use `casegraph load`",
    ),
    (
        "PREFIX ex: <http://e/>\nDELETE WHERE { ?s ?p ?o }",
        "this is a SPARQL Update (DELETE), and casegraph only reads here; to write into a store, use `casegraph load`",
    ),
    ("  # nothing but a comment\n", "the query is empty; write a SELECT, ASK, CONSTRUCT or DESCRIBE query"),
    (
        'SELECT * { ?s skos:prefLabel "a:b" ; <x:y> ?o }',
        "the prefix skos: is not declared; add `PREFIX skos: <http://www.w3.org/2004/02/skos/core#>` at the top of "
        "the query",
    ),
    (
        "PREFIX ex: <http://e/> SELECT * { ?s ex:p ?o ; mine:q ?x }",
        "the prefix mine: is not declared; add `PREFIX mine: <IRI>` at the top of the query",
    ),
]


@pytest.mark.parametrize(("query", "message"), MISLEADING)
def test_messages_say_what_is_wrong_with_the_query(run: Run, query: str, message: str) -> None:
    """An update said "expected CONSTRUCT", an empty query "expected [_]", an undeclared prefix
    dumped the parser's character classes."""
    result = run("sparql", "-", input=query)
    assert (result.exit_code, result.stdout) == (1, "")
    assert _one_line(result.stderr) == f"casegraph: error: <stdin>: {message}\n"


def test_a_folder_or_a_missing_store_is_named_and_a_pipe_is_read(run: Run, tmp_path: Path) -> None:
    folder = run("sparql", "-", "--data", str(tmp_path), input=QUERY)
    assert (folder.exit_code, folder.stderr) == (
        2,
        f"casegraph: error: --data {tmp_path}: is a folder; give the files in it (--data {tmp_path}/*.ttl)\n",
    )
    missing = tmp_path / "mistyped-store"
    store = run("sparql", "-", "--store", str(missing), input=QUERY)
    assert (store.exit_code, store.stderr) == (
        2,
        f"casegraph: error: --store {missing}: no casegraph store here; give --data FILE… to build one there\n",
    )
    assert not missing.exists()  # no empty store left behind to answer 0 rows next time
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text(DATA, encoding="utf-8"))
    writer.start()
    read = run("sparql", "-", "--data", str(pipe), "--input-format", "ntriples", "--format", "csv", input=QUERY)
    writer.join()
    assert (read.exit_code, read.stdout) == (
        0,
        "o,p,s\nhttp://example.org/o,http://example.org/p,http://example.org/s\n",
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_a_timeout_is_a_finite_number_of_seconds(run: Run, value: str) -> None:
    """`--timeout inf` ended in an OverflowError traceback; `nan` in a misleading redirect message."""
    result = run("query", "timeline", "--endpoint", "http://127.0.0.1:9/query", "--timeout", value)
    assert result.exit_code == 2
    assert "is not a number of seconds greater than 0" in result.stderr and "Traceback" not in result.stderr


def test_a_second_writer_of_a_folder_waits_and_the_manifest_comes_last(tmp_path: Path) -> None:
    """Two `build --output DIR` at once left a folder whose files came from two builds."""
    import fcntl

    from casegraph.files import write_files

    files = {"SHA256SUMS": b"sums\n", "a.nq": b"a\n", "b.ttl": b"b\n"}
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another build holds the folder
    done: dict[str, Path] = {}
    writer = threading.Thread(target=lambda: done.update(write_files(tmp_path, files)))
    writer.start()
    writer.join(timeout=0.3)
    assert writer.is_alive() and sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []
    os.close(fd)  # the other build ends
    writer.join(timeout=10)
    assert list(done) == ["a.nq", "b.ttl", "SHA256SUMS"]  # renamed in this order: the manifest last
    assert {name: (tmp_path / name).read_bytes() for name in files} == files
    nested = tmp_path / "new" / "build"  # `build --output DIR` creates DIR, as the README's example needs
    assert sorted(write_files(nested, files)) == sorted(files) and (nested / "a.nq").read_bytes() == b"a\n"


HEAVY = "".join(f"<http://e/s{i}> <http://e/p> <http://e/o{i}> .\n" for i in range(3000))
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 2.7e10 rows: minutes


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _evaluating(process: subprocess.Popen[str], cpu: float = 0.4) -> None:
    """Wait until ``process`` has spent ``cpu`` seconds of CPU: it is past start-up, evaluating."""
    deadline = time.monotonic() + 20
    while _cpu_seconds(process.pid) < cpu:
        assert process.poll() is None and time.monotonic() < deadline, "the command did not get going"
        time.sleep(0.02)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"])
def test_a_stop_signal_ends_an_embedded_query_at_once(tmp_path: Path, signum: int, code: int) -> None:
    """Ctrl-C was ignored while pyoxigraph evaluated a query; only SIGTERM stopped it."""
    _needs("/proc/self/stat")
    data, out = tmp_path / "heavy.nt", tmp_path / "out"
    data.write_text(HEAVY, encoding="utf-8")
    out.mkdir()
    with subprocess.Popen(
        [*CLI, "sparql", "-", "--data", str(data), "--output", str(out / "rows.csv")],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdin is not None and process.stderr is not None
        process.stdin.write(CROSS_PRODUCT)
        process.stdin.close()
        _evaluating(process)
        sent = time.monotonic()
        process.send_signal(signum)
        assert process.wait(timeout=10) == code
        assert time.monotonic() - sent < 2
        name = signal.Signals(signum).name
        assert process.stderr.read() == f"casegraph: stopped by {name}; nothing was written\n"
    assert list(out.iterdir()) == []


def test_a_hang_up_during_a_streamed_export_leaves_no_part_file(tmp_path: Path) -> None:
    """SIGTERM and SIGHUP during an export left 18-23 MB .part files."""
    _needs("/proc/self/stat")
    data, out = tmp_path / "big.nt", tmp_path / "out"
    data.write_text("".join(f'<http://e/s{i}> <http://e/p> "v{i}" .\n' for i in range(300_000)), encoding="utf-8")
    out.mkdir()
    with subprocess.Popen(
        [*CLI, "export", "--data", str(data), "--format", "jsonld", "--output", str(out / "big.jsonld")],
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        deadline = time.monotonic() + 20
        while not any(out.iterdir()):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGHUP)
        assert process.wait(timeout=10) == 129
        assert process.stderr.read() == (
            "casegraph: stopped by SIGHUP; nothing was written; removed 1 unfinished file(s)\n"
        )
    assert list(out.iterdir()) == []


def test_an_embedded_query_is_bounded_by_timeout_when_given(tmp_path: Path) -> None:
    data = tmp_path / "heavy.nt"
    data.write_text(HEAVY, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [*CLI, "sparql", "-", "--data", str(data), "--timeout", "0.5"],
        input=CROSS_PRODUCT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert time.monotonic() - started < 5
    assert _one_line(done.stderr) == (
        "casegraph: error: the query ran longer than --timeout 0.5 s and was stopped; nothing was written "
        "(give a larger --timeout, or narrow the query)\n"
    )


def test_a_streamed_export_names_blank_nodes_the_same_on_every_run(run: Run, tmp_path: Path) -> None:
    """`export --data` of input with blank nodes gave 20 different outputs in 20 runs."""
    data = tmp_path / "anonymous.ttl"
    data.write_text(
        "@prefix ex: <http://e/> .\nex:a ex:b [ ex:c 1 ; ex:d [ ex:e 2 ] ] .\n_:x ex:f _:x .\n", encoding="utf-8"
    )
    outputs = {run("export", "--data", str(data), "--format", "nquads").stdout for _ in range(3)}
    assert outputs == {
        '_:b0 <http://e/c> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '_:b1 <http://e/e> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        "_:b0 <http://e/d> _:b1 .\n"
        "<http://e/a> <http://e/b> _:b0 .\n"
        "_:b2 <http://e/f> _:b2 .\n"
    }


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '<http://e/s> <http://e/p> "hello"@en--ltr .',
            '"hello"@en--ltr: a literal with a base direction (RDF 1.2) does not round-trip through JSON-LD 1.1',
        ),
        (
            "<http://e/a> <http://e/b> <<( <http://e/s> <http://e/p> <http://e/o> )>> .",
            "<<( <http://e/s> <http://e/p> <http://e/o> )>>: a triple term (RDF 1.2) cannot be written as JSON-LD 1.1",
        ),
    ],
    ids=["base-direction", "triple-term"],
)
def test_rdf_1_2_terms_json_ld_cannot_carry_are_refused_and_kept_elsewhere(
    run: Run, tmp_path: Path, line: str, message: str
) -> None:
    """JSON-LD silently dropped a literal's base direction; a triple term was a traceback."""
    data, out = tmp_path / "rdf12.nt", tmp_path / "out.jsonld"
    data.write_text(line + "\n", encoding="utf-8")
    refused = run("export", "--data", str(data), "--format", "jsonld", "--output", str(out))
    assert (refused.exit_code, out.exists()) == (1, False)
    assert _one_line(refused.stderr) == (
        f"casegraph: error: {message}; export as N-Triples, N-Quads, Turtle or TriG, which keep it\n"
    )
    kept = run("export", "--data", str(data), "--format", "ntriples")
    assert kept.stdout.endswith(line + "\n")


def test_serve_checks_its_address_before_it_announces_anything(run: Run) -> None:
    """`serve` on a busy port or an unresolvable --bind announced "serving …" before failing."""
    import socket

    from casegraph.serve import url_host

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = run("serve", "--port", str(port))
    assert (taken.exit_code, taken.stdout) == (2, "")
    assert taken.stderr == (
        f"casegraph: error: --port {port}: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "choose another port\n"
    )
    nowhere = run("serve", "--bind", "192.0.2.1", "--port", str(port))  # TEST-NET-1: no interface has it
    assert nowhere.exit_code == 2
    assert nowhere.stderr == (  # the address is the problem, not the port
        "casegraph: error: --bind 192.0.2.1: no interface of this machine has that address (Cannot assign requested "
        "address); give one it has, such as 127.0.0.1\n"
    )
    assert "serving" not in taken.stderr + nowhere.stderr
    assert (url_host("::1"), url_host("127.0.0.1")) == ("[::1]", "127.0.0.1")


@pytest.fixture()
def served(quads: list[Any]) -> Iterator[str]:
    """casegraph's own read-only endpoint over the shipped dataset (ontology, asserted, inferred),
    in this process; yields its /query URL."""
    from casegraph.dataset import select_quads
    from casegraph.serve import serve

    from .servers import free_port

    port, started = free_port(), threading.Event()
    servers: list[Any] = []

    def ready(server: Any) -> None:
        servers.append(server)
        started.set()

    chosen = select_quads(quads, ("ontology", "asserted", "inferred"))
    thread = threading.Thread(target=serve, args=(chosen,), kwargs={"host": "127.0.0.1", "port": port, "ready": ready})
    thread.daemon = True
    thread.start()
    assert started.wait(30)
    yield f"http://127.0.0.1:{port}/query"
    servers[0].shutdown()
    thread.join(10)


def test_serve_refuses_service_and_contacts_no_host(served: str, listener: Listener) -> None:
    """With CORS *, any web page could make the old serve request any URL through SERVICE."""
    import requests

    query = f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    answer = requests.get(served, params={"query": query}, timeout=10)
    assert answer.status_code == 400
    assert answer.text == (
        "the query: line 1: SERVICE ('SERVICE') would send requests to the host it names, and casegraph contacts no "
        "host you did not give; send the query to the endpoint it names instead\n"
    )  # no advice a client of the endpoint cannot follow (the sparql command's --allow-service)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert listener.seen == []


def test_serve_answers_the_sparql_protocol_read_only(served: str, run: Run) -> None:
    import requests

    count = "SELECT (COUNT(*) AS ?n) { ?s a <https://w3id.org/casegraph/ontology#Person> }"
    expected = run("sparql", "-", "--format", "json", input=count).stdout
    as_json = requests.get(served, params={"query": count}, timeout=10)  # the default: SPARQL JSON
    assert as_json.headers["Content-Type"] == "application/sparql-results+json"
    assert as_json.json() == json.loads(expected)
    posted = requests.post(
        served, data=count, headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}, timeout=10
    )
    assert (posted.headers["Content-Type"], posted.text.splitlines()[0]) == ("text/csv; charset=utf-8", "n")
    graph = requests.post(
        served,
        data={"query": "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2"},
        headers={"Accept": "application/n-triples"},
        timeout=10,
    )
    assert graph.headers["Content-Type"] == "application/n-triples" and graph.text.count(" .\n") == 2
    for refused in (
        requests.post(served, data={"update": "DROP ALL"}, timeout=10),
        requests.put(served.replace("/query", "/store"), data=b"", timeout=10),
    ):
        assert refused.status_code == 403
    injected = requests.get(
        served, params={"query": count, "default-graph-uri": "http://e/x> } DROP ALL {"}, timeout=10
    )
    assert injected.status_code == 400 and "is not an absolute IRI" in injected.text


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu_and_state(pid: int) -> tuple[float, str]:
    """Seconds of CPU used by ``pid`` and its state letter; (0, "gone") once it no longer exists."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, "gone"
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), fields[0]


ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PERSONS = "SELECT (COUNT(*) AS ?n) { ?s a <https://w3id.org/casegraph/ontology#Person> }"


def test_serve_stops_a_query_past_its_timeout_and_goes_on_answering(tmp_path: Path) -> None:
    """serve had no time limit: a cross product from any web page (CORS *) kept a core busy forever
    and held its thread. Now it is stopped after --timeout and answered 503, the others are
    answered meanwhile, nothing keeps running, and a killed server leaves no process behind."""
    import requests

    _needs("/proc/self/stat")
    server, url, _ = serving(tmp_path, "--timeout", "1")
    try:
        slow: dict[str, Any] = {}

        def ask_endless() -> None:
            started = time.monotonic()
            with contextlib.suppress(requests.ConnectionError):  # the server may be killed meanwhile
                slow["answer"] = requests.get(url, params={"query": ENDLESS}, timeout=30)
            slow["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=ask_endless)
        thread.start()
        time.sleep(0.3)
        quick = requests.get(url, params={"query": PERSONS}, headers={"Accept": "text/csv"}, timeout=10)
        assert "answer" not in slow  # answered while the endless one ran
        assert (quick.status_code, quick.text.splitlines()[0]) == (200, "n")
        thread.join(30)
        assert slow["answer"].status_code == 503
        assert slow["answer"].text == (
            "the query ran longer than 1 s (the server's --timeout) and was stopped; narrow it (a LIMIT, fewer "
            "unbound patterns), or restart the server with a larger --timeout\n"
        )
        assert 1 <= slow["seconds"] < 5
        children = _descendants(server.pid)
        assert children  # the zygote and the idle worker
        before = sum(_cpu_and_state(pid)[0] for pid in [server.pid, *children])
        time.sleep(0.5)
        after = sum(_cpu_and_state(pid)[0] for pid in [server.pid, *_descendants(server.pid)])
        assert after - before < 0.2  # nothing runs on
        again = requests.get(url, params={"query": PERSONS}, headers={"Accept": "text/csv"}, timeout=10)
        assert again.text == quick.text
        thread = threading.Thread(target=ask_endless)  # a worker busy with a query when the server dies
        thread.start()
        time.sleep(0.3)
        children = _descendants(server.pid)
        server.kill()  # SIGKILL: no clean-up of its own can run
        server.wait(10)
        thread.join(30)
        deadline = time.monotonic() + 5
        while any(_cpu_and_state(pid)[1] not in ("gone", "Z") for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        states = {pid: _cpu_and_state(pid)[1] for pid in children}
        assert set(states.values()) <= {"gone", "Z"}, states  # ended (a zombie awaits a reaper that is not init)
    finally:
        server.kill()
        server.wait(10)


def test_serve_holds_against_hostile_clients(tmp_path: Path) -> None:
    """The red team's second round: clients that hang up mid-query kept the workers busy; an
    answer of any size was buffered whole (1.2 GB); a Content-Length of "²" closed the connection
    with a traceback; `q=0` in Accept was ignored; every client disconnect printed a traceback."""
    import socket

    import requests

    server, url, log = serving(tmp_path, "--timeout", "20", "--max-answer", "1")
    port = int(url.split(":")[2].split("/")[0])
    try:
        for _ in range(4):  # more than the workers: each hangs up while its endless query runs
            with socket.create_connection(("127.0.0.1", port)) as hasty:
                hasty.sendall(f"GET /query?query={urllib.parse.quote(ENDLESS)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                time.sleep(0.2)
        started = time.monotonic()
        quick = requests.get(url, params={"query": PERSONS}, headers={"Accept": "text/csv"}, timeout=10)
        assert quick.status_code == 200 and time.monotonic() - started < 2  # their workers were stopped
        huge = requests.get(
            url, params={"query": "SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 100000"}, headers={"Accept": "text/csv"},
            timeout=20,
        )  # fmt: skip
        assert (huge.status_code, huge.text) == (
            500,
            "the answer is over 1 MB (the server's --max-answer); narrow the query (a LIMIT), or restart the server "
            "with a larger --max-answer\n",
        )
        picky = requests.get(url, params={"query": PERSONS}, headers={"Accept": "application/json;q=0, text/csv"})
        assert picky.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert requests.get(url, params={"query": PERSONS}, headers={"Accept": "text/csv;q=0"}).status_code == 406
        with socket.create_connection(("127.0.0.1", port)) as odd:
            odd.sendall(b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\n")
            assert odd.recv(100).startswith(b"HTTP/1.1 400 ")
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(10) == 143
    assert "Traceback" not in log.read_text()


def test_serve_stops_in_one_line_when_it_can_no_longer_start_workers(tmp_path: Path) -> None:
    """Killing the zygote (as the OOM killer might) left the server listening and failing forever."""
    import requests

    _needs("/proc/self/stat")
    server, url, log = serving(tmp_path)
    try:
        (zygote,) = _descendants(server.pid)  # before any query: the zygote alone
        os.kill(zygote, signal.SIGKILL)
        answer = requests.get(url, params={"query": "ASK {}"}, timeout=10)
        assert (answer.status_code, answer.text) == (
            503,
            "the server can no longer start query workers; restart casegraph serve\n",
        )
        assert server.wait(10) == 1
    finally:
        server.kill()
    assert log.read_text().splitlines()[-1] == (
        "casegraph: error: serve: the process that starts the query workers ended (killed, or out of memory); the "
        "server stopped; start it again"
    )


def test_a_failed_fork_is_503_and_kills_nothing(tmp_path: Path) -> None:
    """When the zygote could not fork (EAGAIN), the server read its empty reply as process 0 and
    sent SIGKILL to process 0: its own whole process group (a shell, make, CI)."""
    import requests

    from .servers import free_port

    port = free_port()
    script = tmp_path / "forkfail.py"
    script.write_text(
        "import errno, os, sys\n"
        "import casegraph.serve as serve\n"
        "from casegraph.dataset import read_quads\n"
        "server, real = os.getpid(), serve._fork\n"
        "def fork():\n"
        "    if os.getpid() != server:  # in the zygote: no process to spare\n"
        "        raise OSError(errno.EAGAIN, 'Resource temporarily unavailable')\n"
        "    return real()\n"
        "serve._fork = fork\n"
        f"serve.serve(read_quads()[:10], host='127.0.0.1', port={port}, ready=lambda s: print('ready', flush=True))\n",
        encoding="utf-8",
    )
    group = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert group.stdout is not None and group.stdout.readline() == b"ready\n"
        answer = requests.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=10)
        assert (answer.status_code, answer.text) == (
            503,
            "no process could be started for the query now (too many processes?); try again\n",
        )
        assert group.poll() is None  # alive: nothing was sent SIGKILL
    finally:
        os.killpg(group.pid, signal.SIGKILL)
        group.wait(10)
        if group.stdout is not None:
            group.stdout.close()


def test_serve_closes_a_request_that_trickles_in(served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client sending one header line every 10 s held a thread for as long as it liked: the
    30 s limit applied to each read, not to the request."""
    import socket

    import casegraph.serve

    monkeypatch.setattr(casegraph.serve, "REQUEST_TIMEOUT", 0.6)
    port = int(served.split(":")[2].split("/")[0])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.settimeout(5)
        slow.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n")
        with contextlib.suppress(OSError):
            for _ in range(20):  # a header byte every 0.2 s: each read is in time
                slow.sendall(b"X")
                time.sleep(0.2)
                if slow.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    break
    assert 0.5 < time.monotonic() - started < 2.5


def test_a_serve_timeout_beyond_a_day_is_refused(run: Run) -> None:
    """--timeout 3000000 was accepted, then every query overflowed the wait and leaked a worker."""
    refused = run("serve", "--timeout", "3000000")
    assert (refused.exit_code, refused.stderr) == (
        2,
        "casegraph: error: --timeout: 3e+06 is over a day (86400 seconds); give fewer seconds "
        "(see `casegraph serve --help`)\n",
    )


def test_serve_with_a_store_folder_answers_from_it(tmp_path: Path) -> None:
    """With --store the server closes its store and each worker opens it read-only."""
    import requests

    store = tmp_path / "store"
    server, url, log = serving(tmp_path, "--store", str(store))
    try:
        triples = int(log.read_text().split("serving ")[1].split()[0])
        count = requests.get(
            url, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}, headers={"Accept": "text/csv"}, timeout=10
        )
        assert count.text.splitlines() == ["n", str(triples)]
        assert any(store.iterdir())  # kept on disk
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(10) == 130


def test_a_literal_over_the_parsers_limit_is_one_line(run: Run, tmp_path: Path) -> None:
    """A literal over 16 MiB ended in `MemoryError: Reached the buffer maximal size`."""
    huge = tmp_path / "huge.nt"
    huge.write_text('<http://e/s> <http://e/p> "' + "x" * (17 * 2**20) + '" .\n', encoding="utf-8")
    for args in (["export", "--format", "ntriples"], ["sparql", "-"]):
        result = run(*args, "--data", str(huge), input=QUERY)
        assert result.exit_code == 1
        assert _one_line(result.stderr) == (
            f"casegraph: error: {huge}: a literal or IRI is longer than the parser's limit of 16 MiB; nothing was "
            "written or loaded\n"
        )


def test_a_remote_json_ld_context_is_not_fetched_and_says_so(run: Run, tmp_path: Path) -> None:
    """A remote @context said "No LoadDocumentCallback"."""
    document = tmp_path / "remote.jsonld"
    document.write_text(
        '{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://e/s", "p": "v"}', encoding="utf-8"
    )
    result = run("export", "--data", str(document), "--format", "ntriples")
    assert (result.exit_code, result.stdout) == (1, "")
    assert _one_line(result.stderr) == (
        f"casegraph: error: {document}: its @context is a URL, and casegraph fetches no remote context (it contacts "
        "no host you did not give); put the context object itself in the document; nothing was written or loaded\n"
    )


def test_a_second_build_of_one_store_waits_then_finds_it_built(tmp_path: Path) -> None:
    """Two --store builds into one folder ended in a traceback."""
    import fcntl

    from casegraph.errors import UsageError
    from casegraph.inputs import read_inputs

    data = tmp_path / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    store = tmp_path / "store"
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a first build holds the folder
    outcome: list[object] = []

    def second() -> None:
        try:
            read_inputs([str(data)], store_dir=store)
        except UsageError as err:
            outcome.append(str(err))

    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(timeout=0.3)
    assert waiting.is_alive() and not store.exists()
    built = ox.Store(str(store))  # the first build ends: its store is in place
    built.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    built.flush()
    del built
    os.close(fd)
    waiting.join(timeout=10)
    assert outcome == [f"--store {store}: another command has just built a store here; leave out --data to reuse it"]


LOL = '<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {name} "{("&" + part + ";") * 10}">' for part, name in [("a", "b"), ("b", "c"), ("c", "d")]
)


@pytest.mark.parametrize(
    ("prologue", "message"),
    [
        (f"<!doctype rdf:RDF [{LOL}]>", "entity b is made of other entities"),  # XML's keyword, any case
        ("<!--" + "x" * (2**20 + 10) + f"--><!DOCTYPE rdf:RDF [{LOL}]>", "a DOCTYPE after the first 1 MiB"),
        (f"<!DOCTYPE rdf:RDF [<!-- ]> -->{LOL}]>", "entity b is made of other entities"),  # a comment hiding ]>
    ],
    ids=["lowercase", "late", "comment"],
)
def test_the_red_teams_entity_bombs_are_refused_too(run: Run, tmp_path: Path, prologue: str, message: str) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text('<?xml version="1.0"?>' + prologue + RDF_XML_BODY.format(value="&d;"), encoding="utf-8")
    result = run("export", "--data", str(bomb), "--format", "ntriples")
    assert (result.exit_code, result.stdout) == (1, "")
    assert _one_line(result.stderr).startswith(f"casegraph: error: {bomb}: {message}")


def test_no_input_of_any_kind_is_overwritten_and_a_link_is_written_through(run: Run, tmp_path: Path) -> None:
    """--output could replace the dataset a query read, a bundled query, or the file on stdin."""
    import shutil

    from casegraph.dataset import dataset_file
    from casegraph.queries import find_query

    dataset = tmp_path / "dataset"
    shutil.copytree(dataset_file().parent, dataset)
    nq = dataset / "casegraph.nq"
    before = nq.read_bytes()
    assert run("sparql", "-", "--dataset", str(dataset), "--output", str(nq), input=QUERY).exit_code == 2
    assert nq.read_bytes() == before
    bundled = find_query("timeline").path
    text = bundled.read_bytes()
    assert run("query", "timeline", "--output", str(bundled)).exit_code == 2
    assert bundled.read_bytes() == text
    private = tmp_path / "private.csv"
    private.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(private)
    assert run("query", "timeline", "--format", "csv", "--output", str(link)).exit_code == 0
    assert link.is_symlink() and private.read_text(encoding="utf-8").startswith("when,")


def test_an_error_met_while_the_query_runs_is_one_line(run: Run) -> None:
    """An unbound SERVICE variable (allowed) ended in a traceback while the rows were read."""
    result = run("sparql", "-", "--allow-service", input="SELECT * { SERVICE ?nowhere { ?s ?p ?o } }")
    assert (result.exit_code, result.stdout) == (1, "")
    assert _one_line(result.stderr).startswith("casegraph: error: the query failed while running (")


def test_into_may_not_reuse_a_graph_of_the_data_or_casegraphs_bookkeeping(tmp_path: Path) -> None:
    from casegraph.errors import UsageError
    from casegraph.load import LEASE_GRAPH, store_sources

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("in no graph")))
    store.add(
        ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"), ox.NamedNode("http://e/g"))
    )
    with pytest.raises(UsageError, match="the data already has a graph of that name"):
        store_sources(store, into="http://e/g")  # the default graph's triples would have replaced it
    with pytest.raises(UsageError, match="casegraph's own bookkeeping"):
        store_sources(store, into=LEASE_GRAPH)
    assert [s.graph for s in store_sources(store, into="http://e/other")] == ["http://e/other", "http://e/g"]


def test_a_ctrl_c_while_the_command_loads_is_quiet() -> None:
    """A Ctrl-C in the first tens of milliseconds (while click loads) printed a traceback. Here the
    load of the command line is slowed down to make that moment last."""
    code = (
        "import builtins, sys, time\n"
        "import casegraph.__main__ as entry\n"
        "real = builtins.__import__\n"
        "def slow(name, *args, **kwargs):\n"
        "    if name == 'cli':\n"
        "        sys.stderr.write('loading\\n'); sys.stderr.flush(); time.sleep(5)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = slow\n"
        "sys.argv = ['casegraph', 'query', 'timeline']\n"
        "entry.run()\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        assert process.stderr.readline() == "loading\n"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 130
        assert process.stderr.read() == "casegraph: stopped by SIGINT; nothing was written\n"
