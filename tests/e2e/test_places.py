"""The bundled sample through every step: places linked to mentions in the warehouse, seeds resolved."""

from __future__ import annotations

import pytest

from newsflow.warehouse import db
from tests.helpers import run_sample

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    with db.connect(run_sample(tmp_path_factory.mktemp("places")), read_only=True) as con:
        yield con


def test_seed_countries_and_capitals_resolve_in_the_warehouse(warehouse):
    codes = dict(
        warehouse.execute(
            """
            select text, string_agg(distinct country_code, ',' order by country_code)
            from staging.mention_places
            where text in ('North Korea', 'South Korea', 'Russia', 'Ukraine') and label = 'GPE'
            group by text
            """
        ).fetchall()
    )
    assert codes == {"North Korea": "KP", "South Korea": "KR", "Russia": "RU", "Ukraine": "UA"}
    cities = warehouse.execute(
        "select name, kind, country_code from staging.places where place_id in (1871859, 1835848) order by name"
    ).fetchall()
    assert cities == [("Pyongyang", "city", "KP"), ("Seoul", "city", "KR")]
    linked = warehouse.execute(
        """
        select distinct mentions.text, places.place_id
        from staging.mentions
        inner join staging.mention_places as places using (article_id, start_char)
        where mentions.text in ('Pyongyang', 'Seoul')
        """
    ).fetchall()
    assert sorted(linked) == [("Pyongyang", 1871859), ("Seoul", 1835848)]


def test_every_place_mention_is_kept_resolved_or_with_a_reason(warehouse):
    # Places follow the model's label at each mention, whatever the votes make of the entity.
    missing, unresolved, total = warehouse.execute(
        """
        select
            count(*) filter (where places.article_id is null),
            count(*) filter (where places.reason is not null),
            count(*)
        from raw.mentions
        left join raw.mention_places as places using (batch_id, article_id, start_char)
        where mentions.model_label in ('GPE', 'LOC', 'FAC')
        """
    ).fetchone()
    assert missing == 0 and total > 100
    assert 0 < unresolved < total / 2
    adjectives = warehouse.execute(
        "select count(*), bool_and(label = 'NORP') from staging.mention_places where via_adjective"
    ).fetchone()
    assert adjectives[0] > 0 and adjectives[1]


def test_country_marts_count_articles_with_and_without_copies(warehouse):
    rows = warehouse.execute(
        """
        select country_code, country, sum(articles), sum(original_articles), sum(mentions), sum(adjective_mentions)
        from marts.country_daily_coverage
        group by all
        order by sum(articles) desc, country_code
        """
    ).fetchall()
    by_code = {row[0]: row for row in rows}
    assert by_code["KP"][1] == "North Korea" and by_code["KR"][1] == "South Korea"
    for _, _, articles, originals, mentions, _ in rows:
        assert 0 <= originals <= articles <= mentions
    assert any(originals < articles for _, _, articles, originals, _, _ in rows)  # the sample's copies
    # outlet x country sums to the same articles per country
    outlet_sums = dict(
        warehouse.execute(
            "select country_code, sum(articles) from marts.outlet_country_coverage group by all"
        ).fetchall()
    )
    assert outlet_sums == {code: row[2] for code, row in by_code.items()}
    direct = warehouse.execute(
        """
        select count(distinct article_id)
        from staging.mention_places
        where country_code = 'KP' and not via_adjective
        """
    ).fetchone()[0]
    assert by_code["KP"][2] == direct


def test_recipes_countries_of_an_outlet_and_outlets_of_a_country(warehouse):
    from newsflow import queries

    outlets = queries.run_recipe(warehouse, queries.get_recipe("outlets_for_country"), {"country": "north korea"})
    by_name = outlets.fetchall()
    by_code = queries.run_recipe(warehouse, queries.get_recipe("outlets_for_country"), {"country": "kp"}).fetchall()
    assert by_name == by_code and by_name
    top_outlet = by_name[0][0]
    countries = queries.run_recipe(
        warehouse, queries.get_recipe("countries_by_outlet"), {"outlet": top_outlet.upper()}
    ).fetchall()
    assert "KP" in [row[1] for row in countries]
    kp = next(row for row in countries if row[1] == "KP")
    assert kp[2:4] == by_name[0][2:4] == ("North Korea", kp[3])  # the same name and articles either way
    assert queries.get_recipe("countries_by_outlet").required == ("outlet",)
