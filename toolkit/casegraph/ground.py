"""Ground the curators' shorthand in the report: every asserted triple gets the words that state it.

Curators write, in ``graph/article.ttl`` (namespace ``cgc:``, never published; see
``graph/CURATION.md``):

- ``cgc:evidence [ cgc:supports P… ; cgc:object O… ; cgc:quote "…" ; cgc:note "…" ]`` on a subject:
  the quoted words state the subject's triples through ``P`` (only those to ``O`` when given);
- ``cgc:inferred [ cgc:supports P… ; cgc:object O… ; cgc:note "…" ]``: a curator inference, no span;
- ``cgc:mention "…"``: a surface form naming the subject;
- ``cgc:quotation "…"``: the words of a statement, which become a ``cg:Quote``.

Each string must occur exactly once in the report (``[[ ]]`` selects words inside longer
context). This stage splits the curated file into the **asserted** graph (the facts, no
shorthand) and the report's **evidence** graph: for each asserted triple an RDF 1.1 reification
(``rdf:Statement``) that a W3C Web Annotation (motivation ``cg:grounding``, a kind of
``oa:describing``) targets with the report's spans, or that carries ``cg:inferred true`` and the
curator's note; and for each entity an ``oa:identifying`` annotation of the spans that name it.
Statement and annotation IRIs are minted from a hash of the report and the triple; span IRIs from
the report and the offsets. So no blank node is needed and IRIs survive re-curation.

Mapping to RDF 1.2, for later: each ``rdf:Statement`` ``r`` with subject ``s``, predicate ``p``
and object ``o`` becomes ``r rdf:reifies <<( s p o )>>``; the annotation is unchanged.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import GroundingError
from .iris import ID_NS, UNGROUNDED
from .ontology import CG, CGC, OA, PROV, SCHEMA, SKOS

CONTEXT_CHARS = 32
OPEN, CLOSE = "[[", "]]"
Triple = tuple[Node, Node, Node]

#: Kinds of asserted triple that need no span of their own: types, labels, definitions and notes,
#: and time bookkeeping (value, precision, inferred flag, bounds: the span that dates an event
#: supports the event's link to its time; the bounds follow from the value, or carry a note).
EXEMPT = frozenset(URIRef(iri) for iri in UNGROUNDED)
BLOCKS = (CGC.evidence, CGC.inferred)
BLOCK_KEYS = {CGC.supports, CGC.object, CGC.quote, CGC.note, CGC.reading, CGC.unclear}
QUOTATION_KEYS = {CGC.quote, CGC.gist}


@dataclass(frozen=True)
class Span:
    """A verified selection of the source text: ``text[start:end] == exact``."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def parse_pattern(pattern: str) -> tuple[str, str, str]:
    """Split ``before[[exact]]after`` into its three parts (no markers: all of it is exact)."""
    if OPEN not in pattern and CLOSE not in pattern:
        return "", pattern, ""
    head, sep, rest = pattern.partition(OPEN)
    exact, sep2, tail = rest.partition(CLOSE)
    if not sep or not sep2 or OPEN in tail or CLOSE in tail or OPEN in exact or not exact:
        raise ValueError("mark the selected words with exactly one pair of [[ ]]")
    return head, exact, tail


def _occurrences(text: str, needle: str) -> list[int]:
    found, i = [], text.find(needle)
    while i != -1:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


