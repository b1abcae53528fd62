"""The report's facts, claim by claim: each fact a fact-checker found missing or wrong, asserted as
the report states it (read from graph/sources/000_1ffa199c7bd90bb3.txt), with claims kept as the
claims of whoever made them, garbled words flagged as the curator's reading, and outside knowledge
kept out of the asserted graph."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from casegraph.export import graph_iri
from casegraph.iris import GRAPHS, ID_NS, SOURCE_IRI
from casegraph.resources import Paths

from .conftest import solutions, value

PREFIXES = """
PREFIX cg:     <https://w3id.org/casegraph/ontology#>
PREFIX rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oa:     <http://www.w3.org/ns/oa#>
PREFIX owl:    <http://www.w3.org/2002/07/owl#>
PREFIX skos:   <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX time:   <http://www.w3.org/2006/time#>
PREFIX xsd:    <http://www.w3.org/2001/XMLSchema#>
PREFIX dpv:    <https://w3id.org/dpv#>
PREFIX prov:   <http://www.w3.org/ns/prov#>
"""
ASSERTED, EVIDENCE = GRAPHS["asserted"], GRAPHS["evidence"]


def _iris(where: str) -> str:
    """``id:event/hhs-order`` as a full IRI (a prefixed name cannot hold a slash)."""
    return re.sub(r"\bid:([\w\-/]+)", lambda m: f"<{ID_NS}{m.group(1)}>", where)


def ask(store: ox.Store, where: str, *roles: str) -> bool:
    """ASK over the union of ``roles`` (ontology + asserted by default)."""
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(GRAPHS[r]) for r in (roles or ("ontology", "asserted"))]
    result = store.query(PREFIXES + f"ASK {{ {_iris(where)} }}", default_graph=list(named), named_graphs=named)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def values(store: ox.Store, where: str, *roles: str) -> set[str]:
    """The values of ``?v`` over the union of ``roles`` (ontology + asserted by default)."""
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(GRAPHS[r]) for r in (roles or ("ontology", "asserted"))]
    text = PREFIXES + f"SELECT DISTINCT ?v {{ {_iris(where)} }}"
    return {value(row["v"]) for row in solutions(store.query(text, default_graph=list(named), named_graphs=named))}


def read_as(triple: str) -> str:
    """The pattern of a grounding annotation of ``triple`` (an ``?s ?p ?o`` pattern with values)
    that carries the curator's reading of garbled words in ``?reading``."""
    s, p, o = triple.split(" ", 2)
    return f"""?st rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} .
               ?a oa:hasBody ?st ; oa:motivatedBy cg:grounding ; cg:reading ?reading ."""


def test_the_order_gave_cms_54_minutes(store: ox.Store) -> None:
    # "Officials from the centers for Medicare and Medicaid services received only 54 minutes"
    assert ask(
        store,
        """id:event/hhs-order cg:timeToComply ?window .
           ?window a time:ProperInterval ; time:hasXSDDuration "PT54M"^^xsd:duration ;
                   time:hasEnd id:time/hhs-order-deadline .""",
    )


def test_the_green_card_check_is_a_flagged_reading(store: ox.Store) -> None:
    # "… looking for the hopes of migrants who are looking for green cards, a permanent residence
    # residence or citizenship, if they have ever received … the Medicaid services financed by the
    # Federal Government": badly garbled, so every triple rests on a flagged reading.
    check = "id:event/immigration-benefit-medicaid-check"
    assert ask(
        store,
        f"{check} a cg:Review ; cg:conductedBy id:organization/trump-administration ; cg:about id:program/medicaid .",
    )
    assert values(store, f"{check} cg:reviewedPopulation ?v .") == {
        "migrants seeking green cards, permanent residence or citizenship"
    }
    readings = values(store, read_as(f"{check} cg:about id:program/medicaid") + " BIND(?reading AS ?v)", "evidence")
    assert len(readings) == 1 and "green cards" in next(iter(readings))


