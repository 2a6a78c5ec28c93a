"""A synthetic warehouse at analyst scale, generated in DuckDB SQL (10M mentions in about a minute).

Realistic skew: entity popularity and outlet output are Zipf-like (rank r drawn with
probability ~ 1/r, by sampling log-uniformly), articles name 3-12 entities a few times
each, outlets lean positive or negative, and a few mid-ranked entities get a burst of
coverage on one day (kept in bench.bursts) so that trending_entities has something to find.  Uses the real DDL
(newsflow.warehouse.db.create_schema) and rebuilds the real marts, timed.

Usage: python bench/synthetic_warehouse.py --mentions 10000000 --out bench/out/synthetic.duckdb
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from newsflow.warehouse import db

MENTIONS_PER_ARTICLE = 20.0  # 7.5 entities x 2.67 mentions each (1 + a geometric number), on average
BURSTS = 25


def generate(con, *, mentions: int, days: int, outlets: int, entities: int, first_day: date, seed: float) -> None:
    """Fill staging.entities, articles, article_sentiment and mentions (exactly ``mentions`` rows)."""
    # 5% more articles than the average needs, so that truncating to ``mentions`` rows is safe.
    articles = int(mentions / MENTIONS_PER_ARTICLE * 1.05)
    con.execute("select setseed(?)", [seed])
    con.execute(
        """
        insert into staging.entities by name
        select
            printf('e%07d', i) as entity_id,
            case i % 3 when 0 then 'Person ' when 1 then 'Organisation ' else 'Place ' end || i as name,
            case i % 3 when 0 then 'PERSON' when 1 then 'ORG' else 'GPE' end as label,
            [name] as aliases,
            timestamptz '2024-01-01 00:00:00+00' as first_seen_at,
            timestamptz '2024-12-31 00:00:00+00' as last_seen_at
        from range(1, ? + 1) as r(i)
        """,
        [entities],
    )
    con.execute(
        """
        create temp table synthetic_articles as
        select
            i as n,
            printf('a%08d', i) as article_id,
            -- log-uniform rank: outlet k publishes ~ 1/k of the most prolific one's output
            'Outlet ' || cast(floor(exp(random() * ln(? + 1))) as integer) as outlet,
            cast(? as timestamptz)
                + to_days(cast(floor(random() * ?) as integer))
                + to_seconds(cast(floor(random() * 86400) as bigint)) as published_at
        from range(?) as r(i)
        """,
        [outlets, first_day, days, articles],
    )
    con.execute(
        """
        insert into staging.articles by name
        select
            article_id,
            'https://' || replace(lower(outlet), ' ', '') || '.example/' || article_id as url,
            outlet,
            'Synthetic story ' || n as title,
            published_at,
            'ok' as date_flag,
            'en' as language,
            'synthetic' as text,
            md5(article_id) as content_hash,
            400 as word_count,
            'synthetic' as source_name,
            'synthetic' as source_format,
            'synthetic' as batch_id,
            published_at + interval 1 hour as ingested_at
        from synthetic_articles
        """
    )
    con.execute(
        """
        insert into staging.article_sentiment by name
        with scored as (
            select
                article_id,
                -- each outlet leans its own way; articles scatter around that lean
                greatest(-1, least(1, (hash(outlet) % 100) / 250.0 - 0.2 + (random() - 0.5))) as compound
            from synthetic_articles
        )
        select article_id, compound, compound * 5 as tone, greatest(compound, 0) * 5 + 2 as positive,
            greatest(-compound, 0) * 5 + 2 as negative, abs(compound) * 5 + 4 as polarity,
            400 as word_count, 20 as sentence_count
        from scored
        """
    )
    con.execute("create schema if not exists bench")
    con.execute(
        """
        create or replace table bench.bursts as
        select distinct
            -- mid-ranked: popular enough to have a history, not so popular that a burst drowns
            printf('e%07d', 50 + cast(floor(random() * (least(?, 5050) - 50)) as integer)) as entity_id,
            cast(? + cast(floor(random() * ?) as integer) as date) as day
        from range(?)
        """,
        [entities, first_day, days, BURSTS],
    )
    con.execute(
        """
        create temp table burst_pairs as
        -- one article in six published on a burst day names the burst entity three times
        select synthetic_articles.article_id, bursts.entity_id, 3 as times
        from synthetic_articles
        inner join bench.bursts as bursts on cast(synthetic_articles.published_at as date) = bursts.day
        where random() < 1 / 6
        """
    )
    burst_mentions = con.execute("select coalesce(sum(times), 0) from burst_pairs").fetchone()[0]
    con.execute(
        """
        insert into staging.mentions by name
        with picks as (
            select article_id, 3 + cast(floor(random() * 10) as integer) as entity_count
            from synthetic_articles
        ),

        article_entities as (
            select
                article_id,
                printf('e%07d', cast(floor(exp(random() * ln(? + 1))) as integer)) as entity_id,
                1 + cast(floor(-ln(1 - random()) * 2.13) as integer) as times
            from picks, range(entity_count)
        ),

        regular_mentions as (
            select article_id, entity_id
            from article_entities, range(times)
            limit ?
        ),

        mentions as (
            select * from regular_mentions
            union all
            select article_id, entity_id from burst_pairs, range(times)
        )

        select
            mentions.article_id,
            mentions.entity_id,
            entities.name as text,
            entities.label,
            entities.label as model_label,
            false as watched,
            false as listed,
            cast(row_number() over (partition by mentions.article_id) * 20 as integer) as start_char,
            cast(row_number() over (partition by mentions.article_id) * 20 + 10 as integer) as end_char,
            cast(row_number() over (partition by mentions.article_id) / 3 as integer) as sentence_index
        from mentions
        inner join staging.entities as entities using (entity_id)
        """,
        [entities, mentions - burst_mentions],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--outlets", type=int, default=100)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--out", type=Path, default=Path("bench/out/synthetic.duckdb"))
    args = parser.parse_args()

    args.out.unlink(missing_ok=True)
    with db.connect(args.out) as con:
        db.create_schema(con)
        start = time.perf_counter()
        generate(
            con,
            mentions=args.mentions,
            days=args.days,
            outlets=args.outlets,
            entities=args.entities,
            first_day=args.first_day,
            seed=args.seed,
        )
        generated = time.perf_counter() - start
        start = time.perf_counter()
        marts = db.refresh_marts(con)
        refreshed = time.perf_counter() - start
        counts = db.table_counts(con)
    print(f"warehouse: {args.out} ({args.out.stat().st_size / 2**20:.0f} MiB)")
    print(f"generated in {generated:.1f} s; marts rebuilt in {refreshed:.1f} s")
    for table in ("staging.articles", "staging.mentions", "staging.entities"):
        print(f"  {table:<28} {counts[table]:>12,}")
    for name, rows in marts.items():
        print(f"  marts.{name:<22} {rows:>12,}")


if __name__ == "__main__":
    main()
