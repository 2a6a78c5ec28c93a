"""docs/deploy.md names only services, variables and paths that the deployment really has."""

from __future__ import annotations

import re

from newsflow.config import ENVIRONMENT, PROJECT_ROOT, load_settings
from tests.deploy.files import CHECK_ENV, env_example, load_compose, run_script

GUIDE = (PROJECT_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
COMPOSE = load_compose()


def test_commands_name_existing_services():
    named = re.findall(r"docker compose (?:exec|logs|cp|push) (?:-\S+ )*([a-z-]+)", GUIDE)
    assert named and set(named) <= set(COMPOSE["services"]), set(named) - set(COMPOSE["services"])


def test_variables_mentioned_are_the_deployment_s_own():
    """Every variable the guide names is in .env.example or the compose file, is one newsflow's
    settings read, or (AIRFLOW__SECTION__KEY) sets a real Airflow option."""
    from airflow.configuration import conf

    known = set(env_example()) | set(ENVIRONMENT)
    for service in COMPOSE["services"].values():
        known |= set(service.get("environment") or {})
    mentioned = set(re.findall(r"\b(?:AIRFLOW|NEWSFLOW|POSTGRES|REDIS|COMPOSE)_[A-Z_]*[A-Z]\b", GUIDE))
    unknown = {name for name in mentioned - known if not _airflow_option(conf, name)}
    assert unknown == set()


def _airflow_option(conf, name: str) -> bool:
    parts = name.split("__")
    return len(parts) == 3 and parts[0] == "AIRFLOW" and conf.has_option(parts[1].lower(), parts[2].lower())


def test_paths_in_the_table_are_where_newsflow_writes_with_the_compose_settings():
    env = COMPOSE["x-airflow-common"]["environment"]
    settings = load_settings(
        PROJECT_ROOT / "newsflow.yaml",
        environ={"NEWSFLOW_WAREHOUSE": env["NEWSFLOW_WAREHOUSE"], "NEWSFLOW_VAR_DIR": env["NEWSFLOW_VAR_DIR"]},
    )
    for path in (
        settings.warehouse_path,
        settings.published_path,
        f"{settings.run_root}/",
        settings.data_docs_index,
        settings.report_dir / "index.html",
    ):
        assert f"`{path}`" in GUIDE, path


def test_the_refusal_shown_is_what_the_check_prints_for_env_example():
    printed = run_script(CHECK_ENV, env_example()).stderr.splitlines()
    first_problem = printed[1].split("generate one with:")[0]
    assert printed[0] in GUIDE
    assert first_problem.startswith("  - POSTGRES_PASSWORD") and first_problem in GUIDE
