"""Enrich a batch of articles: entity mentions, entities, article and entity sentiment, quotes."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, astuple, dataclass, replace
from functools import partial
from multiprocessing.pool import AsyncResult
from pathlib import Path

import pandas as pd
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsflow.ingest.records import QUARANTINE_COLUMNS, Quarantined, failure_reason
from newsflow.memory import release_freed_memory
from newsflow.nlp.aliases import EntityList
from newsflow.nlp.entities import ENTITY_LABELS, canonical_name, dominant_labels, entity_id, link_short_forms
from newsflow.nlp.model import load_nlp
from newsflow.nlp.places import ADJECTIVE_LABEL, PLACE_LABELS, Gazetteer, PlaceMention, resolve_places, stored_gazetteer
from newsflow.nlp.quotes import (
    QUOTE_COLUMNS,
    FoundQuote,
    Mention,
    attribute_quotes,
    find_quotes,
    load_parser,
    passages_of,
)
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
    name: str
    listed_label: str | None
    about: float | None  # the tone about it of the clause that mentions it (English articles)


@dataclass
class _Analysis:
    """What the models and rules find in one article, as plain data (it crosses processes):
    its mentions, its tone row and its quotes (speakers as indexes into ``found``)."""

    article_id: str
    found: list[_Found]
    tone: tuple | None = None  # SENTIMENT_COLUMNS without article_id (English articles)
    quotes: list[FoundQuote] | None = None


def enrich_batch(
    articles: pd.DataFrame,
    model_name: str,
    batch_size: int = 32,
    aliases: EntityList | None = None,
    watchlist: EntityList | None = None,
    language_models: dict[str, str] | None = None,
    n_process: int = 1,
    cache_dir: Path | None = None,
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
    an installed model get no rows (they are still loaded and counted).  ``cache_dir``: where
    the gazetteer of place names is kept between processes (:func:`~newsflow.nlp.places.stored_gazetteer`).
    """
    analyser = _Analyser(
        model_name, language_models or {}, aliases or EntityList(), watchlist or EntityList(), batch_size
    )
    analyses: list[_Analysis] = []
    failures: dict[str, str] = {}
    # The parent loads the gazetteer (seconds) while the workers analyse, not after them.
    gazetteer = partial(stored_gazetteer, cache_dir)
    chunks = _chunks(articles, analyser, n_process)
    for result in _analyse(analyser, chunks, n_process, while_waiting=gazetteer):
        if isinstance(result, _Analysis):
            analyses.append(result)
        else:
            failures[result[0]] = result[1]
    texts = dict(zip(articles["article_id"], articles["text"], strict=True))
    tables = _tables(analyses, texts, analyser.watchlist, failures)
    tables["mention_places"] = mention_places(tables["mentions"], tables["entities"], gazetteer())
    tables["quarantine"] = _failure_rows(articles, failures)
    return tables