def test_the_broader_effort_is_the_reports_hedged_assessment(store: ox.Store) -> None:
    # "The initiative seems to be part of a more comprehensive effort of the Trump government …"
    assert ask(
        store,
        f"""id:claim/broader-migrant-data-effort a cg:Assessment ; cg:claimant id:organization/associated-press ;
              cg:claimedIn <{SOURCE_IRI}> ; cg:claimAbout id:event/cms-transfer-to-dhs ; cg:hedged true .""",
    )


def test_brandt_is_read_as_a_trump_appointee_unlike_career_employee_vitolo(store: ox.Store) -> None:
    # "…, Vitolo, a career employee, wrote to Trump, Kim Brandt, deputy administrator …"
    assert values(store, "id:person/kim-brandt cg:careerStatus ?v .") == {"Trump appointee"}
    assert values(
        store, read_as('id:person/kim-brandt cg:careerStatus "Trump appointee"@en') + " BIND(1 AS ?v)", "evidence"
    )
    assert values(store, "id:person/sara-vitolo cg:careerStatus ?v .") == {"career employee"}
    assert not ask(store, read_as('id:person/sara-vitolo cg:careerStatus "career employee"@en'), "evidence")


def test_vitolo_and_brandt_could_not_be_reached(store: ox.Store) -> None:
    # "Vitolo and Brandt could not be reached for a comment."
    assert values(store, "?e a cg:CommentNotObtained ; cg:involves id:person/kim-brandt , ?v .") >= {
        ID_NS + "person/sara-vitolo"
    }


def test_every_state_must_offer_emergency_medicaid_a_flagged_reading(store: ox.Store) -> None:
    # "All states must legally offer medical medical services for non-US citizens, including those
    # who are legally present but have not yet fulfilled a five-year waiting time for Medicaid."
    program = "id:program/emergency-medicaid-for-non-citizens"
    assert ask(store, f"{program} a cg:Program ; cg:requiredOfEveryState true .")
    assert "five-year waiting period" in next(iter(values(store, f"{program} cg:eligiblePopulation ?v .")))
    assert values(store, read_as(f"{program} cg:requiredOfEveryState true") + " BIND(?reading AS ?v)", "evidence")


def test_the_state_programs_began_under_biden_and_the_promise_is_disputed(store: ox.Store) -> None:
    # "The states started these programs during the bidges and said they would not invoice the
    # federal government … The Trump government has raised doubts about this promise."
    programs = "id:program/state-funded-immigrant-medicaid"
    assert ask(store, f"{programs} cg:startedDuring id:organization/biden-administration .")
    assert values(
        store,
        read_as(f"{programs} cg:startedDuring id:organization/biden-administration") + " BIND(1 AS ?v)",
        "evidence",
    )
    promisers = values(store, "id:event/states-no-billing-promise a cg:Statement ; cg:speaker ?v .")
    assert promisers == {
        ID_NS + f"organization/{name}"
        for name in (
            "state-of-california",
            "state-of-new-york",
            "state-of-washington",
            "state-of-oregon",
            "state-of-illinois",
            "state-of-minnesota",
            "state-of-colorado",
            "government-of-the-district-of-columbia",
        )
    }
    assert ask(
        store,
        """id:event/administration-doubts-promise a cg:Statement ; cg:speaker id:organization/trump-administration ;
             cg:stance cg:Disputes ; cg:stanceTarget id:event/states-no-billing-promise ; cg:paraphrased true .""",
    )


def test_the_seven_states_have_democratic_governors(store: ox.Store) -> None:
    # "All states – California, New York, Washington, Oregon, Illinois, Minnesota and Colorado –
    # have democratic governors." (The District has no governor.)
    governed = values(store, "?v cg:governorParty id:organization/democratic-party .")
    assert governed == {
        ID_NS + f"jurisdiction/{j}"
        for j in ("california", "new-york", "washington", "oregon", "illinois", "minnesota", "colorado")
    }


