"""Small warehouses with known answers, built through the real loader and marts refresh.

A warehouse is described article by article (:class:`Story`): its day, outlet, tone and
how many times it names each entity.  Tests state their expected answers from the same
description, so a reader can check them by hand.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from newsflow.ingest.records import ARTICLE_COLUMNS, QUARANTINE_COLUMNS, content_hash
from newsflow.nlp.enrich import ENTITY_COLUMNS, MENTION_COLUMNS, MENTION_PLACE_COLUMNS, SENTIMENT_COLUMNS
from newsflow.nlp.entities import entity_id
from newsflow.warehouse import db

HOSTILE = "<script>alert(1)</script>"
# A second payload whose side effect is visible in the DOM if it ever runs.
HOSTILE_IMG = "<img src=x onerror=\"document.title='pwned'\">"
LABELS = {
    "Steady Corp": "ORG",
    "Wobbly Minister": "PERSON",
    "Burst Person": "PERSON",
    "Early Bird": "PERSON",
    "Newcomer": "PERSON",
    "Lone Article": "PERSON",
    HOSTILE: "ORG",
    HOSTILE_IMG: "GPE",
}

# Countries the stories name places in: (GeoNames id, name); a hostile name too.
COUNTRIES = {"KP": (1873107, "North Korea"), "FR": (3017382, "France"), "BR": (3469034, HOSTILE)}


def eid(name: str) -> str:
    return entity_id(name, LABELS[name])


@dataclass(frozen=True)
class Story:
    """One article: published at noon UTC on ``day`` by ``outlet``, naming entities ``names`` times.

    ``compound=None``: no tone (as for text VADER does not score).
    """

    day: date
    outlet: str
    names: dict[str, int] = field(default_factory=dict)
    compound: float | None = 0.0
    tone: float = 0.0
    countries: dict[str, int] = field(default_factory=dict)  # country code -> place mentions


def article(
    article_id: str,
    outlet: str,
    published_at: datetime | None,
    text: str = "Kim met officials in Pyongyang today.",
    flag: str = "ok",
    *,
    title: str | None = None,
    source_name: str = "test",
) -> dict:
    """One row of the loader's articles table (every column, the unnamed ones NULL)."""
    row = dict.fromkeys(ARTICLE_COLUMNS)
    row.update(
        article_id=article_id,
        url=f"https://{outlet.lower()}.example/{article_id}",
        outlet=outlet,
        title=title or f"Story {article_id}",
        published_at=published_at,
        date_flag=flag,
        language="en",
        text=text,
        content_hash=content_hash(text),
        word_count=len(text.split()),
        source_name=source_name,
        source_location="memory",
        source_format="jsonl",
    )
    return row


def tables(stories: Iterable[Story]) -> dict[str, pd.DataFrame]:
    """The loader's input tables for the stories (one batch)."""
    articles, mentions, sentiments, places = [], [], [], []
    for i, story in enumerate(stories):
        article_id = f"a{i:05d}"
        text = f"Article {i} from {story.outlet}."
        published_at = datetime.combine(story.day, time(12), tzinfo=UTC)
        row = article(article_id, story.outlet, published_at, text, title=f"Story {i}", source_name="fixture")
        articles.append(row)
        start = 0
        for name, count in story.names.items():
            for _ in range(count):
                mentions.append(
                    {
                        "article_id": article_id,
                        "entity_id": eid(name),
                        "text": name,
                        "label": LABELS[name],
                        "model_label": LABELS[name],
                        "start_char": start,
                        "end_char": start + 1,
                        "sentence_index": 0,
                        "watched": False,
                        "listed": False,
                    }
                )
                start += 1
        for code, count in story.countries.items():
            place_id, name = COUNTRIES[code]
            for _ in range(count):
                row_place = dict.fromkeys(MENTION_PLACE_COLUMNS)
                row_place.update(
                    article_id=article_id,
                    start_char=start,
                    end_char=start + 1,
                    text=name,
                    label="GPE",
                    place_id=place_id,
                    place_name=name,
                    kind="country",
                    country_code=code,
                    country_name=name,
                    method="country",
                    via_adjective=False,
                )
                places.append(row_place)
                start += 1
        if story.compound is None:
            continue
        sentiments.append(
            {
                "article_id": article_id,
                "compound": story.compound,
                "tone": story.tone,
                "positive": max(story.tone, 0.0),
                "negative": max(-story.tone, 0.0),
                "polarity": abs(story.tone),
                "word_count": row["word_count"],
                "sentence_count": 1,
            }
        )
    frame = pd.DataFrame(articles, columns=list(ARTICLE_COLUMNS))
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    mention_columns = list(MENTION_COLUMNS)
    return {
        "articles": frame,
        "quarantine": pd.DataFrame(columns=list(QUARANTINE_COLUMNS)),
        "mentions": pd.DataFrame(mentions, columns=mention_columns),
        "entities": pd.DataFrame(
            [(eid(name), name, label, [name]) for name, label in LABELS.items()], columns=list(ENTITY_COLUMNS)
        ),
        "article_sentiment": pd.DataFrame(sentiments, columns=list(SENTIMENT_COLUMNS)),
        "mention_places": pd.DataFrame(places, columns=list(MENTION_PLACE_COLUMNS)).astype(
            {"place_id": "Int64", "latitude": "float64", "longitude": "float64"}
        ),
    }


