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

from newsflow.nlp.aliases import EntityList
from newsflow.nlp.entities import ENTITY_LABELS, canonical_name, dominant_labels, entity_id, link_short_forms
from newsflow.nlp.model import load_nlp
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
    for language, group, nlp in _language_groups(articles, model_name, language_models or {}, watchlist):
        docs = nlp.pipe(group["text"].tolist(), batch_size=batch_size, n_process=n_process)
        for article_id, text, doc in zip(group["article_id"], group["text"], docs, strict=True):
            english = language == "en"
            found.extend(_entity_mentions(article_id, doc, aliases, watchlist))
            if not english:
                continue
            scores = [sentence_compound(sent.text) for sent in doc.sents]
            texts[article_id] = text
            passages.extend((article_id, offset, passage) for offset, passage in passages_of(doc))
            tone = document_tone(text, scores)
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
    return _tables(found, tones, passages, texts, model_name, batch_size, watchlist)


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
) -> dict[str, pd.DataFrame]:
    """The enrichment tables from the found mentions, tones and quote passages."""
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
    quotes = extract_quotes(load_parser(model_name), passages, texts, speakers, batch_size)
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
