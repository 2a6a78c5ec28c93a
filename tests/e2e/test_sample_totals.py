"""The bundled sample through every step gives the analyst-facing totals the marts gave before the SQL layers,
and the changes since, each explained.

The counts were first measured with the code before the SQL layers moved to dbt (commit
621f744, the same batch interval). What changed them since, on purpose:
- one definition of an entity-day's tone (mention-weighted; entity_daily_coverage was
  article-weighted although entity_tone_daily, on the same grain, was mention-weighted);
- tone read sentence by sentence (issue 14), which moves every mean_compound;
- the identity rules (issue 14) fold three names into the entity they stand for, so 3
  entity-day rows and 2 entity-article pairs fewer: "Biden" (a lone short form, into "Joe
  Biden"), "Andrei Belousov-North" (a hyphen variant, into "Andrei Belousov") and "North
  Koreans" (one letter apart, into "North Korean"); staging.entity_aliases lists them.
"""

from __future__ import annotations

import pytest

from newsflow.warehouse import db
from tests.helpers import run_sample

pytestmark = pytest.mark.e2e

EXPECTED = {
    "entity_daily_coverage": {
        "rows": 523,
        "mentions": 1000,
        "articles": 645,
        "outlets": 635,
        "original_mentions": 778,
        "original_articles": 545,
        "mean_compound": -16.6248,
        "mean_tone": 369.7329,
    },
    "entity_tone_daily": {
        "rows": 523,
        "mentions": 1000,
        "articles": 645,
        "day_articles": 2630,
        "article_share": 133.0905,
        "original_articles": 545,
        "mean_entity_compound": -18.2847,
        "mean_compound": -16.6248,
        "mean_tone": 369.7329,
    },
    "share_of_voice": {"rows": 523, "mentions": 1000, "share": 9.0, "original_mentions": 778, "original_share": 9.0},
    "outlet_entity_coverage": {
        "rows": 635,
        "mentions": 1000,
        "articles": 645,
        "original_articles": 545,
        "mean_entity_compound": -32.1968,
        "mean_compound": -24.9278,
        "mean_tone": 402.8126,
    },
    "source_daily_volume": {
        "rows": 39,
        "articles": 43,
        "original_articles": 38,
        "words": 14715,
        "mean_compound": -1.2358,
        "mean_tone": 27.111,
    },
    "entity_cooccurrence": {"rows": 8414, "articles": 10066},
    "story_spread": {"rows": 36, "articles": 43, "copies": 5, "outlets": 43},
    "trending_entities": {"rows": 0, "articles": None, "score": None},
}


def test_the_sample_gives_todays_mart_totals(tmp_path):
    got = {}
    with db.connect(run_sample(tmp_path), read_only=True) as con:
        for mart, columns in EXPECTED.items():
            measures = [column for column in columns if column != "rows"]
            sums = ", ".join(f"round(sum({column}), 4)" for column in measures)
            row = con.execute(f"select count(*), {sums} from marts.{mart}").fetchone()
            got[mart] = dict(zip(["rows", *measures], row, strict=True))
    assert got == EXPECTED