def mention_places(mentions: pd.DataFrame, entities: pd.DataFrame, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """One row per place mention (GPE, LOC, FAC: resolved or not, with the reason) and per
    NORP mention that is a country's adjective (a flagged link), each article resolved in one
    call with its entities' canonical names (:func:`newsflow.nlp.places.resolve_places`)."""
    names = dict(zip(entities["entity_id"], entities["name"], strict=True))
    gazetteer = gazetteer or stored_gazetteer()
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


# The smallest chunk handed to a process: below it, spaCy's batching gains nothing.
MIN_CHUNK = 4


def chunk_sizes(total: int, batch_size: int, n_process: int) -> list[int]:
    """How :func:`_chunks` cuts ``total`` texts for ``n_process`` processes: a batch each while
    plenty remain, then a share of what remains (guided self-scheduling).  With even chunks, one
    process could idle while another analyses a whole last batch; with shrinking ones they end
    within a few texts of each other."""
    sizes = []
    remaining = total
    while remaining:
        share = batch_size if n_process <= 1 else max(MIN_CHUNK, -(-remaining // (2 * n_process)))
        sizes.append(min(remaining, batch_size, share))
        remaining -= sizes[-1]
    return sizes


def _chunks(articles: pd.DataFrame, analyser: _Analyser, n_process: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """(language, (article id, text) pairs) for English and each mapped language with a model
    installed, cut by :func:`chunk_sizes`: the units of work :func:`_analyse` hands to a process."""
    models = analyser.models()
    without = articles[~articles["language"].isin(list(models))]
    if len(without):
        counts = without["language"].value_counts().to_dict()
        log.info("no NER model for %d articles (languages %s); they are loaded without entities", len(without), counts)
    chunks = []
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
        rows = list(zip(group["article_id"], group["text"], strict=True))
        start = 0
        for size in chunk_sizes(len(rows), analyser.batch_size, n_process):
            chunks.append((language, rows[start : start + size]))
            start += size
    return chunks


@dataclass(frozen=True)
class _Analyser:
    """Everything enrichment does to one article on its own (models, names, tones, quote
    parses), a chunk of one language at a time, in the process that runs the models: only
    plain records (:class:`_Analysis`, or the article id and why it failed) come back."""

    model_name: str
    language_models: dict[str, str]
    aliases: EntityList
    watchlist: EntityList
    batch_size: int

    def models(self) -> dict[str, str]:
        return {**self.language_models, "en": self.model_name}

    def load(self, languages: set[str]) -> None:
        """Load (once per process) the pipelines of ``languages`` and the quote parser."""
        for language in languages:
            load_nlp(self.models()[language], self.watchlist if self.watchlist.entries else None)
        if "en" in languages:
            load_parser(self.model_name)

    def __call__(self, chunk: tuple[str, list[tuple[str, str]]]) -> list[_Analysis | tuple[str, str]]:
        language, rows = chunk
        nlp = load_nlp(self.models()[language], self.watchlist if self.watchlist.entries else None)
        docs = _guarded_docs(nlp, [text for _, text in rows], self.batch_size)
        results: list[_Analysis | tuple[str, str]] = []
        passages: list[tuple[str, int, Doc]] = []
        for (article_id, text), doc in zip(rows, docs, strict=True):
            if isinstance(doc, BaseException):
                results.append((article_id, failure_reason(doc)))
                continue
            try:  # the item boundary: one article that breaks analysis is quarantined, the rest go on
                pairs = list(_entity_mentions(article_id, doc, self.aliases, self.watchlist))
                analysis = _Analysis(article_id, [found for found, _ in pairs])
                if language == "en":  # the sentiment lexicon and the quote rules are English
                    analysis.tone = astuple(document_tone(text, [sentence_compound(s.text) for s in doc.sents]))
                    for found, about in zip(analysis.found, _mention_tones(pairs), strict=True):
                        found.about = about
                    article_passages = [(article_id, offset, passage) for offset, passage in passages_of(doc)]
            except Exception as exc:  # noqa: BLE001
                results.append((article_id, failure_reason(exc)))
                continue
            results.append(analysis)
            if language == "en":
                passages.extend(article_passages)
        if language == "en":
            self._add_quotes(results, passages)
        return results

    def _add_quotes(self, results: list[_Analysis | tuple[str, str]], passages: list[tuple[str, int, Doc]]) -> None:
        """Parse the chunk's quote passages in one stream and give each analysis its quotes (the
        speaker's entity id is the index of its mention); when that raises, article by article,
        the articles that fail replacing their analysis with the reason."""
        parser = load_parser(self.model_name)
        analyses = [result for result in results if isinstance(result, _Analysis)]
        mentions = {
            a.article_id: [
                Mention(str(i), f.model_label, f.name, f.start_char, f.end_char) for i, f in enumerate(a.found)
            ]
            for a in analyses
        }
        for analysis in analyses:
            analysis.quotes = []
        by_article = {analysis.article_id: analysis for analysis in analyses}
        try:
            found = find_quotes(parser, passages, mentions, self.batch_size)
        except Exception:  # noqa: BLE001 (find which articles fail, below)
            found = []
            for article_id in dict.fromkeys(a for a, _, _ in passages):
                own = [p for p in passages if p[0] == article_id]
                try:
                    found.extend(find_quotes(parser, own, mentions, self.batch_size))
                except Exception as exc:  # noqa: BLE001
                    at = results.index(by_article[article_id])
                    results[at] = (article_id, failure_reason(exc))
        for article_id, quote in found:
            by_article[article_id].quotes.append(quote)


# Set in each worker process of :func:`_analyse` (the analyser is sent once, not with every chunk).
_worker_analyser: _Analyser | None = None


def _install(analyser: _Analyser) -> None:
    global _worker_analyser  # noqa: PLW0603 (a worker process's one analyser)
    _worker_analyser = analyser
    # A forked worker inherits the task runner's SIGTERM handler (Airflow's); it must simply
    # end when the pool or a killed task terminates it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_installed(chunk: tuple[str, list[tuple[str, str]]]) -> list[_Analysis | tuple[str, str]]:
    assert _worker_analyser is not None, "worker started without an analyser"
    return _worker_analyser(chunk)


def _analyse(
    analyser: _Analyser,
    chunks: list[tuple[str, list[tuple[str, str]]]],
    n_process: int,
    while_waiting: Callable[[], object] = lambda: None,
) -> Iterator[_Analysis | tuple[str, str]]:
    """Each chunk's results, in order: in this process alone, or in ``n_process`` processes, this
    one and ``n_process - 1`` workers that each load the models once and return plain records (no
    Docs cross).  This process calls ``while_waiting`` once the workers have their first
    chunks, then takes chunks as they do.

    A forked worker's resident size counts the pages it shares with this process, so each worker
    adds as much again to the run's memory as this process holds: it works as one of them instead.
    """
    if n_process <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield from analyser(chunk)
        return
    workers = min(n_process, len(chunks)) - 1
    context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        analyser.load({language for language, _ in chunks})  # forked workers share them: no load each
    # A forked worker's resident size starts as this process's: give back what it freed first.
    release_freed_memory()
    done: dict[int, list[_Analysis | tuple[str, str]]] = {}
    waiting = deque(range(len(chunks)))  # in order, so the smallest chunks come last (chunk_sizes)
    sent: dict[int, AsyncResult] = {}
    taking = threading.Lock()  # a chunk is taken and recorded as one step, by either side
    with context.Pool(workers, initializer=_install, initargs=(analyser,)) as pool:

        def send_next(_: object = None) -> None:
            """Give a worker its next chunk as soon as it returns one (in the pool's result thread)."""
            with taking:
                if waiting:
                    index = waiting.popleft()
                    sent[index] = pool.apply_async(_run_installed, (chunks[index],), callback=send_next)

        for _ in range(workers):
            send_next()
        while_waiting()  # while the workers analyse their first chunks: no core idles for it
        while True:
            with taking:
                if not waiting:
                    break
                index = waiting.popleft()
            done[index] = analyser(chunks[index])
        with taking:
            last = dict(sent)  # nothing is sent once nothing waits
        for index, result in last.items():
            done[index] = result.get()
        # Each AsyncResult and send_next refer to each other (its callback): a cycle that would
        # hold the workers' results until the next full garbage collection, task after task.
        sent.clear()
        last.clear()
        pool.close()
        pool.join()
    for index in range(len(chunks)):
        yield from done[index]


def _entity_mentions(
    article_id: str, doc: Doc, aliases: EntityList, watchlist: EntityList
) -> Iterator[tuple[_Found, tuple[int, str]]]:
    """The kept entity spans of one article, named (short forms linked, listed names applied),
    each with its sentence (start offset and text)."""
    sentence_of = {sent.start: index for index, sent in enumerate(doc.sents)}
    # The watchlist ruler names its spans by the entry (ent_id_); NER spans have none.
    ents = [ent for ent in doc.ents if MODEL_LABELS.get(ent.label_, ent.label_) in ENTITY_LABELS]
    labels = [MODEL_LABELS.get(ent.label_, ent.label_) for ent in ents]
    names = [(ent.ent_id_ or canonical_name(ent.text, label), label) for ent, label in zip(ents, labels, strict=True)]
    for ent, label, name in zip(ents, labels, link_short_forms(names), strict=True):
        if not name:
            continue
        listed = watchlist.find(name, label) or aliases.find(name, label)
        found = _Found(
            article_id=article_id,
            text=ent.text,
            model_label=label,
            start_char=ent.start_char,
            end_char=ent.end_char,
            sentence_index=sentence_of[ent.sent.start],
            name=listed.name if listed else name,
            listed_label=listed.label if listed else None,
            about=None,
        )
        yield found, (ent.sent.start_char, ent.sent.text)


def _mention_tones(pairs: list[tuple[_Found, tuple[int, str]]]) -> list[float]:
    """The tone about each mention (:meth:`newsflow.nlp.sentiment.ScoredSentence.about`).

    Each sentence holding a mention is scored once, with every kept name in it treated as a
    name rather than as words ("Hope", "Rose Valley" carry no tone about anything).
    """
    by_sentence: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, (_, sentence) in enumerate(pairs):
        by_sentence[sentence].append(index)
    abouts = [0.0] * len(pairs)
    for (offset, sentence), indexes in by_sentence.items():
        spans = [(pairs[i][0].start_char - offset, pairs[i][0].end_char - offset) for i in indexes]
        scored = score_sentence(sentence, spans)
        for index, (start, end) in zip(indexes, spans, strict=True):
            abouts[index] = scored.about(start, end)
    return abouts


def _tables(
    analyses: list[_Analysis], texts: dict[str, str], watchlist: EntityList, failures: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """The enrichment tables from the articles' analyses: the batch decides each name's label
    (so its entity id), then each article's entity tones and quote speakers follow.

    An article whose quotes cannot be attributed joins ``failures``; no table keeps its rows.
    """
    dominant = dominant_labels(
        (f.name, f.model_label) for analysis in analyses for f in analysis.found if f.listed_label is None
    )
    labels = [[f.listed_label or dominant.get(f.name.casefold(), f.model_label) for f in a.found] for a in analyses]
    eids = [
        [entity_id(f.name, label) for f, label in zip(a.found, own, strict=True)]
        for a, own in zip(analyses, labels, strict=True)
    ]
    quotes = []
    for analysis, own in zip(analyses, eids, strict=True):
        if analysis.quotes is None:
            continue
        # The model's own label: a speaker must not change with what else is in the batch.
        speakers = [
            Mention(eid, f.model_label, f.name, f.start_char, f.end_char)
            for f, eid in zip(analysis.found, own, strict=True)
        ]
        named = [
            q if q.speaker_entity_id is None else replace(q, speaker_entity_id=own[int(q.speaker_entity_id)])
            for q in analysis.quotes
        ]
        try:
            quotes.extend(attribute_quotes(analysis.article_id, texts[analysis.article_id], named, speakers))
        except Exception as exc:  # noqa: BLE001
            failures[analysis.article_id] = failure_reason(exc)
    watched = {entity_id(entry.name, entry.label) for entry in watchlist.entries}
    mentions: list[tuple] = []
    entities: dict[str, tuple[str, str, set[str]]] = {}
    tones: list[tuple] = []
    entity_tones: list[tuple] = []
    for analysis, own_labels, own in zip(analyses, labels, eids, strict=True):
        if analysis.article_id in failures:
            continue
        scores: dict[str, list[float]] = defaultdict(list)
        for f, label, eid in zip(analysis.found, own_labels, own, strict=True):
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
            if f.about is not None:
                scores[eid].append(f.about)
        if analysis.tone is not None:  # tone and entity tone: English articles only
            tones.append((analysis.article_id, *analysis.tone))
            for eid, found in scores.items():
                tone = EntityTone.from_scores(found)
                entity_tones.append((analysis.article_id, eid, tone.mentions, tone.compound, tone.label))
    quotes = [q for q in quotes if q.article_id not in failures]
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


def _guarded_docs(nlp: Language, texts: list[str], batch_size: int) -> list[Doc | BaseException]:
    """One Doc per text, or the exception that text raised; long texts are analysed in pieces.

    The pieces go through ``nlp.pipe`` in one stream; if it raises, they are run again one
    at a time in this process, so only the texts that really fail come back as exceptions.
    """
    pieces_of = [split_text(text, min(PIECE_CHARS, nlp.max_length)) for text in texts]
    flat = [piece for pieces in pieces_of for piece in pieces]
    try:
        results: list[Doc | BaseException] = list(nlp.pipe(flat, batch_size=batch_size))
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


def _failure_rows(articles: pd.DataFrame, failures: dict[str, str]) -> pd.DataFrame:
    """Quarantine rows (plus ``article_id``) for the articles whose enrichment failed."""
    rows = []
    for row in articles[articles["article_id"].isin(failures)].to_dict("records"):
        reason = f"enrichment failed: {failures[row['article_id']]}"
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
