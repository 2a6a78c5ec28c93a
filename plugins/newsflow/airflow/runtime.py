"""Settings for task bodies, with the Airflow Variable override."""

from __future__ import annotations

import json

from newsflow.config import Settings, load_settings

VARIABLE = "newsflow_config"


def settings() -> Settings:
    """Settings from file and env, overridden by the JSON Variable ``newsflow_config`` if set."""
    from airflow.sdk import Variable

    raw = Variable.get(VARIABLE, default=None)
    overrides = json.loads(raw) if raw else None
    return load_settings(overrides=overrides)
