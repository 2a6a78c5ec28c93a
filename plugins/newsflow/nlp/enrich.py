"""Enrich a batch of articles: entity mentions, entities, article and entity sentiment, quotes."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import pandas as pd
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsflow.ingest.records import QUARANTINE_COLUMNS, Quarantined, failure_reason
from newsflow.nlp.aliases import EntityList
from newsflow.nlp.entities import ENTITY_LABELS, canonical_name, dominant_labels, entity_id, link_short_forms
from newsflow.nlp.model import load_nlp
from newsflow.nlp.places import ADJECTIVE_LABEL, PLACE_LABELS, PlaceMention, load_gazetteer, resolve_places
from newsflow.nlp.quotes import QUOTE_COLUMNS, Mention, extract_quotes, load_parser, passages_of
from newsflow.nlp.sentiment import EntityTone, document_tone, score_sentence, sentence_compound

log = logging.getLogger(__name__)

MENTION_COLUMNS = (
    "article_id",
    "entity_id",
    "text",
    "label",
    "model_label",
    "start_char",
    "end_char",
    "sentence_index",
    "watched",
    "listed",
)
ENTITY_COLUMNS = ("entity_id", "name", "label", "aliases")
MENTION_PLACE_COLUMNS = (
    "article_id",
    "start_char",
    "end_char",
    "text",
    "label",
    "place_id",
    "place_name",
    "kind",
    "country_code",
    "country_name",
    "latitude",
    "longitude",
    "method",
    "via_adjective",
    "reason",
)
SENTIMENT_COLUMNS = (
    "article_id",
    "compound",
    "tone",
    "positive",
    "negative",
    "polarity",
    "word_count",
    "sentence_count",
)
ENTITY_SENTIMENT_COLUMNS = ("article_id", "entity_id", "mentions", "compound", "label")
# spaCy refuses texts over nlp.max_length (1,000,000 characters), and NER memory grows with
# a text's length: longer texts are analysed in pieces of at most this many characters,
# cut between paragraphs (else sentences, else words), and joined back into one Doc.
PIECE_CHARS = 100_000
FAILURE_COLUMNS = (*QUARANTINE_COLUMNS, "article_id")


@dataclass
class _Found:
    """One kept NER (or watchlist) span, before the batch decides its entity's label."""

    article_id: str
    text: str
    model_label: str
    start_char: int
    end_char: int
    sentence_index: int
    sentence: tuple[int, str]  # start offset and text, for entity sentiment
    name: str
    listed_label: str | None


def enrich_batch(
    articles: pd.DataFrame,
    model_name: str,
    batch_size: int = 32,
    aliases: EntityList | None = None,
    watchlist: EntityList | None = None,
    language_models: dict[str, str] | None = None,
    n_process: int = 1,
) -> dict[str, pd.DataFrame]:
    """Run NER and sentiment over English articles of ``articles``, the model in ``n_process`` processes.

    Input needs ``article_id``, ``text`` and ``language``.  Returns the tables
    ``mentions``, ``entities``, ``article_sentiment``, ``entity_sentiment`` and ``quotes``
    (warehouse column names; see :mod:`newsflow.nlp.quotes`).  Mentions are canonicalised
    in three steps: short forms link to the full name used in the same article ("Putin"
    is "Vladimir Putin"); names listed in the
    ``aliases`` table or the ``watchlist`` become the listed entity with its label; any
    other name takes its dominant label across the batch (``model_label`` keeps the
    model's).  An entity's sentiment in an article is the mean tone of the clauses
    that mention it (:meth:`newsflow.nlp.sentiment.ScoredSentence.about`), one score per
    mention.

    ``language_models`` maps other languages to the spaCy model that finds their entities
    (``{"fr": "fr_core_news_sm"}``); their articles get mentions and entities only, since
    the sentiment lexicon and the quote rules are English.  Articles in a language without
    an installed model get no rows (they are still loaded and counted).
    """
    aliases = aliases or EntityList()
    watchlist = watchlist or EntityList()
    found: list[_Found] = []
    tones: list[tuple] = []
    texts: dict[str, str] = {}
    passages: list[tuple[str, int, Doc]] = []
    failures: dict[str, BaseException] = {}
    for language, group, nlp in _language_groups(articles, model_name, language_models or {}, watchlist):
        docs = _guarded_docs(nlp, group["text"].tolist(), batch_size, n_process)
        for article_id, text, doc in zip(group["article_id"], group["text"], docs, strict=True):
            if isinstance(doc, BaseException):
                failures[article_id] = doc
                continue
            english = language == "en"
            try:  # the item boundary: one article that breaks analysis is quarantined, the rest go on
                article_found = list(_entity_mentions(article_id, doc, aliases, watchlist))
                if english:
                    scores = [sentence_compound(sent.text) for sent in doc.sents]
                    article_passages = [(article_id, offset, passage) for offset, passage in passages_of(doc)]
                    tone = document_tone(text, scores)
            except Exception as exc:  # noqa: BLE001
                failures[article_id] = exc
                continue
            found.extend(article_found)
            if not english:
                continue
            texts[article_id] = text
            passages.extend(article_passages)
            tones.append(
                (
                    article_id,
                    tone.compound,
                    tone.tone,
                    tone.positive,
                    tone.negative,
                    tone.polarity,
                    tone.word_count,
                    tone.sentence_count,
                )
            )
    tables = _tables(found, tones, passages, texts, model_name, batch_size, watchlist, failures)
    tables["mention_places"] = mention_places(tables["mentions"], tables["entities"])
    tables["quarantine"] = _failure_rows(articles, failures)
    return tables


