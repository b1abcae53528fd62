"""Each bundled query's full answer on the article graph, asserted exactly.

The expectations are written from reading the article (graph/sources/000_1ffa199c7bd90bb3.txt):
who is who, what was said, which statutes were cited and how. Offsets are not copied from our
output: they are computed here from the source text (each quote occurs exactly once in it).
Rows are compared in order (every query has a total ORDER BY), IRIs in full, literals by value.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from casegraph.iris import ID_NS, ONTOLOGY_NS, SOURCE_IRI
from casegraph.queries import find_query, run_query
from casegraph.results import rows_as_text, to_table

from .conftest import At


def i(path: str) -> str:
    return ID_NS + path


ORG = "http://www.w3.org/ns/org#"


def c(name: str) -> str:
    return ONTOLOGY_NS + name


def answer(store: ox.Store, query_id: str, **params: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    result = run_query(store, find_query(query_id), params)  # the query's own default graphs
    assert isinstance(result, ox.QuerySolutions)
    table = to_table(result)
    return table.columns, rows_as_text(table)


@pytest.fixture(scope="module")
def at(source_text: str) -> At:
    """The start offset of ``words`` in the source (which must hold them exactly once)."""

    def start(words: str) -> str:
        assert source_text.count(words) == 1, words
        return str(source_text.index(words))

    return start


# --- the people and organisations, with their canonical labels ---------------------------------
HHS = (i("agency/hhs"), "U.S. Department of Health and Human Services")
CMS = (i("agency/cms"), "Centers for Medicare & Medicaid Services")
DHS = (i("agency/dhs"), "U.S. Department of Homeland Security")
ICE = (i("agency/ice"), "U.S. Immigration and Customs Enforcement")
IRS = (i("agency/irs"), "Internal Revenue Service")
ADVISERS = (i("group/kennedy-advisers"), "two top advisers to HHS Secretary Robert F. Kennedy Jr.")
CMS_OFFICIALS = (i("group/cms-medicaid-officials"), "CMS Medicaid officials who opposed the transfer")
VITOLO = (i("person/sara-vitolo"), "Sara Vitolo")
NIXON = (i("person/andrew-nixon"), "Andrew Nixon")
ILLINOIS_OFFICIALS = (i("group/illinois-health-officials"), "Illinois state health officials")
TRANSFER = (i("event/cms-transfer-to-dhs"), "CMS hands Medicaid enrollee data to DHS")
REQUEST = (i("event/dhs-data-request"), "DHS request for Medicaid enrollee data")
OBJECTION = (i("event/cms-objection"), "CMS officials' objection to sharing Medicaid data with DHS")
MEMO = (i("document/vitolo-memo"), "CMS memo of 6 June 2025 signed by Sara Vitolo")
REVIEW = (i("event/cms-review"), "CMS review of states' Medicaid enrollees for immigration status")


def test_ordered_over_objection(store: ox.Store, at: At) -> None:
    columns, rows = answer(store, "ordered-over-objection")
    assert columns == (
        "order",
        "orderLabel",
        "issuer",
        "issuerLabel",
        "principal",
        "principalLabel",
        "addressee",
        "addresseeLabel",
        "orderDate",
        "deadline",
        "objection",
        "objectionLabel",
        "objectionDate",
        "evidence",
        "evidenceStart",
        "evidenceEnd",
        "evidenceFor",
        "relation",
        "value",
        "valueLabel",
    )
    # "two top advisers to ... Kennedy Jr. ordered the dataset handed over"; "HHS officials
    # instructed ... on June 10"; "by 5:30 ET"; over the objection in Vitolo's June 6 memo.
    order = (
        i("event/hhs-order"),
        "HHS order to hand the Medicaid data to DHS",
        *ADVISERS,
        *HHS,
        *CMS,
        "2025-06-10",
        "2025-06-10T17:30:00-04:00",
        *OBJECTION,
        "2025-06-06",
    )
    when = (i("time/hhs-order"), "2025-06-10")
    # The spans that state each relation of the answer (the report's own words, in its order),
    # with the relation and its value: the order's issuer, addressee, date, principal, deadline and
    # the objection it overrode; the transfer's order and objection; and each objector, once.
    relations = [
        ("Medicaid officers have unsuccessfully tried to block data transmission", "objection", "objector",
         CMS_OFFICIALS),
        ("Medicaid officers have unsuccessfully tried to block data transmission", "transfer", "over objection",
         OBJECTION),
        ("two top consultants of the health secretaryRobert F. Kennedy Jr.Ordered the data record", "order",
         "issued by", ADVISERS),
        ("Ordered the data record that was handed over", "transfer", "fulfils",
         (i("event/hhs-order"), "HHS order to hand the Medicaid data to DHS")),
        ("Officials from the centers for Medicare and Medicaid services received only 54 minutes on Tuesday to "
         "adhere to the directive", "order", "addressed to", CMS),
        ("received only 54 minutes on Tuesday to adhere to the directive", "order", "occurred at", when),
        ("according to Vitolos Memo, this would violate federal laws", "objection", "objector", VITOLO),
        ("The legal arguments described in the memo were not convincing at HHS", "order", "over objection",
         OBJECTION),
        ("Four days after sending the memos on June 10, HHS officer instructed", "order", "occurred at", when),
        ("HHS officer instructed the transfer", "order", "on behalf of", HHS),
        ("HHS officer instructed the transfer of “The data to DHS to today at 5:30 ET”", "order", "deadline",
         (i("time/hhs-order-deadline"), "2025-06-10T17:30:00-04:00")),
    ]  # fmt: skip
    expected = [
        (*order, words, at(words), str(int(at(words)) + len(words)), kind, relation, *value)
        for words, kind, relation, value in relations
    ]
    expected.sort(key=lambda row: (int(row[14]), int(row[15]), row[16], row[17], row[18]))
    assert rows == expected
    assert sum(row[17] == "objector" for row in rows) == 2  # each objector once, nothing repeated per objector


def test_legal_authorities(store: ox.Store) -> None:
    columns, rows = answer(store, "legal-authorities")
    assert columns == (
        "authority",
        "authorityLabel",
        "authorityType",
        "authorityTypeLabel",
        "citedBy",
        "citedByLabel",
        "event",
        "eventLabel",
        "document",
        "documentLabel",
        "citedAs",
        "citedAsLabel",
        "regarding",
        "regardingLabel",
        "evidence",
    )
    policy = (
        i("authority/cms-medicaid-data-sharing-policy"),
        "CMS's long-standing policy against sharing Medicaid applicant and enrollee information "
        "outside Medicaid administration",
        c("Policy"),
        "policy",
    )
    eo = (
        i("authority/executive-order-14218"),
        "Executive Order of 19 February 2025, 'Ending Taxpayer Subsidization of Open Borders'",
        c("ExecutiveOrder"),
        "executive order",
    )
    privacy = (i("authority/privacy-act-of-1974"), "Privacy Act of 1974", c("Statute"), "statute")
    ssa = (i("authority/social-security-act"), "Social Security Act", c("Statute"), "statute")
    # One node per citing party for the laws the report does not name (labels sort in that order).
    memo_law, hhs_law, illinois_law = (
        (i(f"authority/{slug}"), label, c("LegalAuthority"), "legal authority")
        for slug, label in (
            ("memo-cited-federal-authorities", "federal statutory and regulatory authorities cited in Vitolo's memo"),
            ("hhs-cited-applicable-law", "the applicable laws HHS's spokesperson cited"),
            ("illinois-cited-federal-regulations", "the other federal regulations Illinois health officials cited"),
        )
    )
    prohibiting = (c("AsProhibiting"), "as prohibiting")
    illinois_statement = (
        i("event/illinois-officials-statement"),
        "Illinois health officials are deeply concerned that enrollee data was shared outside CMS",
    )
    # The words that name each cited authority together with whoever cited it.
    memo_sentence = (
        "CMS civil servants tried to combat the data exchange request from the home protection indicator and said "
        "that according to Vitolos Memo, this would violate federal laws, including the Social Insurance Act"
    )
    illinois_sentence = (
        "the Medicaid customer information of their state was shared with federal authorities outside the CMS, in "
        "view of the fact that the fact that the data is protected according to the Federal Privacy Act"
    )
    assert rows == [
        (
            *policy,
            *VITOLO,
            *OBJECTION,
            *MEMO,
            *prohibiting,
            *REQUEST,
            "would violate a “long-standing guideline”, Vitolo, a career employee, wrote",
        ),
        (
            *eo,
            *CMS,
            *REVIEW,
            i("document/cms-letter-to-states"),
            "CMS letter to state Medicaid officials about the review",
            c("AsBasis"),
            "as basis",
            *REVIEW,
            "In a letter to state medical officers, CMS said that the efforts were part of the Executive Ordinance "
            "of Trump",
        ),
        (
            *privacy,
            *ILLINOIS_OFFICIALS,
            *illinois_statement,
            "",
            "",
            *prohibiting,
            *TRANSFER,
            illinois_sentence,
        ),
        (
            *privacy,
            *VITOLO,
            *OBJECTION,
            *MEMO,
            *prohibiting,
            *REQUEST,
            memo_sentence + " and the Data Protection Act of 1974",
        ),
        (*ssa, *VITOLO, *OBJECTION, *MEMO, *prohibiting, *REQUEST, memo_sentence),
        (
            *memo_law,
            *VITOLO,
            *OBJECTION,
            *MEMO,
            *prohibiting,
            *REQUEST,
            "“Several statutory federal and regulatory authorities do not allow the CMS to share this "
            "information with companies outside the CMS,” Vitolo wrote",
        ),
        (
            *hhs_law,
            *NIXON,
            i("event/nixon-legality-statement"),
            "HHS spokesperson Andrew Nixon: the data sharing was legal",
            "",
            "",
            c("AsPermitting"),
            "as permitting",
            *TRANSFER,
            "With regard to the latest data exchange between CMS and DHS, HHS acted completely within its legal "
            "authority -and fully with all applicable laws",
        ),
        (
            *illinois_law,
            *ILLINOIS_OFFICIALS,
            *illinois_statement,
            "",
            "",
            *prohibiting,
            *TRANSFER,
            illinois_sentence + ", and other federal regulations",
        ),
    ]


def test_dataset_contents(store: ox.Store) -> None:
    columns, rows = answer(store, "dataset-contents")
    assert columns == ("transfer", "transferLabel", "dataset", "datasetLabel", "aspect", "value", "valueLabel")
    medicaid = (
        *TRANSFER,
        i("dataset/medicaid-enrollee-data-for-dhs"),
        "Personal data of non-citizen Medicaid enrollees in California, Illinois, Washington and the "
        "District of Columbia",
    )
    # "addresses, names, social security numbers and damage requirements [claims data]";
    # "including immigration status"; "California, Illinois, Washington State and Washington, DC";
    # "millions of Medicaid participants" (at least two million). The purposes are claims: the
    # report's own ("a step that makes it easier to localize people"), HHS's spokesman's
    # ("to ensure that Medicaid services are reserved for people who are legitimate"). The IRS case
    # is no transfer (a judge declined to block an arrangement), so it has no row.
    assert rows == [
        (
            *medicaid,
            "count",
            i("quantity/medicaid-enrollees-in-dataset"),
            "at least 2000000 Medicaid enrollees (approximate)",
        ),
        (
            *medicaid,
            "data subjects",
            "",
            "non-citizens enrolled in Medicaid programs paid for with state taxpayer dollars only",
        ),
        (*medicaid, "held by", *CMS),
        (*medicaid, "jurisdiction covered", i("jurisdiction/california"), "California"),
        (*medicaid, "jurisdiction covered", i("jurisdiction/district-of-columbia"), "District of Columbia"),
        (*medicaid, "jurisdiction covered", i("jurisdiction/illinois"), "Illinois"),
        (*medicaid, "jurisdiction covered", i("jurisdiction/washington"), "Washington State"),
        (*medicaid, "personal-data category", c("SocialSecurityNumber"), "Social Security number"),
        (*medicaid, "personal-data category", c("ClaimsData"), "claims data"),
        (*medicaid, "personal-data category", c("Address"), "home address"),
        (*medicaid, "personal-data category", c("ImmigrationStatus"), "immigration status"),
        (*medicaid, "personal-data category", c("Name"), "name"),
        (
            *medicaid,
            "purpose, according to Andrew Nixon",
            c("BenefitEligibilityVerification"),
            "benefit eligibility verification",
        ),
        (*medicaid, "purpose, according to Associated Press", c("ImmigrationEnforcement"), "immigration enforcement"),
        (
            *medicaid,
            "purpose, according to Tricia McLaughlin",
            c("BenefitEligibilityVerification"),
            "benefit eligibility verification",
        ),
        (*medicaid, "recipient", *DHS),
        (*medicaid, "sender", *CMS),
    ]


def test_timeline(store: ox.Store) -> None:
    columns, rows = answer(store, "timeline")
    assert columns == (
        "when",
        "precision",
        "precisionLabel",
        "earliest",
        "latest",
        "inferred",
        "item",
        "itemLabel",
        "kind",
        "kindLabel",
        "dateRole",
        "evidence",
    )
    day, month, year, minute, bounded = (
        (c(f"{p}Precision"), label)
        for p, label in (
            ("Day", "day"),
            ("Month", "month"),
            ("Year", "year"),
            ("Minute", "minute"),
            ("Bounded", "between bounds"),
        )
    )
    edt, est = "-04:00", "-05:00"  # Eastern Daylight Time (June, May, July); Eastern Standard Time (February)

    def on(date: str, end: str, offset: str = edt) -> tuple[str, str, str]:
        """A day, month or year: from its first midnight to the next period's, Eastern time."""
        first = date + "-01" * (2 - date.count("-"))
        return f"{first}T00:00:00{offset}", f"{end}T00:00:00{offset}", date

    freeze_announcement = (
        i("event/california-enrollment-freeze-announcement"),
        "Governor Newsom announces a freeze on enrolment in California's state-funded program",
        c("Announcement"),
        "announcement",
    )
    eo = (
        i("authority/executive-order-14218"),
        "Executive Order of 19 February 2025, 'Ending Taxpayer Subsidization of Open Borders'",
        c("ExecutiveOrder"),
        "executive order",
    )
    review_announcement = (
        i("event/cms-review-announcement"),
        "CMS announces its review of states' Medicaid enrollees for immigration status",
        c("Announcement"),
        "announcement",
    )
    ruling = (
        i("event/irs-ice-court-ruling"),
        "Federal judge declines to block IRS from sharing immigrants' tax data with ICE",
        c("CourtRuling"),
        "court ruling",
    )
    transfer = (*TRANSFER, c("DataTransfer"), "data transfer")
    memo = (*MEMO, c("Memo"), "memo")
    objection = (*OBJECTION, c("Objection"), "objection")
    memo_statement = (
        i("event/vitolo-memo-statement"),
        "Sara Vitolo's memo: sharing the data would break federal law and CMS policy",
        c("Statement"),
        "statement",
    )
    order = (i("event/hhs-order"), "HHS order to hand the Medicaid data to DHS", c("Directive"), "directive")
    friedman = (
        i("event/friedman-post"),
        "Rep. Laura Friedman on X: a person's need to see a doctor must never be used against them",
        c("Statement"),
        "statement",
    )
    illinois = (
        i("event/illinois-program-end"),
        "Planned end, in July, of Illinois's state-funded program for about 30,000 non-citizens",
        c("ProgramChange"),
        "program change",
    )
    # Every date is inferred: the text never writes the year (and says "Tuesday", "Friday", "this
    # week"). Sorted by the earliest instant; the transfer ("this week", after the order it carried
    # out, by the report's Friday 13 June) starts with the order's day and so comes right after it.
    # The evidence is the words that date the item; the objection and the memo statement are dated
    # by the memo they are in (a curator inference with a note), so no words of their own.
    t = "true"
    stamp = "2025-06-10T17:30:00-04:00"
    written = [  # earliest, latest, when, precision, precisionLabel, inferred, then the item
        (
            *on("2025", "2026-01-01", est),
            *year,
            t,
            *freeze_announcement,
            "occurred",
            "Newsoma announced at the beginning of this year that he would freeze the enrollment into the program",
        ),
        (
            *on("2025-02-19", "2025-02-20", est),
            *day,
            t,
            *eo,
            "dated",
            "the Executive Ordinance of Trump on February 19",
        ),
        (
            *on("2025-05", "2025-06-01"),
            *month,
            t,
            *review_announcement,
            "occurred",
            "At the end of the last month, CMS announced",
        ),
        (
            *on("2025-05", "2025-06-01"),
            *month,
            t,
            *ruling,
            "occurred",
            "In May, for example,a federal judgerefused to block",
        ),
        (
            *on("2025-06-06", "2025-06-07"),
            *day,
            t,
            *memo,
            "dated",
            "a memo signed by Medicaid Deputy Director Sara Vitolo on June 6",
        ),
        (*on("2025-06-06", "2025-06-07"), *day, t, *objection, "occurred", ""),
        (*on("2025-06-06", "2025-06-07"), *day, t, *memo_statement, "occurred", ""),
        (
            *on("2025-06-10", "2025-06-11"),
            *day,
            t,
            *order,
            "occurred",
            "Four days after sending the memos on June 10, HHS officer instructed",
        ),
        (
            *on("2025-06-10", "2025-06-11"),
            *day,
            t,
            *order,
            "occurred",
            "received only 54 minutes on Tuesday to adhere to the directive",
        ),
        (
            "2025-06-10T00:00:00-04:00",
            "2025-06-14T00:00:00-04:00",
            "",
            *bounded,
            t,
            *transfer,
            "occurred",
            "this week offered deportation officers with personal data",
        ),
        (
            stamp,
            stamp,
            stamp,
            *minute,
            t,
            *order,
            "deadline",
            "HHS officer instructed the transfer of “The data to DHS to today at 5:30 ET”",
        ),
        (
            *on("2025-06-13", "2025-06-14"),
            *day,
            t,
            *friedman,
            "occurred",
            "Some California legislators also expressed the alarm on Friday",
        ),
        (
            *on("2025-07", "2025-08-01"),
            *month,
            t,
            *illinois,
            "planned",
            "Illinois will also complete his program for around 30,000 non-US citizens in July",
        ),
    ]
    assert rows == [(r[2], r[3], r[4], r[0], r[1], *r[5:]) for r in written]  # when first


