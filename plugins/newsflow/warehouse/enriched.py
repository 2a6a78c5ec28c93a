"""What the warehouse already knows of a batch's articles, so no text is analysed twice.

Mentions, sentiment and quotes are functions of an article's text: an article loaded
before with the same content needs nothing new, and the exact text of an article
already loaded under another id (a wire copy under a new URL) has its enrichment
already, at the same offsets.  Reads only the staging contract.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# The batch tables enrichment writes per article, in the warehouse as staging tables.
ENRICHMENT_TABLES = ("mentions", "mention_places", "article_sentiment", "entity_sentiment", "quotes")


def already_loaded(con: duckdb.DuckDBPyConnection, articles: pd.DataFrame) -> pd.Series:
    """For each article, why it is in the warehouse already, or None when it is not.

    ``unchanged``: loaded with this id and this very content.  ``duplicate``: the same
    outlet's same text is loaded under another id (the article read again under another
    URL; within a batch the extractor drops such a record the same way).
    """
    con.register("batch_keys", articles[["article_id", "outlet", "content_hash"]].astype("string"))
    try:
        found = con.execute(
            """
            select batch_keys.article_id,
                bool_or(loaded.article_id = batch_keys.article_id) as same_id
            from batch_keys
            inner join staging.articles as loaded
                on loaded.content_hash = batch_keys.content_hash
                and (loaded.article_id = batch_keys.article_id or lower(loaded.outlet) = lower(batch_keys.outlet))
            group by batch_keys.article_id
            """
        ).fetchall()
    finally:
        con.unregister("batch_keys")
    reason = {article_id: "unchanged" if same_id else "duplicate" for article_id, same_id in found}
    return articles["article_id"].map(reason)


def enrichment_of_copies(con: duckdb.DuckDBPyConnection, articles: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The enrichment rows of every article whose exact text is loaded under another id
    (another outlet's copy), re-keyed to the new article; plus the ``entities`` those rows
    name and the ``articles`` that are such copies.

    A copy takes the rows of the loaded article with the smallest id among those sharing
    its content hash, so the choice does not depend on load order.
    """
    con.register("batch_keys", articles[["article_id", "content_hash"]].astype("string"))
    try:
        sources = con.execute(
            """
            select batch_keys.article_id, min(loaded.article_id) as source_article_id
            from batch_keys
            inner join staging.articles as loaded
                on loaded.content_hash = batch_keys.content_hash and loaded.article_id <> batch_keys.article_id
            group by batch_keys.article_id
            """
        ).df()
    finally:
        con.unregister("batch_keys")
    # A warehouse refreshed before a table existed (places) has no staging view of it yet.
    staged = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        ).fetchall()
    }
    con.register("copy_sources", sources)
    try:
        tables = {
            name: con.execute(
                f"""
                select copy_sources.article_id, found.* exclude (article_id)
                from copy_sources
                inner join staging.{name} as found on found.article_id = copy_sources.source_article_id
                """
            ).df()
            for name in ENRICHMENT_TABLES
            if name in staged
        }
        tables["entities"] = con.execute(
            """
            select entity_id, name, label, aliases
            from staging.entities
            semi join (
                select found.entity_id
                from copy_sources
                inner join staging.mentions as found on found.article_id = copy_sources.source_article_id
            ) using (entity_id)
            """
        ).df()
    finally:
        con.unregister("copy_sources")
    tables["articles"] = articles[articles["article_id"].isin(set(sources["article_id"]))]
    return tables
