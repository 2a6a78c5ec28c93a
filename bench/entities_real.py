"""Entity identity across articles on real news: what the identity rules merge, and a sample to check.

Loads real articles (default: the ECB+ development topics in ``/work/shared/data/stories-dev``,
two events per topic, the second dated 30 days after the first) into a fresh warehouse, one
batch per publication day, with the real spaCy enrichment (cached like ``stories_real.py``),
builds the SQL layers and prints what ``staging.entity_aliases`` holds: merges by rule, the
articles and mentions they move, by half of the topics (``a``: topic % 4 == 0, ``b``: the
rest), then every spelling variant and a seeded sample of short-form links with the names
of the article's context, for checking by hand.

Next to it, a baseline without context: every lone short form linked to the full name in most
articles of the window, and every pair of names one edit or a hyphen apart folded; the bench
prints how many of those merges the context rule makes and how many it refuses.

Usage: nice python bench/entities_real.py [--articles FILE] [--sample 40] [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from stories_real import CACHE, DATA, enriched, half_of, load_articles  # noqa: E402  (a sibling script)

from newsflow.warehouse import db  # noqa: E402

# The merges a context-free rule would make, from the same intermediate tables.
BASELINE = {
    "short_form": """
        with named as (
            select article_id, entity_id, day from intermediate.article_entities
        ),
        people as (
            select distinct entity_id, name_key from intermediate.article_entities where label = 'PERSON'
        ),
        pairs as (
            select short.entity_id as short_id, whole.entity_id as full_id
            from people as short
            inner join people as whole
                on list_has_all(string_split(whole.name_key, ' '), string_split(short.name_key, ' '))
                and len(string_split(whole.name_key, ' ')) > len(string_split(short.name_key, ' '))
            where len(string_split(short.name_key, ' ')) <= 2
        ),
        lone as (
            select named.article_id, named.day, pairs.short_id, pairs.full_id
            from named inner join pairs on named.entity_id = pairs.short_id
            where not exists (
                select 1 from named as own inner join pairs as p on own.entity_id = p.full_id
                where own.article_id = named.article_id and p.short_id = named.entity_id
            )
        ),
        counted as (
            select lone.article_id, lone.short_id, lone.full_id, count(distinct seen.article_id) as seen
            from lone inner join named as seen
                on seen.entity_id = lone.full_id and seen.article_id <> lone.article_id
                and seen.day between lone.day - $window and lone.day
            group by all
        )
        select article_id, short_id as entity_id, full_id as linked_entity_id
        from counted
        qualify row_number() over (partition by article_id, short_id order by seen desc, full_id) = 1
    """,
    "spelling_variant": """
        with entities as (
            select entity_id, any_value(name_key) as name_key, any_value(label) as label, count(*) as articles
            from intermediate.article_entities group by entity_id
        )
        select alias.entity_id, target.entity_id as variant_of
        from entities as alias inner join entities as target
            on alias.label = target.label and alias.entity_id <> target.entity_id
            and (alias.articles, target.name_key) < (target.articles, alias.name_key)
        where (length(alias.name_key) >= 6 and damerau_levenshtein(alias.name_key, target.name_key) = 1)
            or replace(alias.name_key, '-', ' ') = replace(target.name_key, '-', ' ')
            or split_part(alias.name_key, '-', 1) = target.name_key
    """,
}


def load(path: Path, articles: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    """One batch per publication day, then the SQL layers."""
    with db.connect(path) as con:
        for day, group in articles.groupby(articles["published_at"].dt.date):
            mentions = tables["mentions"][tables["mentions"]["article_id"].isin(group["article_id"])]
            entities = tables["entities"][tables["entities"]["entity_id"].isin(mentions["entity_id"])]
            start = pd.Timestamp(day, tz="UTC").to_pydatetime()
            db.load_batch(
                con,
                batch_id=f"day-{day}",
                interval_start=start,
                interval_end=start + timedelta(days=1),
                tables={
                    "articles": group,
                    "quarantine": pd.DataFrame(columns=["quarantine_id", "source_name", "source_location",
                                                        "source_format", "reason", "detail", "step"]),
                    "mentions": mentions,
                    "entities": entities,
                },
            )  # fmt: skip
        db.refresh_marts(con, full=True)


def report(path: Path, articles: pd.DataFrame, sample: int, window: int) -> None:
    with db.connect(path) as con:
        con.register("halves", articles.assign(half=articles["url"].map(half_of))[["article_id", "half"]])
        print(
            "articles {:,}, mentions {:,}, entities {:,}".format(
                *con.execute(
                    "select (select count(*) from staging.articles), (select count(*) from staging.mentions), "
                    "(select count(*) from staging.entities)"
                ).fetchone()
            )
        )
        print("\nmerges by rule (staging.entity_aliases), and the articles of each half they touch")
        print(f"{'rule':<18}{'merges':>8}{'articles':>10}{'half a':>8}{'half b':>8}")
        touched = """
            select 'short_form' as rule, article_id from intermediate.entity_short_forms
            union all
            select 'spelling_variant', a.article_id from intermediate.entity_variants v
            join intermediate.article_entities a using (entity_id)
            union all
            select 'label_vote', m.article_id from intermediate.voted_entities v
            join staging.enriched_mentions m on m.entity_id = v.enriched_entity_id
            where v.entity_id <> v.enriched_entity_id
        """
        for rule, merges, total, half_a, half_b in con.execute(
            f"""
            with touched as (select distinct rule, article_id from ({touched}))
            select rule, (select count(*) from staging.entity_aliases a where a.rule = touched.rule),
                count(*), count(*) filter (where half = 'a'), count(*) filter (where half = 'b')
            from touched join halves using (article_id) group by rule order by rule
            """
        ).fetchall():
            print(f"{rule:<18}{merges:>8}{total:>10}{half_a:>8}{half_b:>8}")
        for rule, query in BASELINE.items():
            got = {tuple(r) for r in con.execute(query, {"window": window} if "$window" in query else {}).fetchall()}
            table = "entity_short_forms" if rule == "short_form" else "entity_variants"
            columns = "article_id, entity_id, linked_entity_id" if rule == "short_form" else "entity_id, variant_of"
            ours = {tuple(r) for r in con.execute(f"select {columns} from intermediate.{table}").fetchall()}
            print(
                f"baseline without context, {rule}: {len(got)} merges; the context rule makes {len(got & ours)} "
                f"of them, refuses {len(got - ours)}, makes {len(ours - got)} others"
            )
            if rule == "spelling_variant":
                voted = "select entity_id, min(name) from intermediate.voted_entities group by 1"
                names = dict(con.execute(voted).fetchall())
                refused = sorted((names[a], names[b]) for a, b in got - ours)
                print("  refused (alias, entity), every one: " + "; ".join(f"{a!r}/{b!r}" for a, b in refused))
        print("\nevery spelling variant: alias -> entity (evidence)")
        for alias, name, evidence in con.execute(
            "select alias_name, name, evidence from staging.entity_aliases where rule = 'spelling_variant' order by 1"
        ).fetchall():
            print(f"  {alias!r} -> {name!r} ({evidence})")
        links = con.execute(
            """
            select h.half, a.title, short.name, whole.name, s.shared_context, s.context_entities,
                (select string_agg(distinct e.name, ', ') from intermediate.article_entities x
                 join intermediate.entity_identities i on i.enriched_entity_id = x.entity_id
                 join staging.entities e on e.entity_id = i.entity_id
                 where x.article_id = s.article_id and i.entity_id not in (s.entity_id, s.linked_entity_id))
            from intermediate.entity_short_forms s
            join staging.articles a using (article_id)
            join halves h using (article_id)
            join staging.entities short on short.entity_id = s.entity_id
            join staging.entities whole on whole.entity_id = s.linked_entity_id
            order by s.article_id, short.name
            """
        ).fetchall()
        shown = sorted(random.Random(12).sample(links, min(sample, len(links))))
        print(f"\nshort-form links, a sample of {len(shown)} of {len(links)} (seed 12): half | title | short -> full")
        for half, title, short, full, shared, context, names in shown:
            evidence = f"{shared} of {context} shared; context: {names[:100]}"
            print(f"  {half} | {title[:60]!r} | {short!r} -> {full!r} ({evidence})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=DATA / "articles.jsonl")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--sample", type=int, default=40, help="short-form links to print for checking")
    parser.add_argument("--window", type=int, default=30, help="days (must match var entity_window_days)")
    parser.add_argument("--out", type=Path, help="keep the warehouse in this folder")
    args = parser.parse_args()
    articles = load_articles(args.articles)
    tables = enriched(articles, args.cache)
    folder = args.out or Path(tempfile.mkdtemp(prefix="entities-real-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "entities.duckdb"
    path.unlink(missing_ok=True)
    load(path, articles, tables)
    report(path, articles, args.sample, args.window)


if __name__ == "__main__":
    main()