def test_statements(store: ox.Store, at: At, source_text: str) -> None:
    columns, rows = answer(store, "statements")
    assert columns == (
        "statement",
        "statementLabel",
        "speaker",
        "speakerLabel",
        "role",
        "roleLabel",
        "organization",
        "organizationLabel",
        "stance",
        "stanceLabel",
        "target",
        "targetLabel",
        "quote",
        "rendering",
        "renderingLabel",
        "quoteStart",
        "quoteEnd",
    )
    opposes, supports = (c("Opposes"), "opposes"), (c("Supports"), "supports")
    office = (i("organization/office-of-the-governor-of-california"), "Office of the Governor of California")
    vitolo_post = (
        i("post/cms-medicaid-deputy-director"),
        "Medicaid Deputy Director, Centers for Medicare & Medicaid Services",
    )
    nixon_post = (i("post/hhs-spokesperson"), "Spokesperson, U.S. Department of Health and Human Services")
    memo_statement = (
        i("event/vitolo-memo-statement"),
        "Sara Vitolo's memo: sharing the data would break federal law and CMS policy",
    )
    state_programs = (
        i("program/state-funded-immigrant-medicaid"),
        "state-funded Medicaid coverage for immigrants (seven states and the District of Columbia)",
    )
    newsom_office = (
        i("event/newsom-office-statement"),
        "Governor Newsom's office: the data transfer is potentially illegal",
    )

    def quoted(words: str) -> tuple[str, str, str, str, str]:
        """The report's machine-translated words, flagged as such, and where they stand."""
        return words, c("BackTranslation"), "back-translation", at(words), str(int(at(words)) + len(words))

    no_words = ("", "", "", "", "")  # a statement the report only paraphrases
    expected = [
        (
            i("event/administration-doubts-promise"),
            "The Trump administration casts doubt on the states' promise not to bill the federal government",
            i("organization/trump-administration"),
            "Trump administration",
            "",
            "",
            "",
            "",
            c("Disputes"),
            "disputes",
            i("event/states-no-billing-promise"),
            "States say they will not bill the federal government for immigrants' health costs",
            *no_words,
        ),
        (
            i("event/former-officials-statement"),
            "Former government officials: the move was unusual",
            i("group/former-government-officials"),
            "former federal government officials",
            "",
            "",
            "",
            "",
            *opposes,
            *TRANSFER,
            *no_words,  # "Former government officials said that …": reported, not quoted
        ),
        # "The states started these programs … and said they would not invoice the federal
        # government …": the seven states and the District, no stance, the report's paraphrase (no quote).
        *(
            (
                i("event/states-no-billing-promise"),
                "States say they will not bill the federal government for immigrants' health costs",
                i(f"organization/{government}"),
                label,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                *no_words,
            )
            for government, label in sorted(
                [
                    ("government-of-the-district-of-columbia", "Government of the District of Columbia"),
                    ("state-of-california", "State of California"),
                    ("state-of-colorado", "State of Colorado"),
                    ("state-of-illinois", "State of Illinois"),
                    ("state-of-minnesota", "State of Minnesota"),
                    ("state-of-new-york", "State of New York"),
                    ("state-of-oregon", "State of Oregon"),
                    ("state-of-washington", "State of Washington"),
                ]
            )
        ),
        (
            *newsom_office,
            *office,
            "",
            "",
            *office,
            *opposes,
            *TRANSFER,
            *quoted("We deeply appreciate the privacy of all Californians"),
        ),
        (
            *newsom_office,
            *office,
            "",
            "",
            *office,
            *opposes,
            *TRANSFER,
            *quoted(
                "This potential data transmission was made aware of the AP, and if it is correct, potentially "
                "illegal, in particular in view of numerous headlines, emphasizing the potential faulty use of "
                "personal information and federal actions in the federal government in order to aim at the "
                "personal data of the Americans."
            ),
        ),
        (
            i("event/friedman-post"),
            "Rep. Laura Friedman on X: a person's need to see a doctor must never be used against them",
            i("person/laura-friedman"),
            "Laura Friedman",
            i("post/us-representative-from-california"),
            "U.S. Representative from California",
            i("organization/us-house-of-representatives"),
            "U.S. House of Representatives",
            *opposes,
            *TRANSFER,
            *quoted(
                "we should never use a person’s need to go to the doctor against them. This will only lead to "
                "more chaos and pain in our communities."
            ),
        ),
        (
            i("event/nixon-legality-statement"),
            "HHS spokesperson Andrew Nixon: the data sharing was legal",
            *NIXON,
            *nixon_post,
            *HHS,
            *supports,
            *TRANSFER,
            *quoted(
                "With regard to the latest data exchange between CMS and DHS, HHS acted completely within its "
                "legal authority -and fully with all applicable laws -to ensure that Medicaid services are "
                "reserved for people who are legitimate to receive them"
            ),
        ),
        (
            i("event/mclaughlin-statement"),
            "DHS's Tricia McLaughlin: the initiative keeps illegal aliens from receiving Medicaid benefits",
            i("person/tricia-mclaughlin"),
            "Tricia McLaughlin",
            i("post/dhs-assistant-secretary-for-public-affairs"),
            "Assistant Secretary, U.S. Department of Homeland Security",
            *DHS,
            *supports,
            *TRANSFER,
            *quoted(
                "promised to protect Medicaid for beneficiaries. To keep this promise after Joe Biden had flooded "
                "our country with ten million illegal aliens CM to make an initiative to ensure that illegal "
                "extraterrestrial benefits are given no legal use that receive."
            ),
        ),
        (
            *memo_statement,
            *VITOLO,
            *vitolo_post,
            *CMS,
            *opposes,
            *REQUEST,
            *quoted(
                "Several statutory federal and regulatory authorities do not allow the CMS to share this "
                "information with companies outside the CMS"
            ),
        ),
        (*memo_statement, *VITOLO, *vitolo_post, *CMS, *opposes, *REQUEST, *quoted("long-standing guideline")),
        (
            i("event/grant-statement"),
            "Former CMS employee Jeffrey Grant: DHS has no business with Medicaid",
            i("person/jeffrey-grant"),
            "Jeffrey Grant",
            i("membership/jeffrey-grant-cms"),
            "Former career employee, Centers for Medicare & Medicaid Services",
            "",  # a former employee speaks for no organisation
            "",
            *opposes,
            *TRANSFER,
            *quoted("DHS doesn’t matter in anything with Medicaid"),
        ),
        (*memo_statement, *VITOLO, *vitolo_post, *CMS, *opposes, *REQUEST, *quoted("legal risk")),
        (
            i("event/nixon-state-programs-statement"),
            "HHS spokesperson Andrew Nixon criticises state-funded Medicaid for immigrants",
            *NIXON,
            *nixon_post,
            *HHS,
            *opposes,
            *state_programs,
            *quoted(
                "opened the locks for illegal immigrants to use Medicaid -and the hard -working Americans forced "
                "the legislative template on foot"
            ),
        ),
        (
            i("event/illinois-officials-statement"),
            "Illinois health officials are deeply concerned that enrollee data was shared outside CMS",
            *ILLINOIS_OFFICIALS,
            "",
            "",
            i("organization/state-of-illinois"),
            "State of Illinois",
            *opposes,
            *TRANSFER,
            "deeply concerned",
            c("BackTranslation"),
            "back-translation",
            str(source_text.index("“deeply concerned”") + 1),
            str(source_text.index("“deeply concerned”") + 1 + len("deeply concerned")),
        ),
        (
            i("event/newsom-statement"),
            "Governor Newsom: sharing the data endangers those targeted",
            i("person/gavin-newsom"),
            "Gavin Newsom",
            i("post/governor-of-california"),
            "Governor of California",
            i("organization/state-of-california"),
            "State of California",
            *opposes,
            *TRANSFER,
            *quoted(
                "will endanger the security, health and security of those who are undoubtedly targeted by this abuse"
            ),
        ),
    ]
    assert rows == expected