def test_not_yet_submitted_is_the_officials_claim(store: ox.Store) -> None:
    # "The remaining states – New York, Oregon, Minnesota and Colorado – have not yet submitted …,
    # according to a civil servant of the public health system …"
    assert not ask(store, "?program cg:submissionStatus cg:NotYetSubmitted .", "ontology", "asserted", "inferred")
    claimed = values(
        store,
        """?c a cg:StatusClaim ; cg:claimant id:person/unnamed-state-health-official ;
              cg:claimedStatus cg:NotYetSubmitted ; cg:claimAbout ?v .""",
    )
    assert claimed == {
        ID_NS + f"program/{s}-state-funded-medicaid" for s in ("new-york", "oregon", "minnesota", "colorado")
    }
    submitted = values(store, "?v cg:submissionStatus cg:Submitted .")
    assert submitted == {ID_NS + f"program/{s}-state-funded-medicaid" for s in ("california", "washington", "illinois")}


def test_dc_and_washington_did_not_respond_which_is_no_refusal(store: ox.Store) -> None:
    # "State health officers from the district and Washington did not respond to inquiries about comments."
    event = "id:event/state-officials-no-response"
    assert ask(store, f"{event} a cg:CommentNotObtained .")
    assert not ask(store, f"{event} a cg:DeclinedComment .", "ontology", "asserted", "inferred")
    assert values(store, f"{event} cg:involves ?v .") == {
        ID_NS + "organization/state-of-washington",
        ID_NS + "organization/government-of-the-district-of-columbia",
    }


def test_counts_are_qualified_numbers(store: ox.Store) -> None:
    # "around 30,000 non-US citizens"; "millions of Medicaid participants"
    assert ask(
        store,
        """id:event/illinois-program-end cg:count ?q .
           ?q a schema:QuantitativeValue ; schema:value 30000 ; cg:approximate true .""",
    )
    assert ask(
        store,
        """id:dataset/medicaid-enrollee-data-for-dhs cg:count ?q .
           ?q a schema:QuantitativeValue ; schema:minValue 2000000 ; cg:approximate true .""",
    )
    assert not ask(store, "?x cg:approximateCount ?words .")
    # McLaughlin's "ten million illegal aliens" is her statement's words, not a count of ours.
    assert not ask(store, "?x cg:count ?q . ?q schema:value|schema:minValue 10000000 .")


def test_illinois_plans_its_july_end_announced_apart_from_the_plan(store: ox.Store) -> None:
    # "Illinois will also complete his program for around 30,000 non-US citizens in July."
    end = "id:event/illinois-program-end"
    assert not ask(store, f"{end} cg:occurredAt ?t .")
    assert values(store, f"{end} cg:plannedFor/cg:timeValue ?v .") == {"2025-07"}
    assert ask(
        store,
        f"?announcement a cg:Announcement ; cg:announces {end} ; cg:conductedBy id:organization/state-of-illinois .",
    )
    assert not ask(store, "id:event/california-enrollment-freeze cg:occurredAt ?t .")
    assert ask(store, "?a a cg:Announcement ; cg:announces id:event/california-enrollment-freeze ; cg:occurredAt ?t .")


def test_the_irs_case_is_a_ruling_on_an_arrangement_not_a_transfer(store: ox.Store) -> None:
    # "In May, for example,a federal judgerefused to block themInternal Revenue ServiceFrom the
    # exchange of control data from immigrants with immigration and customs authorities …"
    assert not ask(
        store,
        "?t a cg:DataTransfer ; cg:sender|cg:recipient ?agency . FILTER(?agency IN (id:agency/irs, id:agency/ice))",
    )
    assert ask(
        store,
        """id:arrangement/irs-ice-tax-data-sharing a cg:DataSharingArrangement .
           id:event/irs-ice-court-ruling cg:about id:arrangement/irs-ice-tax-data-sharing .""",
    )
    assert ask(
        store,
        """id:event/irs-ice-tax-data-sharing owl:deprecated true ;
             dcterms:isReplacedBy id:arrangement/irs-ice-tax-data-sharing .""",
        "metadata",
    )


