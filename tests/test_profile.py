"""The ontology stays inside OWL 2 RL, by the OWL API's profile checker (``casegraph.profile``).

Planted defects in ``tests/data/profile/`` show that the checker reports each construct that OWL 2
RL forbids, in the OWL API's words, and accepts the same constructs where the profile allows them.
Without ``java`` and the OWL API jars (Debian: libowlapi-java default-jre-headless) the checker
tests skip, or fail under ``CI=true``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casegraph import profile
from casegraph.errors import ValidationError
from casegraph.profile import check_owl2rl, owlapi_available

from .conftest import REPO
from .external import unavailable

DATA = REPO / "tests" / "data" / "profile"
EX = "https://example.org/profile#"
SUPERCLASS = "Use of non-superclass expression in position that requires a superclass expression: "


@pytest.fixture(scope="module")
def owlapi() -> None:
    """Skip (fail under CI=true) when the checker cannot run here."""
    try:
        profile.checker_command()
    except ValidationError as exc:
        unavailable(str(exc))


def without_ontology_id(violation: str) -> str:
    """The violation up to the axiom, without the ``in OntologyID(...)]`` tail."""
    head, sep, _ = violation.rpartition(" in OntologyID(")
    assert sep, violation
    return head


def test_the_ontology_is_inside_owl2rl(owlapi: None) -> None:
    ontology = REPO / "ontology" / "casegraph.ttl"
    violations = check_owl2rl(ontology)
    assert violations == [], f"{ontology} is outside OWL 2 RL:\n" + "\n".join(violations)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "some_values_superclass.ttl",
            f"{SUPERCLASS}ObjectSomeValuesFrom(<{EX}p> <{EX}B>) "
            f"[SubClassOf(<{EX}A> ObjectSomeValuesFrom(<{EX}p> <{EX}B>))",
            id="someValuesFrom-superclass",
        ),
        pytest.param(
            "union_range.ttl",
            f"{SUPERCLASS}ObjectUnionOf(<{EX}A> <{EX}B>) [ObjectPropertyRange(<{EX}p> ObjectUnionOf(<{EX}A> <{EX}B>))",
            id="unionOf-range",
        ),
        pytest.param(
            "min_cardinality_superclass.ttl",
            f"{SUPERCLASS}ObjectMinCardinality(1 <{EX}p> owl:Thing) "
            f"[SubClassOf(<{EX}A> ObjectMinCardinality(1 <{EX}p> owl:Thing))",
            id="minCardinality-superclass",
        ),
        pytest.param(
            "lang_string_range.ttl",
            f"Use of data range not in profile: rdf:langString [DataPropertyRange(<{EX}note> rdf:langString)",
            id="langString-range",
        ),
    ],
)
def test_a_planted_defect_is_reported(owlapi: None, fixture: str, expected: str) -> None:
    violations = check_owl2rl(DATA / fixture)
    assert [without_ontology_id(v) for v in violations] == [expected]
    assert all("\n" not in v for v in violations)


@pytest.mark.parametrize("fixture", ["in_profile.ttl", "imports.ttl"])
def test_allowed_constructs_are_not_reported(owlapi: None, fixture: str) -> None:
    # in_profile.ttl: someValuesFrom and unionOf as subclasses, allValuesFrom as a superclass;
    # imports.ttl: an owl:imports that is not fetched (the check runs on the file alone).
    assert check_owl2rl(DATA / fixture) == []


def test_a_turtle_syntax_error_is_a_one_line_validation_error(owlapi: None) -> None:
    bad = DATA / "syntax_error.ttl"
    with pytest.raises(ValidationError) as caught:
        check_owl2rl(bad)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: the OWL API cannot load it: Turtle syntax error: ")
    assert message.endswith("at line 11, column 6.")


def test_a_missing_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        check_owl2rl(tmp_path / "absent.ttl")


def test_without_java_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not owlapi_available()
    with pytest.raises(ValidationError) as caught:
        check_owl2rl(DATA / "in_profile.ttl")
    message = str(caught.value)
    assert "\n" not in message
    assert "'java' not on PATH" in message
    assert message.endswith("apt-get install libowlapi-java default-jre-headless")


def test_without_the_jars_the_message_names_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(profile.CLASSPATH_ENV, os.pathsep.join([str(tmp_path / "owlapi-distribution.jar")]))
    assert not owlapi_available()
    with pytest.raises(ValidationError) as caught:
        profile.checker_command()
    message = str(caught.value)
    assert "owlapi-distribution.jar missing" in message
    assert message.endswith("apt-get install libowlapi-java default-jre-headless")


def test_an_incomplete_class_path_is_a_setup_error(
    owlapi: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The OWL API alone, without xz.jar, which its Turtle parser loads: the JVM's missing class
    # comes back as a one-line message saying what to install.
    jars = [profile.JAVA_LIB / name for name in profile.OWLAPI_JARS if name != "xz.jar"]
    monkeypatch.setenv(profile.CLASSPATH_ENV, os.pathsep.join(str(jar) for jar in jars))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # keep this checker build out of the real cache
    with pytest.raises(ValidationError) as caught:
        check_owl2rl(DATA / "in_profile.ttl")
    message = str(caught.value)
    assert "\n" not in message
    assert "org/tukaani/xz" in message
    assert message.endswith("apt-get install libowlapi-java default-jre-headless")
