"""DuckDB warehouse: DDL, idempotent loads, marts."""
