"""The linked-data site (`casegraph publish`): every link resolves, nothing loads from outside,
each page shows the report's words that state what it says and embeds its own triples, every text
is escaped, and a folder that is not a site is never touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pyoxigraph as ox
import pytest

from casegraph.dataset import select_quads
from casegraph.facade import Source, publish
from casegraph.files import sha256
from casegraph.site import SITE_GRAPHS, site_files

from .conftest import Run

ID = "https://w3id.org/casegraph/id/"
OA = "http://www.w3.org/ns/oa#"


class Links(HTMLParser):
    """The links, loads, ids, marks and embedded JSON-LD of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.ids: set[str] = set()
        self.marks: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "id" in found:
            self.ids.add(found["id"] or "")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "link" and found.get("rel") in ("stylesheet", "icon", "preload"):
            self.loads.append(found.get("href") or "")
        if tag == "link" and found.get("rel") == "alternate":
            self.links.append(found.get("href") or "")
        if found.get("src"):
            self.loads.append(found["src"] or "")
        if tag in ("mark", "script"):
            self._in = tag
            if tag == "mark":
                self.marks.append("")
            else:
                self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "mark":
            self.marks[-1] += data
        elif self._in == "script":
            self.scripts[-1] += data


def _parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


BASE = "https://example.org/casegraph/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article's site, written by the CLI under another hash seed than the tests'."""
    folder = tmp_path_factory.mktemp("publish") / "site"
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    command = [sys.executable, "-m", "casegraph", "publish", "--output", str(folder), "--base", BASE]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return folder


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[Path, Links]:
    return {path: _parse(path) for path in sorted(site.rglob("*.html"))}


def test_every_link_resolves_and_nothing_loads_from_outside(site: Path, pages: dict[Path, Links]) -> None:
    assert len(pages) > 150
    for path, page in pages.items():
        for load in page.loads:
            assert "//" not in load and not load.startswith("data:"), f"{path}: loads {load}"
            assert (path.parent / load).resolve().is_file(), f"{path}: {load} is missing"
        for link in page.links:
            if link.startswith(("http://", "https://")):
                continue  # a link out (a Wikidata item, a licence) is followed, never loaded
            target, fragment = urldefrag(link)
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file() and resolved.is_relative_to(site.resolve()), f"{path}: {link} does not resolve"
            if fragment:
                assert fragment in pages[resolved].ids, f"{path}: {link} names no anchor of {target}"


