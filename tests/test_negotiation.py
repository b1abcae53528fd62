"""The site's content negotiation on a real web server: the `nginx.conf` that `casegraph publish`
writes, put in a real nginx on 127.0.0.1, answers each IRI's path with the HTML, Turtle or JSON-LD
file the site has for it, by `Accept`, for a site hosted below a path (`--base`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.facade import Source, publish

from .external import require_tool


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """nginx serving the article's site at /casegraph/ with the site's own nginx.conf."""
    binary = require_tool("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    work = tmp_path_factory.mktemp("nginx")
    site = work / "root" / "casegraph"
    site.parent.mkdir()
    publish(Source(), site, base="https://example.org/casegraph/")
    snippet = (site / "nginx.conf").read_text(encoding="utf-8")
    http_part, _, locations = snippet.partition("\nlocation ")  # the map goes in http, the rest in server
    port = _free_port()
    temp = "".join(
        f"{name}_temp_path {work / name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (work / "nginx.conf").write_text(
        # (as root, nginx's workers would run as nobody, who cannot read pytest's private folders)
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        "events {}\nhttp {\naccess_log off;\n"
        + temp
        + "default_type application/octet-stream;\n"
        + http_part
        + f"\nserver {{\nlisten 127.0.0.1:{port};\nroot {site.parent};\nlocation "
        + locations
        + "\n}\n}\n",
        encoding="utf-8",
    )
    server = subprocess.Popen([binary, "-c", str(work / "nginx.conf"), "-p", str(work)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log = work / "error.log"
                pytest.fail("nginx did not start: " + (log.read_text() if log.exists() else "no error.log"))
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/casegraph/", site
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work / "client_body", ignore_errors=True)


@pytest.mark.parametrize(
    ("path", "accept", "file", "media"),
    [
        ("id/event/hhs-order", "text/html", "id/event/hhs-order.html", "text/html; charset=utf-8"),
        ("id/event/hhs-order", "text/turtle", "id/event/hhs-order.ttl", "text/turtle; charset=utf-8"),
        (
            "id/event/hhs-order",
            "application/ld+json",
            "id/event/hhs-order.jsonld",
            "application/ld+json; charset=utf-8",
        ),
        ("id/event/hhs-order", "*/*", "id/event/hhs-order.html", "text/html; charset=utf-8"),
        ("id/event/hhs-order.ttl", "text/html", "id/event/hhs-order.ttl", "text/turtle; charset=utf-8"),
        (
            "graph/asserted/000_1ffa199c7bd90bb3",
            "text/turtle",
            "graph/asserted/000_1ffa199c7bd90bb3.ttl",
            "text/turtle; charset=utf-8",
        ),
        ("ontology", "application/ld+json", "ontology.jsonld", "application/ld+json; charset=utf-8"),
        ("ontology", "text/html,application/xhtml+xml;q=0.9", "ontology.html", "text/html; charset=utf-8"),
    ],
)
def test_nginx_answers_each_iri_with_the_document_accept_asks_for(
    nginx: tuple[str, Path], path: str, accept: str, file: str, media: str
) -> None:
    base, site = nginx
    with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Accept": accept}), timeout=10) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"] == media
        assert answer.read() == (site / file).read_bytes()
        if "." not in path.rsplit("/", 1)[-1]:
            assert answer.headers["Vary"] == "Accept"


def test_nginx_answers_404_for_an_iri_the_dataset_does_not_have(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "id/event/no-such-event", timeout=10)
    assert missing.value.code == 404
    missing.value.close()
