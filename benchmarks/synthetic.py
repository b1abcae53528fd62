"""Synthetic sources shaped like the article's dataset (asserted + evidence), for timing at scale.

``generate(n_triples, seed)`` returns one rdflib Graph of exactly ``n_triples`` triples that uses
the real casegraph ontology terms the way ``graph/build`` does, for many synthetic news sources.
Each source has the **asserted** facts of a report: agencies (``org:subOrganizationOf``
hierarchies, some under departments shared by every source), government bodies, jurisdictions
(with their governor's party) and places, programs, posts and the people holding them, groups,
legal authorities, datasets (with ``cg:count`` quantities), documents, events of the ontology's
event classes with their role properties (a data transfer carrying out an order given over an
objection, as in the article), statements with ``cg:Quote`` nodes, claims (``cg:PurposeClaim``,
``cg:StatusClaim``, ``cg:Assessment``), legal citations, and ``cg:ReportedTime`` nodes with the
OWL-Time structure and ``cg:earliest`` / ``cg:latest`` the build adds (computed by
``casegraph.chronology.span_of``, Eastern Time). And it has the source's **evidence**, shaped
like ``casegraph.ground``'s:

- every asserted triple that needs evidence (all but those ``casegraph.ground.EXEMPT`` lists:
  types, labels, notes, time bookkeeping) has an RDF 1.1 reification
  ``…/id/assertion/<16 hex>`` (a hash of the source and the triple) and a grounding annotation
  ``<statement>/annotation`` (``oa:motivatedBy cg:grounding``, ``oa:hasBody`` the statement,
  ``oa:hasTarget`` a span; some with ``skos:editorialNote``, ``cg:reading`` or
  ``cg:unclearInSource``), or, for a few, ``cg:inferred true`` and a ``cg:inferenceNote``;
- a subject's triples are grounded in groups of one to five, each group on one span, as a
  curator's ``cgc:evidence [ cgc:supports P1 , P2 ; cgc:quote "…" ]`` block does;
- spans are ``<source>/span/{start}-{end}``: an ``oa:SpecificResource`` with a
  ``TextQuoteSelector`` (``oa:exact``/``prefix``/``suffix``) and a ``TextPositionSelector``
  (``oa:start``/``oa:end`` as ``xsd:nonNegativeInteger``), offsets increasing through the source;
- entities are named by ``oa:identifying`` annotations ``…/id/mention/<16 hex>`` with one or
  more (short) spans each;
- a quote is ``statement cg:hasQuote q . q a cg:Quote ; schema:text "…" ; cg:rendering
  cg:BackTranslation ; prov:wasAttributedTo <source>``, each of those triples grounded on the
  quote's own span (whose ``oa:exact`` is the quote's text).

Enrichment (Wikidata links, statute citations) is not generated, and no deprecated term is used.
The per-source counts are the real article's divided by about four (with jitter), so the
predicate mix and the literal/IRI ratio stay close to the real asserted + evidence graphs'
(``--compare`` prints both side by side): about nine in ten triples are evidence. Later sources
mention some earlier sources' entities again and attach their agencies to shared departments, as
a corpus of reports on the same story would.

``generate(n, seed, evidence=False)`` gives the asserted facts only (the same facts, as the
random draws do not change), the input the build's reasoner sees.

Output is deterministic for a seed. The graph is built block by block (an entity with its
evidence, an event with its quotes and times, …) in dependency order, so it never refers to an
entity it does not describe; the last few triples are ``skos:altLabel`` aliases and notes, so the
size is exact.

Usage::

    python benchmarks/synthetic.py N OUT.nt [--seed S] [--compare] [--no-evidence]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from casegraph.chronology import ZONE, span_of

CG = Namespace("https://w3id.org/casegraph/ontology#")
ID = "https://w3id.org/casegraph/id/"
ORG = Namespace("http://www.w3.org/ns/org#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("https://schema.org/")
DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

Triple = tuple[Node, Node, Node]
Block = list[Triple]

#: Predicates whose triples need no evidence: ``casegraph.ground.EXEMPT`` (copied, so that the
#: generated corpora only change when this file does).
EXEMPT = frozenset(
    {
        RDF.type,
        SKOS.prefLabel,
        SKOS.altLabel,
        RDFS_LABEL,
        SKOS.definition,
        SKOS.note,
        SKOS.editorialNote,
        CG.inferenceNote,
        CG.timeValue,
        CG.precision,
        CG.inferred,
        CG.earliest,
        CG.latest,
        TIME.hasBeginning,
        TIME.hasEnd,
        TIME.inXSDDateTimeStamp,
        CG.curatorGist,
        OWL.deprecated,
        DCTERMS.isReplacedBy,
    }
)
TRUE = Literal(True)

#: Per-source counts of the real article (graph/build, asserted graph), by kind.
REAL_COUNTS = {
    "jurisdiction": 8,
    "place": 2,
    "agency": 5,
    "body": 14,
    "news": 2,
    "party": 1,
    "program": 11,
    "post": 8,
    "person": 12,
    "group": 7,
    "membership": 1,
    "authority": 7,
    "dataset": 2,
    "document": 3,
    "event": 30,
    "citation": 8,
}
#: Real counts are divided by about this much per synthetic source.
SCALE = 4.0
#: Event classes with their number among the article's events.
EVENT_MIX = [
    (CG.Statement, 12),
    (CG.DataSubmission, 3),
    (CG.Review, 2),
    (CG.ProgramChange, 2),
    (CG.Announcement, 2),
    (CG.CommentNotObtained, 2),
    (CG.DeclinedComment, 1),
    (CG.DataRequest, 1),
    (CG.Directive, 1),
    (CG.DataTransfer, 1),
    (CG.Objection, 1),
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
    CG.Announcement,
    CG.EnforcementOperation,
    CG.CourtRuling,
    CG.DeclinedComment,
    CG.CommentNotObtained,
    CG.Statement,
]
#: Share of sources that tell the article's core story: an objection, an order given over it and
#: a transfer carrying out the order (the ``ordered-over-objection`` query's rows).
CORE_STORY = 0.5
AUTHORITY_CLASSES = [CG.LegalAuthority, CG.Statute, CG.LegalAuthority, CG.Policy, CG.ExecutiveOrder, CG.Statute]
DOCUMENT_CLASSES = [CG.Memo, CG.Letter, CG.Email]
DATA_CATEGORIES = [CG.Name, CG.Address, CG.SocialSecurityNumber, CG.ClaimsData, CG.ImmigrationStatus, CG.TaxData]
PERSONAL_DATA = {
    CG.Name: PD.Name,
    CG.Address: PD.PhysicalAddress,
    CG.SocialSecurityNumber: PD.OfficialID,
    CG.ClaimsData: URIRef("https://w3id.org/dpv/sector/health#ClaimAdminData"),
}
STANCES = [CG.Opposes, CG.Opposes, CG.Opposes, CG.Supports, CG.Neutral, CG.Disputes]
PURPOSES = [CG.ImmigrationEnforcement, CG.BenefitEligibilityVerification]
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
#: Precisions of the article's times, by their number among them (BoundedPrecision: two bounds).
PRECISIONS = [
    *[CG.DayPrecision] * 6,
    *[CG.MonthPrecision] * 3,
    CG.MinutePrecision,
    CG.YearPrecision,
    CG.BoundedPrecision,
]
DATATYPES = {
    CG.DayPrecision: XSD.date,
    CG.MonthPrecision: XSD.gYearMonth,
    CG.MinutePrecision: XSD.dateTime,
    CG.YearPrecision: XSD.gYear,
}
#: Number of departments every source can attach its agencies to.
SHARED_DEPARTMENTS = 12
#: How many of a subject's triples one span states (a curator's evidence block), drawn uniformly.
GROUP_SIZES = (1, 1, 1, 2, 2, 3, 4, 5)
#: Spans of a mention annotation, drawn uniformly (the article: mostly one, up to eleven).
MENTION_SPANS = (1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4)
#: Shares of a subject's groups after the first that are curator inferences (no span), and of
#: grounded groups that carry an editorial note, a reading of garbled words, that are unclear in
#: the source, or that have a second span.
INFERRED, NOTED, READING, UNCLEAR, TWO_SPANS = 0.15, 0.22, 0.065, 0.003, 0.03


class _Source:
    """One synthetic news source: the IRIs it mints, the spans it cites (in text order) and the
    evidence of the block being built."""

    def __init__(self, rng: random.Random, index: int, shared: dict[str, list[URIRef]], evidence: bool) -> None:
        self.rng = rng
        self.slug = f"s{index:05d}"
        self.iri = URIRef(f"{ID}source/synthetic-{index:05d}")
        self.cursor = rng.randrange(0, 200)
        self.shared = shared
        self.keep_evidence = evidence
        self.made: dict[str, list[URIRef]] = {}
        self.over: dict[URIRef, URIRef] = {}  # order -> the objection it was given over
        self.speakers: dict[URIRef, URIRef] = {}  # statement -> speaker
        self.pending: Block = []  # evidence of the block being built
        self.grounded: set[Triple] = set()  # triples of the block already grounded (quotes)

    # -- text and spans ----------------------------------------------------------------------

    def text(self, length: int) -> str:
        words: list[str] = []
        size = 0
        while size <= length:  # the words joined are size - 1 characters long
            word = self.rng.choice(WORDS)
            words.append(word)
            size += len(word) + 1
        return " ".join(words)[:length]

    def span(self, low: int, high: int) -> tuple[URIRef, str, int, int]:
        """A new span of ``low`` to ``high`` characters after the last one; its 11 triples (6
        literal-valued) go to the pending evidence. Returns its IRI, exact words and offsets."""
        start = self.cursor + self.rng.randrange(1, 120)
        end = start + self.rng.randrange(low, high)
        self.cursor = end
        iri = f"{self.iri}/span/{start}-{end}"
        res, quote, position = URIRef(iri), URIRef(iri + "/quote-selector"), URIRef(iri + "/position-selector")
        exact = self.text(end - start)
        self.pending += [
            (res, RDF.type, OA.SpecificResource),
            (res, OA.hasSource, self.iri),
            (res, OA.hasSelector, quote),
            (res, OA.hasSelector, position),
            (quote, RDF.type, OA.TextQuoteSelector),
            (quote, OA.exact, Literal(exact)),
            (quote, OA.prefix, Literal(self.text(32))),
            (quote, OA.suffix, Literal(self.text(32))),
            (position, RDF.type, OA.TextPositionSelector),
            (position, OA.start, Literal(str(start), datatype=XSD.nonNegativeInteger)),
            (position, OA.end, Literal(str(end), datatype=XSD.nonNegativeInteger)),
        ]
        return res, exact, start, end

    # -- evidence ----------------------------------------------------------------------------

    def mint_hash(self, kind: str, key: str) -> URIRef:
        """``…/id/{kind}/{16 hex}`` from the source and ``key``, as ``casegraph.ground.mint``."""
        digest = hashlib.sha256(f"{self.iri}\n{key}".encode()).hexdigest()[:16]
        return URIRef(f"{ID}{kind}/{digest}")

    def names(self, entity: URIRef, p: float = 1.0, most: int = 11) -> None:
        """With probability ``p``, an ``oa:identifying`` annotation of ``entity`` on new spans."""
        if self.rng.random() >= p:
            return
        annotation = self.mint_hash("mention", entity.n3())
        self.pending += [
            (annotation, RDF.type, OA.Annotation),
            (annotation, OA.motivatedBy, OA.identifying),
            (annotation, OA.hasBody, entity),
        ]
        for _ in range(min(most, self.rng.choice(MENTION_SPANS))):
            self.pending.append((annotation, OA.hasTarget, self.span(3, 40)[0]))

    def support(self, triples: list[Triple], targets: list[URIRef] | None = None, infer: bool = False) -> None:
        """Reify ``triples`` and ground them on ``targets`` (new spans when None), as one curator's
        evidence block: one annotation per triple, all with the same targets and notes. With
        ``infer``, the block may instead be a curator inference (a note, no span)."""
        rng = self.rng
        if infer and rng.random() < INFERRED:
            note = self.en((8, 18))
            for triple in triples:
                statement = self.reify(triple)
                self.pending += [(statement, CG.inferred, TRUE), (statement, CG.inferenceNote, note)]
            return
        if targets is None:
            targets = [self.span(25, 230)[0] for _ in range(2 if rng.random() < TWO_SPANS else 1)]
        extra: list[tuple[Node, Node]] = []
        if rng.random() < NOTED:
            extra.append((SKOS.editorialNote, self.en((10, 30))))
        if rng.random() < READING:
            extra.append((CG.reading, self.en((4, 10))))
        if rng.random() < UNCLEAR:
            extra.append((CG.unclearInSource, TRUE))
        for triple in triples:
            statement = self.reify(triple)
            annotation = URIRef(f"{statement}/annotation")
            self.pending += [
                (annotation, RDF.type, OA.Annotation),
                (annotation, OA.motivatedBy, CG.grounding),
                (annotation, OA.hasBody, statement),
            ]
            self.pending += [(annotation, OA.hasTarget, target) for target in targets]
            self.pending += [(annotation, p, o) for p, o in extra]
        self.grounded.update(triples)

    def reify(self, triple: Triple) -> URIRef:
        s, p, o = triple
        statement = self.mint_hash("assertion", f"{s.n3()} {p.n3()} {o.n3()}")
        self.pending += [
            (statement, RDF.type, RDF.Statement),
            (statement, RDF.subject, s),
            (statement, RDF.predicate, p),
            (statement, RDF.object, o),
        ]
        return statement

    def finish(self, asserted: Block) -> Block:
        """``asserted`` (duplicates dropped) with its evidence: the pending mentions and quotes,
        and the rest of its triples that need evidence, grounded a subject's group at a time."""
        asserted = list(dict.fromkeys(asserted))
        by_subject: dict[Node, list[Triple]] = {}
        for triple in asserted:
            if triple[1] not in EXEMPT and triple not in self.grounded:
                by_subject.setdefault(triple[0], []).append(triple)
        for triples in by_subject.values():
            i = 0
            while i < len(triples):
                size = self.rng.choice(GROUP_SIZES)
                self.support(triples[i : i + size], infer=i > 0)  # some words name every subject
                i += size
        block = asserted + self.pending if self.keep_evidence else asserted
        self.pending, self.grounded = [], set()
        return block

    # -- helpers -----------------------------------------------------------------------------

    def mint(self, kind: str, path: str, name: str) -> URIRef:
        iri = URIRef(f"{ID}{path}/{self.slug}-{name}-{len(self.made.get(kind, []))}")
        self.made.setdefault(kind, []).append(iri)
        return iri

    def pick(self, *kinds: str, shared: float = 0.0) -> URIRef | None:
        """A random entity of one of ``kinds`` made so far (or, with probability ``shared``,
        one of an earlier source's; from the other pool when that one has none), or None."""
        pools = (self.shared, self.made) if self.rng.random() < shared else (self.made, self.shared)
        for pool in pools if shared else pools[:1]:
            if choices := [iri for kind in kinds for iri in pool.get(kind, [])]:
                return self.rng.choice(choices)
        return None

    def label(self, subject: URIRef, text: str) -> Triple:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(2, 8)))
        return (subject, SKOS.prefLabel, Literal(f"{text} {words}", lang="en"))

    def en(self, words: tuple[int, int]) -> Literal:
        return Literal(" ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(*words))), lang="en")

    def time(self, owner: URIRef, name: str = "") -> tuple[URIRef, Block]:
        """A ``cg:ReportedTime`` as the build publishes it: the curated value and precision (or
        bounds), and the OWL-Time structure and bounds ``casegraph.chronology`` adds."""
        rng = self.rng
        when = URIRef(f"{ID}time/{str(owner).rsplit('/', 1)[1]}{name}")
        precision = rng.choice(PRECISIONS)
        year, month, day = 2015 + rng.randrange(11), 1 + rng.randrange(12), 1 + rng.randrange(28)
        inferred = precision == CG.BoundedPrecision or rng.random() < 0.9
        block: Block = [(when, RDF.type, CG.ReportedTime), (when, CG.precision, precision)]
        if precision == CG.BoundedPrecision:
            first = date(year, month, day)
            last = date.fromordinal(first.toordinal() + rng.randint(1, 6))
            earliest = span_of(first.isoformat(), CG.DayPrecision)[0]
            latest = span_of(last.isoformat(), CG.DayPrecision)[0]
        else:
            if precision == CG.MinutePrecision:
                moment = datetime(year, month, day, rng.randrange(24), rng.randrange(60), tzinfo=ZONE)
                value = moment.isoformat()
            else:
                lexical = {CG.DayPrecision: f"{year}-{month:02d}-{day:02d}", CG.MonthPrecision: f"{year}-{month:02d}"}
                value = lexical.get(precision, f"{year}")
            earliest, latest = span_of(value, precision)
            block.append((when, CG.timeValue, Literal(value, datatype=DATATYPES[precision])))
        block.append((when, CG.inferred, Literal(inferred)))
        if inferred:
            block.append((when, CG.inferenceNote, self.en((6, 14))))
        first_instant = Literal(earliest, datatype=XSD.dateTimeStamp)
        last_instant = Literal(latest, datatype=XSD.dateTimeStamp)
        block += [(when, CG.earliest, first_instant), (when, CG.latest, last_instant)]
        if precision == CG.MinutePrecision:
            block += [(when, RDF.type, TIME.Instant), (when, TIME.inXSDDateTimeStamp, first_instant)]
        else:
            beginning, end = URIRef(f"{when}/beginning"), URIRef(f"{when}/end")
            block += [
                (when, RDF.type, TIME.ProperInterval),
                (when, TIME.hasBeginning, beginning),
                (when, TIME.hasEnd, end),
                (beginning, RDF.type, TIME.Instant),
                (beginning, TIME.inXSDDateTimeStamp, first_instant),
                (end, RDF.type, TIME.Instant),
                (end, TIME.inXSDDateTimeStamp, last_instant),
            ]
        self.names(when, 0.8, 1)
        return when, block

    def quantity(self, text: str) -> tuple[URIRef, Block]:
        """A ``schema:QuantitativeValue``: a number the report gives, qualified."""
        rng = self.rng
        q = self.mint("quantity", "quantity", "count")
        number = Literal(rng.choice([1, 10, 100, 1000, 10_000, 100_000]) * rng.randint(1, 99))
        block = [
            (q, RDF.type, SCHEMA.QuantitativeValue),
            self.label(q, text),
            (q, SCHEMA.unitText, self.en((1, 3))),
            (q, SCHEMA.value if rng.random() < 0.6 else SCHEMA.minValue, number),
        ]
        if rng.random() < 0.7:
            block.append((q, CG.approximate, TRUE))
        self.names(q, 0.9, 1)
        return q, block


def _count(rng: random.Random, kind: str) -> int:
    return max(1, round(REAL_COUNTS[kind] / SCALE * rng.uniform(0.6, 1.4)))


def _source_blocks(src: _Source) -> Iterator[Block]:
    """The blocks of one source, each referring only to what earlier blocks described."""
    rng = src.rng
    for _ in range(_count(rng, "party")):
        o = src.mint("party", "organization", "party")
        src.names(o, 1.0, 2)
        yield src.finish([(o, RDF.type, CG.PoliticalParty), src.label(o, "party")])
    for _ in range(_count(rng, "jurisdiction")):
        j = src.mint("jurisdiction", "jurisdiction", "state")
        block = [(j, RDF.type, CG.Jurisdiction), src.label(j, rng.choice(STATES))]
        if rng.random() < 0.85:
            block.append((j, RDF.type, SCHEMA.State))
        if rng.random() < 0.85 and (party := src.pick("party")) is not None:
            block.append((j, CG.governorParty, party))
        src.names(j, 1.0, 3)
        yield src.finish(block)
    for _ in range(_count(rng, "place")):
        p = src.mint("place", "place", "place")
        src.names(p, 1.0, 1)  # places inside places are enrichment
        yield src.finish([(p, RDF.type, CG.Place), src.label(p, "place")])
    for _ in range(_count(rng, "agency")):
        a = src.mint("agency", "agency", "agency")
        block = [(a, RDF.type, CG.GovernmentAgency), src.label(a, "agency"), (a, SKOS.altLabel, src.en((1, 1)))]
        parent = src.pick("agency", shared=0.6)
        if parent is not None and rng.random() < 0.5:
            block.append((a, ORG.subOrganizationOf, parent))
        src.names(a, 1.0, 6)
        yield src.finish(block)
    for kind, cls in (("body", CG.GovernmentBody), ("news", CG.NewsOrganization)):
        for _ in range(_count(rng, kind)):
            o = src.mint(kind, "organization", kind)
            block = [(o, RDF.type, cls), src.label(o, kind)]
            if kind == "body" and (j := src.pick("jurisdiction")) is not None and rng.random() < 0.6:
                block += [(o, CG.inJurisdiction, j), (o, SKOS.definition, src.en((6, 14)))]
            src.names(o, 0.65 if kind == "body" else 1.0, 3)
            yield src.finish(block)
    for i in range(_count(rng, "program")):
        p = src.mint("program", "program", "program")
        if i == 0:
            block = [(p, RDF.type, CG.Program), src.label(p, "program")]
        else:
            block = [(p, RDF.type, CG.StateFundedMedicaidProgram), src.label(p, "state program")]
            src.made.setdefault("state program", []).append(p)
            if (j := src.pick("jurisdiction")) is not None:
                block.append((p, CG.inJurisdiction, j))
            if rng.random() < 0.4:
                block.append((p, CG.submissionStatus, rng.choice([CG.Submitted, CG.NotYetSubmitted])))
        src.names(p, 0.6, 2)
        yield src.finish(block)
    for _ in range(_count(rng, "post")):
        p = src.mint("post", "post", "post")
        block = [(p, RDF.type, ORG.Post), src.label(p, "post")]
        if (org := src.pick("agency", "body")) is not None:
            block.append((p, ORG.postIn, org))
        if rng.random() < 0.12:
            block.append((p, SKOS.editorialNote, src.en((10, 20))))
        src.names(p, 1.0, 2)
        yield src.finish(block)
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
        if rng.random() < 0.25:
            block.append((p, CG.careerStatus, Literal("career employee", lang="en")))
        src.names(p, 1.0, 4)
        yield src.finish(block)
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
        src.names(g, 1.0, 3)
        yield src.finish(block)
    for _ in range(_count(rng, "membership")):
        if rng.random() < 0.5:
            continue
        m = src.mint("membership", "membership", "membership")
        block = [(m, RDF.type, ORG.Membership), src.label(m, "former employee")]
        if (person := src.pick("person")) is not None and (org := src.pick("agency")) is not None:
            block += [(m, ORG.member, person), (m, ORG.organization, org)]
        block += [(m, CG.careerStatus, Literal("career employee", lang="en")), (m, CG.former, TRUE)]
        src.names(m, 1.0, 1)
        yield src.finish(block)
    for i in range(_count(rng, "authority")):
        a = src.mint("authority", "authority", "authority")
        block = [(a, RDF.type, AUTHORITY_CLASSES[i % len(AUTHORITY_CLASSES)]), src.label(a, "authority")]
        if rng.random() < 0.2 and (person := src.pick("person")) is not None:
            when, times = src.time(a)
            block += [(a, CG.enactedBy, person), (a, CG.officialTitle, src.en((3, 8))), (a, CG.dated, when), *times]
        if rng.random() < 0.4:
            block.append((a, SKOS.note, src.en((6, 14))))
        src.names(a, 1.0, 2)
        yield src.finish(block)
    for _ in range(_count(rng, "dataset")):
        d = src.mint("dataset", "dataset", "dataset")
        block = [(d, RDF.type, CG.Dataset), src.label(d, "records")]
        categories = rng.sample(DATA_CATEGORIES, rng.randint(1, 4))
        block += [(d, CG.containsDataCategory, category) for category in categories]
        if rng.random() < 0.5:
            block += [(d, DPV.hasPersonalData, PERSONAL_DATA[c]) for c in categories if c in PERSONAL_DATA]
        for _ in range(rng.randint(0, 4)):
            if (j := src.pick("jurisdiction")) is not None:
                block.append((d, CG.coversJurisdiction, j))
        if (holder := src.pick("agency", shared=0.3)) is not None:
            block.append((d, CG.heldBy, holder))
        if rng.random() < 0.5:
            block += [(d, CG.dataSubjects, src.en((6, 12))), (d, DPV.hasDataSubject, DPV.NonCitizen)]
            q, quantity = src.quantity("millions of enrollees")
            block += [(d, CG["count"], q), *quantity]
        src.names(d, 1.0, 3)
        yield src.finish(block)
    for i in range(_count(rng, "document")):
        d = src.mint("document", "document", "document")
        block = [(d, RDF.type, DOCUMENT_CLASSES[i % len(DOCUMENT_CLASSES)]), src.label(d, "document")]
        if (to := src.pick("person", "group")) is not None and rng.random() < 0.7:
            block.append((d, CG.sentTo, to))
        if (by := src.pick("agency", "group")) is not None and rng.random() < 0.7:
            block.append((d, CG.writtenBy, by))
        if rng.random() < 0.33 and (signer := src.pick("person")) is not None:
            when, times = src.time(d)
            block += [(d, CG.signedBy, signer), (d, CG.dated, when), *times]
        src.names(d, 1.0, 3)
        yield src.finish(block)
    yield from _event_blocks(src)
    yield from _claim_blocks(src)
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
        yield src.finish(block)
    # Entities of earlier sources that this one names again.
    again = {src.pick("agency", "person", "body", "jurisdiction", shared=1.0) for _ in range(rng.randint(0, 3))}
    for old in sorted(iri for iri in again if iri is not None):
        src.names(old, 1.0, 2)
        yield src.finish([])


class _Roles:
    """Adds ``event prop target`` to a block, the target picked among what ``src`` made."""

    def __init__(self, src: _Source, event: URIRef, block: Block) -> None:
        self.src, self.event, self.block = src, event, block

    def __call__(self, prop: URIRef, *kinds: str, p: float = 1.0, shared: float = 0.15) -> URIRef | None:
        if self.src.rng.random() < p and (target := self.src.pick(*kinds, shared=shared)) is not None:
            self.block.append((self.event, prop, target))
            return target
        return None


def _event_blocks(src: _Source) -> Iterator[Block]:
    rng = src.rng
    classes = [cls for cls, weight in EVENT_MIX for _ in range(weight)]
    drawn = [rng.choice(classes) for _ in range(_count(rng, "event"))]
    if rng.random() < CORE_STORY:
        drawn += [CG.Objection, CG.Directive, CG.DataTransfer]
    drawn.sort(key=NARRATIVE.index)
    agents = ("person", "group", "agency", "body")
    for cls in drawn:
        name = str(cls).rsplit("#", 1)[1].lower()
        e = src.mint("event", "event", name)
        src.made.setdefault(name, []).append(e)
        block: Block = [(e, RDF.type, cls), src.label(e, name)]
        role = _Roles(src, e, block)
        dating = CG.occurredAt
        if cls == CG.Statement:
            block += [(e, CG.medium, Literal(rng.choice(MEDIA), lang="en")), (e, CG.stance, rng.choice(STANCES))]
            if (speaker := role(CG.speaker, "person", "group", shared=0.05)) is not None:
                src.speakers[e] = speaker
            role(CG.speaker, "person", p=0.4, shared=0.05)
            role(CG.speakerRole, "post", p=0.7)
            role(CG.speakingFor, "agency", "body", p=0.7)
            role(CG.stanceTarget, "event", "program", shared=0.0)
        elif cls in (CG.DataSubmission, CG.DataTransfer):
            role(CG.sender, "agency", "body")
            role(CG.recipient, "agency")
            role(CG.transferredDataset, "dataset", p=1.0 if cls == CG.DataTransfer else 0.8)
            role(CG.about, "state program", "program", p=0.6)
            role(CG.partOf, "event", p=0.5, shared=0.0)
            if cls == CG.DataTransfer:
                order = role(CG.fulfils, "directive", p=0.9, shared=0.0)
                if order in src.over and rng.random() < 0.9:
                    block.append((e, CG.overObjection, src.over[order]))
                else:
                    role(CG.overObjection, "objection", p=0.3, shared=0.0)
                if rng.random() < 0.5:
                    block.append((e, DPV.hasProcessing, DPV.Share))
        elif cls == CG.Objection:
            role(CG.objector, "person", "group")
            role(CG.objector, "person", p=0.5)
            role(CG.addressedTo, "person", "agency")
            role(CG.objectsTo, "event", shared=0.0)
            role(CG.documentedIn, "document", p=0.7)
        elif cls in (CG.Directive, CG.DataRequest):
            role(CG.issuedBy, "group", "person", "agency")
            role(CG.addressedTo, "agency")
            role(CG.onBehalfOf, "agency", p=0.5)
            role(CG.documentedIn, "document", p=0.5)
            over = role(CG.overObjection, "objection", p=0.9 if cls == CG.Directive else 0.3, shared=0.0)
            if over is not None:
                src.over[e] = over
            if cls == CG.DataRequest:
                role(CG.requestedDataset, "dataset")
            elif rng.random() < 0.7:
                deadline, times = src.time(e, "-deadline")
                block += [(e, CG.deadline, deadline), *times]
        elif cls in (CG.Review, CG.ProgramChange, CG.EnforcementOperation, CG.Announcement):
            role(CG.conductedBy, *agents)
            if cls == CG.Announcement:
                role(CG.announces, "programchange", shared=0.0)
            else:
                role(CG.about, "program", "state program", p=0.8)
            for _ in range(rng.randint(0, 3)):
                role(CG.involves, "body", "agency")
            role(CG.documentedIn, "document", p=0.3)
            role(CG.location, "place", p=0.3)
            if cls == CG.ProgramChange and rng.random() < 0.4:
                q, quantity = src.quantity("about enrollees")
                block += [(e, CG["count"], q), *quantity]
            if cls == CG.ProgramChange and rng.random() < 0.5:
                dating = CG.plannedFor
        elif cls == CG.CourtRuling:
            role(CG.decidedBy, "person")
            role(CG.about, "event", shared=0.0)
        else:  # DeclinedComment, CommentNotObtained
            role(CG.involves, *agents)
            role(CG.involves, *agents, p=0.4)
            role(CG.about, "event", p=0.5 if cls == CG.DeclinedComment else 0.0, shared=0.0)
        if rng.random() < (0.9 if dating == CG.plannedFor else 0.35):
            when, times = src.time(e)
            block += [(e, dating, when), *times]
        if cls == CG.Statement:
            if rng.random() < 0.08:
                block.append((e, CG.paraphrased, TRUE))
            else:
                for _ in range(rng.choice([1, 1, 2])):
                    span, words, start, end = src.span(10, 230)
                    q = URIRef(f"{e}/quote/{start}-{end}")
                    quote: Block = [
                        (e, CG.hasQuote, q),
                        (q, RDF.type, CG.Quote),
                        (q, SCHEMA.text, Literal(words)),
                        (q, CG.rendering, CG.BackTranslation),
                        (q, PROV.wasAttributedTo, src.iri),
                    ]
                    src.support([t for t in quote if t[1] not in EXEMPT], [span])
                    block += quote
                    if rng.random() < 0.2:
                        block.append((q, CG.curatorGist, src.en((10, 30))))
        if rng.random() < 0.15:
            block.append((e, SKOS.note, src.en((8, 20))))
        src.names(e, 0.95, 3)
        yield src.finish(block)


def _claim_blocks(src: _Source) -> Iterator[Block]:
    """Purposes, statuses and assessments: claims of whoever made them, never facts."""
    rng = src.rng
    for transfer in src.made.get("datatransfer", []):
        for _ in range(rng.choice([1, 1, 2])):
            c = src.mint("claim", "claim", "purpose")
            statement = src.pick("statement")
            if statement is not None and statement in src.speakers and rng.random() < 0.5:
                claimant, claimed_in = src.speakers[statement], statement
            else:  # the report's own voice
                claimant, claimed_in = src.pick("news"), src.iri
            block = [(c, RDF.type, CG.PurposeClaim), src.label(c, "purpose"), (c, CG.claimAbout, transfer)]
            block += [(c, CG.claimant, claimant), (c, CG.claimedIn, claimed_in)]
            block.append((c, CG.claimedPurpose, rng.choice(PURPOSES)))
            if rng.random() < 0.5:
                block.append((c, CG.assessment, src.en((8, 16))))
            src.names(c, 0.9, 1)
            yield src.finish(block)
    for program in src.made.get("state program", []):
        if rng.random() < 0.45 and (claimant := src.pick("person")) is not None:
            c = src.mint("claim", "claim", "status")
            block = [(c, RDF.type, CG.StatusClaim), src.label(c, "status"), (c, CG.claimAbout, program)]
            block += [(c, CG.claimant, claimant), (c, CG.claimedStatus, rng.choice([CG.Submitted, CG.NotYetSubmitted]))]
            yield src.finish(block)
    if rng.random() < 0.3 and (event := src.pick("event")) is not None:
        c = src.mint("claim", "claim", "assessment")
        block = [(c, RDF.type, CG.Assessment), src.label(c, "the report"), (c, CG.claimAbout, event)]
        block += [(c, CG.claimant, src.pick("news")), (c, CG.claimedIn, src.iri), (c, CG.assessment, src.en((8, 16)))]
        if rng.random() < 0.5:
            block.append((c, CG.hedged, TRUE))
        src.names(c, 1.0, 1)
        yield src.finish(block)


def _blocks(rng: random.Random, evidence: bool = True) -> Iterator[Block]:
    """Sources one after the other, forever; the first one founds the shared departments.
    Without ``evidence``, the same blocks with their asserted triples only."""
    shared: dict[str, list[URIRef]] = {}
    founder = _Source(rng, 0, shared, evidence)
    for i in range(SHARED_DEPARTMENTS):
        d = founder.mint("agency", "agency", f"department-{i}")
        founder.names(d, 1.0, 3)
        yield founder.finish([(d, RDF.type, CG.GovernmentAgency), founder.label(d, "department")])
    shared.update(founder.made)
    index = 0
    while True:
        index += 1
        src = _Source(rng, index, shared, evidence)
        yield from _source_blocks(src)
        for kind, iris in src.made.items():
            shared.setdefault(kind, []).extend(iris)


def generate(n_triples: int, seed: int = 0, *, evidence: bool = True) -> Graph:
    """Exactly ``n_triples`` triples shaped like the article's asserted and evidence graphs
    together (without ``evidence``: like its asserted graph)."""
    rng = random.Random(seed)
    triples: list[Triple] = []
    labelled: list[URIRef] = []
    for block in _blocks(rng, evidence):
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
        ("time:", str(TIME)),
    ):
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    return iri