def closest(text: str, words: str) -> tuple[int, str]:
    """The span of ``text`` most like ``words`` (same length, starting at a word): (start, text)."""
    size = max(len(words), 1)
    best, best_ratio = 0, -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(words)
    for match in re.finditer(r"(?:^|(?<=\W))\w", text):
        start = match.start()
        matcher.set_seq1(text[start : start + size])
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = start, ratio
    slack = max(3, size // 10)  # then the best end at a word's end near the same length
    ends = [
        e for e in range(best + max(1, size - slack), min(len(text), best + size + slack) + 1) if _word_end(text, e)
    ]
    end = max(ends, key=lambda e: (difflib.SequenceMatcher(None, text[best:e], words).ratio(), -e), default=best + size)
    return best, text[best:end]


def _word_end(text: str, end: int) -> bool:
    return text[end - 1].isalnum() and (end == len(text) or not text[end].isalnum())


def locate(text: str, pattern: str, *, claim: str, where: str) -> Span:
    """Find the one place in ``text`` that ``pattern`` selects.

    Raises:
        GroundingError: the pattern is malformed, absent, or occurs more than once.
    """
    try:
        before, exact, after = parse_pattern(pattern)
    except ValueError as err:
        raise GroundingError(f'{where}: {claim}: quote "{pattern}": {err}') from err
    hits = _occurrences(text, before + exact + after)
    if not hits:
        at, near = closest(text, before + exact + after)
        raise GroundingError(
            f'{where}: {claim}: quote "{pattern}" is not in the source text; the closest words are '
            f'at {at}-{at + len(near)}: "{near}"; copy the words exactly as the source has them (including its typos)'
        )
    if len(hits) > 1:
        offsets = ", ".join(str(h + len(before)) for h in hits)
        raise GroundingError(
            f'{where}: {claim}: quote "{pattern}" occurs {len(hits)} times '
            f"(at offsets {offsets}); lengthen it, or add context and mark the words with [[ ]]"
        )
    start = hits[0] + len(before)
    end = start + len(exact)
    return Span(
        start=start,
        end=end,
        exact=exact,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


_SENTENCE_END = re.compile(r"\n|(?<=[.?!])[”\"]?\s+|(?<=[.?!][”\"])\s*")


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) offsets: split at line ends and after . ? !
    (with an optional closing quote) followed by white space. Empty stretches are left out."""
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start and text[start : match.start()].strip():
            bounds.append((start, match.start()))
        start = max(start, match.end())
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds


def _n3(term: Node) -> str:
    return term.n3()


def triple_key(triple: Triple) -> str:
    """The triple in N-Triples form (the input of every minted hash)."""
    return " ".join(_n3(t) for t in triple)


def mint(kind: str, source: str, key: str) -> URIRef:
    """``{ID_NS}{kind}/{16 hex digits}``: a hash of the report's IRI and ``key`` (a triple in
    N-Triples form, or an entity's IRI)."""
    digest = hashlib.sha256(f"{source}\n{key}".encode()).hexdigest()[:16]
    return URIRef(f"{ID_NS}{kind}/{digest}")


def span_iri(source: str, span: Span) -> URIRef:
    """A span of the report: the report's IRI and the offsets."""
    return URIRef(f"{source}/span/{span.start}-{span.end}")


def _label(term: Node) -> str:
    text = str(term)
    for prefix, name in ((str(CG), "cg:"), (str(CGC), "cgc:"), (ID_NS, "id:")):
        if text.startswith(prefix):
            return name + text[len(prefix) :]
    return f"<{text}>" if isinstance(term, URIRef) else f'"{text}"'


def describe(triple: Triple) -> str:
    """A triple as a reader writes it: ``id:event/hhs-order cg:issuedBy id:group/kennedy-advisers``."""
    return " ".join(_label(t) for t in triple)


@dataclass
class Block:
    """One ``cgc:evidence`` or ``cgc:inferred`` block, read from the curated graph."""

    subject: URIRef
    kind: URIRef
    supports: list[URIRef]
    objects: list[Node]
    quotes: list[str]
    notes: list[str]
    readings: list[str] = field(default_factory=list)
    unclear: bool = False


@dataclass
class Curated:
    """The curated graph split into facts and shorthand."""

    facts: Graph
    blocks: list[Block] = field(default_factory=list)
    mentions: dict[URIRef, list[str]] = field(default_factory=lambda: defaultdict(list))
    quotations: dict[URIRef, list[tuple[str, str | None]]] = field(default_factory=lambda: defaultdict(list))


def _block(curated: Graph, subject: URIRef, kind: URIRef, node: Node, where: str) -> Block:
    name = "cgc:evidence" if kind == CGC.evidence else "cgc:inferred"
    if not isinstance(node, BNode):
        raise GroundingError(f"{where}: {_label(subject)}: {name} takes a [ … ] block, not {_label(node)}")
    keys = {p for p, _ in curated.predicate_objects(node)}
    if keys - BLOCK_KEYS:
        odd = sorted(_label(k) for k in keys - BLOCK_KEYS)[0]
        raise GroundingError(
            f"{where}: {_label(subject)}: {name} block has {odd}; "
            "it takes cgc:supports, cgc:object, cgc:quote, cgc:note, cgc:reading, cgc:unclear"
        )
    supports = sorted(p for p in curated.objects(node, CGC.supports) if isinstance(p, URIRef))
    quotes = sorted(str(q) for q in curated.objects(node, CGC.quote))
    notes = sorted(str(n) for n in curated.objects(node, CGC.note))
    if not supports:
        raise GroundingError(f"{where}: {_label(subject)}: {name} block names no cgc:supports property")
    if kind == CGC.evidence and not quotes:
        raise GroundingError(f"{where}: {_label(subject)}: cgc:evidence block has no cgc:quote; give the words")
    if kind == CGC.inferred and (quotes or not notes):
        raise GroundingError(
            f"{where}: {_label(subject)}: cgc:inferred block needs a cgc:note saying how it was inferred, and no "
            "cgc:quote (words of the report go in cgc:evidence)"
        )
    readings = sorted(str(r) for r in curated.objects(node, CGC.reading))
    unclear = any(o == Literal(True) for o in curated.objects(node, CGC.unclear))
    if kind == CGC.inferred and (readings or unclear):
        raise GroundingError(f"{where}: {_label(subject)}: cgc:reading and cgc:unclear go with words (cgc:evidence)")
    objects = sorted(curated.objects(node, CGC.object), key=_n3)
    return Block(subject, kind, supports, objects, quotes, notes, readings, unclear)


def _quotation(curated: Graph, subject: URIRef, node: Node, where: str) -> tuple[str, str | None]:
    """A statement's words: a string, or ``[ cgc:quote "…" ; cgc:gist "…" ]`` where the translation
    plainly distorts them and the curator gives their plain-English gist beside them."""
    if isinstance(node, Literal):
        return str(node), None
    keys = {p for p, _ in curated.predicate_objects(node)}
    quotes = [str(q) for q in curated.objects(node, CGC.quote)]
    gists = [str(g) for g in curated.objects(node, CGC.gist)]
    if not isinstance(node, BNode) or keys - QUOTATION_KEYS or len(quotes) != 1 or len(gists) > 1:
        raise GroundingError(
            f'{where}: {_label(subject)}: cgc:quotation takes a string or [ cgc:quote "…" ; cgc:gist "…" ]'
        )
    return quotes[0], gists[0] if gists else None


def split(curated: Graph, *, where: str) -> Curated:
    """Separate the facts from the shorthand.

    Raises:
        GroundingError: a shorthand term is misused (the message names the subject).
    """
    block_nodes = {o for p in (*BLOCKS, CGC.quotation) for o in curated.objects(None, p) if isinstance(o, BNode)}
    result = Curated(facts=Graph())
    for s, p, o in sorted(curated):
        if s in block_nodes:
            continue
        if p in BLOCKS:
            if not isinstance(s, URIRef):
                raise GroundingError(f"{where}: {p.n3()} must hang on an IRI, not {s.n3()}")
            result.blocks.append(_block(curated, s, URIRef(str(p)), o, where))
        elif p == CGC.quotation and isinstance(s, URIRef):
            result.quotations[s].append(_quotation(curated, s, o, where))
        elif p in (CGC.mention, CGC.quotation):
            if not isinstance(s, URIRef) or not isinstance(o, Literal):
                raise GroundingError(f"{where}: {_label(p)} must link an IRI to a string, not {s.n3()} -> {o.n3()}")
            result.mentions[s].append(str(o))
        elif isinstance(p, URIRef) and p.startswith(str(CGC)):
            raise GroundingError(
                f"{where}: {_label(s)}: {_label(p)} is not used on a subject; "
                'put the words in a cgc:evidence [ cgc:supports … ; cgc:quote "…" ] block (see graph/CURATION.md)'
            )
        else:
            result.facts.add((s, p, o))
    return result


class Grounder:
    """Locates every string of the curation once and keeps the spans of each entity's mentions."""

    def __init__(self, text: str, source: str, where: str) -> None:
        self.text, self.source, self.where = text, source, where
        self.sentences = sentences(text)
        self._starts = [s for s, _ in self.sentences]
        self.spans: dict[URIRef, Span] = {}
        self.mentions: dict[Node, list[Span]] = defaultdict(list)

    def locate(self, pattern: str, claim: str) -> Span:
        span = locate(self.text, pattern, claim=claim, where=self.where)
        self.spans[span_iri(self.source, span)] = span
        return span

    def sentence_of(self, span: Span) -> tuple[int, int]:
        """The stretch of the sentences that hold ``span``."""
        first = max(bisect.bisect_right(self._starts, span.start) - 1, 0)
        last = max(bisect.bisect_right(self._starts, max(span.end - 1, span.start)) - 1, 0)
        return min(self.sentences[first][0], span.start), max(self.sentences[last][1], span.end)

    def nearest_mention(self, triple: Triple, span: Span) -> str:
        """A suggestion: the sentence nearest ``span`` that mentions the triple's subject or object."""
        mentions = [m for term in (triple[0], triple[2]) for m in self.mentions.get(term, ())]
        if not mentions:
            return ""
        near = min(mentions, key=lambda m: (abs(m.start - span.start), m.start))
        low, high = self.sentence_of(near)
        return f'the nearest sentence that mentions one is at {low}-{high}: "{self.text[low:high]}"; '

    def mentioned(self, term: Node, span: Span) -> bool:
        """Whether ``span`` (or its sentence) names ``term``: one of its mentions lies inside, or,
        for a literal, its words occur in the span."""
        if isinstance(term, Literal):
            return str(term).casefold() in span.exact.casefold()
        low, high = self.sentence_of(span)
        return any(low <= m.start and m.end <= high for m in self.mentions.get(term, ()))


def _selectors(node: URIRef, span: Span, source: URIRef) -> Iterator[Triple]:
    quote, position = URIRef(f"{node}/quote-selector"), URIRef(f"{node}/position-selector")
    yield node, RDF.type, OA.SpecificResource
    yield node, OA.hasSource, source
    yield node, OA.hasSelector, quote
    yield node, OA.hasSelector, position
    yield quote, RDF.type, OA.TextQuoteSelector
    yield quote, OA.exact, Literal(span.exact)
    if span.prefix:
        yield quote, OA.prefix, Literal(span.prefix)
    if span.suffix:
        yield quote, OA.suffix, Literal(span.suffix)
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)
    yield position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)