def test_the_index_describes_the_dataset_and_its_source(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>casegraph: the HHS-CMS-DHS Medicaid data transfer</h1>" in html
    assert (
        "<p>From the report <cite>Trump administration gives personal data of immigrant Medicaid enrollees to "
        "deportation officials</cite> by Amanda Seitz and Kimberly Kindy (Associated Press, 2025-06-13)." in html
    )
    assert 'Licence: <a href="https://creativecommons.org/licenses/by/4.0/"' in html


def test_each_page_of_the_dataset_has_its_turtle_and_jsonld_and_the_manifest_lists_every_file(site: Path) -> None:
    order = site / "id" / "event" / "hhs-order"
    for extension in (".html", ".ttl", ".jsonld"):
        assert order.with_suffix(extension).is_file()
    listed = {line.split("  ", 1)[1] for line in (site / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    written = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert listed == written
    w3id = (site / "w3id.htaccess").read_text(encoding="utf-8")
    for extension, accept in ((".ttl", "text/turtle"), (".jsonld", "application/ld\\+json")):
        rule = f"RewriteRule ^((?:id|graph)/.+|ontology)$ https://example.org/casegraph/$1{extension} [R=303,L]"
        assert f"RewriteCond %{{HTTP_ACCEPT}} {accept}\n{rule}\n" in w3id
    assert "RewriteRule ^((?:id|graph)/.+|ontology)$ https://example.org/casegraph/$1.html [R=303,L]" in w3id
    nginx = (site / "nginx.conf").read_text(encoding="utf-8")
    assert "location ~ ^/casegraph/(id|graph)/ {" in nginx and "location = /casegraph/ontology {" in nginx


def test_the_order_page_highlights_the_reports_words_for_each_relation(
    site: Path, pages: dict[Path, Links], quads: list[ox.Quad]
) -> None:
    page = pages[(site / "id" / "event" / "hhs-order.html").resolve()]
    exact = {q.object.value for q in quads if q.predicate.value == OA + "exact" and isinstance(q.object, ox.Literal)}
    assert page.marks and set(page.marks) <= exact
    assert "received only 54 minutes on Tuesday to adhere to the directive" in page.marks
    assert "two top consultants of the health secretaryRobert F. Kennedy Jr.Ordered the data record" in page.marks
    html = (site / "id" / "event" / "hhs-order.html").read_text(encoding="utf-8")
    issued = html[html.index(">issued by</a>") : html.index(">occurred at</a>")]
    assert 'href="../group/kennedy-advisers.html"' in issued
    assert "…gal and ethical concerns.\nStill </span><mark>two top consultants" in issued  # the selector's prefix
    assert "Curator's note: &#39;on Tuesday&#39; is the day the officials had to comply" in html
    occurred = html[html.index(">occurred at</a>") : html.index(">on behalf of</a>")]
    assert (
        "The value is the curator's reading: The text says &#39;June 10&#39; and &#39;Tuesday&#39; without a "
        "year; Tuesday 10 June 2025." in occurred
    )


def test_the_curators_inferences_are_flagged_with_their_notes(site: Path) -> None:
    """An asserted triple the report does not state (cg:inferred on its statement) says so, with
    the curator's note, instead of showing as a fact without words."""
    html = (site / "id" / "person" / "gavin-newsom.html").read_text(encoding="utf-8")
    party = html[html.index(">member of party</a>") :]
    party = party[: party.index("</dd>")]
    assert "Democratic Party" in party and "(no span of the report)" not in party
    assert (
        "Inferred by the curator, not stated in the report: Inferred: the report never calls Newsom a Democrat."
        in party
    )
    assert (
        sum(p.read_text(encoding="utf-8").count("Inferred by the curator") for p in (site / "id").rglob("*.html")) == 29
    )


def test_the_embedded_jsonld_of_every_page_is_its_jsonld_file(site: Path, pages: dict[Path, Links]) -> None:
    import extruct

    checked = 0
    nodes = [path for path in pages if path.parent != site.resolve()]  # (id/… and graph/…)
    for path in nodes:
        embedded = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"], uniform=False)["json-ld"]
        assert len(embedded) == 1, path
        from_page = set(ox.parse(json.dumps(embedded[0]).encode(), format=ox.RdfFormat.JSON_LD))
        from_file = set(ox.parse(path=path.with_suffix(".jsonld"), format=ox.RdfFormat.JSON_LD))
        assert from_page == from_file and from_page, path
        checked += 1
    assert (
        checked == len(nodes) == len(pages) - 6
    )  # all but the index, ontology, queries, timeline, diagram, deprecated


def test_each_page_s_jsonld_says_what_its_turtle_says(site: Path) -> None:
    """The small context a page's JSON-LD carries defines every prefix it uses, also the prefix of a
    compact IRI used as a key (``dcterms:source``): else a reader takes ``dcterms:`` for a scheme."""
    checked = 0
    for jsonld in sorted((site / "id").rglob("*.jsonld")):
        as_jsonld = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=jsonld)}
        as_turtle = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=jsonld.with_suffix(".ttl"))}
        assert as_jsonld == as_turtle, jsonld
        checked += 1
    assert checked > 150


def test_a_page_publishes_its_facts_with_their_evidence(site: Path, quads: list[ox.Quad]) -> None:
    published = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=site / "id" / "person" / "sara-vitolo.ttl", format=ox.RdfFormat.TURTLE)
    }
    vitolo = ox.NamedNode(ID + "person/sara-vitolo")
    asserted = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in quads
        if q.subject == vitolo and "asserted" in str(q.graph_name)
    }
    assert asserted and asserted <= published
    quotes = {
        t.object.value for t in published if t.predicate.value == OA + "exact" and isinstance(t.object, ox.Literal)
    }
    assert {"Medicaid Deputy Director Sara Vitolo", "Vitolo, a career employee"} <= quotes


