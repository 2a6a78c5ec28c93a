"""Quotes with speakers: direct quotes and attributed statements, linked to the article's entities.

Only candidate passages (a quote mark or a reporting verb) are parsed, by the model's
parser alone on the tok2vec output the NER pipeline already computed, so enrichment pays
for the parser on a share of its text and never embeds it twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

QUOTE_COLUMNS = ("article_id", "speaker_entity_id", "speaker_text", "quote", "start_char", "end_char")
# Shorter quoted phrases are scare quotes or titles (“threat”, “without delay”), not speech.
MIN_QUOTE_WORDS = 3
QUOTE_MARKS = re.compile(r"“([^”]+)”|\"([^\"\n]+)\"")


def _forms(*lemmas: str) -> set[str]:
    """A regular verb's forms: warn, warns, warned, warning; confirm(e)d; apologis(e)s, deny/denies/denied."""
    found = set()
    for lemma in lemmas:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        if lemma.endswith("y") and lemma[-2] not in "aeiou":
            found |= {lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
        else:
            third = lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x")) else "s")
            found |= {lemma, third, stem + "ed", stem + "ing"}
    return found


# Verbs of saying and of reporting findings ("the survey showed", "Yonhap reported"), the common
# and the less common ones of wire copy ("warned", "acknowledged", "estimated", "denied").
REPORTING_VERBS = frozenset(
    "said says say saying told tells telling wrote writes writing found finds showed shows".split()
) | frozenset(
    _forms(
        *"add state quote warn insist note explain announce stress declare report suggest claim argue confirm "
        "acknowledge admit deny estimate predict caution assert maintain reply respond comment remark observe "
        "emphasise emphasize underline concede promise vow pledge recall reveal disclose allege complain "
        "conclude forecast indicate repeat reiterate tweet post".split()
    )
)
# Verbs whose object is what was said about someone: "praised the crews who ...", "urged
# patients not to ...", "accused the operator of ...": the reported content is the object.
# Inflected forms only: "welcome news", "the blame", "praise for" are not speech.
_OBJECT_LEMMAS = "praise accuse urge criticise criticize condemn blame welcome thank applaud hail".split()
OBJECT_REPORTING_VERBS = frozenset(_forms(*_OBJECT_LEMMAS) - set(_OBJECT_LEMMAS))
# An indirect question reports no statement ("declined to say whether ...").
QUESTION_MARKS = frozenset({"whether", "if"})
# Nouns a statement is made in, whose "that" clause is the statement ("said in a statement that ...").
STATEMENT_NOUNS = frozenset(
    "statement interview post release letter briefing report note message speech video filing".split()
)
# Sentences worth parsing: a reporting verb in lower case ("United States" has none) or "according to".
REPORTING = re.compile(r"\b(?:{}|[Aa]ccording to)\b".format("|".join(sorted(REPORTING_VERBS | OBJECT_REPORTING_VERBS))))
PRONOUNS = frozenset({"he", "she"})
ORGANISATION_PRONOUNS = frozenset({"it"})
# "The agency said": an organisation named before whose name holds the noun (Medicines Agency).
ORGANISATION_NOUNS = frozenset(
    "agency ministry department company group union office bank council court commission authority party "
    "government institute association federation board committee service police army navy university".split()
)  # "It said in a statement": the organisation last heard
# How far up the parse a speaker is looked for: clause, its verb's clause, and so on.
MAX_CLIMB = 6
SUBJECTS = frozenset({"nsubj", "nsubjpass"})
NAME_PARTS = frozenset({"compound", "flat", "amod"})
EDGE = " \t\n,;:.–—-\"“”'"
# A wire dateline opening the first sentence ("LONDON, Sept 9 (Reuters) - ", "SEOUL (AP) — "):
# not part of a statement that runs from the sentence's start.
DATELINE = re.compile(r"^[A-Z][A-Z .'-]{1,40}(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)\n]{1,40}\))?\s*[-–—]+\s+")


@dataclass(frozen=True)
class Mention:
    """An entity mention the quote finder may name as speaker (offsets in the article)."""

    entity_id: str
    label: str
    name: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Quote:
    """One quote: its text (without quote marks) at ``start_char:end_char`` of the article."""

    article_id: str
    speaker_entity_id: str | None
    speaker_text: str | None
    quote: str
    start_char: int
    end_char: int


@lru_cache(maxsize=2)
def load_parser(name: str) -> Language:
    """Model ``name`` with only tok2vec and the dependency parser (once per process).

    :func:`extract_quotes` runs its parser on passages that already carry the NER
    pipeline's tok2vec output (the same weights), and its tok2vec only when they do not.
    """
    nlp = spacy.load(name, exclude=["ner", "tagger", "attribute_ruler", "lemmatizer", "senter"])
    if "parser" not in nlp.pipe_names:
        raise RuntimeError(f"spaCy model {name!r} has no dependency parser")
    return nlp


def candidate_passages(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Passages (start, end) worth parsing: sentences with a quote mark or a reporting verb.

    A quote running over several sentences makes one passage of all of them.
    """
    passages: list[tuple[int, int]] = []
    previous_end = None
    for start, end in sentences:
        chunk = text[start:end]
        if passages and passages[-1][1] == previous_end and _open_quote(text[passages[-1][0] : previous_end]):
            # The quote opened in the passage goes on in this sentence ("“... a slogan. It is ...”").
            passages[-1] = (passages[-1][0], end)
        elif REPORTING.search(chunk) or "“" in chunk or '"' in chunk:
            passages.append((start, end))
        previous_end = end
    return passages


def _open_quote(chunk: str) -> bool:
    return chunk.count("“") > chunk.count("”") or chunk.count('"') % 2 == 1


def passages_of(doc: Doc) -> list[tuple[int, Doc]]:
    """The candidate passages of an article's NER doc: (start offset, passage as a Doc).

    Each passage keeps the doc's tok2vec tensor, so the parser need not embed it again,
    and its sentence boundaries, which the parser respects.
    """
    bounds = [(sent.start_char, sent.end_char) for sent in doc.sents]
    return [(start, _passage(doc.char_span(start, end))) for start, end in candidate_passages(doc.text, bounds)]


def _passage(span: Span) -> Doc:
    """``span`` as a Doc with just what the parser reads: words, spaces, sentence starts and
    the tok2vec rows (``Span.as_doc`` copies every annotation and costs three times as much)."""
    passage = Doc(
        span.doc.vocab,
        words=[token.text for token in span],
        spaces=[bool(token.whitespace_) for token in span],
        sent_starts=[index == 0 or bool(token.is_sent_start) for index, token in enumerate(span)],
    )
    if span.doc.tensor.size:
        passage.tensor = span.doc.tensor[span.start : span.end]
    return passage


@dataclass(frozen=True)
class FoundQuote:
    """A quote as its passage's parse shows it, before the speaker carries over from the last
    quote (:func:`attribute_quotes`): offsets in the article, the speaker's head word (lower
    case; None: the parse names no speaker), and the speaker's words and mention id."""

    start_char: int
    end_char: int
    subject: str | None
    speaker_text: str | None
    speaker_entity_id: str | None


def extract_quotes(
    parser: Language,
    passages: list[tuple[str, int, Doc]],
    texts: dict[str, str],
    mentions: dict[str, list[Mention]],
    batch_size: int = 64,
) -> list[Quote]:
    """Quotes in ``passages`` (article id, offset, passage), speakers linked where possible.

    ``texts`` and ``mentions`` hold each article's text and entity mentions.  Finds direct
    quotes of at least :data:`MIN_QUOTE_WORDS` words and, outside them, the reported clause
    of a reporting verb ("KCNA said that ...", "..., they say").
    """
    found: dict[str, list[FoundQuote]] = {}
    for article_id, quote in find_quotes(parser, passages, mentions, batch_size):
        found.setdefault(article_id, []).append(quote)
    return [
        quote
        for article_id, quotes in found.items()
        for quote in attribute_quotes(article_id, texts[article_id], quotes, mentions.get(article_id, []))
    ]


def find_quotes(
    parser: Language,
    passages: list[tuple[str, int, Doc]],
    mentions: dict[str, list[Mention]],
    batch_size: int = 64,
) -> list[tuple[str, FoundQuote]]:
    """(article id, quote) for each quote the parse of ``passages`` shows, in passage order:
    the part of :func:`extract_quotes` that needs the parse, run where the model runs."""
    docs = [doc for _, _, doc in passages]
    if docs and docs[0].tensor.size == 0:  # the NER pipeline had no tok2vec to reuse
        docs = list(parser.get_pipe("tok2vec").pipe(docs, batch_size=batch_size))
    parsed = parser.get_pipe("parser").pipe(docs, batch_size=batch_size)
    found = []
    for (article_id, offset, _), doc in zip(passages, parsed, strict=True):
        for start, end, subject in _passage_quotes(doc):
            speaker_text, eid = _speaker(doc, subject, offset, mentions.get(article_id, []))
            lower = subject.lower_ if subject is not None else None
            found.append((article_id, FoundQuote(offset + start, offset + end, lower, speaker_text, eid)))
    return found


def attribute_quotes(article_id: str, text: str, found: list[FoundQuote], mentions: list[Mention]) -> list[Quote]:
    """One article's quotes from its :func:`find_quotes` results, in order: a quote whose
    parse names no speaker, or only "he"/"it", continues the last quote's speaker."""
    organisations = {m.entity_id for m in mentions if m.label == "ORG"}
    quotes: list[Quote] = []
    for quote in found:
        speaker_text, eid = quote.speaker_text, quote.speaker_entity_id
        previous = quotes[-1] if quotes else None
        same_paragraph = previous is not None and "\n" not in text[previous.end_char : quote.start_char]
        if quote.subject is None and same_paragraph:
            # “...,” said Chae. “Uncertainty itself has become a cost.”: the same speaker goes on.
            speaker_text, eid = previous.speaker_text, previous.speaker_entity_id
        elif quote.subject is not None and same_paragraph and previous.speaker_entity_id:
            # “...,” said Hong. He further noted ...: "he" is the speaker just quoted, unless an
            # organisation (the model's label is not trusted further: Hong Min is tagged GPE);
            # "it" is the organisation just quoted ("The operator denied ... It said ...").
            is_organisation = previous.speaker_entity_id in organisations
            if (quote.subject in PRONOUNS and not is_organisation) or (
                quote.subject in ORGANISATION_PRONOUNS and is_organisation
            ):
                eid = previous.speaker_entity_id
        quotes.append(
            Quote(
                article_id, eid, speaker_text, text[quote.start_char : quote.end_char], quote.start_char, quote.end_char
            )
        )
    return quotes


def _passage_quotes(doc: Doc) -> list[tuple[int, int, Token | None]]:
    """(start, end, speaker's head token) of each quote in a parsed passage (passage offsets)."""
    text = doc.text  # spaCy rebuilds Doc.text from its tokens on every access
    found = []
    for match in QUOTE_MARKS.finditer(text):
        start, end = _trim(text, *match.span(1 if match.group(1) is not None else 2))
        if len(text[start:end].split()) < MIN_QUOTE_WORDS:
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        inside = range(span.start, span.end)
        found.append((start, end, _subject(_reporting_head(doc, span.start, span.end), inside)))
    # Reported speech outside the quote marks ("X is well-placed ..., Hong Min told AFP").
    for token in doc:
        statement = _statement(doc, text, token) if _is_reporting(token) else None
        if (
            statement
            and len(text[statement[0] : statement[1]].split()) >= MIN_QUOTE_WORDS
            and not any(start < statement[1] and statement[0] < end for start, end, _ in found)
        ):
            found.append((*statement, _subject(token)))
    return sorted(found, key=lambda quote: quote[0])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return start, end


def _is_reporting(token: Token) -> bool:
    if token.lower_ == "according":
        return token.i + 1 < len(token.doc) and token.nbor().lower_ == "to"
    # Capitalised only at a sentence's start: "States" in "United States" is a name.
    known = token.lower_ in REPORTING_VERBS or token.lower_ in OBJECT_REPORTING_VERBS
    return known and (token.is_lower or bool(token.is_sent_start))


def _reporting_head(doc: Doc, first: int, last: int) -> Token | None:
    """The reporting verb governing tokens ``first:last`` (a quote), else the nearest one
    outside it, else the verb the quote belongs to ("Belousov praising North Korea's “...”")."""
    inside = range(first, last)
    governing = None
    for token in doc[first:last]:
        node = token
        while node.head.i != node.i:
            node = node.head
            if node.i in inside:
                continue
            if _is_reporting(node):
                return node
            if governing is None:  # where the quote attaches; its clause's subject speaks
                governing = node
    outside = [t for t in doc if t.i not in inside and _is_reporting(t)]
    return min(outside, key=lambda t: min(abs(t.i - first), abs(t.i - last)), default=governing)


def _subject(verb: Token | None, inside: range = range(0)) -> Token | None:
    """Who speaks through ``verb``: its subject, the object of "according to", or an
    enclosing verb's subject ("Kim was quoted as saying", "Kim blasted ..., saying",
    "KCNA hailed the visit as a step towards ... fostering “...”").  Tokens ``inside`` the
    quote never speak it."""
    node = verb
    for _ in range(MAX_CLIMB):
        if node is None:
            return None
        if node.lower_ == "according":
            objects = [t for t in node.subtree if t.dep_ == "pobj"]
            return objects[0] if objects else None
        subjects = [t for t in node.children if t.dep_ in SUBJECTS and t.i not in inside]
        if subjects:
            return subjects[0]
        if node.dep_ == "acl" and node.head.i not in inside:  # "experts saying ...": the noun speaks
            return node.head
        node = node.head if node.head.i != node.i else None
    return None


def _statement(doc: Doc, text: str, verb: Token) -> tuple[int, int] | None:
    """The reported clause of ``verb`` (offsets in ``text``, the passage's text), when the
    parse shows one; a wire dateline it starts with is not part of it."""
    found = _reported_clause(doc, text, verb)
    dateline = DATELINE.match(text) if found and found[0] == 0 else None
    return _trim(text, dateline.end(), found[1]) if dateline else found


def _reported_clause(doc: Doc, text: str, verb: Token) -> tuple[int, int] | None:
    if verb.lower_ == "according":
        phrase = doc[verb.left_edge.i : verb.right_edge.i + 1]
        before, after = (0, phrase.start_char), (phrase.end_char, len(text))
        bounds = before if phrase.start_char > 0 else after
        return _trim(text, *bounds)
    clauses = [t for t in verb.children if t.dep_ == "ccomp"]
    # "said in a statement that ...": the parser hangs the clause on the noun.
    clauses += [
        clause
        for prep in verb.children
        if prep.dep_ == "prep"
        for noun in prep.children
        if noun.dep_ == "pobj" and noun.lower_ in STATEMENT_NOUNS
        for clause in noun.children
        if clause.dep_ in ("acl", "relcl") and any(t.dep_ == "mark" and t.lower_ == "that" for t in clause.children)
    ]
    if clauses:
        if any(t.dep_ == "mark" and t.lower_ in QUESTION_MARKS for t in clauses[0].children):
            return None
        words = list(clauses[0].subtree)
        if words[0].lower_ == "that":  # the complementiser, whatever the parse calls it
            words = words[1:]
        return _trim(text, words[0].idx, words[-1].idx + len(words[-1]))
    if verb.lower_ in OBJECT_REPORTING_VERBS:
        objects = [t for t in verb.children if t.dep_ in ("dobj", "obj")]
        if objects:
            # The object and what follows it in the verb's clause ("the operator of cutting ...").
            last = max(t.right_edge.i for t in verb.rights)
            return _trim(text, objects[0].left_edge.idx, doc[last].idx + len(doc[last]))
        return None
    tail = doc[verb.left_edge.i :]
    if verb.head.i != verb.i and verb.right_edge.i >= len(doc) - 2 and tail.start_char > 0:
        # "..., Pyongyang state media said Saturday.": the statement precedes the attribution.
        return _trim(text, 0, tail.start_char)
    return None


def _speaker(doc: Doc, subject: Token | None, offset: int, mentions: list[Mention]) -> tuple[str | None, str | None]:
    """The speaker's words and entity id: the mention under the subject's name, or for
    "he"/"she" and a bare surname, the nearest person mentioned before."""
    if subject is None:
        return None, None
    position = offset + subject.idx
    if subject.lower_ in PRONOUNS or subject.lower_ in ORGANISATION_PRONOUNS:
        label = "PERSON" if subject.lower_ in PRONOUNS else "ORG"
        before = [m for m in mentions if m.label == label and m.end_char <= position]
        return subject.text, max(before, key=lambda m: m.end_char).entity_id if before else None
    # A common noun ("spokeswoman", "operator") or a misparsed dateline ("KESTRA, June 18 ...")
    # as subject: an appositive names the speaker ("Vark's spokeswoman, Liis Tamm"), or the
    # organisation it speaks for ("a spokesman for the port authority", "analysts at Harlow").
    inside_a_name = any(m.start_char <= position < m.end_char for m in mentions)
    common = (subject.is_lower and not inside_a_name) or subject.is_upper
    labels = ("PERSON",) if subject.is_upper else ("PERSON", "ORG")  # "KCNA, the agency, said" stays KCNA
    named = [t for t in subject.children if t.dep_ == "appos"] if common else []
    named += [
        t
        for prep in (subject.children if common else [])
        if prep.lower_ in ("for", "at", "of", "from")
        for t in prep.children
        if t.dep_ == "pobj"
    ]
    if subject.lower_ in ORGANISATION_NOUNS and any(t.lower_ == "the" for t in subject.lefts):
        # "the agency said": the organisation named before whose name holds the noun (Medicines Agency).
        holders = [
            m
            for m in mentions
            if m.label == "ORG" and m.end_char <= position and subject.lower_ in m.name.casefold().split()
        ]
        if holders:
            return doc[subject.left_edge.i : subject.i + 1].text, max(holders, key=lambda m: m.end_char).entity_id
    for name in named:
        # "Vark's spokeswoman, Liis Tamm, said"; "The operator, Baltica Terminals, denied": the
        # appositive names the speaker.
        start, end = offset + name.left_edge.idx, offset + name.right_edge.idx + len(name.right_edge)
        under = [m for m in mentions if m.start_char < end and start < m.end_char and m.label in labels]
        if under:
            best = max(under, key=lambda m: m.end_char - m.start_char)
            return best.name, best.entity_id
    parts = [t for t in subject.lefts if t.dep_ in NAME_PARTS]
    words = doc[(parts[0].left_edge.i if parts else subject.i) : subject.i + 1]
    start, end = offset + words.start_char, offset + words.end_char
    if len(words) == 1 and subject.text[:1].isupper():
        # A bare surname: the person named in full before, whatever label NER gave either
        # form ("Novak" as ORG, "Hong Min" as GPE).
        full = [m for m in mentions if " " in m.name and subject.text in m.name.split() and m.end_char <= start]
        if full:
            return words.text, max(full, key=lambda m: m.end_char).entity_id
    under = [m for m in mentions if m.start_char < end and start < m.end_char]
    if under:
        return words.text, max(under, key=lambda m: m.end_char - m.start_char).entity_id
    return words.text, None