def reified(statement: URIRef, triple: Triple) -> Iterator[Triple]:
    """An RDF 1.1 reification of ``triple``."""
    s, p, o = triple
    yield statement, RDF.type, RDF.Statement
    yield statement, RDF.subject, s
    yield statement, RDF.predicate, p
    yield statement, RDF.object, o


@dataclass
class Support:
    """What the curation offers for one asserted triple."""

    spans: list[Span] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    inferences: list[str] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)
    unclear: bool = False


def _block_triples(block: Block, facts: Graph, where: str) -> list[Triple]:
    """The asserted triples a block speaks of."""
    triples: list[Triple] = []
    for p in block.supports:
        values = sorted(facts.objects(block.subject, p), key=_n3)
        if not values:
            raise GroundingError(
                f"{where}: {_label(block.subject)}: a block supports {_label(p)}, but the subject has no {_label(p)}; "
                "fix the property or add the fact"
            )
        triples.extend((block.subject, p, o) for o in values if not block.objects or o in block.objects)
    missing = [o for o in block.objects if not any(t[2] == o for t in triples)]
    if missing:
        props = ", ".join(_label(p) for p in block.supports)
        raise GroundingError(
            f"{where}: {_label(block.subject)}: cgc:object {_label(missing[0])} is not a value of {props} "
            "on this subject"
        )
    return triples