def test_state_programs(store: ox.Store) -> None:
    columns, rows = answer(store, "state-programs")
    assert columns == (
        "jurisdiction",
        "jurisdictionLabel",
        "program",
        "programLabel",
        "status",
        "statusLabel",
        "accordingTo",
        "accordingToLabel",
        "submission",
        "submissionLabel",
    )
    official = (
        i("person/unnamed-state-health-official"),
        "unnamed state public-health official who reviewed CMS's requests to the states",
    )

    def program(slug: str, name: str, status: str, submitted: bool, place: str = "") -> tuple[str, ...]:
        kind = "locally" if slug == "district-of-columbia" else "state"
        iri = i(f"program/{slug}-{kind}-funded-medicaid")
        label = f"{name}'s {'locally funded' if kind == 'locally' else 'state-funded'} Medicaid coverage for immigrants"
        statuses = {"submitted": c("Submitted"), "not yet submitted": c("NotYetSubmitted"), "not reported": ""}
        according = official if status == "not yet submitted" else ("", "")
        submission = (
            (i(f"event/{slug}-data-submission"), f"{name} submits data on non-citizen Medicaid enrollees to CMS")
            if submitted
            else ("", "")
        )
        return (i(f"jurisdiction/{slug}"), place or name, iri, label, statuses[status], status, *according, *submission)

    # "California, Washington and Illinois" handed data over (the report states it); "New York,
    # Oregon, Minnesota and Colorado have not yet submitted …, according to a civil servant of the
    # public health system" (that official's claim); the report says nothing of the District.
    assert rows == [
        program("california", "California", "submitted", True),
        program("colorado", "Colorado", "not yet submitted", False),
        program("district-of-columbia", "District of Columbia", "not reported", False),
        program("illinois", "Illinois", "submitted", True),
        program("minnesota", "Minnesota", "not yet submitted", False),
        program("new-york", "New York", "not yet submitted", False),
        program("oregon", "Oregon", "not yet submitted", False),
        program("washington", "Washington", "submitted", True, "Washington State"),
    ]


