"""The only part of newsflow that knows about Airflow: pool, asset and runtime settings."""