def _quotation_triples(statement: URIRef, span: Span, source: URIRef, gist: str | None) -> list[Triple]:
    """A statement's words as a ``cg:Quote``: the report's machine-translated rendering, attributed
    to the report (the speech act is the statement's, attributed to its speaker by ``cg:speaker``);
    where the translation plainly distorts them, the curator's gist beside them (a curator's note)."""
    quote = URIRef(f"{statement}/quote/{span.start}-{span.end}")
    triples: list[Triple] = [
        (statement, CG.hasQuote, quote),
        (quote, RDF.type, CG.Quote),
        (quote, SCHEMA.text, Literal(span.exact)),
        (quote, CG.rendering, CG.BackTranslation),
        (quote, PROV.wasAttributedTo, source),
    ]
    if gist is not None:
        triples.append((quote, CG.curatorGist, Literal(gist, lang="en")))
    return triples


@dataclass(frozen=True)
class Grounded:
    """The curated file, grounded: the report's facts and the evidence for each of them."""

    asserted: Graph
    evidence: Graph


def _check_mentions(grounder: Grounder, block: Block, triples: Iterable[Triple], spans: list[Span]) -> None:
    if block.notes:
        return
    for triple in triples:
        for span in spans:
            if not (grounder.mentioned(triple[0], span) or grounder.mentioned(triple[2], span)):
                raise GroundingError(
                    f'{grounder.where}: {describe(triple)}: the words "{span.exact}" ({span.start}-{span.end}) '
                    "mention neither its subject nor its object (no cgc:mention of either lies in that sentence); "
                    f"{grounder.nearest_mention(triple, span)}add a cgc:mention, offer other words, or give the "
                    "block a cgc:note saying why they support it"
                )


