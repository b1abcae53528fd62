"""Synthetic ABoxes shaped like the article's asserted graph, for timing the reasoner at scale.

``generate(n_triples, seed)`` returns an rdflib Graph of exactly ``n_triples`` triples that uses
the real casegraph ontology terms the way ``graph/build`` does: many synthetic news sources, each
with its agencies (``org:subOrganizationOf`` hierarchies, some under departments shared by every
source), government bodies, jurisdictions and places, programs, posts and the people holding them,
groups, legal authorities, datasets, documents, events of the ontology's event classes with their
role properties, statements with ``cg:Quote`` nodes, legal citations and time instants. Every claim
carries evidence shaped like the real ones: an ``oa:SpecificResource`` on the source with a
``TextQuoteSelector`` (``oa:exact``/``prefix``/``suffix``) and a ``TextPositionSelector``
(``oa:start``/``oa:end`` as ``xsd:nonNegativeInteger``), under IRIs built like the real ones
(``…/evidence/{start}-{end}``, ``…/mention/{start}-{end}``, ``…/quote/{start}-{end}/evidence``).

The per-source counts are the real article's divided by about four (with jitter), so the
predicate mix and the literal/IRI ratio stay close to the real graph's (``--compare`` prints both
side by side). Later sources mention some earlier sources' entities again and attach their
agencies to shared departments, as a corpus of reports on the same story would.

Output is deterministic for a seed. The graph is built block by block (an entity with its
evidence, an event with its quotes, …) in dependency order, so it never refers to something it
does not describe; the last few triples are ``skos:altLabel`` aliases, so the size is exact.

Usage::

    python benchmarks/synthetic.py N OUT.nt [--seed S] [--compare]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

CG = Namespace("https://w3id.org/casegraph/ontology#")
ID = "https://w3id.org/casegraph/id/"
ORG = Namespace("http://www.w3.org/ns/org#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("https://schema.org/")
DPV = Namespace("https://w3id.org/dpv#")
DPVLOC = Namespace("https://w3id.org/dpv/loc#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
WD = Namespace("http://www.wikidata.org/entity/")

Triple = tuple[Node, Node, Node]
Block = list[Triple]

#: Per-source counts of the real article (graph/build, asserted graph), by kind.
REAL_COUNTS = {
    "jurisdiction": 8,
    "place": 2,
    "agency": 5,
    "body": 8,
    "news": 2,
    "party": 1,
    "program": 10,
    "post": 8,
    "person": 12,
    "group": 6,
    "membership": 1,
    "authority": 5,
    "dataset": 2,
    "document": 3,
    "event": 27,
    "citation": 8,
}
#: Real counts are divided by about this much per synthetic source.
SCALE = 4.0
#: Event classes with their share among the article's events.
EVENT_MIX = [
    (CG.Statement, 10),
    (CG.DataSubmission, 3),
    (CG.ProgramChange, 2),
    (CG.DataTransfer, 2),
    (CG.DeclinedComment, 2),
    (CG.Objection, 1),
    (CG.Review, 1),
    (CG.DataRequest, 1),
    (CG.Directive, 1),
    (CG.CourtRuling, 1),
    (CG.EnforcementOperation, 1),
]
#: The order a source tells its events in, so that e.g. a transfer can go ahead over an objection.
NARRATIVE = [
    CG.DataRequest,
    CG.Objection,
    CG.Directive,
    CG.DataTransfer,
    CG.Review,
    CG.DataSubmission,
    CG.ProgramChange,
    CG.EnforcementOperation,
    CG.CourtRuling,
    CG.DeclinedComment,
    CG.Statement,
]
AUTHORITY_CLASSES = [CG.Statute, CG.Statute, CG.ExecutiveOrder, CG.Policy, CG.LegalAuthority]
DOCUMENT_CLASSES = [CG.Memo, CG.Letter, CG.Email]
DATA_CATEGORIES = [CG.Name, CG.Address, CG.SocialSecurityNumber, CG.ClaimsData, CG.ImmigrationStatus, CG.TaxData]
STANCES = [CG.Opposes, CG.Opposes, CG.Opposes, CG.Supports, CG.Neutral]
PURPOSES = [CG.ImmigrationEnforcement, CG.ImmigrationEnforcement, CG.BenefitEligibilityVerification]
CITATION_FUNCTIONS = [CG.AsProhibiting, CG.AsProhibiting, CG.AsPermitting, CG.AsBasis]
MEDIA = ["written statement", "statement to the press", "remarks to the press", "post on X", "memo"]
STATES = ["CA", "IL", "WA", "NY", "OR", "MN", "CO", "DC", "TX", "FL", "MA", "NJ", "AZ", "NV", "MI"]
_TEXT = """
the agency said data officials federal state program records health medicaid immigration memo order review
transfer enrollees personal privacy law court ruling statement secretary department office spokesperson letter
request objection policy week month year report according to people familiar with plan told reporters would
could not share information
"""
WORDS = _TEXT.split()
#: Precision concept -> (datatype, lexical form for a given day index).
PRECISIONS = [
    (CG.DayPrecision, XSD.date),
    (CG.DayPrecision, XSD.date),
    (CG.DayPrecision, XSD.date),
    (CG.MonthPrecision, XSD.gYearMonth),
    (CG.MonthPrecision, XSD.gYearMonth),
    (CG.MinutePrecision, XSD.dateTime),
    (CG.YearPrecision, XSD.gYear),
]
#: Number of departments every source can attach its agencies to.
SHARED_DEPARTMENTS = 12


class _Source:
    """One synthetic news source: the IRIs it mints and the spans it cites, in text order."""

    def __init__(self, rng: random.Random, index: int, shared: dict[str, list[URIRef]]) -> None:
        self.rng = rng
        self.slug = f"s{index:05d}"
        self.iri = URIRef(f"{ID}source/synthetic-{index:05d}")
        self.cursor = rng.randrange(0, 200)
        self.shared = shared
        self.made: dict[str, list[URIRef]] = {}

    # -- text and evidence ---------------------------------------------------------------

    def text(self, length: int) -> str:
        words: list[str] = []
        size = 0
        while size < length:
            word = self.rng.choice(WORDS)
            words.append(word)
            size += len(word) + 1
        return " ".join(words)[:length]

    def span(self, low: int, high: int) -> tuple[int, int]:
        start = self.cursor + self.rng.randrange(1, 120)
        end = start + self.rng.randrange(low, high)
        self.cursor = end
        return start, end

    def resource(self, iri: str, start: int, end: int) -> Block:
        """An oa:SpecificResource with its two selectors: 11 triples, 6 of them literal-valued."""
        res = URIRef(iri)
        quote = URIRef(iri + "/quote-selector")
        position = URIRef(iri + "/position-selector")
        return [
            (res, RDF.type, OA.SpecificResource),
            (res, OA.hasSource, self.iri),
            (res, OA.hasSelector, position),
            (res, OA.hasSelector, quote),
            (quote, RDF.type, OA.TextQuoteSelector),
            (quote, OA.exact, Literal(self.text(end - start))),
            (quote, OA.prefix, Literal(self.text(32))),
            (quote, OA.suffix, Literal(self.text(32))),
            (position, RDF.type, OA.TextPositionSelector),
            (position, OA.start, Literal(str(start), datatype=XSD.nonNegativeInteger)),
            (position, OA.end, Literal(str(end), datatype=XSD.nonNegativeInteger)),
        ]

    def evidence(self, subject: URIRef) -> Block:
        start, end = self.span(25, 230)
        iri = f"{subject}/evidence/{start}-{end}"
        return [(subject, CG.hasEvidence, URIRef(iri)), *self.resource(iri, start, end)]

    def mention(self, subject: URIRef) -> Block:
        start, end = self.span(3, 40)
        iri = f"{subject}/mention/{start}-{end}"
        return [(subject, CG.hasMention, URIRef(iri)), *self.resource(iri, start, end)]

    def grounding(self, subject: URIRef, mentions: tuple[int, int], evidence: tuple[int, int]) -> Block:
        """Between ``mentions[0]`` and ``mentions[1]`` mentions, and likewise evidence."""
        block: Block = []
        for _ in range(self.rng.randint(*mentions)):
            block += self.mention(subject)
        for _ in range(self.rng.randint(*evidence)):
            block += self.evidence(subject)
        return block

    # -- helpers -----------------------------------------------------------------------------

    def mint(self, kind: str, path: str, name: str) -> URIRef:
        iri = URIRef(f"{ID}{path}/{self.slug}-{name}-{len(self.made.get(kind, []))}")
        self.made.setdefault(kind, []).append(iri)
        return iri

    def pick(self, *kinds: str, shared: float = 0.0) -> URIRef | None:
        """A random entity of one of ``kinds`` made so far (or, with probability ``shared``,
        one of an earlier source's), or None if there is none."""
        pool = self.shared if self.rng.random() < shared else self.made
        choices = [iri for kind in kinds for iri in pool.get(kind, [])]
        return self.rng.choice(choices) if choices else None

    def label(self, subject: URIRef, text: str) -> Triple:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(2, 8)))
        return (subject, SKOS.prefLabel, Literal(f"{text} {words}", lang="en"))

    def en(self, words: tuple[int, int]) -> Literal:
        return Literal(" ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(*words))), lang="en")

    def time(self, owner: URIRef, name: str) -> Block:
        when = URIRef(f"{ID}time/{str(owner).rsplit('/', 1)[1]}{name}")
        precision, datatype = self.rng.choice(PRECISIONS)
        year = 2015 + self.rng.randrange(11)
        month = 1 + self.rng.randrange(12)
        day = 1 + self.rng.randrange(28)
        value = {
            XSD.date: f"{year}-{month:02d}-{day:02d}",
            XSD.gYearMonth: f"{year}-{month:02d}",
            XSD.dateTime: f"{year}-{month:02d}-{day:02d}T{self.rng.randrange(24):02d}:00:00-04:00",
            XSD.gYear: f"{year}",
        }[datatype]
        return [
            (when, RDF.type, CG.TimeInstant),
            (when, CG.timeValue, Literal(value, datatype=datatype)),
            (when, CG.precision, precision),
            (when, CG.inferred, Literal(self.rng.random() < 0.9)),
            (when, CG.inferenceNote, self.en((6, 14))),
        ]


def _count(rng: random.Random, kind: str) -> int:
    return max(1, round(REAL_COUNTS[kind] / SCALE * rng.uniform(0.6, 1.4)))


def _source_blocks(src: _Source) -> Iterator[Block]:
    """The blocks of one source, each referring only to what earlier blocks described."""
    rng = src.rng
    for _ in range(_count(rng, "jurisdiction")):
        j = src.mint("jurisdiction", "jurisdiction", "state")
        code = rng.choice(STATES)
        block = [(j, RDF.type, CG.Jurisdiction), src.label(j, code), (j, SKOS.closeMatch, DPVLOC[f"US-{code}"])]
        if rng.random() < 0.85:
            block.append((j, RDF.type, SCHEMA.State))
        if rng.random() < 0.75:
            block.append((j, SKOS.exactMatch, WD[f"Q{rng.randrange(1, 10_000_000)}"]))
        yield block + src.grounding(j, (0, 1), (0, 0))
    for _ in range(_count(rng, "place")):
        p = src.mint("place", "place", "place")
        block = [(p, RDF.type, CG.Place), src.label(p, "place")]
        if (j := src.pick("jurisdiction")) is not None:
            block.append((p, CG.partOfPlace, j))
        yield block + src.grounding(p, (0, 1), (0, 0))
    for _ in range(_count(rng, "agency")):
        a = src.mint("agency", "agency", "agency")
        block = [(a, RDF.type, CG.GovernmentAgency), src.label(a, "agency"), (a, SKOS.altLabel, src.en((1, 1)))]
        parent = src.pick("agency", shared=0.6)
        if parent is not None and rng.random() < 0.5:
            block.append((a, ORG.subOrganizationOf, parent))
        if rng.random() < 0.2:
            block.append((a, SKOS.exactMatch, WD[f"Q{rng.randrange(1, 10_000_000)}"]))
        yield block + src.grounding(a, (0, 3), (0, 1))
    for kind, cls, count in (("body", CG.GovernmentBody, "body"), ("news", CG.NewsOrganization, "news")):
        for _ in range(_count(rng, count)):
            o = src.mint(kind, "organization", kind)
            block = [(o, RDF.type, cls), src.label(o, kind)]
            if kind == "body" and (j := src.pick("jurisdiction")) is not None and rng.random() < 0.5:
                block += [(o, CG.inJurisdiction, j), (o, SKOS.definition, src.en((6, 14)))]
            yield block + src.grounding(o, (0, 1), (0, 0))
    for _ in range(_count(rng, "party")):
        o = src.mint("party", "organization", "party")
        yield [(o, RDF.type, CG.PoliticalParty), src.label(o, "party"), *src.grounding(o, (1, 2), (0, 0))]
    for i in range(_count(rng, "program")):
        p = src.mint("program", "program", "program")
        if i == 0:
            block = [(p, RDF.type, CG.Program), src.label(p, "program")]
        else:
            block = [(p, RDF.type, CG.StateFundedMedicaidProgram), src.label(p, "state program")]
            if (j := src.pick("jurisdiction")) is not None:
                block.append((p, CG.inJurisdiction, j))
            block.append((p, CG.submissionStatus, rng.choice([CG.Submitted, CG.NotYetSubmitted])))
        yield block + src.grounding(p, (0, 0), (0, 2))
    for _ in range(_count(rng, "post")):
        p = src.mint("post", "post", "post")
        block = [(p, RDF.type, ORG.Post), src.label(p, "post")]
        if (org := src.pick("agency", "body")) is not None:
            block.append((p, ORG.postIn, org))
        if rng.random() < 0.12:
            block.append((p, SKOS.editorialNote, src.en((10, 20))))
        yield block + src.grounding(p, (0, 2), (0, 0))
    posts = list(src.made.get("post", []))
    rng.shuffle(posts)
    for _ in range(_count(rng, "person")):
        p = src.mint("person", "person", "person")
        block = [(p, RDF.type, CG.Person), src.label(p, "person")]
        if posts and rng.random() < 0.8:
            block.append((p, ORG.holds, posts.pop()))
        if rng.random() < 0.17 and (org := src.pick("agency", "body")) is not None:
            block.append((p, ORG.headOf, org))
        if rng.random() < 0.17 and (party := src.pick("party")) is not None:
            block.append((p, CG.memberOfParty, party))
        if rng.random() < 0.33:
            block.append((p, SKOS.exactMatch, WD[f"Q{rng.randrange(1, 10_000_000)}"]))
        if rng.random() < 0.1:
            block.append((p, CG.careerStatus, Literal("career employee", lang="en")))
        yield block + src.grounding(p, (0, 2), (0, 1))
    for _ in range(_count(rng, "group")):
        g = src.mint("group", "group", "group")
        block = [(g, RDF.type, CG.PersonGroup), src.label(g, "group")]
        if rng.random() < 0.5 and (org := src.pick("agency", "body")) is not None:
            block.append((g, ORG.memberOf, org))
        if rng.random() < 0.33:
            block.append((g, CG.memberCount, Literal(str(rng.randint(2, 9)), datatype=XSD.integer)))
        if rng.random() < 0.17 and (person := src.pick("person")) is not None:
            block.append((g, CG.advises, person))
        if rng.random() < 0.2:
            block.append((g, SKOS.note, src.en((8, 16))))
        yield block + src.grounding(g, (1, 3), (0, 0))
    for _ in range(_count(rng, "membership")):
        if rng.random() < 0.5:
            continue
        m = src.mint("membership", "membership", "membership")
        block = [(m, RDF.type, ORG.Membership), src.label(m, "former employee")]
        if (person := src.pick("person")) is not None and (org := src.pick("agency")) is not None:
            block += [(m, ORG.member, person), (m, ORG.organization, org)]
        block += [(m, CG.careerStatus, Literal("career employee", lang="en")), (m, CG.former, Literal(True))]
        yield block
    for i in range(_count(rng, "authority")):
        a = src.mint("authority", "authority", "authority")
        block = [(a, RDF.type, AUTHORITY_CLASSES[i % len(AUTHORITY_CLASSES)]), src.label(a, "authority")]
        for _ in range(rng.randint(0, 2)):
            block.append((a, SCHEMA.legislationIdentifier, Literal(f"Pub. L. {rng.randrange(60, 119)}-{i}")))
        if rng.random() < 0.2 and (person := src.pick("person")) is not None:
            block += [(a, CG.enactedBy, person), (a, CG.officialTitle, src.en((3, 8)))]
            block += [(a, CG.dated, URIRef(f"{ID}time/{str(a).rsplit('/', 1)[1]}")), *src.time(a, "")]
        yield block + src.grounding(a, (1, 3), (0, 0))
    for _ in range(_count(rng, "dataset")):
        d = src.mint("dataset", "dataset", "dataset")
        block = [(d, RDF.type, CG.Dataset), src.label(d, "records")]
        for category in rng.sample(DATA_CATEGORIES, rng.randint(1, 3)):
            block.append((d, CG.containsDataCategory, category))
        for _ in range(rng.randint(0, 4)):
            if (j := src.pick("jurisdiction")) is not None:
                block.append((d, CG.coversJurisdiction, j))
        if (holder := src.pick("agency", shared=0.3)) is not None:
            block.append((d, CG.heldBy, holder))
        if rng.random() < 0.5:
            block += [(d, CG.approximateCount, src.en((2, 4))), (d, CG.dataSubjects, src.en((6, 12)))]
            block.append((d, DPV.hasDataSubject, DPV.NonCitizen))
        yield block + src.grounding(d, (0, 0), (1, 3))
    for i in range(_count(rng, "document")):
        d = src.mint("document", "document", "document")
        block = [(d, RDF.type, DOCUMENT_CLASSES[i % len(DOCUMENT_CLASSES)]), src.label(d, "document")]
        if (to := src.pick("person", "group")) is not None and rng.random() < 0.7:
            block.append((d, CG.sentTo, to))
        if (by := src.pick("agency", "group")) is not None and rng.random() < 0.7:
            block.append((d, CG.writtenBy, by))
        if rng.random() < 0.33 and (signer := src.pick("person")) is not None:
            block += [(d, CG.signedBy, signer), (d, CG.dated, URIRef(f"{ID}time/{str(d).rsplit('/', 1)[1]}"))]
            block += src.time(d, "")
        yield block + src.grounding(d, (0, 1), (1, 3))
    yield from _event_blocks(src)
    for _ in range(_count(rng, "citation")):
        c = src.mint("citation", "citation", "citation")
        block = [(c, RDF.type, CG.LegalCitation), src.label(c, "cites")]
        block.append((c, CG.citedAs, rng.choice(CITATION_FUNCTIONS)))
        for prop, kinds in (
            (CG.citedAuthority, ("authority",)),
            (CG.citedBy, ("person", "group", "agency")),
            (CG.citedIn, ("event",)),
            (CG.regarding, ("event",)),
        ):
            if (target := src.pick(*kinds)) is not None:
                block.append((c, prop, target))
        if rng.random() < 0.6 and (doc := src.pick("document")) is not None:
            block.append((c, CG.citingDocument, doc))
        yield block + src.grounding(c, (0, 0), (0, 1))
    # Entities of earlier sources that this one mentions again.
    for _ in range(rng.randint(0, 3)):
        if (old := src.pick("agency", "person", "body", "jurisdiction", shared=1.0)) is not None:
            yield src.mention(old)


class _Roles:
    """Adds ``event prop target`` to a block, the target picked among what ``src`` made."""

    def __init__(self, src: _Source, event: URIRef, block: Block) -> None:
        self.src, self.event, self.block = src, event, block

    def __call__(self, prop: URIRef, *kinds: str, p: float = 1.0, shared: float = 0.15) -> None:
        if self.src.rng.random() < p and (target := self.src.pick(*kinds, shared=shared)) is not None:
            self.block.append((self.event, prop, target))


def _event_blocks(src: _Source) -> Iterator[Block]:
    rng = src.rng
    classes = [cls for cls, weight in EVENT_MIX for _ in range(weight)]
    drawn = sorted((rng.choice(classes) for _ in range(_count(rng, "event"))), key=NARRATIVE.index)
    agents = ("person", "group", "agency", "body")
    for cls in drawn:
        name = str(cls).rsplit("#", 1)[1].lower()
        e = src.mint("event", "event", name)
        block: Block = [(e, RDF.type, cls), src.label(e, name)]
        role = _Roles(src, e, block)
        if cls == CG.Statement:
            block += [(e, CG.medium, Literal(rng.choice(MEDIA), lang="en")), (e, CG.stance, rng.choice(STANCES))]
            role(CG.speaker, "person", "group", shared=0.05)
            role(CG.speakerRole, "post", p=0.7)
            role(CG.speakingFor, "agency", "body", p=0.7)
            role(CG.stanceTarget, "event", "program", shared=0.0)
        elif cls in (CG.DataSubmission, CG.DataTransfer):
            role(CG.sender, "agency", "body")
            role(CG.recipient, "agency")
            role(CG.transferredDataset, "dataset", p=0.6)
            role(CG.about, "program", p=0.6)
            role(CG.partOf, "event", p=0.5, shared=0.0)
            if cls == CG.DataTransfer:
                block.append((e, CG.purpose, rng.choice(PURPOSES)))
                role(CG.fulfils, "event", p=0.4, shared=0.0)
                role(CG.overObjection, "objection", p=0.4, shared=0.0)
                if rng.random() < 0.5:
                    block.append((e, DPV.hasProcessing, DPV.Share))
        elif cls == CG.Objection:
            role(CG.objector, "person", "group")
            role(CG.objector, "person", p=0.5)
            role(CG.addressedTo, "person", "agency")
            role(CG.objectsTo, "event", shared=0.0)
            role(CG.documentedIn, "document", p=0.7)
            src.made.setdefault("objection", []).append(e)
        elif cls in (CG.Directive, CG.DataRequest):
            role(CG.issuedBy, "group", "person", "agency")
            role(CG.addressedTo, "agency")
            role(CG.onBehalfOf, "agency", p=0.5)
            role(CG.documentedIn, "document", p=0.5)
            role(CG.overObjection, "objection", p=0.5, shared=0.0)
            if cls == CG.DataRequest:
                role(CG.requestedDataset, "dataset")
            elif rng.random() < 0.7:
                deadline = URIRef(f"{ID}time/{str(e).rsplit('/', 1)[1]}-deadline")
                block += [(e, CG.deadline, deadline), *src.time(e, "-deadline")]
        elif cls in (CG.Review, CG.ProgramChange, CG.EnforcementOperation):
            role(CG.conductedBy, *agents)
            role(CG.about, "program", p=0.8)
            for _ in range(rng.randint(0, 3)):
                role(CG.involves, "body", "agency")
            role(CG.documentedIn, "document", p=0.3)
            role(CG.location, "place", p=0.3)
            if rng.random() < 0.3:
                block.append((e, CG.approximateCount, src.en((2, 4))))
        elif cls == CG.CourtRuling:
            role(CG.decidedBy, "person")
            role(CG.about, "event", shared=0.0)
        else:  # DeclinedComment
            role(CG.involves, *agents)
            role(CG.about, "event", p=0.5, shared=0.0)
        if rng.random() < 0.45:
            block += [(e, CG.occurredAt, URIRef(f"{ID}time/{str(e).rsplit('/', 1)[1]}")), *src.time(e, "")]
        if cls == CG.Statement:
            speaker = next((o for s, p, o in block if p == CG.speaker), None)
            for _ in range(rng.choice([1, 1, 1, 2])):
                start, end = src.span(10, 230)
                q = URIRef(f"{e}/quote/{start}-{end}")
                evidence = f"{q}/evidence"
                block += [(e, CG.hasQuote, q), (q, RDF.type, CG.Quote)]
                block.append((q, SCHEMA.text, Literal(src.text(end - start))))
                if speaker is not None:
                    block.append((q, PROV.wasAttributedTo, speaker))
                block += [(q, CG.hasEvidence, URIRef(evidence)), (e, CG.hasEvidence, URIRef(evidence))]
                block += src.resource(evidence, start, end)
            block += src.grounding(e, (0, 0), (0, 1))
        else:
            block += src.grounding(e, (0, 0), (1, 2))
        yield block


def _blocks(rng: random.Random) -> Iterator[Block]:
    """Sources one after the other, forever; the first one founds the shared departments."""
    shared: dict[str, list[URIRef]] = {}
    founder = _Source(rng, 0, shared)
    for i in range(SHARED_DEPARTMENTS):
        d = founder.mint("agency", "agency", f"department-{i}")
        yield [(d, RDF.type, CG.GovernmentAgency), founder.label(d, "department"), *founder.mention(d)]
    index = 0
    while True:
        index += 1
        src = _Source(rng, index, shared)
        yield from _source_blocks(src)
        for kind, iris in src.made.items():
            shared.setdefault(kind, []).extend(iris)


def generate(n_triples: int, seed: int = 0) -> Graph:
    """An ABox of exactly ``n_triples`` triples shaped like the article's asserted graph."""
    rng = random.Random(seed)
    triples: list[Triple] = []
    labelled: list[URIRef] = []
    for block in _blocks(rng):
        if len(triples) + len(block) > n_triples:
            break
        triples += block
        labelled += [s for s, p, _ in block if p == SKOS.prefLabel and isinstance(s, URIRef)]
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    extra = 0
    while len(graph) < n_triples and labelled:  # top up with aliases and notes to the exact size
        prop = (SKOS.altLabel, SKOS.note, SKOS.definition)[extra % 3]
        graph.add((labelled[extra * 7919 % len(labelled)], prop, Literal(f"{prop.fragment} {extra}", lang="en")))
        extra += 1
    return graph


def histogram(graph: Graph) -> Counter[str]:
    """Share of each predicate (as a CURIE-ish short name), plus ``(literal objects)``."""
    counts: Counter[str] = Counter()
    for _, p, o in graph:
        counts[_short(str(p))] += 1
        if isinstance(o, Literal):
            counts["(literal objects)"] += 1
    return counts


def _short(iri: str) -> str:
    for prefix, ns in (
        ("rdf:", str(RDF)),
        ("cg:", str(CG)),
        ("org:", str(ORG)),
        ("skos:", str(SKOS)),
        ("schema:", str(SCHEMA)),
        ("dpv:", str(DPV)),
        ("oa:", str(OA)),
        ("prov:", str(PROV)),
    ):
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    return iri


def real_asserted() -> Graph:
    """The shipped article's asserted graph (graph/build), as an rdflib Graph."""
    from casegraph.dataset import read_quads, select_quads
    from casegraph.export import RdfFormat, serialize

    graph = Graph()
    graph.parse(data=serialize(select_quads(read_quads(), ("asserted",)), RdfFormat.NTRIPLES), format="nt")
    return graph


def compare(synthetic: Graph, real: Graph, top: int = 40) -> str:
    """A table of predicate shares (%) in the real asserted graph and in ``synthetic``."""
    ours, theirs = histogram(synthetic), histogram(real)
    names = sorted(set(ours) | set(theirs), key=lambda k: (-theirs[k], -ours[k], k))
    lines = [f"{'predicate':32} {'real %':>7} {'synthetic %':>11}"]
    for name in names[:top]:
        lines.append(f"{name:32} {100 * theirs[name] / len(real):7.2f} {100 * ours[name] / len(synthetic):11.2f}")
    missing = [n for n in names if theirs[n] and not ours[n]]
    extra = [n for n in names if ours[n] and not theirs[n]]
    lines.append(f"predicates of the real graph not generated: {', '.join(missing) or 'none'}")
    lines.append(f"generated predicates the real graph lacks: {', '.join(extra) or 'none'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic ABox shaped like the article's.")
    parser.add_argument("n", type=int, help="number of triples")
    parser.add_argument("out", type=Path, help="output file (N-Triples)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true", help="print the predicate mix against the real graph")
    args = parser.parse_args(argv)
    graph = generate(args.n, args.seed)
    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(graph)} triples (seed {args.seed})", file=sys.stderr)
    if args.compare:
        print(compare(graph, real_asserted()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