EVIDENCE_COLUMNS = (
    "subject",
    "subjectLabel",
    "predicate",
    "predicateLabel",
    "object",
    "objectLabel",
    "exact",
    "start",
    "end",
    "source",
)


def stated(words: str, start: str) -> tuple[str, str, str, str]:
    return words, start, str(int(start) + len(words)), SOURCE_IRI


def test_evidence_for_the_social_security_act(store: ox.Store, at: At) -> None:
    """One asserted triple touches the Act: Vitolo's memo cites it; the span names the memo and the Act."""
    columns, rows = answer(store, "evidence", resource=i("authority/social-security-act"))
    assert columns == EVIDENCE_COLUMNS
    sentence = (
        "CMS civil servants tried to combat the data exchange request from the home protection indicator and said "
        "that according to Vitolos Memo, this would violate federal laws, including the Social Insurance Act"
    )
    assert rows == [
        (
            i("citation/memo-social-security-act"),
            "Vitolo memo cites the Social Security Act against sharing the data",
            c("citedAuthority"),
            "cited authority",
            i("authority/social-security-act"),
            "Social Security Act",
            *stated(sentence, at(sentence)),
        ),
    ]


def test_evidence_for_kennedy(store: ox.Store, at: At) -> None:
    """Kennedy is named once ("health secretaryRobert F. Kennedy Jr.Ordered"): that span states his
    post and his headship of HHS, and the longer one that his two advisers advise him. Inferred
    triples (the post's holder, HHS's head) have no span and are not listed."""
    columns, rows = answer(store, "evidence", resource=i("person/robert-f-kennedy-jr"))
    assert columns == EVIDENCE_COLUMNS
    kennedy = (i("person/robert-f-kennedy-jr"), "Robert F. Kennedy Jr.")
    advisers = "two top consultants of the health secretaryRobert F. Kennedy Jr."
    named = "health secretaryRobert F. Kennedy Jr."
    named_at = str(int(at(advisers)) + advisers.index(named))
    assert rows == [
        (*ADVISERS, c("advises"), "advises", *kennedy, *stated(advisers, at(advisers))),
        (*kennedy, ORG + "headOf", "head of", *HHS, *stated(named, named_at)),
        (
            *kennedy,
            ORG + "holds",
            "holds",
            i("post/secretary-of-health-and-human-services"),
            "Secretary of Health and Human Services",
            *stated(named, named_at),
        ),
    ]


