"""Many reports: a second report, written for the tests (tests/data/second-report), added to the
shipped tree as the README's "Adding a report" says, with no Python change. (That removing it
restores graph/build byte for byte is test_build's currency test, which builds that tree.)

It restates one fact of the AP report (Kim Brandt's post at CMS) and adds one of its own (a post
for the unnamed state health official), reusing the canonical entities.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from casegraph.build import ground_reports, read_sources
from casegraph.dataset import open_dataset, read_quads
from casegraph.errors import BuildError, GroundingError, OntologyError
from casegraph.export import graph_iri
from casegraph.facade import Source, sparql
from casegraph.iris import DATASET_IRI, GRAPHS, ID_NS, SOURCE_ID, SOURCE_IRI, role_graph, selector_of
from casegraph.queries import BundledQuery, discover, run_query

from .conftest import SECOND, SECOND_REPORT, Run, Tree, TwoReports, add_second_report, copy_tree, value

DCTERMS = "http://purl.org/dc/terms/"
SECOND_IRI = ID_NS + "source/test-cms-brief"
SECOND_TEXT = (SECOND_REPORT / "graph" / "sources" / f"{SECOND}.txt").read_text(encoding="utf-8")
SECOND_GRAPHS = {role_graph("asserted", SECOND), role_graph("evidence", SECOND)}
BRANDT = ID_NS + "person/kim-brandt"
BRANDT_HOLDS = (BRANDT, "http://www.w3.org/ns/org#holds", ID_NS + "post/cms-deputy-administrator-and-coo")
PARAMS = {"evidence": {"resource": BRANDT}}


def _csv(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> list[dict[str, str]]:
    out = io.BytesIO()
    assert isinstance(result, ox.QuerySolutions)
    result.serialize(out, format=ox.QueryResultsFormat.CSV)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode())))


def _csv_rows(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> list[ox.QuerySolution]:
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _rows(query: BundledQuery, store: ox.Store) -> list[dict[str, str]]:
    return _csv(run_query(store, query, PARAMS.get(query.id, {})))


def _triples_by_graph(quads: list[ox.Quad]) -> dict[tuple[str, str, str], set[str]]:
    graphs: dict[tuple[str, str, str], set[str]] = {}
    for q in quads:
        graphs.setdefault((value(q.subject), value(q.predicate), value(q.object)), set()).add(graph_iri(q))
    return graphs


def test_each_report_has_its_own_asserted_and_evidence_graph(two_reports: TwoReports) -> None:
    quads = read_quads(two_reports.dataset)
    assert {graph_iri(q) for q in quads} == set(GRAPHS.values()) | SECOND_GRAPHS
    store = open_dataset(two_reports.dataset)
    listed = store.query(f"SELECT ?source {{ GRAPH ?g {{ <{DATASET_IRI}> <{DCTERMS}source> ?source }} }}")
    described = {value(row["source"]) for row in _csv_rows(listed)}
    assert described == {SOURCE_IRI, SECOND_IRI}
    digest = hashlib.sha256(SECOND_TEXT.encode()).hexdigest()
    (row,) = _csv_rows(
        store.query(
            f"""SELECT ?n ?sum {{ GRAPH <{GRAPHS["metadata"]}> {{
              <{SECOND_IRI}> <https://w3id.org/casegraph/ontology#characterCount> ?n ;
                  <http://spdx.org/rdf/terms#checksum>/<http://spdx.org/rdf/terms#checksumValue> ?sum ;
                  <http://purl.org/dc/terms/title> "A test report about CMS"@en }} }}"""
        )
    )
    assert (int(value(row["n"])), value(row["sum"])) == (len(SECOND_TEXT), digest)
    whose = store.query(
        f"SELECT ?g ?source {{ GRAPH <{GRAPHS['metadata']}> {{ ?g a <http://rdfs.org/ns/void#Dataset> ; "
        f"<{DCTERMS}source> ?source }} }} ORDER BY ?g"
    )
    assert [(value(r["g"]), value(r["source"])) for r in _csv_rows(whose) if value(r["g"]) != DATASET_IRI] == [
        (GRAPHS["asserted"], SOURCE_IRI),
        (role_graph("asserted", SECOND), SECOND_IRI),
        (GRAPHS["evidence"], SOURCE_IRI),
        (role_graph("evidence", SECOND), SECOND_IRI),
    ]
    asserted = [q for q in quads if graph_iri(q) == role_graph("asserted", SECOND)]
    assert len(asserted) == 16  # 6 entities, each with its type and label, and 4 facts
    subjects = {value(q.subject) for q in asserted}
    assert subjects == {
        BRANDT,
        ID_NS + "post/cms-deputy-administrator-and-coo",
        ID_NS + "agency/cms",
        ID_NS + "organization/state-of-california",
        ID_NS + "person/unnamed-state-health-official",
        ID_NS + "post/california-state-medical-director",
    }


def test_two_reports_may_state_one_fact_while_roles_stay_disjoint(two_reports: TwoReports) -> None:
    graphs = _triples_by_graph(read_quads(two_reports.dataset))
    assert graphs[BRANDT_HOLDS] == {GRAPHS["asserted"], role_graph("asserted", SECOND)}
    for triple, names in graphs.items():
        roles = {selector_of(g).partition(":")[0] for g in names}
        assert len(roles) == 1, (triple, names)


def test_the_bundled_queries_answer_across_both_reports(store: ox.Store, two_reports: TwoReports) -> None:
    both = open_dataset(two_reports.dataset)
    added: dict[str, list[dict[str, str]]] = {}
    removed: dict[str, list[dict[str, str]]] = {}
    for query in discover():
        before, after = _rows(query, store), _rows(query, both)
        added[query.id] = [row for row in after if row not in before]
        removed[query.id] = [row for row in before if row not in after]
    # the only row that goes: the unnamed official without a post, who now has one
    official = ID_NS + "person/unnamed-state-health-official"
    assert {q: rows for q, rows in removed.items() if rows} == {
        "people-and-posts": [
            {
                "person": official,
                "personLabel": "unnamed state public-health official who reviewed CMS's requests to the states",
                **dict.fromkeys(("post", "postLabel", "organization", "organizationLabel", "former"), ""),
            }
        ]
    }
    assert added["people-and-posts"] == [
        {
            "person": official,
            "personLabel": "unnamed state public-health official who reviewed CMS's requests to the states",
            "post": ID_NS + "post/california-state-medical-director",
            "postLabel": "State Medical Director, State of California",
            "organization": ID_NS + "organization/state-of-california",
            "organizationLabel": "State of California",
            "former": "false",
        }
    ]
    words = "Kim Brandt, deputy administrator and chief operating officer of CMS"
    start = SECOND_TEXT.index(words)
    assert [(r["predicate"], r["exact"], r["start"], r["end"], r["source"]) for r in added["evidence"]] == [
        (BRANDT_HOLDS[1], words, str(start), str(start + len(words)), SECOND_IRI)
    ]
    # the evidence names the report of each span: the AP report's rows are all still there, its own
    assert {r["source"] for r in _rows(next(q for q in discover() if q.id == "evidence"), both)} == {
        SOURCE_IRI,
        SECOND_IRI,
    }
    assert {q: rows for q, rows in added.items() if rows} == {
        "people-and-posts": added["people-and-posts"],
        "evidence": added["evidence"],
    }


def test_duplicate_triples_never_change_a_bundled_querys_rows(
    quads: list[ox.Quad], store: ox.Store, tmp_path: Path
) -> None:
    """A second report restating every fact of the first, with the same evidence, changes no row of
    any bundled query (pyoxigraph 0.5 keeps a triple once per graph in a default graph made of
    several; the dataset is queried through their merge, so joins do not multiply either)."""
    copy = {"asserted": role_graph("asserted", "copy"), "evidence": role_graph("evidence", "copy")}
    doubled = list(quads)
    for q in quads:
        role = selector_of(graph_iri(q)).partition(":")[0]
        if role in copy:
            doubled.append(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(copy[role])))
    (tmp_path / "casegraph.nq").write_bytes(ox.serialize(doubled, format=ox.RdfFormat.N_QUADS) or b"")
    both = open_dataset(tmp_path)
    for query in discover():
        assert _rows(query, both) == _rows(query, store), query.id
    count = f"SELECT (COUNT(*) AS ?n) {{ <{BRANDT}> <{BRANDT_HOLDS[1]}> ?post }}"
    assert [value(r["n"]) for r in _csv_rows(sparql(count, Source(dataset=tmp_path)))] == ["1"]
    # without the merge, pyoxigraph counts the triple once per graph
    raw = ox.Store()
    raw.extend(doubled)
    twice = raw.query(count, default_graph=[ox.NamedNode(GRAPHS["asserted"]), ox.NamedNode(copy["asserted"])])
    assert [value(r["n"]) for r in _csv_rows(twice)] == ["2"]


def test_graphs_selects_one_reports_graph(run: Run, two_reports: TwoReports) -> None:
    folder = str(two_reports.dataset)
    one = run("export", "--dataset", folder, "--graphs", f"asserted:{SECOND}", "--format", "ntriples")
    assert one.exit_code == 0, one.stderr
    expected = {
        str(ox.Triple(q.subject, q.predicate, q.object))
        for q in read_quads(two_reports.dataset)
        if graph_iri(q) == role_graph("asserted", SECOND)
    }
    assert {str(t) for t in ox.parse(one.stdout.encode(), format=ox.RdfFormat.N_TRIPLES)} == expected
    rows = run(
        "query", "people-and-posts", "--dataset", folder, "--graphs", f"ontology,asserted:{SECOND}", "--format", "csv"
    )
    assert rows.exit_code == 0, rows.stderr
    assert [line.split(",")[0] for line in rows.stdout.splitlines()[1:]] == [
        BRANDT,
        ID_NS + "person/unnamed-state-health-official",
    ]
    unknown = run("export", "--dataset", folder, "--graphs", "asserted:nope", "--format", "ntriples")
    assert (unknown.exit_code, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        "casegraph: error: --graphs asserted:nope: no report 'nope' in this dataset; "
        f"its reports: {SOURCE_ID}, {SECOND}\n"
    )
    single = run("export", "--graphs", "inferred:x", "--format", "ntriples")
    assert single.stderr == (
        "casegraph: error: --graphs: unknown graph 'inferred:x': only asserted and evidence have a graph per report; "
        "write 'inferred'\n"
    )


def test_a_reports_files_are_checked(tmp_path: Path, paths: Tree) -> None:
    tree = copy_tree(tmp_path, paths)
    add_second_report(tree)
    description = tree.sources / f"{SECOND}.ttl"
    text = description.read_text(encoding="utf-8")
    description.write_text(text.replace("test-cms-brief> a", "ap-2025-06-13-medicaid-data-dhs> a"), encoding="utf-8")
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == (
        f"{tree.sources}: reports {SOURCE_ID} and {SECOND} both have the IRI <{SOURCE_IRI}>; give each report its own"
    )
    description.write_text(text.replace('    cgc:facts "test-cms-brief.ttl" ;\n', ""), encoding="utf-8")
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == (
        f"{description}: name the report's facts file once, as "
        f'<{SECOND_IRI}> cgc:facts "FILE.ttl" (a path inside graph/)'
    )
    description.write_text(text.replace('"test-cms-brief.ttl"', '"../../elsewhere.ttl"'), encoding="utf-8")
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == (
        f"{description}: cgc:facts '../../elsewhere.ttl' is not a file inside graph/ "
        f"(it resolves to {tmp_path / 'elsewhere.ttl'})"
    )
    description.write_text(text, encoding="utf-8")
    report = tree.sources / f"{SECOND}.txt"
    report.write_text(SECOND_TEXT.replace("true", "false"), encoding="utf-8")
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value).startswith(f"{report}: the text's SHA-256 is ")
    assert str(err.value).endswith(
        "SHA256SUMS records; a source text is never edited (restore it), or record a new report under a new name"
    )
    (tree.sources / "odd name.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OntologyError, match=r"odd name\.txt: a report's id \(its file name without \.txt\) names"):
        read_sources(tree)


def _second_tree(tmp_path: Path, paths: Tree) -> Tree:
    tree = copy_tree(tmp_path, paths)
    add_second_report(tree)
    return tree


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _sums(tree: Tree, line: str) -> None:
    """Replace the second report's line of SHA256SUMS with ``line`` (``{sha}`` is its SHA-256)."""
    digest = hashlib.sha256(SECOND_TEXT.encode()).hexdigest()
    sums = tree.sources / "SHA256SUMS"
    kept = [row for row in sums.read_text(encoding="utf-8").splitlines() if SECOND not in row]
    sums.write_text("\n".join([*kept, line.format(sha=digest)]) + "\n", encoding="utf-8")


def _empty_text(tree: Tree) -> None:
    (tree.sources / f"{SECOND}.txt").write_text("\n", encoding="utf-8")
    _sums(tree, "")


# (what the curator did wrong, the edit, the one-line message; {sources}/{graph} are the tree's folders)
LAYOUT_MISTAKES: list[tuple[str, Callable[[Tree], object], str]] = [
    (
        "a description whose text is gone",
        lambda t: (t.sources / "gone.ttl").write_text("", encoding="utf-8"),
        "{sources}/gone.ttl: describes a report whose text gone.txt is not here; add the text, or remove the "
        "description",
    ),
    (
        "a facts file no report names",
        lambda t: (t.root / "graph" / "orphan.ttl").write_text("", encoding="utf-8"),
        "{graph}/orphan.ttl: no report names it as its facts file (cgc:facts in graph/sources/ID.ttl); name it in "
        "its report's description, or remove it",
    ),
    (
        "two reports sharing a facts file",
        lambda t: _edit(t.sources / f"{SECOND}.ttl", '"test-cms-brief.ttl"', '"article.ttl"'),
        "{sources}: reports 000_1ffa199c7bd90bb3 and test-cms-brief both have the facts file article.ttl; give each "
        "report its own",
    ),
    (
        "a facts file that does not exist",
        lambda t: _edit(t.sources / f"{SECOND}.ttl", '"test-cms-brief.ttl"', '"nothere.ttl"'),
        "{sources}/test-cms-brief.ttl: cgc:facts names {graph}/nothere.ttl, which does not exist; create it",
    ),
    (
        "an empty text",
        _empty_text,
        "{sources}/test-cms-brief.txt: the source text is empty; copy the report's text into it",
    ),
    (
        "a report IRI outside id/source/",
        lambda t: _edit(t.sources / f"{SECOND}.ttl", "id/source/test-cms-brief>", "id/report/test-cms-brief>"),
        "{sources}/test-cms-brief.ttl: the report's IRI <https://w3id.org/casegraph/id/report/test-cms-brief> is "
        "not https://w3id.org/casegraph/id/source/SLUG; mint it there",
    ),
    (
        "an ill-typed date",
        lambda t: _edit(t.sources / f"{SECOND}.ttl", '"2026-11-30"^^xsd:date', '"someday"^^xsd:date'),
        '{sources}/test-cms-brief.ttl: "someday"^^xsd:date is not a valid value of its datatype; fix the value',
    ),
    (
        "a description without rights",
        lambda t: _edit(
            t.sources / f"{SECOND}.ttl",
            "    dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;\n",
            "",
        ),
        "{sources}/test-cms-brief.ttl: say who holds the rights to the report or under what licence it is used "
        "(dcterms:rightsHolder, dcterms:rights or dcterms:license); the dataset republishes its words",
    ),
    (
        "an undeclared term in a description",
        lambda t: _edit(t.sources / f"{SECOND}.ttl", "a cg:NewsArticle", "a cg:Newsarticle"),
        "{sources}/test-cms-brief.ttl: uses terms the ontology does not declare: cg:Newsarticle; fix the spelling",
    ),
    (
        "a text recorded twice",
        lambda t: _sums(t, "{sha}  test-cms-brief.txt\n" + "0" * 64 + "  test-cms-brief.txt"),
        "{sources}/SHA256SUMS:3: test-cms-brief.txt is recorded twice, with different SHA-256s; keep one line",
    ),
]


@pytest.mark.parametrize(("mistake", "edit", "message"), LAYOUT_MISTAKES, ids=[m[0] for m in LAYOUT_MISTAKES])
def test_a_curators_mistake_in_the_layout_is_one_line_naming_the_file(
    tmp_path: Path, paths: Tree, mistake: str, edit: Callable[[Tree], object], message: str
) -> None:
    tree = _second_tree(tmp_path, paths)
    edit(tree)
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    expected = message.format(sources=tree.sources, graph=tree.root / "graph")
    assert (str(err.value), "\n" in str(err.value)) == (expected, False)


def test_a_text_linked_from_outside_the_tree_is_refused(tmp_path: Path, paths: Tree) -> None:
    tree = _second_tree(tmp_path, paths)
    outside = tmp_path / f"{SECOND}.txt"
    (tree.sources / f"{SECOND}.txt").rename(outside)
    (tree.sources / f"{SECOND}.txt").symlink_to(outside)
    with pytest.raises(OntologyError) as err:
        read_sources(tree)
    assert str(err.value) == (
        f"{tree.sources / SECOND}.txt: links to {outside}, outside {tree.sources}; copy the text here"
    )


def test_sha256sum_lines_in_binary_mode_or_with_a_dot_slash_are_read(tmp_path: Path, paths: Tree) -> None:
    tree = _second_tree(tmp_path, paths)
    for line in ("{sha} *test-cms-brief.txt", "{sha}  ./test-cms-brief.txt"):
        _sums(tree, line)
        assert [r.id for r in read_sources(tree).reports] == [SOURCE_ID, SECOND]


ENTITY_MISTAKES: list[tuple[str, str, str, str]] = [
    (
        "an entity without its type",
        "organization:state-of-california a cg:GovernmentBody ;\n",
        "organization:state-of-california\n",
        "{facts}: id:organization/state-of-california has no rdf:type; give every entity the facts name its type "
        "and canonical label, as the other facts files do",
    ),
    (
        "another preferred label",
        'skos:prefLabel "Kim Brandt"@en',
        'skos:prefLabel "K. Brandt"@en',
        '{facts}: id:person/kim-brandt has the preferred labels "K. Brandt"@en, but article.ttl gives it '
        '"Kim Brandt"@en; an entity is the same in every report: use the same',
    ),
    (
        "another type",
        "agency:cms a cg:GovernmentAgency",
        "agency:cms a cg:Organization",
        "{facts}: id:agency/cms has the types cg:Organization, but article.ttl gives it cg:GovernmentAgency; an "
        "entity is the same in every report: use the same",
    ),
]


@pytest.mark.parametrize(("mistake", "old", "new", "message"), ENTITY_MISTAKES, ids=[m[0] for m in ENTITY_MISTAKES])
def test_reports_agree_on_the_entities_they_share(
    tmp_path: Path, paths: Tree, mistake: str, old: str, new: str, message: str
) -> None:
    tree = _second_tree(tmp_path, paths)
    facts = tree.root / "graph" / f"{SECOND}.ttl"
    _edit(facts, old, new)
    with pytest.raises(BuildError) as err:
        ground_reports(read_sources(tree))
    assert str(err.value) == message.format(facts=facts)


def test_a_quote_not_in_the_second_report_names_its_facts_file(tmp_path: Path, paths: Tree) -> None:
    tree = _second_tree(tmp_path, paths)
    facts = tree.root / "graph" / f"{SECOND}.ttl"
    _edit(facts, '"state medical director of California" ]', '"state medical directr of California" ]')
    with pytest.raises(GroundingError) as err:
        ground_reports(read_sources(tree))
    at = SECOND_TEXT.index("state medical director of California")
    assert str(err.value) == (
        f"{facts}: id:post/california-state-medical-director <http://www.w3.org/ns/org#postIn> "
        "id:organization/state-of-california: quote "
        f'"state medical directr of California" is not in the source text; the closest words are at {at}-{at + 36}: '
        '"state medical director of California"; copy the words exactly as the source has them (including its typos)'
    )


def test_a_description_restating_a_fact_is_refused(tmp_path: Path, paths: Tree) -> None:
    tree = _second_tree(tmp_path, paths)
    description = tree.sources / f"{SECOND}.ttl"
    with description.open("a", encoding="utf-8") as out:
        out.write(f'<{ID_NS}agency/cms> skos:prefLabel "Centers for Medicare & Medicaid Services"@en .\n')
    with pytest.raises(BuildError) as err:
        ground_reports(read_sources(tree))
    assert str(err.value) == (
        f'{description}: restates id:agency/cms skos:prefLabel "Centers for Medicare & Medicaid Services"@en of '
        "the facts; describe the report here and refer to the entities its facts name by IRI only"
    )