def test_purposes_are_claims_of_whoever_stated_them(store: ox.Store) -> None:
    # The report's own "a step that makes it easier to localize people …"; HHS: "to ensure that
    # Medicaid services are reserved for people who are legitimate to receive them"; Nixon
    # "refused to answer questions about why the data was shared to DHS and how they would be used".
    entailed = ("ontology", "asserted", "inferred")
    assert not ask(store, "?t a cg:DataTransfer ; cg:purpose|dpv:hasPurpose ?p .", *entailed)
    claims = values(
        store,
        """?c a cg:PurposeClaim ; cg:claimAbout id:event/cms-transfer-to-dhs ;
              cg:claimant ?who ; cg:claimedPurpose ?what .
           BIND(CONCAT(STR(?who), " ", STR(?what)) AS ?v)""",
    )
    assert claims == {
        ID_NS + "organization/associated-press https://w3id.org/casegraph/ontology#ImmigrationEnforcement",
        ID_NS + "person/andrew-nixon https://w3id.org/casegraph/ontology#BenefitEligibilityVerification",
        # "an initiative to ensure that illegal extraterrestrial benefits are given no …" (DHS)
        ID_NS + "person/tricia-mclaughlin https://w3id.org/casegraph/ontology#BenefitEligibilityVerification",
    }
    assert values(store, "id:event/nixon-declines-questions a cg:DeclinedComment ; cg:question ?v .")


def test_each_party_cites_its_own_unnamed_laws(store: ox.Store) -> None:
    cited = values(
        store,
        """?c a cg:LegalCitation ; cg:citedBy ?who ; cg:citedAuthority ?law .
           FILTER NOT EXISTS { ?law a ?named . FILTER(?named IN (cg:Statute, cg:Policy, cg:ExecutiveOrder)) }
           BIND(CONCAT(STR(?who), ' ', STR(?law)) AS ?v)""",
    )
    assert cited == {
        ID_NS + "person/sara-vitolo " + ID_NS + "authority/memo-cited-federal-authorities",
        ID_NS + "person/andrew-nixon " + ID_NS + "authority/hhs-cited-applicable-law",
        ID_NS + "group/illinois-health-officials " + ID_NS + "authority/illinois-cited-federal-regulations",
    }
    assert ask(
        store, "id:authority/unspecified-federal-law owl:deprecated true ; dcterms:isReplacedBy ?x .", "metadata"
    )


def test_advising_is_not_acting_on_behalf(store: ox.Store) -> None:
    assert not ask(store, "id:group/kennedy-advisers prov:actedOnBehalfOf ?x .", "ontology", "asserted", "inferred")


def test_the_june_10_officer_is_a_flagged_identification(store: ox.Store) -> None:
    # "Four days after sending the memos on June 10, HHS officer instructed the transfer …"
    officials = "id:group/hhs-officials-june-10"
    assert ask(store, f"{officials} cg:identifiedAs id:group/kennedy-advisers .")
    assert ask(
        store,
        f"""?st rdf:subject {officials} ; rdf:predicate cg:identifiedAs ; rdf:object id:group/kennedy-advisers ;
               cg:inferred true ; cg:inferenceNote ?note .""",
        "evidence",
    )
    advisers_words = values(
        store,
        """?a oa:motivatedBy oa:identifying ; oa:hasBody id:group/kennedy-advisers ;
              oa:hasTarget/oa:hasSelector/oa:exact ?v .""",
        "evidence",
    )
    assert "HHS officer" not in advisers_words


def test_a_former_employee_speaks_for_no_organisation(store: ox.Store) -> None:
    from casegraph.queries import find_query, run_query

    rows = [
        r
        for r in solutions(run_query(store, find_query("statements")))
        if value(r["speaker"]) == ID_NS + "person/jeffrey-grant"
    ]
    assert rows and all(r["organization"] is None for r in rows)