def test_evidence_for_brandt_names_brandt_in_every_span(store: ox.Store, at: At) -> None:
    """The issue's example: every span offered for a triple about Kim Brandt names her."""
    columns, rows = answer(store, "evidence", resource=i("person/kim-brandt"))
    assert columns == EVIDENCE_COLUMNS
    brandt = (i("person/kim-brandt"), "Kim Brandt")
    wrote = "wrote to Trump, Kim Brandt, deputy administrator and Chief Operating Officer from CMS"
    appointee = "wrote to Trump, Kim Brandt"  # read as "a Trump appointee, Kim Brandt" (flagged)
    post = "Kim Brandt, deputy administrator and Chief Operating Officer from CMS"
    unreached = "Vitolo and Brandt could not be reached for a comment"
    assert rows == [
        (*brandt, c("careerStatus"), "career status", "Trump appointee", "", *stated(appointee, at(wrote))),
        (*MEMO, c("sentTo"), "sent to", *brandt, *stated(wrote, at(wrote))),
        (*OBJECTION, c("addressedTo"), "addressed to", *brandt, *stated(wrote, at(wrote))),
        (
            *brandt,
            ORG + "holds",
            "holds",
            i("post/cms-deputy-administrator-and-coo"),
            "Deputy Administrator and Chief Operating Officer, Centers for Medicare & Medicaid Services",
            *stated(post, at(post)),
        ),
        (
            i("event/vitolo-brandt-not-reached"),
            "Sara Vitolo and Kim Brandt could not be reached for comment",
            c("involves"),
            "involves",
            *brandt,
            *stated(unreached, at(unreached)),
        ),
    ]
    assert all("Brandt" in row[6] for row in rows)