def real_graph(evidence: bool = True) -> Graph:
    """The shipped article's asserted and evidence graphs (graph/build) as one rdflib Graph
    (without ``evidence``: its asserted graph)."""
    from casegraph.dataset import read_quads, select_quads
    from casegraph.export import RdfFormat, serialize

    roles = ("asserted", "evidence") if evidence else ("asserted",)
    graph = Graph()
    graph.parse(data=serialize(select_quads(read_quads(), roles), RdfFormat.NTRIPLES), format="nt")
    return graph


def compare(synthetic: Graph, real: Graph, top: int = 40) -> str:
    """A table of predicate shares (%) in the real graphs and in ``synthetic``."""
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
    parser = argparse.ArgumentParser(description="Write synthetic sources shaped like the article's dataset.")
    parser.add_argument("n", type=int, help="number of triples")
    parser.add_argument("out", type=Path, help="output file (N-Triples)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="print the predicate mix against the real asserted + evidence graphs (asserted only with --no-evidence)",
    )
    parser.add_argument("--no-evidence", action="store_true", help="the asserted facts only, no evidence")
    args = parser.parse_args(argv)
    graph = generate(args.n, args.seed, evidence=not args.no_evidence)
    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(graph)} triples (seed {args.seed})", file=sys.stderr)
    if args.compare:
        real = real_graph(evidence=not args.no_evidence)
        print(f"real: graph/build {'asserted' if args.no_evidence else 'asserted + evidence'}, {len(real)} triples")
        print(compare(graph, real))
    return 0


if __name__ == "__main__":
    sys.exit(main())