def mention_places(mentions: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """One row per place mention (GPE, LOC, FAC: resolved or not, with the reason) and per
    NORP mention that is a country's adjective (a flagged link), each article resolved in one
    call with its entities' canonical names (:func:`newsflow.nlp.places.resolve_places`)."""
    names = dict(zip(entities["entity_id"], entities["name"], strict=True))
    gazetteer = load_gazetteer()
    # The model's label at the mention, not the batch's vote: a mention's place must not
    # change with what else is in the batch (a backfill and a daily run give the same rows).
    wanted = mentions[mentions["model_label"].isin([*PLACE_LABELS, ADJECTIVE_LABEL])]
    wanted = wanted.sort_values(["article_id", "start_char"])
    rows = []
    for article_id, group in wanted.groupby("article_id", sort=False):
        places = [
            PlaceMention(names.get(m.entity_id, m.text), m.model_label, m.start_char, m.end_char)
            for m in group.itertuples()
        ]
        for text, found in zip(group["text"], resolve_places(places, gazetteer), strict=True):
            if found.mention.label == ADJECTIVE_LABEL and not found.resolved:
                continue  # "Democrats", "Muslims": groups, not places
            country = gazetteer.country_of(found.place.country_code if found.place else None)
            rows.append(
                {**found.as_row(), "article_id": article_id, "text": text, "country_name": country and country.name}
            )
    frame = pd.DataFrame(rows, columns=list(MENTION_PLACE_COLUMNS))
    return frame.astype(
        {
            "start_char": "int64",
            "end_char": "int64",
            "place_id": "Int64",
            "latitude": "float64",
            "longitude": "float64",
            "via_adjective": "bool",
        }
    )


# Labels other languages' models use for the English models' entity types.
MODEL_LABELS = {"PER": "PERSON"}


def _language_groups(
    articles: pd.DataFrame, model_name: str, language_models: dict[str, str], watchlist: EntityList
) -> Iterator[tuple[str, pd.DataFrame, Language]]:
    """(language, its articles, its pipeline) for English and each mapped language with a model installed."""
    models = {**language_models, "en": model_name}
    without = articles[~articles["language"].isin(list(models))]
    if len(without):
        counts = without["language"].value_counts().to_dict()
        log.info("no NER model for %d articles (languages %s); they are loaded without entities", len(without), counts)
    for language, name in models.items():
        group = articles[articles["language"] == language]
        if group.empty:
            continue
        if language != "en" and not spacy.util.is_package(name):
            log.warning(
                "spaCy model %r for language %r is not installed; %d articles get no entities",
                name,
                language,
                len(group),
            )
            continue
        yield language, group, load_nlp(name, watchlist if watchlist.entries else None)


def _entity_mentions(article_id: str, doc: Doc, aliases: EntityList, watchlist: EntityList) -> Iterator[_Found]:
    """The kept entity spans of one article, named (short forms linked, listed names applied)."""
    sentence_of = {sent.start: index for index, sent in enumerate(doc.sents)}
    # The watchlist ruler names its spans by the entry (ent_id_); NER spans have none.
    ents = [ent for ent in doc.ents if MODEL_LABELS.get(ent.label_, ent.label_) in ENTITY_LABELS]
    labels = [MODEL_LABELS.get(ent.label_, ent.label_) for ent in ents]
    names = [(ent.ent_id_ or canonical_name(ent.text, label), label) for ent, label in zip(ents, labels, strict=True)]
    for ent, label, name in zip(ents, labels, link_short_forms(names), strict=True):
        if not name:
            continue
        listed = watchlist.find(name, label) or aliases.find(name, label)
        yield _Found(
            article_id=article_id,
            text=ent.text,
            model_label=label,
            start_char=ent.start_char,
            end_char=ent.end_char,
            sentence_index=sentence_of[ent.sent.start],
            sentence=(ent.sent.start_char, ent.sent.text),
            name=listed.name if listed else name,
            listed_label=listed.label if listed else None,
        )


def _tables(
    found: list[_Found],
    tones: list[tuple],
    passages: list[tuple[str, int, Doc]],
    texts: dict[str, str],
    model_name: str,
    batch_size: int,
    watchlist: EntityList,
    failures: dict[str, BaseException],
) -> dict[str, pd.DataFrame]:
    """The enrichment tables from the found mentions, tones and quote passages.

    An article whose quotes cannot be found joins ``failures``; no table keeps its rows.
    """
    dominant = dominant_labels((f.name, f.model_label) for f in found if f.listed_label is None)
    watched = {entity_id(entry.name, entry.label) for entry in watchlist.entries}
    mentions: list[tuple] = []
    speakers: dict[str, list[Mention]] = defaultdict(list)
    entities: dict[str, tuple[str, str, set[str]]] = {}
    by_sentence: dict[str, dict[tuple[int, str], list[tuple[str, int, int]]]] = defaultdict(lambda: defaultdict(list))
    for f in found:
        label = f.listed_label or dominant.get(f.name.casefold(), f.model_label)
        eid = entity_id(f.name, label)
        entities.setdefault(eid, (f.name, label, set()))[2].add(" ".join(f.text.split()))
        mentions.append(
            (
                f.article_id,
                eid,
                f.text,
                label,
                f.model_label,
                f.start_char,
                f.end_char,
                f.sentence_index,
                eid in watched,
                f.listed_label is not None,
            )
        )
        if f.article_id in texts:  # tone and speakers: English articles only
            by_sentence[f.article_id][f.sentence].append((eid, f.start_char, f.end_char))
        # The model's own label: a speaker must not change with what else is in the batch.
        speakers[f.article_id].append(Mention(eid, f.model_label, f.name, f.start_char, f.end_char))
    entity_tones = [
        (article_id, eid, tone.mentions, tone.compound, tone.label)
        for article_id, sentences in by_sentence.items()
        for eid, tone in _entity_tones(sentences).items()
    ]
    quotes = _guarded_quotes(load_parser(model_name), passages, texts, speakers, batch_size, failures)
    if failures:
        mentions = [m for m in mentions if m[0] not in failures]
        entity_tones = [t for t in entity_tones if t[0] not in failures]
        tones = [t for t in tones if t[0] not in failures]
        kept = {m[1] for m in mentions}
        entities = {
            eid: (name, label, {" ".join(m[2].split()) for m in mentions if m[1] == eid})
            for eid, (name, label, _) in entities.items()
            if eid in kept
        }
    return {
        "mentions": pd.DataFrame(mentions, columns=list(MENTION_COLUMNS)).astype(
            {"start_char": "int64", "end_char": "int64", "sentence_index": "int64", "watched": "bool", "listed": "bool"}
        ),
        "entities": pd.DataFrame(
            [(eid, name, label, sorted(forms)) for eid, (name, label, forms) in entities.items()],
            columns=list(ENTITY_COLUMNS),
        ),
        "article_sentiment": pd.DataFrame(tones, columns=list(SENTIMENT_COLUMNS)).astype(
            {"word_count": "int64", "sentence_count": "int64"}
        ),
        "entity_sentiment": pd.DataFrame(entity_tones, columns=list(ENTITY_SENTIMENT_COLUMNS)).astype(
            {"mentions": "int64", "compound": "float64", "label": "str"}
        ),
        "quotes": pd.DataFrame([asdict(q) for q in quotes], columns=list(QUOTE_COLUMNS)).astype(
            {"start_char": "int64", "end_char": "int64"}
        ),
    }


def split_text(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """Pieces of at most ``limit`` characters that join back to ``text`` exactly.

    Each cut falls after the last paragraph break before the limit, else after the last
    sentence end, else after the last space, else at the limit.
    """
    pieces = []
    while len(text) > limit:
        window = text[:limit]
        cut = next(
            (at + len(mark) for mark in ("\n\n", "\n", ". ", " ") if (at := window.rfind(mark)) > limit // 2),
            limit,
        )
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]


def _guarded_docs(nlp: Language, texts: list[str], batch_size: int, n_process: int = 1) -> list[Doc | BaseException]:
    """One Doc per text, or the exception that text raised; long texts are analysed in pieces.

    The pieces go through ``nlp.pipe`` in one stream; if it raises, they are run again one
    at a time in this process, so only the texts that really fail come back as exceptions.
    """
    pieces_of = [split_text(text, min(PIECE_CHARS, nlp.max_length)) for text in texts]
    flat = [piece for pieces in pieces_of for piece in pieces]
    try:
        results: list[Doc | BaseException] = list(nlp.pipe(flat, batch_size=batch_size, n_process=n_process))
    except Exception as exc:  # noqa: BLE001 (find which texts fail, below)
        log.warning("analysis of a batch failed (%s); analysing its %d texts one at a time", exc, len(texts))
        results = []
        for piece in flat:
            try:
                results.append(nlp(piece))
            except Exception as error:  # noqa: BLE001
                results.append(error)
    docs: list[Doc | BaseException] = []
    position = 0
    for pieces in pieces_of:
        done = results[position : position + len(pieces)]
        position += len(pieces)
        error = next((d for d in done if isinstance(d, BaseException)), None)
        docs.append(error if error is not None else done[0] if len(done) == 1 else _joined(done))
    return docs


def _joined(docs: list[Doc]) -> Doc:
    """The pieces of one text as one Doc (texts, entities, sentences and tensors kept)."""
    return Doc.from_docs(docs, ensure_whitespace=False)


def _guarded_quotes(
    parser: Language,
    passages: list[tuple[str, int, Doc]],
    texts: dict[str, str],
    speakers: dict[str, list[Mention]],
    batch_size: int,
    failures: dict[str, BaseException],
) -> list:
    """:func:`extract_quotes` over the batch; when it raises, article by article, recording failures."""
    try:
        return extract_quotes(parser, passages, texts, speakers, batch_size)
    except Exception:  # noqa: BLE001 (find which articles fail, below)
        quotes = []
        for article_id in dict.fromkeys(a for a, _, _ in passages):
            own = [p for p in passages if p[0] == article_id]
            try:
                quotes.extend(extract_quotes(parser, own, texts, speakers, batch_size))
            except Exception as exc:  # noqa: BLE001
                failures[article_id] = exc
        return quotes


def _failure_rows(articles: pd.DataFrame, failures: dict[str, BaseException]) -> pd.DataFrame:
    """Quarantine rows (plus ``article_id``) for the articles whose enrichment failed."""
    rows = []
    for row in articles[articles["article_id"].isin(failures)].to_dict("records"):
        reason = f"enrichment failed: {failure_reason(failures[row['article_id']])}"
        log.warning("quarantined article %s: %s", row["article_id"], reason)
        quarantined = Quarantined(
            source_name=row.get("source_name") or "unknown",
            source_location=row.get("source_location") or row["article_id"],
            source_format=row.get("source_format") or "unknown",
            reason=reason,
            detail=str(row.get("title") or "")[:200],
            step="enrich",
        )
        rows.append({**quarantined.as_row(), "article_id": row["article_id"]})
    return pd.DataFrame(rows, columns=list(FAILURE_COLUMNS))


def _entity_tones(mentions_by_sentence: dict[tuple[int, str], list[tuple[str, int, int]]]) -> dict[str, EntityTone]:
    """Tone about each entity of one article from its mentions (entity id, start, end).

    Mentions come grouped by sentence (its start offset and text).  Each sentence holding
    a mention is scored once, with every kept name in it treated as a name rather than as
    words ("Hope", "Rose Valley" carry no tone about anything).
    """
    scores: dict[str, list[float]] = defaultdict(list)
    for (offset, sentence), found in mentions_by_sentence.items():
        scored = score_sentence(sentence, [(start - offset, end - offset) for _, start, end in found])
        for eid, start, end in found:
            scores[eid].append(scored.about(start - offset, end - offset))
    return {eid: EntityTone.from_scores(found) for eid, found in scores.items()}