def test_people_and_posts(store: ox.Store) -> None:
    columns, rows = answer(store, "people-and-posts")
    assert columns == ("person", "personLabel", "post", "postLabel", "organization", "organizationLabel", "former")
    f = "false"
    assert rows == [
        (
            *NIXON,
            *((i("post/hhs-spokesperson"), "Spokesperson, U.S. Department of Health and Human Services")),
            *HHS,
            f,
        ),
        (
            i("person/donald-trump"),
            "Donald Trump",
            i("post/president-of-the-united-states"),
            "President of the United States",
            "",  # the report places the presidency in no organisation (not in "the Trump administration")
            "",
            f,
        ),
        (
            i("person/gavin-newsom"),
            "Gavin Newsom",
            i("post/governor-of-california"),
            "Governor of California",
            i("organization/state-of-california"),
            "State of California",
            f,
        ),
        (
            i("person/jeffrey-grant"),
            "Jeffrey Grant",
            i("membership/jeffrey-grant-cms"),
            "Former career employee, Centers for Medicare & Medicaid Services",
            *CMS,
            "true",
        ),
        (i("person/joe-biden"), "Joe Biden", "", "", "", "", ""),
        (
            i("person/kim-brandt"),
            "Kim Brandt",
            i("post/cms-deputy-administrator-and-coo"),
            "Deputy Administrator and Chief Operating Officer, Centers for Medicare & Medicaid Services",
            *CMS,
            f,
        ),
        (
            i("person/laura-friedman"),
            "Laura Friedman",
            i("post/us-representative-from-california"),
            "U.S. Representative from California",
            i("organization/us-house-of-representatives"),
            "U.S. House of Representatives",
            f,
        ),
        (
            i("person/robert-f-kennedy-jr"),
            "Robert F. Kennedy Jr.",
            i("post/secretary-of-health-and-human-services"),
            "Secretary of Health and Human Services",
            *HHS,
            f,
        ),
        (
            *VITOLO,
            i("post/cms-medicaid-deputy-director"),
            "Medicaid Deputy Director, Centers for Medicare & Medicaid Services",
            *CMS,
            f,
        ),
        (
            i("person/tricia-mclaughlin"),
            "Tricia McLaughlin",
            i("post/dhs-assistant-secretary-for-public-affairs"),
            "Assistant Secretary, U.S. Department of Homeland Security",
            *DHS,
            f,
        ),
        (i("person/unnamed-federal-judge"), "unnamed federal judge", "", "", "", "", ""),
        (
            i("person/unnamed-state-health-official"),
            "unnamed state public-health official who reviewed CMS's requests to the states",
            "",
            "",
            "",
            "",
            "",
        ),
    ]
