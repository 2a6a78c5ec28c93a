"""newsflow: a media-analysis ETL library (ingest, enrich, validate, load).

Importable without Airflow; the DAGs in ``dags/`` wire its functions together.
"""

__version__ = "0.1.0"
