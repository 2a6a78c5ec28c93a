"""What the run summary prints: counts, quarantine reasons, top entities and where the files are."""

from __future__ import annotations

from typing import Any

from newsflow.config import Settings
from newsflow.warehouse import db


def summarise(settings: Settings, top: int = 10) -> dict[str, Any]:
    """What analysts see (the published snapshot, else the warehouse): counts, top entities, where the files are."""
    with db.connect(settings.reader_path, read_only=True, lock_timeout_s=settings.lock_timeout_s) as con:
        counts = db.table_counts(con)
        top_entities = con.execute(
            "select e.name, e.label, count(*) as mentions, count(distinct m.article_id) as articles "
            "from staging.mentions m join staging.entities e using (entity_id) "
            "group by all order by mentions desc, e.name limit ?",
            [top],
        ).fetchall()
        reasons = con.execute(
            "select coalesce(reason_class, reason), count(*), min(reason) from raw.quarantine "
            "group by 1 order by 2 desc, 1"
        ).fetchall()
        latest_run = con.execute(
            "select source_name, read, articles, added, updated, unchanged, quarantined, "
            "quarantined_by_reason, duplicates, by_language from marts.ingest_health "
            "where batch_id = (select batch_id from raw.batches order by loaded_at desc, batch_id desc limit 1) "
            "order by read desc nulls last, source_name"
        ).fetchall()
        outlets = con.execute("select count(distinct outlet) from staging.articles").fetchone()[0]
        dq = con.execute("select count(*), count(*) filter (where success) from marts.dq_results").fetchone()
        stories = con.execute(
            "select count(*), coalesce(sum(copies), 0) from marts.story_spread where articles > 1"
        ).fetchone()
    return {
        "articles_loaded": counts.get("staging.articles", 0),
        "outlets": outlets,
        "quarantined": counts.get("raw.quarantine", 0),
        "quarantine_reasons": reasons,
        "latest_run": latest_run,
        "top_entities": top_entities,
        "validations": {"runs": dq[0], "passed": dq[1]},
        "stories": {"multi_article": stories[0], "copies": stories[1]},
        "table_counts": counts,
        "warehouse": str(settings.warehouse_path),
        "read_from": str(settings.reader_path),
        "data_docs": str(settings.data_docs_index),
    }