def _supports(curated: Curated, grounder: Grounder, source: URIRef) -> dict[Triple, Support]:
    support: dict[Triple, Support] = defaultdict(Support)
    for block in curated.blocks:
        triples = _block_triples(block, curated.facts, grounder.where)
        if block.kind == CGC.inferred:
            for triple in triples:
                support[triple].inferences.extend(block.notes)
            continue
        spans = [grounder.locate(q, describe(triples[0])) for q in block.quotes]
        _check_mentions(grounder, block, triples, spans)
        for triple in triples:
            support[triple].spans.extend(spans)
            support[triple].notes.extend(block.notes)
            support[triple].readings.extend(block.readings)
            support[triple].unclear |= block.unclear
    return support


def _evidence_triples(triple: Triple, found: Support, source: str) -> Iterator[Triple]:
    statement = mint("assertion", source, triple_key(triple))
    yield from reified(statement, triple)
    if found.spans:
        annotation = URIRef(f"{statement}/annotation")
        yield annotation, RDF.type, OA.Annotation
        yield annotation, OA.motivatedBy, CG.grounding
        yield annotation, OA.hasBody, statement
        for span in found.spans:
            yield annotation, OA.hasTarget, span_iri(source, span)
        for note in found.notes:
            yield annotation, SKOS.editorialNote, Literal(note, lang="en")
        for reading in found.readings:  # the words are garbled: what the curator reads in them
            yield annotation, CG.reading, Literal(reading, lang="en")
        if found.unclear:
            yield annotation, CG.unclearInSource, Literal(True)
    for note in found.inferences:
        yield statement, CG.inferred, Literal(True)
        yield statement, CG.inferenceNote, Literal(note, lang="en")


def _uncovered(asserted: Graph, support: dict[Triple, Support], where: str) -> None:
    missing = sorted(t for t in asserted if t[1] not in EXEMPT and t not in support)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        s, p, _ = missing[0]
        raise GroundingError(
            f"{where}: {describe(missing[0])} has no evidence{more}; give {_label(s)} a "
            f'cgc:evidence [ cgc:supports {_label(p)} ; cgc:quote "…" ] with the words of the report that state it, '
            'or a cgc:inferred [ … ; cgc:note "…" ] block saying how it was inferred'
        )


def ground(facts: Graph, text: str, source: str, *, where: str = "graph/article.ttl") -> Grounded:
    """Split the curated graph into the asserted facts and their evidence, every span verified.

    Args:
        facts: the curated graph, with ``cgc:`` shorthand.
        text: the source text, exactly as stored.
        source: the IRI of the source document (``oa:hasSource`` of every span).
        where: the curated file's name, for messages.

    Raises:
        GroundingError: a quote is malformed, missing or ambiguous; a block is misused; a span
            mentions neither end of a triple it is offered for; or an asserted triple has no
            evidence. The message names the triple and the words.
    """
    curated = split(facts, where=where)
    grounder = Grounder(text, source, where)
    source_ref = URIRef(source)
    evidence = Graph()
    for entity, patterns in sorted(curated.mentions.items()):
        spans = [grounder.locate(p, f"mention of {_label(entity)}") for p in sorted(patterns)]
        grounder.mentions[entity].extend(spans)
        annotation = mint("mention", source, entity.n3())
        evidence.add((annotation, RDF.type, OA.Annotation))
        evidence.add((annotation, OA.motivatedBy, OA.identifying))
        evidence.add((annotation, OA.hasBody, entity))
        for span in spans:
            evidence.add((annotation, OA.hasTarget, span_iri(source, span)))
    asserted = Graph()
    for triple in curated.facts:
        asserted.add(triple)
    support = _supports(curated, grounder, source_ref)
    for statement, quotations in sorted(curated.quotations.items()):
        for pattern, gist in sorted(quotations, key=lambda q: q[0]):
            span = grounder.locate(pattern, f"quotation of {_label(statement)}")
            for triple in _quotation_triples(statement, span, source_ref, gist):
                asserted.add(triple)
                if triple[1] not in EXEMPT:
                    support[triple].spans.append(span)
    _uncovered(asserted, support, where)
    for triple, found in support.items():
        for t in _evidence_triples(triple, found, source):
            evidence.add(t)
    for iri, span in grounder.spans.items():
        for t in _selectors(iri, span, source_ref):
            evidence.add(t)
    return Grounded(asserted=asserted, evidence=evidence)
