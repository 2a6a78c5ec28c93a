"""The analyst marts on a 40-day warehouse whose answers are known (see tests/warehouses.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from newsflow.warehouse import db
from tests.warehouses import BURST_DAY, GAP_DAY, NEWCOMER_DAY, Story, build, eid, forty_days


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build(tmp_path_factory.mktemp("marts") / "w.duckdb", forty_days())
    with db.connect(path, read_only=True) as connection:
        yield connection


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_share_of_voice_sums_to_one_every_day(con):
    sums = rows(con, "select day, sum(share) from marts.share_of_voice group by day")
    assert len(sums) == 39  # 40 days but the gap day
    assert all(total == pytest.approx(1.0) for _, total in sums)


def test_share_of_voice_of_a_known_day(con):
    got = rows(
        con, "select name, mentions, share from marts.share_of_voice where day = '2024-10-02' order by share desc"
    )
    # Steady Corp 3, Wobbly Minister 2, Burst Person 1: six mentions that day.
    assert [(n, m) for n, m, _ in got] == [("Steady Corp", 3), ("Wobbly Minister", 2), ("Burst Person", 1)]
    assert [s for *_, s in got] == pytest.approx([1 / 2, 1 / 3, 1 / 6])


def test_entity_tone_is_mention_weighted_and_normalised_by_day_volume(con):
    got = rows(
        con,
        "select mentions, articles, day_articles, article_share, mean_compound, mean_tone "
        "from marts.entity_tone_daily where entity_id = ? and day = ?",
        [eid("Burst Person"), BURST_DAY],
    )
    # Alpha: 8 mentions at compound 0.5, tone 2; six Beta articles: 12 at -0.5, -4; 9 articles that day.
    mentions, articles, day_articles, share, compound, tone = got[0]
    assert (mentions, articles, day_articles) == (20, 7, 9)
    assert share == pytest.approx(7 / 9)
    assert compound == pytest.approx((8 * 0.5 - 12 * 0.5) / 20)
    assert tone == pytest.approx((8 * 2 - 12 * 4) / 20)


def test_tone_weights_ignore_articles_without_sentiment(tmp_path):
    path = build(tmp_path / "w.duckdb", [Story(date(2024, 1, 1), "Alpha", {"Newcomer": 2}, compound=0.4, tone=1.0)])
    with db.connect(path) as con:
        # Edited by hand, not by a load: only a full rebuild knows what changed.
        con.execute("delete from raw.article_sentiment")
        db.refresh_marts(con, full=True)
        got = rows(con, "select mentions, mean_compound, mean_tone from marts.entity_tone_daily")
    assert got == [(2, None, None)]


def test_trending_finds_the_injected_burst_and_the_newcomer_and_nothing_else(con):
    got = rows(con, "select day, name, mentions, articles, baseline, score from marts.trending_entities order by day")
    assert [(day, name) for day, name, *_ in got] == [(BURST_DAY, "Burst Person"), (NEWCOMER_DAY, "Newcomer")]
    burst, newcomer = got
    # Burst Person: in one article on each observed day of the window, so baseline 1, spread floored at 1.
    assert burst[2:5] == (20, 7, 1.0) and burst[5] == pytest.approx(6.0)
    # Newcomer: never seen before, a baseline of zero; the score is its articles over the floor of 1.
    assert newcomer[2:5] == (10, 5, 0.0) and newcomer[5] == pytest.approx(5.0)


def test_trending_baseline_skips_days_with_no_ingestion(con):
    # The window before BURST_DAY (Oct 8 .. Nov 4) holds 28 days, one of which (GAP_DAY) saw no articles.
    assert GAP_DAY.month == 10 and GAP_DAY.day > 8
    assert rows(con, "select baseline_days from marts.trending_entities where day = ?", [BURST_DAY]) == [(27,)]


def test_flat_baselines_short_histories_and_single_articles_do_not_trend(con):
    names = {name for (name,) in rows(con, "select name from marts.trending_entities")}
    # Steady Corp goes from 2 articles a day (zero variance) to 6: floored at sqrt(2), a score of 2.8.
    assert "Steady Corp" not in names
    # Early Bird's 5 articles came on day 3, before the warehouse had 7 days of baseline.
    assert "Early Bird" not in names
    # Lone Article's 9 mentions are all in one article.
    assert "Lone Article" not in names


def test_outlet_entity_coverage_ranks_outlets_per_entity(con):
    got = rows(
        con,
        "select outlet, sum(mentions), sum(articles), sum(mentions * mean_compound) / sum(mentions) "
        "from marts.outlet_entity_coverage where entity_id = ? group by outlet order by 2 desc",
        [eid("Burst Person")],
    )
    # Alpha names Burst Person once on each of 39 days (8 times on BURST_DAY); Beta only on BURST_DAY.
    assert got == [("Alpha", 46, 39, pytest.approx(0.5)), ("Beta", 12, 6, pytest.approx(-0.5))]


def test_a_burst_of_copies_shows_few_original_articles(tmp_path_factory):
    warehouse = build(tmp_path_factory.mktemp("copies") / "w.duckdb", forty_days())
    with db.connect(warehouse) as connection:
        burst_articles = [
            article_id
            for (article_id,) in connection.execute(
                "select distinct m.article_id from staging.mentions m join staging.entities e using (entity_id) "
                "join staging.articles a using (article_id) where e.name = 'Burst Person' "
                "and cast(a.published_at as date) = ? order by 1",
                [BURST_DAY],
            ).fetchall()
        ]
        origin, *copies = burst_articles
        connection.register(
            "story_rows",
            pd.DataFrame(
                {
                    "story_id": "s1",
                    "article_id": burst_articles,
                    "is_origin": [a == origin for a in burst_articles],
                    "copy_kind": [None if a == origin else "syndicated" for a in burst_articles],
                    "is_copy": [a != origin for a in burst_articles],
                    "agency": "AFP",
                }
            ),
        )
        # As the fixture's batch would have found them: the refresh sees the copies and rebuilds those days.
        connection.execute("insert into raw.stories by name select 'fixture' as batch_id, * from story_rows")
        db.refresh_marts(connection)
        got = connection.execute(
            "select articles, original_articles from marts.trending_entities where name = 'Burst Person'"
        ).fetchall()
    assert len(copies) == 6
    assert got == [(7, 1)]
