"""An enriched batch's citations, same-story links and stories, as tables.

The bridge between the batch's DataFrames (and the warehouse's history window) and the
pure story rules of :mod:`newsflow.nlp.stories`.  No I/O: the caller reads the history.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict
from datetime import datetime

import pandas as pd

from newsflow.ingest.urls import normalise_title
from newsflow.nlp.citations import agency_of, credited_agency, find_citations
from newsflow.nlp.stories import Link, StoryArticle, StoryLinker, build_stories

log = logging.getLogger(__name__)

FailureHandler = Callable[[str, Exception], None]

LINK_COLUMNS = ("article_id", "other_article_id", "kind", "similarity")
STORY_COLUMNS = ("story_id", "article_id", "is_origin", "copy_kind", "is_copy", "agency")
CITATION_COLUMNS = ("article_id", "source", "kind", "is_agency", "start_char", "evidence")


def counted_at(articles: pd.DataFrame, ingested_at: datetime) -> pd.Series:
    """When each article happened for linking: its publication time when that is trustworthy
    (``date_flag`` ok), else the batch's ingestion time.  (The warehouse's day rule,
    ``staging.article_days``, is the same rule applied after loading.)"""
    published = pd.to_datetime(articles["published_at"], utc=True)
    return published.where(articles["date_flag"].eq("ok")).fillna(pd.Timestamp(ingested_at))


def _batch_story_articles(
    tables: dict[str, pd.DataFrame], ingested_at: datetime, on_failure: FailureHandler | None = None
) -> tuple[list[StoryArticle], pd.DataFrame]:
    """The batch's articles as linking sees them, and their citations table.

    With ``on_failure``, an article that cannot be read for linking is reported to it
    (article id, exception) and left out; without, the exception propagates.
    """
    articles = tables["articles"]
    mentions = tables["mentions"].merge(tables["entities"][["entity_id", "name"]], on="entity_id")
    # Each article's entities and organisation mentions, in one pass (a DataFrame filter per
    # article cost a tenth of linking at 10,000 articles).
    entities: dict[str, set[tuple[str, str]]] = defaultdict(set)
    organisations: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    columns = ("article_id", "label", "name", "start_char", "end_char")
    for article_id, label, name, start, end in zip(*(mentions[c] for c in columns), strict=True):
        entities[article_id].add((label, name))
        if label == "ORG":
            organisations[article_id].append((name, start, end))
    seen = counted_at(articles, ingested_at)
    story_articles, citations = [], []
    for row, seen_at in zip(articles.itertuples(index=False), seen, strict=True):
        try:
            cited = find_citations(
                row.text,
                row.author if isinstance(row.author, str) else None,
                organisations.get(row.article_id, []),
            )
            article = StoryArticle(
                article_id=row.article_id,
                outlet=row.outlet,
                seen_at=seen_at.to_pydatetime(),
                text=row.text,
                content_hash=row.content_hash,
                title=normalise_title(row.title, row.outlet),
                entities=entities.get(row.article_id, set()),
                agency=agency_of(row.outlet) or credited_agency(cited),
            )
        except Exception as exc:
            if on_failure is None:
                raise
            on_failure(row.article_id, exc)  # the item boundary: this article alone leaves the batch
            continue
        citations.extend({"article_id": row.article_id, **asdict(c)} for c in cited)
        story_articles.append(article)
    frame = pd.DataFrame(citations, columns=list(CITATION_COLUMNS)).astype({"start_char": "int64"})
    return story_articles, frame


def empty_history() -> dict[str, pd.DataFrame]:
    """A history window with no earlier articles (a first batch, or no warehouse yet)."""
    return {
        "articles": pd.DataFrame(
            columns=["article_id", "outlet", "seen_at", "content_hash", "title", "agency", "touched"]
        ),
        "window": pd.DataFrame(columns=["article_id", "text", "entities"]),
        "links": pd.DataFrame(columns=list(LINK_COLUMNS)),
    }


def link_batch(
    tables: dict[str, pd.DataFrame],
    ingested_at: datetime,
    history: dict[str, pd.DataFrame] | None = None,
    on_failure: FailureHandler | None = None,
) -> dict[str, pd.DataFrame]:
    """Citations, same-story links and stories for an enriched batch.

    ``on_failure(article_id, exception)``: called for an article that cannot be read for
    linking, which is then left out (the caller quarantines it); without it, the exception
    propagates.

    Links connect batch articles to each other and to the ``history`` window (articles of
    earlier batches in the time window, see :func:`newsflow.warehouse.db.story_history`).
    Stories are updated, not rebuilt: ``stories`` holds the members of every story the
    batch's articles are in, join, merge or leave (a re-delivered article's earlier story,
    ``touched`` in the history), recomputed whole; every other story stays as loaded.
    Returns ``article_citations``, ``story_links`` and ``stories``.
    """
    batch_articles, citations = _batch_story_articles(tables, ingested_at, on_failure)
    history = history or empty_history()
    earlier = {
        row.article_id: StoryArticle(
            article_id=row.article_id,
            outlet=row.outlet,
            seen_at=pd.Timestamp(row.seen_at).to_pydatetime(),
            text="",
            content_hash=row.content_hash,
            title=normalise_title(row.title, row.outlet),
            agency=agency_of(row.outlet) or (row.agency if isinstance(row.agency, str) else None),
        )
        for row in history["articles"].itertuples(index=False)
    }
    for row in history["window"].itertuples(index=False):
        article = earlier[row.article_id]
        article.text = row.text
        article.entities = {(label, name) for label, name in (row.entities if row.entities is not None else [])}
    old_links = [Link(*row) for row in history["links"][list(LINK_COLUMNS)].itertuples(index=False)]
    with closing(StoryLinker()) as linker:
        linker.add(earlier[article_id] for article_id in history["window"]["article_id"])
        linker.add(batch_articles)
        new_links = linker.link((a.article_id for a in batch_articles), old_links)
    touched = {a.article_id for a in batch_articles} | set(
        history["articles"]["article_id"][history["articles"]["touched"].astype(bool)]
    )
    stories = build_stories({**earlier, **{a.article_id: a for a in batch_articles}}, [*old_links, *new_links], touched)
    log.info(
        "linked %d pairs; %d articles in the %d stories the batch touches",
        len(new_links),
        len(stories),
        len({m.story_id for m in stories}),
    )
    return {
        "article_citations": citations,
        "story_links": pd.DataFrame([asdict(x) for x in new_links], columns=list(LINK_COLUMNS)).astype(
            {"similarity": "float64"}
        ),
        "stories": pd.DataFrame([asdict(m) for m in stories], columns=list(STORY_COLUMNS)),
    }