def test_labels_say_what_the_report_says_and_enrichment_the_rest(store: ox.Store) -> None:
    assert values(store, "id:authority/executive-order-14218 skos:prefLabel ?v .") == {
        "Executive Order of 19 February 2025, 'Ending Taxpayer Subsidization of Open Borders'"
    }
    post = "id:post/dhs-assistant-secretary-for-public-affairs"
    assert values(store, f"{post} skos:prefLabel ?v .") == {"Assistant Secretary, U.S. Department of Homeland Security"}
    assert values(store, f"{post} skos:altLabel ?v .", "enrichment") == {
        "Assistant Secretary for Public Affairs, U.S. Department of Homeland Security"
    }
    assert values(store, "?x schema:legislationIdentifier ?v .", "enrichment") >= {
        "Executive Order 14218",
        "90 FR 10581",
    }


def test_a_distorted_quote_carries_the_curators_gist_beside_the_words(store: ox.Store) -> None:
    gists = values(store, "id:event/mclaughlin-statement cg:hasQuote ?q . ?q schema:text ?words ; cg:curatorGist ?v .")
    assert len(gists) == 1 and "illegal aliens" in next(iter(gists))


def test_the_anonymous_sources_and_the_unclear_coverage_clause(store: ox.Store) -> None:
    # "Both people talked about the condition of anonymity because they were not authorized …"
    assert values(store, "id:group/anonymous-data-sources cg:anonymityReason ?v .") == {
        "they were not authorized to share details about the data exchange"
    }
    # "… enable immigrants who legally live legally in the country – with full advantages – …"
    assert ask(
        store,
        """?st rdf:subject id:program/state-funded-immigrant-medicaid ; rdf:predicate cg:eligiblePopulation .
           ?a oa:hasBody ?st ; cg:unclearInSource true .""",
        "evidence",
    )


@pytest.mark.parametrize("role", ["asserted", "evidence"])
def test_retired_iris_are_gone_from_the_reports_graphs(quads: list[ox.Quad], role: str) -> None:
    retired = {ID_NS + "event/irs-ice-tax-data-sharing", ID_NS + "authority/unspecified-federal-law"}
    used = {value(t) for q in quads if graph_iri(q) == GRAPHS[role] for t in (q.subject, q.object)}
    assert used.isdisjoint(retired)


# --- the ontology's axioms do what users expect (queried with the default, entailed graphs) -----

ENTAILED = ("ontology", "asserted", "inferred")


def test_every_person_group_and_organisation_is_a_prov_agent(store: ox.Store) -> None:
    agents = values(store, "?v a prov:Agent .", *ENTAILED)
    people = values(store, "?v a cg:Person .", *ENTAILED)
    organisations = values(store, "?v a cg:Organization .", *ENTAILED)
    groups = values(store, "?v a cg:PersonGroup .", *ENTAILED)
    assert people and organisations and groups
    assert people | organisations | groups <= agents


def test_datasets_documents_and_quotes_are_prov_entities(store: ox.Store) -> None:
    entities = values(store, "?v a prov:Entity .", *ENTAILED)
    things = values(store, "?v a ?kind . VALUES ?kind { cg:Dataset cg:Document cg:Quote }", *ENTAILED)
    assert ID_NS + "dataset/medicaid-enrollee-data-for-dhs" in things and things <= entities


def test_a_membership_is_never_inferred_to_be_a_post(store: ox.Store) -> None:
    assert not ask(store, "?m a <http://www.w3.org/ns/org#Membership> , <http://www.w3.org/ns/org#Post> .", *ENTAILED)


def test_the_presidency_is_not_inside_the_trump_administration(store: ox.Store) -> None:
    assert not ask(
        store,
        "id:post/president-of-the-united-states <http://www.w3.org/ns/org#postIn> "
        "id:organization/trump-administration .",
        *ENTAILED,
    )


