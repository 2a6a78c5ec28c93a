"""Helpers for task bodies: settings with the Airflow Variable override, batch identity."""

from __future__ import annotations

import json
from datetime import datetime

from newsflow.config import Settings, load_settings
from newsflow.pipeline import BatchInfo

VARIABLE = "newsflow_config"


def settings() -> Settings:
    """Settings from file and env, overridden by the JSON Variable ``newsflow_config`` if set."""
    from airflow.sdk import Variable

    raw = Variable.get(VARIABLE, default=None)
    overrides = json.loads(raw) if raw else None
    return load_settings(overrides=overrides)


def batch_for(start: datetime | None, end: datetime | None) -> BatchInfo:
    return BatchInfo.for_interval(start, end)