def validation_results(batch_id: str, when: datetime, failed: bool = False) -> pd.DataFrame:
    """One validation run of the articles table: two expectations, the second failing if asked."""
    checks = [
        ("expect_column_values_to_not_be_null", "article_id", True, "row"),
        ("expect_table_row_count", None, not failed, "table"),
    ]
    return pd.DataFrame(
        {
            "validation_id": f"v-{batch_id}",
            "batch_id": batch_id,
            "table_name": "articles",
            "result_index": i,
            "expectation_type": kind,
            "column_name": column,
            "success": ok,
            "unexpected_count": 0,
            "observed_value": None,
            "validated_at": when,
            "data_docs_url": "file:///var/gx/data_docs/index.html",
            "expectation_level": level,
        }
        for i, (kind, column, ok, level) in enumerate(checks)
    )


def build(path: Path, stories: list[Story], validations: Iterable[pd.DataFrame] = ()) -> Path:
    """Load the stories as one batch, record the validations, refresh the marts; returns ``path``.

    The same stories and validations are built once per test process and copied after that:
    many test files start from the same warehouse, and each build runs the whole SQL layers.
    Every template is named ``w.duckdb`` in a folder of its own: dbt's parse is stored per
    database name (the file's stem), so all templates, and the tests' own ``w.duckdb``
    files, share one parse.
    """
    validations = list(validations)
    key = hashlib.sha256(repr(stories).encode())
    for results in validations:
        key.update(results.to_json(date_format="iso").encode())
    template = _TEMPLATES / key.hexdigest() / "w.duckdb"
    if not template.exists():
        template.parent.mkdir()
        _build(template, stories, validations)
    shutil.copyfile(template, path)
    return path


# Built warehouses of this test process, copied by build(); removed when the process ends.
_TEMPLATES = Path(tempfile.mkdtemp(prefix="newsflow-test-warehouses-"))
atexit.register(shutil.rmtree, _TEMPLATES, ignore_errors=True)


def _build(path: Path, stories: list[Story], validations: list[pd.DataFrame]) -> None:
    last = max(s.day for s in stories) + timedelta(days=1)
    end = datetime.combine(last, time(), tzinfo=UTC)
    with db.connect(path) as con:
        db.load_batch(
            con, batch_id="fixture", interval_start=end - timedelta(days=1), interval_end=end, tables=tables(stories)
        )
        for results in validations:
            db.record_validation(con, results)
        db.refresh_marts(con)


FIRST_DAY = date(2024, 10, 1)
BURST_DAY = date(2024, 11, 5)
NEWCOMER_DAY = date(2024, 11, 8)
GAP_DAY = date(2024, 10, 20)  # nothing was ingested that day
DAYS = [FIRST_DAY + timedelta(days=i) for i in range(40)]  # 2024-10-01 .. 2024-11-09


def forty_days() -> list[Story]:
    """40 days, one article a day from each of three outlets (plus extras), with known trends.

    Trends are counted in articles naming an entity (see sql/marts/trending_entities.sql):
    * Steady Corp: in 2 articles a day (a zero-variance baseline), in 6 on BURST_DAY: no trend.
    * Wobbly Minister: 2 and 4 mentions on alternate days, always in 2 articles: no trend.
    * Burst Person: 1 article a day in Alpha; on BURST_DAY 7 articles, 20 mentions: trends.
    * Early Bird: 5 articles on day 3, before the warehouse has 7 days of baseline: no trend.
    * Newcomer: first seen on NEWCOMER_DAY, in 5 articles: trends.
    * Lone Article: 9 mentions, all in one article: no trend.
    * the hostile names: a mention every fifth day (and a country so named).
    * places: Alpha names North Korea twice a day, Beta France every other day.
    """
    stories = []
    for n, day in enumerate(DAYS):
        if day == GAP_DAY:
            continue
        wobbly = 1 if n % 2 else 2
        alpha = {"Steady Corp": 2, "Burst Person": 1}
        beta = {"Wobbly Minister": wobbly}
        gamma = {"Steady Corp": 1, "Wobbly Minister": wobbly}
        extra = []
        if day == BURST_DAY:
            alpha["Burst Person"] = 8
            extra += [
                Story(day, "Beta", {"Burst Person": 2, **({"Steady Corp": 1} if i < 4 else {})}, -0.5, -4.0)
                for i in range(6)
            ]
        for name, on_day in (("Early Bird", n == 2), ("Newcomer", day == NEWCOMER_DAY)):
            if on_day:  # in all three regular articles and two more
                for names in (alpha, beta, gamma):
                    names[name] = 2
                extra += [Story(day, "Gamma", {name: 2}) for _ in range(2)]
        if n == 30:
            gamma["Lone Article"] = 9
        if n % 5 == 0:
            gamma[HOSTILE] = 1
            gamma[HOSTILE_IMG] = 1
        stories += [
            Story(day, "Alpha", alpha, compound=0.5, tone=2.0, countries={"KP": 2}),
            Story(day, "Beta", beta, compound=-0.5, tone=-4.0, countries={"FR": 1} if n % 2 else {}),
            Story(day, "Gamma", gamma, compound=0.0, tone=0.0, countries={"BR": 1} if n % 5 == 0 else {}),
            *extra,
        ]
    return stories