def test_dpv_consumers_find_the_personal_data_categories(store: ox.Store) -> None:
    pd = "https://w3id.org/dpv/pd#"
    found = values(store, "id:dataset/medicaid-enrollee-data-for-dhs dpv:hasPersonalData ?v .", *ENTAILED)
    assert {pd + "Name", pd + "PhysicalAddress", pd + "OfficialID"} <= found
    assert pd + "Citizenship" not in found  # immigration status is not citizenship
    assert ask(store, "cg:SocialSecurityNumber skos:broadMatch <https://w3id.org/dpv/pd#OfficialID> .", "ontology")
    assert ask(store, "cg:ImmigrationStatus skos:relatedMatch <https://w3id.org/dpv/pd#Citizenship> .", "ontology")
    assert not ask(store, "cg:ImmigrationStatus skos:closeMatch ?x .", "ontology")


def test_washington_the_state_reads_washington_state(store: ox.Store) -> None:
    assert values(store, "id:jurisdiction/washington skos:prefLabel ?v .") == {"Washington State"}


def test_the_ontology_points_at_nothing_outside_the_repository(paths: Paths) -> None:
    text = paths.ontology.read_text(encoding="utf-8")
    assert "../" not in text and "shared/" not in text


# --- a fact-checker's second reading ------------------------------------------------------------


def test_the_review_is_dated_by_its_announcement_not_as_finished(store: ox.Store) -> None:
    # "At the end of the last month, CMS announced that the Medicaid participants of a state had
    # been checked …": the announcement is dated; the review itself is still under way.
    assert not ask(store, "id:event/cms-review cg:occurredAt ?t .")
    assert values(
        store, "?v a cg:Announcement ; cg:announces id:event/cms-review ; cg:occurredAt/cg:timeValue ?t ."
    ) == {ID_NS + "event/cms-review-announcement"}


def test_reported_speech_is_paraphrase_not_a_quote(store: ox.Store) -> None:
    # "Former government officials said that the move was unusual …" and the states "said they
    # would not invoice …": no quotation marks in the report.
    for statement in ("id:event/former-officials-statement", "id:event/states-no-billing-promise"):
        assert ask(store, f"{statement} cg:paraphrased true .")
        assert not ask(store, f"{statement} cg:hasQuote ?q .")


def test_garbled_words_carry_the_curators_reading(store: ox.Store) -> None:
    readings = values(store, "?a oa:motivatedBy cg:grounding ; cg:reading ?r . BIND(?a AS ?v)", "evidence")
    assert len(readings) >= 25
    # "addresses, names, social security numbers and damage requirements" (claims data)
    assert values(
        store,
        read_as("id:dataset/medicaid-enrollee-data-for-dhs cg:containsDataCategory cg:ClaimsData")
        + " BIND(?reading AS ?v)",
        "evidence",
    )


def test_the_review_and_dhs_state_their_purposes(store: ox.Store) -> None:
    claims = values(
        store,
        """?c a cg:PurposeClaim ; cg:claimant ?who ; cg:claimAbout ?what ;
              cg:claimedPurpose cg:BenefitEligibilityVerification .
           BIND(CONCAT(STR(?who), " ", STR(?what)) AS ?v)""",
    )
    assert {
        ID_NS + "agency/cms " + ID_NS + "event/cms-review",
        ID_NS + "person/tricia-mclaughlin " + ID_NS + "event/cms-transfer-to-dhs",
    } <= claims


def test_millions_is_read_as_at_least_two_million_and_flagged(store: ox.Store) -> None:
    assert ask(
        store,
        """?st rdf:subject id:quantity/medicaid-enrollees-in-dataset ; rdf:predicate schema:minValue ;
               cg:inferred true ; cg:inferenceNote ?note .""",
        "evidence",
    )


def test_the_freeze_announcements_time_is_renamed_and_the_old_iri_retired(store: ox.Store) -> None:
    assert ask(
        store,
        "id:time/california-enrollment-freeze owl:deprecated true ; "
        "dcterms:isReplacedBy id:time/california-enrollment-freeze-announcement .",
        "metadata",
    )