def test_text_from_the_graph_is_escaped_everywhere(tmp_path: Path) -> None:
    hostile = '</script><script>alert(1)</script><!-- & "x"'
    data = tmp_path / "mine.nt"
    quoted = hostile.replace('"', '\\"')
    data.write_text(
        f'<{ID}event/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "{quoted}" .\n'
        f"<{ID}event/x> <https://w3id.org/casegraph/ontology#issuedBy> <{ID}person/y> .\n",
        encoding="utf-8",
    )
    folder = tmp_path / "site"
    publish(Source(data=(str(data),)), folder)
    html = (folder / "id" / "event" / "x.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<!--" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # the title and heading show it as text
    page = _parse(folder / "id" / "event" / "x.html")
    assert len(page.scripts) == 1  # the label did not close the embedded JSON-LD
    assert "\\u003c/script\\u003e" in page.scripts[0]
    labels = [n["prefLabel"] for n in json.loads(page.scripts[0])["@graph"] if "prefLabel" in n]
    assert labels == [hostile]


def test_the_site_is_the_same_bytes_under_another_hash_seed(site: Path, quads: list[ox.Quad]) -> None:
    files = site_files(select_quads(quads, SITE_GRAPHS), BASE)
    assert (site / "SHA256SUMS").read_bytes() == files["SHA256SUMS"]


def test_publish_replaces_a_previous_site_and_refuses_anything_else(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "mine.nt"
    data.write_text(f'<{ID}event/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "x" .\n', encoding="utf-8")
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep", encoding="utf-8")
    done = run("publish", "--data", str(data), "--output", str(other))
    assert done.exit_code == 2
    assert done.stderr == (
        f"casegraph: error: --output {other}: an existing folder that is not a casegraph site (no index.html "
        "written by casegraph publish); nothing was written; choose a new path, or remove it yourself\n"
    )
    assert [p.name for p in other.iterdir()] == ["mine.txt"]
    for base in ("example.org/casegraph", "https://example.org/c g/", 'https://example.org/"x'):
        bad = run("publish", "--data", str(data), "--output", str(tmp_path / "new"), "--base", base)
        assert bad.exit_code == 2 and f"--base {base!r} is not an absolute http(s) URL" in bad.stderr
    assert not (tmp_path / "new").exists()
    previous = tmp_path / "previous"
    assert run("publish", "--data", str(data), "--output", str(previous), "--base", BASE).exit_code == 0
    (previous / ".git").mkdir()  # someone's own files in a previous site: never deleted
    kept = run("publish", "--data", str(data), "--output", str(previous))
    assert kept.exit_code == 2 and kept.stderr == (
        f"casegraph: error: --output {previous}: a previous site, but .git is not one of its files (its SHA256SUMS "
        "does not list it) and would be deleted; nothing was written; move it out, or choose a new path\n"
    )
    (previous / ".git").rmdir()
    again = run("publish", "--data", str(data), "--output", str(previous))
    assert again.exit_code == 0, again.stderr
    # event/x and the six top pages: index, ontology, queries, timeline, diagram, deprecated
    assert again.stderr == f"wrote 7 pages (18 files) to {previous}\n"  # (and ontology.ttl, .jsonld)
    assert not (previous / "w3id.htaccess").exists()  # the new site has no --base
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.nt", "notes", "previous"]  # no temporary folder


def test_verify_checks_a_site_and_names_a_tampered_page(run: Run, tmp_path: Path, site: Path) -> None:
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    files = len((copy / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    done = run("verify", str(copy))
    assert done.exit_code == 0, done.stdout
    # the graphs of the metadata's checksums: ontology, asserted, evidence, enrichment, inferred
    assert done.stderr == f"verified {files} files and 5 graphs' canonical hashes in {copy}\n"
    page = copy / "id" / "event" / "hhs-order.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Kennedy", "Kenedy"), encoding="utf-8")
    outside = tmp_path / "outside.css"
    outside.write_bytes((copy / "style.css").read_bytes())
    (copy / "style.css").unlink()
    (copy / "style.css").symlink_to(outside)  # the same bytes, from outside the site
    (copy / "id" / "added.html").write_text("mine", encoding="utf-8")
    with (copy / "SHA256SUMS").open("a", encoding="utf-8") as listing:
        listing.write("0" * 64 + "  ../../etc/passwd\n")
    tampered = run("verify", str(copy))
    assert tampered.exit_code == 1
    assert sorted(tampered.stdout.splitlines()) == sorted(
        [
            f"{page}: SHA-256 {sha256(page)}, not the {_recorded(copy, 'id/event/hhs-order.html')} SHA256SUMS records",
            f"{copy / 'SHA256SUMS'}:{files + 1}: '../../etc/passwd' is outside the folder; not checked",
            f"{copy / 'style.css'}: leads outside the folder (a symbolic link); not checked",
            f"{copy / 'id' / 'added.html'}: not listed in SHA256SUMS",
        ]
    )


def _recorded(folder: Path, name: str) -> str:
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.endswith("  " + name):
            return line.split()[0]
    raise AssertionError(name)


def test_no_iri_leads_a_page_out_of_the_site_or_a_link_into_a_script(tmp_path: Path) -> None:
    hostile = [
        f"{ID}../../escaped",
        f"{ID}event/%2e%2e/x",
        f"{ID}a%2Fb",
        f"{ID}x?y=1#z",
        f"{ID}" + "long" * 80,
        "http://example.org/other",
    ]
    lines = [f'<{iri}> <http://www.w3.org/2004/02/skos/core#prefLabel> "n{i}" .' for i, iri in enumerate(hostile)]
    lines += [
        f"<{ID}event/x> <https://w3id.org/casegraph/ontology#documentedIn> <javascript:alert(1)> .",
        f"<{ID}event/x> <https://w3id.org/casegraph/ontology#documentedIn> <{ID}../../escaped> .",
    ]
    data = tmp_path / "hostile.nt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = tmp_path / "out" / "site"
    folder.parent.mkdir()
    publish(Source(data=(str(data),)), folder)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != data]
    assert written and all(p.resolve().is_relative_to(folder.resolve()) for p in written)
    pages = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.html") if p.parent != folder)
    assert pages == sorted(["id/event/x.html", *(f"other/{name}" for name in _hashed(hostile))])
    html = (folder / "id" / "event" / "x.html").read_text(encoding="utf-8")
    assert 'href="javascript:' not in html and ">javascript:alert(1)</span>" in html  # shown, not followed
    parsed = _parse(folder / "id" / "event" / "x.html")
    for link in parsed.links:
        if not link.startswith(("http://", "https://")):  # (links out: the property's own IRI)
            target, _ = urldefrag(link)
            assert (folder / "id" / "event" / target).resolve().is_file(), link


def _hashed(iris: list[str]) -> list[str]:
    from casegraph.site import page_path

    return [page_path(iri).removeprefix("other/") + ".html" for iri in iris]


def test_every_iri_of_the_dataset_s_own_has_a_page_and_no_link_leaves_the_site_for_one(
    site: Path, pages: dict[Path, Links]
) -> None:
    """The dataset, its release, its source, the references of the enrichment and the named graphs
    have pages too, so a page never links out to a casegraph IRI that would find nothing."""
    for name in (
        "id/dataset/casegraph",
        "id/dataset/casegraph/0.2.0",
        "id/source/ap-2025-06-13-medicaid-data-dhs",
        "id/reference/wikidata",
        "graph/asserted/000_1ffa199c7bd90bb3",
        "ontology",
    ):
        for extension in (".html", ".ttl", ".jsonld"):
            assert (site / (name + extension)).is_file(), name + extension
    for path, page in pages.items():
        assert not [link for link in page.links if link.startswith("https://w3id.org/casegraph/")], path
    source = (site / "id" / "source" / "ap-2025-06-13-medicaid-data-dhs.html").read_text(encoding="utf-8")
    assert "What the dataset&#39;s description says" in source or "What the dataset's description says" in source
    assert "Amanda Seitz" in source and "Associated Press" in source


def test_the_curators_bookkeeping_is_apart_from_what_the_report_says(site: Path) -> None:
    """Names, notes and the bounds of a date are the curator's: a time's page lists them under
    "Recorded by the curator"; every other relation of the article's pages has the report's words
    (or is flagged as the curator's inference), so no page shows a relation without either."""
    html = (site / "id" / "time" / "hhs-order.html").read_text(encoding="utf-8")
    recorded = html[html.index("<h2>Recorded by the curator</h2>") :]
    for label in ("earliest", "latest", "inferred", "inference note", "precision"):
        assert f">{label}</a></dt>" in recorded, label
    assert "<h2>What the report says</h2>" not in html
    assert not [p for p in (site / "id").rglob("*.html") if "no span of the report" in p.read_text(encoding="utf-8")]


def test_the_timeline_names_a_bounded_date_by_its_last_possible_day(site: Path) -> None:
    """The transfer happened "this week" of a report dated Friday 13 June: between 10 and 13 June
    (its latest bound is the exclusive midnight of the 14th)."""
    html = (site / "timeline.html").read_text(encoding="utf-8")
    assert "between 2025-06-10 and 2025-06-13</tspan> · CMS hands Medicaid enrollee data to DHS" in html


def test_a_page_s_turtle_declares_only_the_prefixes_it_uses(site: Path) -> None:
    text = (site / "id" / "person" / "sara-vitolo.ttl").read_text(encoding="utf-8")
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix ")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith(("@prefix ", "#")))
    assert declared and all(f"{name}" in body for name in declared)
    assert "event:" not in declared and "dcat:" not in declared  # used elsewhere, not on this page
    assert "\n\n@prefix" not in text  # one block of prefixes, then a blank line
