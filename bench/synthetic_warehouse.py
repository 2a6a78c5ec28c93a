"""A synthetic warehouse at analyst scale, generated in DuckDB SQL (10M mentions in about a minute).

Realistic skew: entity popularity and outlet output are Zipf-like (rank r drawn with
probability ~ 1/r, by sampling log-uniformly), articles name 3-12 entities a few times each
and quote one person mention in four, outlets lean positive or negative, and a few
mid-ranked entities get a burst of coverage on one day (kept in bench.bursts) so that
trending_entities has something to find. Uses the real DDL
(newsflow.warehouse.db.create_schema): one batch per day in raw, as daily loads leave it,
the last day held back. Then the real SQL layers are built whole (timed), the held-back day
is loaded as one more batch and the marts are refreshed for it (timed: the incremental
refresh), and the marts are checked against a second full rebuild.

Usage: python bench/synthetic_warehouse.py --mentions 10000000 --out bench/out/synthetic.duckdb
"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import date, timedelta
from pathlib import Path

from newsflow.warehouse import db, transform

MENTIONS_PER_ARTICLE = 20.0  # 7.5 entities x 2.67 mentions each (1 + a geometric number), on average
BURSTS = 25


def generate(con, *, mentions: int, days: int, outlets: int, entities: int, first_day: date, seed: float) -> None:
    """Fill raw.entities, articles, article_loads, article_sentiment, mentions (``mentions`` rows in
    all), quotes (a person mention in four is quoted) and batches, one batch per day; the last
    day's rows wait in bench.held_* (see load_held_day)."""
    # 5% more articles than the average needs, so that truncating to ``mentions`` rows is safe.
    articles = int(mentions / MENTIONS_PER_ARTICLE * 1.05)
    con.execute("select setseed(?)", [seed])
    con.execute(
        """
        create temp table synthetic_entities as
        select
            printf('e%07d', i) as entity_id,
            case i % 3 when 0 then 'Person ' when 1 then 'Organisation ' else 'Place ' end || i as name,
            case i % 3 when 0 then 'PERSON' when 1 then 'ORG' else 'GPE' end as label,
            [name] as aliases
        from range(1, ? + 1) as r(i)
        """,
        [entities],
    )
    con.execute(
        """
        insert into raw.batches by name
        select
            strftime(day, 'day-%Y-%m-%d') as batch_id,
            cast(day as timestamptz) as interval_start,
            cast(day as timestamptz) + interval 1 day as interval_end,
            0 as articles,
            0 as quarantined,
            0 as duplicates,
            cast(day as timestamptz) + interval 1 day as loaded_at
        from (select cast(? as date) + cast(i as integer) as day from range(? - 1) as r(i))
        """,
        [first_day, days],
    )
    # every entity enters the warehouse with the first day's batch
    con.execute(
        "insert into raw.entities by name select strftime(cast(? as date), 'day-%Y-%m-%d') as batch_id, * "
        "from synthetic_entities",
        [first_day],
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
        create temp table synthetic_versions as
        select
            article_id,
            md5(article_id) as content_hash,
            'https://' || replace(lower(outlet), ' ', '') || '.example/' || article_id as url,
            outlet,
            'Synthetic story ' || n as title,
            null as author,
            published_at,
            'ok' as date_flag,
            null as published_at_raw,
            'en' as language,
            'synthetic' as text,
            400 as word_count,
            'synthetic' as source_name,
            'synthetic' as source_location,
            'synthetic' as source_format,
            strftime(cast(published_at as date), 'day-%Y-%m-%d') as batch_id,
            cast(cast(published_at as date) as timestamptz) + interval 1 day as ingested_at
        from synthetic_articles
        """
    )
    con.execute(
        """
        create temp table synthetic_sentiment as
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
        create temp table synthetic_mentions as
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
        inner join synthetic_entities as entities using (entity_id)
        """,
        [entities, mentions - burst_mentions],
    )
    con.execute(
        """
        create temp table synthetic_quotes as
        -- one person mention in four is quoted just after it; one article in five has a quote
        -- without a known speaker (start chars stay unique: mentions start at multiples of 20)
        select
            article_id,
            entity_id as speaker_entity_id,
            text as speaker_text,
            'Synthetic quote' as quote,
            start_char + 5 as start_char,
            start_char + 15 as end_char
        from synthetic_mentions
        where label = 'PERSON' and random() < 0.25
        union all
        select article_id, null, 'they', 'Synthetic quote', 1, 11
        from synthetic_articles
        where random() < 0.2
        """
    )
    _split_last_day(con, first_day + timedelta(days=days - 1))


def _split_last_day(con, last_day: date) -> None:
    """Every day but the last into raw, one batch per day; the last day into bench.held_*."""
    held = "(select article_id from synthetic_versions where batch_id = strftime(cast(? as date), 'day-%Y-%m-%d'))"
    for table, frame in (("articles", "synthetic_versions"), ("article_sentiment", "synthetic_sentiment"),
                         ("mentions", "synthetic_mentions"), ("quotes", "synthetic_quotes")):  # fmt: skip
        batch = "" if table == "articles" else "synthetic_versions.batch_id, "
        joined = "" if table == "articles" else " inner join synthetic_versions using (article_id)"
        columns = "*" if table == "articles" else f"{batch}{frame}.*"
        con.execute(
            f"insert into raw.{table} by name select {columns} from {frame}{joined} "
            f"where {frame}.article_id not in {held}",
            [last_day],
        )
        con.execute(
            f"create or replace table bench.held_{table} as select {columns} from {frame}{joined} "
            f"where {frame}.article_id in {held}",
            [last_day],
        )
    con.execute(
        "insert into raw.article_loads by name "
        "select batch_id, article_id, content_hash, ingested_at, ingested_at as loaded_at from raw.articles"
    )


def load_held_day(con) -> str:
    """Load the held-back day as one more batch (its loaded_at: now), as the daily load would; returns its id."""
    batch_id = con.execute("select any_value(batch_id) from bench.held_articles").fetchone()[0]
    con.begin()
    for table in ("articles", "article_sentiment", "mentions", "quotes"):
        con.execute(f"delete from raw.{table} where article_id in (select article_id from bench.held_articles)")
        con.execute(f"insert into raw.{table} by name select * from bench.held_{table}")
    con.execute(
        "insert or replace into raw.article_loads by name "
        "select batch_id, article_id, content_hash, ingested_at, now() as loaded_at from bench.held_articles"
    )
    con.execute(
        "insert or replace into raw.batches by name select batch_id, "
        "min(ingested_at) - interval 1 day as interval_start, min(ingested_at) as interval_end, count(*) as articles, "
        "0 as quarantined, 0 as duplicates, now() as loaded_at from bench.held_articles group by batch_id"
    )
    con.commit()
    return batch_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--outlets", type=int, default=100)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--out", type=Path, default=Path("bench/out/synthetic.duckdb"))
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB's memory limit (it spills to disk beyond)")
    args = parser.parse_args()

    args.out.unlink(missing_ok=True)
    timings = _record_node_timings()
    with db.connect(args.out) as con:
        con.execute("set memory_limit = ?", [args.memory_limit])
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
        db.refresh_marts(con, full=True)
        full_build = time.perf_counter() - start
        new_day = load_held_day(con)
        start = time.perf_counter()
        marts = db.refresh_marts(con)
        one_day = time.perf_counter() - start
        slowest = timings.last[:8]
        rebuilt = con.execute(
            "select count(*) from intermediate.refreshed_days "
            "where refreshed_at = (select max(refreshed_at) from intermediate.refreshed_days)"
        ).fetchone()[0]
        for name in marts:  # kept in the file: at 10M mentions the marts do not fit in Python lists
            con.execute(f"create or replace table bench.incremental_{name} as {_rows(con, 'marts', name)}")
        start = time.perf_counter()
        db.refresh_marts(con, full=True)
        full_rebuild = time.perf_counter() - start
        same = all(_same(con, name) for name in marts)
        counts = db.table_counts(con)
        con.execute(
            "create or replace table bench.refresh_timings as select ? as full_build_s, ? as new_day_s, "
            "? as full_rebuild_s, ? as days_rebuilt, ? as same_as_full_rebuild",
            [full_build, one_day, full_rebuild, rebuilt, same],
        )
    print(f"warehouse: {args.out} ({args.out.stat().st_size / 2**20:.0f} MiB)")
    print(f"generated in {generated:.1f} s; SQL layers built whole in {full_build:.1f} s")
    print(
        f"one new day ({new_day}): marts refreshed in {one_day:.1f} s ({rebuilt} day rebuilt) "
        f"vs a full rebuild in {full_rebuild:.1f} s; same marts as the full rebuild: {same}"
    )
    print("  slowest models and tests of that refresh: " + ", ".join(f"{name} {s:.1f} s" for name, s in slowest))
    for table in ("staging.articles", "staging.mentions", "staging.entities"):
        print(f"  {table:<28} {counts[table]:>12,}")
    for name, rows in marts.items():
        print(f"  marts.{name:<22} {rows:>12,}")


class _NodeTimings(logging.Handler):
    """Keeps the node timings of the last dbt command (newsflow.warehouse.transform logs them)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.last: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.last = getattr(record, transform.NODE_SECONDS, self.last)


def _record_node_timings() -> _NodeTimings:
    handler = _NodeTimings()
    logger = logging.getLogger(transform.__name__)
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


def _rows(con, schema: str, mart: str) -> str:
    """A query of every row of a mart, float columns rounded (a sum's last bits depend on its order)."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? order by ordinal_position",
        [mart],
    ).fetchall()
    select = ", ".join(f"round({c}, 9) as {c}" if kind == "DOUBLE" else c for c, kind in columns)
    return f"select {select} from {schema}.{mart}"


def _same(con, mart: str) -> bool:
    """Whether the mart holds the very rows kept after the incremental refresh (as multisets)."""
    kept = f"select * from bench.incremental_{mart}"
    now = _rows(con, "marts", mart)
    differ = con.execute(
        f"select (select count(*) from ({now} except all {kept})) + (select count(*) from ({kept} except all {now}))"
    ).fetchone()[0]
    con.execute(f"drop table bench.incremental_{mart}")
    return differ == 0


if __name__ == "__main__":
    main()
